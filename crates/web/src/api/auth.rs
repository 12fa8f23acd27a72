//! Accounts over the API: the token endpoint for first-party clients
//! (password and refresh-token grants, OAuth 2.0 style), sign-up and
//! password-reset requests, the caller's profile and their devices.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use herald_accounts::{AccountError, DeviceKind, TokenPair};
use herald_core::Named;
use herald_core::{DeviceId, Timestamp, UserId, WorkspaceId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::api::doc::{
    BadRequest, Forbidden, InvalidBody, NotFound, RateLimited, Unauthorized, UnsupportedMediaType,
};
use crate::auth::{AccountCaller, Caller, Meta};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/token", post(issue_token))
        .route("/api/auth/signup", post(sign_up))
        .route("/api/auth/password-reset", post(request_reset))
        .route("/api/auth/devices", get(list_devices))
        .route("/api/auth/devices/{id}", delete(revoke_device))
        .route("/api/me", get(show_me))
}

#[derive(OpenApi)]
#[openapi(paths(
    issue_token,
    sign_up,
    request_reset,
    list_devices,
    revoke_device,
    show_me
))]
pub(super) struct Doc;

/// A body as JSON or as an urlencoded form (what OAuth clients send).
fn parse_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, WebError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        serde_json::from_slice(body).map_err(|_| WebError::BadRequest {
            code: "bad_request",
        })
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(body).map_err(|_| WebError::BadRequest {
            code: "bad_request",
        })
    } else {
        Err(WebError::UnsupportedMediaType)
    }
}

/// A token grant: `password` (signs a new device in) or `refresh_token`
/// (the next pair of a device; the old refresh token is used up).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "email": "ana@example.com",
    "password": "violet lantern across the fjord", "device_name": "Ana's phone",
    "device_kind": "mobile"}))]
struct TokenRequest {
    /// `password` or `refresh_token`.
    grant_type: String,
    /// For `password`.
    email: Option<String>,
    /// For `password`.
    password: Option<String>,
    /// For `refresh_token`.
    refresh_token: Option<String>,
    /// For `password`: how the device is listed in Settings.
    device_name: Option<String>,
    /// For `password`: `web`, `mobile` (the default) or `assistant`.
    device_kind: Option<String>,
}

/// A device's tokens, shown once.
#[derive(Serialize, ToSchema)]
struct TokenResponse {
    /// Send as `Authorization: Bearer …`.
    access_token: String,
    /// `Bearer`.
    token_type: &'static str,
    /// Seconds the access token is valid.
    expires_in: u64,
    /// For the next grant; each is used once.
    refresh_token: String,
    device_id: DeviceId,
}

fn token_response(pair: TokenPair) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(TokenResponse {
            access_token: pair.access_token.expose().to_owned(),
            token_type: "Bearer",
            expires_in: pair.expires_in.as_secs(),
            refresh_token: pair.refresh_token.expose().to_owned(),
            device_id: pair.device_id,
        }),
    )
        .into_response()
}

/// Get tokens for an app
///
/// The password grant signs a device in (15-minute access token, rotating
/// refresh token); the refresh grant gives the device its next pair. A
/// refresh token presented again after its rotation grace period signs
/// the device out. JSON or a urlencoded form; no CSRF token needed.
#[utoipa::path(
    post,
    path = "/api/auth/token",
    tag = "auth",
    security(()),
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The tokens (`Cache-Control: no-store`).", body = TokenResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 429, response = RateLimited),
    )
)]
async fn issue_token(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let req: TokenRequest = parse_body(&headers, &body)?;
    let accounts = state.accounts();
    let pair = match req.grant_type.as_str() {
        "password" => {
            let kind = DeviceKind::parse(req.device_kind.as_deref().unwrap_or("mobile")).ok_or(
                WebError::BadRequest {
                    code: "unknown_device_kind",
                },
            )?;
            accounts
                .grant_password(
                    req.email.as_deref().unwrap_or_default(),
                    req.password.as_deref().unwrap_or_default(),
                    req.device_name.as_deref().unwrap_or_default(),
                    kind,
                    &meta,
                )
                .await?
        }
        "refresh_token" => {
            let token = req.refresh_token.as_deref().ok_or(WebError::BadRequest {
                code: "invalid_token",
            })?;
            accounts.refresh(token, &meta).await?
        }
        _ => {
            return Err(WebError::BadRequest {
                code: "unknown_grant_type",
            });
        }
    };
    Ok(token_response(pair))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"email": "ana@example.com",
    "password": "violet lantern across the fjord", "display_name": "Ana",
    "accept_terms": true}))]
