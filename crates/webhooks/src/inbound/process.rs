//! The `webhooks.process.v1` job: route a stored delivery's entries to the
//! connected accounts they concern and apply the changes, exactly once.
//!
//! - **Routing**: each entry's `id` (an Instagram user id or a Page id) is
//!   matched to every connection of a fitting kind with that `remote_id`,
//!   in any workspace. The routes are written with the changes, and again
//!   with the failed attempt when applying fails, so the delivery shows in
//!   those workspaces' history either way.
//! - **Applying** happens in one transaction with the routes, the attempt
//!   row and the delivery's new status: the changes exist exactly when the
//!   attempt that made them is recorded. The transaction starts by writing the
//!   delivery row, which serialises concurrent runs for one delivery (a
//!   row lock on PostgreSQL, the write lock on SQLite). Changes are
//!   upserts keyed by the platform's ids, so a replay updates instead of
//!   duplicating, and a replay of an older delivery never overwrites what
//!   a newer one said.
//! - **Exactly once per job**: a job that already has a successful attempt
//!   row (it committed, then its worker died before the queue heard) does
//!   nothing when it runs again; a run whose attempt is already recorded
//!   reports the recorded outcome. A replay is a new job and so a new
//!   attempt.
//! - **Failures** are recorded as a failed attempt in a transaction of
//!   their own, then retried on [`crate::RETRY_SCHEDULE`]; the last one
//!   leaves the delivery dead and tells the workspaces it was routed to.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use herald_core::WorkspaceId;
use herald_db::DbTime;
use herald_db::{DbError, Tx, on_tx};
use herald_jobs::{Handler, JobContext, JobError, JobPayload};
use serde::{Deserialize, Serialize};

use super::metrics as m;
use super::parse::{Payload, StoryInsights};
use super::plan::{
    Item, ItemKind, Notice, Plan, Tally, excerpt, micros, plan_change, plan_messaging,
};
use super::{AttemptSummary, Inbound, delivery_link};
use crate::{RETRY_SCHEDULE, WebhooksError};
use herald_notify::{Audience, NotificationKind, Raise};

/// Process one stored delivery. `replay_by` is set when a person asked for
/// this run (it is recorded on the attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessDelivery {
    pub delivery: i64,
    #[serde(default)]
    pub replay_by: Option<i64>,
}

impl JobPayload for ProcessDelivery {
    const KIND: &'static str = "webhooks.process.v1";
    const QUEUE: &'static str = "webhooks";
    /// The first attempt and one per entry of the retry schedule.
    const MAX_ATTEMPTS: i32 = 1 + RETRY_SCHEDULE.len() as i32;
}

pub(crate) struct ProcessHandler(pub Inbound);

#[async_trait]
impl Handler<ProcessDelivery> for ProcessHandler {
    async fn run(&self, job: ProcessDelivery, ctx: &JobContext) -> Result<(), JobError> {
        self.0.process(&job, ctx).await
    }
}

/// The connection kinds an `object` can concern: Instagram accounts from
/// either login, or Facebook Pages. Other objects (`user`, `permissions`,
/// …) concern no connected account.
pub(crate) fn kinds_for(object: &str) -> &'static [&'static str] {
    match object {
        "instagram" => &["instagram_business", "instagram_account"],
        "page" => &["facebook_page"],
        _ => &[],
    }
}

/// One run of the job, as recorded on its attempt.
struct Run {
    delivery: i64,
    job_id: i64,
    job_attempt: i64,
    replay_by: Option<i64>,
    started: Timestamp,
}

enum Outcome {
    Applied,
    /// Nothing to do: the delivery is gone, or this job already applied it.
    Skipped,
    /// This very run was already recorded as failed (its error).
    AlreadyFailed(String),
}

/// Why a run failed: `permanent` failures will not get better by waiting.
struct Failure {
    message: String,
    permanent: bool,
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        Failure {
            message: crate::error::describe(&e),
            permanent: false,
        }
    }
}

