//! Instagram content publishing and Facebook Page posts: container states,
//! limits, error codes, listings and faults. Media URLs point at a small
//! file server on loopback, which the simulator really downloads from.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use herald_sandbox::{Fault, FaultKind, MetaSurface, Platform};
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::helpers::*;

pub(crate) const FB_SCOPES: &str = "pages_show_list,pages_read_engagement,pages_manage_posts,instagram_basic,instagram_content_publish,instagram_manage_comments";
/// What commenting as a Page takes besides `pages_read_engagement`.
pub(crate) const COMMENT_SCOPES: &str = "pages_manage_engagement,pages_read_user_engagement";

// ------------------------------------------------------------- media files

fn jpeg(size: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    bytes.resize(size, 0x42);
    bytes
}

fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size, 0);
    bytes
}

fn mp4(size: usize) -> Vec<u8> {
    let mut bytes = vec![
        0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm',
    ];
    bytes.resize(size, 0x17);
    bytes
}

type Files = Arc<HashMap<String, Vec<u8>>>;

/// Files on `http://127.0.0.1:{port}/{name}`.
pub(crate) struct Media {
    base: String,
    server: JoinHandle<()>,
}

impl Drop for Media {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(State(files): State<Files>, Path(name): Path<String>) -> axum::response::Response {
    match files.get(&name) {
        Some(bytes) => bytes.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Media {
    pub(crate) async fn start() -> Media {
        let files: Files = Arc::new(HashMap::from([
            ("photo.jpg".to_owned(), jpeg(2_000)),
            ("second.jpg".to_owned(), jpeg(3_000)),
            ("drawing.png".to_owned(), png(1_500)),
            ("clip.mp4".to_owned(), mp4(50_000)),
        ]));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .route("/{name}", axum::routing::get(serve))
            .with_state(files);
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Media { base, server }
    }

    pub(crate) fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }
}

// ------------------------------------------------------------------ setup

/// A Page token of the Bakery Page, its Page id and Instagram account id.
pub(crate) struct Bakery {
    pub(crate) user_token: String,
    pub(crate) page_token: String,
    pub(crate) page: String,
    pub(crate) ig: String,
}

pub(crate) async fn bakery(t: &TestSandbox, scopes: &str) -> Bakery {
    let short = t.meta_login("demo", scopes, &["0", "1"]).await;
    // Long-lived, so Page tokens outlive the day-long clock moves below.
    let user_token = t.meta_long_lived(&short).await;
    let accounts = t
        .get_with(
            "/graph.facebook.com/v25.0/me/accounts?fields=id,access_token,instagram_business_account",
            &[bearer(&user_token)],
        )
        .await
        .json();
    let first = &accounts["data"][0];
    Bakery {
        page: first["id"].as_str().unwrap().to_owned(),
        page_token: first["access_token"].as_str().unwrap().to_owned(),
        ig: first["instagram_business_account"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        user_token,
    }
}

pub(crate) const FB: &str = "/graph.facebook.com/v25.0";
pub(crate) const IG: &str = "/graph.instagram.com/v25.0";

pub(crate) async fn post(t: &TestSandbox, path: &str, token: &str, pairs: &[(&str, &str)]) -> Resp {
    let mut all = vec![("access_token", token)];
    all.extend_from_slice(pairs);
    t.post_form(path, &form(&all)).await
}

pub(crate) async fn get(t: &TestSandbox, path: &str, token: &str) -> Resp {
    t.get_with(path, &[bearer(token)]).await
}

#[track_caller]
fn error_codes(res: &Resp) -> (Option<i64>, Option<i64>) {
    let e = &res.json()["error"];
    assert!(e.is_object(), "expected an error: {}", res.text());
    (e["code"].as_i64(), e["error_subcode"].as_i64())
}

#[track_caller]
pub(crate) fn ok(res: &Resp) -> Value {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

async fn create(
    t: &TestSandbox,
    base: &str,
    ig: &str,
    token: &str,
    pairs: &[(&str, &str)],
) -> String {
    let res = post(t, &format!("{base}/{ig}/media"), token, pairs).await;
    ok(&res)["id"].as_str().unwrap().to_owned()
}

async fn status(t: &TestSandbox, base: &str, container: &str, token: &str) -> Value {
    ok(&get(
        t,
        &format!("{base}/{container}?fields=status_code,status"),
        token,
    )
    .await)
}

/// Polls (with a real-time deadline) until the download behind
/// `container` is done: looks at the status ten minutes ahead (past any
/// processing time), then puts the clock back.
async fn until_fetched(t: &TestSandbox, base: &str, container: &str, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let now = t.clock_now();
    loop {
        t.advance(600);
        let body = status(t, base, container, token).await;
        t.clock.set(now);
        if body["status_code"] != "IN_PROGRESS" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "container {container} never finished downloading: {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Creates a container and waits for it to be FINISHED (or ERROR).
pub(crate) async fn ready(
    t: &TestSandbox,
    base: &str,
    ig: &str,
    token: &str,
    pairs: &[(&str, &str)],
) -> String {
    let id = create(t, base, ig, token, pairs).await;
    until_fetched(t, base, &id, token).await;
    t.advance(10);
    id
}

pub(crate) async fn publish(
    t: &TestSandbox,
    base: &str,
    ig: &str,
    token: &str,
    container: &str,
) -> Resp {
    post(
        t,
        &format!("{base}/{ig}/media_publish"),
        token,
        &[("creation_id", container)],
    )
    .await
}

// -------------------------------------------------------------- Instagram

#[tokio::test]
async fn an_image_container_finishes_then_publishes_once() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let photo = media.url("photo.jpg");
    let id = create(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[("image_url", &photo), ("caption", "Fresh bread")],
    )
    .await;
    assert_eq!(id.len(), 17, "{id}");
    assert_eq!(
        status(&t, FB, &id, &b.page_token).await["status_code"],
        "IN_PROGRESS"
    );

    // Publishing too early: 9007/2207027, HTTP 400.
    let res = publish(&t, FB, &b.ig, &b.page_token, &id).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_codes(&res), (Some(9007), Some(2207027)));
    assert_eq!(res.json()["error"]["message"], "Media ID is not available");

    until_fetched(&t, FB, &id, &b.page_token).await;
    assert_eq!(
        status(&t, FB, &id, &b.page_token).await["status_code"],
        "IN_PROGRESS",
        "processing takes 2 s"
    );
    t.advance(2);
    let body = status(&t, FB, &id, &b.page_token).await;
    assert_eq!(body["status_code"], "FINISHED", "{body}");

    let media_id = ok(&publish(&t, FB, &b.ig, &b.page_token, &id).await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status(&t, FB, &id, &b.page_token).await["status_code"],
        "PUBLISHED"
    );
    let published = t.sb.published_on(&b.ig);
    assert_eq!(published.len(), 1);
    let p = &published[0];
    assert_eq!(p.platform, Platform::Meta);
    assert_eq!(
        (p.id.as_str(), p.kind.as_str()),
        (media_id.as_str(), "image")
    );
    assert_eq!(p.caption, "Fresh bread");
    assert_eq!(p.media_sizes, [2_000]);
    assert!(
        p.permalink.starts_with("https://www.instagram.com/p/"),
        "{}",
        p.permalink
    );

    let node = ok(&get(
        &t,
        &format!("{FB}/{media_id}?fields=id,permalink,caption,media_type,timestamp"),
        &b.page_token,
    )
    .await);
    assert_eq!(node["permalink"], p.permalink.as_str());
    assert_eq!(node["media_type"], "IMAGE");
    assert_eq!(node["timestamp"], "2026-01-01T00:00:02+0000");

    // A second publish of the same container is refused.
    let res = publish(&t, FB, &b.ig, &b.page_token, &id).await;
    assert_eq!(error_codes(&res), (Some(9004), Some(2207008)));
    assert_eq!(t.sb.published_on(&b.ig).len(), 1);
}

#[tokio::test]
async fn media_listing_is_newest_first_with_cursors() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let photo = media.url("photo.jpg");
    let mut ids = Vec::new();
    for caption in ["one", "two", "three"] {
        let c = ready(
            &t,
            FB,
            &b.ig,
            &b.page_token,
            &[("image_url", &photo), ("caption", caption)],
        )
        .await;
        ids.push(
            ok(&publish(&t, FB, &b.ig, &b.page_token, &c).await)["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        t.advance(60);
    }
    let page1 = ok(&get(
        &t,
        &format!(
            "{FB}/{}/media?fields=id,caption,media_type,permalink,timestamp&limit=2",
            b.ig
        ),
        &b.page_token,
    )
    .await);
    let captions: Vec<&str> = page1["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["caption"].as_str().unwrap())
        .collect();
    assert_eq!(captions, ["three", "two"]);
    let next = page1["paging"]["next"].as_str().expect("a next page");
    let next = next.strip_prefix(BASE).unwrap();
    let page2 = ok(&t.get(next).await);
    assert_eq!(page2["data"][0]["id"], ids[0].as_str());
    // Then the account's seeded history, older than anything published.
    let older = page2["data"][1]["timestamp"].as_str().unwrap();
    assert!(older < "2026-01-01T00:00:00+0000", "{older}");
    assert!(page2["paging"]["next"].is_string());
    let published: Vec<String> = t.sb.published_on(&b.ig).into_iter().map(|p| p.id).collect();
    let listed = t.sb.meta_posts(MetaSurface::Instagram, &b.ig);
    assert_eq!(
        listed
            .iter()
            .take(3)
            .map(|p| p.id.clone())
            .collect::<Vec<_>>(),
        published.into_iter().rev().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_png_or_a_missing_file_ends_in_error_status() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let png = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[("image_url", &media.url("drawing.png"))],
    )
    .await;
    let body = status(&t, FB, &png, &b.page_token).await;
    assert_eq!(body["status_code"], "ERROR");
    assert!(
        body["status"]
            .as_str()
            .unwrap()
            .starts_with("ERROR: 2207005"),
        "{body}"
    );
    let res = publish(&t, FB, &b.ig, &b.page_token, &png).await;
    assert_eq!(error_codes(&res), (Some(100), Some(2207005)));

    let missing = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[("image_url", &media.url("nope.jpg"))],
    )
    .await;
    let body = status(&t, FB, &missing, &b.page_token).await;
    assert_eq!(body["status_code"], "ERROR");
    assert!(
        body["status"]
            .as_str()
            .unwrap()
            .starts_with("ERROR: 2207052"),
        "{body}"
    );
    assert!(t.sb.published().is_empty());
}

#[tokio::test]
async fn containers_expire_after_a_day() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let id = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[("image_url", &media.url("photo.jpg"))],
    )
    .await;
    t.advance(24 * 3600);
    assert_eq!(
        status(&t, FB, &id, &b.page_token).await["status_code"],
        "EXPIRED"
    );
    let res = publish(&t, FB, &b.ig, &b.page_token, &id).await;
    assert_eq!(error_codes(&res), (Some(-2), Some(2207020)));
}

#[tokio::test]
async fn a_carousel_takes_finished_children_and_counts_once() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let image = create(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("is_carousel_item", "true"),
            ("image_url", &media.url("photo.jpg")),
        ],
    )
    .await;
    let video = create(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("is_carousel_item", "true"),
            ("media_type", "VIDEO"),
            ("video_url", &media.url("clip.mp4")),
        ],
    )
    .await;
    let children = format!("{image},{video}");

    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[("media_type", "CAROUSEL"), ("children", &children)],
    )
    .await;
    assert_eq!(
        error_codes(&res),
        (Some(100), Some(2207028)),
        "children still in progress"
    );
    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[("media_type", "CAROUSEL"), ("children", &image)],
    )
    .await;
    assert_eq!(
        error_codes(&res),
        (Some(100), Some(2207028)),
        "one child is too few"
    );

    until_fetched(&t, FB, &image, &b.page_token).await;
    until_fetched(&t, FB, &video, &b.page_token).await;
    t.advance(2);
    assert_eq!(
        status(&t, FB, &video, &b.page_token).await["status_code"],
        "IN_PROGRESS",
        "videos take 10 s"
    );
    t.advance(8);
    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[
            ("media_type", "CAROUSEL"),
            ("children", &children),
            ("collaborators", "[\"someone\"]"),
        ],
    )
    .await;
    assert_eq!(error_codes(&res).0, Some(100));
    assert!(res.text().contains("collaborators"), "{}", res.text());

    let parent = create(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("media_type", "CAROUSEL"),
            ("children", &children),
            ("caption", "Both"),
        ],
    )
    .await;
    t.advance(2);
    assert_eq!(
        status(&t, FB, &parent, &b.page_token).await["status_code"],
        "FINISHED"
    );
    let res = publish(&t, FB, &b.ig, &b.page_token, &image).await;
    assert_eq!(
        error_codes(&res),
        (Some(100), Some(2207028)),
        "items are not published alone"
    );
    ok(&publish(&t, FB, &b.ig, &b.page_token, &parent).await);
    let published = t.sb.published_on(&b.ig);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].kind, "carousel");
    assert_eq!(published[0].media_sizes, [2_000, 50_000]);
    assert_eq!(
        status(&t, FB, &image, &b.page_token).await["status_code"],
        "PUBLISHED"
    );
    let quota = ok(&get(
        &t,
        &format!(
            "{FB}/{}/content_publishing_limit?fields=quota_usage,config",
            b.ig
        ),
        &b.page_token,
    )
    .await);
    assert_eq!(quota["data"][0]["quota_usage"], 1);
    assert_eq!(quota["data"][0]["config"]["quota_total"], 50);
    assert_eq!(quota["data"][0]["config"]["quota_duration"], 86_400);
}

