//! YouTube Analytics API v2 `reports.query` for channel reports:
//! `GET youtubeanalytics.googleapis.com/v2/reports?ids=channel==MINE&startDate&endDate&metrics=…`
//! with `dimensions` none (totals), `day` (sorted by day) or `video` (top
//! videos: `sort` by a descending metric and `maxResults` ≤ 200 required),
//! `filters=video==ID[,ID…]`, `maxResults` and `startIndex`. The answer is
//! a `youtubeAnalytics#resultTable` whose `rows` end at the last day with
//! complete figures (two or three days ago) and are left out when empty.
//!
//! Refusals are Google errors (400 `badRequest`): "Unknown identifier (x)
//! given in field parameters.metrics." for a metric the API does not have,
//! "The query is not supported…" for a combination outside the channel
//! reports simulated here, "Could not parse content (…) of field
//! startDate." for a malformed date. Reading needs
//! `yt-analytics.readonly` (or `yt-analytics-monetary.readonly`) and
//! `youtube.readonly` (or `youtube`) — else 403 `insufficientPermissions`.
//! Queries are counted against the project's own daily Analytics quota
//! ([`Limits::youtube_analytics_daily_queries`](crate::Limits::youtube_analytics_daily_queries)),
//! separate from the Data API's units: past it, 429 `rateLimitExceeded`.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;
use serde_json::{Value, json};

use super::catalog::{Catalog, Totals};
use super::{
    Reason, api_error, api_fault, caller, has_any_scope, insufficient_permissions, json_response,
};
use crate::Sandbox;
use crate::params::Params;
use crate::seed::google_user;
use crate::video_insights::{date_of, day_of};

const ANALYTICS_SCOPES: &[&str] = &["yt-analytics.readonly", "yt-analytics-monetary.readonly"];
const YOUTUBE_SCOPES: &[&str] = &["youtube.readonly", "youtube"];

/// The metrics these channel reports have.
const METRICS: &[&str] = &[
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "averageViewPercentage",
    "likes",
    "dislikes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
];

/// Metrics the API has but not in the reports simulated here.
const OTHER_METRICS: &[&str] = &[
    "engagedViews",
    "redViews",
    "estimatedRedMinutesWatched",
    "videosAddedToPlaylists",
    "videosRemovedFromPlaylists",
    "cardImpressions",
    "cardClicks",
    "cardClickRate",
    "annotationImpressions",
    "annotationClickThroughRate",
    "videoThumbnailImpressions",
    "videoThumbnailImpressionsClickRate",
    "estimatedRevenue",
    "estimatedAdRevenue",
    "grossRevenue",
    "cpm",
    "playbackBasedCpm",
    "adImpressions",
    "monetizedPlaybacks",
    "playlistStarts",
    "viewsPerPlaylistStart",
    "viewerPercentage",
    "audienceWatchRatio",
    "relativeRetentionPerformance",
    "averageConcurrentViewers",
    "peakConcurrentViewers",
];

/// Dimensions the API has; only `day` and `video` are simulated.
const DIMENSIONS: &[&str] = &[
    "day",
    "month",
    "video",
    "channel",
    "playlist",
    "country",
    "province",
    "city",
    "continent",
    "subContinent",
    "deviceType",
    "operatingSystem",
    "ageGroup",
    "gender",
    "insightTrafficSourceType",
    "insightTrafficSourceDetail",
    "insightPlaybackLocationType",
    "insightPlaybackLocationDetail",
    "subscribedStatus",
    "youtubeProduct",
    "creatorContentType",
    "liveOrOnDemand",
    "sharingService",
    "elapsedVideoTimeRatio",
    "group",
];

/// Most rows a top-videos report gives.
const TOP_VIDEOS_MAX: usize = 200;
/// Most ids a `video==` filter takes.
const FILTER_MAX_IDS: usize = 500;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route(
        "/youtubeanalytics.googleapis.com/v2/reports",
        get(query_report),
    )
}

fn bad_request(message: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "global", "badRequest"),
    )
}

fn not_supported() -> Response {
    bad_request(
        "The query is not supported. Check the documentation at https://developers.google.com/youtube/analytics/v2/available_reports for a list of supported queries.",
    )
}

