//! Every fault class of the simulators, through the real adapters and the
//! one platform client: classification, retries (only what is safe to
//! repeat), timeouts and the rate-limit gates.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use herald_core::{Clock, SignedDuration, Timestamp};
use herald_platforms::youtube::next_quota_reset;
use herald_platforms::{AccountKind, Candidate, ErrorKind, PlatformClient, ProviderId};
use herald_sandbox::{FaultKind, Limits};

use crate::helpers::*;

const FB: ProviderId = ProviderId::Facebook;
const IG: ProviderId = ProviderId::Instagram;
const TT: ProviderId = ProviderId::TikTok;
const YT: ProviderId = ProviderId::YouTube;

const SLOW: FaultKind = FaultKind::Slow { delay_ms: SLOW_MS };

fn page(candidates: &[Candidate]) -> &Candidate {
    candidates
        .iter()
        .find(|a| a.kind == AccountKind::FacebookPage)
        .expect("a Page")
}

/// An Instagram Login account whose token is old enough to refresh.
async fn instagram_account(env: &Env) -> Candidate {
    let grant = env.connect(IG).await;
    env.advance(SignedDuration::from_hours(25));
    grant.accounts.into_iter().next().unwrap()
}

// ============================================================ RateLimited

#[tokio::test]
async fn meta_rate_limit_pauses_the_gate_until_the_pause_is_over() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    let connector = env.connector(FB);
    assert_eq!(env.client.paused_until(FB, None), None);

    env.inject("meta.me", FaultKind::RateLimited, None);
    let before = env.calls("meta.me");
    let error = expect_err(
        connector.refresh(page.kind, &page.credentials).await,
        "throttled check",
    );
    let until = assert_rate_limited(&error).expect("the gate says until when");
    assert_eq!(until, env.now() + SignedDuration::from_secs(60));
    // Code 4 was answered once; the retry was refused by the gate, which
    // would have had to wait longer than max_wait.
    assert_eq!(env.calls("meta.me"), before + 1);
    assert_eq!(env.client.paused_until(FB, None), Some(until));

    // The platform is not asked again while paused, even once it would
    // answer.
    env.sandbox.clear_faults();
    let error = expect_err(
        connector.refresh(page.kind, &page.credentials).await,
        "while paused",
    );
    assert_eq!(assert_rate_limited(&error), Some(until));
    assert_eq!(env.calls("meta.me"), before + 1);
    // Other providers have their own gates.
    assert_eq!(env.client.paused_until(YT, None), None);

    env.advance(SignedDuration::from_secs(61));
    assert_eq!(env.client.paused_until(FB, None), None);
    connector
        .refresh(page.kind, &page.credentials)
        .await
        .unwrap();
    assert_eq!(env.calls("meta.me"), before + 2);
}

#[tokio::test]
async fn meta_rate_limit_on_an_instagram_object_read() {
    let env = Env::start().await;
    env.inject("meta.object", FaultKind::RateLimited, None);
    let error = expect_err(env.connect_with(FB, |_| {}).await, "IG read throttled");
    // Code 80002 paused that Instagram account's bucket for longer than
    // max_wait, so the retry was refused by the gate.
    let until = assert_rate_limited(&error).expect("until");
    assert!(until > env.now());
    assert_eq!(env.calls("meta.object"), 1);
    // The app-wide gate is not paused by one account's limit.
    assert_eq!(env.client.paused_until(FB, None), None);
}

#[tokio::test]
async fn instagram_rate_limit_on_the_code_exchange() {
    let env = Env::start().await;
    let code = env.authorize_code(IG, |_| {}).await;
    env.inject("instagram.access_token", FaultKind::RateLimited, Some(1));
    let error = expect_err(env.exchange(IG, &code).await, "throttled exchange");
    assert_rate_limited(&error);
    assert_eq!(env.calls("instagram.access_token"), 1);
    assert!(env.client.paused_until(IG, None).is_some());
    // A throttled request was refused, so the code is still good once the
    // pause is over.
    env.advance(SignedDuration::from_secs(61));
    let grant = env.exchange(IG, &code).await.unwrap();
    assert_eq!(grant.accounts.len(), 1);
}

