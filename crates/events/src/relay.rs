//! The relay: moves committed events from the outbox to the sink, in order,
//! at least once.
//!
//! One step ([`Relay::relay_once`]) takes or renews the relay lease, reads
//! the oldest pending rows, publishes them one by one (each acknowledged
//! before the next, so the sink sees outbox order), and marks the delivered
//! ones relayed; the first failure ends the step and is recorded on its row.
//! [`Relay::run`] repeats the step: at once while a backlog remains, after a
//! wake-up (a commit) or the poll interval when idle, and after a growing
//! backoff while the sink fails. Only the lease holder relays, so several
//! processes never relay the same rows side by side; the others poll for
//! the lease and take over when its holder stops renewing it.
//!
//! Order is the outbox's id order as rows become visible. On PostgreSQL two
//! transactions may commit in the opposite order of their ids; the later id
//! then goes out first. An event appended after another one committed
//! always goes out after it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::SignedDuration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::metrics as m;
use crate::outbox::{self, Outbox, Sequence};
use crate::sink::{Delivery, Sink, SinkError};
use crate::{EventsError, describe, store};

/// The name of the relay lease row.
pub const LEASE_NAME: &str = "event_outbox";

/// How often the pending gauge is refreshed by the loop.
const GAUGE_EVERY: Duration = Duration::from_secs(5);
/// Rows deleted per purge statement.
const PURGE_CHUNK: i64 = 1000;

/// How a relay runs.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    /// Names this relay's lease; unique per process.
    pub relay_id: String,
    /// Most rows read and published per step.
    pub batch_size: usize,
    /// Longest sleep without a wake-up; also how often a standby relay
    /// looks for a free lease.
    pub poll_interval: Duration,
    /// How long the lease lasts without renewal. A step stops publishing at
    /// half of it, so the lease never runs out under a working relay.
    pub lease: Duration,
    /// The first retry after a failure waits about this long, each further
    /// one twice as long, up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Relayed rows older than this are purged.
    pub retention: Duration,
    /// How often the lease holder purges.
    pub purge_every: Duration,
}

impl Default for RelayOptions {
    fn default() -> Self {
        RelayOptions {
            relay_id: default_relay_id(),
            batch_size: 100,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            retry_base: Duration::from_millis(500),
            retry_cap: Duration::from_secs(15),
            retention: Duration::from_secs(7 * 24 * 60 * 60),
            purge_every: Duration::from_secs(60 * 60),
        }
    }
}

