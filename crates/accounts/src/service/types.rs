//! The values the accounts service takes and returns, and its errors.

use super::*;

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

    /// The address rate limits count by (`unknown` when none is known).
    pub fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

/// A secret handed to exactly one client (a session cookie, a token).
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(pub(super) String);

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
    /// The IANA time zone they chose (the digest's Monday 08:00, times in
    /// mail); `None` until they choose.
    pub time_zone: Option<String>,
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
            time_zone: row.time_zone,
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
    /// The scoped token the actor acted through (`assistant:12:Claude`;
    /// [`crate::parse_via`] reads it).
    pub via: Option<String>,
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
            via: r.via,
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
    /// The account will be deleted `at` that instant unless the person
    /// cancels (written in the recipient's language by the composer).
    DeletionScheduled {
        at: Timestamp,
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
    /// The role would allow it, but the token the request came with holds
    /// no scope that implies `0`.
    #[error("the token's scopes do not allow {0:?}")]
    InsufficientScope(Permission),
    /// A token may not hold a scope its maker's role does not allow.
    #[error("the role does not allow a token with these scopes")]
    ScopeBeyondRole,
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
            AccountError::InsufficientScope(_) => "insufficient_scope",
            AccountError::ScopeBeyondRole => "token_scope_beyond_role",
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
    /// Client review link pages (views and decisions), per address.
    pub const REVIEW_LINK_IP: Limit = Limit::new("review_link_ip", 60, per_minutes(1));
    /// Password tries on one client review link, per address.
    pub const REVIEW_LINK_PASSWORD: Limit = Limit::new("review_link_password", 10, per_minutes(15));
    /// Bearer credentials (device access tokens, scoped tokens) that did
    /// not authenticate, per address; only failures count, so a busy
    /// client with a good token is never slowed down.
    pub const BEARER_FAILURE_IP: Limit = Limit::new("bearer_failure_ip", 30, per_minutes(15));
}

/// One event for the audit log: what happened, how it ended, who did it,
/// in which workspace, to what, and a short detail for the operator.
#[derive(Debug, Clone, Copy)]
pub struct AuditEvent<'a> {
    /// What happened, e.g. `connection.removed`.
    pub action: &'a str,
    /// `success`, `failure` or `denied`.
    pub outcome: &'a str,
    pub actor: Option<UserId>,
    pub workspace: Option<WorkspaceId>,
    /// What it happened to (a connection id, an address, …).
    pub subject: Option<&'a str>,
    pub detail: &'a str,
    /// The scoped token the actor acted through
    /// ([`Authorized::via_label`]: `assistant:12:Claude`), if any.
    pub via: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// `action` ended with `outcome`; nothing else known yet.
    pub fn new(action: &'a str, outcome: &'a str) -> AuditEvent<'a> {
        AuditEvent {
            action,
            outcome,
            actor: None,
            workspace: None,
            subject: None,
            detail: "",
            via: None,
        }
    }
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
    /// Revoked or expired scoped tokens.
    pub api_tokens: u64,
}
