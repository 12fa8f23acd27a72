//! TikTok's posting rules as the simulator answers them: creator info by
//! account type and settings, the unaudited client's private-accounts rule
//! and five-user cap, the daily post cap, the interactions and disclosure
//! in force, titles in UTF-16 units and post ids that appear only after
//! moderation. Refusals come in TikTok's envelope with its codes and 403.

use axum::http::StatusCode;
use herald_sandbox::TikTokCreator;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::video_publishing::{
    TT_SCOPES, file_source, init, mp4, put_chunk, status, tiktok_token, tt_post,
};

const CREATOR_INFO: &str = "/open.tiktokapis.com/v2/post/publish/creator_info/query/";
const INIT: &str = "/open.tiktokapis.com/v2/post/publish/video/init/";

async fn creator_info(t: &TestSandbox, token: &str) -> Value {
    let res = tt_post(t, CREATOR_INFO, token, &json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["data"].clone()
}

/// A refusal in TikTok's envelope: `data` empty, the code, a message and a
/// log id.
#[track_caller]
fn assert_refused(res: &Resp, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "{}", res.text());
    let body = res.json();
    assert_eq!(body["data"], json!({}));
    assert_eq!(body["error"]["code"], code);
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    assert!(!body["error"]["log_id"].as_str().unwrap().is_empty());
}

fn private() -> TikTokCreator {
    TikTokCreator {
        private_account: true,
        ..TikTokCreator::default()
    }
}

