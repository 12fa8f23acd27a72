//! The jobs table: every statement the queue runs, for both backends.
//!
//! Statements are portable SQL run through [`on_pool!`]; where the dialects
//! differ (row locking when claiming and cancelling, list parameters) the
//! SQLite and PostgreSQL variants sit next to each other.

use herald_core::Named;
use std::collections::BTreeMap;

use herald_core::Timestamp;
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};
use sqlx::Row;
use sqlx::types::Json;

use crate::job::{Enqueued, JobId, JobRecord, JobState, NewJob};

/// A job handed to this worker by [`claim`].
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: JobId,
    pub queue: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempt: i32,
    pub max_attempts: i32,
    pub run_at: Timestamp,
    pub priority: i32,
}

macro_rules! columns {
    () => {
        "id, queue, kind, payload, state, priority, run_at, attempts, max_attempts, \
         unique_key, lease_owner, last_error, created_at, updated_at"
    };
}

fn record_from_row<R>(row: &R) -> Result<JobRecord, sqlx::Error>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Json<serde_json::Value>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get("state")?;
    Ok(JobRecord {
        id: JobId(row.try_get("id")?),
        queue: row.try_get("queue")?,
        kind: row.try_get("kind")?,
        payload: row.try_get::<Json<serde_json::Value>, _>("payload")?.0,
        state: JobState::parse(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".into(),
            source: format!("unknown job state {state:?}").into(),
        })?,
        priority: row.try_get("priority")?,
        run_at: row.try_get::<DbTime, _>("run_at")?.0,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        unique_key: row.try_get("unique_key")?,
        lease_owner: row.try_get("lease_owner")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get::<DbTime, _>("created_at")?.0,
        updated_at: row.try_get::<DbTime, _>("updated_at")?.0,
    })
}

const INSERT: &str = "INSERT INTO jobs \
     (queue, kind, payload, priority, run_at, max_attempts, unique_key, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
     ON CONFLICT (unique_key) DO NOTHING RETURNING id";

/// Inserts one job in `tx`.
pub async fn insert(tx: &mut Tx, job: &NewJob, now: Timestamp) -> Result<Enqueued, DbError> {
    let run_at = DbTime(job.run_at.unwrap_or(now));
    let now = DbTime(now);
    let inserted: Option<i64> = on_tx!(tx, |conn| {
        sqlx::query_scalar(INSERT)
            .bind(&job.queue)
            .bind(&job.kind)
            .bind(Json(&job.payload))
            .bind(job.priority)
            .bind(run_at)
            .bind(job.max_attempts)
            .bind(&job.unique_key)
            .bind(now)
            .fetch_optional(conn)
            .await?
    });
    if let Some(id) = inserted {
        return Ok(Enqueued::New(JobId(id)));
    }
    let existing: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT id FROM jobs WHERE unique_key = $1")
            .bind(&job.unique_key)
            .fetch_one(conn)
            .await?
    });
    Ok(Enqueued::Existing(JobId(existing)))
}

/// Rows per multi-row INSERT; 9 parameters each stays far below SQLite's
/// limit of 32,766 bound parameters.
const INSERT_CHUNK: usize = 1000;

/// Inserts many jobs in `tx` with multi-row INSERTs; returns how many were
/// new (jobs whose unique key already existed are skipped).
pub async fn insert_many(tx: &mut Tx, jobs: &[NewJob], now: Timestamp) -> Result<u64, DbError> {
    let mut inserted = 0;
    for chunk in jobs.chunks(INSERT_CHUNK) {
        inserted += on_tx!(tx, |conn| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO jobs (queue, kind, payload, priority, run_at, max_attempts, \
                 unique_key, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut row, job| {
                row.push_bind(&job.queue)
                    .push_bind(&job.kind)
                    .push_bind(Json(&job.payload))
                    .push_bind(job.priority)
                    .push_bind(DbTime(job.run_at.unwrap_or(now)))
                    .push_bind(job.max_attempts)
                    .push_bind(&job.unique_key)
                    .push_bind(DbTime(now))
                    .push_bind(DbTime(now));
            });
            qb.push(" ON CONFLICT (unique_key) DO NOTHING");
            qb.build().execute(conn).await?.rows_affected()
        });
    }
    Ok(inserted)
}

