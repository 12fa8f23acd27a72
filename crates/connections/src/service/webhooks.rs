//! Webhook subscriptions. Meta sends webhooks only for the Pages and
//! Instagram accounts an app subscribed one by one, so after an account
//! is connected (or reconnected) Herald asks for them through the
//! account's connector, records where that stands on the connection
//! (shown on its card), and retries passing failures with a job
//! ([`crate::jobs::SubscribeWebhooks`]).

use herald_platforms::{SubscribeRequest, Subscription};

use super::*;
use crate::jobs::SubscribeWebhooks;

/// Where a connection's webhook subscription stands, as stored in
/// `connections.webhooks` (JSON) and shown on its card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Webhooks {
    /// Not asked yet: connected before Herald subscribed accounts, or the
    /// first try is under way.
    Pending,
    /// The platform sends webhooks for these fields.
    Subscribed { fields: Vec<String> },
    /// Failed for a passing reason; a job tries again.
    Retrying {
        platform_code: Option<String>,
        message: String,
    },
    /// Failed, and retrying soon would not help (the app's settings, a
    /// dead token): tried again at the daily check or a reconnection.
    Failed {
        platform_code: Option<String>,
        message: String,
    },
    /// The connection lacks these permissions: no webhook comes until the
    /// person connects again and grants them.
    MissingPermission { scopes: Vec<String> },
    /// The platform has no per-account subscription (TikTok, YouTube).
    NotApplicable,
}

impl Webhooks {
    /// From `connections.webhooks`: empty (or unreadable) is not asked
    /// yet, except where there is nothing to ask.
    pub(super) fn from_stored(stored: &str, provider: ProviderId) -> Webhooks {
        match serde_json::from_str(stored) {
            Ok(webhooks) => webhooks,
            Err(_) if matches!(provider, ProviderId::TikTok | ProviderId::YouTube) => {
                Webhooks::NotApplicable
            }
            Err(_) => Webhooks::Pending,
        }
    }

    fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A short stable name (`pending`, `subscribed`, …) for logs and the
    /// card's copy.
    pub fn state(&self) -> &'static str {
        match self {
            Webhooks::Pending => "pending",
            Webhooks::Subscribed { .. } => "subscribed",
            Webhooks::Retrying { .. } => "retrying",
            Webhooks::Failed { .. } => "failed",
            Webhooks::MissingPermission { .. } => "missing_permission",
            Webhooks::NotApplicable => "not_applicable",
        }
    }

    /// What an adapter's answer means for the connection. `last_try`: a
    /// passing failure is final this time.
    fn of(answer: Result<Subscription, PlatformError>, last_try: bool) -> Webhooks {
        match answer {
            Ok(Subscription::Subscribed { fields }) => Webhooks::Subscribed { fields },
            Ok(Subscription::MissingPermission { scopes }) => {
                Webhooks::MissingPermission { scopes }
            }
            Ok(Subscription::NotApplicable) => Webhooks::NotApplicable,
            Err(e) if e.is_transient() || e.kind == ErrorKind::OutcomeUnknown => {
                if last_try {
                    Webhooks::Failed {
                        platform_code: e.code,
                        message: e.message,
                    }
                } else {
                    Webhooks::Retrying {
                        platform_code: e.code,
                        message: e.message,
                    }
                }
            }
            Err(e) => Webhooks::Failed {
                platform_code: e.code,
                message: e.message,
            },
        }
    }
}

/// How long after a passing failure the retry job first runs.
const RETRY_AFTER: SignedDuration = SignedDuration::from_secs(30);