async fn token_of(t: &TestSandbox, user: &str) -> String {
    t.tiktok_login(user, TT_SCOPES).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn creator_info_follows_the_account_type_and_its_settings() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let public = creator_info(&t, &token).await;
    assert_eq!(
        public["privacy_level_options"],
        json!(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    assert_eq!(public["duet_disabled"], false);
    // Set through the admin API, as a test in another process would.
    let res = t
        .post_json(
            "/_admin/tiktok/creator",
            &json!({"username": "demo", "private_account": true, "comment_disabled": true, "max_video_post_duration_sec": 180}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["creator"]["private_account"], true);
    let info = creator_info(&t, &token).await;
    assert_eq!(
        info["privacy_level_options"],
        json!(["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    // Private accounts have duets and stitches off.
    assert_eq!(info["comment_disabled"], true);
    assert_eq!(info["duet_disabled"], true);
    assert_eq!(info["stitch_disabled"], true);
    assert_eq!(info["max_video_post_duration_sec"], 180);
    let res = t
        .post_json("/_admin/tiktok/creator", &json!({"private_account": true}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // A private account cannot post to everyone.
    let res = init(&t, &token, "PUBLIC_TO_EVERYONE", file_source(1000, 1000, 1)).await;
    assert_refused(&res, StatusCode::FORBIDDEN, "privacy_level_option_mismatch");
}

#[tokio::test]
async fn an_unaudited_client_posts_privately_for_private_accounts_only() {
    let t = TestSandbox::with(|c| c.tiktok_unaudited = true);
    let token = tiktok_token(&t).await;
    let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_refused(
        &res,
        StatusCode::FORBIDDEN,
        "unaudited_client_can_only_post_to_private_accounts",
    );
    t.sb.set_tiktok_creator("demo", private());
    assert_eq!(
        creator_info(&t, &token).await["privacy_level_options"],
        json!(["SELF_ONLY"])
    );
    let res = init(
        &t,
        &token,
        "FOLLOWER_OF_CREATOR",
        file_source(1000, 1000, 1),
    )
    .await;
    assert_refused(&res, StatusCode::FORBIDDEN, "privacy_level_option_mismatch");
    let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(t.sb.tiktok_publishes()[0].privacy_level, "SELF_ONLY");
}

#[tokio::test]
async fn an_unaudited_client_posts_for_five_users_a_day() {
    let t = TestSandbox::with(|c| c.tiktok_unaudited = true);
    let mut tokens = Vec::new();
    for user in ["ann", "ben", "cem", "dora", "emil", "fritz"] {
        t.sb.set_tiktok_creator(user, private());
        tokens.push(token_of(&t, user).await);
    }
    for token in &tokens[..5] {
        let res = init(&t, token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let res = init(&t, &tokens[5], "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_refused(&res, StatusCode::FORBIDDEN, "reached_active_user_cap");
    // One of the five may post again; the window rolls over a day.
    let res = init(&t, &tokens[0], "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    t.advance(24 * 3600);
    // A token of that day (access tokens live 24 hours).
    let fritz = token_of(&t, "fritz").await;
    let res = init(&t, &fritz, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn each_user_has_a_daily_post_cap() {
    let t = TestSandbox::with(|c| c.limits.tiktok_posts_per_user_per_day = 3);
    let token = tiktok_token(&t).await;
    for _ in 0..3 {
        let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        t.advance(11);
    }
    let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_refused(&res, StatusCode::FORBIDDEN, "spam_risk_too_many_posts");
    // Another user is not affected.
    let other = token_of(&t, "other").await;
    let res = init(&t, &other, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    t.advance(24 * 3600);
    let token = tiktok_token(&t).await;
    let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn interactions_and_disclosure_are_kept_as_in_force() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    t.sb.set_tiktok_creator(
        "demo",
        TikTokCreator {
            comment_disabled: true,
            ..TikTokCreator::default()
        },
    );
    let post = |privacy: &str, brand_content: bool| {
        json!({
            "post_info": {
                "title": "New oven",
                "privacy_level": privacy,
                "disable_comment": false,
                "disable_duet": true,
                "disable_stitch": false,
                "brand_organic_toggle": true,
                "brand_content_toggle": brand_content,
            },
            "source_info": file_source(1000, 1000, 1),
        })
    };
    // Branded content cannot be private.
    let res = tt_post(&t, INIT, &token, &post("SELF_ONLY", true)).await;
    assert_refused(&res, StatusCode::BAD_REQUEST, "invalid_params");
    let res = tt_post(&t, INIT, &token, &post("PUBLIC_TO_EVERYONE", true)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let sent = &t.sb.tiktok_publishes()[0];
    // Comments asked on, but off in the creator's settings.
    assert!(sent.disable_comment);
    assert!(sent.disable_duet);
    assert!(!sent.disable_stitch);
    assert!(sent.brand_organic_toggle && sent.brand_content_toggle);
}

#[tokio::test]
async fn titles_are_counted_in_utf16_units() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let post = |title: String| {
        json!({
            "post_info": {"title": title, "privacy_level": "SELF_ONLY"},
            "source_info": file_source(1000, 1000, 1),
        })
    };
    // 1101 characters, 2202 UTF-16 units.
    let res = tt_post(&t, INIT, &token, &post("🥐".repeat(1101))).await;
    assert_refused(&res, StatusCode::BAD_REQUEST, "invalid_params");
    let res = tt_post(&t, INIT, &token, &post("🥐".repeat(1100))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn the_post_id_appears_only_after_moderation() {
    let t = TestSandbox::with(|c| c.limits.tiktok_post_id_secs = 2 * 3600);
    let token = tiktok_token(&t).await;
    let res = init(&t, &token, "SELF_ONLY", file_source(2_000, 2_000, 1)).await;
    let data = res.json()["data"].clone();
    let publish_id = data["publish_id"].as_str().unwrap().to_owned();
    let upload = data["upload_url"]
        .as_str()
        .unwrap()
        .strip_prefix(BASE)
        .unwrap()
        .to_owned();
    let res = put_chunk(&t, &upload, &mp4(2_000), 0, 1_999).await;
    assert_eq!(res.status, StatusCode::CREATED);
    t.advance(60);
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["status"], "PUBLISH_COMPLETE");
    assert_eq!(s["publicaly_available_post_id"], json!([]));
    t.advance(2 * 3600);
    let s = status(&t, &token, &publish_id).await;
    let ids = s["publicaly_available_post_id"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].to_string(), t.sb.published()[0].id);
}
