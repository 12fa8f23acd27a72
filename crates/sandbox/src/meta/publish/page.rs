//! Facebook Page publishing with the Page's own token: text and link posts
//! (`/feed`), photos fetched from `url` (`/photos`), videos fetched from
//! `file_url` on graph-video.facebook.com that go up once processed, the
//! Page's feed and videos, single posts, photos and videos, and comments.

use std::time::Duration;

use serde_json::{Value, json};

use super::store::{Comment, Fetch, FetchTarget, Node, PagePost, PageVideo, VideoStatus};
use super::{
    PageActor, falsy, graph_time, has_scope, listing_key, page_actor, paged, parse_instant,
    require_scope,
};
use crate::fetch::{self, Expect, FetchError};
use crate::graph::{Budget, GraphCall, GraphError, check_version, requested_fields, select};
use crate::meta::insights;
use crate::params::GraphField;
use crate::{Platform, PublishedPost, Sandbox};

const POST_FIELDS: &[&str] = &[
    "id",
    "message",
    "created_time",
    "updated_time",
    "permalink_url",
    "is_published",
    "from",
    "status_type",
    "link",
];

const PHOTO_FIELDS: &[&str] = &[
    "id",
    "name",
    "created_time",
    "link",
    "page_story_id",
    "from",
];

const VIDEO_FIELDS: &[&str] = &[
    "id",
    "description",
    "title",
    "created_time",
    "updated_time",
    "status",
    "permalink_url",
    "post_id",
    "published",
    "from",
];

pub(crate) const COMMENT_FIELDS: &[&str] = &[
    "id",
    "message",
    "created_time",
    "from",
    "is_hidden",
    "parent",
];

// ------------------------------------------------------------ catalogue

fn write_permission() -> GraphError {
    GraphError::new(
        200,
        "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission",
    )
}

fn read_permission() -> GraphError {
    GraphError::new(
        10,
        "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content Access' feature.",
    )
}

/// What commenting as the Page takes (Meta's comments guide).
const COMMENT_SCOPES: &[&str] = &[
    "pages_manage_engagement",
    "pages_read_engagement",
    "pages_read_user_engagement",
];

/// Graph's refusal of a comment for want of a permission, as production
/// clients recorded it.
fn comment_permission() -> GraphError {
    GraphError::new(
        200,
        "(#200) You do not have sufficient permissions to perform this action",
    )
}

fn missing_message() -> GraphError {
    GraphError::param("(#100) Missing message or attachment")
}

/// The actor for writing to `page_id`: its Page token with
/// `pages_manage_posts` (and `scopes`), fault and budgets applied.
fn writer(
    sb: &Sandbox,
    call: &mut GraphCall,
    page_id: &str,
    shown: &str,
    scopes: &[&str],
) -> Result<PageActor, GraphError> {
    let actor = page_actor(sb, call, page_id, shown, "post")?;
    charge(sb, call, &actor, write_permission)?;
    if !actor.page_token {
        return Err(write_permission());
    }
    require_scope(&actor.record, scopes, write_permission)?;
    Ok(actor)
}

fn reader(
    sb: &Sandbox,
    call: &mut GraphCall,
    page_id: &str,
    shown: &str,
) -> Result<PageActor, GraphError> {
    let actor = page_actor(sb, call, page_id, shown, "get")?;
    charge(sb, call, &actor, read_permission)?;
    require_scope(&actor.record, &["pages_read_engagement"], read_permission)?;
    Ok(actor)
}

fn charge(
    sb: &Sandbox,
    call: &mut GraphCall,
    actor: &PageActor,
    missing: fn() -> GraphError,
) -> Result<(), GraphError> {
    let budget = if actor.page_token {
        Budget::Page(&actor.page.id)
    } else {
        Budget::App
    };
    call.fault(sb, budget, missing)?;
    call.check_app_budget()?;
    call.charge_object(sb, budget)
}

/// Puts up the Page's processed videos (recording them as published).
pub(super) fn settle(sb: &Sandbox, page: &str) {
    let now = sb.now();
    let limits = sb.config().limits.clone();
    let pending = sb.read(|st| {
        st.meta_publishing()
            .videos_of(page)
            .iter()
            .any(|v| v.post_id.is_none() && !matches!(v.fetch, Fetch::Failed { .. }))
    });
    if pending {
        sb.update(|st| {
            for record in st.meta_publishing_mut().settle_videos(page, now, &limits) {
                st.record_published(record);
            }
        });
    }
}

