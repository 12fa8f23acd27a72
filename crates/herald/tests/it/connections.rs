//! Connecting platform accounts over HTTP, against a sandbox the test
//! owns (so it can read what the simulators issued and revoke grants):
//! every branch of the callback, the choice among Pages and channels,
//! removal with revocation, tokens never stored in plaintext, and key
//! rotation through the real `herald keys rotate`.

use std::sync::Arc;
use std::time::Duration;

use herald_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

struct World {
    app: TestApp,
    sandbox: Sandbox,
    state_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// A sandbox on its own port (with its state in a file) and the app using it.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state_file = dir.path().join("sandbox.json");
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_SANDBOX_URL", &base)]).await;
    // The standalone sandbox knows this install's app secrets, as `herald
    // sandbox` does from the same data folder.
    let mut config = SandboxConfig::new(base.clone());
    for (app_credentials, name) in [
        (&mut config.meta, "meta"),
        (&mut config.instagram, "instagram"),
        (&mut config.tiktok, "tiktok"),
        (&mut config.google, "google"),
    ] {
        let path = app
            .data_dir
            .join("secrets")
            .join(format!("sandbox-{name}-secret"));
        app_credentials.client_secret = std::fs::read_to_string(path).unwrap().trim().to_owned();
    }
    config.state_file = Some(state_file.clone());
    let sandbox = Sandbox::new(config, Arc::new(herald_core::SystemClock)).unwrap();
    let router = sandbox.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    World {
        app,
        sandbox,
        state_file,
        _dir: dir,
    }
}

pub(crate) fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location on a {} answer", resp.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// What a browser would submit from the first form of `html`: hidden
/// fields, text fields and ticked, enabled checkboxes.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for chunk in html.split("<input").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        let (Some(name), kind) = (attr(tag, "name"), attr(tag, "type")) else {
            continue;
        };
        let value = attr(tag, "value").unwrap_or_default();
        match kind.as_deref() {
            Some("checkbox") if tag.contains(" checked") && !tag.contains(" disabled") => {
                fields.push((name, value));
            }
            Some("checkbox") | Some("submit") => {}
            _ => fields.push((name, value)),
        }
    }
    fields
}

/// Starts connecting `provider` from the Publishing page's form; returns
/// the platform's consent URL.
pub(crate) async fn start(app: &TestApp, client: &reqwest::Client, provider: &str) -> String {
    let page = client
        .get(app.url("/home/publishing"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let workspace = page
        .split("name=\"workspace\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a connect form with the workspace")
        .to_owned();
    let resp = app
        .submit(
            client,
            &format!("/home/publishing/connect/{provider}"),
            &[("workspace", &workspace)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "start {provider}");
    location(&resp)
}

/// Clicks through the sandbox's consent page; `edit` may change the
/// fields first. Returns where the platform sends the browser back to.
pub(crate) async fn consent(
    authorize: &str,
    decision: &str,
    edit: impl FnOnce(&mut Vec<(String, String)>),
) -> String {
    let browser = new_client();
    let resp = browser.get(authorize).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "consent page {authorize}");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Sandbox"),
        "the consent page says it is a sandbox"
    );
    let mut fields = form_fields(&html);
    fields.retain(|(k, _)| k != "_csrf");
    edit(&mut fields);
    fields.push(("decision".into(), decision.into()));
    let action = authorize.split('?').next().unwrap();
    let resp = browser.post(action).form(&fields).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "consent answer");
    location(&resp)
}

/// Follows the platform's redirect back into Herald.
pub(crate) async fn back(client: &reqwest::Client, callback: &str) -> reqwest::Response {
    // Instagram appends `#_`, which a browser never sends.
    let url = callback.split('#').next().unwrap();
    client.get(url).send().await.unwrap()
}

async fn connections(app: &TestApp, client: &reqwest::Client, provider: &str) -> Vec<Value> {
    let resp = client
        .get(app.url(&format!("/api/platforms/{provider}/connections")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json::<Vec<Value>>().await.unwrap()
}

/// Every token the sandbox ever issued, from its state file.
fn issued_tokens(state_file: &std::path::Path) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        let is_token = |s: &str| {
            ["EAA", "IGAA", "act.", "rft.", "ya29.", "1//"]
                .iter()
                .any(|p| s.starts_with(p))
                && s.len() > 12
        };
        match v {
            Value::String(s) if is_token(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    if is_token(k) {
                        out.push(k.clone());
                    }
                    walk(v, out);
                }
            }
            _ => {}
        }
    }
    let json: Value = serde_json::from_slice(&std::fs::read(state_file).unwrap()).unwrap();
    let mut out = Vec::new();
    walk(&json, &mut out);
    out
}

