//! The accounts side of people's data rights: consent records, what a
//! person owns (for the deletion plan), their own audit trail (for the
//! export), handing a workspace over, and deleting workspaces and users.
//! Archives and the grace period live in `herald-privacy`, which calls
//! these; nothing here knows about archives or jobs.

use crate::AuditEvent;
use herald_core::Named;
use herald_core::Timestamp;
use herald_db::Tx;

use crate::password::{self, Verified};
use crate::role::{Permission, Role};
use crate::service::{
    AccountError, Accounts, AuditEntry, Letter, LetterKind, Member, RequestMeta, SessionView, User,
    UserId, WorkspaceId, blocking, limits,
};
use crate::store;

/// A legal document a person accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Document {
    Privacy,
    Terms,
}

impl Document {
    pub const ALL: [Document; 2] = [Document::Privacy, Document::Terms];
}

/// Which version of a document a person accepted, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsentRecord {
    pub document: String,
    pub version: String,
    pub accepted_at: Timestamp,
}

/// A workspace the person owns, with who else is in it.
#[derive(Debug, Clone)]
pub struct OwnedWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    pub personal: bool,
    /// The other members (possible new owners).
    pub others: Vec<Member>,
    /// Another owner stays: nothing needs deciding.
    pub co_owned: bool,
}

impl OwnedWorkspace {
    /// Whether the person must decide its fate before leaving: shared with
    /// others (their personal workspace too, once others work in it), and
    /// no other owner.
    pub fn needs_decision(&self) -> bool {
        !self.others.is_empty() && !self.co_owned
    }
}

