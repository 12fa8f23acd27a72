//! Facebook Login and the Graph API on graph.facebook.com: the login
//! dialog, code and `fb_exchange_token` exchanges, `/me`, `/me/accounts`
//! (Pages with Page tokens and linked Instagram business accounts),
//! `/me/permissions` (GET, and DELETE = the person removes the app), Page and
//! Instagram business account reads, and `debug_token`.
//!
//! Models: short user tokens (1 h) that exchange once for long ones
//! (5183944 s, no refresh), Page tokens that never expire when derived from
//! a long token, scope checks, `appsecret_proof` verification when sent, and
//! the usage headers / throttling of [`crate::graph`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jiff::SignedDuration;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::consent::{self, ConsentPage, ErrorPage, PageRow};
use crate::faults::FaultKind;
use crate::graph::{Budget, GraphCall, GraphError, check_version, requested_fields, select};
use crate::oauth::{
    Pkce, S256Encoding, check_redirect_uri, hex, random_b64url, random_base62, redirect_origin,
    redirect_with,
};
use crate::params::{GraphField, Params, split_scopes};
use crate::seed::{IgAccount, MetaPage, MetaUser, meta_user};
use crate::state::{CODE_LIFETIME, CodeProblem, CodeRecord, TokenKind, TokenRecord};
use crate::{Platform, Sandbox};

pub(crate) const SHORT_LIVED_SECS: i64 = 3600;
pub(crate) const LONG_LIVED_SECS: i64 = 5_183_944;

/// Permissions the dialog accepts.
const KNOWN_SCOPES: &[&str] = &[
    "public_profile",
    "email",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_manage_metadata",
    "pages_read_user_content",
    "pages_messaging",
    "read_insights",
    "business_management",
    "publish_video",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_insights",
    "instagram_manage_comments",
    "instagram_manage_messages",
    "ads_management",
    "ads_read",
];

/// What a `config_id` without `scope` grants (a typical Facebook Login for
/// Business configuration for publishing).
const CONFIG_SCOPES: &[&str] = &[
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "business_management",
    "instagram_basic",
    "instagram_content_publish",
];

const TASKS: &[&str] = &[
    "ADVERTISE",
    "ANALYZE",
    "CREATE_CONTENT",
    "MESSAGING",
    "MODERATE",
    "MANAGE",
];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/www.facebook.com/{ver}/dialog/oauth",
            get(show_dialog).post(submit_dialog),
        )
        .route(
            "/graph.facebook.com/{ver}/oauth/access_token",
            get(exchange_code).post(exchange_code),
        )
        .route("/graph.facebook.com/{ver}/me", get(get_me))
        .route("/graph.facebook.com/{ver}/me/accounts", get(list_accounts))
        .route(
            "/graph.facebook.com/{ver}/me/permissions",
            get(list_permissions).delete(delete_permissions),
        )
        .route("/graph.facebook.com/{ver}/debug_token", get(debug_token))
        .route("/graph.facebook.com/{ver}/{id}", get(get_object))
}

// ------------------------------------------------------------------ dialog

struct DialogRequest {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    pkce: Option<Pkce>,
}

fn error_page(sb: &Sandbox, heading: &str, message: impl Into<String>) -> Response {
    consent::html(
        StatusCode::BAD_REQUEST,
        &ErrorPage {
            css: sb.url(crate::assets::CSS_PATH),
            title: "Sandbox · Facebook Login".into(),
            platform: "meta",
            heading: heading.into(),
            message: message.into(),
        },
    )
}

