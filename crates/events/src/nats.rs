//! The JetStream sink: events become messages on a file-backed stream.
//!
//! The stream (`HERALD`, subjects `platform.>` by default) is created on
//! first use if it does not exist; an existing stream is used as the
//! operator configured it. Each event is published with `Nats-Msg-Id` set
//! to its id, and `publish` returns only after JetStream acknowledged
//! storing it. A re-send within the stream's duplicate window (10 minutes
//! when Herald creates the stream) is acknowledged as a duplicate and not
//! stored twice. The body is the [`Event`] as JSON.
//!
//! The client connects in the background and reconnects by itself, so
//! Herald starts while NATS is down; until it is back, publishes time out and
//! events wait in the outbox.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use async_trait::async_trait;

use crate::event::Event;
use crate::sink::{Delivery, Sink, SinkError};

/// Where and how events go to NATS.
#[derive(Clone)]
pub struct NatsOptions {
    /// `nats://[user:password@]host:4222` or `tls://…` (`HERALD_NATS_URL`).
    /// May hold credentials: never logged as given.
    pub url: String,
    /// The stream events are stored in (`HERALD_NATS_STREAM`).
    pub stream: String,
    /// Subjects of the stream when Herald creates it; they must cover every
    /// event subject (with `subject_prefix`), or publishing fails.
    pub stream_subjects: Vec<String>,
    /// Put before every subject, e.g. `tenant1.` (empty by default).
    pub subject_prefix: String,
    /// How long JetStream remembers message ids for deduplication (for a
    /// stream Herald creates).
    pub duplicate_window: Duration,
    /// How long messages stay in a stream Herald creates (zero: no limit).
    pub max_age: Duration,
    /// How long to wait for JetStream's acknowledgement of one event.
    pub ack_timeout: Duration,
    /// The connection's name, shown by the server's monitoring.
    pub connection_name: String,
}

impl NatsOptions {
    pub fn new(url: impl Into<String>) -> NatsOptions {
        NatsOptions {
            url: url.into(),
            stream: "HERALD".to_owned(),
            stream_subjects: vec!["platform.>".to_owned()],
            subject_prefix: String::new(),
            duplicate_window: Duration::from_secs(10 * 60),
            max_age: Duration::from_secs(30 * 24 * 60 * 60),
            ack_timeout: Duration::from_secs(5),
            connection_name: "herald".to_owned(),
        }
    }

    /// These options with every subject (and the stream's subjects) put
    /// under `prefix` — for tests sharing one server, or tenants.
    pub fn with_subject_prefix(mut self, prefix: &str) -> NatsOptions {
        let prefix = match prefix.trim_end_matches('.') {
            "" => String::new(),
            p => format!("{p}."),
        };
        self.stream_subjects = vec![format!("{prefix}platform.>")];
        self.subject_prefix = prefix;
        self
    }
}

