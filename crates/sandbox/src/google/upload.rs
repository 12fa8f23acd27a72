//! YouTube `videos.insert` through the resumable upload protocol, and
//! `videos.list` for the uploaded videos.
//!
//! `POST /upload/youtube/v3/videos?uploadType=resumable&part=…` checks the
//! video resource (title, description, tags, privacy, `publishAt`), charges
//! the separate daily `videos.insert` bucket and opens a session whose URI
//! comes back in `Location`. `PUT {session}` takes chunks with
//! `Content-Range: bytes s-e/total`: like Google's upload servers, only whole
//! 256 KiB blocks of a non-final chunk are kept, and the answer is `308
//! Resume Incomplete` with `Range: bytes=0-N` (no `Range` while nothing is
//! stored). The final byte creates the video (recorded as published) and is
//! answered with the video resource; probes (`bytes */total`, empty body)
//! and resent ranges after that answer with the same resource, never a
//! second video. Sessions end after
//! [`Limits::youtube_upload_session_secs`](crate::Limits::youtube_upload_session_secs)
//! (404). `videos.list` also knows the channels' seeded videos, and every
//! video's statistics come from [`super::catalog`]. Uploaded videos turn
//! from `uploaded` (`processingDetails.processingStatus: processing`, with
//! its progress) to `processed` after
//! [`Limits::youtube_processing_secs`](crate::Limits::youtube_processing_secs).
//!
//! Processing can end otherwise, as on YouTube: a file whose first bytes
//! are no video container the sandbox knows (ISO BMFF/MP4/MOV, Matroska/
//! WebM, AVI, FLV, ASF, MPEG-PS/TS) turns `failed` (`failureReason:
//! invalidFile`); with
//! [`SandboxConfig::youtube_reject_duplicates`](crate::SandboxConfig::youtube_reject_duplicates)
//! a file byte for byte like a video already on the channel turns
//! `rejected` (`duplicate`; the bytes are compared by a digest over 256 KiB
//! blocks); and `POST /_admin/youtube/verdicts` `{"upload_status":
//! "rejected"|"failed", "reason"}` queues that end for the next upload to
//! complete, for any documented reason. A rejected or failed video stays
//! on the channel (and in the published record). Unless
//! [`SandboxConfig::youtube_audited`](crate::SandboxConfig::youtube_audited),
//! a video uploaded as `public` or `unlisted` is locked to `private` once
//! processed: the answer to the final byte still shows the privacy asked
//! for.
//!
//! A sandbox Google user owns two channels under one token, where a real
//! token is bound to the one channel picked at consent: the upload goes to
//! the channel named in the resource's `snippet.channelId` (read-only and
//! ignored by the real API) when the token's user owns it, else to the
//! user's first channel.

use std::collections::{BTreeMap, VecDeque};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::catalog::{Catalog, content_details_json, seeded_video_json, statistics_json};
use super::{
    Reason, api_error, api_fault, bad_parameter, caller, has_any_scope, insufficient_permissions,
    json_response, quota_exceeded,
};
use crate::meters::pacific_day;
use crate::oauth::{hex, random_base62, sha256};
use crate::params::Params;
use crate::published::PublishedPost;
use crate::seed::{google_time, google_user};
use crate::video_insights::Lifetime;
use crate::{Platform, Sandbox};

/// Non-final chunks are kept in whole blocks of this size.
const BLOCK: u64 = 256 * 1024;
const UPLOAD_SCOPES: &[&str] = &["youtube.upload", "youtube", "youtube.force-ssl"];
const READ_SCOPES: &[&str] = &[
    "youtube",
    "youtube.readonly",
    "youtube.force-ssl",
    "youtubepartner",
];
const INSERT_PARTS: &[&str] = &[
    "id",
    "snippet",
    "status",
    "contentDetails",
    "recordingDetails",
    "localizations",
];
const LIST_PARTS: &[&str] = &[
    "id",
    "snippet",
    "status",
    "processingDetails",
    "statistics",
    "contentDetails",
];
const PRIVACY: &[&str] = &["private", "unlisted", "public"];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        // Only the bytes of an upload may be large.
        .route(
            "/www.googleapis.com/upload/youtube/v3/videos",
            post(open_session).merge(put(put_bytes).layer(DefaultBodyLimit::max(256 << 20))),
        )
        .route("/www.googleapis.com/youtube/v3/videos", get(list_videos))
}

