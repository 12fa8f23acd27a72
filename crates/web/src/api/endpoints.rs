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
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
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

#[derive(OpenApi)]
#[openapi(paths(
    list_endpoints,
    create_endpoint,
    get_endpoint,
    update_endpoint,
    delete_endpoint,
    list_secrets,
    rotate_secret,
    send_test,
    list_deliveries,
    replay_deliveries,
    get_delivery,
))]
pub(super) struct Doc;

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
fn secret_answer(status: StatusCode, body: impl Serialize) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

// ------------------------------------------------------------ views

/// An endpoint Herald sends the workspace's events to.
#[derive(Serialize, ToSchema)]
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

/// One event on its way to an endpoint.
#[derive(Serialize, ToSchema)]
#[schema(as = EndpointDelivery)]
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

/// One attempt at sending a delivery.
#[derive(Serialize, ToSchema)]
#[schema(as = EndpointAttempt)]
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

/// A delivery with its body and every attempt.
#[derive(Serialize, ToSchema)]
#[schema(as = EndpointDeliveryDetail)]
struct DeliveryDetailView {
    #[serde(flatten)]
    delivery: DeliveryView,
    /// The message body as sent (JSON when it parses, else the text).
    #[schema(schema_with = herald_core::openapi::any_json)]
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

/// List webhook endpoints
#[utoipa::path(
    get,
    path = "/api/webhooks/endpoints",
    tag = "webhooks",
    params(WorkspaceQuery),
    responses(
        (status = 200, description = "The workspace's endpoints (without secrets).", body = Vec<EndpointView>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://example.com/herald-events",
    "description": "Our CRM", "event_types": ["post.published", "post.failed"]}))]
struct CreateEndpointRequest {
    /// An https URL that resolves to a public address.
    url: String,
    #[serde(default)]
    description: String,
    /// Empty or absent: every event type.
    #[serde(default)]
    event_types: Vec<String>,
}

/// A new endpoint with its signing secret, shown here and by
/// `GET …/secrets`.
#[derive(Serialize, ToSchema)]
struct CreatedEndpoint {
    #[serde(flatten)]
    endpoint: EndpointView,
    /// `whsec_…`: verify each delivery's `webhook-signature` with it.
    secret: String,
}

/// Register a webhook endpoint
///
/// Herald signs every delivery per Standard Webhooks with the endpoint's
/// secret, which this answer carries (`Cache-Control: no-store`).
#[utoipa::path(
    post,
    path = "/api/webhooks/endpoints",
    tag = "webhooks",
    params(WorkspaceQuery),
    request_body = CreateEndpointRequest,
    responses(
        (status = 201, description = "Registered; `Location` is its address.", body = CreatedEndpoint,
            headers(("Location" = String, description = "`/api/webhooks/endpoints/{id}`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
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
    let body = CreatedEndpoint {
        endpoint: endpoint.into(),
        secret,
    };
    let mut resp = secret_answer(StatusCode::CREATED, body);
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Get a webhook endpoint
#[utoipa::path(
    get,
    path = "/api/webhooks/endpoints/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    responses(
        (status = 200, description = "The endpoint (without its secret).", body = EndpointView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
struct UpdateEndpointRequest {
    url: Option<String>,
    description: Option<String>,
    event_types: Option<Vec<String>>,
    enabled: Option<bool>,
}

/// Change a webhook endpoint
///
/// Its URL, description, event types, or whether it is enabled.
#[utoipa::path(
    patch,
    path = "/api/webhooks/endpoints/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    request_body = UpdateEndpointRequest,
    responses(
        (status = 200, description = "The endpoint as changed.", body = EndpointView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
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

/// Delete a webhook endpoint
#[utoipa::path(
    delete,
    path = "/api/webhooks/endpoints/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    responses(
        (status = 204, description = "Deleted; nothing more is sent to it."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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

/// The secrets deliveries are signed with now.
#[derive(Serialize, ToSchema)]
struct SecretList {
    /// The current `whsec_…` secret first; during the 24 hours after a
    /// rotation, the previous one too.
    secrets: Vec<String>,
}

/// Show an endpoint's signing secrets
#[utoipa::path(
    get,
    path = "/api/webhooks/endpoints/{id}/secrets",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    responses(
        (status = 200, description = "The secrets (`Cache-Control: no-store`).", body = SecretList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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
    Ok(secret_answer(StatusCode::OK, SecretList { secrets }))
}

/// A new signing secret.
#[derive(Serialize, ToSchema)]
struct RotatedSecret {
    /// The new `whsec_…` secret.
    secret: String,
    /// Deliveries carry a signature with the previous secret too for this
    /// long.
    previous_secret_valid_for_hours: u32,
}

/// Rotate an endpoint's signing secret
#[utoipa::path(
    post,
    path = "/api/webhooks/endpoints/{id}/rotate-secret",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    responses(
        (status = 200, description = "The new secret (`Cache-Control: no-store`).", body = RotatedSecret),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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
        RotatedSecret {
            secret,
            previous_secret_valid_for_hours: 24,
        },
    ))
}

/// Send a test event to an endpoint
#[utoipa::path(
    post,
    path = "/api/webhooks/endpoints/{id}/test",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    responses(
        (status = 202, description = "Queued; follow it in the delivery log.", body = DeliveryView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveriesQuery {
    /// `pending`, `succeeded`, `retrying` or `dead`; all when absent.
    state: Option<String>,
    /// The most deliveries, newest first: 1 to 500 (100 when absent).
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

/// An endpoint's delivery log
#[utoipa::path(
    get,
    path = "/api/webhooks/endpoints/{id}/deliveries",
    tag = "webhooks",
    operation_id = "list_endpoint_deliveries",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery, DeliveriesQuery),
    responses(
        (status = 200, description = "The deliveries, newest first.", body = Vec<DeliveryView>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
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

/// Get a delivery to an endpoint
///
/// The message as sent and every attempt.
#[utoipa::path(
    get,
    path = "/api/webhooks/endpoint-deliveries/{id}",
    tag = "webhooks",
    operation_id = "get_endpoint_delivery",
    params(("id" = i64, Path, description = "The delivery."), WorkspaceQuery),
    responses(
        (status = 200, description = "The delivery.", body = DeliveryDetailView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
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
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"since": "2026-03-29T00:00:00Z"}))]
#[schema(as = EndpointReplayRequest)]
struct ReplayRequest {
    /// The deliveries to send again (1 to 1000).
    ids: Option<Vec<i64>>,
    /// RFC 3339.
    since: Option<String>,
}

/// How many deliveries were queued again.
#[derive(Serialize, ToSchema)]
#[schema(as = EndpointReplayResponse)]
struct ReplayedResponse {
    replayed: usize,
}

/// Send deliveries to an endpoint again
///
/// With the same `webhook-id`, so the receiver can tell a replay.
#[utoipa::path(
    post,
    path = "/api/webhooks/endpoints/{id}/replay",
    tag = "webhooks",
    operation_id = "replay_endpoint_deliveries",
    params(("id" = String, Path, description = "The endpoint (`ep_…`)."), WorkspaceQuery),
    request_body = ReplayRequest,
    responses(
        (status = 200, description = "How many were queued.", body = ReplayedResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn replay_deliveries(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReplayRequest>,
) -> Result<Json<ReplayedResponse>, WebError> {
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
    Ok(Json(ReplayedResponse {
        replayed: replayed.map_err(service_error)?,
    }))
}
