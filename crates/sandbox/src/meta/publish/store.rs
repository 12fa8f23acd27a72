//! The publishing objects of the Meta simulators, kept in [`crate::state::State`]
//! (and so in the state file): Instagram containers and published media with
//! their comments, Facebook Page posts, photos and videos. State machines are
//! evaluated against the clock when an object is read, so moving a test's
//! clock is all it takes to finish processing or expire a container.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::config::Limits;
use crate::{Platform, PublishedPost};

/// Containers expire a day after they were created.
pub(crate) const CONTAINER_LIFETIME: SignedDuration = SignedDuration::from_hours(24);
/// The window of Instagram's publishing and container limits.
pub(crate) const DAY: SignedDuration = SignedDuration::from_hours(24);
/// Containers are forgotten a week after creation (then unknown ids).
const KEEP_CONTAINERS: SignedDuration = SignedDuration::from_hours(24 * 7);
/// Pruning scans at most once per sandbox hour.
const PRUNE_EVERY: SignedDuration = SignedDuration::from_hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MediaKind {
    Image,
    Video,
}

/// What a container becomes when published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ContainerKind {
    Image,
    Reel,
    Story,
    CarouselItem,
    Carousel,
}

impl ContainerKind {
    /// The `kind` of the published record.
    pub fn published_kind(self) -> &'static str {
        match self {
            ContainerKind::Image | ContainerKind::CarouselItem => "image",
            ContainerKind::Reel => "reel",
            ContainerKind::Story => "story",
            ContainerKind::Carousel => "carousel",
        }
    }
}

/// Where the simulator's download of a media URL stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(crate) enum Fetch {
    Pending,
    Done {
        bytes: u64,
        at: Timestamp,
    },
    Failed {
        /// Instagram error subcode (2207052, 2207005, ...).
        subcode: i64,
        message: String,
        at: Timestamp,
    },
}

/// Instagram's `status_code` of a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerStatus {
    InProgress,
    Finished,
    Error,
    Expired,
    Published,
}

