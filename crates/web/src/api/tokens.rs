//! `/api/tokens…`: a workspace's scoped access tokens (personal, app and
//! assistant tokens) for the person managing them.
//!
//! Only a browser session or a device's token may manage tokens: a scoped
//! token gets 403 (no scope allows it), so a leaked token cannot mint
//! itself successors. The secret is in the answer to the `POST` alone,
//! marked `Cache-Control: no-store`; no other answer ever holds it.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use herald_accounts::{Permission, TokenRequest, TokenView};
use herald_core::{Named, Timestamp, TokenId};
use serde::{Deserialize, Serialize};

use crate::api::WorkspaceQuery;
use crate::api::json::ApiJson;
use crate::auth::{AccountCaller, Meta};
use crate::{AppState, WebError, member};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tokens", get(list_tokens).post(create_token))
        .route("/api/tokens/{id}", delete(revoke_token))
}

/// A token as listed: never its secret.
#[derive(Serialize)]
pub(crate) struct TokenResponse {
    id: i64,
    name: String,
    /// `personal`, `app` or `assistant`.
    kind: &'static str,
    scopes: Vec<&'static str>,
    created_by: i64,
    /// The maker's name.
    creator: String,
    created_at: Timestamp,
    expires_at: Option<Timestamp>,
    last_used_at: Option<Timestamp>,
    /// Past its expiry; it no longer works.
    expired: bool,
}

impl From<TokenView> for TokenResponse {
    fn from(t: TokenView) -> Self {
        TokenResponse {
            id: t.id.0,
            kind: t.kind.as_str(),
            scopes: t.scopes.names(),
            created_by: t.created_by.0,
            creator: t.creator,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            expired: t.expired,
            name: t.name,
        }
    }
}

#[derive(Serialize)]
struct TokenList {
    tokens: Vec<TokenResponse>,
}

/// The caller's tokens in the workspace (every token of it for those who
/// may manage members).
async fn list_tokens(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
    Query(q): Query<WorkspaceQuery>,
) -> Result<Json<TokenList>, WebError> {
    let auth = member::proof(&state, &user, q.workspace, Permission::View).await?;
    let tokens = state.accounts().tokens(&auth).await?;
    Ok(Json(TokenList {
        tokens: tokens.into_iter().map(TokenResponse::from).collect(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateTokenRequest {
    name: String,
    /// `personal`, `app` or `assistant`.
    kind: String,
    /// Scope names; absent: an assistant's defaults (other kinds must
    /// name theirs).
    #[serde(default)]
    scopes: Option<Vec<String>>,
    /// RFC 3339; absent: the token does not expire.
    #[serde(default)]
    expires_at: Option<Timestamp>,
}

#[derive(Serialize)]
struct CreatedResponse {
    token: TokenResponse,
    /// Shown this once; Herald keeps only its hash.
    secret: String,
}

async fn create_token(
    State(state): State<AppState>,
    Meta(meta): Meta,
    AccountCaller(user): AccountCaller,
    Query(q): Query<WorkspaceQuery>,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &user, q.workspace, Permission::View).await?;
    let created = state
        .accounts()
        .create_token(
            &auth,
            TokenRequest {
                name: req.name,
                kind: req.kind,
                scopes: req.scopes,
                expires_at: req.expires_at,
            },
            &meta,
        )
        .await?;
    let body = CreatedResponse {
        secret: created.secret.expose().to_owned(),
        token: created.token.into(),
    };
    Ok((
        StatusCode::CREATED,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response())
}

/// Revokes at once; another member's token is 404 unless the caller may
/// manage members.
async fn revoke_token(
    State(state): State<AppState>,
    Meta(meta): Meta,
    AccountCaller(user): AccountCaller,
    Query(q): Query<WorkspaceQuery>,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    let auth = member::proof(&state, &user, q.workspace, Permission::View).await?;
    state
        .accounts()
        .revoke_token(&auth, TokenId(id), &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
