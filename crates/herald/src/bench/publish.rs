//! `herald bench publish`: many Facebook Page text posts due in the same
//! minute, published by real `herald worker` processes on PostgreSQL
//! against a sandbox this command serves, with the bare queue as the
//! baseline from the same run: the same number of no-op jobs
//! (`system.ping.v1`, which every worker runs) due at one instant, drained
//! by the same worker processes.
//!
//! Everything goes through Herald's own services: an account signed up and
//! verified with the accounts service, both Pages of the sandbox user
//! `demo` connected through the real connect flow (consent form included),
//! posts created with the publishing service. Lateness is start − due time:
//! for posts from `post_targets` (`started_at − due_at`), for the no-op jobs
//! from the line each worker logs when it runs one.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use clap::Args;
use herald_accounts::{Accounts, Authorized, Permission, RequestMeta, User};
use herald_connections::{CallbackParams, Completed, Connections};
use herald_core::{Clock, ConnectionId, PostId, SignedDuration, SystemClock, Timestamp};
use herald_db::DbTime;
use herald_db::{Db, on_pool};
use herald_jobs::{JobPayload, NewJob, Queue};
use herald_platforms::{AccountKind, PostFormat, ProviderId};
use herald_publishing::{PostInput, Publishing, Schedule, TargetInput, Variant, When};
use herald_sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{Lateness, create_database, drop_database};
use crate::app::Process;
use crate::config::Config;

#[derive(Args)]
pub struct PublishBench {
    /// The postgres:// server to run on (a fresh database is created there
    /// and dropped afterwards).
    #[arg(long, value_name = "URL")]
    postgres: String,
    /// Posts to publish (Facebook Page text posts, alternating two Pages).
    #[arg(long, default_value_t = 10_000)]
    posts: usize,
    /// `herald worker` processes sharing the queue.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// HERALD_WORKER_CONCURRENCY of the workers (default: Herald's default).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Posts created at once through the publishing service.
    #[arg(long, default_value_t = 4)]
    create_tasks: usize,
    /// Longest wait for each phase once its work is due, in seconds.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    /// Print the results as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Platform budgets high enough that no quota caps the run: the sandbox
/// would otherwise throttle after 2,000 Graph calls per app-hour and 4,800
/// per Page-hour, and Instagram after 50 publishes a day.
const RAISED_BUDGET: u32 = 1_000_000_000;

/// What the baseline is, for the report.
const BASELINE_NOTE: &str = "the same number of no-op jobs (system.ping.v1) due at one instant, run by the same `herald worker` processes";

/// What the sandbox was told, for the report.
const LIMITS_NOTE: &str = "sandbox quotas raised to 1e9 so none caps the run: Graph app and Page calls per hour, Instagram publishes and containers per day";

pub async fn run(args: PublishBench) -> anyhow::Result<()> {
    ensure!(args.posts > 0, "--posts must be at least 1");
    ensure!(args.workers > 0, "--workers must be at least 1");
    ensure!(args.create_tasks > 0, "--create-tasks must be at least 1");
    let mut held = Held::default();
    // Ctrl-C ends the run like an error does: workers and database go too.
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
        print_report(&report);
    }
    ensure!(
        report.publish.failed == 0 && report.exactly_once,
        "{} post(s) failed, {} duplicate(s), {} missing on the platform",
        report.publish.failed,
        report.duplicates,
        report.missing
    );
    Ok(())
}

/// What a run holds that must go away whatever happens.
#[derive(Default)]
pub(super) struct Held {
    pub(super) workers: Vec<Child>,
    pub(super) db: Option<Db>,
    pub(super) database: Option<(String, String)>,
    pub(super) sandbox: Option<tokio::task::JoinHandle<()>>,
    pub(super) dir: Option<tempfile::TempDir>,
}

impl Held {
    pub(super) async fn release(&mut self) -> anyhow::Result<()> {
        for child in &mut self.workers {
            let _ = child.start_kill();
            let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
        }
        self.workers.clear();
        if let Some(server) = self.sandbox.take() {
            server.abort();
        }
        if let Some(db) = self.db.take() {
            db.close().await;
        }
        let dropped = match self.database.take() {
            Some((admin, name)) => drop_database(&admin, &name).await,
            None => Ok(()),
        };
        self.dir.take();
        dropped
    }
}

// ------------------------------------------------------------------ report

#[derive(Debug, Serialize)]
struct Phase {
    /// Posts (or jobs) due.
    count: usize,
    /// Published (or run).
    succeeded: usize,
    failed: usize,
    /// From the due time to the last one finished.
    seconds: f64,
    per_second: f64,
    lateness: Lateness,
}

