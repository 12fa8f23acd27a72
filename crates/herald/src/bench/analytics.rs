//! `herald bench analytics`: the dashboards' requests over millions of fact
//! rows of one workspace, next to a plain scan of the same rows.
//!
//! A fresh database (a SQLite file or a new database on `--postgres`) gets
//! one workspace with `--accounts` accounts and, generated in SQL so
//! seeding takes seconds: a row per account per day for `--days` days, a
//! post per account per day, and each post's figures as they stood on each
//! of the days after it (up to `--track` days, 90 by default: the posts a
//! nightly run re-reads), about `--rows` rows in all (5 million by
//! default).
//!
//! - The baseline: one plain scan of every fact row of the workspace
//!   (`COUNT` and `SUM` over the three tables), `--iterations` times.
//! - Each dashboard request (`summary`, `growth`, `funnel`, `posts`,
//!   `best_times`, `platforms` for 7, 30 and 90 days, and the whole
//!   dashboard page's read), `--iterations` times, through the
//!   `Analytics` service as the handlers call it.
//!
//! The report gives each request's p50 and p99 and its p99's ratio to the
//! baseline's median; the target is a p99 under 150 ms.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use herald_accounts::Permission;
use herald_analytics::{Analytics, Filter, Period, Rank};
use herald_core::{SystemClock, UserId, WorkspaceId};
use herald_db::{Db, on_pool};
use serde::Serialize;
use std::sync::Arc;

use super::{Lateness, scratch};

#[derive(Args)]
pub struct AnalyticsBench {
    /// About how many fact rows to seed (account days, posts and post
    /// days together).
    #[arg(long, default_value_t = 5_000_000)]
    rows: u64,
    /// Accounts in the workspace.
    #[arg(long, default_value_t = 50)]
    accounts: u32,
    /// Days of history per account.
    #[arg(long, default_value_t = 1095)]
    days: u32,
    /// Requests of each kind (and baseline scans).
    #[arg(long, default_value_t = 30)]
    iterations: usize,
    /// A postgres:// server to run on (a fresh database is created there
    /// and dropped afterwards); default: a SQLite file in a temporary folder.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Print the results as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Seeded {
    accounts: u32,
    account_days: i64,
    posts: i64,
    post_days: i64,
    total: i64,
    seconds: f64,
}

#[derive(Debug, Serialize)]
struct Request {
    name: String,
    latency: Lateness,
    p99_ratio_to_baseline: f64,
    within_target: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    backend: &'static str,
    seeded: Seeded,
    iterations: usize,
    baseline_plain_scan: Lateness,
    requests: Vec<Request>,
    target_p99_ms: f64,
    all_within_target: bool,
}

const TARGET_MS: f64 = 150.0;

