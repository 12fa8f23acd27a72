//! People's data rights end to end over HTTP: the consent recorded at
//! sign-up, "Download my data" (the archive holds the person's data and
//! their workspaces' posts, connections without tokens, media and audit
//! entries), "Delete my account" after a grace period with each shared
//! workspace handed over or deleted as chosen, and deleting a workspace.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_core::ManualClock;
use herald_db::on_pool;
use reqwest::StatusCode;
use serde_json::Value;

use crate::connections::{back, consent, location};
use crate::helpers::*;

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let sql = sql.to_owned();
    on_pool!(&app.db, |pool| {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()))
            .bind(bind)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let resp = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.text().await.unwrap()
}

async fn me(app: &TestApp, client: &reqwest::Client) -> Value {
    client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The id of the caller's workspace named `name`.
async fn workspace_named(app: &TestApp, client: &reqwest::Client, name: &str) -> i64 {
    me(app, client).await["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("a workspace {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn personal(app: &TestApp, client: &reqwest::Client) -> i64 {
    me(app, client).await["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["personal"] == true)
        .expect("a personal workspace")["id"]
        .as_i64()
        .unwrap()
}

async fn user_id(app: &TestApp, client: &reqwest::Client) -> i64 {
    me(app, client).await["id"].as_i64().unwrap()
}

/// `email` joins workspace `ws` of `owner` as `role`.
async fn join(
    app: &TestApp,
    owner: &reqwest::Client,
    ws: i64,
    member: &reqwest::Client,
    email: &str,
    role: &str,
) {
    let resp = app
        .submit(
            owner,
            &format!("/workspaces/{ws}/invites"),
            &[("email", email), ("role", role)],
        )
        .await;
    assert!(
        location(&resp).contains("done=invited"),
        "{}",
        location(&resp)
    );
    let token = app.token_mailed_to(email).await;
    let resp = app
        .submit(member, "/invites/accept", &[("token", &token)])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

/// Connects the TikTok account of sandbox user `who` to workspace `ws`.
async fn connect_in(app: &TestApp, client: &reqwest::Client, ws: i64, who: &str) {
    let resp = app
        .submit(
            client,
            "/home/publishing/connect/tiktok",
            &[("workspace", &ws.to_string())],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let callback = consent(&location(&resp), "allow", |fields| {
        for (k, v) in fields.iter_mut() {
            if k == "sandbox_user" {
                *v = who.to_owned();
            }
        }
    })
    .await;
    let resp = back(client, &callback).await;
    assert!(
        location(&resp).contains("done=connected"),
        "{}",
        location(&resp)
    );
}

/// A JPEG of its own into the library of `ws`; its id.
async fn upload(app: &TestApp, client: &reqwest::Client, ws: i64, seed: u8) -> (String, Vec<u8>) {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8, y as u8, seed]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    let bytes = bytes.into_inner();
    let resp = client
        .post(app.url(&format!(
            "/api/workspaces/{ws}/media?filename=summer%20party.jpg"
        )))
        .header("x-csrf-token", app.csrf_for(client).await)
        .header("content-type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let media: Value = resp.json().await.unwrap();
    (media["id"].as_str().unwrap().to_owned(), bytes)
}

async fn endpoint(app: &TestApp, client: &reqwest::Client, ws: i64, url: &str) {
    let resp = client
        .post(app.url(&format!("/api/webhooks/endpoints?workspace={ws}")))
        .header("x-csrf-token", app.csrf_for(client).await)
        .json(&serde_json::json!({"url": url, "description": "our CRM"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
}

async fn draft(app: &TestApp, client: &reqwest::Client, ws: i64, connection: &str, caption: &str) {
    let resp = client
        .post(app.url(&format!("/api/posts?workspace={ws}")))
        .header("x-csrf-token", app.csrf_for(client).await)
        .json(&serde_json::json!({
            "targets": [{"connection_id": connection, "variant": {"format": "video", "caption": caption, "media": []}}],
            "when": {"action": "draft"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::CREATED,
        "{}",
        resp.text().await.unwrap()
    );
}

/// Runs the hourly purge (which sweeps exports and due deletions) until
/// `done` holds.
async fn sweep_until<F, Fut>(app: &TestApp, what: &str, done: F)
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
        if Instant::now() >= deadline {
            let jobs: Vec<(String, String, Option<String>)> = on_pool!(&app.db, |pool| {
                sqlx::query_as("SELECT kind, state, last_error FROM jobs")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            });
            panic!("never: {what}; jobs: {jobs:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn entry(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn json_entry(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Value {
    serde_json::from_slice(&entry(zip, name)).unwrap()
}

#[tokio::test]
async fn sign_up_needs_consent_and_records_the_version_accepted() {
    let app = spawn_app().await;
    let anon = new_client();
    let resp = app
        .submit(
            &anon,
            "/signup",
            &[("email", "noconsent@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM users WHERE email = $1",
            "noconsent@example.com"
        )
        .await,
        0,
        "nothing was created"
    );
    let token = app.csrf_for(&anon).await;
    let resp = anon
        .post(app.url("/api/auth/signup"))
        .header("x-csrf-token", token)
        .json(&serde_json::json!({"email": "api@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "consent_required");

    let ann = app.signed_in("consent@example.com").await;
    let html = page(&app, &ann, "/home/settings/data").await;
    for document in ["Privacy notice", "Terms"] {
        assert!(
            html.contains(&format!(
                "<td>{document}</td><td>{}</td>",
                herald_web::pages::LEGAL_VERSION
            )),
            "{document}: {html}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn download_my_data_is_an_archive_of_the_person_and_the_workspaces_they_own() {
    export_case(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_download_my_data_works_the_same() {
    export_case(Backend::Postgres).await;
}

async fn export_case(backend: Backend) {
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(
        backend,
        &[("HERALD_WEBHOOK_ALLOW_PRIVATE", "true")],
        clock.clone(),
    )
    .await;
    let ann = app.signed_in("ann@example.com").await;
    let ws = personal(&app, &ann).await;
    let tiktok = crate::posts::connect(&app, &ann, "tiktok").await;
    draft(&app, &ann, ws, &tiktok, "Our summer party, in pictures").await;
    let (media, bytes) = upload(&app, &ann, ws, 7).await;
    endpoint(&app, &ann, ws, "http://127.0.0.1:9/crm-hook").await;
    // Someone else's data must not be in Ann's archive.
    let bob = app.signed_in("bob@example.com").await;
    let bob_ws = personal(&app, &bob).await;
    upload(&app, &bob, bob_ws, 9).await;

    let resp = app.submit(&ann, "/home/settings/data/export", &[]).await;
    assert!(location(&resp).contains("done=export_requested"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let href = loop {
        let html = page(&app, &ann, "/home/settings/data").await;
        if let Some(id) = html
            .split("href=\"/home/settings/data/exports/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            break format!("/home/settings/data/exports/{id}");
        }
        assert!(Instant::now() < deadline, "the export never got ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        app.last_mail_to("ann@example.com").await.kind,
        "export_ready"
    );

    // Only Ann can fetch it.
    let resp = bob.get(app.url(&href)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        new_client()
            .get(app.url(&href))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER,
        "a stranger is sent to log in"
    );
    let resp = ann.get(app.url(&href)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"herald-data-")
    );
    let archive = resp.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive.clone())).unwrap();

    let account = json_entry(&mut zip, "account.json");
    assert_eq!(account["user"]["email"], "ann@example.com");
    assert_eq!(account["consents"].as_array().unwrap().len(), 2);
    assert!(!account["sessions"].as_array().unwrap().is_empty());
    let audit = json_entry(&mut zip, "audit.json");
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "login"),
        "{audit}"
    );
    let dir = format!("workspaces/{ws}");
    let posts = json_entry(&mut zip, &format!("{dir}/posts.json"));
    assert!(posts.to_string().contains("Our summer party, in pictures"));
    let connections = json_entry(&mut zip, &format!("{dir}/connections.json"));
    assert_eq!(connections[0]["id"], tiktok.as_str());
    let hooks = json_entry(&mut zip, &format!("{dir}/webhook_endpoints.json"));
    assert_eq!(hooks[0]["url"], "http://127.0.0.1:9/crm-hook");
    let studio = json_entry(&mut zip, &format!("{dir}/studio.json"));
    for part in ["templates", "pillars", "drafts", "generations"] {
        assert!(studio[part].is_array(), "{part}: {studio}");
    }
    let library = json_entry(&mut zip, &format!("{dir}/media.json"));
    assert_eq!(library.as_array().unwrap().len(), 1);
    assert_eq!(library[0]["id"], media.as_str());
    let file = library[0]["file"].as_str().unwrap().to_owned();
    assert_eq!(file, format!("media/{media}-summer party.jpg"));
    assert_eq!(entry(&mut zip, &format!("{dir}/{file}")), bytes);
    // Never a token or a secret, and nothing of Bob's.
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains(&format!("workspaces/{bob_ws}/"))),
        "{names:?}"
    );
    let text = String::from_utf8_lossy(&archive).to_lowercase();
    for secret in [
        "access_token",
        "refresh_token",
        "whsec_",
        "password_hash",
        "bob@example.com",
    ] {
        assert!(!text.contains(secret), "the archive holds {secret}");
    }

    // A week on, the archive is gone.
    let files = std::fs::read_dir(app.data_dir.join("media").join("exports"))
        .map_or(0, std::iter::Iterator::count);
    assert_eq!(files, 1, "the archive is in the media storage");
    clock.advance(jiff::SignedDuration::from_hours(7 * 24 + 1));
    sweep_until(&app, "the expired export goes", || async {
        scalar(&app, "SELECT COUNT(*) FROM data_exports WHERE id <> $1", "").await == 0
    })
    .await;
    assert_eq!(
        std::fs::read_dir(app.data_dir.join("media").join("exports"))
            .unwrap()
            .count(),
        0,
        "the archive file went too"
    );
    app.log_in(&ann, "ann@example.com").await;
    let resp = ann.get(app.url(&href)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_account_waits_out_its_grace_period_then_goes_as_the_person_chose() {
    deletion_case(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_deleting_an_account_works_the_same() {
    deletion_case(Backend::Postgres).await;
}

async fn deletion_case(backend: Backend) {
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let app = spawn_app_with_clock(
        backend,
        &[("HERALD_WEBHOOK_ALLOW_PRIVATE", "true")],
        clock.clone(),
    )
    .await;
    // Ann's personal workspace, where Bob works too.
    let ann = app.signed_in("ann@example.com").await;
    let bob = app.signed_in("bob@example.com").await;
    let ann_ws = personal(&app, &ann).await;
    join(&app, &ann, ann_ws, &bob, "bob@example.com", "editor").await;
    let tiktok = crate::posts::connect(&app, &ann, "tiktok").await;
    draft(&app, &ann, ann_ws, &tiktok, "Stays with Bob").await;
    // Cid's workspace, which Cid handed to Ann before leaving; Dan is in it.
    let cid = app.signed_in("cid@example.com").await;
    let dan = app.signed_in("dan@example.com").await;
    let cid_ws = personal(&app, &cid).await;
    join(&app, &cid, cid_ws, &ann, "ann@example.com", "admin").await;
    join(&app, &cid, cid_ws, &dan, "dan@example.com", "viewer").await;
    let ann_id = user_id(&app, &ann).await;
    let resp = app
        .submit(
            &cid,
            &format!("/workspaces/{cid_ws}/members/{ann_id}/role"),
            &[("role", "owner")],
        )
        .await;
    assert!(location(&resp).contains("done="), "{}", location(&resp));
    let cid_id = user_id(&app, &cid).await;
    let resp = app
        .submit(
            &cid,
            &format!("/workspaces/{cid_ws}/members/{cid_id}/remove"),
            &[],
        )
        .await;
    assert!(location(&resp).contains("done="), "{}", location(&resp));
    upload(&app, &ann, cid_ws, 3).await;
    endpoint(&app, &ann, cid_ws, "http://127.0.0.1:9/cid-hook").await;
    connect_in(&app, &ann, cid_ws, "ann-at-cids").await;
    let bob_id = user_id(&app, &bob).await;
    let dan_id = user_id(&app, &dan).await;

    // The page asks for a decision about both shared workspaces.
    let html = page(&app, &ann, "/home/settings/data").await;
    assert!(html.contains(&format!("name=\"fate_{ann_ws}\"")), "{html}");
    assert!(html.contains(&format!("name=\"fate_{cid_ws}\"")));
    // Bad input changes nothing.
    let hand_ann = format!("hand_over:{bob_id}");
    let fate_ann = format!("fate_{ann_ws}");
    let fate_cid = format!("fate_{cid_ws}");
    for (form, code) in [
        (
            vec![
                ("password", "not my password"),
                (fate_ann.as_str(), hand_ann.as_str()),
                (fate_cid.as_str(), "delete"),
            ],
            "invalid_credentials",
        ),
        (
            vec![
                ("password", PASSWORD),
                (fate_ann.as_str(), hand_ann.as_str()),
            ],
            "deletion_plan_incomplete",
        ),
        (
            vec![
                ("password", PASSWORD),
                (fate_ann.as_str(), &format!("hand_over:{dan_id}")),
                (fate_cid.as_str(), "delete"),
            ],
            "handover_not_member",
        ),
        (
            vec![
                ("password", PASSWORD),
                (fate_ann.as_str(), "keep it"),
                (fate_cid.as_str(), "delete"),
            ],
            "deletion_plan_invalid",
        ),
    ] {
        let resp = app
            .submit(&ann, "/home/settings/data/delete-account", &form)
            .await;
        assert!(
            location(&resp).ends_with(&format!("error={code}")),
            "{code}: {}",
            location(&resp)
        );
        assert_eq!(
            scalar(
                &app,
                "SELECT COUNT(*) FROM account_deletions WHERE $1 = $1",
                ""
            )
            .await,
            0
        );
    }

    // Asked for: signed out everywhere, told by mail, still there.
    let form = [
        ("password", PASSWORD),
        (fate_ann.as_str(), hand_ann.as_str()),
        (fate_cid.as_str(), "delete"),
    ];
    let resp = app
        .submit(&ann, "/home/settings/data/delete-account", &form)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let farewell = resp.text().await.unwrap();
    assert!(farewell.contains("data-deletion-scheduled"), "{farewell}");
    assert_eq!(
        ann.get(app.url("/home")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );
    assert_eq!(
        app.last_mail_to("ann@example.com").await.kind,
        "deletion_scheduled"
    );
    // Ann changes her mind, then asks again.
    app.log_in(&ann, "ann@example.com").await;
    let html = page(&app, &ann, "/home/settings/data").await;
    assert!(html.contains("data-pending-deletion"));
    let resp = app
        .submit(&ann, "/home/settings/data/cancel-deletion", &[])
        .await;
    assert!(location(&resp).contains("done=deletion_cancelled"));
    clock.advance(jiff::SignedDuration::from_hours(15 * 24));
    sweep_until(&app, "a sweep after a cancelled deletion", || async {
        scalar(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state <> 'done'",
            "herald.retention.v1",
        )
        .await
            <= 1
    })
    .await;
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM users WHERE email = $1",
            "ann@example.com"
        )
        .await,
        1,
        "a cancelled deletion deletes nothing"
    );
    // (A fortnight idle ended her session.)
    app.log_in(&ann, "ann@example.com").await;
    let resp = app
        .submit(&ann, "/home/settings/data/delete-account", &form)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);

    // 13 days on nothing has happened; after 14 it has.
    clock.advance(jiff::SignedDuration::from_hours(13 * 24));
    sweep_until(&app, "the sweep of day 13", || async {
        scalar(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state <> 'done'",
            "herald.retention.v1",
        )
        .await
            <= 1
    })
    .await;
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM users WHERE email = $1",
            "ann@example.com"
        )
        .await,
        1
    );
    clock.advance(jiff::SignedDuration::from_hours(25));
    sweep_until(&app, "Ann's account goes", || async {
        scalar(
            &app,
            "SELECT COUNT(*) FROM users WHERE email = $1",
            "ann@example.com",
        )
        .await
            == 0
    })
    .await;

    // Her workspace is Bob's now, with its post and connection.
    app.log_in(&bob, "bob@example.com").await;
    app.log_in(&dan, "dan@example.com").await;
    assert_eq!(workspace_named(&app, &bob, "ann").await, ann_ws);
    let members = page(&app, &bob, &format!("/home/settings?workspace={ann_ws}")).await;
    assert!(!members.contains("ann@example.com"));
    let resp = bob
        .get(app.url(&format!("/api/posts?workspace={ann_ws}&queue=drafts")))
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().contains("Stays with Bob"));
    let owners = scalar(
        &app,
        "SELECT COUNT(*) FROM memberships WHERE role = 'owner' AND workspace_id = CAST($1 AS BIGINT)",
        &ann_ws.to_string(),
    )
    .await;
    assert_eq!(owners, 1);
    // Cid's former workspace is gone, with its media, files and endpoint.
    for table in [
        "workspaces",
        "media",
        "outbound_endpoints",
        "memberships",
        "connections",
    ] {
        let column = if table == "workspaces" {
            "id"
        } else {
            "workspace_id"
        };
        let left = scalar(
            &app,
            &format!("SELECT COUNT(*) FROM {table} WHERE {column} = CAST($1 AS BIGINT)"),
            &cid_ws.to_string(),
        )
        .await;
        assert_eq!(left, 0, "{table} of the deleted workspace");
    }
    assert!(
        !me(&app, &dan).await["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["id"] == cid_ws)
    );
    // Ann is out of every record but the anonymous audit trail.
    for (sql, what) in [
        (
            "SELECT COUNT(*) FROM audit_events WHERE subject = $1",
            "audit subjects",
        ),
        (
            "SELECT COUNT(*) FROM invites WHERE email = $1",
            "invitations",
        ),
        (
            "SELECT COUNT(*) FROM consents c JOIN users u ON u.id = c.user_id WHERE u.email = $1",
            "consents",
        ),
    ] {
        assert_eq!(scalar(&app, sql, "ann@example.com").await, 0, "{what}");
    }
    assert!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = $1",
            "account.deleted"
        )
        .await
            == 1
    );
    let resp = app
        .submit(
            &new_client(),
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "Ann cannot log in");
    app.stop().await;
}

#[tokio::test]
async fn an_owner_deletes_a_workspace_at_once_and_nobody_else_can() {
    let app = spawn_app().await;
    let ann = app.signed_in("owner@example.com").await;
    let eve = app.signed_in("admin@example.com").await;
    let ws = personal(&app, &eve).await;
    // Eve's workspace, handed to Ann; Eve stays as an admin.
    join(&app, &eve, ws, &ann, "owner@example.com", "admin").await;
    let ann_id = user_id(&app, &ann).await;
    app.submit(
        &eve,
        &format!("/workspaces/{ws}/members/{ann_id}/role"),
        &[("role", "owner")],
    )
    .await;
    let eve_id = user_id(&app, &eve).await;
    let resp = app
        .submit(
            &ann,
            &format!("/workspaces/{ws}/members/{eve_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert!(location(&resp).contains("done="), "{}", location(&resp));
    connect_in(&app, &ann, ws, "ann-at-eves").await;
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM connections WHERE workspace_id = CAST($1 AS BIGINT)",
            &ws.to_string()
        )
        .await,
        1
    );

    // An admin may not; a wrong name changes nothing; her own personal
    // workspace cannot go on its own.
    let resp = app
        .submit(
            &eve,
            &format!("/workspaces/{ws}/delete"),
            &[("confirm", "eve")],
        )
        .await;
    assert!(
        location(&resp).ends_with("error=forbidden"),
        "{}",
        location(&resp)
    );
    let resp = app
        .submit(
            &ann,
            &format!("/workspaces/{ws}/delete"),
            &[("confirm", "evee")],
        )
        .await;
    assert!(
        location(&resp).ends_with("error=workspace_name_mismatch"),
        "{}",
        location(&resp)
    );
    let own = personal(&app, &ann).await;
    let resp = app
        .submit(
            &ann,
            &format!("/workspaces/{own}/delete"),
            &[("confirm", "owner")],
        )
        .await;
    assert!(
        location(&resp).ends_with("error=workspace_personal"),
        "{}",
        location(&resp)
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM workspaces WHERE id = CAST($1 AS BIGINT)",
            &ws.to_string()
        )
        .await,
        1
    );

    let resp = app
        .submit(
            &ann,
            &format!("/workspaces/{ws}/delete"),
            &[("confirm", "admin")],
        )
        .await;
    assert!(
        location(&resp).contains("done=workspace_deleted"),
        "{}",
        location(&resp)
    );
    for (table, column) in [
        ("workspaces", "id"),
        ("connections", "workspace_id"),
        ("memberships", "workspace_id"),
    ] {
        let left = scalar(
            &app,
            &format!("SELECT COUNT(*) FROM {table} WHERE {column} = CAST($1 AS BIGINT)"),
            &ws.to_string(),
        )
        .await;
        assert_eq!(left, 0, "{table}");
    }
    assert!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = $1",
            "workspace.deleted"
        )
        .await
            == 1
    );
    app.stop().await;
}
