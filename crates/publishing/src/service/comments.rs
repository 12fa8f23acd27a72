//! Comments on posts: threads per post (a reply joins its parent's
//! thread), optionally about one account's variant, with `@member`
//! mentions that tell the people mentioned.

use herald_accounts::shared::{member_cards, record_member_event};
use herald_accounts::{AccountError, Authorized, Permission};
use herald_core::{PostId, TargetId, Timestamp};
use serde::Serialize;

use super::Publishing;
use super::approval::MAX_COMMENT_CHARS;
use crate::PublishError;
use crate::mention::{Mentionable, mentioned};
use crate::ports::PostNewsKind;
use crate::store::{self, NewComment};

/// One comment, as the post page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: i64,
    /// The thread's first comment (none: it starts a thread).
    pub parent_id: Option<i64>,
    /// The account variant it is about, if one.
    pub target_id: Option<TargetId>,
    pub author_id: Option<i64>,
    /// The member's name, or what an outside reviewer typed.
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: Timestamp,
}

/// A thread: its first comment and the replies, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Thread {
    pub comment: CommentView,
    pub replies: Vec<CommentView>,
}

/// What a member writes.
#[derive(Debug, Clone, Default)]
pub struct NewCommentInput {
    pub body: String,
    /// The comment it answers (its thread is joined).
    pub reply_to: Option<i64>,
    /// The account variant it is about.
    pub target: Option<TargetId>,
}

impl Publishing {
    /// Comments on a post as threads, oldest first.
    pub async fn comments(
        &self,
        auth: &Authorized,
        post_id: &PostId,
    ) -> Result<Vec<Thread>, PublishError> {
        let post = self.get(auth, post_id).await?;
        self.threads_of(auth.workspace(), &post.id).await
    }

    pub(crate) async fn threads_of(
        &self,
        workspace: herald_core::WorkspaceId,
        post: &PostId,
    ) -> Result<Vec<Thread>, PublishError> {
        let rows = store::comments(&self.inner.db, post).await?;
        let members = member_cards(&self.inner.db, workspace).await?;
        let mut threads: Vec<Thread> = Vec::new();
        for r in rows {
            let view = CommentView {
                id: r.id,
                parent_id: r.parent_id,
                target_id: r.target_id,
                author_id: r.author_id.map(|u| u.0),
                author_name: r.author_name.or_else(|| {
                    r.author_id
                        .and_then(|id| members.iter().find(|m| m.id == id))
                        .map(|m| m.name.clone())
                }),
                body: r.body,
                created_at: r.created_at.0,
            };
            match view.parent_id {
                Some(parent) => {
                    if let Some(thread) = threads.iter_mut().find(|t| t.comment.id == parent) {
                        thread.replies.push(view);
                    }
                }
                None => threads.push(Thread {
                    comment: view,
                    replies: Vec::new(),
                }),
            }
        }
        Ok(threads)
    }

    /// Adds a comment (members who may draft, and approvers); the members
    /// it mentions are told.
    pub async fn comment(
        &self,
        auth: &Authorized,
        post_id: &PostId,
        input: NewCommentInput,
    ) -> Result<CommentView, PublishError> {
        let policy = self.policy(auth.workspace()).await?;
        if !auth.allows(Permission::Draft) && !policy.is_approver(auth) {
            return Err(PublishError::Account(AccountError::Forbidden));
        }
        let body = input.body.trim();
        if body.is_empty() {
            return Err(PublishError::CommentRequired);
        }
        if body.chars().count() > MAX_COMMENT_CHARS {
            return Err(PublishError::CommentTooLong);
        }
        let post = self.get(auth, post_id).await?;
        if let Some(target) = &input.target
            && !post.targets.iter().any(|t| &t.id == target)
        {
            return Err(PublishError::NotFound);
        }
        let now = self.now();
        let members = member_cards(&self.inner.db, auth.workspace()).await?;
        let mut tx = self.inner.db.begin().await?;
        let parent = match input.reply_to {
            Some(id) => Some(
                store::comment_root(&mut tx, &post.id, id)
                    .await?
                    .ok_or(PublishError::CommentNotFound)?,
            ),
            None => None,
        };
        let id = store::insert_comment(
            &mut tx,
            &NewComment {
                post: &post.id,
                workspace: auth.workspace(),
                parent,
                target: input.target.as_ref(),
                author: Some(auth.user()),
                author_name: None,
                body,
                at: now,
            },
        )
        .await?;
        record_member_event(
            &mut tx,
            now,
            auth,
            "post.commented",
            post.id.as_str(),
            &format!("comment={id}"),
        )
        .await?;
        let people: Vec<Mentionable<'_>> = members
            .iter()
            .map(|m| Mentionable {
                id: m.id,
                email: &m.email,
                name: &m.name,
            })
            .collect();
        let to: Vec<_> = mentioned(body, &people)
            .into_iter()
            .filter(|u| *u != auth.user())
            .collect();
        let by = members
            .iter()
            .find(|m| m.id == auth.user())
            .map(|m| m.name.clone());
        self.tell(
            &mut tx,
            auth.workspace(),
            &to,
            PostNewsKind::Mentioned,
            &post.id,
            by.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(CommentView {
            id,
            parent_id: parent,
            target_id: input.target,
            author_id: Some(auth.user().0),
            author_name: by,
            body: body.to_owned(),
            created_at: now,
        })
    }
}