// ------------------------------------------------------------------ state

/// Upload sessions by upload id and videos by id (persisted).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct YouTubeUploads {
    #[serde(default)]
    sessions: BTreeMap<String, Session>,
    #[serde(default)]
    videos: BTreeMap<String, Video>,
    /// Ends queued for the next uploads to complete, first first.
    #[serde(default)]
    queued: VecDeque<Verdict>,
}

/// How YouTube ended a video other than `processed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Verdict {
    /// `rejected` or `failed`.
    pub upload_status: String,
    /// A `rejectionReason` or a `failureReason`.
    pub reason: String,
}

/// The documented values of `status.rejectionReason`.
pub(crate) const REJECTION_REASONS: &[&str] = &[
    "claim",
    "copyright",
    "duplicate",
    "inappropriate",
    "legal",
    "length",
    "termsOfUse",
    "trademark",
    "uploaderAccountClosed",
    "uploaderAccountSuspended",
];

/// The documented values of `status.failureReason`.
pub(crate) const FAILURE_REASONS: &[&str] = &[
    "codec",
    "conversion",
    "emptyFile",
    "invalidFile",
    "tooSmall",
    "uploadAborted",
];

impl Verdict {
    /// A verdict with a documented reason, or None.
    pub fn parse(upload_status: &str, reason: &str) -> Option<Verdict> {
        let known = match upload_status {
            "rejected" => REJECTION_REASONS,
            "failed" => FAILURE_REASONS,
            _ => return None,
        };
        known.contains(&reason).then(|| Verdict {
            upload_status: upload_status.to_owned(),
            reason: reason.to_owned(),
        })
    }

    /// `processingDetails.processingFailureReason` of a failed video.
    fn processing_failure(&self) -> &'static str {
        match self.reason.as_str() {
            "codec" | "conversion" => "transcodeFailed",
            _ => "uploadFailed",
        }
    }
}

/// What the sandbox's configuration says about how uploads end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UploadRules {
    pub audited: bool,
    pub reject_duplicates: bool,
}

impl UploadRules {
    fn of(sb: &Sandbox) -> UploadRules {
        UploadRules {
            audited: sb.config().youtube_audited,
            reject_duplicates: sb.config().youtube_reject_duplicates,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    user: String,
    channel_id: String,
    channel_title: String,
    /// From `X-Upload-Content-Length`, or the first `Content-Range` total.
    total: Option<u64>,
    parts: Vec<String>,
    snippet: Value,
    status: Value,
    received: u64,
    expires_at: Timestamp,
    processing_secs: u32,
    #[serde(default)]
    video_id: Option<String>,
    /// A digest of the bytes received, chained over 256 KiB blocks (the
    /// same for any way the file was cut into chunks).
    #[serde(default)]
    fingerprint: String,
    /// Whether the file starts like a video container (once byte 0 is in).
    #[serde(default)]
    readable: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Video {
    user: String,
    channel_id: String,
    channel_title: String,
    snippet: Value,
    status: Value,
    size: u64,
    uploaded_at: Timestamp,
    processing_secs: u32,
    #[serde(default)]
    fingerprint: String,
    /// How processing ends when it is not `processed`.
    #[serde(default)]
    verdict: Option<Verdict>,
    /// Asked to be public or unlisted by an unaudited project: private once
    /// processed.
    #[serde(default)]
    locked: bool,
}

impl Video {
    fn processed(&self, now: Timestamp) -> bool {
        now >= self.uploaded_at + SignedDuration::from_secs(i64::from(self.processing_secs))
    }

    /// The privacy YouTube shows now (a locked video is private once
    /// processed).
    fn privacy(&self, now: Timestamp) -> &str {
        if self.locked && self.processed(now) {
            "private"
        } else {
            str_field(&self.status, "privacyStatus")
        }
    }
}

/// A `Content-Range` of an upload `PUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    /// `bytes */total`: how much is stored?
    Probe { total: Option<u64> },
    /// `bytes first-last/total` (inclusive).
    Bytes {
        first: u64,
        last: u64,
        total: Option<u64>,
    },
}

impl Range {
    fn total(self) -> Option<u64> {
        match self {
            Range::Probe { total } | Range::Bytes { total, .. } => total,
        }
    }
}

/// What a `PUT` on a session comes to.
enum Outcome {
    /// No such session, or it expired.
    Gone,
    Bad(&'static str),
    Incomplete(u64),
    Complete(Value),
}

/// Whose an uploaded video is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VideoOwner {
    /// The sandbox user who uploaded it.
    pub user: String,
    pub channel_id: String,
    pub title: String,
}

/// A video uploaded to a channel, for its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadedVideo {
    pub id: String,
    pub title: String,
    pub description: String,
    pub uploaded_at: Timestamp,
    pub size: u64,
    pub privacy: String,
    pub publish_at: Option<Timestamp>,
}

impl YouTubeUploads {
    /// Every video uploaded to `channel_id`, as watchable at `now` (a
    /// locked, rejected or failed video is seen by nobody).
    pub fn channel_videos(&self, channel_id: &str, now: Timestamp) -> Vec<UploadedVideo> {
        self.videos
            .iter()
            .filter(|(_, v)| v.channel_id == channel_id)
            .map(|(id, v)| {
                let unseen = v.processed(now) && (v.locked || v.verdict.is_some());
                UploadedVideo {
                    id: id.clone(),
                    title: str_field(&v.snippet, "title").to_owned(),
                    description: str_field(&v.snippet, "description").to_owned(),
                    uploaded_at: v.uploaded_at,
                    size: v.size,
                    privacy: if unseen { "private" } else { v.privacy(now) }.to_owned(),
                    publish_at: str_field(&v.status, "publishAt")
                        .parse()
                        .ok()
                        .filter(|_| !unseen),
                }
            })
            .collect()
    }

