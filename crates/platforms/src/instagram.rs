//! Instagram API with Instagram Login: a professional Instagram account
//! without a Facebook Page.
//!
//! Flow: `instagram.com/oauth/authorize` → code (Meta appends `#_`) →
//! short-lived token (1 hour) at `api.instagram.com` → long-lived token
//! (60 days, `ig_exchange_token`) → renewed with `ig_refresh_token` once it
//! is at least 24 hours old. A token not renewed within 60 days is dead.

use async_trait::async_trait;
use serde::Deserialize;
use url::Url;

use crate::client::{Call, Dialect, Method, PlatformClient, Reply};
use crate::meta::{GRAPH_VERSION, GraphDialect};
use crate::provider::{
    AccountKind, AuthorizeRequest, Candidate, CodeExchange, Connector, Credentials, Grant,
    ProviderId, ProviderInfo, Revocation, ScopeUse, Secret, SubscribeRequest, Subscription,
};
use crate::{AppConfig, ErrorKind, PlatformError, consent_url, expiry, split_scopes};
use herald_core::Timestamp;

const REQUIRED: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_content_publish",
];

const OPTIONAL: &[&str] = &[
    "instagram_business_manage_comments",
    "instagram_business_manage_insights",
    "instagram_business_manage_messages",
];

/// Every scope requested, with the feature that uses it (a test keeps
/// this equal to `REQUIRED` and `OPTIONAL`).
const SCOPES: &[ScopeUse] = &[
    ScopeUse {
        scope: "instagram_business_basic",
        required: true,
        purpose: "read_instagram",
    },
    ScopeUse {
        scope: "instagram_business_content_publish",
        required: true,
        purpose: "publish_instagram",
    },
    ScopeUse {
        scope: "instagram_business_manage_comments",
        required: false,
        purpose: "comments",
    },
    ScopeUse {
        scope: "instagram_business_manage_insights",
        required: false,
        purpose: "insights",
    },
    ScopeUse {
        scope: "instagram_business_manage_messages",
        required: false,
        purpose: "messages",
    },
];

pub(crate) static INFO: ProviderInfo = ProviderInfo {
    id: ProviderId::Instagram,
    required_scopes: REQUIRED,
    scopes: SCOPES,
    pkce: false,
    refreshes: true,
};

const DIALECT: GraphDialect = GraphDialect(ProviderId::Instagram);

/// `api.instagram.com` (the code exchange) still answers errors in the
/// legacy shape `{"error_type","code","error_message"}`; everything else is
/// Graph's.
struct LegacyDialect;

#[derive(serde::Deserialize)]
struct LegacyError {
    error_type: String,
    #[serde(default)]
    error_message: String,
}

impl Dialect for LegacyDialect {
    fn classify(&self, reply: &Reply, now: Timestamp) -> Option<PlatformError> {
        let Ok(e) = serde_json::from_slice::<LegacyError>(&reply.body) else {
            return DIALECT.classify(reply, now);
        };
        let message = e.error_message.to_ascii_lowercase();
        let kind = if reply.status == 429 || e.error_type.contains("RateLimit") {
            ErrorKind::RateLimited { until: None }
        } else if reply.status >= 500 {
            ErrorKind::Unavailable
        } else if message.contains("redirect_uri")
            || message.contains("client")
            || message.contains("app")
            || message.contains("developer role")
        {
            ErrorKind::Misconfigured
        } else {
            ErrorKind::BadRequest
        };
        Some(
            PlatformError::new(ProviderId::Instagram, kind, e.error_message)
                .with_code(e.error_type),
        )
    }
}

/// Instagram Login.
pub struct InstagramLogin {
    app: AppConfig,
    client: PlatformClient,
}

impl InstagramLogin {
    pub fn new(app: AppConfig, client: PlatformClient) -> Self {
        InstagramLogin { app, client }
    }

    fn graph(&self, endpoint: &'static str, path: &str) -> Call {
        Call::new(
            ProviderId::Instagram,
            endpoint,
            Method::Get,
            self.app.hosts.url("graph.instagram.com", path),
        )
    }
}

