//! YouTube video uploads (`videos.insert` through the resumable upload
//! protocol), as a resumable [`Publisher`].
//!
//! The steps: open an upload session (`POST …/upload/youtube/v3/videos?
//! uploadType=resumable` with the video resource; the session URI comes
//! back in `Location`), then one chunk `PUT` per step with `Content-Range:
//! bytes s-e/total`, following the `Range` of each `308 Resume Incomplete`.
//! The final byte creates the video and answers with its resource.
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
use herald_core::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::upload::{
    FINAL_SENT, OFFSET, OneVideo, content_range, final_intent, read_chunk, the_video,
    upload_url_allowed,
};
use super::{MediaItem, MediaSource, Progress, PublishRequest, Published, Publisher, Step, with};
use crate::client::{Call, Dialect, Method, PlatformClient, Reply};
use crate::youtube::GoogleDialect;
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

/// Hint codes of YouTube publishing; see [`crate::HINT_CODES`].
pub const HINTS: &[&str] = &[];

const P: ProviderId = ProviderId::YouTube;
/// Non-final chunks must be whole multiples of this.
pub const CHUNK_QUANTUM: u64 = 256 * 1024;
/// Chunk size unless [`YouTubePublisher::with_chunk_size`] says otherwise.
pub const DEFAULT_CHUNK_SIZE: u64 = 8 * 1024 * 1024;
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

/// Publishes videos to YouTube channels (`youtube_channel`).
pub struct YouTubePublisher {
    hosts: Hosts,
    client: PlatformClient,
    chunk_size: u64,
}

/// What an upload session said about a `PUT`.
enum Session {
    /// Bytes `0..next` are stored.
    Incomplete {
        next: u64,
    },
    Complete {
        id: String,
    },
    /// Expired or unknown: no video exists from it.
    Gone,
}

impl YouTubePublisher {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        YouTubePublisher {
            hosts,
            client,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Uploads in chunks of `bytes`, rounded down to a multiple of 256 KiB
    /// (at least 256 KiB).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = (bytes / CHUNK_QUANTUM * CHUNK_QUANTUM).max(CHUNK_QUANTUM);
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
                "privacyStatus": request.privacy.as_deref().unwrap_or("private"),
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
        let reply = self.client.send(&call, &GoogleDialect(P)).await?;
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
                Session::Complete { id } => return Ok(self.done(progress, id)),
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
            Session::Complete { id } => Ok(self.done(progress, id)),
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

    fn done(&self, progress: &Progress, id: String) -> Step {
        let mut final_progress = progress.clone();
        final_progress.remove(SESSION);
        final_progress.insert(VIDEO_ID.into(), id.clone());
        Step::Done(Published {
            permalink: Some(format!("https://www.youtube.com/watch?v={id}")),
            remote_id: id,
            progress: final_progress,
            warnings: Vec::new(),
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
        if progress.contains_key(SESSION) {
            self.upload(request, item, media, progress).await
        } else {
            self.open(request, item, progress).await
        }
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
        200 | 201 => {
            let video: VideoReply = reply.json(P)?;
            Ok(Session::Complete { id: video.id })
        }
        status => Err(PlatformError::unexpected(
            P,
            format_args!("HTTP {status} from an upload session"),
        )),
    }
}

#[derive(Deserialize)]
struct VideoReply {
    id: String,
}

/// The progress of a dead session: start a new one (nothing was created).
fn without_session(progress: &Progress) -> Progress {
    let mut next = progress.clone();
    for key in [SESSION, OPENED, OFFSET, FINAL_SENT, STALLS] {
        next.remove(key);
    }
    next
}

fn count(progress: &Progress, key: &str) -> u64 {
    progress.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
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
