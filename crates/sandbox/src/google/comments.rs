//! YouTube Data API comments on the videos uploaded to the sandbox:
//! `commentThreads.list` (`allThreadsRelatedToChannelId`, `videoId`, `id`;
//! `order`, `maxResults` 1–100, `pageToken`, `moderationStatus`,
//! `textFormat`), `comments.list` (`parentId` or `id`), `comments.insert`
//! (replies), `comments.setModerationStatus` and `comments.delete`, with
//! their quota costs, scopes and errors. Comments themselves come from
//! people the sandbox simulates (`POST /_admin/youtube/comments`).
//!
//! Rules, with their sources in Herald's `docs/platforms/engagement.md`:
//! only the owner of a video's channel moderates its comments (403
//! `forbidden` otherwise); only a comment's author deletes it (403
//! `forbidden`: the owner rejects instead); a rejected comment cannot be
//! published again; a thread lists a limited number of replies (5 here),
//! the rest come from `comments.list?parentId=`.

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    Reason, api_error, api_fault, bad_parameter, caller, has_any_scope, insufficient_permissions,
    json_response, quota_exceeded,
};
use crate::engagement::{Act, AdminError, admin_input, admin_respond, text_field};
use crate::oauth::{hex, random_base62, sha256};
use crate::params::Params;
use crate::seed::{Follower, google_time, google_user};
use crate::state::TokenRecord;
use crate::{Platform, Sandbox};

/// What reading comments takes (any YouTube scope).
const READ_SCOPES: &[&str] = &[
    "youtube",
    "youtube.readonly",
    "youtube.force-ssl",
    "youtubepartner",
];
/// What writing comments takes: only `youtube.force-ssl`.
const WRITE_SCOPES: &[&str] = &["youtube.force-ssl"];
/// Quota units of a list call and of a write.
const LIST_COST: u64 = 1;
const WRITE_COST: u64 = 50;
/// Replies a thread carries itself (the API says "a limited number").
const THREAD_REPLIES: usize = 5;
/// A comment's text: at most 10,000 characters.
const TEXT_MAX: usize = 10_000;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/www.googleapis.com/youtube/v3/commentThreads",
            get(list_threads),
        )
        .route(
            "/www.googleapis.com/youtube/v3/comments",
            get(list_comments)
                .post(insert_comment)
                .delete(delete_comment),
        )
        .route(
            "/www.googleapis.com/youtube/v3/comments/setModerationStatus",
            post(set_moderation_status),
        )
}

// ------------------------------------------------------------------ state

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Moderation {
    Published,
    HeldForReview,
    Rejected,
}

