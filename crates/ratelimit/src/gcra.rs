//! The generic cell rate algorithm (GCRA), as pure arithmetic on
//! microseconds.
//!
//! A key's whole state is one instant, its *theoretical arrival time* (TAT):
//! when the key would be back to a full burst. Each allowed attempt pushes it
//! one emission interval (`per / burst`) later; an attempt is refused when that
//! would put the TAT more than `burst` intervals ahead of now. Refused attempts
//! change nothing, so hammering a limited key does not extend its wait.
//!
//! `gcra.lua` is the same function for Redis; keep the two in step.

use std::time::Duration;

use crate::{Decision, Limit, LimitError};

/// The longest `per` a limit may have. Keeps every instant the Redis script
/// handles below 2^53 µs, where Lua's doubles are still exact.
pub const MAX_PER: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// A limit in the units the algorithm works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Microseconds one attempt adds to the TAT (at least 1).
    pub interval_us: i64,
    /// How far ahead of now the TAT may run: `interval_us * burst`.
    pub window_us: i64,
}

impl Params {
    /// Checks `limit` and converts it. The window is `burst` whole intervals,
    /// so rounding `per / burst` down never lets an extra attempt through.
    pub fn of(limit: &Limit) -> Result<Self, LimitError> {
        if limit.burst == 0 || limit.per.is_zero() || limit.per > MAX_PER {
            return Err(LimitError::InvalidLimit {
                name: limit.name,
                burst: limit.burst,
                per: limit.per,
            });
        }
        // `per` ≤ MAX_PER, so this fits comfortably in an i64.
        let per_us = limit.per.as_micros() as i64;
        let interval_us = (per_us / i64::from(limit.burst)).max(1);
        Ok(Self {
            interval_us,
            window_us: interval_us * i64::from(limit.burst),
        })
    }
}

/// What one attempt does to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub decision: Decision,
    /// The key's new TAT when the attempt was allowed (`None`: unchanged).
    pub new_tat_us: Option<i64>,
}

/// Decides one attempt at `now_us` for a key whose TAT is `tat_us` (`None`
/// for a key never seen or forgotten).
pub fn step(params: Params, tat_us: Option<i64>, now_us: i64) -> Step {
    // A TAT in the past means a full burst is available: count from now.
    let tat = tat_us.map_or(now_us, |t| t.max(now_us));
    let new_tat = tat.saturating_add(params.interval_us);
    let ahead = new_tat - now_us;
    if ahead > params.window_us {
        let wait = (ahead - params.window_us) as u64;
        return Step {
            decision: Decision::Limited {
                retry_after: Duration::from_micros(wait),
            },
            new_tat_us: None,
        };
    }
    let remaining = (params.window_us - ahead) / params.interval_us;
    Step {
        decision: Decision::Allowed {
            remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
        },
        new_tat_us: Some(new_tat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000_000;

    fn params(burst: u32, per: Duration) -> Params {
        Params::of(&Limit {
            name: "test",
            burst,
            per,
        })
        .unwrap()
    }

    /// Runs `n` attempts at `now`, threading the TAT through.
    fn run(p: Params, tat: &mut Option<i64>, now: i64, n: usize) -> Vec<Decision> {
        (0..n)
            .map(|_| {
                let s = step(p, *tat, now);
                if s.new_tat_us.is_some() {
                    *tat = s.new_tat_us;
                }
                s.decision
            })
            .collect()
    }

    #[test]
    fn the_interval_is_per_divided_by_burst() {
        let p = params(5, Duration::from_secs(60));
        assert_eq!(p.interval_us, 12_000_000);
        assert_eq!(p.window_us, 60_000_000);
    }

    #[test]
    fn a_fresh_key_gets_the_whole_burst_then_waits_one_interval() {
        let p = params(3, Duration::from_secs(60));
        let mut tat = None;
        assert_eq!(
            run(p, &mut tat, NOW, 4),
            vec![
                Decision::Allowed { remaining: 2 },
                Decision::Allowed { remaining: 1 },
                Decision::Allowed { remaining: 0 },
                Decision::Limited {
                    retry_after: Duration::from_secs(20)
                },
            ]
        );
        assert_eq!(tat, Some(NOW + 60_000_000));
    }

    #[test]
    fn refused_attempts_do_not_extend_the_wait() {
        let p = params(1, Duration::from_secs(10));
        let mut tat = None;
        run(p, &mut tat, NOW, 1);
        let before = tat;
        run(p, &mut tat, NOW + 1_000_000, 100);
        assert_eq!(tat, before);
        let s = step(p, tat, NOW + 4_000_000);
        assert_eq!(
            s.decision,
            Decision::Limited {
                retry_after: Duration::from_secs(6)
            }
        );
    }

    #[test]
    fn one_interval_later_exactly_one_more_attempt_is_allowed() {
        let p = params(3, Duration::from_secs(60));
        let mut tat = None;
        run(p, &mut tat, NOW, 3);
        let later = NOW + 20_000_000;
        assert_eq!(
            run(p, &mut tat, later, 2),
            vec![
                Decision::Allowed { remaining: 0 },
                Decision::Limited {
                    retry_after: Duration::from_secs(20)
                },
            ]
        );
    }

    #[test]
    fn a_tat_in_the_past_counts_as_a_full_burst() {
        let p = params(4, Duration::from_secs(8));
        let s = step(p, Some(NOW - 1_000_000_000), NOW);
        assert_eq!(s.decision, Decision::Allowed { remaining: 3 });
        assert_eq!(s.new_tat_us, Some(NOW + 2_000_000));
    }

    #[test]
    fn an_uneven_division_still_allows_exactly_the_burst() {
        // 1000 µs / 3 = 333 µs: the window is 999 µs, never a fourth attempt.
        let p = params(3, Duration::from_micros(1000));
        assert_eq!(p.window_us, 999);
        let mut tat = None;
        let allowed = run(p, &mut tat, NOW, 10)
            .into_iter()
            .filter(Decision::is_allowed)
            .count();
        assert_eq!(allowed, 3);
    }

    #[test]
    fn a_burst_larger_than_per_in_microseconds_still_counts_exactly() {
        let p = params(1000, Duration::from_micros(10));
        assert_eq!(p.interval_us, 1);
        let mut tat = None;
        let allowed = run(p, &mut tat, NOW, 2000)
            .into_iter()
            .filter(Decision::is_allowed)
            .count();
        assert_eq!(allowed, 1000);
    }

    #[test]
    fn limits_without_attempts_or_time_are_refused() {
        for (burst, per) in [
            (0, Duration::from_secs(1)),
            (1, Duration::ZERO),
            (1, MAX_PER + Duration::from_secs(1)),
        ] {
            let err = Params::of(&Limit {
                name: "bad",
                burst,
                per,
            })
            .unwrap_err();
            assert!(matches!(err, LimitError::InvalidLimit { name: "bad", .. }));
        }
        assert!(
            Params::of(&Limit {
                name: "year",
                burst: u32::MAX,
                per: MAX_PER
            })
            .is_ok()
        );
    }
}
