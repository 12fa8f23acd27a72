//! Dispatch: a scheduled target becomes a `publishing.publish.v1` job due
//! at its time; the job runs the platform's publisher step by step,
//! saving its progress after every step, and records a delivery receipt
//! per attempt.
//!
//! The target's `job_id` is a fencing token: only the job named there may
//! start the target, save progress or finish it. A rescheduled, cancelled
//! or handed-over target leaves any older job with nothing to do, and a
//! worker that lost its lease cannot overwrite what the next one saved.
//!
//! While the platform processes (`Step::Wait`), the job hands the target
//! to a follow-up job due when the publisher wants to look again, so no
//! worker waits on a platform. Transient failures (throttling, outages,
//! answers that never arrived) are retried with the queue's backoff (or
//! when the platform says), always from the saved progress, so the
//! publisher reconciles before it creates anything again. After the last
//! attempt, or at once for failures no retry fixes, the target ends
//! `failed` with the reason and the fix.

use herald_core::Named;
use std::time::Duration;

use async_trait::async_trait;
use std::sync::Arc;

use herald_connections::Connections;
use herald_core::{Clock, PostId, TargetId, Timestamp};
use herald_db::Db;
use herald_events::Outbox;
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue};
use herald_platforms::{
    AccountKind, ErrorKind, Hint, PlatformError, Progress, PublishRequest, Published, Publishers,
    Step,
};
use serde::{Deserialize, Serialize};

use crate::budget;
use crate::events;
use crate::model::{FailureDetail, FailureKind, Outcome, TargetStatus, Variant};
use crate::ports::MediaCatalog;
use crate::review::ReviewState;
use crate::rules::{self, Param};
use crate::service::{refresh_post_status, status_of};
use crate::store::{self, NewReceipt, TargetRow};

/// Publishes one target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishTarget {
    pub target_id: TargetId,
}

impl JobPayload for PublishTarget {
    const KIND: &'static str = "publishing.publish.v1";
    const QUEUE: &'static str = "publishing";
    /// With the queue's backoff, about an hour of retries for outages; a
    /// throttled platform sets its own retry time.
    const MAX_ATTEMPTS: i32 = 10;
}

/// Longest a platform may postpone a target past its due time before it
/// fails: a cap that lifts "tomorrow" lifts within this, one that keeps
/// refusing for a week needs a person.
const MAX_POSTPONED: herald_core::SignedDuration = herald_core::SignedDuration::from_hours(7 * 24);

/// Most steps one job runs before handing over to a fresh job (a
/// thousand-chunk upload does not hold one job forever).
const STEPS_PER_RUN: usize = 64;

/// What the dispatcher works with.
pub struct Dependencies {
    pub db: Db,
    /// Where a run that waits schedules its next one.
    pub queue: Queue,
    /// Every "now" of a run (attempt times, retries, token expiry).
    pub clock: Arc<dyn Clock>,
    /// Where it reads a target's credentials and renews expired ones.
    pub connections: Connections,
    /// Where it finds a target's media.
    pub media: Arc<dyn MediaCatalog>,
    /// One publisher per account kind.
    pub publishers: Publishers,
    /// Where it appends the publish events.
    pub outbox: Outbox,
    /// Who tells the author that a post failed.
    pub notifier: Arc<dyn crate::TeamNotifier>,
}

/// The publish job's handler: runs a target's steps against its platform.
/// It holds what it uses rather than reaching into the publishing service;
/// [`Publishing::dispatcher`] builds one with the service's own handles.
pub struct Dispatcher {
    deps: Dependencies,
}

impl Dispatcher {
    pub fn new(deps: Dependencies) -> Dispatcher {
        Dispatcher { deps }
    }

    fn db(&self) -> &Db {
        &self.deps.db
    }

    fn now(&self) -> Timestamp {
        self.deps.clock.now()
    }

    fn queue(&self) -> &Queue {
        &self.deps.queue
    }

    fn connections(&self) -> &Connections {
        &self.deps.connections
    }

    fn media(&self) -> &Arc<dyn MediaCatalog> {
        &self.deps.media
    }

    fn publishers(&self) -> &Publishers {
        &self.deps.publishers
    }

    fn outbox(&self) -> &Outbox {
        &self.deps.outbox
    }

    async fn refresh_status(
        &self,
        tx: &mut herald_db::Tx,
        post_id: &PostId,
    ) -> Result<crate::PostStatus, crate::PublishError> {
        refresh_post_status(tx, post_id, self.now()).await
    }
}