    /// Queues how the next upload to complete ends.
    pub fn queue(&mut self, verdict: Verdict) -> usize {
        self.queued.push_back(verdict);
        self.queued.len()
    }

    /// The owner of video `id`, if it was uploaded here.
    pub fn video_owner(&self, id: &str) -> Option<VideoOwner> {
        self.videos.get(id).map(|v| VideoOwner {
            user: v.user.clone(),
            channel_id: v.channel_id.clone(),
            title: str_field(&v.snippet, "title").to_owned(),
        })
    }

    /// Every uploaded video's id and owner.
    pub fn video_owners(&self) -> Vec<(String, VideoOwner)> {
        self.videos
            .keys()
            .filter_map(|id| self.video_owner(id).map(|o| (id.clone(), o)))
            .collect()
    }

    /// Sessions are dropped once expired (they answer 404 either way).
    pub fn prune(&mut self, now: Timestamp) {
        self.sessions.retain(|_, s| s.expires_at > now);
    }

    fn uploads_today(&self, channel_id: &str, now: Timestamp) -> usize {
        let today = pacific_day(now);
        self.videos
            .values()
            .filter(|v| v.channel_id == channel_id && pacific_day(v.uploaded_at) == today)
            .count()
    }

    /// Applies a chunk (`body`) or probe; a completed upload also gives the
    /// post.
    fn put(
        &mut self,
        upload_id: &str,
        range: Range,
        body: &[u8],
        now: Timestamp,
        rules: UploadRules,
    ) -> (Outcome, Option<PublishedPost>) {
        let Some(session) = self
            .sessions
            .get_mut(upload_id)
            .filter(|s| s.expires_at > now)
        else {
            return (Outcome::Gone, None);
        };
        if let (Some(have), Some(sent)) = (session.total, range.total())
            && have != sent
        {
            return (
                Outcome::Bad("The total in Content-Range does not match the upload's length."),
                None,
            );
        }
        if let Some(id) = &session.video_id {
            let video = &self.videos[id];
            return (
                Outcome::Complete(video_json(
                    id,
                    video,
                    &session.parts,
                    now,
                    Lifetime::default(),
                )),
                None,
            );
        }
        if session.total.is_none() {
            session.total = range.total();
        }
        let Range::Bytes { first, last, .. } = range else {
            return (Outcome::Incomplete(session.received), None);
        };
        if first > session.received {
            return (
                Outcome::Bad("Content-Range starts after the bytes received so far."),
                None,
            );
        }
        let end = last + 1;
        match session.total {
            Some(total) if end > total => {
                return (
                    Outcome::Bad("Content-Range ends after the upload's length."),
                    None,
                );
            }
            Some(total) if end == total => {}
            _ => {
                // Only whole blocks of a non-final chunk are kept.
                let kept = end / BLOCK * BLOCK;
                if kept > session.received {
                    absorb(session, first, body, kept);
                }
                return (Outcome::Incomplete(session.received), None);
            }
        }
        let total = end;
        absorb(session, first, body, total);
        let id = random_base62(11);
        session.video_id = Some(id.clone());
        let fingerprint = session.fingerprint.clone();
        let duplicate = rules.reject_duplicates
            && self.videos.values().any(|v| {
                v.channel_id == session.channel_id
                    && v.fingerprint == fingerprint
                    && v.verdict.is_none()
            });
        let verdict = self
            .queued
            .pop_front()
            .or_else(|| {
                (session.readable == Some(false)).then(|| Verdict {
                    upload_status: "failed".into(),
                    reason: "invalidFile".into(),
                })
            })
            .or_else(|| {
                duplicate.then(|| Verdict {
                    upload_status: "rejected".into(),
                    reason: "duplicate".into(),
                })
            });
        let video = Video {
            user: session.user.clone(),
            channel_id: session.channel_id.clone(),
            channel_title: session.channel_title.clone(),
            snippet: session.snippet.clone(),
            status: session.status.clone(),
            size: total,
            uploaded_at: now,
            processing_secs: session.processing_secs,
            fingerprint,
            verdict,
            locked: !rules.audited && str_field(&session.status, "privacyStatus") != "private",
        };
        let resource = video_json(&id, &video, &session.parts, now, Lifetime::default());
        let post = PublishedPost {
            platform: Platform::Google,
            account_id: video.channel_id.clone(),
            id: id.clone(),
            kind: "video".into(),
            caption: str_field(&video.snippet, "description").to_owned(),
            title: Some(str_field(&video.snippet, "title").to_owned()),
            permalink: format!("https://www.youtube.com/watch?v={id}"),
            media_sizes: vec![total],
            published_at: now,
        };
        self.videos.insert(id, video);
        (Outcome::Complete(resource), Some(post))
    }
}

/// Takes the bytes `session.received..to` of a chunk starting at `first`
/// into the session: its digest (block by block from the last kept byte,
/// which is always at a block boundary until the end) and, with byte 0,
/// whether the file looks like a video.
fn absorb(session: &mut Session, first: u64, body: &[u8], to: u64) {
    let from = session.received;
    let (Ok(start), Ok(end)) = (usize::try_from(from - first), usize::try_from(to - first)) else {
        return;
    };
    let Some(bytes) = body.get(start..end) else {
        return;
    };
    if from == 0 {
        session.readable = Some(looks_like_video(bytes));
    }
    for block in bytes.chunks(BLOCK as usize) {
        let mut input = session.fingerprint.clone().into_bytes();
        input.extend_from_slice(block);
        session.fingerprint = hex(&sha256(&input));
    }
    session.received = to;
}

/// Whether `head` (a file's first bytes) starts a container YouTube
/// reads: ISO BMFF (MP4, MOV, 3GP), Matroska/WebM, AVI, FLV, ASF/WMV,
/// MPEG program or transport streams.
pub(crate) fn looks_like_video(head: &[u8]) -> bool {
    let box_type = head.get(4..8);
    let iso = matches!(
        box_type,
        Some(b"ftyp" | b"moov" | b"mdat" | b"free" | b"wide" | b"skip" | b"pnot")
    );
    iso || head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
        || (head.starts_with(b"RIFF") && head.get(8..11) == Some(b"AVI"))
        || head.starts_with(b"FLV")
        || head.starts_with(&[0x30, 0x26, 0xB2, 0x75])
        || head.starts_with(&[0x00, 0x00, 0x01, 0xBA])
        || (head.first() == Some(&0x47) && head.get(188).is_none_or(|b| *b == 0x47))
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn etag(seed: &str) -> String {
    hex(&sha256(seed.as_bytes()))[..27].to_owned()
}

/// The video resource with the requested parts (`statistics` from
/// `figures`, its lifetime figures today; none yet when just uploaded).
fn video_json(
    id: &str,
    video: &Video,
    parts: &[String],
    now: Timestamp,
    figures: Lifetime,
) -> Value {
    let processed = video.processed(now);
    let mut item = Map::new();
    item.insert("kind".into(), json!("youtube#video"));
    item.insert(
        "etag".into(),
        json!(etag(&format!("video/{id}/{processed}"))),
    );
    item.insert("id".into(), json!(id));
    for part in parts {
        let value = match part.as_str() {
            "snippet" => {
                let mut snippet = video.snippet.as_object().cloned().unwrap_or_default();
                let thumb = |name: &str, w: u32, h: u32| json!({"url": format!("https://i.ytimg.com/vi/{id}/{name}.jpg"), "width": w, "height": h});
                snippet.insert("publishedAt".into(), json!(google_time(video.uploaded_at)));
                snippet.insert("channelId".into(), json!(video.channel_id));
                snippet.insert("channelTitle".into(), json!(video.channel_title));
                snippet.insert(
                    "thumbnails".into(),
                    json!({
                        "default": thumb("default", 120, 90),
                        "medium": thumb("mqdefault", 320, 180),
                        "high": thumb("hqdefault", 480, 360),
                    }),
                );
                snippet.insert("liveBroadcastContent".into(), json!("none"));
                snippet.insert(
                    "localized".into(),
                    json!({
                        "title": str_field(&video.snippet, "title"),
                        "description": str_field(&video.snippet, "description"),
                    }),
                );
                Value::Object(snippet)
            }
            "status" => {
                let mut status = video.status.as_object().cloned().unwrap_or_default();
                let upload_status = match (&video.verdict, processed) {
                    (_, false) => "uploaded",
                    (None, true) => "processed",
                    (Some(v), true) => {
                        let field = if v.upload_status == "rejected" {
                            "rejectionReason"
                        } else {
                            "failureReason"
                        };
                        status.insert(field.into(), json!(v.reason));
                        v.upload_status.as_str()
                    }
                };
                status.insert("uploadStatus".into(), json!(upload_status));
                if processed && video.locked {
                    status.insert("privacyStatus".into(), json!("private"));
                }
                Value::Object(status)
            }
            "processingDetails" => match (&video.verdict, processed) {
                (_, false) => {
                    let total = i64::from(video.processing_secs.max(1));
                    let done = now
                        .duration_since(video.uploaded_at)
                        .as_secs()
                        .clamp(0, total);
                    json!({
                        "processingStatus": "processing",
                        "processingProgress": {
                            "partsTotal": "1000",
                            "partsProcessed": (done * 1000 / total).to_string(),
                            "timeLeftMs": ((total - done) * 1000).to_string(),
                        },
                    })
                }
                (None, true) => json!({"processingStatus": "succeeded"}),
                (Some(v), true) if v.upload_status == "failed" => json!({
                    "processingStatus": "failed",
                    "processingFailureReason": v.processing_failure(),
                }),
                (Some(_), true) => json!({"processingStatus": "terminated"}),
            },
            "statistics" => statistics_json(figures),
            // Not decoded: the duration is derived from the size.
            "contentDetails" => {
                content_details_json((video.size / 250_000).clamp(1, 43_200) as u32)
            }
            _ => continue,
        };
        item.insert(part.clone(), value);
    }
    Value::Object(item)
}

// ------------------------------------------------------------ open session

fn invalid(message: &str, reason: &'static str, location: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "youtube.video", reason).at(location, "other"),
    )
}

fn upload_limit_exceeded() -> Response {
    let message = "The user has exceeded the number of videos they may upload.";
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "youtube.video", "uploadLimitExceeded"),
    )
}

