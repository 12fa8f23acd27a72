//! Delivery over SMTP with lettre: the `HERALD_SMTP_URL` parsed into
//! [`SmtpOptions`], a multipart/alternative message per stored mail, and
//! lettre's errors sorted into transient and permanent ones.
//!
//! URLs: `smtps://USER:PASS@HOST[:465]` (implicit TLS),
//! `smtp://USER:PASS@HOST[:587]?tls=required` (STARTTLS, never downgraded),
//! `smtp://HOST[:25]` (plain, for local relays and tests). A password is
//! only sent over a plain connection to a loopback host, or when the URL
//! says `?tls=none` explicitly.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use herald_db::redact_url;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use url::{Host, Url};

use crate::MailError;
use crate::outbox::StoredMail;
use crate::transport::{MailTransport, SendError};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`, port 465).
    ImplicitTls,
    /// Plain connection upgraded with STARTTLS before anything is sent; a
    /// server that does not offer it is an error (`?tls=required`, port 587).
    StartTls,
    /// No encryption (`smtp://`, port 25): local relays and tests.
    Plain,
}

/// Where and how to deliver, parsed from `HERALD_SMTP_URL`.
#[derive(Debug, Clone)]
pub struct SmtpOptions {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User and password, when the server wants authentication.
    pub credentials: Option<(String, SecretString)>,
    /// The name sent with EHLO (the URL's path); the machine's host name
    /// when unset.
    pub hello_name: Option<String>,
    /// Longest wait for the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest a whole delivery (connect, greeting, commands, data) may take.
    pub send_timeout: Duration,
}

impl SmtpOptions {
    /// Parses an `smtps://` or `smtp://` URL. Errors show the URL with its
    /// password masked.
    pub fn parse(url: &str) -> Result<SmtpOptions, MailError> {
        let invalid = |reason: &str| MailError::InvalidSmtpUrl {
            url: redact_url(url),
            reason: reason.to_owned(),
        };
        let parsed = Url::parse(url.trim()).map_err(|e| invalid(&e.to_string()))?;

        let mut tls = None;
        for (key, value) in parsed.query_pairs() {
            match &*key {
                "tls" if tls.is_none() => tls = Some(value.into_owned()),
                "tls" => return Err(invalid("`tls` is given twice")),
                _ => {
                    return Err(invalid(&format!(
                        "unknown parameter `{key}` (only `tls` is understood)"
                    )));
                }
            }
        }
        let security = match (parsed.scheme(), tls.as_deref()) {
            ("smtps", None) => Security::ImplicitTls,
            ("smtps", Some(_)) => {
                return Err(invalid("smtps:// always uses TLS; leave out `?tls=`"));
            }
            ("smtp", Some("required")) => Security::StartTls,
            ("smtp", None | Some("none")) => Security::Plain,
            ("smtp", Some("opportunistic")) => {
                return Err(invalid(
                    "tls=opportunistic can be silently downgraded; use ?tls=required or smtps://",
                ));
            }
            ("smtp", Some(_)) => {
                return Err(invalid(
                    "`tls` must be `required` (STARTTLS) or `none` (plain)",
                ));
            }
            _ => return Err(invalid("the scheme must be smtps:// or smtp://")),
        };

        let host = match parsed.host() {
            Some(Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(Host::Ipv4(a)) => a.to_string(),
            Some(Host::Ipv6(a)) => a.to_string(),
            _ => return Err(invalid("the URL names no host")),
        };
        let port = parsed.port().unwrap_or(match security {
            Security::ImplicitTls => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });

        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| invalid("the user or password is not valid UTF-8 once decoded"))
        };
        let credentials = match (parsed.username(), parsed.password()) {
            ("", None) => None,
            ("", Some(_)) => return Err(invalid("a password needs a user: USER:PASSWORD@HOST")),
            (_, None) => return Err(invalid("a user needs a password: USER:PASSWORD@HOST")),
            (user, Some(password)) => Some((decode(user)?, SecretString::from(decode(password)?))),
        };
        if credentials.is_some()
            && security == Security::Plain
            && tls.as_deref() != Some("none")
            && !is_loopback(&host)
        {
            return Err(invalid(
                "the password would cross the network unencrypted; use smtps:// or \
                 ?tls=required (or ?tls=none if you really mean it)",
            ));
        }

