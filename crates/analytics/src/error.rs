//! What analytics refuses, by code.

use herald_accounts::AccountError;
use herald_db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The caller may not (403), or is not a member (404).
    #[error("not allowed")]
    Access(#[from] AccountError),
    #[error("no such account in this workspace")]
    AccountNotFound,
    #[error("no such pillar in this workspace")]
    PillarNotFound,
    #[error("no such guide")]
    GuideNotFound,
    #[error("no such recommendation for this workspace")]
    RecommendationNotFound,
    /// A parameter is missing or malformed: `field` names it.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("the guides seed is invalid: {0}")]
    Seed(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("the studio failed: {0}")]
    Studio(#[from] herald_studio::StudioError),
    /// Raising a notice failed.
    #[error("could not raise a notice")]
    Notify(#[from] herald_notify::NotifyError),
}

impl From<sqlx::Error> for AnalyticsError {
    fn from(e: sqlx::Error) -> Self {
        AnalyticsError::Db(DbError::Query(e))
    }
}

impl AnalyticsError {
    /// The stable code of the error, for the API and the words.
    pub fn code(&self) -> &'static str {
        match self {
            AnalyticsError::Access(e) => e.code(),
            AnalyticsError::AccountNotFound => "analytics_account_not_found",
            AnalyticsError::PillarNotFound => "pillar_not_found",
            AnalyticsError::GuideNotFound => "guide_not_found",
            AnalyticsError::RecommendationNotFound => "recommendation_not_found",
            AnalyticsError::Invalid { .. } => "analytics_invalid",
            AnalyticsError::Studio(e) => e.code(),
            AnalyticsError::Seed(_)
            | AnalyticsError::Db(_)
            | AnalyticsError::Corrupt(_)
            | AnalyticsError::Notify(_) => "internal",
        }
    }
}
