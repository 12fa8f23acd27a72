//! The worker: claims due jobs, runs their handlers, and records outcomes.
//!
//! One loop per queue claims as many due jobs as it has free slots (the
//! queue's concurrency), runs each on its own task and sleeps until the next
//! job is due or a wake-up arrives. A heartbeat extends the leases of running
//! jobs; a rescuer returns jobs whose worker died. Successful jobs are
//! deleted in batches by a completer task. [`Worker::run_due`] is the same
//! step without the loops, for tests.

use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::FutureExt;
use herald_core::{SignedDuration, Timestamp};
use herald_db::{DbError, Subscription};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::backoff;
use crate::job::{JobError, JobId, JobPayload};
use crate::metrics as m;
use crate::queue::{self, Queue};
use crate::store::{self, ClaimedJob};

/// What a handler knows about the job it runs.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub id: JobId,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub max_attempts: i32,
    pub run_at: Timestamp,
    /// Fired when the job is cancelled, its lease is lost, or the worker's
    /// shutdown grace period is over. Long handlers should watch it.
    pub cancel: CancellationToken,
}

impl JobContext {
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

/// Runs jobs of one payload type. Handlers must be idempotent: a job can run
/// again after a crash, and that run is recorded as a new attempt.
#[async_trait]
pub trait Handler<P: JobPayload>: Send + Sync + 'static {
    async fn run(&self, job: P, ctx: &JobContext) -> Result<(), JobError>;
}

#[async_trait]
trait ErasedHandler: Send + Sync {
    async fn run(&self, payload: serde_json::Value, ctx: &JobContext) -> Result<(), JobError>;
}

struct Typed<P, H> {
    handler: H,
    _payload: PhantomData<fn() -> P>,
}

#[async_trait]
impl<P: JobPayload, H: Handler<P>> ErasedHandler for Typed<P, H> {
    async fn run(&self, payload: serde_json::Value, ctx: &JobContext) -> Result<(), JobError> {
        let job: P = serde_json::from_value(payload).map_err(|e| {
            JobError::permanent_from(format!("payload does not fit job kind {}", P::KIND), e)
        })?;
        self.handler.run(job, ctx).await
    }
}

/// Which handler runs which job kind.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn ErasedHandler>>,
    queues: BTreeMap<&'static str, ()>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for jobs of payload type `P`.
    pub fn register<P: JobPayload, H: Handler<P>>(&mut self, handler: H) -> &mut Self {
        self.handlers.insert(
            P::KIND,
            Arc::new(Typed::<P, H> {
                handler,
                _payload: PhantomData,
            }),
        );
        self.queues.insert(P::QUEUE, ());
        self
    }

    /// The queues of every registered kind.
    pub fn queues(&self) -> Vec<&'static str> {
        self.queues.keys().copied().collect()
    }
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Names this worker's leases; unique per process.
    pub worker_id: String,
    /// Jobs run at once per queue, unless `concurrency` names the queue.
    pub default_concurrency: usize,
    pub concurrency: BTreeMap<String, usize>,
    /// How long a claimed job stays ours without a heartbeat.
    pub lease: Duration,
    pub heartbeat_every: Duration,
    /// How often expired leases of dead workers are looked for.
    pub rescue_every: Duration,
    /// Longest sleep without a wake-up (a safety net: wake-ups and due
    /// times normally end the sleep, not this).
    pub idle_poll: Duration,
    /// Most jobs claimed in one statement.
    pub claim_batch: usize,
    /// How long running jobs may take to finish at shutdown before they are
    /// cancelled and released back to the queue.
    pub shutdown_grace: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            worker_id: default_worker_id(),
            default_concurrency: 8,
            concurrency: BTreeMap::new(),
            lease: Duration::from_secs(60),
            heartbeat_every: Duration::from_secs(15),
            rescue_every: Duration::from_secs(15),
            idle_poll: Duration::from_secs(5),
            claim_batch: 100,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// `host-pid-random`, so leases name the process that holds them.
