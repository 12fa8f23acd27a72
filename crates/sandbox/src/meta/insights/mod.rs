//! Insights through the Graph API: `GET /{ig-user-id}/insights` and
//! `GET /{ig-media-id}/insights` on both Graph hosts ([`ig`]), and
//! `GET /{page-id}/insights` and `GET /{post-id}/insights` on
//! graph.facebook.com ([`page`]). The figures come from [`model`]; the
//! posts they cover are the seeded history plus what was published
//! through the simulators. Every call is counted against the same app and
//! business-use-case meters as the other Graph calls and takes injected
//! faults under its own endpoint id.
//!
//! [`Sandbox::meta_account_day`] and friends give tests the figures the
//! endpoints report, so a test can compare what Herald stored with them.
//! Each rule and its source is listed in Herald's
//! `docs/platforms/analytics.md`.

mod ig;
pub(crate) mod model;
mod page;

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method};
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};

use model::DayFigures;
pub use model::MetaSurface;
pub(crate) use model::{Format, Post, SeededPost};

use super::publish::store::{ContainerKind, IgMedia, Node, PagePost};
use super::publish::{Host, graph_time};
use crate::Sandbox;
use crate::graph::{GraphCall, GraphError};
use crate::metrics_model::{day_number, day_of, start_of};
use crate::params::Params;
use crate::seed::{IgAccount, MetaPage};

/// Answers `GET /{id}/insights` on either Graph host; None for other
/// edges and methods.
pub(super) async fn edge(
    sb: &Sandbox,
    host: Host,
    path: &(String, String, String),
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Option<Response> {
    let (ver, id, edge) = path;
    if edge != "insights" || *method != Method::GET {
        return None;
    }
    let endpoint = endpoint(sb, host, id);
    let app_id = host.app_id(sb);
    let mut call = GraphCall::begin(sb, endpoint, &app_id, query, headers, &[]).await;
    let c = &mut call;
    let result = match endpoint {
        "instagram.user_insights" => ig::account(sb, host, ver, id, c),
        "instagram.media_insights" => ig::media(sb, host, ver, id, c),
        "facebook.page_insights" => page::page(sb, ver, id, c),
        _ => page::post(sb, ver, id, c),
    };
    Some(call.finish(result))
}

/// Which insights endpoint an id is, from what the simulators hold and
/// the shape of seeded ids (before the token is looked at).
fn endpoint(sb: &Sandbox, host: Host, id: &str) -> &'static str {
    match sb.read(|st| st.meta_publishing().node(id)) {
        Some(Node::Media(_) | Node::Container(_)) => "instagram.media_insights",
        Some(_) => "facebook.post_insights",
        None if host == Host::Facebook && id.contains('_') => "facebook.post_insights",
        None if id.starts_with("1797") => "instagram.media_insights",
        None if host == Host::Instagram || id.starts_with("17841") => "instagram.user_insights",
        None => "facebook.page_insights",
    }
}

// ------------------------------------------------------------ shared

/// The sandbox's today: the UTC day of its clock.
pub(crate) fn today(sb: &Sandbox) -> i64 {
    day_of(sb.now())
}

fn format_of_media(kind: ContainerKind) -> Format {
    match kind {
        ContainerKind::Reel => Format::Reel,
        ContainerKind::Story => Format::Story,
        ContainerKind::Carousel => Format::Carousel,
        ContainerKind::Image | ContainerKind::CarouselItem => Format::Image,
    }
}

fn format_of_post(kind: &str) -> Format {
    match kind {
        "photo" => Format::Photo,
        "video" => Format::Video,
        _ => Format::Text,
    }
}

pub(crate) fn media_post(media: &IgMedia) -> Post {
    Post {
        id: media.id.clone(),
        format: format_of_media(media.kind),
        at: media.timestamp,
    }
}

pub(crate) fn page_post(post: &PagePost) -> Post {
    Post {
        id: post.id.clone(),
        format: format_of_post(&post.kind),
        at: post.created_at,
    }
}

