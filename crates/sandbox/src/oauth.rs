//! OAuth building blocks shared by the simulators: opaque random strings
//! with the platforms' prefixes, PKCE checks, redirect URI validation and
//! building the redirect back to the client.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` random characters from `[0-9A-Za-z]`.
pub(crate) fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let bytes: [u8; 32] = rand::random();
        for b in bytes {
            // Rejection sampling keeps the alphabet uniform.
            if (b as usize) < 62 * 4 && out.len() < len {
                out.push(BASE62[(b as usize) % 62] as char);
            }
        }
    }
    out
}

/// `bytes` random bytes as unpadded base64url.
pub(crate) fn random_b64url(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    for chunk in buf.chunks_mut(32) {
        let random: [u8; 32] = rand::random();
        chunk.copy_from_slice(&random[..chunk.len()]);
    }
    URL_SAFE_NO_PAD.encode(buf)
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// How a platform encodes an S256 code challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum S256Encoding {
    /// RFC 7636: unpadded base64url of the SHA-256 digest (Google, Meta).
    Base64Url,
    /// TikTok's quirk: lowercase hex of the SHA-256 digest.
    Hex,
}

/// A PKCE challenge stored with an authorization code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pkce {
    pub challenge: String,
    /// "S256" or "plain".
    pub method: String,
}

impl Pkce {
    pub fn verifies(&self, verifier: &str, encoding: S256Encoding) -> bool {
        match self.method.as_str() {
            "plain" => verifier == self.challenge,
            _ => {
                let digest = sha256(verifier.as_bytes());
                let expected = match encoding {
                    S256Encoding::Base64Url => URL_SAFE_NO_PAD.encode(digest),
                    S256Encoding::Hex => hex(&digest),
                };
                expected == self.challenge
            }
        }
    }
}

/// Why a redirect URI is refused before any consent page is shown.
pub(crate) fn check_redirect_uri(raw: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(raw).map_err(|_| "redirect_uri is not an absolute URL")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("redirect_uri must use http or https");
    }
    if url.fragment().is_some() {
        return Err("redirect_uri must not contain a fragment");
    }
    if url.host_str().is_none() {
        return Err("redirect_uri has no host");
    }
    Ok(())
}

/// The host (and port) part of a redirect URI, shown on consent pages.
pub(crate) fn redirect_origin(raw: &str) -> String {
    url::Url::parse(raw)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// `redirect_uri` with `params` appended to its query, and an optional
/// fragment (Instagram's `#_`).
pub(crate) fn redirect_with(
    redirect_uri: &str,
    params: &[(&str, &str)],
    fragment: Option<&str>,
) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    let query = query.finish();
    let mut out = redirect_uri.to_owned();
    if !query.is_empty() {
        if !out.contains('?') {
            out.push('?');
        } else if !out.ends_with('?') && !out.ends_with('&') {
            out.push('&');
        }
        out.push_str(&query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_the_rfc_7636_test_vector() {
        let pkce = Pkce {
            challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            method: "S256".into(),
        };
        assert!(pkce.verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            S256Encoding::Base64Url
        ));
        assert!(!pkce.verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            S256Encoding::Hex
        ));
    }

    #[test]
    fn tiktok_hex_challenge_is_lowercase_hex_sha256() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let pkce = Pkce {
            challenge: hex(&sha256(verifier.as_bytes())),
            method: "S256".into(),
        };
        assert!(pkce.verifies(verifier, S256Encoding::Hex));
        assert!(!pkce.verifies(verifier, S256Encoding::Base64Url));
    }

    #[test]
    fn redirects_append_to_an_existing_query() {
        assert_eq!(
            redirect_with(
                "https://a.example/cb?refresh=1",
                &[("code", "x/y"), ("state", "<s> &")],
                None
            ),
            "https://a.example/cb?refresh=1&code=x%2Fy&state=%3Cs%3E+%26"
        );
        assert_eq!(
            redirect_with("https://a.example/cb", &[("code", "c")], Some("_")),
            "https://a.example/cb?code=c#_"
        );
    }

    #[test]
    fn redirect_uris_must_be_absolute_http_without_fragment() {
        assert!(check_redirect_uri("https://a.example/cb").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1:8080/cb?x=1").is_ok());
        assert!(check_redirect_uri("/cb").is_err());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
        assert!(check_redirect_uri("https://a.example/cb#x").is_err());
    }

    #[test]
    fn random_strings_have_the_requested_alphabet() {
        let s = random_base62(100);
        assert_eq!(s.len(), 100);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(random_b64url(16), random_b64url(16));
    }
}
