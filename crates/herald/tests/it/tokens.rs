//! Scoped access tokens over HTTP: made, listed and revoked through
//! `/api/tokens` and the settings page; what a token may do through the API
//! (its scopes, its maker's role now, its workspace only); assistants that
//! draft but never publish, audited as acting through their token; the
//! secret shown once and never again.

use std::sync::Arc;

use herald_core::{Clock, ManualClock, SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// An answer: status, headers and the body as text.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().unwrap_or(""))
    }
}

async fn answer(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    Answer {
        status: resp.status(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap(),
    }
}

/// A request as a signed-in `client` (with its CSRF token for writes).
async fn as_session(
    app: &TestApp,
    client: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let token = app.csrf_for(client).await;
    let mut req = client
        .request(method, app.url(path))
        .header("x-csrf-token", token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    answer(req).await
}

/// A request with `secret` as its bearer token and no cookie.
async fn as_token(
    app: &TestApp,
    secret: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .request(method, app.url(path))
        .bearer_auth(secret);
    if let Some(body) = body {
        req = req.json(&body);
    }
    answer(req).await
}

async fn me(app: &TestApp, client: &reqwest::Client) -> Value {
    client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The caller's personal workspace.
async fn personal(app: &TestApp, client: &reqwest::Client) -> String {
    me(app, client).await["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["personal"] == true)
        .unwrap()["id"]
        .to_string()
}

/// Makes a token as `client` in `ws`; its id and secret.
async fn make(app: &TestApp, client: &reqwest::Client, ws: &str, body: Value) -> (i64, String) {
    let a = as_session(
        app,
        client,
        reqwest::Method::POST,
        &format!("/api/tokens?workspace={ws}"),
        Some(body),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let v = a.json();
    (
        v["token"]["id"].as_i64().unwrap(),
        v["secret"].as_str().unwrap().to_owned(),
    )
}

/// A TikTok draft (or schedule, or publish-now) for connection `tiktok`.
fn post_body(tiktok: &str, when: Value) -> Value {
    json!({
        "targets": [{"connection_id": tiktok, "variant": {"format": "video", "caption": "by a token", "media": []}}],
        "when": when,
    })
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked_and_their_secret_is_shown_once() {
    let app = spawn_app().await;
    let owner = app.signed_in("tok-owner@example.com").await;
    let ws = personal(&app, &owner).await;
    // The owner is also an editor elsewhere; the token must not reach there.
    let other = app.signed_in("tok-other@example.com").await;
    let other_ws = personal(&app, &other).await;
    let resp = app
        .submit(
            &other,
            &format!("/workspaces/{other_ws}/invites"),
            &[("email", "tok-owner@example.com"), ("role", "editor")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let invite = app.token_mailed_to("tok-owner@example.com").await;
    app.submit(&owner, "/invites/accept", &[("token", &invite)])
        .await;
    assert_eq!(
        me(&app, &owner).await["workspaces"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let created = as_session(
        &app,
        &owner,
        reqwest::Method::POST,
        &format!("/api/tokens?workspace={ws}"),
        Some(json!({"name": "Reporting", "kind": "personal", "scopes": ["posts:read", "accounts:read"]})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.header("cache-control"), "no-store");
    let v = created.json();
    let secret = v["secret"].as_str().unwrap().to_owned();
    let id = v["token"]["id"].as_i64().unwrap();
    assert!(secret.starts_with("hrld_pat_"), "{secret}");
    assert_eq!(v["token"]["scopes"], json!(["accounts:read", "posts:read"]));
    assert_eq!(v["token"]["kind"], "personal");

    // Listed without its secret.
    let list = as_session(
        &app,
        &owner,
        reqwest::Method::GET,
        &format!("/api/tokens?workspace={ws}"),
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["tokens"][0]["id"], id);
    assert_eq!(list.json()["tokens"][0]["name"], "Reporting");
    let mut seen = vec![list.body.clone()];
    seen.push(
        app.html(&owner, &format!("/home/settings?workspace={ws}"))
            .await,
    );
    assert!(seen[1].contains("Reporting"), "the settings page lists it");

    // `/api/me` through the token: its workspace only, the token, no secret.
    let me_token = as_token(&app, &secret, reqwest::Method::GET, "/api/me", None).await;
    assert_eq!(me_token.status, StatusCode::OK);
    let workspaces = me_token.json()["workspaces"].as_array().unwrap().clone();
    assert_eq!(workspaces.len(), 1);
    assert_eq!(workspaces[0]["id"].to_string(), ws);
    assert_eq!(me_token.json()["token"]["id"], id);
    seen.push(me_token.body.clone());

    // Pinned: another workspace of its maker is not found.
    let there = as_token(
        &app,
        &secret,
        reqwest::Method::GET,
        &format!("/api/posts?workspace={other_ws}&queue=drafts"),
        None,
    )
    .await;
    assert_eq!(
        (there.status, there.code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let here = as_token(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/posts?queue=drafts",
        None,
    )
    .await;
    assert_eq!(here.status, StatusCode::OK, "{}", here.body);

    // Tokens do not manage tokens, devices or notifications.
    for (method, path) in [
        (reqwest::Method::GET, format!("/api/tokens?workspace={ws}")),
        (reqwest::Method::POST, format!("/api/tokens?workspace={ws}")),
        (
            reqwest::Method::DELETE,
            format!("/api/tokens/{id}?workspace={ws}"),
        ),
        (reqwest::Method::GET, "/api/auth/devices".to_owned()),
        (reqwest::Method::GET, "/api/notifications".to_owned()),
    ] {
        let body = (method == reqwest::Method::POST)
            .then(|| json!({"name": "child", "kind": "app", "scopes": ["posts:read"]}));
        let a = as_token(&app, &secret, method.clone(), &path, body).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::FORBIDDEN, "insufficient_scope"),
            "{method} {path}"
        );
        assert!(a.header("www-authenticate").contains("insufficient_scope"));
        seen.push(a.body);
    }
    // Pages never take a token: it is simply not signed in.
    let page = as_token(&app, &secret, reqwest::Method::GET, "/home/settings", None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.header("location").starts_with("/login?"));

    // Refusals, each with its code; nothing is made.
    for (body, code) in [
        (
            json!({"name": "x", "kind": "robot", "scopes": ["posts:read"]}),
            "token_kind_unknown",
        ),
        (
            json!({"name": "x", "kind": "app", "scopes": ["posts:fly"]}),
            "token_scope_unknown",
        ),
        (
            json!({"name": "x", "kind": "app", "scopes": ["posts:read", "posts:read"]}),
            "token_scope_duplicate",
        ),
        (json!({"name": "x", "kind": "app"}), "token_scopes_required"),
        (
            json!({"name": " ", "kind": "app", "scopes": ["posts:read"]}),
            "token_name_required",
        ),
        (
            json!({"name": "Reporting", "kind": "app", "scopes": ["posts:read"]}),
            "token_name_taken",
        ),
        (
            json!({"name": "x", "kind": "assistant", "scopes": ["posts:approve"]}),
            "token_scope_not_for_assistants",
        ),
        (
            json!({"name": "x", "kind": "app", "scopes": ["posts:read"], "expires_at": "2001-01-01T00:00:00Z"}),
            "token_expiry_past",
        ),
        (
            json!({"name": "x", "kind": "app", "scope": ["posts:read"]}),
            "invalid_body",
        ),
        (
            json!({"name": "x", "kind": "app", "scopes": ["posts:read"], "expires_at": "soon"}),
            "invalid_body",
        ),
    ] {
        let a = as_session(
            &app,
            &owner,
            reqwest::Method::POST,
            &format!("/api/tokens?workspace={ws}"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned()),
            "{body}"
        );
    }
    let stranger = as_session(
        &app,
        &other,
        reqwest::Method::POST,
        &format!("/api/tokens?workspace={ws}"),
        Some(json!({"name": "x", "kind": "app", "scopes": ["posts:read"]})),
    )
    .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let list = as_session(
        &app,
        &owner,
        reqwest::Method::GET,
        &format!("/api/tokens?workspace={ws}"),
        None,
    )
    .await;
    assert_eq!(list.json()["tokens"].as_array().unwrap().len(), 1);
    // Another member's token is not theirs to revoke.
    let theirs = as_session(
        &app,
        &other,
        reqwest::Method::DELETE,
        &format!("/api/tokens/{id}?workspace={other_ws}"),
        None,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // Revoked: at once.
    let gone = as_session(
        &app,
        &owner,
        reqwest::Method::DELETE,
        &format!("/api/tokens/{id}?workspace={ws}"),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let after = as_token(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/posts?queue=drafts",
        None,
    )
    .await;
    assert_eq!(
        (after.status, after.code().as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    seen.push(
        app.html(&owner, &format!("/home/settings/audit?workspace={ws}"))
            .await,
    );
    for body in &seen {
        assert!(!body.contains(&secret[9..]), "the secret came back: {body}");
    }

    // Guessing is limited per client: 30 failures (the revoked token's was
    // the first), then 429.
    let mut limited = None;
    for i in 0..31 {
        let a = as_token(
            &app,
            &format!("hrld_ast_guess{i}"),
            reqwest::Method::GET,
            "/api/me",
            None,
        )
        .await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, a.header("retry-after").to_owned()));
            break;
        }
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let (at, retry) = limited.expect("the 31st failure is limited");
    assert_eq!(at, 29);
    assert!(retry.parse::<u64>().unwrap() > 0);
    app.stop().await;
}

#[tokio::test]
async fn a_read_token_cannot_draft_and_an_assistant_drafts_but_never_publishes() {
    let app = spawn_app().await;
    let owner = app.signed_in("tok-drafts@example.com").await;
    let ws = personal(&app, &owner).await;
    let tiktok = crate::posts::connect(&app, &owner, "tiktok").await;
    let (_, reader) = make(
        &app,
        &owner,
        &ws,
        json!({"name": "Reader", "kind": "app", "scopes": ["posts:read"]}),
    )
    .await;
    let (_, assistant) = make(
        &app,
        &owner,
        &ws,
        json!({"name": "Claude", "kind": "assistant"}),
    )
    .await;

    let listed = as_token(
        &app,
        &reader,
        reqwest::Method::GET,
        "/api/posts?queue=drafts",
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let draft = post_body(&tiktok, json!({"action": "draft"}));
    let refused = as_token(
        &app,
        &reader,
        reqwest::Method::POST,
        "/api/posts",
        Some(draft.clone()),
    )
    .await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    assert_eq!(
        refused.header("www-authenticate"),
        r#"Bearer error="insufficient_scope", scope="drafts:write""#
    );
    // Reading accounts needs accounts:read.
    let accounts = as_token(
        &app,
        &reader,
        reqwest::Method::GET,
        "/api/platforms/tiktok/connections",
        None,
    )
    .await;
    assert_eq!(accounts.status, StatusCode::FORBIDDEN);

    // The assistant sees the accounts and drafts…
    let accounts = as_token(
        &app,
        &assistant,
        reqwest::Method::GET,
        "/api/platforms/tiktok/connections",
        None,
    )
    .await;
    assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.body);
    let made = as_token(
        &app,
        &assistant,
        reqwest::Method::POST,
        "/api/posts",
        Some(draft),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let post = made.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(made.json()["status"], "draft");
    assert_eq!(
        made.json()["created_by"].to_string(),
        me(&app, &owner).await["id"].to_string()
    );

    // …but neither schedules nor publishes, whichever way it asks.
    let later = json!({"action": "schedule", "schedule": {"local": "2099-06-01T09:00", "time_zone": "Europe/Berlin"}});
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            "/api/posts".to_owned(),
            Some(post_body(&tiktok, later.clone())),
        ),
        (
            reqwest::Method::POST,
            "/api/posts".to_owned(),
            Some(post_body(&tiktok, json!({"action": "now"}))),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/posts/{post}"),
            Some(post_body(&tiktok, json!({"action": "now"}))),
        ),
        (
            reqwest::Method::POST,
            format!("/api/posts/{post}/reschedule"),
            Some(json!({"when": later})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/posts/{post}/cancel"),
            None,
        ),
        (reqwest::Method::DELETE, format!("/api/posts/{post}"), None),
    ] {
        let a = as_token(&app, &assistant, method.clone(), &path, body).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::FORBIDDEN, "insufficient_scope"),
            "{method} {path}: {}",
            a.body
        );
        assert!(
            a.header("www-authenticate")
                .contains(r#"scope="posts:write""#),
            "{method} {path}"
        );
    }
    let still = as_token(
        &app,
        &assistant,
        reqwest::Method::GET,
        &format!("/api/posts/{post}"),
        None,
    )
    .await;
    assert_eq!(still.json()["status"], "draft");

    // Its actions are audited as made through it, on the owner's behalf.
    let audit = app
        .html(&owner, &format!("/home/settings/audit?workspace={ws}"))
        .await;
    assert!(
        audit.contains("via the assistant “Claude” on behalf of tok-drafts@example.com"),
        "{audit}"
    );
    assert!(audit.contains("POST /api/posts"));
    app.stop().await;
}

#[tokio::test]
async fn a_token_loses_power_with_its_makers_role_and_ends_with_their_membership() {
    let app = spawn_app().await;
    let owner = app.signed_in("tok-boss@example.com").await;
    let ws = personal(&app, &owner).await;
    let tiktok = crate::posts::connect(&app, &owner, "tiktok").await;
    let editor = app
        .member(&owner, &ws, "tok-editor@example.com", "editor")
        .await;
    let editor_id = me(&app, &editor).await["id"].to_string();
    // An editor may not make a token beyond the role.
    let beyond = as_session(
        &app,
        &editor,
        reqwest::Method::POST,
        &format!("/api/tokens?workspace={ws}"),
        Some(json!({"name": "hooks", "kind": "app", "scopes": ["webhooks:manage"]})),
    )
    .await;
    assert_eq!(
        (beyond.status, beyond.code().as_str()),
        (StatusCode::FORBIDDEN, "token_scope_beyond_role")
    );
    let (_, secret) = make(
        &app,
        &editor,
        &ws,
        json!({"name": "Writer", "kind": "app", "scopes": ["posts:write"]}),
    )
    .await;
    let draft = post_body(&tiktok, json!({"action": "draft"}));
    let a = as_token(
        &app,
        &secret,
        reqwest::Method::POST,
        "/api/posts",
        Some(draft.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);

    // The owner sees every token; the editor's own list has theirs.
    let all = as_session(
        &app,
        &owner,
        reqwest::Method::GET,
        &format!("/api/tokens?workspace={ws}"),
        None,
    )
    .await;
    assert_eq!(all.json()["tokens"][0]["name"], "Writer");
    assert_eq!(all.json()["tokens"][0]["creator"], "tok-editor@example.com");

    // Demoted to viewer: the write token may only read.
    let resp = app
        .submit(
            &owner,
            &format!("/workspaces/{ws}/members/{editor_id}/role"),
            &[("role", "viewer")],
        )
        .await;
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("done=role_changed")
    );
    let a = as_token(
        &app,
        &secret,
        reqwest::Method::POST,
        "/api/posts",
        Some(draft),
    )
    .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let a = as_token(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/posts?queue=drafts",
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);

    // Removed from the workspace: the token ends with the membership.
    let resp = app
        .submit(
            &owner,
            &format!("/workspaces/{ws}/members/{editor_id}/remove"),
            &[],
        )
        .await;
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("done=member_removed")
    );
    let a = as_token(&app, &secret, reqwest::Method::GET, "/api/me", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_token_is_refused_and_the_settings_page_makes_and_revokes_tokens() {
    let clock = Arc::new(ManualClock::new(Timestamp::now()));
    let app = spawn_app_with_clock(Backend::Sqlite, &[], clock.clone()).await;
    let owner = app.signed_in("tok-forms@example.com").await;
    let ws = personal(&app, &owner).await;

    // The form: kind, ticked scopes and an expiry date; the secret is on
    // the answer, which no cache keeps.
    let tomorrow = clock
        .now()
        .checked_add(SignedDuration::from_hours(24))
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string();
    let resp = app
        .submit(
            &owner,
            "/home/settings/tokens",
            &[
                ("workspace", &ws),
                ("name", "Nightly export"),
                ("kind", "app"),
                ("scope", "posts:read"),
                ("scope", "accounts:read"),
                ("expires", &tomorrow),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let html = resp.text().await.unwrap();
    let secret = html
        .split("data-secret>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the secret on the page")
        .to_owned();
    assert!(secret.starts_with("hrld_app_"), "{secret}");
    let a = as_token(&app, &secret, reqwest::Method::GET, "/api/me", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.json()["token"]["scopes"],
        json!(["accounts:read", "posts:read"])
    );

    // The settings page lists it, without the secret.
    let settings = app
        .html(&owner, &format!("/home/settings?workspace={ws}"))
        .await;
    assert!(settings.contains("Nightly export"));
    assert!(!settings.contains(&secret[9..]));

    // A bad form comes back with the error, and makes nothing.
    let resp = app
        .submit(
            &owner,
            "/home/settings/tokens",
            &[("workspace", &ws), ("name", "x"), ("kind", "app")],
        )
        .await;
    let to = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("error=token_scopes_required"), "{to}");
    let resp = app
        .submit(
            &owner,
            "/home/settings/tokens",
            &[
                ("workspace", &ws),
                ("name", "x"),
                ("kind", "app"),
                ("scope", "posts:read"),
                ("expires", "yesterday"),
            ],
        )
        .await;
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=token_expiry_invalid")
    );
    let page = app.html(&owner, &to).await;
    assert!(
        page.contains("Choose at least one scope"),
        "the error is worded"
    );

    // Past its day, the token stops.
    clock.advance(SignedDuration::from_hours(49));
    let a = as_token(&app, &secret, reqwest::Method::GET, "/api/me", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let settings = app
        .html(&owner, &format!("/home/settings?workspace={ws}"))
        .await;
    assert!(settings.contains("expired"));

    // Revoked from the page.
    let (_, live) = make(
        &app,
        &owner,
        &ws,
        json!({"name": "Live", "kind": "personal", "scopes": ["posts:read"]}),
    )
    .await;
    let list = as_session(
        &app,
        &owner,
        reqwest::Method::GET,
        &format!("/api/tokens?workspace={ws}"),
        None,
    )
    .await;
    let id = list.json()["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Live")
        .unwrap()["id"]
        .to_string();
    let resp = app
        .submit(
            &owner,
            &format!("/home/settings/tokens/{id}/revoke"),
            &[("workspace", &ws)],
        )
        .await;
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("done=token_revoked")
    );
    let a = as_token(&app, &live, reqwest::Method::GET, "/api/me", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
