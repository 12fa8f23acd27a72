//! Instagram insights, on graph.facebook.com (business accounts reached
//! through their Page, with the Page token and `instagram_manage_insights`)
//! or graph.instagram.com (Instagram Login, with
//! `instagram_business_manage_insights`).
//!
//! Account figures come as one total per window (`metric_type=total_value`),
//! so each day is its own call: the interaction metrics, then
//! `follows_and_unfollows` broken down by `follow_type`. One `time_series`
//! call adds `follower_count` (new followers a day, kept by Instagram for
//! 30 days). Instagram has no daily follower totals: `followers` is only
//! in the snapshot (`followers_count`).
//!
//! Posts are `/media` pages (and, on the first page, the stories of the
//! last 24 hours), each with one `/{ig-media-id}/insights` call asking
//! the metrics its product type has (feed, reels, story). A story seen by
//! fewer than five people answers `(#10) Not enough viewers`: Herald then
//! asks views and reach alone, and keeps no figures if that fails too.

use std::collections::BTreeMap;

use async_trait::async_trait;
use herald_core::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::graph::{
    GraphReader, InsightsReply, META_PACE, Paging, lifetime, midnight, next_day, parse_time, span,
    title, utc_date,
};
use super::{
    AccountDay, Facts, Fetched, InsightsAccount, InsightsReader, Normalized, Pace, Pacer,
    PostFacts, PostPage, sum,
};
use crate::client::PlatformClient;
use crate::publish::instagram::InstagramApi;
use crate::{AccountKind, Hosts, PlatformError};

/// Media asked for per listing page.
const PAGE_SIZE: &str = "25";
/// An account's interaction metrics, read as one day's total.
const DAY_TOTALS: &str = "views,reach,accounts_engaged,total_interactions,likes,comments,shares,saves,replies,reposts,profile_links_taps";
const MEDIA_FIELDS: &str =
    "id,timestamp,media_type,media_product_type,permalink,caption,like_count,comments_count";
const FEED_METRICS: &str = "views,reach,likes,comments,shares,saved,total_interactions,follows,profile_visits,profile_activity";
const REELS_METRICS: &str = "views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time";
const STORY_METRICS: &str = "views,reach,replies,shares,total_interactions,follows,profile_visits,profile_activity,navigation";
/// Instagram keeps `follower_count` for the last 30 days.
const FOLLOWER_COUNT_DAYS: i64 = 30;

/// Reads Instagram professional accounts' insights through one of the two
/// Instagram APIs.
pub struct InstagramInsights {
    api: InstagramApi,
    graph: GraphReader,
}

impl InstagramInsights {
    pub fn new(hosts: Hosts, api: InstagramApi, client: PlatformClient) -> Self {
        InstagramInsights {
            api,
            graph: GraphReader::new(
                hosts,
                client,
                api.provider(),
                api.host(),
                api.account_kind(),
            ),
        }
    }

    /// The account in paths: its id, or `me` on graph.instagram.com.
    fn node<'a>(&self, account: &'a InsightsAccount) -> &'a str {
        match self.api {
            InstagramApi::FacebookLogin => &account.account_id,
            InstagramApi::InstagramLogin => "me",
        }
    }
}

#[derive(Deserialize)]
struct UserReply {
    #[serde(default)]
    followers_count: Option<i64>,
    #[serde(default)]
    follows_count: Option<i64>,
    #[serde(default)]
    media_count: Option<i64>,
}

#[derive(Deserialize)]
struct MediaList {
    #[serde(default)]
    data: Vec<MediaReply>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct MediaReply {
    id: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    media_product_type: Option<String>,
    #[serde(default)]
    permalink: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    like_count: Option<i64>,
    #[serde(default)]
    comments_count: Option<i64>,
}

impl MediaReply {
    fn published_at(&self) -> Option<Timestamp> {
        self.timestamp.as_deref().and_then(parse_time)
    }

    /// Herald's name for its kind.
    fn format(&self) -> &'static str {
        match (
            self.media_product_type.as_deref(),
            self.media_type.as_deref(),
        ) {
            (Some("REELS"), _) => "reel",
            (Some("STORY"), _) => "story",
            (_, Some("CAROUSEL_ALBUM")) => "carousel",
            (_, Some("VIDEO")) => "video",
            _ => "image",
        }
    }

