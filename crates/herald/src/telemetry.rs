//! Logging (readable in development, JSON in production) and the
//! Prometheus recorder.

use std::time::Duration;

use anyhow::Context;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{Config, LogFormat};

static JSON_LOGS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether log lines are JSON (machine-read), so a fatal error must also be
/// logged as a line, not only printed for a person.
pub fn json_logs() -> bool {
    JSON_LOGS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Installs the global subscriber. The request span (with its request id)
/// is included on every line logged while handling a request.
pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(format!("{},sqlx::query=warn", config.log))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    JSON_LOGS.store(
        config.log_format == LogFormat::Json,
        std::sync::atomic::Ordering::Relaxed,
    );
    let result = match config.log_format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .flatten_event(true),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().with_target(false))
            .try_init(),
    };
    if result.is_err() {
        eprintln!("logging was already initialised");
    }
}

static METRICS: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();

/// Installs the process-wide metrics recorder (once; later calls return the
/// same handle) and a thread that keeps its histograms trimmed.
pub fn init_metrics() -> anyhow::Result<PrometheusHandle> {
    let mut failure = None;
    let handle = METRICS.get_or_init(|| match build_recorder() {
        Ok(handle) => handle,
        Err(e) => {
            failure = Some(e);
            PrometheusBuilder::new().build_recorder().handle()
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(handle.clone()),
    }
}

fn build_recorder() -> anyhow::Result<PrometheusHandle> {
    let latency_buckets = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    let lateness_buckets = [
        0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 3600.0,
    ];
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(herald_jobs::metrics::LATENESS.into()),
            &lateness_buckets,
        )?
        .set_buckets(&latency_buckets)?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).context("a metrics recorder was already installed")?;
    herald_jobs::metrics::describe();
    herald_mail::metrics::describe();
    herald_ratelimit::metrics::describe();
    herald_events::metrics::describe();
    herald_webhooks::outbound::metrics::describe();
    metrics::describe_counter!(
        "herald_http_requests_total",
        "HTTP requests by method, route and status."
    );
    metrics::describe_histogram!(
        "herald_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request latency by method, route and status."
    );
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        })
        .context("starting the metrics upkeep thread")?;
    Ok(handle)
}
