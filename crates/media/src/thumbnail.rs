//! Thumbnails: a JPEG of at most [`MAX_SIDE`] px for the library's grid.
//!
//! Images are decoded with the `image` crate (only the JPEG, PNG, WebP and
//! GIF codecs are compiled in), turned upright by their EXIF orientation
//! and scaled down. For videos a frame is taken with `ffmpeg` when it is
//! installed, under a timeout; without it a video has no thumbnail and the
//! UI shows a video placeholder.
//!
//! Uploads are untrusted, so decoding is bounded: an image over
//! [`MAX_PIXELS`] is refused from its header before anything is decoded,
//! the decoder may allocate at most [`MAX_ALLOC`], and `ffmpeg` reads only
//! the file it is given as a QuickTime/MP4 (no format guessing, no other
//! protocol: a playlist or a reference to another file is not followed),
//! on one thread, under a memory ceiling and a timeout. How many run at
//! once is the library's to bound.

use std::io::{BufReader, Cursor};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use tokio::io::AsyncReadExt;

/// The longest side of a thumbnail.
pub const MAX_SIDE: u32 = 320;
/// Larger images get no thumbnail: decoding them would need too much memory.
pub const MAX_IMAGE_BYTES: u64 = 64 << 20;
/// Images with more pixels than this (a 48-megapixel phone photo fits) get
/// no thumbnail: a small file can claim a huge canvas.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most one image decode may allocate.
pub const MAX_ALLOC: u64 = 256 << 20;
/// The address space `ffmpeg` may use (KiB, `ulimit -v`).
pub const FFMPEG_MEMORY_KIB: u64 = 2 << 20;
/// How long `ffmpeg` may take for one frame.
pub const FFMPEG_TIMEOUT: Duration = Duration::from_secs(30);

/// A thumbnail and what decoding the image taught.
#[derive(Debug)]
pub struct ImageThumbnail {
    pub jpeg: Vec<u8>,
    /// The EXIF orientation turns the picture by a quarter: its display
    /// width and height are the stored ones swapped.
    pub quarter_turn: bool,
}

/// A thumbnail of the image at `path`. Blocking: run it off the async
/// threads.
pub fn image_thumbnail(path: &Path) -> Result<ImageThumbnail, image::ImageError> {
    let file = std::fs::File::open(path).map_err(image::ImageError::IoError)?;
    let mut reader = ImageReader::new(BufReader::new(file)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(image::ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::DimensionError),
        ));
    }
    let orientation = decoder.orientation()?;
    let mut img = DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    let quarter_turn = matches!(
        orientation,
        image::metadata::Orientation::Rotate90
            | image::metadata::Orientation::Rotate270
            | image::metadata::Orientation::Rotate90FlipH
            | image::metadata::Orientation::Rotate270FlipH
    );
    Ok(ImageThumbnail {
        jpeg: encode_jpeg(&img)?,
        quarter_turn,
    })
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, image::ImageError> {
    let small = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img.clone()
    };
    // JPEG has no alpha: flatten onto the RGB channels.
    let rgb = DynamicImage::ImageRgb8(small.to_rgb8());
    let mut out = Cursor::new(Vec::new());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    rgb.write_with_encoder(encoder)?;
    Ok(out.into_inner())
}