        let path = parsed.path().trim_matches('/');
        Ok(SmtpOptions {
            host,
            port,
            security,
            credentials,
            hello_name: (!path.is_empty()).then(|| path.to_owned()),
            connect_timeout: Duration::from_secs(15),
            send_timeout: Duration::from_secs(60),
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || IpAddr::from_str(host).is_ok_and(|ip| ip.is_loopback())
}

/// Delivers mail to an SMTP server. One connection per mail: Herald sends
/// little mail, and a fresh connection never trips over a stale one.
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    send_timeout: Duration,
    /// host:port and security, for `Debug` (never the credentials).
    target: String,
}

impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("target", &self.target)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpTransport {
    /// A transport to `options`, sending as `mail_from`
    /// (`Herald <no-reply@example.com>`). Nothing connects until a mail is
    /// sent.
    pub fn new(options: &SmtpOptions, mail_from: &str) -> Result<SmtpTransport, MailError> {
        let from = Mailbox::from_str(mail_from.trim())
            .map_err(|e| MailError::InvalidSender(mail_from.to_owned(), e))?;
        let tls_parameters = || {
            TlsParameters::new(options.host.clone()).map_err(|e| MailError::InvalidSmtpUrl {
                url: format!("{}:{}", options.host, options.port),
                reason: format!("cannot set up TLS for this host: {e}"),
            })
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&options.host)
            .port(options.port)
            .timeout(Some(options.connect_timeout));
        builder = match options.security {
            Security::ImplicitTls => builder.tls(Tls::Wrapper(tls_parameters()?)),
            Security::StartTls => builder.tls(Tls::Required(tls_parameters()?)),
            Security::Plain => builder.tls(Tls::None),
        };
        if let Some((user, password)) = &options.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        if let Some(name) = &options.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(SmtpTransport {
            inner: builder.build(),
            from,
            send_timeout: options.send_timeout,
            target: format!("{}:{} ({:?})", options.host, options.port, options.security),
        })
    }

    /// The message for `mail`: multipart/alternative with the plain-text
    /// and HTML bodies. The Message-ID is derived from the mail, so a
    /// repeated delivery can be recognised as the same message.
    fn message(&self, mail: &StoredMail) -> Result<Message, SendError> {
        let to = Mailbox::from_str(&mail.to).map_err(|e| SendError::Permanent(Box::new(e)))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!(
                "<herald.mail.{}.{}@{}>",
                mail.id,
                mail.created_at.as_microsecond(),
                self.from.email.domain()
            )))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(Box::new(e)))
    }
}

/// The whole SMTP exchange took longer than allowed.
#[derive(Debug, thiserror::Error)]
#[error("the SMTP exchange took longer than {0:?}")]
struct TimedOut(Duration);

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, mail: &StoredMail) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match tokio::time::timeout(self.send_timeout, self.inner.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => Err(SendError::Transient(Box::new(TimedOut(self.send_timeout)))),
        }
    }

    fn name(&self) -> &'static str {
        "smtp"
    }
}