impl Moderation {
    fn name(self) -> &'static str {
        match self {
            Moderation::Published => "published",
            Moderation::HeldForReview => "heldForReview",
            Moderation::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "published" => Some(Moderation::Published),
            "heldForReview" => Some(Moderation::HeldForReview),
            "rejected" => Some(Moderation::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct YtComment {
    pub id: String,
    pub video_id: String,
    /// The channel the video belongs to.
    pub channel_id: String,
    /// Replies: the top-level comment.
    #[serde(default)]
    pub parent_id: Option<String>,
    pub author_channel_id: String,
    pub author_name: String,
    pub text: String,
    pub published_at: Timestamp,
    pub updated_at: Timestamp,
    pub moderation: Moderation,
    /// Orders comments (newest first in listings).
    pub seq: u64,
}

/// Comments by id, and the ids of deleted ones (persisted).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct YouTubeComments {
    #[serde(default)]
    comments: BTreeMap<String, YtComment>,
    #[serde(default)]
    deleted: BTreeSet<String>,
    #[serde(default)]
    seq: u64,
}

impl YouTubeComments {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn get(&self, id: &str) -> Option<&YtComment> {
        self.comments.get(id)
    }

    fn replies_of(&self, parent: &str) -> Vec<&YtComment> {
        let mut replies: Vec<&YtComment> = self
            .comments
            .values()
            .filter(|c| c.parent_id.as_deref() == Some(parent))
            .collect();
        replies.sort_by_key(|c| c.seq);
        replies
    }

    /// Adds a comment (a reply when `parent_id` is set) and returns it.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        video_id: &str,
        channel_id: &str,
        parent_id: Option<&str>,
        author_channel_id: &str,
        author_name: &str,
        text: &str,
        at: Timestamp,
    ) -> YtComment {
        let id = match parent_id {
            Some(parent) => format!("{parent}.{}", random_base62(22)),
            None => format!("Ugz{}4AaABAg", random_base62(16)),
        };
        let seq = self.next_seq();
        let comment = YtComment {
            id: id.clone(),
            video_id: video_id.to_owned(),
            channel_id: channel_id.to_owned(),
            parent_id: parent_id.map(str::to_owned),
            author_channel_id: author_channel_id.to_owned(),
            author_name: author_name.to_owned(),
            text: text.to_owned(),
            published_at: at,
            updated_at: at,
            moderation: Moderation::Published,
            seq,
        };
        self.comments.insert(id, comment.clone());
        comment
    }

    /// Deletes a comment and, for a top-level one, its replies.
    fn delete(&mut self, id: &str) {
        let gone: Vec<String> = self
            .comments
            .values()
            .filter(|c| c.id == id || c.parent_id.as_deref() == Some(id))
            .map(|c| c.id.clone())
            .collect();
        for id in gone {
            self.comments.remove(&id);
            self.deleted.insert(id);
        }
    }

    /// Comments held for review, for the admin state.
    pub fn held(&self) -> Vec<String> {
        self.comments
            .values()
            .filter(|c| c.moderation == Moderation::HeldForReview)
            .map(|c| c.id.clone())
            .collect()
    }
}

// ------------------------------------------------------------ the caller

/// Whether the sandbox user behind a token owns `channel_id`.
fn owns(sb: &Sandbox, record: &TokenRecord, channel_id: &str) -> bool {
    google_user(&record.user, &sb.config().public_base)
        .channels
        .iter()
        .any(|c| c.id == channel_id)
}

/// The channel a user writes as on `channel_id`'s video: that channel when
/// they own it, else their first.
fn writing_channel(sb: &Sandbox, record: &TokenRecord, channel_id: &str) -> (String, String) {
    let user = google_user(&record.user, &sb.config().public_base);
    let channel = user
        .channels
        .iter()
        .find(|c| c.id == channel_id)
        .or_else(|| user.channels.first());
    match channel {
        Some(c) => (c.id.clone(), c.title.clone()),
        None => (String::new(), user.name),
    }
}

/// A channel the sandbox knows: one of a signed-in Google user's, or one
/// with uploaded videos.
fn known_channel(sb: &Sandbox, channel_id: &str) -> bool {
    let base = sb.config().public_base.clone();
    sb.read(|st| {
        st.users(Platform::Google).any(|u| {
            google_user(u, &base)
                .channels
                .iter()
                .any(|c| c.id == channel_id)
        }) || st
            .youtube_uploads()
            .video_owners()
            .iter()
            .any(|(_, o)| o.channel_id == channel_id)
    })
}

/// The common start of every comment call: the fault, the quota (charged
/// even when the call then fails), the token and its scope.
async fn begin(
    sb: &Sandbox,
    endpoint: &'static str,
    query: Option<&str>,
    headers: &HeaderMap,
    cost: u64,
    scopes: &[&str],
) -> Result<(Params, TokenRecord), Response> {
    let fault = sb.hit(endpoint).await;
    if let Some(response) = api_fault(fault, true) {
        return Err(response);
    }
    let params = Params::from_query(query);
    let now = sb.now();
    let project = sb.config().google.client_id.clone();
    let used = sb.meters(|m| m.charge_daily(&format!("youtube:{project}"), now, cost));
    if used + cost > u64::from(sb.config().limits.youtube_daily_units) {
        return Err(quota_exceeded());
    }
    let record = caller(sb, headers, &params)?;
    if !has_any_scope(&record, scopes) {
        return Err(insufficient_permissions());
    }
    Ok((params, record))
}

// ------------------------------------------------------------- rendering

fn etag(seed: &str) -> String {
    hex(&sha256(seed.as_bytes()))[..27].to_owned()
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// How the caller sees comments.
struct View<'a> {
    sb: &'a Sandbox,
    record: &'a TokenRecord,
    plain: bool,
}

impl View<'_> {
    fn comment(&self, c: &YtComment) -> Value {
        let mut snippet = Map::new();
        // The video is named by the thread, not by the comment.
        snippet.insert("channelId".into(), json!(c.channel_id));
        let display = if self.plain {
            c.text.clone()
        } else {
            html_escape(&c.text)
        };
        snippet.insert("textDisplay".into(), json!(display));
        // The original text goes to its author only.
        if owns(self.sb, self.record, &c.author_channel_id) {
            snippet.insert("textOriginal".into(), json!(c.text));
        }
        if let Some(parent) = &c.parent_id {
            snippet.insert("parentId".into(), json!(parent));
        }
        snippet.insert("authorDisplayName".into(), json!(c.author_name));
        snippet.insert(
            "authorProfileImageUrl".into(),
            json!(
                self.sb
                    .url(&format!("/_static/avatar/{}.svg", c.author_channel_id))
            ),
        );
        snippet.insert(
            "authorChannelUrl".into(),
            json!(format!(
                "http://www.youtube.com/channel/{}",
                c.author_channel_id
            )),
        );
        snippet.insert(
            "authorChannelId".into(),
            json!({"value": c.author_channel_id}),
        );
        snippet.insert("canRate".into(), json!(true));
        snippet.insert("viewerRating".into(), json!("none"));
        snippet.insert("likeCount".into(), json!(0));
        // Moderation states are the channel owner's to see.
        if owns(self.sb, self.record, &c.channel_id) && c.moderation != Moderation::Published {
            snippet.insert("moderationStatus".into(), json!(c.moderation.name()));
        }
        snippet.insert("publishedAt".into(), json!(google_time(c.published_at)));
        snippet.insert("updatedAt".into(), json!(google_time(c.updated_at)));
        json!({
            "kind": "youtube#comment",
            "etag": etag(&format!("{}/{}", c.id, c.seq)),
            "id": c.id,
            "snippet": Value::Object(snippet),
        })
    }
}

