//! TikTok Login Kit v2 and the Display API's user info: the authorize page
//! (`client_key`, comma-separated scopes, S256 PKCE as lowercase hex — the
//! quirk real clients report), the token endpoint (form body only; top-level
//! token JSON; OAuth errors as `{error, error_description, log_id}`), revoke,
//! and `/v2/user/info/` in the `{"data":…,"error":{"code","message","log_id"}}`
//! envelope with fields gated by scope and the 600/min per-app limit; the
//! `user.info.stats` counts come from [`crate::tiktok_insights`].
//!
//! Lifetimes follow [`crate::SandboxConfig::tiktok_rotating_refresh`]: access
//! 24 h / refresh 365 d with a stable refresh token, or access 2 h / refresh
//! 180 d with refresh tokens that rotate (the old one dies). HTTP status for
//! OAuth errors is not documented; the sandbox uses 400 (401 for
//! `invalid_client`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde_json::{Value, json};

use crate::consent::{self, ConsentPage, ErrorPage};
use crate::faults::FaultKind;
use crate::oauth::{
    Pkce, S256Encoding, check_redirect_uri, random_base62, redirect_origin, redirect_with,
};
use crate::params::{Params, bearer, is_form, split_scopes};
use crate::seed::tiktok_user;
use crate::state::{
    CODE_LIFETIME, CodeProblem, CodeRecord, Revocation, TokenKind, TokenProblem, TokenRecord,
};
use crate::{Platform, Sandbox};

const KNOWN_SCOPES: &[&str] = &[
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.upload",
    "video.publish",
];

const REQUIRED: &[&str] = &["user.info.basic"];

/// User info fields and the scope each needs.
const USER_FIELDS: &[(&str, &str)] = &[
    ("open_id", "user.info.basic"),
    ("union_id", "user.info.basic"),
    ("avatar_url", "user.info.basic"),
    ("avatar_url_100", "user.info.basic"),
    ("avatar_large_url", "user.info.basic"),
    ("display_name", "user.info.basic"),
    ("bio_description", "user.info.profile"),
    ("profile_deep_link", "user.info.profile"),
    ("is_verified", "user.info.profile"),
    ("username", "user.info.profile"),
    ("follower_count", "user.info.stats"),
    ("following_count", "user.info.stats"),
    ("likes_count", "user.info.stats"),
    ("video_count", "user.info.stats"),
];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/www.tiktok.com/v2/auth/authorize/",
            get(show_dialog).post(submit_dialog),
        )
        .route(
            "/www.tiktok.com/v2/auth/authorize",
            get(show_dialog).post(submit_dialog),
        )
        .route("/open.tiktokapis.com/v2/oauth/token/", post(issue_token))
        .route("/open.tiktokapis.com/v2/oauth/revoke/", post(revoke_token))
        .route("/open.tiktokapis.com/v2/user/info/", get(get_user_info))
}

/// Lifetimes in seconds: (access, refresh).
fn lifetimes(sb: &Sandbox) -> (i64, i64) {
    if sb.config().tiktok_rotating_refresh {
        (7_200, 15_552_000)
    } else {
        (86_400, 31_536_000)
    }
}

/// TikTok's `log_id`: a timestamp and random hex.
pub(crate) fn log_id(now: Timestamp) -> String {
    let stamp = now
        .to_zoned(TimeZone::UTC)
        .strftime("%Y%m%d%H%M%S")
        .to_string();
    let tail: String = random_base62(18)
        .bytes()
        .map(|b| char::from(b"0123456789ABCDEF"[(b % 16) as usize]))
        .collect();
    format!("{stamp}{tail}")
}

// ------------------------------------------------------------------ dialog

struct DialogRequest {
    client_key: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    pkce: Option<Pkce>,
}

fn error_page(sb: &Sandbox, error: &str, message: impl Into<String>) -> Response {
    consent::html(
        StatusCode::BAD_REQUEST,
        &ErrorPage {
            css: sb.url(crate::assets::CSS_PATH),
            title: "Sandbox · TikTok Login Kit".into(),
            platform: "tiktok",
            heading: format!("Something went wrong: {error}"),
            message: message.into(),
        },
    )
}

