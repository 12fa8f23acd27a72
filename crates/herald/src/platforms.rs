//! Wiring of the platform side: which providers use real apps and which
//! the sandbox, the one platform HTTP client, the credential vault and the
//! connections service.

use std::sync::Arc;

use anyhow::Context;
use herald_accounts::Accounts;
use herald_connections::Connections;
use herald_connections::vault::Vault;
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_platforms::engage::Engagers;
use herald_platforms::{
    AppConfig, ClientOptions, Hosts, PlatformClient, PlatformsConfig, ProviderId, Providers,
    PublishLimits, Publishers, Secret,
};
use herald_sandbox::{Sandbox, SandboxConfig, WebhookTargets};
use secrecy::ExposeSecret;

use crate::config::{Config, Mode, PlatformApp};
use herald_net::TargetPolicy;

/// The platform side of a running Herald.
pub struct Platforms {
    pub connections: Connections,
    /// A publisher per account kind of every registered provider.
    pub publishers: Publishers,
    /// An engager (replies, hiding, comment reading) per account kind that
    /// has one.
    pub engagers: Engagers,
    /// An insights reader (analytics) per account kind that has one.
    pub readers: herald_platforms::insights::Readers,
    /// The built-in simulators, when some provider uses them.
    pub sandbox: Option<Sandbox>,
    /// Consent-screen origins forms may redirect to.
    pub form_targets: Vec<String>,
    /// The keyring sealing platform tokens (and webhook endpoint secrets).
    pub vault: Arc<Vault>,
}

/// The consent screen's origin of each real provider.
fn consent_origin(provider: ProviderId) -> &'static str {
    match provider {
        ProviderId::Facebook => "https://www.facebook.com",
        ProviderId::Instagram => "https://www.instagram.com",
        ProviderId::TikTok => "https://www.tiktok.com",
        ProviderId::YouTube => "https://accounts.google.com",
    }
}

/// The origin (scheme://host[:port]) of a URL.
fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

/// Where unconfigured providers point: the standalone sandbox, or the
/// built-in one under this server's public URL.
pub fn sandbox_base(config: &Config) -> String {
    config
        .sandbox_url
        .clone()
        .unwrap_or_else(|| format!("{}/sandbox", config.public_url.trim_end_matches('/')))
}

/// The sandbox's configuration: its apps with this install's secrets
/// (see [`crate::config::SandboxSecrets`]), serving under `base`.
pub fn sandbox_config(config: &Config, base: String) -> SandboxConfig {
    let mut sandbox = SandboxConfig::new(base);
    if let Some(secrets) = &config.sandbox_secrets {
        sandbox.meta.client_secret = secrets.meta.expose_secret().to_owned();
        sandbox.instagram.client_secret = secrets.instagram.expose_secret().to_owned();
        sandbox.tiktok.client_secret = secrets.tiktok.expose_secret().to_owned();
        sandbox.google.client_secret = secrets.google.expose_secret().to_owned();
        sandbox.ai.api_key = format!("sk-sandbox-{}", secrets.ai.expose_secret());
    }
    sandbox
}

/// Provider apps from the configuration, the sandbox filling the gaps.
pub fn platforms_config(config: &Config) -> PlatformsConfig {
    let base = sandbox_base(config);
    let defaults = sandbox_config(config, base.clone());
    let pick = |configured: &Option<PlatformApp>,
                sandbox: &herald_sandbox::AppCredentials|
     -> Option<AppConfig> {
        match configured {
            Some(app) => Some(AppConfig {
                client_id: app.client_id.clone(),
                client_secret: Secret::new(app.client_secret.expose_secret()),
                hosts: Hosts::Real,
            }),
            None if config.sandbox => Some(AppConfig {
                client_id: sandbox.client_id.clone(),
                client_secret: Secret::new(sandbox.client_secret.clone()),
                hosts: Hosts::sandbox(base.clone()),
            }),
            None => None,
        }
    };
    PlatformsConfig {
        facebook: pick(&config.platforms.facebook, &defaults.meta),
        instagram: pick(&config.platforms.instagram, &defaults.instagram),
        tiktok: pick(&config.platforms.tiktok, &defaults.tiktok),
        youtube: pick(&config.platforms.youtube, &defaults.google),
    }
}

