//! TikTok Login Kit v2 and the Display API's user info.
//!
//! TikTok names the client id `client_key`. Access tokens live 24 hours (2
//! on newer apps) and come with a refresh token that may rotate: the newest
//! one is always stored. Herald is a web app with a client secret, for
//! which TikTok's docs do not use PKCE (they reserve it for desktop and
//! mobile apps, with a hex-encoded challenge), so none is sent.

use async_trait::async_trait;
use herald_core::Timestamp;
use serde::Deserialize;
use url::Url;

use crate::client::{Call, Dialect, Method, PlatformClient, Reply};
use crate::provider::{
    AccountKind, AuthorizeRequest, Candidate, CodeExchange, Connector, Credentials, Grant,
    ProviderId, ProviderInfo, Revocation, ScopeUse, Secret,
};
use crate::{AppConfig, ErrorKind, PlatformError, consent_url, expiry, split_scopes};

const REQUIRED: &[&str] = &["user.info.basic", "video.publish"];
const OPTIONAL: &[&str] = &["user.info.profile", "user.info.stats", "video.list"];

/// Every scope requested, with the feature that uses it (a test keeps
/// this equal to `REQUIRED` and `OPTIONAL`).
const SCOPES: &[ScopeUse] = &[
    ScopeUse {
        scope: "user.info.basic",
        required: true,
        purpose: "identify_tiktok",
    },
    ScopeUse {
        scope: "video.publish",
        required: true,
        purpose: "publish_tiktok",
    },
    ScopeUse {
        scope: "user.info.profile",
        required: false,
        purpose: "tiktok_username",
    },
    ScopeUse {
        scope: "user.info.stats",
        required: false,
        purpose: "tiktok_insights",
    },
    ScopeUse {
        scope: "video.list",
        required: false,
        purpose: "tiktok_insights",
    },
];

pub(crate) static INFO: ProviderInfo = ProviderInfo {
    id: ProviderId::TikTok,
    required_scopes: REQUIRED,
    scopes: SCOPES,
    pkce: false,
    refreshes: true,
};

pub struct TikTok {
    app: AppConfig,
    client: PlatformClient,
}

impl TikTok {
    pub fn new(app: AppConfig, client: PlatformClient) -> Self {
        TikTok { app, client }
    }

    fn api(&self, path: &str) -> String {
        self.app.hosts.url("open.tiktokapis.com", path)
    }

    async fn token(
        &self,
        form: &[(&str, &str)],
        idempotent: bool,
    ) -> Result<TokenReply, PlatformError> {
        self.client
            .send(
                &Call::new(
                    ProviderId::TikTok,
                    "tiktok.token",
                    Method::Post,
                    self.api("/v2/oauth/token/"),
                )
                .form(form)
                .idempotent(idempotent),
                &TikTokDialect,
            )
            .await?
            .json(ProviderId::TikTok)
    }

    fn credentials(&self, token: TokenReply) -> Credentials {
        let now = self.client.clock().now();
        Credentials {
            access_token: Secret::new(token.access_token),
            access_expires_at: expiry(now, token.expires_in),
            refresh_token: token.refresh_token.map(Secret::new),
            refresh_expires_at: expiry(now, token.refresh_expires_in),
            issued_at: now,
        }
    }
}

#[async_trait]
impl Connector for TikTok {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<Url, PlatformError> {
        let scopes: Vec<&str> = REQUIRED.iter().chain(OPTIONAL).copied().collect();
        let mut url = consent_url(
            ProviderId::TikTok,
            &self.app.hosts.url("www.tiktok.com", "/v2/auth/authorize/"),
        )?;
        url.query_pairs_mut()
            .append_pair("client_key", &self.app.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", &scopes.join(","))
            .append_pair("redirect_uri", request.redirect_uri)
            .append_pair("state", request.state);
        Ok(url)
    }

