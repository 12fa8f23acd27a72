//! Publishing to Instagram professional accounts: images, carousels, reels
//! and stories through content publishing containers, on graph.facebook.com
//! (business accounts reached through their Page, with the Page token) or
//! graph.instagram.com (Instagram Login).
//!
//! Steps, each saved as progress before the next:
//!
//! 1. Create the container (for a carousel: one child per step, wait until
//!    every child is `FINISHED`, then the parent). Containers are invisible,
//!    so a lost answer just means creating another one.
//! 2. Poll its `status_code` ([`Step::Wait`] every ~3 s for images, ~10 s
//!    for videos). `ERROR` fails with the platform's status text (the media
//!    needs fixing); `EXPIRED` starts over with new containers.
//! 3. Save `publish_intent_at`, then `media_publish`. Whenever the marker is
//!    there without a media id, the container is read first: `PUBLISHED`
//!    means an earlier attempt went through, and the media is found in the
//!    account's recent media (same caption, not older than the marker
//!    minus a minute) instead of publishing again.
//! 4. Read the permalink, then post the first comment with its own marker,
//!    reconciled through the media's comments. Neither can fail the post:
//!    after a few retries they become warnings.

use async_trait::async_trait;
use herald_core::Named;
use herald_core::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::graph::{
    FollowUps, Graph, Linked, Listed, Listing, PERMALINK, RECONCILE_SLACK, count, instant,
    made_since, parse_time, required,
};
use super::{
    MediaKind, MediaSource, PostFormat, Progress, PublishRequest, Publisher, Step, marked, with,
};
use crate::client::{Method, PlatformClient};
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

/// Progress keys.
const CONTAINER: &str = "container";
const CONTAINER_AT: &str = "container_at";
const CHILD: &str = "child.";
const RESTARTS: &str = "restarts";
const PUBLISH_INTENT: &str = "publish_intent_at";
const MEDIA_ID: &str = "media_id";

const CAPTION_MAX: usize = 2200;
/// How often to look at a processing container.
const IMAGE_POLL: SignedDuration = SignedDuration::from_secs(3);
const VIDEO_POLL: SignedDuration = SignedDuration::from_secs(10);
/// Containers that expire this often before publishing mean something is
/// wrong on our side.
const MAX_RESTARTS: u32 = 3;

/// What Instagram's follow-ups call: a media's `permalink`, and comments
/// with `text` and `timestamp`.
const FOLLOW_UPS: FollowUps = FollowUps {
    platform: "Instagram",
    link_endpoint: "instagram.media_get",
    link_fields: "id,permalink",
    comments_endpoint: "instagram.comments",
    comment_query: &[("fields", "id,text,timestamp")],
    no_comment: None,
    comment_scopes: &[],
};

/// Which Instagram API a publisher speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstagramApi {
    /// Instagram API with Facebook Login: `instagram_business` accounts on
    /// graph.facebook.com, acting with their Page's token.
    FacebookLogin,
    /// Instagram API with Instagram Login: `instagram_account` accounts on
    /// graph.instagram.com.
    InstagramLogin,
}

impl InstagramApi {
    pub fn host(self) -> &'static str {
        match self {
            InstagramApi::FacebookLogin => "graph.facebook.com",
            InstagramApi::InstagramLogin => "graph.instagram.com",
        }
    }

    /// The provider that connects these accounts.
    pub fn provider(self) -> ProviderId {
        match self {
            InstagramApi::FacebookLogin => ProviderId::Facebook,
            InstagramApi::InstagramLogin => ProviderId::Instagram,
        }
    }

    /// The kind of account it publishes to.
    pub fn account_kind(self) -> AccountKind {
        match self {
            InstagramApi::FacebookLogin => AccountKind::InstagramBusiness,
            InstagramApi::InstagramLogin => AccountKind::InstagramAccount,
        }
    }
}

/// Publishes images, carousels, reels and stories to Instagram.
pub struct InstagramPublisher {
    api: InstagramApi,
    graph: Graph,
}

