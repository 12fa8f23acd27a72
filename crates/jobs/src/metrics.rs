//! Names of the queue's Prometheus metrics, described once at start.

pub const CLAIMED: &str = "herald_jobs_claimed_total";
pub const COMPLETED: &str = "herald_jobs_completed_total";
pub const RETRIED: &str = "herald_jobs_retried_total";
pub const DEAD: &str = "herald_jobs_dead_total";
pub const RESCUED: &str = "herald_jobs_rescued_total";
pub const LATENESS: &str = "herald_job_lateness_seconds";
pub const DURATION: &str = "herald_job_duration_seconds";
/// Gauge of stored jobs by `queue` and `state`, refreshed when scraped.
pub const STORED: &str = "herald_jobs";

/// Registers help texts with the installed recorder.
pub fn describe() {
    metrics::describe_counter!(CLAIMED, "Jobs handed to a worker (each attempt counts).");
    metrics::describe_counter!(COMPLETED, "Jobs that finished successfully.");
    metrics::describe_counter!(RETRIED, "Failed attempts scheduled for another try.");
    metrics::describe_counter!(DEAD, "Jobs moved to the dead state.");
    metrics::describe_counter!(
        RESCUED,
        "Jobs taken back from a worker whose lease expired."
    );
    metrics::describe_histogram!(LATENESS, metrics::Unit::Seconds, "Start time minus run_at.");
    metrics::describe_histogram!(DURATION, metrics::Unit::Seconds, "Handler run time.");
    metrics::describe_gauge!(STORED, "Jobs stored, by queue and state.");
}
