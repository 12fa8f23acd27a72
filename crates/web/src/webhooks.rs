//! What Meta calls: the webhook subscription handshake and deliveries at
//! `/webhooks/meta` (the Facebook app) and `/webhooks/instagram` (the
//! Instagram app, for Instagram Login accounts), and the deauthorize and
//! data-deletion callbacks of both apps. Each app's routes are verified
//! with that app's secrets only.
//!
//! These routes carry no session and no CSRF token: Meta's signature is
//! the credential, checked by the service over the body exactly as it
//! arrived (it is handed on as `Bytes`, never parsed and re-serialised
//! here). Deliveries get their own body limit, a little above the largest
//! delivery the service accepts, so an oversize delivery is answered 413
//! by the service or by the limit, never cut short into a bad signature;
//! callbacks a small one.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use herald_webhooks::signature::SignedRequestError;
use herald_webhooks::{CallbackError, MAX_DELIVERY_BYTES, MetaApp, ReceiveError};
use serde::Deserialize;
use serde_json::json;
use tower_http::timeout::TimeoutLayer;

use crate::error::{ErrorInfo, chain};
use crate::{AppState, SiteConfig, WebError};

/// Room above [`MAX_DELIVERY_BYTES`]: a body up to here reaches the
/// service, which refuses it with its own 413; beyond, the limit does.
const BODY_LIMIT: usize = MAX_DELIVERY_BYTES + 64 * 1024;

/// The largest deauthorize or data-deletion request (a `signed_request`
/// is a few hundred bytes).
const CALLBACK_BODY_LIMIT: usize = 64 * 1024;

/// How long Meta is asked to wait before sending a delivery again when it
/// could not be stored.
const RETRY_AFTER_SECS: u64 = 30;

/// The public webhook routes, with their own body limit and the request
/// timeout. Merged outside the CSRF layer and the default body limit.
pub(crate) fn router(site: &SiteConfig) -> Router<AppState> {
    // Each app's deliveries on its own callback URL, verified with its own
    // secrets only.
    let deliveries = Router::new()
        .route(
            "/webhooks/meta",
            get(verify_subscription).post(receive_facebook_delivery),
        )
        .route(
            "/webhooks/instagram",
            get(verify_subscription).post(receive_instagram_delivery),
        );
    // A callback is one short form field.
    let callbacks = Router::new()
        .route("/webhooks/meta/deauthorize", post(deauthorize_facebook))
        .route("/webhooks/meta/data-deletion", post(delete_data_facebook))
        .route(
            "/webhooks/instagram/deauthorize",
            post(deauthorize_instagram),
        )
        .route(
            "/webhooks/instagram/data-deletion",
            post(delete_data_instagram),
        );
    crate::middleware::with_body_limit(deliveries, BODY_LIMIT)
        .merge(crate::middleware::with_body_limit(
            callbacks,
            CALLBACK_BODY_LIMIT,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            site.request_timeout,
        ))
}

/// A refusal: the status and error code for the error middleware, which
/// logs it once and renders `{"error": {"code", "message"}}`.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    /// The cause, for the log (server errors only).
    detail: Option<String>,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str) -> Refusal {
        Refusal {
            status,
            code,
            detail: None,
            retry_after: None,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut resp = self.status.into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp.extensions_mut().insert(ErrorInfo {
            code: self.code,
            detail: self.detail,
            problem: None,
            params: Vec::new(),
        });
        resp
    }
}

fn receive_refusal(e: ReceiveError) -> Refusal {
    match e {
        ReceiveError::Signature(_) => Refusal::new(StatusCode::UNAUTHORIZED, "webhook_signature"),
        ReceiveError::TooLarge(_) => {
            Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
        }
        ReceiveError::Malformed(_) => Refusal::new(StatusCode::BAD_REQUEST, "webhook_malformed"),
        ReceiveError::Storage(_) => Refusal {
            detail: Some(chain(&e)),
            retry_after: Some(RETRY_AFTER_SECS),
            ..Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "webhook_not_stored")
        },
    }
}