fn validate_dialog(sb: &Sandbox, ver: &str, params: &Params) -> Result<DialogRequest, Response> {
    if check_version(ver).is_err() {
        return Err(error_page(
            sb,
            "Page not found",
            format!("Unknown Graph API version {ver:?}."),
        ));
    }
    let app = &sb.config().meta;
    match params.non_empty("client_id") {
        Some(id) if id == app.client_id => {}
        _ => {
            return Err(error_page(
                sb,
                "Invalid App ID",
                "The provided app ID does not look like a valid app ID.",
            ));
        }
    }
    let Some(redirect_uri) = params.non_empty("redirect_uri") else {
        return Err(error_page(
            sb,
            "Can't load URL",
            "The parameter redirect_uri is required.",
        ));
    };
    if let Err(why) = check_redirect_uri(redirect_uri) {
        return Err(error_page(
            sb,
            "URL blocked",
            format!("This redirect failed because the redirect URI is not allowed: {why}."),
        ));
    }
    if let Some(rt) = params.get("response_type")
        && rt != "code"
    {
        return Err(error_page(
            sb,
            "Unsupported response_type",
            format!("The sandbox supports response_type=code only, not {rt:?}."),
        ));
    }
    let mut scopes = match params.non_empty("scope") {
        Some(raw) => split_scopes(raw, &[',', ' ']),
        None if params.non_empty("config_id").is_some() => {
            CONFIG_SCOPES.iter().map(|s| (*s).to_owned()).collect()
        }
        None => Vec::new(),
    };
    let invalid: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| !KNOWN_SCOPES.contains(s))
        .collect();
    if !invalid.is_empty() {
        return Err(error_page(
            sb,
            "Invalid Scopes",
            format!(
                "Invalid Scopes: {}. This message is only shown to developers. Please read the documentation for valid permissions at: https://developers.facebook.com/docs/facebook-login/permissions",
                invalid.join(", ")
            ),
        ));
    }
    if !scopes.iter().any(|s| s == "public_profile") {
        scopes.insert(0, "public_profile".into());
    }
    let pkce = match (
        params.non_empty("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, _) => None,
        (Some(challenge), method) => {
            let method = method.unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(error_page(
                    sb,
                    "Invalid code_challenge_method",
                    "code_challenge_method must be S256 or plain.",
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
    })
}

async fn show_dialog(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    sb.count("meta.oauth_dialog");
    let params = Params::from_query(query.as_deref());
    let request = match validate_dialog(&sb, &ver, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let user = consent::shown_user(&params);
    let seeded = meta_user(&user, &sb.config().public_base);
    let page = ConsentPage {
        css: sb.url(crate::assets::CSS_PATH),
        title: "Sandbox · Facebook Login".into(),
        product: "Facebook",
        platform: "meta",
        app_name: "Herald (sandbox Facebook app)".into(),
        action: sb.url(&format!("/www.facebook.com/{ver}/dialog/oauth")),
        redirect_origin: redirect_origin(&request.redirect_uri),
        hidden: consent::hidden_params(&params),
        user,
        scopes: consent::scope_rows(&request.scopes, &["public_profile"]),
        pages: seeded
            .pages
            .iter()
            .map(|p| PageRow {
                slot: p.slot,
                name: p.name.clone(),
                detail: format!("Page {} · Instagram @{}", p.id, p.ig.username),
            })
            .collect(),
        switch_user: true,
    };
    consent::html(StatusCode::OK, &page)
}

async fn submit_dialog(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    body: Bytes,
) -> Response {
    let fault = sb.hit("meta.oauth_dialog").await;
    let params = Params::from_urlencoded(&body);
    let request = match validate_dialog(&sb, &ver, &params) {
        Ok(r) => r,
        Err(page) => return page,
    };
    let decision = consent::decision(&params, &request.scopes, &["public_profile"]);
    let state = request.state.as_deref();
    let redirect = match fault {
        Some(FaultKind::RateLimited) => dialog_error(
            &request.redirect_uri,
            "4",
            "Application request limit reached",
            state,
        ),
        Some(FaultKind::ServerError) => dialog_error(
            &request.redirect_uri,
            "2",
            "An unexpected error has occurred. Please retry your request later.",
            state,
        ),
        Some(_) => denied(&request.redirect_uri, state),
        None if !decision.allow => denied(&request.redirect_uri, state),
        None => {
            let code = format!("AQ{}", random_b64url(144));
            let record = CodeRecord {
                platform: Platform::Meta,
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                user: decision.user.clone(),
                scopes: decision.granted.clone(),
                declined: decision.declined.clone(),
                pkce: request.pkce.clone(),
                expires_at: sb.now() + CODE_LIFETIME,
                used: false,
                grant: random_base62(16),
                issue_refresh: false,
            };
            let pages: Vec<usize> = decision.pages.iter().copied().filter(|s| *s < 2).collect();
            sb.update(|st| {
                st.grant_mut(Platform::Meta, &request.client_id, &decision.user)
                    .pages = pages;
                st.insert_code(code.clone(), record);
            });
            let mut query = vec![("code", code.as_str())];
            if let Some(state) = state {
                query.push(("state", state));
            }
            redirect_with(&request.redirect_uri, &query, None)
        }
    };
    Redirect::to(&redirect).into_response()
}

fn denied(redirect_uri: &str, state: Option<&str>) -> String {
    let mut query = vec![
        ("error", "access_denied"),
        ("error_code", "200"),
        ("error_description", "Permissions error"),
        ("error_reason", "user_denied"),
    ];
    if let Some(state) = state {
        query.push(("state", state));
    }
    redirect_with(redirect_uri, &query, None)
}

fn dialog_error(redirect_uri: &str, code: &str, description: &str, state: Option<&str>) -> String {
    let mut query = vec![
        ("error", "server_error"),
        ("error_code", code),
        ("error_description", description),
        ("error_reason", "server_error"),
    ];
    if let Some(state) = state {
        query.push(("state", state));
    }
    redirect_with(redirect_uri, &query, None)
}

// ------------------------------------------------------------ token endpoint

async fn exchange_code(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.access_token",
        &app_id,
        query.as_deref(),
        &headers,
        &body,
    )
    .await;
    let result = exchange(&sb, &mut call, &ver);
    call.finish(result)
}

fn exchange(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    let p = call.params.clone();
    let grant_type = p.get("grant_type").unwrap_or("authorization_code");
    let code_flow = grant_type == "authorization_code";
    match (call.fault, code_flow) {
        (Some(FaultKind::ExpiredToken), true) => {
            return Err(GraphError::param("This authorization code has expired.").subcode(36007));
        }
        (Some(FaultKind::RevokedToken), true) => {
            return Err(GraphError::param("This authorization code has been used.").subcode(36009));
        }
        _ => call.fault(sb, Budget::App, || {
            GraphError::new(200, "(#200) Permissions error")
        })?,
    }
    call.check_app_budget()?;
    let app = &sb.config().meta;
    let Some(client_id) = p.non_empty("client_id") else {
        return Err(GraphError::new(101, "Missing client_id parameter."));
    };
    if client_id != app.client_id {
        return Err(GraphError::new(
            101,
            "Error validating application. Invalid application ID.",
        ));
    }
    match p.non_empty("client_secret") {
        Some(secret) if secret == app.client_secret => {}
        Some(_) => return Err(GraphError::new(1, "Error validating client secret.")),
        None => return Err(GraphError::new(1, "Missing client_secret parameter.")),
    }
    let now = sb.now();
    match grant_type {
        "client_credentials" => Ok(json!({
            "access_token": format!("{}|{}", app.client_id, app.client_secret),
            "token_type": "bearer",
        })),
        "fb_exchange_token" => {
            let Some(short) = p.non_empty("fb_exchange_token") else {
                return Err(GraphError::param("Missing fb_exchange_token parameter."));
            };
            sb.update(|st| {
                let record = st
                    .check(short, Platform::Meta, now)
                    .map_err(|problem| GraphError::from_problem(problem, &app.client_id, now))?
                    .clone();
                match record.kind {
                    TokenKind::MetaLong => Ok(json!({
                        "access_token": short,
                        "token_type": "bearer",
                        "expires_in": record.expires_at.map(|at| at.as_second() - now.as_second()).unwrap_or(0),
                    })),
                    TokenKind::MetaShort => {
                        let token = new_token();
                        st.insert_token(
                            token.clone(),
                            TokenRecord {
                                kind: TokenKind::MetaLong,
                                issued_at: now,
                                expires_at: Some(now + SignedDuration::from_secs(LONG_LIVED_SECS)),
                                ..record
                            },
                        );
                        Ok(json!({
                            "access_token": token,
                            "token_type": "bearer",
                            "expires_in": LONG_LIVED_SECS,
                        }))
                    }
                    _ => Err(GraphError::param(
                        "fb_exchange_token must be a user access token.",
                    )),
                }
            })
        }
        "authorization_code" => {
            let Some(redirect_uri) = p.get("redirect_uri") else {
                return Err(GraphError::new(191, "Missing redirect_uri parameter."));
            };
            let Some(code) = p.non_empty("code") else {
                return Err(GraphError::param("Missing authorization code"));
            };
            sb.update(|st| {
                let record = st
                    .redeem_code(code, Platform::Meta, now)
                    .map_err(|problem| match problem {
                        CodeProblem::Unknown => GraphError::param("Invalid verification code format."),
                        CodeProblem::Expired => {
                            GraphError::param("This authorization code has expired.").subcode(36007)
                        }
                        CodeProblem::Used { .. } => {
                            GraphError::param("This authorization code has been used.").subcode(36009)
                        }
                    })?;
                if record.client_id != client_id || record.redirect_uri != redirect_uri {
                    return Err(GraphError::param(
                        "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
                    )
                    .subcode(36008));
                }
                if let Some(pkce) = &record.pkce {
                    let verified = p
                        .non_empty("code_verifier")
                        .is_some_and(|v| pkce.verifies(v, S256Encoding::Base64Url));
                    if !verified {
                        return Err(GraphError::param("Invalid code verifier."));
                    }
                }
                let token = new_token();
                st.insert_token(
                    token.clone(),
                    TokenRecord {
                        kind: TokenKind::MetaShort,
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
                Ok(json!({
                    "access_token": token,
                    "token_type": "bearer",
                    "expires_in": SHORT_LIVED_SECS,
                }))
            })
        }
        other => Err(GraphError::param(format!(
            "Unsupported grant_type: {other}"
        ))),
    }
}

fn new_token() -> String {
    format!("EAAG{}", random_base62(160))
}

// ----------------------------------------------------------- token checks

/// The caller's token record, or the Graph error for a missing, malformed,
/// expired or revoked token. App tokens (`id|secret`) count as missing.
fn caller(
    sb: &Sandbox,
    call: &GraphCall,
    missing: fn() -> GraphError,
) -> Result<(String, TokenRecord), GraphError> {
    let Some(token) = call.token.clone().filter(|t| !t.contains('|')) else {
        return Err(missing());
    };
    let app = &sb.config().meta;
    if let Some(proof) = call.params.get("appsecret_proof")
        && proof != appsecret_proof(&app.client_secret, &token)
    {
        return Err(GraphError::param(
            "Invalid appsecret_proof provided in the API argument",
        ));
    }
    let now = sb.now();
    let record = sb
        .read(|st| st.check(&token, Platform::Meta, now).cloned())
        .map_err(|problem| GraphError::from_problem(problem, &app.client_id, now))?;
    Ok((token, record))
}

/// `hex(HMAC-SHA256(key = app secret, message = token))`.
pub(crate) fn appsecret_proof(secret: &str, token: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(token.as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn has_scope(record: &TokenRecord, scope: &str) -> bool {
    record.scopes.iter().any(|s| s == scope)
}

/// The Pages the person kept for this app (slot order).
fn granted_pages(sb: &Sandbox, record: &TokenRecord) -> Vec<MetaPage> {
    let slots = sb.read(|st| {
        st.grant(Platform::Meta, &record.client_id, &record.user)
            .map(|g| g.pages.clone())
            .unwrap_or_default()
    });
    let user = meta_user(&record.user, &sb.config().public_base);
    user.pages
        .into_iter()
        .filter(|p| slots.contains(&p.slot))
        .collect()
}

// ---------------------------------------------------------------- /me

const USER_FIELDS: &[&str] = &[
    "id",
    "name",
    "first_name",
    "last_name",
    "short_name",
    "email",
    "picture",
];
const PAGE_FIELDS: &[&str] = &[
    "id",
    "name",
    "access_token",
    "category",
    "category_list",
    "tasks",
    "instagram_business_account",
    "picture",
    "fan_count",
    "followers_count",
    "link",
    "username",
    "about",
];
const IG_FIELDS: &[&str] = &[
    "id",
    "ig_id",
    "username",
    "name",
    "biography",
    "website",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
];

fn picture(url: &str) -> Value {
    json!({"data": {"height": 50, "is_silhouette": false, "url": url, "width": 50}})
}

fn user_json(user: &MetaUser, record: &TokenRecord, fields: &[GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(user.id)),
        "name" => Some(json!(user.name)),
        "first_name" => Some(json!(user.first_name)),
        "last_name" => Some(json!(user.last_name)),
        "short_name" => Some(json!(user.first_name)),
        "email" => has_scope(record, "email").then(|| json!(user.email)),
        "picture" => Some(picture(&user.picture)),
        _ => None,
    })
}

fn ig_json(ig: &IgAccount, fields: &[GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(ig.id)),
        "ig_id" => Some(json!(ig.ig_id)),
        "username" => Some(json!(ig.username)),
        "name" => Some(json!(ig.name)),
        "biography" => Some(json!(ig.biography)),
        "website" => Some(json!(ig.website)),
        "profile_picture_url" => Some(json!(ig.profile_picture_url)),
        "followers_count" => Some(json!(ig.followers_count)),
        "follows_count" => Some(json!(ig.follows_count)),
        "media_count" => Some(json!(ig.media_count)),
        _ => None,
    })
}

/// A Page as Graph shows it. `page_token` is filled in for `access_token`
/// only when the caller holds a user token.
fn page_json(page: &MetaPage, fields: &[GraphField], page_token: Option<&str>) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(page.id)),
        "name" => Some(json!(page.name)),
        "access_token" => page_token.map(|t| json!(t)),
        "category" => Some(json!(page.category)),
        "category_list" => Some(json!([{"id": page.category_id, "name": page.category}])),
        "tasks" => Some(json!(TASKS)),
        "instagram_business_account" => {
            let sub = f.sub.clone().unwrap_or_else(|| {
                vec![GraphField {
                    name: "id".into(),
                    sub: None,
                }]
            });
            Some(ig_json(&page.ig, &sub))
        }
        "picture" => Some(picture(&page.picture)),
        "fan_count" => Some(json!(page.fan_count)),
        "followers_count" => Some(json!(page.followers_count)),
        "link" => Some(json!(format!("https://www.facebook.com/{}", page.id))),
        "username" => Some(json!(page.username)),
        "about" => Some(json!(page.about)),
        _ => None,
    })
}

