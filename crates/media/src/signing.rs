//! Signed, expiring media URLs: `{public}/media/{id}?exp={unix}&sig={hex}`
//! where `sig` is HMAC-SHA256 over `{id}|{exp}`. Platforms fetch media
//! from such a URL without any session; the signature is the only
//! authorisation, so it is checked in constant time and refused once
//! `exp` has passed.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a signed URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the link has expired")]
    Expired,
    #[error("the link's signature is not valid")]
    Invalid,
}

/// Signs and checks media URLs with one key.
#[derive(Clone)]
pub struct UrlSigner {
    key: Vec<u8>,
}

impl fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UrlSigner([redacted])")
    }
}

fn mac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length")
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Hex digits only (either case). Not `u8::from_str_radix`, which also
/// takes a sign (`"+f"`), so one signature had several spellings.
fn unhex(s: &str) -> Option<Vec<u8>> {
    let nibble = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

impl UrlSigner {
    pub fn new(key: impl Into<Vec<u8>>) -> UrlSigner {
        UrlSigner { key: key.into() }
    }

    /// The hex signature of `id` valid until `exp` (Unix seconds).
    pub fn signature(&self, id: &str, exp: i64) -> String {
        let mut m = mac(&self.key);
        m.update(format!("{id}|{exp}").as_bytes());
        hex(&m.finalize().into_bytes())
    }

    /// The query string (`exp=…&sig=…`) for `id`, valid until `exp`.
    pub fn query(&self, id: &str, exp: i64) -> String {
        format!("exp={exp}&sig={}", self.signature(id, exp))
    }

    /// Checks a signature at `now` (Unix seconds): the MAC first, in
    /// constant time, so an expired link with a forged signature is
    /// "invalid", not "expired".
    pub fn verify(&self, id: &str, exp: i64, sig: &str, now: i64) -> Result<(), SignatureError> {
        let given = unhex(sig).ok_or(SignatureError::Invalid)?;
        let mut m = mac(&self.key);
        m.update(format!("{id}|{exp}").as_bytes());
        m.verify_slice(&given)
            .map_err(|_| SignatureError::Invalid)?;
        if now >= exp {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_published_test_vector() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        let mut m = mac(b"key");
        m.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn a_signature_covers_the_id_and_the_expiry() {
        let s = UrlSigner::new(b"secret".to_vec());
        let id = "0192f1a2-7c3e-7abc-9def-0123456789ab";
        let sig = s.signature(id, 2_000);
        assert_eq!(sig.len(), 64);
        assert_eq!(s.verify(id, 2_000, &sig, 1_999), Ok(()));
        assert_eq!(
            s.verify(id, 2_000, &sig, 2_000),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            s.verify(id, 2_001, &sig, 1_000),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            s.verify("0192f1a2-7c3e-7abc-9def-0123456789ac", 2_000, &sig, 1_000),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            UrlSigner::new(b"other".to_vec()).verify(id, 2_000, &sig, 1_000),
            Err(SignatureError::Invalid)
        );
        // Upper-case hex is the same bytes; junk is refused, not a panic.
        assert_eq!(s.verify(id, 2_000, &sig.to_uppercase(), 1_000), Ok(()));
        for junk in ["", "zz", "abc", "é1", &sig[..62]] {
            assert_eq!(
                s.verify(id, 2_000, junk, 1_000),
                Err(SignatureError::Invalid)
            );
        }
    }

    #[test]
    fn debug_output_hides_the_key() {
        let s = UrlSigner::new(b"topsecret".to_vec());
        assert!(!format!("{s:?}").contains("topsecret"));
    }
}

/// Property tests: signed links verify until they expire; any other
/// spelling of the id, the expiry or the signature is refused, and nothing
/// a client puts in the query panics.
#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn signed_links_verify_until_they_expire(
            key in proptest::collection::vec(any::<u8>(), 0..64),
            id in ".{0,40}",
            exp in any::<i64>(),
            now in any::<i64>(),
        ) {
            let s = UrlSigner::new(key);
            let sig = s.signature(&id, exp);
            let expected = if now >= exp { Err(SignatureError::Expired) } else { Ok(()) };
            prop_assert_eq!(s.verify(&id, exp, &sig, now), expected);
            prop_assert_eq!(s.verify(&id, exp, &sig.to_uppercase(), now), expected);
            prop_assert_eq!(s.query(&id, exp), format!("exp={exp}&sig={sig}"));
        }

        #[test]
        fn any_other_signature_id_or_expiry_is_refused(
            id in "[0-9a-f-]{36}",
            other_id in "[0-9a-f-]{36}",
            exp in any::<i64>(),
            other_exp in any::<i64>(),
            at in any::<Index>(),
            c in prop::sample::select("0123456789abcdefABCDEF+-g \u{e9}".chars().collect::<Vec<_>>()),
        ) {
            let s = UrlSigner::new(b"media-key".to_vec());
            let sig = s.signature(&id, exp);
            let mut chars: Vec<char> = sig.chars().collect();
            let i = at.index(chars.len());
            prop_assume!(!chars[i].eq_ignore_ascii_case(&c));
            chars[i] = c;
            let changed: String = chars.into_iter().collect();
            prop_assert_eq!(s.verify(&id, exp, &changed, i64::MIN), Err(SignatureError::Invalid));
            if other_id != id {
                prop_assert_eq!(s.verify(&other_id, exp, &sig, i64::MIN), Err(SignatureError::Invalid));
            }
            if other_exp != exp {
                prop_assert_eq!(s.verify(&id, other_exp, &sig, i64::MIN), Err(SignatureError::Invalid));
            }
        }

        #[test]
        fn arbitrary_signatures_never_panic_and_never_verify(
            sig in ".{0,80}",
            exp in any::<i64>(),
            now in any::<i64>(),
        ) {
            let s = UrlSigner::new(b"media-key".to_vec());
            prop_assert_eq!(s.verify("id", exp, &sig, now), Err(SignatureError::Invalid));
        }

        #[test]
        fn hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(unhex(&hex(&bytes)), Some(bytes.clone()));
            prop_assert_eq!(unhex(&hex(&bytes).to_uppercase()), Some(bytes));
        }
    }

    /// Found by `any_other_signature_id_or_expiry_is_refused`: `+` in
    /// place of a leading `0` digit parsed as the same byte.
    #[test]
    fn a_sign_is_not_a_hex_digit() {
        let s = UrlSigner::new(b"media-key".to_vec());
        let (id, exp) = ("0192f1a2-7c3e-7abc-9def-0123456789ab", 2_000);
        let sig = (0..)
            .map(|n| (n, s.signature(id, exp + n)))
            .find(|(_, sig)| sig.starts_with('0'))
            .expect("some signature starts with 0");
        let plus = format!("+{}", &sig.1[1..]);
        assert_eq!(
            s.verify(id, exp + sig.0, &plus, 0),
            Err(SignatureError::Invalid)
        );
        assert_eq!(unhex("+f"), None);
    }
}
