//! The dashboard's tables as CSV, for spreadsheets and scripts: one file
//! per table, with the same filter as the page. Machine-readable on
//! purpose, whatever the reader's language: column names are stable codes,
//! numbers are plain (`1234`, rates as fractions `0.0425`), days are ISO
//! dates and instants RFC 3339 in UTC; a figure the platform does not
//! report is an empty cell, never a zero.

use herald_analytics::{
    BestTimes, FunnelStep, PlatformRow, PostRow, Ranking, RunView, Series, Summary, Totals,
};

use crate::csv::{Csv, opt};

/// The tables there are, by their file name's stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Summary,
    Growth,
    Funnel,
    Posts,
    BestTimes,
    Platforms,
    Runs,
}

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Summary,
        Table::Growth,
        Table::Funnel,
        Table::Posts,
        Table::BestTimes,
        Table::Platforms,
        Table::Runs,
    ];

    pub fn stem(self) -> &'static str {
        match self {
            Table::Summary => "summary",
            Table::Growth => "growth",
            Table::Funnel => "funnel",
            Table::Posts => "posts",
            Table::BestTimes => "best-times",
            Table::Platforms => "platforms",
            Table::Runs => "runs",
        }
    }

    /// The catalog's name of the table (keys hold no dashes).
    pub fn key(self) -> String {
        self.stem().replace('-', "_")
    }

    /// `summary.csv` → the summary; anything else is no table.
    pub fn of_file(name: &str) -> Option<Table> {
        let stem = name.strip_suffix(".csv")?;
        Table::ALL.into_iter().find(|t| t.stem() == stem)
    }
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.6}")).unwrap_or_default()
}

const TOTALS: [&str; 15] = [
    "followers",
    "followers_previous",
    "views",
    "views_previous",
    "reach",
    "engagements",
    "engagements_previous",
    "engagement_rate",
    "engagement_rate_previous",
    "profile_actions",
    "follows",
    "watch_time_secs",
    "watch_time_secs_previous",
    "posts",
    "posts_previous",
];

fn totals(t: &Totals) -> Vec<String> {
    vec![
        opt(t.followers.value),
        opt(t.followers.previous),
        opt(t.views.value),
        opt(t.views.previous),
        opt(t.reach.value),
        opt(t.engagements.value),
        opt(t.engagements.previous),
        rate(t.engagement_rate.value),
        rate(t.engagement_rate.previous),
        opt(t.profile_actions.value),
        opt(t.follows.value),
        opt(t.watch_time_secs.value),
        opt(t.watch_time_secs.previous),
        opt(t.posts.value),
        opt(t.posts.previous),
    ]
}

/// Each account, then all of them (`row` says which).
pub fn summary(s: &Summary) -> String {
    let mut head = vec!["row", "account_id", "account", "platform", "from", "to"];
    head.extend(TOTALS);
    head.push("last_day");
    let mut csv = Csv::new(&head);
    let from = s.from.to_string();
    let to = s.to.to_string();
    for a in &s.accounts {
        let mut row = vec![
            "account".to_owned(),
            a.connection_id.to_string(),
            a.name.clone(),
            <&str>::from(a.platform).to_owned(),
            from.clone(),
            to.clone(),
        ];
        row.extend(totals(&a.totals));
        row.push(opt(a.last_day));
        csv.row(&row);
    }
    let mut row = vec![
        "total".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        from,
        to,
    ];
    row.extend(totals(&s.total));
    row.push(String::new());
    csv.row(&row);
    csv.finish()
}

/// Every day of every series (`all` first, then each account).
pub fn growth(series: &[Series]) -> String {
    let mut csv = Csv::new(&[
        "series",
        "account",
        "platform",
        "day",
        "followers",
        "views",
        "engagements",
    ]);
    for s in series {
        let id = s
            .connection_id
            .as_ref()
            .map_or_else(|| "all".to_owned(), ToString::to_string);
        let platform = s.platform.map(<&str>::from).unwrap_or_default();
        for p in &s.points {
            csv.row(&[
                id.clone(),
                s.name.clone(),
                platform.to_owned(),
                p.day.to_string(),
                opt(p.followers),
                opt(p.views),
                opt(p.engagements),
            ]);
        }
    }
    csv.finish()
}

pub fn funnel(steps: &[FunnelStep]) -> String {
    let mut csv = Csv::new(&["step", "value"]);
    for s in steps {
        csv.row(&[<&str>::from(s.step).to_owned(), opt(s.value)]);
    }
    csv.finish()
}

fn post(list: &str, rank: &str, p: &PostRow) -> Vec<String> {
    vec![
        list.to_owned(),
        rank.to_owned(),
        p.connection_id.to_string(),
        p.account_name.clone(),
        <&str>::from(p.platform).to_owned(),
        p.remote_id.clone(),
        opt(p.post_id.as_ref()),
        opt(p.pillar_id),
        opt(p.published_at),
        p.format.clone().unwrap_or_default(),
        p.title.clone().unwrap_or_default(),
        p.permalink.clone().unwrap_or_default(),
        opt(p.views),
        opt(p.reach),
        opt(p.engagements),
        opt(p.likes),
        opt(p.comments),
        opt(p.shares),
        opt(p.saves),
        opt(p.watch_time_secs),
        rate(p.engagement_rate),
    ]
}

