//! Wiring of the content studio: the generation engine the configuration
//! names (the OpenAI-compatible adapter when `HERALD_AI_BASE_URL` is set,
//! `sandbox` meaning the sandbox's simulated API with its generated key;
//! the built-in template engine otherwise), its settings, and the shipped
//! catalog applied at start.

use std::sync::Arc;

use anyhow::Context;
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_studio::engine::builtin::Builtin;
use herald_studio::engine::openai::{OpenAiCompatible, OpenAiConfig};
use herald_studio::{ContentGenerationEngine, Studio, StudioSettings};
use secrecy::ExposeSecret;

use crate::config::{AiEndpoint, Config};

/// The engine generations run on.
pub fn engine(config: &Config) -> anyhow::Result<Arc<dyn ContentGenerationEngine>> {
    let Some(ai) = &config.ai else {
        return Ok(Arc::new(Builtin));
    };
    let (base_url, api_key) = match &ai.endpoint {
        AiEndpoint::Url(url) => (
            url.clone(),
            ai.api_key.as_ref().map(|k| k.expose_secret().to_owned()),
        ),
        AiEndpoint::Sandbox => {
            let base = crate::platforms::sandbox_base(config);
            let sandbox = crate::platforms::sandbox_config(config, base.clone());
            (
                format!("{base}/api.openai.com/v1"),
                Some(sandbox.ai.api_key),
            )
        }
    };
    let mut settings = OpenAiConfig::new(base_url, ai.model.clone());
    settings.api_key = api_key;
    settings.total_timeout = ai.timeout;
    let adapter = OpenAiCompatible::new(settings)
        .context("HERALD_AI_BASE_URL: the AI service's settings are not usable")?;
    Ok(Arc::new(adapter))
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
