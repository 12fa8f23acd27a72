//! Insights through the Graph API: what the Meta readers share
//! ([`GraphReader`]: paced calls as the account, Graph's insights answer
//! and its time format), and Facebook Pages ([`FacebookPageInsights`]).
//!
//! A Page's days come from one `GET /{page-id}/insights` call per window
//! of at most 90 days (`period=day`; a value's `end_time` is the morning
//! after the day it measures). Its posts are `GET /{page-id}/published_posts`
//! pages with their shares and comment counts, and one
//! `GET /{post-id}/insights` per post for its lifetime figures. Every
//! call uses the Page's own token (Page insights refuse a user token) and
//! needs `read_insights` and `pages_read_engagement`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{
    AccountDay, Budget, Facts, Fetched, InsightsAccount, InsightsReader, Normalized, Pace, Pacer,
    PostFacts, PostPage, paced, sum,
};
use crate::client::{Call, Method, PlatformClient};
use crate::meta::{GRAPH_VERSION, GraphDialect};
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

/// Posts asked for per listing page.
const PAGE_SIZE: &str = "25";
/// The Page metrics read per day.
const PAGE_METRICS: &str = "page_media_view,page_total_media_view_unique,page_post_engagements,page_daily_follows,page_daily_unfollows_unique,page_follows";
/// A post's lifetime metrics.
const POST_METRICS: &str = "post_media_view,post_total_media_view_unique,post_reactions_by_type_total,post_clicks,post_clicks_by_type";
const POST_FIELDS: &str =
    "id,created_time,message,permalink_url,status_type,shares,comments.summary(true).limit(0)";

/// The pace of Meta's insights calls, for Pages and Instagram alike: per
/// account 180 calls an hour, under the business use case floor of 4,800
/// calls per 24 hours (200 an hour) for a Page with one engaged user or an
/// Instagram account with one impression; for the app 1,500 an hour.
pub(super) const META_PACE: Pace = Pace {
    app: Budget {
        calls: 1_500,
        per: Duration::from_secs(3_600),
    },
    account: Budget {
        calls: 180,
        per: Duration::from_secs(3_600),
    },
};

// ------------------------------------------------------------ reading

/// One Graph host as one provider's app, reading as an account.
pub(super) struct GraphReader {
    hosts: Hosts,
    client: PlatformClient,
    provider: ProviderId,
    host: &'static str,
    kind: AccountKind,
}

impl GraphReader {
    pub(super) fn new(
        hosts: Hosts,
        client: PlatformClient,
        provider: ProviderId,
        host: &'static str,
        kind: AccountKind,
    ) -> GraphReader {
        GraphReader {
            hosts,
            client,
            provider,
            host,
            kind,
        }
    }

    pub(super) fn now(&self) -> Timestamp {
        self.client.clock().now()
    }

    /// A `GET` of `path` (after the Graph version) as the account.
    pub(super) fn call(
        &self,
        account: &InsightsAccount,
        endpoint: &'static str,
        path: &str,
    ) -> Call {
        let url = self
            .hosts
            .url(self.host, &format!("/{GRAPH_VERSION}{path}"));
        Call::new(self.provider, endpoint, Method::Get, url)
            .bearer(&account.access_token)
            .bucket(account.account_id.clone())
    }

    /// Clears the call with `pacer`, sends it and reads the answer, Graph
    /// errors classified; counts it in `calls`.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
        calls: &mut u32,
        call: Call,
    ) -> Result<T, PlatformError> {
        paced(pacer, self.provider, self.kind, &account.account_id).await?;
        *calls += 1;
        self.client
            .send(&call, &GraphDialect(self.provider))
            .await?
            .json(self.provider)
    }

    /// The error for a request Herald should not have made.
    pub(super) fn refuse(&self, message: impl Into<String>) -> PlatformError {
        PlatformError::new(self.provider, ErrorKind::BadRequest, message)
    }
}

/// Graph's insights answer.
#[derive(Deserialize, Default)]
pub(super) struct InsightsReply {
    #[serde(default)]
    pub data: Vec<Insight>,
}

#[derive(Deserialize)]
pub(super) struct Insight {
    pub name: String,
    #[serde(default)]
    pub values: Vec<InsightValue>,
    #[serde(default)]
    pub total_value: Option<TotalValue>,
}

