//! The guides seed as a repeatable, versioned migration, and reading
//! guides by language and signal.

use herald_analytics::guides::{GUIDES, SeedFile, apply_seed, apply_seed_file};
use herald_analytics::{AnalyticsError, Signal};
use herald_db::on_both_backends;
use herald_db::testing::TestDb;

use crate::helpers::Env;

async fn the_guides_seed_is_applied_once_and_never_rolled_back(t: TestDb) {
    let env = Env::new(t).await;
    let db = &env.t.db;
    let shipped = SeedFile::shipped().unwrap();
    let rows = env.count("SELECT COUNT(*) FROM analytics_guides").await;
    assert_eq!(
        rows,
        2 * shipped.guides.len() as i64,
        "every guide in both languages"
    );
    let version = env
        .count("SELECT version FROM analytics_seed WHERE name = 'guides'")
        .await;
    assert_eq!(version, shipped.version);

    // The same file again, at start or directly: nothing is written.
    apply_seed(db, env.now()).await.unwrap();
    let again = apply_seed_file(db, &shipped, &SeedFile::checksum(GUIDES), env.now())
        .await
        .unwrap();
    assert!(!again.applied);

    // A newer file: one guide retitled in English, one dropped.
    let mut newer = shipped.clone();
    newer.version += 1;
    newer.guides[0].en.title = "Filming with a phone, revised".into();
    let dropped = newer.guides.pop().unwrap().slug;
    let done = apply_seed_file(db, &newer, "newer", env.now())
        .await
        .unwrap();
    assert!(done.applied);
    assert_eq!((done.added, done.updated, done.retired), (0, 1, 2));
    let first = &newer.guides[0].slug;
    assert_eq!(
        env.analytics.guide(first, "en").await.unwrap().title,
        "Filming with a phone, revised"
    );
    assert!(matches!(
        env.analytics.guide(&dropped, "en").await,
        Err(AnalyticsError::GuideNotFound)
    ));
    assert!(
        env.analytics
            .guides("de", None)
            .await
            .unwrap()
            .iter()
            .all(|g| g.slug != dropped),
        "a retired guide is not listed"
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM analytics_guides").await,
        2 * shipped.guides.len() as i64,
        "retired, not deleted"
    );

    // An older build starting again leaves the newer guides alone.
    let older = apply_seed_file(db, &shipped, &SeedFile::checksum(GUIDES), env.now())
        .await
        .unwrap();
    assert!(!older.applied);
    assert!(env.analytics.guide(&dropped, "en").await.is_err());
    let version = env
        .count("SELECT version FROM analytics_seed WHERE name = 'guides'")
        .await;
    assert_eq!(version, newer.version);

    // The dropped guide shipped again comes back to life.
    let mut revived = shipped.clone();
    revived.version = newer.version + 1;
    let back = apply_seed_file(db, &revived, "revived", env.now())
        .await
        .unwrap();
    assert_eq!(
        (back.updated, back.retired),
        (3, 0),
        "two revived, one retitled back"
    );
    assert!(env.analytics.guide(&dropped, "en").await.is_ok());
}

async fn guides_are_read_in_the_readers_language_with_english_as_fallback(t: TestDb) {
    let env = Env::new(t).await;
    let shipped = SeedFile::shipped().unwrap();
    let de = env.analytics.guides("de-DE", None).await.unwrap();
    assert_eq!(de.len(), shipped.guides.len());
    assert!(de.iter().all(|g| g.locale == "de"));
    // By topic in the hub's order.
    let topics: Vec<&str> = de.iter().map(|g| g.topic.as_str()).collect();
    assert_eq!(topics.first(), Some(&"filming"));
    assert_eq!(topics.last(), Some(&"analytics"));
    let en = env
        .analytics
        .guides("fr", Some(Signal::Anomaly))
        .await
        .unwrap();
    assert!(!en.is_empty());
    assert!(
        en.iter()
            .all(|g| g.locale == "en" && g.signals.contains(&Signal::Anomaly))
    );
    let g = env.analytics.guide("unusual-days", "de").await.unwrap();
    assert_eq!(g.locale, "de");
    assert!(g.body.contains("Median"));
    assert!(g.minutes >= 1);

    // A guide without its German text is read in English.
    herald_db::on_pool!(&env.t.db, |pool| {
        sqlx::query("DELETE FROM analytics_guides WHERE slug = 'unusual-days' AND locale = 'de'")
            .execute(pool)
            .await
            .unwrap();
    });
    let g = env.analytics.guide("unusual-days", "de").await.unwrap();
    assert_eq!(g.locale, "en");
    let de = env.analytics.guides("de", None).await.unwrap();
    assert_eq!(de.len(), shipped.guides.len());
    assert_eq!(de.iter().filter(|g| g.locale == "en").count(), 1);
    assert!(matches!(
        env.analytics.guide("no-such-guide", "en").await,
        Err(AnalyticsError::GuideNotFound)
    ));
}

on_both_backends!(
    the_guides_seed_is_applied_once_and_never_rolled_back,
    guides_are_read_in_the_readers_language_with_english_as_fallback,
);
