//! Token refresh with a hand-moved clock, through the service and the real
//! TikTok adapter against the sandbox (rotating refresh tokens): a token
//! about to expire is renewed, two refreshes at once do not burn the
//! rotating refresh token, and a token revoked at the platform flags the
//! connection for reconnection with an audit event. And the webhook
//! subscription a Facebook Page gets when it is connected: stored on the
//! connection, retried after a passing failure, asked for again on a
//! reconnection and at the daily check. On both engines.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use herald_accounts::sessions::DbSessions;
use herald_accounts::{Accounts, BoxError, Letter, Mailbox, RequestMeta, Settings, User};
use herald_connections::vault::{KeyId, Vault};
use herald_connections::{
    CallbackParams, Completed, Connections, NEEDS_RECONNECTION_SUBJECT, Refreshed, Status,
    StatusDetail, Webhooks,
};
use herald_core::{ConnectionId, ManualClock, SignedDuration, Timestamp};
use herald_db::Tx;
use herald_db::on_both_backends;
use herald_db::testing::TestDb;
use herald_events::Outbox;
use herald_jobs::{JobState, Queue};
use herald_platforms::{
    AppConfig, ClientOptions, Hosts, PlatformClient, PlatformsConfig, ProviderId, Providers, Secret,
};
use herald_ratelimit::InProcessLimiter;
use herald_sandbox::{Fault, FaultKind, Platform, Sandbox, SandboxConfig};

#[derive(Default)]
struct Letters(Mutex<Vec<Letter>>);

#[async_trait]
impl Mailbox for Letters {
    async fn post(&self, _tx: &mut Tx, letter: Letter) -> Result<(), BoxError> {
        self.0.lock().unwrap().push(letter);
        Ok(())
    }
}

const PASSWORD: &str = "violet lantern across the fjord";

struct Setup {
    connections: Connections,
    queue: Queue,
    accounts: Accounts,
    sandbox: Sandbox,
    clock: Arc<ManualClock>,
    user: User,
    session: String,
}