fn required(parameter: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "Required",
        Reason::new("Required", "global", "required").at(parameter, "parameter"),
    )
}

fn forbidden() -> Response {
    api_error(
        StatusCode::FORBIDDEN,
        "Forbidden",
        Reason::new("Forbidden", "global", "forbidden"),
    )
}

fn quota_exceeded(project: &str) -> Response {
    let message = format!(
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'youtubeanalytics.googleapis.com' for consumer '{project}'."
    );
    api_error(
        StatusCode::TOO_MANY_REQUESTS,
        &message,
        Reason::new(message.clone(), "usageLimits", "rateLimitExceeded"),
    )
}

/// `YYYY-MM-DD`, exactly.
fn parse_date(raw: &str, field: &str) -> Result<Date, Response> {
    let well_formed = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    well_formed
        .then(|| raw.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| {
            bad_request(&format!(
                "Could not parse content ({raw}) of field {field}."
            ))
        })
}

/// A comma-separated list, empty items dropped.
fn list(raw: &str) -> Vec<&str> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breakdown {
    Total,
    Day,
    Video,
}

/// A query that passed every check.
struct Query<'a> {
    start: i64,
    end: i64,
    metrics: Vec<&'a str>,
    breakdown: Breakdown,
    videos: Option<Vec<&'a str>>,
    /// `-metric` for a top-videos report; `day` or `-day` by day.
    sort: Option<&'a str>,
    max_results: Option<usize>,
    start_index: usize,
}

fn parse_query(params: &Params) -> Result<Query<'_>, Response> {
    for key in ["ids", "startDate", "endDate", "metrics"] {
        if params.non_empty(key).is_none() {
            return Err(required(key));
        }
    }
    let start = parse_date(params.get("startDate").unwrap_or(""), "startDate")?;
    let end = parse_date(params.get("endDate").unwrap_or(""), "endDate")?;
    if start > end {
        return Err(bad_request("The startDate must not be after the endDate."));
    }
    let metrics = list(params.get("metrics").unwrap_or(""));
    if metrics.is_empty() {
        return Err(required("metrics"));
    }
    for metric in &metrics {
        if !METRICS.contains(metric) {
            if OTHER_METRICS.contains(metric) {
                return Err(not_supported());
            }
            return Err(bad_request(&format!(
                "Unknown identifier ({metric}) given in field parameters.metrics."
            )));
        }
    }
    let dimensions = list(params.get("dimensions").unwrap_or(""));
    for dimension in &dimensions {
        if !DIMENSIONS.contains(dimension) {
            return Err(bad_request(&format!(
                "Unknown identifier ({dimension}) given in field parameters.dimensions."
            )));
        }
    }
    let breakdown = match dimensions.as_slice() {
        [] => Breakdown::Total,
        ["day"] => Breakdown::Day,
        ["video"] => Breakdown::Video,
        _ => return Err(not_supported()),
    };
    let videos = match params.non_empty("filters") {
        None => None,
        Some(raw) => {
            let ids = raw
                .strip_prefix("video==")
                .filter(|rest| !rest.contains(';'))
                .map(list)
                .filter(|ids| !ids.is_empty())
                .ok_or_else(not_supported)?;
            if ids.len() > FILTER_MAX_IDS {
                return Err(not_supported());
            }
            Some(ids)
        }
    };
    let number = |key: &str, min: usize| -> Result<Option<usize>, Response> {
        match params.non_empty(key) {
            None => Ok(None),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if n >= min => Ok(Some(n)),
                _ => Err(bad_request(&format!(
                    "Invalid value '{raw}'. Values must be within the range: [{min}, 2147483647]"
                ))),
            },
        }
    };
    let max_results = number("maxResults", 1)?;
    let start_index = number("startIndex", 1)?.unwrap_or(1);
    let sort = params.non_empty("sort");
    match breakdown {
        Breakdown::Total => {
            if sort.is_some() {
                return Err(not_supported());
            }
        }
        Breakdown::Day => {
            if !matches!(sort, None | Some("day" | "-day")) {
                return Err(not_supported());
            }
        }
        Breakdown::Video => {
            // Top videos: sorted by a metric of the report, descending, and
            // a row cap no larger than the report's.
            let by = sort.and_then(|s| s.strip_prefix('-'));
            let capped = max_results.is_some_and(|n| n <= TOP_VIDEOS_MAX);
            if !capped || !by.is_some_and(|m| metrics.contains(&m)) {
                return Err(not_supported());
            }
        }
    }
    Ok(Query {
        start: day_of(start),
        end: day_of(end),
        metrics,
        breakdown,
        videos,
        sort,
        max_results,
        start_index,
    })
}

