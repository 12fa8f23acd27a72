//! Every statement the outbound side runs, in SQL both engines accept
//! (tables `outbound_endpoints`, `outbound_messages`, `outbound_deliveries`
//! and `outbound_attempts`).

use herald_core::Timestamp;
use herald_core::{UserId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct EndpointRow {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub description: String,
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DbTime>,
    pub key_id: i64,
    pub secret: String,
    pub previous_key_id: Option<i64>,
    pub previous_secret: Option<String>,
    pub previous_expires_at: Option<DbTime>,
    pub created_by: Option<UserId>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

const ENDPOINT_COLUMNS: &str = "id, workspace_id, url, description, event_types, enabled, \
     disabled_reason, failing_since, key_id, secret, previous_key_id, previous_secret, \
     previous_expires_at, created_by, created_at, updated_at";

pub(crate) async fn insert_endpoint(tx: &mut Tx, row: &EndpointRow) -> Result<(), DbError> {
    let sql = format!(
        "INSERT INTO outbound_endpoints ({ENDPOINT_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    on_tx!(tx, |conn| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&row.id)
            .bind(row.workspace_id)
            .bind(&row.url)
            .bind(&row.description)
            .bind(&row.event_types)
            .bind(row.enabled)
            .bind(&row.disabled_reason)
            .bind(row.failing_since)
            .bind(row.key_id)
            .bind(&row.secret)
            .bind(row.previous_key_id)
            .bind(&row.previous_secret)
            .bind(row.previous_expires_at)
            .bind(row.created_by)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub(crate) async fn endpoint(
    db: &Db,
    workspace: WorkspaceId,
    id: &str,
) -> Result<Option<EndpointRow>, DbError> {
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM outbound_endpoints WHERE id = $1 AND workspace_id = $2"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, EndpointRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(workspace)
            .fetch_optional(pool)
            .await?
    }))
}

pub(crate) async fn endpoints(
    db: &Db,
    workspace: WorkspaceId,
) -> Result<Vec<EndpointRow>, DbError> {
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM outbound_endpoints WHERE workspace_id = $1 \
         ORDER BY created_at, id"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, EndpointRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .fetch_all(pool)
            .await?
    }))
}

/// The workspace's enabled endpoints, read inside the fan-out transaction.
pub(crate) async fn enabled_endpoints(
    tx: &mut Tx,
    workspace: WorkspaceId,
) -> Result<Vec<EndpointRow>, DbError> {
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM outbound_endpoints WHERE workspace_id = $1 \
         AND enabled = TRUE ORDER BY created_at, id"
    );
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as::<_, EndpointRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .fetch_all(conn)
            .await?
    }))
}

/// Writes the editable fields and the failure state of an endpoint.
pub(crate) async fn update_endpoint(db: &Db, row: &EndpointRow) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE outbound_endpoints SET url = $1, description = $2, event_types = $3, \
             enabled = $4, disabled_reason = $5, failing_since = $6, updated_at = $7 \
             WHERE id = $8 AND workspace_id = $9",
        )
        .bind(&row.url)
        .bind(&row.description)
        .bind(&row.event_types)
        .bind(row.enabled)
        .bind(&row.disabled_reason)
        .bind(row.failing_since)
        .bind(row.updated_at)
        .bind(&row.id)
        .bind(row.workspace_id)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

/// Replaces the sealed secrets of an endpoint.
pub(crate) async fn set_secrets(db: &Db, row: &EndpointRow) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE outbound_endpoints SET key_id = $1, secret = $2, previous_key_id = $3, \
             previous_secret = $4, previous_expires_at = $5, updated_at = $6 \
             WHERE id = $7 AND workspace_id = $8",
        )
        .bind(row.key_id)
        .bind(&row.secret)
        .bind(row.previous_key_id)
        .bind(&row.previous_secret)
        .bind(row.previous_expires_at)
        .bind(row.updated_at)
        .bind(&row.id)
        .bind(row.workspace_id)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