fn encode_token(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("yt-page:{seq}"))
}

fn decode_token(token: &str) -> Option<u64> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("yt-page:")?
        .parse()
        .ok()
}

fn max_results(params: &Params) -> Result<usize, Response> {
    match params.non_empty("maxResults") {
        None => Ok(20),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(bad_parameter(
                &format!("Invalid value '{raw}'. Values must be within the range: [1, 100]"),
                "invalidParameter",
                "maxResults",
            )),
        },
    }
}

fn plain_text(params: &Params) -> Result<bool, Response> {
    match params.non_empty("textFormat") {
        None | Some("html") => Ok(false),
        Some("plainText") => Ok(true),
        Some(other) => Err(bad_parameter(
            &format!("Invalid value '{other}'. Values must be one of: html, plainText"),
            "invalidParameter",
            "textFormat",
        )),
    }
}

/// One page of `items` (newest first, by sequence number): the items
/// after `pageToken`, at most `max`, and the next token.
fn page<T>(
    items: Vec<T>,
    seq: impl Fn(&T) -> u64,
    params: &Params,
    max: usize,
) -> Result<(Vec<T>, Option<String>), Response> {
    let after = match params.non_empty("pageToken") {
        None => None,
        Some(token) => Some(decode_token(token).ok_or_else(|| {
            bad_parameter(
                "The request specifies an invalid page token.",
                "invalidPageToken",
                "pageToken",
            )
        })?),
    };
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|i| after.is_none_or(|a| seq(i) < a))
        .collect();
    let more = rest.len() > max;
    rest.truncate(max);
    let next = if more {
        rest.last().map(|i| encode_token(seq(i)))
    } else {
        None
    };
    Ok((rest, next))
}

