//! YouTube video uploads (`videos.insert` through the resumable upload
//! protocol), as a resumable [`Publisher`].
//!
//! The steps: open an upload session (`POST …/upload/youtube/v3/videos?
//! uploadType=resumable` with the video resource; the session URI comes
//! back in `Location`), then one chunk `PUT` per step with `Content-Range:
//! bytes s-e/total`, following the `Range` of each `308 Resume Incomplete`.
//! The final byte creates the video and answers with its resource; then
//! the video is watched while YouTube processes it.
//!
//! Why this never uploads twice: a session creates nothing until its final
//! byte, so an open whose answer was lost is simply opened again (the
//! orphan never completes), and a session that expired (404/410) is
//! replaced. Before the final chunk the progress gets an intent marker
//! (`final_sent_at`); from then on every step first probes the session
//! (`bytes */total`), which answers with the finished video if the final
//! byte landed. Chunk `PUT`s carry explicit ranges and are treated as
//! idempotent — Google keeps what it already has and answers a resend with
//! its current `Range` (or the finished video) — and after any failed chunk
//! the adapter probes and resumes from what the session actually holds.
//!
//! After the upload: the video resource says `status.uploadStatus`
//! (`uploaded` while processing, then `processed`, or `rejected` with a
//! `rejectionReason`, `failed` with a `failureReason`, `deleted`) and
//! `processingDetails.processingStatus`. While it processes the adapter
//! waits (`Step::Wait`, 5 s doubling to a minute) and reads
//! `videos.list?part=status,processingDetails`; the post is published once
//! the video is `processed`. A rejected or failed video fails the post with
//! the reason — the video stays on the channel, so the verdict is kept in
//! the progress for that media file: a retry of the same file fails the
//! same way instead of uploading a second rejected copy, and an edit that
//! picks another file uploads again. An aborted upload (`uploadAborted`) is
//! uploaded again. After [`PROCESSING_LIMIT`] of processing the post counts
//! as published with a notice: the video exists, and failing the post would
//! only invite a retry that uploads it twice.
//!
//! YouTube locks every video uploaded through an API project that has not
//! passed Google's audit to private. A video asked to be public or
//! unlisted that YouTube reports as private is published with a notice
//! (never called public), for the post and the connection card.
//!
//! `videos.insert` calls count against the Google Cloud project's daily
//! bucket, shared by every workspace on the instance: the publisher names
//! its [`Budget`] and says which step spends from it (opening a new upload's
//! first session), so the dispatcher can hold uploads beyond the day's
//! budget until Pacific midnight. YouTube's own `quotaExceeded` postpones
//! the same way.
//!
//! The video goes to the token's channel (the API has no way to choose);
//! the resource names the target channel in `snippet.channelId`, which the
//! real API ignores and the sandbox uses to pick between a user's channels.
//! Titles come from the request (else the caption's first line), cut to
//! 100 characters; `<` and `>`, which YouTube refuses in titles and
//! descriptions, become `‹` and `›`. Privacy defaults to `private`.
//!
//! The session URI lets anyone holding it upload: it stays in the progress
//! only while the upload runs.

use async_trait::async_trait;
use herald_core::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::json;

use super::upload::{
    FINAL_SENT, OFFSET, OneVideo, content_range, final_intent, read_chunk, the_video,
    upload_url_allowed,
};
use super::{
    Budget, MediaItem, MediaSource, Progress, PublishRequest, Published, Publisher, Spend, Step,
    with,
};
use crate::client::{Call, Dialect, Method, PlatformClient, Reply};
use crate::youtube::{GoogleDialect, next_quota_reset, quota_day};
use crate::{AccountKind, ErrorKind, Hint, Hosts, PlatformError, ProviderId};

/// Hint codes of YouTube publishing; see [`crate::HINT_CODES`].
pub const HINTS: &[&str] = &[
    // Failures, with `reason` (YouTube's code) and `video` (its id).
    REJECTED,
    FAILED,
    DELETED,
    // Notices on a published post.
    LOCKED_PRIVATE,
    STILL_PROCESSING,
    // Postponements.
    BUDGET_SPENT,
    QUOTA_EXCEEDED,
    CHECK_QUOTA_EXCEEDED,
    CHANNEL_UPLOAD_LIMIT,
];

/// YouTube rejected the video (`rejectionReason`); it stays on the channel.
pub const REJECTED: &str = "youtube_rejected";
/// The upload or its processing failed (`failureReason`, or
/// `processingFailureReason`).
pub const FAILED: &str = "youtube_failed";
/// The video was deleted before YouTube finished it.
pub const DELETED: &str = "youtube_deleted";
/// Published, but YouTube locked it private: the Google Cloud project has
/// not passed YouTube's audit.
pub const LOCKED_PRIVATE: &str = "youtube_locked_private";
/// Published, but YouTube had not finished processing it when Herald
/// stopped watching.
pub const STILL_PROCESSING: &str = "youtube_still_processing";
/// Herald's own daily `videos.insert` budget is spent.
pub const BUDGET_SPENT: &str = "youtube_upload_budget_spent";
/// YouTube answered `quotaExceeded` to the upload.
pub const QUOTA_EXCEEDED: &str = "youtube_quota_exceeded";
/// YouTube answered `quotaExceeded` while Herald checked the uploaded video.
pub const CHECK_QUOTA_EXCEEDED: &str = "youtube_check_quota_exceeded";
/// The channel reached its own daily upload limit (`uploadLimitExceeded`).
pub const CHANNEL_UPLOAD_LIMIT: &str = "youtube_channel_upload_limit";

