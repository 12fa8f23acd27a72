//! The connections service: connecting (`connect`), keeping tokens alive
//! (`refresh`), and reading and removing connections (here).

use herald_accounts::AuditEvent;
use herald_core::Named;
use std::sync::Arc;

use herald_accounts::secret::{new_token, same, sign, token_hash};
use herald_accounts::{AccountError, Accounts, Authorized, Permission, RequestMeta, User};
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_core::{ConnectionId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, DbError};
use herald_jobs::{NewJob, Queue};
use herald_platforms::{
    AccountKind, AuthorizeRequest, Candidate, CodeExchange, Credentials, ErrorKind, Grant,
    PlatformError, ProviderId, Providers, Revocation, Secret, missing_scopes,
};
use serde::{Deserialize, Serialize};

use crate::jobs::RefreshConnection;
use crate::store::{self, AttemptRow, ConnectionRow};
use crate::vault::{Vault, VaultError};

mod connect;
mod expiry;
mod refresh;
mod webhooks;

pub use expiry::{EXPIRING_SUBJECT, WARN_BEFORE, hard_end};
pub use refresh::NEEDS_RECONNECTION_SUBJECT;
use refresh::next_refresh;
pub use webhooks::Webhooks;

/// How long a person has to consent, and then to choose accounts.
/// How long a connect attempt (OAuth in flight) may take; then it is void
/// and the retention job deletes it.
pub const ATTEMPT_TTL: SignedDuration = SignedDuration::from_mins(10);
/// How long one refresh may hold a connection's lock.
const REFRESH_LOCK: SignedDuration = SignedDuration::from_mins(2);
/// How often a token without expiry (a Facebook Page token) is checked.
const CHECK_EVERY: SignedDuration = SignedDuration::from_hours(24);
/// Renew at least this long before expiry.
const MIN_LEAD: SignedDuration = SignedDuration::from_mins(5);
/// Instagram refuses to renew tokens younger than this.
const INSTAGRAM_MIN_AGE: SignedDuration = SignedDuration::from_hours(24);

/// A connection's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    Active,
    /// Renewing failed for a passing reason; retries are scheduled.
    RefreshFailing,
    /// The platform says the token is dead or lacks permissions.
    NeedsReconnection,
}

impl Status {
    fn parse(s: &str) -> Status {
        match s {
            "refresh_failing" => Status::RefreshFailing,
            "needs_reconnection" => Status::NeedsReconnection,
            _ => Status::Active,
        }
    }
}

/// Why a connection is not active, as a code with parameters: stored in
/// `connections.status_detail` (JSON) and put into words by the reader's
/// page, in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StatusDetail {
    /// Nothing to explain (an active connection).
    None,
    /// The stored tokens could not be decrypted (a vault key is missing).
    CredentialsUnreadable,
    /// This instance has no app configured for the platform.
    ProviderUnconfigured,
    /// The platform refused or failed a token renewal.
    Platform {
        /// What kind of refusal ([`platform_code`]: `platform_reconnect`,
        /// `platform_unavailable`, …).
        kind: String,
        /// The platform's own code, when it gave one.
        platform_code: Option<String>,
        /// The platform's own words.
        message: String,
    },
    /// The person removed Herald's access on the platform (`app`: its
    /// name, e.g. Facebook).
    AccessRemoved { app: String },
    /// Stored before details were codes: the English words as written.
    Text { text: String },
}

impl StatusDetail {
    /// A platform's refusal.
    pub fn platform(e: &PlatformError) -> StatusDetail {
        StatusDetail::Platform {
            kind: platform_code(e).to_owned(),
            platform_code: e.code.clone(),
            message: e.message.clone(),
        }
    }

    /// As stored in `connections.status_detail` (empty for none).
    pub fn to_stored(&self) -> String {
        match self {
            StatusDetail::None => String::new(),
            StatusDetail::Text { text } => text.clone(),
            coded => serde_json::to_string(coded).unwrap_or_default(),
        }
    }

    /// From `connections.status_detail`.
    pub fn from_stored(stored: &str) -> StatusDetail {
        if stored.is_empty() {
            return StatusDetail::None;
        }
        serde_json::from_str(stored).unwrap_or_else(|_| StatusDetail::Text {
            text: stored.to_owned(),
        })
    }
}

