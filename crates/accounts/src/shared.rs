//! What other services may ask of the accounts tables (`users`,
//! `memberships`, `audit_events`), so that only this crate reads or writes
//! them. Each function takes the caller's transaction where the caller's
//! change must stay atomic with it (a notice to every member, an audit
//! event beside a revoked connection).

use herald_core::Named;
use std::collections::HashMap;

use herald_core::{Timestamp, UserId, WorkspaceId};
use herald_db::{Db, DbError, DbTime, Tx, on_pool, on_tx};

use crate::{AccountError, Authorized, Permission, Role, store};

/// Proof that `user` is in `workspace` and their role allows `permission`
/// (what [`crate::Accounts::require`] gives a signed-in person; jobs that
/// act for a person later ask here). A workspace the person is not in is
/// "not found", not "forbidden".
pub async fn authorize(
    db: &Db,
    user: UserId,
    workspace: WorkspaceId,
    permission: Permission,
) -> Result<Authorized, AccountError> {
    let role = store::role_in(db, workspace, user)
        .await?
        .and_then(|r| Role::parse(&r))
        .ok_or(AccountError::NotFound)?;
    let proof = Authorized::new(user, workspace, role);
    proof.require(permission)?;
    Ok(proof)
}

/// Records an audit event that no person caused (a platform callback, a
/// job), with outcome `success`, in `tx`.
pub async fn record_system_event(
    tx: &mut Tx,
    at: Timestamp,
    workspace: WorkspaceId,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_events (at, workspace_id, actor_id, action, outcome, subject, detail) \
             VALUES ($1, $2, NULL, $3, 'success', $4, $5)",
        )
        .bind(DbTime(at))
        .bind(workspace)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Records what the member holding `auth` did in their workspace (outcome
/// `success`), in `tx`, so the event stands or falls with the change. Done
/// through a scoped token, the event says which (`via`).
pub async fn record_member_event(
    tx: &mut Tx,
    at: Timestamp,
    auth: &Authorized,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_events (at, workspace_id, actor_id, action, outcome, subject, detail, via) \
             VALUES ($1, $2, $3, $4, 'success', $5, $6, $7)",
        )
        .bind(DbTime(at))
        .bind(auth.workspace())
        .bind(auth.user())
        .bind(action)
        .bind(subject)
        .bind(detail)
        .bind(auth.via_label())
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Records, for a background job, what a member asked for earlier and
/// the job has now done in their name: the actor and the token (`via`)
/// are the ones stored with the request; `outcome` is `success` or
/// `failure`.
#[allow(clippy::too_many_arguments)]
pub async fn record_event_for(
    tx: &mut Tx,
    at: Timestamp,
    workspace: WorkspaceId,
    actor: Option<UserId>,
    via: Option<&str>,
    action: &str,
    outcome: &str,
    subject: &str,
    detail: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_events (at, workspace_id, actor_id, action, outcome, subject, detail, via) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(DbTime(at))
        .bind(workspace)
        .bind(actor)
        .bind(action)
        .bind(outcome)
        .bind(subject)
        .bind(detail)
        .bind(via)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// The members of `workspace`, in `tx`.
pub async fn member_ids(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<UserId>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT user_id FROM memberships WHERE workspace_id = $1 ORDER BY user_id",
        )
        .bind(workspace)
        .fetch_all(conn)
        .await?
    }))
}

/// The members of `workspace` with their roles, in `tx` (a role this
/// version does not know is left out).
pub async fn member_roles(
    tx: &mut Tx,
    workspace: WorkspaceId,
) -> Result<Vec<(UserId, Role)>, DbError> {
    let rows: Vec<(UserId, String)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT user_id, role FROM memberships WHERE workspace_id = $1 ORDER BY user_id",
        )
        .bind(workspace)
        .fetch_all(conn)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(user, role)| Some((user, Role::parse(&role)?)))
        .collect())
}

