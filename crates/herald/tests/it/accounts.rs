//! Accounts end to end over HTTP: sign-up, verification, sessions and their
//! cookies, password reset, tokens for non-browser clients, rate limits,
//! roles, on SQLite and (ignored unless asked for) PostgreSQL and Redis.

use reqwest::StatusCode;
use serde_json::{Value, json};

use std::sync::Arc;

use crate::helpers::{
    Backend, PASSWORD, TestApp, new_client, spawn_app, spawn_app_with, spawn_app_with_clock,
};

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", uuid::Uuid::new_v4().simple())
}

fn set_cookie(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

async fn workspace_of(app: &TestApp, client: &reqwest::Client) -> i64 {
    let me: Value = client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["workspaces"][0]["id"]
        .as_i64()
        .expect("a personal workspace")
}

async fn sign_up_verify_log_in_and_out(app: &TestApp) {
    let client = new_client();
    // A protected page sends people to log in, and back afterwards.
    let resp = client.get(app.url("/home/calendar")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/login?next=/home/calendar");

    let email = unique("ann");
    let shouted = format!("  {}  ", email.to_uppercase());
    let resp = app
        .submit(
            &client,
            "/signup",
            &[
                ("email", &shouted),
                ("password", PASSWORD),
                ("display_name", "Ann"),
                ("accept_terms", "yes"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.text().await.unwrap().contains(&email),
        "the address is shown normalised"
    );
    let mail = app.last_mail_to(&email).await;
    assert_eq!(mail.kind, "verify_email");

    // Unverified: may log in, may not invite.
    let resp = app
        .submit(
            &client,
            "/login",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "/home/calendar"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/home/calendar");
    let cookies = set_cookie(&resp);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("herald_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    let home = client
        .get(app.url("/home"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("action=\"/verify-email/resend\""),
        "unverified users are told to confirm"
    );
    let ws = workspace_of(app, &client).await;
    let resp = app
        .submit(
            &client,
            &format!("/workspaces/{ws}/invites"),
            &[("email", "x@example.com"), ("role", "viewer")],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&error=email_not_verified")
    );

    // The link from the mail pre-fills a one-button page.
    let token = app.token_mailed_to(&email).await;
    let page = client
        .get(app.url(&format!("/verify-email?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("type=\"hidden\" name=\"token\" value=\"{token}\"")),
        "{page}"
    );
    assert!(
        !page.contains("id=\"field-token\""),
        "no visible token input"
    );
    let resp = client
        .get(app.url(&format!("/verify-email?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["referrer-policy"],
        "no-referrer",
        "the token does not leak through Referer"
    );
    let resp = app
        .submit(&client, "/verify-email", &[("token", &token)])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = app
        .submit(&client, "/verify-email", &[("token", &token)])
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "single use");

    let resp = app.submit(&client, "/logout", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = client.get(app.url("/home")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn sign_up_verification_login_and_logout_work_with_hardened_cookies() {
    let app = spawn_app().await;
    sign_up_verify_log_in_and_out(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn each_login_gets_a_new_session_and_old_ones_die_at_logout() {
    let app = spawn_app().await;
    let email = unique("bo");
    let first = app.signed_in(&email).await;
    let second = new_client();
    let resp = app
        .submit(
            &second,
            "/login",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    let a: Vec<String> = set_cookie(&resp);
    let token_b = a
        .iter()
        .find(|c| c.starts_with("herald_session="))
        .unwrap()
        .clone();
    assert!(
        first
            .get(app.url("/home"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    // Logging out everywhere from the second ends the first too.
    let resp = app
        .submit(&second, "/settings/logout-everywhere", &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        first.get(app.url("/home")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    // A stolen cookie value is useless after logout.
    let value = token_b.split(';').next().unwrap();
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = replay
        .get(app.url("/home"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn https_deployments_use_host_prefixed_secure_cookies() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("HERALD_PUBLIC_URL", "https://herald.example")],
    )
    .await;
    let resp = app.client.get(app.url("/login")).send().await.unwrap();
    let cookies = set_cookie(&resp);
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("__Host-herald_csrf="))
        .expect("prefixed CSRF cookie");
    assert!(
        csrf.contains("Secure") && csrf.contains("HttpOnly") && csrf.contains("Path=/"),
        "{csrf}"
    );
    assert!(
        resp.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    app.stop().await;
}

#[tokio::test]
async fn password_reset_answers_alike_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    let known = unique("carla");
    let client = app.signed_in(&known).await;
    let unknown = unique("nobody");
    let anon = new_client();
    let a = app
        .submit(&anon, "/forgot-password", &[("email", &known)])
        .await;
    let (sa, ta) = (a.status(), a.text().await.unwrap().replace(&known, "EMAIL"));
    let b = app
        .submit(&anon, "/forgot-password", &[("email", &unknown)])
        .await;
    let (sb, tb) = (
        b.status(),
        b.text().await.unwrap().replace(&unknown, "EMAIL"),
    );
    assert_eq!(sa, sb);
    let strip = |t: &str| t.split("name=\"_csrf\"").next().unwrap().to_owned();
    assert_eq!(
        strip(&ta),
        strip(&tb),
        "same page for known and unknown addresses"
    );
    assert_eq!(app.last_mail_to(&known).await.kind, "reset_password");
    assert!(
        herald_mail::recent(&app.db, 200)
            .await
            .unwrap()
            .iter()
            .all(|m| m.to != unknown)
    );

    // The reset sets the password, signs everyone out and does not log in.
    let token = app.token_mailed_to(&known).await;
    let weak = app
        .submit(
            &anon,
            "/reset-password",
            &[("token", &token), ("password", "password1234")],
        )
        .await;
    assert_eq!(
        weak.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a weak password is refused, the token kept"
    );
    let resp = app
        .submit(
            &anon,
            "/reset-password",
            &[
                ("token", &token),
                ("password", "amber kettle over nine hills"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        set_cookie(&resp)
            .iter()
            .all(|c| !c.starts_with("herald_session=")),
        "no login by reset"
    );
    assert_eq!(
        client.get(app.url("/home")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.last_mail_to(&known).await.kind, "password_changed");
    let again = app
        .submit(
            &anon,
            "/reset-password",
            &[
                ("token", &token),
                ("password", "amber kettle over nine hills"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST, "single use");
    let resp = app
        .submit(
            &anon,
            "/login",
            &[
                ("email", &known),
                ("password", "amber kettle over nine hills"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn signing_up_with_a_taken_address_answers_alike_and_tells_the_owner() {
    let app = spawn_app().await;
    let email = unique("dora");
    app.signed_in(&email).await;
    let other = new_client();
    let resp = app
        .submit(
            &other,
            "/signup",
            &[
                ("email", &email),
                ("password", "tulip harbour beneath quiet stars"),
                ("accept_terms", "yes"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(app.last_mail_to(&email).await.kind, "account_exists");
    // The original password still works; the attempt changed nothing.
    let resp = app
        .submit(
            &other,
            "/login",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn bad_sign_up_input_gets_a_clear_error_and_changes_nothing() {
    let app = spawn_app().await;
    let client = new_client();
    let resp = app
        .submit(
            &client,
            "/signup",
            &[
                ("email", "not-an-address"),
                ("password", PASSWORD),
                ("accept_terms", "yes"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("does not look like an e-mail address")
    );
    let resp = app
        .submit(
            &client,
            "/signup",
            &[
                ("email", "eve@example.com"),
                ("password", "short"),
                ("accept_terms", "yes"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("at least 12 characters")
    );
    assert!(
        herald_mail::recent(&app.db, 10).await.unwrap().is_empty(),
        "nothing was sent"
    );
    let resp = app
        .submit(&client, "/verify-email", &[("token", "made-up")])
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = client
        .post(app.url("/api/auth/token"))
        .header("content-type", "text/plain")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    app.stop().await;
}

async fn grant(app: &TestApp, body: Value) -> reqwest::Response {
    new_client()
        .post(app.url("/api/auth/token"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn refresh_token_reuse_revokes_the_family(app: &TestApp) {
    let email = unique("eli");
    app.signed_in(&email).await;
    let resp = grant(app, json!({"grant_type": "password", "email": email, "password": PASSWORD, "device_name": "Phone", "device_kind": "mobile"})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let a: Value = resp.json().await.unwrap();
    let me = new_client()
        .get(app.url("/api/me"))
        .bearer_auth(a["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["email"], email);

    let b: Value = grant(
        app,
        json!({"grant_type": "refresh_token", "refresh_token": a["refresh_token"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_ne!(a["refresh_token"], b["refresh_token"], "rotated");
    // The same client asking again at once (its answer was lost): the same
    // successor, nothing revoked.
    let again: Value = grant(
        app,
        json!({"grant_type": "refresh_token", "refresh_token": a["refresh_token"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["refresh_token"], b["refresh_token"]);
    assert_eq!(again["access_token"], b["access_token"]);
    // Once the successor was used, the old token is a stolen one: the
    // whole family dies.
    let c: Value = grant(
        app,
        json!({"grant_type": "refresh_token", "refresh_token": b["refresh_token"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let reuse = grant(
        app,
        json!({"grant_type": "refresh_token", "refresh_token": a["refresh_token"]}),
    )
    .await;
    assert_eq!(reuse.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        reuse.json::<Value>().await.unwrap()["error"]["code"],
        "token_reused"
    );
    let after = grant(
        app,
        json!({"grant_type": "refresh_token", "refresh_token": c["refresh_token"]}),
    )
    .await;
    assert_eq!(after.status(), StatusCode::BAD_REQUEST);
    for token in [&b["access_token"], &c["access_token"]] {
        let me = new_client()
            .get(app.url("/api/me"))
            .bearer_auth(token.as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    }
    let wrong = grant(app, json!({"grant_type": "password", "email": email, "password": "wrong wrong wrong", "device_name": "Phone"})).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_refreshes_at_once_with_one_token_all_get_the_same_successor() {
    let app = spawn_app().await;
    let email = unique("fay");
    app.signed_in(&email).await;
    let a: Value = grant(&app, json!({"grant_type": "password", "email": email, "password": PASSWORD, "device_name": "Tablet", "device_kind": "mobile"}))
        .await
        .json()
        .await
        .unwrap();
    let refreshes: Vec<_> = (0..5)
        .map(|_| {
            let app_url = app.url("/api/auth/token");
            let token = a["refresh_token"].clone();
            tokio::spawn(async move {
                new_client()
                    .post(app_url)
                    .json(&json!({"grant_type": "refresh_token", "refresh_token": token}))
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut successors = Vec::new();
    for r in refreshes {
        let resp = r.await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        successors.push(body["refresh_token"].as_str().unwrap().to_owned());
    }
    successors.dedup();
    assert_eq!(successors.len(), 1, "one successor, no fork of the family");
    // The device survives: its successor refreshes and its access works.
    let next = grant(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": successors[0]}),
    )
    .await;
    assert_eq!(next.status(), StatusCode::OK);
    let next: Value = next.json().await.unwrap();
    let me = new_client()
        .get(app.url("/api/me"))
        .bearer_auth(next["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_device_ends_after_its_absolute_lifetime_however_often_it_refreshes() {
    let clock = Arc::new(herald_core::ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(Backend::Sqlite, &[], clock.clone()).await;
    let email = unique("gus");
    app.signed_in(&email).await;
    let mut pair: Value = grant(&app, json!({"grant_type": "password", "email": email, "password": PASSWORD, "device_name": "Bot", "device_kind": "assistant"}))
        .await
        .json()
        .await
        .unwrap();
    // Refreshing every 59 days keeps each refresh token alive (60 days)...
    for _ in 0..3 {
        clock.advance(jiff::SignedDuration::from_hours(59 * 24));
        let resp = grant(
            &app,
            json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        pair = resp.json().await.unwrap();
    }
    // ...but not the device past 180 days.
    clock.advance(jiff::SignedDuration::from_hours(4 * 24));
    let resp = grant(
        &app,
        json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

#[tokio::test]
async fn a_reused_refresh_token_signs_the_whole_device_out() {
    let app = spawn_app().await;
    refresh_token_reuse_revokes_the_family(&app).await;
    app.stop().await;
}

async fn login_limit(app: &TestApp, second: Option<&TestApp>, email: &str) {
    let client = new_client();
    for i in 0..5 {
        let target = match (i % 2, second) {
            (1, Some(other)) => other,
            _ => app,
        };
        let resp = target
            .submit(
                &client,
                "/login",
                &[("email", email), ("password", "not the password")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let resp = app
        .submit(
            &client,
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    assert!(resp.text().await.unwrap().contains("Too many attempts"));
}

#[tokio::test]
async fn login_attempts_past_the_limit_get_429_with_retry_after() {
    let app = spawn_app().await;
    let email = unique("fay");
    app.signed_in(&email).await;
    login_limit(&app, None, &email).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("herald_rate_limit_decisions_total{"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_login_limits_are_shared_by_every_instance() {
    let url = std::env::var("HERALD_TEST_REDIS_URL")
        .expect("HERALD_TEST_REDIS_URL is set for the Redis suite");
    let a = spawn_app_with(Backend::Sqlite, &[("HERALD_REDIS_URL", &url)]).await;
    // A second instance of the same deployment: same database, same Redis.
    let b = spawn_app_with(
        Backend::Sqlite,
        &[
            ("HERALD_REDIS_URL", &url),
            ("HERALD_DATABASE_URL", &a.db_url),
        ],
    )
    .await;
    let email = unique("gus");
    a.signed_in(&email).await;
    login_limit(&a, Some(&b), &email).await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
#[ignore = "needs Redis: set HERALD_TEST_REDIS_URL and pass --ignored redis"]
async fn redis_holds_the_sessions_when_configured() {
    let url = std::env::var("HERALD_TEST_REDIS_URL")
        .expect("HERALD_TEST_REDIS_URL is set for the Redis suite");
    let app = spawn_app_with(Backend::Sqlite, &[("HERALD_REDIS_URL", &url)]).await;
    let email = unique("hal");
    let client = app.signed_in(&email).await;
    assert!(
        client
            .get(app.url("/home"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["checks"]["rate_limit_backend"], "redis");

    let me: Value = client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = me["id"].as_i64().unwrap();
    let herald_db::Db::Sqlite(pool) = &app.db else {
        unreachable!()
    };
    let in_db: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(in_db, 0, "no session row in the database");
    let key = herald_accounts::sessions::user_sessions_key(
        &herald_accounts::sessions::namespace(&app.db_url),
        user,
    );
    let mut redis = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(members.len(), 1, "one session in Redis");
    let settings = client
        .get(app.url("/home/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        settings.contains(&format!("/settings/sessions/{}/revoke", members[0]))
            || settings.contains("This browser")
    );

    app.submit(&client, "/logout", &[]).await;
    let members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(members.is_empty(), "logout deletes the session");
    assert_eq!(
        client.get(app.url("/home")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

async fn roles_are_enforced(app: &TestApp) {
    let owner_email = unique("owner");
    let viewer_email = unique("viewer");
    let owner = app.signed_in(&owner_email).await;
    let ws = workspace_of(app, &owner).await;
    let resp = app
        .submit(
            &owner,
            &format!("/workspaces/{ws}/invites"),
            &[("email", &viewer_email), ("role", "viewer")],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&done=invited")
    );
    assert_eq!(app.last_mail_to(&viewer_email).await.kind, "invitation");
    let invite_token = app.token_mailed_to(&viewer_email).await;

    let viewer = app.signed_in(&viewer_email).await;
    let resp = app
        .submit(&viewer, "/invites/accept", &[("token", &invite_token)])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = viewer
        .get(app.url(&format!("/home/settings?workspace={ws}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&owner_email), "the viewer sees the members");
    assert!(
        !page.contains(&format!("action=\"/workspaces/{ws}/invites\"")),
        "but no invite form"
    );

    // A viewer cannot invite or change roles, whatever they post.
    let resp = app
        .submit(
            &viewer,
            &format!("/workspaces/{ws}/invites"),
            &[("email", "z@example.com"), ("role", "admin")],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&error=forbidden")
    );
    let me: Value = viewer
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let viewer_id = me["id"].as_i64().unwrap();
    let resp = app
        .submit(
            &viewer,
            &format!("/workspaces/{ws}/members/{viewer_id}/role"),
            &[("role", "owner")],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&error=forbidden")
    );

    // The only owner cannot step down or leave.
    let owner_me: Value = owner
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owner_id = owner_me["id"].as_i64().unwrap();
    let resp = app
        .submit(
            &owner,
            &format!("/workspaces/{ws}/members/{owner_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&error=last_owner")
    );
    let resp = app
        .submit(
            &owner,
            &format!("/workspaces/{ws}/members/{owner_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&error=last_owner")
    );

    // A workspace one is not in does not exist, as far as one can tell.
    let other = app.signed_in(&unique("stranger")).await;
    let resp = app
        .submit(
            &other,
            &format!("/workspaces/{ws}/invites"),
            &[("email", "y@example.com"), ("role", "viewer")],
        )
        .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/home/settings?workspace={ws}&error=not_found")
    );

    // The audit log shows what happened, to the owner only.
    let audit = owner
        .get(app.url(&format!("/home/settings/audit?workspace={ws}")))
        .send()
        .await
        .unwrap();
    assert_eq!(audit.status(), StatusCode::OK);
    let audit = audit.text().await.unwrap();
    for action in ["member.invite", "member.join", "member.role", "login"] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }
    assert!(
        !audit.contains(PASSWORD) && !audit.contains(&invite_token),
        "no secrets in the audit log"
    );
    let resp = viewer
        .get(app.url(&format!("/home/settings/audit?workspace={ws}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_viewer_cannot_invite_and_a_workspace_keeps_its_last_owner() {
    let app = spawn_app().await;
    roles_are_enforced(&app).await;
    app.stop().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_accounts_work_the_same() {
    let app = crate::helpers::spawn_app_on(Backend::Postgres).await;
    sign_up_verify_log_in_and_out(&app).await;
    refresh_token_reuse_revokes_the_family(&app).await;
    roles_are_enforced(&app).await;
    app.stop().await;
}
