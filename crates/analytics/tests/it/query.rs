//! The dashboards' queries on both engines: filters by account and
//! platform, the period before, the heat map in the reader's time zone,
//! and what another workspace, a viewer and bad parameters get.

use std::sync::Arc;

use herald_analytics::{AnalyticsError, Filter, Period, Platform, Rank, Step};
use herald_core::{SignedDuration, Timestamp};
use herald_db::on_both_backends;
use herald_db::testing::TestDb;
use herald_platforms::AccountKind;
use herald_platforms::insights::InsightsReader;

use crate::fixture::{Env, Scripted, day_figures, post};

fn week() -> Filter {
    Filter {
        period: Period::Week,
        ..Filter::default()
    }
}

async fn filters_narrow_and_strangers_see_nothing(t: TestDb) {
    let now: Timestamp = crate::fixture::NOW.parse().unwrap();
    // Posts at 18:00 UTC every other day.
    let page_posts = (0..10)
        .map(|i| {
            post(
                "pg",
                i,
                now.checked_sub(SignedDuration::from_hours(16 + 48 * i))
                    .unwrap(),
            )
        })
        .collect();
    let pages = Arc::new(Scripted::new(AccountKind::FacebookPage, 30, page_posts));
    let channel = Arc::new(Scripted::new(AccountKind::YouTubeChannel, 90, Vec::new()));
    let env = Env::new(
        t,
        vec![
            pages.clone() as Arc<dyn InsightsReader>,
            channel.clone() as Arc<dyn InsightsReader>,
        ],
    )
    .await;
    let ann = env.user("ann@example.com").await;
    let vic = env.user("vic@example.com").await;
    let ws = env.workspace(&[(ann, "owner"), (vic, "viewer")]).await;
    let page = env
        .connection(ws, AccountKind::FacebookPage, "Page", "pg")
        .await;
    let yt = env
        .connection(ws, AccountKind::YouTubeChannel, "Channel", "yt")
        .await;
    let bob = env.user("bob@example.com").await;
    let other = env.workspace(&[(bob, "owner")]).await;
    let theirs = env
        .connection(other, AccountKind::FacebookPage, "Theirs", "theirs")
        .await;
    env.analytics.sweep().await.unwrap();
    for (id, ..) in env.runs().await {
        env.analytics.ingest(id, None).await.unwrap();
    }
    let auth = env.auth(ann, ws).await;

    let all = env.analytics.summary(&auth, &week()).await.unwrap();
    assert_eq!(all.accounts.len(), 2);
    let views = |account: &str| -> i64 {
        (0..7)
            .map(|d| {
                day_figures(
                    account,
                    jiff::civil::date(2026, 12, 7)
                        .checked_sub(jiff::Span::new().days(d))
                        .unwrap(),
                )
                .views
                .unwrap()
            })
            .sum()
    };
    assert_eq!(all.total.views.value, Some(views("pg") + views("yt")));
    let previous: i64 = (7..14)
        .map(|d| {
            day_figures(
                "pg",
                jiff::civil::date(2026, 12, 7)
                    .checked_sub(jiff::Span::new().days(d))
                    .unwrap(),
            )
            .views
            .unwrap()
        })
        .sum();
    let only_page = env
        .analytics
        .summary(
            &auth,
            &Filter {
                account: Some(page.clone()),
                ..week()
            },
        )
        .await
        .unwrap();
    assert_eq!(only_page.accounts.len(), 1);
    assert_eq!(only_page.total.views.value, Some(views("pg")));
    assert_eq!(only_page.total.views.previous, Some(previous));
    // 12-06, 12-04 and 12-02 at 18:00 (the week is 12-01 to 12-07).
    assert_eq!(only_page.total.posts.value, Some(3));
    let rate = only_page.total.engagement_rate.value.unwrap();
    let engagements = only_page.total.engagements.value.unwrap();
    assert!((rate - engagements as f64 / views("pg") as f64).abs() < 1e-9);

    let youtube = env
        .analytics
        .summary(
            &auth,
            &Filter {
                platform: Some(Platform::YouTube),
                ..week()
            },
        )
        .await
        .unwrap();
    assert_eq!(youtube.accounts.len(), 1);
    assert_eq!(youtube.accounts[0].connection_id, yt);

    // Growth: the overall line first, a line per account; a day each.
    let growth = env.analytics.growth(&auth, &week()).await.unwrap();
    assert_eq!(growth.len(), 3);
    assert_eq!(growth[0].points.len(), 7);
    assert_eq!(
        growth[0].points[6].views,
        Some(
            day_figures("pg", jiff::civil::date(2026, 12, 7))
                .views
                .unwrap()
                + day_figures("yt", jiff::civil::date(2026, 12, 7))
                    .views
                    .unwrap()
        )
    );

    let funnel = env.analytics.funnel(&auth, &week()).await.unwrap();
    assert_eq!(funnel[0].step, Step::Views);
    assert_eq!(funnel[0].value, all.total.views.value);
    assert_eq!(funnel[1].value, all.total.engagements.value);

    // The heat map in Berlin: 18:00 UTC is 19:00 there in December.
    let times = env
        .analytics
        .best_times(
            &auth,
            &Filter {
                period: Period::Month,
                ..Filter::default()
            },
            "Europe/Berlin",
        )
        .await
        .unwrap();
    assert_eq!(times.posts, 10);
    assert!(times.slots.iter().all(|s| s.hour == 19));
    assert_eq!(
        times.slots.iter().map(|s| s.posts).sum::<u32>(),
        10,
        "every post in one slot of its weekday"
    );

    let platforms = env.analytics.platforms(&auth, &week()).await.unwrap();
    assert_eq!(
        platforms.iter().map(|p| p.platform).collect::<Vec<_>>(),
        [Platform::Facebook, Platform::YouTube]
    );

    // Another workspace's account is not found here, and never listed.
    let err = env
        .analytics
        .summary(
            &auth,
            &Filter {
                account: Some(theirs.clone()),
                ..week()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AnalyticsError::AccountNotFound));
    let theirs_auth = env.auth(bob, other).await;
    let their_view = env.analytics.summary(&theirs_auth, &week()).await.unwrap();
    assert_eq!(their_view.accounts.len(), 1);
    assert_eq!(their_view.accounts[0].connection_id, theirs);
    let their_runs = env.analytics.runs(&theirs_auth, 10).await.unwrap();
    assert!(their_runs.iter().all(|r| r.connection_id == theirs));
    let their_posts = env
        .analytics
        .posts(&theirs_auth, &week(), Rank::Newest, 10)
        .await
        .unwrap();
    assert!(!their_posts.top.is_empty());
    // Ranked by engagement rate: best first, worst first, no post twice.
    let by_rate = env
        .analytics
        .posts(
            &auth,
            &Filter {
                period: Period::Month,
                ..Filter::default()
            },
            Rank::EngagementRate,
            3,
        )
        .await
        .unwrap();
    assert_eq!(by_rate.top.len(), 3);
    assert!(by_rate.top[0].engagement_rate >= by_rate.top[1].engagement_rate);
    assert!(by_rate.bottom[0].engagement_rate <= by_rate.bottom[1].engagement_rate);
    assert!(by_rate.bottom[0].engagement_rate < by_rate.top[2].engagement_rate);
    assert!(
        their_posts
            .top
            .iter()
            .chain(&their_posts.bottom)
            .all(|p| p.connection_id == theirs)
    );

    // A viewer reads but may not refresh.
    let viewer = env.auth(vic, ws).await;
    assert!(env.analytics.summary(&viewer, &week()).await.is_ok());
    let err = env.analytics.refresh(&viewer, None).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");

    // Bad parameters are refused with the field.
    let err = env
        .analytics
        .best_times(&auth, &week(), "Mars/Olympus")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AnalyticsError::Invalid {
            field: "time_zone",
            ..
        }
    ));
    for limit in [0, 101] {
        let err = env
            .analytics
            .posts(&auth, &week(), Rank::Views, limit)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            AnalyticsError::Invalid { field: "limit", .. }
        ));
    }
    let err = env
        .analytics
        .posts(
            &auth,
            &Filter {
                pillar: Some(herald_core::PillarId(424_242)),
                ..week()
            },
            Rank::Views,
            5,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AnalyticsError::PillarNotFound));
    let _ = page;
}

on_both_backends!(filters_narrow_and_strangers_see_nothing);
