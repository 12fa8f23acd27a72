//! Opening the database named by a URL, and applying the migrations.

use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{DbError, Tx};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the supported engines.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Pool settings that apply to both engines.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "unsupported database URL `{0}`: expected sqlite://PATH or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl(String),
    #[error("invalid database URL `{url}`")]
    InvalidUrl {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not create the folder {path} for the SQLite database")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not connect to the database at `{url}`")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
}

/// `url` with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                url.to_owned()
            }
        }
        None => url.to_owned(),
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Db {
    /// Opens a pool for `url`: `sqlite://…` / `sqlite:…` or `postgres://…` /
    /// `postgresql://…`. Any other scheme is refused rather than guessed.
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Db, ConnectError> {
        let shown = redact_url(url);
        if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(|source| ConnectError::InvalidUrl {
                    url: shown.clone(),
                    source,
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let file = connect.get_filename();
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
                && file.to_str() != Some(":memory:")
            {
                // Only the owner may enter a folder made for the database.
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|source| ConnectError::CreateDir {
                        path: dir.to_owned(),
                        source,
                    })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(1))
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|source| ConnectError::Connect { url: shown, source })?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect =
                PgConnectOptions::from_str(url).map_err(|source| ConnectError::InvalidUrl {
                    url: shown.clone(),
                    source,
                })?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|source| ConnectError::Connect { url: shown, source })?;
            Ok(Db::Postgres(pool))
        } else {
            Err(ConnectError::UnsupportedUrl(shown))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of this backend's tree.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// A trivial round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbError> {
        crate::on_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Starts a transaction. Work registered with [`Tx::after_commit`] runs
    /// only once the commit has succeeded.
    ///
    /// On SQLite the transaction takes the write lock as it begins
    /// (`BEGIN IMMEDIATE`): a deferred transaction that has read gets no
    /// busy wait when it then writes while another connection holds the
    /// lock, and fails at once with "database is locked"; at `BEGIN` SQLite
    /// waits its busy timeout. SQLite has one writer at a time anyway, and
    /// reads outside transactions are not held back.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::postgres(pool.begin().await?),
        })
    }

    /// Closes every connection; waits for checked-out ones to come back.
    pub async fn close(&self) {
        on_pool_close(self).await;
    }
}

async fn on_pool_close(db: &Db) {
    crate::on_pool!(db, |pool| pool.close().await);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://herald:s3cret@db.internal:5432/herald"),
            "postgres://herald:***@db.internal:5432/herald"
        );
        assert_eq!(
            redact_url("postgres://herald@db/herald"),
            "postgres://herald@db/herald"
        );
        assert_eq!(redact_url("sqlite://data/h.db"), "sqlite://data/h.db");
    }

    #[tokio::test]
    async fn unknown_schemes_are_refused() {
        let err = Db::connect("mysql://root@localhost/test", &ConnectOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::UnsupportedUrl(_)));
        assert!(err.to_string().contains("expected sqlite://"));
    }
}
