//! Inbound Meta deliveries: verify, store before acknowledging, process on
//! the job queue, history and replay.
//!
//! [`Inbound::receive`] is the whole POST: a size check, the signature over
//! the raw bytes ([`crate::signature`]), a light parse ([`parse`]), then the
//! hand-over to the group-commit writer ([`writer`]), which stores the
//! delivery with its processing job and answers once that commit is
//! durable. Refused deliveries leave nothing behind but a counter. The job
//! ([`process`]) routes and applies; the history ([`store`]) shows each
//! workspace only the deliveries routed to it.

mod gate;
mod metrics;
mod parse;
mod plan;
mod process;
mod store;
mod view;
mod writer;

use std::sync::Arc;
use std::time::Instant;

use herald_accounts::{Authorized, Permission};
use herald_core::UserId;
use herald_core::{Clock, Timestamp};
use herald_db::Db;
use herald_db::DbTime;
use herald_jobs::{NewJob, Queue};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use crate::signature::{SignatureError, to_hex, verify_hub_signature, verify_token_matches};
use crate::{MetaApp, MetaApps, WebhooksError};

pub use metrics::{
    BATCH_SIZE as METRIC_BATCH_SIZE, DEAD as METRIC_DEAD, DUPLICATES as METRIC_DUPLICATES,
    FAILED as METRIC_FAILED, PROCESSED as METRIC_PROCESSED,
    RECEIVE_SECONDS as METRIC_RECEIVE_SECONDS, RECEIVED as METRIC_RECEIVED,
    REJECTED as METRIC_REJECTED,
};
pub(crate) use plan::{Item, ItemKind, Notice as ItemNotice};
pub use process::ProcessDelivery;
pub(crate) use process::{upsert_item, write_views};

/// The largest delivery accepted (Meta batches up to 1000 updates).
pub const MAX_DELIVERY_BYTES: usize = 4 * 1024 * 1024;

pub use herald_core::DeliveryId;

/// The inbound side: configuration plus the services it needs.
#[derive(Clone)]
pub struct Inbound {
    inner: Arc<InboundInner>,
}

struct InboundInner {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    apps: MetaApps,
    verify_token: Option<String>,
    /// The group-commit writer's inbox; dropping the last [`Inbound`]
    /// closes it and so ends the writer task.
    writer: mpsc::Sender<writer::Pending>,
    /// Receiving goes before processing (see [`gate`]).
    gate: Arc<gate::Gate>,
}

/// The outcome of a POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub id: DeliveryId,
    /// The same bytes had been stored before; nothing new was queued.
    pub duplicate: bool,
}

/// Why a POST was refused (nothing is stored in any of these cases).
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// 401: only a counter records it.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// 413.
    #[error("the delivery is {0} bytes; at most {MAX_DELIVERY_BYTES} are accepted")]
    TooLarge(usize),
    /// 400: signed correctly but not a JSON object with `object` and `entry`.
    #[error("the delivery is not a webhook payload: {0}")]
    Malformed(String),
    /// 503: the delivery could not be stored, so Meta must send it again.
    #[error("the delivery could not be stored")]
    Storage(#[source] WebhooksError),
}

/// Where a delivery is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum DeliveryStatus {
    /// Stored, waiting for its first attempt.
    Received,
    /// Every entry applied.
    Processed,
    /// The last attempt failed; another is scheduled.
    Retrying,
    /// Every scheduled attempt failed; only a replay runs it again.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Received,
        DeliveryStatus::Processed,
        DeliveryStatus::Retrying,
        DeliveryStatus::Dead,
    ];
}

/// History filters; every field optional.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    /// `instagram`, `page`, `user`, …
    pub object: Option<String>,
    /// A change field: `comments`, `mentions`, `story_insights`, …
    pub field: Option<String>,
    /// Received at or after.
    pub from: Option<Timestamp>,
    /// Received before.
    pub to: Option<Timestamp>,
    /// Case-insensitive substring of the raw payload.
    pub text: Option<String>,
    /// Deliveries older than this id (paging, newest first).
    pub before: Option<DeliveryId>,
    /// At most this many (capped at 200).
    pub limit: usize,
}

