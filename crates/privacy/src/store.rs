//! Every statement the privacy service runs, for both engines: the
//! `data_exports` and `account_deletions` tables.

use herald_core::Timestamp;
use herald_core::UserId;
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub id: String,
    pub user_id: UserId,
    pub state: String,
    pub requested_at: DbTime,
    pub finished_at: Option<DbTime>,
    pub expires_at: DbTime,
    pub size_bytes: Option<i64>,
    pub storage_key: Option<String>,
}

const EXPORT_COLUMNS: &str =
    "id, user_id, state, requested_at, finished_at, expires_at, size_bytes, storage_key";

pub async fn insert_export(
    tx: &mut Tx,
    id: &str,
    user: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO data_exports (id, user_id, state, requested_at, expires_at) \
             VALUES ($1, $2, 'pending', $3, $4)",
        )
        .bind(id)
        .bind(user)
        .bind(DbTime(now))
        .bind(DbTime(expires_at))
        .execute(conn)
        .await?;
    });
    Ok(())
}

pub async fn export(db: &Db, id: &str) -> Result<Option<ExportRow>, DbError> {
    let sql = format!("SELECT {EXPORT_COLUMNS} FROM data_exports WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ExportRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn exports_of(db: &Db, user: UserId) -> Result<Vec<ExportRow>, DbError> {
    let sql = format!(
        "SELECT {EXPORT_COLUMNS} FROM data_exports WHERE user_id = $1 \
         ORDER BY requested_at DESC, id"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ExportRow>(sqlx::AssertSqlSafe(sql))
            .bind(user)
            .fetch_all(pool)
            .await?
    }))
}

/// Marks a pending export ready or failed; false when it was not pending.
pub async fn finish_export(
    tx: &mut Tx,
    id: &str,
    ready: Option<(&str, u64)>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let (state, key, size) = match ready {
        Some((key, size)) => (
            "ready",
            Some(key),
            Some(i64::try_from(size).unwrap_or(i64::MAX)),
        ),
        None => ("failed", None, None),
    };
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE data_exports SET state = $2, storage_key = $3, size_bytes = $4, \
             finished_at = $5 WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(state)
        .bind(key)
        .bind(size)
        .bind(DbTime(now))
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Exports past their expiry, with where their archive is.
pub async fn expired_exports(db: &Db, now: Timestamp) -> Result<Vec<ExportRow>, DbError> {
    let sql = format!(
        "SELECT {EXPORT_COLUMNS} FROM data_exports WHERE expires_at <= $1 ORDER BY expires_at LIMIT 500"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ExportRow>(sqlx::AssertSqlSafe(sql))
            .bind(DbTime(now))
            .fetch_all(pool)
            .await?
    }))
}

pub async fn delete_export(db: &Db, id: &str) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("DELETE FROM data_exports WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeletionRow {
    pub requested_at: DbTime,
    pub due_at: DbTime,
    pub plan: String,
}

/// Records (or replaces) a person's pending deletion.
pub async fn upsert_deletion(
    tx: &mut Tx,
    user: UserId,
    now: Timestamp,
    due_at: Timestamp,
    plan: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO account_deletions (user_id, requested_at, due_at, plan) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
             requested_at = excluded.requested_at, due_at = excluded.due_at, plan = excluded.plan",
        )
        .bind(user)
        .bind(DbTime(now))
        .bind(DbTime(due_at))
        .bind(plan)
        .execute(conn)
        .await?;
    });
    Ok(())
}

pub async fn deletion(db: &Db, user: UserId) -> Result<Option<DeletionRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, DeletionRow>(
            "SELECT requested_at, due_at, plan FROM account_deletions WHERE user_id = $1",
        )
        .bind(user)
        .fetch_optional(pool)
        .await?
    }))
}

pub async fn cancel_deletion(db: &Db, user: UserId) -> Result<bool, DbError> {
    let done = on_pool!(db, |pool| {
        sqlx::query("DELETE FROM account_deletions WHERE user_id = $1")
            .bind(user)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// People whose grace period is over.
pub async fn due_deletions(db: &Db, now: Timestamp) -> Result<Vec<i64>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT user_id FROM account_deletions WHERE due_at <= $1 ORDER BY due_at LIMIT 100",
        )
        .bind(DbTime(now))
        .fetch_all(pool)
        .await?
    }))
}
