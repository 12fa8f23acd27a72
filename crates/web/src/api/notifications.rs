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

async fn member_of(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
) -> Result<Authorized, WebError> {
    member::proof(state, user, asked, Permission::View).await
}

#[derive(Deserialize, Default)]
struct ListQuery {
    workspace: Option<i64>,
    limit: Option<usize>,
}

#[derive(Serialize)]
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

#[derive(Serialize)]
struct NotificationList {
    unread: i64,
    notifications: Vec<NotificationView>,
}

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

#[derive(Deserialize, Default)]
struct PreferencesQuery {
    workspace: Option<i64>,
}

type Preferences = BTreeMap<&'static str, bool>;

fn preferences_view(prefs: Vec<(NotificationKind, bool)>) -> Preferences {
    prefs.into_iter().map(|(k, on)| (k.as_str(), on)).collect()
}

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

/// Sets the kinds in the body (`{"comment": false, …}`); answers with all.
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
