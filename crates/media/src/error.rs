//! What can go wrong in the media library, with the copy-table code of each.

use herald_db::DbError;
use herald_platforms::PlatformError;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Refused as soon as the count passed the limit; nothing was stored.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the file is empty")]
    Empty,
    /// Not an image or video Herald can post (what it looks like instead).
    #[error("unsupported file type: {0}")]
    Unsupported(String),
    /// Looks like a supported type but cannot be read as one.
    #[error("the file is not a valid {format}: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
    /// A Google Docs file, or one the owner does not let others download.
    #[error("this Google Drive file cannot be downloaded: {0}")]
    NotDownloadable(String),
    #[error("Google Drive import is not available on this server")]
    DriveUnavailable,
    #[error("no such media")]
    NotFound,
    /// The person may not do this in the workspace.
    #[error("not allowed")]
    Access(#[from] herald_accounts::AccountError),
    /// The client's body broke off (disconnect, timeout).
    #[error("the upload was interrupted")]
    Body(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Boxed: a platform error is large, and every media result carries it.
    #[error(transparent)]
    Drive(Box<PlatformError>),
    /// The Google connection could not be read or renewed.
    #[error("the Google connection could not be used")]
    Connection(#[source] herald_connections::ConnectError),
    #[error("media storage failed")]
    Storage(#[from] StorageError),
    #[error("storage failed")]
    Database(#[from] DbError),
    #[error("a temporary file could not be written or read")]
    Io(#[from] std::io::Error),
}

impl MediaError {
    /// The key of the shared copy table (`error.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::TooLarge { .. } => "media_too_large",
            MediaError::Empty => "media_empty",
            MediaError::Unsupported(_) => "media_unsupported",
            MediaError::Malformed { .. } => "media_malformed",
            MediaError::NotDownloadable(_) => "media_not_downloadable",
            MediaError::DriveUnavailable => "media_drive_unavailable",
            MediaError::NotFound => "not_found",
            MediaError::Access(e) => e.code(),
            MediaError::Body(_) => "media_upload_interrupted",
            MediaError::Drive(e) => herald_connections::platform_code(e),
            MediaError::Connection(e) => e.code(),
            MediaError::Storage(_) | MediaError::Database(_) | MediaError::Io(_) => "internal",
        }
    }

    /// Whether trying again later may work (for the import job).
    pub fn is_transient(&self) -> bool {
        match self {
            MediaError::Drive(e) => e.is_transient(),
            MediaError::Connection(e) => matches!(e, herald_connections::ConnectError::Database(_)),
            MediaError::Storage(_)
            | MediaError::Database(_)
            | MediaError::Io(_)
            | MediaError::Body(_) => true,
            _ => false,
        }
    }
}

impl From<PlatformError> for MediaError {
    fn from(e: PlatformError) -> Self {
        MediaError::Drive(Box::new(e))
    }
}
