//! Group commit: the one task that stores deliveries.
//!
//! Every `receive` hands its checked delivery to this task and waits for
//! the answer. The task takes whatever is waiting (up to [`MAX_BATCH`]),
//! writes it all in one transaction — the rows, deduplicated by body hash,
//! and one processing job per new row — commits once and answers every
//! caller. While a commit is in flight the next batch gathers, so under
//! load the cost of a commit (an fsync) is shared by many deliveries and
//! nobody waits longer than about two commits. If the commit fails, every
//! caller of that batch is told so (and answers Meta with a 503).
//!
//! The task holds only the channel's receiving end: when the last
//! [`crate::Inbound`] is dropped the channel closes and the task ends.

use std::collections::HashMap;
use std::sync::Arc;

use herald_db::{Db, DbTime, Tx, on_tx};
use herald_jobs::{NewJob, Queue};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::gate::{Gate, Ticket};
use super::metrics as m;
use super::process::ProcessDelivery;
use super::{DeliveryId, Received};
use crate::WebhooksError;

/// Most deliveries written in one transaction.
pub(crate) const MAX_BATCH: usize = 256;
/// Deliveries waiting for the writer before `receive` itself waits.
pub(crate) const QUEUE_DEPTH: usize = 4096;
/// Rows per multi-row INSERT: 14 parameters each, far below SQLite's limit.
const ROWS_PER_INSERT: usize = 64;
/// Body bytes per multi-row INSERT (a few large deliveries get their own).
const BYTES_PER_INSERT: usize = 8 << 20;

/// A checked delivery, ready to store.
#[derive(Debug)]
pub(crate) struct NewDelivery {
    pub body_hash: String,
    pub received_at: DbTime,
    pub object: String,
    /// JSON arrays of strings.
    pub fields: String,
    pub entry_ids: String,
    pub entries: i64,
    pub size: i64,
    /// JSON array of `[name, value]`.
    pub headers: String,
    pub body: String,
    /// The Meta app it came to (`facebook` or `instagram`).
    pub app: &'static str,
    /// Verified with the sandbox app's secret.
    pub sandbox: bool,
}

pub(crate) type Reply = Result<Received, Arc<WebhooksError>>;

pub(crate) struct Pending {
    pub delivery: NewDelivery,
    pub reply: oneshot::Sender<Reply>,
    /// Counts the delivery as in flight until it is answered (dropped).
    pub _ticket: Ticket,
}

/// Starts the writer on the current runtime; returns its inbox and the
/// task's handle, which ends once every sender is dropped.
///
/// One writer per process: measured on two cores, a second or fourth
/// writer on PostgreSQL only added contention (the work is CPU-bound once
/// commits are shared), and SQLite has one writer at a time anyway.
pub(crate) fn spawn(
    db: Db,
    queue: Queue,
    gate: Arc<Gate>,
) -> (mpsc::Sender<Pending>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
    let task = tokio::spawn(run(db, queue, gate, rx));
    (tx, task)
}

async fn run(db: Db, queue: Queue, gate: Arc<Gate>, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    loop {
        batch.clear();
        if rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
            tracing::debug!("webhook writer stopped: every Inbound was dropped");
            return;
        }
        metrics::histogram!(m::BATCH_SIZE).record(batch.len() as f64);
        let deliveries: Vec<&NewDelivery> = batch.iter().map(|p| &p.delivery).collect();
        let written = {
            let _turn = gate.for_writer().await;
            write(&db, &queue, &deliveries).await
        };
        match written {
            Ok(results) => {
                for (pending, result) in batch.drain(..).zip(results) {
                    // A caller that gave up (its request was cancelled) no
                    // longer listens; its delivery is stored all the same.
                    let _ = pending.reply.send(Ok(result));
                }
            }
            Err(e) => {
                tracing::error!(error = %crate::error::describe(&e), deliveries = batch.len(), "storing webhook deliveries failed; Meta will send them again");
                let shared = Arc::new(e);
                for pending in batch.drain(..) {
                    let _ = pending.reply.send(Err(shared.clone()));
                }
            }
        }
    }
}