/// The Page token for `page` derived from the user token `parent`, minted
/// on first use. Derived from a long-lived token it never expires; from a
/// short-lived one it expires with it.
fn page_token(sb: &Sandbox, parent: &str, parent_record: &TokenRecord, page: &MetaPage) -> String {
    let now = sb.now();
    sb.update(|st| {
        if let Some(existing) = st.page_token_of(parent, &page.id) {
            return existing.to_owned();
        }
        let token = new_token();
        st.insert_token(
            token.clone(),
            TokenRecord {
                kind: TokenKind::MetaPage,
                issued_at: now,
                expires_at: match parent_record.kind {
                    TokenKind::MetaLong => None,
                    _ => parent_record.expires_at,
                },
                page_id: Some(page.id.clone()),
                parent: Some(parent.to_owned()),
                ..parent_record.clone()
            },
        );
        token
    })
}

async fn get_me(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(&sb, "meta.me", &app_id, query.as_deref(), &headers, &[]).await;
    let result = me(&sb, &mut call, &ver);
    call.finish(result)
}

fn me(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, || {
        GraphError::new(200, "(#200) Permissions error")
    })?;
    call.check_app_budget()?;
    let (_, record) = caller(sb, call, GraphError::no_token_for_me)?;
    let user = meta_user(&record.user, &sb.config().public_base);
    if record.kind == TokenKind::MetaPage {
        // With a Page token, /me is the Page.
        let page = user
            .pages
            .iter()
            .find(|p| Some(&p.id) == record.page_id.as_ref())
            .ok_or_else(GraphError::cannot_parse_token)?;
        let fields = requested_fields(&call.params, &["name", "id"], PAGE_FIELDS, "Page")?;
        call.charge_object(sb, Budget::Page(&page.id))?;
        return Ok(page_json(page, &fields, None));
    }
    let fields = requested_fields(&call.params, &["name", "id"], USER_FIELDS, "User")?;
    Ok(user_json(&user, &record, &fields))
}

