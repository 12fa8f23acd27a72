//! The client review page: what an outside reviewer opens from a review
//! link, without an account. It shows only the link's posts (each
//! account's preview with its media) and takes their decision with their
//! name and a comment. A link with a password asks for it once; the proof
//! is kept in a cookie that only this link's path receives.
//!
//! Every request is rate-limited by address, password tries more tightly
//! per link. The token is in the path, so these pages send no referrer
//! and ask not to be indexed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::limits;
use herald_core::{Named, PostId};
use herald_publishing::{Decision, GuestReview, LinkKey, PublishError};
use serde::Deserialize;

use super::posts::{local_time, platform, review_label, schedule_parts};
use super::{Chrome, known, render};
use crate::auth::Meta;
use crate::i18n::cookie_value;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review/{token}", get(show).post(unlock))
        .route("/review/{token}/posts/{post}", post(decide))
}

/// The cookie holding a link's unlock proof (its path is the link's).
const UNLOCK_COOKIE: &str = "herald_review_unlock";

/// Whether `token` could be a link's token at all (43 URL-safe
/// characters), so nothing odd reaches a lookup or a cookie path.
fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub struct MediaView {
    pub url: String,
    pub video: bool,
}

pub struct TargetPreview {
    pub account_name: String,
    pub platform: super::posts::Platform,
    pub format: &'static str,
    pub title: Option<String>,
    pub caption: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub media: Vec<MediaView>,
}

pub struct DecisionLine {
    pub text: String,
    pub comment: String,
    pub at: String,
}

pub struct PostPreview {
    pub id: String,
    pub review: &'static str,
    pub review_label: Option<&'static str>,
    pub waiting: bool,
    pub when: Option<String>,
    pub targets: Vec<TargetPreview>,
    pub decisions: Vec<DecisionLine>,
}

#[derive(Template)]
#[template(path = "guest_review.html")]
struct GuestPage {
    c: Chrome,
    token: String,
    /// The password form instead of the posts.
    locked: bool,
    expires: String,
    posts: Vec<PostPreview>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "guest_review_gone.html")]
struct GonePage {
    c: Chrome,
    expired: bool,
}

fn preview(c: &Chrome, review: GuestReview) -> (String, Vec<PostPreview>) {
    let tz = jiff::tz::TimeZone::UTC;
    let t = c.t;
    let posts = review
        .posts
        .into_iter()
        .map(|p| PostPreview {
            id: p.id.to_string(),
            review: p.review.as_str(),
            review_label: review_label(t, p.review),
            waiting: p.review.is_waiting(),
            when: match (&p.schedule, p.scheduled_at) {
                (Some(s), _) => {
                    let (d, tm) = schedule_parts(s);
                    Some(format!("{d} {tm} {}", s.time_zone))
                }
                (None, Some(at)) => Some(local_time(at, &tz)),
                (None, None) => None,
            },
            targets: p
                .targets
                .into_iter()
                .map(|tg| TargetPreview {
                    account_name: tg.account_name,
                    platform: platform(tg.kind),
                    format: t.text(&format!("compose.format.{}", tg.variant.format.as_str())),
                    title: tg.variant.title,
                    caption: tg.variant.caption,
                    link: tg.variant.link,
                    first_comment: tg.variant.first_comment,
                    media: tg
                        .media
                        .into_iter()
                        .map(|m| MediaView {
                            video: m.mime.starts_with("video/"),
                            url: m.url,
                        })
                        .collect(),
                })
                .collect(),
            decisions: p
                .decisions
                .into_iter()
                .map(|d| DecisionLine {
                    text: t.fill(
                        &format!("guest_review.decided.{}", d.action.as_str()),
                        "name",
                        &d.name,
                    ),
                    comment: d.comment,
                    at: local_time(d.at, &tz),
                })
                .collect(),
        })
        .collect();
    (local_time(review.expires_at, &tz), posts)
}

