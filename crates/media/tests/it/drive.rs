//! Google Drive import against the sandbox's Drive on loopback: a token
//! with Drive access from the sandbox's consent form, files listed,
//! imported in ranged parts, Google Docs refused; and the import job run by
//! a worker with the token of a stored connection.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_accounts::sessions::DbSessions;
use herald_accounts::{Accounts, BoxError, Letter, Mailbox, Settings};
use herald_connections::Connections;
use herald_connections::vault::{KeyId, Vault};
use herald_core::{Clock, ManualClock, SignedDuration};
use herald_db::testing::TestDb;
use herald_db::{Tx, on_pool};
use herald_jobs::{Queue, Registry, Worker, WorkerOptions};
use herald_media::jobs::{ImportDrive, enqueue_import, register};
use herald_media::{ListFilter, MediaError, Origin};
use herald_platforms::drive::Drive;
use herald_platforms::{ClientOptions, Hosts, MediaKind, PlatformClient, Providers, Secret};
use herald_sandbox::{Sandbox, SandboxConfig};

use crate::helpers::*;

const REDIRECT: &str = "https://herald.example/oauth/youtube/callback";
const DRIVE_READ: &str = "https://www.googleapis.com/auth/drive.readonly";

struct Google {
    sandbox: Sandbox,
    base: String,
    clock: Arc<ManualClock>,
}

