//! Roles in a workspace and what each may do. Every endpoint asks
//! [`Role::allows`] through the accounts service; nothing checks role names
//! by hand.

use std::fmt;

/// A member's role, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Contributor => "contributor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

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
