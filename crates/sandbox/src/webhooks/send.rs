//! The sender's HTTP: deliveries (first attempt awaited, retries in a
//! background task), the subscription handshake, and the deauthorize and
//! data-deletion callbacks. Every request is logged with each attempt.
//! Like Meta it uses its own user agent, follows no redirects and ignores
//! proxy settings (the receiver is usually on the same machine).

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::header;
use serde_json::{Value, json};

use super::payload::Account;
use super::sign::{SignatureMode, SignedBody, signed_request};
use super::{App, Attempt, Entry, EntryKind, Outcome, WebhookError};
use crate::config::WebhookTargets;
use crate::seed::{instagram_account, meta_user};
use crate::{Platform, Sandbox};

const USER_AGENT: &str = "facebookexternalua";
/// Longest response body kept in the log.
const KEEP_RESPONSE: usize = 4096;

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        // reqwest may be built with rustls and no bundled provider (the
        // workspace's choice); use ring like the platform client does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .expect("a plain HTTP client builds")
    })
}

pub(super) fn targets(sb: &Sandbox) -> Result<&WebhookTargets, WebhookError> {
    sb.config()
        .webhooks
        .as_ref()
        .ok_or(WebhookError::NotConfigured)
}

impl App {
    /// The secret this app signs with.
    pub(super) fn secret(self, sb: &Sandbox) -> &str {
        match self {
            App::Facebook => &sb.config().meta.client_secret,
            App::Instagram => &sb.config().instagram.client_secret,
        }
    }

    /// The id Herald keeps as the connection's platform user id: the
    /// Facebook user id (`/me` `id`), or the Instagram Login account's
    /// user id (`/me` `user_id`, `17841…`).
    pub fn user_id(self, sb: &Sandbox, user: &str) -> String {
        let base = &sb.config().public_base;
        match self {
            App::Facebook => meta_user(user, base).id,
            App::Instagram => instagram_account(user, base).id,
        }
    }

    fn platform(self) -> Platform {
        match self {
            App::Facebook => Platform::Meta,
            App::Instagram => Platform::Instagram,
        }
    }
}

/// A receiver's answer.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

