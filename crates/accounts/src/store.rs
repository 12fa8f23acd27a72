//! Every statement the accounts service runs, for both engines. Rows are
//! mapped to domain types here and nowhere else.

use crate::{DeviceId, UserId, WorkspaceId};
use herald_core::Timestamp;
use herald_core::TokenId;
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub locale: String,
    pub email_verified_at: Option<DbTime>,
    pub created_at: DbTime,
    pub time_zone: Option<String>,
}

const USER_COLUMNS: &str =
    "id, email, password_hash, display_name, locale, email_verified_at, created_at, time_zone";

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn user_by_id(db: &Db, id: i64) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

/// Inserts a user; `Ok(None)` when the e-mail address is taken.
pub async fn insert_user(
    tx: &mut Tx,
    email: &str,
    password_hash: &str,
    display_name: &str,
    locale: &str,
    now: Timestamp,
) -> Result<Option<i64>, DbError> {
    let result = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (email, password_hash, display_name, locale, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(email)
        .bind(password_hash)
        .bind(display_name)
        .bind(locale)
        .bind(DbTime(now))
        .fetch_optional(conn)
        .await?
    });
    Ok(result)
}

pub async fn set_password_hash(
    tx: &mut Tx,
    user: UserId,
    hash: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(DbTime(now))
            .bind(user)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub async fn mark_verified(tx: &mut Tx, user: UserId, now: Timestamp) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 \
             WHERE id = $2",
        )
        .bind(DbTime(now))
        .bind(user)
        .execute(conn)
        .await?;
    });
    Ok(())
}

pub async fn set_time_zone(db: &Db, user: UserId, zone: Option<&str>) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
            .bind(zone)
            .bind(user)
            .execute(pool)
            .await?;
    });
    Ok(())
}

pub async fn set_locale(db: &Db, user: UserId, locale: &str) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user)
            .execute(pool)
            .await?;
    });
    Ok(())
}

// --- Workspaces and memberships -------------------------------------------

pub async fn insert_workspace(
    tx: &mut Tx,
    name: &str,
    personal_of: Option<i64>,
    now: Timestamp,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO workspaces (name, personal_of, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(personal_of)
        .bind(DbTime(now))
        .fetch_one(conn)
        .await?
    }))
}

pub async fn upsert_membership(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
    role: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(workspace)
        .bind(user)
        .bind(role)
        .bind(DbTime(now))
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Ends `user`'s membership of `workspace`; the tokens they made there
/// are revoked with it (at `now`).
pub async fn delete_membership(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
    now: Timestamp,
) -> Result<bool, DbError> {
    revoke_api_tokens_of_member(tx, workspace, user, now).await?;
    let n = on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace)
            .bind(user)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub personal_of: Option<i64>,
    pub role: String,
}

pub async fn memberships_of(db: &Db, user: UserId) -> Result<Vec<MembershipRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, MembershipRow>(
            "SELECT m.workspace_id, w.name AS workspace_name, w.personal_of, m.role \
             FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
             WHERE m.user_id = $1 ORDER BY w.personal_of IS NULL, w.created_at, w.id",
        )
        .bind(user)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn role_in(
    db: &Db,
    workspace: WorkspaceId,
    user: UserId,
) -> Result<Option<String>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar::<_, String>(
            "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
        )
        .bind(workspace)
        .bind(user)
        .fetch_optional(pool)
        .await?
    }))
}

/// The role of `user` in `workspace`, read with a row lock on PostgreSQL so
/// that concurrent role changes cannot both remove the last owner.
pub async fn owners_for_update(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<i64>, DbError> {
    Ok(match tx.inner_mut() {
        herald_db::tx::Inner::Sqlite(conn) => {
            // SQLite serialises writers; the transaction is enough.
            sqlx::query_scalar::<_, i64>(
                "SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner'",
            )
            .bind(workspace)
            .fetch_all(&mut **conn)
            .await?
        }
        herald_db::tx::Inner::Postgres(conn) => sqlx::query_scalar::<_, i64>(
            "SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE",
        )
        .bind(workspace)
        .fetch_all(&mut **conn)
        .await?,
    })
}

pub async fn role_in_tx(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, String>(
            "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
        )
        .bind(workspace)
        .bind(user)
        .fetch_optional(conn)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub created_at: DbTime,
}

pub async fn members(db: &Db, workspace: WorkspaceId) -> Result<Vec<MemberRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, MemberRow>(
            "SELECT u.id AS user_id, u.email, u.display_name, m.role, m.created_at \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = $1 ORDER BY m.created_at, u.id",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await?
    }))
}