impl ContainerStatus {
    pub fn code(self) -> &'static str {
        match self {
            ContainerStatus::InProgress => "IN_PROGRESS",
            ContainerStatus::Finished => "FINISHED",
            ContainerStatus::Error => "ERROR",
            ContainerStatus::Expired => "EXPIRED",
            ContainerStatus::Published => "PUBLISHED",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Container {
    pub id: String,
    /// The Instagram user id.
    pub account: String,
    pub username: String,
    /// `Meta` (graph.facebook.com) or `Instagram` (graph.instagram.com).
    pub platform: Platform,
    pub kind: ContainerKind,
    pub media: MediaKind,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub children: Vec<String>,
    pub created_at: Timestamp,
    pub fetch: Fetch,
    /// Set once published (for carousel items: their carousel's media).
    #[serde(default)]
    pub media_id: Option<String>,
}

fn processing(media: MediaKind, limits: &Limits) -> SignedDuration {
    let secs = match media {
        MediaKind::Image => limits.image_processing_secs,
        MediaKind::Video => limits.video_processing_secs,
    };
    SignedDuration::from_secs(secs as i64)
}

impl Container {
    /// `status_code` and `status` at `now`.
    pub fn status(&self, now: Timestamp, limits: &Limits) -> (ContainerStatus, String) {
        if self.media_id.is_some() {
            return (
                ContainerStatus::Published,
                "Published: Media has been published.".into(),
            );
        }
        if now >= self.created_at + CONTAINER_LIFETIME {
            return (
                ContainerStatus::Expired,
                "Expired: The media container was not published within 24 hours.".into(),
            );
        }
        match &self.fetch {
            Fetch::Pending => (
                ContainerStatus::InProgress,
                "In Progress: Media is still being processed.".into(),
            ),
            Fetch::Failed {
                subcode, message, ..
            } => (
                ContainerStatus::Error,
                format!("ERROR: {subcode} {message}"),
            ),
            // Processing time counts from creation: the sandbox clock may
            // be anywhere when a (real-time) download ends.
            Fetch::Done { .. } => {
                if now >= self.created_at + processing(self.media, limits) {
                    (
                        ContainerStatus::Finished,
                        "Finished: Media has been uploaded and it is ready to be published.".into(),
                    )
                } else {
                    (
                        ContainerStatus::InProgress,
                        "In Progress: Media is still being processed.".into(),
                    )
                }
            }
        }
    }

    pub fn bytes(&self) -> u64 {
        match self.fetch {
            Fetch::Done { bytes, .. } => bytes,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Comment {
    pub id: String,
    pub text: String,
    pub at: Timestamp,
    pub from_id: String,
    pub from_name: String,
    /// Hidden by the account that owns the media or post (Instagram
    /// `hidden`, Facebook `is_hidden`): only its author still sees it.
    #[serde(default)]
    pub hidden: bool,
    /// The top-level comment a reply answers (replies are kept in the same
    /// list; listings of a media or post show top-level comments only).
    #[serde(default)]
    pub parent: Option<String>,
}

impl Comment {
    /// A visible top-level comment.
    pub fn new(
        id: String,
        text: String,
        at: Timestamp,
        from_id: String,
        from_name: String,
    ) -> Self {
        Self {
            id,
            text,
            at,
            from_id,
            from_name,
            hidden: false,
            parent: None,
        }
    }

    /// The same comment as a reply to `parent`.
    pub fn reply_to(mut self, parent: &str) -> Self {
        self.parent = Some(parent.to_owned());
        self
    }
}

/// What a comment hangs off: an Instagram media or a Facebook Page post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CommentHome {
    Media(String),
    Post(String),
}

/// A comment found by id, with the account whose media or post it is on.
#[derive(Debug, Clone)]
pub(crate) struct FoundComment {
    pub home: CommentHome,
    /// The Instagram user id or Page id that owns the media or post.
    pub owner: String,
    pub comment: Comment,
}

/// A published Instagram media.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IgMedia {
    pub id: String,
    pub account: String,
    pub username: String,
    pub kind: ContainerKind,
    pub media: MediaKind,
    pub caption: String,
    pub shortcode: String,
    pub permalink: String,
    pub timestamp: Timestamp,
    pub seq: u64,
    pub container: String,
    #[serde(default)]
    pub comments: Vec<Comment>,
}

impl IgMedia {
    pub fn media_type(&self) -> &'static str {
        match self.kind {
            ContainerKind::Carousel => "CAROUSEL_ALBUM",
            ContainerKind::Reel => "VIDEO",
            _ if self.media == MediaKind::Video => "VIDEO",
            _ => "IMAGE",
        }
    }

    pub fn product_type(&self) -> &'static str {
        match self.kind {
            ContainerKind::Reel => "REELS",
            ContainerKind::Story => "STORY",
            _ => "FEED",
        }
    }
}

/// A Facebook Page post (text/link, photo or video).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PagePost {
    /// `{page-id}_{post-id}`.
    pub id: String,
    pub page: String,
    pub page_name: String,
    pub message: String,
    #[serde(default)]
    pub link: Option<String>,
    /// `feed`, `photo` or `video`.
    pub kind: String,
    pub created_at: Timestamp,
    pub permalink: String,
    /// `published=false` posts exist but are not in the feed.
    pub published: bool,
    pub seq: u64,
    #[serde(default)]
    pub photo_id: Option<String>,
    #[serde(default)]
    pub video_id: Option<String>,
    #[serde(default)]
    pub comments: Vec<Comment>,
}

/// Where a Page video stands (`status.video_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VideoStatus {
    Processing,
    Ready,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PageVideo {
    pub id: String,
    pub page: String,
    pub page_name: String,
    pub description: String,
    #[serde(default)]
    pub title: Option<String>,
    pub created_at: Timestamp,
    pub fetch: Fetch,
    pub published: bool,
    pub seq: u64,
    /// Set when processing finished and the post went up.
    #[serde(default)]
    pub post_id: Option<String>,
}

impl PageVideo {
    /// The status at `now`, and when it became ready.
    pub fn status(&self, now: Timestamp, limits: &Limits) -> (VideoStatus, Option<Timestamp>) {
        match &self.fetch {
            Fetch::Pending => (VideoStatus::Processing, None),
            Fetch::Failed { .. } => (VideoStatus::Error, None),
            Fetch::Done { .. } => {
                let ready = self.created_at + processing(MediaKind::Video, limits);
                if now >= ready {
                    (VideoStatus::Ready, Some(ready))
                } else {
                    (VideoStatus::Processing, None)
                }
            }
        }
    }

    pub fn permalink(&self) -> String {
        format!("https://www.facebook.com/{}/videos/{}/", self.page, self.id)
    }
}

