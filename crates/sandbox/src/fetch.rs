//! Downloads of media URLs that API callers hand the simulated platforms
//! (Meta's `image_url`, `video_url`, `url` and `file_url`, TikTok's
//! `PULL_FROM_URL`), as the platforms' servers do them: a real HTTP GET with
//! a deadline, counting the bytes and checking the first ones against the
//! format the endpoint accepts.
//!
//! The URLs come from whoever holds a sandbox token, so the downloads go
//! through `herald-net`'s guarded client under
//! [`crate::SandboxConfig::fetch_policy`]: no redirects, no proxy, and
//! (outside tests and development) no private, loopback or metadata
//! addresses, checked again at connect time.

use std::time::Duration;

use herald_net::{TargetPolicy, check_target};

use crate::Sandbox;

/// What a download must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Instagram feed images: JPEG only.
    Jpeg,
    /// Facebook photos: JPEG, PNG, GIF or WebP.
    AnyImage,
    /// MP4 / QuickTime (an `ftyp` box first).
    Video,
}

/// Why a download is unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FetchError {
    /// The URL could not be read (bad URL, connection, HTTP status, timeout).
    Download(String),
    /// The bytes are not of the expected format.
    Format,
}

/// The client the sandbox downloads with (built once per sandbox).
pub(crate) fn client(policy: TargetPolicy) -> reqwest::Client {
    // Each download has its own deadline; this is only an outer bound.
    herald_net::guarded_client(
        policy,
        "facebookexternalhit/1.1 (herald-sandbox)",
        Duration::from_secs(600),
    )
    .expect("a plain HTTP client builds")
}

/// Downloads `url` within `timeout`; returns its length in bytes and its
/// first 16 bytes.
pub(crate) async fn download(
    sb: &Sandbox,
    url: &str,
    timeout: Duration,
) -> Result<(u64, Vec<u8>), FetchError> {
    let parsed = url::Url::parse(url).map_err(|e| FetchError::Download(format!("{e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::Download(
            "only http(s) URLs can be fetched".into(),
        ));
    }
    check_target(&parsed, sb.config().fetch_policy)
        .map_err(|e| FetchError::Download(e.to_string()))?;
    let download = async {
        let mut response = sb
            .fetcher()
            .get(parsed)
            .send()
            .await
            .map_err(|e| FetchError::Download(describe(&e)))?;
        if !response.status().is_success() {
            return Err(FetchError::Download(format!(
                "the server answered HTTP {}",
                response.status().as_u16()
            )));
        }
        let mut head = Vec::with_capacity(16);
        let mut len: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Download(describe(&e)))?
        {
            if head.len() < 16 {
                let take = (16 - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            len += chunk.len() as u64;
        }
        Ok((len, head))
    };
    tokio::time::timeout(timeout, download)
        .await
        .map_err(|_| FetchError::Download("the download timed out".into()))?
}

/// Downloads `url` within `timeout` and checks it is `expect`; returns its
/// length in bytes.
pub(crate) async fn fetch(
    sb: &Sandbox,
    url: &str,
    expect: Expect,
    timeout: Duration,
) -> Result<u64, FetchError> {
    let (len, head) = download(sb, url, timeout).await?;
    if matches(expect, &head) {
        Ok(len)
    } else {
        Err(FetchError::Format)
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the download timed out".into()
    } else if e.is_connect() {
        // Includes a host the guard refused (non-public addresses).
        "could not connect to the media host".into()
    } else {
        "the download failed".into()
    }
}

/// Whether the first bytes look like `expect`.
pub(crate) fn matches(expect: Expect, head: &[u8]) -> bool {
    let jpeg = head.starts_with(&[0xFF, 0xD8, 0xFF]);
    match expect {
        Expect::Jpeg => jpeg,
        Expect::AnyImage => {
            jpeg || head.starts_with(b"\x89PNG\r\n\x1a\n")
                || head.starts_with(b"GIF8")
                || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
        }
        Expect::Video => head.get(4..8) == Some(b"ftyp"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_the_format() {
        assert!(matches(Expect::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(!matches(Expect::Jpeg, b"\x89PNG\r\n\x1a\n"));
        assert!(matches(Expect::AnyImage, b"\x89PNG\r\n\x1a\n...."));
        assert!(matches(Expect::AnyImage, b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(matches(Expect::Video, b"\0\0\0\x18ftypisom"));
        assert!(!matches(
            Expect::Video,
            &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0]
        ));
    }
}
