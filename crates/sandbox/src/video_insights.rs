//! Deterministic audience figures for the TikTok and YouTube insights
//! simulators: followers that grow a little every day, a history of
//! videos, and each video's lifetime views, likes, comments, shares and
//! watch time.
//!
//! Every figure is a pure function of an account (or video) seed and a
//! calendar day — never of the moment within a day — so reading the same
//! day twice gives the same numbers, and a past day never changes. Seeds
//! come from SHA-256 of a label and the account's key; the per-day noise
//! from a cheap mixing function of the seed and the day number (days since
//! 1970-01-01 in the platform's reporting zone).
//!
//! The model:
//! - **Followers** start from the seeded count on [`HISTORY_START`] and
//!   gain a small share of it each day (weekly seasonality, noise), minus a
//!   smaller number lost. About one day in 40 is a *spike* (three times the
//!   activity) and one in 50 a *drop* (a third of it, six times the losses),
//!   so anomaly detection has something to find.
//! - **Videos**: seeded accounts post one every 3–5 days from
//!   [`SEEDED_FROM`] on, at a time between 08:00 and 20:00 UTC. Each video
//!   has a potential audience; its lifetime views approach it as the
//!   account's activity accumulates after its publish day (mostly within a
//!   week or two, with a long tail of about three months), so lifetime
//!   figures grow with age and level off. Likes, comments, shares and watch
//!   time are per-video shares of the views, so any day's figures are the
//!   difference of two lifetimes and daily sums equal lifetime totals.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::oauth::sha256;

/// 2024-01-01: followers grow from here (flat before).
pub(crate) const HISTORY_START: i64 = 19_723;
/// 2025-01-01: seeded accounts' video history starts here.
pub(crate) const SEEDED_FROM: i64 = 20_089;

/// Activity by weekday, Monday first: weekends are busier.
const WEEKDAY: [f64; 7] = [0.9, 0.95, 1.0, 1.0, 1.05, 1.2, 1.15];
/// Share of the base followers gained on an ordinary day.
const DAILY_GROWTH: f64 = 0.0008;
/// One day in this many is a spike, and one in [`DROP_EVERY`] a drop.
const SPIKE_EVERY: f64 = 40.0;
const DROP_EVERY: f64 = 50.0;

// Salts of the per-day draws, so two draws of one day are independent.
const NOISE: u64 = 1;
const MOOD: u64 = 2;
const GAIN: u64 = 3;
const LOSS: u64 = 4;
const SLOT_GAP: u64 = 5;
const SLOT_TIME: u64 = 6;

/// A 64-bit seed from a label and a key (an account or video id).
pub(crate) fn seed(label: &str, key: &str) -> u64 {
    let h = sha256(format!("herald-sandbox\0insights\0{label}\0{key}").as_bytes());
    let mut n = [0u8; 8];
    n.copy_from_slice(&h[..8]);
    u64::from_be_bytes(n)
}

/// SplitMix64's finaliser: a well-spread 64-bit value from any input.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A draw in `[0, 1)` for `seed` on `day`, independent per `salt`.
pub(crate) fn unit(seed: u64, day: i64, salt: u64) -> f64 {
    let z = mix(seed ^ mix((day as u64) ^ salt.wrapping_mul(0xD6E8_FEB8_6659_FD93)));
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Days since 1970-01-01 in UTC.
pub(crate) fn utc_day(at: Timestamp) -> i64 {
    at.as_second().div_euclid(86_400)
}

/// The calendar date of a day number.
pub(crate) fn date_of(day: i64) -> Date {
    let epoch = jiff::civil::date(1970, 1, 1);
    epoch
        .checked_add(jiff::Span::new().days(day))
        .unwrap_or(epoch)
}

/// The day number of a calendar date.
pub(crate) fn day_of(date: Date) -> i64 {
    let epoch = jiff::civil::date(1970, 1, 1);
    i64::from(date.since(epoch).map_or(0, |span| span.get_days()))
}

/// What kind of day an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mood {
    Ordinary,
    Spike,
    Drop,
}

/// An account's audience: its followers and its daily activity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audience {
    seed: u64,
    /// Followers on [`HISTORY_START`].
    base: i64,
}