pub(super) fn parts_of(params: &Params, allowed: &[&str]) -> Result<Vec<String>, Response> {
    let Some(part) = params.non_empty("part") else {
        return Err(bad_parameter(
            "Required parameter: part",
            "required",
            "part",
        ));
    };
    let parts: Vec<String> = part
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = parts.iter().find(|p| !allowed.contains(&p.as_str())) {
        return Err(bad_parameter(&format!("'{bad}'"), "unknownPart", "part"));
    }
    Ok(parts)
}

/// The validated `snippet` and `status` of a new video.
fn check_resource(body: &Value, now: Timestamp) -> Result<(Value, Value), Response> {
    let snippet = body.get("snippet").cloned().unwrap_or_else(|| json!({}));
    let status = body.get("status").cloned().unwrap_or_else(|| json!({}));
    let title = str_field(&snippet, "title");
    if title.trim().is_empty() || title.chars().count() > 100 || title.contains(['<', '>']) {
        return Err(invalid(
            "The request metadata specifies an invalid or empty video title.",
            "invalidTitle",
            "body.snippet.title",
        ));
    }
    let description = str_field(&snippet, "description");
    if description.len() > 5000 || description.contains(['<', '>']) {
        return Err(invalid(
            "The request metadata specifies an invalid video description.",
            "invalidDescription",
            "body.snippet.description",
        ));
    }
    let tags: Vec<&str> = snippet
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| tags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if tags.iter().map(|t| t.chars().count()).sum::<usize>() > 500 {
        return Err(invalid(
            "The request metadata specifies invalid video keywords.",
            "invalidTags",
            "body.snippet.tags",
        ));
    }
    let category = snippet
        .get("categoryId")
        .and_then(Value::as_str)
        .unwrap_or("22");
    if category.is_empty() || !category.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "The video category specified is not valid.",
            "invalidCategoryId",
            "body.snippet.categoryId",
        ));
    }
    let privacy = str_field(&status, "privacyStatus");
    let privacy = if privacy.is_empty() {
        "public"
    } else {
        privacy
    };
    if !PRIVACY.contains(&privacy) {
        return Err(invalid(
            "The request metadata is invalid: privacyStatus must be private, unlisted or public.",
            "invalidVideoMetadata",
            "body.status.privacyStatus",
        ));
    }
    let publish_at = status.get("publishAt").and_then(Value::as_str);
    if let Some(at) = publish_at {
        let future = at.parse::<Timestamp>().is_ok_and(|t| t > now);
        if privacy != "private" || !future {
            return Err(invalid(
                "The request metadata specifies an invalid scheduled publishing time.",
                "invalidPublishAt",
                "body.status.publishAt",
            ));
        }
    }
    let mut kept_snippet = json!({
        "title": title,
        "description": description,
        "categoryId": category,
    });
    if !tags.is_empty() {
        kept_snippet["tags"] = json!(tags);
    }
    if let Some(lang) = snippet.get("defaultLanguage").and_then(Value::as_str) {
        kept_snippet["defaultLanguage"] = json!(lang);
    }
    let flag =
        |key: &str, default: bool| status.get(key).and_then(Value::as_bool).unwrap_or(default);
    let mut kept_status = json!({
        "privacyStatus": privacy,
        "license": if str_field(&status, "license") == "creativeCommon" { "creativeCommon" } else { "youtube" },
        "embeddable": flag("embeddable", true),
        "publicStatsViewable": flag("publicStatsViewable", true),
        "madeForKids": flag("selfDeclaredMadeForKids", false),
        "selfDeclaredMadeForKids": flag("selfDeclaredMadeForKids", false),
    });
    if let Some(at) = publish_at {
        kept_status["publishAt"] = json!(at);
    }
    Ok((kept_snippet, kept_status))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

