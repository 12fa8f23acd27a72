//! `herald bench ingest`: the first ingestion (a 90-day backfill) of many
//! sandbox accounts, through the real readers, pacer and sandbox, with the
//! sandbox's own limits left as they are.
//!
//! One process, a fresh database (a SQLite file, or a new database on
//! `--postgres`), the services as `herald worker` builds them, and the
//! sandbox on a port of its own. `--accounts` sandbox users each connect
//! one account of `--platform` through the consent form, as a browser
//! would; the analytics sweep enrols them all with their backfill runs,
//! and the runs go `--concurrency` at a time. A run the pacer stops goes
//! on at the time it names, as its job would.
//!
//! The report: the wall time of the backfill, the calls per account
//! (mean and most), rows written, retried failures, how many of them were
//! the platform's own rate limiting (0 = the pacing kept within its
//! limits), pauses the pacer imposed, and the requests the sandbox served.
//! The baseline is the connect phase: the same accounts' consent flows
//! against the same sandbox.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use clap::{Args, ValueEnum};
use herald_accounts::{Authorized, Permission, User};
use herald_analytics::ingest::Outcome;
use herald_connections::{CallbackParams, Completed, Connections};
use herald_core::{Clock, SystemClock};
use herald_db::on_pool;
use herald_jobs::JobPayload;
use herald_platforms::ProviderId;
use herald_sandbox::Sandbox;
use serde::Serialize;

use super::create_database;
use super::publish::{Held, bench_meta, consent_form, sign_up, worker_env};
use crate::app::Process;
use crate::config::Config;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Which {
    /// YouTube channels: daily reports, uploads, statistics.
    Youtube,
    /// TikTok accounts: user counts and the video list.
    Tiktok,
}

#[derive(Args)]
pub struct IngestBench {
    /// Sandbox accounts to connect and backfill.
    #[arg(long, default_value_t = 500)]
    accounts: usize,
    /// Which platform's accounts.
    #[arg(long, value_enum, default_value_t = Which::Youtube)]
    platform: Which,
    /// Runs going at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// A postgres:// server to run on (a fresh database is created there
    /// and dropped afterwards); default: a SQLite file in a temporary folder.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Print the results as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    backend: &'static str,
    platform: &'static str,
    accounts: usize,
    connect_seconds: f64,
    backfill_seconds: f64,
    backfill_ratio_to_connect: f64,
    runs_succeeded: i64,
    runs_failed: i64,
    calls: i64,
    calls_per_account_mean: f64,
    calls_per_account_max: i64,
    account_rows: i64,
    post_rows: i64,
    retried_failures: i64,
    platform_rate_limited: i64,
    pacer_pauses: u64,
    sandbox_requests: u64,
}

pub async fn run(args: IngestBench) -> anyhow::Result<()> {
    ensure!(args.accounts > 0, "--accounts must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let mut held = Held::default();
    let result = tokio::select! {
        r = bench(&args, &mut held) => r,
        _ = crate::shutdown_signal() => Err(anyhow::anyhow!("interrupted")),
    };
    let cleaned = held.release().await;
    let report = result?;
    cleaned?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} — {} {} accounts: connected in {:.1} s, 90-day backfill in {:.1} s ({:.2}× the connect phase)",
            report.backend,
            report.accounts,
            report.platform,
            report.connect_seconds,
            report.backfill_seconds,
            report.backfill_ratio_to_connect
        );
        println!(
            "  runs: {} succeeded, {} failed; {} calls ({:.1} per account, at most {}); {} day rows, {} post rows",
            report.runs_succeeded,
            report.runs_failed,
            report.calls,
            report.calls_per_account_mean,
            report.calls_per_account_max,
            report.account_rows,
            report.post_rows
        );
        println!(
            "  retried failures {}, of them the platform's rate limiting {}; pacer pauses {}; sandbox requests {}",
            report.retried_failures,
            report.platform_rate_limited,
            report.pacer_pauses,
            report.sandbox_requests
        );
    }
    Ok(())
}