// --- Invitations ------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRow {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub email: String,
    pub role: String,
    pub expires_at: DbTime,
    pub accepted_at: Option<DbTime>,
    pub created_at: DbTime,
}

/// Replaces any open invitation of `email` to `workspace` with a new one.
/// An invitation as stored (its token only as a hash).
#[derive(Debug, Clone, Copy)]
pub struct NewInvite<'a> {
    pub workspace: WorkspaceId,
    pub email: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub invited_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Stores `invite`, replacing an open invitation of the same address to
/// the same workspace.
pub async fn replace_invite(tx: &mut Tx, invite: &NewInvite<'_>) -> Result<i64, DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "DELETE FROM invites WHERE workspace_id = $1 AND email = $2 AND accepted_at IS NULL",
        )
        .bind(invite.workspace)
        .bind(invite.email)
        .execute(&mut *conn)
        .await?;
    });
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO invites (workspace_id, email, role, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(invite.workspace)
        .bind(invite.email)
        .bind(invite.role)
        .bind(invite.token_hash)
        .bind(invite.invited_by)
        .bind(DbTime(invite.created_at))
        .bind(DbTime(invite.expires_at))
        .fetch_one(conn)
        .await?
    }))
}

pub async fn invite_by_token(tx: &mut Tx, token_hash: &str) -> Result<Option<InviteRow>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, InviteRow>(
            "SELECT id, workspace_id, email, role, expires_at, accepted_at, created_at \
             FROM invites WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(conn)
        .await?
    }))
}

pub async fn accept_invite(tx: &mut Tx, id: i64, now: Timestamp) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query("UPDATE invites SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL")
            .bind(DbTime(now))
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn open_invites(
    db: &Db,
    workspace: WorkspaceId,
    now: Timestamp,
) -> Result<Vec<InviteRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, InviteRow>(
            "SELECT id, workspace_id, email, role, expires_at, accepted_at, created_at FROM invites \
             WHERE workspace_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at",
        )
        .bind(workspace)
        .bind(DbTime(now))
        .fetch_all(pool)
        .await?
    }))
}

pub async fn delete_invite(db: &Db, workspace: WorkspaceId, id: i64) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "DELETE FROM invites WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL",
        )
        .bind(workspace)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

// --- Sessions -----------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: DbTime,
    pub last_seen_at: DbTime,
    pub expires_at: DbTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub revoked_at: Option<DbTime>,
}

pub async fn insert_session(
    db: &Db,
    session: &crate::sessions::SessionRecord,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(UserId(session.user_id))
        .bind(DbTime(session.created_at))
        .bind(DbTime(session.expires_at))
        .bind(&session.ip)
        .bind(&session.user_agent)
        .execute(pool)
        .await?;
    });
    Ok(())
}

pub async fn session(db: &Db, token_hash: &str) -> Result<Option<SessionRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, SessionRow>(
            "SELECT token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, revoked_at \
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await?
    }))
}

pub async fn touch_session(db: &Db, token_hash: &str, now: Timestamp) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(DbTime(now))
            .bind(token_hash)
            .execute(pool)
            .await?;
    });
    Ok(())
}

pub async fn sessions_of(
    db: &Db,
    user: UserId,
    now: Timestamp,
) -> Result<Vec<SessionRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, SessionRow>(
            "SELECT token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, revoked_at \
             FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY last_seen_at DESC",
        )
        .bind(user)
        .bind(DbTime(now))
        .fetch_all(pool)
        .await?
    }))
}