/// No referrer (the token is in the URL), not indexed, not cached.
pub(super) fn private(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page for a link that is not there (404) or no longer live (410).
fn gone(c: Chrome, e: &PublishError) -> Result<Response, WebError> {
    let (status, expired) = match e {
        PublishError::LinkExpired => (StatusCode::GONE, true),
        _ => (StatusCode::NOT_FOUND, false),
    };
    let mut response = render(&GonePage { c, expired })?;
    *response.status_mut() = status;
    Ok(private(response))
}

async fn limit(state: &AppState, meta: &herald_accounts::RequestMeta) -> Result<(), WebError> {
    state
        .accounts()
        .limit(&limits::REVIEW_LINK_IP, meta.ip_key())
        .await?;
    Ok(())
}

#[derive(Deserialize, Default)]
struct PageQuery {
    done: Option<String>,
    error: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    c: Chrome,
    Path(token): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    limit(&state, &meta).await?;
    if !plausible(&token) {
        return gone(c, &PublishError::LinkNotFound);
    }
    let proof = cookie_value(&headers, UNLOCK_COOKIE);
    let key = proof.map_or(LinkKey::None, LinkKey::Proof);
    let error = known(c.t, "error.", q.error.as_deref());
    let notice = known(c.t, "guest_review.done.", q.done.as_deref());
    match state.publishing().open_review_link(&token, key).await {
        Ok(review) => {
            let (expires, posts) = preview(&c, review);
            Ok(private(render(&GuestPage {
                c,
                token,
                locked: false,
                expires,
                posts,
                notice,
                error,
            })?))
        }
        Err(PublishError::LinkPasswordRequired | PublishError::LinkPasswordWrong) => {
            let mut response = render(&GuestPage {
                c,
                token,
                locked: true,
                expires: String::new(),
                posts: Vec::new(),
                notice: None,
                error,
            })?;
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(private(response))
        }
        Err(e @ (PublishError::LinkNotFound | PublishError::LinkExpired)) => gone(c, &e),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct UnlockForm {
    #[serde(default)]
    password: String,
}

/// The password form: a right password keeps its proof in a cookie for
/// this link's path until the link expires.
async fn unlock(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<UnlockForm>,
) -> Result<Response, WebError> {
    limit(&state, &meta).await?;
    if !plausible(&token) {
        return gone(c, &PublishError::LinkNotFound);
    }
    let tries = format!(
        "{}:{}",
        meta.ip_key(),
        herald_accounts::secret::token_hash(&token)
    );
    state
        .accounts()
        .limit(&limits::REVIEW_LINK_PASSWORD, &tries)
        .await?;
    let back = format!("/review/{token}");
    match state
        .publishing()
        .unlock_review_link(&token, &form.password)
        .await
    {
        Ok(proof) => {
            let secure = if state.cookies().secure {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{UNLOCK_COOKIE}={proof}; Path={back}; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                30 * 24 * 3600
            );
            let mut response = Redirect::to(&back).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(Box::new(e)))?,
            );
            Ok(private(response))
        }
        Err(PublishError::LinkPasswordWrong | PublishError::LinkPasswordRequired) => Ok(private(
            Redirect::to(&format!("{back}?error=review_link_password_wrong")).into_response(),
        )),
        Err(e @ (PublishError::LinkNotFound | PublishError::LinkExpired)) => gone(c, &e),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    decision: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    comment: String,
}

async fn decide(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    c: Chrome,
    Path((token, post)): Path<(String, PostId)>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Response, WebError> {
    limit(&state, &meta).await?;
    if !plausible(&token) {
        return gone(c, &PublishError::LinkNotFound);
    }
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "request_changes" => Decision::RequestChanges,
        _ => {
            return Err(WebError::BadRequest {
                code: "bad_request",
            });
        }
    };
    let proof = cookie_value(&headers, UNLOCK_COOKIE);
    let key = proof.map_or(LinkKey::None, LinkKey::Proof);
    let back = format!("/review/{token}");
    let outcome = state
        .publishing()
        .decide_through_link(&token, key, &post, decision, &form.name, &form.comment)
        .await;
    let target = match outcome {
        Ok(()) => format!(
            "{back}?done={}#post-{post}",
            match decision {
                Decision::Approve => "approved",
                Decision::RequestChanges => "changes_requested",
            }
        ),
        Err(e @ (PublishError::LinkNotFound | PublishError::LinkExpired)) => return gone(c, &e),
        Err(PublishError::NotFound) => return Err(WebError::NotFound),
        Err(e) => {
            let status = crate::error::publish_status(&e);
            if status.is_server_error() {
                return Err(e.into());
            }
            format!("{back}?error={}#post-{post}", e.code())
        }
    };
    Ok(private(Redirect::to(&target).into_response()))
}
