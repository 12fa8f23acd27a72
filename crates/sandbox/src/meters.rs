//! Rate-limit meters: sliding windows of call times (Meta app and
//! business-use-case budgets, TikTok per-minute limits) and daily unit
//! quotas (YouTube), and token buckets (the OpenAI-compatible API's
//! requests and tokens per minute). Memory only: a restart starts every
//! meter at zero.

use std::collections::{HashMap, VecDeque};

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Default)]
pub(crate) struct Meters {
    windows: HashMap<String, VecDeque<Timestamp>>,
    daily: HashMap<String, (i64, u64)>,
    buckets: HashMap<String, Bucket>,
}

/// A bucket that holds up to `capacity` units and refills at
/// `capacity` per `period`, continuously.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    at: Timestamp,
}

/// A bucket's state after a look or a charge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BucketState {
    pub capacity: u64,
    /// Whole units left now.
    pub remaining: u64,
    /// Until the bucket is full again.
    pub full_in: std::time::Duration,
    /// When a charge was refused: until it would fit (None when it never
    /// fits, being larger than the bucket).
    pub retry_in: Option<std::time::Duration>,
}

/// Calls inside a window after recording one more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WindowCount {
    pub calls: u64,
    /// When the oldest call in the window leaves it.
    pub frees_at: Timestamp,
}

/// A Meta usage report: percentages of the budget, as in `X-App-Usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    pub call_count: u64,
    pub total_cputime: u64,
    pub total_time: u64,
    /// Minutes until usage drops below 100 (0 when not throttled).
    pub regain_minutes: u64,
}

impl Usage {
    pub fn of(window: WindowCount, budget: u32, now: Timestamp) -> Self {
        let budget = u64::from(budget.max(1));
        let call_count = window.calls * 100 / budget;
        let regain_minutes = if call_count >= 100 {
            let secs = window.frees_at.duration_since(now).as_secs().max(0) as u64;
            secs.div_ceil(60).max(1)
        } else {
            0
        };
        Usage {
            call_count,
            // CPU and wall time are modelled as a fixed share of the calls.
            total_cputime: call_count * 3 / 5,
            total_time: call_count * 4 / 5,
            regain_minutes,
        }
    }

    /// The same report, forced to at least 100 % (throttling faults).
    pub fn saturated(self) -> Self {
        Usage {
            call_count: self.call_count.max(100),
            regain_minutes: self.regain_minutes.max(1),
            ..self
        }
    }

    pub fn throttled(&self) -> bool {
        self.call_count >= 100
    }
}

impl Meters {
    /// Records a call under `key` and counts the calls of the last `window`.
    pub fn record(&mut self, key: &str, now: Timestamp, window: SignedDuration) -> WindowCount {
        let calls = self.windows.entry(key.to_owned()).or_default();
        while calls.front().is_some_and(|t| *t + window <= now) {
            calls.pop_front();
        }
        calls.push_back(now);
        WindowCount {
            calls: calls.len() as u64,
            frees_at: calls.front().copied().unwrap_or(now) + window,
        }
    }

    /// Takes `cost` units from each bucket when every one has them, else
    /// none: `(key, capacity, period, cost)` per bucket. Returns the
    /// buckets' states and whether the charge was made.
    pub fn take_all(
        &mut self,
        now: Timestamp,
        charges: &[(&str, u64, SignedDuration, u64)],
    ) -> (Vec<BucketState>, bool) {
        let levels: Vec<f64> = charges
            .iter()
            .map(|(key, capacity, period, _)| self.level(key, *capacity, *period, now))
            .collect();
        let fits = charges
            .iter()
            .zip(&levels)
            .all(|((_, _, _, cost), level)| *level >= *cost as f64);
        let states = charges
            .iter()
            .zip(levels)
            .map(|((key, capacity, period, cost), level)| {
                let level = if fits { level - *cost as f64 } else { level };
                self.buckets
                    .insert((*key).to_owned(), Bucket { level, at: now });
                let rate = *capacity as f64 / period.as_secs_f64().max(1e-9);
                // None: it fits, or never will (larger than the bucket).
                let retry_in = if fits || level >= *cost as f64 || *cost > *capacity {
                    None
                } else {
                    Some(secs((*cost as f64 - level) / rate))
                };
                BucketState {
                    capacity: *capacity,
                    remaining: level.max(0.0).floor() as u64,
                    full_in: secs((*capacity as f64 - level) / rate),
                    retry_in,
                }
            })
            .collect();
        (states, fits)
    }

