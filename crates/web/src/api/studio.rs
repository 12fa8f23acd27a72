//! The content studio over the API: the template catalog and the
//! workspace's copies, tones, pillars, generations (queued, 202, then read
//! until they end), drafts with their versions and restore, bookmarks,
//! usage and quotas. Every decision is the studio service's; reading needs
//! `posts:read` (usage `analytics:read`), writing drafts and generating
//! `drafts:write`, quotas are set only with a session.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_core::{DraftId, GenerationId, TemplateId};
use herald_studio::{
    Bookmark, BookmarkKind, Draft, DraftSummary, Format, GenerationRequest, GenerationView,
    NewDraft, Pillar, Platform, Quotas, Save, Template, TemplateEdit, TemplateFilter, Tone,
    UsageReport, VersionSummary, VersionView,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::WorkspaceQuery;
use crate::api::doc::{
    BadRequest, Conflict, Forbidden, InvalidBody, NotFound, RateLimited, Unauthorized,
    UnsupportedMediaType,
};
use crate::api::json::ApiJson;
use crate::i18n::Locale;
use crate::member::{ApiMember, need};
use crate::{AppState, WebError, words};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/templates", get(list_templates))
        .route(
            "/api/templates/{id}",
            get(show_template).put(update_template),
        )
        .route("/api/templates/{id}/copy", post(copy_template))
        .route("/api/tones", get(list_tones))
        .route("/api/pillars", get(list_pillars).post(add_pillar))
        .route("/api/generations", post(request_generation))
        .route("/api/generations/{id}", get(show_generation))
        .route("/api/generations/{id}/cancel", post(cancel_generation))
        .route("/api/drafts", get(list_drafts).post(create_draft))
        .route("/api/drafts/{id}", get(show_draft).put(save_draft))
        .route("/api/drafts/{id}/versions", get(list_versions))
        .route("/api/drafts/{id}/versions/{version}", get(show_version))
        .route("/api/drafts/{id}/restore", post(restore_version))
        .route("/api/usage", get(show_usage))
        .route("/api/quotas", get(show_quotas).put(set_quotas))
        .route(
            "/api/bookmarks",
            get(list_bookmarks)
                .post(add_bookmark)
                .delete(remove_bookmark),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    list_templates,
    show_template,
    update_template,
    copy_template,
    list_tones,
    list_pillars,
    add_pillar,
    request_generation,
    show_generation,
    cancel_generation,
    list_drafts,
    create_draft,
    show_draft,
    save_draft,
    list_versions,
    show_version,
    restore_version,
    show_usage,
    show_quotas,
    set_quotas,
    list_bookmarks,
    add_bookmark,
    remove_bookmark,
))]
pub(super) struct Doc;