fn validate_dialog(sb: &Sandbox, params: &Params) -> Result<DialogRequest, Response> {
    let app = &sb.config().tiktok;
    if params.non_empty("client_key") != Some(app.client_id.as_str()) {
        return Err(error_page(
            sb,
            "client_key",
            "The client_key is missing or not registered.",
        ));
    }
    let Some(redirect_uri) = params.non_empty("redirect_uri") else {
        return Err(error_page(
            sb,
            "redirect_uri",
            "The redirect_uri parameter is required.",
        ));
    };
    if let Err(why) = check_redirect_uri(redirect_uri) {
        return Err(error_page(sb, "redirect_uri", why));
    }
    if params.get("response_type") != Some("code") {
        return Err(error_page(
            sb,
            "unsupported_response_type",
            "response_type must be code.",
        ));
    }
    let mut scopes = split_scopes(params.get("scope").unwrap_or(""), &[',']);
    if scopes.is_empty() {
        return Err(error_page(sb, "scope", "The scope parameter is required."));
    }
    let invalid: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !KNOWN_SCOPES.contains(s))
        .collect();
    if !invalid.is_empty() {
        return Err(error_page(
            sb,
            "scope",
            format!("Invalid scope: {}", invalid.join(", ")),
        ));
    }
    // Login Kit always grants the basic profile.
    if !scopes.iter().any(|s| s == "user.info.basic") {
        scopes.insert(0, "user.info.basic".into());
    }
    let pkce = match params.non_empty("code_challenge") {
        None => None,
        Some(challenge) => {
            if params.get("code_challenge_method") != Some("S256") {
                return Err(error_page(
                    sb,
                    "code_challenge_method",
                    "code_challenge_method must be S256.",
                ));
            }
            Some(Pkce {
                challenge: challenge.to_owned(),
                method: "S256".into(),
            })
        }
    };
    Ok(DialogRequest {
        client_key: app.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: params.get("state").map(str::to_owned),
        scopes,
        pkce,
    })
}

async fn show_dialog(State(sb): State<Sandbox>, RawQuery(query): RawQuery) -> Response {
    sb.count("tiktok.oauth_dialog");
    let params = Params::from_query(query.as_deref());
    let request = match validate_dialog(&sb, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let page = ConsentPage {
        css: sb.url(crate::assets::CSS_PATH),
        title: "Sandbox · TikTok Login Kit".into(),
        product: "TikTok",
        platform: "tiktok",
        app_name: "Herald (sandbox TikTok app)".into(),
        action: sb.url("/www.tiktok.com/v2/auth/authorize/"),
        redirect_origin: redirect_origin(&request.redirect_uri),
        hidden: consent::hidden_params(&params),
        user: consent::shown_user(&params),
        scopes: consent::scope_rows(&request.scopes, REQUIRED),
        pages: Vec::new(),
        switch_user: false,
    };
    consent::html(StatusCode::OK, &page)
}

async fn submit_dialog(State(sb): State<Sandbox>, body: Bytes) -> Response {
    let fault = sb.hit("tiktok.oauth_dialog").await;
    let params = Params::from_urlencoded(&body);
    let request = match validate_dialog(&sb, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let decision = consent::decision(&params, &request.scopes, REQUIRED);
    let code;
    let granted;
    let mut query: Vec<(&str, &str)> = Vec::new();
    match fault {
        Some(FaultKind::RateLimited | FaultKind::ServerError) => query.extend([
            ("error", "server_error"),
            (
                "error_description",
                "Something went wrong. Please try again later.",
            ),
        ]),
        Some(_) => query.extend(denial()),
        None if !decision.allow => query.extend(denial()),
        None => {
            code = format!(
                "{}*0!{}.va",
                random_base62(56),
                1000 + rand::random::<u16>() % 9000
            );
            granted = decision.granted.join(",");
            let record = CodeRecord {
                platform: Platform::TikTok,
                client_id: request.client_key.clone(),
                redirect_uri: request.redirect_uri.clone(),
                user: decision.user.clone(),
                scopes: decision.granted.clone(),
                declined: decision.declined.clone(),
                pkce: request.pkce.clone(),
                expires_at: sb.now() + CODE_LIFETIME,
                used: false,
                grant: random_base62(16),
                issue_refresh: true,
            };
            sb.update(|st| st.insert_code(code.clone(), record));
            query.extend([("code", code.as_str()), ("scopes", granted.as_str())]);
        }
    }
    if let Some(state) = request.state.as_deref() {
        query.push(("state", state));
    }
    Redirect::to(&redirect_with(&request.redirect_uri, &query, None)).into_response()
}

fn denial() -> [(&'static str, &'static str); 2] {
    [
        ("error", "access_denied"),
        (
            "error_description",
            "The user denied the authorization request.",
        ),
    ]
}

// ------------------------------------------------------------ token endpoint

fn oauth_error(sb: &Sandbox, status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": error,
            "error_description": description,
            "log_id": log_id(sb.now()),
        })),
    )
        .into_response()
}

