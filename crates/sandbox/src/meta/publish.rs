//! Publishing through the Graph API: Instagram content publishing
//! (containers, `media_publish`, the account's media, the publishing quota
//! and comments) on graph.facebook.com with Facebook Login tokens and on
//! graph.instagram.com with Instagram Login tokens, and Facebook Page posts
//! (`feed`, `photos`, videos on graph-video.facebook.com, comments).
//!
//! Media URLs are really downloaded ([`fetch`]) in spawned tasks; the
//! objects live in [`store::MetaPublishing`] inside the persisted state and
//! move through their state machines against the sandbox clock when read.
//! `/{v}/{id}` on graph.facebook.com is shared with Page and Instagram
//! account reads: ids this module knows go here, the rest to
//! [`super::nodes`].

mod ig;
mod page;
pub(crate) mod store;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::{caller, granted_pages, has_scope};
use crate::fetch::{self, Expect, FetchError};
use crate::graph::{GraphCall, GraphError};
use crate::params::Params;
use crate::seed::{IgAccount, MetaPage, instagram_account, meta_user};
use crate::state::{TokenKind, TokenRecord};
use crate::{Platform, Sandbox};
use store::{Fetch, FetchTarget, Node, decode_cursor, encode_cursor};

pub(super) use ig::{COMMENT_FIELDS as IG_COMMENT_FIELDS, comment_json as ig_comment_json};
pub(super) use page::{COMMENT_FIELDS as PAGE_COMMENT_FIELDS, comment_json as page_comment_json};
pub(crate) use store::MetaPublishing;

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/graph.facebook.com/{ver}/{id}/{edge}",
            get(facebook_edge)
                .post(facebook_edge)
                .delete(super::subscriptions::delete_facebook_edge),
        )
        .route(
            "/graph-video.facebook.com/{ver}/{id}/{edge}",
            post(video_edge),
        )
        .route(
            "/graph.instagram.com/{ver}/{id}",
            get(instagram_node)
                .post(super::engage::write_instagram_node)
                .delete(super::engage::write_instagram_node),
        )
        .route(
            "/graph.instagram.com/{ver}/{id}/{edge}",
            get(instagram_edge)
                .post(instagram_edge)
                .delete(super::subscriptions::delete_instagram_edge),
        )
}

/// The Graph host a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// graph.facebook.com (and graph-video.facebook.com): Facebook Login.
    Facebook,
    /// graph.instagram.com: Instagram Login.
    Instagram,
}

impl Host {
    pub(super) fn name(self) -> &'static str {
        match self {
            Host::Facebook => "graph.facebook.com",
            Host::Instagram => "graph.instagram.com",
        }
    }

    fn platform(self) -> Platform {
        match self {
            Host::Facebook => Platform::Meta,
            Host::Instagram => Platform::Instagram,
        }
    }

    pub(super) fn app_id(self, sb: &Sandbox) -> String {
        match self {
            Host::Facebook => sb.config().meta.client_id.clone(),
            Host::Instagram => sb.config().instagram.client_id.clone(),
        }
    }

    /// Reading the account's media, containers and quota.
    fn basic_scope(self) -> &'static str {
        match self {
            Host::Facebook => "instagram_basic",
            Host::Instagram => "instagram_business_basic",
        }
    }

    fn publish_scope(self) -> &'static str {
        match self {
            Host::Facebook => "instagram_content_publish",
            Host::Instagram => "instagram_business_content_publish",
        }
    }

    pub(super) fn comments_scope(self) -> &'static str {
        match self {
            Host::Facebook => "instagram_manage_comments",
            Host::Instagram => "instagram_business_manage_comments",
        }
    }
}

// ------------------------------------------------------------- routing