fn comment_not_found(what: &str) -> Response {
    let message =
        format!("The comment identified by the request's {what} parameter could not be found.");
    api_error(
        StatusCode::NOT_FOUND,
        &message,
        Reason::new(message.clone(), "youtube.comment", "commentNotFound").at(what, "parameter"),
    )
}

fn forbidden(message: &str) -> Response {
    api_error(
        StatusCode::FORBIDDEN,
        message,
        Reason::new(message, "youtube.comment", "forbidden"),
    )
}

fn processing_failure(message: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "youtube.comment", "processingFailure"),
    )
}

fn bad_request(message: &str, reason: &'static str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Reason::new(message, "youtube.comment", reason),
    )
}

// --------------------------------------------------- commentThreads.list

async fn list_threads(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match threads(&sb, query.as_deref(), &headers).await {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(response) => response,
    }
}

async fn threads(
    sb: &Sandbox,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Value, Response> {
    let (params, record) = begin(
        sb,
        "youtube.comment_threads",
        query,
        headers,
        LIST_COST,
        READ_SCOPES,
    )
    .await?;
    let parts = super::upload::parts_of(&params, &["id", "snippet", "replies"])?;
    let max = max_results(&params)?;
    let plain = plain_text(&params)?;
    match params.non_empty("order") {
        None | Some("time" | "relevance") => {}
        Some(other) => {
            return Err(bad_parameter(
                &format!("Invalid value '{other}'. Values must be one of: relevance, time"),
                "invalidParameter",
                "order",
            ));
        }
    }
    let status = match params.non_empty("moderationStatus") {
        None | Some("published") => Moderation::Published,
        Some("heldForReview") => Moderation::HeldForReview,
        // The sandbox classifies nothing as spam.
        Some("likelySpam") => Moderation::Rejected,
        Some(other) => {
            return Err(bad_parameter(
                &format!(
                    "Invalid value '{other}'. Values must be one of: heldForReview, likelySpam, published"
                ),
                "invalidParameter",
                "moderationStatus",
            ));
        }
    };
    let filters = [
        params.non_empty("allThreadsRelatedToChannelId"),
        params.non_empty("videoId"),
        params.non_empty("id"),
    ];
    if filters.iter().flatten().count() != 1 {
        return Err(bad_parameter(
            "Exactly one of the filters allThreadsRelatedToChannelId, id, videoId must be specified.",
            "missingRequiredParameter",
            "parameters.",
        ));
    }
    // Which threads, and which channel's owner may see held ones.
    let (channel, video, ids) = (filters[0], filters[1], filters[2]);
    let owner_channel = match (channel, video) {
        (Some(c), _) => {
            if !known_channel(sb, c) {
                return Err(api_error(
                    StatusCode::NOT_FOUND,
                    "The channel identified by the allThreadsRelatedToChannelId parameter could not be found.",
                    Reason::new(
                        "Channel not found.",
                        "youtube.commentThread",
                        "channelNotFound",
                    )
                    .at("allThreadsRelatedToChannelId", "parameter"),
                ));
            }
            Some(c.to_owned())
        }
        (None, Some(v)) => {
            let owner = sb.read(|st| st.youtube_uploads().video_owner(v));
            let Some(owner) = owner else {
                return Err(api_error(
                    StatusCode::NOT_FOUND,
                    "The video identified by the videoId parameter could not be found.",
                    Reason::new("Video not found.", "youtube.commentThread", "videoNotFound")
                        .at("videoId", "parameter"),
                ));
            };
            Some(owner.channel_id)
        }
        _ => None,
    };
    if status != Moderation::Published
        && !owner_channel
            .as_deref()
            .is_some_and(|c| owns(sb, &record, c))
    {
        return Err(forbidden(
            "The request is not properly authorized to retrieve the specified comment threads.",
        ));
    }
    let wanted_ids: Vec<&str> = ids
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let view = View {
        sb,
        record: &record,
        plain,
    };
    let (items, next) = sb.read(|st| {
        let store = st.youtube_comments();
        let mut tops: Vec<&YtComment> = store
            .comments
            .values()
            .filter(|c| c.parent_id.is_none())
            .filter(|c| channel.is_none_or(|ch| c.channel_id == ch))
            .filter(|c| video.is_none_or(|v| c.video_id == v))
            .filter(|c| ids.is_none() || wanted_ids.contains(&c.id.as_str()))
            .filter(|c| match status {
                Moderation::Published => c.moderation == Moderation::Published,
                Moderation::HeldForReview => {
                    c.moderation == Moderation::HeldForReview
                        || store
                            .replies_of(&c.id)
                            .iter()
                            .any(|r| r.moderation == Moderation::HeldForReview)
                }
                Moderation::Rejected => false,
            })
            .collect();
        tops.sort_by_key(|c| std::cmp::Reverse(c.seq));
        let (tops, next) = page(tops, |c| c.seq, &params, max)?;
        let items: Vec<Value> = tops
            .into_iter()
            .map(|top| {
                let replies: Vec<&YtComment> = store
                    .replies_of(&top.id)
                    .into_iter()
                    .filter(|r| r.moderation == Moderation::Published)
                    .collect();
                let mut thread = Map::new();
                thread.insert("kind".into(), json!("youtube#commentThread"));
                thread.insert(
                    "etag".into(),
                    json!(etag(&format!("t/{}/{}", top.id, top.seq))),
                );
                thread.insert("id".into(), json!(top.id));
                if parts.iter().any(|p| p == "snippet") {
                    thread.insert(
                        "snippet".into(),
                        json!({
                            "channelId": top.channel_id,
                            "videoId": top.video_id,
                            "topLevelComment": view.comment(top),
                            "canReply": true,
                            "totalReplyCount": replies.len(),
                            "isPublic": true,
                        }),
                    );
                }
                if parts.iter().any(|p| p == "replies") && !replies.is_empty() {
                    let shown: Vec<Value> = replies
                        .iter()
                        .rev()
                        .take(THREAD_REPLIES)
                        .map(|r| view.comment(r))
                        .collect();
                    thread.insert("replies".into(), json!({ "comments": shown }));
                }
                Value::Object(thread)
            })
            .collect();
        Ok::<_, Response>((items, next))
    })?;
    let mut body = json!({
        "kind": "youtube#commentThreadListResponse",
        "etag": etag(&format!("threads/{}/{}", record.user, query.unwrap_or(""))),
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": max},
        "items": items,
    });
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    Ok(body)
}

// --------------------------------------------------------- comments.list

async fn list_comments(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let (params, record) = begin(
            &sb,
            "youtube.comments",
            query.as_deref(),
            &headers,
            LIST_COST,
            READ_SCOPES,
        )
        .await?;
        super::upload::parts_of(&params, &["id", "snippet"])?;
        let max = max_results(&params)?;
        let plain = plain_text(&params)?;
        let view = View {
            sb: &sb,
            record: &record,
            plain,
        };
        let found: Vec<YtComment> = match (params.non_empty("parentId"), params.non_empty("id")) {
            (Some(parent), None) => sb.read(|st| {
                let store = st.youtube_comments();
                match store.get(parent) {
                    Some(top) if top.parent_id.is_none() => Ok(store
                        .replies_of(parent)
                        .into_iter()
                        .filter(|r| r.moderation == Moderation::Published)
                        .cloned()
                        .collect()),
                    _ => Err(comment_not_found("parentId")),
                }
            })?,
            (None, Some(ids)) => sb.read(|st| {
                ids.split(',')
                    .filter_map(|id| st.youtube_comments().get(id.trim()).cloned())
                    .collect()
            }),
            _ => {
                return Err(bad_parameter(
                    "Exactly one of the filters id, parentId must be specified.",
                    "missingRequiredParameter",
                    "parameters.",
                ));
            }
        };
        // Oldest first, as a conversation reads.
        let mut found = found;
        found.sort_by_key(|c| std::cmp::Reverse(c.seq));
        let (mut shown, next) = page(found, |c| c.seq, &params, max)?;
        shown.reverse();
        let items: Vec<Value> = shown.iter().map(|c| view.comment(c)).collect();
        let mut body = json!({
            "kind": "youtube#commentListResponse",
            "etag": etag(&format!("comments/{}/{}", record.user, query.as_deref().unwrap_or(""))),
            "pageInfo": {"totalResults": items.len(), "resultsPerPage": max},
            "items": items,
        });
        if let Some(next) = next {
            body["nextPageToken"] = json!(next);
        }
        Ok::<_, Response>(body)
    }
    .await;
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(response) => response,
    }
}

