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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    /// When it goes out once approved; absent: the time it has, else right
    /// when approved.
    #[serde(default)]
    schedule: Option<Schedule>,
}

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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DecisionRequest {
    #[serde(default)]
    comment: String,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesRequest {
    comment: String,
}

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

async fn history(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<Vec<ReviewEntry>>, WebError> {
    Ok(Json(state.publishing().review_history(&auth, &id).await?))
}

async fn comments(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<Vec<Thread>>, WebError> {
    Ok(Json(state.publishing().comments(&auth, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentRequest {
    body: String,
    /// The comment this answers.
    #[serde(default)]
    reply_to: Option<i64>,
    /// The account variant it is about.
    #[serde(default)]
    target_id: Option<TargetId>,
}

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

async fn show_policy(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
) -> Result<Json<ApprovalPolicy>, WebError> {
    Ok(Json(state.publishing().approval_policy(&auth).await?))
}

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

#[derive(Deserialize, Default)]
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
#[derive(serde::Serialize)]
struct CreatedLinkBody {
    url: String,
    token: String,
    #[serde(flatten)]
    link: ReviewLinkView,
}

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

async fn list_links(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path(id): Path<PostId>,
) -> Result<Json<Vec<ReviewLinkView>>, WebError> {
    Ok(Json(state.publishing().review_links(&auth, &id).await?))
}

async fn revoke_link(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Publish>,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    state.publishing().revoke_review_link(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
