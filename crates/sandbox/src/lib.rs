//! Offline simulators of the platforms Herald publishes to, for tests and
//! demos: the Meta Graph API (Facebook Login, Pages, Instagram business
//! accounts, and Instagram Login), TikTok Login Kit v2 with user info and
//! the Content Posting API, and Google OAuth 2.0 with YouTube channels,
//! resumable video uploads and Google Drive; engagement on Meta and
//! YouTube (comments, replies, moderation, private replies, messages); and
//! an OpenAI-compatible chat completions API for AI drafting.
//!
//! The simulators follow the wire contract of `platform-apis.md`: real
//! paths and parameters, JSON shapes, error objects and codes, rate-limit
//! headers and token lifetimes. Herald's real adapters are tested against
//! them, so the contract matters more than breadth. Nothing here calls a
//! real host.
//!
//! # Mounting and URL layout
//!
//! [`Sandbox::router`] is an axum router whose paths are relative to its
//! mount point ([`SandboxConfig::public_base`]). Each real host becomes a
//! path prefix and keeps its real path after it:
//!
//! | real URL | sandbox path |
//! |---|---|
//! | `https://www.facebook.com/v25.0/dialog/oauth` | `/www.facebook.com/v25.0/dialog/oauth` |
//! | `https://graph.facebook.com/v25.0/...` | `/graph.facebook.com/v25.0/...` (`oauth/access_token`, `me`, `me/accounts`, `me/permissions`, `debug_token`, `{page-id}`, `{ig-user-id}`; publishing: `{ig-user-id}/media`, `/media_publish`, `/stories`, `/content_publishing_limit`, `{container-id}`, `{ig-media-id}`, `{ig-media-id}/comments`, `{page-id}/feed`, `/photos`, `/videos`, `{post-id}`, `{photo-id}`, `{video-id}`, `{post-id}/comments`; webhooks: `{page-id}/subscribed_apps` (GET, POST, DELETE; `me` with a Page token); engagement: `{comment-id}` (GET, POST, DELETE), `{comment-id}/comments`, `{ig-comment-id}/replies`, `{page-id}/messages`, `{ig-user-id}/messages`; insights: `{ig-user-id}/insights`, `{ig-media-id}/insights`, `{page-id}/insights`, `{post-id}/insights`, `{page-id}/published_posts` and `/posts`) |
//! | `https://graph-video.facebook.com/v25.0/{page-id}/videos` | `/graph-video.facebook.com/v25.0/{page-id}/videos` |
//! | `https://www.instagram.com/oauth/authorize` | `/www.instagram.com/oauth/authorize` (also `/api.instagram.com/oauth/authorize`) |
//! | `https://api.instagram.com/oauth/access_token` | `/api.instagram.com/oauth/access_token` |
//! | `https://graph.instagram.com/...` | `/graph.instagram.com/access_token`, `/refresh_access_token`, `/me`, `/v25.0/me`; publishing as on graph.facebook.com for the account (`me` works as its id): `/v25.0/{ig-user-id}/media`, `/media_publish`, `/stories`, `/content_publishing_limit`, `/v25.0/{container-id}`, `/{ig-media-id}`, `/{ig-media-id}/comments`; webhooks: `/v25.0/me/subscribed_apps` (GET, POST, DELETE); engagement: `/v25.0/{ig-comment-id}` (GET, POST, DELETE), `/{ig-comment-id}/replies`, `/{ig-user-id}/messages` (or `me/messages`); insights: `/v25.0/{ig-user-id}/insights` (or `me/insights`), `/{ig-media-id}/insights` |
//! | `https://www.tiktok.com/v2/auth/authorize/` | `/www.tiktok.com/v2/auth/authorize/` |
//! | `https://open.tiktokapis.com/v2/...` | `/open.tiktokapis.com/v2/oauth/token/`, `/oauth/revoke/`, `/user/info/`, `/post/publish/creator_info/query/`, `/post/publish/video/init/`, `/post/publish/status/fetch/`, `/video/list/`, `/video/query/` |
//! | `https://open-upload.tiktokapis.com/video/?upload_id=…&upload_token=…` | `/open-upload.tiktokapis.com/video/` (chunk `PUT`s; the upload URL from `video/init/` is already a sandbox URL) |
//! | `https://accounts.google.com/o/oauth2/v2/auth` | `/accounts.google.com/o/oauth2/v2/auth` |
//! | `https://oauth2.googleapis.com/...` | `/oauth2.googleapis.com/token`, `/revoke`, `/tokeninfo` |
//! | `https://api.openai.com/v1/...` | `/api.openai.com/v1/chat/completions` (`POST`, streamed or whole), `/api.openai.com/v1/models`, `/api.openai.com/v1/models/{model}` |
//! | `https://www.googleapis.com/...` | `/www.googleapis.com/oauth2/v3/userinfo`, `/youtube/v3/channels`, `/youtube/v3/videos`, `/upload/youtube/v3/videos` (resumable `POST`, then `PUT` on the session URI from `Location`), `/youtube/v3/commentThreads`, `/youtube/v3/comments` (GET, POST, DELETE), `/youtube/v3/comments/setModerationStatus`, `/youtube/v3/playlistItems`, `/drive/v3/files`, `/drive/v3/files/{id}` |
//! | `https://youtubeanalytics.googleapis.com/v2/reports` | `/youtubeanalytics.googleapis.com/v2/reports` |
//!
//! Any Graph version segment `vNN.N` is accepted. The sandbox also serves
//! `GET /` (an HTML index with fault and webhook forms), `/_admin/*` (JSON admin API,
//! see [`admin`](crate#admin-http-api)), `/_callback` (shows what a consent
//! page redirected with, for trying dialogs by hand), `/_static/sandbox.css`
//! and `/_static/avatar/{key}.svg`.
//!
//! # Consent pages
//!
//! `GET` on an authorize URL validates the request first (unknown client,
//! missing or malformed `redirect_uri`, bad `response_type`, unknown scopes
//! give an error page and no redirect, as the real platforms do), then shows
//! a form labelled "Sandbox · …" with a sandbox user field (default `demo`),
//! one checkbox per requested scope, one per Page for Facebook Login, and
//! Allow / Deny. The form posts to the same path; the answer is a 303 to the
//! `redirect_uri` with the platform's parameters. Mandatory scopes
//! (`public_profile`, `instagram_business_basic`, `user.info.basic`, Google's
//! `openid`/`email`/`profile`) cannot be unchecked.
//!
//! # Seeded sandbox users
//!
//! Any name typed on a consent page is a sandbox user (lower-cased, other
//! characters than `[a-z0-9._-]` become `-`). Its data is derived from
//! SHA-256 of the name, so it is the same on every run. `Demo` below stands
//! for the display form of the name ("alice.smith" → "Alice Smith"):
//!
//! - **Meta**: user `Demo Sandbox` (id `100` + 12 digits) managing two Pages,
//!   `Demo Bakery` (category Bakery) and `Demo Studio` (Art Studio), ids of
//!   15 digits. Each Page has an Instagram business account
//!   (`17841…`, usernames `demo.bakery` / `demo.studio`, names as the
//!   Pages, counts, biography, `profile_picture_url` under the sandbox).
//! - **Instagram Login**: the `demo.bakery` account; `user_id` in `/me` is its
//!   `17841…` id, `id` an app-scoped id (`2` + 15 digits).
//! - **TikTok**: UUID-shaped `open_id` (per client key) and `union_id`, display name `Demo`, username `demo`, avatars under the sandbox,
//!   bio, deep link and counts.
//! - **Google**: `sub` of 21 digits, `demo@sandbox.example`, name
//!   `Demo Sandbox`; YouTube channels `Demo Bakery` (`@demobakery`) and
//!   `Demo Studio` (`@demostudio`) with `UC…` ids and string statistics;
//!   Drive files `croissants.png` (96×64), `storefront.png` (120×80),
//!   `latte-art.png` (64×64) — real PNGs —, `bakery-tour.mp4` (~600 KB),
//!   `studio-timelapse.mp4` (~1.3 MB) — MP4-shaped deterministic bytes — and
//!   a Google Docs file `Caption ideas` that cannot be downloaded.
//!
//! # Tokens and codes
//!
//! Codes live 10 minutes, are single-use and bound to the client and the
//! `redirect_uri` (and PKCE when a challenge was sent: S256 base64url or plain
//! for Google and Meta, S256 as lowercase hex for TikTok). Token lifetimes:
//! Meta short user 3600 s, long 5183944 s, Page tokens derived from a long
//! token never expire (from a short one they expire with it); Instagram
//! Login short 3600 s, long 5183944 s, refreshable when ≥ 24 h old; TikTok
//! 86400 s / 31536000 s, or 7200 s / 15552000 s with rotating refresh tokens
//! ([`SandboxConfig::tiktok_rotating_refresh`]); Google access 3599 s,
//! refresh tokens without expiry.
//!
//! # Faults
//!
//! [`Sandbox::inject`] (or `POST /_admin/faults`) makes an endpoint id from
//! [`ENDPOINTS`] answer with a fault, rendered in the platform's shape:
//!
//! | kind | Meta Graph | Instagram Login OAuth | TikTok | Google APIs | Google OAuth |
//! |---|---|---|---|---|---|
//! | RateLimited | 400, code 4 (32 Page / 80002 IG on object reads), usage header ≥ 100 | 429 `OAuthRateLimitException` | 429 `rate_limit_exceeded` | 429 `rateLimitExceeded`; YouTube Data API 403 `quotaExceeded` | 429 `rate_limit_exceeded` |
//! | ServerError | 500, code 2, `is_transient` | 500 | 500 `internal_error` | 503 `backendError` | 503 `temporarily_unavailable` |
//! | Slow | sleeps `delay_ms`, then answers normally | | | | |
//! | ExpiredToken | 190/463 (code endpoints: code 100/36007) | "Invalid authorization code" | 401 `access_token_invalid`; OAuth `invalid_grant` | 401 `authError` | 400 `invalid_grant` |
//! | RevokedToken | 190/460 (code endpoints: 100/36009) | "This authorization code has been used" | as expired | 401 `authError` | 400 `invalid_grant` |
//! | ResponseLost | the request takes full effect, then the answer breaks after its headers (every endpoint) | | | | |
//! | MissingPermission | 200 (`/me/accounts`, token endpoints), 10 (object reads) | 400 | 401 `scope_not_authorized`; OAuth `unauthorized_client` | 403 `insufficientPermissions` | 401 `unauthorized_client` |
//!
//! On `*.oauth_dialog` ids faults apply when the form is submitted:
//! RateLimited / ServerError redirect with `error=server_error` (Google:
//! `temporarily_unavailable` for RateLimited; Meta/Instagram add
//! `error_code=2`), the token kinds and MissingPermission redirect as a
//! denial. `times` counts down per matching request.
//!
//! The upload endpoints render faults like their APIs: `tiktok.upload` in
//! TikTok's envelope, `youtube.upload_chunk` with Google's errors except
//! that RateLimited is 429 `rateLimitExceeded` (upload servers throttle;
//! `youtube.upload_init` and `youtube.videos` answer 403 `quotaExceeded`).
//!
//! Meta publishing endpoints (`instagram.media_create` … `facebook.comments`)
//! render faults as Graph errors after the token is checked and before
//! anything is created: RateLimited is 80002 with the Instagram account's
//! `X-Business-Use-Case-Usage` on Instagram ids, 32 with the Page's on Page
//! endpoints called with a Page token, 4 otherwise; MissingPermission is 10
//! (Instagram, Page reads) or 200 (Page writes).
//!
//! # Rate limits
//!
//! Graph responses carry `X-App-Usage` (percent of [`Limits::meta_app_calls_per_hour`]
//! per app); Page and Instagram object reads also carry
//! `X-Business-Use-Case-Usage` keyed by the object id. At 100 % the call
//! fails with code 4 (app), 32 (Page) or 80002 (Instagram). TikTok user info
//! allows [`Limits::tiktok_user_info_per_minute`] calls per app per sliding
//! minute (429 `rate_limit_exceeded`). YouTube calls spend units of a daily
//! per-project quota ([`Limits::youtube_daily_units`]; 403 `quotaExceeded`).
//! TikTok posting endpoints count per user token per minute
//! ([`Limits::tiktok_creator_info_per_minute`] 20, `video/init/`
//! [`Limits::tiktok_video_init_per_minute`] 6, `status/fetch/`
//! [`Limits::tiktok_status_per_minute`] 30); `video/list/` and
//! `video/query/` 600 per app per minute each. YouTube Analytics queries
//! count against a daily quota of their own
//! ([`Limits::youtube_analytics_daily_queries`]; 429 `rateLimitExceeded`).
//! YouTube `videos.insert` calls
//! (opening an upload session) spend a separate daily bucket
//! ([`Limits::youtube_daily_uploads`], 100; 403 `quotaExceeded`), and a
//! channel may upload [`Limits::youtube_channel_daily_uploads`] videos per
//! Pacific day (400 `uploadLimitExceeded`).
//!
//! # TikTok and YouTube publishing
//!
//! TikTok direct posts (`video/init/` with `FILE_UPLOAD` or
//! `PULL_FROM_URL`) check the chunk plan exactly, take sequential chunk
//! `PUT`s with exact `Content-Range`s on an upload URL valid for an hour
//! (a chunk sent again is answered as before and not counted twice), then
//! process for [`Limits::tiktok_processing_secs`] of sandbox time before
//! `PUBLISH_COMPLETE` (or `FAILED` with `file_format_check_failed` when the
//! bytes have no `ftyp` box at offset 4, `video_pull_failed` when a pull
//! fails); `publicaly_available_post_id` follows
//! [`Limits::tiktok_post_id_secs`] later. Status is advanced lazily, when a
//! status or video list request looks at it.
//!
//! YouTube resumable sessions live [`Limits::youtube_upload_session_secs`]
//! (then 404); non-final chunks are kept in whole 256 KiB blocks and
//! answered 308 with `Range`; the final byte creates the video and answers
//! 200 with the resource, as does every later `PUT` or probe on that
//! session. `videos.list` shows `uploadStatus` `uploaded` (with
//! `processingDetails` and its progress), then `processed` after
//! [`Limits::youtube_processing_secs`] — or `failed` (`invalidFile` for
//! bytes in no video container), `rejected` (`duplicate` with
//! [`SandboxConfig::youtube_reject_duplicates`]), or whatever
//! `POST /_admin/youtube/verdicts` queued. Unless
//! [`SandboxConfig::youtube_audited`], public and unlisted uploads are
//! private once processed (YouTube's lock on unaudited API projects). The
//! `videos.insert` bucket is per project (the Google client id), shared by
//! every user. Both record a [`PublishedPost`] when the post goes live
//! ([`Sandbox::published`]); a rejected or failed video stays recorded, as
//! it stays on the channel.
//!
//! # Instagram and Facebook Page publishing
//!
//! Media URLs (`image_url`, `video_url`, `url`, `file_url`) are really
//! downloaded over HTTP, with [`Limits::media_fetch_timeout_ms`]; the bytes
//! are counted and their first bytes checked (Instagram images: JPEG
//! `FF D8 FF`; Page photos: JPEG, PNG, GIF or WebP; videos: an `ftyp` box
//! at offset 4).
//!
//! An Instagram container (`POST /{ig-user-id}/media`: image, `REELS`,
//! `STORIES`, carousel items, `CAROUSEL` of 2–10 `FINISHED` items of the
//! account) is `IN_PROGRESS` until its download finished and
//! [`Limits::image_processing_secs`] (videos:
//! [`Limits::video_processing_secs`]) of sandbox time passed since
//! creation, then `FINISHED`, or `ERROR` with `status` `ERROR: {subcode}
//! {text}` (2207052 download failed, 2207077 video download failed,
//! 2207005 not a JPEG, 2207026 not a video); `EXPIRED` 24 h after creation,
//! `PUBLISHED` once published. An account may create
//! [`Limits::instagram_containers_per_day`] containers per rolling day.
//! `media_publish` answers 9007/2207027 "Media ID is not available" before
//! `FINISHED`, -2/2207020 when expired, 100 with the download's subcode on
//! `ERROR`, 9/2207042 past [`Limits::instagram_publishes_per_day`] posts in
//! 24 h (a carousel counts once), and otherwise creates the media
//! (permalink `instagram.com/p/…`, `/reel/…` or `/stories/{username}/{id}/`)
//! and records a [`PublishedPost`]. Tokens: the linked Page's token or its
//! manager's user token with `instagram_content_publish` on
//! graph.facebook.com, the account's Instagram Login token with
//! `instagram_business_content_publish` on graph.instagram.com (else code
//! 10); others see 100/33. Captions over 2200 characters: 100/2207010.
//! `/media` lists feed posts and reels newest first (cursor paging,
//! `since`/`until`), `/stories` the last day's stories.
//!
//! Page posts need the Page's own token with `pages_manage_posts` (else
//! 200): `feed` and `photos` publish at once, `{page}_{post}` ids with
//! permalinks `https://www.facebook.com/{page}/posts/{post}`. A video
//! (`graph-video…/{page}/videos`) is `processing` until downloaded and
//! [`Limits::video_processing_secs`] passed, then `ready`: its post
//! `{page}_{video}` goes up (and is recorded) when the Page's feed, videos
//! or the video are next read. Comments (`message`) go on Instagram media
//! (listed newest first as `{id,text,timestamp}`) and Page posts (listed
//! chronologically as `{id,message,created_time,from}`, or
//! `order=reverse_chronological`). Commenting on a Page post takes the
//! Page token with `pages_manage_engagement`, `pages_read_engagement` and
//! `pages_read_user_engagement` (else `(#200) You do not have sufficient
//! permissions to perform this action`).
//!
//! # TikTok and YouTube insights
//!
//! Sandbox users' TikTok accounts and YouTube channels have audiences that
//! grow a little every day and a seeded history of videos (one every 3–5
//! days since 2025-01-01); videos published through the simulators join
//! it. Every figure is a pure function of the account (or video) and the
//! calendar day (UTC for TikTok, Pacific for YouTube): TikTok's
//! `user.info.stats` counts and the video list's and `video/query/`'s
//! view, like, comment and share counts; YouTube's channel and video
//! statistics, the uploads playlist (`playlistItems`) and YouTube
//! Analytics reports by day, in total and by video, ending two or three
//! days ago. [`Sandbox::tiktok_figures`], [`Sandbox::youtube_figures`] and
//! [`Sandbox::youtube_day`] say what they are, for tests.
//! `docs/platforms/analytics.md` lists each rule and its source.
//!
//! # OpenAI-compatible API
//!
//! Chat completions as OpenAI answers them (`docs/platforms/ai.md` has
//! the contract and its sources): `Authorization: Bearer` with
//! [`AiSettings::api_key`] (401 `invalid_api_key` otherwise); models
//! `gpt-4o-mini`, `gpt-4o` (128K context), `o4-mini` (200K, refuses
//! `max_tokens`) and `llama3.1` (8K, as a local server runs it); answers
//! deterministic per request, built from the brief, JSON valid against a
//! `json_schema` `response_format`; `stream: true` gives
//! `chat.completion.chunk` events (role, one token each, finish reason,
//! usage with `stream_options.include_usage`, `[DONE]`). Tokens are counted
//! deterministically (pieces of at most four letters or one other
//! character). Every answer after the key check carries the
//! `x-ratelimit-*` headers of per-key requests and tokens buckets
//! ([`Limits::openai_requests_per_minute`],
//! [`Limits::openai_tokens_per_minute`]); over either, 429
//! `rate_limit_exceeded` with `retry-after`. Prompt and `max_tokens` over
//! the model's context: 400 `context_length_exceeded`. [`AiSettings::latency`]
//! paces the answer ([`AiLatency::ZERO`] writes it in one piece).
//!
//! Faults on `openai.chat_completions`: RateLimited is 429 with only the
//! `x-ratelimit-*` headers (no `retry-after`), ServerError 500, the token
//! kinds 401 `invalid_api_key`, MissingPermission 403 `model_not_found`,
//! and four kinds of its own: ContentFiltered (400 `content_filter`),
//! AnswerFiltered (half the answer, then `finish_reason: content_filter`),
//! StreamCut (half the answer, then the connection breaks) and
//! QuotaExhausted (429 `insufficient_quota`); these four are refused on
//! other endpoints.
//!
//! # Admin HTTP API
//!
//! `GET /_admin/state` (JSON summary), `POST /_admin/faults`
//! `{"endpoint","kind","delay_ms","times"}` (JSON or form), `DELETE
//! /_admin/faults`, `POST /_admin/revoke` `{"platform","username"}` (for
//! Meta and Instagram users it also sends the deauthorize callback when
//! webhooks are configured; the answer then has `deauthorize_log_id`). No
//! authentication: mount the sandbox only where that is acceptable.
//!
//! The Meta webhook sender (needs [`SandboxConfig::webhooks`], else 409
//! `webhooks_not_configured`); each route takes JSON (answers JSON, errors
//! as `{"error":{"code","message"}}`) or a form (redirects to `/`, a
//! refusal shown there):
//!
//! - `POST /_admin/webhooks/subscribe` `{"verify_token"?}`: the handshake,
//!   `GET {callback_url}?hub.mode=subscribe&hub.challenge=<digits>&hub.verify_token=…`
//!   (the configured token unless one is given). Answers
//!   `{"ok","status","echoed","challenge","log_id"}`; `ok` only for 200
//!   with the challenge as the whole body.
//! - `POST /_admin/webhooks/send` `{"account","field","app"?,"value"?,
//!   "text"?,"count"?,"signature"?,"retry"?}`: one signed delivery
//!   `{"object":"page"|"instagram","entry":[{"id","time","changes":[{"field","value"}]}]}`
//!   (`messages`: `"messaging":[…]` instead of `changes`), `count` entries
//!   (1–1000, default 1). `account` is a Page or Instagram id or username
//!   of a signed-in sandbox user, an Instagram username, or a sandbox user
//!   name; `app` (`facebook` / `instagram`) picks the login an Instagram
//!   account is connected with when it is connected both ways (default:
//!   Facebook Login). The entry id is the Page id or the Instagram user id
//!   (`17841…`). Like Meta, the sender delivers only what is subscribed
//!   (see Webhook subscriptions below), else 409 `not_subscribed`.
//!   Without `value` the sandbox builds one: Instagram
//!   `comments` (adds a follower's comment to the account's latest post or
//!   reel, 409 `no_media` if none), `mentions` (`{media_id,comment_id}`),
//!   `story_insights` (the latest story, 409 `no_story`), Page `feed` (a
//!   follower's comment on the latest post, 409 `no_post`), `messages`;
//!   `text` replaces the sample text. `signature`: `valid` (default),
//!   `tampered` (body changed after signing), `missing`, `wrong_secret`,
//!   `malformed` (`sha256=<base64>`). Answers after the first attempt:
//!   `{"delivery_id","status","attempts","state","object","entry_id","app",
//!   "signature","body"}` (`error` when there was no answer). A validly
//!   signed delivery answered non-2xx or not at all is retried in the
//!   background after each of [`WebhookTargets::retry_delays`], unless
//!   `"retry": false`; bad-signature deliveries never are.
//! - `GET /_admin/webhooks`: `{"configured","deliveries":[{"id","kind",
//!   "app","url","object","field","account","user_id","signature","retry",
//!   "created_at","attempts":[{"at","status"|"error"}],"state","body",
//!   "response"}]}`, oldest first (`body` what was sent, `response` the
//!   last answer; times on the sandbox clock); `state` is `pending`,
//!   `retrying`, `delivered` or `failed`.
//! - `POST /_admin/meta/deauthorize` and `POST /_admin/meta/data-deletion`
//!   `{"username"|"account","app"?,"signature"?}`: a form-encoded
//!   `signed_request` (`{"algorithm":"HMAC-SHA256","issued_at","user_id"}`,
//!   HMAC-SHA256 with the app's secret, unpadded base64url) to the app's
//!   URL. `user_id` is what Herald stores as the platform user id: the
//!   Facebook user id, or the Instagram Login account's user id. Answers
//!   `{"log_id","app","user_id","target","signature","status","body"}`
//!   (`body`: the answer, parsed when it is JSON), data deletion also `url`
//!   and `confirmation_code` from it.
//! - `GET /_admin/engagement`: what Herald did through the engagement
//!   endpoints ([`Sandbox::engagement`] as JSON).
//! - `POST /_admin/engagement/messages` `{"account","from"?,"text"?,"app"?}`:
//!   a follower writes to a Page or an Instagram account (opens the
//!   24-hour window). `POST /_admin/engagement/comments`
//!   `{"on"|"account","from"?|"from_account"?,"text"?}`: a comment on a
//!   media or Page post. `POST /_admin/youtube/comments`
//!   `{"video_id"|"parent_id","from"?,"text"?}`: a YouTube comment or reply.
//! - `POST /_admin/youtube/verdicts` `{"upload_status":"rejected"|"failed",
//!   "reason"}`: the next YouTube upload to complete ends that way once
//!   processed (documented reasons only; [`Sandbox::queue_youtube_verdict`]).
//!
//! # Webhook subscriptions
//!
//! Meta sends webhooks only for accounts subscribed one by one.
//! `POST /{page-id}/subscribed_apps` with `subscribed_fields` (comma
//! list) and the Page's own token sets the Page's fields (`me` with a Page
//! token is the Page) and answers `{"success":true}`; `GET` lists the app
//! as `{"data":[{"category","link","name","id","subscribed_fields"}]}`
//! (`{"data":[]}` when not subscribed), `DELETE` unsubscribes. Without
//! `pages_manage_metadata`: 200 `(#200) Requires pages_manage_metadata
//! permission to manage the object`; messaging fields also take
//! `pages_messaging` (`(#200) To subscribe to the messages field, one of
//! these permissions is needed: pages_messaging`); a user token: 210;
//! unknown fields: 100. On graph.instagram.com `/me/subscribed_apps` with
//! the Instagram Login token does the same for the account (`comments`,
//! `live_comments`, `mentions`: `instagram_business_manage_comments`;
//! `story_insights`: `…_manage_insights`; `messages`: `…_manage_messages`).
//! The webhook sender delivers a Page's subscribed fields, an Instagram
//! Login account's subscribed fields, and the Instagram fields of an
//! account reached through a Page once that Page is subscribed. Faults:
//! `meta.subscribed_apps`, `instagram.subscribed_apps`.
//!
//! # Insights
//!
//! `GET /{ig-user-id}/insights` (`metric_type=total_value` windows of at
//! most 30 days, `time_series` for `reach` and `follower_count`),
//! `/{ig-media-id}/insights` on both Graph hosts, `/{page-id}/insights`
//! (daily, at most 93 days) and `/{post-id}/insights` on
//! graph.facebook.com, with the 2025–2026 metric sets; retired metrics
//! answer Graph's errors. Figures are deterministic per account or post
//! and calendar day: followers grow by each day's follows minus unfollows,
//! days have a weekly rhythm and rare spikes and drops, posts' lifetime
//! figures rise and saturate and add to their account's days. Every
//! seeded Page and Instagram account has a history of one post per three
//! days over two years, listed by `/media` and `published_posts`.
//! [`Sandbox::meta_account_day`], [`Sandbox::meta_posts`],
//! [`Sandbox::meta_post_insights`] and [`Sandbox::meta_followers`] give
//! the figures the endpoints report. Faults: `instagram.user_insights`,
//! `instagram.media_insights`, `facebook.page_insights`,
//! `facebook.post_insights`, `facebook.published_posts`. The rules and
//! their sources are in Herald's `docs/platforms/analytics.md`.
//!
//! # Engagement
//!
//! Comment nodes on both Graph hosts (`GET`, `POST hide=`/`is_hidden=`,
//! `DELETE`), replies (`/{ig-comment-id}/replies`, `/{comment-id}/comments`),
//! the messages edge (`/{page-id}/messages`, `/{ig-user-id}/messages`:
//! private replies and direct messages), YouTube `commentThreads.list`,
//! `comments.list`/`insert`/`delete` and `comments.setModerationStatus`.
//! Rules: the 24-hour messaging window from the person's last incoming
//! message (10/2018278), one private reply per comment (10900) within 7
//! days of it (10903), moderation of the account's own content only
//! (`(#200) Permissions error`), YouTube moderation by the channel owner
//! and deletion by the author only (403 `forbidden`); Herald's
//! `docs/platforms/engagement.md` lists each with its source. What was done
//! is kept in the state ([`Sandbox::engagement`], the index page).
//!
//! # Deliberate differences from the real platforms
//!
//! - Webhooks: no legacy `X-Hub-Signature` (SHA-1) header; retries follow
//!   [`WebhookTargets::retry_delays`] (real: up to 36 h), are not
//!   persisted, and nothing is sent unless asked for (publishing and
//!   comments made through the Graph API send no webhooks). App-level
//!   field subscriptions (`/{app-id}/subscriptions`) are not modelled: every
//!   field is taken to be selected for the app. Deauthorize
//!   and data-deletion callbacks are sent once.
//! - Any `http(s)` redirect URI without a fragment is accepted (no registered
//!   list), and consent is asked every time (Google never skips it).
//! - Meta page selection is remembered per user and app (latest consent
//!   wins), as on Facebook; `config_id` without `scope` grants a fixed
//!   business set.
//! - App removal (`revoke_user`, `DELETE /me/permissions`) answers 190/458
//!   ("user has not authorized application"); the RevokedToken fault 190/460.
//! - `expires_in` values are exact constants; Meta's "Session has expired"
//!   message prints UTC.
//! - Instagram refresh issues a new token string; the old one stays valid
//!   until its own expiry.
//! - Google `id_token`s are signed HS256 with the client secret (there are
//!   no Google keys offline). `drive.file` sees every seeded file, as if all
//!   were picked. YouTube quota days ignore daylight saving time.
//! - Meters (usage, quotas) and faults are not persisted; the state file
//!   holds the (sandbox-only) tokens in plain text.
//! - Meta publishing: `media_publish` on an already published container
//!   answers 9004/2207008 ("the media builder was already used"; Graph's
//!   own answer is undocumented), and the 400-containers-a-day limit code 9
//!   without a subcode. Processing times count from creation, not from the
//!   end of the download. `/media` and a Page's `published_posts` list
//!   the seeded history (see Insights) with the API-published posts, but a
//!   seeded post cannot be read by id, and `/feed` lists API-published
//!   posts only; stories have no caption and take no comments. Video `permalink_url`s are absolute and a
//!   video's post id is `{page}_{video-id}`; uploads other than `file_url`,
//!   Page reels and stories, multi-photo posts and `scheduled_publish_time`
//!   are not simulated. Containers are forgotten a week after creation.
//! - TikTok `PULL_FROM_URL` accepts any `http(s)` URL (no verified
//!   domains) and the simulator fetches it itself; unaudited-client rules
//!   (private accounts only, five users a day, `SELF_ONLY` only) apply
//!   with [`SandboxConfig::tiktok_unaudited`]; the seeded app is audited.
//!   The daily post cap per user is [`Limits::tiktok_posts_per_user_per_day`]
//!   (TikTok publishes no number) and counts accepted inits. Branded
//!   content posted `SELF_ONLY` is refused with `invalid_params` (the API's
//!   answer is not documented). Video durations are not decoded: the
//!   creator's longest video is reported, not enforced. Video list
//!   durations are derived from the file size.
//! - Engagement: message tags are not simulated (a tagged message keeps
//!   the 24-hour rule), private replies answer comments only (not visitor
//!   posts), someone who only got a private reply has no conversation
//!   until they write; `order=relevance` orders threads by time, nothing is
//!   `likelySpam`, a thread carries 5 replies; deleting a comment deletes
//!   its replies. Codes Graph does not document are the sandbox's choice:
//!   `(#200)` for a reply to a hidden Instagram comment, `(#210)` for Page
//!   writes without a Page token, 404 `parentCommentNotFound` for a reply
//!   whose parent is not a top-level comment.
//! - A sandbox Google user owns two channels under one token (a real token
//!   is bound to the channel picked at consent): an upload goes to the
//!   channel named in the resource's read-only `snippet.channelId` when the
//!   user owns it, else to the first channel. Only `uploadType=resumable`
//!   is supported, and upload sessions default to one day (real: a week).