// ------------------------------------------------------------ templates

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct TemplateQuery {
    /// The catalog's language, `en` or `de` (the request's language when
    /// absent); the workspace's own copies are listed in whatever language
    /// they are.
    locale: Option<String>,
    /// A niche's code (`fitness`, `food`, …).
    niche: Option<String>,
    #[param(inline)]
    format: Option<Format>,
    /// Only templates that fit this platform.
    #[param(inline)]
    platform: Option<Platform>,
    /// Only the workspace's own copies.
    #[serde(default)]
    own: bool,
    /// Words that must all appear in the title or description.
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct TemplateList {
    /// The workspace's own copies first, then the catalog's, by niche and
    /// title.
    templates: Vec<Template>,
}

/// List templates
///
/// The catalog's templates in one language and the workspace's own copies,
/// filtered.
#[utoipa::path(
    get,
    path = "/api/templates",
    tag = "studio",
    params(WorkspaceQuery, TemplateQuery),
    responses(
        (status = 200, description = "The templates.", body = TemplateList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_templates(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
    locale: Locale,
    Query(q): Query<TemplateQuery>,
) -> Result<Json<TemplateList>, WebError> {
    let filter = TemplateFilter {
        locale: Some(q.locale.unwrap_or_else(|| locale.code().to_owned())),
        niche: q.niche,
        format: q.format,
        platform: q.platform,
        own: q.own,
        q: q.q,
    };
    let templates = state.studio().templates(&auth, &filter).await?;
    Ok(Json(TemplateList { templates }))
}

/// A template
///
/// Its structure (content with `{slot}` placeholders) and its slots.
#[utoipa::path(
    get,
    path = "/api/templates/{id}",
    tag = "studio",
    params(("id" = i64, Path, description = "The template."), WorkspaceQuery),
    responses(
        (status = 200, description = "The template.", body = Template),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn show_template(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
    Path(id): Path<i64>,
) -> Result<Json<Template>, WebError> {
    Ok(Json(state.studio().template(&auth, TemplateId(id)).await?))
}

/// Copy a template into the workspace
///
/// The copy can then be changed with `PUT /api/templates/{id}`.
#[utoipa::path(
    post,
    path = "/api/templates/{id}/copy",
    tag = "studio",
    params(("id" = i64, Path, description = "The template to copy."), WorkspaceQuery),
    responses(
        (status = 201, description = "The workspace's new copy.", body = Template),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn copy_template(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let copy = state.studio().copy_template(&auth, TemplateId(id)).await?;
    Ok((StatusCode::CREATED, Json(copy)).into_response())
}

/// Change the workspace's template copy
///
/// Fields left out keep their value. The catalog's own templates are
/// read-only (409 `template_read_only`): copy one first.
#[utoipa::path(
    put,
    path = "/api/templates/{id}",
    tag = "studio",
    params(("id" = i64, Path, description = "The workspace's copy."), WorkspaceQuery),
    request_body(
        content = TemplateEdit,
        example = json!({"title": "Our weekly tip", "description": "Tuesday's format"})
    ),
    responses(
        (status = 200, description = "The changed copy.", body = Template),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn update_template(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(id): Path<i64>,
    ApiJson(edit): ApiJson<TemplateEdit>,
) -> Result<Json<Template>, WebError> {
    Ok(Json(
        state
            .studio()
            .update_template(&auth, TemplateId(id), &edit)
            .await?,
    ))
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct LocaleQuery {
    /// `en` or `de` (the request's language when absent).
    locale: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ToneList {
    tones: Vec<Tone>,
}

/// List tones
///
/// The voices a generation can be written in, with examples of what each
/// does and avoids; a generation names one by its `slug`.
#[utoipa::path(
    get,
    path = "/api/tones",
    tag = "studio",
    params(WorkspaceQuery, LocaleQuery),
    responses(
        (status = 200, description = "The tones.", body = ToneList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_tones(
    State(state): State<AppState>,
    ApiMember { .. }: ApiMember<need::ReadContent>,
    locale: Locale,
    Query(q): Query<LocaleQuery>,
) -> Result<Json<ToneList>, WebError> {
    let locale = q.locale.unwrap_or_else(|| locale.code().to_owned());
    let tones = state.studio().tones(Some(&locale)).await?;
    Ok(Json(ToneList { tones }))
}

// ------------------------------------------------------------ pillars

#[derive(Serialize, ToSchema)]
struct PillarList {
    pillars: Vec<Pillar>,
}

/// List the workspace's content pillars
#[utoipa::path(
    get,
    path = "/api/pillars",
    tag = "studio",
    params(WorkspaceQuery),
    responses(
        (status = 200, description = "The pillars, by name.", body = PillarList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_pillars(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
) -> Result<Json<PillarList>, WebError> {
    let pillars = state.studio().pillars(&auth).await?;
    Ok(Json(PillarList { pillars }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Behind the scenes", "description": "How the bread is made"}))]
struct PillarRequest {
    /// 1 to 60 characters, unique in the workspace.
    name: String,
    /// Up to 500 characters.
    #[serde(default)]
    description: String,
}

/// Add a content pillar
///
/// A theme the workspace rotates through (editors and up: it is the
/// workspace's plan). A name the workspace has already is 409.
#[utoipa::path(
    post,
    path = "/api/pillars",
    tag = "studio",
    params(WorkspaceQuery),
    request_body = PillarRequest,
    responses(
        (status = 201, description = "The pillar.", body = Pillar),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn add_pillar(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    ApiJson(req): ApiJson<PillarRequest>,
) -> Result<Response, WebError> {
    let pillar = state
        .studio()
        .add_pillar(&auth, &req.name, &req.description)
        .await?;
    Ok((StatusCode::CREATED, Json(pillar)).into_response())
}

// ------------------------------------------------------------ generations

/// A generation, with why it failed in the request's language.
#[derive(Serialize, ToSchema)]
#[schema(as = Generation)]
struct GenerationBody {
    #[serde(flatten)]
    generation: GenerationView,
    /// `error` in words (absent when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl GenerationBody {
    fn of(locale: Locale, generation: GenerationView) -> GenerationBody {
        GenerationBody {
            message: generation
                .error
                .as_ref()
                .map(|e| words::generation_failure(crate::i18n::catalog(locale), &e.code)),
            generation,
        }
    }
}

/// Generate a draft
///
/// Checks the request and counts it against the quotas (429
/// `quota_reached`, naming the quota, when one is used up), then queues
/// it: the answer is 202 with the generation's `id`. Read it with
/// `GET /api/generations/{id}` until its `status` is `succeeded` (its
/// `draft_id` is the draft written), `failed` or `cancelled`. `brief` is
/// at most 4000 characters; `template_id` gives the format, else `format`
/// (a caption by default).
#[utoipa::path(
    post,
    path = "/api/generations",
    tag = "studio",
    params(WorkspaceQuery),
    request_body(
        content = GenerationRequest,
        example = json!({"template_id": 1, "tone": "warm", "brief": "Our sourdough course starts in May", "platform": "instagram"})
    ),
    responses(
        (status = 202, description = "Queued.", body = GenerationBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = crate::api::doc::PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 429, response = RateLimited),
    )
)]
async fn request_generation(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    ApiJson(mut req): ApiJson<GenerationRequest>,
) -> Result<Response, WebError> {
    if req.locale.is_none() {
        req.locale = Some(locale.code().to_owned());
    }
    let generation = state.studio().request_generation(&auth, &req).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(GenerationBody::of(locale, generation)),
    )
        .into_response())
}

/// A generation
///
/// Its `status`, the `text` streamed so far, and once it ended the
/// `output` (the content), `usage` (tokens), `cost_nanos` and `draft_id`;
/// `error` (with `message`) when it failed, or while it waits to retry.
#[utoipa::path(
    get,
    path = "/api/generations/{id}",
    tag = "studio",
    params(("id" = i64, Path, description = "The generation."), WorkspaceQuery),
    responses(
        (status = 200, description = "The generation.", body = GenerationBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn show_generation(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
    locale: Locale,
    Path(id): Path<i64>,
) -> Result<Json<GenerationBody>, WebError> {
    let generation = state.studio().generation(&auth, GenerationId(id)).await?;
    Ok(Json(GenerationBody::of(locale, generation)))
}

/// Cancel a generation
///
/// Its requester, or anyone who may publish, stops a queued or running
/// generation; one that has ended is 409 `generation_ended`.
#[utoipa::path(
    post,
    path = "/api/generations/{id}/cancel",
    tag = "studio",
    params(("id" = i64, Path, description = "The generation."), WorkspaceQuery),
    responses(
        (status = 200, description = "The generation, cancelled.", body = GenerationBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
async fn cancel_generation(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    locale: Locale,
    Path(id): Path<i64>,
) -> Result<Json<GenerationBody>, WebError> {
    let generation = state
        .studio()
        .cancel_generation(&auth, GenerationId(id))
        .await?;
    Ok(Json(GenerationBody::of(locale, generation)))
}

// ------------------------------------------------------------ drafts

#[derive(Serialize, ToSchema)]
struct DraftList {
    /// Last changed first, with whether the caller bookmarked each.
    drafts: Vec<DraftSummary>,
}

/// List the workspace's drafts
#[utoipa::path(
    get,
    path = "/api/drafts",
    tag = "studio",
    params(WorkspaceQuery),
    responses(
        (status = 200, description = "The drafts.", body = DraftList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_drafts(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
) -> Result<Json<DraftList>, WebError> {
    let drafts = state.studio().drafts(&auth).await?;
    Ok(Json(DraftList { drafts }))
}

/// Create a draft
///
/// From the content given, else a template's structure (`template_id`),
/// else an empty piece of `format`. Its first version is 1.
#[utoipa::path(
    post,
    path = "/api/drafts",
    tag = "studio",
    params(WorkspaceQuery),
    request_body(
        content = NewDraft,
        example = json!({"title": "Course launch", "content": {"format": "caption", "text": "Our sourdough course starts in May.", "hashtags": ["sourdough"]}})
    ),
    responses(
        (status = 201, description = "The draft.", body = Draft),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn create_draft(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    ApiJson(new): ApiJson<NewDraft>,
) -> Result<Response, WebError> {
    let draft = state.studio().create_draft(&auth, &new).await?;
    Ok((StatusCode::CREATED, Json(draft)).into_response())
}

/// A draft
#[utoipa::path(
    get,
    path = "/api/drafts/{id}",
    tag = "studio",
    params(("id" = i64, Path, description = "The draft."), WorkspaceQuery),
    responses(
        (status = 200, description = "The draft with its current text.", body = Draft),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn show_draft(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
    Path(id): Path<i64>,
) -> Result<Json<Draft>, WebError> {
    Ok(Json(state.studio().draft(&auth, DraftId(id)).await?))
}

/// Save a draft
///
/// Every change is a new version. Send the `base_version` the edit started
/// from: if someone saved since, the answer is 409 `draft_conflict` and
/// nothing is written. Its author saves; others need to be allowed to
/// publish. The content's format is the draft's (422 otherwise).
#[utoipa::path(
    put,
    path = "/api/drafts/{id}",
    tag = "studio",
    params(("id" = i64, Path, description = "The draft."), WorkspaceQuery),
    request_body(
        content = Save,
        example = json!({"content": {"format": "caption", "text": "Our sourdough course starts on 4 May.", "hashtags": ["sourdough"]}, "base_version": 1})
    ),
    responses(
        (status = 200, description = "The draft as saved.", body = Draft),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = crate::api::doc::PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn save_draft(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(id): Path<i64>,
    ApiJson(save): ApiJson<Save>,
) -> Result<Json<Draft>, WebError> {
    Ok(Json(
        state.studio().save_draft(&auth, DraftId(id), &save).await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct VersionList {
    /// Newest first.
    versions: Vec<VersionSummary>,
}

/// A draft's versions
///
/// Who saved each and when, newest first (a restore names the version it
/// brought back).
#[utoipa::path(
    get,
    path = "/api/drafts/{id}/versions",
    tag = "studio",
    params(("id" = i64, Path, description = "The draft."), WorkspaceQuery),
    responses(
        (status = 200, description = "The versions.", body = VersionList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_versions(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
    Path(id): Path<i64>,
) -> Result<Json<VersionList>, WebError> {
    let versions = state.studio().versions(&auth, DraftId(id)).await?;
    Ok(Json(VersionList { versions }))
}

/// One version of a draft
#[utoipa::path(
    get,
    path = "/api/drafts/{id}/versions/{version}",
    tag = "studio",
    params(
        ("id" = i64, Path, description = "The draft."),
        ("version" = i32, Path, description = "The version's number."),
        WorkspaceQuery
    ),
    responses(
        (status = 200, description = "The version's text.", body = VersionView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn show_version(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
    Path((id, version)): Path<(i64, i32)>,
) -> Result<Json<VersionView>, WebError> {
    Ok(Json(
        state.studio().version(&auth, DraftId(id), version).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1}))]
struct RestoreRequest {
    /// The version to bring back; it becomes a new version (history is
    /// never rewritten).
    version: i32,
}

/// Restore a version of a draft
#[utoipa::path(
    post,
    path = "/api/drafts/{id}/restore",
    tag = "studio",
    params(("id" = i64, Path, description = "The draft."), WorkspaceQuery),
    request_body = RestoreRequest,
    responses(
        (status = 200, description = "The draft with the old text as its newest version.", body = Draft),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn restore_version(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Draft>,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RestoreRequest>,
) -> Result<Json<Draft>, WebError> {
    Ok(Json(
        state
            .studio()
            .restore(&auth, DraftId(id), req.version)
            .await?,
    ))
}

// ------------------------------------------------------------ usage and quotas

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsageQuery {
    /// `YYYY-MM` (this month when absent).
    month: Option<String>,
}

/// The month's usage
///
/// Generations, tokens and cost (`cost_nanos`: billionths of `currency`),
/// by model and by member (every member's for those who may set quotas,
/// else the caller's own), and what today and this month count against
/// the quotas.
#[utoipa::path(
    get,
    path = "/api/usage",
    tag = "studio",
    params(WorkspaceQuery, UsageQuery),
    responses(
        (status = 200, description = "The month's usage.", body = UsageReport),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = InvalidBody),
    )
)]
async fn show_usage(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadUsage>,
    Query(q): Query<UsageQuery>,
) -> Result<Json<UsageReport>, WebError> {
    Ok(Json(state.studio().usage(&auth, q.month.as_deref()).await?))
}

/// The workspace's quotas
///
/// Generations and tokens per day and month, for the workspace and for
/// each member; `null` is no limit.
#[utoipa::path(
    get,
    path = "/api/quotas",
    tag = "studio",
    params(WorkspaceQuery),
    responses(
        (status = 200, description = "The quotas.", body = Quotas),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn show_quotas(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadUsage>,
) -> Result<Json<Quotas>, WebError> {
    Ok(Json(state.studio().quotas(&auth).await?))
}

/// Set the workspace's quotas
///
/// Owners and admins, with a session or a device's token (never a scoped
/// token). Every quota is given; `null` is no limit.
#[utoipa::path(
    put,
    path = "/api/quotas",
    tag = "studio",
    params(WorkspaceQuery),
    request_body(
        content = Quotas,
        example = json!({
            "workspace_day": {"generations": 100, "tokens": 200000},
            "workspace_month": {"generations": 1000, "tokens": 2000000},
            "member_day": {"generations": 20, "tokens": 50000},
            "member_month": {"generations": null, "tokens": null}
        })
    ),
    responses(
        (status = 200, description = "The quotas as set.", body = Quotas),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn set_quotas(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::SetQuotas>,
    ApiJson(quotas): ApiJson<Quotas>,
) -> Result<Json<Quotas>, WebError> {
    Ok(Json(state.studio().set_quotas(&auth, &quotas).await?))
}

// ------------------------------------------------------------ bookmarks

#[derive(Serialize, ToSchema)]
struct BookmarkList {
    /// The caller's, newest first.
    bookmarks: Vec<Bookmark>,
}

/// The caller's bookmarks
#[utoipa::path(
    get,
    path = "/api/bookmarks",
    tag = "studio",
    params(WorkspaceQuery),
    responses(
        (status = 200, description = "The bookmarks.", body = BookmarkList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn list_bookmarks(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadContent>,
) -> Result<Json<BookmarkList>, WebError> {
    let bookmarks = state.studio().bookmarks(&auth).await?;
    Ok(Json(BookmarkList { bookmarks }))
}

#[derive(Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
#[schema(example = json!({"kind": "draft", "id": 1}))]
struct BookmarkRequest {
    /// `draft`, `template` or `generation`.
    #[param(inline)]
    kind: BookmarkKind,
    /// The draft's, template's or generation's id.
    id: i64,
}

/// Bookmark a draft, template or generation
///
/// For the caller only; bookmarking twice keeps one bookmark.
#[utoipa::path(
    post,
    path = "/api/bookmarks",
    tag = "studio",
    params(WorkspaceQuery),
    request_body = BookmarkRequest,
    responses(
        (status = 200, description = "The caller's bookmarks now.", body = BookmarkList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
    )
)]
async fn add_bookmark(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Bookmark>,
    ApiJson(req): ApiJson<BookmarkRequest>,
) -> Result<Json<BookmarkList>, WebError> {
    let studio = state.studio();
    studio.bookmark(&auth, req.kind, req.id, true).await?;
    Ok(Json(BookmarkList {
        bookmarks: studio.bookmarks(&auth).await?,
    }))
}

/// Remove a bookmark
///
/// `?kind=draft&id=1`; removing one that is not there changes nothing.
#[utoipa::path(
    delete,
    path = "/api/bookmarks",
    tag = "studio",
    params(WorkspaceQuery, BookmarkRequest),
    responses(
        (status = 200, description = "The caller's bookmarks now.", body = BookmarkList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn remove_bookmark(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::Bookmark>,
    query: Result<Query<BookmarkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<BookmarkList>, WebError> {
    let Query(q) = query.map_err(|_| WebError::BadRequest {
        code: "bad_request",
    })?;
    let studio = state.studio();
    studio.bookmark(&auth, q.kind, q.id, false).await?;
    Ok(Json(BookmarkList {
        bookmarks: studio.bookmarks(&auth).await?,
    }))
}

/// `BookmarkRequest` as the query of a DELETE (which also carries
/// `workspace`, so unknown fields are allowed here).
#[derive(Deserialize)]
struct BookmarkQuery {
    kind: BookmarkKind,
    id: i64,
}