/// Revokes one session of `user` (or all of them but `except`).
pub async fn revoke_sessions(
    db: &Db,
    user: UserId,
    only: Option<&str>,
    except: Option<&str>,
    now: Timestamp,
) -> Result<u64, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
             AND ($3 IS NULL OR token_hash = $3) AND ($4 IS NULL OR token_hash <> $4)",
        )
        .bind(DbTime(now))
        .bind(user)
        .bind(only)
        .bind(except)
        .execute(pool)
        .await?
        .rows_affected()
    }))
}

// --- Devices and their tokens ------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeviceRow {
    pub id: DeviceId,
    pub user_id: UserId,
    pub name: String,
    pub kind: String,
    pub created_at: DbTime,
    pub last_used_at: DbTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub revoked_at: Option<DbTime>,
}

const DEVICE_COLUMNS: &str =
    "id, user_id, name, kind, created_at, last_used_at, ip, user_agent, revoked_at";

pub async fn insert_device(
    tx: &mut Tx,
    user: UserId,
    name: &str,
    kind: &str,
    now: Timestamp,
    from: &crate::RequestMeta,
) -> Result<i64, DbError> {
    let (ip, user_agent) = (from.ip.as_deref(), from.user_agent.as_deref());
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO devices (user_id, name, kind, created_at, last_used_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id",
        )
        .bind(user)
        .bind(name)
        .bind(kind)
        .bind(DbTime(now))
        .bind(ip)
        .bind(user_agent)
        .fetch_one(conn)
        .await?
    }))
}

pub async fn device(db: &Db, id: i64) -> Result<Option<DeviceRow>, DbError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, DeviceRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

pub async fn devices_of(db: &Db, user: UserId) -> Result<Vec<DeviceRow>, DbError> {
    let sql = format!(
        "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 AND revoked_at IS NULL \
         ORDER BY last_used_at DESC"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, DeviceRow>(sqlx::AssertSqlSafe(sql))
            .bind(user)
            .fetch_all(pool)
            .await?
    }))
}

pub async fn touch_device(
    tx: &mut Tx,
    id: i64,
    now: Timestamp,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE devices SET last_used_at = $1, ip = COALESCE($2, ip), \
             user_agent = COALESCE($3, user_agent) WHERE id = $4",
        )
        .bind(DbTime(now))
        .bind(ip)
        .bind(user_agent)
        .bind(id)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Revokes a device (or every device of the user): its refresh-token family
/// and access tokens stop working.
pub async fn revoke_devices(
    db: &Db,
    user: UserId,
    only: Option<i64>,
    now: Timestamp,
) -> Result<u64, DbError> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE devices SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
             AND ($3 IS NULL OR id = $3)",
        )
        .bind(DbTime(now))
        .bind(user)
        .bind(only)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "DELETE FROM access_tokens WHERE device_id IN \
             (SELECT id FROM devices WHERE user_id = $1 AND revoked_at IS NOT NULL)",
        )
        .bind(user)
        .execute(conn)
        .await?;
    });
    tx.commit().await?;
    Ok(n)
}

/// The two token tables of a device, which share one shape.
#[derive(Debug, Clone, Copy)]
pub enum DeviceTokenTable {
    Refresh,
    Access,
}

/// Stores the hash of a device's new refresh or access token.
pub async fn insert_device_token(
    tx: &mut Tx,
    table: DeviceTokenTable,
    token_hash: &str,
    device: DeviceId,
    now: Timestamp,
    expires: Timestamp,
) -> Result<(), DbError> {
    let sql = match table {
        DeviceTokenTable::Refresh => {
            "INSERT INTO refresh_tokens (token_hash, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        }
        DeviceTokenTable::Access => {
            "INSERT INTO access_tokens (token_hash, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        }
    };
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(token_hash)
            .bind(device)
            .bind(DbTime(now))
            .bind(DbTime(expires))
            .execute(conn)
            .await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshRow {
    pub device_id: DeviceId,
    pub expires_at: DbTime,
    pub used_at: Option<DbTime>,
}

pub async fn refresh_token(tx: &mut Tx, token_hash: &str) -> Result<Option<RefreshRow>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, RefreshRow>(
            "SELECT device_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(conn)
        .await?
    }))
}

