//! The JSON API. Each resource module exports `fn router()` and a `Doc`
//! listing its handlers for the OpenAPI document ([`doc`]); errors are the
//! shared `{"error": {"code", "message"}}` body rendered by the error
//! middleware (with `field` and `expected` when a JSON body is refused:
//! bodies are read with [`json::ApiJson`]).

mod analytics;
mod auth;
pub(crate) mod doc;
pub(crate) mod endpoints;
mod inbox;
pub(crate) mod json;
pub(crate) mod media;
mod notifications;
mod platforms;
pub(crate) mod posts;
mod reviews;
mod studio;
mod tokens;
mod webhooks;

use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(doc::router())
        .merge(auth::router())
        .merge(platforms::router())
        .merge(posts::router())
        .merge(reviews::router())
        .merge(media::router())
        .merge(endpoints::router())
        .merge(webhooks::router())
        .merge(inbox::router())
        .merge(notifications::router())
        .merge(tokens::router())
        .merge(studio::router())
        .merge(analytics::router())
}

/// Each module's part of the OpenAPI document: a module that routes also
/// lists its handlers here (see "How to document a new API route" in
/// docs/architecture.md).
fn documented() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        auth::Doc::openapi(),
        platforms::Doc::openapi(),
        posts::Doc::openapi(),
        reviews::Doc::openapi(),
        media::Doc::openapi(),
        endpoints::Doc::openapi(),
        webhooks::Doc::openapi(),
        inbox::Doc::openapi(),
        notifications::Doc::openapi(),
        tokens::Doc::openapi(),
        studio::Doc::openapi(),
        analytics::Doc::openapi(),
    ]
}

/// `?workspace=` of the resources that live in a workspace.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct WorkspaceQuery {
    /// The workspace; the caller's first one when absent.
    pub(crate) workspace: Option<i64>,
}
