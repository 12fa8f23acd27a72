//! Wiring of notifications: the install's unsubscribe key, mail composed
//! with the web layer's catalogs, the digest's figures read from
//! publishing, and the notices raised from events other services append
//! (a connection that needs reconnecting).

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use herald_core::{Clock, Named, SignedDuration, Timestamp, WorkspaceId};
use herald_db::Db;
use herald_jobs::Queue;
use herald_notify::{
    Audience, BoxError, Composed, Digests, Figures, Letter, Notice, NoticeMail, NotificationKind,
    Notifier, Raise, Settings, UnsubscribeKey, WeekFigures, Words,
};
use herald_publishing::Publishing;
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::config::Config;

/// The notification settings of this install: its public URL and an
/// unsubscribe key derived from the session secret (every process of the
/// deployment signs and reads the same links).
pub fn settings(config: &Config) -> anyhow::Result<Settings> {
    let secret = config
        .session_secret
        .as_ref()
        .context("the session secret is missing")?;
    Ok(Settings::new(
        &config.public_url,
        UnsubscribeKey::derive(secret.expose_secret().as_bytes()),
    ))
}

/// Mail words from the web layer's catalogs.
pub struct CatalogWords;

impl Words for CatalogWords {
    fn compose(&self, letter: &Letter<'_>) -> Result<Composed, BoxError> {
        Ok(herald_web::mail::compose_notice(letter)?)
    }
}

/// The digest's figures, read from publishing.
pub struct PublishingFigures(pub Publishing);

#[async_trait]
impl Figures for PublishingFigures {
    async fn week(
        &self,
        workspace: WorkspaceId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<WeekFigures, BoxError> {
        let [
            published,
            published_before,
            failed,
            awaiting_approval,
            scheduled_next,
        ] = self.0.week_counts(workspace, from, to).await?;
        Ok(WeekFigures {
            published,
            published_before,
            failed,
            awaiting_approval,
            scheduled_next,
        })
    }
}

/// The notification services that run jobs.
#[derive(Clone)]
pub struct Notify {
    pub mail: NoticeMail,
    pub digests: Digests,
}

/// Builds them and makes sure the digest sweep is scheduled.
pub async fn build(
    config: &Config,
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    publishing: Publishing,
) -> anyhow::Result<Notify> {
    let settings = settings(config)?;
    let words: Arc<dyn Words> = Arc::new(CatalogWords);
    let mail = NoticeMail::new(
        db.clone(),
        queue.clone(),
        clock.clone(),
        words.clone(),
        settings.clone(),
    );
    let digests = Digests::new(
        db,
        queue,
        clock,
        words,
        Arc::new(PublishingFigures(publishing)),
        settings,
    );
    digests
        .ensure_scheduled()
        .await
        .context("could not schedule the weekly digest")?;
    Ok(Notify { mail, digests })
}

impl Notify {
    pub fn register(&self, registry: &mut herald_jobs::Registry) {
        self.mail.register_jobs(registry);
        self.digests.register_jobs(registry);
    }
}

/// The payload of `connection.needs_reconnection` and
/// `connection.expiring`.
#[derive(Deserialize)]
struct ConnectionNews {
    workspace_id: i64,
    connection_id: String,
    provider: String,
    #[serde(default)]
    name: Option<String>,
    /// When its access ends (`connection.expiring`).
    #[serde(default)]
    expires_at: Option<Timestamp>,
    /// `week` or `day` (`connection.expiring`).
    #[serde(default)]
    level: Option<String>,
}

/// Raises a notice for every `connection.needs_reconnection` and
/// `connection.expiring` event the relay hands on, then passes the event
/// to `inner`. The notice is keyed by the connection (and, for an expiry,
/// its end and level), so an event the relay sends twice, or the daily
/// check finding the same end again, tells nobody twice.
pub struct ConnectionNotices {
    pub queue: Queue,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub inner: Arc<dyn herald_events::Sink>,
}

impl ConnectionNotices {
    async fn tell(&self, event: &herald_events::Event) -> Result<(), BoxError> {
        let e: ConnectionNews = event.decode()?;
        let platform = herald_platforms::ProviderId::parse(&e.provider)
            .map_or_else(|| e.provider.clone(), |p| p.name().to_owned());
        let account = e.name.clone().unwrap_or_default();
        let (kind, notice, key, window) = match e.expires_at {
            Some(at) if event.subject.as_str() == herald_connections::EXPIRING_SUBJECT => (
                NotificationKind::ConnectionExpiring,
                Notice::new(
                    "connection_expiring",
                    [
                        ("account", account.into()),
                        ("platform", platform.into()),
                        ("at", at.into()),
                    ],
                ),
                format!(
                    "connection_expiring:{}:{}:{}",
                    e.connection_id,
                    at.as_second(),
                    e.level.as_deref().unwrap_or("week")
                ),
                // Longer than the warning period: the same end and level
                // is told once.
                herald_connections::WARN_BEFORE + SignedDuration::from_hours(24),
            ),
            _ => (
                NotificationKind::ConnectionReconnect,
                Notice::new(
                    "connection_reconnect",
                    [("account", account.into()), ("platform", platform.into())],
                ),
                format!("connection_reconnect:{}", e.connection_id),
                herald_notify::KEY_WINDOW,
            ),
        };
        let workspace = WorkspaceId(e.workspace_id);
        let link = format!("/home/publishing?workspace={}", e.workspace_id);
        let raise = Raise::new(
            workspace,
            Audience::Permitted(herald_accounts::Permission::Publish),
            kind,
            &notice,
        )
        .link(&link)
        .key_for(&key, window);
        let mut tx = self.db.begin().await?;
        Notifier::new(self.queue.clone())
            .raise(&mut tx, &raise, self.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl herald_events::Sink for ConnectionNotices {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn publish(
        &self,
        event: &herald_events::Event,
    ) -> Result<herald_events::Delivery, herald_events::SinkError> {
        let subject = event.subject.as_str();
        if subject == herald_connections::NEEDS_RECONNECTION_SUBJECT
            || subject == herald_connections::EXPIRING_SUBJECT
        {
            self.tell(event)
                .await
                .map_err(herald_events::SinkError::Other)?;
        }
        self.inner.publish(event).await
    }
}
