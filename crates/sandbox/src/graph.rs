//! What graph.facebook.com and graph.instagram.com share: the error
//! object (`{"error":{"message","type","code","error_subcode","fbtrace_id"}}`,
//! HTTP 400 for client errors), token extraction (`access_token` parameter or
//! `Authorization: Bearer`), `fields` selection, and usage accounting with
//! the `X-App-Usage` / `X-Business-Use-Case-Usage` headers on every response.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::{Timestamp, tz::TimeZone};
use serde_json::{Map, Value, json};

use crate::Sandbox;
use crate::faults::FaultKind;
use crate::meters::{Usage, WindowCount};
use crate::oauth::random_b64url;
use crate::params::{GraphField, Params, bearer, parse_graph_fields};
use crate::state::{Revocation, TokenProblem};

const HOUR: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// A Graph API error.
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    pub kind: &'static str,
    pub transient: Option<bool>,
}

impl GraphError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            subcode: None,
            message: message.into(),
            kind: "OAuthException",
            transient: None,
        }
    }

    pub fn subcode(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn transient(mut self, transient: bool) -> Self {
        self.transient = Some(transient);
        self
    }

    pub fn to_json(&self) -> Value {
        let mut error = Map::new();
        error.insert("message".into(), json!(self.message));
        error.insert("type".into(), json!(self.kind));
        error.insert("code".into(), json!(self.code));
        if let Some(subcode) = self.subcode {
            error.insert("error_subcode".into(), json!(subcode));
        }
        if let Some(transient) = self.transient {
            error.insert("is_transient".into(), json!(transient));
        }
        error.insert("fbtrace_id".into(), json!(fbtrace_id()));
        json!({ "error": error })
    }

    // ------------------------------------------------------------ catalogue

    pub fn cannot_parse_token() -> Self {
        Self::new(
            190,
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    pub fn expired(at: Timestamp, now: Timestamp) -> Self {
        Self::new(
            190,
            format!(
                "Error validating access token: Session has expired on {}. The current time is {}.",
                graph_date(at),
                graph_date(now)
            ),
        )
        .subcode(463)
    }

    /// 190/460: invalidated session (password change, security reset).
    pub fn session_invalidated() -> Self {
        Self::new(
            190,
            "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        )
        .subcode(460)
    }

    /// 190/458: the person removed the app.
    pub fn app_not_authorized(app_id: &str) -> Self {
        Self::new(
            190,
            format!(
                "Error validating access token: The user has not authorized application {app_id}."
            ),
        )
        .subcode(458)
    }

    /// 190/467: logged out / invalidated by the app.
    pub fn logged_out() -> Self {
        Self::new(
            190,
            "Error validating access token: The session is invalid because the user logged out.",
        )
        .subcode(467)
    }

    pub fn from_problem(problem: TokenProblem, app_id: &str, now: Timestamp) -> Self {
        match problem {
            TokenProblem::Unknown => Self::cannot_parse_token(),
            TokenProblem::Expired(at) => Self::expired(at, now),
            TokenProblem::Revoked(Revocation::AppRemoved) => Self::app_not_authorized(app_id),
            TokenProblem::Revoked(Revocation::Revoked) => Self::logged_out(),
            TokenProblem::Revoked(_) => Self::session_invalidated(),
        }
    }

    pub fn no_token_for_me() -> Self {
        Self::new(
            2500,
            "An active access token must be used to query information about the current user.",
        )
    }

    pub fn no_token() -> Self {
        Self::new(104, "An access token is required to request this resource.")
    }

    pub fn app_throttled() -> Self {
        Self::new(4, "(#4) Application request limit reached").transient(true)
    }

    pub fn page_throttled() -> Self {
        Self::new(32, "(#32) Page request limit reached").transient(true)
    }

    pub fn instagram_throttled() -> Self {
        Self::new(
            80002,
            "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        )
        .transient(true)
    }

    pub fn server() -> Self {
        let mut e = Self::new(
            2,
            "An unexpected error has occurred. Please retry your request later.",
        )
        .transient(true);
        e.status = StatusCode::INTERNAL_SERVER_ERROR;
        e
    }

    pub fn param(message: impl Into<String>) -> Self {
        Self::new(100, message)
    }

    pub fn no_permission() -> Self {
        Self::new(
            10,
            "(#10) Application does not have permission for this action",
        )
    }

    pub fn unsupported_get(id: &str) -> Self {
        Self::new(
            100,
            format!("Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"),
        )
        .kind("GraphMethodException")
        .subcode(33)
    }

    pub fn nonexisting_field(field: &str, node: &str) -> Self {
        Self::param(format!(
            "(#100) Tried accessing nonexisting field ({field}) on node type ({node})"
        ))
    }

    pub fn unknown_path(path: &str) -> Self {
        Self::new(2500, format!("Unknown path components: {path}"))
    }
}

/// Meta's "Tuesday, 14-Nov-23 22:13:20 UTC" style, in UTC.
fn graph_date(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::UTC)
        .strftime("%A, %d-%b-%y %H:%M:%S UTC")
        .to_string()
}

pub(crate) fn fbtrace_id() -> String {
    let mut id = random_b64url(8);
    id.truncate(11);
    format!("A{id}")
}

/// `vNN.N` version path segments.
pub(crate) fn check_version(segment: &str) -> Result<(), GraphError> {
    let ok = segment
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(GraphError::unknown_path(&format!("/{segment}")))
    }
}

/// Which budget a throttling fault reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget<'a> {
    App,
    Page(&'a str),
    Instagram(&'a str),
}

/// One Graph request in flight: its parameters, token, pending fault and
/// the usage to report in headers.
pub(crate) struct GraphCall {
    pub params: Params,
    pub token: Option<String>,
    pub fault: Option<FaultKind>,
    pub app_id: String,
    app_usage: Usage,
    buc: Option<(String, &'static str, Usage)>,
}

impl GraphCall {
    /// Counts the request (faults, app usage) and parses its parameters.
    pub async fn begin(
        sb: &Sandbox,
        endpoint: &'static str,
        app_id: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let fault = sb.hit(endpoint).await;
        let params = Params::from_request(query, headers, body);
        let token = bearer(headers).or_else(|| params.non_empty("access_token").map(str::to_owned));
        let now = sb.now();
        let window = sb.meters(|m| m.record(&format!("app:{app_id}"), now, HOUR));
        let app_usage = Usage::of(window, sb.config().limits.meta_app_calls_per_hour, now);
        Self {
            params,
            token,
            fault,
            app_id: app_id.to_owned(),
            app_usage,
            buc: None,
        }
    }

    /// Code 4 once the app's hourly budget is spent.
    pub fn check_app_budget(&self) -> Result<(), GraphError> {
        if self.app_usage.throttled() {
            Err(GraphError::app_throttled())
        } else {
            Ok(())
        }
    }

    /// Counts a call against a Page's or Instagram account's business use
    /// case budget; 32 / 80002 once it is spent.
    pub fn charge_object(&mut self, sb: &Sandbox, budget: Budget<'_>) -> Result<(), GraphError> {
        let (id, kind, error) = match budget {
            Budget::App => return Ok(()),
            Budget::Page(id) => (id, "pages", GraphError::page_throttled()),
            Budget::Instagram(id) => (id, "instagram", GraphError::instagram_throttled()),
        };
        let now = sb.now();
        let window: WindowCount = sb.meters(|m| m.record(&format!("buc:{id}"), now, HOUR));
        let usage = Usage::of(window, sb.config().limits.meta_buc_calls_per_hour, now);
        self.buc = Some((id.to_owned(), kind, usage));
        if usage.throttled() {
            Err(error)
        } else {
            Ok(())
        }
    }

    /// Renders a pending fault. `missing_permission` is this endpoint's
    /// permission error; token faults give 190/463 and 190/460.
    pub fn fault(
        &mut self,
        sb: &Sandbox,
        budget: Budget<'_>,
        missing_permission: impl FnOnce() -> GraphError,
    ) -> Result<(), GraphError> {
        let Some(kind) = self.fault else {
            return Ok(());
        };
        let now = sb.now();
        Err(match kind {
            FaultKind::RateLimited => match budget {
                Budget::App => {
                    self.app_usage = self.app_usage.saturated();
                    GraphError::app_throttled()
                }
                Budget::Page(id) | Budget::Instagram(id) => {
                    let (kind, error) = if matches!(budget, Budget::Page(_)) {
                        ("pages", GraphError::page_throttled())
                    } else {
                        ("instagram", GraphError::instagram_throttled())
                    };
                    let current = self.buc.as_ref().map_or(
                        Usage::of(
                            WindowCount {
                                calls: 0,
                                frees_at: now,
                            },
                            1,
                            now,
                        ),
                        |(_, _, u)| *u,
                    );
                    self.buc = Some((id.to_owned(), kind, current.saturated()));
                    error
                }
            },
            FaultKind::ServerError => GraphError::server(),
            FaultKind::ExpiredToken => {
                GraphError::expired(now - jiff::SignedDuration::from_mins(5), now)
            }
            FaultKind::RevokedToken => GraphError::session_invalidated(),
            FaultKind::MissingPermission => missing_permission(),
            FaultKind::Slow { .. }
            | FaultKind::ResponseLost
            | FaultKind::ContentFiltered
            | FaultKind::AnswerFiltered
            | FaultKind::StreamCut
            | FaultKind::QuotaExhausted => return Ok(()),
        })
    }

    /// The response, with the usage headers.
    pub fn finish(self, result: Result<Value, GraphError>) -> Response {
        let (status, body) = match result {
            Ok(body) => (StatusCode::OK, body),
            Err(error) => (error.status, error.to_json()),
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        let app = json!({
            "call_count": self.app_usage.call_count,
            "total_cputime": self.app_usage.total_cputime,
            "total_time": self.app_usage.total_time,
        });
        if let Ok(v) = HeaderValue::from_str(&app.to_string()) {
            headers.insert("x-app-usage", v);
        }
        if let Some((id, kind, usage)) = self.buc {
            let buc = json!({ id: [{
                "type": kind,
                "call_count": usage.call_count,
                "total_cputime": usage.total_cputime,
                "total_time": usage.total_time,
                "estimated_time_to_regain_access": usage.regain_minutes,
            }]});
            if let Ok(v) = HeaderValue::from_str(&buc.to_string()) {
                headers.insert("x-business-use-case-usage", v);
            }
        }
        response
    }
}

/// The `fields` parameter, or `default` when absent. Unknown names give
/// code 100 "Tried accessing nonexisting field".
pub(crate) fn requested_fields(
    params: &Params,
    default: &[&str],
    known: &[&str],
    node: &str,
) -> Result<Vec<GraphField>, GraphError> {
    let fields = match params.get("fields") {
        Some(raw) if !raw.trim().is_empty() => parse_graph_fields(raw)
            .ok_or_else(|| GraphError::param(format!("Syntax error \"Expected end of string instead of \"{raw}\".\" at character 0: {raw}")))?,
        _ => default
            .iter()
            .map(|name| GraphField {
                name: (*name).to_owned(),
                sub: None,
            })
            .collect(),
    };
    if let Some(bad) = fields.iter().find(|f| !known.contains(&f.name.as_str())) {
        return Err(GraphError::nonexisting_field(&bad.name, node));
    }
    Ok(fields)
}

/// Builds an object from `fields`, asking `value` for each name. Names
/// `value` returns None for are left out (as Graph omits unset fields).
pub(crate) fn select(
    fields: &[GraphField],
    mut value: impl FnMut(&GraphField) -> Option<Value>,
) -> Value {
    let mut out = Map::new();
    for field in fields {
        if let Some(v) = value(field) {
            out.insert(field.name.clone(), v);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_look_like_v_major_dot_minor() {
        assert!(check_version("v25.0").is_ok());
        assert!(check_version("v3.2").is_ok());
        assert!(check_version("me").is_err());
        assert!(check_version("v25").is_err());
        assert!(check_version("v.1").is_err());
    }

    #[test]
    fn error_objects_have_the_graph_shape() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let e = GraphError::expired(now, now).to_json();
        assert_eq!(e["error"]["code"], 190);
        assert_eq!(e["error"]["error_subcode"], 463);
        assert_eq!(e["error"]["type"], "OAuthException");
        assert!(e["error"]["message"].as_str().unwrap().starts_with(
            "Error validating access token: Session has expired on Tuesday, 14-Nov-23 22:13:20 UTC"
        ));
        assert_eq!(e["error"]["fbtrace_id"].as_str().unwrap().len(), 12);
    }
}