async fn google() -> Google {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let clock = Arc::new(ManualClock::new(start()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::new(SandboxConfig::new(base.clone()), clock.clone()).unwrap();
    let router = sandbox.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Google {
        sandbox,
        base,
        clock,
    }
}

impl Google {
    /// Consents as the sandbox user `demo` to Drive read access and
    /// exchanges the code: a Google access token.
    async fn token(&self) -> String {
        let app = &self.sandbox.config().google;
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let scopes = format!("openid {DRIVE_READ}");
        let params = [
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", scopes.as_str()),
            ("state", "s"),
            ("access_type", "offline"),
        ];
        let authorize = format!("{}/accounts.google.com/o/oauth2/v2/auth", self.base);
        let page = browser.get(&authorize).query(&params).send().await.unwrap();
        assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.extend([
            ("sandbox_user", "demo"),
            ("decision", "allow"),
            ("grant", "openid"),
            ("grant", DRIVE_READ),
        ]);
        let consent = browser.post(&authorize).form(&form).send().await.unwrap();
        assert_eq!(consent.status(), 303);
        let location = consent.headers()["location"].to_str().unwrap().to_owned();
        let code = url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .expect("a code");
        let token: serde_json::Value = browser
            .post(format!("{}/oauth2.googleapis.com/token", self.base))
            .form(&[
                ("code", code.as_str()),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        token["access_token"].as_str().expect("a token").to_owned()
    }

    fn client(&self) -> PlatformClient {
        PlatformClient::new(
            self.clock.clone(),
            ClientOptions {
                base_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(20),
                ..ClientOptions::default()
            },
        )
        .unwrap()
    }

    fn drive(&self) -> Drive {
        Drive::new(self.client(), Hosts::sandbox(&self.base))
    }
}

async fn library(t: TestDb, google: &Google, chunk: u64) -> TestLib {
    TestLib::with(t, |c| c.drive_chunk = chunk, Some(google.drive())).await
}

#[tokio::test]
async fn drive_files_are_listed_and_imported_in_ranged_parts() {
    let google = google().await;
    let token = Secret::new(google.token().await);
    let lib = library(TestDb::sqlite().await, &google, 64 << 10).await;

    let listed = lib.media.drive_files(&token, None, None).await.unwrap();
    let names: Vec<&str> = listed.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(listed.files.len(), 5, "{names:?}");
    assert!(!names.contains(&"Caption ideas"), "only images and videos");
    let searched = lib
        .media
        .drive_files(&token, None, Some("tour"))
        .await
        .unwrap();
    assert_eq!(searched.files.len(), 1);
    let tour = &searched.files[0];
    assert_eq!(tour.name, "bakery-tour.mp4");
    let size = tour.size.unwrap();

    let before = google.sandbox.calls("drive.files_get");
    let video = lib
        .media
        .import_from_drive(&lib.auth(lib.workspace).await, &token, &tour.id)
        .await
        .unwrap();
    let requests = google.sandbox.calls("drive.files_get") - before;
    // One metadata read, then one request per 64 KiB part.
    assert_eq!(requests, 1 + size.div_ceil(64 << 10));
    assert_eq!(video.size, size);
    assert_eq!(video.kind, MediaKind::Video);
    assert_eq!(video.origin, Origin::Drive(tour.id.clone()));
    // The sandbox's MP4s carry no movie header: Drive's metadata fills in.
    assert_eq!(video.duration_ms, Some(15_000));
    assert_eq!((video.width, video.height), (Some(1080), Some(1920)));
    assert!(files_under(&lib.temp_dir).is_empty());

    let png = listed
        .files
        .iter()
        .find(|f| f.name == "croissants.png")
        .unwrap();
    let image = lib
        .media
        .import_from_drive(&lib.auth(lib.workspace).await, &token, &png.id)
        .await
        .unwrap();
    assert_eq!(image.mime, "image/png");
    assert_eq!((image.width, image.height), (Some(96), Some(64)));
    assert!(image.thumbnail_key.is_some());
    assert_eq!(image.filename, "croissants.png");
    // Importing again finds the same content.
    let again = lib
        .media
        .import_from_drive(&lib.auth(lib.workspace).await, &token, &png.id)
        .await
        .unwrap();
    assert_eq!(again.id, image.id);
}

#[tokio::test]
async fn google_docs_and_unknown_files_are_refused_and_nothing_is_stored() {
    let google = google().await;
    let token = Secret::new(google.token().await);
    let lib = library(TestDb::sqlite().await, &google, 1 << 20).await;
    let doc_id = {
        let raw: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/www.googleapis.com/drive/v3/files", google.base))
            .bearer_auth(token.expose())
            .query(&[("q", "name = 'Caption ideas'")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        raw["files"][0]["id"].as_str().unwrap().to_owned()
    };
    let err = lib
        .media
        .import_from_drive(&lib.auth(lib.workspace).await, &token, &doc_id)
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::NotDownloadable(_)), "{err}");
    assert_eq!(err.code(), "media_not_downloadable");
    let err = lib
        .media
        .import_from_drive(&lib.auth(lib.workspace).await, &token, "1nosuchfile")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::Drive(e) if e.code.as_deref() == Some("notFound")),
        "{err}"
    );
    assert_eq!(lib.media_rows().await, 0);
    assert!(files_under(&lib.media_dir).is_empty());

    // Without a Google app there is no Drive at all.
    let plain = TestLib::new(TestDb::sqlite().await).await;
    assert!(matches!(
        plain.media.drive_files(&token, None, None).await,
        Err(MediaError::DriveUnavailable)
    ));
}

struct NoMail;

#[async_trait]
impl Mailbox for NoMail {
    async fn post(&self, _tx: &mut Tx, _letter: Letter) -> Result<(), BoxError> {
        Ok(())
    }
}

/// Stores a Google connection of `workspace` holding `token`, sealed as the
/// connections service seals it.
async fn store_connection(lib: &TestLib, vault: &Vault, token: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let plain = serde_json::json!({"access_token": token, "refresh_token": null});
    let (key, sealed) = vault
        .seal(&serde_json::to_vec(&plain).unwrap(), &id)
        .unwrap();
    let now = lib.clock.now().as_microsecond();
    on_pool!(&lib.db.db, |pool| {
        sqlx::query(
            "INSERT INTO connections (id, workspace_id, provider, kind, remote_id, name, status, \
             key_id, secrets, access_expires_at, issued_at, created_at, updated_at) \
             VALUES ($1, $2, 'youtube', 'youtube_channel', 'UCx', 'Demo', 'active', $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(lib.workspace.0)
        .bind(i64::from(key.0))
        .bind(sealed)
        .bind(now + 3_599_000_000)
        .bind(now)
        .bind(now)
        .bind(now)
        .execute(pool)
        .await
        .unwrap()
        .rows_affected()
    });
    id
}

#[tokio::test]
async fn the_import_job_takes_the_connections_token_and_runs_once_per_file() {
    let google = google().await;
    let token = google.token().await;
    let lib = library(TestDb::sqlite().await, &google, 1 << 20).await;
    let db = lib.db.db.clone();
    let clock: Arc<dyn Clock> = lib.clock.clone();
    let queue = Queue::new(db.clone(), clock.clone());
    let vault = Arc::new(Vault::in_memory(&[(KeyId(1), [7; 32])]));
    let accounts = Accounts::new(
        db.clone(),
        clock.clone(),
        Arc::new(herald_ratelimit::InProcessLimiter::new(clock.clone())),
        Arc::new(DbSessions::new(db.clone())),
        Arc::new(NoMail),
        Settings::new(PUBLIC),
    );
    let connections = Connections::new(
        db.clone(),
        queue.clone(),
        Providers::default(),
        vault.clone(),
        accounts,
        PUBLIC,
        "a session secret of at least thirty-two characters",
    );
    let connection = store_connection(&lib, &vault, &token).await;
    let file = lib
        .media
        .drive_files(&Secret::new(token.clone()), None, Some("storefront"))
        .await
        .unwrap()
        .files
        .remove(0);

    let job = ImportDrive {
        workspace: lib.workspace.0,
        user: lib.user.0,
        connection: connection.clone().into(),
        file: file.id.clone(),
    };
    let first = enqueue_import(&queue, &job).await.unwrap();
    let second = enqueue_import(&queue, &job).await.unwrap();
    assert_eq!(first.id(), second.id(), "one job per file while it waits");
    let mut registry = Registry::new();
    register(&mut registry, lib.media.clone(), connections);
    let worker = Worker::new(queue.clone(), registry, WorkerOptions::default());
    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert!(
        queue.get(first.id()).await.unwrap().is_none(),
        "done and gone"
    );
    let page = lib
        .media
        .list(&lib.auth(lib.workspace).await, &ListFilter::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].filename, "storefront.png");
    assert_eq!(page.items[0].origin, Origin::Drive(file.id.clone()));

    // A job for a connection that no longer exists gives up at once.
    let gone = ImportDrive {
        connection: "no-such-connection".into(),
        ..job
    };
    let id = enqueue_import(&queue, &gone).await.unwrap().id();
    lib.clock.advance(SignedDuration::from_secs(1));
    worker.run_due().await.unwrap();
    let record = queue.get(id).await.unwrap().expect("kept as dead");
    assert_eq!(record.state, herald_jobs::JobState::Dead);
    assert!(
        record
            .last_error
            .unwrap()
            .contains("connection was removed"),
        "permanent failure"
    );
}
