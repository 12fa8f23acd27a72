//! Herald's HTTP surface: the axum router, middleware, server-rendered pages
//! (askama templates, compiled in), embedded static assets and the
//! localisation layer.
//!
//! Handlers stay thin: they extract what they need (locale, later the user
//! and workspace), call one service function and render or redirect.

mod analytics_params;
mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod csv;
pub mod error;
pub mod i18n;
pub mod mail;
mod mcp;
pub mod member;
mod middleware;
mod ops;
pub mod pages;
mod webhooks;
pub mod words;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use herald_accounts::Accounts;
use herald_connections::Connections;
use herald_db::Db;
use herald_jobs::Queue;
use metrics_exporter_prometheus::PrometheusHandle;

pub use error::WebError;

/// Settings the web layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// External base URL, without a trailing slash (`https://herald.example`).
    pub public_url: String,
    /// Development mode: shows a banner and the development-only pages.
    pub development: bool,
    /// The development mailbox page is served (development mode without
    /// SMTP), to loopback clients only.
    pub dev_mailbox: bool,
    /// The built-in sandbox runs in production mode (explicitly turned
    /// on): every page says so.
    pub sandbox_in_production: bool,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408/503.
    pub request_timeout: Duration,
    /// Origins forms may lead to besides Herald itself: the platforms'
    /// consent screens, reached by a redirect after a form post (the CSP's
    /// `form-action` applies to redirects too).
    pub form_targets: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed; empty: the
    /// header is ignored and the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// When set, `/metrics` answers only with `Authorization: Bearer` this.
    pub metrics_token: Option<String>,
    /// Whether Meta's webhook verify token is set (the review page says).
    pub meta_verify_token: bool,
    /// Who runs this instance, as the privacy notice and terms name them.
    pub operator: Option<Operator>,
    /// What is kept for how long, as the retention job enforces it.
    pub retention: Vec<herald_core::Retained>,
}

/// The person or organisation running an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    /// An e-mail or postal address people can write to.
    pub contact: String,
}

/// Shared state of every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    queue: Queue,
    metrics: PrometheusHandle,
    site: SiteConfig,
    services: Services,
    cookies: auth::Cookies,
    csrf_key: Vec<u8>,
    live_streams: pages::live::Streams,
}

/// Every domain service the web layer calls, built once by the binary's
/// wiring (the same builder the worker uses).
#[derive(Clone)]
pub struct Services {
    pub accounts: Accounts,
    pub connections: Connections,
    pub publishing: herald_publishing::Publishing,
    pub media: herald_media::MediaLibrary,
    pub webhooks: Webhooks,
    pub inbox: herald_webhooks::inbox::Inbox,
    pub privacy: herald_privacy::Privacy,
    pub studio: herald_studio::Studio,
    pub analytics: herald_analytics::Analytics,
}

/// The webhook services the web layer serves.
#[derive(Clone)]
pub struct Webhooks {
    pub inbound: herald_webhooks::Inbound,
    pub callbacks: herald_webhooks::MetaCallbacks,
    pub notifications: herald_notify::Notifications,
    pub outbound: herald_webhooks::outbound::Outbound,
}

impl AppState {
    /// `session_secret` keys the CSRF tokens (through a derived key, so the
    /// secret itself signs nothing else here).
    pub fn new(
        db: Db,
        queue: Queue,
        metrics: PrometheusHandle,
        site: SiteConfig,
        services: Services,
        session_secret: &str,
    ) -> Self {
        let cookies = auth::Cookies {
            secure: site.public_url.starts_with("https://"),
        };
        let csrf_key =
            herald_accounts::secret::sign(session_secret.as_bytes(), "herald csrf v1").into_bytes();
        Self {
            inner: Arc::new(Inner {
                db,
                queue,
                metrics,
                site,
                services,
                cookies,
                csrf_key,
                live_streams: pages::live::Streams::default(),
            }),
        }
    }

    pub fn privacy(&self) -> &herald_privacy::Privacy {
        &self.inner.services.privacy
    }

