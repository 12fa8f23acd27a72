//! `herald bench generate`: Herald's own time per generation, apart from
//! the model's.
//!
//! One process, a fresh database (a SQLite file or a new database on
//! `--postgres`), the studio and a worker as `herald serve` runs them.
//! The engine is the OpenAI-compatible adapter against the built-in
//! sandbox's simulator at zero latency (`--engine sandbox`, the default)
//! or the built-in template engine (`--engine builtin`), wrapped in a
//! timer that records how long each call inside the engine took.
//!
//! - The baseline: the same engine called directly with the same request,
//!   `--generations` times: the model's own time.
//! - Herald: `--generations` requests one after another through
//!   `Studio::request_generation` (checks, quota reservation, the job
//!   enqueued), the worker's pickup, redaction, the engine call, streamed
//!   text written for the live page, and the result stored as a draft with
//!   its ledger, quota and audit entries; timed from the request until the
//!   generation's final wake-up.
//!
//! The overhead of a generation is Herald's time minus the engine's for
//! that very call; the report gives its percentiles and the ratio of
//! Herald's p99 to the baseline's.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_trait::async_trait;
use clap::{Args, ValueEnum};
use herald_core::{Clock, Named, SystemClock, UserId, WorkspaceId};
use herald_db::on_pool;
use herald_jobs::{Queue, Registry, Worker, WorkerOptions};
use herald_studio::engine::Discard;
use herald_studio::engine::builtin::Builtin;
use herald_studio::{
    ContentGenerationEngine, EngineError, EngineInfo, Format, Generated, GenerationRequest,
    GenerationStatus, Limit, Progress, Quotas, Request, Studio, StudioSettings,
};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{Lateness, scratch};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EngineChoice {
    /// The OpenAI-compatible adapter against the sandbox's simulator, at
    /// zero latency.
    Sandbox,
    /// The built-in template engine.
    Builtin,
}

#[derive(Args)]
pub struct GenerateBench {
    /// Generations per phase.
    #[arg(long, default_value_t = 300)]
    generations: usize,
    /// Which engine writes.
    #[arg(long, value_enum, default_value_t = EngineChoice::Sandbox)]
    engine: EngineChoice,
    /// A postgres:// server to run on (a fresh database is created there
    /// and dropped afterwards); default: a SQLite file in a temporary folder.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Print the results as one JSON object.
    #[arg(long)]
    json: bool,
}

/// An engine that records how long each of its calls took.
struct Timed {
    inner: Arc<dyn ContentGenerationEngine>,
    calls: Mutex<Vec<Duration>>,
}

#[async_trait]
impl ContentGenerationEngine for Timed {
    fn info(&self) -> EngineInfo {
        self.inner.info()
    }

    async fn generate(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
    ) -> Result<Generated, EngineError> {
        let started = Instant::now();
        let out = self.inner.generate(request, progress).await;
        self.calls
            .lock()
            .expect("timer lock")
            .push(started.elapsed());
        out
    }
}

#[derive(Debug, Serialize)]
struct Report {
    backend: &'static str,
    engine: String,
    model: String,
    generations: usize,
    baseline_engine_only: Lateness,
    herald_end_to_end: Lateness,
    herald_overhead: Lateness,
    p99_ratio_to_baseline: f64,
    overhead_p99_target_ms: f64,
    overhead_p99_within_target: bool,
    failed: usize,
}

const TARGET_MS: f64 = 20.0;

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

async fn member(db: &herald_db::Db) -> anyhow::Result<(UserId, WorkspaceId)> {
    let user: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, display_name, locale, created_at, updated_at) \
             VALUES ('bench@example.com', 'x', 'Bench', 'en', 0, 0) RETURNING id",
        )
        .fetch_one(pool)
        .await?
    });
    let ws: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO workspaces (name, created_at) VALUES ('Bench', 0) RETURNING id",
        )
        .fetch_one(pool)
        .await?
    });
    on_pool!(db, |pool| {
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', 0)",
        )
        .bind(ws)
        .bind(user)
        .execute(pool)
        .await?;
    });
    Ok((UserId(user), WorkspaceId(ws)))
}

