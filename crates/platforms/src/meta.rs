//! Meta: Facebook Login for Facebook Pages and the Instagram business
//! accounts linked to them, and the Graph API's error and usage vocabulary
//! (shared with [`crate::instagram`]).
//!
//! Flow: dialog → code → short-lived user token → long-lived user token
//! (`fb_exchange_token`, ~60 days) → `/me/accounts` with one Page token per
//! Page (these do not expire) → each Page's `instagram_business_account`.
//! Herald keeps Page tokens only; Instagram business accounts publish with
//! their Page's token.

use async_trait::async_trait;
use herald_core::Timestamp;
use serde::Deserialize;
use url::Url;

use crate::client::{Call, Dialect, Method, PlatformClient, Reply, Usage};
use crate::provider::{
    AccountKind, AuthorizeRequest, Candidate, CodeExchange, Connector, Credentials, Grant,
    ProviderId, ProviderInfo, Revocation, ScopeUse, Secret, SubscribeRequest, Subscription,
};
use crate::{AppConfig, ErrorKind, PlatformError, consent_url};

/// Hint codes of Facebook Login connections (permissions, webhook
/// subscriptions); see [`crate::HINT_CODES`].
pub const HINTS: &[&str] = &[FIRST_COMMENT_PERMISSION];

/// The post is up, but Meta refused its first comment for want of a
/// permission (`scopes`: the ones commenting as the Page takes).
pub const FIRST_COMMENT_PERMISSION: &str = "first_comment_missing_permission";

/// What commenting as the Page takes besides the Page token: Meta's
/// comments guide lists these with `pages_read_engagement`.
pub const COMMENT_SCOPES: &[&str] = &["pages_manage_engagement", "pages_read_user_engagement"];

/// Without it Meta refuses `subscribed_apps`, and no webhook comes at all.
pub const SUBSCRIBE_SCOPE: &str = "pages_manage_metadata";

/// The Graph API version Herald speaks.
pub const GRAPH_VERSION: &str = "v25.0";

const REQUIRED: &[&str] = &[
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
];

/// Asked for as well, but Herald publishes without them (insights,
/// comments, webhooks). `pages_manage_metadata` is here rather than
/// required: publishing works without it, and a connection that lacks it
/// says so on its card (no webhooks) instead of refusing to connect.
const OPTIONAL: &[&str] = &[
    "business_management",
    "instagram_manage_insights",
    "read_insights",
    "instagram_manage_comments",
    "pages_manage_engagement",
    "pages_read_user_engagement",
    "pages_messaging",
    "instagram_manage_messages",
    "pages_manage_metadata",
    "ads_read",
];

/// Every scope requested, with the feature that uses it (a test keeps
/// this equal to `REQUIRED` and `OPTIONAL`).
const SCOPES: &[ScopeUse] = &[
    ScopeUse {
        scope: "pages_show_list",
        required: true,
        purpose: "list_pages",
    },
    ScopeUse {
        scope: "pages_read_engagement",
        required: true,
        purpose: "read_pages",
    },
    ScopeUse {
        scope: "pages_manage_posts",
        required: true,
        purpose: "publish_pages",
    },
    ScopeUse {
        scope: "instagram_basic",
        required: true,
        purpose: "read_instagram",
    },
    ScopeUse {
        scope: "instagram_content_publish",
        required: true,
        purpose: "publish_instagram",
    },
    ScopeUse {
        scope: "business_management",
        required: false,
        purpose: "business_pages",
    },
    ScopeUse {
        scope: "instagram_manage_insights",
        required: false,
        purpose: "insights",
    },
    ScopeUse {
        scope: "read_insights",
        required: false,
        purpose: "insights",
    },
    ScopeUse {
        scope: "instagram_manage_comments",
        required: false,
        purpose: "comments",
    },
    ScopeUse {
        scope: "pages_manage_engagement",
        required: false,
        purpose: "engage_pages",
    },
    ScopeUse {
        scope: "pages_read_user_engagement",
        required: false,
        purpose: "engage_pages",
    },
    ScopeUse {
        scope: "pages_messaging",
        required: false,
        purpose: "messages",
    },
    ScopeUse {
        scope: "instagram_manage_messages",
        required: false,
        purpose: "messages",
    },
    ScopeUse {
        scope: "pages_manage_metadata",
        required: false,
        purpose: "webhooks",
    },
    ScopeUse {
        scope: "ads_read",
        required: false,
        purpose: "business_roles",
    },
];