fn published_flag(call: &GraphCall) -> bool {
    !call.params.get("published").is_some_and(falsy)
}

fn no_scheduling(call: &GraphCall) -> Result<(), GraphError> {
    if call.params.non_empty("scheduled_publish_time").is_some() {
        return Err(GraphError::param(
            "(#100) The sandbox does not simulate scheduled posts (scheduled_publish_time)",
        ));
    }
    Ok(())
}

// ----------------------------------------------------------------- posts

fn status_type(post: &PagePost) -> &'static str {
    match post.kind.as_str() {
        "photo" => "added_photos",
        "video" => "added_video",
        _ if post.link.is_some() => "shared_story",
        _ => "mobile_status_update",
    }
}

fn post_json(post: &PagePost, fields: &[GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(post.id)),
        "message" => (!post.message.is_empty()).then(|| json!(post.message)),
        "created_time" | "updated_time" => Some(json!(graph_time(post.created_at))),
        "permalink_url" => Some(json!(post.permalink)),
        "is_published" => Some(json!(post.published)),
        "from" => Some(json!({"id": post.page, "name": post.page_name})),
        "status_type" => Some(json!(status_type(post))),
        "link" => post.link.as_ref().map(|l| json!(l)),
        _ => None,
    })
}

/// A new `{page}_{post}` id and its permalink.
fn new_post_id(store: &super::MetaPublishing, page: &str) -> (String, String) {
    let number = store.fresh_id("1220", 16);
    (
        format!("{page}_{number}"),
        format!("https://www.facebook.com/{page}/posts/{number}"),
    )
}

pub(super) fn create_feed_post(
    sb: &Sandbox,
    ver: &str,
    page_id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = writer(sb, call, page_id, page_id, &["pages_manage_posts"])?;
    no_scheduling(call)?;
    let message = call.params.get("message").unwrap_or("").to_owned();
    let link = call.params.non_empty("link").map(str::to_owned);
    if message.is_empty() && link.is_none() {
        return Err(missing_message());
    }
    if let Some(link) = &link
        && !url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(GraphError::new(
            1609005,
            "Error Posting Link: the link is not a valid URL",
        ));
    }
    let published = published_flag(call);
    let now = sb.now();
    Ok(sb.update(|st| {
        let store = st.meta_publishing_mut();
        let (id, permalink) = new_post_id(store, page_id);
        let seq = store.next_seq();
        store.insert_post(PagePost {
            id: id.clone(),
            page: page_id.to_owned(),
            page_name: actor.page.name.clone(),
            message: message.clone(),
            link,
            kind: "feed".into(),
            created_at: now,
            permalink: permalink.clone(),
            published,
            seq,
            photo_id: None,
            video_id: None,
            comments: Vec::new(),
        });
        if published {
            st.record_published(PublishedPost {
                platform: Platform::Meta,
                account_id: page_id.to_owned(),
                id: id.clone(),
                kind: "feed".into(),
                caption: message,
                title: None,
                permalink,
                media_sizes: Vec::new(),
                published_at: now,
            });
        }
        json!({ "id": id })
    }))
}

