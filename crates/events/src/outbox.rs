//! [`Outbox`]: appending events in the caller's transaction, and reading the
//! `event_outbox` table back.

use std::sync::Arc;

use herald_core::{Clock, Timestamp};
use herald_db::DbTime;
use herald_db::{Db, DbError, Notifications, Tx, is_unique_violation, on_tx};

use crate::event::{Event, EventId};
use crate::{EventsError, store};

/// The notification channel that wakes the relay (with an empty topic).
pub(crate) const CHANNEL: &str = "herald_events";

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

/// A handle on the event outbox; cheap to clone. Every feature that appends
/// and the relay share one [`Notifications`] per process, so an append
/// wakes the relay when it commits.
#[derive(Clone)]
pub struct Outbox {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) notifications: Notifications,
}

const INSERT: &str = "INSERT INTO event_outbox \
     (event_id, subject, payload, occurred_at, created_at, attempts) \
     VALUES ($1, $2, $3, $4, $5, 0) RETURNING id";

impl Outbox {
    /// An outbox with wake-ups of its own: its appends wake relays run on
    /// this handle or its clones (and, on PostgreSQL, every process's).
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Outbox {
        let notifications = Notifications::new(&db);
        Outbox::with_notifications(db, clock, notifications)
    }

    /// An outbox whose appends wake the relay through `notifications`, the
    /// process's shared wake-ups.
    pub fn with_notifications(
        db: Db,
        clock: Arc<dyn Clock>,
        notifications: Notifications,
    ) -> Outbox {
        Outbox {
            db,
            clock,
            notifications,
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
        // Wakes this process's relay at commit, and every process's on
        // PostgreSQL.
        self.notifications
            .notify_after_commit(tx, CHANNEL, "")
            .await?;
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
