//! Herald's HTTP surface: the axum router, middleware, server-rendered pages
//! (askama templates, compiled in), embedded static assets and the
//! localisation layer.
//!
//! Handlers stay thin: they extract what they need (locale, later the user
//! and workspace), call one service function and render or redirect.

pub mod assets;
pub mod error;
pub mod i18n;
mod middleware;
mod ops;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
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
}

impl AppState {
    pub fn new(db: Db, queue: Queue, metrics: PrometheusHandle, site: SiteConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                queue,
                metrics,
                site,
            }),
        }
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
pub fn app(state: AppState) -> Router {
    let site = state.site().clone();
    let routes = Router::new()
        .merge(ops::router())
        .merge(assets::router())
        .merge(pages::router())
        .fallback(error::not_found);
    middleware::wrap(routes, &site).with_state(state)
}
