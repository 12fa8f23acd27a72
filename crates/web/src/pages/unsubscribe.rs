//! One-click unsubscribe from notification mail: the link in every
//! notification mail and digest opens this page without a login; one
//! button turns that kind of mail off for that person in that workspace.
//! The signed token is the only proof needed (it can only turn mail off).
//! The token is in the path, so the page sends no referrer and asks not to
//! be indexed; requests are rate-limited by address.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use herald_accounts::limits;
use herald_notify::Unsubscription;

use super::guest_review::private;
use super::notifications::kind_label;
use super::{Chrome, render};
use crate::auth::Meta;
use crate::webhooks::notify_error;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", get(show).post(confirm))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    c: Chrome,
    token: String,
    title: &'static str,
    lead: String,
    /// Whether the one button is shown (a working link, not yet used).
    ask: bool,
}

async fn page(
    state: &AppState,
    c: Chrome,
    token: String,
    u: Option<Unsubscription>,
    done: bool,
) -> Result<Response, WebError> {
    let workspace = match &u {
        Some(u) => herald_accounts::shared::workspace_name(state.db(), u.workspace)
            .await
            .map_err(|e| WebError::Internal(Box::new(e)))?
            .unwrap_or_default(),
        None => String::new(),
    };
    let found = u.is_some();
    let (title, lead) = match u.map(|u| kind_label(c.t, u.kind)) {
        Some(kind) if done => (
            c.t.get("unsubscribe.done_title"),
            c.t.fill("unsubscribe.done", "kind", kind),
        ),
        Some(kind) => (
            c.t.get("unsubscribe.title"),
            c.t.format(
                "unsubscribe.lead",
                &[
                    ("kind", kind.into()),
                    ("workspace", workspace.as_str().into()),
                ],
            ),
        ),
        None => (
            c.t.get("unsubscribe.invalid_title"),
            c.t.get("unsubscribe.invalid").to_owned(),
        ),
    };
    let mut response = private(render(&UnsubscribePage {
        c,
        token,
        title,
        lead,
        ask: found && !done,
    })?);
    if !found {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(response)
}

async fn show(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    state
        .accounts()
        .limit(&limits::REVIEW_LINK_IP, meta.ip_key())
        .await?;
    let u = state.webhooks().notifications.unsubscription(&token);
    page(&state, c, token, u, false).await
}

async fn confirm(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    state
        .accounts()
        .limit(&limits::REVIEW_LINK_IP, meta.ip_key())
        .await?;
    let u = state
        .webhooks()
        .notifications
        .unsubscribe(&token)
        .await
        .map_err(notify_error)?;
    let done = u.is_some();
    page(&state, c, token, u, done)
        .await
        .map(IntoResponse::into_response)
}