#[derive(Debug, Serialize)]
struct PageReport {
    name: String,
    page_id: String,
    published: usize,
    on_platform: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    backend: &'static str,
    build: &'static str,
    posts: usize,
    workers: usize,
    worker_concurrency: usize,
    sandbox_limits: &'static str,
    baseline: &'static str,
    create_tasks: usize,
    create_seconds: f64,
    create_per_second: f64,
    due_at: String,
    baseline_queue: Phase,
    publish: Phase,
    throughput_ratio_to_baseline: f64,
    p50_lateness_ratio_to_baseline: f64,
    p99_lateness_ratio_to_baseline: f64,
    /// Requests the sandbox answered while the posts went out, and their
    /// mean time (it runs in this process, on the same CPUs).
    sandbox_requests: u64,
    sandbox_mean_ms: f64,
    pages: Vec<PageReport>,
    duplicates: usize,
    missing: usize,
    exactly_once: bool,
}

/// Requests the sandbox answered and the time they took in all.
#[derive(Default)]
pub(super) struct SandboxMeter {
    requests: AtomicU64,
    busy_micros: AtomicU64,
}

impl SandboxMeter {
    fn record(&self, took: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.busy_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    fn snapshot(&self) -> (u64, Duration) {
        (
            self.requests.load(Ordering::Relaxed),
            Duration::from_micros(self.busy_micros.load(Ordering::Relaxed)),
        )
    }
}

fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

// --------------------------------------------------------------- the run

async fn bench(args: &PublishBench, held: &mut Held) -> anyhow::Result<Report> {
    let n = args.posts;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("could not listen for the sandbox")?;
    let base = format!("http://{}", listener.local_addr()?);

    // A fresh database and one configuration for this process and the
    // workers: same data folder (credential keyring), session secret and
    // sandbox, so the workers open the tokens connected here.
    let name = create_database(&args.postgres).await?;
    held.database = Some((args.postgres.clone(), name.clone()));
    let dir = tempfile::tempdir().context("could not make a temporary folder")?;
    let env = worker_env(
        &herald_db::with_database(&args.postgres, &name),
        &dir.path().join("data"),
        &base,
        args.concurrency,
    );
    held.dir = Some(dir);
    let mut config = Config::from_sources(None, &env).context("the benchmark's configuration")?;
    crate::app::prepare(&mut config)?;
    // The sandbox with this install's app secrets, which `prepare` made.
    let sandbox_config = crate::platforms::sandbox_config(&config, base.clone());
    let (sandbox, meter) = start_sandbox(held, clock.clone(), listener, sandbox_config)?;
    let db = crate::app::open_database(&config).await?;
    held.db = Some(db.clone());
    eprintln!(
        "publish benchmark on postgres ({}): {n} posts, {} worker process(es), {} build",
        name,
        args.workers,
        build_profile()
    );
    eprintln!("  {LIMITS_NOTE}");

    // Wired as `herald worker` wires it.
    let services =
        crate::app::Services::build(&config, db.clone(), clock.clone(), Process::Worker).await?;
    let queue = services.queue.clone();
    let accounts = services.accounts.clone();
    let connections = services.platforms.connections.clone();
    let publishing = services.publishing.clone();

    let (user, session) = sign_up(&accounts, &db).await?;
    let workspace = accounts
        .workspaces(&user)
        .await?
        .first()
        .map(|w| w.id)
        .context("the new account has no workspace")?;
    let auth = accounts
        .require(&user, workspace, Permission::Publish)
        .await?;
    let pages = connect_pages(&connections, &user, &session, &auth).await?;
    eprintln!(
        "  connected {} through the sandbox's consent form",
        pages
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    );

    // The workers, started once for both phases.
    let tap = Arc::new(Tap::default());
    for i in 0..args.workers {
        held.workers.push(spawn_worker(i, &env, &tap)?);
    }
    wait_started(&tap, &mut held.workers, args.workers).await?;

    // Baseline: the bare queue.
    let baseline = baseline(&queue, &tap, &mut held.workers, n, args.timeout_secs).await?;
    eprintln!(
        "  bare queue: {:.0} jobs/s, lateness p50 {} p99 {}",
        baseline.per_second,
        ms(baseline.lateness.p50_ms),
        ms(baseline.lateness.p99_ms)
    );

    // Posts, created before their minute and not timed with it.
    let ctx = Creator {
        publishing,
        auth,
        pages: pages.iter().map(|p| p.connection_id.clone()).collect(),
        run: format!("{:08x}", rand::random::<u32>()),
    };
    let run = ctx.run.clone();
    let (created_secs, due) = create_posts(ctx, n, args.create_tasks).await?;
    eprintln!(
        "  created {n} posts in {created_secs:.1} s ({:.0} posts/s); due {} UTC",
        n as f64 / created_secs,
        due.strftime("%H:%M:%S")
    );

    let before = meter.snapshot();
    let publish = publish_phase(
        &db,
        &tap,
        &meter,
        &mut held.workers,
        n,
        due,
        args.timeout_secs,
    )
    .await?;
    let (requests, busy) = meter.snapshot();
    let sandbox_requests = requests - before.0;
    let sandbox_mean_ms = (busy - before.1).as_secs_f64() * 1000.0 / sandbox_requests.max(1) as f64;

    let check = exactly_once(&db, &sandbox, &pages, &run, publish.succeeded).await?;

    Ok(Report {
        backend: "postgres",
        build: build_profile(),
        posts: n,
        workers: args.workers,
        worker_concurrency: config.worker_concurrency,
        sandbox_limits: LIMITS_NOTE,
        baseline: BASELINE_NOTE,
        create_tasks: args.create_tasks,
        create_seconds: created_secs,
        create_per_second: n as f64 / created_secs,
        due_at: due.to_string(),
        throughput_ratio_to_baseline: ratio(publish.per_second, baseline.per_second),
        p50_lateness_ratio_to_baseline: ratio(publish.lateness.p50_ms, baseline.lateness.p50_ms),
        p99_lateness_ratio_to_baseline: ratio(publish.lateness.p99_ms, baseline.lateness.p99_ms),
        baseline_queue: baseline,
        publish,
        sandbox_requests,
        sandbox_mean_ms,
        pages: check.pages,
        duplicates: check.duplicates,
        missing: check.missing,
        exactly_once: check.exactly_once,
    })
}

/// The sandbox on a port of its own, quotas raised, its answer times
/// metered.
pub(super) fn start_sandbox(
    held: &mut Held,
    clock: Arc<dyn Clock>,
    listener: tokio::net::TcpListener,
    mut config: SandboxConfig,
) -> anyhow::Result<(Sandbox, Arc<SandboxMeter>)> {
    config.limits.meta_app_calls_per_hour = RAISED_BUDGET;
    config.limits.meta_buc_calls_per_hour = RAISED_BUDGET;
    config.limits.instagram_publishes_per_day = RAISED_BUDGET;
    config.limits.instagram_containers_per_day = RAISED_BUDGET;
    let sandbox = Sandbox::new(config, clock)?;
    let meter = Arc::new(SandboxMeter::default());
    let router = sandbox.router().layer(axum::middleware::from_fn({
        let meter = meter.clone();
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let meter = meter.clone();
            async move {
                let started = Instant::now();
                let response = next.run(request).await;
                meter.record(started.elapsed());
                response
            }
        }
    }));
    held.sandbox = Some(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the benchmark's sandbox stopped");
        }
    }));
    Ok((sandbox, meter))
}