/// A connected account as people and the API see it: never a token.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionView {
    pub id: ConnectionId,
    pub provider: ProviderId,
    pub kind: AccountKind,
    pub remote_id: String,
    pub name: String,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub parent: Option<String>,
    pub scopes: Vec<String>,
    pub status: Status,
    /// Why the status is not `active` (`{"code": "none"}` when it is).
    pub status_detail: StatusDetail,
    /// `None`: the token does not expire.
    pub token_expires_at: Option<Timestamp>,
    pub refreshed_at: Option<Timestamp>,
    pub connected_at: Timestamp,
    /// Connected through the built-in sandbox, not the real platform.
    pub sandbox: bool,
    /// When the person removed Herald's access at the platform (Meta's
    /// deauthorize callback); `None` unless revoked since the last
    /// (re)connection.
    pub revoked_at: Option<Timestamp>,
    /// Whether the platform sends Herald this account's webhooks
    /// (comments, mentions, messages for the inbox).
    pub webhooks: Webhooks,
    /// When the subscription was last asked for.
    pub webhooks_checked_at: Option<Timestamp>,
}

/// An account offered after consent, for the person to pick.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// What the form sends back: `{kind}:{remote id}`.
    pub key: String,
    pub kind: AccountKind,
    pub name: String,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub parent: Option<String>,
    /// Already connected to this workspace (choosing it reconnects).
    pub connected: bool,
}

/// What the callback led to.
#[derive(Debug, Clone)]
pub enum Completed {
    /// Exactly one account was offered and is now connected.
    Connected {
        workspace: WorkspaceId,
        accounts: Vec<ConnectionView>,
    },
    /// Several accounts: the person picks on the page of `attempt`.
    Choose { attempt: String },
}

/// What the OAuth redirect carried.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_reason: Option<String>,
    pub error_description: Option<String>,
}

/// What removing a connection did at the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// The platform revoked the token.
    Revoked,
    /// The platform has no revocation for this account; Herald forgot the
    /// token.
    NotRevocable,
    /// Other connections use the same platform grant, so it was kept.
    SharedGrant,
    /// The platform could not be reached or refused; Herald forgot the
    /// token anyway.
    RevokeFailed(String),
}

impl Removed {
    /// A short stable name (`publishing.done.*` copy, API field).
    pub fn code(&self) -> &'static str {
        match self {
            Removed::Revoked => "revoked",
            Removed::NotRevocable => "not_revocable",
            Removed::SharedGrant => "shared_grant",
            Removed::RevokeFailed(_) => "revoke_failed",
        }
    }
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// New tokens stored; the next refresh is due then.
    Renewed { next: Timestamp },
    /// A token without expiry was checked and works.
    Checked { next: Timestamp },
    /// Not due yet (an earlier-scheduled job after a reconnection).
    NotDue { due: Timestamp },
    /// Another refresh holds the connection.
    Busy,
    /// The connection was removed meanwhile.
    Gone,
    /// The platform says the token is dead: the connection needs the person.
    NeedsReconnection,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("this provider is not available")]
    UnknownProvider,
    #[error("connecting needs a signed-in browser session")]
    SessionRequired,
    #[error("the state parameter was not issued to this session")]
    ForgedState,
    #[error("the connect attempt is unknown, used or expired")]
    StaleState,
    #[error("consent was denied")]
    Denied,
    #[error("the platform reported an error on the redirect: {0}")]
    Redirect(String),
    #[error("permissions were not granted: {}", .0.join(", "))]
    MissingScopes(Vec<String>),
    #[error("the grant reaches no account Herald can publish to")]
    NoAccounts(ProviderId),
    #[error("no account was chosen")]
    NothingChosen,
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error("storage failed")]
    Database(#[from] DbError),
    #[error("credential encryption failed")]
    Vault(#[from] VaultError),
    #[error("a stored value is corrupt")]
    Corrupt(#[from] serde_json::Error),
    #[error("an event could not be appended")]
    Event(#[from] herald_events::EventsError),
}

impl ConnectError {
    /// The key of the shared copy table.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::Account(e) => e.code(),
            ConnectError::UnknownProvider => "not_found",
            ConnectError::SessionRequired => "connect_session_required",
            ConnectError::ForgedState => "connect_forged_state",
            ConnectError::StaleState => "connect_stale_state",
            ConnectError::Denied => "connect_denied",
            ConnectError::Redirect(_) => "connect_platform_error",
            ConnectError::MissingScopes(_) => "connect_missing_scopes",
            ConnectError::NoAccounts(ProviderId::Facebook) => "connect_no_pages",
            ConnectError::NoAccounts(ProviderId::YouTube) => "connect_no_channels",
            ConnectError::NoAccounts(_) => "connect_no_accounts",
            ConnectError::NothingChosen => "connect_nothing_chosen",
            ConnectError::Platform(e) => platform_code(e),
            ConnectError::Database(_)
            | ConnectError::Vault(_)
            | ConnectError::Corrupt(_)
            | ConnectError::Event(_) => "internal",
        }
    }
}

/// The copy-table key of a classified platform error.
pub fn platform_code(e: &PlatformError) -> &'static str {
    match e.kind {
        ErrorKind::Reconnect => "platform_reconnect",
        ErrorKind::Reconsent { .. } => "platform_reconsent",
        ErrorKind::RateLimited { .. } | ErrorKind::Postponed { .. } => "platform_rate_limited",
        ErrorKind::Unavailable | ErrorKind::OutcomeUnknown => "platform_unavailable",
        ErrorKind::BadRequest => "platform_bad_request",
        ErrorKind::Misconfigured => "platform_misconfigured",
    }
}

