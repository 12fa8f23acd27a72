//! TikTok's Content Posting API for direct video posts, and the Display
//! API's video list (its figures come from [`crate::tiktok_insights`]).
//!
//! A direct post is a `publish_id` with a small state machine on the
//! sandbox clock: `creator_info/query/` says which privacy levels the
//! creator offers (by account type: a public account never offers
//! `FOLLOWER_OF_CREATOR`, a private one never `PUBLIC_TO_EVERYONE`; an
//! unaudited client only `SELF_ONLY`), which interactions are off (duets
//! and stitches always on private accounts) and the longest video, from
//! the user's [`TikTokCreator`] settings; `video/init/` enforces the
//! unaudited client's rules (private accounts only, five users a day),
//! the user's daily post cap and the privacy options (all 403, as TikTok
//! documents), then checks the post info and the chunk plan
//! exactly (`total_chunk_count = floor(video_size / chunk_size)`, 5–64 MiB
//! chunks, the final one absorbing the remainder up to 128 MiB, one chunk
//! of exactly `video_size` under 5 MiB, 1–1000 chunks) and hands out an
//! upload URL on `open-upload.tiktokapis.com` valid for an hour, or starts
//! pulling `video_url` itself. Chunks are `PUT` in order with exact
//! `Content-Range`s (206 for intermediate chunks, 201 for the last); a chunk
//! that already arrived is answered as before without counting it twice.
//! Once every byte is in, the video processes for
//! [`Limits::tiktok_processing_secs`](crate::Limits::tiktok_processing_secs)
//! and becomes `PUBLISH_COMPLETE` (recorded as published) or `FAILED`
//! (`file_format_check_failed` when the bytes have no `ftyp` box at offset
//! 4); moderation fills `publicaly_available_post_id` (sic)
//! [`Limits::tiktok_post_id_secs`](crate::Limits::tiktok_post_id_secs)
//! later. Titles count UTF-16 code units.
//!
//! Chunk bytes are never kept: a publish records counts and whether the
//! first chunk looked like MP4. Every answer is in the
//! `{"data":…,"error":{"code","message","log_id"}}` envelope; posting
//! endpoints are limited per user token per minute.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::faults::FaultKind;
use crate::oauth::{hex, random_base62, sha256};
use crate::params::{Params, bearer};
use crate::published::PublishedPost;
use crate::seed::tiktok_user;
use crate::state::{TokenKind, TokenRecord};
use crate::tiktok::{api_error, log_id, scope_missing, token_invalid};
use crate::{Platform, Sandbox};

const MIB: u64 = 1024 * 1024;
/// Files under this size go up as one chunk of exactly their size.
const MIN_CHUNK: u64 = 5 * MIB;
const MAX_CHUNK: u64 = 64 * MIB;
/// The final chunk takes the remainder and may reach this size.
const MAX_FINAL_CHUNK: u64 = 128 * MIB;
const MAX_CHUNKS: u64 = 1000;
/// "The maximum length is 2200 in UTF-16 runes."
const TITLE_MAX_UTF16: usize = 2200;
/// TikTok's caps count a rolling day.
const CAP_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// The longest video a creator may post unless set otherwise.
const DEFAULT_MAX_DURATION_SECS: u32 = 600;
const UPLOAD_URL_LIFETIME: SignedDuration = SignedDuration::from_secs(3600);
/// Publishes are forgotten (status → not found) a week after their init.
const PUBLISH_RETENTION: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The privacy levels of a public account, in TikTok's order.
const PUBLIC_ACCOUNT_LEVELS: &[&str] =
    &["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"];
/// The privacy levels of a private account.
const PRIVATE_ACCOUNT_LEVELS: &[&str] =
    &["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"];
const VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime", "video/webm"];
pub(crate) const LIST_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
            post(query_creator_info),
        )
        .route(
            "/open.tiktokapis.com/v2/post/publish/video/init/",
            post(init_video),
        )
        .route(
            "/open.tiktokapis.com/v2/post/publish/status/fetch/",
            post(fetch_status),
        )
        .route("/open.tiktokapis.com/v2/video/list/", post(list_videos))
        // A final chunk may be 128 MiB; every other route keeps the
        // sandbox's small default.
        .route(
            "/open-upload.tiktokapis.com/video/",
            put(upload_chunk).layer(DefaultBodyLimit::max((MAX_FINAL_CHUNK + MIB) as usize)),
        )
}

// ------------------------------------------------------------------ state

