//! The inbox's SQL: items with the caller's reading, their threads, notes
//! and actions. Items are read with their connection's name, kind and
//! provider by a join (a read of the connections table, as routing does);
//! every statement names the workspace, so an id from another workspace
//! finds nothing.

use herald_core::{ConnectionId, Timestamp, UserId, WorkspaceId};
use herald_db::{Db, DbError, DbTime, Tx, on_pool, on_tx};

use super::{DoneFilter, Filter, ItemKind};

/// An item as stored, with its account and the caller's reading.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ItemRow {
    pub id: i64,
    pub connection_id: ConnectionId,
    pub kind: String,
    pub remote_id: String,
    pub parent_id: Option<String>,
    pub media_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub text: Option<String>,
    pub remote_created_at: Option<i64>,
    pub state: String,
    pub created_at: DbTime,
    pub assigned_to: Option<UserId>,
    pub done_at: Option<DbTime>,
    pub done_by: Option<UserId>,
    pub hidden: bool,
    pub read: bool,
    pub account_name: String,
    pub account_kind: String,
    pub provider: String,
    pub account_remote_id: String,
}

/// `$1` is the reader.
const ITEM_COLUMNS: &str = "i.id, i.connection_id, i.kind, i.remote_id, \
    i.parent_id, i.media_id, i.author_id, i.author_name, i.text, i.remote_created_at, i.state, \
    i.created_at, i.assigned_to, i.done_at, i.done_by, i.hidden, \
    EXISTS (SELECT 1 FROM inbox_reads r WHERE r.item_id = i.id AND r.user_id = $1) AS read, \
    c.name AS account_name, c.kind AS account_kind, c.provider, c.remote_id AS account_remote_id \
    FROM inbox_items i JOIN connections c ON c.id = i.connection_id";

/// A page of `workspace`'s items as `reader` sees them, newest first; one
/// more than `limit` when there are more.
pub(super) async fn list(
    db: &Db,
    workspace: WorkspaceId,
    reader: UserId,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<ItemRow>, DbError> {
    let rows = on_pool!(db, |pool| {
        // The reader is the columns' `$1`: bound there, in order.
        let mut qb = sqlx::QueryBuilder::new("SELECT ");
        let (head, tail) = ITEM_COLUMNS
            .split_once("$1")
            .expect("the columns name the reader");
        qb.push(head).push_bind(reader).push(tail);
        qb.push(" WHERE i.workspace_id = ").push_bind(workspace);
        if let Some(account) = &filter.account {
            qb.push(" AND i.connection_id = ")
                .push_bind(account.clone());
        }
        if let Some(kind) = filter.kind {
            qb.push(" AND i.kind = ")
                .push_bind(<&'static str>::from(kind));
        }
        if filter.unread {
            qb.push(
                " AND NOT EXISTS (SELECT 1 FROM inbox_reads r2 WHERE r2.item_id = i.id AND r2.user_id = ",
            )
            .push_bind(reader)
            .push(")");
        }
        if filter.assigned_to_me {
            qb.push(" AND i.assigned_to = ").push_bind(reader);
        }
        match filter.state {
            DoneFilter::Open => {
                qb.push(" AND i.done_at IS NULL");
            }
            DoneFilter::Done => {
                qb.push(" AND i.done_at IS NOT NULL");
            }
            DoneFilter::All => {}
        }
        if let Some(before) = filter.before {
            qb.push(" AND i.id < ").push_bind(before);
        }
        qb.push(" ORDER BY i.id DESC LIMIT ").push_bind(limit + 1);
        qb.build_query_as::<ItemRow>().fetch_all(pool).await?
    });
    Ok(rows)
}

/// One item of `workspace` as `reader` sees it.
pub(super) async fn item(
    db: &Db,
    workspace: WorkspaceId,
    reader: UserId,
    id: i64,
) -> Result<Option<ItemRow>, DbError> {
    let sql = format!("SELECT {ITEM_COLUMNS} WHERE i.id = $2 AND i.workspace_id = $3");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
            .bind(reader)
            .bind(id)
            .bind(workspace)
            .fetch_optional(pool)
            .await?
    }))
}

