//! Jobs: renewing a connection's tokens, subscribing its webhooks when
//! that failed for a passing reason, and re-encrypting credentials after
//! a key rotation.

use std::time::Duration;

use async_trait::async_trait;
use herald_jobs::{Handler, JobContext, JobError, JobPayload, Registry};
use herald_platforms::ErrorKind;
use serde::{Deserialize, Serialize};

use crate::sealed::Keyring;
use crate::{Connections, Refreshed, Webhooks};

/// Renew (or check) the tokens of one connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshConnection {
    pub connection: herald_core::ConnectionId,
}

impl JobPayload for RefreshConnection {
    const KIND: &'static str = "connections.refresh.v1";
    const QUEUE: &'static str = "connections";
    /// With the queue's backoff this spans about an hour: well inside the
    /// lead time before even Google's hour-long tokens expire… for the
    /// first refresh; later ones still have the remaining lifetime.
    const MAX_ATTEMPTS: i32 = 12;
}

/// Ask the platform again to send one connection's webhooks (after a
/// passing failure, or for a connection never subscribed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscribeWebhooks {
    pub connection: herald_core::ConnectionId,
}

impl JobPayload for SubscribeWebhooks {
    const KIND: &'static str = "connections.webhooks.v1";
    const QUEUE: &'static str = "connections";
    /// With the queue's backoff this spans about two hours; then the
    /// subscription counts as failed until the daily check.
    const MAX_ATTEMPTS: i32 = 12;
}

/// Re-encrypt every sealed value (every set in the keyring) not under the
/// newest key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReencryptCredentials {}

impl JobPayload for ReencryptCredentials {
    const KIND: &'static str = "connections.reencrypt.v1";
    const QUEUE: &'static str = "connections";
    const MAX_ATTEMPTS: i32 = 10;
}

/// The daily check for connections whose access ends soon (see
/// [`Connections::warn_expiring`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WarnExpiring {}

impl JobPayload for WarnExpiring {
    const KIND: &'static str = "connections.expiry.v1";
    const QUEUE: &'static str = "connections";
    const MAX_ATTEMPTS: i32 = 5;
}

/// Queues the expiry check for the start of the next UTC day (one per day
/// across all processes, by its unique key).
pub async fn schedule_expiry_check(connections: &Connections) -> Result<(), crate::ConnectError> {
    let now = connections.clock_now();
    let day = now.as_second().div_euclid(86_400) + 1;
    let at = herald_core::Timestamp::from_second(day * 86_400).expect("a time before 9999");
    let job = herald_jobs::NewJob::of(&WarnExpiring {})?
        .run_at(at)
        .unique_key(format!("connections.expiry:{day}"));
    connections.enqueue_now(job).await?;
    Ok(())
}

/// The unique key of the re-encryption job: one queued at a time.
pub const REENCRYPT_KEY: &str = "credentials-reencrypt";

/// Registers the connection jobs; re-encryption covers every set of
/// sealed values in `keyring`.
pub fn register(registry: &mut Registry, connections: Connections, keyring: Keyring) {
    registry.register::<RefreshConnection, _>(RefreshHandler(connections.clone()));
    registry.register::<SubscribeWebhooks, _>(SubscribeHandler(connections.clone()));
    registry.register::<WarnExpiring, _>(ExpiryHandler(connections.clone()));
    registry.register::<ReencryptCredentials, _>(ReencryptHandler {
        connections,
        keyring,
    });
}

struct ExpiryHandler(Connections);

#[async_trait]
impl Handler<WarnExpiring> for ExpiryHandler {
    async fn run(&self, _job: WarnExpiring, _ctx: &JobContext) -> Result<(), JobError> {
        let told = self
            .0
            .warn_expiring()
            .await
            .map_err(|e| JobError::transient(herald_core::error::chain(&e)))?;
        if told > 0 {
            tracing::info!(connections = told, "connections whose access ends soon");
        }
        schedule_expiry_check(&self.0)
            .await
            .map_err(|e| JobError::transient(herald_core::error::chain(&e)))
    }
}

pub struct RefreshHandler(pub Connections);

#[async_trait]
impl Handler<RefreshConnection> for RefreshHandler {
    async fn run(&self, job: RefreshConnection, _ctx: &JobContext) -> Result<(), JobError> {
        match self.0.refresh(&job.connection, false).await {
            Ok(Refreshed::Busy) => {
                // Another refresh holds the lock; look again shortly.
                Err(
                    JobError::transient("another refresh of this connection is running")
                        .retry_after(Duration::from_secs(30)),
                )
            }
            Ok(outcome) => {
                tracing::info!(connection = %job.connection, ?outcome, "connection refresh");
                Ok(())
            }
            Err(e) => {
                let error = JobError::transient(e.to_string());
                Err(match e.kind {
                    ErrorKind::RateLimited { until: Some(until) } => {
                        let now = self.0.clock_now();
                        let wait = Duration::try_from(until.duration_since(now))
                            .unwrap_or(Duration::from_secs(60));
                        error.retry_after(wait)
                    }
                    _ => error,
                })
            }
        }
    }
}

pub struct SubscribeHandler(pub Connections);

#[async_trait]
impl Handler<SubscribeWebhooks> for SubscribeHandler {
    async fn run(&self, job: SubscribeWebhooks, ctx: &JobContext) -> Result<(), JobError> {
        match self
            .0
            .subscribe_webhooks(&job.connection, ctx.is_last_attempt())
            .await
        {
            Ok(Some(Webhooks::Retrying { message, .. })) => Err(JobError::transient(format!(
                "subscribing webhooks failed for now: {message}"
            ))),
            Ok(_) => Ok(()),
            Err(e) => Err(JobError::transient(herald_core::error::chain(&e))),
        }
    }
}

pub struct ReencryptHandler {
    pub connections: Connections,
    pub keyring: Keyring,
}

#[async_trait]
impl Handler<ReencryptCredentials> for ReencryptHandler {
    async fn run(&self, _job: ReencryptCredentials, _ctx: &JobContext) -> Result<(), JobError> {
        let (db, vault) = self.connections.storage();
        match self.keyring.reencrypt_all(db, vault).await {
            Ok(n) => {
                tracing::info!(
                    reencrypted = n,
                    "credentials re-encrypted under the newest key"
                );
                Ok(())
            }
            Err(e) => Err(JobError::transient_from(
                "re-encrypting credentials failed",
                e,
            )),
        }
    }
}
