//! Workspaces, members, invitations, roles and the audit log.

use super::*;

impl Accounts {
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
                AuditEvent {
                    actor: Some(actor.id),
                    workspace: Some(workspace),
                    subject: Some(email),
                    ..AuditEvent::new("member.invite", "denied")
                },
                meta,
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
            &store::NewInvite {
                workspace,
                email: email.as_str(),
                role: role.as_str(),
                token_hash: &token_hash(&token),
                invited_by: actor.id,
                created_at: now,
                expires_at: after(now, self.settings.invite_ttl),
            },
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
            AuditEvent {
                actor: Some(actor.id),
                workspace: Some(workspace),
                subject: Some(email.as_str()),
                detail: role.as_str(),
                ..AuditEvent::new("member.invite", "success")
            },
            meta,
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
            AuditEvent {
                actor: Some(actor.id),
                workspace: Some(workspace),
                subject: Some(&format!("invite {invite}")),
                ..AuditEvent::new("member.invite_revoked", "success")
            },
            meta,
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
                AuditEvent {
                    actor: Some(user.id),
                    workspace: Some(invite.workspace_id),
                    subject: Some(user.email.as_str()),
                    detail: "invitation for another address",
                    ..AuditEvent::new("member.join", "denied")
                },
                meta,
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
            AuditEvent {
                actor: Some(user.id),
                workspace: Some(invite.workspace_id),
                subject: Some(user.email.as_str()),
                detail: role.as_str(),
                ..AuditEvent::new("member.join", "success")
            },
            meta,
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
                    AuditEvent {
                        actor: Some(actor.id),
                        workspace: Some(workspace),
                        subject: Some(&format!("user {member}")),
                        detail: role.as_str(),
                        ..AuditEvent::new("member.role", "denied")
                    },
                    meta,
                )
                .await;
                return Err(e);
            }
        };
        let mut tx = self.db.begin().await?;
        let (owners, current) = owners_and_role(&mut tx, workspace, member).await?;
        if (current == Role::Owner || role == Role::Owner)
            && !actor_role.allows(Permission::ManageOwners)
        {
            tx.rollback().await?;
            self.audit(
                AuditEvent {
                    actor: Some(actor.id),
                    workspace: Some(workspace),
                    subject: Some(&format!("user {member}")),
                    detail: role.as_str(),
                    ..AuditEvent::new("member.role", "denied")
                },
                meta,
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
            AuditEvent {
                actor: Some(actor.id),
                workspace: Some(workspace),
                subject: Some(&format!("user {member}")),
                detail: &format!("{current} -> {role}"),
                ..AuditEvent::new("member.role", "success")
            },
            meta,
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
                        AuditEvent {
                            actor: Some(actor.id),
                            workspace: Some(workspace),
                            subject: Some(&format!("user {member}")),
                            ..AuditEvent::new("member.remove", "denied")
                        },
                        meta,
                    )
                    .await;
                    return Err(e);
                }
            }
        };
        let mut tx = self.db.begin().await?;
        let (owners, current) = owners_and_role(&mut tx, workspace, member).await?;
        if current == Role::Owner && !leaving && !actor_role.allows(Permission::ManageOwners) {
            tx.rollback().await?;
            return Err(AccountError::Forbidden);
        }
        if current == Role::Owner && owners == [member.0] {
            tx.rollback().await?;
            return Err(AccountError::LastOwner);
        }
        store::delete_membership(&mut tx, workspace, member, self.now()).await?;
        tx.commit().await?;
        self.audit(
            AuditEvent {
                actor: Some(actor.id),
                workspace: Some(workspace),
                subject: Some(&format!("user {member}")),
                detail: current.as_str(),
                ..AuditEvent::new(
                    if leaving {
                        "member.leave"
                    } else {
                        "member.remove"
                    },
                    "success",
                )
            },
            meta,
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

/// The workspace's owners, locked so a concurrent change cannot leave it
/// without one, and `member`'s role in it (`NotFound` when not a member).
async fn owners_and_role(
    tx: &mut Tx,
    workspace: WorkspaceId,
    member: UserId,
) -> Result<(Vec<i64>, Role), AccountError> {
    let owners = store::owners_for_update(tx, workspace).await?;
    let current = store::role_in_tx(tx, workspace, member)
        .await?
        .and_then(|r| Role::parse(&r))
        .ok_or(AccountError::NotFound)?;
    Ok((owners, current))
}
