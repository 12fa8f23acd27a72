//! Instagram content publishing, the same on graph.facebook.com (Page or
//! user tokens of the linked Page) and graph.instagram.com (Instagram Login
//! tokens): containers, their status, `media_publish` with the 24-hour
//! quota, the account's media and stories, one media, the quota and
//! comments.

use serde_json::{Value, json};

use super::store::{
    Comment, Container, ContainerKind, ContainerStatus, DAY, Fetch, FetchTarget, IgMedia, MediaKind,
};
use super::{
    Host, graph_time, ig_actor, listing_key, paged, parse_instant, require_scope, spawn_fetch,
    truthy,
};
use crate::Sandbox;
use crate::fetch::Expect;
use crate::graph::{Budget, GraphCall, GraphError, check_version, requested_fields, select};
use crate::meta::insights;
use crate::oauth::random_b64url;

const CAPTION_MAX: usize = 2200;

const CONTAINER_FIELDS: &[&str] = &["id", "status_code", "status", "copyright_check_status"];

const MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "permalink",
    "shortcode",
    "timestamp",
    "username",
    "comments_count",
    "like_count",
    "is_comment_enabled",
    "owner",
];

pub(crate) const COMMENT_FIELDS: &[&str] = &[
    "id",
    "text",
    "timestamp",
    "username",
    "like_count",
    "from",
    "hidden",
    "parent_id",
];

// ------------------------------------------------------------ catalogue

fn caption_too_long() -> GraphError {
    GraphError::new(
        100,
        "The caption is too long. Captions can have at most 2,200 characters.",
    )
    .subcode(2207010)
}

fn unsupported_type(what: &str) -> GraphError {
    GraphError::new(100, format!("The media type {what} is not supported here.")).subcode(2207023)
}

fn carousel_invalid(why: impl Into<String>) -> GraphError {
    GraphError::new(100, format!("Carousel validation failed: {}", why.into())).subcode(2207028)
}

/// 9007/2207027: the container is not FINISHED yet (retry later).
fn not_ready() -> GraphError {
    GraphError::new(9007, "Media ID is not available").subcode(2207027)
}

fn expired() -> GraphError {
    GraphError::new(
        -2,
        "The media container has expired. Create a new container and publish it within 24 hours.",
    )
    .subcode(2207020)
}

/// Publishing a container twice. Graph's own answer is undocumented; the
/// sandbox picks 9004/2207008 (the "media builder" family).
fn already_published() -> GraphError {
    GraphError::new(
        9004,
        "The media builder was already used: this container has been published.",
    )
    .subcode(2207008)
}

fn daily_limit(total: u32) -> GraphError {
    GraphError::new(
        9,
        format!("Application request limit reached: the account has published {total} posts in the past 24 hours, the most the Content Publishing API allows."),
    )
    .subcode(2207042)
}

/// 400 containers a day. Graph's code is undocumented; the sandbox answers
/// code 9 without a subcode.
fn container_limit(total: u32) -> GraphError {
    GraphError::new(
        9,
        format!(
            "(#9) The account created {total} media containers in the past 24 hours, the most allowed. Try again later."
        ),
    )
}

fn media_not_found(id: &str) -> GraphError {
    GraphError::new(
        100,
        format!("The media container {id} does not exist or does not belong to this account."),
    )
    .subcode(2207006)
}

fn required(name: &str) -> GraphError {
    GraphError::param(format!("(#100) The parameter {name} is required"))
}

/// Renders the fault, checks the app budget and charges the account's
/// business use case budget.
fn charge(sb: &Sandbox, call: &mut GraphCall, account: &str) -> Result<(), GraphError> {
    call.fault(sb, Budget::Instagram(account), GraphError::no_permission)?;
    call.check_app_budget()?;
    call.charge_object(sb, Budget::Instagram(account))
}

// ------------------------------------------------------------ containers

