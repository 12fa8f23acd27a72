//! The dashboard's figures as the page shows them: pure functions from
//! analytics' model types to rows of text in the reader's language
//! (numbers, percentages, dates and changes written the language's way),
//! each chart beside the table that holds its numbers.

use herald_analytics::{
    AccountSummary, Anomaly, BestTimes, Direction, Figure, FunnelStep, Metric, Period, PlatformRow,
    PostRow, Rate, RunStatus, RunView, Series, Step, Totals,
};
use jiff::tz::TimeZone;

use crate::charts::{Bar, BarChart, Caption, Cell, HeatMap, Line, LineChart, Size, Svg};
use crate::i18n::{Arg, Catalog};
use crate::words;

/// What a dash stands for: a figure the platform does not report.
pub fn none(t: &Catalog) -> String {
    t.text("analytics.none").to_owned()
}

fn count(t: &Catalog, n: Option<i64>) -> String {
    n.map_or_else(|| none(t), |n| t.count(n))
}

fn rate(t: &Catalog, r: Option<f64>) -> String {
    r.map_or_else(|| none(t), |r| words::percent(t, r, 2))
}

fn hours(t: &Catalog, secs: Option<i64>) -> String {
    secs.map_or_else(|| none(t), |s| words::watch_hours(t, s))
}

/// The platform's name.
pub fn platform(t: &Catalog, p: herald_analytics::Platform) -> &str {
    t.text(&format!("studio.platform.{}", <&str>::from(p)))
}

/// A weekday (0 = Monday), long or short.
pub fn weekday(t: &Catalog, day: u8, long: bool) -> &str {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let code = DAYS[usize::from(day.min(6))];
    if long {
        t.text(&format!("studio.day.{code}"))
    } else {
        t.text(&format!("calendar.weekday.{code}"))
    }
}

// ------------------------------------------------------------ changes

/// A figure's change against the period before: a sign and an arrow as
/// well as a class, so it is not told by colour alone, and the whole of
/// it in words for screen readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `up`, `down`, `flat` or `none` (nothing to compare with).
    pub class: &'static str,
    /// ▲, ▼ or = (hidden from screen readers: `words` says it).
    pub mark: &'static str,
    /// `+12.5%`, `-40`.
    pub text: String,
    pub words: String,
}

fn change_of(t: &Catalog, days: i32, diff: Option<f64>, text: String) -> Change {
    let (class, mark, key) = match diff {
        None => ("none", "", "analytics.change_unknown"),
        Some(d) if d > 0.0 => ("up", "▲", "analytics.change_up"),
        Some(d) if d < 0.0 => ("down", "▼", "analytics.change_down"),
        Some(_) => ("flat", "=", "analytics.change_flat"),
    };
    let shown = text.trim_start_matches(['+', '-']).to_owned();
    Change {
        class,
        mark,
        words: t.format(
            key,
            &[("change", Arg::from(shown)), ("days", Arg::from(days))],
        ),
        text: if diff.is_some() { text } else { String::new() },
    }
}

/// The change of a count: as a percentage of the figure before, or in
/// whole numbers when that was zero.
pub fn figure_change(t: &Catalog, period: Period, f: &Figure) -> Change {
    let days = period.days();
    match (f.change(), f.change_ratio()) {
        (Some(d), Some(r)) => change_of(t, days, Some(d as f64), words::signed_percent(t, r, 1)),
        (Some(d), None) => change_of(t, days, Some(d as f64), words::signed_count(t, d)),
        _ => change_of(t, days, None, String::new()),
    }
}

/// The change of a rate, in percentage points.
pub fn rate_change(t: &Catalog, period: Period, r: &Rate) -> Change {
    let days = period.days();
    match r.change() {
        Some(d) => {
            let points = t.fill("unit.points", "n", t.decimal(d.abs() * 100.0, 2));
            let sign = if d > 0.0 {
                "+"
            } else if d < 0.0 {
                "-"
            } else {
                ""
            };
            change_of(t, days, Some(d), format!("{sign}{points}"))
        }
        None => change_of(t, days, None, String::new()),
    }
}

