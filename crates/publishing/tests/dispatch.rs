//! Dispatch end to end: the publishing service, the real job queue and
//! worker, the real platform adapters and the sandbox simulators (served
//! on loopback, on a hand-moved clock). Posts go to an Instagram business
//! account, a Facebook Page, a TikTok account and a YouTube channel.
//!
//! - Every target is published exactly once, proven by the simulators' own
//!   records, with a receipt per attempt and outbox events.
//! - With "accepted but the response was lost", 5xx and 429 injected at
//!   every step of every provider's flow, each target still ends
//!   published exactly once.
//! - A worker killed in the middle of a publish (its task dropped while a
//!   platform call is in flight) and a new worker after the lease expired
//!   give the same result.
//! - A dead token ends the target failed with "reconnect".
//! - A post waiting for approval never goes out, even when a job for it
//!   comes due; when its time comes it is held and the author and the
//!   approvers are told; once another approver approves it, it goes out
//!   exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use herald_accounts::sessions::DbSessions;
use herald_accounts::{
    Accounts, Authorized, BoxError, Letter, Mailbox, Permission, RequestMeta, Settings, User,
};
use herald_connections::vault::{KeyId, Vault};
use herald_connections::{CallbackParams, Completed, ConnectionView, Connections};
use herald_core::{Clock, ManualClock, Named, PostId, SignedDuration, Timestamp, UserId};
use herald_db::testing::TestDb;
use herald_db::{Tx, on_both_backends};
use herald_events::Outbox;
use herald_jobs::{Queue, Registry, Worker, WorkerOptions};
use herald_platforms::{
    AccountKind, AppConfig, ClientOptions, Hosts, MediaItem, MediaKind, MediaSource,
    PlatformClient, PlatformsConfig, PostFormat, ProviderId, Providers, PublishLimits, Publishers,
    Secret,
};
use herald_publishing::{
    ApprovalMode, ApprovalPolicy, FailureKind, MediaCatalog, PostInput, PostNews, PostNewsKind,
    PostView, PublishError, Publishing, ReviewState, TargetInput, TargetStatus, TeamNotifier,
    Variant, When,
};
use herald_ratelimit::InProcessLimiter;
use herald_sandbox::{Fault, FaultKind, Limits, Platform, Sandbox, SandboxConfig};

#[derive(Default)]
struct Letters(Mutex<Vec<Letter>>);

/// One piece of news: what, to whom, caused by whom.
type Told = (PostNewsKind, Vec<UserId>, Option<String>);

/// What publishing told whom, in order.
#[derive(Default)]
struct News(Mutex<Vec<Told>>);

#[async_trait]
impl TeamNotifier for News {
    async fn tell(&self, _tx: &mut Tx, news: &PostNews<'_>) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push((news.kind, news.to.to_vec(), news.by.map(str::to_owned)));
        Ok(())
    }
}

#[async_trait]
impl Mailbox for Letters {
    async fn post(&self, _tx: &mut Tx, letter: Letter) -> Result<(), BoxError> {
        self.0.lock().unwrap().push(letter);
        Ok(())
    }
}

const PASSWORD: &str = "violet lantern across the fjord";

// ------------------------------------------------------------------ media

type Files = Arc<HashMap<String, (String, Vec<u8>)>>;

/// The media port served from memory on loopback: what the platforms pull
/// (`/media/{id}`) and what Herald uploads.
struct TestMedia {
    files: Files,
    base: String,
}

