//! Google OAuth 2.0 for web server and installed apps: the consent page,
//! the token endpoint (code with optional PKCE, refresh), revoke, tokeninfo
//! and the OpenID Connect userinfo endpoint.
//!
//! Models: access tokens of 3599 s; a refresh token only with
//! `access_type=offline` and only on the first consent of a user for the
//! client or with `prompt=consent`; refresh responses without
//! `refresh_token`; granular consent (the `scope` returned lists only what
//! was granted; `include_granted_scopes=true` adds earlier grants); a reused
//! code is refused and revokes what the first exchange issued; revoking any
//! token ends the whole grant.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{SCOPE_PREFIX, api_fault, insufficient_permissions, json_response};
use crate::consent::{self, ConsentPage, ErrorPage};
use crate::faults::FaultKind;
use crate::oauth::{
    Pkce, S256Encoding, check_redirect_uri, hmac_sha256, random_b64url, random_base62,
    redirect_origin, redirect_with,
};
use crate::params::{Params, bearer, split_scopes};
use crate::seed::google_user;
use crate::state::{CODE_LIFETIME, CodeProblem, CodeRecord, Revocation, TokenKind, TokenRecord};
use crate::{Platform, Sandbox};

pub(crate) const ACCESS_TOKEN_SECS: i64 = 3599;

const EMAIL: &str = "https://www.googleapis.com/auth/userinfo.email";
const PROFILE: &str = "https://www.googleapis.com/auth/userinfo.profile";
/// Sign-in scopes Google's granular consent never lets a person uncheck.
const REQUIRED: &[&str] = &["openid", EMAIL, PROFILE];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/accounts.google.com/o/oauth2/v2/auth",
            get(show_dialog).post(submit_dialog),
        )
        .route(
            "/accounts.google.com/o/oauth2/auth",
            get(show_dialog).post(submit_dialog),
        )
        .route(
            "/oauth2.googleapis.com/token",
            axum::routing::post(issue_token),
        )
        .route(
            "/oauth2.googleapis.com/revoke",
            get(revoke_grant).post(revoke_grant),
        )
        .route(
            "/oauth2.googleapis.com/tokeninfo",
            get(get_token_info).post(get_token_info),
        )
        .route(
            "/www.googleapis.com/oauth2/v3/userinfo",
            get(get_user_info).post(get_user_info),
        )
}

/// `email` / `profile` as Google reports them back.
fn normalize_scope(scope: &str) -> String {
    match scope {
        "email" => EMAIL.into(),
        "profile" => PROFILE.into(),
        other => other.into(),
    }
}

// ------------------------------------------------------------------ dialog

struct DialogRequest {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    pkce: Option<Pkce>,
    offline: bool,
    prompt_consent: bool,
    include_granted: bool,
}