async fn open_session(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("youtube.upload_init").await;
    if let Some(response) = api_fault(fault, true) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    // The insert call is charged to its own daily bucket, failed or not.
    let now = sb.now();
    let project = sb.config().google.client_id.clone();
    let used = sb.meters(|m| m.charge_daily(&format!("youtube-insert:{project}"), now, 1));
    if used + 1 > u64::from(sb.config().limits.youtube_daily_uploads) {
        return quota_exceeded();
    }
    let record = match caller(&sb, &headers, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !has_any_scope(&record, UPLOAD_SCOPES) {
        return insufficient_permissions();
    }
    if params.get("uploadType") != Some("resumable") {
        return bad_parameter(
            "The sandbox only supports uploadType=resumable.",
            "invalidParameter",
            "uploadType",
        );
    }
    let parts = match parts_of(&params, INSERT_PARTS) {
        Ok(p) => p,
        Err(response) => return response,
    };
    let total = match header_str(&headers, "x-upload-content-length") {
        None => None,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return bad_parameter(
                    "Invalid X-Upload-Content-Length header.",
                    "invalid",
                    "X-Upload-Content-Length",
                );
            }
        },
    };
    if let Some(kind) = header_str(&headers, "x-upload-content-type") {
        let kind = kind.to_ascii_lowercase();
        if !(kind.starts_with("video/") || kind == "application/octet-stream") {
            let message = format!(
                "Media type '{kind}' is not supported. Valid media types: [video/*, application/octet-stream]"
            );
            return api_error(
                StatusCode::BAD_REQUEST,
                &message,
                Reason::new(message.clone(), "global", "badContent"),
            );
        }
    }
    let resource = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) if v.is_object() => v,
            _ => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid JSON payload received.",
                    Reason::new("Parse Error", "global", "parseError"),
                );
            }
        }
    };
    let (snippet, status) = match check_resource(&resource, now) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let user = google_user(&record.user, &sb.config().public_base);
    let named = resource
        .pointer("/snippet/channelId")
        .and_then(Value::as_str);
    let Some(channel) = user
        .channels
        .iter()
        .find(|c| Some(c.id.as_str()) == named)
        .or(user.channels.first())
    else {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "The user does not have a YouTube channel.",
            Reason::new("Unauthorized", "youtube.header", "youtubeSignupRequired"),
        );
    };
    let limits = &sb.config().limits;
    let upload_id = format!("AUj{}", random_base62(61));
    let session = Session {
        user: record.user.clone(),
        channel_id: channel.id.clone(),
        channel_title: channel.title.clone(),
        total,
        parts,
        snippet,
        status,
        received: 0,
        expires_at: now + SignedDuration::from_secs(i64::from(limits.youtube_upload_session_secs)),
        processing_secs: limits.youtube_processing_secs,
        video_id: None,
        fingerprint: String::new(),
        readable: None,
    };
    let channel_cap = limits.youtube_channel_daily_uploads as usize;
    let opened = sb.update(|st| {
        let uploads = st.youtube_uploads_mut();
        if uploads.uploads_today(&session.channel_id, now) >= channel_cap {
            return false;
        }
        uploads.sessions.insert(upload_id.clone(), session);
        true
    });
    if !opened {
        return upload_limit_exceeded();
    }
    let location = sb.url(&format!(
        "/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
    ));
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&upload_id) {
        h.insert("x-guploader-uploadid", value);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

// ----------------------------------------------------------------- chunks

/// `bytes */T`, `bytes */*`, `bytes s-e/T` or `bytes s-e/*`.
fn parse_range(raw: &str) -> Option<Range> {
    let rest = raw.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse::<u64>().ok()?),
    };
    if range.trim() == "*" {
        return Some(Range::Probe { total });
    }
    let (first, last) = range.split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    if first > last || total.is_some_and(|t| last >= t) {
        return None;
    }
    Some(Range::Bytes { first, last, total })
}

