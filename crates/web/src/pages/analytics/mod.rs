//! The analytics dashboard (`/home/analytics`): a GET form of filters
//! (period, account, platform, pillar: the address is the view, so it can
//! be shared), headline figures with their change, growth, the engagement
//! funnel, top and bottom posts, the best-times heat map in the reader's
//! time zone, the platforms side by side, unusual days and the latest
//! ingestion runs; every chart is SVG drawn here with its table behind it
//! (`view.rs`), and every table downloads as CSV with the same filter
//! (`export.rs`). "Refresh now" is a POST for those who may publish.
//!
//! Every figure is the analytics service's; this module only reads the
//! filter from the address and writes the figures in the reader's
//! language.

mod export;
mod view;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Permission, User};
use herald_analytics::{AnalyticsError, Filter, Period, Platform, RunStatus};
use herald_core::Named;
use jiff::tz::TimeZone;
use serde::Deserialize;

use self::export::Table as ExportTable;
use self::view::{AccountLine, ChartBlock, Headline, Measure, PostLine, RunLine};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, render};
use crate::analytics_params::{self as params, FilterQuery};
use crate::auth::SignedIn;
use crate::charts::Size;
use crate::i18n::{Arg, Catalog};
use crate::member::{self, PageMember};
use crate::{AppState, WebError, words};

pub(super) use self::view::{platform as platform_label, weekday};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/analytics", get(show_dashboard))
        .route("/home/analytics/refresh", post(refresh_now))
        .route("/home/analytics/export/{file}", get(export_table))
}

/// How many posts each end of the ranking shows, and runs the list shows
/// (the dashboard's read; exports take `limit` up to 100).
const PAGE_POSTS: u32 = 5;
const PAGE_RUNS: u32 = 10;

/// The zone a reader sees hours in: the one they chose in their
/// notification settings, else their browser's (the calendar's cookie),
/// else UTC.
pub(super) struct ReaderZone {
    pub tz: TimeZone,
    pub name: String,
}

pub(super) fn reader_zone(user: &User, headers: &HeaderMap) -> ReaderZone {
    if let Some(name) = user.time_zone.as_deref()
        && let Ok(tz) = TimeZone::get(name)
    {
        return ReaderZone {
            tz,
            name: name.to_owned(),
        };
    }
    let zone = super::posts::viewer_zone(None, headers);
    ReaderZone {
        tz: zone.tz,
        name: zone.name,
    }
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Link {
    pub href: String,
    pub label: String,
}

/// What the page says when there is nothing to show yet, and what to do.
pub struct Empty {
    pub title: String,
    pub body: String,
    pub link: Option<Link>,
    /// "Refresh now" is the thing to do.
    pub refresh: bool,
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct DashboardPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    /// The filter as a query string (links and the refresh form keep it).
    query: String,
    periods: Vec<Choice>,
    accounts: Vec<Choice>,
    platforms: Vec<Choice>,
    pillars: Vec<Choice>,
    measures: Vec<Choice>,
    range: String,
    exports: Vec<Link>,
    may_refresh: bool,
    /// The account the refresh is for (the filter's), else every account.
    refresh_account: String,
    notice: Option<String>,
    empty: Option<Empty>,
    headlines: Vec<Headline>,
    account_lines: Vec<AccountLine>,
    growth: ChartBlock,
    small: Vec<ChartBlock>,
    funnel: ChartBlock,
    posts_count: String,
    top: Vec<PostLine>,
    bottom: Vec<PostLine>,
    heat: ChartBlock,
    heat_lead: String,
    best: Vec<String>,
    platforms_block: ChartBlock,
    anomalies: Vec<String>,
    runs: Vec<RunLine>,
}

#[derive(Deserialize, Default)]
struct DashboardQuery {
    #[serde(flatten)]
    filter: FilterQuery,
    measure: Option<String>,
    done: Option<String>,
    queued: Option<String>,
}

fn measure(value: &Option<String>) -> Result<Measure, AnalyticsError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Measure::default()),
        Some(v) => Measure::parse(v).ok_or(AnalyticsError::Invalid {
            field: "measure",
            reason: "followers, views or engagements",
        }),
    }
}

