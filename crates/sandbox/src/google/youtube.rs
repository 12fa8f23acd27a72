//! YouTube Data API v3 `channels.list`: `mine=true`, `id=` and
//! `forHandle=` over the sandbox user's two channels, `part` selection,
//! statistics as strings (growing day by day with the channel's videos, see
//! [`super::catalog`]; subscribers rounded down to three significant
//! figures), the `fields` mask, and the per-project daily quota (1 unit per
//! call, charged even when the call fails).

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::catalog::{Catalog, three_significant};
use super::{
    api_fault, bad_parameter, caller, has_any_scope, insufficient_permissions, json_response,
    quota_exceeded,
};
use crate::Sandbox;
use crate::oauth::{hex, sha256};
use crate::params::{FieldMask, Params, parse_field_mask};
use crate::seed::{YouTubeChannel, google_user};

const READ_SCOPES: &[&str] = &[
    "youtube",
    "youtube.readonly",
    "youtube.force-ssl",
    "youtubepartner",
];

const PARTS: &[&str] = &[
    "id",
    "snippet",
    "statistics",
    "contentDetails",
    "status",
    "brandingSettings",
];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route(
        "/www.googleapis.com/youtube/v3/channels",
        get(list_channels),
    )
}

fn etag(seed: &str) -> String {
    hex(&sha256(seed.as_bytes()))[..27].to_owned()
}

async fn list_channels(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("youtube.channels").await;
    if let Some(response) = api_fault(fault, true) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    // Every request costs its units, even one that fails afterwards.
    let now = sb.now();
    let project = sb.config().google.client_id.clone();
    let used = sb.meters(|m| m.charge_daily(&format!("youtube:{project}"), now, 1));
    if used + 1 > u64::from(sb.config().limits.youtube_daily_units) {
        return quota_exceeded();
    }
    let record = match caller(&sb, &headers, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !has_any_scope(&record, READ_SCOPES) {
        return insufficient_permissions();
    }
    let Some(part) = params.non_empty("part") else {
        return bad_parameter("Required parameter: part", "required", "part");
    };
    let parts: Vec<&str> = part
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(bad) = parts.iter().find(|p| !PARTS.contains(p)) {
        return bad_parameter(&format!("'{bad}'"), "unknownPart", "part");
    }
    let mask = match params.non_empty("fields") {
        Some(raw) => match parse_field_mask(raw) {
            Some(mask) => Some(mask),
            None => {
                return bad_parameter(
                    &format!("Invalid field selection {raw}"),
                    "invalidParameter",
                    "fields",
                );
            }
        },
        None => None,
    };
    let user = google_user(&record.user, &sb.config().public_base);
    let channels: Vec<&YouTubeChannel> = if params.get("mine") == Some("true") {
        user.channels.iter().collect()
    } else if let Some(ids) = params.non_empty("id") {
        let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
        user.channels
            .iter()
            .filter(|c| ids.contains(&c.id.as_str()))
            .collect()
    } else if let Some(handle) = params.non_empty("forHandle") {
        let handle = handle.trim_start_matches('@').to_ascii_lowercase();
        user.channels
            .iter()
            .filter(|c| c.custom_url.trim_start_matches('@') == handle)
            .collect()
    } else {
        return bad_parameter(
            "No filter selected. Expected one of: forHandle, forUsername, id, managedByMe, mine, mySubscribers, categoryId, idParam",
            "missingRequiredParameter",
            "parameters.",
        );
    };
    let items: Vec<Value> = sb.read(|st| {
        channels
            .iter()
            .map(|c| {
                let stats = parts.contains(&"statistics").then(|| {
                    let catalog = Catalog::new(st, &record.user, (*c).clone(), now);
                    Statistics {
                        subscribers: three_significant(catalog.subscribers()),
                        views: catalog.view_count(),
                        videos: catalog.public_videos(),
                    }
                });
                channel_json(c, &parts, stats)
            })
            .collect()
    });
    let body = json!({
        "kind": "youtube#channelListResponse",
        "etag": etag(&format!("list/{}/{part}", record.user)),
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": 5},
        "items": items,
    });
    let body = match mask {
        Some(mask) => FieldMask::apply(&mask, &body),
        None => body,
    };
    json_response(StatusCode::OK, body)
}

/// A channel's counts today.
struct Statistics {
    /// Rounded down to three significant figures, as YouTube shows them.
    subscribers: i64,
    views: i64,
    videos: i64,
}

fn channel_json(c: &YouTubeChannel, parts: &[&str], stats: Option<Statistics>) -> Value {
    let mut item = Map::new();
    item.insert("kind".into(), json!("youtube#channel"));
    item.insert("etag".into(), json!(etag(&c.id)));
    item.insert("id".into(), json!(c.id));
    let thumb = |size: u32| json!({"url": format!("{}?size={size}", c.thumbnail), "width": size, "height": size});
    for part in parts {
        let value = match *part {
            "snippet" => json!({
                "title": c.title,
                "description": c.description,
                "customUrl": c.custom_url,
                "publishedAt": c.published_at,
                "thumbnails": {"default": thumb(88), "medium": thumb(240), "high": thumb(800)},
                "localized": {"title": c.title, "description": c.description},
                "country": "US",
            }),
            "contentDetails" => json!({"relatedPlaylists": {"likes": "", "uploads": c.uploads}}),
            "statistics" => {
                let Some(stats) = &stats else { continue };
                json!({
                    "viewCount": stats.views.to_string(),
                    "subscriberCount": stats.subscribers.to_string(),
                    "hiddenSubscriberCount": false,
                    "videoCount": stats.videos.to_string(),
                })
            }
            "status" => json!({
                "privacyStatus": "public",
                "isLinked": true,
                "longUploadsStatus": "allowed",
                "madeForKids": false,
            }),
            "brandingSettings" => {
                json!({"channel": {"title": c.title, "description": c.description}})
            }
            _ => continue,
        };
        item.insert((*part).to_owned(), value);
    }
    Value::Object(item)
}
