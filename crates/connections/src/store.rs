//! Every statement the connections service runs, for both engines.

use herald_core::Timestamp;
use herald_core::{ConnectionId, UserId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: ConnectionId,
    pub workspace_id: WorkspaceId,
    pub provider: String,
    pub kind: String,
    pub remote_id: String,
    pub platform_user_id: String,
    pub name: String,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub parent: Option<String>,
    pub scopes: String,
    pub status: String,
    pub status_detail: String,
    pub key_id: i64,
    pub secrets: String,
    pub access_expires_at: Option<DbTime>,
    pub refresh_expires_at: Option<DbTime>,
    pub issued_at: DbTime,
    pub refreshed_at: Option<DbTime>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
    /// When Meta reported that the person removed Herald's access (set by
    /// the deauthorize callback, cleared by a reconnection).
    pub revoked_at: Option<DbTime>,
    /// Connected through the built-in sandbox (only sandbox webhooks and
    /// callbacks reach it).
    pub sandbox: bool,
    /// The webhook subscription at the platform (`Webhooks` as JSON;
    /// empty: not asked yet).
    pub webhooks: String,
    pub webhooks_checked_at: Option<DbTime>,
}

const COLUMNS: &str = "id, workspace_id, provider, kind, remote_id, platform_user_id, name, \
     handle, avatar_url, parent, scopes, status, status_detail, key_id, secrets, \
     access_expires_at, refresh_expires_at, issued_at, refreshed_at, created_at, updated_at, \
     revoked_at, sandbox, webhooks, webhooks_checked_at";

pub async fn connection(db: &Db, id: &ConnectionId) -> Result<Option<ConnectionRow>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM connections WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ConnectionRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn connection_for_update(
    tx: &mut Tx,
    workspace: WorkspaceId,
    kind: &str,
    remote_id: &str,
) -> Result<Option<ConnectionRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM connections WHERE workspace_id = $1 AND kind = $2 AND remote_id = $3"
    );
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, ConnectionRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(kind)
            .bind(remote_id)
            .fetch_optional(conn)
            .await?
    }))
}

pub async fn list(db: &Db, workspace: WorkspaceId) -> Result<Vec<ConnectionRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM connections WHERE workspace_id = $1 ORDER BY provider, name, id"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ConnectionRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .fetch_all(pool)
            .await?
    }))
}

/// Active connections whose refresh grant, or access token, ends in
/// [`from`, `to`] (the caller decides which end counts for its provider).
pub async fn ending_between(
    db: &Db,
    from: DbTime,
    to: DbTime,
) -> Result<Vec<ConnectionRow>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM connections WHERE status = 'active' AND \
         ((refresh_expires_at > $1 AND refresh_expires_at <= $2) OR \
          (refresh_expires_at IS NULL AND access_expires_at > $1 AND access_expires_at <= $2)) \
         ORDER BY workspace_id, id"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ConnectionRow>(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
    }))
}

pub async fn insert(tx: &mut Tx, row: &ConnectionRow, by: UserId) -> Result<(), DbError> {
    let sql = format!(
        "INSERT INTO connections ({COLUMNS}, connected_by) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"
    );
    on_tx!(tx, |conn| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&row.id)
            .bind(row.workspace_id)
            .bind(&row.provider)
            .bind(&row.kind)
            .bind(&row.remote_id)
            .bind(&row.platform_user_id)
            .bind(&row.name)
            .bind(&row.handle)
            .bind(&row.avatar_url)
            .bind(&row.parent)
            .bind(&row.scopes)
            .bind(&row.status)
            .bind(&row.status_detail)
            .bind(row.key_id)
            .bind(&row.secrets)
            .bind(row.access_expires_at)
            .bind(row.refresh_expires_at)
            .bind(row.issued_at)
            .bind(row.refreshed_at)
            .bind(row.created_at)
            .bind(row.updated_at)
            .bind(row.revoked_at)
            .bind(row.sandbox)
            .bind(&row.webhooks)
            .bind(row.webhooks_checked_at)
            .bind(by)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Replaces what a reconnection changes: profile, scopes, tokens, status.
pub async fn update_grant(tx: &mut Tx, row: &ConnectionRow) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE connections SET platform_user_id = $1, name = $2, handle = $3, avatar_url = $4, \
             parent = $5, scopes = $6, status = $7, status_detail = $8, key_id = $9, secrets = $10, \
             access_expires_at = $11, refresh_expires_at = $12, issued_at = $13, updated_at = $14, \
             refresh_lock_until = NULL, revoked_at = NULL, sandbox = $15 WHERE id = $16",
        )
        .bind(&row.platform_user_id)
        .bind(&row.name)
        .bind(&row.handle)
        .bind(&row.avatar_url)
        .bind(&row.parent)
        .bind(&row.scopes)
        .bind(&row.status)
        .bind(&row.status_detail)
        .bind(row.key_id)
        .bind(&row.secrets)
        .bind(row.access_expires_at)
        .bind(row.refresh_expires_at)
        .bind(row.issued_at)
        .bind(row.updated_at)
        .bind(row.sandbox)
        .bind(&row.id)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Records where the connection's webhook subscription stands.
