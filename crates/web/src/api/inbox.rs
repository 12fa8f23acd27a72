//! The engagement inbox over the API: list the workspace's comments,
//! mentions and messages with the page's filters, read a thread, and work
//! an item: reply (publicly, privately, or in a message's conversation),
//! assign, notes, done, read, hide and delete. Replies, hides and deletes
//! are queued (202) and performed by a job; the thread shows how each
//! ended. The inbox service decides who may: reading needs the inbox's
//! read scope, triage `inbox:write`, anything said on the platform
//! `inbox:reply`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_core::{ConnectionId, UserId};
use herald_webhooks::inbox::{
    ActionRequest, ActionView, DoneFilter, Filter, ItemKind, ItemPage, ItemView, MemberRef,
    NoteView, Offered, PostLink, Thread,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
use crate::api::json::{ApiJson, OptionalApiJson};
use crate::i18n::{Locale, catalog};
use crate::member::{ApiMember, need};
use crate::{AppState, WebError, words};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/inbox", get(list_inbox))
        .route("/api/inbox/{id}", get(show_thread))
        .route("/api/inbox/{id}/reply", post(reply_to_item))
        .route("/api/inbox/{id}/assign", post(assign_item))
        .route("/api/inbox/{id}/done", post(mark_item_done))
        .route("/api/inbox/{id}/notes", post(add_note))
        .route("/api/inbox/{id}/read", post(mark_item_read))
        .route("/api/inbox/{id}/hide", post(hide_item))
        .route("/api/inbox/{id}/delete", post(delete_item))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_inbox,
    show_thread,
    reply_to_item,
    assign_item,
    mark_item_done,
    add_note,
    mark_item_read,
    hide_item,
    delete_item,
))]
pub(super) struct Doc;

/// Only `me` (the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Assigned {
    Me,
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only the items of this connected account.
    #[param(value_type = Option<String>)]
    account: Option<ConnectionId>,
    /// Only comments, mentions or messages.
    #[param(inline)]
    kind: Option<ItemKind>,
    /// Only the items the caller has not read.
    #[serde(default)]
    unread: bool,
    /// `me`: only the items assigned to the caller.
    #[param(inline)]
    assigned: Option<Assigned>,
    /// `open` (the default), `done` or `all`.
    #[param(inline)]
    state: Option<DoneFilter>,
    /// 1 to 200 (50 when absent).
    limit: Option<usize>,
    /// Items older than this id: the previous page's `next`.
    before: Option<i64>,
}

