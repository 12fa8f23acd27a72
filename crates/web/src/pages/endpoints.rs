//! Outbound webhook endpoints as pages: the list with its create form, one
//! endpoint's settings, secret and delivery log, and one delivery with
//! every attempt. Only owners and admins (`ManageWebhooks`) see them; the
//! [`Manager`] extractor checks that before a handler runs.
//!
//! A secret appears only in the answer to a POST (create, reveal, rotate),
//! rendered with `Cache-Control: no-store`, never in a URL. The other
//! actions post and come back with a notice (post/redirect/get). Times are
//! shown in the viewer's zone, as on the calendar.

use askama::Template;
use axum::Router;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Authorized, Permission, User};
use herald_core::Named;
use herald_core::WorkspaceId;
use herald_core::{SignedDuration, Timestamp};
use herald_webhooks::outbound::{
    DISABLED_BY_HAND, DISABLED_FAILING, DISABLED_GONE, DeliveryState, EVENT_TYPES, Endpoint,
    EndpointChanges, EndpointId, NewEndpoint, OutboundDelivery,
};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::posts::{ViewerZone, local_time, viewer_zone};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::api::endpoints::{MAX_REPLAY, input_code, refused, state_filter};
use crate::auth::{SignedIn, urlencode};
use crate::i18n::{Catalog, error_copy};
use crate::member;
use crate::webhooks::service_error;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/home/webhooks/endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/home/webhooks/endpoints/{id}",
            get(show_endpoint).post(update_endpoint),
        )
        .route(
            "/home/webhooks/endpoints/{id}/enable",
            post(enable_endpoint),
        )
        .route(
            "/home/webhooks/endpoints/{id}/disable",
            post(disable_endpoint),
        )
        .route("/home/webhooks/endpoints/{id}/secret", post(reveal_secret))
        .route(
            "/home/webhooks/endpoints/{id}/rotate-secret",
            post(rotate_secret),
        )
        .route("/home/webhooks/endpoints/{id}/test", post(send_test))
        .route(
            "/home/webhooks/endpoints/{id}/delete",
            post(delete_endpoint),
        )
        .route(
            "/home/webhooks/endpoints/{id}/replay",
            post(replay_selected),
        )
        .route(
            "/home/webhooks/endpoints/{id}/replay-failed",
            post(replay_failed),
        )
        .route(
            "/home/webhooks/endpoints/deliveries/{id}",
            get(show_delivery),
        )
        .route(
            "/home/webhooks/endpoints/deliveries/{id}/replay",
            post(replay_delivery),
        )
}

/// How many deliveries the endpoint page lists.
const LOG_LENGTH: usize = 100;

// ------------------------------------------------------------ extractor

/// A signed-in person allowed to manage the webhooks of the workspace in
/// `?workspace=` (else their first); anyone else gets 403, a workspace
/// they are not in 404.
pub(super) struct Manager {
    user: User,
    workspace: WorkspaceId,
    auth: Authorized,
}

impl FromRequestParts<AppState> for Manager {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn(authed) = SignedIn::from_request_parts(parts, state).await?;
        let auth = member::resolve(parts, state, &authed.user, Permission::ManageWebhooks)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Manager {
            user: authed.user,
            workspace: auth.workspace(),
            auth,
        })
    }
}

impl Manager {
    fn list_href(&self) -> String {
        format!("/home/webhooks/endpoints?workspace={}", self.workspace.0)
    }

    fn endpoint_href(&self, id: &str) -> String {
        format!(
            "/home/webhooks/endpoints/{}?workspace={}",
            urlencode(id),
            self.workspace.0
        )
    }

    fn delivery_href(&self, id: i64) -> String {
        format!(
            "/home/webhooks/endpoints/deliveries/{id}?workspace={}",
            self.workspace.0
        )
    }
}

/// `href` and `&key=code`.
fn with(href: String, key: &str, code: &str) -> Response {
    Redirect::to(&format!("{href}&{key}={code}")).into_response()
}

// ------------------------------------------------------------ views

/// An event type as a checkbox.
pub struct EventChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// The create and edit form's fields, as entered.
pub struct EndpointForm {
    pub url: String,
    pub description: String,
    pub events: Vec<EventChoice>,
}

