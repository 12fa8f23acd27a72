//! Instagram insights, the same on graph.facebook.com (the linked Page's
//! token or its manager's user token, with `instagram_basic` and
//! `instagram_manage_insights`) and graph.instagram.com (the account's
//! Instagram Login token, with `instagram_business_basic` and
//! `instagram_business_manage_insights`).
//!
//! Account insights are daily: `metric_type=total_value` sums a window of
//! at most 30 days (reach and accounts engaged count people once),
//! `time_series` gives `reach` and `follower_count` (new followers, last
//! 30 days only) day by day. Media insights are lifetime figures whose
//! metrics depend on the media's product type.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::model::{self, DayFigures, Format, MetaSurface, Post};
use super::{end_time, insight, metrics, published_posts, reported_days, today, window};
use crate::Sandbox;
use crate::graph::{Budget, GraphCall, GraphError, check_version};
use crate::meta::publish::store::{ContainerKind, Node};
use crate::meta::publish::{Host, ig_actor, instagram_caller, require_scope, unsupported};
use crate::meta::{caller, granted_pages};
use crate::metrics_model::whole;
use crate::seed::{instagram_account, meta_user};
use crate::state::TokenKind;

/// Account metrics read with `metric_type=total_value`.
pub(super) const ACCOUNT_TOTALS: &[&str] = &[
    "views",
    "reach",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "reposts",
    "profile_links_taps",
    "follows_and_unfollows",
];

/// Account metrics read day by day (`metric_type=time_series`).
const ACCOUNT_SERIES: &[&str] = &["reach", "follower_count"];

/// Every account metric, in the order an error lists them.
const ACCOUNT_METRICS: &[&str] = &[
    "views",
    "reach",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "reposts",
    "profile_links_taps",
    "follows_and_unfollows",
    "follower_count",
    "online_followers",
    "follower_demographics",
    "engaged_audience_demographics",
];

/// Reach and accounts engaged count each person once over a window.
const DISTINCT: &[&str] = &["reach", "accounts_engaged"];

const FEED: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "follows",
    "profile_visits",
    "profile_activity",
];
const REELS: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
];
const STORY: &[&str] = &[
    "views",
    "reach",
    "replies",
    "shares",
    "total_interactions",
    "follows",
    "profile_visits",
    "profile_activity",
    "navigation",
];
/// Totals that include ads: Facebook Login only.
const AD_TOTALS: &[&str] = &["total_likes", "total_comments", "total_views"];

// ------------------------------------------------------------ catalogue

fn impressions_retired() -> GraphError {
    GraphError::param(
        "(#100) Starting from version 22 and above, the impressions metric is no longer supported for the queried user. Please refer to the documentation at https://developers.facebook.com/docs/instagram-api/reference/ig-user/insights for a list of supported metrics.",
    )
}

/// An unknown or retired metric at `index` of the request.
fn not_one_of(index: usize, allowed: &[&str]) -> GraphError {
    GraphError::param(format!(
        "(#100) metric[{index}] must be one of the following values: {}",
        allowed.join(", ")
    ))
}

fn not_for_product(metric: &str) -> GraphError {
    GraphError::param(format!(
        "(#100) The Media Insights API does not support the {metric} metric for this media product type."
    ))
}

fn too_long() -> GraphError {
    GraphError::param(
        "(#100) There cannot be more than 30 days (2592000 s) between since and until",
    )
}

fn not_enough_viewers() -> GraphError {
    GraphError::new(
        10,
        "(#10) Not enough viewers for the media to show insights.",
    )
}

fn album_child() -> GraphError {
    GraphError::param("(#100) Insights are not available for media inside an album.")
}

// ---------------------------------------------------------------- auth

fn insights_scopes(host: Host) -> [&'static str; 2] {
    match host {
        Host::Facebook => ["instagram_basic", "instagram_manage_insights"],
        Host::Instagram => [
            "instagram_business_basic",
            "instagram_business_manage_insights",
        ],
    }
}

/// Renders the fault, checks the app budget and charges the account's
/// business use case budget.
fn charge(sb: &Sandbox, call: &mut GraphCall, account: &str) -> Result<(), GraphError> {
    call.fault(sb, Budget::Instagram(account), GraphError::no_permission)?;
    call.check_app_budget()?;
    call.charge_object(sb, Budget::Instagram(account))
}

