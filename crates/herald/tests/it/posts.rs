//! Posts over HTTP, against the built-in sandbox: the JSON API (validate,
//! create, change, reschedule, cancel, delete, with the rule issues in
//! refusals) and the same through the server-rendered composer, calendar
//! and post page without JavaScript.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::connections::{back, consent, location, start};
use crate::helpers::*;

/// Connects `provider` through the sandbox (the first offered account
/// when there is a choice); returns the connection's id.
pub(crate) async fn connect(app: &TestApp, client: &reqwest::Client, provider: &str) -> String {
    let before = connections(app, client, provider).await;
    let authorize = start(app, client, provider).await;
    let callback = consent(&authorize, "allow", |_| {}).await;
    let resp = back(client, &callback).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "callback of {provider}"
    );
    let to = location(&resp);
    if to.starts_with("/home/publishing/choose/") {
        let html = client
            .get(app.url(&to))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let first = html
            .split("name=\"account\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("an account to choose")
            .to_owned();
        let resp = app.submit(client, &to, &[("account", &first)]).await;
        assert!(location(&resp).contains("done=connected"), "{provider}");
    } else {
        assert!(to.contains("done=connected"), "{provider}: {to}");
    }
    let after = connections(app, client, provider).await;
    after
        .iter()
        .find(|c| !before.iter().any(|b| b["id"] == c["id"]))
        .and_then(|c| c["id"].as_str())
        .expect("a new connection")
        .to_owned()
}