    /// A bucket's level now (a new bucket is full).
    fn level(&self, key: &str, capacity: u64, period: SignedDuration, now: Timestamp) -> f64 {
        let capacity = capacity as f64;
        match self.buckets.get(key) {
            None => capacity,
            Some(b) => {
                let elapsed = now.duration_since(b.at).as_secs_f64().max(0.0);
                let rate = capacity / period.as_secs_f64().max(1e-9);
                (b.level + elapsed * rate).min(capacity)
            }
        }
    }

    /// Charges `cost` units to `key`'s quota for the current Pacific day and
    /// returns the units used before this charge.
    pub fn charge_daily(&mut self, key: &str, now: Timestamp, cost: u64) -> u64 {
        let day = pacific_day(now);
        let entry = self.daily.entry(key.to_owned()).or_insert((day, 0));
        if entry.0 != day {
            *entry = (day, 0);
        }
        let before = entry.1;
        entry.1 += cost;
        before
    }
}

/// Seconds as a duration, to the millisecond (floating-point dust would
/// make a 6 s wait 5.999999 s).
fn secs(s: f64) -> std::time::Duration {
    std::time::Duration::from_millis((s.max(0.0) * 1000.0).round() as u64)
}

/// Days since the epoch in UTC−8. Google resets quotas at midnight Pacific
/// time; daylight saving time is ignored.
pub(crate) fn pacific_day(now: Timestamp) -> i64 {
    (now.as_second() - 8 * 3600).div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_forget_old_calls() {
        let mut m = Meters::default();
        let t0 = Timestamp::from_second(1_700_000_000).unwrap();
        let hour = SignedDuration::from_hours(1);
        assert_eq!(m.record("a", t0, hour).calls, 1);
        assert_eq!(
            m.record("a", t0 + SignedDuration::from_mins(30), hour)
                .calls,
            2
        );
        let later = m.record("a", t0 + SignedDuration::from_mins(61), hour);
        assert_eq!(later.calls, 2);
        assert_eq!(later.frees_at, t0 + SignedDuration::from_mins(90));
    }

    #[test]
    fn usage_is_a_percentage_of_the_budget() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let w = WindowCount {
            calls: 5,
            frees_at: now + SignedDuration::from_secs(90),
        };
        let u = Usage::of(w, 5, now);
        assert_eq!(u.call_count, 100);
        assert!(u.throttled());
        assert_eq!(u.regain_minutes, 2);
        assert_eq!(
            Usage::of(WindowCount { calls: 1, ..w }, 4, now).call_count,
            25
        );
    }

    #[test]
    fn buckets_refill_continuously_and_charge_all_or_nothing() {
        let mut m = Meters::default();
        let t0 = Timestamp::from_second(1_700_000_000).unwrap();
        let minute = SignedDuration::from_mins(1);
        let charge = |m: &mut Meters, at, tokens| {
            m.take_all(at, &[("r", 2, minute, 1), ("t", 100, minute, tokens)])
        };
        let (s, ok) = charge(&mut m, t0, 40);
        assert!(ok);
        assert_eq!((s[0].remaining, s[1].remaining), (1, 60));
        assert_eq!(s[0].full_in, std::time::Duration::from_secs(30));
        // Too many tokens: nothing is taken, and the wait is until 70 fit.
        let (s, ok) = charge(&mut m, t0, 70);
        assert!(!ok);
        assert_eq!(s[0].remaining, 1);
        assert_eq!(s[1].retry_in, Some(std::time::Duration::from_secs(6)));
        assert_eq!(s[0].retry_in, None);
        let (_, ok) = charge(&mut m, t0, 10);
        assert!(ok);
        let (s, ok) = charge(&mut m, t0, 1);
        assert!(!ok);
        assert_eq!(s[0].retry_in, Some(std::time::Duration::from_secs(30)));
        let (_, ok) = charge(&mut m, t0 + SignedDuration::from_secs(30), 1);
        assert!(ok);
        // Larger than the bucket: never fits, no wait to suggest.
        let (s, ok) = charge(&mut m, t0 + SignedDuration::from_mins(5), 101);
        assert!(!ok);
        assert_eq!(s[1].retry_in, None);
    }

    #[test]
    fn daily_quota_resets_at_pacific_midnight() {
        let mut m = Meters::default();
        // 07:59 UTC is 23:59 the previous day in UTC−8.
        let before =
            Timestamp::from_second(1_700_000_000 - 1_700_000_000 % 86_400 + 8 * 3600 - 60).unwrap();
        assert_eq!(m.charge_daily("p", before, 1), 0);
        assert_eq!(m.charge_daily("p", before, 1), 1);
        assert_eq!(
            m.charge_daily("p", before + SignedDuration::from_mins(2), 1),
            0
        );
    }
}
