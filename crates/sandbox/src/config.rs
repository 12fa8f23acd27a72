//! What a sandbox is started with: where it is mounted, the app credentials
//! each simulated platform accepts, token-lifetime switches, the
//! rate-limit budgets and where Meta's webhooks and callbacks go.

use std::path::PathBuf;
use std::time::Duration;

/// One registered app at a simulated platform: the id/key and secret that
/// the dialogs and token endpoints accept. Every other id is refused the way
/// the real platform refuses an unknown app.
#[derive(Clone, PartialEq, Eq)]
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

impl AppCredentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// `client_id` with a new random secret (256 bits, hex): a secret
    /// written in the source would be everyone's.
    pub fn generated(client_id: impl Into<String>) -> Self {
        let bytes: [u8; 32] = rand::random();
        Self::new(
            client_id,
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        )
    }
}

/// Rate-limit budgets. The real numbers depend on traffic the sandbox cannot
/// see (daily active users, impressions), so they are plain knobs here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Graph calls per app per rolling hour before `X-App-Usage` reaches 100
    /// and code 4 is returned (real: 200 × daily active users).
    pub meta_app_calls_per_hour: u32,
    /// Calls per Page or Instagram account per rolling hour before
    /// `X-Business-Use-Case-Usage` reaches 100 (code 32 / 80002).
    pub meta_buc_calls_per_hour: u32,
    /// TikTok `/v2/user/info/` requests per app per sliding minute (real: 600).
    pub tiktok_user_info_per_minute: u32,
    /// YouTube Data API units per project per Pacific day (real: 10,000;
    /// `channels.list` costs 1).
    pub youtube_daily_units: u32,
    /// TikTok `creator_info/query/` requests per user token per minute (real: 20).
    pub tiktok_creator_info_per_minute: u32,
    /// TikTok `video/init/` requests per user token per minute (real: 6).
    pub tiktok_video_init_per_minute: u32,
    /// TikTok `status/fetch/` requests per user token per minute (real: 30).
    pub tiktok_status_per_minute: u32,
    /// TikTok `/v2/video/list/` requests per app per minute (real: 600).
    pub tiktok_video_list_per_minute: u32,
    /// TikTok `/v2/video/query/` requests per app per minute (real: 600).
    pub tiktok_video_query_per_minute: u32,
    /// YouTube Analytics API queries per project per Pacific day, a quota of
    /// its own (real: shown per project in the Cloud console, not
    /// documented; 429 `rateLimitExceeded` past it).
    pub youtube_analytics_daily_queries: u32,
    /// Seconds a TikTok video spends processing once all its bytes are in
    /// (uploaded or pulled) before it is `PUBLISH_COMPLETE` or `FAILED`.
    pub tiktok_processing_secs: u32,
    /// Seconds after `PUBLISH_COMPLETE` until moderation fills
    /// `publicaly_available_post_id` (real: usually under a minute, can be
    /// hours).
    pub tiktok_post_id_secs: u32,
    /// Direct posts (accepted `video/init/`s) one TikTok user may make
    /// through the API per rolling 24 h before `spam_risk_too_many_posts`
    /// (real: not published; integrators report about 15).
    pub tiktok_posts_per_user_per_day: u32,
    /// Distinct users an unaudited TikTok client may post for per rolling
    /// 24 h before `reached_active_user_cap` (real: 5).
    pub tiktok_unaudited_users_per_day: u32,
    /// `videos.insert` calls per project per Pacific day, a bucket of its
    /// own (real, current docs: 100; older docs charged 1,600 units).
    pub youtube_daily_uploads: u32,
    /// Videos one channel may upload per Pacific day before
    /// `uploadLimitExceeded` (real: undisclosed, varies per channel).
    pub youtube_channel_daily_uploads: u32,
    /// Lifetime of a resumable upload session (real: about a week; the
    /// sandbox default is one day).
    pub youtube_upload_session_secs: u32,
    /// Seconds an uploaded YouTube video shows `uploadStatus: uploaded`
    /// before it turns `processed`.
    pub youtube_processing_secs: u32,
    /// Sandbox seconds an Instagram image container (or a carousel) takes
    /// to process after creation, once its bytes arrived.
    pub image_processing_secs: u64,
    /// The same for videos: reels, video stories and carousel items, and
    /// Facebook Page videos.
    pub video_processing_secs: u64,
    /// Instagram posts an account may publish per rolling 24 h (real: 50,
    /// reported by `content_publishing_limit`; a carousel counts once).
    pub instagram_publishes_per_day: u32,
    /// Instagram containers an account may create per rolling 24 h (real: 400).
    pub instagram_containers_per_day: u32,
    /// Longest a Meta media download (`image_url`, `video_url`, `url`,
    /// `file_url`) may take, in real milliseconds.
    pub media_fetch_timeout_ms: u64,
    /// OpenAI-compatible chat completions per API key per minute (real,
    /// `gpt-4o-mini` at usage tier 1: 500).
    pub openai_requests_per_minute: u32,
    /// Tokens per API key per minute, each request charged its prompt
    /// tokens plus its `max_tokens` (real, `gpt-4o-mini` at tier 1: 200,000).
    pub openai_tokens_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            meta_app_calls_per_hour: 2_000,
            meta_buc_calls_per_hour: 4_800,
            tiktok_user_info_per_minute: 600,
            youtube_daily_units: 10_000,
            tiktok_creator_info_per_minute: 20,
            tiktok_video_init_per_minute: 6,
            tiktok_status_per_minute: 30,
            tiktok_video_list_per_minute: 600,
            tiktok_video_query_per_minute: 600,
            youtube_analytics_daily_queries: 10_000,
            tiktok_processing_secs: 5,
            tiktok_post_id_secs: 10,
            tiktok_posts_per_user_per_day: 15,
            tiktok_unaudited_users_per_day: 5,
            youtube_daily_uploads: 100,
            youtube_channel_daily_uploads: 50,
            youtube_upload_session_secs: 86_400,
            youtube_processing_secs: 30,
            image_processing_secs: 2,
            video_processing_secs: 10,
            instagram_publishes_per_day: 50,
            instagram_containers_per_day: 400,
            media_fetch_timeout_ms: 30_000,
            openai_requests_per_minute: 500,
            openai_tokens_per_minute: 200_000,
        }
    }
}