#[async_trait]
impl Handler<PublishTarget> for Dispatcher {
    async fn run(&self, job: PublishTarget, ctx: &JobContext) -> Result<(), JobError> {
        self.dispatch(&job.target_id, ctx).await
    }
}

/// A failure that ends the target, with the words to show.
struct Failure {
    kind: FailureKind,
    /// The platform's error code and words, when it said something.
    code: Option<String>,
    message: Option<String>,
    /// Why, as a code with parameters (stored; rendered by the web layer).
    detail: FailureDetail,
}

impl Failure {
    fn new(kind: FailureKind, detail: FailureDetail) -> Failure {
        Failure {
            kind,
            code: None,
            message: None,
            detail,
        }
    }
}

/// How getting a target ready for its run ended.
enum Preparation {
    /// Everything a publisher needs.
    Ready(Prepared),
    /// The target cannot go out (its account, media or content): it fails
    /// with this reason and is not retried.
    Refused(Failure),
    /// Something Herald depends on is down: the run is retried later.
    Unavailable(JobError),
}

/// What a run needs before its first step.
struct Prepared {
    request: PublishRequest,
    publisher: std::sync::Arc<dyn herald_platforms::Publisher>,
    /// When the access token expires (renewed once if the platform
    /// refuses it around then).
    token_expires: Option<Timestamp>,
}

/// One run of a target's job: what every record it writes is keyed by.
#[derive(Clone, Copy)]
struct Run<'a> {
    target: &'a TargetRow,
    job_id: i64,
    /// This run's attempt number (1 for the first).
    attempt: i32,
    started: Timestamp,
}

impl<'a> Run<'a> {
    /// The target as owned by this run's job.
    fn fence(&self) -> store::Fence<'a> {
        store::Fence {
            target: &self.target.id,
            job_id: self.job_id,
        }
    }

    /// This run's receipt with `outcome`, ending `now` with `progress`
    /// saved; the rest is filled in by the caller.
    fn receipt(&self, outcome: Outcome, progress: &'a str, now: Timestamp) -> NewReceipt<'a> {
        NewReceipt {
            fence: self.fence(),
            attempt: self.attempt,
            outcome: outcome.as_str(),
            remote_id: None,
            permalink: None,
            progress,
            error: None,
            started_at: self.started,
            finished_at: now,
        }
    }
}

pub(crate) fn db_error(e: impl std::error::Error + Send + Sync + 'static) -> JobError {
    JobError::transient_from("database unavailable", e)
}