/// `url` (one or several, comma-separated) with any user, password or
/// token replaced by `***`, for logs and messages.
pub fn redact_nats_url(url: &str) -> String {
    url.split(',')
        .map(|one| {
            let one = one.trim();
            let (scheme, rest) = match one.split_once("://") {
                Some((s, r)) => (Some(s), r),
                None => (None, one),
            };
            let end = rest.find('/').unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            let authority = match authority.rsplit_once('@') {
                Some((_, host)) => format!("***@{host}"),
                None => authority.to_owned(),
            };
            match scheme {
                Some(s) => format!("{s}://{authority}{tail}"),
                None => format!("{authority}{tail}"),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl std::fmt::Debug for NatsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsOptions")
            .field("url", &redact_nats_url(&self.url))
            .field("stream", &self.stream)
            .field("stream_subjects", &self.stream_subjects)
            .field("subject_prefix", &self.subject_prefix)
            .field("duplicate_window", &self.duplicate_window)
            .field("ack_timeout", &self.ack_timeout)
            .finish_non_exhaustive()
    }
}

/// Publishes events to JetStream.
pub struct NatsSink {
    client: async_nats::Client,
    js: jetstream::Context,
    opts: NatsOptions,
    stream_ready: AtomicBool,
    ensure: tokio::sync::Mutex<()>,
}

fn nats_err(context: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> SinkError {
    SinkError::Nats {
        context,
        source: Box::new(e),
    }
}

impl NatsSink {
    /// A sink for `opts.url`. Fails only on a malformed URL: the connection
    /// itself is made (and remade) in the background.
    pub async fn connect(opts: NatsOptions) -> Result<NatsSink, SinkError> {
        let client = async_nats::ConnectOptions::new()
            .name(&opts.connection_name)
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(opts.url.as_str())
            .await
            .map_err(|e| nats_err("invalid NATS URL (HERALD_NATS_URL)", e))?;
        tracing::info!(
            url = %redact_nats_url(&opts.url),
            stream = %opts.stream,
            "events go to NATS JetStream"
        );
        Ok(NatsSink::from_client(client, opts))
    }

    /// A sink over an existing client (its URL in `opts` is only shown).
    pub fn from_client(client: async_nats::Client, opts: NatsOptions) -> NatsSink {
        let js = jetstream::ContextBuilder::new()
            .timeout(opts.ack_timeout)
            .build(client.clone());
        NatsSink {
            client,
            js,
            opts,
            stream_ready: AtomicBool::new(false),
            ensure: tokio::sync::Mutex::new(()),
        }
    }

    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    pub fn options(&self) -> &NatsOptions {
        &self.opts
    }

    /// The NATS subject an event is published on.
    pub fn subject_for(&self, event: &Event) -> String {
        format!("{}{}", self.opts.subject_prefix, event.subject)
    }

    /// Creates the stream unless it exists.
    pub async fn ensure_stream(&self) -> Result<(), SinkError> {
        let _guard = self.ensure.lock().await;
        if self.stream_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let config = stream::Config {
            name: self.opts.stream.clone(),
            subjects: self.opts.stream_subjects.clone(),
            storage: stream::StorageType::File,
            duplicate_window: self.opts.duplicate_window,
            max_age: self.opts.max_age,
            description: Some("Herald domain events (transactional outbox relay)".to_owned()),
            ..Default::default()
        };
        let stream = self
            .js
            .get_or_create_stream(config)
            .await
            .map_err(|e| nats_err("could not find or create the event stream", e))?;
        let info = stream.cached_info();
        tracing::info!(
            stream = %info.config.name,
            subjects = ?info.config.subjects,
            duplicate_window = ?info.config.duplicate_window,
            "JetStream event stream ready"
        );
        self.stream_ready.store(true, Ordering::Release);
        Ok(())
    }
}

#[async_trait]
impl Sink for NatsSink {
    fn name(&self) -> &'static str {
        "nats"
    }

    async fn publish(&self, event: &Event) -> Result<Delivery, SinkError> {
        if !self.stream_ready.load(Ordering::Acquire) {
            self.ensure_stream().await?;
        }
        let body = serde_json::to_vec(event).map_err(SinkError::Encode)?;
        let message = PublishMessage::build()
            .payload(body.into())
            .message_id(event.id.to_string());
        let ack = self
            .js
            .send_publish(self.subject_for(event), message)
            .await
            .map_err(|e| nats_err("could not send the event", e))?
            .await
            .map_err(|e| {
                if e.kind() == jetstream::context::PublishErrorKind::StreamNotFound {
                    // Deleted or never made for these subjects: look again next time.
                    self.stream_ready.store(false, Ordering::Release);
                }
                nats_err("JetStream did not acknowledge the event", e)
            })?;
        Ok(if ack.duplicate {
            Delivery::Duplicate
        } else {
            Delivery::Delivered
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_tokens_never_show_in_a_redacted_url() {
        assert_eq!(
            redact_nats_url("nats://127.0.0.1:4222"),
            "nats://127.0.0.1:4222"
        );
        assert_eq!(
            redact_nats_url("nats://user:secret@nats.internal:4222"),
            "nats://***@nats.internal:4222"
        );
        assert_eq!(
            redact_nats_url("tls://s3cr3t-token@a:4222, nats://b:4222"),
            "tls://***@a:4222,nats://b:4222"
        );
        let opts = NatsOptions::new("nats://u:pw@h:4222");
        assert!(!format!("{opts:?}").contains("pw"));
    }

    #[test]
    fn a_subject_prefix_covers_the_stream_subjects() {
        let opts = NatsOptions::new("nats://h").with_subject_prefix("tenant1");
        assert_eq!(opts.subject_prefix, "tenant1.");
        assert_eq!(opts.stream_subjects, ["tenant1.platform.>"]);
        assert_eq!(NatsOptions::new("nats://h").stream_subjects, ["platform.>"]);
    }
}
