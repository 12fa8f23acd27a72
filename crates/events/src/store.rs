//! The `event_outbox` and `event_relay_lease` tables: every statement the
//! relay runs, in SQL both engines accept.

use herald_core::Timestamp;
use herald_db::DbTime;
use herald_db::{Db, DbError, on_pool};
use sqlx::Row;

use crate::event::{Event, EventId, Subject};
use crate::outbox::{Sequence, StoredEvent};

macro_rules! columns {
    () => {
        "id, event_id, subject, payload, occurred_at, created_at, relayed_at, attempts, last_error"
    };
}

fn decode_err(column: &str, e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: Box::new(e),
    }
}

fn from_row<R>(row: &R) -> Result<StoredEvent, sqlx::Error>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = row.try_get("event_id")?;
    let subject: String = row.try_get("subject")?;
    let payload: String = row.try_get("payload")?;
    Ok(StoredEvent {
        seq: Sequence(row.try_get("id")?),
        event: Event {
            id: EventId::parse(&id).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "event_id".into(),
                source: format!("not a UUID: {id:?}").into(),
            })?,
            subject: Subject::parse(subject).map_err(|e| decode_err("subject", e))?,
            occurred_at: row.try_get::<DbTime, _>("occurred_at")?.0,
            payload: serde_json::from_str(&payload).map_err(|e| decode_err("payload", e))?,
        },
        created_at: row.try_get::<DbTime, _>("created_at")?.0,
        relayed_at: row
            .try_get::<Option<DbTime>, _>("relayed_at")?
            .map(Timestamp::from),
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
    })
}

/// The oldest `limit` rows not relayed yet, in id order.
pub async fn head(db: &Db, limit: usize) -> Result<Vec<StoredEvent>, DbError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let events = on_pool!(db, |pool| {
        let rows = sqlx::query(sql).bind(limit).fetch_all(pool).await?;
        rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?
    });
    Ok(events)
}

pub async fn get(db: &Db, id: EventId) -> Result<Option<StoredEvent>, DbError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_outbox WHERE event_id = $1"
    );
    let event = on_pool!(db, |pool| {
        let row = sqlx::query(sql)
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
        row.as_ref().map(from_row).transpose()?
    });
    Ok(event)
}

pub async fn pending_count(db: &Db) -> Result<i64, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM event_outbox WHERE relayed_at IS NULL")
            .fetch_one(pool)
            .await?
    });
    Ok(n)
}

/// Records that the rows `seqs` were delivered at `now`.
pub async fn mark_relayed(db: &Db, seqs: &[Sequence], now: Timestamp) -> Result<u64, DbError> {
    if seqs.is_empty() {
        return Ok(0);
    }
    let n = on_pool!(db, |pool| {
        let mut qb = sqlx::QueryBuilder::new("UPDATE event_outbox SET relayed_at = ");
        qb.push_bind(DbTime(now));
        qb.push(
            ", attempts = attempts + 1, last_error = NULL WHERE relayed_at IS NULL AND id IN (",
        );
        let mut ids = qb.separated(", ");
        for seq in seqs {
            ids.push_bind(seq.0);
        }
        qb.push(")");
        qb.build().execute(pool).await?.rows_affected()
    });
    Ok(n)
}

/// Records a failed delivery of row `seq`.
pub async fn record_failure(db: &Db, seq: Sequence, error: &str) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE event_outbox SET attempts = attempts + 1, last_error = $1 \
             WHERE id = $2 AND relayed_at IS NULL",
        )
        .bind(error)
        .bind(seq.0)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Deletes up to `limit` rows relayed before `before`; returns how many.
pub async fn purge(db: &Db, before: Timestamp, limit: i64) -> Result<u64, DbError> {
    let n = on_pool!(db, |pool| {
        sqlx::query(
            "DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox \
             WHERE relayed_at IS NOT NULL AND relayed_at < $1 ORDER BY relayed_at LIMIT $2)",
        )
        .bind(DbTime(before))
        .bind(limit)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(n)
}

// Takes the lease when it is free or expired, or renews it for its holder.
// The row lock of ON CONFLICT DO UPDATE makes concurrent takers queue up,
// and each sees the winner's row when it re-checks the WHERE.
const ACQUIRE: &str = "INSERT INTO event_relay_lease (name, owner, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at \
     WHERE event_relay_lease.owner = excluded.owner OR event_relay_lease.expires_at <= $4 \
     RETURNING owner";

/// True when `owner` holds the lease `name` until `until` (taken or renewed).
pub async fn acquire_lease(
    db: &Db,
    name: &str,
    owner: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, DbError> {
    let got: Option<String> = on_pool!(db, |pool| {
        sqlx::query_scalar(ACQUIRE)
            .bind(name)
            .bind(owner)
            .bind(DbTime(until))
            .bind(DbTime(now))
            .fetch_optional(pool)
            .await?
    });
    Ok(got.as_deref() == Some(owner))
}

/// Gives the lease up, if `owner` holds it.
pub async fn release_lease(db: &Db, name: &str, owner: &str) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query("DELETE FROM event_relay_lease WHERE name = $1 AND owner = $2")
            .bind(name)
            .bind(owner)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Who holds the lease `name` and until when.
pub async fn lease_holder(db: &Db, name: &str) -> Result<Option<(String, Timestamp)>, DbError> {
    let row: Option<(String, i64)> = on_pool!(db, |pool| {
        sqlx::query_as("SELECT owner, expires_at FROM event_relay_lease WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(owner, at)| (owner, DbTime::from_micros(at).0)))
}
