//! Anomalies: each day's metric against a robust baseline (the median and
//! the median absolute deviation of the 28 days before), flagged when it is
//! far off, stored with its evidence and raised as an in-app notice.
//!
//! The rule ([`judge`]) is pure: a day is unusual when
//! - at least [`MIN_DAYS`] of the [`WINDOW`] days before it have a value,
//! - its robust score, `(value − median) / (1.4826 × MAD)`, is at least
//!   [`THRESHOLD`] either way, and
//! - it differs from the median by at least the metric's
//!   [`min_change`], so a small account does not hear about 2 → 6 views.
//!
//! Why median and MAD: a mean and a standard deviation are dragged by the
//! very spikes they should find; half the window can be odd before the
//! median moves. When more than half the window is one value the MAD is 0;
//! the score then falls back to the mean absolute deviation (× 1.2533,
//! which makes it estimate the same spread for normal data), and when that
//! is 0 too (a constant window) any other value is as far off as a score
//! goes ([`SCORE_CAP`]). Both fallbacks, like the MAD, move with a shift
//! and scale with a scaling of the data, so the score does not depend on
//! the unit or the level of a metric.
//!
//! Detection runs after ingestion wrote an account's days; a new anomaly is
//! stored (the table's UNIQUE makes a second run a no-op) and, when its day
//! is within [`NOTIFY_DAYS`] of today, raised in the same transaction as an
//! `analytics_anomaly` notice (params `account`, `metric`, `direction`,
//! `value`, `median`), so a 90-day backfill does not fire old news.

use std::collections::BTreeMap;

use herald_accounts::Authorized;
use herald_core::{ConnectionId, Named, WorkspaceId};
use herald_db::{DbTime, on_pool, on_tx};
use herald_notify::{Audience, Notice, NoticeParam, NotificationKind, Raise};

use crate::{Analytics, AnalyticsError, Anomaly, Direction, Filter, Metric, Platform};

/// The days before a day that make its baseline.
pub const WINDOW: i32 = 28;
/// How many of them must have a value.
pub const MIN_DAYS: usize = 14;
/// How many scaled MADs away a day must be.
pub const THRESHOLD: f64 = 3.5;
/// Makes the MAD estimate the standard deviation of normal data.
pub const MAD_SCALE: f64 = 1.4826;
/// Makes the mean absolute deviation estimate the same (√(π/2)).
pub const MEAN_AD_SCALE: f64 = 1.2533;
/// The largest score reported (a change against a constant window).
pub const SCORE_CAP: f64 = 99.0;
/// Only anomalies this many days old or newer are raised as notices.
pub const NOTIFY_DAYS: i32 = 7;

/// The smallest change from the median worth telling, per metric.
pub fn min_change(metric: Metric) -> f64 {
    match metric {
        Metric::Views | Metric::Reach => 100.0,
        Metric::Engagements => 20.0,
        Metric::Follows | Metric::Unfollows => 10.0,
        // Ten minutes watched.
        Metric::WatchTimeSecs => 600.0,
    }
}

/// The median of `values` (`None` when there are none).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// The median absolute deviation from the median (unscaled).
pub fn mad(values: &[f64]) -> Option<f64> {
    let m = median(values)?;
    let deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    median(&deviations)
}

/// A window's centre and spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    pub median: f64,
    /// The median absolute deviation (unscaled, as stored).
    pub mad: f64,
    /// What a score divides by: 1.4826 × MAD, else 1.2533 × the mean
    /// absolute deviation, else 0 (a constant window).
    pub scale: f64,
    /// Days with a value.
    pub days: usize,
}

/// The baseline of `window` (`None` when it is empty).
pub fn baseline(window: &[f64]) -> Option<Baseline> {
    let median = median(window)?;
    let mad = mad(window)?;
    let scale = if mad > 0.0 {
        MAD_SCALE * mad
    } else {
        let mean_ad = window.iter().map(|v| (v - median).abs()).sum::<f64>() / window.len() as f64;
        MEAN_AD_SCALE * mean_ad
    };
    Some(Baseline {
        median,
        mad,
        scale,
        days: window.len(),
    })
}