impl From<WebhooksError> for Failure {
    fn from(e: WebhooksError) -> Self {
        Failure {
            message: crate::error::describe(&e),
            permanent: false,
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::from(DbError::from(e))
    }
}

/// A connected account a delivery was routed to.
#[derive(Debug, Clone, sqlx::FromRow)]
struct RouteRow {
    connection_id: String,
    workspace_id: WorkspaceId,
    remote_id: String,
    name: String,
}

impl Inbound {
    /// Runs one attempt of a processing job: the job handler's step,
    /// callable without the worker (tests, one-off tools).
    pub async fn process(&self, job: &ProcessDelivery, ctx: &JobContext) -> Result<(), JobError> {
        // Deliveries being received in this process go first.
        let _turn = self.inner.gate.for_processing().await;
        let run = Run {
            delivery: job.delivery,
            job_id: ctx.id.0,
            job_attempt: i64::from(ctx.attempt),
            replay_by: job.replay_by,
            started: self.inner.clock.now(),
        };
        match self.try_process(&run).await {
            Ok(Outcome::Applied) => {
                metrics::counter!(m::PROCESSED).increment(1);
                Ok(())
            }
            Ok(Outcome::Skipped) => Ok(()),
            Ok(Outcome::AlreadyFailed(message)) => Err(retry_error(message, false, ctx)),
            Err(failure) => {
                let dead = failure.permanent || ctx.is_last_attempt();
                if let Err(e) = self.record_failure(&run, &failure.message, dead).await {
                    // The job's own retry still follows; the next attempt
                    // records itself.
                    tracing::error!(delivery = run.delivery, error = %crate::error::describe(&e), "could not record a failed webhook attempt");
                }
                metrics::counter!(m::FAILED).increment(1);
                if dead {
                    metrics::counter!(m::DEAD).increment(1);
                    tracing::error!(delivery = run.delivery, error = %failure.message, "webhook delivery is dead");
                } else {
                    tracing::warn!(delivery = run.delivery, attempt = run.job_attempt, error = %failure.message, "webhook processing failed; will retry");
                }
                Err(retry_error(failure.message, dead, ctx))
            }
        }
    }

    /// Applies the delivery in one transaction, committed only when every
    /// entry was applied (and rolled back explicitly otherwise, so the
    /// failure can be recorded at once on SQLite).
    async fn try_process(&self, run: &Run) -> Result<Outcome, Failure> {
        let mut tx = self.inner.db.begin().await?;
        match self.apply(&mut tx, run).await {
            Ok(Outcome::Applied) => {
                tx.commit().await?;
                Ok(Outcome::Applied)
            }
            Ok(other) => {
                tx.rollback().await?;
                Ok(other)
            }
            Err(failure) => {
                if let Err(e) = tx.rollback().await {
                    tracing::warn!(error = %e, "rolling back a failed webhook attempt failed");
                }
                Err(failure)
            }
        }
    }

