//! Keeping the privacy notice true: an hourly `herald.retention.v1` job
//! (one per hour across all processes, by its unique key) deletes what the
//! notice says is not kept, each crate through its own functions:
//!
//! | what | kept |
//! |---|---|
//! | browser sessions | until they end (signed out, idle 7 days, 30 days old) |
//! | e-mail links (verification, reset) | until used or expired |
//! | device access and refresh tokens | until they expire (a used refresh token until then, to recognise its theft) |
//! | devices (apps signed in) | until signed out, at most 180 days |
//! | invitations | until accepted or expired (7 days) |
//! | access tokens (personal, app, assistant) | until revoked or expired |
//! | connect attempts (OAuth in flight) | until they expire (10 minutes) |
//! | mail | 30 days; links removed from the stored copy once sent |
//! | audit log | one year |
//! | data exports | 7 days, then the archive and its record |
//! | accounts asked to be deleted | a 14-day grace period, then deleted |
//!
//! Webhook deliveries and delivery logs have their own hourly purge
//! (`webhooks.retention.v1`, 30 days).

use std::time::Duration;

use async_trait::async_trait;
use herald_accounts::Accounts;
use herald_connections::Connections;
use herald_core::{Period, Retained, SignedDuration, Timestamp};
use herald_db::Db;
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue, Registry};
use serde::{Deserialize, Serialize};

/// Everything Herald keeps and for how long, from the same settings and
/// constants the purges use: the privacy notice renders this list.
pub fn policy(accounts: &herald_accounts::Settings) -> Vec<Retained> {
    const DAY: u64 = 24 * 3600;
    let attempts = Duration::try_from(herald_connections::ATTEMPT_TTL).expect("a positive TTL");
    vec![
        Retained::new("account", Period::UntilDeleted),
        Retained::new("platform_tokens", Period::UntilEnded),
        Retained::new(
            "webhook_deliveries",
            Period::For(herald_webhooks::RETENTION),
        ),
        Retained::new(
            "mail",
            Period::For(Duration::from_secs(
                herald_mail::MAIL_RETENTION_DAYS.unsigned_abs() * DAY,
            )),
        ),
        Retained::new(
            "sessions",
            Period::IdleOrMax {
                idle: accounts.session_idle,
                max: accounts.session_absolute,
            },
        ),
        Retained::new(
            "devices",
            Period::IdleOrMax {
                idle: accounts.refresh_token_ttl,
                max: accounts.device_absolute,
            },
        ),
        Retained::new("verify_links", Period::For(accounts.verify_token_ttl)),
        Retained::new("reset_links", Period::For(accounts.reset_token_ttl)),
        Retained::new("invitations", Period::For(accounts.invite_ttl)),
        Retained::new("access_tokens", Period::UntilEnded),
        Retained::new("connect_attempts", Period::For(attempts)),
        Retained::new("audit", Period::For(herald_accounts::AUDIT_RETENTION)),
        Retained::new(
            "exports",
            Period::For(Duration::try_from(herald_privacy::EXPORT_TTL).expect("a positive TTL")),
        ),
        Retained::new(
            "deleted_accounts",
            Period::For(
                Duration::try_from(herald_privacy::DELETION_GRACE).expect("a positive grace"),
            ),
        ),
    ]
}

/// How often the purge runs.
const EVERY: Duration = Duration::from_secs(3600);

/// The hourly purge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeExpired {}

impl JobPayload for PurgeExpired {
    const KIND: &'static str = "herald.retention.v1";
    const QUEUE: &'static str = "maintenance";
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub accounts: herald_accounts::Purged,
    pub connect_attempts: u64,
    pub mails: u64,
    pub privacy: herald_privacy::Swept,
}

/// The services whose data the purge covers.
#[derive(Clone)]
pub struct Retention {
    db: Db,
    queue: Queue,
    accounts: Accounts,
    connections: Connections,
    privacy: herald_privacy::Privacy,
}

impl Retention {
    pub fn new(
        db: Db,
        queue: Queue,
        accounts: Accounts,
        connections: Connections,
        privacy: herald_privacy::Privacy,
    ) -> Retention {
        Retention {
            db,
            queue,
            accounts,
            connections,
            privacy,
        }
    }

    fn now(&self) -> Timestamp {
        self.connections.clock_now()
    }

    /// Deletes everything past its retention period (the job's step).
    pub async fn purge(&self) -> anyhow::Result<Report> {
        let mail_before = self
            .now()
            .checked_sub(SignedDuration::from_hours(
                24 * herald_mail::MAIL_RETENTION_DAYS,
            ))
            .unwrap_or(Timestamp::MIN);
        let report = Report {
            accounts: self.accounts.purge_expired().await?,
            connect_attempts: self.connections.purge_expired_attempts().await?,
            mails: herald_mail::purge(&self.db, mail_before).await?,
            privacy: self.privacy.sweep().await?,
        };
        if report.connect_attempts > 0 || report.mails > 0 {
            tracing::info!(
                connect_attempts = report.connect_attempts,
                mails = report.mails,
                "purged expired connect attempts and old mail"
            );
        }
        Ok(report)
    }

    /// Queues the purge of the hour starting at `at` (once, whoever asks).
    async fn schedule(&self, at: Timestamp) -> anyhow::Result<()> {
        let hour = at.as_second().div_euclid(EVERY.as_secs() as i64);
        let job = NewJob::of(&PurgeExpired {})?
            .run_at(at)
            .unique_key(format!("herald-retention:{hour}"));
        self.queue.enqueue_now(job).await?;
        Ok(())
    }

    /// Makes sure a purge is queued; every process that runs workers calls
    /// it at start.
    pub async fn ensure_scheduled(&self) -> anyhow::Result<()> {
        self.schedule(self.now()).await
    }

    pub fn register(&self, registry: &mut Registry) {
        registry.register::<PurgeExpired, _>(PurgeHandler(self.clone()));
    }
}

struct PurgeHandler(Retention);

#[async_trait]
impl Handler<PurgeExpired> for PurgeHandler {
    async fn run(&self, _job: PurgeExpired, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .purge()
            .await
            .map_err(|e| JobError::transient(format!("purging expired data failed: {e:#}")))?;
        let next = self
            .0
            .now()
            .checked_add(SignedDuration::try_from(EVERY).expect("an hour"))
            .expect("a representable time");
        self.0
            .schedule(next)
            .await
            .map_err(|e| JobError::transient(format!("scheduling the next purge failed: {e:#}")))
    }
}