#[derive(Deserialize)]
pub(super) struct InsightValue {
    #[serde(default)]
    pub value: serde_json::Value,
    #[serde(default)]
    pub end_time: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct TotalValue {
    #[serde(default)]
    pub value: Option<i64>,
    #[serde(default)]
    pub breakdowns: Vec<Breakdown>,
}

#[derive(Deserialize)]
pub(super) struct Breakdown {
    #[serde(default)]
    pub dimension_keys: Vec<String>,
    #[serde(default)]
    pub results: Vec<BreakdownResult>,
}

#[derive(Deserialize)]
pub(super) struct BreakdownResult {
    #[serde(default)]
    pub dimension_values: Vec<String>,
    #[serde(default)]
    pub value: i64,
}

/// A metric's value into `raw` under its name: a number as it is, an
/// object of counts (`post_reactions_by_type_total`) as `name:key` each.
pub(super) fn put(raw: &mut BTreeMap<String, i64>, name: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                if let Some(n) = v.as_i64() {
                    raw.insert(format!("{name}:{key}"), n);
                }
            }
        }
        other => {
            if let Some(n) = other.as_i64() {
                raw.insert(name.to_owned(), n);
            }
        }
    }
}

/// A post's lifetime metrics from an insights answer (first value of
/// each).
pub(super) fn lifetime(reply: &InsightsReply) -> BTreeMap<String, i64> {
    let mut raw = BTreeMap::new();
    for insight in &reply.data {
        if let Some(v) = insight.values.first() {
            put(&mut raw, &insight.name, &v.value);
        } else if let Some(total) = insight.total_value.as_ref().and_then(|t| t.value) {
            raw.insert(insight.name.clone(), total);
        }
    }
    raw
}

/// Graph's `2026-01-01T00:00:00+0000` (or RFC 3339).
pub(super) fn parse_time(s: &str) -> Option<Timestamp> {
    Timestamp::strptime("%Y-%m-%dT%H:%M:%S%z", s)
        .ok()
        .or_else(|| s.parse().ok())
}

/// The UTC date of a Graph time.
pub(super) fn utc_date(s: &str) -> Option<Date> {
    parse_time(s).map(|t| t.to_zoned(TimeZone::UTC).date())
}

/// Unix seconds of midnight UTC starting `date`.
pub(super) fn midnight(date: Date) -> i64 {
    date.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or_default()
}

/// The day after `date` (the latest date stays itself).
pub(super) fn next_day(date: Date) -> Date {
    date.tomorrow().unwrap_or(date)
}

/// Days from `from` to `to`, both included; 0 when `to` is before.
pub(super) fn span(from: Date, to: Date) -> i64 {
    if to < from {
        0
    } else {
        i64::from((to - from).get_days()) + 1
    }
}

/// A post's caption as a title: its start, at most 200 characters.
pub(super) fn title(caption: Option<&str>) -> Option<String> {
    let caption = caption?.trim();
    if caption.is_empty() {
        return None;
    }
    Some(caption.chars().take(200).collect())
}

/// Graph's cursor paging.
#[derive(Deserialize, Default)]
pub(super) struct Paging {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub cursors: Option<Cursors>,
}

#[derive(Deserialize, Default)]
pub(super) struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
}

impl Paging {
    /// The cursor of the next page, when there is one.
    pub(super) fn after(&self) -> Option<String> {
        self.next.as_ref()?;
        self.cursors.as_ref()?.after.clone()
    }
}

// -------------------------------------------------------------- Pages

/// Reads Facebook Pages' insights.
pub struct FacebookPageInsights {
    graph: GraphReader,
}

impl FacebookPageInsights {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        FacebookPageInsights {
            graph: GraphReader::new(
                hosts,
                client,
                ProviderId::Facebook,
                "graph.facebook.com",
                AccountKind::FacebookPage,
            ),
        }
    }
}

#[derive(Deserialize)]
struct PageReply {
    #[serde(default)]
    followers_count: Option<i64>,
    #[serde(default)]
    fan_count: Option<i64>,
}

