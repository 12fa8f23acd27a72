//! A workspace with connected accounts, a scripted insights reader and the
//! analytics service over a test database (either engine).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use herald_accounts::{Authorized, Permission};
use herald_analytics::{AccountTokens, Analytics, AnalyticsSettings, Dependencies};
use herald_core::{ConnectionId, ManualClock, Timestamp, UserId, WorkspaceId};
use herald_db::on_pool;
use herald_db::testing::TestDb;
use herald_jobs::Queue;
use herald_platforms::insights::{
    AccountDay, Budget, Facts, Fetched, InsightsAccount, InsightsReader, Normalized, Pace, Pacer,
    PostFacts, PostPage, Readers,
};
use herald_platforms::{AccountKind, ErrorKind, PlatformError, ProviderId, Secret};
use jiff::civil::Date;

/// The day a fake account's figures are a function of.
pub fn day_figures(account: &str, day: Date) -> Normalized {
    let n = i64::from(herald_analytics::store::day_number(day));
    let seed = account.bytes().map(i64::from).sum::<i64>() % 7;
    let views = 1000 + (n % 10) * 50 + seed * 10;
    Normalized {
        followers: Some(5000 + n - 20_000),
        follows: Some(12 + seed),
        unfollows: Some(3),
        views: Some(views),
        reach: Some(views * 7 / 10),
        engagements: Some(views / 20),
        likes: Some(views / 25),
        comments: Some(views / 200),
        shares: Some(views / 500),
        saves: Some(views / 400),
        profile_actions: Some(views / 100),
        watch_time_secs: None,
    }
}

/// A post of a fake account and its lifetime figures.
pub fn post(account: &str, i: i64, published_at: Timestamp) -> PostFacts {
    let views = 400 + i * 37 % 300;
    let engagements = 10 + i * 13 % 90;
    PostFacts {
        remote_id: format!("{account}_post_{i}"),
        published_at: Some(published_at),
        format: Some(if i % 2 == 0 { "reel" } else { "image" }.into()),
        permalink: Some(format!("https://example.test/{account}/{i}")),
        title: Some(format!("Post {i}")),
        facts: Facts {
            normalized: Normalized {
                views: Some(views),
                reach: Some(views / 2),
                engagements: Some(engagements),
                likes: Some(engagements - 2),
                comments: Some(2),
                ..Normalized::default()
            },
            raw: BTreeMap::from([
                ("views".to_owned(), views),
                ("total_interactions".to_owned(), engagements),
            ]),
        },
    }
}

/// A reader that answers from a function of the day, failing the calls
/// it is told to, and keeping every request.
pub struct Scripted {
    pub kind: AccountKind,
    pub max_days: u32,
    pub posts: Vec<PostFacts>,
    pub page_size: usize,
    /// Whether the daily figures carry the follower total (Instagram's do
    /// not: only the snapshot has it).
    pub daily_followers: bool,
    /// Errors for the next calls, in order (`None` = answer normally).
    pub failures: Mutex<VecDeque<Option<PlatformError>>>,
    /// Each call as `days:FROM..TO`, `snapshot`, `posts:CURSOR`.
    pub calls: Mutex<Vec<String>>,
}