// Validation helpers return the finished error `Response` as their `Err` so
// handlers can `?`/early-return it; the size of `Response` is irrelevant there.
#![allow(clippy::result_large_err)]

mod admin;
mod ai;
mod assets;
mod config;
mod consent;
mod engagement;
mod error;
mod faults;
mod fetch;
mod google;
mod graph;
mod instagram;
mod meta;
mod meters;
mod metrics_model;
mod oauth;
mod params;
mod published;
mod seed;
mod state;
mod tiktok;
mod tiktok_insights;
mod tiktok_publish;
mod video_insights;
mod webhooks;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use herald_core::Clock;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use config::{AiLatency, AiSettings, AppCredentials, Limits, SandboxConfig, WebhookTargets};
pub use engagement::{Conversation, DirectMessage, Direction, EngagementAction, EngagementReport};
pub use error::SandboxError;
pub use faults::{ENDPOINTS, Fault, FaultKind};
pub use google::catalog::{YouTubeDay, YouTubeFigures, YouTubeVideo};
pub use meta::{MetaPost, MetaSurface};
pub use published::PublishedPost;
pub use tiktok_insights::{TikTokFigures, TikTokVideo};
pub use tiktok_publish::{TikTokCreator, TikTokPublishView};

use faults::FaultBoard;
use meters::Meters;
use state::State;