/// Stores `deliveries` and queues their processing in one transaction;
/// returns, in the same order, each one's id and whether it was stored
/// before (by an earlier request, or earlier in this batch).
pub(crate) async fn write(
    db: &Db,
    queue: &Queue,
    deliveries: &[&NewDelivery],
) -> Result<Vec<Received>, WebhooksError> {
    // The first of equal bodies is the one stored; the others repeat it.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(deliveries.len());
    let mut unique: Vec<&NewDelivery> = Vec::with_capacity(deliveries.len());
    for (i, d) in deliveries.iter().enumerate() {
        first.entry(d.body_hash.as_str()).or_insert_with(|| {
            unique.push(d);
            i
        });
    }
    // Batches of several processes (PostgreSQL) insert in one order, so two
    // holding the same bodies wait for each other instead of deadlocking.
    unique.sort_unstable_by(|a, b| a.body_hash.cmp(&b.body_hash));

    let mut tx = db.begin().await?;
    let mut inserted: HashMap<String, i64> = HashMap::with_capacity(unique.len());
    let mut start = 0;
    while start < unique.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < unique.len()
            && end - start < ROWS_PER_INSERT
            && (end == start || bytes + unique[end].body.len() <= BYTES_PER_INSERT)
        {
            bytes += unique[end].body.len();
            end += 1;
        }
        for (id, hash) in insert_rows(&mut tx, &unique[start..end]).await? {
            inserted.insert(hash, id);
        }
        start = end;
    }

    // Bodies stored by earlier requests: their ids, and nothing queued.
    let missing: Vec<&str> = unique
        .iter()
        .map(|d| d.body_hash.as_str())
        .filter(|h| !inserted.contains_key(*h))
        .collect();
    let mut existing: HashMap<String, i64> = HashMap::with_capacity(missing.len());
    for chunk in missing.chunks(500) {
        let rows: Vec<(i64, String)> = on_tx!(tx, |conn| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, body_hash FROM webhook_deliveries WHERE body_hash IN (",
            );
            let mut list = qb.separated(", ");
            for hash in chunk {
                list.push_bind(*hash);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(&mut *conn).await?
        });
        existing.extend(rows.into_iter().map(|(id, hash)| (hash, id)));
    }

    let mut new_ids: Vec<i64> = inserted.values().copied().collect();
    new_ids.sort_unstable();
    if !new_ids.is_empty() {
        let jobs = new_ids
            .iter()
            .map(|&id| {
                // No unique key: the row is new in this very transaction,
                // so nothing else can have queued its first job.
                NewJob::of(&ProcessDelivery {
                    delivery: id,
                    replay_by: None,
                })
                .map_err(WebhooksError::Encode)
            })
            .collect::<Result<Vec<_>, WebhooksError>>()?;
        queue
            .enqueue_many(&mut tx, &jobs)
            .await
            .map_err(WebhooksError::Queue)?;
    }
    tx.commit().await?;

    deliveries
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let hash = d.body_hash.as_str();
            let (id, new) = match (inserted.get(hash), existing.get(hash)) {
                (Some(id), _) => (*id, first.get(hash) == Some(&i)),
                (None, Some(id)) => (*id, false),
                // The row was neither inserted nor found: only a concurrent
                // delete between the two statements could do that.
                (None, None) => {
                    return Err(WebhooksError::Db(herald_db::DbError::Query(
                        sqlx::Error::RowNotFound,
                    )));
                }
            };
            Ok(Received {
                id: DeliveryId(id),
                duplicate: !new,
            })
        })
        .collect()
}

/// One multi-row INSERT; returns `(id, body_hash)` of the rows that were
/// new (a body already stored is skipped by its unique hash).
async fn insert_rows(
    tx: &mut Tx,
    rows: &[&NewDelivery],
) -> Result<Vec<(i64, String)>, WebhooksError> {
    Ok(on_tx!(tx, |conn| {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO webhook_deliveries (body_hash, received_at, object, fields, entry_ids, \
             entries, size, headers, body, status, attempts, updated_at, app, sandbox) ",
        );
        qb.push_values(rows, |mut row, d| {
            row.push_bind(&d.body_hash)
                .push_bind(d.received_at)
                .push_bind(&d.object)
                .push_bind(&d.fields)
                .push_bind(&d.entry_ids)
                .push_bind(d.entries)
                .push_bind(d.size)
                .push_bind(&d.headers)
                .push_bind(&d.body)
                .push_bind("received")
                .push_bind(0i64)
                .push_bind(d.received_at)
                .push_bind(d.app)
                .push_bind(d.sandbox);
        });
        qb.push(" ON CONFLICT (body_hash) DO NOTHING RETURNING id, body_hash");
        qb.build_query_as().fetch_all(&mut *conn).await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::SystemClock;
    use herald_db::testing::TestDb;

    fn delivery(hash: &str) -> NewDelivery {
        NewDelivery {
            body_hash: hash.to_owned(),
            received_at: DbTime::from_micros(0),
            object: "instagram".into(),
            fields: "[]".into(),
            entry_ids: "[]".into(),
            entries: 0,
            size: 2,
            headers: "[]".into(),
            body: "{}".into(),
            app: "facebook",
            sandbox: false,
        }
    }

    #[tokio::test]
    async fn equal_bodies_in_one_batch_are_one_row_and_one_job() {
        let t = TestDb::sqlite().await;
        let queue = Queue::new(t.db.clone(), Arc::new(SystemClock));
        let (a, b) = (delivery("a"), delivery("b"));
        let out = write(&t.db, &queue, &[&b, &a, &b]).await.unwrap();
        assert!(!out[0].duplicate && !out[1].duplicate);
        assert!(out[2].duplicate);
        assert_eq!(out[2].id, out[0].id);
        assert_ne!(out[0].id, out[1].id);
        let again = write(&t.db, &queue, &[&a]).await.unwrap();
        assert_eq!(
            again[0],
            Received {
                id: out[1].id,
                duplicate: true
            }
        );
        let jobs = queue
            .list(herald_jobs::JobState::Queued, Some("webhooks"), 10)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 2);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_writer_stops_once_its_inbox_is_dropped() {
        let t = TestDb::sqlite().await;
        let queue = Queue::new(t.db.clone(), Arc::new(SystemClock));
        let (inbox, task) = spawn(t.db.clone(), queue, Gate::new(t.db.backend()));
        assert!(!task.is_finished(), "the writer runs while it has an inbox");
        drop(inbox);
        // The task's own handle says when it ends; the deadline only turns
        // a writer that never stops into a failure instead of a hang.
        tokio::time::timeout(std::time::Duration::from_secs(60), task)
            .await
            .expect("the writer task ended once its inbox was dropped")
            .expect("the writer task did not panic");
    }
}
