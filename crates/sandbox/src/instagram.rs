//! Instagram API with Instagram Login (Business Login for Instagram): the
//! authorize dialog on www.instagram.com (redirect with `#_` appended), the
//! code exchange on api.instagram.com (form body, the documented
//! `{"data":[{access_token,user_id,permissions}]}` shape, legacy
//! `{error_type,code,error_message}` errors), `ig_exchange_token` and
//! `ig_refresh_token` on graph.instagram.com, and `/me`.
//!
//! Tokens: short 1 h, long 5183944 s; a long token can be refreshed once it
//! is at least 24 h old and unexpired (the old one stays valid until its own
//! expiry). The account is the sandbox user's first (Bakery) Instagram
//! account, the same `17841…` id Facebook Login links to the Bakery Page.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::consent::{self, ConsentPage, ErrorPage};
use crate::faults::FaultKind;
use crate::graph::{Budget, GraphCall, GraphError, check_version, requested_fields, select};
use crate::meta::{LONG_LIVED_SECS, SHORT_LIVED_SECS};
use crate::oauth::{
    check_redirect_uri, random_b64url, random_base62, redirect_origin, redirect_with,
};
use crate::params::{Params, split_scopes};
use crate::seed::instagram_account;
use crate::state::{CODE_LIFETIME, CodeProblem, CodeRecord, TokenKind, TokenRecord};
use crate::{Platform, Sandbox};

const KNOWN_SCOPES: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_messages",
    "instagram_business_manage_comments",
    "instagram_business_manage_insights",
];

const REQUIRED: &[&str] = &["instagram_business_basic"];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/www.instagram.com/oauth/authorize",
            get(show_dialog).post(submit_dialog),
        )
        .route(
            "/api.instagram.com/oauth/authorize",
            get(show_dialog).post(submit_dialog),
        )
        .route("/api.instagram.com/oauth/access_token", post(exchange_code))
        .route("/graph.instagram.com/access_token", get(exchange_token))
        .route(
            "/graph.instagram.com/refresh_access_token",
            get(refresh_token),
        )
        .route("/graph.instagram.com/me", get(get_me_unversioned))
        .route("/graph.instagram.com/{ver}/me", get(get_me))
}

// ------------------------------------------------------------------ dialog

struct DialogRequest {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
}

fn error_page(sb: &Sandbox, message: impl Into<String>) -> Response {
    consent::html(
        StatusCode::BAD_REQUEST,
        &ErrorPage {
            css: sb.url(crate::assets::CSS_PATH),
            title: "Sandbox · Instagram Login".into(),
            platform: "instagram",
            heading: "Invalid Request".into(),
            message: format!("Request parameters are invalid: {}", message.into()),
        },
    )
}

fn validate_dialog(sb: &Sandbox, params: &Params) -> Result<DialogRequest, Response> {
    let app = &sb.config().instagram;
    if params.non_empty("client_id") != Some(app.client_id.as_str()) {
        return Err(error_page(sb, "Invalid platform app"));
    }
    let Some(redirect_uri) = params.non_empty("redirect_uri") else {
        return Err(error_page(sb, "Missing required parameter 'redirect_uri'"));
    };
    if let Err(why) = check_redirect_uri(redirect_uri) {
        return Err(error_page(sb, format!("Invalid redirect_uri: {why}")));
    }
    if params.get("response_type") != Some("code") {
        return Err(error_page(sb, "response_type must be 'code'"));
    }
    let mut scopes = split_scopes(params.get("scope").unwrap_or(""), &[',', ' ']);
    let invalid: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !KNOWN_SCOPES.contains(s))
        .collect();
    if !invalid.is_empty() {
        return Err(error_page(
            sb,
            format!("Invalid Scopes: {}", invalid.join(", ")),
        ));
    }
    if !scopes.iter().any(|s| s == "instagram_business_basic") {
        scopes.insert(0, "instagram_business_basic".into());
    }
    Ok(DialogRequest {
        client_id: app.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: params.get("state").map(str::to_owned),
        scopes,
    })
}

