//! `/api/platforms/{provider}/…`: start a connection, list and remove
//! connected accounts. Responses never carry a token.

use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use herald_accounts::Permission;
use herald_connections::ConnectionView;
use herald_core::{ConnectionId, Named};
use herald_platforms::{PostingOptions, ProviderId};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::WorkspaceQuery;
use crate::api::doc::{Conflict, Forbidden, NotFound, Unauthorized, Unavailable};
use crate::auth::{ApiCaller, CurrentUser, Meta};
use crate::member::{self, ApiMember, need};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/platforms", get(providers))
        .route("/api/platforms/{provider}/connect", post(connect))
        .route("/api/platforms/{provider}/connections", get(list))
        .route("/api/platforms/{provider}/connections/{id}", delete(remove))
        .route(
            "/api/platforms/{provider}/connections/{id}/posting-options",
            get(show_posting_options),
        )
}

#[derive(OpenApi)]
#[openapi(paths(providers, connect, list, remove, show_posting_options))]
pub(super) struct Doc;

fn provider(slug: &str) -> Result<ProviderId, WebError> {
    ProviderId::parse(slug).ok_or(WebError::NotFound)
}

/// A platform this deployment connects to.
#[derive(Serialize, ToSchema)]
struct ProviderInfo {
    provider: ProviderId,
    /// The name people know it by.
    name: &'static str,
    /// Served by the built-in simulator, not the real platform.
    sandbox: bool,
    /// The OAuth redirect URI to register with the platform's app.
    redirect_uri: String,
    /// The permissions Herald asks for.
    #[schema(value_type = Vec<String>)]
    required_scopes: &'static [&'static str],
}

/// List the platforms offered
///
/// The providers this deployment offers, sandbox or real.
#[utoipa::path(
    get,
    path = "/api/platforms",
    tag = "platforms",
    responses(
        (status = 200, description = "One entry per provider.", body = Vec<ProviderInfo>),
        (status = 401, response = Unauthorized),
    )
)]
async fn providers(
    State(state): State<AppState>,
    ApiCaller(_): ApiCaller,
) -> Json<Vec<ProviderInfo>> {
    let connections = state.connections();
    Json(
        connections
            .providers()
            .iter()
            .map(|(id, r)| ProviderInfo {
                provider: id,
                name: id.name(),
                sandbox: r.sandbox,
                redirect_uri: connections.redirect_uri(id),
                required_scopes: r.connector.info().required_scopes,
            })
            .collect(),
    )
}

/// Where to send the person.
#[derive(Serialize, ToSchema)]
struct Started {
    /// Open this in the browser that holds the session.
    authorize_url: String,
}

/// Start connecting an account
///
/// The platform's consent URL, bound to the caller's browser session (the
/// redirect comes back to that browser), so this takes the session cookie,
/// not a bearer token. Needs a verified address and the right to manage
/// connections.
#[utoipa::path(
    post,
    path = "/api/platforms/{provider}/connect",
    tag = "platforms",
    params(
        ("provider" = ProviderId, Path, description = "The platform."),
        WorkspaceQuery,
    ),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The consent URL.", body = Started),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn connect(
    State(state): State<AppState>,
    CurrentUser(authed): CurrentUser,
    Path(slug): Path<String>,
    Query(q): Query<WorkspaceQuery>,
) -> Result<Json<Started>, WebError> {
    let authed = authed.ok_or(WebError::Connect(
        herald_connections::ConnectError::SessionRequired,
    ))?;
    let provider = provider(&slug)?;
    let auth = member::proof(
        &state,
        &authed.user,
        q.workspace,
        Permission::ManageConnections,
    )
    .await?;
    let url = state
        .connections()
        .start(
            &authed.user,
            Some(&authed.session_id),
            &auth,
            provider,
            false,
        )
        .await?;
    Ok(Json(Started {
        authorize_url: url.to_string(),
    }))
}

/// List connected accounts
///
/// The workspace's accounts of one platform; never a token.
#[utoipa::path(
    get,
    path = "/api/platforms/{provider}/connections",
    tag = "platforms",
    operation_id = "list_connections",
    params(
        ("provider" = ProviderId, Path, description = "The platform."),
        WorkspaceQuery,
    ),
    responses(
        (status = 200, description = "The connected accounts.", body = Vec<ConnectionView>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn list(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadAccounts>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ConnectionView>>, WebError> {
    let provider = provider(&slug)?;
    Ok(Json(state.connections().list(&auth, Some(provider)).await?))
}

/// A removed connection, and what became of Herald's access at the
/// platform.
#[derive(Serialize, ToSchema)]
struct RemovedBody {
    removed: bool,
    /// `revoked`, `not_revocable`, `shared_grant` or `revoke_failed`.
    revocation: &'static str,
}

/// Remove a connected account
///
/// Revokes Herald's access at the platform where the platform allows it,
/// then deletes the stored tokens.
#[utoipa::path(
    delete,
    path = "/api/platforms/{provider}/connections/{id}",
    tag = "platforms",
    operation_id = "remove_connection",
    params(
        ("provider" = ProviderId, Path, description = "The platform."),
        ("id" = ConnectionId, Path, description = "The connection."),
        WorkspaceQuery,
    ),
    responses(
        (status = 200, description = "Removed.", body = RemovedBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn remove(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageConnections>,
    Meta(meta): Meta,
    Path((slug, id)): Path<(String, ConnectionId)>,
) -> Result<Json<RemovedBody>, WebError> {
    let provider = provider(&slug)?;
    // The id must belong to this provider's list in this workspace.
    let listed = state.connections().list(&auth, Some(provider)).await?;
    if !listed.iter().any(|c| c.id == id) {
        return Err(WebError::NotFound);
    }
    let removed = state.connections().remove(&auth, &id, &meta).await?;
    Ok(Json(RemovedBody {
        removed: true,
        revocation: removed.code(),
    }))
}

/// What an account offers for its next post.
#[derive(Serialize, ToSchema)]
struct PostingOptionsBody {
    connection_id: ConnectionId,
    /// Null for platforms without such a notion (all but TikTok).
    options: Option<PostingOptions>,
}

/// Read what an account's next post may be
///
/// What the platform says the account offers right now, to build a
/// composer by its rules: TikTok's creator info (who the post goes out as,
/// the privacy levels to choose from — TikTok allows no default —, the
/// interactions the creator switched off, the longest video). Read again
/// at most every 30 seconds per account (TikTok allows 20 reads a minute).
#[utoipa::path(
    get,
    path = "/api/platforms/{provider}/connections/{id}/posting-options",
    tag = "platforms",
    operation_id = "get_posting_options",
    params(
        ("provider" = ProviderId, Path, description = "The platform."),
        ("id" = ConnectionId, Path, description = "The connection."),
        WorkspaceQuery,
    ),
    responses(
        (status = 200, description = "The account's options.", body = PostingOptionsBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 503, response = Unavailable),
    )
)]
async fn show_posting_options(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path((slug, id)): Path<(String, ConnectionId)>,
) -> Result<Json<PostingOptionsBody>, WebError> {
    let provider = provider(&slug)?;
    let listed = state.connections().list(&auth, Some(provider)).await?;
    if !listed.iter().any(|c| c.id == id) {
        return Err(WebError::NotFound);
    }
    let options = state.publishing().posting_options(&auth, &id).await?;
    Ok(Json(PostingOptionsBody {
        connection_id: id,
        options,
    }))
}
