//! Wake-ups for loops that wait on the database: "a job was enqueued on
//! queue `mail`", "an event was appended".
//!
//! A writer calls [`Notifications::notify_after_commit`] in its
//! transaction. Once the transaction commits, every [`Subscription`] in this
//! process to the same channel and topic is woken; on PostgreSQL the
//! transaction also issues `pg_notify`, which the database delivers at
//! commit to every process that listens on the channel.
//!
//! Each process listens through one PostgreSQL connection, however many
//! loops wait: the [`Notifications`] handle starts a listener task with its
//! first subscription, LISTENs on every channel subscribed to, fans each
//! notification out to the subscribers of its channel and topic, reconnects
//! with a growing pause when the connection fails, and stops with its last
//! subscription. A notification sent while the connection was down is lost,
//! so after a reconnect every subscriber is woken to look for itself. On
//! SQLite (one process) the same calls work in process only.
//!
//! Wake-ups shorten waits; they are never the only way work is found.
//! Subscribers keep a poll interval as a safety net.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::{Notify, oneshot};

use crate::{Backend, Db, DbError, Tx};

/// Longest pause between two attempts to reconnect the listener.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(15);

/// The wake-ups of one process; cheap to clone. Make one per process and
/// hand it to everything that notifies or waits, so they share one
/// PostgreSQL listener connection.
#[derive(Clone)]
pub struct Notifications {
    hub: Arc<Hub>,
}

/// Wakes its holder when a notification for its channel and topic arrives.
/// A wake-up that arrives while nobody waits is kept for the next
/// [`Subscription::notified`], so none is lost between two checks.
pub struct Subscription {
    hub: Arc<Hub>,
    channel: String,
    notify: Arc<Notify>,
}

struct Hub {
    /// Where the listener takes its connection from; `None` on SQLite.
    postgres: Option<PgPool>,
    state: Mutex<State>,
    /// Tells a running listener that a channel got its first subscriber.
    channel_added: Notify,
}

#[derive(Default)]
struct State {
    /// Channel -> its subscribers.
    channels: HashMap<String, Vec<Subscriber>>,
    subscriptions: usize,
    /// Stops the running listener task.
    listener: Option<oneshot::Sender<()>>,
}

struct Subscriber {
    topic: String,
    notify: Arc<Notify>,
}

impl Notifications {
    /// Wake-ups over `db`. Nothing connects until the first subscription.
    pub fn new(db: &Db) -> Notifications {
        let postgres = match db {
            Db::Sqlite(_) => None,
            Db::Postgres(pool) => Some(pool.clone()),
        };
        Notifications {
            hub: Arc::new(Hub {
                postgres,
                state: Mutex::default(),
                channel_added: Notify::new(),
            }),
        }
    }

    /// Subscribes to notifications on `channel` whose topic is `topic`.
    ///
    /// On PostgreSQL the first subscription starts the listener task, so
    /// this must be called within a Tokio runtime.
    pub fn subscribe(&self, channel: &str, topic: &str) -> Subscription {
        let notify = Arc::new(Notify::new());
        let mut state = self.hub.lock();
        let subscribers = state.channels.entry(channel.to_owned()).or_default();
        let new_channel = subscribers.is_empty();
        subscribers.push(Subscriber {
            topic: topic.to_owned(),
            notify: notify.clone(),
        });
        state.subscriptions += 1;
        if let Some(pool) = &self.hub.postgres {
            if state.listener.is_none() {
                let (stop, stopped) = oneshot::channel();
                state.listener = Some(stop);
                tokio::spawn(listen(self.hub.clone(), pool.clone(), stopped));
            } else if new_channel {
                self.hub.channel_added.notify_one();
            }
        }
        drop(state);
        Subscription {
            hub: self.hub.clone(),
            channel: channel.to_owned(),
            notify,
        }
    }

    /// Wakes this process's subscribers to `channel` and `topic` now.
    pub fn notify(&self, channel: &str, topic: &str) {
        self.hub.deliver(channel, topic);
    }

