//! The admin API, the index page and the state file.

use std::sync::Arc;

use axum::http::StatusCode;
use herald_core::ManualClock;
use herald_sandbox::{Sandbox, SandboxConfig, SandboxError};
use jiff::Timestamp;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn faults_can_be_injected_listed_and_cleared_over_http() {
    let t = TestSandbox::new();
    let res = t
        .post_json(
            "/_admin/faults",
            &json!({"endpoint": "meta.me_accounts", "kind": "slow", "delay_ms": 5, "times": 2}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json(),
        json!({"endpoint": "meta.me_accounts", "kind": "slow", "delay_ms": 5, "times": 2})
    );
    t.post_json(
        "/_admin/faults",
        &json!({"endpoint": "tiktok.user_info", "kind": "rate_limited"}),
    )
    .await;
    let state = t.get("/_admin/state").await.json();
    let faults = state["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 2);
    assert!(
        faults.contains(
            &json!({"endpoint": "tiktok.user_info", "kind": "rate_limited", "times": null})
        )
    );
    assert_eq!(state["calls"]["meta.me"], 0);
    assert!(state["platforms"]["google"]["users"].is_array());

    let bad = t
        .post_json(
            "/_admin/faults",
            &json!({"endpoint": "meta.nope", "kind": "slow"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["code"], "unknown_endpoint");
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("meta.me_accounts")
    );
    let bad = t
        .post_json(
            "/_admin/faults",
            &json!({"endpoint": "meta.me", "kind": "explode"}),
        )
        .await;
    assert_eq!(bad.json()["error"]["code"], "unknown_kind");

    // Form posts from the index page redirect back to it.
    let res = t
        .post_form(
            "/_admin/faults",
            &form(&[
                ("endpoint", "google.token"),
                ("kind", "server_error"),
                ("delay_ms", "2000"),
                ("times", ""),
            ]),
        )
        .await;
    assert_eq!(res.location(), format!("{BASE}/"));
    assert_eq!(
        t.get("/_admin/state").await.json()["faults"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let res = t.delete("/_admin/faults").await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(
        t.get("/_admin/state").await.json()["faults"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn admin_revoke_removes_the_app_for_a_user() {
    let t = TestSandbox::new();
    let body = t.tiktok_login("demo", "user.info.basic").await;
    let state = t.get("/_admin/state").await.json();
    assert_eq!(state["platforms"]["tiktok"]["users"], json!(["demo"]));
    assert_eq!(state["platforms"]["tiktok"]["live_tokens"], 2);
    let res = t
        .post_json(
            "/_admin/revoke",
            &json!({"platform": "tiktok", "username": "demo"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["revoked_tokens"], 2);
    let info = t
        .get_with(
            "/open.tiktokapis.com/v2/user/info/?fields=open_id",
            &[bearer(body["access_token"].as_str().unwrap())],
        )
        .await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED);
    let bad = t
        .post_json(
            "/_admin/revoke",
            &json!({"platform": "myspace", "username": "demo"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn index_page_explains_and_offers_forms() {
    let t = TestSandbox::new();
    t.post_json(
        "/_admin/faults",
        &json!({"endpoint": "drive.files_get", "kind": "server_error", "times": 3}),
    )
    .await;
    let res = t.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("<h1>Herald Sandbox</h1>"));
    assert!(html.contains("drive.files_get"));
    assert!(html.contains("server_error"));
    assert!(html.contains(&format!("action=\"{BASE}/_admin/faults\"")));
    assert!(html.contains(&format!("action=\"{BASE}/_admin/faults/clear\"")));
    assert!(!html.contains("<script") && !html.contains("style="));
    // "Try it" links point at the sandbox's own callback page.
    assert!(html.contains("/www.tiktok.com/v2/auth/authorize/?client_key="));
    let callback = t.get("/_callback?code=abc&state=%3Cb%3E").await.text();
    assert!(callback.contains("abc"));
    assert!(callback.contains("&#60;b&#62;"));
    let avatar = t.get("/_static/avatar/demo-bakery.svg").await;
    assert_eq!(avatar.header("content-type").unwrap(), "image/svg+xml");
    assert!(avatar.text().contains(">DB</text>"));
    assert_eq!(
        t.get("/_static/avatar/..%2Fetc.svg").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    let t = TestSandbox::with(|c| c.state_file = Some(path.clone()));
    let google = t
        .google_login("demo", "https://www.googleapis.com/auth/youtube.readonly")
        .await;
    let tiktok = t.tiktok_login("demo", "user.info.basic").await;
    assert!(path.exists());
    assert!(!dir.path().join("sandbox.json.tmp").exists());

    // A new sandbox on the same file and time knows the tokens.
    let mut config = SandboxConfig::new(BASE);
    config.state_file = Some(path.clone());
    let clock = Arc::new(ManualClock::new(t.clock_now()));
    let restarted = Sandbox::new(config, clock.clone()).unwrap();
    let t2 = TestSandbox::from_parts(restarted, clock);
    let res = t2
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(google["access_token"].as_str().unwrap())],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = t2
        .tiktok_token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tiktok["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK);

    std::fs::write(&path, b"{not json").unwrap();
    let mut config = SandboxConfig::new(BASE);
    config.state_file = Some(path);
    let err = Sandbox::new(config, Arc::new(ManualClock::new(Timestamp::UNIX_EPOCH)))
        .err()
        .unwrap();
    assert!(matches!(err, SandboxError::ParseState { .. }));
}