/// Marks a refresh token used; false when it already was (a reuse).
pub async fn use_refresh_token(
    tx: &mut Tx,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(DbTime(now))
        .bind(token_hash)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessRow {
    pub device_id: DeviceId,
    pub user_id: UserId,
    pub expires_at: DbTime,
    pub revoked_at: Option<DbTime>,
}

pub async fn access_token(db: &Db, token_hash: &str) -> Result<Option<AccessRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, AccessRow>(
            "SELECT a.device_id, d.user_id, a.expires_at, d.revoked_at \
             FROM access_tokens a JOIN devices d ON d.id = a.device_id WHERE a.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await?
    }))
}

// --- Scoped access tokens ---------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: TokenId,
    pub workspace_id: WorkspaceId,
    pub created_by: UserId,
    pub name: String,
    pub kind: String,
    pub scopes: String,
    pub created_at: DbTime,
    pub expires_at: Option<DbTime>,
    pub last_used_at: Option<DbTime>,
    pub revoked_at: Option<DbTime>,
}

const API_TOKEN_COLUMNS: &str = "id, workspace_id, created_by, name, kind, scopes, created_at, \
     expires_at, last_used_at, revoked_at";

/// A token as stored (its secret only as a hash).
#[derive(Debug, Clone, Copy)]
pub struct NewApiToken<'a> {
    pub workspace: WorkspaceId,
    pub created_by: UserId,
    pub name: &'a str,
    pub kind: &'a str,
    pub scopes: &'a str,
    pub token_hash: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// Stores `token`; `Ok(None)` when its maker already has a live token of
/// that name in the workspace.
pub async fn insert_api_token(
    db: &Db,
    token: &NewApiToken<'_>,
) -> Result<Option<TokenId>, DbError> {
    let inserted = on_pool!(db, |pool| {
        sqlx::query_scalar::<_, TokenId>(
            "INSERT INTO api_tokens (workspace_id, created_by, name, kind, scopes, token_hash, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (workspace_id, created_by, name) WHERE revoked_at IS NULL DO NOTHING \
             RETURNING id",
        )
        .bind(token.workspace)
        .bind(token.created_by)
        .bind(token.name)
        .bind(token.kind)
        .bind(token.scopes)
        .bind(token.token_hash)
        .bind(DbTime(token.created_at))
        .bind(token.expires_at.map(DbTime))
        .fetch_optional(pool)
        .await?
    });
    Ok(inserted)
}

/// The token whose secret hashes to `token_hash`, revoked or not.
pub async fn api_token_by_hash(db: &Db, token_hash: &str) -> Result<Option<ApiTokenRow>, DbError> {
    let sql = format!("SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ApiTokenRow>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
    }))
}

/// The live (unrevoked) tokens of `workspace`, only `created_by`'s when
/// given, newest first.
pub async fn live_api_tokens(
    db: &Db,
    workspace: WorkspaceId,
    created_by: Option<UserId>,
) -> Result<Vec<ApiTokenRow>, DbError> {
    let sql = format!(
        "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE workspace_id = $1 \
         AND ($2 IS NULL OR created_by = $2) AND revoked_at IS NULL ORDER BY created_at DESC, id DESC"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ApiTokenRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(created_by)
            .fetch_all(pool)
            .await?
    }))
}

/// Notes that a token was used at `now`, unless that was noted less than
/// `fresh` ago: a busy client does not write on every request.
pub async fn touch_api_token(
    db: &Db,
    id: TokenId,
    now: Timestamp,
    stale_before: Timestamp,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(DbTime(now))
        .bind(id)
        .bind(DbTime(stale_before))
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Revokes a live token of `workspace` (only `created_by`'s when given);
/// its name and kind, or `None` when there is no such token.
pub async fn revoke_api_token(
    db: &Db,
    workspace: WorkspaceId,
    id: TokenId,
    created_by: Option<UserId>,
    now: Timestamp,
) -> Result<Option<(String, String)>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, (String, String)>(
            "UPDATE api_tokens SET revoked_at = $1 WHERE workspace_id = $2 AND id = $3 \
             AND ($4 IS NULL OR created_by = $4) AND revoked_at IS NULL RETURNING name, kind",
        )
        .bind(DbTime(now))
        .bind(workspace)
        .bind(id)
        .bind(created_by)
        .fetch_optional(pool)
        .await?
    }))
}

