//! YouTube insights through the YouTube Analytics API v2 and the Data API
//! v3.
//!
//! - Days: one `reports.query` by day (`ids=channel=={id}`,
//!   `metrics=views,estimatedMinutesWatched,averageViewDuration,averageViewPercentage,likes,comments,shares,subscribersGained,subscribersLost`,
//!   `dimensions=day&sort=day`), plus `channels.list?part=statistics` for
//!   the subscriber count: YouTube reports no subscriber total per day, so
//!   a day's followers are today's count minus the net gains reported
//!   after that day. That is an estimate — the count is rounded to three
//!   significant figures and the last two or three days are not reported
//!   yet.
//! - Snapshot: `channels.list?part=statistics` (counts are strings).
//! - Posts: the uploads playlist (`channels.list?part=contentDetails`, then
//!   `playlistItems.list`, 50 a page, newest first), `videos.list` with
//!   `statistics` for the page, and one top-videos report filtered to the
//!   page's videos for their watch time and shares. Without the Analytics
//!   scope the posts still come, without those.
//!
//! Data API calls cost 1 unit of the project's 10,000 a day (`search.list`,
//! which would cost 100, is not used); Analytics queries have a quota of
//! their own. Reports need `yt-analytics.readonly` besides
//! `youtube.readonly` (platform-apis.md §3.1, §3.3, §3.4).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use super::{
    AccountDay, Budget, Facts, Fetched, InsightsAccount, InsightsReader, Normalized, Pace, Pacer,
    PostFacts, PostPage, paced, sum,
};
use crate::client::{Call, Method, PlatformClient};
use crate::youtube::{GoogleDialect, SCOPE_ANALYTICS, SCOPE_READONLY, next_quota_reset};
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

const P: ProviderId = ProviderId::YouTube;
const DIALECT: GoogleDialect = GoogleDialect(P);
const DAY_METRICS: &str = "views,estimatedMinutesWatched,averageViewDuration,averageViewPercentage,likes,comments,shares,subscribersGained,subscribersLost";
const VIDEO_METRICS: &str =
    "estimatedMinutesWatched,averageViewDuration,averageViewPercentage,shares";
/// The most items `playlistItems.list` and ids `videos.list` take.
const PAGE_SIZE: usize = 50;
/// The longest span one daily report is asked for (the reporting lag is
/// added on top, to read the subscriber changes since).
const MAX_DAYS: u32 = 120;
const TITLE_MAX_CHARS: usize = 200;

/// Reads a YouTube channel's figures.
pub struct YouTubeInsights {
    hosts: Hosts,
    client: PlatformClient,
}

/// Today in Pacific time, YouTube's reporting day.
fn pacific_today(now: Timestamp) -> Date {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles")
        .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(-8)));
    now.to_zoned(tz).date()
}

impl YouTubeInsights {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        YouTubeInsights { hosts, client }
    }

    fn data_api(&self, path: &str) -> String {
        self.hosts
            .url("www.googleapis.com", &format!("/youtube/v3{path}"))
    }

    /// Sends one call, cleared with the pacer first. A missing permission
    /// names `scope`; the Analytics daily quota says when it comes back.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
        scope: &str,
    ) -> Result<T, PlatformError> {
        paced(pacer, P, account.kind, &account.account_id).await?;
        let now = self.client.clock().now();
        let reply = self
            .client
            .send(&call.bearer(&account.access_token), &DIALECT)
            .await
            .map_err(|mut e| {
                match &mut e.kind {
                    ErrorKind::Reconsent { scopes } if scopes.is_empty() => {
                        scopes.push(scope.to_owned());
                    }
                    ErrorKind::RateLimited { until } if e.message.contains("per day") => {
                        *until = Some(next_quota_reset(now));
                    }
                    _ => {}
                }
                e
            })?;
        reply.json(P)
    }

    async fn channel(
        &self,
        account: &InsightsAccount,
        part: &str,
        pacer: &dyn Pacer,
    ) -> Result<Channel, PlatformError> {
        let call = Call::new(
            P,
            "youtube.channels",
            Method::Get,
            self.data_api("/channels"),
        )
        .query("part", part)
        .query("id", account.account_id.clone());
        let list: ChannelList = self.send(call, account, pacer, SCOPE_READONLY).await?;
        list.items
            .into_iter()
            .find(|c| c.id == account.account_id)
            .ok_or_else(|| {
                PlatformError::new(
                    P,
                    ErrorKind::Reconnect,
                    "the channel is not among the token's channels",
                )
                .with_code("channelNotFound")
            })
    }

    /// A YouTube Analytics report of the account's channel.
    async fn report(
        &self,
        account: &InsightsAccount,
        query: &[(&str, String)],
        pacer: &dyn Pacer,
    ) -> Result<Report, PlatformError> {
        let mut call = Call::new(
            P,
            "youtube.analytics_reports",
            Method::Get,
            self.hosts
                .url("youtubeanalytics.googleapis.com", "/v2/reports"),
        )
        .query("ids", format!("channel=={}", account.account_id));
        for (key, value) in query {
            call = call.query(key, value.clone());
        }
        let table: ResultTable = self.send(call, account, pacer, SCOPE_ANALYTICS).await?;
        Report::read(table)
    }
}