pub fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "herald".to_owned());
    format!(
        "{host}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Everything the worker's tasks share.
struct Shared {
    queue: Queue,
    registry: Registry,
    opts: WorkerOptions,
    /// The jobs running here.
    running: Mutex<HashMap<JobId, Running>>,
}

/// A job running in this process.
#[derive(Clone)]
struct Running {
    token: CancellationToken,
    /// Set when the cancel came from [`Queue::cancel`] (the job is then
    /// removed), not from shutdown or a lost lease (the job is kept).
    by_request: Arc<AtomicBool>,
}

/// The outcome of one attempt, before it is written down.
enum Outcome {
    Done,
    /// Stopped at a user's request: removed.
    Cancelled,
    /// Stopped by shutdown or a lost lease: left as it is, to be released
    /// at shutdown or already taken over by another worker.
    Abandoned,
    Retry {
        at: Timestamp,
        error: String,
    },
    Dead {
        error: String,
    },
}

/// A job worker over a [`Queue`].
pub struct Worker {
    shared: Arc<Shared>,
}

impl Worker {
    pub fn new(queue: Queue, registry: Registry, opts: WorkerOptions) -> Worker {
        Worker {
            shared: Arc::new(Shared {
                queue,
                registry,
                opts,
                running: Mutex::default(),
            }),
        }
    }

    pub fn id(&self) -> &str {
        &self.shared.opts.worker_id
    }

    /// Runs until `shutdown` fires, then lets running jobs finish within the
    /// grace period, cancels and releases what is left, and returns.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), DbError> {
        let shared = self.shared;
        let db = shared.queue.db.clone();
        let background = CancellationToken::new();
        let helpers = TaskTracker::new();
        helpers.spawn(heartbeat_loop(shared.clone(), background.clone()));
        helpers.spawn(rescue_loop(shared.clone(), background.clone()));

        let (done_tx, done_rx) = mpsc::unbounded_channel();
        let completer = tokio::spawn(completer_loop(shared.clone(), done_rx));

        let jobs = TaskTracker::new();
        let mut loops = Vec::new();
        for queue in shared.registry.queues() {
            let concurrency = shared
                .opts
                .concurrency
                .get(queue)
                .copied()
                .unwrap_or(shared.opts.default_concurrency)
                .max(1);
            // Subscribed before the loop starts: the first subscription
            // starts the process's listener on PostgreSQL.
            let wakeup = shared.queue.notifications.subscribe(queue::CHANNEL, queue);
            loops.push(tokio::spawn(queue_loop(
                shared.clone(),
                queue,
                wakeup,
                Arc::new(Semaphore::new(concurrency)),
                jobs.clone(),
                done_tx.clone(),
                shutdown.clone(),
            )));
        }
        drop(done_tx);
        tracing::info!(worker = %shared.opts.worker_id, queues = ?shared.registry.queues(), "worker started");

        for l in loops {
            let _ = l.await;
        }
        jobs.close();
        if tokio::time::timeout(shared.opts.shutdown_grace, jobs.wait())
            .await
            .is_err()
        {
            let left: Vec<Running> = shared
                .running
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .values()
                .cloned()
                .collect();
            tracing::warn!(
                jobs = left.len(),
                "shutdown grace period over; cancelling running jobs"
            );
            for r in &left {
                r.token.cancel();
            }
            let _ = tokio::time::timeout(Duration::from_secs(2), jobs.wait()).await;
        }
        // Successful jobs are deleted before any leftover is released.
        let _ = completer.await;
        let released = store::release(&db, &shared.opts.worker_id, shared.queue.clock.now()).await;
        match released {
            Ok(q) if !q.is_empty() => tracing::warn!(jobs = q.len(), "released unfinished jobs"),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "could not release unfinished jobs; their leases will expire");
            }
        }
        background.cancel();
        helpers.close();
        helpers.wait().await;
        tracing::info!(worker = %shared.opts.worker_id, "worker stopped");
        Ok(())
    }

    /// Claims every job due now on the registered queues and runs them one
    /// after the other, recording each outcome. Returns how many ran. This is
    /// the worker's step without its loops, for tests and one-shot runs.
    pub async fn run_due(&self) -> Result<usize, DbError> {
        let shared = &self.shared;
        let mut ran = 0;
        for queue in shared.registry.queues() {
            loop {
                let jobs = claim(shared, queue, shared.opts.claim_batch).await?;
                if jobs.is_empty() {
                    break;
                }
                for job in jobs {
                    let id = job.id;
                    match attempt(shared, job).await {
                        Outcome::Done => {
                            store::complete(&shared.queue.db, &shared.opts.worker_id, &[id])
                                .await?;
                            metrics::counter!(m::COMPLETED, "queue" => queue).increment(1);
                        }
                        other => record(shared, id, queue, other).await?,
                    }
                    ran += 1;
                }
            }
        }
        Ok(ran)
    }

    /// Returns expired leases to the queue now (normally done periodically).
    pub async fn rescue_expired(&self) -> Result<usize, DbError> {
        rescue(&self.shared).await
    }
}

async fn claim(shared: &Shared, queue: &str, limit: usize) -> Result<Vec<ClaimedJob>, DbError> {
    let now = shared.queue.clock.now();
    let lease_until =
        now + SignedDuration::try_from(shared.opts.lease).unwrap_or(SignedDuration::MAX);
    let jobs = store::claim(
        &shared.queue.db,
        queue,
        limit,
        now,
        lease_until,
        &shared.opts.worker_id,
    )
    .await?;
    if !jobs.is_empty() {
        metrics::counter!(m::CLAIMED, "queue" => queue.to_owned()).increment(jobs.len() as u64);
        let hist = metrics::histogram!(m::LATENESS, "queue" => queue.to_owned());
        for job in &jobs {
            hist.record(now.duration_since(job.run_at).as_secs_f64().max(0.0));
        }
    }
    Ok(jobs)
}

