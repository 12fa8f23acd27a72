//! Names of the outbound webhooks' Prometheus metrics; [`describe`] is
//! called once at start, where the recorder is installed.

/// Attempts by `outcome`: `succeeded`, `http_error`, `timeout`,
/// `network_error` or `refused` (an address the SSRF policy forbids).
pub const ATTEMPTS: &str = "herald_webhooks_outbound_attempts_total";
/// Time from sending a request to its response headers (or failure).
pub const LATENCY: &str = "herald_webhooks_outbound_latency_seconds";
/// Endpoints disabled, by `reason`: `gone`, `failing` or `manual`.
pub const DISABLED: &str = "herald_webhooks_outbound_endpoints_disabled_total";
/// Deliveries that used up every scheduled attempt.
pub const EXHAUSTED: &str = "herald_webhooks_outbound_exhausted_total";
/// Replays refused because the endpoint is disabled.
pub const REPLAY_REFUSED: &str = "herald_webhooks_outbound_replays_refused_total";
/// Events that should have become messages but could not be read.
pub const MALFORMED_EVENTS: &str = "herald_webhooks_outbound_malformed_events_total";

/// Registers help texts with the installed recorder.
pub fn describe() {
    metrics::describe_counter!(ATTEMPTS, "Outbound webhook attempts, by outcome.");
    metrics::describe_histogram!(
        LATENCY,
        metrics::Unit::Seconds,
        "Outbound webhook request time until the response headers."
    );
    metrics::describe_counter!(DISABLED, "Outbound webhook endpoints disabled, by reason.");
    metrics::describe_counter!(
        EXHAUSTED,
        "Outbound deliveries that failed every scheduled attempt."
    );
    metrics::describe_counter!(
        REPLAY_REFUSED,
        "Replays refused because the endpoint is disabled."
    );
    metrics::describe_counter!(
        MALFORMED_EVENTS,
        "Events skipped by the outbound fan-out because their payload could not be read."
    );
}