async fn serve_file(State(files): State<Files>, Path(id): Path<String>) -> impl IntoResponse {
    match files.get(&id) {
        Some((mime, bytes)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, mime.clone())],
            bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl TestMedia {
    async fn start() -> Arc<TestMedia> {
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
        ];
        jpeg.resize(40_000, 0x42);
        let mut mp4 = vec![
            0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm',
        ];
        mp4.resize(700_000, 0x17);
        let files: Files = Arc::new(
            [
                ("img".to_owned(), ("image/jpeg".to_owned(), jpeg)),
                ("vid".to_owned(), ("video/mp4".to_owned(), mp4)),
            ]
            .into_iter()
            .collect(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .route("/media/{id}", axum::routing::get(serve_file))
            .with_state(files.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Arc::new(TestMedia { files, base })
    }

    fn item(&self, id: &str) -> MediaItem {
        let (mime, bytes) = &self.files[id];
        let video = mime.starts_with("video/");
        MediaItem {
            id: id.to_owned(),
            kind: if video {
                MediaKind::Video
            } else {
                MediaKind::Image
            },
            mime: mime.clone(),
            size: bytes.len() as u64,
            width: Some(1080),
            height: Some(if video { 1920 } else { 1350 }),
            duration_ms: video.then_some(12_000),
            url: format!("{}/media/{id}", self.base),
        }
    }
}

#[async_trait]
impl MediaSource for TestMedia {
    async fn read(&self, item: &MediaItem, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        let bytes = &self.files[&item.id].1;
        let start = (offset as usize).min(bytes.len());
        let end = (start + len as usize).min(bytes.len());
        Ok(bytes[start..end].to_vec())
    }
}

struct Catalog(Arc<TestMedia>);

#[async_trait]
impl MediaCatalog for Catalog {
    async fn lookup(
        &self,
        _workspace: i64,
        ids: &[String],
        _ttl: SignedDuration,
    ) -> Result<Vec<Option<MediaItem>>, String> {
        Ok(ids
            .iter()
            .map(|id| self.0.files.contains_key(id).then(|| self.0.item(id)))
            .collect())
    }

    fn source(&self) -> Arc<dyn MediaSource> {
        self.0.clone()
    }
}

// ------------------------------------------------------------------ setup

struct Setup {
    publishing: Publishing,
    queue: Queue,
    registry: Registry,
    sandbox: Sandbox,
    clock: Arc<ManualClock>,
    /// The owner's proof for their workspace.
    auth: Authorized,
    accounts: Vec<ConnectionView>,
    db: herald_db::Db,
    users: Accounts,
    news: Arc<News>,
    letters: Arc<Letters>,
    connections: Connections,
}

async fn setup(t: &TestDb) -> Setup {
    setup_with(t, |_| {}).await
}

/// [`setup`] with its publishers changed by `adjust` (a wrapper that
/// plays a platform's answer the sandbox has no switch for).
async fn setup_with(t: &TestDb, adjust: impl FnOnce(&mut Publishers)) -> Setup {
    setup_full(t, PublishLimits::default(), |_| {}, adjust).await
}

/// [`setup_with`] and the operator's publishing `limits`.
async fn setup_limited(
    t: &TestDb,
    limits: PublishLimits,
    adjust: impl FnOnce(&mut Publishers),
) -> Setup {
    setup_full(t, limits, |_| {}, adjust).await
}

/// [`setup`] with the sandbox's configuration changed by `configure`.
async fn setup_sandbox(t: &TestDb, configure: impl FnOnce(&mut SandboxConfig)) -> Setup {
    setup_full(t, PublishLimits::default(), configure, |_| {}).await
}

async fn setup_full(
    t: &TestDb,
    limits: PublishLimits,
    configure: impl FnOnce(&mut SandboxConfig),
    adjust: impl FnOnce(&mut Publishers),
) -> Setup {
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_800_000_000).unwrap(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = SandboxConfig::new(base.clone());
    config.limits = Limits {
        // These tests post to the one TikTok account far more often than
        // TikTok's daily cap allows; the cap has tests of its own.
        tiktok_posts_per_user_per_day: 1_000,
        ..Limits::default()
    };
    configure(&mut config);
    let sandbox = Sandbox::new(config, clock.clone()).unwrap();
    let router = sandbox.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let letters = Arc::new(Letters::default());
    let accounts = Accounts::new(
        t.db.clone(),
        clock.clone(),
        Arc::new(InProcessLimiter::new(clock.clone())),
        Arc::new(DbSessions::new(t.db.clone())),
        letters.clone(),
        Settings::new("https://herald.example"),
    );
    let meta = RequestMeta::default();
    accounts
        .sign_up(
            "ida@example.com",
            PASSWORD,
            "Ida",
            "en",
            "2026-12-07",
            &meta,
        )
        .await
        .unwrap();
    let link = letters.0.lock().unwrap().last().unwrap().link.clone();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    accounts.verify_email(&token, &meta).await.unwrap();
    let (session_token, _) = accounts
        .log_in("ida@example.com", PASSWORD, &meta)
        .await
        .unwrap();
    let authed = accounts
        .session(session_token.expose())
        .await
        .unwrap()
        .unwrap();
    let workspace = accounts.workspaces(&authed.user).await.unwrap()[0].id;
    let auth = accounts
        .require(&authed.user, workspace, Permission::ManageConnections)
        .await
        .unwrap();

    // Short client timeouts so a lost answer is noticed in milliseconds.
    let client = PlatformClient::new(
        clock.clone(),
        ClientOptions {
            connect_timeout: Duration::from_secs(1),
            read_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(3),
            max_attempts: 2,
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_wait: Duration::from_millis(100),
        },
    )
    .unwrap();
    let c = sandbox.config();
    let app = |creds: &herald_sandbox::AppCredentials| AppConfig {
        client_id: creds.client_id.clone(),
        client_secret: Secret::new(creds.client_secret.clone()),
        hosts: Hosts::sandbox(base.clone()),
    };
    let apps = PlatformsConfig {
        facebook: Some(app(&c.meta)),
        instagram: Some(app(&c.instagram)),
        tiktok: Some(app(&c.tiktok)),
        youtube: Some(app(&c.google)),
    };
    let providers = Providers::new(&apps, &client);
    let mut publishers = Publishers::with_limits(&apps, &client, limits);
    adjust(&mut publishers);
    let queue = Queue::new(t.db.clone(), clock.clone());
    let connections = Connections::new(
        t.db.clone(),
        queue.clone(),
        providers,
        Arc::new(Vault::in_memory(&[(KeyId(1), [9; 32])])),
        accounts.clone(),
        "https://herald.example",
        "a session secret of at least thirty-two characters",
    );
    for provider in [
        ProviderId::Facebook,
        ProviderId::TikTok,
        ProviderId::YouTube,
    ] {
        connect(
            &connections,
            &authed.user,
            &authed.session_id,
            &auth,
            provider,
        )
        .await;
    }
    let connected = connections.list(&auth, None).await.unwrap();
    let media = TestMedia::start().await;
    let news = Arc::new(News::default());
    let publishing = Publishing::new(
        t.db.clone(),
        queue.clone(),
        connections.clone(),
        Arc::new(Catalog(media)),
        publishers,
        Outbox::new(t.db.clone(), clock.clone()),
        news.clone(),
    );
    let mut registry = Registry::new();
    herald_publishing::register(&mut registry, publishing.clone());
    Setup {
        publishing,
        queue,
        registry,
        sandbox,
        clock,
        auth,
        accounts: connected,
        db: t.db.clone(),
        users: accounts,
        news,
        letters,
        connections,
    }
}

/// Goes through the consent page as shown (every scope, every Page) and
/// connects every account offered.
async fn connect(
    connections: &Connections,
    user: &User,
    session: &str,
    auth: &Authorized,
    provider: ProviderId,
) {
    let authorize = connections
        .start(user, Some(session), auth, provider, false)
        .await
        .unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = browser
        .get(authorize.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for chunk in html.split("<input").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        let get = |a: &str| {
            let n = format!(" {a}=\"");
            tag.find(&n).map(|i| {
                let rest = &tag[i + n.len()..];
                rest[..rest.find('"').unwrap()].replace("&amp;", "&")
            })
        };
        let Some(name) = get("name") else { continue };
        if tag.contains("type=\"checkbox\"")
            && (!tag.contains(" checked") || tag.contains(" disabled"))
        {
            continue;
        }
        form.push((name, get("value").unwrap_or_default()));
    }
    form.push(("decision".into(), "allow".into()));
    let action = authorize.as_str().split('?').next().unwrap().to_owned();
    let resp = browser.post(action).form(&form).send().await.unwrap();
    let location = resp.headers()["location"]
        .to_str()
        .unwrap()
        .replace("#_", "");
    let back = url::Url::parse(&location).unwrap();
    let param = |k: &str| {
        back.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    let completed = connections
        .complete(
            user,
            Some(session),
            provider,
            &CallbackParams {
                state: param("state"),
                code: param("code"),
                ..CallbackParams::default()
            },
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    if let Completed::Choose { attempt } = completed {
        let (_, choices) = connections
            .choices(user, Some(session), &attempt)
            .await
            .unwrap();
        let keys: Vec<String> = choices.into_iter().map(|c| c.key).collect();
        connections
            .choose(
                user,
                Some(session),
                &attempt,
                &keys,
                &RequestMeta::default(),
            )
            .await
            .unwrap();
    }
}

impl Setup {
    fn account(&self, kind: AccountKind) -> &ConnectionView {
        self.accounts
            .iter()
            .find(|a| a.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} connected"))
    }

    /// One post to four accounts: an Instagram image, a Facebook text
    /// post, a TikTok video and a YouTube video, captions tagged `tag`.
    fn post(&self, tag: &str) -> Vec<TargetInput> {
        let target = |kind, variant| TargetInput {
            connection_id: self.account(kind).id.clone(),
            variant,
        };
        vec![
            target(
                AccountKind::InstagramBusiness,
                Variant {
                    format: PostFormat::Image,
                    caption: format!("Croissants {tag}"),
                    media: vec!["img".into()],
                    first_comment: Some(format!("first {tag}")),
                    ..Variant::default()
                },
            ),
            target(
                AccountKind::FacebookPage,
                Variant {
                    format: PostFormat::Text,
                    caption: format!("Open today {tag}"),
                    ..Variant::default()
                },
            ),
            target(
                AccountKind::TikTokUser,
                Variant {
                    format: PostFormat::Video,
                    caption: format!("Bakery tour {tag}"),
                    privacy: Some("SELF_ONLY".into()),
                    media: vec!["vid".into()],
                    ..Variant::default()
                },
            ),
            target(
                AccountKind::YouTubeChannel,
                Variant {
                    format: PostFormat::Video,
                    caption: format!("A tour of the bakery {tag}"),
                    title: Some(format!("Bakery tour {tag}")),
                    privacy: Some("private".into()),
                    media: vec!["vid".into()],
                    ..Variant::default()
                },
            ),
        ]
    }

    /// A post to every account, scheduled `ahead` from now (Berlin time).
    async fn schedule_in(&self, ahead: SignedDuration, tag: &str) -> PostView {
        let local = self
            .clock
            .now()
            .checked_add(ahead)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
            .datetime()
            .strftime("%Y-%m-%dT%H:%M")
            .to_string();
        self.publishing
            .create(
                &self.auth,
                PostInput {
                    targets: self.post(tag),
                    when: When::Schedule {
                        schedule: herald_publishing::Schedule::new(local, "Europe/Berlin"),
                    },
                },
            )
            .await
            .unwrap()
    }

    async fn publish_now(&self, tag: &str) -> PostView {
        self.publishing
            .create(
                &self.auth,
                PostInput {
                    targets: self.post(tag),
                    when: When::Now,
                },
            )
            .await
            .unwrap()
    }

    /// A new person who joins the owner's workspace as `role`, and their
    /// proof there.
    async fn member(&self, name: &str, role: &str) -> Authorized {
        let email = format!("{name}@example.com");
        self.users
            .sign_up(
                &email,
                PASSWORD,
                name,
                "en",
                "2026-12-07",
                &RequestMeta::default(),
            )
            .await
            .unwrap();
        let user: UserId = herald_db::on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_one(pool)
                .await
                .unwrap()
        });
        herald_db::on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
                 VALUES ($1, $2, $3, 0)",
            )
            .bind(self.auth.workspace())
            .bind(user)
            .bind(role)
            .execute(pool)
            .await
            .unwrap();
        });
        herald_accounts::shared::authorize(&self.db, user, self.auth.workspace(), Permission::View)
            .await
            .unwrap()
    }

    /// The post to every account, submitted for approval as `auth` at
    /// `ahead` from now (Berlin time).
    async fn submit_in(&self, auth: &Authorized, ahead: SignedDuration, tag: &str) -> PostView {
        let local = self
            .clock
            .now()
            .checked_add(ahead)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
            .datetime()
            .strftime("%Y-%m-%dT%H:%M")
            .to_string();
        self.publishing
            .create(
                auth,
                PostInput {
                    targets: self.post(tag),
                    when: When::Submit {
                        schedule: Some(herald_publishing::Schedule::new(local, "Europe/Berlin")),
                    },
                },
            )
            .await
            .unwrap()
    }

    fn told(&self) -> Vec<Told> {
        self.news.0.lock().unwrap().clone()
    }

    fn worker(&self, id: &str) -> Worker {
        Worker::new(
            self.queue.clone(),
            self.registry.clone(),
            WorkerOptions {
                worker_id: id.to_owned(),
                lease: Duration::from_secs(60),
                ..WorkerOptions::default()
            },
        )
    }

    /// Runs due jobs, moving the clock to the next due job when idle,
    /// until every target of `post` is published, failed or cancelled.
    async fn settle(&self, worker: &Worker, post: &PostId) -> PostView {
        self.settle_as(&self.auth, worker, post).await
    }

    /// [`Setup::settle`] for a post of the workspace `auth` proves.
    async fn settle_as(&self, auth: &Authorized, worker: &Worker, post: &PostId) -> PostView {
        for _ in 0..400 {
            let view = self.publishing.get(auth, post).await.unwrap();
            if view.targets.iter().all(|t| {
                matches!(
                    t.status,
                    TargetStatus::Published | TargetStatus::Failed | TargetStatus::Cancelled
                )
            }) {
                return view;
            }
            let ran = worker.run_due().await.unwrap();
            if ran == 0 {
                // Simulator background work (media fetches) runs in real
                // time; then jump to the next due job.
                tokio::time::sleep(Duration::from_millis(15)).await;
                if let Some(next) = self.queue.next_due("publishing").await.unwrap()
                    && next > self.clock.now()
                {
                    self.clock.set(next);
                }
            }
        }
        panic!("post {post} did not settle");
    }

    /// How many posts carrying `tag` each simulator published, per account.
    fn published_with(&self, tag: &str) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for p in self.sandbox.published() {
            if p.caption.contains(tag) || p.title.as_deref().is_some_and(|t| t.contains(tag)) {
                *counts.entry(p.account_id.clone()).or_default() += 1;
            }
        }
        counts
    }

    fn assert_each_once(&self, view: &PostView, tag: &str) {
        let counts = self.published_with(tag);
        for target in &view.targets {
            assert_eq!(
                target.status,
                TargetStatus::Published,
                "{tag}: {:?} ended {:?}: {:?}",
                target.kind,
                target.status,
                target.error_message
            );
            let account = &self
                .accounts
                .iter()
                .find(|a| Some(&a.id) == target.connection_id.as_ref())
                .unwrap()
                .remote_id;
            assert_eq!(
                counts.get(account).copied().unwrap_or(0),
                1,
                "{tag}: {:?} published exactly once",
                target.kind
            );
            assert!(target.remote_id.is_some(), "{tag}: remote id recorded");
        }
    }
}

