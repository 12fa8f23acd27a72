//! The Meta insights readers against the simulators: Pages, Instagram
//! through Facebook Login and through Instagram Login. Figures equal what
//! the sandbox says it reports, reading a day twice gives the same facts,
//! every HTTP call is cleared with the pacer, and platform errors arrive
//! classified.

use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use herald_core::{SignedDuration, Timestamp};
use herald_platforms::insights::graph::FacebookPageInsights;
use herald_platforms::insights::instagram::InstagramInsights;
use herald_platforms::insights::{InsightsAccount, InsightsReader, Pacer, Readers, Unpaced};
use herald_platforms::publish::instagram::{InstagramApi, InstagramPublisher};
use herald_platforms::{
    AccountKind, Call, ErrorKind, Method, PlatformsConfig, PostFormat, ProviderId, PublishRequest,
};
use herald_sandbox::{FaultKind, MetaSurface};
use jiff::civil::Date;

use crate::helpers::*;
use crate::publishing::*;

/// Counts the calls it clears.
#[derive(Default)]
struct CountingPacer {
    cleared: AtomicU32,
}

#[async_trait]
impl Pacer for CountingPacer {
    async fn clear(&self, _kind: AccountKind, _account: &str) -> Result<(), Timestamp> {
        self.cleared.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

impl CountingPacer {
    fn cleared(&self) -> u32 {
        self.cleared.load(Ordering::SeqCst)
    }
}

/// Says no call may go before `until`.
struct Closed {
    until: Timestamp,
}

#[async_trait]
impl Pacer for Closed {
    async fn clear(&self, _kind: AccountKind, _account: &str) -> Result<(), Timestamp> {
        Err(self.until)
    }
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// The account of `kind` from a fresh connection as `user` (with `extra`
/// scopes, or without those written `-scope`).
async fn account(env: &Env, kind: AccountKind, user: &str, extra: &[&str]) -> InsightsAccount {
    let provider = match kind {
        AccountKind::InstagramAccount => ProviderId::Instagram,
        _ => ProviderId::Facebook,
    };
    let grant = env.connect_as(provider, user, extra).await;
    let candidate = grant
        .accounts
        .into_iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in the grant"));
    InsightsAccount {
        kind,
        account_id: candidate.remote_id,
        access_token: candidate.credentials.access_token,
    }
}

fn pages(env: &Env) -> FacebookPageInsights {
    FacebookPageInsights::new(env.hosts(), env.client.clone())
}

fn instagram(env: &Env, api: InstagramApi) -> InstagramInsights {
    InstagramInsights::new(env.hosts(), api, env.client.clone())
}

#[tokio::test]
async fn readers_are_registered_for_every_meta_account_kind() {
    let env = Env::start().await;
    let c = env.sandbox.config();
    let app = |creds: &herald_sandbox::AppCredentials| herald_platforms::AppConfig {
        client_id: creds.client_id.clone(),
        client_secret: herald_platforms::Secret::new(creds.client_secret.clone()),
        hosts: env.hosts(),
    };
    let readers = Readers::new(
        &PlatformsConfig {
            facebook: Some(app(&c.meta)),
            instagram: Some(app(&c.instagram)),
            ..PlatformsConfig::default()
        },
        &env.client,
    );
    for kind in [
        AccountKind::FacebookPage,
        AccountKind::InstagramBusiness,
        AccountKind::InstagramAccount,
    ] {
        let reader = readers.get(kind).unwrap_or_else(|| panic!("{kind:?}"));
        assert_eq!(reader.kind(), kind);
        assert!(reader.pace().account.calls < 200);
    }
    let page = readers.get(AccountKind::FacebookPage).unwrap();
    assert_eq!((page.max_days(), page.lag_days()), (90, 1));
    let ig = readers.get(AccountKind::InstagramBusiness).unwrap();
    assert_eq!((ig.max_days(), ig.lag_days()), (30, 2));
}

#[tokio::test]
async fn page_days_match_the_simulator_and_reading_again_changes_nothing() {
    let env = Env::start().await;
    let page = account(&env, AccountKind::FacebookPage, "demo", &[]).await;
    let reader = pages(&env);
    let pacer = CountingPacer::default();
    let from = date("2025-10-03");
    let to = date("2025-12-31");
    let fetched = reader.account_days(&page, from, to, &pacer).await.unwrap();
    assert_eq!(fetched.calls, 1);
    assert_eq!(pacer.cleared(), 1);
    let days = &fetched.value;
    assert_eq!(days.len(), 90);
    assert_eq!(days[0].day, from);
    assert_eq!(days[89].day, to);
    for d in [&days[0], &days[45], &days[89]] {
        let expected = env
            .sandbox
            .meta_account_day(MetaSurface::Page, &page.account_id, d.day);
        assert_eq!(d.facts.raw.len(), 6);
        for (name, value) in &d.facts.raw {
            assert_eq!(Some(value), expected.get(name), "{name} on {}", d.day);
        }
        let n = d.facts.normalized;
        assert_eq!(n.views, Some(expected["page_media_view"]));
        assert_eq!(n.reach, Some(expected["page_total_media_view_unique"]));
        assert_eq!(n.engagements, Some(expected["page_post_engagements"]));
        assert_eq!(n.follows, Some(expected["page_daily_follows"]));
        assert_eq!(n.unfollows, Some(expected["page_daily_unfollows_unique"]));
        assert_eq!(n.followers, Some(expected["page_follows"]));
    }
    // Same days, read again later the same day and a week later.
    env.advance(SignedDuration::from_hours(9));
    let again = reader
        .account_days(&page, from, to, &Unpaced)
        .await
        .unwrap();
    assert_eq!(again.value, fetched.value);
    env.advance(SignedDuration::from_hours(24 * 7));
    let later = reader
        .account_days(&page, from, to, &Unpaced)
        .await
        .unwrap();
    assert_eq!(later.value, fetched.value);
    // Today is not reported; more than 90 days is not asked.
    let today = reader
        .account_days(&page, date("2026-01-08"), date("2026-01-08"), &Unpaced)
        .await
        .unwrap();
    assert!(today.value.is_empty());
    let too_long = reader
        .account_days(&page, date("2025-01-01"), to, &Unpaced)
        .await
        .unwrap_err();
    assert_eq!(too_long.kind, ErrorKind::BadRequest);
}

#[tokio::test]
async fn page_snapshot_and_posts_match_the_simulator_page_by_page() {
    let env = Env::start().await;
    let page = account(&env, AccountKind::FacebookPage, "demo", &[]).await;
    let reader = pages(&env);
    let snapshot = reader.snapshot(&page, &Unpaced).await.unwrap();
    assert_eq!(
        snapshot.value.normalized.followers,
        Some(
            env.sandbox
                .meta_followers(MetaSurface::Page, &page.account_id)
        )
    );
    assert!(snapshot.value.raw["fan_count"] >= 100);

    let since = env.now() - SignedDuration::from_hours(24 * 90);
    let expected: Vec<_> = env
        .sandbox
        .meta_posts(MetaSurface::Page, &page.account_id)
        .into_iter()
        .filter(|p| p.published_at >= since)
        .collect();
    let pacer = CountingPacer::default();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages_read = 0;
    loop {
        let fetched = reader
            .posts(&page, since, cursor.as_deref(), &pacer)
            .await
            .unwrap();
        assert_eq!(fetched.calls as usize, 1 + fetched.value.posts.len());
        pages_read += 1;
        seen.extend(fetched.value.posts);
        match fetched.value.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages_read, expected.len().div_ceil(25));
    assert_eq!(pacer.cleared() as usize, pages_read + seen.len());
    assert_eq!(
        seen.iter().map(|p| p.remote_id.clone()).collect::<Vec<_>>(),
        expected.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
    );
    for (post, listed) in seen.iter().zip(&expected).take(10) {
        assert_eq!(post.published_at, Some(listed.published_at));
        assert_eq!(post.permalink.as_deref(), Some(listed.permalink.as_str()));
        assert_eq!(post.format.as_deref(), Some(listed.kind.as_str()));
        let insights = env
            .sandbox
            .meta_post_insights(MetaSurface::Page, &page.account_id, &post.remote_id)
            .unwrap();
        for (name, value) in &post.facts.raw {
            if let Some(e) = insights.get(name) {
                assert_eq!(value, e, "{name}");
            }
        }
        let n = post.facts.normalized;
        assert_eq!(n.views, Some(insights["post_media_view"]));
        assert_eq!(n.reach, Some(insights["post_total_media_view_unique"]));
        let reactions: i64 = insights
            .iter()
            .filter(|(k, _)| k.starts_with("post_reactions_by_type_total:"))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(n.likes, Some(reactions));
        assert_eq!(
            n.engagements,
            Some(reactions + n.comments.unwrap() + n.shares.unwrap())
        );
    }
}

#[tokio::test]
async fn instagram_days_match_the_simulator_with_one_pacer_clearance_per_call() {
    let env = Env::start().await;
    let ig = account(&env, AccountKind::InstagramBusiness, "demo", &[]).await;
    let reader = instagram(&env, InstagramApi::FacebookLogin);
    let pacer = CountingPacer::default();
    // The last four days: the last two not (fully) reported yet.
    let fetched = reader
        .account_days(&ig, date("2025-12-28"), date("2026-01-01"), &pacer)
        .await
        .unwrap();
    // Two calls per reported day (totals, follows), one for the day not
    // reported at all, one for follower_count.
    let days = &fetched.value;
    assert_eq!(
        days.iter().map(|d| d.day.to_string()).collect::<Vec<_>>(),
        ["2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31"]
    );
    assert_eq!(fetched.calls, 4 * 2 + 1 + 1);
    assert_eq!(pacer.cleared(), fetched.calls);
    for d in days {
        let expected = env
            .sandbox
            .meta_account_day(MetaSurface::Instagram, &ig.account_id, d.day);
        assert_eq!(d.facts.raw, expected, "{}", d.day);
        let n = d.facts.normalized;
        assert_eq!(n.views, Some(expected["views"]));
        assert_eq!(n.engagements, Some(expected["total_interactions"]));
        assert_eq!(n.follows, Some(expected["follows_and_unfollows:FOLLOWER"]));
        assert_eq!(
            n.unfollows,
            Some(expected["follows_and_unfollows:NON_FOLLOWER"])
        );
        assert_eq!(n.profile_actions, Some(expected["profile_links_taps"]));
        assert_eq!(n.followers, None);
    }
    // The last complete day reads the same days later.
    env.advance(SignedDuration::from_hours(24 * 3));
    let later = reader
        .account_days(&ig, date("2025-12-30"), date("2025-12-30"), &Unpaced)
        .await
        .unwrap();
    assert_eq!(later.value[0], days[2]);
}

#[tokio::test]
async fn instagram_posts_carry_the_metrics_of_their_product_type() {
    let env = Env::start().await;
    let ig = account(&env, AccountKind::InstagramBusiness, "demo", &[]).await;
    let reader = instagram(&env, InstagramApi::FacebookLogin);
    let since = env.now() - SignedDuration::from_hours(24 * 30);
    let pacer = CountingPacer::default();
    let fetched = reader.posts(&ig, since, None, &pacer).await.unwrap();
    let page = fetched.value;
    // A month of history fits one page: list, stories, one call per post.
    assert_eq!(page.next, None);
    assert_eq!(fetched.calls as usize, 2 + page.posts.len());
    assert_eq!(pacer.cleared(), fetched.calls);
    let expected: Vec<_> = env
        .sandbox
        .meta_posts(MetaSurface::Instagram, &ig.account_id)
        .into_iter()
        .filter(|p| p.published_at >= since)
        .collect();
    assert_eq!(page.posts.len(), expected.len());
    for (post, listed) in page.posts.iter().zip(&expected) {
        assert_eq!(post.remote_id, listed.id);
        assert_eq!(post.format.as_deref(), Some(listed.kind.as_str()));
        let insights = env
            .sandbox
            .meta_post_insights(MetaSurface::Instagram, &ig.account_id, &post.remote_id)
            .unwrap();
        for (name, value) in &insights {
            assert_eq!(post.facts.raw.get(name), Some(value), "{name}");
        }
        let n = post.facts.normalized;
        assert_eq!(n.views, Some(insights["views"]));
        assert_eq!(n.saves, Some(insights["saved"]));
        if listed.kind == "reel" {
            assert_eq!(
                n.watch_time_secs,
                Some(insights["ig_reels_video_view_total_time"] / 1000)
            );
            assert!(!post.facts.raw.contains_key("profile_visits"));
        } else {
            assert_eq!(
                n.profile_actions,
                Some(insights["profile_visits"] + insights["profile_activity"])
            );
        }
    }
    // Same day, same facts.
    let again = reader.posts(&ig, since, None, &Unpaced).await.unwrap();
    assert_eq!(again.value, page);
}

#[tokio::test]
async fn instagram_login_reads_its_account_and_a_freshly_published_post() {
    let files = MediaFiles::serve(vec![("photo", "image/jpeg", jpeg(4_000))]).await;
    let env = Env::start().await;
    let ig = account(&env, AccountKind::InstagramAccount, "demo", &[]).await;
    let reader = instagram(&env, InstagramApi::InstagramLogin);
    let snapshot = reader.snapshot(&ig, &Unpaced).await.unwrap();
    assert_eq!(
        snapshot.value.normalized.followers,
        Some(
            env.sandbox
                .meta_followers(MetaSurface::Instagram, &ig.account_id)
        )
    );
    assert!(snapshot.value.raw["media_count"] > 200);

    env.advance(SignedDuration::from_hours(10));
    let publisher = InstagramPublisher::new(
        env.hosts(),
        InstagramApi::InstagramLogin,
        env.client.clone(),
    );
    let request = PublishRequest {
        kind: AccountKind::InstagramAccount,
        account_id: ig.account_id.clone(),
        access_token: ig.access_token.clone(),
        idempotency_key: "insights-1".into(),
        format: PostFormat::Image,
        caption: "Fresh bread, counted".into(),
        title: None,
        link: None,
        first_comment: None,
        privacy: None,
        cover_offset_ms: None,
        media: vec![files.item("photo")],
        settings: Default::default(),
    };
    let run = drive(&env, &publisher, &request, &files, 3).await;
    let published = run.outcome.expect("published");
    let since = env.now() - SignedDuration::from_hours(24 * 3);
    let page = reader
        .posts(&ig, since, None, &Unpaced)
        .await
        .unwrap()
        .value;
    let post = &page.posts[0];
    assert_eq!(post.remote_id, published.remote_id);
    assert_eq!(post.title.as_deref(), Some("Fresh bread, counted"));
    assert_eq!(post.format.as_deref(), Some("image"));
    assert!(post.facts.normalized.views.unwrap() > 0);
    let insights = env
        .sandbox
        .meta_post_insights(MetaSurface::Instagram, &ig.account_id, &post.remote_id)
        .unwrap();
    assert_eq!(post.facts.normalized.reach, Some(insights["reach"]));

    let days = reader
        .account_days(&ig, date("2025-12-30"), date("2025-12-30"), &Unpaced)
        .await
        .unwrap();
    assert_eq!(
        days.value[0].facts.raw,
        env.sandbox
            .meta_account_day(MetaSurface::Instagram, &ig.account_id, date("2025-12-30"))
    );
}

#[tokio::test]
async fn retired_metrics_answer_graphs_error() {
    let env = Env::start().await;
    let ig = account(&env, AccountKind::InstagramBusiness, "demo", &[]).await;
    let call = Call::new(
        ProviderId::Facebook,
        "test.ig_user_insights",
        Method::Get,
        format!(
            "{}/graph.facebook.com/v25.0/{}/insights",
            env.base, ig.account_id
        ),
    )
    .query("metric", "impressions")
    .query("period", "day")
    .bearer(&ig.access_token);
    let error = env
        .client
        .send(
            &call,
            &herald_platforms::meta::GraphDialect(ProviderId::Facebook),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("100"));
    assert!(
        error
            .message
            .contains("impressions metric is no longer supported")
    );

    let page = account(&env, AccountKind::FacebookPage, "demo", &[]).await;
    let call = Call::new(
        ProviderId::Facebook,
        "test.page_insights",
        Method::Get,
        format!(
            "{}/graph.facebook.com/v25.0/{}/insights",
            env.base, page.account_id
        ),
    )
    .query("metric", "page_impressions_unique")
    .query("period", "day")
    .bearer(&page.access_token);
    let error = env
        .client
        .send(
            &call,
            &herald_platforms::meta::GraphDialect(ProviderId::Facebook),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(
        error.message,
        "(#100) The value must be a valid insights metric"
    );
}

#[tokio::test]
async fn injected_faults_surface_as_the_right_error_kinds() {
    let env = Env::start().await;
    let page = account(&env, AccountKind::FacebookPage, "demo", &[]).await;
    let ig = account(&env, AccountKind::InstagramBusiness, "demo", &[]).await;
    let from = date("2025-12-01");

    // One server error: the client retries the read and it goes through.
    env.inject("facebook.page_insights", FaultKind::ServerError, Some(1));
    let pacer = CountingPacer::default();
    let fetched = pages(&env)
        .account_days(&page, from, from, &pacer)
        .await
        .unwrap();
    assert_eq!(fetched.value.len(), 1);
    assert_eq!(env.calls("facebook.page_insights"), 2);
    assert_eq!(pacer.cleared(), 1);

    // Failing until cleared: unavailable, for the run to retry later.
    env.inject("facebook.page_insights", FaultKind::ServerError, None);
    let error = pages(&env)
        .account_days(&page, from, from, &Unpaced)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unavailable);
    assert_eq!(error.code.as_deref(), Some("2"));
    env.sandbox.clear_faults();

    // Throttled: rate limited, with when to come back.
    env.inject("instagram.user_insights", FaultKind::RateLimited, Some(1));
    let error = instagram(&env, InstagramApi::FacebookLogin)
        .account_days(&ig, from, from, &Unpaced)
        .await
        .unwrap_err();
    assert_eq!(error.code.as_deref(), Some("80002"));
    match error.kind {
        ErrorKind::RateLimited { until: Some(until) } => assert!(until > env.now()),
        other => panic!("expected a rate limit, got {other:?}"),
    }

    // A token revoked mid-run: reconnect.
    env.inject("facebook.post_insights", FaultKind::RevokedToken, Some(1));
    let error = pages(&env)
        .posts(
            &page,
            env.now() - SignedDuration::from_hours(24 * 30),
            None,
            &Unpaced,
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Reconnect);
}

#[tokio::test]
async fn a_pacer_that_says_later_stops_the_read_before_any_call() {
    let env = Env::start().await;
    let page = account(&env, AccountKind::FacebookPage, "demo", &[]).await;
    let until = env.now() + SignedDuration::from_mins(20);
    let error = pages(&env)
        .account_days(
            &page,
            date("2025-12-01"),
            date("2025-12-02"),
            &Closed { until },
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::RateLimited { until: Some(until) });
    assert_eq!(env.calls("facebook.page_insights"), 0);
}

#[tokio::test]
async fn without_the_insights_permissions_the_person_is_asked_again() {
    let env = Env::start().await;
    let page = account(&env, AccountKind::FacebookPage, "demo", &["-read_insights"]).await;
    let error = pages(&env)
        .account_days(&page, date("2025-12-01"), date("2025-12-01"), &Unpaced)
        .await
        .unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Reconsent { .. }), "{error}");
    let ig = account(
        &env,
        AccountKind::InstagramBusiness,
        "demo",
        &["-instagram_manage_insights"],
    )
    .await;
    let error = instagram(&env, InstagramApi::FacebookLogin)
        .account_days(&ig, date("2025-12-01"), date("2025-12-01"), &Unpaced)
        .await
        .unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Reconsent { .. }), "{error}");
}
