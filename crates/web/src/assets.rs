//! Static assets (CSS, JavaScript, icons), compiled into the binary so that
//! Herald needs no files beside it and no Node toolchain to build.
//!
//! Pages link each asset as `/static/NAME?v=HASH`; the hash changes with the
//! content, so a response for the current hash may be cached for a year and
//! marked immutable, and a new build is picked up at once.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::{AppState, WebError};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    version: String,
}

macro_rules! asset {
    ($name:literal, $type:literal) => {
        (
            $name,
            $type,
            include_bytes!(concat!("../static/", $name)).as_slice(),
        )
    };
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        asset!("app.css", "text/css; charset=utf-8"),
        asset!("nojs.css", "text/css; charset=utf-8"),
        asset!("app.js", "text/javascript; charset=utf-8"),
        asset!("icon.svg", "image/svg+xml"),
    ]
    .into_iter()
    .map(|(name, content_type, bytes)| Asset {
        name,
        content_type,
        bytes,
        version: format!("{:016x}", fnv1a(bytes)),
    })
    .collect()
});

/// FNV-1a: a stable content fingerprint for cache busting (not security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// The versioned URL of a built-in asset, for templates.
///
/// # Panics
/// When `name` is not a built-in asset: a programming error that every
/// page test catches.
pub fn url(name: &str) -> String {
    let asset = find(name).unwrap_or_else(|| panic!("no built-in asset named {name}"));
    format!("/static/{}?v={}", asset.name, asset.version)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(show_asset))
        .route("/favicon.ico", get(show_favicon))
}

#[derive(Deserialize)]
struct VersionQuery {
    v: Option<String>,
}

async fn show_asset(
    Path(name): Path<String>,
    Query(query): Query<VersionQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let asset = find(&name).ok_or(WebError::NotFound)?;
    Ok(respond(asset, query.v.as_deref(), &headers))
}

async fn show_favicon(headers: HeaderMap) -> Response {
    let asset = find("icon.svg").expect("the icon is built in");
    respond(asset, None, &headers)
}

fn respond(asset: &Asset, requested: Option<&str>, headers: &HeaderMap) -> Response {
    // Only the current version may be cached for good: an old page asking
    // for an old hash gets today's file, revalidated next time.
    let cache = if requested == Some(asset.version.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag = format!("\"{}\"", asset.version);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let etag = HeaderValue::from_str(&etag).expect("a hex digest is a valid header");
    if fresh {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            ],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ETAG, etag),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_content() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(b"body{}"), fnv1a(b"body{ }"));
        assert!(url("app.css").starts_with("/static/app.css?v="));
    }
}
