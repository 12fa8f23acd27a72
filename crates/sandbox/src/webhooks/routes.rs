//! The sender's admin API under `/_admin/` (JSON in and out, or form posts
//! from the index page that redirect back to it) and the data of the index
//! page's Webhooks section.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::payload::{self, Account, Values, connected_accounts};
use super::send::{self, Callback, Delivery};
use super::sign::{SIGNATURE_MODES, SignatureMode, sign_delivery};
use super::{App, Entry, EntryKind, Outcome, WebhookError, escape};
use crate::params::{Params, is_json};
use crate::seed::normalize_username;
use crate::{Platform, Sandbox};

/// Meta's batches hold at most 1000 updates.
const MAX_COUNT: usize = 1000;
/// Instagram's comment length limit.
const MAX_TEXT: usize = 2200;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/_admin/webhooks", get(list_deliveries))
        .route("/_admin/webhooks/subscribe", post(verify_subscription))
        .route("/_admin/webhooks/send", post(send_delivery))
        .route("/_admin/meta/deauthorize", post(send_deauthorize))
        .route("/_admin/meta/data-deletion", post(send_data_deletion))
}

/// A request's parameters, and its JSON object when it came as JSON (so
/// `value` keeps its JSON type).
struct Input {
    json: Option<Map<String, Value>>,
    params: Params,
}

impl Input {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, WebhookError> {
        if !is_json(headers) {
            return Ok(Self {
                json: None,
                params: Params::from_urlencoded(body),
            });
        }
        let object = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            _ if body.iter().all(u8::is_ascii_whitespace) => Map::new(),
            _ => {
                return Err(WebhookError::invalid(
                    "invalid_body",
                    "The body must be a JSON object.",
                ));
            }
        };
        // Nulls count as absent.
        let present = object
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Self {
            params: Params::from_object(present),
            json: Some(object),
        })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.params.non_empty(key)
    }

    /// `value`: the JSON value itself, or JSON text in a form.
    fn value(&self) -> Result<Option<Value>, WebhookError> {
        match &self.json {
            Some(map) => Ok(map.get("value").filter(|v| !v.is_null()).cloned()),
            None => match self.params.non_empty("value") {
                None => Ok(None),
                Some(text) if text.trim().is_empty() => Ok(None),
                Some(text) => serde_json::from_str(text)
                    .map(Some)
                    .map_err(|_| WebhookError::invalid("invalid_value", "\"value\" must be JSON.")),
            },
        }
    }

    fn app(&self) -> Result<Option<App>, WebhookError> {
        self.get("app")
            .map(|name| {
                App::parse(name).ok_or_else(|| {
                    WebhookError::invalid(
                        "unknown_app",
                        "\"app\" must be \"facebook\" or \"instagram\".",
                    )
                })
            })
            .transpose()
    }

    fn signature(&self) -> Result<SignatureMode, WebhookError> {
        let name = self.get("signature").unwrap_or("valid");
        SignatureMode::parse(name).ok_or_else(|| {
            WebhookError::invalid(
                "unknown_signature",
                format!(
                    "\"signature\" must be one of {}.",
                    SIGNATURE_MODES.join(", ")
                ),
            )
        })
    }
}

/// JSON answers for JSON requests; form posts go back to the index page,
/// with a refusal shown there.
fn respond(sb: &Sandbox, json: bool, result: Result<Value, WebhookError>) -> Response {
    match (result, json) {
        (Ok(body), true) => axum::Json(body).into_response(),
        (Err(error), true) => (
            error.status(),
            axum::Json(json!({"error": {"code": error.code(), "message": error.to_string()}})),
        )
            .into_response(),
        (Ok(_), false) => Redirect::to(&sb.url("/")).into_response(),
        (Err(error), false) => {
            sb.webhook_log(|log| log.set_notice(error.to_string()));
            Redirect::to(&sb.url("/")).into_response()
        }
    }
}

// ---------------------------------------------------------- handlers

async fn list_deliveries(State(sb): State<Sandbox>) -> Response {
    let deliveries: Vec<Entry> = sb.webhook_log(|log| log.entries().cloned().collect());
    axum::Json(json!({
        "configured": sb.config().webhooks.is_some(),
        "deliveries": deliveries,
    }))
    .into_response()
}

