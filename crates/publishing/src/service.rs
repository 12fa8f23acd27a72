//! The publishing service: compose, schedule, change and inspect posts.

use herald_core::Named;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use herald_accounts::shared::record_member_event;
use herald_accounts::{AccountError, Authorized, Permission};
use herald_connections::{ConnectionView, Connections, Status as ConnectionStatus};
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_core::{ConnectionId, PostId, TargetId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, Tx};
use herald_events::Outbox;
use herald_jobs::{JobId, NewJob, Queue};
use herald_platforms::{AccountKind, ErrorKind, MediaItem, PostingOptions, ProviderId, Publishers};
use serde::Serialize;

use crate::PublishError;
use crate::budget::BudgetUse;
use crate::dispatch::PublishTarget;
use crate::model::{
    FailureDetail, FailureKind, Outcome, PostInput, PostStatus, PostView, Receipt, TargetInput,
    TargetStatus, TargetView, Variant, When,
};
use crate::ports::{MediaCatalog, TeamNotifier};
use crate::review::{Intent, ReviewState};
use crate::rules::{self, Issue, Param};
use crate::schedule::Schedule;
use crate::store::{self, PostRow, TargetRow};

mod approval;
mod comments;
mod links;

pub(crate) use approval::HoldHandler;
pub(crate) use approval::summary_of as approval_summary;
pub use approval::{Decision, HoldIfWaiting, MAX_COMMENT_CHARS, ReviewEntry};
pub use comments::{CommentView, NewCommentInput, Thread};
pub use links::{
    CreatedLink, GuestDecision, GuestMedia, GuestPost, GuestReview, GuestTarget, LinkKey,
    NewLinkInput, ReviewLinkView,
};

/// How far in the past a schedule may be before it is refused (the time
/// it takes to fill in the form).
const PAST_TOLERANCE: SignedDuration = SignedDuration::from_mins(2);
/// How long signed media URLs given to platforms stay valid.
pub(crate) const MEDIA_URL_TTL: SignedDuration = SignedDuration::from_hours(24);
/// How long an account's posting options are reused: the composer asks
/// on every page and check, and TikTok allows 20 creator-info reads a
/// minute per token (publishing reads it too). Short enough that a change
/// in the TikTok app shows soon.
pub const POSTING_OPTIONS_TTL: SignedDuration = SignedDuration::from_secs(30);

/// Validation of one target while composing.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetReport {
    pub connection_id: ConnectionId,
    pub provider: Option<ProviderId>,
    pub kind: Option<AccountKind>,
    pub account_name: Option<String>,
    pub issues: Vec<Issue>,
}

/// A published post as other features link to it (the inbox, for the
/// comments on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPost {
    pub post_id: PostId,
    /// The caption it went out with, else its title.
    pub caption: Option<String>,
    pub permalink: Option<String>,
    pub published_at: Option<Timestamp>,
}

/// Which posts a queue list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum QueueFilter {
    /// Scheduled and publishing, soonest first.
    Upcoming,
    /// Published (fully or partly), newest first.
    Published,
    /// Failed or partly failed, newest first.
    Failed,
    /// Drafts, newest first.
    Drafts,
    /// Waiting for approval (or with changes asked for), soonest first.
    Review,
}

struct Inner {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    connections: Connections,
    media: Arc<dyn MediaCatalog>,
    publishers: Publishers,
    outbox: Outbox,
    notifier: Arc<dyn TeamNotifier>,
    /// Posting options by connection, with when they were read.
    options: std::sync::Mutex<HashMap<ConnectionId, (Timestamp, Option<PostingOptions>)>>,
}

/// Posts and their dispatch.
#[derive(Clone)]
pub struct Publishing {
    inner: Arc<Inner>,
}

