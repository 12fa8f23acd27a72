//! What a scoped access token may do: its kind, its scopes and the
//! permissions they imply.
//!
//! A token (personal, app or assistant) belongs to one workspace and to the
//! member who made it. The proof a request gets through it ([`crate::Authorized`]
//! with a [`TokenGrant`]) allows a permission only when the member's role
//! allows it *and* one of the token's scopes implies it
//! ([`Scope::implies`]); the role is read at every request, so a token
//! never does more than its maker may do now. The web layer also names the
//! scope each API route needs ([`Scope::covers`]), because one permission
//! (`View`) reads posts, accounts and analytics alike.

use std::fmt;

use herald_core::{Named, TokenId, UserId, WorkspaceId};

use crate::role::Permission;

/// One thing a token may be allowed to do, written as `resource:action`.
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
pub enum Scope {
    /// See the workspace's connected accounts.
    #[strum(serialize = "accounts:read")]
    AccountsRead,
    /// See posts, their targets, receipts and the media library.
    #[strum(serialize = "posts:read")]
    PostsRead,
    /// Write drafts (and read posts).
    #[strum(serialize = "drafts:write")]
    DraftsWrite,
    /// Write, schedule, publish, cancel and delete posts.
    #[strum(serialize = "posts:write")]
    PostsWrite,
    /// Approve posts or request changes.
    #[strum(serialize = "posts:approve")]
    PostsApprove,
    /// Upload media (deleting it also needs `posts:write`).
    #[strum(serialize = "media:write")]
    MediaWrite,
    /// Read analytics.
    #[strum(serialize = "analytics:read")]
    AnalyticsRead,
    /// Read incoming webhook deliveries, manage outbound endpoints.
    #[strum(serialize = "webhooks:manage")]
    WebhooksManage,
    /// Read the engagement inbox: comments, mentions and messages.
    #[strum(serialize = "inbox:read")]
    InboxRead,
    /// Work the inbox: assign, write notes, mark done (and read it).
    #[strum(serialize = "inbox:write")]
    InboxWrite,
    /// Answer, hide and delete in the accounts' name (and read the inbox).
    #[strum(serialize = "inbox:reply")]
    InboxReply,
}

impl Scope {
    pub const ALL: [Scope; 11] = [
        Scope::AccountsRead,
        Scope::PostsRead,
        Scope::DraftsWrite,
        Scope::PostsWrite,
        Scope::PostsApprove,
        Scope::MediaWrite,
        Scope::AnalyticsRead,
        Scope::WebhooksManage,
        Scope::InboxRead,
        Scope::InboxWrite,
        Scope::InboxReply,
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// Whether holding this scope lets a token use `permission` (if the
    /// role allows it too). Deny by default: connections, members, the
    /// audit log and owners are never a token's business. The inbox has
    /// permissions of its own, so an inbox scope never publishes a post
    /// and a posts scope never answers a comment.
    pub fn implies(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Scope::AccountsRead | Scope::PostsRead | Scope::AnalyticsRead | Scope::InboxRead => {
                permission == View
            }
            Scope::InboxWrite => matches!(permission, View | Triage),
            Scope::InboxReply => matches!(permission, View | Engage),
            Scope::DraftsWrite | Scope::MediaWrite => matches!(permission, View | Draft),
            Scope::PostsWrite => matches!(permission, View | Draft | Publish),
            Scope::PostsApprove => matches!(permission, View | Approve),
            Scope::WebhooksManage => matches!(permission, View | ManageWebhooks),
        }
    }

    /// Whether a token holding this scope passes a route that asks for
    /// `needed`: the scope itself, or a wider one of the same resource
    /// (writing posts includes writing drafts; both include reading posts,
    /// as does approving).
    pub fn covers(self, needed: Scope) -> bool {
        use Scope::*;
        self == needed
            || matches!(
                (self, needed),
                (PostsWrite, DraftsWrite | PostsRead)
                    | (DraftsWrite, PostsRead)
                    | (PostsApprove, PostsRead)
                    | (InboxWrite | InboxReply, InboxRead)
            )
    }