/// Every direct post, by `publish_id` (part of the persisted state).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct TikTokPublishes {
    #[serde(default)]
    by_id: BTreeMap<String, Publish>,
    /// The privacy level of every post that went live, by post id: kept
    /// after its publish is forgotten, for the post's figures.
    #[serde(default)]
    privacy: BTreeMap<String, String>,
    /// Each user's account settings, by sandbox user name (absent: a
    /// public account with every interaction allowed).
    #[serde(default)]
    creators: BTreeMap<String, TikTokCreator>,
}

/// A sandbox TikTok user's account settings, as `creator_info/query/`
/// reports them (set with [`crate::Sandbox::set_tiktok_creator`] or
/// `POST /_admin/tiktok/creator`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TikTokCreator {
    /// A private account: only approved followers see its posts; duets and
    /// stitches are off.
    #[serde(default)]
    pub private_account: bool,
    /// "Who can comment: No one".
    #[serde(default)]
    pub comment_disabled: bool,
    #[serde(default)]
    pub duet_disabled: bool,
    #[serde(default)]
    pub stitch_disabled: bool,
    /// The longest video the user may post (default 600 s).
    #[serde(default)]
    pub max_video_post_duration_sec: Option<u32>,
}

impl TikTokCreator {
    fn privacy_options(&self, unaudited: bool) -> &'static [&'static str] {
        if unaudited {
            &["SELF_ONLY"]
        } else if self.private_account {
            PRIVATE_ACCOUNT_LEVELS
        } else {
            PUBLIC_ACCOUNT_LEVELS
        }
    }
}

/// What a direct post asked for and how TikTok took it, for tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TikTokPublishView {
    pub publish_id: String,
    /// The sandbox user it was posted for.
    pub user: String,
    pub title: String,
    /// The privacy level it has (an unaudited client's posts are all
    /// `SELF_ONLY`).
    pub privacy_level: String,
    /// The interactions as in force: asked off, or off by the creator.
    pub disable_comment: bool,
    pub disable_duet: bool,
    pub disable_stitch: bool,
    pub brand_organic_toggle: bool,
    pub brand_content_toggle: bool,
    /// `PROCESSING_UPLOAD`, `PUBLISH_COMPLETE`, …
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Publish {
    client_id: String,
    user: String,
    open_id: String,
    username: String,
    title: String,
    privacy_level: String,
    created_at: Timestamp,
    source: Source,
    /// When the last byte arrived (upload or download).
    #[serde(default)]
    received_at: Option<Timestamp>,
    /// Whether the first bytes had an `ftyp` box at offset 4.
    #[serde(default)]
    mp4: bool,
    processing_secs: u32,
    post_id_secs: u32,
    #[serde(default)]
    fail_reason: Option<String>,
    #[serde(default)]
    completed_at: Option<Timestamp>,
    /// The public video id, set when the post goes live.
    #[serde(default)]
    post_id: Option<i64>,
    /// The post settings in force.
    #[serde(default)]
    disable_comment: bool,
    #[serde(default)]
    disable_duet: bool,
    #[serde(default)]
    disable_stitch: bool,
    #[serde(default)]
    brand_organic_toggle: bool,
    #[serde(default)]
    brand_content_toggle: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "SCREAMING_SNAKE_CASE")]
enum Source {
    FileUpload {
        video_size: u64,
        chunk_size: u64,
        total_chunk_count: u64,
        upload_id: String,
        upload_token: String,
        upload_expires_at: Timestamp,
        chunks_received: u64,
    },
    PullFromUrl {
        video_url: String,
        #[serde(default)]
        downloaded_bytes: u64,
    },
}

impl Publish {
    fn status(&self) -> &'static str {
        if self.fail_reason.is_some() {
            "FAILED"
        } else if self.completed_at.is_some() {
            "PUBLISH_COMPLETE"
        } else {
            match self.source {
                Source::FileUpload { .. } => "PROCESSING_UPLOAD",
                Source::PullFromUrl { .. } => "PROCESSING_DOWNLOAD",
            }
        }
    }

    fn size(&self) -> u64 {
        match &self.source {
            Source::FileUpload { video_size, .. } => *video_size,
            Source::PullFromUrl {
                downloaded_bytes, ..
            } => *downloaded_bytes,
        }
    }

    fn status_json(&self, now: Timestamp) -> Value {
        let mut data = json!({"status": self.status()});
        match &self.source {
            Source::FileUpload {
                chunk_size,
                video_size,
                total_chunk_count,
                chunks_received,
                ..
            } => {
                data["uploaded_bytes"] = json!(received_bytes(
                    *video_size,
                    *chunk_size,
                    *total_chunk_count,
                    *chunks_received
                ));
            }
            Source::PullFromUrl {
                downloaded_bytes, ..
            } => data["downloaded_bytes"] = json!(downloaded_bytes),
        }
        if let Some(reason) = &self.fail_reason {
            data["fail_reason"] = json!(reason);
        }
        let visible: Vec<i64> = match (self.completed_at, self.post_id) {
            (Some(at), Some(id))
                if now >= at + SignedDuration::from_secs(i64::from(self.post_id_secs)) =>
            {
                vec![id]
            }
            _ => Vec::new(),
        };
        data["publicaly_available_post_id"] = json!(visible);
        data
    }
}

