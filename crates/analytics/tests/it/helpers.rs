//! What the analytics tests share: a database with the guides applied, a
//! manual clock, the service, and rows written the way ingestion writes
//! them.

use std::sync::Arc;

use async_trait::async_trait;
use herald_accounts::{Authorized, Permission};
use herald_analytics::{AccountTokens, Analytics, AnalyticsSettings, Dependencies};
use herald_core::{Clock, ConnectionId, ManualClock, Timestamp, UserId, WorkspaceId};
use herald_db::testing::TestDb;
use herald_db::{DbTime, on_pool};
use herald_jobs::Queue;
use herald_platforms::Secret;
use herald_studio::engine::builtin::Builtin;
use herald_studio::{Studio, StudioSettings};

/// Monday 2026-12-07, 10:00 UTC.
pub const NOW: &str = "2026-12-07T10:00:00Z";

/// No account has a token: nothing here reads a platform.
struct NoTokens;

#[async_trait]
impl AccountTokens for NoTokens {
    async fn access_token(
        &self,
        _connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(None)
    }
}

pub struct Env {
    pub t: TestDb,
    pub clock: Arc<ManualClock>,
    pub analytics: Analytics,
    pub studio: Studio,
}

impl Env {
    pub async fn new(t: TestDb) -> Env {
        let clock = Arc::new(ManualClock::new(NOW.parse().unwrap()));
        let queue = Queue::new(t.db.clone(), clock.clone());
        let studio = Studio::new(
            t.db.clone(),
            queue.clone(),
            clock.clone(),
            Arc::new(Builtin),
            StudioSettings::default(),
        );
        let analytics = Analytics::new(Dependencies {
            db: t.db.clone(),
            queue: queue.clone(),
            clock: clock.clone(),
            tokens: Arc::new(NoTokens),
            readers: Default::default(),
            limiter: Arc::new(herald_ratelimit::InProcessLimiter::new(clock.clone())),
            studio: studio.clone(),
            notifier: herald_notify::Notifier::new(queue),
            settings: AnalyticsSettings::default(),
        });
        herald_analytics::guides::apply_seed(&t.db, clock.now())
            .await
            .unwrap();
        Env {
            t,
            clock,
            analytics,
            studio,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Today's day number (UTC).
    pub fn today(&self) -> i32 {
        herald_analytics::anomaly::utc_day(self.now())
    }

    /// `n` days before now.
    pub fn days_ago(&self, n: i64) -> Timestamp {
        self.now() - herald_core::SignedDuration::from_hours(24 * n)
    }

    pub async fn user(&self, email: &str) -> UserId {
        let id: i64 = on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO users (email, password_hash, display_name, locale, created_at, updated_at) \
                 VALUES ($1, 'x', $1, 'en', 0, 0) RETURNING id",
            )
            .bind(email)
            .fetch_one(pool)
            .await
            .unwrap()
        });
        UserId(id)
    }

    pub async fn workspace(&self, members: &[(UserId, &str)]) -> WorkspaceId {
        let id: i64 = on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO workspaces (name, created_at) VALUES ('Acme', 0) RETURNING id",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        });
        for (user, role) in members {
            on_pool!(&self.t.db, |pool| {
                sqlx::query(
                    "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, 0)",
                )
                .bind(id)
                .bind(user.0)
                .bind(*role)
                .execute(pool)
                .await
                .unwrap();
            });
        }
        WorkspaceId(id)
    }

    pub async fn auth(&self, user: UserId, ws: WorkspaceId) -> Authorized {
        herald_accounts::shared::authorize(&self.t.db, user, ws, Permission::View)
            .await
            .unwrap()
    }

    /// A connected account of `kind` (`connections.kind`).
    pub async fn connection(
        &self,
        ws: WorkspaceId,
        id: &str,
        kind: &str,
        name: &str,
    ) -> ConnectionId {
        on_pool!(&self.t.db, |pool| {
            sqlx::query(
                "INSERT INTO connections (id, workspace_id, provider, kind, remote_id, name, status, \
                 key_id, secrets, issued_at, created_at, updated_at) \
                 VALUES ($1, $2, 'sandbox', $3, $1, $4, 'active', 1, '', 0, 0, 0)",
            )
            .bind(id)
            .bind(ws)
            .bind(kind)
            .bind(name)
            .execute(pool)
            .await
            .unwrap();
        });
        ConnectionId::from(id)
    }

    /// An account's day with its views and engagements.
    pub async fn day(
        &self,
        ws: WorkspaceId,
        conn: &ConnectionId,
        day: i32,
        views: Option<i64>,
        engagements: Option<i64>,
    ) {
        on_pool!(&self.t.db, |pool| {
            sqlx::query(
                "INSERT INTO analytics_account_days (connection_id, workspace_id, day, views, engagements, raw, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5, '{}', 0)",
            )
            .bind(conn)
            .bind(ws)
            .bind(day)
            .bind(views)
            .bind(engagements)
            .execute(pool)
            .await
            .unwrap();
        });
    }

    /// A post as the platform reported it.
    #[allow(clippy::too_many_arguments)]
    pub async fn post(
        &self,
        ws: WorkspaceId,
        conn: &ConnectionId,
        remote: &str,
        post_id: Option<&str>,
        at: Timestamp,
        format: &str,
        views: i64,
        engagements: i64,
    ) {
        on_pool!(&self.t.db, |pool| {
            sqlx::query(
                "INSERT INTO analytics_posts (connection_id, workspace_id, remote_id, post_id, published_at, \
                 format, views, engagements, raw, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', 0)",
            )
            .bind(conn)
            .bind(ws)
            .bind(remote)
            .bind(post_id)
            .bind(DbTime(at))
            .bind(format)
            .bind(views)
            .bind(engagements)
            .execute(pool)
            .await
            .unwrap();
        });
    }

    /// A Herald post (publishing's table), for a post → draft link.
    pub async fn herald_post(&self, ws: WorkspaceId, id: &str) -> herald_core::PostId {
        on_pool!(&self.t.db, |pool| {
            sqlx::query(
                "INSERT INTO posts (id, workspace_id, status, created_at, updated_at) \
                 VALUES ($1, $2, 'published', 0, 0)",
            )
            .bind(id)
            .bind(ws)
            .execute(pool)
            .await
            .unwrap();
        });
        herald_core::PostId::from(id)
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        })
    }
}