/// `POST /{page}/photos` with `url`: the photo is downloaded before the
/// answer, as Graph does.
pub(super) async fn create_photo(
    sb: &Sandbox,
    ver: &str,
    page_id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = writer(sb, call, page_id, page_id, &["pages_manage_posts"])?;
    no_scheduling(call)?;
    let url = call
        .params
        .non_empty("url")
        .ok_or_else(|| GraphError::new(324, "(#324) Requires upload file"))?
        .to_owned();
    let caption = call
        .params
        .non_empty("caption")
        .or_else(|| call.params.non_empty("message"))
        .unwrap_or("")
        .to_owned();
    let published = published_flag(call);
    let timeout = Duration::from_millis(sb.config().limits.media_fetch_timeout_ms);
    let bytes = fetch::fetch(sb, &url, Expect::AnyImage, timeout)
        .await
        .map_err(|e| match e {
            FetchError::Format => GraphError::new(324, "(#324) Missing or invalid image file"),
            FetchError::Download(why) => GraphError::new(
                324,
                format!(
                    "(#324) Missing or invalid image file: the url could not be fetched ({why})"
                ),
            ),
        })?;
    let now = sb.now();
    Ok(sb.update(|st| {
        let store = st.meta_publishing_mut();
        let photo_id = store.fresh_id("1221", 16);
        let (id, permalink) = new_post_id(store, page_id);
        let seq = store.next_seq();
        store.insert_post(PagePost {
            id: id.clone(),
            page: page_id.to_owned(),
            page_name: actor.page.name.clone(),
            message: caption.clone(),
            link: None,
            kind: "photo".into(),
            created_at: now,
            permalink: permalink.clone(),
            published,
            seq,
            photo_id: Some(photo_id.clone()),
            video_id: None,
            comments: Vec::new(),
        });
        if published {
            st.record_published(PublishedPost {
                platform: Platform::Meta,
                account_id: page_id.to_owned(),
                id: id.clone(),
                kind: "photo".into(),
                caption,
                title: None,
                permalink,
                media_sizes: vec![bytes],
                published_at: now,
            });
        }
        json!({ "id": photo_id, "post_id": id })
    }))
}

/// `POST graph-video.facebook.com/{v}/{page}/videos` with `file_url`.
pub(super) fn create_video(
    sb: &Sandbox,
    ver: &str,
    page_id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = writer(sb, call, page_id, page_id, &["pages_manage_posts"])?;
    no_scheduling(call)?;
    let url = call
        .params
        .non_empty("file_url")
        .ok_or_else(|| {
            GraphError::param(
                "(#100) The parameter file_url is required (the sandbox takes no uploads)",
            )
        })?
        .to_owned();
    let description = call.params.get("description").unwrap_or("").to_owned();
    let title = call.params.non_empty("title").map(str::to_owned);
    let published = published_flag(call);
    let now = sb.now();
    let video_id = sb.update(|st| {
        let store = st.meta_publishing_mut();
        let id = store.fresh_id("1222", 16);
        let seq = store.next_seq();
        store.insert_video(PageVideo {
            id: id.clone(),
            page: page_id.to_owned(),
            page_name: actor.page.name.clone(),
            description,
            title,
            created_at: now,
            fetch: Fetch::Pending,
            published,
            seq,
            post_id: None,
        });
        id
    });
    super::spawn_fetch(sb, FetchTarget::Video(video_id.clone()), url, Expect::Video);
    Ok(json!({ "id": video_id }))
}

// -------------------------------------------------------------- listings

pub(super) fn list_feed(
    sb: &Sandbox,
    ver: &str,
    page_id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    reader(sb, call, page_id, page_id)?;
    let fields = requested_fields(
        &call.params,
        &["created_time", "message", "id"],
        POST_FIELDS,
        "Post",
    )?;
    settle(sb, page_id);
    let since = call.params.get("since").and_then(parse_instant);
    let until = call.params.get("until").and_then(parse_instant);
    let items: Vec<PagePost> = sb.read(|st| {
        st.meta_publishing()
            .feed_of(page_id)
            .into_iter()
            .filter(|p| since.is_none_or(|s| p.created_at >= s))
            .filter(|p| until.is_none_or(|u| p.created_at <= u))
            .cloned()
            .collect()
    });
    let path = format!("/graph.facebook.com/{ver}/{page_id}/feed");
    paged(sb, call, &path, items, |p| p.seq, |p| post_json(p, &fields))
}

/// What `published_posts` may show: a post's fields, its shares and its
/// comments (`comments.summary(true)` adds the count).
const LISTED_POST_FIELDS: &[&str] = &[
    "id",
    "message",
    "created_time",
    "updated_time",
    "permalink_url",
    "is_published",
    "from",
    "status_type",
    "link",
    "shares",
    "comments",
];

