//! Standard Webhooks signing (<https://www.standardwebhooks.com/>): a
//! `whsec_` secret per endpoint, `webhook-id` (stable across retries),
//! `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (`v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`, several
//! space-separated during a secret rotation).
//!
//! These are small pure functions: the delivery job signs with them, and
//! tests (and anyone writing a receiver in Rust) verify with [`verify`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of every endpoint secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// The signature scheme this module produces and accepts.
const VERSION: &str = "v1";

/// A new endpoint secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> String {
    let key: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// Why signing or verifying failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StandardError {
    #[error("the secret is not whsec_<base64>")]
    BadSecret,
    #[error("a webhook header is missing")]
    MissingHeader,
    /// Also returned for a timestamp that is not a whole number of seconds.
    #[error("the timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// The HMAC key of a secret: the base64 after `whsec_`. Like the reference
/// libraries, a bare base64 secret (without the prefix) is accepted too.
fn key(secret: &str) -> Result<Vec<u8>, StandardError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD
        .decode(encoded.trim())
        .map_err(|_| StandardError::BadSecret)?;
    if key.is_empty() {
        return Err(StandardError::BadSecret);
    }
    Ok(key)
}

fn mac(key: &[u8], msg_id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// `v1,<base64>` for one secret.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, StandardError> {
    let key = key(secret)?;
    let tag = mac(&key, msg_id, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    Ok(format!("{VERSION},{}", STANDARD.encode(tag)))
}

/// The `webhook-signature` header value: one `v1,…` per secret, space
/// separated.
pub fn signature_header(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, StandardError> {
    let signatures = secrets
        .iter()
        .map(|s| sign(s, msg_id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// What a receiver does: checks the timestamp is within `tolerance_secs`
/// of `now` (in either direction) and that one of the header's signatures
/// matches `secret`. Signatures are compared in constant time; entries of
/// other schemes (`v1a,…`) are skipped.
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), StandardError> {
    if msg_id.is_empty() || timestamp.is_empty() || signature_header.trim().is_empty() {
        return Err(StandardError::MissingHeader);
    }
    let key = key(secret)?;
    let sent: i64 = timestamp.parse().map_err(|_| StandardError::Stale)?;
    if now.abs_diff(sent) > tolerance_secs.unsigned_abs() {
        return Err(StandardError::Stale);
    }
    let expected = mac(&key, msg_id, timestamp, body);
    let matched = signature_header
        .split_whitespace()
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, sig)| STANDARD.decode(sig).ok())
        .any(|sig| expected.clone().verify_slice(&sig).is_ok());
    if matched {
        Ok(())
    } else {
        Err(StandardError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector published with the Standard Webhooks reference
    // libraries (also checked against Python's hmac module by hand).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signing_matches_the_standard_webhooks_test_vector() {
        assert_eq!(
            sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap(),
            SPEC_SIG
        );
        verify(
            SPEC_SECRET,
            SPEC_ID,
            "1614265330",
            SPEC_SIG,
            SPEC_BODY,
            SPEC_TS,
            300,
        )
        .unwrap();
    }

    #[test]
    fn signing_matches_an_hmac_computed_directly() {
        let raw_key = [7u8; 32];
        let secret = format!("whsec_{}", STANDARD.encode(raw_key));
        let mut direct = <HmacSha256 as KeyInit>::new_from_slice(&raw_key).unwrap();
        direct.update(b"msg_1.1700000000.{\"a\":1}");
        let expected = format!("v1,{}", STANDARD.encode(direct.finalize().into_bytes()));
        assert_eq!(
            sign(&secret, "msg_1", 1_700_000_000, br#"{"a":1}"#).unwrap(),
            expected
        );
    }

    #[test]
    fn new_secrets_are_prefixed_random_32_byte_keys() {
        let a = new_secret();
        let b = new_secret();
        assert_ne!(a, b);
        let key = STANDARD.decode(a.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(key.len(), 32);
        let sig = sign(&a, "msg_x", 5, b"body").unwrap();
        verify(&a, "msg_x", "5", &sig, b"body", 5, 300).unwrap();
        assert_eq!(
            verify(&b, "msg_x", "5", &sig, b"body", 5, 300),
            Err(StandardError::Mismatch)
        );
    }

    #[test]
    fn a_header_with_two_signatures_verifies_under_either_secret() {
        let old = new_secret();
        let new = new_secret();
        let header = signature_header(&[&new, &old], "msg_r", 100, b"{}").unwrap();
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.split(' ').all(|s| s.starts_with("v1,")));
        verify(&old, "msg_r", "100", &header, b"{}", 100, 300).unwrap();
        verify(&new, "msg_r", "100", &header, b"{}", 100, 300).unwrap();
        let stranger = new_secret();
        assert_eq!(
            verify(&stranger, "msg_r", "100", &header, b"{}", 100, 300),
            Err(StandardError::Mismatch)
        );
    }

    #[test]
    fn the_tolerance_applies_in_both_directions() {
        let sig = sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap();
        let check = |now: i64| {
            verify(
                SPEC_SECRET,
                SPEC_ID,
                "1614265330",
                &sig,
                SPEC_BODY,
                now,
                300,
            )
        };
        assert_eq!(check(SPEC_TS + 300), Ok(()));
        assert_eq!(check(SPEC_TS - 300), Ok(()));
        assert_eq!(check(SPEC_TS + 301), Err(StandardError::Stale));
        assert_eq!(check(SPEC_TS - 301), Err(StandardError::Stale));
    }

    #[test]
    fn tampering_with_any_signed_part_is_a_mismatch() {
        let sig = sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap();
        let v =
            |id: &str, ts: &str, body: &[u8]| verify(SPEC_SECRET, id, ts, &sig, body, SPEC_TS, 300);
        assert_eq!(
            v("msg_other", "1614265330", SPEC_BODY),
            Err(StandardError::Mismatch)
        );
        assert_eq!(
            v(SPEC_ID, "1614265331", SPEC_BODY),
            Err(StandardError::Mismatch)
        );
        assert_eq!(
            v(SPEC_ID, "1614265330", br#"{"test": 2432232315}"#),
            Err(StandardError::Mismatch)
        );
    }

    #[test]
    fn malformed_input_is_refused_with_a_reason() {
        let sig = sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap();
        assert_eq!(
            sign("whsec_not base64!", "m", 1, b""),
            Err(StandardError::BadSecret)
        );
        assert_eq!(sign("whsec_", "m", 1, b""), Err(StandardError::BadSecret));
        assert_eq!(
            verify(SPEC_SECRET, "", "1614265330", &sig, SPEC_BODY, SPEC_TS, 300),
            Err(StandardError::MissingHeader)
        );
        assert_eq!(
            verify(SPEC_SECRET, SPEC_ID, "", &sig, SPEC_BODY, SPEC_TS, 300),
            Err(StandardError::MissingHeader)
        );
        assert_eq!(
            verify(
                SPEC_SECRET,
                SPEC_ID,
                "1614265330",
                " ",
                SPEC_BODY,
                SPEC_TS,
                300
            ),
            Err(StandardError::MissingHeader)
        );
        assert_eq!(
            verify(SPEC_SECRET, SPEC_ID, "soon", &sig, SPEC_BODY, SPEC_TS, 300),
            Err(StandardError::Stale)
        );
        for garbage in [
            "v1",
            "v1,",
            "v1,%%%",
            "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ] {
            assert_eq!(
                verify(
                    SPEC_SECRET,
                    SPEC_ID,
                    "1614265330",
                    garbage,
                    SPEC_BODY,
                    SPEC_TS,
                    300
                ),
                Err(StandardError::Mismatch),
                "{garbage}"
            );
        }
        // A good signature among junk still verifies.
        let mixed = format!("v1a,abc v1,%%% {sig}");
        verify(
            SPEC_SECRET,
            SPEC_ID,
            "1614265330",
            &mixed,
            SPEC_BODY,
            SPEC_TS,
            300,
        )
        .unwrap();
    }

    #[test]
    fn a_secret_without_the_prefix_is_accepted_like_the_reference_libraries_do() {
        let bare = SPEC_SECRET.strip_prefix("whsec_").unwrap();
        assert_eq!(sign(bare, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap(), SPEC_SIG);
    }
}

/// Property tests: any secret, id, timestamp and body signs and verifies;
/// whatever a sender puts in the headers never panics a receiver and only a
/// matching signature verifies.
#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    const MAX_BODY: usize = 64 << 10;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        vec(any::<char>(), 0..max).prop_map(String::from_iter)
    }

    fn secret() -> impl Strategy<Value = String> {
        (vec(any::<u8>(), 1..64), any::<bool>()).prop_map(|(key, prefixed)| {
            let encoded = STANDARD.encode(key);
            if prefixed {
                format!("{SECRET_PREFIX}{encoded}")
            } else {
                encoded
            }
        })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn signed_messages_verify_within_the_tolerance(
            secret in secret(),
            msg_id in "[!-~]{1,64}",
            timestamp in -(1i64 << 40)..(1i64 << 40),
            skew in -300i64..=300,
            body in vec(any::<u8>(), 0..MAX_BODY),
        ) {
            let header = sign(&secret, &msg_id, timestamp, &body).expect("a valid secret");
            prop_assert!(header.starts_with("v1,"));
            let ts = timestamp.to_string();
            prop_assert_eq!(
                verify(&secret, &msg_id, &ts, &header, &body, timestamp + skew, 300),
                Ok(())
            );
        }

        #[test]
        fn a_header_of_several_secrets_verifies_under_each_and_no_other(
            secrets in vec(secret(), 1..4),
            stranger in secret(),
            msg_id in "msg_[A-Za-z0-9]{1,24}",
            timestamp in 0i64..4_000_000_000,
            body in vec(any::<u8>(), 0..1024),
        ) {
            let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
            let header = signature_header(&refs, &msg_id, timestamp, &body).expect("valid secrets");
            prop_assert_eq!(header.split(' ').count(), secrets.len());
            let ts = timestamp.to_string();
            for s in &secrets {
                prop_assert_eq!(verify(s, &msg_id, &ts, &header, &body, timestamp, 300), Ok(()));
            }
            // A stranger's key matches none (unless it is one of them).
            let mine = |s: &str| key(s).ok();
            if secrets.iter().all(|s| mine(s) != mine(&stranger)) {
                prop_assert_eq!(
                    verify(&stranger, &msg_id, &ts, &header, &body, timestamp, 300),
                    Err(StandardError::Mismatch)
                );
            }
        }

        #[test]
        fn a_changed_id_timestamp_or_body_is_a_mismatch(
            secret in secret(),
            msg_id in "[a-z0-9_]{1,24}",
            timestamp in 0i64..4_000_000_000,
            body in vec(any::<u8>(), 0..1024),
            other_body in vec(any::<u8>(), 0..1024),
            other_id in "[a-z0-9_]{1,24}",
        ) {
            let header = sign(&secret, &msg_id, timestamp, &body).expect("a valid secret");
            let ts = timestamp.to_string();
            if other_body != body {
                prop_assert_eq!(
                    verify(&secret, &msg_id, &ts, &header, &other_body, timestamp, 300),
                    Err(StandardError::Mismatch)
                );
            }
            if other_id != msg_id {
                prop_assert_eq!(
                    verify(&secret, &other_id, &ts, &header, &body, timestamp, 300),
                    Err(StandardError::Mismatch)
                );
            }
            let later = (timestamp + 1).to_string();
            prop_assert_eq!(
                verify(&secret, &msg_id, &later, &header, &body, timestamp, 300),
                Err(StandardError::Mismatch)
            );
        }

        #[test]
        fn arbitrary_headers_never_panic_and_never_verify(
            secret in prop_oneof![secret(), text(80)],
            msg_id in text(80),
            timestamp in prop_oneof![text(24), any::<i64>().prop_map(|t| t.to_string())],
            header in prop_oneof![
                text(512),
                "(v1a?,[A-Za-z0-9+/=%]{0,60} ?){0,6}",
            ],
            body in vec(any::<u8>(), 0..4096),
            now in any::<i64>(),
            tolerance in any::<i64>(),
        ) {
            prop_assert!(verify(&secret, &msg_id, &timestamp, &header, &body, now, tolerance).is_err());
        }

        #[test]
        fn arbitrary_secrets_never_panic_when_signing(
            secret in text(128),
            msg_id in text(64),
            timestamp in any::<i64>(),
        ) {
            let _ = sign(&secret, &msg_id, timestamp, b"{}");
        }
    }
}