#[tokio::test]
async fn reels_and_stories_get_their_permalinks() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let reel = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("media_type", "REELS"),
            ("video_url", &media.url("clip.mp4")),
            ("caption", "Watch"),
            ("share_to_feed", "true"),
            ("thumb_offset", "1000"),
        ],
    )
    .await;
    ok(&publish(&t, FB, &b.ig, &b.page_token, &reel).await);
    let story = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("media_type", "STORIES"),
            ("image_url", &media.url("photo.jpg")),
        ],
    )
    .await;
    let story_id = ok(&publish(&t, FB, &b.ig, &b.page_token, &story).await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = t.sb.published_on(&b.ig);
    assert_eq!(published[0].kind, "reel");
    assert!(
        published[0]
            .permalink
            .starts_with("https://www.instagram.com/reel/")
    );
    assert_eq!(published[1].kind, "story");
    assert_eq!(
        published[1].permalink,
        format!("https://www.instagram.com/stories/demo.bakery/{story_id}/")
    );
    // Stories are listed apart from the feed.
    let feed = ok(&get(
        &t,
        &format!("{FB}/{}/media?fields=id,media_product_type", b.ig),
        &b.page_token,
    )
    .await);
    // The reel, then the seeded history (no stories).
    assert_eq!(feed["data"][0]["id"], published[0].id.as_str());
    assert_eq!(feed["data"][0]["media_product_type"], "REELS");
    assert!(
        feed["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["media_product_type"] != "STORY" && m["id"] != story_id.as_str())
    );
    let stories = ok(&get(
        &t,
        &format!("{FB}/{}/stories?fields=id", b.ig),
        &b.page_token,
    )
    .await);
    assert_eq!(stories["data"][0]["id"], story_id.as_str());

    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[
            ("media_type", "VIDEO"),
            ("video_url", &media.url("clip.mp4")),
        ],
    )
    .await;
    assert_eq!(
        error_codes(&res),
        (Some(100), Some(2207023)),
        "single VIDEO is legacy"
    );
}