/// List the inbox
///
/// The workspace's comments, mentions and direct messages, newest first,
/// with the caller's reading. Page with `before` = the previous answer's
/// `next`.
#[utoipa::path(
    get,
    path = "/api/inbox",
    tag = "inbox",
    params(WorkspaceQuery, ListQuery),
    responses(
        (status = 200, description = "A page of items.", body = ItemPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_inbox(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadInbox>,
    Query(q): Query<ListQuery>,
) -> Result<Json<ItemPage>, WebError> {
    let filter = Filter {
        account: q.account,
        kind: q.kind,
        unread: q.unread,
        assigned_to_me: q.assigned == Some(Assigned::Me),
        state: q.state.unwrap_or_default(),
        before: q.before,
        limit: q.limit,
    };
    Ok(Json(state.inbox().list(&auth, &filter).await?))
}

/// An action, with why it failed in the request's language.
#[derive(Serialize, ToSchema)]
#[schema(as = InboxAction)]
struct ActionBody {
    #[serde(flatten)]
    action: ActionView,
    /// Why it failed, in words (absent unless it failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl ActionBody {
    fn of(locale: Locale, action: ActionView) -> ActionBody {
        ActionBody {
            message: action
                .failure
                .as_ref()
                .map(|f| words::inbox_failure(catalog(locale), f)),
            action,
        }
    }
}

/// An item with everything around it.
#[derive(Serialize, ToSchema)]
#[schema(as = InboxThread)]
struct ThreadBody {
    item: ItemView,
    /// The comment it answers, when Herald has it.
    parent: Option<ItemView>,
    /// For a comment its replies; for a message the conversation with
    /// that person, oldest first.
    replies: Vec<ItemView>,
    /// What Herald did about it on the platform, oldest first.
    actions: Vec<ActionBody>,
    notes: Vec<NoteView>,
    /// The Herald post the comment is on, when Herald published it.
    post: Option<PostLink>,
    /// What may be done about it on its platform now.
    offered: Offered,
    /// Who it may be assigned to.
    members: Vec<MemberRef>,
}

impl ThreadBody {
    fn of(locale: Locale, t: Thread) -> ThreadBody {
        ThreadBody {
            item: t.item,
            parent: t.parent,
            replies: t.replies,
            actions: t
                .actions
                .into_iter()
                .map(|a| ActionBody::of(locale, a))
                .collect(),
            notes: t.notes,
            post: t.post,
            offered: t.offered,
            members: t.members,
        }
    }
}

/// An item's thread
///
/// The item, its parent and replies (for a message: the conversation),
/// the actions Herald took and how they ended, the team's notes, the post
/// it belongs to, and what may be done about it.
#[utoipa::path(
    get,
    path = "/api/inbox/{id}",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    responses(
        (status = 200, description = "The thread.", body = ThreadBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn show_thread(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadInbox>,
    locale: Locale,
    Path(id): Path<i64>,
) -> Result<Json<ThreadBody>, WebError> {
    let thread = state.inbox().thread(&auth, id).await?;
    Ok(Json(ThreadBody::of(locale, thread)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Thank you! We ship to Austria too.", "private": false}))]
struct ReplyRequest {
    /// What to say: at most 2200 characters on Instagram, 8000 on
    /// Facebook, 10000 on YouTube.
    text: String,
    /// Answer a comment with a direct message to its author instead of a
    /// public reply (where the platform offers it). A message is always
    /// answered in its conversation.
    #[serde(default)]
    private: bool,
}

fn queued(locale: Locale, action: ActionView) -> Response {
    (StatusCode::ACCEPTED, Json(ActionBody::of(locale, action))).into_response()
}

/// Reply to an item
///
/// Queues the reply (a public reply under a comment, a private reply, or a
/// message in the conversation); the thread shows whether the platform
/// took it, or its refusal (such as `outside_window`).
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/reply",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    request_body = ReplyRequest,
    responses(
        (status = 202, description = "Queued.", body = ActionBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn reply_to_item(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Engage>,
    locale: Locale,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> Result<Response, WebError> {
    let action = state
        .inbox()
        .act(
            &auth,
            id,
            ActionRequest::Reply {
                text: req.text,
                private: req.private,
            },
        )
        .await?;
    Ok(queued(locale, action))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": 7}))]
struct AssignRequest {
    /// A member of the workspace, or `null` for nobody.
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(value_type = Option<i64>)]
    user_id: Option<UserId>,
}

/// Assign an item
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/assign",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The item, assigned.", body = ItemView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn assign_item(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Triage>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Json<ItemView>, WebError> {
    Ok(Json(state.inbox().assign(&auth, id, req.user_id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"done": true}))]
struct DoneRequest {
    /// `true`: done; `false`: open again.
    done: bool,
}

/// Mark an item done (or open)
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/done",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    request_body = DoneRequest,
    responses(
        (status = 200, description = "The item.", body = ItemView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn mark_item_done(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Triage>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DoneRequest>,
) -> Result<Json<ItemView>, WebError> {
    Ok(Json(state.inbox().set_done(&auth, id, req.done).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Customer asked the same by mail; Ana answers."}))]
struct NoteRequest {
    /// For the team only (never sent to the platform); 5000 characters
    /// at most.
    text: String,
}

/// Add a note to an item
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/notes",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "The note.", body = NoteView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn add_note(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Triage>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> Result<Response, WebError> {
    let note = state.inbox().add_note(&auth, id, &req.text).await?;
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

/// May be left out (an empty body): read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReadRequest {
    /// `false`: unread again.
    #[serde(default = "yes")]
    read: bool,
}

fn yes() -> bool {
    true
}

impl Default for ReadRequest {
    fn default() -> Self {
        ReadRequest { read: true }
    }
}

/// Mark an item read (or unread) for the caller
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/read",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    request_body(content = Option<ReadRequest>, description = "May be left out."),
    responses(
        (status = 200, description = "The item.", body = ItemView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn mark_item_read(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadInbox>,
    Path(id): Path<i64>,
    OptionalApiJson(req): OptionalApiJson<ReadRequest>,
) -> Result<Json<ItemView>, WebError> {
    Ok(Json(state.inbox().mark_read(&auth, id, req.read).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hidden": true}))]
struct HideRequest {
    /// `true`: hide the comment; `false`: show it again.
    hidden: bool,
}

/// Hide (or show again) a comment
///
/// Only comments on the account's own content, where the platform allows.
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/hide",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    request_body = HideRequest,
    responses(
        (status = 202, description = "Queued.", body = ActionBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn hide_item(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Engage>,
    locale: Locale,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<HideRequest>,
) -> Result<Response, WebError> {
    let action = state
        .inbox()
        .act(&auth, id, ActionRequest::Hide { hidden: req.hidden })
        .await?;
    Ok(queued(locale, action))
}

/// Delete a comment on the platform
#[utoipa::path(
    post,
    path = "/api/inbox/{id}/delete",
    tag = "inbox",
    params(("id" = i64, Path, description = "The item."), WorkspaceQuery),
    responses(
        (status = 202, description = "Queued.", body = ActionBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
async fn delete_item(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Engage>,
    locale: Locale,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let action = state.inbox().act(&auth, id, ActionRequest::Delete).await?;
    Ok(queued(locale, action))
}