// ------------------------------------------------------- comments.insert

async fn insert_comment(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let (params, record) = begin(
            &sb,
            "youtube.comments",
            query.as_deref(),
            &headers,
            WRITE_COST,
            WRITE_SCOPES,
        )
        .await?;
        let parts = super::upload::parts_of(&params, &["id", "snippet"])?;
        if !parts.iter().any(|p| p == "snippet") {
            return Err(bad_parameter(
                "The request must set the part parameter to snippet.",
                "invalidPart",
                "part",
            ));
        }
        let resource: Value = serde_json::from_slice(&body).map_err(|_| {
            api_error(
                StatusCode::BAD_REQUEST,
                "Invalid JSON payload received.",
                Reason::new("Parse Error", "global", "parseError"),
            )
        })?;
        let snippet = resource.get("snippet").and_then(Value::as_object);
        let parent = snippet
            .and_then(|s| s.get("parentId"))
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| {
                bad_request(
                    "The comment must be linked to a parent comment: snippet.parentId is required.",
                    "parentIdMissing",
                )
            })?;
        let text = snippet
            .and_then(|s| s.get("textOriginal"))
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                bad_request(
                    "The comment resource must specify a value for snippet.textOriginal.",
                    "commentTextRequired",
                )
            })?;
        if text.chars().count() > TEXT_MAX {
            return Err(bad_request(
                "The value of snippet.textOriginal contains too many characters.",
                "commentTextTooLong",
            ));
        }
        let top = sb.read(|st| st.youtube_comments().get(parent).cloned());
        // Replies go under top-level comments only.
        let Some(top) = top.filter(|t| t.parent_id.is_none()) else {
            let message = "The parent comment identified by snippet.parentId could not be found.";
            return Err(api_error(
                StatusCode::NOT_FOUND,
                message,
                Reason::new(message, "youtube.comment", "parentCommentNotFound")
                    .at("body.snippet.parentId", "other"),
            ));
        };
        let (author, name) = writing_channel(&sb, &record, &top.channel_id);
        let now = sb.now();
        let created = sb.update(|st| {
            let comment = st.youtube_comments_mut().add(
                &top.video_id,
                &top.channel_id,
                Some(&top.id),
                &author,
                &name,
                text,
                now,
            );
            st.engagement_mut().log(
                Act {
                    platform: Platform::Google,
                    account_id: &author,
                    action: "reply",
                    target: &top.id,
                    text: Some(text),
                    result_id: Some(&comment.id),
                },
                now,
            );
            comment
        });
        let view = View {
            sb: &sb,
            record: &record,
            plain: false,
        };
        Ok::<_, Response>(view.comment(&created))
    }
    .await;
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(response) => response,
    }
}