const P: ProviderId = ProviderId::YouTube;
/// Non-final chunks must be whole multiples of this.
pub const CHUNK_QUANTUM: u64 = 256 * 1024;
/// Chunk size unless [`YouTubePublisher::with_chunk_size`] says otherwise.
pub const DEFAULT_CHUNK_SIZE: u64 = 8 * 1024 * 1024;
/// `videos.insert` calls per Pacific day unless configured: the default
/// allocation of the separate `videos.insert` bucket in Google's current
/// quota documentation.
pub const DEFAULT_DAILY_UPLOADS: u32 = 100;
/// How long Herald watches a video process before it calls the post
/// published with [`STILL_PROCESSING`].
pub const PROCESSING_LIMIT: SignedDuration = SignedDuration::from_hours(1);
/// The first look at a processing video, and the longest pause between two.
const FIRST_POLL: SignedDuration = SignedDuration::from_secs(5);
const MAX_POLL: SignedDuration = SignedDuration::from_secs(60);
/// Reads in a row that do not find the uploaded video before it counts as
/// deleted (the owner always sees their own videos).
const MAX_MISSES: u64 = 3;
/// Upload sessions opened for one post before giving up.
const MAX_SESSIONS: u64 = 5;
/// Steps in a row in which the session stored nothing new.
const MAX_STALLS: u64 = 3;
const TITLE_MAX_CHARS: usize = 100;

/// The one video of a YouTube post, and the words for what is refused.
const ONE_VIDEO: OneVideo = OneVideo {
    provider: P,
    kind: AccountKind::YouTubeChannel,
    wrong_account: "YouTube publishing needs a YouTube channel",
    not_video: "YouTube posts are videos",
    not_one_video: "a YouTube post needs exactly one video",
};

// Progress keys (and `offset`, `final_sent_at` from the upload module).
const SESSION: &str = "session";
const OPENED: &str = "session_opened_at";
const SESSIONS: &str = "sessions";
const STALLS: &str = "stalls";
const VIDEO_ID: &str = "video_id";
/// When the video was created (unix seconds): processing is timed from it.
const UPLOADED_AT: &str = "uploaded_at";
/// Status reads so far, and reads in a row that did not find the video.
const POLLS: &str = "polls";
const MISSES: &str = "misses";
/// YouTube's last word on the video: `uploadStatus`, and processing.
const UPLOAD_STATUS: &str = "upload_status";
/// The privacy asked for, when YouTube made the video private instead.
const LOCKED: &str = "locked_private";
/// When Herald stopped watching a video that still processed.
const GAVE_UP: &str = "stopped_watching_at";
/// How YouTube ended the video (`rejected:duplicate`, `failed:codec`,
/// `deleted`), the video and the media file it was for.
const VERDICT: &str = "verdict";
const VERDICT_VIDEO: &str = "verdict_video";
const VERDICT_MEDIA: &str = "verdict_media";

/// Publishes videos to YouTube channels (`youtube_channel`).
pub struct YouTubePublisher {
    hosts: Hosts,
    client: PlatformClient,
    chunk_size: u64,
    /// The Google Cloud project's client id and the daily upload budget,
    /// when admission is on.
    budget: Option<(String, u32)>,
}

/// What an upload session said about a `PUT`.
enum Session {
    /// Bytes `0..next` are stored.
    Incomplete {
        next: u64,
    },
    Complete(VideoReply),
    /// Expired or unknown: no video exists from it.
    Gone,
}

/// What the next step does, from the saved progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Open an upload session (spends a `videos.insert` call).
    Open,
    /// Send bytes to the open session.
    Upload,
    /// Read the uploaded video's status.
    Watch,
    /// YouTube ended this video for this file: fail with its reason.
    Verdict,
    /// A verdict for another file (the post was edited): start over.
    StartOver,
}

fn next_of(progress: &Progress, item: &MediaItem) -> Next {
    if progress.contains_key(VERDICT) {
        if progress.get(VERDICT_MEDIA) == Some(&item.id) {
            Next::Verdict
        } else {
            Next::StartOver
        }
    } else if progress.contains_key(SESSION) {
        Next::Upload
    } else if progress.contains_key(VIDEO_ID) {
        Next::Watch
    } else {
        Next::Open
    }
}

