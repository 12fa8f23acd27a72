//! Ingestion: `analytics.sweep.v1` and `analytics.ingest.v1`.

use async_trait::async_trait;
use herald_core::{ConnectionId, Timestamp};
use herald_jobs::{JobPayload, Registry};
use herald_platforms::Secret;
use serde::{Deserialize, Serialize};

use crate::{Analytics, AnalyticsError};

/// Where ingestion gets an account's token: the connections' vault, a fake
/// in tests.
#[async_trait]
pub trait AccountTokens: Send + Sync {
    /// The access token of `connection`; `None` when it is gone.
    async fn access_token(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>>;
}

#[async_trait]
impl AccountTokens for herald_connections::Connections {
    async fn access_token(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.credentials(connection).await?.map(|c| c.access_token))
    }
}

/// Enrol new accounts and queue the nightly runs that are due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {}

impl JobPayload for Sweep {
    const KIND: &'static str = "analytics.sweep.v1";
    const QUEUE: &'static str = "analytics";
}

/// Run one ingestion run (`analytics_runs.id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestAccount {
    pub run: i64,
}

impl JobPayload for IngestAccount {
    const KIND: &'static str = "analytics.ingest.v1";
    const QUEUE: &'static str = "analytics";
}

pub(crate) fn register(_analytics: &Analytics, _registry: &mut Registry) {}

pub(crate) async fn schedule_sweep(
    _analytics: &Analytics,
    _at: Timestamp,
) -> Result<(), AnalyticsError> {
    Ok(())
}
