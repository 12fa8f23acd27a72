//! The sandbox's own surface: the HTML index (`GET /`) with plain forms to
//! inject and clear faults and to remove an app for a user (and the
//! webhook sender's and engagement sections, see [`crate::webhooks`] and
//! [`crate::engagement`]), the JSON admin
//! API under `/_admin/` for tests in other processes, and `/_callback`, a
//! stand-in redirect target for trying the consent pages by hand.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::consent::{self, Hidden};
use crate::faults::{ENDPOINT_DOCS, FAULT_KIND_NAMES, Fault, FaultKind, endpoint_id};
use crate::params::{Params, is_json};
use crate::seed::normalize_username;
use crate::{Platform, Sandbox};

/// The index and `/_callback`, and with `admin` the JSON admin API.
pub(crate) fn router(admin: bool) -> Router<Sandbox> {
    let public = Router::new()
        .route("/", get(show_index))
        .route("/_callback", get(show_callback));
    if !admin {
        return public;
    }
    public
        .route("/_admin/state", get(get_state))
        .route("/_admin/faults", post(create_fault).delete(delete_faults))
        .route("/_admin/faults/clear", post(clear_faults_form))
        .route("/_admin/revoke", post(revoke_user))
        .route("/_admin/tiktok/creator", post(set_tiktok_creator))
}

