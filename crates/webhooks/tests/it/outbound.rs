//! Outbound webhooks end to end: endpoints in a real database (SQLite and
//! PostgreSQL), deliveries run by the job worker's step function under a
//! manual clock, and a real HTTP receiver on 127.0.0.1 that verifies every
//! request with `standard::verify` and answers as each test tells it.

use herald_accounts::{Authorized, Permission};
use herald_core::{UserId, WorkspaceId};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use herald_connections::sealed::Keyring;
use herald_connections::vault::{KeyId, Vault};
use herald_core::{Clock, ManualClock, SignedDuration, Timestamp};
use herald_db::testing::TestDb;
use herald_db::{on_both_backends, on_pool};
use herald_events::{Event, PublishOutcome, PublishRequestEvent, Subject};
use herald_jobs::{JobState, Queue, Registry, Worker, WorkerOptions};
use herald_notify::{NotificationKind, Notifications};
use herald_webhooks::RETRY_SCHEDULE;
use herald_webhooks::outbound::{
    self, DeliveryState, Endpoint, EndpointChanges, EndpointError, EndpointId, NewEndpoint,
    Outbound, OutboundDelivery,
};
use herald_webhooks::ssrf::{TargetPolicy, UrlError};
use herald_webhooks::standard::{self, StandardError};

// --- The receiver ------------------------------------------------------------

/// How the receiver answers one request.
#[derive(Debug, Clone)]
enum Reply {
    Ok,
    Status(u16),
    /// A status with a `Retry-After` header.
    RetryAfter(u16, String),
    /// 302 to `/elsewhere` (which records it if anyone follows).
    Redirect,
    /// 200, after this long.
    Slow(Duration),
}

#[derive(Debug, Clone)]
struct Received {
    id: String,
    signature: String,
    user_agent: String,
    content_type: String,
    body: Vec<u8>,
    verified: Result<(), StandardError>,
}

struct ReceiverState {
    clock: Arc<ManualClock>,
    /// The secret the receiver verifies with.
    secret: Mutex<String>,
    /// Replies to give, in order; `fallback` once they run out.
    script: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Reply>,
    received: Mutex<Vec<Received>>,
    redirects_followed: Mutex<usize>,
}

#[derive(Clone)]
struct Receiver {
    addr: SocketAddr,
    state: Arc<ReceiverState>,
}

impl Receiver {
    async fn start(clock: Arc<ManualClock>) -> Receiver {
        let state = Arc::new(ReceiverState {
            clock,
            secret: Mutex::new(String::new()),
            script: Mutex::default(),
            fallback: Mutex::new(Reply::Ok),
            received: Mutex::default(),
            redirects_followed: Mutex::new(0),
        });
        let app = Router::new()
            .route("/hook", post(hook))
            .route("/elsewhere", post(elsewhere).get(elsewhere))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { addr, state }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn verify_with(&self, secret: &str) {
        *self.state.secret.lock().unwrap() = secret.to_owned();
    }

    fn answer(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().unwrap().extend(replies);
    }

    fn always(&self, reply: Reply) {
        self.state.script.lock().unwrap().clear();
        *self.state.fallback.lock().unwrap() = reply;
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }
}

async fn hook(State(s): State<Arc<ReceiverState>>, headers: HeaderMap, body: Bytes) -> Response {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let secret = s.secret.lock().unwrap().clone();
    let verified = standard::verify(
        &secret,
        &h("webhook-id"),
        &h("webhook-timestamp"),
        &h("webhook-signature"),
        &body,
        s.clock.now().as_second(),
        300,
    );
    s.received.lock().unwrap().push(Received {
        id: h("webhook-id"),
        signature: h("webhook-signature"),
        user_agent: h("user-agent"),
        content_type: h("content-type"),
        body: body.to_vec(),
        verified,
    });
    if verified.is_err() {
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    }
    let reply = {
        let next = s.script.lock().unwrap().pop_front();
        next.unwrap_or_else(|| s.fallback.lock().unwrap().clone())
    };
    match reply {
        Reply::Ok => (StatusCode::OK, "ok").into_response(),
        Reply::Status(code) => (StatusCode::from_u16(code).unwrap(), "nope").into_response(),
        Reply::RetryAfter(code, after) => (
            StatusCode::from_u16(code).unwrap(),
            [(header::RETRY_AFTER, after)],
            "later",
        )
            .into_response(),
        Reply::Redirect => (
            StatusCode::FOUND,
            [(header::LOCATION, "/elsewhere".to_owned())],
            "moved",
        )
            .into_response(),
        Reply::Slow(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, "late").into_response()
        }
    }
}

async fn elsewhere(State(s): State<Arc<ReceiverState>>) -> StatusCode {
    *s.redirects_followed.lock().unwrap() += 1;
    StatusCode::OK
}

// --- The environment ----------------------------------------------------------

fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

struct Env {
    t: TestDb,
    clock: Arc<ManualClock>,
    queue: Queue,
    vault: Arc<Vault>,
    /// Private targets allowed (the receiver is on 127.0.0.1).
    outbound: Outbound,
    worker: Worker,
    workspace: WorkspaceId,
    user: UserId,
    /// The owner's proof of membership.
    auth: Authorized,
    receiver: Receiver,
}