async fn setup(t: &TestDb) -> Setup {
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_800_000_000).unwrap(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = SandboxConfig::new(base.clone());
    config.tiktok_rotating_refresh = true;
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

    let client = PlatformClient::new(
        clock.clone(),
        ClientOptions {
            base_backoff: std::time::Duration::from_millis(5),
            max_backoff: std::time::Duration::from_millis(20),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let app = |credentials: &herald_sandbox::AppCredentials| AppConfig {
        client_id: credentials.client_id.clone(),
        client_secret: Secret::new(credentials.client_secret.clone()),
        hosts: Hosts::sandbox(&base),
    };
    let providers = Providers::new(
        &PlatformsConfig {
            tiktok: Some(app(&sandbox.config().tiktok)),
            facebook: Some(app(&sandbox.config().meta)),
            ..PlatformsConfig::default()
        },
        &client,
    );
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
    Setup {
        connections,
        queue,
        accounts,
        sandbox,
        clock,
        user: authed.user,
        session: authed.session_id,
    }
}

/// The proof that the set-up's user owns their first workspace.
async fn owner(s: &Setup) -> herald_accounts::Authorized {
    let workspace = s.accounts.workspaces(&s.user).await.unwrap()[0].id;
    s.accounts
        .require(
            &s.user,
            workspace,
            herald_accounts::Permission::ManageConnections,
        )
        .await
        .unwrap()
}

/// Connects the sandbox user `demo`'s TikTok account; returns its id.
async fn connect_tiktok(s: &Setup) -> ConnectionId {
    match consent(s, ProviderId::TikTok, &[]).await {
        Completed::Connected { accounts, .. } => accounts[0].id.clone(),
        other => panic!("expected one account, got {other:?}"),
    }
}

/// Consents to everything `provider` asks for but `withheld` as the
/// sandbox user `demo`, and completes the callback.
async fn consent(s: &Setup, provider: ProviderId, withheld: &[&str]) -> Completed {
    let authorize = s
        .connections
        .start(&s.user, Some(&s.session), &owner(s).await, provider, false)
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
    // Submit the consent form as shown: every hidden field and scope.
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
        let value = get("value").unwrap_or_default();
        if name == "grant" && withheld.contains(&value.as_str()) {
            continue;
        }
        form.push((name, value));
    }
    form.push(("decision".into(), "allow".into()));
    let action = authorize.as_str().split('?').next().unwrap().to_owned();
    let resp = browser.post(action).form(&form).send().await.unwrap();
    let back = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let param = |k: &str| {
        back.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    s.connections
        .complete(
            &s.user,
            Some(&s.session),
            provider,
            &CallbackParams {
                state: param("state"),
                code: param("code"),
                ..CallbackParams::default()
            },
            &RequestMeta::default(),
        )
        .await
        .unwrap()
}

/// Connects the sandbox user `demo`'s first Facebook Page (withholding
/// `withheld`); its connection.
async fn connect_page(s: &Setup, withheld: &[&str]) -> herald_connections::ConnectionView {
    let Completed::Choose { attempt } = consent(s, ProviderId::Facebook, withheld).await else {
        panic!("two Pages and their Instagram accounts to choose from");
    };
    let (_, choices) = s
        .connections
        .choices(&s.user, Some(&s.session), &attempt)
        .await
        .unwrap();
    let page = choices
        .iter()
        .find(|c| c.key.starts_with("facebook_page:"))
        .unwrap()
        .key
        .clone();
    let (_, mut views) = s
        .connections
        .choose(
            &s.user,
            Some(&s.session),
            &attempt,
            &[page],
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    views.remove(0)
}

/// The queued webhook-subscription jobs of connection `id`.
async fn subscription_jobs(s: &Setup, id: &ConnectionId) -> usize {
    s.queue
        .list(JobState::Queued, Some("connections"), 100)
        .await
        .unwrap()
        .iter()
        .filter(|j| j.kind == "connections.webhooks.v1" && j.payload["connection"] == id.as_str())
        .count()
}

async fn a_connected_page_is_subscribed_and_a_passing_failure_is_retried(t: TestDb) {
    let s = setup(&t).await;
    let page = connect_page(&s, &[]).await;
    let fields = vec!["feed".to_owned(), "messages".to_owned()];
    assert_eq!(
        page.webhooks,
        Webhooks::Subscribed {
            fields: fields.clone()
        }
    );
    assert_eq!(
        page.webhooks_checked_at,
        Some(herald_core::Clock::now(&*s.clock))
    );
    assert_eq!(
        s.sandbox.webhook_subscription(&page.remote_id),
        Some(fields.clone())
    );
    assert_eq!(subscription_jobs(&s, &page.id).await, 0);

    // Meta fails while the Page is connected again: the connection says
    // so and a job is queued to try again.
    s.sandbox
        .inject(
            "meta.subscribed_apps",
            Fault {
                kind: FaultKind::ServerError,
                times: None,
            },
        )
        .unwrap();
    let again = connect_page(&s, &[]).await;
    assert_eq!(again.id, page.id);
    assert!(
        matches!(&again.webhooks, Webhooks::Retrying { platform_code, .. } if platform_code.as_deref() == Some("2")),
        "{:?}",
        again.webhooks
    );
    assert_eq!(subscription_jobs(&s, &page.id).await, 1);
    // The job's last attempt gives up: failed, not retrying.
    assert!(matches!(
        s.connections
            .subscribe_webhooks(&page.id, true)
            .await
            .unwrap(),
        Some(Webhooks::Failed { .. })
    ));
    // The daily check of the Page token asks again, and then it works.
    s.sandbox.clear_faults();
    s.clock.advance(SignedDuration::from_hours(25));
    assert!(matches!(
        s.connections.refresh(&page.id, false).await.unwrap(),
        Refreshed::Checked { .. }
    ));
    assert_eq!(subscription_jobs(&s, &page.id).await, 2);
    assert_eq!(
        s.connections
            .subscribe_webhooks(&page.id, false)
            .await
            .unwrap(),
        Some(Webhooks::Subscribed { fields })
    );
}

async fn a_page_connected_without_pages_manage_metadata_says_so_until_reconnected(t: TestDb) {
    let s = setup(&t).await;
    let page = connect_page(&s, &["pages_manage_metadata"]).await;
    assert_eq!(
        page.webhooks,
        Webhooks::MissingPermission {
            scopes: vec!["pages_manage_metadata".to_owned()]
        }
    );
    assert_eq!(s.sandbox.webhook_subscription(&page.remote_id), None);
    assert_eq!(subscription_jobs(&s, &page.id).await, 0, "nothing to retry");
    // Reconnecting with the permission subscribes it.
    let again = connect_page(&s, &[]).await;
    assert!(matches!(again.webhooks, Webhooks::Subscribed { .. }));
    let listed = s.connections.list(&owner(&s).await, None).await.unwrap();
    assert_eq!(listed[0].webhooks, again.webhooks);
    assert!(s.sandbox.webhook_subscription(&page.remote_id).is_some());
    // TikTok has nothing to subscribe.
    let tiktok = connect_tiktok(&s).await;
    let listed = s.connections.list(&owner(&s).await, None).await.unwrap();
    let tiktok = listed.iter().find(|c| c.id == tiktok).unwrap();
    assert_eq!(tiktok.webhooks, Webhooks::NotApplicable);
}

async fn refresh_renews_before_expiry_once_at_a_time_and_flags_a_revoked_token(t: TestDb) {
    let s = setup(&t).await;
    let id = connect_tiktok(&s).await;
    let first = s.connections.credentials(&id).await.unwrap().unwrap();
    let expires = first.access_expires_at.unwrap();

    // Not due yet: nothing happens.
    assert!(matches!(
        s.connections.refresh(&id, false).await.unwrap(),
        Refreshed::NotDue { .. }
    ));

    // Shortly before expiry the job renews it; the rotated refresh token is
    // stored and the next refresh is scheduled before the new expiry.
    s.clock.set(expires - SignedDuration::from_mins(10));
    let outcome = s.connections.refresh(&id, false).await.unwrap();
    let Refreshed::Renewed { next } = outcome else {
        panic!("expected a renewal, got {outcome:?}")
    };
    let second = s.connections.credentials(&id).await.unwrap().unwrap();
    assert_ne!(second.access_token, first.access_token);
    assert_ne!(second.refresh_token, first.refresh_token, "rotated");
    assert!(second.access_expires_at.unwrap() > expires);
    assert!(next < second.access_expires_at.unwrap());

    // Two refresh jobs at once, both due: one renews, the other backs off
    // (busy, or finds the fresh token not due), so the rotating refresh
    // token is used exactly once and the connection stays healthy.
    let third_due = second.access_expires_at.unwrap() - SignedDuration::from_mins(10);
    s.clock.set(third_due);
    let (a, b) = tokio::join!(
        s.connections.refresh(&id, false),
        s.connections.refresh(&id, false)
    );
    let outcomes = [a.unwrap(), b.unwrap()];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Refreshed::Renewed { .. }))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Refreshed::Busy | Refreshed::NotDue { .. })),
        "{outcomes:?}"
    );
    // The stored refresh token is the live one: another renewal works.
    assert!(matches!(
        s.connections.refresh(&id, true).await.unwrap(),
        Refreshed::Renewed { .. }
    ));

    // The person removes the app at TikTok: the next refresh flags the
    // connection, records why, and the audit log says so.
    s.sandbox.revoke_user(Platform::TikTok, "demo");
    s.clock.advance(SignedDuration::from_hours(23));
    assert_eq!(
        s.connections.refresh(&id, false).await.unwrap(),
        Refreshed::NeedsReconnection
    );
    let owner = owner(&s).await;
    let workspace = owner.workspace();
    let listed = s.connections.list(&owner, None).await.unwrap();
    assert_eq!(listed[0].status, Status::NeedsReconnection);
    // Why, as a code with the platform's own words (for the page).
    let StatusDetail::Platform { kind, message, .. } = &listed[0].status_detail else {
        panic!("a platform refusal: {:?}", listed[0].status_detail);
    };
    assert_eq!(kind, "platform_reconnect");
    assert!(!message.is_empty());
    assert_eq!(
        listed[0].revoked_at, None,
        "a dead token is not a revocation"
    );
    // Integrations hear of it: one event, written with the flag.
    let outbox = Outbox::new(t.db.clone(), s.clock.clone());
    let events: Vec<_> = outbox
        .pending(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.subject.as_str() == NEEDS_RECONNECTION_SUBJECT)
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    let payload = &events[0].event.payload;
    assert_eq!(payload["workspace_id"], workspace.0);
    assert_eq!(payload["connection_id"], id.as_str());
    assert_eq!(payload["provider"], "tiktok");
    assert_eq!(payload["name"], listed[0].name.as_str());
    assert!(
        payload["reason"]
            .as_str()
            .unwrap()
            .contains(message.as_str()),
        "{payload}"
    );
    let audit = s.accounts.audit_log(&s.user, workspace, 50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "connection.needs_reconnection"),
        "{audit:?}"
    );
    // Flagged connections are not hammered by further jobs.
    assert_eq!(
        s.connections.refresh(&id, false).await.unwrap(),
        Refreshed::NeedsReconnection
    );
}

