//! `/api/webhooks/deliveries…`: the history of Meta deliveries routed to a
//! workspace, one delivery with its headers, payload and attempts, and
//! replay — as JSON, for members who may manage webhooks.
//!
//! A bad filter or replay request (an unknown status, a time that is not
//! RFC 3339) is refused before anything is read or queued.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_core::Named;
use herald_core::Timestamp;
use herald_webhooks::{
    AppliedCounts, Attempt, AttemptSummary, AttemptTrigger, DeliveryDetail, DeliveryFilter,
    DeliveryId, DeliveryStatus, DeliverySummary, Route,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
use crate::api::json::ApiJson;
use crate::i18n::{Locale, catalog};
use crate::member::{ApiMember, need};
use crate::webhooks::service_error;
use crate::{AppState, WebError, words};

/// Deliveries per page when `limit` is not given, and the most per page.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/webhooks/deliveries", get(list_deliveries))
        .route("/api/webhooks/deliveries/replay", post(replay_deliveries))
        .route("/api/webhooks/deliveries/{id}", get(get_delivery))
}

#[derive(OpenApi)]
#[openapi(paths(list_deliveries, replay_deliveries, get_delivery))]
pub(super) struct Doc;

fn instant(s: &str) -> Result<Timestamp, WebError> {
    s.trim().parse().map_err(|_| WebError::BadRequest {
        code: "webhook_invalid_time",
    })
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Filters of the delivery history; every one is optional.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `received`, `processed`, `retrying` or `dead`.
    status: Option<String>,
    /// The payload's `object` (`page`, `instagram`).
    object: Option<String>,
    /// A change field (`comments`, `mentions`, `messages`, …).
    field: Option<String>,
    /// RFC 3339: received at or after.
    from: Option<String>,
    /// RFC 3339: received before.
    to: Option<String>,
    /// Case-insensitive text in the payload.
    q: Option<String>,
    /// Paging: deliveries older than this id.
    before: Option<i64>,
    /// 1 to 200 (50 when absent).
    limit: Option<usize>,
}

impl ListQuery {
    fn filter(self) -> Result<DeliveryFilter, WebError> {
        let status = match nonempty(self.status) {
            Some(s) => Some(DeliveryStatus::parse(&s).ok_or(WebError::BadRequest {
                code: "webhook_invalid_status",
            })?),
            None => None,
        };
        let from = nonempty(self.from).as_deref().map(instant).transpose()?;
        let to = nonempty(self.to).as_deref().map(instant).transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            return Err(WebError::BadRequest {
                code: "webhook_invalid_range",
            });
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(WebError::BadRequest {
                code: "webhook_invalid_limit",
            });
        }
        Ok(DeliveryFilter {
            status,
            object: nonempty(self.object),
            field: nonempty(self.field),
            from,
            to,
            text: nonempty(self.q),
            before: self.before.map(DeliveryId),
            limit,
        })
    }
}

/// A delivery received from a platform, routed to the workspace.
#[derive(Serialize, ToSchema)]
#[schema(as = PlatformDelivery)]
struct DeliveryView {
    id: i64,
    received_at: Timestamp,
    object: String,
    fields: Vec<String>,
    entry_ids: Vec<String>,
    entries: i64,
    size: i64,
    status: &'static str,
    attempts: i64,
    last_error: Option<String>,
    processed_at: Option<Timestamp>,
}

impl From<DeliverySummary> for DeliveryView {
    fn from(d: DeliverySummary) -> Self {
        DeliveryView {
            id: d.id.0,
            received_at: d.received_at,
            object: d.object,
            fields: d.fields,
            entry_ids: d.entry_ids,
            entries: d.entries,
            size: d.size,
            status: d.status.as_str(),
            attempts: d.attempts,
            last_error: d.last_error,
            processed_at: d.processed_at,
        }
    }
}