pub async fn set_webhooks(
    db: &Db,
    id: &ConnectionId,
    webhooks: &str,
    at: Timestamp,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("UPDATE connections SET webhooks = $1, webhooks_checked_at = $2 WHERE id = $3")
            .bind(webhooks)
            .bind(DbTime(at))
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Takes the refresh lock of a connection until `until`; `false` when
/// another refresh holds it.
pub async fn lock_for_refresh(
    db: &Db,
    id: &ConnectionId,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE connections SET refresh_lock_until = $1 \
             WHERE id = $2 AND (refresh_lock_until IS NULL OR refresh_lock_until < $3)",
        )
        .bind(DbTime(until))
        .bind(id)
        .bind(DbTime(now))
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Releases the refresh lock without changing anything else.
pub async fn unlock(db: &Db, id: &ConnectionId) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("UPDATE connections SET refresh_lock_until = NULL WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Stores renewed tokens, marks the connection healthy, releases the lock.
/// Renewed tokens as stored: sealed under `key_id`, with their lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct RenewedTokens<'a> {
    pub key_id: i64,
    /// The sealed access and refresh tokens.
    pub secrets: &'a str,
    pub access_expires_at: Option<Timestamp>,
    pub refresh_expires_at: Option<Timestamp>,
    pub issued_at: Timestamp,
}

/// Stores renewed tokens, marks the connection active and releases the
/// refresh lock.
pub async fn store_refreshed(
    db: &Db,
    id: &ConnectionId,
    tokens: RenewedTokens<'_>,
    now: Timestamp,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE connections SET key_id = $1, secrets = $2, access_expires_at = $3, \
             refresh_expires_at = $4, issued_at = $5, refreshed_at = $6, updated_at = $6, \
             status = 'active', status_detail = '', refresh_lock_until = NULL WHERE id = $7",
        )
        .bind(tokens.key_id)
        .bind(tokens.secrets)
        .bind(tokens.access_expires_at.map(DbTime))
        .bind(tokens.refresh_expires_at.map(DbTime))
        .bind(DbTime(tokens.issued_at))
        .bind(DbTime(now))
        .bind(id)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records a refresh that did not renew anything (a check of a token
/// without expiry), releasing the lock.
pub async fn store_checked(db: &Db, id: &ConnectionId, now: Timestamp) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE connections SET refreshed_at = $1, updated_at = $1, status = 'active', \
             status_detail = '', refresh_lock_until = NULL WHERE id = $2",
        )
        .bind(DbTime(now))
        .bind(id)
        .execute(pool)
        .await?;
    });
    Ok(())
}

const SET_STATUS: &str = "UPDATE connections SET status = $1, status_detail = $2, \
     updated_at = $3, refresh_lock_until = NULL WHERE id = $4";

/// Sets the status (and why), releasing the refresh lock.
pub async fn set_status(
    db: &Db,
    id: &ConnectionId,
    status: &str,
    detail: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(SET_STATUS)
            .bind(status)
            .bind(detail)
            .bind(DbTime(now))
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// [`set_status`] inside the caller's transaction (so an event can be
/// appended with it).
pub async fn set_status_in(
    tx: &mut Tx,
    id: &ConnectionId,
    status: &str,
    detail: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(SET_STATUS)
            .bind(status)
            .bind(detail)
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn delete(db: &Db, id: &ConnectionId) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query("DELETE FROM connections WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// How many other connections hold tokens of the same platform grant.
pub async fn sharing_grant(
    db: &Db,
    provider: &str,
    platform_user_id: &str,
    except: &ConnectionId,
) -> Result<i64, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM connections WHERE provider = $1 AND platform_user_id = $2 \
             AND platform_user_id <> '' AND id <> $3",
        )
        .bind(provider)
        .bind(platform_user_id)
        .bind(except)
        .fetch_one(pool)
        .await?
    }))
}

// --- Key rotation ---------------------------------------------------------------

/// Which table a sealed value lives in.
#[derive(Debug, Clone, Copy)]
pub enum Sealed {
    Connections,
    Attempts,
}