impl Connections {
    /// Asks the platform to send webhooks for connection `id` and records
    /// the outcome; `None` when the connection is gone. `last_try`: a
    /// passing failure is recorded as final (the retry job's last
    /// attempt).
    pub async fn subscribe_webhooks(
        &self,
        id: &ConnectionId,
        last_try: bool,
    ) -> Result<Option<Webhooks>, ConnectError> {
        let Some(row) = store::connection(&self.inner.db, id).await? else {
            return Ok(None);
        };
        let provider = ProviderId::parse(&row.provider).ok_or(ConnectError::UnknownProvider)?;
        let kind = AccountKind::parse(&row.kind).ok_or(ConnectError::UnknownProvider)?;
        let webhooks = match (
            self.inner.providers.get(provider),
            self.credentials_of(&row),
        ) {
            (None, _) => Webhooks::Failed {
                platform_code: None,
                message: "the provider is not configured".to_owned(),
            },
            (_, Err(e)) => Webhooks::Failed {
                platform_code: None,
                message: format!("the stored access could not be read: {e}"),
            },
            (Some(registered), Ok(credentials)) => {
                let granted: Vec<String> =
                    row.scopes.split_whitespace().map(str::to_owned).collect();
                let answer = registered
                    .connector
                    .subscribe_webhooks(&SubscribeRequest {
                        kind,
                        remote_id: &row.remote_id,
                        access_token: &credentials.access_token,
                        granted_scopes: &granted,
                    })
                    .await;
                Webhooks::of(answer, last_try)
            }
        };
        store::set_webhooks(&self.inner.db, id, &webhooks.to_stored(), self.now()).await?;
        match &webhooks {
            Webhooks::Subscribed { fields } => {
                tracing::info!(connection = %id, %provider, fields = %fields.join(","), "webhooks subscribed");
            }
            Webhooks::NotApplicable | Webhooks::Pending => {}
            other => {
                tracing::warn!(connection = %id, %provider, webhooks = ?other, "webhooks not subscribed");
            }
        }
        Ok(Some(webhooks))
    }

    /// Subscribes a connection that was just made or renewed; a passing
    /// failure (or a storage error) leaves it to the retry job. Never
    /// fails the connection.
    pub(super) async fn subscribe_after_connect(&self, id: &ConnectionId) {
        let retry = match self.subscribe_webhooks(id, false).await {
            Ok(Some(Webhooks::Retrying { .. })) => true,
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(connection = %id, error = %e, "could not subscribe webhooks; retrying later");
                true
            }
        };
        if retry {
            self.queue_subscription(id, self.now() + RETRY_AFTER).await;
        }
    }

    /// Queues the retry job for `id` at `at` (one per connection and
    /// minute).
    pub(super) async fn queue_subscription(&self, id: &ConnectionId, at: Timestamp) {
        let job = NewJob::of(&SubscribeWebhooks {
            connection: id.to_owned(),
        })
        .expect("the payload serializes")
        .run_at(at)
        .unique_key(format!("connection-webhooks:{id}:{}", at.as_second() / 60));
        if let Err(e) = self.inner.queue.enqueue_now(job).await {
            tracing::warn!(connection = %id, error = %e, "could not queue the webhook subscription");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: ErrorKind) -> PlatformError {
        PlatformError::new(ProviderId::Facebook, kind, "no").with_code("2")
    }

    #[test]
    fn answers_become_states_and_passing_failures_retry_until_the_last_try() {
        let fields = vec!["feed".to_owned()];
        assert_eq!(
            Webhooks::of(
                Ok(Subscription::Subscribed {
                    fields: fields.clone()
                }),
                false
            ),
            Webhooks::Subscribed { fields }
        );
        assert_eq!(
            Webhooks::of(Err(error(ErrorKind::Unavailable)), false).state(),
            "retrying"
        );
        assert_eq!(
            Webhooks::of(Err(error(ErrorKind::Unavailable)), true).state(),
            "failed"
        );
        assert_eq!(
            Webhooks::of(Err(error(ErrorKind::Misconfigured)), false).state(),
            "failed"
        );
        assert_eq!(
            Webhooks::of(
                Ok(Subscription::MissingPermission {
                    scopes: vec!["pages_manage_metadata".to_owned()]
                }),
                false
            )
            .state(),
            "missing_permission"
        );
    }

    #[test]
    fn stored_states_round_trip_and_old_rows_are_pending_where_it_applies() {
        let failed = Webhooks::Failed {
            platform_code: Some("200".to_owned()),
            message: "(#200) Permissions error".to_owned(),
        };
        assert_eq!(
            Webhooks::from_stored(&failed.to_stored(), ProviderId::Facebook),
            failed
        );
        assert_eq!(
            Webhooks::from_stored("", ProviderId::Instagram),
            Webhooks::Pending
        );
        assert_eq!(
            Webhooks::from_stored("", ProviderId::TikTok),
            Webhooks::NotApplicable
        );
    }
}
