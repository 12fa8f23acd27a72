//! The sandbox's persistent state: authorization codes, tokens and each
//! user's grants, per platform. Everything time-based compares against the
//! injected clock. Serialized as JSON to the optional state file (written
//! to a temporary file, then renamed) so a restart keeps issued tokens.
//!
//! The publishing simulators (containers, publish ids, uploads) and the
//! engagement simulators (messages, private replies, YouTube comments)
//! keep their objects here next to the grants.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::engagement::Engagement;
use crate::google::YouTubeComments;
use crate::google::upload::YouTubeUploads;
use crate::meta::{MetaPublishing, Subscriptions};
use crate::oauth::Pkce;
use crate::published::PublishedPost;
use crate::tiktok_publish::TikTokPublishes;
use crate::{Platform, SandboxError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenKind {
    /// Facebook Login user token, 1 h.
    MetaShort,
    /// Facebook Login user token after `fb_exchange_token`, ~60 d.
    MetaLong,
    /// Page token from `/me/accounts`.
    MetaPage,
    /// Instagram Login token from the code, 1 h.
    IgShort,
    /// Instagram Login token after `ig_exchange_token` / refresh, ~60 d.
    IgLong,
    TikTokAccess,
    TikTokRefresh,
    GoogleAccess,
    GoogleRefresh,
}

impl TokenKind {
    pub fn platform(self) -> Platform {
        match self {
            TokenKind::MetaShort | TokenKind::MetaLong | TokenKind::MetaPage => Platform::Meta,
            TokenKind::IgShort | TokenKind::IgLong => Platform::Instagram,
            TokenKind::TikTokAccess | TokenKind::TikTokRefresh => Platform::TikTok,
            TokenKind::GoogleAccess | TokenKind::GoogleRefresh => Platform::Google,
        }
    }
}

/// Why a token stopped working before it expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Revocation {
    /// The person removed the app at the platform (`revoke_user`, Meta's
    /// `DELETE /me/permissions`).
    AppRemoved,
    /// The app revoked it through the platform's revoke endpoint.
    Revoked,
    /// A rotating refresh token was replaced by a newer one.
    Rotated,
    /// Google: the code it came from was presented a second time.
    CodeReused,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub kind: TokenKind,
    /// Normalized sandbox user name.
    pub user: String,
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Requested but declined scopes (Meta `/me/permissions`).
    #[serde(default)]
    pub declined: Vec<String>,
    pub issued_at: Timestamp,
    /// None = never expires.
    pub expires_at: Option<Timestamp>,
    #[serde(default)]
    pub revoked: Option<Revocation>,
    /// Id of the authorization (the code) the token descends from.
    pub grant: String,
    /// Page tokens: the Page.
    #[serde(default)]
    pub page_id: Option<String>,
    /// Page tokens: the user token they were derived from.
    #[serde(default)]
    pub parent: Option<String>,
}

/// Why a presented token is not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    /// Not a token this sandbox issued (or one of another platform).
    Unknown,
    Expired(Timestamp),
    Revoked(Revocation),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodeRecord {
    pub platform: Platform,
    pub client_id: String,
    pub redirect_uri: String,
    pub user: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub declined: Vec<String>,
    #[serde(default)]
    pub pkce: Option<Pkce>,
    pub expires_at: Timestamp,
    #[serde(default)]
    pub used: bool,
    /// Id shared by every token issued from this code.
    pub grant: String,
    /// Google: issue a refresh token with the access token.
    #[serde(default)]
    pub issue_refresh: bool,
}

/// Why a presented authorization code is not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CodeProblem {
    Unknown,
    Expired,
    /// Second presentation; carries the grant id so platforms that punish
    /// reuse (Google) can revoke what the first one issued.
    Used {
        grant: String,
    },
}

/// What a user granted an app at a platform (the latest consent wins).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Grant {
    /// Facebook Login: Page slots the person kept checked.
    #[serde(default)]
    pub pages: Vec<usize>,
    /// Google: every scope granted so far (`include_granted_scopes`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Google: a refresh token was already issued for this grant, so the
    /// next consent without `prompt=consent` gets none.
    #[serde(default)]
    pub refresh_issued: bool,
}

