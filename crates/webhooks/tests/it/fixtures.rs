//! The inbound side over a test database: the services on a hand-moved
//! clock, the real job queue and worker, people, workspaces and connected
//! accounts made with SQL (the accounts and connections services are not
//! what these tests are about), and signed Meta payloads.

use herald_accounts::{Authorized, Permission};
use herald_core::{UserId, WorkspaceId};
use std::sync::Arc;

use bytes::Bytes;
use herald_core::{ManualClock, SignedDuration, Timestamp};
use herald_db::testing::TestDb;
use herald_db::{Backend, Db, on_pool};
use herald_jobs::{JobContext, JobId, JobRecord, JobState, Queue, Registry, Worker, WorkerOptions};
use herald_notify::Notifications;
use herald_webhooks::signature::MetaSecrets;
use herald_webhooks::{
    AppSecrets, Inbound, MetaApp, MetaApps, MetaCallbacks, ReceiveError, Received,
};
use serde_json::{Value, json};

pub const SECRET: &str = "the current app secret";
pub const OLD_SECRET: &str = "the previous app secret";
/// The Instagram app's (Instagram Login) secret: it verifies only what
/// comes to that app.
pub const INSTAGRAM_SECRET: &str = "the instagram app secret";
pub const VERIFY_TOKEN: &str = "a verify token";
pub const PUBLIC_URL: &str = "https://herald.example";

pub fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub struct Env {
    pub t: TestDb,
    pub clock: Arc<ManualClock>,
    pub queue: Queue,
    pub inbound: Inbound,
    pub callbacks: MetaCallbacks,
    pub notifications: Notifications,
    pub worker: Worker,
    /// The Facebook app's secrets (the current one signs).
    pub secrets: MetaSecrets,
    /// The Instagram app's.
    pub instagram_secrets: MetaSecrets,
}

impl Env {
    /// Real Facebook and Instagram apps.
    pub async fn new(t: TestDb) -> Env {
        let apps = MetaApps {
            facebook: AppSecrets::real(MetaSecrets::new([SECRET, OLD_SECRET])),
            instagram: AppSecrets::real(MetaSecrets::new([INSTAGRAM_SECRET])),
        };
        Env::with_apps(t, apps).await
    }

    /// The services verifying with `apps`.
    pub async fn with_apps(t: TestDb, apps: MetaApps) -> Env {
        let clock = Arc::new(ManualClock::new(t0()));
        let queue = Queue::new(t.db.clone(), clock.clone());
        let secrets = apps.facebook.secrets.clone();
        let instagram_secrets = apps.instagram.secrets.clone();
        let inbound = Inbound::new(
            t.db.clone(),
            queue.clone(),
            clock.clone(),
            apps.clone(),
            Some(VERIFY_TOKEN.to_owned()),
        );
        let callbacks = MetaCallbacks::new(
            t.db.clone(),
            queue.clone(),
            clock.clone(),
            apps,
            format!("{PUBLIC_URL}/"),
        );
        let notifications = Notifications::new(
            t.db.clone(),
            clock.clone(),
            herald_notify::UnsubscribeKey::derive(b"test"),
        );
        let mut registry = Registry::new();
        inbound.register_jobs(&mut registry);
        callbacks.register_jobs(&mut registry);
        let worker = Worker::new(queue.clone(), registry, WorkerOptions::default());
        Env {
            t,
            clock,
            queue,
            inbound,
            callbacks,
            notifications,
            worker,
            secrets,
            instagram_secrets,
        }
    }

    pub fn db(&self) -> &Db {
        &self.t.db
    }

