//! TikTok's Display API figures: a user's follower, following, like and
//! video counts (`/v2/user/info/` with `user.info.stats`), and each video's
//! view, like, comment and share counts in `/v2/video/list/` and
//! `/v2/video/query/` (`video.list`).
//!
//! A sandbox user's videos are a seeded history (one every 3–5 days since
//! 2025-01-01, see [`crate::video_insights`]) plus every post published
//! through the simulator once moderation made it visible. Figures are a
//! pure function of the user (or video) and the UTC day: the same day reads
//! the same. A published video reaches what its privacy level allows:
//! everyone, 30 % for followers only, 5 % for mutual friends, nobody when
//! `SELF_ONLY`.
//!
//! `video/query/` answers in the envelope like every Display endpoint, is
//! limited per app per sliding minute
//! ([`Limits::tiktok_video_query_per_minute`](crate::Limits::tiktok_video_query_per_minute)),
//! takes 1–20 `filters.video_ids` and returns the caller's own videos among
//! them, in the order asked.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};

use crate::params::{Params, split_scopes};
use crate::seed::tiktok_user;
use crate::state::State as SandboxState;
use crate::tiktok_publish::{
    LIST_FIELDS, envelope, fault_response, invalid_params, user_token, within_budget,
};
use crate::video_insights::{
    Audience, Kind, Lifetime, Timeline, VideoModel, id_chars, seed, seeded_title, utc_day,
};
use crate::{Platform, Sandbox};

/// At most this many ids in one `video/query/`.
const QUERY_MAX_IDS: usize = 20;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route("/open.tiktokapis.com/v2/video/query/", post(query_videos))
}

/// One of a user's videos with its lifetime figures today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TikTokVideo {
    pub id: String,
    pub create_time: Timestamp,
    /// The caption (the title field shows its first 150 characters).
    pub caption: String,
    pub share_url: String,
    pub duration: u32,
    pub view_count: i64,
    pub like_count: i64,
    pub comment_count: i64,
    pub share_count: i64,
}

/// What the Display API says about a user today (the UTC day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TikTokFigures {
    pub open_id: String,
    pub follower_count: i64,
    pub following_count: i64,
    pub likes_count: i64,
    pub video_count: i64,
    /// Newest first.
    pub videos: Vec<TikTokVideo>,
}

/// How much of a public video's audience a privacy level reaches.
fn reach(privacy: Option<&str>) -> f64 {
    match privacy {
        Some("SELF_ONLY") => 0.0,
        Some("MUTUAL_FOLLOW_FRIENDS") => 0.05,
        Some("FOLLOWER_OF_CREATOR") => 0.3,
        _ => 1.0,
    }
}

/// The figures of sandbox user `user` as the app sees them at `now`.
pub(crate) fn figures(
    sb: &Sandbox,
    st: &SandboxState,
    user: &str,
    now: Timestamp,
) -> TikTokFigures {
    let u = tiktok_user(
        user,
        &sb.config().tiktok.client_id,
        &sb.config().public_base,
    );
    let audience = Audience::new(seed("tiktok", user), u.follower_count);
    let today = utc_day(now);
    let timeline = Timeline::new(&audience, today);
    let followers = audience.followers(today);
    let mut videos: Vec<(Timestamp, String, String, VideoModel)> = audience
        .schedule(now)
        .into_iter()
        .map(|slot| {
            let video_seed = seed("tiktok.video", &format!("{user}/{}", slot.index));
            let id = format!("7{}", id_chars(video_seed, b"0123456789", 18));
            let caption = seeded_title(video_seed, &u.display_name, slot.index);
            let model = VideoModel::new(
                Kind::TikTok,
                video_seed,
                utc_day(slot.at),
                audience.base(),
                1.0,
                None,
            );
            (slot.at, id, caption, model)
        })
        .collect();
    let visible_after =
        SignedDuration::from_secs(i64::from(sb.config().limits.tiktok_post_id_secs));
    for post in st.published().iter().filter(|p| {
        p.platform == Platform::TikTok
            && p.account_id == u.open_id
            && p.published_at + visible_after <= now
    }) {
        let size = post.media_sizes.first().copied().unwrap_or(0);
        // Not decoded: the duration is derived from the size.
        let duration = (size / 250_000).clamp(1, 600) as u32;
        let model = VideoModel::new(
            Kind::TikTok,
            seed("tiktok.video", &post.id),
            utc_day(post.published_at),
            audience.base(),
            reach(st.tiktok_publishes().privacy_of(&post.id)),
            Some(duration),
        );
        videos.push((
            post.published_at,
            post.id.clone(),
            post.caption.clone(),
            model,
        ));
    }
    videos.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    let mut likes_total = 0;
    let videos: Vec<TikTokVideo> = videos
        .into_iter()
        .map(|(at, id, caption, model)| {
            let life: Lifetime = model.lifetime(&timeline, today);
            likes_total += life.likes;
            TikTokVideo {
                share_url: format!("https://www.tiktok.com/@{}/video/{id}", u.username),
                id,
                create_time: at,
                caption,
                duration: model.duration_secs,
                view_count: life.views,
                like_count: life.likes,
                comment_count: life.comments,
                share_count: life.shares,
            }
        })
        .collect();
    TikTokFigures {
        open_id: u.open_id,
        follower_count: followers,
        following_count: u.following_count as i64,
        likes_count: u.likes_count as i64 + likes_total,
        video_count: videos.len() as i64,
        videos,
    }
}

