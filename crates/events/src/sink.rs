//! The port the relay delivers to.

use std::time::Duration;

use async_trait::async_trait;

use crate::event::Event;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the sink did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Stored or handed on.
    Delivered,
    /// The sink already had it (a re-send after a crash) and kept one copy.
    Duplicate,
}

/// Why an event was not delivered. Every error is retried: the row stays in
/// the outbox and the relay tries again after a backoff.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("NATS: {context}")]
    Nats {
        context: &'static str,
        #[source]
        source: BoxError,
    },
    #[error("a local subscriber (`{filter}`) did not take the event within {waited:?}")]
    SubscriberBusy { filter: String, waited: Duration },
    #[error("could not encode the event")]
    Encode(#[source] serde_json::Error),
    #[error("the event sink failed")]
    Other(#[source] BoxError),
}

/// Where relayed events go. `publish` returns once the event is safely
/// handed on (for JetStream: stored and acknowledged); the relay marks the
/// row relayed only then. Implementations must accept the same event twice
/// (a re-send after a crash) and should recognise it by [`Event::id`].
#[async_trait]
pub trait Sink: Send + Sync + 'static {
    /// A short name for logs and metric labels (`nats`, `local`).
    fn name(&self) -> &'static str;

    async fn publish(&self, event: &Event) -> Result<Delivery, SinkError>;
}
