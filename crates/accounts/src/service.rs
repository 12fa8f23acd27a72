//! The accounts service: every use case as one method of [`Accounts`].

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

/// Where a request came from, for sessions, devices and the audit log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn new(ip: Option<String>, user_agent: Option<&str>) -> RequestMeta {
        RequestMeta {
            ip,
            user_agent: user_agent.map(|ua| ua.chars().take(256).collect()),
        }
    }

    fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

/// A secret handed to exactly one client (a session cookie, a token).
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    pub fn new(value: String) -> SecretToken {
        SecretToken(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: EmailAddress,
    pub display_name: String,
    pub locale: String,
    pub verified: bool,
    pub created_at: Timestamp,
}

impl User {
    pub(crate) fn from_row(row: store::UserRow) -> User {
        User {
            id: row.id,
            email: EmailAddress::from_stored(row.email),
            display_name: row.display_name,
            locale: row.locale,
            verified: row.email_verified_at.is_some(),
            created_at: row.created_at.0,
        }
    }

    /// The name to show: the display name, or the e-mail address.
    pub fn label(&self) -> &str {
        if self.display_name.trim().is_empty() {
            self.email.as_str()
        } else {
            &self.display_name
        }
    }
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user: User,
    /// The session's id (the hash of its cookie value): not secret.
    pub session_id: String,
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Web,
    Mobile,
    Assistant,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Web => "web",
            DeviceKind::Mobile => "mobile",
            DeviceKind::Assistant => "assistant",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceKind> {
        [DeviceKind::Web, DeviceKind::Mobile, DeviceKind::Assistant]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct DeviceView {
    pub id: DeviceId,
    pub name: String,
    pub kind: String,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What a token grant returns to a non-browser client.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: SecretToken,
    pub refresh_token: SecretToken,
    pub expires_in: Duration,
    pub device_id: DeviceId,
}

#[derive(Debug, Clone)]
pub struct WorkspaceMembership {
    pub id: WorkspaceId,
    pub name: String,
    pub personal: bool,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub since: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Invite {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor: Option<String>,
    pub action: String,
    pub outcome: String,
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: String,
}

impl AuditEntry {
    pub(crate) fn from_row(r: store::AuditRow) -> AuditEntry {
        AuditEntry {
            at: r.at.0,
            actor: r.actor_email,
            action: r.action,
            outcome: r.outcome,
            subject: r.subject,
            ip: r.ip,
            user_agent: r.user_agent,
            detail: r.detail,
        }
    }
}

/// A mail the accounts service needs sent; the [`Mailbox`] turns it into
/// words in the recipient's language and queues it.
#[derive(Debug, Clone)]
pub struct Letter {
    pub kind: LetterKind,
    pub to: EmailAddress,
    /// The recipient's language code (`en`, `de`).
    pub locale: String,
    /// The link the mail is about (verification, reset, invitation, login).
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterKind {
    VerifyEmail,
    ResetPassword,
    PasswordChanged,
    /// Someone tried to sign up with an address that has an account.
    AccountExists,
    Invitation {
        workspace: String,
        inviter: String,
    },
    /// The account will be deleted on `date` unless the person cancels.
    DeletionScheduled {
        date: String,
    },
    /// The person's data export can be downloaded.
    ExportReady,
}

impl LetterKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            LetterKind::VerifyEmail => "verify_email",
            LetterKind::ResetPassword => "reset_password",
            LetterKind::PasswordChanged => "password_changed",
            LetterKind::AccountExists => "account_exists",
            LetterKind::Invitation { .. } => "invitation",
            LetterKind::DeletionScheduled { .. } => "deletion_scheduled",
            LetterKind::ExportReady => "export_ready",
        }
    }
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The port mail leaves through: queue `letter` inside `tx`, so it is sent
/// exactly when the change that caused it commits.
#[async_trait]
pub trait Mailbox: Send + Sync + 'static {
    async fn post(&self, tx: &mut Tx, letter: Letter) -> Result<(), BoxError>;
}

/// Timeouts and lifetimes.
#[derive(Debug, Clone)]
pub struct Settings {
    /// External base URL, without a trailing slash; every link in mail is
    /// built from it, never from a request's `Host`.
    pub public_url: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a device (a refresh-token family) lives at most, however
    /// often it refreshes; then its owner signs in again.
    pub device_absolute: Duration,
    /// How long after a refresh token was used the same token still
    /// answers with the same successor (clients that refresh twice at
    /// once, or lose the answer), instead of counting as a reuse.
    pub refresh_grace: Duration,
    /// Derives a refresh's successor tokens from the one presented, so a
    /// repeat within [`Settings::refresh_grace`] gets the same pair. Every
    /// process of a deployment must have the same key (Herald derives it
    /// from the session secret).
    pub refresh_key: Vec<u8>,
    pub verify_token_ttl: Duration,
    pub reset_token_ttl: Duration,
    pub invite_ttl: Duration,
    /// Prefixes rate-limit keys, so deployments sharing one Redis keep
    /// their counts apart (empty: no prefix).
    pub limit_namespace: String,
}

impl Settings {
    pub fn new(public_url: impl Into<String>) -> Settings {
        const DAY: u64 = 24 * 3600;
        Settings {
            public_url: public_url.into(),
            session_idle: Duration::from_secs(7 * DAY),
            session_absolute: Duration::from_secs(30 * DAY),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(60 * DAY),
            device_absolute: Duration::from_secs(180 * DAY),
            refresh_grace: Duration::from_secs(30),
            refresh_key: rand::random::<[u8; 32]>().to_vec(),
            verify_token_ttl: Duration::from_secs(DAY),
            reset_token_ttl: Duration::from_secs(30 * 60),
            invite_ttl: Duration::from_secs(7 * DAY),
            limit_namespace: String::new(),
        }
    }
}

/// Why an account operation did not happen. [`AccountError::code`] indexes
/// the shared copy table.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid e-mail address")]
    InvalidEmail(#[source] EmailError),
    #[error("the password does not meet the policy")]
    WeakPassword(#[source] PasswordPolicyError),
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    #[error("too many attempts; retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    #[error("the link or token is invalid, used or expired")]
    InvalidToken,
    #[error("a refresh token was used twice; the device was signed out")]
    TokenReused,
    #[error("the e-mail address is not verified yet")]
    NotVerified,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("a workspace must keep at least one owner")]
    LastOwner,
    #[error("the invitation was sent to another e-mail address")]
    InviteEmailMismatch,
    #[error("already a member")]
    AlreadyMember,
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("storage failed")]
    Database(#[from] DbError),
    #[error("session storage failed")]
    Sessions(#[from] SessionStoreError),
    #[error("password hashing failed")]
    Hash(#[from] HashError),
    #[error("queueing mail failed")]
    Mail(#[source] BoxError),
}

impl AccountError {
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::InvalidEmail(_) => "invalid_email",
            AccountError::WeakPassword(PasswordPolicyError::TooShort) => "password_too_short",
            AccountError::WeakPassword(PasswordPolicyError::TooLong) => "password_too_long",
            AccountError::WeakPassword(PasswordPolicyError::TooWeak) => "password_too_weak",
            AccountError::InvalidCredentials => "invalid_credentials",
            AccountError::RateLimited { .. } => "rate_limited",
            AccountError::InvalidToken => "invalid_token",
            AccountError::TokenReused => "token_reused",
            AccountError::NotVerified => "email_not_verified",
            AccountError::Forbidden => "forbidden",
            AccountError::NotFound => "not_found",
            AccountError::LastOwner => "last_owner",
            AccountError::InviteEmailMismatch => "invite_email_mismatch",
            AccountError::AlreadyMember => "already_member",
            AccountError::Invalid(code) => code,
            AccountError::Database(_)
            | AccountError::Sessions(_)
            | AccountError::Hash(_)
            | AccountError::Mail(_) => "internal",
        }
    }
}

/// The rate limits of account flows: `burst` attempts, refilled over `per`.
pub mod limits {
    use super::{Duration, Limit};

    const MIN: u64 = 60;
    const fn per_minutes(n: u64) -> Duration {
        Duration::from_secs(n * MIN)
    }
    /// An account from one address: the limit a guesser meets.
    pub const LOGIN_ACCOUNT_IP: Limit = Limit::new("login_account_ip", 5, per_minutes(15));
    /// An account from every address together: bounds guessing spread
    /// over many addresses, and is out of reach from one address (which
    /// [`LOGIN_ACCOUNT_IP`] stops at 5), so no one can lock a chosen person
    /// out from where they sit.
    pub const LOGIN_ACCOUNT: Limit = Limit::new("login_account", 50, per_minutes(15));
    pub const LOGIN_IP: Limit = Limit::new("login_ip", 30, per_minutes(15));
    pub const SIGNUP_IP: Limit = Limit::new("signup_ip", 10, per_minutes(60));
    pub const RESET_ACCOUNT: Limit = Limit::new("reset_account", 3, per_minutes(60));
    pub const RESET_IP: Limit = Limit::new("reset_ip", 10, per_minutes(60));
    pub const VERIFY_RESEND: Limit = Limit::new("verify_resend", 3, per_minutes(60));
    pub const ACCOUNT_EXISTS_NOTICE: Limit =
        Limit::new("account_exists_notice", 1, per_minutes(60));
    pub const REFRESH_IP: Limit = Limit::new("refresh_ip", 60, per_minutes(1));
    /// Setting a new password with a reset token, per address.
    pub const RESET_SUBMIT_IP: Limit = Limit::new("reset_submit_ip", 20, per_minutes(60));
    /// Changing one's password (each try checks the current one), per user.
    pub const PASSWORD_CHANGE_USER: Limit = Limit::new("password_change_user", 5, per_minutes(15));
    /// Invitations sent by one person, and to one workspace.
    pub const INVITE_USER: Limit = Limit::new("invite_user", 20, per_minutes(60));
    pub const INVITE_WORKSPACE: Limit = Limit::new("invite_workspace", 100, per_minutes(24 * 60));
}

/// How long the audit log keeps an event (the privacy notice says one
/// year).
pub const AUDIT_RETENTION: Duration = Duration::from_secs(365 * 24 * 3600);

/// What one retention purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub email_tokens: u64,
    pub device_tokens: u64,
    pub devices: u64,
    pub invites: u64,
    pub audit_events: u64,
}

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

    /// Counts an attempt; an unreachable limiter lets it through (and says
    /// so in the log and the metrics) rather than locking everyone out.
    pub(crate) async fn limit(&self, limit: &Limit, key: &str) -> Result<(), AccountError> {
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
    #[allow(clippy::too_many_arguments)]
    pub async fn audit(
        &self,
        action: &str,
        outcome: &str,
        actor: Option<UserId>,
        workspace: Option<WorkspaceId>,
        subject: Option<&str>,
        meta: &RequestMeta,
        detail: &str,
    ) {
        let result = store::insert_audit(
            &self.db,
            self.now(),
            workspace,
            actor,
            action,
            outcome,
            subject,
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
            detail,
        )
        .await;
        tracing::info!(
            target: "audit",
            action,
            outcome,
            actor = actor.map(|a| a.0),
            workspace = workspace.map(|w| w.0),
            subject,
            ip = meta.ip.as_deref(),
            "audit event"
        );
        if let Err(e) = result {
            tracing::error!(action, error = %e, "could not store an audit event");
        }
    }

    pub(crate) async fn post(&self, tx: &mut Tx, letter: Letter) -> Result<(), AccountError> {
        self.mailbox
            .post(tx, letter)
            .await
            .map_err(AccountError::Mail)
    }

    /// Stores a fresh single-use token for `purpose` (the previous one
    /// stops working) and queues the mail carrying its link, in `tx`.
    #[allow(clippy::too_many_arguments)]
    async fn mail_token(
        &self,
        tx: &mut Tx,
        user: i64,
        to: &EmailAddress,
        locale: &str,
        purpose: &str,
        ttl: Duration,
        kind: LetterKind,
        path: &str,
    ) -> Result<(), AccountError> {
        let now = self.now();
        let token = new_token();
        store::replace_email_token(
            tx,
            &token_hash(&token),
            UserId(user),
            purpose,
            now,
            after(now, ttl),
        )
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

    // --- Sign-up and verification ---------------------------------------------------

    /// Creates an account, its personal workspace and a verification mail.
    /// Answers the same whether or not the address already has an account
    /// (the owner of an existing one gets a mail saying so instead).
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        display_name: &str,
        locale: &str,
        consent: &str,
        meta: &RequestMeta,
    ) -> Result<EmailAddress, AccountError> {
        if consent.trim().is_empty() {
            return Err(AccountError::Invalid("consent_required"));
        }
        self.limit(&limits::SIGNUP_IP, meta.ip_key()).await?;
        let email = EmailAddress::parse(email).map_err(AccountError::InvalidEmail)?;
        let display_name = clean_display_name(display_name);
        let inputs = [email.as_str().to_owned(), display_name.clone()];
        let password = NewPassword::parse(password, &[&inputs[0], &inputs[1]])
            .map_err(AccountError::WeakPassword)?;
        let hash = blocking(move || password::hash(&password)).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) =
            store::insert_user(&mut tx, email.as_str(), &hash, &display_name, locale, now).await?
        else {
            tx.rollback().await?;
            return self.sign_up_taken(email, meta).await;
        };
        let workspace_name = if display_name.is_empty() {
            email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        } else {
            display_name.clone()
        };
        let workspace = store::insert_workspace(&mut tx, &workspace_name, Some(user), now).await?;
        store::upsert_membership(
            &mut tx,
            WorkspaceId(workspace),
            UserId(user),
            Role::Owner.as_str(),
            now,
        )
        .await?;
        self.record_consent(&mut tx, user, consent, meta).await?;
        self.mail_token(
            &mut tx,
            user,
            &email,
            locale,
            "verify_email",
            self.settings.verify_token_ttl,
            LetterKind::VerifyEmail,
            "/verify-email",
        )
        .await?;
        tx.commit().await?;
        self.audit(
            "signup",
            "success",
            Some(UserId(user)),
            Some(WorkspaceId(workspace)),
            Some(email.as_str()),
            meta,
            "",
        )
        .await;
        Ok(email)
    }

    async fn sign_up_taken(
        &self,
        email: EmailAddress,
        meta: &RequestMeta,
    ) -> Result<EmailAddress, AccountError> {
        let Some(row) = store::user_by_email(&self.db, email.as_str()).await? else {
            return Ok(email);
        };
        let user = User::from_row(row);
        self.audit(
            "signup",
            "failure",
            Some(user.id),
            None,
            Some(email.as_str()),
            meta,
            "address already registered",
        )
        .await;
        // One notice per hour at most, so sign-up cannot be used to flood
        // someone's inbox; the answer to the caller does not change.
        if let Ok(Decision::Allowed { .. }) = self
            .limiter
            .hit(
                &limits::ACCOUNT_EXISTS_NOTICE,
                &self.limit_key(&user.id.to_string()),
            )
            .await
        {
            let mut tx = self.db.begin().await?;
            self.post(
                &mut tx,
                Letter {
                    kind: LetterKind::AccountExists,
                    to: user.email.clone(),
                    locale: user.locale.clone(),
                    link: self.link("/forgot-password"),
                },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(email)
    }

    /// Confirms an address with the token from the verification mail.
    pub async fn verify_email(
        &self,
        token: &str,
        meta: &RequestMeta,
    ) -> Result<UserId, AccountError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) =
            store::take_email_token(&mut tx, &token_hash(token.trim()), "verify_email", now)
                .await?
        else {
            tx.rollback().await?;
            self.audit(
                "email.verify",
                "failure",
                None,
                None,
                None,
                meta,
                "invalid or expired token",
            )
            .await;
            return Err(AccountError::InvalidToken);
        };
        store::mark_verified(&mut tx, UserId(user), now).await?;
        tx.commit().await?;
        self.audit(
            "email.verify",
            "success",
            Some(UserId(user)),
            None,
            None,
            meta,
            "",
        )
        .await;
        Ok(UserId(user))
    }

    /// Sends a new verification mail (the previous link stops working).
    pub async fn resend_verification(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        if user.verified {
            return Ok(());
        }
        self.limit(&limits::VERIFY_RESEND, &user.id.to_string())
            .await?;
        let mut tx = self.db.begin().await?;
        self.mail_token(
            &mut tx,
            user.id.0,
            &user.email,
            &user.locale,
            "verify_email",
            self.settings.verify_token_ttl,
            LetterKind::VerifyEmail,
            "/verify-email",
        )
        .await?;
        tx.commit().await?;
        self.audit(
            "email.verify_resent",
            "success",
            Some(user.id),
            None,
            None,
            meta,
            "",
        )
        .await;
        Ok(())
    }

    /// Fails with [`AccountError::NotVerified`] for an unverified user: they
    /// may sign in and look around, but not connect platforms or publish.
    pub fn require_verified(&self, user: &User) -> Result<(), AccountError> {
        if user.verified {
            Ok(())
        } else {
            Err(AccountError::NotVerified)
        }
    }

    // --- Passwords and login -----------------------------------------------------------

    /// Checks an e-mail address and password, with the rate limits and the
    /// same work for unknown addresses as for known ones.
    async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
        action: &str,
    ) -> Result<User, AccountError> {
        let normalised = email.trim().to_lowercase();
        // Limits are keyed by a hash: addresses stay out of Redis.
        let account_key = token_hash(&normalised);
        let account_ip_key = format!("{account_key}:{}", meta.ip_key());
        self.limit(&limits::LOGIN_IP, meta.ip_key()).await?;
        self.limit(&limits::LOGIN_ACCOUNT_IP, &account_ip_key)
            .await?;
        self.limit(&limits::LOGIN_ACCOUNT, &account_key).await?;
        let row = match EmailAddress::parse(email) {
            Ok(e) => store::user_by_email(&self.db, e.as_str()).await?,
            Err(_) => None,
        };
        let stored = row
            .as_ref()
            .map_or_else(|| password::DUMMY_HASH.clone(), |r| r.password_hash.clone());
        let attempt = password.to_owned();
        let verified = blocking(move || password::verify(&attempt, &stored)).await;
        let Some(row) = row else {
            self.audit(
                action,
                "failure",
                None,
                None,
                Some(&normalised),
                meta,
                "unknown address",
            )
            .await;
            return Err(AccountError::InvalidCredentials);
        };
        let user = User::from_row(row);
        match verified {
            Verified::No => {
                self.audit(
                    action,
                    "failure",
                    Some(user.id),
                    None,
                    Some(user.email.as_str()),
                    meta,
                    "wrong password",
                )
                .await;
                Err(AccountError::InvalidCredentials)
            }
            Verified::Yes | Verified::YesRehash => {
                if verified == Verified::YesRehash
                    && let Ok(pw) = NewPassword::parse(password, &[])
                {
                    let hash = blocking(move || password::hash(&pw)).await?;
                    let mut tx = self.db.begin().await?;
                    store::set_password_hash(&mut tx, user.id, &hash, self.now()).await?;
                    tx.commit().await?;
                }
                if let Err(e) = self
                    .limiter
                    .clear(&limits::LOGIN_ACCOUNT_IP, &self.limit_key(&account_ip_key))
                    .await
                {
                    tracing::warn!(error = %e, "could not clear the login limit");
                }
                Ok(user)
            }
        }
    }

    /// Signs in and opens a browser session; the token goes into the cookie.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(SecretToken, User), AccountError> {
        let user = self
            .check_credentials(email, password, meta, "login")
            .await?;
        let token = new_token();
        let now = self.now();
        self.sessions
            .insert(&SessionRecord {
                token_hash: token_hash(&token),
                user_id: user.id.0,
                created_at: now,
                last_seen_at: now,
                expires_at: after(now, self.settings.session_absolute),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
            })
            .await?;
        self.audit(
            "login",
            "success",
            Some(user.id),
            None,
            Some(user.email.as_str()),
            meta,
            "",
        )
        .await;
        Ok((SecretToken(token), user))
    }

    /// The session a cookie value stands for, if it is still valid (not
    /// revoked, within its idle and absolute timeouts).
    pub async fn session(&self, token: &str) -> Result<Option<Authed>, AccountError> {
        let hash = token_hash(token);
        let Some(row) = self.sessions.get(&hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        let last_seen = row.last_seen_at;
        let idle_ok = after(last_seen, self.settings.session_idle) > now;
        if row.expires_at <= now || !idle_ok {
            return Ok(None);
        }
        let Some(user) = store::user_by_id(&self.db, row.user_id).await? else {
            return Ok(None);
        };
        // Recording every request would make each page a write.
        if now.duration_since(last_seen) > SignedDuration::from_secs(60) {
            self.sessions.touch(&hash, now).await?;
        }
        Ok(Some(Authed {
            user: User::from_row(user),
            session_id: hash,
        }))
    }

    pub async fn log_out(&self, authed: &Authed, meta: &RequestMeta) -> Result<(), AccountError> {
        self.sessions
            .revoke(authed.user.id.0, Some(&authed.session_id), None, self.now())
            .await?;
        self.audit(
            "logout",
            "success",
            Some(authed.user.id),
            None,
            None,
            meta,
            "",
        )
        .await;
        Ok(())
    }

    /// Ends every session and device of the user, this one included.
    pub async fn log_out_everywhere(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let now = self.now();
        let sessions = self.sessions.revoke(user.id.0, None, None, now).await?;
        let devices = store::revoke_devices(&self.db, user.id, None, now).await?;
        self.audit(
            "logout.everywhere",
            "success",
            Some(user.id),
            None,
            None,
            meta,
            &format!("{sessions} sessions, {devices} devices"),
        )
        .await;
        Ok(())
    }

    pub async fn sessions(&self, authed: &Authed) -> Result<Vec<SessionView>, AccountError> {
        let rows = self.sessions.list(authed.user.id.0, self.now()).await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionView {
                current: r.token_hash == authed.session_id,
                id: r.token_hash,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                ip: r.ip,
                user_agent: r.user_agent,
            })
            .collect())
    }

    pub async fn revoke_session(
        &self,
        user: &User,
        session_id: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let n = self
            .sessions
            .revoke(user.id.0, Some(session_id), None, self.now())
            .await?;
        if n == 0 {
            return Err(AccountError::NotFound);
        }
        self.audit(
            "session.revoke",
            "success",
            Some(user.id),
            None,
            None,
            meta,
            "",
        )
        .await;
        Ok(())
    }

    /// Changes the password after checking the current one; every other
    /// session and every device is signed out.
    pub async fn change_password(
        &self,
        authed: &Authed,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let user = &authed.user;
        self.confirm_password(user, current, "password.change", meta)
            .await?;
        let email = user.email.as_str().to_owned();
        let name = user.display_name.clone();
        let password =
            NewPassword::parse(new, &[&email, &name]).map_err(AccountError::WeakPassword)?;
        let hash = blocking(move || password::hash(&password)).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_password_hash(&mut tx, user.id, &hash, now).await?;
        self.post(
            &mut tx,
            Letter {
                kind: LetterKind::PasswordChanged,
                to: user.email.clone(),
                locale: user.locale.clone(),
                link: self.link("/forgot-password"),
            },
        )
        .await?;
        tx.commit().await?;
        self.sessions
            .revoke(user.id.0, None, Some(&authed.session_id), now)
            .await?;
        store::revoke_devices(&self.db, user.id, None, now).await?;
        self.audit(
            "password.change",
            "success",
            Some(user.id),
            None,
            None,
            meta,
            "",
        )
        .await;
        Ok(())
    }

    /// Sends a reset link when the address has an account; answers the
    /// same either way.
    pub async fn request_password_reset(
        &self,
        email: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        self.limit(&limits::RESET_IP, meta.ip_key()).await?;
        self.limit(
            &limits::RESET_ACCOUNT,
            &token_hash(&email.trim().to_lowercase()),
        )
        .await?;
        let Ok(email) = EmailAddress::parse(email) else {
            return Ok(());
        };
        let Some(row) = store::user_by_email(&self.db, email.as_str()).await? else {
            self.audit(
                "password.reset_requested",
                "failure",
                None,
                None,
                Some(email.as_str()),
                meta,
                "unknown address",
            )
            .await;
            return Ok(());
        };
        let user = User::from_row(row);
        let mut tx = self.db.begin().await?;
        self.mail_token(
            &mut tx,
            user.id.0,
            &user.email,
            &user.locale,
            "reset_password",
            self.settings.reset_token_ttl,
            LetterKind::ResetPassword,
            "/reset-password",
        )
        .await?;
        tx.commit().await?;
        self.audit(
            "password.reset_requested",
            "success",
            Some(user.id),
            None,
            Some(email.as_str()),
            meta,
            "",
        )
        .await;
        Ok(())
    }

    /// Sets a new password with a reset token. Does not sign in: every
    /// session and device is signed out, and the user is told by mail.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<UserId, AccountError> {
        self.limit(&limits::RESET_SUBMIT_IP, meta.ip_key()).await?;
        let hashed_token = token_hash(token.trim());
        // The token first: a wrong one costs no password hashing.
        let invalid = || async {
            self.audit(
                "password.reset",
                "failure",
                None,
                None,
                None,
                meta,
                "invalid or expired token",
            )
            .await;
            AccountError::InvalidToken
        };
        if !store::email_token_usable(&self.db, &hashed_token, "reset_password", self.now()).await?
        {
            return Err(invalid().await);
        }
        let password = NewPassword::parse(new, &[]).map_err(AccountError::WeakPassword)?;
        let hash = blocking(move || password::hash(&password)).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) =
            store::take_email_token(&mut tx, &hashed_token, "reset_password", now).await?
        else {
            // Used or expired meanwhile.
            tx.rollback().await?;
            return Err(invalid().await);
        };
        let row = store::user_by_id(&self.db, user)
            .await?
            .ok_or(AccountError::InvalidToken)?;
        store::set_password_hash(&mut tx, UserId(user), &hash, now).await?;
        // The reset link reached the mailbox: the address is proven.
        store::mark_verified(&mut tx, UserId(user), now).await?;
        self.post(
            &mut tx,
            Letter {
                kind: LetterKind::PasswordChanged,
                to: EmailAddress::from_stored(row.email),
                locale: row.locale,
                link: self.link("/forgot-password"),
            },
        )
        .await?;
        tx.commit().await?;
        self.sessions.revoke(user, None, None, now).await?;
        store::revoke_devices(&self.db, UserId(user), None, now).await?;
        self.audit(
            "password.reset",
            "success",
            Some(UserId(user)),
            None,
            None,
            meta,
            "",
        )
        .await;
        Ok(UserId(user))
    }

    pub async fn set_locale(&self, user: &User, locale: &str) -> Result<(), AccountError> {
        store::set_locale(&self.db, user.id, locale).await?;
        Ok(())
    }

    // --- Devices and tokens for non-browser clients ----------------------------------------

    async fn issue(
        &self,
        tx: &mut Tx,
        device: i64,
        now: Timestamp,
    ) -> Result<TokenPair, AccountError> {
        let pair = TokenPair {
            access_token: SecretToken(new_token()),
            refresh_token: SecretToken(new_token()),
            expires_in: self.settings.access_token_ttl,
            device_id: DeviceId(device),
        };
        self.store_pair(tx, &pair, now).await?;
        Ok(pair)
    }

    /// Stores the hashes of a new pair of a device's tokens.
    async fn store_pair(
        &self,
        tx: &mut Tx,
        pair: &TokenPair,
        now: Timestamp,
    ) -> Result<(), AccountError> {
        store::insert_device_token(
            tx,
            store::DeviceTokenTable::Access,
            &token_hash(&pair.access_token.0),
            pair.device_id,
            now,
            after(now, self.settings.access_token_ttl),
        )
        .await?;
        store::insert_device_token(
            tx,
            store::DeviceTokenTable::Refresh,
            &token_hash(&pair.refresh_token.0),
            pair.device_id,
            now,
            after(now, self.settings.refresh_token_ttl),
        )
        .await?;
        Ok(())
    }

    /// The password grant for first-party clients: a new device with an
    /// access token and the first refresh token of its family.
    pub async fn grant_password(
        &self,
        email: &str,
        password: &str,
        device_name: &str,
        kind: DeviceKind,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AccountError> {
        let name: String = device_name.trim().chars().take(100).collect();
        if name.is_empty() {
            return Err(AccountError::Invalid("device_name_required"));
        }
        let user = self
            .check_credentials(email, password, meta, "token.password_grant")
            .await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let device = store::insert_device(
            &mut tx,
            user.id,
            &name,
            kind.as_str(),
            now,
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
        )
        .await?;
        let pair = self.issue(&mut tx, device, now).await?;
        tx.commit().await?;
        self.audit(
            "token.password_grant",
            "success",
            Some(user.id),
            None,
            Some(&format!("device {device} ({name})")),
            meta,
            "",
        )
        .await;
        Ok(pair)
    }

    /// Rotates a refresh token. Presenting one that was already used means
    /// it leaked: the whole device (its family) is signed out.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AccountError> {
        self.limit(&limits::REFRESH_IP, meta.ip_key()).await?;
        let presented = refresh_token.trim();
        let hash = token_hash(presented);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(row) = store::refresh_token(&mut tx, &hash).await? else {
            tx.rollback().await?;
            return Err(AccountError::InvalidToken);
        };
        let device = store::device(&self.db, row.device_id.0)
            .await?
            .ok_or(AccountError::InvalidToken)?;
        let device_expired = after(device.created_at.0, self.settings.device_absolute) <= now;
        if device.revoked_at.is_some() || row.expires_at.0 <= now || device_expired {
            tx.rollback().await?;
            return Err(AccountError::InvalidToken);
        }
        let successor = self.successor(presented, device.id.0);
        if row.used_at.is_none() && store::use_refresh_token(&mut tx, &hash, now).await? {
            store::touch_device(
                &mut tx,
                device.id.0,
                now,
                meta.ip.as_deref(),
                meta.user_agent.as_deref(),
            )
            .await?;
            self.store_pair(&mut tx, &successor, now).await?;
            tx.commit().await?;
            return Ok(successor);
        }
        // Used already. Within the grace window, and while its successor
        // is unused, it is the same client asking twice (two requests at
        // once, or an answer lost on the way): the same successor again.
        let used_at = store::refresh_token(&mut tx, &hash)
            .await?
            .and_then(|r| r.used_at)
            .map(Timestamp::from);
        let in_grace = used_at.is_some_and(|at| now < after(at, self.settings.refresh_grace));
        let next = store::refresh_token(&mut tx, &token_hash(&successor.refresh_token.0)).await?;
        tx.rollback().await?;
        if in_grace && next.is_some_and(|n| n.used_at.is_none()) {
            return Ok(successor);
        }
        store::revoke_devices(&self.db, device.user_id, Some(device.id.0), now).await?;
        self.audit(
            "token.refresh_reused",
            "denied",
            Some(device.user_id),
            None,
            Some(&format!("device {} ({})", device.id, device.name)),
            meta,
            "a used refresh token was presented; the device was signed out",
        )
        .await;
        Err(AccountError::TokenReused)
    }

    /// The tokens that follow `refresh_token`: derived from it under the
    /// deployment's key, so presenting it again within the grace window
    /// yields them again without storing them anywhere readable.
    fn successor(&self, refresh_token: &str, device: i64) -> TokenPair {
        let derive = |label: &str| {
            crate::secret::sign(
                &self.settings.refresh_key,
                &format!("herald refresh successor v1|{label}|{refresh_token}"),
            )
        };
        TokenPair {
            access_token: SecretToken(derive("access")),
            refresh_token: SecretToken(derive("refresh")),
            expires_in: self.settings.access_token_ttl,
            device_id: DeviceId(device),
        }
    }

    /// Deletes what the privacy notice says is not kept: ended sessions,
    /// used or expired e-mail tokens, expired device tokens, signed-out or
    /// expired devices, accepted or expired invitations, and audit events
    /// older than [`AUDIT_RETENTION`]. Run by the scheduled retention job.
    pub async fn purge_expired(&self) -> Result<Purged, AccountError> {
        let now = self.now();
        let before = |d: Duration| {
            now.checked_sub(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
                .unwrap_or(Timestamp::MIN)
        };
        let purged = Purged {
            sessions: self
                .sessions
                .purge(now, before(self.settings.session_idle))
                .await?,
            email_tokens: store::purge_email_tokens(&self.db, now).await?,
            device_tokens: store::purge_device_tokens(&self.db, now).await?,
            devices: store::purge_devices(&self.db, before(self.settings.device_absolute)).await?,
            invites: store::purge_invites(&self.db, now).await?,
            audit_events: store::purge_audit(&self.db, before(AUDIT_RETENTION)).await?,
        };
        if purged != Purged::default() {
            tracing::info!(?purged, "purged expired account data");
        }
        Ok(purged)
    }

    /// The user and device behind an access token, if it is valid.
    pub async fn authenticate_access(
        &self,
        access_token: &str,
    ) -> Result<Option<(User, DeviceId)>, AccountError> {
        let Some(row) = store::access_token(&self.db, &token_hash(access_token.trim())).await?
        else {
            return Ok(None);
        };
        if row.revoked_at.is_some() || row.expires_at.0 <= self.now() {
            return Ok(None);
        }
        let Some(user) = store::user_by_id(&self.db, row.user_id.0).await? else {
            return Ok(None);
        };
        Ok(Some((User::from_row(user), row.device_id)))
    }

    pub async fn devices(&self, user: &User) -> Result<Vec<DeviceView>, AccountError> {
        Ok(store::devices_of(&self.db, user.id)
            .await?
            .into_iter()
            .map(|d| DeviceView {
                id: d.id,
                name: d.name,
                kind: d.kind,
                created_at: d.created_at.0,
                last_used_at: d.last_used_at.0,
                ip: d.ip,
                user_agent: d.user_agent,
            })
            .collect())
    }

    pub async fn revoke_device(
        &self,
        user: &User,
        device: DeviceId,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        if store::revoke_devices(&self.db, user.id, Some(device.0), self.now()).await? == 0 {
            return Err(AccountError::NotFound);
        }
        self.audit(
            "device.revoke",
            "success",
            Some(user.id),
            None,
            Some(&format!("device {device}")),
            meta,
            "",
        )
        .await;
        Ok(())
    }

    // --- Workspaces, members and invitations ---------------------------------------------------

    pub async fn workspaces(&self, user: &User) -> Result<Vec<WorkspaceMembership>, AccountError> {
        Ok(store::memberships_of(&self.db, user.id)
            .await?
            .into_iter()
            .filter_map(|m| {
                Some(WorkspaceMembership {
                    id: m.workspace_id,
                    name: m.workspace_name,
                    personal: m.personal_of == Some(user.id.0),
                    role: Role::parse(&m.role)?,
                })
            })
            .collect())
    }

    /// Proof that the caller is in `workspace` and their role allows
    /// `permission`. A workspace the caller is not in is "not found", not
    /// "forbidden".
    pub async fn require(
        &self,
        user: &User,
        workspace: WorkspaceId,
        permission: Permission,
    ) -> Result<Authorized, AccountError> {
        crate::shared::authorize(&self.db, user.id, workspace, permission).await
    }

    pub async fn members(
        &self,
        user: &User,
        workspace: WorkspaceId,
    ) -> Result<Vec<Member>, AccountError> {
        self.require(user, workspace, Permission::View).await?;
        Ok(store::members(&self.db, workspace)
            .await?
            .into_iter()
            .filter_map(|m| {
                Some(Member {
                    user_id: m.user_id,
                    email: m.email,
                    display_name: m.display_name,
                    role: Role::parse(&m.role)?,
                    since: m.created_at.0,
                })
            })
            .collect())
    }

    pub async fn invites(
        &self,
        user: &User,
        workspace: WorkspaceId,
    ) -> Result<Vec<Invite>, AccountError> {
        self.require(user, workspace, Permission::ManageMembers)
            .await?;
        Ok(store::open_invites(&self.db, workspace, self.now())
            .await?
            .into_iter()
            .filter_map(|i| {
                Some(Invite {
                    id: i.id,
                    email: i.email,
                    role: Role::parse(&i.role)?,
                    created_at: i.created_at.0,
                    expires_at: i.expires_at.0,
                })
            })
            .collect())
    }

    /// Invites `email` into `workspace` with `role` (never owner: owners
    /// are made from members).
    pub async fn invite(
        &self,
        actor: &User,
        workspace: WorkspaceId,
        email: &str,
        role: Role,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        if let Err(e) = self
            .require(actor, workspace, Permission::ManageMembers)
            .await
        {
            self.audit(
                "member.invite",
                "denied",
                Some(actor.id),
                Some(workspace),
                Some(email),
                meta,
                "",
            )
            .await;
            return Err(e);
        }
        self.require_verified(actor)?;
        if role == Role::Owner {
            return Err(AccountError::Invalid("invite_owner"));
        }
        self.limit(&limits::INVITE_USER, &actor.id.0.to_string())
            .await?;
        self.limit(&limits::INVITE_WORKSPACE, &workspace.0.to_string())
            .await?;
        let email = EmailAddress::parse(email).map_err(AccountError::InvalidEmail)?;
        let members = store::members(&self.db, workspace).await?;
        if members.iter().any(|m| m.email == email.as_str()) {
            return Err(AccountError::AlreadyMember);
        }
        let workspace_name = store::memberships_of(&self.db, actor.id)
            .await?
            .into_iter()
            .find(|m| m.workspace_id == workspace)
            .map(|m| m.workspace_name)
            .unwrap_or_default();
        let now = self.now();
        let token = new_token();
        let mut tx = self.db.begin().await?;
        store::replace_invite(
            &mut tx,
            workspace,
            email.as_str(),
            role.as_str(),
            &token_hash(&token),
            actor.id.0,
            now,
            after(now, self.settings.invite_ttl),
        )
        .await?;
        self.post(
            &mut tx,
            Letter {
                kind: LetterKind::Invitation {
                    workspace: workspace_name,
                    inviter: actor.label().to_owned(),
                },
                to: email.clone(),
                locale: actor.locale.clone(),
                link: self.link(&format!("/invites/accept?token={token}")),
            },
        )
        .await?;
        tx.commit().await?;
        self.audit(
            "member.invite",
            "success",
            Some(actor.id),
            Some(workspace),
            Some(email.as_str()),
            meta,
            role.as_str(),
        )
        .await;
        Ok(())
    }

    pub async fn revoke_invite(
        &self,
        actor: &User,
        workspace: WorkspaceId,
        invite: i64,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        self.require(actor, workspace, Permission::ManageMembers)
            .await?;
        if !store::delete_invite(&self.db, workspace, invite).await? {
            return Err(AccountError::NotFound);
        }
        self.audit(
            "member.invite_revoked",
            "success",
            Some(actor.id),
            Some(workspace),
            Some(&format!("invite {invite}")),
            meta,
            "",
        )
        .await;
        Ok(())
    }

    /// Joins the workspace of an invitation sent to the user's address.
    pub async fn accept_invite(
        &self,
        user: &User,
        token: &str,
        meta: &RequestMeta,
    ) -> Result<WorkspaceId, AccountError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let invite = store::invite_by_token(&mut tx, &token_hash(token.trim())).await?;
        let Some(invite) = invite.filter(|i| i.accepted_at.is_none() && i.expires_at.0 > now)
        else {
            tx.rollback().await?;
            return Err(AccountError::InvalidToken);
        };
        if invite.email != user.email.as_str() {
            tx.rollback().await?;
            self.audit(
                "member.join",
                "denied",
                Some(user.id),
                Some(invite.workspace_id),
                Some(user.email.as_str()),
                meta,
                "invitation for another address",
            )
            .await;
            return Err(AccountError::InviteEmailMismatch);
        }
        if !store::accept_invite(&mut tx, invite.id, now).await? {
            tx.rollback().await?;
            return Err(AccountError::InvalidToken);
        }
        let current = store::role_in_tx(&mut tx, invite.workspace_id, user.id)
            .await?
            .and_then(|r| Role::parse(&r));
        let offered = Role::parse(&invite.role).unwrap_or(Role::Viewer);
        // Never demote someone who is already a member with more rights.
        let role = current.map_or(offered, |c| c.min(offered));
        store::upsert_membership(&mut tx, invite.workspace_id, user.id, role.as_str(), now).await?;
        // The invitation reached this mailbox: the address is proven.
        store::mark_verified(&mut tx, user.id, now).await?;
        tx.commit().await?;
        self.audit(
            "member.join",
            "success",
            Some(user.id),
            Some(invite.workspace_id),
            Some(user.email.as_str()),
            meta,
            role.as_str(),
        )
        .await;
        Ok(invite.workspace_id)
    }

    /// Changes a member's role. Owners are made and unmade only by owners,
    /// and the last owner cannot be demoted.
    pub async fn change_role(
        &self,
        actor: &User,
        workspace: WorkspaceId,
        member: UserId,
        role: Role,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let actor_role = match self
            .require(actor, workspace, Permission::ManageMembers)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.audit(
                    "member.role",
                    "denied",
                    Some(actor.id),
                    Some(workspace),
                    Some(&format!("user {member}")),
                    meta,
                    role.as_str(),
                )
                .await;
                return Err(e);
            }
        };
        let mut tx = self.db.begin().await?;
        let owners = store::owners_for_update(&mut tx, workspace).await?;
        let current = store::role_in_tx(&mut tx, workspace, member)
            .await?
            .and_then(|r| Role::parse(&r))
            .ok_or(AccountError::NotFound)?;
        if (current == Role::Owner || role == Role::Owner)
            && !actor_role.allows(Permission::ManageOwners)
        {
            tx.rollback().await?;
            self.audit(
                "member.role",
                "denied",
                Some(actor.id),
                Some(workspace),
                Some(&format!("user {member}")),
                meta,
                role.as_str(),
            )
            .await;
            return Err(AccountError::Forbidden);
        }
        if current == Role::Owner && role != Role::Owner && owners == [member.0] {
            tx.rollback().await?;
            return Err(AccountError::LastOwner);
        }
        store::upsert_membership(&mut tx, workspace, member, role.as_str(), self.now()).await?;
        tx.commit().await?;
        self.audit(
            "member.role",
            "success",
            Some(actor.id),
            Some(workspace),
            Some(&format!("user {member}")),
            meta,
            &format!("{current} -> {role}"),
        )
        .await;
        Ok(())
    }

    /// Removes a member (or lets a member leave); the last owner stays.
    pub async fn remove_member(
        &self,
        actor: &User,
        workspace: WorkspaceId,
        member: UserId,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let leaving = actor.id == member;
        let actor_role = if leaving {
            self.require(actor, workspace, Permission::View).await?
        } else {
            match self
                .require(actor, workspace, Permission::ManageMembers)
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    self.audit(
                        "member.remove",
                        "denied",
                        Some(actor.id),
                        Some(workspace),
                        Some(&format!("user {member}")),
                        meta,
                        "",
                    )
                    .await;
                    return Err(e);
                }
            }
        };
        let mut tx = self.db.begin().await?;
        let owners = store::owners_for_update(&mut tx, workspace).await?;
        let current = store::role_in_tx(&mut tx, workspace, member)
            .await?
            .and_then(|r| Role::parse(&r))
            .ok_or(AccountError::NotFound)?;
        if current == Role::Owner && !leaving && !actor_role.allows(Permission::ManageOwners) {
            tx.rollback().await?;
            return Err(AccountError::Forbidden);
        }
        if current == Role::Owner && owners == [member.0] {
            tx.rollback().await?;
            return Err(AccountError::LastOwner);
        }
        store::delete_membership(&mut tx, workspace, member).await?;
        tx.commit().await?;
        self.audit(
            if leaving {
                "member.leave"
            } else {
                "member.remove"
            },
            "success",
            Some(actor.id),
            Some(workspace),
            Some(&format!("user {member}")),
            meta,
            current.as_str(),
        )
        .await;
        Ok(())
    }

    /// The audit log of a workspace (admins and owners).
    pub async fn audit_log(
        &self,
        user: &User,
        workspace: WorkspaceId,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, AccountError> {
        self.require(user, workspace, Permission::ViewAudit).await?;
        Ok(
            store::audit_for_workspace(&self.db, workspace, limit.clamp(1, 1000))
                .await?
                .into_iter()
                .map(AuditEntry::from_row)
                .collect(),
        )
    }
}
