//! The domain contract every platform adapter fulfils, and the types that
//! cross it. Nothing here knows a platform's wire format.

use herald_core::Named;
use std::fmt;

use async_trait::async_trait;
use herald_core::Timestamp;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::PlatformError;

/// A way of connecting accounts: one OAuth app at one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProviderId {
    /// Facebook Login: Facebook Pages and the Instagram business accounts
    /// linked to them.
    Facebook,
    /// Instagram API with Instagram Login: a professional Instagram account
    /// without a Facebook Page.
    Instagram,
    TikTok,
    YouTube,
}

impl ProviderId {
    pub const ALL: [ProviderId; 4] = [
        ProviderId::Facebook,
        ProviderId::Instagram,
        ProviderId::TikTok,
        ProviderId::YouTube,
    ];

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            ProviderId::Facebook => "Facebook",
            ProviderId::Instagram => "Instagram",
            ProviderId::TikTok => "TikTok",
            ProviderId::YouTube => "YouTube",
        }
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a connection publishes to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccountKind {
    #[serde(rename = "facebook_page")]
    FacebookPage,
    /// An Instagram business account reached through its Facebook Page.
    #[serde(rename = "instagram_business")]
    InstagramBusiness,
    /// A professional Instagram account connected with Instagram Login.
    #[serde(rename = "instagram_account")]
    InstagramAccount,
    #[serde(rename = "tiktok_user")]
    #[strum(serialize = "tiktok_user")]
    TikTokUser,
    #[serde(rename = "youtube_channel")]
    #[strum(serialize = "youtube_channel")]
    YouTubeChannel,
}

impl AccountKind {
    pub const ALL: [AccountKind; 5] = [
        AccountKind::FacebookPage,
        AccountKind::InstagramBusiness,
        AccountKind::InstagramAccount,
        AccountKind::TikTokUser,
        AccountKind::YouTubeChannel,
    ];
}

/// A token or other secret. `Debug` and `Display` never show it; only
/// [`Secret::expose`] does, at the one place it is sent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// The tokens of one connected account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub access_token: Secret,
    /// `None`: the token does not expire (Facebook Page tokens).
    pub access_expires_at: Option<Timestamp>,
    pub refresh_token: Option<Secret>,
    pub refresh_expires_at: Option<Timestamp>,
    /// When the access token was issued (Instagram refuses refreshing
    /// tokens younger than 24 hours).
    pub issued_at: Timestamp,
}

impl Credentials {
    /// The stored refresh token; without one the account can only be
    /// connected again.
    pub(crate) fn stored_refresh_token(
        &self,
        provider: ProviderId,
    ) -> Result<&Secret, PlatformError> {
        self.refresh_token.as_ref().ok_or_else(|| {
            PlatformError::new(
                provider,
                crate::ErrorKind::Reconnect,
                "no refresh token stored",
            )
        })
    }

    /// Takes fresh credentials from a refresh or a reconnection without
    /// ever replacing a stored refresh token by a missing one (Google omits
    /// it on refresh and on repeated consent).
    pub fn renewed_by(&self, fresh: Credentials) -> Credentials {
        let keep_old_refresh = fresh.refresh_token.as_ref().is_none_or(Secret::is_empty);
        Credentials {
            refresh_token: if keep_old_refresh {
                self.refresh_token.clone()
            } else {
                fresh.refresh_token
            },
            refresh_expires_at: if keep_old_refresh {
                self.refresh_expires_at
            } else {
                fresh.refresh_expires_at
            },
            ..fresh
        }
    }
}

/// An account the person may connect after consenting, with its own
/// credentials (a Page token, the channel's share of a Google grant…).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Candidate {
    pub kind: AccountKind,
    /// The platform's id of the account (Page id, Instagram user id,
    /// TikTok open_id, channel id).
    pub remote_id: String,
    pub name: String,
    /// `@handle`, custom URL or similar, when the platform has one.
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    /// What it hangs off, for display ("via Page Bakery").
    pub parent: Option<String>,
    pub credentials: Credentials,
}

/// The outcome of a successful code exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    /// The platform's id of the person who consented.
    pub platform_user_id: String,
    /// Scopes the platform says were granted.
    pub granted_scopes: Vec<String>,
    /// Accounts this grant can publish to.
    pub accounts: Vec<Candidate>,
}

/// What to put in the authorization URL.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest<'a> {
    pub redirect_uri: &'a str,
    pub state: &'a str,
    /// The PKCE verifier; the adapter derives the challenge in the encoding
    /// its platform expects. Ignored by platforms without PKCE.
    pub pkce_verifier: &'a str,
    /// Ask again for permissions the person declined before.
    pub rerequest: bool,
}

/// What came back on the redirect, ready for the token exchange.
#[derive(Debug, Clone)]
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub pkce_verifier: &'a str,
}

/// A permission Herald asks a platform for, and why: platform reviews ask
/// for each one with the feature that uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeUse {
    pub scope: &'static str,
    /// Without it a grant is incomplete (else Herald works without it).
    pub required: bool,
    /// What uses it (a code the web layer words: `review.purpose.<code>`).
    pub purpose: &'static str,
}

