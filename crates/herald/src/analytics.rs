//! Wiring of analytics: the connections' vault for tokens, the platforms'
//! insights readers, the shared rate limiter pacing them, the studio (a
//! workspace's plan and pillars) and the notifier (anomalies); the guides
//! seed and the sweep every process keeps scheduled.

use std::sync::Arc;

use anyhow::Context;
use herald_analytics::{Analytics, AnalyticsSettings, Dependencies};
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_ratelimit::RateLimiter;

pub async fn build(
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    platforms: &crate::platforms::Platforms,
    limiter: Arc<dyn RateLimiter>,
    studio: herald_studio::Studio,
) -> anyhow::Result<Analytics> {
    let analytics = Analytics::new(Dependencies {
        db,
        queue: queue.clone(),
        clock,
        tokens: Arc::new(platforms.connections.clone()),
        readers: platforms.readers.clone(),
        limiter,
        studio,
        notifier: herald_notify::Notifier::new(queue),
        settings: AnalyticsSettings::default(),
    });
    analytics
        .start()
        .await
        .context("could not start analytics (the guides seed or the sweep)")?;
    Ok(analytics)
}
