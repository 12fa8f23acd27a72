//! `/mcp`: Herald's operations for AI assistants, as a Model Context
//! Protocol server over streamable HTTP (rmcp, the official Rust SDK).
//!
//! **Stateless.** Every POST is answered on its own (JSON, since no tool
//! streams): rmcp runs without sessions (`NeverSessionManager`, no
//! `Mcp-Session-Id`), which is what protocol revision 2026-07-28 asks for
//! and what older clients that still send `initialize` get as well. Several
//! `herald serve` processes behind a load balancer share nothing but the
//! database, so a session held in one process's memory would break there.
//! GET and DELETE (stream resumption, session end) are not served: 405.
//!
//! **Who is asking.** A bearer token only, as for the JSON API
//! ([`ApiCaller`]), then the workspace of `?workspace=` (else the caller's
//! first) through [`member::resolve`]: the tools act with that
//! [`Authorized`] proof, so each domain service's own permission checks
//! apply. No cookie is read: a request with a session cookie and no token
//! is 401 (`WWW-Authenticate: Bearer`), so no web page can drive an
//! assistant's tools with a visitor's session, and there is no CSRF token.
//!
//! **Where from.** An `Origin` header, when present, must be Herald's own
//! public origin (the DNS-rebinding protection the MCP specification asks
//! for): the same-origin layer only compares `Origin` with `Host`, which a
//! rebound name makes equal. rmcp's own `Host` allow-list is off: Herald
//! answers on whatever name its reverse proxy forwards, and links are built
//! from the public URL, never from `Host`.
//!
//! The tools themselves are in [`tools`].

mod analytics;
mod tools;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use herald_accounts::{Authorized, Permission, RequestMeta};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorData, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{RoleServer, ServerHandler};

use crate::auth::{self, ApiCaller};
use crate::i18n::Locale;
use crate::{AppState, WebError, member};

/// The largest JSON-RPC message taken (a draft with captions for every
/// account is a few KiB); the router's body limit applies first.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/mcp", post(serve_mcp))
}

/// Who a request acts for, settled before rmcp sees it.
pub(crate) struct Caller {
    pub(crate) auth: Authorized,
    pub(crate) meta: RequestMeta,
    /// The language of messages in refusals (`Accept-Language`).
    pub(crate) locale: Locale,
}

/// One request's MCP server: the app and the caller it acts for.
#[derive(Clone)]
struct HeraldMcp {
    state: AppState,
    caller: Arc<Caller>,
}

async fn serve_mcp(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    if let Err(e) = check_origin(&state, &parts) {
        return e.into_response();
    }
    let caller = match authenticate(&state, &mut parts).await {
        Ok(caller) => caller,
        Err(e) => return refused(e),
    };
    let server = HeraldMcp {
        state,
        caller: Arc::new(caller),
    };
    // Built per request: the caller is part of the server, so no tool can
    // run without one. The service is a few `Arc`s.
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(MAX_MESSAGE_BYTES)
        .disable_allowed_hosts()
        .disable_allowed_origins();
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    service
        .handle(Request::from_parts(parts, body))
        .await
        .map(Body::new)
}

/// The caller's proof for the workspace the request names: a bearer token
/// is required (a session cookie alone does not count).
async fn authenticate(state: &AppState, parts: &mut Parts) -> Result<Caller, WebError> {
    if auth::bearer(&parts.headers).is_none() {
        return Err(WebError::Unauthorized);
    }
    let ApiCaller(user) = ApiCaller::from_request_parts(parts, state).await?;
    let auth = member::resolve(parts, state, &user, Permission::View).await?;
    Ok(Caller {
        auth,
        meta: auth::request_meta(parts, &state.site().trusted_proxies),
        locale: Locale::from_headers(&parts.headers),
    })
}

/// A refusal before rmcp: 401 says how to authenticate.
fn refused(e: WebError) -> Response {
    let challenge = matches!(e, WebError::Unauthorized);
    let mut resp = e.into_response();
    if challenge {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"herald\""),
        );
    }
    resp
}

/// `Origin`, when sent, must be Herald's public origin.
fn check_origin(state: &AppState, parts: &Parts) -> Result<(), WebError> {
    let Some(origin) = parts.headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let public = public_origin(&state.site().public_url);
    let given = origin.to_str().ok().and_then(origin_of);
    match (public, given) {
        (Some(public), Some(given)) if public == given => Ok(()),
        _ => Err(WebError::Forbidden {
            code: "cross_site_request",
        }),
    }
}

/// The origin (`scheme://host[:port]`, default port left out) of Herald's
/// public URL.
fn public_origin(public_url: &str) -> Option<String> {
    origin_of(public_url)
}

/// The ASCII serialisation of a URL's origin; `None` for an opaque one
/// (`null`, `data:` …), which never matches.
fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url.trim()).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl ServerHandler for HeraldMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("herald", env!("CARGO_PKG_VERSION")).with_title("Herald"),
            )
            .with_instructions(tools::INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::catalogue().to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::catalogue().iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        tools::call(&self.state, &self.caller, request)
            .await
            .map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_by_scheme_host_and_port() {
        let public = public_origin("https://herald.example").unwrap();
        assert_eq!(public, "https://herald.example");
        assert_eq!(origin_of("https://herald.example:443").unwrap(), public);
        assert_eq!(origin_of("HTTPS://Herald.Example").unwrap(), public);
        assert_ne!(origin_of("http://herald.example").unwrap(), public);
        assert_ne!(origin_of("https://herald.example:8443").unwrap(), public);
        assert_ne!(origin_of("https://evil.example").unwrap(), public);
        // A public URL with a path prefix still has its host's origin.
        assert_eq!(
            public_origin("http://127.0.0.1:8080/herald").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("data:text/plain,hi"), None);
        assert_eq!(origin_of("not a url"), None);
    }
}
