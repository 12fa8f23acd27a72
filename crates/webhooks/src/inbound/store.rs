//! The history's statements: listing, facets, one delivery with its
//! attempts and routes, and which deliveries a workspace may replay. Every
//! query is scoped to the deliveries routed to the asking workspace, and
//! reads that workspace's slice of them (`webhook_views`, see
//! [`super::view`]): its entries, their ids and fields, and the text search
//! run on the slice, never on another tenant's entries.

use herald_core::Named;
use herald_core::WorkspaceId;
use std::collections::BTreeMap;

use herald_core::Timestamp;
use herald_db::DbTime;
use herald_db::{Backend, Db, DbError, on_pool};

use super::{
    Attempt, AttemptSummary, AttemptTrigger, DeliveryFilter, DeliveryId, DeliveryStatus,
    DeliverySummary, Route,
};
use herald_core::UserId;

/// Most rows a history page holds, and the page size when none is asked.
pub(crate) const MAX_LIMIT: usize = 200;
pub(crate) const DEFAULT_LIMIT: usize = 50;

const SUMMARY_COLUMNS: &str = "d.id, d.received_at, d.object, v.fields, v.entry_ids, v.entries, \
     v.size, d.status, d.attempts, d.last_error, d.processed_at";

/// The deliveries routed to the workspace bound next, with its slice as
/// `v`; end the condition with `)`.
const ROUTED_TO: &str = "webhook_deliveries d JOIN webhook_views v ON v.delivery_id = d.id \
     WHERE EXISTS (SELECT 1 FROM webhook_routes r \
     WHERE r.delivery_id = d.id AND r.workspace_id = v.workspace_id) AND v.workspace_id = (";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SummaryRow {
    id: i64,
    received_at: DbTime,
    object: String,
    fields: String,
    entry_ids: String,
    entries: i64,
    size: i64,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    processed_at: Option<DbTime>,
}

impl SummaryRow {
    pub(crate) fn into_summary(self) -> DeliverySummary {
        DeliverySummary {
            id: DeliveryId(self.id),
            received_at: self.received_at.0,
            object: self.object,
            fields: serde_json::from_str(&self.fields).unwrap_or_default(),
            entry_ids: serde_json::from_str(&self.entry_ids).unwrap_or_default(),
            entries: self.entries,
            size: self.size,
            // The column's CHECK allows nothing else.
            status: DeliveryStatus::parse(&self.status).unwrap_or(DeliveryStatus::Received),
            attempts: self.attempts,
            last_error: self.last_error,
            processed_at: self.processed_at.map(Timestamp::from),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DetailRow {
    #[sqlx(flatten)]
    pub summary: SummaryRow,
    pub headers: String,
    pub body: String,
}

/// The substring function of each engine (`instr(haystack, needle)` and
/// `strpos(haystack, needle)` take the same arguments).
fn find_fn(db: &Db) -> &'static str {
    match db.backend() {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    }
}

/// What to look for in the raw body for a search text: the text itself
/// (lower-cased) and its renderings inside a JSON string as Meta writes
/// them (`"` and `\` escaped, non-ASCII as `\u00e4`, maybe `/` as `\/`).
pub(crate) fn body_needles(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut escaped = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            c if c.is_ascii_control() => escaped.push_str(&format!("\\u{:04x}", c as u32)),
            c if c.is_ascii() => escaped.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    escaped.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    let slashes = escaped.replace('/', "\\/");
    let mut needles = vec![lower];
    for n in [escaped, slashes] {
        if !needles.contains(&n) {
            needles.push(n);
        }
    }
    needles
}

pub(crate) async fn list(
    db: &Db,
    workspace: WorkspaceId,
    filter: &DeliveryFilter,
) -> Result<Vec<SummaryRow>, DbError> {
    let limit = match filter.limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    } as i64;
    let find = find_fn(db);
    let field = filter
        .field
        .as_deref()
        .filter(|f| !f.is_empty())
        .map(|f| serde_json::to_string(f).unwrap_or_default());
    let needles = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(body_needles);
    Ok(on_pool!(db, |pool| {
        let mut qb = sqlx::QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM {ROUTED_TO}"));
        qb.push_bind(workspace).push(")");
        if let Some(status) = filter.status {
            qb.push(" AND d.status = ").push_bind(status.as_str());
        }
        if let Some(object) = filter.object.as_deref().filter(|o| !o.is_empty()) {
            qb.push(" AND d.object = ").push_bind(object);
        }
        if let Some(field) = &field {
            // `fields` is a JSON array of strings; the quoted field matches
            // one element exactly.
            qb.push(format!(" AND {find}(v.fields, "))
                .push_bind(field)
                .push(") > 0");
        }
        if let Some(from) = filter.from {
            qb.push(" AND d.received_at >= ").push_bind(DbTime(from));
        }
        if let Some(to) = filter.to {
            qb.push(" AND d.received_at < ").push_bind(DbTime(to));
        }
        if let Some(needles) = &needles {
            qb.push(" AND (");
            for (i, needle) in needles.iter().enumerate() {
                if i > 0 {
                    qb.push(" OR ");
                }
                qb.push(format!("{find}(LOWER(v.body), "))
                    .push_bind(needle)
                    .push(") > 0");
            }
            qb.push(")");
        }
        if let Some(before) = filter.before {
            qb.push(" AND d.id < ").push_bind(before.0);
        }
        qb.push(" ORDER BY d.id DESC LIMIT ").push_bind(limit);
        qb.build_query_as::<SummaryRow>().fetch_all(pool).await?
    }))
}

/// The distinct objects, and the distinct `fields` arrays (as stored), of
/// the workspace's deliveries.
pub(crate) async fn facets(
    db: &Db,
    workspace: WorkspaceId,
) -> Result<(Vec<String>, Vec<String>), DbError> {
    let objects: Vec<String> = on_pool!(db, |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT d.object FROM {ROUTED_TO}$1) ORDER BY d.object"
        )))
        .bind(workspace)
        .fetch_all(pool)
        .await?
    });
    let fields: Vec<String> = on_pool!(db, |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT v.fields FROM {ROUTED_TO}$1)"
        )))
        .bind(workspace)
        .fetch_all(pool)
        .await?
    });
    Ok((objects, fields))
}

