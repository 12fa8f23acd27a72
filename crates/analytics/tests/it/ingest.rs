//! Ingestion on both engines: the backfill of a new account, idempotent
//! re-runs, a platform error mid-run resumed where it stopped, pacing that
//! goes on later without spending an attempt, runs that fail for good, and
//! derived days for platforms with no daily account figures.

use std::sync::Arc;

use herald_analytics::ingest::Outcome;
use herald_analytics::{Filter, Period, Rank};
use herald_core::{SignedDuration, Timestamp};
use herald_db::on_both_backends;
use herald_db::testing::TestDb;
use herald_platforms::insights::InsightsReader;
use herald_platforms::{AccountKind, ErrorKind, PlatformError, ProviderId};

use crate::fixture::{Env, Scripted, outage, post};

fn posts(account: &str, now: Timestamp, n: i64) -> Vec<herald_platforms::insights::PostFacts> {
    (0..n)
        .map(|i| {
            post(
                account,
                i,
                now.checked_sub(SignedDuration::from_hours(20 + 24 * 3 * i))
                    .unwrap(),
            )
        })
        .collect()
}

async fn a_new_account_is_backfilled_and_reading_it_again_changes_no_row(t: TestDb) {
    let now: Timestamp = crate::fixture::NOW.parse().unwrap();
    let reader = Arc::new(Scripted::new(
        AccountKind::FacebookPage,
        30,
        posts("page1", now, 12),
    ));
    let env = Env::new(t, vec![reader.clone() as Arc<dyn InsightsReader>]).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    let page = env
        .connection(ws, AccountKind::FacebookPage, "Page One", "page1")
        .await;

    // The sweep enrols the account with a 90-day backfill.
    assert_eq!(env.analytics.sweep().await.unwrap(), 1);
    let runs = env.runs().await;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        env.analytics.ingest(runs[0].0, None).await.unwrap(),
        Outcome::Finished
    );
    // 91 days (today included) in 30-day windows, the snapshot, posts in
    // pages of five: 12 posts within 90 days? 20 h + 3 days each: all but
    // none are older than 90 days.
    let calls = reader.calls();
    assert_eq!(
        &calls[..4],
        [
            "days:2026-09-08..2026-10-07",
            "days:2026-10-08..2026-11-06",
            "days:2026-11-07..2026-12-06",
            "days:2026-12-07..2026-12-07",
        ]
    );
    assert_eq!(calls[4], "snapshot");
    assert_eq!(&calls[5..], ["posts:", "posts:5", "posts:10"]);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_account_days")
            .await,
        91
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM analytics_posts").await, 12);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_post_days").await,
        12
    );
    let view = env
        .analytics
        .runs(&env.auth(ann, ws).await, 10)
        .await
        .unwrap();
    assert_eq!(view.len(), 1);
    assert_eq!(view[0].account_name, "Page One");
    // 91 days written, and today's again with the snapshot's followers.
    assert_eq!(view[0].account_rows, 92);
    assert_eq!(view[0].post_rows, 24);
    assert_eq!(view[0].calls, 8);
    assert_eq!(view[0].errors, 0);
    assert_eq!(view[0].status, herald_analytics::RunStatus::Succeeded);

    // Refreshing reads the last days and the posts again: nothing changes.
    let before = env.facts().await;
    env.clock.advance(SignedDuration::from_mins(30));
    let auth = env.auth(ann, ws).await;
    let refresh = env.analytics.refresh(&auth, Some(&page)).await.unwrap();
    assert_eq!(refresh.queued, 1);
    // A second refresh while one waits queues nothing.
    assert_eq!(env.analytics.refresh(&auth, None).await.unwrap().queued, 0);
    env.analytics.ingest(refresh.runs[0], None).await.unwrap();
    assert_eq!(env.facts().await, before, "re-reading changed a row");
    let again = &env.analytics.runs(&auth, 10).await.unwrap()[0];
    assert_eq!((again.account_rows, again.post_rows), (0, 0));
    assert_eq!(again.reason, herald_analytics::Reason::Manual);
    // The days the platform may still be finishing (two) and a margin.
    assert_eq!(again.first_day.to_string(), "2026-12-03");

    // The figures the dashboard shows are the platform's.
    let summary = env
        .analytics
        .summary(
            &auth,
            &Filter {
                period: Period::Week,
                ..Filter::default()
            },
        )
        .await
        .unwrap();
    let expected_views: i64 = (0..7)
        .map(|d| {
            let day = jiff::civil::date(2026, 12, 7)
                .checked_sub(jiff::Span::new().days(d))
                .unwrap();
            crate::fixture::day_figures("page1", day).views.unwrap()
        })
        .sum();
    assert_eq!(summary.accounts.len(), 1);
    assert_eq!(summary.total.views.value, Some(expected_views));
    // Followers at the end of the period: the platform's daily figure
    // (the day's snapshot only fills a day the daily figures leave empty).
    assert_eq!(
        summary.total.followers.value,
        crate::fixture::day_figures("page1", jiff::civil::date(2026, 12, 7)).followers
    );
    let ranking = env
        .analytics
        .posts(
            &auth,
            &Filter {
                period: Period::Month,
                ..Filter::default()
            },
            Rank::Views,
            3,
        )
        .await
        .unwrap();
    assert_eq!(ranking.posts, 10);
    assert_eq!(ranking.top.len(), 3);
    assert!(ranking.top[0].views >= ranking.top[1].views);
    assert!(ranking.bottom[0].views <= ranking.bottom[1].views);
}