struct ExactlyOnce {
    pages: Vec<PageReport>,
    duplicates: usize,
    missing: usize,
    exactly_once: bool,
}

/// Exactly once as the platform saw it: every published target on its
/// Page, and each (unique) caption of this run there once.
async fn exactly_once(
    db: &Db,
    sandbox: &Sandbox,
    pages: &[Page],
    run: &str,
    published: usize,
) -> anyhow::Result<ExactlyOnce> {
    let per_connection = published_per_connection(db).await?;
    let mut reports = Vec::new();
    let mut captions: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let on_platform = sandbox.published_on(&page.page_id);
        for post in &on_platform {
            if post.caption.contains(run) {
                *captions.entry(post.caption.clone()).or_default() += 1;
            }
        }
        reports.push(PageReport {
            name: page.name.clone(),
            page_id: page.page_id.clone(),
            published: per_connection
                .get(page.connection_id.as_str())
                .copied()
                .unwrap_or(0),
            on_platform: on_platform.len(),
        });
    }
    let duplicates: usize = captions.values().map(|c| c - 1).sum();
    let missing = published.saturating_sub(captions.len());
    let exactly_once = duplicates == 0
        && missing == 0
        && captions.len() == published
        && reports.iter().all(|p| p.published == p.on_platform);
    Ok(ExactlyOnce {
        pages: reports,
        duplicates,
        missing,
        exactly_once,
    })
}

/// The environment of this process's configuration and of every worker.
pub(super) fn worker_env(
    database_url: &str,
    data_dir: &std::path::Path,
    sandbox: &str,
    concurrency: Option<usize>,
) -> BTreeMap<String, String> {
    let secret: String = (0..48)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rand::random_range(0..36)]))
        .collect();
    let mut env = BTreeMap::from([
        ("HERALD_DATABASE_URL".to_owned(), database_url.to_owned()),
        ("HERALD_DATA_DIR".to_owned(), data_dir.display().to_string()),
        ("HERALD_SANDBOX_URL".to_owned(), sandbox.to_owned()),
        ("HERALD_SESSION_SECRET".to_owned(), secret),
        // One info line per job in both phases (`ping job ran`,
        // `published`), read back for the no-op jobs' lateness.
        ("HERALD_LOG".to_owned(), "info".to_owned()),
        ("HERALD_LOG_FORMAT".to_owned(), "json".to_owned()),
    ]);
    if let Some(c) = concurrency {
        env.insert("HERALD_WORKER_CONCURRENCY".to_owned(), c.to_string());
    }
    env
}