/// `program` as a path to run: itself when it names a file, else the first
/// match on `PATH`; `None` when there is none.
fn find_program(program: &Path) -> Option<std::path::PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_owned());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// A frame of the video at `path` as a JPEG, taken by `ffmpeg` (the
/// program at that path or name on `PATH`) about a second in (or halfway
/// through a shorter video). `None` when ffmpeg is missing, fails or takes
/// longer than `timeout`.
pub async fn video_frame(
    ffmpeg: &Path,
    path: &Path,
    duration_ms: Option<u64>,
    timeout: Duration,
) -> Option<Vec<u8>> {
    let Some(ffmpeg) = find_program(ffmpeg) else {
        tracing::debug!(
            "ffmpeg is not installed: videos get no thumbnail (the UI shows a placeholder)"
        );
        return None;
    };
    let at_ms = duration_ms.map_or(1_000, |d| d.min(2_000) / 2);
    let scale = format!("scale={MAX_SIDE}:{MAX_SIDE}:force_original_aspect_ratio=decrease");
    // Under `sh` for the memory ceiling (`ulimit -v`; where the shell
    // cannot set it, ffmpeg still runs with the other bounds).
    let mut child = match tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {FFMPEG_MEMORY_KIB} 2>/dev/null; exec \"$0\" \"$@\""
        ))
        .arg(&ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-nostdin"])
        .args(["-protocol_whitelist", "file", "-threads", "1"])
        .arg("-ss")
        .arg(format!("{}.{:03}", at_ms / 1000, at_ms % 1000))
        .args(["-f", "mov", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-vf", &scale])
        .args(["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "5", "pipe:1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            tracing::warn!(error = %e, "could not start ffmpeg for a video thumbnail");
            return None;
        }
    };
    let mut stdout = child.stdout.take()?;
    let work = async {
        let mut jpeg = Vec::new();
        // A frame of at most 320 px is a few dozen kilobytes; stop reading
        // a misbehaving program's output long before it matters.
        (&mut stdout)
            .take(8 << 20)
            .read_to_end(&mut jpeg)
            .await
            .ok()?;
        let status = child.wait().await.ok()?;
        (status.success() && jpeg.starts_with(&[0xFF, 0xD8])).then_some(jpeg)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(frame) => {
            if frame.is_none() {
                tracing::warn!(video = %path.display(), "ffmpeg could not take a frame of a video");
            }
            frame
        }
        Err(_) => {
            tracing::warn!(video = %path.display(), "ffmpeg took too long for a video thumbnail");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_image(dir: &Path, name: &str, w: u32, h: u32) -> std::path::PathBuf {
        let img = image::RgbaImage::from_fn(w, h, |x, _| image::Rgba([x as u8, 80, 160, 128]));
        let path = dir.join(name);
        DynamicImage::ImageRgba8(img).save(&path).unwrap();
        path
    }

    #[test]
    fn large_images_shrink_to_fit_and_small_ones_keep_their_size() {
        let dir = tempfile::tempdir().unwrap();
        let big = image_thumbnail(&write_image(dir.path(), "big.png", 1000, 500)).unwrap();
        let decoded = image::load_from_memory(&big.jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 160));
        assert!(big.jpeg.starts_with(&[0xFF, 0xD8]));
        assert!(!big.quarter_turn);
        let small = image_thumbnail(&write_image(dir.path(), "small.webp", 40, 30)).unwrap();
        let decoded = image::load_from_memory(&small.jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (40, 30));
        // A sliver keeps at least one pixel across (CI once drew 1 x 642).
        let sliver = image_thumbnail(&write_image(dir.path(), "sliver.png", 1, 642)).unwrap();
        let decoded = image::load_from_memory(&sliver.jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1, 320));
    }

    #[test]
    fn an_image_claiming_a_huge_canvas_is_refused_before_it_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_image(dir.path(), "small.jpg", 16, 16);
        // The frame header (SOF0) says 9000 x 9000: 81 megapixels.
        let mut bytes = std::fs::read(&path).unwrap();
        let sof = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline JPEG");
        bytes[sof + 5..sof + 9].copy_from_slice(&[0x23, 0x28, 0x23, 0x28]);
        std::fs::write(&path, &bytes).unwrap();
        let err = image_thumbnail(&path).expect_err("refused");
        assert!(matches!(err, image::ImageError::Limits(_)), "{err:?}");
    }

    #[tokio::test]
    async fn ffmpeg_reads_only_the_given_file_as_a_movie_on_one_thread_under_a_memory_ceiling() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen");
        // A stand-in that records its arguments and its memory limit.
        let probe = dir.path().join("probe-ffmpeg");
        std::fs::write(
            &probe,
            format!(
                "#!/bin/sh\necho \"$@\" > '{0}'\nulimit -v >> '{0}'\nexit 1\n",
                seen.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let frame = video_frame(
            &probe,
            Path::new("/tmp/clip.mp4"),
            None,
            Duration::from_secs(10),
        )
        .await;
        assert!(frame.is_none());
        let seen = std::fs::read_to_string(&seen).unwrap();
        assert!(seen.contains("-protocol_whitelist file"), "{seen}");
        assert!(seen.contains("-threads 1"), "{seen}");
        assert!(seen.contains("-f mov -i /tmp/clip.mp4"), "{seen}");
        assert!(
            seen.lines().nth(1) == Some(FFMPEG_MEMORY_KIB.to_string().as_str()),
            "{seen}"
        );
    }

    #[tokio::test]
    async fn a_missing_ffmpeg_means_no_video_thumbnail() {
        let frame = video_frame(
            Path::new("/nonexistent/ffmpeg-for-herald-tests"),
            Path::new("/dev/null"),
            Some(5_000),
            Duration::from_secs(5),
        )
        .await;
        assert!(frame.is_none());
    }

    #[tokio::test]
    async fn ffmpeg_output_is_taken_and_a_hanging_ffmpeg_is_cut_off() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let jpeg = dir.path().join("frame.jpg");
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]));
        DynamicImage::ImageRgb8(img).save(&jpeg).unwrap();
        // Stand-ins for ffmpeg: one prints a JPEG, one never finishes.
        let good = dir.path().join("good-ffmpeg");
        std::fs::write(&good, format!("#!/bin/sh\ncat '{}'\n", jpeg.display())).unwrap();
        let slow = dir.path().join("slow-ffmpeg");
        std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
        for p in [&good, &slow] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let frame = video_frame(&good, Path::new("/dev/null"), None, Duration::from_secs(10))
            .await
            .expect("a frame");
        assert_eq!(frame, std::fs::read(&jpeg).unwrap());
        let started = std::time::Instant::now();
        let none = video_frame(
            &slow,
            Path::new("/dev/null"),
            None,
            Duration::from_millis(300),
        )
        .await;
        assert!(none.is_none());
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

