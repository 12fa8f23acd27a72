//! `herald bench`: throughput and lateness of the job queue (`queue`) and
//! of publishing through worker processes (`publish`, in [`publish`]) and
//! of acknowledging Meta webhooks (`webhooks`, in [`webhooks`]), each
//! next to a baseline measured in the same run on the same database, so the
//! figures are comparable across machines as ratios.

mod analytics;
mod generate;
mod publish;
mod webhooks;

use herald_core::Named;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_trait::async_trait;
use clap::{Args, Subcommand};
use herald_core::{SignedDuration, SystemClock, Timestamp};
use herald_db::{ConnectOptions, Db, on_pool};
use herald_jobs::{
    Handler, JobContext, JobError, JobPayload, JobState, NewJob, Queue, Registry, Worker,
    WorkerOptions,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Enqueue and drain no-op jobs; measure jobs/s and lateness.
    Queue(QueueBench),
    /// Publish posts due in the same minute through `herald worker`
    /// processes against the sandbox; the bare queue is the baseline.
    Publish(publish::PublishBench),
    /// Signed Meta deliveries acknowledged per second after a durable
    /// store, next to a verify-only baseline handler.
    Webhooks(webhooks::WebhooksBench),
    /// Herald's own time per content generation (request, job, streaming,
    /// storing the draft), apart from the engine's, next to the engine
    /// called alone.
    Generate(generate::GenerateBench),
    /// The analytics dashboards' requests over millions of fact rows of one
    /// workspace, next to a plain scan of the same rows.
    Analytics(analytics::AnalyticsBench),
}

