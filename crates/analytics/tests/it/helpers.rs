//! What the learning hub's tests add to the fixture: the studio, and rows
//! written the way ingestion writes them (fixed ids, chosen figures).

use std::ops::Deref;
use std::sync::Arc;

use herald_core::{Clock, ConnectionId, Timestamp, WorkspaceId};
use herald_db::testing::TestDb;
use herald_db::{DbTime, on_pool};
use herald_jobs::Queue;
use herald_studio::engine::builtin::Builtin;
use herald_studio::{Studio, StudioSettings};

use crate::fixture;

/// The lead's fixture (database, clock, the service with the guides
/// applied) with the studio beside it.
pub struct Env {
    base: fixture::Env,
    pub studio: Studio,
}

impl Deref for Env {
    type Target = fixture::Env;

    fn deref(&self) -> &fixture::Env {
        &self.base
    }
}

impl Env {
    pub async fn new(t: TestDb) -> Env {
        let base = fixture::Env::new(t, Vec::new()).await;
        let queue = Queue::new(base.t.db.clone(), base.clock.clone());
        let studio = Studio::new(
            base.t.db.clone(),
            queue,
            base.clock.clone(),
            Arc::new(Builtin),
            StudioSettings::default(),
        );
        Env { base, studio }
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
}