// ------------------------------------------------------------ wire shapes

#[derive(Deserialize)]
struct ChannelList {
    #[serde(default)]
    items: Vec<Channel>,
}

#[derive(Deserialize)]
struct Channel {
    id: String,
    #[serde(default)]
    statistics: Option<ChannelStatistics>,
    #[serde(default, rename = "contentDetails")]
    content_details: Option<ChannelContent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelStatistics {
    view_count: Option<String>,
    subscriber_count: Option<String>,
    #[serde(default)]
    hidden_subscriber_count: bool,
    video_count: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelContent {
    related_playlists: Option<RelatedPlaylists>,
}

#[derive(Deserialize)]
struct RelatedPlaylists {
    uploads: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItems {
    #[serde(default)]
    items: Vec<PlaylistItem>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItem {
    content_details: PlaylistItemContent,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItemContent {
    video_id: String,
    video_published_at: Option<Timestamp>,
}

#[derive(Deserialize)]
struct VideoList {
    #[serde(default)]
    items: Vec<VideoItem>,
}

#[derive(Deserialize)]
struct VideoItem {
    id: String,
    #[serde(default)]
    snippet: Option<VideoSnippet>,
    #[serde(default)]
    statistics: Option<VideoStatistics>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoSnippet {
    published_at: Option<Timestamp>,
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoStatistics {
    view_count: Option<String>,
    like_count: Option<String>,
    favorite_count: Option<String>,
    comment_count: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultTable {
    #[serde(default)]
    column_headers: Vec<ColumnHeader>,
    /// Absent when the report has no rows.
    #[serde(default)]
    rows: Vec<Vec<Value>>,
}

#[derive(Deserialize)]
struct ColumnHeader {
    name: String,
}

/// A count the Data API sends as a string.
fn count(value: &Option<String>) -> Option<i64> {
    value.as_deref().and_then(|s| s.trim().parse().ok())
}

/// A report's rows: the first column's value (a day or a video id) and
/// the metrics by name, rounded to whole numbers.
struct Report {
    rows: Vec<(String, BTreeMap<String, i64>)>,
}

impl Report {
    fn read(table: ResultTable) -> Result<Report, PlatformError> {
        let names: Vec<String> = table.column_headers.into_iter().map(|h| h.name).collect();
        if names.is_empty() {
            return Err(PlatformError::unexpected(P, "a report without columns"));
        }
        let mut rows = Vec::with_capacity(table.rows.len());
        for row in table.rows {
            if row.len() != names.len() {
                return Err(PlatformError::unexpected(
                    P,
                    "a report row of the wrong width",
                ));
            }
            let key = row[0].as_str().unwrap_or_default().to_owned();
            let metrics = names
                .iter()
                .zip(&row)
                .skip(1)
                .filter_map(|(name, value)| Some((name.clone(), value.as_f64()?.round() as i64)))
                .collect();
            rows.push((key, metrics));
        }
        Ok(Report { rows })
    }
}

/// Herald's measures of a day's (or a video's) report metrics.
fn measures(m: &BTreeMap<String, i64>) -> Normalized {
    let get = |name: &str| m.get(name).copied();
    Normalized {
        views: get("views"),
        watch_time_secs: get("estimatedMinutesWatched").map(|minutes| minutes.saturating_mul(60)),
        likes: get("likes"),
        comments: get("comments"),
        shares: get("shares"),
        engagements: sum(&[get("likes"), get("comments"), get("shares")]),
        follows: get("subscribersGained"),
        unfollows: get("subscribersLost"),
        ..Normalized::default()
    }
}

#[async_trait]
impl InsightsReader for YouTubeInsights {
    fn kind(&self) -> AccountKind {
        AccountKind::YouTubeChannel
    }

    /// Data API: 10,000 units a day per project, each call here 1; Herald
    /// gives insights half of it (publishing and the inbox use the rest).
    /// Per channel a few hundred calls a day, far more than a day's
    /// ingestion takes.
    fn pace(&self) -> Pace {
        let day = Duration::from_secs(86_400);
        Pace {
            app: Budget {
                calls: 5_000,
                per: day,
            },
            account: Budget {
                calls: 300,
                per: day,
            },
        }
    }

    fn max_days(&self) -> u32 {
        MAX_DAYS
    }

    fn lag_days(&self) -> u32 {
        3
    }

    async fn account_days(
        &self,
        account: &InsightsAccount,
        from: Date,
        to: Date,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Vec<AccountDay>>, PlatformError> {
        let span = from.until(to).map_or(-1, |s| s.get_days());
        if span < 0 || span >= i32::try_from(MAX_DAYS).unwrap_or(i32::MAX) {
            return Err(PlatformError::new(
                P,
                ErrorKind::BadRequest,
                format!("a report spans 1 to {MAX_DAYS} days, not {from} to {to}"),
            ));
        }
        // Up to today, for the subscriber changes after `to`.
        let today = pacific_today(self.client.clock().now());
        let end = to.max(today);
        let report = self
            .report(
                account,
                &[
                    ("startDate", from.to_string()),
                    ("endDate", end.to_string()),
                    ("metrics", DAY_METRICS.to_owned()),
                    ("dimensions", "day".to_owned()),
                    ("sort", "day".to_owned()),
                ],
                pacer,
            )
            .await?;
        let stats = self.channel(account, "statistics", pacer).await?.statistics;
        let subscribers = stats
            .filter(|s| !s.hidden_subscriber_count)
            .and_then(|s| count(&s.subscriber_count));
        let mut days = Vec::new();
        for (key, metrics) in &report.rows {
            let day: Date = key
                .parse()
                .map_err(|_| PlatformError::unexpected(P, format_args!("a report day {key:?}")))?;
            days.push((day, metrics));
        }
        // Net subscriber change after each day, summed from the newest.
        let mut after = 0i64;
        let mut followers = HashMap::new();
        for (day, metrics) in days.iter().rev() {
            followers.insert(*day, subscribers.map(|now| now - after));
            let net = metrics.get("subscribersGained").copied().unwrap_or(0)
                - metrics.get("subscribersLost").copied().unwrap_or(0);
            after += net;
        }
        let value = days
            .into_iter()
            .filter(|(day, _)| (from..=to).contains(day))
            .map(|(day, metrics)| AccountDay {
                day,
                facts: Facts {
                    normalized: Normalized {
                        followers: followers.get(&day).copied().flatten(),
                        ..measures(metrics)
                    },
                    raw: metrics.clone(),
                },
            })
            .collect();
        Ok(Fetched { value, calls: 2 })
    }

    async fn snapshot(
        &self,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Facts>, PlatformError> {
        let stats = self
            .channel(account, "statistics", pacer)
            .await?
            .statistics
            .ok_or_else(|| PlatformError::unexpected(P, "a channel without statistics"))?;
        let mut raw = BTreeMap::new();
        for (name, value) in [
            ("subscriberCount", &stats.subscriber_count),
            ("viewCount", &stats.view_count),
            ("videoCount", &stats.video_count),
        ] {
            if let Some(v) = count(value) {
                raw.insert(name.to_owned(), v);
            }
        }
        let followers = (!stats.hidden_subscriber_count)
            .then(|| count(&stats.subscriber_count))
            .flatten();
        Ok(Fetched {
            value: Facts {
                normalized: Normalized {
                    followers,
                    ..Normalized::default()
                },
                raw,
            },
            calls: 1,
        })
    }

    async fn posts(
        &self,
        account: &InsightsAccount,
        since: Timestamp,
        page: Option<&str>,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<PostPage>, PlatformError> {
        let mut calls = 0;
        let (uploads, token) = match page {
            Some(page) => {
                let (uploads, token) = page.split_once(':').ok_or_else(|| {
                    PlatformError::new(P, ErrorKind::BadRequest, "not a YouTube uploads page")
                })?;
                (uploads.to_owned(), Some(token.to_owned()))
            }
            None => {
                calls += 1;
                let channel = self.channel(account, "contentDetails", pacer).await?;
                let uploads = channel
                    .content_details
                    .and_then(|c| c.related_playlists)
                    .and_then(|r| r.uploads)
                    .ok_or_else(|| PlatformError::unexpected(P, "a channel without uploads"))?;
                (uploads, None)
            }
        };
        let mut call = Call::new(
            P,
            "youtube.playlist_items",
            Method::Get,
            self.data_api("/playlistItems"),
        )
        .query("part", "contentDetails")
        .query("playlistId", uploads.clone())
        .query("maxResults", PAGE_SIZE.to_string());
        if let Some(token) = token {
            call = call.query("pageToken", token);
        }
        calls += 1;
        let items: PlaylistItems = self.send(call, account, pacer, SCOPE_READONLY).await?;
        // Newest first: the page ends where videos get older than `since`.
        let reached_since = items.items.iter().any(|i| {
            i.content_details
                .video_published_at
                .is_some_and(|at| at < since)
        });
        let kept: Vec<&PlaylistItemContent> = items
            .items
            .iter()
            .map(|i| &i.content_details)
            .filter(|c| c.video_published_at.is_none_or(|at| at >= since))
            .collect();
        let next = items
            .next_page_token
            .filter(|_| !reached_since && !items.items.is_empty())
            .map(|token| format!("{uploads}:{token}"));
        if kept.is_empty() {
            return Ok(Fetched {
                value: PostPage {
                    posts: Vec::new(),
                    next,
                },
                calls,
            });
        }
        let ids: Vec<&str> = kept.iter().map(|c| c.video_id.as_str()).collect();
        let call = Call::new(P, "youtube.videos", Method::Get, self.data_api("/videos"))
            .query("part", "snippet,statistics")
            .query("id", ids.join(","));
        calls += 1;
        let videos: VideoList = self.send(call, account, pacer, SCOPE_READONLY).await?;

        // Watch time and shares since the oldest video's day, by video.
        let today = pacific_today(self.client.clock().now());
        let oldest = kept
            .iter()
            .filter_map(|c| c.video_published_at)
            .min()
            .map_or(today, pacific_today);
        calls += 1;
        let watched = match self
            .report(
                account,
                &[
                    ("startDate", oldest.min(today).to_string()),
                    ("endDate", today.to_string()),
                    ("metrics", VIDEO_METRICS.to_owned()),
                    ("dimensions", "video".to_owned()),
                    ("filters", format!("video=={}", ids.join(","))),
                    ("sort", "-estimatedMinutesWatched".to_owned()),
                    ("maxResults", PAGE_SIZE.to_string()),
                ],
                pacer,
            )
            .await
        {
            Ok(report) => report.rows.into_iter().collect::<HashMap<_, _>>(),
            // Without the Analytics scope, posts come without watch time.
            Err(e) if matches!(e.kind, ErrorKind::Reconsent { .. }) => HashMap::new(),
            Err(e) => return Err(e),
        };

        let by_id: HashMap<&str, &VideoItem> =
            videos.items.iter().map(|v| (v.id.as_str(), v)).collect();
        let posts = kept
            .iter()
            .filter_map(|c| {
                // A video deleted since the playlist was read is left out.
                let video = by_id.get(c.video_id.as_str())?;
                Some(post_facts(video, c, watched.get(&c.video_id)))
            })
            .collect();
        Ok(Fetched {
            value: PostPage { posts, next },
            calls,
        })
    }
}

fn post_facts(
    video: &VideoItem,
    item: &PlaylistItemContent,
    watched: Option<&BTreeMap<String, i64>>,
) -> PostFacts {
    let mut raw = BTreeMap::new();
    if let Some(stats) = &video.statistics {
        for (name, value) in [
            ("viewCount", &stats.view_count),
            ("likeCount", &stats.like_count),
            ("favoriteCount", &stats.favorite_count),
            ("commentCount", &stats.comment_count),
        ] {
            if let Some(v) = count(value) {
                raw.insert(name.to_owned(), v);
            }
        }
    }
    if let Some(watched) = watched {
        raw.extend(watched.iter().map(|(k, v)| (k.clone(), *v)));
    }
    let get = |name: &str| raw.get(name).copied();
    let normalized = Normalized {
        views: get("viewCount"),
        likes: get("likeCount"),
        comments: get("commentCount"),
        shares: get("shares"),
        engagements: sum(&[get("likeCount"), get("commentCount"), get("shares")]),
        watch_time_secs: get("estimatedMinutesWatched").map(|m| m.saturating_mul(60)),
        ..Normalized::default()
    };
    let snippet = video.snippet.as_ref();
    PostFacts {
        remote_id: video.id.clone(),
        published_at: snippet
            .and_then(|s| s.published_at)
            .or(item.video_published_at),
        format: Some("video".to_owned()),
        permalink: Some(format!("https://www.youtube.com/watch?v={}", video.id)),
        title: snippet
            .and_then(|s| s.title.as_deref())
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.chars().take(TITLE_MAX_CHARS).collect()),
        facts: Facts { normalized, raw },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_rows_are_read_by_column_name() {
        let table: ResultTable = serde_json::from_value(serde_json::json!({
            "kind": "youtubeAnalytics#resultTable",
            "columnHeaders": [
                {"name": "day", "columnType": "DIMENSION", "dataType": "STRING"},
                {"name": "views", "columnType": "METRIC", "dataType": "INTEGER"},
                {"name": "averageViewPercentage", "columnType": "METRIC", "dataType": "FLOAT"},
                {"name": "estimatedMinutesWatched", "columnType": "METRIC", "dataType": "INTEGER"},
            ],
            "rows": [["2026-01-02", 120, 41.56, 30]],
        }))
        .unwrap();
        let report = Report::read(table).unwrap();
        let (day, metrics) = &report.rows[0];
        assert_eq!(day, "2026-01-02");
        assert_eq!(metrics["views"], 120);
        assert_eq!(metrics["averageViewPercentage"], 42);
        let n = measures(metrics);
        assert_eq!(n.watch_time_secs, Some(1_800));
        assert_eq!(n.views, Some(120));
        assert_eq!(n.engagements, None);
        // No rows at all: the field is left out.
        let empty: ResultTable =
            serde_json::from_value(serde_json::json!({"columnHeaders": [{"name": "day"}]}))
                .unwrap();
        assert!(Report::read(empty).unwrap().rows.is_empty());
    }

    #[test]
    fn todays_reporting_day_is_pacific() {
        let at: Timestamp = "2026-01-01T07:00:00Z".parse().unwrap();
        assert_eq!(pacific_today(at), jiff::civil::date(2025, 12, 31));
        let at: Timestamp = "2026-07-01T07:30:00Z".parse().unwrap();
        assert_eq!(pacific_today(at), jiff::civil::date(2026, 7, 1));
    }
}
