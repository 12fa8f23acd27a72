//! A production deployment tried as an attacker would: no sandbox unless
//! it is turned on, no secret anyone can read in the source, each Meta
//! app's signatures only on its own routes, and no request body read
//! before the request is allowed.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use herald_db::on_pool;
use herald_webhooks::signature::{MetaSecrets, make_signed_request};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;
use crate::webhooks::{comment, sandbox_secret};

/// The secrets the sandbox's apps had when they were constants in the
/// source: anyone could sign with them.
const OLD_PUBLIC_SECRETS: [&str; 4] = [
    "sandbox-meta-secret",
    "sandbox-instagram-secret",
    "sandbox-tiktok-secret",
    "sandbox-google-secret",
];

const META_APP_SECRET: &str = "the real facebook app secret";
const INSTAGRAM_APP_SECRET: &str = "the real instagram app secret";

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    on_pool!(&app.db, |pool| {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

fn sandbox_secret_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(app.data_dir.join("secrets"))
        .map(|dir| {
            dir.filter_map(std::result::Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("sandbox-"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn production_serves_no_sandbox_and_trusts_no_sandbox_secret_unless_turned_on() {
    let app = spawn_production_app(&[]).await;
    for path in ["/sandbox/", "/sandbox/_admin/state"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert!(sandbox_secret_files(&app).is_empty(), "nothing generated");
    // No app is configured and the sandbox is off: nothing verifies, not
    // even the secrets that used to be written in the source.
    let body = comment("17841400000000001", "c-1", "hi");
    for secret in OLD_PUBLIC_SECRETS {
        let sig = MetaSecrets::new([secret]).sign(body.as_bytes()).unwrap();
        for path in ["/webhooks/meta", "/webhooks/instagram"] {
            let resp = post_signed(&app, path, &body, &sig).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path} {secret}");
        }
    }
    assert_eq!(count(&app, "webhook_deliveries").await, 0);
    let landing = app.get("/").await.text().await.unwrap();
    assert!(!landing.contains("built-in sandbox is on"));
    app.stop().await;
}

#[tokio::test]
async fn production_with_the_sandbox_turned_on_says_so_and_keeps_its_admin_api_off() {
    let app = spawn_production_app(&[("HERALD_SANDBOX", "on")]).await;
    // The simulators answer, their admin API does not.
    let index = app.get("/sandbox/").await;
    assert_eq!(index.status(), StatusCode::OK);
    let html = index.text().await.unwrap();
    assert!(!html.contains("/_admin/faults"), "no fault forms");
    assert!(html.contains("admin API"), "it says why");
    for path in ["/sandbox/_admin/state", "/sandbox/_admin/webhooks"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "/sandbox/_admin/faults",
        "/sandbox/_admin/revoke",
        "/sandbox/_admin/webhooks/send",
        "/sandbox/_admin/meta/deauthorize",
    ] {
        let resp = app
            .client
            .post(app.url(path))
            .json(&json!({"endpoint": "meta.me", "kind": "server_error"}))
            .send()
            .await
            .unwrap();
        assert!(
            resp.status() == StatusCode::NOT_FOUND || resp.status() == StatusCode::FORBIDDEN,
            "{path}: {}",
            resp.status()
        );
    }
    // Every page carries the banner.
    for path in ["/", "/login", "/privacy"] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(html.contains("built-in sandbox is on"), "{path}");
    }
    // Its app secrets are this install's own: random, in the data folder.
    assert_eq!(
        sandbox_secret_files(&app),
        [
            "sandbox-ai-secret",
            "sandbox-google-secret",
            "sandbox-instagram-secret",
            "sandbox-meta-secret",
            "sandbox-tiktok-secret"
        ]
    );
    for name in ["ai", "meta", "instagram", "tiktok", "google"] {
        let path = app
            .data_dir
            .join("secrets")
            .join(format!("sandbox-{name}-secret"));
        let secret = std::fs::read_to_string(&path).unwrap();
        let secret = secret.trim();
        assert_eq!(secret.len(), 64, "{name}");
        assert!(!OLD_PUBLIC_SECRETS.contains(&secret));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{name} is readable by its owner only");
    }
    // The old constants no longer sign anything.
    let body = comment("17841400000000001", "c-1", "hi");
    let sig = MetaSecrets::new([OLD_PUBLIC_SECRETS[0]])
        .sign(body.as_bytes())
        .unwrap();
    let resp = post_signed(&app, "/webhooks/meta", &body, &sig).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn development_keeps_the_sandbox_admin_api() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/sandbox/_admin/state").await.status(),
        StatusCode::OK
    );
    assert!(
        !app.get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("built-in sandbox is on")
    );
    app.stop().await;
}

async fn post_signed(app: &TestApp, path: &str, body: &str, signature: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn post_callback(app: &TestApp, path: &str, signed_request: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(path))
        .form(&[("signed_request", signed_request)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_real_apps_sandbox_and_cross_app_signatures_are_refused_and_change_nothing() {
    let app = spawn_production_app(&[
        ("HERALD_META_APP_ID", "1234567890"),
        ("HERALD_META_APP_SECRET", META_APP_SECRET),
        ("HERALD_INSTAGRAM_APP_ID", "9876543210"),
        ("HERALD_INSTAGRAM_APP_SECRET", INSTAGRAM_APP_SECRET),
        // TikTok and YouTube use the sandbox: its secrets exist.
        ("HERALD_SANDBOX", "on"),
    ])
    .await;
    let mut foreign: Vec<(String, MetaSecrets)> = ["meta", "instagram", "tiktok", "google"]
        .into_iter()
        .map(|name| (format!("sandbox {name}"), sandbox_secret(&app, name)))
        .collect();
    foreign.extend(
        OLD_PUBLIC_SECRETS
            .into_iter()
            .map(|s| (format!("constant {s}"), MetaSecrets::new([s]))),
    );
    let routes = [
        ("/webhooks/meta", META_APP_SECRET, INSTAGRAM_APP_SECRET),
        ("/webhooks/instagram", INSTAGRAM_APP_SECRET, META_APP_SECRET),
    ];
    let person = json!({"algorithm": "HMAC-SHA256", "user_id": "218471", "issued_at": 1});
    let mut stored = 0;
    for (route, own, other) in routes {
        let body = comment("17841400000000001", route, "hi");
        let mut refused = foreign.clone();
        refused.push(("the other app".to_owned(), MetaSecrets::new([other])));
        for (what, secrets) in &refused {
            let sig = secrets.sign(body.as_bytes()).unwrap();
            let resp = post_signed(&app, route, &body, &sig).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{route}: {what}");
            let signed = make_signed_request(secrets, &person).unwrap();
            for callback in ["deauthorize", "data-deletion"] {
                let path = format!("{route}/{callback}");
                let resp = post_callback(&app, &path, &signed).await;
                assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}: {what}");
            }
        }
        assert_eq!(count(&app, "webhook_deliveries").await, stored);
        assert_eq!(count(&app, "data_deletion_requests").await, 0);
        // The app's own secret works on its own route.
        let sig = MetaSecrets::new([own]).sign(body.as_bytes()).unwrap();
        let resp = post_signed(&app, route, &body, &sig).await;
        assert_eq!(resp.status(), StatusCode::OK, "{route}");
        stored += 1;
        assert_eq!(count(&app, "webhook_deliveries").await, stored);
    }
    app.stop().await;
}

// ------------------------------------------------ bodies read only when allowed

/// Sends `path` a form body that does not end (chunked, so no declared
/// length lets a limit refuse it up front) and returns the status the
/// server answered with, and how long it took; `None` when no answer came
/// before `limit`.
async fn endless_form(
    addr: &str,
    path: &str,
    cookie: Option<&str>,
    limit: Duration,
) -> Option<(u16, Duration)> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let started = Instant::now();
    writer.write_all(head.as_bytes()).await.unwrap();
    let feed = tokio::spawn(async move {
        let mut chunk = b"10000\r\n".to_vec();
        chunk.extend(std::iter::repeat_n(b'a', 0x10000));
        chunk.extend_from_slice(b"\r\n");
        let mut sent = 0u64;
        // Until the server stops reading (it answered and closed), or
        // 1 GiB: a server that reads it all is caught by the memory check.
        while sent < (1u64 << 30) {
            if writer.write_all(&chunk).await.is_err() {
                break;
            }
            sent += chunk.len() as u64;
        }
    });
    let answer = tokio::time::timeout(limit, async {
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !got.windows(2).any(|w| w == b"\r\n") {
            let n = reader.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&got).into_owned();
        line.split_whitespace().nth(1)?.parse::<u16>().ok()
    })
    .await
    .ok()
    .flatten();
    feed.abort();
    answer.map(|status| (status, started.elapsed()))
}

/// The anonymous CSRF cookie a browser has after its first page.
async fn anonymous_cookie(app: &TestApp) -> String {
    let resp = reqwest::Client::new()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    let set = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.contains("csrf"))
        .expect("an anonymous CSRF cookie");
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_endless_form_body_is_answered_without_being_read() {
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let cookie = anonymous_cookie(&app).await;
    // A generous deadline: a server that read the body would never answer.
    let limit = Duration::from_secs(60);
    for (path, cookie, want) in [
        // The upload route refuses a form body before anything else.
        ("/api/workspaces/1/media", None, 415),
        // No cookie: no token could be right, so nothing is read.
        ("/login", None, 403),
        ("/api/posts", None, 403),
        // The upload route refuses a form body before the CSRF check.
        ("/api/workspaces/1/media", Some(cookie.as_str()), 415),
        // Elsewhere a form is read up to 64 KiB, then refused.
        ("/login", Some(cookie.as_str()), 413),
    ] {
        let (status, took) = endless_form(&addr, path, cookie, limit)
            .await
            .unwrap_or_else(|| panic!("{path} (cookie: {}) never answered", cookie.is_some()));
        assert_eq!(status, want, "{path} (cookie: {})", cookie.is_some());
        eprintln!(
            "{path} with cookie {}: {status} after {took:?}",
            cookie.is_some()
        );
    }
    app.stop().await;
}

/// Whether `/healthz` answers 200 (plain HTTP over a socket: this test
/// runs no app in its own process).
async fn healthy(addr: &str) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer.starts_with(b"HTTP/1.1 200")
}

/// Resident memory of `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

#[tokio::test]
async fn eight_endless_form_uploads_at_once_leave_memory_flat() {
    // A process of its own, so its memory is only what these requests cost.
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let env: BTreeMap<&str, String> = [
        ("HERALD_DATA_DIR", dir.path().display().to_string()),
        ("HERALD_LISTEN", addr.clone()),
        ("HERALD_LOG", "warn".to_owned()),
        ("HERALD_SHUTDOWN_GRACE_SECS", "1".to_owned()),
    ]
    .into_iter()
    .collect();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("serve")
        .env_clear()
        .envs(&env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !healthy(&addr).await {
        assert!(Instant::now() < deadline, "herald serve did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = rss_kib(pid);
    let requests: Vec<_> = (0..8)
        .map(|_| {
            let addr = addr.clone();
            tokio::spawn(async move {
                endless_form(
                    &addr,
                    "/api/workspaces/1/media",
                    None,
                    Duration::from_secs(60),
                )
                .await
            })
        })
        .collect();
    for r in requests {
        let (status, _) = r.await.unwrap().expect("an answer");
        assert_eq!(status, 415);
    }
    let after = rss_kib(pid);
    eprintln!("RSS before {before} KiB, after 8 endless uploads {after} KiB");
    // Reading the bodies would cost hundreds of MiB; a few MiB is noise.
    assert!(
        after < before + 32 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    child.kill().await.unwrap();
}

// ------------------------------------------------ expensive work after cheap checks

async fn audit_ips(app: &TestApp, action: &str) -> Vec<Option<String>> {
    on_pool!(&app.db, |pool| {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT ip FROM audit_events WHERE action = $1 ORDER BY id",
        )
        .bind(action)
        .fetch_all(pool)
        .await
        .unwrap()
    })
}

#[tokio::test]
async fn a_reset_with_a_wrong_token_is_refused_before_the_password_is_looked_at_and_is_rate_limited()
 {
    let app = spawn_app().await;
    let client = new_client();
    // A wrong token with a weak password: the token is what is wrong (the
    // password was never checked, let alone hashed).
    let resp = app
        .submit(
            &client,
            "/reset-password",
            &[("token", "not-a-token"), ("password", "weak")],
        )
        .await;
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("invalid") || html.contains("expired"),
        "the token is refused first: {html}"
    );
    assert!(!html.contains("too weak"), "{html}");
    // Per address: the 21st try within the hour is refused at once.
    let mut limited = 0;
    for _ in 0..21 {
        let resp = app
            .submit(
                &client,
                "/reset-password",
                &[
                    ("token", "not-a-token"),
                    ("password", "a long enough password"),
                ],
            )
            .await;
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(resp.headers().contains_key("retry-after"));
            limited += 1;
        }
    }
    assert!(limited >= 1, "the reset form is rate-limited per address");
    app.stop().await;
}

#[tokio::test]
async fn password_changes_and_invitations_are_rate_limited_and_names_lose_control_characters() {
    let app = spawn_app().await;
    let owner = app.signed_in("limits-owner@example.com").await;
    // Guessing the current password from a session: 5 tries, then 429s.
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        let resp = app
            .submit(
                &owner,
                "/settings/password",
                &[
                    ("current", "a wrong current password"),
                    ("new", "another long password here"),
                ],
            )
            .await;
        outcomes.push(crate::connections::location(&resp));
    }
    assert!(
        outcomes[..5]
            .iter()
            .all(|l| l.contains("error=invalid_credentials")),
        "{outcomes:?}"
    );
    assert!(outcomes[5].contains("error=rate_limited"), "{outcomes:?}");

    // Invitations: 20 an hour per person.
    let ws = app.settings_workspace(&owner).await;
    let mut statuses = Vec::new();
    for n in 0..21 {
        let resp = app
            .submit(
                &owner,
                &format!("/workspaces/{ws}/invites"),
                &[
                    ("email", &format!("guest{n}@example.com")),
                    ("role", "viewer"),
                ],
            )
            .await;
        statuses.push(crate::connections::location(&resp));
    }
    assert!(!statuses[19].contains("rate_limited"), "{statuses:?}");
    assert!(statuses[20].contains("rate_limited"), "{statuses:?}");

    // A display name with a line break, a bell and a bidi override.
    let client = new_client();
    let resp = app
        .submit(
            &client,
            "/signup",
            &[
                ("email", "named@example.com"),
                ("password", PASSWORD),
                ("display_name", "Ana\n\u{7}\u{202E}lived\t Mars"),
                ("accept_terms", "yes"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let stored: String = on_pool!(&app.db, |pool| {
        sqlx::query_scalar("SELECT display_name FROM users WHERE email = 'named@example.com'")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(stored, "Ana lived Mars");
    app.stop().await;
}

// ------------------------------------------------ behind a proxy

/// A failed login claiming to come through `forwarded`; the IPs the
/// audit log has for logins since.
async fn failed_login_from(app: &TestApp, forwarded: &str) -> Vec<Option<String>> {
    let client = new_client();
    let token = app.csrf_for(&client).await;
    client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("email", "nobody@example.com"),
            ("password", "wrong password"),
            ("_csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    audit_ips(app, "login").await
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_it_comes_from_a_trusted_proxy() {
    // Without trusted proxies: the TCP peer, whatever the header says.
    let app = spawn_app().await;
    let ips = failed_login_from(&app, "198.51.100.66").await;
    assert_eq!(
        ips.last().cloned().flatten().as_deref(),
        Some("127.0.0.1"),
        "{ips:?}"
    );
    app.stop().await;

    // Behind a trusted proxy: the right-most hop it did not add itself.
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let ips = failed_login_from(&app, "6.6.6.6, 203.0.113.9").await;
    assert_eq!(
        ips.last().cloned().flatten().as_deref(),
        Some("203.0.113.9"),
        "{ips:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn one_address_cannot_lock_a_chosen_person_out() {
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let email = "victim@example.com";
    app.signed_in(email).await;
    let attempt = |from: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let client = new_client();
            let token = app.csrf_for(&client).await;
            client
                .post(app.url("/login"))
                .header("x-forwarded-for", from)
                .form(&[("email", email), ("password", password), ("_csrf", &token)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // The attacker's address runs into its own limit...
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(attempt("198.51.100.7", "a wrong password guess").await);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // ...and the person, from their own address, signs in.
    assert_eq!(
        attempt("203.0.113.20", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

// ------------------------------------------------ development conveniences

#[tokio::test]
async fn the_development_mailbox_answers_only_loopback_clients_and_only_without_smtp() {
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert_eq!(app.get("/dev/mailbox").await.status(), StatusCode::OK);
    // A client elsewhere (as the trusted proxy reports it): not found.
    let resp = app
        .client
        .get(app.url("/dev/mailbox"))
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    app.stop().await;
    // With SMTP configured the mail leaves the machine: no mailbox.
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("HERALD_SMTP_URL", "smtp://127.0.0.1:9")],
    )
    .await;
    assert_eq!(
        app.get("/dev/mailbox").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("HERALD_METRICS_TOKEN", "scrape-me-please")],
    )
    .await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-please")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert!(right.text().await.unwrap().contains("herald_"));
    app.stop().await;
}

// ------------------------------------------------ nothing kept longer than the notice says

/// Queues the retention purge now (on the app's clock) and waits until
/// `done` holds.
async fn purge_until<F, Fut>(app: &TestApp, what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    app.queue
        .enqueue_now(herald_jobs::NewJob::of(&herald::retention::PurgeExpired {}).unwrap())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "the purge never removed {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_retention_job_keeps_each_table_to_the_period_the_privacy_notice_states() {
    let clock = std::sync::Arc::new(herald_core::ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(Backend::Sqlite, &[], clock.clone()).await;
    let owner = app.signed_in("keeper@example.com").await;
    // A device signed in through the API, and one signed out again.
    let grant = |name: &'static str| {
        let app = &app;
        async move {
            new_client()
                .post(app.url("/api/auth/token"))
                .json(&json!({"grant_type": "password", "email": "keeper@example.com", "password": PASSWORD, "device_name": name}))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    grant("Phone").await;
    let gone = grant("Old laptop").await;
    let resp = owner
        .delete(app.url(&format!("/api/auth/devices/{}", gone["device_id"])))
        .header("x-csrf-token", app.csrf_for(&owner).await)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    // A pending invitation, a connect attempt and a forgotten password.
    let ws = app.settings_workspace(&owner).await;
    app.submit(
        &owner,
        &format!("/workspaces/{ws}/invites"),
        &[("email", "guest@example.com"), ("role", "viewer")],
    )
    .await;
    crate::connections::start(&app, &owner, "tiktok").await;
    app.submit(
        &new_client(),
        "/forgot-password",
        &[("email", "keeper@example.com")],
    )
    .await;
    // Scoped tokens: one revoked, one expiring in a day.
    let token = |body: serde_json::Value| {
        let (app, owner) = (&app, &owner);
        let ws = ws.clone();
        async move {
            let resp = owner
                .post(app.url(&format!("/api/tokens?workspace={ws}")))
                .header("x-csrf-token", app.csrf_for(owner).await)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::CREATED);
            resp.json::<serde_json::Value>().await.unwrap()["token"]["id"].clone()
        }
    };
    let day = herald_core::Clock::now(clock.as_ref())
        .checked_add(jiff::SignedDuration::from_hours(24))
        .unwrap();
    token(json!({"name": "Daily", "kind": "app", "scopes": ["posts:read"], "expires_at": day}))
        .await;
    let revoked = token(json!({"name": "Old", "kind": "assistant"})).await;
    let resp = owner
        .delete(app.url(&format!("/api/tokens/{revoked}?workspace={ws}")))
        .header("x-csrf-token", app.csrf_for(&owner).await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let rows = |table: &'static str| count(&app, table);
    assert!(rows("oauth_attempts").await > 0);
    assert_eq!(
        rows("email_tokens").await,
        2,
        "the used verification and the reset"
    );

    // 11 minutes on: the connect attempt and the used verification link go,
    // and the signed-out device with its tokens.
    clock.advance(jiff::SignedDuration::from_mins(11));
    purge_until(&app, "the connect attempt and the used link", || async {
        rows("oauth_attempts").await == 0
            && rows("email_tokens").await == 1
            && rows("api_tokens").await == 1
    })
    .await;
    assert_eq!(rows("devices").await, 1, "the signed-out device went");
    assert_eq!(rows("invites").await, 1);
    // 31 minutes on: the reset link expired.
    clock.advance(jiff::SignedDuration::from_mins(20));
    purge_until(&app, "the expired reset link", || async {
        rows("email_tokens").await == 0
    })
    .await;

    // 8 days on: the invitation expired; the access token long before.
    clock.advance(jiff::SignedDuration::from_hours(8 * 24));
    purge_until(&app, "the expired invitation", || async {
        rows("invites").await == 0
            && rows("access_tokens").await == 0
            && rows("api_tokens").await == 0
    })
    .await;
    assert_eq!(rows("refresh_tokens").await, 1, "still valid for 60 days");
    assert!(rows("mail_outbox").await > 0);

    // 31 days on: sessions ended, mail older than 30 days goes.
    clock.advance(jiff::SignedDuration::from_hours(23 * 24));
    purge_until(&app, "ended sessions and old mail", || async {
        rows("sessions").await == 0 && rows("mail_outbox").await == 0
    })
    .await;
    assert!(rows("audit_events").await > 0, "the audit log keeps a year");

    // A year and more on: the device's tokens, the device, the audit log.
    clock.advance(jiff::SignedDuration::from_hours(340 * 24));
    purge_until(
        &app,
        "the year-old audit log and the expired device",
        || async {
            rows("audit_events").await == 0
                && rows("devices").await == 0
                && rows("refresh_tokens").await == 0
        },
    )
    .await;
    app.stop().await;
}

// ------------------------------------------------ accounts, checked from outside

#[tokio::test]
async fn a_login_with_an_older_weaker_hash_rewrites_it_with_todays_parameters() {
    use argon2::password_hash::PasswordHasher;
    let app = spawn_app().await;
    app.signed_in("old-hash@example.com").await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    let stored = || async {
        on_pool!(&app.db, |pool| {
            sqlx::query_scalar::<_, String>(
                "SELECT password_hash FROM users WHERE email = 'old-hash@example.com'",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        })
    };
    assert!(
        stored()
            .await
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    on_pool!(&app.db, |pool| {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE email = 'old-hash@example.com'")
            .bind(&weak)
            .execute(pool)
            .await
            .unwrap();
    });
    app.log_in(&new_client(), "old-hash@example.com").await;
    let now = stored().await;
    assert_ne!(now, weak);
    assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{now}");
    app.stop().await;
}

#[tokio::test]
async fn mail_links_come_from_the_public_url_whatever_the_host_header_says() {
    let app = spawn_app().await;
    app.signed_in("hosted@example.com").await;
    let client = new_client();
    let token = app.csrf_for(&client).await;
    let resp = client
        .post(app.url("/forgot-password"))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .form(&[("email", "hosted@example.com"), ("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mail = app.last_mail_to("hosted@example.com").await;
    assert_eq!(mail.kind, "reset_password");
    assert!(
        mail.text
            .contains(&format!("{}/reset-password?token=", app.base)),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("evil.example") && !mail.html.contains("evil.example"));
    // The reset page gives its token to no one through the Referer.
    let token = app.token_mailed_to("hosted@example.com").await;
    let page = app.get(&format!("/reset-password?token={token}")).await;
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_never_holds_a_password_or_a_token() {
    let app = spawn_app().await;
    let email = "audited@example.com";
    let client = app.signed_in(email).await;
    // A scoped token that writes (refused for its body) and a guessed one.
    let ws = app.settings_workspace(&client).await;
    let made: serde_json::Value = client
        .post(app.url(&format!("/api/tokens?workspace={ws}")))
        .header("x-csrf-token", app.csrf_for(&client).await)
        .json(&json!({"name": "Claude", "kind": "assistant"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let scoped = made["secret"].as_str().unwrap().to_owned();
    let resp = new_client()
        .post(app.url("/api/posts"))
        .bearer_auth(&scoped)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let guess = format!("{}x", &scoped[..scoped.len() - 1]);
    let resp = new_client()
        .get(app.url("/api/me"))
        .bearer_auth(&guess)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // A wrong password, a device grant and refresh, a reset.
    let wrong = "a wrong but memorable password";
    let anon = new_client();
    app.submit(&anon, "/login", &[("email", email), ("password", wrong)])
        .await;
    let pair: serde_json::Value = new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"grant_type": "password", "email": email, "password": PASSWORD, "device_name": "Phone"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next: serde_json::Value = new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.submit(&anon, "/forgot-password", &[("email", email)])
        .await;
    let reset = app.token_mailed_to(email).await;
    app.submit(
        &anon,
        "/reset-password",
        &[("token", &reset), ("password", "a brand new long password")],
    )
    .await;
    let session = client.get(app.url("/home")).send().await.unwrap();
    drop(session);
    let rows: Vec<String> = on_pool!(&app.db, |pool| {
        sqlx::query_scalar(
            "SELECT action || ' ' || outcome || ' ' || COALESCE(subject, '') || ' ' || \
             COALESCE(ip, '') || ' ' || COALESCE(user_agent, '') || ' ' || detail || ' ' || \
             COALESCE(via, '') FROM audit_events",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    });
    assert!(rows.len() >= 5, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("api.write failure POST /api/posts") && r.contains("assistant:")),
        "the token's write is audited through it: {rows:?}"
    );
    let secrets = [
        PASSWORD.to_owned(),
        wrong.to_owned(),
        "a brand new long password".to_owned(),
        reset.clone(),
        pair["access_token"].as_str().unwrap().to_owned(),
        pair["refresh_token"].as_str().unwrap().to_owned(),
        next["refresh_token"].as_str().unwrap().to_owned(),
        scoped[9..].to_owned(),
        guess[9..].to_owned(),
    ];
    for row in &rows {
        for secret in &secrets {
            assert!(!row.contains(secret.as_str()), "{row}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn an_unused_refresh_token_expires_after_sixty_days() {
    let clock = std::sync::Arc::new(herald_core::ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(Backend::Sqlite, &[], clock.clone()).await;
    app.signed_in("idle@example.com").await;
    let pair: serde_json::Value = new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"grant_type": "password", "email": "idle@example.com", "password": PASSWORD, "device_name": "Drawer tablet"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    clock.advance(jiff::SignedDuration::from_hours(61 * 24));
    let resp = new_client()
        .post(app.url("/api/auth/token"))
        .json(&json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

// ------------------------------------------------ least privilege

/// Makes `email` a member of `ws` with `role`; returns their client.
async fn join(
    app: &TestApp,
    owner: &reqwest::Client,
    ws: &str,
    email: &str,
    role: &str,
) -> reqwest::Client {
    app.submit(
        owner,
        &format!("/workspaces/{ws}/invites"),
        &[("email", email), ("role", role)],
    )
    .await;
    let invite = app.token_mailed_to(email).await;
    let client = app.signed_in(email).await;
    app.submit(&client, "/invites/accept", &[("token", &invite)])
        .await;
    client
}

#[tokio::test]
async fn only_the_connections_owner_or_a_connection_manager_may_browse_its_drive() {
    let app = spawn_app().await;
    let owner = app.signed_in("drive-owner@example.com").await;
    let ws = app.settings_workspace(&owner).await;
    let youtube = crate::posts::connect(&app, &owner, "youtube").await;
    let editor = join(&app, &owner, &ws, "drive-editor@example.com", "editor").await;
    let admin = join(&app, &owner, &ws, "drive-admin@example.com", "admin").await;
    let files = format!("/api/workspaces/{ws}/drive/{youtube}/files");
    let import = format!("/api/workspaces/{ws}/media/import/drive");
    for (who, client, want) in [
        ("owner", &owner, StatusCode::OK),
        ("admin", &admin, StatusCode::OK),
        ("editor", &editor, StatusCode::FORBIDDEN),
    ] {
        let resp = client.get(app.url(&files)).send().await.unwrap();
        assert_eq!(resp.status(), want, "{who} lists the Drive");
        let token = app.csrf_for(client).await;
        let resp = client
            .post(app.url(&import))
            .header("x-csrf-token", token)
            .json(&json!({"connection_id": youtube, "file_id": "not-a-real-file"}))
            .send()
            .await
            .unwrap();
        if want == StatusCode::OK {
            assert_ne!(resp.status(), StatusCode::FORBIDDEN, "{who} imports");
        } else {
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{who} imports");
        }
    }
    app.stop().await;
}