pub(super) fn create_container(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, id, id, "post")?;
    let account = actor.account.id.clone();
    charge(sb, call, &account)?;
    require_scope(
        &actor.record,
        &[host.publish_scope()],
        GraphError::no_permission,
    )?;
    let p = &call.params;
    let caption = p.get("caption").unwrap_or("").to_owned();
    if caption.chars().count() > CAPTION_MAX {
        return Err(caption_too_long());
    }
    let media_type = p.non_empty("media_type").map(str::to_ascii_uppercase);
    let item = p.get("is_carousel_item").is_some_and(truthy);
    let image_url = p.non_empty("image_url").map(str::to_owned);
    let video_url = p.non_empty("video_url").map(str::to_owned);
    let (kind, media, url) = match (media_type.as_deref(), item) {
        (Some("CAROUSEL"), _) => (ContainerKind::Carousel, MediaKind::Image, None),
        (Some("REELS"), false) => (
            ContainerKind::Reel,
            MediaKind::Video,
            Some(video_url.ok_or_else(|| required("video_url"))?),
        ),
        (Some("STORIES"), false) => match (image_url, video_url) {
            (Some(url), None) => (ContainerKind::Story, MediaKind::Image, Some(url)),
            (None, Some(url)) => (ContainerKind::Story, MediaKind::Video, Some(url)),
            _ => {
                return Err(GraphError::param(
                    "(#100) A story takes exactly one of image_url and video_url",
                ));
            }
        },
        (Some("VIDEO"), true) => (
            ContainerKind::CarouselItem,
            MediaKind::Video,
            Some(video_url.ok_or_else(|| required("video_url"))?),
        ),
        (None | Some("IMAGE"), true) => (
            ContainerKind::CarouselItem,
            MediaKind::Image,
            Some(image_url.ok_or_else(|| required("image_url"))?),
        ),
        (None | Some("IMAGE"), false) => (
            ContainerKind::Image,
            MediaKind::Image,
            Some(image_url.ok_or_else(|| required("image_url"))?),
        ),
        (Some("VIDEO"), false) => {
            return Err(unsupported_type(
                "VIDEO (single videos are published as REELS)",
            ));
        }
        (Some(other), _) => return Err(unsupported_type(other)),
    };
    if let Some(offset) = p.non_empty("thumb_offset")
        && offset.parse::<u64>().is_err()
    {
        return Err(GraphError::param("(#100) thumb_offset must be an integer").subcode(2207057));
    }
    let now = sb.now();
    let limits = sb.config().limits.clone();
    let mut children = Vec::new();
    if kind == ContainerKind::Carousel {
        if p.non_empty("collaborators").is_some() {
            return Err(GraphError::param(
                "(#100) param collaborators is not allowed for carousel posts",
            ));
        }
        let raw = p
            .non_empty("children")
            .ok_or_else(|| required("children"))?;
        children = raw
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|c| c.trim().trim_matches('"').to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        if !(2..=10).contains(&children.len()) {
            return Err(carousel_invalid("a carousel has 2 to 10 children"));
        }
        let problem = sb.read(|st| {
            children.iter().find_map(|child| {
                let store = st.meta_publishing();
                match store.container(child) {
                    Some(c) if c.account == account && c.kind == ContainerKind::CarouselItem => {
                        let (status, text) = c.status(now, &limits);
                        (status != ContainerStatus::Finished)
                            .then(|| format!("child {child} is {} ({text})", status.code()))
                    }
                    _ => Some(format!(
                        "child {child} is not a carousel item container of this account"
                    )),
                }
            })
        });
        if let Some(problem) = problem {
            return Err(carousel_invalid(problem));
        }
    }
    let created = sb.read(|st| st.meta_publishing().containers_since(&account, now - DAY));
    if created >= limits.instagram_containers_per_day as usize {
        return Err(container_limit(limits.instagram_containers_per_day));
    }
    let container_id = sb.update(|st| {
        let store = st.meta_publishing_mut();
        let cid = store.fresh_id("1790", 17);
        store.insert_container(Container {
            id: cid.clone(),
            account: account.clone(),
            username: actor.account.username.clone(),
            platform: host.platform(),
            kind,
            media,
            url: url.clone(),
            caption,
            children,
            created_at: now,
            fetch: if url.is_some() {
                Fetch::Pending
            } else {
                Fetch::Done { bytes: 0, at: now }
            },
            media_id: None,
        });
        cid
    });
    if let Some(url) = url {
        let expect = match media {
            MediaKind::Image => Expect::Jpeg,
            MediaKind::Video => Expect::Video,
        };
        spawn_fetch(
            sb,
            FetchTarget::Container(container_id.clone()),
            url,
            expect,
        );
    }
    Ok(json!({ "id": container_id }))
}