/// `GET graph.facebook.com/{v}/{id}`: publishing objects here, Pages,
/// Instagram accounts and users in [`super::nodes`].
pub(super) async fn facebook_node(
    State(sb): State<Sandbox>,
    Path((ver, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match sb.read(|st| st.meta_publishing().node(&id)) {
        Some(node) => node_response(sb, Host::Facebook, ver, id, Some(node), query, headers).await,
        None if sb.read(|st| st.meta_publishing().find_comment(&id).is_some()) => {
            super::engage::read_comment(sb, Host::Facebook, ver, id, query, headers).await
        }
        None => {
            super::nodes::get_object(State(sb), Path((ver, id)), RawQuery(query), headers).await
        }
    }
}

async fn instagram_node(
    State(sb): State<Sandbox>,
    Path((ver, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let node = sb.read(|st| st.meta_publishing().node(&id));
    if node.is_none() && sb.read(|st| st.meta_publishing().find_comment(&id).is_some()) {
        return super::engage::read_comment(sb, Host::Instagram, ver, id, query, headers).await;
    }
    node_response(sb, Host::Instagram, ver, id, node, query, headers).await
}

async fn node_response(
    sb: Sandbox,
    host: Host,
    ver: String,
    id: String,
    node: Option<Node>,
    query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let endpoint = match &node {
        Some(Node::Container(_)) => "instagram.container_status",
        Some(Node::Post(_) | Node::Photo(_) | Node::Video(_)) if host == Host::Facebook => {
            "facebook.object"
        }
        _ => "instagram.media_get",
    };
    let app_id = host.app_id(&sb);
    let mut call = GraphCall::begin(&sb, endpoint, &app_id, query.as_deref(), &headers, &[]).await;
    let result = match node {
        Some(Node::Container(account)) => {
            ig::container_status(&sb, host, &ver, &id, &account, &mut call)
        }
        Some(Node::Media(account)) => ig::get_media(&sb, host, &ver, &id, &account, &mut call),
        Some(node @ (Node::Post(_) | Node::Photo(_) | Node::Video(_)))
            if host == Host::Facebook =>
        {
            page::get_object(&sb, &ver, &id, &node, &mut call)
        }
        _ => unknown_object(&sb, host, &ver, &id, &mut call, "get"),
    };
    call.finish(result)
}

async fn facebook_edge(
    State(sb): State<Sandbox>,
    Path(path): Path<(String, String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    edge_response(sb, Host::Facebook, path, method, query, headers, body).await
}

async fn instagram_edge(
    State(sb): State<Sandbox>,
    Path(path): Path<(String, String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    edge_response(sb, Host::Instagram, path, method, query, headers, body).await
}

/// graph-video.facebook.com: only Page video uploads.
async fn video_edge(
    State(sb): State<Sandbox>,
    Path((ver, id, edge)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app_id = Host::Facebook.app_id(&sb);
    let endpoint = if edge == "videos" {
        "facebook.videos"
    } else {
        "meta.object"
    };
    let mut call =
        GraphCall::begin(&sb, endpoint, &app_id, query.as_deref(), &headers, &body).await;
    let result = if edge == "videos" {
        page::create_video(&sb, &ver, &id, &mut call)
    } else {
        Err(GraphError::unknown_path(&format!("/{edge}")))
    };
    call.finish(result)
}

/// An edge call (`/{ver}/{id}/{edge}`, the `path`) on either Graph host.
async fn edge_response(
    sb: Sandbox,
    host: Host,
    path: (String, String, String),
    method: Method,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if path.2 == "subscribed_apps" {
        return super::subscriptions::respond(
            &sb,
            host,
            (&path.0, &path.1),
            &method,
            query.as_deref(),
            &headers,
            &body,
        )
        .await;
    }
    if let Some(response) =
        super::insights::edge(&sb, host, &path, &method, query.as_deref(), &headers).await
    {
        return response;
    }
    if let Some(response) =
        super::engage::edge(&sb, host, &path, &method, query.as_deref(), &headers, &body).await
    {
        return response;
    }
    let (ver, id, edge) = path;
    let node = sb.read(|st| st.meta_publishing().node(&id));
    let get = method == Method::GET;
    let facebook = host == Host::Facebook;
    let endpoint: &'static str = match edge.as_str() {
        "media" if get => "instagram.media_list",
        "stories" => "instagram.media_list",
        "media" => "instagram.media_create",
        "media_publish" => "instagram.media_publish",
        "content_publishing_limit" => "instagram.publishing_limit",
        "comments" => match &node {
            Some(Node::Media(_)) => "instagram.comments",
            Some(_) => "facebook.comments",
            None if facebook => "facebook.comments",
            None => "instagram.comments",
        },
        "published_posts" | "posts" if facebook && get => "facebook.published_posts",
        "feed" if facebook => "facebook.feed",
        "photos" if facebook => "facebook.photos",
        "videos" if facebook => "facebook.videos",
        _ => "meta.object",
    };
    let app_id = host.app_id(&sb);
    let mut call =
        GraphCall::begin(&sb, endpoint, &app_id, query.as_deref(), &headers, &body).await;
    let c = &mut call;
    let result = match (endpoint, get, &node) {
        ("instagram.media_create", _, _) => ig::create_container(&sb, host, &ver, &id, c),
        ("instagram.media_list", true, _) => ig::list_media(&sb, host, &ver, &id, &edge, c),
        ("instagram.media_publish", false, _) => ig::publish(&sb, host, &ver, &id, c),
        ("instagram.publishing_limit", true, _) => ig::publishing_limit(&sb, host, &ver, &id, c),
        ("instagram.comments", _, Some(Node::Media(account))) => {
            if get {
                ig::list_comments(&sb, host, &ver, &id, account, c)
            } else {
                ig::create_comment(&sb, host, &ver, &id, account, c)
            }
        }
        ("facebook.comments", _, Some(node)) => {
            if get {
                page::list_comments(&sb, &ver, &id, node, c)
            } else {
                page::create_comment(&sb, &ver, &id, node, c)
            }
        }
        ("facebook.published_posts", _, None) => page::list_posts(&sb, &ver, &id, &edge, c),
        ("facebook.feed", true, None) => page::list_feed(&sb, &ver, &id, c),
        ("facebook.feed", false, None) => page::create_feed_post(&sb, &ver, &id, c),
        ("facebook.photos", false, None) => page::create_photo(&sb, &ver, &id, c).await,
        ("facebook.videos", true, None) => page::list_videos(&sb, &ver, &id, c),
        ("facebook.videos", false, None) => page::create_video(&sb, &ver, &id, c),
        ("meta.object", _, _) => Err(GraphError::unknown_path(&format!("/{edge}"))),
        _ => unknown_object(&sb, host, &ver, &id, c, if get { "get" } else { "post" }),
    };
    call.finish(result)
}

/// An id this token cannot see (or a method the node does not take):
/// Graph's "Unsupported get/post request", after the token checks.
fn unknown_object(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
    method: &str,
) -> Result<Value, GraphError> {
    crate::graph::check_version(ver)?;
    match host {
        Host::Facebook => {
            caller(sb, call, GraphError::no_token)?;
        }
        Host::Instagram => {
            instagram_caller(sb, call)?;
        }
    }
    call.fault(sb, crate::graph::Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    Err(unsupported(method, id))
}

// ---------------------------------------------------------------- auth

/// Graph's answer for an object that does not exist or is not visible to
/// the token.
pub(super) fn unsupported(method: &str, id: &str) -> GraphError {
    GraphError::new(
        100,
        format!("Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"),
    )
    .kind("GraphMethodException")
    .subcode(33)
}

/// An Instagram Login token, or the Graph error for it.
pub(super) fn instagram_caller(sb: &Sandbox, call: &GraphCall) -> Result<TokenRecord, GraphError> {
    let token = call
        .token
        .clone()
        .filter(|t| !t.contains('|'))
        .ok_or_else(GraphError::no_token)?;
    let now = sb.now();
    sb.read(|st| st.check(&token, Platform::Instagram, now).cloned())
        .map_err(|problem| GraphError::from_problem(problem, &call.app_id, now))
}

/// Who acts for an Instagram account: the account and the token's record.
pub(super) struct IgActor {
    pub account: IgAccount,
    pub record: TokenRecord,
}

/// The caller, when its token may act for the Instagram account `account`
/// (`me` on graph.instagram.com): the Page token of the linked Page or its
/// manager's user token on graph.facebook.com, the account's own Instagram
/// Login token on graph.instagram.com. `shown` is the id named in errors.
pub(super) fn ig_actor(
    sb: &Sandbox,
    call: &GraphCall,
    host: Host,
    account: &str,
    shown: &str,
    method: &str,
) -> Result<IgActor, GraphError> {
    match host {
        Host::Facebook => {
            let (_, record) = caller(sb, call, GraphError::no_token)?;
            let user = meta_user(&record.user, &sb.config().public_base);
            let pages: Vec<MetaPage> = if record.kind == TokenKind::MetaPage {
                user.pages
                    .into_iter()
                    .filter(|p| Some(&p.id) == record.page_id.as_ref())
                    .collect()
            } else {
                granted_pages(sb, &record)
            };
            let page = pages
                .into_iter()
                .find(|p| p.ig.id == account)
                .ok_or_else(|| unsupported(method, shown))?;
            Ok(IgActor {
                account: page.ig,
                record,
            })
        }
        Host::Instagram => {
            let record = instagram_caller(sb, call)?;
            let ig = instagram_account(&record.user, &sb.config().public_base);
            if account != ig.id && account != "me" {
                return Err(unsupported(method, shown));
            }
            Ok(IgActor {
                account: ig,
                record,
            })
        }
    }
}

/// Who acts for a Page.
pub(super) struct PageActor {
    pub page: MetaPage,
    pub record: TokenRecord,
    /// Whether the token is the Page's own (required for writing).
    pub page_token: bool,
}

pub(super) fn page_actor(
    sb: &Sandbox,
    call: &GraphCall,
    page_id: &str,
    shown: &str,
    method: &str,
) -> Result<PageActor, GraphError> {
    let (_, record) = caller(sb, call, GraphError::no_token)?;
    let page_token = record.kind == TokenKind::MetaPage;
    let user = meta_user(&record.user, &sb.config().public_base);
    let page = if page_token {
        user.pages
            .into_iter()
            .find(|p| Some(&p.id) == record.page_id.as_ref() && p.id == page_id)
    } else {
        granted_pages(sb, &record)
            .into_iter()
            .find(|p| p.id == page_id)
    }
    .ok_or_else(|| unsupported(method, shown))?;
    Ok(PageActor {
        page,
        record,
        page_token,
    })
}

pub(super) fn require_scope(
    record: &TokenRecord,
    scopes: &[&str],
    error: fn() -> GraphError,
) -> Result<(), GraphError> {
    if scopes.iter().any(|s| has_scope(record, s)) {
        Ok(())
    } else {
        Err(error())
    }
}

// ------------------------------------------------------------- helpers

/// The order of a listing that mixes seeded and published items: by time,
/// then by creation order (newest first when sorted descending).
pub(super) fn listing_key(at: Timestamp, seq: u64) -> u64 {
    ((at.as_second().max(0) as u64) << 32) | (seq & 0xFFFF_FFFF)
}

/// Puts up `page`'s processed videos, so their posts are there to list
/// and measure.
pub(super) fn settle_page_videos(sb: &Sandbox, page: &str) {
    page::settle(sb, page);
}

/// Graph's instants: `2026-01-01T00:00:00+0000`.
pub(super) fn graph_time(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%S%z")
        .to_string()
}

/// `true`, `1` (Graph's booleans in query and form parameters).
pub(super) fn truthy(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "true" | "1")
}

pub(super) fn falsy(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "false" | "0")
}

/// A `since` / `until` bound: unix seconds or an RFC 3339 instant.
pub(super) fn parse_instant(raw: &str) -> Option<Timestamp> {
    match raw.trim().parse::<i64>() {
        Ok(secs) => Timestamp::from_second(secs).ok(),
        Err(_) => raw.trim().parse::<Timestamp>().ok(),
    }
}

/// The `limit` parameter: default 25, at most 100.
pub(super) fn page_size(params: &Params) -> usize {
    params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100)
}

/// One page of a newest-first listing of items with sequence numbers,
/// with Graph's `paging` (cursors, `next`, `previous`).
pub(super) fn paged<T>(
    sb: &Sandbox,
    call: &GraphCall,
    path: &str,
    items: Vec<T>,
    seq: impl Fn(&T) -> u64,
    render: impl Fn(&T) -> Value,
) -> Result<Value, GraphError> {
    let limit = page_size(&call.params);
    let bad_cursor = || GraphError::param("(#100) The after/before cursor is invalid");
    let slice: Vec<&T> = match (call.params.get("after"), call.params.get("before")) {
        (Some(after), _) => {
            let after = decode_cursor(after).ok_or_else(bad_cursor)?;
            items
                .iter()
                .filter(|i| seq(i) < after)
                .take(limit)
                .collect()
        }
        (None, Some(before)) => {
            let before = decode_cursor(before).ok_or_else(bad_cursor)?;
            let newer: Vec<&T> = items.iter().filter(|i| seq(i) > before).collect();
            let skip = newer.len().saturating_sub(limit);
            newer.into_iter().skip(skip).collect()
        }
        _ => items.iter().take(limit).collect(),
    };
    let data: Vec<Value> = slice.iter().map(|i| render(i)).collect();
    let mut body = json!({ "data": data });
    if let (Some(first), Some(last)) = (slice.first(), slice.last()) {
        let (first, last) = (seq(first), seq(last));
        let mut paging = json!({
            "cursors": {"before": encode_cursor(first), "after": encode_cursor(last)}
        });
        let link = |name: &str, cursor: String| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in call.params.iter() {
                if !matches!(k, "after" | "before" | "access_token") {
                    q.append_pair(k, v);
                }
            }
            if let Some(token) = &call.token {
                q.append_pair("access_token", token);
            }
            q.append_pair("limit", &limit.to_string());
            q.append_pair(name, &cursor);
            sb.url(&format!("{path}?{}", q.finish()))
        };
        if items.iter().any(|i| seq(i) < last) {
            paging["next"] = json!(link("after", encode_cursor(last)));
        }
        if items.iter().any(|i| seq(i) > first) {
            paging["previous"] = json!(link("before", encode_cursor(first)));
        }
        body["paging"] = paging;
    }
    Ok(body)
}

/// Downloads `url` in the background and reports to `target`; failures
/// carry Instagram's subcodes (Facebook videos show the message).
pub(super) fn spawn_fetch(sb: &Sandbox, target: FetchTarget, url: String, expect: Expect) {
    let sb = sb.clone();
    let timeout = Duration::from_millis(sb.config().limits.media_fetch_timeout_ms);
    tokio::spawn(async move {
        let result = fetch::fetch(&sb, &url, expect, timeout).await;
        let at = sb.now();
        let outcome = match result {
            Ok(bytes) => Fetch::Done { bytes, at },
            Err(error) => {
                let (subcode, message) = failure(expect, &error);
                Fetch::Failed {
                    subcode,
                    message,
                    at,
                }
            }
        };
        sb.update(|st| st.meta_publishing_mut().finish_fetch(&target, outcome));
    });
}

/// Instagram's subcode and text for a failed download.
fn failure(expect: Expect, error: &FetchError) -> (i64, String) {
    match (expect, error) {
        (Expect::Video, FetchError::Download(why)) => (
            2207077,
            format!("The video could not be downloaded from video_url ({why})."),
        ),
        (_, FetchError::Download(why)) => (
            2207052,
            format!("The media could not be fetched from the URI ({why})."),
        ),
        (Expect::Video, FetchError::Format) => (
            2207026,
            "The video format is not supported. Use an MP4 or MOV file.".into(),
        ),
        (_, FetchError::Format) => (
            2207005,
            "The image format is not supported. Only JPEG images can be published.".into(),
        ),
    }
}