/// Authorization codes live 10 minutes on every simulated platform.
pub(crate) const CODE_LIFETIME: SignedDuration = SignedDuration::from_secs(600);

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(default)]
    codes: HashMap<String, CodeRecord>,
    #[serde(default)]
    tokens: HashMap<String, TokenRecord>,
    /// Key: `{platform}:{client_id}:{user}`.
    #[serde(default)]
    grants: BTreeMap<String, Grant>,
    /// Sandbox users who have consented at least once, per platform.
    #[serde(default)]
    users: BTreeMap<Platform, BTreeSet<String>>,
    /// Every post the simulators made visible, oldest first.
    #[serde(default)]
    published: Vec<PublishedPost>,
    /// Instagram containers and media, Facebook Page posts and videos.
    #[serde(default)]
    meta_publishing: MetaPublishing,
    /// TikTok direct posts by publish_id.
    #[serde(default)]
    tiktok_publishes: TikTokPublishes,
    /// YouTube resumable upload sessions and uploaded videos.
    #[serde(default)]
    youtube_uploads: YouTubeUploads,
    /// Direct messages, private replies and the log of engagement actions.
    #[serde(default)]
    engagement: Engagement,
    /// YouTube comments and replies.
    #[serde(default)]
    youtube_comments: YouTubeComments,
    /// Pages and Instagram Login accounts subscribed to webhooks.
    #[serde(default)]
    subscriptions: Subscriptions,
}

fn grant_key(platform: Platform, client_id: &str, user: &str) -> String {
    format!("{}:{client_id}:{user}", platform.name())
}

impl State {
    pub fn load(path: &Path) -> Result<Self, SandboxError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| SandboxError::ParseState {
                    path: path.to_owned(),
                    source,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(SandboxError::ReadState {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the state next to `path` and renames it over `path`.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }

    pub fn insert_code(&mut self, code: String, record: CodeRecord) {
        self.users
            .entry(record.platform)
            .or_default()
            .insert(record.user.clone());
        self.codes.insert(code, record);
    }

    /// Marks a code used and returns it, or says why it cannot be used.
    pub fn redeem_code(
        &mut self,
        code: &str,
        platform: Platform,
        now: Timestamp,
    ) -> Result<CodeRecord, CodeProblem> {
        let record = self
            .codes
            .get_mut(code)
            .filter(|r| r.platform == platform)
            .ok_or(CodeProblem::Unknown)?;
        if record.used {
            return Err(CodeProblem::Used {
                grant: record.grant.clone(),
            });
        }
        if record.expires_at <= now {
            return Err(CodeProblem::Expired);
        }
        record.used = true;
        Ok(record.clone())
    }

    pub fn insert_token(&mut self, token: String, record: TokenRecord) {
        self.tokens.insert(token, record);
    }

    pub fn token(&self, token: &str) -> Option<&TokenRecord> {
        self.tokens.get(token)
    }

    /// A usable token of `platform`, or why not.
    pub fn check(
        &self,
        token: &str,
        platform: Platform,
        now: Timestamp,
    ) -> Result<&TokenRecord, TokenProblem> {
        let record = self
            .tokens
            .get(token)
            .filter(|r| r.kind.platform() == platform)
            .ok_or(TokenProblem::Unknown)?;
        if let Some(reason) = record.revoked {
            return Err(TokenProblem::Revoked(reason));
        }
        match record.expires_at {
            Some(at) if at <= now => Err(TokenProblem::Expired(at)),
            _ => Ok(record),
        }
    }

    pub fn revoke_token(&mut self, token: &str, reason: Revocation) {
        if let Some(record) = self.tokens.get_mut(token) {
            record.revoked.get_or_insert(reason);
        }
    }

    /// Revokes every live token matching `pred`; returns how many.
    pub fn revoke_where(
        &mut self,
        reason: Revocation,
        mut pred: impl FnMut(&TokenRecord) -> bool,
    ) -> usize {
        let mut n = 0;
        for record in self.tokens.values_mut() {
            if record.revoked.is_none() && pred(record) {
                record.revoked = Some(reason);
                n += 1;
            }
        }
        n
    }

    /// Revokes everything a user holds at a platform and forgets the grants,
    /// as when the person removes the app.
    pub fn remove_app(&mut self, platform: Platform, user: &str) -> usize {
        let prefix = format!("{}:", platform.name());
        let suffix = format!(":{user}");
        self.grants
            .retain(|k, _| !(k.starts_with(&prefix) && k.ends_with(&suffix)));
        self.revoke_where(Revocation::AppRemoved, |r| {
            r.kind.platform() == platform && r.user == user
        })
    }

    /// An existing page token derived from `parent` for `page_id`.
    pub fn page_token_of(&self, parent: &str, page_id: &str) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(_, r)| {
                r.kind == TokenKind::MetaPage
                    && r.revoked.is_none()
                    && r.parent.as_deref() == Some(parent)
                    && r.page_id.as_deref() == Some(page_id)
            })
            .map(|(t, _)| t.as_str())
    }

    pub fn grant(&self, platform: Platform, client_id: &str, user: &str) -> Option<&Grant> {
        self.grants.get(&grant_key(platform, client_id, user))
    }