// ---------------------------------------------------------- /me/accounts

async fn list_accounts(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.me_accounts",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = accounts(&sb, &mut call, &ver);
    call.finish(result)
}

fn missing_pages_permission() -> GraphError {
    GraphError::new(200, "(#200) Permissions error")
}

fn accounts(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, missing_pages_permission)?;
    call.check_app_budget()?;
    let (token, record) = caller(sb, call, GraphError::no_token_for_me)?;
    if record.kind == TokenKind::MetaPage {
        return Err(GraphError::nonexisting_field("accounts", "Page"));
    }
    if !has_scope(&record, "pages_show_list") {
        return Err(missing_pages_permission());
    }
    let fields = requested_fields(
        &call.params,
        &[
            "access_token",
            "category",
            "category_list",
            "name",
            "id",
            "tasks",
        ],
        PAGE_FIELDS,
        "Page",
    )?;
    let pages = granted_pages(sb, &record);
    let limit = call
        .params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let start = match (call.params.get("after"), call.params.get("before")) {
        (Some(after), _) => decode_cursor(after).map(|i| i + 1),
        (None, Some(before)) => decode_cursor(before).map(|i| i.saturating_sub(limit)),
        _ => Some(0),
    }
    .ok_or_else(|| GraphError::param("(#100) The after/before cursor is invalid"))?;
    let slice: Vec<(usize, &MetaPage)> = pages.iter().enumerate().skip(start).take(limit).collect();
    let wants_token = fields.iter().any(|f| f.name == "access_token");
    let data: Vec<Value> = slice
        .iter()
        .map(|(_, page)| {
            let page_token = wants_token.then(|| page_token(sb, &token, &record, page));
            page_json(page, &fields, page_token.as_deref())
        })
        .collect();
    let mut body = json!({ "data": data });
    if let (Some((first, _)), Some((last, _))) = (slice.first(), slice.last()) {
        let mut paging = json!({
            "cursors": {"before": encode_cursor(*first), "after": encode_cursor(*last)}
        });
        let link = |cursor_name: &str, cursor: String| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("access_token", &token);
            if let Some(f) = call.params.get("fields") {
                q.append_pair("fields", f);
            }
            q.append_pair("limit", &limit.to_string());
            q.append_pair(cursor_name, &cursor);
            sb.url(&format!(
                "/graph.facebook.com/{ver}/me/accounts?{}",
                q.finish()
            ))
        };
        if last + 1 < pages.len() {
            paging["next"] = json!(link("after", encode_cursor(*last)));
        }
        if *first > 0 {
            paging["previous"] = json!(link("before", encode_cursor(*first)));
        }
        body["paging"] = paging;
    }
    Ok(body)
}

fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("sandbox-page:{index}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("sandbox-page:")?
        .parse()
        .ok()
}

// -------------------------------------------------------- /me/permissions

async fn list_permissions(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.permissions",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = permissions(&sb, &mut call, &ver, false);
    call.finish(result)
}

async fn delete_permissions(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.permissions",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = permissions(&sb, &mut call, &ver, true);
    call.finish(result)
}

fn permissions(
    sb: &Sandbox,
    call: &mut GraphCall,
    ver: &str,
    delete: bool,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, || {
        GraphError::new(200, "(#200) Permissions error")
    })?;
    call.check_app_budget()?;
    let (_, record) = caller(sb, call, GraphError::no_token_for_me)?;
    if record.kind == TokenKind::MetaPage {
        return Err(GraphError::nonexisting_field("permissions", "Page"));
    }
    if delete {
        // The person removes the app: every token of theirs dies, Page
        // tokens included.
        sb.update(|st| st.remove_app(Platform::Meta, &record.user));
        return Ok(json!({"success": true}));
    }
    let data: Vec<Value> = record
        .scopes
        .iter()
        .map(|s| json!({"permission": s, "status": "granted"}))
        .chain(
            record
                .declined
                .iter()
                .map(|s| json!({"permission": s, "status": "declined"})),
        )
        .collect();
    Ok(json!({ "data": data }))
}