fn admin_error(code: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn fault_json(endpoint: &str, fault: &Fault) -> Value {
    let mut v = json!({"endpoint": endpoint, "kind": fault.kind.name(), "times": fault.times});
    if let FaultKind::Slow { delay_ms } = fault.kind {
        v["delay_ms"] = json!(delay_ms);
    }
    v
}

// ------------------------------------------------------------- JSON API

async fn get_state(State(sb): State<Sandbox>) -> Response {
    let now = sb.now();
    let platforms: serde_json::Map<String, Value> = sb.read(|st| {
        Platform::ALL
            .iter()
            .map(|p| {
                let users: Vec<&str> = st.users(*p).collect();
                (
                    p.name().to_owned(),
                    json!({"users": users, "live_tokens": st.live_tokens(*p, now)}),
                )
            })
            .collect()
    });
    let (faults, calls) = sb.faults(|board| {
        let faults: Vec<Value> = board.faults().map(|(e, f)| fault_json(e, &f)).collect();
        let calls: serde_json::Map<String, Value> = ENDPOINT_DOCS
            .iter()
            .map(|(id, _)| ((*id).to_owned(), json!(board.calls(id))))
            .collect();
        (faults, calls)
    });
    axum::Json(json!({"platforms": platforms, "faults": faults, "calls": calls})).into_response()
}

async fn create_fault(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let json = is_json(&headers);
    let p = if json {
        match Params::from_json(&body) {
            Some(p) => p,
            None => return admin_error("invalid_body", "The body must be a JSON object.".into()),
        }
    } else {
        Params::from_urlencoded(&body)
    };
    let Some(endpoint) = p.get("endpoint") else {
        return admin_error("missing_endpoint", "\"endpoint\" is required.".into());
    };
    let Some(id) = endpoint_id(endpoint) else {
        return admin_error(
            "unknown_endpoint",
            format!(
                "Unknown endpoint id {endpoint:?}. Known ids: {}.",
                ENDPOINT_DOCS
                    .iter()
                    .map(|(id, _)| *id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    };
    let delay_ms = match p.non_empty("delay_ms").map(str::parse::<u64>) {
        None => 1000,
        Some(Ok(ms)) => ms,
        Some(Err(_)) => {
            return admin_error(
                "invalid_delay",
                "\"delay_ms\" must be a non-negative integer.".into(),
            );
        }
    };
    let kind_name = p.get("kind").unwrap_or("");
    let Some(kind) = FaultKind::parse(kind_name, delay_ms) else {
        return admin_error(
            "unknown_kind",
            format!(
                "Unknown fault kind {kind_name:?}. Known kinds: {}.",
                FAULT_KIND_NAMES.join(", ")
            ),
        );
    };
    if !kind.applies_to(id) {
        return admin_error(
            "unsupported_kind",
            format!(
                "Fault kind {kind_name:?} does not apply to {id}: content_filtered, answer_filtered, stream_cut and quota_exhausted are for openai.chat_completions."
            ),
        );
    }
    let times = match p
        .non_empty("times")
        .filter(|t| *t != "null")
        .map(str::parse::<u32>)
    {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            return admin_error(
                "invalid_times",
                "\"times\" must be a positive integer or absent.".into(),
            );
        }
    };
    let fault = Fault { kind, times };
    sb.faults(|board| board.inject(id, fault));
    if json {
        axum::Json(fault_json(id, &fault)).into_response()
    } else {
        Redirect::to(&sb.url("/")).into_response()
    }
}

async fn delete_faults(State(sb): State<Sandbox>) -> Response {
    sb.clear_faults();
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults_form(State(sb): State<Sandbox>) -> Response {
    sb.clear_faults();
    Redirect::to(&sb.url("/")).into_response()
}

async fn revoke_user(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let json = is_json(&headers);
    let p = if json {
        Params::from_json(&body).unwrap_or_default()
    } else {
        Params::from_urlencoded(&body)
    };
    let Some(platform) = p.get("platform").and_then(Platform::parse) else {
        return admin_error(
            "unknown_platform",
            "\"platform\" must be one of meta, instagram, tiktok, google.".into(),
        );
    };
    let Some(username) = p.non_empty("username") else {
        return admin_error("missing_username", "\"username\" is required.".into());
    };
    let user = normalize_username(username);
    let (revoked, deauthorize) = sb.remove_app(platform, &user);
    if json {
        let mut body =
            json!({"platform": platform.name(), "username": user, "revoked_tokens": revoked});
        if let Some(log_id) = deauthorize {
            body["deauthorize_log_id"] = json!(log_id);
        }
        axum::Json(body).into_response()
    } else {
        Redirect::to(&sb.url("/")).into_response()
    }
}

/// Sets a TikTok user's account settings: `{"username", "private_account",
/// "comment_disabled", "duet_disabled", "stitch_disabled",
/// "max_video_post_duration_sec"}` (absent flags are off).
async fn set_tiktok_creator(State(sb): State<Sandbox>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    struct Body {
        username: String,
        #[serde(flatten)]
        creator: crate::TikTokCreator,
    }
    let body = match serde_json::from_slice::<Body>(&body) {
        Ok(b) if !b.username.trim().is_empty() => b,
        Ok(_) => return admin_error("missing_username", "\"username\" is required.".into()),
        Err(e) => return admin_error("invalid_body", e.to_string()),
    };
    sb.set_tiktok_creator(&body.username, body.creator.clone());
    axum::Json(json!({
        "username": normalize_username(&body.username),
        "creator": body.creator,
    }))
    .into_response()
}

// ------------------------------------------------------------- HTML pages

struct EndpointRow {
    id: &'static str,
    about: &'static str,
    calls: u64,
}

struct FaultRow {
    endpoint: &'static str,
    kind: String,
    remaining: String,
}

struct PlatformRow {
    name: &'static str,
    users: String,
    live_tokens: usize,
}

struct TryLink {
    label: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    css: String,
    base: String,
    tries: Vec<TryLink>,
    platforms: Vec<PlatformRow>,
    platform_names: Vec<&'static str>,
    faults: Vec<FaultRow>,
    endpoints: Vec<EndpointRow>,
    kinds: &'static [&'static str],
    webhooks: Option<crate::webhooks::IndexSection>,
    engagement: Option<crate::engagement::IndexSection>,
    /// Whether the admin forms are offered (see [`crate::SandboxConfig::admin`]).
    admin: bool,
}

fn try_link(sb: &Sandbox, label: &'static str, path: &str, params: &[(&str, &str)]) -> TryLink {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    TryLink {
        label,
        href: format!("{}?{}", sb.url(path), q.finish()),
    }
}

async fn show_index(State(sb): State<Sandbox>) -> Response {
    let cfg = sb.config();
    let callback = sb.url("/_callback");
    let tries = vec![
        try_link(
            &sb,
            "Facebook Login (Pages and Instagram)",
            "/www.facebook.com/v25.0/dialog/oauth",
            &[
                ("client_id", &cfg.meta.client_id),
                ("redirect_uri", &callback),
                ("state", "try-meta"),
                ("response_type", "code"),
                (
                    "scope",
                    "pages_show_list,pages_read_engagement,pages_manage_posts,business_management,instagram_basic,instagram_content_publish",
                ),
            ],
        ),
        try_link(
            &sb,
            "Instagram Login",
            "/www.instagram.com/oauth/authorize",
            &[
                ("client_id", &cfg.instagram.client_id),
                ("redirect_uri", &callback),
                ("response_type", "code"),
                (
                    "scope",
                    "instagram_business_basic,instagram_business_content_publish",
                ),
                ("state", "try-instagram"),
            ],
        ),
        try_link(
            &sb,
            "TikTok Login Kit",
            "/www.tiktok.com/v2/auth/authorize/",
            &[
                ("client_key", &cfg.tiktok.client_id),
                ("response_type", "code"),
                (
                    "scope",
                    "user.info.basic,user.info.profile,user.info.stats,video.publish",
                ),
                ("redirect_uri", &callback),
                ("state", "try-tiktok"),
            ],
        ),
        try_link(
            &sb,
            "Google (YouTube and Drive)",
            "/accounts.google.com/o/oauth2/v2/auth",
            &[
                ("client_id", &cfg.google.client_id),
                ("redirect_uri", &callback),
                ("response_type", "code"),
                (
                    "scope",
                    "openid email profile https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/drive.readonly",
                ),
                ("access_type", "offline"),
                ("prompt", "consent"),
                ("state", "try-google"),
            ],
        ),
    ];
    let now = sb.now();
    let platforms = sb.read(|st| {
        Platform::ALL
            .iter()
            .filter_map(|p| {
                let users: Vec<&str> = st.users(*p).collect();
                (!users.is_empty()).then(|| PlatformRow {
                    name: p.name(),
                    users: users.join(", "),
                    live_tokens: st.live_tokens(*p, now),
                })
            })
            .collect()
    });
    let (faults, endpoints) = sb.faults(|board| {
        let faults = board
            .faults()
            .map(|(endpoint, f)| FaultRow {
                endpoint,
                kind: match f.kind {
                    FaultKind::Slow { delay_ms } => format!("slow ({delay_ms} ms)"),
                    other => other.name().to_owned(),
                },
                remaining: f
                    .times
                    .map_or_else(|| "until cleared".into(), |t| t.to_string()),
            })
            .collect();
        let endpoints = ENDPOINT_DOCS
            .iter()
            .map(|(id, about)| EndpointRow {
                id,
                about,
                calls: board.calls(id),
            })
            .collect();
        (faults, endpoints)
    });
    let page = IndexPage {
        css: sb.url(crate::assets::CSS_PATH),
        base: cfg.public_base.clone(),
        tries,
        platforms,
        platform_names: Platform::ALL.iter().map(|p| p.name()).collect(),
        faults,
        endpoints,
        kinds: FAULT_KIND_NAMES,
        webhooks: crate::webhooks::index_section(&sb),
        engagement: cfg.admin.then(|| crate::engagement::index_section(&sb)),
        admin: cfg.admin,
    };
    consent::html(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "callback.html")]
struct CallbackPage {
    css: String,
    index: String,
    params: Vec<Hidden>,
}

async fn show_callback(State(sb): State<Sandbox>, RawQuery(query): RawQuery) -> Response {
    let params = Params::from_query(query.as_deref());
    let page = CallbackPage {
        css: sb.url(crate::assets::CSS_PATH),
        index: sb.url("/"),
        params: params
            .iter()
            .map(|(name, value)| Hidden {
                name: name.to_owned(),
                value: value.to_owned(),
            })
            .collect(),
    };
    consent::html(StatusCode::OK, &page)
}
