//! Fault injection and call counting, keyed by endpoint id.
//!
//! Every simulated endpoint has a stable id (`meta.me_accounts`,
//! `tiktok.token`, ...). Each request to it is counted; a fault injected for
//! it is consumed by matching requests (`times` counts down) and the
//! endpoint's module renders the platform-accurate response for the fault.

use std::collections::BTreeMap;

/// Every endpoint id, with what it covers. The first column is what
/// [`crate::Sandbox::inject`], [`crate::Sandbox::calls`] and
/// `POST /_admin/faults` take.
pub(crate) const ENDPOINT_DOCS: &[(&str, &str)] = &[
    (
        "meta.oauth_dialog",
        "www.facebook.com/{v}/dialog/oauth — Facebook Login consent (faults apply on submit)",
    ),
    (
        "meta.access_token",
        "graph.facebook.com/{v}/oauth/access_token — code exchange and fb_exchange_token",
    ),
    (
        "meta.me",
        "graph.facebook.com/{v}/me — the user (or Page, with a Page token)",
    ),
    (
        "meta.me_accounts",
        "graph.facebook.com/{v}/me/accounts — Pages and Page tokens",
    ),
    (
        "meta.permissions",
        "graph.facebook.com/{v}/me/permissions — GET grants, DELETE removes the app",
    ),
    (
        "meta.object",
        "graph.facebook.com/{v}/{id} — Page and Instagram business account reads",
    ),
    (
        "meta.debug_token",
        "graph.facebook.com/{v}/debug_token — token introspection",
    ),
    (
        "meta.subscribed_apps",
        "graph.facebook.com/{v}/{page-id}/subscribed_apps — a Page's webhook subscription (GET, POST, DELETE)",
    ),
    (
        "instagram.subscribed_apps",
        "graph.instagram.com/{v}/me/subscribed_apps — an Instagram Login account's webhook subscription (GET, POST, DELETE)",
    ),
    (
        "instagram.oauth_dialog",
        "www.instagram.com/oauth/authorize — Instagram Login consent (faults apply on submit)",
    ),
    (
        "instagram.access_token",
        "api.instagram.com/oauth/access_token — code exchange",
    ),
    (
        "instagram.exchange",
        "graph.instagram.com/access_token — ig_exchange_token",
    ),
    (
        "instagram.refresh",
        "graph.instagram.com/refresh_access_token — ig_refresh_token",
    ),
    (
        "instagram.me",
        "graph.instagram.com/{v}/me — the Instagram professional account",
    ),
    (
        "tiktok.oauth_dialog",
        "www.tiktok.com/v2/auth/authorize/ — TikTok Login Kit consent (faults apply on submit)",
    ),
    (
        "tiktok.token",
        "open.tiktokapis.com/v2/oauth/token/ — code exchange and refresh",
    ),
    (
        "tiktok.revoke",
        "open.tiktokapis.com/v2/oauth/revoke/ — revoke the authorization",
    ),
    (
        "tiktok.user_info",
        "open.tiktokapis.com/v2/user/info/ — the user, fields gated by scope",
    ),
    (
        "google.oauth_dialog",
        "accounts.google.com/o/oauth2/v2/auth — Google consent (faults apply on submit)",
    ),
    (
        "google.token",
        "oauth2.googleapis.com/token — code exchange and refresh",
    ),
    (
        "google.revoke",
        "oauth2.googleapis.com/revoke — revoke a grant",
    ),
    (
        "google.tokeninfo",
        "oauth2.googleapis.com/tokeninfo — access token introspection",
    ),
    (
        "google.userinfo",
        "www.googleapis.com/oauth2/v3/userinfo — OpenID Connect user info",
    ),
    (
        "youtube.channels",
        "www.googleapis.com/youtube/v3/channels — channels.list",
    ),
    (
        "drive.files_list",
        "www.googleapis.com/drive/v3/files — files.list",
    ),
    (
        "drive.files_get",
        "www.googleapis.com/drive/v3/files/{id} — metadata, or bytes with alt=media",
    ),
    (
        "instagram.media_create",
        "graph.facebook.com/{v}/{ig-user-id}/media and graph.instagram.com/{v}/{ig-user-id}/media — create a container (POST)",
    ),
    (
        "instagram.container_status",
        "graph.*.com/{v}/{container-id}?fields=status_code,status — container status",
    ),
    (
        "instagram.media_publish",
        "graph.*.com/{v}/{ig-user-id}/media_publish — publish a container",
    ),
    (
        "instagram.media_list",
        "graph.*.com/{v}/{ig-user-id}/media (GET) — the account's recent media",
    ),
    (
        "instagram.media_get",
        "graph.*.com/{v}/{ig-media-id} — a published media (permalink)",
    ),
    (
        "instagram.publishing_limit",
        "graph.*.com/{v}/{ig-user-id}/content_publishing_limit — 24-hour quota usage",
    ),
    (
        "instagram.comments",
        "graph.*.com/{v}/{ig-media-id}/comments — first comment (POST) and listing (GET)",
    ),
    (
        "facebook.feed",
        "graph.facebook.com/{v}/{page-id}/feed — Page text/link post (POST) and listing (GET)",
    ),
    (
        "facebook.photos",
        "graph.facebook.com/{v}/{page-id}/photos — Page photo post",
    ),
    (
        "facebook.videos",
        "graph-video.facebook.com/{v}/{page-id}/videos — Page video post from file_url",
    ),
    (
        "facebook.object",
        "graph.facebook.com/{v}/{post-or-video-id} — a Page post or video (status, permalink)",
    ),
    (
        "facebook.comments",
        "graph.facebook.com/{v}/{post-id}/comments — first comment (POST) and listing (GET); on a comment id, replies",
    ),
    (
        "tiktok.creator_info",
        "open.tiktokapis.com/v2/post/publish/creator_info/query/ — creator info",
    ),
    (
        "tiktok.video_init",
        "open.tiktokapis.com/v2/post/publish/video/init/ — direct post init",
    ),
    (
        "tiktok.upload",
        "open-upload.tiktokapis.com/video/ — chunk upload (PUT with Content-Range)",
    ),
    (
        "tiktok.status",
        "open.tiktokapis.com/v2/post/publish/status/fetch/ — publish status",
    ),
    (
        "tiktok.video_list",
        "open.tiktokapis.com/v2/video/list/ — the user's public videos",
    ),
    (
        "youtube.upload_init",
        "www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable — open an upload session (POST)",
    ),
    (
        "youtube.upload_chunk",
        "www.googleapis.com/upload/youtube/v3/videos?upload_id= — PUT a chunk or probe",
    ),
    (
        "youtube.videos",
        "www.googleapis.com/youtube/v3/videos — videos.list",
    ),
    (
        "instagram.comment",
        "graph.*.com/{v}/{ig-comment-id} — read (GET), hide or show (POST hide=), delete (DELETE) a comment",
    ),
    (
        "instagram.replies",
        "graph.*.com/{v}/{ig-comment-id}/replies — reply to a comment (POST) and its replies (GET)",
    ),
    (
        "instagram.messages",
        "graph.*.com/{v}/{ig-user-id}/messages — direct messages and private replies (POST)",
    ),
    (
        "facebook.comment",
        "graph.facebook.com/{v}/{comment-id} — read (GET), hide or show (POST is_hidden=), delete (DELETE) a Page comment",
    ),
    (
        "facebook.messages",
        "graph.facebook.com/{v}/{page-id}/messages — Messenger messages and private replies (POST)",
    ),
    (
        "instagram.user_insights",
        "graph.*.com/{v}/{ig-user-id}/insights — Instagram account insights",
    ),
    (
        "instagram.media_insights",
        "graph.*.com/{v}/{ig-media-id}/insights — Instagram media insights",
    ),
    (
        "facebook.page_insights",
        "graph.facebook.com/{v}/{page-id}/insights — Page insights",
    ),
    (
        "facebook.post_insights",
        "graph.facebook.com/{v}/{post-id}/insights — Page post insights",
    ),
    (
        "facebook.published_posts",
        "graph.facebook.com/{v}/{page-id}/published_posts (and /posts) — the Page's posts",
    ),
    (
        "youtube.comment_threads",
        "www.googleapis.com/youtube/v3/commentThreads — commentThreads.list",
    ),
    (
        "youtube.comments",
        "www.googleapis.com/youtube/v3/comments — comments.list, comments.insert (replies), comments.delete",
    ),
    (
        "youtube.comment_moderation",
        "www.googleapis.com/youtube/v3/comments/setModerationStatus — hide, show or reject comments",
    ),
    (
        "openai.chat_completions",
        "api.openai.com/v1/chat/completions — chat completions, streamed or not",
    ),
    (
        "openai.models",
        "api.openai.com/v1/models — the models a key may use",
    ),
    (
        "tiktok.video_query",
        "open.tiktokapis.com/v2/video/query/ — the user's videos by id",
    ),
    (
        "youtube.playlist_items",
        "www.googleapis.com/youtube/v3/playlistItems — playlistItems.list (a channel's uploads)",
    ),
    (
        "youtube.analytics_reports",
        "youtubeanalytics.googleapis.com/v2/reports — YouTube Analytics reports.query",
    ),
];