/// The posts published through the simulators on `account` (stories
/// too), as the model sees them.
pub(crate) fn published_posts(sb: &Sandbox, surface: MetaSurface, account: &str) -> Vec<Post> {
    if surface == MetaSurface::Page {
        super::publish::settle_page_videos(sb, account);
    }
    sb.read(|st| match surface {
        MetaSurface::Instagram => st
            .meta_publishing()
            .media_of(account)
            .into_iter()
            .map(media_post)
            .collect(),
        MetaSurface::Page => st
            .meta_publishing()
            .feed_of(account)
            .into_iter()
            .map(page_post)
            .collect(),
    })
}

/// The figures of each day from `first` to `last` that are reported on
/// `today` (partly, for Instagram's last day), oldest first.
fn reported_days(
    surface: MetaSurface,
    account: &str,
    published: &[Post],
    first: i64,
    last: i64,
    today: i64,
) -> Vec<(i64, DayFigures)> {
    let first = first.max(today - model::HISTORY_DAYS);
    let last = last.min(today - 1);
    if first > last {
        return Vec::new();
    }
    let figures = model::Account::new(surface, account).days(published, first, last);
    (first..=last)
        .zip(figures)
        .filter_map(|(day, f)| Some((day, f.part(model::reported(surface, day, today)?))))
        .collect()
}

/// A `since` / `until` value: unix seconds, a date (`2026-01-31`, midnight
/// UTC) or an RFC 3339 instant.
fn instant(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    if let Ok(secs) = raw.parse::<i64>() {
        return Timestamp::from_second(secs).ok();
    }
    if let Ok(date) = raw.parse::<Date>() {
        return Some(start_of(day_number(date)));
    }
    raw.parse::<Timestamp>().ok()
}

/// The days a `since` / `until` window covers (the day of `since` to the
/// day before `until`'s second, both included); without them, yesterday
/// and today. `max_secs` is the longest window; `too_long` its error.
fn window(
    params: &Params,
    now: Timestamp,
    max_secs: i64,
    too_long: impl FnOnce() -> GraphError,
) -> Result<(i64, i64), GraphError> {
    let parse = |name: &str| -> Result<Option<Timestamp>, GraphError> {
        match params.non_empty(name) {
            None => Ok(None),
            Some(raw) => instant(raw).map(Some).ok_or_else(|| {
                GraphError::param(format!(
                    "(#100) The {name} parameter must be a unix timestamp or a date: {raw}"
                ))
            }),
        }
    };
    let since = parse("since")?;
    let until = parse("until")?;
    let today = day_of(now);
    let (since, until) = match (since, until) {
        (Some(s), Some(u)) => (s, u),
        (Some(s), None) => (s, now),
        (None, Some(u)) => (u - jiff::SignedDuration::from_hours(48), u),
        (None, None) => (start_of(today - 1), now),
    };
    if since >= until {
        return Err(GraphError::param(
            "(#100) The since parameter must be earlier than until",
        ));
    }
    if until.as_second() - since.as_second() > max_secs {
        return Err(too_long());
    }
    let last = day_of(until - jiff::SignedDuration::from_secs(1));
    Ok((day_of(since), last))
}

/// The comma-separated `metric` parameter, required.
fn metrics(params: &Params) -> Result<Vec<String>, GraphError> {
    let raw = params
        .non_empty("metric")
        .ok_or_else(|| GraphError::param("(#100) The parameter metric is required"))?;
    Ok(raw
        .split(',')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect())
}

/// One metric of an insights answer.
fn insight(owner: &str, name: &str, period: &str, body: (&str, Value)) -> Value {
    let (key, value) = body;
    let mut item = json!({
        "name": name,
        "period": period,
        "title": title(name),
        "description": describe(name),
        "id": format!("{owner}/insights/{name}/{period}"),
    });
    item[key] = value;
    item
}

/// A short title for a metric, as Graph gives one.
fn title(name: &str) -> String {
    let mut words: Vec<String> = name
        .trim_start_matches("page_")
        .trim_start_matches("post_")
        .split('_')
        .map(str::to_owned)
        .collect();
    if let Some(first) = words.first_mut() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            *first = c.to_uppercase().chain(chars).collect();
        }
    }
    words.join(" ")
}

