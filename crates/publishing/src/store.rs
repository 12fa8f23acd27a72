//! Every statement the publishing service runs, for both engines.

use herald_core::Timestamp;
use herald_core::{ConnectionId, PostId, TargetId, UserId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub created_by: Option<UserId>,
    pub status: String,
    pub local_time: Option<String>,
    pub time_zone: Option<String>,
    pub scheduled_at: Option<DbTime>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

const POST_COLUMNS: &str = "id, workspace_id, created_by, status, local_time, time_zone, scheduled_at, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TargetRow {
    pub id: TargetId,
    pub post_id: PostId,
    pub workspace_id: WorkspaceId,
    pub connection_id: Option<ConnectionId>,
    pub provider: String,
    pub kind: String,
    pub account_name: String,
    pub remote_account_id: String,
    pub position: i32,
    pub variant: String,
    pub status: String,
    pub idempotency_key: String,
    pub due_at: Option<DbTime>,
    pub job_id: Option<i64>,
    pub progress: String,
    pub attempts: i32,
    pub remote_id: Option<String>,
    pub permalink: Option<String>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    /// Why it failed, as a code with parameters (JSON [`FailureDetail`]).
    ///
    /// [`FailureDetail`]: crate::FailureDetail
    pub error_detail: Option<String>,
    pub started_at: Option<DbTime>,
    pub published_at: Option<DbTime>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

const TARGET_COLUMNS: &str = "id, post_id, workspace_id, connection_id, provider, kind, \
     account_name, remote_account_id, position, variant, status, idempotency_key, due_at, job_id, \
     progress, attempts, remote_id, permalink, error_kind, error_message, started_at, \
     published_at, created_at, updated_at, error_detail";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptRow {
    pub attempt: i32,
    pub outcome: String,
    pub remote_id: Option<String>,
    pub permalink: Option<String>,
    pub progress: String,
    pub error_kind: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub error_detail: Option<String>,
    pub started_at: DbTime,
    pub finished_at: DbTime,
}

pub async fn insert_post(tx: &mut Tx, row: &PostRow) -> Result<(), DbError> {
    let sql =
        format!("INSERT INTO posts ({POST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    on_tx!(tx, |conn| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&row.id)
            .bind(row.workspace_id)
            .bind(row.created_by)
            .bind(&row.status)
            .bind(&row.local_time)
            .bind(&row.time_zone)
            .bind(row.scheduled_at)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn update_post_schedule(
    tx: &mut Tx,
    id: &PostId,
    local_time: Option<&str>,
    time_zone: Option<&str>,
    scheduled_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), DbError> {
    let sql = "UPDATE posts SET local_time = $1, time_zone = $2, scheduled_at = $3, updated_at = $4 \
               WHERE id = $5";
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(local_time)
            .bind(time_zone)
            .bind(scheduled_at.map(DbTime))
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn set_post_status(
    tx: &mut Tx,
    id: &PostId,
    status: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE posts SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn post(
    db: &Db,
    workspace: WorkspaceId,
    id: &PostId,
) -> Result<Option<PostRow>, DbError> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND id = $2");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn post_in_tx(tx: &mut Tx, id: &PostId) -> Result<Option<PostRow>, DbError> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1");
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(conn)
            .await?
    }))
}

/// Posts of a workspace whose time (scheduled, or creation for drafts
/// without one) falls in `[from, to)`, newest last.
pub async fn posts_between(
    db: &Db,
    workspace: WorkspaceId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<PostRow>, DbError> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 \
         AND COALESCE(scheduled_at, created_at) >= $2 AND COALESCE(scheduled_at, created_at) < $3 \
         ORDER BY COALESCE(scheduled_at, created_at), id"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(DbTime(from))
            .bind(DbTime(to))
            .fetch_all(pool)
            .await?
    }))
}

/// Posts of a workspace in the given states, ordered by time (scheduled
/// ones soonest first, others newest first), at most `limit`.
pub async fn posts_with_status(
    db: &Db,
    workspace: WorkspaceId,
    statuses: &[&str],
    newest_first: bool,
    limit: i64,
) -> Result<Vec<PostRow>, DbError> {
    let placeholders: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND status IN ({}) \
         ORDER BY COALESCE(scheduled_at, created_at) {}, id LIMIT ${}",
        placeholders.join(", "),
        if newest_first { "DESC" } else { "ASC" },
        statuses.len() + 2
    );
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql)).bind(workspace);
        for s in statuses {
            q = q.bind(*s);
        }
        q.bind(limit).fetch_all(pool).await?
    }))
}