pub(crate) async fn delete_endpoint(
    db: &Db,
    workspace: WorkspaceId,
    id: &str,
) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query("DELETE FROM outbound_endpoints WHERE id = $1 AND workspace_id = $2")
            .bind(id)
            .bind(workspace)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(n > 0)
}

/// Inserts a message; false when one for the same source event exists.
pub(crate) async fn insert_message(
    tx: &mut Tx,
    id: &str,
    workspace: WorkspaceId,
    event_type: &str,
    payload: &str,
    source_event_id: Option<&str>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let inserted: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO outbound_messages (id, workspace_id, event_type, payload, source_event_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(id)
        .bind(workspace)
        .bind(event_type)
        .bind(payload)
        .bind(source_event_id)
        .bind(DbTime(now))
        .fetch_optional(conn)
        .await?
    });
    Ok(inserted.is_some())
}

/// A pending delivery of `message` to `endpoint`; returns its id.
pub(crate) async fn insert_delivery(
    tx: &mut Tx,
    message: &str,
    endpoint: &str,
    now: Timestamp,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO outbound_deliveries (message_id, endpoint_id, state, generation, attempts, \
             next_attempt_at, created_at, updated_at) VALUES ($1, $2, 'pending', 0, 0, $3, $4, $5) \
             RETURNING id",
        )
        .bind(message)
        .bind(endpoint)
        .bind(DbTime(now))
        .bind(DbTime(now))
        .bind(DbTime(now))
        .fetch_one(conn)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: String,
    pub message_id: String,
    pub event_type: String,
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DbTime>,
    pub created_at: DbTime,
}

const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, d.message_id, m.event_type, d.state, \
     d.attempts, d.last_status, d.last_error, d.next_attempt_at, d.created_at";

/// An endpoint's deliveries (optionally in one state), newest first.
pub(crate) async fn deliveries(
    db: &Db,
    workspace: WorkspaceId,
    endpoint: &str,
    state: Option<&str>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, DbError> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM outbound_deliveries d \
         JOIN outbound_messages m ON m.id = d.message_id \
         JOIN outbound_endpoints e ON e.id = d.endpoint_id \
         WHERE d.endpoint_id = $1 AND e.workspace_id = $2 AND ($3 IS NULL OR d.state = $4) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $5"
    );
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(sql))
            .bind(endpoint)
            .bind(workspace)
            .bind(state)
            .bind(state)
            .bind(limit)
            .fetch_all(pool)
            .await?
    }))
}

/// One delivery of the workspace with its message's body.
pub(crate) async fn delivery(
    db: &Db,
    workspace: WorkspaceId,
    id: i64,
) -> Result<Option<(DeliveryRow, String)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        delivery: DeliveryRow,
        payload: String,
    }
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS}, m.payload FROM outbound_deliveries d \
         JOIN outbound_messages m ON m.id = d.message_id \
         JOIN outbound_endpoints e ON e.id = d.endpoint_id \
         WHERE d.id = $1 AND e.workspace_id = $2"
    );
    let row = on_pool!(db, |pool| {
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(workspace)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|r| (r.delivery, r.payload)))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AttemptRow {
    pub number: i64,
    pub attempted_at: DbTime,
    pub status: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
    pub replayed_by: Option<UserId>,
}

pub(crate) async fn attempts(db: &Db, delivery: i64) -> Result<Vec<AttemptRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, AttemptRow>(
            "SELECT number, attempted_at, status, duration_ms, error, response_excerpt, replayed_by \
             FROM outbound_attempts WHERE delivery_id = $1 ORDER BY number",
        )
        .bind(delivery)
        .fetch_all(pool)
        .await?
    }))
}

/// Whether the delivery exists in the workspace, and if so whether its
/// endpoint is enabled.
pub(crate) async fn delivery_endpoint_enabled(
    tx: &mut Tx,
    workspace: WorkspaceId,
    delivery: i64,
) -> Result<Option<bool>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT e.enabled FROM outbound_deliveries d \
             JOIN outbound_endpoints e ON e.id = d.endpoint_id \
             WHERE d.id = $1 AND e.workspace_id = $2",
        )
        .bind(delivery)
        .bind(workspace)
        .fetch_optional(conn)
        .await?
    }))
}