/// Every endpoint id:
///
/// | id | endpoint |
/// |---|---|
/// | `meta.oauth_dialog` | `www.facebook.com/{v}/dialog/oauth` (faults apply when the form is submitted) |
/// | `meta.access_token` | `graph.facebook.com/{v}/oauth/access_token` |
/// | `meta.me` | `graph.facebook.com/{v}/me` |
/// | `meta.me_accounts` | `graph.facebook.com/{v}/me/accounts` |
/// | `meta.permissions` | `graph.facebook.com/{v}/me/permissions` (GET and DELETE) |
/// | `meta.object` | `graph.facebook.com/{v}/{page-id or ig-user-id}` |
/// | `meta.debug_token` | `graph.facebook.com/{v}/debug_token` |
/// | `instagram.oauth_dialog` | `www.instagram.com/oauth/authorize` |
/// | `instagram.access_token` | `api.instagram.com/oauth/access_token` |
/// | `instagram.exchange` | `graph.instagram.com/access_token` |
/// | `instagram.refresh` | `graph.instagram.com/refresh_access_token` |
/// | `instagram.me` | `graph.instagram.com/{v}/me` |
/// | `tiktok.oauth_dialog` | `www.tiktok.com/v2/auth/authorize/` |
/// | `tiktok.token` | `open.tiktokapis.com/v2/oauth/token/` |
/// | `tiktok.revoke` | `open.tiktokapis.com/v2/oauth/revoke/` |
/// | `tiktok.user_info` | `open.tiktokapis.com/v2/user/info/` |
/// | `google.oauth_dialog` | `accounts.google.com/o/oauth2/v2/auth` |
/// | `google.token` | `oauth2.googleapis.com/token` |
/// | `google.revoke` | `oauth2.googleapis.com/revoke` |
/// | `google.tokeninfo` | `oauth2.googleapis.com/tokeninfo` |
/// | `google.userinfo` | `www.googleapis.com/oauth2/v3/userinfo` |
/// | `youtube.channels` | `www.googleapis.com/youtube/v3/channels` |
/// | `drive.files_list` | `www.googleapis.com/drive/v3/files` |
/// | `drive.files_get` | `www.googleapis.com/drive/v3/files/{id}` (metadata and `alt=media`) |
/// | `instagram.media_create` | `graph.facebook.com/{v}/{ig-user-id}/media and graph.instagram.com/{v}/{ig-user-id}/media` |
/// | `instagram.container_status` | `graph.*.com/{v}/{container-id}?fields=status_code,status` |
/// | `instagram.media_publish` | `graph.*.com/{v}/{ig-user-id}/media_publish` |
/// | `instagram.media_list` | `graph.*.com/{v}/{ig-user-id}/media (GET)` |
/// | `instagram.media_get` | `graph.*.com/{v}/{ig-media-id}` |
/// | `instagram.publishing_limit` | `graph.*.com/{v}/{ig-user-id}/content_publishing_limit` |
/// | `instagram.comments` | `graph.*.com/{v}/{ig-media-id}/comments` |
/// | `facebook.feed` | `graph.facebook.com/{v}/{page-id}/feed` |
/// | `facebook.photos` | `graph.facebook.com/{v}/{page-id}/photos` |
/// | `facebook.videos` | `graph-video.facebook.com/{v}/{page-id}/videos` |
/// | `facebook.object` | `graph.facebook.com/{v}/{post-or-video-id}` |
/// | `facebook.comments` | `graph.facebook.com/{v}/{post-id}/comments` |
/// | `tiktok.creator_info` | `open.tiktokapis.com/v2/post/publish/creator_info/query/` |
/// | `tiktok.video_init` | `open.tiktokapis.com/v2/post/publish/video/init/` |
/// | `tiktok.upload` | `open-upload.tiktokapis.com/video/` |
/// | `tiktok.status` | `open.tiktokapis.com/v2/post/publish/status/fetch/` |
/// | `tiktok.video_list` | `open.tiktokapis.com/v2/video/list/` |
/// | `youtube.upload_init` | `www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable` |
/// | `youtube.upload_chunk` | `www.googleapis.com/upload/youtube/v3/videos?upload_id=` |
/// | `youtube.videos` | `www.googleapis.com/youtube/v3/videos` |
/// | `instagram.comment` | `graph.*.com/{v}/{ig-comment-id}` (GET, POST `hide`, DELETE) |
/// | `instagram.replies` | `graph.*.com/{v}/{ig-comment-id}/replies` |
/// | `instagram.messages` | `graph.*.com/{v}/{ig-user-id}/messages` |
/// | `facebook.comment` | `graph.facebook.com/{v}/{comment-id}` (GET, POST `is_hidden`, DELETE) |
/// | `facebook.messages` | `graph.facebook.com/{v}/{page-id}/messages` |
/// | `instagram.user_insights` | `graph.*.com/{v}/{ig-user-id}/insights` |
/// | `instagram.media_insights` | `graph.*.com/{v}/{ig-media-id}/insights` |
/// | `facebook.page_insights` | `graph.facebook.com/{v}/{page-id}/insights` |
/// | `facebook.post_insights` | `graph.facebook.com/{v}/{post-id}/insights` |
/// | `facebook.published_posts` | `graph.facebook.com/{v}/{page-id}/published_posts` and `/posts` |
/// | `youtube.comment_threads` | `www.googleapis.com/youtube/v3/commentThreads` |
/// | `youtube.comments` | `www.googleapis.com/youtube/v3/comments` (GET, POST, DELETE) |
/// | `youtube.comment_moderation` | `www.googleapis.com/youtube/v3/comments/setModerationStatus` |
/// | `openai.chat_completions` | `api.openai.com/v1/chat/completions` |
/// | `openai.models` | `api.openai.com/v1/models` and `/v1/models/{model}` |
/// | `tiktok.video_query` | `open.tiktokapis.com/v2/video/query/` |
/// | `youtube.playlist_items` | `www.googleapis.com/youtube/v3/playlistItems` |
/// | `youtube.analytics_reports` | `youtubeanalytics.googleapis.com/v2/reports` |
pub const ENDPOINTS: &[&str] = &[
    "meta.oauth_dialog",
    "meta.access_token",
    "meta.me",
    "meta.me_accounts",
    "meta.permissions",
    "meta.object",
    "meta.debug_token",
    "meta.subscribed_apps",
    "instagram.subscribed_apps",
    "instagram.oauth_dialog",
    "instagram.access_token",
    "instagram.exchange",
    "instagram.refresh",
    "instagram.me",
    "tiktok.oauth_dialog",
    "tiktok.token",
    "tiktok.revoke",
    "tiktok.user_info",
    "google.oauth_dialog",
    "google.token",
    "google.revoke",
    "google.tokeninfo",
    "google.userinfo",
    "youtube.channels",
    "drive.files_list",
    "drive.files_get",
    "instagram.media_create",
    "instagram.container_status",
    "instagram.media_publish",
    "instagram.media_list",
    "instagram.media_get",
    "instagram.publishing_limit",
    "instagram.comments",
    "facebook.feed",
    "facebook.photos",
    "facebook.videos",
    "facebook.object",
    "facebook.comments",
    "tiktok.creator_info",
    "tiktok.video_init",
    "tiktok.upload",
    "tiktok.status",
    "tiktok.video_list",
    "youtube.upload_init",
    "youtube.upload_chunk",
    "youtube.videos",
    "instagram.comment",
    "instagram.replies",
    "instagram.messages",
    "facebook.comment",
    "facebook.messages",
    "instagram.user_insights",
    "instagram.media_insights",
    "facebook.page_insights",
    "facebook.post_insights",
    "facebook.published_posts",
    "youtube.comment_threads",
    "youtube.comments",
    "youtube.comment_moderation",
    "openai.chat_completions",
    "openai.models",
    "tiktok.video_query",
    "youtube.playlist_items",
    "youtube.analytics_reports",
];

