//! The Facebook Login dialog (consent page, redirect with `code` or Meta's
//! denial parameters) and `oauth/access_token`: code exchange (bound to the
//! app, the identical `redirect_uri` and optional PKCE), `fb_exchange_token`
//! (short → long, a long token comes back as is) and `client_credentials`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use serde_json::{Value, json};

use super::{LONG_LIVED_SECS, SHORT_LIVED_SECS, new_token};
use crate::consent::{self, ConsentPage, ErrorPage, PageRow};
use crate::faults::FaultKind;
use crate::graph::{Budget, GraphCall, GraphError, check_version};
use crate::oauth::{
    Pkce, S256Encoding, check_redirect_uri, random_b64url, random_base62, redirect_origin,
    redirect_with,
};
use crate::params::{Params, split_scopes};
use crate::seed::meta_user;
use crate::state::{CODE_LIFETIME, CodeProblem, CodeRecord, TokenKind, TokenRecord};
use crate::{Platform, Sandbox};

/// Permissions the dialog accepts.
const KNOWN_SCOPES: &[&str] = &[
    "public_profile",
    "email",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_read_user_engagement",
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

pub(super) async fn show_dialog(
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

pub(super) async fn submit_dialog(
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

pub(super) async fn exchange_code(
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
                        "expires_in": record.expires_at.map_or(0, |at| at.as_second() - now.as_second()),
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