pub struct EndpointRow {
    pub id: String,
    /// `/home/webhooks/endpoints/{id}`, where its forms post.
    pub path: String,
    pub href: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub enabled: bool,
    pub status_label: &'static str,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<String>,
    pub created: String,
}

pub struct DeliveryRow {
    pub id: i64,
    pub href: String,
    pub event_type: String,
    pub message_id: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub state_label: &'static str,
    pub attempts: i64,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt: Option<String>,
    pub created: String,
}

pub struct StateOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// A secret shown on this one answer.
pub struct SecretsShown {
    pub heading: &'static str,
    pub note: &'static str,
    pub values: Vec<String>,
}

/// The label of an event type: the catalog's, else the service's words.
fn event_label(t: &Catalog, value: &'static str, fallback: &'static str) -> String {
    let key = format!("endpoints.event.{value}");
    if t.has(&key) {
        t.text(&key).to_owned()
    } else {
        fallback.to_owned()
    }
}

fn event_choices(t: &Catalog, checked: &[String]) -> Vec<EventChoice> {
    EVENT_TYPES
        .iter()
        .map(|(value, description)| EventChoice {
            value,
            label: event_label(t, value, description),
            checked: checked.iter().any(|c| c == value),
        })
        .collect()
}

const STATES: [DeliveryState; 4] = [
    DeliveryState::Pending,
    DeliveryState::Retrying,
    DeliveryState::Succeeded,
    DeliveryState::Dead,
];

fn state_label(t: &Catalog, s: DeliveryState) -> &str {
    t.text(&format!("endpoints.state.{}", s.as_str()))
}

/// The shared status colours: succeeded green, retrying amber, dead red.
fn state_class(s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Pending => "status-scheduled",
        DeliveryState::Succeeded => "status-published",
        DeliveryState::Retrying => "status-partially_published",
        DeliveryState::Dead => "status-failed",
    }
}

/// The copy of a reason the service records when it disables an endpoint;
/// any other reason is shown as the service wrote it.
fn reason_key(reason: &str) -> Option<&'static str> {
    match reason {
        DISABLED_BY_HAND => Some("endpoints.disabled_reason.manual"),
        DISABLED_GONE => Some("endpoints.disabled_reason.gone"),
        DISABLED_FAILING => Some("endpoints.disabled_reason.failing"),
        _ => None,
    }
}

fn endpoint_row(t: &'static Catalog, m: &Manager, tz: &TimeZone, e: Endpoint) -> EndpointRow {
    let events = if e.event_types.is_empty() {
        t.get("endpoints.all_events").to_owned()
    } else {
        e.event_types.join(", ")
    };
    let disabled_reason = e.disabled_reason.map(|r| match reason_key(&r) {
        Some(key) => t.get(key).to_owned(),
        None => r,
    });
    EndpointRow {
        href: m.endpoint_href(&e.id.0),
        path: format!("/home/webhooks/endpoints/{}", urlencode(&e.id.0)),
        id: e.id.0,
        url: e.url,
        description: e.description,
        events,
        enabled: e.enabled,
        status_label: if e.enabled {
            t.get("endpoints.enabled")
        } else {
            t.get("endpoints.disabled")
        },
        disabled_reason,
        failing_since: e.failing_since.map(|f| local_time(f, tz)),
        created: local_time(e.created_at, tz),
    }
}

fn delivery_row(
    t: &'static Catalog,
    m: &Manager,
    tz: &TimeZone,
    d: OutboundDelivery,
) -> DeliveryRow {
    DeliveryRow {
        href: m.delivery_href(d.id),
        id: d.id,
        event_type: d.event_type,
        message_id: d.message_id,
        state: d.state.as_str(),
        state_class: state_class(d.state),
        state_label: state_label(t, d.state),
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error,
        next_attempt: d.next_attempt_at.map(|n| local_time(n, tz)),
        created: local_time(d.created_at, tz),
    }
}

