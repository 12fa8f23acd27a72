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
use herald_webhooks::{Notification, NotificationKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
use crate::api::json::ApiJson;
use crate::auth::AccountCaller;
use crate::i18n::{Locale, catalog};
use crate::member;
use crate::webhooks::service_error;
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
}

#[derive(OpenApi)]
#[openapi(paths(list_notifications, get_preferences, set_preferences))]
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
    notice: Option<herald_webhooks::Notice>,
    link: Option<String>,
    created_at: Timestamp,
    read: bool,
}

impl NotificationView {
    fn of(locale: Locale, n: Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind.as_str(),
            text: words::notice(catalog(locale), &n),
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
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(WebError::BadRequest {
            code: "webhook_invalid_limit",
        });
    }
    let list = notifications
        .list(&auth, limit)
        .await
        .map_err(service_error)?;
    let unread = notifications
        .unread_count(&auth)
        .await
        .map_err(service_error)?;
    Ok(Json(NotificationList {
        unread,
        notifications: list
            .into_iter()
            .map(|n| NotificationView::of(locale, n))
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

fn preferences_view(prefs: Vec<(NotificationKind, bool)>) -> Preferences {
    prefs.into_iter().map(|(k, on)| (k.as_str(), on)).collect()
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
    let prefs = notifications
        .preferences(&auth)
        .await
        .map_err(service_error)?;
    Ok(Json(preferences_view(prefs)))
}

/// The kinds named in a PUT body, or the refusal of an unknown one.
fn parse_preferences(
    body: &BTreeMap<String, bool>,
) -> Result<Vec<(NotificationKind, bool)>, WebError> {
    body.iter()
        .map(|(name, on)| {
            NotificationKind::parse(name)
                .map(|k| (k, *on))
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
        .set_preferences(&auth, &changes)
        .await
        .map_err(service_error)?;
    let prefs = notifications
        .preferences(&auth)
        .await
        .map_err(service_error)?;
    Ok(Json(preferences_view(prefs)))
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
                (NotificationKind::Comment, false),
                (NotificationKind::Mention, true)
            ]
        );
        let body: BTreeMap<String, bool> =
            serde_json::from_str(r#"{"comment": false, "gossip": true}"#).unwrap();
        let e = parse_preferences(&body).unwrap_err();
        assert_eq!(e.code(), "notification_unknown_kind");
    }
}
