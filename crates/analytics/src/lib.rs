//! Analytics and the learning hub.
//!
//! - Facts (store.rs): per account per day, per post (lifetime, and as it
//!   stood each day), normalised columns beside the platform's raw metric
//!   names; written by upserts that leave an unchanged row untouched, so
//!   re-reading a day changes nothing.
//! - Ingestion (ingest.rs, pace.rs): the `analytics.ingest.v1` job reads
//!   one account through its platform's
//!   [`herald_platforms::insights::InsightsReader`], paced within the
//!   platform's limits, stage by stage with its cursor stored, so a retry
//!   resumes where the failure stopped it; `analytics.sweep.v1` enrols new
//!   accounts (a 90-day backfill) and queues each account's nightly run at
//!   03:00 in its time zone.
//! - Dashboards (query.rs): summary, growth, funnel, top and bottom posts,
//!   best times, platform comparison, for a period and a filter.
//! - Anomalies (anomaly.rs): each metric against the median and MAD of its
//!   28 days before; unusual days become insights and in-app notices.
//! - The learning hub (guides.rs, seed/guides.toml, recommend.rs): guides in
//!   English and German tagged with the signals they help with, and
//!   recommendations computed from the workspace's own figures and plan.
//!
//! The crate owns every `analytics_*` table.

pub mod anomaly;
mod error;
pub mod guides;
pub mod ingest;
pub mod model;
pub mod pace;
pub mod query;
pub mod recommend;
pub mod store;

use std::sync::Arc;

use herald_core::{Clock, Timestamp};
use herald_db::Db;
use herald_jobs::{Queue, Registry};
use herald_notify::Notifier;
use herald_platforms::insights::Readers;
use herald_studio::Studio;

pub use error::AnalyticsError;
pub use ingest::{IngestAccount, Sweep};
pub use model::*;
pub use pace::LimiterPacer;

/// Where ingestion gets an account's token: the connections' vault
/// (implemented for `Connections` in ingest.rs), a fake in tests.
pub use ingest::AccountTokens;

/// How analytics is configured.
#[derive(Debug, Clone)]
pub struct AnalyticsSettings {
    /// Days read when an account is first connected.
    pub backfill_days: u32,
    /// The local hour of each account's nightly run.
    pub nightly_hour: i8,
    /// The time zone of an account whose connecting member set none.
    pub default_time_zone: String,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        AnalyticsSettings {
            backfill_days: 90,
            nightly_hour: 3,
            default_time_zone: "UTC".into(),
        }
    }
}

/// What analytics works with.
pub struct Dependencies {
    pub db: Db,
    pub queue: Queue,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<dyn AccountTokens>,
    pub readers: Readers,
    /// Paces every insights call (in process, or shared through Redis).
    pub limiter: Arc<dyn herald_ratelimit::RateLimiter>,
    pub studio: Studio,
    pub notifier: Notifier,
    pub settings: AnalyticsSettings,
}

/// Analytics' use cases. Cheap to clone.
#[derive(Clone)]
pub struct Analytics {
    inner: Arc<Dependencies>,
}

impl Analytics {
    pub fn new(dependencies: Dependencies) -> Analytics {
        Analytics {
            inner: Arc::new(dependencies),
        }
    }

    pub fn settings(&self) -> &AnalyticsSettings {
        &self.inner.settings
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Registers the ingestion jobs.
    pub fn register(&self, registry: &mut Registry) {
        ingest::register(self, registry);
    }

    /// At start: applies the guides seed and makes sure the sweep is
    /// scheduled.
    pub async fn start(&self) -> Result<(), AnalyticsError> {
        guides::apply_seed(&self.inner.db, self.now()).await?;
        ingest::schedule_sweep(self, self.now()).await
    }
}
