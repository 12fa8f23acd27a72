//! A small reader of ISO base media files (MP4, MOV): walks the top-level
//! boxes to find `moov` wherever it is (files not prepared for streaming
//! keep it at the end), then reads the duration from `mvhd` and the size of
//! the video track from its `tkhd` (or its sample description), with the
//! track matrix's quarter turns applied. Nothing else of the file is read.

use std::io::{Read, Seek, SeekFrom};

/// What the movie header says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MovieInfo {
    /// False when the file has no `moov` box (not playable as it is).
    pub has_moov: bool,
    pub has_video: bool,
    pub duration_ms: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BoxError {
    #[error("reading the file failed")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Malformed(&'static str),
}

/// A `moov` larger than this is not a real one (they are kilobytes to a few
/// megabytes even for hours of video).
const MAX_MOOV: u64 = 64 << 20;
/// Top-level boxes looked at before giving up.
const MAX_TOP_BOXES: usize = 10_000;

/// Reads the movie information of the file in `r` (`len` bytes long).
pub fn read_movie<R: Read + Seek>(r: &mut R, len: u64) -> Result<MovieInfo, BoxError> {
    let mut pos = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if pos + 8 > len {
            break;
        }
        r.seek(SeekFrom::Start(pos))?;
        let mut header = [0u8; 8];
        r.read_exact(&mut header)?;
        let size32 = u32::from_be_bytes(header[0..4].try_into().expect("4 bytes"));
        let kind = &header[4..8];
        let (size, header_len) = match size32 {
            0 => (len - pos, 8),
            1 => {
                // A cut-off header is the file's fault, not the disk's.
                if len - pos < 16 {
                    return Err(BoxError::Malformed("a truncated box header"));
                }
                let mut large = [0u8; 8];
                r.read_exact(&mut large)?;
                (u64::from_be_bytes(large), 16)
            }
            n => (u64::from(n), 8),
        };
        // A 64-bit size can be anything: checked, so a huge one cannot
        // wrap around to an earlier box.
        let end = pos
            .checked_add(size)
            .filter(|end| size >= header_len && *end <= len)
            .ok_or(BoxError::Malformed("a box runs past the end of the file"))?;
        if kind == b"moov" {
            let body = size - header_len;
            if body > MAX_MOOV {
                return Err(BoxError::Malformed("the movie header is implausibly large"));
            }
            let mut moov = vec![0u8; body as usize];
            r.read_exact(&mut moov)?;
            let mut info = parse_moov(&moov)?;
            info.has_moov = true;
            return Ok(info);
        }
        pos = end;
    }
    Ok(MovieInfo::default())
}

/// Boxes as `(type, body)`.
type Boxes<'a> = Vec<([u8; 4], &'a [u8])>;

/// The child boxes of a box body.
fn children(mut data: &[u8]) -> Result<Boxes<'_>, BoxError> {
    let mut out = Vec::new();
    while data.len() >= 8 {
        let size32 = u32::from_be_bytes(data[0..4].try_into().expect("4 bytes"));
        let kind: [u8; 4] = data[4..8].try_into().expect("4 bytes");
        let (size, header) = match size32 {
            0 => (data.len() as u64, 8usize),
            1 => {
                let large = data
                    .get(8..16)
                    .ok_or(BoxError::Malformed("a truncated box header"))?;
                (u64::from_be_bytes(large.try_into().expect("8 bytes")), 16)
            }
            n => (u64::from(n), 8),
        };
        let size = usize::try_from(size).map_err(|_| BoxError::Malformed("a box too large"))?;
        if size < header || size > data.len() {
            return Err(BoxError::Malformed("a box runs past its parent"));
        }
        out.push((kind, &data[header..size]));
        data = &data[size..];
    }
    Ok(out)
}

fn child<'a>(boxes: &[([u8; 4], &'a [u8])], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes.iter().find(|(k, _)| k == kind).map(|(_, b)| *b)
}