/// Revokes every live token `user` made in `workspace` (they left it).
pub async fn revoke_api_tokens_of_member(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
    now: Timestamp,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE workspace_id = $2 AND created_by = $3 AND revoked_at IS NULL",
        )
        .bind(DbTime(now))
        .bind(workspace)
        .bind(user)
        .execute(conn)
        .await?
        .rows_affected()
    }))
}

/// Revoked tokens, and tokens that expired, before `cutoff`.
pub async fn purge_api_tokens(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    purge_before(
        db,
        "DELETE FROM api_tokens WHERE revoked_at <= $1 OR expires_at <= $1",
        cutoff,
    )
    .await
}

// --- Single-use e-mail tokens ---------------------------------------------------------

/// Stores a new token for `purpose`, invalidating earlier unused ones.
pub async fn replace_email_token(
    tx: &mut Tx,
    token_hash: &str,
    user: UserId,
    purpose: &str,
    now: Timestamp,
    expires: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE email_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
        )
        .bind(DbTime(now))
        .bind(user)
        .bind(purpose)
        .execute(&mut *conn)
        .await?;
    });
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user)
        .bind(purpose)
        .bind(DbTime(now))
        .bind(DbTime(expires))
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Takes a valid token of `purpose` (unused, unexpired) and marks it used,
/// atomically; returns its user.
/// Whether an e-mail token exists for `purpose`, unused and unexpired
/// (without using it).
pub async fn email_token_usable(
    db: &Db,
    token_hash: &str,
    purpose: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM email_tokens \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose)
        .bind(DbTime(now))
        .fetch_one(pool)
        .await?
    }) > 0)
}

pub async fn take_email_token(
    tx: &mut Tx,
    token_hash: &str,
    purpose: &str,
    now: Timestamp,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "UPDATE email_tokens SET used_at = $1 \
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
             RETURNING user_id",
        )
        .bind(DbTime(now))
        .bind(token_hash)
        .bind(purpose)
        .fetch_optional(conn)
        .await?
    }))
}

// --- Audit ----------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub at: DbTime,
    pub actor_email: Option<String>,
    pub via: Option<String>,
    pub action: String,
    pub outcome: String,
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: String,
}

pub async fn insert_audit(
    db: &Db,
    at: Timestamp,
    event: &crate::AuditEvent<'_>,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "INSERT INTO audit_events (at, workspace_id, actor_id, action, outcome, subject, ip, user_agent, detail, via) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(DbTime(at))
        .bind(event.workspace)
        .bind(event.actor)
        .bind(event.action)
        .bind(event.outcome)
        .bind(event.subject)
        .bind(ip)
        .bind(user_agent)
        .bind(event.detail)
        .bind(event.via)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// An audit row with its actor's address, for the queries below.
const AUDIT_SELECT: &str = "SELECT e.at, u.email AS actor_email, e.via, e.action, e.outcome, \
     e.subject, e.ip, e.user_agent, e.detail FROM audit_events e \
     LEFT JOIN users u ON u.id = e.actor_id";

/// Audit events of a workspace and of its members' own account actions,
/// newest first.
pub async fn audit_for_workspace(
    db: &Db,
    workspace: WorkspaceId,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
            "{AUDIT_SELECT} WHERE e.workspace_id = $1 \
                OR (e.workspace_id IS NULL AND e.actor_id IN \
                    (SELECT user_id FROM memberships WHERE workspace_id = $1)) \
             ORDER BY e.at DESC, e.id DESC LIMIT $2"
        )))
        .bind(workspace)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

// --- Retention --------------------------------------------------------------------------

/// Runs one retention `DELETE` bound to `cutoff`; returns how many rows went.
async fn purge_before(db: &Db, sql: &'static str, cutoff: Timestamp) -> Result<u64, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query(sql)
            .bind(DbTime(cutoff))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

pub async fn purge_sessions(
    db: &Db,
    now: Timestamp,
    idle_before: Timestamp,
) -> Result<u64, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query(
            "DELETE FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= $1 OR last_seen_at < $2",
        )
        .bind(DbTime(now))
        .bind(DbTime(idle_before))
        .execute(pool)
        .await?
        .rows_affected()
    }))
}

