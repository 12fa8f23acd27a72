/// Failures of the webhook services that are not the caller's input.
#[derive(Debug, thiserror::Error)]
pub enum WebhooksError {
    #[error("webhook storage failed")]
    Db(#[from] herald_db::DbError),
    #[error("could not queue webhook work")]
    Queue(#[source] herald_db::DbError),
    #[error("could not encode webhook data")]
    Encode(#[source] serde_json::Error),
    #[error("could not seal or open an endpoint secret")]
    Vault(#[source] herald_connections::vault::VaultError),
    #[error("could not append an event")]
    Event(#[source] herald_events::EventsError),
    /// Deliveries written together share one commit, so they share its
    /// failure: each caller gets the batch's error.
    #[error("the batch this delivery was written in failed")]
    Batch(#[source] std::sync::Arc<WebhooksError>),
    /// The task that writes deliveries is gone (its runtime shut down).
    #[error("the webhook writer is not running")]
    WriterStopped,
    #[error("could not raise a notification")]
    Notify(#[from] herald_notify::NotifyError),
    /// The person may not do this in the workspace.
    #[error("not allowed")]
    Access(#[from] herald_accounts::AccountError),
}

impl From<sqlx::Error> for WebhooksError {
    fn from(e: sqlx::Error) -> Self {
        WebhooksError::Db(e.into())
    }
}

/// `err` and its causes on one line, for logs and stored errors.
pub(crate) use herald_core::error::chain as describe;
