//! `herald-sandbox`: the simulators as a standalone process, for adapters
//! tested from other processes and for clicking through the consent pages.
//!
//! ```text
//! herald-sandbox [--listen 127.0.0.1:8085] [--public-base URL]
//!                [--state-file PATH] [--tiktok-rotating-refresh]
//! ```
//! Logs go to stderr (`RUST_LOG`, default `info,herald_sandbox=debug`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use herald_core::SystemClock;
use herald_sandbox::{Sandbox, SandboxConfig};

struct Args {
    listen: String,
    public_base: Option<String>,
    state_file: Option<PathBuf>,
    rotating: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:8085".into(),
        public_base: None,
        state_file: None,
        rotating: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => args.listen = value("--listen")?,
            "--public-base" => args.public_base = Some(value("--public-base")?),
            "--state-file" => args.state_file = Some(PathBuf::from(value("--state-file")?)),
            "--tiktok-rotating-refresh" => args.rotating = true,
            "-h" | "--help" => {
                return Err("usage: herald-sandbox [--listen ADDR] [--public-base URL] [--state-file PATH] [--tiktok-rotating-refresh]".into());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,herald_sandbox=debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut config = SandboxConfig::new(
        args.public_base
            .unwrap_or_else(|| format!("http://{}", args.listen)),
    );
    config.state_file = args.state_file;
    config.tiktok_rotating_refresh = args.rotating;
    let sandbox = match Sandbox::new(config, Arc::new(SystemClock)) {
        Ok(s) => s,
        Err(error) => {
            eprintln!("herald-sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(error) => {
            eprintln!("herald-sandbox: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        listen = %args.listen,
        public_base = %sandbox.config().public_base,
        "herald sandbox ready"
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, sandbox.router())
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("herald-sandbox: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
