//! TikTok Login Kit v2 and user info.

use axum::http::StatusCode;
use herald_sandbox::Platform;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::*;

const SCOPES: &str = "user.info.basic,user.info.profile,user.info.stats,video.publish";

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn user_info(t: &TestSandbox, token: &str, fields: &str) -> Resp {
    t.get_with(
        &format!("/open.tiktokapis.com/v2/user/info/?fields={fields}"),
        &[bearer(token)],
    )
    .await
}

#[tokio::test]
async fn full_flow_returns_the_top_level_token_json_and_user_info() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(
            &t.tiktok_authorize(SCOPES, &[]),
            &[
                ("decision", "allow"),
                ("grant", "user.info.profile"),
                ("grant", "user.info.stats"),
                ("grant", "video.publish"),
            ],
        )
        .await
        .location();
    let q = query_of(&redirect);
    assert_eq!(q["scopes"], SCOPES);
    assert_eq!(q["state"], "tt-state");
    let res = t
        .tiktok_token(&[
            ("code", &q["code"]),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "open_id",
            "refresh_expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert!(body["access_token"].as_str().unwrap().starts_with("act."));
    assert!(body["refresh_token"].as_str().unwrap().starts_with("rft."));
    assert_eq!(body["expires_in"], 86_400);
    assert_eq!(body["refresh_expires_in"], 31_536_000);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], SCOPES);

    let access = body["access_token"].as_str().unwrap();
    let res = user_info(
        &t,
        access,
        "open_id,union_id,avatar_url,display_name,username,bio_description,follower_count,video_count",
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let info = res.json();
    assert_eq!(info["error"]["code"], "ok");
    assert_eq!(info["error"]["message"], "");
    assert!(info["error"]["log_id"].as_str().unwrap().len() > 14);
    let user = &info["data"]["user"];
    assert_eq!(user["open_id"], body["open_id"]);
    assert_eq!(user["display_name"], "Demo");
    assert_eq!(user["username"], "demo");
    assert!(user["avatar_url"].as_str().unwrap().starts_with(BASE));
    assert!(user["follower_count"].is_u64());
    assert_eq!(user.as_object().unwrap().len(), 8);
}

#[tokio::test]
async fn fields_need_their_scope() {
    let t = TestSandbox::new();
    let body = t.tiktok_login("demo", "user.info.basic").await;
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(
        user_info(&t, access, "open_id,display_name").await.status,
        StatusCode::OK
    );
    let res = user_info(&t, access, "open_id,follower_count").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let e = res.json();
    assert_eq!(e["data"], json!({}));
    assert_eq!(e["error"]["code"], "scope_not_authorized");
    let res = user_info(&t, access, "open_id,shoe_size").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["code"], "invalid_params");
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(&t.tiktok_authorize(SCOPES, &[]), &[("decision", "deny")])
        .await
        .location();
    let q = query_of(&redirect);
    assert_eq!(q["error"], "access_denied");
    assert!(q.contains_key("error_description"));
    assert_eq!(q["state"], "tt-state");
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn unknown_client_key_gets_an_error_page() {
    let t = TestSandbox::new();
    let res = t
        .get(
            &t.tiktok_authorize(SCOPES, &[])
                .replace("sandbox-tiktok-key", "nope"),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.text().contains("client_key"));
    assert!(res.header("location").is_none());
}

#[tokio::test]
async fn pkce_uses_the_hex_challenge_and_rejects_a_wrong_verifier() {
    let t = TestSandbox::new();
    let verifier = "a-verifier-with-enough-entropy-0123456789abcdef";
    let challenge = hex_sha256(verifier);
    let authorize = t.tiktok_authorize(
        "user.info.basic",
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = code_for(&t, &authorize).await;
    let wrong = t
        .tiktok_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "something-else"),
        ])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let e = wrong.json();
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(
        e["error_description"],
        "Code verifier or code challenge is invalid."
    );
    assert!(e["log_id"].is_string());

    let code = code_for(&t, &authorize).await;
    let ok = t
        .tiktok_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_the_redirect_uri() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(
            &t.tiktok_authorize("user.info.basic", &[]),
            &[("decision", "allow")],
        )
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let mismatch = t
        .tiktok_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", "https://app.example/other"),
        ])
        .await;
    assert_eq!(mismatch.json()["error"], "invalid_grant");
    let reused = t
        .tiktok_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(reused.json()["error"], "invalid_grant");

    // JSON bodies are refused: the endpoint takes forms only.
    let json_body = t
        .post_json(
            "/open.tiktokapis.com/v2/oauth/token/",
            &json!({"grant_type": "authorization_code"}),
        )
        .await;
    assert_eq!(json_body.json()["error"], "invalid_request");
}

