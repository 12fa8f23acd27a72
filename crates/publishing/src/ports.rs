//! What publishing needs from the rest of Herald, as ports.

use std::sync::Arc;

use async_trait::async_trait;
use herald_core::{PostId, SignedDuration, Timestamp, UserId, WorkspaceId};
use herald_db::Tx;
use herald_platforms::{MediaItem, MediaSource};

/// The media library as publishing sees it.
#[async_trait]
pub trait MediaCatalog: Send + Sync {
    /// The workspace's media with these ids, in order (`None` for an id
    /// that does not exist there or was deleted), each with a signed URL
    /// valid for `url_ttl`.
    async fn lookup(
        &self,
        workspace: i64,
        ids: &[String],
        url_ttl: SignedDuration,
    ) -> Result<Vec<Option<MediaItem>>, String>;

    /// Reads media bytes, for platforms Herald uploads to.
    fn source(&self) -> Arc<dyn MediaSource>;
}

/// What a member is told about a post: a code the notifications render in
/// the reader's language, with the values its words need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostNewsKind {
    /// A post waits for their approval.
    ReviewRequested,
    /// Their post was approved.
    Approved,
    /// Changes were asked for on their post.
    ChangesRequested,
    /// A post's time came while it still waited for approval: it was held.
    Held,
    /// They were mentioned in a comment on a post.
    Mentioned,
    /// Their post could not be published on one of its accounts.
    Failed,
    /// A platform did not confirm whether their post went out.
    Unconfirmed,
}

/// Which target of a post failed, and why (a `FailureKind` code).
#[derive(Debug, Clone, Copy)]
pub struct PostFailure<'a> {
    pub target: &'a herald_core::TargetId,
    /// The platform's name.
    pub platform: &'a str,
    pub account: &'a str,
    pub reason: &'a str,
}

/// One piece of news for some members of a workspace.
#[derive(Debug, Clone)]
pub struct PostNews<'a> {
    pub workspace: WorkspaceId,
    /// Who is told (never the person who caused it).
    pub to: &'a [UserId],
    pub kind: PostNewsKind,
    pub post: &'a PostId,
    /// The post's first caption, shortened.
    pub summary: &'a str,
    /// Who caused it (a member's name, or an outside reviewer's).
    pub by: Option<&'a str>,
    pub at: Timestamp,
    /// For [`PostNewsKind::Failed`] and [`PostNewsKind::Unconfirmed`].
    pub failure: Option<PostFailure<'a>>,
}

/// Notifications as publishing raises them: written in the caller's
/// transaction, so news of a change that rolls back reaches nobody.
#[async_trait]
pub trait TeamNotifier: Send + Sync {
    async fn tell(&self, tx: &mut Tx, news: &PostNews<'_>) -> Result<(), String>;
}
