//! TikTok direct posts (creator info, init, chunk uploads, status, video
//! list) and YouTube resumable uploads with `videos.list`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use herald_core::ManualClock;
use herald_sandbox::{Fault, FaultKind, Platform, Sandbox, SandboxConfig};
use serde_json::{Value, json};

use crate::helpers::*;

pub(crate) const TT_SCOPES: &str = "user.info.basic,user.info.profile,video.publish,video.list";
const YT_UPLOAD: &str = "https://www.googleapis.com/auth/youtube.upload";
const YT_READ: &str = "https://www.googleapis.com/auth/youtube.readonly";
const MIB: usize = 1024 * 1024;

/// Bytes with an `ftyp` box at offset 4.
pub(crate) fn mp4(len: usize) -> Vec<u8> {
    let mut bytes = vec![
        0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm',
    ];
    bytes.resize(len.max(bytes.len()), 0x17);
    bytes
}

/// A sandbox URL without the base, for `oneshot`.
fn path_of(url: &str) -> String {
    url.strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under the sandbox"))
        .to_owned()
}

pub(crate) async fn tiktok_token(t: &TestSandbox) -> String {
    t.tiktok_login("demo", TT_SCOPES).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn tt_post(t: &TestSandbox, path: &str, token: &str, body: &Value) -> Resp {
    t.request(
        Method::POST,
        path,
        &[
            bearer(token),
            ("content-type", "application/json; charset=UTF-8".to_owned()),
        ],
        Body::from(body.to_string()),
    )
    .await
}

pub(crate) async fn init(t: &TestSandbox, token: &str, privacy: &str, source: Value) -> Resp {
    tt_post(
        t,
        "/open.tiktokapis.com/v2/post/publish/video/init/",
        token,
        &json!({
            "post_info": {"title": "Croissants #bakery", "privacy_level": privacy},
            "source_info": source,
        }),
    )
    .await
}

pub(crate) fn file_source(size: usize, chunk: usize, count: usize) -> Value {
    json!({"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count})
}

pub(crate) async fn put_chunk(
    t: &TestSandbox,
    upload: &str,
    bytes: &[u8],
    first: usize,
    last: usize,
) -> Resp {
    t.request(
        Method::PUT,
        upload,
        &[
            ("content-type", "video/mp4".to_owned()),
            (
                "content-range",
                format!("bytes {first}-{last}/{}", bytes.len()),
            ),
        ],
        Body::from(bytes[first..=last].to_vec()),
    )
    .await
}

pub(crate) async fn status(t: &TestSandbox, token: &str, publish_id: &str) -> Value {
    let res = tt_post(
        t,
        "/open.tiktokapis.com/v2/post/publish/status/fetch/",
        token,
        &json!({"publish_id": publish_id}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["error"]["code"], "ok");
    body["data"].clone()
}

pub(crate) fn error_code(res: &Resp) -> String {
    res.json()["error"]["code"].as_str().unwrap().to_owned()
}

/// Inits a FILE_UPLOAD; returns (publish_id, upload path).
pub(crate) async fn init_file(
    t: &TestSandbox,
    token: &str,
    size: usize,
    chunk: usize,
) -> (String, String) {
    let count = if size < 5 * MIB { 1 } else { size / chunk };
    let res = init(t, token, "SELF_ONLY", file_source(size, chunk, count)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let data = res.json()["data"].clone();
    let upload_url = data["upload_url"].as_str().unwrap();
    assert!(
        upload_url.starts_with(&format!(
            "{BASE}/open-upload.tiktokapis.com/video/?upload_id="
        )),
        "{upload_url}"
    );
    assert!(upload_url.contains("&upload_token="));
    (
        data["publish_id"].as_str().unwrap().to_owned(),
        path_of(upload_url),
    )
}

// ------------------------------------------------------------------ TikTok

#[tokio::test]
async fn creator_info_lists_privacy_options_and_needs_video_publish() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
        &token,
        &json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["error"]["code"], "ok");
    assert!(!body["error"]["log_id"].as_str().unwrap().is_empty());
    assert_eq!(body["data"]["creator_username"], "demo");
    // A public account (the default): no FOLLOWER_OF_CREATOR.
    assert_eq!(
        body["data"]["privacy_level_options"],
        json!(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    assert_eq!(body["data"]["max_video_post_duration_sec"], 600);

    let basic = t.tiktok_login("other", "user.info.basic").await;
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
        basic["access_token"].as_str().unwrap(),
        &json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&res), "scope_not_authorized");

    // 20 per token per minute.
    for _ in 0..19 {
        let res = tt_post(
            &t,
            "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
            &token,
            &json!({}),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK);
    }
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
        &token,
        &json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&res), "rate_limit_exceeded");
    t.advance(60);
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
        &token,
        &json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn init_checks_the_chunk_math_privacy_and_title() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let bad = [
        // Under 5 MiB must be one chunk of exactly the file.
        file_source(1_000_000, 500_000, 2),
        file_source(1_000_000, 5 * MIB, 1),
        // Not floor(size / chunk).
        file_source(50_000_123, 10_000_000, 6),
        // Chunks of 4 MiB are too small, 65 MiB too large.
        file_source(40 * MIB, 4 * MIB, 10),
        file_source(200 * MIB, 65 * MIB, 3),
        // Over 64 MiB in one chunk.
        file_source(100 * MIB, 100 * MIB, 1),
        // More than 1000 chunks.
        file_source(5_010 * MIB, 5 * MIB, 1_002),
        json!({"source": "FILE_UPLOAD", "video_size": 1000}),
        json!({"source": "PULL_FROM_URL", "video_url": "ftp://x.example/a.mp4"}),
        json!({"source": "NOPE"}),
    ];
    for source in bad {
        let res = init(&t, &token, "SELF_ONLY", source.clone()).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{source}");
        assert_eq!(error_code(&res), "invalid_params", "{source}");
        t.advance(11); // stay under 6 inits per minute
    }
    for good in [
        file_source(1_000_000, 1_000_000, 1),
        file_source(50_000_123, 10_000_000, 5),
        file_source(100 * MIB, 50 * MIB, 2),
    ] {
        let res = init(&t, &token, "SELF_ONLY", good.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{good}: {}", res.text());
        t.advance(11);
    }
    let res = init(&t, &token, "FRIENDS", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&res), "privacy_level_option_mismatch");
    t.advance(11);
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/video/init/",
        &token,
        &json!({
            "post_info": {"title": "x".repeat(2201), "privacy_level": "SELF_ONLY"},
            "source_info": file_source(1000, 1000, 1),
        }),
    )
    .await;
    assert_eq!(error_code(&res), "invalid_params");
}

