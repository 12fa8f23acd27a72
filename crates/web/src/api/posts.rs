//! `/api/posts…` and `/api/targets…`: compose, validate, schedule, change
//! and inspect posts as JSON. Each handler calls one function of the
//! publishing service; the service checks membership and role.
//!
//! A post that breaks a platform's rules (`post_invalid`, 422) is answered
//! here rather than by the error middleware, because its body carries the
//! issues: `{"error": {"code", "message", "issues": [{account, severity,
//! field, code, params, message}]}}`. An issue's `message` is rendered
//! from its code and typed `params` in the request's language.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_core::Named;
use herald_core::{PostId, SignedDuration, TargetId, Timestamp};
use herald_publishing::rules::Issue;
use herald_publishing::{
    PostInput, PostView, PublishError, QueueFilter, Receipt, TargetInput, TargetReport, When,
};
use serde::Deserialize;
use serde_json::json;

use crate::api::json::ApiJson;
use crate::i18n::{Locale, catalog, error_copy};
use crate::member::{ApiMember, need};
use crate::{AppState, WebError, words};

/// The longest range one calendar request may cover.
const MAX_RANGE: SignedDuration = SignedDuration::from_hours(24 * 400);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/posts", get(list_posts).post(create_post))
        .route("/api/posts/validate", post(validate_post))
        .route(
            "/api/posts/{id}",
            get(get_post).put(update_post).delete(delete_post),
        )
        .route("/api/posts/{id}/reschedule", post(reschedule_post))
        .route("/api/posts/{id}/cancel", post(cancel_post))
        .route("/api/targets/{id}/retry", post(retry_target))
        .route("/api/targets/{id}/receipts", get(list_receipts))
}

/// A refused change, with the rule issues when there are any.
fn refused(locale: Locale, e: PublishError) -> Response {
    match e {
        PublishError::Invalid(problems) => {
            let body = json!({
                "error": {
                    "code": "post_invalid",
                    "message": error_copy(locale, "post_invalid"),
                    "issues": issues_json(locale, &problems),
                }
            });
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
        other => WebError::from(other).into_response(),
    }
}

/// The rule issues of a refused post, each with its account and a
/// `message` in `locale` beside its code and parameters (the MCP tools
/// answer the same).
pub(crate) fn issues_json(locale: Locale, problems: &[(String, Issue)]) -> Vec<serde_json::Value> {
    problems
        .iter()
        .map(|(account, issue)| {
            json!({
                "account": account,
                "severity": issue.severity,
                "field": issue.field,
                "code": issue.code,
                "params": issue.params,
                "message": words::issue(catalog(locale), issue),
            })
        })
        .collect()
}

#[derive(Deserialize, Default)]
struct ListQuery {
    /// Calendar range, RFC 3339 instants: posts whose time is in
    /// `[from, to)`.
    from: Option<String>,
    to: Option<String>,
    /// Or a queue: `upcoming`, `published`, `failed`, `drafts`.
    queue: Option<String>,
    limit: Option<i64>,
}

fn instant(s: &str) -> Result<Timestamp, WebError> {
    s.trim().parse().map_err(|_| WebError::BadRequest {
        code: "bad_request",
    })
}

async fn list_posts(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<PostView>>, WebError> {
    let publishing = state.publishing();
    let posts = match (q.from.as_deref(), q.to.as_deref(), q.queue.as_deref()) {
        (Some(from), Some(to), None) => {
            let (from, to) = (instant(from)?, instant(to)?);
            if to <= from || to.duration_since(from) > MAX_RANGE {
                return Err(WebError::BadRequest {
                    code: "bad_request",
                });
            }
            publishing.between(&auth, from, to).await?
        }
        (None, None, Some(queue)) => {
            let filter = QueueFilter::parse(queue).ok_or(WebError::BadRequest {
                code: "bad_request",
            })?;
            publishing
                .queue_list(&auth, filter, q.limit.unwrap_or(100))
                .await?
        }
        _ => {
            return Err(WebError::BadRequest {
                code: "bad_request",
            });
        }
    };
    Ok(Json(posts))
}

async fn create_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<Response, Response> {
    let publishing = state.publishing();
    let view = publishing
        .create(&auth, input)
        .await
        .map_err(|e| refused(locale, e))?;
    let location = format!("/api/posts/{}", view.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

#[derive(Deserialize)]
struct ValidateRequest {
    targets: Vec<TargetInput>,
}

/// Each target's report, its issues with a `message` in the request's
/// language beside their code and parameters.
async fn validate_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    ApiJson(req): ApiJson<ValidateRequest>,
) -> Result<Json<Vec<serde_json::Value>>, WebError> {
    let publishing = state.publishing();
    let reports = publishing.validate(&auth, &req.targets).await?;
    Ok(Json(
        reports
            .iter()
            .map(|report| report_json(locale, report))
            .collect(),
    ))
}

fn report_json(locale: Locale, report: &TargetReport) -> serde_json::Value {
    let mut value = json!(report);
    if let Some(issues) = value["issues"].as_array_mut() {
        for (json, issue) in issues.iter_mut().zip(&report.issues) {
            json["message"] = json!(words::issue(catalog(locale), issue));
        }
    }
    value
}

async fn get_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<PostView>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.get(&auth, &id).await?))
}

async fn update_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    Path(id): Path<PostId>,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<Json<PostView>, Response> {
    let publishing = state.publishing();
    publishing
        .update(&auth, &id, input)
        .await
        .map(Json)
        .map_err(|e| refused(locale, e))
}

async fn delete_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<PostId>,
) -> Result<StatusCode, WebError> {
    let publishing = state.publishing();
    publishing.delete(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct RescheduleRequest {
    when: When,
}

async fn reschedule_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    Path(id): Path<PostId>,
    ApiJson(req): ApiJson<RescheduleRequest>,
) -> Result<Json<PostView>, Response> {
    let publishing = state.publishing();
    publishing
        .reschedule(&auth, &id, req.when)
        .await
        .map(Json)
        .map_err(|e| refused(locale, e))
}

async fn cancel_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<PostId>,
) -> Result<Json<PostView>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.cancel(&auth, &id).await?))
}

async fn retry_target(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<TargetId>,
) -> Result<Json<PostView>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.retry(&auth, &id).await?))
}

async fn list_receipts(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<TargetId>,
) -> Result<Json<Vec<Receipt>>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.receipts(&auth, &id).await?))
}
