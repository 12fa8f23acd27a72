//! Approvals: who must have a post approved before it goes out, and how a
//! post's review moves. Pure rules; the service applies them with the
//! post, the workspace's policy and the caller's proof in hand.
//!
//! A post's review is `none` → `in_review` → `approved` or
//! `changes_requested` (→ `in_review` again when resubmitted). A post that
//! needs approval goes out only once approved: its targets stay drafts
//! while it waits, and the time it was given waits on the post. When that
//! time comes and it still waits, it is held (it does not go out) and the
//! author and approvers are told; approving it later sends it at once.

use serde::{Deserialize, Serialize};

use herald_accounts::{Authorized, Permission};
use herald_core::{ConnectionId, UserId};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize,
            strum::IntoStaticStr, strum::EnumString,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* #[strum(serialize = $text)] $variant),* }
    };
}

text_enum! {
    /// Who needs approval before their posts go out.
    ApprovalMode {
        /// Nobody (contributors, who may not publish, can still ask).
        None = "none",
        /// Members whose role may not publish (contributors).
        Contributors = "contributors",
        /// Everyone, approvers included (another approver approves).
        Everyone = "everyone",
    }
}

text_enum! {
    /// Where a post's review stands.
    ReviewState {
        /// Never submitted, or withdrawn.
        None = "none",
        InReview = "in_review",
        ChangesRequested = "changes_requested",
        Approved = "approved",
    }
}

text_enum! {
    /// One step of a post's review history.
    ReviewAction {
        Submitted = "submitted",
        Approved = "approved",
        ChangesRequested = "changes_requested",
        /// An edit took the approval back.
        Reopened = "reopened",
        /// Its time came while it still waited.
        Held = "held",
        /// Saved as a draft again while in review.
        Withdrawn = "withdrawn",
    }
}

impl ReviewState {
    /// Whether the post waits for an approver.
    pub fn is_waiting(self) -> bool {
        matches!(self, ReviewState::InReview | ReviewState::ChangesRequested)
    }
}

/// A workspace's approval policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    pub mode: ApprovalMode,
    /// An edit by someone who may not approve the post sends an approved
    /// post back to review.
    pub reapprove_on_edit: bool,
    /// Accounts whose posts need approval from everyone, whatever the mode.
    #[serde(default)]
    pub accounts: Vec<ConnectionId>,
    /// Members who may approve besides owners, admins and editors.
    #[serde(default)]
    pub approvers: Vec<UserId>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            mode: ApprovalMode::None,
            reapprove_on_edit: true,
            accounts: Vec::new(),
            approvers: Vec::new(),
        }
    }
}

/// The caller as the rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Their role (and token) may publish.
    pub may_publish: bool,
    /// Their role (and token) may approve, or the policy names them.
    pub approver: bool,
    /// They wrote the post.
    pub author: bool,
}

impl Actor {
    /// Whether they may decide on this post: an approver who did not
    /// write it (nobody approves their own post).
    pub fn may_decide(self) -> bool {
        self.approver && !self.author
    }
}

/// What a save asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Keep it as a draft.
    Draft,
    /// Ask for approval (with the time it should go out, if any).
    Submit,
    /// Schedule it or publish it now.
    GoOut,
}

/// What a save does to the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The review after the save.
    pub review: ReviewState,
    /// Whether its targets are scheduled now (else they stay drafts and
    /// the time waits on the post).
    pub schedule: bool,
    /// The history entry the save adds, if any.
    pub action: Option<ReviewAction>,
}

/// Why a save or a decision is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The post needs approval first: submit it.
    ApprovalRequired,
    /// The caller may not do this (not an approver, or their own post).
    NotAllowed,
    /// Nobody approves their own post.
    OwnPost,
    /// The post does not wait for a decision.
    NotInReview,
}

impl ApprovalPolicy {
    /// Whether the member holding `auth` may approve posts: their role
    /// (and token) allows it, or the policy names them.
    /// A named member acting through a token needs its `posts:approve`
    /// scope, like anyone else.
    pub fn is_approver(&self, auth: &Authorized) -> bool {
        let token_may = auth
            .via()
            .is_none_or(|g| g.scopes.contains(herald_accounts::Scope::PostsApprove));
        auth.allows(Permission::Approve) || (self.approvers.contains(&auth.user()) && token_may)
    }