/// Every post of a workspace, oldest first (a person's data export).
pub async fn all_posts(db: &Db, workspace: WorkspaceId) -> Result<Vec<PostRow>, DbError> {
    let sql =
        format!("SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 ORDER BY created_at, id");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .fetch_all(pool)
            .await?
    }))
}

pub async fn delete_post(tx: &mut Tx, id: &PostId) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM posts WHERE id = $1")
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn insert_target(tx: &mut Tx, row: &TargetRow) -> Result<(), DbError> {
    let sql = format!(
        "INSERT INTO post_targets ({TARGET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    );
    on_tx!(tx, |conn| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&row.id)
            .bind(&row.post_id)
            .bind(row.workspace_id)
            .bind(&row.connection_id)
            .bind(&row.provider)
            .bind(&row.kind)
            .bind(&row.account_name)
            .bind(&row.remote_account_id)
            .bind(row.position)
            .bind(&row.variant)
            .bind(&row.status)
            .bind(&row.idempotency_key)
            .bind(row.due_at)
            .bind(row.job_id)
            .bind(&row.progress)
            .bind(row.attempts)
            .bind(&row.remote_id)
            .bind(&row.permalink)
            .bind(&row.error_kind)
            .bind(&row.error_message)
            .bind(row.started_at)
            .bind(row.published_at)
            .bind(row.created_at)
            .bind(row.updated_at)
            .bind(&row.error_detail)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn targets_of(db: &Db, post: &PostId) -> Result<Vec<TargetRow>, DbError> {
    let sql =
        format!("SELECT {TARGET_COLUMNS} FROM post_targets WHERE post_id = $1 ORDER BY position");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, TargetRow>(sqlx::AssertSqlSafe(sql))
            .bind(post)
            .fetch_all(pool)
            .await?
    }))
}

pub async fn targets_of_in_tx(tx: &mut Tx, post: &PostId) -> Result<Vec<TargetRow>, DbError> {
    let sql =
        format!("SELECT {TARGET_COLUMNS} FROM post_targets WHERE post_id = $1 ORDER BY position");
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, TargetRow>(sqlx::AssertSqlSafe(sql))
            .bind(post)
            .fetch_all(conn)
            .await?
    }))
}

