//! What a file is, from its bytes: the type from its first bytes ([`sniff`],
//! used while the upload is still arriving, to refuse early), then
//! dimensions and duration from the stored file ([`probe_file`]). The type
//! the client declared is never trusted.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use herald_platforms::MediaKind;

use crate::MediaError;
use crate::isobmff;

/// The formats Herald accepts: what the platforms take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Mp4,
    QuickTime,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Mp4 => "video/mp4",
            Format::QuickTime => "video/quicktime",
        }
    }

    pub fn kind(self) -> MediaKind {
        match self {
            Format::Jpeg | Format::Png | Format::Gif | Format::Webp => MediaKind::Image,
            Format::Mp4 | Format::QuickTime => MediaKind::Video,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG image",
            Format::Png => "PNG image",
            Format::Gif => "GIF image",
            Format::Webp => "WebP image",
            Format::Mp4 => "MP4 video",
            Format::QuickTime => "QuickTime video",
        }
    }
}

/// How many leading bytes [`sniff`] needs to decide.
pub const SNIFF_LEN: usize = 16;

/// The verdict on a file's first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    Supported(Format),
    /// Not something Herald accepts: what it looks like, for the message.
    Unsupported(String),
}

/// The type of a file from its first [`SNIFF_LEN`] bytes (fewer only when
/// the file is that short).
pub fn sniff(head: &[u8]) -> Sniffed {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Supported(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Supported(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Supported(Format::Gif);
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Sniffed::Supported(Format::Webp);
    }
    if let Some(box_type) = head.get(4..8) {
        if box_type == b"ftyp" {
            let brand = head.get(8..12).unwrap_or_default();
            return match brand {
                b"qt  " => Sniffed::Supported(Format::QuickTime),
                b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
                    Sniffed::Unsupported("a HEIC/HEIF image (export it as JPEG)".into())
                }
                b"avif" | b"avis" => {
                    Sniffed::Unsupported("an AVIF image (export it as JPEG or PNG)".into())
                }
                b"M4A " | b"M4B " | b"M4P " | b"F4A " => {
                    Sniffed::Unsupported("an audio file".into())
                }
                b"crx " => Sniffed::Unsupported("a camera raw image".into()),
                _ => Sniffed::Supported(Format::Mp4),
            };
        }
        // Old QuickTime files start with their atoms and no `ftyp`.
        if matches!(box_type, b"moov" | b"mdat" | b"wide" | b"pnot") {
            return Sniffed::Supported(Format::QuickTime);
        }
    }
    let looks_like = if starts(b"%PDF") {
        "a PDF document"
    } else if starts(b"PK\x03\x04") {
        "a ZIP archive or office document"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "a TIFF image"
    } else if starts(b"BM") {
        "a BMP image"
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        "a WebM/Matroska video (convert it to MP4)"
    } else if starts(b"ID3") || starts(&[0xFF, 0xFB]) || starts(b"OggS") || starts(b"fLaC") {
        "an audio file"
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"AVI ") {
        "an AVI video (convert it to MP4)"
    } else if starts(b"<") || starts(b"\xEF\xBB\xBF<") {
        "an HTML, XML or SVG document"
    } else if head.is_empty() {
        "an empty file"
    } else {
        "not an image or video Herald can read"
    };
    Sniffed::Unsupported(looks_like.to_owned())
}

/// A probed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub format: Format,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    /// For videos: whether the file has a movie header (`moov`).
    pub has_moov: bool,
}