#[tokio::test]
async fn init_allows_six_per_token_per_minute() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    for _ in 0..6 {
        let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
        assert_eq!(res.status, StatusCode::OK);
    }
    let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&res), "rate_limit_exceeded");
}

#[tokio::test]
async fn chunks_go_up_in_order_and_a_resent_chunk_is_not_counted_twice() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let video = mp4(12 * MIB + 12_345);
    let chunk = 5 * MIB;
    let (publish_id, upload) = init_file(&t, &token, video.len(), chunk).await;
    let last = video.len() - 1;

    // The final chunk (index 1) absorbs the remainder; it cannot come first.
    let res = put_chunk(&t, &upload, &video, chunk, last).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&res), "invalid_file_upload");
    // Not a chunk boundary / not exactly one chunk.
    let res = put_chunk(&t, &upload, &video, 1, chunk).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = put_chunk(&t, &upload, &video, 0, chunk - 2).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // A wrong content type.
    let res = t
        .request(
            Method::PUT,
            &upload,
            &[
                ("content-type", "image/png".to_owned()),
                (
                    "content-range",
                    format!("bytes 0-{}/{}", chunk - 1, video.len()),
                ),
            ],
            Body::from(video[..chunk].to_vec()),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    let res = put_chunk(&t, &upload, &video, 0, chunk - 1).await;
    assert_eq!(res.status, StatusCode::PARTIAL_CONTENT, "{}", res.text());
    let res = put_chunk(&t, &upload, &video, 0, chunk - 1).await;
    assert_eq!(res.status, StatusCode::PARTIAL_CONTENT);
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["status"], "PROCESSING_UPLOAD");
    assert_eq!(s["uploaded_bytes"], chunk);

    let res = put_chunk(&t, &upload, &video, chunk, last).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = put_chunk(&t, &upload, &video, chunk, last).await;
    assert_eq!(res.status, StatusCode::CREATED, "a resent final chunk");
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["status"], "PROCESSING_UPLOAD");
    assert_eq!(s["uploaded_bytes"], video.len());
    assert!(t.sb.published().is_empty());

    // Processing takes 5 s of sandbox time; the post id comes 10 s later.
    t.advance(5);
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["status"], "PUBLISH_COMPLETE");
    assert_eq!(s["publicaly_available_post_id"], json!([]));
    let published = t.sb.published();
    assert_eq!(published.len(), 1);
    let post = &published[0];
    assert_eq!(post.platform, Platform::TikTok);
    assert_eq!(post.kind, "video");
    assert_eq!(post.caption, "Croissants #bakery");
    assert_eq!(post.media_sizes, [video.len() as u64]);
    assert_eq!(
        post.permalink,
        format!("https://www.tiktok.com/@demo/video/{}", post.id)
    );
    t.advance(10);
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["publicaly_available_post_id"][0].to_string(), post.id);
    assert_eq!(t.sb.published_on(&post.account_id).len(), 1);

    // The video list shows it first, above the user's seeded history
    // (POST with a fields query).
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/video/list/?fields=id,create_time,title,video_description,share_url,duration",
        &token,
        &json!({"max_count": 20}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let data = res.json()["data"].clone();
    assert_eq!(data["has_more"], true);
    assert_eq!(data["videos"][0]["id"], post.id.as_str());
    assert_eq!(data["videos"][0]["share_url"], post.permalink.as_str());
    assert_eq!(data["videos"][0]["title"], "Croissants #bakery");
}