async fn env(t: TestDb) -> Env {
    let clock = Arc::new(ManualClock::new(t0()));
    let queue = Queue::new(t.db.clone(), clock.clone());
    let vault = Arc::new(Vault::in_memory(&[(KeyId(1), [7u8; 32])]));
    let outbound = Outbound::new(
        t.db.clone(),
        queue.clone(),
        clock.clone(),
        vault.clone(),
        TargetPolicy::AllowPrivate,
    );
    let worker = worker_for(&queue, &outbound);
    let (workspace, user) = workspace_with_owner(&t, "Acme").await;
    let auth = proof(&t, user, workspace).await;
    let receiver = Receiver::start(clock.clone()).await;
    Env {
        t,
        clock,
        queue,
        vault,
        outbound,
        worker,
        workspace,
        user,
        auth,
        receiver,
    }
}

/// `user`'s proof of membership in `workspace`.
async fn proof(t: &TestDb, user: UserId, workspace: WorkspaceId) -> Authorized {
    herald_accounts::shared::authorize(&t.db, user, workspace, Permission::View)
        .await
        .unwrap()
}

fn worker_for(queue: &Queue, outbound: &Outbound) -> Worker {
    let mut registry = Registry::new();
    outbound::register(&mut registry, outbound.clone());
    Worker::new(queue.clone(), registry, WorkerOptions::default())
}

async fn workspace_with_owner(t: &TestDb, name: &str) -> (WorkspaceId, UserId) {
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    on_pool!(&t.db, |pool| {
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ($1, 'x', 0, 0) RETURNING id",
        )
        .bind(&email)
        .fetch_one(pool)
        .await
        .unwrap();
        let ws: i64 = sqlx::query_scalar(
            "INSERT INTO workspaces (name, created_at) VALUES ($1, 0) RETURNING id",
        )
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', 0)",
        )
        .bind(ws)
        .bind(user)
        .execute(pool)
        .await
        .unwrap();
        (WorkspaceId(ws), UserId(user))
    })
}

impl Env {
    /// An endpoint at the receiver; the receiver verifies with its secret.
    async fn endpoint(&self, types: &[&str]) -> (Endpoint, String) {
        let (ep, secret) = self
            .outbound
            .create(
                &self.auth,
                NewEndpoint {
                    url: self.receiver.url(),
                    description: "the test receiver".into(),
                    event_types: types.iter().map(|s| (*s).to_owned()).collect(),
                },
            )
            .await
            .unwrap();
        self.receiver.verify_with(&secret);
        (ep, secret)
    }

    async fn run_due(&self) -> usize {
        self.worker.run_due().await.unwrap()
    }

    fn advance(&self, secs: i64) {
        self.clock.advance(SignedDuration::from_secs(secs));
    }

    fn advance_to(&self, at: Timestamp) {
        self.clock.set(at);
    }

    async fn deliveries(&self, ep: &EndpointId) -> Vec<OutboundDelivery> {
        self.outbound
            .deliveries(&self.auth, ep, None, 100)
            .await
            .unwrap()
    }

    async fn delivery(&self, id: i64) -> OutboundDelivery {
        self.outbound
            .delivery(&self.auth, id)
            .await
            .unwrap()
            .expect("the delivery exists")
            .delivery
    }

    async fn notices(&self) -> Vec<herald_notify::Notification> {
        Notifications::new(
            self.t.db.clone(),
            self.clock.clone(),
            herald_notify::UnsubscribeKey::derive(b"test"),
        )
        .list(&self.auth, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == NotificationKind::EndpointFailing)
        .collect()
    }

    fn publish_event(&self, outcome: PublishOutcome) -> Event {
        self.publish_event_for(self.workspace, outcome)
    }

    fn publish_event_for(&self, workspace: WorkspaceId, outcome: PublishOutcome) -> Event {
        let mut result = PublishRequestEvent {
            workspace_id: workspace.0,
            post_id: "post_1".into(),
            target_id: "target_1".into(),
            provider: "instagram".into(),
            account_id: "17841400000000001".into(),
            attempt: 1,
            idempotency_key: "target_1:v1".into(),
        }
        .result(outcome);
        result.remote_id = Some("remote_1".into());
        result.to_event(self.clock.now()).unwrap()
    }

    fn connection_event(&self, subject: &str) -> Event {
        Event::new(
            Subject::parse(subject).unwrap(),
            serde_json::json!({
                "workspace_id": self.workspace.0,
                "connection_id": "con_1",
                "provider": "facebook",
                "name": "Acme Page",
                "reason": "access removed on Facebook",
            }),
            self.clock.now(),
        )
    }

    async fn count(&self, sql: &'static str) -> i64 {
        on_pool!(&self.t.db, |pool| sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await
            .unwrap())
    }
}

/// The event types of an endpoint's deliveries, sorted.
async fn types_of(e: &Env, ep: &EndpointId) -> Vec<String> {
    let mut types: Vec<String> = e
        .deliveries(ep)
        .await
        .into_iter()
        .map(|d| d.event_type)
        .collect();
    types.sort();
    types
}

fn within_jitter(actual: SignedDuration, base: Duration) -> bool {
    let actual = actual.as_secs_f64();
    let base = base.as_secs_f64();
    actual >= base * 0.8 - 1e-6 && actual <= base * 1.2 + 1e-6
}

// --- Delivery -----------------------------------------------------------------

