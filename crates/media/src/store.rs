//! Every statement the media library runs, for both engines.

use herald_core::Timestamp;
use herald_core::{UserId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, DbError, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub sha256: String,
    pub storage_key: String,
    pub filename: String,
    pub mime: String,
    pub kind: String,
    pub size_bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub thumbnail_key: Option<String>,
    pub source: String,
    pub created_by: Option<UserId>,
    pub created_at: DbTime,
    pub deleted_at: Option<DbTime>,
}

const COLUMNS: &str = "id, workspace_id, sha256, storage_key, filename, mime, kind, size_bytes, \
     width, height, duration_ms, thumbnail_key, source, created_by, created_at, deleted_at";

/// Inserts a row; a unique violation (the same content in the same
/// workspace, raced) comes back as the error for the caller to resolve.
pub async fn insert(db: &Db, row: &MediaRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO media ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    on_pool!(db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&row.id)
            .bind(row.workspace_id)
            .bind(&row.sha256)
            .bind(&row.storage_key)
            .bind(&row.filename)
            .bind(&row.mime)
            .bind(&row.kind)
            .bind(row.size_bytes)
            .bind(row.width)
            .bind(row.height)
            .bind(row.duration_ms)
            .bind(&row.thumbnail_key)
            .bind(&row.source)
            .bind(row.created_by)
            .bind(row.created_at)
            .bind(row.deleted_at)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// The row of this content in this workspace, deleted or not.
pub async fn by_hash(
    db: &Db,
    workspace: WorkspaceId,
    sha256: &str,
) -> Result<Option<MediaRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM media WHERE workspace_id = $1 AND sha256 = $2");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, MediaRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(sha256)
            .fetch_optional(pool)
            .await?
    }))
}

/// Brings a deleted row back (uploading deleted content again).
pub async fn restore(db: &Db, id: &str) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("UPDATE media SET deleted_at = NULL WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// A row by id whatever its workspace or state (signed URLs, publishers).
pub async fn by_id(db: &Db, id: &str) -> Result<Option<MediaRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM media WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, MediaRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

/// A live row of a workspace.
pub async fn get(db: &Db, workspace: WorkspaceId, id: &str) -> Result<Option<MediaRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM media WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, MediaRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

/// Live rows of a workspace, newest first (ids are UUID v7: their text
/// order is their creation order).
pub async fn list(
    db: &Db,
    workspace: WorkspaceId,
    kind: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<MediaRow>, DbError> {
    let mut sql = format!("SELECT {COLUMNS} FROM media WHERE workspace_id = $1");
    let mut n = 1;
    if kind.is_some() {
        n += 1;
        sql.push_str(&format!(" AND kind = ${n}"));
    }
    if before.is_some() {
        n += 1;
        sql.push_str(&format!(" AND id < ${n}"));
    }
    n += 1;
    sql.push_str(&format!(
        " AND deleted_at IS NULL ORDER BY id DESC LIMIT ${n}"
    ));
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, MediaRow>(sqlx::AssertSqlSafe(sql)).bind(workspace);
        if let Some(kind) = kind {
            q = q.bind(kind);
        }
        if let Some(before) = before {
            q = q.bind(before);
        }
        q.bind(limit).fetch_all(pool).await?
    }))
}

/// Marks a live row deleted; false when there was none.
pub async fn soft_delete(
    db: &Db,
    workspace: WorkspaceId,
    id: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let done = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE media SET deleted_at = $1 WHERE workspace_id = $2 AND id = $3 AND deleted_at IS NULL",
        )
        .bind(DbTime(now))
        .bind(workspace)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(done > 0)
}

/// The blob and thumbnail keys of every row of a workspace, deleted rows
/// included.
pub async fn workspace_keys(db: &Db, workspace: WorkspaceId) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String, Option<String>)> = on_pool!(db, |pool| {
        sqlx::query_as("SELECT storage_key, thumbnail_key FROM media WHERE workspace_id = $1")
            .bind(workspace)
            .fetch_all(pool)
            .await?
    });
    let mut keys: Vec<String> = rows
        .into_iter()
        .flat_map(|(blob, thumb)| std::iter::once(blob).chain(thumb))
        .collect();
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// Whether any row still uses `key` as its blob or thumbnail.
pub async fn key_in_use(db: &Db, key: &str) -> Result<bool, DbError> {
    let n: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM media WHERE storage_key = $1 OR thumbnail_key = $1",
        )
        .bind(key)
        .fetch_one(pool)
        .await?
    });
    Ok(n > 0)
}
