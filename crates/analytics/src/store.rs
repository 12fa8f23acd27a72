//! The fact tables' SQL and the day numbers they are keyed by.
//!
//! Facts are written by upserts whose `DO UPDATE … WHERE` only fires when a
//! value differs, so reading a day (or a post) again writes nothing and
//! leaves `fetched_at` as it was: "re-running a day changes no row". A
//! figure a platform stops reporting (Instagram's follower count older than
//! 30 days) keeps its stored value rather than being blanked.
//!
//! Two reads cross into other crates' tables, read-only and by join, as the
//! inbox's do: the accounts to enrol (`connections`, with the connecting
//! member's time zone from `users`), and the Herald post a platform post was
//! published from (`post_targets`).

use std::collections::BTreeMap;

use herald_core::{ConnectionId, WorkspaceId};
use herald_db::{Db, DbError, DbTime, Tx, on_pool, on_tx};
use herald_platforms::insights::{AccountDay, Facts, Normalized, PostFacts};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::{Reason, RunStatus};

/// Days since 1970-01-01 of `date`.
pub fn day_number(date: Date) -> i32 {
    let epoch = Date::constant(1970, 1, 1);
    // Dates are within ±9999 years: the span in days always fits.
    epoch.until(date).map_or(0, |span| span.get_days())
}

/// The date of a day number.
pub fn date_of(day: i32) -> Date {
    Date::constant(1970, 1, 1)
        .checked_add(i64::from(day).days())
        .unwrap_or(Date::constant(1970, 1, 1))
}

/// The UTC date of `at`, as a day number.
pub fn utc_day(at: Timestamp) -> i32 {
    day_number(at.to_zoned(TimeZone::UTC).date())
}

fn raw_json(facts: &Facts) -> String {
    serde_json::to_string(&facts.raw).unwrap_or_else(|_| "{}".into())
}

/// An account analytics reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub connection_id: ConnectionId,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub time_zone: String,
    pub first_day: Option<i32>,
    pub last_day: Option<i32>,
    pub next_run_at: DbTime,
}

/// A connection not enrolled yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unenrolled {
    pub id: ConnectionId,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub time_zone: Option<String>,
}

/// Usable connections of `kinds` analytics does not read yet.
pub async fn unenrolled(db: &Db, kinds: &[&str]) -> Result<Vec<Unenrolled>, DbError> {
    let mut out = Vec::new();
    for kind in kinds {
        let rows: Vec<Unenrolled> = on_pool!(db, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.workspace_id, c.kind, u.time_zone FROM connections c \
                 LEFT JOIN analytics_accounts a ON a.connection_id = c.id \
                 LEFT JOIN users u ON u.id = c.connected_by \
                 WHERE c.kind = $1 AND a.connection_id IS NULL \
                   AND c.status <> 'needs_reconnection' AND c.revoked_at IS NULL \
                 ORDER BY c.id",
            )
            .bind(*kind)
            .fetch_all(pool)
            .await?
        });
        out.extend(rows);
    }
    Ok(out)
}

pub async fn enroll(
    tx: &mut Tx,
    account: &Unenrolled,
    time_zone: &str,
    next_run_at: Timestamp,
    now: Timestamp,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO analytics_accounts (connection_id, workspace_id, kind, time_zone, \
             next_run_at, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (connection_id) DO NOTHING",
        )
        .bind(&account.id)
        .bind(account.workspace_id)
        .bind(&account.kind)
        .bind(time_zone)
        .bind(DbTime(next_run_at))
        .bind(DbTime(now))
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

const ACCOUNT_COLUMNS: &str =
    "connection_id, workspace_id, kind, time_zone, first_day, last_day, next_run_at";

pub async fn account(db: &Db, id: &ConnectionId) -> Result<Option<AccountRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM analytics_accounts WHERE connection_id = $1"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await?
    }))
}

/// The account's platform id (read from `connections`); `None` when the
/// connection is gone.
pub async fn remote_id(db: &Db, id: &ConnectionId) -> Result<Option<String>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar("SELECT remote_id FROM connections WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

/// Accounts whose nightly run is due, still usable.
pub async fn due(db: &Db, now: Timestamp, limit: i64) -> Result<Vec<AccountRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT a.connection_id, a.workspace_id, a.kind, a.time_zone, a.first_day, \
             a.last_day, a.next_run_at FROM analytics_accounts a \
             JOIN connections c ON c.id = a.connection_id \
             WHERE a.next_run_at <= $1 AND c.status <> 'needs_reconnection' \
               AND c.revoked_at IS NULL \
             ORDER BY a.next_run_at LIMIT $2",
        )
        .bind(DbTime(now))
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