impl YouTubePublisher {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        YouTubePublisher {
            hosts,
            client,
            chunk_size: DEFAULT_CHUNK_SIZE,
            budget: None,
        }
    }

    /// Uploads in chunks of `bytes`, rounded down to a multiple of 256 KiB
    /// (at least 256 KiB).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = (bytes / CHUNK_QUANTUM * CHUNK_QUANTUM).max(CHUNK_QUANTUM);
        self
    }

    /// Counts new uploads against a budget of `per_day` `videos.insert`
    /// calls per Pacific day for the project of `client_id` (at least 1).
    pub fn with_daily_uploads(mut self, client_id: &str, per_day: u32) -> Self {
        self.budget = Some((client_id.to_owned(), per_day.max(1)));
        self
    }

    fn now(&self) -> Timestamp {
        self.client.clock().now()
    }

    async fn open(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let sessions = count(progress, SESSIONS);
        if sessions >= MAX_SESSIONS {
            return Err(PlatformError::new(
                P,
                ErrorKind::Unavailable,
                "YouTube upload sessions keep expiring",
            ));
        }
        let resource = json!({
            "snippet": {
                "title": title_of(request),
                "description": clean(&request.caption),
                "categoryId": "22",
                "channelId": request.account_id,
            },
            "status": {
                "privacyStatus": privacy_of(request),
                "selfDeclaredMadeForKids": false,
            },
        });
        // Not idempotent (it spends a videos.insert call), but a lost answer
        // only leaves a session that never completes: the next step opens
        // another.
        let call = Call::new(
            P,
            "youtube.upload_init",
            Method::Post,
            self.hosts
                .url("www.googleapis.com", "/upload/youtube/v3/videos"),
        )
        .query("uploadType", "resumable")
        .query("part", "snippet,status")
        .bearer(&request.access_token)
        .header("X-Upload-Content-Length", item.size.to_string())
        .header("X-Upload-Content-Type", mime_of(item))
        .json(resource);
        let reply = match self.client.send(&call, &GoogleDialect(P)).await {
            Ok(reply) => reply,
            Err(e) => return Err(self.upload_refused(e)),
        };
        let session = reply
            .header("location")
            .map(str::to_owned)
            .ok_or_else(|| PlatformError::unexpected(P, "no Location for the upload session"))?;
        self.check_session_url(&session)?;
        let mut next = progress.clone();
        for key in [FINAL_SENT, STALLS, VIDEO_ID] {
            next.remove(key);
        }
        next.insert(SESSION.into(), session);
        next.insert(OPENED.into(), self.now().as_second().to_string());
        next.insert(SESSIONS.into(), (sessions + 1).to_string());
        next.insert(OFFSET.into(), "0".into());
        Ok(Step::Continue(next))
    }

    /// YouTube's daily limits on an upload wait for the next day; anything
    /// else stays as it is.
    fn upload_refused(&self, error: PlatformError) -> PlatformError {
        let now = self.now();
        let wait = match error.code.as_deref() {
            Some("quotaExceeded" | "dailyLimitExceeded") => {
                Some((next_quota_reset(now), QUOTA_EXCEEDED))
            }
            // A cap per channel whose reset YouTube does not state.
            Some("uploadLimitExceeded") => {
                Some((now + SignedDuration::from_hours(24), CHANNEL_UPLOAD_LIMIT))
            }
            _ => None,
        };
        match wait {
            Some((until, hint)) => PlatformError {
                kind: ErrorKind::Postponed { until },
                hint: Some(Box::new(Hint::new(hint, []))),
                ..error
            },
            None => error,
        }
    }

    /// Video bytes only go to Google's upload host (or the sandbox).
    fn check_session_url(&self, url: &str) -> Result<(), PlatformError> {
        let ok = upload_url_allowed(&self.hosts, url, |h| h == "www.googleapis.com");
        if ok {
            Ok(())
        } else {
            Err(PlatformError::unexpected(
                P,
                "upload session on an unexpected host",
            ))
        }
    }

    /// `PUT bytes */total`: how much of the upload the session holds.
    async fn probe(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        session: &str,
    ) -> Result<Session, PlatformError> {
        let call = Call::new(P, "youtube.upload_chunk", Method::Put, session)
            .bearer(&request.access_token)
            .header("Content-Range", format!("bytes */{}", item.size))
            .bytes(mime_of(item), Vec::new())
            .idempotent(true);
        let reply = self.client.send(&call, &UploadDialect).await?;
        answer(&reply)
    }

    async fn upload(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        media: &dyn MediaSource,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let session = progress[SESSION].as_str();
        let size = item.size;
        let mut offset = count(progress, OFFSET);
        if progress.contains_key(FINAL_SENT) {
            // The final byte may have landed: ask the session first.
            match self.probe(request, item, session).await? {
                Session::Complete(video) => {
                    return Ok(self.uploaded(request, item, progress, video));
                }
                Session::Gone => return Ok(Step::Continue(without_session(progress))),
                Session::Incomplete { next } => offset = next,
            }
        }
        if offset >= size {
            return Err(PlatformError::unexpected(
                P,
                "the session holds every byte but no video",
            ));
        }
        let end = (offset + self.chunk_size).min(size);
        if end == size && !progress.contains_key(FINAL_SENT) {
            return Ok(final_intent(progress, offset, self.now()));
        }
        let bytes = read_chunk(P, media, item, offset, end - offset).await?;
        let call = Call::new(P, "youtube.upload_chunk", Method::Put, session)
            .bearer(&request.access_token)
            .header("Content-Range", content_range(offset, end, size))
            .bytes(mime_of(item), bytes)
            .idempotent(true);
        let outcome = match self.client.send(&call, &UploadDialect).await {
            Ok(reply) => answer(&reply)?,
            Err(e) => {
                // Whatever broke, the session knows what it holds.
                match self.probe(request, item, session).await {
                    Ok(Session::Incomplete { next }) if next == offset => return Err(e),
                    Ok(state) => state,
                    Err(_) => return Err(e),
                }
            }
        };
        match outcome {
            Session::Complete(video) => Ok(self.uploaded(request, item, progress, video)),
            Session::Gone => Ok(Step::Continue(without_session(progress))),
            Session::Incomplete { next } => {
                let stalls = if next > offset {
                    0
                } else {
                    count(progress, STALLS) + 1
                };
                if stalls >= MAX_STALLS {
                    return Err(PlatformError::new(
                        P,
                        ErrorKind::Unavailable,
                        "YouTube keeps refusing to store the upload's bytes",
                    ));
                }
                let next_progress = with(progress, OFFSET, next.to_string());
                Ok(Step::Continue(with(
                    &next_progress,
                    STALLS,
                    stalls.to_string(),
                )))
            }
        }
    }

    /// The final byte created `video`: the session is done with, and what
    /// YouTube says of the video decides the next step.
    fn uploaded(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        progress: &Progress,
        video: VideoReply,
    ) -> Step {
        let mut next = progress.clone();
        for key in [SESSION, OPENED, OFFSET, FINAL_SENT, STALLS, POLLS, MISSES] {
            next.remove(key);
        }
        next.insert(VIDEO_ID.into(), video.id.clone());
        next.insert(UPLOADED_AT.into(), self.now().as_second().to_string());
        self.judge(request, item, next, &video)
    }

    /// `GET videos?part=status,processingDetails&id=…`: the video as
    /// YouTube sees it now, if the channel still has it.
    async fn read_video(
        &self,
        request: &PublishRequest,
        id: &str,
    ) -> Result<Option<VideoReply>, PlatformError> {
        let call = Call::new(
            P,
            "youtube.videos",
            Method::Get,
            self.hosts.url("www.googleapis.com", "/youtube/v3/videos"),
        )
        .query("part", "status,processingDetails")
        .query("id", id)
        .bearer(&request.access_token);
        let reply = self
            .client
            .send(&call, &GoogleDialect(P))
            .await
            .map_err(|e| {
                if matches!(
                    e.code.as_deref(),
                    Some("quotaExceeded" | "dailyLimitExceeded")
                ) {
                    PlatformError {
                        kind: ErrorKind::Postponed {
                            until: next_quota_reset(self.now()),
                        },
                        hint: Some(Box::new(Hint::new(
                            CHECK_QUOTA_EXCEEDED,
                            [("video", id.to_owned())],
                        ))),
                        ..e
                    }
                } else {
                    e
                }
            })?;
        let list: VideoList = reply.json(P)?;
        Ok(list.items.into_iter().find(|v| v.id == id))
    }

    /// Looks at the uploaded video again.
    async fn watch(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        progress: &Progress,
    ) -> Result<Step, PlatformError> {
        let id = progress[VIDEO_ID].clone();
        let polls = count(progress, POLLS) + 1;
        let progress = with(progress, POLLS, polls.to_string());
        match self.read_video(request, &id).await? {
            Some(video) => {
                let mut next = progress;
                next.remove(MISSES);
                Ok(self.judge(request, item, next, &video))
            }
            None => {
                let misses = count(&progress, MISSES) + 1;
                if misses >= MAX_MISSES {
                    return Ok(verdict(&progress, item, &id, "deleted"));
                }
                Ok(self.wait(with(&progress, MISSES, misses.to_string())))
            }
        }
    }

    /// What YouTube's word on the video means for the post.
    fn judge(
        &self,
        request: &PublishRequest,
        item: &MediaItem,
        mut progress: Progress,
        video: &VideoReply,
    ) -> Step {
        let status = &video.status;
        let upload_status = status.upload_status.as_deref().unwrap_or("");
        let processing = video
            .processing_details
            .as_ref()
            .and_then(|p| p.processing_status.as_deref())
            .unwrap_or("");
        progress.insert(
            UPLOAD_STATUS.into(),
            format!("{upload_status}/{processing}")
                .trim_matches('/')
                .to_owned(),
        );
        // YouTube may lock the video private during processing: the last
        // word counts.
        let asked = privacy_of(request);
        match status.privacy_status.as_deref() {
            Some("private") if asked != "private" => {
                progress.insert(LOCKED.into(), asked.to_owned());
            }
            Some(_) => {
                progress.remove(LOCKED);
            }
            None => {}
        }
        let id = video.id.as_str();
        let reason = |r: &Option<String>| r.clone().unwrap_or_else(|| "unknown".to_owned());
        match upload_status {
            "processed" => self.done(progress),
            "rejected" => verdict(
                &progress,
                item,
                id,
                &format!("rejected:{}", reason(&status.rejection_reason)),
            ),
            "failed" => {
                let why = reason(&status.failure_reason);
                if why == "uploadAborted" && count(&progress, SESSIONS) < MAX_SESSIONS {
                    // The bytes never all arrived: upload them again.
                    return Step::Continue(without_video(&progress));
                }
                verdict(&progress, item, id, &format!("failed:{why}"))
            }
            "deleted" => verdict(&progress, item, id, "deleted"),
            _ => match processing {
                "failed" => {
                    let why = video
                        .processing_details
                        .as_ref()
                        .and_then(|p| p.processing_failure_reason.clone());
                    verdict(&progress, item, id, &format!("failed:{}", reason(&why)))
                }
                "terminated" => verdict(&progress, item, id, "failed:terminated"),
                _ => self.keep_watching(progress),
            },
        }
    }

    /// The video still processes: look again later, or stop watching after
    /// [`PROCESSING_LIMIT`] and call it published with a notice.
    fn keep_watching(&self, progress: Progress) -> Step {
        let now = self.now();
        let since = progress
            .get(UPLOADED_AT)
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| Timestamp::from_second(s).ok())
            .unwrap_or(now);
        if now.duration_since(since) >= PROCESSING_LIMIT {
            let stopped = with(&progress, GAVE_UP, now.as_second().to_string());
            return self.done(stopped);
        }
        self.wait(progress)
    }

    /// Waits before the next look: 5 s, doubling, at most a minute.
    fn wait(&self, progress: Progress) -> Step {
        let polls = count(&progress, POLLS).min(16) as u32;
        let pause = (FIRST_POLL * 2i32.pow(polls.min(8))).min(MAX_POLL);
        Step::Wait {
            at: self.now() + pause,
            progress,
        }
    }

    fn done(&self, progress: Progress) -> Step {
        let id = progress[VIDEO_ID].clone();
        Step::Done(Published {
            permalink: Some(format!("https://www.youtube.com/watch?v={id}")),
            remote_id: id,
            progress,
            warnings: Vec::new(),
        })
    }

    /// The error that ends the post with the verdict saved in `progress`.
    fn verdict_error(&self, progress: &Progress) -> PlatformError {
        let video = progress.get(VERDICT_VIDEO).cloned().unwrap_or_default();
        let verdict = progress.get(VERDICT).map_or("", String::as_str);
        let (code, message, hint) = match verdict.split_once(':') {
            Some(("rejected", reason)) => (
                reason,
                format!("YouTube rejected the video: {reason}"),
                Hint::new(REJECTED, [("reason", reason.to_owned()), ("video", video)]),
            ),
            Some((_, reason)) => (
                reason,
                format!("YouTube could not process the video: {reason}"),
                Hint::new(FAILED, [("reason", reason.to_owned()), ("video", video)]),
            ),
            None => (
                "deleted",
                "the video was deleted before YouTube finished it".to_owned(),
                Hint::new(DELETED, [("video", video)]),
            ),
        };
        PlatformError::new(P, ErrorKind::BadRequest, message)
            .with_code(code.to_owned())
            .with_hint(hint)
    }

    fn budget_on(&self, now: Timestamp) -> Option<Budget> {
        let (client_id, limit) = self.budget.as_ref()?;
        Some(Budget {
            bucket: format!("youtube.videos_insert:{client_id}"),
            day: quota_day(now),
            limit: *limit,
            resets_at: next_quota_reset(now),
        })
    }
}

