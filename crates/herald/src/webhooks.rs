//! Wiring of webhooks: which app secrets verify Meta's deliveries, the
//! verify token, and the outbound target policy.

use std::sync::Arc;

use anyhow::Context;
use herald_connections::vault::Vault;
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_notify::Notifications;
use herald_webhooks::outbound::Outbound;
use herald_webhooks::signature::MetaSecrets;
use herald_webhooks::ssrf::TargetPolicy;
use herald_webhooks::{AppSecrets, Inbound, MetaApps, MetaCallbacks, Retention};
use secrecy::ExposeSecret;

use crate::config::Config;

/// The webhook services of a running Herald.
#[derive(Clone)]
pub struct Webhooks {
    pub inbound: Inbound,
    pub callbacks: MetaCallbacks,
    pub notifications: Notifications,
    pub outbound: Outbound,
    pub retention: Retention,
}

/// What verifies each Meta app's deliveries and callbacks: a configured
/// app's secrets (all of a rotation's list), else the sandbox's simulated
/// app when the sandbox is on, else nothing (everything is refused). The
/// two apps never share a secret set, and the sandbox's secrets are this
/// install's own (see [`crate::config::SandboxSecrets`]).
pub fn meta_apps(config: &Config) -> MetaApps {
    let app = |configured: &Option<crate::config::PlatformApp>,
               sandbox: Option<&secrecy::SecretString>| match configured {
        Some(app) => AppSecrets::real(MetaSecrets::new(
            app.accepted_secrets
                .iter()
                .map(secrecy::ExposeSecret::expose_secret),
        )),
        None => match sandbox {
            Some(secret) if config.sandbox => {
                AppSecrets::sandbox(MetaSecrets::new([secret.expose_secret()]))
            }
            _ => AppSecrets::default(),
        },
    };
    let sandbox = config.sandbox_secrets.as_ref();
    MetaApps {
        facebook: app(&config.platforms.facebook, sandbox.map(|s| &s.meta)),
        instagram: app(&config.platforms.instagram, sandbox.map(|s| &s.instagram)),
    }
}

/// Builds the webhook services and makes sure the log retention job is
/// scheduled (every process that runs jobs does).
pub async fn build(
    config: &Config,
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    vault: Arc<Vault>,
) -> anyhow::Result<Webhooks> {
    let verify_token = config
        .meta_verify_token
        .as_ref()
        .map(|t| t.expose_secret().to_owned());
    let apps = meta_apps(config);
    if apps.is_empty() {
        tracing::warn!(
            "no Meta app secret is configured and the sandbox is off: every webhook delivery will be refused"
        );
    }
    let inbound = Inbound::new(
        db.clone(),
        queue.clone(),
        clock.clone(),
        apps.clone(),
        verify_token,
    );
    inbound
        .backfill_views()
        .await
        .context("could not prepare the webhook history's per-workspace views")?;
    let callbacks = MetaCallbacks::new(
        db.clone(),
        queue.clone(),
        clock.clone(),
        apps,
        config.public_url.trim_end_matches('/').to_owned(),
    );
    let notifications = Notifications::new(
        db.clone(),
        clock.clone(),
        crate::notify::settings(config)?.unsubscribe,
    );
    let policy = if config.webhook_allow_private {
        TargetPolicy::AllowPrivate
    } else {
        TargetPolicy::PublicOnly
    };
    let retention = Retention::new(db.clone(), queue.clone(), clock.clone());
    retention
        .ensure_scheduled()
        .await
        .context("could not schedule the webhook log retention")?;
    let outbound = Outbound::new(db, queue, clock, vault, policy);
    Ok(Webhooks {
        inbound,
        callbacks,
        notifications,
        outbound,
        retention,
    })
}

impl Webhooks {
    /// For the web layer.
    pub fn web(&self) -> herald_web::Webhooks {
        herald_web::Webhooks {
            inbound: self.inbound.clone(),
            callbacks: self.callbacks.clone(),
            notifications: self.notifications.clone(),
            outbound: self.outbound.clone(),
        }
    }
}