#[tokio::test]
async fn access_tokens_expire_and_refresh_keeps_the_refresh_token() {
    let t = TestSandbox::new();
    let body = t.tiktok_login("demo", "user.info.basic").await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    t.advance(86_400);
    let res = user_info(&t, &access, "open_id").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["code"], "access_token_invalid");

    let res = t
        .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let renewed = res.json();
    assert_eq!(renewed["refresh_token"], refresh.as_str());
    assert_eq!(renewed["refresh_expires_in"], 31_536_000 - 86_400);
    assert_eq!(renewed["expires_in"], 86_400);
    let new_access = renewed["access_token"].as_str().unwrap();
    assert_ne!(new_access, access);
    assert_eq!(
        user_info(&t, new_access, "open_id").await.status,
        StatusCode::OK
    );

    // The refresh token itself dies after 365 days.
    t.advance(31_536_000);
    let dead = t
        .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(dead.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn rotating_refresh_tokens_invalidate_the_old_one() {
    let t = TestSandbox::with(|c| c.tiktok_rotating_refresh = true);
    let body = t.tiktok_login("demo", "user.info.basic").await;
    assert_eq!(body["expires_in"], 7_200);
    assert_eq!(body["refresh_expires_in"], 15_552_000);
    let first = body["refresh_token"].as_str().unwrap().to_owned();
    t.advance(7_200);
    let res = t
        .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", &first)])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let second = res.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(res.json()["refresh_expires_in"], 15_552_000);
    let old = t
        .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", &first)])
        .await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    assert_eq!(old.json()["error"], "invalid_grant");
    let newer = t
        .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", &second)])
        .await;
    assert_eq!(newer.status, StatusCode::OK);
}

#[tokio::test]
async fn revoke_ends_the_whole_authorization() {
    let t = TestSandbox::new();
    let body = t.tiktok_login("demo", "user.info.basic").await;
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    let app = t.sb.config().tiktok.clone();
    let res = t
        .post_form(
            "/open.tiktokapis.com/v2/oauth/revoke/",
            &form(&[
                ("client_key", &app.client_id),
                ("client_secret", &app.client_secret),
                ("token", access),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        user_info(&t, access, "open_id").await.status,
        StatusCode::UNAUTHORIZED
    );
    let res = t
        .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(res.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn revoke_user_kills_tiktok_tokens() {
    let t = TestSandbox::new();
    let body = t.tiktok_login("demo", "user.info.basic").await;
    t.sb.revoke_user(Platform::TikTok, "demo");
    let res = user_info(&t, body["access_token"].as_str().unwrap(), "open_id").await;
    assert_eq!(res.json()["error"]["code"], "access_token_invalid");
}

#[tokio::test]
async fn user_info_is_limited_per_minute_per_app() {
    let t = TestSandbox::with(|c| c.limits.tiktok_user_info_per_minute = 3);
    let body = t.tiktok_login("demo", "user.info.basic").await;
    let access = body["access_token"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(
            user_info(&t, access, "open_id").await.status,
            StatusCode::OK
        );
    }
    let res = user_info(&t, access, "open_id").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.json()["error"]["code"], "rate_limit_exceeded");
    t.advance(60);
    assert_eq!(
        user_info(&t, access, "open_id").await.status,
        StatusCode::OK
    );
}

async fn code_for(t: &TestSandbox, authorize: &str) -> String {
    let redirect = t
        .consent(authorize, &[("decision", "allow")])
        .await
        .location();
    query_of(&redirect)["code"].clone()
}
