//! Wiring of the media library: the storage (the local folder or an S3
//! bucket), the signing key of media URLs (derived from the session secret
//! with its own label, so the secret itself signs nothing here), and Google
//! Drive through the Google app's hosts (the sandbox's when no Google app
//! is configured).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use herald_core::Clock;
use herald_db::Db;
use herald_media::{LocalStorage, MediaConfig, MediaLibrary, S3Config, S3Storage, Storage};
use herald_platforms::drive::Drive;
use herald_platforms::{ClientOptions, PlatformClient};
use secrecy::ExposeSecret;

use crate::config::{Config, MediaStore};

/// Uploads left behind by a crash are removed after this long.
const STALE_UPLOAD: Duration = Duration::from_secs(24 * 3600);

/// Builds the media library from the configuration.
pub fn build(config: &Config, db: Db, clock: Arc<dyn Clock>) -> anyhow::Result<MediaLibrary> {
    let secret = config
        .session_secret
        .as_ref()
        .context("the session secret is missing")?;
    let url_key =
        herald_accounts::secret::sign(secret.expose_secret().as_bytes(), "herald media url v1")
            .into_bytes();
    let (storage, temp_dir): (Arc<dyn Storage>, _) = match &config.media_store {
        MediaStore::Local(dir) => {
            let local = LocalStorage::new(dir).with_context(|| {
                format!(
                    "could not prepare the media folder {} (HERALD_MEDIA_DIR)",
                    dir.display()
                )
            })?;
            let temp = local.incoming_dir();
            (Arc::new(local), temp)
        }
        MediaStore::S3(s3) => {
            let storage = S3Storage::new(&S3Config {
                endpoint: s3.endpoint.clone(),
                bucket: s3.bucket.clone(),
                region: s3.region.clone(),
                access_key_id: s3.access_key_id.clone(),
                secret_access_key: s3
                    .secret_access_key
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned()),
                path_style: s3.path_style,
            })
            .context("invalid S3 settings (HERALD_S3_*)")?;
            (Arc::new(storage), config.data_dir.join("media-incoming"))
        }
    };
    // Uploads older than a day: what a crash mid-upload left.
    remove_stale(&temp_dir, "upload-", STALE_UPLOAD);
    let mut media_config = MediaConfig::new(config.public_url.clone(), url_key, temp_dir);
    media_config.max_bytes = config.media_max_bytes;
    let drive = match crate::platforms::platforms_config(config).youtube {
        Some(google) => {
            // Parts of a download are 8 MiB: give each more time than an
            // API call gets.
            let client = PlatformClient::new(
                clock.clone(),
                ClientOptions {
                    request_timeout: Duration::from_secs(300),
                    ..ClientOptions::default()
                },
            )
            .context("could not set up the HTTP client for Google Drive")?;
            Some(Drive::new(client, google.hosts))
        }
        None => None,
    };
    tracing::debug!(storage = %storage.describe(), "media library");
    MediaLibrary::new(db, storage, clock, media_config, drive)
        .context("could not prepare the media library's folder for uploads")
}

/// Deletes what a crash left in `dir`: entries named `prefix…` (files or
/// folders) not touched for longer than `age`.
pub(crate) fn remove_stale(dir: &Path, prefix: &str, age: Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > age);
        if old && entry.file_name().to_string_lossy().starts_with(prefix) {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
        }
    }
}