    /// Wakes the subscribers to `channel` and `topic` once `tx` commits
    /// (never if it rolls back): this process's at once, and on PostgreSQL
    /// every listening process's through `pg_notify`.
    pub async fn notify_after_commit(
        &self,
        tx: &mut Tx,
        channel: &str,
        topic: &str,
    ) -> Result<(), DbError> {
        if tx.backend() == Backend::Postgres {
            crate::on_tx!(tx, |conn| {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(channel)
                    .bind(topic)
                    .execute(conn)
                    .await?;
            });
        }
        let hub = self.hub.clone();
        let (channel, topic) = (channel.to_owned(), topic.to_owned());
        tx.after_commit(move || hub.deliver(&channel, &topic));
        Ok(())
    }
}

impl Subscription {
    /// Waits for the next wake-up (or returns at once for one kept since
    /// the last wait).
    pub async fn notified(&self) {
        self.notify.notified().await;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut state = self.hub.lock();
        if let Some(subscribers) = state.channels.get_mut(&self.channel) {
            subscribers.retain(|s| !Arc::ptr_eq(&s.notify, &self.notify));
            if subscribers.is_empty() {
                state.channels.remove(&self.channel);
            }
        }
        state.subscriptions -= 1;
        if state.subscriptions == 0
            && let Some(stop) = state.listener.take()
        {
            let _ = stop.send(());
        }
    }
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn deliver(&self, channel: &str, topic: &str) {
        if let Some(subscribers) = self.lock().channels.get(channel) {
            for s in subscribers.iter().filter(|s| s.topic == topic) {
                s.notify.notify_one();
            }
        }
    }

    fn wake_all(&self) {
        for s in self.lock().channels.values().flatten() {
            s.notify.notify_one();
        }
    }

    fn channels(&self) -> BTreeSet<String> {
        self.lock().channels.keys().cloned().collect()
    }
}

/// The listener task: holds one connection LISTENing on every subscribed
/// channel until `stop`, reconnecting after failures.
async fn listen(hub: Arc<Hub>, pool: PgPool, mut stop: oneshot::Receiver<()>) {
    let mut failures: u32 = 0;
    let mut missed = false;
    loop {
        let error = tokio::select! {
            _ = &mut stop => return,
            error = session(&hub, &pool, &mut failures, &mut missed) => error,
        };
        if pool.is_closed() {
            return;
        }
        // Whatever is sent until the next LISTEN succeeds is not heard.
        missed = true;
        failures = failures.saturating_add(1);
        let pause = reconnect_delay(failures);
        tracing::warn!(error = %error, retry_in = ?pause, "the database notification listener failed; reconnecting");
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// One listener connection, from connecting until it fails.
async fn session(hub: &Hub, pool: &PgPool, failures: &mut u32, missed: &mut bool) -> sqlx::Error {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(l) => l,
        Err(e) => return e,
    };
    let mut listening = BTreeSet::new();
    loop {
        let added: Vec<String> = hub.channels().difference(&listening).cloned().collect();
        if !added.is_empty() {
            if let Err(e) = listener.listen_all(added.iter().map(String::as_str)).await {
                return e;
            }
            listening.extend(added);
        }
        if !listening.is_empty() {
            *failures = 0;
            if std::mem::take(missed) {
                hub.wake_all();
            }
        }
        // Receiving is cancel-safe: a message half read stays buffered.
        let received = tokio::select! {
            _ = hub.channel_added.notified() => continue,
            received = listener.try_recv() => received,
        };
        match received {
            Ok(Some(n)) => hub.deliver(n.channel(), n.payload()),
            // The listener has reconnected and LISTENs again by itself.
            Ok(None) => {
                tracing::warn!("the database notification listener lost its connection");
                hub.wake_all();
            }
            Err(e) => return e,
        }
    }
}

/// The pause before reconnecting after `failures` failures in a row:
/// one second, doubling, at most [`MAX_RECONNECT_DELAY`].
fn reconnect_delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    Duration::from_secs(1u64 << doublings).min(MAX_RECONNECT_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_pauses_double_up_to_the_cap() {
        assert_eq!(reconnect_delay(1), Duration::from_secs(1));
        assert_eq!(reconnect_delay(2), Duration::from_secs(2));
        assert_eq!(reconnect_delay(4), Duration::from_secs(8));
        assert_eq!(reconnect_delay(5), MAX_RECONNECT_DELAY);
        assert_eq!(reconnect_delay(u32::MAX), MAX_RECONNECT_DELAY);
    }
}
