//! Retention: the privacy notice promises that received platform events
//! and delivery logs are kept for 30 days. A `webhooks.retention.v1` job
//! runs every hour (one per hour across all processes, by its unique key)
//! and deletes Meta deliveries received longer ago whose processing is
//! over (processed or dead), with their attempts and routes, and outbound
//! messages created longer ago whose deliveries are all finished, with
//! their deliveries and attempts. What the deliveries produced (inbox
//! items, story insights) is workspace content and stays.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_db::DbTime;
use herald_db::{Db, on_pool};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue};
use serde::{Deserialize, Serialize};

use crate::WebhooksError;

/// How long deliveries and delivery logs are kept.
pub const RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// How often the purge runs.
const EVERY: Duration = Duration::from_secs(3600);

/// Rows deleted per statement, so a large backlog never holds one long
/// transaction (or SQLite's write lock) for long.
const CHUNK: i64 = 5_000;

/// The hourly purge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeWebhookLogs {}

impl JobPayload for PurgeWebhookLogs {
    const KIND: &'static str = "webhooks.retention.v1";
    const QUEUE: &'static str = "webhooks";
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub deliveries: u64,
    pub messages: u64,
}

#[derive(Clone)]
pub struct Retention {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
}

impl Retention {
    pub fn new(db: Db, queue: Queue, clock: Arc<dyn Clock>) -> Retention {
        Retention { db, queue, clock }
    }

    /// Deletes what is older than [`RETENTION`] and finished.
    pub async fn purge(&self) -> Result<Purged, WebhooksError> {
        let cutoff = DbTime(
            self.clock
                .now()
                .checked_sub(SignedDuration::try_from(RETENTION).expect("30 days"))
                .expect("a time after 1970"),
        );
        let purged = Purged {
            deliveries: self
                .delete_in_chunks(
                    "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries \
                     WHERE received_at < $1 AND status IN ('processed', 'dead') LIMIT $2)",
                    cutoff,
                )
                .await?,
            messages: self
                .delete_in_chunks(
                    "DELETE FROM outbound_messages WHERE id IN (SELECT m.id FROM outbound_messages m \
                     WHERE m.created_at < $1 AND NOT EXISTS (SELECT 1 FROM outbound_deliveries d \
                     WHERE d.message_id = m.id AND d.state IN ('pending', 'retrying')) LIMIT $2)",
                    cutoff,
                )
                .await?,
        };
        if purged != Purged::default() {
            tracing::info!(
                deliveries = purged.deliveries,
                messages = purged.messages,
                "purged webhook deliveries and delivery logs older than 30 days"
            );
        }
        Ok(purged)
    }

    /// Runs `sql` (a DELETE of at most `$2` rows older than `$1`) until a
    /// run deletes fewer than [`CHUNK`]; returns how many rows went.
    async fn delete_in_chunks(
        &self,
        sql: &'static str,
        cutoff: DbTime,
    ) -> Result<u64, WebhooksError> {
        let mut total = 0;
        loop {
            let n = on_pool!(&self.db, |pool| sqlx::query(sql)
                .bind(cutoff)
                .bind(CHUNK)
                .execute(pool)
                .await?
                .rows_affected());
            total += n;
            if n < CHUNK as u64 {
                return Ok(total);
            }
        }
    }

    /// Queues the purge of the hour starting at `at` (once, whoever asks).
    async fn schedule(&self, at: Timestamp) -> Result<(), WebhooksError> {
        let hour = at.as_second().div_euclid(EVERY.as_secs() as i64);
        let job = NewJob::of(&PurgeWebhookLogs {})
            .map_err(WebhooksError::Encode)?
            .run_at(at)
            .unique_key(format!("webhooks-retention:{hour}"));
        self.queue
            .enqueue_now(job)
            .await
            .map_err(WebhooksError::Queue)?;
        Ok(())
    }

    /// Makes sure a purge is queued; every process that runs workers calls
    /// it at start.
    pub async fn ensure_scheduled(&self) -> Result<(), WebhooksError> {
        self.schedule(self.clock.now()).await
    }

    pub fn register_jobs(&self, registry: &mut herald_jobs::Registry) {
        registry.register::<PurgeWebhookLogs, _>(PurgeHandler(self.clone()));
    }
}

struct PurgeHandler(Retention);

#[async_trait]
impl Handler<PurgeWebhookLogs> for PurgeHandler {
    async fn run(&self, _job: PurgeWebhookLogs, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .purge()
            .await
            .map_err(|e| JobError::transient_from("purging old webhook deliveries failed", e))?;
        let next = self
            .0
            .clock
            .now()
            .checked_add(SignedDuration::try_from(EVERY).expect("an hour"))
            .expect("a representable time");
        self.0
            .schedule(next)
            .await
            .map_err(|e| JobError::transient_from("scheduling the next purge failed", e))
    }
}
