//! Uploads, deduplication, refusals, listing, signed URLs and reads, on
//! both engines.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::StreamExt;
use herald_core::SignedDuration;
use herald_db::on_both_backends;
use herald_db::testing::TestDb;
use herald_media::isobmff::build;
use herald_media::signing::SignatureError;
use herald_media::{ListFilter, MediaError, MediaId, Origin};
use herald_platforms::{MediaKind, MediaSource};
use sha2::{Digest, Sha256};

use crate::helpers::*;

const MB: usize = 1 << 20;

/// A 20 MB MP4 (movie header first, then one big `mdat`) made chunk by chunk
/// as it is read: the test never holds it whole either.
fn generated_mp4_chunk(i: usize, header: &[u8], total: usize, chunk: usize) -> Option<Vec<u8>> {
    let start = i * chunk;
    if start >= total {
        return None;
    }
    let end = (start + chunk).min(total);
    Some(
        (start..end)
            .map(|pos| {
                if pos < header.len() {
                    header[pos]
                } else {
                    (pos % 253) as u8
                }
            })
            .collect(),
    )
}

async fn uploads_stream_to_disk_as_chunks_arrive(t: TestDb) {
    let lib = TestLib::new(t).await;
    let total = 20 * MB;
    let chunk = 256 << 10;
    // ftyp + moov, then an mdat header announcing the rest of the file.
    let mut header = build::mp4(1080, 1920, 61_000, false, false, 0);
    header.truncate(header.len() - 8);
    header.extend_from_slice(&((total - header.len()) as u32).to_be_bytes());
    header.extend_from_slice(b"mdat");

    let polled = Arc::new(AtomicUsize::new(0));
    let temp_dir = lib.temp_dir.clone();
    let seen = polled.clone();
    let hdr = header.clone();
    let body = futures_util::stream::iter(0..)
        .map(move |i| {
            // Before chunk i is handed over, the i chunks before it must
            // already be in the temporary file: nothing waits in memory.
            let on_disk: u64 = files_under(&temp_dir)
                .iter()
                .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
                .sum();
            assert_eq!(on_disk, (i * chunk).min(total) as u64, "before chunk {i}");
            seen.fetch_add(1, Ordering::SeqCst);
            generated_mp4_chunk(i, &hdr, total, chunk)
        })
        .take_while(|c| std::future::ready(c.is_some()))
        .map(|c| Ok::<_, std::io::Error>(Bytes::from(c.unwrap())));

    let media = lib
        .media
        .upload(
            &lib.auth(lib.workspace).await,
            "clips/tour.mp4",
            Some("video/mp4"),
            body,
            lib.media.max_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(polled.load(Ordering::SeqCst), total / chunk + 1);
    assert_eq!(media.size, total as u64);
    assert_eq!(media.kind, MediaKind::Video);
    assert_eq!(media.mime, "video/mp4");
    assert_eq!(media.filename, "tour.mp4");
    assert_eq!(media.duration_ms, Some(61_000));
    assert_eq!((media.width, media.height), (Some(1080), Some(1920)));
    assert_eq!(media.origin, Origin::Upload);
    assert_eq!(media.thumbnail_key, None, "no ffmpeg, no video thumbnail");
    let mut sha = Sha256::new();
    let mut i = 0;
    while let Some(c) = generated_mp4_chunk(i, &header, total, chunk) {
        sha.update(&c);
        i += 1;
    }
    let hex: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(media.sha256, hex);
    // The temporary file became the blob: nothing is left behind.
    assert!(files_under(&lib.temp_dir).is_empty());
    let blob = lib.media_dir.join(&media.storage_key);
    assert_eq!(std::fs::metadata(&blob).unwrap().len(), total as u64);

    // Ranges read back as written, also across the storage's chunks.
    let at = 5 * MB as u64 - 10;
    let part = lib.media.read(&media, at, 300_000).await.unwrap();
    let expected: Vec<u8> = (at as usize..at as usize + 300_000)
        .map(|p| (p % 253) as u8)
        .collect();
    assert_eq!(part, expected);
    let tail = lib.media.read(&media, total as u64 - 5, 100).await.unwrap();
    assert_eq!(tail.len(), 5);
    assert!(
        lib.media
            .read(&media, total as u64, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_same_content_is_one_media_per_workspace_and_one_blob(t: TestDb) {
    let lib = TestLib::new(t).await;
    let bytes = png(64, 48, 7);
    let first = lib.upload(lib.workspace, "a.png", &bytes).await.unwrap();
    let again = lib.upload(lib.workspace, "b.png", &bytes).await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.filename, "a.png");
    let elsewhere = lib
        .upload(lib.other_workspace, "c.png", &bytes)
        .await
        .unwrap();
    assert_ne!(elsewhere.id, first.id);
    assert_eq!(elsewhere.storage_key, first.storage_key);
    assert_eq!(lib.media_rows().await, 2);
    let blobs: Vec<_> = files_under(&lib.media_dir.join("blobs"));
    assert_eq!(blobs.len(), 1, "{blobs:?}");

    // A deleted media disappears from its workspace only…
    lib.media
        .delete(&lib.auth(lib.workspace).await, first.id)
        .await
        .unwrap();
    assert!(matches!(
        lib.media
            .get(&lib.auth(lib.workspace).await, first.id)
            .await,
        Err(MediaError::NotFound)
    ));
    assert!(matches!(
        lib.media
            .delete(&lib.auth(lib.workspace).await, first.id)
            .await,
        Err(MediaError::NotFound)
    ));
    assert!(
        lib.media
            .list(&lib.auth(lib.workspace).await, &ListFilter::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        lib.media
            .get(&lib.auth(lib.other_workspace).await, elsewhere.id)
            .await
            .is_ok()
    );
    // …and is another workspace's media to nobody.
    assert!(matches!(
        lib.media
            .get(&lib.auth(lib.other_workspace).await, first.id)
            .await,
        Err(MediaError::NotFound)
    ));
    // Uploading it again brings the same media back.
    let back = lib.upload(lib.workspace, "d.png", &bytes).await.unwrap();
    assert_eq!(back.id, first.id);
    assert_eq!(back.deleted_at, None);
    assert!(
        lib.media
            .get(&lib.auth(lib.workspace).await, first.id)
            .await
            .is_ok()
    );
}

async fn unsupported_oversized_and_broken_files_store_nothing(t: TestDb) {
    let lib = TestLib::new(t).await;
    let polled = Arc::new(AtomicUsize::new(0));
    let counting = |parts: Vec<Vec<u8>>, polled: Arc<AtomicUsize>| {
        futures_util::stream::iter(parts).map(move |p| {
            polled.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(Bytes::from(p))
        })
    };

    // A PDF is refused after its first chunk; the rest is never read.
    let mut pdf = vec![b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec()];
    pdf.extend((0..50).map(|_| vec![0u8; 64 << 10]));
    let err = lib
        .media
        .upload(
            &lib.auth(lib.workspace).await,
            "doc.pdf",
            Some("image/png"),
            counting(pdf, polled.clone()),
            u64::MAX,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::Unsupported(w) if w.contains("PDF")),
        "{err}"
    );
    assert_eq!(err.code(), "media_unsupported");
    assert_eq!(polled.swap(0, Ordering::SeqCst), 1);

    // Too large: refused as soon as the count passes the limit.
    let mut big = vec![png(32, 32, 1)];
    big.extend((0..20).map(|_| vec![0u8; MB]));
    let err = lib
        .media
        .upload(
            &lib.auth(lib.workspace).await,
            "big.png",
            None,
            counting(big, polled.clone()),
            5 * MB as u64,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { limit } if limit == 5 * MB as u64));
    assert_eq!(err.code(), "media_too_large");
    assert!(polled.load(Ordering::SeqCst) <= 7, "{polled:?}");

    // Empty, truncated, and a video without its movie header.
    assert!(matches!(
        lib.upload(lib.workspace, "empty.png", b"").await,
        Err(MediaError::Empty)
    ));
    let truncated = png(40, 40, 3)[..20].to_vec();
    assert!(matches!(
        lib.upload(lib.workspace, "cut.png", &truncated).await,
        Err(MediaError::Malformed { .. })
    ));
    let mut no_moov = build::boxed(b"ftyp", b"isom\0\0\x02\0isomavc1");
    no_moov.extend_from_slice(&build::boxed(b"mdat", &[7u8; 5000]));
    let err = lib
        .upload(lib.workspace, "raw.mp4", &no_moov)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::Malformed { reason, .. } if reason.contains("moov")),
        "{err}"
    );

    assert_eq!(lib.media_rows().await, 0);
    assert!(
        files_under(&lib.media_dir).is_empty(),
        "{:?}",
        files_under(&lib.media_dir)
    );
}