/// Runs one attempt of `job` and decides what happens next.
async fn attempt(shared: &Shared, job: ClaimedJob) -> Outcome {
    let token = CancellationToken::new();
    let by_request = Arc::new(AtomicBool::new(false));
    shared
        .running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            job.id,
            Running {
                token: token.clone(),
                by_request: by_request.clone(),
            },
        );
    let ctx = JobContext {
        id: job.id,
        attempt: job.attempt,
        max_attempts: job.max_attempts,
        run_at: job.run_at,
        cancel: token.clone(),
    };
    let started = Instant::now();
    // Everything the handler logs carries which job run it belongs to.
    let span = tracing::info_span!(
        "job",
        id = %job.id,
        kind = %job.kind,
        queue = %job.queue,
        attempt = job.attempt
    );
    let result = match shared.registry.handlers.get(job.kind.as_str()) {
        Some(handler) => match AssertUnwindSafe(handler.run(job.payload, &ctx))
            .catch_unwind()
            .instrument(span)
            .await
        {
            Ok(r) => r,
            Err(panic) => Err(JobError::transient(format!(
                "the handler panicked: {}",
                panic_message(&panic)
            ))),
        },
        // Another version of Herald may know this kind (a rolling deploy):
        // retry rather than bury it at once.
        None => Err(JobError::transient(format!(
            "this worker has no handler for job kind {}",
            job.kind
        ))),
    };
    shared
        .running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&job.id);
    metrics::histogram!(m::DURATION, "queue" => job.queue.clone())
        .record(started.elapsed().as_secs_f64());

    match result {
        Ok(()) => Outcome::Done,
        Err(_) if by_request.load(Ordering::SeqCst) => Outcome::Cancelled,
        Err(_) if token.is_cancelled() => Outcome::Abandoned,
        Err(err) => {
            let error = err.describe();
            let retry_after = match &err {
                JobError::Transient { retry_after, .. } => Some(*retry_after),
                JobError::Permanent { .. } => None,
            };
            match retry_after {
                Some(after) if job.attempt < job.max_attempts => {
                    let delay =
                        after.unwrap_or_else(|| backoff::delay(job.attempt, rand::random()));
                    let at = shared.queue.clock.now()
                        + SignedDuration::try_from(delay).unwrap_or(SignedDuration::MAX);
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempt, error = %error, retry_in = ?delay, "job failed; will retry");
                    Outcome::Retry { at, error }
                }
                _ => {
                    tracing::error!(job = %job.id, kind = %job.kind, attempt = job.attempt, error = %error, "job failed for good; moved to dead");
                    Outcome::Dead { error }
                }
            }
        }
    }
}