#[derive(Args)]
pub struct QueueBench {
    /// No-op jobs to enqueue and drain.
    #[arg(long, default_value_t = 100_000)]
    jobs: usize,
    /// Jobs scheduled a little in the future, to measure wake-up lateness.
    #[arg(long, default_value_t = 2_000)]
    future_jobs: usize,
    /// A postgres:// server to run on (a fresh database is created there and
    /// dropped afterwards); default: a SQLite file in a temporary folder.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Worker instances sharing the queue (each claims on its own).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Jobs each worker runs at once.
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// Print the results as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct BenchJob {}

impl JobPayload for BenchJob {
    const KIND: &'static str = "bench.noop.v1";
    const QUEUE: &'static str = "bench";
}

/// Counts runs and records start − run_at of each.
#[derive(Default)]
struct Recorder {
    ran: AtomicUsize,
    lateness_us: Mutex<Vec<i64>>,
    target: AtomicUsize,
    reached: Notify,
}

struct BenchHandler(Arc<Recorder>);

#[async_trait]
impl Handler<BenchJob> for BenchHandler {
    async fn run(&self, _job: BenchJob, ctx: &JobContext) -> Result<(), JobError> {
        let late = Timestamp::now().duration_since(ctx.run_at).as_micros() as i64;
        self.0
            .lateness_us
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(late);
        let ran = self.0.ran.fetch_add(1, Ordering::SeqCst) + 1;
        if ran >= self.0.target.load(Ordering::SeqCst) {
            self.0.reached.notify_one();
        }
        Ok(())
    }
}

#[derive(Debug, Serialize)]
struct Rate {
    count: usize,
    seconds: f64,
    per_second: f64,
}

impl Rate {
    fn of(count: usize, d: Duration) -> Rate {
        Rate {
            count,
            seconds: d.as_secs_f64(),
            per_second: count as f64 / d.as_secs_f64().max(1e-9),
        }
    }
}

#[derive(Debug, Serialize)]
struct Lateness {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Lateness {
    fn of(mut micros: Vec<i64>) -> Lateness {
        micros.sort_unstable();
        let pick = |q: f64| -> f64 {
            if micros.is_empty() {
                return 0.0;
            }
            let i = ((micros.len() as f64 - 1.0) * q).round() as usize;
            micros[i] as f64 / 1000.0
        };
        Lateness {
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            max_ms: pick(1.0),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    backend: &'static str,
    jobs: usize,
    workers: usize,
    concurrency: usize,
    baseline_insert_delete: Rate,
    enqueue: Rate,
    drain: Rate,
    enqueue_and_drain: Rate,
    drain_ratio_to_baseline: f64,
    end_to_end_ratio_to_baseline: f64,
    backlog_lateness: Lateness,
    future_jobs: usize,
    future_lateness: Lateness,
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Queue(args) => queue(args).await,
        BenchCommand::Publish(args) => publish::run(args).await,
        BenchCommand::Webhooks(args) => webhooks::run(args).await,
        BenchCommand::Generate(args) => generate::run(args).await,
        BenchCommand::Analytics(args) => analytics::run(args).await,
    }
}

/// A database for one benchmark run, removed afterwards.
struct Scratch {
    db: Db,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

async fn scratch(postgres: Option<&str>) -> anyhow::Result<Scratch> {
    let opts = ConnectOptions {
        max_connections: 16,
        ..ConnectOptions::default()
    };
    match postgres {
        None => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            let db = Db::connect(&url, &opts).await?;
            db.migrate().await?;
            Ok(Scratch {
                db,
                _dir: Some(dir),
                pg: None,
            })
        }
        Some(admin) => {
            let name = create_database(admin).await?;
            let db = Db::connect(&herald_db::with_database(admin, &name), &opts).await?;
            db.migrate().await?;
            Ok(Scratch {
                db,
                _dir: None,
                pg: Some((admin.to_owned(), name)),
            })
        }
    }
}

impl Scratch {
    async fn remove(self) -> anyhow::Result<()> {
        self.db.close().await;
        if let Some((admin, name)) = self.pg {
            drop_database(&admin, &name).await?;
        }
        Ok(())
    }
}

/// Creates a fresh, uniquely named database on the PostgreSQL server of
/// `admin` and returns its name.
async fn create_database(admin: &str) -> anyhow::Result<String> {
    let name = format!("herald_bench_{:08x}", rand::random::<u32>());
    let Db::Postgres(pool) = Db::connect(admin, &ConnectOptions::default()).await? else {
        anyhow::bail!("--postgres needs a postgres:// URL");
    };
    let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .context("creating the benchmark database");
    pool.close().await;
    created?;
    Ok(name)
}

/// Drops a database made by [`create_database`], whoever is still connected.
async fn drop_database(admin: &str, name: &str) -> anyhow::Result<()> {
    if let Db::Postgres(pool) = Db::connect(admin, &ConnectOptions::default()).await? {
        let dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&pool)
        .await;
        pool.close().await;
        dropped.with_context(|| format!("dropping the benchmark database {name}"))?;
    }
    Ok(())
}

/// The raw cost of the rows a queue writes: insert `n` rows of the same
/// shape in the same chunking as the enqueue, then delete them in batches
/// the size of the worker's claims.
async fn baseline(db: &Db, n: usize) -> anyhow::Result<Rate> {
    on_pool!(db, |pool| {
        sqlx::query(
            "CREATE TABLE bench_baseline (id BIGINT PRIMARY KEY, queue TEXT NOT NULL, \
             kind TEXT NOT NULL, payload TEXT NOT NULL, run_at BIGINT NOT NULL)",
        )
        .execute(pool)
        .await?;
    });
    let now = Timestamp::now().as_microsecond();
    let started = Instant::now();
    for block in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let mut tx = db.begin().await?;
        for chunk in block.chunks(1000) {
            herald_db::on_tx!(tx, |conn| {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO bench_baseline (id, queue, kind, payload, run_at) ",
                );
                qb.push_values(chunk, |mut row, i| {
                    row.push_bind(*i as i64)
                        .push_bind("bench")
                        .push_bind(BenchJob::KIND)
                        .push_bind("{}")
                        .push_bind(now);
                });
                qb.build().execute(conn).await?;
            });
        }
        tx.commit().await?;
    }
    for chunk in (0..n as i64).collect::<Vec<_>>().chunks(100) {
        let (lo, hi) = (chunk[0], chunk[chunk.len() - 1]);
        on_pool!(db, |pool| {
            sqlx::query("DELETE FROM bench_baseline WHERE id >= $1 AND id <= $2")
                .bind(lo)
                .bind(hi)
                .execute(pool)
                .await?;
        });
    }
    let rate = Rate::of(n, started.elapsed());
    on_pool!(db, |pool| {
        sqlx::query("DROP TABLE bench_baseline")
            .execute(pool)
            .await?;
    });
    Ok(rate)
}

async fn wait_for(recorder: &Recorder, target: usize, limit: Duration) -> anyhow::Result<()> {
    recorder.target.store(target, Ordering::SeqCst);
    let deadline = Instant::now() + limit;
    while recorder.ran.load(Ordering::SeqCst) < target {
        let left = deadline.saturating_duration_since(Instant::now());
        anyhow::ensure!(!left.is_zero(), "jobs did not finish within {limit:?}");
        let _ = tokio::time::timeout(
            left.min(Duration::from_millis(100)),
            recorder.reached.notified(),
        )
        .await;
    }
    Ok(())
}