pub async fn run(args: GenerateBench) -> anyhow::Result<()> {
    anyhow::ensure!(args.generations > 0, "--generations must be at least 1");
    let scratch = scratch(args.postgres.as_deref()).await?;
    let db = scratch.db.clone();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let shutdown = CancellationToken::new();
    let inner = engine(args.engine, &shutdown).await?;
    let timed = Arc::new(Timed {
        inner: inner.clone(),
        calls: Mutex::new(Vec::new()),
    });
    let queue = Queue::new(db.clone(), clock.clone());
    let studio = Studio::new(
        db.clone(),
        queue.clone(),
        clock,
        timed.clone(),
        StudioSettings::default(),
    );
    studio.apply_seed().await?;
    let (user, ws) = member(&db).await?;
    let auth = herald_accounts::shared::authorize(&db, user, ws, herald_accounts::Permission::View)
        .await
        .context("the benchmark's member")?;
    studio
        .set_quotas(
            &auth,
            &Quotas {
                workspace_day: Limit::default(),
                workspace_month: Limit::default(),
                member_day: Limit::default(),
                member_month: Limit::default(),
            },
        )
        .await?;
    // A carousel: the largest structured answer of the formats.
    let templates = studio
        .templates(&auth, &herald_studio::TemplateFilter::default())
        .await?;
    let template = templates
        .iter()
        .find(|t| t.format == Format::Carousel)
        .or(templates.first())
        .cloned()
        .context("the catalog has no template")?;
    let tone = studio.tones(None).await?.into_iter().next().map(|t| t.slug);
    let request = GenerationRequest {
        template_id: Some(template.id),
        tone: tone.clone(),
        brief: "Five quick breakfast ideas for busy mornings; questions to hello@example.com"
            .into(),
        ..GenerationRequest::default()
    };

    let mut registry = Registry::new();
    studio.register(&mut registry);
    let worker = Worker::new(queue.clone(), registry, WorkerOptions::default());
    let worker_task = tokio::spawn(worker.run(shutdown.child_token()));

    // Warm both paths once (connections, the template cache of the OS).
    let first = studio.request_generation(&auth, &request).await?;
    wait_final(&studio, &auth, &queue, first.id).await?;

    // Baseline: the engine alone, with the request the job would build.
    let sample = inner_request(&studio, &auth, &request).await?;
    let mut baseline = Vec::with_capacity(args.generations);
    for _ in 0..args.generations {
        let started = Instant::now();
        inner
            .generate(&sample, &mut Discard)
            .await
            .context("the engine failed in the baseline")?;
        baseline.push(micros(started.elapsed()));
    }

    // Herald: the whole path, one generation after another.
    timed.calls.lock().expect("timer lock").clear();
    let mut total = Vec::with_capacity(args.generations);
    let mut overhead = Vec::with_capacity(args.generations);
    let mut failed = 0;
    for _ in 0..args.generations {
        let started = Instant::now();
        let g = studio.request_generation(&auth, &request).await?;
        let status = wait_final(&studio, &auth, &queue, g.id).await?;
        let elapsed = started.elapsed();
        if status != GenerationStatus::Succeeded {
            failed += 1;
        }
        let model = timed
            .calls
            .lock()
            .expect("timer lock")
            .pop()
            .unwrap_or_default();
        total.push(micros(elapsed));
        overhead.push(micros(elapsed.saturating_sub(model)));
    }
    shutdown.cancel();
    worker_task.await.context("the worker panicked")??;
    let info = inner.info();
    let baseline = Lateness::of(baseline);
    let herald = Lateness::of(total);
    let overhead = Lateness::of(overhead);
    let report = Report {
        backend: db.backend().as_str(),
        engine: info.engine,
        model: info.model,
        generations: args.generations,
        p99_ratio_to_baseline: herald.p99_ms / baseline.p99_ms.max(1e-6),
        overhead_p99_within_target: overhead.p99_ms < TARGET_MS,
        overhead_p99_target_ms: TARGET_MS,
        baseline_engine_only: baseline,
        herald_end_to_end: herald,
        herald_overhead: overhead,
        failed,
    };
    scratch.remove().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "generation on {} with {} ({}), {} generations",
            report.backend, report.engine, report.model, report.generations
        );
        println!(
            "  engine alone (baseline): p50 {:.2} ms, p99 {:.2} ms",
            report.baseline_engine_only.p50_ms, report.baseline_engine_only.p99_ms
        );
        println!(
            "  Herald end to end:       p50 {:.2} ms, p99 {:.2} ms ({:.2}x the baseline's p99)",
            report.herald_end_to_end.p50_ms,
            report.herald_end_to_end.p99_ms,
            report.p99_ratio_to_baseline
        );
        println!(
            "  Herald's overhead:       p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < {} ms: {})",
            report.herald_overhead.p50_ms,
            report.herald_overhead.p99_ms,
            report.herald_overhead.max_ms,
            TARGET_MS,
            if report.overhead_p99_within_target {
                "met"
            } else {
                "missed"
            }
        );
        if report.failed > 0 {
            println!("  {} generations did not succeed", report.failed);
        }
    }
    Ok(())
}

