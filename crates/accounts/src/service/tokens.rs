//! Scoped access tokens: personal, app and assistant tokens of one
//! workspace, made by a member in a browser session (or with a device's
//! token), never by another scoped token.
//!
//! Who sees and revokes which: a member sees and revokes the tokens they
//! made; a member who may manage members (admins, owners) sees and revokes
//! every token of the workspace, as they may remove the members behind
//! them. Anyone else's token is "not found".

use super::*;

use crate::scope::{Scopes, TokenGrant, TokenKind};
use herald_core::TokenId;

/// How long a token's `last_used_at` may lag behind its use.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// The longest token name.
pub const TOKEN_NAME_MAX: usize = 100;

/// What a member asks for when making a token, as a client sends it: the
/// service reads and checks every field.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub name: String,
    /// `personal`, `app` or `assistant`.
    pub kind: String,
    /// Scope names; none given: an assistant's defaults (other kinds must
    /// name theirs).
    pub scopes: Option<Vec<String>>,
    pub expires_at: Option<Timestamp>,
}

/// A token as its maker and the workspace's admins see it (never its
/// secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub id: TokenId,
    pub name: String,
    pub kind: TokenKind,
    pub scopes: Scopes,
    pub created_by: UserId,
    /// The maker's name (display name, else address).
    pub creator: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// Past its expiry: it no longer authenticates.
    pub expired: bool,
}

/// A new token and its secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub token: TokenView,
    pub secret: SecretToken,
}

/// Who a bearer credential belongs to.
#[derive(Debug, Clone)]
pub enum Bearer {
    /// A device's access token (password grant): the person's whole role
    /// in every workspace.
    Device(User, DeviceId),
    /// A scoped token: its maker, in its workspace, within its scopes.
    Token(User, TokenGrant),
}

impl Accounts {
    /// Makes a token in the workspace of `auth` (a session's or device's
    /// proof: tokens do not make tokens) for its holder. Every permission
    /// the scopes imply must be one the holder's role allows.
    pub async fn create_token(
        &self,
        auth: &Authorized,
        request: TokenRequest,
        meta: &RequestMeta,
    ) -> Result<CreatedToken, AccountError> {
        if auth.via().is_some() {
            return Err(AccountError::Forbidden);
        }
        let name = clean_display_name(&request.name);
        if name.is_empty() {
            return Err(AccountError::Invalid("token_name_required"));
        }
        if request.name.trim().chars().count() > TOKEN_NAME_MAX {
            return Err(AccountError::Invalid("token_name_too_long"));
        }
        let kind = TokenKind::parse(request.kind.trim())
            .ok_or(AccountError::Invalid("token_kind_unknown"))?;
        let asked = match &request.scopes {
            Some(names) => {
                Scopes::from_names(names).map_err(|e| AccountError::Invalid(e.code()))?
            }
            None => Scopes::default(),
        };
        let scopes = match kind {
            TokenKind::Assistant if asked.is_empty() => Scopes::ASSISTANT_DEFAULT,
            TokenKind::Assistant if asked.contains(crate::Scope::PostsApprove) => {
                return Err(AccountError::Invalid("token_scope_not_for_assistants"));
            }
            _ if asked.is_empty() => return Err(AccountError::Invalid("token_scopes_required")),
            _ => asked,
        };
        let now = self.now();
        if request.expires_at.is_some_and(|at| at <= now) {
            return Err(AccountError::Invalid("token_expiry_past"));
        }
        if !scopes.permissions().all(|p| auth.role().allows(p)) {
            return Err(AccountError::ScopeBeyondRole);
        }
        let secret = format!("{}{}", kind.prefix(), new_token());
        let stored = scopes.to_string();
        let id = store::insert_api_token(
            &self.db,
            &store::NewApiToken {
                workspace: auth.workspace(),
                created_by: auth.user(),
                name: &name,
                kind: kind.as_str(),
                scopes: &stored,
                token_hash: &token_hash(&secret),
                created_at: now,
                expires_at: request.expires_at,
            },
        )
        .await?
        .ok_or(AccountError::Invalid("token_name_taken"))?;
        self.audit(
            AuditEvent {
                actor: Some(auth.user()),
                workspace: Some(auth.workspace()),
                subject: Some(&format!("token {id} ({name})")),
                detail: &format!("{kind}: {stored}"),
                ..AuditEvent::new("token.create", "success")
            },
            meta,
        )
        .await;
        let creator = crate::shared::display_names(&self.db, &[auth.user()])
            .await?
            .remove(&auth.user())
            .unwrap_or_default();
        Ok(CreatedToken {
            token: TokenView {
                id,
                name,
                kind,
                scopes,
                created_by: auth.user(),
                creator,
                created_at: now,
                expires_at: request.expires_at,
                last_used_at: None,
                expired: false,
            },
            secret: SecretToken(secret),
        })
    }