/// A row of the history.
#[derive(Debug, Clone)]
pub struct DeliverySummary {
    pub id: DeliveryId,
    pub received_at: Timestamp,
    pub object: String,
    pub fields: Vec<String>,
    /// The Instagram / Page / user ids of the entries.
    pub entry_ids: Vec<String>,
    pub entries: i64,
    pub size: i64,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub processed_at: Option<Timestamp>,
}

/// What started an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptTrigger {
    /// The first try or a scheduled retry.
    Automatic,
    /// A person's replay.
    Replay {
        by: Option<UserId>,
        by_name: Option<String>,
    },
}

/// One processing attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub number: i64,
    pub trigger: AttemptTrigger,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// `true` when every entry was applied.
    pub succeeded: bool,
    /// What the attempt did, as a code with counts.
    pub summary: AttemptSummary,
    pub error: Option<String>,
}

/// What a processing attempt did, as a code with counts: stored with the
/// attempt (JSON) and put into words on the reader's page, in their
/// language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AttemptSummary {
    /// The entries were applied; what each became.
    Applied(AppliedCounts),
    /// It succeeded (recorded before per-workspace counts were kept).
    Succeeded,
    /// It failed; another attempt is scheduled.
    Retrying,
    /// It failed; no further attempt is scheduled.
    Dead,
    /// Recorded before summaries were codes: the English words as stored.
    #[serde(skip)]
    Text(String),
}

/// How many of each kind one attempt applied (or set aside).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedCounts {
    pub comments: u64,
    pub mentions: u64,
    pub messages: u64,
    /// Story insights updates.
    pub insights: u64,
    pub removed: u64,
    pub ignored: u64,
    /// The first few entry ids no connected account has.
    pub unrouted: Vec<String>,
    /// How many more such ids there were.
    pub unrouted_more: u64,
}

impl AttemptSummary {
    /// The code, for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AttemptSummary::Applied(_) => "applied",
            AttemptSummary::Succeeded => "succeeded",
            AttemptSummary::Retrying => "retrying",
            AttemptSummary::Dead => "dead",
            AttemptSummary::Text(_) => "text",
        }
    }

    /// As stored in `webhook_attempts.summary`.
    pub(crate) fn to_stored(&self) -> Result<String, serde_json::Error> {
        match self {
            AttemptSummary::Text(text) => Ok(text.clone()),
            coded => serde_json::to_string(coded),
        }
    }

    /// From `webhook_attempts.summary`: a code, or the words of an
    /// attempt recorded before codes.
    pub(crate) fn from_stored(stored: &str) -> AttemptSummary {
        serde_json::from_str(stored).unwrap_or_else(|_| AttemptSummary::Text(stored.to_owned()))
    }

    /// One workspace's entry of `webhook_attempts.summaries`.
    pub(crate) fn from_value(value: serde_json::Value) -> AttemptSummary {
        match value {
            serde_json::Value::String(text) => AttemptSummary::Text(text),
            coded => serde_json::from_value(coded).unwrap_or(AttemptSummary::Succeeded),
        }
    }
}

/// A connection an entry was routed to.
#[derive(Debug, Clone)]
pub struct Route {
    pub connection_id: String,
    pub connection_name: String,
    pub provider: String,
    pub remote_id: String,
}

/// Everything about one delivery, for its detail page.
#[derive(Debug, Clone)]
pub struct DeliveryDetail {
    pub summary: DeliverySummary,
    /// As received, with secrets masked (signatures, cookies, authorization).
    pub headers: Vec<(String, String)>,
    /// The asking workspace's slice of the body: the object and its own
    /// entries, each as received (UTF-8 JSON).
    pub body: String,
    pub attempts: Vec<Attempt>,
    /// The routes of this delivery into the asking workspace.
    pub routes: Vec<Route>,
}

/// The page of a delivery in the web app (notification links).
pub(crate) fn delivery_link(id: i64) -> String {
    format!("/home/webhooks/deliveries/{id}")
}

/// Header names whose values are never shown in full.
fn is_secret_header(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    matches!(
        name.as_str(),
        "x-hub-signature"
            | "x-hub-signature-256"
            | "authorization"
            | "proxy-authorization"
            | "cookie"
            | "set-cookie"
    ) || name.contains("token")
        || name.contains("secret")
}