async fn verify_subscription(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let input = Input::parse(&headers, &body)?;
        send::subscribe(&sb, input.get("verify_token")).await
    }
    .await;
    respond(&sb, is_json(&headers), result)
}

async fn send_delivery(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let input = Input::parse(&headers, &body)?;
        deliver(&sb, &input).await
    }
    .await;
    respond(&sb, is_json(&headers), result)
}

async fn deliver(sb: &Sandbox, input: &Input) -> Result<Value, WebhookError> {
    send::targets(sb)?;
    let field = input.get("field").unwrap_or("");
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(WebhookError::invalid(
            "invalid_field",
            "\"field\" is required: a webhook field name such as comments, mentions, story_insights, feed or messages.",
        ));
    }
    let account = input
        .get("account")
        .or_else(|| input.get("username"))
        .unwrap_or("");
    let account = payload::resolve(sb, account, input.app()?, field)?;
    account.check_subscribed(sb, field)?;
    let text = input.get("text");
    if text.is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err(WebhookError::invalid(
            "text_too_long",
            format!("\"text\" can have at most {MAX_TEXT} characters."),
        ));
    }
    let count = match input.get("count").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if (1..=MAX_COUNT).contains(&n) => n,
        Some(_) => {
            return Err(WebhookError::invalid(
                "invalid_count",
                format!("\"count\" must be between 1 and {MAX_COUNT}."),
            ));
        }
    };
    let retry = match input.get("retry") {
        None => true,
        Some("true" | "1" | "on") => true,
        Some("false" | "0" | "off") => false,
        Some(_) => {
            return Err(WebhookError::invalid(
                "invalid_retry",
                "\"retry\" must be true or false.",
            ));
        }
    };
    let mode = input.signature()?;
    let values = Values {
        field,
        explicit: input.value()?,
        text,
        count,
        seq: sb.webhook_log(|log| log.sequence()),
    };
    let entries = payload::entries(sb, &account, values)?;
    let body = escape::meta_json(&json!({"object": account.object(), "entry": entries}));
    let signed = sign_delivery(mode, account.app().secret(sb), body);
    let entry = send::deliver(
        sb,
        Delivery {
            account: account.clone(),
            field: field.to_owned(),
            mode,
            retry,
            signed,
        },
    )
    .await?;
    let last = entry.attempts.last();
    let mut report = json!({
        "delivery_id": entry.id,
        "status": last.and_then(|a| a.status),
        "attempts": entry.attempts.len(),
        "state": entry.state,
        "object": account.object(),
        "entry_id": account.id(),
        "app": account.app(),
        "signature": mode.name(),
        "body": entry.body,
    });
    if let Some(error) = last.and_then(|a| a.error.clone()) {
        report["error"] = json!(error);
    }
    Ok(report)
}

async fn send_deauthorize(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let result = callback(&sb, Callback::Deauthorize, &headers, &body).await;
    respond(&sb, is_json(&headers), result)
}

async fn send_data_deletion(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = callback(&sb, Callback::DataDeletion, &headers, &body).await;
    respond(&sb, is_json(&headers), result)
}

async fn callback(
    sb: &Sandbox,
    kind: Callback,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, WebhookError> {
    send::targets(sb)?;
    let input = Input::parse(headers, body)?;
    let app = input.app()?;
    let (user, app) = match (input.get("username"), input.get("account")) {
        (Some(name), _) => (normalize_username(name), app.unwrap_or(App::Facebook)),
        (None, Some(account)) => {
            let account = payload::resolve(sb, account, app, "")?;
            (account.user().to_owned(), account.app())
        }
        (None, None) => {
            return Err(WebhookError::invalid(
                "missing_account",
                "\"username\" (a sandbox user) or \"account\" (a Page or Instagram id or username) is required.",
            ));
        }
    };
    send::callback(sb, kind, app, &user, input.signature()?).await
}

// -------------------------------------------------------- index page

pub(crate) struct AccountRow {
    pub name: String,
    pub kind: &'static str,
    pub id: String,
    pub app: &'static str,
    pub fields: &'static [&'static str],
    /// The subscribed fields, or that nothing is sent.
    pub subscribed: String,
}

pub(crate) struct PersonRow {
    pub user: String,
    pub app: &'static str,
    pub app_label: &'static str,
    pub user_id: String,
}