/// An answer that shows a secret: no cache keeps it.
fn no_store(page: Result<Response, WebError>) -> Result<Response, WebError> {
    let mut resp = page?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

fn with_status(status: StatusCode, page: Result<Response, WebError>) -> Result<Response, WebError> {
    let mut resp = page?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// The fields of the create and edit forms (`event_type` repeats).
#[derive(Default)]
struct EndpointFields {
    url: String,
    description: String,
    event_types: Vec<String>,
}

impl EndpointFields {
    fn from_pairs(pairs: Vec<(String, String)>) -> EndpointFields {
        let mut f = EndpointFields::default();
        for (k, v) in pairs {
            match k.as_str() {
                "url" => f.url = v.trim().to_owned(),
                "description" => f.description = v.trim().to_owned(),
                "event_type" => f.event_types.push(v),
                _ => {}
            }
        }
        f
    }

    fn form(&self, t: &Catalog) -> EndpointForm {
        EndpointForm {
            url: self.url.clone(),
            description: self.description.clone(),
            events: event_choices(t, &self.event_types),
        }
    }
}

// ------------------------------------------------------------ list

#[derive(Template)]
#[template(path = "endpoints.html")]
struct EndpointsPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    endpoints: Vec<EndpointRow>,
    form: EndpointForm,
    notice: Option<String>,
    error: Option<String>,
    zone: String,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    tz: Option<String>,
    state: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

async fn endpoints_page(
    state: &AppState,
    m: &Manager,
    c: Chrome,
    zone: ViewerZone,
    fields: &EndpointFields,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let endpoints = state
        .webhooks()
        .outbound
        .list(&m.auth)
        .await
        .map_err(service_error)?
        .into_iter()
        .map(|e| endpoint_row(c.t, m, &zone.tz, e))
        .collect();
    render(&EndpointsPage {
        rail: rail(Section::Webhooks),
        workspace: m.workspace.0,
        endpoints,
        form: fields.form(c.t),
        notice,
        error,
        zone: zone.name,
        c,
    })
}

async fn list_endpoints(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let notice = known(c.t, "endpoints.done.", q.done.as_deref());
    let error = known(c.t, "error.", q.error.as_deref());
    let fields = EndpointFields::default();
    endpoints_page(&state, &m, c, zone, &fields, notice, error).await
}

async fn create_endpoint(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = EndpointFields::from_pairs(pairs);
    let zone = viewer_zone(None, &headers);
    let new = NewEndpoint {
        url: fields.url.clone(),
        description: fields.description.clone(),
        event_types: fields.event_types.clone(),
    };
    match state.webhooks().outbound.create(&m.auth, new).await {
        Ok((endpoint, secret)) => {
            let shown = SecretsShown {
                heading: c.t.get("endpoints.secret_new"),
                note: c.t.get("endpoints.secret_once"),
                values: vec![secret],
            };
            let notice = Some(c.t.get("endpoints.done.created").to_owned());
            let page = EndpointExtras {
                secrets: Some(shown),
                notice,
                ..EndpointExtras::default()
            };
            no_store(endpoint_page(&state, &m, c, zone, &endpoint.id, page).await)
        }
        Err(e) => match input_code(&e) {
            Some(code) => {
                let error = Some(error_copy(c.locale, code).to_owned());
                let page = endpoints_page(&state, &m, c, zone, &fields, None, error).await;
                with_status(StatusCode::UNPROCESSABLE_ENTITY, page)
            }
            None => Err(refused(e)),
        },
    }
}

// ------------------------------------------------------------ one endpoint

#[derive(Template)]
#[template(path = "endpoint.html")]
struct EndpointPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    list_href: String,
    endpoint: EndpointRow,
    /// The edit form: the endpoint's values, or what was entered.
    form: EndpointForm,
    secrets: Option<SecretsShown>,
    notice: Option<String>,
    error: Option<String>,
    deliveries: Vec<DeliveryRow>,
    states: Vec<StateOption>,
    state: &'static str,
    /// The replay form's default: a day ago, in the viewer's zone.
    since: String,
    zone: String,
}

/// What an answer adds to the endpoint page.
#[derive(Default)]
struct EndpointExtras {
    fields: Option<EndpointFields>,
    secrets: Option<SecretsShown>,
    notice: Option<String>,
    error: Option<String>,
    state: Option<DeliveryState>,
}

async fn endpoint_page(
    state: &AppState,
    m: &Manager,
    c: Chrome,
    zone: ViewerZone,
    id: &EndpointId,
    extras: EndpointExtras,
) -> Result<Response, WebError> {
    let outbound = &state.webhooks().outbound;
    let endpoint = outbound
        .get(&m.auth, id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let deliveries = outbound
        .deliveries(&m.auth, id, extras.state, LOG_LENGTH)
        .await
        .map_err(service_error)?
        .into_iter()
        .map(|d| delivery_row(c.t, m, &zone.tz, d))
        .collect();
    let fields = extras.fields.unwrap_or_else(|| EndpointFields {
        url: endpoint.url.clone(),
        description: endpoint.description.clone(),
        event_types: endpoint.event_types.clone(),
    });
    let states = STATES
        .into_iter()
        .map(|s| StateOption {
            value: s.as_str(),
            label: state_label(c.t, s),
            selected: extras.state == Some(s),
        })
        .collect();
    let since = (Timestamp::now() - SignedDuration::from_hours(24))
        .to_zoned(zone.tz.clone())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    render(&EndpointPage {
        rail: rail(Section::Webhooks),
        workspace: m.workspace.0,
        list_href: m.list_href(),
        form: fields.form(c.t),
        endpoint: endpoint_row(c.t, m, &zone.tz, endpoint),
        secrets: extras.secrets,
        notice: extras.notice,
        error: extras.error,
        deliveries,
        states,
        state: extras.state.map_or("", DeliveryState::as_str),
        since,
        zone: zone.name,
        c,
    })
}

async fn show_endpoint(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let extras = EndpointExtras {
        notice: known(c.t, "endpoints.done.", q.done.as_deref()),
        error: known(c.t, "error.", q.error.as_deref()),
        state: state_filter(q.state.as_deref())?,
        ..EndpointExtras::default()
    };
    endpoint_page(&state, &m, c, zone, &EndpointId(id), extras).await
}

async fn update_endpoint(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = EndpointFields::from_pairs(pairs);
    let changes = EndpointChanges {
        url: Some(fields.url.clone()),
        description: Some(fields.description.clone()),
        event_types: Some(fields.event_types.clone()),
        enabled: None,
    };
    let id = EndpointId(id);
    match state
        .webhooks()
        .outbound
        .update(&m.auth, &id, changes)
        .await
    {
        Ok(_) => Ok(with(m.endpoint_href(&id.0), "done", "updated")),
        Err(e) => match input_code(&e) {
            Some(code) => {
                let extras = EndpointExtras {
                    error: Some(error_copy(c.locale, code).to_owned()),
                    fields: Some(fields),
                    ..EndpointExtras::default()
                };
                let zone = viewer_zone(None, &headers);
                let page = endpoint_page(&state, &m, c, zone, &id, extras).await;
                with_status(StatusCode::UNPROCESSABLE_ENTITY, page)
            }
            None => Err(refused(e)),
        },
    }
}

async fn set_enabled(
    state: &AppState,
    m: &Manager,
    id: String,
    enabled: bool,
) -> Result<Response, WebError> {
    let changes = EndpointChanges {
        enabled: Some(enabled),
        ..EndpointChanges::default()
    };
    let endpoint = state
        .webhooks()
        .outbound
        .update(&m.auth, &EndpointId(id), changes)
        .await
        .map_err(refused)?;
    let done = if enabled { "enabled" } else { "disabled" };
    Ok(with(m.endpoint_href(&endpoint.id.0), "done", done))
}

async fn enable_endpoint(
    State(state): State<AppState>,
    m: Manager,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    set_enabled(&state, &m, id, true).await
}

async fn disable_endpoint(
    State(state): State<AppState>,
    m: Manager,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    set_enabled(&state, &m, id, false).await
}

async fn reveal_secret(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = EndpointId(id);
    let values = state
        .webhooks()
        .outbound
        .secrets(&m.auth, &id)
        .await
        .map_err(refused)?;
    let note = if values.len() > 1 {
        c.t.get("endpoints.secret_previous_note")
    } else {
        c.t.get("endpoints.secret_current_note")
    };
    let extras = EndpointExtras {
        secrets: Some(SecretsShown {
            heading: c.t.get("endpoints.secret_current"),
            note,
            values,
        }),
        ..EndpointExtras::default()
    };
    let zone = viewer_zone(None, &headers);
    no_store(endpoint_page(&state, &m, c, zone, &id, extras).await)
}

async fn rotate_secret(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = EndpointId(id);
    let secret = state
        .webhooks()
        .outbound
        .rotate_secret(&m.auth, &id)
        .await
        .map_err(refused)?;
    let extras = EndpointExtras {
        secrets: Some(SecretsShown {
            heading: c.t.get("endpoints.secret_rotated"),
            note: c.t.get("endpoints.secret_rotated_note"),
            values: vec![secret],
        }),
        notice: Some(c.t.get("endpoints.done.rotated").to_owned()),
        ..EndpointExtras::default()
    };
    let zone = viewer_zone(None, &headers);
    no_store(endpoint_page(&state, &m, c, zone, &id, extras).await)
}

async fn send_test(
    State(state): State<AppState>,
    m: Manager,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = EndpointId(id);
    state
        .webhooks()
        .outbound
        .send_test(&m.auth, &id)
        .await
        .map_err(refused)?;
    Ok(with(m.endpoint_href(&id.0), "done", "test_sent"))
}

#[derive(Deserialize)]
struct DeleteForm {
    /// The "yes, delete it" checkbox.
    confirm: Option<String>,
}

async fn delete_endpoint(
    State(state): State<AppState>,
    m: Manager,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    if form.confirm.as_deref() != Some("yes") {
        return Ok(with(
            m.endpoint_href(&id),
            "error",
            "endpoint_delete_unconfirmed",
        ));
    }
    let deleted = state
        .webhooks()
        .outbound
        .delete(&m.auth, &EndpointId(id))
        .await
        .map_err(service_error)?;
    if !deleted {
        return Err(WebError::NotFound);
    }
    Ok(with(m.list_href(), "done", "deleted"))
}

/// The `?done=` notice after a replay of `count` deliveries.
fn replayed(count: usize) -> &'static str {
    if count == 0 {
        "nothing_replayed"
    } else {
        "replayed"
    }
}

async fn replay_selected(
    State(state): State<AppState>,
    m: Manager,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "delivery")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let outbound = &state.webhooks().outbound;
    outbound
        .get(&m.auth, &EndpointId(id.clone()))
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    if ids.is_empty() || ids.len() > MAX_REPLAY {
        return Ok(with(
            m.endpoint_href(&id),
            "error",
            "endpoint_replay_invalid",
        ));
    }
    let count = outbound
        .replay(&m.auth, &ids)
        .await
        .map_err(service_error)?;
    Ok(with(m.endpoint_href(&id), "done", replayed(count)))
}

