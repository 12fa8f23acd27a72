//! The publishing contract: how Herald puts one post on one account.
//!
//! Every platform publishes in several steps (create a container, wait for
//! processing, publish; or open an upload session, send chunks, finish),
//! and any step can time out after the platform acted. A [`Publisher`]
//! therefore works as a resumable state machine: [`Publisher::step`] takes
//! the [`Progress`] saved so far, does the next piece of work and returns
//! what to save before the next call. The dispatcher persists every
//! progress it is given before calling again, so a crash, a retry or a
//! second worker resumes where the last saved progress says.
//!
//! # The rules every adapter keeps (no duplicate posts)
//!
//! 1. `step` is safe to call again with the same progress after any error
//!    or crash, including after [`ErrorKind::OutcomeUnknown`].
//! 2. Before a call that creates something visible (a post, a published
//!    media), the adapter first returns [`Step::Continue`] with an intent
//!    marker in the progress (which call, and when). When it later sees the
//!    marker without the call's result, it reconciles with the platform
//!    (container status, upload session probe, publish status, the account's
//!    recent posts) and resumes from what the platform actually did, instead
//!    of creating again.
//! 3. Calls that create nothing visible (an unpublished container, an
//!    upload session, a chunk) may simply be repeated or started over.
//! 4. While the platform processes, the adapter returns [`Step::Wait`]
//!    instead of sleeping, so a worker is never held by a slow platform.

pub mod facebook;
pub(crate) mod graph;
pub mod instagram;
pub mod tiktok;
mod upload;
pub mod youtube;

use std::collections::BTreeMap;

use async_trait::async_trait;
use herald_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{AccountKind, PlatformError, ProviderId, Secret};

/// What a post is on the platform. The provider's validation table says
/// which formats an account kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PostFormat {
    /// Text (and optional link) only: Facebook Pages.
    Text,
    /// One image in the feed (Instagram, Facebook photo).
    Image,
    /// 2–10 images or videos (Instagram).
    Carousel,
    /// A short vertical video (Instagram reels).
    Reel,
    /// A 24-hour story, one image or video (Instagram).
    Story,
    /// A video (Facebook, TikTok, YouTube).
    Video,
}

impl PostFormat {
    pub const ALL: [PostFormat; 6] = [
        PostFormat::Text,
        PostFormat::Image,
        PostFormat::Carousel,
        PostFormat::Reel,
        PostFormat::Story,
        PostFormat::Video,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaKind {
    Image,
    Video,
}

/// One media file of a post, in the order it is posted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MediaItem {
    /// Herald's media id.
    pub id: String,
    pub kind: MediaKind,
    /// `image/jpeg`, `video/mp4`, ...
    pub mime: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    /// A signed, expiring URL on Herald's public address where the platform
    /// can fetch the bytes itself (`image_url`, `video_url`, `file_url`).
    pub url: String,
}

/// Reads the bytes of a media file, for platforms Herald uploads to
/// (TikTok `FILE_UPLOAD`, YouTube resumable uploads).
#[async_trait]
pub trait MediaSource: Send + Sync {
    /// `len` bytes from `offset` (fewer only at the end of the file).
    async fn read(&self, item: &MediaItem, offset: u64, len: u64) -> std::io::Result<Vec<u8>>;
}

/// One post for one account, as the platform should get it.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    pub kind: AccountKind,
    /// The account's platform id (Page id, Instagram user id, TikTok
    /// open_id, channel id).
    pub account_id: String,
    /// The token to act with (a Page token for Pages and their Instagram
    /// accounts).
    pub access_token: Secret,
    /// Stable for the target across attempts and processes.
    pub idempotency_key: String,
    pub format: PostFormat,
    /// Caption, description or message.
    pub caption: String,
    /// Video title (YouTube) or link (Facebook text posts use `link`).
    pub title: Option<String>,
    pub link: Option<String>,
    /// Posted as a comment right after publishing (Instagram, Facebook).
    pub first_comment: Option<String>,
    /// The platform's own privacy value (`SELF_ONLY`, `public`, ...).
    pub privacy: Option<String>,
    /// Cover frame of a video, in milliseconds from its start.
    pub cover_offset_ms: Option<u64>,
    pub media: Vec<MediaItem>,
    /// What viewers may do with the post and what it discloses (TikTok;
    /// the other platforms have no such settings and ignore it).
    pub settings: PostSettings,
}

/// What viewers may do with a post and what it discloses, as the person
/// chose it (TikTok direct posts: `disable_comment`, `disable_duet`,
/// `disable_stitch`, `brand_organic_toggle`, `brand_content_toggle`).
/// Everything is off unless the person turned it on; an interaction the
/// creator switched off in their TikTok settings stays off whatever this
/// says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSettings {
    pub allow_comments: bool,
    pub allow_duets: bool,
    pub allow_stitches: bool,
    /// The post promotes the creator's own business ("Your brand").
    pub promotes_own_brand: bool,
    /// A paid partnership promoting a third party ("Branded content").
    pub branded_content: bool,
}