/// The workspace's enrolled accounts (with the connection's name).
pub async fn workspace_accounts(
    db: &Db,
    workspace: WorkspaceId,
) -> Result<Vec<AccountRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM analytics_accounts WHERE workspace_id = $1 \
             ORDER BY connection_id"
        )))
        .bind(workspace)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn set_next_run(tx: &mut Tx, id: &ConnectionId, at: Timestamp) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE analytics_accounts SET next_run_at = $2 WHERE connection_id = $1")
            .bind(id)
            .bind(DbTime(at))
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Widens the account's known range of days to `first..=last`.
pub async fn extend_days(
    tx: &mut Tx,
    id: &ConnectionId,
    first: i32,
    last: i32,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE analytics_accounts SET \
             first_day = CASE WHEN first_day IS NULL OR first_day > $2 THEN $2 ELSE first_day END, \
             last_day = CASE WHEN last_day IS NULL OR last_day < $3 THEN $3 ELSE last_day END \
             WHERE connection_id = $1",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// An ingestion run as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub connection_id: ConnectionId,
    pub workspace_id: WorkspaceId,
    pub reason: String,
    pub status: String,
    pub first_day: i32,
    pub last_day: i32,
    pub stage: String,
    pub cursor: Option<String>,
    pub account_rows: i32,
    pub post_rows: i32,
    pub calls: i32,
    pub errors: i32,
    pub last_error: Option<String>,
    pub created_at: DbTime,
    pub finished_at: Option<DbTime>,
}

const RUN_COLUMNS: &str = "id, connection_id, workspace_id, reason, status, first_day, last_day, \
     stage, cursor, account_rows, post_rows, calls, errors, last_error, created_at, finished_at";

/// A new queued run starting at `stage`.
#[allow(clippy::too_many_arguments)]
pub async fn create_run(
    tx: &mut Tx,
    connection: &ConnectionId,
    workspace: WorkspaceId,
    reason: Reason,
    first_day: i32,
    last_day: i32,
    stage: &str,
    now: Timestamp,
) -> Result<i64, DbError> {
    let reason: &'static str = reason.into();
    let status: &'static str = RunStatus::Queued.into();
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO analytics_runs (connection_id, workspace_id, reason, status, first_day, \
             last_day, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(connection)
        .bind(workspace)
        .bind(reason)
        .bind(status)
        .bind(first_day)
        .bind(last_day)
        .bind(stage)
        .bind(DbTime(now))
        .fetch_one(conn)
        .await?
    }))
}

pub async fn run(db: &Db, id: i64) -> Result<Option<RunRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM analytics_runs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await?
    }))
}

/// The account's run that is queued or running, if any.
pub async fn open_run(db: &Db, connection: &ConnectionId) -> Result<Option<i64>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT id FROM analytics_runs WHERE connection_id = $1 \
             AND status IN ('queued', 'running') ORDER BY id LIMIT 1",
        )
        .bind(connection)
        .fetch_optional(pool)
        .await?
    }))
}

pub async fn workspace_runs(
    db: &Db,
    workspace: WorkspaceId,
    limit: i64,
) -> Result<Vec<RunRow>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM analytics_runs WHERE workspace_id = $1 \
             ORDER BY id DESC LIMIT $2"
        )))
        .bind(workspace)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

/// Marks the run running (its first attempt, or a retry).
pub async fn start_run(db: &Db, id: i64, now: Timestamp) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE analytics_runs SET status = 'running', \
             started_at = COALESCE(started_at, $2) WHERE id = $1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(DbTime(now))
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Moves the run on: its stage and cursor, and what the step wrote and
/// cost, in the step's transaction (so the cursor never runs ahead of the
/// rows, nor behind them).
pub async fn advance(
    tx: &mut Tx,
    id: i64,
    stage: &str,
    cursor: Option<&str>,
    account_rows: u64,
    post_rows: u64,
    calls: u32,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE analytics_runs SET stage = $2, cursor = $3, account_rows = account_rows + $4, \
             post_rows = post_rows + $5, calls = calls + $6 WHERE id = $1",
        )
        .bind(id)
        .bind(stage)
        .bind(cursor)
        .bind(i64::try_from(account_rows).unwrap_or(i64::MAX))
        .bind(i64::try_from(post_rows).unwrap_or(i64::MAX))
        .bind(i64::from(calls))
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Counts a failed attempt (and the calls it made before failing).
pub async fn record_error(db: &Db, id: i64, code: &str, calls: u32) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE analytics_runs SET errors = errors + 1, last_error = $2, calls = calls + $3 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(code)
        .bind(i64::from(calls))
        .execute(pool)
        .await?;
    });
    Ok(())
}