/// A metric's value in `totals`.
fn metric(totals: &Totals, name: &str) -> Value {
    let f = &totals.figures;
    match name {
        "views" => json!(f.views),
        "estimatedMinutesWatched" => json!(totals.minutes()),
        "averageViewDuration" => json!(totals.average_view_duration()),
        "averageViewPercentage" => json!(totals.average_view_percentage()),
        "likes" => json!(f.likes),
        "comments" => json!(f.comments),
        "shares" => json!(f.shares),
        "subscribersGained" => json!(totals.subscribers_gained),
        "subscribersLost" => json!(totals.subscribers_lost),
        // Dislikes are not simulated.
        _ => json!(0),
    }
}

fn header(name: &str, column: &str) -> Value {
    let data_type = match name {
        "day" | "video" => "STRING",
        "averageViewPercentage" => "FLOAT",
        _ => "INTEGER",
    };
    json!({"name": name, "columnType": column, "dataType": data_type})
}

fn sum(parts: impl IntoIterator<Item = Totals>) -> Totals {
    parts.into_iter().fold(Totals::default(), |mut acc, t| {
        acc.figures = acc.figures.plus(t.figures);
        acc.full_secs += t.full_secs;
        acc.subscribers_gained += t.subscribers_gained;
        acc.subscribers_lost += t.subscribers_lost;
        acc
    })
}

/// The report's rows (dimension values first, then the metrics).
fn rows(catalog: &Catalog, q: &Query<'_>) -> Vec<Vec<Value>> {
    let from = q.start.max(catalog.first_day());
    let to = q.end.min(catalog.last_reported());
    let videos = q.videos.as_deref();
    let values = |totals: &Totals| {
        q.metrics
            .iter()
            .map(|m| metric(totals, m))
            .collect::<Vec<_>>()
    };
    let mut rows = match q.breakdown {
        Breakdown::Total => {
            if from > to {
                return Vec::new();
            }
            vec![values(&sum(
                (from..=to).map(|d| catalog.day_totals(d, videos))
            ))]
        }
        Breakdown::Day => {
            let mut rows: Vec<Vec<Value>> = (from..=to)
                .map(|d| {
                    let mut row = vec![json!(date_of(d).to_string())];
                    row.extend(values(&catalog.day_totals(d, videos)));
                    row
                })
                .collect();
            if q.sort == Some("-day") {
                rows.reverse();
            }
            rows
        }
        Breakdown::Video => {
            let by = q.sort.and_then(|s| s.strip_prefix('-')).unwrap_or("views");
            let mut ranked: Vec<(&str, Totals)> = catalog
                .videos
                .iter()
                .filter(|v| videos.is_none_or(|ids| ids.contains(&v.id.as_str())))
                .map(|v| (v.id.as_str(), catalog.video_totals(v, from, to)))
                .filter(|(_, t)| t.figures != Default::default())
                .collect();
            ranked.sort_by(|a, b| {
                let (x, y) = (metric(&a.1, by), metric(&b.1, by));
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                y.total_cmp(&x).then_with(|| a.0.cmp(b.0))
            });
            ranked
                .into_iter()
                .map(|(id, t)| {
                    let mut row = vec![json!(id)];
                    row.extend(values(&t));
                    row
                })
                .collect()
        }
    };
    let skip = q.start_index - 1;
    rows = rows.into_iter().skip(skip).collect();
    if let Some(max) = q.max_results {
        rows.truncate(max);
    }
    rows
}