#[tokio::test]
async fn instagram_rate_limit_on_refresh() {
    let env = Env::start().await;
    let account = instagram_account(&env).await;
    env.inject("instagram.refresh", FaultKind::RateLimited, None);
    let error = expect_err(
        env.connector(IG)
            .refresh(account.kind, &account.credentials)
            .await,
        "throttled refresh",
    );
    assert_rate_limited(&error);
    assert_eq!(error.provider, IG);
    assert_eq!(env.calls("instagram.refresh"), 1);
    assert!(env.client.paused_until(IG, None).is_some());
    assert_eq!(env.client.paused_until(FB, None), None);
}

#[tokio::test]
async fn tiktok_rate_limit_on_user_info() {
    let env = Env::start().await;
    env.inject("tiktok.user_info", FaultKind::RateLimited, None);
    let error = expect_err(env.connect_with(TT, |_| {}).await, "throttled user info");
    assert!(assert_rate_limited(&error).is_some());
    assert_eq!(env.calls("tiktok.user_info"), 1);
    assert_eq!(env.calls("tiktok.token"), 1);
    assert!(env.client.paused_until(TT, None).is_some());
}

#[tokio::test]
async fn tiktok_rate_limit_on_refresh() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    env.inject("tiktok.token", FaultKind::RateLimited, None);
    let error = expect_err(
        env.connector(TT)
            .refresh(account.kind, &account.credentials)
            .await,
        "throttled refresh",
    );
    assert_rate_limited(&error);
    assert_eq!(
        env.calls("tiktok.token"),
        2,
        "exchange + one refused refresh"
    );
}

/// A clock that moves a minute and a second every time it is read, so a
/// throttling pause (60 s without a hint) is over by the next attempt.
struct TickingClock(Mutex<Timestamp>);

impl Clock for TickingClock {
    fn now(&self) -> Timestamp {
        let mut now = self.0.lock().unwrap();
        *now += SignedDuration::from_secs(61);
        *now
    }
}

#[tokio::test]
async fn a_throttled_idempotent_read_is_retried_once_the_pause_is_over() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let token = grant.accounts[0].credentials.access_token.clone();

    let clock = Arc::new(TickingClock(Mutex::new(env.now())));
    let client = PlatformClient::new(clock, fast_options()).unwrap();
    env.inject("tiktok.user_info", FaultKind::RateLimited, Some(1));
    let before = env.calls("tiktok.user_info");
    let call = herald_platforms::Call::new(
        TT,
        "tiktok.user_info",
        herald_platforms::Method::Get,
        env.hosts().url("open.tiktokapis.com", "/v2/user/info/"),
    )
    .query("fields", "open_id")
    .bearer(&token);
    let reply = client
        .send(&call, &herald_platforms::tiktok::TikTokDialect)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(env.calls("tiktok.user_info"), before + 2);
}

#[tokio::test]
async fn youtube_quota_pauses_until_pacific_midnight() {
    let env = Env::start().await;
    env.inject("youtube.channels", FaultKind::RateLimited, None);
    let error = expect_err(env.connect_with(YT, |_| {}).await, "quota exceeded");
    let reset = next_quota_reset(env.now());
    assert_eq!(assert_rate_limited(&error), Some(reset));
    assert_eq!(env.calls("youtube.channels"), 1);
    assert_eq!(env.client.paused_until(YT, None), Some(reset));
}

#[tokio::test]
async fn a_quota_that_resets_within_max_wait_is_waited_out_and_retried() {
    // 50 ms before the quota resets: the pause is shorter than max_wait.
    let reset = next_quota_reset(start());
    let env = Env::with(|s| s.start = reset - SignedDuration::from_millis(50)).await;
    let code = env.authorize_code(YT, |_| {}).await;
    env.inject("youtube.channels", FaultKind::RateLimited, Some(1));
    let grant = env.exchange(YT, &code).await.unwrap();
    assert_eq!(grant.accounts.len(), 2);
    assert_eq!(env.calls("youtube.channels"), 2, "retried once");
}

#[tokio::test]
async fn google_rate_limit_on_userinfo() {
    let env = Env::start().await;
    env.inject("google.userinfo", FaultKind::RateLimited, None);
    let error = expect_err(env.connect_with(YT, |_| {}).await, "throttled userinfo");
    // No hint in the answer: the default one-minute pause.
    let until = env.now() + SignedDuration::from_secs(60);
    assert_eq!(assert_rate_limited(&error), Some(until));
    assert_eq!(env.calls("google.userinfo"), 1);
    assert_eq!(env.client.paused_until(YT, None), Some(until));
}