#[derive(Deserialize)]
struct PostsReply {
    #[serde(default)]
    data: Vec<PostReply>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct PostReply {
    id: String,
    #[serde(default)]
    created_time: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    permalink_url: Option<String>,
    #[serde(default)]
    status_type: Option<String>,
    #[serde(default)]
    shares: Option<Count>,
    #[serde(default)]
    comments: Option<CommentsReply>,
}

#[derive(Deserialize)]
struct Count {
    #[serde(default)]
    count: i64,
}

#[derive(Deserialize)]
struct CommentsReply {
    #[serde(default)]
    summary: Option<CommentSummary>,
}

#[derive(Deserialize)]
struct CommentSummary {
    #[serde(default)]
    total_count: i64,
}

/// A Page day's figures, Herald's measures from the Page metrics.
fn page_day(raw: BTreeMap<String, i64>) -> Facts {
    let get = |name: &str| raw.get(name).copied();
    Facts {
        normalized: Normalized {
            followers: get("page_follows"),
            follows: get("page_daily_follows"),
            unfollows: get("page_daily_unfollows_unique"),
            views: get("page_media_view"),
            reach: get("page_total_media_view_unique"),
            engagements: get("page_post_engagements"),
            ..Normalized::default()
        },
        raw,
    }
}

/// A Page post's figures: its insights, with its comments and shares from
/// the listing. Likes are all reactions.
fn post_facts(mut raw: BTreeMap<String, i64>, post: &PostReply) -> Facts {
    let reactions: Vec<Option<i64>> = raw
        .iter()
        .filter(|(k, _)| k.starts_with("post_reactions_by_type_total:"))
        .map(|(_, v)| Some(*v))
        .collect();
    // Reactions of no kind leave an empty object: none.
    let likes = Some(sum(&reactions).unwrap_or(0));
    let comments = post
        .comments
        .as_ref()
        .and_then(|c| c.summary.as_ref())
        .map(|s| s.total_count);
    // Graph leaves `shares` out when nobody shared.
    let shares = post.shares.as_ref().map_or(0, |s| s.count);
    if let Some(c) = comments {
        raw.insert("comments".into(), c);
    }
    raw.insert("shares".into(), shares);
    let shares = Some(shares);
    Facts {
        normalized: Normalized {
            views: raw.get("post_media_view").copied(),
            reach: raw.get("post_total_media_view_unique").copied(),
            likes,
            comments,
            shares,
            engagements: sum(&[likes, comments, shares]),
            ..Normalized::default()
        },
        raw,
    }
}

fn post_format(status_type: Option<&str>) -> &'static str {
    match status_type {
        Some("added_photos") => "photo",
        Some("added_video") => "video",
        _ => "feed",
    }
}

#[async_trait]
impl InsightsReader for FacebookPageInsights {
    fn kind(&self) -> AccountKind {
        AccountKind::FacebookPage
    }

    fn pace(&self) -> Pace {
        META_PACE
    }

    /// "Only 90 days of insights can be viewed at one time."
    fn max_days(&self) -> u32 {
        90
    }

    /// Page metrics update once every 24 hours.
    fn lag_days(&self) -> u32 {
        1
    }