#[async_trait]
impl Publisher for YouTubePublisher {
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
        match next_of(progress, item) {
            Next::Verdict => Err(self.verdict_error(progress)),
            // The file YouTube refused was replaced: a new upload.
            Next::StartOver => Ok(Step::Continue(Progress::new())),
            Next::Upload => self.upload(request, item, media, progress).await,
            Next::Watch => self.watch(request, item, progress).await,
            Next::Open => self.open(request, item, progress).await,
        }
    }

    fn budget(&self, now: Timestamp) -> Option<Budget> {
        self.budget_on(now)
    }

    fn spend(
        &self,
        request: &PublishRequest,
        progress: &Progress,
        now: Timestamp,
    ) -> Option<Spend> {
        let item = the_video(request, &ONE_VIDEO).ok()?;
        if next_of(progress, item) != Next::Open {
            return None;
        }
        let budget = self.budget_on(now)?;
        let refusal = PlatformError::new(
            P,
            ErrorKind::Postponed {
                until: budget.resets_at,
            },
            format!(
                "Herald's budget of {} YouTube uploads today is used up",
                budget.limit
            ),
        )
        .with_hint(Hint::new(
            BUDGET_SPENT,
            [("limit", budget.limit.to_string())],
        ));
        Some(Spend {
            budget,
            // A new upload waits for the budget; one whose session expired
            // was admitted already.
            admit: count(progress, SESSIONS) == 0,
            refusal,
        })
    }

    fn notices(&self, published: &Published) -> Vec<Hint> {
        let progress = &published.progress;
        let video = published.remote_id.clone();
        let mut notices = Vec::new();
        if let Some(asked) = progress.get(LOCKED) {
            notices.push(Hint::new(
                LOCKED_PRIVATE,
                [("requested", asked.clone()), ("video", video.clone())],
            ));
        }
        if progress.contains_key(GAVE_UP) {
            notices.push(Hint::new(
                STILL_PROCESSING,
                [
                    ("video", video),
                    ("minutes", PROCESSING_LIMIT.as_mins().to_string()),
                ],
            ));
        }
        notices
    }
}

