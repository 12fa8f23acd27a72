//! The accounts service: every use case as one method of [`Accounts`],
//! one file per flow (sign-up, login, devices, workspaces); the values it
//! takes and returns are in `types`.

use herald_core::Named;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_db::{Db, DbError, Tx};
use herald_ratelimit::{Decision, Limit, RateLimiter};

use crate::email::{EmailAddress, EmailError};
use crate::password::{self, HashError, NewPassword, PasswordPolicyError, Verified};
use crate::role::{Authorized, Permission, Role};
use crate::secret::{new_token, token_hash};
use crate::sessions::{SessionRecord, SessionStore, SessionStoreError};
use crate::store;

pub use herald_core::{DeviceId, UserId, WorkspaceId};

mod devices;
mod login;
mod signup;
mod tokens;
mod types;
mod workspaces;

pub use tokens::{Bearer, CreatedToken, TOKEN_NAME_MAX, TokenRequest, TokenView};
pub use types::*;

/// The accounts service.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    clock: Arc<dyn Clock>,
    limiter: Arc<dyn RateLimiter>,
    sessions: Arc<dyn SessionStore>,
    mailbox: Arc<dyn Mailbox>,
    settings: Arc<Settings>,
}

/// A display name as stored: no control characters (line breaks, escape
/// sequences) and no bidirectional overrides, which would make a name shown
/// in mail, notices and the audit log read as something else; runs of
/// whitespace become one space; at most 100 characters.
pub fn clean_display_name(name: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let kept: String = name
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !bidi(*c))
        .collect();
    kept.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
}

fn after(now: Timestamp, d: Duration) -> Timestamp {
    now.saturating_add(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
        .unwrap_or(Timestamp::MAX)
}

pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a password hashing task panicked")
}

/// A mail carrying a single-use link: to whom, in which language, for
/// what (`purpose` names the token), valid how long, which letter, and
/// the page its link opens.
struct TokenMail<'a> {
    user: UserId,
    to: &'a EmailAddress,
    locale: &'a str,
    purpose: &'a str,
    ttl: Duration,
    kind: LetterKind,
    path: &'a str,
}

impl Accounts {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        limiter: Arc<dyn RateLimiter>,
        sessions: Arc<dyn SessionStore>,
        mailbox: Arc<dyn Mailbox>,
        settings: Settings,
    ) -> Accounts {
        Accounts {
            db,
            clock,
            limiter,
            sessions,
            mailbox,
            settings: Arc::new(settings),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.limiter
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn clock_now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) fn session_store(&self) -> &Arc<dyn SessionStore> {
        &self.sessions
    }

    pub(crate) fn link_to(&self, path_and_query: &str) -> String {
        self.link(path_and_query)
    }

    /// Ends every browser session of `user` (the session store may be
    /// Redis, which a database cascade does not reach).
    pub(crate) async fn revoke_sessions_of(&self, user: UserId) -> Result<u64, AccountError> {
        Ok(self.sessions.revoke(user.0, None, None, self.now()).await?)
    }

    fn link(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.settings.public_url)
    }

    /// Counts one hit of `limit` for `key` (an address, an account):
    /// `RateLimited` once it is used up. An unreachable limiter lets it
    /// through (and says so in the log and the metrics) rather than
    /// locking everyone out. The web layer limits pages that no account
    /// stands behind (client review links) with it.
    pub async fn limit(&self, limit: &Limit, key: &str) -> Result<(), AccountError> {
        match self.limiter.hit(limit, &self.limit_key(key)).await {
            Ok(Decision::Allowed { .. }) => Ok(()),
            Ok(Decision::Limited { retry_after }) => Err(AccountError::RateLimited { retry_after }),
            Err(e) => {
                tracing::error!(limit = limit.name, error = %e, "rate limiter unavailable; allowing the attempt");
                Ok(())
            }
        }
    }

    fn limit_key(&self, key: &str) -> String {
        if self.settings.limit_namespace.is_empty() {
            key.to_owned()
        } else {
            format!("{}:{key}", self.settings.limit_namespace)
        }
    }

    /// Records an audit event; a failure to record is logged, never hidden.
    pub async fn audit(&self, event: AuditEvent<'_>, meta: &RequestMeta) {
        let result = store::insert_audit(
            &self.db,
            self.now(),
            &event,
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
        )
        .await;
        tracing::info!(
            target: "audit",
            action = event.action,
            outcome = event.outcome,
            actor = event.actor.map(|a| a.0),
            workspace = event.workspace.map(|w| w.0),
            subject = event.subject,
            ip = meta.ip.as_deref(),
            "audit event"
        );
        if let Err(e) = result {
            tracing::error!(action = event.action, error = %e, "could not store an audit event");
        }
    }

    pub(crate) async fn post(&self, tx: &mut Tx, letter: Letter) -> Result<(), AccountError> {
        self.mailbox
            .post(tx, letter)
            .await
            .map_err(AccountError::Mail)
    }

    /// Sends `user` a fresh link that confirms their address `to`.
    async fn mail_verification(
        &self,
        tx: &mut Tx,
        user: UserId,
        to: &EmailAddress,
        locale: &str,
    ) -> Result<(), AccountError> {
        self.mail_token(
            tx,
            TokenMail {
                user,
                to,
                locale,
                purpose: "verify_email",
                ttl: self.settings.verify_token_ttl,
                kind: LetterKind::VerifyEmail,
                path: "/verify-email",
            },
        )
        .await
    }

    /// Stores a fresh single-use token for the mail's purpose (the
    /// previous one stops working) and queues the mail carrying its link,
    /// in `tx`.
    async fn mail_token(&self, tx: &mut Tx, mail: TokenMail<'_>) -> Result<(), AccountError> {
        let TokenMail {
            user,
            to,
            locale,
            purpose,
            ttl,
            kind,
            path,
        } = mail;
        let now = self.now();
        let token = new_token();
        store::replace_email_token(tx, &token_hash(&token), user, purpose, now, after(now, ttl))
            .await?;
        self.post(
            tx,
            Letter {
                kind,
                to: to.clone(),
                locale: locale.to_owned(),
                link: self.link(&format!("{path}?token={token}")),
            },
        )
        .await
    }
}
