//! Meta's signatures: `X-Hub-Signature-256` over a delivery's raw bytes,
//! `signed_request` on the deauthorize and data-deletion callbacks, and the
//! verify token of the subscription handshake. Every comparison is in
//! constant time; several app secrets are accepted during a rotation.
//!
//! Everything here is a pure function over bytes, so the web layer, the
//! sandbox and the tests share one implementation (and its test vectors).

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

type HmacSha256 = Hmac<Sha256>;

/// base64url as Meta writes it: no padding when encoding; padding accepted
/// (or not) when decoding, and lenient about trailing bits like the PHP and
/// JavaScript decoders most apps use.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The app secrets deliveries may be signed with: the current one first,
/// then those still accepted during a rotation (and, for Instagram Login
/// apps, the Instagram app secret).
#[derive(Clone, Default)]
pub struct MetaSecrets(Vec<Vec<u8>>);

impl std::fmt::Debug for MetaSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MetaSecrets({} secrets, redacted)", self.0.len())
    }
}

impl MetaSecrets {
    /// Empty secrets are ignored.
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> MetaSecrets {
        MetaSecrets(
            secrets
                .into_iter()
                .map(|s| s.as_ref().as_bytes().to_vec())
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many secrets are accepted.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `sha256=<hex>` of `body` with the first (current) secret: what Meta
    /// sends, for the sandbox and tests.
    pub fn sign(&self, body: &[u8]) -> Option<String> {
        let secret = self.0.first()?;
        Some(format!("sha256={}", to_hex(&hmac(secret, body))))
    }
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Whether `tag` is the HMAC-SHA256 of `message` under any of `secrets`.
/// Every secret is tried (no early exit), each comparison in constant time.
fn matches_any(secrets: &MetaSecrets, message: &[u8], tag: &[u8]) -> bool {
    let mut found = Choice::from(0u8);
    for secret in &secrets.0 {
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(message);
        found |= Choice::from(u8::from(mac.verify_slice(tag).is_ok()));
    }
    found.into()
}

/// Lowercase hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
fn from_hex_32(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not sha256=<64 hex digits>")]
    Malformed,
    #[error("the signature matches none of the app secrets")]
    Mismatch,
}

impl SignatureError {
    /// A metric label.
    pub fn reason(self) -> &'static str {
        match self {
            SignatureError::Missing => "missing",
            SignatureError::Malformed => "malformed",
            SignatureError::Mismatch => "mismatch",
        }
    }
}

/// Checks `header` (the `X-Hub-Signature-256` value) against the HMAC-SHA256
/// of `body` exactly as received, under each secret, in constant time.
///
/// The body is never parsed or re-serialised here: Meta signs its own
/// rendering (non-ASCII escaped as `\u00e4`), so only the raw bytes match.
pub fn verify_hub_signature(
    secrets: &MetaSecrets,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty());
    let header = header.ok_or(SignatureError::Missing)?;
    let (scheme, hex) = header.split_once('=').ok_or(SignatureError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("sha256") {
        return Err(SignatureError::Malformed);
    }
    let tag = from_hex_32(hex).ok_or(SignatureError::Malformed)?;
    if matches_any(secrets, body, &tag) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Whether `given` equals `expected`, compared in constant time.
///
/// Both sides are hashed first, so the comparison always covers 32 bytes
/// and neither the content nor the expected length leaks through timing.
/// An empty `expected` (no verify token configured) never matches.
pub fn verify_token_matches(expected: &str, given: &str) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(given.as_bytes());
    let same: bool = a.as_slice().ct_eq(b.as_slice()).into();
    same && !expected.is_empty()
}

/// The payload of a verified `signed_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The app-scoped id of the person (Facebook or Instagram user id).
    pub user_id: String,
    pub issued_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignedRequestError {
    #[error("signed_request is not <signature>.<payload> in base64url")]
    Malformed,
    #[error("signed_request uses an algorithm other than HMAC-SHA256")]
    Algorithm,
    #[error("signed_request's signature matches none of the app secrets")]
    Mismatch,
    #[error("signed_request names no user")]
    NoUser,
}

/// The fields of a `signed_request` payload Herald reads. `user_id` is a
/// string in Meta's documentation but a number in some clients' fixtures;
/// both are accepted.
#[derive(serde::Deserialize)]
struct Payload {
    algorithm: Option<String>,
    #[serde(default)]
    user_id: Option<serde_json::Value>,
    #[serde(default)]
    issued_at: Option<serde_json::Value>,
}

/// Verifies `base64url(sig).base64url(payload)`: the signature is the
/// HMAC-SHA256 of the payload string as sent, under one of the secrets.
///
/// The signature is checked before the payload is decoded or parsed, so an
/// unsigned value never reaches the JSON parser.
pub fn parse_signed_request(
    secrets: &MetaSecrets,
    value: &str,
) -> Result<SignedRequest, SignedRequestError> {
    let value = value.trim();
    let (sig, payload) = value.split_once('.').ok_or(SignedRequestError::Malformed)?;
    if sig.is_empty() || payload.is_empty() || payload.contains('.') {
        return Err(SignedRequestError::Malformed);
    }
    let sig = BASE64URL
        .decode(sig)
        .map_err(|_| SignedRequestError::Malformed)?;
    if sig.len() != 32 {
        return Err(SignedRequestError::Malformed);
    }
    if !matches_any(secrets, payload.as_bytes(), &sig) {
        return Err(SignedRequestError::Mismatch);
    }
    let json = BASE64URL
        .decode(payload)
        .map_err(|_| SignedRequestError::Malformed)?;
    let payload: Payload =
        serde_json::from_slice(&json).map_err(|_| SignedRequestError::Malformed)?;
    if !payload
        .algorithm
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case("HMAC-SHA256"))
    {
        return Err(SignedRequestError::Algorithm);
    }
    let user_id = match payload.user_id {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err(SignedRequestError::NoUser),
    };
    let issued_at = match payload.issued_at {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    Ok(SignedRequest { user_id, issued_at })
}

/// Builds a `signed_request` for `payload` with the first secret (the
/// sandbox and tests).
pub fn make_signed_request(secrets: &MetaSecrets, payload: &serde_json::Value) -> Option<String> {
    let secret = secrets.0.first()?;
    let payload = BASE64URL.encode(serde_json::to_vec(payload).ok()?);
    let sig = BASE64URL.encode(hmac(secret, payload.as_bytes()));
    Some(format!("{sig}.{payload}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secrets() -> MetaSecrets {
        MetaSecrets::new(["current-secret", "", "previous-secret"])
    }

    #[test]
    fn empty_secrets_are_ignored_and_debug_shows_none() {
        let s = secrets();
        assert_eq!(s.len(), 2);
        assert!(!s.is_empty());
        assert!(MetaSecrets::new([""]).is_empty());
        let shown = format!("{s:?}");
        assert!(!shown.contains("current"), "{shown}");
        assert!(MetaSecrets::default().sign(b"x").is_none());
    }

    #[test]
    fn the_signature_matches_an_independent_hmac_vector() {
        // RFC 4231 test case 2, written as Meta's header.
        let s = MetaSecrets::new(["Jefe"]);
        let header = s.sign(b"what do ya want for nothing?").unwrap();
        assert_eq!(
            header,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            verify_hub_signature(&s, Some(&header), b"what do ya want for nothing?"),
            Ok(())
        );
        // Upper-case hex and scheme are accepted too.
        let upper = format!("SHA256={}", header["sha256=".len()..].to_uppercase());
        assert_eq!(
            verify_hub_signature(&s, Some(&upper), b"what do ya want for nothing?"),
            Ok(())
        );
    }

    #[test]
    fn raw_non_ascii_bytes_are_hashed_as_received() {
        let s = secrets();
        // Meta's rendering: escaped unicode, as sent.
        let escaped = br#"{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments","value":{"text":"sch\u00f6n \ud83d\ude00"}}]}]}"#;
        let header = s.sign(escaped).unwrap();
        assert_eq!(verify_hub_signature(&s, Some(&header), escaped), Ok(()));
        // Re-serialised JSON (unescaped UTF-8) is different bytes and fails.
        let value: serde_json::Value = serde_json::from_slice(escaped).unwrap();
        let reserialised = serde_json::to_vec(&value).unwrap();
        assert_ne!(reserialised.as_slice(), escaped.as_slice());
        assert_eq!(
            verify_hub_signature(&s, Some(&header), &reserialised),
            Err(SignatureError::Mismatch)
        );
        // Literal UTF-8 bodies verify too when signed over those bytes.
        let literal = "{\"text\":\"schön ä 😀\"}".as_bytes();
        let header = s.sign(literal).unwrap();
        assert_eq!(verify_hub_signature(&s, Some(&header), literal), Ok(()));
    }

    #[test]
    fn tampered_bodies_wrong_secrets_and_bad_headers_are_refused() {
        let s = secrets();
        let body = br#"{"object":"page","entry":[]}"#;
        let header = s.sign(body).unwrap();
        assert_eq!(
            verify_hub_signature(&s, Some(&header), br#"{"object":"page","entry":[1]}"#),
            Err(SignatureError::Mismatch)
        );
        let other = MetaSecrets::new(["someone-else"]).sign(body).unwrap();
        assert_eq!(
            verify_hub_signature(&s, Some(&other), body),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hub_signature(&s, None, body),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_hub_signature(&s, Some("  "), body),
            Err(SignatureError::Missing)
        );
        let hex = &header["sha256=".len()..];
        for bad in [
            hex.to_owned(),
            format!("sha1={hex}"),
            format!("sha256={}", &hex[..63]),
            format!("sha256={hex}0"),
            format!("sha256={}g", &hex[..63]),
            format!("sha256= {hex}"),
            "sha256=".to_owned(),
            format!("sha256={}", "é".repeat(32)),
        ] {
            assert_eq!(
                verify_hub_signature(&s, Some(&bad), body),
                Err(SignatureError::Malformed),
                "{bad:?}"
            );
        }
        // No secrets configured: nothing verifies.
        assert_eq!(
            verify_hub_signature(&MetaSecrets::default(), Some(&header), body),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_rotated_second_secret_is_accepted() {
        let body = b"{\"object\":\"page\",\"entry\":[]}";
        let old = MetaSecrets::new(["previous-secret"]).sign(body).unwrap();
        assert_eq!(verify_hub_signature(&secrets(), Some(&old), body), Ok(()));
        let request =
            make_signed_request(&MetaSecrets::new(["previous-secret"]), &signed_payload("7"))
                .unwrap();
        assert_eq!(
            parse_signed_request(&secrets(), &request).unwrap().user_id,
            "7"
        );
    }

    #[test]
    fn verify_tokens_compare_whole_values() {
        assert!(verify_token_matches("token-123", "token-123"));
        assert!(!verify_token_matches("token-123", "token-124"));
        assert!(!verify_token_matches("token-123", "token-12"));
        assert!(!verify_token_matches("token-123", "token-1234"));
        assert!(!verify_token_matches("", ""));
    }

    fn signed_payload(user: &str) -> serde_json::Value {
        json!({"algorithm": "HMAC-SHA256", "expires": 1291840400, "issued_at": 1291836800, "user_id": user})
    }

    #[test]
    fn signed_requests_round_trip_and_match_a_hand_made_one() {
        let s = secrets();
        let made = make_signed_request(&s, &signed_payload("218471")).unwrap();
        assert!(!made.contains('='), "no padding: {made}");
        let parsed = parse_signed_request(&s, &made).unwrap();
        assert_eq!(
            parsed,
            SignedRequest {
                user_id: "218471".into(),
                issued_at: Some(1291836800)
            }
        );
        // Built by hand the way Meta documents it (and with padding added,
        // which some proxies do): the signature covers the payload string.
        let payload = base64::engine::general_purpose::URL_SAFE
            .encode(br#"{"algorithm":"hmac-sha256","issued_at":5,"user_id":99}"#);
        let sig = base64::engine::general_purpose::URL_SAFE
            .encode(hmac(b"current-secret", payload.as_bytes()));
        let parsed = parse_signed_request(&s, &format!("{sig}.{payload}")).unwrap();
        assert_eq!(parsed.user_id, "99");
        assert_eq!(parsed.issued_at, Some(5));
    }

    #[test]
    fn bad_signed_requests_are_refused_for_the_right_reason() {
        let s = secrets();
        let good = make_signed_request(&s, &signed_payload("1")).unwrap();
        let (sig, payload) = good.split_once('.').unwrap();
        // A payload changed after signing.
        let forged = BASE64URL.encode(serde_json::to_vec(&signed_payload("2")).unwrap());
        assert_eq!(
            parse_signed_request(&s, &format!("{sig}.{forged}")),
            Err(SignedRequestError::Mismatch)
        );
        assert_eq!(
            parse_signed_request(&MetaSecrets::new(["other"]), &good),
            Err(SignedRequestError::Mismatch)
        );
        for bad in [
            "",
            ".",
            "abc",
            &format!("{sig}."),
            &format!(".{payload}"),
            &format!("{sig}.{payload}.x"),
            "!!!.???",
        ] {
            assert_eq!(
                parse_signed_request(&s, bad),
                Err(SignedRequestError::Malformed),
                "{bad:?}"
            );
        }
        let md5 = make_signed_request(&s, &json!({"algorithm": "MD5", "user_id": "1"})).unwrap();
        assert_eq!(
            parse_signed_request(&s, &md5),
            Err(SignedRequestError::Algorithm)
        );
        let missing = make_signed_request(&s, &json!({"user_id": "1"})).unwrap();
        assert_eq!(
            parse_signed_request(&s, &missing),
            Err(SignedRequestError::Algorithm)
        );
        let nobody = make_signed_request(&s, &json!({"algorithm": "HMAC-SHA256"})).unwrap();
        assert_eq!(
            parse_signed_request(&s, &nobody),
            Err(SignedRequestError::NoUser)
        );
        let blank =
            make_signed_request(&s, &json!({"algorithm": "HMAC-SHA256", "user_id": " "})).unwrap();
        assert_eq!(
            parse_signed_request(&s, &blank),
            Err(SignedRequestError::NoUser)
        );
        // Signed, but not JSON.
        let text = BASE64URL.encode(b"not json");
        let sig = BASE64URL.encode(hmac(b"current-secret", text.as_bytes()));
        assert_eq!(
            parse_signed_request(&s, &format!("{sig}.{text}")),
            Err(SignedRequestError::Malformed)
        );
    }

    fn random_bytes(max: usize) -> Vec<u8> {
        let len = rand::random_range(0..=max);
        (0..len).map(|_| rand::random::<u8>()).collect()
    }

    /// Random bytes, and random mutations of valid values, never panic and
    /// are never accepted.
    #[test]
    fn random_input_never_panics_or_verifies() {
        let s = secrets();
        let good_request = make_signed_request(&s, &signed_payload("42")).unwrap();
        let body = br#"{"object":"instagram","entry":[]}"#.to_vec();
        let good_header = s.sign(&body).unwrap();
        const ALPHABET: &[u8] = b"ABCDEFabcdef0123456789-_.=+/ sha256";
        for round in 0..5000 {
            let noise = random_bytes(200);
            let text = String::from_utf8_lossy(&noise);
            assert!(parse_signed_request(&s, &text).is_err());
            let _ = verify_hub_signature(&s, Some(&text), &noise);

            // Same alphabet as real values, so more inputs get past the
            // first checks.
            let len = rand::random_range(0..120);
            let shaped: String = (0..len)
                .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
                .collect();
            assert!(parse_signed_request(&s, &shaped).is_err());
            assert!(verify_hub_signature(&s, Some(&shaped), &body).is_err());

            // One byte of a valid value changed.
            let mut mutated = good_request.clone().into_bytes();
            let i = rand::random_range(0..mutated.len());
            let replacement = ALPHABET[rand::random_range(0..ALPHABET.len())];
            let changed = mutated[i] != replacement;
            mutated[i] = replacement;
            let mutated = String::from_utf8(mutated).unwrap();
            if let (true, Ok(parsed)) = (changed, parse_signed_request(&s, &mutated)) {
                // Only a change in the padding-free tail bits may decode to
                // the same bytes; it must still name the same person.
                assert_eq!(parsed.user_id, "42", "round {round}: {mutated}");
            }
            let mut header = good_header.clone().into_bytes();
            let i = rand::random_range(0..header.len());
            let replacement = ALPHABET[rand::random_range(0..ALPHABET.len())];
            let changed = !header[i].eq_ignore_ascii_case(&replacement);
            header[i] = replacement;
            let header = String::from_utf8(header).unwrap();
            if changed {
                assert!(
                    verify_hub_signature(&s, Some(&header), &body).is_err(),
                    "round {round}: {header}"
                );
            }
        }
    }
}

/// Property tests: whatever a caller sends as the header, the body or the
/// `signed_request`, nothing panics and nothing unsigned verifies; what is
/// signed verifies, and any change to it does not.
#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;
    use serde_json::json;

    use super::*;

    /// Bodies up to 64 KiB: HMAC work is linear in them, so each case is
    /// bounded.
    const MAX_BODY: usize = 64 << 10;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    fn secrets() -> MetaSecrets {
        MetaSecrets::new(["current-secret", "previous-secret"])
    }

    /// Any text, including non-ASCII and control characters.
    fn text(max: usize) -> impl Strategy<Value = String> {
        vec(any::<char>(), 0..max).prop_map(String::from_iter)
    }

    /// One edit of a string: replace, insert or delete a character.
    #[derive(Debug, Clone)]
    enum Edit {
        Replace(Index, char),
        Insert(Index, char),
        Delete(Index),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        // Characters of the value's own alphabet, so edits often survive
        // the first checks, plus a few that never should.
        let c = prop::sample::select(
            "ABCDEFabcdef0123456789-_.=+/ \u{e4}"
                .chars()
                .collect::<Vec<_>>(),
        );
        prop_oneof![
            (any::<Index>(), c.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
            (any::<Index>(), c).prop_map(|(i, c)| Edit::Insert(i, c)),
            any::<Index>().prop_map(Edit::Delete),
        ]
    }

    fn apply(s: &str, edit: &Edit) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        match edit {
            Edit::Replace(i, c) if !chars.is_empty() => {
                let i = i.index(chars.len());
                chars[i] = *c;
            }
            Edit::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i.index(chars.len()));
            }
            _ => {}
        }
        chars.into_iter().collect()
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn arbitrary_signature_headers_never_panic_and_never_verify(
            header in text(256),
            body in vec(any::<u8>(), 0..MAX_BODY),
        ) {
            prop_assert!(verify_hub_signature(&secrets(), Some(&header), &body).is_err());
        }

        #[test]
        fn header_shaped_strings_are_malformed_or_mismatched(
            header in "[ \t]{0,2}[sS][hH][aA]2?5?6?[=:]?[0-9a-fA-Fg \u{e9}]{0,70}[ \t]{0,2}",
            body in vec(any::<u8>(), 0..1024),
        ) {
            let result = verify_hub_signature(&secrets(), Some(&header), &body);
            prop_assert!(
                matches!(result, Err(SignatureError::Malformed | SignatureError::Mismatch)),
                "{result:?}"
            );
        }

        #[test]
        fn a_signed_body_verifies_under_any_secret_and_no_other_body_does(
            secret in "[!-~]{1,64}",
            body in vec(any::<u8>(), 0..MAX_BODY),
            other in vec(any::<u8>(), 0..256),
        ) {
            let s = MetaSecrets::new([secret.as_str()]);
            let header = s.sign(&body).expect("one secret");
            prop_assert_eq!(verify_hub_signature(&s, Some(&header), &body), Ok(()));
            // Upper case and surrounding whitespace are read the same.
            let loud = format!("  {}\t", header.to_uppercase());
            prop_assert_eq!(verify_hub_signature(&s, Some(&loud), &body), Ok(()));
            // The same secret among rotated ones still verifies.
            let rotated = MetaSecrets::new(["newer-secret", secret.as_str()]);
            prop_assert_eq!(verify_hub_signature(&rotated, Some(&header), &body), Ok(()));
            if other != body {
                prop_assert_eq!(
                    verify_hub_signature(&s, Some(&header), &other),
                    Err(SignatureError::Mismatch)
                );
            }
        }

        #[test]
        fn a_header_with_one_hex_digit_changed_is_refused(
            body in vec(any::<u8>(), 0..4096),
            at in any::<Index>(),
            digit in 0u8..16,
        ) {
            let s = secrets();
            let header = s.sign(&body).expect("a secret");
            let mut bytes = header.into_bytes();
            let i = "sha256=".len() + at.index(64);
            let replacement = b"0123456789abcdef"[usize::from(digit)];
            prop_assume!(bytes[i] != replacement);
            bytes[i] = replacement;
            let changed = String::from_utf8(bytes).expect("ASCII");
            prop_assert_eq!(
                verify_hub_signature(&s, Some(&changed), &body),
                Err(SignatureError::Mismatch)
            );
        }

        #[test]
        fn verify_tokens_match_only_themselves(expected in text(64), given in text(64)) {
            prop_assert_eq!(verify_token_matches(&expected, &expected), !expected.is_empty());
            if given != expected {
                prop_assert!(!verify_token_matches(&expected, &given));
            }
        }

        #[test]
        fn arbitrary_signed_requests_never_panic_and_are_refused(value in text(4096)) {
            prop_assert!(parse_signed_request(&secrets(), &value).is_err());
        }

        #[test]
        fn signed_request_shaped_strings_are_refused(
            value in "[A-Za-z0-9_=+/-]{0,60}\\.?[A-Za-z0-9_=+/.-]{0,200}",
        ) {
            prop_assert!(parse_signed_request(&secrets(), &value).is_err());
        }

        #[test]
        fn made_signed_requests_round_trip(
            user in prop_oneof![
                "[ ]{0,2}[0-9A-Za-z_\u{e4}\u{1f600}-]{1,40}[ ]{0,2}".prop_map(serde_json::Value::from),
                any::<u64>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
            ],
            issued_at in any::<i64>(),
            as_string in any::<bool>(),
            algorithm in prop::sample::select(vec!["HMAC-SHA256", "hmac-sha256", "Hmac-Sha256"]),
            extra in text(64),
        ) {
            let s = secrets();
            let issued = if as_string {
                json!(issued_at.to_string())
            } else {
                json!(issued_at)
            };
            let payload = json!({
                "algorithm": algorithm,
                "user_id": user,
                "issued_at": issued,
                "expires": 1_291_840_400,
                "extra": extra,
            });
            let made = make_signed_request(&s, &payload).expect("a secret");
            let parsed = parse_signed_request(&s, &made).expect("it verifies");
            let expected_user = match &user {
                serde_json::Value::String(u) => u.trim().to_owned(),
                other => other.to_string(),
            };
            prop_assert_eq!(parsed, SignedRequest {
                user_id: expected_user,
                issued_at: Some(issued_at),
            });
            // Under a secret Herald does not hold, it is refused.
            prop_assert_eq!(
                parse_signed_request(&MetaSecrets::new(["someone-else"]), &made),
                Err(SignedRequestError::Mismatch)
            );
        }

        /// Any change to the signed payload is refused. A change to the
        /// signature is refused too, unless it decodes to the same 32
        /// bytes: the decoder takes padding and ignores the unused low
        /// bits of the last character, like the PHP and JavaScript
        /// decoders apps use; that is another spelling of the same
        /// signature, not another signature.
        #[test]
        fn any_change_to_a_signed_request_is_refused(
            user in "[0-9]{1,20}",
            edits in vec(edit(), 1..4),
        ) {
            let s = secrets();
            let made = make_signed_request(
                &s,
                &json!({"algorithm": "HMAC-SHA256", "user_id": user, "issued_at": 5}),
            )
            .expect("a secret");
            let changed = edits.iter().fold(made.clone(), |v, e| apply(&v, e));
            prop_assume!(changed != made);
            if let Ok(parsed) = parse_signed_request(&s, &changed) {
                let (sig, payload) = made.split_once('.').expect("two parts");
                let (new_sig, new_payload) =
                    changed.trim().split_once('.').expect("accepted values have two parts");
                prop_assert_eq!(new_payload, payload, "the payload was changed: {}", changed);
                prop_assert_eq!(
                    BASE64URL.decode(new_sig).ok(),
                    BASE64URL.decode(sig).ok(),
                    "another signature was accepted: {}", changed
                );
                prop_assert_eq!(parsed.user_id, user);
            }
        }
    }
}
