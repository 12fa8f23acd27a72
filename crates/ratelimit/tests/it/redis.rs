//! The Redis limiter against a real server. Time cannot be mocked here: the
//! limits are short (a few hundred milliseconds) and waits poll with a
//! deadline. Every test uses fresh keys, so parallel runs never collide.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_ratelimit::{Decision, Limit, RateLimiter, RedisLimiter, connect};

/// Three attempts, one back every 200 ms.
const SHORT: Limit = Limit::new("test_short", 3, Duration::from_millis(600));
/// Long enough that nothing refills while a test runs.
const LONG: Limit = Limit::new("test_long", 5, Duration::from_secs(60));
const OTHER: Limit = Limit::new("test_other", 5, Duration::from_secs(60));

fn redis_url() -> String {
    std::env::var("HERALD_TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "these tests need Redis: set HERALD_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) \
             or leave out `--ignored redis`"
        )
    })
}

async fn limiter() -> Arc<RedisLimiter> {
    let url = redis_url();
    Arc::new(
        RedisLimiter::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to HERALD_TEST_REDIS_URL: {e:?}")),
    )
}

fn fresh_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn hits(limiter: &dyn RateLimiter, limit: &Limit, key: &str, n: usize) -> Vec<Decision> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(limiter.hit(limit, key).await.unwrap());
    }
    out
}