/// One attempt at processing a delivery.
#[derive(Serialize, ToSchema)]
#[schema(as = PlatformAttempt)]
struct AttemptView {
    number: i64,
    /// `automatic` or `replay`.
    trigger: &'static str,
    replayed_by: Option<String>,
    started_at: Timestamp,
    finished_at: Option<Timestamp>,
    succeeded: bool,
    /// What the attempt did, in the request's language.
    summary: String,
    /// The same as a code: `applied`, `succeeded`, `retrying`, `dead`, or
    /// `text` for attempts recorded before codes.
    summary_code: &'static str,
    /// For `applied`: how many comments, mentions, messages, insights,
    /// removals and ignored entries, and the entry ids no connected
    /// account has.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary_counts: Option<AppliedCounts>,
    error: Option<String>,
}

impl AttemptView {
    fn new(locale: Locale, a: Attempt) -> Self {
        let (trigger, replayed_by) = match a.trigger {
            AttemptTrigger::Automatic => ("automatic", None),
            AttemptTrigger::Replay { by_name, .. } => ("replay", by_name),
        };
        AttemptView {
            number: a.number,
            trigger,
            replayed_by,
            started_at: a.started_at,
            finished_at: a.finished_at,
            succeeded: a.succeeded,
            summary: words::attempt_summary(catalog(locale), &a.summary),
            summary_code: a.summary.code(),
            summary_counts: match a.summary {
                AttemptSummary::Applied(counts) => Some(counts),
                _ => None,
            },
            error: a.error,
        }
    }
}

/// A connected account a delivery's entries were routed to.
#[derive(Serialize, ToSchema)]
struct RouteView {
    connection_id: String,
    connection_name: String,
    provider: String,
    remote_id: String,
}

