//! Approvals and comments over the API: submit a post for approval,
//! approve it or ask for changes, read its review history, comment on it,
//! and read or set the workspace's approval policy. The publishing service
//! decides who may (a named approver may be a viewer, so the deciding
//! routes only ask for membership here).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use herald_core::{PostId, TargetId};
use herald_publishing::{
    ApprovalPolicy, CommentView, NewCommentInput, NewLinkInput, PostView, ReviewEntry,
    ReviewLinkView, Schedule, Thread,
};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Conflict, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
use crate::api::json::{ApiJson, OptionalApiJson};
use crate::member::{ApiMember, need};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/posts/{id}/submit", post(submit))
        .route("/api/posts/{id}/approve", post(approve))
        .route("/api/posts/{id}/request-changes", post(request_changes))
        .route("/api/posts/{id}/reviews", get(history))
        .route("/api/posts/{id}/comments", get(comments).post(add_comment))
        .route("/api/approval-policy", get(show_policy).put(set_policy))
        .route(
            "/api/posts/{id}/review-links",
            get(list_links).post(create_link),
        )
        .route("/api/review-links/{id}", delete(revoke_link))
}

#[derive(OpenApi)]
#[openapi(paths(
    submit,
    approve,
    request_changes,
    history,
    comments,
    add_comment,
    show_policy,
    set_policy,
    list_links,
    create_link,
    revoke_link,
))]
pub(super) struct Doc;

/// May be left out (an empty body).
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    /// When it goes out once approved; absent: the time it has, else right
    /// when approved.
    #[serde(default)]
    schedule: Option<Schedule>,
}

