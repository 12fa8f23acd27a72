//! Instagram Login and graph.instagram.com.

use axum::http::StatusCode;
use herald_sandbox::Platform;
use serde_json::json;

use crate::helpers::*;

const SCOPES: &str = "instagram_business_basic,instagram_business_content_publish";

fn authorize(t: &TestSandbox, state: &str) -> String {
    format!(
        "/www.instagram.com/oauth/authorize?{}",
        form(&[
            ("client_id", &t.sb.config().instagram.client_id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", state),
        ])
    )
}

/// Runs the consent and the code exchange; returns the exchange response.
async fn login(t: &TestSandbox, grants: &[&str]) -> Resp {
    let mut extra = vec![("decision", "allow")];
    extra.extend(grants.iter().map(|g| ("grant", *g)));
    let redirect = t.consent(&authorize(t, "ig"), &extra).await.location();
    assert!(redirect.ends_with("#_"), "Instagram appends #_: {redirect}");
    let code = query_of(&redirect)["code"].clone();
    assert!(!code.contains('#'));
    let app = t.sb.config().instagram.clone();
    t.post_form(
        "/api.instagram.com/oauth/access_token",
        &form(&[
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", &code),
        ]),
    )
    .await
}

async fn short_token(t: &TestSandbox) -> String {
    let res = login(t, &["instagram_business_content_publish"]).await;
    res.json()["data"][0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn long_token(t: &TestSandbox) -> String {
    let short = short_token(t).await;
    let res = t
        .get(&format!(
            "/graph.instagram.com/access_token?{}",
            form(&[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", &t.sb.config().instagram.client_secret),
                ("access_token", &short),
            ])
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 5_183_944);
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn code_exchange_returns_the_documented_data_array() {
    let t = TestSandbox::new();
    let res = login(&t, &["instagram_business_content_publish"]).await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    let entry = &body["data"][0];
    assert!(entry["access_token"].as_str().unwrap().starts_with("IGAA"));
    assert!(entry["user_id"].is_string());
    assert_eq!(
        entry["permissions"],
        "instagram_business_basic,instagram_business_content_publish"
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn partial_consent_lists_only_granted_permissions() {
    let t = TestSandbox::new();
    let res = login(&t, &[]).await;
    assert_eq!(
        res.json()["data"][0]["permissions"],
        "instagram_business_basic"
    );
}

#[tokio::test]
async fn deny_and_bad_requests() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(&authorize(&t, "x"), &[("decision", "deny")])
        .await
        .location();
    let q = query_of(&redirect);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["error_reason"], "user_denied");
    assert_eq!(q["state"], "x");
    assert!(!redirect.contains('#'));

    let old_scope = t
        .get(&authorize(&t, "x").replace("instagram_business_basic", "business_basic"))
        .await;
    assert_eq!(old_scope.status, StatusCode::BAD_REQUEST);
    assert!(old_scope.text().contains("business_basic"));

    // A reused code is refused in the legacy error shape.
    let redirect = t
        .consent(&authorize(&t, "x"), &[("decision", "allow")])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let app = t.sb.config().instagram.clone();
    let exchange = |redirect_uri: &'static str| {
        form(&[
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", &code),
        ])
    };
    let mismatch = t
        .post_form(
            "/api.instagram.com/oauth/access_token",
            &exchange("https://evil.example/cb"),
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert_eq!(mismatch.json()["error_type"], "OAuthException");
    assert_eq!(mismatch.json()["code"], 400);
    assert!(
        mismatch.json()["error_message"]
            .as_str()
            .unwrap()
            .contains("redirect_uri")
    );
    let reused = t
        .post_form("/api.instagram.com/oauth/access_token", &exchange(REDIRECT))
        .await;
    assert_eq!(
        reused.json(),
        json!({"error_type": "OAuthException", "code": 400, "error_message": "This authorization code has been used"})
    );
}

#[tokio::test]
async fn me_reports_the_professional_account() {
    let t = TestSandbox::new();
    let long = long_token(&t).await;
    let res = t
        .get(&format!(
            "/graph.instagram.com/v25.0/me?fields=user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count&access_token={long}"
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let me = res.json();
    assert_eq!(me["username"], "demo.bakery");
    assert_eq!(me["account_type"], "BUSINESS");
    let ig_id = me["user_id"].as_str().unwrap().to_owned();
    assert!(ig_id.starts_with("17841"));
    assert!(me.get("id").is_none(), "only requested fields");
    assert!(res.header_json("x-app-usage")["call_count"].is_u64());
    assert_eq!(
        res.header_json("x-business-use-case-usage")[&ig_id][0]["type"],
        "instagram"
    );
    let unversioned = t
        .get_with(
            "/graph.instagram.com/me?fields=id,user_id",
            &[bearer(&long)],
        )
        .await
        .json();
    assert_eq!(unversioned["user_id"], ig_id.as_str());
    assert!(unversioned["id"].is_string());
}

#[tokio::test]
async fn short_tokens_expire_after_an_hour() {
    let t = TestSandbox::new();
    let short = short_token(&t).await;
    t.advance(3600);
    let res = t
        .get_with("/graph.instagram.com/v25.0/me", &[bearer(&short)])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["code"], 190);
    assert_eq!(res.json()["error"]["error_subcode"], 463);
}

#[tokio::test]
async fn refresh_is_refused_before_24_hours_and_works_after() {
    let t = TestSandbox::new();
    let long = long_token(&t).await;
    let refresh = |token: String| {
        format!(
            "/graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token={token}"
        )
    };
    t.advance(23 * 3600);
    let early = t.get(&refresh(long.clone())).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    assert_eq!(early.json()["error"]["code"], 100);
    assert!(
        early.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("24 hours")
    );

    t.advance(3600);
    let res = t.get(&refresh(long.clone())).await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    assert_eq!(body["expires_in"], 5_183_944);
    assert_eq!(body["token_type"], "bearer");
    let fresh = body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, long);

    // The original dies at its own expiry; the refreshed one lives on.
    t.advance(5_183_944 - 24 * 3600);
    let old = t
        .get_with("/graph.instagram.com/v25.0/me", &[bearer(&long)])
        .await;
    assert_eq!(old.json()["error"]["error_subcode"], 463);
    let new = t
        .get_with("/graph.instagram.com/v25.0/me", &[bearer(&fresh)])
        .await;
    assert_eq!(new.status, StatusCode::OK);
    // An expired token cannot be refreshed.
    let dead = t.get(&refresh(long)).await;
    assert_eq!(dead.json()["error"]["code"], 190);
}

#[tokio::test]
async fn revoke_user_kills_instagram_tokens() {
    let t = TestSandbox::new();
    let long = long_token(&t).await;
    t.sb.revoke_user(Platform::Instagram, "demo");
    let res = t
        .get_with("/graph.instagram.com/v25.0/me", &[bearer(&long)])
        .await;
    assert_eq!(res.json()["error"]["code"], 190);
    assert_eq!(res.json()["error"]["error_subcode"], 458);
}
