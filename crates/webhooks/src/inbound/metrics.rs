//! Metric names of inbound webhooks (Prometheus, through the `metrics`
//! facade). Labels never carry ids, payload content or secrets.

/// Deliveries stored (new ones only).
pub const RECEIVED: &str = "herald_webhook_received_total";
/// POSTs whose body had been stored before (Meta's re-sends).
pub const DUPLICATES: &str = "herald_webhook_duplicate_total";
/// POSTs refused; label `reason`: `missing`, `malformed`, `mismatch` (the
/// signature), `too_large`, `malformed_payload`, `storage`.
pub const REJECTED: &str = "herald_webhook_rejected_total";
/// Processing attempts that applied every entry.
pub const PROCESSED: &str = "herald_webhook_processed_total";
/// Processing attempts that failed (each retry counts).
pub const FAILED: &str = "herald_webhook_failed_total";
/// Deliveries that failed their last attempt.
pub const DEAD: &str = "herald_webhook_dead_total";
/// Seconds from the start of `receive` to the committed answer.
pub const RECEIVE_SECONDS: &str = "herald_webhook_receive_seconds";
/// Deliveries per group commit.
pub const BATCH_SIZE: &str = "herald_webhook_batch_size";