/// A video object with the asked `fields` (all of them valid).
pub(crate) fn video_json(sb: &Sandbox, video: &TikTokVideo, fields: &[String]) -> Value {
    let mut out = serde_json::Map::new();
    let short: String = video.caption.chars().take(150).collect();
    for field in fields {
        let value = match field.as_str() {
            "id" => json!(video.id),
            "create_time" => json!(video.create_time.as_second()),
            "cover_image_url" => json!(sb.url(&format!("/_static/avatar/tiktok-{}.svg", video.id))),
            "share_url" => json!(video.share_url),
            "video_description" | "title" => json!(short),
            "duration" => json!(video.duration),
            "height" => json!(1920),
            "width" => json!(1080),
            "embed_link" => json!(format!("https://www.tiktok.com/player/v1/{}", video.id)),
            "embed_html" => json!(format!(
                "<blockquote class=\"tiktok-embed\" cite=\"{}\" data-video-id=\"{}\"></blockquote>",
                video.share_url, video.id
            )),
            "like_count" => json!(video.like_count),
            "comment_count" => json!(video.comment_count),
            "share_count" => json!(video.share_count),
            "view_count" => json!(video.view_count),
            _ => continue,
        };
        out.insert(field.clone(), value);
    }
    Value::Object(out)
}

/// The `fields` query parameter, checked against the video fields.
pub(crate) fn video_fields(sb: &Sandbox, query: Option<&str>) -> Result<Vec<String>, Response> {
    let params = Params::from_query(query);
    let fields = split_scopes(params.get("fields").unwrap_or(""), &[',']);
    if fields.is_empty() {
        return Err(invalid_params(sb, "fields is required."));
    }
    if let Some(bad) = fields.iter().find(|f| !LIST_FIELDS.contains(&f.as_str())) {
        return Err(invalid_params(sb, &format!("Invalid field: {bad}")));
    }
    Ok(fields)
}

async fn query_videos(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("tiktok.video_query").await;
    if let Some(response) = fault_response(&sb, fault) {
        return response;
    }
    let app = sb.config().tiktok.client_id.clone();
    let budget = sb.config().limits.tiktok_video_query_per_minute;
    if let Err(response) = within_budget(&sb, &format!("tiktok:{app}:video_query"), budget) {
        return response;
    }
    let (_, record) = match user_token(&sb, &headers, &["video.list"]) {
        Ok(t) => t,
        Err(response) => return response,
    };
    let fields = match video_fields(&sb, query.as_deref()) {
        Ok(f) => f,
        Err(response) => return response,
    };
    let ids: Option<Vec<String>> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.pointer("/filters/video_ids").cloned())
        .and_then(|ids| {
            ids.as_array().and_then(|ids| {
                ids.iter()
                    .map(|id| id.as_str().map(str::to_owned))
                    .collect()
            })
        });
    let ids = match ids {
        Some(ids) if (1..=QUERY_MAX_IDS).contains(&ids.len()) => ids,
        Some(_) => {
            return invalid_params(&sb, "filters.video_ids must hold between 1 and 20 ids.");
        }
        None => return invalid_params(&sb, "filters.video_ids is required."),
    };
    let now = sb.now();
    let figures = sb.update(|st| {
        crate::tiktok_publish::settle(st, now);
        figures(&sb, st, &record.user, now)
    });
    let videos: Vec<Value> = ids
        .iter()
        .filter_map(|id| figures.videos.iter().find(|v| &v.id == id))
        .map(|v| video_json(&sb, v, &fields))
        .collect();
    envelope(&sb, StatusCode::OK, json!({"videos": videos}))
}

impl Sandbox {
    /// What TikTok's Display API reports today for the user whose `open_id`
    /// (for the sandbox's TikTok app) is given: counts and every visible
    /// video with its figures. None for an open_id of no sandbox user who
    /// signed in.
    pub fn tiktok_figures(&self, open_id: &str) -> Option<TikTokFigures> {
        let now = self.now();
        let config = self.config();
        self.update(|st| {
            crate::tiktok_publish::settle(st, now);
            let user = st
                .users(Platform::TikTok)
                .find(|user| {
                    tiktok_user(user, &config.tiktok.client_id, &config.public_base).open_id
                        == open_id
                })?
                .to_owned();
            Some(figures(self, st, &user, now))
        })
    }
}
