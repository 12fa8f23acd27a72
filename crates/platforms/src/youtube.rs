//! YouTube through Google OAuth 2.0 (web server flow with PKCE and offline
//! access), and Google's error vocabulary (shared by every Google API).
//!
//! One Google login can own several channels (brand accounts): the grant
//! lists them all and the person picks which to connect; each connection
//! keeps its own copy of the grant's tokens. Google omits the refresh token
//! on refresh (and on repeated consent without `prompt=consent`): the stored
//! one is kept.

use async_trait::async_trait;
use herald_core::Timestamp;
use serde::Deserialize;
use url::Url;

use crate::client::{Call, Dialect, Method, PlatformClient, Reply};
use crate::provider::{
    AccountKind, AuthorizeRequest, Candidate, CodeExchange, Connector, Credentials, Grant,
    ProviderId, ProviderInfo, Revocation, ScopeUse, Secret,
};
use crate::{AppConfig, ErrorKind, PlatformError, consent_url, expiry, pkce_s256, split_scopes};

pub const SCOPE_UPLOAD: &str = "https://www.googleapis.com/auth/youtube.upload";
pub const SCOPE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";
/// Lets the media library import files from the person's Google Drive.
pub const SCOPE_DRIVE: &str = "https://www.googleapis.com/auth/drive.readonly";
/// Replying to and moderating comments on the channel's videos.
pub const SCOPE_FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// Reading the channel's YouTube Analytics reports.
pub const SCOPE_ANALYTICS: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";

const REQUIRED: &[&str] = &[SCOPE_UPLOAD, SCOPE_READONLY];
const OPTIONAL: &[&str] = &["openid", SCOPE_DRIVE, SCOPE_FORCE_SSL, SCOPE_ANALYTICS];

/// Every scope requested, with the feature that uses it (a test keeps
/// this equal to `REQUIRED` and `OPTIONAL`).
const SCOPES: &[ScopeUse] = &[
    ScopeUse {
        scope: SCOPE_UPLOAD,
        required: true,
        purpose: "publish_youtube",
    },
    ScopeUse {
        scope: SCOPE_READONLY,
        required: true,
        purpose: "list_channels",
    },
    ScopeUse {
        scope: "openid",
        required: false,
        purpose: "identify_google",
    },
    ScopeUse {
        scope: SCOPE_DRIVE,
        required: false,
        purpose: "drive_import",
    },
    ScopeUse {
        scope: SCOPE_FORCE_SSL,
        required: false,
        purpose: "engage_youtube",
    },
    ScopeUse {
        scope: SCOPE_ANALYTICS,
        required: false,
        purpose: "youtube_insights",
    },
];

pub(crate) static INFO: ProviderInfo = ProviderInfo {
    id: ProviderId::YouTube,
    required_scopes: REQUIRED,
    scopes: SCOPES,
    pkce: true,
    refreshes: true,
};

const DIALECT: GoogleDialect = GoogleDialect(ProviderId::YouTube);

pub struct YouTube {
    app: AppConfig,
    client: PlatformClient,
}

impl YouTube {
    pub fn new(app: AppConfig, client: PlatformClient) -> Self {
        YouTube { app, client }
    }

    /// A call to Google's token endpoint with `form` (the code exchange,
    /// or a refresh, which alone may be repeated).
    async fn token(
        &self,
        form: &[(&str, &str)],
        idempotent: bool,
    ) -> Result<TokenReply, PlatformError> {
        self.client
            .send(
                &Call::new(
                    ProviderId::YouTube,
                    "google.token",
                    Method::Post,
                    self.app.hosts.url("oauth2.googleapis.com", "/token"),
                )
                .form(form)
                .idempotent(idempotent),
                &DIALECT,
            )
            .await?
            .json(ProviderId::YouTube)
    }

    fn credentials(&self, token: TokenReply) -> Credentials {
        let now = self.client.clock().now();
        Credentials {
            access_token: Secret::new(token.access_token),
            access_expires_at: expiry(now, token.expires_in),
            refresh_token: token.refresh_token.map(Secret::new),
            refresh_expires_at: None,
            issued_at: now,
        }
    }

