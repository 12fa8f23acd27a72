//! Changes to many connections at once, made inside another service's
//! transaction: a platform telling Herald that a person removed its access
//! (revoke) or asked for their data to be deleted (delete). This crate owns
//! the `connections` table; the callers (the platform callbacks in
//! `herald-webhooks`) only say which connections and why, and the status
//! rules stay here with the rest of a connection's life.

use herald_core::Named;
use herald_core::{ConnectionId, Timestamp, WorkspaceId};
use herald_db::{DbError, DbTime, Tx, on_tx};

use crate::{Status, StatusDetail};

/// A connection as a bulk change reports it, for the notices and events
/// the caller raises.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Touched {
    pub id: ConnectionId,
    pub workspace_id: WorkspaceId,
    pub provider: String,
    pub name: String,
}

/// Marks every connection of the platform person `platform_user_id` on
/// `provider` (live or sandbox ones, per `sandbox`) that is not revoked yet
/// as needing reconnection, with `revoked_at` set and no further token
/// renewals; returns them. The sealed tokens stay until the account is
/// reconnected or removed.
pub async fn revoke_by_platform_user(
    tx: &mut Tx,
    provider: &str,
    platform_user_id: &str,
    sandbox: bool,
    detail: &StatusDetail,
    now: Timestamp,
) -> Result<Vec<Touched>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE connections SET status = $1, status_detail = $2, \
             revoked_at = $3, updated_at = $3, refresh_lock_until = NULL \
             WHERE provider = $4 AND platform_user_id = $5 AND sandbox = $6 \
             AND revoked_at IS NULL \
             RETURNING id, workspace_id, provider, name",
        )
        .bind(Status::NeedsReconnection.as_str())
        .bind(detail.to_stored())
        .bind(DbTime(now))
        .bind(provider)
        .bind(platform_user_id)
        .bind(sandbox)
        .fetch_all(conn)
        .await?
    }))
}

/// The connections on `provider` (live or sandbox ones) that know their
/// platform person: `(connection id, platform user id)`.
pub async fn platform_users(
    tx: &mut Tx,
    provider: &str,
    sandbox: bool,
) -> Result<Vec<(ConnectionId, String)>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, platform_user_id FROM connections \
             WHERE provider = $1 AND sandbox = $2 AND platform_user_id <> ''",
        )
        .bind(provider)
        .bind(sandbox)
        .fetch_all(conn)
        .await?
    }))
}

/// Deletes the connections `ids` (what hangs off them goes by cascade, and
/// post targets lose them); returns those that existed.
pub async fn delete(tx: &mut Tx, ids: &[ConnectionId]) -> Result<Vec<Touched>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on_tx!(tx, |conn| {
        let mut qb = sqlx::QueryBuilder::new("DELETE FROM connections WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id);
        }
        qb.push(") RETURNING id, workspace_id, provider, name");
        qb.build_query_as().fetch_all(&mut *conn).await?
    }))
}