async fn perform(request: reqwest::RequestBuilder, timeout: Duration) -> Result<Answer, String> {
    let exchange = async {
        let mut response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
            let room = KEEP_RESPONSE.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(Answer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "could not connect to the receiver".into()
    } else if e.is_builder() {
        "the URL cannot be requested".into()
    } else {
        "the request failed".into()
    }
}

fn attempt_of(sb: &Sandbox, result: &Result<Answer, String>) -> Attempt {
    Attempt {
        at: sb.now(),
        status: result.as_ref().ok().map(|a| a.status),
        error: result.as_ref().err().cloned(),
    }
}

fn new_entry(sb: &Sandbox, kind: EntryKind, app: App, url: &str, body: String) -> Entry {
    Entry {
        id: String::new(),
        kind,
        app,
        url: url.to_owned(),
        object: None,
        field: None,
        account: None,
        user_id: None,
        signature: SignatureMode::Valid.name(),
        retry: false,
        created_at: sb.now(),
        attempts: Vec::new(),
        state: Outcome::Pending,
        body,
        response: None,
    }
}

// --------------------------------------------------------- deliveries

/// A signed delivery ready to go.
pub(super) struct Delivery {
    pub account: Account,
    pub field: String,
    pub mode: SignatureMode,
    pub retry: bool,
    pub signed: SignedBody,
}

/// Makes the first attempt and, when it fails and retries are allowed
/// (valid signature, `retry`), schedules the others. Returns the log entry
/// as it stands after the first attempt.
pub(super) async fn deliver(sb: &Sandbox, delivery: Delivery) -> Result<Entry, WebhookError> {
    let targets = targets(sb)?;
    let url = targets.callback_url_of(delivery.account.app()).to_owned();
    let retry = delivery.retry && delivery.mode == SignatureMode::Valid;
    let mut entry = new_entry(
        sb,
        EntryKind::Delivery,
        delivery.account.app(),
        &url,
        delivery.signed.body.clone(),
    );
    entry.object = Some(delivery.account.object().to_owned());
    entry.field = Some(delivery.field);
    entry.account = Some(delivery.account.id().to_owned());
    entry.signature = delivery.mode.name();
    entry.retry = retry;
    let id = sb.webhook_log(|log| log.push(entry));

    let result = post_delivery(&url, &delivery.signed, targets.timeout).await;
    let delivered = result.as_ref().is_ok_and(Answer::ok);
    let delays = targets.retry_delays.clone();
    let state = if delivered {
        Outcome::Delivered
    } else if retry && !delays.is_empty() {
        Outcome::Retrying
    } else {
        Outcome::Failed
    };
    let attempt = attempt_of(sb, &result);
    let response = result.ok().map(|a| a.body);
    let snapshot = sb.webhook_log(|log| {
        log.record(&id, attempt, state, response);
        log.get(&id).cloned()
    });
    if state == Outcome::Retrying {
        let sb = sb.clone();
        let retry_id = id.clone();
        let signed = delivery.signed;
        let timeout = targets.timeout;
        tokio::spawn(async move {
            retry_delivery(sb, retry_id, url, signed, delays, timeout).await;
        });
    }
    snapshot.ok_or_else(|| WebhookError::conflict("log_full", "The delivery left the log."))
}

async fn post_delivery(
    url: &str,
    signed: &SignedBody,
    timeout: Duration,
) -> Result<Answer, String> {
    let mut request = client()
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(signed.body.clone());
    if let Some(signature) = &signed.header {
        request = request.header("x-hub-signature-256", signature);
    }
    perform(request, timeout).await
}

/// Meta's retries: after each delay, another attempt, until one is
/// answered 2xx or the schedule runs out.
async fn retry_delivery(
    sb: Sandbox,
    id: String,
    url: String,
    signed: SignedBody,
    delays: Vec<Duration>,
    timeout: Duration,
) {
    let last = delays.len().saturating_sub(1);
    for (n, delay) in delays.into_iter().enumerate() {
        tokio::time::sleep(delay).await;
        let result = post_delivery(&url, &signed, timeout).await;
        let delivered = result.as_ref().is_ok_and(Answer::ok);
        let state = match (delivered, n == last) {
            (true, _) => Outcome::Delivered,
            (false, true) => Outcome::Failed,
            (false, false) => Outcome::Retrying,
        };
        let attempt = attempt_of(&sb, &result);
        let response = result.ok().map(|a| a.body);
        sb.webhook_log(|log| log.record(&id, attempt, state, response));
        if delivered {
            return;
        }
    }
}

// ------------------------------------------------------- verification

/// The handshake Meta makes when the callback URL is saved: `GET` with
/// `hub.mode=subscribe`, a random `hub.challenge` and the verify token
/// (or `verify_token` instead). Succeeds when the answer is 200 with the
/// challenge as its whole body.
pub(super) async fn subscribe(
    sb: &Sandbox,
    verify_token: Option<&str>,
) -> Result<Value, WebhookError> {
    let targets = targets(sb)?;
    let mut url = url::Url::parse(&targets.callback_url).map_err(|_| {
        WebhookError::invalid("invalid_callback_url", "The callback URL is not a URL.")
    })?;
    let challenge = (1_000_000_000 + rand::random::<u32>() % 1_000_000_000).to_string();
    let token = verify_token.unwrap_or(&targets.verify_token);
    url.query_pairs_mut()
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.challenge", &challenge)
        .append_pair("hub.verify_token", token);
    let mut entry = new_entry(
        sb,
        EntryKind::Verification,
        App::Facebook,
        &targets.callback_url,
        challenge.clone(),
    );
    entry.signature = if verify_token.is_some_and(|t| t != targets.verify_token) {
        "other_verify_token"
    } else {
        "verify_token"
    };
    let id = sb.webhook_log(|log| log.push(entry));
    let result = perform(client().get(url), targets.timeout).await;
    let ok = result
        .as_ref()
        .is_ok_and(|a| a.status == 200 && a.body == challenge);
    let attempt = attempt_of(sb, &result);
    let state = if ok {
        Outcome::Delivered
    } else {
        Outcome::Failed
    };
    let mut report = json!({"ok": ok, "challenge": challenge, "log_id": id});
    match &result {
        Ok(answer) => {
            report["status"] = json!(answer.status);
            report["echoed"] = json!(answer.body);
        }
        Err(error) => {
            report["status"] = Value::Null;
            report["echoed"] = Value::Null;
            report["error"] = json!(error);
        }
    }
    let response = result.ok().map(|a| a.body);
    sb.webhook_log(|log| log.record(&id, attempt, state, response));
    Ok(report)
}

// ---------------------------------------------------------- callbacks

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Callback {
    Deauthorize,
    DataDeletion,
}

impl Callback {
    fn url(self, targets: &WebhookTargets, app: App) -> String {
        let (facebook, instagram) = match self {
            Callback::Deauthorize => (&targets.deauthorize_url, &targets.instagram_deauthorize_url),
            Callback::DataDeletion => (
                &targets.data_deletion_url,
                &targets.instagram_data_deletion_url,
            ),
        };
        match app {
            App::Facebook => facebook.clone(),
            App::Instagram => instagram.as_ref().unwrap_or(facebook).clone(),
        }
    }

    fn kind(self) -> EntryKind {
        match self {
            Callback::Deauthorize => EntryKind::Deauthorize,
            Callback::DataDeletion => EntryKind::DataDeletion,
        }
    }
}

/// A logged callback, ready to send.
struct Prepared {
    id: String,
    url: String,
    form: String,
    user_id: String,
    timeout: Duration,
}

fn prepare(
    sb: &Sandbox,
    callback: Callback,
    app: App,
    user: &str,
    mode: SignatureMode,
) -> Result<Prepared, WebhookError> {
    let targets = targets(sb)?;
    let url = callback.url(targets, app);
    let user_id = app.user_id(sb, user);
    let payload = |user_id: &str| {
        json!({"algorithm": "HMAC-SHA256", "issued_at": sb.now().as_second(), "user_id": user_id})
            .to_string()
    };
    // A tampered request names someone else after it was signed.
    let forged = payload(&app.user_id(sb, &format!("{user}-someone-else")));
    let value = signed_request(mode, app.secret(sb), &payload(&user_id), &forged);
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("signed_request", &value)
        .finish();
    let mut entry = new_entry(sb, callback.kind(), app, &url, form.clone());
    entry.user_id = Some(user_id.clone());
    entry.signature = mode.name();
    let id = sb.webhook_log(|log| log.push(entry));
    Ok(Prepared {
        id,
        url,
        form,
        user_id,
        timeout: targets.timeout,
    })
}

async fn post_callback(sb: &Sandbox, prepared: &Prepared) -> Result<Answer, String> {
    let request = client()
        .post(&prepared.url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(prepared.form.clone());
    let result = perform(request, prepared.timeout).await;
    let state = if result.as_ref().is_ok_and(Answer::ok) {
        Outcome::Delivered
    } else {
        Outcome::Failed
    };
    let attempt = attempt_of(sb, &result);
    let response = result.as_ref().ok().map(|a| a.body.clone());
    sb.webhook_log(|log| log.record(&prepared.id, attempt, state, response));
    result
}

/// Sends a deauthorize or data-deletion callback for `user` and reports
/// the receiver's answer as `status` and `body` (its JSON when it is JSON).
pub(super) async fn callback(
    sb: &Sandbox,
    callback: Callback,
    app: App,
    user: &str,
    mode: SignatureMode,
) -> Result<Value, WebhookError> {
    let prepared = prepare(sb, callback, app, user, mode)?;
    let result = post_callback(sb, &prepared).await;
    let mut report = json!({
        "log_id": prepared.id,
        "app": app.name(),
        "user_id": prepared.user_id,
        "target": prepared.url,
        "signature": mode.name(),
    });
    match result {
        Ok(answer) => {
            let parsed: Option<Value> = serde_json::from_str(&answer.body).ok();
            report["status"] = json!(answer.status);
            if callback == Callback::DataDeletion {
                let field = |name: &str| {
                    parsed
                        .as_ref()
                        .and_then(|v| v.get(name))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                report["url"] = field("url");
                report["confirmation_code"] = field("confirmation_code");
            }
            report["body"] = parsed.unwrap_or(Value::String(answer.body));
        }
        Err(error) => {
            report["status"] = Value::Null;
            report["error"] = json!(error);
        }
    }
    Ok(report)
}

/// After the person removed the app at Meta or Instagram: when webhooks
/// are configured and a runtime is at hand, sends the deauthorize callback
/// in the background (best effort) and returns its log id.
pub(crate) fn app_removed(sb: &Sandbox, platform: Platform, user: &str) -> Option<String> {
    let app = [App::Facebook, App::Instagram]
        .into_iter()
        .find(|a| a.platform() == platform)?;
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let prepared = prepare(sb, Callback::Deauthorize, app, user, SignatureMode::Valid).ok()?;
    let id = prepared.id.clone();
    let sb = sb.clone();
    runtime.spawn(async move {
        if let Err(error) = post_callback(&sb, &prepared).await {
            tracing::warn!(%error, "sandbox deauthorize callback failed");
        }
    });
    Some(id)
}