async fn a_platform_error_mid_run_is_retried_and_resumes_where_it_stopped(t: TestDb) {
    let now: Timestamp = crate::fixture::NOW.parse().unwrap();
    let reader = Arc::new(Scripted::new(
        AccountKind::FacebookPage,
        30,
        posts("page2", now, 12),
    ));
    // The third window fails, then the second page of posts.
    reader.fail_later(2, outage());
    let env = Env::new(t, vec![reader.clone() as Arc<dyn InsightsReader>]).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    env.connection(ws, AccountKind::FacebookPage, "Page Two", "page2")
        .await;
    env.analytics.sweep().await.unwrap();
    let run = env.runs().await[0].0;

    let failed = env.analytics.ingest(run, None).await.unwrap_err();
    assert!(
        failed.describe().contains("resumes"),
        "{}",
        failed.describe()
    );
    let (_, status, stage, cursor) = env.runs().await[0].clone();
    assert_eq!((status.as_str(), stage.as_str()), ("running", "days"));
    // The cursor is the first day of the window that failed.
    assert_eq!(
        cursor.as_deref().map(|c| c.parse::<i32>().unwrap()),
        Some(herald_analytics::store::day_number(jiff::civil::date(
            2026, 11, 7
        )))
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_account_days")
            .await,
        60
    );

    // Two windows, the snapshot, the first page of posts; the second fails.
    reader.fail_later(4, outage());
    env.analytics.ingest(run, None).await.unwrap_err();
    // The retry started with the failed window, not the first.
    let calls = reader.calls();
    assert_eq!(calls[3], "days:2026-11-07..2026-12-06");
    let (_, _, stage, cursor) = env.runs().await[0].clone();
    assert_eq!((stage.as_str(), cursor.as_deref()), ("posts", Some("5")));

    assert_eq!(
        env.analytics.ingest(run, None).await.unwrap(),
        Outcome::Finished
    );
    let calls = reader.calls();
    assert_eq!(calls.last().map(String::as_str), Some("posts:10"));
    assert_eq!(calls.iter().filter(|c| *c == "posts:").count(), 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_account_days")
            .await,
        91
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM analytics_posts").await, 12);
    let auth = env.auth(ann, ws).await;
    let view = &env.analytics.runs(&auth, 1).await.unwrap()[0];
    assert_eq!(view.errors, 2);
    assert_eq!(view.last_error.as_deref(), Some("unavailable"));
    assert_eq!(view.status, herald_analytics::RunStatus::Succeeded);
}

async fn being_paced_goes_on_later_and_a_refusal_fails_the_run(t: TestDb) {
    let reader = Arc::new(Scripted::new(AccountKind::FacebookPage, 30, Vec::new()));
    let until = Timestamp::from_second(1_796_640_000).unwrap();
    reader.fail_later(
        1,
        PlatformError::new(
            ProviderId::Facebook,
            ErrorKind::RateLimited { until: Some(until) },
            "paced",
        )
        .with_code("paced"),
    );
    let env = Env::new(t, vec![reader.clone() as Arc<dyn InsightsReader>]).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    let page = env
        .connection(ws, AccountKind::FacebookPage, "Page", "page3")
        .await;
    env.analytics.sweep().await.unwrap();
    let run = env.runs().await[0].0;
    assert_eq!(
        env.analytics.ingest(run, None).await.unwrap(),
        Outcome::Paced(until)
    );
    // Not an error: the run goes on in a job queued for then.
    let auth = env.auth(ann, ws).await;
    assert_eq!(env.analytics.runs(&auth, 1).await.unwrap()[0].errors, 0);
    let waiting = env
        .count("SELECT COUNT(*) FROM jobs WHERE kind = 'analytics.ingest.v1'")
        .await;
    assert_eq!(waiting, 2, "the first job and its continuation");
    assert_eq!(
        env.analytics.ingest(run, None).await.unwrap(),
        Outcome::Finished
    );

    // A token the platform no longer accepts fails the run for good.
    reader.fail_later(
        0,
        PlatformError::new(ProviderId::Facebook, ErrorKind::Reconnect, "expired"),
    );
    let refresh = env.analytics.refresh(&auth, Some(&page)).await.unwrap();
    assert_eq!(
        env.analytics.ingest(refresh.runs[0], None).await.unwrap(),
        Outcome::Failed
    );
    let view = &env.analytics.runs(&auth, 1).await.unwrap()[0];
    assert_eq!(view.status, herald_analytics::RunStatus::Failed);
    assert_eq!(view.last_error.as_deref(), Some("reconnect"));
}

async fn platforms_without_daily_figures_get_days_derived_from_their_posts(t: TestDb) {
    let now: Timestamp = crate::fixture::NOW.parse().unwrap();
    let reader = Arc::new(Scripted::new(
        AccountKind::TikTokUser,
        0,
        posts("tt", now, 3),
    ));
    let env = Env::new(t, vec![reader.clone() as Arc<dyn InsightsReader>]).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    env.connection(ws, AccountKind::TikTokUser, "Creator", "tt")
        .await;
    env.analytics.sweep().await.unwrap();
    let run = env.runs().await[0].0;
    env.analytics.ingest(run, None).await.unwrap();
    // No daily call at all; the first read has nothing to compare with.
    assert!(reader.calls().iter().all(|c| !c.starts_with("days:")));
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_account_days WHERE views IS NOT NULL")
            .await,
        0
    );
    // A day later (the posts having grown), the day's views are the growth.
    env.clock.advance(SignedDuration::from_hours(24));
    let grown: Vec<_> = reader
        .posts
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.facts.normalized.views = p.facts.normalized.views.map(|v| v + 100);
            p
        })
        .collect();
    let later = Arc::new(Scripted::new(AccountKind::TikTokUser, 0, grown));
    let env2 = env.with_reader(later).await;
    let auth = env2.auth(ann, ws).await;
    let refresh = env2.analytics.refresh(&auth, None).await.unwrap();
    env2.analytics.ingest(refresh.runs[0], None).await.unwrap();
    let views: i64 = env2
        .count("SELECT COALESCE(MAX(views), -1) FROM analytics_account_days")
        .await;
    assert_eq!(views, 300);
}

