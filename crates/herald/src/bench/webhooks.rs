//! `herald bench webhooks`: signed Meta deliveries acknowledged per second
//! by Herald's real `/webhooks/meta` endpoint — which answers 200 only
//! after the delivery is committed to the database — next to a baseline
//! endpoint in the same process that verifies the signature the same way
//! and stores nothing.
//!
//! Herald runs in this process on a fresh database (a SQLite file, or a new
//! database on `--postgres`), with its worker processing the deliveries as
//! they arrive, as in production. The baseline is a bare axum server with a
//! handler that checks `X-Hub-Signature-256` and answers 200. A second
//! baseline is Herald's own endpoint given deliveries signed with a wrong
//! secret: the same HTTP stack (middleware, logging, metrics) and the same
//! signature check, answered 401 with nothing stored, so the ratio to it is
//! the cost of the durable store alone. All are driven by the same load
//! generator: `--concurrency` connections sending distinct signed bodies
//! back to back; latency is from sending to the answer. The phases
//! alternate (baseline, refused, Herald, twice) so drift on a shared
//! machine hits all alike; the figures are the sums.

use herald_core::Named;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use clap::Args;
use herald_db::on_pool;
use herald_webhooks::signature::{MetaSecrets, verify_hub_signature};
use serde::Serialize;
use tokio::net::TcpListener;

use super::{Lateness, Rate, create_database, drop_database};
use crate::config::Config;

#[derive(Args)]
pub struct WebhooksBench {
    /// Deliveries per phase (each endpoint gets two phases).
    #[arg(long, default_value_t = 10_000)]
    deliveries: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Comments per delivery (Meta batches entries).
    #[arg(long, default_value_t = 1)]
    entries: usize,
    /// A postgres:// server to run on (a fresh database is created there
    /// and dropped afterwards); default: a SQLite file in a temporary folder.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Print the results as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Phase {
    rate: Rate,
    latency: Lateness,
}

