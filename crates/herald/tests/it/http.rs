//! The app over HTTP: pages, operations endpoints, headers and bad input.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::SystemClock;
use herald_jobs::{NewJob, Queue};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::helpers::{Backend, spawn_app, spawn_app_on};

const PAGES: [&str; 8] = [
    "/",
    "/privacy",
    "/terms",
    "/home",
    "/home/publishing",
    "/home/calendar",
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
    let user = app.signed_in("pages@example.com").await;
    for path in PAGES {
        if path.starts_with("/home") {
            // Signed out, the shell sends people to log in and back.
            let resp = app.get(path).await;
            assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
            let to = resp.headers()["location"].to_str().unwrap();
            assert_eq!(to, format!("/login?next={}", path), "{path}");
        }
        let resp = user.get(app.url(path)).send().await.unwrap();
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
        .get_with("/", &[("accept-language", "de-AT,de;q=0.9,en;q=0.5")])
        .await
        .text()
        .await
        .unwrap();
    assert!(de.contains("<html lang=\"de\""));

    let resp = app
        .submit(
            &app.client,
            "/language",
            &[("lang", "de"), ("next", "/home/calendar")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/home/calendar");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("herald_lang=de"), "{cookie}");
    let page = app
        .get_with(
            "/privacy",
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
        .submit(
            &app.client,
            "/language",
            &[("lang", "en"), ("next", "//evil.example/")],
        )
        .await;
    assert_eq!(resp.headers()["location"], "/");
    let resp = app
        .submit(&app.client, "/language", &[("lang", "xx"), ("next", "/")])
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
    // An opaque origin is refused unless Fetch Metadata says same-origin.
    let resp = app
        .post_form(
            "/language",
            &[("lang", "de"), ("next", "/")],
            &[("origin", "null")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // A form without its CSRF token, or with a wrong one, is refused.
    let resp = app
        .post_form("/language", &[("lang", "de"), ("next", "/")], &[])
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body: String = resp.text().await.unwrap();
    assert!(body.contains("Reload the page"), "{body}");
    let resp = app
        .post_form(
            "/language",
            &[("lang", "de"), ("next", "/"), ("_csrf", "forged")],
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("set-cookie").is_none());

    // With the token in the header, a body of the wrong type is still refused.
    let token = app.csrf_for(&app.client).await;
    let resp = app
        .client
        .post(app.url("/language"))
        .header("content-type", "application/json")
        .header("x-csrf-token", token)
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
    let ping = queue
        .enqueue_now(NewJob::of(&herald_jobs::system::Ping {}).unwrap())
        .await
        .unwrap()
        .id();
    let deadline = Instant::now() + Duration::from_secs(60);
    // A finished job is deleted (the hourly retention job stays queued).
    while queue.get(ping).await.unwrap().is_some() {
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
    let user = app.signed_in("pg-pages@example.com").await;
    for path in PAGES {
        let resp = user.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["checks"]["database"], "ok");
    let queue = Queue::new(app.db.clone(), Arc::new(SystemClock));
    let id = queue
        .enqueue_now(NewJob::of(&herald_jobs::system::Ping {}).unwrap())
        .await
        .unwrap()
        .id();
    let deadline = Instant::now() + Duration::from_secs(60);
    while queue.get(id).await.unwrap().is_some() {
        assert!(
            Instant::now() < deadline,
            "the worker ran the job (woken by NOTIFY)"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}

/// A mail like the accounts feature queues, with markup in the subject to
/// prove it is escaped.
fn dev_mail() -> herald_mail::NewMail {
    herald_mail::NewMail {
        kind: "verify_email",
        to: "ada@example.com".to_owned(),
        subject: "Confirm <b>your</b> address".to_owned(),
        text: "Hello,\n\nconfirm your address:\nhttps://herald.example/verify?token=abc&x=1\n"
            .to_owned(),
        html: "<p><a href=\"https://herald.example/verify?token=abc&amp;x=1\">Confirm</a></p>"
            .to_owned(),
    }
}

#[tokio::test]
async fn the_development_mailbox_shows_queued_mail_with_clickable_links() {
    let app = spawn_app().await;
    let resp = app.get("/dev/mailbox").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.text().await.unwrap();
    assert!(body.contains("No mail yet"), "the empty state: {body}");

    let queue = Queue::new(app.db.clone(), Arc::new(SystemClock));
    let mut tx = app.db.begin().await.unwrap();
    let id = herald_mail::enqueue(&mut tx, &queue, dev_mail())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let resp = app.get("/dev/mailbox").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert_security_headers(resp.headers(), "/dev/mailbox");
    let body = resp.text().await.unwrap();
    assert!(body.contains("ada@example.com"), "{body}");
    assert!(body.contains("verify_email"), "{body}");
    assert!(
        body.contains(&format!("href=\"/dev/mailbox/{id}\"")),
        "{body}"
    );
    assert!(
        body.contains("Confirm &#60;b&#62;your&#60;/b&#62; address"),
        "escaped: {body}"
    );
    assert!(!body.contains("<b>your</b>"), "{body}");

    let resp = app.get(&format!("/dev/mailbox/{id}")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body = resp.text().await.unwrap();
    assert!(
        body.contains(
            "<a href=\"https://herald.example/verify?token=abc&#38;x=1\" rel=\"noreferrer\">"
        ),
        "the link is clickable and escaped: {body}"
    );
    assert!(
        body.contains("&#60;p&#62;&#60;a href=") && !body.contains("<p><a href=\"https://"),
        "the HTML part is shown as escaped source: {body}"
    );
    assert!(!body.contains("style="), "no inline styles (CSP)");

    // The app's own worker delivers it to the development mailbox.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mail = herald_mail::get(&app.db, id).await.unwrap().unwrap();
        if mail.state == herald_mail::MailState::Sent {
            break;
        }
        assert!(Instant::now() < deadline, "the worker delivered the mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for missing in ["/dev/mailbox/999999", "/dev/mailbox/abc"] {
        assert_eq!(
            app.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_development_mailbox_is_not_found_in_production() {
    let test_db = herald_db::testing::TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let env = [
        ("HERALD_MODE", "production".to_owned()),
        ("HERALD_DATA_DIR", dir.path().to_str().unwrap().to_owned()),
        ("HERALD_DATABASE_URL", test_db.url.clone()),
        ("HERALD_LISTEN", addr.to_string()),
        ("HERALD_PUBLIC_URL", format!("http://{addr}")),
        ("HERALD_SESSION_SECRET", "x".repeat(48)),
        // Nothing listens there: the worker's attempt fails and is retried.
        ("HERALD_SMTP_URL", "smtp://127.0.0.1:9".to_owned()),
        ("HERALD_SHUTDOWN_GRACE_SECS", "1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = herald::config::Config::from_sources(None, &env).unwrap();
    let running = herald::app::start(config, Some(listener)).await.unwrap();
    let queue = Queue::new(running.db.clone(), Arc::new(SystemClock));
    let mut tx = running.db.begin().await.unwrap();
    let id = herald_mail::enqueue(&mut tx, &queue, dev_mail())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let client = reqwest::Client::new();
    for path in ["/dev/mailbox".to_owned(), format!("/dev/mailbox/{id}")] {
        let resp = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::NOT_FOUND,
            "{path} exists only in development"
        );
    }
    running.stop().await.unwrap();
}