/// Starts a new run of a delivery (a replay); returns its generation.
pub(crate) async fn restart_delivery(tx: &mut Tx, id: i64, now: Timestamp) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "UPDATE outbound_deliveries SET state = 'pending', generation = generation + 1, \
             next_attempt_at = $1, updated_at = $2 WHERE id = $3 RETURNING generation",
        )
        .bind(DbTime(now))
        .bind(DbTime(now))
        .bind(id)
        .fetch_one(conn)
        .await?
    }))
}

/// The endpoint's dead and retrying deliveries created at or after `since`.
pub(crate) async fn failed_since(
    db: &Db,
    workspace: WorkspaceId,
    endpoint: &str,
    since: Timestamp,
) -> Result<Vec<i64>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT d.id FROM outbound_deliveries d \
             JOIN outbound_endpoints e ON e.id = d.endpoint_id \
             WHERE d.endpoint_id = $1 AND e.workspace_id = $2 AND d.created_at >= $3 \
             AND d.state IN ('dead', 'retrying') ORDER BY d.id",
        )
        .bind(endpoint)
        .bind(workspace)
        .bind(DbTime(since))
        .fetch_all(pool)
        .await?
    }))
}

/// What the delivery job needs to send one attempt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SendRow {
    pub delivery_id: i64,
    pub state: String,
    pub generation: i64,
    pub message_id: String,
    pub payload: String,
    pub endpoint_id: String,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub enabled: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_expires_at: Option<DbTime>,
}

pub(crate) async fn load_for_send(db: &Db, delivery: i64) -> Result<Option<SendRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, SendRow>(
            "SELECT d.id AS delivery_id, d.state, d.generation, m.id AS message_id, m.payload, \
             e.id AS endpoint_id, e.workspace_id, e.url, e.enabled, e.secret, e.previous_secret, \
             e.previous_expires_at FROM outbound_deliveries d \
             JOIN outbound_messages m ON m.id = d.message_id \
             JOIN outbound_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1",
        )
        .bind(delivery)
        .fetch_optional(pool)
        .await?
    }))
}

/// Counts an attempt of the delivery (locking its row until the
/// transaction ends); returns the attempt's number and the delivery's
/// current generation (None when it was deleted meanwhile).
pub(crate) async fn next_attempt_number(
    tx: &mut Tx,
    delivery: i64,
) -> Result<Option<(i64, i64)>, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE outbound_deliveries SET attempts = attempts + 1 WHERE id = $1 \
             RETURNING attempts, generation",
        )
        .bind(delivery)
        .fetch_optional(conn)
        .await?
    }))
}

pub(crate) struct NewAttempt<'a> {
    pub delivery: i64,
    pub number: i64,
    pub at: Timestamp,
    pub status: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<&'a str>,
    pub response_excerpt: Option<&'a str>,
    pub replayed_by: Option<i64>,
}

pub(crate) async fn insert_attempt(tx: &mut Tx, a: &NewAttempt<'_>) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO outbound_attempts (delivery_id, number, attempted_at, status, duration_ms, \
             error, response_excerpt, replayed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.delivery)
        .bind(a.number)
        .bind(DbTime(a.at))
        .bind(a.status)
        .bind(a.duration_ms)
        .bind(a.error)
        .bind(a.response_excerpt)
        .bind(a.replayed_by)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Where a delivery stands after an attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttemptEnd<'a> {
    /// The delivery's new state (`DeliveryState`'s text).
    pub state: &'a str,
    /// The endpoint's HTTP status, when it answered.
    pub status: Option<i32>,
    pub error: Option<&'a str>,
    /// When to try again, if at all.
    pub next_attempt_at: Option<Timestamp>,
}

