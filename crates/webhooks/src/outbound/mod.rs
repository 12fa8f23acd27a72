//! Outbound webhooks: endpoints a workspace registers for Herald's events,
//! deliveries signed per Standard Webhooks, retried on
//! [`crate::RETRY_SCHEDULE`], a delivery log with replay, automatic
//! disabling, and SSRF protection.
//!
//! The flow: the event relay's sink is wrapped by [`Outbound::sink`], so
//! every relayed event passes [`Outbound::fan_out`] first. An event of a
//! known kind becomes one message (keyed by the event id, so a re-sent event
//! is not a second message) and one delivery per enabled, subscribed
//! endpoint of its workspace, with a `webhooks.deliver.v1` job each — all in
//! one transaction. The job ([`deliver`]) sends one attempt and records it;
//! the job queue runs the retries. Endpoint secrets are sealed by the
//! credential vault, bound to the endpoint id.

mod deliver;
mod messages;
pub mod metrics;
mod store;

pub use deliver::{
    DISABLE_AFTER_FAILING, DeliverJob, EXCERPT_BYTES, MAX_RETRY_AFTER, QUEUE, REQUEST_TIMEOUT,
    USER_AGENT,
};

use herald_core::Named;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_accounts::{Authorized, Permission};
use herald_connections::sealed::{ResealError, SealedValues};
use herald_connections::vault::{KeyId, Vault, VaultError};
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_core::{UserId, WorkspaceId};
use herald_db::Db;
use herald_db::DbTime;
use herald_jobs::{NewJob, Queue};
use secrecy::{ExposeSecret, SecretString};

use crate::WebhooksError;
use crate::error::describe;
use crate::ssrf::{self, TargetPolicy, UrlError};
use crate::standard;
use store::{DeliveryRow, EndpointRow};

/// The event types an endpoint can subscribe to, with a short description.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    ("post.published", "A post went live on a platform"),
    ("post.failed", "A post could not be published on a platform"),
    (
        "connection.needs_reconnection",
        "A connected account must be reconnected",
    ),
    (
        "connection.revoked",
        "Access to a connected account was removed on the platform",
    ),
    ("webhook.endpoint_test", "A test message sent from Herald"),
    (
        "notification.raised",
        "A notification was raised for the workspace's members",
    ),
];

/// The type of the message [`Outbound::send_test`] sends.
pub const TEST_EVENT_TYPE: &str = "webhook.endpoint_test";

/// How long the previous secret keeps signing after a rotation.
pub const PREVIOUS_SECRET_GRACE: SignedDuration = SignedDuration::from_hours(24);

/// The longest endpoint description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// The reason recorded when a person disables an endpoint.
pub const DISABLED_BY_HAND: &str = "disabled by a workspace member";

/// The reason recorded when an endpoint answers 410 Gone.
pub const DISABLED_GONE: &str = "the endpoint answered 410 Gone";

/// The reason recorded when an endpoint has been failing too long.
pub const DISABLED_FAILING: &str = "failing for 5 days";

pub use herald_core::EndpointId;

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Pending,
    Succeeded,
    /// Failed; another attempt is scheduled.
    Retrying,
    /// Every attempt failed, or the endpoint is disabled; only a replay sends it again.
    Dead,
}

/// A registered endpoint (its secret is only shown on request).
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: EndpointId,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub description: String,
    /// Empty: every event type.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why it was disabled (410 Gone, failing for 5 days, by a person).
    pub disabled_reason: Option<String>,
    /// Since when every delivery has failed (None when the last succeeded).
    pub failing_since: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// What a person enters to register an endpoint.
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// Bad input when saving an endpoint (nothing changes).
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("unknown event type {0}")]
    UnknownEventType(String),
    #[error("the description is longer than 200 characters")]
    DescriptionTooLong,
    #[error("no such endpoint")]
    NotFound,
    /// The person may not do this in the workspace.
    #[error("not allowed")]
    Access(#[from] herald_accounts::AccountError),
    #[error(transparent)]
    Storage(#[from] WebhooksError),
}

/// A message's delivery to one endpoint.
#[derive(Debug, Clone)]
pub struct OutboundDelivery {
    pub id: i64,
    pub endpoint_id: EndpointId,
    /// The `webhook-id`, the same on every attempt.
    pub message_id: String,
    pub event_type: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone)]