impl Accounts {
    /// Records that `user` accepted `version` of every document.
    pub(crate) async fn record_consent(
        &self,
        tx: &mut Tx,
        user: i64,
        version: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let version = version.trim();
        if version.is_empty() || version.len() > 64 {
            return Err(AccountError::Invalid("consent_required"));
        }
        let now = self.clock_now();
        for document in Document::ALL {
            store::insert_consent(
                tx,
                UserId(user),
                document.as_str(),
                version,
                meta.ip.as_deref(),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// The documents `user` accepted, oldest first.
    pub async fn consents(&self, user: &User) -> Result<Vec<ConsentRecord>, AccountError> {
        Ok(store::consents(self.db(), user.id)
            .await?
            .into_iter()
            .map(|r| ConsentRecord {
                document: r.document,
                version: r.version,
                accepted_at: r.accepted_at.0,
            })
            .collect())
    }

    /// Counts an attempt against `limit` for `key` (features outside this
    /// crate with limits of their own).
    pub async fn check_limit(
        &self,
        limit: &herald_ratelimit::Limit,
        key: &str,
    ) -> Result<(), AccountError> {
        self.limit(limit, key).await
    }

    /// A user by id (jobs acting for someone who is not signed in).
    pub async fn user(&self, id: UserId) -> Result<Option<User>, AccountError> {
        Ok(store::user_by_id(self.db(), id.0)
            .await?
            .map(User::from_row))
    }

    /// Checks `user`'s password before a change it guards (a new password,
    /// deleting the account); rate limited per person, a wrong one audited
    /// as a failure of `action`.
    pub async fn confirm_password(
        &self,
        user: &User,
        password: &str,
        action: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        self.limit(&limits::PASSWORD_CHANGE_USER, &user.id.0.to_string())
            .await?;
        let stored = store::user_by_id(self.db(), user.id.0)
            .await?
            .ok_or(AccountError::NotFound)?
            .password_hash;
        let attempt = password.to_owned();
        if blocking(move || password::verify(&attempt, &stored)).await == Verified::No {
            self.audit(
                AuditEvent {
                    actor: Some(user.id),
                    detail: "wrong current password",
                    ..AuditEvent::new(action, "failure")
                },
                meta,
            )
            .await;
            return Err(AccountError::InvalidCredentials);
        }
        Ok(())
    }

    /// `user`'s live browser sessions (for their export; none is "this one").
    pub async fn sessions_of(&self, user: &User) -> Result<Vec<SessionView>, AccountError> {
        Ok(self
            .session_store()
            .list(user.id.0, self.clock_now())
            .await?
            .into_iter()
            .map(|r| SessionView {
                current: false,
                id: r.token_hash,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                ip: r.ip,
                user_agent: r.user_agent,
            })
            .collect())
    }

    /// The workspaces `user` owns.
    pub async fn owned_workspaces(&self, user: &User) -> Result<Vec<OwnedWorkspace>, AccountError> {
        let mut out = Vec::new();
        for w in self.workspaces(user).await? {
            if w.role != Role::Owner {
                continue;
            }
            let members = self.members(user, w.id).await?;
            let co_owned = members
                .iter()
                .any(|m| m.user_id != user.id && m.role == Role::Owner);
            out.push(OwnedWorkspace {
                id: w.id,
                name: w.name,
                personal: w.personal,
                others: members
                    .into_iter()
                    .filter(|m| m.user_id != user.id)
                    .collect(),
                co_owned,
            });
        }
        Ok(out)
    }

    /// The audit events `user` caused, newest first (for their export).
    pub async fn audit_of(&self, user: &User) -> Result<Vec<AuditEntry>, AccountError> {
        Ok(store::audit_of_actor(self.db(), user.id)
            .await?
            .into_iter()
            .map(AuditEntry::from_row)
            .collect())
    }

    /// Makes `to` an owner of `workspace` in `tx` (a departing owner hands
    /// it over); `to` must be a member.
    pub async fn hand_over(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        to: UserId,
    ) -> Result<(), AccountError> {
        if store::make_owner(tx, workspace, to).await? {
            Ok(())
        } else {
            Err(AccountError::Invalid("handover_not_member"))
        }
    }

    /// Checks that `user` may delete `workspace` as confirmed by its name:
    /// an owner, not their personal workspace (that goes with the account).
    pub async fn check_workspace_deletion(
        &self,
        user: &User,
        workspace: WorkspaceId,
        confirm_name: &str,
    ) -> Result<String, AccountError> {
        self.require(user, workspace, Permission::ManageOwners)
            .await?;
        let w = self
            .workspaces(user)
            .await?
            .into_iter()
            .find(|w| w.id == workspace)
            .ok_or(AccountError::NotFound)?;
        if w.personal {
            return Err(AccountError::Invalid("workspace_personal"));
        }
        if confirm_name.trim() != w.name.trim() {
            return Err(AccountError::Invalid("workspace_name_mismatch"));
        }
        Ok(w.name)
    }

    /// Deletes `workspace` in `tx`, with everything that belongs to it.
    /// Callers revoke what lives outside the database first (platform
    /// access) and check the right to do it.
    pub async fn delete_workspace(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
    ) -> Result<bool, AccountError> {
        Ok(store::delete_workspace(tx, workspace).await?)
    }

    /// Deletes `user`: their sessions (wherever the session store keeps
    /// them), devices, tokens, memberships and consents go with the row;
    /// the audit events they caused stay without their address, IP or
    /// browser.
    pub async fn delete_user(&self, user: &User) -> Result<bool, AccountError> {
        self.revoke_sessions_of(user.id).await?;
        let mut tx = self.db().begin().await?;
        let deleted = store::delete_user(&mut tx, user.id, user.email.as_str()).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Queues `kind` to `user` in `tx`, linking to `path` on this site.
    pub async fn send_letter(
        &self,
        tx: &mut Tx,
        user: &User,
        kind: LetterKind,
        path: &str,
    ) -> Result<(), AccountError> {
        let letter = Letter {
            kind,
            to: user.email.clone(),
            locale: user.locale.clone(),
            link: self.link_to(path),
        };
        self.post(tx, letter).await
    }
}