/// The top list, then the bottom one (`list` says which).
pub fn posts(r: &Ranking) -> String {
    let mut csv = Csv::new(&[
        "list",
        "rank",
        "account_id",
        "account",
        "platform",
        "remote_id",
        "post_id",
        "pillar_id",
        "published_at",
        "format",
        "title",
        "permalink",
        "views",
        "reach",
        "engagements",
        "likes",
        "comments",
        "shares",
        "saves",
        "watch_time_secs",
        "engagement_rate",
    ]);
    let rank: &str = r.rank.into();
    for p in &r.top {
        csv.row(&post("top", rank, p));
    }
    for p in &r.bottom {
        csv.row(&post("bottom", rank, p));
    }
    csv.finish()
}

/// Every slot with posts; `weekday` 0 is Monday, hours in `time_zone`.
pub fn best_times(b: &BestTimes) -> String {
    let mut csv = Csv::new(&[
        "time_zone",
        "weekday",
        "hour",
        "posts",
        "engagement_rate",
        "best",
    ]);
    for s in &b.slots {
        let best = b
            .best
            .iter()
            .any(|x| (x.weekday, x.hour) == (s.weekday, s.hour));
        csv.row(&[
            b.time_zone.clone(),
            s.weekday.to_string(),
            s.hour.to_string(),
            s.posts.to_string(),
            rate(s.engagement_rate),
            best.to_string(),
        ]);
    }
    csv.finish()
}

pub fn platforms(rows: &[PlatformRow]) -> String {
    let mut head = vec!["platform", "accounts"];
    head.extend(TOTALS);
    let mut csv = Csv::new(&head);
    for r in rows {
        let mut row = vec![<&str>::from(r.platform).to_owned(), r.accounts.to_string()];
        row.extend(totals(&r.totals));
        csv.row(&row);
    }
    csv.finish()
}

pub fn runs(runs: &[RunView]) -> String {
    let mut csv = Csv::new(&[
        "id",
        "account_id",
        "account",
        "reason",
        "status",
        "first_day",
        "last_day",
        "account_rows",
        "post_rows",
        "calls",
        "errors",
        "last_error",
        "created_at",
        "finished_at",
    ]);
    for r in runs {
        csv.row(&[
            r.id.to_string(),
            r.connection_id.to_string(),
            r.account_name.clone(),
            <&str>::from(r.reason).to_owned(),
            <&str>::from(r.status).to_owned(),
            r.first_day.to_string(),
            r.last_day.to_string(),
            r.account_rows.to_string(),
            r.post_rows.to_string(),
            r.calls.to_string(),
            r.errors.to_string(),
            r.last_error.clone().unwrap_or_default(),
            r.created_at.to_string(),
            opt(r.finished_at),
        ]);
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::parse;
    use herald_analytics::{AccountSummary, Figure, Period, Platform, Rank, Rate, Slot, Step};
    use herald_core::ConnectionId;
    use jiff::civil::date;

    #[test]
    fn file_names_name_tables_and_nothing_else() {
        for t in Table::ALL {
            assert_eq!(Table::of_file(&format!("{}.csv", t.stem())), Some(t));
        }
        assert_eq!(Table::of_file("best-times.csv"), Some(Table::BestTimes));
        assert_eq!(Table::of_file("summary"), None);
        assert_eq!(Table::of_file("../summary.csv"), None);
    }

    #[test]
    fn the_summary_has_each_account_then_the_total_and_defuses_names() {
        let totals = Totals {
            followers: Figure {
                value: Some(1200),
                previous: Some(1100),
            },
            engagement_rate: Rate {
                value: Some(0.0425),
                previous: None,
            },
            ..Totals::default()
        };
        let s = Summary {
            period: Period::Week,
            from: date(2026, 12, 1),
            to: date(2026, 12, 7),
            accounts: vec![AccountSummary {
                connection_id: ConnectionId::from("c1"),
                platform: Platform::TikTok,
                kind: "tiktok_user".into(),
                name: "=cmd|' /C calc'!A0, \"x\"".into(),
                last_day: Some(date(2026, 12, 7)),
                totals: totals.clone(),
            }],
            total: totals,
        };
        let rows = parse(&summary(&s));
        assert_eq!(rows.len(), 3);
        let head = &rows[0];
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        assert_eq!(rows[1][col("account")], "'=cmd|' /C calc'!A0, \"x\"");
        assert_eq!(rows[1][col("platform")], "tiktok");
        assert_eq!(rows[1][col("followers")], "1200");
        assert_eq!(rows[1][col("engagement_rate")], "0.042500");
        assert_eq!(rows[1][col("views")], "", "not reported is empty");
        assert_eq!(rows[1][col("last_day")], "2026-12-07");
        assert_eq!(rows[2][col("row")], "total");
        assert!(rows.iter().all(|r| r.len() == head.len()));
    }

    #[test]
    fn funnel_posts_and_slots_keep_their_codes() {
        let f = parse(&funnel(&[FunnelStep {
            step: Step::ProfileActions,
            value: None,
        }]));
        assert_eq!(f[1], ["profile_actions", ""]);
        let r = Ranking {
            rank: Rank::Views,
            top: Vec::new(),
            bottom: Vec::new(),
            posts: 0,
        };
        assert_eq!(parse(&posts(&r)).len(), 1, "the header only");
        let b = BestTimes {
            time_zone: "Europe/Berlin".into(),
            slots: vec![Slot {
                weekday: 6,
                hour: 23,
                posts: 2,
                engagement_rate: Some(0.5),
            }],
            best: Vec::new(),
            posts: 2,
        };
        assert_eq!(
            parse(&best_times(&b))[1],
            ["Europe/Berlin", "6", "23", "2", "0.500000", "false"]
        );
    }
}
