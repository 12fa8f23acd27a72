//! Approvals: the workspace's policy, submitting, approving, asking for
//! changes, and holding what is still waiting when its time comes. The
//! rules are [`crate::review`]'s; this applies them, stores the history,
//! audits every step and tells the people concerned.

use herald_accounts::shared::{MemberCard, member_cards, record_member_event, record_system_event};
use herald_accounts::{AccountError, Authorized, Permission};
use herald_core::{Named, PostId, Timestamp, UserId, WorkspaceId};
use herald_db::Tx;
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob};
use serde::{Deserialize, Serialize};

use super::Publishing;
use crate::PublishError;
use crate::model::{PostInput, PostView, TargetInput, TargetStatus, When};
use crate::ports::{PostNews, PostNewsKind};
use crate::review::{Actor, ApprovalMode, ApprovalPolicy, Refusal, ReviewAction, ReviewState};
use crate::schedule::Schedule;
use crate::store::{self, NewReviewEntry};

/// Longest comment a decision or a post comment may carry.
pub const MAX_COMMENT_CHARS: usize = 5000;

/// The caller as the approval rules see them.
pub(super) fn actor(auth: &Authorized, policy: &ApprovalPolicy, author: bool) -> Actor {
    Actor {
        may_publish: auth.allows(Permission::Publish),
        approver: policy.is_approver(auth),
        author,
    }
}

/// A refused save: "not allowed" says why in the proof's own terms (a
/// role that may not publish is forbidden; a token without the scope
/// lacks the scope).
pub(super) fn refused_save(auth: &Authorized, refusal: Refusal) -> PublishError {
    match (refusal, auth.require(Permission::Publish)) {
        (Refusal::NotAllowed, Err(e)) => PublishError::Account(e),
        _ => refused(refusal),
    }
}

pub(super) fn refused(refusal: Refusal) -> PublishError {
    match refusal {
        Refusal::ApprovalRequired => PublishError::ApprovalRequired,
        Refusal::NotAllowed => PublishError::Account(AccountError::Forbidden),
        Refusal::OwnPost => PublishError::OwnPost,
        Refusal::NotInReview => PublishError::NotInReview,
    }
}

/// One step of a post's review, as the post page shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewEntry {
    pub action: ReviewAction,
    /// The member who took it (none for a hold, or an outside reviewer).
    pub actor_id: Option<i64>,
    /// Their name: the member's, or what an outside reviewer typed.
    pub actor_name: Option<String>,
    /// Taken through a client review link.
    pub via_link: bool,
    pub comment: String,
    pub at: Timestamp,
}

/// A decision on a post waiting for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    RequestChanges,
}

/// Who decides: a member, or an outside reviewer through a link.
pub(crate) enum Decider<'a> {
    Member(&'a Authorized),
    Guest {
        workspace: WorkspaceId,
        name: &'a str,
        link_id: &'a str,
    },
}

/// The job that holds a post still waiting for approval when its time
/// comes, and tells its author and approvers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HoldIfWaiting {
    pub post_id: PostId,
}

impl JobPayload for HoldIfWaiting {
    const KIND: &'static str = "publishing.review_due.v1";
}

/// Runs [`HoldIfWaiting`].
pub struct HoldHandler(pub Publishing);

#[async_trait::async_trait]
impl Handler<HoldIfWaiting> for HoldHandler {
    async fn run(&self, job: HoldIfWaiting, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .hold_if_waiting(&job.post_id)
            .await
            .map_err(|e| JobError::transient_from("could not hold a post", e))
    }
}

impl Publishing {
    /// The workspace's approval policy (no row: nobody needs approval).
    pub(super) async fn policy(
        &self,
        workspace: WorkspaceId,
    ) -> Result<ApprovalPolicy, PublishError> {
        let db = &self.inner.db;
        let Some(row) = store::policy(db, workspace).await? else {
            return Ok(ApprovalPolicy::default());
        };
        Ok(ApprovalPolicy {
            mode: ApprovalMode::parse(&row.mode).unwrap_or(ApprovalMode::None),
            reapprove_on_edit: row.reapprove_on_edit,
            accounts: store::policy_accounts(db, workspace).await?,
            approvers: store::policy_approvers(db, workspace).await?,
        })
    }

    /// The approval policy of the caller's workspace.
    pub async fn approval_policy(&self, auth: &Authorized) -> Result<ApprovalPolicy, PublishError> {
        auth.require(Permission::View)?;
        self.policy(auth.workspace()).await
    }