fn error_page(sb: &Sandbox, error: &str, message: impl Into<String>) -> Response {
    let status = if error.starts_with("401") {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    consent::html(
        status,
        &ErrorPage {
            css: sb.url(crate::assets::CSS_PATH),
            title: "Sandbox · Sign in with Google".into(),
            platform: "google",
            heading: format!("Error {error}"),
            message: message.into(),
        },
    )
}

fn validate_dialog(sb: &Sandbox, params: &Params) -> Result<DialogRequest, Response> {
    let app = &sb.config().google;
    if params.non_empty("client_id") != Some(app.client_id.as_str()) {
        return Err(error_page(
            sb,
            "401: invalid_client",
            "The OAuth client was not found.",
        ));
    }
    let Some(redirect_uri) = params.non_empty("redirect_uri") else {
        return Err(error_page(
            sb,
            "400: invalid_request",
            "Missing required parameter: redirect_uri",
        ));
    };
    if let Err(why) = check_redirect_uri(redirect_uri) {
        return Err(error_page(sb, "400: redirect_uri_mismatch", why));
    }
    match params.get("response_type") {
        Some("code") => {}
        None | Some("") => {
            return Err(error_page(
                sb,
                "400: invalid_request",
                "Required parameter is missing: response_type",
            ));
        }
        Some(other) => {
            return Err(error_page(
                sb,
                "400: unsupported_response_type",
                format!("Invalid response_type: {other}"),
            ));
        }
    }
    let scopes: Vec<String> = split_scopes(params.get("scope").unwrap_or(""), &[' ', '+'])
        .iter()
        .map(|s| normalize_scope(s))
        .collect();
    if scopes.is_empty() {
        return Err(error_page(
            sb,
            "400: invalid_request",
            "Missing required parameter: scope",
        ));
    }
    let invalid: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| *s != "openid" && !s.starts_with(SCOPE_PREFIX))
        .collect();
    if !invalid.is_empty() {
        return Err(error_page(
            sb,
            "400: invalid_scope",
            format!(
                "Some requested scopes were invalid. {{invalid=[{}]}}",
                invalid.join(", ")
            ),
        ));
    }
    let offline = match params.get("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(other) => {
            return Err(error_page(
                sb,
                "400: invalid_request",
                format!("Invalid access_type: {other}"),
            ));
        }
    };
    let pkce = match params.non_empty("code_challenge") {
        None => None,
        Some(challenge) => {
            let method = params.get("code_challenge_method").unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(error_page(
                    sb,
                    "400: invalid_request",
                    "Invalid code_challenge_method value.",
                ));
            }
            Some(Pkce {
                challenge: challenge.to_owned(),
                method: method.to_owned(),
            })
        }
    };
    Ok(DialogRequest {
        client_id: app.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: params.get("state").map(str::to_owned),
        scopes,
        pkce,
        offline,
        prompt_consent: params
            .get("prompt")
            .is_some_and(|p| p.split(' ').any(|v| v == "consent")),
        include_granted: params.get("include_granted_scopes") == Some("true"),
    })
}

async fn show_dialog(State(sb): State<Sandbox>, RawQuery(query): RawQuery) -> Response {
    sb.count("google.oauth_dialog");
    let params = Params::from_query(query.as_deref());
    let request = match validate_dialog(&sb, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let page = ConsentPage {
        css: sb.url(crate::assets::CSS_PATH),
        title: "Sandbox · Sign in with Google".into(),
        product: "Google",
        platform: "google",
        app_name: "Herald (sandbox Google client)".into(),
        action: sb.url("/accounts.google.com/o/oauth2/v2/auth"),
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
    let fault = sb.hit("google.oauth_dialog").await;
    let params = Params::from_urlencoded(&body);
    let request = match validate_dialog(&sb, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let decision = consent::decision(&params, &request.scopes, REQUIRED);
    let mut query: Vec<(&str, &str)> = Vec::new();
    let code;
    let scope;
    let error = match fault {
        Some(FaultKind::RateLimited) => Some("temporarily_unavailable"),
        Some(FaultKind::ServerError) => Some("server_error"),
        Some(_) => Some("access_denied"),
        None if !decision.allow => Some("access_denied"),
        None => None,
    };
    if let Some(error) = error {
        query.push(("error", error));
        if let Some(state) = request.state.as_deref() {
            query.push(("state", state));
        }
    } else {
        code = format!("4/0{}", random_b64url(64));
        let now = sb.now();
        let granted = sb.update(|st| {
            let grant = st.grant_mut(Platform::Google, &request.client_id, &decision.user);
            for s in &decision.granted {
                if !grant.scopes.contains(s) {
                    grant.scopes.push(s.clone());
                }
            }
            let granted = if request.include_granted {
                grant.scopes.clone()
            } else {
                decision.granted.clone()
            };
            let issue_refresh =
                request.offline && (request.prompt_consent || !grant.refresh_issued);
            st.insert_code(
                code.clone(),
                CodeRecord {
                    platform: Platform::Google,
                    client_id: request.client_id.clone(),
                    redirect_uri: request.redirect_uri.clone(),
                    user: decision.user.clone(),
                    scopes: granted.clone(),
                    declined: decision.declined.clone(),
                    pkce: request.pkce.clone(),
                    expires_at: now + CODE_LIFETIME,
                    used: false,
                    grant: random_base62(16),
                    issue_refresh,
                },
            );
            granted
        });
        scope = granted.join(" ");
        if let Some(state) = request.state.as_deref() {
            query.push(("state", state));
        }
        query.push(("code", &code));
        query.push(("scope", &scope));
    }
    Redirect::to(&redirect_with(&request.redirect_uri, &query, None)).into_response()
}

// ------------------------------------------------------------ token endpoint

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        json!({"error": error, "error_description": description}),
    )
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn oauth_fault(fault: Option<FaultKind>, expired: &str) -> Option<Response> {
    Some(match fault? {
        FaultKind::RateLimited => oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "Rate limit exceeded. Try again later.",
        ),
        FaultKind::ServerError => oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is currently unavailable.",
        ),
        FaultKind::ExpiredToken | FaultKind::RevokedToken => invalid_grant(expired),
        FaultKind::MissingPermission => oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Unauthorized",
        ),
        FaultKind::Slow { .. }
        | FaultKind::ResponseLost
        | FaultKind::ContentFiltered
        | FaultKind::AnswerFiltered
        | FaultKind::StreamCut
        | FaultKind::QuotaExhausted => return None,
    })
}

