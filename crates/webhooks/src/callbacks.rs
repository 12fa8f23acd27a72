//! Meta's deauthorize and data-deletion callbacks (`signed_request`).
//!
//! Both are verified with the app secret before anything is read from
//! them. A deauthorize marks the person's connections of that app revoked
//! and tells the workspaces (a notice, an audit event and a
//! `connection.revoked` event, all in one transaction). A data-deletion
//! request is stored under a random confirmation code with only a hash of
//! the person's id, and a job removes their connected accounts with
//! everything Herald learned through them; the public status page shows
//! the progress by code and names nobody.

use herald_core::ConnectionId;
use herald_core::Named;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herald_accounts::secret::token_hash;
use herald_connections::bulk;
use herald_core::{Clock, Timestamp};
use herald_db::DbTime;
use herald_db::{Db, Tx, on_pool, on_tx};
use herald_events::{Event, Outbox, Subject};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue};
use serde::{Deserialize, Serialize};

use crate::WebhooksError;
use crate::signature::{MetaSecrets, SignedRequestError, parse_signed_request};
use herald_notify::{Audience, Notice, NotificationKind, Raise};

/// The subject of the event appended when a connection's access was
/// removed at the platform (payload: `workspace_id`, `connection_id`,
/// `provider`, `name`, `reason`).
pub const CONNECTION_REVOKED_SUBJECT: &str = "connection.revoked";

/// Which Meta app called: the Facebook app (Facebook Login: Pages and
/// their Instagram accounts) or the Instagram app (Instagram Login).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaApp {
    Facebook,
    Instagram,
}

impl MetaApp {
    /// The provider slug of the connections this app makes.
    pub fn provider(self) -> &'static str {
        match self {
            MetaApp::Facebook => "facebook",
            MetaApp::Instagram => "instagram",
        }
    }

    pub fn as_str(self) -> &'static str {
        self.provider()
    }

    pub fn parse(s: &str) -> Option<MetaApp> {
        match s {
            "facebook" => Some(MetaApp::Facebook),
            "instagram" => Some(MetaApp::Instagram),
            _ => None,
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            MetaApp::Facebook => "Facebook",
            MetaApp::Instagram => "Instagram",
        }
    }
}

/// One Meta app's secrets (all of a rotation's list), and whether the app
/// is the built-in sandbox's simulated one.
#[derive(Clone, Debug, Default)]
pub struct AppSecrets {
    pub secrets: MetaSecrets,
    pub sandbox: bool,
}

impl AppSecrets {
    /// A real app's secrets.
    pub fn real(secrets: MetaSecrets) -> AppSecrets {
        AppSecrets {
            secrets,
            sandbox: false,
        }
    }

    /// The sandbox's simulated app's secret.
    pub fn sandbox(secrets: MetaSecrets) -> AppSecrets {
        AppSecrets {
            secrets,
            sandbox: true,
        }
    }
}

/// What verifies each Meta app's deliveries and `signed_request`s: the
/// Facebook app's secrets only on `/webhooks/meta*`, the Instagram app's
/// only on `/webhooks/instagram*`. An app with no secret refuses
/// everything.
#[derive(Clone, Debug, Default)]
pub struct MetaApps {
    pub facebook: AppSecrets,
    pub instagram: AppSecrets,
}

impl MetaApps {
    pub fn of(&self, app: MetaApp) -> &AppSecrets {
        match app {
            MetaApp::Facebook => &self.facebook,
            MetaApp::Instagram => &self.instagram,
        }
    }

    /// Whether no app has a secret (every delivery would be refused).
    pub fn is_empty(&self) -> bool {
        self.facebook.secrets.is_empty() && self.instagram.secrets.is_empty()
    }
}

#[derive(Clone)]
pub struct MetaCallbacks {
    inner: Arc<CallbacksInner>,
}

