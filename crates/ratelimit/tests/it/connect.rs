//! Picking a backend from the configuration, and the errors of a Redis URL
//! that cannot work. None of these needs a Redis server.

use std::error::Error;
use std::sync::Arc;

use herald_core::SystemClock;
use herald_ratelimit::{LimitError, connect};

/// The error's message and every cause's, as an operator would see them.
fn chain(err: &LimitError) -> String {
    let mut text = format!("{err} / {err:?}");
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(&format!(" / {c}"));
        cause = c.source();
    }
    text
}

#[tokio::test]
async fn without_a_redis_url_the_limiter_is_in_process() {
    let limiter = connect(None, Arc::new(SystemClock)).await.unwrap();
    assert_eq!(limiter.backend(), "in-process");
}

#[tokio::test]
async fn an_unreachable_redis_fails_at_start_without_showing_the_password() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let err = connect(Some("redis://:s3cret@127.0.0.1:1/0"), Arc::new(SystemClock))
        .await
        .err()
        .expect("nothing listens on port 1");
    assert!(matches!(err, LimitError::Connect { .. }), "{err:?}");
    let text = chain(&err);
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("redis://:***@127.0.0.1:1/0"), "{text}");
}

#[tokio::test]
async fn a_url_that_is_not_redis_is_refused_without_showing_the_password() {
    let err = connect(
        Some("postgres://herald:s3cret@db/herald"),
        Arc::new(SystemClock),
    )
    .await
    .err()
    .expect("not a Redis URL");
    assert!(matches!(err, LimitError::InvalidUrl { .. }), "{err:?}");
    let text = chain(&err);
    assert!(!text.contains("s3cret"), "{text}");
}

#[tokio::test]
async fn a_tls_url_without_a_server_fails_as_an_error_not_a_panic() {
    let err = connect(Some("rediss://:s3cret@127.0.0.1:1"), Arc::new(SystemClock))
        .await
        .err()
        .expect("nothing listens on port 1");
    assert!(matches!(err, LimitError::Connect { .. }), "{err:?}");
    assert!(!chain(&err).contains("s3cret"));
}
