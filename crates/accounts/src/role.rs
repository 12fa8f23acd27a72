//! Roles in a workspace and what each may do. Every endpoint asks
//! [`Role::allows`] through the accounts service; nothing checks role names
//! by hand.

use herald_core::Named;
use std::fmt;
use std::sync::Arc;

use herald_core::{UserId, WorkspaceId};

use crate::scope::TokenGrant;

/// A member's role, from most to least powerful.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Contributor,
    Viewer,
}

/// Something a member may be allowed to do in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See the workspace, its posts and its analytics.
    View,
    /// Write drafts and submit them for approval.
    Draft,
    /// Edit anyone's content, schedule and publish.
    Publish,
    /// Approve or request changes.
    Approve,
    /// Connect and remove platform accounts.
    ManageConnections,
    /// Invite and remove members, change roles (not owners').
    ManageMembers,
    /// Read the audit log.
    ViewAudit,
    /// See incoming webhook deliveries and replay them; register outbound
    /// webhook endpoints.
    ManageWebhooks,
    /// Make or remove owners, rename or delete the workspace.
    ManageOwners,
    /// Work the engagement inbox: assign items, write notes, mark them
    /// done. Every role that drafts has it.
    Triage,
    /// Answer, hide or delete what people wrote, in the account's name
    /// (it speaks for the brand). Every role that publishes has it.
    Engage,
    /// Set the workspace's AI generation quotas and see each member's
    /// spending. Owners and admins.
    SetQuotas,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::View,
        Permission::Draft,
        Permission::Publish,
        Permission::Approve,
        Permission::ManageConnections,
        Permission::ManageMembers,
        Permission::ViewAudit,
        Permission::ManageWebhooks,
        Permission::ManageOwners,
        Permission::Triage,
        Permission::Engage,
        Permission::SetQuotas,
    ];
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Editor,
        Role::Contributor,
        Role::Viewer,
    ];

    /// Deny by default: only what is listed here is allowed.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Admin => !matches!(permission, ManageOwners),
            Role::Editor => {
                matches!(
                    permission,
                    View | Draft | Publish | Approve | Triage | Engage
                )
            }
            Role::Contributor => matches!(permission, View | Draft | Triage),
            Role::Viewer => matches!(permission, View),
        }
    }
}

/// Proof that a person is a member of a workspace, with their role there.
///
/// Only [`crate::Accounts::require`] (a session or a device token: the
/// person's full role) and [`crate::Accounts::require_token`] (a scoped
/// token: the role *and* the token's scopes) make one (the fields are
/// private), after reading the membership; every workspace-scoped service
/// method takes one, so no service can be called for a workspace
/// unchecked. The method then asks [`Authorized::require`] for the
/// permission it needs: a stranger never gets this far (404), a member
/// whose role does not allow the action gets `Forbidden` (403), a token
/// whose scopes do not imply it `InsufficientScope` (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    user: UserId,
    workspace: WorkspaceId,
    role: Role,
    grant: Option<Arc<TokenGrant>>,
}

impl Authorized {
    pub(crate) fn new(user: UserId, workspace: WorkspaceId, role: Role) -> Authorized {
        Authorized {
            user,
            workspace,
            role,
            grant: None,
        }
    }

    /// The proof of a request made with `grant` by its maker, whose role
    /// in the token's workspace is `role`.
    pub(crate) fn through(grant: Arc<TokenGrant>, role: Role) -> Authorized {
        Authorized {
            user: grant.user,
            workspace: grant.workspace,
            role,
            grant: Some(grant),
        }
    }

    /// Who is acting (for a token: its maker, on whose behalf it acts).
    pub fn user(&self) -> UserId {
        self.user
    }

    /// Where they act.
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    /// Their role there. Whether they may do something is
    /// [`Authorized::allows`], which also asks a token's scopes.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The token the request came with, if it came with a scoped token
    /// (`None`: a browser session or a device's token, with the person's
    /// whole role).
    pub fn via(&self) -> Option<&TokenGrant> {
        self.grant.as_deref()
    }

    /// How the audit log records [`Authorized::via`]: `assistant:12:Claude`.
    pub fn via_label(&self) -> Option<String> {
        self.via().map(TokenGrant::audit_label)
    }

