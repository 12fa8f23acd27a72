//! TikTok direct posts of one video with the Content Posting API
//! (`FILE_UPLOAD`), as a resumable [`Publisher`].
//!
//! The steps: `creator_info/query/` (which privacy levels the creator
//! offers right now — the person's choice must be among them, there is no
//! default — which interactions the creator switched off, the longest
//! video), `video/init/` with the chosen privacy, interactions and
//! commercial-content disclosure and a chunk plan that follows TikTok's
//! rules ([`chunk_plan`]), one chunk `PUT` per step, then `status/fetch/`
//! until `PUBLISH_COMPLETE`, backing off from 5 s to a minute and giving
//! up after [`PROCESSING_LIMIT`]. The post id (`publicaly_available_post_id`,
//! sic) comes only after moderation: the step waits a minute for it, then
//! publishes with the `publish_id` and marks the id pending
//! ([`super::POST_ID_PENDING`]); [`Publisher::find_post_id`] looks for it
//! later.
//!
//! What TikTok refuses is said precisely ([`HINTS`]): an unaudited app
//! posts only to private accounts and for at most five users a day
//! (`unaudited_client_can_only_post_to_private_accounts`,
//! `reached_active_user_cap`), and every account has a daily cap of API
//! posts (`spam_risk_too_many_posts`). The caps lift by themselves, so
//! they postpone the post ([`ErrorKind::Postponed`]) by TikTok's 24-hour
//! window instead of failing it. Titles count UTF-16 code units, as
//! TikTok does.
//!
//! Why this never posts twice: TikTok publishes a `publish_id` only once
//! all its bytes arrived, so an init whose answer was lost leaves an orphan
//! that never posts, and re-initialising is safe — as long as the final
//! chunk cannot have landed. Before the final chunk the progress gets an
//! intent marker (`final_sent_at`); from then on the adapter asks
//! `status/fetch/` where the upload stands before sending anything, and
//! only starts over when TikTok says bytes are still missing (an expired
//! upload URL can then never complete) or the publish `FAILED` with a
//! retryable reason (when it gives no `uploaded_bytes`, only a final chunk
//! never sent counts as proof). Chunk `PUT`s carry explicit ranges and are
//! treated as idempotent: TikTok (and the sandbox) answer a chunk sent
//! again as the first time, so the client may retry one whose answer broke.
//!
//! The upload URL carries an upload token; it stays in the progress only
//! while the upload runs.

use async_trait::async_trait;
use herald_core::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use super::upload::{
    FINAL_SENT, OFFSET, OneVideo, content_range, final_intent, read_chunk, the_video,
    upload_url_allowed,
};
use super::{
    MediaItem, MediaSource, POST_ID_PENDING, PostIdLookup, PostingOptions, Progress,
    PublishRequest, Published, Publisher, Step, with,
};
use crate::client::{Call, Method, PlatformClient};
use crate::tiktok::TikTokDialect;
use crate::{AccountKind, ErrorKind, Hint, Hosts, PlatformError, ProviderId, Secret};

/// Hint codes of TikTok publishing; see [`crate::HINT_CODES`].
pub const HINTS: &[&str] = &[
    // The app is unaudited and the account is public.
    "tiktok_account_must_be_private",
    // An unaudited app's five users of the day have posted (postponed).
    "tiktok_active_user_cap",
    // The account's daily cap of API posts is reached (postponed).
    "tiktok_daily_post_cap",
    "tiktok_user_banned",
    "tiktok_privacy_required",
    // `privacy`, and `offered` when known.
    "tiktok_privacy_not_offered",
    "tiktok_branded_content_private",
    // `max_seconds`.
    "tiktok_video_too_long",
    // `limit`, `actual` (UTF-16 code units).
    "tiktok_caption_too_long",
    // `minutes`: how long Herald waited for TikTok's processing.
    "tiktok_processing_timeout",
];