fn choices<T: PartialEq>(
    items: impl IntoIterator<Item = (T, String, String)>,
    chosen: Option<&T>,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(item, value, label)| Choice {
            selected: chosen == Some(&item),
            value,
            label,
        })
        .collect()
}

/// The notice a redirect carries: only codes this page knows, with a
/// count that must be a number.
fn notice(t: &Catalog, done: Option<&str>, queued: Option<&str>) -> Option<String> {
    match done? {
        "refresh_queued" => {
            let n: u32 = queued?.parse().ok()?;
            Some(t.fill("analytics.done.refresh_queued", "n", n))
        }
        _ => None,
    }
}

async fn show_dashboard(
    State(state): State<AppState>,
    PageMember {
        authed,
        workspace,
        auth,
        ..
    }: PageMember,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let filter = q.filter.filter()?;
    let measure = measure(&q.measure)?;
    let zone = reader_zone(&authed.user, &headers);
    let ws = workspace.id.0;
    let connections = state.connections().list(&auth, None).await?;
    let pillars = state.studio().pillars(&auth).await?;
    let d = state
        .analytics()
        .dashboard(&auth, &filter, &zone.name)
        .await?;
    let query = FilterQuery::of(&filter);

    let has_data = d.summary.accounts.iter().any(|a| a.last_day.is_some()) || d.ranking.posts > 0;
    let measurable = connections
        .iter()
        .any(|v| Platform::of_kind(v.kind.as_str()).is_some());
    let may_refresh = auth.allows(Permission::Publish);
    let narrowed = filter.account.is_some() || filter.platform.is_some() || filter.pillar.is_some();
    let empty = if !measurable {
        Some(Empty {
            title: t.text("analytics.empty.connect_title").to_owned(),
            body: t.text("analytics.empty.connect_body").to_owned(),
            link: Some(Link {
                href: format!("/home/publishing?workspace={ws}"),
                label: t.text("analytics.empty.connect_action").to_owned(),
            }),
            refresh: false,
        })
    } else if has_data {
        None
    } else if narrowed {
        Some(Empty {
            title: t.text("analytics.empty.filtered_title").to_owned(),
            body: t.text("analytics.empty.filtered_body").to_owned(),
            link: Some(Link {
                href: format!(
                    "/home/analytics?workspace={ws}&period={}",
                    <&str>::from(filter.period)
                ),
                label: t.text("analytics.clear_filters").to_owned(),
            }),
            refresh: false,
        })
    } else if d
        .runs
        .iter()
        .any(|r| matches!(r.status, RunStatus::Queued | RunStatus::Running))
    {
        Some(Empty {
            title: t.text("analytics.empty.waiting_title").to_owned(),
            body: t.text("analytics.empty.waiting_body").to_owned(),
            link: None,
            refresh: false,
        })
    } else {
        Some(Empty {
            title: t.text("analytics.empty.none_title").to_owned(),
            body: t
                .text(if may_refresh {
                    "analytics.empty.none_body"
                } else {
                    "analytics.empty.none_body_viewer"
                })
                .to_owned(),
            link: None,
            refresh: may_refresh,
        })
    };

    let mut growth = d.growth.iter();
    let overall = growth.next();
    let growth_block = match overall {
        Some(s) => view::growth_block(t, s, measure, "growth-all", Size::Wide),
        None => view::growth_block(
            t,
            &herald_analytics::Series {
                connection_id: None,
                name: String::new(),
                platform: None,
                points: Vec::new(),
            },
            measure,
            "growth-all",
            Size::Wide,
        ),
    };
    let small = growth
        .enumerate()
        .map(|(i, s)| view::growth_block(t, s, measure, &format!("growth-{i}"), Size::Small))
        .collect();

    let period_days = filter.period.days();
    render(&DashboardPage {
        rail: rail(Section::Analytics),
        workspace: ws,
        periods: choices(
            Period::ALL.into_iter().map(|p| {
                let code: &str = p.into();
                (
                    p,
                    code.to_owned(),
                    t.text(&format!("analytics.period.{code}")).to_owned(),
                )
            }),
            Some(&filter.period),
        ),
        accounts: choices(
            connections
                .iter()
                .filter_map(|v| Platform::of_kind(v.kind.as_str()).map(|p| (v, p)))
                .map(|(v, p)| {
                    (
                        v.id.clone(),
                        v.id.to_string(),
                        format!("{} ({})", v.name, view::platform(t, p)),
                    )
                }),
            filter.account.as_ref(),
        ),
        platforms: choices(
            Platform::ALL.into_iter().map(|p| {
                (
                    p,
                    <&str>::from(p).to_owned(),
                    view::platform(t, p).to_owned(),
                )
            }),
            filter.platform.as_ref(),
        ),
        pillars: choices(
            pillars
                .iter()
                .map(|p| (p.id, p.id.to_string(), p.name.clone())),
            filter.pillar.as_ref(),
        ),
        measures: choices(
            Measure::ALL.into_iter().map(|m| {
                (
                    m,
                    m.code().to_owned(),
                    t.text(&format!("analytics.measure.{}", m.code()))
                        .to_owned(),
                )
            }),
            Some(&measure),
        ),
        range: t.format(
            "analytics.range",
            &[
                ("from", Arg::from(words::date(t, d.summary.from))),
                ("to", Arg::from(words::date(t, d.summary.to))),
                ("days", Arg::from(period_days)),
            ],
        ),
        exports: ExportTable::ALL
            .into_iter()
            .map(|e| Link {
                href: format!(
                    "/home/analytics/export/{}.csv?workspace={ws}&{query}",
                    e.stem()
                ),
                label: t.text(&format!("analytics.export.{}", e.key())).to_owned(),
            })
            .collect(),
        may_refresh,
        refresh_account: filter
            .account
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        notice: notice(t, q.done.as_deref(), q.queued.as_deref()),
        empty,
        headlines: view::headlines(t, filter.period, &d.summary.total),
        account_lines: view::account_lines(t, filter.period, &d.summary.accounts),
        growth: growth_block,
        small,
        funnel: view::funnel_block(t, &d.funnel),
        posts_count: t.fill(
            "analytics.posts_count",
            "n",
            Arg::Count(u64::from(d.ranking.posts)),
        ),
        top: view::post_lines(t, &zone.tz, ws, &d.ranking.top),
        bottom: view::post_lines(t, &zone.tz, ws, &d.ranking.bottom),
        heat: view::heat_block(t, &d.best_times),
        heat_lead: t.fill("analytics.heat_lead", "zone", zone.name.as_str()),
        best: d
            .best_times
            .best
            .iter()
            .map(|s| view::best_slot(t, s))
            .collect(),
        platforms_block: view::platforms_block(t, &d.platforms),
        anomalies: d.anomalies.iter().map(|a| view::anomaly(t, a)).collect(),
        runs: view::run_lines(t, &zone.tz, &d.runs),
        query,
        c,
    })
}