/// Client credentials from the body or HTTP Basic.
fn client_credentials(headers: &HeaderMap, p: &Params) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            Some((id.to_owned(), secret.to_owned()))
        });
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            p.non_empty("client_id").map(str::to_owned),
            p.non_empty("client_secret").map(str::to_owned),
        ),
    }
}

async fn issue_token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sb.hit("google.token").await;
    if let Some(response) = oauth_fault(fault, "Token has been expired or revoked.") {
        return response;
    }
    let p = Params::from_request(None, &headers, &body);
    let app = &sb.config().google;
    let grant_type = p.get("grant_type").unwrap_or("");
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {grant_type}"),
        );
    }
    let (client_id, secret) = client_credentials(&headers, &p);
    if client_id.as_deref() != Some(app.client_id.as_str()) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    match secret {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_secret is missing.",
            );
        }
        Some(s) if s != app.client_secret => {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized");
        }
        Some(_) => {}
    }
    let result = if grant_type == "authorization_code" {
        redeem(&sb, &p)
    } else {
        refresh(&sb, &p)
    };
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(response) => response,
    }
}

fn new_access_token() -> String {
    format!("ya29.a0{}", random_b64url(150))
}

fn new_refresh_token() -> String {
    format!("1//0{}", random_b64url(76))
}

fn redeem(sb: &Sandbox, p: &Params) -> Result<Value, Response> {
    let Some(code) = p.non_empty("code") else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: code",
        ));
    };
    let redirect_uri = p.get("redirect_uri").unwrap_or("");
    let now = sb.now();
    let issued = sb.update(|st| {
        let record = match st.redeem_code(code, Platform::Google, now) {
            Ok(record) => record,
            Err(CodeProblem::Unknown) => return Err(invalid_grant("Malformed auth code.")),
            Err(CodeProblem::Expired) => return Err(invalid_grant("Bad Request")),
            Err(CodeProblem::Used { grant }) => {
                // A replayed code may mean it leaked: Google revokes what
                // the first exchange issued.
                st.revoke_where(Revocation::CodeReused, |r| r.grant == grant);
                return Err(invalid_grant("Bad Request"));
            }
        };
        if record.redirect_uri != redirect_uri {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "redirect_uri_mismatch",
                "Bad Request",
            ));
        }
        if let Some(pkce) = &record.pkce {
            match p.non_empty("code_verifier") {
                None => return Err(invalid_grant("Missing code verifier.")),
                Some(v) if !pkce.verifies(v, S256Encoding::Base64Url) => {
                    return Err(invalid_grant("Invalid code verifier."));
                }
                Some(_) => {}
            }
        }
        let access = new_access_token();
        let base = TokenRecord {
            kind: TokenKind::GoogleAccess,
            user: record.user.clone(),
            client_id: record.client_id.clone(),
            scopes: record.scopes.clone(),
            declined: Vec::new(),
            issued_at: now,
            expires_at: Some(now + SignedDuration::from_secs(ACCESS_TOKEN_SECS)),
            revoked: None,
            grant: record.grant.clone(),
            page_id: None,
            parent: None,
        };
        st.insert_token(access.clone(), base.clone());
        let refresh = record.issue_refresh.then(|| {
            let refresh = new_refresh_token();
            st.insert_token(
                refresh.clone(),
                TokenRecord {
                    kind: TokenKind::GoogleRefresh,
                    expires_at: None,
                    ..base.clone()
                },
            );
            st.grant_mut(Platform::Google, &record.client_id, &record.user)
                .refresh_issued = true;
            refresh
        });
        Ok((access, refresh, base))
    })?;
    let (access, refresh, record) = issued;
    Ok(token_body(sb, &access, refresh.as_deref(), &record, now))
}

