//! "Delete my account" with a grace period, and "Delete this workspace".

use herald_accounts::AuditEvent;
use herald_core::{UserId, WorkspaceId};
use std::collections::HashMap;

use herald_accounts::{LetterKind, OwnedWorkspace, Permission, RequestMeta, User};
use herald_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{DELETION_GRACE, Privacy, PrivacyError, store};

/// What happens to a shared workspace the person owns when they leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It goes to this member, who becomes an owner.
    HandOver(UserId),
    /// It is deleted with everything in it.
    Delete,
}

/// An account waiting out its grace period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDeletion {
    pub requested_at: Timestamp,
    pub due_at: Timestamp,
    pub plan: Vec<(WorkspaceId, Fate)>,
}

/// The plan as stored (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PlanItem {
    workspace: i64,
    /// `hand_over` or `delete`.
    action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<i64>,
}

fn encode(plan: &[(WorkspaceId, Fate)]) -> String {
    let items: Vec<PlanItem> = plan
        .iter()
        .map(|(ws, fate)| match fate {
            Fate::HandOver(to) => PlanItem {
                workspace: ws.0,
                action: "hand_over".into(),
                to: Some(to.0),
            },
            Fate::Delete => PlanItem {
                workspace: ws.0,
                action: "delete".into(),
                to: None,
            },
        })
        .collect();
    serde_json::to_string(&items).expect("a plan serialises")
}

fn decode(plan: &str) -> Vec<(WorkspaceId, Fate)> {
    serde_json::from_str::<Vec<PlanItem>>(plan)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| {
            let fate = match (i.action.as_str(), i.to) {
                ("hand_over", Some(to)) => Fate::HandOver(UserId(to)),
                ("delete", _) => Fate::Delete,
                _ => return None,
            };
            Some((WorkspaceId(i.workspace), fate))
        })
        .collect()
}

/// Checks `choices` against what `user` owns: every shared workspace
/// without another owner needs a fate, a new owner must be a member, and
/// nothing else may be named.
fn checked_plan(
    owned: &[OwnedWorkspace],
    choices: &[(WorkspaceId, Fate)],
) -> Result<Vec<(WorkspaceId, Fate)>, PrivacyError> {
    let invalid = |code| PrivacyError::Account(herald_accounts::AccountError::Invalid(code));
    let chosen: HashMap<WorkspaceId, Fate> = choices.iter().copied().collect();
    if chosen.len() != choices.len() {
        return Err(invalid("deletion_plan_invalid"));
    }
    let mut plan = Vec::new();
    for w in owned.iter().filter(|w| w.needs_decision()) {
        match chosen.get(&w.id) {
            None => return Err(invalid("deletion_plan_incomplete")),
            Some(Fate::HandOver(to)) if !w.others.iter().any(|m| m.user_id == *to) => {
                return Err(invalid("handover_not_member"));
            }
            Some(fate) => plan.push((w.id, *fate)),
        }
    }
    if chosen
        .keys()
        .any(|ws| !owned.iter().any(|w| w.id == *ws && w.needs_decision()))
    {
        return Err(invalid("deletion_plan_invalid"));
    }
    Ok(plan)
}

impl Privacy {
    /// Schedules `user`'s account for deletion after the grace period,
    /// with their choices for the shared workspaces they own; confirmed by
    /// their password. Signs them out everywhere and mails them.
    pub async fn request_deletion(
        &self,
        user: &User,
        password: &str,
        choices: &[(WorkspaceId, Fate)],
        meta: &RequestMeta,
    ) -> Result<PendingDeletion, PrivacyError> {
        self.accounts()
            .confirm_password(user, password, "account.delete", meta)
            .await?;
        let owned = self.accounts().owned_workspaces(user).await?;
        let plan = checked_plan(&owned, choices)?;
        let now = self.now();
        let due = now + DELETION_GRACE;
        let mut tx = self.inner.db.begin().await?;
        store::upsert_deletion(&mut tx, user.id, now, due, &encode(&plan)).await?;
        self.accounts()
            .send_letter(
                &mut tx,
                user,
                LetterKind::DeletionScheduled { at: due },
                "/login?next=/home/settings/data",
            )
            .await?;
        tx.commit().await?;
        self.accounts()
            .audit(
                AuditEvent {
                    actor: Some(user.id),
                    detail: &format!("due {due}"),
                    ..AuditEvent::new("account.delete.requested", "success")
                },
                meta,
            )
            .await;
        self.accounts().log_out_everywhere(user, meta).await?;
        Ok(PendingDeletion {
            requested_at: now,
            due_at: due,
            plan,
        })
    }