    /// The narrowest scope that implies `permission`, for telling a client
    /// what it lacks; `None` where no scope does.
    pub fn granting(permission: Permission) -> Option<Scope> {
        use Permission::*;
        match permission {
            View => Some(Scope::PostsRead),
            Draft => Some(Scope::DraftsWrite),
            Publish => Some(Scope::PostsWrite),
            Approve => Some(Scope::PostsApprove),
            ManageWebhooks => Some(Scope::WebhooksManage),
            Triage => Some(Scope::InboxWrite),
            Engage => Some(Scope::InboxReply),
            ManageConnections | ManageMembers | ViewAudit | ManageOwners | SetQuotas => None,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes; written as their names separated by single spaces, in
/// [`Scope::ALL`] order (so a stored set reads the same however it was
/// asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scopes(u16);

/// Why a list of scope names was refused (the codes are error codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopesError {
    /// A name that is not a scope (`token_scope_unknown`).
    Unknown,
    /// The same scope twice (`token_scope_duplicate`).
    Duplicate,
}

impl ScopesError {
    pub fn code(self) -> &'static str {
        match self {
            ScopesError::Unknown => "token_scope_unknown",
            ScopesError::Duplicate => "token_scope_duplicate",
        }
    }
}

impl Scopes {
    /// What an assistant token gets when none are asked for: it may read,
    /// draft and upload, never publish or approve.
    pub const ASSISTANT_DEFAULT: Scopes = Scopes::of(&[
        Scope::AccountsRead,
        Scope::PostsRead,
        Scope::DraftsWrite,
        Scope::MediaWrite,
        Scope::AnalyticsRead,
    ]);

    pub const fn of(scopes: &[Scope]) -> Scopes {
        let mut bits = 0u16;
        let mut i = 0;
        while i < scopes.len() {
            bits |= 1 << (scopes[i] as u16);
            i += 1;
        }
        Scopes(bits)
    }

    /// Reads a list of names (as a client sends them): every name must be
    /// a scope, and none may come twice.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Scopes, ScopesError> {
        let mut set = Scopes::default();
        for name in names {
            let scope = Scope::parse(name.as_ref().trim()).ok_or(ScopesError::Unknown)?;
            if set.contains(scope) {
                return Err(ScopesError::Duplicate);
            }
            set.0 |= scope.bit();
        }
        Ok(set)
    }

    /// Reads the stored form (names separated by spaces); unknown names
    /// are dropped, so a scope removed from Herald is never granted.
    pub fn from_stored(text: &str) -> Scopes {
        let mut set = Scopes::default();
        for scope in text.split_whitespace().filter_map(Scope::parse) {
            set.0 |= scope.bit();
        }
        set
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The scopes' names, for showing and sending.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }

    /// Whether one of the scopes implies `permission`.
    pub fn implies(self, permission: Permission) -> bool {
        self.iter().any(|s| s.implies(permission))
    }

    /// Whether one of the scopes covers `needed` (see [`Scope::covers`]).
    pub fn covers(self, needed: Scope) -> bool {
        self.iter().any(|s| s.covers(needed))
    }

    /// Every permission the scopes imply, for checking them against a role.
    pub fn permissions(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.implies(*p))
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in self.iter() {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(scope.as_str())?;
            first = false;
        }
        Ok(())
    }
}

/// Who a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum TokenKind {
    /// A person's own scripts.
    Personal,
    /// An application acting for the workspace.
    App,
    /// An AI agent: drafts by default, never approves.
    Assistant,
}

impl TokenKind {
    pub const ALL: [TokenKind; 3] = [TokenKind::Personal, TokenKind::App, TokenKind::Assistant];