    /// Sets the approval policy (members who manage members may). Every
    /// account must be one of the workspace's, every named approver one of
    /// its members.
    pub async fn set_approval_policy(
        &self,
        auth: &Authorized,
        mut policy: ApprovalPolicy,
    ) -> Result<ApprovalPolicy, PublishError> {
        auth.require(Permission::ManageMembers)?;
        let connections = self.connections_of(auth).await?;
        policy.accounts.sort();
        policy.accounts.dedup();
        if let Some(unknown) = policy
            .accounts
            .iter()
            .find(|a| !connections.contains_key(*a))
        {
            return Err(PublishError::UnknownConnection(unknown.to_string()));
        }
        let members = member_cards(&self.inner.db, auth.workspace()).await?;
        policy.approvers.sort();
        policy.approvers.dedup();
        if policy
            .approvers
            .iter()
            .any(|u| !members.iter().any(|m| m.id == *u))
        {
            return Err(PublishError::UnknownMember);
        }
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        store::save_policy(&mut tx, auth.workspace(), &policy, auth.user(), now).await?;
        let detail = format!(
            "mode={} reapprove_on_edit={} accounts={} approvers={}",
            policy.mode.as_str(),
            policy.reapprove_on_edit,
            policy.accounts.len(),
            policy.approvers.len()
        );
        record_member_event(&mut tx, now, auth, "approval.policy_changed", "", &detail).await?;
        tx.commit().await?;
        Ok(policy)
    }

    /// Submits a post for approval, to go out at `schedule` (else at the
    /// time it has, else right when approved). Its content is checked as
    /// for publishing.
    pub async fn submit(
        &self,
        auth: &Authorized,
        post_id: &PostId,
        schedule: Option<Schedule>,
    ) -> Result<PostView, PublishError> {
        let view = self.get(auth, post_id).await?;
        let targets = view
            .targets
            .iter()
            .filter(|t| t.status != TargetStatus::Cancelled)
            .filter_map(|t| {
                t.connection_id.as_ref().map(|c| TargetInput {
                    connection_id: c.clone(),
                    variant: t.variant.clone(),
                })
            })
            .collect();
        let schedule = schedule.or(view.schedule);
        self.update(
            auth,
            post_id,
            PostInput {
                targets,
                when: When::Submit { schedule },
            },
        )
        .await
    }

    /// Approves a post waiting for approval: it is scheduled at its time,
    /// or sent at once when it has none or its time has passed.
    pub async fn approve(
        &self,
        auth: &Authorized,
        post_id: &PostId,
        comment: &str,
    ) -> Result<PostView, PublishError> {
        self.decide(Decider::Member(auth), post_id, Decision::Approve, comment)
            .await?;
        self.get(auth, post_id).await
    }

    /// Asks for changes on a post waiting for approval; `comment` says
    /// which (required).
    pub async fn request_changes(
        &self,
        auth: &Authorized,
        post_id: &PostId,
        comment: &str,
    ) -> Result<PostView, PublishError> {
        self.decide(
            Decider::Member(auth),
            post_id,
            Decision::RequestChanges,
            comment,
        )
        .await?;
        self.get(auth, post_id).await
    }