/// How far `value` is from the baseline, in scaled MADs, within
/// ±[`SCORE_CAP`].
pub fn score(value: f64, b: &Baseline) -> f64 {
    let diff = value - b.median;
    if diff == 0.0 {
        return 0.0;
    }
    // A spread that vanishes against the level is a constant window seen
    // through rounding.
    if b.scale <= f64::EPSILON * b.median.abs().max(1.0) {
        return SCORE_CAP.copysign(diff);
    }
    (diff / b.scale).clamp(-SCORE_CAP, SCORE_CAP)
}

/// What [`judge`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    pub direction: Direction,
    pub median: f64,
    pub mad: f64,
    pub score: f64,
}

/// Whether `value` is unusual for `metric` against `window` (the values of
/// the [`WINDOW`] days before it that have one).
pub fn judge(metric: Metric, value: i64, window: &[i64]) -> Option<Finding> {
    if window.len() < MIN_DAYS {
        return None;
    }
    let values: Vec<f64> = window.iter().map(|v| *v as f64).collect();
    let b = baseline(&values)?;
    let value = value as f64;
    let s = score(value, &b);
    if s.abs() < THRESHOLD || (value - b.median).abs() < min_change(metric) {
        return None;
    }
    Some(Finding {
        direction: if s > 0.0 {
            Direction::Spike
        } else {
            Direction::Drop
        },
        median: b.median,
        mad: b.mad,
        score: s,
    })
}

/// Every unusual day of one metric: `days` maps day numbers to values;
/// only days in `from..=to` are judged, each against the days before it.
pub fn scan(
    metric: Metric,
    days: &BTreeMap<i32, i64>,
    from: i32,
    to: i32,
) -> Vec<(i32, i64, Finding)> {
    days.range(from..=to)
        .filter_map(|(&day, &value)| {
            let window: Vec<i64> = days.range(day - WINDOW..day).map(|(_, v)| *v).collect();
            judge(metric, value, &window).map(|f| (day, value, f))
        })
        .collect()
}

pub use crate::store::{date_of, day_number, utc_day};

const METRICS: [Metric; 6] = [
    Metric::Views,
    Metric::Reach,
    Metric::Engagements,
    Metric::Follows,
    Metric::Unfollows,
    Metric::WatchTimeSecs,
];