/// A secret header value as shown: its first 10 characters (fewer for
/// short values, at most a quarter of them, so a short secret is not
/// mostly revealed), then `…(masked)`.
fn mask_value(value: &str) -> String {
    let chars = value.chars().count();
    let keep = 10.min(chars / 4);
    let shown: String = value.chars().take(keep).collect();
    format!("{shown}…(masked)")
}

/// `headers` with the values of secret ones masked.
pub(crate) fn mask_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            if is_secret_header(&name) {
                let masked = mask_value(&value);
                (name, masked)
            } else {
                (name, value)
            }
        })
        .collect()
}

fn reject(reason: &'static str) {
    ::metrics::counter!(metrics::REJECTED, "reason" => reason).increment(1);
}

impl Inbound {
    /// Starts the delivery writer on the current tokio runtime (so call it
    /// inside one); the writer stops when the last clone is dropped.
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        apps: MetaApps,
        verify_token: Option<String>,
    ) -> Inbound {
        let gate = gate::Gate::new(db.backend());
        let (writer, _detached) = writer::spawn(db.clone(), queue.clone(), gate.clone());
        Inbound {
            inner: Arc::new(InboundInner {
                db,
                queue,
                clock,
                apps,
                verify_token: verify_token.filter(|t| !t.is_empty()),
                writer,
                gate,
            }),
        }
    }

    /// The GET handshake: `Some(challenge)` to echo when `mode` is
    /// `subscribe` and `token` matches the verify token (constant time);
    /// `None` → 403.
    pub fn verify_subscription(&self, mode: &str, token: &str, challenge: &str) -> Option<String> {
        let expected = self.inner.verify_token.as_deref()?;
        let matches = verify_token_matches(expected, token);
        (mode == "subscribe" && matches).then(|| challenge.to_owned())
    }

    /// A POST to `app`'s callback: verifies the signature over `body`
    /// exactly as received with that app's secrets (no other's), checks it
    /// is a webhook payload, stores it with `headers` (committed before
    /// this returns) and queues its processing. Safe to call concurrently;
    /// concurrent calls share commits.
    pub async fn receive(
        &self,
        app: MetaApp,
        headers: Vec<(String, String)>,
        body: bytes::Bytes,
    ) -> Result<Received, ReceiveError> {
        let started = Instant::now();
        if body.len() > MAX_DELIVERY_BYTES {
            reject("too_large");
            return Err(ReceiveError::TooLarge(body.len()));
        }
        let signature = headers
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("x-hub-signature-256"))
            .map(|(_, value)| value.as_str());
        let verifier = self.inner.apps.of(app);
        if let Err(e) = verify_hub_signature(&verifier.secrets, signature, &body) {
            reject(e.reason());
            return Err(ReceiveError::Signature(e));
        }
        let outline = parse::outline(&body).map_err(|message| {
            reject("malformed_payload");
            ReceiveError::Malformed(message)
        })?;
        let body_hash = to_hex(&Sha256::digest(&body));
        let size = body.len() as i64;
        // `outline` checked the bytes are UTF-8.
        let body = String::from_utf8(Vec::from(body))
            .map_err(|_| ReceiveError::Malformed("the body is not UTF-8".to_owned()))?;
        let encode = |e| ReceiveError::Storage(WebhooksError::Encode(e));
        let delivery = writer::NewDelivery {
            body_hash,
            received_at: DbTime(self.inner.clock.now()),
            object: outline.object,
            fields: serde_json::to_string(&outline.fields).map_err(encode)?,
            entry_ids: serde_json::to_string(&outline.entry_ids).map_err(encode)?,
            entries: outline.entries as i64,
            size,
            headers: serde_json::to_string(&headers).map_err(encode)?,
            body,
            app: app.as_str(),
            sandbox: verifier.sandbox,
        };
        let (reply, answer) = oneshot::channel();
        let stopped = || {
            reject("storage");
            ReceiveError::Storage(WebhooksError::WriterStopped)
        };
        self.inner
            .writer
            .send(writer::Pending {
                delivery,
                reply,
                _ticket: self.inner.gate.ticket(),
            })
            .await
            .map_err(|_| stopped())?;
        let received = match answer.await.map_err(|_| stopped())? {
            Ok(received) => received,
            Err(e) => {
                reject("storage");
                return Err(ReceiveError::Storage(WebhooksError::Batch(e)));
            }
        };
        ::metrics::histogram!(metrics::RECEIVE_SECONDS).record(started.elapsed().as_secs_f64());
        if received.duplicate {
            ::metrics::counter!(metrics::DUPLICATES).increment(1);
        } else {
            ::metrics::counter!(metrics::RECEIVED).increment(1);
        }
        Ok(received)
    }

    /// Writes the workspace slices of routed deliveries that have none
    /// (routed before slices existed); returns how many deliveries it
    /// looked at. One indexed query when there is nothing to do.
    pub async fn backfill_views(&self) -> Result<usize, WebhooksError> {
        let db = &self.inner.db;
        let mut after = 0i64;
        let mut done = 0;
        loop {
            let ids: Vec<i64> = herald_db::on_pool!(db, |pool| {
                sqlx::query_scalar(
                    "SELECT DISTINCT r.delivery_id FROM webhook_routes r WHERE r.delivery_id > $1 \
                     AND NOT EXISTS (SELECT 1 FROM webhook_views v \
                     WHERE v.delivery_id = r.delivery_id AND v.workspace_id = r.workspace_id) \
                     ORDER BY r.delivery_id LIMIT 100",
                )
                .bind(after)
                .fetch_all(pool)
                .await?
            });
            let Some(&last) = ids.last() else {
                return Ok(done);
            };
            for id in ids {
                let mut tx = db.begin().await?;
                let body: Option<String> = herald_db::on_tx!(tx, |conn| {
                    sqlx::query_scalar("SELECT body FROM webhook_deliveries WHERE id = $1")
                        .bind(id)
                        .fetch_optional(conn)
                        .await?
                });
                if let Some(body) = body {
                    write_views(&mut tx, id, &body).await?;
                }
                tx.commit().await?;
                done += 1;
            }
            // Past the last one: a body with no readable slice is not
            // looked at again.
            after = last;
        }
    }

    /// The deliveries routed to `workspace`, newest first.
    ///
    /// A delivery is routed when its processing job has run at least once
    /// (routing is that job's first step), which is normally within
    /// moments of its arrival.
    pub async fn list(
        &self,
        auth: &Authorized,
        filter: &DeliveryFilter,
    ) -> Result<Vec<DeliverySummary>, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        Ok(store::list(&self.inner.db, workspace, filter)
            .await?
            .into_iter()
            .map(store::SummaryRow::into_summary)
            .collect())
    }

    /// The objects and fields seen in `workspace`'s deliveries (for filter
    /// menus).
    pub async fn facets(
        &self,
        auth: &Authorized,
    ) -> Result<(Vec<String>, Vec<String>), WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let (objects, field_lists) = store::facets(&self.inner.db, workspace).await?;
        let mut fields: Vec<String> = field_lists
            .iter()
            .flat_map(|list| serde_json::from_str::<Vec<String>>(list).unwrap_or_default())
            .collect();
        fields.sort();
        fields.dedup();
        Ok((objects, fields))
    }

    /// One delivery, if it was routed to `workspace`.
    pub async fn get(
        &self,
        auth: &Authorized,
        id: DeliveryId,
    ) -> Result<Option<DeliveryDetail>, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let db = &self.inner.db;
        let Some(row) = store::detail(db, workspace, id.0).await? else {
            return Ok(None);
        };
        let headers: Vec<(String, String)> = serde_json::from_str(&row.headers).unwrap_or_default();
        // The whole delivery's length is not this workspace's business.
        let headers = headers
            .into_iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
            .collect();
        Ok(Some(DeliveryDetail {
            summary: row.summary.into_summary(),
            headers: mask_headers(headers),
            body: row.body,
            attempts: store::attempts(db, workspace, id.0).await?,
            routes: store::routes(db, workspace, id.0).await?,
        }))
    }

    /// Queues a new attempt for each of `ids` routed to `workspace`
    /// (others are skipped); returns how many were queued. The attempt is
    /// recorded with `by`; the delivery is never copied.
    pub async fn replay(
        &self,
        auth: &Authorized,
        ids: &[DeliveryId],
    ) -> Result<usize, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let by = auth.user();
        let ids: Vec<i64> = ids.iter().map(|d| d.0).collect();
        let routed = store::routed(&self.inner.db, workspace, &ids).await?;
        self.queue_replays(&routed, by).await
    }

    /// Replays every dead or retrying delivery of `workspace` received at
    /// or after `since`.
    pub async fn replay_failed_since(
        &self,
        auth: &Authorized,
        since: Timestamp,
    ) -> Result<usize, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let by = auth.user();
        let ids = store::failed_since(&self.inner.db, workspace, since).await?;
        self.queue_replays(&ids, by).await
    }

    /// One processing job per delivery, all in one transaction. Replays
    /// carry no unique key: each is its own recorded attempt.
    async fn queue_replays(&self, ids: &[i64], by: UserId) -> Result<usize, WebhooksError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let jobs = ids
            .iter()
            .map(|&delivery| {
                NewJob::of(&ProcessDelivery {
                    delivery,
                    replay_by: Some(by.0),
                })
                .map_err(WebhooksError::Encode)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = self.inner.db.begin().await?;
        self.inner
            .queue
            .enqueue_many(&mut tx, &jobs)
            .await
            .map_err(WebhooksError::Queue)?;
        tx.commit().await?;
        tracing::info!(
            deliveries = ids.len(),
            by = by.0,
            "webhook deliveries queued for replay"
        );
        Ok(ids.len())
    }
}

