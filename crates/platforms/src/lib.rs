//! Herald's platform adapters.
//!
//! [`Connector`] is the domain contract for connecting accounts and keeping
//! their tokens alive; each provider implements it in one module
//! ([`meta`] for Facebook Login, [`instagram`] for Instagram Login,
//! [`tiktok`], [`youtube`]) and is registered in [`Providers::new`]. Every
//! call leaves through [`PlatformClient`], which owns timeouts, retries,
//! rate-limit gates and redacted logging; each module only knows its
//! platform's paths, JSON shapes and error codes (its [`Dialect`]).
//!
//! A provider whose app credentials are not configured points at the
//! built-in sandbox instead ([`Hosts::sandbox`]): the same adapter code, the
//! same wire format, a different base URL.

pub mod client;
pub mod drive;
pub mod engage;
mod error;
pub mod insights;
pub mod instagram;
pub mod meta;
mod provider;
pub mod publish;
pub mod tiktok;
pub mod youtube;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use client::{Call, ClientOptions, Dialect, Method, PlatformClient, Reply, Usage};
pub use error::{ErrorKind, HINT_CODES, Hint, PlatformError, is_hint_code};
pub use provider::{
    AccountKind, AuthorizeRequest, Candidate, CodeExchange, Connector, Credentials, Grant,
    ProviderId, ProviderInfo, Revocation, ScopeUse, Secret, SubscribeRequest, Subscription,
    missing_scopes,
};
pub use publish::{
    Budget, MediaItem, MediaKind, MediaSource, POST_ID_PENDING, PostFormat, PostIdLookup,
    PostSettings, PostingOptions, Progress, PublishLimits, PublishRequest, Published, Publisher,
    Publishers, Spend, Step,
};

/// Where a provider's hosts are: the real ones, or their simulators under
/// the sandbox's base URL (`{base}/graph.facebook.com/...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosts {
    Real,
    Sandbox { base: String },
}

impl Hosts {
    pub fn sandbox(base: impl Into<String>) -> Hosts {
        Hosts::Sandbox {
            base: base.into().trim_end_matches('/').to_owned(),
        }
    }

    /// The URL of `path` (starting with `/`) on `host`.
    pub fn url(&self, host: &str, path: &str) -> String {
        match self {
            Hosts::Real => format!("https://{host}{path}"),
            Hosts::Sandbox { base } => format!("{base}/{host}{path}"),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self, Hosts::Sandbox { .. })
    }
}

/// One OAuth app at one platform.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub client_id: String,
    pub client_secret: Secret,
    pub hosts: Hosts,
}

/// App credentials of every provider; `None` means "use the sandbox".
#[derive(Debug, Clone, Default)]
pub struct PlatformsConfig {
    pub facebook: Option<AppConfig>,
    pub instagram: Option<AppConfig>,
    pub tiktok: Option<AppConfig>,
    pub youtube: Option<AppConfig>,
}

impl PlatformsConfig {
    pub fn get(&self, provider: ProviderId) -> Option<&AppConfig> {
        match provider {
            ProviderId::Facebook => self.facebook.as_ref(),
            ProviderId::Instagram => self.instagram.as_ref(),
            ProviderId::TikTok => self.tiktok.as_ref(),
            ProviderId::YouTube => self.youtube.as_ref(),
        }
    }
}

/// A registered provider: its connector and whether it is the sandbox.
#[derive(Clone)]
pub struct Registered {
    pub connector: Arc<dyn Connector>,
    pub sandbox: bool,
}

/// The static facts of a provider (its scopes and why), configured or not.
pub fn info(id: ProviderId) -> &'static ProviderInfo {
    match id {
        ProviderId::Facebook => &meta::INFO,
        ProviderId::Instagram => &instagram::INFO,
        ProviderId::TikTok => &tiktok::INFO,
        ProviderId::YouTube => &youtube::INFO,
    }
}

/// The registry of providers this deployment offers.
#[derive(Clone, Default)]
pub struct Providers {
    by_id: BTreeMap<ProviderId, Registered>,
}