#[tokio::test]
async fn bytes_without_an_ftyp_box_fail_the_format_check() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let video = vec![0x42; 4_000];
    let (publish_id, upload) = init_file(&t, &token, video.len(), video.len()).await;
    let res = put_chunk(&t, &upload, &video, 0, video.len() - 1).await;
    assert_eq!(res.status, StatusCode::CREATED);
    t.advance(5);
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["status"], "FAILED");
    assert_eq!(s["fail_reason"], "file_format_check_failed");
    assert!(t.sb.published().is_empty());
}

#[tokio::test]
async fn upload_urls_expire_after_an_hour() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let video = mp4(3_000);
    let (publish_id, upload) = init_file(&t, &token, video.len(), video.len()).await;
    t.advance(3_600);
    let res = put_chunk(&t, &upload, &video, 0, video.len() - 1).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&res), "invalid_file_upload");
    let s = status(&t, &token, &publish_id).await;
    assert_eq!(s["status"], "PROCESSING_UPLOAD");
    assert_eq!(s["uploaded_bytes"], 0);
}

#[tokio::test]
async fn status_is_limited_per_token_and_private_to_the_user() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let (publish_id, _) = init_file(&t, &token, 1_000, 1_000).await;
    let other = t.tiktok_login("other", TT_SCOPES).await;
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/status/fetch/",
        other["access_token"].as_str().unwrap(),
        &json!({"publish_id": publish_id}),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    for _ in 0..30 {
        status(&t, &token, &publish_id).await;
    }
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/status/fetch/",
        &token,
        &json!({"publish_id": publish_id}),
    )
    .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Serves `bytes` at `http://127.0.0.1:{port}/v.mp4` (404 elsewhere).
async fn serve(bytes: Vec<u8>) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/v.mp4",
        axum::routing::get(move || {
            let bytes = bytes.clone();
            async move { bytes }
        }),
    );
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (base, server)
}

