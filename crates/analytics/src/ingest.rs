//! Ingestion: `analytics.sweep.v1` and `analytics.ingest.v1`.
//!
//! The sweep runs every [`SWEEP_EVERY`] (one per slot across processes, by
//! its unique key). It enrols every usable connection of a kind with an
//! insights reader that analytics does not read yet, with a backfill run of
//! [`AnalyticsSettings::backfill_days`](crate::AnalyticsSettings) days, and
//! queues the nightly run of every account whose `next_run_at` (03:00 in
//! its time zone) has come.
//!
//! A run (`analytics_runs`) goes through stages, each step in one
//! transaction with the rows it wrote and the cursor after it:
//! `days` (the account's days, a window of the reader's `max_days` at a
//! time; the cursor is the next day to read), `snapshot` (followers now),
//! `posts` (pages of posts published in the last `backfill_days` days, with
//! their lifetime figures and today's row of each; the cursor is the next
//! page), then `finish` (derived days for platforms with no daily account
//! figures, the link of posts to the Herald posts they came from, the
//! anomaly check, `succeeded`). A failure leaves the stage and cursor where
//! the last step put them, so the retry resumes there. Being paced (the
//! platform's limits, ours or its own 429) is not a failure: the run goes
//! on in a new job at the time given, without spending an attempt.

use std::time::Duration;

use async_trait::async_trait;
use herald_core::{ConnectionId, Named, SignedDuration, Timestamp};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Registry};
use herald_platforms::insights::{InsightsAccount, InsightsReader, Normalized};
use herald_platforms::{AccountKind, ErrorKind, PlatformError, Secret};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::pace::LimiterPacer;
use crate::store::{self, RunRow};
use crate::{Analytics, AnalyticsError, Reason, RunStatus};

/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15 * 60);

/// Where ingestion gets an account's token: the connections' vault, a fake
/// in tests.
#[async_trait]
pub trait AccountTokens: Send + Sync {
    /// The access token of `connection`; `None` when it is gone.
    async fn access_token(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>>;
}

#[async_trait]
impl AccountTokens for herald_connections::Connections {
    async fn access_token(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.credentials(connection).await?.map(|c| c.access_token))
    }
}

/// Enrol new accounts and queue the nightly runs that are due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {}

impl JobPayload for Sweep {
    const KIND: &'static str = "analytics.sweep.v1";
    const QUEUE: &'static str = "analytics";
}

/// Run (or go on with) one ingestion run (`analytics_runs.id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestAccount {
    pub run: i64,
}

impl JobPayload for IngestAccount {
    const KIND: &'static str = "analytics.ingest.v1";
    const QUEUE: &'static str = "analytics";
    /// Outages are retried with the queue's backoff for about a day; being
    /// paced does not count.
    const MAX_ATTEMPTS: i32 = 12;
}

/// The stages of a run, as stored.
pub(crate) mod stage {
    pub const DAYS: &str = "days";
    pub const SNAPSHOT: &str = "snapshot";
    pub const POSTS: &str = "posts";
    pub const FINISH: &str = "finish";
    pub const DONE: &str = "done";
}

pub(crate) fn register(analytics: &Analytics, registry: &mut Registry) {
    registry.register::<Sweep, _>(SweepHandler(analytics.clone()));
    registry.register::<IngestAccount, _>(IngestHandler(analytics.clone()));
}

fn slot(at: Timestamp) -> i64 {
    let every = i64::try_from(SWEEP_EVERY.as_secs()).unwrap_or(900);
    at.as_second().div_euclid(every)
}

pub(crate) async fn schedule_sweep(
    analytics: &Analytics,
    at: Timestamp,
) -> Result<(), AnalyticsError> {
    let job = NewJob::of(&Sweep {})
        .map_err(|e| AnalyticsError::Corrupt(e.to_string()))?
        .run_at(at)
        .unique_key(format!("analytics-sweep:{}", slot(at)));
    analytics.inner.queue.enqueue_now(job).await?;
    Ok(())
}

