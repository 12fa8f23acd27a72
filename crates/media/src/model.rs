//! The media library's types.

use herald_core::Timestamp;
use herald_core::{UserId, WorkspaceId};
use herald_platforms::MediaKind;
use serde::Serialize;

pub use herald_core::MediaId;

/// Where a media file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Upload,
    /// Imported from Google Drive: the Drive file id.
    Drive(String),
}

impl Origin {
    /// As stored: `upload` or `drive:{file id}`.
    pub fn to_db(&self) -> String {
        match self {
            Origin::Upload => "upload".to_owned(),
            Origin::Drive(id) => format!("drive:{id}"),
        }
    }

    pub fn from_db(s: &str) -> Origin {
        match s.strip_prefix("drive:") {
            Some(id) => Origin::Drive(id.to_owned()),
            None => Origin::Upload,
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_db())
    }
}

/// One file of a workspace's library.
#[derive(Debug, Clone)]
pub struct Media {
    pub id: MediaId,
    pub workspace_id: WorkspaceId,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Where the blob is in the [`Storage`](crate::Storage).
    pub storage_key: String,
    pub filename: String,
    /// The type probed from the bytes (not the one the client declared).
    pub mime: String,
    pub kind: MediaKind,
    pub size: u64,
    /// Display dimensions (EXIF or track rotation applied), when known.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    /// A JPEG of at most 320 px, when one could be made.
    pub thumbnail_key: Option<String>,
    pub origin: Origin,
    /// None once the user is deleted.
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// Which media to list, and from where.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: Option<MediaKind>,
    /// Only media created before this one (the previous page's `next`).
    pub before: Option<MediaId>,
    /// At most this many (clamped to 1..=200; 50 when 0).
    pub limit: u32,
}

/// One page of a listing, newest first.
#[derive(Debug, Clone)]
pub struct MediaPage {
    pub items: Vec<Media>,
    /// Pass as [`ListFilter::before`] for the next page.
    pub next: Option<MediaId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_round_trip_through_their_stored_form() {
        for origin in [Origin::Upload, Origin::Drive("1AbC_d-E".into())] {
            assert_eq!(Origin::from_db(&origin.to_db()), origin);
        }
        assert_eq!(Origin::Drive("x".into()).to_db(), "drive:x");
    }

    #[test]
    fn media_ids_parse_only_uuids() {
        let id = MediaId::new();
        assert_eq!(MediaId::parse(&id.to_string()), Some(id));
        assert_eq!(MediaId::parse("../etc/passwd"), None);
        assert_eq!(MediaId::parse(""), None);
    }
}