impl Sealed {
    fn select(self) -> &'static str {
        match self {
            Sealed::Connections => {
                "SELECT id, secrets FROM connections WHERE key_id <> $1 ORDER BY id LIMIT $2"
            }
            Sealed::Attempts => {
                "SELECT id, sealed FROM oauth_attempts WHERE key_id <> $1 ORDER BY id LIMIT $2"
            }
        }
    }

    fn update(self) -> &'static str {
        match self {
            Sealed::Connections => {
                "UPDATE connections SET key_id = $1, secrets = $2 WHERE id = $3 AND secrets = $4"
            }
            Sealed::Attempts => {
                "UPDATE oauth_attempts SET key_id = $1, sealed = $2 WHERE id = $3 AND sealed = $4"
            }
        }
    }
}

pub async fn sealed_under_other_keys(
    db: &Db,
    table: Sealed,
    active: i64,
    limit: i64,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, (String, String)>(table.select())
            .bind(active)
            .bind(limit)
            .fetch_all(pool)
            .await?
    }))
}

/// Swaps a sealed value unless it changed meanwhile (a refresh stored new
/// tokens under the new key already).
pub async fn reseal(
    db: &Db,
    table: Sealed,
    id: &str,
    old: &str,
    key_id: i64,
    new: &str,
) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(table.update())
            .bind(key_id)
            .bind(new)
            .bind(id)
            .bind(old)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// How many sealed values each key protects, across both tables.
pub async fn key_usage(db: &Db) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT key_id, COUNT(*) FROM (SELECT key_id FROM connections \
             UNION ALL SELECT key_id FROM oauth_attempts) AS sealed GROUP BY key_id ORDER BY key_id",
        )
        .fetch_all(pool)
        .await?
    }))
}

// --- OAuth attempts ---------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: String,
    pub user_id: UserId,
    pub workspace_id: WorkspaceId,
    pub provider: String,
    pub session_binding: String,
    pub stage: String,
    pub key_id: i64,
    pub sealed: String,
    pub created_at: DbTime,
    pub expires_at: DbTime,
}

pub async fn insert_attempt(db: &Db, row: &AttemptRow) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "INSERT INTO oauth_attempts (id, user_id, workspace_id, provider, session_binding, \
             stage, key_id, sealed, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&row.id)
        .bind(row.user_id)
        .bind(row.workspace_id)
        .bind(&row.provider)
        .bind(&row.session_binding)
        .bind(&row.stage)
        .bind(row.key_id)
        .bind(&row.sealed)
        .bind(row.created_at)
        .bind(row.expires_at)
        .execute(pool)
        .await?;
    });
    Ok(())
}

pub async fn attempt(db: &Db, id: &str) -> Result<Option<AttemptRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, AttemptRow>(
            "SELECT id, user_id, workspace_id, provider, session_binding, stage, key_id, sealed, \
             created_at, expires_at FROM oauth_attempts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    }))
}

/// Moves an attempt from `from` to `to` (once: `false` if another request
/// already did), storing a new sealed value and expiry.
pub async fn advance_attempt(
    db: &Db,
    id: &str,
    from: &str,
    to: &str,
    sealed: Option<(i64, &str)>,
    expires_at: Timestamp,
) -> Result<bool, DbError> {
    let (key_id, sealed) = match sealed {
        Some((k, s)) => (Some(k), Some(s)),
        None => (None, None),
    };
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE oauth_attempts SET stage = $1, key_id = COALESCE($2, key_id), \
             sealed = COALESCE($3, sealed), expires_at = $4 WHERE id = $5 AND stage = $6",
        )
        .bind(to)
        .bind(key_id)
        .bind(sealed)
        .bind(DbTime(expires_at))
        .bind(id)
        .bind(from)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Deletes attempts that expired before `now`; returns how many.
pub async fn purge_attempts(db: &Db, now: Timestamp) -> Result<u64, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query("DELETE FROM oauth_attempts WHERE expires_at < $1")
            .bind(DbTime(now))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// Connect attempts past their expiry (10 minutes), whatever their stage:
/// they hold a sealed PKCE verifier or grant nobody can use any more.
pub async fn purge_expired_attempts(db: &Db, now: Timestamp) -> Result<u64, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query("DELETE FROM oauth_attempts WHERE expires_at <= $1")
            .bind(DbTime(now))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// Who connected a connection of `workspace` (None: unknown connection, or
/// the person left).
pub async fn connected_by(
    db: &Db,
    workspace: WorkspaceId,
    id: &ConnectionId,
) -> Result<Option<i64>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar::<_, Option<i64>>(
            "SELECT connected_by FROM connections WHERE id = $1 AND workspace_id = $2",
        )
        .bind(id)
        .bind(workspace)
        .fetch_optional(pool)
        .await?
    })
    .flatten())
}