/// `GET /{page-id}/published_posts` and `/posts`: the Page's posts, newest
/// first — its seeded history and what was published here.
pub(super) fn list_posts(
    sb: &Sandbox,
    ver: &str,
    page_id: &str,
    edge: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = reader(sb, call, page_id, page_id)?;
    let fields = requested_fields(
        &call.params,
        &["created_time", "message", "id"],
        LISTED_POST_FIELDS,
        "Post",
    )?;
    let raw_fields = call.params.get("fields").unwrap_or("").to_owned();
    let summary = modifiers(&raw_fields, "comments")
        .iter()
        .any(|(name, arg)| name == "summary" && matches!(arg.as_str(), "true" | "1"));
    let comment_limit = modifiers(&raw_fields, "comments")
        .iter()
        .find(|(name, _)| name == "limit")
        .and_then(|(_, arg)| arg.parse::<usize>().ok())
        .unwrap_or(25);
    settle(sb, page_id);
    let today = insights::today(sb);
    let since = call.params.get("since").and_then(parse_instant);
    let until = call.params.get("until").and_then(parse_instant);
    let mut items: Vec<PagePost> = sb.read(|st| {
        st.meta_publishing()
            .feed_of(page_id)
            .into_iter()
            .cloned()
            .collect()
    });
    items.extend(
        insights::seeded_page_posts(page_id, today)
            .into_iter()
            .map(|s| seeded_post(&actor.page.name, page_id, s)),
    );
    items.retain(|p| {
        since.is_none_or(|s| p.created_at >= s) && until.is_none_or(|u| p.created_at <= u)
    });
    items.sort_by_key(|p| std::cmp::Reverse(listing_key(p.created_at, p.seq)));
    let path = format!("/graph.facebook.com/{ver}/{page_id}/{edge}");
    paged(
        sb,
        call,
        &path,
        items,
        |p| listing_key(p.created_at, p.seq),
        |p| {
            let mut body = post_json(p, &fields);
            let top: Vec<&Comment> = p.comments.iter().filter(|c| c.parent.is_none()).collect();
            let (shares, comments) =
                insights::post_counts(page_id, &insights::page_post(p), top.len(), today);
            if fields.iter().any(|f| f.name == "shares") && shares > 0 {
                body["shares"] = json!({ "count": shares });
            }
            if fields.iter().any(|f| f.name == "comments") {
                let data: Vec<Value> = top
                    .iter()
                    .take(comment_limit)
                    .map(|c| json!({"id": c.id, "message": c.text, "created_time": graph_time(c.at)}))
                    .collect();
                let mut listing = json!({ "data": data });
                if summary {
                    listing["summary"] = json!({
                        "order": "chronological",
                        "total_count": comments,
                        "can_comment": true,
                    });
                }
                body["comments"] = listing;
            }
            body
        },
    )
}

/// A seeded post as the store's post (it is never stored).
fn seeded_post(page_name: &str, page_id: &str, s: insights::SeededPost) -> PagePost {
    let number = s.post.id.rsplit('_').next().unwrap_or_default().to_owned();
    PagePost {
        permalink: format!("https://www.facebook.com/{page_id}/posts/{number}"),
        id: s.post.id,
        page: page_id.to_owned(),
        page_name: page_name.to_owned(),
        message: s.caption,
        link: None,
        kind: match s.post.format {
            insights::Format::Photo => "photo".into(),
            insights::Format::Video => "video".into(),
            _ => "feed".into(),
        },
        created_at: s.post.at,
        published: true,
        seq: 0,
        photo_id: None,
        video_id: None,
        comments: Vec::new(),
    }
}