    /// The workspace's live tokens the holder of `auth` may see: their own,
    /// or every one when they may manage members. Newest first.
    pub async fn tokens(&self, auth: &Authorized) -> Result<Vec<TokenView>, AccountError> {
        auth.require(Permission::View)?;
        if auth.via().is_some() {
            return Err(AccountError::Forbidden);
        }
        let only = (!auth.allows(Permission::ManageMembers)).then_some(auth.user());
        let rows = store::live_api_tokens(&self.db, auth.workspace(), only).await?;
        let mut makers: Vec<UserId> = rows.iter().map(|r| r.created_by).collect();
        makers.sort();
        makers.dedup();
        let names = crate::shared::display_names(&self.db, &makers).await?;
        let now = self.now();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(TokenView {
                    id: r.id,
                    kind: TokenKind::parse(&r.kind)?,
                    scopes: Scopes::from_stored(&r.scopes),
                    created_by: r.created_by,
                    creator: names.get(&r.created_by).cloned().unwrap_or_default(),
                    created_at: r.created_at.0,
                    expires_at: r.expires_at.map(|t| t.0),
                    last_used_at: r.last_used_at.map(|t| t.0),
                    expired: r.expires_at.is_some_and(|t| t.0 <= now),
                    name: r.name,
                })
            })
            .collect())
    }

    /// Revokes a token of the workspace at once: the holder's own, or any
    /// when they may manage members; anyone else's is "not found".
    pub async fn revoke_token(
        &self,
        auth: &Authorized,
        id: TokenId,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        auth.require(Permission::View)?;
        if auth.via().is_some() {
            return Err(AccountError::Forbidden);
        }
        let only = (!auth.allows(Permission::ManageMembers)).then_some(auth.user());
        let (name, kind) =
            store::revoke_api_token(&self.db, auth.workspace(), id, only, self.now())
                .await?
                .ok_or(AccountError::NotFound)?;
        self.audit(
            AuditEvent {
                actor: Some(auth.user()),
                workspace: Some(auth.workspace()),
                subject: Some(&format!("token {id} ({name})")),
                detail: &kind,
                ..AuditEvent::new("token.revoke", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    /// Who a bearer credential (a scoped token, recognised by its prefix,
    /// or a device's access token) belongs to, if it is valid now. Failed
    /// attempts are limited per client ([`limits::BEARER_FAILURE_IP`]): past
    /// the limit, a bad credential is answered `RateLimited` without a
    /// lookup.
    pub async fn authenticate_bearer(
        &self,
        credential: &str,
        meta: &RequestMeta,
    ) -> Result<Option<Bearer>, AccountError> {
        let credential = credential.trim();
        let found = if TokenKind::recognises(credential) {
            self.authenticate_token(credential)
                .await?
                .map(|(user, grant)| Bearer::Token(user, grant))
        } else {
            self.authenticate_access(credential)
                .await?
                .map(|(user, device)| Bearer::Device(user, device))
        };
        if found.is_none() {
            self.limit(&limits::BEARER_FAILURE_IP, meta.ip_key())
                .await?;
        }
        Ok(found)
    }

    /// The maker and grant of a scoped token, if it is live: not revoked,
    /// not expired, its maker still a member of its workspace. Notes its
    /// use (at most once a minute).
    pub async fn authenticate_token(
        &self,
        secret: &str,
    ) -> Result<Option<(User, TokenGrant)>, AccountError> {
        let Some(row) = store::api_token_by_hash(&self.db, &token_hash(secret.trim())).await?
        else {
            return Ok(None);
        };
        let now = self.now();
        if row.revoked_at.is_some() || row.expires_at.is_some_and(|t| t.0 <= now) {
            return Ok(None);
        }
        let Some(kind) = TokenKind::parse(&row.kind) else {
            return Ok(None);
        };
        let Some(user) = store::user_by_id(&self.db, row.created_by.0).await? else {
            return Ok(None);
        };
        if row
            .last_used_at
            .is_none_or(|t| now.duration_since(t.0) >= TOUCH_EVERY)
        {
            let stale_before = now.checked_sub(TOUCH_EVERY).unwrap_or(Timestamp::MIN);
            store::touch_api_token(&self.db, row.id, now, stale_before).await?;
        }
        Ok(Some((
            User::from_row(user),
            TokenGrant {
                id: row.id,
                name: row.name,
                kind,
                scopes: Scopes::from_stored(&row.scopes),
                workspace: row.workspace_id,
                user: row.created_by,
            },
        )))
    }

    /// Proof for a request made with `grant`: in the token's workspace
    /// only (asking for another is "not found", as for any non-member),
    /// with its maker's role there now, limited by the token's scopes.
    pub async fn require_token(
        &self,
        grant: &Arc<TokenGrant>,
        asked: Option<WorkspaceId>,
        permission: Permission,
    ) -> Result<Authorized, AccountError> {
        if asked.is_some_and(|w| w != grant.workspace) {
            return Err(AccountError::NotFound);
        }
        let role = store::role_in(&self.db, grant.workspace, grant.user)
            .await?
            .and_then(|r| Role::parse(&r))
            .ok_or(AccountError::NotFound)?;
        let proof = Authorized::through(grant.clone(), role);
        proof.require(permission)?;
        Ok(proof)
    }
}