    /// Applies a decision by a member or an outside reviewer.
    pub(crate) async fn decide(
        &self,
        decider: Decider<'_>,
        post_id: &PostId,
        decision: Decision,
        comment: &str,
    ) -> Result<(), PublishError> {
        let comment = comment.trim();
        if decision == Decision::RequestChanges && comment.is_empty() {
            return Err(PublishError::CommentRequired);
        }
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(PublishError::CommentTooLong);
        }
        let workspace = match &decider {
            Decider::Member(auth) => {
                auth.require(Permission::View)?;
                auth.workspace()
            }
            Decider::Guest { workspace, .. } => *workspace,
        };
        let policy = self.policy(workspace).await?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let post = store::post_for_update(&mut tx, workspace, post_id)
            .await?
            .ok_or(PublishError::NotFound)?;
        let current = ReviewState::parse(&post.review).unwrap_or(ReviewState::None);
        match &decider {
            Decider::Member(auth) => {
                let who = actor(auth, &policy, post.created_by == Some(auth.user()));
                ApprovalPolicy::may_decide(who, current).map_err(refused)?;
            }
            Decider::Guest { .. } => {
                if !current.is_waiting() {
                    return Err(refused(Refusal::NotInReview));
                }
            }
        }
        let (review, action, subject_action) = match decision {
            Decision::Approve => (
                ReviewState::Approved,
                ReviewAction::Approved,
                "post.approved",
            ),
            Decision::RequestChanges => (
                ReviewState::ChangesRequested,
                ReviewAction::ChangesRequested,
                "post.changes_requested",
            ),
        };
        store::set_review(&mut tx, &post.id, review.as_str(), None, now).await?;
        let (actor_id, guest) = match &decider {
            Decider::Member(auth) => (Some(auth.user()), None),
            Decider::Guest { name, link_id, .. } => (None, Some((*name, *link_id))),
        };
        store::insert_review_entry(
            &mut tx,
            &NewReviewEntry {
                post: &post.id,
                workspace,
                action: action.as_str(),
                actor: actor_id,
                reviewer_name: guest.map(|g| g.0),
                link_id: guest.map(|g| g.1),
                comment,
                at: now,
            },
        )
        .await?;
        if decision == Decision::Approve {
            let at = post
                .scheduled_at
                .map(Timestamp::from)
                .map_or(now, |at| at.max(now));
            let targets = store::targets_of_in_tx(&mut tx, &post.id).await?;
            for t in targets
                .iter()
                .filter(|t| super::status_of(t) == TargetStatus::Draft)
            {
                self.schedule_in(&mut tx, &t.id, at).await?;
            }
            if post.scheduled_at.is_none() {
                store::update_post_schedule(&mut tx, &post.id, None, None, Some(at), now).await?;
            }
            self.refresh_status(&mut tx, &post.id).await?;
        }
        match &decider {
            Decider::Member(auth) => {
                record_member_event(&mut tx, now, auth, subject_action, post.id.as_str(), "")
                    .await?;
            }
            Decider::Guest { name, link_id, .. } => {
                record_system_event(
                    &mut tx,
                    now,
                    workspace,
                    subject_action,
                    post.id.as_str(),
                    &format!("review_link={link_id} reviewer={name}"),
                )
                .await?;
            }
        }
        let by = match &decider {
            Decider::Member(auth) => self.name_of(workspace, auth.user()).await?,
            Decider::Guest { name, .. } => Some((*name).to_owned()),
        };
        let to: Vec<UserId> = post
            .created_by
            .into_iter()
            .filter(|author| Some(*author) != actor_id)
            .collect();
        let kind = match decision {
            Decision::Approve => PostNewsKind::Approved,
            Decision::RequestChanges => PostNewsKind::ChangesRequested,
        };
        self.tell(&mut tx, workspace, &to, kind, &post.id, by.as_deref())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A post's review history, oldest first.
    pub async fn review_history(
        &self,
        auth: &Authorized,
        post_id: &PostId,
    ) -> Result<Vec<ReviewEntry>, PublishError> {
        let post = self.get(auth, post_id).await?;
        self.history_of(auth.workspace(), &post.id).await
    }