/// Reads dimensions (images: the header only; videos: the movie box) of
/// the file at `path`, known to be `format`. Blocking: run it off the
/// async threads.
pub fn probe_file(path: &Path, format: Format) -> Result<Probe, MediaError> {
    let malformed = |reason: String| MediaError::Malformed {
        format: format.name(),
        reason,
    };
    match format.kind() {
        MediaKind::Image => {
            let size = imagesize::size(path).map_err(|e| match e {
                imagesize::ImageError::IoError(io)
                    if io.kind() != std::io::ErrorKind::UnexpectedEof =>
                {
                    MediaError::Io(io)
                }
                other => malformed(other.to_string()),
            })?;
            let (w, h) = (
                u32::try_from(size.width).map_err(|_| malformed("too wide".into()))?,
                u32::try_from(size.height).map_err(|_| malformed("too tall".into()))?,
            );
            if w == 0 || h == 0 {
                return Err(malformed("it has no pixels".into()));
            }
            Ok(Probe {
                format,
                width: Some(w),
                height: Some(h),
                duration_ms: None,
                has_moov: false,
            })
        }
        MediaKind::Video => {
            let file = File::open(path)?;
            let len = file.metadata()?.len();
            let info =
                isobmff::read_movie(&mut BufReader::new(file), len).map_err(|e| match e {
                    isobmff::BoxError::Io(io) => MediaError::Io(io),
                    isobmff::BoxError::Malformed(why) => malformed(why.to_owned()),
                })?;
            if info.has_moov && !info.has_video {
                return Err(MediaError::Unsupported(
                    "a file without a video track (audio only?)".into(),
                ));
            }
            Ok(Probe {
                format,
                width: info.width,
                height: info.height,
                duration_ms: info.duration_ms,
                has_moov: info.has_moov,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::isobmff::build;

    fn encode(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 3) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    fn probe_bytes(bytes: &[u8]) -> Result<Probe, MediaError> {
        let format = match sniff(&bytes[..bytes.len().min(SNIFF_LEN)]) {
            Sniffed::Supported(f) => f,
            Sniffed::Unsupported(what) => return Err(MediaError::Unsupported(what)),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).unwrap();
        probe_file(&path, format)
    }

    #[test]
    fn real_images_are_recognised_with_their_size() {
        for (format, expected) in [
            (image::ImageFormat::Png, Format::Png),
            (image::ImageFormat::Jpeg, Format::Jpeg),
            (image::ImageFormat::Gif, Format::Gif),
            (image::ImageFormat::WebP, Format::Webp),
        ] {
            let probe = probe_bytes(&encode(format, 37, 21)).unwrap();
            assert_eq!(probe.format, expected);
            assert_eq!((probe.width, probe.height), (Some(37), Some(21)));
            assert_eq!(probe.format.kind(), MediaKind::Image);
        }
    }

    #[test]
    fn a_hand_built_mp4_gives_duration_and_size() {
        let probe = probe_bytes(&build::mp4(1080, 1920, 12_345, false, true, 2_000)).unwrap();
        assert_eq!(probe.format, Format::Mp4);
        assert_eq!(probe.format.mime(), "video/mp4");
        assert_eq!(probe.duration_ms, Some(12_345));
        assert_eq!((probe.width, probe.height), (Some(1080), Some(1920)));
        assert!(probe.has_moov);
    }

    #[test]
    fn quicktime_and_lookalikes_are_told_apart() {
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"),
            Sniffed::Supported(Format::QuickTime)
        );
        assert!(
            matches!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Sniffed::Unsupported(w) if w.contains("HEIC"))
        );
        assert!(matches!(sniff(b"%PDF-1.7\n"), Sniffed::Unsupported(w) if w.contains("PDF")));
        assert!(matches!(sniff(b"<svg xmlns="), Sniffed::Unsupported(_)));
        assert!(matches!(
            sniff(b"hello world, plain"),
            Sniffed::Unsupported(_)
        ));
        assert!(matches!(sniff(b""), Sniffed::Unsupported(w) if w.contains("empty")));
    }

    #[test]
    fn a_truncated_image_is_malformed_and_audio_only_mp4_unsupported() {
        let png = encode(image::ImageFormat::Png, 10, 10);
        assert!(matches!(
            probe_bytes(&png[..20]),
            Err(MediaError::Malformed { .. } | MediaError::Io(_))
        ));
        let mut audio = build::boxed(b"ftyp", b"isom\0\0\0\0isom");
        let mut moov = build::mvhd(1000, 1000);
        moov.extend_from_slice(&build::trak(b"soun", 0, 0, false));
        audio.extend_from_slice(&build::boxed(b"moov", &moov));
        assert!(matches!(
            probe_bytes(&audio),
            Err(MediaError::Unsupported(w)) if w.contains("video track")
        ));
    }
}

/// Property tests: any upload, whatever its first bytes claim, is probed
/// without a panic and with bounded work; real images and the test MP4s
/// give back their size and duration.
#[cfg(test)]
mod props {
    use std::io::Cursor;

    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;
    use crate::isobmff::build;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    /// Probes `bytes` as its sniffed format, from a file in `dir`.
    fn probe_bytes(dir: &Path, bytes: &[u8]) -> Option<Result<Probe, MediaError>> {
        let Sniffed::Supported(format) = sniff(&bytes[..bytes.len().min(SNIFF_LEN)]) else {
            return None;
        };
        let path = dir.join("upload");
        std::fs::write(&path, bytes).expect("a temporary file");
        Some(probe_file(&path, format))
    }

    /// A supported format's magic bytes (and some look-alikes) followed
    /// by anything: the probes run on nonsense.
    fn claimed_media() -> impl Strategy<Value = Vec<u8>> {
        let magic = prop::sample::select(vec![
            &b"\xFF\xD8\xFF"[..],
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
            b"\xFF\xD8\xFF\xC0\x00\x11\x08",
            b"\x89PNG\r\n\x1a\n",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
            b"GIF87a",
            b"GIF89a",
            b"RIFF\x00\x00\x00\x00WEBPVP8 ",
            b"RIFF\x00\x00\x00\x00WEBPVP8L",
            b"RIFF\x00\x00\x00\x00WEBPVP8X",
            b"\x00\x00\x00\x14ftypqt  ",
            b"\x00\x00\x00\x18ftypisom",
            b"\x00\x00\x00\x08moov",
            b"\x00\x00\x00\x01mdat",
        ]);
        (magic, vec(any::<u8>(), 0..(64 << 10))).prop_map(|(magic, rest)| {
            let mut b = magic.to_vec();
            b.extend_from_slice(&rest);
            b
        })
    }

    fn encode(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 3) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .expect("encodes");
        out.into_inner()
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn the_sniffed_type_depends_only_on_the_first_bytes(bytes in vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(sniff(&bytes), sniff(&bytes[..bytes.len().min(SNIFF_LEN)]));
        }

        #[test]
        fn arbitrary_uploads_are_probed_without_panicking(
            bytes in prop_oneof![vec(any::<u8>(), 0..(64 << 10)), claimed_media()],
        ) {
            let dir = tempfile::tempdir().expect("a temporary directory");
            if let Some(Ok(probe)) = probe_bytes(dir.path(), &bytes)
                && probe.format.kind() == MediaKind::Image
            {
                prop_assert!(probe.width.is_some_and(|w| w > 0));
                prop_assert!(probe.height.is_some_and(|h| h > 0));
            }
        }

        #[test]
        fn real_images_give_back_their_size(
            format in prop::sample::select(vec![
                (image::ImageFormat::Png, Format::Png),
                (image::ImageFormat::Jpeg, Format::Jpeg),
                (image::ImageFormat::Gif, Format::Gif),
                (image::ImageFormat::WebP, Format::Webp),
            ]),
            w in 1u32..48,
            h in 1u32..48,
            junk in vec(any::<u8>(), 0..64),
        ) {
            let (encoder, expected) = format;
            // Bytes after the image do not change what its header says.
            let mut bytes = encode(encoder, w, h);
            bytes.extend_from_slice(&junk);
            let dir = tempfile::tempdir().expect("a temporary directory");
            let probe = probe_bytes(dir.path(), &bytes).expect("sniffed").expect("probed");
            prop_assert_eq!(probe.format, expected);
            prop_assert_eq!((probe.width, probe.height), (Some(w), Some(h)));
        }

        #[test]
        fn generated_mp4s_are_probed_to_their_size_and_duration(
            width in 1u32..=8192,
            height in 1u32..=8192,
            duration_ms in 0u32..u32::MAX,
            rotated in any::<bool>(),
            moov_last in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let bytes = build::mp4(width, height, duration_ms, rotated, moov_last, 256);
            let probe = probe_bytes(dir.path(), &bytes).expect("sniffed").expect("probed");
            let (w, h) = if rotated { (height, width) } else { (width, height) };
            prop_assert_eq!(probe, Probe {
                format: Format::Mp4,
                width: Some(w),
                height: Some(h),
                duration_ms: Some(u64::from(duration_ms)),
                has_moov: true,
            });
        }
    }
}
