//! `/mcp` driven by a real MCP client (rmcp's, over streamable HTTP with
//! reqwest): the handshake, the tools and their schemas, drafting with an
//! assistant token, refusals by the services (publishing without the right
//! to), tools outside a token's scopes, other workspaces' objects, bad
//! arguments, bad tokens and requests from other origins.

use std::collections::HashMap;

use reqwest::StatusCode;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorCode};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};

use crate::helpers::*;

type Client = RunningService<RoleClient, ()>;

/// A device's bearer token of `email`'s (the password grant): the
/// person's whole role.
async fn device_token(app: &TestApp, email: &str) -> String {
    let resp = reqwest::Client::new()
        .post(app.url("/api/auth/token"))
        .json(&json!({
            "grant_type": "password",
            "email": email,
            "password": PASSWORD,
            "device_name": "Laptop",
            "device_kind": "web",
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A scoped token for workspace `ws`, made with `device` (its maker's
/// device token): an assistant's with its default scopes, or an app's
/// with `scopes`. Its id and secret.
async fn scoped_token(app: &TestApp, device: &str, ws: &str, scopes: &[&str]) -> (i64, String) {
    let body = if scopes.is_empty() {
        json!({"name": "Claude", "kind": "assistant"})
    } else {
        json!({"name": "Reports", "kind": "app", "scopes": scopes})
    };
    let resp = reqwest::Client::new()
        .post(app.url(&format!("/api/tokens?workspace={ws}")))
        .bearer_auth(device)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["token"]["id"].as_i64().unwrap(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

fn transport(
    app: &TestApp,
    query: &str,
    token: &str,
    headers: &[(&'static str, &str)],
) -> StreamableHttpClientTransport<reqwest::Client> {
    let custom: HashMap<_, _> = headers
        .iter()
        .map(|(k, v)| {
            (
                http::HeaderName::from_static(k),
                http::HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect();
    StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(app.url(&format!("/mcp{query}")))
            .auth_header(token)
            .custom_headers(custom),
    )
}

/// An MCP client connected (`initialize` done) with `token` for workspace
/// `ws`.
async fn connect(app: &TestApp, ws: &str, token: &str) -> Client {
    ().serve(transport(app, &format!("?workspace={ws}"), token, &[]))
        .await
        .expect("the MCP handshake")
}

async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let mut params = CallToolRequestParams::new(tool.to_owned());
    if let Value::Object(map) = args {
        params = params.with_arguments(map);
    }
    client
        .call_tool(params)
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// A successful call's structured result.
async fn ok(client: &Client, tool: &str, args: Value) -> Value {
    let result = call(client, tool, args).await;
    assert_ne!(result.is_error, Some(true), "{tool}: {result:?}");
    let value = result
        .structured_content
        .clone()
        .expect("structured content");
    let texts: Vec<&str> = result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect();
    assert!(texts.len() >= 2, "a summary and the JSON: {texts:?}");
    assert_eq!(serde_json::from_str::<Value>(texts[1]).unwrap(), value);
    value
}

/// A refused call's error body (`{"code", "message", …}`).
async fn refused(client: &Client, tool: &str, args: Value) -> Value {
    let result = call(client, tool, args).await;
    assert_eq!(result.is_error, Some(true), "{tool}: {result:?}");
    let text = result.content[0].as_text().expect("a text").text.clone();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(
        !body["error"]["message"].as_str().unwrap().is_empty(),
        "{body}"
    );
    body["error"].clone()
}

async fn workspace_of(app: &TestApp, token: &str) -> String {
    let me: Value = reqwest::Client::new()
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["workspaces"][0]["id"].to_string()
}

async fn post_via_api(app: &TestApp, token: &str, ws: &str, id: &str) -> Value {
    let resp = reqwest::Client::new()
        .get(app.url(&format!("/api/posts/{id}?workspace={ws}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// An `mcp.*` audit row.
#[derive(Debug, sqlx::FromRow)]
struct Audited {
    action: String,
    outcome: String,
    actor_id: Option<i64>,
    detail: String,
    via: Option<String>,
}

async fn mcp_audit(app: &TestApp) -> Vec<Audited> {
    herald_db::on_pool!(&app.db, |pool| {
        sqlx::query_as(
            "SELECT action, outcome, actor_id, detail, via FROM audit_events \
             WHERE action LIKE 'mcp.%' ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    })
}

struct World {
    app: TestApp,
    /// The owner's browser (signed in).
    browser: reqwest::Client,
    ws: String,
    /// The owner's device token (their whole role).
    owner: String,
    tiktok: String,
}

/// An owner with a TikTok account connected through the sandbox.
async fn world(email: &str) -> World {
    let app = spawn_app().await;
    let browser = app.signed_in(email).await;
    let tiktok = crate::posts::connect(&app, &browser, "tiktok").await;
    let owner = device_token(&app, email).await;
    let ws = workspace_of(&app, &owner).await;
    World {
        app,
        browser,
        ws,
        owner,
        tiktok,
    }
}

/// Connects the sandbox's first Facebook Page (Facebook Login offers
/// Pages and their Instagram accounts).
async fn connect_page(app: &TestApp, browser: &reqwest::Client) {
    use crate::connections::{back, consent, location, start};
    let authorize = start(app, browser, "facebook").await;
    let callback = consent(&authorize, "allow", |_| {}).await;
    let choose = location(&back(browser, &callback).await);
    let html = app.html(browser, &choose).await;
    let page = html
        .split("name=\"account\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|key| key.starts_with("facebook_page:"))
        .expect("a Page to choose")
        .to_owned();
    let resp = app.submit(browser, &choose, &[("account", &page)]).await;
    assert!(location(&resp).contains("done=connected"));
}

fn draft(connection: &str, caption: &str) -> Value {
    json!({"targets": [{"connection_id": connection, "format": "video", "caption": caption}]})
}

#[tokio::test]
async fn an_assistant_lists_accounts_and_drafts_but_is_refused_publishing() {
    let w = world("mcp-owner@example.com").await;
    let app = &w.app;
    // The owner's assistant token, with its default scopes: read, draft,
    // upload, never publish or approve.
    let (token_id, assistant) = scoped_token(app, &w.owner, &w.ws, &[]).await;
    let client = connect(app, &w.ws, &assistant).await;

    let info = client.peer_info().expect("the server introduced itself");
    assert_eq!(info.server_info.as_ref().unwrap().name, "herald");
    assert!(info.capabilities.tools.is_some());

    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| &*t.name).collect();
    names.sort_unstable();
    assert_eq!(names, TOOLS);
    for tool in &tools {
        assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
        assert!(tool.output_schema.is_some(), "{}", tool.name);
        assert!(tool.description.is_some(), "{}", tool.name);
    }

    let accounts = ok(&client, "list_accounts", json!({})).await;
    let list = accounts["accounts"].as_array().unwrap();
    let tiktok = list
        .iter()
        .find(|a| a["id"] == w.tiktok.as_str())
        .expect("the TikTok account");
    assert_eq!(tiktok["provider"], "tiktok");
    assert_eq!(tiktok["status"], "active");
    assert_eq!(tiktok["sandbox"], true);
    let keys: Vec<&String> = tiktok.as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("token") || k.contains("secret")),
        "{keys:?}"
    );

    let post = ok(
        &client,
        "create_draft",
        draft(&w.tiktok, "Written by an assistant"),
    )
    .await;
    let id = post["id"].as_str().unwrap().to_owned();
    assert_eq!(post["status"], "draft");
    // The draft is there for people, through the JSON API.
    let via_api = post_via_api(app, &w.owner, &w.ws, &id).await;
    assert_eq!(via_api["status"], "draft");
    assert_eq!(
        via_api["targets"][0]["variant"]["caption"],
        "Written by an assistant"
    );

    let got = ok(&client, "get_post", json!({"id": id})).await;
    assert_eq!(got["targets"][0]["caption"], "Written by an assistant");
    let drafts = ok(&client, "list_posts", json!({"status": "drafts"})).await;
    assert!(
        drafts["posts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str())
    );

    // Publishing and scheduling are offered, and refused by the service:
    // the token does not hold posts:write.
    let at = json!({"local_time": "2030-07-01T09:00", "time_zone": "Europe/Berlin"});
    let mut schedule = at.clone();
    schedule["id"] = json!(id);
    let error = refused(&client, "publish_post", json!({"id": id})).await;
    assert_eq!(error["code"], "insufficient_scope");
    let error = refused(&client, "schedule_post", schedule.clone()).await;
    assert_eq!(error["code"], "insufficient_scope");
    let after = post_via_api(app, &w.owner, &w.ws, &id).await;
    assert_eq!(
        after["status"], "draft",
        "nothing was published or scheduled"
    );
    assert_eq!(after["targets"][0]["status"], "draft");
    assert!(after["scheduled_at"].is_null());

    // The platforms' own figures sit beside what Herald recorded.
    crate::analytics::plant(app, &w.ws, &w.tiktok, "tiktok_user", 1_000, "mcp-post").await;
    let summary: Value = w
        .browser
        .get(app.url(&format!("/api/analytics/summary?workspace={}", w.ws)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let report = ok(&client, "read_analytics", json!({})).await;
    assert_eq!(report["platform_metrics"], true);
    assert_eq!(report["platform_period"]["period"], "30d");
    assert_eq!(report["platform_period"]["to"], summary["to"]);
    let mine = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["connection_id"] == w.tiktok.as_str())
        .expect("the TikTok account's activity");
    assert_eq!(
        (mine["drafts"].as_u64(), mine["published"].as_u64()),
        (Some(1), Some(0))
    );
    let figures = &summary["accounts"][0]["totals"];
    assert_eq!(mine["platform"]["followers"], figures["followers"]["value"]);
    assert_eq!(mine["platform"]["views"], figures["views"]["value"]);
    assert_eq!(
        mine["platform"]["engagements"],
        figures["engagements"]["value"]
    );
    assert_eq!(
        mine["platform"]["engagement_rate"],
        figures["engagement_rate"]["value"]
    );
    assert!(mine["platform"]["followers"].as_i64().unwrap() > 1_000);
    let error = refused(&client, "read_analytics", json!({"period": "5y"})).await;
    assert_eq!(error["code"], "invalid_arguments");
    assert_eq!(error["field"], "period");

    // Every call is audited as the owner's, via the assistant.
    let audit = mcp_audit(app).await;
    let via = format!("assistant:{token_id}:Claude");
    let has = |action: &str, outcome: &str, detail: &str| {
        audit.iter().any(|a| {
            a.action == action
                && a.outcome == outcome
                && a.detail == detail
                && a.via.as_deref() == Some(via.as_str())
                && a.actor_id.is_some()
        })
    };
    assert!(has("mcp.list_accounts", "success", ""), "{audit:?}");
    assert!(has("mcp.create_draft", "success", ""), "{audit:?}");
    assert!(
        has("mcp.publish_post", "denied", "insufficient_scope"),
        "{audit:?}"
    );
    assert!(
        has("mcp.schedule_post", "denied", "insufficient_scope"),
        "{audit:?}"
    );
    // The audit page says so, for the people reading it.
    let page = app
        .html(
            &w.browser,
            &format!("/home/settings/audit?workspace={}", w.ws),
        )
        .await;
    assert!(page.contains("mcp.publish_post"), "the audit page lists it");
    assert!(page.contains("Claude"), "…via the assistant Claude");
    client.cancel().await.unwrap();

    // A contributor's own session power is no more: their device token
    // drafts, and the service refuses them publishing by their role.
    let member = "mcp-contributor@example.com";
    app.member(&w.browser, &w.ws, member, "contributor").await;
    let contributor = device_token(app, member).await;
    let client = connect(app, &w.ws, &contributor).await;
    let theirs = ok(&client, "create_draft", draft(&w.tiktok, "Contributed")).await;
    let error = refused(&client, "publish_post", json!({"id": theirs["id"]})).await;
    assert_eq!(error["code"], "forbidden");
    client.cancel().await.unwrap();

    // A token without a tool's scope is refused that tool: an app that
    // may read analytics reads them, and no posts.
    let (_, reports) = scoped_token(app, &w.owner, &w.ws, &["analytics:read"]).await;
    let client = connect(app, &w.ws, &reports).await;
    ok(&client, "read_analytics", json!({})).await;
    for (tool, args) in [
        ("list_posts", json!({})),
        ("get_post", json!({"id": id})),
        ("list_accounts", json!({})),
        ("create_draft", draft(&w.tiktok, "no")),
    ] {
        let error = refused(&client, tool, args).await;
        assert_eq!(error["code"], "insufficient_scope", "{tool}");
    }
    client.cancel().await.unwrap();

    // Someone who may publish schedules through the same tool, and the
    // platforms' rules answer with their issues: a TikTok video needs one.
    let owner = connect(app, &w.ws, &w.owner).await;
    let error = refused(&owner, "schedule_post", schedule).await;
    assert_eq!(error["code"], "post_invalid");
    let issue = &error["issues"][0];
    assert_eq!(issue["severity"], "error");
    assert!(!issue["message"].as_str().unwrap().is_empty(), "{issue}");
    // A text post to a Facebook Page can go.
    connect_page(app, &w.browser).await;
    let page = page_id(&owner).await;
    let text =
        json!({"targets": [{"connection_id": page, "format": "text", "caption": "Opening hours"}]});
    let post = ok(&owner, "create_draft", text).await;
    let mut args = at;
    args["id"] = post["id"].clone();
    let scheduled = ok(&owner, "schedule_post", args).await;
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(scheduled["scheduled_at"], "2030-07-01T07:00:00Z");
    assert_eq!(scheduled["schedule"]["time_zone"], "Europe/Berlin");
    owner.cancel().await.unwrap();
    w.app.stop().await;
}

/// Every tool, by name.
const TOOLS: [&str; 8] = [
    "create_draft",
    "get_post",
    "list_accounts",
    "list_posts",
    "publish_post",
    "read_analytics",
    "schedule_post",
    "submit_for_review",
];

/// The id of the first Facebook Page among the accounts `client` sees.
async fn page_id(client: &Client) -> String {
    let accounts = ok(client, "list_accounts", json!({})).await;
    accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "facebook_page")
        .unwrap_or_else(|| panic!("a Facebook Page: {accounts}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_assistant_submits_a_draft_and_it_waits_for_an_approver() {
    let w = world("mcp-review@example.com").await;
    let app = &w.app;
    connect_page(app, &w.browser).await;
    let (_, assistant) = scoped_token(app, &w.owner, &w.ws, &[]).await;
    let client = connect(app, &w.ws, &assistant).await;
    let page = page_id(&client).await;
    let text =
        json!({"targets": [{"connection_id": page, "format": "text", "caption": "New menu"}]});
    let draft = ok(&client, "create_draft", text).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(draft["review"], "none");

    // Half a time is no time.
    let error = refused(
        &client,
        "submit_for_review",
        json!({"id": id, "local_time": "2030-07-01T09:00"}),
    )
    .await;
    assert_eq!(
        (error["code"].as_str(), error["field"].as_str()),
        (Some("invalid_arguments"), Some("time_zone"))
    );

    let submitted = ok(
        &client,
        "submit_for_review",
        json!({"id": id, "local_time": "2030-07-01T09:00", "time_zone": "Europe/Berlin"}),
    )
    .await;
    assert_eq!(submitted["review"], "in_review");
    assert_eq!(submitted["schedule"]["time_zone"], "Europe/Berlin");
    assert!(
        submitted["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] != "scheduled" && t["status"] != "published"),
        "nothing goes out before an approver says so: {submitted}"
    );
    let waiting = ok(&client, "list_posts", json!({"status": "review"})).await;
    assert!(
        waiting["posts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str()),
        "{waiting}"
    );
    // The assistant cannot approve its own work: there is no such tool,
    // and publishing is refused.
    let error = refused(&client, "publish_post", json!({"id": id})).await;
    assert_eq!(error["code"], "insufficient_scope");
    client.cancel().await.unwrap();

    // An editor approves it through the API (nobody approves their own
    // post, and the assistant wrote it for the owner): now it is scheduled.
    let editor = "mcp-editor@example.com";
    app.member(&w.browser, &w.ws, editor, "editor").await;
    let editor = device_token(app, editor).await;
    let resp = reqwest::Client::new()
        .post(app.url(&format!("/api/posts/{id}/approve?workspace={}", w.ws)))
        .bearer_auth(&editor)
        .json(&json!({"comment": "Good"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let approved = post_via_api(app, &w.owner, &w.ws, &id).await;
    assert_eq!(approved["review"], "approved");
    assert_eq!(approved["status"], "scheduled");
    assert_eq!(approved["scheduled_at"], "2030-07-01T07:00:00Z");

    let audit = mcp_audit(app).await;
    assert!(
        audit
            .iter()
            .any(|a| a.action == "mcp.submit_for_review" && a.outcome == "success"),
        "{audit:?}"
    );
    w.app.stop().await;
}

#[tokio::test]
async fn another_workspaces_post_is_not_found_and_bad_arguments_say_where() {
    let w = world("mcp-first@example.com").await;
    let app = &w.app;
    let owner = connect(app, &w.ws, &w.owner).await;
    let theirs = ok(&owner, "create_draft", draft(&w.tiktok, "ws1 only")).await;
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    owner.cancel().await.unwrap();

    app.signed_in("mcp-second@example.com").await;
    let device = device_token(app, "mcp-second@example.com").await;
    let ws = workspace_of(app, &device).await;
    assert_ne!(ws, w.ws);
    let (_, token) = scoped_token(app, &device, &ws, &[]).await;
    // Their assistant cannot even name the first workspace.
    let error =
        ().serve(transport(app, &format!("?workspace={}", w.ws), &token, &[]))
            .await
            .unwrap_err();
    assert!(error.to_string().contains("404"), "{error}");
    let client = connect(app, &ws, &token).await;
    let error = refused(&client, "get_post", json!({"id": theirs})).await;
    assert_eq!(error["code"], "post_not_found");
    let error = refused(&client, "publish_post", json!({"id": theirs})).await;
    assert_eq!(error["code"], "post_not_found");
    // Another workspace's account cannot be drafted to.
    let error = refused(&client, "create_draft", draft(&w.tiktok, "stolen")).await;
    assert_eq!(error["code"], "post_unknown_connection");
    let accounts = ok(&client, "list_accounts", json!({})).await;
    assert_eq!(accounts["accounts"], json!([]));

    // Arguments that are not what the tool takes: a tool error naming the
    // field, so the assistant can correct itself.
    let error = refused(
        &client,
        "create_draft",
        json!({"targets": [{"connection_id": "c", "format": "hologram"}]}),
    )
    .await;
    assert_eq!(error["code"], "invalid_arguments");
    assert_eq!(error["field"], "targets[0].format");
    assert!(
        error["expected"]
            .as_str()
            .unwrap()
            .contains("unknown variant `hologram`"),
        "{error}"
    );
    let error = refused(&client, "get_post", json!({})).await;
    assert_eq!(error["code"], "invalid_arguments");
    assert!(
        error["expected"]
            .as_str()
            .unwrap()
            .contains("missing field `id`")
    );
    let error = refused(
        &client,
        "list_posts",
        json!({"from": "yesterday", "to": "today"}),
    )
    .await;
    assert_eq!(
        (error["code"].as_str(), error["field"].as_str()),
        (Some("invalid_arguments"), Some("from"))
    );
    let error = refused(&client, "list_posts", json!({"limit": 100000})).await;
    assert_eq!(error["field"], "limit");

    // A tool that does not exist is the protocol's error.
    let unknown = client
        .call_tool(CallToolRequestParams::new("delete_everything"))
        .await
        .unwrap_err();
    let ServiceError::McpError(data) = unknown else {
        panic!("{unknown}")
    };
    assert_eq!(data.code, ErrorCode::INVALID_PARAMS);
    assert!(
        data.message.contains("delete_everything"),
        "{}",
        data.message
    );
    client.cancel().await.unwrap();

    // Nothing of the refused calls changed anything.
    let first = connect(app, &w.ws, &w.owner).await;
    let posts = ok(&first, "list_posts", json!({"status": "drafts"})).await;
    assert_eq!(posts["posts"].as_array().unwrap().len(), 1);
    first.cancel().await.unwrap();
    w.app.stop().await;
}

#[tokio::test]
async fn only_a_valid_bearer_token_from_no_other_origin_gets_in() {
    let w = world("mcp-guard@example.com").await;
    let app = &w.app;
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}
        }
    });
    let raw = |token: Option<&str>| {
        let mut req = reqwest::Client::new()
            .post(app.url("/mcp"))
            .header("accept", "application/json, text/event-stream")
            .json(&init);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req
    };

    // A real client with a made-up token: 401 with a bearer challenge.
    let error = ().serve(transport(app, "", "not-a-token", &[])).await.unwrap_err();
    let challenge = error
        .auth_challenge()
        .expect("a WWW-Authenticate challenge");
    assert!(challenge.starts_with("Bearer"), "{challenge}");

    // A browser session is not enough: no token, no entry.
    let browser = new_client();
    app.log_in(&browser, "mcp-guard@example.com").await;
    let token = app.csrf_for(&browser).await;
    let resp = browser
        .post(app.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("x-csrf-token", token)
        .json(&init)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(
        raw(None).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // The right token answers, statelessly: JSON, no session id.
    let resp = raw(Some(&w.owner)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("mcp-session-id").is_none());
    assert!(
        resp.headers().get("set-cookie").is_none(),
        "no cookie for assistants"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["result"]["serverInfo"]["name"], "herald");
    // A workspace the caller is not in.
    let resp = reqwest::Client::new()
        .post(app.url("/mcp?workspace=999999"))
        .header("accept", "application/json, text/event-stream")
        .bearer_auth(&w.owner)
        .json(&init)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // Only POST is served: no session streams to resume or end.
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let resp = reqwest::Client::new()
            .request(method.clone(), app.url("/mcp"))
            .header("accept", "text/event-stream")
            .bearer_auth(&w.owner)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }

    // A page of another site, even with the token.
    let error = ()
        .serve(transport(
            app,
            "",
            &w.owner,
            &[("origin", "https://attacker.example")],
        ))
        .await;
    assert!(error.is_err(), "another origin is refused");
    // A rebound name: Origin and Host agree, but it is not Herald's
    // public origin.
    let port = app.base.rsplit(':').next().unwrap();
    let rebound = format!("rebound.example:{port}");
    let resp = raw(Some(&w.owner))
        .header("host", &rebound)
        .header("origin", format!("http://{rebound}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_site_request");
    // Herald's own origin is fine.
    let resp = raw(Some(&w.owner))
        .header("origin", app.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // A JSON-RPC message that is not one: the protocol's error.
    let resp = reqwest::Client::new()
        .post(app.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .bearer_auth(&w.owner)
        .json(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": 7}}))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["id"], 2);
    assert!(body.get("result").is_none(), "{body}");
    assert!(body["error"]["code"].as_i64().unwrap() < -32000, "{body}");
    w.app.stop().await;
}
