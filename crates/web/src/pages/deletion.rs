//! The public status page of a Meta data-deletion request: the URL Herald
//! gives Meta with the confirmation code, which the person who asked can
//! open without an account. It shows the state, when it was asked for and
//! done, and how much was removed; never who or which account.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use herald_core::Named;
use herald_webhooks::DeletionState;
use serde::Deserialize;

use super::{Chrome, render, when};
use crate::webhooks::service_error;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/privacy/data-deletion", get(find_deletion))
        .route("/privacy/data-deletion/{code}", get(show_deletion))
}

/// Whether `code` could be a confirmation code at all (so a made-up one is
/// a 404 without a lookup, and nothing odd reaches a redirect).
fn plausible(code: &str) -> bool {
    (4..=128).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Template)]
#[template(path = "data_deletion.html")]
struct DeletionPage {
    c: Chrome,
    /// `None`: the lookup form only.
    status: Option<StatusView>,
    code: String,
    not_found: bool,
}

pub struct StatusView {
    pub state: &'static str,
    pub state_label: &'static str,
    pub explanation: &'static str,
    pub requested: String,
    pub completed: Option<String>,
    pub connections_removed: i64,
    pub items_removed: i64,
}

#[derive(Deserialize, Default)]
struct FindQuery {
    code: Option<String>,
}

/// The lookup form; with `?code=`, on to that request's page.
async fn find_deletion(c: Chrome, Query(q): Query<FindQuery>) -> Result<Response, WebError> {
    let code = q.code.as_deref().map(str::trim).unwrap_or_default();
    if plausible(code) {
        return Ok(Redirect::to(&format!("/privacy/data-deletion/{code}")).into_response());
    }
    let not_found = !code.is_empty();
    let mut resp = render(&DeletionPage {
        status: None,
        code: code.to_owned(),
        not_found,
        c,
    })?;
    if not_found {
        *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(resp)
}

async fn show_deletion(
    State(state): State<AppState>,
    c: Chrome,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    if !plausible(&code) {
        return Err(WebError::NotFound);
    }
    let status = state
        .webhooks()
        .callbacks
        .deletion_status(&code)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let key = |part: &str| {
        c.t.text(&format!(
            "deletion.{part}.{}",
            match status.state {
                DeletionState::Received => "received",
                DeletionState::InProgress => "in_progress",
                DeletionState::Completed => "completed",
            }
        ))
    };
    let view = StatusView {
        state: status.state.as_str(),
        state_label: key("state"),
        explanation: key("explain"),
        requested: when(status.requested_at),
        completed: status.completed_at.map(when),
        connections_removed: status.connections_removed,
        items_removed: status.items_removed,
    };
    render(&DeletionPage {
        status: Some(view),
        code: status.confirmation_code,
        not_found: false,
        c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn only_plain_codes_are_looked_up() {
        assert!(plausible("a1B2-c3_d4"));
        for bad in [
            "",
            "abc",
            "../../etc",
            "a b c d",
            "ünïcode",
            &"x".repeat(129),
        ] {
            assert!(!plausible(bad), "{bad:?}");
        }
    }

    #[test]
    fn every_state_is_named_and_explained_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for s in ["received", "in_progress", "completed"] {
                assert!(t.has(&format!("deletion.state.{s}")), "{s}");
                assert!(t.has(&format!("deletion.explain.{s}")), "{s}");
            }
        }
    }
}
