//! The calendar: a month grid or a week of columns in the viewer's time
//! zone, each post a chip coloured by its status (with the status in words
//! too), and below it the queue list of upcoming, published, failed or
//! draft posts with their per-account state and actions.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use herald_accounts::Permission;
use herald_core::Named;
use herald_core::Timestamp;
use herald_publishing::{PostStatus, PostView, QueueFilter, ReviewState};
use jiff::Span;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;

use super::posts::{
    Platform, PostCard, ViewerZone, platform, post_card, post_status_label, post_time,
    review_label, shorten, viewer_zone, zone_names,
};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::auth::{SignedIn, urlencode};
use crate::i18n::Catalog;
use crate::member;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/home/calendar", get(show_calendar))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Month,
    Week,
}

impl View {
    fn as_str(self) -> &'static str {
        match self {
            View::Month => "month",
            View::Week => "week",
        }
    }
}

pub struct Chip {
    pub id: String,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Its review (`none` when never submitted) and the words for it.
    pub review: &'static str,
    pub review_label: Option<&'static str>,
    pub time: String,
    pub summary: String,
    pub platforms: Vec<Platform>,
}

pub struct Day {
    pub iso: String,
    pub number: i8,
    pub label: String,
    /// `Mon 23`, for the narrow columns of the week.
    pub short: String,
    pub in_range: bool,
    pub today: bool,
    pub chips: Vec<Chip>,
}

pub struct WeekRow {
    pub days: Vec<Day>,
}

pub struct ListTab {
    pub slug: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: Option<i64>,
    view: &'static str,
    title: String,
    weekdays: Vec<&'static str>,
    weeks: Vec<WeekRow>,
    has_posts: bool,
    date: String,
    prev_href: String,
    next_href: String,
    today_href: String,
    month_href: String,
    week_href: String,
    zone: String,
    zone_note: String,
    zone_source: &'static str,
    zones: &'static [String],
    list: &'static str,
    /// The state the calendar shows (`all`, or one of [`STATES`]).
    state: &'static str,
    states: Vec<(&'static str, &'static str)>,
    tabs: Vec<ListTab>,
    queue: Vec<PostCard>,
    queue_empty: &'static str,
    legend: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct CalendarQuery {
    workspace: Option<i64>,
    view: Option<String>,
    date: Option<String>,
    tz: Option<String>,
    list: Option<String>,
    state: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// The states the calendar can be narrowed to.
const STATES: [&str; 8] = [
    "all",
    "draft",
    "in_review",
    "changes_requested",
    "approved",
    "scheduled",
    "published",
    "failed",
];

/// Whether `post` is in calendar state `state`.
fn in_state(state: &str, post: &PostView) -> bool {
    match state {
        "draft" => post.status == PostStatus::Draft && post.review == ReviewState::None,
        "in_review" => post.review == ReviewState::InReview,
        "changes_requested" => post.review == ReviewState::ChangesRequested,
        "approved" => post.review == ReviewState::Approved,
        "scheduled" => matches!(post.status, PostStatus::Scheduled | PostStatus::Publishing),
        "published" => matches!(
            post.status,
            PostStatus::Published | PostStatus::PartiallyPublished
        ),
        "failed" => post
            .targets
            .iter()
            .any(|t| t.status == herald_publishing::TargetStatus::Failed),
        _ => true,
    }
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).unwrap_or(d)
}

fn monday_of(d: Date) -> Date {
    add_days(d, -i64::from(d.weekday().to_monday_zero_offset()))
}

/// The first and the day after the last day the view shows.
fn range(view: View, date: Date) -> (Date, Date) {
    match view {
        View::Month => {
            let start = monday_of(date.first_of_month());
            let end = add_days(monday_of(date.last_of_month()), 7);
            (start, end)
        }
        View::Week => {
            let start = monday_of(date);
            (start, add_days(start, 7))
        }
    }
}

fn month_name(t: &'static Catalog, month: i8) -> &'static str {
    t.text(&format!("calendar.month.{month}"))
}

fn long_date(t: &'static Catalog, d: Date) -> String {
    t.format(
        "calendar.long_date",
        &[
            ("day", d.day().into()),
            ("month", month_name(t, d.month()).into()),
            ("year", d.year().into()),
        ],
    )
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn weekday_key(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "calendar.weekday.mon",
        Weekday::Tuesday => "calendar.weekday.tue",
        Weekday::Wednesday => "calendar.weekday.wed",
        Weekday::Thursday => "calendar.weekday.thu",
        Weekday::Friday => "calendar.weekday.fri",
        Weekday::Saturday => "calendar.weekday.sat",
        Weekday::Sunday => "calendar.weekday.sun",
    }
}

/// Builds calendar links that keep the page's other choices.
struct Links<'a> {
    workspace: Option<i64>,
    tz: Option<&'a str>,
    list: &'a str,
    state: &'a str,
}

impl Links<'_> {
    fn to(&self, view: View, date: Date, list: Option<&str>) -> String {
        let mut href = format!("/home/calendar?view={}&date={date}", view.as_str());
        if let Some(ws) = self.workspace {
            href.push_str(&format!("&workspace={ws}"));
        }
        if let Some(tz) = self.tz {
            href.push_str(&format!("&tz={}", urlencode(tz)));
        }
        href.push_str(&format!("&list={}", list.unwrap_or(self.list)));
        if self.state != "all" {
            href.push_str(&format!("&state={}", self.state));
        }
        href
    }
}

