//! The media API over HTTP: uploads past the default body limit (but not
//! past the media limit), CSRF on uploads, the library's listing and
//! deletion, and the signed, session-less `/media/{id}` route with ranges.

use herald_db::on_pool;
use herald_media::isobmff::build;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

async fn workspace_of(app: &TestApp, email: &str) -> i64 {
    on_pool!(&app.db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT m.workspace_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1",
        )
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
    })
}

#[tokio::test]
async fn media_upload_listing_and_signed_ranges_over_http() {
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_MEDIA_MAX_BYTES", "3000000")]).await;
    let client = app.signed_in("mia@example.com").await;
    let ws = workspace_of(&app, "mia@example.com").await;
    let csrf = app.csrf_for(&client).await;
    let uploads = app.url(&format!("/api/workspaces/{ws}/media"));

    // Eight times the default body limit of the test app (64 KiB).
    let mp4 = build::mp4(720, 1280, 9_000, false, false, 512 << 10);
    let resp = client
        .post(format!("{uploads}?filename=clip.mp4"))
        .header("x-csrf-token", &csrf)
        .header("content-type", "video/mp4")
        .body(mp4.clone())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["kind"], "video");
    assert_eq!(body["mime"], "video/mp4");
    assert_eq!(body["size"], mp4.len());
    assert_eq!(body["duration_ms"], 9_000);
    assert_eq!(body["width"], 720);
    assert_eq!(body["filename"], "clip.mp4");
    assert_eq!(body["source"], "upload");
    assert_eq!(body["thumbnail_url"], Value::Null);
    let id = body["id"].as_str().unwrap().to_owned();
    let signed = body["url"].as_str().unwrap().to_owned();
    assert!(
        signed.starts_with(&format!("{}/media/{id}?exp=", app.base)),
        "{signed}"
    );

    // Uploads need the CSRF header, and form bodies are refused unread.
    let resp = client
        .post(&uploads)
        .body(mp4.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = client
        .post(&uploads)
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Past the media limit: 413 with the library's code.
    let resp = client
        .post(&uploads)
        .header("x-csrf-token", &csrf)
        .body(vec![0u8; 3_500_000])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Not an image or video.
    let resp = client
        .post(&uploads)
        .header("x-csrf-token", &csrf)
        .body("%PDF-1.7 and some more text")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "media_unsupported");

    let list: Value = client
        .get(&uploads)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["next"], Value::Null);

    // The signed URL works without any session, whole or in ranges.
    let anonymous = reqwest::Client::new();
    let resp = anonymous.get(&signed).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "video/mp4");
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    assert!(resp.headers().get("set-cookie").is_none());
    assert_eq!(resp.bytes().await.unwrap(), mp4);
    let resp = anonymous
        .get(&signed)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        resp.headers()["content-range"],
        format!("bytes 100-199/{}", mp4.len()).as_str()
    );
    assert_eq!(resp.headers()["content-length"], "100");
    assert_eq!(resp.bytes().await.unwrap(), mp4[100..200]);
    let resp = anonymous
        .get(&signed)
        .header("range", "bytes=999999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    // A changed signature or expiry is refused.
    let forged = signed.replace("&sig=", "&sig=00");
    assert_eq!(
        anonymous.get(&forged).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        anonymous
            .get(app.url(&format!("/media/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    // Another person sees nothing of this workspace.
    let other = app.signed_in("noa@example.com").await;
    assert_eq!(
        other
            .get(format!("{uploads}/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Without ffmpeg a video has no thumbnail; deleting hides the media.
    assert_eq!(
        client
            .get(format!("{uploads}/{id}/thumbnail"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let resp = client
        .delete(format!("{uploads}/{id}"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        client
            .get(format!("{uploads}/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}
