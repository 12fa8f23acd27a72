//! Jobs that belong to Herald itself rather than to a feature.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{Handler, JobContext, JobError, JobPayload};

/// Does nothing but finish: `herald jobs ping` enqueues one and waits for a
/// worker to complete it, an end-to-end check that workers are draining.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ping {}

impl JobPayload for Ping {
    const KIND: &'static str = "system.ping.v1";
    const QUEUE: &'static str = "system";
    const MAX_ATTEMPTS: i32 = 3;
}

pub struct PingHandler;

#[async_trait]
impl Handler<Ping> for PingHandler {
    async fn run(&self, _job: Ping, ctx: &JobContext) -> Result<(), JobError> {
        tracing::info!(job = %ctx.id, lateness_ms = ?(herald_core::Timestamp::now().duration_since(ctx.run_at).as_millis_f64()), "ping job ran");
        Ok(())
    }
}
