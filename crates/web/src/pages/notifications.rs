//! A person's in-app notifications in the current workspace (newest first,
//! unread ones emphasised, "mark all read"), the unread count the shell
//! shows, and the preferences page: one checkbox per kind, saved per
//! person and workspace.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Authorized, Permission, User};
use herald_core::Named;
use herald_notify::{Channel, Choice, Notification, NotificationKind};
use serde::Deserialize;

use super::posts::{local_time, viewer_zone};
use super::public::local_path;
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::api::WorkspaceQuery;
use crate::auth::SignedIn;
use crate::i18n::Catalog;
use crate::member::{self, PageMember};
use crate::webhooks::notify_error;
use crate::{AppState, WebError};

/// Notifications shown on the page.
const SHOWN: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/notifications", get(list_notifications))
        .route("/home/notifications/read", post(mark_notifications_read))
        .route(
            "/home/settings/notifications",
            get(show_notification_settings).post(save_notification_settings),
        )
}

/// The workspace of the page's `?workspace=` (or the first) and the
/// unread count for the shell's badge there: `None` where there is nothing
/// to count (no workspace) or the lookup failed (a page still renders
/// without its badge).
pub(crate) async fn unread_badge(
    state: &AppState,
    user: &User,
    uri: &Uri,
) -> Option<(herald_core::WorkspaceId, i64)> {
    let asked = Query::<WorkspaceQuery>::try_from_uri(uri)
        .ok()
        .and_then(|Query(q)| q.workspace);
    let (_, auth) = member::authorize(state, user, asked, Permission::View)
        .await
        .ok()?;
    match state.webhooks().notifications.unread_count(&auth).await {
        Ok(n) => Some((auth.workspace(), n)),
        Err(e) => {
            tracing::warn!(error = %crate::error::chain(&e), "could not count unread notifications");
            None
        }
    }
}

pub(crate) fn kind_label(t: &'static Catalog, kind: NotificationKind) -> &'static str {
    t.text(&format!("notifications.kind.{}", kind.as_str()))
}

pub struct NotificationRow {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub text: String,
    pub link: Option<String>,
    pub at: String,
    pub read: bool,
}

fn notification_row(
    t: &'static Catalog,
    tz: &jiff::tz::TimeZone,
    n: &Notification,
) -> NotificationRow {
    NotificationRow {
        kind: n.kind.as_str(),
        kind_label: kind_label(t, n.kind),
        text: crate::words::notice(t, tz, n),
        // Only ever a path inside Herald.
        link: n
            .link
            .as_deref()
            .map(local_path)
            .filter(|p| *p != "/")
            .map(str::to_owned),
        at: local_time(n.created_at, tz),
        read: n.read,
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    unread: usize,
    rows: Vec<NotificationRow>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    tz: Option<String>,
    done: Option<String>,
}

async fn list_notifications(
    State(state): State<AppState>,
    PageMember {
        workspace: ws,
        auth,
        ..
    }: PageMember,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let notifications = &state.webhooks().notifications;
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let list = notifications
        .list(&auth, SHOWN)
        .await
        .map_err(notify_error)?;
    render(&NotificationsPage {
        rail: rail(Section::Home),
        workspace: ws.id.0,
        unread: list.iter().filter(|n| !n.read).count(),
        rows: list
            .iter()
            .map(|n| notification_row(c.t, &zone.tz, n))
            .collect(),
        notice: known(c.t, "notifications.done.", q.done.as_deref()),
        c,
    })
}

#[derive(Deserialize)]
struct WorkspaceForm {
    workspace: i64,
}

/// The workspace of a form, which must be one the user is in.
async fn form_workspace(
    state: &AppState,
    user: &User,
    workspace: i64,
) -> Result<Authorized, WebError> {
    member::proof(state, user, Some(workspace), Permission::View).await
}

async fn mark_notifications_read(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let notifications = &state.webhooks().notifications;
    let auth = form_workspace(&state, &authed.user, form.workspace).await?;
    notifications
        .mark_all_read(&auth)
        .await
        .map_err(notify_error)?;
    Ok(Redirect::to(&format!(
        "/home/notifications?workspace={}&done=all_read",
        auth.workspace()
    ))
    .into_response())
}

// ------------------------------------------------------------ preferences

pub struct PreferenceRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub in_app: bool,
    pub email: bool,
}

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct PreferencesPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    workspace_name: String,
    rows: Vec<PreferenceRow>,
    time_zone: String,
    zones: &'static [String],
    /// `(value, label, chosen)` for the digest's day.
    days: Vec<(&'static str, &'static str, bool)>,
    digest_time: String,
    verified: bool,
    notice: Option<String>,
}