// ------------------------------------------------------------ debug_token

async fn debug_token(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.debug_token",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = debug(&sb, &mut call, &ver);
    call.finish(result)
}

fn debug(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    let app = &sb.config().meta;
    let now = sb.now();
    let app_token = format!("{}|{}", app.client_id, app.client_secret);
    let authorized = match call.token.as_deref() {
        Some(t) if t == app_token => true,
        Some(t) => sb.read(|st| st.check(t, Platform::Meta, now).is_ok()),
        None => false,
    };
    if !authorized {
        return Err(GraphError::param(
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        ));
    }
    let Some(input) = call.params.non_empty("input_token").map(str::to_owned) else {
        return Err(GraphError::param(
            "(#100) The parameter input_token is required",
        ));
    };
    let record = sb
        .read(|st| st.token(&input).cloned())
        .filter(|r| r.kind.platform() == Platform::Meta);
    let Some(record) = record else {
        return Ok(json!({"data": {
            "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
            "is_valid": false,
            "scopes": [],
        }}));
    };
    let user = meta_user(&record.user, &sb.config().public_base);
    let pages = granted_pages(sb, &record);
    let target_ids = |scope: &str| -> Option<Vec<String>> {
        if scope.starts_with("pages_") || scope == "read_insights" {
            Some(pages.iter().map(|p| p.id.clone()).collect())
        } else if scope.starts_with("instagram_") {
            Some(pages.iter().map(|p| p.ig.id.clone()).collect())
        } else {
            None
        }
    };
    let granular: Vec<Value> = record
        .scopes
        .iter()
        .map(|s| match target_ids(s) {
            Some(ids) => json!({"scope": s, "target_ids": ids}),
            None => json!({"scope": s}),
        })
        .collect();
    let mut data = json!({
        "app_id": app.client_id,
        "type": if record.kind == TokenKind::MetaPage { "PAGE" } else { "USER" },
        "application": "Herald (sandbox Facebook app)",
        "data_access_expires_at": (record.issued_at + SignedDuration::from_hours(24 * 90)).as_second(),
        "expires_at": record.expires_at.map(|t| t.as_second()).unwrap_or(0),
        "is_valid": true,
        "issued_at": record.issued_at.as_second(),
        "scopes": record.scopes,
        "granular_scopes": granular,
        "user_id": user.id,
    });
    if let Some(page_id) = &record.page_id {
        data["profile_id"] = json!(page_id);
    }
    if let Err(problem) = sb.read(|st| st.check(&input, Platform::Meta, now).map(|_| ())) {
        let error = GraphError::from_problem(problem, &app.client_id, now);
        data["is_valid"] = json!(false);
        let mut e = json!({"code": error.code, "message": error.message});
        if let Some(sub) = error.subcode {
            e["subcode"] = json!(sub);
        }
        data["error"] = e;
    }
    Ok(json!({ "data": data }))
}