/// Google's errors, except that an upload session's `308 Resume
/// Incomplete` is an answer, and so are 404/410 (the session is gone).
struct UploadDialect;

impl Dialect for UploadDialect {
    fn classify(&self, reply: &Reply, now: Timestamp) -> Option<PlatformError> {
        match reply.status {
            308 | 404 | 410 => None,
            _ => GoogleDialect(P).classify(reply, now),
        }
    }
}

fn answer(reply: &Reply) -> Result<Session, PlatformError> {
    match reply.status {
        308 => {
            // `Range: bytes=0-N`; absent when nothing is stored yet.
            let next = match reply.header("range") {
                None => 0,
                Some(range) => range
                    .trim()
                    .strip_prefix("bytes=0-")
                    .and_then(|n| n.parse::<u64>().ok())
                    .and_then(|last| last.checked_add(1))
                    .ok_or_else(|| PlatformError::unexpected(P, format_args!("Range {range}")))?,
            };
            Ok(Session::Incomplete { next })
        }
        404 | 410 => Ok(Session::Gone),
        200 | 201 => Ok(Session::Complete(reply.json(P)?)),
        status => Err(PlatformError::unexpected(
            P,
            format_args!("HTTP {status} from an upload session"),
        )),
    }
}

/// A video resource, as far as publishing reads it.
#[derive(Debug, Deserialize)]
struct VideoReply {
    id: String,
    #[serde(default)]
    status: VideoStatus,
    #[serde(default, rename = "processingDetails")]
    processing_details: Option<ProcessingDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoStatus {
    upload_status: Option<String>,
    failure_reason: Option<String>,
    rejection_reason: Option<String>,
    privacy_status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProcessingDetails {
    processing_status: Option<String>,
    processing_failure_reason: Option<String>,
}

#[derive(Deserialize)]
struct VideoList {
    #[serde(default)]
    items: Vec<VideoReply>,
}

/// The progress that ends the post with `verdict` on the next step, for
/// `item` (another file starts over).
fn verdict(progress: &Progress, item: &MediaItem, video: &str, verdict: &str) -> Step {
    let mut next = without_video(progress);
    next.insert(VERDICT.into(), verdict.to_owned());
    next.insert(VERDICT_VIDEO.into(), video.to_owned());
    next.insert(VERDICT_MEDIA.into(), item.id.clone());
    Step::Continue(next)
}

/// The progress of a dead session: start a new one (nothing was created).
fn without_session(progress: &Progress) -> Progress {
    let mut next = progress.clone();
    for key in [SESSION, OPENED, OFFSET, FINAL_SENT, STALLS] {
        next.remove(key);
    }
    next
}

/// The progress without the uploaded video: the next step uploads again.
fn without_video(progress: &Progress) -> Progress {
    let mut next = without_session(progress);
    for key in [
        VIDEO_ID,
        UPLOADED_AT,
        POLLS,
        MISSES,
        UPLOAD_STATUS,
        LOCKED,
        GAVE_UP,
    ] {
        next.remove(key);
    }
    next
}

fn count(progress: &Progress, key: &str) -> u64 {
    progress.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The privacy asked for (`private` unless the post says).
fn privacy_of(request: &PublishRequest) -> &str {
    request.privacy.as_deref().unwrap_or("private")
}

/// `<` and `>` are refused in titles and descriptions.
fn clean(text: &str) -> String {
    text.replace('<', "‹").replace('>', "›")
}

/// The request's title, else the caption's first non-empty line, cleaned
/// and cut to 100 characters.
fn title_of(request: &PublishRequest) -> String {
    let raw = request
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| request.caption.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("Untitled video");
    let title: String = clean(raw.trim()).chars().take(TITLE_MAX_CHARS).collect();
    title.trim_end().to_owned()
}

fn mime_of(item: &MediaItem) -> &str {
    if item.mime.starts_with("video/") {
        &item.mime
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::publish::PostFormat;

    fn request(title: Option<&str>, caption: &str) -> PublishRequest {
        PublishRequest {
            kind: AccountKind::YouTubeChannel,
            account_id: "UC1".into(),
            access_token: Secret::new("t".to_owned()),
            idempotency_key: "k".into(),
            format: PostFormat::Video,
            caption: caption.into(),
            title: title.map(str::to_owned),
            link: None,
            first_comment: None,
            privacy: None,
            cover_offset_ms: None,
            media: Vec::new(),
            settings: Default::default(),
        }
    }

    #[test]
    fn titles_fall_back_to_the_caption_and_are_cleaned() {
        assert_eq!(title_of(&request(Some("Mine"), "caption")), "Mine");
        assert_eq!(
            title_of(&request(None, "\n  First <line>\nsecond")),
            "First ‹line›"
        );
        assert_eq!(title_of(&request(None, &"x".repeat(150))).len(), 100);
        assert_eq!(title_of(&request(Some(" "), "")), "Untitled video");
    }

    fn publisher_at(now: Timestamp) -> YouTubePublisher {
        let client = crate::PlatformClient::new(
            std::sync::Arc::new(herald_core::ManualClock::new(now)),
            Default::default(),
        )
        .unwrap();
        YouTubePublisher::new(Hosts::Real, client)
    }

    fn video(value: serde_json::Value) -> VideoReply {
        serde_json::from_value(value).unwrap()
    }

    fn item(id: &str) -> MediaItem {
        MediaItem {
            id: id.into(),
            kind: crate::MediaKind::Video,
            mime: "video/mp4".into(),
            size: 1000,
            width: None,
            height: None,
            duration_ms: None,
            url: String::new(),
        }
    }

    fn watching(now: Timestamp, polls: u64) -> Progress {
        Progress::from([
            (VIDEO_ID.to_owned(), "v1".to_owned()),
            (UPLOADED_AT.to_owned(), now.as_second().to_string()),
            (POLLS.to_owned(), polls.to_string()),
        ])
    }

    #[test]
    fn a_processing_video_is_read_again_after_growing_pauses() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let p = publisher_at(now);
        let processing = video(serde_json::json!({
            "id": "v1",
            "status": {"uploadStatus": "uploaded", "privacyStatus": "private"},
            "processingDetails": {"processingStatus": "processing"},
        }));
        let pauses: Vec<i64> = (0..8)
            .map(|polls| {
                match p.judge(
                    &request(None, "x"),
                    &item("m"),
                    watching(now, polls),
                    &processing,
                ) {
                    Step::Wait { at, .. } => at.duration_since(now).as_secs(),
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        assert_eq!(pauses, [5, 10, 20, 40, 60, 60, 60, 60]);
    }

    #[test]
    fn watching_stops_at_the_limit_with_the_video_published() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let p = publisher_at(start + PROCESSING_LIMIT);
        let processing =
            video(serde_json::json!({"id": "v1", "status": {"uploadStatus": "uploaded"}}));
        match p.judge(
            &request(None, "x"),
            &item("m"),
            watching(start, 60),
            &processing,
        ) {
            Step::Done(done) => {
                assert_eq!(done.remote_id, "v1");
                assert!(done.progress.contains_key(GAVE_UP));
                let notices = p.notices(&done);
                assert_eq!(notices[0].code, STILL_PROCESSING);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn youtube_s_word_on_the_video_decides_the_post() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let p = publisher_at(now);
        let req = request(None, "x");
        let judge = |v: serde_json::Value| p.judge(&req, &item("m"), watching(now, 1), &video(v));
        let verdict_of = |step: Step| match step {
            Step::Continue(progress) => {
                assert!(!progress.contains_key(VIDEO_ID), "{progress:?}");
                assert_eq!(progress[VERDICT_MEDIA], "m");
                assert_eq!(progress[VERDICT_VIDEO], "v1");
                progress[VERDICT].clone()
            }
            other => panic!("{other:?}"),
        };
        assert!(matches!(
            judge(serde_json::json!({"id": "v1", "status": {"uploadStatus": "processed"}})),
            Step::Done(_)
        ));
        assert_eq!(
            verdict_of(judge(
                serde_json::json!({"id": "v1", "status": {"uploadStatus": "rejected", "rejectionReason": "duplicate"}})
            )),
            "rejected:duplicate"
        );
        assert_eq!(
            verdict_of(judge(
                serde_json::json!({"id": "v1", "status": {"uploadStatus": "failed", "failureReason": "codec"}})
            )),
            "failed:codec"
        );
        assert_eq!(
            verdict_of(judge(
                serde_json::json!({"id": "v1", "status": {"uploadStatus": "deleted"}})
            )),
            "deleted"
        );
        // Processing that failed before the upload status says so.
        assert_eq!(
            verdict_of(judge(
                serde_json::json!({"id": "v1", "status": {"uploadStatus": "uploaded"},
                "processingDetails": {"processingStatus": "failed", "processingFailureReason": "transcodeFailed"}})
            )),
            "failed:transcodeFailed"
        );
        assert_eq!(
            verdict_of(judge(
                serde_json::json!({"id": "v1", "status": {"uploadStatus": "uploaded"},
                "processingDetails": {"processingStatus": "terminated"}})
            )),
            "failed:terminated"
        );
        // An aborted upload goes up again: no verdict, no video.
        match judge(
            serde_json::json!({"id": "v1", "status": {"uploadStatus": "failed", "failureReason": "uploadAborted"}}),
        ) {
            Step::Continue(progress) => {
                assert!(!progress.contains_key(VERDICT) && !progress.contains_key(VIDEO_ID));
                assert_eq!(next_of(&progress, &item("m")), Next::Open);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_verdict_holds_for_its_file_and_names_its_reason() {
        let p = publisher_at(Timestamp::UNIX_EPOCH);
        let progress = Progress::from([
            (VERDICT.to_owned(), "rejected:duplicate".to_owned()),
            (VERDICT_VIDEO.to_owned(), "v1".to_owned()),
            (VERDICT_MEDIA.to_owned(), "m".to_owned()),
            (SESSIONS.to_owned(), "1".to_owned()),
        ]);
        assert_eq!(next_of(&progress, &item("m")), Next::Verdict);
        assert_eq!(next_of(&progress, &item("other")), Next::StartOver);
        let error = p.verdict_error(&progress);
        assert_eq!(error.kind, ErrorKind::BadRequest);
        assert_eq!(error.code.as_deref(), Some("duplicate"));
        let hint = error.hint.unwrap();
        assert_eq!(hint.code, REJECTED);
        assert_eq!(hint.params["reason"], "duplicate");
        assert_eq!(hint.params["video"], "v1");
        let deleted = Progress::from([
            (VERDICT.to_owned(), "deleted".to_owned()),
            (VERDICT_VIDEO.to_owned(), "v1".to_owned()),
        ]);
        assert_eq!(p.verdict_error(&deleted).hint.unwrap().code, DELETED);
        let failed = Progress::from([(VERDICT.to_owned(), "failed:tooSmall".to_owned())]);
        let hint = p.verdict_error(&failed).hint.unwrap();
        assert_eq!(
            (hint.code.as_str(), hint.params["reason"].as_str()),
            (FAILED, "tooSmall")
        );
    }

    #[test]
    fn a_lock_is_read_from_the_last_word_on_the_privacy() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let p = publisher_at(now);
        let mut req = request(None, "x");
        req.privacy = Some("unlisted".into());
        let locked = video(
            serde_json::json!({"id": "v1", "status": {"uploadStatus": "uploaded", "privacyStatus": "private"}}),
        );
        let Step::Wait { progress, .. } = p.judge(&req, &item("m"), watching(now, 0), &locked)
        else {
            panic!("still processing");
        };
        assert_eq!(progress[LOCKED], "unlisted");
        // YouTube shows what was asked for after all: no lock.
        let open = video(
            serde_json::json!({"id": "v1", "status": {"uploadStatus": "processed", "privacyStatus": "unlisted"}}),
        );
        let Step::Done(done) = p.judge(&req, &item("m"), progress, &open) else {
            panic!("processed");
        };
        assert!(p.notices(&done).is_empty());
    }

    #[test]
    fn chunk_sizes_are_multiples_of_256_kib() {
        let client = crate::PlatformClient::new(
            std::sync::Arc::new(herald_core::ManualClock::new(Timestamp::UNIX_EPOCH)),
            Default::default(),
        )
        .unwrap();
        let p = YouTubePublisher::new(Hosts::Real, client);
        assert_eq!(p.chunk_size, DEFAULT_CHUNK_SIZE);
        assert_eq!(p.with_chunk_size(300_000).chunk_size, CHUNK_QUANTUM);
    }

    #[test]
    fn ranges_of_308_answers_give_the_next_offset() {
        let reply = |range: Option<&str>| {
            let mut headers = reqwest::header::HeaderMap::new();
            if let Some(r) = range {
                headers.insert("range", r.parse().unwrap());
            }
            Reply {
                status: 308,
                headers,
                body: Vec::new(),
            }
        };
        assert!(matches!(
            answer(&reply(None)),
            Ok(Session::Incomplete { next: 0 })
        ));
        assert!(matches!(
            answer(&reply(Some("bytes=0-262143"))),
            Ok(Session::Incomplete { next: 262_144 })
        ));
        assert!(answer(&reply(Some("bytes=5-9"))).is_err());
        assert!(
            UploadDialect
                .classify(&reply(None), Timestamp::UNIX_EPOCH)
                .is_none()
        );
    }
}

/// Property tests: whatever an upload session answers, reading it never
/// panics, and a `Range` of `bytes=0-N` resumes at N + 1.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::client::strategies::reply;

    fn with_range(status: u16, range: &str) -> Option<Reply> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("range", range.parse().ok()?);
        Some(Reply {
            status,
            headers,
            body: Vec::new(),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_session_answers_never_panic(reply in reply()) {
            let _ = answer(&reply);
            let _ = UploadDialect.classify(&reply, Timestamp::UNIX_EPOCH);
        }

        #[test]
        fn stored_ranges_resume_at_the_next_byte(last in any::<u64>(), pad in "[ ]{0,2}") {
            let reply = with_range(308, &format!("{pad}bytes=0-{last}{pad}")).expect("a header");
            let got = answer(&reply);
            match last.checked_add(1) {
                Some(next) => prop_assert!(
                    matches!(got, Ok(Session::Incomplete { next: n }) if n == next),
                    "bytes=0-{} should resume at {}", last, next
                ),
                None => prop_assert!(got.is_err(), "bytes=0-{} has no next byte", last),
            }
        }

        #[test]
        fn arbitrary_ranges_never_panic(range in "[ -~]{0,40}") {
            if let Some(reply) = with_range(308, &range) {
                let _ = answer(&reply);
            }
        }
    }

    /// Found by `stored_ranges_resume_at_the_next_byte`: the last byte
    /// u64::MAX overflowed `last + 1` (a panic in debug builds, offset 0 in
    /// release, which would upload the video again from the start).
    #[test]
    fn a_range_ending_at_u64_max_is_an_unexpected_answer() {
        let reply = with_range(308, "bytes=0-18446744073709551615").expect("a header");
        assert!(answer(&reply).is_err());
    }
}