/// Property tests: the decoders see whatever an upload holds; a crafted
/// file is an error, never a panic, and real images keep their aspect.
#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        // Each case decodes an image: fewer cases keep the file quick.
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_image_bytes_never_panic_the_thumbnailer(
            magic in prop::sample::select(vec![
                &b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"[..],
                b"\xFF\xD8\xFF\xC0\x00\x11\x08",
                b"\x89PNG\r\n\x1a\n",
                b"GIF89a",
                b"GIF87a",
                b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                b"RIFF\x00\x00\x00\x00WEBPVP8L",
            ]),
            rest in vec(any::<u8>(), 0..(16 << 10)),
        ) {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("upload");
            let mut bytes = magic.to_vec();
            bytes.extend_from_slice(&rest);
            std::fs::write(&path, &bytes).expect("written");
            if let Ok(thumb) = image_thumbnail(&path) {
                prop_assert!(thumb.jpeg.starts_with(&[0xFF, 0xD8]));
            }
        }

        #[test]
        fn thumbnails_fit_the_box_and_keep_the_aspect(w in 1u32..900, h in 1u32..900) {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("i.png");
            DynamicImage::ImageRgb8(image::RgbImage::new(w, h)).save(&path).expect("saved");
            let thumb = image_thumbnail(&path).expect("a thumbnail");
            let t = image::load_from_memory(&thumb.jpeg).expect("a JPEG");
            prop_assert!(t.width() <= MAX_SIDE && t.height() <= MAX_SIDE);
            if w <= MAX_SIDE && h <= MAX_SIDE {
                prop_assert_eq!((t.width(), t.height()), (w, h));
            } else {
                // The longer side fills the box; the shorter side keeps the
                // aspect to within a pixel (and is never less than one pixel,
                // so a 1×642 sliver becomes 1×320, not 0×320).
                prop_assert_eq!(t.width().max(t.height()), MAX_SIDE);
                let short = f64::from(t.width().min(t.height()));
                let exact = f64::from(MAX_SIDE) * f64::from(w.min(h)) / f64::from(w.max(h));
                prop_assert!(short >= 1.0);
                prop_assert!((short - exact).abs() <= 1.0, "{short} vs {exact}");
            }
        }
    }
}
