//! Google: OAuth 2.0 (`oauth`), the YouTube Data API's `channels.list`
//! (`youtube`), resumable uploads and `videos.list` (`upload`),
//! `playlistItems.list` (`playlists`), comments (`comments`), the YouTube
//! Analytics API's reports (`analytics`) over each channel's videos and
//! audience (`catalog`), and Drive v3 files (`drive`). This module holds what the
//! APIs share: the JSON error format
//! (`{"error":{"code","message","errors":[{message,domain,reason,…}],"status"}}`),
//! bearer-token checks, fault rendering and the per-project daily quota.

mod analytics;
pub(crate) mod catalog;
mod comments;
mod drive;
mod oauth;
mod playlists;
pub(crate) mod upload;
mod youtube;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::faults::FaultKind;
use crate::params::{Params, bearer};
use crate::state::TokenRecord;
use crate::{Platform, Sandbox};

pub(crate) use comments::{VideoChoice, YouTubeComments, create_youtube_comment, video_choices};

pub(crate) const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";

/// Google's admin routes (tests' switches for YouTube uploads).
pub(crate) fn admin_router() -> Router<Sandbox> {
    upload::admin_router()
}

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .merge(oauth::router())
        .merge(youtube::router())
        .merge(comments::router())
        .merge(upload::router())
        .merge(drive::router())
        .merge(playlists::router())
        .merge(analytics::router())
}

fn status_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        416 => "OUT_OF_RANGE",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        _ => "UNKNOWN",
    }
}

/// One entry of `errors[]`.
pub(crate) struct Reason {
    pub message: String,
    pub domain: &'static str,
    pub reason: &'static str,
    pub location: Option<(String, &'static str)>,
}

impl Reason {
    pub fn new(message: impl Into<String>, domain: &'static str, reason: &'static str) -> Self {
        Self {
            message: message.into(),
            domain,
            reason,
            location: None,
        }
    }

    pub fn at(mut self, location: impl Into<String>, kind: &'static str) -> Self {
        self.location = Some((location.into(), kind));
        self
    }
}

/// A Google JSON API error response.
pub(crate) fn api_error(status: StatusCode, message: &str, reason: Reason) -> Response {
    let mut entry = Map::new();
    entry.insert("message".into(), json!(reason.message));
    entry.insert("domain".into(), json!(reason.domain));
    entry.insert("reason".into(), json!(reason.reason));
    if let Some((location, kind)) = reason.location {
        entry.insert("location".into(), json!(location));
        entry.insert("locationType".into(), json!(kind));
    }
    let body = json!({"error": {
        "code": status.as_u16(),
        "message": message,
        "errors": [Value::Object(entry)],
        "status": status_name(status),
    }});
    let mut response = json_response(status, body);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#,
            ),
        );
    }
    response
}

pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

pub(crate) fn unauthenticated() -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        Reason::new("Invalid Credentials", "global", "authError").at("Authorization", "header"),
    )
}

pub(crate) fn login_required() -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        Reason::new("Login Required.", "global", "required").at("Authorization", "header"),
    )
}

pub(crate) fn insufficient_permissions() -> Response {
    api_error(
        StatusCode::FORBIDDEN,
        "Request had insufficient authentication scopes.",
        Reason::new(
            "Insufficient Permission",
            "global",
            "insufficientPermissions",
        ),
    )
}

pub(crate) fn backend_error() -> Response {
    api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is currently unavailable.",
        Reason::new("Backend Error", "global", "backendError"),
    )
}

pub(crate) fn rate_limited() -> Response {
    api_error(
        StatusCode::TOO_MANY_REQUESTS,
        "Rate Limit Exceeded",
        Reason::new("Rate Limit Exceeded", "usageLimits", "rateLimitExceeded"),
    )
}

pub(crate) fn quota_exceeded() -> Response {
    let message = "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.";
    api_error(
        StatusCode::FORBIDDEN,
        message,
        Reason::new(message, "youtube.quota", "quotaExceeded"),
    )
}

pub(crate) fn bad_parameter(message: &str, reason: &'static str, parameter: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "global", reason).at(parameter, "parameter"),
    )
}

/// A pending fault rendered for a Google API (not OAuth) endpoint.
/// YouTube reports rate limiting as its quota error.
pub(crate) fn api_fault(fault: Option<FaultKind>, youtube: bool) -> Option<Response> {
    Some(match fault? {
        FaultKind::RateLimited if youtube => quota_exceeded(),
        FaultKind::RateLimited => rate_limited(),
        FaultKind::ServerError => backend_error(),
        FaultKind::ExpiredToken | FaultKind::RevokedToken => unauthenticated(),
        FaultKind::MissingPermission => insufficient_permissions(),
        FaultKind::Slow { .. }
        | FaultKind::ResponseLost
        | FaultKind::ContentFiltered
        | FaultKind::AnswerFiltered
        | FaultKind::StreamCut
        | FaultKind::QuotaExhausted => return None,
    })
}

/// The live Google access token of the request (`Authorization: Bearer` or
/// `access_token`), or the 401 to answer with.
pub(crate) fn caller(
    sb: &Sandbox,
    headers: &HeaderMap,
    params: &Params,
) -> Result<TokenRecord, Response> {
    let Some(token) =
        bearer(headers).or_else(|| params.non_empty("access_token").map(str::to_owned))
    else {
        return Err(login_required());
    };
    let now = sb.now();
    sb.read(|st| st.check(&token, Platform::Google, now).cloned())
        .ok()
        .filter(|r| r.kind == crate::state::TokenKind::GoogleAccess)
        .ok_or_else(unauthenticated)
}

/// Whether `record` holds any of `scopes` (short names after the prefix).
pub(crate) fn has_any_scope(record: &TokenRecord, scopes: &[&str]) -> bool {
    record.scopes.iter().any(|granted| {
        granted
            .strip_prefix(SCOPE_PREFIX)
            .is_some_and(|short| scopes.contains(&short))
    })
}
