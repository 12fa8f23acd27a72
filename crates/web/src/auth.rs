//! Who is asking: the session cookie, bearer credentials, CSRF tokens and
//! the extractors handlers use (`CurrentUser`, `SignedIn`, `ApiCaller`,
//! `Caller`, `AccountCaller`).
//!
//! A bearer credential is a device's access token (the person's whole
//! role, as a session) or a scoped token (`hrld_pat_…`, `hrld_app_…`,
//! `hrld_ast_…`: one workspace, its scopes). Pages read only the session
//! cookie, so a token on a page is simply not signed in. Failed bearer
//! attempts are rate-limited per client (429 past the limit).
//!
//! The session cookie holds a random token whose hash names a server-side
//! session (see `herald_accounts`). It is `HttpOnly; SameSite=Lax; Path=/`,
//! and `Secure` with the `__Host-` prefix whenever the public URL is
//! https; plain-http development is the one documented exception.
//!
//! CSRF: every state-changing request carries a token, either in the
//! `_csrf` form field or the `x-csrf-token` header. The token is an HMAC of
//! the session cookie (signed in) or of a random `herald_csrf` cookie (not
//! signed in, so login and sign-up forms are covered too), under a key
//! derived from the session secret. Requests authenticated only by a bearer
//! token carry no ambient credentials and need none.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use herald_accounts::{AuditEvent, Authed, Bearer, RequestMeta, TokenGrant, User, secret};

use crate::i18n::cookie_value;
use crate::{AppState, WebError};

/// Names and flags of Herald's cookies for this deployment.
#[derive(Debug, Clone)]
pub struct Cookies {
    pub secure: bool,
}

impl Cookies {
    pub fn session_name(&self) -> &'static str {
        if self.secure {
            "__Host-herald_session"
        } else {
            "herald_session"
        }
    }

    pub fn csrf_name(&self) -> &'static str {
        if self.secure {
            "__Host-herald_csrf"
        } else {
            "herald_csrf"
        }
    }

    fn attributes(&self, max_age: Option<u64>) -> String {
        let mut attrs = String::from("; Path=/; HttpOnly; SameSite=Lax");
        if self.secure {
            attrs.push_str("; Secure");
        }
        if let Some(age) = max_age {
            attrs.push_str(&format!("; Max-Age={age}"));
        }
        attrs
    }

    pub fn set_session(&self, token: &str, max_age: u64) -> HeaderValue {
        let value = format!(
            "{}={token}{}",
            self.session_name(),
            self.attributes(Some(max_age))
        );
        HeaderValue::from_str(&value).expect("a token is a valid cookie value")
    }

    pub fn clear_session(&self) -> HeaderValue {
        let value = format!("{}={}", self.session_name(), self.attributes(Some(0)));
        HeaderValue::from_str(&value).expect("valid cookie")
    }

    fn set_csrf(&self, value: &str) -> HeaderValue {
        let value = format!("{}={value}{}", self.csrf_name(), self.attributes(None));
        HeaderValue::from_str(&value).expect("a token is a valid cookie value")
    }
}

/// After a logout: the session cookie cleared, and on to the login page.
pub fn signed_out(state: &AppState) -> Response {
    (
        axum::http::StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, state.cookies().clear_session()),
            (header::LOCATION, HeaderValue::from_static("/login")),
        ],
    )
        .into_response()
}

/// The session cookie's value, if any.
pub fn session_cookie<'h>(state: &AppState, headers: &'h HeaderMap) -> Option<&'h str> {
    cookie_value(headers, state.cookies().session_name()).filter(|v| !v.is_empty())
}

/// The anonymous CSRF cookie made for this request (when it had none).
#[derive(Debug, Clone)]
struct FreshCsrfCookie(String);

/// The CSRF token that forms on this request's page must carry.
pub fn csrf_token(
    state: &AppState,
    parts_headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> String {
    let key = state.csrf_key();
    if let Some(session) = session_cookie(state, parts_headers) {
        return secret::sign(key, &format!("session:{session}"));
    }
    let anon = extensions
        .get::<FreshCsrfCookie>()
        .map(|c| c.0.as_str())
        .or_else(|| cookie_value(parts_headers, state.cookies().csrf_name()))
        .unwrap_or("");
    secret::sign(key, &format!("anon:{anon}"))
}

/// The client's address. The TCP peer, unless it is one of the `trusted`
/// reverse proxies: then the right-most `X-Forwarded-For` hop that is not
/// a trusted proxy (hops to its left were written by the client and prove
/// nothing). A hop that is not an address ends the walk at the last
/// trusted one. Without trusted proxies the header is ignored, so no
/// client can choose the address its rate limits and audit lines carry.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[ipnet::IpNet],
) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// Where the request came from, for sessions, rate limits and the audit
/// log.
pub fn request_meta(parts: &Parts, trusted_proxies: &[ipnet::IpNet]) -> RequestMeta {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(peer, &parts.headers, trusted_proxies).map(|ip| ip.to_string());
    let ua = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    RequestMeta::new(ip, ua)
}