    /// The secret's first characters: secret scanners recognise Herald
    /// tokens (and their kind) by them.
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Personal => "hrld_pat_",
            TokenKind::App => "hrld_app_",
            TokenKind::Assistant => "hrld_ast_",
        }
    }

    /// Whether `secret` looks like a token of some kind (rather than a
    /// device's access token).
    pub fn recognises(secret: &str) -> bool {
        TokenKind::ALL
            .iter()
            .any(|k| secret.starts_with(k.prefix()))
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request authenticated by a token may do, and for whom: the
/// token's id, name, kind and scopes, its workspace and its maker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub id: TokenId,
    pub name: String,
    pub kind: TokenKind,
    pub scopes: Scopes,
    /// The only workspace the token acts in.
    pub workspace: WorkspaceId,
    /// Who made it: the member it acts for.
    pub user: UserId,
}

impl TokenGrant {
    /// How the audit log names the token: `assistant:12:Claude`.
    pub fn audit_label(&self) -> String {
        format!("{}:{}:{}", self.kind, self.id, self.name)
    }
}

/// The parts of an audit event's `via`: kind, token id and name.
pub fn parse_via(via: &str) -> Option<(TokenKind, TokenId, &str)> {
    let mut parts = via.splitn(3, ':');
    let kind = TokenKind::parse(parts.next()?)?;
    let id = parts.next()?.parse().ok()?;
    Some((kind, id, parts.next()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn scope_names_round_trip_and_unknown_names_are_refused() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        for bad in [
            "posts",
            "POSTS:READ",
            "posts:read ",
            "posts_read",
            "",
            "admin:*",
        ] {
            assert_eq!(Scope::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Scope::PostsApprove.as_str(), "posts:approve");
    }

    #[test]
    fn lists_of_names_refuse_unknown_and_repeated_scopes() {
        let set = Scopes::from_names(&["posts:read", " drafts:write"]).unwrap();
        assert_eq!(set.to_string(), "posts:read drafts:write");
        assert_eq!(
            Scopes::from_names(&["posts:read", "posts:fly"]),
            Err(ScopesError::Unknown)
        );
        assert_eq!(
            Scopes::from_names(&["posts:read", "posts:read"]),
            Err(ScopesError::Duplicate)
        );
        assert!(Scopes::from_names::<&str>(&[]).unwrap().is_empty());
        // Stored text reads back in canonical order; unknown names vanish.
        let stored = Scopes::from_stored("webhooks:manage retired:scope accounts:read");
        assert_eq!(stored.to_string(), "accounts:read webhooks:manage");
        assert_eq!(Scopes::from_stored(&set.to_string()), set);
    }

    #[test]
    fn each_scope_implies_exactly_its_permissions() {
        let expect: [(Scope, &[Permission]); 11] = [
            (Scope::AccountsRead, &[View]),
            (Scope::PostsRead, &[View]),
            (Scope::AnalyticsRead, &[View]),
            (Scope::DraftsWrite, &[View, Draft]),
            (Scope::MediaWrite, &[View, Draft]),
            (Scope::PostsWrite, &[View, Draft, Publish]),
            (Scope::PostsApprove, &[View, Approve]),
            (Scope::WebhooksManage, &[View, ManageWebhooks]),
            (Scope::InboxRead, &[View]),
            (Scope::InboxWrite, &[View, Triage]),
            (Scope::InboxReply, &[View, Engage]),
        ];
        for (scope, allowed) in expect {
            for p in Permission::ALL {
                assert_eq!(scope.implies(p), allowed.contains(&p), "{scope} {p:?}");
            }
        }
        // Nothing a token holds reaches connections, members, the audit
        // log or owners.
        let all = Scopes::of(&Scope::ALL);
        for p in [ManageConnections, ManageMembers, ViewAudit, ManageOwners] {
            assert!(!all.implies(p), "{p:?}");
            assert_eq!(Scope::granting(p), None);
        }
        for p in [
            View,
            Draft,
            Publish,
            Approve,
            ManageWebhooks,
            Triage,
            Engage,
        ] {
            assert!(Scope::granting(p).unwrap().implies(p), "{p:?}");
        }
    }

    #[test]
    fn wider_scopes_cover_narrower_ones_of_the_same_resource_only() {
        use Scope::*;
        assert!(PostsWrite.covers(DraftsWrite) && PostsWrite.covers(PostsRead));
        assert!(DraftsWrite.covers(PostsRead) && PostsApprove.covers(PostsRead));
        assert!(!DraftsWrite.covers(PostsWrite) && !PostsRead.covers(DraftsWrite));
        assert!(!PostsWrite.covers(MediaWrite) && !PostsWrite.covers(PostsApprove));
        assert!(!MediaWrite.covers(PostsRead) && !AccountsRead.covers(PostsRead));
        assert!(!WebhooksManage.covers(PostsRead) && !AnalyticsRead.covers(PostsRead));
        assert!(InboxWrite.covers(InboxRead) && InboxReply.covers(InboxRead));
        assert!(!InboxWrite.covers(InboxReply) && !InboxReply.covers(InboxWrite));
        assert!(!InboxReply.covers(PostsWrite) && !PostsWrite.covers(InboxReply));
        for s in Scope::ALL {
            assert!(s.covers(s));
        }
    }

    #[test]
    fn the_assistant_default_drafts_but_never_publishes_or_approves() {
        let d = Scopes::ASSISTANT_DEFAULT;
        assert_eq!(
            d.to_string(),
            "accounts:read posts:read drafts:write media:write analytics:read"
        );
        assert!(d.implies(Draft) && !d.implies(Publish) && !d.implies(Approve));
        assert_eq!(d.permissions().collect::<Vec<_>>(), vec![View, Draft]);
    }

    #[test]
    fn secrets_carry_their_kind_and_vias_read_back() {
        assert_eq!(TokenKind::Personal.prefix(), "hrld_pat_");
        assert!(TokenKind::recognises("hrld_ast_abc"));
        assert!(!TokenKind::recognises("abc"));
        let grant = TokenGrant {
            id: TokenId(12),
            name: "Claude: drafts".into(),
            kind: TokenKind::Assistant,
            scopes: Scopes::ASSISTANT_DEFAULT,
            workspace: WorkspaceId(1),
            user: UserId(2),
        };
        assert_eq!(grant.audit_label(), "assistant:12:Claude: drafts");
        assert_eq!(
            parse_via(&grant.audit_label()),
            Some((TokenKind::Assistant, TokenId(12), "Claude: drafts"))
        );
        assert_eq!(parse_via("robot:1:x"), None);
        assert_eq!(parse_via("app:x:y"), None);
    }
}

/// Property tests: whatever names a client sends, reading them never
/// panics, accepts only real scopes, and what it accepts reads back the
/// same from storage.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(Scope::ALL.to_vec()).prop_map(|s| s.as_str().to_owned()),
            "[a-z:_ ]{0,20}",
            ".{0,30}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn lists_of_names_read_or_refuse_without_panicking(names in proptest::collection::vec(name(), 0..12)) {
            match Scopes::from_names(&names) {
                Ok(set) => {
                    let real: Vec<&str> = names.iter().map(|n| n.trim()).collect();
                    prop_assert_eq!(set.iter().count(), real.len());
                    for n in &real {
                        prop_assert!(Scope::parse(n).is_some_and(|s| set.contains(s)));
                    }
                    prop_assert_eq!(Scopes::from_stored(&set.to_string()), set);
                    let back: Vec<&str> = set.names();
                    prop_assert_eq!(Scopes::from_names(&back), Ok(set));
                }
                Err(ScopesError::Unknown) => {
                    prop_assert!(names.iter().any(|n| Scope::parse(n.trim()).is_none()));
                }
                Err(ScopesError::Duplicate) => {
                    let mut seen = std::collections::HashSet::new();
                    prop_assert!(names.iter().any(|n| !seen.insert(n.trim().to_owned())));
                }
            }
        }

        #[test]
        fn stored_text_never_grants_more_than_it_names(text in ".{0,80}") {
            let set = Scopes::from_stored(&text);
            for scope in set.iter() {
                prop_assert!(text.split_whitespace().any(|w| w == scope.as_str()));
            }
        }
    }
}