impl Providers {
    /// Registers every provider with a configured app.
    pub fn new(config: &PlatformsConfig, client: &PlatformClient) -> Providers {
        let mut providers = Providers::default();
        for id in ProviderId::ALL {
            let Some(app) = config.get(id) else { continue };
            let connector: Arc<dyn Connector> = match id {
                ProviderId::Facebook => {
                    Arc::new(meta::FacebookLogin::new(app.clone(), client.clone()))
                }
                ProviderId::Instagram => {
                    Arc::new(instagram::InstagramLogin::new(app.clone(), client.clone()))
                }
                ProviderId::TikTok => Arc::new(tiktok::TikTok::new(app.clone(), client.clone())),
                ProviderId::YouTube => Arc::new(youtube::YouTube::new(app.clone(), client.clone())),
            };
            providers.by_id.insert(
                id,
                Registered {
                    connector,
                    sandbox: app.hosts.is_sandbox(),
                },
            );
        }
        providers
    }

    pub fn get(&self, id: ProviderId) -> Option<&Registered> {
        self.by_id.get(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (ProviderId, &Registered)> {
        self.by_id.iter().map(|(id, r)| (*id, r))
    }
}

/// The PKCE S256 challenge of `verifier`, base64url without padding
/// (RFC 7636), as Google expects it.
pub fn pkce_s256(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// The platform's consent page at `url`, ready for the query; a URL that
/// does not parse means the hosts are misconfigured.
pub(crate) fn consent_url(provider: ProviderId, url: &str) -> Result<url::Url, PlatformError> {
    url::Url::parse(url)
        .map_err(|e| PlatformError::new(provider, ErrorKind::Misconfigured, e.to_string()))
}

/// Splits a comma- or space-separated scope list.
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `now + expires_in`, when the platform gave a lifetime. A lifetime that
/// ends past what a timestamp holds (`expires_in: 9223372036854775807`)
/// is no usable expiry: like none, the token is checked daily.
pub(crate) fn expiry(
    now: herald_core::Timestamp,
    expires_in: Option<i64>,
) -> Option<herald_core::Timestamp> {
    expires_in.filter(|s| *s > 0).and_then(|s| {
        now.checked_add(herald_core::SignedDuration::from_secs(s))
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_the_rfc_7636_example() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn hosts_map_to_the_sandbox() {
        assert_eq!(
            Hosts::Real.url("graph.facebook.com", "/v25.0/me"),
            "https://graph.facebook.com/v25.0/me"
        );
        assert_eq!(
            Hosts::sandbox("http://127.0.0.1:9/sandbox/").url("graph.facebook.com", "/v25.0/me"),
            "http://127.0.0.1:9/sandbox/graph.facebook.com/v25.0/me"
        );
    }
}

/// Property tests: a platform's `expires_in` and scope list, whatever they
/// hold, are read without a panic.
#[cfg(test)]
mod props {
    use herald_core::{SignedDuration, Timestamp};
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_token_lifetime_gives_an_expiry_or_none(
            now in Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(),
            expires_in in proptest::option::of(prop_oneof![
                any::<i64>(),
                Just(i64::MAX),
                0i64..100_000_000,
            ]),
        ) {
            let now = Timestamp::from_second(now).expect("in range");
            match expiry(now, expires_in) {
                Some(at) => {
                    let secs = expires_in.expect("a lifetime");
                    prop_assert!(secs > 0);
                    prop_assert_eq!(at, now + SignedDuration::from_secs(secs));
                }
                None => prop_assert!(
                    expires_in.is_none_or(|s| s <= 0
                        || now.checked_add(SignedDuration::from_secs(s)).is_err())
                ),
            }
        }

        #[test]
        fn scope_lists_split_into_non_empty_names(s in "[a-z._, ]{0,60}") {
            let scopes = split_scopes(&s);
            prop_assert!(scopes.iter().all(|p| !p.is_empty() && !p.contains([',', ' '])));
            let kept: String = s.chars().filter(|c| !matches!(c, ',' | ' ')).collect();
            prop_assert_eq!(scopes.concat(), kept);
        }
    }

    /// Found by `any_token_lifetime_gives_an_expiry_or_none`: a token
    /// answer with `"expires_in": 9223372036854775807` overflowed the
    /// timestamp (a panic while connecting or refreshing).
    #[test]
    fn an_absurd_token_lifetime_is_no_expiry() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("a time");
        assert_eq!(expiry(now, Some(i64::MAX)), None);
        assert_eq!(
            expiry(now, Some(3600)),
            Some(now + SignedDuration::from_hours(1))
        );
    }
}
