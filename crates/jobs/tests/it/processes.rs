//! Worker processes that die: the test binary starts copies of itself as
//! workers (the ignored `child_worker` test, driven by environment
//! variables), kills one with SIGKILL mid-batch and checks what happened.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use herald_core::SystemClock;
use herald_db::testing::TestDb;
use herald_db::{ConnectOptions, Db, on_pool};
use herald_jobs::{
    Handler, JobContext, JobError, JobPayload, NewJob, Queue, Registry, Worker, WorkerOptions,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

const URL_VAR: &str = "HERALD_TEST_CHILD_DB_URL";
/// The child's lease in milliseconds: short where a test waits for a dead
/// worker's jobs to be rescued, long where a late heartbeat on a busy
/// machine must not hand a running job to the other worker.
const LEASE_VAR: &str = "HERALD_TEST_CHILD_LEASE_MS";

#[derive(Debug, Serialize, Deserialize)]
struct Recorded {
    n: i64,
}

impl JobPayload for Recorded {
    const KIND: &'static str = "test.recorded.v1";
    const QUEUE: &'static str = "recorded";
}

/// Writes one row per run (job id, attempt, worker), then takes a moment,
/// so a kill lands in the middle of a batch.
struct RecordingHandler {
    db: Db,
    worker: String,
}

#[async_trait]
impl Handler<Recorded> for RecordingHandler {
    async fn run(&self, _job: Recorded, ctx: &JobContext) -> Result<(), JobError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("INSERT INTO test_runs (job_id, attempt, worker) VALUES ($1, $2, $3)")
                .bind(ctx.id.0)
                .bind(ctx.attempt)
                .bind(&self.worker)
                .execute(pool)
                .await
                .map_err(|e| JobError::transient_from("recording the run", e))?;
        });
        tokio::time::sleep(Duration::from_millis(15)).await;
        Ok(())
    }
}

/// The body of a child worker process; does nothing unless started by a test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started as a child process by the kill tests"]
async fn child_worker() {
    let Ok(url) = std::env::var(URL_VAR) else {
        return;
    };
    let lease_ms: u64 = std::env::var(LEASE_VAR).unwrap().parse().unwrap();
    let db = Db::connect(&url, &ConnectOptions::default()).await.unwrap();
    let queue = Queue::new(db.clone(), Arc::new(SystemClock));
    let opts = WorkerOptions {
        default_concurrency: 8,
        lease: Duration::from_millis(lease_ms),
        heartbeat_every: Duration::from_millis(500),
        rescue_every: Duration::from_millis(500),
        ..WorkerOptions::default()
    };
    // Tells the test this worker is up before it claims anything.
    on_pool!(&db, |pool| {
        sqlx::query("INSERT INTO test_workers (worker) VALUES ($1)")
            .bind(&opts.worker_id)
            .execute(pool)
            .await
            .unwrap();
    });
    let mut registry = Registry::new();
    registry.register::<Recorded, _>(RecordingHandler {
        db: db.clone(),
        worker: opts.worker_id.clone(),
    });
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
        term.recv().await;
        s.cancel();
    });
    Worker::new(queue, registry, opts).run(stop).await.unwrap();
}

fn spawn_child(url: &str, lease: Duration) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "processes::child_worker",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(URL_VAR, url)
        .env(LEASE_VAR, lease.as_millis().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a child worker")
}