#[derive(Deserialize)]
struct StatusReply {
    #[serde(default)]
    status_code: String,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct MediaReply {
    id: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    permalink: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct CommentReply {
    id: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
}

impl Linked for MediaReply {
    fn permalink(self) -> Option<String> {
        self.permalink
    }
}

impl Listed for CommentReply {
    fn id(self) -> String {
        self.id
    }

    fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    fn time(&self) -> Option<&str> {
        self.timestamp.as_deref()
    }
}

#[derive(Deserialize)]
struct QuotaReply {
    #[serde(default)]
    config: Option<QuotaConfig>,
}

#[derive(Deserialize)]
struct QuotaConfig {
    #[serde(default)]
    quota_total: Option<u32>,
    #[serde(default)]
    quota_duration: Option<i64>,
}

impl InstagramPublisher {
    pub fn new(hosts: Hosts, login: InstagramApi, client: PlatformClient) -> Self {
        InstagramPublisher {
            api: login,
            graph: Graph::new(hosts, client, login.provider(), login.host()),
        }
    }

    /// The account kind this publisher serves.
    pub fn account_kind(&self) -> AccountKind {
        self.api.account_kind()
    }

    fn provider_id(&self) -> ProviderId {
        self.graph.provider()
    }

    fn now(&self) -> Timestamp {
        self.graph.now()
    }

    fn error(&self, kind: ErrorKind, message: impl Into<String>) -> PlatformError {
        PlatformError::new(self.provider_id(), kind, message)
    }

    // ------------------------------------------------------------ checks

    fn check(&self, request: &PublishRequest) -> Result<(), PlatformError> {
        let bad = |m: String| Err(self.error(ErrorKind::BadRequest, m));
        if request.kind != self.api.account_kind() {
            return bad(format!(
                "this publisher serves {} accounts, not {}",
                self.api.account_kind().as_str(),
                request.kind.as_str()
            ));
        }
        if request.caption.chars().count() > CAPTION_MAX {
            return bad(format!(
                "Instagram captions have at most {CAPTION_MAX} characters"
            ));
        }
        let media = &request.media;
        let images = media.iter().filter(|m| m.kind == MediaKind::Image).count();
        let ok = match request.format {
            PostFormat::Image => media.len() == 1 && images == 1,
            PostFormat::Carousel => (2..=10).contains(&media.len()),
            PostFormat::Reel => media.len() == 1 && images == 0,
            PostFormat::Story => media.len() == 1,
            PostFormat::Text | PostFormat::Video => {
                return bad(format!(
                    "Instagram does not take {} posts",
                    request.format.as_str()
                ));
            }
        };
        if !ok {
            return bad(format!(
                "an Instagram {} takes {}",
                request.format.as_str(),
                match request.format {
                    PostFormat::Image => "one image",
                    PostFormat::Carousel => "2 to 10 images or videos",
                    PostFormat::Reel => "one video",
                    _ => "one image or video",
                }
            ));
        }
        Ok(())
    }

    fn poll_interval(&self, request: &PublishRequest) -> SignedDuration {
        if request.media.iter().any(|m| m.kind == MediaKind::Video) {
            VIDEO_POLL
        } else {
            IMAGE_POLL
        }
    }

    fn wait(&self, request: &PublishRequest, progress: Progress) -> Step {
        Step::Wait {
            progress,
            at: self.now() + self.poll_interval(request),
        }
    }

    // ----------------------------------------------------------- calls

    async fn create(
        &self,
        request: &PublishRequest,
        params: &[(&str, &str)],
    ) -> Result<String, PlatformError> {
        let call = self
            .graph
            .call(
                request,
                "instagram.media_create",
                Method::Post,
                &format!("/{}/media", request.account_id),
            )
            .form(params);
        self.graph.create(call).await
    }

    /// The container of an image, reel or story.
    async fn create_single(&self, request: &PublishRequest) -> Result<String, PlatformError> {
        let item = &request.media[0];
        let video = item.kind == MediaKind::Video;
        let offset = request.cover_offset_ms.map(|ms| ms.to_string());
        let mut params: Vec<(&str, &str)> = Vec::new();
        match request.format {
            PostFormat::Reel => {
                params.extend([
                    ("media_type", "REELS"),
                    ("video_url", item.url.as_str()),
                    ("caption", request.caption.as_str()),
                    ("share_to_feed", "true"),
                ]);
                if let Some(offset) = &offset {
                    params.push(("thumb_offset", offset));
                }
            }
            PostFormat::Story => {
                params.push(("media_type", "STORIES"));
                params.push((if video { "video_url" } else { "image_url" }, &item.url));
            }
            _ => {
                params.extend([
                    ("image_url", item.url.as_str()),
                    ("caption", request.caption.as_str()),
                ]);
            }
        }
        self.create(request, &params).await
    }

    async fn status(
        &self,
        request: &PublishRequest,
        container: &str,
    ) -> Result<StatusReply, PlatformError> {
        self.graph
            .send(
                self.graph
                    .call(
                        request,
                        "instagram.container_status",
                        Method::Get,
                        &format!("/{container}"),
                    )
                    .query("fields", "status_code,status"),
            )
            .await
    }

    /// The account's media (or stories) of the last day, newest first.
    async fn recent_media(
        &self,
        request: &PublishRequest,
        limit: u32,
    ) -> Result<Vec<MediaReply>, PlatformError> {
        let edge = if request.format == PostFormat::Story {
            "stories"
        } else {
            "media"
        };
        let listing: Listing<MediaReply> = self
            .graph
            .send(
                self.graph
                    .call(
                        request,
                        "instagram.media_list",
                        Method::Get,
                        &format!("/{}/{edge}", request.account_id),
                    )
                    .query("fields", "id,caption,media_type,permalink,timestamp")
                    .query("limit", limit.to_string()),
            )
            .await?;
        Ok(listing.data)
    }

    // ------------------------------------------------------------ steps

    /// Creates the next carousel child, waits for all of them, then creates
    /// the carousel container.
    async fn carousel(
        &self,
        request: &PublishRequest,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let mut children = Vec::new();
        for (i, item) in request.media.iter().enumerate() {
            let key = format!("{CHILD}{i}");
            match progress.get(&key) {
                Some(id) => children.push(id.clone()),
                None => {
                    let params: Vec<(&str, &str)> = match item.kind {
                        MediaKind::Image => {
                            vec![("is_carousel_item", "true"), ("image_url", &item.url)]
                        }
                        MediaKind::Video => vec![
                            ("is_carousel_item", "true"),
                            ("media_type", "VIDEO"),
                            ("video_url", &item.url),
                        ],
                    };
                    let id = self.create(request, &params).await?;
                    return Ok(Step::Continue(with(progress, &key, id)));
                }
            }
        }
        let mut processing = false;
        for child in &children {
            let status = self.status(request, child).await?;
            match status.status_code.as_str() {
                "FINISHED" => {}
                "IN_PROGRESS" => processing = true,
                "EXPIRED" => return self.start_over(progress).map(Step::Continue),
                "ERROR" => return Err(self.media_error(&status)),
                other => {
                    // A published item means its carousel went out, which
                    // a saved progress without the carousel cannot explain:
                    // stop rather than risk a second post.
                    return Err(self.error(
                        ErrorKind::BadRequest,
                        format!("carousel item {child} is {other}; not publishing it again"),
                    ));
                }
            }
        }
        if processing {
            return Ok(self.wait(request, progress.clone()));
        }
        let ids = children.join(",");
        let id = self
            .create(
                request,
                &[
                    ("media_type", "CAROUSEL"),
                    ("children", &ids),
                    ("caption", &request.caption),
                ],
            )
            .await?;
        Ok(Step::Continue(self.created(progress, id)))
    }

    fn created(&self, progress: &Progress, container: String) -> Progress {
        let next = with(progress, CONTAINER, container);
        with(&next, CONTAINER_AT, self.now().as_second().to_string())
    }

    /// New containers from scratch (the old ones expired unpublished).
    fn start_over(&self, progress: &Progress) -> Result<Progress, PlatformError> {
        let restarts = count(progress, RESTARTS) + 1;
        if restarts > MAX_RESTARTS {
            return Err(self.error(
                ErrorKind::BadRequest,
                "the media containers keep expiring before they can be published",
            ));
        }
        let mut next = Progress::new();
        next.insert(RESTARTS.into(), restarts.to_string());
        Ok(next)
    }

    /// A container in `ERROR`: the person has to fix the media.
    fn media_error(&self, status: &StatusReply) -> PlatformError {
        let text = status
            .status
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Instagram could not process the media".into());
        let subcode: String = text
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let error = self.error(ErrorKind::BadRequest, text);
        if subcode.len() >= 6 {
            error.with_code(subcode)
        } else {
            error.with_code("ERROR")
        }
    }

    /// The container is `FINISHED` and the marker saved: publish, or read
    /// what an earlier attempt did.
    async fn publish(
        &self,
        request: &PublishRequest,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let container = required(progress, CONTAINER, self.provider_id())?;
        let intent = instant(progress, PUBLISH_INTENT).unwrap_or_else(|| self.now());
        let status = self.status(request, &container).await?;
        match status.status_code.as_str() {
            "PUBLISHED" => return self.reconcile(request, progress, intent).await,
            "FINISHED" => {}
            "IN_PROGRESS" => return Ok(self.wait(request, progress.clone())),
            "EXPIRED" => return self.start_over(progress).map(Step::Continue),
            _ => return Err(self.media_error(&status)),
        }
        let call = self
            .graph
            .call(
                request,
                "instagram.media_publish",
                Method::Post,
                &format!("/{}/media_publish", request.account_id),
            )
            .form(&[("creation_id", &container)]);
        match self.graph.create(call).await {
            Ok(media) => Ok(Step::Continue(with(progress, MEDIA_ID, media))),
            Err(e) => match e.code.as_deref() {
                // Not FINISHED after all: try again shortly.
                Some("9007/2207027") => Ok(self.wait(request, progress.clone())),
                Some("9/2207042") => Err(self.daily_limit(request, e).await),
                Some("-2/2207020") => self.start_over(progress).map(Step::Continue),
                // Published meanwhile (by an attempt whose answer was lost).
                Some("9004/2207008") => self.reconcile(request, progress, intent).await,
                _ => Err(e),
            },
        }
    }

    /// The container says `PUBLISHED`: find the media in the account's
    /// recent posts. Never publishes.
    async fn reconcile(
        &self,
        request: &PublishRequest,
        progress: &Progress,
        intent: Timestamp,
    ) -> Result<Step, PlatformError> {
        let since = intent - RECONCILE_SLACK;
        let story = request.format == PostFormat::Story;
        // Newest first: the last match is the one closest after the marker.
        let found = self
            .recent_media(request, 50)
            .await?
            .into_iter()
            .rfind(|m| {
                (story || m.caption.as_deref().unwrap_or("").trim() == request.caption.trim())
                    && made_since(m.timestamp.as_deref(), since)
            });
        match found {
            Some(media) => {
                let mut next = with(progress, MEDIA_ID, media.id);
                if let Some(link) = media.permalink {
                    next.insert(PERMALINK.into(), link);
                }
                Ok(Step::Continue(next))
            }
            None => Err(self.error(
                ErrorKind::OutcomeUnknown,
                "the container is published but its media is not listed yet",
            )),
        }
    }

    /// Code 9/2207042: rate limited until a slot of the rolling window frees
    /// (the oldest recent post's age reaching the quota duration).
    async fn daily_limit(&self, request: &PublishRequest, error: PlatformError) -> PlatformError {
        let now = self.now();
        let quota = self
            .graph
            .send::<Listing<QuotaReply>>(
                self.graph
                    .call(
                        request,
                        "instagram.publishing_limit",
                        Method::Get,
                        &format!("/{}/content_publishing_limit", request.account_id),
                    )
                    .query("fields", "quota_usage,config"),
            )
            .await
            .ok()
            .and_then(|l| l.data.into_iter().next())
            .and_then(|q| q.config);
        let total = quota.as_ref().and_then(|c| c.quota_total).unwrap_or(50);
        let window = quota_window(quota.and_then(|c| c.quota_duration));
        let posted: Vec<Timestamp> = match self.recent_media_for_quota(request, total).await {
            Ok(recent) => recent
                .iter()
                .filter_map(|m| m.timestamp.as_deref().and_then(parse_time))
                .collect(),
            Err(_) => Vec::new(),
        };
        let until = quota_reset(now, window, posted);
        PlatformError {
            kind: ErrorKind::RateLimited { until: Some(until) },
            ..error
        }
    }

    async fn recent_media_for_quota(
        &self,
        request: &PublishRequest,
        total: u32,
    ) -> Result<Vec<MediaReply>, PlatformError> {
        let feed = PublishRequest {
            format: PostFormat::Image,
            ..request.clone()
        };
        self.recent_media(&feed, total.clamp(1, 100)).await
    }
}

#[async_trait]
impl Publisher for InstagramPublisher {
    fn provider(&self) -> ProviderId {
        self.provider_id()
    }

    async fn step(
        &self,
        request: &PublishRequest,
        _media: &dyn MediaSource,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        self.check(request)?;
        if let Some(media_id) = progress.get(MEDIA_ID) {
            let rules = FollowUps {
                no_comment: (request.format == PostFormat::Story)
                    .then_some("stories take no comments: the first comment was not posted"),
                ..FOLLOW_UPS
            };
            return self
                .graph
                .follow_up::<MediaReply, CommentReply>(
                    request, progress, media_id, media_id, &rules,
                )
                .await;
        }
        if progress.contains_key(PUBLISH_INTENT) {
            return self.publish(request, progress).await;
        }
        let Some(container) = progress.get(CONTAINER) else {
            if request.format == PostFormat::Carousel {
                return self.carousel(request, progress).await;
            }
            let id = self.create_single(request).await?;
            return Ok(Step::Continue(self.created(progress, id)));
        };
        let status = self.status(request, container).await?;
        match status.status_code.as_str() {
            "IN_PROGRESS" => Ok(self.wait(request, progress.clone())),
            "FINISHED" => Ok(Step::Continue(marked(progress, PUBLISH_INTENT, self.now()))),
            "EXPIRED" => self.start_over(progress).map(Step::Continue),
            // Only reachable when a marker was lost: treat the container's
            // creation as the marker.
            "PUBLISHED" => {
                let since = instant(progress, CONTAINER_AT).unwrap_or_else(|| self.now());
                self.reconcile(request, progress, since).await
            }
            _ => Err(self.media_error(&status)),
        }
    }
}

/// The publishing quota's rolling window: Meta's `quota_duration` (a day
/// when it says nothing usable), at most a year, so neither a broken
/// answer nor a crafted one pushes times past what a timestamp holds.
fn quota_window(seconds: Option<i64>) -> SignedDuration {
    const YEAR: i64 = 366 * 86_400;
    SignedDuration::from_secs(seconds.filter(|d| *d > 0).unwrap_or(86_400).min(YEAR))
}

/// When a slot of the window frees: `window` after the oldest post still
/// inside it, and at the latest `window` from now. Stories are not listed,
/// so the oldest listed post may be younger than the oldest counted one:
/// this errs late, never early. Post times are the platform's; one past
/// what a timestamp holds is ignored.
fn quota_reset(
    now: Timestamp,
    window: SignedDuration,
    posted: impl IntoIterator<Item = Timestamp>,
) -> Timestamp {
    let latest = now.checked_add(window).unwrap_or(Timestamp::MAX);
    let since = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    posted
        .into_iter()
        .filter(|t| *t > since)
        .min()
        .and_then(|oldest| oldest.checked_add(window).ok())
        .map_or(latest, |freed| freed.min(latest))
}

/// Property tests: whatever the quota and post times Meta answers, the
/// reset time is computed without a panic, never before now (unless the
/// post is older than the window) and never after `window` from now.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    fn timestamp() -> impl Strategy<Value = Timestamp> {
        prop_oneof![
            (0i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).expect("in range")),
            Just(Timestamp::MAX),
            Just(Timestamp::MIN),
            (Timestamp::MIN.as_second()..=Timestamp::MAX.as_second())
                .prop_map(|s| Timestamp::from_second(s).expect("in range")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_quota_and_post_times_give_a_reset_within_the_window(
            seconds in proptest::option::of(any::<i64>()),
            now in (0i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).expect("in range")),
            posted in proptest::collection::vec(timestamp(), 0..6),
        ) {
            let window = quota_window(seconds);
            prop_assert!(window > SignedDuration::ZERO);
            prop_assert!(window <= SignedDuration::from_hours(366 * 24));
            let until = quota_reset(now, window, posted.clone());
            prop_assert!(until <= now + window);
            if posted.iter().all(|t| *t <= now - window) {
                prop_assert_eq!(until, now + window);
            }
        }
    }

    /// Found by the property above: a quota of `i64::MAX` seconds, or a
    /// post dated 9999-12-30, overflowed the timestamp (a panic).
    #[test]
    fn absurd_quotas_and_post_times_do_not_overflow() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("a time");
        let window = quota_window(Some(i64::MAX));
        assert_eq!(window, SignedDuration::from_hours(366 * 24));
        let far = parse_time("9999-12-30T21:00:00+0000").expect("a Graph time");
        assert_eq!(quota_reset(now, window, [far]), now + window);
        assert_eq!(quota_window(Some(-5)), SignedDuration::from_hours(24));
    }
}