/// Google's token endpoint throttles with `429 {"error":"rate_limit_exceeded"}`.
#[tokio::test]
async fn google_rate_limit_on_the_token_endpoint() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    env.inject("google.token", FaultKind::RateLimited, None);
    let error = expect_err(
        env.connector(YT)
            .refresh(channel.kind, &channel.credentials)
            .await,
        "throttled refresh",
    );
    assert_rate_limited(&error);
}

#[tokio::test]
async fn meta_usage_headers_slow_then_pause_calls_before_any_error() {
    // 20 calls an hour: each call is 5 % of the budget.
    let env = Env::with(|s| {
        s.limits = Limits {
            meta_app_calls_per_hour: 20,
            ..Limits::default()
        }
    })
    .await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    let connector = env.connector(FB);
    let mut made = env.calls("meta.access_token")
        + env.calls("meta.me")
        + env.calls("meta.permissions")
        + env.calls("meta.me_accounts")
        + env.calls("meta.object");
    assert_eq!(made, 7);
    // Up to 90 %: still allowed (calls from 80 % on are spaced out).
    let started = Instant::now();
    while made < 19 {
        assert_eq!(env.client.paused_until(FB, None), None, "at call {made}");
        connector
            .refresh(page.kind, &page.credentials)
            .await
            .unwrap();
        made += 1;
    }
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "calls at 80 % and more are spaced"
    );
    // The 19th call reported 95 %: the gate pauses before the platform
    // throttles.
    let until = env.client.paused_until(FB, None).expect("paused at 95 %");
    assert!(until > env.now());
    let before = env.calls("meta.me");
    let error = expect_err(
        connector.refresh(page.kind, &page.credentials).await,
        "paused",
    );
    assert_eq!(assert_rate_limited(&error), Some(until));
    assert_eq!(env.calls("meta.me"), before, "not sent");
}

// ============================================================ ServerError

#[tokio::test]
async fn meta_server_error_on_an_idempotent_read_is_retried() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    env.inject("meta.me", FaultKind::ServerError, Some(1));
    let before = env.calls("meta.me");
    env.connector(FB)
        .refresh(page.kind, &page.credentials)
        .await
        .unwrap();
    assert_eq!(env.calls("meta.me"), before + 2);
}

#[tokio::test]
async fn meta_server_error_that_persists_fails_after_max_attempts() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    env.inject("meta.me", FaultKind::ServerError, None);
    let before = env.calls("meta.me");
    let error = expect_err(
        env.connector(FB)
            .refresh(page.kind, &page.credentials)
            .await,
        "persistent 500",
    );
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(error.code.as_deref(), Some("2"));
    assert!(error.is_transient());
    assert_eq!(env.calls("meta.me"), before + 3, "max_attempts = 3");
}

#[tokio::test]
async fn meta_server_error_on_the_code_exchange_is_not_retried() {
    let env = Env::start().await;
    let code = env.authorize_code(FB, |_| {}).await;
    env.inject("meta.access_token", FaultKind::ServerError, Some(1));
    let error = expect_err(env.exchange(FB, &code).await, "500 on exchange");
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(env.calls("meta.access_token"), 1);
    assert_eq!(env.calls("meta.me"), 0);
    // The sandbox failed before redeeming the code: trying again works.
    let grant = env.exchange(FB, &code).await.unwrap();
    assert_eq!(grant.accounts.len(), 4);
}

#[tokio::test]
async fn meta_server_errors_on_reads_during_the_exchange_are_retried() {
    let env = Env::start().await;
    let code = env.authorize_code(FB, |_| {}).await;
    env.inject("meta.permissions", FaultKind::ServerError, Some(1));
    env.inject("meta.me_accounts", FaultKind::ServerError, Some(2));
    env.inject("meta.object", FaultKind::ServerError, Some(1));
    let grant = env.exchange(FB, &code).await.unwrap();
    assert_eq!(grant.accounts.len(), 4);
    assert_eq!(env.calls("meta.permissions"), 2);
    assert_eq!(env.calls("meta.me_accounts"), 3);
    assert_eq!(env.calls("meta.object"), 3, "two accounts, one retry");
}

#[tokio::test]
async fn instagram_server_error_on_the_code_exchange_is_not_retried() {
    let env = Env::start().await;
    let code = env.authorize_code(IG, |_| {}).await;
    env.inject("instagram.access_token", FaultKind::ServerError, Some(1));
    let error = expect_err(env.exchange(IG, &code).await, "500 on exchange");
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(env.calls("instagram.access_token"), 1);
    assert_eq!(env.calls("instagram.exchange"), 0);
}

