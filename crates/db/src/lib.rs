//! Storage for Herald: one code path over SQLite (the embedded default) and
//! PostgreSQL (for running many processes on many machines).
//!
//! [`Db`] is picked from the database URL. Queries are written once in SQL
//! that both engines accept and run through [`on_pool!`] / [`on_tx!`], which
//! expand the same code for each backend; where the dialects really differ
//! (row locking, array parameters) a repository keeps the two variants side
//! by side. Every timestamp column holds UTC microseconds since the Unix
//! epoch (`BIGINT`), converted to and from [`herald_core::Timestamp`] in
//! [`time`], so comparisons and ordering are identical on both engines.
//!
//! Writes that belong together go through [`Db::begin`], which on SQLite
//! takes the write lock at once (`BEGIN IMMEDIATE`). Loops that wait for
//! other transactions' commits subscribe to [`Notifications`], which holds
//! the process's one PostgreSQL `LISTEN` connection.

mod connect;
pub use connect::{redact_url, with_database};
pub mod listen;
pub mod time;
pub use time::DbTime;
pub mod tx;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use connect::{Backend, ConnectError, ConnectOptions, Db};
pub use listen::{Notifications, Subscription};
pub use tx::Tx;

/// Runs `$body` with `$pool` bound to the concrete sqlx pool of `$db`.
///
/// The body is compiled once per backend, so one piece of code serves both.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the connection of an open [`Tx`].
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx.inner_mut() {
            $crate::tx::Inner::Sqlite($conn) => {
                let $conn = &mut **$conn;
                $body
            }
            $crate::tx::Inner::Postgres($conn) => {
                let $conn = &mut **$conn;
                $body
            }
        }
    };
}

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database refused or failed a query.
    #[error("database query failed")]
    Query(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// True when `err` is a unique-constraint violation (on either backend).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