// ------------------------------------------------------------ headline

pub struct Headline {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    pub change: Change,
}

/// The headline cards: followers, views, engagements, engagement rate,
/// watch time.
pub fn headlines(t: &Catalog, period: Period, total: &Totals) -> Vec<Headline> {
    let card = |key: &'static str, value: String, change: Change| Headline {
        key,
        label: t.text(&format!("analytics.headline.{key}")).to_owned(),
        value,
        change,
    };
    vec![
        card(
            "followers",
            count(t, total.followers.value),
            figure_change(t, period, &total.followers),
        ),
        card(
            "views",
            count(t, total.views.value),
            figure_change(t, period, &total.views),
        ),
        card(
            "engagements",
            count(t, total.engagements.value),
            figure_change(t, period, &total.engagements),
        ),
        card(
            "engagement_rate",
            rate(t, total.engagement_rate.value),
            rate_change(t, period, &total.engagement_rate),
        ),
        card(
            "watch_time",
            hours(t, total.watch_time_secs.value),
            figure_change(t, period, &total.watch_time_secs),
        ),
    ]
}

// ------------------------------------------------------------ tables

/// A table behind a chart (or on its own): a caption, column heads, rows
/// whose first cell heads the row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A chart with the table of its numbers.
pub struct ChartBlock {
    pub id: String,
    pub svg: Svg,
    pub table: Table,
}

pub struct AccountLine {
    pub name: String,
    pub platform: String,
    pub followers: String,
    pub followers_change: Change,
    pub views: String,
    pub engagements: String,
    pub rate: String,
    pub watch_time: String,
    pub posts: String,
    pub last_day: String,
}

pub fn account_lines(t: &Catalog, period: Period, accounts: &[AccountSummary]) -> Vec<AccountLine> {
    accounts
        .iter()
        .map(|a| AccountLine {
            name: a.name.clone(),
            platform: platform(t, a.platform).to_owned(),
            followers: count(t, a.totals.followers.value),
            followers_change: figure_change(t, period, &a.totals.followers),
            views: count(t, a.totals.views.value),
            engagements: count(t, a.totals.engagements.value),
            rate: rate(t, a.totals.engagement_rate.value),
            watch_time: hours(t, a.totals.watch_time_secs.value),
            posts: count(t, a.totals.posts.value),
            last_day: a.last_day.map_or_else(|| none(t), |d| words::date(t, d)),
        })
        .collect()
}

// ------------------------------------------------------------ growth

/// What the growth charts draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    #[default]
    Followers,
    Views,
    Engagements,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Followers, Measure::Views, Measure::Engagements];

    pub fn code(self) -> &'static str {
        match self {
            Measure::Followers => "followers",
            Measure::Views => "views",
            Measure::Engagements => "engagements",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == s)
    }

    fn of(self, p: &herald_analytics::Point) -> Option<i64> {
        match self {
            Measure::Followers => p.followers,
            Measure::Views => p.views,
            Measure::Engagements => p.engagements,
        }
    }
}

