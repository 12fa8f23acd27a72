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
use herald_core::DeviceId;
use herald_core::Named;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

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

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    email: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    device_name: Option<String>,
    device_kind: Option<String>,
}

fn token_response(pair: TokenPair) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": pair.access_token.expose(),
            "token_type": "Bearer",
            "expires_in": pair.expires_in.as_secs(),
            "refresh_token": pair.refresh_token.expose(),
            "device_id": pair.device_id.0,
        })),
    )
        .into_response()
}

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

#[derive(Deserialize)]
struct SignUpRequest {
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: Option<String>,
    /// The privacy notice and terms of this instance accepted.
    #[serde(default)]
    accept_terms: bool,
}

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
        Json(json!({ "status": "check_inbox", "email": email.as_str() })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct ResetRequest {
    email: String,
}

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
        Json(json!({ "status": "check_inbox" })),
    )
        .into_response())
}

/// The caller: their account and workspaces. Through a scoped token,
/// only the token's workspace, and the token itself (`token`: id, name,
/// kind, scopes; never its secret).
async fn show_me(
    State(state): State<AppState>,
    Caller { user, grant }: Caller,
) -> Result<Response, WebError> {
    let workspaces: Vec<_> = state
        .accounts()
        .workspaces(&user)
        .await?
        .into_iter()
        .filter(|w| grant.as_ref().is_none_or(|g| g.workspace == w.id))
        .map(|w| json!({ "id": w.id.0, "name": w.name, "role": w.role.as_str(), "personal": w.personal }))
        .collect();
    let mut me = json!({
        "id": user.id.0,
        "email": user.email.as_str(),
        "display_name": user.display_name,
        "email_verified": user.verified,
        "locale": user.locale,
        "workspaces": workspaces,
    });
    if let Some(g) = grant {
        me["token"] = json!({
            "id": g.id.0,
            "name": g.name,
            "kind": g.kind.as_str(),
            "scopes": g.scopes.names(),
            "workspace_id": g.workspace.0,
        });
    }
    Ok(Json(me).into_response())
}

async fn list_devices(
    State(state): State<AppState>,
    AccountCaller(user): AccountCaller,
) -> Result<Response, WebError> {
    let devices: Vec<_> = state
        .accounts()
        .devices(&user)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id.0,
                "name": d.name,
                "kind": d.kind,
                "created_at": d.created_at.to_string(),
                "last_used_at": d.last_used_at.to_string(),
                "ip": d.ip,
                "user_agent": d.user_agent,
            })
        })
        .collect();
    Ok(Json(json!({ "devices": devices })).into_response())
}

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