const P: ProviderId = ProviderId::TikTok;
const MIB: u64 = 1024 * 1024;
const MIN_CHUNK: u64 = 5 * MIB;
const MAX_CHUNK: u64 = 64 * MIB;
const MAX_CHUNKS: u64 = 1000;
/// TikTok's limit on `title`, "2200 in UTF-16 runes".
pub const TITLE_MAX_UTF16: usize = 2200;
/// Chunk size unless [`TikTokPublisher::with_chunk_size`] says otherwise.
pub const DEFAULT_CHUNK_SIZE: u64 = 10 * MIB;
/// Upload URLs live about an hour; stop trusting one a little earlier.
const UPLOAD_URL_USE: SignedDuration = SignedDuration::from_mins(55);
/// Fresh starts after a retryable failure or a dead upload URL.
const MAX_RESTARTS: u64 = 3;
/// How long to wait for the post id after `PUBLISH_COMPLETE` before
/// publishing with the `publish_id` (moderation "usually" takes under a
/// minute).
const POST_ID_PATIENCE: SignedDuration = SignedDuration::from_mins(1);
const POST_ID_POLL: SignedDuration = SignedDuration::from_secs(15);
/// How long Herald polls a video in processing after its last byte before
/// it says it could not confirm the post: TikTok's guide names 30 s for
/// 512 MB and "more than 2 minutes" for 4 GB.
pub const PROCESSING_LIMIT: SignedDuration = SignedDuration::from_hours(1);
/// Creator info older than this is read again before an init: the
/// account's privacy and settings may have changed meanwhile (a postponed
/// post, a retry hours later).
const CREATOR_INFO_FRESH: SignedDuration = SignedDuration::from_mins(15);
/// TikTok's caps (users per app, posts per account) count a rolling 24
/// hours; a post refused now is sure to fit once that window has passed.
pub const CAP_WINDOW: SignedDuration = SignedDuration::from_hours(24);
const VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime", "video/webm"];

/// The one video of a TikTok post, and the words for what is refused.
const ONE_VIDEO: OneVideo = OneVideo {
    provider: P,
    kind: AccountKind::TikTokUser,
    wrong_account: "TikTok publishing needs a TikTok account",
    not_video: "TikTok direct posts are videos",
    not_one_video: "a TikTok post needs exactly one video",
};

// Progress keys (and `offset`, `final_sent_at` from the upload module).
const PRIVACY: &str = "privacy";
const USERNAME: &str = "username";
const PUBLISH_ID: &str = "publish_id";
const UPLOAD_URL: &str = "upload_url";
const UPLOAD_UNTIL: &str = "upload_url_until";
const CHUNK_SIZE: &str = "chunk_size";
const CHUNKS: &str = "chunks";
const UPLOADED: &str = "uploaded_at";
const COMPLETE: &str = "complete_at";
const POLLS: &str = "polls";
const RESTARTS: &str = "restarts";
const POST_ID: &str = "post_id";
/// When the creator info was read (unix seconds).
const CHECKED_AT: &str = "creator_checked_at";
/// The interactions the creator switched off (`comment,duet,stitch`).
const INTERACTIONS_OFF: &str = "interactions_off";
/// The privacy levels the creator offered (`A, B, C`).
const PRIVACY_OPTIONS: &str = "privacy_options";
/// A postponement decided in a step that had to change the progress
/// first (a publish that failed on the daily cap): until when (unix
/// seconds), and the hint code of why.
const WAIT_UNTIL: &str = "postponed_until";
const WAIT_REASON: &str = "postponed_reason";

/// The chunk size and count TikTok accepts for a file of `size` bytes,
/// using chunks of about `preferred` bytes: one chunk of exactly the file
/// under 5 MiB; otherwise 5–64 MiB chunks, `count = floor(size / chunk)`
/// (the last chunk absorbs the remainder, so it stays under 128 MiB), at
/// least two chunks above 64 MiB and at most 1000. None when the file is
/// too large for any plan.
pub fn chunk_plan(size: u64, preferred: u64) -> Option<(u64, u64)> {
    if size == 0 {
        return None;
    }
    if size < MIN_CHUNK {
        return Some((size, 1));
    }
    let mut chunk = preferred
        .clamp(MIN_CHUNK, MAX_CHUNK)
        .max(size.div_ceil(MAX_CHUNKS))
        .min(size);
    if size > MAX_CHUNK {
        chunk = chunk.min(size / 2);
    }
    if chunk > MAX_CHUNK {
        return None;
    }
    let count = size / chunk;
    (1..=MAX_CHUNKS).contains(&count).then_some((chunk, count))
}

/// Publishes videos to TikTok accounts (`tiktok_user`).
pub struct TikTokPublisher {
    hosts: Hosts,
    client: PlatformClient,
    chunk_size: u64,
}

impl TikTokPublisher {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        TikTokPublisher {
            hosts,
            client,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Uploads in chunks of about `bytes` (kept within 5–64 MiB; files
    /// under 5 MiB always go up whole).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.clamp(MIN_CHUNK, MAX_CHUNK);
        self
    }

    fn api(&self, path: &str) -> String {
        self.hosts.url("open.tiktokapis.com", path)
    }