fn invalid_grant(sb: &Sandbox, description: &str) -> Response {
    oauth_error(sb, StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// Faults on the OAuth endpoints, in the OAuth error shape.
fn oauth_fault(sb: &Sandbox, fault: Option<FaultKind>) -> Option<Response> {
    Some(match fault? {
        FaultKind::RateLimited => oauth_error(
            sb,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "API rate limit exceeded, please retry later.",
        ),
        FaultKind::ServerError => oauth_error(
            sb,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong. Please try again later.",
        ),
        FaultKind::ExpiredToken => invalid_grant(sb, "Refresh token is expired."),
        FaultKind::RevokedToken => {
            invalid_grant(sb, "Refresh token is invalid or has been revoked.")
        }
        FaultKind::MissingPermission => oauth_error(
            sb,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The client is not authorized to request an access token using this method.",
        ),
        FaultKind::Slow { .. }
        | FaultKind::ResponseLost
        | FaultKind::ContentFiltered
        | FaultKind::AnswerFiltered
        | FaultKind::StreamCut
        | FaultKind::QuotaExhausted => return None,
    })
}

/// Checks `client_key` / `client_secret`.
fn check_client(sb: &Sandbox, p: &Params) -> Result<(), Response> {
    let app = &sb.config().tiktok;
    if p.non_empty("client_key") != Some(app.client_id.as_str()) {
        return Err(oauth_error(
            sb,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client key is invalid or missing.",
        ));
    }
    if p.non_empty("client_secret") != Some(app.client_secret.as_str()) {
        return Err(oauth_error(
            sb,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client secret is invalid or missing.",
        ));
    }
    Ok(())
}

async fn issue_token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sb.hit("tiktok.token").await;
    if let Some(response) = oauth_fault(&sb, fault) {
        return response;
    }
    if !is_form(&headers) {
        return oauth_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded.",
        );
    }
    let p = Params::from_urlencoded(&body);
    if let Err(response) = check_client(&sb, &p) {
        return response;
    }
    let result = match p.get("grant_type") {
        Some("authorization_code") => redeem(&sb, &p),
        Some("refresh_token") => refresh(&sb, &p),
        Some(other) => Err(oauth_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("Unsupported grant_type: {other}"),
        )),
        None => Err(oauth_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is required.",
        )),
    };
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(response) => response,
    }
}

fn token_body(
    sb: &Sandbox,
    access: &str,
    refresh: &str,
    refresh_left: i64,
    record: &TokenRecord,
) -> Value {
    let open_id = tiktok_user(&record.user, &record.client_id, &sb.config().public_base).open_id;
    json!({
        "access_token": access,
        "expires_in": lifetimes(sb).0,
        "open_id": open_id,
        "refresh_expires_in": refresh_left,
        "refresh_token": refresh,
        "scope": record.scopes.join(","),
        "token_type": "Bearer",
    })
}