/// What an injected fault makes an endpoint answer. Each endpoint renders the
/// kind in its platform's own shape (see the crate docs for the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    RateLimited,
    ServerError,
    /// Sleep, then answer normally.
    Slow {
        delay_ms: u64,
    },
    ExpiredToken,
    RevokedToken,
    MissingPermission,
    /// The platform does everything the request asks, then the answer is
    /// lost: the status line and headers go out and the connection breaks
    /// in the body, so the client cannot tell whether it worked. This is
    /// what makes other tools post twice.
    ResponseLost,
    /// AI only: the service's content filter refuses the prompt (400
    /// `content_filter`).
    ContentFiltered,
    /// AI only: the answer starts, then the content filter stops it
    /// (`finish_reason: content_filter`).
    AnswerFiltered,
    /// AI only: the answer starts, then the connection breaks mid-answer
    /// (no `finish_reason`, no `[DONE]`).
    StreamCut,
    /// AI only: the account's credit is used up (429 `insufficient_quota`).
    QuotaExhausted,
}

impl FaultKind {
    /// The admin API's name for the kind.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::RateLimited => "rate_limited",
            FaultKind::ServerError => "server_error",
            FaultKind::Slow { .. } => "slow",
            FaultKind::ExpiredToken => "expired_token",
            FaultKind::RevokedToken => "revoked_token",
            FaultKind::MissingPermission => "missing_permission",
            FaultKind::ResponseLost => "response_lost",
            FaultKind::ContentFiltered => "content_filtered",
            FaultKind::AnswerFiltered => "answer_filtered",
            FaultKind::StreamCut => "stream_cut",
            FaultKind::QuotaExhausted => "quota_exhausted",
        }
    }

    /// Whether an endpoint can show this kind: the AI kinds only on the
    /// chat completions endpoint.
    pub fn applies_to(&self, endpoint: &str) -> bool {
        match self {
            FaultKind::ContentFiltered
            | FaultKind::AnswerFiltered
            | FaultKind::StreamCut
            | FaultKind::QuotaExhausted => endpoint == "openai.chat_completions",
            _ => true,
        }
    }

    /// Parses the admin API's name; `delay_ms` is only used by `slow`.
    pub fn parse(name: &str, delay_ms: u64) -> Option<Self> {
        Some(match name {
            "rate_limited" => FaultKind::RateLimited,
            "server_error" => FaultKind::ServerError,
            "slow" => FaultKind::Slow { delay_ms },
            "expired_token" => FaultKind::ExpiredToken,
            "revoked_token" => FaultKind::RevokedToken,
            "missing_permission" => FaultKind::MissingPermission,
            "response_lost" => FaultKind::ResponseLost,
            "content_filtered" => FaultKind::ContentFiltered,
            "answer_filtered" => FaultKind::AnswerFiltered,
            "stream_cut" => FaultKind::StreamCut,
            "quota_exhausted" => FaultKind::QuotaExhausted,
            _ => return None,
        })
    }
}