    async fn exchange(&self, request: &CodeExchange<'_>) -> Result<Grant, PlatformError> {
        let token = self
            .token(
                &[
                    ("client_key", &self.app.client_id),
                    ("client_secret", self.app.client_secret.expose()),
                    ("code", request.code),
                    ("grant_type", "authorization_code"),
                    ("redirect_uri", request.redirect_uri),
                ],
                false,
            )
            .await?;
        let granted_scopes = split_scopes(token.scope.as_deref().unwrap_or_default());
        let open_id = token.open_id.clone().unwrap_or_default();
        let credentials = self.credentials(token);
        // Ask only for fields the granted scopes cover; TikTok refuses the
        // whole call otherwise.
        let mut fields = vec!["open_id", "union_id", "avatar_url", "display_name"];
        if granted_scopes.iter().any(|s| s == "user.info.profile") {
            fields.extend(["username", "profile_deep_link"]);
        }
        let mut user = None;
        if granted_scopes.iter().any(|s| s == "user.info.basic") {
            let reply: Envelope<UserData> = self
                .client
                .send(
                    &Call::new(
                        ProviderId::TikTok,
                        "tiktok.user_info",
                        Method::Get,
                        self.api("/v2/user/info/"),
                    )
                    .query("fields", fields.join(","))
                    .bearer(&credentials.access_token),
                    &TikTokDialect,
                )
                .await?
                .json(ProviderId::TikTok)?;
            user = reply.data.and_then(|d| d.user);
        }
        let accounts = match user {
            Some(user) => vec![Candidate {
                kind: AccountKind::TikTokUser,
                remote_id: user.open_id.unwrap_or_else(|| open_id.clone()),
                name: user.display_name.unwrap_or_default(),
                handle: user.username.map(|u| format!("@{u}")),
                avatar_url: user.avatar_url,
                parent: None,
                credentials,
            }],
            // Without user.info.basic there is nothing to show; the scope
            // check asks for consent again.
            None => Vec::new(),
        };
        Ok(Grant {
            platform_user_id: open_id,
            granted_scopes,
            accounts,
        })
    }

    async fn refresh(
        &self,
        _kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Credentials, PlatformError> {
        let refresh_token = credentials.stored_refresh_token(ProviderId::TikTok)?;
        // With rotating refresh tokens a lost answer leaves the old token
        // dead, so the call is not repeated blindly.
        let token = self
            .token(
                &[
                    ("client_key", &self.app.client_id),
                    ("client_secret", self.app.client_secret.expose()),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token.expose()),
                ],
                false,
            )
            .await?;
        Ok(credentials.renewed_by(self.credentials(token)))
    }