const CLAIM_SQLITE: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
     lease_owner = $1, lease_expires_at = $2, updated_at = $3 \
     WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND queue = $4 AND run_at <= $3 \
                  ORDER BY priority DESC, run_at, id LIMIT $5) \
     RETURNING id, queue, kind, payload, attempts, max_attempts, run_at, priority";
// The same, with row locks skipped so concurrent workers never block on or
// double-claim each other's rows.
const CLAIM_POSTGRES: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
     lease_owner = $1, lease_expires_at = $2, updated_at = $3 \
     WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND queue = $4 AND run_at <= $3 \
                  ORDER BY priority DESC, run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
     RETURNING id, queue, kind, payload, attempts, max_attempts, run_at, priority";

/// Atomically takes up to `limit` due jobs of `queue` for `owner`, leased
/// until `lease_until`. Returned highest priority first, then oldest.
pub async fn claim(
    db: &Db,
    queue: &str,
    limit: usize,
    now: Timestamp,
    lease_until: Timestamp,
    owner: &str,
) -> Result<Vec<ClaimedJob>, DbError> {
    let sql = match db {
        Db::Sqlite(_) => CLAIM_SQLITE,
        Db::Postgres(_) => CLAIM_POSTGRES,
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut jobs: Vec<ClaimedJob> = on_pool!(db, |pool| {
        let rows = sqlx::query(sql)
            .bind(owner)
            .bind(DbTime(lease_until))
            .bind(DbTime(now))
            .bind(queue)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(ClaimedJob {
                    id: JobId(row.try_get("id")?),
                    queue: row.try_get("queue")?,
                    kind: row.try_get("kind")?,
                    payload: row.try_get::<Json<serde_json::Value>, _>("payload")?.0,
                    attempt: row.try_get("attempts")?,
                    max_attempts: row.try_get("max_attempts")?,
                    run_at: row.try_get::<DbTime, _>("run_at")?.0,
                    priority: row.try_get("priority")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?
    });
    jobs.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.run_at.cmp(&b.run_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(jobs)
}

// A skip scan over `jobs_due`: walk the distinct priorities of the queue
// from the top (one index probe each) and take the earliest `run_at` of
// each. A plain MIN(run_at) would read every queued job of the queue, and a
// separate (queue, run_at) index misleads the planner when it claims.
const NEXT_DUE: &str = "WITH RECURSIVE levels(priority) AS ( \
       SELECT * FROM (SELECT priority FROM jobs WHERE state = 'queued' AND queue = $1 \
                      ORDER BY priority DESC LIMIT 1) AS top \
       UNION ALL \
       SELECT (SELECT j.priority FROM jobs j \
               WHERE j.state = 'queued' AND j.queue = $1 AND j.priority < levels.priority \
               ORDER BY j.priority DESC LIMIT 1) \
       FROM levels WHERE levels.priority IS NOT NULL) \
     SELECT MIN((SELECT j.run_at FROM jobs j \
                 WHERE j.state = 'queued' AND j.queue = $1 AND j.priority = levels.priority \
                 ORDER BY j.run_at LIMIT 1)) \
     FROM levels WHERE levels.priority IS NOT NULL";

/// The earliest `run_at` among queued jobs of `queue`.
pub async fn next_due(db: &Db, queue: &str) -> Result<Option<Timestamp>, DbError> {
    let min: Option<DbTime> = on_pool!(db, |pool| {
        sqlx::query_scalar(NEXT_DUE)
            .bind(queue)
            .fetch_one(pool)
            .await?
    });
    Ok(min.map(Timestamp::from))
}

/// Deletes finished jobs still leased by `owner`. A job whose lease was lost
/// meanwhile (rescued and perhaps running elsewhere) is left alone.
pub async fn complete(db: &Db, owner: &str, ids: &[JobId]) -> Result<u64, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let raw: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let deleted = match db {
        Db::Sqlite(pool) => {
            let list = serde_json::to_string(&raw).expect("ids serialise");
            sqlx::query(
                "DELETE FROM jobs WHERE lease_owner = $1 \
                 AND id IN (SELECT value FROM json_each($2))",
            )
            .bind(owner)
            .bind(list)
            .execute(pool)
            .await?
            .rows_affected()
        }
        Db::Postgres(pool) => {
            sqlx::query("DELETE FROM jobs WHERE lease_owner = $1 AND id = ANY($2)")
                .bind(owner)
                .bind(&raw)
                .execute(pool)
                .await?
                .rows_affected()
        }
    };
    Ok(deleted)
}

/// Puts a failed job back in the queue for another attempt at `run_at`.
pub async fn retry_later(
    db: &Db,
    owner: &str,
    id: JobId,
    run_at: Timestamp,
    error: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE jobs SET state = 'queued', run_at = $1, lease_owner = NULL, \
             lease_expires_at = NULL, last_error = $2, updated_at = $3 \
             WHERE id = $4 AND lease_owner = $5 AND state = 'running'",
        )
        .bind(DbTime(run_at))
        .bind(error)
        .bind(DbTime(now))
        .bind(id.0)
        .bind(owner)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Moves a job that used its last attempt (or failed permanently) to dead.
pub async fn bury(
    db: &Db,
    owner: &str,
    id: JobId,
    error: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_expires_at = NULL, \
             last_error = $1, updated_at = $2 \
             WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(error)
        .bind(DbTime(now))
        .bind(id.0)
        .bind(owner)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// One of this worker's running jobs, as seen by a heartbeat.
#[derive(Debug, Clone, Copy)]
pub struct Leased {
    pub id: JobId,
    pub cancel_requested: bool,
}

/// Extends the lease of every job `owner` runs; returns them, so the worker
/// learns of cancel requests and of leases it lost.
pub async fn heartbeat(
    db: &Db,
    owner: &str,
    lease_until: Timestamp,
) -> Result<Vec<Leased>, DbError> {
    let rows: Vec<(i64, bool)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "UPDATE jobs SET lease_expires_at = $1 WHERE lease_owner = $2 AND state = 'running' \
             RETURNING id, cancel_requested",
        )
        .bind(DbTime(lease_until))
        .bind(owner)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, cancel_requested)| Leased {
            id: JobId(id),
            cancel_requested,
        })
        .collect())
}