/// A simulated platform (for [`Sandbox::revoke_user`] and the admin API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Facebook Login and the Graph API on graph.facebook.com.
    Meta,
    /// Instagram Login and graph.instagram.com.
    Instagram,
    TikTok,
    /// Google OAuth, YouTube and Drive.
    Google,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Meta,
        Platform::Instagram,
        Platform::TikTok,
        Platform::Google,
    ];

    /// The lowercase name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Meta => "meta",
            Platform::Instagram => "instagram",
            Platform::TikTok => "tiktok",
            Platform::Google => "google",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The simulators: one state, one clock, one router. Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    clock: Arc<dyn Clock>,
    /// Downloads media URLs under `config.fetch_policy` (see [`fetch`]).
    fetcher: reqwest::Client,
    state: Mutex<State>,
    meters: Mutex<Meters>,
    faults: Mutex<FaultBoard>,
    webhooks: Mutex<webhooks::WebhookLog>,
    /// The outcome of the index page's last refused engagement form.
    engagement_notice: Mutex<Option<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sandbox {
    /// Starts a sandbox, loading `config.state_file` if it exists.
    pub fn new(config: SandboxConfig, clock: Arc<dyn Clock>) -> Result<Self, SandboxError> {
        let state = match &config.state_file {
            Some(path) => State::load(path)?,
            None => State::default(),
        };
        let fetcher = fetch::client(config.fetch_policy);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                clock,
                fetcher,
                state: Mutex::new(state),
                meters: Mutex::new(Meters::default()),
                faults: Mutex::new(FaultBoard::default()),
                webhooks: Mutex::new(webhooks::WebhookLog::default()),
                engagement_notice: Mutex::new(None),
            }),
        })
    }

    /// The router, state applied; paths are relative to the mount point.
    pub fn router(&self) -> Router {
        let admin = self.inner.config.admin;
        let mut router = Router::new()
            .merge(meta::router())
            .merge(instagram::router())
            .merge(tiktok::router())
            .merge(tiktok_publish::router())
            .merge(tiktok_insights::router())
            .merge(google::router())
            .merge(ai::router())
            .merge(admin::router(admin))
            .merge(assets::router());
        if admin {
            router = router
                .merge(webhooks::router())
                .merge(engagement::router())
                .merge(google::admin_router());
        }
        router
            // Small bodies everywhere but the upload routes (which set
            // their own), and every request bounded in time.
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .layer(middleware::from_fn(time_limit))
            .layer(middleware::from_fn(lose_responses))
            .layer(middleware::from_fn(log_request))
            .with_state(self.clone())
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// Makes requests to `endpoint` (an id from [`ENDPOINTS`]) fail with
    /// `fault`, replacing any fault already set for it.
    pub fn inject(&self, endpoint: &str, fault: Fault) -> Result<(), SandboxError> {
        let id = faults::endpoint_id(endpoint)
            .ok_or_else(|| SandboxError::UnknownEndpoint(endpoint.to_owned()))?;
        if !fault.kind.applies_to(id) {
            return Err(SandboxError::UnsupportedFault {
                endpoint: id,
                kind: fault.kind.name(),
            });
        }
        lock(&self.inner.faults).inject(id, fault);
        Ok(())
    }

    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// Simulates the person removing the app at the platform: every token
    /// of that sandbox user on that platform stops working (Meta: Page
    /// tokens too), with the platform's revoked error. For Meta and
    /// Instagram users, when [`SandboxConfig::webhooks`] is set and a tokio
    /// runtime is running, the deauthorize callback is sent in the
    /// background (best effort, in the webhook log).
    pub fn revoke_user(&self, platform: Platform, username: &str) {
        let user = seed::normalize_username(username);
        self.remove_app(platform, &user);
    }

    /// Every post the simulators published, oldest first.
    pub fn published(&self) -> Vec<PublishedPost> {
        self.read(|st| st.published().to_vec())
    }

    /// Makes the next YouTube upload to complete end `upload_status`
    /// (`rejected` or `failed`) with `reason` (a documented
    /// `rejectionReason` or `failureReason`) once it is processed, as
    /// `POST /_admin/youtube/verdicts` does.
    pub fn queue_youtube_verdict(
        &self,
        upload_status: &str,
        reason: &str,
    ) -> Result<(), SandboxError> {
        let verdict = google::upload::Verdict::parse(upload_status, reason).ok_or_else(|| {
            SandboxError::UnknownYouTubeVerdict {
                upload_status: upload_status.to_owned(),
                reason: reason.to_owned(),
            }
        })?;
        self.update(|st| st.youtube_uploads_mut().queue(verdict));
        Ok(())
    }

    /// The posts published on one account (Page, Instagram user, TikTok
    /// open_id or YouTube channel id), oldest first.
    pub fn published_on(&self, account_id: &str) -> Vec<PublishedPost> {
        self.read(|st| {
            st.published()
                .iter()
                .filter(|p| p.account_id == account_id)
                .cloned()
                .collect()
        })
    }

    /// The webhook fields a Page (Facebook Login) or an Instagram Login
    /// account is subscribed to; `None` when Meta would send nothing.
    pub fn webhook_subscription(&self, account_id: &str) -> Option<Vec<String>> {
        self.read(|st| {
            let subs = st.subscriptions();
            subs.fields(meta::Subscriber::Page, account_id)
                .or_else(|| subs.fields(meta::Subscriber::Instagram, account_id))
                .map(<[String]>::to_vec)
        })
    }

    /// What the engagement simulators hold: every reply, private reply,
    /// message, hide, unhide and delete Herald made (oldest first), the
    /// direct-message conversations, the comments answered privately, and
    /// the comments hidden now (Meta `hidden`/`is_hidden`, YouTube
    /// `heldForReview`).
    pub fn engagement(&self) -> EngagementReport {
        self.read(|st| {
            let mut report = st.engagement().report();
            report.hidden_comments = st.meta_publishing().hidden_comments();
            report.hidden_comments.extend(st.youtube_comments().held());
            report
        })
    }

    /// Sets a TikTok user's account settings (private or public, the
    /// interactions they switched off, their longest video), as
    /// `creator_info/query/` and `video/init/` see them from now on.
    pub fn set_tiktok_creator(&self, username: &str, creator: TikTokCreator) {
        let user = seed::normalize_username(username);
        self.update(|st| st.tiktok_publishes_mut().set_creator(&user, creator));
    }

    /// Every TikTok direct post the sandbox holds, oldest first: what was
    /// asked for and what is in force.
    pub fn tiktok_publishes(&self) -> Vec<TikTokPublishView> {
        self.read(|st| st.tiktok_publishes().views())
    }

    /// How many requests an endpoint id received (unknown ids: 0).
    pub fn calls(&self, endpoint: &str) -> u64 {
        lock(&self.inner.faults).calls(endpoint)
    }

    // ------------------------------------------------------- crate plumbing

    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    pub(crate) fn fetcher(&self) -> &reqwest::Client {
        &self.inner.fetcher
    }

    /// An absolute URL under the mount point.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.config.public_base)
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&lock(&self.inner.state))
    }

    /// Changes the state and persists it when a state file is configured.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let now = self.now();
        let mut state = lock(&self.inner.state);
        let result = f(&mut state);
        state.prune(now);
        if let Some(path) = &self.inner.config.state_file
            && let Err(error) = state.save(path)
        {
            tracing::warn!(%error, path = %path.display(), "sandbox state not saved");
        }
        result
    }

    pub(crate) fn meters<R>(&self, f: impl FnOnce(&mut Meters) -> R) -> R {
        f(&mut lock(&self.inner.meters))
    }

    pub(crate) fn faults<R>(&self, f: impl FnOnce(&mut FaultBoard) -> R) -> R {
        f(&mut lock(&self.inner.faults))
    }

    pub(crate) fn set_engagement_notice(&self, notice: String) {
        *lock(&self.inner.engagement_notice) = Some(notice);
    }

    pub(crate) fn take_engagement_notice(&self) -> Option<String> {
        lock(&self.inner.engagement_notice).take()
    }

    pub(crate) fn webhook_log<R>(&self, f: impl FnOnce(&mut webhooks::WebhookLog) -> R) -> R {
        f(&mut lock(&self.inner.webhooks))
    }

    /// Removes the app for a (normalized) user: returns how many tokens
    /// were revoked and the log id of the deauthorize callback, if one is
    /// being sent (Meta and Instagram users who signed in).
    pub(crate) fn remove_app(&self, platform: Platform, user: &str) -> (usize, Option<String>) {
        let (revoked, known) = self.update(|st| {
            let known = st.users(platform).any(|u| u == user);
            (st.remove_app(platform, user), known)
        });
        let callback = if known {
            webhooks::app_removed(self, platform, user)
        } else {
            None
        };
        (revoked, callback)
    }

    /// Counts a request to `endpoint` and consumes its fault. A `Slow`
    /// fault sleeps here and yields None, so the request proceeds normally.
    pub(crate) async fn hit(&self, endpoint: &'static str) -> Option<FaultKind> {
        let kind = self.faults(|f| f.hit(endpoint));
        match kind {
            Some(FaultKind::Slow { delay_ms }) => {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                None
            }
            Some(FaultKind::ResponseLost) => {
                // The handler does its work; `lose_responses` breaks the
                // answer on its way out.
                let _ = LOSE_RESPONSE.try_with(|flag| flag.store(true, Ordering::Relaxed));
                None
            }
            other => other,
        }
    }

    /// Counts a request without consuming faults (consent page views).
    pub(crate) fn count(&self, endpoint: &'static str) {
        self.faults(|f| f.count(endpoint));
    }
}

