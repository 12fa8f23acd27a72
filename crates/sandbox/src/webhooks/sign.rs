//! Signing what the sender sends: `X-Hub-Signature-256` on deliveries and
//! `signed_request` on the deauthorize and data-deletion callbacks, each
//! correct or wrong in one deliberate way. Pure functions; the modes say
//! what a receiver must refuse.
//!
//! Meta also sends the legacy `X-Hub-Signature: sha1=…`; the sandbox does
//! not (SHA-1 is not among the workspace's dependencies), so receivers
//! must rely on the SHA-256 header, as Meta asks them to.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::oauth::{hex, hmac_sha256};

/// How a delivery or callback is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureMode {
    /// Correct.
    Valid,
    /// Signed, then changed: deliveries get a byte inserted into the body
    /// after signing; signed requests name another user after signing.
    Tampered,
    /// No signature: no header / no signature part.
    Missing,
    /// A well-formed signature made with another secret.
    WrongSecret,
    /// Not the expected format: `sha256=<base64>` instead of hex; a
    /// signed request without its `.` separator.
    Malformed,
}

pub(crate) const SIGNATURE_MODES: &[&str] =
    &["valid", "tampered", "missing", "wrong_secret", "malformed"];

impl SignatureMode {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "valid" => Self::Valid,
            "tampered" => Self::Tampered,
            "missing" => Self::Missing,
            "wrong_secret" => Self::WrongSecret,
            "malformed" => Self::Malformed,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Tampered => "tampered",
            Self::Missing => "missing",
            Self::WrongSecret => "wrong_secret",
            Self::Malformed => "malformed",
        }
    }
}

/// The secret a wrong-secret signature is made with.
fn wrong_secret(secret: &str) -> String {
    format!("{secret}-not-the-app-secret")
}

/// A delivery body and its `X-Hub-Signature-256` value (None = no header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedBody {
    pub body: String,
    pub header: Option<String>,
}

/// Signs `body` (Meta's rendering) with `secret` as `mode` says.
pub(crate) fn sign_delivery(mode: SignatureMode, secret: &str, body: String) -> SignedBody {
    let mac = |key: &str, body: &str| hmac_sha256(key.as_bytes(), body.as_bytes());
    match mode {
        SignatureMode::Valid => SignedBody {
            header: Some(format!("sha256={}", hex(&mac(secret, &body)))),
            body,
        },
        SignatureMode::Tampered => {
            // The same JSON value with different bytes: a receiver that
            // verifies a re-serialization would not notice.
            let header = Some(format!("sha256={}", hex(&mac(secret, &body))));
            SignedBody {
                body: tamper(&body),
                header,
            }
        }
        SignatureMode::Missing => SignedBody { body, header: None },
        SignatureMode::WrongSecret => SignedBody {
            header: Some(format!(
                "sha256={}",
                hex(&mac(&wrong_secret(secret), &body))
            )),
            body,
        },
        SignatureMode::Malformed => SignedBody {
            header: Some(format!("sha256={}", STANDARD.encode(mac(secret, &body)))),
            body,
        },
    }
}

/// `body` with a space after its first character.
pub(crate) fn tamper(body: &str) -> String {
    let mut chars = body.chars();
    match chars.next() {
        Some(first) => format!("{first} {}", chars.as_str()),
        None => " ".into(),
    }
}

/// `base64url(HMAC-SHA256(secret, p)).p` with `p = base64url(payload)`, no
/// padding. `forged_payload` is what a tampered request carries instead of
/// `payload` (the signature still covers `payload`).
pub(crate) fn signed_request(
    mode: SignatureMode,
    secret: &str,
    payload: &str,
    forged_payload: &str,
) -> String {
    let encoded = URL_SAFE_NO_PAD.encode(payload);
    let sign = |key: &str| URL_SAFE_NO_PAD.encode(hmac_sha256(key.as_bytes(), encoded.as_bytes()));
    match mode {
        SignatureMode::Valid => format!("{}.{encoded}", sign(secret)),
        SignatureMode::Tampered => {
            format!(
                "{}.{}",
                sign(secret),
                URL_SAFE_NO_PAD.encode(forged_payload)
            )
        }
        SignatureMode::Missing => format!(".{encoded}"),
        SignatureMode::WrongSecret => format!("{}.{encoded}", sign(&wrong_secret(secret))),
        SignatureMode::Malformed => encoded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn delivery_signatures_are_right_or_wrong_as_asked() {
        let body = r#"{"object":"page"}"#.to_owned();
        let good = format!("sha256={}", hex(&hmac_sha256(b"s3cret", body.as_bytes())));
        let valid = sign_delivery(SignatureMode::Valid, "s3cret", body.clone());
        assert_eq!(valid.header.as_deref(), Some(good.as_str()));
        assert_eq!(valid.body, body);

        let tampered = sign_delivery(SignatureMode::Tampered, "s3cret", body.clone());
        assert_eq!(tampered.header.as_deref(), Some(good.as_str()));
        assert_eq!(tampered.body, r#"{ "object":"page"}"#);

        assert_eq!(
            sign_delivery(SignatureMode::Missing, "s3cret", body.clone()).header,
            None
        );
        let wrong = sign_delivery(SignatureMode::WrongSecret, "s3cret", body.clone());
        let wrong = wrong.header.unwrap();
        assert!(wrong.starts_with("sha256=") && wrong.len() == 71 && wrong != good);

        let malformed = sign_delivery(SignatureMode::Malformed, "s3cret", body)
            .header
            .unwrap();
        let digits = malformed.strip_prefix("sha256=").unwrap();
        assert!(!digits.bytes().all(|b| b.is_ascii_hexdigit()) || digits.len() != 64);
    }

    #[test]
    fn signed_requests_verify_with_the_app_secret() {
        let payload = r#"{"algorithm":"HMAC-SHA256","issued_at":1,"user_id":"42"}"#;
        let value = signed_request(SignatureMode::Valid, "k", payload, "{}");
        let (sig, body) = value.split_once('.').unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap(), payload.as_bytes());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(sig).unwrap(),
            hmac_sha256(b"k", body.as_bytes())
        );
        assert!(!value.contains('='));

        let forged = signed_request(SignatureMode::Tampered, "k", payload, "{}");
        let (forged_sig, forged_body) = forged.split_once('.').unwrap();
        assert_eq!(forged_sig, sig);
        assert_eq!(URL_SAFE_NO_PAD.decode(forged_body).unwrap(), b"{}");
        assert!(!signed_request(SignatureMode::Malformed, "k", payload, "{}").contains('.'));
        assert!(signed_request(SignatureMode::Missing, "k", payload, "{}").starts_with('.'));
        assert_ne!(
            signed_request(SignatureMode::WrongSecret, "k", payload, "{}"),
            value
        );
    }
}
