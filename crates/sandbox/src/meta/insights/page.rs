//! Facebook Page insights on graph.facebook.com, with the Page's own
//! token and `read_insights` plus `pages_read_engagement`: daily Page
//! metrics over at most 93 days, and a post's lifetime metrics. Metrics
//! Meta retired (the `page_impressions` family, `page_fans`,
//! `post_impressions`, …) answer "(#100) The value must be a valid
//! insights metric", which fails the whole request.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::model::{self, DayFigures, Format, MetaSurface, Post, PostFigures, REACTIONS};
use super::{end_time, insight, metrics, page_post, published_posts, reported_days, today, window};
use crate::Sandbox;
use crate::graph::{Budget, GraphCall, GraphError, check_version};
use crate::meta::publish::store::Node;
use crate::meta::publish::{page_actor, require_scope, unsupported};
use crate::metrics_model::whole;

/// The Page metrics the sandbox serves, all by day.
pub(super) const PAGE_METRICS: &[&str] = &[
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_daily_follows",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
    "page_follows",
];

/// The post metrics the sandbox serves, all lifetime.
const POST_METRICS: &[&str] = &[
    "post_media_view",
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_reactions_like_total",
    "post_clicks",
    "post_clicks_by_type",
];

// ------------------------------------------------------------ catalogue

fn invalid_metric() -> GraphError {
    GraphError::param("(#100) The value must be a valid insights metric")
}

fn too_long() -> GraphError {
    GraphError::new(
        1,
        "There cannot be more than 93 days (8035200 s) between since and until",
    )
}

fn page_token_required() -> GraphError {
    GraphError::new(190, "A Page access token is required for this call.").subcode(2069032)
}

fn no_insights_permission() -> GraphError {
    GraphError::new(
        10,
        "(#10) This endpoint requires the 'read_insights' permission.",
    )
}

/// The Page's own token with `read_insights` and `pages_read_engagement`,
/// fault and budgets applied.
fn permitted(
    sb: &Sandbox,
    call: &mut GraphCall,
    page: &str,
    shown: &str,
) -> Result<(), GraphError> {
    let actor = page_actor(sb, call, page, shown, "get")?;
    let budget = if actor.page_token {
        Budget::Page(&actor.page.id)
    } else {
        Budget::App
    };
    call.fault(sb, budget, no_insights_permission)?;
    call.check_app_budget()?;
    call.charge_object(sb, budget)?;
    if !actor.page_token {
        return Err(page_token_required());
    }
    for scope in ["read_insights", "pages_read_engagement"] {
        require_scope(&actor.record, &[scope], no_insights_permission)?;
    }
    Ok(())
}

// --------------------------------------------------------------- Page

pub(super) fn day_value(name: &str, f: &DayFigures) -> Option<i64> {
    Some(match name {
        "page_media_view" => f.views,
        "page_total_media_view_unique" => f.reach,
        "page_post_engagements" => f.post_engagements,
        "page_daily_follows" | "page_daily_follows_unique" => f.follows,
        "page_daily_unfollows_unique" => f.unfollows,
        "page_follows" => f.followers,
        _ => return None,
    })
}

/// `GET /{page-id}/insights`.
pub(super) fn page(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    permitted(sb, call, id, id)?;
    let names = metrics(&call.params)?;
    if names.iter().any(|n| !PAGE_METRICS.contains(&n.as_str())) {
        return Err(invalid_metric());
    }
    let period = call.params.non_empty("period").unwrap_or("day");
    if period != "day" {
        return Err(GraphError::param(format!(
            "(#100) The period {period} is not supported for these metrics; use day"
        )));
    }
    let (first, last) = window(&call.params, sb.now(), 8_035_200, too_long)?;
    let today = today(sb);
    let published = published_posts(sb, MetaSurface::Page, id);
    let days = reported_days(MetaSurface::Page, id, &published, first, last, today);
    let data: Vec<Value> = if days.is_empty() {
        Vec::new()
    } else {
        names
            .iter()
            .map(|name| {
                let values: Vec<Value> = days
                    .iter()
                    .map(|(day, f)| {
                        json!({
                            "value": day_value(name, f).unwrap_or(0),
                            "end_time": end_time(day + 1),
                        })
                    })
                    .collect();
                insight(id, name, "day", ("values", json!(values)))
            })
            .collect()
    };
    Ok(json!({ "data": data }))
}

