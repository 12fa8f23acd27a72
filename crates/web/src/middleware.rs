//! The layers around every route: request ids and access logs, metrics,
//! error rendering, the same-origin check for unsafe methods, security
//! headers, timeouts and body limits.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self as mw, Next};
use axum::response::{IntoResponse, Response};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

use crate::AppState;
use crate::error::{ErrorBody, ErrorDetail, ErrorInfo, code_for_status};
use crate::i18n::Locale;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request (accepted from `x-request-id` when it is
/// well-formed, generated otherwise).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The route template that matched, for metric labels.
#[derive(Debug, Clone)]
struct RouteLabel(String);

/// The content security policy. Images may come from any https origin
/// (account avatars live on the platforms' CDNs); forms may lead to the
/// platforms' consent screens.
fn csp(form_targets: &[String]) -> HeaderValue {
    let mut form_action = String::from("'self'");
    for origin in form_targets {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    HeaderValue::from_str(&format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action {form_action}; frame-ancestors 'none'"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; form-action 'self'"))
}

/// The default body limit and request timeout, for every route but media
/// uploads (see [`with_body_limit`]).
pub fn bounded(routes: Router<AppState>, site: &crate::SiteConfig) -> Router<AppState> {
    with_body_limit(routes, site.body_limit).layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        site.request_timeout,
    ))
}

/// Bodies larger than `limit` are refused (413), by their `Content-Length`
/// at once and by counting otherwise. Applied outside the CSRF check,
/// which reads form bodies whole.
pub fn with_body_limit(routes: Router<AppState>, limit: usize) -> Router<AppState> {
    routes
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
}

pub fn wrap(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    let site = state.site().clone();
    // Outermost last: `observe` sees every response; the security headers
    // go on rendered error pages too, so `render_errors` sits inside them
    // but outside every layer that can refuse a request.
    let hsts = site.public_url.starts_with("https://");
    let mut router = routes
        .route_layer(mw::from_fn(tag_route))
        .layer(mw::from_fn_with_state(
            state,
            crate::auth::ensure_csrf_cookie,
        ))
        .layer(mw::from_fn(same_origin_writes))
        .layer(mw::from_fn(render_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp(&site.form_targets),
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ));
    if hsts {
        router = router.layer(header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ));
    }
    router.layer(mw::from_fn(observe))
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

fn valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Gives the request its id and span, writes the access log line and the
/// HTTP metrics.
async fn observe(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        path = %req.uri().path(),
    );
    let started = Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = resp.status();
    let route = resp
        .extensions()
        .get::<RouteLabel>()
        .map_or_else(|| "unmatched".to_owned(), |r| r.0.clone());
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.as_u16().to_string()),
    ];
    metrics::counter!("herald_http_requests_total", &labels).increment(1);
    metrics::histogram!("herald_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

async fn tag_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let mut resp = next.run(req).await;
    if let Some(route) = route {
        resp.extensions_mut().insert(RouteLabel(route));
    }
    resp
}

fn wants_json(path: &str, headers: &HeaderMap) -> bool {
    if path.starts_with("/api/") || path.starts_with("/webhooks/") {
        return true;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// Logs each error response once and gives it a body in the caller's
/// format and language.
async fn render_errors(req: Request, next: Next) -> Response {
    let json = wants_json(req.uri().path(), req.headers());
    let locale = Locale::from_headers(req.headers());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (code, detail, problem, params) = match resp.extensions().get::<ErrorInfo>() {
        Some(info) => (
            info.code,
            info.detail.clone(),
            info.problem.clone(),
            info.params.clone(),
        ),
        None => {
            // Bodies rendered on purpose (readiness JSON, pages) pass; bare
            // statuses and axum's plain-text rejections get ours.
            let plain = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|ct| ct.starts_with("text/plain"));
            if !plain {
                return resp;
            }
            (code_for_status(status), None, None, Vec::new())
        }
    };
    if status.is_server_error() {
        tracing::error!(
            status = status.as_u16(),
            code,
            detail = detail.as_deref().unwrap_or(""),
            "request failed"
        );
    } else {
        tracing::debug!(status = status.as_u16(), code, "request refused");
    }
    let mut rendered = if json {
        // A refused JSON body says where and what was wrong there.
        let (field, expected) = problem.map_or((None, None), |p| (Some(p.field), Some(p.expected)));
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message: crate::i18n::error_message(locale, code, &params),
                field,
                expected,
            },
        };
        (status, axum::Json(body)).into_response()
    } else {
        crate::pages::error_page(locale, status, code, &params, request_id.as_deref())
    };
    // The metrics still count it under the route that answered.
    if let Some(label) = resp.extensions().get::<RouteLabel>() {
        rendered.extensions_mut().insert(label.clone());
    }
    // Keep headers that tell the client what to do next.
    for name in [
        header::RETRY_AFTER,
        header::ALLOW,
        header::LOCATION,
        header::WWW_AUTHENTICATE,
    ] {
        if let Some(v) = resp.headers().get(&name) {
            rendered.headers_mut().insert(name, v.clone());
        }
    }
    rendered
}

/// Refuses state-changing requests that a browser marks as cross-site, the
/// first line of CSRF defence (session-bound tokens are the second).
async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_site = matches!(fetch_site, Some("cross-site"));
    let origin_mismatch = match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        // A page served with `Referrer-Policy: no-referrer` (those whose
        // URL holds a token) makes the browser send `Origin: null` on its
        // own forms; Fetch Metadata still says whether it is same-origin.
        (Some("null"), _) => fetch_site != Some("same-origin"),
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
            !origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    };
    if cross_site || origin_mismatch {
        return crate::WebError::Forbidden {
            code: "cross_site_request",
        }
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_bounded_and_plain() {
        assert!(valid_request_id("0192f1a2-7c3e-7abc-9def-0123456789ab"));
        assert!(valid_request_id("trace.abc:1"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("has space"));
        assert!(!valid_request_id("line\nbreak"));
        assert!(!valid_request_id(&"x".repeat(129)));
    }
}