    async fn apply(&self, tx: &mut Tx, run: &Run) -> Result<Outcome, Failure> {
        // Written first: takes the delivery's row (PostgreSQL) or the
        // database's write lock (SQLite) before anything is read, and
        // reads the delivery in the same statement.
        let stored: Option<(String, String, String, bool)> = on_tx!(tx, |conn| {
            sqlx::query_as(
                "UPDATE webhook_deliveries SET updated_at = $1 WHERE id = $2 \
                 RETURNING object, body, app, sandbox",
            )
            .bind(DbTime(run.started))
            .bind(run.delivery)
            .fetch_optional(conn)
            .await?
        });
        let Some((object, body, app, sandbox)) = stored else {
            tracing::warn!(
                delivery = run.delivery,
                "webhook delivery no longer exists; nothing to process"
            );
            return Ok(Outcome::Skipped);
        };
        let recorded: Option<(bool, Option<String>)> = on_tx!(tx, |conn| {
            sqlx::query_as(
                "SELECT succeeded, error FROM webhook_attempts \
                 WHERE job_id = $1 AND (succeeded OR job_attempt = $2) \
                 ORDER BY succeeded DESC LIMIT 1",
            )
            .bind(run.job_id)
            .bind(run.job_attempt)
            .fetch_optional(conn)
            .await?
        });
        match recorded {
            Some((true, _)) => {
                tracing::info!(
                    delivery = run.delivery,
                    job = run.job_id,
                    "this job already applied the delivery"
                );
                return Ok(Outcome::Skipped);
            }
            Some((false, error)) => {
                return Ok(Outcome::AlreadyFailed(error.unwrap_or_default()));
            }
            None => {}
        }
        let payload: Payload = serde_json::from_str(&body).map_err(|e| Failure {
            message: format!("the stored payload is not a webhook payload: {e}"),
            permanent: true,
        })?;
        let ids: Vec<&str> = payload
            .entry
            .iter()
            .filter_map(|e| e.id.as_ref().map(|i| i.0.as_str()))
            .collect();
        let kinds = kinds_for(&object);
        let from = Origin {
            provider: &app,
            sandbox,
        };
        route(tx, run.delivery, from, &ids, kinds, run.started).await?;
        write_views(tx, run.delivery, &body).await?;
        let routes: Vec<RouteRow> = on_tx!(tx, |conn| {
            sqlx::query_as(
                "SELECT r.connection_id, r.workspace_id, r.remote_id, c.name \
                 FROM webhook_routes r JOIN connections c ON c.id = r.connection_id \
                 WHERE r.delivery_id = $1 ORDER BY r.workspace_id, r.connection_id",
            )
            .bind(run.delivery)
            .fetch_all(conn)
            .await?
        });

        let mut apply = Apply {
            delivery: run.delivery,
            now: run.started,
            tally: Tally::default(),
            per_workspace: BTreeMap::new(),
            notices: BTreeMap::new(),
            inbox_changed: BTreeSet::new(),
        };
        let supported = !kinds.is_empty();
        for entry in &payload.entry {
            let changes = entry.changes.len() + entry.messaging.len();
            let Some(id) = entry.id.as_ref().filter(|_| supported) else {
                apply.tally.ignored += changes;
                continue;
            };
            let targets: Vec<&RouteRow> = routes.iter().filter(|r| r.remote_id == id.0).collect();
            if targets.is_empty() {
                if !apply.tally.unrouted.contains(&id.0) {
                    apply.tally.unrouted.push(id.0.clone());
                }
                continue;
            }
            let entry_time = entry.time.as_ref().and_then(micros);
            for change in &entry.changes {
                let plan = plan_change(&object, &change.field, &change.value, entry_time);
                apply.apply(tx, &targets, plan).await?;
            }
            for message in &entry.messaging {
                let plan = plan_messaging(message, &id.0);
                apply.apply(tx, &targets, plan).await?;
            }
        }

        let summary = apply.tally.summary();
        let finished = self.inner.clock.now();
        // Each routed workspace reads its own counts only.
        let mut summaries: BTreeMap<String, AttemptSummary> = routes
            .iter()
            .map(|r| (r.workspace_id.to_string(), Tally::default().summary()))
            .collect();
        for (workspace, tally) in &apply.per_workspace {
            summaries.insert(workspace.to_string(), tally.summary());
        }
        let unencodable = |e: serde_json::Error| Failure {
            message: format!("the attempt's summaries could not be encoded: {e}"),
            permanent: true,
        };
        let summaries = serde_json::to_string(&summaries).map_err(unencodable)?;
        let stored = summary.to_stored().map_err(unencodable)?;
        insert_attempt(tx, run, true, &stored, Some(&summaries), None, finished).await?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'processed', \
                 attempts = (SELECT MAX(a.number) FROM webhook_attempts a WHERE a.delivery_id = $1), \
                 last_error = NULL, processed_at = $2, updated_at = $2 WHERE id = $1",
            )
            .bind(run.delivery)
            .bind(DbTime(finished))
            .execute(conn)
            .await?;
        });
        let link = delivery_link(run.delivery);
        for ((workspace, _, kind), notice) in &apply.notices {
            let notice = notice.notice(*kind);
            let raise =
                Raise::new(WorkspaceId(*workspace), Audience::Everyone, *kind, &notice).link(&link);
            crate::notify(&self.inner.queue, tx, &raise, run.started).await?;
        }
        for workspace in &apply.inbox_changed {
            crate::inbox::notify_live(&self.inner.queue, tx, *workspace).await?;
        }
        tracing::debug!(delivery = run.delivery, summary = ?summary, "webhook delivery processed");
        Ok(Outcome::Applied)
    }

    /// Records a failed attempt and the delivery's new status, routing it
    /// first (from the entry ids stored at receipt) so the workspaces it
    /// concerns see it even though nothing was applied; when it is dead,
    /// they are told.
    async fn record_failure(
        &self,
        run: &Run,
        error: &str,
        dead: bool,
    ) -> Result<(), WebhooksError> {
        let now = self.inner.clock.now();
        let mut tx = self.inner.db.begin().await?;
        // As in `apply`: the delivery's row first, so concurrent runs
        // number their attempts one after the other.
        let stored: Option<(String, String, String, bool, String)> = on_tx!(tx, |conn| {
            sqlx::query_as(
                "UPDATE webhook_deliveries SET updated_at = $1 WHERE id = $2 \
                 RETURNING object, entry_ids, app, sandbox, body",
            )
            .bind(DbTime(now))
            .bind(run.delivery)
            .fetch_optional(conn)
            .await?
        });
        let Some((object, entry_ids, app, sandbox, body)) = stored else {
            return Ok(());
        };
        let ids: Vec<String> = serde_json::from_str(&entry_ids).unwrap_or_default();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let from = Origin {
            provider: &app,
            sandbox,
        };
        route(&mut tx, run.delivery, from, &ids, kinds_for(&object), now).await?;
        write_views(&mut tx, run.delivery, &body).await?;
        let summary = if dead {
            AttemptSummary::Dead
        } else {
            AttemptSummary::Retrying
        };
        let stored = summary.to_stored().map_err(WebhooksError::Encode)?;
        insert_attempt(&mut tx, run, false, &stored, None, Some(error), now).await?;
        let status = if dead { "dead" } else { "retrying" };
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, \
                 attempts = (SELECT MAX(a.number) FROM webhook_attempts a WHERE a.delivery_id = $2), \
                 last_error = $3, updated_at = $4 WHERE id = $2",
            )
            .bind(status)
            .bind(run.delivery)
            .bind(error)
            .bind(DbTime(now))
            .execute(conn)
            .await?;
        });
        if dead {
            let workspaces: Vec<i64> = on_tx!(tx, |conn| {
                sqlx::query_scalar(
                    "SELECT DISTINCT workspace_id FROM webhook_routes WHERE delivery_id = $1",
                )
                .bind(run.delivery)
                .fetch_all(conn)
                .await?
            });
            let notice = herald_notify::Notice::new(
                "delivery_dead",
                [
                    ("delivery", run.delivery.to_string().into()),
                    ("error", excerpt(error, 160).into()),
                ],
            );
            let link = delivery_link(run.delivery);
            for workspace in workspaces {
                let key = format!("delivery_dead:{}", run.delivery);
                let raise = Raise::new(
                    WorkspaceId(workspace),
                    Audience::Permitted(herald_accounts::Permission::ManageWebhooks),
                    NotificationKind::DeliveryDead,
                    &notice,
                )
                .link(&link)
                .key(&key);
                crate::notify(&self.inner.queue, &mut tx, &raise, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The job error for a failed run: retried after the schedule's next delay,
/// or (when `dead`) not at all.
fn retry_error(message: String, dead: bool, ctx: &JobContext) -> JobError {
    if dead || ctx.is_last_attempt() {
        return JobError::permanent(message);
    }
    let retry = usize::try_from(ctx.attempt).unwrap_or(1);
    let delay = crate::retry_delay(retry)
        .or_else(|| RETRY_SCHEDULE.last().copied())
        .unwrap_or(Duration::ZERO);
    JobError::transient(message).retry_after(delay)
}

/// Which connections a delivery may reach: those made through the app it
/// came to (the provider of the same name), sandbox ones only when it was
/// verified with the sandbox's secret and real ones only otherwise.
#[derive(Debug, Clone, Copy)]
struct Origin<'a> {
    provider: &'a str,
    sandbox: bool,
}

/// Routes `delivery` to every connection from `from` of one of `kinds`
/// (those of the payload's object) whose remote id is among the entry
/// `ids`; routes that exist already are kept.
async fn route(
    tx: &mut Tx,
    delivery: i64,
    from: Origin<'_>,
    ids: &[&str],
    kinds: &[&str],
    now: Timestamp,
) -> Result<(), DbError> {
    if kinds.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        on_tx!(tx, |conn| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO webhook_routes (delivery_id, connection_id, workspace_id, remote_id, created_at) SELECT ",
            );
            qb.push_bind(delivery)
                .push(", c.id, c.workspace_id, c.remote_id, ")
                .push_bind(DbTime(now))
                .push(" FROM connections c WHERE c.provider = ")
                .push_bind(from.provider)
                .push(" AND c.sandbox = ")
                .push_bind(from.sandbox)
                .push(" AND c.kind IN (");
            let mut list = qb.separated(", ");
            for kind in kinds {
                list.push_bind(*kind);
            }
            qb.push(") AND c.remote_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ON CONFLICT (delivery_id, connection_id) DO NOTHING");
            qb.build().execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// Writes the attempt row of `run`, numbered after the delivery's previous
/// attempts. A run recorded already (same job and job attempt) is left as
/// it was.
/// `summaries` holds each routed workspace's own summary (JSON).
async fn insert_attempt(
    tx: &mut Tx,
    run: &Run,
    succeeded: bool,
    summary: &str,
    summaries: Option<&str>,
    error: Option<&str>,
    finished: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, number, job_id, job_attempt, replay, \
             replay_by, started_at, finished_at, succeeded, summary, error, summaries) \
             SELECT $1, COALESCE(MAX(a.number), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
             FROM webhook_attempts a WHERE a.delivery_id = $1 \
             ON CONFLICT (job_id, job_attempt) DO NOTHING",
        )
        .bind(run.delivery)
        .bind(run.job_id)
        .bind(run.job_attempt)
        .bind(run.replay_by.is_some())
        .bind(run.replay_by)
        .bind(DbTime(run.started))
        .bind(DbTime(finished))
        .bind(succeeded)
        .bind(summary)
        .bind(error)
        .bind(summaries)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Writes (or rewrites, when routes were added) each routed workspace's
/// slice of `delivery` (see [`super::view`]).
pub(crate) async fn write_views(tx: &mut Tx, delivery: i64, body: &str) -> Result<(), DbError> {
    let routed: Vec<(i64, String)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT workspace_id, remote_id FROM webhook_routes WHERE delivery_id = $1 \
             ORDER BY workspace_id",
        )
        .bind(delivery)
        .fetch_all(conn)
        .await?
    });
    let mut by_workspace: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (workspace, remote_id) in &routed {
        by_workspace.entry(*workspace).or_default().push(remote_id);
    }
    for (workspace, ids) in by_workspace {
        let Some(view) = super::view::view(body, &ids) else {
            continue;
        };
        let entry_ids = serde_json::to_string(&view.entry_ids).unwrap_or_else(|_| "[]".into());
        let fields = serde_json::to_string(&view.fields).unwrap_or_else(|_| "[]".into());
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO webhook_views (delivery_id, workspace_id, entry_ids, entries, fields, size, body) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (delivery_id, workspace_id) DO UPDATE SET entry_ids = $3, \
                 entries = $4, fields = $5, size = $6, body = $7",
            )
            .bind(delivery)
            .bind(workspace)
            .bind(&entry_ids)
            .bind(view.entries as i64)
            .bind(&fields)
            .bind(view.body.len() as i64)
            .bind(&view.body)
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(())
}