#[derive(Deserialize)]
struct ReplayFailedForm {
    /// `YYYY-MM-DDTHH:MM` in `tz`, as a datetime-local input gives it.
    since: String,
    tz: Option<String>,
}

/// A wall-clock time in a zone, as an instant.
fn instant_in(local: &str, tz: &TimeZone) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = local.trim().parse().ok()?;
    Some(civil.to_zoned(tz.clone()).ok()?.timestamp())
}

async fn replay_failed(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReplayFailedForm>,
) -> Result<Response, WebError> {
    let outbound = &state.webhooks().outbound;
    let endpoint = EndpointId(id);
    outbound
        .get(&m.auth, &endpoint)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let zone = viewer_zone(form.tz.as_deref(), &headers);
    let Some(since) = instant_in(&form.since, &zone.tz) else {
        return Ok(with(
            m.endpoint_href(&endpoint.0),
            "error",
            "endpoint_replay_since_invalid",
        ));
    };
    let count = outbound
        .replay_failed_since(&m.auth, &endpoint, since)
        .await
        .map_err(service_error)?;
    Ok(with(m.endpoint_href(&endpoint.0), "done", replayed(count)))
}

// ------------------------------------------------------------ one delivery

pub struct AttemptRow {
    pub number: i64,
    pub at: String,
    pub status: Option<i32>,
    pub ok: bool,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
    pub replayed_by: Option<String>,
}