pub async fn finish_run(
    tx: &mut Tx,
    id: i64,
    status: RunStatus,
    now: Timestamp,
) -> Result<(), DbError> {
    let status: &'static str = status.into();
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE analytics_runs SET status = $2, finished_at = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(DbTime(now))
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Upserts an account's days; returns how many rows changed.
pub async fn upsert_account_days(
    tx: &mut Tx,
    connection: &ConnectionId,
    workspace: WorkspaceId,
    days: &[AccountDay],
    now: Timestamp,
) -> Result<u64, DbError> {
    let mut changed = 0;
    for day in days {
        changed += upsert_account_day(
            tx,
            connection,
            workspace,
            day_number(day.day),
            &day.facts.normalized,
            &day.facts.raw,
            Prefer::New,
            now,
        )
        .await?;
    }
    Ok(changed)
}

/// The normalised columns of a day, in the order the upsert binds them.
const DAY_COLUMNS: [&str; 12] = [
    "followers",
    "follows",
    "unfollows",
    "views",
    "reach",
    "engagements",
    "likes",
    "comments",
    "shares",
    "saves",
    "profile_actions",
    "watch_time_secs",
];

fn day_values(n: &Normalized) -> [Option<i64>; 12] {
    [
        n.followers,
        n.follows,
        n.unfollows,
        n.views,
        n.reach,
        n.engagements,
        n.likes,
        n.comments,
        n.shares,
        n.saves,
        n.profile_actions,
        n.watch_time_secs,
    ]
}

/// `col = COALESCE(excluded.col, t.col)` for each column, and the
/// condition that one of them (or `raw`) changes.
fn merge_clause(table: &str, columns: &[&str]) -> (String, String) {
    let set = columns
        .iter()
        .map(|c| format!("{c} = COALESCE(excluded.{c}, {table}.{c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let changed = columns
        .iter()
        .map(|c| {
            format!("(excluded.{c} IS NOT NULL AND excluded.{c} IS DISTINCT FROM {table}.{c})")
        })
        .chain(std::iter::once(format!("excluded.raw <> {table}.raw")))
        .collect::<Vec<_>>()
        .join(" OR ");
    (set, changed)
}

/// Which value wins when a day is written again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// The platform's daily figures: a new value replaces the stored one.
    New,
    /// A snapshot (followers now): the day keeps the first one taken, so
    /// reading the same day again changes nothing.
    Stored,
}

/// Upserts one account day; 1 when the row was written, 0 when it was
/// already so. The raw metrics join those stored (a day is written by
/// the daily read and by the day's snapshot, each with its own metrics).
#[allow(clippy::too_many_arguments)]
pub async fn upsert_account_day(
    tx: &mut Tx,
    connection: &ConnectionId,
    workspace: WorkspaceId,
    day: i32,
    normalized: &Normalized,
    raw: &BTreeMap<String, i64>,
    prefer: Prefer,
    now: Timestamp,
) -> Result<u64, DbError> {
    let stored: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT raw FROM analytics_account_days WHERE connection_id = $1 AND day = $2",
        )
        .bind(connection)
        .bind(day)
        .fetch_optional(conn)
        .await?
    });
    let mut merged: BTreeMap<String, i64> = stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    for (k, v) in raw {
        match prefer {
            Prefer::New => {
                merged.insert(k.clone(), *v);
            }
            Prefer::Stored => {
                merged.entry(k.clone()).or_insert(*v);
            }
        }
    }
    let raw = serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into());
    let (set, changed) = match prefer {
        Prefer::New => merge_clause("analytics_account_days", &DAY_COLUMNS),
        Prefer::Stored => keep_clause("analytics_account_days", &DAY_COLUMNS),
    };
    let sql = format!(
        "INSERT INTO analytics_account_days (connection_id, workspace_id, day, {cols}, raw, fetched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (connection_id, day) DO UPDATE SET {set}, raw = excluded.raw, \
         fetched_at = excluded.fetched_at WHERE {changed}",
        cols = DAY_COLUMNS.join(", ")
    );
    let values = day_values(normalized);
    Ok(on_tx!(tx, |conn| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(connection)
            .bind(workspace)
            .bind(day);
        for v in values {
            q = q.bind(v);
        }
        q.bind(&raw)
            .bind(DbTime(now))
            .execute(conn)
            .await?
            .rows_affected()
    }))
}