pub(super) fn container_status(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    account: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, account, id, "get")?;
    charge(sb, call, account)?;
    require_scope(
        &actor.record,
        &[host.basic_scope(), host.publish_scope()],
        GraphError::no_permission,
    )?;
    let fields = requested_fields(
        &call.params,
        &["id"],
        CONTAINER_FIELDS,
        "ShadowIGMediaBuilder",
    )?;
    let now = sb.now();
    let limits = sb.config().limits.clone();
    let container = sb
        .read(|st| st.meta_publishing().container(id).cloned())
        .ok_or_else(|| super::unsupported("get", id))?;
    let (status, text) = container.status(now, &limits);
    Ok(select(&fields, |f| match f.name.as_str() {
        "id" => Some(json!(container.id)),
        "status_code" => Some(json!(status.code())),
        "status" => Some(json!(text)),
        "copyright_check_status" => Some(json!({
            "matches_found": false,
            "status": if status == ContainerStatus::InProgress { "in_progress" } else { "completed" },
        })),
        _ => None,
    }))
}

// --------------------------------------------------------------- publish

pub(super) fn publish(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, id, id, "post")?;
    let account = actor.account.id.clone();
    charge(sb, call, &account)?;
    require_scope(
        &actor.record,
        &[host.publish_scope()],
        GraphError::no_permission,
    )?;
    let creation_id = call
        .params
        .non_empty("creation_id")
        .ok_or_else(|| required("creation_id"))?
        .to_owned();
    let now = sb.now();
    let limits = sb.config().limits.clone();
    let username = actor.account.username.clone();
    sb.update(|st| {
        let store = st.meta_publishing_mut();
        let container = store
            .container(&creation_id)
            .filter(|c| c.account == account)
            .cloned()
            .ok_or_else(|| media_not_found(&creation_id))?;
        if container.kind == ContainerKind::CarouselItem {
            return Err(carousel_invalid(
                "carousel items are published through their carousel container",
            ));
        }
        match container.status(now, &limits) {
            (ContainerStatus::Finished, _) => {}
            (ContainerStatus::InProgress, _) => return Err(not_ready()),
            (ContainerStatus::Expired, _) => return Err(expired()),
            (ContainerStatus::Published, _) => return Err(already_published()),
            (ContainerStatus::Error, text) => {
                let subcode = match &container.fetch {
                    Fetch::Failed { subcode, .. } => *subcode,
                    _ => 2207032,
                };
                return Err(GraphError::new(
                    100,
                    format!("The media container cannot be published: {text}"),
                )
                .subcode(subcode));
            }
        }
        if store.publishes_since(&account, now - DAY) >= limits.instagram_publishes_per_day as usize
        {
            return Err(daily_limit(limits.instagram_publishes_per_day));
        }
        let media_id = store.fresh_id("1800", 17);
        let shortcode: String = random_b64url(8).chars().take(11).collect();
        let permalink = match container.kind {
            ContainerKind::Reel => format!("https://www.instagram.com/reel/{shortcode}/"),
            ContainerKind::Story => {
                format!("https://www.instagram.com/stories/{username}/{media_id}/")
            }
            _ => format!("https://www.instagram.com/p/{shortcode}/"),
        };
        let seq = store.next_seq();
        let media = IgMedia {
            id: media_id.clone(),
            account: account.clone(),
            username: username.clone(),
            kind: container.kind,
            media: container.media,
            caption: container.caption.clone(),
            shortcode,
            permalink,
            timestamp: now,
            seq,
            container: container.id.clone(),
            comments: Vec::new(),
        };
        let record = store.publish(&creation_id, media);
        st.record_published(record);
        Ok(json!({ "id": media_id }))
    })
}

// ----------------------------------------------------------------- media