fn permitted(
    sb: &Sandbox,
    call: &mut GraphCall,
    host: Host,
    id: &str,
) -> Result<String, GraphError> {
    let actor = ig_actor(sb, call, host, id, id, "get")?;
    let account = actor.account.id.clone();
    charge(sb, call, &account)?;
    for scope in insights_scopes(host) {
        require_scope(&actor.record, &[scope], GraphError::no_permission)?;
    }
    Ok(account)
}

/// The Instagram accounts the caller's token may read.
fn visible_accounts(sb: &Sandbox, call: &GraphCall, host: Host) -> Result<Vec<String>, GraphError> {
    let base = &sb.config().public_base;
    match host {
        Host::Facebook => {
            let (_, record) = caller(sb, call, GraphError::no_token)?;
            Ok(if record.kind == TokenKind::MetaPage {
                meta_user(&record.user, base)
                    .pages
                    .into_iter()
                    .filter(|p| Some(&p.id) == record.page_id.as_ref())
                    .map(|p| p.ig.id)
                    .collect()
            } else {
                granted_pages(sb, &record)
                    .into_iter()
                    .map(|p| p.ig.id)
                    .collect()
            })
        }
        Host::Instagram => {
            let record = instagram_caller(sb, call)?;
            Ok(vec![instagram_account(&record.user, base).id])
        }
    }
}

// ------------------------------------------------------------ account

/// A day's value of a `total_value` metric (not `follows_and_unfollows`,
/// which has only a breakdown).
pub(super) fn day_value(name: &str, f: &DayFigures) -> Option<i64> {
    Some(match name {
        "views" => f.views,
        "reach" => f.reach,
        "accounts_engaged" => f.accounts_engaged,
        "total_interactions" => f.total_interactions(),
        "likes" => f.likes,
        "comments" => f.comments,
        "shares" => f.shares,
        "saves" => f.saves,
        "replies" => f.replies,
        "reposts" => f.reposts,
        "profile_links_taps" => f.profile_links_taps,
        _ => return None,
    })
}