pub(crate) static INFO: ProviderInfo = ProviderInfo {
    id: ProviderId::Facebook,
    required_scopes: REQUIRED,
    scopes: SCOPES,
    pkce: false,
    refreshes: false,
};

/// Facebook Login.
pub struct FacebookLogin {
    app: AppConfig,
    client: PlatformClient,
}

impl FacebookLogin {
    pub fn new(app: AppConfig, client: PlatformClient) -> Self {
        FacebookLogin { app, client }
    }

    fn graph(&self, path: &str) -> String {
        self.app
            .hosts
            .url("graph.facebook.com", &format!("/{GRAPH_VERSION}{path}"))
    }

    fn call(&self, endpoint: &'static str, path: &str) -> Call {
        Call::new(
            ProviderId::Facebook,
            endpoint,
            Method::Get,
            self.graph(path),
        )
    }

    async fn user_token(&self, request: &CodeExchange<'_>) -> Result<TokenReply, PlatformError> {
        // The code is single-use: a repeated exchange fails, so it is not
        // retried after an unknown outcome.
        let short: TokenReply = self
            .client
            .send(
                &self
                    .call("meta.access_token", "/oauth/access_token")
                    .query("client_id", &self.app.client_id)
                    .query("redirect_uri", request.redirect_uri)
                    .query("client_secret", self.app.client_secret.expose())
                    .query("code", request.code)
                    .idempotent(false),
                &GraphDialect(ProviderId::Facebook),
            )
            .await?
            .json(ProviderId::Facebook)?;
        let long: TokenReply = self
            .client
            .send(
                &self
                    .call("meta.access_token", "/oauth/access_token")
                    .query("grant_type", "fb_exchange_token")
                    .query("client_id", &self.app.client_id)
                    .query("client_secret", self.app.client_secret.expose())
                    .query("fb_exchange_token", &short.access_token),
                &GraphDialect(ProviderId::Facebook),
            )
            .await?
            .json(ProviderId::Facebook)?;
        Ok(long)
    }

    async fn pages(&self, user_token: &Secret) -> Result<Vec<PageReply>, PlatformError> {
        let mut pages = Vec::new();
        let mut next = Some(
            self.call("meta.me_accounts", "/me/accounts")
                .query(
                    "fields",
                    "id,name,access_token,category,tasks,instagram_business_account",
                )
                .query("limit", "100")
                .query("access_token", user_token.expose()),
        );
        // A person with hundreds of Pages still ends: at most 20 pages of 100.
        let mut rounds = 0;
        while let Some(call) = next.take() {
            rounds += 1;
            let reply: Paged<PageReply> = self
                .client
                .send(&call, &GraphDialect(ProviderId::Facebook))
                .await?
                .json(ProviderId::Facebook)?;
            pages.extend(reply.data);
            if let Some(url) = reply.paging.and_then(|p| p.next)
                && rounds < 20
            {
                // The `next` URL carries the token already.
                next = Some(Call::new(
                    ProviderId::Facebook,
                    "meta.me_accounts",
                    Method::Get,
                    url,
                ));
            }
        }
        Ok(pages)
    }

    async fn instagram_account(
        &self,
        id: &str,
        page_token: &Secret,
    ) -> Result<IgReply, PlatformError> {
        self.client
            .send(
                &self
                    .call("meta.object", &format!("/{id}"))
                    .query("fields", "id,username,name,profile_picture_url")
                    .query("access_token", page_token.expose())
                    .bucket(id),
                &GraphDialect(ProviderId::Facebook),
            )
            .await?
            .json(ProviderId::Facebook)
    }
}

