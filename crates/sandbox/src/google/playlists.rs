//! YouTube Data API v3 `playlistItems.list` over a channel's uploads
//! playlist (`contentDetails.relatedPlaylists.uploads`, `UU…`): what
//! clients read for "my uploads", newest first, `maxResults` 0–50 (default
//! 5) with page tokens. 1 quota unit per call, charged even when the call
//! fails. Other playlists do not exist in the sandbox (404
//! `playlistNotFound`); private and unlisted videos are listed to their
//! owner only.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::catalog::{Catalog, ChannelVideo};
use super::upload::{etag, parts_of};
use super::{
    Reason, api_error, api_fault, bad_parameter, caller, has_any_scope, insufficient_permissions,
    json_response, quota_exceeded,
};
use crate::Sandbox;
use crate::params::Params;
use crate::seed::google_time;

const READ_SCOPES: &[&str] = &[
    "youtube",
    "youtube.readonly",
    "youtube.force-ssl",
    "youtubepartner",
];
const PARTS: &[&str] = &["id", "snippet", "contentDetails", "status"];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route(
        "/www.googleapis.com/youtube/v3/playlistItems",
        get(list_playlist_items),
    )
}

/// A page token: the page continues below this video (publish time, id).
fn encode_token(at: Timestamp, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("pl-page:{}:{id}", at.as_millisecond()))
}

fn decode_token(token: &str) -> Option<(i64, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (at, id) = text.strip_prefix("pl-page:")?.split_once(':')?;
    Some((at.parse().ok()?, id.to_owned()))
}

fn playlist_not_found() -> Response {
    let message = "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.";
    api_error(
        StatusCode::NOT_FOUND,
        message,
        Reason::new(message, "youtube.playlistItem", "playlistNotFound")
            .at("playlistId", "parameter"),
    )
}

fn item_json(catalog: &Catalog, video: &ChannelVideo, position: usize, parts: &[String]) -> Value {
    let mut item = Map::new();
    item.insert("kind".into(), json!("youtube#playlistItem"));
    item.insert(
        "etag".into(),
        json!(etag(&format!(
            "item/{}/{}",
            catalog.channel.uploads, video.id
        ))),
    );
    item.insert(
        "id".into(),
        json!(URL_SAFE_NO_PAD.encode(format!("{}.{}", catalog.channel.uploads, video.id))),
    );
    for part in parts {
        let value = match part.as_str() {
            "snippet" => {
                let id = &video.id;
                let thumb = |name: &str, w: u32, h: u32| json!({"url": format!("https://i.ytimg.com/vi/{id}/{name}.jpg"), "width": w, "height": h});
                json!({
                    "publishedAt": google_time(video.published_at),
                    "channelId": catalog.channel.id,
                    "title": video.title,
                    "description": video.description,
                    "thumbnails": {
                        "default": thumb("default", 120, 90),
                        "medium": thumb("mqdefault", 320, 180),
                        "high": thumb("hqdefault", 480, 360),
                    },
                    "channelTitle": catalog.channel.title,
                    "playlistId": catalog.channel.uploads,
                    "position": position,
                    "resourceId": {"kind": "youtube#video", "videoId": id},
                    "videoOwnerChannelTitle": catalog.channel.title,
                    "videoOwnerChannelId": catalog.channel.id,
                })
            }
            "contentDetails" => json!({
                "videoId": video.id,
                "videoPublishedAt": google_time(video.published_at),
            }),
            "status" => json!({"privacyStatus": video.privacy}),
            _ => continue,
        };
        item.insert(part.clone(), value);
    }
    Value::Object(item)
}

async fn list_playlist_items(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("youtube.playlist_items").await;
    if let Some(response) = api_fault(fault, true) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
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
    let parts = match parts_of(&params, PARTS) {
        Ok(p) => p,
        Err(response) => return response,
    };
    let max = match params.get("maxResults") {
        None => 5,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if n <= 50 => n,
            _ => {
                return bad_parameter(
                    &format!("Invalid value '{raw}'. Values must be within the range: [0, 50]"),
                    "invalidParameter",
                    "maxResults",
                );
            }
        },
    };
    let after = match params.non_empty("pageToken") {
        None => None,
        Some(token) => match decode_token(token) {
            Some(after) => Some(after),
            None => {
                return bad_parameter(
                    "The request specifies an invalid page token.",
                    "invalidPageToken",
                    "pageToken",
                );
            }
        },
    };
    let Some(playlist) = params.non_empty("playlistId") else {
        return bad_parameter(
            "No filter selected. Expected one of: id, playlistId",
            "missingRequiredParameter",
            "parameters.",
        );
    };
    let base = sb.config().public_base.clone();
    let page = sb.read(|st| {
        let catalog = Catalog::of_uploads(st, &base, playlist, now)?;
        let owner = catalog.user == record.user;
        let listed: Vec<(usize, &ChannelVideo)> = catalog
            .videos
            .iter()
            .filter(|v| owner || v.privacy == "public")
            .enumerate()
            .collect();
        let total = listed.len();
        let rest: Vec<(usize, &ChannelVideo)> = listed
            .into_iter()
            .filter(|(_, v)| {
                after.as_ref().is_none_or(|(at, id)| {
                    (v.published_at.as_millisecond(), v.id.as_str()) < (*at, id.as_str())
                })
            })
            .collect();
        let more = rest.len() > max;
        let shown: Vec<(usize, &ChannelVideo)> = rest.into_iter().take(max).collect();
        let next = shown
            .last()
            .filter(|_| more)
            .map(|(_, v)| encode_token(v.published_at, &v.id));
        let items: Vec<Value> = shown
            .iter()
            .map(|(position, v)| item_json(&catalog, v, *position, &parts))
            .collect();
        Some((items, next, total))
    });
    let Some((items, next, total)) = page else {
        return playlist_not_found();
    };
    let mut body = json!({
        "kind": "youtube#playlistItemListResponse",
        "etag": etag(&format!("items/{playlist}/{}", params.get("pageToken").unwrap_or(""))),
        "items": items,
        "pageInfo": {"totalResults": total, "resultsPerPage": max},
    });
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    json_response(StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip() {
        let at = Timestamp::from_second(1_767_225_600).unwrap();
        assert_eq!(
            decode_token(&encode_token(at, "abc")),
            Some((at.as_millisecond(), "abc".into()))
        );
        assert_eq!(decode_token("garbage"), None);
    }
}
