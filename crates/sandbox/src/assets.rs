//! Static bits the sandbox serves itself: the one stylesheet of its pages
//! (they carry no inline styles or scripts, so a strict CSP allows them),
//! SVG avatars for seeded profiles, and generated media bytes for Drive
//! (valid PNGs and MP4-shaped blobs).

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Sandbox;
use crate::oauth::sha256;

pub(crate) const CSS_PATH: &str = "/_static/sandbox.css";

const CSS: &str = include_str!("../templates/sandbox.css");

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(CSS_PATH, get(get_css))
        .route("/_static/avatar/{file}", get(get_avatar))
}

async fn get_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
        .into_response()
}

async fn get_avatar(Path(file): Path<String>) -> Response {
    let Some(key) = file.strip_suffix(".svg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if key.is_empty()
        || key.len() > 80
        || !key.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        avatar_svg(key),
    )
        .into_response()
}

/// A round avatar with the key's initials on a colour derived from the key.
/// `key` is limited to `[a-z0-9._-]` by the caller, so it needs no escaping.
fn avatar_svg(key: &str) -> String {
    let h = sha256(key.as_bytes());
    // Darkish colours so white initials stay readable.
    let colour = format!(
        "#{:02x}{:02x}{:02x}",
        h[0] / 2 + 20,
        h[1] / 2 + 20,
        h[2] / 2 + 20
    );
    let initials: String = key
        .split(['-', '.', '_'])
        .filter_map(|p| p.chars().next())
        .take(2)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    format!(
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">"##,
            r##"<rect width="256" height="256" rx="128" fill="{colour}"/>"##,
            r##"<text x="128" y="128" dy="0.35em" text-anchor="middle" font-family="sans-serif" "##,
            r##"font-size="104" font-weight="600" fill="#ffffff">{initials}</text></svg>"##
        ),
        colour = colour,
        initials = initials
    )
}

// ------------------------------------------------------------- media bytes

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut table = [0u32; 256];
    for (n, slot) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            crc = table[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
        }
    }
    crc ^ 0xFFFF_FFFF
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &d in data {
        a = (a + d as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

fn raw_len(width: u32, height: u32) -> usize {
    height as usize * (1 + 3 * width as usize)
}

/// The byte length of [`png`]`(width, height, _)`.
pub(crate) fn png_len(width: u32, height: u32) -> usize {
    let raw = raw_len(width, height);
    let blocks = raw.div_ceil(65_535).max(1);
    let zlib = 2 + 5 * blocks + raw + 4;
    8 + (12 + 13) + (12 + zlib) + 12
}

/// A valid 8-bit RGB PNG: diagonal stripes of `rgb` and a lighter tint,
/// compressed with stored (uncompressed) deflate blocks.
pub(crate) fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let light = rgb.map(|c| c / 2 + 128);
    let mut raw = Vec::with_capacity(raw_len(width, height));
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            let colour = if (x + y) / 8 % 2 == 0 { rgb } else { light };
            raw.extend_from_slice(&colour);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        zlib.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = blocks.peek().is_none();
        let len = block.len() as u16;
        zlib.push(u8::from(last));
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, no filter, no interlace

    let mut out = Vec::with_capacity(png_len(width, height));
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// `len` bytes that start like an MP4 file (`ftyp` box, then one `mdat`
/// box of deterministic noise). Not playable; enough for sniffing,
/// checksums and ranged downloads.
pub(crate) fn fake_mp4(len: usize, seed: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(len.max(32));
    out.extend_from_slice(&24u32.to_be_bytes());
    out.extend_from_slice(b"ftypisom");
    out.extend_from_slice(&0x200u32.to_be_bytes());
    out.extend_from_slice(b"isommp41");
    let mdat = len.saturating_sub(24).max(8);
    out.extend_from_slice(&(mdat as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    let h = sha256(seed.as_bytes());
    let mut state = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]) | 1;
    while out.len() < 24 + mdat {
        // xorshift64*: cheap, deterministic filler.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let word = state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
        let take = (24 + mdat - out.len()).min(8);
        out.extend_from_slice(&word[..take]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_has_a_valid_structure_and_predicted_length() {
        let bytes = png(120, 80, [10, 20, 30]);
        assert_eq!(bytes.len(), png_len(120, 80));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&bytes[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 120);
        assert_eq!(&bytes[bytes.len() - 8..bytes.len() - 4], b"IEND");
        // IHDR's CRC covers its type and data.
        let crc = u32::from_be_bytes(bytes[29..33].try_into().unwrap());
        assert_eq!(crc, crc32(&[&bytes[12..29]]));
        // A multi-block image stays consistent too.
        assert_eq!(png(300, 300, [1, 2, 3]).len(), png_len(300, 300));
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn fake_mp4_has_exact_length_and_boxes() {
        let bytes = fake_mp4(1000, "x");
        assert_eq!(bytes.len(), 1000);
        assert_eq!(&bytes[4..8], b"ftyp");
        assert_eq!(&bytes[28..32], b"mdat");
        assert_eq!(fake_mp4(1000, "x"), bytes);
        assert_ne!(fake_mp4(1000, "y"), bytes);
    }

    #[test]
    fn avatars_show_initials() {
        let svg = avatar_svg("demo-bakery");
        assert!(svg.contains(">DB</text>"));
        assert!(svg.starts_with("<svg"));
    }
}