/// Everything a [`crate::Sandbox`] needs to start.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// External base URL at which the router is mounted, no trailing slash,
    /// e.g. "http://127.0.0.1:8080/sandbox". Used for form actions, avatar
    /// URLs and paging links.
    pub public_base: String,
    /// Facebook app (Facebook Login).
    pub meta: AppCredentials,
    /// Instagram app (Instagram Login).
    pub instagram: AppCredentials,
    /// TikTok `client_key` / `client_secret`.
    pub tiktok: AppCredentials,
    /// Google OAuth client.
    pub google: AppCredentials,
    /// TikTok token lifetimes: false = access 24 h / refresh 365 d (refresh
    /// token stays the same); true = access 2 h / refresh 180 d and refresh
    /// tokens rotate (old one dies when a new one is issued).
    pub tiktok_rotating_refresh: bool,
    /// TikTok's rules for unaudited API clients: a direct post to an
    /// account that is public at posting time fails with
    /// `unaudited_client_can_only_post_to_private_accounts`, at most
    /// [`Limits::tiktok_unaudited_users_per_day`] users may post
    /// (`reached_active_user_cap`), creators are offered only `SELF_ONLY`
    /// and every post is `SELF_ONLY`. Off by default (the seeded app is
    /// audited), because Herald's own tests and demos post publicly.
    pub tiktok_unaudited: bool,
    /// Whether Herald's Google Cloud project passed YouTube's API audit.
    /// Off (the default, like every new project): YouTube locks each video
    /// uploaded as public or unlisted to private once it is processed.
    pub youtube_audited: bool,
    /// Whether YouTube rejects an upload whose bytes equal a video already
    /// on the channel (`rejectionReason: duplicate`). Off by default: the
    /// rejection is documented, but whether today's YouTube still applies
    /// it to every identical file is not (see docs/platforms/youtube-uploads.md).
    pub youtube_reject_duplicates: bool,
    /// Where to persist state (JSON, written atomically after each change) so
    /// a restart keeps issued tokens; None = memory only.
    pub state_file: Option<PathBuf>,
    /// Rate-limit budgets (an addition to the agreed API; defaults are the
    /// documented numbers where there are any).
    pub limits: Limits,
    /// Where the Meta webhook sender delivers (`/_admin/webhooks/*`,
    /// `/_admin/meta/*`); None = the sender is off and those routes answer
    /// 409 `webhooks_not_configured`.
    pub webhooks: Option<WebhookTargets>,
    /// Whether `/_admin/*` (faults, revocations, webhook sends) and the
    /// index page's forms for them are served. Herald turns them off in
    /// production mode: they let anyone change what every user of the
    /// sandbox sees.
    pub admin: bool,
    /// Which addresses the simulated platforms may download media from
    /// (`image_url`, `video_url`, TikTok's `PULL_FROM_URL`, …): the URLs
    /// come from API callers, so outside tests and development only public
    /// addresses.
    pub fetch_policy: herald_net::TargetPolicy,
    /// The OpenAI-compatible API: its key and how fast it answers.
    pub ai: AiSettings,
}

/// The simulated OpenAI-compatible API's key and pace.
#[derive(Clone, PartialEq, Eq)]
pub struct AiSettings {
    /// The one API key `Authorization: Bearer …` is accepted with.
    pub api_key: String,
    /// How fast answers come; [`AiLatency::ZERO`] for benchmarks.
    pub latency: AiLatency,
}

impl std::fmt::Debug for AiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiSettings")
            .field("api_key", &"[redacted]")
            .field("latency", &self.latency)
            .finish()
    }
}

/// Real milliseconds a simulated model takes: before its first streamed
/// token and between two streamed tokens. A non-streamed answer takes the
/// sum it would have taken streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AiLatency {
    pub first_token_ms: u64,
    pub per_token_ms: u64,
}