/// What an account may post with right now, as the platform says before
/// every post (TikTok's `creator_info`): who the post goes out as, the
/// privacy levels to choose from (no default), which interactions the
/// creator switched off, and the longest video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostingOptions {
    /// The account's handle (`creator_username`).
    pub username: Option<String>,
    /// The name it shows (`creator_nickname`).
    pub nickname: Option<String>,
    pub avatar_url: Option<String>,
    /// The platform's privacy values the person may choose from, in the
    /// platform's order.
    pub privacy_options: Vec<String>,
    /// Viewers cannot comment, duet or stitch, whatever the post says.
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    /// The longest video this account may post, in seconds.
    pub max_video_duration_secs: Option<u64>,
}

/// Progress key of a [`Published`] whose `remote_id` is provisional: the
/// platform gives the post's own id only later (TikTok, after moderation).
/// Its value is when the publish completed (unix seconds). The dispatcher
/// then looks for the id with [`Publisher::find_post_id`] in a bounded
/// backfill job.
pub const POST_ID_PENDING: &str = "post_id_pending";

/// What a look for a published post's final id found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostIdLookup {
    /// The post's id and where people see it.
    Found {
        remote_id: String,
        permalink: Option<String>,
    },
    /// Not yet (still in moderation): look again later.
    Pending,
    /// It will never come: the platform refused the post after all, or
    /// forgot the publish. `reason` is the platform's word for it.
    Gone { reason: String },
}

/// What a publisher has done so far, saved by the dispatcher between steps
/// (string keys and values the adapter chooses; opaque to everyone else,
/// shown on the delivery receipt for support).
pub type Progress = BTreeMap<String, String>;

/// The result of one step.
#[derive(Debug, Clone)]
pub enum Step {
    /// Save the progress and call `step` again right away.
    Continue(Progress),
    /// The platform is processing: save the progress and call `step` again
    /// at `at`.
    Wait { progress: Progress, at: Timestamp },
    /// Published.
    Done(Published),
}

/// A post the platform has published.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Published {
    /// The platform's id of the post (media id, `{page}_{post}`, video id).
    pub remote_id: String,
    /// Where people see it, when the platform says.
    pub permalink: Option<String>,
    /// The final progress, kept on the receipt.
    pub progress: Progress,
    /// Something that did not work but did not stop the post (the first
    /// comment failed, the permalink is not known yet).
    pub warnings: Vec<String>,
}

/// A daily allowance a platform counts per app rather than per account,
/// so every workspace of the instance draws on the same one (YouTube's
/// `videos.insert` calls per Google Cloud project).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// What is counted, for which app: `youtube.videos_insert:{client id}`.
    pub bucket: String,
    /// The platform's day the count is for (`2026-12-13`; Pacific time for
    /// Google).
    pub day: String,
    /// Units the operator lets Herald spend per day.
    pub limit: u32,
    /// When the platform's next day starts.
    pub resets_at: Timestamp,
}

/// What the next step of a post spends of its publisher's [`Budget`].
#[derive(Debug, Clone)]
pub struct Spend {
    pub budget: Budget,
    /// Whether a spent budget holds the step back. True for work that has
    /// not started (a new upload); false for work already admitted (a
    /// session that expired and is opened again), which is counted but
    /// never blocked.
    pub admit: bool,
    /// What the step ends with when it is held back: a
    /// [`ErrorKind::Postponed`](crate::ErrorKind::Postponed) until the
    /// budget resets, with the hint to show meanwhile.
    pub refusal: PlatformError,
}

impl Published {
    /// What the warnings mean for the person, when the adapter knows (the
    /// first comment was refused for want of a permission): hints kept in
    /// the final progress, which only the adapters read.
    pub fn hints(&self) -> Vec<crate::Hint> {
        graph::hints(&self.progress)
    }
}

/// Publishes posts to the accounts of one kind.
#[async_trait]
pub trait Publisher: Send + Sync {
    fn provider(&self) -> ProviderId;

    /// Does the next piece of work; see the module docs for the rules.
    async fn step(
        &self,
        request: &PublishRequest,
        media: &dyn MediaSource,
        progress: &Progress,
    ) -> Result<Step, PlatformError>;

    /// The app-wide daily budget this publisher's posts draw on, as of
    /// `now`, if the platform has one.
    fn budget(&self, _now: Timestamp) -> Option<Budget> {
        None
    }

    /// What the next [`Publisher::step`] from `progress` spends of the
    /// budget, if anything. The dispatcher claims it from the ledger that
    /// every process of the instance shares before calling `step`, and
    /// ends the step with [`Spend::refusal`] when nothing is left.
    fn spend(
        &self,
        _request: &PublishRequest,
        _progress: &Progress,
        _now: Timestamp,
    ) -> Option<Spend> {
        None
    }

