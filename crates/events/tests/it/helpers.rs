//! Shared test helpers: events, a manual clock, a sink that fails on
//! command, and waiting with a deadline.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use herald_core::{ManualClock, Timestamp};
use herald_db::Db;
use herald_events::{
    Delivery, Event, LocalSink, Outbox, PublishOutcome, PublishRequestEvent, RelayOptions, Sink,
    SinkError, Subscription,
};

pub fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub fn outbox(db: &Db) -> (Outbox, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    (Outbox::new(db.clone(), clock.clone()), clock)
}

pub fn request(n: usize, provider: &str) -> PublishRequestEvent {
    PublishRequestEvent {
        workspace_id: 1,
        post_id: format!("post_{n}"),
        target_id: format!("target_{n}"),
        provider: provider.to_owned(),
        account_id: "acct_1".to_owned(),
        attempt: 1,
        idempotency_key: format!("target_{n}:1"),
    }
}

/// The `n`th test event: a request, or every third one a result, spread
/// over two providers.
pub fn event(n: usize) -> Event {
    let provider = if n.is_multiple_of(2) {
        "instagram"
    } else {
        "tiktok"
    };
    let req = request(n, provider);
    if n.is_multiple_of(3) {
        req.result(PublishOutcome::Published)
            .to_event(t0())
            .unwrap()
    } else {
        req.to_event(t0()).unwrap()
    }
}

/// The number a test event was made from.
pub fn number(event: &Event) -> usize {
    event.payload["post_id"].as_str().unwrap()["post_".len()..]
        .parse()
        .unwrap()
}

/// Fast options for tests: short waits, retries after milliseconds.
pub fn options(relay_id: &str) -> RelayOptions {
    RelayOptions {
        relay_id: relay_id.to_owned(),
        batch_size: 50,
        poll_interval: Duration::from_millis(100),
        lease: Duration::from_secs(30),
        retry_base: Duration::from_millis(20),
        retry_cap: Duration::from_millis(200),
        ..RelayOptions::default()
    }
}

/// Polls `check` until it holds, failing the test after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The next event of `sub`, failing the test after `limit`.
pub async fn next(sub: &mut Subscription, limit: Duration) -> Event {
    tokio::time::timeout(limit, sub.recv())
        .await
        .expect("an event in time")
        .expect("the sink is alive")
}

/// What [`Flaky`] does with the next events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Deliver,
    /// Refuse, like a sink that is down.
    Refuse,
    /// Hand the event on, then report a failure: what the relay sees when
    /// it dies (or loses the acknowledgement) after publishing.
    DeliverThenFail,
}

/// A sink over a [`LocalSink`] that fails on command.
pub struct Flaky {
    pub inner: LocalSink,
    mode: Mutex<Mode>,
}

impl Flaky {
    pub fn new(inner: LocalSink, mode: Mode) -> Arc<Flaky> {
        Arc::new(Flaky {
            inner,
            mode: Mutex::new(mode),
        })
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the test sink is down")]
struct Down;

#[async_trait]
impl Sink for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }

    async fn publish(&self, event: &Event) -> Result<Delivery, SinkError> {
        let mode = *self.mode.lock().unwrap();
        match mode {
            Mode::Deliver => self.inner.publish(event).await,
            Mode::Refuse => Err(SinkError::Other(Box::new(Down))),
            Mode::DeliverThenFail => {
                self.inner.publish(event).await?;
                Err(SinkError::Other(Box::new(Down)))
            }
        }
    }
}