fn be_u16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be_u32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(d: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

fn be_i32(d: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn parse_moov(moov: &[u8]) -> Result<MovieInfo, BoxError> {
    let boxes = children(moov)?;
    let mut info = MovieInfo::default();
    if let Some(mvhd) = child(&boxes, b"mvhd") {
        info.duration_ms = mvhd_duration(mvhd);
    }
    for (_, trak) in boxes.iter().filter(|(k, _)| k == b"trak") {
        let parts = children(trak)?;
        let Some(mdia) = child(&parts, b"mdia") else {
            continue;
        };
        let mdia_parts = children(mdia)?;
        let is_video = child(&mdia_parts, b"hdlr")
            .and_then(|h| h.get(8..12))
            .is_some_and(|t| t == b"vide");
        if !is_video {
            continue;
        }
        info.has_video = true;
        let tkhd = child(&parts, b"tkhd").and_then(tkhd_geometry);
        let (mut w, mut h, quarter_turn) = tkhd.unwrap_or((0, 0, false));
        if w == 0 || h == 0 {
            // Some writers leave the track header's size at zero; the
            // sample description always has the coded size.
            if let Some((sw, sh)) = sample_entry_size(&mdia_parts)? {
                (w, h) = (sw, sh);
            }
        }
        if w > 0 && h > 0 {
            if quarter_turn {
                (w, h) = (h, w);
            }
            info.width = Some(w);
            info.height = Some(h);
        }
        if info.duration_ms.is_none() {
            info.duration_ms = child(&mdia_parts, b"mdhd").and_then(mvhd_duration);
        }
        break;
    }
    Ok(info)
}

/// Duration in ms from an `mvhd` or `mdhd` body (same layout up to there).
fn mvhd_duration(b: &[u8]) -> Option<u64> {
    let version = *b.first()?;
    let (timescale, duration) = if version == 1 {
        (be_u32(b, 20)?, be_u64(b, 24)?)
    } else {
        (be_u32(b, 12)?, u64::from(be_u32(b, 16)?))
    };
    // All ones means "unknown" (fragmented files).
    let unknown = duration == u64::MAX || (version == 0 && duration == u64::from(u32::MAX));
    if timescale == 0 || unknown {
        return None;
    }
    // Saturated, not truncated: a crafted 64-bit duration must not wrap
    // to a short one and slip under a platform's length limit.
    let ms = u128::from(duration) * 1000 / u128::from(timescale);
    Some(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Width, height (16.16 fixed point, integer part) and whether the matrix
/// turns the picture by a quarter (portrait phone video).
fn tkhd_geometry(b: &[u8]) -> Option<(u32, u32, bool)> {
    let version = *b.first()?;
    // version+flags 4, times and ids 20 (v0) or 32 (v1), then reserved 8,
    // layer 2, alternate group 2, volume 2, reserved 2: the matrix.
    let matrix = if version == 1 {
        4 + 32 + 16
    } else {
        4 + 20 + 16
    };
    let a = be_i32(b, matrix)?;
    let bb = be_i32(b, matrix + 4)?;
    let c = be_i32(b, matrix + 12)?;
    let d = be_i32(b, matrix + 16)?;
    let width = be_u32(b, matrix + 36)? >> 16;
    let height = be_u32(b, matrix + 40)? >> 16;
    let quarter_turn = a == 0 && d == 0 && bb != 0 && c != 0;
    Some((width, height, quarter_turn))
}

/// The coded size in the first visual sample entry (`minf/stbl/stsd`).
fn sample_entry_size(mdia_parts: &[([u8; 4], &[u8])]) -> Result<Option<(u32, u32)>, BoxError> {
    let Some(minf) = child(mdia_parts, b"minf") else {
        return Ok(None);
    };
    let Some(stbl) = child(&children(minf)?, b"stbl") else {
        return Ok(None);
    };
    let Some(stsd) = child(&children(stbl)?, b"stsd") else {
        return Ok(None);
    };
    // version+flags 4, entry count 4, then the first entry: size 4, type 4,
    // reserved 6, data reference 2, pre-defined/reserved 16, width, height.
    let entry = 8;
    Ok(be_u16(stsd, entry + 32)
        .zip(be_u16(stsd, entry + 34))
        .map(|(w, h)| (u32::from(w), u32::from(h))))
}

/// Builds MP4 files box by box, for tests here and in other crates.
pub mod build {
    /// A box of `kind` around `body`.
    pub fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() + 8);
        out.extend_from_slice(&(body.len() as u32 + 8).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// A version-0 `mvhd` with this timescale and duration.
    pub fn mvhd(timescale: u32, duration: u32) -> Vec<u8> {
        let mut b = vec![0u8; 4 + 8];
        b.extend_from_slice(&timescale.to_be_bytes());
        b.extend_from_slice(&duration.to_be_bytes());
        b.resize(100, 0);
        boxed(b"mvhd", &b)
    }

    /// A version-0 `tkhd` of `width`×`height`, turned a quarter when
    /// `rotated`.
    pub fn tkhd(width: u32, height: u32, rotated: bool) -> Vec<u8> {
        let mut b = vec![0u8; 4 + 20 + 16];
        let one = 0x0001_0000i32;
        let matrix: [i32; 9] = if rotated {
            [0, one, 0, -one, 0, 0, 0, 0, 0x4000_0000]
        } else {
            [one, 0, 0, 0, one, 0, 0, 0, 0x4000_0000]
        };
        for v in matrix {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b.extend_from_slice(&(width << 16).to_be_bytes());
        b.extend_from_slice(&(height << 16).to_be_bytes());
        boxed(b"tkhd", &b)
    }

    /// An `hdlr` of `handler` (`vide`, `soun`).
    pub fn hdlr(handler: &[u8; 4]) -> Vec<u8> {
        let mut b = vec![0u8; 8];
        b.extend_from_slice(handler);
        b.extend_from_slice(&[0u8; 13]);
        boxed(b"hdlr", &b)
    }

    /// A track of `handler` with a track header.
    pub fn trak(handler: &[u8; 4], width: u32, height: u32, rotated: bool) -> Vec<u8> {
        let mdia = boxed(b"mdia", &hdlr(handler));
        let mut body = tkhd(width, height, rotated);
        body.extend_from_slice(&mdia);
        boxed(b"trak", &body)
    }

    /// A small MP4: `ftyp`, `moov` (after `mdat` when `moov_last`) with an
    /// audio and a video track, and `payload` bytes of `mdat`.
    pub fn mp4(
        width: u32,
        height: u32,
        duration_ms: u32,
        rotated: bool,
        moov_last: bool,
        payload: usize,
    ) -> Vec<u8> {
        let mut ftyp = b"isom".to_vec();
        ftyp.extend_from_slice(&0x200u32.to_be_bytes());
        ftyp.extend_from_slice(b"isomiso2avc1mp41");
        let ftyp = boxed(b"ftyp", &ftyp);
        let mut moov = mvhd(1000, duration_ms);
        moov.extend_from_slice(&trak(b"soun", 0, 0, false));
        moov.extend_from_slice(&trak(b"vide", width, height, rotated));
        let moov = boxed(b"moov", &moov);
        let mdat = boxed(
            b"mdat",
            &(0..payload)
                .map(|i| (i * 31 % 251) as u8)
                .collect::<Vec<_>>(),
        );
        let mut out = ftyp;
        if moov_last {
            out.extend_from_slice(&mdat);
            out.extend_from_slice(&moov);
        } else {
            out.extend_from_slice(&moov);
            out.extend_from_slice(&mdat);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::build::*;
    use super::*;

    fn read(bytes: &[u8]) -> MovieInfo {
        read_movie(&mut Cursor::new(bytes), bytes.len() as u64).unwrap()
    }

    #[test]
    fn reads_duration_and_video_size_wherever_the_moov_is() {
        for moov_last in [false, true] {
            let info = read(&mp4(1920, 1080, 15_500, false, moov_last, 5_000));
            assert_eq!(
                info,
                MovieInfo {
                    has_moov: true,
                    has_video: true,
                    duration_ms: Some(15_500),
                    width: Some(1920),
                    height: Some(1080),
                }
            );
        }
    }

    #[test]
    fn a_quarter_turned_track_is_reported_upright() {
        let info = read(&mp4(1920, 1080, 3_000, true, false, 10));
        assert_eq!((info.width, info.height), (Some(1080), Some(1920)));
    }

    #[test]
    fn sizes_fall_back_to_the_sample_description() {
        // stsd: version/flags, one entry: size, avc1, reserved, dref, 16
        // bytes, width 640, height 360.
        let mut entry = vec![0u8; 8 + 6 + 2 + 16];
        entry.extend_from_slice(&640u16.to_be_bytes());
        entry.extend_from_slice(&360u16.to_be_bytes());
        let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd.extend_from_slice(&entry);
        let stbl = boxed(b"stbl", &boxed(b"stsd", &stsd));
        let minf = boxed(b"minf", &stbl);
        let mut mdia = hdlr(b"vide");
        mdia.extend_from_slice(&minf);
        let mut trak = tkhd(0, 0, false);
        trak.extend_from_slice(&boxed(b"mdia", &mdia));
        let mut moov = mvhd(600, 1200);
        moov.extend_from_slice(&boxed(b"trak", &trak));
        let mut file = boxed(b"ftyp", b"mp42\0\0\0\0mp42");
        file.extend_from_slice(&boxed(b"moov", &moov));
        let info = read(&file);
        assert_eq!(info.duration_ms, Some(2_000));
        assert_eq!((info.width, info.height), (Some(640), Some(360)));
    }

    #[test]
    fn files_without_moov_or_video_say_so() {
        let mut file = boxed(b"ftyp", b"isom\0\0\x02\0isom");
        file.extend_from_slice(&boxed(b"mdat", &[0u8; 100]));
        assert_eq!(read(&file), MovieInfo::default());
        let mut audio = boxed(b"ftyp", b"isom\0\0\x02\0isom");
        let mut moov = mvhd(1000, 500);
        moov.extend_from_slice(&trak(b"soun", 0, 0, false));
        audio.extend_from_slice(&boxed(b"moov", &moov));
        let info = read(&audio);
        assert!(info.has_moov && !info.has_video);
    }

    #[test]
    fn truncated_and_lying_boxes_are_errors_not_panics() {
        let file = mp4(320, 240, 1_000, false, true, 50);
        for cut in [9, 30, file.len() - 3] {
            let _ = read_movie(&mut Cursor::new(&file[..cut]), cut as u64);
        }
        let mut liar = boxed(b"ftyp", b"isom\0\0\0\0");
        liar.extend_from_slice(&u32::MAX.to_be_bytes());
        liar.extend_from_slice(b"moov");
        assert!(read_movie(&mut Cursor::new(&liar), liar.len() as u64).is_err());
        // A moov whose child claims more than its parent holds.
        let mut bad = boxed(b"ftyp", b"isom\0\0\0\0");
        let mut inner = 200u32.to_be_bytes().to_vec();
        inner.extend_from_slice(b"mvhd");
        bad.extend_from_slice(&boxed(b"moov", &inner));
        assert!(read_movie(&mut Cursor::new(&bad), bad.len() as u64).is_err());
    }
}

/// Property tests: any bytes at all are read without a panic and with
/// bounded work, and the files the builder makes give back their size and
/// duration.
#[cfg(test)]
mod props {
    use std::io::Cursor;

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::build::*;
    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    fn read(bytes: &[u8]) -> Result<MovieInfo, BoxError> {
        read_movie(&mut Cursor::new(bytes), bytes.len() as u64)
    }

    /// A box header with a size that may lie: 0 (to the end), 1 (a 64-bit
    /// size follows), small, exact or huge.
    fn header() -> impl Strategy<Value = Vec<u8>> {
        let kind = prop::sample::select(vec![
            *b"ftyp", *b"moov", *b"mdat", *b"free", *b"trak", *b"mvhd", *b"tkhd", *b"mdia",
            *b"hdlr", *b"minf", *b"stbl", *b"stsd", *b"mdhd", *b"wide",
        ]);
        let size = prop_oneof![
            Just(0u32),
            Just(1u32),
            0u32..64,
            Just(u32::MAX),
            any::<u32>(),
        ];
        let large = prop_oneof![Just(u64::MAX), Just(u64::MAX - 7), 0u64..256, any::<u64>()];
        (size, kind, large).prop_map(|(size, kind, large)| {
            let mut h = size.to_be_bytes().to_vec();
            h.extend_from_slice(&kind);
            if size == 1 {
                h.extend_from_slice(&large.to_be_bytes());
            }
            h
        })
    }

    /// Well-formed boxes, lying box headers and loose bytes, in any order:
    /// the well-formed ones move the reader on to the lies.
    fn boxy_bytes() -> impl Strategy<Value = Vec<u8>> {
        let good = (
            prop::sample::select(vec![*b"ftyp", *b"free", *b"mdat", *b"wide", *b"skip"]),
            vec(any::<u8>(), 0..64),
        )
            .prop_map(|(kind, body)| boxed(&kind, &body));
        vec(
            prop_oneof![3 => good, 2 => header(), 1 => vec(any::<u8>(), 0..16)],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    /// A valid file with bytes changed or cut: near misses.
    fn damaged_mp4() -> impl Strategy<Value = Vec<u8>> {
        (
            1u32..8192,
            1u32..8192,
            any::<u32>(),
            any::<bool>(),
            any::<bool>(),
            vec((any::<Index>(), any::<u8>()), 0..6),
            any::<Index>(),
        )
            .prop_map(|(w, h, d, rotated, last, changes, cut)| {
                let mut file = mp4(w, h, d, rotated, last, 64);
                for (at, byte) in changes {
                    let i = at.index(file.len());
                    file[i] = byte;
                }
                let keep = file.len() - cut.index(file.len() / 4 + 1);
                file.truncate(keep);
                file
            })
    }

    /// Found by `arbitrary_bytes_never_panic_the_box_reader`: a 64-bit
    /// size after the first box overflowed `pos + size` (a panic in debug
    /// builds; in release it wrapped and sent the reader back to the start).
    #[test]
    fn a_64_bit_box_size_that_would_wrap_is_malformed() {
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
        file.extend_from_slice(&1u32.to_be_bytes());
        file.extend_from_slice(b"free");
        file.extend_from_slice(&(u64::MAX - 7).to_be_bytes());
        assert!(matches!(read(&file), Err(BoxError::Malformed(_))));
    }

    #[test]
    fn a_cut_off_64_bit_box_header_is_malformed_not_an_io_error() {
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
        file.extend_from_slice(&1u32.to_be_bytes());
        file.extend_from_slice(b"mdat\0\0\0");
        assert!(matches!(read(&file), Err(BoxError::Malformed(_))));
    }

    #[test]
    fn an_absurd_64_bit_duration_saturates_instead_of_wrapping() {
        // Version 1: 2^63 ticks of a 1 Hz clock is more milliseconds than
        // a u64 holds; truncated it would read as a short video.
        let mut mvhd = vec![1u8, 0, 0, 0];
        mvhd.extend_from_slice(&[0u8; 16]);
        mvhd.extend_from_slice(&1u32.to_be_bytes());
        mvhd.extend_from_slice(&(1u64 << 63).to_be_bytes());
        assert_eq!(mvhd_duration(&mvhd), Some(u64::MAX));
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn arbitrary_bytes_never_panic_the_box_reader(
            bytes in prop_oneof![vec(any::<u8>(), 0..(64 << 10)), boxy_bytes(), damaged_mp4()],
        ) {
            match read(&bytes) {
                Ok(info) => {
                    prop_assert!(info.has_moov || info == MovieInfo::default());
                    prop_assert!(info.width.is_some() == info.height.is_some());
                }
                // Whatever is wrong with the bytes is the file's fault:
                // nothing is read past the end.
                Err(e) => prop_assert!(matches!(e, BoxError::Malformed(_)), "{e:?}"),
            }
        }

        #[test]
        fn arbitrary_bytes_inside_a_moov_never_panic(body in prop_oneof![
            vec(any::<u8>(), 0..4096),
            boxy_bytes(),
        ]) {
            let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
            file.extend_from_slice(&boxed(b"moov", &body));
            let info = read(&file);
            if let Ok(info) = info {
                prop_assert!(info.has_moov);
            }
        }

        #[test]
        fn generated_mp4s_give_back_their_size_and_duration(
            width in 1u32..=65_535,
            height in 1u32..=65_535,
            duration_ms in 0u32..u32::MAX,
            rotated in any::<bool>(),
            moov_last in any::<bool>(),
            payload in 0usize..4096,
        ) {
            let info = read(&mp4(width, height, duration_ms, rotated, moov_last, payload))
                .expect("a valid file");
            let (w, h) = if rotated { (height, width) } else { (width, height) };
            prop_assert_eq!(info, MovieInfo {
                has_moov: true,
                has_video: true,
                duration_ms: Some(u64::from(duration_ms)),
                width: Some(w),
                height: Some(h),
            });
        }

        #[test]
        fn a_longer_64_bit_duration_never_reads_shorter(
            timescale in prop_oneof![1u32..=1000, 1u32..=u32::MAX],
            a in any::<u64>(),
            b in any::<u64>(),
        ) {
            let v1 = |duration: u64| {
                let mut b = vec![1u8, 0, 0, 0];
                b.extend_from_slice(&[0u8; 16]);
                b.extend_from_slice(&timescale.to_be_bytes());
                b.extend_from_slice(&duration.to_be_bytes());
                b
            };
            let (short, long) = (a.min(b), a.max(b));
            prop_assume!(long != u64::MAX);
            prop_assert!(mvhd_duration(&v1(short)) <= mvhd_duration(&v1(long)));
        }

        #[test]
        fn durations_are_exact_for_any_timescale(
            timescale in 1u32..=u32::MAX,
            duration in 0u32..u32::MAX,
        ) {
            let mut moov = mvhd(timescale, duration);
            moov.extend_from_slice(&trak(b"vide", 16, 9, false));
            let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
            file.extend_from_slice(&boxed(b"moov", &moov));
            let info = read(&file).expect("a valid file");
            prop_assert_eq!(
                info.duration_ms,
                Some(u64::from(duration) * 1000 / u64::from(timescale))
            );
        }
    }
}