    /// What the person should know about a published post although it went
    /// out (the platform changed its privacy, it still processes), as hints
    /// shown with the post; read from the post's final progress.
    fn notices(&self, _published: &Published) -> Vec<crate::Hint> {
        Vec::new()
    }

    /// What `account`'s post may be, as the platform says now (TikTok's
    /// creator info); None where the platform has no such notion.
    async fn posting_options(
        &self,
        _kind: AccountKind,
        _access_token: &Secret,
    ) -> Result<Option<PostingOptions>, PlatformError> {
        Ok(None)
    }

    /// For a post published with a provisional id ([`POST_ID_PENDING`]):
    /// looks once for its final id, from the `progress` it was published
    /// with. Platforms that always know the id at once say it is gone.
    async fn find_post_id(
        &self,
        _access_token: &Secret,
        _progress: &Progress,
    ) -> Result<PostIdLookup, PlatformError> {
        Ok(PostIdLookup::Gone {
            reason: "this platform gives post ids at once".to_owned(),
        })
    }
}

/// Limits the operator configures for publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishLimits {
    /// `videos.insert` calls Herald may spend per Pacific day, for every
    /// workspace together (`HERALD_YOUTUBE_DAILY_UPLOADS`).
    pub youtube_daily_uploads: u32,
}

impl Default for PublishLimits {
    fn default() -> Self {
        PublishLimits {
            youtube_daily_uploads: youtube::DEFAULT_DAILY_UPLOADS,
        }
    }
}

/// The progress with one more entry.
pub fn with(progress: &Progress, key: &str, value: impl Into<String>) -> Progress {
    let mut next = progress.clone();
    next.insert(key.to_owned(), value.into());
    next
}

/// The progress with the marker `key` set to `at` (unix seconds): an
/// intent saved before a call that creates something visible.
fn marked(progress: &Progress, key: &str, at: Timestamp) -> Progress {
    with(progress, key, at.as_second().to_string())
}

/// The publishers this deployment has, by account kind.
#[derive(Clone, Default)]
pub struct Publishers {
    by_kind: std::collections::HashMap<AccountKind, std::sync::Arc<dyn Publisher>>,
}

impl Publishers {
    /// A publisher for every account kind whose provider has an app
    /// (real or sandbox): Pages and their Instagram accounts through the
    /// Facebook app, Instagram Login accounts, TikTok and YouTube.
    pub fn new(config: &crate::PlatformsConfig, client: &crate::PlatformClient) -> Publishers {
        Publishers::with_limits(config, client, PublishLimits::default())
    }

    /// Like [`Publishers::new`], with the operator's `limits`.
    pub fn with_limits(
        config: &crate::PlatformsConfig,
        client: &crate::PlatformClient,
        limits: PublishLimits,
    ) -> Publishers {
        use std::sync::Arc;
        let mut publishers = Publishers::default();
        if let Some(app) = &config.facebook {
            publishers.insert(
                AccountKind::FacebookPage,
                Arc::new(facebook::FacebookPublisher::new(
                    app.hosts.clone(),
                    client.clone(),
                )),
            );
            publishers.insert(
                AccountKind::InstagramBusiness,
                Arc::new(instagram::InstagramPublisher::new(
                    app.hosts.clone(),
                    instagram::InstagramApi::FacebookLogin,
                    client.clone(),
                )),
            );
        }
        if let Some(app) = &config.instagram {
            publishers.insert(
                AccountKind::InstagramAccount,
                Arc::new(instagram::InstagramPublisher::new(
                    app.hosts.clone(),
                    instagram::InstagramApi::InstagramLogin,
                    client.clone(),
                )),
            );
        }
        if let Some(app) = &config.tiktok {
            publishers.insert(
                AccountKind::TikTokUser,
                Arc::new(tiktok::TikTokPublisher::new(
                    app.hosts.clone(),
                    client.clone(),
                )),
            );
        }
        if let Some(app) = &config.youtube {
            publishers.insert(
                AccountKind::YouTubeChannel,
                Arc::new(
                    youtube::YouTubePublisher::new(app.hosts.clone(), client.clone())
                        .with_daily_uploads(&app.client_id, limits.youtube_daily_uploads),
                ),
            );
        }
        publishers
    }

    /// Registers `publisher` for accounts of `kind`.
    pub fn insert(&mut self, kind: AccountKind, publisher: std::sync::Arc<dyn Publisher>) {
        self.by_kind.insert(kind, publisher);
    }

    pub fn get(&self, kind: AccountKind) -> Option<std::sync::Arc<dyn Publisher>> {
        self.by_kind.get(&kind).cloned()
    }
}