/// The admin API's names of all fault kinds.
pub(crate) const FAULT_KIND_NAMES: &[&str] = &[
    "rate_limited",
    "server_error",
    "slow",
    "expired_token",
    "revoked_token",
    "missing_permission",
    "response_lost",
    "content_filtered",
    "answer_filtered",
    "stream_cut",
    "quota_exhausted",
];

/// A fault for one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// How many matching requests it affects; None = until cleared.
    pub times: Option<u32>,
}

impl Fault {
    /// A fault that stays until cleared.
    pub fn always(kind: FaultKind) -> Self {
        Self { kind, times: None }
    }

    /// A fault for the next `times` matching requests.
    pub fn times(kind: FaultKind, times: u32) -> Self {
        Self {
            kind,
            times: Some(times),
        }
    }
}

/// Looks an endpoint id up in [`ENDPOINTS`], giving the static spelling.
pub(crate) fn endpoint_id(endpoint: &str) -> Option<&'static str> {
    ENDPOINTS.iter().copied().find(|id| *id == endpoint)
}

/// Injected faults and per-endpoint call counters (memory only).
#[derive(Debug, Default)]
pub(crate) struct FaultBoard {
    faults: BTreeMap<&'static str, Fault>,
    calls: BTreeMap<&'static str, u64>,
}

