//! Wiring of webhooks: which app secrets verify Meta's deliveries, the
//! verify token, and the outbound target policy.

use std::sync::Arc;

use anyhow::Context;
use herald_connections::vault::Vault;
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_sandbox::SandboxConfig;
use herald_webhooks::outbound::Outbound;
use herald_webhooks::signature::MetaSecrets;
use herald_webhooks::ssrf::TargetPolicy;
use herald_webhooks::{Inbound, MetaCallbacks, Notifications, Retention};
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

/// The secrets Meta may sign with: every configured Facebook and Instagram
/// app secret (all of a rotation's list), and the sandbox's apps for the
/// platforms that use it.
pub fn meta_secrets(config: &Config) -> MetaSecrets {
    let sandbox = SandboxConfig::new(String::new());
    let mut secrets: Vec<String> = Vec::new();
    for (configured, simulated) in [
        (&config.platforms.facebook, &sandbox.meta),
        (&config.platforms.instagram, &sandbox.instagram),
    ] {
        match configured {
            Some(app) => secrets.extend(
                app.accepted_secrets
                    .iter()
                    .map(|s| s.expose_secret().to_owned()),
            ),
            None if config.sandbox => secrets.push(simulated.client_secret.clone()),
            None => {}
        }
    }
    MetaSecrets::new(secrets)
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
    let secrets = meta_secrets(config);
    if secrets.is_empty() {
        tracing::warn!(
            "no Meta app secret is configured and the sandbox is off: every webhook delivery will be refused"
        );
    }
    let inbound = Inbound::new(
        db.clone(),
        queue.clone(),
        clock.clone(),
        secrets.clone(),
        verify_token,
    );
    let callbacks = MetaCallbacks::new(
        db.clone(),
        queue.clone(),
        clock.clone(),
        secrets,
        config.public_url.trim_end_matches('/').to_owned(),
    );
    let notifications = Notifications::new(db.clone(), clock.clone());
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