impl Inbound {
    /// Registers the `webhooks.process.v1` handler on its own (what
    /// [`crate::register`] does for the inbound side), for processes and
    /// tests that run only this part.
    pub fn register_jobs(&self, registry: &mut herald_jobs::Registry) {
        registry.register::<ProcessDelivery, _>(process::ProcessHandler(self.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_masked_and_others_kept() {
        let signature = format!("sha256={}", "a".repeat(64));
        let masked = mask_headers(vec![
            ("X-Hub-Signature-256".into(), signature.clone()),
            ("x-hub-signature".into(), format!("sha1={}", "b".repeat(40))),
            (
                "Authorization".into(),
                "Bearer abcdefghijklmnopqrstuvwxyz0123456789".into(),
            ),
            ("Cookie".into(), "a=b".into()),
            ("X-Access-Token".into(), "t".repeat(48)),
            ("X-Client-Secret".into(), "s".repeat(48)),
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), "facebookexternalua".into()),
        ]);
        assert_eq!(masked[0].1, "sha256=aaa…(masked)");
        assert_eq!(masked[1].1, "sha1=bbbbb…(masked)");
        assert_eq!(masked[2].1, "Bearer abc…(masked)");
        assert_eq!(masked[3].1, "…(masked)", "short values show nothing");
        assert_eq!(masked[4].1, format!("{}…(masked)", "t".repeat(10)));
        assert_eq!(masked[5].1, format!("{}…(masked)", "s".repeat(10)));
        assert_eq!(masked[6].1, "application/json");
        assert_eq!(masked[7].1, "facebookexternalua");
        assert!(!masked.iter().any(|(_, v)| v.contains(&signature[10..])));
    }
}

/// Property tests: whatever headers a delivery arrives with, masking never
/// panics and shows at most ten characters of a secret one.
#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn secret_header_values_never_show_more_than_a_quarter_or_ten_characters(
            headers in vec(
                (
                    prop_oneof![
                        prop::sample::select(vec![
                            "X-Hub-Signature-256", " authorization ", "Cookie", "X-Api-Token",
                            "content-type", "x-secret-ish",
                        ])
                        .prop_map(str::to_owned),
                        ".{0,24}",
                    ],
                    ".{0,200}",
                ),
                0..8,
            ),
        ) {
            let masked = mask_headers(headers.clone());
            prop_assert_eq!(masked.len(), headers.len());
            for ((name, value), (masked_name, shown)) in headers.iter().zip(&masked) {
                prop_assert_eq!(name, masked_name);
                if is_secret_header(name) {
                    let kept = shown.strip_suffix("…(masked)").expect("masked");
                    let n = kept.chars().count();
                    prop_assert!(n <= 10 && n <= value.chars().count() / 4);
                    prop_assert!(value.starts_with(kept));
                } else {
                    prop_assert_eq!(value, shown);
                }
            }
        }
    }
}