/// SMTP 4xx, connection, network, TLS and timeout failures are transient;
/// 5xx replies and messages lettre refuses to send are permanent.
///
/// Exception: 5xx replies about authentication or encryption (530, 534,
/// 535, 538) say Herald's configuration is wrong, not the mail. They are
/// retried, so mail queued while an operator fixes the password still goes
/// out instead of failing for good.
fn classify(e: lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string());
    let about_our_config = matches!(code.as_deref(), Some("530" | "534" | "535" | "538"));
    if (e.is_permanent() && !about_our_config) || e.is_client() {
        SendError::Permanent(Box::new(e))
    } else {
        SendError::Transient(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> SmtpOptions {
        SmtpOptions::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn refused(url: &str) -> String {
        match SmtpOptions::parse(url) {
            Ok(o) => panic!("{url} was accepted: {o:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn smtps_means_implicit_tls_on_465() {
        let o = parse("smtps://mailer:s3cret@mail.example.com");
        assert_eq!(o.host, "mail.example.com");
        assert_eq!(o.port, 465);
        assert_eq!(o.security, Security::ImplicitTls);
        let (user, password) = o.credentials.unwrap();
        assert_eq!(user, "mailer");
        assert_eq!(password.expose_secret(), "s3cret");
        assert_eq!(o.hello_name, None);
    }

    #[test]
    fn tls_required_means_starttls_on_587() {
        let o = parse("smtp://mailer:pw@mail.example.com?tls=required");
        assert_eq!((o.port, o.security), (587, Security::StartTls));
        let o = parse("smtp://mailer:pw@mail.example.com:2525?tls=required");
        assert_eq!((o.port, o.security), (2525, Security::StartTls));
    }

    #[test]
    fn plain_smtp_is_for_local_relays_without_a_password_on_the_network() {
        let o = parse("smtp://relay.internal:2525");
        assert_eq!(
            (o.host.as_str(), o.port, o.security),
            ("relay.internal", 2525, Security::Plain)
        );
        assert!(o.credentials.is_none());
        assert_eq!(parse("smtp://relay.internal").port, 25);
        // A password over plain SMTP: only to this machine, or when asked for.
        assert!(parse("smtp://u:p@127.0.0.1:2525").credentials.is_some());
        assert!(parse("smtp://u:p@localhost:2525").credentials.is_some());
        assert!(parse("smtp://u:p@[::1]:2525").credentials.is_some());
        assert!(
            parse("smtp://u:p@relay.internal?tls=none")
                .credentials
                .is_some()
        );
        assert!(refused("smtp://u:p@relay.internal:587").contains("unencrypted"));
    }

    #[test]
    fn users_and_passwords_are_percent_decoded() {
        let o = parse("smtps://no-reply%40example.com:p%40ss%3Aw%2Fo%23rd@mail.example.com:465");
        let (user, password) = o.credentials.unwrap();
        assert_eq!(user, "no-reply@example.com");
        assert_eq!(password.expose_secret(), "p@ss:w/o#rd");
    }

    #[test]
    fn ipv6_hosts_and_ehlo_names_are_understood() {
        let o = parse("smtp://[::1]:2525/herald.example.com");
        assert_eq!(o.host, "::1");
        assert_eq!(o.hello_name.as_deref(), Some("herald.example.com"));
    }

    #[test]
    fn ambiguous_or_unsafe_urls_are_refused_without_showing_the_password() {
        for (url, why) in [
            ("http://u:hunter2@mail.example.com", "scheme"),
            (
                "smtps://u:hunter2@mail.example.com?tls=required",
                "always uses TLS",
            ),
            (
                "smtp://u:hunter2@mail.example.com?tls=opportunistic",
                "downgraded",
            ),
            ("smtp://u:hunter2@mail.example.com?tls=yes", "`tls` must be"),
            (
                "smtp://u:hunter2@mail.example.com?tls=required&tls=none",
                "twice",
            ),
            (
                "smtp://u:hunter2@mail.example.com?tsl=required",
                "unknown parameter",
            ),
            ("smtps://u@mail.example.com", "needs a password"),
            ("smtps://:hunter2@mail.example.com", "needs a user"),
            ("smtps://u:hunter2@:465", ""),
            ("smtps://u:hunter2@mail.example.com:99999", ""),
        ] {
            let message = refused(url);
            assert!(message.contains(why), "{url}: {message}");
            assert!(!message.contains("hunter2"), "{url}: {message}");
        }
    }

    #[test]
    fn the_transport_does_not_reveal_the_password_in_debug() {
        let o = parse("smtps://mailer:hunter2@mail.example.com");
        assert!(!format!("{o:?}").contains("hunter2"));
        let t = SmtpTransport::new(&o, "Herald <no-reply@example.com>").unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("mail.example.com:465"), "{shown}");
    }
}