impl Audience {
    pub fn new(seed: u64, base_followers: u64) -> Self {
        Audience {
            seed,
            base: base_followers as i64,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn base(&self) -> i64 {
        self.base
    }

    pub fn mood(&self, day: i64) -> Mood {
        let u = unit(self.seed, day, MOOD);
        if u < 1.0 / SPIKE_EVERY {
            Mood::Spike
        } else if u >= 1.0 - 1.0 / DROP_EVERY {
            Mood::Drop
        } else {
            Mood::Ordinary
        }
    }

    /// The day's activity: 1 is an ordinary weekday.
    pub fn weight(&self, day: i64) -> f64 {
        let weekday = WEEKDAY[(day + 3).rem_euclid(7) as usize];
        let noise = 0.8 + 0.4 * unit(self.seed, day, NOISE);
        let mood = match self.mood(day) {
            Mood::Ordinary => 1.0,
            Mood::Spike => 3.0,
            Mood::Drop => 0.3,
        };
        weekday * noise * mood
    }

    fn typical_gain(&self) -> f64 {
        self.base as f64 * DAILY_GROWTH
    }

    /// Followers gained on `day` (none before [`HISTORY_START`]).
    pub fn gained(&self, day: i64) -> i64 {
        if day <= HISTORY_START {
            return 0;
        }
        let draw = 0.7 + 0.6 * unit(self.seed, day, GAIN);
        (self.typical_gain() * self.weight(day) * draw + 1.0).round() as i64
    }

    /// Followers lost on `day`.
    pub fn lost(&self, day: i64) -> i64 {
        if day <= HISTORY_START {
            return 0;
        }
        let share = 0.15 + 0.2 * unit(self.seed, day, LOSS);
        let mood = if self.mood(day) == Mood::Drop {
            6.0
        } else {
            1.0
        };
        (self.typical_gain() * share * mood).round() as i64
    }

    /// Followers at the end of `day`.
    pub fn followers(&self, day: i64) -> i64 {
        let net: i64 = (HISTORY_START + 1..=day)
            .map(|d| self.gained(d) - self.lost(d))
            .sum();
        (self.base + net).max(0)
    }

    /// Seeded videos published up to `until`, oldest first: the first within
    /// four days of [`SEEDED_FROM`], then one every 3–5 days, each between
    /// 08:00 and 20:00 UTC.
    pub fn schedule(&self, until: Timestamp) -> Vec<Slot> {
        let mut out = Vec::new();
        let mut day = SEEDED_FROM + (self.seed % 4) as i64;
        let last = utc_day(until);
        while day <= last {
            let secs = 8 * 3600 + (unit(self.seed, day, SLOT_TIME) * 12.0 * 3600.0) as i64;
            let Ok(at) = Timestamp::from_second(day * 86_400 + secs) else {
                break;
            };
            if at > until {
                break;
            }
            out.push(Slot {
                index: out.len() as u32,
                at,
            });
            day += 3 + (mix(self.seed ^ day as u64 ^ SLOT_GAP) % 3) as i64;
        }
        out
    }
}

/// One seeded video's place in an account's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// 0 for the account's first seeded video.
    pub index: u32,
    pub at: Timestamp,
}

/// An account's activity summed day by day, so a video's age in "active
/// days" is one subtraction.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    start: i64,
    /// `cumulative[i]`: activity from `start` to `start + i`, both included.
    cumulative: Vec<f64>,
}

impl Timeline {
    /// The activity of `audience` from [`HISTORY_START`] through `last`.
    pub fn new(audience: &Audience, last: i64) -> Self {
        let mut cumulative = Vec::new();
        let mut sum = 0.0;
        for day in HISTORY_START..=last {
            sum += audience.weight(day);
            cumulative.push(sum);
        }
        Timeline {
            start: HISTORY_START,
            cumulative,
        }
    }

    /// Activity from the start through `day` (0 before the start; days past
    /// the end count as the end).
    pub fn through(&self, day: i64) -> f64 {
        if day < self.start || self.cumulative.is_empty() {
            return 0.0;
        }
        let i = ((day - self.start) as usize).min(self.cumulative.len() - 1);
        self.cumulative[i]
    }
}

/// The platform a video model is for: their audiences behave differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    TikTok,
    YouTube,
}

/// A video's audience: how many people it can reach and how they react.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct VideoModel {
    /// Its publish day (in the platform's reporting zone).
    pub day: i64,
    pub duration_secs: u32,
    potential: f64,
    /// Active days until most of the potential is reached.
    tau: f64,
    like_rate: f64,
    comment_rate: f64,
    share_rate: f64,
    /// Share of the video a view watches, on average.
    retention: f64,
}