pub(crate) async fn detail(
    db: &Db,
    workspace: WorkspaceId,
    id: i64,
) -> Result<Option<DetailRow>, DbError> {
    let sql =
        format!("SELECT {SUMMARY_COLUMNS}, d.headers, v.body FROM {ROUTED_TO}$1) AND d.id = $2");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as::<_, DetailRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

#[derive(Debug, sqlx::FromRow)]
struct AttemptRow {
    number: i64,
    replay: bool,
    replay_by: Option<UserId>,
    started_at: DbTime,
    finished_at: DbTime,
    succeeded: bool,
    summary: String,
    /// Per workspace (JSON object), for successful attempts.
    summaries: Option<String>,
    error: Option<String>,
}

/// What `workspace` reads as an attempt's summary: for a successful one
/// its own counts only (an attempt recorded before per-workspace summaries
/// existed says no more than that it succeeded).
fn summary_for(workspace: WorkspaceId, r: &AttemptRow) -> AttemptSummary {
    if !r.succeeded {
        // Failure summaries name no entry.
        return AttemptSummary::from_stored(&r.summary);
    }
    r.summaries
        .as_deref()
        .and_then(|json| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(json).ok())
        .and_then(|mut map| map.remove(&workspace.to_string()))
        .map_or(AttemptSummary::Succeeded, AttemptSummary::from_value)
}

/// A delivery's attempts, first first, with the replaying person's name,
/// as `workspace` sees them.
pub(crate) async fn attempts(
    db: &Db,
    workspace: WorkspaceId,
    id: i64,
) -> Result<Vec<Attempt>, DbError> {
    let rows: Vec<AttemptRow> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT a.number, a.replay, a.replay_by, \
             a.started_at, a.finished_at, a.succeeded, a.summary, a.summaries, a.error \
             FROM webhook_attempts a WHERE a.delivery_id = $1 ORDER BY a.number",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
    });
    let replayers: Vec<UserId> = rows.iter().filter_map(|r| r.replay_by).collect();
    let names = herald_accounts::shared::display_names(db, &replayers).await?;
    Ok(rows
        .into_iter()
        .map(|r| Attempt {
            summary: summary_for(workspace, &r),
            number: r.number,
            trigger: if r.replay {
                AttemptTrigger::Replay {
                    by: r.replay_by,
                    by_name: r.replay_by.and_then(|u| names.get(&u).cloned()),
                }
            } else {
                AttemptTrigger::Automatic
            },
            started_at: r.started_at.0,
            finished_at: Some(r.finished_at.0),
            succeeded: r.succeeded,
            error: r.error,
        })
        .collect())
}

/// The delivery's routes into `workspace`.
pub(crate) async fn routes(
    db: &Db,
    workspace: WorkspaceId,
    id: i64,
) -> Result<Vec<Route>, DbError> {
    let rows: Vec<(String, String, String, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT r.connection_id, c.name, c.provider, r.remote_id FROM webhook_routes r \
             JOIN connections c ON c.id = r.connection_id \
             WHERE r.delivery_id = $1 AND r.workspace_id = $2 ORDER BY c.name, r.connection_id",
        )
        .bind(id)
        .bind(workspace)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(connection_id, connection_name, provider, remote_id)| Route {
                connection_id,
                connection_name,
                provider,
                remote_id,
            },
        )
        .collect())
}

/// Which of `ids` are routed to `workspace` (ascending, once each).
pub(crate) async fn routed(
    db: &Db,
    workspace: WorkspaceId,
    ids: &[i64],
) -> Result<Vec<i64>, DbError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let found: Vec<i64> = on_pool!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT DISTINCT r.delivery_id FROM webhook_routes r WHERE r.workspace_id = ",
            );
            qb.push_bind(workspace).push(" AND r.delivery_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(pool).await?
        });
        out.extend(found);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The workspace's dead or retrying deliveries received at or after
/// `since` (microseconds).
pub(crate) async fn failed_since(
    db: &Db,
    workspace: WorkspaceId,
    since: Timestamp,
) -> Result<Vec<i64>, DbError> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_scalar(
            "SELECT d.id FROM webhook_deliveries d \
             WHERE d.status IN ('dead', 'retrying') AND d.received_at >= $1 AND d.id IN \
             (SELECT r.delivery_id FROM webhook_routes r WHERE r.workspace_id = $2) ORDER BY d.id",
        )
        .bind(DbTime(since))
        .bind(workspace)
        .fetch_all(pool)
        .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_also_looked_for_as_meta_escapes_it() {
        assert_eq!(body_needles("Love"), ["love"]);
        assert_eq!(body_needles("Schön"), ["schön", "sch\\u00f6n"]);
        assert_eq!(body_needles("😀"), ["😀", "\\ud83d\\ude00"]);
        assert_eq!(
            body_needles("a \"b\"/c"),
            ["a \"b\"/c", "a \\\"b\\\"/c", "a \\\"b\\\"\\/c"]
        );
    }
}
