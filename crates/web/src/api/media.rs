//! `/api/workspaces/{ws}/media…`: the media library over the API, Drive
//! listing and import; and `GET /media/{id}?exp=&sig=`, the signed,
//! session-less address platforms pull media from.
//!
//! Uploads are the raw request body (`fetch(url, {method: "POST", body:
//! file})`), streamed into the library chunk by chunk, with the file name
//! in `?filename=` (or `X-Filename`, percent-encoded). Their route sits
//! outside the default body limit and request timeout (see
//! [`upload_router`]); a stalled body is cut off after [`IDLE_BODY`].

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use herald_accounts::Authorized;
use herald_core::{ConnectionId, SignedDuration, Timestamp};
use herald_media::jobs::{ImportDrive, enqueue_import, google_token};
use herald_media::{ListFilter, Media, MediaError, MediaId, MediaLibrary, Origin};
use herald_platforms::drive::FileList;
use herald_platforms::{MediaKind, ProviderId};
use serde::{Deserialize, Serialize};

use crate::api::json::ApiJson;
use crate::member::{ApiMember, need};
use crate::{AppState, WebError};

/// Longest wait for the next part of an upload's body.
pub const IDLE_BODY: Duration = Duration::from_secs(60);
/// How long the media URLs in API answers stay valid (previews in the UI).
const VIEW_URL_TTL: SignedDuration = SignedDuration::from_hours(1);

/// Everything but the upload itself.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/workspaces/{ws}/media", get(list_media))
        .route(
            "/api/workspaces/{ws}/media/{id}",
            get(get_media).delete(delete_media),
        )
        .route(
            "/api/workspaces/{ws}/media/{id}/thumbnail",
            get(get_thumbnail),
        )
        .route(
            "/api/workspaces/{ws}/media/import/drive",
            post(import_drive),
        )
        .route(
            "/api/workspaces/{ws}/drive/{connection}/files",
            get(list_drive_files),
        )
}

/// The upload route, to be layered with the CSRF check, its own body limit
/// and without the request timeout (see [`crate::app`]).
pub fn upload_router() -> Router<AppState> {
    Router::new().route("/api/workspaces/{ws}/media", post(upload_media))
}

/// The signed route platforms pull from: no session, no CSRF (GET only).
pub fn public_router() -> Router<AppState> {
    Router::new().route("/media/{id}", get(serve_signed))
}

/// Refuses form bodies on the upload route before anything reads them,
/// so it must sit outside the CSRF check (which reads a form's `_csrf`
/// field): uploads carry their token in the `X-CSRF-Token` header.
pub(crate) async fn refuse_form_bodies(req: Request, next: Next) -> Response {
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("application/x-www-form-urlencoded")
                || ct.starts_with("multipart/form-data")
        });
    if form {
        return WebError::UnsupportedMediaType.into_response();
    }
    next.run(req).await
}

fn media_id(raw: &str) -> Result<MediaId, WebError> {
    MediaId::parse(raw).ok_or(WebError::NotFound)
}

/// A media as the API shows it.
#[derive(Serialize)]
pub struct MediaView {
    id: MediaId,
    filename: String,
    mime: String,
    kind: MediaKind,
    size: u64,
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<u64>,
    sha256: String,
    source: Origin,
    created_at: Timestamp,
    /// None for videos when the server has no ffmpeg: show a placeholder.
    thumbnail_url: Option<String>,
    /// The bytes, signed for an hour (for previews).
    url: String,
}

impl MediaView {
    fn of(media: &MediaLibrary, m: &Media) -> MediaView {
        MediaView {
            id: m.id,
            filename: m.filename.clone(),
            mime: m.mime.clone(),
            kind: m.kind,
            size: m.size,
            width: m.width,
            height: m.height,
            duration_ms: m.duration_ms,
            sha256: m.sha256.clone(),
            source: m.origin.clone(),
            created_at: m.created_at,
            thumbnail_url: m.thumbnail_key.as_ref().map(|_| {
                format!(
                    "/api/workspaces/{}/media/{}/thumbnail",
                    m.workspace_id, m.id
                )
            }),
            url: media.signed_url(m, VIEW_URL_TTL),
        }
    }
}

#[derive(Deserialize, Default)]
struct UploadQuery {
    filename: Option<String>,
}