impl From<Route> for RouteView {
    fn from(r: Route) -> Self {
        RouteView {
            connection_id: r.connection_id,
            connection_name: r.connection_name,
            provider: r.provider,
            remote_id: r.remote_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct HeaderView {
    name: String,
    value: String,
}

/// A delivery with what came with it and what was done with it.
#[derive(Serialize, ToSchema)]
#[schema(as = PlatformDeliveryDetail)]
struct DeliveryDetailView {
    #[serde(flatten)]
    delivery: DeliveryView,
    /// As received, secrets masked.
    headers: Vec<HeaderView>,
    /// The raw body, exactly as received.
    body: String,
    attempts: Vec<AttemptView>,
    routes: Vec<RouteView>,
}

/// A page of deliveries, newest first.
#[derive(Serialize, ToSchema)]
struct DeliveryPage {
    deliveries: Vec<DeliveryView>,
    /// Pass as `before` for the next (older) page; absent on the last.
    next_before: Option<i64>,
}

/// List deliveries from the platforms
///
/// The Meta deliveries routed to the workspace, newest first, filtered.
#[utoipa::path(
    get,
    path = "/api/webhooks/deliveries",
    tag = "deliveries",
    operation_id = "list_platform_deliveries",
    params(WorkspaceQuery, ListQuery),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_deliveries(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ManageWebhooks>,
    Query(q): Query<ListQuery>,
) -> Result<Json<DeliveryPage>, WebError> {
    let inbound = &state.webhooks().inbound;
    let filter = q.filter()?;
    let list = inbound.list(&auth, &filter).await.map_err(service_error)?;
    let next_before = (list.len() == filter.limit)
        .then(|| list.last().map(|d| d.id.0))
        .flatten();
    Ok(Json(DeliveryPage {
        deliveries: list.into_iter().map(DeliveryView::from).collect(),
        next_before,
    }))
}

/// Get a delivery from a platform
///
/// Its headers (secrets masked), the raw body, every processing attempt
/// and where its entries were routed.
#[utoipa::path(
    get,
    path = "/api/webhooks/deliveries/{id}",
    tag = "deliveries",
    operation_id = "get_platform_delivery",
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
    locale: Locale,
    Path(id): Path<String>,
) -> Result<Json<DeliveryDetailView>, WebError> {
    let id = id
        .parse::<i64>()
        .map(DeliveryId)
        .map_err(|_| WebError::NotFound)?;
    let inbound = &state.webhooks().inbound;
    let DeliveryDetail {
        summary,
        headers,
        body,
        attempts,
        routes,
    } = inbound
        .get(&auth, id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    Ok(Json(DeliveryDetailView {
        delivery: summary.into(),
        headers: headers
            .into_iter()
            .map(|(name, value)| HeaderView { name, value })
            .collect(),
        body,
        attempts: attempts
            .into_iter()
            .map(|a| AttemptView::new(locale, a))
            .collect(),
        routes: routes.into_iter().map(RouteView::from).collect(),
    }))
}

/// `{"ids": [1, 2]}` or `{"since": "2026-03-29T00:00:00Z"}`, not both.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ids": [1, 2]}))]
#[schema(as = PlatformReplayRequest)]
struct ReplayRequest {
    /// The deliveries to process again (1 to 200).
    #[serde(default)]
    ids: Option<Vec<i64>>,
    /// Or every failed delivery received since this instant (RFC 3339).
    #[serde(default)]
    since: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = PlatformReplayResponse)]
struct ReplayResponse {
    /// Deliveries a new attempt was queued for (ids not routed to the
    /// workspace are skipped).
    queued: usize,
}

/// Process deliveries from the platforms again
///
/// Queues a new, recorded attempt for each: never a second delivery.
#[utoipa::path(
    post,
    path = "/api/webhooks/deliveries/replay",
    tag = "deliveries",
    operation_id = "replay_platform_deliveries",
    params(WorkspaceQuery),
    request_body = ReplayRequest,
    responses(
        (status = 200, description = "How many were queued.", body = ReplayResponse),
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
    ApiJson(req): ApiJson<ReplayRequest>,
) -> Result<Json<ReplayResponse>, WebError> {
    let inbound = &state.webhooks().inbound;
    let queued = match (req.ids, req.since) {
        (Some(ids), None) if !ids.is_empty() && ids.len() <= MAX_LIMIT => {
            let ids: Vec<DeliveryId> = ids.into_iter().map(DeliveryId).collect();
            inbound.replay(&auth, &ids).await.map_err(service_error)?
        }
        (None, Some(since)) => {
            let since = instant(&since)?;
            inbound
                .replay_failed_since(&auth, since)
                .await
                .map_err(service_error)?
        }
        _ => {
            return Err(WebError::Unprocessable {
                code: "webhook_invalid_replay",
            });
        }
    };
    Ok(Json(ReplayResponse { queued }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &str) -> ListQuery {
        serde_urlencoded::from_str(pairs).unwrap()
    }

    #[test]
    fn filters_are_parsed_or_refused_with_a_named_code() {
        let f = query("status=dead&field=comments&from=2026-03-01T00:00:00Z&q=ana&limit=10")
            .filter()
            .unwrap();
        assert_eq!(f.status, Some(DeliveryStatus::Dead));
        assert_eq!(f.field.as_deref(), Some("comments"));
        assert_eq!(f.text.as_deref(), Some("ana"));
        assert_eq!(f.limit, 10);
        assert_eq!(query("").filter().unwrap().limit, DEFAULT_LIMIT);
        for (pairs, code) in [
            ("status=lost", "webhook_invalid_status"),
            ("from=yesterday", "webhook_invalid_time"),
            ("to=2026-03-01", "webhook_invalid_time"),
            (
                "from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
                "webhook_invalid_range",
            ),
            ("limit=0", "webhook_invalid_limit"),
            ("limit=201", "webhook_invalid_limit"),
        ] {
            let e = query(pairs).filter().expect_err(pairs);
            assert_eq!(e.code(), code, "{pairs}");
        }
    }

    #[test]
    fn every_refusal_code_has_copy_in_every_language() {
        use crate::i18n::{Locale, catalog, error_copy};
        for code in [
            "webhook_invalid_status",
            "webhook_invalid_time",
            "webhook_invalid_range",
            "webhook_invalid_limit",
            "webhook_invalid_replay",
            "notification_unknown_kind",
        ] {
            assert!(catalog(Locale::En).has(&format!("error.{code}")), "{code}");
            assert_ne!(error_copy(Locale::En, code), error_copy(Locale::De, code));
        }
    }
}
