//! Anomaly detection over stored days: stored once, told once, and only
//! when recent.

use herald_analytics::{AnalyticsError, Direction, Filter, Metric, Period, Platform};
use herald_core::ConnectionId;
use herald_db::testing::TestDb;
use herald_db::{on_both_backends, on_pool};

use crate::helpers::Env;

/// Views around 1,000 a day with a little noise.
fn usual(day: i32) -> i64 {
    1000 + [-30, 45, -10, 20, 0, -40, 55][day.rem_euclid(7) as usize]
}

async fn anomalies_are_stored_once_and_only_recent_ones_notify(t: TestDb) {
    let env = Env::new(t).await;
    let ann = env.user("ann@example.com").await;
    let vi = env.user("vi@example.com").await;
    let ws = env.workspace(&[(ann, "owner"), (vi, "viewer")]).await;
    let conn = env
        .connection(ws, "c-ig", "instagram_business", "Acme IG")
        .await;
    let today = env.today();
    for day in today - 100..today {
        let views = if day == today - 60 {
            9_000
        } else if day == today - 2 {
            150
        } else {
            usual(day)
        };
        env.day(ws, &conn, day, Some(views), Some(40)).await;
    }

    // A 90-day backfill finds the old spike and the recent drop; only the
    // drop, two days old, is told, to each member.
    let new = env
        .analytics
        .detect_anomalies(&conn, today - 90, today - 1)
        .await
        .unwrap();
    assert_eq!(new, 2);
    let told = || env.count("SELECT COUNT(*) FROM notifications WHERE kind = 'analytics_anomaly'");
    assert_eq!(told().await, 2, "one notice per member");
    let (code, params, link): (String, String, String) = on_pool!(&env.t.db, |pool| {
        sqlx::query_as(
            "SELECT code, params, link FROM notifications WHERE kind = 'analytics_anomaly' LIMIT 1",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    });
    assert_eq!(code, "analytics_anomaly");
    let params: serde_json::Value = serde_json::from_str(&params).unwrap();
    assert_eq!(params["direction"]["text"], "drop");
    assert_eq!(params["metric"]["text"], "views");
    assert_eq!(params["value"]["count"], 150);
    assert_eq!(
        link,
        format!("/home/analytics?workspace={}&account=c-ig", ws.0)
    );

    // Again (a retry, the next night): nothing new, nobody told twice.
    let again = env
        .analytics
        .detect_anomalies(&conn, today - 90, today - 1)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(told().await, 2);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_anomalies").await,
        2
    );

    // Listed newest first with their evidence, by the filter's period.
    let auth = env.auth(vi, ws).await;
    let filter = |period| Filter {
        period,
        ..Filter::default()
    };
    let all = env
        .analytics
        .anomalies(&auth, &filter(Period::Quarter))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let (drop, spike) = (&all[0], &all[1]);
    assert_eq!(
        (drop.direction, drop.metric),
        (Direction::Drop, Metric::Views)
    );
    assert_eq!(drop.account_name, "Acme IG");
    assert_eq!(drop.value, 150);
    assert_eq!(drop.median, 1000.0);
    assert!(drop.score <= -3.5 && drop.mad > 0.0);
    assert_eq!(herald_analytics::anomaly::day_number(drop.day), today - 2);
    assert_eq!(spike.direction, Direction::Spike);
    let week = env
        .analytics
        .anomalies(&auth, &filter(Period::Week))
        .await
        .unwrap();
    assert_eq!(week.len(), 1);
    let facebook = Filter {
        platform: Some(Platform::Facebook),
        ..filter(Period::Quarter)
    };
    assert!(
        env.analytics
            .anomalies(&auth, &facebook)
            .await
            .unwrap()
            .is_empty()
    );
    let instagram = Filter {
        platform: Some(Platform::Instagram),
        account: Some(conn.clone()),
        ..filter(Period::Quarter)
    };
    assert_eq!(
        env.analytics
            .anomalies(&auth, &instagram)
            .await
            .unwrap()
            .len(),
        2
    );

    // Another workspace sees none of them.
    let eve = env.user("eve@example.com").await;
    let other = env.workspace(&[(eve, "owner")]).await;
    let eve = env.auth(eve, other).await;
    assert!(
        env.analytics
            .anomalies(&eve, &filter(Period::Quarter))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(matches!(
        env.analytics
            .detect_anomalies(&ConnectionId::from("gone"), today - 7, today - 1)
            .await,
        Err(AnalyticsError::AccountNotFound)
    ));
}

async fn a_small_or_young_account_raises_nothing(t: TestDb) {
    let env = Env::new(t).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    let conn = env.connection(ws, "c-tt", "tiktok_user", "Tiny").await;
    let today = env.today();
    // Two or three views a day, then six: three times as many, and nothing.
    for day in today - 40..today - 1 {
        env.day(ws, &conn, day, Some(2 + i64::from(day % 2)), None)
            .await;
    }
    env.day(ws, &conn, today - 1, Some(6), None).await;
    // A young account: ten days of history and a spike.
    let young = env.connection(ws, "c-yt", "youtube_channel", "Young").await;
    for day in today - 10..today - 1 {
        env.day(ws, &young, day, Some(usual(day)), None).await;
    }
    env.day(ws, &young, today - 1, Some(50_000), None).await;
    for c in [&conn, &young] {
        let n = env
            .analytics
            .detect_anomalies(c, today - 90, today - 1)
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM notifications").await, 0);
}

on_both_backends!(
    anomalies_are_stored_once_and_only_recent_ones_notify,
    a_small_or_young_account_raises_nothing,
);
