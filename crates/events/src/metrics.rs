//! The relay's metrics, described once at start.

/// Events handed to the sink and acknowledged, by `sink` (`nats`, `local`).
pub const RELAYED: &str = "herald_events_relayed_total";
/// Re-sent events the sink recognised as already stored (JetStream's
/// dedupe by message id), by `sink`. Also counted in [`RELAYED`].
pub const DUPLICATES: &str = "herald_events_duplicates_total";
/// Failed attempts to hand an event to the sink, by `sink`.
pub const FAILURES: &str = "herald_events_relay_failures_total";
/// Events waiting in the outbox, refreshed by the relay and at scrape time.
pub const PENDING: &str = "herald_events_outbox_pending";
/// Time from commit to acknowledgement by the sink.
pub const LAG: &str = "herald_events_relay_lag_seconds";
/// Relayed rows removed after the retention period.
pub const PURGED: &str = "herald_events_purged_total";

/// Registers help texts with the installed recorder.
pub fn describe() {
    metrics::describe_counter!(RELAYED, "Events delivered to the sink, by sink.");
    metrics::describe_counter!(
        DUPLICATES,
        "Re-sent events the sink already had (deduplicated by event id), by sink."
    );
    metrics::describe_counter!(FAILURES, "Failed attempts to deliver an event, by sink.");
    metrics::describe_gauge!(PENDING, "Events in the outbox not yet relayed.");
    metrics::describe_histogram!(
        LAG,
        metrics::Unit::Seconds,
        "Time from an event's commit to its delivery."
    );
    metrics::describe_counter!(PURGED, "Relayed outbox rows purged after retention.");
}
