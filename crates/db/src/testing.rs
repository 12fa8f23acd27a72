//! Throw-away databases for tests: a SQLite file in a temporary folder, or
//! a freshly created PostgreSQL database that is dropped again afterwards.
//!
//! PostgreSQL tests find the server through `HERALD_TEST_POSTGRES_URL`
//! (an admin URL such as `postgres://postgres@127.0.0.1:5432/postgres`).
//! They are `#[ignore]`d by default and run explicitly by `.ci/run`; when
//! they run, a missing variable or server is a failure, never a skip.

use std::path::{Path, PathBuf};

use crate::{ConnectOptions, Db};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "HERALD_TEST_POSTGRES_URL";

/// A migrated test database; a PostgreSQL one is dropped on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    drop_pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A migrated SQLite database in its own temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let url = sqlite_url(&dir.path().join("herald.db"));
        let db = Db::connect(&url, &ConnectOptions::default())
            .await
            .expect("open SQLite");
        db.migrate().await.expect("migrate SQLite");
        TestDb {
            db,
            url,
            drop_pg: None,
            _dir: Some(dir),
        }
    }

    /// A migrated, newly created PostgreSQL database.
    ///
    /// Panics with an explanation when `HERALD_TEST_POSTGRES_URL` is unset or
    /// the server cannot be reached.
    pub async fn postgres() -> TestDb {
        let admin = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{POSTGRES_URL_VAR} is not set: PostgreSQL tests need a server, e.g. \
                 {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres"
            )
        });
        let name = format!("herald_test_{}", uuid::Uuid::new_v4().simple());
        let admin_db = Db::connect(&admin, &ConnectOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}: cannot reach PostgreSQL: {e:?}"));
        let Db::Postgres(pool) = &admin_db else {
            panic!("{POSTGRES_URL_VAR} must be a postgres:// URL")
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(pool)
            .await
            .expect("create test database");
        admin_db.close().await;
        let url = crate::connect::with_database(&admin, &name);
        let db = Db::connect(
            &url,
            &ConnectOptions {
                max_connections: 10,
                ..ConnectOptions::default()
            },
        )
        .await
        .expect("open test database");
        db.migrate().await.expect("migrate PostgreSQL");
        TestDb {
            db,
            url,
            drop_pg: Some((admin, name)),
            _dir: None,
        }
    }

    /// The folder holding a SQLite test database (None for PostgreSQL).
    pub fn dir(&self) -> Option<&Path> {
        self._dir.as_ref().map(tempfile::TempDir::path)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.drop_pg.take() else {
            return;
        };
        let db = self.db.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on;
        // a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async move {
                drop(db);
                if let Ok(Db::Postgres(pool)) =
                    Db::connect(&admin, &ConnectOptions::default()).await
                {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&pool)
                    .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// The `sqlite://` URL of a database file.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A path inside a SQLite test database's folder (for files a test makes).
pub fn path_in(test_db: &TestDb, file: &str) -> PathBuf {
    test_db.dir().expect("a SQLite test database").join(file)
}

/// Instantiates each listed `async fn(TestDb)` once per backend: a
/// `sqlite` test, and a `postgres` one ignored unless asked for.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(herald_db::testing::TestDb::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
                async fn $case() {
                    super::$case(herald_db::testing::TestDb::postgres().await).await
                }
            )*
        }
    };
}

/// How many connections to `db`'s PostgreSQL database last ran a LISTEN: a
/// process's notification listener, once it is up (tests of the wake-ups).
pub async fn listening_connections(db: &Db) -> i64 {
    crate::on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN %'",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    })
}