fn callback_refusal(e: CallbackError) -> Refusal {
    match e {
        CallbackError::SignedRequest(SignedRequestError::Mismatch) => {
            Refusal::new(StatusCode::UNAUTHORIZED, "signed_request_signature")
        }
        CallbackError::SignedRequest(_) => {
            Refusal::new(StatusCode::BAD_REQUEST, "signed_request_malformed")
        }
        CallbackError::Storage(_) => Refusal {
            detail: Some(chain(&e)),
            retry_after: Some(RETRY_AFTER_SECS),
            ..Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable")
        },
    }
}

/// A failure of the webhook services behind a page or API call: a 500
/// whose cause the error middleware logs.
pub(crate) fn service_error(e: herald_webhooks::WebhooksError) -> WebError {
    match e {
        herald_webhooks::WebhooksError::Access(e) => WebError::Account(e),
        e => WebError::Internal(Box::new(e)),
    }
}

/// A failure of the notification services behind a page or API call.
pub(crate) fn notify_error(e: herald_notify::NotifyError) -> WebError {
    match e {
        herald_notify::NotifyError::Access(e) => WebError::Account(e),
        e => WebError::Internal(Box::new(e)),
    }
}

fn ok() -> Response {
    axum::Json(json!({ "ok": true })).into_response()
}

/// The handshake's parameters, named as Meta sends them.
#[derive(Deserialize)]
struct HandshakeQuery {
    #[serde(rename = "hub.mode", default)]
    mode: String,
    #[serde(rename = "hub.verify_token", default)]
    verify_token: String,
    #[serde(rename = "hub.challenge", default)]
    challenge: String,
}