async fn query_report(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("youtube.analytics_reports").await;
    if let Some(response) = api_fault(fault, false) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    // Every query counts, even one refused afterwards.
    let now = sb.now();
    let project = sb.config().google.client_id.clone();
    let used = sb.meters(|m| m.charge_daily(&format!("youtube-analytics:{project}"), now, 1));
    if used + 1 > u64::from(sb.config().limits.youtube_analytics_daily_queries) {
        return quota_exceeded(&project);
    }
    let record = match caller(&sb, &headers, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !has_any_scope(&record, ANALYTICS_SCOPES) || !has_any_scope(&record, YOUTUBE_SCOPES) {
        return insufficient_permissions();
    }
    let q = match parse_query(&params) {
        Ok(q) => q,
        Err(response) => return response,
    };
    // Channel reports only, of a channel the caller owns; `MINE` is the
    // user's first channel (a real token is bound to one channel).
    let user = google_user(&record.user, &sb.config().public_base);
    let ids = params.get("ids").unwrap_or("");
    let channel = match ids.strip_prefix("channel==") {
        Some("MINE") => user.channels.into_iter().next(),
        Some(id) => user.channels.into_iter().find(|c| c.id == id),
        None if ids.starts_with("contentOwner==") => return forbidden(),
        None => return bad_request(&format!("Invalid value '{ids}' of field ids.")),
    };
    let Some(channel) = channel else {
        return forbidden();
    };
    let rows = sb.read(|st| rows(&Catalog::new(st, &record.user, channel, now), &q));
    let mut columns = Vec::new();
    match q.breakdown {
        Breakdown::Total => {}
        Breakdown::Day => columns.push(header("day", "DIMENSION")),
        Breakdown::Video => columns.push(header("video", "DIMENSION")),
    }
    columns.extend(q.metrics.iter().map(|m| header(m, "METRIC")));
    let mut body = json!({
        "kind": "youtubeAnalytics#resultTable",
        "columnHeaders": columns,
    });
    if !rows.is_empty() {
        body["rows"] = json!(rows);
    }
    json_response(StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> Result<Breakdown, u16> {
        let params = Params::from_query(Some(q));
        parse_query(&params)
            .map(|q| q.breakdown)
            .map_err(|r| r.status().as_u16())
    }

    const BASE: &str = "ids=channel==MINE&startDate=2026-01-01&endDate=2026-01-31";

    #[test]
    fn channel_reports_by_day_and_top_videos_pass() {
        assert_eq!(
            query(&format!(
                "{BASE}&metrics=views,likes&dimensions=day&sort=day"
            )),
            Ok(Breakdown::Day)
        );
        assert_eq!(
            query(&format!("{BASE}&metrics=views")),
            Ok(Breakdown::Total)
        );
        assert_eq!(
            query(&format!(
                "{BASE}&metrics=views&dimensions=video&sort=-views&maxResults=10"
            )),
            Ok(Breakdown::Video)
        );
        assert_eq!(
            query(&format!(
                "{BASE}&metrics=views&dimensions=day&filters=video==abc,def"
            )),
            Ok(Breakdown::Day)
        );
    }

    #[test]
    fn unsupported_queries_are_refused_as_google_refuses_them() {
        // Top videos need a descending sort by one of their metrics and a cap.
        assert_eq!(
            query(&format!("{BASE}&metrics=views&dimensions=video")),
            Err(400)
        );
        assert_eq!(
            query(&format!(
                "{BASE}&metrics=views&dimensions=video&sort=-views&maxResults=500"
            )),
            Err(400)
        );
        assert_eq!(
            query(&format!(
                "{BASE}&metrics=views&dimensions=video&sort=views&maxResults=5"
            )),
            Err(400)
        );
        assert_eq!(
            query(&format!("{BASE}&metrics=views&dimensions=video,day")),
            Err(400)
        );
        assert_eq!(query(&format!("{BASE}&metrics=impressions")), Err(400));
        assert_eq!(
            query(&format!("{BASE}&metrics=views&dimensions=nope")),
            Err(400)
        );
        assert_eq!(
            query(&format!("{BASE}&metrics=views&filters=country==US")),
            Err(400)
        );
        assert_eq!(
            query("ids=channel==MINE&startDate=2026-02-01&endDate=2026-01-01&metrics=views"),
            Err(400)
        );
        assert_eq!(
            query("ids=channel==MINE&startDate=01/02/2026&endDate=2026-01-01&metrics=views"),
            Err(400)
        );
        assert_eq!(
            query("ids=channel==MINE&startDate=2026-01-01&metrics=views"),
            Err(400)
        );
    }
}