/// A media with `fields`; `counts` are its like and comment counts.
fn media_json(media: &IgMedia, fields: &[crate::params::GraphField], counts: (i64, i64)) -> Value {
    let story = media.kind == ContainerKind::Story;
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(media.id)),
        "caption" => (!story).then(|| json!(media.caption)),
        "media_type" => Some(json!(media.media_type())),
        "media_product_type" => Some(json!(media.product_type())),
        "permalink" => Some(json!(media.permalink)),
        "shortcode" => Some(json!(media.shortcode)),
        "timestamp" => Some(json!(graph_time(media.timestamp))),
        "username" => Some(json!(media.username)),
        "comments_count" => Some(json!(counts.1)),
        "like_count" => Some(json!(counts.0)),
        "is_comment_enabled" => Some(json!(!story)),
        "owner" => Some(json!({ "id": media.account })),
        _ => None,
    })
}

/// `GET /{ig-user-id}/media` (feed and reels, newest first: the seeded
/// history and what was published here) and `/{ig-user-id}/stories`
/// (stories of the last 24 hours).
pub(super) fn list_media(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    edge: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, id, id, "get")?;
    let account = actor.account.id.clone();
    charge(sb, call, &account)?;
    require_scope(
        &actor.record,
        &[host.basic_scope()],
        GraphError::no_permission,
    )?;
    let fields = requested_fields(&call.params, &["id"], MEDIA_FIELDS, "IGMedia")?;
    let now = sb.now();
    let today = insights::today(sb);
    let stories = edge == "stories";
    let since = call.params.get("since").and_then(parse_instant);
    let until = call.params.get("until").and_then(parse_instant);
    let mut items: Vec<IgMedia> = sb.read(|st| {
        st.meta_publishing()
            .media_of(&account)
            .into_iter()
            .filter(|m| {
                if stories {
                    m.kind == ContainerKind::Story && m.timestamp > now - DAY
                } else {
                    m.kind != ContainerKind::Story
                }
            })
            .cloned()
            .collect()
    });
    if !stories {
        items.extend(
            insights::seeded_media(&account, today)
                .into_iter()
                .map(|s| seeded_media(&account, &actor.account.username, s)),
        );
    }
    items.retain(|m| {
        since.is_none_or(|s| m.timestamp >= s) && until.is_none_or(|u| m.timestamp < u)
    });
    items.sort_by_key(|m| std::cmp::Reverse(listing_key(m.timestamp, m.seq)));
    let path = format!("/{}/{ver}/{id}/{edge}", host.name());
    paged(
        sb,
        call,
        &path,
        items,
        |m| listing_key(m.timestamp, m.seq),
        |m| media_json(m, &fields, counts(&account, m, today)),
    )
}

/// A seeded post as the store's media (it is never stored).
fn seeded_media(account: &str, username: &str, s: insights::SeededPost) -> IgMedia {
    let reel = s.post.format == insights::Format::Reel;
    IgMedia {
        id: s.post.id,
        account: account.to_owned(),
        username: username.to_owned(),
        kind: match s.post.format {
            insights::Format::Reel => ContainerKind::Reel,
            insights::Format::Carousel => ContainerKind::Carousel,
            _ => ContainerKind::Image,
        },
        media: if reel {
            MediaKind::Video
        } else {
            MediaKind::Image
        },
        caption: s.caption,
        permalink: if reel {
            format!("https://www.instagram.com/reel/{}/", s.shortcode)
        } else {
            format!("https://www.instagram.com/p/{}/", s.shortcode)
        },
        shortcode: s.shortcode,
        timestamp: s.post.at,
        seq: 0,
        container: String::new(),
        comments: Vec::new(),
    }
}

/// A media's like and comment counts today.
fn counts(account: &str, media: &IgMedia, today: i64) -> (i64, i64) {
    insights::media_counts(
        account,
        &insights::media_post(media),
        media.comments.len(),
        today,
    )
}

pub(super) fn get_media(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    account: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, account, id, "get")?;
    charge(sb, call, account)?;
    require_scope(
        &actor.record,
        &[host.basic_scope()],
        GraphError::no_permission,
    )?;
    let fields = requested_fields(&call.params, &["id"], MEDIA_FIELDS, "IGMedia")?;
    let media = sb
        .read(|st| st.meta_publishing().media(id).cloned())
        .ok_or_else(|| super::unsupported("get", id))?;
    let today = insights::today(sb);
    Ok(media_json(&media, &fields, counts(account, &media, today)))
}