#[tokio::test]
async fn the_daily_publishing_limit_and_container_limit_hold() {
    let t = TestSandbox::with(|c| {
        c.limits.instagram_publishes_per_day = 2;
        c.limits.instagram_containers_per_day = 4;
    });
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let photo = media.url("photo.jpg");
    for _ in 0..2 {
        let c = ready(&t, FB, &b.ig, &b.page_token, &[("image_url", &photo)]).await;
        ok(&publish(&t, FB, &b.ig, &b.page_token, &c).await);
    }
    let third = ready(&t, FB, &b.ig, &b.page_token, &[("image_url", &photo)]).await;
    let res = publish(&t, FB, &b.ig, &b.page_token, &third).await;
    assert_eq!(error_codes(&res), (Some(9), Some(2207042)));
    let quota = ok(&get(
        &t,
        &format!("{FB}/{}/content_publishing_limit", b.ig),
        &b.page_token,
    )
    .await);
    assert_eq!(quota["data"][0]["quota_usage"], 2);
    assert!(
        quota["data"][0].get("config").is_none(),
        "quota_usage is the default field"
    );

    create(&t, FB, &b.ig, &b.page_token, &[("image_url", &photo)]).await;
    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[("image_url", &photo)],
    )
    .await;
    assert_eq!(
        error_codes(&res),
        (Some(9), None),
        "the fifth container of the day"
    );

    // A day later both windows have room again.
    t.advance(24 * 3600);
    let again = ready(&t, FB, &b.ig, &b.page_token, &[("image_url", &photo)]).await;
    ok(&publish(&t, FB, &b.ig, &b.page_token, &again).await);
    assert_eq!(t.sb.published_on(&b.ig).len(), 3);
}