async fn wait_for(t: &TestSandbox, token: &str, publish_id: &str, want: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let s = status(t, token, publish_id).await;
        if s["status"] != "PROCESSING_DOWNLOAD" || std::time::Instant::now() > deadline {
            assert_eq!(s["status"], want, "{s}");
            return s;
        }
        if s["downloaded_bytes"].as_u64().unwrap_or(0) > 0 {
            // Downloaded; processing runs on the sandbox clock.
            t.advance(5);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn pull_from_url_downloads_the_video_itself() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let (base, server) = serve(mp4(70_000)).await;
    let res = init(
        &t,
        &token,
        "SELF_ONLY",
        json!({"source": "PULL_FROM_URL", "video_url": format!("{base}/v.mp4")}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let data = res.json()["data"].clone();
    assert!(data.get("upload_url").is_none());
    let publish_id = data["publish_id"].as_str().unwrap().to_owned();
    assert!(publish_id.starts_with("v_pub_url~"));
    let s = wait_for(&t, &token, &publish_id, "PUBLISH_COMPLETE").await;
    assert_eq!(s["downloaded_bytes"], 70_000);
    assert_eq!(t.sb.published()[0].media_sizes, [70_000]);

    let res = init(
        &t,
        &token,
        "SELF_ONLY",
        json!({"source": "PULL_FROM_URL", "video_url": format!("{base}/missing.mp4")}),
    )
    .await;
    let publish_id = res.json()["data"]["publish_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = wait_for(&t, &token, &publish_id, "FAILED").await;
    assert_eq!(s["fail_reason"], "video_pull_failed");
    assert_eq!(t.sb.published().len(), 1);
    server.abort();
}

#[tokio::test]
async fn posting_endpoints_render_tiktok_faults() {
    let t = TestSandbox::new();
    let token = tiktok_token(&t).await;
    let (publish_id, upload) = init_file(&t, &token, 1_000, 1_000).await;
    let cases = [
        (FaultKind::RateLimited, 429, "rate_limit_exceeded"),
        (FaultKind::ServerError, 500, "internal_error"),
        (FaultKind::ExpiredToken, 401, "access_token_invalid"),
        (FaultKind::RevokedToken, 401, "access_token_invalid"),
        (FaultKind::MissingPermission, 401, "scope_not_authorized"),
    ];
    for (kind, status_code, code) in cases {
        for endpoint in [
            "tiktok.creator_info",
            "tiktok.video_init",
            "tiktok.upload",
            "tiktok.status",
            "tiktok.video_list",
        ] {
            t.sb.inject(endpoint, Fault::times(kind, 1)).unwrap();
            let res = match endpoint {
                "tiktok.creator_info" => {
                    tt_post(
                        &t,
                        "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
                        &token,
                        &json!({}),
                    )
                    .await
                }
                "tiktok.video_init" => {
                    init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await
                }
                "tiktok.upload" => put_chunk(&t, &upload, &mp4(1_000), 0, 999).await,
                "tiktok.status" => {
                    tt_post(
                        &t,
                        "/open.tiktokapis.com/v2/post/publish/status/fetch/",
                        &token,
                        &json!({"publish_id": publish_id}),
                    )
                    .await
                }
                _ => {
                    tt_post(
                        &t,
                        "/open.tiktokapis.com/v2/video/list/?fields=id",
                        &token,
                        &json!({}),
                    )
                    .await
                }
            };
            assert_eq!(res.status.as_u16(), status_code, "{endpoint} {kind:?}");
            assert_eq!(error_code(&res), code, "{endpoint} {kind:?}");
            assert_eq!(res.json()["data"], json!({}));
        }
    }
    assert_eq!(t.sb.calls("tiktok.upload"), 5);
}

#[tokio::test]
async fn unaudited_clients_may_only_post_privately() {
    let t = TestSandbox::with(|c| c.tiktok_unaudited = true);
    let token = tiktok_token(&t).await;
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/post/publish/creator_info/query/",
        &token,
        &json!({}),
    )
    .await;
    assert_eq!(
        res.json()["data"]["privacy_level_options"],
        json!(["SELF_ONLY"])
    );
    // The account is public: even a SELF_ONLY post is refused.
    for privacy in ["PUBLIC_TO_EVERYONE", "SELF_ONLY"] {
        let res = init(&t, &token, privacy, file_source(1000, 1000, 1)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(
            error_code(&res),
            "unaudited_client_can_only_post_to_private_accounts"
        );
    }
    t.sb.set_tiktok_creator(
        "demo",
        herald_sandbox::TikTokCreator {
            private_account: true,
            ..Default::default()
        },
    );
    let res = init(&t, &token, "SELF_ONLY", file_source(1000, 1000, 1)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn a_publish_in_progress_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    let t = TestSandbox::with(|c| c.state_file = Some(path.clone()));
    let token = tiktok_token(&t).await;
    let video = mp4(2_000);
    let (publish_id, upload) = init_file(&t, &token, video.len(), video.len()).await;
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains(&publish_id));

    let mut config = SandboxConfig::new(BASE);
    config.state_file = Some(path);
    let clock = Arc::new(ManualClock::new(t.clock_now()));
    let t2 = TestSandbox::from_parts(Sandbox::new(config, clock.clone()).unwrap(), clock);
    let res = put_chunk(&t2, &upload, &video, 0, video.len() - 1).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    t2.advance(5);
    assert_eq!(
        status(&t2, &token, &publish_id).await["status"],
        "PUBLISH_COMPLETE"
    );
}

// ----------------------------------------------------------------- YouTube

async fn google_token(t: &TestSandbox, scopes: &str) -> String {
    t.google_login("demo", scopes).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn channel_ids(t: &TestSandbox, token: &str) -> Vec<String> {
    let res = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
            &[bearer(token)],
        )
        .await;
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

const INSERT: &str =
    "/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status";

async fn open(t: &TestSandbox, token: &str, total: usize, resource: &Value) -> Resp {
    t.request(
        Method::POST,
        INSERT,
        &[
            bearer(token),
            ("content-type", "application/json; charset=UTF-8".to_owned()),
            ("x-upload-content-length", total.to_string()),
            ("x-upload-content-type", "video/mp4".to_owned()),
        ],
        Body::from(resource.to_string()),
    )
    .await
}

fn resource(title: &str) -> Value {
    json!({
        "snippet": {"title": title, "description": "Fresh from the oven", "tags": ["bakery"], "categoryId": "22"},
        "status": {"privacyStatus": "private", "selfDeclaredMadeForKids": false},
    })
}

/// Opens a session; returns its path.
async fn session(t: &TestSandbox, token: &str, total: usize, resource: &Value) -> String {
    let res = open(t, token, total, resource).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let location = res.header("location").unwrap();
    assert!(
        location.starts_with(&format!(
            "{BASE}/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id="
        )),
        "{location}"
    );
    path_of(&location)
}

async fn put_range(t: &TestSandbox, session: &str, range: &str, body: Vec<u8>) -> Resp {
    t.request(
        Method::PUT,
        session,
        &[
            ("content-type", "video/mp4".to_owned()),
            ("content-range", range.to_owned()),
        ],
        Body::from(body),
    )
    .await
}

#[tokio::test]
async fn resumable_upload_creates_the_video_on_the_final_byte_only() {
    let t = TestSandbox::new();
    let token = google_token(&t, &format!("{YT_UPLOAD} {YT_READ}")).await;
    let channels = channel_ids(&t, &token).await;
    let video = mp4(700_000);
    let total = video.len();
    let s = session(&t, &token, total, &resource("Croissants")).await;

    let res = put_range(&t, &s, &format!("bytes */{total}"), Vec::new()).await;
    assert_eq!(res.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("range"), None, "nothing stored yet");

    // 300,000 bytes: only one whole 256 KiB block is kept.
    let res = put_range(
        &t,
        &s,
        &format!("bytes 0-299999/{total}"),
        video[..300_000].to_vec(),
    )
    .await;
    assert_eq!(res.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("range").as_deref(), Some("bytes=0-262143"));
    // A gap is refused.
    let res = put_range(
        &t,
        &s,
        &format!("bytes 300000-{}/{total}", total - 1),
        video[300_000..].to_vec(),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(t.sb.published().is_empty());

    let res = put_range(
        &t,
        &s,
        &format!("bytes 262144-{}/{total}", total - 1),
        video[262_144..].to_vec(),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.json();
    assert_eq!(v["kind"], "youtube#video");
    assert_eq!(v["snippet"]["title"], "Croissants");
    assert_eq!(v["snippet"]["channelId"], channels[0].as_str());
    assert_eq!(v["status"]["uploadStatus"], "uploaded");
    assert_eq!(v["status"]["privacyStatus"], "private");
    let id = v["id"].as_str().unwrap().to_owned();

    // Probes and resent bytes get the same video, never a second one.
    let res = put_range(&t, &s, &format!("bytes */{total}"), Vec::new()).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["id"], id.as_str());
    let res = put_range(
        &t,
        &s,
        &format!("bytes 262144-{}/{total}", total - 1),
        video[262_144..].to_vec(),
    )
    .await;
    assert_eq!(res.json()["id"], id.as_str());
    let published = t.sb.published_on(&channels[0]);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].id, id);
    assert_eq!(published[0].platform, Platform::Google);
    assert_eq!(published[0].title.as_deref(), Some("Croissants"));
    assert_eq!(published[0].caption, "Fresh from the oven");
    assert_eq!(
        published[0].permalink,
        format!("https://www.youtube.com/watch?v={id}")
    );
    assert_eq!(published[0].media_sizes, [total as u64]);

    // videos.list: uploaded, then processed.
    let list = format!(
        "/www.googleapis.com/youtube/v3/videos?part=snippet,status,processingDetails&id={id},nope"
    );
    let res = t.get_with(&list, &[bearer(&token)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["status"]["uploadStatus"], "uploaded");
    assert_eq!(
        body["items"][0]["processingDetails"]["processingStatus"],
        "processing"
    );
    t.advance(30);
    let body = t.get_with(&list, &[bearer(&token)]).await.json();
    assert_eq!(body["items"][0]["status"]["uploadStatus"], "processed");

    // Sessions end after a day.
    t.advance(86_400);
    let res = put_range(&t, &s, &format!("bytes */{total}"), Vec::new()).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_single_request_upload_and_the_named_channel() {
    let t = TestSandbox::new();
    let token = google_token(&t, &format!("{YT_UPLOAD} {YT_READ}")).await;
    let channels = channel_ids(&t, &token).await;
    let mut named = resource("Studio timelapse");
    named["snippet"]["channelId"] = json!(channels[1]);
    let video = mp4(1_000);
    let s = session(&t, &token, video.len(), &named).await;
    let res = t
        .request(
            Method::PUT,
            &s,
            &[("content-type", "video/mp4".to_owned())],
            Body::from(video),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["snippet"]["channelId"], channels[1].as_str());
    assert_eq!(t.sb.published_on(&channels[1]).len(), 1);
    assert!(t.sb.published_on(&channels[0]).is_empty());
}

#[tokio::test]
async fn the_video_resource_is_validated() {
    let t = TestSandbox::new();
    let token = google_token(&t, YT_UPLOAD).await;
    let long_description = "d".repeat(5001);
    let cases = [
        (json!({"snippet": {"title": "a <b>"}}), "invalidTitle"),
        (
            json!({"snippet": {"title": "t".repeat(101)}}),
            "invalidTitle",
        ),
        (
            json!({"snippet": {"description": "no title"}}),
            "invalidTitle",
        ),
        (
            json!({"snippet": {"title": "ok", "description": long_description}}),
            "invalidDescription",
        ),
        (
            json!({"snippet": {"title": "ok"}, "status": {"privacyStatus": "secret"}}),
            "invalidVideoMetadata",
        ),
        (
            json!({"snippet": {"title": "ok"}, "status": {"privacyStatus": "public", "publishAt": "2027-01-01T00:00:00Z"}}),
            "invalidPublishAt",
        ),
    ];
    for (body, reason) in cases {
        let res = open(&t, &token, 1000, &body).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(res.json()["error"]["errors"][0]["reason"], reason, "{body}");
    }
    let scheduled = json!({"snippet": {"title": "ok"}, "status": {"privacyStatus": "private", "publishAt": "2027-01-01T00:00:00Z"}});
    assert_eq!(
        open(&t, &token, 1000, &scheduled).await.status,
        StatusCode::OK
    );

    let read_only = google_token(&t, YT_READ).await;
    let res = open(&t, &read_only, 1000, &resource("x")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );
}

#[tokio::test]
async fn inserts_spend_their_own_daily_bucket() {
    let t = TestSandbox::with(|c| c.limits.youtube_daily_uploads = 2);
    let token = google_token(&t, YT_UPLOAD).await;
    assert_eq!(
        open(&t, &token, 1000, &resource("a")).await.status,
        StatusCode::OK
    );
    // Refused requests cost a call too.
    assert_eq!(
        open(&t, &token, 1000, &json!({})).await.status,
        StatusCode::BAD_REQUEST
    );
    let res = open(&t, &token, 1000, &resource("b")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let e = res.json();
    assert_eq!(e["error"]["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(e["error"]["errors"][0]["domain"], "youtube.quota");
    // The bucket resets at Pacific midnight (08:00 UTC).
    t.advance(8 * 3600);
    let token = google_token(&t, YT_UPLOAD).await;
    assert_eq!(
        open(&t, &token, 1000, &resource("c")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_channel_has_a_daily_upload_cap() {
    let t = TestSandbox::with(|c| c.limits.youtube_channel_daily_uploads = 1);
    let token = google_token(&t, YT_UPLOAD).await;
    let s = session(&t, &token, 10, &resource("one")).await;
    let res = put_range(&t, &s, "bytes 0-9/10", vec![0; 10]).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = open(&t, &token, 10, &resource("two")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "uploadLimitExceeded"
    );
}

#[tokio::test]
async fn upload_endpoints_render_google_faults() {
    let t = TestSandbox::new();
    let token = google_token(&t, &format!("{YT_UPLOAD} {YT_READ}")).await;
    let s = session(&t, &token, 10, &resource("x")).await;
    let cases = [
        (FaultKind::ServerError, 503, "backendError", "backendError"),
        (
            FaultKind::RateLimited,
            403,
            "quotaExceeded",
            "rateLimitExceeded",
        ),
        (FaultKind::ExpiredToken, 401, "authError", "authError"),
        (
            FaultKind::MissingPermission,
            403,
            "insufficientPermissions",
            "insufficientPermissions",
        ),
    ];
    for (kind, init_status, init_reason, chunk_reason) in cases {
        t.sb.inject("youtube.upload_init", Fault::times(kind, 1))
            .unwrap();
        let res = open(&t, &token, 10, &resource("x")).await;
        assert_eq!(res.status.as_u16(), init_status, "{kind:?}");
        assert_eq!(res.json()["error"]["errors"][0]["reason"], init_reason);

        t.sb.inject("youtube.upload_chunk", Fault::times(kind, 1))
            .unwrap();
        let res = put_range(&t, &s, "bytes */10", Vec::new()).await;
        assert_eq!(res.json()["error"]["errors"][0]["reason"], chunk_reason);

        t.sb.inject("youtube.videos", Fault::times(kind, 1))
            .unwrap();
        let res = t
            .get_with(
                "/www.googleapis.com/youtube/v3/videos?part=id&id=x",
                &[bearer(&token)],
            )
            .await;
        assert_eq!(res.json()["error"]["errors"][0]["reason"], init_reason);
    }
    let res = put_range(&t, &s, "bytes */10", Vec::new()).await;
    assert_eq!(res.status, StatusCode::PERMANENT_REDIRECT);
}
