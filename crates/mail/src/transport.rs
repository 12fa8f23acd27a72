//! How a stored mail leaves Herald: the [`MailTransport`] port, its
//! development implementation and the choice between it and SMTP.

use std::sync::Arc;

use async_trait::async_trait;

use crate::outbox::StoredMail;
use crate::smtp::SmtpTransport;
use crate::{MailError, SmtpOptions};

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why a transport did not deliver a mail. The cause is kept for
/// `last_error`; it never holds the mail's body.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth another attempt: an SMTP 4xx reply, a connection failure, a
    /// timeout, a TLS failure.
    #[error("temporary delivery failure")]
    Transient(#[source] Cause),
    /// Will fail the same way again: an SMTP 5xx reply to the mail, a
    /// malformed address.
    #[error("permanent delivery failure")]
    Permanent(#[source] Cause),
}

impl SendError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }

    /// The message with its chain of causes, as stored in `last_error`.
    pub fn describe(&self) -> String {
        herald_core::error::chain(self)
    }
}

/// Delivers one stored mail.
#[async_trait]
pub trait MailTransport: Send + Sync + 'static {
    async fn send(&self, mail: &StoredMail) -> Result<(), SendError>;
    /// A short name for logs (`smtp`, `dev-mailbox`).
    fn name(&self) -> &'static str;
    /// Whether the stored row is where the mail is read (the development
    /// mailbox): then its body keeps its links after sending. Otherwise
    /// the links' tokens are removed from the stored copy once it is sent.
    fn keeps_mail(&self) -> bool {
        false
    }
}

/// Development mode without SMTP: delivery means keeping the mail in the
/// local mailbox. Nothing leaves the machine; the handler marks the row
/// sent and the `/dev/mailbox` page shows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct DevMailbox;

#[async_trait]
impl MailTransport for DevMailbox {
    async fn send(&self, mail: &StoredMail) -> Result<(), SendError> {
        tracing::info!(mail = %mail.id, kind = %mail.kind, "mail kept in the development mailbox (/dev/mailbox)");
        Ok(())
    }

    fn name(&self) -> &'static str {
        "dev-mailbox"
    }

    fn keeps_mail(&self) -> bool {
        true
    }
}

/// The transport for the configuration: SMTP when `smtp_url` is set, the
/// development mailbox when it is not and `development` is true, an error
/// otherwise (production must deliver mail).
pub fn transport_from_config(
    smtp_url: Option<&str>,
    mail_from: &str,
    development: bool,
) -> Result<Arc<dyn MailTransport>, MailError> {
    match smtp_url {
        Some(url) => {
            let options = SmtpOptions::parse(url)?;
            let transport = SmtpTransport::new(&options, mail_from)?;
            tracing::info!(smtp = %herald_db::redact_url(url), security = ?options.security, "mail is delivered through SMTP");
            Ok(Arc::new(transport))
        }
        None if development => {
            tracing::info!(
                "no SMTP server configured: mail is kept in the development mailbox (/dev/mailbox)"
            );
            Ok(Arc::new(DevMailbox))
        }
        None => Err(MailError::NoTransport),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_smtp_only_development_gets_a_transport() {
        let dev = transport_from_config(None, "Herald <herald@localhost>", true).unwrap();
        assert_eq!(dev.name(), "dev-mailbox");
        assert!(matches!(
            transport_from_config(None, "Herald <herald@localhost>", false),
            Err(MailError::NoTransport)
        ));
    }

    #[test]
    fn a_configured_smtp_url_wins_in_every_mode() {
        for development in [true, false] {
            let t = transport_from_config(
                Some("smtps://user:pw@mail.example.com"),
                "Herald <no-reply@example.com>",
                development,
            )
            .unwrap();
            assert_eq!(t.name(), "smtp");
        }
    }

    #[test]
    fn a_bad_sender_is_refused_at_start() {
        let err = transport_from_config(Some("smtp://127.0.0.1:25"), "not an address", false)
            .err()
            .unwrap();
        assert!(matches!(err, MailError::InvalidSender(..)), "{err:?}");
    }
}