/// A publisher that, the first time it is asked, answers as a platform
/// does that takes the post later (a daily cap): `Postponed` with a
/// reason; after that it is the real publisher.
struct PostponesOnce {
    inner: Arc<dyn herald_platforms::Publisher>,
    clock: Arc<ManualClock>,
    asked: Mutex<bool>,
}

#[async_trait]
impl herald_platforms::Publisher for PostponesOnce {
    fn provider(&self) -> ProviderId {
        self.inner.provider()
    }

    async fn step(
        &self,
        request: &herald_platforms::PublishRequest,
        media: &dyn MediaSource,
        progress: &herald_platforms::Progress,
    ) -> Result<herald_platforms::Step, herald_platforms::PlatformError> {
        if !std::mem::replace(&mut *self.asked.lock().unwrap(), true) {
            let until = self.clock.now() + SignedDuration::from_hours(20);
            return Err(herald_platforms::PlatformError::new(
                self.provider(),
                herald_platforms::ErrorKind::Postponed { until },
                "too many posts today",
            )
            .with_code("spam_risk_too_many_posts")
            .with_hint(herald_platforms::Hint {
                code: "test_daily_cap".into(),
                params: [("limit".to_owned(), "15".to_owned())].into(),
            }));
        }
        self.inner.step(request, media, progress).await
    }
}