/// Percent-decodes a header value (file names may be any Unicode).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `POST /api/workspaces/{ws}/media`: the body is the file.
async fn upload_media(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::UploadMedia>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<MediaView>), WebError> {
    let media = state.media();
    let filename = q
        .filename
        .or_else(|| {
            headers
                .get("x-filename")
                .and_then(|v| v.to_str().ok())
                .map(percent_decode)
        })
        .unwrap_or_default();
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_owned());
    // Each part of the body must arrive within IDLE_BODY: a whole-request
    // timeout would cut off large files on slow links instead.
    let stream = futures_util::stream::unfold(body.into_data_stream(), |mut s| async move {
        match tokio::time::timeout(IDLE_BODY, s.next()).await {
            Ok(Some(item)) => Some((item.map_err(std::io::Error::other), s)),
            Ok(None) => None,
            Err(_) => Some((
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the upload stalled",
                )),
                s,
            )),
        }
    });
    let stored = media
        .upload(
            &auth,
            &filename,
            declared.as_deref(),
            stream,
            media.max_bytes(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MediaView::of(media, &stored))))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    kind: Option<String>,
    before: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct MediaListResponse {
    items: Vec<MediaView>,
    /// Pass as `?before=` for the next page.
    next: Option<MediaId>,
}

async fn list_media(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Query(q): Query<ListQuery>,
) -> Result<Json<MediaListResponse>, WebError> {
    let media = state.media();
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some("image") => Some(MediaKind::Image),
        Some("video") => Some(MediaKind::Video),
        Some(_) => {
            return Err(WebError::BadRequest {
                code: "bad_request",
            });
        }
    };
    let before = match q.before.as_deref() {
        None | Some("") => None,
        Some(b) => Some(MediaId::parse(b).ok_or(WebError::BadRequest {
            code: "bad_request",
        })?),
    };
    let page = media
        .list(
            &auth,
            &ListFilter {
                kind,
                before,
                limit: q.limit.unwrap_or(0),
            },
        )
        .await?;
    Ok(Json(MediaListResponse {
        items: page.items.iter().map(|m| MediaView::of(media, m)).collect(),
        next: page.next,
    }))
}

async fn get_media(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path((_, id)): Path<(i64, String)>,
) -> Result<Json<MediaView>, WebError> {
    let media = state.media();
    let found = media.get(&auth, media_id(&id)?).await?;
    Ok(Json(MediaView::of(media, &found)))
}

async fn delete_media(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::DeleteMedia>,
    Path((_, id)): Path<(i64, String)>,
) -> Result<StatusCode, WebError> {
    let media = state.media();
    media.delete(&auth, media_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_thumbnail(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::ReadPosts>,
    Path((_, id)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let media = state.media();
    let found = media.get(&auth, media_id(&id)?).await?;
    let jpeg = media.thumbnail(&found).await?.ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // Thumbnails of a content-addressed blob never change.
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        jpeg,
    )
        .into_response())
}

#[derive(Deserialize)]
struct ImportDriveRequest {
    connection_id: ConnectionId,
    file_id: String,
}

#[derive(Serialize)]
struct ImportAccepted {
    job_id: i64,
    /// False when the same import was already waiting.
    queued: bool,
}

/// The connection is a Google one of this workspace, and the caller may
/// reach into its owner's Drive: the person who connected it, or someone
/// who manages connections (403 for other members).
async fn google_connection(
    state: &AppState,
    auth: &Authorized,
    connection: &ConnectionId,
) -> Result<(), WebError> {
    let listed = state
        .connections()
        .list(auth, Some(ProviderId::YouTube))
        .await
        .map_err(WebError::Connect)?;
    if !listed.iter().any(|c| c.id == *connection) {
        return Err(WebError::NotFound);
    }
    if state
        .connections()
        .may_use_account_of(auth, connection)
        .await
        .map_err(WebError::Connect)?
    {
        Ok(())
    } else {
        Err(WebError::Forbidden { code: "forbidden" })
    }
}

/// Queues the import of a Drive file: 202 with the job; the media appears
/// in the library when the job is done.
async fn import_drive(
    State(state): State<AppState>,
    ApiMember { user, auth, .. }: ApiMember<need::UploadMedia>,
    ApiJson(req): ApiJson<ImportDriveRequest>,
) -> Result<(StatusCode, Json<ImportAccepted>), WebError> {
    let media = state.media();
    let workspace = auth.workspace();
    if !media.drive_available() {
        return Err(MediaError::DriveUnavailable.into());
    }
    let file = req.file_id.trim();
    if file.is_empty()
        || file.len() > 200
        || !file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    {
        return Err(WebError::BadRequest {
            code: "bad_request",
        });
    }
    google_connection(&state, &auth, &req.connection_id).await?;
    let enqueued = enqueue_import(
        state.queue(),
        &ImportDrive {
            workspace: workspace.0,
            user: user.id.0,
            connection: req.connection_id,
            file: file.to_owned(),
        },
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ImportAccepted {
            job_id: enqueued.id().0,
            queued: matches!(enqueued, herald_jobs::Enqueued::New(_)),
        }),
    ))
}