/// Writes down a non-success outcome.
async fn record(shared: &Shared, id: JobId, queue: &str, outcome: Outcome) -> Result<(), DbError> {
    let db = &shared.queue.db;
    let owner = &shared.opts.worker_id;
    let now = shared.queue.clock.now();
    match outcome {
        Outcome::Done => {
            store::complete(db, owner, &[id]).await?;
        }
        Outcome::Cancelled => store::remove_cancelled(db, owner, id).await?,
        Outcome::Abandoned => {}
        Outcome::Retry { at, error } => {
            if store::retry_later(db, owner, id, at, &error, now).await? {
                metrics::counter!(m::RETRIED, "queue" => queue.to_owned()).increment(1);
                shared.queue.wake(&[queue.to_owned()]);
            }
        }
        Outcome::Dead { error } => {
            if store::bury(db, owner, id, &error, now).await? {
                metrics::counter!(m::DEAD, "queue" => queue.to_owned()).increment(1);
            }
        }
    }
    Ok(())
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

async fn queue_loop(
    shared: Arc<Shared>,
    queue: &'static str,
    wakeup: Subscription,
    slots: Arc<Semaphore>,
    jobs: TaskTracker,
    done: mpsc::UnboundedSender<(JobId, &'static str)>,
    shutdown: CancellationToken,
) {
    let mut idle_claims = 0u32;
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        let free = slots.available_permits();
        if free == 0 {
            tokio::select! {
                permit = slots.clone().acquire_owned() => drop(permit),
                _ = shutdown.cancelled() => return,
            }
            continue;
        }
        let want = free.min(shared.opts.claim_batch.max(1));
        match claim(&shared, queue, want).await {
            Ok(claimed) => {
                let got = claimed.len();
                for job in claimed {
                    let permit = slots.clone().try_acquire_owned().expect("a slot was free");
                    let shared = shared.clone();
                    let done = done.clone();
                    jobs.spawn(async move {
                        let id = job.id;
                        match attempt(&shared, job).await {
                            Outcome::Done => {
                                let _ = done.send((id, queue));
                            }
                            other => {
                                if let Err(e) = record(&shared, id, queue, other).await {
                                    tracing::error!(job = %id, error = %e, "could not record the job's outcome; its lease will expire and it will run again");
                                }
                            }
                        }
                        drop(permit);
                    });
                }
                if got == want {
                    idle_claims = 0;
                    continue;
                }
                if got > 0 {
                    idle_claims = 0;
                }
            }
            Err(e) => {
                tracing::warn!(queue, error = %e, "claiming jobs failed; retrying shortly");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    _ = shutdown.cancelled() => return,
                }
                continue;
            }
        }
        // Nothing more is due now: sleep until the next job is, or until a
        // wake-up says one was added.
        let wait = match store::next_due(&shared.queue.db, queue).await {
            Ok(Some(at)) => {
                let until = shared.queue.clock.now().duration_until(at);
                Duration::try_from(until)
                    .unwrap_or(Duration::ZERO)
                    .min(shared.opts.idle_poll)
            }
            Ok(None) => shared.opts.idle_poll,
            Err(e) => {
                tracing::warn!(queue, error = %e, "reading the next due time failed");
                Duration::from_millis(500)
            }
        };
        if wait.is_zero() {
            // Due jobs exist but another worker holds them (PostgreSQL skips
            // locked rows); back off a little instead of spinning.
            idle_claims = idle_claims.saturating_add(1);
            let pause = Duration::from_millis(u64::from(idle_claims.min(50)));
            tokio::select! {
                _ = wakeup.notified() => {}
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.cancelled() => return,
            }
            continue;
        }
        idle_claims = 0;
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Deletes successful jobs in batches: whatever finished while the previous
/// batch was being written goes in the next one.
async fn completer_loop(
    shared: Arc<Shared>,
    mut done: mpsc::UnboundedReceiver<(JobId, &'static str)>,
) {
    const MAX_BATCH: usize = 1000;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = done.recv().await {
        batch.clear();
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match done.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        let ids: Vec<JobId> = batch.iter().map(|(id, _)| *id).collect();
        let mut tries = 0;
        loop {
            match store::complete(&shared.queue.db, &shared.opts.worker_id, &ids).await {
                Ok(_) => {
                    let mut per_queue: BTreeMap<&str, u64> = BTreeMap::new();
                    for (_, q) in &batch {
                        *per_queue.entry(q).or_default() += 1;
                    }
                    for (q, n) in per_queue {
                        metrics::counter!(m::COMPLETED, "queue" => q).increment(n);
                    }
                    break;
                }
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(error = %e, jobs = ids.len(), "recording finished jobs failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, jobs = ids.len(), "could not record finished jobs; they will run again after their lease expires");
                    break;
                }
            }
        }
    }
}

async fn heartbeat_loop(shared: Arc<Shared>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(shared.opts.heartbeat_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let running: Vec<(JobId, Running)> = shared
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        if running.is_empty() {
            continue;
        }
        let now = shared.queue.clock.now();
        let until =
            now + SignedDuration::try_from(shared.opts.lease).unwrap_or(SignedDuration::MAX);
        match store::heartbeat(&shared.queue.db, &shared.opts.worker_id, until).await {
            Ok(leased) => {
                let held: HashMap<JobId, bool> =
                    leased.iter().map(|l| (l.id, l.cancel_requested)).collect();
                for (id, job) in running {
                    match held.get(&id) {
                        Some(true) => {
                            job.by_request.store(true, Ordering::SeqCst);
                            job.token.cancel();
                        }
                        Some(false) => {}
                        // Still running here, but the lease is gone (this
                        // process stalled past it): stop the handler.
                        None => {
                            if shared
                                .running
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .contains_key(&id)
                            {
                                tracing::warn!(job = %id, "lost the lease of a running job; cancelling it");
                                job.token.cancel();
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat failed; leases may expire"),
        }
    }
}

async fn rescue_loop(shared: Arc<Shared>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(shared.opts.rescue_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = rescue(&shared).await {
            tracing::warn!(error = %e, "looking for expired leases failed");
        }
    }
}

async fn rescue(shared: &Shared) -> Result<usize, DbError> {
    let rescued = store::rescue_expired(&shared.queue.db, shared.queue.clock.now()).await?;
    if !rescued.is_empty() {
        tracing::warn!(
            jobs = rescued.len(),
            "took back jobs from a worker that stopped responding"
        );
        metrics::counter!(m::RESCUED).increment(rescued.len() as u64);
        let queues: Vec<String> = rescued.into_iter().map(|(q, _)| q).collect();
        shared.queue.wake(&queues);
        return Ok(queues.len());
    }
    Ok(0)
}