/// Bytes held after `chunks` whole chunks.
fn received_bytes(video_size: u64, chunk_size: u64, count: u64, chunks: u64) -> u64 {
    if chunks >= count {
        video_size
    } else {
        chunks * chunk_size
    }
}

impl TikTokPublishes {
    /// Moves every publish whose processing time has passed to its end
    /// state; returns the posts that went live.
    pub fn settle(&mut self, now: Timestamp) -> Vec<PublishedPost> {
        let mut live = Vec::new();
        for publish in self.by_id.values_mut() {
            let Some(received) = publish.received_at else {
                continue;
            };
            if publish.fail_reason.is_some() || publish.completed_at.is_some() {
                continue;
            }
            let ready = received + SignedDuration::from_secs(i64::from(publish.processing_secs));
            if now < ready {
                continue;
            }
            if !publish.mp4 {
                publish.fail_reason = Some("file_format_check_failed".into());
                continue;
            }
            let id = 7_000_000_000_000_000_000
                + (rand::random::<u64>() % 1_000_000_000_000_000_000) as i64;
            publish.completed_at = Some(ready);
            publish.post_id = Some(id);
            self.privacy
                .insert(id.to_string(), publish.privacy_level.clone());
            live.push(PublishedPost {
                platform: Platform::TikTok,
                account_id: publish.open_id.clone(),
                id: id.to_string(),
                kind: "video".into(),
                caption: publish.title.clone(),
                title: None,
                permalink: format!("https://www.tiktok.com/@{}/video/{id}", publish.username),
                media_sizes: vec![publish.size()],
                published_at: ready,
            });
        }
        live
    }

    /// A user's account settings.
    pub fn creator(&self, user: &str) -> TikTokCreator {
        self.creators.get(user).cloned().unwrap_or_default()
    }

    pub fn set_creator(&mut self, user: &str, creator: TikTokCreator) {
        self.creators.insert(user.to_owned(), creator);
    }

    /// Every publish, oldest first, as tests read them.
    pub fn views(&self) -> Vec<TikTokPublishView> {
        let mut views: Vec<(&Timestamp, TikTokPublishView)> = self
            .by_id
            .iter()
            .map(|(id, p)| {
                (
                    &p.created_at,
                    TikTokPublishView {
                        publish_id: id.clone(),
                        user: p.user.clone(),
                        title: p.title.clone(),
                        privacy_level: p.privacy_level.clone(),
                        disable_comment: p.disable_comment,
                        disable_duet: p.disable_duet,
                        disable_stitch: p.disable_stitch,
                        brand_organic_toggle: p.brand_organic_toggle,
                        brand_content_toggle: p.brand_content_toggle,
                        status: p.status(),
                    },
                )
            })
            .collect();
        views.sort_by_key(|(at, _)| **at);
        views.into_iter().map(|(_, v)| v).collect()
    }

    /// Direct posts `user` made in the rolling day before `now`.
    fn posts_today(&self, user: &str, now: Timestamp) -> usize {
        self.by_id
            .values()
            .filter(|p| p.user == user && p.created_at > now - CAP_WINDOW)
            .count()
    }

    /// The users other than `user` who posted through `client_id` in the
    /// rolling day before `now`.
    fn other_active_users(&self, client_id: &str, user: &str, now: Timestamp) -> usize {
        let users: std::collections::BTreeSet<&str> = self
            .by_id
            .values()
            .filter(|p| {
                p.client_id == client_id && p.user != user && p.created_at > now - CAP_WINDOW
            })
            .map(|p| p.user.as_str())
            .collect();
        users.len()
    }

    /// The privacy level a live post was published with.
    pub fn privacy_of(&self, post_id: &str) -> Option<&str> {
        self.privacy.get(post_id).map(String::as_str)
    }

    /// Forgets publishes a week after their init.
    pub fn prune(&mut self, now: Timestamp) {
        let horizon = now - PUBLISH_RETENTION;
        self.by_id.retain(|_, p| p.created_at > horizon);
    }

