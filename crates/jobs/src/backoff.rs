//! When a failed job is tried again: exponential backoff with jitter.

use std::time::Duration;

/// The first retry waits about this long; each later one twice the last.
pub const BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const CAP: Duration = Duration::from_secs(60 * 60);
/// Each delay is moved by up to this fraction either way, so jobs that failed
/// together (a platform outage) do not all come back in the same instant.
pub const JITTER: f64 = 0.2;

/// The delay before attempt `attempt + 1`, after `attempt` failed attempts
/// (1-based). `unit` is a random number in `[0, 1)`.
pub fn delay(attempt: i32, unit: f64) -> Duration {
    let exp = attempt.saturating_sub(1).clamp(0, 30) as u32;
    let raw = BASE.saturating_mul(2u32.saturating_pow(exp)).min(CAP);
    let factor = 1.0 + JITTER * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
    raw.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_until_the_cap() {
        assert_eq!(delay(1, 0.5), Duration::from_secs(2));
        assert_eq!(delay(2, 0.5), Duration::from_secs(4));
        assert_eq!(delay(5, 0.5), Duration::from_secs(32));
        assert_eq!(delay(40, 0.5), CAP);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        for attempt in 1..30 {
            let mid = delay(attempt, 0.5).as_secs_f64();
            let lo = delay(attempt, 0.0).as_secs_f64();
            let hi = delay(attempt, 0.999_999).as_secs_f64();
            assert!(
                (lo - mid * 0.8).abs() < 1e-6,
                "attempt {attempt}: {lo} vs {mid}"
            );
            assert!(hi <= mid * 1.2 + 1e-6 && hi > mid * 1.19);
        }
    }
}