/// One series as a line chart with its table (every measure per day).
pub fn growth_block(
    t: &Catalog,
    series: &Series,
    measure: Measure,
    id: &str,
    size: Size,
) -> ChartBlock {
    let name = if series.connection_id.is_none() {
        t.text("analytics.growth_all").to_owned()
    } else {
        series.name.clone()
    };
    let measure_name = t.text(&format!("analytics.measure.{}", measure.code()));
    let known: Vec<(jiff::civil::Date, i64)> = series
        .points
        .iter()
        .filter_map(|p| measure.of(p).map(|v| (p.day, v)))
        .collect();
    let summary = match (known.first(), known.last()) {
        (Some((from, first)), Some((to, last))) => t.format(
            "analytics.growth_summary",
            &[
                ("measure", Arg::from(measure_name)),
                ("first", Arg::from(t.count(*first))),
                ("from", Arg::from(words::date(t, *from))),
                ("last", Arg::from(t.count(*last))),
                ("to", Arg::from(words::date(t, *to))),
            ],
        ),
        _ => t.fill("analytics.growth_summary_none", "measure", measure_name),
    };
    let format = |v: f64| t.count(v.round() as i64);
    let chart = LineChart {
        caption: Caption {
            id: id.to_owned(),
            title: t.format(
                "analytics.growth_chart",
                &[
                    ("measure", Arg::from(measure_name)),
                    ("name", Arg::from(&name)),
                ],
            ),
            summary,
        },
        x_labels: series
            .points
            .iter()
            .map(|p| words::day_month(t, p.day))
            .collect(),
        lines: vec![Line {
            label: name.clone(),
            values: series
                .points
                .iter()
                .map(|p| measure.of(p).map(|v| v as f64))
                .collect(),
        }],
        zero_based: measure != Measure::Followers,
        size,
        format: &format,
    };
    ChartBlock {
        id: id.to_owned(),
        svg: chart.svg(),
        table: Table {
            caption: name,
            head: ["day", "followers", "views", "engagements"]
                .iter()
                .map(|k| t.text(&format!("analytics.col.{k}")).to_owned())
                .collect(),
            rows: series
                .points
                .iter()
                .map(|p| {
                    vec![
                        words::date(t, p.day),
                        count(t, p.followers),
                        count(t, p.views),
                        count(t, p.engagements),
                    ]
                })
                .collect(),
        },
    }
}

// ------------------------------------------------------------ funnel

fn step_name(t: &Catalog, s: Step) -> &str {
    t.text(&format!("analytics.step.{}", <&str>::from(s)))
}

/// The funnel as bars, with each step's share of the one before.
pub fn funnel_block(t: &Catalog, steps: &[FunnelStep]) -> ChartBlock {
    let value = |s: Step| steps.iter().find(|f| f.step == s).and_then(|f| f.value);
    let summary = t.format(
        "analytics.funnel_summary",
        &[
            ("views", Arg::from(count(t, value(Step::Views)))),
            ("engagements", Arg::from(count(t, value(Step::Engagements)))),
            ("follows", Arg::from(count(t, value(Step::Follows)))),
        ],
    );
    let chart = BarChart {
        caption: Caption {
            id: "funnel".to_owned(),
            title: t.text("analytics.funnel_title").to_owned(),
            summary,
        },
        bars: steps
            .iter()
            .map(|s| Bar {
                label: step_name(t, s.step).to_owned(),
                value: s.value.map(|v| v as f64),
                text: s.value.map_or_else(
                    || t.text("analytics.not_reported").to_owned(),
                    |v| t.count(v),
                ),
            })
            .collect(),
    };
    let mut previous: Option<i64> = None;
    let rows = steps
        .iter()
        .map(|s| {
            let share = match (s.value, previous) {
                (Some(v), Some(p)) if p > 0 => words::percent(t, v as f64 / p as f64, 1),
                _ => none(t),
            };
            if s.value.is_some() {
                previous = s.value;
            }
            vec![step_name(t, s.step).to_owned(), count(t, s.value), share]
        })
        .collect();
    ChartBlock {
        id: "funnel".to_owned(),
        svg: chart.svg(),
        table: Table {
            caption: t.text("analytics.funnel_title").to_owned(),
            head: ["step", "value", "of_previous"]
                .iter()
                .map(|k| t.text(&format!("analytics.col.{k}")).to_owned())
                .collect(),
            rows,
        },
    }
}

// ------------------------------------------------------------ posts

pub struct PostLine {
    pub title: String,
    pub permalink: Option<String>,
    /// The Herald post's page, when it was published from Herald.
    pub herald: Option<String>,
    pub account: String,
    pub platform: String,
    pub published: String,
    pub views: String,
    pub engagements: String,
    pub rate: String,
}

/// Only web addresses become links (a platform's permalink is data).
fn web_link(url: &Option<String>) -> Option<String> {
    url.as_ref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .cloned()
}