pub async fn run(args: AnalyticsBench) -> anyhow::Result<()> {
    let scratch = scratch(args.postgres.as_deref()).await?;
    let db = scratch.db.clone();
    let backend = if matches!(db, Db::Sqlite(_)) {
        "sqlite"
    } else {
        "postgres"
    };
    let (user, workspace) = owner(&db).await?;
    let seeded = seed(&db, workspace, &args).await?;
    let analytics = service(&db).await?;
    let auth = herald_accounts::shared::authorize(&db, user, workspace, Permission::View).await?;

    let baseline = {
        let mut times = Vec::with_capacity(args.iterations);
        for _ in 0..args.iterations {
            let started = Instant::now();
            plain_scan(&db, workspace).await?;
            times.push(micros(started.elapsed()));
        }
        Lateness::of(times)
    };

    let mut requests = Vec::new();
    for period in Period::ALL {
        let filter = Filter {
            period,
            ..Filter::default()
        };
        let p: &'static str = period.into();
        let tz = "Europe/Berlin";
        let a = &analytics;
        let f = &filter;
        let au = &auth;
        requests.push(
            time(
                &format!("summary {p}"),
                args.iterations,
                &baseline,
                || async move { a.summary(au, f).await.map(|_| ()) },
            )
            .await?,
        );
        requests.push(
            time(
                &format!("growth {p}"),
                args.iterations,
                &baseline,
                || async move { a.growth(au, f).await.map(|_| ()) },
            )
            .await?,
        );
        requests.push(
            time(
                &format!("funnel {p}"),
                args.iterations,
                &baseline,
                || async move { a.funnel(au, f).await.map(|_| ()) },
            )
            .await?,
        );
        requests.push(
            time(
                &format!("posts {p}"),
                args.iterations,
                &baseline,
                || async move { a.posts(au, f, Rank::EngagementRate, 10).await.map(|_| ()) },
            )
            .await?,
        );
        requests.push(
            time(
                &format!("best-times {p}"),
                args.iterations,
                &baseline,
                || async move { a.best_times(au, f, tz).await.map(|_| ()) },
            )
            .await?,
        );
        requests.push(
            time(
                &format!("platforms {p}"),
                args.iterations,
                &baseline,
                || async move { a.platforms(au, f).await.map(|_| ()) },
            )
            .await?,
        );
        requests.push(
            time(
                &format!("dashboard page {p}"),
                args.iterations,
                &baseline,
                || async move { a.dashboard(au, f, tz).await.map(|_| ()) },
            )
            .await?,
        );
    }
    let report = Report {
        backend,
        seeded,
        iterations: args.iterations,
        all_within_target: requests.iter().all(|r| r.within_target),
        baseline_plain_scan: baseline,
        requests,
        target_p99_ms: TARGET_MS,
    };
    scratch.remove().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} — {} fact rows ({} account days, {} posts, {} post days) seeded in {:.1} s",
            report.backend,
            report.seeded.total,
            report.seeded.account_days,
            report.seeded.posts,
            report.seeded.post_days,
            report.seeded.seconds
        );
        println!(
            "  baseline: plain scan of the workspace's rows  p50 {:.1} ms  p99 {:.1} ms",
            report.baseline_plain_scan.p50_ms, report.baseline_plain_scan.p99_ms
        );
        for r in &report.requests {
            println!(
                "  {:<22} p50 {:>7.1} ms  p99 {:>7.1} ms  p99/baseline {:>5.2}  {}",
                r.name,
                r.latency.p50_ms,
                r.latency.p99_ms,
                r.p99_ratio_to_baseline,
                if r.within_target { "ok" } else { "OVER 150 ms" }
            );
        }
        println!(
            "  every request p99 < {TARGET_MS} ms: {}",
            report.all_within_target
        );
    }
    Ok(())
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

async fn time<F, Fut>(
    name: &str,
    iterations: usize,
    baseline: &Lateness,
    mut request: F,
) -> anyhow::Result<Request>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), herald_analytics::AnalyticsError>>,
{
    // One warm-up, as a page served before would have.
    request().await.with_context(|| format!("{name} failed"))?;
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        request().await.with_context(|| format!("{name} failed"))?;
        times.push(micros(started.elapsed()));
    }
    let latency = Lateness::of(times);
    Ok(Request {
        name: name.to_owned(),
        p99_ratio_to_baseline: latency.p99_ms / baseline.p50_ms.max(1e-6),
        within_target: latency.p99_ms < TARGET_MS,
        latency,
    })
}

async fn owner(db: &Db) -> anyhow::Result<(UserId, WorkspaceId)> {
    let user: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, display_name, locale, created_at, updated_at) \
             VALUES ('bench@example.com', 'x', 'Bench', 'en', 0, 0) RETURNING id",
        )
        .fetch_one(pool)
        .await?
    });
    let workspace: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO workspaces (name, created_at) VALUES ('Bench', 0) RETURNING id",
        )
        .fetch_one(pool)
        .await?
    });
    on_pool!(db, |pool| {
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', 0)",
        )
        .bind(workspace)
        .bind(user)
        .execute(pool)
        .await?;
    });
    Ok((UserId(user), WorkspaceId(workspace)))
}