// ------------------------------------------ comments.setModerationStatus

async fn set_moderation_status(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let (params, record) = begin(
            &sb,
            "youtube.comment_moderation",
            query.as_deref(),
            &headers,
            WRITE_COST,
            WRITE_SCOPES,
        )
        .await?;
        let ids: Vec<String> = params
            .non_empty("id")
            .map(|ids| {
                ids.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() {
            return Err(bad_parameter("Required parameter: id", "required", "id"));
        }
        if ids.len() > 50 {
            return Err(bad_parameter("Too many ids: at most 50.", "invalidValue", "id"));
        }
        let Some(status) = params.non_empty("moderationStatus") else {
            return Err(bad_parameter(
                "Required parameter: moderationStatus",
                "required",
                "moderationStatus",
            ));
        };
        let status = Moderation::parse(status).ok_or_else(|| {
            bad_parameter(
                "Invalid value for moderationStatus. Values must be one of: heldForReview, published, rejected",
                "invalidParameter",
                "moderationStatus",
            )
        })?;
        if params.get("banAuthor") == Some("true") && status != Moderation::Rejected {
            return Err(bad_request(
                "The banAuthor parameter can only be used if the moderationStatus parameter value is rejected.",
                "banWithoutReject",
            ));
        }
        // Every id is checked before any changes.
        let deleted = sb.read(|st| {
            ids.iter()
                .find(|id| st.youtube_comments().deleted.contains(*id))
                .cloned()
        });
        if deleted.is_some() {
            return Err(processing_failure(
                "The comment was deleted by its author and cannot be moderated.",
            ));
        }
        let comments: Vec<YtComment> = sb.read(|st| {
            ids.iter()
                .filter_map(|id| st.youtube_comments().get(id).cloned())
                .collect()
        });
        if comments.len() != ids.len() {
            return Err(comment_not_found("id"));
        }
        if comments.iter().any(|c| !owns(&sb, &record, &c.channel_id)) {
            return Err(forbidden(
                "The moderation status of one or more comments cannot be set due to insufficient permissions.",
            ));
        }
        if status == Moderation::Published
            && comments.iter().any(|c| c.moderation == Moderation::Rejected)
        {
            return Err(processing_failure(
                "A rejected comment cannot be published again.",
            ));
        }
        let now = sb.now();
        sb.update(|st| {
            for c in &comments {
                if let Some(stored) = st.youtube_comments_mut().comments.get_mut(&c.id) {
                    stored.moderation = status;
                }
                st.engagement_mut().log(
                    Act {
                        platform: Platform::Google,
                        account_id: &c.channel_id,
                        action: match status {
                            Moderation::HeldForReview => "hide",
                            Moderation::Published => "unhide",
                            Moderation::Rejected => "reject",
                        },
                        target: &c.id,
                        text: None,
                        result_id: None,
                    },
                    now,
                );
            }
        });
        Ok::<_, Response>(())
    }
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(response) => response,
    }
}

