//! The media library against real databases (both engines), the Drive
//! simulator on loopback and, when asked for, a real S3-compatible server.

mod drive;
mod helpers;
mod library;
mod s3;