impl AiLatency {
    /// Answers at once, in one piece of body: what a benchmark of Herald's
    /// own overhead wants.
    pub const ZERO: AiLatency = AiLatency {
        first_token_ms: 0,
        per_token_ms: 0,
    };

    /// A pace a person can watch stream in (the default).
    pub const DEMO: AiLatency = AiLatency {
        first_token_ms: 300,
        per_token_ms: 15,
    };

    pub fn is_zero(&self) -> bool {
        self.first_token_ms == 0 && self.per_token_ms == 0
    }
}

/// The app's webhook and callback URLs as registered in Meta's App
/// Dashboard, and how the sender retries.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookTargets {
    /// The callback URL of the Webhooks product (Herald's `/webhooks/meta`):
    /// verification `GET`s and signed delivery `POST`s.
    pub callback_url: String,
    /// The verify token the subscription handshake sends.
    pub verify_token: String,
    /// The Facebook app's deauthorize callback URL.
    pub deauthorize_url: String,
    /// The Facebook app's data-deletion request URL.
    pub data_deletion_url: String,
    /// The Instagram app's callback URL (Herald's `/webhooks/instagram`):
    /// where deliveries for Instagram Login accounts go, signed with the
    /// Instagram app's secret; None = [`Self::callback_url`].
    pub instagram_callback_url: Option<String>,
    /// The Instagram app's deauthorize URL; None = [`Self::deauthorize_url`].
    pub instagram_deauthorize_url: Option<String>,
    /// The Instagram app's data-deletion URL; None = [`Self::data_deletion_url`].
    pub instagram_data_deletion_url: Option<String>,
    /// Waits before each retry of a delivery that failed (non-2xx or no
    /// answer), in order; its length bounds the retries. Meta retries at
    /// once, then less and less often for up to 36 h; the default is a
    /// short version of that.
    pub retry_delays: Vec<Duration>,
    /// Longest one request may take before it counts as failed.
    pub timeout: Duration,
}

impl WebhookTargets {
    /// The four dashboard URLs and the verify token; Instagram callbacks go
    /// to the Facebook URLs; retries after 0 s, 1 s, 5 s, 30 s, 2 min,
    /// 10 min and 30 min; 10 s per request.
    pub fn new(
        callback_url: impl Into<String>,
        verify_token: impl Into<String>,
        deauthorize_url: impl Into<String>,
        data_deletion_url: impl Into<String>,
    ) -> Self {
        Self {
            callback_url: callback_url.into(),
            verify_token: verify_token.into(),
            deauthorize_url: deauthorize_url.into(),
            data_deletion_url: data_deletion_url.into(),
            instagram_callback_url: None,
            instagram_deauthorize_url: None,
            instagram_data_deletion_url: None,
            retry_delays: [0, 1, 5, 30, 120, 600, 1_800]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(10),
        }
    }
}

impl WebhookTargets {
    /// Where deliveries of `app`'s accounts go.
    pub(crate) fn callback_url_of(&self, app: crate::webhooks::App) -> &str {
        match app {
            crate::webhooks::App::Facebook => &self.callback_url,
            crate::webhooks::App::Instagram => self
                .instagram_callback_url
                .as_deref()
                .unwrap_or(&self.callback_url),
        }
    }
}

impl std::fmt::Debug for WebhookTargets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTargets")
            .field("callback_url", &self.callback_url)
            .field("verify_token", &"[redacted]")
            .field("deauthorize_url", &self.deauthorize_url)
            .field("data_deletion_url", &self.data_deletion_url)
            .field("instagram_callback_url", &self.instagram_callback_url)
            .field("instagram_deauthorize_url", &self.instagram_deauthorize_url)
            .field(
                "instagram_data_deletion_url",
                &self.instagram_data_deletion_url,
            )
            .field("retry_delays", &self.retry_delays)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SandboxConfig {
    /// The sandbox apps' ids with freshly generated secrets (Herald sets
    /// its install's own), non-rotating TikTok tokens, memory-only state,
    /// no webhook sender, the admin API on, downloads from any address, a
    /// fresh random OpenAI API key and the demo pace.
    pub fn new(public_base: impl Into<String>) -> Self {
        let mut public_base = public_base.into();
        while public_base.ends_with('/') {
            public_base.pop();
        }
        Self {
            public_base,
            meta: AppCredentials::generated("sandbox-meta-app"),
            instagram: AppCredentials::generated("sandbox-instagram-app"),
            tiktok: AppCredentials::generated("sandbox-tiktok-key"),
            google: AppCredentials::generated("sandbox-google-client.apps.googleusercontent.com"),
            tiktok_rotating_refresh: false,
            tiktok_unaudited: false,
            youtube_audited: false,
            youtube_reject_duplicates: false,
            state_file: None,
            limits: Limits::default(),
            webhooks: None,
            admin: true,
            fetch_policy: herald_net::TargetPolicy::AllowPrivate,
            ai: AiSettings {
                api_key: {
                    let bytes: [u8; 24] = rand::random();
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    format!("sk-sandbox-{hex}")
                },
                latency: AiLatency::DEMO,
            },
        }
    }
}