impl Dispatcher {
    async fn dispatch(&self, target_id: &TargetId, ctx: &JobContext) -> Result<(), JobError> {
        let job_id = ctx.id.0;
        let started = self.now();
        let Some(target) = store::target(self.db(), target_id)
            .await
            .map_err(db_error)?
        else {
            return Ok(());
        };
        if target.job_id != Some(job_id)
            || !matches!(
                status_of(&target),
                TargetStatus::Scheduled | TargetStatus::Publishing
            )
        {
            tracing::debug!(%target_id, job_id, "publish job no longer owns its target");
            return Ok(());
        }
        let first = status_of(&target) == TargetStatus::Scheduled;
        let mut tx = self.db().begin().await.map_err(db_error)?;
        // A post waiting for approval never goes out, whatever scheduled
        // it: its target goes back to being a draft (the review's own
        // timer tells people when its time comes).
        if first
            && store::post_in_tx(&mut tx, &target.post_id)
                .await
                .map_err(db_error)?
                .and_then(|p| ReviewState::parse(&p.review))
                .is_some_and(ReviewState::is_waiting)
        {
            store::set_target_idle(&mut tx, &target.id, TargetStatus::Draft.as_str(), started)
                .await
                .map_err(db_error)?;
            self.refresh_status(&mut tx, &target.post_id)
                .await
                .map_err(|e| JobError::transient(e.to_string()))?;
            tx.commit().await.map_err(db_error)?;
            tracing::warn!(%target_id, "not published: its post waits for approval");
            return Ok(());
        }
        if !store::start_target(&mut tx, &target.id, job_id, started)
            .await
            .map_err(db_error)?
        {
            return Ok(());
        }
        let attempt = target.attempts + 1;
        let run = Run {
            target: &target,
            job_id,
            attempt,
            started,
        };
        if first {
            events::request(self.outbox(), &mut tx, &target, attempt, started)
                .await
                .map_err(db_error)?;
        }
        self.refresh_status(&mut tx, &target.post_id)
            .await
            .map_err(|e| JobError::transient(e.to_string()))?;
        tx.commit().await.map_err(db_error)?;

        // Saved progress names what the platform already holds (a created
        // container, an upload session): starting over from nothing could
        // publish twice, so progress that cannot be read ends the target
        // with that reason, and the stored text is kept as it was.
        let mut progress: Progress = match serde_json::from_str(&target.progress) {
            Ok(progress) => progress,
            Err(e) => {
                let failure = Failure::new(
                    FailureKind::Invalid,
                    FailureDetail::new(
                        "progress_unreadable",
                        [("detail", Param::Text(e.to_string()))],
                    ),
                );
                return self.fail(run, &target.progress, failure).await;
            }
        };
        let Prepared {
            request,
            publisher,
            token_expires,
        } = match self.prepare(&target).await {
            Preparation::Ready(prepared) => prepared,
            Preparation::Refused(failure) => {
                return self.fail(run, &encode(&progress), failure).await;
            }
            Preparation::Unavailable(transient) => return Err(transient),
        };
        let kind = request.kind;
        let source = self.media().source();

        for _ in 0..STEPS_PER_RUN {
            if ctx.cancel.is_cancelled() {
                return Err(JobError::transient(
                    "stopped before the end; the next run resumes from the saved progress",
                ));
            }
            // A step that spends an app-wide daily budget claims it first;
            // with nothing left the target waits for the next day.
            if let Some(spend) = publisher.spend(&request, &progress, self.now())
                && let budget::Claim::Refused { used } =
                    budget::claim(self.db(), &spend.budget, &target.id, spend.admit)
                        .await
                        .map_err(db_error)?
            {
                tracing::info!(
                    %target_id,
                    bucket = %spend.budget.bucket,
                    used,
                    limit = spend.budget.limit,
                    "the app-wide daily budget is spent; the target waits"
                );
                return self
                    .on_error(run, kind, ctx, &progress, spend.refusal)
                    .await;
            }
            match publisher.step(&request, source.as_ref(), &progress).await {
                Ok(Step::Continue(next)) => {
                    progress = next;
                    let saved = store::save_progress(
                        self.db(),
                        &target.id,
                        job_id,
                        &encode(&progress),
                        self.now(),
                    )
                    .await
                    .map_err(db_error)?;
                    if !saved {
                        tracing::warn!(%target_id, job_id, "target taken over; stopping");
                        return Ok(());
                    }
                }
                Ok(Step::Wait { progress: next, at }) => {
                    return self.hand_over(run, &next, at).await;
                }
                Ok(Step::Done(published)) => {
                    // What the publisher reads from the post (a private
                    // lock) and what its warnings mean (a first comment
                    // refused for want of a permission).
                    let mut notices = publisher.notices(&published);
                    notices.extend(published.hints());
                    return self.succeed(run, published, &notices).await;
                }
                Err(error) => {
                    if error.kind == ErrorKind::Reconnect
                        && let Some(renewed) = self.renew_expired(&target, token_expires).await
                    {
                        return Err(renewed);
                    }
                    return self.on_error(run, kind, ctx, &progress, error).await;
                }
            }
        }
        let now = self.now();
        self.hand_over(run, &progress, now).await
    }