struct CallbacksInner {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    apps: MetaApps,
    public_url: String,
    outbox: Outbox,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// 400 (malformed) or 401 (signature): nothing changes.
    #[error(transparent)]
    SignedRequest(#[from] SignedRequestError),
    #[error(transparent)]
    Storage(#[from] WebhooksError),
}

/// What the data-deletion callback answers with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeletionReceipt {
    /// The public status page.
    pub url: String,
    pub confirmation_code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum DeletionState {
    Received,
    InProgress,
    Completed,
}

/// A deletion request's progress, for the public status page (it names no
/// person or account).
#[derive(Debug, Clone)]
pub struct DeletionStatus {
    pub confirmation_code: String,
    pub state: DeletionState,
    pub requested_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// Connected accounts removed.
    pub connections_removed: i64,
    /// Comments, mentions, messages and insights removed.
    pub items_removed: i64,
}

/// Remove the platform data of the person behind a data-deletion request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserData {
    /// The request's confirmation code.
    pub code: String,
}

impl JobPayload for DeleteUserData {
    const KIND: &'static str = "webhooks.data_deletion.v1";
    const QUEUE: &'static str = "webhooks";
    const MAX_ATTEMPTS: i32 = 10;
}

/// What is stored for the person: SHA-256 of `{app}:{user id}`, hex.
fn user_hash(app: MetaApp, user_id: &str) -> String {
    token_hash(&format!("{}:{user_id}", app.as_str()))
}

/// A fresh confirmation code: 120 random bits, 20 URL-safe characters.
fn new_code() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 15]>())
}

/// A connection being revoked or removed, as events and notices name it.
type Affected = herald_connections::bulk::Touched;

#[derive(Debug, sqlx::FromRow)]
struct DeletionRow {
    code: String,
    app: String,
    /// Asked for through the sandbox's app: only sandbox connections go.
    sandbox: bool,
    user_hash: String,
    state: String,
    requested_at: DbTime,
    completed_at: Option<DbTime>,
    connections_removed: i64,
    items_removed: i64,
}

impl DeletionRow {
    fn status(&self) -> DeletionStatus {
        DeletionStatus {
            confirmation_code: self.code.clone(),
            state: DeletionState::parse(&self.state).unwrap_or(DeletionState::Received),
            requested_at: self.requested_at.0,
            completed_at: self.completed_at.map(Timestamp::from),
            connections_removed: self.connections_removed,
            items_removed: self.items_removed,
        }
    }
}

const DELETION_COLUMNS: &str = "code, app, sandbox, user_hash, state, requested_at, \
     completed_at, connections_removed, items_removed";