/// Something a spawned media fetch reports back to.
#[derive(Debug, Clone)]
pub(crate) enum FetchTarget {
    Container(String),
    Video(String),
}

/// What [`MetaPublishing::node`] found behind an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// An Instagram container of this account.
    Container(String),
    /// A published Instagram media of this account.
    Media(String),
    /// A Page post, photo or video of this Page.
    Post(String),
    Photo(String),
    Video(String),
}

/// Everything the Meta publishing simulators keep.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct MetaPublishing {
    #[serde(default)]
    containers: BTreeMap<String, Container>,
    #[serde(default)]
    media: BTreeMap<String, IgMedia>,
    #[serde(default)]
    posts: BTreeMap<String, PagePost>,
    /// Photo id → its post id.
    #[serde(default)]
    photos: BTreeMap<String, String>,
    #[serde(default)]
    videos: BTreeMap<String, PageVideo>,
    /// Orders media, posts and videos (newest first in listings).
    #[serde(default)]
    seq: u64,
    #[serde(skip)]
    next_prune: Option<Timestamp>,
}

/// A random id of `len` digits starting with `prefix`.
pub(crate) fn numeric_id(prefix: &str, len: usize) -> String {
    let mut id = prefix.to_owned();
    while id.len() < len {
        id.push(char::from(b'0' + (rand::random::<u8>() % 10)));
    }
    id
}