fn describe(name: &str) -> &'static str {
    match name {
        "views" | "page_media_view" | "post_media_view" => {
            "Times the content was played or displayed."
        }
        "reach" | "page_total_media_view_unique" | "post_total_media_view_unique" => {
            "Distinct accounts that saw the content."
        }
        "follows_and_unfollows" => "Accounts that started and stopped following.",
        "follower_count" => "New followers each day.",
        "page_follows" => "Followers at the end of the day.",
        "page_daily_follows" | "page_daily_follows_unique" => "New followers that day.",
        "page_daily_unfollows_unique" => "Followers lost that day.",
        "ig_reels_avg_watch_time" => "Average time the reel was watched, in milliseconds.",
        "ig_reels_video_view_total_time" => "Total time the reel was watched, in milliseconds.",
        _ => "Interactions with the content.",
    }
}

/// Graph's `end_time` of a daily value: 07:00 UTC (midnight Pacific
/// daylight time) of `day`.
fn end_time(day: i64) -> String {
    graph_time(start_of(day) + jiff::SignedDuration::from_hours(7))
}

// ------------------------------------------------------------ public

/// A post as a Graph listing shows it (Instagram `/media`, a Page's
/// `published_posts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaPost {
    pub id: String,
    pub published_at: Timestamp,
    /// `image`, `carousel`, `reel` (Instagram); `photo`, `feed`, `video`
    /// (Pages).
    pub kind: String,
    pub caption: String,
    pub permalink: String,
}

impl Sandbox {
    /// The followers an Instagram account or Page shows now
    /// (`followers_count`).
    pub fn meta_followers(&self, surface: MetaSurface, account: &str) -> i64 {
        model::followers(surface, account, today(self))
    }

    /// What the insights endpoints report for `account`'s `day` as of the
    /// sandbox's today, by metric name (empty before the day is
    /// reported). Instagram: each `total_value` metric for that day alone
    /// (`follows_and_unfollows` as `follows_and_unfollows:FOLLOWER` and
    /// `:NON_FOLLOWER`) and `follower_count` when the day is within the
    /// last 30; Pages: the daily metrics.
    pub fn meta_account_day(
        &self,
        surface: MetaSurface,
        account: &str,
        day: Date,
    ) -> BTreeMap<String, i64> {
        let day = day_number(day);
        let today = today(self);
        let published = published_posts(self, surface, account);
        let Some((_, figures)) = reported_days(surface, account, &published, day, day, today)
            .into_iter()
            .next()
        else {
            return BTreeMap::new();
        };
        let names: Vec<&str> = match surface {
            MetaSurface::Instagram => ig::ACCOUNT_TOTALS.to_vec(),
            MetaSurface::Page => page::PAGE_METRICS.to_vec(),
        };
        let mut out: BTreeMap<String, i64> = names
            .into_iter()
            .filter_map(|name| {
                let value = match surface {
                    MetaSurface::Instagram => ig::day_value(name, &figures),
                    MetaSurface::Page => page::day_value(name, &figures),
                }?;
                Some((name.to_owned(), value))
            })
            .collect();
        if surface == MetaSurface::Instagram {
            out.insert("follows_and_unfollows:FOLLOWER".into(), figures.follows);
            out.insert(
                "follows_and_unfollows:NON_FOLLOWER".into(),
                figures.unfollows,
            );
            if day >= today - 30 {
                out.insert("follower_count".into(), figures.follows);
            }
        }
        out
    }

    /// `account`'s posts as its Graph listing shows them now, newest
    /// first: the seeded history and the posts published through the
    /// simulators (Instagram stories are listed apart and left out).
    pub fn meta_posts(&self, surface: MetaSurface, account: &str) -> Vec<MetaPost> {
        let today = today(self);
        let mut posts: Vec<MetaPost> = model::seeded_posts(surface, account, today)
            .into_iter()
            .map(|p| seeded_listing(surface, account, &p))
            .collect();
        if surface == MetaSurface::Page {
            super::publish::settle_page_videos(self, account);
        }
        self.read(|st| match surface {
            MetaSurface::Instagram => {
                for m in st.meta_publishing().media_of(account) {
                    if m.kind != ContainerKind::Story {
                        posts.push(MetaPost {
                            id: m.id.clone(),
                            published_at: m.timestamp,
                            kind: m.kind.published_kind().to_owned(),
                            caption: m.caption.clone(),
                            permalink: m.permalink.clone(),
                        });
                    }
                }
            }
            MetaSurface::Page => {
                for p in st.meta_publishing().feed_of(account) {
                    posts.push(MetaPost {
                        id: p.id.clone(),
                        published_at: p.created_at,
                        kind: p.kind.clone(),
                        caption: p.message.clone(),
                        permalink: p.permalink.clone(),
                    });
                }
            }
        });
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        posts
    }