#[tokio::test]
async fn publishing_needs_the_right_token_and_scope() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, "pages_show_list,pages_read_engagement,instagram_basic").await;
    let photo = media.url("photo.jpg");
    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[("image_url", &photo)],
    )
    .await;
    assert_eq!(error_codes(&res), (Some(10), None));

    let t = TestSandbox::new();
    let b = bakery(&t, FB_SCOPES).await;
    // The manager's user token works too; the Studio Page's token does not.
    create(&t, FB, &b.ig, &b.user_token, &[("image_url", &photo)]).await;
    let accounts = get(
        &t,
        &format!("{FB}/me/accounts?fields=id,access_token"),
        &b.user_token,
    )
    .await
    .json();
    let studio_token = accounts["data"][1]["access_token"].as_str().unwrap();
    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        studio_token,
        &[("image_url", &photo)],
    )
    .await;
    assert_eq!(error_codes(&res), (Some(100), Some(33)));
    let long = "x".repeat(2_201);
    let res = post(
        &t,
        &format!("{FB}/{}/media", b.ig),
        &b.page_token,
        &[("image_url", &photo), ("caption", &long)],
    )
    .await;
    assert_eq!(error_codes(&res), (Some(100), Some(2207010)));
}

#[tokio::test]
async fn comments_are_posted_and_listed_newest_first() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let c = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[("image_url", &media.url("photo.jpg"))],
    )
    .await;
    let media_id = ok(&publish(&t, FB, &b.ig, &b.page_token, &c).await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = ok(&post(
        &t,
        &format!("{FB}/{media_id}/comments"),
        &b.page_token,
        &[("message", "first!")],
    )
    .await);
    t.advance(5);
    ok(&post(
        &t,
        &format!("{FB}/{media_id}/comments"),
        &b.page_token,
        &[("message", "second")],
    )
    .await);
    let list = ok(&get(
        &t,
        &format!("{FB}/{media_id}/comments?fields=id,text,timestamp"),
        &b.page_token,
    )
    .await);
    let texts: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["second", "first!"]);
    assert_eq!(list["data"][1]["id"], first["id"]);
    let node = ok(&get(
        &t,
        &format!("{FB}/{media_id}?fields=comments_count"),
        &b.page_token,
    )
    .await);
    // The two written here, on top of the simulated audience's.
    let insights =
        t.sb.meta_post_insights(MetaSurface::Instagram, &b.ig, &media_id)
            .unwrap();
    assert_eq!(node["comments_count"], insights["comments"]);
    assert!(insights["comments"] >= 2);
}

