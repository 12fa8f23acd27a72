//! Client review links: an outside reviewer without an account opens a
//! link to some posts, sees each account's preview with its media, and
//! approves or asks for changes with a comment and their name.
//!
//! The link's token is 256 random bits, handed out once and stored only
//! as its SHA-256; it expires (1 to 30 days), can be revoked, and may
//! carry a password (Argon2id). It reaches nothing but its own posts: no
//! other post, no member, no workspace name. Every view and decision is
//! audited; the web layer rate-limits the pages.

use herald_accounts::shared::{
    hash_link_password, record_member_event, record_system_event, verify_link_password,
};
use herald_accounts::{Authorized, Permission, secret};
use herald_core::{Named, PostId, SignedDuration, Timestamp, WorkspaceId};
use herald_platforms::{AccountKind, MediaKind, ProviderId};
use serde::Serialize;

use super::Publishing;
use super::approval::{Decider, Decision, MAX_COMMENT_CHARS};
use crate::PublishError;
use crate::model::{TargetStatus, Variant};
use crate::review::{ReviewAction, ReviewState};
use crate::schedule::Schedule;
use crate::store::{self, NewReviewLink};

/// How long a link lives unless told otherwise.
pub const DEFAULT_LINK_DAYS: u32 = 7;
/// The longest a link may live.
pub const MAX_LINK_DAYS: u32 = 30;
/// Most posts one link shows.
pub const MAX_LINK_POSTS: usize = 50;
/// How long the media URLs a reviewer's page holds stay valid.
const GUEST_MEDIA_TTL: SignedDuration = SignedDuration::from_hours(2);
/// Longest name a reviewer may give.
const MAX_NAME_CHARS: usize = 100;

/// How a reviewer opens a link that has a password.
#[derive(Debug, Clone, Copy)]
pub enum LinkKey<'a> {
    /// Nothing (enough for a link without a password).
    None,
    /// The password, typed.
    Password(&'a str),
    /// The proof [`Publishing::unlock_review_link`] gave for it (kept in
    /// the reviewer's browser, so the password is checked once).
    Proof(&'a str),
}

/// The proof that a link's password was given: an HMAC of the link's id
/// under its password hash (secret, salted, only in the database), so it
/// needs no key of its own and dies with the link.
fn proof_of(link: &store::ReviewLinkRow) -> Option<String> {
    link.password_hash.as_ref().map(|h| {
        secret::sign(
            h.as_bytes(),
            &format!("herald review unlock v1:{}", link.id),
        )
    })
}

/// What an editor asks for.
#[derive(Debug, Clone, Default)]
pub struct NewLinkInput {
    /// The posts it shows (at least one, all of the workspace).
    pub posts: Vec<PostId>,
    /// Days until it expires (1 to [`MAX_LINK_DAYS`]); none: the default.
    pub expires_in_days: Option<u32>,
    /// A password the reviewer must type (8 to 128 characters), if any.
    pub password: Option<String>,
    /// A note for the team, e.g. the client's name.
    pub label: String,
}

/// A link as the team sees it (never its token).
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLinkView {
    pub id: String,
    pub label: String,
    pub posts: Vec<PostId>,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub password_protected: bool,
    pub last_viewed_at: Option<Timestamp>,
    /// Not revoked and not expired.
    pub active: bool,
}

/// A new link with its token, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedLink {
    pub link: ReviewLinkView,
    pub token: String,
}