type DayRow = (
    i32,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

type AnomalyRow = (
    i64,
    ConnectionId,
    String,
    String,
    i32,
    String,
    i64,
    f64,
    f64,
    f64,
    String,
);

impl Analytics {
    /// The anomalies of the filter's period, newest first.
    pub async fn anomalies(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<Anomaly>, AnalyticsError> {
        auth.require(herald_accounts::Permission::View)?;
        let days = crate::query::Days::of(filter.period, self.now());
        let account = filter.account.as_ref().map(|c| c.as_str().to_owned());
        let rows: Vec<AnomalyRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT a.id, a.connection_id, c.name, a.metric, a.day, a.direction, a.value, \
                 a.median, a.mad, a.score, c.kind \
                 FROM analytics_anomalies a JOIN connections c ON c.id = a.connection_id \
                 WHERE a.workspace_id = $1 AND a.day >= $2 AND a.day <= $3 \
                 AND ($4 IS NULL OR a.connection_id = $4) \
                 ORDER BY a.day DESC, a.id DESC",
            )
            .bind(auth.workspace())
            .bind(days.from)
            .bind(days.to)
            .bind(account)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .filter(|r| {
                filter
                    .platform
                    .is_none_or(|p| Platform::of_kind(&r.10) == Some(p))
            })
            .map(anomaly_of)
            .collect()
    }

    /// Looks for anomalies in `connection`'s days `from..=to` (day numbers)
    /// after an ingestion run wrote them; stores new ones and raises their
    /// notices. Returns how many were new. Ingestion calls it after each
    /// run; running it twice over the same days finds nothing new.
    pub async fn detect_anomalies(
        &self,
        connection: &ConnectionId,
        from: i32,
        to: i32,
    ) -> Result<u32, AnalyticsError> {
        let now = self.now();
        let account: Option<(WorkspaceId, String)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT workspace_id, name FROM connections WHERE id = $1")
                .bind(connection)
                .fetch_optional(pool)
                .await?
        });
        let Some((workspace, name)) = account else {
            return Err(AnalyticsError::AccountNotFound);
        };
        let rows: Vec<DayRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT day, views, reach, engagements, follows, unfollows, watch_time_secs \
                 FROM analytics_account_days WHERE connection_id = $1 AND day >= $2 AND day <= $3 \
                 ORDER BY day",
            )
            .bind(connection)
            .bind(from - WINDOW)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        let mut found = Vec::new();
        for metric in METRICS {
            let series: BTreeMap<i32, i64> = rows
                .iter()
                .filter_map(|r| {
                    let v = match metric {
                        Metric::Views => r.1,
                        Metric::Reach => r.2,
                        Metric::Engagements => r.3,
                        Metric::Follows => r.4,
                        Metric::Unfollows => r.5,
                        Metric::WatchTimeSecs => r.6,
                    };
                    v.map(|v| (r.0, v))
                })
                .collect();
            for (day, value, f) in scan(metric, &series, from, to) {
                found.push((metric, day, value, f));
            }
        }
        if found.is_empty() {
            return Ok(0);
        }
        let notify_from = utc_day(now) - NOTIFY_DAYS;
        let link = format!(
            "/home/analytics?workspace={}&account={}",
            workspace.0, connection
        );
        let mut new = 0;
        let mut tx = self.db().begin().await?;
        for (metric, day, value, f) in found {
            let inserted = on_tx!(tx, |conn| {
                sqlx::query(
                    "INSERT INTO analytics_anomalies (workspace_id, connection_id, metric, day, \
                     direction, value, median, mad, score, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (connection_id, metric, day) DO NOTHING",
                )
                .bind(workspace)
                .bind(connection)
                .bind(metric.as_str())
                .bind(day)
                .bind(f.direction.as_str())
                .bind(value)
                .bind(f.median)
                .bind(f.mad)
                .bind(f.score)
                .bind(DbTime(now))
                .execute(conn)
                .await?
                .rows_affected()
            });
            if inserted == 0 {
                continue;
            }
            new += 1;
            if day < notify_from {
                continue;
            }
            let notice = Notice::new(
                "analytics_anomaly",
                [
                    ("account", name.as_str().into()),
                    ("metric", metric.as_str().into()),
                    ("direction", f.direction.as_str().into()),
                    ("value", NoticeParam::Count(value.max(0) as u64)),
                    (
                        "median",
                        NoticeParam::Count(f.median.round().max(0.0) as u64),
                    ),
                ],
            );
            let key = format!("analytics_anomaly:{connection}:{}:{day}", metric.as_str());
            let raise = Raise::new(
                workspace,
                Audience::Everyone,
                NotificationKind::AnalyticsAnomaly,
                &notice,
            )
            .link(&link)
            .key(&key);
            self.inner.notifier.raise(&mut tx, &raise, now).await?;
        }
        tx.commit().await?;
        Ok(new)
    }
}

