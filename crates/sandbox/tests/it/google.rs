//! Google OAuth, YouTube channels and Drive files.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herald_sandbox::Platform;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::*;

const YT_READ: &str = "https://www.googleapis.com/auth/youtube.readonly";
const YT_UPLOAD: &str = "https://www.googleapis.com/auth/youtube.upload";
const DRIVE_READ: &str = "https://www.googleapis.com/auth/drive.readonly";
const DRIVE_META: &str = "https://www.googleapis.com/auth/drive.metadata.readonly";

fn access(body: &serde_json::Value) -> String {
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn full_flow_returns_granted_scopes_refresh_token_and_id_token() {
    let t = TestSandbox::new();
    let scopes = format!("openid email profile {YT_READ} {YT_UPLOAD}");
    let authorize = t.google_authorize(&scopes, &[("access_type", "offline")]);
    let page = t.get(&authorize).await;
    assert!(page.text().contains("Sandbox · Sign in with Google"));
    // Only YouTube read stays checked (granular consent).
    let redirect = t
        .consent(&authorize, &[("decision", "allow"), ("grant", YT_READ)])
        .await
        .location();
    assert!(
        redirect.starts_with("https://app.example/callback?from=sandbox&state=g-state&code=4%2F0")
    );
    let q = query_of(&redirect);
    let granted = format!(
        "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile {YT_READ}"
    );
    assert_eq!(q["scope"], granted);
    let res = t
        .google_token(&[
            ("code", &q["code"]),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert!(body["access_token"].as_str().unwrap().starts_with("ya29."));
    assert!(body["refresh_token"].as_str().unwrap().starts_with("1//"));
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], granted.as_str());
    let id_token = body["id_token"].as_str().unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id_token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["email"], "demo@sandbox.example");
    assert_eq!(claims["aud"], t.sb.config().google.client_id.as_str());

    let info = t
        .get_with(
            "/www.googleapis.com/oauth2/v3/userinfo",
            &[bearer(&access(&body))],
        )
        .await
        .json();
    assert_eq!(info["email"], "demo@sandbox.example");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["name"], "Demo Sandbox");
    assert_eq!(info["sub"], claims["sub"]);

    let ti = t
        .get(&format!(
            "/oauth2.googleapis.com/tokeninfo?access_token={}",
            access(&body)
        ))
        .await
        .json();
    assert_eq!(ti["scope"], granted.as_str());
    assert_eq!(ti["expires_in"], "3599");
    assert_eq!(ti["access_type"], "offline");
    assert!(ti["exp"].is_string());
}

#[tokio::test]
async fn a_second_offline_consent_without_prompt_gets_no_refresh_token() {
    let t = TestSandbox::new();
    let first = t.google_login("demo", YT_READ).await;
    assert!(first["refresh_token"].is_string());
    let authorize = t.google_authorize(YT_READ, &[("access_type", "offline")]);
    let redirect = t
        .consent(&authorize, &[("decision", "allow"), ("grant", YT_READ)])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let second = t
        .google_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ])
        .await
        .json();
    assert!(second.get("refresh_token").is_none());
    assert!(second.get("id_token").is_none(), "no openid, no id_token");
}

#[tokio::test]
async fn online_access_gets_no_refresh_token() {
    let t = TestSandbox::new();
    let authorize = t.google_authorize(YT_READ, &[]);
    let redirect = t
        .consent(&authorize, &[("decision", "allow"), ("grant", YT_READ)])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let body = t
        .google_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ])
        .await
        .json();
    assert!(body.get("refresh_token").is_none());
}

#[tokio::test]
async fn deny_and_invalid_requests() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(&t.google_authorize(YT_READ, &[]), &[("decision", "deny")])
        .await
        .location();
    assert_eq!(
        redirect,
        "https://app.example/callback?from=sandbox&error=access_denied&state=g-state"
    );
    let no_scope = t
        .get(&t.google_authorize(YT_READ, &[]).replace("scope=", "x="))
        .await;
    assert_eq!(no_scope.status, StatusCode::BAD_REQUEST);
    assert!(
        no_scope
            .text()
            .contains("Missing required parameter: scope")
    );
    let bad_client = t
        .get(
            &t.google_authorize(YT_READ, &[])
                .replace("sandbox-google-client", "other"),
        )
        .await;
    assert_eq!(bad_client.status, StatusCode::UNAUTHORIZED);
    assert!(bad_client.text().contains("invalid_client"));
}