    fn metrics(&self) -> &'static str {
        match self.media_product_type.as_deref() {
            Some("REELS") => REELS_METRICS,
            Some("STORY") => STORY_METRICS,
            _ => FEED_METRICS,
        }
    }
}

/// An account day's figures from its raw metrics.
fn account_day(raw: BTreeMap<String, i64>) -> Facts {
    let get = |name: &str| raw.get(name).copied();
    Facts {
        normalized: Normalized {
            followers: None,
            follows: get("follows_and_unfollows:FOLLOWER"),
            unfollows: get("follows_and_unfollows:NON_FOLLOWER"),
            views: get("views"),
            reach: get("reach"),
            engagements: get("total_interactions"),
            likes: get("likes"),
            comments: get("comments"),
            shares: get("shares"),
            saves: get("saves"),
            profile_actions: get("profile_links_taps"),
            watch_time_secs: None,
        },
        raw,
    }
}

/// A media's figures from its lifetime metrics (and the listing's counts
/// when the insights had none).
fn media_facts(mut raw: BTreeMap<String, i64>, media: &MediaReply) -> Facts {
    if let Some(n) = media.like_count {
        raw.insert("like_count".into(), n);
    }
    if let Some(n) = media.comments_count {
        raw.insert("comments_count".into(), n);
    }
    let get = |name: &str| raw.get(name).copied();
    let likes = get("likes").or(media.like_count);
    let comments = get("comments").or(media.comments_count);
    let engagements =
        get("total_interactions").or_else(|| sum(&[likes, comments, get("shares"), get("saved")]));
    Facts {
        normalized: Normalized {
            follows: get("follows"),
            views: get("views"),
            reach: get("reach"),
            engagements,
            likes,
            comments,
            shares: get("shares"),
            saves: get("saved"),
            profile_actions: sum(&[get("profile_visits"), get("profile_activity")]),
            watch_time_secs: get("ig_reels_video_view_total_time").map(|ms| ms / 1_000),
            ..Normalized::default()
        },
        raw,
    }
}

/// Whether Graph refused a story's insights for its small audience.
fn too_few_viewers(e: &PlatformError) -> bool {
    e.code.as_deref() == Some("10") && e.message.contains("Not enough viewers")
}

impl InstagramInsights {
    /// One day's totals and follows; None when Instagram has nothing for
    /// the day yet.
    async fn day(
        &self,
        account: &InsightsAccount,
        day: Date,
        pacer: &dyn Pacer,
        calls: &mut u32,
    ) -> Result<Option<BTreeMap<String, i64>>, PlatformError> {
        let since = midnight(day).to_string();
        let until = midnight(next_day(day)).to_string();
        let path = format!("/{}/insights", self.node(account));
        let call = self
            .graph
            .call(account, "meta.ig_user_insights", &path)
            .query("metric", DAY_TOTALS)
            .query("period", "day")
            .query("metric_type", "total_value")
            .query("since", since.clone())
            .query("until", until.clone());
        let totals: InsightsReply = self.graph.get(account, pacer, calls, call).await?;
        if totals.data.is_empty() {
            return Ok(None);
        }
        let mut raw = BTreeMap::new();
        for insight in &totals.data {
            if let Some(v) = insight.total_value.as_ref().and_then(|t| t.value) {
                raw.insert(insight.name.clone(), v);
            }
        }
        let call = self
            .graph
            .call(account, "meta.ig_user_insights", &path)
            .query("metric", "follows_and_unfollows")
            .query("period", "day")
            .query("metric_type", "total_value")
            .query("breakdown", "follow_type")
            .query("since", since)
            .query("until", until);
        let follows: InsightsReply = self.graph.get(account, pacer, calls, call).await?;
        for insight in &follows.data {
            let Some(total) = &insight.total_value else {
                continue;
            };
            for breakdown in &total.breakdowns {
                let Some(at) = breakdown
                    .dimension_keys
                    .iter()
                    .position(|k| k == "follow_type")
                else {
                    continue;
                };
                for result in &breakdown.results {
                    if let Some(kind) = result.dimension_values.get(at) {
                        raw.insert(format!("{}:{kind}", insight.name), result.value);
                    }
                }
            }
        }
        Ok(Some(raw))
    }