async fn wait_until_empty(queue: &Queue) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let counts = queue.counts().await?;
        let left: i64 = counts
            .iter()
            .filter(|((q, st), _)| q == BenchJob::QUEUE && *st != JobState::Dead)
            .map(|(_, n)| n)
            .sum();
        if left == 0 {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{left} jobs still stored after draining"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn queue(args: QueueBench) -> anyhow::Result<()> {
    let scratch = scratch(args.postgres.as_deref()).await?;
    let db = scratch.db.clone();
    let backend = db.backend().as_str();
    let n = args.jobs;
    eprintln!(
        "queue benchmark on {backend}: {n} jobs, {} worker(s) x {} concurrency",
        args.workers, args.concurrency
    );

    let baseline = baseline(&db, n).await?;
    eprintln!(
        "  baseline INSERT+DELETE: {:.0} rows/s",
        baseline.per_second
    );

    let queue = Queue::new(db.clone(), Arc::new(SystemClock));
    let job = NewJob::of(&BenchJob {})?;
    let started = Instant::now();
    for block in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let jobs = vec![job.clone(); block.len()];
        let mut tx = db.begin().await?;
        queue.enqueue_many(&mut tx, &jobs).await?;
        tx.commit().await?;
    }
    let enqueue = Rate::of(n, started.elapsed());
    eprintln!("  enqueue: {:.0} jobs/s", enqueue.per_second);

    let recorder = Arc::new(Recorder::default());
    let stop = CancellationToken::new();
    let mut workers = Vec::new();
    let drain_started = Instant::now();
    for _ in 0..args.workers.max(1) {
        let mut registry = Registry::new();
        registry.register::<BenchJob, _>(BenchHandler(recorder.clone()));
        let opts = WorkerOptions {
            default_concurrency: args.concurrency,
            claim_batch: args.concurrency.min(200),
            ..WorkerOptions::default()
        };
        workers.push(tokio::spawn(
            Worker::new(queue.clone(), registry, opts).run(stop.clone()),
        ));
    }
    wait_for(&recorder, n, Duration::from_secs(600)).await?;
    wait_until_empty(&queue).await?;
    let drain = Rate::of(n, drain_started.elapsed());
    eprintln!("  drain: {:.0} jobs/s", drain.per_second);
    let backlog = Lateness::of(std::mem::take(
        &mut *recorder
            .lateness_us
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    ));

    // Future jobs: spread over two seconds starting half a second from now,
    // enqueued while the workers sleep.
    let m = args.future_jobs;
    let base = Timestamp::now() + SignedDuration::from_millis(500);
    let future: Vec<NewJob> = (0..m)
        .map(|i| {
            let offset = SignedDuration::from_micros((i as i64 * 2_000_000) / m.max(1) as i64);
            job.clone().run_at(base + offset)
        })
        .collect();
    let mut tx = db.begin().await?;
    queue.enqueue_many(&mut tx, &future).await?;
    tx.commit().await?;
    wait_for(&recorder, n + m, Duration::from_secs(60)).await?;
    let future_lateness = Lateness::of(std::mem::take(
        &mut *recorder
            .lateness_us
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    ));

    stop.cancel();
    for w in workers {
        w.await??;
    }
    let total = Duration::from_secs_f64(enqueue.seconds + drain.seconds);
    let report = Report {
        backend,
        jobs: n,
        workers: args.workers.max(1),
        concurrency: args.concurrency,
        drain_ratio_to_baseline: drain.per_second / baseline.per_second,
        end_to_end_ratio_to_baseline: (n as f64 / total.as_secs_f64()) / baseline.per_second,
        enqueue_and_drain: Rate::of(n, total),
        baseline_insert_delete: baseline,
        enqueue,
        drain,
        backlog_lateness: backlog,
        future_jobs: m,
        future_lateness,
    };
    scratch.remove().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

fn print_report(r: &Report) {
    println!(
        "Herald queue benchmark: {} jobs on {}, {} worker(s) x {} concurrency",
        r.jobs, r.backend, r.workers, r.concurrency
    );
    println!(
        "  baseline: raw INSERT + DELETE      {:>10.0} rows/s  ({:.2} s)",
        r.baseline_insert_delete.per_second, r.baseline_insert_delete.seconds
    );
    println!(
        "  enqueue (multi-row, in tx)         {:>10.0} jobs/s  ({:.2} s)",
        r.enqueue.per_second, r.enqueue.seconds
    );
    println!(
        "  drain (claim, run, complete)       {:>10.0} jobs/s  ({:.2} s)  = {:.2} x baseline",
        r.drain.per_second, r.drain.seconds, r.drain_ratio_to_baseline
    );
    println!(
        "  enqueue + drain                    {:>10.0} jobs/s  ({:.2} s)  = {:.2} x baseline",
        r.enqueue_and_drain.per_second, r.enqueue_and_drain.seconds, r.end_to_end_ratio_to_baseline
    );
    println!(
        "  lateness, backlog due at once      p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        r.backlog_lateness.p50_ms, r.backlog_lateness.p99_ms, r.backlog_lateness.max_ms
    );
    println!(
        "  lateness, {} future jobs         p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        r.future_jobs, r.future_lateness.p50_ms, r.future_lateness.p99_ms, r.future_lateness.max_ms
    );
}