    async fn account_days(
        &self,
        account: &InsightsAccount,
        from: Date,
        to: Date,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Vec<AccountDay>>, PlatformError> {
        let days = span(from, to);
        if days == 0 || days > i64::from(self.max_days()) {
            return Err(self.graph.refuse(format!(
                "a Page's insights are read 1 to {} days at a time, not {from} to {to}",
                self.max_days()
            )));
        }
        let mut calls = 0;
        let call = self
            .graph
            .call(
                account,
                "meta.page_insights",
                &format!("/{}/insights", account.account_id),
            )
            .query("metric", PAGE_METRICS)
            .query("period", "day")
            .query("since", midnight(from).to_string())
            .query("until", midnight(next_day(to)).to_string());
        let reply: InsightsReply = self.graph.get(account, pacer, &mut calls, call).await?;
        let mut by_day: BTreeMap<Date, BTreeMap<String, i64>> = BTreeMap::new();
        for insight in &reply.data {
            for value in &insight.values {
                // `end_time` is the morning after the day measured.
                let Some(day) = value
                    .end_time
                    .as_deref()
                    .and_then(utc_date)
                    .and_then(|d| d.yesterday().ok())
                else {
                    continue;
                };
                if day < from || day > to {
                    continue;
                }
                put(by_day.entry(day).or_default(), &insight.name, &value.value);
            }
        }
        let value = by_day
            .into_iter()
            .map(|(day, raw)| AccountDay {
                day,
                facts: page_day(raw),
            })
            .collect();
        Ok(Fetched { value, calls })
    }

    async fn snapshot(
        &self,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Facts>, PlatformError> {
        let mut calls = 0;
        let call = self
            .graph
            .call(account, "meta.object", &format!("/{}", account.account_id))
            .query("fields", "followers_count,fan_count");
        let reply: PageReply = self.graph.get(account, pacer, &mut calls, call).await?;
        let mut raw = BTreeMap::new();
        if let Some(n) = reply.followers_count {
            raw.insert("followers_count".to_owned(), n);
        }
        if let Some(n) = reply.fan_count {
            raw.insert("fan_count".to_owned(), n);
        }
        let value = Facts {
            normalized: Normalized {
                followers: reply.followers_count,
                ..Normalized::default()
            },
            raw,
        };
        Ok(Fetched { value, calls })
    }

    async fn posts(
        &self,
        account: &InsightsAccount,
        since: Timestamp,
        page: Option<&str>,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<PostPage>, PlatformError> {
        let mut calls = 0;
        let mut call = self
            .graph
            .call(
                account,
                "meta.published_posts",
                &format!("/{}/published_posts", account.account_id),
            )
            .query("fields", POST_FIELDS)
            .query("since", since.as_second().to_string())
            .query("limit", PAGE_SIZE);
        if let Some(after) = page {
            call = call.query("after", after);
        }
        let listing: PostsReply = self.graph.get(account, pacer, &mut calls, call).await?;
        let mut posts = Vec::new();
        let mut older = false;
        for post in listing.data {
            let published_at = post.created_time.as_deref().and_then(parse_time);
            if published_at.is_some_and(|at| at < since) {
                older = true;
                continue;
            }
            let call = self
                .graph
                .call(
                    account,
                    "meta.post_insights",
                    &format!("/{}/insights", post.id),
                )
                .query("metric", POST_METRICS)
                .query("period", "lifetime");
            let reply: InsightsReply = self.graph.get(account, pacer, &mut calls, call).await?;
            let facts = post_facts(lifetime(&reply), &post);
            posts.push(PostFacts {
                remote_id: post.id.clone(),
                published_at,
                format: Some(post_format(post.status_type.as_deref()).to_owned()),
                permalink: post.permalink_url.clone(),
                title: title(post.message.as_deref()),
                facts,
            });
        }
        let next = if older {
            None
        } else {
            listing.paging.as_ref().and_then(Paging::after)
        };
        Ok(Fetched {
            value: PostPage { posts, next },
            calls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_type_values_are_kept_under_their_keys() {
        let reply: InsightsReply = serde_json::from_str(
            r#"{"data":[
                {"name":"post_media_view","period":"lifetime","values":[{"value":120}]},
                {"name":"post_reactions_by_type_total","period":"lifetime","values":[{"value":{"like":7,"love":2}}]}
            ]}"#,
        )
        .unwrap();
        let raw = lifetime(&reply);
        assert_eq!(raw["post_media_view"], 120);
        assert_eq!(raw["post_reactions_by_type_total:like"], 7);
        let post: PostReply = serde_json::from_str(
            r#"{"id":"1_2","comments":{"data":[],"summary":{"total_count":3}}}"#,
        )
        .unwrap();
        let facts = post_facts(raw, &post);
        assert_eq!(facts.normalized.likes, Some(9));
        assert_eq!(facts.normalized.comments, Some(3));
        assert_eq!(facts.normalized.shares, Some(0));
        assert_eq!(facts.normalized.engagements, Some(12));
        assert_eq!(facts.raw["comments"], 3);
    }

    #[test]
    fn graph_days_and_times_convert() {
        let d: Date = "2026-01-31".parse().unwrap();
        assert_eq!(midnight(d), 1_769_817_600);
        assert_eq!(next_day(d).to_string(), "2026-02-01");
        assert_eq!(span(d, d), 1);
        assert_eq!(span(next_day(d), d), 0);
        assert_eq!(
            utc_date("2026-02-01T07:00:00+0000").map(|d| d.to_string()),
            Some("2026-02-01".into())
        );
        assert_eq!(title(Some("  ")), None);
        assert_eq!(title(Some(&"x".repeat(300))).unwrap().len(), 200);
    }
}