    fn insert(&mut self, publish_id: String, publish: Publish) {
        self.by_id.insert(publish_id, publish);
    }

    /// Applies the end of a `PULL_FROM_URL` download.
    fn downloaded(&mut self, publish_id: &str, now: Timestamp, outcome: Result<(u64, bool), ()>) {
        let Some(publish) = self.by_id.get_mut(publish_id) else {
            return;
        };
        match outcome {
            Ok((bytes, mp4)) => {
                if let Source::PullFromUrl {
                    downloaded_bytes, ..
                } = &mut publish.source
                {
                    *downloaded_bytes = bytes;
                }
                publish.mp4 = mp4;
                publish.received_at = Some(now);
            }
            Err(()) => publish.fail_reason = Some("video_pull_failed".into()),
        }
    }
}

/// Settles due publishes and records the posts that went live.
pub(crate) fn settle(st: &mut crate::state::State, now: Timestamp) {
    for post in st.tiktok_publishes_mut().settle(now) {
        st.record_published(post);
    }
}

// ---------------------------------------------------------------- helpers

pub(crate) fn envelope(sb: &Sandbox, status: StatusCode, data: Value) -> Response {
    (
        status,
        axum::Json(json!({
            "data": data,
            "error": {"code": "ok", "message": "", "log_id": log_id(sb.now())},
        })),
    )
        .into_response()
}

pub(crate) fn invalid_params(sb: &Sandbox, message: &str) -> Response {
    api_error(sb, StatusCode::BAD_REQUEST, "invalid_params", message)
}

fn rate_limited(sb: &Sandbox) -> Response {
    api_error(
        sb,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_exceeded",
        "API rate limit exceeded, please retry later.",
    )
}

/// A pending fault in TikTok's envelope.
pub(crate) fn fault_response(sb: &Sandbox, fault: Option<FaultKind>) -> Option<Response> {
    Some(match fault? {
        FaultKind::RateLimited => rate_limited(sb),
        FaultKind::ServerError => api_error(
            sb,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong. Please try again later.",
        ),
        FaultKind::ExpiredToken | FaultKind::RevokedToken => token_invalid(sb),
        FaultKind::MissingPermission => scope_missing(sb),
        FaultKind::Slow { .. }
        | FaultKind::ResponseLost
        | FaultKind::ContentFiltered
        | FaultKind::AnswerFiltered
        | FaultKind::StreamCut
        | FaultKind::QuotaExhausted => return None,
    })
}

/// The request's live user token holding one of `scopes`.
pub(crate) fn user_token(
    sb: &Sandbox,
    headers: &HeaderMap,
    scopes: &[&str],
) -> Result<(String, TokenRecord), Response> {
    let Some(token) = bearer(headers) else {
        return Err(token_invalid(sb));
    };
    let now = sb.now();
    let record = match sb.read(|st| st.check(&token, Platform::TikTok, now).cloned()) {
        Ok(r) if r.kind == TokenKind::TikTokAccess => r,
        _ => return Err(token_invalid(sb)),
    };
    if !record.scopes.iter().any(|s| scopes.contains(&s.as_str())) {
        return Err(scope_missing(sb));
    }
    Ok((token, record))
}

/// Counts a call against a per-minute budget keyed by `key`.
pub(crate) fn within_budget(sb: &Sandbox, key: &str, budget: u32) -> Result<(), Response> {
    let now = sb.now();
    let window = sb.meters(|m| m.record(key, now, SignedDuration::from_mins(1)));
    if window.calls > u64::from(budget) {
        Err(rate_limited(sb))
    } else {
        Ok(())
    }
}

/// A meter key for one token that does not hold the token itself.
fn token_key(token: &str, endpoint: &str) -> String {
    format!(
        "tiktok:{}:{endpoint}",
        &hex(&sha256(token.as_bytes()))[..16]
    )
}

/// A posting refusal in TikTok's words: 403 with `code`.
fn forbidden(sb: &Sandbox, code: &str, message: &str) -> Response {
    api_error(sb, StatusCode::FORBIDDEN, code, message)
}

fn random_digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    out.push(char::from(b'1' + rand::random::<u8>() % 9));
    while out.len() < n {
        out.push(char::from(b'0' + rand::random::<u8>() % 10));
    }
    out
}

