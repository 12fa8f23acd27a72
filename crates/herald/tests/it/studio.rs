//! The content studio over real HTTP on the built-in engine: the catalog,
//! copies, tones and pillars; a generation queued (202), run by the
//! worker and stored as a draft; saves with versions, conflicts, restore
//! and bookmarks; and the attacker's questions: a stranger, another
//! workspace's member, lower roles, tokens without the scope, huge and
//! malformed bodies that change nothing, a brief over the limit, and a
//! quota reached (429 naming it). Then the pages without JavaScript, the
//! composer opened from a draft, and a generation's live stream.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::connections::location;
use crate::helpers::*;
use crate::inbox::eventually;

struct World {
    app: TestApp,
    owner: reqwest::Client,
    ws: String,
}

/// An answer: status, JSON body (`null` when not JSON) and headers.
struct Answer {
    status: StatusCode,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl World {
    async fn new(email: &str) -> World {
        let app = spawn_app().await;
        let owner = app.signed_in(email).await;
        let ws = app.settings_workspace(&owner).await;
        World { app, owner, ws }
    }

    /// A request as `client` (a session, with its CSRF token).
    async fn call(
        &self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let token = self.app.csrf_for(client).await;
        let mut req = client
            .request(method, self.app.url(path))
            .header("x-csrf-token", token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req).await
    }

    /// A request with a bearer token and no cookie.
    async fn with_token(
        &self,
        secret: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = reqwest::Client::new()
            .request(method, self.app.url(path))
            .bearer_auth(secret);
        if let Some(body) = body {
            req = req.json(&body);
        }
        answer(req).await
    }

    fn at(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}workspace={}", self.ws)
    }