    async fn channels(&self, token: &Secret) -> Result<Vec<ChannelReply>, PlatformError> {
        let reply: ChannelList = self
            .client
            .send(
                &Call::new(
                    ProviderId::YouTube,
                    "youtube.channels",
                    Method::Get,
                    self.app
                        .hosts
                        .url("www.googleapis.com", "/youtube/v3/channels"),
                )
                .query("part", "id,snippet,statistics")
                .query("mine", "true")
                .query("maxResults", "50")
                .bearer(token),
                &DIALECT,
            )
            .await?
            .json(ProviderId::YouTube)?;
        Ok(reply.items)
    }
}

#[async_trait]
impl Connector for YouTube {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<Url, PlatformError> {
        let scopes: Vec<&str> = REQUIRED.iter().chain(OPTIONAL).copied().collect();
        let mut url = consent_url(
            ProviderId::YouTube,
            &self
                .app
                .hosts
                .url("accounts.google.com", "/o/oauth2/v2/auth"),
        )?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.app.client_id)
            .append_pair("redirect_uri", request.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &scopes.join(" "))
            // A refresh token only comes with offline access, and reliably
            // only when consent is asked for again.
            .append_pair("access_type", "offline")
            .append_pair("prompt", "consent")
            .append_pair("include_granted_scopes", "true")
            .append_pair("state", request.state)
            .append_pair("code_challenge", &pkce_s256(request.pkce_verifier))
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }

    async fn exchange(&self, request: &CodeExchange<'_>) -> Result<Grant, PlatformError> {
        let token = self
            .token(
                &[
                    ("code", request.code),
                    ("client_id", &self.app.client_id),
                    ("client_secret", self.app.client_secret.expose()),
                    ("redirect_uri", request.redirect_uri),
                    ("grant_type", "authorization_code"),
                    ("code_verifier", request.pkce_verifier),
                ],
                false,
            )
            .await?;
        let granted_scopes = split_scopes(token.scope.as_deref().unwrap_or_default());
        let credentials = self.credentials(token);
        let platform_user_id = if granted_scopes.iter().any(|s| s == "openid") {
            let me: UserInfo = self
                .client
                .send(
                    &Call::new(
                        ProviderId::YouTube,
                        "google.userinfo",
                        Method::Get,
                        self.app
                            .hosts
                            .url("www.googleapis.com", "/oauth2/v3/userinfo"),
                    )
                    .bearer(&credentials.access_token),
                    &DIALECT,
                )
                .await?
                .json(ProviderId::YouTube)?;
            me.sub
        } else {
            String::new()
        };
        let mut accounts = Vec::new();
        let can_read = granted_scopes
            .iter()
            .any(|s| s == SCOPE_READONLY || s == "https://www.googleapis.com/auth/youtube");
        if can_read {
            for channel in self.channels(&credentials.access_token).await? {
                let avatar_url = channel.snippet.thumbnails.and_then(|t| {
                    t.default
                        .or(t.medium)
                        .or(t.high)
                        .map(|thumbnail| thumbnail.url)
                });
                accounts.push(Candidate {
                    kind: AccountKind::YouTubeChannel,
                    remote_id: channel.id,
                    name: channel.snippet.title,
                    handle: channel.snippet.custom_url,
                    avatar_url,
                    parent: None,
                    credentials: credentials.clone(),
                });
            }
        }
        Ok(Grant {
            platform_user_id,
            granted_scopes,
            accounts,
        })
    }

    async fn refresh(
        &self,
        _kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Credentials, PlatformError> {
        let refresh_token = credentials.stored_refresh_token(ProviderId::YouTube)?;
        // Google's refresh is repeatable: the refresh token stays valid.
        let token = self
            .token(
                &[
                    ("client_id", &self.app.client_id),
                    ("client_secret", self.app.client_secret.expose()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token.expose()),
                ],
                true,
            )
            .await?;
        Ok(credentials.renewed_by(self.credentials(token)))
    }

    async fn revoke(
        &self,
        _kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Revocation, PlatformError> {
        // Revoking the refresh token ends the whole grant.
        let token = credentials
            .refresh_token
            .as_ref()
            .unwrap_or(&credentials.access_token);
        match self
            .client
            .send(
                &Call::new(
                    ProviderId::YouTube,
                    "google.revoke",
                    Method::Post,
                    self.app.hosts.url("oauth2.googleapis.com", "/revoke"),
                )
                .form(&[("token", token.expose())])
                .idempotent(true),
                &DIALECT,
            )
            .await
        {
            Ok(_) => Ok(Revocation::Revoked),
            // Revoked already (by the person, or an earlier removal).
            Err(e) if e.code.as_deref() == Some("invalid_token") => Ok(Revocation::Revoked),
            Err(e) => Err(e),
        }
    }
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
}

#[derive(Deserialize)]
struct ChannelList {
    #[serde(default)]
    items: Vec<ChannelReply>,
}

#[derive(Deserialize)]
struct ChannelReply {
    id: String,
    snippet: Snippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Snippet {
    title: String,
    #[serde(default)]
    custom_url: Option<String>,
    #[serde(default)]
    thumbnails: Option<Thumbnails>,
}

#[derive(Deserialize)]
struct Thumbnails {
    #[serde(default)]
    default: Option<Thumbnail>,
    #[serde(default)]
    medium: Option<Thumbnail>,
    #[serde(default)]
    high: Option<Thumbnail>,
}

#[derive(Deserialize)]
struct Thumbnail {
    url: String,
}

/// Google's errors: API errors `{"error":{"code","message","errors":[{
/// "reason","domain"}],"status"}}` and OAuth errors `{"error":"invalid_grant",
/// "error_description"}`.
pub struct GoogleDialect(pub ProviderId);

#[derive(Deserialize)]
#[serde(untagged)]
enum GoogleErrorBody {
    Api {
        error: ApiError,
    },
    OAuth {
        error: String,
        #[serde(default)]
        error_description: String,
    },
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ApiErrorItem>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct ApiErrorItem {
    #[serde(default)]
    reason: String,
}

/// The next midnight in Pacific time, when Google resets daily quotas.
pub fn next_quota_reset(now: Timestamp) -> Timestamp {
    let Ok(tz) = jiff::tz::TimeZone::get("America/Los_Angeles") else {
        return now + herald_core::SignedDuration::from_hours(24);
    };
    let local = now.to_zoned(tz);
    local
        .date()
        .tomorrow()
        .and_then(|d| d.to_zoned(local.time_zone().clone()))
        .map_or(now + herald_core::SignedDuration::from_hours(24), |z| {
            z.timestamp()
        })
}

/// The Pacific day `now` falls on (`2026-12-13`): the day Google counts
/// daily quotas for.
pub fn quota_day(now: Timestamp) -> String {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles")
        .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(-8)));
    now.to_zoned(tz).date().to_string()
}

impl Dialect for GoogleDialect {
    fn classify(&self, reply: &Reply, now: Timestamp) -> Option<PlatformError> {
        let p = self.0;
        if (200..300).contains(&reply.status) {
            return None;
        }
        match serde_json::from_slice::<GoogleErrorBody>(&reply.body) {
            Ok(GoogleErrorBody::Api { error }) => {
                let reason = error
                    .errors
                    .first()
                    .map(|e| e.reason.clone())
                    .or(error.status.clone())
                    .unwrap_or_default();
                let kind = match reason.as_str() {
                    "authError" | "UNAUTHENTICATED" => ErrorKind::Reconnect,
                    "insufficientPermissions" | "ACCESS_TOKEN_SCOPE_INSUFFICIENT" => {
                        ErrorKind::Reconsent { scopes: Vec::new() }
                    }
                    "quotaExceeded" | "dailyLimitExceeded" | "uploadLimitExceeded" => {
                        ErrorKind::RateLimited {
                            until: Some(next_quota_reset(now)),
                        }
                    }
                    "rateLimitExceeded" | "userRateLimitExceeded" | "RESOURCE_EXHAUSTED" => {
                        ErrorKind::RateLimited { until: None }
                    }
                    _ if reply.status == 401 => ErrorKind::Reconnect,
                    _ if reply.status == 429 => ErrorKind::RateLimited { until: None },
                    _ if reply.status >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::BadRequest,
                };
                Some(PlatformError::new(p, kind, error.message).with_code(reason))
            }
            Ok(GoogleErrorBody::OAuth {
                error,
                error_description,
            }) => {
                let kind = match error.as_str() {
                    "invalid_grant" => ErrorKind::Reconnect,
                    "invalid_client" | "unauthorized_client" | "redirect_uri_mismatch" => {
                        ErrorKind::Misconfigured
                    }
                    "invalid_scope" => ErrorKind::Reconsent { scopes: Vec::new() },
                    "rate_limit_exceeded" => ErrorKind::RateLimited { until: None },
                    _ if reply.status == 429 => ErrorKind::RateLimited { until: None },
                    // userinfo answers a dead token with 401 in this shape.
                    _ if reply.status == 401 => ErrorKind::Reconnect,
                    _ if reply.status >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::BadRequest,
                };
                Some(PlatformError::new(p, kind, error_description).with_code(error))
            }
            // Never a 2xx here: those returned above.
            Err(_) => PlatformError::from_status(p, reply.status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, body: &str) -> Option<ErrorKind> {
        GoogleDialect(ProviderId::YouTube)
            .classify(
                &Reply {
                    status,
                    headers: Default::default(),
                    body: body.as_bytes().to_vec(),
                },
                Timestamp::UNIX_EPOCH,
            )
            .map(|e| e.kind)
    }

    #[test]
    fn google_errors_are_classified_by_reason() {
        assert_eq!(
            kind(
                401,
                r#"{"error":{"code":401,"message":"Invalid Credentials","errors":[{"reason":"authError"}],"status":"UNAUTHENTICATED"}}"#
            ),
            Some(ErrorKind::Reconnect)
        );
        assert_eq!(
            kind(
                403,
                r#"{"error":{"code":403,"message":"","errors":[{"reason":"insufficientPermissions"}]}}"#
            ),
            Some(ErrorKind::Reconsent { scopes: vec![] })
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#
            ),
            Some(ErrorKind::Reconnect)
        );
        assert_eq!(
            kind(
                503,
                r#"{"error":{"code":503,"message":"","errors":[{"reason":"backendError"}]}}"#
            ),
            Some(ErrorKind::Unavailable)
        );
    }

    #[test]
    fn quota_resets_at_pacific_midnight() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        // 12:00 UTC is 04:00 in Los Angeles (PST, UTC-8): next reset at 08:00 UTC.
        assert_eq!(
            next_quota_reset(now),
            "2026-11-25T08:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(quota_day(now), "2026-11-24");
        // 07:59 UTC is still the evening before in Los Angeles.
        let evening: Timestamp = "2026-11-25T07:59:00Z".parse().unwrap();
        assert_eq!(quota_day(evening), "2026-11-24");
        // In summer (PDT, UTC-7) the day turns at 07:00 UTC.
        let summer: Timestamp = "2026-07-01T07:00:00Z".parse().unwrap();
        assert_eq!(quota_day(summer), "2026-07-01");
        assert_eq!(
            next_quota_reset(summer),
            "2026-07-02T07:00:00Z".parse::<Timestamp>().unwrap()
        );
    }
}

/// Property tests: whatever Google answers, classifying it and reading a
/// token from it never panics; a 2xx answer is never an error.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::client::strategies::{body, reply};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_google_answers_never_panic(reply in reply(), now in 0i64..4_102_444_800) {
            let now = Timestamp::from_second(now).expect("in range");
            let classified = GoogleDialect(ProviderId::YouTube).classify(&reply, now);
            if (200..300).contains(&reply.status) {
                prop_assert!(classified.is_none());
            }
            if let Some(PlatformError { kind: ErrorKind::RateLimited { until: Some(t) }, .. }) = classified {
                prop_assert!(t > now && t <= now + herald_core::SignedDuration::from_hours(26));
            }
        }

        #[test]
        fn token_answers_of_any_shape_never_panic(body in body(), now in 0i64..4_102_444_800) {
            let now = Timestamp::from_second(now).expect("in range");
            let reply = Reply { status: 200, headers: Default::default(), body };
            if let Ok(token) = reply.json::<TokenReply>(ProviderId::YouTube) {
                let _ = expiry(now, token.expires_in);
            }
            let _ = reply.json::<UserInfo>(ProviderId::YouTube);
        }
    }
}

#[cfg(test)]
mod scope_tests {
    #[test]
    fn every_requested_scope_names_the_feature_that_uses_it() {
        crate::provider::assert_scopes_explained(&super::INFO, super::OPTIONAL);
    }
}