/// Used or expired e-mail tokens (verification, reset).
pub async fn purge_email_tokens(db: &Db, now: Timestamp) -> Result<u64, DbError> {
    purge_before(
        db,
        "DELETE FROM email_tokens WHERE used_at IS NOT NULL OR expires_at <= $1",
        now,
    )
    .await
}

/// Expired access and refresh tokens. A used refresh token stays until it
/// expires: presenting it again is how a stolen one is recognised.
pub async fn purge_device_tokens(db: &Db, now: Timestamp) -> Result<u64, DbError> {
    Ok(
        purge_before(db, "DELETE FROM access_tokens WHERE expires_at <= $1", now).await?
            + purge_before(db, "DELETE FROM refresh_tokens WHERE expires_at <= $1", now).await?,
    )
}

/// Signed-out devices, and devices past their absolute lifetime (created
/// before `ended_before`), with their tokens.
pub async fn purge_devices(db: &Db, ended_before: Timestamp) -> Result<u64, DbError> {
    purge_before(
        db,
        "DELETE FROM devices WHERE revoked_at IS NOT NULL OR created_at <= $1",
        ended_before,
    )
    .await
}

/// Accepted or expired invitations.
pub async fn purge_invites(db: &Db, now: Timestamp) -> Result<u64, DbError> {
    purge_before(
        db,
        "DELETE FROM invites WHERE accepted_at IS NOT NULL OR expires_at <= $1",
        now,
    )
    .await
}

/// Audit events from before `before`.
pub async fn purge_audit(db: &Db, before: Timestamp) -> Result<u64, DbError> {
    purge_before(db, "DELETE FROM audit_events WHERE at < $1", before).await
}

// --- Data rights ----------------------------------------------------------------------

pub async fn insert_consent(
    tx: &mut Tx,
    user: UserId,
    document: &str,
    version: &str,
    ip: Option<&str>,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO consents (user_id, document, version, accepted_at, ip) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user)
        .bind(document)
        .bind(version)
        .bind(DbTime(now))
        .bind(ip)
        .execute(conn)
        .await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentRow {
    pub document: String,
    pub version: String,
    pub accepted_at: DbTime,
}

pub async fn consents(db: &Db, user: UserId) -> Result<Vec<ConsentRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ConsentRow>(
            "SELECT document, version, accepted_at FROM consents WHERE user_id = $1 \
             ORDER BY accepted_at, id",
        )
        .bind(user)
        .fetch_all(pool)
        .await?
    }))
}

/// The audit events a person caused, newest first (their own copy).
pub async fn audit_of_actor(db: &Db, actor: UserId) -> Result<Vec<AuditRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
            "{AUDIT_SELECT} WHERE e.actor_id = $1 ORDER BY e.at DESC, e.id DESC"
        )))
        .bind(actor)
        .fetch_all(pool)
        .await?
    }))
}

/// Makes `user` an owner of `workspace`; false when they are not a member.
pub async fn make_owner(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE memberships SET role = 'owner' WHERE workspace_id = $1 AND user_id = $2",
        )
        .bind(workspace)
        .bind(user)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Deletes a workspace; everything that belongs to it goes with it (the
/// schema's `ON DELETE CASCADE`).
pub async fn delete_workspace(tx: &mut Tx, workspace: WorkspaceId) -> Result<bool, DbError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM workspaces WHERE id = $1")
            .bind(workspace)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Deletes a user, after taking them out of the audit log they leave
/// behind: the events stay (the log is kept for a year) without their
/// address, IP or browser.
pub async fn delete_user(tx: &mut Tx, user: UserId, email: &str) -> Result<bool, DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE audit_events SET actor_id = NULL, ip = NULL, user_agent = NULL \
             WHERE actor_id = $1",
        )
        .bind(user)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE audit_events SET subject = NULL WHERE subject = $1")
            .bind(email)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM invites WHERE email = $1")
            .bind(email)
            .execute(&mut *conn)
            .await?;
    });
    let done = on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}
