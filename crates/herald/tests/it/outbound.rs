//! Outbound webhooks over HTTP: endpoints registered through the pages and
//! the JSON API, messages received by a real local receiver that checks
//! every Standard Webhooks signature, retries, replay, secret rotation,
//! the SSRF refusal of private targets and who may manage endpoints.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus, Uri};
use herald_webhooks::standard;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::connections::location;
use crate::helpers::*;

// ------------------------------------------------------------ receiver

/// One message as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }

    /// Whether `secret` verifies this message, as a receiver would check.
    fn verifies_with(&self, secret: &str) -> bool {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        standard::verify(
            secret,
            &self.id,
            &self.timestamp,
            &self.signature,
            &self.body,
            now,
            300,
        )
        .is_ok()
    }
}

#[derive(Default)]
struct ReceiverState {
    got: Mutex<Vec<Received>>,
    /// The status every request is answered with.
    status: AtomicU16,
}

/// A local HTTP server that records every request and answers with a
/// status the test chooses.
#[derive(Clone)]
struct Receiver {
    base: String,
    state: Arc<ReceiverState>,
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> AxumStatus {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.got.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    });
    AxumStatus::from_u16(state.status.load(Ordering::SeqCst)).unwrap()
}

impl Receiver {
    async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        state.status.store(200, Ordering::SeqCst);
        let router = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver {
            base: format!("http://{addr}"),
            state,
        }
    }

    fn answer_with(&self, status: u16) {
        self.state.status.store(status, Ordering::SeqCst);
    }

    fn all(&self) -> Vec<Received> {
        self.state.got.lock().unwrap().clone()
    }

    /// Waits for a message on `path` that `pred` accepts.
    async fn wait_for(&self, path: &str, pred: impl Fn(&Received) -> bool) -> Received {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(r) = self.all().into_iter().find(|r| r.path == path && pred(r)) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "no such message on {path}; got {:?}",
                self.all()
                    .iter()
                    .map(|r| (r.path.clone(), r.kind()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

// ------------------------------------------------------------ helpers

/// The text between the first `start` after `from` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let at = html.find(start)? + start.len();
    let rest = &html[at..];
    Some(&rest[..rest.find(end)?])
}

/// Every secret a page shows.
fn secrets_in(html: &str) -> Vec<String> {
    html.split("data-secret>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect()
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = client.get(app.url(path)).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// The workspace the endpoints page manages, from its create form.
async fn workspace(app: &TestApp, client: &reqwest::Client) -> String {
    let (status, html) = page(client, app, "/home/webhooks/endpoints").await;
    assert_eq!(status, StatusCode::OK);
    between(&html, "action=\"/home/webhooks/endpoints?workspace=", "\"")
        .expect("the create form")
        .to_owned()
}

/// A signed-in session with its CSRF token, for the JSON API.
struct Api<'a> {
    app: &'a TestApp,
    client: &'a reqwest::Client,
    token: String,
    ws: String,
}

impl<'a> Api<'a> {
    async fn new(app: &'a TestApp, client: &'a reqwest::Client, ws: &str) -> Api<'a> {
        Api {
            token: app.csrf_for(client).await,
            app,
            client,
            ws: ws.to_owned(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = self.app.url(&format!("{path}{sep}workspace={}", self.ws));
        let mut req = self
            .client
            .request(method, url)
            .header("x-csrf-token", &self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    async fn get(&self, path: &str) -> Value {
        let resp = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.unwrap()
    }

    async fn endpoints(&self) -> Vec<Value> {
        self.get("/api/webhooks/endpoints")
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    /// Polls the endpoint's log until a delivery satisfies `pred`.
    async fn wait_for_delivery(&self, endpoint: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let log = self
                .get(&format!("/api/webhooks/endpoints/{endpoint}/deliveries"))
                .await;
            if let Some(d) = log.as_array().unwrap().iter().find(|d| pred(d)) {
                return d.clone();
            }
            assert!(Instant::now() < deadline, "no such delivery: {log}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Creates an endpoint through the form; returns its id and the secret
/// the answer shows.
async fn create_by_form(
    app: &TestApp,
    client: &reqwest::Client,
    ws: &str,
    fields: &[(&str, &str)],
) -> (String, String) {
    let resp = app
        .submit(
            client,
            &format!("/home/webhooks/endpoints?workspace={ws}"),
            fields,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["cache-control"],
        "no-store",
        "a page with a secret is not cached"
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("Copy it now"), "the show-once note");
    let secrets = secrets_in(&html);
    assert_eq!(secrets.len(), 1);
    assert!(secrets[0].starts_with("whsec_"), "{secrets:?}");
    let id = between(&html, "action=\"/home/webhooks/endpoints/", "/")
        .expect("the endpoint's forms")
        .to_owned();
    (id, secrets[0].clone())
}

/// A small vertical MP4 in the library of `ws`.
async fn upload_video(app: &TestApp, client: &reqwest::Client, ws: &str, token: &str) -> String {
    let bytes = herald_media::isobmff::build::mp4(1080, 1920, 10_000, false, false, 4096);
    let resp = client
        .post(app.url(&format!("/api/workspaces/{ws}/media?filename=clip.mp4")))
        .header("x-csrf-token", token)
        .header("content-type", "video/mp4")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ------------------------------------------------------------ tests

/// A public address, checked without a DNS lookup (it is never dialled).
const PUBLIC: &str = "https://93.184.215.14/hook";

#[tokio::test]
async fn private_targets_are_refused_by_default_and_only_owners_and_admins_manage_endpoints() {
    let app = spawn_app().await;
    let owner = app.signed_in("hooks-owner@example.com").await;
    let ws = workspace(&app, &owner).await;
    let api = Api::new(&app, &owner, &ws).await;
    let receiver = Receiver::start().await;

    // The empty state explains what endpoints are and how to verify them.
    let (_, html) = page(
        &owner,
        &app,
        &format!("/home/webhooks/endpoints?workspace={ws}"),
    )
    .await;
    assert!(html.contains("No endpoints yet"));
    assert!(html.contains("webhook-signature"));
    assert!(
        html.contains("href=\"/home/webhooks?workspace="),
        "the link back"
    );

    // Plain http to a loopback address: refused in words, input kept.
    let local = format!("{}/hook", receiver.base);
    let path = format!("/home/webhooks/endpoints?workspace={ws}");
    let resp = app
        .submit(
            &owner,
            &path,
            &[
                ("url", &local),
                ("description", "Loopback"),
                ("event_type", "post.failed"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("must start with https://"), "{html}");
    assert!(
        html.contains(&format!("value=\"{local}\"")),
        "the URL is kept"
    );
    assert!(
        html.contains("value=\"Loopback\""),
        "the description is kept"
    );
    assert!(
        html.contains("value=\"post.failed\" checked"),
        "the ticked type stays ticked"
    );

    // https to a loopback address: the SSRF guard says why.
    let loopback = local.replacen("http://", "https://", 1);
    let resp = app.submit(&owner, &path, &[("url", &loopback)]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("does not send webhooks to private, loopback"),
        "{html}"
    );

    // The API says the same with a code; an unknown type and a long
    // description are refused too.
    for (body, code) in [
        (json!({"url": loopback}), "endpoint_url_private"),
        (json!({"url": local}), "endpoint_url_scheme"),
        (
            json!({"url": "https://user:pw@example.com/hook"}),
            "endpoint_url_credentials",
        ),
        (json!({"url": "not a url"}), "endpoint_url_invalid"),
        (
            json!({"url": PUBLIC, "event_types": ["post.exploded"]}),
            "endpoint_unknown_event_type",
        ),
        (
            json!({"url": PUBLIC, "description": "x".repeat(201)}),
            "endpoint_description_too_long",
        ),
    ] {
        let resp = api
            .send(reqwest::Method::POST, "/api/webhooks/endpoints", Some(body))
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["error"]["code"], code);
        assert!(!err["error"]["message"].as_str().unwrap().is_empty());
    }
    assert!(api.endpoints().await.is_empty(), "nothing was created");
    assert!(receiver.all().is_empty(), "nothing was sent");

    // Editors and viewers may not see or change endpoints, pages or API.
    let editor = app
        .member(&owner, &ws, "hooks-editor@example.com", "editor")
        .await;
    let viewer = app
        .member(&owner, &ws, "hooks-viewer@example.com", "viewer")
        .await;
    for client in [&editor, &viewer] {
        let (status, html) = page(client, &app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("You are not allowed to do that."));
        let resp = app
            .submit(client, &path, &[("url", "https://example.com/hook")])
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let them = Api::new(&app, client, &ws).await;
        let resp = them
            .send(reqwest::Method::GET, "/api/webhooks/endpoints", None)
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = them
            .send(
                reqwest::Method::POST,
                "/api/webhooks/endpoints",
                Some(json!({"url": "https://example.com/hook"})),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
    assert!(api.endpoints().await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn endpoints_receive_signed_test_events_and_publish_results_and_can_be_changed() {
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let owner = app.signed_in("hooks-publisher@example.com").await;
    let ws = workspace(&app, &owner).await;
    let api = Api::new(&app, &owner, &ws).await;
    let receiver = Receiver::start().await;

    // Through the form, every type (none ticked); the secret shows once.
    let all_url = format!("{}/all", receiver.base);
    let (all, all_secret) = create_by_form(
        &app,
        &owner,
        &ws,
        &[("url", &all_url), ("description", "Everything")],
    )
    .await;
    let endpoint_page = format!("/home/webhooks/endpoints/{all}?workspace={ws}");
    let (status, html) = page(&owner, &app, &endpoint_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("whsec_"), "the secret is not shown again");
    assert!(html.contains("All event types"));

    // Through the API, only publish results; 201 with the secret once.
    let published_url = format!("{}/published", receiver.base);
    let resp = api
        .send(
            reqwest::Method::POST,
            "/api/webhooks/endpoints",
            Some(json!({"url": published_url, "description": "Go-live feed", "event_types": ["post.published"]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    let feed = created["id"].as_str().unwrap().to_owned();
    let feed_secret = created["secret"].as_str().unwrap().to_owned();
    assert!(feed_secret.starts_with("whsec_"));
    let listed = api.endpoints().await;
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|e| e.get("secret").is_none()),
        "no secret in lists"
    );

    // "Send test event" reaches the receiver, signed with the secret.
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{all}/test?workspace={ws}"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).ends_with("done=test_sent"));
    let test = receiver
        .wait_for("/all", |r| r.kind() == "webhook.endpoint_test")
        .await;
    assert!(test.verifies_with(&all_secret), "{test:?}");
    assert!(
        !test.verifies_with(&feed_secret),
        "another endpoint's secret does not verify"
    );
    let delivery = api
        .wait_for_delivery(&all, |d| d["state"] == "succeeded")
        .await;
    assert_eq!(delivery["message_id"], test.id.as_str());
    let (_, html) = page(&owner, &app, &endpoint_page).await;
    assert!(html.contains(&format!(
        "data-delivery=\"{}\" data-state=\"succeeded\"",
        delivery["id"]
    )));
    assert!(html.contains(&test.id), "the message id in the log");

    // Publishing a post sends `post.published` to both endpoints.
    let token = app.csrf_for(&owner).await;
    let tiktok = crate::posts::connect(&app, &owner, "tiktok").await;
    let video = upload_video(&app, &owner, &ws, &token).await;
    let targets = json!([{"connection_id": tiktok, "variant": {"format": "video", "caption": "Fresh loaves", "media": [video], "privacy": "SELF_ONLY"}}]);
    let resp = api
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": targets, "when": {"action": "now"}})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let post: Value = resp.json().await.unwrap();
    let published = receiver
        .wait_for("/published", |r| r.kind() == "post.published")
        .await;
    assert!(published.verifies_with(&feed_secret));
    let data = &published.json()["data"];
    assert_eq!(data["post_id"], post["id"]);
    assert_eq!(data["provider"], "tiktok");
    let mirrored = receiver
        .wait_for("/all", |r| r.kind() == "post.published")
        .await;
    assert!(mirrored.verifies_with(&all_secret));
    assert!(
        receiver
            .all()
            .iter()
            .all(|r| r.path != "/published" || r.kind() == "post.published"),
        "the feed only gets what it subscribed to"
    );

    // The delivery page shows the payload and the attempt.
    let delivery = api
        .wait_for_delivery(&feed, |d| {
            d["event_type"] == "post.published" && d["state"] == "succeeded"
        })
        .await;
    let (status, html) = page(
        &owner,
        &app,
        &format!(
            "/home/webhooks/endpoints/deliveries/{}?workspace={ws}",
            delivery["id"]
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("post_id"), "the payload");
    assert!(html.contains("data-attempt=\"1\""));
    assert!(
        html.contains("<span class=\"badge ok\">200</span>"),
        "{html}"
    );

    // Editing: a bad change is refused with the input kept, a good one saved.
    let long = "y".repeat(201);
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{feed}?workspace={ws}"),
            &[
                ("url", &published_url),
                ("description", &long),
                ("event_type", "post.failed"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("200 characters or fewer"));
    assert!(html.contains(&format!("value=\"{long}\"")));
    let unchanged = api.get(&format!("/api/webhooks/endpoints/{feed}")).await;
    assert_eq!(unchanged["description"], "Go-live feed");
    assert_eq!(unchanged["event_types"], json!(["post.published"]));
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{feed}?workspace={ws}"),
            &[
                ("url", &published_url),
                ("description", "Results"),
                ("event_type", "post.published"),
                ("event_type", "post.failed"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let changed = api.get(&format!("/api/webhooks/endpoints/{feed}")).await;
    assert_eq!(changed["description"], "Results");
    assert_eq!(
        changed["event_types"],
        json!(["post.published", "post.failed"])
    );

    // The API refuses bad changes with a code and changes nothing.
    let resp = api
        .send(
            reqwest::Method::PATCH,
            &format!("/api/webhooks/endpoints/{feed}"),
            Some(json!({"event_types": ["nope"]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["error"]["code"],
        "endpoint_unknown_event_type"
    );
    assert_eq!(
        api.get(&format!("/api/webhooks/endpoints/{feed}")).await["event_types"],
        json!(["post.published", "post.failed"])
    );

    // Disable and enable, from the page.
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{all}/disable?workspace={ws}"),
            &[],
        )
        .await;
    assert!(location(&resp).ends_with("done=disabled"));
    let (_, html) = page(&owner, &app, &endpoint_page).await;
    assert!(html.contains("data-enabled=\"false\""));
    assert!(html.contains("Disabled by a person in this workspace."));
    assert_eq!(
        api.get(&format!("/api/webhooks/endpoints/{all}")).await["enabled"],
        false
    );
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{all}/enable?workspace={ws}"),
            &[],
        )
        .await;
    assert!(location(&resp).ends_with("done=enabled"));
    assert_eq!(
        api.get(&format!("/api/webhooks/endpoints/{all}")).await["enabled"],
        true
    );

    // Delete: not without the confirmation; then from the page and the API.
    let delete = format!("/home/webhooks/endpoints/{all}/delete?workspace={ws}");
    let resp = app.submit(&owner, &delete, &[]).await;
    assert!(location(&resp).ends_with("error=endpoint_delete_unconfirmed"));
    assert_eq!(api.endpoints().await.len(), 2);
    let resp = app.submit(&owner, &delete, &[("confirm", "yes")]).await;
    assert_eq!(
        location(&resp),
        format!("/home/webhooks/endpoints?workspace={ws}&done=deleted")
    );
    let (status, _) = page(&owner, &app, &endpoint_page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let resp = api
        .send(
            reqwest::Method::DELETE,
            &format!("/api/webhooks/endpoints/{feed}"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(api.endpoints().await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn failed_deliveries_retry_and_replay_and_a_rotated_secret_signs_alongside_the_old() {
    // A stopped clock: after a failure the immediate retry runs, and the
    // next one (5 s later) never comes due, so the replays below are the
    // only further attempts, however slowly the test runs.
    let clock = Arc::new(herald_core::ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(
        Backend::Sqlite,
        &[("HERALD_WEBHOOK_ALLOW_PRIVATE", "true")],
        clock,
    )
    .await;
    let owner = app.signed_in("hooks-replayer@example.com").await;
    let ws = workspace(&app, &owner).await;
    let api = Api::new(&app, &owner, &ws).await;
    let receiver = Receiver::start().await;
    let url = format!("{}/flaky", receiver.base);
    let (id, first_secret) = create_by_form(
        &app,
        &owner,
        &ws,
        &[("url", &url), ("event_type", "webhook.endpoint_test")],
    )
    .await;
    let endpoint_page = format!("/home/webhooks/endpoints/{id}?workspace={ws}");

    // The receiver fails: the delivery is retrying, with its attempts
    // logged (the first and the immediate retry; the clock holds the next).
    receiver.answer_with(500);
    let resp = api
        .send(
            reqwest::Method::POST,
            &format!("/api/webhooks/endpoints/{id}/test"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let queued: Value = resp.json().await.unwrap();
    let failing = api
        .wait_for_delivery(&id, |d| {
            d["id"] == queued["id"] && d["state"] == "retrying" && d["attempts"] == 2
        })
        .await;
    assert_eq!(failing["last_status"], 500);
    let first = receiver.wait_for("/flaky", |_| true).await;
    assert!(first.verifies_with(&first_secret));
    let (_, html) = page(&owner, &app, &format!("{endpoint_page}&state=retrying")).await;
    assert!(html.contains(&format!(
        "data-delivery=\"{}\" data-state=\"retrying\"",
        failing["id"]
    )));
    assert!(html.contains("HTTP 500"));
    let delivery_page = format!(
        "/home/webhooks/endpoints/deliveries/{}?workspace={ws}",
        failing["id"]
    );
    let (_, html) = page(&owner, &app, &delivery_page).await;
    assert!(
        html.contains("<span class=\"badge bad\">500</span>"),
        "{html}"
    );
    let (_, html) = page(&owner, &app, &format!("{endpoint_page}&state=succeeded")).await;
    assert!(!html.contains("data-delivery="), "the filter hides it");

    // It recovers; "Replay selected" makes a new attempt with the same id.
    receiver.answer_with(200);
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{id}/replay?workspace={ws}"),
            &[("delivery", &failing["id"].to_string())],
        )
        .await;
    assert!(
        location(&resp).ends_with("done=replayed"),
        "{}",
        location(&resp)
    );
    api.wait_for_delivery(&id, |d| {
        d["id"] == failing["id"] && d["state"] == "succeeded"
    })
    .await;
    let detail = api
        .get(&format!(
            "/api/webhooks/endpoint-deliveries/{}",
            failing["id"]
        ))
        .await;
    let attempts = detail["attempts"].as_array().unwrap();
    assert!(attempts.len() >= 2, "{detail}");
    assert!(
        attempts.iter().any(|a| !a["replayed_by"].is_null()),
        "{detail}"
    );
    assert!(
        receiver.all().iter().filter(|r| r.id == first.id).count() >= 2,
        "the same webhook-id on every attempt"
    );
    let (_, html) = page(&owner, &app, &delivery_page).await;
    assert!(
        html.contains("hooks-replayer@example.com"),
        "who replayed it"
    );

    // Failing again, then "replay failed since" through the API.
    receiver.answer_with(503);
    let resp = api
        .send(
            reqwest::Method::POST,
            &format!("/api/webhooks/endpoints/{id}/test"),
            None,
        )
        .await;
    let second: Value = resp.json().await.unwrap();
    api.wait_for_delivery(&id, |d| {
        d["id"] == second["id"] && d["state"] == "retrying" && d["attempts"] == 2
    })
    .await;
    receiver.answer_with(200);
    let since = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    let resp = api
        .send(
            reqwest::Method::POST,
            &format!("/api/webhooks/endpoints/{id}/replay"),
            Some(json!({"since": since})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap()["replayed"], 1);
    api.wait_for_delivery(&id, |d| {
        d["id"] == second["id"] && d["state"] == "succeeded"
    })
    .await;
    let resp = api
        .send(
            reqwest::Method::POST,
            &format!("/api/webhooks/endpoints/{id}/replay"),
            Some(json!({"since": "last tuesday"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Rotating shows the new secret and says the old one keeps working.
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{id}/rotate-secret?workspace={ws}"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("keeps working for 24 hours"));
    let rotated = secrets_in(&html);
    assert_eq!(rotated.len(), 1);
    let new_secret = rotated[0].clone();
    assert_ne!(new_secret, first_secret);

    // "Reveal secret" shows both while the old one still signs.
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{id}/secret?workspace={ws}"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let shown = secrets_in(&resp.text().await.unwrap());
    assert_eq!(shown, vec![new_secret.clone(), first_secret.clone()]);

    // The next message carries two signatures: both receivers verify it.
    let seen: Vec<String> = receiver.all().iter().map(|r| r.id.clone()).collect();
    let resp = app
        .submit(
            &owner,
            &format!("/home/webhooks/endpoints/{id}/test?workspace={ws}"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let after = receiver.wait_for("/flaky", |r| !seen.contains(&r.id)).await;
    assert_eq!(
        after.signature.split_whitespace().count(),
        2,
        "{}",
        after.signature
    );
    assert!(after.verifies_with(&new_secret));
    assert!(after.verifies_with(&first_secret));

    // Rotating through the API works the same way.
    let resp = api
        .send(
            reqwest::Method::POST,
            &format!("/api/webhooks/endpoints/{id}/rotate-secret"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let newest = resp.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let secrets = api
        .get(&format!("/api/webhooks/endpoints/{id}/secrets"))
        .await;
    assert_eq!(secrets["secrets"][0], newest.as_str());
    app.stop().await;
}

/// Runs `herald keys ARGS` against `app`'s data folder and database.
async fn keys(app: &TestApp, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("keys")
        .args(args)
        .env_clear()
        .env("HERALD_DATA_DIR", &app.data_dir)
        .env("HERALD_DATABASE_URL", &app.db_url)
        .env("HERALD_LOG", "warn")
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn rotating_the_key_re_encrypts_endpoint_secrets_and_deliveries_still_verify() {
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let owner = app.signed_in("keys-owner@example.com").await;
    let ws = workspace(&app, &owner).await;
    let receiver = Receiver::start().await;
    let url = format!("{}/rotated", receiver.base);
    let (id, secret) = create_by_form(
        &app,
        &owner,
        &ws,
        &[("url", &url), ("event_type", "webhook.endpoint_test")],
    )
    .await;
    let listed = keys(&app, &["list"]).await;
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("1 outbound webhook endpoint secrets"),
        "{listed}"
    );

    // A new key; the running app's worker re-encrypts the endpoint's secret.
    let out = keys(&app, &["rotate"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key_of_secret = || async {
        herald_db::on_pool!(&app.db, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT key_id FROM outbound_endpoints")
                .fetch_one(pool)
                .await
                .unwrap()
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while key_of_secret().await != 2 {
        assert!(Instant::now() < deadline, "not re-encrypted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Nothing uses key 1 any more: it can go.
    let out = keys(&app, &["retire", "1"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The next delivery is still signed with the same secret.
    let api = Api::new(&app, &owner, &ws).await;
    let resp = api
        .send(
            reqwest::Method::POST,
            &format!("/api/webhooks/endpoints/{id}/test"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let got = receiver.wait_for("/rotated", |_| true).await;
    assert!(got.verifies_with(&secret));
    app.stop().await;
}

#[tokio::test]
async fn a_key_an_endpoint_secret_still_uses_cannot_be_retired() {
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let owner = app.signed_in("keys-keeper@example.com").await;
    let ws = workspace(&app, &owner).await;
    create_by_form(
        &app,
        &owner,
        &ws,
        &[
            ("url", "http://127.0.0.1:9/never"),
            ("event_type", "post.failed"),
        ],
    )
    .await;
    // The app stops first, so nothing re-encrypts behind the test's back.
    let mut app = app;
    app.stop_serving().await;
    let out = keys(&app, &["rotate"]).await;
    assert!(out.status.success());
    let out = keys(&app, &["retire", "1"]).await;
    assert!(!out.status.success(), "refused while the secret uses it");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("still protects 1 sealed value"), "{err}");
    // Re-encrypted here and now, it can go.
    let out = keys(&app, &["rotate", "--now"]).await;
    assert!(out.status.success());
    let out = keys(&app, &["retire", "1"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