/// `GET /{ig-user-id}/insights`.
pub(super) fn account(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let account = permitted(sb, call, host, id)?;
    let names = metrics(&call.params)?;
    for (i, name) in names.iter().enumerate() {
        if name == "impressions" {
            return Err(impressions_retired());
        }
        if !ACCOUNT_METRICS.contains(&name.as_str()) {
            return Err(not_one_of(i, ACCOUNT_METRICS));
        }
        if !ACCOUNT_TOTALS.contains(&name.as_str()) && !ACCOUNT_SERIES.contains(&name.as_str()) {
            return Err(GraphError::param(format!(
                "(#100) The sandbox does not simulate the {name} metric"
            )));
        }
    }
    let period = call
        .params
        .non_empty("period")
        .ok_or_else(|| GraphError::param("(#100) The parameter period is required"))?;
    if period != "day" {
        return Err(GraphError::param(format!(
            "(#100) The period {period} is not supported for these metrics; use day"
        )));
    }
    let series = match call.params.non_empty("metric_type") {
        None | Some("time_series") => true,
        Some("total_value") => false,
        Some(other) => {
            return Err(GraphError::param(format!(
                "(#100) Param metric_type must be one of {{total_value, time_series}}, not {other}"
            )));
        }
    };
    let wrong_type: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| {
            if series {
                !ACCOUNT_SERIES.contains(n)
            } else {
                !ACCOUNT_TOTALS.contains(n)
            }
        })
        .collect();
    if !wrong_type.is_empty() {
        return Err(GraphError::param(if series {
            format!(
                "(#100) The following metrics ({}) should be specified with parameter metric_type=total_value",
                wrong_type.join(",")
            )
        } else {
            format!(
                "(#100) The following metrics ({}) do not support metric_type=total_value",
                wrong_type.join(",")
            )
        }));
    }
    let breakdown = call.params.non_empty("breakdown");
    match breakdown {
        Some(_) if series => {
            return Err(GraphError::param(
                "(#100) A breakdown can only be used with metric_type=total_value",
            ));
        }
        Some("follow_type") => {
            let other: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| !matches!(*n, "follows_and_unfollows" | "reach"))
                .collect();
            if !other.is_empty() {
                return Err(GraphError::param(format!(
                    "(#100) The following metrics ({}) do not support the breakdown follow_type",
                    other.join(",")
                )));
            }
        }
        Some(other) => {
            return Err(GraphError::param(format!(
                "(#100) The sandbox does not simulate the breakdown {other}"
            )));
        }
        None if names.iter().any(|n| n == "follows_and_unfollows") => {
            return Err(GraphError::param(
                "(#100) follows_and_unfollows must be requested with breakdown=follow_type",
            ));
        }
        None => {}
    }
    let (first, last) = window(&call.params, sb.now(), 30 * 86_400, too_long)?;
    let today = today(sb);
    let published = published_posts(sb, MetaSurface::Instagram, &account);
    let days = reported_days(
        MetaSurface::Instagram,
        &account,
        &published,
        first,
        last,
        today,
    );
    let mut data = Vec::new();
    for name in &names {
        let name = name.as_str();
        if series {
            let values: Vec<Value> = days
                .iter()
                .filter(|(day, _)| name != "follower_count" || *day >= today - 30)
                .map(|(day, f)| {
                    let value = if name == "reach" { f.reach } else { f.follows };
                    json!({"value": value, "end_time": end_time(*day)})
                })
                .collect();
            if !values.is_empty() {
                data.push(insight(&account, name, "day", ("values", json!(values))));
            }
            continue;
        }
        if days.is_empty() {
            continue;
        }
        let sum = |value: &dyn Fn(&DayFigures) -> i64| -> i64 {
            days.iter().map(|(_, f)| value(f)).sum()
        };
        let distinct = |total: i64| whole(total as f64 * model::distinct_share(days.len()));
        let body = match (name, breakdown) {
            ("follows_and_unfollows", _) => json!({"breakdowns": [{
                "dimension_keys": ["follow_type"],
                "results": [
                    {"dimension_values": ["FOLLOWER"], "value": sum(&|f| f.follows)},
                    {"dimension_values": ["NON_FOLLOWER"], "value": sum(&|f| f.unfollows)},
                ],
            }]}),
            (_, Some(_)) => {
                let total = distinct(sum(&|f| f.reach));
                let followers = whole(total as f64 * 0.35);
                json!({"value": total, "breakdowns": [{
                    "dimension_keys": ["follow_type"],
                    "results": [
                        {"dimension_values": ["FOLLOWER"], "value": followers},
                        {"dimension_values": ["NON_FOLLOWER"], "value": total - followers},
                    ],
                }]})
            }
            _ => {
                let total = sum(&|f| day_value(name, f).unwrap_or(0));
                let value = if DISTINCT.contains(&name) {
                    distinct(total)
                } else {
                    total
                };
                json!({ "value": value })
            }
        };
        data.push(insight(&account, name, "day", ("total_value", body)));
    }
    Ok(json!({ "data": data }))
}

// -------------------------------------------------------------- media

/// What kind of media, for its metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Product {
    Feed,
    Reels,
    Story,
}

/// A media of an account, as its insights see it.
pub(super) struct Media {
    post: Post,
    product: Product,
    /// Comments people actually wrote on it (through the simulators).
    written_comments: i64,
}

fn product(format: Format) -> Product {
    match format {
        Format::Reel => Product::Reels,
        Format::Story => Product::Story,
        _ => Product::Feed,
    }
}

fn allowed(product: Product, host: Host) -> Vec<&'static str> {
    let mut names = match product {
        Product::Feed => FEED.to_vec(),
        Product::Reels => REELS.to_vec(),
        Product::Story => STORY.to_vec(),
    };
    if host == Host::Facebook && product != Product::Story {
        names.extend(AD_TOTALS);
    }
    names
}

/// `account`'s media `id` (published through the simulators or seeded).
pub(super) fn find_media(sb: &Sandbox, account: &str, id: &str, today: i64) -> Option<Media> {
    let published = sb.read(|st| {
        st.meta_publishing()
            .media(id)
            .filter(|m| m.account == account)
            .map(|m| (super::media_post(m), m.comments.len() as i64))
    });
    if let Some((post, written)) = published {
        return Some(Media {
            product: product(post.format),
            post,
            written_comments: written,
        });
    }
    model::seeded_post(MetaSurface::Instagram, account, id, today).map(|s| Media {
        product: product(s.post.format),
        post: s.post,
        written_comments: 0,
    })
}