/// The items around `item`: the comment it answers and the replies to it,
/// or for a message the conversation with its author; oldest first.
pub(super) async fn around(
    db: &Db,
    reader: UserId,
    item: &ItemRow,
) -> Result<(Option<ItemRow>, Vec<ItemRow>), DbError> {
    if item.kind == <&'static str>::from(ItemKind::Message) {
        let Some(author) = &item.author_id else {
            return Ok((None, Vec::new()));
        };
        let sql = format!(
            "SELECT {ITEM_COLUMNS} WHERE i.connection_id = $2 AND i.kind = 'message' \
             AND i.author_id = $3 AND i.id <> $4 \
             ORDER BY COALESCE(i.remote_created_at, i.created_at), i.id LIMIT 100"
        );
        let rows = on_pool!(db, |pool| {
            sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
                .bind(reader)
                .bind(&item.connection_id)
                .bind(author)
                .bind(item.id)
                .fetch_all(pool)
                .await?
        });
        return Ok((None, rows));
    }
    let parent = match &item.parent_id {
        Some(parent) => {
            let sql = format!(
                "SELECT {ITEM_COLUMNS} WHERE i.connection_id = $2 AND i.remote_id = $3 \
                 AND i.kind = 'comment'"
            );
            on_pool!(db, |pool| {
                sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
                    .bind(reader)
                    .bind(&item.connection_id)
                    .bind(parent)
                    .fetch_optional(pool)
                    .await?
            })
        }
        None => None,
    };
    let sql = format!(
        "SELECT {ITEM_COLUMNS} WHERE i.connection_id = $2 AND i.parent_id = $3 \
         AND i.kind = 'comment' ORDER BY COALESCE(i.remote_created_at, i.created_at), i.id LIMIT 200"
    );
    let replies = on_pool!(db, |pool| {
        sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql))
            .bind(reader)
            .bind(&item.connection_id)
            .bind(&item.remote_id)
            .fetch_all(pool)
            .await?
    });
    Ok((parent, replies))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ActionRow {
    pub id: i64,
    pub item_id: i64,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub text: Option<String>,
    pub state: String,
    pub remote_id: Option<String>,
    pub failure: Option<String>,
    pub detail: Option<String>,
    pub sending_since: Option<DbTime>,
    pub created_by: Option<UserId>,
    pub created_at: DbTime,
    pub finished_at: Option<DbTime>,
}

const ACTION_COLUMNS: &str = "id, item_id, workspace_id, kind, text, state, remote_id, failure, \
    detail, sending_since, created_by, created_at, finished_at";

pub(super) async fn actions(db: &Db, item: i64) -> Result<Vec<ActionRow>, DbError> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM inbox_actions WHERE item_id = $1 ORDER BY id");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ActionRow>(sqlx::AssertSqlSafe(sql))
            .bind(item)
            .fetch_all(pool)
            .await?
    }))
}

pub(super) async fn action(db: &Db, id: i64) -> Result<Option<ActionRow>, DbError> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM inbox_actions WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, ActionRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct NoteRow {
    pub id: i64,
    pub author_id: Option<UserId>,
    pub text: String,
    pub created_at: DbTime,
}

pub(super) async fn notes(db: &Db, item: i64) -> Result<Vec<NoteRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, NoteRow>(
            "SELECT id, author_id, text, created_at FROM inbox_notes WHERE item_id = $1 ORDER BY id",
        )
        .bind(item)
        .fetch_all(pool)
        .await?
    }))
}

/// Marks `item` read (or unread) for `user`.
pub(super) async fn set_read(
    db: &Db,
    item: i64,
    user: UserId,
    read: bool,
    now: Timestamp,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        if read {
            sqlx::query(
                "INSERT INTO inbox_reads (item_id, user_id, read_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (item_id, user_id) DO NOTHING",
            )
            .bind(item)
            .bind(user)
            .bind(DbTime(now))
            .execute(pool)
            .await?;
        } else {
            sqlx::query("DELETE FROM inbox_reads WHERE item_id = $1 AND user_id = $2")
                .bind(item)
                .bind(user)
                .execute(pool)
                .await?;
        }
    });
    Ok(())
}

/// Marks `item` read for `user` in `tx` (acting on an item reads it).
pub(super) async fn mark_read_in(
    tx: &mut Tx,
    item: i64,
    user: UserId,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO inbox_reads (item_id, user_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (item_id, user_id) DO NOTHING",
        )
        .bind(item)
        .bind(user)
        .bind(DbTime(now))
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Sets the assignee of `workspace`'s `item`; `false` when there is no
/// such item.
pub(super) async fn assign(
    tx: &mut Tx,
    workspace: WorkspaceId,
    item: i64,
    to: Option<UserId>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE inbox_items SET assigned_to = $1, assigned_at = $2, updated_at = $3 \
             WHERE id = $4 AND workspace_id = $5",
        )
        .bind(to)
        .bind(to.map(|_| DbTime(now)))
        .bind(DbTime(now))
        .bind(item)
        .bind(workspace)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Marks `workspace`'s `item` done by `by` (or open again with `None`);
/// `false` when there is no such item.
pub(super) async fn set_done(
    tx: &mut Tx,
    workspace: WorkspaceId,
    item: i64,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE inbox_items SET done_at = $1, done_by = $2, updated_at = $3 \
             WHERE id = $4 AND workspace_id = $5",
        )
        .bind(by.map(|_| DbTime(now)))
        .bind(by)
        .bind(DbTime(now))
        .bind(item)
        .bind(workspace)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Something about `item` changed (a note, an action's outcome): the live
/// fingerprint moves.
pub(super) async fn touch(tx: &mut Tx, item: i64, now: Timestamp) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE inbox_items SET updated_at = $1 WHERE id = $2")
            .bind(DbTime(now))
            .bind(item)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub(super) async fn insert_note(
    tx: &mut Tx,
    workspace: WorkspaceId,
    item: i64,
    author: UserId,
    text: &str,
    now: Timestamp,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO inbox_notes (item_id, workspace_id, author_id, text, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(item)
        .bind(workspace)
        .bind(author)
        .bind(text)
        .bind(DbTime(now))
        .fetch_one(conn)
        .await?
    }))
}

