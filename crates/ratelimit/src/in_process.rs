//! The in-process limiter: each key's TAT in a map behind one mutex.
//!
//! Right for a single `herald serve`. The decision is a few arithmetic steps
//! under a `std` mutex (never held across an await), which is what makes it
//! atomic. Memory stays bounded by pruning: every [`PRUNE_EVERY`] attempts the
//! keys whose TAT has passed, which mean the same as absent keys, are dropped,
//! so the map holds only keys attempted within their limit's period.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use herald_core::{Clock, SystemClock};

use crate::gcra::{self, Params};
use crate::{Decision, Limit, LimitError, RateLimiter, metrics};

/// How many attempts pass between two prunings of expired keys.
pub const PRUNE_EVERY: u32 = 1024;

/// Rate limiting in this process's memory; see the module docs.
pub struct InProcessLimiter {
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// TAT in µs, by limit name, then key.
    tats: HashMap<&'static str, HashMap<String, i64>>,
    since_prune: u32,
}

impl InProcessLimiter {
    /// A limiter timed by `clock` (a `ManualClock` in tests).
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now_us(&self) -> i64 {
        self.clock.now().as_microsecond()
    }

    fn decide(&self, limit: &Limit, key: &str) -> Result<Decision, LimitError> {
        let params = Params::of(limit)?;
        let now = self.now_us();
        let mut state = self.lock();
        state.since_prune += 1;
        if state.since_prune >= PRUNE_EVERY {
            state.prune(now);
        }
        let keys = state.tats.entry(limit.name).or_default();
        let step = gcra::step(params, keys.get(key).copied(), now);
        if let Some(tat) = step.new_tat_us {
            match keys.get_mut(key) {
                Some(slot) => *slot = tat,
                None => {
                    keys.insert(key.to_owned(), tat);
                }
            }
        }
        Ok(step.decision)
    }

    /// How many keys are held, across all limits (for tests).
    fn tracked_keys(&self) -> usize {
        self.lock().tats.values().map(HashMap::len).sum()
    }
}

impl State {
    fn prune(&mut self, now_us: i64) {
        self.since_prune = 0;
        self.tats.retain(|_, keys| {
            keys.retain(|_, tat| *tat > now_us);
            !keys.is_empty()
        });
    }
}

impl Default for InProcessLimiter {
    /// A limiter on the system clock.
    fn default() -> Self {
        Self::new(Arc::new(SystemClock))
    }
}

impl std::fmt::Debug for InProcessLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessLimiter")
            .field("tracked_keys", &self.tracked_keys())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl RateLimiter for InProcessLimiter {
    async fn hit(&self, limit: &Limit, key: &str) -> Result<Decision, LimitError> {
        let result = self.decide(limit, key);
        metrics::record(limit, &result);
        result
    }

    async fn clear(&self, limit: &Limit, key: &str) -> Result<(), LimitError> {
        let mut state = self.lock();
        if let Some(keys) = state.tats.get_mut(limit.name) {
            keys.remove(key);
        }
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "in-process"
    }

    async fn ping(&self) -> Result<(), LimitError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use herald_core::{ManualClock, SignedDuration, Timestamp};

    use super::*;

    #[test]
    fn expired_keys_are_pruned_so_memory_stays_bounded() {
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(1_800_000_000).unwrap(),
        ));
        let limiter = InProcessLimiter::new(clock.clone());
        let limit = Limit::new("prune", 2, Duration::from_secs(10));
        for round in 0..5 {
            for i in 0..3000 {
                let key = format!("{round}-{i}");
                assert!(limiter.decide(&limit, &key).unwrap().is_allowed());
            }
            // Every key of earlier rounds has expired: at most this round's
            // keys plus those since the last pruning remain.
            assert!(
                limiter.tracked_keys() <= 3000 + PRUNE_EVERY as usize,
                "round {round}: {} keys held",
                limiter.tracked_keys()
            );
            clock.advance(SignedDuration::from_secs(11));
        }
    }

    #[test]
    fn pruning_keeps_keys_that_are_still_counting() {
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(1_800_000_000).unwrap(),
        ));
        let limiter = InProcessLimiter::new(clock.clone());
        let long = Limit::new("long", 1, Duration::from_secs(3600));
        let short = Limit::new("short", 1, Duration::from_secs(1));
        assert!(limiter.decide(&long, "alice").unwrap().is_allowed());
        clock.advance(SignedDuration::from_secs(2));
        for i in 0..PRUNE_EVERY {
            limiter.decide(&short, &i.to_string()).unwrap();
        }
        assert!(!limiter.decide(&long, "alice").unwrap().is_allowed());
    }
}