impl Phase {
    /// From the summed time and the latencies of a phase's runs.
    fn of((elapsed, latencies): (Duration, Vec<i64>)) -> Phase {
        Phase {
            rate: Rate::of(latencies.len(), elapsed),
            latency: Lateness::of(latencies),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    backend: &'static str,
    deliveries_per_phase: usize,
    concurrency: usize,
    entries_per_delivery: usize,
    body_bytes: usize,
    baseline_verify_only: Phase,
    herald_verify_and_refuse: Phase,
    herald_store_before_ack: Phase,
    throughput_ratio: f64,
    p99_ratio: f64,
    throughput_ratio_same_stack: f64,
    p99_ratio_same_stack: f64,
    stored: i64,
    processed: i64,
    processing_drain_seconds: f64,
}

/// The baseline: verify, store nothing, 200.
async fn baseline_server(secrets: MetaSecrets) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/webhooks/meta",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let secrets = secrets.clone();
            async move {
                let signature = headers
                    .get("x-hub-signature-256")
                    .and_then(|v| v.to_str().ok());
                match verify_hub_signature(&secrets, signature, &body) {
                    Ok(()) => StatusCode::OK,
                    Err(_) => StatusCode::UNAUTHORIZED,
                }
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}/webhooks/meta"))
}

/// One comment delivery; `n` makes the body (and its hash) unique.
fn body(run: u32, n: usize, entries: usize) -> Vec<u8> {
    let changes: Vec<serde_json::Value> = (0..entries)
        .map(|e| {
            serde_json::json!({
                "field": "comments",
                "value": {
                    "id": format!("{run}{n:09}{e:04}"),
                    "text": "Wie schön! Can't wait to try it",
                    "from": {"id": format!("{}", 9_000_000 + n), "username": format!("fan_{n}")},
                    "media": {"id": "17900000000000001", "media_product_type": "FEED"}
                }
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "object": "instagram",
        "entry": [{"id": "17841400000000001", "time": 1_790_000_000 + n, "changes": changes}]
    }))
    .expect("JSON")
}

/// The load generator's settings, the same for every endpoint.
struct Load {
    client: reqwest::Client,
    /// Makes bodies unique across runs on one database.
    run: u32,
    concurrency: usize,
    entries: usize,
}

/// Sends `count` distinct deliveries (numbered from `offset`) signed by
/// `signer` with `concurrency` in flight; returns the elapsed time and the
/// latency of each answer. An answer other than `expect` fails the
/// benchmark.
async fn drive(
    load: &Load,
    url: &str,
    offset: usize,
    count: usize,
    signer: &MetaSecrets,
    expect: u16,
) -> anyhow::Result<(Duration, Vec<i64>)> {
    let bodies: Arc<Vec<(Vec<u8>, String)>> = Arc::new(
        (offset..offset + count)
            .map(|n| {
                let b = body(load.run, n, load.entries);
                let sig = signer.sign(&b).expect("a secret");
                (b, sig)
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..load.concurrency {
        let client = load.client.clone();
        let url = url.to_owned();
        let bodies = bodies.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((body, sig)) = bodies.get(i) else {
                    break;
                };
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", sig)
                    .body(body.clone())
                    .send()
                    .await
                    .context("sending a delivery")?;
                let status = response.status();
                let _ = response.bytes().await;
                anyhow::ensure!(status == expect, "a delivery was answered {status}");
                latencies.push(sent.elapsed().as_micros() as i64);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    for task in tasks {
        latencies.extend(task.await.context("a sender panicked")??);
    }
    Ok((started.elapsed(), latencies))
}

pub async fn run(args: WebhooksBench) -> anyhow::Result<()> {
    ensure!(args.concurrency > 0 && args.deliveries > 0 && args.entries > 0);
    let dir = tempfile::tempdir()?;
    let (db_url, pg) = match &args.postgres {
        Some(admin) => {
            let name = create_database(admin).await?;
            (
                herald_db::with_database(admin, &name),
                Some((admin.clone(), name)),
            )
        }
        None => (
            format!("sqlite://{}", dir.path().join("herald.db").display()),
            None,
        ),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let env: BTreeMap<String, String> = [
        ("HERALD_DATA_DIR", dir.path().display().to_string()),
        ("HERALD_DATABASE_URL", db_url),
        ("HERALD_LISTEN", addr.to_string()),
        ("HERALD_PUBLIC_URL", format!("http://{addr}")),
        ("HERALD_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut config = Config::from_sources(None, &env)?;
    // Generates the sandbox's app secrets, which the deliveries are signed with.
    crate::app::prepare(&mut config)?;
    let good = &crate::webhooks::meta_apps(&config).facebook.secrets;
    ensure!(!good.is_empty(), "the sandbox's app secret is missing");
    // Signs deliveries Herald must refuse (401): its own HTTP stack and
    // signature check, nothing stored.
    let wrong = &MetaSecrets::new(["not the app secret"]);
    let running = crate::app::start(config, Some(listener)).await?;
    let backend = running.db.backend().as_str();
    let herald_url = format!("http://{addr}/webhooks/meta");
    let baseline_url = baseline_server(good.clone()).await?;
    let load = Load {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency)
            .build()?,
        run: rand::random::<u32>() % 1000,
        concurrency: args.concurrency,
        entries: args.entries,
    };

    // Warm-up: connections, caches, the first commits.
    let warm = (args.deliveries / 20).clamp(50, 500);
    drive(&load, &baseline_url, 0, warm, good, 200).await?;
    drive(&load, &herald_url, 0, warm, wrong, 401).await?;
    drive(&load, &herald_url, 0, warm, good, 200).await?;

    let half = args.deliveries / 2;
    let mut base = (Duration::ZERO, Vec::new());
    let mut refused = (Duration::ZERO, Vec::new());
    let mut herald = (Duration::ZERO, Vec::new());
    let mut offset = warm;
    for take in [half, args.deliveries - half] {
        let (d, l) = drive(&load, &baseline_url, offset, take, good, 200).await?;
        base.0 += d;
        base.1.extend(l);
        let (d, l) = drive(&load, &herald_url, offset, take, wrong, 401).await?;
        refused.0 += d;
        refused.1.extend(l);
        let (d, l) = drive(&load, &herald_url, offset, take, good, 200).await?;
        herald.0 += d;
        herald.1.extend(l);
        offset += take;
    }
    let acknowledged = (warm + args.deliveries) as i64;

    // Every acknowledged delivery is stored; then wait for processing.
    let db = running.db.clone();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            on_pool!(&db, |pool| sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await)
        }
    };
    let stored = count("SELECT COUNT(*) FROM webhook_deliveries").await?;
    let drain_started = Instant::now();
    let processed = loop {
        let processed =
            count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'processed'").await?;
        if processed >= stored || drain_started.elapsed() > Duration::from_secs(600) {
            break processed;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let drain = drain_started.elapsed();
    running.stop().await?;
    if let Some((admin, name)) = pg {
        drop_database(&admin, &name).await?;
    }

    let base_phase = Phase::of(base);
    let refused_phase = Phase::of(refused);
    let herald_phase = Phase::of(herald);
    let report = Report {
        backend,
        deliveries_per_phase: args.deliveries,
        concurrency: args.concurrency,
        entries_per_delivery: args.entries,
        body_bytes: body(load.run, 0, args.entries).len(),
        throughput_ratio: herald_phase.rate.per_second / base_phase.rate.per_second.max(1e-9),
        p99_ratio: herald_phase.latency.p99_ms / base_phase.latency.p99_ms.max(1e-9),
        throughput_ratio_same_stack: herald_phase.rate.per_second
            / refused_phase.rate.per_second.max(1e-9),
        p99_ratio_same_stack: herald_phase.latency.p99_ms / refused_phase.latency.p99_ms.max(1e-9),
        baseline_verify_only: base_phase,
        herald_verify_and_refuse: refused_phase,
        herald_store_before_ack: herald_phase,
        stored,
        processed,
        processing_drain_seconds: drain.as_secs_f64(),
    };
    ensure!(
        report.stored == acknowledged,
        "{acknowledged} deliveries were acknowledged but {} are stored",
        report.stored
    );
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let b = &report.baseline_verify_only;
    let r = &report.herald_verify_and_refuse;
    let h = &report.herald_store_before_ack;
    println!(
        "webhooks on {}: {} signed deliveries per endpoint, {} in flight, {} B each",
        report.backend, report.deliveries_per_phase, report.concurrency, report.body_bytes
    );
    println!(
        "  baseline (verify only):    {:>8.0} deliveries/s   p50 {:.2} ms   p99 {:.2} ms",
        b.rate.per_second, b.latency.p50_ms, b.latency.p99_ms
    );
    println!(
        "  Herald, bad signature (401, nothing stored): {:>8.0} deliveries/s   p50 {:.2} ms   p99 {:.2} ms",
        r.rate.per_second, r.latency.p50_ms, r.latency.p99_ms
    );
    println!(
        "  Herald (stored, then 200): {:>8.0} deliveries/s   p50 {:.2} ms   p99 {:.2} ms",
        h.rate.per_second, h.latency.p50_ms, h.latency.p99_ms
    );
    println!(
        "  ratio to the bare baseline: throughput {:.2}x, p99 {:.2}x; to Herald's own stack refusing: throughput {:.2}x, p99 {:.2}x",
        report.throughput_ratio,
        report.p99_ratio,
        report.throughput_ratio_same_stack,
        report.p99_ratio_same_stack
    );
    println!(
        "  {} stored, {} processed ({:.1} s after the last ack)",
        report.stored, report.processed, report.processing_drain_seconds
    );
    Ok(())
}