    /// Whether they may do `permission`: their role allows it and, through
    /// a token, one of its scopes implies it.
    pub fn allows(&self, permission: Permission) -> bool {
        self.role.allows(permission)
            && self
                .grant
                .as_ref()
                .is_none_or(|g| g.scopes.implies(permission))
    }

    /// `Forbidden` unless their role allows `permission`;
    /// `InsufficientScope` when it does but the token's scopes do not.
    pub fn require(&self, permission: Permission) -> Result<(), crate::AccountError> {
        if !self.role.allows(permission) {
            Err(crate::AccountError::Forbidden)
        } else if !self.allows(permission) {
            Err(crate::AccountError::InsufficientScope(permission))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_names_are_refused() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn a_proof_allows_what_its_role_allows() {
        let proof = Authorized::new(UserId(1), WorkspaceId(2), Role::Editor);
        assert_eq!(
            (proof.user(), proof.workspace()),
            (UserId(1), WorkspaceId(2))
        );
        assert!(proof.require(Permission::Publish).is_ok());
        assert!(matches!(
            proof.require(Permission::ManageMembers),
            Err(crate::AccountError::Forbidden)
        ));
    }

    #[test]
    fn a_token_proof_allows_what_its_role_and_its_scopes_both_allow() {
        use crate::scope::{Scope, Scopes, TokenKind};
        let grant = |scopes: &[Scope]| {
            Arc::new(TokenGrant {
                id: herald_core::TokenId(7),
                name: "Claude".into(),
                kind: TokenKind::Assistant,
                scopes: Scopes::of(scopes),
                workspace: WorkspaceId(2),
                user: UserId(1),
            })
        };
        let editor = Authorized::through(grant(&[Scope::DraftsWrite]), Role::Editor);
        assert_eq!(editor.via().map(|g| g.id), Some(herald_core::TokenId(7)));
        assert_eq!(editor.via_label().as_deref(), Some("assistant:7:Claude"));
        assert!(editor.allows(Permission::Draft) && !editor.allows(Permission::Publish));
        assert!(matches!(
            editor.require(Permission::Publish),
            Err(crate::AccountError::InsufficientScope(Permission::Publish))
        ));
        // The role still bounds it: a viewer's posts:write token cannot draft.
        let viewer = Authorized::through(grant(&[Scope::PostsWrite]), Role::Viewer);
        assert!(viewer.allows(Permission::View) && !viewer.allows(Permission::Draft));
        assert!(matches!(
            viewer.require(Permission::Draft),
            Err(crate::AccountError::Forbidden)
        ));
        // Even an owner's token with every scope manages no members.
        let owner = Authorized::through(grant(&Scope::ALL), Role::Owner);
        assert!(!owner.allows(Permission::ManageMembers));
        assert!(
            Authorized::new(UserId(1), WorkspaceId(2), Role::Owner)
                .via()
                .is_none()
        );
    }

    #[test]
    fn each_role_may_do_what_it_is_for_and_no_more() {
        use Permission::*;
        assert!(Role::Owner.allows(ManageOwners));
        assert!(!Role::Admin.allows(ManageOwners));
        assert!(Role::Admin.allows(ManageMembers) && Role::Admin.allows(ViewAudit));
        assert!(Role::Admin.allows(ManageWebhooks) && !Role::Editor.allows(ManageWebhooks));
        assert!(Role::Editor.allows(Publish) && !Role::Editor.allows(ManageMembers));
        assert!(Role::Contributor.allows(Draft) && !Role::Contributor.allows(Publish));
        // The inbox follows drafting (triage) and publishing (answers).
        for role in Role::ALL {
            assert_eq!(role.allows(Triage), role.allows(Draft), "{role}");
            assert_eq!(role.allows(Engage), role.allows(Publish), "{role}");
        }
        assert!(Role::Viewer.allows(View));
        for p in [
            Draft,
            Publish,
            Approve,
            ManageConnections,
            ManageMembers,
            ViewAudit,
            ManageWebhooks,
            ManageOwners,
            Triage,
            Engage,
        ] {
            assert!(!Role::Viewer.allows(p), "{p:?}");
        }
    }
}
