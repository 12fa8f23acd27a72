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
    /// The review's state ([`crate::review::ReviewState`] as text).
    pub review: String,
    /// When its time came while it still waited for approval.
    pub held_at: Option<DbTime>,
}

const POST_COLUMNS: &str = "id, workspace_id, created_by, status, local_time, time_zone, \
     scheduled_at, created_at, updated_at, review, held_at";

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
    let sql = format!(
        "INSERT INTO posts ({POST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
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
            .bind(&row.review)
            .bind(row.held_at)
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

/// Hands a target over like [`hand_over`] and says why it waits: the
/// platform postponed it (`error_kind = 'postponed'` with the reason's
/// detail until it is published, fails or is rescheduled).
pub async fn postpone(
    tx: &mut Tx,
    id: &TargetId,
    from_job: i64,
    to_job: i64,
    progress: &str,
    reason: ReceiptError<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET job_id = $1, progress = $2, updated_at = $3, \
               error_kind = $4, error_message = $5, error_detail = $6 \
               WHERE id = $7 AND job_id = $8 AND status = 'publishing'";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(to_job)
            .bind(progress)
            .bind(DbTime(now))
            .bind(reason.kind)
            .bind(reason.message)
            .bind(reason.detail)
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

/// Ends a target as published, fenced by its job; `notice` (a detail's
/// JSON) is what the person should know although it went out, kept as
/// `error_kind = 'warning'`.
pub async fn finish_published(
    tx: &mut Tx,
    fence: Fence<'_>,
    remote_id: &str,
    permalink: Option<&str>,
    progress: &str,
    notice: Option<&str>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET status = 'published', remote_id = $1, permalink = $2, \
               progress = $3, published_at = $4, updated_at = $5, job_id = NULL, \
               error_kind = $8, error_message = NULL, error_detail = $9 \
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
            .bind(notice.map(|_| "warning"))
            .bind(notice)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Puts the final post id (and its permalink, when known) on a target
/// published with `provisional`; false when it is no longer so.
pub async fn fill_post_id(
    tx: &mut Tx,
    target: &TargetId,
    provisional: &str,
    remote_id: &str,
    permalink: Option<&str>,
    progress: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET remote_id = $1, permalink = COALESCE($2, permalink), \
               progress = $3, updated_at = $4 \
               WHERE id = $5 AND status = 'published' AND remote_id = $6";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(remote_id)
            .bind(permalink)
            .bind(progress)
            .bind(DbTime(now))
            .bind(target)
            .bind(provisional)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Replaces the saved progress of a published target.
pub async fn set_published_progress(
    tx: &mut Tx,
    target: &TargetId,
    progress: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let sql = "UPDATE post_targets SET progress = $1, updated_at = $2 \
               WHERE id = $3 AND status = 'published'";
    let done = on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(progress)
            .bind(DbTime(now))
            .bind(target)
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

// --- Approvals and comments ---------------------------------------------------------------

/// Sets a post's review state; `held_at` is cleared unless given.
pub async fn set_review(
    tx: &mut Tx,
    id: &PostId,
    review: &str,
    held_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE posts SET review = $1, held_at = $2, updated_at = $3 WHERE id = $4")
            .bind(review)
            .bind(held_at.map(DbTime))
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Locks a post for a review decision (PostgreSQL: `FOR UPDATE`; SQLite
/// writers are serialised already) and reads it.
pub async fn post_for_update(
    tx: &mut Tx,
    workspace: WorkspaceId,
    id: &PostId,
) -> Result<Option<PostRow>, DbError> {
    let lock = if tx.backend() == herald_db::Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND id = $2{lock}");
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(id)
            .fetch_optional(conn)
            .await?
    }))
}

/// Posts of a workspace whose review is one of `reviews`, newest first.
pub async fn posts_with_review(
    db: &Db,
    workspace: WorkspaceId,
    reviews: &[&str],
    limit: i64,
) -> Result<Vec<PostRow>, DbError> {
    let placeholders: Vec<String> = (0..reviews.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND review IN ({}) \
         ORDER BY COALESCE(scheduled_at, created_at), id LIMIT ${}",
        placeholders.join(", "),
        reviews.len() + 2
    );
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(sql)).bind(workspace);
        for r in reviews {
            q = q.bind(*r);
        }
        q.bind(limit).fetch_all(pool).await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub mode: String,
    pub reapprove_on_edit: bool,
}

pub async fn policy(db: &Db, workspace: WorkspaceId) -> Result<Option<PolicyRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, PolicyRow>(
            "SELECT mode, reapprove_on_edit FROM approval_policies WHERE workspace_id = $1",
        )
        .bind(workspace)
        .fetch_optional(pool)
        .await?
    }))
}