    pub fn grant_mut(&mut self, platform: Platform, client_id: &str, user: &str) -> &mut Grant {
        self.grants
            .entry(grant_key(platform, client_id, user))
            .or_default()
    }

    /// Records a post that just went live.
    pub fn record_published(&mut self, post: PublishedPost) {
        self.published.push(post);
    }

    pub fn published(&self) -> &[PublishedPost] {
        &self.published
    }

    pub fn meta_publishing(&self) -> &MetaPublishing {
        &self.meta_publishing
    }

    pub fn meta_publishing_mut(&mut self) -> &mut MetaPublishing {
        &mut self.meta_publishing
    }

    pub fn tiktok_publishes(&self) -> &TikTokPublishes {
        &self.tiktok_publishes
    }

    pub fn tiktok_publishes_mut(&mut self) -> &mut TikTokPublishes {
        &mut self.tiktok_publishes
    }

    pub fn youtube_uploads(&self) -> &YouTubeUploads {
        &self.youtube_uploads
    }

    pub fn youtube_uploads_mut(&mut self) -> &mut YouTubeUploads {
        &mut self.youtube_uploads
    }

    pub fn engagement(&self) -> &Engagement {
        &self.engagement
    }

    pub fn engagement_mut(&mut self) -> &mut Engagement {
        &mut self.engagement
    }

    pub fn youtube_comments(&self) -> &YouTubeComments {
        &self.youtube_comments
    }

    pub fn youtube_comments_mut(&mut self) -> &mut YouTubeComments {
        &mut self.youtube_comments
    }

    pub fn subscriptions(&self) -> &Subscriptions {
        &self.subscriptions
    }

    pub fn subscriptions_mut(&mut self) -> &mut Subscriptions {
        &mut self.subscriptions
    }

    pub fn users(&self, platform: Platform) -> impl Iterator<Item = &str> {
        self.users
            .get(&platform)
            .into_iter()
            .flat_map(|s| s.iter().map(String::as_str))
    }

    pub fn live_tokens(&self, platform: Platform, now: Timestamp) -> usize {
        self.tokens
            .values()
            .filter(|r| {
                r.kind.platform() == platform
                    && r.revoked.is_none()
                    && r.expires_at.is_none_or(|at| at > now)
            })
            .count()
    }

    /// Drops codes a day after they expired and tokens 400 days after: an
    /// expired or revoked token keeps answering with its "expired" /
    /// "revoked" error (not "unknown") however far a test moves the clock
    /// within a TikTok refresh lifetime.
    pub fn prune(&mut self, now: Timestamp) {
        let code_horizon = now - SignedDuration::from_hours(24);
        self.codes.retain(|_, c| c.expires_at > code_horizon);
        let token_horizon = now - SignedDuration::from_hours(24 * 400);
        self.tokens
            .retain(|_, t| t.expires_at.is_none_or(|at| at > token_horizon));
        self.meta_publishing.prune(now);
        self.tiktok_publishes.prune(now);
        self.youtube_uploads.prune(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    fn code(platform: Platform, at: Timestamp) -> CodeRecord {
        CodeRecord {
            platform,
            client_id: "c".into(),
            redirect_uri: "https://a.example/cb".into(),
            user: "demo".into(),
            scopes: vec![],
            declined: vec![],
            pkce: None,
            expires_at: at + CODE_LIFETIME,
            used: false,
            grant: "g1".into(),
            issue_refresh: false,
        }
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let mut st = State::default();
        let t0 = ts(1_700_000_000);
        st.insert_code("a".into(), code(Platform::Google, t0));
        assert_eq!(
            st.redeem_code("a", Platform::Meta, t0).unwrap_err(),
            CodeProblem::Unknown
        );
        assert!(st.redeem_code("a", Platform::Google, t0).is_ok());
        assert_eq!(
            st.redeem_code("a", Platform::Google, t0).unwrap_err(),
            CodeProblem::Used { grant: "g1".into() }
        );
        st.insert_code("b".into(), code(Platform::Google, t0));
        assert_eq!(
            st.redeem_code("b", Platform::Google, t0 + CODE_LIFETIME)
                .unwrap_err(),
            CodeProblem::Expired
        );
    }

    #[test]
    fn state_round_trips_through_json() {
        let mut st = State::default();
        st.insert_code("a".into(), code(Platform::TikTok, ts(1_700_000_000)));
        st.grant_mut(Platform::Meta, "app", "demo").pages = vec![1];
        let json = serde_json::to_string(&st).unwrap();
        let back: State = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.grant(Platform::Meta, "app", "demo").unwrap().pages,
            [1]
        );
        assert_eq!(back.users(Platform::TikTok).collect::<Vec<_>>(), ["demo"]);
    }
}