/// A video's figures from its publish day through some day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lifetime {
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub watch_secs: i64,
}

impl Lifetime {
    /// What was added after `earlier`.
    pub fn minus(self, earlier: Lifetime) -> Lifetime {
        Lifetime {
            views: self.views - earlier.views,
            likes: self.likes - earlier.likes,
            comments: self.comments - earlier.comments,
            shares: self.shares - earlier.shares,
            watch_secs: self.watch_secs - earlier.watch_secs,
        }
    }

    pub fn plus(self, other: Lifetime) -> Lifetime {
        Lifetime {
            views: self.views + other.views,
            likes: self.likes + other.likes,
            comments: self.comments + other.comments,
            shares: self.shares + other.shares,
            watch_secs: self.watch_secs + other.watch_secs,
        }
    }
}

impl VideoModel {
    /// A video published on `day` by an account with `followers` (its base
    /// audience), reaching `reach` of what a public video would (0 for a
    /// private one), lasting `duration_secs` (None: drawn from the seed).
    pub fn new(
        kind: Kind,
        seed: u64,
        day: i64,
        followers: i64,
        reach: f64,
        duration_secs: Option<u32>,
    ) -> Self {
        let u = |salt: u64| unit(seed, 0, salt);
        let audience = followers.max(300) as f64;
        let (spread, hit, hit_factor) = match kind {
            Kind::TikTok => (0.5 + 2.5 * u(11), u(12) < 0.06, 10.0),
            Kind::YouTube => (0.3 + 1.7 * u(11), u(12) < 0.10, 5.0),
        };
        let potential = audience * spread * if hit { hit_factor } else { 1.0 } * reach;
        let short = kind == Kind::TikTok || u(13) < 0.25;
        let duration_secs = duration_secs.unwrap_or(if kind == Kind::TikTok {
            8 + (u(14) * 82.0) as u32
        } else if short {
            15 + (u(14) * 45.0) as u32
        } else {
            120 + (u(14) * 780.0) as u32
        });
        let (like_rate, comment_rate, share_rate) = match kind {
            Kind::TikTok => (
                0.04 + 0.08 * u(15),
                0.003 + 0.009 * u(16),
                0.002 + 0.008 * u(17),
            ),
            Kind::YouTube => (
                0.02 + 0.04 * u(15),
                0.002 + 0.006 * u(16),
                0.001 + 0.004 * u(17),
            ),
        };
        let retention = if duration_secs <= 60 {
            0.6 + 0.3 * u(18)
        } else {
            0.3 + 0.25 * u(18)
        };
        VideoModel {
            day,
            duration_secs: duration_secs.max(1),
            potential,
            tau: 3.0 + 6.0 * u(19),
            like_rate,
            comment_rate,
            share_rate,
            retention,
        }
    }

    /// Its figures from its publish day through `day`.
    pub fn lifetime(&self, timeline: &Timeline, day: i64) -> Lifetime {
        if day < self.day {
            return Lifetime::default();
        }
        let active = timeline.through(day) - timeline.through(self.day - 1);
        let reached = self.potential
            * (0.85 * (1.0 - (-active / self.tau).exp()) + 0.15 * (1.0 - (-active / 90.0).exp()));
        let views = reached.floor();
        Lifetime {
            views: views as i64,
            likes: (reached * self.like_rate).floor() as i64,
            comments: (reached * self.comment_rate).floor() as i64,
            shares: (reached * self.share_rate).floor() as i64,
            watch_secs: (views * f64::from(self.duration_secs) * self.retention).floor() as i64,
        }
    }

    /// Its figures added on `day` alone.
    pub fn on(&self, timeline: &Timeline, day: i64) -> Lifetime {
        self.lifetime(timeline, day)
            .minus(self.lifetime(timeline, day - 1))
    }
}

/// `n` characters of an id alphabet from a seed (YouTube-style ids).
pub(crate) fn id_chars(seed: u64, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|i| {
            let z = mix(seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
            char::from(alphabet[(z % alphabet.len() as u64) as usize])
        })
        .collect()
}