/// Checks a `FILE_UPLOAD` chunk plan against TikTok's rules.
pub(crate) fn check_chunk_plan(video_size: u64, chunk_size: u64, count: u64) -> Result<(), String> {
    if video_size == 0 {
        return Err("video_size must be positive.".into());
    }
    if video_size < MIN_CHUNK {
        if chunk_size != video_size || count != 1 {
            return Err(
                "Videos under 5 MB must be uploaded as one chunk with chunk_size equal to video_size."
                    .into(),
            );
        }
        return Ok(());
    }
    if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk_size) {
        return Err("chunk_size must be between 5 MB and 64 MB.".into());
    }
    if chunk_size > video_size {
        return Err("chunk_size must not exceed video_size.".into());
    }
    if count != video_size / chunk_size {
        return Err("total_chunk_count must equal video_size / chunk_size, rounded down.".into());
    }
    if !(1..=MAX_CHUNKS).contains(&count) {
        return Err("total_chunk_count must be between 1 and 1000.".into());
    }
    if video_size > MAX_CHUNK && count < 2 {
        return Err("Videos over 64 MB must be uploaded in several chunks.".into());
    }
    if video_size - (count - 1) * chunk_size > MAX_FINAL_CHUNK {
        return Err("The final chunk must not exceed 128 MB.".into());
    }
    Ok(())
}

// ------------------------------------------------------------- creator info

async fn query_creator_info(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    let fault = sb.hit("tiktok.creator_info").await;
    if let Some(response) = fault_response(&sb, fault) {
        return response;
    }
    let (token, record) = match user_token(&sb, &headers, &["video.publish"]) {
        Ok(t) => t,
        Err(response) => return response,
    };
    let budget = sb.config().limits.tiktok_creator_info_per_minute;
    if let Err(response) = within_budget(&sb, &token_key(&token, "creator_info"), budget) {
        return response;
    }
    let u = tiktok_user(&record.user, &record.client_id, &sb.config().public_base);
    let creator = sb.read(|st| st.tiktok_publishes().creator(&record.user));
    envelope(
        &sb,
        StatusCode::OK,
        json!({
            "creator_avatar_url": u.avatar_url,
            "creator_username": u.username,
            "creator_nickname": u.display_name,
            "privacy_level_options": creator.privacy_options(sb.config().tiktok_unaudited),
            "comment_disabled": creator.comment_disabled,
            // TikTok turns duets and stitches off for private accounts.
            "duet_disabled": creator.duet_disabled || creator.private_account,
            "stitch_disabled": creator.stitch_disabled || creator.private_account,
            "max_video_post_duration_sec": creator
                .max_video_post_duration_sec
                .unwrap_or(DEFAULT_MAX_DURATION_SECS),
        }),
    )
}

// --------------------------------------------------------------- video init

