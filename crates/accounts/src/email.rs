//! E-mail addresses as Herald stores them: trimmed and lower-cased at every
//! boundary, so `Alice@Example.com ` and `alice@example.com` are one account.

use std::fmt;

/// A syntactically valid, normalised e-mail address. It cannot hold
/// anything else: parse, don't validate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// Why a string is not an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the e-mail address is empty")]
    Empty,
    #[error("the e-mail address is longer than 254 characters")]
    TooLong,
    #[error("the e-mail address is not of the form name@domain")]
    Malformed,
}

impl EmailAddress {
    /// Trims, lower-cases and checks `raw`.
    pub fn parse(raw: &str) -> Result<EmailAddress, EmailError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let chars_ok = email.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(
                    c,
                    '<' | '>' | '"' | ',' | ';' | '\\' | '(' | ')' | '[' | ']'
                )
        });
        if local_ok && domain_ok && chars_ok {
            Ok(EmailAddress(email))
        } else {
            Err(EmailError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For rows read back from storage, which only ever holds parsed values.
    pub(crate) fn from_stored(stored: String) -> EmailAddress {
        EmailAddress(stored)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let e = EmailAddress::parse("  Alice.Smith+News@Example.COM \n").unwrap();
        assert_eq!(e.as_str(), "alice.smith+news@example.com");
        assert_eq!(
            EmailAddress::parse("ÄNNE@Bücher.de").unwrap().as_str(),
            "änne@bücher.de"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
        for bad in [
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "al ice@example.com",
            "alice@exa_mple.com",
            "alice@-example.com",
            "alice@example..com",
            ".alice@example.com",
            "a..b@example.com",
            "alice@example.com\r\nBcc: x@y.z",
            "<alice@example.com>",
            "alice@example.com,bob@example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad:?}"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }
}
