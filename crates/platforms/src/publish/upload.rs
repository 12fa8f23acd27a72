//! What the uploading publishers (TikTok, YouTube) share: the one-video
//! check, reading a chunk of the file, where video bytes may go, and the
//! intent marker saved before the final chunk.
//!
//! What differs stays with each platform: TikTok plans its chunks and asks
//! `status/fetch/` where an upload stands; YouTube follows its session's
//! `Range` and probes the session.

use herald_core::Timestamp;

use super::{MediaItem, MediaKind, MediaSource, PostFormat, Progress, PublishRequest, Step};
use super::{marked, with};
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

/// Progress keys both keep (saved between attempts: the names are fixed).
/// The next byte to send.
pub(super) const OFFSET: &str = "offset";
/// The intent marker of the final chunk.
pub(super) const FINAL_SENT: &str = "final_sent_at";

/// How a one-video platform words its refusals of a request.
pub(super) struct OneVideo {
    pub provider: ProviderId,
    /// The accounts it publishes to.
    pub kind: AccountKind,
    pub wrong_account: &'static str,
    pub not_video: &'static str,
    pub not_one_video: &'static str,
}

/// The one video of a post (of the right account kind, as a video post, a
/// non-empty video file), or the platform's refusal.
pub(super) fn the_video<'a>(
    request: &'a PublishRequest,
    rules: &OneVideo,
) -> Result<&'a MediaItem, PlatformError> {
    let refuse = |why: &str| {
        Err(PlatformError::new(
            rules.provider,
            ErrorKind::BadRequest,
            why.to_owned(),
        ))
    };
    if request.kind != rules.kind {
        return refuse(rules.wrong_account);
    }
    if request.format != PostFormat::Video {
        return refuse(rules.not_video);
    }
    match request.media.as_slice() {
        [item] if item.kind == MediaKind::Video && item.size > 0 => Ok(item),
        _ => refuse(rules.not_one_video),
    }
}

/// Exactly `len` bytes of the video from `offset`: a file that cannot be
/// read is unavailable (try again), one shorter than its recorded size a
/// bad request.
pub(super) async fn read_chunk(
    provider: ProviderId,
    media: &dyn MediaSource,
    item: &MediaItem,
    offset: u64,
    len: u64,
) -> Result<Vec<u8>, PlatformError> {
    let bytes = media.read(item, offset, len).await.map_err(|e| {
        PlatformError::new(
            provider,
            ErrorKind::Unavailable,
            format!("could not read the video: {e}"),
        )
    })?;
    if bytes.len() as u64 != len {
        return Err(PlatformError::new(
            provider,
            ErrorKind::BadRequest,
            "the video file is shorter than its recorded size",
        ));
    }
    Ok(bytes)
}

/// Whether an upload URL the platform gave may receive video bytes: on the
/// real hosts an `https` URL whose host the platform's `host_ok` accepts,
/// in the sandbox a URL under the sandbox's base.
pub(super) fn upload_url_allowed(hosts: &Hosts, url: &str, host_ok: impl Fn(&str) -> bool) -> bool {
    match hosts {
        Hosts::Real => url::Url::parse(url)
            .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(&host_ok)),
        Hosts::Sandbox { base } => url.starts_with(&format!("{base}/")),
    }
}

/// The step before sending the final chunk from `offset`: save the offset
/// and the intent marker, so that a later step asks the platform whether
/// the final chunk landed before sending anything.
pub(super) fn final_intent(progress: &Progress, offset: u64, now: Timestamp) -> Step {
    let next = with(progress, OFFSET, offset.to_string());
    Step::Continue(marked(&next, FINAL_SENT, now))
}

/// The `Content-Range` of a chunk: bytes `offset..end` of `size`.
pub(super) fn content_range(offset: u64, end: u64, size: u64) -> String {
    format!("bytes {offset}-{}/{size}", end - 1)
}