struct SignUpRequest {
    email: String,
    /// At least 12 characters, not easy to guess.
    password: String,
    #[serde(default)]
    display_name: String,
    /// `en` or `de`; else the request's `Accept-Language`.
    #[serde(default)]
    locale: Option<String>,
    /// The privacy notice and terms of this instance accepted.
    #[serde(default)]
    accept_terms: bool,
}

/// A request taken; what follows comes by mail.
#[derive(Serialize, ToSchema)]
struct CheckInbox {
    /// `check_inbox`.
    status: &'static str,
    /// The address written to, as it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

/// Sign up
///
/// Sends the address a verification link. An address that already has an
/// account gets the same answer (its owner gets a notice instead).
#[utoipa::path(
    post,
    path = "/api/auth/signup",
    tag = "auth",
    security(()),
    request_body(content(
        (SignUpRequest = "application/json"),
        (SignUpRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 202, description = "The verification mail is on its way.", body = CheckInbox),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 429, response = RateLimited),
    )
)]
async fn sign_up(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let req: SignUpRequest = parse_body(&headers, &body)?;
    let locale = req
        .locale
        .as_deref()
        .and_then(crate::i18n::Locale::from_code)
        .unwrap_or_else(|| crate::i18n::Locale::from_headers(&headers));
    let email = state
        .accounts()
        .sign_up(
            &req.email,
            &req.password,
            &req.display_name,
            locale.code(),
            if req.accept_terms {
                crate::pages::LEGAL_VERSION
            } else {
                ""
            },
            &meta,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CheckInbox {
            status: "check_inbox",
            email: Some(email.as_str().to_owned()),
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
struct ResetRequest {
    email: String,
}

/// Ask for a password reset
///
/// Mails a reset link if the address has an account; the answer is the
/// same either way.
#[utoipa::path(
    post,
    path = "/api/auth/password-reset",
    tag = "auth",
    security(()),
    request_body(content(
        (ResetRequest = "application/json"),
        (ResetRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 202, description = "Taken (whether or not the address has an account).", body = CheckInbox),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 429, response = RateLimited),
    )
)]
async fn request_reset(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let req: ResetRequest = parse_body(&headers, &body)?;
    state
        .accounts()
        .request_password_reset(&req.email, &meta)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CheckInbox {
            status: "check_inbox",
            email: None,
        }),
    )
        .into_response())
}

/// The caller.
#[derive(Serialize, ToSchema)]
struct MeView {
    id: UserId,
    email: String,
    display_name: String,
    email_verified: bool,
    /// `en` or `de`.
    locale: String,
    /// Every workspace the caller is a member of (through a scoped token,
    /// only the token's).
    workspaces: Vec<MeWorkspace>,
    /// The token the caller uses, when it is a scoped one (never its
    /// secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<MeToken>,
}

/// A workspace of the caller's, with their role there.
#[derive(Serialize, ToSchema)]
struct MeWorkspace {
    /// Pass as `?workspace=`.
    id: WorkspaceId,
    name: String,
    /// `owner`, `admin`, `editor`, `contributor` or `viewer`.
    role: &'static str,
    personal: bool,
}

/// A scoped token as `/api/me` shows it.
#[derive(Serialize, ToSchema)]
struct MeToken {
    id: i64,
    name: String,
    /// `personal`, `app` or `assistant`.
    kind: &'static str,
    scopes: Vec<&'static str>,
    workspace_id: WorkspaceId,
}

/// Who is calling
///
/// Through a scoped token, only the token's workspace, and the token
/// itself.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller and their workspaces.", body = MeView),
        (status = 401, response = Unauthorized),
    )
)]
async fn show_me(
    State(state): State<AppState>,
    Caller { user, grant }: Caller,
) -> Result<Json<MeView>, WebError> {
    let workspaces = state
        .accounts()
        .workspaces(&user)
        .await?
        .into_iter()
        .filter(|w| grant.as_ref().is_none_or(|g| g.workspace == w.id))
        .map(|w| MeWorkspace {
            id: w.id,
            name: w.name,
            role: w.role.as_str(),
            personal: w.personal,
        })
        .collect();
    Ok(Json(MeView {
        id: user.id,
        email: user.email.as_str().to_owned(),
        display_name: user.display_name,
        email_verified: user.verified,
        locale: user.locale,
        workspaces,
        token: grant.map(|g| MeToken {
            id: g.id.0,
            name: g.name.clone(),
            kind: g.kind.as_str(),
            scopes: g.scopes.names(),
            workspace_id: g.workspace,
        }),
    }))
}

