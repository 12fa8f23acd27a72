//! The storage port: where media blobs and thumbnails live. Keys are
//! content-addressed (`blobs/ab/cd/abcd…` from the SHA-256), so a key is
//! written once and never changes; two workspaces uploading the same file
//! share its blob.
//!
//! [`LocalStorage`] is a folder (the default, `DATA_DIR/media`);
//! [`S3Storage`] an S3-compatible bucket (AWS, MinIO, Garage, R2, …).

mod local;
mod s3;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;

pub use local::LocalStorage;
pub use s3::{S3Config, S3Storage};

/// A stream of a blob's bytes (or a range of them).
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no stored object {0}")]
    NotFound(String),
    #[error("invalid storage key {0:?}")]
    InvalidKey(String),
    #[error("media folder i/o failed at {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("object storage request failed")]
    ObjectStore(#[source] object_store::Error),
    #[error("invalid S3 configuration: {0}")]
    Config(String),
}

/// Where media bytes are kept. Implementations must make a `put_*` visible
/// whole or not at all (readers never see half an object).
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Stores the file at `file` under `key`. The file is consumed: it may
    /// be moved rather than copied, so the caller must not use it after.
    async fn put_file(
        &self,
        key: &str,
        file: &Path,
        content_type: &str,
    ) -> Result<(), StorageError>;

    /// Stores a small object (a thumbnail) under `key`.
    async fn put_bytes(
        &self,
        key: &str,
        data: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError>;

    /// `len` bytes from `offset` (to the end when `None`; fewer at the end).
    async fn read_range(
        &self,
        key: &str,
        offset: u64,
        len: Option<u64>,
    ) -> Result<ByteStream, StorageError>;

    /// Removes `key`; removing a missing object is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;

    async fn exists(&self, key: &str) -> Result<bool, StorageError>;

    /// For logs: `local folder …` or `S3 bucket …`.
    fn describe(&self) -> String;
}

/// The key of a blob with this SHA-256 (lower-case hex).
pub fn blob_key(sha256: &str) -> String {
    format!("blobs/{}/{}/{sha256}", &sha256[..2], &sha256[2..4])
}

/// The key of the thumbnail of the blob with this SHA-256.
pub fn thumbnail_key(sha256: &str) -> String {
    format!("thumbs/{}/{}/{sha256}.jpg", &sha256[..2], &sha256[2..4])
}

/// Keys are made by this crate; anything else (a `..`, an absolute path)
/// is refused before it can name a path outside the store.
pub(crate) fn check_key(key: &str) -> Result<(), StorageError> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StorageError::InvalidKey(key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_content_addressed_and_checked() {
        let sha = "ab".repeat(32);
        assert_eq!(blob_key(&sha), format!("blobs/ab/ab/{sha}"));
        assert_eq!(thumbnail_key(&sha), format!("thumbs/ab/ab/{sha}.jpg"));
        assert!(check_key(&blob_key(&sha)).is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "a//b",
            "a/./b",
            "a b",
            "a\\b",
            "..",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
