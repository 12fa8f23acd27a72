//! Notifications end to end: failed posts tell their author by mail in
//! the author's language (several failures in one summary, not one mail
//! each), the mail's unsubscribe link works without a login, and the
//! channel preferences over the API with what bad input gets.

use std::sync::Arc;
use std::time::Duration;

use herald_core::ManualClock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::approvals::connect_page;
use crate::helpers::*;

async fn api(
    app: &TestApp,
    who: &reqwest::Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let token = app.csrf_for(who).await;
    let mut req = who
        .request(method, app.url(path))
        .header("x-csrf-token", token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Waits (the app's worker runs the jobs) until `check` holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn notification_mails(app: &TestApp, to: &str) -> Vec<herald_mail::StoredMail> {
    herald_mail::recent(&app.db, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to == to && m.kind == "notification")
        .collect()
}

#[tokio::test]
async fn failed_posts_mail_their_german_author_one_summary_and_the_link_unsubscribes() {
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(Backend::Sqlite, &[], clock.clone()).await;
    let anna = app.signed_in("anna@example.com").await;
    // Anna reads German, in Berlin.
    herald_db::on_pool!(&app.db, |pool| {
        sqlx::query(
            "UPDATE users SET locale = 'de', time_zone = 'Europe/Berlin' WHERE email = 'anna@example.com'",
        )
        .execute(pool)
        .await
        .unwrap();
    });
    let ws = app.settings_workspace(&anna).await;
    let page = connect_page(&app, &anna).await;
    // The Page refuses the next three posts for a missing permission.
    let resp = anna
        .post(app.url("/sandbox/_admin/faults"))
        .json(&json!({"endpoint": "facebook.feed", "kind": "missing_permission", "times": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut ids = Vec::new();
    for n in 1..=3 {
        let (status, post) = api(
            &app,
            &anna,
            Method::POST,
            &format!("/api/posts?workspace={ws}"),
            Some(json!({
                "targets": [{"connection_id": page, "variant": {"format": "text", "caption": format!("Herbst {n}")}}],
                "when": {"action": "now"},
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        ids.push(post["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let path = format!("/api/posts/{id}?workspace={ws}");
        eventually("the post failed", || async {
            let (_, post) = api(&app, &anna, Method::GET, &path, None).await;
            post["status"] == "failed"
        })
        .await;
    }
    // Told in the app at once, in her language...
    let (_, list) = api(
        &app,
        &anna,
        Method::GET,
        &format!("/api/notifications?workspace={ws}"),
        None,
    )
    .await;
    let failed: Vec<&Value> = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "post_failed")
        .collect();
    assert_eq!(failed.len(), 3, "{list}");
    assert_eq!(failed[0]["notice"]["code"], "post_failed");
    // ...but no mail yet: the notices wait to be gathered.
    assert!(
        notification_mails(&app, "anna@example.com")
            .await
            .is_empty()
    );
    clock.advance(jiff::SignedDuration::from_secs(61));
    eventually("the summary is mailed", || async {
        !notification_mails(&app, "anna@example.com")
            .await
            .is_empty()
    })
    .await;
    let mails = notification_mails(&app, "anna@example.com").await;
    assert_eq!(mails.len(), 1, "one summary, not one mail per failure");
    let mail = &mails[0];
    assert!(
        mail.subject
            .starts_with("3 Beiträge konnten nicht veröffentlicht werden"),
        "{}",
        mail.subject
    );
    assert!(mail.text.starts_with("Hallo "), "{}", mail.text);
    assert!(
        mail.text
            .contains("Herald fehlt eine Berechtigung für das Konto"),
        "{}",
        mail.text
    );
    // The times are Berlin's.
    assert!(
        mail.text.contains(" CET)") || mail.text.contains(" CEST)"),
        "{}",
        mail.text
    );

    // The unsubscribe link works for whoever holds the mail, no login.
    let link = mail
        .text
        .lines()
        .find_map(|l| l.strip_prefix("Diese E-Mails abbestellen: "))
        .expect("an unsubscribe link")
        .trim()
        .to_owned();
    let path = link.strip_prefix(&app.url("")).unwrap().to_owned();
    let stranger = new_client();
    let resp = stranger.get(app.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("referrer-policy")
            .and_then(|v| v.to_str().ok()),
        Some("no-referrer")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("Failed posts"), "{html}");
    let token = csrf_in(&html);
    let resp = stranger
        .post(app.url(&path))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("You will get no more of these e-mails")
    );
    let (_, prefs) = api(
        &app,
        &anna,
        Method::GET,
        &format!("/api/notification-preferences?workspace={ws}"),
        None,
    )
    .await;
    assert_eq!(prefs["choices"]["post_failed"]["email"], false);
    assert_eq!(prefs["choices"]["post_failed"]["in_app"], true);
    assert_eq!(prefs["time_zone"], "Europe/Berlin");
    // A forged or altered link changes nothing.
    let forged = path.replace("post_failed", "approval");
    let resp = stranger.get(app.url(&forged)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (_, prefs) = api(
        &app,
        &anna,
        Method::GET,
        &format!("/api/notification-preferences?workspace={ws}"),
        None,
    )
    .await;
    assert_eq!(prefs["choices"]["approval"]["email"], true);
    app.stop().await;
}

#[tokio::test]
async fn the_language_a_member_switches_to_is_the_language_of_their_mail() {
    let app = spawn_app().await;
    let bo = app.signed_in("bo@example.com").await;
    let locale = || async {
        herald_db::on_pool!(&app.db, |pool| {
            sqlx::query_scalar::<_, String>(
                "SELECT locale FROM users WHERE email = 'bo@example.com'",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        })
    };
    assert_eq!(locale().await, "en");
    let resp = app
        .submit(&bo, "/language", &[("lang", "de"), ("next", "/home")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(locale().await, "de");
    // A visitor's switch is only a cookie.
    let resp = app
        .submit(&new_client(), "/language", &[("lang", "en"), ("next", "/")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(locale().await, "de");
    app.stop().await;
}

#[tokio::test]
async fn channel_preferences_change_only_with_good_input() {
    let app = spawn_app().await;
    let owner = app.signed_in("olga@example.com").await;
    let ws = app.settings_workspace(&owner).await;
    let viewer = app.member(&owner, &ws, "vic@example.com", "viewer").await;
    let path = format!("/api/notification-preferences?workspace={ws}");
    // A stranger gets nothing.
    let (status, _) = api(&app, &new_client(), Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Defaults: mail for what needs someone, not for every comment.
    let (status, prefs) = api(&app, &viewer, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(prefs["choices"]["post_failed"]["email"], true);
    assert_eq!(prefs["choices"]["comment"]["email"], false);
    assert_eq!(prefs["choices"]["comment"]["in_app"], true);
    // A viewer chooses their own.
    let (status, prefs) = api(
        &app,
        &viewer,
        Method::PUT,
        &path,
        Some(
            json!({"choices": {"comment": {"email": true}}, "time_zone": "America/New_York",
                    "digest": {"day": "friday", "time": "17:30"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{prefs}");
    assert_eq!(prefs["choices"]["comment"]["email"], true);
    assert_eq!(prefs["time_zone"], "America/New_York");
    assert_eq!(prefs["digest"], json!({"day": "friday", "time": "17:30"}));
    // Bad input changes nothing: an unknown kind, channel or zone.
    for (body, code) in [
        (
            json!({"choices": {"comment": {"email": false}, "gossip": {"email": true}}}),
            "notification_unknown_kind",
        ),
        (
            json!({"choices": {"comment": {"email": false, "sms": true}}}),
            "notification_unknown_channel",
        ),
        (
            json!({"choices": {"comment": {"email": false}}, "time_zone": "Mars/Olympus"}),
            "unknown_time_zone",
        ),
        (
            json!({"choices": {"comment": {"email": false}}, "digest": {"day": "funday", "time": "08:00"}}),
            "digest_schedule_invalid",
        ),
        (
            json!({"time_zone": "Europe/Berlin", "digest": {"day": "monday", "time": "25:00"}}),
            "digest_schedule_invalid",
        ),
    ] {
        let (status, error) = api(&app, &viewer, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_eq!(error["error"]["code"], code, "{error}");
    }
    let (_, prefs) = api(&app, &viewer, Method::GET, &path, None).await;
    assert_eq!(prefs["choices"]["comment"]["email"], true, "unchanged");
    assert_eq!(prefs["time_zone"], "America/New_York");
    assert_eq!(prefs["digest"]["day"], "friday");
    // Another person's choices are theirs: the owner still has defaults.
    let (_, mine) = api(&app, &owner, Method::GET, &path, None).await;
    assert_eq!(mine["choices"]["comment"]["email"], false);
    // Another tenant's workspace is not found.
    let other = app.signed_in("eve@example.com").await;
    let (status, _) = api(&app, &other, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The settings page shows both channels and the zone.
    let html = app
        .html(
            &viewer,
            &format!("/home/settings/notifications?workspace={ws}"),
        )
        .await;
    assert!(html.contains("name=\"email\" value=\"comment\" checked"));
    assert!(html.contains("<option value=\"America/New_York\" selected>"));
    assert!(html.contains("<option value=\"friday\" selected>Friday</option>"));
    assert!(html.contains("name=\"digest_time\" value=\"17:30\""));
    app.stop().await;
}

#[tokio::test]
async fn connection_news_from_the_relay_is_told_once_per_connection_end_and_level() {
    use herald_events::Sink;
    let app = spawn_app().await;
    let owner = app.signed_in("olga@example.com").await;
    let ws: i64 = app.settings_workspace(&owner).await.parse().unwrap();
    let clock: Arc<dyn herald_core::Clock> = Arc::new(herald_core::SystemClock);
    let sink = herald::notify::ConnectionNotices {
        queue: app.queue.clone(),
        db: app.db.clone(),
        clock,
        inner: Arc::new(herald_events::LocalSink::new()),
    };
    let event = |subject: &str, payload: Value| {
        herald_events::Event::new(
            herald_events::Subject::parse(subject).unwrap(),
            payload,
            jiff::Timestamp::now(),
        )
    };
    let ends = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(5 * 24);
    let expiring = |level: &str| {
        event(
            "connection.expiring",
            json!({"workspace_id": ws, "connection_id": "c1", "provider": "tiktok",
                   "name": "@bakery", "expires_at": ends.to_string(), "level": level}),
        )
    };
    // The daily check finds the same end again: told once.
    sink.publish(&expiring("week")).await.unwrap();
    sink.publish(&expiring("week")).await.unwrap();
    // The last day is told again.
    sink.publish(&expiring("day")).await.unwrap();
    // A reconnection, sent twice by the relay: told once.
    let dead = event(
        "connection.needs_reconnection",
        json!({"workspace_id": ws, "connection_id": "c1", "provider": "tiktok", "name": "@bakery", "reason": "x"}),
    );
    sink.publish(&dead).await.unwrap();
    sink.publish(&dead).await.unwrap();
    // Other events pass through untouched.
    sink.publish(&event("platform.publish.request.tiktok", json!({})))
        .await
        .unwrap();
    let (_, list) = api(
        &app,
        &owner,
        Method::GET,
        &format!("/api/notifications?workspace={ws}"),
        None,
    )
    .await;
    let kinds: Vec<&str> = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "connection_reconnect",
            "connection_expiring",
            "connection_expiring"
        ],
        "{list}"
    );
    let text = list["notifications"][1]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Access to @bakery on TikTok ends on "),
        "{text}"
    );
    app.stop().await;
}