/// The next `hour`:00 in `zone` after `now` (UTC when the zone is unknown).
pub fn next_local_hour(now: Timestamp, zone: &str, hour: i8) -> Timestamp {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let local = now.to_zoned(tz.clone());
    let today = local.date();
    for offset in 0..3 {
        let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else {
            break;
        };
        let Ok(at) = date.at(hour, 0, 0, 0).to_zoned(tz.clone()) else {
            continue;
        };
        if at.timestamp() > now {
            return at.timestamp();
        }
    }
    now.checked_add(SignedDuration::from_hours(24))
        .unwrap_or(now)
}

impl Analytics {
    fn kinds_with_readers(&self) -> Vec<&'static str> {
        AccountKind::ALL
            .into_iter()
            .filter(|k| self.inner.readers.get(*k).is_some())
            .map(AccountKind::as_str)
            .collect()
    }

    /// Enrols new accounts (each with a backfill run) and queues the
    /// nightly runs that are due; returns how many runs were queued. The
    /// sweep job's step, callable without the worker.
    pub async fn sweep(&self) -> Result<u32, AnalyticsError> {
        let now = self.now();
        let mut queued = self.enrol(None).await?;
        for account in store::due(self.db(), now, 500).await? {
            let next = next_local_hour(now, &account.time_zone, self.inner.settings.nightly_hour);
            let mut tx = self.db().begin().await?;
            store::set_next_run(&mut tx, &account.connection_id, next).await?;
            if store::open_run(self.db(), &account.connection_id)
                .await?
                .is_none()
            {
                let (reason, first, last) = self.range_of(&account, Reason::Nightly, now);
                self.queue_run(
                    &mut tx,
                    &account.connection_id,
                    account.workspace_id,
                    reason,
                    first,
                    last,
                )
                .await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Enrols the usable accounts (of `workspace`, or of every workspace)
    /// that analytics does not read yet, each with its backfill run;
    /// returns how many were enrolled.
    pub(crate) async fn enrol(
        &self,
        workspace: Option<herald_core::WorkspaceId>,
    ) -> Result<u32, AnalyticsError> {
        let now = self.now();
        let mut enrolled = 0;
        let kinds = self.kinds_with_readers();
        for account in store::unenrolled(self.db(), &kinds).await? {
            if workspace.is_some_and(|w| w != account.workspace_id) {
                continue;
            }
            let zone = account
                .time_zone
                .clone()
                .filter(|z| TimeZone::get(z).is_ok())
                .unwrap_or_else(|| self.inner.settings.default_time_zone.clone());
            let next = next_local_hour(now, &zone, self.inner.settings.nightly_hour);
            let mut tx = self.db().begin().await?;
            if store::enroll(&mut tx, &account, &zone, next, now).await? {
                let today = store::utc_day(now);
                let first = today - i32::try_from(self.inner.settings.backfill_days).unwrap_or(90);
                self.queue_run(
                    &mut tx,
                    &account.id,
                    account.workspace_id,
                    Reason::Backfill,
                    first,
                    today,
                )
                .await?;
                enrolled += 1;
            }
            tx.commit().await?;
        }
        Ok(enrolled)
    }

    /// The days a run of `account` reads: the last days again (platforms
    /// finish a day late) for an account read before, the whole backfill
    /// for one never read.
    pub(crate) fn range_of(
        &self,
        account: &store::AccountRow,
        reason: Reason,
        now: Timestamp,
    ) -> (Reason, i32, i32) {
        let today = store::utc_day(now);
        let backfill = i32::try_from(self.inner.settings.backfill_days).unwrap_or(90);
        match account.last_day {
            None => (Reason::Backfill, today - backfill, today),
            Some(last) => {
                let lag = self
                    .reader_of(&account.kind)
                    .map_or(3, |r| i32::try_from(r.lag_days()).unwrap_or(3));
                let first = (last - lag - 2).min(today - lag - 2).max(today - backfill);
                (reason, first, today)
            }
        }
    }

    fn reader_of(&self, kind: &str) -> Option<&std::sync::Arc<dyn InsightsReader>> {
        let kind = AccountKind::parse(kind)?;
        self.inner.readers.get(kind)
    }

    /// Creates a queued run and its job in `tx`.
    pub(crate) async fn queue_run(
        &self,
        tx: &mut herald_db::Tx,
        connection: &ConnectionId,
        workspace: herald_core::WorkspaceId,
        reason: Reason,
        first: i32,
        last: i32,
    ) -> Result<i64, AnalyticsError> {
        let run = store::create_run(
            tx,
            connection,
            workspace,
            reason,
            first,
            last,
            stage::DAYS,
            self.now(),
        )
        .await?;
        let job = NewJob::of(&IngestAccount { run })
            .map_err(|e| AnalyticsError::Corrupt(e.to_string()))?
            .unique_key(format!("analytics-run:{run}"));
        self.inner.queue.enqueue(tx, job).await?;
        Ok(run)
    }

    /// Runs `run` from where it stands to its end. The ingest job's step,
    /// callable without the worker; `Err` is the job's answer (retry, go on
    /// later, or give up).
    pub async fn ingest(&self, run: i64, ctx: Option<&JobContext>) -> Result<Outcome, JobError> {
        let storage = |e: AnalyticsError| JobError::transient_from("analytics storage failed", e);
        let Some(row) = store::run(self.db(), run)
            .await
            .map_err(|e| storage(e.into()))?
        else {
            return Ok(Outcome::Gone);
        };
        if row.status == "succeeded" || row.status == "failed" {
            return Ok(Outcome::Finished);
        }
        let Some(reader) = self.reader_of(&row_kind(self, &row).await.map_err(storage)?) else {
            self.fail(run, "no_reader").await.map_err(storage)?;
            return Ok(Outcome::Failed);
        };
        let reader = reader.clone();
        let tokens = &self.inner.tokens;
        let token = tokens
            .access_token(&row.connection_id)
            .await
            .map_err(|e| JobError::transient(format!("the vault failed: {e}")))?;
        let remote = store::remote_id(self.db(), &row.connection_id)
            .await
            .map_err(|e| storage(e.into()))?;
        let (Some(token), Some(remote)) = (token, remote) else {
            self.fail(run, "connection_gone").await.map_err(storage)?;
            return Ok(Outcome::Failed);
        };
        store::start_run(self.db(), run, self.now())
            .await
            .map_err(|e| storage(e.into()))?;
        let account = InsightsAccount {
            kind: reader.kind(),
            account_id: remote,
            access_token: token,
        };
        let pacer = LimiterPacer::new(
            self.inner.limiter.clone(),
            self.inner.readers.clone(),
            self.inner.clock.clone(),
        );
        match self.steps(&row, reader.as_ref(), &account, &pacer).await {
            Ok(()) => Ok(Outcome::Finished),
            Err(Stop::Storage(e)) => Err(storage(e)),
            Err(Stop::Platform(error)) => {
                let code = error
                    .code
                    .clone()
                    .filter(|c| c == "paced")
                    .unwrap_or_else(|| error.kind.as_str().to_owned());
                match &error.kind {
                    ErrorKind::RateLimited { .. } | ErrorKind::Postponed { .. } => {
                        let until = match error.kind {
                            ErrorKind::Postponed { until } => Some(until),
                            ErrorKind::RateLimited { until } => until,
                            _ => None,
                        };
                        if code != "paced" {
                            store::record_error(self.db(), run, &code, 1)
                                .await
                                .map_err(|e| storage(e.into()))?;
                        }
                        let at = until.filter(|t| *t > self.now()).unwrap_or_else(|| {
                            self.now()
                                .checked_add(SignedDuration::from_secs(60))
                                .unwrap_or_else(|_| self.now())
                        });
                        self.continue_at(run, at).await.map_err(storage)?;
                        Ok(Outcome::Paced(at))
                    }
                    ErrorKind::Unavailable | ErrorKind::OutcomeUnknown => {
                        store::record_error(self.db(), run, &code, 1)
                            .await
                            .map_err(|e| storage(e.into()))?;
                        if ctx.is_some_and(JobContext::is_last_attempt) {
                            self.fail(run, &code).await.map_err(storage)?;
                        }
                        Err(JobError::transient_from(
                            "the platform failed; the run resumes",
                            error,
                        ))
                    }
                    ErrorKind::Reconnect
                    | ErrorKind::Reconsent { .. }
                    | ErrorKind::BadRequest
                    | ErrorKind::Misconfigured => {
                        store::record_error(self.db(), run, &code, 1)
                            .await
                            .map_err(|e| storage(e.into()))?;
                        self.fail(run, &code).await.map_err(storage)?;
                        Ok(Outcome::Failed)
                    }
                }
            }
        }
    }

    async fn fail(&self, run: i64, code: &str) -> Result<(), AnalyticsError> {
        let mut tx = self.db().begin().await?;
        on_last_error(&mut tx, run, code).await?;
        store::finish_run(&mut tx, run, RunStatus::Failed, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn continue_at(&self, run: i64, at: Timestamp) -> Result<(), AnalyticsError> {
        let job = NewJob::of(&IngestAccount { run })
            .map_err(|e| AnalyticsError::Corrupt(e.to_string()))?
            .run_at(at)
            .unique_key(format!("analytics-run:{run}:{}", at.as_second()));
        self.inner.queue.enqueue_now(job).await?;
        Ok(())
    }

    /// The stages from where the run stands.
    async fn steps(
        &self,
        row: &RunRow,
        reader: &dyn InsightsReader,
        account: &InsightsAccount,
        pacer: &LimiterPacer,
    ) -> Result<(), Stop> {
        let run = row.id;
        let today = store::utc_day(self.now());
        let mut stage = row.stage.clone();
        let mut cursor = row.cursor.clone();
        let max_days = i32::try_from(reader.max_days()).unwrap_or(i32::MAX);
        if stage == stage::DAYS {
            let mut from = cursor
                .as_deref()
                .and_then(|c| c.parse::<i32>().ok())
                .unwrap_or(row.first_day);
            let last = row.last_day.min(today);
            while max_days > 0 && from <= last {
                let to = (from + max_days - 1).min(last);
                let fetched = reader
                    .account_days(account, store::date_of(from), store::date_of(to), pacer)
                    .await
                    .map_err(Stop::Platform)?;
                let mut tx = self.db().begin().await?;
                let rows = store::upsert_account_days(
                    &mut tx,
                    &row.connection_id,
                    row.workspace_id,
                    &fetched.value,
                    self.now(),
                )
                .await?;
                let next = to + 1;
                let (next_stage, next_cursor) = if next > last {
                    (stage::SNAPSHOT, None)
                } else {
                    (stage::DAYS, Some(next.to_string()))
                };
                store::advance(
                    &mut tx,
                    run,
                    next_stage,
                    next_cursor.as_deref(),
                    rows,
                    0,
                    fetched.calls,
                )
                .await?;
                tx.commit().await?;
                from = next;
            }
            stage = stage::SNAPSHOT.into();
            cursor = None;
        }
        if stage == stage::SNAPSHOT {
            let fetched = reader
                .snapshot(account, pacer)
                .await
                .map_err(Stop::Platform)?;
            let mut tx = self.db().begin().await?;
            let snapshot = Normalized {
                followers: fetched.value.normalized.followers,
                ..Normalized::default()
            };
            let rows = if snapshot.followers.is_some() {
                store::upsert_account_day(
                    &mut tx,
                    &row.connection_id,
                    row.workspace_id,
                    today,
                    &snapshot,
                    &fetched.value.raw,
                    store::Prefer::Stored,
                    self.now(),
                )
                .await?
            } else {
                0
            };
            store::advance(&mut tx, run, stage::POSTS, None, rows, 0, fetched.calls).await?;
            tx.commit().await?;
            stage = stage::POSTS.into();
            cursor = None;
        }
        if stage == stage::POSTS {
            let backfill = i64::from(self.inner.settings.backfill_days);
            let since = self
                .now()
                .checked_sub(SignedDuration::from_hours(24 * backfill))
                .unwrap_or_else(|_| self.now());
            loop {
                let fetched = reader
                    .posts(account, since, cursor.as_deref(), pacer)
                    .await
                    .map_err(Stop::Platform)?;
                let mut tx = self.db().begin().await?;
                let rows = store::upsert_posts(
                    &mut tx,
                    &row.connection_id,
                    row.workspace_id,
                    &fetched.value.posts,
                    today,
                    self.now(),
                )
                .await?;
                let (next_stage, next_cursor) = match &fetched.value.next {
                    Some(next) if !fetched.value.posts.is_empty() => {
                        (stage::POSTS, Some(next.clone()))
                    }
                    _ => (stage::FINISH, None),
                };
                store::advance(
                    &mut tx,
                    run,
                    next_stage,
                    next_cursor.as_deref(),
                    0,
                    rows,
                    fetched.calls,
                )
                .await?;
                tx.commit().await?;
                cursor = next_cursor;
                if next_stage == stage::FINISH {
                    break;
                }
            }
            stage = stage::FINISH.into();
        }
        if stage == stage::FINISH {
            let mut tx = self.db().begin().await?;
            let mut rows = 0;
            if reader.max_days() == 0
                && let Some((views, engagements)) =
                    store::derived_day(&mut tx, &row.connection_id, today).await?
            {
                let derived = Normalized {
                    views: Some(views),
                    engagements: Some(engagements),
                    ..Normalized::default()
                };
                rows += store::upsert_account_day(
                    &mut tx,
                    &row.connection_id,
                    row.workspace_id,
                    today,
                    &derived,
                    &std::collections::BTreeMap::new(),
                    store::Prefer::New,
                    self.now(),
                )
                .await?;
            }
            rows += store::fill_followers(&mut tx, &row.connection_id).await?;
            store::link_posts(&mut tx, &row.connection_id).await?;
            store::extend_days(
                &mut tx,
                &row.connection_id,
                row.first_day,
                row.last_day.min(today),
            )
            .await?;
            store::advance(&mut tx, run, stage::DONE, None, rows, 0, 0).await?;
            store::finish_run(&mut tx, run, RunStatus::Succeeded, self.now()).await?;
            tx.commit().await?;
            // The anomaly check reads what the run wrote; it failing must
            // not undo a finished run (the next run looks again).
            if let Err(e) = self
                .detect_anomalies(&row.connection_id, row.first_day, row.last_day.min(today))
                .await
            {
                tracing::warn!(run, error = %e, "the anomaly check failed");
            }
        }
        Ok(())
    }
}

async fn row_kind(analytics: &Analytics, row: &RunRow) -> Result<String, AnalyticsError> {
    Ok(store::account(analytics.db(), &row.connection_id)
        .await?
        .map(|a| a.kind)
        .unwrap_or_default())
}

async fn on_last_error(tx: &mut herald_db::Tx, run: i64, code: &str) -> Result<(), AnalyticsError> {
    herald_db::on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE analytics_runs SET last_error = COALESCE(last_error, $2) WHERE id = $1",
        )
        .bind(run)
        .bind(code)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// How a call of [`Analytics::ingest`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The run finished (now or before).
    Finished,
    /// The run failed for good (the account must be reconnected, the
    /// platform refused, or the outages outlasted every attempt).
    Failed,
    /// The run goes on in a new job at this time.
    Paced(Timestamp),
    /// No such run.
    Gone,
}

/// Why the steps stopped.
enum Stop {
    Storage(AnalyticsError),
    Platform(PlatformError),
}

impl From<herald_db::DbError> for Stop {
    fn from(e: herald_db::DbError) -> Self {
        Stop::Storage(e.into())
    }
}

struct SweepHandler(Analytics);

#[async_trait]
impl Handler<Sweep> for SweepHandler {
    async fn run(&self, _job: Sweep, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .sweep()
            .await
            .map_err(|e| JobError::transient_from("the analytics sweep failed", e))?;
        let next = self
            .0
            .now()
            .checked_add(SignedDuration::try_from(SWEEP_EVERY).expect("fifteen minutes"))
            .expect("a representable time");
        schedule_sweep(&self.0, next)
            .await
            .map_err(|e| JobError::transient_from("scheduling the next analytics sweep failed", e))
    }
}

struct IngestHandler(Analytics);

#[async_trait]
impl Handler<IngestAccount> for IngestHandler {
    async fn run(&self, job: IngestAccount, ctx: &JobContext) -> Result<(), JobError> {
        self.0.ingest(job.run, Some(ctx)).await.map(|_| ())
    }
}