// ------------------------------------------------------- comments.delete

async fn delete_comment(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let (params, record) = begin(
            &sb,
            "youtube.comments",
            query.as_deref(),
            &headers,
            WRITE_COST,
            WRITE_SCOPES,
        )
        .await?;
        let Some(id) = params.non_empty("id") else {
            return Err(bad_parameter("Required parameter: id", "required", "id"));
        };
        let comment = sb
            .read(|st| st.youtube_comments().get(id).cloned())
            .ok_or_else(|| comment_not_found("id"))?;
        // Only the author deletes; a channel owner rejects instead.
        if !owns(&sb, &record, &comment.author_channel_id) {
            return Err(forbidden(
                "The comment could not be deleted because of insufficient permissions. The request might not be properly authorized.",
            ));
        }
        let now = sb.now();
        sb.update(|st| {
            st.youtube_comments_mut().delete(&comment.id);
            st.engagement_mut().log(
                Act {
                    platform: Platform::Google,
                    account_id: &comment.author_channel_id,
                    action: "delete",
                    target: &comment.id,
                    text: None,
                    result_id: None,
                },
                now,
            );
        });
        Ok::<_, Response>(())
    }
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(response) => response,
    }
}

// ------------------------------------------------------------ admin API

/// `POST /_admin/youtube/comments`: a follower comments on an uploaded
/// video (`video_id`), or replies to a comment (`parent_id`).
pub(crate) async fn create_youtube_comment(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = admin_input(&headers, &body).and_then(|params| add_comment(&sb, &params));
    admin_respond(&sb, &headers, result)
}

const SAMPLES: [&str; 3] = [
    "Tolles Video! Welche Kamera benutzt ihr? 🎥",
    "First! Love the editing 🔥",
    "Could you do a tutorial on this?",
];