#[tokio::test]
async fn instagram_server_errors_on_reads_are_retried() {
    let env = Env::start().await;
    env.inject("instagram.exchange", FaultKind::ServerError, Some(1));
    env.inject("instagram.me", FaultKind::ServerError, Some(2));
    let grant = env.connect(IG).await;
    assert_eq!(grant.accounts.len(), 1);
    assert_eq!(env.calls("instagram.exchange"), 2);
    assert_eq!(env.calls("instagram.me"), 3);

    env.advance(SignedDuration::from_hours(25));
    let account = &grant.accounts[0];
    env.inject("instagram.refresh", FaultKind::ServerError, Some(1));
    let renewed = env
        .connector(IG)
        .refresh(account.kind, &account.credentials)
        .await
        .unwrap();
    assert_ne!(renewed.access_token, account.credentials.access_token);
    assert_eq!(env.calls("instagram.refresh"), 2);
}

#[tokio::test]
async fn tiktok_server_error_on_user_info_is_retried() {
    let env = Env::start().await;
    env.inject("tiktok.user_info", FaultKind::ServerError, Some(1));
    let grant = env.connect(TT).await;
    assert_eq!(grant.accounts.len(), 1);
    assert_eq!(env.calls("tiktok.user_info"), 2);
    assert_eq!(env.calls("tiktok.token"), 1);
}

#[tokio::test]
async fn tiktok_server_error_on_token_calls_is_not_retried() {
    let env = Env::start().await;
    let code = env.authorize_code(TT, |_| {}).await;
    env.inject("tiktok.token", FaultKind::ServerError, Some(1));
    let error = expect_err(env.exchange(TT, &code).await, "500 on exchange");
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(error.code.as_deref(), Some("internal_error"));
    assert_eq!(env.calls("tiktok.token"), 1);
    assert_eq!(env.calls("tiktok.user_info"), 0);

    // Refresh is not repeated either (a rotating refresh token could be
    // spent by a lost answer).
    let grant = env.exchange(TT, &code).await.unwrap();
    let account = &grant.accounts[0];
    env.inject("tiktok.token", FaultKind::ServerError, Some(1));
    let error = expect_err(
        env.connector(TT)
            .refresh(account.kind, &account.credentials)
            .await,
        "500 on refresh",
    );
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(env.calls("tiktok.token"), 3);
}

#[tokio::test]
async fn youtube_server_errors_on_reads_and_refresh_are_retried() {
    let env = Env::start().await;
    env.inject("youtube.channels", FaultKind::ServerError, Some(1));
    env.inject("google.userinfo", FaultKind::ServerError, Some(1));
    let grant = env.connect(YT).await;
    assert_eq!(grant.accounts.len(), 2);
    assert_eq!(env.calls("youtube.channels"), 2);
    assert_eq!(env.calls("google.userinfo"), 2);

    // Google's refresh is marked repeatable.
    let channel = &grant.accounts[0];
    env.inject("google.token", FaultKind::ServerError, Some(1));
    env.connector(YT)
        .refresh(channel.kind, &channel.credentials)
        .await
        .unwrap();
    assert_eq!(env.calls("google.token"), 3);
}

#[tokio::test]
async fn youtube_server_error_on_the_code_exchange_is_not_retried() {
    let env = Env::start().await;
    let code = env.authorize_code(YT, |_| {}).await;
    env.inject("google.token", FaultKind::ServerError, Some(1));
    let error = expect_err(env.exchange(YT, &code).await, "503 on exchange");
    assert_kind(&error, ErrorKind::Unavailable);
    assert_eq!(error.code.as_deref(), Some("temporarily_unavailable"));
    assert_eq!(env.calls("google.token"), 1);
}

// ============================================================ Slow

#[tokio::test]
async fn a_slow_answer_within_the_timeouts_is_fine() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    env.inject("meta.me", FaultKind::Slow { delay_ms: 50 }, Some(1));
    let before = env.calls("meta.me");
    env.connector(FB)
        .refresh(page.kind, &page.credentials)
        .await
        .unwrap();
    assert_eq!(env.calls("meta.me"), before + 1);
}