/// Sets a delivery's state after an attempt, if no replay started a newer
/// run meanwhile (false then).
pub(crate) async fn set_delivery_state(
    tx: &mut Tx,
    id: i64,
    generation: i64,
    end: AttemptEnd<'_>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE outbound_deliveries SET state = $1, last_status = $2, last_error = $3, \
             next_attempt_at = $4, updated_at = $5 WHERE id = $6 AND generation = $7",
        )
        .bind(end.state)
        .bind(end.status)
        .bind(end.error)
        .bind(end.next_attempt_at.map(DbTime))
        .bind(DbTime(now))
        .bind(id)
        .bind(generation)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

/// Marks a delivery dead without an attempt (its endpoint is disabled).
pub(crate) async fn bury_unsent(
    db: &Db,
    id: i64,
    generation: i64,
    error: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE outbound_deliveries SET state = 'dead', last_error = $1, next_attempt_at = NULL, \
             updated_at = $2 WHERE id = $3 AND generation = $4 AND state IN ('pending', 'retrying')",
        )
        .bind(error)
        .bind(DbTime(now))
        .bind(id)
        .bind(generation)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// A success clears the endpoint's failure state.
pub(crate) async fn endpoint_succeeded(
    tx: &mut Tx,
    id: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE outbound_endpoints SET failing_since = NULL, updated_at = $1 \
             WHERE id = $2 AND failing_since IS NOT NULL",
        )
        .bind(DbTime(now))
        .bind(id)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// A failure starts the endpoint's failure period if none is running;
/// returns since when it has been failing.
pub(crate) async fn endpoint_failed(tx: &mut Tx, id: &str, now: Timestamp) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "UPDATE outbound_endpoints SET failing_since = COALESCE(failing_since, $1) \
             WHERE id = $2 RETURNING failing_since",
        )
        .bind(DbTime(now))
        .bind(id)
        .fetch_one(conn)
        .await?
    }))
}

/// Disables an enabled endpoint; false when it already was disabled.
pub(crate) async fn disable_endpoint(
    tx: &mut Tx,
    id: &str,
    reason: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE outbound_endpoints SET enabled = FALSE, disabled_reason = $1, updated_at = $2 \
             WHERE id = $3 AND enabled = TRUE",
        )
        .bind(reason)
        .bind(DbTime(now))
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

/// How many endpoint secrets (current and, during a rotation's grace,
/// previous) each credential key protects.
pub(crate) async fn secret_key_usage(db: &Db) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT key_id, COUNT(*) FROM (SELECT key_id FROM outbound_endpoints \
             UNION ALL SELECT previous_key_id AS key_id FROM outbound_endpoints \
             WHERE previous_key_id IS NOT NULL) AS sealed GROUP BY key_id ORDER BY key_id",
        )
        .fetch_all(pool)
        .await?
    }))
}

/// An endpoint's sealed secrets, for re-encryption.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SealedSecrets {
    pub id: String,
    pub key_id: i64,
    pub secret: String,
    pub previous_key_id: Option<i64>,
    pub previous_secret: Option<String>,
}

/// Endpoints after `after` (by id) with a secret not under key `active`.
pub(crate) async fn secrets_under_other_keys(
    db: &Db,
    active: i64,
    after: &str,
    limit: i64,
) -> Result<Vec<SealedSecrets>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, SealedSecrets>(
            "SELECT id, key_id, secret, previous_key_id, previous_secret FROM outbound_endpoints \
             WHERE id > $1 AND (key_id <> $2 OR (previous_key_id IS NOT NULL AND previous_key_id <> $2)) \
             ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(active)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

/// Swaps an endpoint's sealed secrets unless they changed meanwhile (a
/// secret rotation sealed a new one already).
pub(crate) async fn reseal_secrets(
    db: &Db,
    old: &SealedSecrets,
    new: &SealedSecrets,
) -> Result<bool, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE outbound_endpoints SET key_id = $1, secret = $2, previous_key_id = $3, \
             previous_secret = $4 WHERE id = $5 AND secret = $6 \
             AND COALESCE(previous_secret, '') = $7",
        )
        .bind(new.key_id)
        .bind(&new.secret)
        .bind(new.previous_key_id)
        .bind(&new.previous_secret)
        .bind(&old.id)
        .bind(&old.secret)
        .bind(old.previous_secret.as_deref().unwrap_or(""))
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}
