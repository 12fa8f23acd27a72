//! [`Outbox`]: appending events in the caller's transaction, and reading the
//! `event_outbox` table back.

use std::sync::Arc;

use herald_core::{Clock, Timestamp};
use herald_db::DbTime;
use herald_db::{Backend, Db, DbError, Tx, is_unique_violation, on_tx};
use tokio::sync::Notify;

use crate::event::{Event, EventId};
use crate::{EventsError, store, wakeup};

/// Largest payload accepted, as JSON. Events carry ids, not content; the
/// limit keeps any event far below NATS's 1 MiB message limit, so no stored
/// event can be one the server refuses for good.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// An event's position in the outbox: the relay's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sequence(pub i64);

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: Sequence,
    pub event: Event,
    /// When it was appended.
    pub created_at: Timestamp,
    pub relayed_at: Option<Timestamp>,
    /// Delivery attempts, the successful one included.
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A handle on the event outbox; cheap to clone. The same handle (or a
/// clone) goes to every feature that appends and to the relay, so an append
/// can wake the relay when it commits.
#[derive(Clone)]
pub struct Outbox {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wakeup: Arc<Notify>,
}

const INSERT: &str = "INSERT INTO event_outbox \
     (event_id, subject, payload, occurred_at, created_at, attempts) \
     VALUES ($1, $2, $3, $4, $5, 0) RETURNING id";

impl Outbox {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Outbox {
        Outbox {
            db,
            clock,
            wakeup: Arc::new(Notify::new()),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Stores `event` in the caller's transaction; it is relayed once the
    /// caller commits, and never if it rolls back.
    pub async fn append(&self, tx: &mut Tx, event: &Event) -> Result<Sequence, EventsError> {
        let payload = serde_json::to_string(&event.payload).map_err(EventsError::Encode)?;
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(EventsError::TooLarge {
                size: payload.len(),
                max: MAX_PAYLOAD_BYTES,
            });
        }
        let now = DbTime(self.clock.now());
        let id: i64 = on_tx!(tx, |conn| {
            sqlx::query_scalar(INSERT)
                .bind(event.id.to_string())
                .bind(event.subject.as_str())
                .bind(&payload)
                .bind(DbTime(event.occurred_at))
                .bind(now)
                .fetch_one(conn)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        EventsError::Duplicate(event.id)
                    } else {
                        EventsError::Db(DbError::from(e))
                    }
                })?
        });
        if tx.backend() == Backend::Postgres {
            // Delivered at commit to the relay of every process.
            on_tx!(tx, |conn| {
                sqlx::query("SELECT pg_notify($1, '')")
                    .bind(wakeup::CHANNEL)
                    .execute(conn)
                    .await?;
            });
        }
        let wake = self.wakeup.clone();
        tx.after_commit(move || wake.notify_one());
        tracing::debug!(event = %event.id, subject = %event.subject, seq = id, "event appended");
        Ok(Sequence(id))
    }

    /// Stores `events` in a transaction of their own.
    pub async fn append_now<'a>(
        &self,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Vec<Sequence>, EventsError> {
        let mut tx = self.db.begin().await?;
        let mut seqs = Vec::new();
        for event in events {
            seqs.push(self.append(&mut tx, event).await?);
        }
        tx.commit().await?;
        Ok(seqs)
    }

    /// One stored event, relayed or not.
    pub async fn get(&self, id: EventId) -> Result<Option<StoredEvent>, EventsError> {
        Ok(store::get(&self.db, id).await?)
    }

    /// The oldest `limit` events not relayed yet, in relay order.
    pub async fn pending(&self, limit: usize) -> Result<Vec<StoredEvent>, EventsError> {
        Ok(store::head(&self.db, limit).await?)
    }

    /// How many events wait to be relayed.
    pub async fn pending_count(&self) -> Result<i64, EventsError> {
        Ok(store::pending_count(&self.db).await?)
    }

    /// Refreshes the pending gauge (the relay does too; call this when
    /// metrics are scraped).
    pub async fn record_gauges(&self) -> Result<(), EventsError> {
        let n = self.pending_count().await?;
        metrics::gauge!(crate::metrics::PENDING).set(n as f64);
        Ok(())
    }
}
