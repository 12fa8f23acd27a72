//! Webhooks, both ways.
//!
//! **Inbound** ([`Inbound`]): Meta posts events to `/webhooks/meta`. A
//! delivery is accepted only with a valid `X-Hub-Signature-256` over the
//! raw bytes ([`signature`]), stored durably with its headers — batched
//! with concurrent deliveries into one commit — and only then
//! acknowledged. The same bytes twice are one delivery (content hash). A
//! `webhooks.process.v1` job routes each entry by Instagram or Page id to
//! the workspaces that connected that account and applies the changes
//! (comments, mentions, messages, story insights) idempotently; failures
//! are retried on [`RETRY_SCHEDULE`] and end dead, with replay as a new,
//! recorded attempt.
//!
//! **Callbacks** ([`MetaCallbacks`]): Meta's deauthorize and data-deletion
//! requests (`signed_request`), with a public status page per deletion.
//!
//! **Inbox** ([`inbox::Inbox`]): the engagement inbox over the items the
//! deliveries (and, for YouTube, polling) store: lists, threads,
//! assignment, notes, done, and replies, hides and deletes performed on the
//! platform by a job.
//!
//! **Notices**: webhook-driven changes (new comments and messages, dead
//! deliveries, revoked access, failing endpoints) are raised through
//! `herald-notify` in the transaction of the change.
//!
//! **Retention** ([`Retention`]): deliveries and delivery logs are kept
//! for 30 days, as the privacy notice says.
//!
//! **Outbound** ([`outbound::Outbound`]): workspace endpoints receive
//! Herald's events signed per Standard Webhooks ([`standard`]), retried on
//! the same schedule, with a delivery log, replay, automatic disabling and
//! server-side request forgery protection ([`ssrf`], `herald-net`).

mod callbacks;
mod error;
mod inbound;
pub mod inbox;
pub mod outbound;
mod retention;
pub mod signature;
/// The SSRF guard outbound deliveries go through (`herald-net`).
pub use herald_net as ssrf;
pub mod standard;

pub use callbacks::*;
pub use error::WebhooksError;
pub use inbound::*;
pub use retention::{PurgeWebhookLogs, Purged, RETENTION, Retention};

use std::time::Duration;

/// When a failed attempt is tried again (webhook processing and outbound
/// delivery alike): at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
/// 10 h (about 27.6 h in all), each with ±20 % jitter. After the last, the
/// work is dead until someone replays it.
pub const RETRY_SCHEDULE: [Duration; 8] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// The delay before retry number `retry` (1-based: the first retry after
/// the first failure), jittered by ±20 %; `None` when the schedule is
/// exhausted.
pub fn retry_delay(retry: usize) -> Option<Duration> {
    let base = RETRY_SCHEDULE.get(retry.checked_sub(1)?)?;
    let factor = 0.8 + rand::random::<f64>() * 0.4;
    Some(base.mul_f64(factor))
}

/// Raises `raise` through `herald-notify` (with `queue`'s database and
/// wake-ups), inside `tx`.
pub(crate) async fn notify(
    queue: &herald_jobs::Queue,
    tx: &mut herald_db::Tx,
    raise: &herald_notify::Raise<'_>,
    now: herald_core::Timestamp,
) -> Result<(), WebhooksError> {
    herald_notify::Notifier::new(queue.clone())
        .raise(tx, raise, now)
        .await?;
    Ok(())
}

/// Registers the webhook job handlers.
pub fn register(
    registry: &mut herald_jobs::Registry,
    inbound: Inbound,
    callbacks: MetaCallbacks,
    outbound: outbound::Outbound,
    retention: Retention,
) {
    inbound.register_jobs(registry);
    callbacks.register_jobs(registry);
    outbound::register(registry, outbound);
    retention.register_jobs(registry);
}