/// Opaque paging cursors over sequence numbers.
pub(crate) fn encode_cursor(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("sandbox-seq:{seq}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("sandbox-seq:")?
        .parse()
        .ok()
}

impl MetaPublishing {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A fresh id of `len` digits that no object here uses yet.
    pub fn fresh_id(&self, prefix: &str, len: usize) -> String {
        loop {
            let id = numeric_id(prefix, len);
            if self.node(&id).is_none() && self.find_comment(&id).is_none() {
                return id;
            }
        }
    }

    pub fn node(&self, id: &str) -> Option<Node> {
        if let Some(c) = self.containers.get(id) {
            return Some(Node::Container(c.account.clone()));
        }
        if let Some(m) = self.media.get(id) {
            return Some(Node::Media(m.account.clone()));
        }
        if let Some(p) = self.posts.get(id) {
            return Some(Node::Post(p.page.clone()));
        }
        if let Some(post) = self.photos.get(id) {
            return self.posts.get(post).map(|p| Node::Photo(p.page.clone()));
        }
        if let Some(v) = self.videos.get(id) {
            return Some(Node::Video(v.page.clone()));
        }
        None
    }

    // ------------------------------------------------------- Instagram

    pub fn insert_container(&mut self, container: Container) {
        self.containers.insert(container.id.clone(), container);
    }

    pub fn container(&self, id: &str) -> Option<&Container> {
        self.containers.get(id)
    }

    /// Containers `account` created after `since` (the 400-a-day limit).
    pub fn containers_since(&self, account: &str, since: Timestamp) -> usize {
        self.containers
            .values()
            .filter(|c| c.account == account && c.created_at > since)
            .count()
    }

    /// Publishes `container` as media `media_id`; returns the record of
    /// what went live.
    pub fn publish(&mut self, container_id: &str, media: IgMedia) -> PublishedPost {
        let Some(container) = self.containers.get(container_id).cloned() else {
            unreachable!("publish is only called for a known container");
        };
        let mut sizes = Vec::new();
        if container.children.is_empty() {
            sizes.push(container.bytes());
        }
        for child in &container.children {
            if let Some(c) = self.containers.get_mut(child) {
                c.media_id = Some(media.id.clone());
                sizes.push(c.bytes());
            }
        }
        if let Some(c) = self.containers.get_mut(container_id) {
            c.media_id = Some(media.id.clone());
        }
        let post = PublishedPost {
            platform: container.platform,
            account_id: media.account.clone(),
            id: media.id.clone(),
            kind: container.kind.published_kind().into(),
            caption: media.caption.clone(),
            title: None,
            permalink: media.permalink.clone(),
            media_sizes: sizes,
            published_at: media.timestamp,
        };
        self.media.insert(media.id.clone(), media);
        post
    }

    /// Media `account` published after `since` (the daily limit).
    pub fn publishes_since(&self, account: &str, since: Timestamp) -> usize {
        self.media
            .values()
            .filter(|m| m.account == account && m.timestamp > since)
            .count()
    }

    pub fn media(&self, id: &str) -> Option<&IgMedia> {
        self.media.get(id)
    }

    pub fn media_mut(&mut self, id: &str) -> Option<&mut IgMedia> {
        self.media.get_mut(id)
    }

    /// `account`'s media, newest first.
    pub fn media_of(&self, account: &str) -> Vec<&IgMedia> {
        let mut list: Vec<&IgMedia> = self
            .media
            .values()
            .filter(|m| m.account == account)
            .collect();
        list.sort_by_key(|item| std::cmp::Reverse(item.seq));
        list
    }

    pub fn finish_fetch(&mut self, target: &FetchTarget, outcome: Fetch) {
        match target {
            FetchTarget::Container(id) => {
                if let Some(c) = self.containers.get_mut(id) {
                    c.fetch = outcome;
                }
            }
            FetchTarget::Video(id) => {
                if let Some(v) = self.videos.get_mut(id) {
                    v.fetch = outcome;
                }
            }
        }
    }

    // --------------------------------------------------------- comments

    /// The comment `id`, on an Instagram media or a Page post.
    pub fn find_comment(&self, id: &str) -> Option<FoundComment> {
        let on_media = self.media.values().find_map(|m| {
            m.comments
                .iter()
                .find(|c| c.id == id)
                .map(|c| FoundComment {
                    home: CommentHome::Media(m.id.clone()),
                    owner: m.account.clone(),
                    comment: c.clone(),
                })
        });
        on_media.or_else(|| {
            self.posts.values().find_map(|p| {
                p.comments
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| FoundComment {
                        home: CommentHome::Post(p.id.clone()),
                        owner: p.page.clone(),
                        comment: c.clone(),
                    })
            })
        })
    }

    /// The ids of every hidden comment.
    pub fn hidden_comments(&self) -> Vec<String> {
        self.media
            .values()
            .flat_map(|m| m.comments.iter())
            .chain(self.posts.values().flat_map(|p| p.comments.iter()))
            .filter(|c| c.hidden)
            .map(|c| c.id.clone())
            .collect()
    }

    /// The comments of a media or post (replies included), oldest first.
    pub fn comments_of(&self, home: &CommentHome) -> Option<&[Comment]> {
        match home {
            CommentHome::Media(id) => self.media.get(id).map(|m| m.comments.as_slice()),
            CommentHome::Post(id) => self.posts.get(id).map(|p| p.comments.as_slice()),
        }
    }

    /// The comments of a media or post (replies included), for changing.
    pub fn comments_mut(&mut self, home: &CommentHome) -> Option<&mut Vec<Comment>> {
        match home {
            CommentHome::Media(id) => self.media.get_mut(id).map(|m| &mut m.comments),
            CommentHome::Post(id) => self.posts.get_mut(id).map(|p| &mut p.comments),
        }
    }

    /// Removes a comment and, for a top-level one, its replies; returns how
    /// many comments went.
    pub fn remove_comment(&mut self, home: &CommentHome, id: &str) -> usize {
        let Some(comments) = self.comments_mut(home) else {
            return 0;
        };
        let before = comments.len();
        comments.retain(|c| c.id != id && c.parent.as_deref() != Some(id));
        before - comments.len()
    }

    // ------------------------------------------------------------ Pages

    pub fn insert_post(&mut self, post: PagePost) {
        if let Some(photo) = &post.photo_id {
            self.photos.insert(photo.clone(), post.id.clone());
        }
        self.posts.insert(post.id.clone(), post);
    }

    pub fn post(&self, id: &str) -> Option<&PagePost> {
        self.posts.get(id)
    }

    pub fn post_mut(&mut self, id: &str) -> Option<&mut PagePost> {
        self.posts.get_mut(id)
    }

    /// The post a photo belongs to.
    pub fn post_of_photo(&self, photo: &str) -> Option<&PagePost> {
        self.photos.get(photo).and_then(|p| self.posts.get(p))
    }

    /// `page`'s visible posts, newest first.
    pub fn feed_of(&self, page: &str) -> Vec<&PagePost> {
        let mut list: Vec<&PagePost> = self
            .posts
            .values()
            .filter(|p| p.page == page && p.published)
            .collect();
        list.sort_by_key(|item| std::cmp::Reverse(item.seq));
        list
    }

    pub fn insert_video(&mut self, video: PageVideo) {
        self.videos.insert(video.id.clone(), video);
    }

    pub fn video(&self, id: &str) -> Option<&PageVideo> {
        self.videos.get(id)
    }

    /// `page`'s videos (processing ones too), newest first.
    pub fn videos_of(&self, page: &str) -> Vec<&PageVideo> {
        let mut list: Vec<&PageVideo> = self.videos.values().filter(|v| v.page == page).collect();
        list.sort_by_key(|item| std::cmp::Reverse(item.seq));
        list
    }

    /// Puts up the posts of `page`'s videos that finished processing by
    /// `now`; returns the records of what went live.
    pub fn settle_videos(
        &mut self,
        page: &str,
        now: Timestamp,
        limits: &Limits,
    ) -> Vec<PublishedPost> {
        let ready: Vec<(String, Timestamp)> = self
            .videos
            .values()
            .filter(|v| v.page == page && v.post_id.is_none())
            .filter_map(|v| match v.status(now, limits) {
                (VideoStatus::Ready, Some(at)) => Some((v.id.clone(), at)),
                _ => None,
            })
            .collect();
        let mut records = Vec::new();
        for (id, at) in ready {
            let seq = self.next_seq();
            let Some(video) = self.videos.get_mut(&id) else {
                continue;
            };
            let post_id = format!("{}_{}", video.page, video.id);
            video.post_id = Some(post_id.clone());
            let video = video.clone();
            let permalink = video.permalink();
            self.posts.insert(
                post_id.clone(),
                PagePost {
                    id: post_id.clone(),
                    page: video.page.clone(),
                    page_name: video.page_name.clone(),
                    message: video.description.clone(),
                    link: None,
                    kind: "video".into(),
                    created_at: video.created_at,
                    permalink: permalink.clone(),
                    published: video.published,
                    seq,
                    photo_id: None,
                    video_id: Some(video.id.clone()),
                    comments: Vec::new(),
                },
            );
            if video.published {
                records.push(PublishedPost {
                    platform: Platform::Meta,
                    account_id: video.page.clone(),
                    id: video.id.clone(),
                    kind: "video".into(),
                    caption: video.description.clone(),
                    title: video.title.clone(),
                    permalink,
                    media_sizes: vec![match video.fetch {
                        Fetch::Done { bytes, .. } => bytes,
                        _ => 0,
                    }],
                    published_at: at,
                });
            }
        }
        records
    }

    /// Forgets containers a week old; scans at most once per sandbox hour
    /// so the per-request cost stays a comparison.
    pub fn prune(&mut self, now: Timestamp) {
        if self.next_prune.is_some_and(|at| now < at) {
            return;
        }
        self.next_prune = Some(now + PRUNE_EVERY);
        let horizon = now - KEEP_CONTAINERS;
        self.containers.retain(|_, c| c.created_at > horizon);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    fn container(fetch: Fetch) -> Container {
        Container {
            id: "c".into(),
            account: "a".into(),
            username: "u".into(),
            platform: Platform::Meta,
            kind: ContainerKind::Image,
            media: MediaKind::Image,
            url: None,
            caption: String::new(),
            children: Vec::new(),
            created_at: ts(1_000),
            fetch,
            media_id: None,
        }
    }

    #[test]
    fn a_container_finishes_after_its_fetch_and_processing_then_expires() {
        let limits = Limits::default();
        let pending = container(Fetch::Pending);
        assert_eq!(
            pending.status(ts(5_000), &limits).0,
            ContainerStatus::InProgress
        );
        let done = container(Fetch::Done {
            bytes: 10,
            at: ts(1_000),
        });
        assert_eq!(
            done.status(ts(1_001), &limits).0,
            ContainerStatus::InProgress
        );
        assert_eq!(done.status(ts(1_002), &limits).0, ContainerStatus::Finished);
        assert_eq!(
            done.status(ts(1_000 + 86_400), &limits).0,
            ContainerStatus::Expired
        );
        let failed = container(Fetch::Failed {
            subcode: 2207005,
            message: "bad".into(),
            at: ts(1_000),
        });
        let (status, text) = failed.status(ts(1_000), &limits);
        assert_eq!(status, ContainerStatus::Error);
        assert_eq!(text, "ERROR: 2207005 bad");
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("nope"), None);
    }

    #[test]
    fn ids_have_the_asked_shape() {
        let id = numeric_id("179", 17);
        assert_eq!(id.len(), 17);
        assert!(id.starts_with("179") && id.bytes().all(|b| b.is_ascii_digit()));
    }
}