/// A media's lifetime figures on `today`, by metric name (the metrics of
/// its product type).
pub(super) fn media_values(
    _sb: &Sandbox,
    account: &str,
    media: &Media,
    today: i64,
) -> BTreeMap<String, i64> {
    let f = model::post_lifetime(MetaSurface::Instagram, account, &media.post, today);
    let comments = f.comments + media.written_comments;
    let names = match media.product {
        Product::Feed => FEED,
        Product::Reels => REELS,
        Product::Story => STORY,
    };
    names
        .iter()
        .map(|name| {
            let value = match *name {
                "views" => f.views,
                "reach" => f.reach,
                "likes" => f.likes,
                "comments" => comments,
                "shares" => f.shares,
                "saved" => f.saves,
                "total_interactions" if media.product == Product::Story => f.replies + f.shares,
                "total_interactions" => f.likes + comments + f.shares + f.saves,
                "follows" => f.follows,
                "profile_visits" => f.profile_visits,
                "profile_activity" => f.profile_activity,
                "replies" => f.replies,
                "navigation" => f.navigation,
                "ig_reels_avg_watch_time" => f.avg_watch_ms(),
                "ig_reels_video_view_total_time" => f.watch_ms,
                _ => 0,
            };
            ((*name).to_owned(), value)
        })
        .collect()
}

/// `GET /{ig-media-id}/insights`.
pub(super) fn media(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let today = today(sb);
    let node = sb.read(|st| st.meta_publishing().node(id));
    let account = match &node {
        Some(Node::Media(account) | Node::Container(account)) => account.clone(),
        _ => visible_accounts(sb, call, host)?
            .into_iter()
            .find(|a| model::seeded_post(MetaSurface::Instagram, a, id, today).is_some())
            .ok_or_else(|| unsupported("get", id))?,
    };
    let actor = ig_actor(sb, call, host, &account, id, "get")?;
    charge(sb, call, &account)?;
    for scope in insights_scopes(host) {
        require_scope(&actor.record, &[scope], GraphError::no_permission)?;
    }
    if matches!(node, Some(Node::Container(_))) {
        let child = sb.read(|st| {
            st.meta_publishing()
                .container(id)
                .is_some_and(|c| c.kind == ContainerKind::CarouselItem && c.media_id.is_some())
        });
        return Err(if child {
            album_child()
        } else {
            unsupported("get", id)
        });
    }
    let media = find_media(sb, &account, id, today).ok_or_else(|| unsupported("get", id))?;
    let names = metrics(&call.params)?;
    let allowed = allowed(media.product, host);
    let known: Vec<&str> = FEED
        .iter()
        .chain(REELS)
        .chain(STORY)
        .chain(if host == Host::Facebook {
            AD_TOTALS
        } else {
            &[]
        })
        .copied()
        .collect();
    for (i, name) in names.iter().enumerate() {
        if !known.contains(&name.as_str()) {
            return Err(not_one_of(i, &allowed));
        }
        if !allowed.contains(&name.as_str()) {
            return Err(not_for_product(name));
        }
    }
    if let Some(period) = call.params.non_empty("period")
        && period != "lifetime"
    {
        return Err(GraphError::param(format!(
            "(#100) The period {period} is not supported for media insights; use lifetime"
        )));
    }
    // Story metrics last 24 hours.
    if media.product == Product::Story && sb.now() >= media.post.at + SignedDuration::from_hours(24)
    {
        return Ok(json!({ "data": [] }));
    }
    let values = media_values(sb, &account, &media, today);
    let value = |name: &str| match name {
        "total_likes" => values["likes"],
        "total_comments" => values["comments"],
        "total_views" => values["views"],
        other => values.get(other).copied().unwrap_or(0),
    };
    if media.product == Product::Story && names.iter().any(|n| value(n) < 5) {
        return Err(not_enough_viewers());
    }
    let data: Vec<Value> = names
        .iter()
        .map(|name| {
            insight(
                id,
                name,
                "lifetime",
                ("values", json!([{ "value": value(name) }])),
            )
        })
        .collect();
    Ok(json!({ "data": data }))
}
