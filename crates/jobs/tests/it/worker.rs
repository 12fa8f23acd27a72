//! The worker's loops with the real clock: wake-ups, cancellation and
//! graceful shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use herald_core::{SignedDuration, SystemClock, Timestamp};
use herald_db::testing::TestDb;
use herald_db::{ConnectOptions, Db};
use herald_jobs::{
    Cancelled, Handler, JobContext, JobError, JobPayload, JobState, NewJob, Queue, Registry,
    Worker, WorkerOptions,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use herald_db::on_both_backends;

#[derive(Debug, Serialize, Deserialize)]
struct Probe {
    block: bool,
}

impl JobPayload for Probe {
    const KIND: &'static str = "test.probe.v1";
    const QUEUE: &'static str = "probe";
}

/// Counts runs, remembers when each started, and (when asked) blocks until
/// cancelled.
#[derive(Default, Clone)]
struct ProbeHandler {
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    starts: Arc<std::sync::Mutex<Vec<(Timestamp, Timestamp)>>>,
}

#[async_trait]
impl Handler<Probe> for ProbeHandler {
    async fn run(&self, job: Probe, ctx: &JobContext) -> Result<(), JobError> {
        self.starts
            .lock()
            .unwrap()
            .push((ctx.run_at, Timestamp::now()));
        self.started.fetch_add(1, Ordering::SeqCst);
        if job.block {
            ctx.cancel.cancelled().await;
            return Err(JobError::transient("stopped"));
        }
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

fn start(
    db: &herald_db::Db,
    handler: ProbeHandler,
    opts: WorkerOptions,
) -> (Queue, CancellationToken, tokio::task::JoinHandle<()>) {
    let queue = Queue::new(db.clone(), Arc::new(SystemClock));
    let mut registry = Registry::new();
    registry.register::<Probe, _>(handler);
    let stop = CancellationToken::new();
    let worker = Worker::new(queue.clone(), registry, opts);
    let s = stop.clone();
    let task = tokio::spawn(async move { worker.run(s).await.unwrap() });
    (queue, stop, task)
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn the_worker_runs_due_jobs_and_wakes_for_future_ones(t: TestDb) {
    let handler = ProbeHandler::default();
    // The idle poll is a safety net; with an hour of it, a future job that
    // runs at all was woken by its due time.
    let opts = WorkerOptions {
        idle_poll: Duration::from_secs(3600),
        ..WorkerOptions::default()
    };
    let (queue, stop, task) = start(&t.db, handler.clone(), opts);
    let jobs: Vec<NewJob> = (0..50)
        .map(|_| NewJob::of(&Probe { block: false }).unwrap())
        .collect();
    let mut tx = t.db.begin().await.unwrap();
    queue.enqueue_many(&mut tx, &jobs).await.unwrap();
    tx.commit().await.unwrap();
    eventually("50 jobs ran", async || {
        handler.finished.load(Ordering::SeqCst) == 50
    })
    .await;

    // The worker is idle now (sleeping up to its idle poll); a job due in
    // 300 ms must still start on time, not at the next poll.
    // Stored times have microsecond precision.
    let due = Timestamp::from_microsecond(
        (Timestamp::now() + SignedDuration::from_millis(300)).as_microsecond(),
    )
    .unwrap();
    queue
        .enqueue_now(NewJob::of(&Probe { block: false }).unwrap().run_at(due))
        .await
        .unwrap();
    eventually("the future job ran", async || {
        handler.finished.load(Ordering::SeqCst) == 51
    })
    .await;
    let (run_at, started) = *handler.starts.lock().unwrap().last().unwrap();
    assert_eq!(run_at, due);
    assert!(started >= due, "never before its time");
    eventually("finished jobs are deleted", async || {
        queue.counts().await.unwrap().is_empty()
    })
    .await;
    stop.cancel();
    task.await.unwrap();
}

async fn a_running_job_cancelled_by_request_is_stopped_and_removed(t: TestDb) {
    let handler = ProbeHandler::default();
    let opts = WorkerOptions {
        heartbeat_every: Duration::from_millis(50),
        ..WorkerOptions::default()
    };
    let (queue, stop, task) = start(&t.db, handler.clone(), opts);
    let id = queue
        .enqueue_now(NewJob::of(&Probe { block: true }).unwrap())
        .await
        .unwrap()
        .id();
    eventually("the job started", async || {
        handler.started.load(Ordering::SeqCst) == 1
    })
    .await;
    assert_eq!(queue.cancel(id).await.unwrap(), Cancelled::Requested);
    eventually("the job is gone", async || {
        queue.get(id).await.unwrap().is_none()
    })
    .await;
    stop.cancel();
    task.await.unwrap();
}

async fn shutdown_releases_jobs_that_outlive_the_grace_period(t: TestDb) {
    let handler = ProbeHandler::default();
    let opts = WorkerOptions {
        shutdown_grace: Duration::from_millis(200),
        ..WorkerOptions::default()
    };
    let (queue, stop, task) = start(&t.db, handler.clone(), opts);
    let blocked = queue
        .enqueue_now(NewJob::of(&Probe { block: true }).unwrap())
        .await
        .unwrap()
        .id();
    eventually("the job started", async || {
        handler.started.load(Ordering::SeqCst) == 1
    })
    .await;
    stop.cancel();
    task.await.unwrap();
    let job = queue.get(blocked).await.unwrap().expect("the job is kept");
    assert_eq!(job.state, JobState::Queued, "released for the next worker");
    assert_eq!(job.attempts, 1, "the interrupted attempt is on record");
    assert!(job.last_error.unwrap().contains("released unfinished"));
}

on_both_backends!(
    the_worker_runs_due_jobs_and_wakes_for_future_ones,
    a_running_job_cancelled_by_request_is_stopped_and_removed,
    shutdown_releases_jobs_that_outlive_the_grace_period,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_a_job_enqueued_by_another_process_wakes_the_worker() {
    let t = TestDb::postgres().await;
    let handler = ProbeHandler::default();
    // With an hour of idle poll, a job that runs at once was announced by
    // the database's notification.
    let opts = WorkerOptions {
        idle_poll: Duration::from_secs(3600),
        ..WorkerOptions::default()
    };
    let (_queue, stop, task) = start(&t.db, handler.clone(), opts);
    eventually("the worker listens", async || {
        herald_db::testing::listening_connections(&t.db).await == 1
    })
    .await;
    // Let its loop find the queue empty and go to sleep.
    tokio::time::sleep(Duration::from_millis(50)).await;

    // Another process: its own pool and its own wake-ups.
    let other_db = Db::connect(&t.url, &ConnectOptions::default())
        .await
        .unwrap();
    let other = Queue::new(other_db.clone(), Arc::new(SystemClock));
    other
        .enqueue_now(NewJob::of(&Probe { block: false }).unwrap())
        .await
        .unwrap();
    eventually("the job ran", async || {
        handler.finished.load(Ordering::SeqCst) == 1
    })
    .await;
    stop.cancel();
    task.await.unwrap();
    other_db.close().await;
}