fn bad_upload(message: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "global", "badRequest"),
    )
}

async fn put_bytes(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("youtube.upload_chunk").await;
    // Upload servers throttle with 429, not with the Data API's quota error.
    if let Some(response) = api_fault(fault, false) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    let Some(upload_id) = params.non_empty("upload_id") else {
        return bad_parameter("Required parameter: upload_id", "required", "upload_id");
    };
    let len = body.len() as u64;
    let range = match header_str(&headers, "content-range") {
        None if len == 0 => return bad_upload("Content-Range is required for an empty request."),
        None => Range::Bytes {
            first: 0,
            last: len - 1,
            total: Some(len),
        },
        Some(raw) => match parse_range(raw) {
            Some(range) => range,
            None => return bad_upload("Failed to parse Content-Range header."),
        },
    };
    let length_ok = match range {
        Range::Probe { .. } => len == 0,
        Range::Bytes { first, last, .. } => len == last - first + 1,
    };
    if !length_ok {
        return bad_upload("The request body does not match its Content-Range.");
    }
    let now = sb.now();
    let rules = UploadRules::of(&sb);
    let outcome = sb.update(|st| {
        let (outcome, post) = st
            .youtube_uploads_mut()
            .put(upload_id, range, &body, now, rules);
        if let Some(post) = post {
            st.record_published(post);
        }
        outcome
    });
    match outcome {
        Outcome::Gone => api_error(
            StatusCode::NOT_FOUND,
            "The upload session does not exist or has expired.",
            Reason::new("Not Found", "global", "notFound"),
        ),
        Outcome::Bad(message) => bad_upload(message),
        Outcome::Incomplete(received) => {
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            let h = response.headers_mut();
            if received > 0
                && let Ok(value) = HeaderValue::from_str(&format!("bytes=0-{}", received - 1))
            {
                h.insert(header::RANGE, value);
            }
            h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
            response
        }
        Outcome::Complete(resource) => json_response(StatusCode::OK, resource),
    }
}