async fn bench(args: &IngestBench, held: &mut Held) -> anyhow::Result<Report> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("could not listen for the sandbox")?;
    let base = format!("http://{}", listener.local_addr()?);
    let dir = tempfile::tempdir().context("could not make a temporary folder")?;
    let url = match &args.postgres {
        Some(admin) => {
            let name = create_database(admin).await?;
            held.database = Some((admin.clone(), name.clone()));
            herald_db::with_database(admin, &name)
        }
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let env = worker_env(&url, &dir.path().join("data"), &base, None);
    held.dir = Some(dir);
    let mut config = Config::from_sources(None, &env).context("the benchmark's configuration")?;
    crate::app::prepare(&mut config)?;
    // The sandbox with its own limits: the point is to stay within them.
    let sandbox_config = crate::platforms::sandbox_config(&config, base.clone());
    let sandbox = Sandbox::new(sandbox_config, clock.clone())?;
    let requests = Arc::new(AtomicU64::new(0));
    let router = sandbox.router().layer(axum::middleware::from_fn({
        let requests = requests.clone();
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let requests = requests.clone();
            async move {
                requests.fetch_add(1, Ordering::Relaxed);
                next.run(request).await
            }
        }
    }));
    held.sandbox = Some(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the benchmark's sandbox stopped");
        }
    }));
    let db = crate::app::open_database(&config).await?;
    held.db = Some(db.clone());
    let services =
        crate::app::Services::build(&config, db.clone(), clock.clone(), Process::Worker).await?;
    let accounts = services.accounts.clone();
    let connections = services.platforms.connections.clone();
    let analytics = services.analytics.clone();
    let (user, session) = sign_up(&accounts, &db).await?;
    let workspace = accounts
        .workspaces(&user)
        .await?
        .first()
        .map(|w| w.id)
        .context("the new account has no workspace")?;
    let auth = accounts
        .require(&user, workspace, Permission::ManageConnections)
        .await?;
    let provider = match args.platform {
        Which::Youtube => ProviderId::YouTube,
        Which::Tiktok => ProviderId::TikTok,
    };
    eprintln!(
        "ingestion benchmark: {} {} accounts, {} runs at once",
        args.accounts, provider, args.concurrency
    );

    let started = Instant::now();
    for i in 0..args.accounts {
        connect(
            &connections,
            &user,
            &session,
            &auth,
            provider,
            &format!("bench-{i:04}"),
        )
        .await
        .with_context(|| format!("connecting sandbox user bench-{i:04}"))?;
    }
    let connect_time = started.elapsed();
    eprintln!("  connected in {:.1} s", connect_time.as_secs_f64());

    let started = Instant::now();
    analytics.sweep().await?;
    let runs: Vec<i64> = on_pool!(&db, |pool| {
        sqlx::query_scalar("SELECT id FROM analytics_runs ORDER BY id")
            .fetch_all(pool)
            .await?
    });
    let connected: i64 = on_pool!(&db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM connections")
            .fetch_one(pool)
            .await?
    });
    let connected = usize::try_from(connected).unwrap_or(0);
    ensure!(
        runs.len() == connected,
        "the sweep queued {} runs for {} accounts",
        runs.len(),
        connected
    );
    let pauses = Arc::new(AtomicU64::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for run in runs {
        let analytics = analytics.clone();
        let pauses = pauses.clone();
        let permit = gate.clone().acquire_owned().await?;
        tasks.spawn(async move {
            let _permit = permit;
            let mut failures = 0;
            loop {
                match analytics.ingest(run, None).await {
                    Ok(Outcome::Paced(at)) => {
                        pauses.fetch_add(1, Ordering::Relaxed);
                        let wait = herald_core::Timestamp::now().duration_until(at);
                        let wait = Duration::try_from(wait).unwrap_or(Duration::ZERO);
                        tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
                    }
                    Ok(_) => break,
                    // A retried failure: the queue's backoff, shortened;
                    // as many attempts as the job has.
                    Err(_) if failures < herald_analytics::IngestAccount::MAX_ATTEMPTS => {
                        failures += 1;
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Err(_) => break,
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a run's task failed")?;
    }
    let backfill_time = started.elapsed();

    type Totals = (i64, i64, i64, i64, i64, i64, i64, i64);
    let totals: Totals = on_pool!(&db, |pool| {
        sqlx::query_as(
            "SELECT CAST(SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(calls) AS BIGINT), CAST(MAX(calls) AS BIGINT), \
             CAST(SUM(account_rows) AS BIGINT), CAST(SUM(post_rows) AS BIGINT), \
             CAST(SUM(errors) AS BIGINT), \
             CAST(SUM(CASE WHEN last_error = 'rate_limited' THEN errors ELSE 0 END) AS BIGINT) \
             FROM analytics_runs",
        )
        .fetch_one(pool)
        .await?
    });
    let failures: HashMap<String, i64> = on_pool!(&db, |pool| {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT COALESCE(last_error, ''), CAST(COUNT(*) AS BIGINT) FROM analytics_runs \
             WHERE status = 'failed' GROUP BY last_error",
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect()
    });
    if !failures.is_empty() {
        eprintln!("  failed runs by code: {failures:?}");
    }
    let (succeeded, failed, calls, max_calls, account_rows, post_rows, errors, limited) = totals;
    Ok(Report {
        backend: if args.postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
        platform: match args.platform {
            Which::Youtube => "youtube",
            Which::Tiktok => "tiktok",
        },
        accounts: connected,
        connect_seconds: connect_time.as_secs_f64(),
        backfill_seconds: backfill_time.as_secs_f64(),
        backfill_ratio_to_connect: backfill_time.as_secs_f64()
            / connect_time.as_secs_f64().max(1e-9),
        runs_succeeded: succeeded,
        runs_failed: failed,
        calls,
        calls_per_account_mean: calls as f64 / connected.max(1) as f64,
        calls_per_account_max: max_calls,
        account_rows,
        post_rows,
        retried_failures: errors,
        platform_rate_limited: limited,
        pacer_pauses: pauses.load(Ordering::Relaxed),
        sandbox_requests: requests.load(Ordering::Relaxed),
    })
}

/// Connects the one account of sandbox user `name` on `provider` through
/// the consent form, everything granted.
async fn connect(
    connections: &Connections,
    user: &User,
    session: &str,
    auth: &Authorized,
    provider: ProviderId,
    name: &str,
) -> anyhow::Result<()> {
    let meta = bench_meta();
    let authorize = connections
        .start(user, Some(session), auth, provider, false)
        .await?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let html = browser.get(authorize.as_str()).send().await?.text().await?;
    let (action, mut fields) = consent_form(&html).context("no form on the consent page")?;
    fields.retain(|(k, _)| k != "sandbox_user");
    fields.push(("sandbox_user".into(), name.into()));
    fields.push(("decision".into(), "allow".into()));
    let answer = browser
        .post(authorize.join(&action)?)
        .form(&fields)
        .send()
        .await?;
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("the consent form did not redirect")?;
    let back = url::Url::parse(location)?;
    let query: HashMap<String, String> = back.query_pairs().into_owned().collect();
    let params = CallbackParams {
        state: query.get("state").cloned(),
        code: query.get("code").cloned(),
        error: query.get("error").cloned(),
        error_reason: query.get("error_reason").cloned(),
        error_description: query.get("error_description").cloned(),
    };
    match connections
        .complete(user, Some(session), provider, &params, &meta)
        .await?
    {
        Completed::Connected { .. } => {}
        Completed::Choose { attempt } => {
            let (_, choices) = connections.choices(user, Some(session), &attempt).await?;
            // One account per sandbox user (a YouTube user may have a
            // second channel), so `--accounts` is the number read.
            let chosen: Vec<String> = choices.iter().take(1).map(|c| c.key.clone()).collect();
            connections
                .choose(user, Some(session), &attempt, &chosen, &meta)
                .await?;
        }
    }
    Ok(())
}