    /// Everything a publisher needs, or why the target cannot go out.
    async fn prepare(&self, target: &TargetRow) -> Preparation {
        use Preparation::{Ready, Refused, Unavailable};
        let Some(kind) = AccountKind::parse(&target.kind) else {
            return Refused(Failure::new(
                FailureKind::Misconfigured,
                FailureDetail::new(
                    "account_kind_unknown",
                    [("kind", Param::from(target.kind.as_str()))],
                ),
            ));
        };
        let Some(publisher) = self.publishers().get(kind) else {
            return Refused(Failure::new(
                FailureKind::Misconfigured,
                FailureDetail::new(
                    "provider_unavailable",
                    [("platform", Param::from(provider_name(&target.provider)))],
                ),
            ));
        };
        let Some(connection_id) = target.connection_id.as_ref() else {
            return Refused(Failure::new(
                FailureKind::Disconnected,
                account_removed(target),
            ));
        };
        let credentials = match self.connections().credentials(connection_id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                return Refused(Failure::new(
                    FailureKind::Disconnected,
                    account_removed(target),
                ));
            }
            Err(e) => {
                return Unavailable(JobError::transient(format!("credentials unavailable: {e}")));
            }
        };
        let variant: Variant = match serde_json::from_str(&target.variant) {
            Ok(variant) => variant,
            Err(e) => {
                return Refused(Failure::new(
                    FailureKind::Invalid,
                    FailureDetail::new(
                        "variant_unreadable",
                        [("detail", Param::Text(e.to_string()))],
                    ),
                ));
            }
        };
        let found = if variant.media.is_empty() {
            Vec::new()
        } else {
            match self
                .media()
                .lookup(
                    target.workspace_id.0,
                    &variant.media,
                    crate::service::MEDIA_URL_TTL,
                )
                .await
            {
                Ok(found) => found,
                Err(e) => {
                    return Unavailable(JobError::transient(format!("media lookup failed: {e}")));
                }
            }
        };
        let mut media = Vec::with_capacity(found.len());
        for (id, item) in variant.media.iter().zip(found) {
            match item {
                Some(item) => media.push(item),
                None => {
                    return Refused(Failure::new(
                        FailureKind::MediaMissing,
                        FailureDetail::new("media_deleted", [("media", Param::from(id.as_str()))]),
                    ));
                }
            }
        }
        let issues: Vec<rules::Issue> = rules::validate(kind, &variant, &media)
            .into_iter()
            .filter(|i| i.severity == rules::Severity::Error)
            .collect();
        if !issues.is_empty() {
            return Refused(Failure::new(
                FailureKind::Invalid,
                FailureDetail::rules_broken(&issues),
            ));
        }
        let token_expires = credentials.access_expires_at;
        let settings = variant.settings();
        Ready(Prepared {
            request: PublishRequest {
                kind,
                account_id: target.remote_account_id.clone(),
                access_token: credentials.access_token,
                idempotency_key: target.idempotency_key.clone(),
                format: variant.format,
                caption: variant.caption,
                title: variant.title,
                link: variant.link,
                first_comment: variant.first_comment,
                privacy: variant.privacy,
                cover_offset_ms: variant.cover_offset_ms,
                media,
                settings,
            },
            publisher,
            token_expires,
        })
    }

    /// When the platform refuses an access token that has (nearly) expired
    /// (a long wait for a quota, a refresh job behind schedule), renews it
    /// and asks for an immediate retry; `None` when that does not apply.
    async fn renew_expired(
        &self,
        target: &TargetRow,
        expires: Option<Timestamp>,
    ) -> Option<JobError> {
        let expires = expires?;
        let connection = target.connection_id.as_ref()?;
        if expires > self.now() + herald_core::SignedDuration::from_mins(5) {
            return None;
        }
        match self.connections().refresh(connection, true).await {
            Ok(herald_connections::Refreshed::Renewed { .. }) => Some(
                JobError::transient("the access token had expired and was renewed; retrying")
                    .retry_after(Duration::ZERO),
            ),
            Ok(other) => {
                tracing::warn!(target_id = %target.id, ?other, "token renewal before retry did nothing");
                None
            }
            Err(error) => {
                tracing::warn!(target_id = %target.id, %error, "token renewal before retry failed");
                None
            }
        }
    }

    /// Enqueues the target's next publish job at `at` in `tx`; its id.
    async fn follow_up(
        &self,
        tx: &mut herald_db::Tx,
        target: &TargetRow,
        at: Timestamp,
    ) -> Result<i64, JobError> {
        let next = NewJob::of(&PublishTarget {
            target_id: target.id.clone(),
        })
        .map_err(|e| JobError::permanent(e.to_string()))?
        .run_at(at);
        let next = self.queue().enqueue(tx, next).await.map_err(db_error)?;
        Ok(next.id().0)
    }

    async fn hand_over(
        &self,
        run: Run<'_>,
        progress: &Progress,
        at: Timestamp,
    ) -> Result<(), JobError> {
        let target = run.target;
        let now = self.now();
        let encoded = encode(progress);
        let mut tx = self.db().begin().await.map_err(db_error)?;
        let next = self.follow_up(&mut tx, target, at.max(now)).await?;
        if !store::hand_over(&mut tx, &target.id, run.job_id, next, &encoded, now)
            .await
            .map_err(db_error)?
        {
            // Someone else owns the target now; dropping the transaction
            // drops the follow-up job too.
            return Ok(());
        }
        store::insert_receipt(&mut tx, &run.receipt(Outcome::Waiting, &encoded, now))
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(())
    }

    async fn succeed(
        &self,
        run: Run<'_>,
        published: Published,
        notices: &[Hint],
    ) -> Result<(), JobError> {
        let target = run.target;
        let now = self.now();
        let encoded = encode(&published.progress);
        // What the person should know although it went out, kept on the
        // target (shown with the post) and on the receipt.
        let notice = noticed(notices, provider_name(&target.provider))
            .map(|detail| serde_json::to_string(&detail))
            .transpose()
            .map_err(|e| JobError::permanent(format!("the notice could not be encoded: {e}")))?;
        let mut tx = self.db().begin().await.map_err(db_error)?;
        if !store::finish_published(
            &mut tx,
            run.fence(),
            &published.remote_id,
            published.permalink.as_deref(),
            &encoded,
            notice.as_deref(),
            now,
        )
        .await
        .map_err(db_error)?
        {
            tracing::error!(
                target_id = %target.id,
                remote_id = %published.remote_id,
                "published, but the target was taken over meanwhile"
            );
            return Ok(());
        }
        let warning = (!published.warnings.is_empty()).then(|| published.warnings.join(" "));
        let receipt_warning =
            (warning.is_some() || notice.is_some()).then_some(store::ReceiptError {
                kind: "warning",
                code: None,
                message: warning.as_deref(),
                detail: notice.as_deref(),
            });
        store::insert_receipt(
            &mut tx,
            &NewReceipt {
                remote_id: Some(&published.remote_id),
                permalink: published.permalink.as_deref(),
                error: receipt_warning,
                ..run.receipt(Outcome::Published, &encoded, now)
            },
        )
        .await
        .map_err(db_error)?;
        events::published(self.outbox(), &mut tx, target, run.attempt, &published, now)
            .await
            .map_err(db_error)?;
        // Its id comes later (TikTok: after moderation): a bounded job
        // looks for it.
        if published
            .progress
            .contains_key(herald_platforms::POST_ID_PENDING)
        {
            let backfill = crate::backfill::first_job(&target.id, now)
                .map_err(|e| JobError::permanent(e.to_string()))?;
            self.queue()
                .enqueue(&mut tx, backfill)
                .await
                .map_err(db_error)?;
        }
        self.refresh_status(&mut tx, &target.post_id)
            .await
            .map_err(|e| JobError::transient(e.to_string()))?;
        tx.commit().await.map_err(db_error)?;
        tracing::info!(
            target_id = %target.id,
            provider = %target.provider,
            remote_id = %published.remote_id,
            attempt = run.attempt,
            notices = %notices.iter().map(|h| h.code.as_str()).collect::<Vec<_>>().join(" "),
            "published"
        );
        Ok(())
    }

    async fn on_error(
        &self,
        run: Run<'_>,
        kind: AccountKind,
        ctx: &JobContext,
        progress: &Progress,
        error: PlatformError,
    ) -> Result<(), JobError> {
        let (target, attempt) = (run.target, run.attempt);
        if let ErrorKind::Postponed { until } = error.kind {
            let due = target.due_at.map_or(run.started, |t| t.0);
            if until <= due + MAX_POSTPONED {
                return self.postpone(run, progress, until, &error).await;
            }
        }
        let retryable = matches!(
            error.kind,
            ErrorKind::RateLimited { .. } | ErrorKind::Unavailable | ErrorKind::OutcomeUnknown
        );
        if retryable && !ctx.is_last_attempt() {
            let now = self.now();
            let mut tx = self.db().begin().await.map_err(db_error)?;
            let encoded = encode(progress);
            store::insert_receipt(
                &mut tx,
                &NewReceipt {
                    error: Some(store::ReceiptError {
                        kind: error.kind.as_str(),
                        code: error.code.as_deref(),
                        message: Some(&error.message),
                        detail: None,
                    }),
                    ..run.receipt(Outcome::Retrying, &encoded, now)
                },
            )
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            tracing::warn!(
                target_id = %target.id,
                account_kind = kind.as_str(),
                attempt,
                error = %error,
                "publish attempt failed; retrying"
            );
            let mut job_error = JobError::transient(error.to_string());
            if let ErrorKind::RateLimited { until: Some(until) } = error.kind {
                let wait = until
                    .duration_since(now)
                    .max(herald_core::SignedDuration::ZERO);
                job_error =
                    job_error.retry_after(Duration::try_from(wait).unwrap_or(Duration::ZERO));
            }
            return Err(job_error);
        }
        let failure_kind = match &error.kind {
            ErrorKind::Reconnect => FailureKind::Reconnect,
            ErrorKind::Reconsent { .. } => FailureKind::Reconsent,
            ErrorKind::BadRequest => FailureKind::Rejected,
            ErrorKind::Misconfigured => FailureKind::Misconfigured,
            ErrorKind::RateLimited { .. } | ErrorKind::Postponed { .. } => FailureKind::Quota,
            ErrorKind::Unavailable => FailureKind::Unavailable,
            ErrorKind::OutcomeUnknown => FailureKind::Unconfirmed,
        };
        let platform = ("platform", Param::from(provider_name(&target.provider)));
        let said = ("detail", Param::Text(error.message.clone()));
        let detail = match (&error.kind, failure_kind) {
            _ if error.hint.is_some() => hinted(&error, platform.1.clone()),
            (_, FailureKind::Unconfirmed) => {
                FailureDetail::new("platform_unconfirmed", [platform, said])
            }
            (_, FailureKind::Quota | FailureKind::Unavailable) => FailureDetail::new(
                "platform_kept_refusing",
                [
                    platform,
                    said,
                    ("attempts", Param::Count(attempt.max(0) as u64)),
                ],
            ),
            (ErrorKind::Reconsent { scopes }, _) if !scopes.is_empty() => FailureDetail::new(
                "platform_said_missing_scopes",
                [platform, said, ("scopes", Param::List(scopes.clone()))],
            ),
            _ => FailureDetail::new("platform_said", [platform, said]),
        };
        self.fail(
            run,
            &encode(progress),
            Failure {
                kind: failure_kind,
                code: error.code.clone(),
                message: Some(error.message.clone()),
                detail,
            },
        )
        .await
    }

    /// The platform will take the target later: a fresh job at `until`
    /// resumes from the saved progress (no attempt is spent), and the
    /// target says why it waits until then.
    async fn postpone(
        &self,
        run: Run<'_>,
        progress: &Progress,
        until: Timestamp,
        error: &PlatformError,
    ) -> Result<(), JobError> {
        let target = run.target;
        let now = self.now();
        let encoded = encode(progress);
        let platform = Param::from(provider_name(&target.provider));
        let mut detail = hinted(error, platform);
        detail.params.insert("until".to_owned(), Param::Time(until));
        let detail = serde_json::to_string(&detail)
            .map_err(|e| JobError::permanent(format!("the reason could not be encoded: {e}")))?;
        let reason = store::ReceiptError {
            kind: error.kind.as_str(),
            code: error.code.as_deref(),
            message: Some(&error.message),
            detail: Some(&detail),
        };
        let mut tx = self.db().begin().await.map_err(db_error)?;
        let next = self.follow_up(&mut tx, target, until.max(now)).await?;
        if !store::postpone(&mut tx, &target.id, run.job_id, next, &encoded, reason, now)
            .await
            .map_err(db_error)?
        {
            return Ok(());
        }
        store::insert_receipt(
            &mut tx,
            &NewReceipt {
                error: Some(reason),
                ..run.receipt(Outcome::Waiting, &encoded, now)
            },
        )
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::info!(
            target_id = %target.id,
            provider = %target.provider,
            until = %until,
            reason = error.hint.as_ref().map_or("", |h| h.code.as_str()),
            "the platform postponed the post"
        );
        Ok(())
    }

    async fn fail(&self, run: Run<'_>, encoded: &str, failure: Failure) -> Result<(), JobError> {
        let target = run.target;
        let now = self.now();
        let detail = serde_json::to_string(&failure.detail)
            .map_err(|e| JobError::permanent(format!("the failure could not be encoded: {e}")))?;
        let error = store::ReceiptError {
            kind: failure.kind.as_str(),
            code: failure.code.as_deref(),
            message: failure.message.as_deref(),
            detail: Some(&detail),
        };
        let mut tx = self.db().begin().await.map_err(db_error)?;
        if !store::finish_failed(&mut tx, run.fence(), error, Some(encoded), now)
            .await
            .map_err(db_error)?
        {
            return Ok(());
        }
        store::insert_receipt(
            &mut tx,
            &NewReceipt {
                error: Some(error),
                ..run.receipt(Outcome::Failed, encoded, now)
            },
        )
        .await
        .map_err(db_error)?;
        let message = failure
            .message
            .clone()
            .unwrap_or_else(|| failure.detail.codes());
        events::failed(
            self.outbox(),
            &mut tx,
            target,
            run.attempt,
            failure.kind,
            message,
            now,
        )
        .await
        .map_err(db_error)?;
        self.refresh_status(&mut tx, &target.post_id)
            .await
            .map_err(|e| JobError::transient(e.to_string()))?;
        self.tell_author(&mut tx, target, failure.kind, now)
            .await
            .map_err(|e| JobError::transient(format!("could not tell the author: {e}")))?;
        tx.commit().await.map_err(db_error)?;
        tracing::warn!(
            target_id = %target.id,
            provider = %target.provider,
            reason = failure.kind.as_str(),
            detail = %failure.detail.codes(),
            message = failure.message.as_deref().unwrap_or(""),
            "publish failed"
        );
        Ok(())
    }
}

