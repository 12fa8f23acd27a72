//! The Meta webhook sender: signed deliveries to a receiver on loopback
//! that records the exact bytes, retries, the subscription handshake, and
//! the deauthorize and data-deletion callbacks.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herald_sandbox::WebhookTargets;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::helpers::*;
use crate::meta_publish::{
    Bakery, FB, FB_SCOPES, IG, Media, bakery, get, instagram_login, ok, post, publish, ready,
};

const VERIFY_TOKEN: &str = "herald-verify-token";

fn hmac_hex(secret: &str, bytes: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(bytes);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ------------------------------------------------------------ receiver

/// One request as the receiver saw it.
#[derive(Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The `signed_request` of a callback's form body.
    fn signed_request(&self) -> String {
        url::form_urlencoded::parse(&self.body)
            .find(|(k, _)| k == "signed_request")
            .map(|(_, v)| v.into_owned())
            .expect("a signed_request field")
    }
}

#[derive(Clone, Default)]
struct Recorder {
    requests: Arc<Mutex<Vec<Received>>>,
    /// Statuses for the next deliveries (then 200).
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

/// Herald's side, as small as it gets: `/webhooks/meta` (handshake and
/// deliveries) and the four callback URLs.
struct Receiver {
    base: String,
    recorder: Recorder,
    server: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn verify(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    let mode = q.get("hub.mode").map(String::as_str);
    let token = q.get("hub.verify_token").map(String::as_str);
    match (mode, token, q.get("hub.challenge")) {
        (Some("subscribe"), Some(VERIFY_TOKEN), Some(challenge)) => {
            (StatusCode::OK, challenge.clone()).into_response()
        }
        _ => StatusCode::FORBIDDEN.into_response(),
    }
}

async fn record(State(r): State<Recorder>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().trim_start_matches('/').to_owned();
    r.requests.lock().unwrap().push(Received {
        path: path.clone(),
        headers,
        body,
    });
    if path.ends_with("data-deletion") {
        return axum::Json(json!({
            "url": "https://herald.example/deletion?code=ABC123",
            "confirmation_code": "ABC123",
        }))
        .into_response();
    }
    let status = if path == "webhooks/meta" {
        r.statuses.lock().unwrap().pop_front().unwrap_or(200)
    } else {
        200
    };
    (StatusCode::from_u16(status).unwrap(), "EVENT_RECEIVED").into_response()
}

impl Receiver {
    async fn start() -> Receiver {
        let recorder = Recorder::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .route("/webhooks/meta", axum::routing::get(verify).post(record))
            .route("/{*path}", axum::routing::post(record))
            .with_state(recorder.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Receiver {
            base,
            recorder,
            server,
        }
    }

    fn targets(&self) -> WebhookTargets {
        let mut targets = WebhookTargets::new(
            format!("{}/webhooks/meta", self.base),
            VERIFY_TOKEN,
            format!("{}/meta/deauthorize", self.base),
            format!("{}/meta/data-deletion", self.base),
        );
        targets.instagram_deauthorize_url = Some(format!("{}/instagram/deauthorize", self.base));
        targets.instagram_data_deletion_url =
            Some(format!("{}/instagram/data-deletion", self.base));
        targets.retry_delays = vec![
            Duration::ZERO,
            Duration::from_millis(20),
            Duration::from_millis(20),
        ];
        targets.timeout = Duration::from_secs(5);
        targets
    }

    fn sandbox(&self) -> TestSandbox {
        let targets = self.targets();
        TestSandbox::with(|c| c.webhooks = Some(targets))
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.recorder.statuses.lock().unwrap().extend(statuses);
    }

    fn received(&self, path: &str) -> Vec<Received> {
        self.recorder
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    fn deliveries(&self) -> Vec<Received> {
        self.received("webhooks/meta")
    }

    /// Waits (real time, with a deadline) until `path` got `n` requests.
    async fn wait_for(&self, path: &str, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.received(path);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{path} got {} requests, not {n}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

// --------------------------------------------------------------- helpers

/// Facebook Login's webhook permission on top of `scopes`.
fn with_webhooks(scopes: &str) -> String {
    format!("{scopes},pages_manage_metadata")
}

/// Subscribes the Page (with its token) to `fields`; Meta's answer.
async fn subscribe_page(t: &TestSandbox, page: &str, token: &str, fields: &str) -> Resp {
    post(
        t,
        &format!("{FB}/{page}/subscribed_apps"),
        token,
        &[("subscribed_fields", fields)],
    )
    .await
}

/// The Bakery Page with the webhook permission, subscribed to `feed` (and
/// `messages` when `scopes` has `pages_messaging`): its Instagram account
/// gets its webhooks through it.
async fn subscribed_bakery(t: &TestSandbox, scopes: &str) -> Bakery {
    let b = bakery(t, &with_webhooks(scopes)).await;
    let fields = if scopes.contains("pages_messaging") {
        "feed,messages"
    } else {
        "feed"
    };
    ok(&subscribe_page(t, &b.page, &b.page_token, fields).await);
    b
}

/// An Instagram Login account subscribed to comments and mentions.
async fn subscribed_instagram_login(t: &TestSandbox) -> (String, String) {
    let (token, ig) = instagram_login(t).await;
    ok(&post(
        t,
        &format!("{IG}/me/subscribed_apps"),
        &token,
        &[("subscribed_fields", "comments,mentions")],
    )
    .await);
    (token, ig)
}

async fn send(t: &TestSandbox, body: Value) -> Value {
    let res = t.post_json("/_admin/webhooks/send", &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// The sender's log entry `id`.
async fn log_entry(t: &TestSandbox, id: &str) -> Value {
    let log = t.get("/_admin/webhooks").await.json();
    log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not in the log: {log}"))
}

/// Polls the log until entry `id` reaches `state`.
async fn until_state(t: &TestSandbox, id: &str, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let entry = log_entry(t, id).await;
        if entry["state"] == state {
            return entry;
        }
        assert!(Instant::now() < deadline, "{id} never got {state}: {entry}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Publishes a JPEG post on the Bakery's Instagram account; returns its id.
async fn publish_photo(
    t: &TestSandbox,
    media: &Media,
    base: &str,
    ig: &str,
    token: &str,
) -> String {
    let container = ready(
        t,
        base,
        ig,
        token,
        &[("image_url", &media.url("photo.jpg")), ("caption", "Brot")],
    )
    .await;
    ok(&publish(t, base, ig, token, &container).await)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn decode_signed_request(value: &str) -> (Vec<u8>, String, Value) {
    let (sig, payload) = value.split_once('.').expect("sig.payload");
    assert!(!value.contains('='), "no base64 padding: {value}");
    let signature = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let json = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (signature, payload.to_owned(), json)
}

fn signed_request_verifies(value: &str, secret: &str) -> bool {
    let (signature, payload, _) = decode_signed_request(value);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    mac.verify_slice(&signature).is_ok()
}

// ----------------------------------------------------------------- tests

#[tokio::test]
async fn a_comments_delivery_is_signed_over_the_escaped_bytes_and_creates_the_comment() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let media = Media::start().await;
    let b = subscribed_bakery(&t, FB_SCOPES).await;
    let media_id = publish_photo(&t, &media, FB, &b.ig, &b.page_token).await;

    let text = "Grüße aus Köln 🥐 @demo.bakery 100% / top";
    let answer = send(
        &t,
        json!({"account": "demo.bakery", "field": "comments", "text": text}),
    )
    .await;
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["attempts"], 1);
    assert_eq!(answer["state"], "delivered");
    assert_eq!(answer["entry_id"], b.ig.as_str());

    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 1);
    let got = &deliveries[0];
    let raw = std::str::from_utf8(&got.body).unwrap();
    assert_eq!(answer["body"], raw, "the answer shows the exact bytes sent");
    assert_eq!(
        got.header("x-hub-signature-256").unwrap(),
        format!(
            "sha256={}",
            hmac_hex(&t.sb.config().meta.client_secret, &got.body)
        )
    );
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("user-agent"), Some("facebookexternalua"));
    // Meta's escaping: lowercase \u escapes, surrogate pairs, \/ and @.
    assert!(raw.is_ascii());
    assert!(raw.contains(
        r"Gr\u00fc\u00dfe aus K\u00f6ln \ud83e\udd50 \u0040demo.bakery 100\u0025 \/ top"
    ));
    let body = got.json();
    assert_ne!(
        serde_json::to_string(&body).unwrap(),
        raw,
        "a re-serialization differs from the signed bytes"
    );

    assert_eq!(body["object"], "instagram");
    let entry = &body["entry"][0];
    assert_eq!(entry["id"], b.ig.as_str());
    assert_eq!(entry["time"], t.clock_now().as_second());
    let change = &entry["changes"][0];
    assert_eq!(change["field"], "comments");
    let value = &change["value"];
    assert_eq!(value["text"], text);
    assert_eq!(value["media"]["id"], media_id.as_str());
    assert_eq!(value["media"]["media_product_type"], "FEED");
    let comment_id = value["id"].as_str().unwrap();
    let commenter = value["from"]["username"].as_str().unwrap();
    assert!(value["from"]["id"].as_str().unwrap().len() > 10);

    // The comment is real: the Graph API lists it on the media.
    let listed = ok(&get(
        &t,
        &format!("{FB}/{media_id}/comments?fields=id,text,username"),
        &b.page_token,
    )
    .await);
    assert_eq!(
        listed["data"][0],
        json!({"id": comment_id, "text": text, "username": commenter})
    );

    // A batch: several entries, each its own comment.
    let answer = send(
        &t,
        json!({"account": b.ig, "field": "comments", "count": 3}),
    )
    .await;
    assert_eq!(answer["status"], 200);
    let batch = receiver.deliveries()[1].json();
    let entries = batch["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["id"] == b.ig.as_str()));
    let listed = ok(&get(&t, &format!("{FB}/{media_id}/comments"), &b.page_token).await);
    assert_eq!(listed["data"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn page_feed_and_instagram_login_deliveries_name_the_ids_the_graph_api_reports() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = subscribed_bakery(&t, &format!("{FB_SCOPES},pages_messaging")).await;

    // Page feed: a follower's comment on the latest post.
    let post_id = ok(&post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[("message", "Open today")],
    )
    .await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = send(
        &t,
        json!({"account": b.page, "field": "feed", "text": "Schön! Bis später"}),
    )
    .await;
    assert_eq!(answer["status"], 200);
    let got = &receiver.deliveries()[0];
    assert_eq!(
        got.header("x-hub-signature-256").unwrap(),
        format!(
            "sha256={}",
            hmac_hex(&t.sb.config().meta.client_secret, &got.body)
        )
    );
    let body = got.json();
    assert_eq!(body["object"], "page");
    assert_eq!(body["entry"][0]["id"], b.page.as_str());
    let value = &body["entry"][0]["changes"][0]["value"];
    assert_eq!(body["entry"][0]["changes"][0]["field"], "feed");
    assert_eq!(
        (&value["item"], &value["verb"], &value["post_id"]),
        (&json!("comment"), &json!("add"), &json!(post_id))
    );
    let comment_id = value["comment_id"].as_str().unwrap();
    assert!(comment_id.starts_with(post_id.split_once('_').unwrap().1));
    let comments = ok(&get(
        &t,
        &format!("{FB}/{post_id}/comments?fields=id,message,from"),
        &b.page_token,
    )
    .await);
    assert_eq!(comments["data"][0]["id"], comment_id);
    assert_eq!(comments["data"][0]["message"], "Schön! Bis später");
    assert_eq!(comments["data"][0]["from"], value["from"]);
    // The post's permalink travels with \/ escapes.
    assert!(
        std::str::from_utf8(&got.body)
            .unwrap()
            .contains(r"https:\/\/www.facebook.com\/")
    );

    // Messaging style for messages.
    send(
        &t,
        json!({"account": b.page, "field": "messages", "text": "Hallo"}),
    )
    .await;
    let body = receiver.deliveries()[1].json();
    let item = &body["entry"][0]["messaging"][0];
    assert_eq!(item["recipient"]["id"], b.page.as_str());
    assert_eq!(item["message"]["text"], "Hallo");
    assert!(item["message"]["mid"].as_str().unwrap().starts_with("m_"));
    assert!(item["timestamp"].as_i64().unwrap() > 1_000_000_000_000);

    // Instagram Login (another sandbox, so only that login is connected):
    // signed with the Instagram app secret, entry id = /me user_id.
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let media = Media::start().await;
    let (token, ig) = subscribed_instagram_login(&t).await;
    let media_id = publish_photo(&t, &media, IG, &ig, &token).await;
    let answer = send(&t, json!({"account": ig, "field": "comments"})).await;
    assert_eq!(answer["app"], "instagram");
    let got = &receiver.deliveries()[0];
    let instagram_secret = &t.sb.config().instagram.client_secret;
    assert_eq!(
        got.header("x-hub-signature-256").unwrap(),
        format!("sha256={}", hmac_hex(instagram_secret, &got.body))
    );
    let body = got.json();
    assert_eq!(body["object"], "instagram");
    assert_eq!(body["entry"][0]["id"], ig.as_str());
    let comment = &body["entry"][0]["changes"][0]["value"];
    let listed = ok(&get(
        &t,
        &format!("{IG}/{media_id}/comments?fields=id,text"),
        &token,
    )
    .await);
    assert_eq!(listed["data"][0]["id"], comment["id"]);
    assert_eq!(listed["data"][0]["text"], comment["text"]);
}

#[tokio::test]
async fn bad_signatures_arrive_wrong_as_asked_and_are_not_retried() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = subscribed_bakery(&t, FB_SCOPES).await;
    let secret = t.sb.config().meta.client_secret.clone();
    receiver.answer_next(&[403, 403, 403, 403]);
    let mut ids = Vec::new();
    for mode in ["tampered", "missing", "wrong_secret", "malformed"] {
        let answer = send(
            &t,
            json!({"account": b.ig, "field": "mentions", "signature": mode}),
        )
        .await;
        assert_eq!(answer["status"], 403, "{mode}");
        assert_eq!(answer["state"], "failed", "{mode}");
        ids.push(answer["delivery_id"].as_str().unwrap().to_owned());
    }
    let got = receiver.deliveries();
    assert_eq!(got.len(), 4);

    // Tampered: signed, then a byte inserted.
    let tampered = &got[0];
    let header = tampered.header("x-hub-signature-256").unwrap();
    assert_ne!(
        header,
        format!("sha256={}", hmac_hex(&secret, &tampered.body))
    );
    let mut original = tampered.body.to_vec();
    assert_eq!(original.remove(1), b' ');
    assert_eq!(header, format!("sha256={}", hmac_hex(&secret, &original)));
    let value = &tampered.json()["entry"][0]["changes"][0]["value"];
    assert!(value["media_id"].is_string() && value["comment_id"].is_string());

    assert_eq!(got[1].header("x-hub-signature-256"), None);

    let wrong = got[2].header("x-hub-signature-256").unwrap();
    let digits = wrong.strip_prefix("sha256=").unwrap();
    assert!(digits.len() == 64 && digits.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(digits, hmac_hex(&secret, &got[2].body));

    let malformed = got[3].header("x-hub-signature-256").unwrap();
    let digits = malformed.strip_prefix("sha256=").unwrap_or(malformed);
    assert!(!(digits.len() == 64 && digits.bytes().all(|c| c.is_ascii_hexdigit())));

    // Longer than the whole retry schedule: still one attempt each.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.deliveries().len(), 4);
    for id in &ids {
        let entry = log_entry(&t, id).await;
        assert_eq!(entry["attempts"].as_array().unwrap().len(), 1, "{entry}");
        assert_eq!(entry["retry"], false);
        assert_eq!(entry["state"], "failed");
    }
    assert_eq!(log_entry(&t, &ids[2]).await["signature"], "wrong_secret");
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_answered_then_given_up() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = subscribed_bakery(&t, FB_SCOPES).await;

    receiver.answer_next(&[500, 500]);
    let answer = send(&t, json!({"account": b.ig, "field": "mentions"})).await;
    assert_eq!(answer["status"], 500);
    assert_eq!(answer["attempts"], 1);
    assert_eq!(answer["state"], "retrying");
    let id = answer["delivery_id"].as_str().unwrap();
    let entry = until_state(&t, id, "delivered").await;
    let statuses: Vec<&Value> = entry["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    assert!(entry["attempts"][0]["at"].is_string());
    let got = receiver.deliveries();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|d| d.body == got[0].body
        && d.header("x-hub-signature-256") == got[0].header("x-hub-signature-256")));

    // Every attempt fails: the first and three retries, then it stops.
    receiver.answer_next(&[503; 10]);
    let answer = send(&t, json!({"account": b.ig, "field": "mentions"})).await;
    let id = answer["delivery_id"].as_str().unwrap();
    let entry = until_state(&t, id, "failed").await;
    assert_eq!(entry["attempts"].as_array().unwrap().len(), 4);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(receiver.deliveries().len(), 3 + 4);

    // retry: false sends once.
    let answer = send(
        &t,
        json!({"account": b.ig, "field": "mentions", "retry": false}),
    )
    .await;
    assert_eq!(answer["state"], "failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(receiver.deliveries().len(), 3 + 4 + 1);

    // No receiver at all: a connection error, retried like a failure.
    let mut targets = receiver.targets();
    targets.callback_url = "http://127.0.0.1:9/webhooks/meta".into();
    let t2 = TestSandbox::with(|c| c.webhooks = Some(targets));
    subscribed_bakery(&t2, FB_SCOPES).await;
    let answer = send(&t2, json!({"account": "demo", "field": "mentions"})).await;
    assert_eq!(answer["status"], Value::Null);
    assert!(answer["error"].is_string(), "{answer}");
    let id = answer["delivery_id"].as_str().unwrap();
    let entry = until_state(&t2, id, "failed").await;
    assert!(entry["attempts"][3]["error"].is_string());
}

#[tokio::test]
async fn the_subscription_handshake_reports_whether_the_challenge_came_back() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let res = t.post_json("/_admin/webhooks/subscribe", &json!({})).await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["status"], 200);
    assert_eq!(body["echoed"], body["challenge"]);
    assert!(
        body["challenge"]
            .as_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit())
    );

    let body = t
        .post_json(
            "/_admin/webhooks/subscribe",
            &json!({"verify_token": "not-the-token"}),
        )
        .await
        .json();
    assert_eq!(body["ok"], false);
    assert_eq!(body["status"], 403);
    let entry = log_entry(&t, body["log_id"].as_str().unwrap()).await;
    assert_eq!(entry["kind"], "verification");
    assert_eq!(entry["state"], "failed");
    assert!(
        !entry["url"].as_str().unwrap().contains("verify_token"),
        "the log does not show the token"
    );
}

#[tokio::test]
async fn deauthorize_and_data_deletion_carry_a_signed_request_for_the_stored_user_id() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let token = t.meta_login("demo", "pages_show_list", &["0"]).await;
    let me = ok(&get(&t, "/graph.facebook.com/v25.0/me?fields=id", &token).await);
    let meta_secret = t.sb.config().meta.client_secret.clone();

    let res = t
        .post_json(
            "/_admin/meta/deauthorize",
            &json!({"username": "demo", "app": "facebook"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let answer = res.json();
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["body"], "EVENT_RECEIVED");
    assert_eq!(answer["user_id"], me["id"]);
    let got = &receiver.received("meta/deauthorize")[0];
    assert_eq!(
        got.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let signed = got.signed_request();
    assert!(signed_request_verifies(&signed, &meta_secret));
    let (_, _, payload) = decode_signed_request(&signed);
    assert_eq!(payload["algorithm"], "HMAC-SHA256");
    assert_eq!(payload["user_id"], me["id"]);
    assert_eq!(payload["issued_at"], t.clock_now().as_second());

    let answer = t
        .post_json(
            "/_admin/meta/data-deletion",
            &json!({"account": "demo.bakery", "signature": "valid"}),
        )
        .await
        .json();
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["confirmation_code"], "ABC123");
    assert_eq!(answer["body"]["confirmation_code"], "ABC123");
    assert_eq!(answer["url"], "https://herald.example/deletion?code=ABC123");
    let got = &receiver.received("meta/data-deletion")[0];
    assert!(signed_request_verifies(&got.signed_request(), &meta_secret));
    assert_eq!(
        decode_signed_request(&got.signed_request()).2["user_id"],
        me["id"]
    );

    // Tampered: the payload names someone else after signing.
    t.post_json(
        "/_admin/meta/deauthorize",
        &json!({"username": "demo", "signature": "tampered"}),
    )
    .await;
    let forged = receiver.received("meta/deauthorize")[1].signed_request();
    assert!(!signed_request_verifies(&forged, &meta_secret));
    assert_ne!(decode_signed_request(&forged).2["user_id"], me["id"]);

    // The Instagram app: its own URL, secret and user id (/me user_id).
    let (ig_token, _) = instagram_login(&t).await;
    let ig_me = ok(&get(&t, &format!("{IG}/me?fields=user_id"), &ig_token).await);
    let answer = t
        .post_json(
            "/_admin/meta/deauthorize",
            &json!({"username": "demo", "app": "instagram"}),
        )
        .await
        .json();
    assert_eq!(answer["user_id"], ig_me["user_id"]);
    let signed = receiver.received("instagram/deauthorize")[0].signed_request();
    assert!(signed_request_verifies(
        &signed,
        &t.sb.config().instagram.client_secret
    ));
    assert!(!signed_request_verifies(&signed, &meta_secret));
    assert_eq!(
        decode_signed_request(&signed).2["user_id"],
        ig_me["user_id"]
    );
}

#[tokio::test]
async fn removing_the_app_sends_the_deauthorize_callback() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let token = t.meta_login("demo", "pages_show_list", &["0"]).await;
    let me = ok(&get(&t, "/graph.facebook.com/v25.0/me?fields=id", &token).await);
    let res = t
        .post_json(
            "/_admin/revoke",
            &json!({"platform": "meta", "username": "demo"}),
        )
        .await
        .json();
    let log_id = res["deauthorize_log_id"].as_str().unwrap().to_owned();
    let got = receiver.wait_for("meta/deauthorize", 1).await;
    let signed = got[0].signed_request();
    assert!(signed_request_verifies(
        &signed,
        &t.sb.config().meta.client_secret
    ));
    assert_eq!(decode_signed_request(&signed).2["user_id"], me["id"]);
    let entry = until_state(&t, &log_id, "delivered").await;
    assert_eq!(entry["kind"], "deauthorize");

    // A user who never signed in there removes nothing and sends nothing.
    let res = t
        .post_json(
            "/_admin/revoke",
            &json!({"platform": "instagram", "username": "demo"}),
        )
        .await
        .json();
    assert!(res.get("deauthorize_log_id").is_none(), "{res}");
}

#[tokio::test]
async fn refusals_say_what_is_missing() {
    let t = TestSandbox::new();
    let res = t
        .post_json(
            "/_admin/webhooks/send",
            &json!({"account": "demo", "field": "mentions"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "webhooks_not_configured");

    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = bakery(&t, &with_webhooks(FB_SCOPES)).await;
    // Subscribed to a field the sandbox builds no value for, too.
    ok(&subscribe_page(&t, &b.page, &b.page_token, "feed,mention").await);
    let cases = [
        (
            json!({"account": b.ig, "field": "comments"}),
            409,
            "no_media",
        ),
        (
            json!({"account": b.ig, "field": "story_insights"}),
            409,
            "no_story",
        ),
        (json!({"account": b.page, "field": "feed"}), 409, "no_post"),
        (
            json!({"account": "17841000000000000", "field": "comments"}),
            404,
            "unknown_account",
        ),
        (
            json!({"account": b.page, "field": "mention"}),
            400,
            "unsupported_field",
        ),
        (
            json!({"account": b.page, "field": "messages"}),
            409,
            "not_subscribed",
        ),
        (json!({"account": b.ig, "field": ""}), 400, "invalid_field"),
        (
            json!({"account": b.ig, "field": "mentions", "signature": "forged"}),
            400,
            "unknown_signature",
        ),
        (
            json!({"account": b.ig, "field": "mentions", "count": 1001}),
            400,
            "invalid_count",
        ),
    ];
    for (body, status, code) in cases {
        let res = t.post_json("/_admin/webhooks/send", &body).await;
        assert_eq!(res.status.as_u16(), status, "{body}: {}", res.text());
        assert_eq!(res.json()["error"]["code"], code, "{body}");
    }
    assert!(receiver.deliveries().is_empty());

    // An explicit value goes out as given, for any field.
    let value = json!({"id": "1", "text": "live"});
    send(
        &t,
        json!({"account": b.ig, "field": "live_comments", "value": value}),
    )
    .await;
    let body = receiver.deliveries()[0].json();
    assert_eq!(
        body["entry"][0]["changes"][0],
        json!({"field": "live_comments", "value": value})
    );
}

#[tokio::test]
async fn story_insights_describe_the_latest_story() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let media = Media::start().await;
    let b = subscribed_bakery(&t, FB_SCOPES).await;
    let story = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("media_type", "STORIES"),
            ("image_url", &media.url("photo.jpg")),
        ],
    )
    .await;
    let story_id = ok(&publish(&t, FB, &b.ig, &b.page_token, &story).await)["id"].clone();
    send(&t, json!({"account": b.ig, "field": "story_insights"})).await;
    let value = receiver.deliveries()[0].json()["entry"][0]["changes"][0]["value"].clone();
    assert_eq!(value["media_id"], story_id);
    let n = |k: &str| value[k].as_u64().unwrap();
    assert!(n("reach") <= n("impressions"));
    for k in ["taps_forward", "taps_back", "exits", "replies"] {
        assert!(value[k].is_u64(), "{k}: {value}");
    }
}

#[tokio::test]
async fn the_index_page_offers_webhook_forms_that_post_back() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = subscribed_bakery(&t, FB_SCOPES).await;
    let html = t.get("/").await.text();
    assert!(html.contains("<h2>Webhooks</h2>"));
    assert!(html.contains(&format!("action=\"{BASE}/_admin/webhooks/send\"")));
    assert!(html.contains(&format!("action=\"{BASE}/_admin/webhooks/subscribe\"")));
    assert!(html.contains(&format!("action=\"{BASE}/_admin/meta/deauthorize\"")));
    assert!(html.contains(&format!("formaction=\"{BASE}/_admin/meta/data-deletion\"")));
    assert!(html.contains(&b.ig) && html.contains(&b.page));
    assert!(!html.contains("<script") && !html.contains("style="));
    assert!(!html.contains(VERIFY_TOKEN));

    let res = t
        .post_form(
            "/_admin/webhooks/send",
            &form(&[
                ("account", &b.ig),
                ("app", "facebook"),
                ("field", "mentions"),
                ("text", ""),
                ("signature", "missing"),
            ]),
        )
        .await;
    assert_eq!(res.location(), format!("{BASE}/"));
    assert_eq!(receiver.deliveries()[0].header("x-hub-signature-256"), None);

    // A refusal comes back as a notice on the page, once.
    let res = t
        .post_form(
            "/_admin/webhooks/send",
            &form(&[("account", &b.ig), ("field", "comments")]),
        )
        .await;
    assert_eq!(res.location(), format!("{BASE}/"));
    let html = t.get("/").await.text();
    assert!(html.contains("no published post or reel"), "{html}");
    assert!(html.contains("mentions for"));
    assert!(
        !t.get("/")
            .await
            .text()
            .contains("no published post or reel")
    );

    // Without targets the section says how to turn it on.
    let plain = TestSandbox::new().get("/").await.text();
    assert!(plain.contains("SandboxConfig::webhooks"));
}

#[tokio::test]
async fn a_messages_delivery_opens_the_messaging_window_for_its_sender() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = subscribed_bakery(&t, &format!("{FB_SCOPES},pages_messaging")).await;
    let report = send(
        &t,
        json!({"account": b.page, "field": "messages", "text": "Habt ihr noch Brezeln?"}),
    )
    .await;
    let delivered = receiver.wait_for("webhooks/meta", 1).await;
    let item = &delivered[0].json()["entry"][0]["messaging"][0];
    let sender = item["sender"]["id"].as_str().unwrap().to_owned();
    assert_eq!(report["entry_id"], b.page.as_str());
    // The sandbox remembers the message: the Page may answer now ...
    let conversation =
        t.sb.engagement()
            .conversations
            .into_iter()
            .find(|c| c.person_id == sender)
            .expect("the delivered message is kept");
    assert_eq!(conversation.account_id, b.page);
    assert_eq!(conversation.messages[0].text, "Habt ihr noch Brezeln?");
    assert_eq!(
        conversation.messages[0].id,
        item["message"]["mid"].as_str().unwrap()
    );
    let path = format!("{FB}/{}/messages", b.page);
    let to = json!({"id": sender}).to_string();
    let text = json!({"text": "Ja!"}).to_string();
    let pairs = [
        ("recipient", to.as_str()),
        ("messaging_type", "RESPONSE"),
        ("message", text.as_str()),
    ];
    ok(&post(&t, &path, &b.page_token, &pairs).await);
    // ... and not a day and a second later.
    t.advance(86_401);
    let res = post(&t, &path, &b.page_token, &pairs).await;
    assert_eq!(res.json()["error"]["error_subcode"], 2018278);
}

#[tokio::test]
async fn meta_sends_nothing_about_an_account_that_is_not_subscribed_to_the_field() {
    let receiver = Receiver::start().await;
    let t = receiver.sandbox();
    let b = bakery(&t, &with_webhooks(FB_SCOPES)).await;
    ok(&post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[("message", "Open today")],
    )
    .await);
    let refused = |body: Value| {
        let t = &t;
        async move {
            let res = t.post_json("/_admin/webhooks/send", &body).await;
            assert_eq!(res.status, StatusCode::CONFLICT, "{body}: {}", res.text());
            let error = res.json()["error"].clone();
            assert_eq!(error["code"], "not_subscribed", "{body}");
            error["message"].as_str().unwrap().to_owned()
        }
    };
    // Not subscribed: neither the Page nor its Instagram account.
    let why = refused(json!({"account": b.page, "field": "feed"})).await;
    assert!(why.contains("subscribed_apps"), "{why}");
    refused(json!({"account": b.ig, "field": "mentions"})).await;
    // Even a value given as is, or a bad signature on purpose.
    refused(json!({"account": b.ig, "field": "mentions", "value": {"media_id": "1"}})).await;
    refused(json!({"account": b.page, "field": "feed", "signature": "tampered"})).await;
    assert!(receiver.deliveries().is_empty());
    assert!(t.get("/").await.text().contains("not subscribed"));

    // Subscribed to feed: feed comes, and the Instagram account's fields
    // through the Page; messages (not subscribed) do not.
    ok(&subscribe_page(&t, &b.page, &b.page_token, "feed").await);
    send(&t, json!({"account": b.page, "field": "feed"})).await;
    send(&t, json!({"account": b.ig, "field": "mentions"})).await;
    refused(json!({"account": b.page, "field": "messages"})).await;
    assert_eq!(receiver.deliveries().len(), 2);
    assert!(t.get("/").await.text().contains("webhooks: feed"));

    // Unsubscribed again: nothing.
    let res = t
        .request(
            axum::http::Method::DELETE,
            &format!(
                "{FB}/{}/subscribed_apps?access_token={}",
                b.page, b.page_token
            ),
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(ok(&res), json!({"success": true}));
    refused(json!({"account": b.page, "field": "feed"})).await;
    refused(json!({"account": b.ig, "field": "mentions"})).await;

    // An Instagram Login account: only its own subscription counts.
    let (token, ig) = instagram_login(&t).await;
    refused(json!({"account": ig, "app": "instagram", "field": "mentions"})).await;
    ok(&post(
        &t,
        &format!("{IG}/me/subscribed_apps"),
        &token,
        &[("subscribed_fields", "mentions")],
    )
    .await);
    send(
        &t,
        json!({"account": ig, "app": "instagram", "field": "mentions"}),
    )
    .await;
    refused(json!({"account": ig, "app": "instagram", "field": "story_insights"})).await;
    assert_eq!(receiver.deliveries().len(), 3);
}
