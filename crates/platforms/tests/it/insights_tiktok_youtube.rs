//! TikTok and YouTube insights against the simulators: the figures the
//! adapters read are the sandbox's own, page by page; the same day reads
//! the same; every HTTP call is cleared with the pacer once; missing scopes
//! ask for consent and faults come back as the right kind of error.

use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use herald_core::{SignedDuration, Timestamp};
use herald_platforms::insights::tiktok::TikTokInsights;
use herald_platforms::insights::youtube::YouTubeInsights;
use herald_platforms::insights::{
    Fetched, InsightsAccount, InsightsReader, Pacer, PostFacts, Readers, Unpaced,
};
use herald_platforms::youtube::{SCOPE_ANALYTICS, next_quota_reset};
use herald_platforms::{
    AccountKind, AppConfig, Candidate, ErrorKind, PlatformError, PlatformsConfig, ProviderId,
    Secret,
};
use herald_sandbox::{FaultKind, Limits};
use jiff::civil::Date;

use crate::helpers::*;

const TT: ProviderId = ProviderId::TikTok;
const YT: ProviderId = ProviderId::YouTube;
const DAY: SignedDuration = SignedDuration::from_hours(24);

/// Counts the calls it clears; refuses every call with `refuse`.
#[derive(Default)]
struct CountingPacer {
    cleared: AtomicU32,
    refuse: Option<Timestamp>,
}