pub fn post_lines(t: &Catalog, tz: &TimeZone, workspace: i64, posts: &[PostRow]) -> Vec<PostLine> {
    posts
        .iter()
        .map(|p| PostLine {
            title: p
                .title
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| t.text("analytics.untitled").to_owned()),
            permalink: web_link(&p.permalink),
            herald: p
                .post_id
                .as_ref()
                .map(|id| format!("/home/posts/{id}?workspace={workspace}")),
            account: p.account_name.clone(),
            platform: platform(t, p.platform).to_owned(),
            published: p
                .published_at
                .map_or_else(|| none(t), |at| words::zoned_date(t, tz, at)),
            views: count(t, p.views),
            engagements: count(t, p.engagements),
            rate: rate(t, p.engagement_rate),
        })
        .collect()
}

// ------------------------------------------------------------ best times

fn hour_label(hour: u8) -> String {
    format!("{hour:02}")
}

/// A slot in words (`Tuesday at 18:00 (4.20%, 3 posts)`).
pub fn best_slot(t: &Catalog, slot: &herald_analytics::Slot) -> String {
    t.format(
        "analytics.best_slot",
        &[
            ("day", Arg::from(weekday(t, slot.weekday, true))),
            ("hour", Arg::from(hour_label(slot.hour))),
            ("rate", Arg::from(rate(t, slot.engagement_rate))),
            ("posts", Arg::from(slot.posts)),
        ],
    )
}

/// The heat map of weekday × hour, with the slots that had posts as its
/// table.
pub fn heat_block(t: &Catalog, best: &BestTimes) -> ChartBlock {
    let mut cells = vec![vec![Cell::default(); 24]; 7];
    for (d, row) in cells.iter_mut().enumerate() {
        for (h, cell) in row.iter_mut().enumerate() {
            cell.note = t.format(
                "analytics.heat_cell_empty",
                &[
                    ("day", Arg::from(weekday(t, d as u8, true))),
                    ("hour", Arg::from(hour_label(h as u8))),
                ],
            );
        }
    }
    for s in &best.slots {
        let (d, h) = (usize::from(s.weekday.min(6)), usize::from(s.hour.min(23)));
        cells[d][h] = Cell {
            value: Some(s.engagement_rate.unwrap_or(0.0)),
            note: t.format(
                "analytics.heat_cell",
                &[
                    ("day", Arg::from(weekday(t, s.weekday, true))),
                    ("hour", Arg::from(hour_label(s.hour))),
                    ("posts", Arg::from(s.posts)),
                    ("rate", Arg::from(rate(t, s.engagement_rate))),
                ],
            ),
            best: best
                .best
                .iter()
                .any(|b| (b.weekday, b.hour) == (s.weekday, s.hour)),
        };
    }
    let best_words: Vec<String> = best.best.iter().map(|s| best_slot(t, s)).collect();
    let summary = if best_words.is_empty() {
        t.fill(
            "analytics.heat_summary_none",
            "posts",
            Arg::Count(u64::from(best.posts)),
        )
    } else {
        t.format(
            "analytics.heat_summary",
            &[
                ("posts", Arg::Count(u64::from(best.posts))),
                ("best", Arg::from(best_words.join("; "))),
            ],
        )
    };
    let map = HeatMap {
        caption: Caption {
            id: "heat".to_owned(),
            title: t.fill("analytics.heat_chart", "zone", best.time_zone.as_str()),
            summary,
        },
        rows: (0..7).map(|d| weekday(t, d, false).to_owned()).collect(),
        columns: (0..24).map(hour_label).collect(),
        cells,
    };
    ChartBlock {
        id: "heat".to_owned(),
        svg: map.svg(),
        table: Table {
            caption: t.fill("analytics.heat_chart", "zone", best.time_zone.as_str()),
            head: ["weekday", "hour", "posts", "rate"]
                .iter()
                .map(|k| t.text(&format!("analytics.col.{k}")).to_owned())
                .collect(),
            rows: best
                .slots
                .iter()
                .map(|s| {
                    vec![
                        weekday(t, s.weekday, true).to_owned(),
                        format!("{}:00", hour_label(s.hour)),
                        t.count(i64::from(s.posts)),
                        rate(t, s.engagement_rate),
                    ]
                })
                .collect(),
        },
    }
}

