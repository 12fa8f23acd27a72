//! The app over HTTP: pages, operations endpoints, headers and bad input.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::SystemClock;
use herald_jobs::{NewJob, Queue};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::helpers::{Backend, spawn_app, spawn_app_on};

const PAGES: [&str; 10] = [
    "/",
    "/privacy",
    "/terms",
    "/home",
    "/home/publishing",
    "/home/calendar",
    "/home/content",
    "/home/analytics",
    "/home/webhooks",
    "/home/settings",
];

fn assert_security_headers(h: &HeaderMap, what: &str) {
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(
        h["referrer-policy"], "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert!(h.contains_key("x-request-id"), "{what}");
}

#[tokio::test]
async fn every_public_and_shell_page_renders_with_security_headers() {
    let app = spawn_app().await;
    for path in PAGES {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert!(
            resp.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_security_headers(resp.headers(), path);
        let body = resp.text().await.unwrap();
        assert!(body.contains("<html lang=\"en\""), "{path}");
        if path.starts_with("/home") {
            for link in [
                "/home/publishing",
                "/home/calendar",
                "/home/content",
                "/home/analytics",
                "/home/webhooks",
                "/home/settings",
            ] {
                assert!(
                    body.contains(&format!("href=\"{link}\"")),
                    "{path} links to {link}"
                );
            }
            assert!(
                body.contains("aria-current=\"page\""),
                "{path} marks the current item"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn static_assets_are_embedded_and_cacheable() {
    let app = spawn_app().await;
    let home = app.get("/").await.text().await.unwrap();
    let css = home
        .split('"')
        .find(|s| s.starts_with("/static/app.css?v="))
        .expect("the page links its versioned stylesheet")
        .replace("&amp;", "&");
    let resp = app.get(&css).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // Revalidation: the ETag answers 304; an outdated version is served
    // but not cached for good.
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let again = app.get_with(&css, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let stale = app.get("/static/app.css?v=0000").await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    assert_eq!(
        app.get("/static/nope.css").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn the_language_follows_accept_language_and_the_language_cookie() {
    let app = spawn_app().await;
    let de = app
        .get_with("/home", &[("accept-language", "de-AT,de;q=0.9,en;q=0.5")])
        .await
        .text()
        .await
        .unwrap();
    assert!(de.contains("<html lang=\"de\""));

    let resp = app
        .post_form(
            "/language",
            &[("lang", "de"), ("next", "/home/calendar")],
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/home/calendar");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("herald_lang=de"), "{cookie}");
    let page = app
        .get_with(
            "/home",
            &[("cookie", "herald_lang=de"), ("accept-language", "en")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<html lang=\"de\""),
        "the cookie wins over the header"
    );

    // No open redirect, and unknown languages are refused.
    let resp = app
        .post_form(
            "/language",
            &[("lang", "en"), ("next", "//evil.example/")],
            &[],
        )
        .await;
    assert_eq!(resp.headers()["location"], "/");
    let resp = app
        .post_form("/language", &[("lang", "xx"), ("next", "/")], &[])
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        resp.headers().get("set-cookie").is_none(),
        "bad input changes nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn request_ids_are_echoed_when_valid_and_generated_otherwise() {
    let app = spawn_app().await;
    let resp = app
        .get_with("/healthz", &[("x-request-id", "abc-123")])
        .await;
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let resp = app
        .get_with("/healthz", &[("x-request-id", "bad id with spaces")])
        .await;
    let id = resp.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "bad id with spaces");
    assert_eq!(id.len(), 36, "a generated UUID: {id}");
    app.stop().await;
}

#[tokio::test]
async fn errors_are_localised_pages_for_browsers_and_json_for_the_api() {
    let app = spawn_app().await;
    let resp = app.get("/no/such/page").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(
        resp.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_security_headers(resp.headers(), "404 page");
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = resp.text().await.unwrap();
    assert!(page.contains("href=\"/\""), "offers a way home");
    assert!(page.contains(&id), "quotes the request id for support");

    let resp = app.get("/api/nothing").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().len() > 10);

    let resp = app
        .get_with("/api/nothing", &[("accept-language", "de")])
        .await;
    let de: serde_json::Value = resp.json().await.unwrap();
    assert_ne!(
        de["error"]["message"], body["error"]["message"],
        "German copy"
    );

    let resp = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    app.stop().await;
}

#[tokio::test]
async fn oversized_bodies_and_cross_site_writes_are_refused() {
    let app = spawn_app().await;
    let big = "x".repeat(70_000);
    let resp = app
        .client
        .post(app.url("/language"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("lang=de&next={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let resp = app
        .post_form(
            "/language",
            &[("lang", "de"), ("next", "/")],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("set-cookie").is_none());
    let resp = app
        .post_form(
            "/language",
            &[("lang", "de"), ("next", "/")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let resp = app
        .client
        .post(app.url("/language"))
        .header("content-type", "application/json")
        .body("{\"lang\":\"de\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    app.stop().await;
}

#[tokio::test]
async fn health_readiness_and_metrics_report_the_truth() {
    let app = spawn_app().await;
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let resp = app.get("/readyz").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let ready: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(ready["checks"]["database"], "ok");

    let queue = Queue::new(app.db.clone(), Arc::new(SystemClock));
    queue
        .enqueue_now(NewJob::of(&herald_jobs::system::Ping {}).unwrap())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !queue.counts().await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the built-in worker ran the job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("herald_http_requests_total{"), "{metrics}");
    assert!(metrics.contains("route=\"/healthz\""), "{metrics}");
    assert!(
        metrics.contains("herald_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("herald_jobs_completed_total{queue=\"system\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("herald_job_lateness_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("herald_jobs{queue=\"system\",state=\"queued\"} 0"),
        "{metrics}"
    );

    // With the database gone, readiness says so (and liveness does not).
    app.db.close().await;
    let resp = app.get("/readyz").await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_serves_the_same_app_and_runs_its_jobs() {
    let app = spawn_app_on(Backend::Postgres).await;
    for path in PAGES {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["checks"]["database"], "ok");
    let queue = Queue::new(app.db.clone(), Arc::new(SystemClock));
    let id = queue
        .enqueue_now(NewJob::of(&herald_jobs::system::Ping {}).unwrap())
        .await
        .unwrap()
        .id();
    let deadline = Instant::now() + Duration::from_secs(20);
    while queue.get(id).await.unwrap().is_some() {
        assert!(
            Instant::now() < deadline,
            "the worker ran the job (woken by NOTIFY)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}
