//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(show_health))
        .route("/readyz", get(show_readiness))
        .route("/metrics", get(show_metrics))
}

/// The process is up and serving.
async fn show_health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Every dependency this instance needs answers.
async fn show_readiness(State(state): State<AppState>) -> Response {
    let limiter = state.accounts().limiter();
    let (database, rate_limits) = tokio::join!(
        check("database", state.db().ping()),
        check("rate limiter", limiter.ping()),
    );
    let ready = database == "ok" && rate_limits == "ok";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": {
            "database": database,
            "rate_limits": rate_limits,
            "rate_limit_backend": limiter.backend(),
        },
    });
    (status, Json(body)).into_response()
}

/// "ok", "unreachable" or "timeout" for one dependency, within 2 s.
async fn check<E: std::error::Error>(
    what: &'static str,
    probe: impl Future<Output = Result<(), E>>,
) -> &'static str {
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %crate::error::chain(&e), "readiness: {what} unreachable");
            "unreachable"
        }
        Err(_) => "timeout",
    }
}

/// Prometheus metrics; with `HERALD_METRICS_TOKEN` only for a scraper
/// that sends it as a bearer token (compared in constant time).
async fn show_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.site().metrics_token {
        let given = crate::auth::bearer(&headers).unwrap_or("");
        if !herald_accounts::secret::same(
            &herald_accounts::secret::token_hash(given),
            &herald_accounts::secret::token_hash(expected),
        ) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
            )
                .into_response();
        }
    }
    if let Err(e) = state.queue().record_gauges().await {
        tracing::warn!(error = %crate::error::chain(&e), "metrics: could not count stored jobs");
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}