    pub async fn user(&self, email: &str, name: &str) -> UserId {
        let id: i64 = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "INSERT INTO users (email, password_hash, display_name, created_at, updated_at) \
                 VALUES ($1, 'x', $2, 0, 0) RETURNING id",
            )
            .bind(email)
            .bind(name)
            .fetch_one(pool)
            .await
            .unwrap()
        });
        UserId(id)
    }

    /// A workspace with `members` (all admins: they may see and replay
    /// its webhook deliveries).
    pub async fn workspace(&self, name: &str, members: &[UserId]) -> WorkspaceId {
        let id: i64 = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "INSERT INTO workspaces (name, created_at) VALUES ($1, 0) RETURNING id",
            )
            .bind(name)
            .fetch_one(pool)
            .await
            .unwrap()
        });
        for user in members {
            on_pool!(self.db(), |pool| {
                sqlx::query(
                    "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
                     VALUES ($1, $2, 'admin', 0)",
                )
                .bind(id)
                .bind(user.0)
                .execute(pool)
                .await
                .unwrap();
            });
        }
        WorkspaceId(id)
    }

    /// `user`'s proof of membership in `workspace`.
    pub async fn auth(&self, user: UserId, workspace: WorkspaceId) -> Authorized {
        herald_accounts::shared::authorize(self.db(), user, workspace, Permission::View)
            .await
            .unwrap()
    }

    /// The proof of the first member of `workspace` (they manage its
    /// webhooks).
    pub async fn manager(&self, workspace: WorkspaceId) -> Authorized {
        let user: i64 = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT user_id FROM memberships WHERE workspace_id = $1 ORDER BY user_id LIMIT 1",
            )
            .bind(workspace)
            .fetch_one(pool)
            .await
            .unwrap()
        });
        self.auth(UserId(user), workspace).await
    }

    /// Marks a connection as made through the sandbox.
    pub async fn mark_sandbox(&self, connection: &str) {
        on_pool!(self.db(), |pool| {
            sqlx::query("UPDATE connections SET sandbox = TRUE WHERE id = $1")
                .bind(connection)
                .execute(pool)
                .await
                .unwrap();
        });
    }

    /// A connected account; returns its id.
    pub async fn connect(
        &self,
        workspace: WorkspaceId,
        provider: &str,
        kind: &str,
        remote_id: &str,
        platform_user: &str,
        name: &str,
    ) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        on_pool!(self.db(), |pool| {
            sqlx::query(
                "INSERT INTO connections (id, workspace_id, provider, kind, remote_id, \
                 platform_user_id, name, status, key_id, secrets, issued_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', 1, 'v1.1.sealed', 0, 0, 0)",
            )
            .bind(&id)
            .bind(workspace.0)
            .bind(provider)
            .bind(kind)
            .bind(remote_id)
            .bind(platform_user)
            .bind(name)
            .execute(pool)
            .await
            .unwrap();
        });
        id
    }

    /// Headers as Meta sends them, signed with the Facebook app's current
    /// secret.
    pub fn headers(&self, body: &[u8]) -> Vec<(String, String)> {
        signed_headers(&self.secrets, body)
    }

    /// POSTs `body` to the Facebook app's callback, signed with its
    /// current secret.
    pub async fn post(&self, body: &str) -> Result<Received, ReceiveError> {
        let bytes = Bytes::copy_from_slice(body.as_bytes());
        self.inbound
            .receive(MetaApp::Facebook, self.headers(&bytes), bytes)
            .await
    }

    /// POSTs `body` to `app`'s callback signed with `secrets`.
    pub async fn post_to(
        &self,
        app: MetaApp,
        secrets: &MetaSecrets,
        body: &str,
    ) -> Result<Received, ReceiveError> {
        let bytes = Bytes::copy_from_slice(body.as_bytes());
        self.inbound
            .receive(app, signed_headers(secrets, &bytes), bytes)
            .await
    }

    /// Runs every due job; returns how many ran.
    pub async fn run_jobs(&self) -> usize {
        self.worker.run_due().await.unwrap()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        on_pool!(self.db(), |pool| {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        })
    }

    /// Runs `sql` (test set-up: triggers and the like).
    pub async fn exec(&self, sql: &str) {
        on_pool!(self.db(), |pool| {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .unwrap();
        });
    }

    /// Makes every insert into `table` fail, as a broken database would.
    pub async fn break_table(&self, table: &str) {
        let sql = match self.db().backend() {
            Backend::Sqlite => format!(
                "CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ),
            Backend::Postgres => format!(
                "CREATE FUNCTION broken_{table}() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION broken_{table}()"
            ),
        };
        self.exec(&sql).await;
    }

    pub async fn repair_table(&self, table: &str) {
        let sql = match self.db().backend() {
            Backend::Sqlite => format!("DROP TRIGGER broken_{table}"),
            Backend::Postgres => format!("DROP TRIGGER broken_{table} ON {table}"),
        };
        self.exec(&sql).await;
    }

    /// The queued webhook jobs.
    pub async fn queued(&self) -> Vec<JobRecord> {
        self.queue
            .list(JobState::Queued, Some("webhooks"), 1000)
            .await
            .unwrap()
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.clock.advance(SignedDuration::try_from(by).unwrap());
    }
}

/// A job context as the worker would pass it.
pub fn ctx(job: i64, attempt: i32) -> JobContext {
    JobContext {
        id: JobId(job),
        attempt,
        max_attempts: 9,
        run_at: t0(),
        cancel: tokio_util::sync::CancellationToken::new(),
    }
}

/// An Instagram `comments` change.
pub fn ig_comment(id: &str, text: &str, from: &str) -> Value {
    json!({"field": "comments", "value": {
        "id": id, "text": text,
        "from": {"id": format!("u-{from}"), "username": from},
        "media": {"id": "media-1", "media_product_type": "FEED"}
    }})
}

/// An Instagram payload: one entry per `(account id, changes)`.
pub fn instagram(entries: &[(&str, Vec<Value>)]) -> String {
    payload("instagram", entries)
}

pub fn payload(object: &str, entries: &[(&str, Vec<Value>)]) -> String {
    let entry: Vec<Value> = entries
        .iter()
        .map(|(id, changes)| json!({"id": id, "time": 1_800_000_000, "changes": changes}))
        .collect();
    serde_json::to_string(&json!({"object": object, "entry": entry})).unwrap()
}

/// A Page `feed` comment change.
pub fn page_comment(comment: &str, verb: &str, message: &str) -> Value {
    json!({"field": "feed", "value": {
        "item": "comment", "verb": verb, "comment_id": comment, "post_id": "page-post-1",
        "parent_id": "page-post-1", "from": {"id": "fb-9", "name": "Bo"},
        "message": message, "created_time": 1_800_000_100
    }})
}

/// Headers as Meta sends them, signed with the first of `secrets`.
pub fn signed_headers(secrets: &MetaSecrets, body: &[u8]) -> Vec<(String, String)> {
    vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        (
            "X-Hub-Signature-256".to_owned(),
            secrets.sign(body).unwrap(),
        ),
        ("User-Agent".to_owned(), "facebookexternalua".to_owned()),
    ]
}
