//! `/api/platforms/{provider}/…`: start a connection, list and remove
//! connected accounts. Responses never carry a token.

use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use herald_accounts::Permission;
use herald_connections::ConnectionView;
use herald_core::{ConnectionId, Named};
use herald_platforms::ProviderId;
use serde::Serialize;

use super::WorkspaceQuery;
use crate::auth::{ApiCaller, CurrentUser, Meta};
use crate::member::{self, ApiMember, need};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/platforms", get(providers))
        .route("/api/platforms/{provider}/connect", post(connect))
        .route("/api/platforms/{provider}/connections", get(list))
        .route("/api/platforms/{provider}/connections/{id}", delete(remove))
}

fn provider(slug: &str) -> Result<ProviderId, WebError> {
    ProviderId::parse(slug).ok_or(WebError::NotFound)
}

#[derive(Serialize)]
struct ProviderInfo {
    provider: ProviderId,
    name: &'static str,
    sandbox: bool,
    redirect_uri: String,
    required_scopes: &'static [&'static str],
}

/// The providers this deployment offers.
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

#[derive(Serialize)]
struct Started {
    /// Open this in the browser that holds the session.
    authorize_url: String,
}

/// Starts connecting: the consent URL, bound to the caller's browser
/// session (the redirect comes back to that browser).
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

async fn list(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadAccounts>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ConnectionView>>, WebError> {
    let provider = provider(&slug)?;
    Ok(Json(state.connections().list(&auth, Some(provider)).await?))
}

#[derive(Serialize)]
struct RemovedBody {
    removed: bool,
    /// `revoked`, `not_revocable`, `shared_grant` or `revoke_failed`.
    revocation: &'static str,
}

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