struct Apply {
    delivery: i64,
    now: Timestamp,
    tally: Tally,
    /// What each routed workspace got (it sees only its own).
    per_workspace: BTreeMap<i64, Tally>,
    /// (workspace, connection, kind) → what to tell.
    notices: BTreeMap<(i64, String, NotificationKind), Notice>,
    /// Workspaces whose inbox items this delivery wrote (their live
    /// streams are woken).
    inbox_changed: BTreeSet<WorkspaceId>,
}

impl Apply {
    async fn apply(
        &mut self,
        tx: &mut Tx,
        targets: &[&RouteRow],
        plan: Plan,
    ) -> Result<(), DbError> {
        // Counted once for the delivery and once for each workspace the
        // entry was routed to.
        let mut workspaces: Vec<WorkspaceId> = targets.iter().map(|t| t.workspace_id).collect();
        workspaces.sort_unstable();
        workspaces.dedup();
        let mut count = |f: fn(&mut Tally)| {
            f(&mut self.tally);
            for w in &workspaces {
                f(self.per_workspace.entry(w.0).or_default());
            }
        };
        match &plan {
            Plan::Ignored => count(|t| t.ignored += 1),
            Plan::Item(item) => match (item.removed, item.kind) {
                (true, _) => count(|t| t.removed += 1),
                (false, ItemKind::Comment) => count(|t| t.comments += 1),
                (false, ItemKind::Mention) => count(|t| t.mentions += 1),
                (false, ItemKind::Message) => count(|t| t.messages += 1),
            },
            Plan::Insights(_) => count(|t| t.insights += 1),
        }
        match plan {
            Plan::Ignored => {}
            Plan::Item(item) => {
                for target in targets {
                    let new = upsert_item(
                        tx,
                        target.workspace_id,
                        &target.connection_id,
                        &item,
                        Some(self.delivery),
                        self.now,
                    )
                    .await?;
                    self.inbox_changed.insert(target.workspace_id);
                    if new && item.notify {
                        self.notice(target, item.kind.notification(), Some(&item));
                    }
                }
            }
            Plan::Insights(insights) => {
                for target in targets {
                    if upsert_insights(tx, target, &insights, self.delivery, self.now).await? {
                        self.notice(target, NotificationKind::StoryInsights, None);
                    }
                }
            }
        }
        Ok(())
    }