impl CountingPacer {
    fn count(&self) -> u32 {
        self.cleared.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Pacer for CountingPacer {
    async fn clear(&self, _kind: AccountKind, _account: &str) -> Result<(), Timestamp> {
        match self.refuse {
            Some(until) => Err(until),
            None => {
                self.cleared.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        }
    }
}

fn account(candidate: &Candidate) -> InsightsAccount {
    InsightsAccount {
        kind: candidate.kind,
        account_id: candidate.remote_id.clone(),
        access_token: candidate.credentials.access_token.clone(),
    }
}

fn tiktok(env: &Env) -> TikTokInsights {
    TikTokInsights::new(env.hosts(), env.client.clone())
}

fn youtube(env: &Env) -> YouTubeInsights {
    YouTubeInsights::new(env.hosts(), env.client.clone())
}

/// Every page of posts since `since`.
async fn all_posts(
    reader: &dyn InsightsReader,
    account: &InsightsAccount,
    since: Timestamp,
    pacer: &dyn Pacer,
) -> (Vec<PostFacts>, u32, u32) {
    let (mut posts, mut calls, mut pages) = (Vec::new(), 0, 0);
    let mut page: Option<String> = None;
    loop {
        let Fetched { value, calls: c } = reader
            .posts(account, since, page.as_deref(), pacer)
            .await
            .unwrap_or_else(|e| panic!("posts: {e}"));
        posts.extend(value.posts);
        calls += c;
        pages += 1;
        match value.next {
            Some(next) => page = Some(next),
            None => return (posts, calls, pages),
        }
        assert!(pages < 50, "the pages never end");
    }
}

fn sandbox_calls(env: &Env, endpoints: &[&str]) -> u64 {
    endpoints.iter().map(|e| env.calls(e)).sum()
}

#[track_caller]
fn assert_reconsent_for(error: &PlatformError, scope: &str) {
    match &error.kind {
        ErrorKind::Reconsent { scopes } => assert_eq!(scopes, &[scope.to_owned()], "{error}"),
        other => panic!("expected reconsent for {scope}, got {other:?}: {error}"),
    }
}

#[tokio::test]
async fn readers_are_registered_for_tiktok_and_youtube() {
    let env = Env::start().await;
    let c = env.sandbox.config();
    let app = |id: &str, secret: &str| AppConfig {
        client_id: id.to_owned(),
        client_secret: Secret::new(secret),
        hosts: env.hosts(),
    };
    let config = PlatformsConfig {
        tiktok: Some(app(&c.tiktok.client_id, &c.tiktok.client_secret)),
        youtube: Some(app(&c.google.client_id, &c.google.client_secret)),
        ..PlatformsConfig::default()
    };
    let readers = Readers::new(&config, &env.client);
    let tiktok = readers
        .get(AccountKind::TikTokUser)
        .expect("a TikTok reader");
    assert_eq!(tiktok.max_days(), 0);
    let youtube = readers
        .get(AccountKind::YouTubeChannel)
        .expect("a YouTube reader");
    assert_eq!(youtube.lag_days(), 3);
    assert!(youtube.max_days() >= 90);
    let none = Readers::new(&PlatformsConfig::default(), &env.client);
    assert!(none.get(AccountKind::TikTokUser).is_none());
}

// ------------------------------------------------------------------ TikTok

#[tokio::test]
async fn tiktok_snapshot_and_posts_are_the_simulators_figures() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = account(&grant.accounts[0]);
    let reader = tiktok(&env);
    let pacer = CountingPacer::default();
    let endpoints = ["tiktok.user_info", "tiktok.video_list"];
    let before = sandbox_calls(&env, &endpoints);

    let figures = env.sandbox.tiktok_figures(&account.account_id).unwrap();
    let snapshot = reader.snapshot(&account, &pacer).await.unwrap();
    assert_eq!(snapshot.calls, 1);
    let facts = &snapshot.value;
    assert_eq!(facts.normalized.followers, Some(figures.follower_count));
    assert_eq!(facts.raw["follower_count"], figures.follower_count);
    assert_eq!(facts.raw["following_count"], figures.following_count);
    assert_eq!(facts.raw["likes_count"], figures.likes_count);
    assert_eq!(facts.raw["video_count"], figures.video_count);

    // 90 days back: five pages of 20 at most, newest first, stopping at
    // `since`.
    let since = env.now() - DAY * 90;
    let (posts, calls, pages) = all_posts(&reader, &account, since, &pacer).await;
    let expected: Vec<_> = figures
        .videos
        .iter()
        .filter(|v| v.create_time >= since)
        .collect();
    assert!((18..=30).contains(&expected.len()), "{}", expected.len());
    assert_eq!(pages as usize, expected.len().div_ceil(20).max(1));
    assert_eq!(posts.len(), expected.len());
    for (post, video) in posts.iter().zip(&expected) {
        assert_eq!(post.remote_id, video.id);
        assert_eq!(
            post.published_at,
            Some(Timestamp::from_second(video.create_time.as_second()).unwrap())
        );
        assert_eq!(post.format.as_deref(), Some("video"));
        assert_eq!(post.permalink.as_deref(), Some(video.share_url.as_str()));
        let n = &post.facts.normalized;
        assert_eq!(n.views, Some(video.view_count));
        assert_eq!(n.likes, Some(video.like_count));
        assert_eq!(n.comments, Some(video.comment_count));
        assert_eq!(n.shares, Some(video.share_count));
        assert_eq!(
            n.engagements,
            Some(video.like_count + video.comment_count + video.share_count)
        );
        assert_eq!(post.facts.raw["view_count"], video.view_count);
        assert_eq!(post.facts.raw["share_count"], video.share_count);
    }

    // No days to read: nothing is called.
    let days = reader
        .account_days(
            &account,
            env.now().to_zoned(jiff::tz::TimeZone::UTC).date(),
            env.now().to_zoned(jiff::tz::TimeZone::UTC).date(),
            &pacer,
        )
        .await
        .unwrap();
    assert!(days.value.is_empty());
    assert_eq!(days.calls, 0);

    // One pacer clearance per HTTP call, and the calls say so.
    assert_eq!(pacer.count(), 1 + calls);
    assert_eq!(
        sandbox_calls(&env, &endpoints) - before,
        u64::from(1 + calls)
    );
    assert_eq!(calls, pages);

    // The same day, hours later, reads the same facts.
    env.advance(SignedDuration::from_hours(20));
    let again = reader.snapshot(&account, &Unpaced).await.unwrap();
    assert_eq!(again.value, snapshot.value);
    let (posts_again, _, _) = all_posts(&reader, &account, since, &Unpaced).await;
    assert_eq!(posts_again, posts);

    // Days later the counts have grown.
    env.advance(DAY * 10);
    let fresh = self::account(&env.connect(TT).await.accounts[0]);
    let later = reader.snapshot(&fresh, &Unpaced).await.unwrap().value;
    assert!(later.normalized.followers > snapshot.value.normalized.followers);
}

#[tokio::test]
async fn tiktok_without_its_insights_scopes_asks_for_consent_again() {
    let env = Env::start().await;
    let grant = env
        .connect_as(TT, "demo", &["-user.info.stats", "-video.list"])
        .await;
    let account = account(&grant.accounts[0]);
    let reader = tiktok(&env);
    let error = reader.snapshot(&account, &Unpaced).await.unwrap_err();
    assert_reconsent_for(&error, "user.info.stats");
    let error = reader
        .posts(&account, env.now() - DAY, None, &Unpaced)
        .await
        .unwrap_err();
    assert_reconsent_for(&error, "video.list");
}

#[tokio::test]
async fn tiktok_faults_and_the_pacer_give_the_right_errors() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = account(&grant.accounts[0]);
    let reader = tiktok(&env);
    let since = env.now() - DAY * 30;

    env.inject("tiktok.video_list", FaultKind::RateLimited, None);
    let error = reader
        .posts(&account, since, None, &Unpaced)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind, ErrorKind::RateLimited { until: Some(until) } if until > env.now()),
        "{error}"
    );
    assert_eq!(error.code.as_deref(), Some("rate_limit_exceeded"));
    // The client holds TikTok calls back for the pause it was given.
    env.sandbox.clear_faults();
    let error = reader.snapshot(&account, &Unpaced).await.unwrap_err();
    assert!(
        matches!(error.kind, ErrorKind::RateLimited { .. }),
        "{error}"
    );
    env.advance(SignedDuration::from_secs(61));

    env.inject("tiktok.user_info", FaultKind::ServerError, None);
    let error = reader.snapshot(&account, &Unpaced).await.unwrap_err();
    assert_kind(&error, ErrorKind::Unavailable);

    // A single 5xx is retried by the client, and the read goes on.
    env.sandbox.clear_faults();
    env.inject("tiktok.user_info", FaultKind::ServerError, Some(1));
    assert!(reader.snapshot(&account, &Unpaced).await.is_ok());

    env.inject("tiktok.user_info", FaultKind::ExpiredToken, Some(1));
    let error = reader.snapshot(&account, &Unpaced).await.unwrap_err();
    assert_kind(&error, ErrorKind::Reconnect);

    // A pacer that says "not before T" stops the call before it is sent.
    let until = env.now() + SignedDuration::from_mins(5);
    let pacer = CountingPacer {
        refuse: Some(until),
        ..CountingPacer::default()
    };
    let before = env.calls("tiktok.user_info");
    let error = reader.snapshot(&account, &pacer).await.unwrap_err();
    assert_kind(&error, ErrorKind::RateLimited { until: Some(until) });
    assert_eq!(env.calls("tiktok.user_info"), before);
}

