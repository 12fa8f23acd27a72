//! What the YouTube simulator says about a video once its bytes are in,
//! as YouTube does: `processingDetails` while it processes, then
//! `processed`, `rejected` with a `rejectionReason` or `failed` with a
//! `failureReason`; the private lock of unaudited projects; duplicates by
//! content when switched on; and the per-project `videos.insert` bucket.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const SCOPES: &str = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly";
const INSERT: &str =
    "/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status";
const BLOCK: usize = 256 * 1024;

/// Bytes with an `ftyp` box at offset 4, the rest varying with `seed`.
fn mp4(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = vec![
        0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm',
    ];
    bytes.extend((bytes.len()..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

async fn token(t: &TestSandbox, user: &str) -> String {
    t.google_login(user, SCOPES).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Opens a session for `bytes` asking for `privacy` (on `channel` when
/// given) and uploads them in chunks of `chunk` bytes; returns the answer
/// to the final chunk.
async fn upload(
    t: &TestSandbox,
    token: &str,
    bytes: &[u8],
    chunk: usize,
    privacy: &str,
    channel: Option<&str>,
) -> Value {
    let mut resource = json!({
        "snippet": {"title": "Proofing", "description": "Dough, rising"},
        "status": {"privacyStatus": privacy, "selfDeclaredMadeForKids": false},
    });
    if let Some(channel) = channel {
        resource["snippet"]["channelId"] = json!(channel);
    }
    let res = t
        .request(
            Method::POST,
            INSERT,
            &[
                bearer(token),
                ("content-type", "application/json".into()),
                ("x-upload-content-length", bytes.len().to_string()),
                ("x-upload-content-type", "video/mp4".into()),
            ],
            Body::from(resource.to_string()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let session = res.header("location").unwrap().replace(BASE, "");
    let total = bytes.len();
    let mut offset = 0;
    loop {
        let end = (offset + chunk).min(total);
        let res = t
            .request(
                Method::PUT,
                &session,
                &[(
                    "content-range",
                    format!("bytes {offset}-{}/{total}", end - 1),
                )],
                Body::from(bytes[offset..end].to_vec()),
            )
            .await;
        if end == total {
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            return res.json();
        }
        assert_eq!(res.status, StatusCode::PERMANENT_REDIRECT);
        offset = res
            .header("range")
            .and_then(|r| r.strip_prefix("bytes=0-")?.parse::<usize>().ok())
            .map_or(0, |last| last + 1);
    }
}

async fn video(t: &TestSandbox, token: &str, id: &str) -> Value {
    let res = t
        .get_with(
            &format!("/www.googleapis.com/youtube/v3/videos?part=status,processingDetails&id={id}"),
            &[bearer(token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["items"]
        .as_array()
        .unwrap()
        .first()
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn processing_reports_its_progress_then_processed() {
    let t = TestSandbox::new();
    let token = token(&t, "demo").await;
    let v = upload(&t, &token, &mp4(300_000, 1), BLOCK, "private", None).await;
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    let id = v["id"].as_str().unwrap();
    t.advance(15);
    let v = video(&t, &token, id).await;
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    let details = &v["processingDetails"];
    assert_eq!(details["processingStatus"], "processing");
    // Numbers as strings, as YouTube sends them.
    assert_eq!(details["processingProgress"]["partsTotal"], "1000");
    assert_eq!(details["processingProgress"]["partsProcessed"], "500");
    assert_eq!(details["processingProgress"]["timeLeftMs"], "15000");
    t.advance(15);
    let v = video(&t, &token, id).await;
    assert_eq!(v["status"]["uploadStatus"], "processed");
    assert_eq!(
        v["processingDetails"],
        json!({"processingStatus": "succeeded"})
    );
    assert!(v["status"].get("rejectionReason").is_none());
}

#[tokio::test]
async fn a_queued_rejection_ends_the_next_upload_after_processing() {
    let t = TestSandbox::new();
    let token = token(&t, "demo").await;
    let res = t
        .post_json(
            "/_admin/youtube/verdicts",
            &json!({"upload_status": "rejected", "reason": "termsOfUse"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["queued"], 1);
    let v = upload(&t, &token, &mp4(300_000, 2), BLOCK, "private", None).await;
    // The final byte's answer does not know yet.
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    let id = v["id"].as_str().unwrap().to_owned();
    t.advance(30);
    let v = video(&t, &token, &id).await;
    assert_eq!(v["status"]["uploadStatus"], "rejected");
    assert_eq!(v["status"]["rejectionReason"], "termsOfUse");
    assert!(v["status"].get("failureReason").is_none());
    assert_eq!(v["processingDetails"]["processingStatus"], "terminated");
    // The rejected video stays on the channel; the next upload is fine.
    assert_eq!(t.sb.published().len(), 1);
    let next = upload(&t, &token, &mp4(300_000, 3), BLOCK, "private", None).await;
    t.advance(30);
    let next = video(&t, &token, next["id"].as_str().unwrap()).await;
    assert_eq!(next["status"]["uploadStatus"], "processed");
}

#[tokio::test]
async fn a_queued_failure_reports_the_failure_and_processing_reasons() {
    let t = TestSandbox::new();
    let token = token(&t, "demo").await;
    t.sb.queue_youtube_verdict("failed", "codec").unwrap();
    let v = upload(&t, &token, &mp4(300_000, 4), BLOCK, "private", None).await;
    t.advance(30);
    let v = video(&t, &token, v["id"].as_str().unwrap()).await;
    assert_eq!(v["status"]["uploadStatus"], "failed");
    assert_eq!(v["status"]["failureReason"], "codec");
    assert_eq!(
        v["processingDetails"],
        json!({"processingStatus": "failed", "processingFailureReason": "transcodeFailed"})
    );
}

#[tokio::test]
async fn only_documented_verdicts_are_queued() {
    let t = TestSandbox::new();
    for body in [
        json!({"upload_status": "rejected", "reason": "codec"}),
        json!({"upload_status": "failed", "reason": "duplicate"}),
        json!({"upload_status": "deleted", "reason": "x"}),
        json!({}),
    ] {
        let res = t.post_json("/_admin/youtube/verdicts", &body).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(res.json()["error"]["code"], "invalid_verdict", "{body}");
    }
    assert!(t.sb.queue_youtube_verdict("rejected", "spam").is_err());
    assert!(t.sb.queue_youtube_verdict("rejected", "legal").is_ok());
}

#[tokio::test]
async fn a_file_without_a_video_container_fails_as_an_invalid_file() {
    let t = TestSandbox::new();
    let token = token(&t, "demo").await;
    let text = b"just some words, no video at all. ".repeat(20_000);
    let v = upload(&t, &token, &text, BLOCK, "private", None).await;
    t.advance(30);
    let v = video(&t, &token, v["id"].as_str().unwrap()).await;
    assert_eq!(v["status"]["uploadStatus"], "failed");
    assert_eq!(v["status"]["failureReason"], "invalidFile");
    assert_eq!(
        v["processingDetails"]["processingFailureReason"],
        "uploadFailed"
    );
}

#[tokio::test]
async fn unaudited_public_uploads_are_locked_private_once_processed() {
    let t = TestSandbox::new();
    let owner = token(&t, "demo").await;
    let v = upload(&t, &owner, &mp4(300_000, 5), BLOCK, "public", None).await;
    // The final byte's answer still shows what was asked for.
    assert_eq!(v["status"]["privacyStatus"], "public");
    let id = v["id"].as_str().unwrap().to_owned();
    let stranger = token(&t, "zoe").await;
    assert_eq!(video(&t, &stranger, &id).await["id"], id.as_str());
    t.advance(30);
    let v = video(&t, &owner, &id).await;
    assert_eq!(v["status"]["uploadStatus"], "processed");
    assert_eq!(v["status"]["privacyStatus"], "private");
    // Private: nobody else sees it any more.
    assert_eq!(video(&t, &stranger, &id).await, Value::Null);
    // Asked to be private: nothing to lock.
    let mine = upload(&t, &owner, &mp4(300_000, 6), BLOCK, "private", None).await;
    t.advance(30);
    let mine = video(&t, &owner, mine["id"].as_str().unwrap()).await;
    assert_eq!(mine["status"]["privacyStatus"], "private");
}

#[tokio::test]
async fn audited_projects_keep_the_privacy_asked_for() {
    let t = TestSandbox::with(|c| c.youtube_audited = true);
    let token = token(&t, "demo").await;
    let v = upload(&t, &token, &mp4(300_000, 7), BLOCK, "unlisted", None).await;
    t.advance(30);
    let v = video(&t, &token, v["id"].as_str().unwrap()).await;
    assert_eq!(v["status"]["uploadStatus"], "processed");
    assert_eq!(v["status"]["privacyStatus"], "unlisted");
}

#[tokio::test]
async fn identical_bytes_on_one_channel_are_rejected_as_duplicates_when_switched_on() {
    let t = TestSandbox::with(|c| c.youtube_reject_duplicates = true);
    let token = token(&t, "demo").await;
    let file = mp4(3 * BLOCK + 1234, 8);
    let first = upload(&t, &token, &file, BLOCK, "private", None).await;
    // The same bytes cut into other chunks (only whole blocks are kept).
    let second = upload(&t, &token, &file, BLOCK + 1000, "private", None).await;
    // Another file, and the same file on the user's other channel.
    let other = upload(
        &t,
        &token,
        &mp4(3 * BLOCK + 1234, 9),
        BLOCK,
        "private",
        None,
    )
    .await;
    let channels = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(&token)],
        )
        .await
        .json();
    let second_channel = channels["items"][1]["id"].as_str().unwrap().to_owned();
    let elsewhere = upload(&t, &token, &file, BLOCK, "private", Some(&second_channel)).await;
    t.advance(30);
    assert_eq!(ended(&t, &token, &first).await, ("processed".into(), None));
    assert_eq!(
        ended(&t, &token, &second).await,
        ("rejected".into(), Some("duplicate".into()))
    );
    assert_eq!(ended(&t, &token, &other).await, ("processed".into(), None));
    assert_eq!(
        ended(&t, &token, &elsewhere).await,
        ("processed".into(), None)
    );
}

/// How the uploaded `v` ended: its `uploadStatus` and `rejectionReason`.
async fn ended(t: &TestSandbox, token: &str, v: &Value) -> (String, Option<String>) {
    let v = video(t, token, v["id"].as_str().unwrap()).await;
    (
        v["status"]["uploadStatus"].as_str().unwrap().to_owned(),
        v["status"]["rejectionReason"].as_str().map(str::to_owned),
    )
}

#[tokio::test]
async fn identical_bytes_are_accepted_by_default() {
    let t = TestSandbox::new();
    let token = token(&t, "demo").await;
    let file = mp4(300_000, 10);
    upload(&t, &token, &file, BLOCK, "private", None).await;
    let again = upload(&t, &token, &file, BLOCK, "private", None).await;
    t.advance(30);
    let again = video(&t, &token, again["id"].as_str().unwrap()).await;
    assert_eq!(again["status"]["uploadStatus"], "processed");
}

#[tokio::test]
async fn the_videos_insert_bucket_is_per_project_not_per_user() {
    let t = TestSandbox::with(|c| c.limits.youtube_daily_uploads = 2);
    let demo = token(&t, "demo").await;
    let zoe = token(&t, "zoe").await;
    upload(&t, &demo, &mp4(1_000, 11), BLOCK, "private", None).await;
    upload(&t, &zoe, &mp4(1_000, 12), BLOCK, "private", None).await;
    // A third user of the same project finds the bucket empty.
    let ada = token(&t, "ada").await;
    let res = t
        .request(
            Method::POST,
            INSERT,
            &[
                bearer(&ada),
                ("content-type", "application/json".into()),
                ("x-upload-content-length", "1000".into()),
            ],
            Body::from(json!({"snippet": {"title": "t"}}).to_string()),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let error = &res.json()["error"];
    assert_eq!(error["code"], 403);
    assert_eq!(error["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(error["errors"][0]["domain"], "youtube.quota");
}