pub(crate) struct LogRow {
    pub id: String,
    pub kind: &'static str,
    pub what: String,
    pub signature: &'static str,
    pub attempts: String,
    pub state: &'static str,
}

/// The index page's Webhooks section.
pub(crate) struct IndexSection {
    pub callback_url: String,
    pub instagram_callback_url: String,
    pub deauthorize_url: String,
    pub data_deletion_url: String,
    pub instagram_deauthorize_url: String,
    pub instagram_data_deletion_url: String,
    pub notice: Option<String>,
    pub accounts: Vec<AccountRow>,
    pub people: Vec<PersonRow>,
    pub log: Vec<LogRow>,
    pub signatures: &'static [&'static str],
}

/// How many log rows the index page shows (newest first).
const LOG_ROWS: usize = 30;

pub(crate) fn index_section(sb: &Sandbox) -> Option<IndexSection> {
    let targets = sb.config().webhooks.as_ref()?;
    let accounts = connected_accounts(sb)
        .into_iter()
        .map(|a| AccountRow {
            name: a.name(),
            kind: match &a {
                Account::Page { .. } => "Facebook Page",
                Account::Instagram {
                    app: App::Facebook, ..
                } => "Instagram (Facebook Login)",
                Account::Instagram { .. } => "Instagram (Instagram Login)",
            },
            id: a.id().to_owned(),
            app: a.app().name(),
            fields: a.generated_fields(),
            subscribed: match a.subscription(sb) {
                Some(fields) => format!("webhooks: {}", fields.join(", ")),
                None => "not subscribed: Meta sends nothing about it".to_owned(),
            },
        })
        .collect();
    let people = [
        (Platform::Meta, App::Facebook),
        (Platform::Instagram, App::Instagram),
    ]
    .into_iter()
    .flat_map(|(platform, app)| {
        let users: Vec<String> = sb.read(|st| st.users(platform).map(str::to_owned).collect());
        users.into_iter().map(move |user| (user, app))
    })
    .map(|(user, app)| PersonRow {
        user_id: app.user_id(sb, &user),
        user,
        app: app.name(),
        app_label: match app {
            App::Facebook => "Facebook app",
            App::Instagram => "Instagram app",
        },
    })
    .collect();
    let (notice, log) = sb.webhook_log(|log| {
        let rows = log.entries().rev().take(LOG_ROWS).map(log_row).collect();
        (log.take_notice(), rows)
    });
    Some(IndexSection {
        callback_url: targets.callback_url.clone(),
        instagram_callback_url: targets.callback_url_of(App::Instagram).to_owned(),
        deauthorize_url: targets.deauthorize_url.clone(),
        data_deletion_url: targets.data_deletion_url.clone(),
        instagram_deauthorize_url: targets
            .instagram_deauthorize_url
            .clone()
            .unwrap_or_else(|| "(the Facebook app's)".into()),
        instagram_data_deletion_url: targets
            .instagram_data_deletion_url
            .clone()
            .unwrap_or_else(|| "(the Facebook app's)".into()),
        notice,
        accounts,
        people,
        log,
        signatures: SIGNATURE_MODES,
    })
}

fn log_row(entry: &Entry) -> LogRow {
    let what = match entry.kind {
        EntryKind::Delivery => format!(
            "{} {} for {}",
            entry.object.as_deref().unwrap_or(""),
            entry.field.as_deref().unwrap_or(""),
            entry.account.as_deref().unwrap_or("")
        ),
        EntryKind::Verification => "subscription handshake".into(),
        EntryKind::Deauthorize | EntryKind::DataDeletion => format!(
            "{} for user {} ({} app)",
            entry.kind.label(),
            entry.user_id.as_deref().unwrap_or(""),
            entry.app.name()
        ),
    };
    let attempts = if entry.attempts.is_empty() {
        "—".into()
    } else {
        entry
            .attempts
            .iter()
            .map(|a| match (a.status, &a.error) {
                (Some(status), _) => status.to_string(),
                (None, Some(error)) => error.clone(),
                (None, None) => "?".into(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    LogRow {
        id: entry.id.clone(),
        kind: entry.kind.label(),
        what,
        signature: entry.signature,
        attempts,
        state: match entry.state {
            Outcome::Pending => "pending",
            Outcome::Retrying => "retrying",
            Outcome::Delivered => "delivered",
            Outcome::Failed => "failed",
        },
    }
}