/// Builds the connections service, and with `serve_sandbox` the built-in
/// sandbox when some provider uses it and no standalone one is configured
/// (a worker process only calls it over HTTP).
pub fn build(
    config: &Config,
    db: Db,
    queue: Queue,
    accounts: Accounts,
    clock: Arc<dyn Clock>,
    serve_sandbox: bool,
) -> anyhow::Result<Platforms> {
    let apps = platforms_config(config);
    let client = PlatformClient::new(clock.clone(), ClientOptions::default())
        .context("could not set up the platform HTTP client")?;
    let providers = Providers::new(&apps, &client);
    let publishers = Publishers::with_limits(
        &apps,
        &client,
        PublishLimits {
            youtube_daily_uploads: config.youtube_daily_uploads,
        },
    );
    let engagers = Engagers::new(&apps, &client);
    let readers = herald_platforms::insights::Readers::new(&apps, &client);
    let uses_sandbox = providers.iter().any(|(_, r)| r.sandbox)
        || config
            .ai
            .as_ref()
            .is_some_and(|ai| ai.endpoint == crate::config::AiEndpoint::Sandbox);
    let sandbox = if serve_sandbox && uses_sandbox && config.sandbox_url.is_none() {
        let mut sandbox_config = sandbox_config(config, sandbox_base(config));
        sandbox_config.state_file = Some(config.data_dir.join("sandbox-state.json"));
        // Faults and webhook sends change what every user of the sandbox
        // sees: development only.
        sandbox_config.admin = config.mode == Mode::Development;
        // Media URLs come from API callers. In development Herald's own
        // media URLs are on loopback; in production only what outbound
        // webhooks may reach.
        sandbox_config.fetch_policy =
            if config.mode == Mode::Development || config.webhook_allow_private {
                TargetPolicy::AllowPrivate
            } else {
                TargetPolicy::PublicOnly
            };
        // The simulated Meta apps send their webhooks and callbacks here.
        let public = config.public_url.trim_end_matches('/');
        let mut targets = WebhookTargets::new(
            format!("{public}/webhooks/meta"),
            config
                .meta_verify_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .unwrap_or_default(),
            format!("{public}/webhooks/meta/deauthorize"),
            format!("{public}/webhooks/meta/data-deletion"),
        );
        targets.instagram_callback_url = Some(format!("{public}/webhooks/instagram"));
        targets.instagram_deauthorize_url =
            Some(format!("{public}/webhooks/instagram/deauthorize"));
        targets.instagram_data_deletion_url =
            Some(format!("{public}/webhooks/instagram/data-deletion"));
        sandbox_config.webhooks = Some(targets);
        Some(
            Sandbox::new(sandbox_config, clock.clone())
                .context("could not start the built-in platform sandbox")?,
        )
    } else {
        None
    };
    let mut form_targets = Vec::new();
    for (id, registered) in providers.iter() {
        let origin = if registered.sandbox {
            origin_of(&sandbox_base(config))
        } else {
            Some(consent_origin(id).to_owned())
        };
        if let Some(origin) = origin
            && !form_targets.contains(&origin)
        {
            form_targets.push(origin);
        }
    }
    let path = config.credential_keys_path();
    let vault = Vault::open_or_create(&path)
        .with_context(|| format!("could not open the credential keyring {}", path.display()))?;
    let secret = config
        .session_secret
        .as_ref()
        .context("the session secret is missing")?
        .expose_secret()
        .to_owned();
    let vault = Arc::new(vault);
    let connections = Connections::new(
        db,
        queue,
        providers,
        vault.clone(),
        accounts,
        config.public_url.clone(),
        &secret,
    );
    Ok(Platforms {
        connections,
        publishers,
        engagers,
        readers,
        sandbox,
        form_targets,
        vault,
    })
}