async fn a_signed_delivery_reaches_the_receiver_and_verifies(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    let event = e.publish_event(PublishOutcome::Published);
    assert_eq!(e.outbound.fan_out(&event).await.unwrap(), 1);
    assert_eq!(e.run_due().await, 1);

    let got = e.receiver.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.verified, Ok(()));
    assert_eq!(r.id, format!("msg_{}", event.id.0.simple()));
    assert_eq!(r.user_agent, "Herald-Webhooks/1");
    assert_eq!(r.content_type, "application/json");
    assert_eq!(r.signature.split(' ').count(), 1);
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["type"], "post.published");
    assert_eq!(body["timestamp"], event.occurred_at.to_string());
    assert_eq!(body["data"]["post_id"], "post_1");
    assert_eq!(body["data"]["remote_id"], "remote_1");

    let list = e.deliveries(&ep.id).await;
    assert_eq!(list.len(), 1);
    let d = &list[0];
    assert_eq!(d.state, DeliveryState::Succeeded);
    assert_eq!(d.attempts, 1);
    assert_eq!(d.last_status, Some(200));
    assert_eq!(d.message_id, r.id);
    assert_eq!(d.event_type, "post.published");
    let detail = e.outbound.delivery(&e.auth, d.id).await.unwrap().unwrap();
    assert_eq!(detail.payload.as_bytes(), &r.body[..]);
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(detail.attempts[0].number, 1);
    assert_eq!(detail.attempts[0].status, Some(200));
    assert_eq!(detail.attempts[0].response_excerpt.as_deref(), Some("ok"));
    assert_eq!(detail.attempts[0].replayed_by, None);
    // Another workspace sees none of it.
    let (other, owner) = workspace_with_owner(&e.t, "Other").await;
    let other = proof(&e.t, owner, other).await;
    assert!(e.outbound.delivery(&other, d.id).await.unwrap().is_none());
    assert!(e.outbound.get(&other, &ep.id).await.unwrap().is_none());
    assert!(
        e.outbound
            .deliveries(&other, &ep.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn failures_retry_on_the_schedule_with_one_webhook_id(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.always(Reply::Status(500));
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    assert_eq!(d.state, DeliveryState::Pending);
    assert_eq!(d.event_type, "webhook.endpoint_test");

    // The first retry comes at once, within the same step.
    assert_eq!(e.run_due().await, 2);
    for attempt in 2..=8usize {
        let now = e.clock.now();
        let d = e.delivery(d.id).await;
        assert_eq!(d.state, DeliveryState::Retrying);
        assert_eq!(d.attempts as usize, attempt);
        assert_eq!(d.last_status, Some(500));
        let next = d.next_attempt_at.expect("a next attempt is scheduled");
        let delay = now.duration_until(next);
        assert!(
            within_jitter(delay, RETRY_SCHEDULE[attempt - 1]),
            "after attempt {attempt}: waited {delay:?}, schedule says {:?}",
            RETRY_SCHEDULE[attempt - 1]
        );
        // The job queue agrees with the delivery log.
        let jobs = e
            .queue
            .list(JobState::Queued, Some(outbound::QUEUE), 10)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].run_at, next);
        // Nothing runs early.
        e.advance_to(next - SignedDuration::from_millis(1));
        assert_eq!(e.run_due().await, 0);
        e.advance_to(next);
        assert_eq!(e.run_due().await, 1);
    }
    let got = e.receiver.received();
    assert_eq!(got.len(), 9);
    assert!(
        got.iter()
            .all(|r| r.id == d.message_id && r.verified.is_ok())
    );
    let detail = e.outbound.delivery(&e.auth, d.id).await.unwrap().unwrap();
    let numbers: Vec<i64> = detail.attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, (1..=9).collect::<Vec<_>>());
    assert!(detail.attempts.iter().all(|a| a.status == Some(500)));
}

