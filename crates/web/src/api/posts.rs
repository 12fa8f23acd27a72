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
use herald_core::{ConnectionId, PostId, SignedDuration, TargetId, Timestamp};
use herald_platforms::{AccountKind, ProviderId};
use herald_publishing::rules::Issue;
use herald_publishing::{
    PostInput, PostView, PublishError, QueueFilter, Receipt, TargetInput, TargetReport, When,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Conflict, Forbidden, InvalidBody, NotFound, PostRefused, Unauthorized, Unavailable,
    UnsupportedMediaType,
};
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

#[derive(OpenApi)]
#[openapi(
    components(schemas(PostInvalidBody)),
    paths(
        list_posts,
        create_post,
        validate_post,
        get_post,
        update_post,
        delete_post,
        reschedule_post,
        cancel_post,
        retry_target,
        list_receipts,
    )
)]
pub(super) struct Doc;

/// A draft for one account, as `POST /api/posts` takes it: the example of
/// the document (a test posts it, its account replaced by a real one).
fn example_post() -> serde_json::Value {
    serde_json::json!({
        "targets": [{
            "connection_id": "0192f1a2-7c3e-7abc-9def-0123456789ab",
            "variant": {"format": "video", "caption": "Behind the scenes #herald", "media": []}
        }],
        "when": {"action": "draft"}
    })
}

/// An issue with its words in the request's language.
#[derive(Serialize, ToSchema)]
struct IssueView {
    #[serde(flatten)]
    issue: Issue,
    /// The issue in the request's language.
    message: String,
}

impl IssueView {
    fn new(locale: Locale, issue: &Issue) -> IssueView {
        IssueView {
            issue: issue.clone(),
            message: words::issue(catalog(locale), issue),
        }
    }
}

/// An issue of a refused post, with the account whose variant breaks the
/// rule.
#[derive(Serialize, ToSchema)]
struct AccountIssue {
    /// The target's connection id.
    account: String,
    #[serde(flatten)]
    issue: IssueView,
}

/// A post that breaks a platform's rules (422 `post_invalid`).
#[derive(Serialize, ToSchema)]
pub(crate) struct PostInvalidBody {
    error: PostInvalidError,
}

#[derive(Serialize, ToSchema)]
struct PostInvalidError {
    /// `post_invalid`.
    code: &'static str,
    /// In the request's language.
    message: &'static str,
    issues: Vec<AccountIssue>,
}