    /// A scoped token of the owner's with `scopes`.
    async fn token(&self, scopes: &[&str]) -> String {
        let a = self
            .call(
                &self.owner,
                Method::POST,
                &self.at("/api/tokens"),
                Some(
                    json!({"name": format!("studio {scopes:?}"), "kind": "app", "scopes": scopes}),
                ),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        a.body["secret"].as_str().unwrap().to_owned()
    }

    /// The catalog's script template (the shipped seed always has one).
    async fn script_template(&self) -> i64 {
        let a = self
            .call(
                &self.owner,
                Method::GET,
                &self.at("/api/templates?format=script"),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body["templates"][0]["id"]
            .as_i64()
            .expect("a script template")
    }

    /// Asks for a generation as `client` and waits until it ended.
    async fn generate(&self, client: &reqwest::Client, body: Value) -> Value {
        let a = self
            .call(
                client,
                Method::POST,
                &self.at("/api/generations"),
                Some(body),
            )
            .await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
        let id = a.body["id"].as_i64().unwrap();
        eventually("the generation ended", || async {
            let a = self
                .call(
                    client,
                    Method::GET,
                    &self.at(&format!("/api/generations/{id}")),
                    None,
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            matches!(
                a.body["status"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            )
            .then_some(a.body)
        })
        .await
    }

    async fn draft(&self, id: i64) -> Value {
        let a = self
            .call(
                &self.owner,
                Method::GET,
                &self.at(&format!("/api/drafts/{id}")),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        a.body
    }

    /// A carousel draft of `client`'s, made through the API.
    async fn carousel(&self, client: &reqwest::Client, title: &str) -> i64 {
        let a = self
            .call(
                client,
                Method::POST,
                &self.at("/api/drafts"),
                Some(json!({"title": title, "content": carousel(&["One", "Two"], "cap")})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        assert_eq!(a.body["version"], 1);
        a.body["id"].as_i64().unwrap()
    }
}

async fn answer(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    }
}

fn carousel(titles: &[&str], caption: &str) -> Value {
    json!({
        "format": "carousel",
        "slides": titles.iter().map(|t| json!({"title": t, "body": format!("{t} body")})).collect::<Vec<_>>(),
        "caption": caption,
    })
}

#[tokio::test]
async fn the_catalog_copies_tones_and_pillars_answer_members_and_no_one_else() {
    let w = World::new("studio-catalog@example.com").await;
    let o = &w.owner;

    // The catalog, filtered, in both languages.
    let all = w.call(o, Method::GET, &w.at("/api/templates"), None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let templates = all.body["templates"].as_array().unwrap();
    assert!(!templates.is_empty(), "the shipped catalog");
    let script = w.script_template().await;
    let de = w
        .call(
            o,
            Method::GET,
            &w.at("/api/templates?format=script&locale=de"),
            None,
        )
        .await;
    assert_eq!(de.body["templates"][0]["locale"], "de");
    let none = w
        .call(
            o,
            Method::GET,
            &w.at("/api/templates?q=zzzz-no-such-words"),
            None,
        )
        .await;
    assert_eq!(none.body["templates"], json!([]));
    let one = w
        .call(
            o,
            Method::GET,
            &w.at(&format!("/api/templates/{script}")),
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["format"], "script");
    assert!(one.body["slots"].as_array().is_some_and(|s| !s.is_empty()));
    let tones = w.call(o, Method::GET, &w.at("/api/tones"), None).await;
    assert_eq!(tones.status, StatusCode::OK);
    assert!(tones.body["tones"][0]["slug"].is_string());

    // The catalog is read-only; a copy is the workspace's to change.
    let refused = w
        .call(
            o,
            Method::PUT,
            &w.at(&format!("/api/templates/{script}")),
            Some(json!({"title": "Mine now"})),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "template_read_only")
    );
    let copy = w
        .call(
            o,
            Method::POST,
            &w.at(&format!("/api/templates/{script}/copy")),
            None,
        )
        .await;
    assert_eq!(copy.status, StatusCode::CREATED, "{}", copy.body);
    let copy_id = copy.body["id"].as_i64().unwrap();
    assert_eq!(copy.body["copied_from"], script);
    let changed = w
        .call(
            o,
            Method::PUT,
            &w.at(&format!("/api/templates/{copy_id}")),
            Some(json!({"title": "Our weekly myth", "platforms": ["tiktok"]})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["title"], "Our weekly myth");
    let own = w
        .call(o, Method::GET, &w.at("/api/templates?own=true"), None)
        .await;
    assert_eq!(own.body["templates"][0]["id"], copy_id, "own copies first");
    let mismatch = w
        .call(
            o,
            Method::PUT,
            &w.at(&format!("/api/templates/{copy_id}")),
            Some(json!({"content": {"format": "thread", "parts": ["x"]}})),
        )
        .await;
    assert_eq!(
        (mismatch.status, mismatch.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "content_format_mismatch")
    );

    // Pillars: one name once.
    let pillar = w
        .call(
            o,
            Method::POST,
            &w.at("/api/pillars"),
            Some(json!({"name": "Behind the scenes", "description": "How it is made"})),
        )
        .await;
    assert_eq!(pillar.status, StatusCode::CREATED, "{}", pillar.body);
    let again = w
        .call(
            o,
            Method::POST,
            &w.at("/api/pillars"),
            Some(json!({"name": "Behind the scenes"})),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "pillar_exists")
    );
    let pillars = w.call(o, Method::GET, &w.at("/api/pillars"), None).await;
    assert_eq!(pillars.body["pillars"].as_array().unwrap().len(), 1);

    // A stranger: 401 for reads, 403 (no CSRF token) for writes.
    let stranger = reqwest::Client::new();
    for path in [
        "/api/templates",
        "/api/tones",
        "/api/pillars",
        "/api/drafts",
    ] {
        let a = answer(stranger.get(w.app.url(&w.at(path)))).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let a = answer(
        stranger
            .post(w.app.url(&w.at("/api/generations")))
            .json(&json!({"brief": "x"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // Another workspace's member: our copy is not found, through our
    // workspace or theirs, and does not show in their list.
    let outsider = w.app.signed_in("studio-outsider@example.com").await;
    let theirs = w.app.settings_workspace(&outsider).await;
    for path in [
        format!("/api/templates/{copy_id}?workspace={}", w.ws),
        format!("/api/templates/{copy_id}?workspace={theirs}"),
        format!("/api/templates/{copy_id}/copy?workspace={theirs}"),
    ] {
        let method = if path.contains("/copy") {
            Method::POST
        } else {
            Method::GET
        };
        let a = w.call(&outsider, method, &path, None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.body);
    }
    let list = w
        .call(
            &outsider,
            Method::GET,
            &format!("/api/templates?workspace={theirs}"),
            None,
        )
        .await;
    assert!(
        !list.body.to_string().contains("Our weekly myth"),
        "another workspace's copy is not listed"
    );
    w.app.stop().await;
}

#[tokio::test]
async fn a_generation_is_queued_runs_and_its_draft_keeps_every_version() {
    let w = World::new("studio-drafts@example.com").await;
    let o = &w.owner;
    let script = w.script_template().await;
    let tone = w.call(o, Method::GET, &w.at("/api/tones"), None).await.body["tones"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();

    // From a template, in a tone: 202, then the draft.
    let g = w
        .generate(
            o,
            json!({"template_id": script, "tone": tone, "brief": "protein timing", "platform": "tiktok"}),
        )
        .await;
    assert_eq!(g["status"], "succeeded", "{g}");
    assert_eq!(g["engine"]["ai"], false, "the built-in engine, said so");
    assert_eq!(g["format"], "script");
    assert!(
        g["text"]
            .as_str()
            .is_some_and(|t| t.contains("protein timing"))
    );
    assert_eq!(g["output"]["format"], "script");
    assert!(g["usage"]["input_tokens"].is_number());
    let draft_id = g["draft_id"].as_i64().expect("the draft it wrote");
    let draft = w.draft(draft_id).await;
    assert_eq!(draft["generation_id"], g["id"]);
    assert_eq!(draft["tone"], tone.as_str());
    assert_eq!(draft["version"], 1);
    let again = w
        .call(
            o,
            Method::POST,
            &w.at(&format!("/api/generations/{}/cancel", g["id"])),
            None,
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "generation_ended")
    );

    // Without a template: the format asked for.
    let g = w
        .generate(
            o,
            json!({"format": "carousel", "brief": "five loaf shapes"}),
        )
        .await;
    assert_eq!(g["output"]["format"], "carousel", "{g}");

    // Saves: a version each, a stale base is a conflict that writes nothing.
    let id = w.carousel(o, "Loaves").await;
    let path = w.at(&format!("/api/drafts/{id}"));
    let saved = w
        .call(
            o,
            Method::PUT,
            &path,
            Some(json!({"content": carousel(&["One!", "Two", "Three"], "cap"), "base_version": 1})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["version"], 2);
    let stale = w
        .call(
            o,
            Method::PUT,
            &path,
            Some(json!({"content": carousel(&["Other"], "cap"), "base_version": 1})),
        )
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::CONFLICT, "draft_conflict")
    );
    assert_eq!(w.draft(id).await["version"], 2, "nothing written");
    let same = w
        .call(
            o,
            Method::PUT,
            &path,
            Some(json!({"content": carousel(&["One!", "Two", "Three"], "cap"), "base_version": 2})),
        )
        .await;
    assert_eq!(same.body["version"], 2, "an unchanged save is no version");

    let versions = w
        .call(
            o,
            Method::GET,
            &w.at(&format!("/api/drafts/{id}/versions")),
            None,
        )
        .await;
    let numbers: Vec<i64> = versions.body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1], "newest first");
    assert!(versions.body["versions"][0]["author_name"].is_string());
    let first = w
        .call(
            o,
            Method::GET,
            &w.at(&format!("/api/drafts/{id}/versions/1")),
            None,
        )
        .await;
    assert_eq!(first.body["content"]["slides"][0]["title"], "One");
    let missing = w
        .call(
            o,
            Method::GET,
            &w.at(&format!("/api/drafts/{id}/versions/9")),
            None,
        )
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "draft_version_not_found")
    );
    let restored = w
        .call(
            o,
            Method::POST,
            &w.at(&format!("/api/drafts/{id}/restore")),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(restored.body["version"], 3);
    assert_eq!(restored.body["content"]["slides"][0]["title"], "One");
    let versions = w
        .call(
            o,
            Method::GET,
            &w.at(&format!("/api/drafts/{id}/versions")),
            None,
        )
        .await;
    assert_eq!(versions.body["versions"][0]["restored_from"], 1);

    // Bookmarks, for the caller.
    let marked = w
        .call(
            o,
            Method::POST,
            &w.at("/api/bookmarks"),
            Some(json!({"kind": "draft", "id": id})),
        )
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    assert_eq!(marked.body["bookmarks"][0]["title"], "Loaves");
    let list = w.call(o, Method::GET, &w.at("/api/drafts"), None).await;
    let row = list.body["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(row["bookmarked"], true);
    let unmarked = w
        .call(
            o,
            Method::DELETE,
            &w.at(&format!("/api/bookmarks?kind=draft&id={id}")),
            None,
        )
        .await;
    assert_eq!(unmarked.status, StatusCode::OK, "{}", unmarked.body);
    assert_eq!(unmarked.body["bookmarks"], json!([]));
    w.app.stop().await;
}

#[tokio::test]
async fn roles_other_workspaces_and_tokens_get_only_what_they_may() {
    let w = World::new("studio-roles@example.com").await;
    let o = &w.owner;
    let viewer = w
        .app
        .member(o, &w.ws, "studio-viewer@example.com", "viewer")
        .await;
    let contributor = w
        .app
        .member(o, &w.ws, "studio-contributor@example.com", "contributor")
        .await;
    let ours = w.carousel(o, "Owner's").await;
    let g = w.generate(o, json!({"brief": "a caption"})).await;
    let generation = g["id"].as_i64().unwrap();
    let save = json!({"content": carousel(&["Changed"], "c")});

    // A viewer reads but neither generates nor saves.
    let a = w
        .call(&viewer, Method::GET, &w.at("/api/drafts"), None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = w
        .call(
            &viewer,
            Method::POST,
            &w.at("/api/generations"),
            Some(json!({"brief": "x"})),
        )
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let a = w
        .call(
            &viewer,
            Method::PUT,
            &w.at(&format!("/api/drafts/{ours}")),
            Some(save.clone()),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // A contributor saves their own draft, not someone else's.
    let a = w
        .call(
            &contributor,
            Method::PUT,
            &w.at(&format!("/api/drafts/{ours}")),
            Some(save.clone()),
        )
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let a = w
        .call(
            &contributor,
            Method::POST,
            &w.at(&format!("/api/drafts/{ours}/restore")),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let theirs = w.carousel(&contributor, "Contributor's").await;
    let a = w
        .call(
            &contributor,
            Method::PUT,
            &w.at(&format!("/api/drafts/{theirs}")),
            Some(save.clone()),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["version"], 2);
    assert_eq!(
        w.draft(ours).await["version"],
        1,
        "the owner's is untouched"
    );

    // Another workspace's member: 404 for our draft, generation and its
    // versions, whichever workspace they name.
    let outsider = w.app.signed_in("studio-other@example.com").await;
    let other_ws = w.app.settings_workspace(&outsider).await;
    for ws in [&w.ws, &other_ws] {
        for (method, path, body) in [
            (Method::GET, format!("/api/drafts/{ours}"), None),
            (
                Method::PUT,
                format!("/api/drafts/{ours}"),
                Some(save.clone()),
            ),
            (Method::GET, format!("/api/drafts/{ours}/versions"), None),
            (Method::GET, format!("/api/generations/{generation}"), None),
            (
                Method::POST,
                format!("/api/generations/{generation}/cancel"),
                None,
            ),
            (
                Method::POST,
                "/api/bookmarks".to_owned(),
                Some(json!({"kind": "draft", "id": ours})),
            ),
        ] {
            let a = w
                .call(
                    &outsider,
                    method.clone(),
                    &format!("{path}?workspace={ws}"),
                    body,
                )
                .await;
            assert_eq!(
                a.status,
                StatusCode::NOT_FOUND,
                "{method} {path} via {ws}: {}",
                a.body
            );
            assert!(!a.body.to_string().contains("Owner's"));
        }
    }

    // Tokens: reading needs posts:read, writing drafts:write.
    let reader = w.token(&["posts:read"]).await;
    let a = w
        .with_token(&reader, Method::GET, "/api/drafts", None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    for (method, path, body) in [
        (
            Method::POST,
            "/api/generations".to_owned(),
            json!({"brief": "x"}),
        ),
        (Method::PUT, format!("/api/drafts/{ours}"), save.clone()),
        (Method::POST, "/api/drafts".to_owned(), json!({})),
    ] {
        let a = w
            .with_token(&reader, method.clone(), &path, Some(body))
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::FORBIDDEN, "insufficient_scope"),
            "{method} {path}"
        );
        assert!(
            a.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("drafts:write")
        );
    }
    let writer = w.token(&["drafts:write"]).await;
    let a = w
        .with_token(
            &writer,
            Method::POST,
            "/api/generations",
            Some(json!({"brief": "from a script"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
    let a = w
        .with_token(&writer, Method::PUT, "/api/quotas", Some(json!({})))
        .await;
    assert_eq!(
        a.status,
        StatusCode::FORBIDDEN,
        "quotas are never a token's"
    );
    let a = w
        .with_token(
            &writer,
            Method::GET,
            &format!("/api/drafts?workspace={other_ws}"),
            None,
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::NOT_FOUND,
        "a token stays in its workspace"
    );
    w.app.stop().await;
}

#[tokio::test]
async fn huge_malformed_and_over_long_input_is_refused_and_changes_nothing() {
    let w = World::new("studio-input@example.com").await;
    let o = &w.owner;
    let id = w.carousel(o, "Steady").await;
    let path = w.at(&format!("/api/drafts/{id}"));
    let token = w.app.csrf_for(o).await;

    // Ten megabytes, and just over the limit: refused before they are
    // read (the server may answer before the client has sent it all).
    for size in [10 * 1024 * 1024, 70_000] {
        let huge = format!(
            r#"{{"content":{{"format":"carousel","slides":[{{"title":"{}","body":""}}],"caption":""}}}}"#,
            "x".repeat(size)
        );
        let sent = o
            .put(w.app.url(&path))
            .header("x-csrf-token", &token)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await;
        match sent {
            Ok(resp) => assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes"),
            Err(e) => assert!(
                size > 1024 * 1024 && (e.is_request() || e.is_body()),
                "{size} bytes: {e}"
            ),
        }
    }
    // Not JSON, and JSON of the wrong shape.
    let a = answer(
        o.put(w.app.url(&path))
            .header("x-csrf-token", &token)
            .header("content-type", "application/json")
            .body("{\"content\": nope}"),
    )
    .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let a = w
        .call(
            o,
            Method::PUT,
            &path,
            Some(json!({"content": {"format": "carousel", "slides": "many"}})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );
    assert!(
        a.body["error"]["field"]
            .as_str()
            .unwrap()
            .contains("content")
    );
    // Another format than the draft's.
    let a = w
        .call(
            o,
            Method::PUT,
            &path,
            Some(json!({"content": {"format": "thread", "parts": ["x"]}})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "content_format_mismatch")
    );
    assert!(
        a.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thread")
    );
    // Too many slides.
    let many: Vec<String> = (0..31).map(|i| format!("s{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let a = w
        .call(
            o,
            Method::PUT,
            &path,
            Some(json!({"content": carousel(&many, "")})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "studio_invalid")
    );
    assert_eq!(a.body["error"]["field"], "content");
    assert_eq!(w.draft(id).await["version"], 1, "nothing was saved");

    // A brief over MAX_BRIEF: 422 naming the field; no generation.
    let long = "b".repeat(herald_studio::MAX_BRIEF + 1);
    let a = w
        .call(
            o,
            Method::POST,
            &w.at("/api/generations"),
            Some(json!({"brief": long})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "studio_invalid")
    );
    assert_eq!(a.body["error"]["field"], "brief");
    assert!(
        a.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("brief")
    );
    let a = w
        .call(
            o,
            Method::POST,
            &w.at("/api/generations"),
            Some(json!({"brief": "  "})),
        )
        .await;
    assert_eq!(a.body["error"]["field"], "brief");
    let a = w
        .call(
            o,
            Method::POST,
            &w.at("/api/generations"),
            Some(json!({"brief": "x", "tone": "no-such-tone"})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::NOT_FOUND, "tone_not_found")
    );
    let a = w
        .call(
            o,
            Method::POST,
            &w.at("/api/generations"),
            Some(json!({"brief": "x", "template_id": 999_999})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::NOT_FOUND, "template_not_found")
    );
    let usage = w.call(o, Method::GET, &w.at("/api/usage"), None).await;
    assert_eq!(usage.status, StatusCode::OK, "{}", usage.body);
    let today = usage.body["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["scope"] == "workspace" && q["period"] == "day")
        .unwrap()
        .clone();
    assert_eq!(today["generations"], 0, "refused requests count nothing");
    let bad_month = w
        .call(o, Method::GET, &w.at("/api/usage?month=2026-13"), None)
        .await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    w.app.stop().await;
}

#[tokio::test]
async fn a_used_up_quota_is_429_naming_it_and_only_owners_and_admins_set_quotas() {
    let w = World::new("studio-quota@example.com").await;
    let o = &w.owner;
    let editor = w
        .app
        .member(o, &w.ws, "studio-editor@example.com", "editor")
        .await;
    let quotas = json!({
        "workspace_day": {"generations": 100, "tokens": null},
        "workspace_month": {"generations": null, "tokens": null},
        "member_day": {"generations": 1, "tokens": null},
        "member_month": {"generations": null, "tokens": null}
    });
    let a = w
        .call(
            &editor,
            Method::PUT,
            &w.at("/api/quotas"),
            Some(quotas.clone()),
        )
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let a = w
        .call(o, Method::PUT, &w.at("/api/quotas"), Some(quotas.clone()))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = w
        .call(&editor, Method::GET, &w.at("/api/quotas"), None)
        .await;
    assert_eq!(a.body["member_day"]["generations"], 1);

    let g = w.generate(o, json!({"brief": "first"})).await;
    assert_eq!(g["status"], "succeeded");
    let a = w
        .call(
            o,
            Method::POST,
            &w.at("/api/generations"),
            Some(json!({"brief": "second"})),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::TOO_MANY_REQUESTS, "quota_reached")
    );
    let message = a.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("daily") && message.contains(" 1 ") && message.contains("generations"),
        "{message}"
    );
    let retry: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry), "until midnight UTC: {retry}");
    // In German too.
    let token = w.app.csrf_for(o).await;
    let de = answer(
        o.post(w.app.url(&w.at("/api/generations")))
            .header("x-csrf-token", token)
            .header("accept-language", "de")
            .json(&json!({"brief": "dritte"})),
    )
    .await;
    assert!(
        de.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Tageskontingent")
    );
    // The quota is the member's: the editor still may.
    let g = w.generate(&editor, json!({"brief": "theirs"})).await;
    assert_eq!(g["status"], "succeeded");

    let usage = w.call(o, Method::GET, &w.at("/api/usage"), None).await;
    assert_eq!(usage.body["generations"], 2, "{}", usage.body);
    assert_eq!(usage.body["by_member"].as_array().unwrap().len(), 2);
    let mine = usage.body["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["scope"] == "member" && q["period"] == "day")
        .unwrap()
        .clone();
    assert_eq!(mine["generations"], 1);
    assert_eq!(mine["limit"]["generations"], 1);
    let theirs = w
        .call(&editor, Method::GET, &w.at("/api/usage"), None)
        .await;
    assert_eq!(
        theirs.body["by_member"].as_array().unwrap().len(),
        1,
        "a member who may not set quotas sees their own line"
    );
    w.app.stop().await;
}

/// The `name="…" value="…"` of the first input named `name` in `html`.
fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("an input {name}"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..v + rest[v..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn the_studio_pages_work_without_javascript_in_both_languages() {
    let w = World::new("studio-pages@example.com").await;
    let o = &w.owner;
    let ws = w.ws.clone();

    let html = w
        .app
        .html(o, &format!("/home/content?workspace={ws}"))
        .await;
    assert!(html.contains("Content studio") && html.contains("template draft (no AI)"));
    assert!(
        html.contains("href=\"/home/content\""),
        "the rail has Content"
    );
    let de = answer(
        o.get(w.app.url(&format!("/home/content?workspace={ws}")))
            .header("accept-language", "de"),
    )
    .await;
    assert_eq!(de.status, StatusCode::OK);

    // The form: a carousel from a brief; the generation's page, then the
    // draft it wrote.
    let resp = w
        .app
        .submit(
            o,
            "/home/content/generate",
            &[
                ("workspace", &ws),
                ("template", ""),
                ("format", "carousel"),
                ("tone", ""),
                ("pillar", ""),
                ("platform", "instagram"),
                ("brief", "Three loaves"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = location(&resp);
    assert!(page.starts_with("/home/content/generations/"), "{page}");
    let draft_href = eventually("the draft's link", || async {
        let html = w.app.html(o, &page).await;
        html.split("href=\"/home/content/drafts/")
            .nth(1)
            .map(|rest| format!("/home/content/drafts/{}", &rest[..rest.find('"').unwrap()]))
    })
    .await;
    let draft_href = draft_href.replace("&amp;", "&");
    let html = w.app.html(o, &draft_href).await;
    assert!(html.contains("data-list=\"slide\""), "the carousel editor");
    assert_eq!(input_value(&html, "base_version"), "1");
    let id: i64 = draft_href
        .trim_start_matches("/home/content/drafts/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // Without a script: the add-slide button posts the form and saves.
    let resp = w
        .app
        .submit(
            o,
            &format!("/home/content/drafts/{id}"),
            &[
                ("workspace", &ws),
                ("base_version", "1"),
                ("title", "Three loaves"),
                ("slide_title", "Rye"),
                ("slide_body", "dark"),
                ("caption", "bread"),
                ("op", "add_slide"),
            ],
        )
        .await;
    assert!(
        location(&resp).contains("done=saved"),
        "{}",
        location(&resp)
    );
    let draft = w.draft(id).await;
    assert_eq!(draft["version"], 2);
    assert_eq!(draft["content"]["slides"].as_array().unwrap().len(), 2);
    // A stale form: the conflict, in words, and nothing saved.
    let resp = w
        .app
        .submit(
            o,
            &format!("/home/content/drafts/{id}"),
            &[
                ("workspace", &ws),
                ("base_version", "1"),
                ("title", "Stale"),
                ("slide_title", "Old"),
                ("slide_body", ""),
                ("caption", ""),
            ],
        )
        .await;
    let back = location(&resp);
    assert!(back.contains("error=draft_conflict"), "{back}");
    assert!(
        w.app
            .html(o, &back)
            .await
            .contains("Someone saved this draft")
    );
    // Compare and restore.
    let html = w
        .app
        .html(
            o,
            &format!("/home/content/drafts/{id}?workspace={ws}&from=1"),
        )
        .await;
    assert!(html.contains("data-change=\"added\"") && html.contains("Slide 1 title"));
    let resp = w
        .app
        .submit(
            o,
            &format!("/home/content/drafts/{id}/restore"),
            &[("workspace", &ws), ("version", "1")],
        )
        .await;
    assert!(location(&resp).contains("done=restored"));
    assert_eq!(w.draft(id).await["version"], 3);
    // Bookmark it; it shows on the home page.
    let resp = w
        .app
        .submit(
            o,
            "/home/content/bookmarks",
            &[
                ("workspace", &ws),
                ("kind", "draft"),
                ("id", &id.to_string()),
                ("on", "true"),
            ],
        )
        .await;
    assert!(location(&resp).contains("done=bookmarked"));
    let html = w
        .app
        .html(o, &format!("/home/content?workspace={ws}"))
        .await;
    assert!(html.contains("class=\"badge bookmarked\""));

    // The composer, prefilled from the draft's variants.
    let html = w
        .app
        .html(o, &format!("/home/compose?workspace={ws}&draft={id}"))
        .await;
    assert!(html.contains("data-from-draft"), "opened from the draft");

    // Pillars and cadence, usage and quotas.
    let resp = w
        .app
        .submit(
            o,
            "/home/content/pillars",
            &[
                ("workspace", &ws),
                ("name", "Bakery life"),
                ("description", ""),
            ],
        )
        .await;
    assert!(location(&resp).contains("done=pillar_added"));
    let resp = w
        .app
        .submit(
            o,
            "/home/content/cadence",
            &[
                ("workspace", &ws),
                ("n.instagram", "3"),
                ("day", "mon"),
                ("day", "thu"),
                ("times", "09:00, 18:30"),
            ],
        )
        .await;
    assert!(
        location(&resp).contains("done=cadence_saved"),
        "{}",
        location(&resp)
    );
    let html = w
        .app
        .html(o, &format!("/home/content/pillars?workspace={ws}"))
        .await;
    assert!(html.contains("Bakery life") && html.contains("Instagram 3 a week"));
    let resp = w
        .app
        .submit(
            o,
            "/home/content/cadence",
            &[("workspace", &ws), ("times", "25:00")],
        )
        .await;
    let back = location(&resp);
    assert!(
        back.contains("error=studio_invalid") && back.contains("field=times"),
        "{back}"
    );
    assert!(w.app.html(o, &back).await.contains("HH:MM"));
    let html = w
        .app
        .html(o, &format!("/home/content/usage?workspace={ws}"))
        .await;
    assert!(html.contains("Set the quotas"));
    let resp = w
        .app
        .submit(
            o,
            "/home/content/usage/quotas",
            &[
                ("workspace", &ws),
                ("workspace_day.generations", "5"),
                ("member_day.generations", "abc"),
            ],
        )
        .await;
    assert!(location(&resp).contains("error=studio_invalid"));
    w.app.stop().await;
}

#[tokio::test]
async fn a_generations_stream_sends_its_text_and_status_and_ends_with_it() {
    let w = World::new("studio-stream@example.com").await;
    let o = &w.owner;
    let g = w.generate(o, json!({"brief": "stream me"})).await;
    let id = g["id"].as_i64().unwrap();
    let resp = o
        .get(
            w.app
                .url(&w.at(&format!("/home/content/generations/{id}/stream"))),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    // The generation has ended: one event, then the stream ends.
    let body = tokio::time::timeout(std::time::Duration::from_secs(30), resp.text())
        .await
        .expect("the stream ends with the generation")
        .unwrap();
    assert!(body.contains("event: generation"), "{body}");
    assert!(
        body.contains("\"done\":true") && body.contains("tream me"),
        "{body}"
    );
    // Another workspace's member: not found, no stream.
    let outsider = w.app.signed_in("studio-peeker@example.com").await;
    let resp = outsider
        .get(w.app.url(&format!("/home/content/generations/{id}/stream")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    w.app.stop().await;
}