    pub(crate) async fn history_of(
        &self,
        workspace: WorkspaceId,
        post: &PostId,
    ) -> Result<Vec<ReviewEntry>, PublishError> {
        let rows = store::review_entries(&self.inner.db, post).await?;
        let members = member_cards(&self.inner.db, workspace).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let action = ReviewAction::parse(&r.action)?;
                let actor_name = match (&r.reviewer_name, r.actor_id) {
                    (Some(name), _) => Some(name.clone()),
                    (None, Some(id)) => members.iter().find(|m| m.id == id).map(|m| m.name.clone()),
                    (None, None) => None,
                };
                Some(ReviewEntry {
                    action,
                    actor_id: r.actor_id.map(|u| u.0),
                    actor_name,
                    via_link: r.link_id.is_some(),
                    comment: r.comment,
                    at: r.at.0,
                })
            })
            .collect())
    }

    /// Posts of the caller's workspace waiting for approval (or with
    /// changes asked for), soonest first.
    pub async fn awaiting_review(
        &self,
        auth: &Authorized,
        limit: i64,
    ) -> Result<Vec<PostView>, PublishError> {
        auth.require(Permission::View)?;
        let rows = store::posts_with_review(
            &self.inner.db,
            auth.workspace(),
            &[
                ReviewState::InReview.as_str(),
                ReviewState::ChangesRequested.as_str(),
            ],
            limit.clamp(1, 500),
        )
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(self.view(row).await?);
        }
        Ok(views)
    }

    /// What a member may do with `post`, under the workspace's policy.
    pub async fn actions(
        &self,
        auth: &Authorized,
        post: &PostView,
    ) -> Result<crate::PostActions, PublishError> {
        let policy = self.policy(auth.workspace()).await?;
        Ok(post.actions(auth, &policy))
    }

    /// Holds `post` if its time has come and it still waits: its author
    /// and approvers are told once.
    pub async fn hold_if_waiting(&self, post_id: &PostId) -> Result<(), PublishError> {
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let Some(post) = store::post_in_tx(&mut tx, post_id).await? else {
            return Ok(());
        };
        let review = ReviewState::parse(&post.review).unwrap_or(ReviewState::None);
        let due = post.scheduled_at.is_some_and(|at| at.0 <= now);
        if !review.is_waiting() || post.held_at.is_some() || !due {
            return Ok(());
        }
        store::set_review(&mut tx, &post.id, review.as_str(), Some(now), now).await?;
        store::insert_review_entry(
            &mut tx,
            &NewReviewEntry {
                post: &post.id,
                workspace: post.workspace_id,
                action: ReviewAction::Held.as_str(),
                actor: None,
                reviewer_name: None,
                link_id: None,
                comment: "",
                at: now,
            },
        )
        .await?;
        record_system_event(
            &mut tx,
            now,
            post.workspace_id,
            "post.held",
            post.id.as_str(),
            review.as_str(),
        )
        .await?;
        let policy = self.policy(post.workspace_id).await?;
        let members = member_cards(&self.inner.db, post.workspace_id).await?;
        let mut to = approvers(&members, &policy, None);
        if let Some(author) = post.created_by
            && !to.contains(&author)
        {
            to.push(author);
        }
        self.tell(
            &mut tx,
            post.workspace_id,
            &to,
            PostNewsKind::Held,
            &post.id,
            None,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(post = %post.id, "post held: its time came while it waited for approval");
        Ok(())
    }

    /// The history entry, audit event, hold timer and news of a save that
    /// moved the review (in the save's transaction).
    pub(super) async fn reviewed(
        &self,
        tx: &mut Tx,
        auth: &Authorized,
        post_id: &PostId,
        policy: &ApprovalPolicy,
        action: ReviewAction,
        at: Option<Timestamp>,
    ) -> Result<(), PublishError> {
        let now = self.now();
        store::insert_review_entry(
            tx,
            &NewReviewEntry {
                post: post_id,
                workspace: auth.workspace(),
                action: action.as_str(),
                actor: Some(auth.user()),
                reviewer_name: None,
                link_id: None,
                comment: "",
                at: now,
            },
        )
        .await?;
        let audit = match action {
            ReviewAction::Submitted => "post.submitted",
            ReviewAction::Reopened => "post.reopened",
            ReviewAction::Withdrawn => "post.withdrawn",
            ReviewAction::Approved => "post.approved",
            ReviewAction::ChangesRequested => "post.changes_requested",
            ReviewAction::Held => "post.held",
        };
        record_member_event(tx, now, auth, audit, post_id.as_str(), "").await?;
        if matches!(action, ReviewAction::Submitted | ReviewAction::Reopened) {
            if let Some(at) = at {
                let job = NewJob::of(&HoldIfWaiting {
                    post_id: post_id.clone(),
                })
                .map_err(|e| PublishError::Internal(e.to_string()))?
                .run_at(at);
                self.inner.queue.enqueue(tx, job).await?;
            }
            let members = member_cards(&self.inner.db, auth.workspace()).await?;
            let to = approvers(&members, policy, Some(auth.user()));
            let by = members
                .iter()
                .find(|m| m.id == auth.user())
                .map(|m| m.name.clone());
            self.tell(
                tx,
                auth.workspace(),
                &to,
                PostNewsKind::ReviewRequested,
                post_id,
                by.as_deref(),
            )
            .await?;
        }
        Ok(())
    }

    /// Tells `to` about `post` (nobody: nothing).
    pub(super) async fn tell(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        to: &[UserId],
        kind: PostNewsKind,
        post: &PostId,
        by: Option<&str>,
    ) -> Result<(), PublishError> {
        let at = self.now();
        if to.is_empty() {
            return Ok(());
        }
        let targets = store::targets_of_in_tx(tx, post).await?;
        let summary = summary_of(&targets);
        self.inner
            .notifier
            .tell(
                tx,
                &PostNews {
                    workspace,
                    to,
                    kind,
                    post,
                    summary: &summary,
                    by,
                    at,
                    failure: None,
                },
            )
            .await
            .map_err(PublishError::Internal)
    }

    async fn name_of(
        &self,
        workspace: WorkspaceId,
        user: UserId,
    ) -> Result<Option<String>, PublishError> {
        Ok(member_cards(&self.inner.db, workspace)
            .await?
            .into_iter()
            .find(|m| m.id == user)
            .map(|m| m.name))
    }
}

/// The members who may approve under `policy`, but `except`.
fn approvers(
    members: &[MemberCard],
    policy: &ApprovalPolicy,
    except: Option<UserId>,
) -> Vec<UserId> {
    members
        .iter()
        .filter(|m| m.role.allows(Permission::Approve) || policy.approvers.contains(&m.id))
        .map(|m| m.id)
        .filter(|id| Some(*id) != except)
        .collect()
}

/// The post's one-line summary (as [`crate::PostView::summary`]), its
/// first line shortened for a notice.
pub(crate) fn summary_of(targets: &[store::TargetRow]) -> String {
    let variants: Vec<crate::Variant> = targets
        .iter()
        .filter_map(|t| serde_json::from_str(&t.variant).ok())
        .collect();
    let line = crate::model::summary_of(variants.iter())
        .lines()
        .next()
        .unwrap_or("")
        .trim();
    if line.chars().count() > 80 {
        let cut: String = line.chars().take(79).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}