#[async_trait]
impl Connector for InstagramLogin {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<Url, PlatformError> {
        let scopes: Vec<&str> = REQUIRED.iter().chain(OPTIONAL).copied().collect();
        let mut url = consent_url(
            ProviderId::Instagram,
            &self.app.hosts.url("www.instagram.com", "/oauth/authorize"),
        )?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.app.client_id)
            .append_pair("redirect_uri", request.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &scopes.join(","))
            .append_pair("state", request.state);
        Ok(url)
    }

    async fn exchange(&self, request: &CodeExchange<'_>) -> Result<Grant, PlatformError> {
        let now = self.client.clock().now();
        let code = request.code.trim_end_matches("#_");
        let reply = self
            .client
            .send(
                &Call::new(
                    ProviderId::Instagram,
                    "instagram.access_token",
                    Method::Post,
                    self.app
                        .hosts
                        .url("api.instagram.com", "/oauth/access_token"),
                )
                .form(&[
                    ("client_id", &self.app.client_id),
                    ("client_secret", self.app.client_secret.expose()),
                    ("grant_type", "authorization_code"),
                    ("redirect_uri", request.redirect_uri),
                    ("code", code),
                ])
                .idempotent(false),
                &LegacyDialect,
            )
            .await?;
        // The docs wrap the answer in `data: [...]`; older docs and many
        // clients see it flat. Both are accepted.
        let short = match reply.json::<ShortTokenReply>(ProviderId::Instagram)? {
            ShortTokenReply::Wrapped { data } => data.into_iter().next().ok_or_else(|| {
                PlatformError::unexpected(ProviderId::Instagram, "empty token answer")
            })?,
            ShortTokenReply::Flat(t) => t,
        };
        let long: LongTokenReply = self
            .client
            .send(
                &self
                    .graph("instagram.exchange", "/access_token")
                    .query("grant_type", "ig_exchange_token")
                    .query("client_secret", self.app.client_secret.expose())
                    .query("access_token", &short.access_token),
                &DIALECT,
            )
            .await?
            .json(ProviderId::Instagram)?;
        let token = Secret::new(long.access_token);
        let me: MeReply = self
            .client
            .send(
                &self
                    .graph("instagram.me", &format!("/{GRAPH_VERSION}/me"))
                    .query(
                        "fields",
                        "user_id,username,name,account_type,profile_picture_url",
                    )
                    .query("access_token", token.expose()),
                &DIALECT,
            )
            .await?
            .json(ProviderId::Instagram)?;
        let granted_scopes = match short.permissions {
            Some(Permissions::List(list)) => list,
            Some(Permissions::Joined(s)) => split_scopes(&s),
            None => Vec::new(),
        };
        let user_id = me
            .user_id
            .clone()
            .or(short.user_id)
            .ok_or_else(|| PlatformError::unexpected(ProviderId::Instagram, "no user id"))?;
        Ok(Grant {
            platform_user_id: user_id.clone(),
            granted_scopes,
            accounts: vec![Candidate {
                kind: AccountKind::InstagramAccount,
                remote_id: user_id,
                name: me
                    .name
                    .filter(|n| !n.is_empty())
                    .or_else(|| me.username.clone())
                    .unwrap_or_default(),
                handle: me.username.map(|u| format!("@{u}")),
                avatar_url: me.profile_picture_url,
                parent: None,
                credentials: Credentials {
                    access_token: token,
                    access_expires_at: expiry(now, long.expires_in),
                    refresh_token: None,
                    refresh_expires_at: None,
                    issued_at: now,
                },
            }],
        })
    }

    async fn refresh(
        &self,
        _kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Credentials, PlatformError> {
        let now = self.client.clock().now();
        let long: LongTokenReply = self
            .client
            .send(
                &self
                    .graph("instagram.refresh", "/refresh_access_token")
                    .query("grant_type", "ig_refresh_token")
                    .query("access_token", credentials.access_token.expose()),
                &DIALECT,
            )
            .await?
            .json(ProviderId::Instagram)?;
        Ok(credentials.renewed_by(Credentials {
            access_token: Secret::new(long.access_token),
            access_expires_at: expiry(now, long.expires_in),
            refresh_token: None,
            refresh_expires_at: None,
            issued_at: now,
        }))
    }

    async fn revoke(
        &self,
        _kind: AccountKind,
        _credentials: &Credentials,
    ) -> Result<Revocation, PlatformError> {
        // Instagram Login has no token revocation endpoint; the person
        // removes the app under Instagram's "Apps and websites".
        Ok(Revocation::Unsupported)
    }

    /// `POST graph.instagram.com/{v}/me/subscribed_apps` with the account's
    /// token, asking for the fields Herald consumes that its permissions
    /// cover.
    async fn subscribe_webhooks(
        &self,
        request: &SubscribeRequest<'_>,
    ) -> Result<Subscription, PlatformError> {
        if request.kind != AccountKind::InstagramAccount {
            return Ok(Subscription::NotApplicable);
        }
        let fields = instagram_fields(request.granted_scopes);
        if fields.is_empty() {
            return Ok(Subscription::MissingPermission {
                scopes: vec![COMMENTS_SCOPE.to_owned()],
            });
        }
        let call = Call::new(
            ProviderId::Instagram,
            "instagram.subscribed_apps",
            Method::Post,
            self.app.hosts.url(
                "graph.instagram.com",
                &format!("/{GRAPH_VERSION}/me/subscribed_apps"),
            ),
        )
        .query("access_token", request.access_token.expose())
        .form(&[("subscribed_fields", &fields.join(","))])
        // Subscribing again sets the same fields.
        .idempotent(true)
        .bucket(request.remote_id);
        crate::meta::subscribed(
            self.client.send(&call, &DIALECT).await,
            ProviderId::Instagram,
            fields,
            COMMENTS_SCOPE,
        )
    }
}