impl Publishing {
    pub fn new(
        db: Db,
        queue: Queue,
        connections: Connections,
        media: Arc<dyn MediaCatalog>,
        publishers: Publishers,
        outbox: Outbox,
        notifier: Arc<dyn TeamNotifier>,
    ) -> Publishing {
        let clock = queue.clock().clone();
        Publishing {
            inner: Arc::new(Inner {
                db,
                queue,
                clock,
                connections,
                media,
                publishers,
                outbox,
                notifier,
                options: std::sync::Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The publish job's handler, with this service's database, clock,
    /// connections, media, publishers and outbox.
    pub fn dispatcher(&self) -> crate::Dispatcher {
        let inner = &self.inner;
        crate::Dispatcher::new(crate::dispatch::Dependencies {
            db: inner.db.clone(),
            queue: inner.queue.clone(),
            clock: inner.clock.clone(),
            connections: inner.connections.clone(),
            media: inner.media.clone(),
            publishers: inner.publishers.clone(),
            outbox: inner.outbox.clone(),
            notifier: inner.notifier.clone(),
        })
    }

    /// The post-id backfill job's handler, with this service's handles.
    pub fn backfiller(&self) -> crate::Backfiller {
        let inner = &self.inner;
        crate::Backfiller::new(crate::backfill::BackfillDependencies {
            db: inner.db.clone(),
            queue: inner.queue.clone(),
            clock: inner.clock.clone(),
            connections: inner.connections.clone(),
            publishers: inner.publishers.clone(),
        })
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// A workspace's publishing week, for its members' weekly digests (a
    /// system job asks; no member is acting): targets published in
    /// [`from`, `to`) and the week before, targets failed in [`from`, `to`),
    /// posts waiting for review, targets due in the week after `to`.
    pub async fn week_counts(
        &self,
        workspace: WorkspaceId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<[u64; 5], PublishError> {
        let counts =
            store::week_counts(&self.inner.db, workspace, DbTime(from), DbTime(to)).await?;
        Ok(counts.map(|n| u64::try_from(n).unwrap_or(0)))
    }

    // ------------------------------------------------------------ compose

    /// Checks every target of `input` against its platform's rules, for the
    /// composer's live validation. Unknown accounts and media are issues
    /// too.
    pub async fn validate(
        &self,
        auth: &Authorized,
        targets: &[TargetInput],
    ) -> Result<Vec<TargetReport>, PublishError> {
        auth.require(Permission::Draft)?;
        let connections = self.connections_of(auth).await?;
        let variants: Vec<Variant> = targets
            .iter()
            .map(|t| t.variant.clone().normalized())
            .collect();
        let library = self
            .media_of(
                auth.workspace().0,
                variants.iter().map(|v| v.media.as_slice()),
            )
            .await?;
        let mut reports = Vec::new();
        for (target, variant) in targets.iter().zip(variants) {
            let Some(conn) = connections.get(&target.connection_id) else {
                reports.push(TargetReport {
                    connection_id: target.connection_id.clone(),
                    provider: None,
                    kind: None,
                    account_name: None,
                    issues: vec![unknown_account()],
                });
                continue;
            };
            let mut issues = Vec::new();
            let mut media = Vec::new();
            for id in &variant.media {
                match library.get(id) {
                    Some(item) => media.push(item.clone()),
                    None => issues.push(missing_media(id)),
                }
            }
            issues.extend(rules::validate(conn.kind, &variant, &media));
            // What the account offers now (TikTok): a failure to ask is
            // no issue here; publishing asks again and says why.
            if conn.status != ConnectionStatus::NeedsReconnection
                && let Ok(Some(options)) = self.options_of(conn).await
            {
                issues.extend(rules::validate_options(
                    conn.kind, &variant, &media, &options,
                ));
            }
            if conn.status == ConnectionStatus::NeedsReconnection {
                issues.push(needs_reconnection(&conn.name));
            }
            if self.inner.publishers.get(conn.kind).is_none() {
                issues.push(no_publisher(conn.provider));
            }
            reports.push(TargetReport {
                connection_id: conn.id.clone(),
                provider: Some(conn.provider),
                kind: Some(conn.kind),
                account_name: Some(conn.name.clone()),
                issues,
            });
        }
        Ok(reports)
    }

    /// What the next post to `connection` may be, as its platform says now
    /// (TikTok's creator info: the privacy levels to choose from, the
    /// interactions the creator switched off, the longest video), for the
    /// composer; None where the platform has no such notion. Reused for
    /// [`POSTING_OPTIONS_TTL`].
    pub async fn posting_options(
        &self,
        auth: &Authorized,
        connection: &ConnectionId,
    ) -> Result<Option<PostingOptions>, PublishError> {
        auth.require(Permission::Draft)?;
        let connections = self.connections_of(auth).await?;
        let conn = connections
            .get(connection)
            .ok_or_else(|| PublishError::UnknownConnection(connection.to_string()))?;
        self.options_of(conn).await
    }

    /// Posting options of one connection of the caller's workspace.
    async fn options_of(
        &self,
        conn: &ConnectionView,
    ) -> Result<Option<PostingOptions>, PublishError> {
        let Some(publisher) = self.inner.publishers.get(conn.kind) else {
            return Ok(None);
        };
        let now = self.now();
        let cached = self
            .inner
            .options
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&conn.id)
            .filter(|(at, _)| now < *at + POSTING_OPTIONS_TTL)
            .map(|(_, options)| options.clone());
        if let Some(options) = cached {
            return Ok(options);
        }
        if conn.status == ConnectionStatus::NeedsReconnection {
            return Err(PublishError::ConnectionNeedsReconnection(conn.name.clone()));
        }
        let credentials = self
            .inner
            .connections
            .credentials(&conn.id)
            .await
            .map_err(|e| PublishError::Internal(e.to_string()))?
            .ok_or_else(|| PublishError::UnknownConnection(conn.id.to_string()))?;
        let options = match publisher
            .posting_options(conn.kind, &credentials.access_token)
            .await
        {
            Ok(options) => options,
            Err(e) if matches!(e.kind, ErrorKind::Reconnect | ErrorKind::Reconsent { .. }) => {
                return Err(PublishError::ConnectionNeedsReconnection(conn.name.clone()));
            }
            Err(e) => {
                tracing::warn!(connection = %conn.id, error = %e, "posting options unavailable");
                return Err(PublishError::PlatformUnavailable(
                    conn.provider.name().to_owned(),
                ));
            }
        };
        self.inner
            .options
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(conn.id.clone(), (now, options.clone()));
        Ok(options)
    }

    /// Saves a new post: as a draft, submitted for approval, scheduled, or
    /// due now. A post that needs approval is refused scheduling
    /// ([`PublishError::ApprovalRequired`]): it is submitted instead.
    pub async fn create(
        &self,
        auth: &Authorized,
        input: PostInput,
    ) -> Result<PostView, PublishError> {
        auth.require(Permission::Draft)?;
        let policy = self.policy(auth.workspace()).await?;
        let actor = approval::actor(auth, &policy, true);
        let needs = policy.needs_approval(actor, input.targets.iter().map(|t| &t.connection_id));
        let saved = policy
            .on_save(actor, ReviewState::None, intent_of(&input.when), needs)
            .map_err(|r| approval::refused_save(auth, r))?;
        let checked = self.check(auth, &input).await?;
        let now = self.now();
        let post_id = PostId(uuid::Uuid::now_v7().to_string());
        let (schedule, at) = checked.when;
        let mut tx = self.inner.db.begin().await?;
        store::insert_post(
            &mut tx,
            &PostRow {
                id: post_id.clone(),
                workspace_id: auth.workspace(),
                created_by: Some(auth.user()),
                status: PostStatus::Draft.as_str().to_owned(),
                local_time: schedule.as_ref().map(|s| s.local.clone()),
                time_zone: schedule.as_ref().map(|s| s.time_zone.clone()),
                scheduled_at: at.map(DbTime),
                created_at: DbTime(now),
                updated_at: DbTime(now),
                review: saved.review.as_str().to_owned(),
                held_at: None,
            },
        )
        .await?;
        for (position, (conn, variant)) in checked.targets.iter().enumerate() {
            let row = new_target(
                &post_id,
                auth.workspace().0,
                position as i32,
                conn,
                variant,
                now,
            )?;
            store::insert_target(&mut tx, &row).await?;
            if saved.schedule
                && let Some(at) = at
            {
                self.schedule_in(&mut tx, &row.id, at).await?;
            }
        }
        self.refresh_status(&mut tx, &post_id).await?;
        record_member_event(&mut tx, now, auth, "post.created", post_id.as_str(), "").await?;
        if let Some(action) = saved.action {
            self.reviewed(&mut tx, auth, &post_id, &policy, action, at)
                .await?;
        }
        tx.commit().await?;
        self.get(auth, &post_id).await
    }

    /// Replaces a post's targets, variants and time. Targets already
    /// published or publishing cannot change; a target for the same
    /// account keeps its identity (idempotency key and progress), so a
    /// retry after an edit still reconciles.
    pub async fn update(
        &self,
        auth: &Authorized,
        post_id: &PostId,
        input: PostInput,
    ) -> Result<PostView, PublishError> {
        auth.require(Permission::Draft)?;
        let post = store::post(&self.inner.db, auth.workspace(), post_id)
            .await?
            .ok_or(PublishError::NotFound)?;
        let policy = self.policy(auth.workspace()).await?;
        let author = post.created_by == Some(auth.user());
        let actor = approval::actor(auth, &policy, author);
        let current = ReviewState::parse(&post.review).unwrap_or(ReviewState::None);
        // Someone else's post is not a contributor's to change: refused
        // before anything about it (its rule issues) is told.
        if !actor.may_publish && !author {
            return Err(PublishError::Account(AccountError::Forbidden));
        }
        let needs = policy.needs_approval(actor, input.targets.iter().map(|t| &t.connection_id));
        let saved = policy
            .on_save(actor, current, intent_of(&input.when), needs)
            .map_err(|r| approval::refused_save(auth, r))?;
        let checked = self.check(auth, &input).await?;
        let now = self.now();
        let (schedule, at) = checked.when;
        let mut tx = self.inner.db.begin().await?;
        let existing = store::targets_of_in_tx(&mut tx, &post.id).await?;
        // Without the right to publish (a contributor), only one's own
        // posts, and only while nothing of them is scheduled unless they
        // were approved: saving another member's post, or a scheduled one,
        // would change or unschedule what someone else decided.
        if !actor.may_publish
            && (!author
                || (existing.iter().any(|t| status_of(t) != TargetStatus::Draft)
                    && current != ReviewState::Approved))
        {
            tx.rollback().await?;
            return Err(PublishError::Account(AccountError::Forbidden));
        }
        if existing.iter().any(|t| !status_of(t).is_editable()) {
            return Err(PublishError::WrongState("publishing or published"));
        }
        let mut old_jobs = Vec::new();
        let by_connection: HashMap<&ConnectionId, &TargetRow> = existing
            .iter()
            .filter_map(|t| t.connection_id.as_ref().map(|c| (c, t)))
            .collect();
        let mut kept = HashSet::new();
        for (position, (conn, variant)) in checked.targets.iter().enumerate() {
            let id = match by_connection.get(&conn.id) {
                Some(old) => {
                    kept.insert(old.id.clone());
                    old_jobs.extend(old.job_id);
                    store::update_target_variant(&mut tx, &old.id, &to_json(variant)?, now).await?;
                    store::set_target_idle(&mut tx, &old.id, TargetStatus::Draft.as_str(), now)
                        .await?;
                    old.id.clone()
                }
                None => {
                    let row = new_target(
                        &post.id,
                        auth.workspace().0,
                        position as i32,
                        conn,
                        variant,
                        now,
                    )?;
                    store::insert_target(&mut tx, &row).await?;
                    row.id
                }
            };
            if saved.schedule
                && let Some(at) = at
            {
                self.schedule_in(&mut tx, &id, at).await?;
            }
        }
        for old in existing.iter().filter(|t| !kept.contains(&t.id)) {
            old_jobs.extend(old.job_id);
            store::delete_target(&mut tx, &old.id).await?;
        }
        store::update_post_schedule(
            &mut tx,
            &post.id,
            schedule.as_ref().map(|s| s.local.as_str()),
            schedule.as_ref().map(|s| s.time_zone.as_str()),
            at,
            now,
        )
        .await?;
        store::set_review(&mut tx, &post.id, saved.review.as_str(), None, now).await?;
        self.refresh_status(&mut tx, &post.id).await?;
        record_member_event(&mut tx, now, auth, "post.updated", post.id.as_str(), "").await?;
        if let Some(action) = saved.action {
            self.reviewed(&mut tx, auth, &post.id, &policy, action, at)
                .await?;
        }
        tx.commit().await?;
        self.cancel_jobs(old_jobs).await;
        self.get(auth, &post.id).await
    }

    /// Moves a scheduled (or draft) post to another time, keeping its
    /// content.
    pub async fn reschedule(
        &self,
        auth: &Authorized,
        post_id: &PostId,
        when: When,
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
        self.update(auth, post_id, PostInput { targets, when })
            .await
    }

    /// Cancels every target that has not started publishing.
    pub async fn cancel(
        &self,
        auth: &Authorized,
        post_id: &PostId,
    ) -> Result<PostView, PublishError> {
        auth.require(Permission::Publish)?;
        let post = store::post(&self.inner.db, auth.workspace(), post_id)
            .await?
            .ok_or(PublishError::NotFound)?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let targets = store::targets_of_in_tx(&mut tx, &post.id).await?;
        let mut jobs = Vec::new();
        let mut changed = 0;
        for t in &targets {
            if matches!(
                status_of(t),
                TargetStatus::Draft | TargetStatus::Scheduled | TargetStatus::Failed
            ) {
                jobs.extend(t.job_id);
                store::set_target_idle(&mut tx, &t.id, TargetStatus::Cancelled.as_str(), now)
                    .await?;
                changed += 1;
            }
        }
        if changed == 0 {
            return Err(PublishError::WrongState("already publishing or finished"));
        }
        // Nothing is left to approve.
        store::set_review(&mut tx, &post.id, ReviewState::None.as_str(), None, now).await?;
        self.refresh_status(&mut tx, &post.id).await?;
        record_member_event(&mut tx, now, auth, "post.cancelled", post.id.as_str(), "").await?;
        tx.commit().await?;
        self.cancel_jobs(jobs).await;
        self.get(auth, &post.id).await
    }

    /// Tries a failed (or cancelled) target again now. Its saved progress
    /// is kept, so the publisher reconciles with the platform first.
    pub async fn retry(
        &self,
        auth: &Authorized,
        target_id: &TargetId,
    ) -> Result<PostView, PublishError> {
        auth.require(Permission::Publish)?;
        let target = store::target(&self.inner.db, target_id)
            .await?
            .filter(|t| t.workspace_id == auth.workspace())
            .ok_or(PublishError::NotFound)?;
        if !matches!(
            status_of(&target),
            TargetStatus::Failed | TargetStatus::Cancelled
        ) {
            return Err(PublishError::WrongState("not failed"));
        }
        let connection_id = target
            .connection_id
            .clone()
            .ok_or_else(|| PublishError::UnknownConnection(target.account_name.clone()))?;
        let connections = self.connections_of(auth).await?;
        let conn = connections
            .get(&connection_id)
            .ok_or_else(|| PublishError::UnknownConnection(connection_id.to_string()))?;
        if conn.status == ConnectionStatus::NeedsReconnection {
            return Err(PublishError::ConnectionNeedsReconnection(conn.name.clone()));
        }
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        self.schedule_in(&mut tx, &target.id, now).await?;
        if let Some(post) = store::post_in_tx(&mut tx, &target.post_id).await?
            && post.scheduled_at.is_none()
        {
            store::update_post_schedule(&mut tx, &post.id, None, None, Some(now), now).await?;
        }
        self.refresh_status(&mut tx, &target.post_id).await?;
        tx.commit().await?;
        self.get(auth, &target.post_id).await
    }

    /// Deletes a post that has nothing published or in flight.
    pub async fn delete(&self, auth: &Authorized, post_id: &PostId) -> Result<(), PublishError> {
        auth.require(Permission::Publish)?;
        let post = store::post(&self.inner.db, auth.workspace(), post_id)
            .await?
            .ok_or(PublishError::NotFound)?;
        let mut tx = self.inner.db.begin().await?;
        let targets = store::targets_of_in_tx(&mut tx, &post.id).await?;
        if targets.iter().any(|t| {
            matches!(
                status_of(t),
                TargetStatus::Publishing | TargetStatus::Published
            )
        }) {
            return Err(PublishError::WrongState("publishing or published"));
        }
        let jobs: Vec<i64> = targets.iter().filter_map(|t| t.job_id).collect();
        store::delete_post(&mut tx, &post.id).await?;
        record_member_event(
            &mut tx,
            self.now(),
            auth,
            "post.deleted",
            post.id.as_str(),
            "",
        )
        .await?;
        tx.commit().await?;
        self.cancel_jobs(jobs).await;
        Ok(())
    }

    // ------------------------------------------------------------ read

    pub async fn get(&self, auth: &Authorized, post_id: &PostId) -> Result<PostView, PublishError> {
        auth.require(Permission::View)?;
        let post = store::post(&self.inner.db, auth.workspace(), post_id)
            .await?
            .ok_or(PublishError::NotFound)?;
        self.view(post).await
    }

    /// Posts whose time falls in `[from, to)`, for the calendar.
    pub async fn between(
        &self,
        auth: &Authorized,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<PostView>, PublishError> {
        auth.require(Permission::View)?;
        let rows = store::posts_between(&self.inner.db, auth.workspace(), from, to).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(self.view(row).await?);
        }
        Ok(views)
    }

    /// The queue list: scheduled, published, failed or draft posts.
    pub async fn queue_list(
        &self,
        auth: &Authorized,
        filter: QueueFilter,
        limit: i64,
    ) -> Result<Vec<PostView>, PublishError> {
        auth.require(Permission::View)?;
        let (statuses, newest_first): (&[&str], bool) = match filter {
            QueueFilter::Upcoming => (&["scheduled", "publishing"], false),
            QueueFilter::Published => (&["published", "partially_published"], true),
            QueueFilter::Failed => (&["failed", "partially_published"], true),
            QueueFilter::Drafts => (&["draft"], true),
            QueueFilter::Review => return self.awaiting_review(auth, limit).await,
        };
        let rows = store::posts_with_status(
            &self.inner.db,
            auth.workspace(),
            statuses,
            newest_first,
            limit.clamp(1, 500),
        )
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let view = self.view(row).await?;
            if filter == QueueFilter::Failed
                && !view
                    .targets
                    .iter()
                    .any(|t| t.status == TargetStatus::Failed)
            {
                continue;
            }
            views.push(view);
        }
        Ok(views)
    }

    /// Every post of the workspace with every attempt of each target, oldest
    /// first: the workspace's part of a data export.
    pub async fn export(
        &self,
        auth: &Authorized,
    ) -> Result<Vec<(PostView, Vec<Vec<Receipt>>)>, PublishError> {
        auth.require(Permission::View)?;
        let mut out = Vec::new();
        for row in store::all_posts(&self.inner.db, auth.workspace()).await? {
            let view = self.view(row).await?;
            let mut receipts = Vec::with_capacity(view.targets.len());
            for target in &view.targets {
                receipts.push(self.receipts(auth, &target.id).await?);
            }
            out.push((view, receipts));
        }
        Ok(out)
    }

    /// Every attempt of a target, oldest first.
    pub async fn receipts(
        &self,
        auth: &Authorized,
        target_id: &TargetId,
    ) -> Result<Vec<Receipt>, PublishError> {
        auth.require(Permission::View)?;
        store::target(&self.inner.db, target_id)
            .await?
            .filter(|t| t.workspace_id == auth.workspace())
            .ok_or(PublishError::NotFound)?;
        Ok(store::receipts(&self.inner.db, target_id)
            .await?
            .into_iter()
            .map(|r| Receipt {
                attempt: r.attempt,
                outcome: Outcome::parse(&r.outcome).unwrap_or(Outcome::Failed),
                remote_id: r.remote_id,
                permalink: r.permalink,
                progress: redacted(serde_json::from_str(&r.progress).unwrap_or_default()),
                error_kind: r.error_kind,
                error_code: r.error_code,
                error_message: r.error_message,
                error_detail: r.error_detail.as_deref().and_then(detail_of),
                started_at: r.started_at.0,
                finished_at: r.finished_at.0,
            })
            .collect())
    }

    /// The post whose target on `connection` was published as `remote_id`
    /// (what a comment on that media belongs to): its id, the caption (or
    /// title) it went out with, its permalink and when.
    pub async fn published_as(
        &self,
        auth: &Authorized,
        connection: &ConnectionId,
        remote_id: &str,
    ) -> Result<Option<PublishedPost>, PublishError> {
        auth.require(Permission::View)?;
        let found =
            store::published_as(&self.inner.db, auth.workspace(), connection, remote_id).await?;
        Ok(found.map(|(post_id, variant, permalink, published_at)| {
            let variant: Option<Variant> = serde_json::from_str(&variant).ok();
            let caption =
                variant.and_then(|v| Some(v.caption).filter(|c| !c.trim().is_empty()).or(v.title));
            PublishedPost {
                post_id,
                caption,
                permalink,
                published_at: published_at.map(|t| t.0),
            }
        }))
    }

    /// How much of the app-wide daily budget that posts to accounts of
    /// `kind` draw on is used today (YouTube uploads, shared by every
    /// workspace of the instance), when the platform has one.
    pub async fn budget_use(
        &self,
        auth: &Authorized,
        kind: AccountKind,
    ) -> Result<Option<BudgetUse>, PublishError> {
        auth.require(Permission::View)?;
        let Some(budget) = self
            .inner
            .publishers
            .get(kind)
            .and_then(|p| p.budget(self.now()))
        else {
            return Ok(None);
        };
        Ok(Some(crate::budget::usage(&self.inner.db, &budget).await?))
    }

    /// The notices of each connection's most recent published post (a
    /// platform that made it private, say), by connection, for the
    /// connection cards.
    pub async fn latest_notices(
        &self,
        auth: &Authorized,
    ) -> Result<HashMap<ConnectionId, Vec<FailureDetail>>, PublishError> {
        auth.require(Permission::View)?;
        let rows = store::latest_published_notices(&self.inner.db, auth.workspace()).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(connection, detail)| {
                let notices = detail_of(&detail?).map(notices_of)?;
                Some((connection, notices))
            })
            .collect())
    }

    // ------------------------------------------------------------ helpers

    async fn connections_of(
        &self,
        auth: &Authorized,
    ) -> Result<HashMap<ConnectionId, ConnectionView>, PublishError> {
        let list = self
            .inner
            .connections
            .list(auth, None)
            .await
            .map_err(|e| match e {
                herald_connections::ConnectError::Account(a) => PublishError::Account(a),
                other => PublishError::Internal(other.to_string()),
            })?;
        Ok(list.into_iter().map(|c| (c.id.clone(), c)).collect())
    }

    /// Every media file the targets name, looked up once each (a post
    /// usually shares its media across targets).
    async fn media_of<'a>(
        &self,
        workspace: i64,
        targets: impl Iterator<Item = &'a [String]>,
    ) -> Result<HashMap<String, MediaItem>, PublishError> {
        let mut ids: Vec<String> = Vec::new();
        for id in targets.flatten() {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = self
            .inner
            .media
            .lookup(workspace, &ids, MEDIA_URL_TTL)
            .await
            .map_err(PublishError::Media)?;
        Ok(ids
            .into_iter()
            .zip(found)
            .filter_map(|(id, item)| item.map(|item| (id, item)))
            .collect())
    }

    /// Resolves accounts, media and the time, and validates when the post
    /// is to go out (drafts are saved whatever their issues).
    async fn check(&self, auth: &Authorized, input: &PostInput) -> Result<Checked, PublishError> {
        if input.targets.is_empty() {
            return Err(PublishError::NoTargets);
        }
        let mut seen = HashSet::new();
        if !input
            .targets
            .iter()
            .all(|t| seen.insert(t.connection_id.as_str()))
        {
            return Err(PublishError::DuplicateTarget);
        }
        // A submitted post is checked as one going out: approving it must
        // not be what finds it broken.
        let going_out = !matches!(input.when, When::Draft);
        let connections = self.connections_of(auth).await?;
        let variants: Vec<Variant> = input
            .targets
            .iter()
            .map(|t| t.variant.clone().normalized())
            .collect();
        let library = self
            .media_of(
                auth.workspace().0,
                variants.iter().map(|v| v.media.as_slice()),
            )
            .await?;
        let mut targets = Vec::new();
        let mut problems = Vec::new();
        for (target, variant) in input.targets.iter().zip(variants) {
            let conn = connections
                .get(&target.connection_id)
                .ok_or_else(|| PublishError::UnknownConnection(target.connection_id.to_string()))?;
            let mut media = Vec::new();
            for id in &variant.media {
                let item = library
                    .get(id)
                    .ok_or_else(|| PublishError::UnknownMedia(id.clone()))?;
                media.push(item.clone());
            }
            if going_out {
                if conn.status == ConnectionStatus::NeedsReconnection {
                    return Err(PublishError::ConnectionNeedsReconnection(conn.name.clone()));
                }
                if self.inner.publishers.get(conn.kind).is_none() {
                    return Err(PublishError::ProviderUnavailable(
                        conn.provider.name().to_owned(),
                    ));
                }
                let mut issues = rules::validate(conn.kind, &variant, &media);
                // What the account offers now (TikTok), when the platform
                // answers; publishing checks again either way.
                if let Ok(Some(options)) = self.options_of(conn).await {
                    issues.extend(rules::validate_options(
                        conn.kind, &variant, &media, &options,
                    ));
                }
                for issue in issues {
                    if issue.severity == rules::Severity::Error {
                        problems.push((conn.name.clone(), issue));
                    }
                }
            }
            targets.push((conn.clone(), variant));
        }
        if !problems.is_empty() {
            return Err(PublishError::Invalid(problems));
        }
        let now = self.now();
        let when = match &input.when {
            When::Draft | When::Submit { schedule: None } => (None, None),
            When::Now => (None, Some(now)),
            When::Schedule { schedule }
            | When::Submit {
                schedule: Some(schedule),
            } => {
                let schedule = schedule.normalized()?;
                let at = schedule.resolve()?;
                if at < now - PAST_TOLERANCE {
                    return Err(PublishError::InPast);
                }
                (Some(schedule), Some(at.max(now)))
            }
        };
        Ok(Checked { targets, when })
    }

    /// Schedules target `id` at `at` with a fresh job that owns it.
    async fn schedule_in(
        &self,
        tx: &mut Tx,
        id: &TargetId,
        at: Timestamp,
    ) -> Result<(), PublishError> {
        let job = NewJob::of(&PublishTarget {
            target_id: id.to_owned(),
        })
        .map_err(|e| PublishError::Internal(e.to_string()))?
        .run_at(at);
        let enqueued = self.inner.queue.enqueue(tx, job).await?;
        store::schedule_target(tx, id, at, enqueued.id().0, self.now()).await?;
        Ok(())
    }

    async fn refresh_status(
        &self,
        tx: &mut Tx,
        post_id: &PostId,
    ) -> Result<PostStatus, PublishError> {
        refresh_post_status(tx, post_id, self.now()).await
    }

    async fn cancel_jobs(&self, jobs: Vec<i64>) {
        for job in jobs {
            // The fencing job id already stops a stale job; this only
            // tidies the queue.
            if let Err(error) = self.inner.queue.cancel(JobId(job)).await {
                tracing::warn!(%error, job, "could not cancel a replaced publish job");
            }
        }
    }

    async fn view(&self, post: PostRow) -> Result<PostView, PublishError> {
        let targets = store::targets_of(&self.inner.db, &post.id).await?;
        Ok(PostView {
            id: post.id,
            workspace_id: post.workspace_id.0,
            status: PostStatus::parse(&post.status).unwrap_or(PostStatus::Draft),
            schedule: match (post.local_time, post.time_zone) {
                (Some(local), Some(time_zone)) => Some(Schedule { local, time_zone }),
                _ => None,
            },
            scheduled_at: post.scheduled_at.map(Timestamp::from),
            created_by: post.created_by.map(|id| id.0),
            created_at: post.created_at.0,
            updated_at: post.updated_at.0,
            review: ReviewState::parse(&post.review).unwrap_or(ReviewState::None),
            held_at: post.held_at.map(Timestamp::from),
            targets: targets.iter().map(target_view).collect(),
        })
    }
}

/// What a save asks of the review.
fn intent_of(when: &When) -> Intent {
    match when {
        When::Draft => Intent::Draft,
        When::Submit { .. } => Intent::Submit,
        When::Schedule { .. } | When::Now => Intent::GoOut,
    }
}

struct Checked {
    targets: Vec<(ConnectionView, Variant)>,
    when: (Option<Schedule>, Option<Timestamp>),
}

fn to_json(variant: &Variant) -> Result<String, PublishError> {
    serde_json::to_string(variant).map_err(|e| PublishError::Internal(e.to_string()))
}

fn new_target(
    post_id: &PostId,
    workspace: i64,
    position: i32,
    conn: &ConnectionView,
    variant: &Variant,
    now: Timestamp,
) -> Result<TargetRow, PublishError> {
    let id = TargetId(uuid::Uuid::now_v7().to_string());
    Ok(TargetRow {
        idempotency_key: format!("herald-{id}"),
        id,
        post_id: post_id.clone(),
        workspace_id: WorkspaceId(workspace),
        connection_id: Some(conn.id.clone()),
        provider: conn.provider.as_str().to_owned(),
        kind: conn.kind.as_str().to_owned(),
        account_name: conn.name.clone(),
        remote_account_id: conn.remote_id.clone(),
        position,
        variant: to_json(variant)?,
        status: TargetStatus::Draft.as_str().to_owned(),
        due_at: None,
        job_id: None,
        progress: "{}".to_owned(),
        attempts: 0,
        remote_id: None,
        permalink: None,
        error_kind: None,
        error_message: None,
        error_detail: None,
        started_at: None,
        published_at: None,
        created_at: DbTime(now),
        updated_at: DbTime(now),
    })
}

/// Sets a post's status from its targets' (in the caller's transaction).
pub(crate) async fn refresh_post_status(
    tx: &mut Tx,
    post_id: &PostId,
    now: Timestamp,
) -> Result<PostStatus, PublishError> {
    let targets = store::targets_of_in_tx(tx, post_id).await?;
    let statuses: Vec<TargetStatus> = targets.iter().map(status_of).collect();
    let status = PostStatus::of(&statuses);
    store::set_post_status(tx, post_id, status.as_str(), now).await?;
    Ok(status)
}

pub(crate) fn status_of(row: &TargetRow) -> TargetStatus {
    TargetStatus::parse(&row.status).unwrap_or(TargetStatus::Draft)
}

pub(crate) fn target_view(row: &TargetRow) -> TargetView {
    let postponed = row.error_kind.as_deref() == Some("postponed")
        && matches!(
            status_of(row),
            TargetStatus::Publishing | TargetStatus::Scheduled
        );
    let noticed =
        row.error_kind.as_deref() == Some("warning") && status_of(row) == TargetStatus::Published;
    TargetView {
        id: row.id.clone(),
        connection_id: row.connection_id.clone(),
        provider: ProviderId::parse(&row.provider).unwrap_or(ProviderId::Facebook),
        kind: AccountKind::parse(&row.kind).unwrap_or(AccountKind::FacebookPage),
        account_name: row.account_name.clone(),
        status: status_of(row),
        variant: serde_json::from_str(&row.variant).unwrap_or_default(),
        idempotency_key: row.idempotency_key.clone(),
        due_at: row.due_at.map(Timestamp::from),
        attempts: row.attempts,
        remote_id: row.remote_id.clone(),
        permalink: row.permalink.clone(),
        error_kind: row.error_kind.as_deref().and_then(FailureKind::parse),
        error_message: row.error_message.clone(),
        error_detail: row
            .error_detail
            .as_deref()
            .filter(|_| !postponed && !noticed)
            .and_then(detail_of),
        postponed: row
            .error_detail
            .as_deref()
            .filter(|_| postponed)
            .and_then(detail_of),
        notices: row
            .error_detail
            .as_deref()
            .filter(|_| noticed)
            .and_then(detail_of)
            .map(notices_of)
            .unwrap_or_default(),
        published_at: row.published_at.map(Timestamp::from),
    }
}

/// The notices stored as one detail (the first, the others its issues).
fn notices_of(mut first: FailureDetail) -> Vec<FailureDetail> {
    let rest = std::mem::take(&mut first.issues);
    std::iter::once(first).chain(rest).collect()
}

/// A stored failure detail; one this version cannot read is left out (the
/// page then shows the failure's kind alone).
fn detail_of(json: &str) -> Option<FailureDetail> {
    serde_json::from_str(json)
        .inspect_err(|e| tracing::warn!(error = %e, "unreadable failure detail"))
        .ok()
}

/// Progress as people may see it: upload URLs (a TikTok `upload_url`
/// with its upload token, a YouTube session URI) let whoever holds them
/// write into an upload in flight, so any URL with a query is hidden.
fn redacted(mut progress: serde_json::Value) -> serde_json::Value {
    if let Some(map) = progress.as_object_mut() {
        for value in map.values_mut() {
            if let Some(s) = value.as_str()
                && (s.starts_with("https://") || s.starts_with("http://"))
                && s.contains('?')
            {
                *value = serde_json::Value::String("[hidden: upload URL]".to_owned());
            }
        }
    }
    progress
}

fn unknown_account() -> Issue {
    Issue::error("account", "account_unknown", [])
}

fn missing_media(id: &str) -> Issue {
    Issue::error("media", "media_missing", [("media", Param::from(id))])
}

fn needs_reconnection(name: &str) -> Issue {
    Issue::error(
        "account",
        "account_needs_reconnection",
        [("account", Param::from(name))],
    )
}

fn no_publisher(provider: ProviderId) -> Issue {
    Issue::error(
        "account",
        "provider_unavailable",
        [("platform", Param::from(provider.name()))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_urls_are_hidden_from_receipts() {
        let shown = redacted(serde_json::json!({
            "upload_url": "https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=secret",
            "session": "https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=x",
            "publish_id": "v_pub_file~1",
            "permalink": "https://www.instagram.com/p/abc/",
            "offset": 5,
        }));
        assert_eq!(shown["upload_url"], "[hidden: upload URL]");
        assert_eq!(shown["session"], "[hidden: upload URL]");
        assert_eq!(shown["publish_id"], "v_pub_file~1");
        assert_eq!(shown["permalink"], "https://www.instagram.com/p/abc/");
        assert_eq!(shown["offset"], 5);
    }
}