/// `col = COALESCE(t.col, excluded.col)`: a stored value stays; the row
/// changes only where one was missing (or a new raw metric arrived).
fn keep_clause(table: &str, columns: &[&str]) -> (String, String) {
    let set = columns
        .iter()
        .map(|c| format!("{c} = COALESCE({table}.{c}, excluded.{c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let changed = columns
        .iter()
        .map(|c| format!("({table}.{c} IS NULL AND excluded.{c} IS NOT NULL)"))
        .chain(std::iter::once(format!("excluded.raw <> {table}.raw")))
        .collect::<Vec<_>>()
        .join(" OR ");
    (set, changed)
}

const POST_COLUMNS: [&str; 12] = [
    "views",
    "reach",
    "engagements",
    "likes",
    "comments",
    "shares",
    "saves",
    "profile_actions",
    "follows",
    "watch_time_secs",
    "format",
    "permalink",
];

/// Upserts posts' lifetime figures and their figures as of `day`; returns
/// how many rows changed (both tables).
pub async fn upsert_posts(
    tx: &mut Tx,
    connection: &ConnectionId,
    workspace: WorkspaceId,
    posts: &[PostFacts],
    day: i32,
    now: Timestamp,
) -> Result<u64, DbError> {
    let numeric = &POST_COLUMNS[..10];
    let (set, changed) = merge_clause("analytics_posts", &POST_COLUMNS);
    let lifetime = format!(
        "INSERT INTO analytics_posts (connection_id, workspace_id, remote_id, published_at, \
         title, {cols}, raw, fetched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (connection_id, remote_id) DO UPDATE SET {set}, \
         published_at = COALESCE(excluded.published_at, analytics_posts.published_at), \
         title = COALESCE(excluded.title, analytics_posts.title), \
         raw = excluded.raw, fetched_at = excluded.fetched_at \
         WHERE {changed} OR (excluded.title IS NOT NULL AND excluded.title IS DISTINCT FROM analytics_posts.title) \
         OR (excluded.published_at IS NOT NULL AND excluded.published_at IS DISTINCT FROM analytics_posts.published_at)",
        cols = POST_COLUMNS.join(", ")
    );
    let (day_set, day_changed) = merge_clause(
        "analytics_post_days",
        &["views", "reach", "engagements", "watch_time_secs"],
    );
    let daily = format!(
        "INSERT INTO analytics_post_days (connection_id, workspace_id, remote_id, day, views, \
         reach, engagements, watch_time_secs, raw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (connection_id, remote_id, day) DO UPDATE SET {day_set}, raw = excluded.raw \
         WHERE {day_changed}"
    );
    let mut rows = 0;
    for post in posts {
        let n = &post.facts.normalized;
        let raw = raw_json(&post.facts);
        let values = [
            n.views,
            n.reach,
            n.engagements,
            n.likes,
            n.comments,
            n.shares,
            n.saves,
            n.profile_actions,
            n.follows,
            n.watch_time_secs,
        ];
        debug_assert_eq!(values.len(), numeric.len());
        let title = post.title.as_deref().map(|t| truncate(t, 200));
        rows += on_tx!(tx, |conn| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(lifetime.as_str()))
                .bind(connection)
                .bind(workspace)
                .bind(&post.remote_id)
                .bind(post.published_at.map(DbTime))
                .bind(title);
            for v in values {
                q = q.bind(v);
            }
            q.bind(post.format.as_deref())
                .bind(post.permalink.as_deref())
                .bind(&raw)
                .bind(DbTime(now))
                .execute(&mut *conn)
                .await?
                .rows_affected()
                + sqlx::query(sqlx::AssertSqlSafe(daily.as_str()))
                    .bind(connection)
                    .bind(workspace)
                    .bind(&post.remote_id)
                    .bind(day)
                    .bind(n.views)
                    .bind(n.reach)
                    .bind(n.engagements)
                    .bind(n.watch_time_secs)
                    .bind(&raw)
                    .execute(conn)
                    .await?
                    .rows_affected()
        });
    }
    Ok(rows)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// For platforms with no daily account figures: the day's views and
/// engagements as the growth of the account's posts' lifetime figures
/// since the snapshot before (`None` when there is no snapshot before, so
/// a first read is never mistaken for one day's activity).
pub async fn derived_day(
    tx: &mut Tx,
    connection: &ConnectionId,
    day: i32,
) -> Result<Option<(i64, i64)>, DbError> {
    let before: Option<i32> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT MAX(day) FROM analytics_post_days WHERE connection_id = $1 AND day < $2",
        )
        .bind(connection)
        .bind(day)
        .fetch_one(conn)
        .await?
    });
    let Some(before) = before else {
        return Ok(None);
    };
    let sums: (Option<i64>, Option<i64>) = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT CAST(SUM(COALESCE(d.views, 0) - COALESCE(p.views, 0)) AS BIGINT), \
                    CAST(SUM(COALESCE(d.engagements, 0) - COALESCE(p.engagements, 0)) AS BIGINT) \
             FROM analytics_post_days d \
             LEFT JOIN analytics_post_days p ON p.connection_id = d.connection_id \
                  AND p.remote_id = d.remote_id AND p.day = $3 \
             WHERE d.connection_id = $1 AND d.day = $2",
        )
        .bind(connection)
        .bind(day)
        .bind(before)
        .fetch_one(conn)
        .await?
    });
    Ok(Some((
        sums.0.unwrap_or(0).max(0),
        sums.1.unwrap_or(0).max(0),
    )))
}