pub async fn policy_accounts(
    db: &Db,
    workspace: WorkspaceId,
) -> Result<Vec<ConnectionId>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT connection_id FROM approval_accounts WHERE workspace_id = $1 \
             ORDER BY connection_id",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn policy_approvers(db: &Db, workspace: WorkspaceId) -> Result<Vec<UserId>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT user_id FROM approval_approvers WHERE workspace_id = $1 ORDER BY user_id",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await?
    }))
}

/// Replaces the workspace's policy, its accounts and its named approvers.
pub async fn save_policy(
    tx: &mut Tx,
    workspace: WorkspaceId,
    policy: &crate::review::ApprovalPolicy,
    by: UserId,
    now: Timestamp,
) -> Result<(), DbError> {
    use herald_core::Named;
    let (mode, reapprove_on_edit) = (policy.mode.as_str(), policy.reapprove_on_edit);
    let (accounts, approvers) = (&policy.accounts, &policy.approvers);
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO approval_policies (workspace_id, mode, reapprove_on_edit, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id) DO UPDATE SET \
             mode = excluded.mode, reapprove_on_edit = excluded.reapprove_on_edit, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(workspace)
        .bind(mode)
        .bind(reapprove_on_edit)
        .bind(by)
        .bind(DbTime(now))
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM approval_accounts WHERE workspace_id = $1")
            .bind(workspace)
            .execute(&mut *conn)
            .await?;
        for account in accounts {
            sqlx::query(
                "INSERT INTO approval_accounts (workspace_id, connection_id) VALUES ($1, $2)",
            )
            .bind(workspace)
            .bind(account)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("DELETE FROM approval_approvers WHERE workspace_id = $1")
            .bind(workspace)
            .execute(&mut *conn)
            .await?;
        for user in approvers {
            sqlx::query("INSERT INTO approval_approvers (workspace_id, user_id) VALUES ($1, $2)")
                .bind(workspace)
                .bind(user)
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

/// One entry of a post's review history.
pub struct NewReviewEntry<'a> {
    pub post: &'a PostId,
    pub workspace: WorkspaceId,
    pub action: &'a str,
    pub actor: Option<UserId>,
    pub reviewer_name: Option<&'a str>,
    pub link_id: Option<&'a str>,
    pub comment: &'a str,
    pub at: Timestamp,
}

pub async fn insert_review_entry(tx: &mut Tx, e: &NewReviewEntry<'_>) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO post_reviews (post_id, workspace_id, action, actor_id, reviewer_name, \
             link_id, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.post)
        .bind(e.workspace)
        .bind(e.action)
        .bind(e.actor)
        .bind(e.reviewer_name)
        .bind(e.link_id)
        .bind(e.comment)
        .bind(DbTime(e.at))
        .execute(conn)
        .await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub action: String,
    pub actor_id: Option<UserId>,
    pub reviewer_name: Option<String>,
    pub link_id: Option<String>,
    pub comment: String,
    pub at: DbTime,
}

pub async fn review_entries(db: &Db, post: &PostId) -> Result<Vec<ReviewRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ReviewRow>(
            "SELECT action, actor_id, reviewer_name, link_id, comment, at FROM post_reviews \
             WHERE post_id = $1 ORDER BY id",
        )
        .bind(post)
        .fetch_all(pool)
        .await?
    }))
}

