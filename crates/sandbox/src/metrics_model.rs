//! Deterministic building blocks for simulated insights: every figure is a
//! pure function of a key (an account or post id), a label (which figure)
//! and a calendar day, never of the moment within a day, so reading the
//! same day twice gives the same numbers on every run and machine.
//!
//! Days are numbered as Herald stores them: days since 1970-01-01 (UTC).
//! The shapes here (weekly rhythm, rare spike and drop days, noise,
//! saturating lifetime curves) are shared; each simulator decides its own
//! scales.

use jiff::Timestamp;
use jiff::civil::Date;

/// 1970-01-01.
const EPOCH: Date = jiff::civil::date(1970, 1, 1);

/// A stream of deterministic numbers fixed by a key and a label: hashing
/// the strings once, then one cheap step per number, so loops over days
/// stay fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seed(u64);

impl Seed {
    /// FNV-1a over `key`, a separator and `label`.
    pub(crate) fn new(key: &str, label: &str) -> Seed {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in key.bytes().chain([0]).chain(label.bytes()) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Seed(h)
    }

    /// The `n`-th number: the splitmix64 finaliser of the seed and `n`,
    /// so neighbouring `n` give unrelated values.
    pub(crate) fn at(self, n: i64) -> u64 {
        let mut h = self.0 ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^ (h >> 31)
    }

    /// The `n`-th number in `[0, 1)`.
    pub(crate) fn unit(self, n: i64) -> f64 {
        (self.at(n) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The `n`-th number in `[lo, hi)`.
    pub(crate) fn between(self, n: i64, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit(n)
    }

    /// `1 ± spread`, the `n`-th.
    pub(crate) fn noise(self, n: i64, spread: f64) -> f64 {
        1.0 + spread * (2.0 * self.unit(n) - 1.0)
    }
}

/// A 64-bit hash of `key`, `label` and `n`.
pub(crate) fn mix(key: &str, label: &str, n: i64) -> u64 {
    Seed::new(key, label).at(n)
}

/// A number in `[0, 1)` fixed by `key`, `label` and `n`.
pub(crate) fn unit(key: &str, label: &str, n: i64) -> f64 {
    Seed::new(key, label).unit(n)
}

/// `n` decimal digits fixed by `key`, `label` and `n_seed`.
pub(crate) fn digits(key: &str, label: &str, seed: i64, n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut round = 0;
    while out.len() < n {
        let mut h = mix(key, label, seed.wrapping_mul(31).wrapping_add(round));
        for _ in 0..19 {
            if out.len() == n {
                break;
            }
            out.push(char::from(b'0' + (h % 10) as u8));
            h /= 10;
        }
        round += 1;
    }
    out
}

/// The day number of `date`.
pub(crate) fn day_number(date: Date) -> i64 {
    i64::from((date - EPOCH).get_days())
}

/// The date of day number `day` (clamped to what a date holds).
#[cfg(test)]
pub(crate) fn date_of(day: i64) -> Date {
    let days = day.clamp(-700_000, 2_900_000);
    EPOCH
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(EPOCH)
}

/// The UTC day `at` falls on.
pub(crate) fn day_of(at: Timestamp) -> i64 {
    at.as_second().div_euclid(86_400)
}

/// Midnight UTC starting day `day`.
pub(crate) fn start_of(day: i64) -> Timestamp {
    Timestamp::from_second(day.saturating_mul(86_400)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub(crate) fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The weekly rhythm of attention: busier midweek, quieter at weekends.
pub(crate) fn weekly(day: i64) -> f64 {
    [0.96, 1.04, 1.08, 1.06, 1.0, 0.86, 0.82][weekday(day) as usize]
}

/// What kind of day `day` is for `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Normal,
    /// Something went viral: about 2.6 times the usual.
    Spike,
    /// An outage, a holiday: about a third of the usual.
    Drop,
}

/// About one day in 47 is a spike and one in 47 a drop, per key: the
/// days of `Seed::new(key, "event")`.
pub(crate) fn event(seed: Seed, day: i64) -> Event {
    match seed.at(day) % 47 {
        0 => Event::Spike,
        1 => Event::Drop,
        _ => Event::Normal,
    }
}

impl Event {
    pub(crate) fn factor(self) -> f64 {
        match self {
            Event::Normal => 1.0,
            Event::Spike => 2.6,
            Event::Drop => 0.35,
        }
    }
}

/// The share of a post's lifetime figures reached by the end of the day
/// `age` days after it went up (0 = its first day), halving what is left
/// every `half_life` days: 0 before it exists, then rising towards 1.
pub(crate) fn saturating(age: i64, half_life: f64) -> f64 {
    if age < 0 {
        return 0.0;
    }
    1.0 - 0.5f64.powf((age + 1) as f64 / half_life.max(0.05))
}

/// A non-negative whole figure.
pub(crate) fn whole(x: f64) -> i64 {
    if x.is_finite() && x > 0.0 {
        x.round().min(1e15) as i64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_spread() {
        assert_eq!(mix("a", "b", 1), mix("a", "b", 1));
        assert_ne!(mix("a", "b", 1), mix("a", "b", 2));
        assert_ne!(mix("a", "b", 1), mix("ab", "", 1));
        let mean = (0..10_000).map(|n| unit("k", "l", n)).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert!((0..1000).all(|n| (0.0..1.0).contains(&unit("k", "x", n))));
    }

    #[test]
    fn days_round_trip_and_know_their_weekday() {
        let date = jiff::civil::date(2026, 1, 1);
        let day = day_number(date);
        assert_eq!(day, 20_454);
        assert_eq!(date_of(day), date);
        // 2026-01-01 is a Thursday.
        assert_eq!(weekday(day), 3);
        let noon = "2026-01-01T12:00:00Z".parse::<Timestamp>().unwrap();
        assert_eq!(day_of(noon), day);
        assert_eq!(start_of(day).as_second(), 1_767_225_600);
    }

    #[test]
    fn lifetime_curves_rise_and_saturate() {
        assert_eq!(saturating(-1, 2.0), 0.0);
        let values: Vec<f64> = (0..60).map(|age| saturating(age, 2.0)).collect();
        assert!(values.windows(2).all(|w| w[1] > w[0]));
        assert!(values[0] > 0.25 && values[59] > 0.999);
    }

    #[test]
    fn events_are_rare() {
        let seed = Seed::new("acct", "event");
        let spikes = (0..4700)
            .filter(|d| event(seed, *d) == Event::Spike)
            .count();
        assert!((60..=140).contains(&spikes), "{spikes}");
    }

    #[test]
    fn digits_have_the_asked_length() {
        let d = digits("k", "l", 3, 13);
        assert_eq!(d.len(), 13);
        assert!(d.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(d, digits("k", "l", 3, 13));
    }
}