pub struct OutboundAttempt {
    pub number: i64,
    pub at: Timestamp,
    /// HTTP status, when a response came.
    pub status: Option<i32>,
    pub duration_ms: i64,
    /// Connection, timeout or refusal reason.
    pub error: Option<String>,
    /// The response body's first 1 KiB.
    pub response_excerpt: Option<String>,
    /// Set when a person replayed it.
    pub replayed_by: Option<UserId>,
}

/// A delivery with the body it sends and every attempt, oldest first.
#[derive(Debug, Clone)]
pub struct OutboundDeliveryDetail {
    pub delivery: OutboundDelivery,
    pub payload: String,
    pub attempts: Vec<OutboundAttempt>,
}

/// The outbound webhooks service; cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    inner: Arc<OutboundInner>,
}

struct OutboundInner {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    vault: Arc<Vault>,
    policy: TargetPolicy,
    /// The HTTP client, or why it could not be built (no TLS roots): then
    /// every attempt fails with that reason instead of the process failing
    /// to start.
    http: Result<reqwest::Client, String>,
    timeout: Duration,
}

/// The client every delivery goes through: rustls, no redirects, no proxy,
/// a total timeout, and the SSRF-guarded resolver.
fn http_client(policy: TargetPolicy, timeout: Duration) -> Result<reqwest::Client, String> {
    ssrf::guarded_client(policy, USER_AGENT, timeout).map_err(|e| {
            let text = describe(&e);
            tracing::error!(error = %text, "could not build the outbound webhook HTTP client; deliveries will fail");
            text
        })
}

/// The endpoints' signing secrets (current and previous), sealed with the
/// credential vault under the endpoint's id: one of the sets a key
/// rotation re-encrypts and a key retirement waits for.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndpointSecrets;

#[async_trait]
impl SealedValues for EndpointSecrets {
    fn name(&self) -> &'static str {
        "outbound webhook endpoint secrets"
    }

    async fn key_usage(&self, db: &Db) -> Result<Vec<(i64, i64)>, herald_db::DbError> {
        store::secret_key_usage(db).await
    }

    async fn reencrypt(&self, db: &Db, vault: &Vault, active: KeyId) -> Result<u64, ResealError> {
        let active = i64::from(active.0);
        let mut after = String::new();
        let mut done = 0;
        loop {
            let batch = store::secrets_under_other_keys(db, active, &after, 100).await?;
            let Some(last) = batch.last().map(|r| r.id.clone()) else {
                return Ok(done);
            };
            for row in &batch {
                let reseal = |sealed: &str| -> Result<(i64, String), ResealError> {
                    let plain = vault.open(sealed, &row.id)?;
                    let (key, fresh) = vault.seal(&plain, &row.id)?;
                    Ok((i64::from(key.0), fresh))
                };
                let (key_id, secret) = if row.key_id == active {
                    (row.key_id, row.secret.clone())
                } else {
                    reseal(&row.secret)?
                };
                let (previous_key_id, previous_secret) =
                    match (&row.previous_secret, row.previous_key_id) {
                        (Some(sealed), Some(key)) if key != active => {
                            let (k, s) = reseal(sealed)?;
                            (Some(k), Some(s))
                        }
                        (sealed, key) => (key, sealed.clone()),
                    };
                if key_id != active || previous_key_id.is_some_and(|k| k != active) {
                    // Another rotation happened meanwhile; its job finishes.
                    return Ok(done);
                }
                let new = store::SealedSecrets {
                    id: row.id.clone(),
                    key_id,
                    secret,
                    previous_key_id,
                    previous_secret,
                };
                if store::reseal_secrets(db, row, &new).await? {
                    done += 1;
                }
            }
            after = last;
        }
    }
}

/// The page of an endpoint inside Herald (the link of its notices).
pub fn endpoint_link(id: &str) -> String {
    format!("/home/webhooks/endpoints/{id}")
}

fn check_description(description: &str) -> Result<String, EndpointError> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(EndpointError::DescriptionTooLong);
    }
    Ok(description.to_owned())
}