    pub fn webhooks(&self) -> &Webhooks {
        &self.inner.services.webhooks
    }

    pub fn inbox(&self) -> &herald_webhooks::inbox::Inbox {
        &self.inner.services.inbox
    }

    pub fn studio(&self) -> &herald_studio::Studio {
        &self.inner.services.studio
    }

    pub fn analytics(&self) -> &herald_analytics::Analytics {
        &self.inner.services.analytics
    }

    pub fn media(&self) -> &herald_media::MediaLibrary {
        &self.inner.services.media
    }

    pub fn publishing(&self) -> &herald_publishing::Publishing {
        &self.inner.services.publishing
    }

    pub fn accounts(&self) -> &Accounts {
        &self.inner.services.accounts
    }

    pub fn connections(&self) -> &Connections {
        &self.inner.services.connections
    }

    /// The live streams each person holds (see `pages::live`).
    pub fn live_streams(&self) -> &pages::live::Streams {
        &self.inner.live_streams
    }

    pub fn cookies(&self) -> &auth::Cookies {
        &self.inner.cookies
    }

    pub fn csrf_key(&self) -> &[u8] {
        &self.inner.csrf_key
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn queue(&self) -> &Queue {
        &self.inner.queue
    }

    pub fn metrics(&self) -> &PrometheusHandle {
        &self.inner.metrics
    }

    pub fn site(&self) -> &SiteConfig {
        &self.inner.site
    }
}

/// The largest request the built-in sandbox accepts (one TikTok chunk).
const SANDBOX_BODY_LIMIT: usize = 192 * 1024 * 1024;

/// The whole application: pages, API, operations endpoints and middleware.
/// `sandbox`, when given, is served under `/sandbox` (the built-in platform
/// simulators): outside the CSRF layer, since its forms belong to the
/// simulated platforms, but inside the security headers.
pub fn app(state: AppState, sandbox: Option<Router>) -> Router {
    // Pages and the API check CSRF tokens on every state-changing request;
    // operations endpoints and assets are read-only, and unknown paths get
    // their 404, not a misleading "form expired".
    let csrf = || axum::middleware::from_fn_with_state(state.clone(), auth::check_csrf);
    // What a scoped token changes is audited, whatever the route.
    let audit = || axum::middleware::from_fn_with_state(state.clone(), auth::audit_token_writes);
    let with_forms = Router::new()
        .merge(pages::router())
        .merge(api::router().route_layer(audit()))
        .route_layer(csrf());
    let routes = Router::new()
        .merge(ops::router())
        .merge(assets::router())
        .merge(with_forms)
        // Signed media URLs: no session, no CSRF (GET only).
        .merge(api::media::public_router())
        // Assistants: a bearer token only, no cookie read, so no CSRF.
        .merge(mcp::router())
        .fallback(error::not_found);
    // Every route gets the default body limit and request timeout, except
    // media uploads: their own limit, and an idle timeout per body part
    // instead of one for the whole request.
    let mut routes = middleware::bounded(routes, state.site());
    // Meta's webhook calls: no session, no CSRF, their own body limit.
    routes = routes.merge(webhooks::router(state.site()));
    let limit = usize::try_from(state.media().max_bytes()).unwrap_or(usize::MAX);
    // Outermost first: a form body is refused before the CSRF check could
    // read it.
    let uploads = api::media::upload_router()
        .route_layer(audit())
        .route_layer(csrf())
        .route_layer(axum::middleware::from_fn(api::media::refuse_form_bodies));
    routes = routes.merge(middleware::with_body_limit(uploads, limit));
    // The simulators take upload chunks (TikTok allows 128 MB, YouTube
    // Herald sends 8 MiB): their own limit, and no whole-request timeout.
    if let Some(sandbox) = sandbox {
        routes = routes.merge(middleware::with_body_limit(
            Router::new().nest_service("/sandbox", sandbox),
            SANDBOX_BODY_LIMIT,
        ));
    }
    middleware::wrap(routes, state.clone()).with_state(state)
}