    fn now(&self) -> Timestamp {
        self.client.clock().now()
    }

    /// TikTok's creator info for the token's account.
    async fn query_creator_info(&self, token: &Secret) -> Result<CreatorInfo, PlatformError> {
        let call = Call::new(
            P,
            "tiktok.creator_info",
            Method::Post,
            self.api("/v2/post/publish/creator_info/query/"),
        )
        .header("Content-Type", "application/json; charset=UTF-8")
        .bearer(token)
        .idempotent(true);
        let reply = self
            .client
            .send(&call, &TikTokDialect)
            .await
            .map_err(|e| refine(e, &Progress::new(), self.now()))?;
        data(reply.json(P)?)
    }

    /// Reads the creator info and checks the post against it: the
    /// person's privacy choice must be offered, the video short enough.
    async fn creator_info(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let info = self.query_creator_info(&request.access_token).await?;
        let options = &info.privacy_level_options;
        let Some(wanted) = request.privacy.as_deref().filter(|p| !p.is_empty()) else {
            // TikTok's guidelines: no default, the person picks.
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                "choose who can see the TikTok post; TikTok allows no default",
            )
            .with_hint(Hint::new(
                "tiktok_privacy_required",
                [("offered", options.join(", "))],
            )));
        };
        if !options.iter().any(|o| o == wanted) {
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                format!(
                    "this creator cannot post with privacy {wanted}; offered: {}",
                    options.join(", ")
                ),
            )
            .with_code("privacy_level_option_mismatch")
            .with_hint(Hint::new(
                "tiktok_privacy_not_offered",
                [
                    ("privacy", wanted.to_owned()),
                    ("offered", options.join(", ")),
                ],
            )));
        }
        if request.settings.branded_content && wanted == "SELF_ONLY" {
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                "branded content cannot be posted privately (SELF_ONLY)",
            )
            .with_hint(Hint::new("tiktok_branded_content_private", [])));
        }
        if let (Some(max), Some(ms)) = (info.max_video_post_duration_sec, item.duration_ms)
            && ms > max * 1000
        {
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                format!("the video is longer than this creator may post ({max} s)"),
            )
            .with_code("duration_check_failed")
            .with_hint(Hint::new(
                "tiktok_video_too_long",
                [("max_seconds", max.to_string())],
            )));
        }
        let off: Vec<&str> = [
            (info.comment_disabled, "comment"),
            (info.duet_disabled, "duet"),
            (info.stitch_disabled, "stitch"),
        ]
        .into_iter()
        .filter_map(|(disabled, name)| disabled.then_some(name))
        .collect();
        let mut next = progress.clone();
        next.insert(PRIVACY.into(), wanted.to_owned());
        next.insert(USERNAME.into(), info.creator_username.unwrap_or_default());
        next.insert(CHECKED_AT.into(), self.now().as_second().to_string());
        next.insert(INTERACTIONS_OFF.into(), off.join(","));
        next.insert(PRIVACY_OPTIONS.into(), options.join(", "));
        Ok(Step::Continue(next))
    }

    async fn init(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let units = request.caption.encode_utf16().count();
        if units > TITLE_MAX_UTF16 {
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                format!("TikTok captions are limited to {TITLE_MAX_UTF16} UTF-16 code units"),
            )
            .with_hint(Hint::new(
                "tiktok_caption_too_long",
                [
                    ("limit", TITLE_MAX_UTF16.to_string()),
                    ("actual", units.to_string()),
                ],
            )));
        }
        let Some((chunk_size, chunks)) = chunk_plan(item.size, self.chunk_size) else {
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                "the video is too large for TikTok's chunked upload",
            ));
        };
        let off = progress.get(INTERACTIONS_OFF).map_or("", String::as_str);
        let off = |name: &str| off.split(',').any(|o| o == name);
        let settings = request.settings;
        // An interaction the creator switched off stays off; the others
        // are on only when the person turned them on.
        let mut post_info = json!({
            "title": request.caption,
            "privacy_level": progress[PRIVACY],
            "disable_comment": !settings.allow_comments || off("comment"),
            "disable_duet": !settings.allow_duets || off("duet"),
            "disable_stitch": !settings.allow_stitches || off("stitch"),
            "brand_organic_toggle": settings.promotes_own_brand,
            "brand_content_toggle": settings.branded_content,
        });
        if let Some(ms) = request.cover_offset_ms {
            post_info["video_cover_timestamp_ms"] = json!(ms);
        }
        // Not idempotent: a lost answer leaves an orphan publish_id that
        // never gets bytes, so the next step simply initialises again.
        let call = Call::new(
            P,
            "tiktok.video_init",
            Method::Post,
            self.api("/v2/post/publish/video/init/"),
        )
        .bearer(&request.access_token)
        .json(json!({
            "post_info": post_info,
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": item.size,
                "chunk_size": chunk_size,
                "total_chunk_count": chunks,
            },
        }));
        let reply = self
            .client
            .send(&call, &TikTokDialect)
            .await
            .map_err(|e| refine(e, progress, self.now()))?;
        let init: InitData = data(reply.json(P)?)?;
        let upload_url = init
            .upload_url
            .ok_or_else(|| PlatformError::unexpected(P, "no upload_url for FILE_UPLOAD"))?;
        self.check_upload_url(&upload_url)?;
        let mut next = clear_upload(progress);
        next.insert(PUBLISH_ID.into(), init.publish_id);
        next.insert(UPLOAD_URL.into(), upload_url);
        next.insert(
            UPLOAD_UNTIL.into(),
            (self.now() + UPLOAD_URL_USE).as_second().to_string(),
        );
        next.insert(CHUNK_SIZE.into(), chunk_size.to_string());
        next.insert(CHUNKS.into(), chunks.to_string());
        next.insert(OFFSET.into(), "0".into());
        Ok(Step::Continue(next))
    }

    /// Video bytes only go to TikTok's upload hosts (or the sandbox).
    fn check_upload_url(&self, url: &str) -> Result<(), PlatformError> {
        let ok = upload_url_allowed(&self.hosts, url, |h| {
            h == "tiktokapis.com" || h.ends_with(".tiktokapis.com")
        });
        if ok {
            Ok(())
        } else {
            Err(PlatformError::unexpected(
                P,
                "upload_url on an unexpected host",
            ))
        }
    }

    async fn upload(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        media: &dyn MediaSource,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let size = item.size;
        let chunk_size = number(progress, CHUNK_SIZE)?;
        let chunks = number(progress, CHUNKS)?;
        let mut offset = number(progress, OFFSET)?;
        let now = self.now();
        let expired = now.as_second() >= number(progress, UPLOAD_UNTIL)? as i64;
        let final_tried = progress.contains_key(FINAL_SENT);
        if final_tried || expired {
            // The final chunk may have landed, or the URL is dead: ask
            // TikTok before sending anything.
            let status = self.status(&request.access_token, progress).await?;
            if status.status == "FAILED" {
                return self.failed(progress, &status);
            }
            match bytes_missing(&status, size) {
                Some(false) => return Ok(Step::Continue(uploaded(progress, now))),
                // Bytes are missing and the URL is dead: this publish can
                // never complete, so a fresh one is safe.
                Some(true) if expired => return self.start_over(progress, None),
                Some(true) => {
                    let have = status.uploaded_bytes.unwrap_or(0);
                    if have % chunk_size == 0 && have / chunk_size < chunks {
                        offset = have;
                    }
                }
                // No byte count: only a final chunk never sent proves the
                // upload unfinished (here the URL is dead).
                None if !final_tried => return self.start_over(progress, None),
                // Cannot tell, and the URL is dead: never risk a second
                // post; wait for the outcome instead.
                None if expired => return Ok(Step::Continue(uploaded(progress, now))),
                // Cannot tell: send the final chunk again (idempotent).
                None => {}
            }
        }
        if offset % chunk_size != 0 || offset / chunk_size >= chunks {
            return Err(PlatformError::unexpected(
                P,
                "saved upload offset is not a chunk boundary",
            ));
        }
        let is_final = offset / chunk_size + 1 == chunks;
        if is_final && !progress.contains_key(FINAL_SENT) {
            return Ok(final_intent(progress, offset, now));
        }
        let end = if is_final { size } else { offset + chunk_size };
        let bytes = read_chunk(P, media, item, offset, end - offset).await?;
        let mime = if VIDEO_TYPES.contains(&item.mime.as_str()) {
            item.mime.as_str()
        } else {
            "video/mp4"
        };
        // The token travels in the URL's query (redacted in logs).
        let call = Call::new(P, "tiktok.upload", Method::Put, &progress[UPLOAD_URL])
            .header("Content-Range", content_range(offset, end, size))
            .bytes(mime, bytes)
            .idempotent(true);
        match self.client.send(&call, &TikTokDialect).await {
            Ok(_) if is_final => Ok(Step::Continue(uploaded(progress, now))),
            Ok(_) => Ok(Step::Continue(with(progress, OFFSET, end.to_string()))),
            Err(e) if e.kind == ErrorKind::BadRequest => {
                // TikTok disagrees about the range (a lost answer, an
                // expired URL): resume from where it stands.
                let status = self.status(&request.access_token, progress).await?;
                if status.status == "FAILED" {
                    return self.failed(progress, &status);
                }
                let have = status.uploaded_bytes.unwrap_or(0);
                match bytes_missing(&status, size) {
                    Some(false) => Ok(Step::Continue(uploaded(progress, now))),
                    Some(true) if have != offset && have % chunk_size == 0 => {
                        Ok(Step::Continue(with(progress, OFFSET, have.to_string())))
                    }
                    // Known incomplete: abandoning this publish is safe.
                    Some(true) => self.start_over(progress, Some(e)),
                    None if !final_tried => self.start_over(progress, Some(e)),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn poll(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let now = self.now();
        let status = self.status(&request.access_token, progress).await?;
        match status.status.as_str() {
            "PUBLISH_COMPLETE" => {
                if let Some(id) = status.post_ids().into_iter().next() {
                    let permalink = permalink(progress, &id);
                    let mut warnings = Vec::new();
                    if permalink.is_none() {
                        warnings.push("TikTok did not tell the creator's username, so there is no link to the post".to_owned());
                    }
                    return Ok(Step::Done(Published {
                        remote_id: id.clone(),
                        permalink,
                        progress: with(progress, POST_ID, id),
                        warnings,
                    }));
                }
                let since = match progress.get(COMPLETE).and_then(|s| s.parse::<i64>().ok()) {
                    Some(s) => Timestamp::from_second(s).unwrap_or(now),
                    None => now,
                };
                if now >= since + POST_ID_PATIENCE {
                    // Published; its id comes after moderation, which may
                    // take hours: a backfill looks for it.
                    return Ok(Step::Done(Published {
                        remote_id: progress[PUBLISH_ID].clone(),
                        permalink: None,
                        progress: with(progress, POST_ID_PENDING, since.as_second().to_string()),
                        warnings: vec![
                            "TikTok published the video but has not made it public yet (moderation), so there is no link to it yet; Herald keeps looking for it".to_owned(),
                        ],
                    }));
                }
                Ok(Step::Wait {
                    progress: with(progress, COMPLETE, since.as_second().to_string()),
                    at: now + POST_ID_POLL,
                })
            }
            "SEND_TO_USER_INBOX" => Ok(Step::Done(Published {
                remote_id: progress[PUBLISH_ID].clone(),
                permalink: None,
                progress: progress.clone(),
                warnings: vec![
                    "TikTok sent the video to the creator's inbox to finish in the app".to_owned(),
                ],
            })),
            "FAILED" => self.failed(progress, &status),
            "PROCESSING_UPLOAD" if bytes_missing(&status, item.size) == Some(true) => {
                // Bytes are missing after all: this publish can never
                // complete, so a fresh one is safe.
                self.start_over(progress, None)
            }
            _ => {
                let polls = progress
                    .get(POLLS)
                    .and_then(|p| p.parse::<u32>().ok())
                    .unwrap_or(0)
                    + 1;
                let since = number(progress, UPLOADED)
                    .ok()
                    .and_then(|s| Timestamp::from_second(s as i64).ok())
                    .unwrap_or(now);
                if now >= since + PROCESSING_LIMIT {
                    // Every byte is in, so TikTok may still publish it:
                    // not confirmed either way. A retry polls again from
                    // the saved publish and never uploads twice.
                    let minutes = PROCESSING_LIMIT.as_mins();
                    return Err(PlatformError::new(
                        P,
                        ErrorKind::OutcomeUnknown,
                        format!("TikTok was still processing the video after {minutes} minutes"),
                    )
                    .with_hint(Hint::new(
                        "tiktok_processing_timeout",
                        [("minutes", minutes.to_string())],
                    )));
                }
                Ok(Step::Wait {
                    progress: with(progress, POLLS, polls.to_string()),
                    at: now + poll_interval(polls),
                })
            }
        }
    }

    async fn status(
        &self,
        token: &Secret,
        progress: &Progress,
    ) -> Result<StatusData, PlatformError> {
        let publish_id = progress.get(PUBLISH_ID).ok_or_else(|| {
            PlatformError::new(P, ErrorKind::BadRequest, "saved progress lacks publish_id")
        })?;
        let call = Call::new(
            P,
            "tiktok.status",
            Method::Post,
            self.api("/v2/post/publish/status/fetch/"),
        )
        .bearer(token)
        .json(json!({"publish_id": publish_id}))
        .idempotent(true);
        data(self.client.send(&call, &TikTokDialect).await?.json(P)?)
    }

    /// A `FAILED` publish: retryable reasons start over, the daily cap
    /// starts over once it has lifted, others end here.
    fn failed(&self, progress: &Progress, status: &StatusData) -> Result<Step, PlatformError> {
        let reason = status.fail_reason.clone().unwrap_or_default();
        let error = |kind: ErrorKind| {
            PlatformError::new(
                P,
                kind,
                format!("TikTok did not publish the video: {reason}"),
            )
            .with_code(reason.clone())
        };
        match reason.as_str() {
            "internal" | "video_pull_failed" => {
                self.start_over(progress, Some(error(ErrorKind::Unavailable)))
            }
            "spam_risk_too_many_posts" => {
                // This publish is dead; a fresh one fits once the day's
                // window has passed. The next step says so.
                let mut next = clear_upload(progress);
                next.remove(PUBLISH_ID);
                next.insert(
                    WAIT_UNTIL.into(),
                    (self.now() + CAP_WINDOW).as_second().to_string(),
                );
                next.insert(WAIT_REASON.into(), "tiktok_daily_post_cap".into());
                Ok(Step::Continue(next))
            }
            "auth_removed" => Err(error(ErrorKind::Reconnect)),
            _ => Err(error(ErrorKind::BadRequest)),
        }
    }

    /// Forgets the publish (it can never complete) and begins a new one;
    /// after [`MAX_RESTARTS`] gives up with `error`.
    fn start_over(
        &self,
        progress: &Progress,
        error: Option<PlatformError>,
    ) -> Result<Step, PlatformError> {
        let restarts = progress
            .get(RESTARTS)
            .and_then(|r| r.parse::<u64>().ok())
            .unwrap_or(0);
        if restarts >= MAX_RESTARTS {
            return Err(error.unwrap_or_else(|| {
                PlatformError::new(P, ErrorKind::Unavailable, "TikTok uploads keep failing")
            }));
        }
        let mut next = clear_upload(progress);
        next.remove(PUBLISH_ID);
        next.insert(RESTARTS.into(), (restarts + 1).to_string());
        Ok(Step::Continue(next))
    }

    /// A postponement saved in the progress: still waiting (the error to
    /// return), or over (the progress without it).
    fn saved_postponement(&self, progress: &Progress) -> Option<Result<Step, PlatformError>> {
        let until = progress.get(WAIT_UNTIL)?;
        let until = until
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .unwrap_or_else(|| self.now());
        if self.now() >= until {
            let mut next = progress.clone();
            next.remove(WAIT_UNTIL);
            next.remove(WAIT_REASON);
            // Read the creator info again: a day has passed.
            next.remove(CHECKED_AT);
            return Some(Ok(Step::Continue(next)));
        }
        let reason = progress
            .get(WAIT_REASON)
            .map_or("tiktok_daily_post_cap", String::as_str);
        Some(Err(postponed(
            reason,
            until,
            "TikTok refused more posts from this account today",
        )))
    }

    /// Whether the saved creator info is too old to post with.
    fn creator_info_stale(&self, progress: &Progress) -> bool {
        match progress
            .get(CHECKED_AT)
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| Timestamp::from_second(s).ok())
        {
            Some(at) => self.now() >= at + CREATOR_INFO_FRESH,
            None => true,
        }
    }
}

#[async_trait]
impl Publisher for TikTokPublisher {
    fn provider(&self) -> ProviderId {
        P
    }

    async fn step(
        &self,
        request: &PublishRequest,
        media: &dyn MediaSource,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let item = the_video(request, &ONE_VIDEO)?;
        if let Some(outcome) = self.saved_postponement(progress) {
            return outcome;
        }
        if !progress.contains_key(PUBLISH_ID) {
            if !progress.contains_key(PRIVACY) || self.creator_info_stale(progress) {
                self.creator_info(request, item, progress).await
            } else {
                self.init(request, item, progress).await
            }
        } else if !progress.contains_key(UPLOADED) {
            self.upload(request, item, media, progress).await
        } else {
            self.poll(request, item, progress).await
        }
    }

    async fn posting_options(
        &self,
        kind: AccountKind,
        access_token: &Secret,
    ) -> Result<Option<PostingOptions>, PlatformError> {
        if kind != AccountKind::TikTokUser {
            return Ok(None);
        }
        let info = self.query_creator_info(access_token).await?;
        Ok(Some(PostingOptions {
            username: info.creator_username,
            nickname: info.creator_nickname,
            avatar_url: info.creator_avatar_url,
            privacy_options: info.privacy_level_options,
            comment_disabled: info.comment_disabled,
            duet_disabled: info.duet_disabled,
            stitch_disabled: info.stitch_disabled,
            max_video_duration_secs: info.max_video_post_duration_sec,
        }))
    }

    async fn find_post_id(
        &self,
        access_token: &Secret,
        progress: &Progress,
    ) -> Result<PostIdLookup, PlatformError> {
        let status = match self.status(access_token, progress).await {
            Ok(status) => status,
            // TikTok no longer knows the publish (it keeps them for a
            // limited time): the id will not come.
            Err(e) if e.kind == ErrorKind::BadRequest => {
                return Ok(PostIdLookup::Gone {
                    reason: e.code.unwrap_or(e.message),
                });
            }
            Err(e) => return Err(e),
        };
        Ok(match status.status.as_str() {
            "PUBLISH_COMPLETE" => match status.post_ids().into_iter().next() {
                Some(id) => PostIdLookup::Found {
                    permalink: permalink(progress, &id),
                    remote_id: id,
                },
                None => PostIdLookup::Pending,
            },
            "FAILED" => PostIdLookup::Gone {
                reason: status.fail_reason.unwrap_or_else(|| "failed".to_owned()),
            },
            _ => PostIdLookup::Pending,
        })
    }
}

/// TikTok's link to post `id` of the saved creator, when its username is
/// known.
fn permalink(progress: &Progress, id: &str) -> Option<String> {
    progress
        .get(USERNAME)
        .filter(|u| !u.is_empty())
        .map(|u| format!("https://www.tiktok.com/@{u}/video/{id}"))
}

/// A postponement with hint `code` until `until`.
fn postponed(code: &str, until: Timestamp, message: &str) -> PlatformError {
    PlatformError::new(P, ErrorKind::Postponed { until }, message).with_hint(Hint::new(code, []))
}

/// What TikTok's posting codes mean for the person: an unaudited app's
/// rules, the caps that lift by themselves (postponed by TikTok's 24-hour
/// window), a ban, a privacy level not offered (named from `progress`).
/// Other errors pass unchanged.
fn refine(error: PlatformError, progress: &Progress, now: Timestamp) -> PlatformError {
    let hint = |code: &str| Hint::new(code, []);
    match error.code.as_deref() {
        Some("unaudited_client_can_only_post_to_private_accounts") => PlatformError {
            kind: ErrorKind::BadRequest,
            ..error
        }
        .with_hint(hint("tiktok_account_must_be_private")),
        Some("reached_active_user_cap") => PlatformError {
            kind: ErrorKind::Postponed {
                until: now + CAP_WINDOW,
            },
            ..error
        }
        .with_hint(hint("tiktok_active_user_cap")),
        Some("spam_risk_too_many_posts") => PlatformError {
            kind: ErrorKind::Postponed {
                until: now + CAP_WINDOW,
            },
            ..error
        }
        .with_hint(hint("tiktok_daily_post_cap")),
        Some("spam_risk_user_banned_from_posting") => PlatformError {
            kind: ErrorKind::BadRequest,
            ..error
        }
        .with_hint(hint("tiktok_user_banned")),
        Some("privacy_level_option_mismatch") => {
            let saved = |key: &str| progress.get(key).cloned().unwrap_or_default();
            PlatformError {
                kind: ErrorKind::BadRequest,
                ..error
            }
            .with_hint(Hint::new(
                "tiktok_privacy_not_offered",
                [
                    ("privacy", saved(PRIVACY)),
                    ("offered", saved(PRIVACY_OPTIONS)),
                ],
            ))
        }
        _ => error,
    }
}

/// 5 s, doubling to a minute (status/fetch allows 30 calls per minute
/// and token).
fn poll_interval(polls: u32) -> SignedDuration {
    let secs = 5u64.saturating_mul(1 << polls.saturating_sub(1).min(4));
    SignedDuration::from_secs(secs.min(60) as i64)
}

/// Whether TikTok still lacks bytes of the upload: `Some(true)` when it
/// says so, `Some(false)` when every byte is in (or it moved past
/// uploading), None when it does not say (no `uploaded_bytes`).
fn bytes_missing(status: &StatusData, size: u64) -> Option<bool> {
    if status.status != "PROCESSING_UPLOAD" {
        return Some(false);
    }
    status.uploaded_bytes.map(|have| have < size)
}

/// The progress with everything about the current publish's upload gone.
fn clear_upload(progress: &Progress) -> Progress {
    let mut next = progress.clone();
    for key in [
        UPLOAD_URL,
        UPLOAD_UNTIL,
        CHUNK_SIZE,
        CHUNKS,
        OFFSET,
        FINAL_SENT,
        UPLOADED,
        COMPLETE,
        POLLS,
    ] {
        next.remove(key);
    }
    next
}

/// Every byte is in: the upload URL (and its token) is no longer needed.
fn uploaded(progress: &Progress, now: Timestamp) -> Progress {
    let mut next = progress.clone();
    next.remove(UPLOAD_URL);
    next.remove(FINAL_SENT);
    next.insert(UPLOADED.into(), now.as_second().to_string());
    next.insert(POLLS.into(), "0".into());
    next
}

fn number(progress: &Progress, key: &str) -> Result<u64, PlatformError> {
    progress
        .get(key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            PlatformError::new(
                P,
                ErrorKind::BadRequest,
                format!("saved progress lacks {key}"),
            )
        })
}

/// The `data` of TikTok's envelope (errors were classified already).
fn data<T>(envelope: Envelope<T>) -> Result<T, PlatformError> {
    envelope
        .data
        .ok_or_else(|| PlatformError::unexpected(P, "no data in the answer"))
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
}

#[derive(Deserialize)]
struct CreatorInfo {
    #[serde(default)]
    creator_username: Option<String>,
    #[serde(default)]
    creator_nickname: Option<String>,
    #[serde(default)]
    creator_avatar_url: Option<String>,
    #[serde(default)]
    privacy_level_options: Vec<String>,
    #[serde(default)]
    comment_disabled: bool,
    #[serde(default)]
    duet_disabled: bool,
    #[serde(default)]
    stitch_disabled: bool,
    #[serde(default)]
    max_video_post_duration_sec: Option<u64>,
}

#[derive(Deserialize)]
struct InitData {
    publish_id: String,
    #[serde(default)]
    upload_url: Option<String>,
}

#[derive(Deserialize)]
struct StatusData {
    status: String,
    #[serde(default)]
    fail_reason: Option<String>,
    #[serde(default)]
    uploaded_bytes: Option<u64>,
    /// TikTok's spelling. Ids are int64; strings are accepted too.
    #[serde(default)]
    publicaly_available_post_id: Vec<Value>,
}

impl StatusData {
    fn post_ids(&self) -> Vec<String> {
        self.publicaly_available_post_id
            .iter()
            .filter_map(|v| match v {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan satisfies TikTok's rules (the sandbox checks the same).
    fn valid(size: u64, (chunk, count): (u64, u64)) -> bool {
        if size < MIN_CHUNK {
            return chunk == size && count == 1;
        }
        (MIN_CHUNK..=MAX_CHUNK).contains(&chunk)
            && count == size / chunk
            && (1..=MAX_CHUNKS).contains(&count)
            && (size <= MAX_CHUNK || count >= 2)
            && size - (count - 1) * chunk <= 128 * MIB
    }

    #[test]
    fn chunk_plans_follow_tiktoks_rules() {
        assert_eq!(chunk_plan(1_000, DEFAULT_CHUNK_SIZE), Some((1_000, 1)));
        assert_eq!(chunk_plan(12 * MIB, 5 * MIB), Some((5 * MIB, 2)));
        assert_eq!(
            chunk_plan(12 * MIB, DEFAULT_CHUNK_SIZE),
            Some((10 * MIB, 1))
        );
        assert_eq!(chunk_plan(0, DEFAULT_CHUNK_SIZE), None);
        assert_eq!(chunk_plan(70 * 1024 * MIB, DEFAULT_CHUNK_SIZE), None);
        for size in [
            5 * MIB,
            7 * MIB + 3,
            64 * MIB,
            64 * MIB + 1,
            100 * MIB,
            127 * MIB,
            1024 * MIB + 17,
            4 * 1024 * MIB,
            60 * 1024 * MIB,
        ] {
            for preferred in [1, 5 * MIB, DEFAULT_CHUNK_SIZE, 64 * MIB, 1024 * MIB] {
                let plan = chunk_plan(size, preferred).unwrap();
                assert!(valid(size, plan), "{size} {preferred}: {plan:?}");
            }
        }
    }

    #[test]
    fn polling_backs_off_from_five_seconds_to_a_minute() {
        let waits: Vec<i64> = (1..=7).map(|n| poll_interval(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60, 60]);
        assert_eq!(poll_interval(0), SignedDuration::from_secs(5));
        assert_eq!(poll_interval(u32::MAX), SignedDuration::from_mins(1));
    }
}