fn add_comment(sb: &Sandbox, params: &Params) -> Result<Value, AdminError> {
    let n = sb.read(|st| st.youtube_comments().seq);
    let text = text_field(params, TEXT_MAX, || {
        SAMPLES[(n % SAMPLES.len() as u64) as usize].to_owned()
    })?;
    let from = match params.non_empty("from") {
        None => Follower::nth(n),
        Some(name) if name.chars().count() > 40 => {
            return Err(AdminError::invalid(
                "invalid_from",
                "\"from\" must be a follower's username of at most 40 characters.",
            ));
        }
        Some(name) => Follower::named(name),
    };
    let (video_id, channel_id, parent) = match (
        params.non_empty("parent_id"),
        params.non_empty("video_id"),
    ) {
        (Some(parent), _) => {
            let top = sb
                .read(|st| st.youtube_comments().get(parent).cloned())
                .filter(|t| t.parent_id.is_none())
                .ok_or_else(|| {
                    AdminError::not_found(
                        "unknown_comment",
                        format!("No top-level YouTube comment {parent:?} in the sandbox."),
                    )
                })?;
            (top.video_id, top.channel_id, Some(top.id))
        }
        (None, Some(video)) => {
            let owner = sb
                .read(|st| st.youtube_uploads().video_owner(video))
                .ok_or_else(|| {
                    AdminError::not_found(
                        "unknown_video",
                        format!("No video {video:?} was uploaded to the sandbox."),
                    )
                })?;
            (video.to_owned(), owner.channel_id, None)
        }
        (None, None) => {
            return Err(AdminError::invalid(
                "missing_video",
                "\"video_id\" (an uploaded video) or \"parent_id\" (a comment to reply to) is required.",
            ));
        }
    };
    let now = sb.now();
    let comment = sb.update(|st| {
        st.youtube_comments_mut().add(
            &video_id,
            &channel_id,
            parent.as_deref(),
            &from.channel_id,
            &from.name,
            &text,
            now,
        )
    });
    Ok(json!({
        "id": comment.id,
        "video_id": comment.video_id,
        "channel_id": comment.channel_id,
        "parent_id": comment.parent_id,
        "author_channel_id": comment.author_channel_id,
        "author_name": comment.author_name,
        "text": comment.text,
        "at": comment.published_at,
    }))
}

/// An uploaded video, as the index page's comment form offers it.
pub(crate) struct VideoChoice {
    pub id: String,
    pub label: String,
}

pub(crate) fn video_choices(sb: &Sandbox) -> Vec<VideoChoice> {
    sb.read(|st| {
        st.youtube_uploads()
            .video_owners()
            .into_iter()
            .map(|(id, owner)| VideoChoice {
                label: format!("{} ({})", owner.title, owner.channel_id),
                id,
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn replies_carry_their_parents_id_and_go_with_it() {
        let mut store = YouTubeComments::default();
        let top = store.add("v", "UCa", None, "UCf", "Zoë", "hi", ts(1));
        let reply = store.add("v", "UCa", Some(&top.id), "UCa", "Owner", "thanks", ts(2));
        assert!(reply.id.starts_with(&format!("{}.", top.id)));
        assert_eq!(store.replies_of(&top.id).len(), 1);
        store.delete(&top.id);
        assert!(store.get(&reply.id).is_none());
        assert!(store.deleted.contains(&reply.id) && store.deleted.contains(&top.id));
    }

    #[test]
    fn page_tokens_round_trip_and_pages_end() {
        assert_eq!(decode_token(&encode_token(7)), Some(7));
        assert_eq!(decode_token("garbage"), None);
        let params = Params::from_query(None);
        let (first, next) = page((1..=5).rev().collect::<Vec<u64>>(), |n| *n, &params, 2).unwrap();
        assert_eq!(first, vec![5, 4]);
        let params = Params::from_query(Some(&format!("pageToken={}", next.unwrap())));
        let (second, _) = page((1..=5).rev().collect::<Vec<u64>>(), |n| *n, &params, 2).unwrap();
        assert_eq!(second, vec![3, 2]);
    }

    #[test]
    fn html_text_is_escaped_and_plain_text_is_not() {
        assert_eq!(
            html_escape("a <b> & \"c\"\nd"),
            "a &lt;b&gt; &amp; &quot;c&quot;<br>d"
        );
    }
}