/// A person as mail reaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: UserId,
    pub email: String,
    /// Whether they confirmed the address (only confirmed addresses get
    /// notification mail).
    pub verified: bool,
    pub locale: String,
    /// Their IANA time zone, when they chose one.
    pub time_zone: Option<String>,
    /// Their display name, else their address.
    pub name: String,
}

/// Each of `users` as mail reaches them; people who no longer exist are
/// left out.
pub async fn recipients(db: &Db, users: &[UserId]) -> Result<Vec<Recipient>, DbError> {
    let mut found = Vec::with_capacity(users.len());
    for chunk in users.chunks(500) {
        type Row = (UserId, String, Option<i64>, String, Option<String>, String);
        let rows: Vec<Row> = on_pool!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, email, email_verified_at, locale, time_zone, display_name FROM users WHERE id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(pool).await?
        });
        found.extend(rows.into_iter().map(
            |(id, email, verified, locale, time_zone, display_name)| Recipient {
                id,
                name: if display_name.trim().is_empty() {
                    email.clone()
                } else {
                    display_name
                },
                email,
                verified: verified.is_some(),
                locale,
                time_zone,
            },
        ));
    }
    Ok(found)
}

/// Every membership (workspace, member), for work that visits each member
/// of each workspace (the weekly digest), in pages after `after`.
pub async fn memberships_after(
    db: &Db,
    after: Option<(WorkspaceId, UserId)>,
    limit: i64,
) -> Result<Vec<(WorkspaceId, UserId, Role)>, DbError> {
    let (w, u) = after.map_or((0, 0), |(w, u)| (w.0, u.0));
    let rows: Vec<(WorkspaceId, UserId, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT workspace_id, user_id, role FROM memberships \
             WHERE workspace_id > $1 OR (workspace_id = $1 AND user_id > $2) \
             ORDER BY workspace_id, user_id LIMIT $3",
        )
        .bind(w)
        .bind(u)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(w, u, role)| Some((w, u, Role::parse(&role)?)))
        .collect())
}

/// The name of `workspace`, when it exists.
pub async fn workspace_name(db: &Db, workspace: WorkspaceId) -> Result<Option<String>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar("SELECT name FROM workspaces WHERE id = $1")
            .bind(workspace)
            .fetch_optional(pool)
            .await?
    }))
}

/// The Argon2id hash of a password that guards a shared link (8 to 128
/// characters). CPU-heavy: call from a blocking task.
pub fn hash_link_password(raw: &str) -> Result<String, crate::PasswordPolicyError> {
    crate::password::hash_shared(raw)
}

/// Whether `raw` is the password `stored` was made from. CPU-heavy: call
/// from a blocking task.
pub fn verify_link_password(raw: &str, stored: &str) -> bool {
    crate::password::verify(raw, stored) != crate::password::Verified::No
}

/// A member of a workspace as other services see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCard {
    pub id: UserId,
    pub role: Role,
    /// Their display name, else their address.
    pub name: String,
    pub email: String,
}

/// The members of `workspace` with their roles, oldest membership first.
pub async fn member_cards(db: &Db, workspace: WorkspaceId) -> Result<Vec<MemberCard>, DbError> {
    Ok(store::members(db, workspace)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(MemberCard {
                id: m.user_id,
                role: Role::parse(&m.role)?,
                name: if m.display_name.trim().is_empty() {
                    m.email.clone()
                } else {
                    m.display_name.clone()
                },
                email: m.email,
            })
        })
        .collect())
}

/// The name each of `users` goes by (their display name, else their
/// address); people who no longer exist are left out.
pub async fn display_names(db: &Db, users: &[UserId]) -> Result<HashMap<UserId, String>, DbError> {
    let mut names = HashMap::new();
    for chunk in users.chunks(500) {
        let rows: Vec<(UserId, String)> = on_pool!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, COALESCE(NULLIF(display_name, ''), email) FROM users WHERE id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await?
        });
        names.extend(rows);
    }
    Ok(names)
}
