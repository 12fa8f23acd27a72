//! Herald's durable job queue and scheduler, stored in the main database.
//!
//! Mail, token refresh, publishing, webhook processing and analytics all run
//! as jobs. A job is enqueued in the same transaction as the change that
//! causes it ([`Queue::enqueue`]), becomes due at its `run_at`, is claimed
//! under a lease by one worker, retried with backoff when it fails and kept
//! as `dead` after its last attempt. On PostgreSQL many worker processes
//! share the table (`FOR UPDATE SKIP LOCKED`, woken by LISTEN/NOTIFY); on
//! SQLite one process serves it.
//!
//! Adding a job type: a payload struct implementing [`JobPayload`] (ids, not
//! data), a [`Handler`] for it, and one `registry.register` line where the
//! binary wires the worker.

mod backoff;
mod job;
pub mod metrics;
mod queue;
mod store;
pub mod system;
mod worker;

pub use backoff::delay as retry_delay;
pub use job::{Enqueued, JobError, JobId, JobPayload, JobRecord, JobState, NewJob};
pub use queue::Queue;
pub use store::Cancelled;
pub use worker::{Handler, JobContext, Registry, Worker, WorkerOptions, default_worker_id};