// ------------------------------------------------------------ platforms

/// Views by platform as bars; the table has every figure.
pub fn platforms_block(t: &Catalog, rows: &[PlatformRow]) -> ChartBlock {
    let chart = BarChart {
        caption: Caption {
            id: "platforms".to_owned(),
            title: t.text("analytics.platforms_chart").to_owned(),
            summary: rows
                .iter()
                .map(|r| {
                    t.format(
                        "analytics.platform_summary",
                        &[
                            ("platform", Arg::from(platform(t, r.platform))),
                            ("views", Arg::from(count(t, r.totals.views.value))),
                            ("rate", Arg::from(rate(t, r.totals.engagement_rate.value))),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
        },
        bars: rows
            .iter()
            .map(|r| Bar {
                label: platform(t, r.platform).to_owned(),
                value: r.totals.views.value.map(|v| v as f64),
                text: r.totals.views.value.map_or_else(
                    || t.text("analytics.not_reported").to_owned(),
                    |v| t.count(v),
                ),
            })
            .collect(),
    };
    ChartBlock {
        id: "platforms".to_owned(),
        svg: chart.svg(),
        table: Table {
            caption: t.text("analytics.platforms_title").to_owned(),
            head: [
                "platform",
                "accounts",
                "followers",
                "views",
                "engagements",
                "rate",
                "watch_time",
                "posts",
            ]
            .iter()
            .map(|k| t.text(&format!("analytics.col.{k}")).to_owned())
            .collect(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        platform(t, r.platform).to_owned(),
                        t.count(i64::from(r.accounts)),
                        count(t, r.totals.followers.value),
                        count(t, r.totals.views.value),
                        count(t, r.totals.engagements.value),
                        rate(t, r.totals.engagement_rate.value),
                        hours(t, r.totals.watch_time_secs.value),
                        count(t, r.totals.posts.value),
                    ]
                })
                .collect(),
        },
    }
}

// ------------------------------------------------------------ anomalies and runs

pub fn metric(t: &Catalog, m: Metric) -> &str {
    t.text(&format!("analytics.metric.{}", <&str>::from(m)))
}

/// An anomaly in words, with its evidence.
pub fn anomaly(t: &Catalog, a: &Anomaly) -> String {
    let key = match a.direction {
        Direction::Spike => "analytics.anomaly.spike",
        Direction::Drop => "analytics.anomaly.drop",
    };
    t.format(
        key,
        &[
            ("metric", Arg::from(metric(t, a.metric))),
            ("account", Arg::from(&a.account_name)),
            ("day", Arg::from(words::date(t, a.day))),
            ("value", Arg::from(t.count(a.value))),
            ("median", Arg::from(t.count(a.median.round() as i64))),
        ],
    )
}

pub struct RunLine {
    pub account: String,
    pub reason: String,
    pub status: String,
    pub status_class: &'static str,
    pub days: String,
    pub account_rows: String,
    pub post_rows: String,
    pub calls: String,
    pub errors: String,
    pub last_error: String,
    pub started: String,
    pub finished: String,
}

/// The words of an ingestion failure's code.
pub fn run_error(t: &Catalog, code: &str) -> String {
    let key = format!("analytics.run_error.{code}");
    if t.has(&key) {
        t.text(&key).to_owned()
    } else {
        t.text("analytics.run_error.other").to_owned()
    }
}

pub fn run_lines(t: &Catalog, tz: &TimeZone, runs: &[RunView]) -> Vec<RunLine> {
    runs.iter()
        .map(|r| RunLine {
            account: r.account_name.clone(),
            reason: t
                .text(&format!("analytics.reason.{}", <&str>::from(r.reason)))
                .to_owned(),
            status: t
                .text(&format!("analytics.status.{}", <&str>::from(r.status)))
                .to_owned(),
            status_class: match r.status {
                RunStatus::Queued => "status-scheduled",
                RunStatus::Running => "status-publishing",
                RunStatus::Succeeded => "status-published",
                RunStatus::Failed => "status-failed",
            },
            days: t.format(
                "analytics.run_days",
                &[
                    ("from", Arg::from(words::date(t, r.first_day))),
                    ("to", Arg::from(words::date(t, r.last_day))),
                ],
            ),
            account_rows: t.count(r.account_rows),
            post_rows: t.count(r.post_rows),
            calls: t.count(r.calls),
            errors: t.count(r.errors),
            last_error: r
                .last_error
                .as_deref()
                .map(|c| run_error(t, c))
                .unwrap_or_default(),
            started: words::zoned_instant(t, tz, r.created_at),
            finished: r
                .finished_at
                .map(|at| words::zoned_instant(t, tz, at))
                .unwrap_or_default(),
        })
        .collect()
}

/// Every reason and status a run can have (for the catalogs' test).
#[cfg(test)]
pub const REASONS: [herald_analytics::Reason; 3] = [
    herald_analytics::Reason::Backfill,
    herald_analytics::Reason::Nightly,
    herald_analytics::Reason::Manual,
];
#[cfg(test)]
pub const STATUSES: [RunStatus; 4] = [
    RunStatus::Queued,
    RunStatus::Running,
    RunStatus::Succeeded,
    RunStatus::Failed,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};
    use herald_analytics::{Point, Slot};
    use herald_core::ConnectionId;
    use jiff::civil::date;

    #[test]
    fn changes_carry_a_sign_an_arrow_and_words_not_only_a_colour() {
        let en = catalog(Locale::En);
        let up = figure_change(
            en,
            Period::Month,
            &Figure {
                value: Some(1250),
                previous: Some(1000),
            },
        );
        assert_eq!((up.class, up.mark, up.text.as_str()), ("up", "▲", "+25.0%"));
        assert!(
            up.words.contains("up 25.0%") && up.words.contains("30 days"),
            "{}",
            up.words
        );
        let down = figure_change(
            en,
            Period::Week,
            &Figure {
                value: Some(40),
                previous: Some(0),
            },
        );
        assert_eq!(down.class, "up", "from zero the change is in numbers");
        assert_eq!(down.text, "+40");
        let fell = figure_change(
            en,
            Period::Week,
            &Figure {
                value: Some(900),
                previous: Some(1000),
            },
        );
        assert_eq!(
            (fell.class, fell.mark, fell.text.as_str()),
            ("down", "▼", "-10.0%")
        );
        let unknown = figure_change(en, Period::Week, &Figure::default());
        assert_eq!((unknown.class, unknown.text.as_str()), ("none", ""));
        assert!(!unknown.words.is_empty());
        let points = rate_change(
            en,
            Period::Month,
            &Rate {
                value: Some(0.05),
                previous: Some(0.04),
            },
        );
        assert_eq!(points.text, "+1.00 pp");
    }

    #[test]
    fn german_readers_get_german_numbers_and_dates() {
        let de = catalog(Locale::De);
        let total = Totals {
            followers: Figure {
                value: Some(12_500),
                previous: Some(10_000),
            },
            engagement_rate: Rate {
                value: Some(0.04567),
                previous: None,
            },
            watch_time_secs: Figure {
                value: Some(4_444_200),
                previous: None,
            },
            ..Totals::default()
        };
        let cards = headlines(de, Period::Month, &total);
        assert_eq!(cards[0].value, "12.500");
        assert_eq!(cards[0].change.text, "+25,0 %");
        assert_eq!(cards[1].value, "—", "views not reported");
        assert_eq!(cards[3].value, "4,57 %");
        assert_eq!(cards[4].value, "1.234,5 Std.");
        assert_eq!(words::date(de, date(2026, 12, 7)), "07.12.2026");
        assert_eq!(words::day_month(de, date(2026, 12, 7)), "7. Dez.");
        let en = catalog(Locale::En);
        assert_eq!(headlines(en, Period::Month, &total)[0].value, "12,500");
        assert_eq!(words::day_month(en, date(2026, 12, 7)), "Dec 7");
    }

    #[test]
    fn the_funnel_shows_each_steps_share_of_the_one_before() {
        let en = catalog(Locale::En);
        let block = funnel_block(
            en,
            &[
                FunnelStep {
                    step: Step::Views,
                    value: Some(10_000),
                },
                FunnelStep {
                    step: Step::Engagements,
                    value: Some(500),
                },
                FunnelStep {
                    step: Step::ProfileActions,
                    value: None,
                },
                FunnelStep {
                    step: Step::Follows,
                    value: Some(25),
                },
            ],
        );
        assert_eq!(block.table.rows[0], ["Views", "10,000", "—"]);
        assert_eq!(block.table.rows[1], ["Engagements", "500", "5.0%"]);
        assert_eq!(block.table.rows[2][1], "—");
        // Follows against the last step that was known.
        assert_eq!(block.table.rows[3][2], "5.0%");
        assert!(block.svg.as_str().contains("not reported"));
    }

    #[test]
    fn the_heat_map_names_every_slot_and_stars_the_best() {
        let en = catalog(Locale::En);
        let slot = |weekday, hour, posts, rate| Slot {
            weekday,
            hour,
            posts,
            engagement_rate: rate,
        };
        let best = BestTimes {
            time_zone: "Europe/Berlin".into(),
            slots: vec![slot(1, 18, 3, Some(0.042)), slot(5, 9, 1, None)],
            best: vec![slot(1, 18, 3, Some(0.042))],
            posts: 4,
        };
        let block = heat_block(en, &best);
        let svg = block.svg.as_str();
        assert!(
            svg.contains("Tuesday 18:00: 3 posts, 4.20% engagement rate"),
            "{svg}"
        );
        assert!(svg.contains("Monday 00:00: no posts"));
        assert!(svg.contains("Europe/Berlin"));
        assert_eq!(svg.matches('★').count(), 1);
        assert_eq!(block.table.rows.len(), 2);
        assert_eq!(block.table.rows[0], ["Tuesday", "18:00", "3", "4.20%"]);
        assert_eq!(
            best_slot(en, &best.best[0]),
            "Tuesday at 18:00 (4.20%, 3 posts)"
        );
    }

    #[test]
    fn growth_tables_hold_every_day_and_unknown_days_stay_unknown() {
        let en = catalog(Locale::En);
        let series = Series {
            connection_id: Some(ConnectionId::from("c1")),
            name: "Bakery <IG>".into(),
            platform: Some(herald_analytics::Platform::Instagram),
            points: vec![
                Point {
                    day: date(2026, 12, 1),
                    followers: Some(1000),
                    views: Some(50),
                    engagements: None,
                },
                Point {
                    day: date(2026, 12, 2),
                    followers: Some(1010),
                    views: None,
                    engagements: Some(4),
                },
            ],
        };
        let block = growth_block(en, &series, Measure::Followers, "g1", Size::Small);
        assert_eq!(block.table.rows[0], ["2026-12-01", "1,000", "50", "—"]);
        assert_eq!(block.table.rows[1], ["2026-12-02", "1,010", "—", "4"]);
        let svg = block.svg.as_str();
        assert!(svg.contains("Bakery &#60;IG&#62;"), "{svg}");
        assert!(svg.contains("1,000 on 2026-12-01") && svg.contains("1,010 on 2026-12-02"));
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            web_link(&Some("https://instagram.com/p/1".into())),
            Some("https://instagram.com/p/1".into())
        );
        assert_eq!(web_link(&Some("javascript:alert(1)".into())), None);
        assert_eq!(web_link(&None), None);
    }
}
