//! Posts as pages show them: the card of the queue list and the post
//! detail page, the actions on a post (reschedule, cancel, retry, delete)
//! as POST forms that redirect back with a notice, and the time-zone
//! helpers the calendar and the composer share.
//!
//! Times are UTC instants everywhere below the web layer; here they become
//! wall-clock times in the viewer's zone: `?tz=` when given, else the
//! `herald_tz` cookie the script sets from the browser's zone, else UTC.

use herald_core::Named;
use std::sync::LazyLock;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Permission, Role};
use herald_core::{PostId, TargetId, Timestamp};
use herald_platforms::AccountKind;
use herald_publishing::{
    Decision, FailureKind, NewCommentInput, PostActions, PostStatus, PostView, PublishError,
    Receipt, ReviewAction, ReviewState, Schedule, TargetStatus, TargetView, When,
};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::public::local_path;
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::auth::SignedIn;
use crate::error::publish_status;
use crate::i18n::{Catalog, cookie_value};
use crate::member;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/posts/{id}", get(show_post))
        .route("/home/posts/{id}/reschedule", post(reschedule_post))
        .route("/home/posts/{id}/cancel", post(cancel_post))
        .route("/home/posts/{id}/delete", post(delete_post))
        .route("/home/targets/{id}/retry", post(retry_target))
        .route("/home/posts/{id}/submit", post(submit_post))
        .route("/home/posts/{id}/approve", post(approve_post))
        .route("/home/posts/{id}/request-changes", post(request_changes))
        .route("/home/posts/{id}/comments", post(add_comment))
        .route("/home/posts/{id}/review-links", post(create_link))
        .route("/home/review-links/{id}/revoke", post(revoke_link))
}

// ---------------------------------------------------------------- zones

/// The cookie the script sets to the browser's IANA zone.
pub const TZ_COOKIE: &str = "herald_tz";

/// The IANA zones offered in selects: `UTC` and the `Area/City` names of
/// the bundled database, sorted.
pub(super) fn zone_names() -> &'static [String] {
    static ZONES: LazyLock<Vec<String>> = LazyLock::new(|| {
        const AREAS: [&str; 9] = [
            "Africa/",
            "America/",
            "Antarctica/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.to_string())
            .filter(|n| AREAS.iter().any(|a| n.starts_with(a)))
            .collect();
        names.sort();
        names.dedup();
        names.insert(0, "UTC".to_owned());
        names
    });
    &ZONES
}

/// The zone a page shows times in.
pub(super) struct ViewerZone {
    pub tz: TimeZone,
    pub name: String,
    /// Where it came from: `query`, `browser` (the cookie) or `default`.
    pub source: &'static str,
}

fn named_zone(name: &str) -> Option<(TimeZone, String)> {
    let name = name.trim().replace("%2F", "/").replace("%2f", "/");
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    let tz = herald_publishing::schedule::time_zone(&name).ok()?;
    Some((tz, name))
}

pub(super) fn viewer_zone(asked: Option<&str>, headers: &HeaderMap) -> ViewerZone {
    if let Some((tz, name)) = asked.and_then(named_zone) {
        return ViewerZone {
            tz,
            name,
            source: "query",
        };
    }
    if let Some((tz, name)) = cookie_value(headers, TZ_COOKIE).and_then(named_zone) {
        return ViewerZone {
            tz,
            name,
            source: "browser",
        };
    }
    ViewerZone {
        tz: TimeZone::UTC,
        name: "UTC".to_owned(),
        source: "default",
    }
}

