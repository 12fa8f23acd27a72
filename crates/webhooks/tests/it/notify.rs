//! Notifications raised by deliveries on both engines: each person's
//! preferences (or the defaults) decide who hears of what, reading marks
//! them read, and each person keeps a bounded number.

use herald_db::on_both_backends;
use herald_db::on_pool;
use herald_db::testing::TestDb;
use herald_notify::{KEEP_PER_USER, Notice, NoticeParam, NotificationKind};
use serde_json::json;

use crate::fixtures::{Env, ig_comment, instagram};

async fn preferences_decide_who_hears_of_what(t: TestDb) {
    let env = Env::new(t).await;
    let ada = env.user("ada@example.com", "Ada").await;
    let bo = env.user("bo@example.com", "Bo").await;
    let cy = env.user("cy@example.com", "Cy").await;
    let ws = env.workspace("Acme", &[ada, bo, cy]).await;
    let other = env.workspace("Other", &[bo]).await;
    env.connect(
        ws,
        "facebook",
        "instagram_business",
        "ig-1",
        "fb-1",
        "Acme IG",
    )
    .await;

    // Defaults: everything but story insights.
    let defaults = env
        .notifications
        .preferences(&env.auth(bo, ws).await)
        .await
        .unwrap();
    assert_eq!(defaults.len(), NotificationKind::ALL.len());
    for (kind, enabled) in &defaults {
        assert_eq!(
            *enabled,
            *kind != NotificationKind::StoryInsights,
            "{kind:?}"
        );
    }
    // Bo mutes comments in Acme (only there); Cy wants story insights.
    env.notifications
        .set_preferences(
            &env.auth(bo, ws).await,
            &[(NotificationKind::Comment, false)],
        )
        .await
        .unwrap();
    env.notifications
        .set_preferences(
            &env.auth(cy, ws).await,
            &[
                (NotificationKind::StoryInsights, true),
                (NotificationKind::Mention, true),
            ],
        )
        .await
        .unwrap();
    // Changing one kind twice keeps the last choice and leaves others.
    env.notifications
        .set_preferences(
            &env.auth(cy, ws).await,
            &[(NotificationKind::StoryInsights, false)],
        )
        .await
        .unwrap();
    env.notifications
        .set_preferences(
            &env.auth(cy, ws).await,
            &[(NotificationKind::StoryInsights, true)],
        )
        .await
        .unwrap();
    let bo_prefs = env
        .notifications
        .preferences(&env.auth(bo, ws).await)
        .await
        .unwrap();
    assert!(bo_prefs.contains(&(NotificationKind::Comment, false)));
    assert!(bo_prefs.contains(&(NotificationKind::Mention, true)));
    assert!(
        env.notifications
            .preferences(&env.auth(bo, other).await)
            .await
            .unwrap()
            .contains(&(NotificationKind::Comment, true))
    );

    env.post(&instagram(&[(
        "ig-1",
        vec![
            ig_comment("c-1", "Love it", "ana"),
            json!({"field": "story_insights", "value": {"media_id": "s-1", "reach": 4}}),
        ],
    )]))
    .await
    .unwrap();
    env.run_jobs().await;

    let kinds = |person| {
        let notifications = env.notifications.clone();
        let auth = env.auth(person, ws);
        async move {
            let mut kinds: Vec<NotificationKind> = notifications
                .list(&auth.await, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.kind)
                .collect();
            kinds.sort();
            kinds
        }
    };
    assert_eq!(kinds(ada).await, [NotificationKind::Comment]);
    assert_eq!(kinds(bo).await, []);
    assert_eq!(
        kinds(cy).await,
        [NotificationKind::Comment, NotificationKind::StoryInsights]
    );
    let ada_notices = env
        .notifications
        .list(&env.auth(ada, ws).await, 50)
        .await
        .unwrap();
    assert_eq!(
        ada_notices[0].notice,
        Some(Notice::new(
            "comment",
            [
                ("account", "Acme IG".into()),
                ("count", NoticeParam::Count(1)),
                ("author", "ana".into()),
                ("author_kind", "handle".into()),
                ("quote", "Love it".into()),
                ("quote_kind", "some".into()),
            ]
        ))
    );
    assert!(ada_notices[0].text.is_empty(), "no sentence is stored");
    assert!(!ada_notices[0].read);
    // Nothing leaks into Bo's other workspace.
    assert!(
        env.notifications
            .list(&env.auth(bo, other).await, 50)
            .await
            .unwrap()
            .is_empty()
    );

    // Reading.
    assert_eq!(
        env.notifications
            .unread_count(&env.auth(cy, ws).await)
            .await
            .unwrap(),
        2
    );
    env.notifications
        .mark_all_read(&env.auth(cy, ws).await)
        .await
        .unwrap();
    assert_eq!(
        env.notifications
            .unread_count(&env.auth(cy, ws).await)
            .await
            .unwrap(),
        0
    );
    assert!(
        env.notifications
            .list(&env.auth(cy, ws).await, 50)
            .await
            .unwrap()
            .iter()
            .all(|n| n.read)
    );
    assert_eq!(
        env.notifications
            .unread_count(&env.auth(ada, ws).await)
            .await
            .unwrap(),
        1
    );
}

async fn each_person_keeps_only_the_newest_notifications(t: TestDb) {
    let env = Env::new(t).await;
    let ada = env.user("ada@example.com", "Ada").await;
    let bo = env.user("bo@example.com", "Bo").await;
    let ws = env.workspace("Acme", &[ada, bo]).await;
    env.connect(
        ws,
        "facebook",
        "instagram_business",
        "ig-1",
        "fb-1",
        "Acme IG",
    )
    .await;
    // Ada already has a full inbox of old notices; Bo has three.
    for (user, n) in [(ada, KEEP_PER_USER + 40), (bo, 3)] {
        for i in 0..n {
            on_pool!(env.db(), |pool| {
                sqlx::query(
                    "INSERT INTO notifications (user_id, workspace_id, kind, text, created_at) \
                     VALUES ($1, $2, 'mention', $3, 0)",
                )
                .bind(user.0)
                .bind(ws.0)
                .bind(format!("old {i}"))
                .execute(pool)
                .await
                .unwrap();
            });
        }
    }
    env.post(&instagram(&[(
        "ig-1",
        vec![ig_comment("c-1", "new", "ana")],
    )]))
    .await
    .unwrap();
    env.run_jobs().await;

    let db = env.db().clone();
    let count = |user: herald_core::UserId| {
        let db = db.clone();
        async move {
            let n: i64 = on_pool!(&db, |pool| {
                sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
                    .bind(user.0)
                    .fetch_one(pool)
                    .await
                    .unwrap()
            });
            n
        }
    };
    assert_eq!(count(ada).await, KEEP_PER_USER);
    assert_eq!(count(bo).await, 4);
    // The newest are kept: the new one first, then the latest old ones.
    let listed = env
        .notifications
        .list(&env.auth(ada, ws).await, 3)
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0].kind, NotificationKind::Comment);
    // Notices from before codes were stored keep their text.
    assert_eq!(listed[1].notice, None);
    assert_eq!(listed[1].text, format!("old {}", KEEP_PER_USER + 39));
    assert_eq!(listed[2].text, format!("old {}", KEEP_PER_USER + 38));
}

on_both_backends!(
    preferences_decide_who_hears_of_what,
    each_person_keeps_only_the_newest_notifications,
);
