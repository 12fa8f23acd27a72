//! Wiring of publishing: the publishers of every registered provider, the
//! media library as publishing's media catalog, the events outbox and its
//! relay (NATS JetStream when configured, in-process otherwise).

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use herald_connections::Connections;
use herald_core::SignedDuration;
use herald_core::WorkspaceId;
use herald_db::Db;
use herald_db::Tx;
use herald_events::Outbox;
use herald_jobs::Queue;
use herald_media::{MediaError, MediaId, MediaLibrary};
use herald_platforms::{MediaItem, MediaSource, Publishers};
use herald_publishing::{MediaCatalog, PostNews, PostNewsKind, Publishing, TeamNotifier};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The media library, as publishing looks media up.
pub struct LibraryCatalog(pub MediaLibrary);

#[async_trait]
impl MediaCatalog for LibraryCatalog {
    async fn lookup(
        &self,
        workspace: i64,
        ids: &[String],
        url_ttl: SignedDuration,
    ) -> Result<Vec<Option<MediaItem>>, String> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(media_id) = MediaId::parse(id) else {
                found.push(None);
                continue;
            };
            match self.0.of_workspace(WorkspaceId(workspace), media_id).await {
                Ok(media) if media.deleted_at.is_none() => {
                    found.push(Some(self.0.item(&media, url_ttl)));
                }
                Ok(_) | Err(MediaError::NotFound) => found.push(None),
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(found)
    }

    fn source(&self) -> Arc<dyn MediaSource> {
        Arc::new(self.0.clone())
    }
}

/// Publishing's news as notifications (`herald-notify`), raised in
/// publishing's transaction.
pub struct WorkspaceNotices(pub herald_notify::Notifier);

#[async_trait]
impl TeamNotifier for WorkspaceNotices {
    async fn tell(&self, tx: &mut Tx, news: &PostNews<'_>) -> Result<(), String> {
        use herald_notify::{Audience, Notice, NotificationKind as K, Raise};
        let (kind, code) = match news.kind {
            PostNewsKind::ReviewRequested => (K::Approval, "review_requested"),
            PostNewsKind::Approved => (K::Approval, "review_approved"),
            PostNewsKind::ChangesRequested => (K::Approval, "review_changes_requested"),
            PostNewsKind::Held => (K::Approval, "review_held"),
            PostNewsKind::Mentioned => (K::PostMention, "post_mention"),
            PostNewsKind::Failed => (K::PostFailed, "post_failed"),
            PostNewsKind::Unconfirmed => (K::PostUnconfirmed, "post_unconfirmed"),
        };
        let link = format!("/home/posts/{}?workspace={}", news.post, news.workspace.0);
        let (notice, audience, key) = match &news.failure {
            Some(f) => (
                Notice::new(
                    code,
                    [
                        ("post", news.summary.into()),
                        ("platform", f.platform.into()),
                        ("account", f.account.into()),
                        ("reason", f.reason.into()),
                    ],
                ),
                // The author; when they left, whoever may publish.
                Audience::MembersElse(news.to, herald_accounts::Permission::Publish),
                Some(format!("{code}:{}", f.target)),
            ),
            None => (
                Notice::new(
                    code,
                    [
                        ("post", news.summary.into()),
                        ("by", news.by.unwrap_or("").into()),
                    ],
                ),
                Audience::Members(news.to),
                None,
            ),
        };
        let mut raise = Raise::new(news.workspace, audience, kind, &notice).link(&link);
        raise.key = key.as_deref();
        self.0
            .raise(tx, &raise, news.at)
            .await
            .map(|_| ())
            .map_err(|e| herald_core::error::chain(&e))
    }
}

/// Builds the publishing service. `outbox` is the process's one outbox
/// (shared with the relay, so a commit wakes the relay at once).
pub fn build(
    db: Db,
    queue: Queue,
    connections: Connections,
    media: MediaLibrary,
    publishers: Publishers,
    outbox: Outbox,
) -> Publishing {
    let notifier = herald_notify::Notifier::new(queue.clone());
    Publishing::new(
        db,
        queue,
        connections,
        Arc::new(LibraryCatalog(media)),
        publishers,
        outbox,
        Arc::new(WorkspaceNotices(notifier)),
    )
}

/// Starts relaying the outbox: to NATS JetStream when `HERALD_NATS_URL`
/// is set, to in-process subscribers otherwise. Runs until `shutdown`.
pub async fn start_relay(
    config: &crate::config::Config,
    outbox: Outbox,
    outbound: &herald_webhooks::outbound::Outbound,
    queue: &Queue,
    shutdown: CancellationToken,
) -> anyhow::Result<JoinHandle<()>> {
    // Every event raises the notices it causes and is fanned out to the
    // workspaces' webhook endpoints before it goes to the configured sink.
    let notices = Arc::new(crate::notify::ConnectionNotices {
        queue: queue.clone(),
        db: outbox.db().clone(),
        clock: outbox.clock().clone(),
        inner: event_sink(config).await?,
    });
    let sink = outbound.sink(notices);
    Ok(herald_events::spawn_relay(
        outbox,
        sink,
        herald_events::RelayOptions::default(),
        shutdown,
    ))
}

/// The events relay's sink from the configuration.
pub async fn event_sink(
    config: &crate::config::Config,
) -> anyhow::Result<Arc<dyn herald_events::Sink>> {
    use secrecy::ExposeSecret;
    match &config.nats_url {
        Some(url) => {
            let mut options = herald_events::NatsOptions::new(url.expose_secret());
            options.stream = config.nats_stream.clone();
            let sink = herald_events::NatsSink::connect(options)
                .await
                .context("could not connect to NATS (HERALD_NATS_URL)")?;
            Ok(Arc::new(sink))
        }
        None => Ok(Arc::new(herald_events::LocalSink::new())),
    }
}