/// `2026-03-29 09:00 CEST` in `tz`.
pub(super) fn local_time(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// `(date, time)` of a stored schedule (`2026-03-29T09:00:00`), as date
/// and time inputs take them.
pub(super) fn schedule_parts(s: &Schedule) -> (String, String) {
    let (date, time) = s.local.split_once('T').unwrap_or((s.local.as_str(), ""));
    (date.to_owned(), time.chars().take(5).collect())
}

/// The schedule of date, time and zone fields.
pub(super) fn schedule_of(date: &str, time: &str, zone: &str) -> Schedule {
    Schedule::new(format!("{}T{}", date.trim(), time.trim()), zone.trim())
}

// ------------------------------------------------------------ platforms

/// A platform as pages name it: the slug for styles, the brand name and a
/// two-letter mark for compact chips.
#[derive(Debug, Clone, Copy)]
pub struct Platform {
    pub slug: &'static str,
    pub name: &'static str,
    pub mark: &'static str,
}

pub(super) fn platform(kind: AccountKind) -> Platform {
    let (slug, name, mark) = match kind {
        AccountKind::FacebookPage => ("facebook", "Facebook", "FB"),
        AccountKind::InstagramBusiness | AccountKind::InstagramAccount => {
            ("instagram", "Instagram", "IG")
        }
        AccountKind::TikTokUser => ("tiktok", "TikTok", "TT"),
        AccountKind::YouTubeChannel => ("youtube", "YouTube", "YT"),
    };
    Platform { slug, name, mark }
}

/// The words for a review state; none for a post never submitted.
pub(super) fn review_label(t: &'static Catalog, r: ReviewState) -> Option<&'static str> {
    (r != ReviewState::None).then(|| t.text(&format!("posts.review.{}", r.as_str())))
}

pub(super) fn post_status_label(t: &'static Catalog, s: PostStatus) -> &'static str {
    t.text(&format!("posts.status.{}", s.as_str()))
}

pub(super) fn target_status_label(t: &'static Catalog, s: TargetStatus) -> &'static str {
    t.text(&format!("posts.status.{}", s.as_str()))
}

/// At most `n` characters of `s`, with an ellipsis when cut.
pub(super) fn shorten(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

// ------------------------------------------------------------ post cards

pub struct FailureView {
    pub title: &'static str,
    pub message: Option<String>,
    pub fix: &'static str,
}

pub struct TargetLine {
    pub id: String,
    pub account_name: String,
    pub platform: Platform,
    pub status: &'static str,
    pub status_label: &'static str,
    pub permalink: Option<String>,
    pub open_label: String,
    pub remote_id: Option<String>,
    pub published_at: Option<String>,
    pub attempts: i32,
    pub failure: Option<FailureView>,
    /// Why the platform postponed it and when it is tried again.
    pub postponed: Option<String>,
    /// What to know about it although it went out.
    pub notices: Vec<String>,
    pub can_retry: bool,
    pub format: &'static str,
    pub caption: String,
    pub title: Option<String>,
    pub privacy: Option<String>,
    pub media_count: usize,
}

pub struct PostCard {
    pub id: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub summary: String,
    /// When it goes or went out, in the viewer's zone.
    pub when: Option<String>,
    /// The schedule as written, when its zone is not the viewer's.
    pub scheduled_as: Option<String>,
    pub targets: Vec<TargetLine>,
    pub can_edit: bool,
    pub can_cancel: bool,
    pub can_delete: bool,
    pub can_reschedule: bool,
    /// Its review: `none`, `in_review`, `changes_requested`, `approved`.
    pub review: &'static str,
    pub review_label: Option<&'static str>,
    /// Its time came while it waited for approval.
    pub held: bool,
    pub can_submit: bool,
    pub can_decide: bool,
    pub date: String,
    pub time: String,
    pub zone: String,
}

fn failure(t: &'static Catalog, target: &TargetView) -> Option<FailureView> {
    if target.status != TargetStatus::Failed {
        return None;
    }
    let kind = target.error_kind.unwrap_or(FailureKind::Unavailable);
    Some(FailureView {
        title: t.text(&format!("posts.failure.{}", kind.as_str())),
        // The reason in the reader's language; a failure recorded before
        // reasons were stored as codes shows its English sentence as it is.
        message: match &target.error_detail {
            Some(detail) => Some(crate::words::failure(t, detail)),
            None => target.error_message.clone(),
        }
        .filter(|m| !m.trim().is_empty()),
        fix: t.text(&format!("posts.fix.{}", kind.as_str())),
    })
}

fn target_line(t: &'static Catalog, tz: &TimeZone, target: &TargetView, role: Role) -> TargetLine {
    let platform = platform(target.kind);
    TargetLine {
        id: target.id.to_string(),
        account_name: target.account_name.clone(),
        status: target.status.as_str(),
        status_label: target_status_label(t, target.status),
        permalink: target
            .permalink
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        open_label: t.fill("posts.open_on", "platform", platform.name),
        remote_id: target.remote_id.clone(),
        published_at: target.published_at.map(|at| local_time(at, tz)),
        attempts: target.attempts,
        failure: failure(t, target),
        postponed: target.postponed.as_ref().map(|detail| {
            let reason = crate::words::failure(t, detail);
            match detail.params.get("until") {
                Some(herald_publishing::rules::Param::Time(at)) => t.format(
                    "posts.postponed_until",
                    &[
                        ("reason", crate::i18n::Arg::from(reason)),
                        ("until", crate::i18n::Arg::from(local_time(*at, tz))),
                    ],
                ),
                _ => reason,
            }
        }),
        notices: target
            .notices
            .iter()
            .map(|detail| crate::words::failure(t, detail))
            .collect(),
        can_retry: target.may_retry(role),
        format: t.text(&format!(
            "compose.format.{}",
            target.variant.format.as_str()
        )),
        caption: target.variant.caption.clone(),
        title: target.variant.title.clone(),
        privacy: target.variant.privacy.as_deref().map(|p| {
            let key = format!("compose.privacy.{}", p.to_ascii_lowercase());
            if t.has(&key) {
                t.text(&key).to_owned()
            } else {
                p.to_owned()
            }
        }),
        media_count: target.variant.media.len(),
        platform,
    }
}

/// The instant a post sits at in the calendar.
pub(super) fn post_time(post: &PostView) -> Timestamp {
    post.scheduled_at.unwrap_or(post.created_at)
}

pub(super) fn post_card(
    t: &'static Catalog,
    zone: &ViewerZone,
    post: &PostView,
    actions: PostActions,
    role: Role,
) -> PostCard {
    let (date, time, zone_name) = match &post.schedule {
        Some(s) => {
            let (d, tm) = schedule_parts(s);
            (d, tm, s.time_zone.clone())
        }
        None => (String::new(), String::new(), zone.name.clone()),
    };
    let summary = post.summary();
    PostCard {
        id: post.id.to_string(),
        status: post.status.as_str(),
        status_label: post_status_label(t, post.status),
        summary: if summary.trim().is_empty() {
            t.text("posts.no_caption").to_owned()
        } else {
            shorten(summary, 200)
        },
        when: post.scheduled_at.map(|at| local_time(at, &zone.tz)),
        scheduled_as: post
            .schedule
            .as_ref()
            .filter(|s| s.time_zone != zone.name)
            .map(|s| {
                let (d, tm) = schedule_parts(s);
                format!("{d} {tm} {}", s.time_zone)
            }),
        targets: post
            .targets
            .iter()
            .map(|target| target_line(t, &zone.tz, target, role))
            .collect(),
        can_edit: actions.edit,
        can_cancel: actions.cancel,
        can_delete: actions.delete,
        can_reschedule: actions.reschedule,
        review: post.review.as_str(),
        review_label: review_label(t, post.review),
        held: post.held_at.is_some(),
        can_submit: actions.submit,
        can_decide: actions.decide,
        date,
        time,
        zone: zone_name,
    }
}

// ------------------------------------------------------------ detail page

pub struct ReceiptRow {
    pub attempt: i32,
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub started: String,
    pub finished: String,
    pub remote_id: Option<String>,
    pub permalink: Option<String>,
    /// Ids the platform gave along the way (containers, upload sessions).
    pub progress: Vec<(String, String)>,
    pub error: Option<String>,
}

pub struct TargetDetail {
    pub line: TargetLine,
    pub receipts: Vec<ReceiptRow>,
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    post: PostCard,
    created: String,
    zone: String,
    zones: &'static [String],
    targets: Vec<TargetDetail>,
    history: Vec<HistoryLine>,
    threads: Vec<ThreadView>,
    /// Members may comment here (they may draft, or approve).
    can_comment: bool,
    /// Accounts a comment may be about: (target id, name).
    comment_targets: Vec<(String, String)>,
    /// Client review links showing this post (members who may publish).
    links: Vec<LinkLine>,
    can_share: bool,
    notice: Option<String>,
    error: Option<String>,
}

/// A client review link as the post page lists it.
pub struct LinkLine {
    pub id: String,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub last_viewed: Option<String>,
    pub protected: bool,
    pub active: bool,
}

/// One step of the review history.
pub struct HistoryLine {
    pub action: &'static str,
    pub text: String,
    pub at: String,
    pub comment: String,
}

pub struct CommentLine {
    pub id: i64,
    pub author: String,
    pub at: String,
    pub body: String,
    /// The account it is about.
    pub about: Option<String>,
}

pub struct ThreadView {
    pub comment: CommentLine,
    pub replies: Vec<CommentLine>,
}

fn history_line(
    t: &'static Catalog,
    tz: &TimeZone,
    e: &herald_publishing::ReviewEntry,
) -> HistoryLine {
    let who = e
        .actor_name
        .clone()
        .unwrap_or_else(|| t.text("posts.review.someone").to_owned());
    let key = if e.via_link {
        format!("posts.history.{}_link", e.action.as_str())
    } else {
        format!("posts.history.{}", e.action.as_str())
    };
    HistoryLine {
        action: e.action.as_str(),
        text: if e.action == ReviewAction::Held {
            t.text(&key).to_owned()
        } else {
            t.fill(&key, "name", &who)
        },
        at: local_time(e.at, tz),
        comment: e.comment.clone(),
    }
}

fn comment_line(
    t: &'static Catalog,
    tz: &TimeZone,
    post: &PostView,
    c: &herald_publishing::CommentView,
) -> CommentLine {
    CommentLine {
        id: c.id,
        author: c
            .author_name
            .clone()
            .unwrap_or_else(|| t.text("posts.review.someone").to_owned()),
        at: local_time(c.created_at, tz),
        body: c.body.clone(),
        about: c.target_id.as_ref().and_then(|id| {
            post.targets
                .iter()
                .find(|t| &t.id == id)
                .map(|t| format!("{} · {}", t.account_name, platform(t.kind).name))
        }),
    }
}

/// The top-level ids in a publisher's saved progress.
fn progress_ids(progress: &serde_json::Value) -> Vec<(String, String)> {
    let Some(map) = progress.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => shorten(s, 80),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), v))
        })
        .collect()
}