fn anomaly_of(r: AnomalyRow) -> Result<Anomaly, AnalyticsError> {
    let (id, connection_id, account_name, metric, day, direction, value, median, mad, score, _) = r;
    Ok(Anomaly {
        id,
        connection_id,
        account_name,
        metric: Metric::parse(&metric)
            .ok_or_else(|| AnalyticsError::Corrupt(format!("unknown metric {metric}")))?,
        day: date_of(day),
        direction: Direction::parse(&direction)
            .ok_or_else(|| AnalyticsError::Corrupt(format!("unknown direction {direction}")))?,
        value,
        median,
        mad,
        score,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A noisy but steady series around `level`.
    fn steady(level: i64, days: usize) -> Vec<i64> {
        (0..days)
            .map(|i| level + [-3, 5, -1, 2, 0, -4, 6][i % 7] * level / 100)
            .collect()
    }

    #[test]
    fn median_and_mad_of_small_series() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // |1-3|, |2-3|, |3-3|, |4-3|, |100-3| → 2, 1, 0, 1, 97 → 1.
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), Some(1.0));
    }

    #[test]
    fn a_spike_and_a_drop_are_flagged_with_their_evidence() {
        let window = steady(1000, 28);
        let spike = judge(Metric::Views, 4000, &window).expect("a spike");
        assert_eq!(spike.direction, Direction::Spike);
        assert_eq!(spike.median, 1000.0);
        assert!(spike.score >= THRESHOLD);
        let drop = judge(Metric::Views, 200, &window).expect("a drop");
        assert_eq!(drop.direction, Direction::Drop);
        assert!(drop.score <= -THRESHOLD);
        assert_eq!(judge(Metric::Views, 1040, &window), None, "within noise");
    }

    #[test]
    fn too_few_days_or_too_small_a_change_say_nothing() {
        assert_eq!(judge(Metric::Views, 4000, &steady(1000, 13)), None);
        assert!(judge(Metric::Views, 4000, &steady(1000, 14)).is_some());
        // A tiny account: 2 → 6 views is three times as many, and nothing.
        let tiny = [2, 2, 3, 2, 1, 2, 2, 3, 2, 2, 1, 2, 2, 2, 3, 2];
        assert_eq!(judge(Metric::Views, 6, &tiny), None);
        assert_eq!(judge(Metric::Follows, 9, &[0; 20]), None);
        assert!(judge(Metric::Follows, 40, &[0; 20]).is_some());
    }

    #[test]
    fn a_zero_mad_falls_back_to_the_mean_deviation_then_to_the_cap() {
        // More than half the window is 500: MAD 0, mean deviation not.
        let mut window = vec![500; 20];
        window.extend([400, 620, 450, 580]);
        let b = baseline(&window.iter().map(|v| *v as f64).collect::<Vec<_>>()).unwrap();
        assert_eq!(b.mad, 0.0);
        assert!(b.scale > 0.0);
        assert!(judge(Metric::Views, 505, &window).is_none());
        assert!(judge(Metric::Views, 2000, &window).is_some());
        // A constant window: the same value is nothing, another is capped.
        let constant = [500; 28];
        assert_eq!(judge(Metric::Views, 500, &constant), None);
        let f = judge(Metric::Views, 900, &constant).unwrap();
        assert_eq!((f.direction, f.score), (Direction::Spike, SCORE_CAP));
    }

    #[test]
    fn scan_judges_each_day_against_the_days_before_it() {
        let mut days: BTreeMap<i32, i64> = (0..40).zip(steady(1000, 40)).collect();
        days.insert(35, 5000);
        let found = scan(Metric::Views, &days, 30, 39);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (35, 5000));
        // The spike is in the window of the days after it and moves nothing.
        assert!(scan(Metric::Views, &days, 36, 39).is_empty());
        assert!(
            scan(Metric::Views, &days, 0, 13).is_empty(),
            "no baseline yet"
        );
    }

    #[test]
    fn day_numbers_read_back() {
        assert_eq!(day_number(jiff::civil::date(1970, 1, 1)), 0);
        assert_eq!(day_number(jiff::civil::date(2026, 12, 7)), 20_794);
        assert_eq!(date_of(20_794), jiff::civil::date(2026, 12, 7));
        let at: herald_core::Timestamp = "2026-12-07T23:59:59Z".parse().unwrap();
        assert_eq!(utc_day(at), 20_794);
    }

    proptest! {
        #[test]
        fn the_score_ignores_shift_and_scale(
            window in proptest::collection::vec(-1_000_000i64..1_000_000, 14..29),
            value in -1_000_000i64..1_000_000,
            shift in -1_000_000i64..1_000_000,
            factor in 1i64..50,
        ) {
            let w: Vec<f64> = window.iter().map(|v| *v as f64).collect();
            let b = baseline(&w).unwrap();
            let s = score(value as f64, &b);
            let moved: Vec<f64> = window.iter().map(|v| (v * factor + shift) as f64).collect();
            let bm = baseline(&moved).unwrap();
            let sm = score((value * factor + shift) as f64, &bm);
            prop_assert!((s - sm).abs() <= 1e-6 * s.abs().max(1.0), "{s} vs {sm}");
        }

        #[test]
        fn a_constant_series_is_never_flagged(level in 0i64..10_000_000, days in 14usize..29) {
            for metric in METRICS {
                prop_assert_eq!(judge(metric, level, &vec![level; days]), None);
            }
        }

        #[test]
        fn an_obvious_spike_or_drop_is_always_flagged(
            level in 1_000i64..1_000_000,
            noise in proptest::collection::vec(-20i64..20, 14..29),
            factor in 3i64..20,
        ) {
            // Noise within ±2 % of the level.
            let window: Vec<i64> = noise.iter().map(|n| level + n * level / 1000).collect();
            let spike = judge(Metric::Views, level * factor, &window);
            prop_assert_eq!(spike.map(|f| f.direction), Some(Direction::Spike));
            let drop = judge(Metric::Views, level / factor, &window);
            prop_assert_eq!(drop.map(|f| f.direction), Some(Direction::Drop));
        }
    }
}