/// Known types only, each once, in the order given.
fn check_event_types(types: &[String]) -> Result<Vec<String>, EndpointError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in types {
        let t = t.trim();
        if !EVENT_TYPES.iter().any(|(known, _)| *known == t) {
            return Err(EndpointError::UnknownEventType(t.to_owned()));
        }
        if seen.insert(t.to_owned()) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

fn event_types_of(row: &EndpointRow) -> Result<Vec<String>, WebhooksError> {
    serde_json::from_str(&row.event_types).map_err(WebhooksError::Encode)
}

fn endpoint_from(row: &EndpointRow) -> Result<Endpoint, WebhooksError> {
    Ok(Endpoint {
        id: EndpointId(row.id.clone()),
        workspace_id: row.workspace_id,
        url: row.url.clone(),
        description: row.description.clone(),
        event_types: event_types_of(row)?,
        enabled: row.enabled,
        disabled_reason: row.disabled_reason.clone(),
        failing_since: row.failing_since.map(Timestamp::from),
        created_at: row.created_at.0,
    })
}

fn delivery_from(row: DeliveryRow) -> OutboundDelivery {
    OutboundDelivery {
        id: row.id,
        endpoint_id: EndpointId(row.endpoint_id),
        message_id: row.message_id,
        event_type: row.event_type,
        // The column's CHECK admits only the four states.
        state: DeliveryState::parse(&row.state).unwrap_or(DeliveryState::Dead),
        attempts: row.attempts,
        last_status: row.last_status,
        last_error: row.last_error,
        next_attempt_at: row.next_attempt_at.map(Timestamp::from),
        created_at: row.created_at.0,
    }
}

impl Outbound {
    /// The service. `policy` decides which addresses endpoints may reach.
    /// If the HTTP client cannot be built (no TLS root certificates on the
    /// machine) this still returns, logs why, and every attempt fails with
    /// that reason.
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        vault: Arc<Vault>,
        policy: TargetPolicy,
    ) -> Outbound {
        Outbound {
            inner: Arc::new(OutboundInner {
                db,
                queue,
                clock,
                vault,
                policy,
                http: http_client(policy, REQUEST_TIMEOUT),
                timeout: REQUEST_TIMEOUT,
            }),
        }
    }

    /// The same service with another per-request timeout (the default is
    /// [`REQUEST_TIMEOUT`]; tests use a short one).
    pub fn with_request_timeout(&self, timeout: Duration) -> Outbound {
        let i = &self.inner;
        Outbound {
            inner: Arc::new(OutboundInner {
                db: i.db.clone(),
                queue: i.queue.clone(),
                clock: i.clock.clone(),
                vault: i.vault.clone(),
                policy: i.policy,
                http: http_client(i.policy, timeout),
                timeout,
            }),
        }
    }

    /// Which addresses endpoints may reach.
    pub fn policy(&self) -> TargetPolicy {
        self.inner.policy
    }

    fn open_secret(&self, sealed: &str, endpoint: &str) -> Result<SecretString, WebhooksError> {
        let bytes = self
            .inner
            .vault
            .open(sealed, endpoint)
            .map_err(WebhooksError::Vault)?;
        String::from_utf8(bytes)
            .map(SecretString::from)
            .map_err(|_| WebhooksError::Vault(VaultError::MalformedCiphertext))
    }

    async fn row(
        &self,
        workspace: WorkspaceId,
        id: &EndpointId,
    ) -> Result<EndpointRow, EndpointError> {
        store::endpoint(&self.inner.db, workspace, &id.0)
            .await
            .map_err(WebhooksError::from)?
            .ok_or(EndpointError::NotFound)
    }

    /// Registers an endpoint; returns it with its new `whsec_` secret.
    pub async fn create(
        &self,
        auth: &Authorized,
        new: NewEndpoint,
    ) -> Result<(Endpoint, String), EndpointError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let by = auth.user();
        let description = check_description(&new.description)?;
        let event_types = check_event_types(&new.event_types)?;
        let url = ssrf::check_url(&new.url, self.inner.policy).await?;
        let id = format!("ep_{}", uuid::Uuid::new_v4().simple());
        let secret = standard::new_secret();
        let (key_id, sealed) = self
            .inner
            .vault
            .seal(secret.as_bytes(), &id)
            .map_err(WebhooksError::Vault)?;
        let now = DbTime(self.inner.clock.now());
        let row = EndpointRow {
            id,
            workspace_id: workspace,
            url: url.to_string(),
            description,
            event_types: serde_json::to_string(&event_types).map_err(WebhooksError::Encode)?,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            key_id: i64::from(key_id.0),
            secret: sealed,
            previous_key_id: None,
            previous_secret: None,
            previous_expires_at: None,
            created_by: Some(by),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.inner.db.begin().await.map_err(WebhooksError::from)?;
        store::insert_endpoint(&mut tx, &row)
            .await
            .map_err(WebhooksError::from)?;
        tx.commit().await.map_err(WebhooksError::from)?;
        tracing::info!(endpoint = %row.id, workspace = workspace.0, "outbound webhook endpoint created");
        Ok((endpoint_from(&row)?, secret))
    }

    /// The workspace's endpoints, oldest first.
    pub async fn list(&self, auth: &Authorized) -> Result<Vec<Endpoint>, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        store::endpoints(&self.inner.db, workspace)
            .await?
            .iter()
            .map(endpoint_from)
            .collect()
    }

    /// One endpoint of the workspace.
    pub async fn get(
        &self,
        auth: &Authorized,
        id: &EndpointId,
    ) -> Result<Option<Endpoint>, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        store::endpoint(&self.inner.db, workspace, &id.0)
            .await?
            .as_ref()
            .map(endpoint_from)
            .transpose()
    }

    /// Changes an endpoint; enabling it clears the failure state.
    pub async fn update(
        &self,
        auth: &Authorized,
        id: &EndpointId,
        changes: EndpointChanges,
    ) -> Result<Endpoint, EndpointError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let mut row = self.row(workspace, id).await?;
        if let Some(description) = &changes.description {
            row.description = check_description(description)?;
        }
        if let Some(types) = &changes.event_types {
            row.event_types =
                serde_json::to_string(&check_event_types(types)?).map_err(WebhooksError::Encode)?;
        }
        if let Some(url) = &changes.url {
            row.url = ssrf::check_url(url, self.inner.policy).await?.to_string();
        }
        match changes.enabled {
            Some(true) => {
                row.enabled = true;
                row.disabled_reason = None;
                row.failing_since = None;
            }
            Some(false) if row.enabled => {
                row.enabled = false;
                row.disabled_reason = Some(DISABLED_BY_HAND.to_owned());
                ::metrics::counter!(metrics::DISABLED, "reason" => "manual").increment(1);
            }
            Some(false) | None => {}
        }
        row.updated_at = DbTime(self.inner.clock.now());
        if !store::update_endpoint(&self.inner.db, &row)
            .await
            .map_err(WebhooksError::from)?
        {
            return Err(EndpointError::NotFound);
        }
        Ok(endpoint_from(&row)?)
    }

    /// The current secret (and the previous one while it is still accepted).
    pub async fn secrets(
        &self,
        auth: &Authorized,
        id: &EndpointId,
    ) -> Result<Vec<String>, EndpointError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let row = self.row(workspace, id).await?;
        let now = self.inner.clock.now();
        let mut out = vec![
            self.open_secret(&row.secret, &row.id)?
                .expose_secret()
                .to_owned(),
        ];
        if let (Some(previous), Some(until)) = (&row.previous_secret, row.previous_expires_at)
            && until.0 > now
        {
            out.push(
                self.open_secret(previous, &row.id)?
                    .expose_secret()
                    .to_owned(),
            );
        }
        Ok(out)
    }

    /// A new secret; the old one keeps signing alongside for 24 hours. (A
    /// second rotation within those hours drops the oldest secret.)
    pub async fn rotate_secret(
        &self,
        auth: &Authorized,
        id: &EndpointId,
    ) -> Result<String, EndpointError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let mut row = self.row(workspace, id).await?;
        let now = self.inner.clock.now();
        let secret = standard::new_secret();
        let (key_id, sealed) = self
            .inner
            .vault
            .seal(secret.as_bytes(), &row.id)
            .map_err(WebhooksError::Vault)?;
        row.previous_key_id = Some(row.key_id);
        row.previous_secret = Some(std::mem::replace(&mut row.secret, sealed));
        row.previous_expires_at = Some(DbTime(now + PREVIOUS_SECRET_GRACE));
        row.key_id = i64::from(key_id.0);
        row.updated_at = DbTime(now);
        if !store::set_secrets(&self.inner.db, &row)
            .await
            .map_err(WebhooksError::from)?
        {
            return Err(EndpointError::NotFound);
        }
        tracing::info!(endpoint = %row.id, "outbound webhook endpoint secret rotated");
        Ok(secret)
    }

    /// Removes an endpoint with its deliveries; false when there was none.
    pub async fn delete(&self, auth: &Authorized, id: &EndpointId) -> Result<bool, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        Ok(store::delete_endpoint(&self.inner.db, workspace, &id.0).await?)
    }

    /// Sends a `webhook.endpoint_test` message to the endpoint (only to
    /// it, whatever its subscriptions).
    pub async fn send_test(
        &self,
        auth: &Authorized,
        id: &EndpointId,
    ) -> Result<OutboundDelivery, EndpointError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let row = self.row(workspace, id).await?;
        let now = self.inner.clock.now();
        let message_id = format!("msg_{}", uuid::Uuid::now_v7().simple());
        let body = messages::body(
            TEST_EVENT_TYPE,
            now,
            &serde_json::json!({
                "endpoint_id": row.id,
                "message": "This is a test message from Herald.",
            }),
        );
        let mut tx = self.inner.db.begin().await.map_err(WebhooksError::from)?;
        store::insert_message(
            &mut tx,
            &message_id,
            workspace,
            TEST_EVENT_TYPE,
            &body,
            None,
            now,
        )
        .await
        .map_err(WebhooksError::from)?;
        let delivery = store::insert_delivery(&mut tx, &message_id, &row.id, now)
            .await
            .map_err(WebhooksError::from)?;
        let job = NewJob::of(&DeliverJob {
            delivery_id: delivery,
            generation: 0,
            replayed_by: None,
        })
        .map_err(WebhooksError::Encode)?;
        self.inner
            .queue
            .enqueue(&mut tx, job)
            .await
            .map_err(WebhooksError::Queue)?;
        tx.commit().await.map_err(WebhooksError::from)?;
        let (row, _) = store::delivery(&self.inner.db, workspace, delivery)
            .await
            .map_err(WebhooksError::from)?
            .ok_or(EndpointError::NotFound)?;
        Ok(delivery_from(row))
    }

    /// The endpoint's deliveries, newest first.
    pub async fn deliveries(
        &self,
        auth: &Authorized,
        id: &EndpointId,
        state: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<OutboundDelivery>, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let rows = store::deliveries(
            &self.inner.db,
            workspace,
            &id.0,
            state.map(DeliveryState::as_str),
            i64::try_from(limit).unwrap_or(i64::MAX),
        )
        .await?;
        Ok(rows.into_iter().map(delivery_from).collect())
    }

    /// One delivery of the workspace, with its body and attempts.
    pub async fn delivery(
        &self,
        auth: &Authorized,
        delivery: i64,
    ) -> Result<Option<OutboundDeliveryDetail>, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let Some((row, payload)) = store::delivery(&self.inner.db, workspace, delivery).await?
        else {
            return Ok(None);
        };
        let attempts = store::attempts(&self.inner.db, row.id)
            .await?
            .into_iter()
            .map(|a| OutboundAttempt {
                number: a.number,
                at: a.attempted_at.0,
                status: a.status,
                duration_ms: a.duration_ms,
                error: a.error,
                response_excerpt: a.response_excerpt,
                replayed_by: a.replayed_by,
            })
            .collect();
        Ok(Some(OutboundDeliveryDetail {
            delivery: delivery_from(row),
            payload,
            attempts,
        }))
    }

    /// A new attempt for each delivery (same `webhook-id`); returns how many.
    /// Deliveries of another workspace are skipped; so are those of a
    /// disabled endpoint (refused and counted — enable the endpoint first).
    /// A replay starts a new run with the full retry schedule; a retry the
    /// previous run had scheduled is dropped.
    pub async fn replay(
        &self,
        auth: &Authorized,
        deliveries: &[i64],
    ) -> Result<usize, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let workspace = auth.workspace();
        let by = auth.user();
        let ids: BTreeSet<i64> = deliveries.iter().copied().collect();
        let now = self.inner.clock.now();
        let mut tx = self.inner.db.begin().await?;
        let mut jobs = Vec::new();
        let mut refused = 0u64;
        for id in ids {
            match store::delivery_endpoint_enabled(&mut tx, workspace, id).await? {
                None => {}
                Some(false) => refused += 1,
                Some(true) => {
                    let generation = store::restart_delivery(&mut tx, id, now).await?;
                    jobs.push(
                        NewJob::of(&DeliverJob {
                            delivery_id: id,
                            generation,
                            replayed_by: Some(by.0),
                        })
                        .map_err(WebhooksError::Encode)?,
                    );
                }
            }
        }
        if !jobs.is_empty() {
            self.inner
                .queue
                .enqueue_many(&mut tx, &jobs)
                .await
                .map_err(WebhooksError::Queue)?;
        }
        tx.commit().await?;
        if refused > 0 {
            ::metrics::counter!(metrics::REPLAY_REFUSED).increment(refused);
            tracing::info!(
                workspace = workspace.0,
                refused,
                "replay skipped deliveries of disabled endpoints"
            );
        }
        Ok(jobs.len())
    }

    /// Replays the endpoint's dead and retrying deliveries created at or
    /// after `since`.
    pub async fn replay_failed_since(
        &self,
        auth: &Authorized,
        id: &EndpointId,
        since: Timestamp,
    ) -> Result<usize, WebhooksError> {
        auth.require(Permission::ManageWebhooks)?;
        let ids = store::failed_since(&self.inner.db, auth.workspace(), &id.0, since).await?;
        self.replay(auth, &ids).await
    }

    /// Turns a Herald event into one message per subscribed, enabled
    /// endpoint of its workspace, idempotently (the event id keys it), and
    /// queues the deliveries. Events of other kinds are ignored, and so is
    /// an event whose payload cannot be read (logged and counted: retrying
    /// it would only hold up the relay). Returns how many deliveries were
    /// queued.
    pub async fn fan_out(&self, event: &herald_events::Event) -> Result<usize, WebhooksError> {
        let draft = match messages::from_event(event) {
            Ok(Some(draft)) => draft,
            Ok(None) => return Ok(0),
            Err(e) => {
                ::metrics::counter!(metrics::MALFORMED_EVENTS).increment(1);
                tracing::error!(event = %event.id, error = %describe(&e), "skipped an event the outbound webhooks cannot read");
                return Ok(0);
            }
        };
        let now = self.inner.clock.now();
        let mut tx = self.inner.db.begin().await?;
        let mut subscribed = Vec::new();
        for endpoint in store::enabled_endpoints(&mut tx, WorkspaceId(draft.workspace_id)).await? {
            let types = event_types_of(&endpoint)?;
            if types.is_empty() || types.iter().any(|t| t == draft.event_type) {
                subscribed.push(endpoint.id);
            }
        }
        if subscribed.is_empty() {
            return Ok(0);
        }
        let message_id = format!("msg_{}", event.id.0.simple());
        let body = messages::body(draft.event_type, event.occurred_at, &draft.data);
        let source = event.id.to_string();
        if !store::insert_message(
            &mut tx,
            &message_id,
            WorkspaceId(draft.workspace_id),
            draft.event_type,
            &body,
            Some(&source),
            now,
        )
        .await?
        {
            // Fanned out before (the relay sent the event again).
            return Ok(0);
        }
        let mut jobs = Vec::with_capacity(subscribed.len());
        for endpoint in &subscribed {
            let delivery = store::insert_delivery(&mut tx, &message_id, endpoint, now).await?;
            jobs.push(
                NewJob::of(&DeliverJob {
                    delivery_id: delivery,
                    generation: 0,
                    replayed_by: None,
                })
                .map_err(WebhooksError::Encode)?,
            );
        }
        self.inner
            .queue
            .enqueue_many(&mut tx, &jobs)
            .await
            .map_err(WebhooksError::Queue)?;
        tx.commit().await?;
        Ok(jobs.len())
    }

    /// Wraps the relay's sink: every event is fanned out to endpoints
    /// first, then handed on to `inner`.
    pub fn sink(&self, inner: Arc<dyn herald_events::Sink>) -> Arc<dyn herald_events::Sink> {
        Arc::new(FanOutSink {
            outbound: self.clone(),
            inner,
        })
    }
}

/// The sink [`Outbound::sink`] returns. A fan-out failure fails the
/// publish, so the relay keeps the event and sends it again later; the
/// fan-out is idempotent, so the inner sink may see an event twice (which
/// sinks must accept anyway).
struct FanOutSink {
    outbound: Outbound,
    inner: Arc<dyn herald_events::Sink>,
}

#[async_trait]
impl herald_events::Sink for FanOutSink {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn publish(
        &self,
        event: &herald_events::Event,
    ) -> Result<herald_events::Delivery, herald_events::SinkError> {
        self.outbound
            .fan_out(event)
            .await
            .map_err(|e| herald_events::SinkError::Other(Box::new(e)))?;
        self.inner.publish(event).await
    }
}

/// Registers the `webhooks.deliver.v1` handler (also done by
/// [`crate::register`] with the other webhook jobs).
pub fn register(registry: &mut herald_jobs::Registry, outbound: Outbound) {
    registry.register::<DeliverJob, _>(deliver::DeliverHandler(outbound));
}
