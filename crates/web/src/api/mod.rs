//! The JSON API. Each resource module exports `fn router()`; errors are the
//! shared `{"error": {"code", "message"}}` body rendered by the error
//! middleware.

mod auth;
mod platforms;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(platforms::router())
}