async fn connections(app: &TestApp, client: &reqwest::Client, provider: &str) -> Vec<Value> {
    client
        .get(app.url(&format!("/api/platforms/{provider}/connections")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The signed-in user's workspace id, from a page's forms.
async fn workspace(app: &TestApp, client: &reqwest::Client) -> String {
    let html = client
        .get(app.url("/home/publishing"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    html.split("name=\"workspace\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with the workspace")
        .to_owned()
}

/// A small vertical MP4 of ten seconds, uploaded to the library.
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
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["kind"], "video");
    body["id"].as_str().unwrap().to_owned()
}

/// A summer day well ahead, when Berlin is UTC+2 and New York UTC−4.
fn later_day() -> String {
    "2030-07-01".to_owned()
}

struct Setup {
    app: TestApp,
    client: reqwest::Client,
    token: String,
    ws: String,
    tiktok: String,
    youtube: String,
    video: String,
}

async fn setup(email: &str) -> Setup {
    let app = spawn_app().await;
    let client = app.signed_in(email).await;
    let tiktok = connect(&app, &client, "tiktok").await;
    let youtube = connect(&app, &client, "youtube").await;
    let token = app.csrf_for(&client).await;
    let ws = workspace(&app, &client).await;
    let video = upload_video(&app, &client, &ws, &token).await;
    Setup {
        app,
        client,
        token,
        ws,
        tiktok,
        youtube,
        video,
    }
}

impl Setup {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, self.app.url(path))
            .header("x-csrf-token", &self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }
}

#[tokio::test]
async fn the_posts_api_validates_saves_schedules_cancels_and_deletes() {
    let s = setup("api-poster@example.com").await;
    let targets = json!([
        {"connection_id": s.tiktok, "variant": {"format": "video", "caption": "Dough day", "media": [s.video], "privacy": "SELF_ONLY"}},
        {"connection_id": s.youtube, "variant": {"format": "video", "caption": "Dough day", "media": [s.video]}},
    ]);

    // A body of the wrong shape says where: the second target's format.
    let wrong = json!([
        {"connection_id": s.tiktok, "variant": {"format": "video"}},
        {"connection_id": s.youtube, "variant": {"format": "hologram"}},
    ]);
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": wrong, "when": {"action": "draft"}})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_body");
    assert_eq!(body["error"]["field"], "targets[1].variant.format");
    assert!(
        body["error"]["expected"]
            .as_str()
            .unwrap()
            .contains("unknown variant `hologram`"),
        "{body}"
    );
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());

    // Live validation: TikTok is fine, YouTube wants a title.
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts/validate",
            Some(json!({"targets": targets})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let reports: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(reports.len(), 2);
    assert!(
        reports[0]["issues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] != "error"),
        "{reports:?}"
    );
    let codes: Vec<&str> = reports[1]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"title_required"), "{codes:?}");

    // Scheduling it anyway is refused with the issues in the body.
    let when = json!({"action": "schedule", "schedule": {"local": format!("{}T09:00", later_day()), "time_zone": "Europe/Berlin"}});
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": targets, "when": when})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "post_invalid");
    let issue = &body["error"]["issues"][0];
    assert_eq!(issue["code"], "title_required");
    assert_eq!(issue["field"], "title");
    assert!(issue["account"].as_str().unwrap().len() > 1, "{issue}");

    // A draft is kept whatever its issues.
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": targets, "when": {"action": "draft"}})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let id = resp.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/api/posts/")
        .to_owned();
    let post: Value = resp.json().await.unwrap();
    assert_eq!(post["id"], id.as_str());
    assert_eq!(post["status"], "draft");
    let drafts: Vec<Value> = s
        .send(reqwest::Method::GET, "/api/posts?queue=drafts", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(drafts.iter().any(|p| p["id"] == id.as_str()));

    // With a title it can be scheduled at 09:00 Berlin time.
    let mut fixed = targets.clone();
    fixed[1]["variant"]["title"] = json!("A day of dough");
    let resp = s
        .send(
            reqwest::Method::PUT,
            &format!("/api/posts/{id}"),
            Some(json!({"targets": fixed, "when": when})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let post: Value = resp.json().await.unwrap();
    assert_eq!(post["status"], "scheduled");
    assert_eq!(post["schedule"]["time_zone"], "Europe/Berlin");
    assert_eq!(post["targets"].as_array().unwrap().len(), 2);

    // The calendar range finds it; nonsense ranges are refused.
    let from = format!("{}T00:00:00Z", later_day());
    let to = format!("{}T23:59:59Z", later_day());
    let listed: Vec<Value> = s
        .send(
            reqwest::Method::GET,
            &format!("/api/posts?from={from}&to={to}"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(listed.iter().any(|p| p["id"] == id.as_str()), "{listed:?}");
    let resp = s
        .send(
            reqwest::Method::GET,
            &format!("/api/posts?from={to}&to={from}"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = s
        .send(reqwest::Method::GET, "/api/posts?queue=someday", None)
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // Rescheduling into the past or an unknown zone says why.
    for (schedule, code) in [
        (
            json!({"local": "2020-01-01T09:00", "time_zone": "UTC"}),
            "post_time_in_past",
        ),
        (
            json!({"local": "2030-01-01T09:00", "time_zone": "Mars/Olympus"}),
            "post_unknown_time_zone",
        ),
        (
            json!({"local": "soon", "time_zone": "UTC"}),
            "post_invalid_time",
        ),
    ] {
        let resp = s
            .send(
                reqwest::Method::POST,
                &format!("/api/posts/{id}/reschedule"),
                Some(json!({"when": {"action": "schedule", "schedule": schedule}})),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }

    // Receipts exist per target (none yet), then cancel and delete.
    let target = post["targets"][0]["id"].as_str().unwrap().to_owned();
    let receipts: Vec<Value> = s
        .send(
            reqwest::Method::GET,
            &format!("/api/targets/{target}/receipts"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(receipts.is_empty());
    let resp = s
        .send(
            reqwest::Method::POST,
            &format!("/api/targets/{target}/retry"),
            None,
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::CONFLICT,
        "a scheduled target is not retried"
    );
    let resp = s
        .send(
            reqwest::Method::POST,
            &format!("/api/posts/{id}/cancel"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let post: Value = resp.json().await.unwrap();
    assert_eq!(post["status"], "cancelled");
    let resp = s
        .send(reqwest::Method::DELETE, &format!("/api/posts/{id}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = s
        .send(reqwest::Method::GET, &format!("/api/posts/{id}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "post_not_found");

    // Without the CSRF header a browser session cannot write; without a
    // session nothing is answered.
    let resp = s
        .client
        .post(s.app.url("/api/posts/validate"))
        .json(&json!({"targets": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = new_client()
        .get(s.app.url("/api/posts?queue=upcoming"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    s.app.stop().await;
}

#[tokio::test]
async fn the_composer_calendar_and_post_page_work_as_plain_forms() {
    let s = setup("form-poster@example.com").await;
    let html = s
        .client
        .get(s.app.url("/home/compose"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // One checkbox per account; only YouTube asks for a title, only the
    // platforms with privacy settings offer them.
    assert!(html.contains(&format!("name=\"account\" value=\"{}\"", s.tiktok)));
    assert!(html.contains(&format!("name=\"account\" value=\"{}\"", s.youtube)));
    assert!(html.contains(&format!("name=\"t.{}.title\"", s.youtube)));
    assert!(!html.contains(&format!("name=\"t.{}.title\"", s.tiktok)));
    assert!(html.contains("value=\"SELF_ONLY\""));
    assert!(html.contains("value=\"unlisted\""));
    assert!(
        html.contains("href=\"/home/compose\""),
        "the rail links the composer"
    );

    let date = later_day();
    let base = |action: &'static str, title: &'static str| -> Vec<(String, String)> {
        vec![
            ("workspace".into(), s.ws.clone()),
            ("account".into(), s.tiktok.clone()),
            ("account".into(), s.youtube.clone()),
            ("caption".into(), "Bread, slowly".into()),
            ("media".into(), s.video.clone()),
            (format!("t.{}.title", s.youtube), title.into()),
            // TikTok has no default privacy: the person chooses.
            (format!("t.{}.privacy", s.tiktok), "SELF_ONLY".into()),
            ("date".into(), date.clone()),
            ("time".into(), "09:30".into()),
            ("time_zone".into(), "Europe/Berlin".into()),
            ("action".into(), action.into()),
        ]
    };
    let post_form = |fields: Vec<(String, String)>, path: &str| {
        let client = s.client.clone();
        let url = s.app.url(path);
        let token = s.token.clone();
        async move {
            let mut fields = fields;
            fields.push(("_csrf".into(), token));
            client.post(url).form(&fields).send().await.unwrap()
        }
    };

    // Refused: the form comes back with what was typed and the reason.
    let resp = post_form(base("schedule", ""), "/home/compose").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    assert!(page.contains("does not meet every platform"), "{page}");
    assert!(page.contains("needs a title"), "the issue is listed");
    assert!(page.contains("Bread, slowly"), "the caption is kept");
    let mut no_time = base("schedule", "Slow bread");
    no_time.retain(|(k, _)| k != "date");
    let resp = post_form(no_time, "/home/compose").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Enter a date and a time")
    );

    // Scheduled: off to the calendar at that day, with a notice.
    let resp = post_form(base("schedule", "Slow bread"), "/home/compose").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert!(to.starts_with("/home/calendar?"), "{to}");
    assert!(
        to.contains(&format!("date={date}")) && to.contains("done=scheduled"),
        "{to}"
    );
    let calendar = s
        .client
        .get(s.app.url(&format!("{to}&tz=Europe/Berlin")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(calendar.contains("Scheduled. The post goes out"), "notice");
    assert!(calendar.contains("chip status-scheduled"), "a chip");
    assert!(calendar.contains("<span class=\"chip-time\">09:30</span>"));
    assert!(calendar.contains("Times are shown in Europe/Berlin"));
    let id = calendar
        .split("data-post=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    // The same post, in New York's time and in the week view.
    let week = s
        .client
        .get(s.app.url(&format!(
            "/home/calendar?view=week&date={date}&tz=America/New_York"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        week.contains("<span class=\"chip-time\">03:30</span>"),
        "09:30 Berlin is 03:30 in New York"
    );
    assert!(week.contains("class=\"cal-week\""));

    // The post page shows every account and its (empty) receipts.
    let page = s
        .client
        .get(s.app.url(&format!("/home/posts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("TikTok") && page.contains("YouTube"));
    assert!(page.contains("No attempt yet."));

    // Reschedule, cancel and delete from the page, each with its notice.
    let back = format!("/home/posts/{id}");
    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/home/posts/{id}/reschedule"),
            &[
                ("workspace", &s.ws),
                ("back", &back),
                ("date", &date),
                ("time", "11:00"),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(location(&resp), format!("{back}?done=rescheduled"));
    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/home/posts/{id}/reschedule"),
            &[
                ("workspace", &s.ws),
                ("back", &back),
                ("date", "2020-01-01"),
                ("time", "11:00"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(location(&resp), format!("{back}?error=post_time_in_past"));
    let page = s
        .client
        .get(s.app.url(&location(&resp)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("That time has already passed"));
    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/home/posts/{id}/cancel"),
            &[("workspace", &s.ws), ("back", &back)],
        )
        .await;
    assert_eq!(location(&resp), format!("{back}?done=cancelled"));
    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/home/posts/{id}/delete"),
            &[("workspace", &s.ws), ("back", &back)],
        )
        .await;
    assert_eq!(location(&resp), "/home/calendar?done=deleted");

    // Someone else's post is not there for a stranger.
    let stranger = s.app.signed_in("stranger@example.com").await;
    let resp = stranger
        .get(s.app.url(&format!("/home/posts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // A draft lands in the drafts list; in German the page speaks German.
    let resp = post_form(base("draft", ""), "/home/compose").await;
    let to = location(&resp);
    assert!(
        to.contains("list=drafts") && to.contains("done=draft_saved"),
        "{to}"
    );
    let drafts = s
        .client
        .get(s.app.url(&to))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(drafts.contains("Entwurf gespeichert."));
    assert!(drafts.contains("status-badge status-draft\">Entwurf<"));

    // The draft opens in the composer as it was saved, and saves again.
    let draft = drafts
        .split("<article class=\"card post-card\" data-post=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let edit = s
        .client
        .get(s.app.url(&format!("/home/compose/{draft}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(edit.contains("Edit post"));
    assert!(edit.contains(&format!("action=\"/home/compose/{draft}\"")));
    assert!(edit.contains(">Bread, slowly</textarea>"));
    let mut changed = base("draft", "");
    changed.retain(|(k, _)| k != "caption");
    changed.push(("caption".into(), "Bread, quickly".into()));
    let resp = post_form(changed, &format!("/home/compose/{draft}")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let post: Value = s
        .send(reqwest::Method::GET, &format!("/api/posts/{draft}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(post["targets"][0]["variant"]["caption"], "Bread, quickly");
    s.app.stop().await;
}

/// Polls the post until it reaches `status` (the workers publish it).
async fn wait_for_status(s: &Setup, id: &str, status: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let post: Value = s
            .send(reqwest::Method::GET, &format!("/api/posts/{id}"), None)
            .await
            .json()
            .await
            .unwrap();
        if post["status"] == status {
            return post;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the post never became {status}: {post}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_failed_target_says_why_offers_the_fix_and_a_retry_publishes_it() {
    let s = setup("retry-poster@example.com").await;
    // YouTube refuses the next upload for a missing permission.
    let resp = s
        .client
        .post(s.app.url("/sandbox/_admin/faults"))
        .json(&json!({"endpoint": "youtube.upload_init", "kind": "missing_permission", "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let targets = json!([{"connection_id": s.youtube, "variant": {"format": "video", "caption": "Crumb shots", "title": "Crumb", "media": [s.video]}}]);
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": targets, "when": {"action": "now"}})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let post: Value = resp.json().await.unwrap();
    let id = post["id"].as_str().unwrap().to_owned();
    let post = wait_for_status(&s, &id, "failed").await;
    let target = post["targets"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(post["targets"][0]["error_kind"], "reconsent");

    // The failed list says what happened and what to do, and offers a retry.
    let back = "/home/calendar?list=failed";
    let page = s
        .client
        .get(s.app.url(back))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Herald is missing a permission for this account."));
    assert!(
        page.contains("insufficient authentication scopes"),
        "the platform's words"
    );
    assert!(page.contains("Connect the account again and grant every permission, then retry."));
    assert!(page.contains(&format!("action=\"/home/targets/{target}/retry\"")));

    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/home/targets/{target}/retry"),
            &[("workspace", &s.ws), ("back", back)],
        )
        .await;
    assert_eq!(location(&resp), format!("{back}&done=retrying"));
    wait_for_status(&s, &id, "published").await;

    // The post page keeps both attempts.
    let page = s
        .client
        .get(s.app.url(&format!("/home/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-outcome=\"failed\""),
        "the failed attempt"
    );
    assert!(
        page.contains("data-outcome=\"published\""),
        "the published attempt"
    );
    assert!(page.contains("Open on YouTube"));
    s.app.stop().await;
}

#[tokio::test]
async fn a_viewer_sees_the_calendar_but_cannot_change_posts() {
    let s = setup("owner-of-posts@example.com").await;
    let targets = json!([{"connection_id": s.tiktok, "variant": {"format": "video", "caption": "Viewer test", "media": [s.video], "privacy": "SELF_ONLY"}}]);
    let when = json!({"action": "schedule", "schedule": {"local": format!("{}T09:00", later_day()), "time_zone": "UTC"}});
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": targets, "when": when})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Invite a viewer, who accepts.
    let email = "viewer-of-posts@example.com";
    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/workspaces/{}/invites", s.ws),
            &[("email", email), ("role", "viewer")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let invite = s.app.token_mailed_to(email).await;
    let viewer = s.app.signed_in(email).await;
    let resp = s
        .app
        .submit(&viewer, "/invites/accept", &[("token", &invite)])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    // The calendar and the queue show the post, without actions.
    let back = format!(
        "/home/calendar?workspace={}&date={}&list=upcoming",
        s.ws,
        later_day()
    );
    let page = viewer
        .get(s.app.url(&back))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Viewer test"));
    assert!(page.contains(&format!("data-post=\"{id}\"")));
    assert!(
        !page.contains(&format!("/home/posts/{id}/cancel")),
        "no cancel form"
    );
    assert!(
        !page.contains(&format!("/home/compose/{id}")),
        "no edit link"
    );

    // Posting the forms anyway is refused in words.
    let resp = s
        .app
        .submit(
            &viewer,
            &format!("/home/posts/{id}/cancel"),
            &[("workspace", &s.ws), ("back", &back)],
        )
        .await;
    let to = location(&resp);
    assert_eq!(to, format!("{back}&error=forbidden"));
    let page = viewer
        .get(s.app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("You are not allowed to do that."));
    let resp = s
        .app
        .submit(
            &viewer,
            "/home/compose",
            &[
                ("workspace", &s.ws),
                ("account", &s.tiktok),
                ("caption", "Not mine to post"),
                ("media", &s.video),
                ("action", "now"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let page = resp.text().await.unwrap();
    assert!(page.contains("You are not allowed to do that."));
    assert!(page.contains("Not mine to post"), "what was typed is kept");

    // And over the API.
    let token = s.app.csrf_for(&viewer).await;
    let resp = viewer
        .post(
            s.app
                .url(&format!("/api/posts/{id}/cancel?workspace={}", s.ws)),
        )
        .header("x-csrf-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    s.app.stop().await;
}

#[tokio::test]
async fn a_contributor_cannot_change_or_unschedule_another_members_post() {
    let s = setup("lead-of-posts@example.com").await;
    let targets = json!([{"connection_id": s.tiktok, "variant": {"format": "video", "caption": "The lead's post", "media": [s.video], "privacy": "SELF_ONLY"}}]);
    let when = json!({"action": "schedule", "schedule": {"local": format!("{}T09:00", later_day()), "time_zone": "UTC"}});
    let resp = s
        .send(
            reqwest::Method::POST,
            "/api/posts",
            Some(json!({"targets": targets, "when": when})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let theirs = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let email = "contributor-of-posts@example.com";
    let resp = s
        .app
        .submit(
            &s.client,
            &format!("/workspaces/{}/invites", s.ws),
            &[("email", email), ("role", "contributor")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let invite = s.app.token_mailed_to(email).await;
    let contributor = s.app.signed_in(email).await;
    s.app
        .submit(&contributor, "/invites/accept", &[("token", &invite)])
        .await;
    let token = s.app.csrf_for(&contributor).await;
    let put = |id: String, caption: &'static str| {
        let contributor = contributor.clone();
        let url = s.app.url(&format!("/api/posts/{id}?workspace={}", s.ws));
        let token = token.clone();
        let tiktok = s.tiktok.clone();
        let video = s.video.clone();
        async move {
            contributor
                .put(url)
                .header("x-csrf-token", token)
                .json(&json!({
                    "targets": [{"connection_id": tiktok, "variant": {"format": "video", "caption": caption, "media": [video], "privacy": "SELF_ONLY"}}],
                    "when": {"action": "draft"}
                }))
                .send()
                .await
                .unwrap()
        }
    };
    // Saving the lead's scheduled post as a draft would change and
    // unschedule it: refused, and it stays as it was.
    let resp = put(theirs.clone(), "Hijacked").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let post: Value = s
        .client
        .get(
            s.app
                .url(&format!("/api/posts/{theirs}?workspace={}", s.ws)),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(post["status"], "scheduled", "{post}");
    assert_eq!(post["targets"][0]["variant"]["caption"], "The lead's post");

    // Their own draft is theirs to edit.
    let resp = contributor
        .post(s.app.url(&format!("/api/posts?workspace={}", s.ws)))
        .header("x-csrf-token", &token)
        .json(&json!({
            "targets": [{"connection_id": s.tiktok, "variant": {"format": "video", "caption": "My draft", "media": [s.video], "privacy": "SELF_ONLY"}}],
            "when": {"action": "draft"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let mine = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(put(mine, "My draft, better").await.status(), StatusCode::OK);
    s.app.stop().await;
}

#[tokio::test]
async fn a_post_composed_from_a_draft_is_linked_to_it_and_takes_its_pillar() {
    let s = setup("draft-poster@example.com").await;
    let ws = s.ws.clone();
    let pillar = s
        .send(
            reqwest::Method::POST,
            &format!("/api/pillars?workspace={ws}"),
            Some(json!({"name": "Bakery life"})),
        )
        .await;
    assert_eq!(pillar.status(), StatusCode::CREATED);
    let pillar: Value = pillar.json().await.unwrap();
    let draft = s
        .send(
            reqwest::Method::POST,
            &format!("/api/drafts?workspace={ws}"),
            Some(json!({
                "title": "Slow bread",
                "content": {"format": "caption", "text": "Bread, slowly", "hashtags": ["#Bread"]},
                "pillar_id": pillar["id"],
            })),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::CREATED);
    let draft = serde_json::from_str::<Value>(&draft.text().await.unwrap()).unwrap()["id"]
        .as_i64()
        .unwrap();

    // The composer opened from the draft carries it in the form.
    let html = s
        .client
        .get(
            s.app
                .url(&format!("/home/compose?workspace={ws}&draft={draft}")),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("name=\"draft\" value=\"{draft}\"")),
        "the draft rides along"
    );

    let form = |draft: &str| -> Vec<(String, String)> {
        vec![
            ("workspace".into(), ws.clone()),
            ("account".into(), s.tiktok.clone()),
            ("caption".into(), "Bread, slowly".into()),
            ("media".into(), s.video.clone()),
            ("action".into(), "draft".into()),
            ("draft".into(), draft.into()),
            ("_csrf".into(), s.token.clone()),
        ]
    };
    let links = |post: Option<String>| {
        let db = s.app.db.clone();
        async move {
            let rows: Vec<(String, i64)> = herald_db::on_pool!(&db, |pool| {
                sqlx::query_as("SELECT post_id, draft_id FROM studio_draft_posts")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            });
            rows.into_iter()
                .filter(|(p, _)| post.as_ref().is_none_or(|want| want == p))
                .collect::<Vec<_>>()
        }
    };
    let posts = || {
        let db = s.app.db.clone();
        async move {
            herald_db::on_pool!(&db, |pool| {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            })
        }
    };

    // Another workspace's draft: refused before any post is made.
    let other = s.app.signed_in("draft-stranger@example.com").await;
    let theirs = workspace(&s.app, &other).await;
    let token = s.app.csrf_for(&other).await;
    let foreign = other
        .post(s.app.url(&format!("/api/drafts?workspace={theirs}")))
        .header("x-csrf-token", token)
        .json(&json!({"title": "Theirs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::CREATED);
    let foreign = foreign.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let resp = s
        .client
        .post(s.app.url("/home/compose"))
        .form(&form(&foreign.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(posts().await, 0, "nothing was created");

    // Saved from the composer: linked, and the link reads back the pillar.
    let resp = s
        .client
        .post(s.app.url("/home/compose"))
        .form(&form(&draft.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let linked = links(None).await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].1, draft);
    let post = linked[0].0.clone();
    let name: String = herald_db::on_pool!(&s.app.db, |pool| {
        sqlx::query_scalar(
            "SELECT p.name FROM studio_draft_posts l JOIN studio_drafts d ON d.id = l.draft_id \
             JOIN studio_pillars p ON p.id = d.pillar_id WHERE l.post_id = $1",
        )
        .bind(&post)
        .fetch_one(pool)
        .await
        .unwrap()
    });
    assert_eq!(name, "Bakery life");

    // A post composed without a draft is not linked.
    let resp = s
        .client
        .post(s.app.url("/home/compose"))
        .form(&form(""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(posts().await, 2);
    assert_eq!(links(None).await.len(), 1);
    assert_eq!(links(Some(post)).await.len(), 1);
    s.app.stop().await;
}

/// The text from `start` to the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_composer_offers_the_tiktok_accounts_own_options_and_no_default_privacy() {
    let s = setup("tiktok-options@example.com").await;
    // In the TikTok app the account is private, comments are off and it
    // may post five-minute videos.
    let resp = s
        .client
        .post(s.app.url("/sandbox/_admin/tiktok/creator"))
        .json(&json!({"username": "demo", "private_account": true, "comment_disabled": true, "max_video_post_duration_sec": 300}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = s
        .app
        .html(&s.client, &format!("/home/compose?workspace={}", s.ws))
        .await;
    let select = between(
        &html,
        &format!("id=\"f-{}-privacy\"", s.tiktok),
        "</select>",
    );
    let values: Vec<&str> = select
        .split("<option value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    // "Choose…" first, then what this private account offers, in TikTok's
    // order: followers, not everyone.
    assert_eq!(
        values,
        [
            "",
            "FOLLOWER_OF_CREATOR",
            "MUTUAL_FOLLOW_FRIENDS",
            "SELF_ONLY"
        ]
    );
    assert!(!select.contains("selected"), "no default: {select}");
    assert!(
        html.contains("Posting to TikTok as"),
        "the account is named"
    );
    assert!(html.contains("This account may post videos of up to 300 seconds."));
    // Interactions start off; those TikTok switched off cannot be turned on.
    let tt = &s.tiktok;
    for field in ["allow_comments", "allow_duets", "allow_stitches"] {
        let tag = between(&html, &format!("name=\"t.{tt}.{field}\""), ">");
        assert!(!tag.contains("checked"), "{field} starts off: {tag}");
        assert!(tag.contains("disabled"), "{field} is off in TikTok: {tag}");
    }
    assert!(html.contains(&format!("name=\"t.{tt}.disclose\"")));
    assert!(html.contains(&format!("name=\"t.{tt}.branded\"")));
    // YouTube keeps its own default.
    let youtube = between(
        &html,
        &format!("id=\"f-{}-privacy\"", s.youtube),
        "</select>",
    );
    assert!(youtube.contains("selected"), "{youtube}");

    // API clients read the same options.
    let resp = s
        .send(
            reqwest::Method::GET,
            &format!(
                "/api/platforms/tiktok/connections/{tt}/posting-options?workspace={}",
                s.ws
            ),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["options"]["privacy_options"],
        json!(["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    assert_eq!(body["options"]["comment_disabled"], true);
    assert_eq!(body["options"]["max_video_duration_secs"], 300);
    let resp = s
        .send(
            reqwest::Method::GET,
            &format!(
                "/api/platforms/youtube/connections/{}/posting-options?workspace={}",
                s.youtube, s.ws
            ),
            None,
        )
        .await;
    assert_eq!(resp.json::<Value>().await.unwrap()["options"], Value::Null);

    // Publishing without a choice, or with one the account does not
    // offer, or with comments it switched off, is refused in words.
    let form = |extra: &[(&str, &str)]| {
        let mut fields: Vec<(String, String)> = vec![
            ("workspace".into(), s.ws.clone()),
            ("account".into(), tt.clone()),
            ("caption".into(), "Crumb check".into()),
            ("media".into(), s.video.clone()),
            ("action".into(), "now".into()),
            ("_csrf".into(), s.token.clone()),
        ];
        fields.extend(
            extra
                .iter()
                .map(|(k, v)| (format!("t.{tt}.{k}"), (*v).to_owned())),
        );
        fields
    };
    let post = |fields: Vec<(String, String)>| {
        let client = s.client.clone();
        let url = s.app.url("/home/compose");
        async move { client.post(url).form(&fields).send().await.unwrap() }
    };
    let resp = post(form(&[])).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("Choose who can see the TikTok post"),
        "{page}"
    );
    let resp = post(form(&[("privacy", "PUBLIC_TO_EVERYONE")])).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let targets = json!([{"connection_id": tt, "variant": {"format": "video", "caption": "x", "media": [s.video], "privacy": "PUBLIC_TO_EVERYONE", "allow_comments": true}}]);
    let resp = s
        .send(
            reqwest::Method::POST,
            &format!("/api/posts/validate?workspace={}", s.ws),
            Some(json!({"targets": targets})),
        )
        .await;
    let reports: Vec<Value> = resp.json().await.unwrap();
    let codes: Vec<&str> = reports[0]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"privacy_not_offered"), "{codes:?}");
    assert!(codes.contains(&"interaction_disabled"), "{codes:?}");
    // A choice it offers goes out.
    let resp = post(form(&[("privacy", "FOLLOWER_OF_CREATOR")])).await;
    let status = resp.status();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        resp.text().await.unwrap()
    );
}