impl Dispatcher {
    /// Tells the post's author (or, when they left, those who may publish)
    /// that one of its targets failed or went unconfirmed, in `tx`.
    async fn tell_author(
        &self,
        tx: &mut herald_db::Tx,
        target: &TargetRow,
        kind: FailureKind,
        now: Timestamp,
    ) -> Result<(), String> {
        let post = store::post_in_tx(tx, &target.post_id)
            .await
            .map_err(|e| e.to_string())?;
        let author: Vec<herald_core::UserId> =
            post.and_then(|p| p.created_by).into_iter().collect();
        let targets = store::targets_of_in_tx(tx, &target.post_id)
            .await
            .map_err(|e| e.to_string())?;
        let summary = crate::service::approval_summary(&targets);
        let news_kind = if kind == FailureKind::Unconfirmed {
            crate::PostNewsKind::Unconfirmed
        } else {
            crate::PostNewsKind::Failed
        };
        self.deps
            .notifier
            .tell(
                tx,
                &crate::PostNews {
                    workspace: target.workspace_id,
                    to: &author,
                    kind: news_kind,
                    post: &target.post_id,
                    summary: &summary,
                    by: None,
                    at: now,
                    failure: Some(crate::PostFailure {
                        target: &target.id,
                        platform: provider_name(&target.provider),
                        account: &target.account_name,
                        reason: kind.as_str(),
                    }),
                },
            )
            .await
    }
}

