//! What the studio's use cases refuse, by code.

use herald_accounts::AccountError;
use herald_core::Timestamp;
use herald_db::DbError;

/// Which quota a request ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaHit {
    /// `workspace` or `member`.
    pub scope: &'static str,
    /// `day` or `month`.
    pub period: &'static str,
    /// `generations` or `tokens`.
    pub measure: &'static str,
    /// The limit that was reached.
    pub limit: u64,
    /// When the period ends and the quota is counted afresh (the next UTC
    /// midnight or first of the month): what `Retry-After` says.
    pub resets_at: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    /// The caller may not (403), or is not a member (404).
    #[error("not allowed")]
    Access(#[from] AccountError),
    #[error("no such template")]
    TemplateNotFound,
    #[error("no such tone")]
    ToneNotFound,
    #[error("no such pillar in this workspace")]
    PillarNotFound,
    #[error("no such generation in this workspace")]
    GenerationNotFound,
    #[error("no such draft in this workspace")]
    DraftNotFound,
    /// A post to link a draft to is not the workspace's.
    #[error("no such post in this workspace")]
    PostNotFound,
    #[error("no such version of this draft")]
    VersionNotFound,
    /// A catalog template is edited through a copy.
    #[error("catalog templates are read-only: copy it first")]
    CatalogReadOnly,
    /// A field is missing, too long or malformed: `field` names it.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    /// The content's format is not the draft's or the template's.
    #[error("the content is a {found}, not a {expected}")]
    FormatMismatch {
        expected: &'static str,
        found: &'static str,
    },
    /// A pillar of that name exists already.
    #[error("a pillar of that name exists")]
    PillarExists,
    /// Someone saved the draft since the version the editor started from.
    #[error("the draft changed since version {base} (now {current})")]
    Conflict { base: i32, current: i32 },
    #[error("the {} {} quota of {} {} is used up", .0.scope, .0.period, .0.limit, .0.measure)]
    QuotaReached(QuotaHit),
    /// The generation has already ended.
    #[error("the generation has already ended")]
    AlreadyEnded,
    #[error("studio storage failed")]
    Db(#[from] DbError),
    #[error("could not queue the generation")]
    Queue(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The shipped catalog does not parse (a test holds that it does).
    #[error("the shipped template catalog is invalid: {0}")]
    Seed(String),
    #[error("stored studio data could not be read")]
    Corrupt(#[source] serde_json::Error),
}

impl From<sqlx::Error> for StudioError {
    fn from(e: sqlx::Error) -> Self {
        StudioError::Db(e.into())
    }
}

impl StudioError {
    /// The error code the web layer answers with.
    pub fn code(&self) -> &'static str {
        match self {
            StudioError::Access(e) => e.code(),
            StudioError::TemplateNotFound => "template_not_found",
            StudioError::ToneNotFound => "tone_not_found",
            StudioError::PillarNotFound => "pillar_not_found",
            StudioError::GenerationNotFound => "generation_not_found",
            StudioError::DraftNotFound => "draft_not_found",
            StudioError::PostNotFound => "post_not_found",
            StudioError::VersionNotFound => "draft_version_not_found",
            StudioError::CatalogReadOnly => "template_read_only",
            StudioError::Invalid { .. } => "studio_invalid",
            StudioError::FormatMismatch { .. } => "content_format_mismatch",
            StudioError::PillarExists => "pillar_exists",
            StudioError::Conflict { .. } => "draft_conflict",
            StudioError::QuotaReached(_) => "quota_reached",
            StudioError::AlreadyEnded => "generation_ended",
            StudioError::Db(_)
            | StudioError::Queue(_)
            | StudioError::Corrupt(_)
            | StudioError::Seed(_) => "internal",
        }
    }
}
