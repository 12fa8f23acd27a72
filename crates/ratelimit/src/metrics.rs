//! The rate limiter's Prometheus metric, recorded the same way by every
//! backend.

use crate::{Decision, Limit, LimitError};

/// Counter of decisions by `limit` (its name) and `outcome`
/// (`allowed` | `limited` | `error`).
pub const DECISIONS: &str = "herald_rate_limit_decisions_total";

/// Registers the help text with the installed recorder.
pub fn describe() {
    metrics::describe_counter!(
        DECISIONS,
        "Rate-limit decisions, by limit and outcome (allowed, limited, error)."
    );
}

/// Counts one decision (or failure to decide) under `limit`.
pub(crate) fn record(limit: &Limit, result: &Result<Decision, LimitError>) {
    let outcome = match result {
        Ok(Decision::Allowed { .. }) => "allowed",
        Ok(Decision::Limited { .. }) => "limited",
        Err(_) => "error",
    };
    metrics::counter!(DECISIONS, "limit" => limit.name, "outcome" => outcome).increment(1);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use metrics::{
        Counter, CounterFn, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit,
    };

    use super::*;

    /// A counter's name, its labels and its value.
    type Registered = (String, Vec<(String, String)>, Arc<AtomicU64>);

    /// Remembers every counter registered, with its labels.
    #[derive(Default)]
    struct Counters(Mutex<Vec<Registered>>);

    struct Count(Arc<AtomicU64>);

    impl CounterFn for Count {
        fn increment(&self, value: u64) {
            self.0.fetch_add(value, Ordering::SeqCst);
        }
        fn absolute(&self, value: u64) {
            self.0.store(value, Ordering::SeqCst);
        }
    }

    impl Recorder for Counters {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            let labels = key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            let cell = Arc::new(AtomicU64::new(0));
            self.0
                .lock()
                .unwrap()
                .push((key.name().to_owned(), labels, cell.clone()));
            Counter::from_arc(Arc::new(Count(cell)))
        }
        fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::noop()
        }
        fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::noop()
        }
    }

    #[test]
    fn each_outcome_is_counted_under_the_limit_name() {
        let recorder = Counters::default();
        let limit = Limit::new("login_ip", 1, Duration::from_secs(1));
        metrics::with_local_recorder(&recorder, || {
            record(&limit, &Ok(Decision::Allowed { remaining: 0 }));
            record(
                &limit,
                &Ok(Decision::Limited {
                    retry_after: Duration::from_secs(1),
                }),
            );
            record(
                &limit,
                &Err(LimitError::InvalidLimit {
                    name: "login_ip",
                    burst: 0,
                    per: Duration::ZERO,
                }),
            );
        });
        let seen = recorder.0.lock().unwrap();
        let outcomes: Vec<_> = seen
            .iter()
            .map(|(name, labels, n)| {
                assert_eq!(name, DECISIONS);
                assert_eq!(labels[0], ("limit".to_owned(), "login_ip".to_owned()));
                assert_eq!(n.load(Ordering::SeqCst), 1);
                labels[1].1.clone()
            })
            .collect();
        assert_eq!(outcomes, ["allowed", "limited", "error"]);
    }
}
