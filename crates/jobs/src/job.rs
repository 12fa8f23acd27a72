//! What a job is: a small, versioned payload of ids, plus how it is stored
//! and how a handler reports failure.

use herald_core::Named;
use std::fmt;
use std::time::Duration;

use herald_core::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The database id of a job.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A kind of job. Payloads carry ids, not data, so a job always works on the
/// current state of what it refers to.
///
/// `KIND` is versioned (`"mail.send.v1"`): a payload whose shape changes gets
/// a new kind, and the old handler stays until no stored job uses it.
pub trait JobPayload: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: &'static str;
    /// The queue this kind runs on (queues have their own concurrency).
    const QUEUE: &'static str = "default";
    /// How many attempts before the job is dead.
    const MAX_ATTEMPTS: i32 = 20;
}

/// Where a job is in its life. Completed jobs are deleted, so they have no
/// state; a job that ran out of attempts stays `Dead` until requeued.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 3] = [JobState::Queued, JobState::Running, JobState::Dead];
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job to enqueue. Built from a payload with [`NewJob::of`].
#[derive(Debug, Clone)]
pub struct NewJob {
    pub(crate) queue: String,
    pub(crate) kind: String,
    pub(crate) payload: serde_json::Value,
    pub(crate) run_at: Option<Timestamp>,
    pub(crate) priority: i32,
    pub(crate) max_attempts: i32,
    pub(crate) unique_key: Option<String>,
}

impl NewJob {
    /// A job for `payload`, due now, default priority.
    pub fn of<P: JobPayload>(payload: &P) -> Result<NewJob, serde_json::Error> {
        Ok(NewJob {
            queue: P::QUEUE.to_owned(),
            kind: P::KIND.to_owned(),
            payload: serde_json::to_value(payload)?,
            run_at: None,
            priority: 0,
            max_attempts: P::MAX_ATTEMPTS,
            unique_key: None,
        })
    }

    /// Not before `at`.
    pub fn run_at(mut self, at: Timestamp) -> Self {
        self.run_at = Some(at);
        self
    }

    /// Higher runs first among due jobs of the same queue.
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// While a job with this key exists (queued, running or dead), enqueueing
    /// another with the same key does nothing and returns the existing id.
    pub fn unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

/// A stored job, as listed for operators.
#[derive(Debug, Clone, Serialize)]
pub struct JobRecord {
    pub id: JobId,
    pub queue: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub priority: i32,
    pub run_at: Timestamp,
    pub attempts: i32,
    pub max_attempts: i32,
    pub unique_key: Option<String>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What enqueueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    New(JobId),
    /// A job with the same unique key already existed.
    Existing(JobId),
}

impl Enqueued {
    pub fn id(self) -> JobId {
        match self {
            Enqueued::New(id) | Enqueued::Existing(id) => id,
        }
    }
}

/// Why a handler did not finish its job.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (a timeout, a 5xx, a lock). Retried with
    /// backoff, or after `retry_after` when the cause says when.
    #[error("{message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Will fail the same way every time (bad payload, a missing row):
    /// goes straight to the dead state.
    #[error("{message}")]
    Permanent {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl JobError {
    pub fn transient(message: impl Into<String>) -> Self {
        JobError::Transient {
            message: message.into(),
            retry_after: None,
            source: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        JobError::Permanent {
            message: message.into(),
            source: None,
        }
    }

    /// A transient error keeping its cause.
    pub fn transient_from(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        JobError::Transient {
            message: message.into(),
            retry_after: None,
            source: Some(Box::new(source)),
        }
    }

    /// A permanent error keeping its cause.
    pub fn permanent_from(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        JobError::Permanent {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    pub fn retry_after(mut self, after: Duration) -> Self {
        if let JobError::Transient { retry_after, .. } = &mut self {
            *retry_after = Some(after);
        }
        self
    }

    /// The message with its chain of causes, as stored in `last_error`.
    pub fn describe(&self) -> String {
        herald_core::error::chain(self)
    }
}
