//! Waking the relay when events are committed in another process.
//!
//! In the appending process, `Tx::after_commit` notifies the outbox's
//! [`Notify`] directly. On PostgreSQL the append also issues
//! `pg_notify('herald_events', '')`, which the database delivers at commit to
//! the listener of every process, so the relay holding the lease wakes even
//! when the event was written elsewhere.

use std::sync::Arc;
use std::time::Duration;

use herald_db::Db;
use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "herald_events";

/// Forwards notifications to `wakeup` until `stop`. After a lost connection
/// the relay is woken, since notifications sent meanwhile are gone.
pub async fn listen_postgres(db: Db, wakeup: Arc<Notify>, stop: CancellationToken) {
    let Db::Postgres(pool) = db else { return };
    let mut listener = loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen(CHANNEL).await {
                Ok(()) => break l,
                Err(e) => tracing::warn!(error = %e, "LISTEN for events failed; retrying"),
            },
            Err(e) => tracing::warn!(error = %e, "event wake-up listener cannot connect; retrying"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    };
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            msg = listener.try_recv() => match msg {
                Ok(Some(_)) => wakeup.notify_one(),
                Ok(None) => {
                    tracing::warn!("event wake-up listener lost its connection; reconnecting");
                    wakeup.notify_one();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event wake-up listener failed; retrying");
                    wakeup.notify_one();
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }
}