    /// New followers per day of the window, where Instagram still keeps
    /// them.
    async fn follower_counts(
        &self,
        account: &InsightsAccount,
        from: Date,
        to: Date,
        pacer: &dyn Pacer,
        calls: &mut u32,
    ) -> Result<BTreeMap<Date, i64>, PlatformError> {
        let today = self.graph.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let kept = today
            .checked_sub(jiff::Span::new().days(FOLLOWER_COUNT_DAYS))
            .unwrap_or(today);
        let from = from.max(kept);
        if from > to {
            return Ok(BTreeMap::new());
        }
        let call = self
            .graph
            .call(
                account,
                "meta.ig_user_insights",
                &format!("/{}/insights", self.node(account)),
            )
            .query("metric", "follower_count")
            .query("period", "day")
            .query("metric_type", "time_series")
            .query("since", midnight(from).to_string())
            .query("until", midnight(next_day(to)).to_string());
        let reply: InsightsReply = self.graph.get(account, pacer, calls, call).await?;
        let mut out = BTreeMap::new();
        for insight in reply.data.iter().filter(|i| i.name == "follower_count") {
            for value in &insight.values {
                // Instagram's `end_time` carries the day measured.
                let day = value.end_time.as_deref().and_then(utc_date);
                if let (Some(day), Some(n)) = (day, value.value.as_i64())
                    && (from..=to).contains(&day)
                {
                    out.insert(day, n);
                }
            }
        }
        Ok(out)
    }

    /// A media's lifetime figures.
    async fn media_insights(
        &self,
        account: &InsightsAccount,
        media: &MediaReply,
        pacer: &dyn Pacer,
        calls: &mut u32,
    ) -> Result<Facts, PlatformError> {
        let ask = |metrics: &'static str| {
            self.graph
                .call(
                    account,
                    "meta.ig_media_insights",
                    &format!("/{}/insights", media.id),
                )
                .query("metric", metrics)
        };
        let reply: Result<InsightsReply, PlatformError> = self
            .graph
            .get(account, pacer, calls, ask(media.metrics()))
            .await;
        let reply = match reply {
            Err(e) if too_few_viewers(&e) => {
                match self
                    .graph
                    .get::<InsightsReply>(account, pacer, calls, ask("views,reach"))
                    .await
                {
                    Err(e) if too_few_viewers(&e) => InsightsReply::default(),
                    other => other?,
                }
            }
            other => other?,
        };
        Ok(media_facts(lifetime(&reply), media))
    }
}

#[async_trait]
impl InsightsReader for InstagramInsights {
    fn kind(&self) -> AccountKind {
        self.api.account_kind()
    }

    fn pace(&self) -> Pace {
        META_PACE
    }

    /// "There cannot be more than 30 days between since and until."
    fn max_days(&self) -> u32 {
        30
    }