/// The largest body of any request but an upload's chunk.
const BODY_LIMIT: usize = 1 << 20;
/// The longest request, uploads aside (a `Slow` fault included).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The longest upload request (a chunk on a slow link).
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(900);

/// Answers 408 when a request (reading its body included) takes too long.
/// Uploads are the sandbox's only `PUT`s and get longer.
async fn time_limit(request: Request, next: Next) -> Response {
    let limit = if request.method() == axum::http::Method::PUT {
        UPLOAD_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "the request took too long",
        )
            .into_response(),
    }
}

tokio::task_local! {
    /// Set by [`Sandbox::hit`] when a `ResponseLost` fault applies to the
    /// request being handled.
    static LOSE_RESPONSE: Arc<AtomicBool>;
}

/// Sends the status and headers of a response whose fault is
/// `ResponseLost`, then breaks the connection inside the body.
async fn lose_responses(request: Request, next: Next) -> Response {
    let flag = Arc::new(AtomicBool::new(false));
    let response = LOSE_RESPONSE.scope(flag.clone(), next.run(request)).await;
    if !flag.load(Ordering::Relaxed) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let broken = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::other("sandbox: response lost"))
    });
    Response::from_parts(parts, axum::body::Body::from_stream(broken))
}

/// Logs method, path and status only: tokens, codes and secrets travel in
/// query strings, bodies and headers, which are never logged.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "sandbox request"
    );
    response
}