// ------------------------------------------------------- account and pages

/// Signs an account up, verifies it from the mail and logs in; returns the
/// user and the session id the connect flow is bound to.
pub(super) async fn sign_up(accounts: &Accounts, db: &Db) -> anyhow::Result<(User, String)> {
    let meta = bench_meta();
    let email = format!("bench-{:08x}@herald.invalid", rand::random::<u32>());
    let password = format!(
        "Bench-{:016x}-{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    accounts
        .sign_up(&email, &password, "Benchmark", "en", "benchmark", &meta)
        .await
        .context("signing the benchmark account up")?;
    let mail = herald_mail::recent(db, 20)
        .await?
        .into_iter()
        .find(|m| m.to == email)
        .context("no verification mail was queued")?;
    let token = token_in(&mail.text).context("the verification mail has no token")?;
    accounts
        .verify_email(&token, &meta)
        .await
        .context("verifying the benchmark account")?;
    let (cookie, user) = accounts.log_in(&email, &password, &meta).await?;
    let authed = accounts
        .session(cookie.expose())
        .await?
        .context("the new session is not valid")?;
    Ok((user, authed.session_id))
}

fn token_in(text: &str) -> Option<String> {
    let at = text.find("token=")? + "token=".len();
    let token: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

pub(super) fn bench_meta() -> RequestMeta {
    RequestMeta::new(Some("127.0.0.1".into()), Some("herald-bench"))
}

struct Page {
    connection_id: ConnectionId,
    page_id: String,
    name: String,
}

/// Connects every Facebook Page of sandbox user `demo`: start, the consent
/// page as a browser submits it (all scopes and Pages ticked), the
/// callback, and the choice of Pages.
async fn connect_pages(
    connections: &Connections,
    user: &User,
    session: &str,
    auth: &Authorized,
) -> anyhow::Result<Vec<Page>> {
    let meta = bench_meta();
    let authorize = connections
        .start(user, Some(session), auth, ProviderId::Facebook, false)
        .await
        .context("starting the Facebook connect flow")?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = browser.get(authorize.as_str()).send().await?;
    ensure!(
        page.status().is_success(),
        "the sandbox consent page answered {}",
        page.status()
    );
    let html = page.text().await?;
    let (action, mut fields) = consent_form(&html).context("no form on the consent page")?;
    fields.retain(|(k, _)| k != "sandbox_user");
    fields.push(("sandbox_user".into(), "demo".into()));
    fields.push(("decision".into(), "allow".into()));
    let action = authorize.join(&action)?;
    let answer = browser.post(action).form(&fields).send().await?;
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .with_context(|| {
            format!(
                "the consent form answered {} without a redirect",
                answer.status()
            )
        })?;
    let back = url::Url::parse(location).context("the consent redirect is not a URL")?;
    let query: HashMap<String, String> = back.query_pairs().into_owned().collect();
    let params = CallbackParams {
        state: query.get("state").cloned(),
        code: query.get("code").cloned(),
        error: query.get("error").cloned(),
        error_reason: query.get("error_reason").cloned(),
        error_description: query.get("error_description").cloned(),
    };
    let connected = match connections
        .complete(user, Some(session), ProviderId::Facebook, &params, &meta)
        .await
        .context("completing the Facebook connect flow")?
    {
        Completed::Connected { accounts, .. } => accounts,
        Completed::Choose { attempt } => {
            let (_, choices) = connections.choices(user, Some(session), &attempt).await?;
            let chosen: Vec<String> = choices
                .iter()
                .filter(|c| c.kind == AccountKind::FacebookPage)
                .map(|c| c.key.clone())
                .collect();
            connections
                .choose(user, Some(session), &attempt, &chosen, &meta)
                .await
                .context("choosing the Pages")?
                .1
        }
    };
    let pages: Vec<Page> = connected
        .into_iter()
        .filter(|c| c.kind == AccountKind::FacebookPage)
        .map(|c| Page {
            connection_id: c.id,
            page_id: c.remote_id,
            name: c.name,
        })
        .collect();
    ensure!(
        pages.len() == 2,
        "expected the two Pages of sandbox user demo, connected {}",
        pages.len()
    );
    Ok(pages)
}

/// The form action and what a browser submits from the consent page:
/// hidden and text fields and the ticked, enabled checkboxes.
pub(super) fn consent_form(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let form = html.split("<form").nth(1)?;
    let action = attr(&form[..form.find('>')?], "action")?;
    let mut fields = Vec::new();
    for chunk in form.split("<input").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let value = attr(tag, "value").unwrap_or_default();
        match attr(tag, "type").as_deref() {
            Some("checkbox") if tag.contains(" checked") && !tag.contains(" disabled") => {
                fields.push((name, value));
            }
            Some("checkbox") | Some("submit") => {}
            _ => fields.push((name, value)),
        }
    }
    Some((action, fields))
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

// ------------------------------------------------------------ the workers

/// What the workers' log lines told.
#[derive(Default)]
struct Tap {
    state: Mutex<TapState>,
}

#[derive(Default)]
struct TapState {
    started: usize,
    /// Start − due of each no-op job, microseconds.
    pings: Vec<i64>,
    /// When the last no-op job started (the worker's clock).
    last_ping: Option<Timestamp>,
    /// Warnings and errors (the first few, and how many).
    problems: Vec<String>,
    problem_count: usize,
    /// The last lines each worker wrote to stderr.
    stderr: VecDeque<String>,
}

impl Tap {
    fn with<R>(&self, f: impl FnOnce(&mut TapState) -> R) -> R {
        f(&mut self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn line(&self, worker: usize, line: &str) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            self.problem(worker, line);
            return;
        };
        let message = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
        let level = v.get("level").and_then(|l| l.as_str()).unwrap_or("");
        match message {
            "worker started" => self.with(|s| s.started += 1),
            "ping job ran" => {
                let late_ms = match v.get("lateness_ms") {
                    Some(serde_json::Value::String(s)) => s.parse::<f64>().ok(),
                    Some(other) => other.as_f64(),
                    None => None,
                };
                let at = v
                    .get("timestamp")
                    .and_then(|t| t.as_str())
                    .and_then(|t| t.parse::<Timestamp>().ok());
                self.with(|s| {
                    s.pings.push((late_ms.unwrap_or(f64::NAN) * 1000.0) as i64);
                    if at > s.last_ping {
                        s.last_ping = at;
                    }
                });
            }
            _ if level == "WARN" || level == "ERROR" => self.problem(worker, line),
            _ => {}
        }
    }

    fn problem(&self, worker: usize, line: &str) {
        self.with(|s| {
            s.problem_count += 1;
            if s.problems.len() < 10 {
                s.problems.push(format!("worker {worker}: {line}"));
            }
        });
    }

    fn stderr(&self, worker: usize, line: &str) {
        self.with(|s| {
            s.stderr.push_back(format!("worker {worker}: {line}"));
            while s.stderr.len() > 20 {
                s.stderr.pop_front();
            }
        });
    }

    /// The stderr tail, for an error message.
    fn tail(&self) -> String {
        self.with(|s| s.stderr.iter().cloned().collect::<Vec<_>>().join("\n"))
    }
}

/// `herald worker` from this very binary, with exactly `env` as its
/// Herald configuration; its output goes to `tap`. Killed when dropped.
fn spawn_worker(
    index: usize,
    env: &BTreeMap<String, String>,
    tap: &Arc<Tap>,
) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("could not find the herald binary")?;
    let mut cmd = Command::new(exe);
    cmd.arg("worker")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HERALD_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env);
    let mut child = cmd.spawn().context("could not start `herald worker`")?;
    if let Some(out) = child.stdout.take() {
        let tap = tap.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(out).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tap.line(index, &line);
            }
        });
    }
    if let Some(err) = child.stderr.take() {
        let tap = tap.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(err).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tap.stderr(index, &line);
            }
        });
    }
    Ok(child)
}