fn terminate(child: &mut Child) {
    // SIGTERM: a graceful stop.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The tables the children write to, and `jobs` queued jobs.
async fn prepare(db: &Db, jobs: i64) -> Queue {
    on_pool!(db, |pool| {
        sqlx::query(
            "CREATE TABLE test_runs (job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, worker TEXT NOT NULL)",
        )
        .execute(pool)
        .await
        .unwrap();
        sqlx::query("CREATE TABLE test_workers (worker TEXT NOT NULL)")
            .execute(pool)
            .await
            .unwrap();
    });
    let queue = Queue::new(db.clone(), Arc::new(SystemClock));
    enqueue(db, &queue, jobs).await;
    queue
}

async fn enqueue(db: &Db, queue: &Queue, jobs: i64) {
    if jobs == 0 {
        return;
    }
    let batch: Vec<NewJob> = (0..jobs)
        .map(|n| NewJob::of(&Recorded { n }).unwrap())
        .collect();
    let mut tx = db.begin().await.unwrap();
    queue.enqueue_many(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();
}

async fn workers_up(db: &Db) -> i64 {
    on_pool!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM test_workers")
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

async fn runs(db: &Db) -> Vec<(i64, i32, String)> {
    on_pool!(db, |pool| {
        sqlx::query_as("SELECT job_id, attempt, worker FROM test_runs ORDER BY job_id, attempt")
            .fetch_all(pool)
            .await
            .unwrap()
    })
}

async fn wait_for(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_killed_workers_jobs_are_finished_by_the_next_one(t: TestDb) {
    let total = 300;
    let queue = prepare(&t.db, total).await;
    // A 2 s lease: the killed worker's jobs come back soon.
    let mut first = spawn_child(&t.url, Duration::from_secs(2));
    wait_for(
        "the first worker is mid-batch",
        Duration::from_secs(60),
        async || runs(&t.db).await.len() >= 40,
    )
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = runs(&t.db).await.len();
    assert!(at_kill < total as usize, "killed before the end");

    let mut second = spawn_child(&t.url, Duration::from_secs(2));
    wait_for(
        "every job is finished",
        Duration::from_secs(120),
        async || queue.counts().await.unwrap().is_empty(),
    )
    .await;
    terminate(&mut second);

    let runs = runs(&t.db).await;
    let mut by_job: std::collections::BTreeMap<i64, Vec<i32>> = Default::default();
    for (job, attempt, _) in &runs {
        by_job.entry(*job).or_default().push(*attempt);
    }
    assert_eq!(by_job.len(), total as usize, "no job lost");
    let mut rerun = 0;
    for (job, attempts) in &by_job {
        let mut distinct = attempts.clone();
        distinct.dedup();
        assert_eq!(
            &distinct, attempts,
            "job {job} ran twice in one attempt: {attempts:?}"
        );
        if attempts.len() > 1 {
            rerun += 1;
        }
    }
    eprintln!(
        "kill test: {} runs recorded when SIGKILL landed; {total} jobs finished, {rerun} re-run as a recorded retry (attempt 2)",
        at_kill
    );
}

async fn two_worker_processes_drain_one_queue_without_running_a_job_twice(t: TestDb) {
    let total = 600;
    let queue = prepare(&t.db, 0).await;
    // Neither dies, so a lease that outlasts any late heartbeat; and the
    // jobs come once both are up, so neither drains the queue alone.
    let mut a = spawn_child(&t.url, Duration::from_secs(600));
    let mut b = spawn_child(&t.url, Duration::from_secs(600));
    wait_for("both workers are up", Duration::from_secs(60), async || {
        workers_up(&t.db).await == 2
    })
    .await;
    enqueue(&t.db, &queue, total).await;
    wait_for(
        "every job is finished",
        Duration::from_secs(120),
        async || queue.counts().await.unwrap().is_empty(),
    )
    .await;
    terminate(&mut a);
    terminate(&mut b);
    let runs = runs(&t.db).await;
    assert_eq!(runs.len(), total as usize, "each job ran exactly once");
    let workers: std::collections::BTreeSet<&String> = runs.iter().map(|(_, _, w)| w).collect();
    assert_eq!(workers.len(), 2, "both processes took part");
}

herald_db::on_both_backends!(a_killed_workers_jobs_are_finished_by_the_next_one);

mod two_processes {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
    async fn postgres_two_worker_processes_drain_one_queue_without_running_a_job_twice() {
        super::two_worker_processes_drain_one_queue_without_running_a_job_twice(
            herald_db::testing::TestDb::postgres().await,
        )
        .await;
    }
}