async fn images_get_upright_thumbnails(t: TestDb) {
    let lib = TestLib::new(t).await;
    let jpeg = image_bytes(image::ImageFormat::Jpeg, 1000, 600, 9);
    let media = lib.upload(lib.workspace, "photo.jpg", &jpeg).await.unwrap();
    assert_eq!(media.mime, "image/jpeg");
    assert_eq!((media.width, media.height), (Some(1000), Some(600)));
    let thumb = lib
        .media
        .thumbnail(&media)
        .await
        .unwrap()
        .expect("a thumbnail");
    let decoded = image::load_from_memory(&thumb).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (320, 192));
    for (format, mime) in [
        (image::ImageFormat::WebP, "image/webp"),
        (image::ImageFormat::Gif, "image/gif"),
    ] {
        let m = lib
            .upload(lib.workspace, "x", &image_bytes(format, 50, 20, 4))
            .await
            .unwrap();
        assert_eq!(m.mime, mime);
        assert!(m.thumbnail_key.is_some());
    }
}

async fn listing_pages_newest_first_and_filters_by_kind(t: TestDb) {
    let lib = TestLib::new(t).await;
    let mut ids = Vec::new();
    for seed in 0..3u8 {
        ids.push(
            lib.upload(lib.workspace, "i.png", &png(8, 8, seed + 1))
                .await
                .unwrap()
                .id,
        );
        lib.clock.advance(SignedDuration::from_secs(1));
    }
    for d in 0..2u32 {
        let mp4 = build::mp4(640, 360, 1_000 + d, false, false, 100);
        ids.push(lib.upload(lib.workspace, "v.mp4", &mp4).await.unwrap().id);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut before: Option<MediaId> = None;
    loop {
        let page = lib
            .media
            .list(
                &lib.auth(lib.workspace).await,
                &ListFilter {
                    kind: None,
                    before,
                    limit: 2,
                },
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|m| m.id));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let videos = lib
        .media
        .list(
            &lib.auth(lib.workspace).await,
            &ListFilter {
                kind: Some(MediaKind::Video),
                ..ListFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(videos.items.len(), 2);
    assert!(videos.items.iter().all(|m| m.kind == MediaKind::Video));
    assert!(videos.next.is_none());
    assert!(
        lib.media
            .list(&lib.auth(lib.other_workspace).await, &ListFilter::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn signed_urls_work_until_they_expire(t: TestDb) {
    let lib = TestLib::new(t).await;
    let media = lib
        .upload(lib.workspace, "s.png", &png(20, 10, 5))
        .await
        .unwrap();
    let url = lib.media.signed_url(&media, SignedDuration::from_mins(30));
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(parsed.path(), format!("/media/{}", media.id));
    assert!(url.starts_with("https://herald.example/media/"));
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    let exp: i64 = q["exp"].parse().unwrap();
    assert_eq!(exp, start().as_second() + 1800);
    let id = media.id.to_string();
    assert_eq!(lib.media.verify(&id, exp, &q["sig"]), Ok(()));
    assert_eq!(
        lib.media.verify(&id, exp + 1, &q["sig"]),
        Err(SignatureError::Invalid)
    );
    lib.clock.advance(SignedDuration::from_mins(30));
    assert_eq!(
        lib.media.verify(&id, exp, &q["sig"]),
        Err(SignatureError::Expired)
    );

    let item = lib.media.item(&media, SignedDuration::from_mins(5));
    assert_eq!(item.id, id);
    assert_eq!(item.kind, MediaKind::Image);
    assert_eq!(item.mime, "image/png");
    assert_eq!(
        (item.width, item.height, item.size),
        (Some(20), Some(10), media.size)
    );
    assert!(item.url.contains("&sig="));
}

async fn publishers_read_ranges_through_the_media_source(t: TestDb) {
    let lib = TestLib::new(t).await;
    let mp4 = build::mp4(320, 240, 2_000, false, true, 300_000);
    let media = lib.upload(lib.workspace, "v.mp4", &mp4).await.unwrap();
    let item = lib.media.item(&media, SignedDuration::from_mins(5));
    let source: &dyn MediaSource = &lib.media;
    assert_eq!(source.read(&item, 0, 100).await.unwrap(), mp4[..100]);
    assert_eq!(
        source.read(&item, 262_144, 262_144).await.unwrap(),
        mp4[262_144..]
    );
    // Deleted media stay readable for posts already using them.
    lib.media
        .delete(&lib.auth(lib.workspace).await, media.id)
        .await
        .unwrap();
    assert_eq!(source.read(&item, 10, 5).await.unwrap(), mp4[10..15]);
    let mut unknown = item.clone();
    unknown.id = MediaId::new().to_string();
    assert_eq!(
        source.read(&unknown, 0, 1).await.unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
}

/// The proof a method takes carries the role: a viewer may look at the
/// library but not add to it or remove from it.
async fn a_viewer_may_look_but_not_change_the_library(t: TestDb) {
    let lib = TestLib::new(t).await;
    let kept = lib
        .upload(lib.workspace, "a.png", &png(8, 8, 1))
        .await
        .unwrap();
    let (viewer, own) = user_and_workspace(&lib.db.db, "vic@example.com").await;
    herald_db::on_pool!(&lib.db.db, |pool| {
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'viewer', 0)",
        )
        .bind(lib.workspace)
        .bind(viewer)
        .execute(pool)
        .await
        .unwrap();
    });
    let view = herald_accounts::shared::authorize(
        &lib.db.db,
        viewer,
        lib.workspace,
        herald_accounts::Permission::View,
    )
    .await
    .unwrap();
    assert_eq!(lib.media.get(&view, kept.id).await.unwrap().id, kept.id);
    let forbidden = |r: Result<_, MediaError>| {
        matches!(
            r,
            Err(MediaError::Access(herald_accounts::AccountError::Forbidden))
        )
    };
    assert!(forbidden(lib.media.delete(&view, kept.id).await));
    assert!(forbidden(
        lib.media
            .upload(&view, "b.png", None, chunks(&png(8, 8, 2), 1024), 1 << 20)
            .await
            .map(|_| ())
    ));
    assert!(lib.media.get(&view, kept.id).await.is_ok());
    assert_eq!(lib.media_rows().await, 1);
    // Their own workspace's proof finds nothing of this one.
    let theirs = herald_accounts::shared::authorize(
        &lib.db.db,
        viewer,
        own,
        herald_accounts::Permission::View,
    )
    .await
    .unwrap();
    assert!(matches!(
        lib.media.get(&theirs, kept.id).await,
        Err(MediaError::NotFound)
    ));
}

async fn a_burst_of_uploads_makes_at_most_two_thumbnails_at_once(t: TestDb) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // A stand-in ffmpeg that notes how many copies of it run at once (each
    // holds a lock folder for a moment; the highest count is kept).
    let script = dir.path().join("ffmpeg");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nd='{0}'\nmkdir \"$d/run.$$\"\nn=$(ls -d \"$d\"/run.* | wc -l)\n\
             echo $n >> \"$d/counts\"\nsleep 0.3\nrmdir \"$d/run.$$\"\nexit 1\n",
            dir.path().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let lib = Arc::new(TestLib::with(t, |c| c.ffmpeg = Some(script.clone()), None).await);
    let uploads: Vec<_> = (0..6u32)
        .map(|n| {
            let lib = lib.clone();
            tokio::spawn(async move {
                let video = build::mp4(640 + n, 360, 5_000, false, false, 2048);
                lib.upload(lib.workspace, &format!("clip-{n}.mp4"), &video)
                    .await
                    .unwrap()
            })
        })
        .collect();
    for u in uploads {
        u.await.unwrap();
    }
    let counts = std::fs::read_to_string(dir.path().join("counts")).unwrap();
    let most: usize = counts
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .max()
        .unwrap();
    assert_eq!(counts.lines().count(), 6, "every video got its turn");
    assert!(most <= 2, "{most} ffmpeg runs at once: {counts}");
}

on_both_backends!(
    a_burst_of_uploads_makes_at_most_two_thumbnails_at_once,
    a_viewer_may_look_but_not_change_the_library,
    uploads_stream_to_disk_as_chunks_arrive,
    the_same_content_is_one_media_per_workspace_and_one_blob,
    unsupported_oversized_and_broken_files_store_nothing,
    images_get_upright_thumbnails,
    listing_pages_newest_first_and_filters_by_kind,
    signed_urls_work_until_they_expire,
    publishers_read_ranges_through_the_media_source,
);