async fn show_dialog(State(sb): State<Sandbox>, RawQuery(query): RawQuery) -> Response {
    sb.count("instagram.oauth_dialog");
    let params = Params::from_query(query.as_deref());
    let request = match validate_dialog(&sb, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let page = ConsentPage {
        css: sb.url(crate::assets::CSS_PATH),
        title: "Sandbox · Instagram Login".into(),
        product: "Instagram",
        platform: "instagram",
        app_name: "Herald (sandbox Instagram app)".into(),
        action: sb.url("/www.instagram.com/oauth/authorize"),
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
    let fault = sb.hit("instagram.oauth_dialog").await;
    let params = Params::from_urlencoded(&body);
    let request = match validate_dialog(&sb, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let decision = consent::decision(&params, &request.scopes, REQUIRED);
    let mut query: Vec<(&str, &str)> = Vec::new();
    let mut fragment = None;
    let code = format!("AQ{}", random_b64url(144));
    match fault {
        Some(FaultKind::RateLimited | FaultKind::ServerError) => {
            query.extend([
                ("error", "server_error"),
                ("error_code", "2"),
                (
                    "error_description",
                    "An unexpected error has occurred. Please retry your request later.",
                ),
                ("error_reason", "server_error"),
            ]);
        }
        Some(_) => query.extend(denial()),
        None if !decision.allow => query.extend(denial()),
        None => {
            let record = CodeRecord {
                platform: Platform::Instagram,
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                user: decision.user.clone(),
                scopes: decision.granted.clone(),
                declined: decision.declined.clone(),
                pkce: None,
                expires_at: sb.now() + CODE_LIFETIME,
                used: false,
                grant: random_base62(16),
                issue_refresh: false,
            };
            sb.update(|st| st.insert_code(code.clone(), record));
            query.push(("code", &code));
            fragment = Some("_");
        }
    }
    if let Some(state) = request.state.as_deref() {
        query.push(("state", state));
    }
    Redirect::to(&redirect_with(&request.redirect_uri, &query, fragment)).into_response()
}

fn denial() -> [(&'static str, &'static str); 4] {
    [
        ("error", "access_denied"),
        ("error_code", "200"),
        ("error_description", "Permissions error"),
        ("error_reason", "user_denied"),
    ]
}

// ------------------------------------------------------------- code → token

/// api.instagram.com's legacy error shape.
fn oauth_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error_type": error_type,
            "code": status.as_u16(),
            "error_message": message,
        })),
    )
        .into_response()
}

fn bad_request(message: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "OAuthException", message)
}

async fn exchange_code(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sb.hit("instagram.access_token").await;
    let p = Params::from_request(None, &headers, &body);
    match fault {
        Some(FaultKind::RateLimited) => {
            return oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "OAuthRateLimitException",
                "The maximum number of requests has been exceeded. Please try again later.",
            );
        }
        Some(FaultKind::ServerError) => {
            return oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "OAuthException",
                "An unknown error has occurred.",
            );
        }
        Some(FaultKind::ExpiredToken) => return bad_request("Invalid authorization code"),
        Some(FaultKind::RevokedToken) => {
            return bad_request("This authorization code has been used");
        }
        Some(FaultKind::MissingPermission) => return bad_request("Insufficient developer role"),
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
    let app = &sb.config().instagram;
    if p.non_empty("client_id") != Some(app.client_id.as_str()) {
        return bad_request("Invalid platform app");
    }
    if p.non_empty("client_secret") != Some(app.client_secret.as_str()) {
        return bad_request("Error validating client secret.");
    }
    if p.get("grant_type") != Some("authorization_code") {
        return bad_request("Invalid grant_type: only authorization_code is supported");
    }
    let Some(redirect_uri) = p.non_empty("redirect_uri") else {
        return bad_request("You must provide a redirect_uri");
    };
    // Clients must strip Instagram's `#_`; a code that still carries it is
    // not a code Instagram issued.
    let Some(code) = p.non_empty("code") else {
        return bad_request("You must provide a code");
    };
    let now = sb.now();
    let base = sb.config().public_base.clone();
    let result = sb.update(|st| {
        let record = st
            .redeem_code(code, Platform::Instagram, now)
            .map_err(|problem| match problem {
                CodeProblem::Used { .. } => "This authorization code has been used",
                CodeProblem::Unknown | CodeProblem::Expired => "Invalid authorization code",
            })?;
        if record.redirect_uri != redirect_uri || record.client_id != app.client_id {
            return Err("Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request");
        }
        let token = new_token();
        let account = instagram_account(&record.user, &base);
        let permissions = record.scopes.join(",");
        st.insert_token(
            token.clone(),
            TokenRecord {
                kind: TokenKind::IgShort,
                user: record.user,
                client_id: record.client_id,
                scopes: record.scopes,
                declined: record.declined,
                issued_at: now,
                expires_at: Some(now + SignedDuration::from_secs(SHORT_LIVED_SECS)),
                revoked: None,
                grant: record.grant,
                page_id: None,
                parent: None,
            },
        );
        Ok(json!({"data": [{
            "access_token": token,
            "user_id": account.app_scoped_id,
            "permissions": permissions,
        }]}))
    });
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(message) => bad_request(message),
    }
}

fn new_token() -> String {
    format!("IGAA{}", random_base62(180))
}

// ------------------------------------------------- exchange and refresh

async fn exchange_token(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().instagram.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "instagram.exchange",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = exchange(&sb, &mut call);
    call.finish(result)
}

