//! What the simulated platforms have actually published: one record per
//! visible post, written by the publishing endpoints when the post goes
//! live. Tests count these to prove a post went out exactly once.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Platform;

/// A post a simulated platform made visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPost {
    /// The simulator that published it (`Meta` for Pages and Instagram
    /// business accounts, `Instagram` for Instagram Login, `TikTok`,
    /// `Google` for YouTube).
    pub platform: Platform,
    /// The account it appeared on: Page id, Instagram user id, TikTok
    /// open_id or YouTube channel id.
    pub account_id: String,
    /// The platform's id of the post.
    pub id: String,
    /// `image`, `carousel`, `reel`, `story`, `feed`, `photo` or `video`.
    pub kind: String,
    /// Caption, message or description.
    pub caption: String,
    /// Video title, where the platform has one.
    pub title: Option<String>,
    pub permalink: String,
    /// Bytes of each media item, in order (fetched from the URL or
    /// uploaded).
    pub media_sizes: Vec<u64>,
    pub published_at: Timestamp,
}
