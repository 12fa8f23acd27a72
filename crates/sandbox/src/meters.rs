//! Rate-limit meters: sliding windows of call times (Meta app and
//! business-use-case budgets, TikTok per-minute limits) and daily unit
//! quotas (YouTube). Memory only: a restart starts every meter at zero.

use std::collections::{HashMap, VecDeque};

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Default)]
pub(crate) struct Meters {
    windows: HashMap<String, VecDeque<Timestamp>>,
    daily: HashMap<String, (i64, u64)>,
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
