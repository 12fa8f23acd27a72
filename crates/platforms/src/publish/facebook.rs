//! Publishing to Facebook Pages with the Page token: text and link posts
//! (`/feed`), photos (`/photos` with the media URL) and videos
//! (graph-video.facebook.com `/videos` with `file_url`, then waiting until
//! processing says `ready`).
//!
//! Every creating call is preceded by an `intent_at` marker. A step that
//! finds the marker without a result first looks for what an earlier
//! attempt may have made, in the Page's feed (same message, not older than
//! the marker minus a minute) or, for videos, in the Page's videos (same
//! description), and only creates when nothing is there. Then the
//! permalink and the first comment follow as for Instagram: they never
//! fail the post.

use async_trait::async_trait;
use herald_core::Named;
use herald_core::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::graph::{
    FollowUps, Graph, Linked, Listed, Listing, PERMALINK, RECONCILE_SLACK, instant, made_since,
    parse_time,
};
use super::{
    MediaKind, MediaSource, PostFormat, Progress, PublishRequest, Publisher, Step, marked, with,
};
use crate::client::{Method, PlatformClient};
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

/// Progress keys.
const INTENT: &str = "intent_at";
const POST_ID: &str = "post_id";
const PHOTO_ID: &str = "photo_id";
const VIDEO_ID: &str = "video_id";

/// How often to look at a processing video.
const VIDEO_POLL: SignedDuration = SignedDuration::from_secs(10);

const PROVIDER: ProviderId = ProviderId::Facebook;

/// What Facebook's follow-ups call: a post's `permalink_url`, and comments
/// with `message` and `created_time`, newest first.
const FOLLOW_UPS: FollowUps = FollowUps {
    platform: "Facebook",
    link_endpoint: "facebook.object",
    link_fields: "id,permalink_url",
    comments_endpoint: "facebook.comments",
    comment_query: &[
        ("fields", "id,message,created_time"),
        ("order", "reverse_chronological"),
    ],
    no_comment: None,
    comment_scopes: crate::meta::COMMENT_SCOPES,
};

/// Publishes text, image and video posts to Facebook Pages.
pub struct FacebookPublisher {
    graph: Graph,
}

#[derive(Deserialize)]
struct PhotoReply {
    id: String,
    #[serde(default)]
    post_id: Option<String>,
}

#[derive(Deserialize)]
struct PostReply {
    id: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    created_time: Option<String>,
    #[serde(default)]
    permalink_url: Option<String>,
}

#[derive(Deserialize)]
struct VideoListed {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    created_time: Option<String>,
}

#[derive(Deserialize)]
struct VideoReply {
    #[serde(default)]
    status: Option<VideoStatus>,
    #[serde(default)]
    permalink_url: Option<String>,
    #[serde(default)]
    post_id: Option<String>,
}

#[derive(Deserialize)]
struct VideoStatus {
    #[serde(default)]
    video_status: String,
    #[serde(default)]
    uploading_phase: Option<Phase>,
    #[serde(default)]
    processing_phase: Option<Phase>,
}

#[derive(Deserialize)]
struct Phase {
    #[serde(default)]
    errors: Vec<PhaseError>,
}

#[derive(Deserialize)]
struct PhaseError {
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct CommentReply {
    id: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    created_time: Option<String>,
}

impl Linked for PostReply {
    fn permalink(self) -> Option<String> {
        self.permalink_url.map(|link| absolute(&link))
    }
}

impl Listed for CommentReply {
    fn id(self) -> String {
        self.id
    }

    fn text(&self) -> Option<&str> {
        self.message.as_deref()
    }

    fn time(&self) -> Option<&str> {
        self.created_time.as_deref()
    }
}

impl FacebookPublisher {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        FacebookPublisher {
            graph: Graph::new(hosts, client, PROVIDER, "graph.facebook.com"),
        }
    }

    /// The account kind this publisher serves.
    pub fn account_kind(&self) -> AccountKind {
        AccountKind::FacebookPage
    }

    fn bad(&self, message: impl Into<String>) -> PlatformError {
        PlatformError::new(PROVIDER, ErrorKind::BadRequest, message)
    }

