//! `/api/notifications…`: the caller's notifications in a workspace and
//! their preferences (which kinds they get), as JSON.
//!
//! Preferences are an object of kind → on/off; a PUT sets the kinds it
//! names and keeps the others. An unknown kind refuses the whole request.
//! They are the person's, so a scoped token gets none of it (403).

use herald_core::Named;
use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use herald_accounts::{Authorized, Permission, User};
use herald_core::Timestamp;
use herald_notify::{Channel, Choice, Notification, NotificationKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
use crate::api::json::ApiJson;
use crate::auth::AccountCaller;
use crate::i18n::{Locale, catalog};
use crate::member;
use crate::webhooks::notify_error;
use crate::{AppState, WebError, words};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/notifications", get(list_notifications))
        .route(
            "/api/notifications/preferences",
            get(get_preferences).put(set_preferences),
        )
        .route(
            "/api/notification-preferences",
            get(get_channel_preferences).put(set_channel_preferences),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    list_notifications,
    get_preferences,
    set_preferences,
    get_channel_preferences,
    set_channel_preferences
))]
pub(super) struct Doc;

async fn member_of(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
) -> Result<Authorized, WebError> {
    member::proof(state, user, asked, Permission::View).await
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// The workspace; the caller's first one when absent.
    workspace: Option<i64>,
    /// How many, newest first: 1 to 200 (50 when absent).
    limit: Option<usize>,
}

/// One notification.
#[derive(Serialize, ToSchema)]
struct NotificationView {
    id: i64,
    kind: &'static str,
    /// In the request's language.
    text: String,
    /// What it says as a code with parameters (absent on old notices).
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<herald_notify::Notice>,
    link: Option<String>,
    created_at: Timestamp,
    read: bool,
}