#[async_trait]
impl Connector for FacebookLogin {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<Url, PlatformError> {
        let scopes: Vec<&str> = REQUIRED.iter().chain(OPTIONAL).copied().collect();
        let mut url = consent_url(
            ProviderId::Facebook,
            &self.app.hosts.url(
                "www.facebook.com",
                &format!("/{GRAPH_VERSION}/dialog/oauth"),
            ),
        )?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.app.client_id)
                .append_pair("redirect_uri", request.redirect_uri)
                .append_pair("state", request.state)
                .append_pair("response_type", "code")
                .append_pair("scope", &scopes.join(","));
            if request.rerequest {
                q.append_pair("auth_type", "rerequest");
            }
        }
        Ok(url)
    }

    async fn exchange(&self, request: &CodeExchange<'_>) -> Result<Grant, PlatformError> {
        let now = self.client.clock().now();
        let user = self.user_token(request).await?;
        let user_token = Secret::new(user.access_token);
        let me: MeReply = self
            .client
            .send(
                &self
                    .call("meta.me", "/me")
                    .query("fields", "id,name")
                    .query("access_token", user_token.expose()),
                &GraphDialect(ProviderId::Facebook),
            )
            .await?
            .json(ProviderId::Facebook)?;
        let permissions: Paged<PermissionReply> = self
            .client
            .send(
                &self
                    .call("meta.permissions", "/me/permissions")
                    .query("access_token", user_token.expose()),
                &GraphDialect(ProviderId::Facebook),
            )
            .await?
            .json(ProviderId::Facebook)?;
        let granted_scopes: Vec<String> = permissions
            .data
            .into_iter()
            .filter(|p| p.status == "granted")
            .map(|p| p.permission)
            .collect();
        let mut accounts = Vec::new();
        if granted_scopes.iter().any(|s| s == "pages_show_list") {
            for page in self.pages(&user_token).await? {
                let Some(token) = page.access_token.filter(|t| !t.is_empty()) else {
                    // No token: the person lacks a task on this Page that
                    // lets an app act for it.
                    continue;
                };
                let page_token = Secret::new(token);
                let credentials = Credentials {
                    access_token: page_token.clone(),
                    access_expires_at: None,
                    refresh_token: None,
                    refresh_expires_at: None,
                    issued_at: now,
                };
                if let Some(ig) = &page.instagram_business_account {
                    let profile = self.instagram_account(&ig.id, &page_token).await?;
                    accounts.push(Candidate {
                        kind: AccountKind::InstagramBusiness,
                        remote_id: profile.id,
                        name: profile
                            .name
                            .filter(|n| !n.is_empty())
                            .or_else(|| profile.username.clone())
                            .unwrap_or_default(),
                        handle: profile.username.map(|u| format!("@{u}")),
                        avatar_url: profile.profile_picture_url,
                        parent: Some(page.name.clone()),
                        credentials: credentials.clone(),
                    });
                }
                accounts.push(Candidate {
                    kind: AccountKind::FacebookPage,
                    remote_id: page.id,
                    name: page.name,
                    handle: page.category,
                    avatar_url: None,
                    parent: None,
                    credentials,
                });
            }
        }
        // The user token itself is not kept: Page tokens outlive it.
        Ok(Grant {
            platform_user_id: me.id,
            granted_scopes,
            accounts,
        })
    }

    async fn refresh(
        &self,
        _kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Credentials, PlatformError> {
        // Page tokens do not expire and cannot be renewed; checking that
        // the token still works is what "refresh" means here.
        self.client
            .send(
                &self
                    .call("meta.me", "/me")
                    .query("fields", "id")
                    .query("access_token", credentials.access_token.expose()),
                &GraphDialect(ProviderId::Facebook),
            )
            .await?;
        Ok(credentials.clone())
    }

    async fn revoke(
        &self,
        _kind: AccountKind,
        _credentials: &Credentials,
    ) -> Result<Revocation, PlatformError> {
        // Graph revokes per person (DELETE /{user}/permissions), which would
        // cut off every other Page of theirs; a single Page token cannot be
        // revoked.
        Ok(Revocation::Unsupported)
    }

    /// `POST /{page-id}/subscribed_apps` with the Page token. An Instagram
    /// business account gets its webhooks through its Page (the fields
    /// themselves are the app's Instagram fields): its Page token's `/me`
    /// is that Page.
    async fn subscribe_webhooks(
        &self,
        request: &SubscribeRequest<'_>,
    ) -> Result<Subscription, PlatformError> {
        let page = match request.kind {
            AccountKind::FacebookPage => request.remote_id,
            AccountKind::InstagramBusiness => "me",
            _ => return Ok(Subscription::NotApplicable),
        };
        let granted = request.granted_scopes;
        if !granted.iter().any(|s| s == SUBSCRIBE_SCOPE) {
            return Ok(Subscription::MissingPermission {
                scopes: vec![SUBSCRIBE_SCOPE.to_owned()],
            });
        }
        let fields = page_fields(granted);
        let call = Call::new(
            ProviderId::Facebook,
            "meta.subscribed_apps",
            Method::Post,
            self.graph(&format!("/{page}/subscribed_apps")),
        )
        .query("access_token", request.access_token.expose())
        .form(&[("subscribed_fields", &fields.join(","))])
        // Subscribing again sets the same fields.
        .idempotent(true)
        .bucket(request.remote_id);
        subscribed(
            self.client
                .send(&call, &GraphDialect(ProviderId::Facebook))
                .await,
            ProviderId::Facebook,
            fields,
            SUBSCRIBE_SCOPE,
        )
    }
}

