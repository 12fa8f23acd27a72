//! Wiring of the engagement inbox: its ports (the connections' vault for
//! tokens, publishing for the post a comment belongs to), the platforms'
//! engagers, and the comment polling every worker process keeps scheduled.

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use herald_accounts::Authorized;
use herald_core::{Clock, ConnectionId};
use herald_db::Db;
use herald_jobs::Queue;
use herald_platforms::engage::Engagers;
use herald_publishing::Publishing;
use herald_webhooks::inbox::{Dependencies, Inbox, PostLink, PublishedPosts};

/// Publishing as the inbox's [`PublishedPosts`] port.
struct Posts(Publishing);

#[async_trait]
impl PublishedPosts for Posts {
    async fn published_as(
        &self,
        auth: &Authorized,
        connection: &ConnectionId,
        remote_id: &str,
    ) -> Result<Option<PostLink>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self
            .0
            .published_as(auth, connection, remote_id)
            .await?
            .map(|p| PostLink {
                post_id: p.post_id,
                caption: p.caption,
                permalink: p.permalink,
                published_at: p.published_at,
            }))
    }
}

/// Builds the inbox and makes sure its comment polling is scheduled.
pub async fn build(
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    connections: herald_connections::Connections,
    publishing: Publishing,
    engagers: Engagers,
) -> anyhow::Result<Inbox> {
    let inbox = Inbox::new(Dependencies {
        db,
        queue,
        clock,
        tokens: Arc::new(connections),
        posts: Arc::new(Posts(publishing)),
        engagers,
    });
    inbox
        .ensure_polling()
        .await
        .context("could not schedule the inbox's comment polling")?;
    Ok(inbox)
}