/// Fails when a worker has exited.
fn check_alive(workers: &mut [Child], tap: &Tap) -> anyhow::Result<()> {
    for (i, child) in workers.iter_mut().enumerate() {
        if let Some(status) = child.try_wait()? {
            bail!("worker {i} exited ({status}):\n{}", tap.tail());
        }
    }
    Ok(())
}

async fn wait_started(tap: &Tap, workers: &mut [Child], n: usize) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while tap.with(|s| s.started) < n {
        check_alive(workers, tap)?;
        ensure!(
            Instant::now() < deadline,
            "the workers did not start within a minute:\n{}",
            tap.tail()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

// ------------------------------------------------------------- baseline

/// `n` no-op jobs due at one instant a few seconds ahead, drained by the
/// worker processes; lateness from their log lines.
async fn baseline(
    queue: &Queue,
    tap: &Tap,
    workers: &mut [Child],
    n: usize,
    timeout_secs: u64,
) -> anyhow::Result<Phase> {
    let job = NewJob::of(&herald_jobs::system::Ping {})?;
    // Enqueuing takes well under a second; the next whole second after
    // three from now leaves room.
    let due = whole_second_after(Timestamp::now() + SignedDuration::from_secs(3));
    let jobs = vec![job.run_at(due); n];
    for chunk in jobs.chunks(5_000) {
        let mut tx = queue.db().begin().await?;
        queue.enqueue_many(&mut tx, chunk).await?;
        tx.commit().await?;
    }
    ensure!(
        Timestamp::now() < due,
        "enqueuing {n} jobs took past their due time"
    );
    let deadline = Instant::now() + until(due) + Duration::from_secs(timeout_secs);
    let left = || async {
        anyhow::Ok(
            queue
                .counts()
                .await?
                .iter()
                .filter(|((q, _), _)| q == herald_jobs::system::Ping::QUEUE)
                .map(|(_, c)| *c)
                .sum::<i64>(),
        )
    };
    // Progress as (jobs seen, since when), to notice a stall.
    let mut progress = (0, Instant::now() + until(due));
    while tap.with(|s| s.pings.len()) < n {
        check_alive(workers, tap)?;
        let seen = tap.with(|s| s.pings.len());
        ensure!(
            Instant::now() < deadline,
            "the workers ran {seen} of {n} no-op jobs within {timeout_secs} s"
        );
        if seen != progress.0 {
            progress = (seen, Instant::now());
        }
        // Stalled with an empty queue: the jobs ran but their lines are
        // missing (only asked when stalled, not to load the database while
        // it drains).
        if Timestamp::now() > due
            && progress.1.elapsed() > Duration::from_secs(3)
            && left().await? == 0
        {
            bail!(
                "the workers ran every no-op job but logged the start of {seen}; \
                 does `system.ping.v1` still log \"ping job ran\" with lateness_ms?"
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every job has started; wait until the queue has finished them too.
    loop {
        let left = left().await?;
        if left == 0 {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "{left} no-op jobs still stored after all ran"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (late, last) = tap.with(|s| (std::mem::take(&mut s.pings), s.last_ping));
    let last = last.context("the workers logged no start times")?;
    let seconds = last.duration_since(due).as_secs_f64().max(1e-6);
    Ok(Phase {
        count: n,
        succeeded: n,
        failed: 0,
        seconds,
        per_second: n as f64 / seconds,
        lateness: Lateness::of(late),
    })
}

/// Time left until `t` (zero once it has passed).
fn until(t: Timestamp) -> Duration {
    Duration::try_from(t.duration_since(Timestamp::now())).unwrap_or_default()
}

fn whole_second_after(t: Timestamp) -> Timestamp {
    let s = t.as_second() + 1;
    Timestamp::from_second(s).unwrap_or(t)
}

// ----------------------------------------------------------------- posts

struct Creator {
    publishing: Publishing,
    auth: Authorized,
    pages: Vec<ConnectionId>,
    /// Marks this run's captions (unique per post), for the duplicate check.
    run: String,
}

impl Creator {
    fn input(&self, i: usize, n: usize, when: When) -> PostInput {
        PostInput {
            targets: vec![TargetInput {
                connection_id: self.pages[i % self.pages.len()].clone(),
                variant: Variant {
                    format: PostFormat::Text,
                    caption: format!("Herald benchmark {} post {} of {n}", self.run, i + 1),
                    ..Variant::default()
                },
            }],
            when,
        }
    }

    /// Creates posts `0..n` with `tasks` at once, scheduled by `when`;
    /// returns their ids.
    async fn create(
        self: &Arc<Self>,
        n: usize,
        total: usize,
        tasks: usize,
        when: When,
    ) -> anyhow::Result<Vec<PostId>> {
        let next = Arc::new(AtomicUsize::new(0));
        let mut running = tokio::task::JoinSet::new();
        for _ in 0..tasks.min(n) {
            let (me, next, when) = (self.clone(), next.clone(), when.clone());
            running.spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return anyhow::Ok(ids);
                    }
                    let post = me
                        .publishing
                        .create(&me.auth, me.input(i, total, when.clone()))
                        .await
                        .with_context(|| format!("creating post {}", i + 1))?;
                    ids.push(post.id);
                }
            });
        }
        let mut ids = Vec::with_capacity(n);
        while let Some(done) = running.join_next().await {
            ids.extend(done.context("a post-creating task panicked")??);
        }
        Ok(ids)
    }
}

/// Times a small sample (scheduled a day ahead, then deleted) to choose a
/// minute that every post can be created before, then creates the posts
/// due at it. Returns the creation time and the due time.
async fn create_posts(
    creator: Creator,
    n: usize,
    tasks: usize,
) -> anyhow::Result<(f64, Timestamp)> {
    let creator = Arc::new(creator);
    let sample = n.clamp(1, 100);
    let tomorrow = Timestamp::now() + SignedDuration::from_hours(24);
    let started = Instant::now();
    let ids = creator
        .create(sample, sample, tasks, utc_schedule(tomorrow))
        .await?;
    let per_post = started.elapsed().as_secs_f64() / sample as f64;
    for id in ids {
        creator
            .publishing
            .delete(&creator.auth, &id)
            .await
            .context("deleting a sample post")?;
    }
    // A quarter more than the sample says, at least half a minute to
    // spare, then the next whole minute.
    let expected = SignedDuration::from_secs_f64(per_post * n as f64 * 1.25);
    let earliest = Timestamp::now() + expected + SignedDuration::from_secs(30);
    let due = Timestamp::from_second((earliest.as_second() / 60 + 1) * 60)?;
    eprintln!(
        "  creating {n} posts ({:.1} ms each in a sample of {sample}), due {} UTC",
        per_post * 1000.0,
        due.strftime("%H:%M")
    );
    let started = Instant::now();
    creator.create(n, n, tasks, utc_schedule(due)).await?;
    let seconds = started.elapsed().as_secs_f64();
    ensure!(
        Timestamp::now() + SignedDuration::from_secs(2) < due,
        "creating the posts took {seconds:.0} s, past their due time {due}; try fewer --posts or more --create-tasks"
    );
    Ok((seconds, due))
}

fn utc_schedule(at: Timestamp) -> When {
    When::Schedule {
        schedule: Schedule::new(
            at.to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            "UTC",
        ),
    }
}

// --------------------------------------------------------------- publish

/// Waits until every target is published or failed, then measures.
async fn publish_phase(
    db: &Db,
    tap: &Tap,
    meter: &SandboxMeter,
    workers: &mut [Child],
    n: usize,
    due: Timestamp,
    timeout_secs: u64,
) -> anyhow::Result<Phase> {
    let deadline = Instant::now() + until(due) + Duration::from_secs(timeout_secs);
    let mut last_note: Option<(Instant, usize, (u64, Duration))> = None;
    loop {
        let counts = target_counts(db).await?;
        let done = counts.get("published").copied().unwrap_or(0)
            + counts.get("failed").copied().unwrap_or(0);
        if done >= n {
            break;
        }
        check_alive(workers, tap)?;
        ensure!(
            Instant::now() < deadline,
            "{done} of {n} posts finished within {timeout_secs} s of their due time: {counts:?}"
        );
        // Progress every 5 s once due: done, rate, and the sandbox's
        // answer time (it shares the CPUs with everything else).
        if Timestamp::now() > due {
            let (requests, busy) = meter.snapshot();
            match last_note {
                None => last_note = Some((Instant::now(), done, (requests, busy))),
                Some((at, before, (r0, b0))) if at.elapsed() > Duration::from_secs(5) => {
                    eprintln!(
                        "  {}: {:.0}/s in the last {:.0} s; sandbox {:.2} ms per request",
                        counts_line(&counts),
                        done.saturating_sub(before) as f64 / at.elapsed().as_secs_f64(),
                        at.elapsed().as_secs_f64(),
                        (busy - b0).as_secs_f64() * 1000.0 / (requests - r0).max(1) as f64
                    );
                    last_note = Some((Instant::now(), done, (requests, busy)));
                }
                Some(_) => {}
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // status, due_at, started_at, published_at
    type Times = (String, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Times> = on_pool!(db, |pool| {
        sqlx::query_as("SELECT status, due_at, started_at, published_at FROM post_targets")
            .fetch_all(pool)
            .await?
    });
    let due_db = due.as_microsecond();
    let mut late = Vec::with_capacity(rows.len());
    let (mut published, mut failed, mut last) = (0, 0, due_db);
    for (status, due_at, started_at, published_at) in rows {
        match status.as_str() {
            "published" => published += 1,
            "failed" => failed += 1,
            _ => {}
        }
        if let (Some(d), Some(s)) = (due_at, started_at) {
            late.push(s - d);
        }
        last = last.max(published_at.unwrap_or(due_db));
    }
    let seconds = DbTime::from_micros(last)
        .0
        .duration_since(due)
        .as_secs_f64()
        .max(1e-6);
    let problems = tap.with(|s| (s.problem_count, s.problems.clone()));
    if problems.0 > 0 {
        eprintln!(
            "  the workers logged {} warning(s) or error(s), first:",
            problems.0
        );
        for p in problems.1 {
            eprintln!("    {p}");
        }
    }
    Ok(Phase {
        count: n,
        succeeded: published,
        failed,
        seconds,
        per_second: published as f64 / seconds,
        lateness: Lateness::of(late),
    })
}

async fn target_counts(db: &Db) -> anyhow::Result<BTreeMap<String, usize>> {
    let rows: Vec<(String, i64)> = on_pool!(db, |pool| {
        sqlx::query_as("SELECT status, COUNT(*) FROM post_targets GROUP BY status")
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|(s, c)| (s, c as usize)).collect())
}

fn counts_line(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(s, c)| format!("{s} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn published_per_connection(db: &Db) -> anyhow::Result<HashMap<String, usize>> {
    let rows: Vec<(Option<String>, i64)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT connection_id, COUNT(*) FROM post_targets \
             WHERE status = 'published' GROUP BY connection_id",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(c, n)| Some((c?, n as usize)))
        .collect())
}

// ---------------------------------------------------------------- output

/// Milliseconds, or seconds from one second on.
fn ms(v: f64) -> String {
    if v.abs() >= 1_000.0 {
        format!("{:.2} s", v / 1000.0)
    } else {
        format!("{v:.1} ms")
    }
}

fn print_report(r: &Report) {
    println!(
        "Herald publish benchmark: {} Facebook Page text posts due at {} on PostgreSQL,",
        r.posts, r.due_at
    );
    println!(
        "  {} `herald worker` process(es) x {} jobs per queue, {} build",
        r.workers, r.worker_concurrency, r.build
    );
    println!("  {}", r.sandbox_limits);
    println!("  baseline: {}", r.baseline);
    println!(
        "  {:<34} {:>8.0} {:<7} ({:.1} s before the due time; not in the figures below)",
        format!("create: publishing service, {} at once", r.create_tasks),
        r.create_per_second,
        "posts/s",
        r.create_seconds
    );
    println!(
        "  {:<34} {:>16} {:>12} {:>12} {:>12}",
        "", "throughput", "lateness p50", "p99", "max"
    );
    for (label, p, unit) in [
        (
            "baseline: bare queue, no-op jobs",
            &r.baseline_queue,
            "jobs/s",
        ),
        ("publish: due -> published", &r.publish, "posts/s"),
    ] {
        println!(
            "  {:<34} {:>8.0} {:<7} {:>12} {:>12} {:>12}",
            label,
            p.per_second,
            unit,
            ms(p.lateness.p50_ms),
            ms(p.lateness.p99_ms),
            ms(p.lateness.max_ms)
        );
    }
    println!(
        "  {:<34} {:>15.3}x {:>11.1}x {:>11.1}x",
        "publish / baseline",
        r.throughput_ratio_to_baseline,
        r.p50_lateness_ratio_to_baseline,
        r.p99_lateness_ratio_to_baseline
    );
    println!(
        "  sandbox (in this process): {} requests while publishing, {:.1} ms each on average",
        r.sandbox_requests, r.sandbox_mean_ms
    );
    let pages = r
        .pages
        .iter()
        .map(|p| format!("{} {}/{}", p.name, p.on_platform, p.published))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "  published {}, failed {}; on the platform / published: {pages}; duplicates {}, missing {}: {}",
        r.publish.succeeded,
        r.publish.failed,
        r.duplicates,
        r.missing,
        if r.exactly_once {
            "exactly once"
        } else {
            "NOT EXACTLY ONCE"
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_form_is_submitted_as_a_browser_would() {
        let html = r#"<p>x</p><form method="post" action="http://127.0.0.1:9/dialog/oauth?a=1&amp;b=2">
<input type="hidden" name="state" value="s&amp;1">
<input id="sandbox_user" name="sandbox_user" value="demo" required>
<input type="checkbox" name="page" value="0" checked>
<input type="checkbox" name="page" value="1">
<input type="checkbox" name="grant" value="email" checked disabled>
<input type="hidden" name="grant" value="email">
<button type="submit" name="decision" value="allow">Allow</button>
</form>"#;
        let (action, fields) = consent_form(html).unwrap();
        assert_eq!(action, "http://127.0.0.1:9/dialog/oauth?a=1&b=2");
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("state", "s&1"),
                ("sandbox_user", "demo"),
                ("page", "0"),
                ("grant", "email")
            ]
        );
    }

    #[test]
    fn the_verification_token_is_read_from_the_link() {
        assert_eq!(
            token_in("Confirm: http://h/verify-email?token=Ab-9_x.\n").as_deref(),
            Some("Ab-9_x")
        );
        assert_eq!(token_in("no link here"), None);
    }

    #[test]
    fn schedules_name_the_utc_wall_clock_time() {
        let at: Timestamp = "2026-11-24T22:31:00Z".parse().unwrap();
        let When::Schedule { schedule } = utc_schedule(at) else {
            panic!("not a schedule");
        };
        assert_eq!(schedule, Schedule::new("2026-11-24T22:31:00", "UTC"));
        assert_eq!(schedule.resolve().unwrap(), at);
        assert_eq!(
            whole_second_after("2026-11-24T22:31:00.2Z".parse().unwrap()),
            "2026-11-24T22:31:01Z".parse::<Timestamp>().unwrap()
        );
    }
}
