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
    /// The platform did not answer a read the composer needs (TikTok's
    /// creator info); trying again soon may work.
    #[error("{0} did not answer; try again in a moment")]
    PlatformUnavailable(String),
    #[error("the post needs approval before it goes out; submit it")]
    ApprovalRequired,
    #[error("nobody approves their own post")]
    OwnPost,
    #[error("say which changes are needed")]
    CommentRequired,
    #[error("the comment is too long")]
    CommentTooLong,
    #[error("not a member of this workspace")]
    UnknownMember,
    #[error("no such comment on this post")]
    CommentNotFound,
    #[error("the post is not waiting for approval")]
    NotInReview,
    #[error("a review link shows one to fifty posts")]
    LinkPosts,
    #[error("a review link lives one to thirty days")]
    LinkExpiry,
    #[error("the review link's note is too long")]
    LinkLabelTooLong,
    #[error("a review link's password has 8 to 128 characters")]
    LinkPassword,
    #[error("no such review link")]
    LinkNotFound,
    #[error("the review link has expired or was revoked")]
    LinkExpired,
    #[error("the review link needs its password")]
    LinkPasswordRequired,
    #[error("wrong password for the review link")]
    LinkPasswordWrong,
    #[error("a reviewer gives their name (up to 100 characters)")]
    ReviewerName,
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
            PublishError::PlatformUnavailable(_) => "post_platform_unavailable",
            PublishError::ApprovalRequired => "post_approval_required",
            PublishError::OwnPost => "post_own_approval",
            PublishError::CommentRequired => "post_comment_required",
            PublishError::CommentTooLong => "post_comment_too_long",
            PublishError::UnknownMember => "post_unknown_member",
            PublishError::CommentNotFound => "post_comment_not_found",
            PublishError::NotInReview => "post_not_in_review",
            PublishError::LinkPosts => "review_link_posts",
            PublishError::LinkExpiry => "review_link_expiry",
            PublishError::LinkLabelTooLong => "review_link_label_too_long",
            PublishError::LinkPassword => "review_link_password_invalid",
            PublishError::LinkNotFound => "review_link_not_found",
            PublishError::LinkExpired => "review_link_expired",
            PublishError::LinkPasswordRequired => "review_link_password_required",
            PublishError::LinkPasswordWrong => "review_link_password_wrong",
            PublishError::ReviewerName => "review_link_name_required",
            PublishError::Media(_) | PublishError::Internal(_) => "internal",
        }
    }
}