#[tokio::test]
async fn pkce_s256_is_checked_and_code_reuse_revokes_the_first_tokens() {
    let t = TestSandbox::new();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let authorize = t.google_authorize(
        YT_READ,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("access_type", "offline"),
        ],
    );
    let redirect = t
        .consent(&authorize, &[("decision", "allow"), ("grant", YT_READ)])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let missing = t
        .google_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(
        missing.json(),
        json!({"error": "invalid_grant", "error_description": "Missing code verifier."})
    );

    let redirect = t
        .consent(&authorize, &[("decision", "allow"), ("grant", YT_READ)])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let wrong = t
        .google_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "not-the-verifier-not-the-verifier-not-the-verifier",
            ),
        ])
        .await;
    assert_eq!(wrong.json()["error_description"], "Invalid code verifier.");

    let redirect = t
        .consent(&authorize, &[("decision", "allow"), ("grant", YT_READ)])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let exchange = [
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ];
    let ok = t.google_token(&exchange).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let body = ok.json();
    let reused = t.google_token(&exchange).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(reused.json()["error"], "invalid_grant");
    // The replay revoked what the first exchange issued.
    let channels = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(&access(&body))],
        )
        .await;
    assert_eq!(channels.status, StatusCode::UNAUTHORIZED);
    let refresh = body["refresh_token"].as_str().unwrap();
    let res = t
        .google_token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(
        res.json(),
        json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    );
}

#[tokio::test]
async fn redirect_uri_mismatch_is_refused() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(&t.google_authorize(YT_READ, &[]), &[("decision", "allow")])
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let res = t
        .google_token(&[
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", "https://app.example/callback"),
        ])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"], "redirect_uri_mismatch");
}

