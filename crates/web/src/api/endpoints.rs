//! `/api/webhooks/endpoints…`: a workspace's outbound webhook endpoints as
//! JSON — register, list, change, delete, rotate the secret, send a test
//! event, read the delivery log and replay deliveries. Only owners and
//! admins (`ManageWebhooks`) may; the service itself trusts its caller, so
//! the check happens here, in [`managed_workspace`], before anything else.
//!
//! The endpoint's `whsec_` secret is in the body of the create and rotate
//! answers and of `GET …/secrets`, never in a list; those answers are
//! `Cache-Control: no-store`.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_core::Named;
use herald_core::Timestamp;
use herald_webhooks::outbound::{
    DeliveryState, Endpoint, EndpointChanges, EndpointError, EndpointId, NewEndpoint,
    OutboundAttempt, OutboundDelivery, OutboundDeliveryDetail,
};
use herald_webhooks::ssrf::UrlError;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::json::ApiJson;
use crate::member::{ApiMember, need};
use crate::webhooks::service_error;
use crate::{AppState, WebError};

/// The most deliveries one log request returns.
pub(crate) const MAX_LOG: usize = 500;
/// The most deliveries one replay request names.
pub(crate) const MAX_REPLAY: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/webhooks/endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/api/webhooks/endpoints/{id}",
            get(get_endpoint)
                .patch(update_endpoint)
                .delete(delete_endpoint),
        )
        .route("/api/webhooks/endpoints/{id}/secrets", get(list_secrets))
        .route(
            "/api/webhooks/endpoints/{id}/rotate-secret",
            post(rotate_secret),
        )
        .route("/api/webhooks/endpoints/{id}/test", post(send_test))
        .route(
            "/api/webhooks/endpoints/{id}/deliveries",
            get(list_deliveries),
        )
        .route(
            "/api/webhooks/endpoints/{id}/replay",
            post(replay_deliveries),
        )
        .route("/api/webhooks/endpoint-deliveries/{id}", get(get_delivery))
}

// ------------------------------------------------------------ shared

/// The error code of input the service refused (422), or `None` when the
/// failure is not the caller's input.
pub(crate) fn input_code(e: &EndpointError) -> Option<&'static str> {
    Some(match e {
        EndpointError::Url(UrlError::Invalid) => "endpoint_url_invalid",
        EndpointError::Url(UrlError::Scheme) => "endpoint_url_scheme",
        EndpointError::Url(UrlError::Credentials) => "endpoint_url_credentials",
        EndpointError::Url(UrlError::Forbidden(_)) => "endpoint_url_private",
        EndpointError::Url(UrlError::Unresolvable(_)) => "endpoint_url_unresolvable",
        EndpointError::UnknownEventType(_) => "endpoint_unknown_event_type",
        EndpointError::DescriptionTooLong => "endpoint_description_too_long",
        EndpointError::NotFound | EndpointError::Access(_) | EndpointError::Storage(_) => {
            return None;
        }
    })
}

/// Every input error code [`input_code`] and the handlers can answer with
/// (the catalog test keeps their copy complete).
#[cfg(test)]
pub(crate) const INPUT_CODES: [&str; 11] = [
    "endpoint_url_invalid",
    "endpoint_url_scheme",
    "endpoint_url_credentials",
    "endpoint_url_private",
    "endpoint_url_unresolvable",
    "endpoint_unknown_event_type",
    "endpoint_description_too_long",
    "endpoint_unknown_state",
    "endpoint_replay_invalid",
    "endpoint_replay_since_invalid",
    "endpoint_delete_unconfirmed",
];

/// A refused endpoint change as the web layer reports it.
pub(crate) fn refused(e: EndpointError) -> WebError {
    match (input_code(&e), e) {
        (Some(code), _) => WebError::Unprocessable { code },
        (None, EndpointError::NotFound) => WebError::NotFound,
        (None, EndpointError::Access(e)) => WebError::Account(e),
        (None, EndpointError::Storage(e)) => crate::webhooks::service_error(e),
        (None, other) => WebError::Internal(Box::new(other)),
    }
}

