//! Shared test payloads and helpers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use herald_core::{ManualClock, Timestamp};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, Queue};
use serde::{Deserialize, Serialize};

/// A job that does what its payload says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scripted {
    pub n: i64,
    /// Fail (transiently) this many attempts before succeeding.
    pub fail_first: i32,
    pub permanent: bool,
}

impl JobPayload for Scripted {
    const KIND: &'static str = "test.scripted.v1";
    const QUEUE: &'static str = "test";
    const MAX_ATTEMPTS: i32 = 3;
}

#[derive(Default)]
pub struct ScriptedHandler {
    pub runs: Arc<AtomicUsize>,
    pub order: Arc<std::sync::Mutex<Vec<i64>>>,
}

#[async_trait]
impl Handler<Scripted> for ScriptedHandler {
    async fn run(&self, job: Scripted, ctx: &JobContext) -> Result<(), JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.order.lock().unwrap().push(job.n);
        if job.permanent {
            return Err(JobError::permanent("this job can never work"));
        }
        if ctx.attempt <= job.fail_first {
            return Err(JobError::transient(format!(
                "attempt {} failed",
                ctx.attempt
            )));
        }
        Ok(())
    }
}

pub fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub fn manual_queue(db: &herald_db::Db) -> (Queue, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    (Queue::new(db.clone(), clock.clone()), clock)
}