/// Static facts about a provider, for the UI and the scope check.
#[derive(Debug, Clone)]
pub struct ProviderInfo {
    pub id: ProviderId,
    /// Scopes Herald needs; a grant without one of them is incomplete.
    pub required_scopes: &'static [&'static str],
    /// Every scope Herald requests (required first), with its purpose.
    pub scopes: &'static [ScopeUse],
    /// Whether the flow uses PKCE.
    pub pkce: bool,
    /// Whether access tokens expire and get renewed by a refresh job.
    pub refreshes: bool,
}

/// The result of asking the platform to revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The platform revoked the token.
    Revoked,
    /// The platform offers no revocation for this kind of account (Page
    /// tokens): removing the credential is all Herald can do.
    Unsupported,
}

/// One connected account whose webhooks should be switched on.
#[derive(Debug, Clone, Copy)]
pub struct SubscribeRequest<'a> {
    pub kind: AccountKind,
    /// The account's platform id (Page id, Instagram user id).
    pub remote_id: &'a str,
    pub access_token: &'a Secret,
    /// The scopes the connection was granted (which fields may be asked
    /// for, and whether subscribing is allowed at all).
    pub granted_scopes: &'a [String],
}

/// Where an account's webhook subscription stands after asking for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// The platform sends webhooks for these fields.
    Subscribed { fields: Vec<String> },
    /// The connection lacks these permissions: the platform refuses the
    /// subscription (or would), so no webhook comes until the person
    /// grants them by connecting again.
    MissingPermission { scopes: Vec<String> },
    /// The platform has no per-account webhook subscription Herald uses
    /// (TikTok, YouTube).
    NotApplicable,
}

/// Connecting accounts and keeping their tokens alive. One implementation
/// per provider; publishing and metrics get their own traits.
#[async_trait]
pub trait Connector: Send + Sync + 'static {
    fn info(&self) -> &ProviderInfo;

    /// Where to send the person's browser to consent.
    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<Url, PlatformError>;

    /// Trades the code for tokens and lists the accounts they reach.
    async fn exchange(&self, request: &CodeExchange<'_>) -> Result<Grant, PlatformError>;

    /// Renews the access token of one connected account. Never returns
    /// credentials without an access token.
    async fn refresh(
        &self,
        kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Credentials, PlatformError>;

    /// Revokes the credentials at the platform, where it can.
    async fn revoke(
        &self,
        kind: AccountKind,
        credentials: &Credentials,
    ) -> Result<Revocation, PlatformError>;

    /// Subscribes the account to the webhook fields Herald consumes, where
    /// the platform only sends webhooks for accounts subscribed one by one
    /// (Meta). Safe to repeat: subscribing again sets the same fields.
    async fn subscribe_webhooks(
        &self,
        _request: &SubscribeRequest<'_>,
    ) -> Result<Subscription, PlatformError> {
        Ok(Subscription::NotApplicable)
    }
}

/// The scopes of `required` missing from `granted`.
pub fn missing_scopes(required: &[&str], granted: &[String]) -> Vec<String> {
    required
        .iter()
        .filter(|r| !granted.iter().any(|g| g == *r))
        .map(std::string::ToString::to_string)
        .collect()
}

/// Checks that `info.scopes` lists exactly the scopes requested
/// (`required` then `optional`), each once, with a purpose.
#[cfg(test)]
pub(crate) fn assert_scopes_explained(info: &ProviderInfo, optional: &[&str]) {
    let requested: Vec<(&str, bool)> = info
        .required_scopes
        .iter()
        .map(|s| (*s, true))
        .chain(optional.iter().map(|s| (*s, false)))
        .collect();
    let explained: Vec<(&str, bool)> = info.scopes.iter().map(|u| (u.scope, u.required)).collect();
    assert_eq!(explained, requested, "{:?}", info.id);
    for u in info.scopes {
        assert!(
            !u.purpose.is_empty()
                && u.purpose
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{}",
            u.scope
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(refresh: Option<&str>) -> Credentials {
        Credentials {
            access_token: Secret::new("a"),
            access_expires_at: None,
            refresh_token: refresh.map(Secret::new),
            refresh_expires_at: None,
            issued_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_missing_refresh_token_never_replaces_a_stored_one() {
        let stored = creds(Some("old"));
        assert_eq!(
            stored.renewed_by(creds(None)).refresh_token,
            Some(Secret::new("old"))
        );
        assert_eq!(
            stored.renewed_by(creds(Some(""))).refresh_token,
            Some(Secret::new("old"))
        );
        assert_eq!(
            stored.renewed_by(creds(Some("new"))).refresh_token,
            Some(Secret::new("new"))
        );
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let c = creds(Some("rft.very-secret"));
        assert!(!format!("{c:?}").contains("very-secret"));
    }

    #[test]
    fn slugs_round_trip_and_match_the_json_names() {
        for p in ProviderId::ALL {
            assert_eq!(ProviderId::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        for k in AccountKind::ALL {
            assert_eq!(AccountKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