/// The `.name(arg)` modifiers of the top-level field `field` in a raw
/// Graph `fields` list (`comments.summary(true).limit(0)`).
fn modifiers(raw: &str, field: &str) -> Vec<(String, String)> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, c) in raw.char_indices() {
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(&raw[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&raw[start..]);
    let Some(item) = items
        .into_iter()
        .map(str::trim)
        .find(|item| item.split(['.', '{']).next() == Some(field))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = &item[field.len()..];
    while let Some(after) = rest.strip_prefix('.') {
        let Some(open) = after.find('(') else { break };
        let Some(close) = after[open..].find(')') else {
            break;
        };
        out.push((
            after[..open].to_owned(),
            after[open + 1..open + close].trim().to_owned(),
        ));
        rest = &after[open + close + 1..];
    }
    out
}

fn video_status(video: &PageVideo, status: VideoStatus) -> Value {
    match status {
        VideoStatus::Processing => json!({
            "video_status": "processing",
            "uploading_phase": {"status": if video.fetch == Fetch::Pending { "in_progress" } else { "complete" }},
            "processing_phase": {"status": if video.fetch == Fetch::Pending { "not_started" } else { "in_progress" }},
            "publishing_phase": {"status": "not_started"},
        }),
        VideoStatus::Ready => json!({
            "video_status": "ready",
            "uploading_phase": {"status": "complete"},
            "processing_phase": {"status": "complete"},
            "publishing_phase": {
                "status": "complete",
                "publish_status": if video.published { "published" } else { "not_published" },
            },
        }),
        VideoStatus::Error => {
            let message = match &video.fetch {
                Fetch::Failed { message, .. } => message.clone(),
                _ => "processing failed".into(),
            };
            json!({
                "video_status": "error",
                "uploading_phase": {"status": "error", "errors": [{"code": 1363030, "message": message}]},
                "processing_phase": {"status": "not_started"},
                "publishing_phase": {"status": "not_started"},
            })
        }
    }
}

fn video_json(sb: &Sandbox, video: &PageVideo, fields: &[GraphField]) -> Value {
    let (status, _) = video.status(sb.now(), &sb.config().limits);
    let ready = video.post_id.is_some();
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(video.id)),
        "description" => Some(json!(video.description)),
        "title" => video.title.as_ref().map(|t| json!(t)),
        "created_time" | "updated_time" => Some(json!(graph_time(video.created_at))),
        "status" => Some(video_status(video, status)),
        "permalink_url" => ready.then(|| json!(video.permalink())),
        "post_id" => video.post_id.as_ref().map(|p| json!(p)),
        "published" => Some(json!(ready && video.published)),
        "from" => Some(json!({"id": video.page, "name": video.page_name})),
        _ => None,
    })
}

pub(super) fn list_videos(
    sb: &Sandbox,
    ver: &str,
    page_id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    reader(sb, call, page_id, page_id)?;
    let fields = requested_fields(
        &call.params,
        &["description", "updated_time", "id"],
        VIDEO_FIELDS,
        "Video",
    )?;
    settle(sb, page_id);
    let items: Vec<PageVideo> = sb.read(|st| {
        st.meta_publishing()
            .videos_of(page_id)
            .into_iter()
            .cloned()
            .collect()
    });
    let path = format!("/graph.facebook.com/{ver}/{page_id}/videos");
    paged(
        sb,
        call,
        &path,
        items,
        |v| v.seq,
        |v| video_json(sb, v, &fields),
    )
}

/// `GET /{post-id}`, `/{photo-id}` or `/{video-id}`.
pub(super) fn get_object(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    node: &Node,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let page = match node {
        Node::Post(page) | Node::Photo(page) | Node::Video(page) => page.clone(),
        _ => return Err(super::unsupported("get", id)),
    };
    reader(sb, call, &page, id)?;
    settle(sb, &page);
    let store = |f: &dyn Fn(&super::MetaPublishing) -> Option<Value>| {
        sb.read(|st| f(st.meta_publishing()))
            .ok_or_else(|| super::unsupported("get", id))
    };
    match node {
        Node::Post(_) => {
            let fields = requested_fields(
                &call.params,
                &["created_time", "message", "id"],
                POST_FIELDS,
                "Post",
            )?;
            store(&|s| s.post(id).map(|p| post_json(p, &fields)))
        }
        Node::Photo(_) => {
            let fields = requested_fields(&call.params, &["id"], PHOTO_FIELDS, "Photo")?;
            store(&|s| {
                s.post_of_photo(id).map(|p| {
                    select(&fields, |f| match f.name.as_str() {
                        "id" => Some(json!(id)),
                        "name" => (!p.message.is_empty()).then(|| json!(p.message)),
                        "created_time" => Some(json!(graph_time(p.created_at))),
                        "link" => Some(json!(p.permalink)),
                        "page_story_id" => Some(json!(p.id)),
                        "from" => Some(json!({"id": p.page, "name": p.page_name})),
                        _ => None,
                    })
                })
            })
        }
        _ => {
            let fields = requested_fields(&call.params, &["id"], VIDEO_FIELDS, "Video")?;
            let video = sb
                .read(|st| st.meta_publishing().video(id).cloned())
                .ok_or_else(|| super::unsupported("get", id))?;
            Ok(video_json(sb, &video, &fields))
        }
    }
}