impl NotificationView {
    fn of(locale: Locale, tz: &jiff::tz::TimeZone, n: Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind.as_str(),
            text: words::notice(catalog(locale), tz, &n),
            notice: n.notice,
            link: n.link,
            created_at: n.created_at,
            read: n.read,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct NotificationList {
    /// How many of the caller's notifications in the workspace are unread.
    unread: i64,
    notifications: Vec<NotificationView>,
}

/// List notifications
///
/// The caller's notifications in the workspace, newest first.
#[utoipa::path(
    get,
    path = "/api/notifications",
    tag = "notifications",
    params(ListQuery),
    responses(
        (status = 200, description = "The notifications and the unread count.", body = NotificationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn list_notifications(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
    locale: Locale,
    Query(q): Query<ListQuery>,
) -> Result<Json<NotificationList>, WebError> {
    let notifications = &state.webhooks().notifications;
    let auth = member_of(&state, &user, q.workspace).await?;
    let tz = herald_notify::zone_of(user.time_zone.as_deref());
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(WebError::BadRequest {
            code: "webhook_invalid_limit",
        });
    }
    let list = notifications
        .list(&auth, limit)
        .await
        .map_err(notify_error)?;
    let unread = notifications
        .unread_count(&auth)
        .await
        .map_err(notify_error)?;
    Ok(Json(NotificationList {
        unread,
        notifications: list
            .into_iter()
            .map(|n| NotificationView::of(locale, &tz, n))
            .collect(),
    }))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct PreferencesQuery {
    /// The workspace; the caller's first one when absent.
    workspace: Option<i64>,
}

type Preferences = BTreeMap<&'static str, bool>;

/// The in-app choices, kind by kind (this older route's shape).
fn preferences_view(choices: Vec<Choice>) -> Preferences {
    choices
        .into_iter()
        .filter(|c| c.channel == Channel::InApp)
        .map(|c| (c.kind.as_str(), c.enabled))
        .collect()
}

/// Which kinds of notification the caller gets
#[utoipa::path(
    get,
    path = "/api/notifications/preferences",
    tag = "notifications",
    params(PreferencesQuery),
    responses(
        (status = 200, description = "Every kind (`comment`, `mention`, `message`, `story_insights`, …) and whether the caller gets it.",
            body = BTreeMap<String, bool>, example = json!({"comment": true, "mention": true, "story_insights": false})),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn get_preferences(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
    Query(q): Query<PreferencesQuery>,
) -> Result<Json<Preferences>, WebError> {
    let notifications = &state.webhooks().notifications;
    let auth = member_of(&state, &user, q.workspace).await?;
    let prefs = notifications.choices(&auth).await.map_err(notify_error)?;
    Ok(Json(preferences_view(prefs)))
}

/// The kinds named in a PUT body, or the refusal of an unknown one.
fn parse_preferences(body: &BTreeMap<String, bool>) -> Result<Vec<Choice>, WebError> {
    body.iter()
        .map(|(name, on)| {
            NotificationKind::parse(name)
                .map(|kind| Choice {
                    kind,
                    channel: Channel::InApp,
                    enabled: *on,
                })
                .ok_or(WebError::Unprocessable {
                    code: "notification_unknown_kind",
                })
        })
        .collect()
}

/// Choose which kinds of notification the caller gets
///
/// Sets the kinds in the body (`{"comment": false, …}`) and keeps the
/// others; answers with all. An unknown kind refuses the whole change.
#[utoipa::path(
    put,
    path = "/api/notifications/preferences",
    tag = "notifications",
    params(PreferencesQuery),
    request_body(content = BTreeMap<String, bool>, example = json!({"comment": false})),
    responses(
        (status = 200, description = "Every kind and whether the caller gets it.", body = BTreeMap<String, bool>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn set_preferences(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
    Query(q): Query<PreferencesQuery>,
    ApiJson(body): ApiJson<BTreeMap<String, bool>>,
) -> Result<Json<Preferences>, WebError> {
    let notifications = &state.webhooks().notifications;
    let auth = member_of(&state, &user, q.workspace).await?;
    let changes = parse_preferences(&body)?;
    notifications
        .choose(&auth, &changes)
        .await
        .map_err(notify_error)?;
    let prefs = notifications.choices(&auth).await.map_err(notify_error)?;
    Ok(Json(preferences_view(prefs)))
}

/// A member's notification choices on every channel, and their time zone.
#[derive(Serialize, Deserialize, ToSchema)]
struct ChannelPreferences {
    /// Kind → channel (`in_app`, `email`) → on. In a PUT, only the kinds
    /// and channels named change.
    #[schema(value_type = BTreeMap<String, BTreeMap<String, bool>>)]
    #[serde(default)]
    choices: BTreeMap<String, BTreeMap<String, bool>>,
    /// The IANA zone of the weekly digest (Monday 08:00 there) and of
    /// times in mail; `null` is UTC. In a PUT, absent keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
    /// When the weekly digest comes, in `time_zone`: `{"day": "monday" …
    /// "sunday", "time": "HH:MM"}` (Monday 08:00 unless chosen). In a PUT,
    /// absent keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<DigestWhen>,
}

/// When the weekly digest comes.
#[derive(Serialize, Deserialize, ToSchema)]
struct DigestWhen {
    day: String,
    time: String,
}

impl DigestWhen {
    fn of(s: herald_notify::DigestSchedule) -> DigestWhen {
        DigestWhen {
            day: s.day_name().to_owned(),
            time: s.time_text(),
        }
    }
}

fn channel_view(
    choices: Vec<Choice>,
    time_zone: Option<String>,
    digest: herald_notify::DigestSchedule,
) -> ChannelPreferences {
    let mut map: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    for c in choices {
        map.entry(c.kind.as_str().to_owned())
            .or_default()
            .insert(c.channel.as_str().to_owned(), c.enabled);
    }
    ChannelPreferences {
        choices: map,
        time_zone,
        digest: Some(DigestWhen::of(digest)),
    }
}

/// The choices of a PUT body, or the refusal of an unknown kind or
/// channel (nothing changes then).
fn parse_channel_choices(
    body: &BTreeMap<String, BTreeMap<String, bool>>,
) -> Result<Vec<Choice>, WebError> {
    let mut out = Vec::new();
    for (kind, channels) in body {
        let kind = NotificationKind::parse(kind).ok_or(WebError::Unprocessable {
            code: "notification_unknown_kind",
        })?;
        for (channel, enabled) in channels {
            let channel = Channel::parse(channel).ok_or(WebError::Unprocessable {
                code: "notification_unknown_channel",
            })?;
            out.push(Choice {
                kind,
                channel,
                enabled: *enabled,
            });
        }
    }
    Ok(out)
}

/// The caller's notification choices per channel
///
/// Every kind with whether the caller gets it in Herald (`in_app`) and by
/// e-mail (`email`) in the workspace, and the caller's time zone.
#[utoipa::path(
    get,
    path = "/api/notification-preferences",
    tag = "notifications",
    params(PreferencesQuery),
    responses(
        (status = 200, description = "The choices and the time zone.", body = ChannelPreferences,
            example = json!({"choices": {"post_failed": {"in_app": true, "email": true}, "comment": {"in_app": true, "email": false}}, "time_zone": "Europe/Berlin"})),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn get_channel_preferences(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
    Query(q): Query<PreferencesQuery>,
) -> Result<Json<ChannelPreferences>, WebError> {
    let auth = member_of(&state, &user, q.workspace).await?;
    let notifications = &state.webhooks().notifications;
    let choices = notifications.choices(&auth).await.map_err(notify_error)?;
    let digest = notifications
        .digest_schedule(user.id)
        .await
        .map_err(notify_error)?;
    Ok(Json(channel_view(choices, user.time_zone.clone(), digest)))
}

/// Change the caller's notification choices per channel
///
/// Sets the kinds and channels named (`{"choices": {"comment": {"email":
/// true}}, "time_zone": "Europe/Berlin"}`) and keeps the others; answers
/// with all. An unknown kind, channel or time zone refuses the whole
/// change.
#[utoipa::path(
    put,
    path = "/api/notification-preferences",
    tag = "notifications",
    params(PreferencesQuery),
    request_body(content = ChannelPreferences),
    responses(
        (status = 200, description = "Every choice and the time zone.", body = ChannelPreferences),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn set_channel_preferences(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
    Query(q): Query<PreferencesQuery>,
    ApiJson(body): ApiJson<ChannelPreferences>,
) -> Result<Json<ChannelPreferences>, WebError> {
    let notifications = &state.webhooks().notifications;
    let auth = member_of(&state, &user, q.workspace).await?;
    let changes = parse_channel_choices(&body.choices)?;
    let schedule = match &body.digest {
        Some(d) => Some(herald_notify::DigestSchedule::parse(&d.day, &d.time).ok_or(
            WebError::Unprocessable {
                code: "digest_schedule_invalid",
            },
        )?),
        None => None,
    };
    let mut time_zone = user.time_zone.clone();
    if let Some(zone) = &body.time_zone {
        // An empty zone would clear it; the accounts service refuses an
        // unknown one before writing anything.
        if zone.trim().is_empty() {
            return Err(WebError::Unprocessable {
                code: "unknown_time_zone",
            });
        }
        state.accounts().set_time_zone(&user, Some(zone)).await?;
        time_zone = Some(zone.trim().to_owned());
    }
    if let Some(schedule) = schedule {
        notifications
            .set_digest_schedule(user.id, schedule)
            .await
            .map_err(notify_error)?;
    }
    notifications
        .choose(&auth, &changes)
        .await
        .map_err(notify_error)?;
    let choices = notifications.choices(&auth).await.map_err(notify_error)?;
    let digest = notifications
        .digest_schedule(user.id)
        .await
        .map_err(notify_error)?;
    Ok(Json(channel_view(choices, time_zone, digest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_refuses_the_whole_change() {
        let body: BTreeMap<String, bool> =
            serde_json::from_str(r#"{"comment": false, "mention": true}"#).unwrap();
        let parsed = parse_preferences(&body).unwrap();
        assert_eq!(
            parsed,
            vec![
                Choice {
                    kind: NotificationKind::Comment,
                    channel: Channel::InApp,
                    enabled: false
                },
                Choice {
                    kind: NotificationKind::Mention,
                    channel: Channel::InApp,
                    enabled: true
                },
            ]
        );
        let body: BTreeMap<String, bool> =
            serde_json::from_str(r#"{"comment": false, "gossip": true}"#).unwrap();
        let e = parse_preferences(&body).unwrap_err();
        assert_eq!(e.code(), "notification_unknown_kind");
    }
}
