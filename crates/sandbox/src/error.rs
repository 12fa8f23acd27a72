//! Errors of the sandbox's own Rust API (not the simulated platforms'
//! errors, which are HTTP responses).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("unknown sandbox endpoint id {0:?} (see herald_sandbox::ENDPOINTS)")]
    UnknownEndpoint(String),
    #[error("fault kind {kind} does not apply to endpoint {endpoint}")]
    UnsupportedFault {
        endpoint: &'static str,
        kind: &'static str,
    },
    #[error("cannot read sandbox state file {path}")]
    ReadState {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("sandbox state file {path} is not valid sandbox state")]
    ParseState {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{upload_status}/{reason} is no documented YouTube upload end")]
    UnknownYouTubeVerdict {
        upload_status: String,
        reason: String,
    },
}
