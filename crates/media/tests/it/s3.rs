//! `S3Storage` against a real S3-compatible server (`.ci/s3-server` starts
//! one on loopback). Ignored unless asked for (`--ignored s3`); then it
//! needs `HERALD_TEST_S3_ENDPOINT`, and with `CI=true` a missing server is
//! a failure, never a skip.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use herald_db::testing::TestDb;
use herald_media::{S3Config, S3Storage, Storage, StorageError};

use crate::helpers::*;

/// The server from the environment: `HERALD_TEST_S3_ENDPOINT` (e.g.
/// `http://127.0.0.1:9000`), `HERALD_TEST_S3_BUCKET` (default
/// `herald-test`), `HERALD_TEST_S3_REGION` (`us-east-1`),
/// `HERALD_TEST_S3_ACCESS_KEY_ID` / `HERALD_TEST_S3_SECRET_ACCESS_KEY`
/// (`test` / `test`).
fn config() -> Option<S3Config> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(endpoint) = var("HERALD_TEST_S3_ENDPOINT") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "HERALD_TEST_S3_ENDPOINT is not set: the S3 tests need a server \
                 (start one with .ci/s3-server)"
            );
        }
        eprintln!(
            "skipped: HERALD_TEST_S3_ENDPOINT is not set (start a server with .ci/s3-server)"
        );
        return None;
    };
    Some(S3Config {
        endpoint: Some(endpoint),
        bucket: var("HERALD_TEST_S3_BUCKET").unwrap_or_else(|| "herald-test".into()),
        region: var("HERALD_TEST_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id: Some(var("HERALD_TEST_S3_ACCESS_KEY_ID").unwrap_or_else(|| "test".into())),
        secret_access_key: Some(
            var("HERALD_TEST_S3_SECRET_ACCESS_KEY").unwrap_or_else(|| "test".into()),
        ),
        path_style: true,
    })
}

async fn read_all(s: &S3Storage, key: &str, offset: u64, len: Option<u64>) -> Vec<u8> {
    let parts: Vec<Bytes> = s
        .read_range(key, offset, len)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    parts.concat()
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set HERALD_TEST_S3_ENDPOINT and pass --ignored s3"]
async fn s3_storage_uploads_in_parts_and_reads_ranges() {
    let Some(config) = config() else { return };
    let s = S3Storage::new(&config).unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let dir = tempfile::tempdir().unwrap();

    // 20 MiB: above the multipart threshold, three parts.
    let data: Vec<u8> = (0..20u32 << 20).map(|i| (i % 251) as u8).collect();
    let path = dir.path().join("big");
    std::fs::write(&path, &data).unwrap();
    let key = format!("tests/{run}/big");
    assert!(!s.exists(&key).await.unwrap());
    s.put_file(&key, &path, "video/mp4").await.unwrap();
    assert!(s.exists(&key).await.unwrap());
    assert_eq!(read_all(&s, &key, 0, None).await, data);
    let mid = (8 << 20) - 3;
    assert_eq!(
        read_all(&s, &key, mid, Some(100)).await,
        data[mid as usize..mid as usize + 100]
    );
    let tail = data.len() as u64 - 10;
    assert_eq!(read_all(&s, &key, tail, None).await, data[tail as usize..]);

    // A small object in one PUT.
    let small = format!("tests/{run}/thumb.jpg");
    s.put_bytes(&small, Bytes::from_static(b"\xFF\xD8tiny"), "image/jpeg")
        .await
        .unwrap();
    assert_eq!(read_all(&s, &small, 2, Some(4)).await, b"tiny");

    for k in [&key, &small] {
        s.delete(k).await.unwrap();
        assert!(!s.exists(k).await.unwrap());
    }
    s.delete(&key).await.unwrap();
    assert!(matches!(
        s.read_range(&key, 0, None).await,
        Err(StorageError::NotFound(_))
    ));
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set HERALD_TEST_S3_ENDPOINT and pass --ignored s3"]
async fn s3_backed_library_stores_and_serves_uploads() {
    let Some(config) = config() else { return };
    let storage = Arc::new(S3Storage::new(&config).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let temp = dir.path().join("incoming");
    let lib = TestLib::on(
        TestDb::sqlite().await,
        dir,
        storage.clone(),
        temp.clone(),
        temp,
        |_| {},
        None,
    )
    .await;
    // Unique content per run, so the bucket's earlier runs do not matter.
    let seed = rand::random::<u8>() | 1;
    let bytes = png(300, 200, seed);
    let media = lib.upload(lib.workspace, "s3.png", &bytes).await.unwrap();
    assert!(storage.exists(&media.storage_key).await.unwrap());
    assert_eq!(
        lib.media.read(&media, 0, bytes.len() as u64).await.unwrap(),
        bytes
    );
    let thumb = lib
        .media
        .thumbnail(&media)
        .await
        .unwrap()
        .expect("a thumbnail");
    assert!(thumb.starts_with(&[0xFF, 0xD8]));
    let again = lib
        .upload(lib.workspace, "again.png", &bytes)
        .await
        .unwrap();
    assert_eq!(again.id, media.id);
    storage.delete(&media.storage_key).await.unwrap();
    storage
        .delete(media.thumbnail_key.as_deref().unwrap())
        .await
        .unwrap();
}