async fn init_video(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sb.hit("tiktok.video_init").await;
    if let Some(response) = fault_response(&sb, fault) {
        return response;
    }
    let (token, record) = match user_token(&sb, &headers, &["video.publish"]) {
        Ok(t) => t,
        Err(response) => return response,
    };
    let budget = sb.config().limits.tiktok_video_init_per_minute;
    if let Err(response) = within_budget(&sb, &token_key(&token, "video_init"), budget) {
        return response;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return invalid_params(&sb, "The request body must be a JSON object.");
    };
    let Some(post_info) = request.get("post_info").filter(|v| v.is_object()) else {
        return invalid_params(&sb, "post_info is required.");
    };
    let Some(privacy) = post_info.get("privacy_level").and_then(Value::as_str) else {
        return invalid_params(&sb, "post_info.privacy_level is required.");
    };
    let title = post_info
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if title.encode_utf16().count() > TITLE_MAX_UTF16 {
        return invalid_params(
            &sb,
            "post_info.title must be at most 2200 UTF-16 code units.",
        );
    }
    let flag = |key: &str| post_info.get(key).and_then(Value::as_bool).unwrap_or(false);
    let now = sb.now();
    let unaudited = sb.config().tiktok_unaudited;
    let limits = &sb.config().limits;
    let (creator, posts_today, other_users) = sb.read(|st| {
        let publishes = st.tiktok_publishes();
        (
            publishes.creator(&record.user),
            publishes.posts_today(&record.user, now),
            publishes.other_active_users(&record.client_id, &record.user, now),
        )
    });
    if unaudited && !creator.private_account {
        return forbidden(
            &sb,
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post to a private account.",
        );
    }
    if unaudited
        && posts_today == 0
        && other_users >= limits.tiktok_unaudited_users_per_day as usize
    {
        return forbidden(
            &sb,
            "reached_active_user_cap",
            "The daily quota for active publishing users from your client is reached.",
        );
    }
    if posts_today >= limits.tiktok_posts_per_user_per_day as usize {
        return forbidden(
            &sb,
            "spam_risk_too_many_posts",
            "The daily post cap from the API is reached for the current user.",
        );
    }
    if !creator.privacy_options(unaudited).contains(&privacy) {
        return forbidden(
            &sb,
            "privacy_level_option_mismatch",
            "privacy_level is not specified or not among the options from the privacy_level_options returned in /publish/creator_info/query/ API.",
        );
    }
    // TikTok's guidelines: branded content cannot be private. The API's
    // answer to it is not documented; the sandbox refuses it.
    if flag("brand_content_toggle") && privacy == "SELF_ONLY" {
        return invalid_params(&sb, "Branded content visibility cannot be set to private.");
    }
    let Some(source_info) = request.get("source_info").filter(|v| v.is_object()) else {
        return invalid_params(&sb, "source_info is required.");
    };
    let number = |key: &str| source_info.get(key).and_then(Value::as_u64);
    let u = tiktok_user(&record.user, &record.client_id, &sb.config().public_base);
    let (publish_id, source, data) = match source_info.get("source").and_then(Value::as_str) {
        Some("FILE_UPLOAD") => {
            let (Some(video_size), Some(chunk_size), Some(count)) = (
                number("video_size"),
                number("chunk_size"),
                number("total_chunk_count"),
            ) else {
                return invalid_params(
                    &sb,
                    "video_size, chunk_size and total_chunk_count are required for FILE_UPLOAD.",
                );
            };
            if let Err(why) = check_chunk_plan(video_size, chunk_size, count) {
                return invalid_params(&sb, &why);
            }
            let publish_id = format!("v_pub_file~v2-1.{}", random_digits(19));
            let upload_id = random_digits(19);
            let upload_token = random_base62(40);
            let upload_url = sb.url(&format!(
                "/open-upload.tiktokapis.com/video/?upload_id={upload_id}&upload_token={upload_token}"
            ));
            let source = Source::FileUpload {
                video_size,
                chunk_size,
                total_chunk_count: count,
                upload_id,
                upload_token,
                upload_expires_at: now + UPLOAD_URL_LIFETIME,
                chunks_received: 0,
            };
            let data = json!({"publish_id": publish_id, "upload_url": upload_url});
            (publish_id, source, data)
        }
        Some("PULL_FROM_URL") => {
            let video_url = source_info
                .get("video_url")
                .and_then(Value::as_str)
                .and_then(|raw| url::Url::parse(raw).ok())
                .filter(|url| matches!(url.scheme(), "http" | "https"));
            let Some(video_url) = video_url else {
                return invalid_params(&sb, "video_url must be an http(s) URL for PULL_FROM_URL.");
            };
            let publish_id = format!("v_pub_url~v2-1.{}", random_digits(19));
            let source = Source::PullFromUrl {
                video_url: video_url.to_string(),
                downloaded_bytes: 0,
            };
            let data = json!({"publish_id": publish_id});
            (publish_id, source, data)
        }
        _ => {
            return invalid_params(
                &sb,
                "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.",
            );
        }
    };
    let pull = match &source {
        Source::PullFromUrl { video_url, .. } => Some(video_url.clone()),
        Source::FileUpload { .. } => None,
    };
    let publish = Publish {
        client_id: record.client_id.clone(),
        user: record.user.clone(),
        open_id: u.open_id,
        username: u.username,
        title,
        // An unaudited client's posts are all private.
        privacy_level: if unaudited { "SELF_ONLY" } else { privacy }.to_owned(),
        created_at: now,
        source,
        received_at: None,
        mp4: false,
        processing_secs: limits.tiktok_processing_secs,
        post_id_secs: limits.tiktok_post_id_secs,
        fail_reason: None,
        completed_at: None,
        post_id: None,
        disable_comment: flag("disable_comment") || creator.comment_disabled,
        disable_duet: flag("disable_duet") || creator.duet_disabled || creator.private_account,
        disable_stitch: flag("disable_stitch")
            || creator.stitch_disabled
            || creator.private_account,
        brand_organic_toggle: flag("brand_organic_toggle"),
        brand_content_toggle: flag("brand_content_toggle"),
    };
    sb.update(|st| {
        st.tiktok_publishes_mut()
            .insert(publish_id.clone(), publish);
    });
    if let Some(url) = pull {
        spawn_pull(sb.clone(), publish_id, url);
    }
    envelope(&sb, StatusCode::OK, data)
}

