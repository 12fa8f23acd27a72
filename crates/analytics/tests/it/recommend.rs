//! Recommendations from a workspace's own data and plan, and settling them
//! until their signal changes.

use std::collections::BTreeMap;

use herald_analytics::{AnalyticsError, NextStep, Outcome, Recommendation, Signal};
use herald_core::SignedDuration;
use herald_db::testing::TestDb;
use herald_db::{on_both_backends, on_pool};
use herald_studio::{Cadence, Format, NewDraft, Platform as StudioPlatform};

use crate::helpers::Env;

fn find<'a>(recs: &'a [Recommendation], key: &str) -> Option<&'a Recommendation> {
    recs.iter().find(|r| r.key == key)
}

async fn recommendations_read_the_workspace_and_stay_away_once_settled(t: TestDb) {
    let env = Env::new(t).await;
    let ann = env.user("ann@example.com").await;
    let vi = env.user("vi@example.com").await;
    let ws = env.workspace(&[(ann, "editor"), (vi, "viewer")]).await;
    let (ann_a, vi_a) = (env.auth(ann, ws).await, env.auth(vi, ws).await);

    // Two pillars made a month ago; a plan of three Instagram posts a week.
    let recipes = env.studio.add_pillar(&ann_a, "Recipes", "").await.unwrap();
    let team = env.studio.add_pillar(&ann_a, "Team", "").await.unwrap();
    env.studio
        .set_cadence_plan(
            &ann_a,
            None,
            Some(&Cadence {
                per_week: BTreeMap::from([(StudioPlatform::Instagram, 3)]),
                days: vec!["mon".into()],
                times: vec!["09:00".into()],
            }),
        )
        .await
        .unwrap();
    env.clock.advance(SignedDuration::from_hours(24 * 30));
    assert!(
        env.analytics
            .recommendations(&vi_a, "Europe/Berlin")
            .await
            .unwrap()
            .iter()
            .all(|r| r.signal != Signal::CadenceBelowPlan),
        "no Instagram account yet: no plan to keep"
    );
    let ig = env
        .connection(ws, "c-ig", "instagram_business", "Acme IG")
        .await;

    // Two posts this week, one a week ago from a Team draft; a reel 40
    // days ago, never a carousel.
    env.post(ws, &ig, "m1", None, env.days_ago(1), "image", 1000, 50)
        .await;
    let draft = env
        .studio
        .create_draft(
            &ann_a,
            &NewDraft {
                title: Some("Meet the bakers".into()),
                content: None,
                format: Some(Format::Caption),
                template_id: None,
                pillar_id: Some(team.id),
                platform: None,
                tone: None,
            },
        )
        .await
        .unwrap();
    let post = env.herald_post(ws, "p-team").await;
    env.studio.link_post(&ann_a, draft.id, &post).await.unwrap();
    env.post(
        ws,
        &ig,
        "m2",
        Some("p-team"),
        env.days_ago(3),
        "image",
        1000,
        60,
    )
    .await;
    env.post(ws, &ig, "m3", None, env.days_ago(40), "reel", 3000, 200)
        .await;

    let recs = env
        .analytics
        .recommendations(&vi_a, "Europe/Berlin")
        .await
        .unwrap();
    let keys: Vec<&str> = recs.iter().map(|r| r.key.as_str()).collect();
    let pillar_key = format!("pillar_neglected:{}", recipes.id);
    assert_eq!(
        keys,
        [
            "cadence_below_plan:instagram",
            "format_unused:instagram:carousel",
            "format_unused:instagram:reel",
            pillar_key.as_str(),
        ],
        "the Team pillar had a post three days ago"
    );
    let cadence = &recs[0];
    assert_eq!(
        (
            cadence.evidence["planned"].as_str(),
            cadence.evidence["posted"].as_str()
        ),
        ("3", "2")
    );
    assert_eq!(cadence.guide.as_deref(), Some("planning-a-cadence"));
    assert_eq!(
        cadence.next,
        NextStep::Compose {
            at: None,
            account: Some(ig.clone())
        }
    );
    let reel = find(&recs, "format_unused:instagram:reel").unwrap();
    assert_eq!(reel.evidence["days"], "40");
    assert_eq!(reel.guide.as_deref(), Some("instagram-reels-and-carousels"));
    assert_eq!(
        reel.next,
        NextStep::Templates {
            format: Some("script".into()),
            pillar: None
        }
    );
    let pillar = find(&recs, &pillar_key).unwrap();
    assert_eq!(pillar.evidence["pillar"], "Recipes");
    assert_eq!(pillar.evidence["used"], "never");
    assert_eq!(pillar.guide.as_deref(), Some("content-pillars"));

    // Settling: members who may draft; a key that is not recommended, a
    // malformed fingerprint or a viewer change nothing.
    assert!(matches!(
        env.analytics
            .settle_recommendation(&vi_a, &reel.key, &reel.fingerprint, Outcome::Dismissed)
            .await,
        Err(AnalyticsError::Access(_))
    ));
    assert!(matches!(
        env.analytics
            .settle_recommendation(
                &ann_a,
                "format_unused:tiktok:video",
                &reel.fingerprint,
                Outcome::Done
            )
            .await,
        Err(AnalyticsError::RecommendationNotFound)
    ));
    assert!(matches!(
        env.analytics
            .settle_recommendation(&ann_a, &reel.key, "not hex!", Outcome::Done)
            .await,
        Err(AnalyticsError::Invalid {
            field: "fingerprint",
            ..
        })
    ));
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_recommendation_states")
            .await,
        0
    );
    env.analytics
        .settle_recommendation(&ann_a, &reel.key, &reel.fingerprint, Outcome::Dismissed)
        .await
        .unwrap();
    env.analytics
        .settle_recommendation(&ann_a, &pillar.key, &pillar.fingerprint, Outcome::Done)
        .await
        .unwrap();
    let left = env.analytics.recommendations(&vi_a, "UTC").await.unwrap();
    assert!(find(&left, &reel.key).is_none() && find(&left, &pillar.key).is_none());
    assert_eq!(left.len(), 2);

    // A day later the evidence is the same: still away.
    env.clock.advance(SignedDuration::from_hours(24));
    let later = env.analytics.recommendations(&vi_a, "UTC").await.unwrap();
    assert!(find(&later, &reel.key).is_none());

    // A reel 25 days ago: still unused for three weeks, but a new signal.
    env.post(ws, &ig, "m4", None, env.days_ago(25), "reel", 3000, 100)
        .await;
    let back = env.analytics.recommendations(&vi_a, "UTC").await.unwrap();
    let again = find(&back, &reel.key).expect("the changed signal comes back");
    assert_ne!(again.fingerprint, reel.fingerprint);
    assert_eq!(again.evidence["days"], "25");
    // Settling it again replaces the state.
    env.analytics
        .settle_recommendation(&ann_a, &again.key, &again.fingerprint, Outcome::Done)
        .await
        .unwrap();
    let (state, n): (String, i64) = on_pool!(&env.t.db, |pool| {
        sqlx::query_as(
            "SELECT MAX(state), COUNT(*) FROM analytics_recommendation_states WHERE key = $1",
        )
        .bind(&reel.key)
        .fetch_one(pool)
        .await
        .unwrap()
    });
    assert_eq!((state.as_str(), n), ("done", 1));

    // Another workspace sees none of this, and cannot settle it.
    let eve = env.user("eve@example.com").await;
    let other = env.workspace(&[(eve, "owner")]).await;
    let eve = env.auth(eve, other).await;
    assert!(
        env.analytics
            .recommendations(&eve, "UTC")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        env.analytics
            .settle_recommendation(&eve, &cadence.key, &cadence.fingerprint, Outcome::Done)
            .await,
        Err(AnalyticsError::RecommendationNotFound)
    ));
    assert!(matches!(
        env.analytics.recommendations(&vi_a, "Mars/Olympus").await,
        Err(AnalyticsError::Invalid {
            field: "time_zone",
            ..
        })
    ));
}