/// Instagram Login: a long-lived token for the demo user's account.
pub(crate) async fn instagram_login(t: &TestSandbox) -> (String, String) {
    instagram_login_with(t, &["instagram_business_manage_comments"]).await
}

/// Instagram Login with `extra` scopes on top of basic and publishing, all
/// granted.
pub(crate) async fn instagram_login_with(t: &TestSandbox, extra: &[&str]) -> (String, String) {
    let app = t.sb.config().instagram.clone();
    let mut scopes = vec![
        "instagram_business_basic",
        "instagram_business_content_publish",
    ];
    scopes.extend_from_slice(extra);
    let scope = scopes.join(",");
    let mut grants = vec![("decision", "allow")];
    grants.extend(scopes.iter().skip(1).map(|s| ("grant", *s)));
    let authorize = format!(
        "/www.instagram.com/oauth/authorize?{}",
        form(&[
            ("client_id", &app.client_id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", &scope),
            ("state", "s"),
        ])
    );
    let redirect = t.consent(&authorize, &grants).await.location();
    let code = query_of(&redirect)["code"].clone();
    let res = t
        .post_form(
            "/api.instagram.com/oauth/access_token",
            &form(&[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
                ("code", &code),
            ]),
        )
        .await;
    let token = ok(&res)["data"][0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = ok(&get(t, &format!("{IG}/me?fields=user_id"), &token).await);
    (token, me["user_id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn instagram_login_tokens_publish_on_graph_instagram_com() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let (token, ig) = instagram_login(&t).await;
    let c = ready(
        &t,
        IG,
        &ig,
        &token,
        &[("image_url", &media.url("photo.jpg")), ("caption", "hi")],
    )
    .await;
    assert_eq!(status(&t, IG, &c, &token).await["status_code"], "FINISHED");
    let media_id = ok(&publish(&t, IG, &ig, &token, &c).await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = t.sb.published_on(&ig);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].platform, Platform::Instagram);
    let listed = ok(&get(&t, &format!("{IG}/me/media?fields=id,caption"), &token).await);
    assert_eq!(listed["data"][0]["id"], media_id.as_str());
    ok(&post(
        &t,
        &format!("{IG}/{media_id}/comments"),
        &token,
        &[("message", "hello")],
    )
    .await);

    // A Facebook Login Page token is not an Instagram Login token.
    let b = bakery(&t, FB_SCOPES).await;
    assert_eq!(b.ig, ig, "the same professional account");
    let res = get(&t, &format!("{IG}/{media_id}?fields=id"), &b.page_token).await;
    assert_eq!(error_codes(&res).0, Some(190));
    // But the same account's media is readable through graph.facebook.com.
    ok(&get(
        &t,
        &format!("{FB}/{media_id}?fields=permalink"),
        &b.page_token,
    )
    .await);
}

#[tokio::test]
async fn faults_on_publishing_endpoints_have_the_graph_shape() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let c = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[("image_url", &media.url("photo.jpg"))],
    )
    .await;

    t.sb.inject(
        "instagram.media_publish",
        Fault::times(FaultKind::ServerError, 1),
    )
    .unwrap();
    let res = publish(&t, FB, &b.ig, &b.page_token, &c).await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.json()["error"]["is_transient"], true);
    assert!(
        t.sb.published().is_empty(),
        "a server error publishes nothing"
    );

    t.sb.inject(
        "instagram.media_publish",
        Fault::times(FaultKind::RateLimited, 1),
    )
    .unwrap();
    let res = publish(&t, FB, &b.ig, &b.page_token, &c).await;
    assert_eq!(error_codes(&res).0, Some(80002));
    assert!(
        res.header_json("x-business-use-case-usage")[&b.ig][0]["call_count"]
            .as_u64()
            .unwrap()
            >= 100
    );

    for (kind, codes) in [
        (FaultKind::ExpiredToken, (Some(190), Some(463))),
        (FaultKind::RevokedToken, (Some(190), Some(460))),
        (FaultKind::MissingPermission, (Some(10), None)),
    ] {
        t.sb.inject("instagram.container_status", Fault::times(kind, 1))
            .unwrap();
        let res = get(&t, &format!("{FB}/{c}?fields=status_code"), &b.page_token).await;
        assert_eq!(error_codes(&res), codes, "{kind:?}");
    }
    t.sb.inject("facebook.feed", Fault::times(FaultKind::RateLimited, 1))
        .unwrap();
    let res = post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[("message", "hi")],
    )
    .await;
    assert_eq!(error_codes(&res).0, Some(32));
    t.sb.inject(
        "facebook.feed",
        Fault::times(FaultKind::MissingPermission, 1),
    )
    .unwrap();
    let res = post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[("message", "hi")],
    )
    .await;
    assert_eq!(error_codes(&res).0, Some(200));
    assert!(t.sb.published().is_empty());

    ok(&publish(&t, FB, &b.ig, &b.page_token, &c).await);
    assert_eq!(t.sb.calls("instagram.media_publish"), 3);
}

