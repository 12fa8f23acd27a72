//! Waking workers when a job becomes available, instead of polling.
//!
//! In one process, committing a transaction that enqueued jobs notifies the
//! queue's [`Notify`] directly. On PostgreSQL, the enqueue also issues
//! `pg_notify('herald_jobs', queue)`, which the database delivers at commit
//! to the [`listen_postgres`] task of every process sharing the queue.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use herald_db::Db;
use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The PostgreSQL channel that carries queue names.
pub const CHANNEL: &str = "herald_jobs";

/// One [`Notify`] per queue name.
#[derive(Debug, Default)]
pub struct Wakeups {
    queues: RwLock<HashMap<String, Arc<Notify>>>,
}

impl Wakeups {
    /// The notifier of `queue`, created on first use.
    pub fn get(&self, queue: &str) -> Arc<Notify> {
        if let Some(n) = self.read().get(queue) {
            return n.clone();
        }
        let mut map = self.queues.write().unwrap_or_else(|e| e.into_inner());
        map.entry(queue.to_owned()).or_default().clone()
    }

    /// Wakes the worker loop of `queue` (a wake-up with no waiter is kept
    /// for the next wait, so none is lost between two checks).
    pub fn notify(&self, queue: &str) {
        if let Some(n) = self.read().get(queue) {
            n.notify_one();
        }
    }

    pub fn notify_all(&self) {
        for n in self.read().values() {
            n.notify_one();
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Notify>>> {
        self.queues.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Relays PostgreSQL notifications to `wakeups` until `stop`. After a lost
/// connection every queue is woken, since notifications sent meanwhile are
/// gone.
pub async fn listen_postgres(db: Db, wakeups: Arc<Wakeups>, stop: CancellationToken) {
    let Db::Postgres(pool) = db else { return };
    let mut listener = loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen(CHANNEL).await {
                Ok(()) => break l,
                Err(e) => tracing::warn!(error = %e, "LISTEN failed; retrying"),
            },
            Err(e) => tracing::warn!(error = %e, "job wake-up listener cannot connect; retrying"),
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
                Ok(Some(n)) => wakeups.notify(n.payload()),
                Ok(None) => {
                    tracing::warn!("job wake-up listener lost its connection; reconnecting");
                    wakeups.notify_all();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "job wake-up listener failed; retrying");
                    wakeups.notify_all();
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }
}