#[tokio::test]
async fn meta_slow_read_times_out_and_is_retried() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    env.inject("meta.me", SLOW, Some(1));
    let before = env.calls("meta.me");
    env.connector(FB)
        .refresh(page.kind, &page.credentials)
        .await
        .unwrap();
    assert_eq!(env.calls("meta.me"), before + 2);
}

#[tokio::test]
async fn instagram_slow_read_that_persists_fails_unavailable() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let account = instagram_account(&env).await;
    env.inject("instagram.refresh", SLOW, None);
    let started = Instant::now();
    let error = expect_err(
        env.connector(IG)
            .refresh(account.kind, &account.credentials)
            .await,
        "slow refresh",
    );
    assert_kind(&error, ErrorKind::Unavailable);
    assert!(error.message.contains("timed out"), "{error}");
    assert_eq!(env.calls("instagram.refresh"), 2, "max_attempts = 2");
    assert!(started.elapsed() < Duration::from_millis(SLOW_MS * 2));
}

#[tokio::test]
async fn youtube_slow_refresh_is_retried() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    env.inject("google.token", SLOW, Some(1));
    let renewed = env
        .connector(YT)
        .refresh(channel.kind, &channel.credentials)
        .await
        .unwrap();
    assert_eq!(renewed.refresh_token, channel.credentials.refresh_token);
    assert_eq!(env.calls("google.token"), 3, "exchange + timed out + retry");
}

#[tokio::test]
async fn tiktok_slow_code_exchange_has_an_unknown_outcome() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let code = env.authorize_code(TT, |_| {}).await;
    env.inject("tiktok.token", SLOW, Some(1));
    let error = expect_err(env.exchange(TT, &code).await, "slow exchange");
    assert_kind(&error, ErrorKind::OutcomeUnknown);
    assert!(!error.is_transient());
    assert_eq!(env.calls("tiktok.token"), 1, "not repeated");
    assert_eq!(env.calls("tiktok.user_info"), 0);
}

#[tokio::test]
async fn tiktok_slow_refresh_has_an_unknown_outcome() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    env.inject("tiktok.token", SLOW, Some(1));
    let error = expect_err(
        env.connector(TT)
            .refresh(account.kind, &account.credentials)
            .await,
        "slow refresh",
    );
    assert_kind(&error, ErrorKind::OutcomeUnknown);
    assert_eq!(env.calls("tiktok.token"), 2);
}

#[tokio::test]
async fn youtube_slow_code_exchange_has_an_unknown_outcome() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let code = env.authorize_code(YT, |_| {}).await;
    env.inject("google.token", SLOW, Some(1));
    let error = expect_err(env.exchange(YT, &code).await, "slow exchange");
    assert_kind(&error, ErrorKind::OutcomeUnknown);
    assert_eq!(env.calls("google.token"), 1);
}

#[tokio::test]
async fn instagram_slow_code_exchange_has_an_unknown_outcome() {
    let env = Env::with(|s| s.options = impatient_options()).await;
    let code = env.authorize_code(IG, |_| {}).await;
    env.inject("instagram.access_token", SLOW, Some(1));
    let error = expect_err(env.exchange(IG, &code).await, "slow exchange");
    assert_kind(&error, ErrorKind::OutcomeUnknown);
    assert_eq!(env.calls("instagram.access_token"), 1);
}

#[tokio::test]
async fn meta_slow_code_exchange_has_an_unknown_outcome() {
    // A GET, but it spends a single-use code.
    let env = Env::with(|s| s.options = impatient_options()).await;
    let code = env.authorize_code(FB, |_| {}).await;
    env.inject("meta.access_token", SLOW, Some(1));
    let error = expect_err(env.exchange(FB, &code).await, "slow exchange");
    assert_kind(&error, ErrorKind::OutcomeUnknown);
    assert_eq!(env.calls("meta.access_token"), 1);
}

#[tokio::test]
async fn an_unreachable_platform_is_unavailable() {
    // Bind a port, then free it: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let env = Env::start().await;
    let client = PlatformClient::new(env.clock.clone(), fast_options()).unwrap();
    let tiktok = herald_platforms::tiktok::TikTok::new(
        herald_platforms::AppConfig {
            client_id: env.sandbox.config().tiktok.client_id.clone(),
            client_secret: herald_platforms::Secret::new("x"),
            hosts: herald_platforms::Hosts::sandbox(dead),
        },
        client,
    );
    let error = expect_err(
        herald_platforms::Connector::exchange(
            &tiktok,
            &herald_platforms::CodeExchange {
                code: "c",
                redirect_uri: REDIRECT,
                pkce_verifier: VERIFIER,
            },
        )
        .await,
        "nothing listening",
    );
    // Nothing was sent: safe to call again, even for a code exchange.
    assert_kind(&error, ErrorKind::Unavailable);
    assert!(error.message.contains("could not connect"), "{error}");
}