    /// Counts one more new thing for `target`'s notice of `kind`; the
    /// first `item` (if any) gives the notice its author and text.
    fn notice(&mut self, target: &RouteRow, kind: NotificationKind, item: Option<&Item>) {
        let notice = self
            .notices
            .entry((target.workspace_id.0, target.connection_id.clone(), kind))
            .or_insert_with(|| Notice {
                account: target.name.clone(),
                count: 0,
                author: item.and_then(|i| i.author_name.clone()),
                handle: item.is_some_and(|i| i.handle),
                text: item.and_then(|i| i.text.clone()),
            });
        notice.count += 1;
    }
}

/// Inserts or updates an inbox item; `true` when it is new. An update from
/// an older delivery than the one that last wrote the item changes
/// nothing.
///
/// Shared with the inbox's YouTube polling, whose items come from no
/// delivery (`None`: stored as delivery 0, which every later poll may
/// update).
pub(crate) async fn upsert_item(
    tx: &mut Tx,
    workspace: WorkspaceId,
    connection: &str,
    item: &Item,
    delivery: Option<i64>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let state = if item.removed { "removed" } else { "new" };
    let last_delivery = delivery.unwrap_or(0);
    let inserted: Option<i64> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO inbox_items (workspace_id, connection_id, kind, remote_id, parent_id, \
             media_id, author_id, author_name, text, remote_created_at, state, first_delivery_id, \
             last_delivery_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
             ON CONFLICT (connection_id, kind, remote_id) DO NOTHING RETURNING id",
        )
        .bind(workspace)
        .bind(connection)
        .bind(item.kind.as_str())
        .bind(&item.remote_id)
        .bind(&item.parent_id)
        .bind(&item.media_id)
        .bind(&item.author_id)
        .bind(&item.author_name)
        .bind(&item.text)
        .bind(item.remote_created_at)
        .bind(state)
        .bind(delivery)
        .bind(last_delivery)
        .bind(DbTime(now))
        .fetch_optional(conn)
        .await?
    });
    if inserted.is_some() {
        return Ok(true);
    }
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE inbox_items SET parent_id = COALESCE($1, parent_id), \
             media_id = COALESCE($2, media_id), author_id = COALESCE($3, author_id), \
             author_name = COALESCE($4, author_name), text = COALESCE($5, text), \
             remote_created_at = COALESCE($6, remote_created_at), state = $7, \
             last_delivery_id = $8, updated_at = $9 \
             WHERE connection_id = $10 AND kind = $11 AND remote_id = $12 AND last_delivery_id <= $8",
        )
        .bind(&item.parent_id)
        .bind(&item.media_id)
        .bind(&item.author_id)
        .bind(&item.author_name)
        .bind(&item.text)
        .bind(item.remote_created_at)
        .bind(state)
        .bind(last_delivery)
        .bind(DbTime(now))
        .bind(connection)
        .bind(item.kind.as_str())
        .bind(&item.remote_id)
        .execute(conn)
        .await?;
    });
    Ok(false)
}