/// `GET /webhooks/meta` and `/webhooks/instagram`: echoes the challenge
/// when the verify token matches, 403 otherwise.
async fn verify_subscription(
    State(state): State<AppState>,
    Query(q): Query<HandshakeQuery>,
) -> Result<Response, WebError> {
    match state
        .webhooks()
        .inbound
        .verify_subscription(&q.mode, &q.verify_token, &q.challenge)
    {
        Some(challenge) => Ok((
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response()),
        None => Err(WebError::Forbidden {
            code: "webhook_verify_token",
        }),
    }
}

/// Every request header as a (name, value) pair, for the stored delivery.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// A delivery to `app`'s callback: 200 only once it is stored (or was
/// stored before: the same bytes again).
async fn receive_delivery(
    state: &AppState,
    app: MetaApp,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    let webhooks = state.webhooks();
    match webhooks
        .inbound
        .receive(app, header_pairs(headers), body)
        .await
    {
        Ok(_) => Ok(ok()),
        Err(e) => Err(receive_refusal(e).into_response()),
    }
}

/// `POST /webhooks/meta`: the Facebook app's deliveries.
async fn receive_facebook_delivery(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    receive_delivery(&state, MetaApp::Facebook, &headers, body).await
}

/// `POST /webhooks/instagram`: the Instagram app's (Instagram Login).
async fn receive_instagram_delivery(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Response> {
    receive_delivery(&state, MetaApp::Instagram, &headers, body).await
}

/// The `signed_request` field of a callback's form body.
fn signed_request(body: &[u8]) -> Result<String, Refusal> {
    let malformed = || Refusal::new(StatusCode::BAD_REQUEST, "signed_request_malformed");
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| malformed())?;
    pairs
        .into_iter()
        .find(|(k, v)| k == "signed_request" && !v.is_empty())
        .map(|(_, v)| v)
        .ok_or_else(malformed)
}

async fn deauthorize(state: &AppState, app: MetaApp, body: &[u8]) -> Result<Response, Response> {
    let webhooks = state.webhooks();
    let value = signed_request(body).map_err(IntoResponse::into_response)?;
    match webhooks.callbacks.deauthorize(app, &value).await {
        Ok(_) => Ok(ok()),
        Err(e) => Err(callback_refusal(e).into_response()),
    }
}

async fn delete_data(state: &AppState, app: MetaApp, body: &[u8]) -> Result<Response, Response> {
    let webhooks = state.webhooks();
    let value = signed_request(body).map_err(IntoResponse::into_response)?;
    match webhooks.callbacks.request_deletion(app, &value).await {
        Ok(receipt) => Ok(axum::Json(receipt).into_response()),
        Err(e) => Err(callback_refusal(e).into_response()),
    }
}

async fn deauthorize_facebook(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Response> {
    deauthorize(&state, MetaApp::Facebook, &body).await
}

async fn deauthorize_instagram(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Response> {
    deauthorize(&state, MetaApp::Instagram, &body).await
}

async fn delete_data_facebook(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Response> {
    delete_data(&state, MetaApp::Facebook, &body).await
}

async fn delete_data_instagram(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Response> {
    delete_data(&state, MetaApp::Instagram, &body).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog, error_copy};

    #[test]
    fn every_refusal_code_has_copy_in_every_language() {
        for code in [
            "webhook_signature",
            "webhook_malformed",
            "webhook_not_stored",
            "webhook_verify_token",
            "signed_request_signature",
            "signed_request_malformed",
        ] {
            assert!(catalog(Locale::En).has(&format!("error.{code}")), "{code}");
            assert_ne!(
                error_copy(Locale::En, code),
                error_copy(Locale::De, code),
                "{code} is translated"
            );
        }
    }

    #[test]
    fn signed_requests_are_read_from_the_form_body() {
        assert_eq!(
            signed_request(b"signed_request=abc.def").ok().as_deref(),
            Some("abc.def")
        );
        assert_eq!(
            signed_request(b"x=1&signed_request=a%2Bb.c")
                .ok()
                .as_deref(),
            Some("a+b.c")
        );
        for bad in [&b""[..], b"signed_request=", b"other=1", b"%zz"] {
            let refusal = signed_request(bad).expect_err("refused");
            assert_eq!(refusal.status, StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn receive_errors_map_to_their_statuses() {
        use herald_webhooks::signature::SignatureError;
        let cases = [
            (
                ReceiveError::Signature(SignatureError::Missing),
                StatusCode::UNAUTHORIZED,
            ),
            (
                ReceiveError::TooLarge(MAX_DELIVERY_BYTES + 1),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                ReceiveError::Malformed("no entry".into()),
                StatusCode::BAD_REQUEST,
            ),
        ];
        for (e, status) in cases {
            let r = receive_refusal(e);
            assert_eq!(r.status, status);
            assert!(r.retry_after.is_none());
        }
        // Not stored: Meta must send it again, so 503 with Retry-After.
        let cause = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let r = receive_refusal(ReceiveError::Storage(
            herald_webhooks::WebhooksError::Encode(cause),
        ));
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.retry_after, Some(RETRY_AFTER_SECS));
        assert!(r.detail.is_some_and(|d| d.contains("could not be stored")));
        let resp = receive_refusal(ReceiveError::Malformed("x".into())).into_response();
        let info = resp.extensions().get::<ErrorInfo>().expect("error info");
        assert_eq!(info.code, "webhook_malformed");
    }
}

/// Property tests: whatever a deauthorize or data-deletion callback posts,
/// reading its form never panics, and a `signed_request` field comes back
/// as sent.
#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_callback_bodies_never_panic(body in prop_oneof![
            vec(any::<u8>(), 0..(16 << 10)),
            "[a-z_=&%+.0-9A-F]{0,200}".prop_map(String::into_bytes),
        ]) {
            if let Ok(value) = signed_request(&body) {
                prop_assert!(!value.is_empty());
            }
        }

        #[test]
        fn the_signed_request_field_comes_back_as_sent(
            value in ".{1,300}",
            before in vec(("[a-z_]{1,10}", ".{0,20}"), 0..3),
            after in vec(("[a-z_]{1,10}", ".{0,20}"), 0..3),
        ) {
            let mut pairs: Vec<(String, String)> = before
                .into_iter()
                .filter(|(k, _)| k != "signed_request")
                .collect();
            pairs.push(("signed_request".into(), value.clone()));
            pairs.extend(after);
            let body = serde_urlencoded::to_string(&pairs).expect("encodes");
            prop_assert_eq!(signed_request(body.as_bytes()).ok(), Some(value));
        }
    }
}