    /// What the insights endpoint reports for one of `account`'s posts
    /// now, by metric name (Instagram: the metrics of its kind; Pages:
    /// the post metrics, reactions as `post_reactions_by_type_total:like`
    /// and so on). None when the account has no such post.
    pub fn meta_post_insights(
        &self,
        surface: MetaSurface,
        account: &str,
        post_id: &str,
    ) -> Option<BTreeMap<String, i64>> {
        let today = today(self);
        match surface {
            MetaSurface::Instagram => {
                let target = ig::find_media(self, account, post_id, today)?;
                Some(ig::media_values(self, account, &target, today))
            }
            MetaSurface::Page => {
                let post = page::find_post(self, account, post_id, today)?;
                Some(page::post_values(account, &post, today))
            }
        }
    }
}

/// A seeded post as a listing shows it.
fn seeded_listing(surface: MetaSurface, account: &str, p: &model::SeededPost) -> MetaPost {
    let (kind, permalink) = match (surface, p.post.format) {
        (MetaSurface::Instagram, Format::Reel) => (
            "reel",
            format!("https://www.instagram.com/reel/{}/", p.shortcode),
        ),
        (MetaSurface::Instagram, format) => (
            if format == Format::Carousel {
                "carousel"
            } else {
                "image"
            },
            format!("https://www.instagram.com/p/{}/", p.shortcode),
        ),
        (MetaSurface::Page, format) => {
            let number = p.post.id.rsplit('_').next().unwrap_or_default();
            (
                match format {
                    Format::Photo => "photo",
                    Format::Video => "video",
                    _ => "feed",
                },
                format!("https://www.facebook.com/{account}/posts/{number}"),
            )
        }
    };
    MetaPost {
        id: p.post.id.clone(),
        published_at: p.post.at,
        kind: kind.to_owned(),
        caption: p.caption.clone(),
        permalink,
    }
}

/// An Instagram account's seeded history as of `today`, newest first.
pub(crate) fn seeded_media(account: &str, today: i64) -> Vec<SeededPost> {
    model::seeded_posts(MetaSurface::Instagram, account, today)
}

/// A Page's seeded history as of `today`, newest first.
pub(crate) fn seeded_page_posts(page: &str, today: i64) -> Vec<SeededPost> {
    model::seeded_posts(MetaSurface::Page, page, today)
}

/// A media's like and comment counts on `today` (its `like_count` and
/// `comments_count`): the model's, plus the comments people wrote through
/// the simulators.
pub(crate) fn media_counts(
    account: &str,
    post: &Post,
    written_comments: usize,
    today: i64,
) -> (i64, i64) {
    let f = model::post_lifetime(MetaSurface::Instagram, account, post, today);
    (f.likes, f.comments + written_comments as i64)
}

/// A Page post's `shares` and comment count on `today`.
pub(crate) fn post_counts(
    page: &str,
    post: &Post,
    written_comments: usize,
    today: i64,
) -> (i64, i64) {
    let f = model::post_lifetime(MetaSurface::Page, page, post, today);
    (f.shares, f.comments + written_comments as i64)
}

/// `page` (and its Instagram account) with today's follower, fan and
/// media counts instead of the seed's.
pub(crate) fn live_page(sb: &Sandbox, mut page: MetaPage) -> MetaPage {
    let today = today(sb);
    page.followers_count = model::followers(MetaSurface::Page, &page.id, today).max(0) as u64;
    page.fan_count = model::fans(&page.id, today).max(0) as u64;
    page.ig = live_ig(sb, page.ig);
    page
}

/// An Instagram account with today's follower and media counts.
pub(crate) fn live_ig(sb: &Sandbox, mut ig: IgAccount) -> IgAccount {
    let today = today(sb);
    ig.followers_count = model::followers(MetaSurface::Instagram, &ig.id, today).max(0) as u64;
    let published = sb.read(|st| {
        st.meta_publishing()
            .media_of(&ig.id)
            .iter()
            .filter(|m| m.kind != ContainerKind::Story)
            .count()
    });
    ig.media_count =
        (model::seeded_posts(MetaSurface::Instagram, &ig.id, today).len() + published) as u64;
    ig
}