// ----------------------------------------------------------------- YouTube

const YT_ENDPOINTS: [&str; 4] = [
    "youtube.channels",
    "youtube.playlist_items",
    "youtube.videos",
    "youtube.analytics_reports",
];

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

#[tokio::test]
async fn youtube_days_are_the_analytics_reports_with_followers_derived() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let account = account(&grant.accounts[0]);
    let reader = youtube(&env);
    let pacer = CountingPacer::default();
    let before = sandbox_calls(&env, &YT_ENDPOINTS);
    let figures = env.sandbox.youtube_figures(&account.account_id).unwrap();
    let last = figures.last_reported_day;
    let from = last.checked_sub(jiff::Span::new().days(29)).unwrap();

    let fetched = reader
        .account_days(&account, from, last, &pacer)
        .await
        .unwrap();
    assert_eq!(fetched.calls, 2);
    assert_eq!(pacer.count(), 2);
    assert_eq!(sandbox_calls(&env, &YT_ENDPOINTS) - before, 2);
    let days = fetched.value;
    assert_eq!(days.len(), 30);
    assert_eq!(days[0].day, from);
    assert_eq!(days[29].day, last);
    for day in &days {
        let d = env
            .sandbox
            .youtube_day(&account.account_id, day.day)
            .unwrap();
        let (n, raw) = (&day.facts.normalized, &day.facts.raw);
        assert_eq!(n.views, Some(d.views), "{}", day.day);
        assert_eq!(n.watch_time_secs, Some(d.estimated_minutes_watched * 60));
        assert_eq!(n.likes, Some(d.likes));
        assert_eq!(n.comments, Some(d.comments));
        assert_eq!(n.shares, Some(d.shares));
        assert_eq!(n.engagements, Some(d.likes + d.comments + d.shares));
        assert_eq!(n.follows, Some(d.subscribers_gained));
        assert_eq!(n.unfollows, Some(d.subscribers_lost));
        assert_eq!(raw["views"], d.views);
        assert_eq!(raw["estimatedMinutesWatched"], d.estimated_minutes_watched);
        assert_eq!(raw["averageViewDuration"], d.average_view_duration);
        assert_eq!(
            raw["averageViewPercentage"],
            d.average_view_percentage.round() as i64
        );
        assert_eq!(raw["subscribersGained"], d.subscribers_gained);
        assert_eq!(raw["subscribersLost"], d.subscribers_lost);
        assert_eq!(raw.len(), 9);
        // Derived from today's rounded count: close to the exact figure.
        let followers = n.followers.unwrap();
        assert!(
            (followers - d.subscribers).abs() <= d.subscribers / 50 + 5,
            "{followers} vs {}",
            d.subscribers
        );
    }
    // Day to day, the derived followers move by the reported net gains.
    for pair in days.windows(2) {
        let n = &pair[1].facts.normalized;
        assert_eq!(
            n.followers.unwrap() - pair[0].facts.normalized.followers.unwrap(),
            n.follows.unwrap() - n.unfollows.unwrap()
        );
    }

    // The same day reads the same (within the token's hour); a finished
    // day never changes.
    env.advance(SignedDuration::from_mins(50));
    let again = reader
        .account_days(&account, from, last, &Unpaced)
        .await
        .unwrap();
    assert_eq!(again.value, days);

    // Longer than one report may span, or backwards: refused unsent.
    let far = from.checked_sub(jiff::Span::new().days(200)).unwrap();
    let error = reader
        .account_days(&account, far, last, &pacer)
        .await
        .unwrap_err();
    assert_kind(&error, ErrorKind::BadRequest);
    let error = reader
        .account_days(&account, last, from, &pacer)
        .await
        .unwrap_err();
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(pacer.count(), 2);
}