    /// Whether a post to `accounts` by `actor` needs approval.
    pub fn needs_approval<'a>(
        &self,
        actor: Actor,
        mut accounts: impl Iterator<Item = &'a ConnectionId>,
    ) -> bool {
        !actor.may_publish
            || self.mode == ApprovalMode::Everyone
            || accounts.any(|a| self.accounts.contains(a))
    }

    /// What saving a post in review state `current` with `intent` does,
    /// when the post `needs` approval (see [`Self::needs_approval`]).
    pub fn on_save(
        &self,
        actor: Actor,
        current: ReviewState,
        intent: Intent,
        needs: bool,
    ) -> Result<Saved, Refusal> {
        let keep = |review| Saved {
            review,
            schedule: false,
            action: None,
        };
        match intent {
            Intent::Draft => Ok(match current {
                ReviewState::InReview => Saved {
                    action: Some(ReviewAction::Withdrawn),
                    ..keep(ReviewState::None)
                },
                // What was asked stays on it until it is resubmitted.
                ReviewState::ChangesRequested => keep(ReviewState::ChangesRequested),
                ReviewState::Approved | ReviewState::None => keep(ReviewState::None),
            }),
            Intent::Submit => Ok(Saved {
                action: (current != ReviewState::InReview).then_some(ReviewAction::Submitted),
                ..keep(ReviewState::InReview)
            }),
            Intent::GoOut => {
                if current == ReviewState::Approved {
                    if !actor.may_publish && !actor.author {
                        return Err(Refusal::NotAllowed);
                    }
                    // An edit of an approved post: kept when the editor may
                    // decide on it, or edits do not take approval back.
                    if actor.may_decide() || !self.reapprove_on_edit {
                        return Ok(Saved {
                            review: ReviewState::Approved,
                            schedule: true,
                            action: None,
                        });
                    }
                    // Asked for without being needed: the edit ends it.
                    if !needs {
                        return Ok(Saved {
                            review: ReviewState::None,
                            schedule: true,
                            action: None,
                        });
                    }
                    return Ok(Saved {
                        action: Some(ReviewAction::Reopened),
                        ..keep(ReviewState::InReview)
                    });
                }
                // Without the right to publish, one submits instead.
                if !actor.may_publish {
                    return Err(Refusal::NotAllowed);
                }
                if needs {
                    return Err(Refusal::ApprovalRequired);
                }
                Ok(Saved {
                    review: ReviewState::None,
                    schedule: true,
                    action: None,
                })
            }
        }
    }

    /// Whether `actor` may approve or request changes on a post whose
    /// review is `current`.
    pub fn may_decide(actor: Actor, current: ReviewState) -> Result<(), Refusal> {
        if !actor.approver {
            return Err(Refusal::NotAllowed);
        }
        if actor.author {
            return Err(Refusal::OwnPost);
        }
        if !current.is_waiting() {
            return Err(Refusal::NotInReview);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::Named;

    const CONTRIBUTOR: Actor = Actor {
        may_publish: false,
        approver: false,
        author: true,
    };
    const EDITOR_OWN: Actor = Actor {
        may_publish: true,
        approver: true,
        author: true,
    };
    const EDITOR_OTHERS: Actor = Actor {
        may_publish: true,
        approver: true,
        author: false,
    };

    fn policy(mode: ApprovalMode) -> ApprovalPolicy {
        ApprovalPolicy {
            mode,
            ..ApprovalPolicy::default()
        }
    }

    #[test]
    fn who_needs_approval() {
        let page = ConnectionId::from("page");
        let other = ConnectionId::from("other");
        let none = policy(ApprovalMode::None);
        // Contributors always ask: they may not publish.
        assert!(none.needs_approval(CONTRIBUTOR, [&other].into_iter()));
        assert!(!none.needs_approval(EDITOR_OWN, [&other].into_iter()));
        assert!(
            !policy(ApprovalMode::Contributors).needs_approval(EDITOR_OWN, [&other].into_iter())
        );
        assert!(policy(ApprovalMode::Everyone).needs_approval(EDITOR_OWN, [&other].into_iter()));
        // A listed account needs approval from everyone.
        let listed = ApprovalPolicy {
            accounts: vec![page.clone()],
            ..none
        };
        assert!(listed.needs_approval(EDITOR_OWN, [&other, &page].into_iter()));
        assert!(!listed.needs_approval(EDITOR_OWN, [&other].into_iter()));
    }

    #[test]
    fn a_post_that_needs_approval_goes_out_only_once_approved() {
        let p = policy(ApprovalMode::Everyone);
        for state in [
            ReviewState::None,
            ReviewState::InReview,
            ReviewState::ChangesRequested,
        ] {
            assert_eq!(
                p.on_save(EDITOR_OWN, state, Intent::GoOut, true),
                Err(Refusal::ApprovalRequired)
            );
            assert_eq!(
                p.on_save(CONTRIBUTOR, state, Intent::GoOut, true),
                Err(Refusal::NotAllowed)
            );
        }
        // Without the need, an editor schedules directly.
        assert_eq!(
            p.on_save(EDITOR_OWN, ReviewState::None, Intent::GoOut, false),
            Ok(Saved {
                review: ReviewState::None,
                schedule: true,
                action: None
            })
        );
    }

    #[test]
    fn submitting_and_withdrawing() {
        let p = policy(ApprovalMode::Contributors);
        let submitted = p
            .on_save(CONTRIBUTOR, ReviewState::None, Intent::Submit, true)
            .unwrap();
        assert_eq!(submitted.review, ReviewState::InReview);
        assert!(!submitted.schedule);
        assert_eq!(submitted.action, Some(ReviewAction::Submitted));
        // Editing while in review keeps it there without a new entry.
        let again = p
            .on_save(CONTRIBUTOR, ReviewState::InReview, Intent::Submit, true)
            .unwrap();
        assert_eq!((again.review, again.action), (ReviewState::InReview, None));
        // Saving it as a draft withdraws it; asked-for changes stay asked.
        let withdrawn = p
            .on_save(CONTRIBUTOR, ReviewState::InReview, Intent::Draft, true)
            .unwrap();
        assert_eq!(
            (withdrawn.review, withdrawn.action),
            (ReviewState::None, Some(ReviewAction::Withdrawn))
        );
        let asked = p
            .on_save(
                CONTRIBUTOR,
                ReviewState::ChangesRequested,
                Intent::Draft,
                true,
            )
            .unwrap();
        assert_eq!(asked.review, ReviewState::ChangesRequested);
    }

    #[test]
    fn editing_an_approved_post() {
        let p = policy(ApprovalMode::Contributors);
        // The author's own edit takes approval back when it is needed.
        for actor in [CONTRIBUTOR, EDITOR_OWN] {
            let saved = p
                .on_save(actor, ReviewState::Approved, Intent::GoOut, true)
                .unwrap();
            assert_eq!(
                (saved.review, saved.schedule, saved.action),
                (ReviewState::InReview, false, Some(ReviewAction::Reopened))
            );
        }
        // Asked for without being needed, the author's edit just ends it.
        let unneeded = p
            .on_save(EDITOR_OWN, ReviewState::Approved, Intent::GoOut, false)
            .unwrap();
        assert_eq!(
            (unneeded.review, unneeded.schedule),
            (ReviewState::None, true)
        );
        // Another approver's edit counts as their approval.
        let by_approver = p
            .on_save(EDITOR_OTHERS, ReviewState::Approved, Intent::GoOut, true)
            .unwrap();
        assert_eq!(
            (by_approver.review, by_approver.schedule),
            (ReviewState::Approved, true)
        );
        // Configured not to: edits keep the approval.
        let lenient = ApprovalPolicy {
            reapprove_on_edit: false,
            ..p
        };
        let kept = lenient
            .on_save(CONTRIBUTOR, ReviewState::Approved, Intent::GoOut, true)
            .unwrap();
        assert_eq!((kept.review, kept.schedule), (ReviewState::Approved, true));
        // A contributor never changes someone else's approved post.
        let stranger = Actor {
            author: false,
            ..CONTRIBUTOR
        };
        assert_eq!(
            lenient.on_save(stranger, ReviewState::Approved, Intent::GoOut, true),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn deciding() {
        assert_eq!(
            ApprovalPolicy::may_decide(EDITOR_OTHERS, ReviewState::InReview),
            Ok(())
        );
        assert_eq!(
            ApprovalPolicy::may_decide(EDITOR_OTHERS, ReviewState::ChangesRequested),
            Ok(())
        );
        assert_eq!(
            ApprovalPolicy::may_decide(EDITOR_OWN, ReviewState::InReview),
            Err(Refusal::OwnPost)
        );
        assert_eq!(
            ApprovalPolicy::may_decide(CONTRIBUTOR, ReviewState::InReview),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            ApprovalPolicy::may_decide(EDITOR_OTHERS, ReviewState::Approved),
            Err(Refusal::NotInReview)
        );
        assert_eq!(
            ApprovalPolicy::may_decide(EDITOR_OTHERS, ReviewState::None),
            Err(Refusal::NotInReview)
        );
    }

    #[test]
    fn names_round_trip() {
        for s in ["none", "in_review", "changes_requested", "approved"] {
            assert_eq!(ReviewState::parse(s).unwrap().as_str(), s);
        }
        for s in ["none", "contributors", "everyone"] {
            assert_eq!(ApprovalMode::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(ReviewAction::parse("held"), Some(ReviewAction::Held));
    }
}