/// [`RequestMeta`] as an extractor.
pub struct Meta(pub RequestMeta);

impl FromRequestParts<AppState> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Meta(request_meta(parts, &state.site().trusted_proxies)))
    }
}

/// The signed-in user, if any (looked up once per request).
#[derive(Clone)]
pub struct CurrentUser(pub Option<Authed>);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(found) = parts.extensions.get::<CurrentUser>() {
            return Ok(found.clone());
        }
        let authed = match session_cookie(state, &parts.headers) {
            Some(token) => state.accounts().session(token).await?,
            None => None,
        };
        let found = CurrentUser(authed);
        parts.extensions.insert(found.clone());
        Ok(found)
    }
}

/// A page that needs a signed-in user: anyone else is sent to the login
/// page and brought back afterwards.
pub struct SignedIn(pub Authed);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let CurrentUser(authed) = CurrentUser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match authed {
            Some(a) => Ok(SignedIn(a)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/home", axum::http::uri::PathAndQuery::as_str);
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// An API caller: a bearer credential, or a browser session. For a scoped
/// token the request also remembers its grant, which [`crate::member`]'s
/// extractors and `resolve` apply (its workspace only, its scopes); a
/// handler that takes `ApiCaller` alone must not ask for a proof any other
/// way (see [`AccountCaller`] for routes no token may use).
pub struct ApiCaller(pub User);

/// The caller once authenticated, kept in the request's extensions so a
/// second extractor does not look the credential up again.
#[derive(Clone)]
struct Authenticated {
    user: User,
    grant: Option<Arc<TokenGrant>>,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(ApiCaller(authenticate(parts, state).await?.user))
    }
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Authenticated, WebError> {
    if let Some(found) = parts.extensions.get::<Authenticated>() {
        return Ok(found.clone());
    }
    let found = if let Some(credential) = bearer(&parts.headers) {
        let meta = request_meta(parts, &state.site().trusted_proxies);
        match state
            .accounts()
            .authenticate_bearer(credential, &meta)
            .await?
        {
            Some(Bearer::Device(user, _device)) => Authenticated { user, grant: None },
            Some(Bearer::Token(user, grant)) => Authenticated {
                user,
                grant: Some(Arc::new(grant)),
            },
            None => return Err(WebError::Unauthorized),
        }
    } else {
        match CurrentUser::from_request_parts(parts, state).await? {
            CurrentUser(Some(authed)) => Authenticated {
                user: authed.user,
                grant: None,
            },
            CurrentUser(None) => return Err(WebError::Unauthorized),
        }
    };
    if let (Some(grant), Some(slot)) = (&found.grant, parts.extensions.get::<GrantSlot>()) {
        *slot
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(grant.clone());
    }
    parts.extensions.insert(found.clone());
    Ok(found)
}

/// Where [`ApiCaller`] leaves a scoped token's grant for
/// [`audit_token_writes`], which reads it after the handler ran.
#[derive(Clone, Default)]
struct GrantSlot(Arc<Mutex<Option<Arc<TokenGrant>>>>);

/// Audits every state-changing API request made with a scoped token, once
/// it is answered: `api.write` by the token's maker in its workspace,
/// `via` the token, the method and path as subject, the status as detail;
/// `success` for 2xx, `denied` for 401/403/404, `failure` otherwise. So an
/// assistant's every action is in the audit log "via assistant X on
/// behalf of Y", whether or not the service it reached audits it too.
pub async fn audit_token_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !writes || bearer(req.headers()).is_none() {
        return next.run(req).await;
    }
    let slot = GrantSlot::default();
    req.extensions_mut().insert(slot.clone());
    let (parts, body) = req.into_parts();
    let meta = request_meta(&parts, &state.site().trusted_proxies);
    let subject = format!("{} {}", parts.method, parts.uri.path());
    let resp = next.run(Request::from_parts(parts, body)).await;
    let grant = slot
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    if let Some(grant) = grant {
        let status = resp.status();
        let outcome = if status.is_success() {
            "success"
        } else if matches!(status.as_u16(), 401 | 403 | 404) {
            "denied"
        } else {
            "failure"
        };
        let via = grant.audit_label();
        state
            .accounts()
            .audit(
                AuditEvent {
                    actor: Some(grant.user),
                    workspace: Some(grant.workspace),
                    subject: Some(&subject),
                    detail: status.as_str(),
                    via: Some(&via),
                    ..AuditEvent::new("api.write", outcome)
                },
                &meta,
            )
            .await;
    }
    resp
}

/// The scoped token this request was authenticated with, if any (after
/// [`ApiCaller`] ran).
pub(crate) fn caller_grant(parts: &Parts) -> Option<Arc<TokenGrant>> {
    parts
        .extensions
        .get::<Authenticated>()
        .and_then(|a| a.grant.clone())
}

/// An API caller and, when it came with a scoped token, the token's grant:
/// for routes that answer a token differently (`/api/me` shows only the
/// token's workspace).
pub struct Caller {
    pub user: User,
    pub grant: Option<Arc<TokenGrant>>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Authenticated { user, grant } = authenticate(parts, state).await?;
        Ok(Caller { user, grant })
    }
}