#[derive(Deserialize, Default)]
struct DriveQuery {
    page_token: Option<String>,
    /// Only files with this in their name.
    q: Option<String>,
}

async fn list_drive_files(
    State(state): State<AppState>,
    ApiMember { auth, .. }: ApiMember<need::BrowseDrive>,
    Path((_, connection)): Path<(i64, ConnectionId)>,
    Query(q): Query<DriveQuery>,
) -> Result<Json<FileList>, WebError> {
    let media = state.media();
    google_connection(&state, &auth, &connection).await?;
    let token = google_token(state.connections(), &connection)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(
        media
            .drive_files(&token, q.page_token.as_deref(), q.q.as_deref())
            .await?,
    ))
}

// ------------------------------------------------------------ signed route

#[derive(Deserialize)]
struct SignedQuery {
    exp: Option<i64>,
    sig: Option<String>,
}

/// A single `Range: bytes=…` of a `size`-byte file: `Some(Ok((first,
/// last)))` inclusive, `Some(Err(()))` when unsatisfiable, `None` when
/// absent or not one plain byte range (then the whole file is sent).
pub fn parse_range(value: Option<&str>, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = value?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let suffix: u64 = last.parse().ok()?;
        if suffix == 0 || size == 0 {
            return Some(Err(()));
        }
        return Some(Ok((size.saturating_sub(suffix), size - 1)));
    }
    let start: u64 = first.parse().ok()?;
    if start >= size {
        return Some(Err(()));
    }
    let end = if last.is_empty() {
        size - 1
    } else {
        let end: u64 = last.parse().ok()?;
        if end < start {
            return None;
        }
        end.min(size - 1)
    };
    Some(Ok((start, end)))
}

/// `GET /media/{id}?exp=&sig=`: the bytes, whole or the asked range (206),
/// for whoever holds a valid, unexpired signature.
async fn serve_signed(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<SignedQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let media = state.media();
    let (Some(exp), Some(sig)) = (q.exp, q.sig.as_deref()) else {
        return Err(WebError::Forbidden {
            code: "media_link_invalid",
        });
    };
    media
        .verify(&id, exp, sig)
        .map_err(|e| WebError::Forbidden {
            code: match e {
                herald_media::signing::SignatureError::Expired => "media_link_expired",
                herald_media::signing::SignatureError::Invalid => "media_link_invalid",
            },
        })?;
    let found = media.find(media_id(&id)?).await?;
    let range = parse_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        found.size,
    );
    let (status, offset, len) = match range {
        None => (StatusCode::OK, 0, found.size),
        Some(Ok((first, last))) => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
        Some(Err(())) => {
            let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", found.size)) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(resp);
        }
    };
    let stream = media.open_range(&found, offset, Some(len)).await?;
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&found.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // The signature is the authorisation: shared caches must not keep it.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!(
            "bytes {offset}-{}/{}",
            offset + len - 1,
            found.size
        ))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range(Some("bytes=0-9"), 100), Some(Ok((0, 9))));
        assert_eq!(parse_range(Some("bytes=90-"), 100), Some(Ok((90, 99))));
        assert_eq!(parse_range(Some("bytes=-10"), 100), Some(Ok((90, 99))));
        assert_eq!(parse_range(Some("bytes=95-500"), 100), Some(Ok((95, 99))));
        assert_eq!(parse_range(Some("bytes=100-"), 100), Some(Err(())));
        assert_eq!(parse_range(Some("bytes=-0"), 100), Some(Err(())));
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), None);
        assert_eq!(parse_range(Some("bytes=5-1"), 100), None);
        assert_eq!(parse_range(Some("items=0-1"), 100), None);
        assert_eq!(parse_range(None, 100), None);
    }

    #[test]
    fn header_file_names_are_percent_decoded() {
        assert_eq!(percent_decode("caf%C3%A9%20menu.jpg"), "café menu.jpg");
        assert_eq!(percent_decode("100%.png"), "100%.png");
    }
}
