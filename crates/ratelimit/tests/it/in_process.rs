//! The in-process limiter, driven by a manual clock.

use std::sync::Arc;
use std::time::Duration;

use herald_core::{ManualClock, SignedDuration, Timestamp};
use herald_ratelimit::{Decision, InProcessLimiter, Limit, LimitError, RateLimiter};

const LOGIN: Limit = Limit::new("login", 3, Duration::from_secs(60));
const RESET: Limit = Limit::new("reset", 3, Duration::from_secs(60));

fn limiter() -> (Arc<InProcessLimiter>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_800_000_000).unwrap(),
    ));
    (Arc::new(InProcessLimiter::new(clock.clone())), clock)
}

async fn hits(limiter: &dyn RateLimiter, limit: &Limit, key: &str, n: usize) -> Vec<Decision> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(limiter.hit(limit, key).await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_burst_is_allowed_then_limited_until_one_interval_has_passed() {
    let (limiter, _) = limiter();
    assert_eq!(
        hits(&*limiter, &LOGIN, "alice", 4).await,
        vec![
            Decision::Allowed { remaining: 2 },
            Decision::Allowed { remaining: 1 },
            Decision::Allowed { remaining: 0 },
            Decision::Limited {
                retry_after: Duration::from_secs(20)
            },
        ]
    );
}

#[tokio::test]
async fn time_passing_refills_the_bucket_evenly() {
    let (limiter, clock) = limiter();
    hits(&*limiter, &LOGIN, "alice", 3).await;

    clock.advance(SignedDuration::from_secs(5));
    assert_eq!(
        limiter.hit(&LOGIN, "alice").await.unwrap(),
        Decision::Limited {
            retry_after: Duration::from_secs(15)
        }
    );
    clock.advance(SignedDuration::from_secs(15));
    assert_eq!(
        hits(&*limiter, &LOGIN, "alice", 2).await,
        vec![
            Decision::Allowed { remaining: 0 },
            Decision::Limited {
                retry_after: Duration::from_secs(20)
            },
        ]
    );
    clock.advance(SignedDuration::from_secs(60));
    assert_eq!(
        limiter.hit(&LOGIN, "alice").await.unwrap(),
        Decision::Allowed { remaining: 2 }
    );
}

#[tokio::test]
async fn clear_forgets_the_attempts_of_a_key() {
    let (limiter, _) = limiter();
    hits(&*limiter, &LOGIN, "alice", 4).await;
    hits(&*limiter, &LOGIN, "bob", 4).await;
    limiter.clear(&LOGIN, "alice").await.unwrap();
    assert_eq!(
        limiter.hit(&LOGIN, "alice").await.unwrap(),
        Decision::Allowed { remaining: 2 }
    );
    assert!(!limiter.hit(&LOGIN, "bob").await.unwrap().is_allowed());
    // Clearing a key never seen is fine.
    limiter.clear(&RESET, "nobody").await.unwrap();
}

#[tokio::test]
async fn keys_and_limits_are_counted_independently() {
    let (limiter, _) = limiter();
    hits(&*limiter, &LOGIN, "alice", 3).await;
    assert!(!limiter.hit(&LOGIN, "alice").await.unwrap().is_allowed());
    assert_eq!(
        limiter.hit(&LOGIN, "bob").await.unwrap(),
        Decision::Allowed { remaining: 2 }
    );
    assert_eq!(
        limiter.hit(&RESET, "alice").await.unwrap(),
        Decision::Allowed { remaining: 2 }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_hits_on_one_key_let_exactly_the_burst_through() {
    let (limiter, _) = limiter();
    let limit = Limit::new("concurrent", 7, Duration::from_secs(60));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let limiter = limiter.clone();
        tasks.spawn(async move { limiter.hit(&limit, "alice").await.unwrap() });
    }
    let allowed = tasks
        .join_all()
        .await
        .iter()
        .filter(|d| d.is_allowed())
        .count();
    assert_eq!(allowed, 7);
}

#[tokio::test]
async fn a_clock_moving_backwards_releases_nothing_early() {
    let (limiter, clock) = limiter();
    hits(&*limiter, &LOGIN, "alice", 3).await;
    clock.advance(SignedDuration::from_secs(-30));
    match limiter.hit(&LOGIN, "alice").await.unwrap() {
        Decision::Limited { retry_after } => assert_eq!(retry_after, Duration::from_secs(50)),
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[tokio::test]
async fn a_limit_that_allows_nothing_is_an_error_not_a_decision() {
    let (limiter, _) = limiter();
    let broken = Limit {
        name: "broken",
        burst: 0,
        per: Duration::from_secs(1),
    };
    let err = limiter.hit(&broken, "alice").await.unwrap_err();
    assert!(matches!(
        err,
        LimitError::InvalidLimit { name: "broken", .. }
    ));
}

#[tokio::test]
async fn the_in_process_backend_is_always_ready() {
    let (limiter, _) = limiter();
    assert_eq!(limiter.backend(), "in-process");
    limiter.ping().await.unwrap();
}