#[derive(Deserialize)]
struct RefreshForm {
    workspace: i64,
    /// One account, else every account of the workspace.
    #[serde(default)]
    account: Option<String>,
    /// The dashboard's filter to return to (read again, so nothing but a
    /// filter comes back).
    #[serde(default)]
    back: Option<String>,
}

/// The filter a form carried back, re-read: a malformed one is dropped.
fn filter_back(back: Option<&str>) -> String {
    back.and_then(|b| serde_urlencoded::from_str::<FilterQuery>(b).ok())
        .and_then(|q| q.filter().ok())
        .map_or_else(
            || FilterQuery::of(&Filter::default()),
            |f| FilterQuery::of(&f),
        )
}

/// "Refresh now": queues ingestion runs, then back to the dashboard with
/// how many were queued. Only for those who may publish (403 otherwise).
async fn refresh_now(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<RefreshForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(
        &state,
        &authed.user,
        Some(form.workspace),
        Permission::Publish,
    )
    .await?;
    let account = params::account(&form.account)?;
    let refresh = state.analytics().refresh(&auth, account.as_ref()).await?;
    Ok(Redirect::to(&format!(
        "/home/analytics?workspace={}&{}&done=refresh_queued&queued={}",
        form.workspace,
        filter_back(form.back.as_deref()),
        refresh.queued
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
struct ExportQuery {
    #[serde(flatten)]
    filter: FilterQuery,
    rank: Option<String>,
    limit: Option<String>,
}

/// One of the dashboard's tables as CSV, with the same filter.
async fn export_table(
    State(state): State<AppState>,
    PageMember { authed, auth, .. }: PageMember,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let table = ExportTable::of_file(&file).ok_or(WebError::NotFound)?;
    let filter = q.filter.filter()?;
    params::known_pillar(state.studio(), &auth, &filter).await?;
    let analytics = state.analytics();
    let body = match table {
        ExportTable::Summary => export::summary(&analytics.summary(&auth, &filter).await?),
        ExportTable::Growth => export::growth(&analytics.growth(&auth, &filter).await?),
        ExportTable::Funnel => export::funnel(&analytics.funnel(&auth, &filter).await?),
        ExportTable::Posts => {
            let rank = params::rank(&q.rank)?;
            let limit = params::limit(&q.limit, PAGE_POSTS)?;
            export::posts(&analytics.posts(&auth, &filter, rank, limit).await?)
        }
        ExportTable::BestTimes => {
            let zone = reader_zone(&authed.user, &headers);
            export::best_times(&analytics.best_times(&auth, &filter, &zone.name).await?)
        }
        ExportTable::Platforms => export::platforms(&analytics.platforms(&auth, &filter).await?),
        ExportTable::Runs => {
            let limit = params::limit(&q.limit, PAGE_RUNS)?;
            export::runs(&analytics.runs(&auth, limit).await?)
        }
    };
    let name = format!(
        "attachment; filename=\"herald-{}-{}.csv\"",
        table.stem(),
        <&str>::from(filter.period)
    );
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

/// Every code of the page's words (for the catalogs' test).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};
    use herald_analytics::{Metric, Step};

    #[test]
    fn every_label_of_the_dashboard_has_words_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            let mut keys: Vec<String> = Vec::new();
            for p in Period::ALL {
                keys.push(format!("analytics.period.{}", <&str>::from(p)));
            }
            for m in Measure::ALL {
                keys.push(format!("analytics.measure.{}", m.code()));
            }
            for s in [
                Step::Views,
                Step::Engagements,
                Step::ProfileActions,
                Step::Follows,
            ] {
                keys.push(format!("analytics.step.{}", <&str>::from(s)));
            }
            for m in [
                Metric::Views,
                Metric::Reach,
                Metric::Engagements,
                Metric::Follows,
                Metric::Unfollows,
                Metric::WatchTimeSecs,
            ] {
                keys.push(format!("analytics.metric.{}", <&str>::from(m)));
            }
            for r in view::REASONS {
                keys.push(format!("analytics.reason.{}", <&str>::from(r)));
            }
            for s in view::STATUSES {
                keys.push(format!("analytics.status.{}", <&str>::from(s)));
            }
            for e in ["rate_limited", "unavailable", "reconnect", "other"] {
                keys.push(format!("analytics.run_error.{e}"));
            }
            for e in ExportTable::ALL {
                keys.push(format!("analytics.export.{}", e.key()));
            }
            for k in [
                "followers",
                "views",
                "engagements",
                "engagement_rate",
                "watch_time",
            ] {
                keys.push(format!("analytics.headline.{k}"));
            }
            for m in 1..=12 {
                keys.push(format!("month.short.{m}"));
            }
            for p in Platform::ALL {
                keys.push(format!("studio.platform.{}", <&str>::from(p)));
            }
            for key in keys {
                assert!(t.has(&key), "{key} in {}", locale.code());
            }
        }
    }

    #[test]
    fn only_known_notices_with_a_number_are_shown() {
        let en = catalog(Locale::En);
        assert!(
            notice(en, Some("refresh_queued"), Some("3"))
                .unwrap()
                .contains('3')
        );
        assert_eq!(notice(en, Some("refresh_queued"), Some("<b>")), None);
        assert_eq!(notice(en, Some("made_up"), Some("3")), None);
    }

    #[test]
    fn a_filter_carried_back_is_read_again() {
        assert_eq!(
            filter_back(Some("period=7d&platform=tiktok")),
            "period=7d&platform=tiktok"
        );
        assert_eq!(filter_back(Some("period=5y")), "period=30d");
        assert_eq!(
            filter_back(Some("period=7d&next=https://evil.example")),
            "period=7d"
        );
        assert_eq!(filter_back(None), "period=30d");
    }
}