// ------------------------------------------------------ Page and IG reads

async fn get_object(
    State(sb): State<Sandbox>,
    Path((ver, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call =
        GraphCall::begin(&sb, "meta.object", &app_id, query.as_deref(), &headers, &[]).await;
    let result = object(&sb, &mut call, &ver, &id);
    call.finish(result)
}

fn object(sb: &Sandbox, call: &mut GraphCall, ver: &str, id: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    let (token, record) = caller(sb, call, GraphError::no_token)?;
    let user = meta_user(&record.user, &sb.config().public_base);
    let is_page_token = record.kind == TokenKind::MetaPage;
    let visible: Vec<MetaPage> = if is_page_token {
        user.pages
            .iter()
            .filter(|p| Some(&p.id) == record.page_id.as_ref())
            .cloned()
            .collect()
    } else {
        granted_pages(sb, &record)
    };

    if !is_page_token && id == user.id {
        call.fault(sb, Budget::App, GraphError::no_permission)?;
        call.check_app_budget()?;
        let fields = requested_fields(&call.params, &["name", "id"], USER_FIELDS, "User")?;
        return Ok(user_json(&user, &record, &fields));
    }
    if let Some(page) = visible.iter().find(|p| p.id == id) {
        let budget = if is_page_token {
            Budget::Page(&page.id)
        } else {
            Budget::App
        };
        call.fault(sb, budget, GraphError::no_permission)?;
        call.check_app_budget()?;
        call.charge_object(sb, budget)?;
        let fields = requested_fields(&call.params, &["name", "id"], PAGE_FIELDS, "Page")?;
        let wants_token = !is_page_token && fields.iter().any(|f| f.name == "access_token");
        let page_token = wants_token.then(|| page_token(sb, &token, &record, page));
        return Ok(page_json(page, &fields, page_token.as_deref()));
    }
    if let Some(page) = visible.iter().find(|p| p.ig.id == id) {
        let budget = Budget::Instagram(&page.ig.id);
        call.fault(sb, budget, GraphError::no_permission)?;
        call.check_app_budget()?;
        call.charge_object(sb, budget)?;
        if !has_scope(&record, "instagram_basic") {
            return Err(GraphError::no_permission());
        }
        let fields = requested_fields(&call.params, &["id"], IG_FIELDS, "IGUser")?;
        return Ok(ig_json(&page.ig, &fields));
    }
    call.fault(sb, Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    Err(GraphError::unsupported_get(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(3)), Some(3));
        assert_eq!(decode_cursor("garbage"), None);
    }

    #[test]
    fn appsecret_proof_is_hex_hmac_sha256() {
        // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog")
        assert_eq!(
            appsecret_proof("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