    /// `user`'s scheduled deletion, if any.
    pub async fn pending_deletion(
        &self,
        user: &User,
    ) -> Result<Option<PendingDeletion>, PrivacyError> {
        Ok(store::deletion(&self.inner.db, user.id)
            .await?
            .map(|row| PendingDeletion {
                requested_at: row.requested_at.0,
                due_at: row.due_at.0,
                plan: decode(&row.plan),
            }))
    }

    /// Keeps `user`'s account; false when no deletion was scheduled.
    pub async fn cancel_deletion(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<bool, PrivacyError> {
        let cancelled = store::cancel_deletion(&self.inner.db, user.id).await?;
        if cancelled {
            self.accounts()
                .audit(
                    AuditEvent {
                        actor: Some(user.id),
                        ..AuditEvent::new("account.delete.cancelled", "success")
                    },
                    meta,
                )
                .await;
        }
        Ok(cancelled)
    }

    /// Deletes `workspace` at its owner's request, confirmed by its name.
    pub async fn delete_workspace(
        &self,
        user: &User,
        workspace: WorkspaceId,
        confirm_name: &str,
        meta: &RequestMeta,
    ) -> Result<(), PrivacyError> {
        let name = self
            .accounts()
            .check_workspace_deletion(user, workspace, confirm_name)
            .await?;
        self.erase_workspace(user, workspace, meta).await?;
        self.accounts()
            .audit(
                AuditEvent {
                    actor: Some(user.id),
                    subject: Some(&name),
                    detail: &format!("workspace {}", workspace.0),
                    ..AuditEvent::new("workspace.deleted", "success")
                },
                meta,
            )
            .await;
        Ok(())
    }

    /// Revokes the workspace's platform access, deletes it with everything
    /// in it, then its media files that no other workspace uses.
    async fn erase_workspace(
        &self,
        user: &User,
        workspace: WorkspaceId,
        meta: &RequestMeta,
    ) -> Result<(), PrivacyError> {
        let s = &self.inner.s;
        // The workspace's owner: allowed to manage its connections.
        let auth = self
            .accounts()
            .require(user, workspace, Permission::ManageConnections)
            .await?;
        for c in s.connections.list(&auth, None).await? {
            // Revoked at the platform where it allows that; the stored
            // tokens are deleted whatever the platform answers.
            s.connections.remove(&auth, &c.id, meta).await?;
        }
        let files = s.media.workspace_files(workspace).await?;
        let mut tx = self.inner.db.begin().await?;
        s.accounts.delete_workspace(&mut tx, workspace).await?;
        tx.commit().await?;
        let dropped = s.media.drop_unused(&files).await?;
        tracing::info!(
            workspace = workspace.0,
            files = dropped,
            "deleted a workspace"
        );
        Ok(())
    }

    /// The job's step: carries out the plan of an account whose grace
    /// period is over, then deletes the account. Does nothing when the
    /// deletion was cancelled or is not due yet.
    pub(crate) async fn delete_account(&self, user_id: i64) -> Result<(), PrivacyError> {
        let Some(pending) = store::deletion(&self.inner.db, UserId(user_id)).await? else {
            return Ok(());
        };
        if pending.due_at.0 > self.now() {
            return Ok(());
        }
        let Some(user) = self.accounts().user(UserId(user_id)).await? else {
            store::cancel_deletion(&self.inner.db, UserId(user_id)).await?;
            return Ok(());
        };
        let meta = RequestMeta::new(None, Some("herald account deletion"));
        let plan: HashMap<WorkspaceId, Fate> = decode(&pending.plan).into_iter().collect();
        for w in self.accounts().owned_workspaces(&user).await? {
            if w.co_owned {
                continue; // another owner keeps it; the membership goes
            }
            let fate = if w.others.is_empty() {
                Fate::Delete
            } else {
                match plan.get(&w.id) {
                    Some(Fate::HandOver(to)) if w.others.iter().any(|m| m.user_id == *to) => {
                        Fate::HandOver(*to)
                    }
                    Some(Fate::Delete) => Fate::Delete,
                    // Shared after the request, or the chosen member left:
                    // never delete other people's work unasked; it goes to
                    // the member who joined first.
                    _ => Fate::HandOver(w.others[0].user_id),
                }
            };
            match fate {
                Fate::Delete => self.erase_workspace(&user, w.id, &meta).await?,
                Fate::HandOver(to) => {
                    let mut tx = self.inner.db.begin().await?;
                    self.accounts().hand_over(&mut tx, w.id, to).await?;
                    tx.commit().await?;
                    self.accounts()
                        .audit(
                            AuditEvent {
                                workspace: Some(w.id),
                                detail: &format!("to user {}", to.0),
                                ..AuditEvent::new("workspace.handed_over", "success")
                            },
                            &meta,
                        )
                        .await;
                }
            }
        }
        for export in store::exports_of(&self.inner.db, UserId(user_id)).await? {
            self.delete_archive(&export).await?;
        }
        self.accounts().delete_user(&user).await?;
        self.accounts()
            .audit(
                AuditEvent {
                    detail: &format!("user {user_id}"),
                    ..AuditEvent::new("account.deleted", "success")
                },
                &meta,
            )
            .await;
        tracing::info!(user = user_id, "deleted an account");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use herald_accounts::{Member, Role};

    use super::*;

    fn member(id: i64) -> Member {
        Member {
            user_id: UserId(id),
            email: format!("m{id}@example.com"),
            display_name: String::new(),
            role: Role::Editor,
            since: Timestamp::UNIX_EPOCH,
        }
    }

    fn owned(id: i64, personal: bool, others: &[i64], co_owned: bool) -> OwnedWorkspace {
        OwnedWorkspace {
            id: WorkspaceId(id),
            name: format!("w{id}"),
            personal,
            others: others.iter().map(|&m| member(m)).collect(),
            co_owned,
        }
    }

    #[test]
    fn every_shared_workspace_needs_a_fate_and_nothing_else_may_be_named() {
        let owned = [
            owned(1, true, &[], false),
            owned(2, false, &[7, 8], false),
            owned(3, false, &[9], true),
            owned(4, false, &[], false),
            owned(5, true, &[6], false),
        ];
        let code = |r: Result<Vec<(WorkspaceId, Fate)>, PrivacyError>| match r {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        assert_eq!(code(checked_plan(&owned, &[])), "deletion_plan_incomplete");
        assert_eq!(
            code(checked_plan(&owned, &[(WorkspaceId(2), Fate::Delete)])),
            "deletion_plan_incomplete",
            "a personal workspace others work in needs a decision too"
        );
        assert_eq!(
            code(checked_plan(
                &owned,
                &[
                    (WorkspaceId(2), Fate::HandOver(UserId(99))),
                    (WorkspaceId(5), Fate::Delete)
                ]
            )),
            "handover_not_member"
        );
        assert_eq!(
            code(checked_plan(
                &owned,
                &[
                    (WorkspaceId(2), Fate::Delete),
                    (WorkspaceId(5), Fate::Delete),
                    (WorkspaceId(3), Fate::Delete)
                ]
            )),
            "deletion_plan_invalid",
            "a co-owned workspace is not the person's to delete"
        );
        assert_eq!(
            code(checked_plan(
                &owned,
                &[
                    (WorkspaceId(2), Fate::Delete),
                    (WorkspaceId(2), Fate::Delete)
                ]
            )),
            "deletion_plan_invalid"
        );
        let chosen = [
            (WorkspaceId(2), Fate::HandOver(UserId(8))),
            (WorkspaceId(5), Fate::Delete),
        ];
        let plan = checked_plan(&owned, &chosen).unwrap();
        assert_eq!(plan, chosen.to_vec());
        assert_eq!(decode(&encode(&plan)), plan);
    }
}