/// An API caller acting as the whole person: a browser session or a
/// device's token. A scoped token is refused (403 `insufficient_scope`,
/// no scope allows it): devices, notifications and the tokens themselves
/// are the person's, not a workspace's resource.
pub struct AccountCaller(pub User);

impl FromRequestParts<AppState> for AccountCaller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match authenticate(parts, state).await? {
            Authenticated { grant: Some(_), .. } => Err(WebError::InsufficientScope(None)),
            Authenticated { user, grant: None } => Ok(AccountCaller(user)),
        }
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Percent-encodes a `next` value for a query string.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Gives visitors without a session an anonymous CSRF cookie, so the forms
/// they see (login, sign-up) can carry a token bound to it.
pub async fn ensure_csrf_cookie(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // Signed media URLs and webhooks are called by platforms, and /mcp by
    // assistants, not browsers: no cookie (and no token minted on every
    // delivery or tool call).
    let path = req.uri().path();
    let needs = !path.starts_with("/media/")
        && !path.starts_with("/webhooks/")
        && path != "/mcp"
        && session_cookie(&state, req.headers()).is_none()
        && cookie_value(req.headers(), state.cookies().csrf_name()).is_none();
    let fresh = needs.then(secret::new_token);
    if let Some(value) = &fresh {
        req.extensions_mut().insert(FreshCsrfCookie(value.clone()));
    }
    let mut resp = next.run(req).await;
    // A response shared caches may keep (assets, the API document) must
    // not hand one visitor's cookie to the next.
    let shared = resp
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|d| d.trim() == "public"));
    if let Some(value) = fresh
        && !shared
    {
        resp.headers_mut()
            .append(header::SET_COOKIE, state.cookies().set_csrf(&value));
    }
    resp
}

/// The largest form body the CSRF check reads (the composer's longest
/// form is a few KiB; uploads are raw bodies with the token in a header).
pub const FORM_LIMIT: usize = 64 * 1024;

/// Refuses state-changing requests without the right CSRF token.
pub async fn check_csrf(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path();
    // Bearer-only API calls carry no ambient credentials; the token grant
    // endpoint reads no cookies at all.
    let bearer_only =
        bearer(req.headers()).is_some() && session_cookie(&state, req.headers()).is_none();
    if bearer_only || path == "/api/auth/token" {
        return next.run(req).await;
    }
    // Without a session or an anonymous CSRF cookie no token can be right:
    // refused before a byte of the body is read.
    let anonymous_without_cookie = session_cookie(&state, req.headers()).is_none()
        && cookie_value(req.headers(), state.cookies().csrf_name()).is_none();
    if anonymous_without_cookie {
        return csrf_failed();
    }
    let expected = csrf_token(&state, req.headers(), req.extensions());
    if let Some(given) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        if secret::same(given, &expected) {
            return next.run(req).await;
        }
        return csrf_failed();
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return csrf_failed();
    }
    let (parts, body) = req.into_parts();
    // Forms are small: a larger one is refused after FORM_LIMIT bytes,
    // whatever the route's own body limit.
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return WebError::PayloadTooLarge.into_response();
    };
    let given = form_field(&bytes, "_csrf");
    if !given.is_some_and(|g| secret::same(&g, &expected)) {
        return csrf_failed();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn csrf_failed() -> Response {
    WebError::Forbidden {
        code: "csrf_failed",
    }
    .into_response()
}

/// The first value of `name` in an urlencoded form body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_right_most_untrusted_forwarded_hop_behind_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        h.append("x-forwarded-for", HeaderValue::from_static("10.0.0.2"));
        // From the proxy: the client it saw, not what the client claimed.
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &h, &trusted),
            Some(ip("203.0.113.7"))
        );
        // From anyone else, or with no trusted proxy: the header is ignored.
        assert_eq!(
            client_ip(Some(ip("198.51.100.9")), &h, &trusted),
            Some(ip("198.51.100.9"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &h, &[]),
            Some(ip("10.0.0.1"))
        );
        // Junk ends the walk at the last trusted hop; no header: the peer.
        let mut junk = HeaderMap::new();
        junk.insert(
            "x-forwarded-for",
            HeaderValue::from_static("evil, 10.0.0.3"),
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &junk, &trusted),
            Some(ip("10.0.0.3"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &HeaderMap::new(), &trusted),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(client_ip(None, &h, &trusted), None);
    }

    #[test]
    fn next_values_are_percent_encoded() {
        assert_eq!(urlencode("/home/settings"), "/home/settings");
        assert_eq!(urlencode("/home?a=1&b=2"), "/home%3Fa%3D1%26b%3D2");
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  xyz"),
        );
        assert_eq!(bearer(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn form_fields_are_found_in_urlencoded_bodies() {
        assert_eq!(
            form_field(b"a=1&_csrf=t%2Bk&b=2", "_csrf").as_deref(),
            Some("t+k")
        );
        assert_eq!(form_field(b"a=1", "_csrf"), None);
    }
}