pub(super) fn publishing_limit(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, id, id, "get")?;
    let account = actor.account.id.clone();
    charge(sb, call, &account)?;
    require_scope(
        &actor.record,
        &[host.basic_scope(), host.publish_scope()],
        GraphError::no_permission,
    )?;
    let fields = requested_fields(
        &call.params,
        &["quota_usage"],
        &["quota_usage", "config"],
        "ContentPublishingLimit",
    )?;
    let now = sb.now();
    let from = match call.params.get("since").and_then(parse_instant) {
        Some(since) => since.max(now - DAY),
        None => now - DAY,
    };
    let usage = sb.read(|st| st.meta_publishing().publishes_since(&account, from));
    let total = sb.config().limits.instagram_publishes_per_day;
    let entry = select(&fields, |f| match f.name.as_str() {
        "quota_usage" => Some(json!(usage)),
        "config" => Some(json!({"quota_total": total, "quota_duration": 86_400})),
        _ => None,
    });
    Ok(json!({ "data": [entry] }))
}

// -------------------------------------------------------------- comments

pub(super) fn create_comment(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    account: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, account, id, "post")?;
    charge(sb, call, account)?;
    require_scope(
        &actor.record,
        &[host.comments_scope()],
        GraphError::no_permission,
    )?;
    let message = call
        .params
        .non_empty("message")
        .ok_or_else(|| required("message"))?
        .to_owned();
    if message.chars().count() > CAPTION_MAX {
        return Err(GraphError::param(
            "(#100) A comment can have at most 2,200 characters",
        ));
    }
    let now = sb.now();
    sb.update(|st| {
        let store = st.meta_publishing_mut();
        let comment_id = store.fresh_id("1791", 17);
        let media = store
            .media_mut(id)
            .ok_or_else(|| super::unsupported("post", id))?;
        if media.kind == ContainerKind::Story {
            return Err(GraphError::param("(#100) Stories cannot be commented on"));
        }
        media.comments.push(Comment::new(
            comment_id.clone(),
            message,
            now,
            actor.account.id.clone(),
            actor.account.username.clone(),
        ));
        Ok(json!({ "id": comment_id }))
    })
}

pub(super) fn list_comments(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    account: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = ig_actor(sb, call, host, account, id, "get")?;
    charge(sb, call, account)?;
    require_scope(
        &actor.record,
        &[host.basic_scope(), host.comments_scope()],
        GraphError::no_permission,
    )?;
    let fields = requested_fields(
        &call.params,
        &["timestamp", "text", "id"],
        COMMENT_FIELDS,
        "IGComment",
    )?;
    let media = sb
        .read(|st| st.meta_publishing().media(id).cloned())
        .ok_or_else(|| super::unsupported("get", id))?;
    // Top-level comments, newest first; the position (1-based from the
    // oldest) is the cursor. Replies are under `/{ig-comment-id}/replies`.
    let mut items: Vec<(u64, Comment)> = media
        .comments
        .iter()
        .filter(|c| c.parent.is_none())
        .cloned()
        .enumerate()
        .map(|(i, c)| (i as u64 + 1, c))
        .collect();
    items.reverse();
    let path = format!("/{}/{ver}/{id}/comments", host.name());
    paged(
        sb,
        call,
        &path,
        items,
        |(seq, _)| *seq,
        |(_, c)| comment_json(c, &fields),
    )
}

/// An Instagram comment with the requested `fields`.
pub(crate) fn comment_json(c: &Comment, fields: &[crate::params::GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(c.id)),
        "text" => Some(json!(c.text)),
        "timestamp" => Some(json!(graph_time(c.at))),
        "username" => Some(json!(c.from_name)),
        "like_count" => Some(json!(0)),
        "from" => Some(json!({"id": c.from_id, "username": c.from_name})),
        "hidden" => Some(json!(c.hidden)),
        "parent_id" => c.parent.as_ref().map(|p| json!(p)),
        _ => None,
    })
}