// ============================================================ ExpiredToken / RevokedToken

#[tokio::test]
async fn meta_token_faults_ask_to_reconnect() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    let connector = env.connector(FB);
    for (kind, code) in [
        (FaultKind::ExpiredToken, "190/463"),
        (FaultKind::RevokedToken, "190/460"),
    ] {
        env.inject("meta.me", kind, Some(1));
        let before = env.calls("meta.me");
        let error = expect_err(connector.refresh(page.kind, &page.credentials).await, code);
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some(code));
        assert_eq!(env.calls("meta.me"), before + 1, "not retried");
    }
}

#[tokio::test]
async fn meta_code_faults_on_the_exchange_are_bad_requests() {
    let env = Env::start().await;
    for (kind, code) in [
        (FaultKind::ExpiredToken, "100/36007"),
        (FaultKind::RevokedToken, "100/36009"),
    ] {
        let auth = env.authorize_code(FB, |_| {}).await;
        env.inject("meta.access_token", kind, Some(1));
        let error = expect_err(env.exchange(FB, &auth).await, code);
        assert_kind(&error, ErrorKind::BadRequest);
        assert_eq!(error.code.as_deref(), Some(code));
    }
    assert_eq!(env.calls("meta.access_token"), 2);
}

#[tokio::test]
async fn meta_token_fault_on_an_object_read_fails_the_exchange() {
    let env = Env::start().await;
    env.inject("meta.object", FaultKind::RevokedToken, Some(1));
    let error = expect_err(env.connect_with(FB, |_| {}).await, "revoked Page token");
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("190/460"));
}

#[tokio::test]
async fn instagram_token_faults_ask_to_reconnect() {
    let env = Env::start().await;
    let account = instagram_account(&env).await;
    for (kind, code) in [
        (FaultKind::ExpiredToken, "190/463"),
        (FaultKind::RevokedToken, "190/460"),
    ] {
        env.inject("instagram.refresh", kind, Some(1));
        let error = expect_err(
            env.connector(IG)
                .refresh(account.kind, &account.credentials)
                .await,
            code,
        );
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some(code));
        assert_eq!(error.provider, IG);
    }
    assert_eq!(env.calls("instagram.refresh"), 2);

    env.inject("instagram.me", FaultKind::ExpiredToken, Some(1));
    let error = expect_err(env.connect_with(IG, |_| {}).await, "expired on /me");
    assert_kind(&error, ErrorKind::Reconnect);
}

#[tokio::test]
async fn tiktok_token_faults_ask_to_reconnect() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    for kind in [FaultKind::ExpiredToken, FaultKind::RevokedToken] {
        env.inject("tiktok.token", kind, Some(1));
        let error = expect_err(
            env.connector(TT)
                .refresh(account.kind, &account.credentials)
                .await,
            kind.name(),
        );
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some("invalid_grant"));
    }
    for kind in [FaultKind::ExpiredToken, FaultKind::RevokedToken] {
        env.inject("tiktok.user_info", kind, Some(1));
        let error = expect_err(env.connect_with(TT, |_| {}).await, kind.name());
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some("access_token_invalid"));
    }
    let error = expect_err(
        crate::tiktok::user_info(&env, &herald_platforms::Secret::new("act.unknown")).await,
        "unknown token",
    );
    assert_kind(&error, ErrorKind::Reconnect);
}

#[tokio::test]
async fn youtube_token_faults_ask_to_reconnect() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    for kind in [FaultKind::ExpiredToken, FaultKind::RevokedToken] {
        env.inject("google.token", kind, Some(1));
        let error = expect_err(
            env.connector(YT)
                .refresh(channel.kind, &channel.credentials)
                .await,
            kind.name(),
        );
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some("invalid_grant"));
    }
    for kind in [FaultKind::ExpiredToken, FaultKind::RevokedToken] {
        env.inject("youtube.channels", kind, Some(1));
        let error = expect_err(env.connect_with(YT, |_| {}).await, kind.name());
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some("authError"));
    }
}