impl MetaCallbacks {
    /// `public_url` without a trailing slash; status URLs are
    /// `{public_url}/privacy/data-deletion/{code}`.
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        apps: MetaApps,
        public_url: String,
    ) -> MetaCallbacks {
        // The queue's wake-ups reach this process's events relay.
        let outbox =
            Outbox::with_notifications(db.clone(), clock.clone(), queue.notifications().clone());
        MetaCallbacks {
            inner: Arc::new(CallbacksInner {
                db,
                queue,
                clock,
                apps,
                public_url: public_url.trim_end_matches('/').to_owned(),
                outbox,
            }),
        }
    }

    /// Deauthorize: every connection of that person made through `app`
    /// (a sandbox request: only sandbox connections) is marked revoked (status `needs_reconnection`, `revoked_at` set,
    /// no further token refreshes), with an audit event, a notice to its
    /// workspace and a `connection.revoked` event; returns how many. An
    /// unknown person, or connections revoked already, count zero. The
    /// sealed tokens stay until the account is reconnected or removed:
    /// Meta has already invalidated them, and a publish that still tries
    /// one fails as "reconnect" like any other dead token.
    pub async fn deauthorize(
        &self,
        app: MetaApp,
        signed_request: &str,
    ) -> Result<usize, CallbackError> {
        let verifier = self.inner.apps.of(app);
        let request = parse_signed_request(&verifier.secrets, signed_request)?;
        let now = self.inner.clock.now();
        // The audit log's and the event's reason (the page shows the code).
        let detail = format!("Access was removed on {}", app.name());
        let mut tx = self.inner.db.begin().await.map_err(WebhooksError::from)?;
        let revoked = bulk::revoke_by_platform_user(
            &mut tx,
            app.provider(),
            &request.user_id,
            verifier.sandbox,
            &herald_connections::StatusDetail::AccessRemoved {
                app: app.name().to_owned(),
            },
            now,
        )
        .await
        .map_err(WebhooksError::from)?;
        for c in &revoked {
            self.announce(
                &mut tx,
                c,
                "connection.revoked",
                &detail,
                &Notice::new(
                    "connection_revoked",
                    [
                        ("account", c.name.as_str().into()),
                        ("app", app.name().into()),
                    ],
                ),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(WebhooksError::from)?;
        tracing::info!(
            app = app.as_str(),
            connections = revoked.len(),
            "deauthorize callback"
        );
        Ok(revoked.len())
    }

    /// The audit event, the notice and the `connection.revoked` event for
    /// one connection, in `tx`.
    async fn announce(
        &self,
        tx: &mut Tx,
        c: &Affected,
        action: &str,
        reason: &str,
        notice: &Notice,
        now: Timestamp,
    ) -> Result<(), WebhooksError> {
        herald_accounts::shared::record_system_event(
            tx,
            now,
            c.workspace_id,
            action,
            c.id.as_str(),
            &format!("{} {}: {reason}", c.provider, c.name),
        )
        .await?;
        let key = format!("connection_revoked:{}", c.id.as_str());
        let raise = Raise::new(
            c.workspace_id,
            Audience::Everyone,
            NotificationKind::ConnectionRevoked,
            notice,
        )
        .link("/home/publishing")
        .key(&key);
        crate::notify(&self.inner.queue, tx, &raise, now).await?;
        let event = Event::new(
            Subject::parse(CONNECTION_REVOKED_SUBJECT).expect("a valid subject"),
            serde_json::json!({
                "workspace_id": c.workspace_id,
                "connection_id": c.id,
                "provider": c.provider,
                "name": c.name,
                "reason": reason,
            }),
            now,
        );
        self.inner
            .outbox
            .append(tx, &event)
            .await
            .map_err(WebhooksError::Event)?;
        Ok(())
    }

    /// Data deletion: records the request and queues the removal of that
    /// person's platform data; answers with the status URL and code. While
    /// an earlier request of the same person is still pending, that one is
    /// answered again.
    pub async fn request_deletion(
        &self,
        app: MetaApp,
        signed_request: &str,
    ) -> Result<DeletionReceipt, CallbackError> {
        let verifier = self.inner.apps.of(app);
        let request = parse_signed_request(&verifier.secrets, signed_request)?;
        let hash = user_hash(app, &request.user_id);
        let db = &self.inner.db;
        let pending: Option<String> = on_pool!(db, |pool| {
            sqlx::query_scalar(
                "SELECT code FROM data_deletion_requests \
                 WHERE user_hash = $1 AND app = $2 AND sandbox = $3 \
                 AND state IN ('received', 'in_progress') \
                 ORDER BY requested_at DESC LIMIT 1",
            )
            .bind(&hash)
            .bind(app.as_str())
            .bind(verifier.sandbox)
            .fetch_optional(pool)
            .await
            .map_err(WebhooksError::from)?
        });
        let code = match pending {
            Some(code) => code,
            None => {
                let code = new_code();
                let job = NewJob::of(&DeleteUserData { code: code.clone() })
                    .map_err(WebhooksError::Encode)?
                    .unique_key(format!("webhooks-data-deletion:{code}"));
                let mut tx = db.begin().await.map_err(WebhooksError::from)?;
                on_tx!(tx, |conn| {
                    sqlx::query(
                        "INSERT INTO data_deletion_requests (code, app, user_hash, state, requested_at, sandbox) \
                         VALUES ($1, $2, $3, 'received', $4, $5)",
                    )
                    .bind(&code)
                    .bind(app.as_str())
                    .bind(&hash)
                    .bind(DbTime(self.inner.clock.now()))
                    .bind(verifier.sandbox)
                    .execute(conn)
                    .await
                    .map_err(WebhooksError::from)?;
                });
                self.inner
                    .queue
                    .enqueue(&mut tx, job)
                    .await
                    .map_err(WebhooksError::Queue)?;
                tx.commit().await.map_err(WebhooksError::from)?;
                tracing::info!(app = app.as_str(), "data deletion requested");
                code
            }
        };
        Ok(DeletionReceipt {
            url: format!("{}/privacy/data-deletion/{code}", self.inner.public_url),
            confirmation_code: code,
        })
    }

    pub async fn deletion_status(
        &self,
        code: &str,
    ) -> Result<Option<DeletionStatus>, WebhooksError> {
        Ok(self.deletion_row(code).await?.map(|r| r.status()))
    }

    async fn deletion_row(&self, code: &str) -> Result<Option<DeletionRow>, WebhooksError> {
        let sql = format!("SELECT {DELETION_COLUMNS} FROM data_deletion_requests WHERE code = $1");
        Ok(on_pool!(&self.inner.db, |pool| {
            sqlx::query_as::<_, DeletionRow>(sqlx::AssertSqlSafe(sql))
                .bind(code)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Carries out the data-deletion request `code` (the job's step): the
    /// person's connections of that app are deleted, and with them (by
    /// cascade) their inbox items, story insights and webhook routes;
    /// deliveries routed only to them go too. Posts are kept: their
    /// targets lose the connection (`ON DELETE SET NULL`) and a scheduled
    /// one fails as "removed from the workspace" instead of publishing.
    /// Idempotent: a completed request is left as it is.
    pub async fn run_deletion(&self, code: &str) -> Result<Option<DeletionStatus>, WebhooksError> {
        let db = &self.inner.db;
        let Some(row) = self.deletion_row(code).await? else {
            return Ok(None);
        };
        if row.state == DeletionState::Completed.as_str() {
            return Ok(Some(row.status()));
        }
        let Some(app) = MetaApp::parse(&row.app) else {
            return Ok(Some(row.status()));
        };
        on_pool!(db, |pool| {
            sqlx::query(
                "UPDATE data_deletion_requests SET state = 'in_progress' \
                 WHERE code = $1 AND state = 'received'",
            )
            .bind(code)
            .execute(pool)
            .await?;
        });
        let now = self.inner.clock.now();
        let mut tx = db.begin().await?;
        // Written first, so SQLite takes its write lock before the reads
        // below (a read-then-write transaction can fail to upgrade).
        on_tx!(tx, |conn| {
            sqlx::query("UPDATE data_deletion_requests SET state = 'in_progress' WHERE code = $1")
                .bind(code)
                .execute(conn)
                .await?;
        });
        // Only the hash of the person's id is stored, so the connections
        // are found by hashing each candidate's platform user id.
        let ids: Vec<ConnectionId> = bulk::platform_users(&mut tx, app.provider(), row.sandbox)
            .await?
            .into_iter()
            .filter(|(_, user)| user_hash(app, user) == row.user_hash)
            .map(|(id, _)| id)
            .collect();
        let mut removed: Vec<Affected> = Vec::new();
        let mut items = 0i64;
        for chunk in ids.chunks(200) {
            let (affected, n) = delete_connections(&mut tx, chunk).await?;
            removed.extend(affected);
            items += n;
        }
        let reason = format!(
            "Removed at the account owner's request (data deletion on {})",
            app.name()
        );
        for c in &removed {
            self.announce(
                &mut tx,
                c,
                "connection.deleted",
                &reason,
                &Notice::new(
                    "connection_deleted",
                    [
                        ("account", c.name.as_str().into()),
                        ("app", app.name().into()),
                    ],
                ),
                now,
            )
            .await?;
        }
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE data_deletion_requests SET state = 'completed', completed_at = $1, \
                 connections_removed = $2, items_removed = $3 WHERE code = $4",
            )
            .bind(DbTime(now))
            .bind(removed.len() as i64)
            .bind(items)
            .bind(code)
            .execute(conn)
            .await?;
        });
        tx.commit().await?;
        tracing::info!(
            connections = removed.len(),
            items,
            "data deletion request completed"
        );
        self.deletion_status(code).await
    }
}

/// Deletes the connections `ids` in `tx`; returns them and how many inbox
/// items and story insights went with them.
async fn delete_connections(
    tx: &mut Tx,
    ids: &[ConnectionId],
) -> Result<(Vec<Affected>, i64), WebhooksError> {
    fn list<'a, DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, ids: &'a [ConnectionId])
    where
        &'a ConnectionId: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        qb.push("(");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(id);
        }
        qb.push(")");
    }
    let mut items = 0i64;
    for table in ["inbox_items", "story_insights"] {
        let n: i64 = on_tx!(tx, |conn| {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "SELECT COUNT(*) FROM {table} WHERE connection_id IN "
            ));
            list(&mut qb, ids);
            qb.build_query_scalar().fetch_one(&mut *conn).await?
        });
        items += n;
    }
    let deliveries: Vec<i64> = on_tx!(tx, |conn| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT DISTINCT delivery_id FROM webhook_routes WHERE connection_id IN ",
        );
        list(&mut qb, ids);
        qb.build_query_scalar().fetch_all(&mut *conn).await?
    });
    let affected = bulk::delete(tx, ids).await?;
    // The raw deliveries hold what Meta sent about these accounts; those
    // no other connection received go with them, and the others' slices
    // are written again without these accounts' entries.
    for &delivery in &deliveries {
        let body: Option<String> = on_tx!(tx, |conn| {
            sqlx::query("DELETE FROM webhook_views WHERE delivery_id = $1")
                .bind(delivery)
                .execute(&mut *conn)
                .await?;
            sqlx::query_scalar("SELECT body FROM webhook_deliveries WHERE id = $1")
                .bind(delivery)
                .fetch_optional(&mut *conn)
                .await?
        });
        if let Some(body) = body {
            crate::inbound::write_views(tx, delivery, &body).await?;
        }
    }
    for chunk in deliveries.chunks(500) {
        on_tx!(tx, |conn| {
            let mut qb = sqlx::QueryBuilder::new("DELETE FROM webhook_deliveries WHERE id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(
                ") AND NOT EXISTS (SELECT 1 FROM webhook_routes r \
                 WHERE r.delivery_id = webhook_deliveries.id)",
            );
            qb.build().execute(&mut *conn).await?;
        });
    }
    Ok((affected, items))
}

struct DeletionHandler(MetaCallbacks);

#[async_trait]
impl Handler<DeleteUserData> for DeletionHandler {
    async fn run(&self, job: DeleteUserData, _ctx: &JobContext) -> Result<(), JobError> {
        match self.0.run_deletion(&job.code).await {
            Ok(_) => Ok(()),
            Err(e) => Err(JobError::transient_from("the data deletion failed", e)),
        }
    }
}

impl MetaCallbacks {
    /// Registers the `webhooks.data_deletion.v1` handler on its own (what
    /// [`crate::register`] does for the callbacks).
    pub fn register_jobs(&self, registry: &mut herald_jobs::Registry) {
        registry.register::<DeleteUserData, _>(DeletionHandler(self.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_url_safe_and_random_and_people_hashed_per_app() {
        let a = new_code();
        assert_eq!(a.len(), 20);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, new_code());
        let h = user_hash(MetaApp::Facebook, "218471");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("218471"));
        assert_ne!(h, user_hash(MetaApp::Instagram, "218471"));
        assert_eq!(MetaApp::parse("instagram"), Some(MetaApp::Instagram));
        assert_eq!(
            DeletionState::parse("in_progress"),
            Some(DeletionState::InProgress)
        );
    }
}