/// Fills the follower count of days that have none (Instagram reports
/// only each day's new followers and the total now) backwards from the
/// nearest later day that has one: the day before ends with that day's
/// count less its follows plus its unfollows. A day whose follows are not
/// known stops the walk. Only empty counts are written, so running it
/// again changes nothing; returns how many days were filled.
pub async fn fill_followers(tx: &mut Tx, connection: &ConnectionId) -> Result<u64, DbError> {
    // (day, followers, follows, unfollows), newest first.
    type Day = (i32, Option<i64>, Option<i64>, Option<i64>);
    let days: Vec<Day> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT day, followers, follows, unfollows FROM analytics_account_days \
             WHERE connection_id = $1 ORDER BY day DESC",
        )
        .bind(connection)
        .fetch_all(conn)
        .await?
    });
    let mut fills = Vec::new();
    // The count at the end of the day after the one looked at, and that
    // day's net change.
    let mut later: Option<(i32, i64, Option<i64>)> = None;
    for (day, followers, follows, unfollows) in days {
        let net = follows.map(|f| f - unfollows.unwrap_or(0));
        match followers {
            Some(count) => later = Some((day, count, net)),
            None => match later {
                Some((after, count, Some(change))) if after == day + 1 => {
                    let estimate = (count - change).max(0);
                    fills.push((day, estimate));
                    later = Some((day, estimate, net));
                }
                _ => later = None,
            },
        }
    }
    let mut filled = 0;
    for (day, count) in fills {
        filled += on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE analytics_account_days SET followers = $3 \
                 WHERE connection_id = $1 AND day = $2 AND followers IS NULL",
            )
            .bind(connection)
            .bind(day)
            .bind(count)
            .execute(conn)
            .await?
            .rows_affected()
        });
    }
    Ok(filled)
}

/// Links the account's posts to the Herald posts they were published from
/// (read-only join on publishing's `post_targets`); returns how many were
/// linked now.
pub async fn link_posts(tx: &mut Tx, connection: &ConnectionId) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE analytics_posts SET post_id = (SELECT t.post_id FROM post_targets t \
               WHERE t.connection_id = analytics_posts.connection_id \
                 AND t.remote_id = analytics_posts.remote_id LIMIT 1) \
             WHERE connection_id = $1 AND post_id IS NULL AND EXISTS (SELECT 1 FROM post_targets t \
               WHERE t.connection_id = analytics_posts.connection_id \
                 AND t.remote_id = analytics_posts.remote_id)",
        )
        .bind(connection)
        .execute(conn)
        .await?
        .rows_affected()
    }))
}