/// A refused change, with the rule issues when there are any.
fn refused(locale: Locale, e: PublishError) -> Response {
    match e {
        PublishError::Invalid(problems) => {
            let issues = problems
                .iter()
                .map(|(account, issue)| AccountIssue {
                    account: account.clone(),
                    issue: IssueView::new(locale, issue),
                })
                .collect();
            let body = PostInvalidBody {
                error: PostInvalidError {
                    code: "post_invalid",
                    message: error_copy(locale, "post_invalid"),
                    issues,
                },
            };
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
            serde_json::json!({
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

/// Either a calendar range (`from` and `to`) or a queue.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Calendar range, RFC 3339 instants: posts whose time is in
    /// `[from, to)`, at most 400 days.
    #[param(example = "2026-03-01T00:00:00Z")]
    from: Option<String>,
    /// The end of the calendar range (RFC 3339, exclusive).
    #[param(example = "2026-04-01T00:00:00Z")]
    to: Option<String>,
    /// Or a queue: `upcoming`, `published`, `failed`, `drafts`.
    #[param(example = "upcoming")]
    queue: Option<String>,
    /// The most posts of a queue (100 when absent).
    limit: Option<i64>,
}

fn instant(s: &str) -> Result<Timestamp, WebError> {
    s.trim().parse().map_err(|_| WebError::BadRequest {
        code: "bad_request",
    })
}

/// List posts
///
/// Posts whose time falls in a calendar range, or the posts of a queue.
#[utoipa::path(
    get,
    path = "/api/posts",
    tag = "posts",
    params(WorkspaceQuery, ListQuery),
    responses(
        (status = 200, description = "The posts with their targets.", body = Vec<PostView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
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

/// Create a post
///
/// One target per connected account, each with its own variant; `when`
/// keeps it a draft, schedules it at a wall-clock time in a time zone, or
/// publishes it now. Contributors may save drafts; scheduling and
/// publishing need the right to publish.
#[utoipa::path(
    post,
    path = "/api/posts",
    tag = "posts",
    params(WorkspaceQuery),
    request_body(content = PostInput, example = example_post),
    responses(
        (status = 201, description = "Created; `Location` is the post's address.", body = PostView,
            headers(("Location" = String, description = "`/api/posts/{id}`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = PostRefused),
        (status = 503, response = Unavailable),
    )
)]
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

/// The targets to check, as a post's `targets`.
#[derive(Deserialize, ToSchema)]
struct ValidateRequest {
    targets: Vec<TargetInput>,
}

/// One target checked against its platform's rules.
#[derive(Serialize, ToSchema)]
struct ReportView {
    connection_id: ConnectionId,
    /// Absent when the account is not in the workspace.
    provider: Option<ProviderId>,
    kind: Option<AccountKind>,
    account_name: Option<String>,
    /// Empty when the variant passes.
    issues: Vec<IssueView>,
}

impl ReportView {
    fn new(locale: Locale, report: &TargetReport) -> ReportView {
        ReportView {
            connection_id: report.connection_id.clone(),
            provider: report.provider,
            kind: report.kind,
            account_name: report.account_name.clone(),
            issues: report
                .issues
                .iter()
                .map(|issue| IssueView::new(locale, issue))
                .collect(),
        }
    }
}

/// Check targets against the platforms' rules
///
/// Each target's report, its issues with a `message` in the request's
/// language beside their code and parameters. Nothing is saved.
#[utoipa::path(
    post,
    path = "/api/posts/validate",
    tag = "posts",
    params(WorkspaceQuery),
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "One report per target, in order.", body = Vec<ReportView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn validate_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    ApiJson(req): ApiJson<ValidateRequest>,
) -> Result<Json<Vec<ReportView>>, WebError> {
    let publishing = state.publishing();
    let reports = publishing.validate(&auth, &req.targets).await?;
    Ok(Json(
        reports
            .iter()
            .map(|report| ReportView::new(locale, report))
            .collect(),
    ))
}

/// Get a post
#[utoipa::path(
    get,
    path = "/api/posts/{id}",
    tag = "posts",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    responses(
        (status = 200, description = "The post with its targets.", body = PostView),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn get_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<PostView>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.get(&auth, &id).await?))
}

/// Replace a post
///
/// Its accounts, variants and time, as when creating it; only while none
/// of its targets is going out or out.
#[utoipa::path(
    put,
    path = "/api/posts/{id}",
    tag = "posts",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body(content = PostInput, example = example_post),
    responses(
        (status = 200, description = "The post as saved.", body = PostView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = PostRefused),
        (status = 503, response = Unavailable),
    )
)]
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

/// Delete a post
///
/// Only while nothing of it has gone out.
#[utoipa::path(
    delete,
    path = "/api/posts/{id}",
    tag = "posts",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
async fn delete_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<PostId>,
) -> Result<StatusCode, WebError> {
    let publishing = state.publishing();
    publishing.delete(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The post's new time (or `draft` / `now`).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"when": {"action": "schedule",
    "schedule": {"local": "2026-03-29T09:00", "time_zone": "Europe/Berlin"}}}))]
struct RescheduleRequest {
    when: When,
}

/// Move a post to another time
#[utoipa::path(
    post,
    path = "/api/posts/{id}/reschedule",
    tag = "posts",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body = RescheduleRequest,
    responses(
        (status = 200, description = "The post at its new time.", body = PostView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = PostRefused),
    )
)]
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

/// Cancel a post
///
/// What is scheduled or failed does not go out; what is out stays.
#[utoipa::path(
    post,
    path = "/api/posts/{id}/cancel",
    tag = "posts",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    responses(
        (status = 200, description = "The post, its open targets cancelled.", body = PostView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
async fn cancel_post(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<PostId>,
) -> Result<Json<PostView>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.cancel(&auth, &id).await?))
}

/// Retry a failed target
///
/// A retry first asks the platform whether an earlier attempt went out,
/// so a post is never published twice.
#[utoipa::path(
    post,
    path = "/api/targets/{id}/retry",
    tag = "posts",
    params(("id" = TargetId, Path, description = "The target (one account of a post)."), WorkspaceQuery),
    responses(
        (status = 200, description = "The target's post, the target scheduled again.", body = PostView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
async fn retry_target(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<TargetId>,
) -> Result<Json<PostView>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.retry(&auth, &id).await?))
}

/// List a target's publishing attempts
#[utoipa::path(
    get,
    path = "/api/targets/{id}/receipts",
    tag = "posts",
    params(("id" = TargetId, Path, description = "The target (one account of a post)."), WorkspaceQuery),
    responses(
        (status = 200, description = "One receipt per attempt, oldest first.", body = Vec<Receipt>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn list_receipts(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<TargetId>,
) -> Result<Json<Vec<Receipt>>, WebError> {
    let publishing = state.publishing();
    Ok(Json(publishing.receipts(&auth, &id).await?))
}