pub(super) struct NewAction<'a> {
    pub workspace: WorkspaceId,
    pub item: i64,
    pub kind: &'static str,
    pub text: Option<&'a str>,
    pub by: UserId,
    pub now: Timestamp,
}

pub(super) async fn insert_action(tx: &mut Tx, a: &NewAction<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO inbox_actions (item_id, workspace_id, kind, text, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5, $6) RETURNING id",
        )
        .bind(a.item)
        .bind(a.workspace)
        .bind(a.kind)
        .bind(a.text)
        .bind(a.by)
        .bind(DbTime(a.now))
        .fetch_one(conn)
        .await?
    }))
}

/// Takes the queued action `id` for a call to the platform: marks the call
/// in flight and counts the attempt, in its own committed transaction.
/// `false` when it is no longer queued or a call is already in flight
/// (then the caller decides; see `act`).
pub(super) async fn begin_sending(db: &Db, id: i64, now: Timestamp) -> Result<bool, DbError> {
    let taken = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE inbox_actions SET sending_since = $1, attempts = attempts + 1 \
             WHERE id = $2 AND state = 'queued' AND sending_since IS NULL",
        )
        .bind(DbTime(now))
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(taken == 1)
}

/// The call ended without doing anything (a refused, retryable call): the
/// action waits for the next attempt.
pub(super) async fn end_attempt(db: &Db, id: i64, detail: &str) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE inbox_actions SET sending_since = NULL, detail = $1 \
             WHERE id = $2 AND state = 'queued'",
        )
        .bind(detail)
        .bind(id)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records the outcome of action `id` (only while it is queued): `true`
/// when this call recorded it.
pub(super) async fn finish(
    tx: &mut Tx,
    id: i64,
    outcome: &Outcome<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let (state, remote_id, failure, detail) = match outcome {
        Outcome::Sent { remote_id } => ("sent", *remote_id, None, None),
        Outcome::Failed { code, detail } => ("failed", None, Some(*code), *detail),
    };
    let changed = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE inbox_actions SET state = $1, remote_id = $2, failure = $3, detail = $4, \
             sending_since = NULL, finished_at = $5 WHERE id = $6 AND state = 'queued'",
        )
        .bind(state)
        .bind(remote_id)
        .bind(failure)
        .bind(detail)
        .bind(DbTime(now))
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(changed == 1)
}

/// How an action ended.
pub(super) enum Outcome<'a> {
    Sent {
        remote_id: Option<&'a str>,
    },
    Failed {
        code: &'a str,
        detail: Option<&'a str>,
    },
}

/// What a sent action changed about its item: hidden, or removed.
pub(super) async fn apply_effect(
    tx: &mut Tx,
    item: i64,
    hidden: Option<bool>,
    removed: bool,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE inbox_items SET hidden = COALESCE($1, hidden), \
             state = CASE WHEN $2 THEN 'removed' ELSE state END, updated_at = $3 WHERE id = $4",
        )
        .bind(hidden)
        .bind(removed)
        .bind(DbTime(now))
        .bind(item)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// The workspace's inbox as a fingerprint (how many items, the latest
/// change).
pub(super) async fn pulse(db: &Db, workspace: WorkspaceId) -> Result<(i64, i64), DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM inbox_items WHERE workspace_id = $1",
        )
        .bind(workspace)
        .fetch_one(pool)
        .await?
    }))
}

/// A YouTube channel whose comments are polled.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct PolledAccount {
    pub id: ConnectionId,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub remote_id: String,
    pub name: String,
}

/// Every connected account of `kind` that can still be used.
pub(super) async fn accounts_of_kind(db: &Db, kind: &str) -> Result<Vec<PolledAccount>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, PolledAccount>(
            "SELECT id, workspace_id, kind, remote_id, name FROM connections \
             WHERE kind = $1 AND status <> 'needs_reconnection' AND revoked_at IS NULL ORDER BY id",
        )
        .bind(kind)
        .fetch_all(pool)
        .await?
    }))
}

pub(super) async fn account(db: &Db, id: &ConnectionId) -> Result<Option<PolledAccount>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, PolledAccount>(
            "SELECT id, workspace_id, kind, remote_id, name FROM connections WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    }))
}

/// Which of `remote_ids` the connection already has as comments.
pub(super) async fn known_comments(
    db: &Db,
    connection: &ConnectionId,
    remote_ids: &[String],
) -> Result<Vec<String>, DbError> {
    if remote_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on_pool!(db, |pool| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT remote_id FROM inbox_items WHERE kind = 'comment' AND connection_id = ",
        );
        qb.push_bind(connection.clone()).push(" AND remote_id IN (");
        let mut list = qb.separated(", ");
        for id in remote_ids {
            list.push_bind(id.clone());
        }
        qb.push(")");
        qb.build_query_scalar::<String>().fetch_all(pool).await?
    }))
}
