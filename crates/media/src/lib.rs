//! The media library: the images and videos a workspace posts.
//!
//! [`MediaLibrary`] takes an upload as a stream of chunks and writes it to a
//! temporary file while hashing and counting it (never holding the file in
//! memory), refuses it early when it is too large or not an image or video
//! Herald can post, probes its type, dimensions and duration from the file
//! itself ([`probe`]), makes a small JPEG thumbnail ([`thumbnail`]) and
//! stores the blob under a content-addressed key in a [`Storage`]: a local
//! folder by default ([`LocalStorage`]) or an S3-compatible bucket
//! ([`S3Storage`]). The same content in the same workspace is one row; two
//! workspaces share one blob.
//!
//! Platforms pull media themselves from a signed, expiring URL on Herald's
//! public address ([`signing`]); for platforms Herald uploads to, the
//! library is the publishers' [`herald_platforms::MediaSource`]. Files from
//! Google Drive are imported by a background job ([`jobs::ImportDrive`])
//! that streams the download through the same path as an upload.

mod error;
pub mod isobmff;
pub mod jobs;
mod model;
pub mod probe;
mod service;
pub mod signing;
pub mod storage;
mod store;
pub mod thumbnail;

pub use error::MediaError;
pub use model::{ListFilter, Media, MediaId, MediaPage, Origin};
pub use service::{MediaConfig, MediaLibrary};
pub use storage::{
    ByteStream, LocalStorage, S3Config, S3Storage, Storage, StorageError, blob_key, thumbnail_key,
};