/// The database file (and its WAL), byte for byte.
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let path = app
        .db_url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn instagram_through_a_facebook_page_tiktok_and_one_of_two_youtube_channels() {
    let w = world().await;
    let app = &w.app;
    let client = app.signed_in("owner@example.com").await;

    // Facebook Login: two Pages, each with an Instagram account; pick one.
    let authorize = start(app, &client, "facebook").await;
    assert!(authorize.contains("/www.facebook.com/"), "{authorize}");
    let callback = consent(&authorize, "allow", |_| {}).await;
    assert!(callback.contains("/oauth/facebook/callback?"), "{callback}");
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let choose = location(&resp);
    assert!(choose.starts_with("/home/publishing/choose/"), "{choose}");
    let page = client.get(app.url(&choose)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let keys: Vec<String> = html
        .split("name=\"account\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        keys.iter()
            .filter(|k| k.starts_with("facebook_page:"))
            .count(),
        2,
        "{keys:?}"
    );
    let instagram: Vec<&String> = keys
        .iter()
        .filter(|k| k.starts_with("instagram_business:"))
        .collect();
    assert_eq!(instagram.len(), 2, "{keys:?}");
    // Nothing chosen: asked again, nothing stored.
    let resp = app.submit(&client, &choose, &[]).await;
    assert!(location(&resp).contains("error=connect_nothing_chosen"));
    let resp = app
        .submit(&client, &choose, &[("account", instagram[0])])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).contains("done=connected"));
    let list = connections(app, &client, "facebook").await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "instagram_business");
    assert_eq!(list[0]["status"], "active");
    assert!(
        list[0]["token_expires_at"].is_null(),
        "Page tokens do not expire"
    );
    assert_eq!(list[0]["sandbox"], true);
    // The choice is single use.
    let resp = app
        .submit(&client, &choose, &[("account", instagram[1])])
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // TikTok: one account, connected straight away.
    let authorize = start(app, &client, "tiktok").await;
    assert!(authorize.contains("client_key="), "{authorize}");
    let callback = consent(&authorize, "allow", |_| {}).await;
    let resp = back(&client, &callback).await;
    assert!(location(&resp).contains("done=connected"));
    let tiktok = connections(app, &client, "tiktok").await;
    assert_eq!(tiktok.len(), 1);
    assert!(tiktok[0]["token_expires_at"].is_string());

    // YouTube with PKCE: two channels, connect the second.
    let authorize = start(app, &client, "youtube").await;
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    let callback = consent(&authorize, "allow", |_| {}).await;
    let choose = location(&back(&client, &callback).await);
    let html = client
        .get(app.url(&choose))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let channels: Vec<String> = html
        .split("name=\"account\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(channels.len(), 2, "{channels:?}");
    let resp = app
        .submit(&client, &choose, &[("account", &channels[1])])
        .await;
    assert!(location(&resp).contains("done=connected"));
    let youtube = connections(app, &client, "youtube").await;
    assert_eq!(youtube.len(), 1);
    assert_eq!(youtube[0]["kind"], "youtube_channel");

    // The page lists all three; no token appears in it, in the API or in
    // the database.
    let page = client
        .get(app.url("/home/publishing"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-connection=").count(), 3);
    let api = serde_json::to_string(&connections(app, &client, "youtube").await).unwrap();
    let tokens = issued_tokens(&w.state_file);
    assert!(tokens.len() >= 4, "{}", tokens.len());
    let db = database_bytes(app);
    for token in &tokens {
        assert!(!page.contains(token.as_str()), "a token in the page");
        assert!(!api.contains(token.as_str()), "a token in the API");
        assert!(!contains(&db, token), "a plaintext token in the database");
    }

    // Removing TikTok revokes at TikTok: the token stops working there.
    let id = tiktok[0]["id"].as_str().unwrap();
    let resp = client
        .delete(app.url(&format!("/api/platforms/tiktok/connections/{id}")))
        .header("x-csrf-token", app.csrf_for(&client).await)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revocation"], "revoked");
    assert!(connections(app, &client, "tiktok").await.is_empty());
    assert!(w.sandbox.calls("tiktok.revoke") >= 1);
    w.app.stop().await;
}

#[tokio::test]
async fn every_unhappy_callback_is_explained_and_connects_nothing() {
    let w = world().await;
    let app = &w.app;
    let client = app.signed_in("owner@example.com").await;

    // Denied.
    let callback = consent(&start(app, &client, "tiktok").await, "deny", |_| {}).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::OK, "declining is not an error");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("You declined the request")
    );

    // A forged state: refused, even with a real code.
    let callback = consent(&start(app, &client, "tiktok").await, "allow", |_| {}).await;
    let forged = callback.replace("state=", "state=x");
    let resp = back(&client, &forged).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("not started from your session")
    );
    // Another person's browser cannot complete someone else's attempt.
    let other = app.signed_in("other@example.com").await;
    let resp = back(&other, &callback).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // The real one still works once; a replay is stale.
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("expired or was already completed")
    );

    // Partial consent: a missing permission is named and re-consent offered.
    let callback = consent(&start(app, &client, "facebook").await, "allow", |fields| {
        fields.retain(|(k, v)| !(k == "grant" && v == "instagram_content_publish"));
    })
    .await;
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(html.contains("instagram_content_publish"), "{html}");
    assert!(html.contains("name=\"rerequest\""), "re-consent offered");

    // No Pages selected: the empty state says why and how to fix it.
    let callback = consent(&start(app, &client, "facebook").await, "allow", |fields| {
        fields.retain(|(k, _)| k != "page");
    })
    .await;
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("No Facebook Pages came back")
    );

    // A platform failure at the token exchange.
    let authorize = start(app, &client, "youtube").await;
    let callback = consent(&authorize, "allow", |_| {}).await;
    w.sandbox
        .inject(
            "google.token",
            herald_sandbox::Fault {
                kind: herald_sandbox::FaultKind::ServerError,
                times: Some(1),
            },
        )
        .unwrap();
    let resp = back(&client, &callback).await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("did not answer properly")
    );
    // The code exchange is not repeated blindly.
    assert_eq!(w.sandbox.calls("google.token"), 1);

    // No state at all, and an unknown provider.
    let resp = back(&client, &app.url("/oauth/tiktok/callback?code=abc")).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = back(&client, &app.url("/oauth/myspace/callback?code=abc")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    for provider in ["facebook", "tiktok", "youtube", "instagram"] {
        if provider != "tiktok" {
            assert!(
                connections(app, &client, provider).await.is_empty(),
                "{provider}"
            );
        }
    }
    w.app.stop().await;
}

