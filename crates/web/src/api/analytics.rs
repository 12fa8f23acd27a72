//! Analytics and the learning hub's recommendations over the API: the
//! period's summary per account and in all, the top and bottom posts, the
//! best times in a time zone, "refresh now" (202: runs queued), and the
//! recommendations with "done" and "dismiss". Every figure is the
//! analytics service's; query parameters arrive as text and a bad one is
//! 422 `analytics_invalid` naming it (`field`). Reading needs
//! `analytics:read`; refreshing spends the platforms' rate limits and is
//! for those who may publish (`posts:write`); settling a recommendation is
//! a change to the workspace's plan (`drafts:write`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_analytics::{BestTimes, Outcome, Ranking, Recommendation, Refresh, Summary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::analytics_params::{self as params, FilterQuery};
use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, Unauthorized, UnsupportedMediaType,
};
use crate::api::json::{ApiJson, OptionalApiJson};
use crate::i18n::{Locale, catalog};
use crate::member::{ApiMember, need};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/analytics/summary", get(show_summary))
        .route("/api/analytics/posts", get(show_post_ranking))
        .route("/api/analytics/best-times", get(show_best_times))
        .route("/api/analytics/refresh", post(refresh_analytics))
        .route("/api/recommendations", get(list_recommendations))
        .route(
            "/api/recommendations/{key}/dismiss",
            post(dismiss_recommendation),
        )
        .route(
            "/api/recommendations/{key}/done",
            post(complete_recommendation),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    show_summary,
    show_post_ranking,
    show_best_times,
    refresh_analytics,
    list_recommendations,
    dismiss_recommendation,
    complete_recommendation,
))]
pub(super) struct Doc;

/// The query, or 400 when it cannot be read at all (its values are
/// checked one by one afterwards, 422 naming the one).
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, WebError> {
    q.map(|Query(q)| q).map_err(|_| WebError::BadRequest {
        code: "bad_request",
    })
}

/// The caller's time zone when a request names none: the one they chose,
/// else UTC.
fn zone_of(user: &herald_accounts::User, asked: Option<&str>) -> Result<String, WebError> {
    match asked.map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => Ok(params::time_zone(z)?),
        None => Ok(user
            .time_zone
            .as_deref()
            .and_then(|z| params::time_zone(z).ok())
            .unwrap_or_else(|| "UTC".to_owned())),
    }
}