// ------------------------------------------------------------------ Pages

#[tokio::test]
async fn page_text_posts_go_to_the_feed() {
    let t = TestSandbox::new();
    let b = bakery(&t, &format!("{FB_SCOPES},{COMMENT_SCOPES}")).await;
    let res = post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[
            ("message", "Open today"),
            ("link", "https://bakery.example/"),
        ],
    )
    .await;
    let id = ok(&res)["id"].as_str().unwrap().to_owned();
    let (page, number) = id.split_once('_').unwrap();
    assert_eq!(page, b.page);
    t.advance(30);
    ok(&post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[("message", "Closed tomorrow")],
    )
    .await);
    let feed = ok(&get(
        &t,
        &format!(
            "{FB}/{}/feed?fields=id,message,created_time,permalink_url&limit=10&since={}",
            b.page, 1_767_225_600
        ),
        &b.page_token,
    )
    .await);
    let messages: Vec<&str> = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["Closed tomorrow", "Open today"]);
    let node = ok(&get(
        &t,
        &format!("{FB}/{id}?fields=id,message,permalink_url,created_time"),
        &b.page_token,
    )
    .await);
    let permalink = format!("https://www.facebook.com/{}/posts/{number}", b.page);
    assert_eq!(node["permalink_url"], permalink.as_str());
    assert_eq!(node["created_time"], "2026-01-01T00:00:00+0000");
    let published = t.sb.published_on(&b.page);
    assert_eq!(published.len(), 2);
    assert_eq!(
        (published[0].kind.as_str(), published[0].permalink.as_str()),
        ("feed", permalink.as_str())
    );

    let res = post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.user_token,
        &[("message", "as me")],
    )
    .await;
    assert_eq!(
        error_codes(&res).0,
        Some(200),
        "a user token cannot post as the Page"
    );
    let res = post(&t, &format!("{FB}/{}/feed", b.page), &b.page_token, &[]).await;
    assert_eq!(error_codes(&res).0, Some(100));

    let comment = ok(&post(
        &t,
        &format!("{FB}/{id}/comments"),
        &b.page_token,
        &[("message", "See you")],
    )
    .await);
    assert!(comment["id"].as_str().unwrap().starts_with(number));
    let comments = ok(&get(
        &t,
        &format!("{FB}/{id}/comments?fields=id,message,created_time"),
        &b.page_token,
    )
    .await);
    assert_eq!(comments["data"][0]["message"], "See you");
}

