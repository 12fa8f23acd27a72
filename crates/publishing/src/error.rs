//! What can go wrong when composing, scheduling or changing posts.

use herald_accounts::AccountError;
use herald_db::DbError;

use crate::rules::Issue;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no such post")]
    NotFound,
    #[error("a post needs at least one account")]
    NoTargets,
    #[error("the same account is chosen twice")]
    DuplicateTarget,
    #[error("no such connected account in this workspace: {0}")]
    UnknownConnection(String),
    #[error("the account {0} needs to be reconnected first")]
    ConnectionNeedsReconnection(String),
    #[error("no such media in this workspace: {0}")]
    UnknownMedia(String),
    #[error("the post does not pass the platforms' rules")]
    Invalid(Vec<(String, Issue)>),
    #[error("unknown time zone: {0}")]
    UnknownTimeZone(String),
    #[error("not a date and time: {0}")]
    InvalidTime(String),
    #[error("the time is in the past")]
    InPast,
    #[error("the post is {0} and can no longer be changed that way")]
    WrongState(&'static str),
    #[error("publishing for {0} is not available in this deployment")]
    ProviderUnavailable(String),
    #[error("media lookup failed: {0}")]
    Media(String),
    /// Listing connections failed, or a value could not be encoded.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PublishError {
    /// A stable code for the API and the copy table.
    pub fn code(&self) -> &'static str {
        match self {
            PublishError::Account(e) => e.code(),
            PublishError::Db(_) => "internal",
            PublishError::NotFound => "post_not_found",
            PublishError::NoTargets => "post_no_targets",
            PublishError::DuplicateTarget => "post_duplicate_target",
            PublishError::UnknownConnection(_) => "post_unknown_connection",
            PublishError::ConnectionNeedsReconnection(_) => "post_connection_needs_reconnection",
            PublishError::UnknownMedia(_) => "post_unknown_media",
            PublishError::Invalid(_) => "post_invalid",
            PublishError::UnknownTimeZone(_) => "post_unknown_time_zone",
            PublishError::InvalidTime(_) => "post_invalid_time",
            PublishError::InPast => "post_time_in_past",
            PublishError::WrongState(_) => "post_wrong_state",
            PublishError::ProviderUnavailable(_) => "post_provider_unavailable",
            PublishError::Media(_) | PublishError::Internal(_) => "internal",
        }
    }
}