    async fn revoke(
        &self,
        _kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Revocation, PlatformError> {
        self.client
            .send(
                &Call::new(
                    ProviderId::TikTok,
                    "tiktok.revoke",
                    Method::Post,
                    self.api("/v2/oauth/revoke/"),
                )
                .form(&[
                    ("client_key", &self.app.client_id),
                    ("client_secret", self.app.client_secret.expose()),
                    ("token", credentials.access_token.expose()),
                ])
                .idempotent(true),
                &TikTokDialect,
            )
            .await?;
        Ok(Revocation::Revoked)
    }
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    open_id: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_expires_in: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
}

#[derive(Deserialize)]
struct UserData {
    #[serde(default)]
    user: Option<UserReply>,
}

#[derive(Deserialize)]
struct UserReply {
    #[serde(default)]
    open_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

/// TikTok's two error shapes: the API envelope, present on every answer
/// (`{"data":…,"error":{"code":"ok"|…,"message","log_id"}}`), and OAuth's
/// flat `{"error","error_description","log_id"}`.
pub struct TikTokDialect;

#[derive(Deserialize)]
#[serde(untagged)]
enum TikTokErrorBody {
    Api {
        error: ApiError,
    },
    OAuth {
        error: String,
        #[serde(default)]
        error_description: String,
        #[serde(default)]
        log_id: Option<String>,
    },
}

#[derive(Deserialize)]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    log_id: Option<String>,
}

impl Dialect for TikTokDialect {
    fn classify(&self, reply: &Reply, _now: Timestamp) -> Option<PlatformError> {
        let p = ProviderId::TikTok;
        match serde_json::from_slice::<TikTokErrorBody>(&reply.body) {
            Ok(TikTokErrorBody::Api { error }) if error.code == "ok" => None,
            Ok(TikTokErrorBody::Api { error }) => {
                let kind = match error.code.as_str() {
                    "access_token_invalid" => ErrorKind::Reconnect,
                    "scope_not_authorized" | "scope_permission_missed" => {
                        ErrorKind::Reconsent { scopes: Vec::new() }
                    }
                    "rate_limit_exceeded" => ErrorKind::RateLimited { until: None },
                    "internal_error" => ErrorKind::Unavailable,
                    _ if reply.status >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::BadRequest,
                };
                Some(
                    PlatformError::new(p, kind, error.message)
                        .with_code(error.code)
                        .with_trace(error.log_id),
                )
            }
            Ok(TikTokErrorBody::OAuth {
                error,
                error_description,
                log_id,
            }) => {
                let kind = match error.as_str() {
                    "invalid_grant" => ErrorKind::Reconnect,
                    "invalid_client" | "unauthorized_client" => ErrorKind::Misconfigured,
                    "invalid_scope" => ErrorKind::Reconsent { scopes: Vec::new() },
                    "rate_limit_exceeded" => ErrorKind::RateLimited { until: None },
                    _ if reply.status >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::BadRequest,
                };
                Some(
                    PlatformError::new(p, kind, error_description)
                        .with_code(error)
                        .with_trace(log_id),
                )
            }
            Err(_) => PlatformError::from_status(p, reply.status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, body: &str) -> Option<ErrorKind> {
        TikTokDialect
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
    fn both_error_shapes_are_classified() {
        assert_eq!(
            kind(
                200,
                r#"{"data":{"user":{}},"error":{"code":"ok","message":"","log_id":"x"}}"#
            ),
            None
        );
        assert_eq!(
            kind(
                200,
                r#"{"access_token":"act.1","expires_in":86400,"open_id":"o"}"#
            ),
            None
        );
        assert_eq!(
            kind(
                401,
                r#"{"data":{},"error":{"code":"access_token_invalid","message":"","log_id":"x"}}"#
            ),
            Some(ErrorKind::Reconnect)
        );
        assert_eq!(
            kind(
                429,
                r#"{"data":{},"error":{"code":"rate_limit_exceeded","message":"","log_id":"x"}}"#
            ),
            Some(ErrorKind::RateLimited { until: None })
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":"invalid_grant","error_description":"Refresh token is invalid","log_id":"x"}"#
            ),
            Some(ErrorKind::Reconnect)
        );
        assert_eq!(
            kind(
                401,
                r#"{"error":"invalid_client","error_description":"","log_id":"x"}"#
            ),
            Some(ErrorKind::Misconfigured)
        );
    }
}

/// Property tests: whatever TikTok answers, classifying it and reading a
/// token from it never panics, and a token's lifetimes never overflow.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::client::strategies::{body, reply};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_tiktok_answers_never_panic(reply in reply()) {
            let _ = TikTokDialect.classify(&reply, Timestamp::UNIX_EPOCH);
        }

        #[test]
        fn an_ok_envelope_is_never_an_error(status in 100u16..600, data in proptest::option::of(".{0,20}")) {
            let body = serde_json::json!({"data": data, "error": {"code": "ok", "message": ""}});
            let reply = Reply { status, headers: Default::default(), body: body.to_string().into_bytes() };
            prop_assert!(TikTokDialect.classify(&reply, Timestamp::UNIX_EPOCH).is_none());
        }

        #[test]
        fn token_answers_of_any_shape_never_panic(body in body(), now in 0i64..4_102_444_800) {
            let now = Timestamp::from_second(now).expect("in range");
            let reply = Reply { status: 200, headers: Default::default(), body };
            if let Ok(token) = reply.json::<TokenReply>(ProviderId::TikTok) {
                let _ = expiry(now, token.expires_in);
                let _ = expiry(now, token.refresh_expires_in);
                let _ = token.scope.as_deref().map(split_scopes);
            }
            let _ = reply.json::<Envelope<UserData>>(ProviderId::TikTok);
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
