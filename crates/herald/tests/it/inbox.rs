//! The engagement inbox over real HTTP against the built-in sandbox: a
//! post published to Instagram, a follower's comment on it sent by the
//! sandbox as a signed webhook, listed by `/api/inbox` with the post it
//! belongs to, answered from Herald (the reply in the sandbox's state),
//! assigned, noted and done; who gets what (a stranger, another workspace,
//! lower roles), malformed and huge input that changes nothing, the
//! messaging window's refusal as its code and in words, the pages without
//! JavaScript, and the live stream's events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::{Clock, ManualClock, SignedDuration, SystemClock};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::connections::location;
use crate::helpers::*;

/// A JPEG the sandbox's Instagram takes (square, 640 px).
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 640, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 3) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

pub(crate) struct World {
    pub app: TestApp,
    /// The owner, signed in.
    pub owner: reqwest::Client,
    pub token: String,
    pub ws: String,
    /// The Instagram connection (Instagram Login) and its account's id.
    pub connection: String,
    pub ig: String,
}

/// The id of the person signed in on `client`.
async fn user_id(app: &TestApp, client: &reqwest::Client) -> i64 {
    let me: Value = client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["id"].as_i64().expect("the caller's id")
}

/// Waits (polling) until `check` gives a value.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "never saw {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl World {
    pub(crate) async fn new(email: &str) -> World {
        World::on(email, Arc::new(SystemClock)).await
    }

    pub(crate) async fn on(email: &str, clock: Arc<dyn Clock>) -> World {
        let app = spawn_app_with_clock(Backend::Sqlite, &[], clock).await;
        let owner = app.signed_in(email).await;
        let connection = crate::posts::connect(&app, &owner, "instagram").await;
        let token = app.csrf_for(&owner).await;
        let list: Vec<Value> = owner
            .get(app.url("/api/platforms/instagram/connections"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ig = list
            .iter()
            .find(|c| c["id"] == connection.as_str())
            .and_then(|c| c["remote_id"].as_str())
            .unwrap()
            .to_owned();
        let ws = app.settings_workspace(&owner).await;
        World {
            app,
            owner,
            token,
            ws,
            connection,
            ig,
        }
    }

    pub(crate) async fn send(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = client
            .request(method, self.app.url(path))
            .header("x-csrf-token", self.app.csrf_for(client).await);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) async fn get(&self, client: &reqwest::Client, path: &str) -> (StatusCode, Value) {
        self.send(client, reqwest::Method::GET, path, None).await
    }

    /// Publishes an image post to the Instagram account now; returns its
    /// id once the platform has it.
    pub(crate) async fn publish(&self, caption: &str) -> String {
        let resp = self
            .owner
            .post(self.app.url(&format!(
                "/api/workspaces/{}/media?filename=rye.jpg",
                self.ws
            )))
            .header("x-csrf-token", &self.token)
            .header("content-type", "image/jpeg")
            .body(jpeg())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let media: Value = resp.json().await.unwrap();
        let (status, post) = self
            .send(
                &self.owner,
                reqwest::Method::POST,
                &format!("/api/posts?workspace={}", self.ws),
                Some(json!({
                    "targets": [{"connection_id": self.connection, "variant": {
                        "format": "image", "caption": caption, "media": [media["id"]]}}],
                    "when": {"action": "now"}
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        let id = post["id"].as_str().unwrap().to_owned();
        eventually("the post published", || async {
            let (_, post) = self
                .get(
                    &self.owner,
                    &format!("/api/posts/{id}?workspace={}", self.ws),
                )
                .await;
            (post["status"] == "published").then_some(())
        })
        .await;
        id
    }

    /// The sandbox sends Herald a signed `field` delivery about the
    /// Instagram account (a follower's comment on its latest post, or a
    /// direct message) with `text`.
    pub(crate) async fn sandbox_sends(&self, field: &str, text: &str) {
        let resp = reqwest::Client::new()
            .post(self.app.url("/sandbox/_admin/webhooks/send"))
            .json(&json!({"field": field, "account": self.ig, "text": text}))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], 200, "Herald took the delivery: {body}");
    }

    /// The inbox item saying `text`, once processing has stored it.
    pub(crate) async fn item(&self, text: &str) -> Value {
        eventually(&format!("an item saying {text:?}"), || async {
            let (status, page) = self
                .get(&self.owner, &format!("/api/inbox?workspace={}", self.ws))
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["text"] == text)
                .cloned()
        })
        .await
    }

    /// The thread of `item` once its newest action is no longer queued.
    pub(crate) async fn settled(&self, item: i64) -> Value {
        eventually("the action's outcome", || async {
            let (_, thread) = self
                .get(
                    &self.owner,
                    &format!("/api/inbox/{item}?workspace={}", self.ws),
                )
                .await;
            let last = thread["actions"].as_array()?.last()?.clone();
            (last["state"] != "queued").then_some(thread)
        })
        .await
    }

    /// What the sandbox says Herald did there.
    pub(crate) async fn sandbox_engagement(&self) -> Value {
        reqwest::Client::new()
            .get(self.app.url("/sandbox/_admin/engagement"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_sandbox_comment_is_listed_with_its_post_answered_assigned_noted_and_done() {
    let w = World::new("inbox-owner@example.com").await;
    let post = w.publish("Rye, fresh from the oven").await;
    w.sandbox_sends("comments", "Is the rye vegan?").await;
    let item = w.item("Is the rye vegan?").await;
    assert_eq!(item["kind"], "comment");
    assert_eq!(item["read"], false);
    assert_eq!(item["account"]["id"], w.connection.as_str());
    let id = item["id"].as_i64().unwrap();
    let ws = &w.ws;

    let (status, thread) = w
        .get(&w.owner, &format!("/api/inbox/{id}?workspace={ws}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    assert_eq!(thread["post"]["post_id"], post.as_str(), "{thread}");
    assert_eq!(thread["post"]["caption"], "Rye, fresh from the oven");
    assert_eq!(thread["offered"]["reply"], true, "{thread}");

    let me = user_id(&w.app, &w.owner).await;
    let (status, assigned) = w
        .send(
            &w.owner,
            reqwest::Method::POST,
            &format!("/api/inbox/{id}/assign?workspace={ws}"),
            Some(json!({"user_id": me})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["assignee"]["id"], me);
    let (_, mine) = w
        .get(&w.owner, &format!("/api/inbox?workspace={ws}&assigned=me"))
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);

    let (status, queued) = w
        .send(
            &w.owner,
            reqwest::Method::POST,
            &format!("/api/inbox/{id}/reply?workspace={ws}"),
            Some(json!({"text": "Yes, only flour, water and salt."})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["state"], "queued");
    let thread = w.settled(id).await;
    let action = &thread["actions"][0];
    assert_eq!(action["state"], "sent", "{thread}");
    assert_eq!(action["kind"], "reply");
    let remote = action["remote_id"]
        .as_str()
        .expect("the reply's id")
        .to_owned();
    let sandbox = w.sandbox_engagement().await;
    assert!(
        sandbox["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "reply"
                && a["text"] == "Yes, only flour, water and salt."
                && a["result_id"] == remote.as_str()),
        "the sandbox has the reply: {sandbox:#}"
    );

    let (status, note) = w
        .send(
            &w.owner,
            reqwest::Method::POST,
            &format!("/api/inbox/{id}/notes?workspace={ws}"),
            Some(json!({"text": "Regular customer"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let (status, done) = w
        .send(
            &w.owner,
            reqwest::Method::POST,
            &format!("/api/inbox/{id}/done?workspace={ws}"),
            Some(json!({"done": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["done"]["at"].is_string());
    let (_, open) = w.get(&w.owner, &format!("/api/inbox?workspace={ws}")).await;
    assert!(open["items"].as_array().unwrap().is_empty(), "{open}");
    let (_, done) = w
        .get(&w.owner, &format!("/api/inbox?workspace={ws}&state=done"))
        .await;
    assert_eq!(done["items"][0]["id"], id);
}

#[tokio::test]
async fn strangers_other_workspaces_lower_roles_and_bad_input_are_refused_and_change_nothing() {
    let w = World::new("inbox-guard@example.com").await;
    w.publish("Caraway bread").await;
    w.sandbox_sends("comments", "How much?").await;
    let id = w.item("How much?").await["id"].as_i64().unwrap();
    let ws = w.ws.clone();
    let item = format!("/api/inbox/{id}");

    // A stranger: not signed in.
    let anon = reqwest::Client::new();
    for path in ["/api/inbox".to_owned(), item.clone()] {
        let resp = anon
            .get(w.app.url(&format!("{path}?workspace={ws}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}");
    }

    // Another workspace's owner: the first workspace and its item do not
    // exist for them, whichever workspace they name.
    let other = w.app.signed_in("inbox-other@example.com").await;
    let (status, body) = w.get(&other, &format!("{item}?workspace={ws}")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::NOT_FOUND, &json!("not_found"))
    );
    let (status, body) = w.get(&other, &item).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::NOT_FOUND, &json!("inbox_item_not_found"))
    );
    let (status, _) = w
        .send(
            &other,
            reqwest::Method::POST,
            &format!("{item}/reply"),
            Some(json!({"text": "hijack"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Lower roles: a viewer reads only; a contributor works the item but
    // does not speak for the brand.
    let viewer = w
        .app
        .member(&w.owner, &ws, "inbox-viewer@example.com", "viewer")
        .await;
    let contributor = w
        .app
        .member(&w.owner, &ws, "inbox-contrib@example.com", "contributor")
        .await;
    let post = |client: &reqwest::Client, path: String, body: Value| {
        let path = format!("{path}?workspace={ws}");
        let client = client.clone();
        let w = &w;
        async move {
            w.send(&client, reqwest::Method::POST, &path, Some(body))
                .await
        }
    };
    let (status, _) = w.get(&viewer, &format!("{item}?workspace={ws}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post(&viewer, format!("{item}/notes"), json!({"text": "n"})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::FORBIDDEN, &json!("forbidden"))
    );
    let (status, _) = post(&contributor, format!("{item}/notes"), json!({"text": "n"})).await;
    assert_eq!(status, StatusCode::CREATED);
    for (client, who) in [(&viewer, "viewer"), (&contributor, "contributor")] {
        let (status, body) = post(client, format!("{item}/reply"), json!({"text": "hello"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        let (status, _) = post(client, format!("{item}/hide"), json!({"hidden": true})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }

    // Malformed and huge input: a clear refusal, nothing queued.
    let (status, body) = w
        .get(&w.owner, &format!("/api/inbox/abc?workspace={ws}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = w
        .get(&w.owner, &format!("/api/inbox?workspace={ws}&kind=tweets"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let resp = w
        .owner
        .post(w.app.url(&format!("{item}/reply?workspace={ws}")))
        .header("x-csrf-token", &w.token)
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    for (body, code) in [
        (json!({}), "invalid_body"),
        (json!({"text": 5}), "invalid_body"),
        (json!({"text": "hi", "extra": 1}), "invalid_body"),
        (json!({"text": "   "}), "inbox_text_required"),
        (json!({"text": "ü".repeat(2201)}), "inbox_text_too_long"),
    ] {
        let (status, answer) = post(&w.owner, format!("{item}/reply"), body.clone()).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{body}: {answer}"
        );
    }
    let huge = "x".repeat(70_000);
    let (status, _) = post(&w.owner, format!("{item}/reply"), json!({"text": huge})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = post(&w.owner, format!("{item}/assign"), json!({})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "user_id is required: {body}"
    );
    let stranger = user_id(&w.app, &other).await;
    let (status, body) = post(
        &w.owner,
        format!("{item}/assign"),
        json!({"user_id": stranger}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("inbox_unknown_member")
        )
    );
    let (_, thread) = w.get(&w.owner, &format!("{item}?workspace={ws}")).await;
    assert!(thread["actions"].as_array().unwrap().is_empty(), "{thread}");
    assert!(thread["item"]["assignee"].is_null());
}

#[tokio::test]
async fn a_message_answered_after_the_messaging_window_fails_with_its_code_in_the_readers_words() {
    let clock = Arc::new(ManualClock::new(herald_core::Timestamp::now()));
    let w = World::on("inbox-window@example.com", clock.clone()).await;
    w.sandbox_sends("messages", "Are you open on Sunday?").await;
    let item = w.item("Are you open on Sunday?").await;
    assert_eq!(item["kind"], "message");
    let id = item["id"].as_i64().unwrap();
    let ws = &w.ws;

    // Within the window the answer goes out in the conversation.
    let (status, _) = w
        .send(
            &w.owner,
            reqwest::Method::POST,
            &format!("/api/inbox/{id}/reply?workspace={ws}"),
            Some(json!({"text": "Yes, 8 to 12."})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let thread = w.settled(id).await;
    assert_eq!(thread["actions"][0]["kind"], "message");
    assert_eq!(thread["actions"][0]["state"], "sent", "{thread}");

    // A day and a second later the platform refuses: the window closed.
    clock.advance(SignedDuration::from_hours(24) + SignedDuration::from_secs(1));
    let (status, _) = w
        .send(
            &w.owner,
            reqwest::Method::POST,
            &format!("/api/inbox/{id}/reply?workspace={ws}"),
            Some(json!({"text": "And on Monday too."})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let thread = w.settled(id).await;
    let refused = &thread["actions"][1];
    assert_eq!(refused["state"], "failed", "{thread}");
    assert_eq!(refused["failure"]["code"], "outside_window");
    assert!(
        refused["message"].as_str().unwrap().contains("24 hours"),
        "{refused}"
    );
    let german: Value = w
        .owner
        .get(w.app.url(&format!("/api/inbox/{id}?workspace={ws}")))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        german["actions"][1]["message"]
            .as_str()
            .unwrap()
            .contains("24 Stunden"),
        "{german}"
    );
    let sandbox = w.sandbox_engagement().await;
    let sent: Vec<&Value> = sandbox["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "message")
        .collect();
    assert_eq!(sent.len(), 1, "only the first went out: {sandbox:#}");
}

#[tokio::test]
async fn the_pages_work_without_javascript_and_refuse_in_words() {
    let w = World::new("inbox-pages@example.com").await;
    w.publish("Seeded loaf").await;
    w.sandbox_sends("comments", "Where is the shop?").await;
    let id = w.item("Where is the shop?").await["id"].as_i64().unwrap();
    let ws = w.ws.clone();

    let html = w
        .app
        .html(&w.owner, &format!("/home/inbox?workspace={ws}"))
        .await;
    assert!(html.contains("Where is the shop?"), "the list shows it");
    assert!(html.contains(&format!("href=\"/home/inbox/{id}?workspace={ws}\"")));
    assert!(html.contains("data-live-region=\"inbox\""));
    let empty = w
        .app
        .html(
            &w.owner,
            &format!("/home/inbox?workspace={ws}&kind=message"),
        )
        .await;
    assert!(empty.contains("Nothing matches these filters"));

    let thread = w
        .app
        .html(&w.owner, &format!("/home/inbox/{id}?workspace={ws}"))
        .await;
    for form in ["reply", "assign", "notes", "done", "read", "hide", "delete"] {
        assert!(
            thread.contains(&format!("action=\"/home/inbox/{id}/{form}\"")),
            "the {form} form"
        );
    }
    assert!(thread.contains("Seeded loaf"), "the post it belongs to");

    let resp = w
        .app
        .submit(
            &w.owner,
            &format!("/home/inbox/{id}/reply"),
            &[("workspace", &ws), ("text", "Market street 4")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&resp).ends_with("done=reply_queued"),
        "{}",
        location(&resp)
    );
    let resp = w
        .app
        .submit(
            &w.owner,
            &format!("/home/inbox/{id}/reply"),
            &[("workspace", &ws), ("text", " ")],
        )
        .await;
    assert!(location(&resp).ends_with("error=inbox_text_required"));
    let page = w.app.html(&w.owner, &location(&resp)).await;
    assert!(page.contains("Write something to send."));

    let viewer = w
        .app
        .member(&w.owner, &ws, "inbox-page-viewer@example.com", "viewer")
        .await;
    let resp = w
        .app
        .submit(
            &viewer,
            &format!("/home/inbox/{id}/reply"),
            &[("workspace", &ws), ("text", "hi")],
        )
        .await;
    assert!(location(&resp).ends_with("error=forbidden"));
    let as_viewer = w
        .app
        .html(&viewer, &format!("/home/inbox/{id}?workspace={ws}"))
        .await;
    assert!(
        !as_viewer.contains(&format!("action=\"/home/inbox/{id}/reply\"")),
        "a viewer is not offered what they may not do"
    );
    w.settled(id).await;
}

/// The events of a stream read so far, as one text.
async fn read_events(resp: &mut reqwest::Response, until: &str) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.contains(until) {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, resp.chunk())
            .await
            .unwrap_or_else(|_| panic!("never saw {until:?} in {seen}"))
            .unwrap()
            .expect("the stream goes on");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

#[tokio::test]
async fn the_live_stream_sends_the_badge_and_a_new_inbox_fingerprint_when_a_comment_arrives() {
    let w = World::new("inbox-live@example.com").await;
    w.publish("Sourdough").await;
    let anon = new_client();
    let resp = anon
        .get(w.app.url(&format!("/home/live?workspace={}", w.ws)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "a stranger goes to log in"
    );

    let mut stream = w
        .owner
        .get(w.app.url(&format!("/home/live?workspace={}", w.ws)))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    assert_eq!(stream.headers()["cache-control"], "no-store");
    let first = read_events(&mut stream, "event: inbox").await;
    let unread = |text: &str| -> Vec<i64> {
        text.split("data: {\"unread\":")
            .skip(1)
            .filter_map(|rest| rest.split('}').next()?.parse().ok())
            .collect()
    };
    let before = *unread(&first)
        .first()
        .unwrap_or_else(|| panic!("a badge: {first}"));
    assert!(first.contains("data: {\"items\":0,"), "{first}");

    w.sandbox_sends("comments", "Any left?").await;
    let next = read_events(&mut stream, "\"items\":1,").await;
    assert!(next.contains("event: inbox"), "{next}");
    // The comment raised a notification in the same commit: the badge
    // moved with it.
    assert_eq!(unread(&next).last(), Some(&(before + 1)), "{next}");
}