/// A title for a seeded video: a topic and a running number.
pub(crate) fn seeded_title(seed: u64, name: &str, index: u32) -> String {
    const TOPICS: [&str; 10] = [
        "Behind the scenes",
        "Morning routine",
        "Quick tip",
        "Before and after",
        "Meet the team",
        "Customer question",
        "Three ways to start",
        "What went wrong",
        "New this week",
        "Ask me anything",
    ];
    let topic = TOPICS[(mix(seed ^ u64::from(index)) % TOPICS.len() as u64) as usize];
    format!("{topic} at {name} #{}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audience() -> Audience {
        Audience::new(seed("test", "demo"), 10_000)
    }

    #[test]
    fn day_numbers_round_trip_through_dates() {
        assert_eq!(date_of(HISTORY_START), jiff::civil::date(2024, 1, 1));
        assert_eq!(date_of(SEEDED_FROM), jiff::civil::date(2025, 1, 1));
        assert_eq!(day_of(jiff::civil::date(2026, 1, 1)), 20_454);
        let noon: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        assert_eq!(utc_day(noon), 20_454);
    }

    #[test]
    fn followers_grow_with_daily_noise_and_rare_spikes_and_drops() {
        let a = audience();
        let (start, end) = (SEEDED_FROM, SEEDED_FROM + 365);
        assert!(a.followers(end) > a.followers(start));
        assert_eq!(
            a.followers(end) - a.followers(end - 1),
            a.gained(end) - a.lost(end)
        );
        let moods: Vec<Mood> = (start..end).map(|d| a.mood(d)).collect();
        let spikes = moods.iter().filter(|m| **m == Mood::Spike).count();
        let drops = moods.iter().filter(|m| **m == Mood::Drop).count();
        assert!((3..=20).contains(&spikes), "{spikes} spikes");
        assert!((2..=16).contains(&drops), "{drops} drops");
        let gains: Vec<i64> = (start..start + 14).map(|d| a.gained(d)).collect();
        assert!(gains.windows(2).any(|w| w[0] != w[1]), "{gains:?}");
    }

    #[test]
    fn the_same_day_gives_the_same_figures() {
        let a = audience();
        let t = Timeline::new(&a, SEEDED_FROM + 200);
        let v = VideoModel::new(
            Kind::YouTube,
            seed("v", "x"),
            SEEDED_FROM + 10,
            10_000,
            1.0,
            None,
        );
        assert_eq!(
            v.lifetime(&t, SEEDED_FROM + 50),
            v.lifetime(&Timeline::new(&a, SEEDED_FROM + 300), SEEDED_FROM + 50)
        );
        assert_eq!(
            a.schedule(date_ts(SEEDED_FROM + 100)),
            a.schedule(date_ts(SEEDED_FROM + 100))
        );
    }

    fn date_ts(day: i64) -> Timestamp {
        Timestamp::from_second(day * 86_400 + 86_399).unwrap()
    }

    #[test]
    fn lifetimes_grow_level_off_and_sum_their_days() {
        let a = audience();
        let t = Timeline::new(&a, SEEDED_FROM + 400);
        let v = VideoModel::new(Kind::TikTok, seed("v", "y"), SEEDED_FROM, 10_000, 1.0, None);
        let at = |d: i64| v.lifetime(&t, SEEDED_FROM + d);
        assert_eq!(v.lifetime(&t, SEEDED_FROM - 1), Lifetime::default());
        assert!(at(0).views > 0);
        assert!(at(1).views > at(0).views && at(10).views > at(1).views);
        // Most of it in the first weeks, little after.
        let (early, late) = (at(20).views, at(400).views - at(200).views);
        assert!(late * 20 < early, "{early} then {late}");
        let summed = (0..=30).fold(Lifetime::default(), |sum, d| {
            sum.plus(v.on(&t, SEEDED_FROM + d))
        });
        assert_eq!(summed, at(30));
        let private = VideoModel::new(Kind::TikTok, seed("v", "y"), SEEDED_FROM, 10_000, 0.0, None);
        assert_eq!(private.lifetime(&t, SEEDED_FROM + 30).views, 0);
    }

    #[test]
    fn seeded_videos_come_every_three_to_five_days() {
        let a = audience();
        let slots = a.schedule(date_ts(SEEDED_FROM + 180));
        assert!((36..=61).contains(&slots.len()), "{}", slots.len());
        for pair in slots.windows(2) {
            let gap = utc_day(pair[1].at) - utc_day(pair[0].at);
            assert!((3..=5).contains(&gap), "{gap}");
        }
        let hours: Vec<i64> = slots
            .iter()
            .map(|s| s.at.as_second().rem_euclid(86_400) / 3600)
            .collect();
        assert!(hours.iter().all(|h| (8..20).contains(h)), "{hours:?}");
    }
}