    fn check(&self, request: &PublishRequest) -> Result<(), PlatformError> {
        if request.kind != AccountKind::FacebookPage {
            return Err(self.bad(format!(
                "this publisher serves facebook_page accounts, not {}",
                request.kind.as_str()
            )));
        }
        let media = &request.media;
        let ok = match request.format {
            PostFormat::Text => {
                media.is_empty()
                    && (!request.caption.trim().is_empty()
                        || request.link.as_deref().is_some_and(|l| !l.is_empty()))
            }
            PostFormat::Image => media.len() == 1 && media[0].kind == MediaKind::Image,
            PostFormat::Video => media.len() == 1 && media[0].kind == MediaKind::Video,
            other => {
                return Err(self.bad(format!(
                    "Facebook Pages do not take {} posts here",
                    other.as_str()
                )));
            }
        };
        if ok {
            Ok(())
        } else {
            Err(self.bad(format!(
                "a Facebook {} post takes {}",
                request.format.as_str(),
                match request.format {
                    PostFormat::Text => "a message or a link and no media",
                    PostFormat::Image => "one image",
                    _ => "one video",
                }
            )))
        }
    }

    // ---------------------------------------------------- text and photo

    /// The post an earlier attempt made, from the Page's feed.
    async fn find_post(
        &self,
        request: &PublishRequest,
        intent: Timestamp,
    ) -> Result<Option<PostReply>, PlatformError> {
        let since = intent - RECONCILE_SLACK;
        // Pages are newest first; a busy Page can have more posts since the
        // marker than one page holds, so read on until the listing is older
        // than the marker (at most 20 pages).
        let mut after: Option<String> = None;
        let mut found = None;
        for _ in 0..20 {
            let mut call = self
                .graph
                .call(
                    request,
                    "facebook.feed",
                    Method::Get,
                    &format!("/{}/feed", request.account_id),
                )
                .query("fields", "id,message,created_time,permalink_url")
                .query("since", since.as_second().to_string())
                .query("limit", "100");
            if let Some(cursor) = &after {
                call = call.query("after", cursor.clone());
            }
            let listing: Listing<PostReply> = self.graph.send(call).await?;
            let next = listing.after();
            let mut older = false;
            for post in listing.data {
                let at = post.created_time.as_deref().and_then(parse_time);
                if at.is_some_and(|t| t < since) {
                    older = true;
                    continue;
                }
                // The last match is the one closest after the marker.
                if post.message.as_deref().unwrap_or("").trim() == request.caption.trim()
                    && at.is_some()
                {
                    found = Some(post);
                }
            }
            match next {
                Some(cursor) if !older => after = Some(cursor),
                _ => break,
            }
        }
        Ok(found)
    }

    async fn create_post(&self, request: &PublishRequest) -> Result<Progress, PlatformError> {
        let mut out = Progress::new();
        if request.format == PostFormat::Image {
            let call = self
                .graph
                .call(
                    request,
                    "facebook.photos",
                    Method::Post,
                    &format!("/{}/photos", request.account_id),
                )
                .form(&[
                    ("url", request.media[0].url.as_str()),
                    ("caption", request.caption.as_str()),
                ])
                .idempotent(false);
            let photo: PhotoReply = self.graph.send(call).await?;
            let post = photo
                .post_id
                .unwrap_or_else(|| format!("{}_{}", request.account_id, photo.id));
            out.insert(PHOTO_ID.into(), photo.id);
            out.insert(POST_ID.into(), post);
        } else {
            let mut form = vec![("message", request.caption.as_str())];
            if let Some(link) = request.link.as_deref().filter(|l| !l.is_empty()) {
                form.push(("link", link));
            }
            let call = self
                .graph
                .call(
                    request,
                    "facebook.feed",
                    Method::Post,
                    &format!("/{}/feed", request.account_id),
                )
                .form(&form);
            out.insert(POST_ID.into(), self.graph.create(call).await?);
        }
        Ok(out)
    }

    // ------------------------------------------------------------- video

    async fn find_video(
        &self,
        request: &PublishRequest,
        intent: Timestamp,
    ) -> Result<Option<String>, PlatformError> {
        let since = intent - RECONCILE_SLACK;
        let listing: Listing<VideoListed> = self
            .graph
            .send(
                self.graph
                    .call(
                        request,
                        "facebook.videos",
                        Method::Get,
                        &format!("/{}/videos", request.account_id),
                    )
                    .query("fields", "id,description,created_time")
                    .query("limit", "50"),
            )
            .await?;
        Ok(listing
            .data
            .into_iter()
            .rfind(|v| {
                v.description.as_deref().unwrap_or("").trim() == request.caption.trim()
                    && made_since(v.created_time.as_deref(), since)
            })
            .map(|v| v.id))
    }