/// Connects the first Facebook Page of the sandbox user (withholding the
/// scopes `withheld` on the consent page).
async fn connect_first_page(w: &World, client: &reqwest::Client, withheld: &[&str]) {
    let app = &w.app;
    let callback = consent(&start(app, client, "facebook").await, "allow", |fields| {
        fields.retain(|(k, v)| !(k == "grant" && withheld.contains(&v.as_str())));
    })
    .await;
    let choose = location(&back(client, &callback).await);
    let html = client
        .get(app.url(&choose))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = html
        .split("name=\"account\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .find(|k| k.starts_with("facebook_page:"))
        .expect("a Page to choose");
    let resp = app.submit(client, &choose, &[("account", &page)]).await;
    assert!(location(&resp).contains("done=connected"));
}

/// The Publishing page in `lang`, and the text of its webhooks line.
async fn webhooks_line(w: &World, client: &reqwest::Client, lang: &str) -> (String, String) {
    let html = client
        .get(w.app.url("/home/publishing"))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = html
        .split("class=\"webhooks\" data-webhooks=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("a webhooks line: {html}"));
    let state = line.split('"').next().unwrap().to_owned();
    let text = unescape(line.split("</dd>").next().unwrap());
    (state, text)
}

#[tokio::test]
async fn the_connection_card_says_whether_meta_sends_webhooks_and_what_to_do() {
    let w = world().await;
    let app = &w.app;
    let client = app.signed_in("owner@example.com").await;

    // Connected without the permission subscribed_apps takes: the card
    // says webhooks are off, why, and to reconnect (or ask the admin).
    connect_first_page(&w, &client, &["pages_manage_metadata"]).await;
    let (state, en) = webhooks_line(&w, &client, "en").await;
    assert_eq!(state, "missing_permission");
    assert!(
        en.contains("lacks the permission pages_manage_metadata"),
        "{en}"
    );
    assert!(en.contains("Reconnect and allow it"), "{en}");
    assert!(en.contains("administrator"), "{en}");
    let (_, de) = webhooks_line(&w, &client, "de").await;
    assert!(
        de.contains("fehlt die Berechtigung pages_manage_metadata"),
        "{de}"
    );
    assert!(de.contains("Verbinde neu"), "{de}");
    let list = connections(app, &client, "facebook").await;
    assert_eq!(list[0]["webhooks"]["state"], "missing_permission");
    assert_eq!(
        list[0]["webhooks"]["scopes"],
        serde_json::json!(["pages_manage_metadata"])
    );
    let page = list[0]["remote_id"].as_str().unwrap().to_owned();
    assert_eq!(w.sandbox.webhook_subscription(&page), None);

    // Meta fails for now on the reconnection: Herald will retry.
    w.sandbox
        .inject(
            "meta.subscribed_apps",
            herald_sandbox::Fault {
                kind: herald_sandbox::FaultKind::ServerError,
                times: None,
            },
        )
        .unwrap();
    connect_first_page(&w, &client, &[]).await;
    let (state, en) = webhooks_line(&w, &client, "en").await;
    assert_eq!(state, "retrying");
    assert!(en.contains("Herald will retry"), "{en}");
    let (_, de) = webhooks_line(&w, &client, "de").await;
    assert!(de.contains("versucht es von selbst erneut"), "{de}");

    // Reconnected with everything allowed: on, with its fields.
    w.sandbox.clear_faults();
    connect_first_page(&w, &client, &[]).await;
    let (state, en) = webhooks_line(&w, &client, "en").await;
    assert_eq!(state, "subscribed");
    assert!(en.contains("Meta sends feed, messages"), "{en}");
    let (_, de) = webhooks_line(&w, &client, "de").await;
    assert!(de.contains("Meta sendet feed, messages"), "{de}");
    assert_eq!(
        w.sandbox.webhook_subscription(&page),
        Some(vec!["feed".to_owned(), "messages".to_owned()])
    );
    // TikTok has no such line.
    let callback = consent(&start(app, &client, "tiktok").await, "allow", |_| {}).await;
    back(&client, &callback).await;
    let html = client
        .get(app.url("/home/publishing"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-connection=").count(), 2);
    assert_eq!(html.matches("data-webhooks=").count(), 1);
    w.app.stop().await;
}

#[tokio::test]
async fn a_viewer_cannot_connect_and_signed_out_callbacks_go_to_login() {
    let w = world().await;
    let app = &w.app;
    let resp = back(
        &new_client(),
        &app.url("/oauth/tiktok/callback?code=a&state=b"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login"));
    let resp = new_client()
        .post(app.url("/api/platforms/tiktok/connect"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    w.app.stop().await;
}

#[tokio::test]
async fn rotating_the_key_re_encrypts_every_credential() {
    let w = world().await;
    let app = &w.app;
    let client = app.signed_in("owner@example.com").await;
    let callback = consent(&start(app, &client, "tiktok").await, "allow", |_| {}).await;
    assert!(location(&back(&client, &callback).await).contains("done=connected"));
    let key_ids = || async {
        herald_db::on_pool!(&app.db, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT key_id FROM connections")
                .fetch_all(pool)
                .await
                .unwrap()
        })
    };
    assert_eq!(key_ids().await, vec![1]);

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["keys", "rotate"])
        .env_clear()
        .env("HERALD_DATA_DIR", &app.data_dir)
        .env("HERALD_DATABASE_URL", &app.db_url)
        .env("HERALD_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("added key 2"));

    // The running app's worker re-encrypts in the background.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while key_ids().await != vec![2] {
        assert!(std::time::Instant::now() < deadline, "not re-encrypted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Everything still decrypts: the connection's token still works at
    // TikTok (removing it revokes with the decrypted token).
    let id = connections(app, &client, "tiktok").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = client
        .delete(app.url(&format!("/api/platforms/tiktok/connections/{id}")))
        .header("x-csrf-token", app.csrf_for(&client).await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap()["revocation"], "revoked");

    // The old key can go now; `keys list` agrees.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["keys", "retire", "1"])
        .env_clear()
        .env("HERALD_DATA_DIR", &app.data_dir)
        .env("HERALD_DATABASE_URL", &app.db_url)
        .env("HERALD_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    w.app.stop().await;
}