// --------------------------------------------------------------- posts

/// `page`'s post `id` (published through the simulators or seeded).
pub(super) fn find_post(sb: &Sandbox, page: &str, id: &str, today: i64) -> Option<Post> {
    super::super::publish::settle_page_videos(sb, page);
    let published = sb.read(|st| {
        st.meta_publishing()
            .post(id)
            .filter(|p| p.page == page && p.published)
            .map(page_post)
    });
    published.or_else(|| model::seeded_post(MetaSurface::Page, page, id, today).map(|s| s.post))
}

/// The kind of click a post's format invites most.
fn main_click(format: Format) -> &'static str {
    match format {
        Format::Photo => "photo view",
        Format::Video => "video play",
        _ => "link clicks",
    }
}

fn clicks_by_type(post: &Post, f: &PostFigures) -> [(&'static str, i64); 2] {
    let main = whole(f.clicks as f64 * 0.6);
    [
        (main_click(post.format), main),
        ("other clicks", f.clicks - main),
    ]
}

/// A post's lifetime figures on `today`, by metric name; the by-type
/// metrics flattened as `name:type`.
pub(super) fn post_values(page: &str, post: &Post, today: i64) -> BTreeMap<String, i64> {
    let f = model::post_lifetime(MetaSurface::Page, page, post, today);
    let mut out = BTreeMap::from([
        ("post_media_view".to_owned(), f.views),
        ("post_total_media_view_unique".to_owned(), f.reach),
        ("post_reactions_like_total".to_owned(), f.reactions[0]),
        ("post_clicks".to_owned(), f.clicks),
    ]);
    for (name, value) in REACTIONS.iter().zip(f.reactions) {
        out.insert(format!("post_reactions_by_type_total:{name}"), value);
    }
    for (kind, value) in clicks_by_type(post, &f) {
        out.insert(format!("post_clicks_by_type:{kind}"), value);
    }
    out
}

fn post_value(name: &str, post: &Post, f: &PostFigures) -> Value {
    match name {
        "post_media_view" => json!(f.views),
        "post_total_media_view_unique" => json!(f.reach),
        "post_reactions_like_total" => json!(f.reactions[0]),
        "post_clicks" => json!(f.clicks),
        "post_reactions_by_type_total" => {
            let map: serde_json::Map<String, Value> = REACTIONS
                .iter()
                .zip(f.reactions)
                .filter(|(_, v)| *v > 0)
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            Value::Object(map)
        }
        _ => {
            let map: serde_json::Map<String, Value> = clicks_by_type(post, f)
                .into_iter()
                .filter(|(_, v)| *v > 0)
                .map(|(k, v)| (k.to_owned(), json!(v)))
                .collect();
            Value::Object(map)
        }
    }
}

/// `GET /{post-id}/insights`.
pub(super) fn post(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let page = match sb.read(|st| st.meta_publishing().node(id)) {
        Some(Node::Post(page)) => page,
        Some(_) => {
            crate::meta::caller(sb, call, GraphError::no_token)?;
            return Err(unsupported("get", id));
        }
        None => id
            .split_once('_')
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default(),
    };
    permitted(sb, call, &page, id)?;
    let today = today(sb);
    let post = find_post(sb, &page, id, today).ok_or_else(|| unsupported("get", id))?;
    let names = metrics(&call.params)?;
    if names.iter().any(|n| !POST_METRICS.contains(&n.as_str())) {
        return Err(invalid_metric());
    }
    if let Some(period) = call.params.non_empty("period")
        && period != "lifetime"
    {
        return Err(GraphError::param(format!(
            "(#100) The period {period} is not supported for post metrics; use lifetime"
        )));
    }
    let f = model::post_lifetime(MetaSurface::Page, &page, &post, today);
    let data: Vec<Value> = names
        .iter()
        .map(|name| {
            insight(
                id,
                name,
                "lifetime",
                ("values", json!([{ "value": post_value(name, &post, &f) }])),
            )
        })
        .collect();
    Ok(json!({ "data": data }))
}