/// `host-pid-random`, so the lease names the process that holds it.
pub fn default_relay_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "herald".to_owned());
    format!(
        "{host}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// What one step did.
#[derive(Debug)]
pub enum RelayStep {
    /// Another relay holds the lease.
    Standby,
    /// Nothing was pending.
    Idle,
    /// `count` events were delivered (`duplicates` of them already known
    /// to the sink); `more` when others may be waiting.
    Relayed {
        count: usize,
        duplicates: usize,
        more: bool,
    },
    /// Delivery failed after `relayed` events; the rest stay pending.
    Failed { relayed: usize, error: SinkError },
}

/// Relays the outbox to one sink.
pub struct Relay {
    outbox: Outbox,
    sink: Arc<dyn Sink>,
    opts: RelayOptions,
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

/// The delay after `failures` failed steps in a row (1-based); `unit` is a
/// random number in `[0, 1)` that moves it by up to 20 % either way.
fn retry_delay(failures: u32, base: Duration, cap: Duration, unit: f64) -> Duration {
    let exp = failures.saturating_sub(1).min(30);
    let raw = base.saturating_mul(2u32.saturating_pow(exp)).min(cap);
    raw.mul_f64(1.0 + 0.2 * (2.0 * unit.clamp(0.0, 1.0) - 1.0))
}

impl Relay {
    pub fn new(outbox: Outbox, sink: Arc<dyn Sink>, opts: RelayOptions) -> Relay {
        Relay { outbox, sink, opts }
    }

    pub fn id(&self) -> &str {
        &self.opts.relay_id
    }

    /// One step: take or renew the lease, publish the oldest pending events
    /// in order, mark the delivered ones. Errors are storage errors; a sink
    /// failure is [`RelayStep::Failed`].
    pub async fn relay_once(&self) -> Result<RelayStep, EventsError> {
        let db = &self.outbox.db;
        let clock = &self.outbox.clock;
        let now = clock.now();
        let until = now + signed(self.opts.lease);
        if !store::acquire_lease(db, LEASE_NAME, &self.opts.relay_id, now, until).await? {
            return Ok(RelayStep::Standby);
        }
        let batch = self.opts.batch_size.max(1);
        let rows = store::head(db, batch).await?;
        if rows.is_empty() {
            return Ok(RelayStep::Idle);
        }
        let deadline = Instant::now() + self.opts.lease / 2;
        let sink = self.sink.name();
        let mut delivered: Vec<Sequence> = Vec::with_capacity(rows.len());
        let mut duplicates = 0;
        let mut failure = None;
        let mut cut_short = false;
        for row in &rows {
            if Instant::now() >= deadline {
                cut_short = true;
                break;
            }
            match self.sink.publish(&row.event).await {
                Ok(delivery) => {
                    if delivery == Delivery::Duplicate {
                        duplicates += 1;
                        tracing::info!(event = %row.event.id, seq = row.seq.0, sink, "the sink already had this event (a re-send)");
                    }
                    delivered.push(row.seq);
                }
                Err(error) => {
                    failure = Some((row, error));
                    break;
                }
            }
        }
        let relayed_at = clock.now();
        store::mark_relayed(db, &delivered, relayed_at).await?;
        if !delivered.is_empty() {
            metrics::counter!(m::RELAYED, "sink" => sink).increment(delivered.len() as u64);
            if duplicates > 0 {
                metrics::counter!(m::DUPLICATES, "sink" => sink).increment(duplicates as u64);
            }
            let lag = metrics::histogram!(m::LAG, "sink" => sink);
            for row in rows.iter().take(delivered.len()) {
                lag.record(
                    relayed_at
                        .duration_since(row.created_at)
                        .as_secs_f64()
                        .max(0.0),
                );
            }
            tracing::debug!(relay = %self.opts.relay_id, sink, count = delivered.len(), "events relayed");
        }
        if let Some((row, error)) = failure {
            metrics::counter!(m::FAILURES, "sink" => sink).increment(1);
            let text = describe(&error);
            tracing::warn!(
                relay = %self.opts.relay_id,
                sink,
                event = %row.event.id,
                seq = row.seq.0,
                attempt = row.attempts + 1,
                error = %text,
                "could not relay an event; it stays in the outbox and is retried"
            );
            store::record_failure(db, row.seq, &text).await?;
            return Ok(RelayStep::Failed {
                relayed: delivered.len(),
                error,
            });
        }
        Ok(RelayStep::Relayed {
            count: delivered.len(),
            duplicates,
            more: cut_short || rows.len() == batch,
        })
    }

    /// Deletes relayed rows older than the retention period; returns how
    /// many. Pending rows are never purged.
    pub async fn purge(&self) -> Result<u64, EventsError> {
        let before = self.outbox.clock.now() - signed(self.opts.retention);
        let mut total = 0;
        loop {
            let n = store::purge(&self.outbox.db, before, PURGE_CHUNK).await?;
            total += n;
            if n < PURGE_CHUNK as u64 {
                break;
            }
        }
        if total > 0 {
            metrics::counter!(m::PURGED).increment(total);
            tracing::info!(rows = total, "purged relayed events past retention");
        }
        Ok(total)
    }

    /// Gives the lease up (at shutdown), so another relay takes over at once.
    pub async fn release(&self) -> Result<(), EventsError> {
        store::release_lease(&self.outbox.db, LEASE_NAME, &self.opts.relay_id).await?;
        Ok(())
    }

    /// The relay holding the lease and until when, if any.
    pub async fn lease_holder(
        &self,
    ) -> Result<Option<(String, herald_core::Timestamp)>, EventsError> {
        Ok(store::lease_holder(&self.outbox.db, LEASE_NAME).await?)
    }

    /// Relays until `shutdown` fires, then finishes the current step and
    /// releases the lease. The step in flight is never cut off halfway, so
    /// shutting down does not cause re-sends.
    pub async fn run(self, shutdown: CancellationToken) {
        let wakeup = self.outbox.notifications.subscribe(outbox::CHANNEL, "");
        let sink = self.sink.name();
        tracing::info!(relay = %self.opts.relay_id, sink, "event relay started");
        let mut failures: u32 = 0;
        let mut last_purge: Option<Instant> = None;
        let mut last_gauge: Option<Instant> = None;
        enum Wait {
            No,
            Wakeup,
            Poll,
            Backoff,
        }
        while !shutdown.is_cancelled() {
            let step = self.relay_once().await;
            let leader = matches!(
                step,
                Ok(RelayStep::Idle | RelayStep::Relayed { .. } | RelayStep::Failed { .. })
            );
            let wait = match step {
                Ok(RelayStep::Relayed { more: true, .. }) => {
                    failures = 0;
                    Wait::No
                }
                Ok(RelayStep::Relayed { .. } | RelayStep::Idle) => {
                    if failures > 0 {
                        tracing::info!(relay = %self.opts.relay_id, sink, "event relay recovered");
                    }
                    failures = 0;
                    Wait::Wakeup
                }
                Ok(RelayStep::Standby) => Wait::Poll,
                Ok(RelayStep::Failed { .. }) => {
                    failures = failures.saturating_add(1);
                    Wait::Backoff
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(relay = %self.opts.relay_id, error = %describe(&e), "event relay step failed; retrying");
                    Wait::Backoff
                }
            };
            if leader && last_purge.is_none_or(|t| t.elapsed() >= self.opts.purge_every) {
                last_purge = Some(Instant::now());
                if let Err(e) = self.purge().await {
                    tracing::warn!(error = %describe(&e), "purging relayed events failed");
                }
            }
            if last_gauge.is_none_or(|t| t.elapsed() >= GAUGE_EVERY) {
                last_gauge = Some(Instant::now());
                if let Err(e) = self.outbox.record_gauges().await {
                    tracing::debug!(error = %describe(&e), "could not count pending events");
                }
            }
            match wait {
                Wait::No => {}
                Wait::Wakeup => tokio::select! {
                    _ = wakeup.notified() => {}
                    _ = tokio::time::sleep(self.opts.poll_interval) => {}
                    _ = shutdown.cancelled() => {}
                },
                // A standby relay ignores wake-ups: the holder relays.
                Wait::Poll => tokio::select! {
                    _ = tokio::time::sleep(self.opts.poll_interval) => {}
                    _ = shutdown.cancelled() => {}
                },
                // While the sink is down, commits must not shorten the wait.
                Wait::Backoff => {
                    let delay = retry_delay(
                        failures,
                        self.opts.retry_base,
                        self.opts.retry_cap,
                        rand::random(),
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
            }
        }
        drop(wakeup);
        if let Err(e) = self.release().await {
            tracing::warn!(error = %describe(&e), "could not release the relay lease; it will expire");
        }
        tracing::info!(relay = %self.opts.relay_id, "event relay stopped");
    }
}

/// Starts a [`Relay`] of `outbox` to `sink` on its own task; it stops
/// (releasing its lease) when `shutdown` fires. Start one in every process
/// that runs workers: only one relays at a time, the others stand by.
pub fn spawn_relay(
    outbox: Outbox,
    sink: Arc<dyn Sink>,
    opts: RelayOptions,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(Relay::new(outbox, sink, opts).run(shutdown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_up_to_the_cap_with_jitter() {
        let base = Duration::from_millis(500);
        let cap = Duration::from_secs(15);
        assert_eq!(retry_delay(1, base, cap, 0.5), base);
        assert_eq!(retry_delay(2, base, cap, 0.5), Duration::from_secs(1));
        assert_eq!(retry_delay(6, base, cap, 0.5), cap);
        assert_eq!(retry_delay(u32::MAX, base, cap, 0.5), cap);
        assert_eq!(retry_delay(1, base, cap, 0.0), Duration::from_millis(400));
        assert!(retry_delay(1, base, cap, 0.999_999) <= Duration::from_millis(600));
    }
}
