//! The connections service.

use herald_core::Named;
use std::sync::Arc;

use herald_accounts::secret::{new_token, same, sign, token_hash};
use herald_accounts::{AccountError, Accounts, Authorized, Permission, RequestMeta, User};
use herald_core::WorkspaceId;
use herald_core::{Clock, SignedDuration, Timestamp};
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

/// A connected account as people and the API see it: never a token.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    pub id: String,
    pub provider: ProviderId,
    pub kind: AccountKind,
    pub remote_id: String,
    pub name: String,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub parent: Option<String>,
    pub scopes: Vec<String>,
    pub status: Status,
    pub status_detail: String,
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
            ConnectError::Database(_) | ConnectError::Vault(_) | ConnectError::Corrupt(_) => {
                "internal"
            }
        }
    }
}

/// The copy-table key of a classified platform error.
pub fn platform_code(e: &PlatformError) -> &'static str {
    match e.kind {
        ErrorKind::Reconnect => "platform_reconnect",
        ErrorKind::Reconsent { .. } => "platform_reconsent",
        ErrorKind::RateLimited { .. } => "platform_rate_limited",
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
        id: &str,
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

    // --- Connecting -----------------------------------------------------------------

    /// Starts connecting `provider` to `workspace`: returns the URL to send
    /// the browser to. `session` is the caller's session id; the state only
    /// completes in that session.
    pub async fn start(
        &self,
        user: &User,
        session: Option<&str>,
        auth: &Authorized,
        provider: ProviderId,
        rerequest: bool,
    ) -> Result<url::Url, ConnectError> {
        let session = session.ok_or(ConnectError::SessionRequired)?;
        auth.require(Permission::ManageConnections)?;
        if auth.user() != user.id {
            return Err(ConnectError::Account(AccountError::Forbidden));
        }
        self.inner.accounts.require_verified(user)?;
        let workspace = auth.workspace();
        let registered = self
            .inner
            .providers
            .get(provider)
            .ok_or(ConnectError::UnknownProvider)?;
        let now = self.now();
        if let Err(e) = store::purge_attempts(&self.inner.db, now).await {
            tracing::warn!(error = %e, "could not purge expired connect attempts");
        }
        let nonce = new_token();
        let verifier = new_token();
        let state = make_state(&self.inner.state_key, &nonce, session, provider);
        let id = token_hash(&nonce);
        let (key_id, sealed) = self.seal(
            &AttemptSecrets {
                pkce_verifier: verifier.clone(),
                grant: None,
            },
            &id,
        )?;
        store::insert_attempt(
            &self.inner.db,
            &AttemptRow {
                id,
                user_id: user.id,
                workspace_id: workspace,
                provider: provider.as_str().to_owned(),
                session_binding: session.to_owned(),
                stage: "started".to_owned(),
                key_id,
                sealed,
                created_at: DbTime(now),
                expires_at: DbTime(now + ATTEMPT_TTL),
            },
        )
        .await?;
        let redirect_uri = self.redirect_uri(provider);
        Ok(registered.connector.authorize_url(&AuthorizeRequest {
            redirect_uri: &redirect_uri,
            state: &state,
            pkce_verifier: &verifier,
            rerequest,
        })?)
    }

    /// Checks the state of a callback: signed for this session and
    /// provider, issued to this user, unused and fresh. Marks it used.
    async fn take_attempt(
        &self,
        user: &User,
        session: &str,
        provider: ProviderId,
        state: Option<&str>,
    ) -> Result<(AttemptRow, AttemptSecrets), ConnectError> {
        let nonce = check_state(&self.inner.state_key, state, session, provider)?;
        let id = token_hash(nonce);
        let attempt = store::attempt(&self.inner.db, &id)
            .await?
            .ok_or(ConnectError::StaleState)?;
        if attempt.user_id != user.id
            || attempt.provider != provider.as_str()
            || !same(&attempt.session_binding, session)
        {
            return Err(ConnectError::ForgedState);
        }
        let now = self.now();
        if attempt.stage != "started" || attempt.expires_at.0 < now {
            return Err(ConnectError::StaleState);
        }
        // Single use: of two concurrent callbacks only one gets past here.
        if !store::advance_attempt(
            &self.inner.db,
            &id,
            "started",
            "done",
            None,
            now + ATTEMPT_TTL,
        )
        .await?
        {
            return Err(ConnectError::StaleState);
        }
        let secrets: AttemptSecrets = self.unseal(&attempt.sealed, &attempt.id)?;
        Ok((attempt, secrets))
    }

    /// Completes the flow on the redirect back from the platform.
    pub async fn complete(
        &self,
        user: &User,
        session: Option<&str>,
        provider: ProviderId,
        params: &CallbackParams,
        meta: &RequestMeta,
    ) -> Result<Completed, ConnectError> {
        let session = session.ok_or(ConnectError::SessionRequired)?;
        let registered = self
            .inner
            .providers
            .get(provider)
            .ok_or(ConnectError::UnknownProvider)?;
        let (attempt, secrets) = self
            .take_attempt(user, session, provider, params.state.as_deref())
            .await?;
        let workspace = attempt.workspace_id;
        // The person's role may have changed during the consent.
        self.inner
            .accounts
            .require(user, workspace, Permission::ManageConnections)
            .await?;
        if let Some(refused) = redirect_error(params) {
            let error = params.error.as_deref().unwrap_or_default();
            self.audit_connect(user, workspace, provider, "denied", meta, error)
                .await;
            return Err(refused);
        }
        let code = params
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ConnectError::Redirect("the platform sent no code".to_owned()))?;
        let redirect_uri = self.redirect_uri(provider);
        let grant = match registered
            .connector
            .exchange(&CodeExchange {
                code,
                redirect_uri: &redirect_uri,
                pkce_verifier: &secrets.pkce_verifier,
            })
            .await
        {
            Ok(grant) => grant,
            Err(e) => {
                self.audit_connect(user, workspace, provider, "failure", meta, &e.to_string())
                    .await;
                return Err(e.into());
            }
        };
        let missing = missing_scopes(
            registered.connector.info().required_scopes,
            &grant.granted_scopes,
        );
        if !missing.is_empty() {
            self.audit_connect(
                user,
                workspace,
                provider,
                "failure",
                meta,
                &format!("missing scopes: {}", missing.join(" ")),
            )
            .await;
            return Err(ConnectError::MissingScopes(missing));
        }
        match grant.accounts.len() {
            0 => {
                self.audit_connect(user, workspace, provider, "failure", meta, "no accounts")
                    .await;
                Err(ConnectError::NoAccounts(provider))
            }
            1 => {
                let candidate = grant.accounts[0].clone();
                let view = self
                    .save(user, workspace, provider, &grant, candidate, meta)
                    .await?;
                Ok(Completed::Connected {
                    workspace,
                    accounts: vec![view],
                })
            }
            _ => {
                let (key_id, sealed) = self.seal(
                    &AttemptSecrets {
                        pkce_verifier: String::new(),
                        grant: Some(grant),
                    },
                    &attempt.id,
                )?;
                store::advance_attempt(
                    &self.inner.db,
                    &attempt.id,
                    "done",
                    "choosing",
                    Some((key_id, &sealed)),
                    self.now() + ATTEMPT_TTL,
                )
                .await?;
                Ok(Completed::Choose {
                    attempt: attempt.id,
                })
            }
        }
    }

    /// The attempt waiting for a choice, checked against the caller.
    async fn choosing(
        &self,
        user: &User,
        session: Option<&str>,
        attempt: &str,
    ) -> Result<(AttemptRow, Grant), ConnectError> {
        let session = session.ok_or(ConnectError::SessionRequired)?;
        let row = store::attempt(&self.inner.db, attempt)
            .await?
            .ok_or(ConnectError::StaleState)?;
        if row.user_id != user.id || !same(&row.session_binding, session) {
            // Someone else's attempt is none of this caller's business.
            return Err(ConnectError::StaleState);
        }
        if row.stage != "choosing" || row.expires_at.0 < self.now() {
            return Err(ConnectError::StaleState);
        }
        let secrets: AttemptSecrets = self.unseal(&row.sealed, &row.id)?;
        let grant = secrets.grant.ok_or(ConnectError::StaleState)?;
        Ok((row, grant))
    }

    /// The accounts offered by a grant awaiting a choice.
    pub async fn choices(
        &self,
        user: &User,
        session: Option<&str>,
        attempt: &str,
    ) -> Result<(ProviderId, Vec<Choice>), ConnectError> {
        let (row, grant) = self.choosing(user, session, attempt).await?;
        let provider = ProviderId::parse(&row.provider).ok_or(ConnectError::UnknownProvider)?;
        let existing = store::list(&self.inner.db, row.workspace_id).await?;
        let choices = grant
            .accounts
            .iter()
            .map(|c| Choice {
                key: choice_key(c),
                kind: c.kind,
                name: c.name.clone(),
                handle: c.handle.clone(),
                avatar_url: c.avatar_url.clone(),
                parent: c.parent.clone(),
                connected: existing
                    .iter()
                    .any(|e| e.kind == c.kind.as_str() && e.remote_id == c.remote_id),
            })
            .collect();
        Ok((provider, choices))
    }

    /// Connects the chosen accounts of a grant awaiting a choice.
    pub async fn choose(
        &self,
        user: &User,
        session: Option<&str>,
        attempt: &str,
        chosen: &[String],
        meta: &RequestMeta,
    ) -> Result<(WorkspaceId, Vec<ConnectionView>), ConnectError> {
        let (row, grant) = self.choosing(user, session, attempt).await?;
        let provider = ProviderId::parse(&row.provider).ok_or(ConnectError::UnknownProvider)?;
        let workspace = row.workspace_id;
        self.inner
            .accounts
            .require(user, workspace, Permission::ManageConnections)
            .await?;
        let picked: Vec<Candidate> = grant
            .accounts
            .iter()
            .filter(|c| chosen.iter().any(|k| *k == choice_key(c)))
            .cloned()
            .collect();
        if picked.is_empty() {
            return Err(ConnectError::NothingChosen);
        }
        if !store::advance_attempt(
            &self.inner.db,
            &row.id,
            "choosing",
            "done",
            None,
            self.now(),
        )
        .await?
        {
            return Err(ConnectError::StaleState);
        }
        let mut views = Vec::new();
        for candidate in picked {
            views.push(
                self.save(user, workspace, provider, &grant, candidate, meta)
                    .await?,
            );
        }
        Ok((workspace, views))
    }

    /// Stores a connection, or renews an existing one of the same account
    /// (keeping a stored refresh token the new grant did not include).
    async fn save(
        &self,
        user: &User,
        workspace: WorkspaceId,
        provider: ProviderId,
        grant: &Grant,
        candidate: Candidate,
        meta: &RequestMeta,
    ) -> Result<ConnectionView, ConnectError> {
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let existing = store::connection_for_update(
            &mut tx,
            workspace,
            candidate.kind.as_str(),
            &candidate.remote_id,
        )
        .await?;
        let id = existing
            .as_ref()
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), |e| e.id.clone());
        let credentials = match existing.as_ref().and_then(|e| self.credentials_of(e).ok()) {
            Some(old) => old.renewed_by(candidate.credentials.clone()),
            None => candidate.credentials.clone(),
        };
        let (key_id, secrets) = self.seal(
            &Tokens {
                access_token: credentials.access_token.clone(),
                refresh_token: credentials.refresh_token.clone(),
            },
            &id,
        )?;
        let row = ConnectionRow {
            id: id.clone(),
            workspace_id: workspace,
            provider: provider.as_str().to_owned(),
            kind: candidate.kind.as_str().to_owned(),
            remote_id: candidate.remote_id.clone(),
            platform_user_id: grant.platform_user_id.clone(),
            name: candidate.name.clone(),
            handle: candidate.handle.clone(),
            avatar_url: candidate.avatar_url.clone(),
            parent: candidate.parent.clone(),
            scopes: grant.granted_scopes.join(" "),
            status: Status::Active.as_str().to_owned(),
            status_detail: String::new(),
            key_id,
            secrets,
            access_expires_at: credentials.access_expires_at.map(DbTime),
            refresh_expires_at: credentials.refresh_expires_at.map(DbTime),
            issued_at: DbTime(credentials.issued_at),
            refreshed_at: None,
            created_at: existing.as_ref().map_or(DbTime(now), |e| e.created_at),
            updated_at: DbTime(now),
            // A reconnection restores access.
            revoked_at: None,
            sandbox: self
                .inner
                .providers
                .get(provider)
                .is_some_and(|p| p.sandbox),
        };
        if existing.is_some() {
            store::update_grant(&mut tx, &row).await?;
        } else {
            store::insert(&mut tx, &row, user.id).await?;
        }
        let next = next_refresh(provider, &row).max(now);
        self.schedule_refresh(&mut tx, &id, next).await?;
        tx.commit().await?;
        let action = if existing.is_some() {
            "connection.reconnected"
        } else {
            "connection.connected"
        };
        self.inner
            .accounts
            .audit(
                action,
                "success",
                Some(user.id),
                Some(workspace),
                Some(&id),
                meta,
                &format!(
                    "{} {} {}",
                    provider,
                    candidate.kind.as_str(),
                    candidate.name
                ),
            )
            .await;
        tracing::info!(connection = %id, %provider, kind = candidate.kind.as_str(), "account connected");
        Ok(self.view(row))
    }

    async fn schedule_refresh(
        &self,
        tx: &mut herald_db::Tx,
        id: &str,
        at: Timestamp,
    ) -> Result<(), DbError> {
        let job = NewJob::of(&RefreshConnection {
            connection: id.to_owned(),
        })
        .expect("the payload serializes")
        .run_at(at)
        // One job per connection and due time: a reconnection schedules its
        // own, and the earlier one finds nothing due.
        .unique_key(format!("connection-refresh:{id}:{}", at.as_second()));
        self.inner.queue.enqueue(tx, job).await?;
        Ok(())
    }

    async fn audit_connect(
        &self,
        user: &User,
        workspace: WorkspaceId,
        provider: ProviderId,
        outcome: &str,
        meta: &RequestMeta,
        detail: &str,
    ) {
        self.inner
            .accounts
            .audit(
                "connection.connect",
                outcome,
                Some(user.id),
                Some(workspace),
                Some(provider.as_str()),
                meta,
                detail,
            )
            .await;
    }

    // --- Reading and removing -------------------------------------------------------

    fn credentials_of(&self, row: &ConnectionRow) -> Result<Credentials, ConnectError> {
        let tokens: Tokens = self.unseal(&row.secrets, &row.id)?;
        Ok(Credentials {
            access_token: tokens.access_token,
            access_expires_at: row.access_expires_at.map(Timestamp::from),
            refresh_token: tokens.refresh_token,
            refresh_expires_at: row.refresh_expires_at.map(Timestamp::from),
            issued_at: row.issued_at.0,
        })
    }

    /// The decrypted credentials of a connection, for the publishing code.
    pub async fn credentials(&self, id: &str) -> Result<Option<Credentials>, ConnectError> {
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
            status_detail: row.status_detail,
            token_expires_at: row.access_expires_at.map(Timestamp::from),
            refreshed_at: row.refreshed_at.map(Timestamp::from),
            connected_at: row.created_at.0,
            revoked_at: row.revoked_at.map(Timestamp::from),
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
        id: &str,
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
                "connection.removed",
                "success",
                Some(auth.user()),
                Some(workspace),
                Some(id),
                meta,
                &format!("{} {} {}: {:?}", provider, row.kind, row.name, outcome),
            )
            .await;
        Ok(outcome)
    }

    // --- Refreshing -----------------------------------------------------------------

    /// Renews (or checks) the tokens of connection `id` if due; `force`
    /// renews even when not due. Runs once at a time per connection.
    pub async fn refresh(&self, id: &str, force: bool) -> Result<Refreshed, PlatformError> {
        let db = &self.inner.db;
        let internal = |e: &dyn std::fmt::Display| {
            PlatformError::new(
                ProviderId::Facebook,
                ErrorKind::Unavailable,
                format!("storage: {e}"),
            )
        };
        let Some(row) = store::connection(db, id).await.map_err(|e| internal(&e))? else {
            return Ok(Refreshed::Gone);
        };
        let provider =
            ProviderId::parse(&row.provider).ok_or_else(|| internal(&"unknown provider"))?;
        let now = self.now();
        if row.status == Status::NeedsReconnection.as_str() && !force {
            return Ok(Refreshed::NeedsReconnection);
        }
        let due = next_refresh(provider, &row);
        if !force && due > now + SignedDuration::from_mins(1) {
            return Ok(Refreshed::NotDue { due });
        }
        if !store::lock_for_refresh(db, id, now, now + REFRESH_LOCK)
            .await
            .map_err(|e| internal(&e))?
        {
            return Ok(Refreshed::Busy);
        }
        // Read again under the lock: a refresh that finished meanwhile has
        // stored newer tokens (and rotated the refresh token we read).
        let Some(row) = store::connection(db, id).await.map_err(|e| internal(&e))? else {
            return Ok(Refreshed::Gone);
        };
        let due = next_refresh(provider, &row);
        if !force && due > now + SignedDuration::from_mins(1) {
            store::unlock(db, id).await.map_err(|e| internal(&e))?;
            return Ok(Refreshed::NotDue { due });
        }
        let kind = AccountKind::parse(&row.kind).ok_or_else(|| internal(&"unknown kind"))?;
        let credentials = match self.credentials_of(&row) {
            Ok(c) => c,
            Err(e) => {
                let _ = store::set_status(
                    db,
                    id,
                    Status::RefreshFailing.as_str(),
                    "stored credentials do not decrypt",
                    now,
                )
                .await;
                return Err(internal(&e));
            }
        };
        let Some(registered) = self.inner.providers.get(provider) else {
            let _ = store::set_status(
                db,
                id,
                Status::RefreshFailing.as_str(),
                "provider not configured",
                now,
            )
            .await;
            return Err(internal(&"provider not configured"));
        };
        match registered.connector.refresh(kind, &credentials).await {
            Ok(fresh) => {
                let now = self.now();
                let renewed = fresh.access_token != credentials.access_token;
                if renewed {
                    let (key_id, secrets) = self
                        .seal(
                            &Tokens {
                                access_token: fresh.access_token.clone(),
                                refresh_token: fresh.refresh_token.clone(),
                            },
                            id,
                        )
                        .map_err(|e| internal(&e))?;
                    store::store_refreshed(
                        db,
                        id,
                        key_id,
                        &secrets,
                        fresh.access_expires_at,
                        fresh.refresh_expires_at,
                        fresh.issued_at,
                        now,
                    )
                    .await
                    .map_err(|e| internal(&e))?;
                } else {
                    store::store_checked(db, id, now)
                        .await
                        .map_err(|e| internal(&e))?;
                }
                let row = store::connection(db, id)
                    .await
                    .map_err(|e| internal(&e))?
                    .ok_or_else(|| internal(&"connection vanished"))?;
                let next = next_refresh(provider, &row).max(now);
                let mut tx = db.begin().await.map_err(|e| internal(&e))?;
                self.schedule_refresh(&mut tx, id, next)
                    .await
                    .map_err(|e| internal(&e))?;
                tx.commit().await.map_err(|e| internal(&e))?;
                if row.status != Status::Active.as_str() || renewed {
                    tracing::info!(connection = %id, %provider, renewed, next = %next, "token refresh succeeded");
                }
                Ok(if renewed {
                    Refreshed::Renewed { next }
                } else {
                    Refreshed::Checked { next }
                })
            }
            Err(e) if matches!(e.kind, ErrorKind::Reconnect | ErrorKind::Reconsent { .. }) => {
                let detail = e.to_string();
                self.flag_needs_reconnection(&row, &detail)
                    .await
                    .map_err(|err| internal(&err))?;
                tracing::warn!(connection = %id, %provider, error = %e, "token is dead: connection needs reconnection");
                self.inner
                    .accounts
                    .audit(
                        "connection.needs_reconnection",
                        "failure",
                        None,
                        Some(row.workspace_id),
                        Some(id),
                        &RequestMeta::default(),
                        &detail,
                    )
                    .await;
                Ok(Refreshed::NeedsReconnection)
            }
            Err(e) => {
                let detail = e.to_string();
                store::set_status(db, id, Status::RefreshFailing.as_str(), &detail, self.now())
                    .await
                    .map_err(|err| internal(&err))?;
                if row.status == Status::Active.as_str() {
                    self.inner
                        .accounts
                        .audit(
                            "connection.refresh_failing",
                            "failure",
                            None,
                            Some(row.workspace_id),
                            Some(id),
                            &RequestMeta::default(),
                            &detail,
                        )
                        .await;
                }
                Err(e)
            }
        }
    }

    /// Marks a connection as needing the person, and appends the
    /// `connection.needs_reconnection` event in the same transaction: the
    /// event exists exactly when the flag does.
    async fn flag_needs_reconnection(
        &self,
        row: &ConnectionRow,
        detail: &str,
    ) -> Result<(), FlagError> {
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        store::set_status_in(
            &mut tx,
            &row.id,
            Status::NeedsReconnection.as_str(),
            detail,
            now,
        )
        .await?;
        let event = herald_events::Event::new(
            herald_events::Subject::parse(NEEDS_RECONNECTION_SUBJECT).expect("a valid subject"),
            serde_json::json!({
                "workspace_id": row.workspace_id,
                "connection_id": row.id,
                "provider": row.provider,
                "name": row.name,
                "reason": detail,
            }),
            now,
        );
        self.inner.outbox.append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The subject of the event appended when a connection's token turns out
/// to be dead (payload: `workspace_id`, `connection_id`, `provider`,
/// `name`, `reason`).
pub const NEEDS_RECONNECTION_SUBJECT: &str = "connection.needs_reconnection";

/// Why flagging a connection failed.
#[derive(Debug, thiserror::Error)]
enum FlagError {
    #[error("storage failed")]
    Db(#[from] DbError),
    #[error("the event could not be appended")]
    Event(#[from] herald_events::EventsError),
}

fn state_signature(key: &[u8], nonce: &str, session: &str, provider: ProviderId) -> String {
    sign(key, &format!("{nonce}|{session}|{provider}"))
}

/// The `state` sent to the platform: the attempt's nonce, signed for the
/// session and the provider.
fn make_state(key: &[u8], nonce: &str, session: &str, provider: ProviderId) -> String {
    format!("{nonce}.{}", state_signature(key, nonce, session, provider))
}

/// The nonce of the `state` a callback brought back, when it is signed for
/// this session and provider (compared in constant time).
fn check_state<'a>(
    key: &[u8],
    state: Option<&'a str>,
    session: &str,
    provider: ProviderId,
) -> Result<&'a str, ConnectError> {
    let state = state.ok_or(ConnectError::ForgedState)?;
    let (nonce, signature) = state.split_once('.').ok_or(ConnectError::ForgedState)?;
    if !same(signature, &state_signature(key, nonce, session, provider)) {
        return Err(ConnectError::ForgedState);
    }
    Ok(nonce)
}

/// What a redirect's `error` parameters say: the person declined, or the
/// platform reports a problem (its description, else its code).
fn redirect_error(params: &CallbackParams) -> Option<ConnectError> {
    let error = params.error.as_ref()?;
    let denied = error == "access_denied" || params.error_reason.as_deref() == Some("user_denied");
    Some(if denied {
        ConnectError::Denied
    } else {
        ConnectError::Redirect(
            params
                .error_description
                .clone()
                .unwrap_or_else(|| error.clone()),
        )
    })
}

fn choice_key(c: &Candidate) -> String {
    format!("{}:{}", c.kind.as_str(), c.remote_id)
}

/// When a connection's token should next be renewed (or checked).
/// A time in the past means "now".
fn next_refresh(provider: ProviderId, row: &ConnectionRow) -> Timestamp {
    let Some(expires) = row.access_expires_at.map(Timestamp::from) else {
        return row.refreshed_at.unwrap_or(row.issued_at).0 + CHECK_EVERY;
    };
    let issued = row.issued_at.0;
    let lifetime = expires.duration_since(issued);
    let lead = (lifetime / 10).max(MIN_LEAD);
    let mut at = expires - lead;
    if provider == ProviderId::Instagram {
        at = at.max(issued + INSTAGRAM_MIN_AGE + SignedDuration::from_mins(1));
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(issued: Timestamp, expires: Option<Timestamp>) -> ConnectionRow {
        ConnectionRow {
            id: "c".into(),
            workspace_id: WorkspaceId(1),
            provider: "tiktok".into(),
            kind: "tiktok_user".into(),
            remote_id: "r".into(),
            platform_user_id: String::new(),
            name: String::new(),
            handle: None,
            avatar_url: None,
            parent: None,
            scopes: String::new(),
            status: "active".into(),
            status_detail: String::new(),
            key_id: 1,
            secrets: String::new(),
            access_expires_at: expires.map(DbTime),
            refresh_expires_at: None,
            issued_at: DbTime(issued),
            refreshed_at: None,
            created_at: DbTime::from_micros(0),
            updated_at: DbTime::from_micros(0),
            revoked_at: None,
            sandbox: false,
        }
    }

    #[test]
    fn refreshes_come_a_tenth_of_the_lifetime_early() {
        let t0: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        let day = SignedDuration::from_hours(24);
        let r = row(t0, Some(t0 + day));
        assert_eq!(next_refresh(ProviderId::TikTok, &r), t0 + day - day / 10);
        // Google's hour-long tokens: six minutes early.
        let hour = SignedDuration::from_secs(3599);
        let r = row(t0, Some(t0 + hour));
        assert!(next_refresh(ProviderId::YouTube, &r) <= t0 + hour - SignedDuration::from_mins(5));
        // Tokens without expiry are checked daily.
        assert_eq!(
            next_refresh(ProviderId::Facebook, &row(t0, None)),
            t0 + CHECK_EVERY
        );
    }

    #[test]
    fn instagram_tokens_are_not_renewed_before_a_day() {
        let t0: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        // A short lifetime would put the refresh inside the first day.
        let r = row(t0, Some(t0 + SignedDuration::from_hours(25)));
        assert!(next_refresh(ProviderId::Instagram, &r) > t0 + SignedDuration::from_hours(24));
    }
}

/// Property tests: whatever a browser brings back to the callback, reading
/// its `state` and `error` never panics; a state is accepted only as
/// issued, for the session and provider it was issued to.
#[cfg(test)]
mod props {
    use herald_accounts::secret::new_token;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    const KEY: &[u8] = b"state-key-for-tests";

    fn provider() -> impl Strategy<Value = ProviderId> {
        prop::sample::select(ProviderId::ALL.to_vec())
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        vec(any::<char>(), 0..max).prop_map(String::from_iter)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn issued_states_come_back_with_their_nonce(
            nonce in prop_oneof![Just(new_token()), "[A-Za-z0-9_-]{0,64}", "[^.]{0,32}"],
            session in "[A-Za-z0-9_-]{1,64}",
            provider in provider(),
        ) {
            let state = make_state(KEY, &nonce, &session, provider);
            prop_assert_eq!(check_state(KEY, Some(&state), &session, provider).ok(), Some(nonce.as_str()));
        }

        #[test]
        fn a_state_is_refused_in_another_session_provider_or_deployment(
            session in "[A-Za-z0-9_-]{1,43}",
            other_session in "[A-Za-z0-9_-]{1,43}",
            provider in provider(),
            other_provider in provider(),
            other_key in vec(any::<u8>(), 0..32),
        ) {
            let nonce = new_token();
            let state = make_state(KEY, &nonce, &session, provider);
            if other_session != session {
                prop_assert!(matches!(
                    check_state(KEY, Some(&state), &other_session, provider),
                    Err(ConnectError::ForgedState)
                ));
            }
            if other_provider != provider {
                prop_assert!(matches!(
                    check_state(KEY, Some(&state), &session, other_provider),
                    Err(ConnectError::ForgedState)
                ));
            }
            if other_key != KEY {
                prop_assert!(matches!(
                    check_state(&other_key, Some(&state), &session, provider),
                    Err(ConnectError::ForgedState)
                ));
            }
        }

        #[test]
        fn any_change_to_a_state_is_refused(
            edits in vec(
                (any::<Index>(), prop::sample::select("Aa0-_.=+/ %\u{e4}".chars().collect::<Vec<_>>()), 0u8..3),
                1..4,
            ),
            provider in provider(),
        ) {
            let state = make_state(KEY, &new_token(), "session", provider);
            let mut chars: Vec<char> = state.chars().collect();
            for (at, c, op) in edits {
                match op {
                    0 if !chars.is_empty() => {
                        let i = at.index(chars.len());
                        chars[i] = c;
                    }
                    1 => chars.insert(at.index(chars.len() + 1), c),
                    _ if !chars.is_empty() => {
                        chars.remove(at.index(chars.len()));
                    }
                    _ => {}
                }
            }
            let changed: String = chars.into_iter().collect();
            prop_assume!(changed != state);
            prop_assert!(matches!(
                check_state(KEY, Some(&changed), "session", provider),
                Err(ConnectError::ForgedState)
            ));
        }

        #[test]
        fn arbitrary_states_never_panic_and_are_refused(
            state in proptest::option::of(text(512)),
            session in text(64),
            provider in provider(),
        ) {
            prop_assert!(matches!(
                check_state(KEY, state.as_deref(), &session, provider),
                Err(ConnectError::ForgedState)
            ));
        }

        #[test]
        fn redirect_errors_are_a_denial_or_the_platforms_words(
            error in proptest::option::of(prop_oneof![
                Just("access_denied".to_owned()),
                Just("server_error".to_owned()),
                text(40),
            ]),
            reason in proptest::option::of(prop_oneof![Just("user_denied".to_owned()), text(20)]),
            description in proptest::option::of(text(80)),
            code in proptest::option::of(text(40)),
        ) {
            let params = CallbackParams {
                state: None,
                code,
                error: error.clone(),
                error_reason: reason.clone(),
                error_description: description.clone(),
            };
            match (error, redirect_error(&params)) {
                (None, None) => {}
                (Some(e), Some(ConnectError::Denied)) => {
                    prop_assert!(e == "access_denied" || reason.as_deref() == Some("user_denied"));
                }
                (Some(e), Some(ConnectError::Redirect(shown))) => {
                    prop_assert!(e != "access_denied" && reason.as_deref() != Some("user_denied"));
                    prop_assert_eq!(shown, description.unwrap_or(e));
                }
                (e, other) => {
                    return Err(TestCaseError::fail(format!("{e:?} -> {other:?}")));
                }
            }
        }
    }
}
