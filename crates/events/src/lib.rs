//! Domain events, as durable as the change they describe.
//!
//! A feature appends an [`Event`] with [`Outbox::append`] inside the
//! transaction of its change (the caller commits): a rolled-back change
//! emits nothing, a committed one always does. A [`Relay`] — started with
//! [`spawn_relay`] in every process that runs workers — reads the
//! `event_outbox` table in order and hands each event to a [`Sink`]:
//! [`NatsSink`] (JetStream, when `HERALD_NATS_URL` is set) or [`LocalSink`]
//! (in-process subscribers). A committed append wakes this process's relay
//! at once (and, on PostgreSQL, every process's through `pg_notify`); a
//! short poll is the safety net.
//!
//! Delivery is at least once and in outbox order. One relay at a time holds
//! a lease in the database, so several processes never relay side by side;
//! a relay that dies after publishing but before marking its rows leaves
//! them to be sent again, and JetStream drops the repeat because the
//! message id (`Nats-Msg-Id`) is the event id. In-process subscribers
//! deduplicate by [`EventId`] themselves. When the sink is down, rows stay
//! pending and are retried with backoff; relayed rows are purged after the
//! retention period.
//!
//! The publishing subjects and their typed payloads are in [`publish`].

mod event;
mod local;
pub mod metrics;
mod nats;
mod outbox;
pub mod publish;
mod relay;
mod sink;
mod store;

pub use event::{Event, EventId, InvalidSubject, Subject, SubjectFilter};
pub use local::{LocalSink, Subscription};
pub use nats::{NatsOptions, NatsSink, redact_nats_url};
pub use outbox::{MAX_PAYLOAD_BYTES, Outbox, Sequence, StoredEvent};
pub use publish::{
    PUBLISH_REQUEST, PUBLISH_RESULT, PublishOutcome, PublishRequestEvent, PublishResultEvent,
};
pub use relay::{Relay, RelayOptions, RelayStep, default_relay_id, spawn_relay};
pub use sink::{Delivery, Sink, SinkError};

/// Errors of the outbox and the relay's storage.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("event storage failed")]
    Db(#[from] herald_db::DbError),
    #[error("could not encode the event payload")]
    Encode(#[source] serde_json::Error),
    #[error(transparent)]
    Subject(#[from] InvalidSubject),
    #[error("the event payload is {size} bytes; at most {max} are allowed")]
    TooLarge { size: usize, max: usize },
    #[error("event {0} is already in the outbox")]
    Duplicate(EventId),
}

impl From<sqlx::Error> for EventsError {
    fn from(e: sqlx::Error) -> Self {
        EventsError::Db(e.into())
    }
}

/// `err` and its causes on one line, for `last_error` and logs.
pub(crate) use herald_core::error::chain as describe;