// ------------------------------------------------------------------ tests

async fn every_provider_publishes_once_with_receipts_and_events(t: TestDb) {
    let s = setup(&t).await;
    let post = s.publish_now("#plain").await;
    let worker = s.worker("w1");
    let view = s.settle(&worker, &post.id).await;
    s.assert_each_once(&view, "#plain");
    for target in &view.targets {
        assert!(
            target
                .permalink
                .as_deref()
                .is_some_and(|p| p.starts_with("https://")),
            "{:?} has a permalink: {:?}",
            target.kind,
            target.permalink
        );
        let receipts = s.publishing.receipts(&s.auth, &target.id).await.unwrap();
        assert_eq!(
            receipts.last().unwrap().outcome,
            herald_publishing::Outcome::Published
        );
    }
    let outbox = Outbox::new(s.db.clone(), s.clock.clone());
    let pending = outbox.pending(100).await.unwrap();
    let subjects: Vec<String> = pending
        .iter()
        .map(|e| e.event.subject.as_str().to_owned())
        .collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.starts_with("platform.publish.request."))
            .count(),
        4,
        "{subjects:?}"
    );
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.starts_with("platform.publish.result."))
            .count(),
        4,
        "{subjects:?}"
    );
}

/// Every step endpoint of every provider's flow.
const STEPS: &[&str] = &[
    "instagram.media_create",
    "instagram.container_status",
    "instagram.media_publish",
    "instagram.media_list",
    "instagram.media_get",
    "instagram.comments",
    "facebook.feed",
    "facebook.object",
    "tiktok.creator_info",
    "tiktok.video_init",
    "tiktok.upload",
    "tiktok.status",
    "youtube.upload_init",
    "youtube.upload_chunk",
];

async fn faults_at_every_step_still_publish_each_target_once(t: TestDb) {
    let s = setup(&t).await;
    let worker = s.worker("w1");
    for endpoint in STEPS {
        for kind in [
            FaultKind::ResponseLost,
            FaultKind::ServerError,
            FaultKind::RateLimited,
        ] {
            let tag = format!(
                "#f{}{}",
                endpoint.replace('.', ""),
                kind.name().replace('_', "")
            );
            s.sandbox.clear_faults();
            s.sandbox.inject(endpoint, Fault::times(kind, 1)).unwrap();
            let post = s.publish_now(&tag).await;
            let view = s.settle(&worker, &post.id).await;
            s.assert_each_once(&view, &tag);
        }
    }
}