/// What the inbox needs most: comments and mentions.
const COMMENTS_SCOPE: &str = "instagram_business_manage_comments";

/// The Instagram fields Herald consumes (`herald_webhooks`' plan), each
/// when the scope Meta requires for it was granted.
fn instagram_fields(granted: &[String]) -> Vec<String> {
    let has = |scope: &str| granted.iter().any(|s| s == scope);
    let mut fields = Vec::new();
    if has(COMMENTS_SCOPE) {
        fields.extend(["comments", "live_comments", "mentions"].map(str::to_owned));
    }
    if has("instagram_business_manage_insights") {
        fields.push("story_insights".to_owned());
    }
    if has("instagram_business_manage_messages") {
        fields.push("messages".to_owned());
    }
    fields
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ShortTokenReply {
    Wrapped { data: Vec<ShortToken> },
    Flat(ShortToken),
}

#[derive(Deserialize)]
struct ShortToken {
    access_token: String,
    #[serde(default, deserialize_with = "id_string")]
    user_id: Option<String>,
    #[serde(default)]
    permissions: Option<Permissions>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Permissions {
    Joined(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
struct LongTokenReply {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct MeReply {
    #[serde(default, deserialize_with = "id_string")]
    user_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    profile_picture_url: Option<String>,
}

/// Meta sends ids as strings, but Instagram's `user_id` has been seen as a
/// number: take either.
fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Property tests: whatever Instagram's token endpoints answer, in the
/// legacy error shape or any other, reading it never panics, and a token's
/// lifetime never overflows.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::client::strategies::{body, reply};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_legacy_answers_never_panic(reply in reply()) {
            if let Some(e) = LegacyDialect.classify(&reply, Timestamp::UNIX_EPOCH) {
                prop_assert_eq!(e.provider, ProviderId::Instagram);
            }
        }

        #[test]
        fn token_answers_of_any_shape_never_panic(body in body(), now in 0i64..4_102_444_800) {
            let now = Timestamp::from_second(now).expect("in range");
            let reply = Reply { status: 200, headers: Default::default(), body };
            if let Ok(short) = reply.json::<ShortTokenReply>(ProviderId::Instagram) {
                let tokens = match short {
                    ShortTokenReply::Wrapped { data } => data,
                    ShortTokenReply::Flat(t) => vec![t],
                };
                for t in tokens {
                    if let Some(Permissions::Joined(s)) = t.permissions {
                        prop_assert!(split_scopes(&s).iter().all(|p| !p.is_empty()));
                    }
                }
            }
            if let Ok(long) = reply.json::<LongTokenReply>(ProviderId::Instagram) {
                let _ = expiry(now, long.expires_in);
            }
            let _ = reply.json::<MeReply>(ProviderId::Instagram);
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