async fn a_connection_whose_access_ends_within_a_week_is_announced(t: TestDb) {
    let s = setup(&t).await;
    let id = connect_tiktok(&s).await;
    let ends = s
        .connections
        .credentials(&id)
        .await
        .unwrap()
        .expect("its credentials")
        .refresh_expires_at
        .expect("TikTok's refresh grant ends");
    let expiring = |outbox: Outbox| async move {
        outbox
            .pending(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.subject.as_str() == herald_connections::EXPIRING_SUBJECT)
            .map(|e| e.event.payload)
            .collect::<Vec<_>>()
    };
    let outbox = || Outbox::new(t.db.clone(), s.clock.clone());
    // Far from its end: nothing.
    assert_eq!(s.connections.warn_expiring().await.unwrap(), 0);
    // Six days before: a warning of the week.
    s.clock.set(ends - SignedDuration::from_hours(6 * 24));
    assert_eq!(s.connections.warn_expiring().await.unwrap(), 1);
    let told = expiring(outbox()).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["connection_id"], id.as_str());
    assert_eq!(told[0]["provider"], "tiktok");
    assert_eq!(told[0]["level"], "week");
    assert_eq!(told[0]["expires_at"], ends.to_string());
    // The last day: the second level.
    s.clock.set(ends - SignedDuration::from_hours(2));
    assert_eq!(s.connections.warn_expiring().await.unwrap(), 1);
    assert_eq!(expiring(outbox()).await[1]["level"], "day");
    // Once it has ended there is nothing to warn about (the refresh job
    // finds the dead grant and asks for a reconnection).
    s.clock.set(ends + SignedDuration::from_secs(1));
    assert_eq!(s.connections.warn_expiring().await.unwrap(), 0);
}

on_both_backends!(
    refresh_renews_before_expiry_once_at_a_time_and_flags_a_revoked_token,
    a_connection_whose_access_ends_within_a_week_is_announced,
    a_connected_page_is_subscribed_and_a_passing_failure_is_retried,
    a_page_connected_without_pages_manage_metadata_says_so_until_reconnected,
);
