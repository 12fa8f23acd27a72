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

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
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