/// Inserts or updates a story's insights; `true` when the story is new.
async fn upsert_insights(
    tx: &mut Tx,
    target: &RouteRow,
    s: &StoryInsights,
    delivery: i64,
    now: Timestamp,
) -> Result<bool, DbError> {
    let inserted: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO story_insights (connection_id, media_id, workspace_id, impressions, \
             reach, taps_forward, taps_back, exits, replies, delivery_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (connection_id, media_id) DO NOTHING RETURNING media_id",
        )
        .bind(&target.connection_id)
        .bind(&s.media_id.0)
        .bind(target.workspace_id)
        .bind(s.impressions)
        .bind(s.reach)
        .bind(s.taps_forward)
        .bind(s.taps_back)
        .bind(s.exits)
        .bind(s.replies)
        .bind(delivery)
        .bind(DbTime(now))
        .fetch_optional(conn)
        .await?
    });
    if inserted.is_some() {
        return Ok(true);
    }
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE story_insights SET impressions = COALESCE($1, impressions), \
             reach = COALESCE($2, reach), taps_forward = COALESCE($3, taps_forward), \
             taps_back = COALESCE($4, taps_back), exits = COALESCE($5, exits), \
             replies = COALESCE($6, replies), delivery_id = $7, updated_at = $8 \
             WHERE connection_id = $9 AND media_id = $10 AND delivery_id <= $7",
        )
        .bind(s.impressions)
        .bind(s.reach)
        .bind(s.taps_forward)
        .bind(s.taps_back)
        .bind(s.exits)
        .bind(s.replies)
        .bind(delivery)
        .bind(DbTime(now))
        .bind(&target.connection_id)
        .bind(&s.media_id.0)
        .execute(conn)
        .await?;
    });
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_gets_one_attempt_per_scheduled_retry_plus_the_first() {
        assert_eq!(ProcessDelivery::MAX_ATTEMPTS, 9);
        assert_eq!(kinds_for("page"), ["facebook_page"]);
        assert!(kinds_for("user").is_empty());
    }
}