/// What a reviewer sees: the posts and nothing else.
#[derive(Debug, Clone, Serialize)]
pub struct GuestReview {
    pub link_id: String,
    pub expires_at: Timestamp,
    pub posts: Vec<GuestPost>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuestPost {
    pub id: PostId,
    pub review: ReviewState,
    pub schedule: Option<Schedule>,
    pub scheduled_at: Option<Timestamp>,
    pub targets: Vec<GuestTarget>,
    /// Decisions taken through this link, oldest first.
    pub decisions: Vec<GuestDecision>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuestTarget {
    pub provider: ProviderId,
    pub kind: AccountKind,
    pub account_name: String,
    pub variant: Variant,
    pub media: Vec<GuestMedia>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuestMedia {
    pub kind: MediaKind,
    pub mime: String,
    /// A signed URL valid for two hours.
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuestDecision {
    pub action: ReviewAction,
    pub name: String,
    pub comment: String,
    pub at: Timestamp,
}

impl Publishing {
    /// Creates a review link to `input.posts` (members who may publish).
    pub async fn create_review_link(
        &self,
        auth: &Authorized,
        input: NewLinkInput,
    ) -> Result<CreatedLink, PublishError> {
        auth.require(Permission::Publish)?;
        let mut posts = input.posts;
        posts.dedup();
        if posts.is_empty() || posts.len() > MAX_LINK_POSTS {
            return Err(PublishError::LinkPosts);
        }
        for post in &posts {
            store::post(&self.inner.db, auth.workspace(), post)
                .await?
                .ok_or(PublishError::NotFound)?;
        }
        let days = input.expires_in_days.unwrap_or(DEFAULT_LINK_DAYS);
        if !(1..=MAX_LINK_DAYS).contains(&days) {
            return Err(PublishError::LinkExpiry);
        }
        let label = input.label.trim().to_owned();
        if label.chars().count() > MAX_NAME_CHARS {
            return Err(PublishError::LinkLabelTooLong);
        }
        let password_hash = match input.password.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => {
                let p = p.to_owned();
                Some(
                    tokio::task::spawn_blocking(move || hash_link_password(&p))
                        .await
                        .map_err(|e| PublishError::Internal(e.to_string()))?
                        .map_err(|_| PublishError::LinkPassword)?,
                )
            }
        };
        let now = self.now();
        let token = secret::new_token();
        let id = uuid::Uuid::now_v7().to_string();
        let expires_at = now + SignedDuration::from_hours(24 * i64::from(days));
        let mut tx = self.inner.db.begin().await?;
        store::insert_review_link(
            &mut tx,
            &NewReviewLink {
                id: &id,
                workspace: auth.workspace(),
                token_hash: &secret::token_hash(&token),
                created_by: auth.user(),
                label: &label,
                password_hash: password_hash.as_deref(),
                expires_at,
                created_at: now,
                posts: &posts,
            },
        )
        .await?;
        record_member_event(
            &mut tx,
            now,
            auth,
            "review_link.created",
            &id,
            &format!(
                "posts={} days={days} password={}",
                posts.len(),
                password_hash.is_some()
            ),
        )
        .await?;
        tx.commit().await?;
        let link = self
            .links_where(auth.workspace(), Some(&id), None)
            .await?
            .pop()
            .ok_or(PublishError::NotFound)?;
        Ok(CreatedLink { link, token })
    }

    /// The review links that show `post`, newest first.
    pub async fn review_links(
        &self,
        auth: &Authorized,
        post: &PostId,
    ) -> Result<Vec<ReviewLinkView>, PublishError> {
        let post = self.get(auth, post).await?;
        self.links_where(auth.workspace(), None, Some(&post.id))
            .await
    }

    /// Revokes a link at once (members who may publish).
    pub async fn revoke_review_link(
        &self,
        auth: &Authorized,
        link_id: &str,
    ) -> Result<(), PublishError> {
        auth.require(Permission::Publish)?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        if !store::revoke_review_link(&mut tx, auth.workspace(), link_id, now).await? {
            return Err(PublishError::NotFound);
        }
        record_member_event(&mut tx, now, auth, "review_link.revoked", link_id, "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn links_where(
        &self,
        workspace: WorkspaceId,
        id: Option<&str>,
        post: Option<&PostId>,
    ) -> Result<Vec<ReviewLinkView>, PublishError> {
        let now = self.now();
        let rows = store::review_links(&self.inner.db, workspace, id, post).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let posts = store::review_link_posts(&self.inner.db, &r.id).await?;
            out.push(ReviewLinkView {
                active: r.revoked_at.is_none() && r.expires_at.0 > now,
                id: r.id,
                label: r.label,
                posts,
                created_by: r.created_by.map(|u| u.0),
                created_at: r.created_at.0,
                expires_at: r.expires_at.0,
                revoked_at: r.revoked_at.map(Timestamp::from),
                password_protected: r.password_hash.is_some(),
                last_viewed_at: r.last_viewed_at.map(Timestamp::from),
            });
        }
        Ok(out)
    }

    /// The link a token names, if it is live and (when it has one) its
    /// password or the proof of it is given.
    async fn live_link(
        &self,
        token: &str,
        key: LinkKey<'_>,
    ) -> Result<store::ReviewLinkRow, PublishError> {
        let token = token.trim();
        if token.is_empty() || token.len() > 128 {
            return Err(PublishError::LinkNotFound);
        }
        let link = store::review_link_by_hash(&self.inner.db, &secret::token_hash(token))
            .await?
            .ok_or(PublishError::LinkNotFound)?;
        if link.revoked_at.is_some() || link.expires_at.0 <= self.now() {
            return Err(PublishError::LinkExpired);
        }
        let Some(stored) = link.password_hash.clone() else {
            return Ok(link);
        };
        let right = match key {
            LinkKey::None => return Err(PublishError::LinkPasswordRequired),
            LinkKey::Proof(given) => proof_of(&link).is_some_and(|p| secret::same(given, &p)),
            LinkKey::Password(given) => {
                let given = given.to_owned();
                tokio::task::spawn_blocking(move || verify_link_password(&given, &stored))
                    .await
                    .map_err(|e| PublishError::Internal(e.to_string()))?
            }
        };
        if right {
            Ok(link)
        } else {
            Err(PublishError::LinkPasswordWrong)
        }
    }

    /// Checks a link's password; the proof to keep (empty for a link
    /// without one).
    pub async fn unlock_review_link(
        &self,
        token: &str,
        password: &str,
    ) -> Result<String, PublishError> {
        let link = self.live_link(token, LinkKey::Password(password)).await?;
        Ok(proof_of(&link).unwrap_or_default())
    }

    /// What a reviewer sees through a link (each view is audited).
    pub async fn open_review_link(
        &self,
        token: &str,
        key: LinkKey<'_>,
    ) -> Result<GuestReview, PublishError> {
        let link = self.live_link(token, key).await?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        store::touch_review_link(&mut tx, &link.id, now).await?;
        record_system_event(
            &mut tx,
            now,
            link.workspace_id,
            "review_link.viewed",
            &link.id,
            "",
        )
        .await?;
        tx.commit().await?;
        let mut posts = Vec::new();
        for id in store::review_link_posts(&self.inner.db, &link.id).await? {
            let Some(row) = store::post(&self.inner.db, link.workspace_id, &id).await? else {
                continue;
            };
            let view = self.view(row).await?;
            let mut targets = Vec::new();
            for t in view
                .targets
                .iter()
                .filter(|t| t.status != TargetStatus::Cancelled)
            {
                let found = self
                    .inner
                    .media
                    .lookup(link.workspace_id.0, &t.variant.media, GUEST_MEDIA_TTL)
                    .await
                    .map_err(PublishError::Media)?;
                targets.push(GuestTarget {
                    provider: t.provider,
                    kind: t.kind,
                    account_name: t.account_name.clone(),
                    variant: t.variant.clone(),
                    media: found
                        .into_iter()
                        .flatten()
                        .map(|m| GuestMedia {
                            kind: m.kind,
                            mime: m.mime,
                            url: m.url,
                        })
                        .collect(),
                });
            }
            let decisions = store::review_entries(&self.inner.db, &view.id)
                .await?
                .into_iter()
                .filter(|e| e.link_id.as_deref() == Some(link.id.as_str()))
                .filter_map(|e| {
                    Some(GuestDecision {
                        action: ReviewAction::parse(&e.action)?,
                        name: e.reviewer_name.unwrap_or_default(),
                        comment: e.comment,
                        at: e.at.0,
                    })
                })
                .collect();
            posts.push(GuestPost {
                id: view.id,
                review: view.review,
                schedule: view.schedule,
                scheduled_at: view.scheduled_at,
                targets,
                decisions,
            });
        }
        Ok(GuestReview {
            link_id: link.id,
            expires_at: link.expires_at.0,
            posts,
        })
    }

    /// A reviewer's decision on one of the link's posts, with their name
    /// (required) and a comment (required to ask for changes).
    pub async fn decide_through_link(
        &self,
        token: &str,
        key: LinkKey<'_>,
        post: &PostId,
        decision: Decision,
        name: &str,
        comment: &str,
    ) -> Result<(), PublishError> {
        let link = self.live_link(token, key).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(PublishError::ReviewerName);
        }
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(PublishError::CommentTooLong);
        }
        if !store::review_link_posts(&self.inner.db, &link.id)
            .await?
            .contains(post)
        {
            return Err(PublishError::NotFound);
        }
        self.decide(
            Decider::Guest {
                workspace: link.workspace_id,
                name,
                link_id: &link.id,
            },
            post,
            decision,
            comment,
        )
        .await
    }
}