// -------------------------------------------------------------- comments

/// The post behind a post, photo or (processed) video id.
fn post_of(sb: &Sandbox, id: &str, node: &Node) -> Option<String> {
    sb.read(|st| {
        let store = st.meta_publishing();
        match node {
            Node::Post(_) => Some(id.to_owned()),
            Node::Photo(_) => store.post_of_photo(id).map(|p| p.id.clone()),
            Node::Video(_) => store.video(id).and_then(|v| v.post_id.clone()),
            _ => None,
        }
    })
}

fn page_of(id: &str, node: &Node) -> Result<String, GraphError> {
    match node {
        Node::Post(page) | Node::Photo(page) | Node::Video(page) => Ok(page.clone()),
        _ => Err(super::unsupported("get", id)),
    }
}

pub(super) fn create_comment(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    node: &Node,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let page = page_of(id, node)?;
    // Commenting as the Page takes its token with every permission of
    // Meta's comments guide; publishing's pages_manage_posts is not one.
    let actor = page_actor(sb, call, &page, id, "post")?;
    charge(sb, call, &actor, comment_permission)?;
    if !actor.page_token {
        return Err(write_permission());
    }
    if !COMMENT_SCOPES.iter().all(|s| has_scope(&actor.record, s)) {
        return Err(comment_permission());
    }
    settle(sb, &page);
    let message = call
        .params
        .non_empty("message")
        .ok_or_else(missing_message)?
        .to_owned();
    let post_id = post_of(sb, id, node).ok_or_else(|| super::unsupported("post", id))?;
    let now = sb.now();
    sb.update(|st| {
        let store = st.meta_publishing_mut();
        let number = store.fresh_id("1223", 16);
        let post = store
            .post_mut(&post_id)
            .ok_or_else(|| super::unsupported("post", id))?;
        let suffix = post_id.split_once('_').map_or(post_id.as_str(), |(_, s)| s);
        let comment_id = format!("{suffix}_{number}");
        post.comments.push(Comment::new(
            comment_id.clone(),
            message,
            now,
            actor.page.id.clone(),
            actor.page.name.clone(),
        ));
        Ok(json!({ "id": comment_id }))
    })
}

pub(super) fn list_comments(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    node: &Node,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let page = page_of(id, node)?;
    reader(sb, call, &page, id)?;
    settle(sb, &page);
    let fields = requested_fields(
        &call.params,
        &["created_time", "from", "message", "id"],
        COMMENT_FIELDS,
        "Comment",
    )?;
    let post_id = post_of(sb, id, node).ok_or_else(|| super::unsupported("get", id))?;
    // Top-level comments (Graph's default `filter=toplevel`); replies are
    // under `/{comment-id}/comments`.
    let comments: Vec<Comment> = sb
        .read(|st| {
            st.meta_publishing()
                .post(&post_id)
                .map(|p| p.comments.clone())
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.parent.is_none())
        .collect();
    // Chronological unless `order=reverse_chronological`; the listing
    // helper pages newest first, so positions are flipped for the default.
    let reverse = call.params.get("order") == Some("reverse_chronological");
    let n = comments.len() as u64;
    let mut items: Vec<(u64, Comment)> = comments
        .into_iter()
        .enumerate()
        .map(|(i, c)| (if reverse { i as u64 + 1 } else { n - i as u64 }, c))
        .collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    let path = format!("/graph.facebook.com/{ver}/{id}/comments");
    paged(
        sb,
        call,
        &path,
        items,
        |(seq, _)| *seq,
        |(_, c)| comment_json(c, &fields),
    )
}

/// A Page comment with the requested `fields`.
pub(crate) fn comment_json(c: &Comment, fields: &[GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(c.id)),
        "message" => Some(json!(c.text)),
        "created_time" => Some(json!(graph_time(c.at))),
        "from" => Some(json!({"id": c.from_id, "name": c.from_name})),
        "is_hidden" => Some(json!(c.hidden)),
        "parent" => c.parent.as_ref().map(|p| json!({"id": p})),
        _ => None,
    })
}