/// What is sealed in a connection row.
#[derive(Serialize, Deserialize)]
struct Tokens {
    access_token: Secret,
    refresh_token: Option<Secret>,
}

/// What is sealed in an attempt row.
#[derive(Serialize, Deserialize)]
struct AttemptSecrets {
    pkce_verifier: String,
    #[serde(default)]
    grant: Option<Grant>,
}

/// The connections service; cheap to clone.
#[derive(Clone)]
pub struct Connections {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    queue: Queue,
    providers: Providers,
    vault: Arc<Vault>,
    accounts: Accounts,
    clock: Arc<dyn Clock>,
    /// Where `connection.needs_reconnection` events go, in the transaction
    /// that flags the connection.
    outbox: herald_events::Outbox,
    public_url: String,
    state_key: Vec<u8>,
}

impl Connections {
    /// `secret` keys the state signatures (through a derived key).
    pub fn new(
        db: Db,
        queue: Queue,
        providers: Providers,
        vault: Arc<Vault>,
        accounts: Accounts,
        public_url: impl Into<String>,
        secret: &str,
    ) -> Connections {
        let clock = queue.clock().clone();
        // The queue's wake-ups reach this process's events relay.
        let outbox = herald_events::Outbox::with_notifications(
            db.clone(),
            clock.clone(),
            queue.notifications().clone(),
        );
        Connections {
            inner: Arc::new(Inner {
                db,
                queue,
                providers,
                vault,
                accounts,
                clock,
                outbox,
                public_url: public_url.into().trim_end_matches('/').to_owned(),
                state_key: sign(secret.as_bytes(), "herald oauth state v1").into_bytes(),
            }),
        }
    }

    /// Queues `job` in a transaction of its own.
    pub(crate) async fn enqueue_now(&self, job: herald_jobs::NewJob) -> Result<(), ConnectError> {
        self.inner.queue.enqueue_now(job).await?;
        Ok(())
    }

    pub fn providers(&self) -> &Providers {
        &self.inner.providers
    }

