//! Roles in a workspace and what each may do. Every endpoint asks
//! [`Role::allows`] through the accounts service; nothing checks role names
//! by hand.

use herald_core::Named;
use std::fmt;

use herald_core::{UserId, WorkspaceId};

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
            Role::Editor => matches!(permission, View | Draft | Publish | Approve),
            Role::Contributor => matches!(permission, View | Draft),
            Role::Viewer => matches!(permission, View),
        }
    }
}

/// Proof that a person is a member of a workspace, with their role there.
///
/// Only [`crate::Accounts::require`] makes one (the fields are private),
/// after reading the membership; every workspace-scoped service method
/// takes one, so no service can be called for a workspace unchecked. The
/// method then asks [`Authorized::require`] for the permission it needs:
/// a stranger never gets this far (404), a member whose role does not
/// allow the action gets `Forbidden` (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    user: UserId,
    workspace: WorkspaceId,
    role: Role,
}

impl Authorized {
    pub(crate) fn new(user: UserId, workspace: WorkspaceId, role: Role) -> Authorized {
        Authorized {
            user,
            workspace,
            role,
        }
    }

    /// Who is acting.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// Where they act.
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    /// Their role there.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether their role allows `permission` (for showing an action).
    pub fn allows(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// `Forbidden` unless their role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), crate::AccountError> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(crate::AccountError::Forbidden)
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
    fn each_role_may_do_what_it_is_for_and_no_more() {
        use Permission::*;
        assert!(Role::Owner.allows(ManageOwners));
        assert!(!Role::Admin.allows(ManageOwners));
        assert!(Role::Admin.allows(ManageMembers) && Role::Admin.allows(ViewAudit));
        assert!(Role::Admin.allows(ManageWebhooks) && !Role::Editor.allows(ManageWebhooks));
        assert!(Role::Editor.allows(Publish) && !Role::Editor.allows(ManageMembers));
        assert!(Role::Contributor.allows(Draft) && !Role::Contributor.allows(Publish));
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
        ] {
            assert!(!Role::Viewer.allows(p), "{p:?}");
        }
    }
}