/// Submit a post for approval
///
/// It waits for an approver; once approved it goes out at its time.
#[utoipa::path(
    post,
    path = "/api/posts/{id}/submit",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body(content = Option<SubmitRequest>, description = "May be left out."),
    responses(
        (status = 200, description = "The post, in review.", body = PostView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn submit(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(id): Path<PostId>,
    OptionalApiJson(req): OptionalApiJson<SubmitRequest>,
) -> Result<Json<PostView>, WebError> {
    Ok(Json(
        state.publishing().submit(&auth, &id, req.schedule).await?,
    ))
}

/// May be left out (an empty body).
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionRequest {
    /// A note for the author.
    #[serde(default)]
    comment: String,
}

/// Approve a post
///
/// For approvers (owners, admins, editors and the members the policy
/// names); not one's own post when everyone needs approval.
#[utoipa::path(
    post,
    path = "/api/posts/{id}/approve",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body(content = Option<DecisionRequest>, description = "May be left out."),
    responses(
        (status = 200, description = "The post, approved (and scheduled, or on its way).", body = PostView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn approve(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Decide>,
    Path(id): Path<PostId>,
    OptionalApiJson(req): OptionalApiJson<DecisionRequest>,
) -> Result<Json<PostView>, WebError> {
    Ok(Json(
        state.publishing().approve(&auth, &id, &req.comment).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "Please shorten the caption for TikTok."}))]
struct ChangesRequest {
    /// What to change (required).
    comment: String,
}

/// Ask for changes to a post
#[utoipa::path(
    post,
    path = "/api/posts/{id}/request-changes",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body = ChangesRequest,
    responses(
        (status = 200, description = "The post, back with its author.", body = PostView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn request_changes(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Decide>,
    Path(id): Path<PostId>,
    ApiJson(req): ApiJson<ChangesRequest>,
) -> Result<Json<PostView>, WebError> {
    Ok(Json(
        state
            .publishing()
            .request_changes(&auth, &id, &req.comment)
            .await?,
    ))
}

/// A post's review history
#[utoipa::path(
    get,
    path = "/api/posts/{id}/reviews",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    responses(
        (status = 200, description = "Every step, oldest first.", body = Vec<ReviewEntry>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn history(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<Vec<ReviewEntry>>, WebError> {
    Ok(Json(state.publishing().review_history(&auth, &id).await?))
}

/// A post's comments
#[utoipa::path(
    get,
    path = "/api/posts/{id}/comments",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    responses(
        (status = 200, description = "The threads, oldest first.", body = Vec<Thread>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn comments(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<Vec<Thread>>, WebError> {
    Ok(Json(state.publishing().comments(&auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "@ana could you check the link?"}))]
struct CommentRequest {
    /// The comment; `@name` mentions a member, who is notified.
    body: String,
    /// The comment this answers.
    #[serde(default)]
    reply_to: Option<i64>,
    /// The account variant it is about.
    #[serde(default)]
    target_id: Option<TargetId>,
}

/// Comment on a post
#[utoipa::path(
    post,
    path = "/api/posts/{id}/comments",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "The comment.", body = CommentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn add_comment(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Comment>,
    Path(id): Path<PostId>,
    ApiJson(req): ApiJson<CommentRequest>,
) -> Result<Response, WebError> {
    let comment: CommentView = state
        .publishing()
        .comment(
            &auth,
            &id,
            NewCommentInput {
                body: req.body,
                reply_to: req.reply_to,
                target: req.target_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(comment)).into_response())
}

/// The workspace's approval policy
#[utoipa::path(
    get,
    path = "/api/approval-policy",
    tag = "reviews",
    params(WorkspaceQuery),
    responses(
        (status = 200, description = "Who needs approval, and who approves.", body = ApprovalPolicy),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn show_policy(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
) -> Result<Json<ApprovalPolicy>, WebError> {
    Ok(Json(state.publishing().approval_policy(&auth).await?))
}

/// Set the workspace's approval policy
///
/// For those who manage members.
#[utoipa::path(
    put,
    path = "/api/approval-policy",
    tag = "reviews",
    params(WorkspaceQuery),
    request_body = ApprovalPolicy,
    responses(
        (status = 200, description = "The policy as saved.", body = ApprovalPolicy),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn set_policy(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageMembers>,
    ApiJson(policy): ApiJson<ApprovalPolicy>,
) -> Result<Json<ApprovalPolicy>, WebError> {
    Ok(Json(
        state
            .publishing()
            .set_approval_policy(&auth, policy)
            .await?,
    ))
}

/// May be left out (an empty body): a link to this post, valid 7 days.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct LinkRequest {
    /// 1 to 30; absent: 7.
    #[serde(default)]
    expires_in_days: Option<u32>,
    /// 8 to 128 characters the reviewer must type, if any.
    #[serde(default)]
    password: Option<String>,
    /// A note for the team (the client's name).
    #[serde(default)]
    label: String,
    /// Further posts the link shows besides the one in the path.
    #[serde(default)]
    posts: Vec<PostId>,
}

/// A new link: its address (with the token, shown once) and what it
/// shows.
#[derive(serde::Serialize, ToSchema)]
struct CreatedLinkBody {
    /// The address to send the reviewer.
    url: String,
    /// The link's secret (the last part of `url`).
    token: String,
    #[serde(flatten)]
    link: ReviewLinkView,
}

/// Create a client review link
///
/// An unguessable, expiring address where someone without an account sees
/// the posts and approves or asks for changes. Shown once
/// (`Cache-Control: no-store`).
#[utoipa::path(
    post,
    path = "/api/posts/{id}/review-links",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    request_body(content = Option<LinkRequest>, description = "May be left out."),
    responses(
        (status = 201, description = "The link, with its address.", body = CreatedLinkBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn create_link(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<PostId>,
    OptionalApiJson(req): OptionalApiJson<LinkRequest>,
) -> Result<Response, WebError> {
    let mut posts = vec![id];
    posts.extend(req.posts);
    let created = state
        .publishing()
        .create_review_link(
            &auth,
            NewLinkInput {
                posts,
                expires_in_days: req.expires_in_days,
                password: req.password,
                label: req.label,
            },
        )
        .await?;
    let body = CreatedLinkBody {
        url: format!("{}/review/{}", state.site().public_url, created.token),
        token: created.token,
        link: created.link,
    };
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response())
}

/// A post's client review links
#[utoipa::path(
    get,
    path = "/api/posts/{id}/review-links",
    tag = "reviews",
    params(("id" = PostId, Path, description = "The post."), WorkspaceQuery),
    responses(
        (status = 200, description = "The links (never their tokens).", body = Vec<ReviewLinkView>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn list_links(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<Vec<ReviewLinkView>>, WebError> {
    Ok(Json(state.publishing().review_links(&auth, &id).await?))
}

/// Revoke a client review link
#[utoipa::path(
    delete,
    path = "/api/review-links/{id}",
    tag = "reviews",
    params(("id" = String, Path, description = "The link."), WorkspaceQuery),
    responses(
        (status = 204, description = "Revoked: the address shows nothing any more."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn revoke_link(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    state.publishing().revoke_review_link(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