impl Scripted {
    pub fn new(kind: AccountKind, max_days: u32, posts: Vec<PostFacts>) -> Scripted {
        Scripted {
            kind,
            max_days,
            posts,
            page_size: 5,
            daily_followers: true,
            failures: Mutex::new(VecDeque::new()),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn fail_later(&self, after: usize, error: PlatformError) {
        let mut f = self.failures.lock().unwrap();
        for _ in 0..after {
            f.push_back(None);
        }
        f.push_back(Some(error));
    }

    fn call(&self, what: String) -> Result<(), PlatformError> {
        self.calls.lock().unwrap().push(what);
        match self.failures.lock().unwrap().pop_front() {
            Some(Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

pub fn outage() -> PlatformError {
    PlatformError::new(ProviderId::Facebook, ErrorKind::Unavailable, "HTTP 503")
}

#[async_trait]
impl InsightsReader for Scripted {
    fn kind(&self) -> AccountKind {
        self.kind
    }

    fn pace(&self) -> Pace {
        let generous = Budget {
            calls: 10_000,
            per: std::time::Duration::from_secs(60),
        };
        Pace {
            app: generous,
            account: generous,
        }
    }

    fn max_days(&self) -> u32 {
        self.max_days
    }

    fn lag_days(&self) -> u32 {
        2
    }

    async fn account_days(
        &self,
        account: &InsightsAccount,
        from: Date,
        to: Date,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Vec<AccountDay>>, PlatformError> {
        pacer
            .clear(self.kind, &account.account_id)
            .await
            .map_err(|until| {
                PlatformError::new(
                    ProviderId::Facebook,
                    ErrorKind::RateLimited { until: Some(until) },
                    "paced",
                )
                .with_code("paced")
            })?;
        self.call(format!("days:{from}..{to}"))?;
        let mut days = Vec::new();
        let mut day = from;
        while day <= to {
            let mut normalized = day_figures(&account.account_id, day);
            if !self.daily_followers {
                normalized.followers = None;
            }
            days.push(AccountDay {
                day,
                facts: Facts {
                    normalized,
                    raw: BTreeMap::from([(
                        "views".to_owned(),
                        day_figures(&account.account_id, day).views.unwrap(),
                    )]),
                },
            });
            day = day.tomorrow().unwrap();
        }
        Ok(Fetched {
            value: days,
            calls: 1,
        })
    }

    async fn snapshot(
        &self,
        account: &InsightsAccount,
        _pacer: &dyn Pacer,
    ) -> Result<Fetched<Facts>, PlatformError> {
        self.call("snapshot".into())?;
        Ok(Fetched {
            value: Facts {
                normalized: Normalized {
                    followers: Some(9999),
                    ..Normalized::default()
                },
                raw: BTreeMap::from([("followers_count".to_owned(), 9999)]),
            },
            calls: usize::from(!account.account_id.is_empty()) as u32,
        })
    }

    async fn posts(
        &self,
        _account: &InsightsAccount,
        since: Timestamp,
        page: Option<&str>,
        _pacer: &dyn Pacer,
    ) -> Result<Fetched<PostPage>, PlatformError> {
        self.call(format!("posts:{}", page.unwrap_or("")))?;
        let start: usize = page.map_or(0, |p| p.parse().unwrap());
        let eligible: Vec<&PostFacts> = self
            .posts
            .iter()
            .filter(|p| p.published_at.is_some_and(|t| t >= since))
            .collect();
        let end = (start + self.page_size).min(eligible.len());
        Ok(Fetched {
            value: PostPage {
                posts: eligible[start..end].iter().map(|p| (*p).clone()).collect(),
                next: (end < eligible.len()).then(|| end.to_string()),
            },
            calls: 1,
        })
    }
}

struct Tokens;

#[async_trait]
impl AccountTokens for Tokens {
    async fn access_token(
        &self,
        _connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Some(Secret::new("token")))
    }
}

pub struct Env {
    pub t: TestDb,
    pub clock: Arc<ManualClock>,
    pub analytics: Analytics,
}

pub const NOW: &str = "2026-12-07T10:00:00Z";

impl Env {
    pub async fn new(t: TestDb, readers: Vec<Arc<dyn InsightsReader>>) -> Env {
        let clock = Arc::new(ManualClock::new(NOW.parse().unwrap()));
        Env::build(t, clock, readers).await
    }

    /// The same database and clock, read through `reader` instead.
    pub async fn with_reader(self, reader: Arc<dyn InsightsReader>) -> Env {
        Env::build(self.t, self.clock, vec![reader]).await
    }

    async fn build(
        t: TestDb,
        clock: Arc<ManualClock>,
        readers: Vec<Arc<dyn InsightsReader>>,
    ) -> Env {
        let queue = Queue::new(t.db.clone(), clock.clone());
        let mut r = Readers::default();
        for reader in readers {
            r.insert(reader);
        }
        let studio = herald_studio::Studio::new(
            t.db.clone(),
            queue.clone(),
            clock.clone(),
            Arc::new(herald_studio::engine::builtin::Builtin),
            herald_studio::StudioSettings::default(),
        );
        let analytics = Analytics::new(Dependencies {
            db: t.db.clone(),
            queue: queue.clone(),
            clock: clock.clone(),
            tokens: Arc::new(Tokens),
            readers: r,
            limiter: Arc::new(herald_ratelimit::InProcessLimiter::new(clock.clone())),
            studio,
            notifier: herald_notify::Notifier::new(queue.clone()),
            settings: AnalyticsSettings::default(),
        });
        analytics.start().await.unwrap();
        Env {
            t,
            clock,
            analytics,
        }
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

    /// A connected account of `kind` named `name` with platform id `remote`.
    pub async fn connection(
        &self,
        ws: WorkspaceId,
        kind: AccountKind,
        name: &str,
        remote: &str,
    ) -> ConnectionId {
        let id = ConnectionId::from(format!("conn-{remote}"));
        let provider = match kind {
            AccountKind::FacebookPage | AccountKind::InstagramBusiness => "facebook",
            AccountKind::InstagramAccount => "instagram",
            AccountKind::TikTokUser => "tiktok",
            AccountKind::YouTubeChannel => "youtube",
        };
        let kind: &'static str = kind.into();
        on_pool!(&self.t.db, |pool| {
            sqlx::query(
                "INSERT INTO connections (id, workspace_id, provider, kind, remote_id, name, status, \
                 key_id, secrets, issued_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'active', 1, 'x', 0, 0, 0)",
            )
            .bind(&id)
            .bind(ws)
            .bind(provider)
            .bind(kind)
            .bind(remote)
            .bind(name)
            .execute(pool)
            .await
            .unwrap();
        });
        id
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        })
    }

    /// Every fact row as text, in a stable order: what "no row changed"
    /// compares.
    pub async fn facts(&self) -> Vec<String> {
        let rows: Vec<(String,)> = on_pool!(&self.t.db, |pool| {
            sqlx::query_as(
                "SELECT 'd|' || connection_id || '|' || day || '|' || COALESCE(CAST(followers AS TEXT), '-') \
                 || '|' || COALESCE(CAST(views AS TEXT), '-') || '|' || COALESCE(CAST(engagements AS TEXT), '-') \
                 || '|' || raw || '|' || fetched_at FROM analytics_account_days \
                 UNION ALL SELECT 'p|' || connection_id || '|' || remote_id || '|' || COALESCE(CAST(views AS TEXT), '-') \
                 || '|' || raw || '|' || fetched_at FROM analytics_posts \
                 UNION ALL SELECT 'pd|' || connection_id || '|' || remote_id || '|' || day || '|' || raw \
                 FROM analytics_post_days ORDER BY 1",
            )
            .fetch_all(pool)
            .await
            .unwrap()
        });
        rows.into_iter().map(|(r,)| r).collect()
    }

    /// The run ids queued, oldest first.
    pub async fn runs(&self) -> Vec<(i64, String, String, Option<String>)> {
        on_pool!(&self.t.db, |pool| {
            sqlx::query_as("SELECT id, status, stage, cursor FROM analytics_runs ORDER BY id")
                .fetch_all(pool)
                .await
                .unwrap()
        })
    }
}