#[derive(Template)]
#[template(path = "endpoint_delivery.html")]
struct DeliveryPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    endpoint_href: String,
    delivery: DeliveryRow,
    payload: String,
    attempts: Vec<AttemptRow>,
    notice: Option<String>,
    zone: String,
}

/// The payload indented for reading; as sent when it is not JSON.
fn pretty(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| payload.to_owned())
}

async fn show_delivery(
    State(state): State<AppState>,
    m: Manager,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let detail = state
        .webhooks()
        .outbound
        .delivery(&m.auth, id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let members = state.accounts().members(&m.user, m.workspace).await?;
    let attempts = detail
        .attempts
        .into_iter()
        .map(|a| AttemptRow {
            number: a.number,
            at: local_time(a.at, &zone.tz),
            ok: a.status.is_some_and(|s| (200..300).contains(&s)),
            status: a.status,
            duration_ms: a.duration_ms,
            error: a.error,
            response_excerpt: a.response_excerpt,
            replayed_by: a.replayed_by.map(|by| {
                members
                    .iter()
                    .find(|member| member.user_id == by)
                    .map_or_else(
                        || c.t.get("endpoints.former_member").to_owned(),
                        |member| {
                            if member.display_name.is_empty() {
                                member.email.clone()
                            } else {
                                member.display_name.clone()
                            }
                        },
                    )
            }),
        })
        .collect();
    render(&DeliveryPage {
        rail: rail(Section::Webhooks),
        workspace: m.workspace.0,
        endpoint_href: m.endpoint_href(&detail.delivery.endpoint_id.0),
        payload: pretty(&detail.payload),
        delivery: delivery_row(c.t, &m, &zone.tz, detail.delivery),
        attempts,
        notice: known(c.t, "endpoints.done.", q.done.as_deref()),
        zone: zone.name,
        c,
    })
}

async fn replay_delivery(
    State(state): State<AppState>,
    m: Manager,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let outbound = &state.webhooks().outbound;
    outbound
        .delivery(&m.auth, id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let count = outbound
        .replay(&m.auth, &[id])
        .await
        .map_err(service_error)?;
    Ok(with(m.delivery_href(id), "done", replayed(count)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::endpoints::INPUT_CODES;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn every_event_type_state_and_error_code_has_copy_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for (value, _) in EVENT_TYPES {
                assert!(t.has(&format!("endpoints.event.{value}")), "{value}");
            }
            for s in STATES {
                assert!(t.has(&format!("endpoints.state.{}", s.as_str())));
            }
            for reason in [DISABLED_BY_HAND, DISABLED_GONE, DISABLED_FAILING] {
                let key = reason_key(reason).unwrap();
                assert!(t.has(key), "{key}");
            }
            for done in [
                "created",
                "updated",
                "enabled",
                "disabled",
                "rotated",
                "test_sent",
                "deleted",
                "replayed",
                "nothing_replayed",
            ] {
                assert!(t.has(&format!("endpoints.done.{done}")), "{done}");
            }
        }
        for code in INPUT_CODES {
            assert!(catalog(Locale::En).has(&format!("error.{code}")), "{code}");
            assert_ne!(
                error_copy(Locale::En, code),
                error_copy(Locale::De, code),
                "{code} is translated"
            );
        }
    }

    #[test]
    fn repeated_event_type_fields_are_all_kept() {
        let pairs = vec![
            ("url".to_owned(), " https://example.com/hook ".to_owned()),
            ("event_type".to_owned(), "post.published".to_owned()),
            ("event_type".to_owned(), "post.failed".to_owned()),
            ("_csrf".to_owned(), "x".to_owned()),
        ];
        let f = EndpointFields::from_pairs(pairs);
        assert_eq!(f.url, "https://example.com/hook");
        assert_eq!(f.event_types, ["post.published", "post.failed"]);
        let form = f.form(catalog(Locale::En));
        let checked: Vec<_> = form
            .events
            .iter()
            .filter(|e| e.checked)
            .map(|e| e.value)
            .collect();
        assert_eq!(checked, ["post.published", "post.failed"]);
    }

    #[test]
    fn replay_since_is_read_in_the_viewer_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let t = instant_in("2030-07-01T09:00", &berlin).unwrap();
        assert_eq!(t.to_string(), "2030-07-01T07:00:00Z");
        assert!(instant_in("yesterday", &berlin).is_none());
    }

    #[test]
    fn payloads_are_indented_when_they_are_json() {
        assert_eq!(pretty(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(pretty("not json"), "not json");
    }
}

/// Property tests: whatever an outbound delivery's payload holds, showing
/// it never panics and JSON keeps its value.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::pages::webhooks::props::json;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_payloads_are_shown_without_panicking(payload in ".{0,1024}") {
            let shown = pretty(&payload);
            if serde_json::from_str::<serde_json::Value>(&payload).is_err() {
                prop_assert_eq!(shown, payload);
            }
        }

        #[test]
        fn json_payloads_keep_their_value(value in json()) {
            let shown = pretty(&serde_json::to_string(&value).expect("renders"));
            prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).expect("JSON"), value);
        }
    }
}