/// A new comment on a post.
pub struct NewComment<'a> {
    pub post: &'a PostId,
    pub workspace: WorkspaceId,
    pub parent: Option<i64>,
    pub target: Option<&'a TargetId>,
    pub author: Option<UserId>,
    pub author_name: Option<&'a str>,
    pub body: &'a str,
    pub at: Timestamp,
}

pub async fn insert_comment(tx: &mut Tx, c: &NewComment<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO post_comments (post_id, workspace_id, parent_id, target_id, author_id, \
             author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(c.post)
        .bind(c.workspace)
        .bind(c.parent)
        .bind(c.target)
        .bind(c.author)
        .bind(c.author_name)
        .bind(c.body)
        .bind(DbTime(c.at))
        .fetch_one(conn)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub target_id: Option<TargetId>,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DbTime,
}

pub async fn comments(db: &Db, post: &PostId) -> Result<Vec<CommentRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, CommentRow>(
            "SELECT id, parent_id, target_id, author_id, author_name, body, created_at \
             FROM post_comments WHERE post_id = $1 ORDER BY id",
        )
        .bind(post)
        .fetch_all(pool)
        .await?
    }))
}

/// A comment's thread root, if the comment is on `post`.
pub async fn comment_root(tx: &mut Tx, post: &PostId, id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT COALESCE(parent_id, id) FROM post_comments WHERE post_id = $1 AND id = $2",
        )
        .bind(post)
        .bind(id)
        .fetch_optional(conn)
        .await?
    }))
}

// --- Client review links ------------------------------------------------------------------

pub struct NewReviewLink<'a> {
    pub id: &'a str,
    pub workspace: WorkspaceId,
    pub token_hash: &'a str,
    pub created_by: UserId,
    pub label: &'a str,
    pub password_hash: Option<&'a str>,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    pub posts: &'a [PostId],
}

pub async fn insert_review_link(tx: &mut Tx, l: &NewReviewLink<'_>) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO review_links (id, workspace_id, token_hash, created_by, label, \
             password_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(l.id)
        .bind(l.workspace)
        .bind(l.token_hash)
        .bind(l.created_by)
        .bind(l.label)
        .bind(l.password_hash)
        .bind(DbTime(l.expires_at))
        .bind(DbTime(l.created_at))
        .execute(&mut *conn)
        .await?;
        for post in l.posts {
            sqlx::query("INSERT INTO review_link_posts (link_id, post_id) VALUES ($1, $2)")
                .bind(l.id)
                .bind(post)
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewLinkRow {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub created_by: Option<UserId>,
    pub label: String,
    pub password_hash: Option<String>,
    pub expires_at: DbTime,
    pub revoked_at: Option<DbTime>,
    pub last_viewed_at: Option<DbTime>,
    pub created_at: DbTime,
}

const LINK_COLUMNS: &str = "l.id, l.workspace_id, l.created_by, l.label, l.password_hash, \
     l.expires_at, l.revoked_at, l.last_viewed_at, l.created_at";

/// The workspace's links, newest first: the one named `id`, or those
/// showing `post`, or all.
pub async fn review_links(
    db: &Db,
    workspace: WorkspaceId,
    id: Option<&str>,
    post: Option<&PostId>,
) -> Result<Vec<ReviewLinkRow>, DbError> {
    let sql = format!(
        "SELECT {LINK_COLUMNS} FROM review_links l WHERE l.workspace_id = $1 \
         AND ($2 IS NULL OR l.id = $2) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM review_link_posts p \
              WHERE p.link_id = l.id AND p.post_id = $3)) \
         ORDER BY l.created_at DESC, l.id DESC"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ReviewLinkRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(id)
            .bind(post)
            .fetch_all(pool)
            .await?
    }))
}