async fn show_notification_settings(
    State(state): State<AppState>,
    PageMember {
        authed,
        workspace: ws,
        auth,
        ..
    }: PageMember,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let notifications = &state.webhooks().notifications;
    let choices = notifications.choices(&auth).await.map_err(notify_error)?;
    let schedule = notifications
        .digest_schedule(authed.user.id)
        .await
        .map_err(notify_error)?;
    let on = |kind: NotificationKind, channel: Channel| {
        choices
            .iter()
            .any(|ch| ch.kind == kind && ch.channel == channel && ch.enabled)
    };
    // The zone they chose, else the browser's, else UTC.
    let user = &authed.user;
    let time_zone = user
        .time_zone
        .clone()
        .unwrap_or_else(|| viewer_zone(None, &headers).name);
    render(&PreferencesPage {
        rail: rail(Section::Settings),
        workspace: ws.id.0,
        workspace_name: ws.name.clone(),
        rows: NotificationKind::ALL
            .into_iter()
            .map(|kind| PreferenceRow {
                kind: kind.as_str(),
                label: kind_label(c.t, kind),
                description: c
                    .t
                    .text(&format!("notifications.describe.{}", kind.as_str())),
                in_app: on(kind, Channel::InApp),
                email: on(kind, Channel::Email),
            })
            .collect(),
        time_zone,
        zones: super::posts::zone_names(),
        days: herald_notify::DigestSchedule::day_names()
            .into_iter()
            .map(|d| {
                (
                    d,
                    c.t.text(&format!("notifications.day.{d}")),
                    d == schedule.day_name(),
                )
            })
            .collect(),
        digest_time: schedule.time_text(),
        verified: user.verified,
        notice: known(c.t, "notifications.done.", q.done.as_deref()),
        c,
    })
}

/// Every kind on every channel, on when its box was ticked: an unticked
/// box sends nothing, so what is absent is off.
fn chosen(form: &[(String, String)]) -> Vec<Choice> {
    let mut choices = Vec::new();
    for kind in NotificationKind::ALL {
        for channel in Channel::ALL {
            let enabled = form
                .iter()
                .any(|(k, v)| k == channel.as_str() && v == kind.as_str());
            choices.push(Choice {
                kind,
                channel,
                enabled,
            });
        }
    }
    choices
}

async fn save_notification_settings(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notifications = &state.webhooks().notifications;
    let asked = form
        .iter()
        .find(|(k, _)| k == "workspace")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .ok_or(WebError::BadRequest {
            code: "bad_request",
        })?;
    let auth = form_workspace(&state, &authed.user, asked).await?;
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let schedule = match (field("digest_day"), field("digest_time")) {
        (Some(day), Some(time)) => Some(herald_notify::DigestSchedule::parse(day, time).ok_or(
            WebError::Unprocessable {
                code: "digest_schedule_invalid",
            },
        )?),
        _ => None,
    };
    // The zone first: the accounts service refuses an unknown one before
    // anything is written (an empty one would clear it, which the form
    // never means).
    if let Some(zone) = field("time_zone") {
        if zone.trim().is_empty() {
            return Err(WebError::Unprocessable {
                code: "unknown_time_zone",
            });
        }
        state
            .accounts()
            .set_time_zone(&authed.user, Some(zone))
            .await?;
    }
    if let Some(schedule) = schedule {
        notifications
            .set_digest_schedule(authed.user.id, schedule)
            .await
            .map_err(notify_error)?;
    }
    notifications
        .choose(&auth, &chosen(&form))
        .await
        .map_err(notify_error)?;
    Ok(Redirect::to(&format!(
        "/home/settings/notifications?workspace={}&done=saved",
        auth.workspace()
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn unticked_boxes_are_saved_as_off() {
        let form = vec![
            ("workspace".to_owned(), "3".to_owned()),
            ("in_app".to_owned(), "mention".to_owned()),
            ("email".to_owned(), "post_failed".to_owned()),
            ("email".to_owned(), "no_such_kind".to_owned()),
            ("sms".to_owned(), "mention".to_owned()),
        ];
        let chosen = chosen(&form);
        assert_eq!(
            chosen.len(),
            NotificationKind::ALL.len() * Channel::ALL.len()
        );
        for c in chosen {
            let expected = (c.kind == NotificationKind::Mention && c.channel == Channel::InApp)
                || (c.kind == NotificationKind::PostFailed && c.channel == Channel::Email);
            assert_eq!(c.enabled, expected, "{c:?}");
        }
    }

    #[test]
    fn every_kind_has_a_name_and_a_description_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for kind in NotificationKind::ALL {
                for part in ["kind", "describe"] {
                    let key = format!("notifications.{part}.{}", kind.as_str());
                    assert!(t.has(&key), "{key} in {}", locale.code());
                }
            }
        }
    }
}