    async fn create_video(&self, request: &PublishRequest) -> Result<String, PlatformError> {
        let mut form = vec![
            ("file_url", request.media[0].url.as_str()),
            ("description", request.caption.as_str()),
        ];
        if let Some(title) = request.title.as_deref().filter(|t| !t.is_empty()) {
            form.push(("title", title));
        }
        let call = self
            .graph
            .call_on(
                "graph-video.facebook.com",
                request,
                "facebook.videos",
                Method::Post,
                &format!("/{}/videos", request.account_id),
            )
            .form(&form);
        self.graph.create(call).await
    }

    /// Waits for processing; once ready, saves the video's post.
    async fn video_ready(
        &self,
        request: &PublishRequest,
        progress: &Progress,
        video: &str,
    ) -> Result<Step, PlatformError> {
        let reply: VideoReply = self
            .graph
            .send(
                self.graph
                    .call(
                        request,
                        "facebook.object",
                        Method::Get,
                        &format!("/{video}"),
                    )
                    .query("fields", "status,permalink_url,post_id"),
            )
            .await?;
        let status = reply.status.unwrap_or(VideoStatus {
            video_status: String::new(),
            uploading_phase: None,
            processing_phase: None,
        });
        match status.video_status.as_str() {
            "ready" => {
                let post = reply
                    .post_id
                    .unwrap_or_else(|| format!("{}_{video}", request.account_id));
                let mut next = with(progress, POST_ID, post);
                if let Some(link) = reply.permalink_url {
                    next.insert(PERMALINK.into(), absolute(&link));
                }
                Ok(Step::Continue(next))
            }
            "error" => {
                let message = status
                    .uploading_phase
                    .into_iter()
                    .chain(status.processing_phase)
                    .flat_map(|p| p.errors)
                    .map(|e| e.message)
                    .find(|m| !m.is_empty())
                    .unwrap_or_else(|| "Facebook could not process the video".into());
                Err(self.bad(message).with_code("video_status/error"))
            }
            _ => Ok(Step::Wait {
                progress: progress.clone(),
                at: self.graph.now() + VIDEO_POLL,
            }),
        }
    }
}

#[async_trait]
impl Publisher for FacebookPublisher {
    fn provider(&self) -> ProviderId {
        PROVIDER
    }

    async fn step(
        &self,
        request: &PublishRequest,
        _media: &dyn MediaSource,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        self.check(request)?;
        if let Some(post) = progress.get(POST_ID) {
            // A video is known by its video id, other posts by the post.
            let remote = match (request.format, progress.get(VIDEO_ID)) {
                (PostFormat::Video, Some(video)) => video.as_str(),
                _ => post,
            };
            return self
                .graph
                .follow_up::<PostReply, CommentReply>(request, progress, post, remote, &FOLLOW_UPS)
                .await;
        }
        if request.format == PostFormat::Video
            && let Some(video) = progress.get(VIDEO_ID)
        {
            return self.video_ready(request, progress, video).await;
        }
        let Some(intent) = instant(progress, INTENT) else {
            return Ok(Step::Continue(marked(progress, INTENT, self.graph.now())));
        };
        // The marker is saved: whatever an earlier attempt made is found
        // before anything is created again.
        if request.format == PostFormat::Video {
            let video = match self.find_video(request, intent).await? {
                Some(video) => video,
                None => self.create_video(request).await?,
            };
            return Ok(Step::Continue(with(progress, VIDEO_ID, video)));
        }
        let mut next = progress.clone();
        match self.find_post(request, intent).await? {
            Some(post) => {
                next.insert(POST_ID.into(), post.id);
                if let Some(link) = post.permalink_url {
                    next.insert(PERMALINK.into(), absolute(&link));
                }
            }
            None => next.extend(self.create_post(request).await?),
        }
        Ok(Step::Continue(next))
    }
}

/// Graph gives some permalinks as paths (`/page/videos/1/`).
fn absolute(link: &str) -> String {
    if link.starts_with('/') {
        format!("https://www.facebook.com{link}")
    } else {
        link.to_owned()
    }
}
