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
mod middleware;
mod ops;
pub mod pages;

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
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408/503.
    pub request_timeout: Duration,
    /// Origins forms may lead to besides Herald itself: the platforms'
    /// consent screens, reached by a redirect after a form post (the CSP's
    /// `form-action` applies to redirects too).
    pub form_targets: Vec<String>,
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
            }),
        }
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
pub fn app(state: AppState, sandbox: Option<Router>) -> Router {
    // Pages and the API check CSRF tokens on every state-changing request;
    // operations endpoints and assets are read-only, and unknown paths get
    // their 404, not a misleading "form expired".
    let with_forms = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::check_csrf,
        ));
    let mut routes = Router::new();
    if let Some(sandbox) = sandbox {
        routes = routes.nest_service("/sandbox", sandbox);
    }
    let routes = routes
        .merge(ops::router())
        .merge(assets::router())
        .merge(with_forms)
        .fallback(error::not_found);
    middleware::wrap(routes, state.clone()).with_state(state)
}