    /// "Data used to calculate metrics may be delayed up to 48 hours."
    fn lag_days(&self) -> u32 {
        2
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
                "an Instagram account's insights are read 1 to {} days at a time, not {from} to {to}",
                self.max_days()
            )));
        }
        let mut calls = 0;
        let mut found = Vec::new();
        let mut day = from;
        while day <= to {
            if let Some(raw) = self.day(account, day, pacer, &mut calls).await? {
                found.push((day, raw));
            }
            if day == to {
                break;
            }
            day = next_day(day);
        }
        if let (Some((first, _)), Some((last, _))) = (found.first(), found.last()) {
            let counts = self
                .follower_counts(account, *first, *last, pacer, &mut calls)
                .await?;
            for (day, raw) in &mut found {
                if let Some(n) = counts.get(day) {
                    raw.insert("follower_count".into(), *n);
                }
            }
        }
        let value = found
            .into_iter()
            .map(|(day, raw)| AccountDay {
                day,
                facts: account_day(raw),
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
            .call(account, "meta.ig_user", &format!("/{}", self.node(account)))
            .query("fields", "followers_count,follows_count,media_count");
        let reply: UserReply = self.graph.get(account, pacer, &mut calls, call).await?;
        let mut raw = BTreeMap::new();
        for (name, value) in [
            ("followers_count", reply.followers_count),
            ("follows_count", reply.follows_count),
            ("media_count", reply.media_count),
        ] {
            if let Some(n) = value {
                raw.insert(name.to_owned(), n);
            }
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
        let node = self.node(account);
        let mut call = self
            .graph
            .call(account, "meta.ig_media", &format!("/{node}/media"))
            .query("fields", MEDIA_FIELDS)
            .query("since", since.as_second().to_string())
            .query("limit", PAGE_SIZE);
        if let Some(after) = page {
            call = call.query("after", after);
        }
        let listing: MediaList = self.graph.get(account, pacer, &mut calls, call).await?;
        let mut media = listing.data;
        if page.is_none() {
            // Stories are listed apart, for a day.
            let call = self
                .graph
                .call(account, "meta.ig_stories", &format!("/{node}/stories"))
                .query("fields", MEDIA_FIELDS);
            let stories: MediaList = self.graph.get(account, pacer, &mut calls, call).await?;
            media.extend(stories.data);
            media.sort_by_key(|m| std::cmp::Reverse(m.published_at()));
        }
        let mut posts = Vec::new();
        let mut older = false;
        for item in &media {
            let published_at = item.published_at();
            if published_at.is_some_and(|at| at < since) {
                older = true;
                continue;
            }
            let facts = self
                .media_insights(account, item, pacer, &mut calls)
                .await?;
            posts.push(PostFacts {
                remote_id: item.id.clone(),
                published_at,
                format: Some(item.format().to_owned()),
                permalink: item.permalink.clone(),
                title: title(item.caption.as_deref()),
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

    fn media(product: &str, kind: &str) -> MediaReply {
        serde_json::from_value(serde_json::json!({
            "id": "1", "media_product_type": product, "media_type": kind,
            "like_count": 4, "comments_count": 1,
        }))
        .unwrap()
    }

    #[test]
    fn each_product_type_gets_its_metrics_and_format() {
        assert_eq!(media("REELS", "VIDEO").format(), "reel");
        assert_eq!(media("REELS", "VIDEO").metrics(), REELS_METRICS);
        assert_eq!(media("FEED", "CAROUSEL_ALBUM").format(), "carousel");
        assert_eq!(media("FEED", "IMAGE").metrics(), FEED_METRICS);
        assert_eq!(media("STORY", "IMAGE").format(), "story");
        assert_eq!(media("STORY", "IMAGE").metrics(), STORY_METRICS);
    }

    #[test]
    fn media_figures_map_onto_herald_measures() {
        let raw = BTreeMap::from([
            ("views".to_owned(), 300),
            ("reach".to_owned(), 200),
            ("total_interactions".to_owned(), 20),
            ("saved".to_owned(), 3),
            ("profile_visits".to_owned(), 5),
            ("profile_activity".to_owned(), 2),
            ("ig_reels_video_view_total_time".to_owned(), 61_500),
        ]);
        let facts = media_facts(raw, &media("REELS", "VIDEO"));
        let n = facts.normalized;
        assert_eq!(n.views, Some(300));
        assert_eq!(n.engagements, Some(20));
        assert_eq!(n.saves, Some(3));
        assert_eq!(n.likes, Some(4), "from like_count when insights lack likes");
        assert_eq!(n.profile_actions, Some(7));
        assert_eq!(n.watch_time_secs, Some(61));
        assert_eq!(facts.raw["like_count"], 4);
    }

    #[test]
    fn account_days_have_no_follower_totals() {
        let raw = BTreeMap::from([
            ("follows_and_unfollows:FOLLOWER".to_owned(), 9),
            ("follows_and_unfollows:NON_FOLLOWER".to_owned(), 2),
            ("profile_links_taps".to_owned(), 4),
        ]);
        let n = account_day(raw).normalized;
        assert_eq!(
            (n.follows, n.unfollows, n.followers),
            (Some(9), Some(2), None)
        );
        assert_eq!(n.profile_actions, Some(4));
    }
}