#[tokio::test]
async fn page_comments_are_refused_without_the_engagement_permissions() {
    let t = TestSandbox::new();
    // Publishing's permissions only: the post goes up, its comment not.
    let b = bakery(&t, FB_SCOPES).await;
    let id = ok(&post(
        &t,
        &format!("{FB}/{}/feed", b.page),
        &b.page_token,
        &[("message", "Open today")],
    )
    .await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let comment = |token: String| {
        let t = &t;
        let path = format!("{FB}/{id}/comments");
        async move { post(t, &path, &token, &[("message", "See you")]).await }
    };
    let res = comment(b.page_token.clone()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let error = &res.json()["error"];
    assert_eq!(error["code"], 200);
    assert_eq!(error["type"], "OAuthException");
    assert_eq!(
        error["message"],
        "(#200) You do not have sufficient permissions to perform this action"
    );
    // One of the two is not enough either.
    let half = bakery(&t, &format!("{FB_SCOPES},pages_manage_engagement")).await;
    assert_eq!(error_codes(&comment(half.page_token).await).0, Some(200));
    let listed = ok(&get(&t, &format!("{FB}/{id}/comments"), &b.page_token).await);
    assert_eq!(listed["data"], serde_json::json!([]), "nothing was created");

    // Granted again with both: the Page comments.
    let both = bakery(&t, &format!("{FB_SCOPES},{COMMENT_SCOPES}")).await;
    let made = ok(&comment(both.page_token.clone()).await);
    assert!(made["id"].is_string());
}

#[tokio::test]
async fn page_photos_are_downloaded_and_checked() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let res = post(
        &t,
        &format!("{FB}/{}/photos", b.page),
        &b.page_token,
        &[("url", &media.url("drawing.png")), ("caption", "Sketch")],
    )
    .await;
    let body = ok(&res);
    let post_id = body["post_id"].as_str().unwrap();
    assert!(post_id.starts_with(&format!("{}_", b.page)));
    let published = t.sb.published_on(&b.page);
    assert_eq!(
        (
            published[0].kind.as_str(),
            published[0].media_sizes.as_slice()
        ),
        ("photo", [1_500u64].as_slice())
    );
    assert_eq!(published[0].caption, "Sketch");
    let photo = ok(&get(
        &t,
        &format!(
            "{FB}/{}?fields=id,name,page_story_id",
            body["id"].as_str().unwrap()
        ),
        &b.page_token,
    )
    .await);
    assert_eq!(photo["page_story_id"], post_id);

    let res = post(
        &t,
        &format!("{FB}/{}/photos", b.page),
        &b.page_token,
        &[("url", &media.url("clip.mp4"))],
    )
    .await;
    assert_eq!(error_codes(&res).0, Some(324));
    let res = post(
        &t,
        &format!("{FB}/{}/photos", b.page),
        &b.page_token,
        &[("url", &media.url("gone.jpg"))],
    )
    .await;
    assert_eq!(error_codes(&res).0, Some(324));
    assert_eq!(t.sb.published_on(&b.page).len(), 1);
}

#[tokio::test]
async fn page_videos_go_up_when_processed() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery(&t, FB_SCOPES).await;
    let res = post(
        &t,
        &format!("/graph-video.facebook.com/v25.0/{}/videos", b.page),
        &b.page_token,
        &[
            ("file_url", &media.url("clip.mp4")),
            ("description", "Tour"),
            ("title", "Bakery tour"),
        ],
    )
    .await;
    let video = ok(&res)["id"].as_str().unwrap().to_owned();
    let path = format!("{FB}/{video}?fields=status,permalink_url,post_id");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let body = ok(&get(&t, &path, &b.page_token).await);
        assert_eq!(body["status"]["video_status"], "processing");
        if body["status"]["uploading_phase"]["status"] == "complete" {
            break;
        }
        assert!(Instant::now() < deadline, "the download never finished");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let listed = ok(&get(
        &t,
        &format!("{FB}/{}/videos?fields=id,description,created_time", b.page),
        &b.page_token,
    )
    .await);
    assert_eq!(listed["data"][0]["id"], video.as_str());
    assert!(t.sb.published().is_empty(), "not visible while processing");
    t.advance(10);
    let body = ok(&get(&t, &path, &b.page_token).await);
    assert_eq!(body["status"]["video_status"], "ready");
    let post_id = format!("{}_{video}", b.page);
    assert_eq!(body["post_id"], post_id.as_str());
    let published = t.sb.published_on(&b.page);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].title.as_deref(), Some("Bakery tour"));
    assert_eq!(published[0].media_sizes, [50_000]);
    assert_eq!(body["permalink_url"], published[0].permalink.as_str());
    let feed = ok(&get(
        &t,
        &format!("{FB}/{}/feed?fields=id,message", b.page),
        &b.page_token,
    )
    .await);
    assert_eq!(feed["data"][0]["id"], post_id.as_str());
    ok(&get(&t, &format!("{FB}/{video}?fields=status"), &b.page_token).await);
    assert_eq!(t.sb.published().len(), 1, "recorded once");

    let res = post(
        &t,
        &format!("/graph-video.facebook.com/v25.0/{}/videos", b.page),
        &b.page_token,
        &[("file_url", &media.url("photo.jpg"))],
    )
    .await;
    let bad = ok(&res)["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let body = ok(&get(&t, &format!("{FB}/{bad}?fields=status"), &b.page_token).await);
        if body["status"]["video_status"] == "error" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the bad video never failed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