/// The service as `herald serve` builds it, with no reader (nothing is
/// ingested here).
async fn service(db: &Db) -> anyhow::Result<Analytics> {
    let clock: Arc<dyn herald_core::Clock> = Arc::new(SystemClock);
    let queue = herald_jobs::Queue::new(db.clone(), clock.clone());
    let studio = herald_studio::Studio::new(
        db.clone(),
        queue.clone(),
        clock.clone(),
        Arc::new(herald_studio::engine::builtin::Builtin),
        herald_studio::StudioSettings::default(),
    );
    Ok(Analytics::new(herald_analytics::Dependencies {
        db: db.clone(),
        queue: queue.clone(),
        clock: clock.clone(),
        tokens: Arc::new(NoTokens),
        readers: herald_platforms::insights::Readers::default(),
        limiter: Arc::new(herald_ratelimit::InProcessLimiter::new(clock)),
        studio,
        notifier: herald_notify::Notifier::new(queue),
        settings: herald_analytics::AnalyticsSettings::default(),
    }))
}

struct NoTokens;

#[async_trait::async_trait]
impl herald_analytics::AccountTokens for NoTokens {
    async fn access_token(
        &self,
        _connection: &herald_core::ConnectionId,
    ) -> Result<Option<herald_platforms::Secret>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(None)
    }
}