/// A device signed in with a token grant.
#[derive(Serialize, ToSchema)]
struct DeviceView {
    id: DeviceId,
    name: String,
    /// `web`, `mobile` or `assistant`.
    kind: String,
    created_at: Timestamp,
    last_used_at: Timestamp,
    ip: Option<String>,
    user_agent: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct DeviceList {
    devices: Vec<DeviceView>,
}

/// List the caller's devices
#[utoipa::path(
    get,
    path = "/api/auth/devices",
    tag = "auth",
    responses(
        (status = 200, description = "The caller's signed-in devices.", body = DeviceList),
        (status = 401, response = Unauthorized),
    )
)]
async fn list_devices(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
) -> Result<Json<DeviceList>, WebError> {
    let devices = state
        .accounts()
        .devices(&user)
        .await?
        .into_iter()
        .map(|d| DeviceView {
            id: d.id,
            name: d.name,
            kind: d.kind,
            created_at: d.created_at,
            last_used_at: d.last_used_at,
            ip: d.ip,
            user_agent: d.user_agent,
        })
        .collect();
    Ok(Json(DeviceList { devices }))
}

/// Sign a device out
///
/// Its access and refresh tokens stop working at once.
#[utoipa::path(
    delete,
    path = "/api/auth/devices/{id}",
    tag = "auth",
    params(("id" = DeviceId, Path, description = "One of the caller's devices.")),
    responses(
        (status = 204, description = "Signed out."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn revoke_device(
    State(state): State<AppState>,
    Meta(meta): Meta,
    AccountCaller(user): AccountCaller,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state
        .accounts()
        .revoke_device(&user, DeviceId(id), &meta)
        .await
        .map_err(|e| match e {
            AccountError::NotFound => WebError::NotFound,
            other => WebError::Account(other),
        })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Property tests: whatever a client posts to the token endpoint, as JSON
/// or as a form, reading it never panics, and both encodings read the same.
#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = content_type.parse() {
            h.insert(header::CONTENT_TYPE, v);
        }
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bodies_never_panic(
            content_type in prop_oneof![
                Just("application/json"),
                Just("application/json; charset=utf-8"),
                Just("application/x-www-form-urlencoded"),
                Just("text/plain"),
                Just(""),
            ],
            body in vec(any::<u8>(), 0..(16 << 10)),
        ) {
            let body = Bytes::from(body);
            let result = parse_body::<TokenRequest>(&headers(content_type), &body);
            if !content_type.starts_with("application/") {
                prop_assert!(matches!(result, Err(WebError::UnsupportedMediaType)));
            } else if let Err(e) = result {
                let bad_request = matches!(e, WebError::BadRequest { code: "bad_request" });
                prop_assert!(bad_request);
            }
        }

        #[test]
        fn json_and_form_bodies_read_the_same(
            grant_type in ".{0,20}",
            email in proptest::option::of(".{0,40}"),
            password in proptest::option::of(".{0,40}"),
            refresh_token in proptest::option::of("[A-Za-z0-9_-]{0,43}"),
            device_name in proptest::option::of(".{0,30}"),
        ) {
            let mut pairs = vec![("grant_type", grant_type.clone())];
            for (k, v) in [("email", &email), ("password", &password),
                ("refresh_token", &refresh_token), ("device_name", &device_name)] {
                if let Some(v) = v {
                    pairs.push((k, v.clone()));
                }
            }
            let form = serde_urlencoded::to_string(&pairs).expect("encodes");
            let json: serde_json::Map<String, serde_json::Value> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(v.as_str())))
                .collect();
            let json = serde_json::to_vec(&json).expect("encodes");
            for (content_type, body) in [
                ("application/x-www-form-urlencoded", Bytes::from(form)),
                ("application/json", Bytes::from(json)),
            ] {
                let req: TokenRequest = parse_body(&headers(content_type), &body)
                    .map_err(|_| TestCaseError::fail(content_type))?;
                prop_assert_eq!(&req.grant_type, &grant_type);
                prop_assert_eq!(&req.email, &email);
                prop_assert_eq!(&req.password, &password);
                prop_assert_eq!(&req.refresh_token, &refresh_token);
                prop_assert_eq!(&req.device_name, &device_name);
            }
        }
    }
}