/// Google's userinfo answers a dead token with
/// `401 {"error":"invalid_request","error_description":"Invalid Credentials"}`.
#[tokio::test]
async fn youtube_token_fault_on_userinfo_asks_to_reconnect() {
    let env = Env::start().await;
    env.inject("google.userinfo", FaultKind::ExpiredToken, Some(1));
    let error = expect_err(env.connect_with(YT, |_| {}).await, "expired on userinfo");
    assert_kind(&error, ErrorKind::Reconnect);
}

// ============================================================ MissingPermission

#[tokio::test]
async fn meta_missing_permission_asks_for_consent_again() {
    let env = Env::start().await;
    for endpoint in ["meta.me_accounts", "meta.object", "meta.permissions"] {
        env.inject(endpoint, FaultKind::MissingPermission, Some(1));
        let error = expect_err(env.connect_with(FB, |_| {}).await, endpoint);
        assert_reconsent(&error);
    }
    let grant = env.connect(FB).await;
    let page = page(&grant.accounts);
    env.inject("meta.me", FaultKind::MissingPermission, Some(1));
    let error = expect_err(
        env.connector(FB)
            .refresh(page.kind, &page.credentials)
            .await,
        "meta.me",
    );
    assert_reconsent(&error);
    assert_eq!(error.code.as_deref(), Some("200"));
}

#[tokio::test]
async fn instagram_missing_permission_asks_for_consent_again() {
    let env = Env::start().await;
    env.inject("instagram.me", FaultKind::MissingPermission, Some(1));
    let error = expect_err(env.connect_with(IG, |_| {}).await, "instagram.me");
    assert_reconsent(&error);
    assert_eq!(error.code.as_deref(), Some("10"));

    let account = instagram_account(&env).await;
    env.inject("instagram.refresh", FaultKind::MissingPermission, Some(1));
    let error = expect_err(
        env.connector(IG)
            .refresh(account.kind, &account.credentials)
            .await,
        "instagram.refresh",
    );
    assert_reconsent(&error);
}

/// api.instagram.com's legacy `{"error_type","code":400,"error_message"}`.
#[tokio::test]
async fn instagram_code_faults_are_not_transient() {
    let env = Env::start().await;
    for kind in [
        FaultKind::ExpiredToken,
        FaultKind::RevokedToken,
        FaultKind::MissingPermission,
    ] {
        let code = env.authorize_code(IG, |_| {}).await;
        env.inject("instagram.access_token", kind, Some(1));
        let error = expect_err(env.exchange(IG, &code).await, kind.name());
        assert!(!error.is_transient(), "{kind:?}: {error}");
    }
}

#[tokio::test]
async fn tiktok_missing_permission() {
    let env = Env::start().await;
    env.inject("tiktok.user_info", FaultKind::MissingPermission, Some(1));
    let error = expect_err(env.connect_with(TT, |_| {}).await, "user info");
    assert_reconsent(&error);
    assert_eq!(error.code.as_deref(), Some("scope_not_authorized"));

    // On the token endpoint TikTok says `unauthorized_client`: the app
    // itself is not allowed, which an operator has to fix.
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    env.inject("tiktok.token", FaultKind::MissingPermission, Some(1));
    let error = expect_err(
        env.connector(TT)
            .refresh(account.kind, &account.credentials)
            .await,
        "token",
    );
    assert_kind(&error, ErrorKind::Misconfigured);
    assert_eq!(error.code.as_deref(), Some("unauthorized_client"));
}

#[tokio::test]
async fn youtube_missing_permission() {
    let env = Env::start().await;
    env.inject("youtube.channels", FaultKind::MissingPermission, Some(1));
    let error = expect_err(env.connect_with(YT, |_| {}).await, "channels");
    assert_reconsent(&error);
    assert_eq!(error.code.as_deref(), Some("insufficientPermissions"));

    env.inject("google.userinfo", FaultKind::MissingPermission, Some(1));
    let error = expect_err(env.connect_with(YT, |_| {}).await, "userinfo");
    assert_reconsent(&error);

    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    env.inject("google.token", FaultKind::MissingPermission, Some(1));
    let error = expect_err(
        env.connector(YT)
            .refresh(channel.kind, &channel.credentials)
            .await,
        "token",
    );
    assert_kind(&error, ErrorKind::Misconfigured);
    assert_eq!(error.code.as_deref(), Some("unauthorized_client"));
}