pub async fn target(db: &Db, id: &TargetId) -> Result<Option<TargetRow>, DbError> {
    let sql = format!("SELECT {TARGET_COLUMNS} FROM post_targets WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, TargetRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn delete_target(tx: &mut Tx, id: &TargetId) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM post_targets WHERE id = $1")
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Moves a target to `scheduled` at `due_at` under job `job_id`, clearing
/// the last error (progress is kept: a retry reconciles from it).
pub async fn schedule_target(
    tx: &mut Tx,
    id: &TargetId,
    due_at: Timestamp,
    job_id: i64,
    now: Timestamp,
) -> Result<(), DbError> {
    let sql = "UPDATE post_targets SET status = 'scheduled', due_at = $1, job_id = $2, \
               error_kind = NULL, error_message = NULL, error_detail = NULL, updated_at = $3 \
               WHERE id = $4";
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(DbTime(due_at))
            .bind(job_id)
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Sets a target's status without a job (draft, cancelled).
pub async fn set_target_idle(
    tx: &mut Tx,
    id: &TargetId,
    status: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    let sql = "UPDATE post_targets SET status = $1, job_id = NULL, updated_at = $2 WHERE id = $3";
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(status)
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// The dispatcher takes the target: `scheduled` → `publishing`, only for
/// the job that owns it. Returns false when another job owns it.
pub async fn start_target(
    tx: &mut Tx,
    id: &TargetId,
    job_id: i64,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET status = 'publishing', \
               started_at = COALESCE(started_at, $1), attempts = attempts + 1, updated_at = $2 \
               WHERE id = $3 AND job_id = $4 AND status IN ('scheduled', 'publishing')";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(DbTime(now))
            .bind(DbTime(now))
            .bind(id)
            .bind(job_id)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Saves progress, only while `job_id` still owns the target.
pub async fn save_progress(
    db: &Db,
    id: &TargetId,
    job_id: i64,
    progress: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET progress = $1, updated_at = $2 \
               WHERE id = $3 AND job_id = $4 AND status = 'publishing'";
    let done = on_pool!(db, |pool| {
        sqlx::query(sql)
            .bind(progress)
            .bind(DbTime(now))
            .bind(id)
            .bind(job_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Hands the target to a follow-up job (after a `Wait`), fenced.
pub async fn hand_over(
    tx: &mut Tx,
    id: &TargetId,
    from_job: i64,
    to_job: i64,
    progress: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET job_id = $1, progress = $2, updated_at = $3 \
               WHERE id = $4 AND job_id = $5 AND status = 'publishing'";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(to_job)
            .bind(progress)
            .bind(DbTime(now))
            .bind(id)
            .bind(from_job)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Which run of a target a change belongs to: the target and the job
/// that owns it (a change by a job that no longer owns it does nothing).
#[derive(Debug, Clone, Copy)]
pub struct Fence<'a> {
    pub target: &'a TargetId,
    pub job_id: i64,
}

/// Ends a target as published, fenced by its job.
pub async fn finish_published(
    tx: &mut Tx,
    fence: Fence<'_>,
    remote_id: &str,
    permalink: Option<&str>,
    progress: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET status = 'published', remote_id = $1, permalink = $2, \
               progress = $3, published_at = $4, updated_at = $5, job_id = NULL, \
               error_kind = NULL, error_message = NULL, error_detail = NULL \
               WHERE id = $6 AND job_id = $7 AND status = 'publishing'";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(remote_id)
            .bind(permalink)
            .bind(progress)
            .bind(DbTime(now))
            .bind(DbTime(now))
            .bind(fence.target)
            .bind(fence.job_id)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Ends a target as failed, fenced by its job; `progress`, when given,
/// replaces the saved progress.
pub async fn finish_failed(
    tx: &mut Tx,
    fence: Fence<'_>,
    error: ReceiptError<'_>,
    progress: Option<&str>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET status = 'failed', error_kind = $1, error_message = $2, \
               progress = COALESCE($3, progress), updated_at = $4, job_id = NULL, \
               error_detail = $7 \
               WHERE id = $5 AND job_id = $6 AND status IN ('scheduled', 'publishing')";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(error.kind)
            .bind(error.message)
            .bind(progress)
            .bind(DbTime(now))
            .bind(fence.target)
            .bind(fence.job_id)
            .bind(error.detail)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

pub async fn update_target_variant(
    tx: &mut Tx,
    id: &TargetId,
    variant: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE post_targets SET variant = $1, updated_at = $2 WHERE id = $3")
            .bind(variant)
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// What went wrong in an attempt: its kind, the platform's code and words
/// when it said something, and the reason as a code with parameters (JSON).
#[derive(Debug, Clone, Copy)]
pub struct ReceiptError<'a> {
    pub kind: &'a str,
    pub code: Option<&'a str>,
    pub message: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// One attempt's receipt, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct NewReceipt<'a> {
    pub fence: Fence<'a>,
    pub attempt: i32,
    pub outcome: &'a str,
    pub remote_id: Option<&'a str>,
    pub permalink: Option<&'a str>,
    /// The saved progress after the attempt (JSON).
    pub progress: &'a str,
    pub error: Option<ReceiptError<'a>>,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
}

pub async fn insert_receipt(tx: &mut Tx, receipt: &NewReceipt<'_>) -> Result<(), DbError> {
    let sql = "INSERT INTO delivery_receipts (target_id, attempt, job_id, outcome, remote_id, \
               permalink, progress, error_kind, error_code, error_message, started_at, finished_at, \
               error_detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    let error = receipt.error;
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(receipt.fence.target)
            .bind(receipt.attempt)
            .bind(receipt.fence.job_id)
            .bind(receipt.outcome)
            .bind(receipt.remote_id)
            .bind(receipt.permalink)
            .bind(receipt.progress)
            .bind(error.map(|e| e.kind))
            .bind(error.and_then(|e| e.code))
            .bind(error.and_then(|e| e.message))
            .bind(DbTime(receipt.started_at))
            .bind(DbTime(receipt.finished_at))
            .bind(error.and_then(|e| e.detail))
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn receipts(db: &Db, target: &TargetId) -> Result<Vec<ReceiptRow>, DbError> {
    let sql = "SELECT attempt, outcome, remote_id, permalink, progress, error_kind, error_code, \
               error_message, error_detail, started_at, finished_at FROM delivery_receipts \
               WHERE target_id = $1 ORDER BY id";
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ReceiptRow>(sql)
            .bind(target)
            .fetch_all(pool)
            .await?
    }))
}