async fn follower_totals_are_filled_backwards_from_the_snapshot(t: TestDb) {
    let mut scripted = Scripted::new(AccountKind::InstagramBusiness, 30, Vec::new());
    scripted.daily_followers = false;
    let reader = Arc::new(scripted);
    let env = Env::new(t, vec![reader.clone() as Arc<dyn InsightsReader>]).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    env.connection(ws, AccountKind::InstagramBusiness, "Insta", "ig")
        .await;
    env.analytics.sweep().await.unwrap();
    let run = env.runs().await[0].0;
    env.analytics.ingest(run, None).await.unwrap();
    // Today's count is the snapshot's; each day before ends with the next
    // day's count less that day's follows (12 + seed) plus its unfollows (3).
    let counts: Vec<(i32, Option<i64>)> = herald_db::on_pool!(&env.t.db, |pool| {
        sqlx::query_as("SELECT day, followers FROM analytics_account_days ORDER BY day DESC")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(counts.len(), 91);
    assert_eq!(counts[0].1, Some(9999));
    let net = crate::fixture::day_figures("ig", jiff::civil::date(2026, 12, 7))
        .follows
        .unwrap()
        - 3;
    assert_eq!(counts[1].1, Some(9999 - net));
    assert_eq!(counts[90].1, Some(9999 - 90 * net));
    // Running again fills nothing more and changes no row.
    let before = env.facts().await;
    let auth = env.auth(ann, ws).await;
    let refresh = env.analytics.refresh(&auth, None).await.unwrap();
    env.analytics.ingest(refresh.runs[0], None).await.unwrap();
    assert_eq!(env.facts().await, before);
    let summary = env
        .analytics
        .summary(
            &auth,
            &Filter {
                period: Period::Week,
                ..Filter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(summary.total.followers.change(), Some(7 * net));
}

on_both_backends!(
    follower_totals_are_filled_backwards_from_the_snapshot,
    a_new_account_is_backfilled_and_reading_it_again_changes_no_row,
    a_platform_error_mid_run_is_retried_and_resumes_where_it_stopped,
    being_paced_goes_on_later_and_a_refusal_fails_the_run,
    platforms_without_daily_figures_get_days_derived_from_their_posts,
);