    pub fn vault(&self) -> &Arc<Vault> {
        &self.inner.vault
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// The service clock's "now" (for job retry delays).
    pub fn clock_now(&self) -> Timestamp {
        self.now()
    }

    /// Whether `user` may act with the connection's own access beyond
    /// publishing (browse its Google Drive, import from it): the person
    /// who connected it, or someone who manages the workspace's
    /// connections. Viewers and contributors see that it exists, not what
    /// its owner's account holds.
    pub async fn may_use_account_of(
        &self,
        auth: &Authorized,
        id: &ConnectionId,
    ) -> Result<bool, ConnectError> {
        if auth.allows(Permission::ManageConnections) {
            return Ok(true);
        }
        let by = store::connected_by(&self.inner.db, auth.workspace(), id).await?;
        Ok(by == Some(auth.user().0))
    }

    /// Deletes expired connect attempts (the retention job); returns how
    /// many.
    pub async fn purge_expired_attempts(&self) -> Result<u64, ConnectError> {
        Ok(store::purge_expired_attempts(&self.inner.db, self.now()).await?)
    }

    /// The database and the vault, for re-encrypting sealed values.
    pub fn storage(&self) -> (&Db, &Vault) {
        (&self.inner.db, &self.inner.vault)
    }

    /// The exact redirect URI registered with each platform.
    pub fn redirect_uri(&self, provider: ProviderId) -> String {
        format!("{}/oauth/{provider}/callback", self.inner.public_url)
    }

    fn seal<T: Serialize>(&self, value: &T, bound_to: &str) -> Result<(i64, String), ConnectError> {
        let json = serde_json::to_vec(value)?;
        let (key, sealed) = self.inner.vault.seal(&json, bound_to)?;
        Ok((i64::from(key.0), sealed))
    }

    fn unseal<T: serde::de::DeserializeOwned>(
        &self,
        sealed: &str,
        bound_to: &str,
    ) -> Result<T, ConnectError> {
        Ok(serde_json::from_slice(
            &self.inner.vault.open(sealed, bound_to)?,
        )?)
    }

    // --- Reading and removing -------------------------------------------------------

    fn credentials_of(&self, row: &ConnectionRow) -> Result<Credentials, ConnectError> {
        let tokens: Tokens = self.unseal(&row.secrets, row.id.as_str())?;
        Ok(Credentials {
            access_token: tokens.access_token,
            access_expires_at: row.access_expires_at.map(Timestamp::from),
            refresh_token: tokens.refresh_token,
            refresh_expires_at: row.refresh_expires_at.map(Timestamp::from),
            issued_at: row.issued_at.0,
        })
    }

    /// The decrypted credentials of a connection, for the publishing code.
    pub async fn credentials(
        &self,
        id: &ConnectionId,
    ) -> Result<Option<Credentials>, ConnectError> {
        match store::connection(&self.inner.db, id).await? {
            Some(row) => Ok(Some(self.credentials_of(&row)?)),
            None => Ok(None),
        }
    }

    fn view(&self, row: ConnectionRow) -> ConnectionView {
        let provider = ProviderId::parse(&row.provider).unwrap_or(ProviderId::Facebook);
        ConnectionView {
            // Rows from before the column existed: by the provider's mode.
            sandbox: row.sandbox
                || self
                    .inner
                    .providers
                    .get(provider)
                    .is_some_and(|p| p.sandbox),
            id: row.id,
            provider,
            kind: AccountKind::parse(&row.kind).unwrap_or(AccountKind::FacebookPage),
            remote_id: row.remote_id,
            name: row.name,
            handle: row.handle,
            avatar_url: row.avatar_url,
            parent: row.parent,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            status: Status::parse(&row.status),
            status_detail: StatusDetail::from_stored(&row.status_detail),
            token_expires_at: row.access_expires_at.map(Timestamp::from),
            refreshed_at: row.refreshed_at.map(Timestamp::from),
            connected_at: row.created_at.0,
            revoked_at: row.revoked_at.map(Timestamp::from),
            webhooks: Webhooks::from_stored(&row.webhooks, provider),
            webhooks_checked_at: row.webhooks_checked_at.map(Timestamp::from),
        }
    }

    /// The workspace's connections, optionally of one provider.
    pub async fn list(
        &self,
        auth: &Authorized,
        provider: Option<ProviderId>,
    ) -> Result<Vec<ConnectionView>, ConnectError> {
        auth.require(Permission::View)?;
        Ok(store::list(&self.inner.db, auth.workspace())
            .await?
            .into_iter()
            .filter(|r| provider.is_none_or(|p| r.provider == p.as_str()))
            .map(|r| self.view(r))
            .collect())
    }

    /// Removes a connection: revokes at the platform where possible (and
    /// where no other connection shares the grant), then deletes the
    /// credential whatever the platform said.
    pub async fn remove(
        &self,
        auth: &Authorized,
        id: &ConnectionId,
        meta: &RequestMeta,
    ) -> Result<Removed, ConnectError> {
        auth.require(Permission::ManageConnections)?;
        let workspace = auth.workspace();
        let row = store::connection(&self.inner.db, id)
            .await?
            .filter(|r| r.workspace_id == workspace)
            .ok_or(ConnectError::Account(AccountError::NotFound))?;
        let provider = ProviderId::parse(&row.provider).ok_or(ConnectError::UnknownProvider)?;
        let kind = AccountKind::parse(&row.kind).ok_or(ConnectError::UnknownProvider)?;
        let shared = store::sharing_grant(
            &self.inner.db,
            &row.provider,
            &row.platform_user_id,
            &row.id,
        )
        .await?
            > 0;
        let outcome = match (
            self.inner.providers.get(provider),
            self.credentials_of(&row),
        ) {
            _ if shared => Removed::SharedGrant,
            (Some(registered), Ok(credentials)) => {
                match registered.connector.revoke(kind, &credentials).await {
                    Ok(Revocation::Revoked) => Removed::Revoked,
                    Ok(Revocation::Unsupported) => Removed::NotRevocable,
                    // Already dead at the platform: nothing left to revoke.
                    Err(e) if e.kind == ErrorKind::Reconnect => Removed::Revoked,
                    Err(e) => Removed::RevokeFailed(e.to_string()),
                }
            }
            (None, _) => Removed::RevokeFailed("the provider is not configured".to_owned()),
            (_, Err(e)) => Removed::RevokeFailed(e.to_string()),
        };
        store::delete(&self.inner.db, id).await?;
        self.inner
            .accounts
            .audit(
                AuditEvent {
                    actor: Some(auth.user()),
                    workspace: Some(workspace),
                    subject: Some(id.as_str()),
                    detail: &format!("{} {} {}: {:?}", provider, row.kind, row.name, outcome),
                    ..AuditEvent::new("connection.removed", "success")
                },
                meta,
            )
            .await;
        Ok(outcome)
    }
}
