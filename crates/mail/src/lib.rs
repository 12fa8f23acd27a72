//! Durable outgoing mail.
//!
//! A feature that must write to someone (address verification, password
//! reset, invitation) calls [`enqueue`] inside the transaction of the change
//! that causes the mail: the mail row (`mail_outbox`) and its delivery job
//! (`mail.send.v1`, one per mail) are committed together with that change or
//! not at all. A worker then runs [`SendMailHandler`], which hands the stored
//! mail to a [`MailTransport`] — [`SmtpTransport`] in production,
//! [`DevMailbox`] in development without SMTP, where mail stays on the
//! machine and is read on the `/dev/mailbox` page — and records the outcome
//! on the row. Transient failures are retried by the queue with backoff.
//!
//! Delivery is at-least-once: a mail accepted by the SMTP server is marked
//! sent right after, and a sent mail is never handed to the transport again.
//! Bodies hold single-use links, so logs name a mail by id and kind only.

mod job;
pub mod metrics;
mod outbox;
mod smtp;
mod transport;

pub use job::{SendMail, SendMailHandler, register};
pub use outbox::{
    MAIL_RETENTION_DAYS, MailId, MailState, NewMail, StoredMail, enqueue, get, purge, recent,
    without_tokens,
};
pub use smtp::{Security, SmtpOptions, SmtpTransport};
pub use transport::{DevMailbox, MailTransport, SendError, transport_from_config};

/// Errors of the mail crate's API (delivery failures are [`SendError`]).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail storage failed")]
    Db(#[from] herald_db::DbError),
    #[error("could not encode the mail delivery job")]
    Encode(#[source] serde_json::Error),
    #[error("`{0}` is not a valid recipient address")]
    InvalidRecipient(String, #[source] lettre::address::AddressError),
    #[error("the mail sender (HERALD_MAIL_FROM) `{0}` is not a valid address")]
    InvalidSender(String, #[source] lettre::address::AddressError),
    /// `url` is shown with its password masked.
    #[error("invalid SMTP URL (HERALD_SMTP_URL) `{url}`: {reason}")]
    InvalidSmtpUrl { url: String, reason: String },
    #[error(
        "no SMTP server is configured (HERALD_SMTP_URL); outside development mode mail must be delivered"
    )]
    NoTransport,
}