#[tokio::test]
async fn youtube_snapshot_and_posts_are_the_simulators_figures() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let account = account(&grant.accounts[1]);
    let reader = youtube(&env);
    let pacer = CountingPacer::default();
    let before = sandbox_calls(&env, &YT_ENDPOINTS);
    let figures = env.sandbox.youtube_figures(&account.account_id).unwrap();

    let snapshot = reader.snapshot(&account, &pacer).await.unwrap();
    assert_eq!(snapshot.calls, 1);
    let facts = &snapshot.value;
    assert_eq!(facts.normalized.followers, Some(figures.subscriber_count));
    assert_eq!(facts.raw["subscriberCount"], figures.subscriber_count);
    assert_eq!(facts.raw["viewCount"], figures.view_count);
    assert_eq!(facts.raw["videoCount"], figures.video_count);

    // Since 2025-01-01: the whole seeded history, two pages of 50.
    let since: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
    let (posts, calls, pages) = all_posts(&reader, &account, since, &pacer).await;
    assert_eq!(posts.len(), figures.videos.len());
    assert!(posts.len() > 50, "{}", posts.len());
    assert_eq!(pages as usize, posts.len().div_ceil(50));
    // Uploads playlist id once, then per page the items, the videos and a
    // report.
    assert_eq!(calls, 1 + 3 * pages);
    assert_eq!(pacer.count(), 1 + calls);
    assert_eq!(
        sandbox_calls(&env, &YT_ENDPOINTS) - before,
        u64::from(1 + calls)
    );
    for (post, video) in posts.iter().zip(&figures.videos) {
        assert_eq!(post.remote_id, video.id);
        assert_eq!(post.title.as_deref(), Some(video.title.as_str()));
        assert_eq!(post.published_at, Some(video.published_at));
        assert_eq!(
            post.permalink.as_deref(),
            Some(format!("https://www.youtube.com/watch?v={}", video.id).as_str())
        );
        let n = &post.facts.normalized;
        assert_eq!(n.views, Some(video.view_count));
        assert_eq!(n.likes, Some(video.like_count));
        assert_eq!(n.comments, Some(video.comment_count));
        assert_eq!(post.facts.raw["viewCount"], video.view_count);
        assert_eq!(post.facts.raw["favoriteCount"], 0);
        // Watch time and shares from the report, which ends a few days
        // ago: at most what the video has had by today.
        if video.published_at < env.now() - DAY * 5 {
            let watched = n.watch_time_secs.expect("watch time of an older video");
            assert!(watched > 0 && watched % 60 == 0);
            assert!(
                watched <= video.watch_secs,
                "{watched} > {}",
                video.watch_secs
            );
            let shares = n.shares.unwrap();
            assert!(shares <= video.share_count);
            assert_eq!(
                n.engagements,
                Some(video.like_count + video.comment_count + shares)
            );
            assert!(post.facts.raw.contains_key("averageViewDuration"));
        }
    }

    // The same day reads the same (within the token's hour).
    env.advance(SignedDuration::from_mins(50));
    let (again, _, _) = all_posts(&reader, &account, since, &Unpaced).await;
    assert_eq!(again, posts);

    // A recent `since` stops after the first page.
    let recent = env.now() - DAY * 20;
    let (few, _, pages) = all_posts(&reader, &account, recent, &Unpaced).await;
    assert_eq!(pages, 1);
    assert!(few.iter().all(|p| p.published_at.unwrap() >= recent));
    assert_eq!(
        few.len(),
        figures
            .videos
            .iter()
            .filter(|v| v.published_at >= recent)
            .count()
    );
}

