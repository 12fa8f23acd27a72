//! What publishing needs from the rest of Herald, as ports.

use std::sync::Arc;

use async_trait::async_trait;
use herald_core::SignedDuration;
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