#[tokio::test]
async fn access_tokens_expire_and_refresh_returns_no_new_refresh_token() {
    let t = TestSandbox::new();
    let body = t.google_login("demo", YT_READ).await;
    let first = access(&body);
    t.advance(3599);
    let res = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(&first)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let e = res.json();
    assert_eq!(e["error"]["code"], 401);
    assert_eq!(e["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(
        e["error"]["errors"][0],
        json!({"message": "Invalid Credentials", "domain": "global", "reason": "authError",
               "location": "Authorization", "locationType": "header"})
    );
    assert!(
        res.header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );

    let res = t
        .google_token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let renewed = res.json();
    assert!(renewed.get("refresh_token").is_none());
    assert_eq!(renewed["expires_in"], 3599);
    assert_eq!(renewed["scope"], body["scope"]);
    let ok = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(&access(&renewed))],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn revoke_endpoint_and_revoke_user_end_the_grant() {
    let t = TestSandbox::new();
    let body = t.google_login("demo", YT_READ).await;
    let res = t
        .post_form(
            "/oauth2.googleapis.com/revoke",
            &form(&[("token", body["refresh_token"].as_str().unwrap())]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(&access(&body))],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let again = t
        .post_form(
            "/oauth2.googleapis.com/revoke",
            &form(&[("token", body["refresh_token"].as_str().unwrap())]),
        )
        .await;
    assert_eq!(again.json()["error"], "invalid_token");

    let body = t.google_login("demo", YT_READ).await;
    t.sb.revoke_user(Platform::Google, "demo");
    let res = t
        .google_token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(
        res.json()["error_description"],
        "Token has been expired or revoked."
    );
}

#[tokio::test]
async fn youtube_lists_both_channels_with_string_statistics() {
    let t = TestSandbox::new();
    let body = t.google_login("demo", YT_READ).await;
    let res = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id,snippet,statistics,contentDetails&mine=true",
            &[bearer(&access(&body))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let list = res.json();
    assert_eq!(list["kind"], "youtube#channelListResponse");
    assert_eq!(list["pageInfo"]["totalResults"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["snippet"]["title"], "Demo Bakery");
    assert_eq!(items[1]["snippet"]["title"], "Demo Studio");
    assert_eq!(items[0]["snippet"]["customUrl"], "@demobakery");
    assert!(items[0]["id"].as_str().unwrap().starts_with("UC"));
    assert!(items[0]["statistics"]["viewCount"].is_string());
    assert!(items[0]["statistics"]["subscriberCount"].is_string());
    assert_eq!(items[0]["statistics"]["hiddenSubscriberCount"], false);
    assert!(
        items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
            .as_str()
            .unwrap()
            .starts_with("UU")
    );
    assert!(
        items[0]["snippet"]["thumbnails"]["default"]["url"]
            .as_str()
            .unwrap()
            .starts_with(BASE)
    );

    let masked = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=snippet&mine=true&fields=items(id,snippet/title)",
            &[bearer(&access(&body))],
        )
        .await
        .json();
    assert_eq!(
        masked["items"][0],
        json!({"id": items[0]["id"], "snippet": {"title": "Demo Bakery"}})
    );
    assert!(masked.get("kind").is_none());
}

#[tokio::test]
async fn youtube_needs_a_read_scope() {
    let t = TestSandbox::new();
    let body = t.google_login("demo", YT_UPLOAD).await;
    let res = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(&access(&body))],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
}

#[tokio::test]
async fn youtube_quota_runs_out_with_quota_exceeded() {
    let t = TestSandbox::with(|c| c.limits.youtube_daily_units = 2);
    let body = t.google_login("demo", YT_READ).await;
    let path = "/www.googleapis.com/youtube/v3/channels?part=id&mine=true";
    assert_eq!(
        t.get_with(path, &[bearer(&access(&body))]).await.status,
        StatusCode::OK
    );
    // Invalid requests cost units too.
    assert_eq!(
        t.get_with(
            "/www.googleapis.com/youtube/v3/channels?mine=true",
            &[bearer(&access(&body))]
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let res = t.get_with(path, &[bearer(&access(&body))]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let e = res.json();
    assert_eq!(e["error"]["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(e["error"]["errors"][0]["domain"], "youtube.quota");
    // The quota resets at midnight Pacific (08:00 UTC); the clock starts at 00:00 UTC.
    t.advance(8 * 3600);
    let body = t
        .google_token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await
        .json();
    assert_eq!(
        t.get_with(path, &[bearer(&access(&body))]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn drive_lists_files_with_q_fields_and_paging() {
    let t = TestSandbox::new();
    let body = t.google_login("demo", DRIVE_READ).await;
    let token = access(&body);
    let all = t
        .get_with("/www.googleapis.com/drive/v3/files", &[bearer(&token)])
        .await
        .json();
    assert_eq!(all["kind"], "drive#fileList");
    assert_eq!(all["files"].as_array().unwrap().len(), 6);
    assert_eq!(
        all["files"][0].as_object().unwrap().len(),
        4,
        "default fields"
    );

    let q = form(&[
        ("q", "mimeType contains 'video/' and trashed=false"),
        (
            "fields",
            "nextPageToken,files(id,name,mimeType,size,modifiedTime,capabilities/canDownload)",
        ),
        ("pageSize", "1"),
    ]);
    let page1 = t
        .get_with(
            &format!("/www.googleapis.com/drive/v3/files?{q}"),
            &[bearer(&token)],
        )
        .await;
    assert_eq!(page1.status, StatusCode::OK, "{}", page1.text());
    let page1 = page1.json();
    let file = &page1["files"][0];
    assert_eq!(file["name"], "bakery-tour.mp4");
    assert_eq!(file["mimeType"], "video/mp4");
    assert!(file["size"].as_str().unwrap().parse::<u64>().unwrap() > 600_000);
    assert_eq!(file["capabilities"], json!({"canDownload": true}));
    assert!(file["modifiedTime"].as_str().unwrap().ends_with(".000Z"));
    assert!(file.get("kind").is_none());
    let next = page1["nextPageToken"].as_str().unwrap();
    let page2 = t
        .get_with(
            &format!("/www.googleapis.com/drive/v3/files?{q}&pageToken={next}"),
            &[bearer(&token)],
        )
        .await
        .json();
    assert_eq!(page2["files"][0]["name"], "studio-timelapse.mp4");
    assert!(page2.get("nextPageToken").is_none());

    let bad = t
        .get_with(
            "/www.googleapis.com/drive/v3/files?q=owner%20%3D%20'x'",
            &[bearer(&token)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["errors"][0]["location"], "q");
}

#[tokio::test]
async fn drive_downloads_whole_files_and_ranges() {
    let t = TestSandbox::new();
    let token = access(&t.google_login("demo", DRIVE_READ).await);
    let list = t
        .get_with(
            "/www.googleapis.com/drive/v3/files?fields=files(id,name,size,sha256Checksum)",
            &[bearer(&token)],
        )
        .await
        .json();
    let files = list["files"].as_array().unwrap();
    let png = files
        .iter()
        .find(|f| f["name"] == "croissants.png")
        .unwrap();
    let png_id = png["id"].as_str().unwrap();
    let whole = t
        .get_with(
            &format!("/www.googleapis.com/drive/v3/files/{png_id}?alt=media"),
            &[bearer(&token)],
        )
        .await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.header("content-type").unwrap(), "image/png");
    assert_eq!(&whole.body[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(whole.body.len().to_string(), png["size"].as_str().unwrap());
    let digest: String = Sha256::digest(&whole.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(png["sha256Checksum"], digest.as_str());

    let video = files
        .iter()
        .find(|f| f["name"] == "studio-timelapse.mp4")
        .unwrap();
    let id = video["id"].as_str().unwrap();
    let total: usize = video["size"].as_str().unwrap().parse().unwrap();
    let path = format!("/www.googleapis.com/drive/v3/files/{id}?alt=media");
    let full = t.get_with(&path, &[bearer(&token)]).await;
    assert_eq!(full.body.len(), total);
    let part = t
        .get_with(
            &path,
            &[bearer(&token), ("range", "bytes=262144-524287".into())],
        )
        .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header("content-range").unwrap(),
        format!("bytes 262144-524287/{total}")
    );
    assert_eq!(&part.body[..], &full.body[262_144..524_288]);
    let tail = t
        .get_with(
            &path,
            &[bearer(&token), ("range", format!("bytes={}-", total - 10))],
        )
        .await;
    assert_eq!(&tail.body[..], &full.body[total - 10..]);
    let beyond = t
        .get_with(
            &path,
            &[bearer(&token), ("range", format!("bytes={total}-"))],
        )
        .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        beyond.header("content-range").unwrap(),
        format!("bytes */{total}")
    );

    // Metadata of one file, and the Google Doc that cannot be downloaded.
    let meta = t
        .get_with(
            &format!("/www.googleapis.com/drive/v3/files/{id}?fields=id,name,videoMediaMetadata"),
            &[bearer(&token)],
        )
        .await
        .json();
    assert_eq!(meta["videoMediaMetadata"]["durationMillis"], "42000");
    let doc = files.iter().find(|f| f["name"] == "Caption ideas").unwrap();
    assert!(doc.get("size").is_none());
    let res = t
        .get_with(
            &format!(
                "/www.googleapis.com/drive/v3/files/{}?alt=media",
                doc["id"].as_str().unwrap()
            ),
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "fileNotDownloadable"
    );
    let missing = t
        .get_with("/www.googleapis.com/drive/v3/files/nope", &[bearer(&token)])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["errors"][0]["reason"], "notFound");
}

#[tokio::test]
async fn drive_metadata_scope_cannot_download() {
    let t = TestSandbox::new();
    let token = access(&t.google_login("demo", DRIVE_META).await);
    let list = t
        .get_with("/www.googleapis.com/drive/v3/files", &[bearer(&token)])
        .await
        .json();
    let id = list["files"][0]["id"].as_str().unwrap();
    let res = t
        .get_with(
            &format!("/www.googleapis.com/drive/v3/files/{id}?alt=media"),
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
}