#[tokio::test]
async fn youtube_without_the_analytics_scope_asks_for_it_and_posts_come_without_watch_time() {
    let env = Env::start().await;
    let minus = format!("-{SCOPE_ANALYTICS}");
    let grant = env.connect_as(YT, "demo", &[&minus]).await;
    let account = account(&grant.accounts[0]);
    let reader = youtube(&env);
    let error = reader
        .account_days(&account, date("2025-12-01"), date("2025-12-10"), &Unpaced)
        .await
        .unwrap_err();
    assert_reconsent_for(&error, SCOPE_ANALYTICS);
    let (posts, _, _) = all_posts(&reader, &account, env.now() - DAY * 30, &Unpaced).await;
    assert!(!posts.is_empty());
    assert!(posts.iter().all(
        |p| p.facts.normalized.watch_time_secs.is_none() && p.facts.normalized.views.is_some()
    ));
}

#[tokio::test]
async fn youtube_faults_and_quotas_give_the_right_errors() {
    let env = Env::with(|s| {
        s.limits = Limits {
            youtube_analytics_daily_queries: 2,
            ..Limits::default()
        }
    })
    .await;
    let grant = env.connect(YT).await;
    let account = account(&grant.accounts[0]);
    let reader = youtube(&env);
    let (from, to) = (date("2025-12-01"), date("2025-12-10"));

    // Every attempt a 503: the client retries, then says "unavailable".
    env.inject("youtube.analytics_reports", FaultKind::ServerError, None);
    let error = reader
        .account_days(&account, from, to, &Unpaced)
        .await
        .unwrap_err();
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(error.code.as_deref(), Some("backendError"));
    env.sandbox.clear_faults();

    // A revoked grant: connect again.
    env.inject("youtube.playlist_items", FaultKind::RevokedToken, Some(1));
    let error = reader
        .posts(&account, env.now() - DAY, Some("UUx:token"), &Unpaced)
        .await
        .unwrap_err();
    assert_kind(&error, ErrorKind::Reconnect);
    let error = reader
        .posts(&account, env.now() - DAY, Some("no separator"), &Unpaced)
        .await
        .unwrap_err();
    assert_kind(&error, ErrorKind::BadRequest);

    // The Analytics quota of its own: two queries, then until tomorrow.
    reader
        .account_days(&account, from, to, &Unpaced)
        .await
        .unwrap();
    reader
        .account_days(&account, from, to, &Unpaced)
        .await
        .unwrap();
    let error = reader
        .account_days(&account, from, to, &Unpaced)
        .await
        .unwrap_err();
    assert_eq!(error.code.as_deref(), Some("rateLimitExceeded"));
    assert_kind(
        &error,
        ErrorKind::RateLimited {
            until: Some(next_quota_reset(env.now())),
        },
    );

    // Once the client's pause has passed, the Data API's daily quota: back
    // at Pacific midnight too.
    env.advance(SignedDuration::from_secs(61));
    env.inject("youtube.channels", FaultKind::RateLimited, Some(1));
    let error = reader.snapshot(&account, &Unpaced).await.unwrap_err();
    assert_eq!(error.code.as_deref(), Some("quotaExceeded"));
    assert_kind(
        &error,
        ErrorKind::RateLimited {
            until: Some(next_quota_reset(env.now())),
        },
    );
}