/// Hits until allowed, every 10 ms, failing after `deadline`.
async fn hit_until_allowed(limiter: &dyn RateLimiter, limit: &Limit, key: &str) -> Decision {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let decision = limiter.hit(limit, key).await.unwrap();
        if decision.is_allowed() {
            return decision;
        }
        assert!(Instant::now() < deadline, "{key} was never allowed again");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn count_allowed_of_fifty(limiters: &[Arc<RedisLimiter>], key: &str) -> usize {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let limiter = limiters[i % limiters.len()].clone();
        let key = key.to_owned();
        tasks.spawn(async move { limiter.hit(&LONG, &key).await.unwrap() });
    }
    tasks
        .join_all()
        .await
        .iter()
        .filter(|d| d.is_allowed())
        .count()
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_allows_a_burst_then_limits_for_about_one_interval() {
    let limiter = limiter().await;
    let key = fresh_key();
    let got = hits(&*limiter, &LONG, &key, 6).await;
    assert_eq!(
        got[..5],
        [
            Decision::Allowed { remaining: 4 },
            Decision::Allowed { remaining: 3 },
            Decision::Allowed { remaining: 2 },
            Decision::Allowed { remaining: 1 },
            Decision::Allowed { remaining: 0 },
        ]
    );
    match got[5] {
        // One interval is 12 s, less the few ms the hits took.
        Decision::Limited { retry_after } => assert!(
            retry_after <= Duration::from_secs(12) && retry_after > Duration::from_secs(11),
            "{retry_after:?}"
        ),
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_refills_the_bucket_as_time_passes() {
    let limiter = limiter().await;
    let key = fresh_key();
    hits(&*limiter, &SHORT, &key, 3).await;
    let retry_after = match limiter.hit(&SHORT, &key).await.unwrap() {
        Decision::Limited { retry_after } => retry_after,
        other => panic!("expected a limit, got {other:?}"),
    };
    assert!(retry_after <= Duration::from_millis(200), "{retry_after:?}");
    let limited_at = Instant::now();

    hit_until_allowed(&*limiter, &SHORT, &key).await;
    // Allowed no earlier than the server said (less a little scheduling slack).
    assert!(
        limited_at.elapsed() + Duration::from_millis(20) >= retry_after,
        "allowed after {:?}, told {retry_after:?}",
        limited_at.elapsed()
    );

    // Left alone for the whole period (waiting is the point here), the key
    // is back to a full burst.
    tokio::time::sleep(SHORT.per + Duration::from_millis(20)).await;
    assert_eq!(
        limiter.hit(&SHORT, &key).await.unwrap(),
        Decision::Allowed { remaining: 2 }
    );
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_clear_forgets_the_attempts_of_a_key() {
    let limiter = limiter().await;
    let (alice, bob) = (fresh_key(), fresh_key());
    hits(&*limiter, &LONG, &alice, 6).await;
    hits(&*limiter, &LONG, &bob, 6).await;
    limiter.clear(&LONG, &alice).await.unwrap();
    assert_eq!(
        limiter.hit(&LONG, &alice).await.unwrap(),
        Decision::Allowed { remaining: 4 }
    );
    assert!(!limiter.hit(&LONG, &bob).await.unwrap().is_allowed());
    limiter.clear(&LONG, &fresh_key()).await.unwrap();
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_counts_keys_and_limits_independently() {
    let limiter = limiter().await;
    let (alice, bob) = (fresh_key(), fresh_key());
    hits(&*limiter, &LONG, &alice, 5).await;
    assert!(!limiter.hit(&LONG, &alice).await.unwrap().is_allowed());
    assert_eq!(
        limiter.hit(&LONG, &bob).await.unwrap(),
        Decision::Allowed { remaining: 4 }
    );
    assert_eq!(
        limiter.hit(&OTHER, &alice).await.unwrap(),
        Decision::Allowed { remaining: 4 }
    );
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_shares_counts_between_two_instances() {
    let (a, b) = (limiter().await, limiter().await);
    let key = fresh_key();
    assert_eq!(
        [
            a.hit(&LONG, &key).await.unwrap(),
            b.hit(&LONG, &key).await.unwrap(),
            a.hit(&LONG, &key).await.unwrap(),
            b.hit(&LONG, &key).await.unwrap(),
            a.hit(&LONG, &key).await.unwrap(),
        ],
        [
            Decision::Allowed { remaining: 4 },
            Decision::Allowed { remaining: 3 },
            Decision::Allowed { remaining: 2 },
            Decision::Allowed { remaining: 1 },
            Decision::Allowed { remaining: 0 },
        ]
    );
    assert!(!b.hit(&LONG, &key).await.unwrap().is_allowed());
    a.clear(&LONG, &key).await.unwrap();
    assert!(b.hit(&LONG, &key).await.unwrap().is_allowed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_lets_exactly_the_burst_through_fifty_concurrent_hits() {
    let limiter = limiter().await;
    assert_eq!(count_allowed_of_fifty(&[limiter], &fresh_key()).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_lets_exactly_the_burst_through_fifty_hits_from_two_instances() {
    let limiters = [limiter().await, limiter().await];
    assert_eq!(count_allowed_of_fifty(&limiters, &fresh_key()).await, 5);
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_keys_expire_once_their_attempts_no_longer_count() {
    let limiter = limiter().await;
    let key = fresh_key();
    let stored = RedisLimiter::redis_key(&SHORT, &key);
    assert!(stored.starts_with("herald:rl:test_short:"));
    hits(&*limiter, &SHORT, &key, 2).await;

    let client = ::redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let ttl: i64 = ::redis::cmd("PTTL")
        .arg(&stored)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0 && ttl <= 400, "PTTL {ttl}");

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let exists: i64 = ::redis::cmd("EXISTS")
            .arg(&stored)
            .query_async(&mut conn)
            .await
            .unwrap();
        if exists == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{stored} never expired");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_is_picked_by_connect_and_answers_ping() {
    let limiter = connect(Some(&redis_url()), Arc::new(herald_core::SystemClock))
        .await
        .unwrap();
    assert_eq!(limiter.backend(), "redis");
    limiter.ping().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_over_tls_to_a_plain_server_fails_at_start_without_hanging() {
    let url = redis_url().replacen("redis://", "rediss://", 1);
    let started = Instant::now();
    let err = RedisLimiter::connect(&url)
        .await
        .expect_err("a plain server cannot complete a TLS handshake");
    assert!(
        matches!(err, herald_ratelimit::LimitError::Connect { .. }),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

/// A `redis-server` of this test's own on a free port, killed when dropped.
struct OwnServer {
    child: std::process::Child,
    port: u16,
}

impl OwnServer {
    fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("this test starts its own redis-server, which must be on PATH");
        Self { child, port }
    }

    fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn connect(&self) -> RedisLimiter {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match RedisLimiter::connect(&self.url()).await {
                Ok(limiter) => return limiter,
                Err(e) if Instant::now() > deadline => panic!("own redis-server not up: {e:?}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_errors_fast_while_the_server_is_down_and_recovers_when_it_is_back() {
    let port = OwnServer::free_port();
    let server = OwnServer::start(port);
    let limiter = server.connect().await;
    let key = fresh_key();
    assert!(limiter.hit(&LONG, &key).await.unwrap().is_allowed());

    drop(server);
    for _ in 0..3 {
        let started = Instant::now();
        let err = limiter.hit(&LONG, &key).await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "took {:?}: {err}",
            started.elapsed()
        );
        assert!(limiter.ping().await.is_err());
    }

    let _server = OwnServer::start(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match limiter.hit(&LONG, &key).await {
            // A new, empty server: the key starts afresh.
            Ok(decision) => {
                assert_eq!(decision, Decision::Allowed { remaining: 4 });
                break;
            }
            Err(e) => assert!(Instant::now() < deadline, "never recovered: {e:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    limiter.ping().await.unwrap();
}