async fn falling_engagement_and_drops_point_to_the_dashboard(t: TestDb) {
    let env = Env::new(t).await;
    let ann = env.user("ann@example.com").await;
    let ws = env.workspace(&[(ann, "owner")]).await;
    let auth = env.auth(ann, ws).await;
    let ig = env
        .connection(ws, "c-ig", "instagram_business", "Acme IG")
        .await;
    let today = env.today();
    // 5 % of views engaged the 30 days before; 3 % the last 30.
    for day in today - 60..today {
        let engagements = if day >= today - 30 { 30 } else { 50 };
        env.day(ws, &ig, day, Some(1000), Some(engagements)).await;
    }
    on_pool!(&env.t.db, |pool| {
        sqlx::query(
            "INSERT INTO analytics_anomalies (workspace_id, connection_id, metric, day, direction, \
             value, median, mad, score, created_at) VALUES ($1, 'c-ig', 'reach', $2, 'drop', 40, 900.0, 30.0, -19.3, 0)",
        )
        .bind(ws)
        .bind(today - 3)
        .execute(pool)
        .await
        .unwrap();
    });
    let recs = env.analytics.recommendations(&auth, "UTC").await.unwrap();
    let keys: Vec<&str> = recs.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["anomaly:c-ig:reach", "engagement_falling:c-ig"]);
    let drop = &recs[0];
    assert_eq!(drop.evidence["metric"], "reach");
    assert_eq!(drop.evidence["value"], "40");
    assert_eq!(drop.guide.as_deref(), Some("unusual-days"));
    let falling = &recs[1];
    assert_eq!(falling.evidence["rate"], "3.0");
    assert_eq!(falling.evidence["previous"], "5.0");
    assert_eq!(falling.evidence["change"], "40");
    assert_eq!(falling.guide.as_deref(), Some("hooks-first-seconds"));
    for r in &recs {
        assert_eq!(
            r.next,
            NextStep::Dashboard {
                account: Some(ig.clone())
            }
        );
    }
}

on_both_backends!(
    recommendations_read_the_workspace_and_stay_away_once_settled,
    falling_engagement_and_drops_point_to_the_dashboard,
);