fn exchange(sb: &Sandbox, call: &mut GraphCall) -> Result<Value, GraphError> {
    call.fault(sb, Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    if call.params.get("grant_type") != Some("ig_exchange_token") {
        return Err(GraphError::param(
            "Unsupported grant_type, expected ig_exchange_token",
        ));
    }
    if call.params.non_empty("client_secret") != Some(sb.config().instagram.client_secret.as_str())
    {
        return Err(GraphError::new(1, "Error validating client secret."));
    }
    let token = call.token.clone().ok_or_else(GraphError::no_token)?;
    let now = sb.now();
    let app_id = call.app_id.clone();
    sb.update(|st| {
        let record = st
            .check(&token, Platform::Instagram, now)
            .map_err(|problem| GraphError::from_problem(problem, &app_id, now))?
            .clone();
        if record.kind == TokenKind::IgLong {
            let left = record
                .expires_at
                .map_or(0, |at| at.as_second() - now.as_second());
            return Ok(json!({"access_token": token, "token_type": "bearer", "expires_in": left}));
        }
        let long = new_token();
        st.insert_token(
            long.clone(),
            TokenRecord {
                kind: TokenKind::IgLong,
                issued_at: now,
                expires_at: Some(now + SignedDuration::from_secs(LONG_LIVED_SECS)),
                ..record
            },
        );
        Ok(json!({"access_token": long, "token_type": "bearer", "expires_in": LONG_LIVED_SECS}))
    })
}

async fn refresh_token(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().instagram.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "instagram.refresh",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = refresh(&sb, &mut call);
    call.finish(result)
}

fn refresh(sb: &Sandbox, call: &mut GraphCall) -> Result<Value, GraphError> {
    call.fault(sb, Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    if call.params.get("grant_type") != Some("ig_refresh_token") {
        return Err(GraphError::param(
            "Unsupported grant_type, expected ig_refresh_token",
        ));
    }
    let token = call.token.clone().ok_or_else(GraphError::no_token)?;
    let now = sb.now();
    let app_id = call.app_id.clone();
    sb.update(|st| {
        let record = st
            .check(&token, Platform::Instagram, now)
            .map_err(|problem| GraphError::from_problem(problem, &app_id, now))?
            .clone();
        if record.kind != TokenKind::IgLong {
            return Err(GraphError::param(
                "Only long-lived tokens can be refreshed; exchange the short-lived token first.",
            ));
        }
        if now.duration_since(record.issued_at) < SignedDuration::from_hours(24) {
            return Err(GraphError::param(
                "The access token must be at least 24 hours old to be refreshed.",
            ));
        }
        let fresh = new_token();
        st.insert_token(
            fresh.clone(),
            TokenRecord {
                issued_at: now,
                expires_at: Some(now + SignedDuration::from_secs(LONG_LIVED_SECS)),
                ..record
            },
        );
        Ok(json!({"access_token": fresh, "token_type": "bearer", "expires_in": LONG_LIVED_SECS}))
    })
}

// -------------------------------------------------------------------- /me

const ME_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "username",
    "name",
    "account_type",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "website",
];

async fn get_me_unversioned(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    me_response(sb, None, query, headers).await
}

async fn get_me(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    me_response(sb, Some(ver), query, headers).await
}

async fn me_response(
    sb: Sandbox,
    ver: Option<String>,
    query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().instagram.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "instagram.me",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = me(&sb, &mut call, ver.as_deref());
    call.finish(result)
}

fn me(sb: &Sandbox, call: &mut GraphCall, ver: Option<&str>) -> Result<Value, GraphError> {
    if let Some(ver) = ver {
        check_version(ver)?;
    }
    let token = call.token.clone().ok_or_else(GraphError::no_token_for_me)?;
    let now = sb.now();
    let record = sb
        .read(|st| st.check(&token, Platform::Instagram, now).cloned())
        .map_err(|problem| GraphError::from_problem(problem, &call.app_id, now))?;
    let account = crate::meta::insights::live_ig(
        sb,
        instagram_account(&record.user, &sb.config().public_base),
    );
    call.fault(
        sb,
        Budget::Instagram(&account.id),
        GraphError::no_permission,
    )?;
    call.check_app_budget()?;
    call.charge_object(sb, Budget::Instagram(&account.id))?;
    let fields = requested_fields(&call.params, &["id"], ME_FIELDS, "User")?;
    Ok(select(&fields, |f| match f.name.as_str() {
        "id" => Some(json!(account.app_scoped_id)),
        "user_id" => Some(json!(account.id)),
        "username" => Some(json!(account.username)),
        "name" => Some(json!(account.name)),
        "account_type" => Some(json!("BUSINESS")),
        "profile_picture_url" => Some(json!(account.profile_picture_url)),
        "followers_count" => Some(json!(account.followers_count)),
        "follows_count" => Some(json!(account.follows_count)),
        "media_count" => Some(json!(account.media_count)),
        "biography" => Some(json!(account.biography)),
        "website" => Some(json!(account.website)),
        _ => None,
    }))
}