fn receipt_row(t: &'static Catalog, tz: &TimeZone, r: Receipt) -> ReceiptRow {
    let said = match &r.error_detail {
        Some(detail) => Some(crate::words::failure(t, detail)),
        None => r.error_message.clone(),
    };
    let error = match (r.error_code.as_deref(), said.as_deref()) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (None, Some(message)) => Some(message.to_owned()),
        (Some(code), None) => Some(code.to_owned()),
        (None, None) => None,
    };
    ReceiptRow {
        attempt: r.attempt,
        outcome: r.outcome.as_str(),
        outcome_label: t.text(&format!("posts.outcome.{}", r.outcome.as_str())),
        started: local_time(r.started_at, tz),
        finished: local_time(r.finished_at, tz),
        remote_id: r.remote_id,
        permalink: r
            .permalink
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        progress: progress_ids(&r.progress),
        error,
    }
}

#[derive(Deserialize, Default)]
struct PostQuery {
    workspace: Option<i64>,
    tz: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

async fn show_post(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<PostId>,
    Query(q): Query<PostQuery>,
) -> Result<Response, WebError> {
    let publishing = state.publishing();
    let (ws, auth) = member::authorize(&state, &authed.user, q.workspace, Permission::View).await?;
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let post = publishing.get(&auth, &id).await?;
    let role = auth.role();
    let actions = publishing.actions(&auth, &post).await?;
    let policy = publishing.approval_policy(&auth).await?;
    let mut targets = Vec::new();
    for target in &post.targets {
        let receipts = publishing.receipts(&auth, &target.id).await?;
        targets.push(TargetDetail {
            line: target_line(c.t, &zone.tz, target, role),
            receipts: receipts
                .into_iter()
                .map(|r| receipt_row(c.t, &zone.tz, r))
                .collect(),
        });
    }
    let history = publishing
        .review_history(&auth, &post.id)
        .await?
        .iter()
        .map(|e| history_line(c.t, &zone.tz, e))
        .collect();
    let threads = publishing
        .comments(&auth, &post.id)
        .await?
        .iter()
        .map(|th| ThreadView {
            comment: comment_line(c.t, &zone.tz, &post, &th.comment),
            replies: th
                .replies
                .iter()
                .map(|r| comment_line(c.t, &zone.tz, &post, r))
                .collect(),
        })
        .collect();
    let can_share = auth.allows(Permission::Publish);
    let links = if can_share {
        publishing
            .review_links(&auth, &post.id)
            .await?
            .into_iter()
            .map(|l| LinkLine {
                id: l.id,
                label: l.label,
                created: local_time(l.created_at, &zone.tz),
                expires: local_time(l.expires_at, &zone.tz),
                last_viewed: l.last_viewed_at.map(|at| local_time(at, &zone.tz)),
                protected: l.password_protected,
                active: l.active,
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&PostPage {
        rail: rail(Section::Calendar),
        workspace: ws.id.0,
        links,
        can_share,
        post: post_card(c.t, &zone, &post, actions, role),
        created: local_time(post.created_at, &zone.tz),
        zone: zone.name,
        zones: zone_names(),
        targets,
        history,
        threads,
        can_comment: auth.allows(Permission::Draft) || policy.is_approver(&auth),
        comment_targets: post
            .targets
            .iter()
            .map(|t| {
                (
                    t.id.to_string(),
                    format!("{} · {}", t.account_name, platform(t.kind).name),
                )
            })
            .collect(),
        notice: known(c.t, "posts.done.", q.done.as_deref()),
        error: known(c.t, "error.", q.error.as_deref()),
        c,
    })
}

// ------------------------------------------------------------ actions

/// `back` with `key=code` as its only notice.
pub(super) fn with_notice(back: &str, key: &str, code: &str) -> String {
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let mut out = path.to_owned();
    out.push('?');
    for pair in query.split('&') {
        if pair.is_empty() || pair.starts_with("done=") || pair.starts_with("error=") {
            continue;
        }
        out.push_str(pair);
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
    out.push_str(code);
    out
}

/// Back to the page the form was on, saying how it went. Refusals a person
/// can act on become a notice there; a missing post and server failures
/// get the error page.
fn back_with(back: &str, outcome: Result<&str, PublishError>) -> Result<Response, WebError> {
    let back = local_path(back);
    match outcome {
        Ok(done) => Ok(Redirect::to(&with_notice(back, "done", done)).into_response()),
        Err(e) => {
            let status = publish_status(&e);
            // A post or workspace that is not there (or not the caller's)
            // gets the error page; a refusal a person can act on, a notice.
            if status.is_server_error() || status == StatusCode::NOT_FOUND {
                return Err(e.into());
            }
            Ok(Redirect::to(&with_notice(back, "error", e.code())).into_response())
        }
    }
}

#[derive(Deserialize)]
struct ActionForm {
    workspace: i64,
    #[serde(default = "default_back")]
    back: String,
}

#[derive(Deserialize)]
struct RescheduleForm {
    workspace: i64,
    #[serde(default = "default_back")]
    back: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    time_zone: String,
}

fn default_back() -> String {
    "/home/calendar".to_owned()
}

async fn reschedule_post(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<RescheduleForm>,
) -> Result<Response, WebError> {
    let publishing = state.publishing();
    let when = When::Schedule {
        schedule: schedule_of(&form.date, &form.time, &form.time_zone),
    };
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let outcome = publishing
        .reschedule(&auth, &id, when)
        .await
        .map(|_| "rescheduled");
    back_with(&form.back, outcome)
}

async fn cancel_post(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let outcome = state
        .publishing()
        .cancel(&auth, &id)
        .await
        .map(|_| "cancelled");
    back_with(&form.back, outcome)
}

async fn delete_post(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let outcome = state
        .publishing()
        .delete(&auth, &id)
        .await
        .map(|_| "deleted");
    // The post's own page is gone: go to the calendar from there.
    let back = if form.back.starts_with("/home/posts/") {
        default_back()
    } else {
        form.back
    };
    back_with(&back, outcome)
}

async fn retry_target(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<TargetId>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let outcome = state
        .publishing()
        .retry(&auth, &id)
        .await
        .map(|_| "retrying");
    back_with(&form.back, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn notices_replace_earlier_ones_and_keep_the_rest_of_the_query() {
        assert_eq!(
            with_notice("/home/calendar", "done", "cancelled"),
            "/home/calendar?done=cancelled"
        );
        assert_eq!(
            with_notice(
                "/home/calendar?view=week&done=x&error=y&tz=UTC",
                "error",
                "forbidden"
            ),
            "/home/calendar?view=week&tz=UTC&error=forbidden"
        );
    }

    #[test]
    fn the_viewer_zone_comes_from_the_query_then_the_cookie_then_utc() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "herald_tz=Europe%2FBerlin".parse().unwrap());
        let z = viewer_zone(Some("Asia/Tokyo"), &h);
        assert_eq!((z.name.as_str(), z.source), ("Asia/Tokyo", "query"));
        let z = viewer_zone(Some("Mars/Olympus"), &h);
        assert_eq!((z.name.as_str(), z.source), ("Europe/Berlin", "browser"));
        let z = viewer_zone(None, &HeaderMap::new());
        assert_eq!((z.name.as_str(), z.source), ("UTC", "default"));
    }

    #[test]
    fn the_zone_list_holds_the_common_zones_once() {
        let zones = zone_names();
        assert_eq!(zones[0], "UTC");
        for z in ["Europe/Berlin", "America/New_York", "Asia/Kolkata"] {
            assert_eq!(zones.iter().filter(|n| *n == z).count(), 1, "{z}");
        }
    }

    #[test]
    fn every_failure_has_a_title_and_the_services_fix_in_every_language() {
        let kinds = [
            FailureKind::Reconnect,
            FailureKind::Reconsent,
            FailureKind::Rejected,
            FailureKind::Invalid,
            FailureKind::Quota,
            FailureKind::Unavailable,
            FailureKind::Unconfirmed,
            FailureKind::Misconfigured,
            FailureKind::MediaMissing,
            FailureKind::Disconnected,
        ];
        for kind in kinds {
            let fix = format!("posts.fix.{}", kind.as_str());
            assert_eq!(catalog(Locale::En).get(&fix), kind.fix(), "{fix}");
            for locale in Locale::ALL {
                let t = catalog(locale);
                assert!(t.has(&fix), "{fix} in {}", locale.code());
                let title = format!("posts.failure.{}", kind.as_str());
                assert!(t.has(&title), "{title} in {}", locale.code());
            }
        }
    }

    #[test]
    fn every_status_and_outcome_has_a_label() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for s in [
                "draft",
                "scheduled",
                "publishing",
                "published",
                "partially_published",
                "failed",
                "cancelled",
            ] {
                assert!(t.has(&format!("posts.status.{s}")), "{s}");
            }
            for o in ["published", "waiting", "retrying", "failed", "cancelled"] {
                assert!(t.has(&format!("posts.outcome.{o}")), "{o}");
            }
        }
    }

    #[test]
    fn long_summaries_are_shortened_at_characters() {
        assert_eq!(shorten("äöü", 3), "äöü");
        assert_eq!(shorten("äöüß", 3), "äö…");
    }
}

// ------------------------------------------------------------ review

#[derive(Deserialize)]
struct ReviewForm {
    workspace: i64,
    #[serde(default = "default_back")]
    back: String,
    #[serde(default)]
    comment: String,
}

async fn submit_post(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let outcome = state
        .publishing()
        .submit(&auth, &id, None)
        .await
        .map(|_| "submitted");
    back_with(&form.back, outcome)
}

async fn decide(
    state: AppState,
    authed: &herald_accounts::Authed,
    id: PostId,
    form: ReviewForm,
    decision: Decision,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let publishing = state.publishing();
    let outcome = match decision {
        Decision::Approve => publishing
            .approve(&auth, &id, &form.comment)
            .await
            .map(|_| "approved"),
        Decision::RequestChanges => publishing
            .request_changes(&auth, &id, &form.comment)
            .await
            .map(|_| "changes_requested"),
    };
    back_with(&form.back, outcome)
}

async fn approve_post(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> Result<Response, WebError> {
    decide(state, &authed, id, form, Decision::Approve).await
}

async fn request_changes(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> Result<Response, WebError> {
    decide(state, &authed, id, form, Decision::RequestChanges).await
}

#[derive(Deserialize)]
struct CommentForm {
    workspace: i64,
    #[serde(default = "default_back")]
    back: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reply_to: Option<i64>,
    /// An account's target id, or empty for the whole post.
    #[serde(default)]
    target: String,
}

async fn add_comment(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<CommentForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let target = Some(form.target.trim())
        .filter(|t| !t.is_empty())
        .map(|t| TargetId(t.to_owned()));
    let outcome = state
        .publishing()
        .comment(
            &auth,
            &id,
            NewCommentInput {
                body: form.body,
                reply_to: form.reply_to,
                target,
            },
        )
        .await
        .map(|_| "commented");
    back_with(&form.back, outcome)
}

// ------------------------------------------------------------ review links

#[derive(Template)]
#[template(path = "review_link_created.html")]
struct LinkCreatedPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    post: String,
    url: String,
    expires: String,
    protected: bool,
}

#[derive(Deserialize)]
struct LinkForm {
    workspace: i64,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    label: String,
}

/// Creates a link and shows its address once (it is not stored).
async fn create_link(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<PostId>,
    axum::Form(form): axum::Form<LinkForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let back = format!("/home/posts/{id}?workspace={}", form.workspace);
    let created = state
        .publishing()
        .create_review_link(
            &auth,
            herald_publishing::NewLinkInput {
                posts: vec![id.clone()],
                expires_in_days: form.days,
                password: Some(form.password).filter(|p| !p.is_empty()),
                label: form.label,
            },
        )
        .await;
    let created = match created {
        Ok(created) => created,
        Err(e) => return back_with(&back, Err(e)),
    };
    let zone = viewer_zone(None, &headers);
    let mut response = render(&LinkCreatedPage {
        rail: rail(Section::Calendar),
        workspace: form.workspace,
        post: id.to_string(),
        url: format!("{}/review/{}", state.site().public_url, created.token),
        expires: local_time(created.link.expires_at, &zone.tz),
        protected: created.link.password_protected,
        c,
    })?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn revoke_link(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let outcome = state
        .publishing()
        .revoke_review_link(&auth, &id)
        .await
        .map(|_| "link_revoked");
    back_with(&form.back, outcome)
}