/// Seeds the workspace's accounts and facts in SQL.
async fn seed(db: &Db, workspace: WorkspaceId, args: &AnalyticsBench) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let today = herald_analytics::store::utc_day(herald_core::Timestamp::now());
    let days = i64::from(args.days);
    let accounts = i64::from(args.accounts.max(1));
    let first = i64::from(today) - days + 1;
    let account_days = accounts * days;
    let posts = accounts * days;
    let track = ((i64::try_from(args.rows).unwrap_or(i64::MAX) - account_days - posts)
        / posts.max(1))
    .clamp(0, 365);
    let numbers = days.max(track).max(1);
    let kinds = [
        "instagram_business",
        "facebook_page",
        "tiktok_user",
        "youtube_channel",
    ];
    let statements: Vec<String> = vec![
        "CREATE TABLE bench_n (n BIGINT PRIMARY KEY)".into(),
        format!(
            "INSERT INTO bench_n (n) WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {last}) SELECT n FROM s",
            last = numbers - 1
        ),
    ];
    for sql in statements {
        on_pool!(db, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
        });
    }
    for k in 0..accounts {
        let id = format!("bench-account-{k:04}");
        let kind = kinds[usize::try_from(k).unwrap_or(0) % kinds.len()];
        on_pool!(db, |pool| {
            sqlx::query(
                "INSERT INTO connections (id, workspace_id, provider, kind, remote_id, name, status, \
                 key_id, secrets, issued_at, created_at, updated_at) \
                 VALUES ($1, $2, 'facebook', $3, $1, $4, 'active', 1, 'x', 0, 0, 0)",
            )
            .bind(&id)
            .bind(workspace)
            .bind(kind)
            .bind(format!("Account {k}"))
            .execute(pool)
            .await?;
            sqlx::query(
                "INSERT INTO analytics_accounts (connection_id, workspace_id, kind, time_zone, \
                 first_day, last_day, next_run_at, enrolled_at) VALUES ($1, $2, $3, 'UTC', $4, $5, 0, 0)",
            )
            .bind(&id)
            .bind(workspace)
            .bind(kind)
            .bind(i32::try_from(first).unwrap_or(0))
            .bind(today)
            .execute(pool)
            .await?;
        });
    }
    let ws = workspace.0;
    // Figures vary by account and day with plain arithmetic; the numbers
    // matter less than their count.
    let fill = [
        format!(
            "INSERT INTO analytics_account_days (connection_id, workspace_id, day, followers, follows, \
             unfollows, views, reach, engagements, likes, comments, shares, saves, profile_actions, \
             watch_time_secs, raw, fetched_at) \
             SELECT a.connection_id, {ws}, {first} + d.n, 1000 + d.n * 3 + (d.n * 7) % 11, \
             5 + (d.n * 13) % 9, (d.n * 5) % 4, 800 + (d.n * 37) % 600, 500 + (d.n * 29) % 400, \
             40 + (d.n * 17) % 60, 30 + (d.n * 11) % 40, (d.n * 3) % 12, (d.n * 7) % 9, d.n % 7, \
             (d.n * 19) % 30, 0, '{{\"views\":1}}', 0 \
             FROM analytics_accounts a CROSS JOIN bench_n d \
             WHERE a.workspace_id = {ws} AND d.n < {days}"
        ),
        format!(
            "INSERT INTO analytics_posts (connection_id, workspace_id, remote_id, published_at, format, \
             permalink, title, views, reach, engagements, likes, comments, shares, saves, \
             profile_actions, follows, watch_time_secs, raw, fetched_at) \
             SELECT a.connection_id, {ws}, a.connection_id || '-' || d.n, \
             ({first} + d.n) * 86400000000 + ((d.n * 7) % 24) * 3600000000, \
             CASE d.n % 3 WHEN 0 THEN 'reel' WHEN 1 THEN 'image' ELSE 'carousel' END, \
             'https://example.test/p', 'A post', 300 + (d.n * 41) % 900, 200 + (d.n * 23) % 500, \
             10 + (d.n * 31) % 120, 8 + (d.n * 13) % 80, (d.n * 3) % 20, d.n % 9, d.n % 5, \
             d.n % 4, d.n % 3, 0, '{{\"views\":1}}', 0 \
             FROM analytics_accounts a CROSS JOIN bench_n d \
             WHERE a.workspace_id = {ws} AND d.n < {days}"
        ),
        format!(
            "INSERT INTO analytics_post_days (connection_id, workspace_id, remote_id, day, views, reach, \
             engagements, watch_time_secs, raw) \
             SELECT p.connection_id, {ws}, p.remote_id, CAST(p.published_at / 86400000000 AS INTEGER) + k.n, \
             p.views * (k.n + 1) / {track_plus}, p.reach * (k.n + 1) / {track_plus}, \
             p.engagements * (k.n + 1) / {track_plus}, 0, '{{}}' \
             FROM analytics_posts p CROSS JOIN bench_n k \
             WHERE p.workspace_id = {ws} AND k.n < {track} \
               AND p.published_at / 86400000000 + k.n <= {today}",
            track_plus = track + 1
        ),
    ];
    for sql in fill {
        on_pool!(db, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
        });
    }
    let analyze = if matches!(db, Db::Sqlite(_)) {
        "ANALYZE"
    } else {
        "ANALYZE analytics_account_days, analytics_posts, analytics_post_days"
    };
    on_pool!(db, |pool| {
        sqlx::query(analyze).execute(pool).await?;
    });
    let count = |table: &'static str| async move {
        let n: i64 = on_pool!(db, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(pool)
                .await?
        });
        Ok::<_, anyhow::Error>(n)
    };
    let account_days = count("analytics_account_days").await?;
    let posts = count("analytics_posts").await?;
    let post_days = count("analytics_post_days").await?;
    Ok(Seeded {
        accounts: args.accounts,
        account_days,
        posts,
        post_days,
        total: account_days + posts + post_days,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// One plain scan of every fact row of the workspace.
async fn plain_scan(db: &Db, workspace: WorkspaceId) -> anyhow::Result<()> {
    let _: (i64, Option<i64>, i64, Option<i64>, i64, Option<i64>) = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM analytics_account_days WHERE workspace_id = $1), \
                    (SELECT CAST(SUM(views) AS BIGINT) FROM analytics_account_days WHERE workspace_id = $1), \
                    (SELECT COUNT(*) FROM analytics_posts WHERE workspace_id = $1), \
                    (SELECT CAST(SUM(views) AS BIGINT) FROM analytics_posts WHERE workspace_id = $1), \
                    (SELECT COUNT(*) FROM analytics_post_days WHERE workspace_id = $1), \
                    (SELECT CAST(SUM(views) AS BIGINT) FROM analytics_post_days WHERE workspace_id = $1)",
        )
        .bind(workspace)
        .fetch_one(pool)
        .await?
    });
    Ok(())
}
