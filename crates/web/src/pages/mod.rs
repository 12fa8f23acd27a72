//! Server-rendered pages: the public pages (landing, privacy, terms), the
//! logged-in shell with its left rail, and the error page.
//!
//! Every template gets a [`Chrome`]: the locale's catalog, the asset URLs,
//! the language switcher and the development flag, extracted once per
//! request so handlers only add what their page shows.

mod account;
mod analytics;
pub(crate) mod api_docs;
mod approvals;
mod calendar;
mod compose;
mod content;
mod data;
mod deletion;
mod endpoints;
mod guest_review;
mod inbox;
mod learn;
pub(crate) use learn::recommendation_words;
pub mod live;
mod mailbox;
mod notifications;
mod posts;
pub(crate) mod public;
mod unsubscribe;
pub use public::{FEATURES, LEGAL_VERSION};
mod publishing;
mod review;
mod settings;
mod shell;
mod tokens;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};

use herald_accounts::{User, WorkspaceMembership};

use crate::i18n::{Catalog, Locale, catalog};
use crate::{AppState, WebError, assets};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(api_docs::router())
        .merge(mailbox::router())
        .merge(account::router())
        .merge(settings::router())
        .merge(approvals::router())
        .merge(tokens::router())
        .merge(review::router())
        .merge(data::router())
        .merge(publishing::router())
        .merge(calendar::router())
        .merge(compose::router())
        .merge(content::router())
        .merge(analytics::router())
        .merge(learn::router())
        .merge(posts::router())
        .merge(endpoints::router())
        .merge(webhooks::router())
        .merge(inbox::router())
        .merge(live::router())
        .merge(notifications::router())
        .merge(deletion::router())
        .merge(guest_review::router())
        .merge(unsubscribe::router())
        .merge(shell::router())
}

/// One entry of the language switcher.
pub struct LanguageOption {
    pub code: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

/// What the layout of every page needs.
pub struct Chrome {
    pub locale: Locale,
    pub t: &'static Catalog,
    pub development: bool,
    /// The sandbox is on in production mode (a banner says so).
    pub sandbox_in_production: bool,
    /// The current path and query, where the language switcher returns to.
    pub path: String,
    pub languages: Vec<LanguageOption>,
    pub css: String,
    pub nojs_css: String,
    pub js: String,
    pub icon: String,
    /// The CSRF token every form on the page carries.
    pub csrf: String,
    /// The signed-in user, for the shell.
    pub user: Option<UserBadge>,
    /// Unread notifications in the current workspace (shell pages only).
    pub unread: Option<i64>,
    /// The live stream of the current workspace (shell pages only): the
    /// script refreshes the badge and `data-live` regions from it.
    pub live: Option<String>,
}

/// Who is signed in, as the shell shows it.
pub struct UserBadge {
    pub label: String,
    pub email: String,
    pub verified: bool,
}

impl Chrome {
    pub fn new(locale: Locale, development: bool, path: String) -> Chrome {
        Chrome {
            locale,
            t: catalog(locale),
            development,
            sandbox_in_production: false,
            path,
            languages: Locale::ALL
                .into_iter()
                .map(|l| LanguageOption {
                    code: l.code(),
                    name: l.native_name(),
                    selected: l == locale,
                })
                .collect(),
            css: assets::url("app.css"),
            nojs_css: assets::url("nojs.css"),
            js: assets::url("app.js"),
            icon: assets::url("icon.svg"),
            csrf: String::new(),
            user: None,
            unread: None,
            live: None,
        }
    }
}

impl FromRequestParts<AppState> for Chrome {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = Locale::from_headers(&parts.headers);
        // Inside nested routers `uri` is trimmed; the original is what the
        // browser asked for.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        let path = uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let mut chrome = Chrome::new(locale, state.site().development, path);
        chrome.sandbox_in_production = state.site().sandbox_in_production;
        chrome.csrf = crate::auth::csrf_token(state, &parts.headers, &parts.extensions);
        // A failed session lookup shows the page signed out; the handler's
        // own extractors report the error where it matters.
        if let Ok(crate::auth::CurrentUser(Some(authed))) =
            crate::auth::CurrentUser::from_request_parts(parts, state).await
        {
            chrome.user = Some(UserBadge {
                label: authed.user.label().to_owned(),
                email: authed.user.email.to_string(),
                verified: authed.user.verified,
            });
            if uri.path().starts_with("/home")
                && let Some((workspace, unread)) =
                    notifications::unread_badge(state, &authed.user, &uri).await
            {
                chrome.unread = Some(unread);
                chrome.live = Some(format!("/home/live?workspace={workspace}"));
            }
        }
        Ok(chrome)
    }
}

/// The workspace asked for, if the user is in it; else their first.
pub(super) async fn pick_workspace(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
) -> Result<Option<WorkspaceMembership>, WebError> {
    let all = state.accounts().workspaces(user).await?;
    let chosen = asked.and_then(|id| all.iter().find(|w| w.id.0 == id).cloned());
    Ok(chosen.or_else(|| all.into_iter().next()))
}

/// A UTC time as pages show it.
pub(super) fn when(t: herald_core::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// Copy for a short code from a redirect (`?done=`, `?error=`), only if
/// the catalog knows it: a made-up code shows nothing.
pub(super) fn known(t: &'static Catalog, prefix: &str, code: Option<&str>) -> Option<String> {
    let code = code?;
    if !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let key = format!("{prefix}{code}");
    t.has(&key).then(|| t.text(&key).to_owned())
}

/// Renders a template into a response; a failure is logged once by the
/// error middleware, like any other.
pub fn render(template: &impl Template) -> Result<Response, WebError> {
    template
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|e| WebError::Internal(Box::new(e)))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    message: String,
    reference: Option<String>,
}

/// The HTML body for an error response, in the caller's language.
pub fn error_page(
    locale: Locale,
    status: StatusCode,
    code: &str,
    params: &[(&'static str, String)],
    request_id: Option<&str>,
) -> Response {
    let c = Chrome::new(locale, false, "/".to_owned());
    let page = ErrorPage {
        reference: request_id.map(|id| c.t.fill("error.reference", "id", id)),
        message: crate::i18n::error_message(locale, code, params),
        status: status.as_u16(),
        c,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not render the error page");
            (status, crate::i18n::error_copy(locale, code)).into_response()
        }
    }
}