fn redeem(sb: &Sandbox, p: &Params) -> Result<Value, Response> {
    let Some(code) = p.non_empty("code") else {
        return Err(oauth_error(
            sb,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code is required.",
        ));
    };
    let redirect_uri = p.get("redirect_uri").unwrap_or("");
    let now = sb.now();
    let (access_life, refresh_life) = lifetimes(sb);
    let issued = sb.update(|st| {
        let record =
            st.redeem_code(code, Platform::TikTok, now)
                .map_err(|problem| match problem {
                    CodeProblem::Unknown => "Authorization code is invalid.",
                    CodeProblem::Expired => "Authorization code is expired.",
                    CodeProblem::Used { .. } => "Authorization code has been used.",
                })?;
        if record.redirect_uri != redirect_uri {
            return Err("redirect_uri does not match the one used in the authorization request.");
        }
        if let Some(pkce) = &record.pkce {
            let ok = p
                .non_empty("code_verifier")
                .is_some_and(|v| pkce.verifies(v, S256Encoding::Hex));
            if !ok {
                return Err("Code verifier or code challenge is invalid.");
            }
        }
        let base = TokenRecord {
            kind: TokenKind::TikTokAccess,
            user: record.user,
            client_id: record.client_id,
            scopes: record.scopes,
            declined: record.declined,
            issued_at: now,
            expires_at: Some(now + SignedDuration::from_secs(access_life)),
            revoked: None,
            grant: record.grant,
            page_id: None,
            parent: None,
        };
        let access = new_token("act");
        let refresh = new_token("rft");
        st.insert_token(
            refresh.clone(),
            TokenRecord {
                kind: TokenKind::TikTokRefresh,
                expires_at: Some(now + SignedDuration::from_secs(refresh_life)),
                ..base.clone()
            },
        );
        st.insert_token(access.clone(), base.clone());
        Ok((access, refresh, base))
    });
    match issued {
        Ok((access, refresh, record)) => {
            Ok(token_body(sb, &access, &refresh, refresh_life, &record))
        }
        Err(description) => Err(invalid_grant(sb, description)),
    }
}

fn refresh(sb: &Sandbox, p: &Params) -> Result<Value, Response> {
    let Some(refresh) = p.non_empty("refresh_token") else {
        return Err(oauth_error(
            sb,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "refresh_token is required.",
        ));
    };
    let now = sb.now();
    let (access_life, refresh_life) = lifetimes(sb);
    let rotating = sb.config().tiktok_rotating_refresh;
    let issued = sb.update(|st| {
        let record = match st.check(refresh, Platform::TikTok, now) {
            Ok(r) if r.kind == TokenKind::TikTokRefresh => r.clone(),
            Err(TokenProblem::Expired(_)) => return Err("Refresh token is expired."),
            _ => return Err("Refresh token is invalid or has been revoked."),
        };
        let access = new_token("act");
        st.insert_token(
            access.clone(),
            TokenRecord {
                kind: TokenKind::TikTokAccess,
                issued_at: now,
                expires_at: Some(now + SignedDuration::from_secs(access_life)),
                ..record.clone()
            },
        );
        if rotating {
            st.revoke_token(refresh, Revocation::Rotated);
            let fresh = new_token("rft");
            st.insert_token(
                fresh.clone(),
                TokenRecord {
                    issued_at: now,
                    expires_at: Some(now + SignedDuration::from_secs(refresh_life)),
                    ..record.clone()
                },
            );
            Ok((access, fresh, refresh_life, record))
        } else {
            let left = record
                .expires_at
                .map_or(refresh_life, |at| at.as_second() - now.as_second());
            Ok((access, refresh.to_owned(), left, record))
        }
    });
    match issued {
        Ok((access, refresh, left, record)) => Ok(token_body(sb, &access, &refresh, left, &record)),
        Err(description) => Err(invalid_grant(sb, description)),
    }
}

/// `act.…` / `rft.…` tokens in TikTok's `…!1234.va` style.
fn new_token(prefix: &str) -> String {
    format!(
        "{prefix}.{}!{}.va",
        random_base62(60),
        1000 + rand::random::<u16>() % 9000
    )
}

async fn revoke_token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sb.hit("tiktok.revoke").await;
    if let Some(response) = oauth_fault(&sb, fault) {
        return response;
    }
    let p = Params::from_request(None, &headers, &body);
    if let Err(response) = check_client(&sb, &p) {
        return response;
    }
    let Some(token) = p.non_empty("token").or_else(|| p.non_empty("access_token")) else {
        return oauth_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required.",
        );
    };
    // Revoking ends the whole authorization: every token of that user for
    // this app. Unknown tokens are accepted silently (RFC 7009).
    sb.update(|st| {
        if let Some(record) = st
            .token(token)
            .filter(|r| r.kind.platform() == Platform::TikTok)
            .cloned()
        {
            st.revoke_where(Revocation::Revoked, |r| {
                r.kind.platform() == Platform::TikTok
                    && r.user == record.user
                    && r.client_id == record.client_id
            });
        }
    });
    axum::Json(json!({})).into_response()
}

// -------------------------------------------------------------- user info

pub(crate) fn api_error(sb: &Sandbox, status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "data": {},
            "error": {"code": code, "message": message, "log_id": log_id(sb.now())},
        })),
    )
        .into_response()
}