impl FaultBoard {
    pub fn inject(&mut self, endpoint: &'static str, fault: Fault) {
        if fault.times == Some(0) {
            self.faults.remove(endpoint);
        } else {
            self.faults.insert(endpoint, fault);
        }
    }

    pub fn clear(&mut self) {
        self.faults.clear();
    }

    /// Counts a request without consulting faults.
    pub fn count(&mut self, endpoint: &'static str) {
        *self.calls.entry(endpoint).or_default() += 1;
    }

    /// Counts a request and consumes one use of the endpoint's fault.
    pub fn hit(&mut self, endpoint: &'static str) -> Option<FaultKind> {
        self.count(endpoint);
        let fault = self.faults.get_mut(endpoint)?;
        let kind = fault.kind;
        if let Some(left) = fault.times.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.faults.remove(endpoint);
            }
        }
        Some(kind)
    }

    pub fn calls(&self, endpoint: &str) -> u64 {
        self.calls.get(endpoint).copied().unwrap_or(0)
    }

    pub fn faults(&self) -> impl Iterator<Item = (&'static str, Fault)> + '_ {
        self.faults.iter().map(|(k, v)| (*k, *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_documented_once() {
        assert_eq!(ENDPOINTS.len(), ENDPOINT_DOCS.len());
        for (id, (doc_id, _)) in ENDPOINTS.iter().zip(ENDPOINT_DOCS) {
            assert_eq!(id, doc_id);
        }
    }

    #[test]
    fn a_counted_fault_disappears_after_its_last_use() {
        let mut board = FaultBoard::default();
        board.inject("meta.me", Fault::times(FaultKind::ServerError, 2));
        assert_eq!(board.hit("meta.me"), Some(FaultKind::ServerError));
        assert_eq!(board.hit("meta.me"), Some(FaultKind::ServerError));
        assert_eq!(board.hit("meta.me"), None);
        assert_eq!(board.calls("meta.me"), 3);
    }

    #[test]
    fn kind_names_round_trip() {
        for name in FAULT_KIND_NAMES {
            assert_eq!(FaultKind::parse(name, 5).unwrap().name(), *name);
        }
        assert_eq!(FaultKind::parse("nope", 0), None);
    }
}