/// An answer that carries a secret: never stored by a cache.
fn secret_answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

// ------------------------------------------------------------ views

#[derive(Serialize)]
pub(crate) struct EndpointView {
    id: String,
    url: String,
    description: String,
    /// Empty: every event type.
    event_types: Vec<String>,
    enabled: bool,
    disabled_reason: Option<String>,
    failing_since: Option<Timestamp>,
    created_at: Timestamp,
}

impl From<Endpoint> for EndpointView {
    fn from(e: Endpoint) -> Self {
        EndpointView {
            id: e.id.0,
            url: e.url,
            description: e.description,
            event_types: e.event_types,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since,
            created_at: e.created_at,
        }
    }
}

#[derive(Serialize)]
struct DeliveryView {
    id: i64,
    endpoint_id: String,
    message_id: String,
    event_type: String,
    state: &'static str,
    attempts: i64,
    last_status: Option<i32>,
    last_error: Option<String>,
    next_attempt_at: Option<Timestamp>,
    created_at: Timestamp,
}

impl From<OutboundDelivery> for DeliveryView {
    fn from(d: OutboundDelivery) -> Self {
        DeliveryView {
            id: d.id,
            endpoint_id: d.endpoint_id.0,
            message_id: d.message_id,
            event_type: d.event_type,
            state: d.state.as_str(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
        }
    }
}

#[derive(Serialize)]
struct AttemptView {
    number: i64,
    at: Timestamp,
    status: Option<i32>,
    duration_ms: i64,
    error: Option<String>,
    response_excerpt: Option<String>,
    replayed_by: Option<i64>,
}

impl From<OutboundAttempt> for AttemptView {
    fn from(a: OutboundAttempt) -> Self {
        AttemptView {
            number: a.number,
            at: a.at,
            status: a.status,
            duration_ms: a.duration_ms,
            error: a.error,
            response_excerpt: a.response_excerpt,
            replayed_by: a.replayed_by.map(|u| u.0),
        }
    }
}

#[derive(Serialize)]
struct DeliveryDetailView {
    #[serde(flatten)]
    delivery: DeliveryView,
    /// The message body as sent (JSON when it parses, else the text).
    payload: serde_json::Value,
    attempts: Vec<AttemptView>,
}

impl From<OutboundDeliveryDetail> for DeliveryDetailView {
    fn from(d: OutboundDeliveryDetail) -> Self {
        let payload =
            serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::String(d.payload));
        DeliveryDetailView {
            delivery: d.delivery.into(),
            payload,
            attempts: d.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

// ------------------------------------------------------------ handlers

async fn list_endpoints(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
) -> Result<Json<Vec<EndpointView>>, WebError> {
    let endpoints = state.webhooks().outbound.list(&auth).await;
    Ok(Json(
        endpoints
            .map_err(service_error)?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateEndpointRequest {
    url: String,
    #[serde(default)]
    description: String,
    /// Empty or absent: every event type.
    #[serde(default)]
    event_types: Vec<String>,
}

async fn create_endpoint(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    ApiJson(req): ApiJson<CreateEndpointRequest>,
) -> Result<Response, WebError> {
    let new = NewEndpoint {
        url: req.url,
        description: req.description,
        event_types: req.event_types,
    };
    let (endpoint, secret) = state
        .webhooks()
        .outbound
        .create(&auth, new)
        .await
        .map_err(refused)?;
    let location = format!("/api/webhooks/endpoints/{}", endpoint.id.0);
    let mut body = serde_json::to_value(EndpointView::from(endpoint))
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    body["secret"] = json!(secret);
    let mut resp = secret_answer(StatusCode::CREATED, body);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

async fn get_endpoint(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, WebError> {
    let found = state
        .webhooks()
        .outbound
        .get(&auth, &EndpointId(id))
        .await
        .map_err(service_error)?;
    Ok(Json(found.ok_or(WebError::NotFound)?.into()))
}

/// A partial change: absent fields stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateEndpointRequest {
    url: Option<String>,
    description: Option<String>,
    event_types: Option<Vec<String>>,
    enabled: Option<bool>,
}

async fn update_endpoint(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateEndpointRequest>,
) -> Result<Json<EndpointView>, WebError> {
    let changes = EndpointChanges {
        url: req.url,
        description: req.description,
        event_types: req.event_types,
        enabled: req.enabled,
    };
    let endpoint = state
        .webhooks()
        .outbound
        .update(&auth, &EndpointId(id), changes)
        .await
        .map_err(refused)?;
    Ok(Json(endpoint.into()))
}

async fn delete_endpoint(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    let deleted = state
        .webhooks()
        .outbound
        .delete(&auth, &EndpointId(id))
        .await
        .map_err(service_error)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(WebError::NotFound)
    }
}

async fn list_secrets(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let secrets = state
        .webhooks()
        .outbound
        .secrets(&auth, &EndpointId(id))
        .await
        .map_err(refused)?;
    Ok(secret_answer(StatusCode::OK, json!({ "secrets": secrets })))
}

async fn rotate_secret(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let secret = state
        .webhooks()
        .outbound
        .rotate_secret(&auth, &EndpointId(id))
        .await
        .map_err(refused)?;
    Ok(secret_answer(
        StatusCode::OK,
        json!({ "secret": secret, "previous_secret_valid_for_hours": 24 }),
    ))
}

async fn send_test(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryView>), WebError> {
    let delivery = state
        .webhooks()
        .outbound
        .send_test(&auth, &EndpointId(id))
        .await
        .map_err(refused)?;
    Ok((StatusCode::ACCEPTED, Json(delivery.into())))
}

#[derive(Deserialize, Default)]
struct DeliveriesQuery {
    /// `pending`, `succeeded`, `retrying` or `dead`; all when absent.
    state: Option<String>,
    limit: Option<usize>,
}

/// `?state=` as a delivery state; an unknown one is refused.
pub(crate) fn state_filter(s: Option<&str>) -> Result<Option<DeliveryState>, WebError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DeliveryState::parse(s)
            .map(Some)
            .ok_or(WebError::Unprocessable {
                code: "endpoint_unknown_state",
            }),
    }
}

async fn list_deliveries(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryView>>, WebError> {
    let filter = state_filter(q.state.as_deref())?;
    let outbound = &state.webhooks().outbound;
    let id = EndpointId(id);
    // An unknown endpoint is "not found", not an empty log.
    outbound
        .get(&auth, &id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_LOG);
    let deliveries = outbound
        .deliveries(&auth, &id, filter, limit)
        .await
        .map_err(service_error)?;
    Ok(Json(deliveries.into_iter().map(Into::into).collect()))
}

async fn get_delivery(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<i64>,
) -> Result<Json<DeliveryDetailView>, WebError> {
    let detail = state
        .webhooks()
        .outbound
        .delivery(&auth, id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    Ok(Json(detail.into()))
}

/// Either the deliveries to replay, or "every failed one since".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    ids: Option<Vec<i64>>,
    /// RFC 3339.
    since: Option<String>,
}

async fn replay_deliveries(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReplayRequest>,
) -> Result<Json<serde_json::Value>, WebError> {
    let outbound = &state.webhooks().outbound;
    let id = EndpointId(id);
    outbound
        .get(&auth, &id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    let replayed = match (req.ids, req.since) {
        (Some(ids), None) if !ids.is_empty() && ids.len() <= MAX_REPLAY => {
            outbound.replay(&auth, &ids).await
        }
        (None, Some(since)) => {
            let since: Timestamp = since.trim().parse().map_err(|_| WebError::Unprocessable {
                code: "endpoint_replay_since_invalid",
            })?;
            outbound.replay_failed_since(&auth, &id, since).await
        }
        _ => {
            return Err(WebError::Unprocessable {
                code: "endpoint_replay_invalid",
            });
        }
    };
    Ok(Json(
        json!({ "replayed": replayed.map_err(service_error)? }),
    ))
}