fn encode(progress: &Progress) -> String {
    serde_json::to_string(progress).unwrap_or_else(|_| "{}".to_owned())
}

/// The platform's name, or its stored id when this version does not know it.
fn provider_name(provider: &str) -> &str {
    match herald_platforms::ProviderId::parse(provider) {
        Some(p) => p.name(),
        None => provider,
    }
}

/// The detail of an error whose adapter said exactly what happened: the
/// hint's code and values, with the platform and its own words.
fn hinted(error: &PlatformError, platform: Param) -> FailureDetail {
    hint_detail(error.hint.as_deref(), platform, &error.message)
}

/// `platform_said` with the platform's words `said`, or, when the adapter
/// gave a hint, the hint's code with its values added.
fn hint_detail(hint: Option<&Hint>, platform: Param, said: &str) -> FailureDetail {
    let mut detail = FailureDetail::new(
        "platform_said",
        [
            ("platform", platform),
            ("detail", Param::Text(said.to_owned())),
        ],
    );
    if let Some(hint) = hint {
        detail.code = hint.code.clone();
        for (key, value) in &hint.params {
            detail
                .params
                .insert(key.clone(), Param::Text(value.clone()));
        }
    }
    detail
}

/// The notices of a published post as one detail: the first, with the
/// others as its issues (each with the platform's name, like a hint).
fn noticed(notices: &[Hint], platform: &str) -> Option<FailureDetail> {
    let detail = |hint: &Hint| hint_detail(Some(hint), Param::from(platform), "");
    let (first, rest) = notices.split_first()?;
    let mut out = detail(first);
    out.issues = rest.iter().map(detail).collect();
    Some(out)
}

fn account_removed(target: &TargetRow) -> FailureDetail {
    FailureDetail::new(
        "account_removed",
        [("account", Param::from(target.account_name.as_str()))],
    )
}
