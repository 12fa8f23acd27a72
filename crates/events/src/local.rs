//! In-process subscribers: the sink used when no NATS server is configured.
//!
//! Each [`Subscription`] is a bounded channel with a subject filter. The
//! relay waits (up to a limit) for room in a full channel rather than drop an
//! event, so a slow subscriber holds events back in the outbox instead of
//! losing them; a subscription that was dropped is forgotten. A subscriber
//! may see an event twice (when the relay re-sends after a failure) and
//! recognises the repeat by its [`EventId`](crate::EventId).
//!
//! Only the process whose relay holds the lease delivers, so in-process
//! subscribers see every event in a single-process deployment (`herald
//! serve` on SQLite). With several processes, subscribers that must see
//! every event belong on NATS.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::event::{Event, InvalidSubject, SubjectFilter};
use crate::sink::{Delivery, Sink, SinkError};

struct Subscriber {
    filter: SubjectFilter,
    tx: mpsc::Sender<Event>,
}

/// The in-process sink; cheap to clone (clones share subscribers).
#[derive(Clone)]
pub struct LocalSink {
    subscribers: Arc<Mutex<Vec<Subscriber>>>,
    capacity: usize,
    send_timeout: Duration,
}

impl Default for LocalSink {
    fn default() -> Self {
        LocalSink::new()
    }
}

impl LocalSink {
    /// Channels of 1024 events; a full one is waited on for 5 s.
    pub fn new() -> LocalSink {
        LocalSink::with_limits(1024, Duration::from_secs(5))
    }

    /// Channels of `capacity` events; the relay waits up to `send_timeout`
    /// for room before it gives up and retries later.
    pub fn with_limits(capacity: usize, send_timeout: Duration) -> LocalSink {
        LocalSink {
            subscribers: Arc::default(),
            capacity: capacity.max(1),
            send_timeout,
        }
    }

    /// Receives every event relayed from now on whose subject matches
    /// `filter` (NATS wildcards: `platform.publish.>`,
    /// `platform.publish.result.*`).
    pub fn subscribe(&self, filter: &str) -> Result<Subscription, InvalidSubject> {
        let filter = SubjectFilter::parse(filter)?;
        let (tx, rx) = mpsc::channel(self.capacity);
        self.lock().push(Subscriber { filter, tx });
        Ok(Subscription { rx })
    }

    /// Live subscriptions.
    pub fn subscribers(&self) -> usize {
        let mut subs = self.lock();
        subs.retain(|s| !s.tx.is_closed());
        subs.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Subscriber>> {
        self.subscribers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Sink for LocalSink {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn publish(&self, event: &Event) -> Result<Delivery, SinkError> {
        let targets: Vec<(SubjectFilter, mpsc::Sender<Event>)> = {
            let mut subs = self.lock();
            subs.retain(|s| !s.tx.is_closed());
            subs.iter()
                .filter(|s| s.filter.matches(&event.subject))
                .map(|s| (s.filter.clone(), s.tx.clone()))
                .collect()
        };
        for (filter, tx) in targets {
            match tokio::time::timeout(self.send_timeout, tx.send(event.clone())).await {
                Ok(Ok(())) => {}
                // Dropped meanwhile: nobody to deliver to.
                Ok(Err(_closed)) => {}
                Err(_elapsed) => {
                    return Err(SinkError::SubscriberBusy {
                        filter: filter.to_string(),
                        waited: self.send_timeout,
                    });
                }
            }
        }
        Ok(Delivery::Delivered)
    }
}

/// Events for one subscriber, in relay order.
pub struct Subscription {
    rx: mpsc::Receiver<Event>,
}

impl Subscription {
    /// The next event; `None` once the sink is gone.
    pub async fn recv(&mut self) -> Option<Event> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.rx.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Subject;

    fn event(subject: &str) -> Event {
        Event::new(
            Subject::parse(subject).unwrap(),
            serde_json::json!({}),
            herald_core::Timestamp::UNIX_EPOCH,
        )
    }

    #[tokio::test]
    async fn each_subscriber_gets_the_events_its_filter_matches() {
        let sink = LocalSink::new();
        let mut all = sink.subscribe("platform.publish.>").unwrap();
        let mut results = sink.subscribe("platform.publish.result.*").unwrap();
        let dropped = sink.subscribe(">").unwrap();
        drop(dropped);
        sink.publish(&event("platform.publish.request.tiktok"))
            .await
            .unwrap();
        sink.publish(&event("platform.publish.result.tiktok"))
            .await
            .unwrap();
        assert_eq!(
            all.try_recv().unwrap().subject.as_str(),
            "platform.publish.request.tiktok"
        );
        assert_eq!(
            all.try_recv().unwrap().subject.as_str(),
            "platform.publish.result.tiktok"
        );
        assert_eq!(
            results.try_recv().unwrap().subject.as_str(),
            "platform.publish.result.tiktok"
        );
        assert!(results.try_recv().is_none());
        assert_eq!(sink.subscribers(), 2);
    }

    #[tokio::test]
    async fn a_full_subscriber_fails_the_delivery_instead_of_losing_the_event() {
        let sink = LocalSink::with_limits(1, Duration::from_millis(20));
        let mut sub = sink.subscribe(">").unwrap();
        sink.publish(&event("a.b")).await.unwrap();
        let err = sink.publish(&event("a.c")).await.unwrap_err();
        assert!(matches!(err, SinkError::SubscriberBusy { .. }), "{err:?}");
        assert_eq!(sub.recv().await.unwrap().subject.as_str(), "a.b");
        sink.publish(&event("a.c")).await.unwrap();
        assert_eq!(sub.recv().await.unwrap().subject.as_str(), "a.c");
    }
}