/// The summary
///
/// Per account and in all, over the last 7, 30 or 90 days up to today
/// (UTC): followers at the end of the period, views (reach where a
/// platform has no views), reach, engagements, engagements per view,
/// profile actions, new followers, watch time and posts, each with its
/// value over as many days before (`previous`). `null` is a figure the
/// platform does not report.
#[utoipa::path(
    get,
    path = "/api/analytics/summary",
    tag = "analytics",
    params(WorkspaceQuery, FilterQuery),
    responses(
        (status = 200, description = "The summary.", body = Summary),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
async fn show_summary(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadAnalytics>,
    q: Result<Query<FilterQuery>, QueryRejection>,
) -> Result<Json<Summary>, WebError> {
    let filter = query(q)?.filter()?;
    params::known_pillar(state.studio(), &auth, &filter).await?;
    Ok(Json(state.analytics().summary(&auth, &filter).await?))
}

/// The ranking's own parameters (beside the filter's).
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct RankQuery {
    /// `engagement_rate` (the default), `engagements`, `views` or
    /// `newest`.
    #[param(value_type = Option<String>, example = "engagement_rate")]
    rank: Option<String>,
    /// How many posts at each end: 1 to 100 (10 by default).
    #[param(value_type = Option<String>, example = "10")]
    limit: Option<String>,
}

/// Top and bottom posts
///
/// The posts published in the period, the best `limit` and the worst
/// `limit` by `rank` (the bottom list never repeats the top one), with
/// their lifetime figures and, when they were published from Herald,
/// their `post_id`.
#[utoipa::path(
    get,
    path = "/api/analytics/posts",
    tag = "analytics",
    params(WorkspaceQuery, FilterQuery, RankQuery),
    responses(
        (status = 200, description = "The ranking.", body = Ranking),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
async fn show_post_ranking(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadAnalytics>,
    filter: Result<Query<FilterQuery>, QueryRejection>,
    q: Result<Query<RankQuery>, QueryRejection>,
) -> Result<Json<Ranking>, WebError> {
    let filter = query(filter)?.filter()?;
    let q = query(q)?;
    let rank = params::rank(&q.rank)?;
    let limit = params::limit(&q.limit, 10)?;
    Ok(Json(
        state.analytics().posts(&auth, &filter, rank, limit).await?,
    ))
}

/// Best times to post
///
/// The period's posts by weekday (0 = Monday) and hour in `time_zone`,
/// with their mean engagement rate, and the best slots (at least two posts
/// each, at most three).
#[utoipa::path(
    get,
    path = "/api/analytics/best-times",
    tag = "analytics",
    params(WorkspaceQuery, FilterQuery, ZoneQuery),
    responses(
        (status = 200, description = "The slots.", body = BestTimes),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
async fn show_best_times(
    State(state): State<AppState>,
    ApiMember { user, auth, .. }: ApiMember<need::ReadAnalytics>,
    filter: Result<Query<FilterQuery>, QueryRejection>,
    q: Result<Query<ZoneQuery>, QueryRejection>,
) -> Result<Json<BestTimes>, WebError> {
    let filter = query(filter)?.filter()?;
    let q = query(q)?;
    let zone = zone_of(&user, q.time_zone.as_deref())?;
    Ok(Json(
        state.analytics().best_times(&auth, &filter, &zone).await?,
    ))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account": "0190b6a4-8a4e-7c1d-9f00-1c2d3e4f5a6b"}))]
struct RefreshRequest {
    /// One connected account of the workspace; every account when left
    /// out.
    #[serde(default)]
    account: Option<String>,
}

/// Refresh now
///
/// Queues a run that reads the accounts' latest figures from the
/// platforms (one account, or all of the workspace's; an account that
/// already has a run waiting gets no second one), and answers 202 with
/// the runs queued. Runs go on in the background within each platform's
/// rate limits; follow them on the dashboard. For those who may publish.
#[utoipa::path(
    post,
    path = "/api/analytics/refresh",
    tag = "analytics",
    params(WorkspaceQuery),
    request_body(content = Option<RefreshRequest>, description = "May be left out."),
    responses(
        (status = 202, description = "Queued.", body = Refresh),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn refresh_analytics(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::RefreshAnalytics>,
    OptionalApiJson(req): OptionalApiJson<RefreshRequest>,
) -> Result<Response, WebError> {
    let account = params::account(&req.account)?;
    let refresh = state.analytics().refresh(&auth, account.as_ref()).await?;
    Ok((StatusCode::ACCEPTED, Json(refresh)).into_response())
}

/// A recommendation with its words in the request's language.
#[derive(Serialize, ToSchema)]
#[schema(as = RecommendationView)]
struct RecommendationBody {
    #[serde(flatten)]
    recommendation: Recommendation,
    /// What to do, in words.
    title: String,
    /// The evidence, in words.
    message: String,
}

#[derive(Serialize, ToSchema)]
struct RecommendationList {
    /// Best first; those dismissed or done for the same evidence are left
    /// out.
    recommendations: Vec<RecommendationBody>,
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ZoneQuery {
    /// The IANA time zone of weekdays and hours (`Europe/Berlin`); the
    /// caller's own when absent, else UTC.
    #[param(value_type = Option<String>, example = "Europe/Berlin")]
    time_zone: Option<String>,
}

/// The recommendations
///
/// What the workspace's own figures and plan suggest (posting below the
/// cadence plan, a format or a pillar unused, engagement falling, the best
/// hours unused, an unusual drop), each with its `evidence` (named
/// values), the `guide` to read (a slug), the `next` step, and the same
/// in words (`title`, `message`). Settle one with its `fingerprint`: it
/// stays away until its evidence changes.
#[utoipa::path(
    get,
    path = "/api/recommendations",
    tag = "analytics",
    params(WorkspaceQuery, ZoneQuery),
    responses(
        (status = 200, description = "The recommendations.", body = RecommendationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
async fn list_recommendations(
    State(state): State<AppState>,
    ApiMember { user, auth, .. }: ApiMember<need::ReadAnalytics>,
    locale: Locale,
    q: Result<Query<ZoneQuery>, QueryRejection>,
) -> Result<Json<RecommendationList>, WebError> {
    let q = query(q)?;
    let zone = zone_of(&user, q.time_zone.as_deref())?;
    let t = catalog(locale);
    let recommendations = state
        .analytics()
        .recommendations(&auth, &zone)
        .await?
        .into_iter()
        .map(|r| {
            let (title, message) = crate::pages::recommendation_words(t, &r);
            RecommendationBody {
                recommendation: r,
                title,
                message,
            }
        })
        .collect();
    Ok(Json(RecommendationList { recommendations }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"fingerprint": "9f2c1a7e04b3d8e1"}))]
struct SettleRequest {
    /// The recommendation's `fingerprint` as listed: it comes back when
    /// its evidence no longer matches this.
    fingerprint: String,
}

async fn settle(
    state: &AppState,
    auth: &herald_accounts::Authorized,
    key: &str,
    fingerprint: &str,
    outcome: Outcome,
) -> Result<Response, WebError> {
    if key.len() > 200 || fingerprint.len() > 200 {
        return Err(WebError::NotFound);
    }
    state
        .analytics()
        .settle_recommendation(auth, key, fingerprint, outcome)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Dismiss a recommendation
///
/// It stays away until its evidence changes. 404 when the workspace has
/// no such recommendation now.
#[utoipa::path(
    post,
    path = "/api/recommendations/{key}/dismiss",
    tag = "analytics",
    params(("key" = String, Path, description = "The recommendation's key."), WorkspaceQuery),
    request_body = SettleRequest,
    responses(
        (status = 204, description = "Dismissed."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn dismiss_recommendation(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SettleRequest>,
) -> Result<Response, WebError> {
    settle(&state, &auth, &key, &req.fingerprint, Outcome::Dismissed).await
}

/// Mark a recommendation done
///
/// It stays away until its evidence changes. 404 when the workspace has
/// no such recommendation now.
#[utoipa::path(
    post,
    path = "/api/recommendations/{key}/done",
    tag = "analytics",
    params(("key" = String, Path, description = "The recommendation's key."), WorkspaceQuery),
    request_body = SettleRequest,
    responses(
        (status = 204, description = "Marked done."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn complete_recommendation(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SettleRequest>,
) -> Result<Response, WebError> {
    settle(&state, &auth, &key, &req.fingerprint, Outcome::Done).await
}