async fn a_delivery_that_fails_every_attempt_dies_with_a_notice(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.always(Reply::Status(503));
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    loop {
        e.run_due().await;
        let now = e.delivery(d.id).await;
        match now.next_attempt_at {
            Some(at) if now.state == DeliveryState::Retrying => e.advance_to(at),
            _ => break,
        }
    }
    let d = e.delivery(d.id).await;
    assert_eq!(d.state, DeliveryState::Dead);
    assert_eq!(d.attempts, 1 + RETRY_SCHEDULE.len() as i64);
    assert_eq!(d.next_attempt_at, None);
    assert_eq!(d.last_error.as_deref(), Some("HTTP 503"));
    // Nothing is left queued, and the endpoint stays enabled (not 5 days yet).
    assert!(
        e.queue
            .list(JobState::Queued, Some(outbound::QUEUE), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let ep = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert!(ep.enabled);
    assert_eq!(ep.failing_since, Some(t0()));
    let notices = e.notices().await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        notices[0].notice.as_ref().map(|n| n.code.as_str()),
        Some("endpoint_exhausted"),
        "{notices:?}"
    );
    assert_eq!(
        notices[0].link.as_deref(),
        Some(outbound::endpoint_link(&ep.id.0).as_str())
    );
}

async fn gone_disables_the_endpoint_and_kills_the_delivery(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.always(Reply::Status(410));
    e.outbound
        .fan_out(&e.publish_event(PublishOutcome::Published))
        .await
        .unwrap();
    assert_eq!(e.run_due().await, 1);
    let d = &e.deliveries(&ep.id).await[0];
    assert_eq!(d.state, DeliveryState::Dead);
    assert_eq!(d.last_status, Some(410));
    let ep = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert!(!ep.enabled);
    assert!(ep.disabled_reason.as_deref().unwrap().contains("410"));
    assert_eq!(e.notices().await.len(), 1);
    assert!(
        e.queue
            .list(JobState::Queued, Some(outbound::QUEUE), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A disabled endpoint gets no new deliveries.
    let later = e.publish_event(PublishOutcome::Published);
    assert_eq!(e.outbound.fan_out(&later).await.unwrap(), 0);
    assert_eq!(e.receiver.received().len(), 1);
}

async fn retry_after_is_honoured_when_longer_than_the_schedule(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver
        .answer([Reply::RetryAfter(429, "3600".into()), Reply::Ok]);
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    // The schedule would retry at once; the endpoint asked for an hour.
    assert_eq!(e.run_due().await, 1);
    let failed = e.delivery(d.id).await;
    assert_eq!(failed.state, DeliveryState::Retrying);
    assert_eq!(failed.last_status, Some(429));
    let next = failed.next_attempt_at.unwrap();
    assert_eq!(next, t0() + SignedDuration::from_secs(3600));
    assert_eq!(
        e.queue
            .list(JobState::Queued, Some(outbound::QUEUE), 10)
            .await
            .unwrap()[0]
            .run_at,
        next
    );
    e.advance(3599);
    assert_eq!(e.run_due().await, 0);
    e.advance(1);
    assert_eq!(e.run_due().await, 1);
    assert_eq!(e.delivery(d.id).await.state, DeliveryState::Succeeded);

    // An HTTP date works too, and an absurd wait is capped at a day.
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&(e.clock.now() + SignedDuration::from_hours(2)))
        .unwrap();
    e.receiver.answer([
        Reply::RetryAfter(503, date),
        Reply::RetryAfter(503, "9999999".into()),
    ]);
    let d2 = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    let start = e.clock.now();
    assert_eq!(e.run_due().await, 1);
    assert_eq!(
        e.delivery(d2.id).await.next_attempt_at,
        Some(start + SignedDuration::from_hours(2))
    );
    e.advance(2 * 3600);
    let second = e.clock.now();
    assert_eq!(e.run_due().await, 1);
    assert_eq!(
        e.delivery(d2.id).await.next_attempt_at,
        Some(second + SignedDuration::from_hours(24))
    );
}

async fn redirects_are_not_followed_and_count_as_failures(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.answer([Reply::Redirect]);
    e.receiver.always(Reply::Redirect);
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    let d = e.delivery(d.id).await;
    assert_eq!(d.state, DeliveryState::Retrying);
    assert_eq!(d.last_status, Some(302));
    assert!(
        d.last_error.as_deref().unwrap().contains("redirect"),
        "{:?}",
        d.last_error
    );
    assert_eq!(*e.receiver.state.redirects_followed.lock().unwrap(), 0);
    let ep = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert_eq!(ep.failing_since, Some(t0()));
}

async fn a_slow_endpoint_times_out(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    let hasty = e.outbound.with_request_timeout(Duration::from_millis(300));
    let worker = worker_for(&e.queue, &hasty);
    e.receiver.answer([
        Reply::Slow(Duration::from_secs(3)),
        Reply::Slow(Duration::from_secs(3)),
    ]);
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    worker.run_due().await.unwrap();
    let detail = e.outbound.delivery(&e.auth, d.id).await.unwrap().unwrap();
    assert_eq!(detail.delivery.state, DeliveryState::Retrying);
    let first = &detail.attempts[0];
    assert_eq!(first.status, None);
    assert!(
        first.error.as_deref().unwrap().contains("timed out"),
        "{:?}",
        first.error
    );
    assert!(
        first.duration_ms >= 250 && first.duration_ms < 3000,
        "{}",
        first.duration_ms
    );
}

async fn during_a_rotation_both_secrets_sign_until_the_old_one_expires(t: TestDb) {
    let e = env(t).await;
    let (ep, old) = e.endpoint(&[]).await;
    let new = e.outbound.rotate_secret(&e.auth, &ep.id).await.unwrap();
    assert_ne!(new, old);
    assert_eq!(
        e.outbound.secrets(&e.auth, &ep.id).await.unwrap(),
        vec![new.clone(), old.clone()]
    );

    // A receiver that has not switched yet still verifies…
    e.receiver.verify_with(&old);
    e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    // …and so does one that has.
    e.receiver.verify_with(&new);
    e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    let got = e.receiver.received();
    assert_eq!(got.len(), 2);
    for r in &got {
        assert_eq!(r.verified, Ok(()));
        assert_eq!(r.signature.split(' ').count(), 2);
    }

    // A day later only the new secret signs.
    e.advance(24 * 3600 + 1);
    assert_eq!(
        e.outbound.secrets(&e.auth, &ep.id).await.unwrap(),
        vec![new.clone()]
    );
    e.receiver.verify_with(&old);
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    let last = e.receiver.received().pop().unwrap();
    assert_eq!(last.signature.split(' ').count(), 1);
    assert_eq!(last.verified, Err(StandardError::Mismatch));
    assert_eq!(e.delivery(d.id).await.state, DeliveryState::Retrying);
}

async fn a_key_rotation_re_encrypts_endpoint_secrets_and_the_old_key_can_go(t: TestDb) {
    let e = env(t).await;
    let (ep, old) = e.endpoint(&[]).await;
    let new = e.outbound.rotate_secret(&e.auth, &ep.id).await.unwrap();
    let keyring = Keyring::new(vec![Arc::new(outbound::EndpointSecrets)]);
    // Both of the endpoint's secrets are under key 1: it cannot go yet.
    assert_eq!(keyring.uses(&e.t.db, KeyId(1)).await.unwrap(), 2);

    // Key 2 is added and becomes the active one; everything moves to it.
    let rotated = Vault::in_memory(&[(KeyId(1), [7u8; 32]), (KeyId(2), [9u8; 32])]);
    assert_eq!(keyring.reencrypt_all(&e.t.db, &rotated).await.unwrap(), 1);
    assert_eq!(keyring.uses(&e.t.db, KeyId(1)).await.unwrap(), 0);
    assert_eq!(keyring.uses(&e.t.db, KeyId(2)).await.unwrap(), 2);
    assert_eq!(keyring.reencrypt_all(&e.t.db, &rotated).await.unwrap(), 0);

    // With key 1 retired, deliveries still carry both signatures.
    let retired = Arc::new(Vault::in_memory(&[(KeyId(2), [9u8; 32])]));
    let outbound = Outbound::new(
        e.t.db.clone(),
        e.queue.clone(),
        e.clock.clone(),
        retired,
        TargetPolicy::AllowPrivate,
    );
    let worker = worker_for(&e.queue, &outbound);
    for secret in [&old, &new] {
        e.receiver.verify_with(secret);
        outbound.send_test(&e.auth, &ep.id).await.unwrap();
        worker.run_due().await.unwrap();
        let last = e.receiver.received().pop().unwrap();
        assert_eq!(last.verified, Ok(()));
    }
    assert_eq!(
        outbound.secrets(&e.auth, &ep.id).await.unwrap(),
        vec![new, old]
    );
}

async fn an_endpoint_failing_for_five_days_is_disabled_with_a_notice(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.always(Reply::Status(500));
    e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    let failing = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert_eq!(failing.failing_since, Some(t0()));
    assert!(failing.enabled);

    // Not yet after four days…
    e.advance(4 * 24 * 3600);
    e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    assert!(
        e.outbound
            .get(&e.auth, &ep.id)
            .await
            .unwrap()
            .unwrap()
            .enabled
    );
    // …but on the first failure five days in.
    e.advance(24 * 3600);
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    let ep = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert!(!ep.enabled);
    assert_eq!(ep.disabled_reason.as_deref(), Some("failing for 5 days"));
    assert_eq!(e.delivery(d.id).await.state, DeliveryState::Dead);
    let notices = e.notices().await;
    assert!(
        notices.iter().any(|n| n
            .notice
            .as_ref()
            .is_some_and(|w| w.code == "endpoint_failing"
                && w.params.get("days") == Some(&herald_notify::NoticeParam::Count(5)))),
        "{notices:?}"
    );
    // Every delivery still queued for it ends dead without being sent.
    let sent_before = e.receiver.received().len();
    e.advance(24 * 3600);
    e.run_due().await;
    assert_eq!(e.receiver.received().len(), sent_before);
    let all = e.deliveries(&ep.id).await;
    assert!(
        all.iter().all(|d| d.state == DeliveryState::Dead),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|d| d.last_error.as_deref() == Some("endpoint disabled"))
    );

    // Enabling it again clears the failure state.
    let back = e
        .outbound
        .update(
            &e.auth,
            &ep.id,
            EndpointChanges {
                enabled: Some(true),
                ..EndpointChanges::default()
            },
        )
        .await
        .unwrap();
    assert!(back.enabled);
    assert_eq!(back.disabled_reason, None);
    assert_eq!(back.failing_since, None);
}

async fn a_success_clears_the_failure_state(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.answer([Reply::Status(500)]);
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    // Fails, then succeeds on the immediate retry.
    assert_eq!(e.run_due().await, 2);
    assert_eq!(e.delivery(d.id).await.state, DeliveryState::Succeeded);
    let ep = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert_eq!(ep.failing_since, None);
}

// --- Replay -------------------------------------------------------------------

async fn replaying_one_delivery_sends_the_same_message_again(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.always(Reply::Status(500));
    let d1 = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    let d2 = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    assert_eq!(e.delivery(d1.id).await.attempts, 2);

    e.receiver.always(Reply::Ok);
    assert_eq!(e.outbound.replay(&e.auth, &[d1.id]).await.unwrap(), 1);
    assert_eq!(e.run_due().await, 1);
    let detail = e.outbound.delivery(&e.auth, d1.id).await.unwrap().unwrap();
    assert_eq!(detail.delivery.state, DeliveryState::Succeeded);
    assert_eq!(detail.attempts.len(), 3);
    assert_eq!(detail.attempts[2].replayed_by, Some(e.user));
    assert_eq!(detail.attempts[0].replayed_by, None);

    // The retry d1's first run had scheduled does nothing now; d2's runs.
    e.advance(60);
    assert_eq!(e.run_due().await, 2);
    let ids: Vec<String> = e.receiver.received().into_iter().map(|r| r.id).collect();
    assert_eq!(ids.iter().filter(|id| **id == d1.message_id).count(), 3);
    assert_eq!(e.delivery(d1.id).await.attempts, 3);
    assert_eq!(e.delivery(d2.id).await.state, DeliveryState::Succeeded);

    // A succeeded delivery can be sent again on request, same webhook-id.
    assert_eq!(
        e.outbound.replay(&e.auth, &[d1.id, d1.id]).await.unwrap(),
        1
    );
    e.run_due().await;
    let last = e.receiver.received().pop().unwrap();
    assert_eq!(last.id, d1.message_id);

    // Another workspace cannot replay it.
    let (other, stranger) = workspace_with_owner(&e.t, "Other").await;
    let stranger = proof(&e.t, stranger, other).await;
    assert_eq!(e.outbound.replay(&stranger, &[d1.id]).await.unwrap(), 0);
}

async fn replaying_everything_failed_since_a_time_skips_older_and_disabled(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    e.receiver.always(Reply::Status(500));
    let old = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    e.advance(3600 * 6);
    let since = e.clock.now();
    let a = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    let b = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.run_due().await;
    let sent_before = e.receiver.received().len();

    e.receiver.always(Reply::Ok);
    let n = e
        .outbound
        .replay_failed_since(&e.auth, &ep.id, since)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(e.run_due().await, 2);
    assert_eq!(e.receiver.received().len(), sent_before + 2);
    assert_eq!(e.delivery(a.id).await.state, DeliveryState::Succeeded);
    assert_eq!(e.delivery(b.id).await.state, DeliveryState::Succeeded);
    assert_eq!(e.delivery(old.id).await.state, DeliveryState::Retrying);
    // Nothing failed since then any more.
    assert_eq!(
        e.outbound
            .replay_failed_since(&e.auth, &ep.id, since)
            .await
            .unwrap(),
        0
    );

    // A disabled endpoint's deliveries are not replayed.
    e.outbound
        .update(
            &e.auth,
            &ep.id,
            EndpointChanges {
                enabled: Some(false),
                ..EndpointChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        e.outbound
            .replay_failed_since(&e.auth, &ep.id, t0())
            .await
            .unwrap(),
        0
    );
    assert_eq!(e.outbound.replay(&e.auth, &[old.id]).await.unwrap(), 0);
    let ep = e.outbound.get(&e.auth, &ep.id).await.unwrap().unwrap();
    assert_eq!(
        ep.disabled_reason.as_deref(),
        Some(outbound::DISABLED_BY_HAND)
    );
}

// --- Fan-out ------------------------------------------------------------------

async fn fan_out_is_idempotent_for_the_same_event(t: TestDb) {
    let e = env(t).await;
    e.endpoint(&[]).await;
    let event = e.publish_event(PublishOutcome::Failed);
    assert_eq!(e.outbound.fan_out(&event).await.unwrap(), 1);
    assert_eq!(e.outbound.fan_out(&event).await.unwrap(), 0);

    // Through the relay's sink wrapper, a re-send is handed on but not
    // fanned out twice.
    let local = herald_events::LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let sink = e.outbound.sink(Arc::new(local));
    assert_eq!(sink.name(), "local");
    sink.publish(&event).await.unwrap();
    assert_eq!(sub.try_recv().map(|ev| ev.id), Some(event.id));
    assert_eq!(e.count("SELECT COUNT(*) FROM outbound_messages").await, 1);
    assert_eq!(e.count("SELECT COUNT(*) FROM outbound_deliveries").await, 1);

    // A new event through the sink is fanned out before it is handed on.
    let fresh = e.connection_event("connection.revoked");
    sink.publish(&fresh).await.unwrap();
    assert_eq!(sub.try_recv().map(|ev| ev.id), Some(fresh.id));
    assert_eq!(e.count("SELECT COUNT(*) FROM outbound_messages").await, 2);

    assert_eq!(e.run_due().await, 2);
    let types: Vec<String> = e
        .receiver
        .received()
        .iter()
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(types.len(), 2);
    assert!(
        types.contains(&"post.failed".to_owned())
            && types.contains(&"connection.revoked".to_owned())
    );
}

async fn endpoints_get_only_the_event_types_they_subscribe_to(t: TestDb) {
    let e = env(t).await;
    let (failed_only, _) = e.endpoint(&["post.failed"]).await;
    let (everything, _) = e.endpoint(&[]).await;
    let (published_only, _) = e.endpoint(&["post.published", "post.published"]).await;
    assert_eq!(
        published_only.event_types,
        vec!["post.published".to_owned()]
    );
    let (switched_off, _) = e.endpoint(&[]).await;
    e.outbound
        .update(
            &e.auth,
            &switched_off.id,
            EndpointChanges {
                enabled: Some(false),
                ..EndpointChanges::default()
            },
        )
        .await
        .unwrap();
    // Another workspace's endpoint never sees this workspace's events.
    let (other, other_user) = workspace_with_owner(&e.t, "Other").await;
    let other = proof(&e.t, other_user, other).await;
    let (foreign, _) = e
        .outbound
        .create(
            &other,
            NewEndpoint {
                url: e.receiver.url(),
                ..NewEndpoint::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(
        e.outbound
            .fan_out(&e.publish_event(PublishOutcome::Published))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        e.outbound
            .fan_out(&e.publish_event(PublishOutcome::Retrying))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        e.outbound
            .fan_out(&e.connection_event("connection.needs_reconnection"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        e.outbound
            .fan_out(&e.publish_event(PublishOutcome::Failed))
            .await
            .unwrap(),
        2
    );
    let unrelated = Event::new(
        Subject::parse("platform.publish.request.instagram").unwrap(),
        serde_json::json!({"workspace_id": e.workspace.0}),
        e.clock.now(),
    );
    assert_eq!(e.outbound.fan_out(&unrelated).await.unwrap(), 0);

    assert_eq!(types_of(&e, &failed_only.id).await, vec!["post.failed"]);
    assert_eq!(
        types_of(&e, &everything.id).await,
        vec![
            "connection.needs_reconnection",
            "post.failed",
            "post.published"
        ]
    );
    assert_eq!(
        types_of(&e, &published_only.id).await,
        vec!["post.published"]
    );
    assert!(types_of(&e, &switched_off.id).await.is_empty());
    assert!(
        e.outbound
            .deliveries(&other, &foreign.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

// --- Endpoints and SSRF --------------------------------------------------------

async fn public_only_refuses_private_targets_when_an_endpoint_is_saved(t: TestDb) {
    let e = env(t).await;
    let strict = Outbound::new(
        e.t.db.clone(),
        e.queue.clone(),
        e.clock.clone(),
        e.vault.clone(),
        TargetPolicy::PublicOnly,
    );
    let create = |url: &str| {
        let strict = strict.clone();
        let new = NewEndpoint {
            url: url.to_owned(),
            ..NewEndpoint::default()
        };
        let auth = e.auth.clone();
        async move { strict.create(&auth, new).await }
    };
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/hook",
        "https://localhost:8443/hook",
    ] {
        match create(url).await {
            Err(EndpointError::Url(UrlError::Forbidden(_))) => {}
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(matches!(
        create("http://8.8.8.8/hook").await,
        Err(EndpointError::Url(UrlError::Scheme))
    ));
    assert!(matches!(
        create("https://user:pw@8.8.8.8/hook").await,
        Err(EndpointError::Url(UrlError::Credentials))
    ));
    // A public literal address needs no DNS and is accepted.
    let (ok, _) = create("https://8.8.8.8/hook").await.unwrap();
    assert_eq!(ok.url, "https://8.8.8.8/hook");

    // Changing the URL is checked the same way.
    let changed = strict
        .update(
            &e.auth,
            &ok.id,
            EndpointChanges {
                url: Some("https://192.168.1.10/".into()),
                ..EndpointChanges::default()
            },
        )
        .await;
    assert!(matches!(
        changed,
        Err(EndpointError::Url(UrlError::Forbidden(_)))
    ));
    assert_eq!(
        strict.get(&e.auth, &ok.id).await.unwrap().unwrap().url,
        "https://8.8.8.8/hook"
    );
    assert_eq!(strict.list(&e.auth).await.unwrap().len(), 1);
}

async fn endpoint_input_is_validated(t: TestDb) {
    let e = env(t).await;
    let new = |description: String, types: Vec<String>| NewEndpoint {
        url: e.receiver.url(),
        description,
        event_types: types,
    };
    assert!(matches!(
        e.outbound
            .create(&e.auth, new("x".repeat(201), vec![]))
            .await,
        Err(EndpointError::DescriptionTooLong)
    ));
    assert!(matches!(
        e.outbound.create(&e.auth, new(String::new(), vec!["post.deleted".into()])).await,
        Err(EndpointError::UnknownEventType(t)) if t == "post.deleted"
    ));
    let (ep, _) = e
        .outbound
        .create(
            &e.auth,
            new("é".repeat(200), vec!["connection.revoked".into()]),
        )
        .await
        .unwrap();
    assert_eq!(ep.description.chars().count(), 200);
    let missing = EndpointId("ep_missing".into());
    assert!(matches!(
        e.outbound
            .update(&e.auth, &missing, EndpointChanges::default())
            .await,
        Err(EndpointError::NotFound)
    ));
    assert!(matches!(
        e.outbound.secrets(&e.auth, &missing).await,
        Err(EndpointError::NotFound)
    ));
    assert!(matches!(
        e.outbound.send_test(&e.auth, &missing).await,
        Err(EndpointError::NotFound)
    ));
    let updated = e
        .outbound
        .update(
            &e.auth,
            &ep.id,
            EndpointChanges {
                description: Some("  billing system  ".into()),
                event_types: Some(vec![]),
                ..EndpointChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.description, "billing system");
    assert!(updated.event_types.is_empty());

    // Deleting takes the deliveries with it; a queued job then does nothing.
    e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    assert!(e.outbound.delete(&e.auth, &ep.id).await.unwrap());
    assert!(!e.outbound.delete(&e.auth, &ep.id).await.unwrap());
    assert_eq!(e.count("SELECT COUNT(*) FROM outbound_deliveries").await, 0);
    assert_eq!(e.run_due().await, 1);
    assert!(e.receiver.received().is_empty());
}

async fn a_name_that_resolves_to_loopback_is_refused_at_send_time(t: TestDb) {
    let e = env(t).await;
    // Saved while private targets were allowed (or while the name still
    // pointed elsewhere)…
    let by_name = e
        .outbound
        .create(
            &e.auth,
            NewEndpoint {
                url: format!("https://localhost:{}/hook", e.receiver.addr.port()),
                ..NewEndpoint::default()
            },
        )
        .await
        .unwrap()
        .0;
    let literal = e
        .outbound
        .create(
            &e.auth,
            NewEndpoint {
                url: format!("https://127.0.0.1:{}/hook", e.receiver.addr.port()),
                ..NewEndpoint::default()
            },
        )
        .await
        .unwrap()
        .0;
    // …then delivered by a process that only allows public targets.
    let strict = Outbound::new(
        e.t.db.clone(),
        e.queue.clone(),
        e.clock.clone(),
        e.vault.clone(),
        TargetPolicy::PublicOnly,
    );
    let worker = worker_for(&e.queue, &strict);
    let d1 = strict.send_test(&e.auth, &by_name.id).await.unwrap();
    let d2 = strict.send_test(&e.auth, &literal.id).await.unwrap();
    worker.run_due().await.unwrap();
    for (d, what) in [(d1, "localhost"), (d2, "127.0.0.1")] {
        let detail = strict.delivery(&e.auth, d.id).await.unwrap().unwrap();
        assert_eq!(detail.delivery.state, DeliveryState::Retrying);
        let error = detail.attempts[0].error.clone().unwrap();
        assert!(error.contains("refused") && error.contains(what), "{error}");
        assert_eq!(detail.attempts[0].status, None);
    }
    assert!(e.receiver.received().is_empty());
}

async fn endpoint_secrets_are_sealed_at_rest(t: TestDb) {
    let e = env(t).await;
    let (ep, secret) = e.endpoint(&[]).await;
    assert!(secret.starts_with("whsec_"));
    let (stored, key_id): (String, i64) = on_pool!(&e.t.db, |pool| {
        sqlx::query_as("SELECT secret, key_id FROM outbound_endpoints WHERE id = $1")
            .bind(&ep.id.0)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    let raw = secret.strip_prefix("whsec_").unwrap();
    assert!(!stored.contains(raw) && !stored.contains(&secret));
    assert!(stored.starts_with("v1.1."), "{stored}");
    assert_eq!(key_id, 1);
    assert_eq!(
        e.outbound.secrets(&e.auth, &ep.id).await.unwrap(),
        vec![secret.clone()]
    );

    // The ciphertext is bound to its endpoint: copied to another row it
    // does not open.
    let (other, _) = e.endpoint(&[]).await;
    on_pool!(&e.t.db, |pool| {
        sqlx::query("UPDATE outbound_endpoints SET secret = $1 WHERE id = $2")
            .bind(&stored)
            .bind(&other.id.0)
            .execute(pool)
            .await
            .unwrap();
    });
    assert!(matches!(
        e.outbound.secrets(&e.auth, &other.id).await,
        Err(EndpointError::Storage(_))
    ));
    // Rotation keeps the old secret sealed too.
    let rotated = e.outbound.rotate_secret(&e.auth, &ep.id).await.unwrap();
    let (current, previous): (String, Option<String>) = on_pool!(&e.t.db, |pool| {
        sqlx::query_as("SELECT secret, previous_secret FROM outbound_endpoints WHERE id = $1")
            .bind(&ep.id.0)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(previous.as_deref(), Some(stored.as_str()));
    assert!(!current.contains(rotated.strip_prefix("whsec_").unwrap()));
}

async fn deliveries_of_a_disabled_endpoint_end_dead_unsent(t: TestDb) {
    let e = env(t).await;
    let (ep, _) = e.endpoint(&[]).await;
    let d = e.outbound.send_test(&e.auth, &ep.id).await.unwrap();
    e.outbound
        .update(
            &e.auth,
            &ep.id,
            EndpointChanges {
                enabled: Some(false),
                ..EndpointChanges::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(e.run_due().await, 1);
    let d = e.delivery(d.id).await;
    assert_eq!(d.state, DeliveryState::Dead);
    assert_eq!(d.last_error.as_deref(), Some("endpoint disabled"));
    assert_eq!(d.attempts, 0);
    assert!(e.receiver.received().is_empty());
}

on_both_backends!(
    a_key_rotation_re_encrypts_endpoint_secrets_and_the_old_key_can_go,
    a_signed_delivery_reaches_the_receiver_and_verifies,
    failures_retry_on_the_schedule_with_one_webhook_id,
    a_delivery_that_fails_every_attempt_dies_with_a_notice,
    gone_disables_the_endpoint_and_kills_the_delivery,
    retry_after_is_honoured_when_longer_than_the_schedule,
    redirects_are_not_followed_and_count_as_failures,
    a_slow_endpoint_times_out,
    during_a_rotation_both_secrets_sign_until_the_old_one_expires,
    an_endpoint_failing_for_five_days_is_disabled_with_a_notice,
    a_success_clears_the_failure_state,
    replaying_one_delivery_sends_the_same_message_again,
    replaying_everything_failed_since_a_time_skips_older_and_disabled,
    fan_out_is_idempotent_for_the_same_event,
    endpoints_get_only_the_event_types_they_subscribe_to,
    public_only_refuses_private_targets_when_an_endpoint_is_saved,
    endpoint_input_is_validated,
    a_name_that_resolves_to_loopback_is_refused_at_send_time,
    endpoint_secrets_are_sealed_at_rest,
    deliveries_of_a_disabled_endpoint_end_dead_unsent,
);
