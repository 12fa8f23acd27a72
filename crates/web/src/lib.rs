//! Herald's HTTP surface: the axum router, middleware, server-rendered pages
//! (askama templates, compiled in), embedded static assets and the
//! localisation layer.
//!
//! Handlers stay thin: they extract what they need (locale, later the user
//! and workspace), call one service function and render or redirect.

mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod mail;
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
    accounts: Accounts,
    connections: Connections,
    cookies: auth::Cookies,
    csrf_key: Vec<u8>,
    /// Set by [`AppState::with_publishing`] while the state is built.
    publishing: Option<herald_publishing::Publishing>,
    /// Set by [`AppState::with_media`] while the state is built.
    media: Option<herald_media::MediaLibrary>,
    /// Set by [`AppState::with_webhooks`] while the state is built.
    webhooks: Option<Webhooks>,
    /// Set by [`AppState::with_privacy`] while the state is built.
    privacy: Option<herald_privacy::Privacy>,
}

/// The webhook services the web layer serves.
#[derive(Clone)]
pub struct Webhooks {
    pub inbound: herald_webhooks::Inbound,
    pub callbacks: herald_webhooks::MetaCallbacks,
    pub notifications: herald_webhooks::Notifications,
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
        accounts: Accounts,
        connections: Connections,
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
                accounts,
                connections,
                cookies,
                csrf_key,
                publishing: None,
                media: None,
                webhooks: None,
                privacy: None,
            }),
        }
    }

    /// Adds the publishing service. Call while building the state, before
    /// it is cloned into the router.
    pub fn with_publishing(mut self, publishing: herald_publishing::Publishing) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.publishing = Some(publishing),
            None => panic!("AppState::with_publishing called after the state was shared"),
        }
        self
    }

    /// Adds the media library. Call while building the state, before it is
    /// cloned into the router (the upload route's body limit comes from it).
    pub fn with_media(mut self, media: herald_media::MediaLibrary) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.media = Some(media),
            None => panic!("AppState::with_media called after the state was shared"),
        }
        self
    }

    /// Adds the webhook services. Call while building the state.
    pub fn with_webhooks(mut self, webhooks: Webhooks) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.webhooks = Some(webhooks),
            None => panic!("AppState::with_webhooks called after the state was shared"),
        }
        self
    }

    /// Adds the data-rights service. Call while building the state.
    pub fn with_privacy(mut self, privacy: herald_privacy::Privacy) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.privacy = Some(privacy),
            None => panic!("AppState::with_privacy called after the state was shared"),
        }
        self
    }

    /// The data-rights service; 503 where the process runs without it.
    pub fn privacy(&self) -> Result<&herald_privacy::Privacy, WebError> {
        self.inner.privacy.as_ref().ok_or(WebError::Unavailable)
    }

    /// The webhook services; 503 where the process runs without them.
    pub fn webhooks(&self) -> Result<&Webhooks, WebError> {
        self.inner.webhooks.as_ref().ok_or(WebError::Unavailable)
    }

    /// The media library; 503 where the process runs without it.
    pub fn media(&self) -> Result<&herald_media::MediaLibrary, WebError> {
        self.inner.media.as_ref().ok_or(WebError::Unavailable)
    }

    /// The publishing service; 503 where the process runs without it.
    pub fn publishing(&self) -> Result<&herald_publishing::Publishing, WebError> {
        self.inner.publishing.as_ref().ok_or(WebError::Unavailable)
    }

    pub fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    pub fn connections(&self) -> &Connections {
        &self.inner.connections
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

/// The whole application: pages, API, operations endpoints and middleware.
/// `sandbox`, when given, is served under `/sandbox` (the built-in platform
/// simulators): outside the CSRF layer, since its forms belong to the
/// simulated platforms, but inside the security headers.
/// The largest request the built-in sandbox accepts (one TikTok chunk).
const SANDBOX_BODY_LIMIT: usize = 192 * 1024 * 1024;

pub fn app(state: AppState, sandbox: Option<Router>) -> Router {
    // Pages and the API check CSRF tokens on every state-changing request;
    // operations endpoints and assets are read-only, and unknown paths get
    // their 404, not a misleading "form expired".
    let csrf = || axum::middleware::from_fn_with_state(state.clone(), auth::check_csrf);
    let with_forms = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .route_layer(csrf());
    let routes = Router::new()
        .merge(ops::router())
        .merge(assets::router())
        .merge(with_forms)
        // Signed media URLs: no session, no CSRF (GET only).
        .merge(api::media::public_router())
        .fallback(error::not_found);
    // Every route gets the default body limit and request timeout, except
    // media uploads: their own limit, and an idle timeout per body part
    // instead of one for the whole request.
    let mut routes = middleware::bounded(routes, state.site());
    // Meta's webhook calls: no session, no CSRF, their own body limit.
    routes = routes.merge(webhooks::router(state.site()));
    if let Ok(media) = state.media() {
        let limit = usize::try_from(media.max_bytes()).unwrap_or(usize::MAX);
        // Outermost first: a form body is refused before the CSRF check
        // could read it.
        let uploads = api::media::upload_router()
            .route_layer(csrf())
            .route_layer(axum::middleware::from_fn(api::media::refuse_form_bodies));
        routes = routes.merge(middleware::with_body_limit(uploads, limit));
    }
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
