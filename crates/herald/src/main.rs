//! The `herald` command: one binary for the web app, the API, the worker and
//! the scheduler, plus operator commands (migrate, config, jobs, bench).

use herald::{app, bench, telemetry};
use herald_core::Named;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use herald_core::SystemClock;
use herald_jobs::{Cancelled, JobId, JobState, NewJob, Queue};

use herald::config::Config;

#[derive(Parser)]
#[command(
    name = "herald",
    version,
    about = "Self-hosted social publishing: compose once, publish everywhere, exactly once."
)]
struct Cli {
    /// A TOML configuration file (also HERALD_CONFIG). Environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run everything: web app, API, background worker and scheduler.
    Serve,
    /// Run background jobs only (add more of these to scale out on PostgreSQL).
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets redacted) and where each value came from.
    Config {
        /// List every key with its default and meaning instead.
        #[arg(long)]
        keys: bool,
    },
    /// Inspect and manage the job queue.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Measure Herald against a baseline from the same run.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Manage the keys that encrypt platform tokens at rest.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Run the platform simulators on their own (tests, development).
    Sandbox {
        #[arg(long, default_value_t = 9090)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Keep the simulators' state (issued tokens, users) in this file.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// List the keys and how many stored credentials each protects.
    List,
    /// Add a new key; credentials are re-encrypted under it in the
    /// background by a running worker (or here, with --now).
    Rotate {
        /// Re-encrypt in this process instead of queueing a job.
        #[arg(long)]
        now: bool,
    },
    /// Remove an old key once nothing is encrypted under it.
    Retire { id: u32 },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Count jobs by queue and state.
    Stats,
    /// List stored jobs in a state (newest first).
    List {
        #[arg(long, default_value = "dead")]
        state: String,
        #[arg(long)]
        queue: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Requeue a dead job (or all dead jobs) with a fresh set of attempts.
    Retry {
        id: Option<i64>,
        /// Requeue every dead job (of --queue, when given).
        #[arg(long, conflicts_with = "id")]
        all_dead: bool,
        #[arg(long, requires = "all_dead")]
        queue: Option<String>,
    },
    /// Cancel a job: queued or dead ones are removed, running ones asked to stop.
    Cancel { id: i64 },
    /// Enqueue a no-op job and wait until a worker has finished it.
    Ping {
        #[arg(long, default_value_t = 30)]
        timeout_secs: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Readable logs already go to the terminal: print the error once.
            if telemetry::json_logs() {
                tracing::error!("{e:#}");
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Config { keys } => {
            print_config(&config, keys);
            return Ok(());
        }
        Command::Bench(cmd) => {
            telemetry::init_logging(&config);
            return bench::run(cmd).await;
        }
        Command::Sandbox { port, host, state } => {
            telemetry::init_logging(&config);
            return sandbox(&config, &host, port, state).await;
        }
        _ => {}
    }
    telemetry::init_logging(&config);
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    match cli.command {
        Command::Serve => app::serve(config).await,
        Command::Worker => app::work(config).await,
        Command::Migrate => {
            let db = app::open_database(&config).await?;
            println!("the {} database is up to date", db.backend().as_str());
            db.close().await;
            Ok(())
        }
        Command::Jobs(cmd) => jobs(config, cmd).await,
        Command::Keys(cmd) => keys(config, cmd).await,
        Command::Config { .. } | Command::Bench(_) | Command::Sandbox { .. } => {
            unreachable!("handled above")
        }
    }
}

fn print_config(config: &Config, keys: bool) {
    if keys {
        for (var, default, help, secret) in Config::key_help() {
            let default = default.unwrap_or("-");
            let file = if secret {
                format!(" (or {var}_FILE)")
            } else {
                String::new()
            };
            println!("{var}{file}\n    default: {default}\n    {help}");
        }
        return;
    }
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    let width = config
        .describe()
        .iter()
        .map(|(k, _, _)| k.len())
        .max()
        .unwrap_or(0);
    for (var, value, source) in config.describe() {
        println!("{var:width$}  {value}    ({source})");
    }
}

/// The simulators on their own. Their app secrets are the install's (from
/// the data folder, generated there when missing), so a `herald serve`
/// with the same data folder and `HERALD_SANDBOX_URL` pointing here
/// accepts their webhooks and is accepted at their token endpoints.
async fn sandbox(
    herald: &Config,
    host: &str,
    port: u16,
    state: Option<PathBuf>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .with_context(|| format!("could not listen on {host}:{port}"))?;
    let addr = listener.local_addr()?;
    let mut herald = herald.clone();
    herald.sandbox_secrets = Some(herald.load_sandbox_secrets()?);
    let mut config = herald::platforms::sandbox_config(&herald, format!("http://{addr}"));
    config.state_file = state;
    let sandbox = herald_sandbox::Sandbox::new(config, Arc::new(SystemClock))?;
    println!("Herald sandbox (platform simulators) on http://{addr}/");
    axum::serve(listener, sandbox.router())
        .with_graceful_shutdown(herald::shutdown_signal())
        .await?;
    Ok(())
}

async fn keys(config: Config, cmd: KeysCommand) -> anyhow::Result<()> {
    use herald_connections::vault::{KeyId, Vault};
    let path = config.credential_keys_path();
    let vault = Vault::open_or_create(&path)
        .with_context(|| format!("could not open the credential keyring {}", path.display()))?;
    let db = app::open_database(&config).await?;
    let keyring = app::keyring();
    match cmd {
        KeysCommand::List => {
            let usage = keyring.usage(&db).await?;
            let active = vault.active_key();
            println!("keyring {}", path.display());
            for id in vault.key_ids() {
                let mark = if Some(id) == active {
                    "  (encrypts new values)"
                } else {
                    ""
                };
                let (n, sets) = usage.get(&i64::from(id.0)).cloned().unwrap_or_default();
                println!("key {id}: {n} sealed value(s){mark}");
                for (set, count) in sets {
                    println!("    {count} {set}");
                }
            }
            for (k, (n, _)) in &usage {
                if !vault.key_ids().contains(&KeyId(*k as u32)) {
                    println!(
                        "key {k}: {n} sealed value(s) — NOT IN THE KEYRING, they cannot be decrypted"
                    );
                }
            }
        }
        KeysCommand::Rotate { now } => {
            let id = vault.rotate()?;
            println!(
                "added key {id} to {}; it encrypts from now on",
                path.display()
            );
            if now {
                let n = keyring.reencrypt_all(&db, &vault).await?;
                println!("re-encrypted {n} sealed value(s) under key {id}");
            } else {
                let queue = Queue::new(db.clone(), Arc::new(SystemClock));
                queue
                    .enqueue_now(
                        NewJob::of(&herald_connections::jobs::ReencryptCredentials {})?.unique_key(
                            format!("{}:{id}", herald_connections::jobs::REENCRYPT_KEY),
                        ),
                    )
                    .await?;
                println!(
                    "queued re-encryption of every sealed value; a running `herald serve` or `herald worker` does it (watch with `herald keys list`)"
                );
            }
        }
        KeysCommand::Retire { id } => {
            let id = KeyId(id);
            let n = keyring.uses(&db, id).await?;
            if n > 0 {
                anyhow::bail!(
                    "key {id} still protects {n} sealed value(s); wait for the re-encryption (or run `herald keys rotate --now`) first"
                );
            }
            vault.retire(id)?;
            println!("retired key {id}");
        }
    }
    db.close().await;
    Ok(())
}

async fn jobs(config: Config, cmd: JobsCommand) -> anyhow::Result<()> {
    let db = app::open_database(&config).await?;
    let queue = Queue::new(db.clone(), Arc::new(SystemClock));
    match cmd {
        JobsCommand::Stats => {
            let counts = queue.counts().await?;
            if counts.is_empty() {
                println!("no stored jobs");
            }
            for ((q, state), n) in counts {
                println!("{q:20} {state:8} {n}");
            }
        }
        JobsCommand::List {
            state,
            queue: q,
            limit,
        } => {
            let state = JobState::parse(&state).with_context(|| {
                format!("unknown state {state:?}: expected queued, running or dead")
            })?;
            let jobs = queue.list(state, q.as_deref(), limit).await?;
            if jobs.is_empty() {
                println!("no {state} jobs");
            }
            for j in jobs {
                println!(
                    "{:>8}  {:12} {:24} attempts {}/{}  run_at {}  {}",
                    j.id,
                    j.queue,
                    j.kind,
                    j.attempts,
                    j.max_attempts,
                    j.run_at,
                    j.last_error.unwrap_or_default()
                );
            }
        }
        JobsCommand::Retry {
            id,
            all_dead,
            queue: q,
        } => {
            if all_dead {
                let n = queue.requeue_all_dead(q.as_deref()).await?;
                println!("requeued {n} dead job(s)");
            } else {
                let id = id.context("give a job id, or --all-dead")?;
                if !queue.requeue(JobId(id)).await? {
                    anyhow::bail!("there is no dead job {id}");
                }
                println!("requeued job {id}");
            }
        }
        JobsCommand::Cancel { id } => match queue.cancel(JobId(id)).await? {
            Cancelled::Removed => println!("cancelled job {id}"),
            Cancelled::Requested => println!("job {id} is running; asked it to stop"),
            Cancelled::NotFound => anyhow::bail!("there is no job {id}"),
        },
        JobsCommand::Ping { timeout_secs } => {
            let started = Instant::now();
            let id = queue
                .enqueue_now(NewJob::of(&herald_jobs::system::Ping {})?)
                .await?
                .id();
            let deadline = started + Duration::from_secs(timeout_secs);
            loop {
                match queue.get(id).await? {
                    None => {
                        println!("a worker finished ping job {id} in {:?}", started.elapsed());
                        break;
                    }
                    Some(job) if job.state == JobState::Dead => {
                        anyhow::bail!("ping job {id} died: {}", job.last_error.unwrap_or_default())
                    }
                    Some(_) if Instant::now() > deadline => {
                        let _ = queue.cancel(id).await;
                        anyhow::bail!(
                            "no worker finished ping job {id} within {timeout_secs}s; is `herald serve` or `herald worker` running against this database?"
                        )
                    }
                    Some(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
    }
    db.close().await;
    Ok(())
}