fn refresh(sb: &Sandbox, p: &Params) -> Result<Value, Response> {
    let Some(refresh) = p.non_empty("refresh_token") else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: refresh_token",
        ));
    };
    let now = sb.now();
    let client_id = sb.config().google.client_id.clone();
    let issued = sb.update(|st| {
        let record = match st.token(refresh) {
            Some(r) if r.kind == TokenKind::GoogleRefresh && r.client_id == client_id => r.clone(),
            Some(_) | None => return Err(invalid_grant("Bad Request")),
        };
        if st.check(refresh, Platform::Google, now).is_err() {
            return Err(invalid_grant("Token has been expired or revoked."));
        }
        let access = new_access_token();
        let fresh = TokenRecord {
            kind: TokenKind::GoogleAccess,
            issued_at: now,
            expires_at: Some(now + SignedDuration::from_secs(ACCESS_TOKEN_SECS)),
            ..record
        };
        st.insert_token(access.clone(), fresh.clone());
        Ok((access, fresh))
    })?;
    let (access, record) = issued;
    Ok(token_body(sb, &access, None, &record, now))
}

fn token_body(
    sb: &Sandbox,
    access: &str,
    refresh: Option<&str>,
    record: &TokenRecord,
    now: Timestamp,
) -> Value {
    let mut body = json!({
        "access_token": access,
        "expires_in": ACCESS_TOKEN_SECS,
        "scope": record.scopes.join(" "),
        "token_type": "Bearer",
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    if record.scopes.iter().any(|s| s == "openid") {
        body["id_token"] = json!(id_token(sb, record, now));
    }
    body
}

/// An OpenID Connect ID token, signed HS256 with the client secret (the
/// sandbox has no Google signing keys).
fn id_token(sb: &Sandbox, record: &TokenRecord, now: Timestamp) -> String {
    let user = google_user(&record.user, &sb.config().public_base);
    let mut claims = json!({
        "iss": "https://accounts.google.com",
        "azp": record.client_id,
        "aud": record.client_id,
        "sub": user.sub,
        "iat": now.as_second(),
        "exp": now.as_second() + 3600,
    });
    if record.scopes.iter().any(|s| s == EMAIL) {
        claims["email"] = json!(user.email);
        claims["email_verified"] = json!(true);
    }
    if record.scopes.iter().any(|s| s == PROFILE) {
        claims["name"] = json!(user.name);
        claims["given_name"] = json!(user.given_name);
        claims["family_name"] = json!(user.family_name);
        claims["picture"] = json!(user.picture);
    }
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "sandbox"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = hmac_sha256(
        sb.config().google.client_secret.as_bytes(),
        signing_input.as_bytes(),
    );
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

// -------------------------------------------------------------------- revoke

async fn revoke_grant(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("google.revoke").await;
    let token_error = || {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Token expired or revoked",
        )
    };
    match fault {
        Some(FaultKind::ExpiredToken | FaultKind::RevokedToken) => return token_error(),
        other => {
            if let Some(response) = oauth_fault(other, "Token expired or revoked") {
                return response;
            }
        }
    }
    let p = Params::from_request(query.as_deref(), &headers, &body);
    let Some(token) = p.non_empty("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: token",
        );
    };
    let now = sb.now();
    let revoked = sb.update(|st| {
        let record = st.check(token, Platform::Google, now).ok()?.clone();
        st.revoke_where(Revocation::Revoked, |r| {
            r.kind.platform() == Platform::Google
                && r.user == record.user
                && r.client_id == record.client_id
        });
        // The next consent is a first consent again.
        *st.grant_mut(Platform::Google, &record.client_id, &record.user) = Default::default();
        Some(())
    });
    match revoked {
        Some(()) => json_response(StatusCode::OK, json!({})),
        None => token_error(),
    }
}

// ----------------------------------------------------------------- tokeninfo

async fn get_token_info(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = sb.hit("google.tokeninfo").await;
    let invalid = || oauth_error(StatusCode::BAD_REQUEST, "invalid_token", "Invalid Value");
    match fault {
        Some(FaultKind::ExpiredToken | FaultKind::RevokedToken) => return invalid(),
        other => {
            if let Some(response) = oauth_fault(other, "Invalid Value") {
                return response;
            }
        }
    }
    let p = Params::from_request(query.as_deref(), &headers, &body);
    let Some(token) = p
        .non_empty("access_token")
        .map(str::to_owned)
        .or_else(|| bearer(&headers))
    else {
        return invalid();
    };
    let now = sb.now();
    let Some((record, offline)) = sb.read(|st| {
        let record = st.check(&token, Platform::Google, now).ok()?.clone();
        if record.kind != TokenKind::GoogleAccess {
            return None;
        }
        let offline = st
            .grant(Platform::Google, &record.client_id, &record.user)
            .is_some_and(|g| g.refresh_issued);
        Some((record, offline))
    }) else {
        return invalid();
    };
    let user = google_user(&record.user, &sb.config().public_base);
    let exp = record.expires_at.unwrap_or(now);
    let mut body = json!({
        "azp": record.client_id,
        "aud": record.client_id,
        "sub": user.sub,
        "scope": record.scopes.join(" "),
        "exp": exp.as_second().to_string(),
        "expires_in": (exp.as_second() - now.as_second()).max(0).to_string(),
        "access_type": if offline { "offline" } else { "online" },
    });
    if record.scopes.iter().any(|s| s == EMAIL) {
        body["email"] = json!(user.email);
        body["email_verified"] = json!("true");
    }
    json_response(StatusCode::OK, body)
}

// ------------------------------------------------------------------ userinfo

async fn get_user_info(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("google.userinfo").await;
    let invalid = || {
        let mut r = oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request",
            "Invalid Credentials",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static(
                r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#,
            ),
        );
        r
    };
    match fault {
        Some(FaultKind::ExpiredToken | FaultKind::RevokedToken) => return invalid(),
        other => {
            if let Some(response) = api_fault(other, false) {
                return response;
            }
        }
    }
    let params = Params::from_query(query.as_deref());
    let Some(token) =
        bearer(&headers).or_else(|| params.non_empty("access_token").map(str::to_owned))
    else {
        return invalid();
    };
    let now = sb.now();
    let record = match sb.read(|st| st.check(&token, Platform::Google, now).cloned()) {
        Ok(r) if r.kind == TokenKind::GoogleAccess => r,
        _ => return invalid(),
    };
    let has = |s: &str| record.scopes.iter().any(|g| g == s);
    if !has("openid") && !has(EMAIL) && !has(PROFILE) {
        return insufficient_permissions();
    }
    let user = google_user(&record.user, &sb.config().public_base);
    let mut body = json!({"sub": user.sub});
    if has(PROFILE) {
        body["name"] = json!(user.name);
        body["given_name"] = json!(user.given_name);
        body["family_name"] = json!(user.family_name);
        body["picture"] = json!(user.picture);
    }
    if has(EMAIL) {
        body["email"] = json!(user.email);
        body["email_verified"] = json!(true);
    }
    json_response(StatusCode::OK, body)
}