pub async fn review_link_by_hash(
    db: &Db,
    token_hash: &str,
) -> Result<Option<ReviewLinkRow>, DbError> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM review_links l WHERE l.token_hash = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ReviewLinkRow>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
    }))
}

/// The posts a link shows, in the order they were added.
pub async fn review_link_posts(db: &Db, link: &str) -> Result<Vec<PostId>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT post_id FROM review_link_posts WHERE link_id = $1 ORDER BY post_id",
        )
        .bind(link)
        .fetch_all(pool)
        .await?
    }))
}

/// Revokes a live link of the workspace; false when there is none.
pub async fn revoke_review_link(
    tx: &mut Tx,
    workspace: WorkspaceId,
    id: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE review_links SET revoked_at = $1 \
             WHERE workspace_id = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(DbTime(now))
        .bind(workspace)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
            > 0
    }))
}

pub async fn touch_review_link(tx: &mut Tx, id: &str, now: Timestamp) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE review_links SET last_viewed_at = $1 WHERE id = $2")
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// The counts a weekly digest shows for `workspace`: targets published in
/// [`from`, `to`) and in the seven days before, targets failed in
/// [`from`, `to`), posts waiting for review now, and targets due in the
/// seven days after `to`.
pub async fn week_counts(
    db: &Db,
    workspace: WorkspaceId,
    from: DbTime,
    to: DbTime,
) -> Result<[i64; 5], DbError> {
    const WEEK: i64 = 7 * 24 * 3600 * 1_000_000;
    let (from, to) = (from.0.as_microsecond(), to.0.as_microsecond());
    let row: (i64, i64, i64, i64, i64) = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT \
             (SELECT COUNT(*) FROM post_targets WHERE workspace_id = $1 AND status = 'published' \
              AND published_at >= $2 AND published_at < $3), \
             (SELECT COUNT(*) FROM post_targets WHERE workspace_id = $1 AND status = 'published' \
              AND published_at >= $4 AND published_at < $2), \
             (SELECT COUNT(*) FROM post_targets WHERE workspace_id = $1 AND status = 'failed' \
              AND updated_at >= $2 AND updated_at < $3), \
             (SELECT COUNT(*) FROM posts WHERE workspace_id = $1 AND review = 'in_review'), \
             (SELECT COUNT(*) FROM post_targets WHERE workspace_id = $1 AND status = 'scheduled' \
              AND due_at >= $3 AND due_at < $5)",
        )
        .bind(workspace)
        .bind(from)
        .bind(to)
        .bind(from - WEEK)
        .bind(to + WEEK)
        .fetch_one(pool)
        .await?
    });
    Ok([row.0, row.1, row.2, row.3, row.4])
}

/// The published target of `workspace` on `connection` whose platform id
/// is `remote_id`: (post, variant, permalink, published at).
pub async fn published_as(
    db: &Db,
    workspace: WorkspaceId,
    connection: &ConnectionId,
    remote_id: &str,
) -> Result<Option<(PostId, String, Option<String>, Option<DbTime>)>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT post_id, variant, permalink, published_at FROM post_targets \
             WHERE workspace_id = $1 AND connection_id = $2 AND remote_id = $3 \
             AND status = 'published' ORDER BY published_at DESC LIMIT 1",
        )
        .bind(workspace)
        .bind(connection)
        .bind(remote_id)
        .fetch_optional(pool)
        .await?
    }))
}

/// Per connection of `workspace`, the notice (`error_detail`) of its most
/// recently published target, when it went out with one.
pub async fn latest_published_notices(
    db: &Db,
    workspace: WorkspaceId,
) -> Result<Vec<(ConnectionId, Option<String>)>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT t.connection_id, t.error_detail FROM post_targets t \
             WHERE t.workspace_id = $1 AND t.status = 'published' \
             AND t.error_kind = 'warning' AND t.connection_id IS NOT NULL \
             AND t.published_at = (SELECT MAX(u.published_at) FROM post_targets u \
                 WHERE u.connection_id = t.connection_id AND u.status = 'published')",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await?
    }))
}