/// Waits for a generation's final state through its wake-ups.
async fn wait_final(
    studio: &Studio,
    auth: &herald_accounts::Authorized,
    queue: &Queue,
    id: herald_core::GenerationId,
) -> anyhow::Result<GenerationStatus> {
    let woken = queue
        .notifications()
        .subscribe(herald_studio::GENERATION_CHANNEL, &id.to_string());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let g = studio.generation(auth, id).await?;
        if g.status.is_final() {
            return Ok(g.status);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "generation {id} did not end within 60 s"
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), woken.notified()).await;
    }
}

/// The engine request the job builds for `request` (its inputs resolved
/// and redacted), for the baseline to send directly.
async fn inner_request(
    studio: &Studio,
    auth: &herald_accounts::Authorized,
    request: &GenerationRequest,
) -> anyhow::Result<Request> {
    Ok(studio.engine_request(auth, request).await?)
}

/// The engine to measure; the sandbox is served on a port of its own
/// until `shutdown`.
async fn engine(
    choice: EngineChoice,
    shutdown: &CancellationToken,
) -> anyhow::Result<Arc<dyn ContentGenerationEngine>> {
    match choice {
        EngineChoice::Builtin => Ok(Arc::new(Builtin)),
        EngineChoice::Sandbox => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let base = format!("http://{}", listener.local_addr()?);
            let mut config = herald_sandbox::SandboxConfig::new(base.clone());
            config.ai.latency = herald_sandbox::AiLatency::ZERO;
            // No rate limit caps the run: the overhead is what is measured.
            config.limits.openai_requests_per_minute = u32::MAX;
            config.limits.openai_tokens_per_minute = u32::MAX;
            let key = config.ai.api_key.clone();
            let sandbox = herald_sandbox::Sandbox::new(config, Arc::new(SystemClock))?;
            let router = sandbox.router();
            let stop = shutdown.clone();
            tokio::spawn(async move {
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(async move { stop.cancelled().await })
                    .await;
            });
            let mut settings = herald_studio::engine::openai::OpenAiConfig::new(
                format!("{base}/api.openai.com/v1"),
                "gpt-4o-mini",
            );
            settings.api_key = Some(key);
            Ok(Arc::new(
                herald_studio::engine::openai::OpenAiCompatible::new(settings)?,
            ))
        }
    }
}