// --------------------------------------------------------------- admin API

/// The admin routes of uploads: `POST /_admin/youtube/verdicts`.
pub(crate) fn admin_router() -> Router<Sandbox> {
    Router::new().route("/_admin/youtube/verdicts", post(queue_verdict))
}

/// `POST /_admin/youtube/verdicts` `{"upload_status": "rejected"|"failed",
/// "reason"}`: the next upload to complete ends that way once processed.
async fn queue_verdict(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let result = crate::engagement::admin_input(&headers, &body).and_then(|params| {
        let status = params.get("upload_status").unwrap_or("");
        let reason = params.get("reason").unwrap_or("");
        let verdict = Verdict::parse(status, reason).ok_or_else(|| {
            crate::engagement::AdminError::invalid(
                "invalid_verdict",
                format!(
                    "\"upload_status\" must be rejected (reason one of {}) or failed (reason one of {}).",
                    REJECTION_REASONS.join(", "),
                    FAILURE_REASONS.join(", ")
                ),
            )
        })?;
        let queued = sb.update(|st| st.youtube_uploads_mut().queue(verdict));
        Ok(json!({"queued": queued}))
    });
    crate::engagement::admin_respond(&sb, &headers, result)
}

// ------------------------------------------------------------- videos.list

async fn list_videos(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("youtube.videos").await;
    if let Some(response) = api_fault(fault, true) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    let now = sb.now();
    let project = sb.config().google.client_id.clone();
    let used = sb.meters(|m| m.charge_daily(&format!("youtube:{project}"), now, 1));
    if used + 1 > u64::from(sb.config().limits.youtube_daily_units) {
        return quota_exceeded();
    }
    let record = match caller(&sb, &headers, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !has_any_scope(&record, READ_SCOPES) {
        return insufficient_permissions();
    }
    let parts = match parts_of(&params, LIST_PARTS) {
        Ok(p) => p,
        Err(response) => return response,
    };
    let Some(ids) = params.non_empty("id") else {
        return bad_parameter(
            "No filter selected. Expected one of: chart, id, myRating",
            "missingRequiredParameter",
            "parameters.",
        );
    };
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.len() > 50 {
        return bad_parameter("Too many ids: at most 50.", "invalidValue", "id");
    }
    let base = sb.config().public_base.clone();
    let items: Vec<Value> = sb.read(|st| {
        let catalogs = Catalog::all(st, &base, now);
        ids.iter()
            .filter_map(|id| {
                let (catalog, listed) = catalogs
                    .iter()
                    .find_map(|c| c.videos.iter().find(|v| v.id == *id).map(|v| (c, v)))?;
                let figures = catalog.lifetime(listed);
                match st.youtube_uploads().videos.get(*id) {
                    Some(video) => {
                        let visible = video.user == record.user || video.privacy(now) == "public";
                        visible.then(|| video_json(id, video, &parts, now, figures))
                    }
                    None => Some(seeded_video_json(catalog, listed, &parts)),
                }
            })
            .collect()
    });
    json_response(
        StatusCode::OK,
        json!({
            "kind": "youtube#videoListResponse",
            "etag": etag(&format!("videos/{}/{}", record.user, ids.join(","))),
            "items": items,
            "pageInfo": {"totalResults": items.len(), "resultsPerPage": items.len()},
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_probes_and_chunks() {
        assert_eq!(
            parse_range("bytes */100"),
            Some(Range::Probe { total: Some(100) })
        );
        assert_eq!(parse_range("bytes */*"), Some(Range::Probe { total: None }));
        assert_eq!(
            parse_range("bytes 0-9/*"),
            Some(Range::Bytes {
                first: 0,
                last: 9,
                total: None
            })
        );
        assert_eq!(parse_range("bytes 0-100/100"), None);
        assert_eq!(parse_range("bytes 9-0/100"), None);
        assert_eq!(parse_range("0-9/100"), None);
    }
}
