//! The JSON API. Each resource module exports `fn router()`; errors are the
//! shared `{"error": {"code", "message"}}` body rendered by the error
//! middleware (with `field` and `expected` when a JSON body is refused:
//! bodies are read with [`json::ApiJson`]).

mod auth;
pub(crate) mod endpoints;
pub(crate) mod json;
pub(crate) mod media;
mod notifications;
mod platforms;
pub(crate) mod posts;
mod reviews;
mod tokens;
mod webhooks;

use axum::Router;
use serde::Deserialize;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(platforms::router())
        .merge(posts::router())
        .merge(reviews::router())
        .merge(media::router())
        .merge(endpoints::router())
        .merge(webhooks::router())
        .merge(notifications::router())
        .merge(tokens::router())
}

/// `?workspace=` of the resources that live in a workspace.
#[derive(Deserialize, Default)]
pub(crate) struct WorkspaceQuery {
    /// The workspace; the caller's first one when absent.
    pub(crate) workspace: Option<i64>,
}
