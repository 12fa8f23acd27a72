/// Failures of the notification services that are not the caller's input.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("notification storage failed")]
    Db(#[from] herald_db::DbError),
    #[error("could not queue notification work")]
    Queue(#[source] herald_db::DbError),
    #[error("could not encode a notice")]
    Encode(#[source] serde_json::Error),
    #[error("could not append the notification event")]
    Event(#[source] herald_events::EventsError),
    /// The words of a mail could not be composed.
    #[error("could not compose a mail")]
    Compose(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("could not queue a mail")]
    Mail(#[source] herald_mail::MailError),
    /// The digest's figures could not be read.
    #[error("could not read the digest's figures")]
    Figures(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The person may not do this in the workspace.
    #[error("not allowed")]
    Access(#[from] herald_accounts::AccountError),
}

impl From<sqlx::Error> for NotifyError {
    fn from(e: sqlx::Error) -> Self {
        NotifyError::Db(e.into())
    }
}