fn chip(t: &'static Catalog, zone: &ViewerZone, post: &PostView) -> Chip {
    let mut platforms: Vec<Platform> = Vec::new();
    for target in &post.targets {
        let p = platform(target.kind);
        if !platforms.iter().any(|q| q.slug == p.slug) {
            platforms.push(p);
        }
    }
    let summary = post.summary();
    Chip {
        id: post.id.to_string(),
        status: post.status.as_str(),
        status_label: post_status_label(t, post.status),
        review: post.review.as_str(),
        review_label: review_label(t, post.review),
        time: post_time(post)
            .to_zoned(zone.tz.clone())
            .strftime("%H:%M")
            .to_string(),
        summary: if summary.trim().is_empty() {
            t.text("posts.no_caption").to_owned()
        } else {
            shorten(summary, 60)
        },
        platforms,
    }
}

async fn show_calendar(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, WebError> {
    let user = &authed.user;
    let publishing = state.publishing();
    let ws = member::authorize_if_any(&state, user, q.workspace, Permission::View).await?;
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let today = Timestamp::now().to_zoned(zone.tz.clone()).date();
    let date = q
        .date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .filter(|d| (1900..=9000).contains(&d.year()))
        .unwrap_or(today);
    let view = match q.view.as_deref() {
        Some("week") => View::Week,
        _ => View::Month,
    };
    let filter = q
        .list
        .as_deref()
        .and_then(QueueFilter::parse)
        .unwrap_or(QueueFilter::Upcoming);
    let (start, end) = range(view, date);
    let instant = |d: Date| -> Result<Timestamp, WebError> {
        d.to_zoned(zone.tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| WebError::Internal(Box::new(e)))
    };

    let state_filter = q
        .state
        .as_deref()
        .and_then(|s| STATES.iter().find(|k| **k == s).copied())
        .unwrap_or("all");
    let (posts, queue) = match &ws {
        Some((_, auth)) => {
            let mut posts = publishing
                .between(auth, instant(start)?, instant(end)?)
                .await?;
            posts.retain(|p| in_state(state_filter, p));
            let policy = publishing.approval_policy(auth).await?;
            let queue: Vec<_> = publishing
                .queue_list(auth, filter, 50)
                .await?
                .iter()
                .map(|p| post_card(c.t, &zone, p, p.actions(auth, &policy), auth.role()))
                .collect();
            (posts, queue)
        }
        None => (Vec::new(), Vec::new()),
    };
    let ws = ws.map(|(ws, _)| ws);

    let mut weeks = Vec::new();
    let mut day = start;
    while day < end {
        let mut days = Vec::with_capacity(7);
        for _ in 0..7 {
            let chips = posts
                .iter()
                .filter(|p| post_time(p).to_zoned(zone.tz.clone()).date() == day)
                .map(|p| chip(c.t, &zone, p))
                .collect();
            days.push(Day {
                iso: day.to_string(),
                number: day.day(),
                short: format!("{} {}", c.t.get(weekday_key(day.weekday())), day.day()),
                label: format!(
                    "{}, {}",
                    c.t.get(weekday_key(day.weekday())),
                    long_date(c.t, day)
                ),
                in_range: view == View::Week || day.month() == date.month(),
                today: day == today,
                chips,
            });
            day = add_days(day, 1);
        }
        weeks.push(WeekRow { days });
    }

    let links = Links {
        workspace: q.workspace,
        tz: (zone.source == "query").then_some(zone.name.as_str()),
        list: filter.as_str(),
        state: state_filter,
    };
    let (prev, next) = match view {
        View::Month => {
            let first = date.first_of_month();
            (
                first.checked_sub(Span::new().months(1)).unwrap_or(first),
                first.checked_add(Span::new().months(1)).unwrap_or(first),
            )
        }
        View::Week => (add_days(date, -7), add_days(date, 7)),
    };
    let title = match view {
        View::Month => format!("{} {}", month_name(c.t, date.month()), date.year()),
        View::Week => c.t.fill(
            "calendar.week_of",
            "start",
            format!(
                "{} – {}",
                long_date(c.t, start),
                long_date(c.t, add_days(end, -1))
            ),
        ),
    };
    let tabs = [
        QueueFilter::Review,
        QueueFilter::Upcoming,
        QueueFilter::Published,
        QueueFilter::Failed,
        QueueFilter::Drafts,
    ]
    .into_iter()
    .map(|f| ListTab {
        slug: f.as_str(),
        label: c.t.text(&format!("calendar.list.{}", f.as_str())),
        href: format!("{}#queue", links.to(view, date, Some(f.as_str()))),
        current: f == filter,
    })
    .collect();
    let zone_note = c.t.fill(
        &format!("calendar.zone_{}", zone.source),
        "zone",
        &zone.name,
    );
    render(&CalendarPage {
        rail: rail(Section::Calendar),
        workspace: ws.as_ref().map(|w| w.id.0),
        view: view.as_str(),
        title,
        weekdays: WEEKDAYS.iter().map(|w| c.t.get(weekday_key(*w))).collect(),
        has_posts: !posts.is_empty(),
        weeks,
        date: date.to_string(),
        prev_href: links.to(view, prev, None),
        next_href: links.to(view, next, None),
        today_href: links.to(view, today, None),
        month_href: links.to(View::Month, date, None),
        week_href: links.to(View::Week, date, None),
        zone_note,
        zone_source: zone.source,
        zones: zone_names(),
        list: filter.as_str(),
        tabs,
        queue,
        state: state_filter,
        states: STATES
            .iter()
            .map(|k| (*k, c.t.text(&format!("calendar.state.{k}"))))
            .collect(),
        queue_empty: c.t.text(&format!("calendar.empty.{}", filter.as_str())),
        legend: [
            PostStatus::Scheduled,
            PostStatus::Publishing,
            PostStatus::Published,
            PostStatus::PartiallyPublished,
            PostStatus::Failed,
            PostStatus::Cancelled,
            PostStatus::Draft,
        ]
        .into_iter()
        .map(|s| (s.as_str(), post_status_label(c.t, s)))
        .collect(),
        notice: known(c.t, "posts.done.", q.done.as_deref()),
        error: known(c.t, "error.", q.error.as_deref()),
        zone: zone.name,
        c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_grid_runs_from_the_monday_before_the_first_to_the_sunday_after_the_last() {
        // March 2026 starts on a Sunday and ends on a Tuesday.
        let (start, end) = range(View::Month, d("2026-03-15"));
        assert_eq!((start, end), (d("2026-02-23"), d("2026-04-06")));
        // February 2021 is exactly four weeks, Monday to Sunday.
        let (start, end) = range(View::Month, d("2021-02-10"));
        assert_eq!((start, end), (d("2021-02-01"), d("2021-03-01")));
    }

    #[test]
    fn a_week_runs_monday_to_sunday() {
        let (start, end) = range(View::Week, d("2026-03-29"));
        assert_eq!((start, end), (d("2026-03-23"), d("2026-03-30")));
    }

    #[test]
    fn dates_read_naturally_in_both_languages() {
        use crate::i18n::{Locale, catalog};
        assert_eq!(
            long_date(catalog(Locale::En), d("2026-03-29")),
            "29 March 2026"
        );
        assert_eq!(
            long_date(catalog(Locale::De), d("2026-03-29")),
            "29. März 2026"
        );
    }
}