/// Returns jobs whose worker stopped heartbeating to the queue (or to dead,
/// if that was their last attempt: a job that kills its worker every time
/// must not crash-loop forever). Returns the queues that got jobs back.
pub async fn rescue_expired(db: &Db, now: Timestamp) -> Result<Vec<(String, JobState)>, DbError> {
    let rows: Vec<(String, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "UPDATE jobs SET \
               state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
               run_at = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $1, \
               last_error = 'the worker running this job stopped responding (lease expired)' \
             WHERE state = 'running' AND lease_expires_at < $1 \
             RETURNING queue, state",
        )
        .bind(DbTime(now))
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(q, s)| (q, JobState::parse(&s).unwrap_or(JobState::Queued)))
        .collect())
}

/// Hands back every job `owner` still runs (at shutdown, once the grace
/// period is over), due immediately.
pub async fn release(db: &Db, owner: &str, now: Timestamp) -> Result<Vec<String>, DbError> {
    let queues: Vec<String> = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "UPDATE jobs SET state = 'queued', run_at = $1, lease_owner = NULL, \
             lease_expires_at = NULL, updated_at = $1, \
             last_error = 'released unfinished when its worker shut down' \
             WHERE lease_owner = $2 AND state = 'running' RETURNING queue",
        )
        .bind(DbTime(now))
        .bind(owner)
        .fetch_all(pool)
        .await?
    });
    Ok(queues)
}