async fn a_worker_killed_mid_publish_is_resumed_without_duplicates(t: TestDb) {
    let s = setup(&t).await;
    // The final publish calls hang long enough to kill the worker in them.
    for endpoint in [
        "instagram.media_publish",
        "facebook.feed",
        "tiktok.upload",
        "youtube.upload_chunk",
    ] {
        s.sandbox
            .inject(
                endpoint,
                Fault::times(FaultKind::Slow { delay_ms: 1_500 }, 1),
            )
            .unwrap();
        let post = s
            .publish_now(&format!("#kill{}", endpoint.replace('.', "")))
            .await;
        let dying = s.worker("dying");
        let before = s.sandbox.calls(endpoint);
        let run = tokio::spawn(async move {
            for _ in 0..200 {
                if dying.run_due().await.unwrap() == 0 {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        });
        // Move the clock along until the hanging call is in flight, then
        // kill the worker in the middle of it.
        for _ in 0..500 {
            if s.sandbox.calls(endpoint) > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            if let Some(next) = s.queue.next_due("publishing").await.unwrap()
                && next > s.clock.now()
            {
                s.clock.set(next);
            }
        }
        assert!(s.sandbox.calls(endpoint) > before, "{endpoint} was reached");
        tokio::time::sleep(Duration::from_millis(100)).await;
        run.abort();
        let _ = run.await;
        // Its lease runs out; a new worker rescues the job and resumes.
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        s.clock.advance(SignedDuration::from_secs(120));
        let worker = s.worker("next");
        worker.rescue_expired().await.unwrap();
        let view = s.settle(&worker, &post.id).await;
        s.assert_each_once(&view, &format!("#kill{}", endpoint.replace('.', "")));
    }
}

async fn a_dead_token_fails_the_target_with_reconnect(t: TestDb) {
    let s = setup(&t).await;
    s.sandbox.revoke_user(Platform::TikTok, "demo");
    let post = s.publish_now("#revoked").await;
    let worker = s.worker("w1");
    let view = s.settle(&worker, &post.id).await;
    let tiktok = view
        .targets
        .iter()
        .find(|t| t.kind == AccountKind::TikTokUser)
        .unwrap();
    assert_eq!(tiktok.status, TargetStatus::Failed);
    assert_eq!(tiktok.error_kind, Some(FailureKind::Reconnect));
    // The reason is stored as a code with the platform's own words, not
    // as a sentence in some language.
    let detail = tiktok.error_detail.as_ref().expect("a failure detail");
    assert_eq!(detail.code, "platform_said");
    assert_eq!(
        detail.params.get("platform"),
        Some(&herald_publishing::rules::Param::Text("TikTok".into()))
    );
    let said = tiktok.error_message.as_deref().unwrap_or_default();
    assert!(
        matches!(detail.params.get("detail"), Some(herald_publishing::rules::Param::Text(t)) if t == said),
        "{detail:?}"
    );
    assert!(!said.contains("said:"), "{said}");
    assert!(s.published_with("#revoked").len() == 3);
    // The other targets went out; the post is partly published.
    assert_eq!(
        view.status,
        herald_publishing::PostStatus::PartiallyPublished
    );
}

/// Saved progress that cannot be read is never taken as "nothing done yet":
/// the target fails with that reason (starting over could post twice), its
/// stored progress stays as it was, and the other targets go out.
async fn unreadable_saved_progress_fails_the_target_instead_of_starting_over(t: TestDb) {
    let s = setup(&t).await;
    let post = s
        .schedule_in(SignedDuration::from_hours(1), "#garbled")
        .await;
    let broken = post.targets[0].id.clone();
    herald_db::on_pool!(&s.db, |pool| {
        sqlx::query("UPDATE post_targets SET progress = $1 WHERE id = $2")
            .bind("{not json")
            .bind(&broken)
            .execute(pool)
            .await
            .unwrap();
    });
    s.clock.advance(SignedDuration::from_hours(2));
    let worker = s.worker("w1");
    let view = s.settle(&worker, &post.id).await;
    let failed = view.targets.iter().find(|t| t.id == broken).unwrap();
    assert_eq!(failed.status, TargetStatus::Failed);
    assert_eq!(failed.error_kind, Some(FailureKind::Invalid));
    assert_eq!(
        failed.error_detail.as_ref().map(|d| d.code.as_str()),
        Some("progress_unreadable")
    );
    let kept: String = herald_db::on_pool!(&s.db, |pool| {
        sqlx::query_scalar("SELECT progress FROM post_targets WHERE id = $1")
            .bind(&broken)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(kept, "{not json");
    assert_eq!(s.published_with("#garbled").len(), view.targets.len() - 1);
    assert!(
        view.targets
            .iter()
            .filter(|t| t.id != broken)
            .all(|t| t.status == TargetStatus::Published)
    );
}

async fn scheduled_posts_wait_for_their_time_and_can_be_moved_or_cancelled(t: TestDb) {
    let s = setup(&t).await;
    let post = s.schedule_in(SignedDuration::from_hours(2), "#later").await;
    assert_eq!(post.status, herald_publishing::PostStatus::Scheduled);
    let worker = s.worker("w1");
    assert_eq!(worker.run_due().await.unwrap(), 0, "nothing due yet");
    assert!(s.published_with("#later").is_empty());
    // Cancelled: nothing goes out even when the time comes.
    let cancelled = s.publishing.cancel(&s.auth, &post.id).await.unwrap();
    assert_eq!(cancelled.status, herald_publishing::PostStatus::Cancelled);
    s.clock.advance(SignedDuration::from_hours(3));
    worker.run_due().await.unwrap();
    assert!(s.published_with("#later").is_empty());
    // Retrying one target publishes it alone.
    let target = cancelled.targets[1].id.clone();
    s.publishing.retry(&s.auth, &target).await.unwrap();
    let view = s.settle(&worker, &post.id).await;
    assert_eq!(view.targets[1].status, TargetStatus::Published);
    assert_eq!(s.published_with("#later").len(), 1);
}

async fn a_post_waiting_for_approval_never_goes_out_and_is_held_at_its_time(t: TestDb) {
    let s = setup(&t).await;
    s.publishing
        .set_approval_policy(
            &s.auth,
            ApprovalPolicy {
                mode: ApprovalMode::Everyone,
                ..ApprovalPolicy::default()
            },
        )
        .await
        .unwrap();
    let owner = s.auth.user();
    let editor = s.member("eda", "editor").await;
    // Everyone needs approval: scheduling directly is refused.
    let refused = s
        .publishing
        .create(
            &s.auth,
            PostInput {
                targets: s.post("#direct"),
                when: When::Now,
            },
        )
        .await;
    assert!(matches!(refused, Err(PublishError::ApprovalRequired)));
    let post = s
        .submit_in(&s.auth, SignedDuration::from_mins(30), "#waits")
        .await;
    assert_eq!(post.review, ReviewState::InReview);
    assert!(
        post.targets.iter().all(|t| t.status == TargetStatus::Draft),
        "nothing is scheduled while it waits"
    );
    // The approvers were asked: the editor, not the author.
    assert_eq!(
        s.told(),
        vec![(
            PostNewsKind::ReviewRequested,
            vec![editor.user()],
            Some("Ida".to_owned())
        )]
    );
    // Nobody approves their own post.
    assert!(matches!(
        s.publishing.approve(&s.auth, &post.id, "").await,
        Err(PublishError::OwnPost)
    ));
    // Even a publish job that comes due for it (scheduled by anything)
    // does not send it: the target goes back to being a draft.
    herald_db::on_pool!(&s.db, |pool| {
        sqlx::query("UPDATE post_targets SET status = 'scheduled' WHERE post_id = $1")
            .bind(&post.id)
            .execute(pool)
            .await
            .unwrap();
    });
    let mut tx = s.db.begin().await.unwrap();
    for target in &post.targets {
        let job = herald_jobs::NewJob::of(&herald_publishing::PublishTarget {
            target_id: target.id.clone(),
        })
        .unwrap();
        let id = s.queue.enqueue(&mut tx, job).await.unwrap().id();
        herald_db::on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE post_targets SET job_id = $1 WHERE id = $2")
                .bind(id.0)
                .bind(&target.id)
                .execute(conn)
                .await
                .unwrap();
        });
    }
    tx.commit().await.unwrap();
    let worker = s.worker("w1");
    assert!(worker.run_due().await.unwrap() >= post.targets.len());
    // Its time comes: held, and its author and approvers are told.
    s.clock.advance(SignedDuration::from_mins(31));
    worker.run_due().await.unwrap();
    let held = s.publishing.get(&s.auth, &post.id).await.unwrap();
    assert!(s.published_with("#waits").is_empty(), "nothing went out");
    assert!(held.targets.iter().all(|t| t.status == TargetStatus::Draft));
    assert_eq!(held.review, ReviewState::InReview);
    assert!(held.held_at.is_some());
    let (kind, mut to, _) = s.told().last().unwrap().clone();
    to.sort();
    assert_eq!((kind, to), (PostNewsKind::Held, vec![owner, editor.user()]));
    // Another approver approves it: past its time, it goes out at once,
    // exactly once, and its author is told.
    let approved = s
        .publishing
        .approve(&editor, &post.id, "Lovely")
        .await
        .unwrap();
    assert_eq!(approved.review, ReviewState::Approved);
    assert!(approved.held_at.is_none());
    assert_eq!(
        s.told().last().unwrap().clone(),
        (PostNewsKind::Approved, vec![owner], Some("eda".to_owned()))
    );
    let view = s.settle(&worker, &post.id).await;
    s.assert_each_once(&view, "#waits");
    let history = s
        .publishing
        .review_history(&s.auth, &post.id)
        .await
        .unwrap();
    let steps: Vec<_> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(steps, ["submitted", "held", "approved"]);
    assert_eq!(history[2].comment, "Lovely");
    assert_eq!(history[2].actor_name.as_deref(), Some("eda"));
}

async fn contributors_submit_approvers_ask_for_changes_then_approve(t: TestDb) {
    let s = setup(&t).await;
    let writer = s.member("cody", "contributor").await;
    let editor = s.member("eda", "editor").await;
    // A contributor may not schedule (policy or not), only submit.
    let direct = s
        .publishing
        .create(
            &writer,
            PostInput {
                targets: s.post("#cody"),
                when: When::Now,
            },
        )
        .await;
    assert!(matches!(
        direct,
        Err(PublishError::Account(
            herald_accounts::AccountError::Forbidden
        ))
    ));
    let post = s
        .submit_in(&writer, SignedDuration::from_hours(2), "#cody")
        .await;
    assert_eq!(post.review, ReviewState::InReview);
    // Only approvers decide; a comment is required to ask for changes.
    assert!(matches!(
        s.publishing.approve(&writer, &post.id, "").await,
        Err(PublishError::Account(
            herald_accounts::AccountError::Forbidden
        ))
    ));
    assert!(matches!(
        s.publishing.request_changes(&editor, &post.id, "  ").await,
        Err(PublishError::CommentRequired)
    ));
    let asked = s
        .publishing
        .request_changes(&editor, &post.id, "Shorter caption, please")
        .await
        .unwrap();
    assert_eq!(asked.review, ReviewState::ChangesRequested);
    assert_eq!(s.told().last().unwrap().0, PostNewsKind::ChangesRequested);
    // The contributor edits and submits again.
    let mut targets = s.post("#cody");
    targets[0].variant.caption = "Short #cody".into();
    let resubmitted = s
        .publishing
        .update(
            &writer,
            &post.id,
            PostInput {
                targets,
                when: When::Submit {
                    schedule: post.schedule.clone(),
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(resubmitted.review, ReviewState::InReview);
    assert!(matches!(
        s.publishing.approve(&editor, &post.id, "").await,
        Ok(p) if p.review == ReviewState::Approved
            && p.targets.iter().all(|t| t.status == TargetStatus::Scheduled)
    ));
    // An edit by its author takes the approval back (the default).
    let back = s
        .publishing
        .update(
            &writer,
            &post.id,
            PostInput {
                targets: s.post("#cody"),
                when: When::Schedule {
                    schedule: post.schedule.clone().unwrap(),
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(back.review, ReviewState::InReview);
    assert!(back.targets.iter().all(|t| t.status == TargetStatus::Draft));
    s.publishing.approve(&editor, &post.id, "").await.unwrap();
    let worker = s.worker("w1");
    assert_eq!(worker.run_due().await.unwrap(), 0, "not due yet");
    let view = s.settle(&worker, &post.id).await;
    s.assert_each_once(&view, "#cody");
    let steps: Vec<_> = s
        .publishing
        .review_history(&editor, &post.id)
        .await
        .unwrap()
        .iter()
        .map(|h| h.action.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "submitted",
            "changes_requested",
            "submitted",
            "approved",
            "reopened",
            "approved"
        ]
    );
}

/// A platform that postpones a post (a daily cap) leaves the target
/// publishing with the reason and the time of the next try, spends no
/// attempt of the queue, and the post goes out once at that time.
async fn a_postponed_target_waits_with_its_reason_then_goes_out_once(t: TestDb) {
    let clock_slot: Arc<Mutex<Option<Arc<ManualClock>>>> = Arc::default();
    let s = setup_with(&t, |publishers| {
        let inner = publishers.get(AccountKind::TikTokUser).unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::UNIX_EPOCH));
        *clock_slot.lock().unwrap() = Some(clock.clone());
        publishers.insert(
            AccountKind::TikTokUser,
            Arc::new(PostponesOnce {
                inner,
                clock,
                asked: Mutex::new(false),
            }),
        );
    })
    .await;
    // The wrapper reads the same time as everyone else.
    let wrapper_clock = clock_slot.lock().unwrap().clone().unwrap();
    wrapper_clock.set(s.clock.now());
    let due = s.clock.now();
    let post = s.publish_now("#capped").await;
    let worker = s.worker("w1");
    let tiktok = |view: &PostView| {
        view.targets
            .iter()
            .find(|t| t.kind == AccountKind::TikTokUser)
            .cloned()
            .unwrap()
    };
    // Run what is due before the next try: every other target goes out,
    // TikTok waits.
    let retry_at = due + SignedDuration::from_hours(20);
    for _ in 0..2_000 {
        let view = s.publishing.get(&s.auth, &post.id).await.unwrap();
        if tiktok(&view).postponed.is_some()
            && view
                .targets
                .iter()
                .filter(|t| t.kind != AccountKind::TikTokUser)
                .all(|t| t.status == TargetStatus::Published)
        {
            break;
        }
        if worker.run_due().await.unwrap() == 0 {
            tokio::time::sleep(Duration::from_millis(15)).await;
            if let Some(next) = s.queue.next_due("publishing").await.unwrap()
                && next > s.clock.now()
                && next < retry_at
            {
                s.clock.set(next);
                wrapper_clock.set(next);
            }
        }
    }
    let view = s.publishing.get(&s.auth, &post.id).await.unwrap();
    let waiting = tiktok(&view);
    assert_eq!(waiting.status, TargetStatus::Publishing);
    assert_eq!(waiting.error_kind, None, "a postponement is not a failure");
    assert_eq!(waiting.error_detail, None);
    let reason = waiting.postponed.as_ref().expect("the reason is shown");
    assert_eq!(reason.code, "test_daily_cap");
    assert_eq!(
        reason.params.get("limit"),
        Some(&herald_publishing::rules::Param::Text("15".into()))
    );
    assert_eq!(
        reason.params.get("until"),
        Some(&herald_publishing::rules::Param::Time(retry_at))
    );
    let next = s.queue.next_due("publishing").await.unwrap().unwrap();
    assert_eq!(
        next, retry_at,
        "the next try is a job at the platform's time"
    );
    // Its time comes: published once, and the reason is gone.
    s.clock.set(next);
    wrapper_clock.set(next);
    let view = s.settle(&worker, &post.id).await;
    s.assert_each_once(&view, "#capped");
    let done = tiktok(&view);
    assert_eq!(done.postponed, None);
    let receipts = s.publishing.receipts(&s.auth, &done.id).await.unwrap();
    let outcomes: Vec<&str> = receipts.iter().map(|r| r.outcome.as_str()).collect();
    assert!(outcomes.contains(&"waiting"), "{outcomes:?}");
    assert!(
        receipts
            .iter()
            .any(|r| r.error_kind.as_deref() == Some("postponed")),
        "the postponement has its receipt"
    );
}

impl Setup {
    /// Someone else signs up (with a workspace of their own) and connects
    /// the sandbox's YouTube channels there: their proof and their first
    /// channel.
    async fn another_workspace(&self, name: &str) -> (Authorized, ConnectionView) {
        let meta = RequestMeta::default();
        let email = format!("{name}@example.com");
        self.users
            .sign_up(&email, PASSWORD, name, "en", "2026-12-07", &meta)
            .await
            .unwrap();
        let link = self.letters.0.lock().unwrap().last().unwrap().link.clone();
        let token = link.split("token=").nth(1).unwrap().to_owned();
        self.users.verify_email(&token, &meta).await.unwrap();
        let (session, _) = self.users.log_in(&email, PASSWORD, &meta).await.unwrap();
        let authed = self.users.session(session.expose()).await.unwrap().unwrap();
        let workspace = self.users.workspaces(&authed.user).await.unwrap()[0].id;
        let auth = self
            .users
            .require(&authed.user, workspace, Permission::ManageConnections)
            .await
            .unwrap();
        connect(
            &self.connections,
            &authed.user,
            &authed.session_id,
            &auth,
            ProviderId::YouTube,
        )
        .await;
        let channel = self
            .connections
            .list(&auth, None)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.kind == AccountKind::YouTubeChannel)
            .expect("a YouTube channel");
        (auth, channel)
    }

    /// A YouTube video post to `channel` as `auth`, now.
    async fn youtube_now(
        &self,
        auth: &Authorized,
        channel: &ConnectionView,
        tag: &str,
    ) -> PostView {
        self.publishing
            .create(
                auth,
                PostInput {
                    targets: vec![TargetInput {
                        connection_id: channel.id.clone(),
                        variant: Variant {
                            format: PostFormat::Video,
                            caption: format!("Budget {tag}"),
                            title: Some(format!("Budget {tag}")),
                            privacy: Some("private".into()),
                            media: vec!["vid".into()],
                            ..Variant::default()
                        },
                    }],
                    when: When::Now,
                },
            )
            .await
            .unwrap()
    }
}

/// Two workspaces share the instance's daily YouTube upload budget: once
/// one has spent it, the other's upload waits (with the reason on the
/// target) until Pacific midnight without opening an upload session, then
/// goes out exactly once.
async fn workspaces_share_the_daily_youtube_upload_budget(t: TestDb) {
    let s = setup_limited(
        &t,
        PublishLimits {
            youtube_daily_uploads: 1,
        },
        |_| {},
    )
    .await;
    let worker = s.worker("w1");
    let mine = s.account(AccountKind::YouTubeChannel).clone();
    let first = s.youtube_now(&s.auth, &mine, "#ws1").await;
    let view = s.settle(&worker, &first.id).await;
    assert_eq!(view.targets[0].status, TargetStatus::Published);
    let used = s
        .publishing
        .budget_use(&s.auth, AccountKind::YouTubeChannel)
        .await
        .unwrap()
        .expect("YouTube has a budget");
    assert_eq!((used.used, used.limit), (1, 1));
    assert!(used.spent() && used.near_limit());

    let (theirs_auth, theirs) = s.another_workspace("bo").await;
    let inits = s.sandbox.calls("youtube.upload_init");
    let second = s.youtube_now(&theirs_auth, &theirs, "#ws2").await;
    assert!(worker.run_due().await.unwrap() >= 1);
    let waiting = s.publishing.get(&theirs_auth, &second.id).await.unwrap();
    let target = &waiting.targets[0];
    assert_eq!(
        target.status,
        TargetStatus::Publishing,
        "it waits, not failed"
    );
    let reason = target
        .postponed
        .as_ref()
        .expect("the reason is on the target");
    assert_eq!(reason.code, "youtube_upload_budget_spent");
    assert_eq!(
        reason.params.get("limit"),
        Some(&herald_publishing::rules::Param::Text("1".into()))
    );
    let reset = herald_platforms::youtube::next_quota_reset(s.clock.now());
    assert_eq!(
        reason.params.get("until"),
        Some(&herald_publishing::rules::Param::Time(reset))
    );
    assert_eq!(
        s.sandbox.calls("youtube.upload_init"),
        inits,
        "no upload session was opened"
    );
    assert_eq!(target.attempts, 1);
    // The same budget, seen from the other workspace.
    let seen = s
        .publishing
        .budget_use(&theirs_auth, AccountKind::YouTubeChannel)
        .await
        .unwrap()
        .unwrap();
    assert!(seen.spent());

    // After Pacific midnight the upload goes out, once.
    let view = s.settle_as(&theirs_auth, &worker, &second.id).await;
    assert!(s.clock.now() >= reset);
    let target = &view.targets[0];
    assert_eq!(
        target.status,
        TargetStatus::Published,
        "{:?}",
        target.error_message
    );
    assert!(target.postponed.is_none());
    assert_eq!(s.published_with("#ws2").values().sum::<usize>(), 1);
    let receipts = s
        .publishing
        .receipts(&theirs_auth, &target.id)
        .await
        .unwrap();
    assert_eq!(receipts[0].outcome, herald_publishing::Outcome::Waiting);
    assert_eq!(
        receipts[0].error_detail.as_ref().map(|d| d.code.as_str()),
        Some("youtube_upload_budget_spent")
    );
}

/// YouTube locking an unaudited project's upload private is a notice on
/// the published target (never a public post), kept for the connection
/// card.
async fn a_private_lock_is_a_notice_on_the_published_target(t: TestDb) {
    let s = setup(&t).await;
    let worker = s.worker("w1");
    let channel = s.account(AccountKind::YouTubeChannel).clone();
    let post = s
        .publishing
        .create(
            &s.auth,
            PostInput {
                targets: vec![TargetInput {
                    connection_id: channel.id.clone(),
                    variant: Variant {
                        format: PostFormat::Video,
                        caption: "Locked #lock".into(),
                        title: Some("Locked".into()),
                        privacy: Some("public".into()),
                        media: vec!["vid".into()],
                        ..Variant::default()
                    },
                }],
                when: When::Now,
            },
        )
        .await
        .unwrap();
    let view = s.settle(&worker, &post.id).await;
    let target = &view.targets[0];
    assert_eq!(target.status, TargetStatus::Published);
    assert!(target.error_detail.is_none() && target.error_kind.is_none());
    let codes: Vec<&str> = target.notices.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["youtube_locked_private"]);
    assert_eq!(
        target.notices[0].params.get("requested"),
        Some(&herald_publishing::rules::Param::Text("public".into()))
    );
    let latest = s.publishing.latest_notices(&s.auth).await.unwrap();
    assert_eq!(latest[&channel.id][0].code, "youtube_locked_private");
}

on_both_backends!(
    a_postponed_target_waits_with_its_reason_then_goes_out_once,
    workspaces_share_the_daily_youtube_upload_budget,
    a_private_lock_is_a_notice_on_the_published_target,
    a_post_waiting_for_approval_never_goes_out_and_is_held_at_its_time,
    contributors_submit_approvers_ask_for_changes_then_approve,
    every_provider_publishes_once_with_receipts_and_events,
    faults_at_every_step_still_publish_each_target_once,
    a_worker_killed_mid_publish_is_resumed_without_duplicates,
    a_dead_token_fails_the_target_with_reconnect,
    unreadable_saved_progress_fails_the_target_instead_of_starting_over,
    scheduled_posts_wait_for_their_time_and_can_be_moved_or_cancelled,
);

// ------------------------------------------------------------ TikTok

impl Setup {
    /// A post to the TikTok account only, going out now.
    async fn tiktok_now(&self, tag: &str) -> PostView {
        let targets = self
            .post(tag)
            .into_iter()
            .filter(|t| t.connection_id == self.account(AccountKind::TikTokUser).id)
            .collect();
        self.publishing
            .create(
                &self.auth,
                PostInput {
                    targets,
                    when: When::Now,
                },
            )
            .await
            .unwrap()
    }

    /// Runs the publishing queue, jumping the clock to each next job,
    /// until `done` holds for the post or no job is left; how many jobs
    /// ran.
    async fn run_until(
        &self,
        worker: &Worker,
        post: &PostId,
        done: impl Fn(&PostView) -> bool,
    ) -> usize {
        let mut ran = 0;
        for _ in 0..500 {
            if done(&self.publishing.get(&self.auth, post).await.unwrap()) {
                return ran;
            }
            let n = worker.run_due().await.unwrap();
            ran += n;
            if n == 0 {
                tokio::time::sleep(Duration::from_millis(15)).await;
                match self.queue.next_due("publishing").await.unwrap() {
                    Some(next) if next > self.clock.now() => self.clock.set(next),
                    Some(_) => {}
                    None => return ran,
                }
            }
        }
        panic!("post {post} never got there");
    }
}

/// A TikTok post whose id comes hours after publishing (moderation) is
/// published with its publish id, and a bounded backfill job later puts
/// the post id and link on it, with a receipt.
async fn tiktok_post_ids_after_moderation_are_backfilled(t: TestDb) {
    let s = setup_sandbox(&t, |c| c.limits.tiktok_post_id_secs = 3 * 3600).await;
    let worker = s.worker("w1");
    let post = s.tiktok_now("#moderated").await;
    let view = s.settle(&worker, &post.id).await;
    let target = &view.targets[0];
    assert_eq!(target.status, TargetStatus::Published);
    let provisional = target.remote_id.clone().unwrap();
    assert!(provisional.starts_with("v_pub_file~"), "{provisional}");
    assert_eq!(target.permalink, None);
    let published_at = s.clock.now();

    s.run_until(&worker, &post.id, |v| {
        v.targets[0].remote_id.as_deref() != Some(provisional.as_str())
    })
    .await;
    let target = &s.publishing.get(&s.auth, &post.id).await.unwrap().targets[0];
    let live = &s.sandbox.published()[0];
    assert_eq!(target.remote_id.as_deref(), Some(live.id.as_str()));
    assert_eq!(target.permalink.as_deref(), Some(live.permalink.as_str()));
    assert_eq!(target.status, TargetStatus::Published);
    // Found within the hour after moderation ended, not days later.
    let waited = s.clock.now().duration_since(published_at);
    assert!(waited <= SignedDuration::from_hours(4), "{waited:?}");
    let receipts = s.publishing.receipts(&s.auth, &target.id).await.unwrap();
    let last = receipts.last().unwrap();
    assert_eq!(last.outcome, herald_publishing::Outcome::Published);
    assert_eq!(last.remote_id.as_deref(), Some(live.id.as_str()));
    // Nothing is left to look for.
    assert_eq!(s.queue.next_due("publishing").await.unwrap(), None);
}

/// A post id that never comes is looked for 48 hours, backing off to once
/// an hour, then the target stays published without a link and a receipt
/// says why.
async fn a_post_id_that_never_comes_is_looked_for_two_days_at_most(t: TestDb) {
    let s = setup_sandbox(&t, |c| c.limits.tiktok_post_id_secs = 5 * 24 * 3600).await;
    let worker = s.worker("w1");
    let post = s.tiktok_now("#hidden").await;
    let view = s.settle(&worker, &post.id).await;
    let provisional = view.targets[0].remote_id.clone().unwrap();
    let published_at = s.clock.now();
    let polls = s.run_until(&worker, &post.id, |_| false).await;
    assert!((45..=56).contains(&polls), "{polls} polls");
    let waited = s.clock.now().duration_since(published_at);
    assert!(waited <= SignedDuration::from_hours(48), "{waited:?}");
    assert!(waited >= SignedDuration::from_hours(46), "{waited:?}");
    let target = &s.publishing.get(&s.auth, &post.id).await.unwrap().targets[0];
    assert_eq!(target.status, TargetStatus::Published);
    assert_eq!(target.remote_id.as_deref(), Some(provisional.as_str()));
    let receipts = s.publishing.receipts(&s.auth, &target.id).await.unwrap();
    let last = receipts.last().unwrap();
    assert_eq!(last.error_kind.as_deref(), Some("warning"));
    assert!(
        last.error_message.as_deref().unwrap().contains("48 hours"),
        "{last:?}"
    );
}

/// TikTok's daily post cap postpones the target a day, with the reason on
/// it, instead of failing it; then it goes out.
async fn tiktok_daily_cap_postpones_the_target_with_its_reason(t: TestDb) {
    let s = setup_sandbox(&t, |c| c.limits.tiktok_posts_per_user_per_day = 1).await;
    let worker = s.worker("w1");
    let first = s.tiktok_now("#first").await;
    s.settle(&worker, &first.id).await;
    let second = s.tiktok_now("#second").await;
    let started = s.clock.now();
    s.run_until(&worker, &second.id, |v| v.targets[0].postponed.is_some())
        .await;
    let target = &s.publishing.get(&s.auth, &second.id).await.unwrap().targets[0];
    assert_eq!(target.status, TargetStatus::Publishing);
    let reason = target.postponed.as_ref().unwrap();
    assert_eq!(reason.code, "tiktok_daily_post_cap");
    match reason.params.get("until") {
        Some(herald_publishing::rules::Param::Time(until)) => {
            assert!(
                *until >= started + SignedDuration::from_hours(24),
                "{until}"
            );
        }
        other => panic!("no time to try again: {other:?}"),
    }
    let view = s.settle(&worker, &second.id).await;
    assert_eq!(view.targets[0].status, TargetStatus::Published);
    assert_eq!(s.published_with("#second").len(), 1);
}

mod tiktok {
    use super::*;

    on_both_backends!(
        tiktok_post_ids_after_moderation_are_backfilled,
        a_post_id_that_never_comes_is_looked_for_two_days_at_most,
        tiktok_daily_cap_postpones_the_target_with_its_reason,
    );
}