pub(crate) fn token_invalid(sb: &Sandbox) -> Response {
    api_error(
        sb,
        StatusCode::UNAUTHORIZED,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    )
}

pub(crate) fn scope_missing(sb: &Sandbox) -> Response {
    api_error(
        sb,
        StatusCode::UNAUTHORIZED,
        "scope_not_authorized",
        "The user did not authorize the scope required for completing this request.",
    )
}

async fn get_user_info(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("tiktok.user_info").await;
    match fault {
        Some(FaultKind::RateLimited) => {
            return api_error(
                &sb,
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                "API rate limit exceeded, please retry later.",
            );
        }
        Some(FaultKind::ServerError) => {
            return api_error(
                &sb,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Something went wrong. Please try again later.",
            );
        }
        Some(FaultKind::ExpiredToken | FaultKind::RevokedToken) => return token_invalid(&sb),
        Some(FaultKind::MissingPermission) => return scope_missing(&sb),
        Some(
            FaultKind::Slow { .. }
            | FaultKind::ResponseLost
            | FaultKind::ContentFiltered
            | FaultKind::AnswerFiltered
            | FaultKind::StreamCut
            | FaultKind::QuotaExhausted,
        )
        | None => {}
    }
    let now = sb.now();
    let app = sb.config().tiktok.client_id.clone();
    let window = sb.meters(|m| {
        m.record(
            &format!("tiktok:{app}:user_info"),
            now,
            SignedDuration::from_mins(1),
        )
    });
    if window.calls > u64::from(sb.config().limits.tiktok_user_info_per_minute) {
        return api_error(
            &sb,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "API rate limit exceeded, please retry later.",
        );
    }
    let Some(token) = bearer(&headers) else {
        return token_invalid(&sb);
    };
    let record = match sb.read(|st| st.check(&token, Platform::TikTok, now).cloned()) {
        Ok(r) if r.kind == TokenKind::TikTokAccess => r,
        _ => return token_invalid(&sb),
    };
    let params = Params::from_query(query.as_deref());
    let fields = split_scopes(params.get("fields").unwrap_or(""), &[',']);
    if fields.is_empty() {
        return api_error(
            &sb,
            StatusCode::BAD_REQUEST,
            "invalid_params",
            "fields is required.",
        );
    }
    let mut needed = Vec::new();
    for field in &fields {
        match USER_FIELDS.iter().find(|(name, _)| name == field) {
            Some((_, scope)) => needed.push(*scope),
            None => {
                return api_error(
                    &sb,
                    StatusCode::BAD_REQUEST,
                    "invalid_params",
                    &format!("Invalid field: {field}"),
                );
            }
        }
    }
    if needed
        .iter()
        .any(|scope| !record.scopes.iter().any(|s| s == scope))
    {
        return scope_missing(&sb);
    }
    let u = tiktok_user(&record.user, &record.client_id, &sb.config().public_base);
    // The counts grow day by day with the user's videos.
    let stats = needed
        .contains(&"user.info.stats")
        .then(|| sb.read(|st| crate::tiktok_insights::figures(&sb, st, &record.user, now)));
    let count = |pick: fn(&crate::tiktok_insights::TikTokFigures) -> i64| {
        json!(stats.as_ref().map_or(0, pick))
    };
    let mut user = serde_json::Map::new();
    for field in fields {
        let value = match field.as_str() {
            "open_id" => json!(u.open_id),
            "union_id" => json!(u.union_id),
            "avatar_url" => json!(u.avatar_url),
            "avatar_url_100" => json!(u.avatar_url_100),
            "avatar_large_url" => json!(u.avatar_large_url),
            "display_name" => json!(u.display_name),
            "bio_description" => json!(u.bio_description),
            "profile_deep_link" => json!(u.profile_deep_link),
            "is_verified" => json!(u.is_verified),
            "username" => json!(u.username),
            "follower_count" => count(|f| f.follower_count),
            "following_count" => count(|f| f.following_count),
            "likes_count" => count(|f| f.likes_count),
            _ => count(|f| f.video_count),
        };
        user.insert(field, value);
    }
    axum::Json(json!({
        "data": {"user": user},
        "error": {"code": "ok", "message": "", "log_id": log_id(now)},
    }))
    .into_response()
}