/// What [`cancel`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// A queued or dead job was removed.
    Removed,
    /// The job is running; its handler is asked to stop and the job is
    /// removed when it returns.
    Requested,
    NotFound,
}

/// Removes a queued or dead job, or asks a running one to stop.
///
/// The state is read and acted on in one transaction with the row locked
/// (SQLite's transactions hold the write lock from their start, PostgreSQL
/// takes the row lock): as two separate statements, a job that went from
/// running back to queued between them was reported as not found.
pub async fn cancel(db: &Db, id: JobId) -> Result<Cancelled, DbError> {
    let read = match db {
        Db::Sqlite(_) => "SELECT state FROM jobs WHERE id = $1",
        Db::Postgres(_) => "SELECT state FROM jobs WHERE id = $1 FOR UPDATE",
    };
    let mut tx = db.begin().await?;
    let state: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar(read)
            .bind(id.0)
            .fetch_optional(conn)
            .await?
    });
    let outcome = match state.as_deref().and_then(JobState::parse) {
        Some(JobState::Queued | JobState::Dead) => {
            on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM jobs WHERE id = $1")
                    .bind(id.0)
                    .execute(conn)
                    .await?;
            });
            Cancelled::Removed
        }
        Some(JobState::Running) => {
            on_tx!(tx, |conn| {
                sqlx::query("UPDATE jobs SET cancel_requested = TRUE WHERE id = $1")
                    .bind(id.0)
                    .execute(conn)
                    .await?;
            });
            Cancelled::Requested
        }
        None => Cancelled::NotFound,
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Removes a job whose handler stopped after a cancel request.
pub async fn remove_cancelled(db: &Db, owner: &str, id: JobId) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_owner = $2")
            .bind(id.0)
            .bind(owner)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Gives dead jobs a fresh set of attempts, due now. `id` picks one job;
/// otherwise every dead job (of `queue`, when given) is requeued.
pub async fn requeue_dead(
    db: &Db,
    id: Option<JobId>,
    queue: Option<&str>,
    now: Timestamp,
) -> Result<Vec<String>, DbError> {
    let queues: Vec<String> = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE state = 'dead' AND ($2 IS NULL OR id = $2) AND ($3 IS NULL OR queue = $3) \
             RETURNING queue",
        )
        .bind(DbTime(now))
        .bind(id.map(|i| i.0))
        .bind(queue)
        .fetch_all(pool)
        .await?
    });
    Ok(queues)
}

pub async fn get(db: &Db, id: JobId) -> Result<Option<JobRecord>, DbError> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM jobs WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        match sqlx::query(SQL).bind(id.0).fetch_optional(pool).await? {
            Some(row) => Some(record_from_row(&row)?),
            None => None,
        }
    }))
}

/// Jobs in `state` (of `queue`, when given), newest first.
pub async fn list(
    db: &Db,
    state: JobState,
    queue: Option<&str>,
    limit: i64,
) -> Result<Vec<JobRecord>, DbError> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM jobs WHERE state = $1 AND ($2 IS NULL OR queue = $2) ORDER BY id DESC LIMIT $3"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query(SQL)
            .bind(state.as_str())
            .bind(queue)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>, _>>()?
    }))
}

/// Job counts by queue and state.
pub async fn counts(db: &Db) -> Result<BTreeMap<(String, JobState), i64>, DbError> {
    let rows: Vec<(String, String, i64)> = on_pool!(db, |pool| {
        sqlx::query_as("SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state")
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(q, s, n)| JobState::parse(&s).map(|st| ((q, st), n)))
        .collect())
}