/// Downloads a `PULL_FROM_URL` video in the background, counting its bytes
/// and looking at its first ones.
fn spawn_pull(sb: Sandbox, publish_id: String, url: String) {
    tokio::spawn(async move {
        let outcome = crate::fetch::download(&sb, &url, PULL_TIMEOUT)
            .await
            .map(|(len, head)| {
                (
                    len,
                    crate::fetch::matches(crate::fetch::Expect::Video, &head),
                )
            })
            .map_err(|e| tracing::debug!(%publish_id, error = ?e, "sandbox: TikTok pull failed"));
        let now = sb.now();
        sb.update(|st| {
            st.tiktok_publishes_mut()
                .downloaded(&publish_id, now, outcome);
        });
    });
}

/// Longest a `PULL_FROM_URL` download may take.
const PULL_TIMEOUT: Duration = Duration::from_secs(120);

// ------------------------------------------------------------ chunk upload

/// Why a chunk was refused (rendered as `invalid_file_upload`).
struct Refusal(&'static str);

async fn upload_chunk(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("tiktok.upload").await;
    if let Some(response) = fault_response(&sb, fault) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    let (Some(upload_id), Some(upload_token)) = (
        params.non_empty("upload_id"),
        params.non_empty("upload_token"),
    ) else {
        return invalid_params(&sb, "upload_id and upload_token are required.");
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if !VIDEO_TYPES.contains(&content_type.as_str()) {
        return api_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "invalid_file_upload",
            "Content-Type must be video/mp4, video/quicktime or video/webm.",
        );
    }
    let Some((first, last, total)) = headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range)
    else {
        return api_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "invalid_file_upload",
            "Content-Range must be bytes {first}-{last}/{total}.",
        );
    };
    let now = sb.now();
    let outcome = sb.update(|st| {
        let publishes = st.tiktok_publishes_mut();
        let publish = publishes
            .by_id
            .values_mut()
            .find(|p| matches!(&p.source, Source::FileUpload { upload_id: id, .. } if id == upload_id))
            .ok_or(Refusal("The upload URL is invalid."))?;
        let Source::FileUpload {
            video_size,
            chunk_size,
            total_chunk_count,
            upload_token: expected_token,
            upload_expires_at,
            chunks_received,
            ..
        } = &mut publish.source
        else {
            return Err(Refusal("The upload URL is invalid."));
        };
        if expected_token != upload_token {
            return Err(Refusal("The upload URL is invalid."));
        }
        if now >= *upload_expires_at {
            return Err(Refusal("The upload URL has expired."));
        }
        if total != *video_size {
            return Err(Refusal("The total in Content-Range must equal video_size."));
        }
        if first % *chunk_size != 0 || first / *chunk_size >= *total_chunk_count {
            return Err(Refusal("Content-Range does not start at a chunk boundary."));
        }
        let index = first / *chunk_size;
        let is_final = index + 1 == *total_chunk_count;
        let expected_last = if is_final {
            *video_size - 1
        } else {
            first + *chunk_size - 1
        };
        if last != expected_last {
            return Err(Refusal("Content-Range does not cover exactly one chunk."));
        }
        if body.len() as u64 != last - first + 1 {
            return Err(Refusal("The body length does not match Content-Range."));
        }
        let status = if is_final {
            StatusCode::CREATED
        } else {
            StatusCode::PARTIAL_CONTENT
        };
        // A chunk sent again is answered as the first time, not counted.
        if index < *chunks_received {
            return Ok(status);
        }
        if index > *chunks_received {
            return Err(Refusal("Chunks must be uploaded in order."));
        }
        *chunks_received += 1;
        if index == 0 {
            publish.mp4 = body.get(4..8) == Some(b"ftyp".as_slice());
        }
        if is_final {
            publish.received_at = Some(now);
        }
        Ok(status)
    });
    match outcome {
        Ok(status) => envelope(&sb, status, json!({})),
        Err(Refusal(message)) => {
            api_error(&sb, StatusCode::BAD_REQUEST, "invalid_file_upload", message)
        }
    }
}

/// `bytes {first}-{last}/{total}` with `first <= last < total`.
fn parse_content_range(raw: &str) -> Option<(u64, u64, u64)> {
    let rest = raw.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last, total): (u64, u64, u64) = (
        first.trim().parse().ok()?,
        last.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (first <= last && last < total).then_some((first, last, total))
}

// ------------------------------------------------------------------ status

