//! Herald's accounts: who a person is, what they may do where, and how
//! they prove it.
//!
//! [`Accounts`] is the one service the web layer and the API call: sign-up
//! (a user, a personal workspace and a verification mail in one
//! transaction), e-mail verification, login with server-side sessions,
//! password change and reset, devices with rotating refresh tokens for
//! non-browser clients, scoped access tokens (personal, app, assistant),
//! workspace members and invitations, and the audit log. It knows nothing of HTTP or cookies; mail is handed to a
//! [`Mailbox`] port inside the caller's transaction, rate limits to a
//! [`herald_ratelimit::RateLimiter`].

mod email;
mod password;
mod rights;
mod role;
mod scope;
pub mod secret;
mod service;
pub mod sessions;
pub mod shared;
mod store;

pub use email::{EmailAddress, EmailError};
pub use password::{
    MAX_LENGTH as PASSWORD_MAX_LENGTH, MIN_LENGTH as PASSWORD_MIN_LENGTH, PasswordPolicyError,
};
pub use rights::{ConsentRecord, Document, OwnedWorkspace};
pub use role::{Authorized, Permission, Role};
pub use scope::{Scope, Scopes, ScopesError, TokenGrant, TokenKind, parse_via};
pub use service::*;
