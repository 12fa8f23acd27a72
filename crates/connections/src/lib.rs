//! Connected platform accounts.
//!
//! [`Connections`] runs the OAuth connect flows (signed, single-use state
//! bound to the person's session; PKCE where the platform supports it; a
//! scope check after consent; a choice among several Pages or channels),
//! keeps each account's tokens sealed in the [`vault::Vault`], renews them
//! with jobs before they expire ([`jobs::RefreshConnection`]) and removes
//! them, revoking at the platform where it can. It knows nothing of HTTP:
//! the web layer calls it, the platform adapters do the talking.

pub mod bulk;
pub mod jobs;
pub mod sealed;
mod service;
mod store;
pub mod vault;

pub use service::*;
pub use store::Sealed;