async fn fetch_status(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sb.hit("tiktok.status").await;
    if let Some(response) = fault_response(&sb, fault) {
        return response;
    }
    let (token, record) = match user_token(&sb, &headers, &["video.publish", "video.upload"]) {
        Ok(t) => t,
        Err(response) => return response,
    };
    let budget = sb.config().limits.tiktok_status_per_minute;
    if let Err(response) = within_budget(&sb, &token_key(&token, "status"), budget) {
        return response;
    }
    let publish_id = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("publish_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let Some(publish_id) = publish_id else {
        return invalid_params(&sb, "publish_id is required.");
    };
    let now = sb.now();
    let data = sb.update(|st| {
        settle(st, now);
        st.tiktok_publishes()
            .by_id
            .get(&publish_id)
            .filter(|p| p.user == record.user && p.client_id == record.client_id)
            .map(|p| p.status_json(now))
    });
    match data {
        Some(data) => envelope(&sb, StatusCode::OK, data),
        None => invalid_params(&sb, "publish_id does not exist."),
    }
}

// -------------------------------------------------------------- video list

async fn list_videos(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("tiktok.video_list").await;
    if let Some(response) = fault_response(&sb, fault) {
        return response;
    }
    let app = sb.config().tiktok.client_id.clone();
    let budget = sb.config().limits.tiktok_video_list_per_minute;
    if let Err(response) = within_budget(&sb, &format!("tiktok:{app}:video_list"), budget) {
        return response;
    }
    let (_, record) = match user_token(&sb, &headers, &["video.list"]) {
        Ok(t) => t,
        Err(response) => return response,
    };
    let fields = match crate::tiktok_insights::video_fields(&sb, query.as_deref()) {
        Ok(f) => f,
        Err(response) => return response,
    };
    let request = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) if v.is_object() => v,
            _ => return invalid_params(&sb, "The request body must be a JSON object."),
        }
    };
    let max_count = match request.get("max_count") {
        None => 20,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=20) => n as usize,
            _ => return invalid_params(&sb, "max_count must be between 1 and 20."),
        },
    };
    let cursor = match request.get("cursor") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(c) if c >= 0 => Some(c),
            _ => return invalid_params(&sb, "cursor must be a timestamp in milliseconds."),
        },
    };
    let now = sb.now();
    let figures = sb.update(|st| {
        settle(st, now);
        crate::tiktok_insights::figures(&sb, st, &record.user, now)
    });
    // Newest first; a cursor continues below the last page's oldest video.
    let mut videos: Vec<&crate::tiktok_insights::TikTokVideo> = figures
        .videos
        .iter()
        .filter(|v| cursor.is_none_or(|c| v.create_time.as_millisecond() < c))
        .collect();
    let has_more = videos.len() > max_count;
    videos.truncate(max_count);
    let next_cursor = videos
        .last()
        .map(|v| v.create_time.as_millisecond())
        .or(cursor)
        .unwrap_or(0);
    let videos: Vec<Value> = videos
        .iter()
        .map(|v| crate::tiktok_insights::video_json(&sb, v, &fields))
        .collect();
    envelope(
        &sb,
        StatusCode::OK,
        json!({"videos": videos, "cursor": next_cursor, "has_more": has_more}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_plans_follow_the_documented_rules() {
        // Under 5 MiB: one chunk of exactly the file.
        assert!(check_chunk_plan(1_000, 1_000, 1).is_ok());
        assert!(check_chunk_plan(1_000, 5 * MIB, 1).is_err());
        // The documented example.
        assert!(check_chunk_plan(50_000_123, 10_000_000, 5).is_ok());
        assert!(check_chunk_plan(50_000_123, 10_000_000, 6).is_err());
        // Chunk size bounds.
        assert!(check_chunk_plan(100 * MIB, 4 * MIB, 25).is_err());
        assert!(check_chunk_plan(200 * MIB, 65 * MIB, 3).is_err());
        // Over 64 MiB needs two chunks at least; the final one ≤ 128 MiB.
        assert!(check_chunk_plan(100 * MIB, 64 * MIB, 1).is_err());
        assert!(check_chunk_plan(100 * MIB, 50 * MIB, 2).is_ok());
        // 1000 chunks at most.
        assert!(check_chunk_plan(5_010 * MIB, 5 * MIB, 1002).is_err());
    }

    #[test]
    fn content_ranges_are_inclusive() {
        assert_eq!(parse_content_range("bytes 0-9/10"), Some((0, 9, 10)));
        assert_eq!(parse_content_range("bytes 5-4/10"), None);
        assert_eq!(parse_content_range("bytes 0-10/10"), None);
        assert_eq!(parse_content_range("bytes */10"), None);
    }
}