/// The Page fields Herald consumes (`herald_webhooks`' plan): `feed`
/// (comments on the Page's posts) always, `messages` when the Page's
/// messages were granted (Meta refuses the field without
/// `pages_messaging`).
fn page_fields(granted: &[String]) -> Vec<String> {
    let mut fields = vec!["feed".to_owned()];
    if granted.iter().any(|s| s == "pages_messaging") {
        fields.push("messages".to_owned());
    }
    fields
}

/// What a `subscribed_apps` answer means: `{"success":true}` subscribed,
/// a permission refusal the permission it names (else `fallback`), any
/// other refusal an error.
pub(crate) fn subscribed(
    answer: Result<Reply, PlatformError>,
    provider: ProviderId,
    fields: Vec<String>,
    fallback: &str,
) -> Result<Subscription, PlatformError> {
    match answer {
        Ok(reply) => {
            let body: SuccessReply = reply.json(provider)?;
            if body.success {
                Ok(Subscription::Subscribed { fields })
            } else {
                Err(PlatformError::unexpected(
                    provider,
                    "subscribed_apps answered success: false",
                ))
            }
        }
        Err(e) if matches!(e.kind, ErrorKind::Reconsent { .. }) => {
            // "(#200) To subscribe to the messages field, one of these
            // permissions is needed: pages_messaging" names it; "(#200)
            // Requires pages_manage_metadata permission…" too.
            let named: Vec<String> = e
                .message
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("pages_") || w.starts_with("instagram_"))
                .map(str::to_owned)
                .collect();
            let scopes = if named.is_empty() {
                vec![fallback.to_owned()]
            } else {
                named
            };
            Ok(Subscription::MissingPermission { scopes })
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct SuccessReply {
    #[serde(default)]
    success: bool,
}

#[derive(Deserialize)]
pub(crate) struct TokenReply {
    pub access_token: String,
}

#[derive(Deserialize)]
struct MeReply {
    id: String,
}

#[derive(Deserialize)]
struct PermissionReply {
    permission: String,
    status: String,
}

#[derive(Deserialize)]
struct Paged<T> {
    data: Vec<T>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct PageReply {
    id: String,
    name: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    instagram_business_account: Option<IdReply>,
}

#[derive(Deserialize)]
struct IdReply {
    id: String,
}

#[derive(Deserialize)]
struct IgReply {
    id: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    profile_picture_url: Option<String>,
}

/// The Graph API's errors (`{"error":{"code":…,"error_subcode":…}}`) and
/// usage headers. Classifies on the body's codes, not the HTTP status:
/// Graph throttles with 400s and 403s as often as with 429s.
pub struct GraphDialect(pub ProviderId);

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    error_subcode: Option<i64>,
    #[serde(default)]
    is_transient: Option<bool>,
    #[serde(default)]
    fbtrace_id: Option<String>,
}

impl Dialect for GraphDialect {
    fn classify(&self, reply: &Reply, _now: Timestamp) -> Option<PlatformError> {
        let provider = self.0;
        let parsed = serde_json::from_slice::<GraphErrorBody>(&reply.body).ok();
        let Some(GraphErrorBody { error }) = parsed else {
            return PlatformError::from_status(provider, reply.status);
        };
        let code = error.code.unwrap_or(0);
        let subcode = error.error_subcode.unwrap_or(0);
        let kind = match (code, subcode) {
            (102 | 190, _) | (_, 458 | 459 | 460 | 463 | 464 | 467 | 492) | (_, 33) => {
                ErrorKind::Reconnect
            }
            _ if error.message.contains("REVOKED_ACCESS_TOKEN") => ErrorKind::Reconnect,
            (10 | 200..=299, _) => ErrorKind::Reconsent { scopes: Vec::new() },
            (4 | 17 | 32 | 341 | 368 | 613 | 80000..=80099, _) => {
                ErrorKind::RateLimited { until: None }
            }
            // The OAuth client or redirect URI is wrong.
            (101 | 191, _) => ErrorKind::Misconfigured,
            (1 | 2, _) => ErrorKind::Unavailable,
            _ if error.is_transient == Some(true) || reply.status >= 500 => ErrorKind::Unavailable,
            _ => ErrorKind::BadRequest,
        };
        let code = if subcode != 0 {
            format!("{code}/{subcode}")
        } else {
            code.to_string()
        };
        Some(
            PlatformError::new(provider, kind, error.message)
                .with_code(code)
                .with_trace(error.fbtrace_id),
        )
    }

    fn usage(&self, reply: &Reply) -> Vec<Usage> {
        let mut usage = Vec::new();
        if let Some(app) = reply
            .header("x-app-usage")
            .and_then(|h| serde_json::from_str::<AppUsage>(h).ok())
        {
            usage.push(Usage {
                bucket: None,
                percent: app.call_count.max(app.total_time).max(app.total_cputime),
                regain_after: None,
            });
        }
        if let Some(buc) = reply.header("x-business-use-case-usage").and_then(|h| {
            serde_json::from_str::<std::collections::BTreeMap<String, Vec<BucUsage>>>(h).ok()
        }) {
            for (id, entries) in buc {
                for e in entries {
                    usage.push(Usage {
                        bucket: Some(id.clone()),
                        percent: e.call_count.max(e.total_time).max(e.total_cputime),
                        regain_after: e
                            .estimated_time_to_regain_access
                            .filter(|m| *m > 0)
                            .map(|m| herald_core::SignedDuration::from_mins(m as i64)),
                    });
                }
            }
        }
        usage
    }
}

#[derive(Deserialize)]
struct AppUsage {
    #[serde(default)]
    call_count: u32,
    #[serde(default)]
    total_time: u32,
    #[serde(default)]
    total_cputime: u32,
}

#[derive(Deserialize)]
struct BucUsage {
    #[serde(default)]
    call_count: u32,
    #[serde(default)]
    total_time: u32,
    #[serde(default)]
    total_cputime: u32,
    #[serde(default)]
    estimated_time_to_regain_access: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn kind(status: u16, body: &str) -> Option<ErrorKind> {
        GraphDialect(ProviderId::Facebook)
            .classify(&reply(status, body), Timestamp::UNIX_EPOCH)
            .map(|e| e.kind)
    }

    #[test]
    fn graph_errors_are_classified_by_code_not_status() {
        assert_eq!(kind(200, r#"{"data":[]}"#), None);
        assert_eq!(
            kind(
                400,
                r#"{"error":{"message":"Session has expired","code":190,"error_subcode":463}}"#
            ),
            Some(ErrorKind::Reconnect)
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":{"message":"(#4) Application request limit reached","code":4}}"#
            ),
            Some(ErrorKind::RateLimited { until: None })
        );
        assert_eq!(
            kind(
                403,
                r#"{"error":{"message":"(#200) Permissions error","code":200}}"#
            ),
            Some(ErrorKind::Reconsent { scopes: vec![] })
        );
        assert_eq!(
            kind(
                500,
                r#"{"error":{"message":"unknown","code":2,"is_transient":true}}"#
            ),
            Some(ErrorKind::Unavailable)
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":{"message":"Invalid parameter","code":100}}"#
            ),
            Some(ErrorKind::BadRequest)
        );
        assert_eq!(
            kind(502, "<html>bad gateway</html>"),
            Some(ErrorKind::Unavailable)
        );
    }

    #[test]
    fn usage_headers_are_read_as_percentages() {
        let mut r = reply(200, "{}");
        r.headers.insert(
            "x-app-usage",
            HeaderValue::from_static(r#"{"call_count":28,"total_time":91,"total_cputime":5}"#),
        );
        r.headers.insert(
            "x-business-use-case-usage",
            HeaderValue::from_static(
                r#"{"1784":[{"type":"instagram","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":7}]}"#,
            ),
        );
        let usage = GraphDialect(ProviderId::Facebook).usage(&r);
        assert_eq!(usage[0].percent, 91);
        assert_eq!(usage[1].bucket.as_deref(), Some("1784"));
        assert_eq!(usage[1].percent, 100);
        assert_eq!(
            usage[1].regain_after,
            Some(herald_core::SignedDuration::from_mins(7))
        );
    }
}

/// Property tests: whatever the Graph API answers, classifying it and
/// reading its usage never panics, and the codes Herald acts on win over
/// the status.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::client::strategies::{body, reply};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_graph_answers_never_panic(reply in reply(), now in 0i64..4_102_444_800) {
            let now = Timestamp::from_second(now).expect("in range");
            for dialect in [GraphDialect(ProviderId::Facebook), GraphDialect(ProviderId::Instagram)] {
                let _ = dialect.classify(&reply, now);
                for usage in dialect.usage(&reply) {
                    prop_assert!(usage.regain_after.is_none_or(|d| d.is_positive()));
                }
            }
        }

        #[test]
        fn dead_tokens_need_reconnecting_whatever_the_status(
            status in 100u16..600,
            code in prop::sample::select(vec![102i64, 190]),
            subcode in proptest::option::of(any::<i64>()),
            message in ".{0,40}",
        ) {
            let body = serde_json::json!({"error": {"code": code, "error_subcode": subcode,
                "message": message}});
            let reply = Reply { status, headers: Default::default(), body: body.to_string().into_bytes() };
            let e = GraphDialect(ProviderId::Facebook)
                .classify(&reply, Timestamp::UNIX_EPOCH)
                .expect("an error");
            prop_assert_eq!(e.kind, ErrorKind::Reconnect);
        }

        #[test]
        fn token_answers_of_any_shape_never_panic(body in body()) {
            let reply = Reply { status: 200, headers: Default::default(), body };
            let _ = reply.json::<TokenReply>(ProviderId::Facebook);
            let _ = reply.json::<Paged<PageReply>>(ProviderId::Facebook);
            let _ = reply.json::<Paged<PermissionReply>>(ProviderId::Facebook);
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
