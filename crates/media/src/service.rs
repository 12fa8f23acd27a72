//! The media library service.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use herald_accounts::{Authorized, Permission};
use herald_core::WorkspaceId;
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_db::Db;
use herald_db::DbTime;
use herald_platforms::drive::{Drive, DriveFile, FileList};
use herald_platforms::{MediaItem, MediaKind, Secret};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::MediaError;
use crate::model::{ListFilter, Media, MediaId, MediaPage, Origin};
use crate::probe::{self, Format, SNIFF_LEN, Sniffed};
use crate::signing::{SignatureError, UrlSigner, hex};
use crate::storage::{ByteStream, Storage, blob_key, thumbnail_key};
use crate::store::{self, MediaRow};
use crate::thumbnail;

/// The default upload limit: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// How the library is set up.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Herald's external base URL; signed media URLs live under it.
    pub public_url: String,
    /// Keys the signed URLs (derive it from a secret; never the secret).
    pub url_key: Vec<u8>,
    /// Where uploads are written while they arrive. On the storage's file
    /// system for local storage, so storing one is a rename.
    pub temp_dir: PathBuf,
    /// The largest file accepted.
    pub max_bytes: u64,
    /// The `ffmpeg` to take video frames with (None: no video thumbnails).
    pub ffmpeg: Option<PathBuf>,
    /// Thumbnails made at once (image decodes and `ffmpeg` runs): each may
    /// use up to [`thumbnail::MAX_ALLOC`] or an `ffmpeg`'s ceiling, so this
    /// bounds what a burst of uploads can take.
    pub thumbnails_at_once: usize,
    /// Bytes per Drive download request.
    pub drive_chunk: u64,
}

impl MediaConfig {
    /// The defaults: 1 GiB uploads, `ffmpeg` from `PATH` when installed.
    pub fn new(public_url: impl Into<String>, url_key: Vec<u8>, temp_dir: PathBuf) -> MediaConfig {
        MediaConfig {
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            url_key,
            temp_dir,
            max_bytes: DEFAULT_MAX_BYTES,
            ffmpeg: Some(PathBuf::from("ffmpeg")),
            thumbnails_at_once: 2,
            drive_chunk: herald_platforms::drive::CHUNK,
        }
    }
}

/// The media library; cheap to clone.
#[derive(Clone)]
pub struct MediaLibrary {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    signer: UrlSigner,
    config: MediaConfig,
    drive: Option<Drive>,
    /// Permits for thumbnail work ([`MediaConfig::thumbnails_at_once`]).
    thumbnails: tokio::sync::Semaphore,
}

/// A file arriving in the library: its name, the most bytes it may
/// have, where it comes from and what its source said about it.
struct Incoming<'a> {
    filename: &'a str,
    max: u64,
    origin: Origin,
    hints: Option<Hints>,
}

/// What Drive already knows about a file, used when the file itself does
/// not say (a video whose movie header Drive has read but the bytes lack).
#[derive(Debug, Clone, Copy, Default)]
struct Hints {
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<u64>,
}

/// A temporary file removed when dropped (unless storage moved it away).
struct TempFile {
    path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A file name safe to show and to put in a header: no folders, no control
/// characters, at most 200 characters.
fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(200)
        .collect();
    // Dots and spaces in any mix (`". .x"`): no hidden-file name.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if cleaned.is_empty() {
        "untitled".to_owned()
    } else {
        cleaned.to_owned()
    }
}

fn decide(head: &[u8]) -> Result<Format, MediaError> {
    match probe::sniff(head) {
        Sniffed::Supported(format) => Ok(format),
        Sniffed::Unsupported(what) => Err(MediaError::Unsupported(what)),
    }
}

fn kind_str(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
    }
}

fn to_u32(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

impl Media {
    fn from_row(row: MediaRow) -> Option<Media> {
        Some(Media {
            id: MediaId::parse(&row.id)?,
            workspace_id: row.workspace_id,
            sha256: row.sha256,
            storage_key: row.storage_key,
            filename: row.filename,
            mime: row.mime,
            kind: if row.kind == "video" {
                MediaKind::Video
            } else {
                MediaKind::Image
            },
            size: u64::try_from(row.size_bytes).unwrap_or(0),
            width: to_u32(row.width),
            height: to_u32(row.height),
            duration_ms: row.duration_ms.and_then(|d| u64::try_from(d).ok()),
            thumbnail_key: row.thumbnail_key,
            origin: Origin::from_db(&row.source),
            created_by: row.created_by,
            created_at: row.created_at.0,
            deleted_at: row.deleted_at.map(Timestamp::from),
        })
    }
}

fn found(row: Option<MediaRow>) -> Result<Media, MediaError> {
    row.and_then(Media::from_row).ok_or(MediaError::NotFound)
}

impl MediaLibrary {
    /// A library over `storage`; `drive` is None when no Google app is set
    /// up (Drive import is then unavailable).
    pub fn new(
        db: Db,
        storage: Arc<dyn Storage>,
        clock: Arc<dyn Clock>,
        config: MediaConfig,
        drive: Option<Drive>,
    ) -> Result<MediaLibrary, MediaError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&config.temp_dir)?;
        Ok(MediaLibrary {
            inner: Arc::new(Inner {
                db,
                storage,
                clock,
                signer: UrlSigner::new(config.url_key.clone()),
                thumbnails: tokio::sync::Semaphore::new(config.thumbnails_at_once.max(1)),
                config,
                drive,
            }),
        })
    }

    /// The largest file accepted.
    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn max_bytes(&self) -> u64 {
        self.inner.config.max_bytes
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.inner.storage
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    // --- Uploading ------------------------------------------------------------------

    /// Stores an upload: `body` is written to a temporary file while it is
    /// hashed and counted, refused as soon as it passes `max_size` or its
    /// first bytes show a type Herald does not take, then probed,
    /// deduplicated and stored. The same content uploaded again to the
    /// workspace returns the existing media (brought back if deleted).
    /// `declared_mime` is only compared with what the bytes say, for the
    /// log: the probed type is what counts.
    pub async fn upload<S, E>(
        &self,
        auth: &Authorized,
        filename: &str,
        declared_mime: Option<&str>,
        body: S,
        max_size: u64,
    ) -> Result<Media, MediaError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        auth.require(Permission::Draft)?;
        let body = body.map_err(|e| MediaError::Body(e.into()));
        let media = self
            .ingest(
                auth,
                Incoming {
                    filename,
                    max: max_size.min(self.inner.config.max_bytes),
                    origin: Origin::Upload,
                    hints: None,
                },
                body,
            )
            .await?;
        if let Some(declared) = declared_mime
            && !declared.eq_ignore_ascii_case(&media.mime)
            && declared != "application/octet-stream"
        {
            tracing::debug!(declared, probed = %media.mime, media = %media.id, "upload declared another type than its bytes show");
        }
        Ok(media)
    }

    /// Stores `body` as a new media file of the workspace `auth` names
    /// (its permission already checked by the caller).
    async fn ingest<S>(
        &self,
        auth: &Authorized,
        incoming: Incoming<'_>,
        body: S,
    ) -> Result<Media, MediaError>
    where
        S: Stream<Item = Result<Bytes, MediaError>> + Send,
    {
        let (workspace, user) = (auth.workspace(), auth.user());
        let Incoming {
            filename,
            max,
            origin,
            hints,
        } = incoming;
        let mut body = std::pin::pin!(body);
        let temp = TempFile {
            path: self
                .inner
                .config
                .temp_dir
                .join(format!("upload-{}", uuid::Uuid::new_v4().simple())),
        };
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.path)
            .await?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
        let mut format = None;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            if size > max {
                return Err(MediaError::TooLarge { limit: max });
            }
            if format.is_none() {
                let take = (SNIFF_LEN - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == SNIFF_LEN {
                    format = Some(decide(&head)?);
                }
            }
            hasher.update(&chunk);
            // Flushed before the next chunk is read: tokio's file would
            // otherwise still hold this one, and back-pressure is the point.
            file.write_all(&chunk).await?;
            file.flush().await?;
        }
        if size == 0 {
            return Err(MediaError::Empty);
        }
        let format = match format {
            Some(f) => f,
            None => decide(&head)?,
        };
        file.flush().await?;
        drop(file);
        let sha256 = hex(&hasher.finalize());

        if let Some(existing) = store::by_hash(&self.inner.db, workspace, &sha256).await? {
            if existing.deleted_at.is_some() {
                store::restore(&self.inner.db, &existing.id).await?;
            }
            let mut media = found(Some(existing))?;
            media.deleted_at = None;
            return Ok(media);
        }

        let path = temp.path.clone();
        let mut probe = tokio::task::spawn_blocking(move || probe::probe_file(&path, format))
            .await
            .map_err(|e| MediaError::Io(std::io::Error::other(e)))??;
        if format.kind() == MediaKind::Video && !probe.has_moov {
            let hints = hints.unwrap_or_default();
            if hints.duration_ms.is_none() {
                return Err(MediaError::Malformed {
                    format: "MP4 video",
                    reason: "it has no movie header (moov box); export the video again".into(),
                });
            }
            probe.width = probe.width.or(hints.width);
            probe.height = probe.height.or(hints.height);
            probe.duration_ms = hints.duration_ms;
        }
        let thumb = self
            .make_thumbnail(&temp.path, format, size, probe.duration_ms)
            .await;
        let (mut width, mut height) = (probe.width, probe.height);
        if thumb.as_ref().is_some_and(|t| t.quarter_turn) {
            (width, height) = (height, width);
        }

        let key = blob_key(&sha256);
        let storage = &self.inner.storage;
        if !storage.exists(&key).await? {
            storage.put_file(&key, &temp.path, format.mime()).await?;
        }
        let thumbnail = match thumb {
            Some(t) => {
                let tkey = thumbnail_key(&sha256);
                match storage
                    .put_bytes(&tkey, Bytes::from(t.jpeg), "image/jpeg")
                    .await
                {
                    Ok(()) => Some(tkey),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not store a thumbnail");
                        None
                    }
                }
            }
            None => None,
        };

        let row = MediaRow {
            id: MediaId::new().to_string(),
            workspace_id: workspace,
            sha256: sha256.clone(),
            storage_key: key,
            filename: clean_filename(filename),
            mime: format.mime().to_owned(),
            kind: kind_str(format.kind()).to_owned(),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
            width: width.map(i64::from),
            height: height.map(i64::from),
            duration_ms: probe
                .duration_ms
                .map(|d| i64::try_from(d).unwrap_or(i64::MAX)),
            thumbnail_key: thumbnail,
            source: origin.to_db(),
            created_by: Some(user),
            created_at: DbTime(self.now()),
            deleted_at: None,
        };
        match store::insert(&self.inner.db, &row).await {
            Ok(()) => {}
            // The same content arrived twice at once: the first row wins.
            Err(e) if herald_db::is_unique_violation(&e) => {
                return found(store::by_hash(&self.inner.db, workspace, &sha256).await?);
            }
            Err(e) => return Err(herald_db::DbError::from(e).into()),
        }
        let media = found(Some(row))?;
        tracing::info!(media = %media.id, workspace = %workspace, mime = %media.mime, size = media.size, "media stored");
        Ok(media)
    }

    async fn make_thumbnail(
        &self,
        path: &Path,
        format: Format,
        size: u64,
        duration_ms: Option<u64>,
    ) -> Option<thumbnail::ImageThumbnail> {
        // Waits its turn: decoding is where an upload costs memory.
        let _permit = self.inner.thumbnails.acquire().await.ok()?;
        match format.kind() {
            MediaKind::Image if size <= thumbnail::MAX_IMAGE_BYTES => {
                let path = path.to_owned();
                match tokio::task::spawn_blocking(move || thumbnail::image_thumbnail(&path)).await {
                    Ok(Ok(t)) => Some(t),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "could not make an image thumbnail");
                        None
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the thumbnail task failed");
                        None
                    }
                }
            }
            MediaKind::Image => None,
            MediaKind::Video => {
                let ffmpeg = self.inner.config.ffmpeg.as_deref()?;
                let jpeg =
                    thumbnail::video_frame(ffmpeg, path, duration_ms, thumbnail::FFMPEG_TIMEOUT)
                        .await?;
                Some(thumbnail::ImageThumbnail {
                    jpeg,
                    quarter_turn: false,
                })
            }
        }
    }

    // --- Reading --------------------------------------------------------------------

    /// A page of the workspace's live media, newest first.
    pub async fn list(
        &self,
        auth: &Authorized,
        filter: &ListFilter,
    ) -> Result<MediaPage, MediaError> {
        auth.require(Permission::View)?;
        self.page(auth.workspace(), filter).await
    }

    async fn page(
        &self,
        workspace: WorkspaceId,
        filter: &ListFilter,
    ) -> Result<MediaPage, MediaError> {
        let limit = match filter.limit {
            0 => 50,
            n => n.min(200),
        };
        let before = filter.before.map(|b| b.to_string());
        let mut rows = store::list(
            &self.inner.db,
            workspace,
            filter.kind.map(kind_str),
            before.as_deref(),
            i64::from(limit) + 1,
        )
        .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let items: Vec<Media> = rows.into_iter().filter_map(Media::from_row).collect();
        let next = if more {
            items.last().map(|m| m.id)
        } else {
            None
        };
        Ok(MediaPage { items, next })
    }

    /// A live media of the workspace.
    pub async fn get(&self, auth: &Authorized, id: MediaId) -> Result<Media, MediaError> {
        auth.require(Permission::View)?;
        found(store::get(&self.inner.db, auth.workspace(), &id.to_string()).await?)
    }

    /// A media of `workspace`, for a service that acts on the workspace's
    /// behalf without a person (the publishing job: the post it publishes
    /// belongs to the workspace, and it only asks for that post's media).
    pub async fn of_workspace(
        &self,
        workspace: WorkspaceId,
        id: MediaId,
    ) -> Result<Media, MediaError> {
        found(store::get(&self.inner.db, workspace, &id.to_string()).await?)
    }

    /// A media by id alone, deleted or not: for signed URLs and publishers,
    /// whose authority is the signature or the post that uses it.
    pub async fn find(&self, id: MediaId) -> Result<Media, MediaError> {
        found(store::by_id(&self.inner.db, &id.to_string()).await?)
    }

    /// Removes a media from the library (soft: posts that used it keep it,
    /// and its blob may be shared).
    pub async fn delete(&self, auth: &Authorized, id: MediaId) -> Result<(), MediaError> {
        auth.require(Permission::Publish)?;
        let workspace = auth.workspace();
        if store::soft_delete(&self.inner.db, workspace, &id.to_string(), self.now()).await? {
            Ok(())
        } else {
            Err(MediaError::NotFound)
        }
    }

    /// Where a workspace's files are (blobs and thumbnails, of deleted
    /// rows too): taken before the workspace is deleted, for
    /// [`MediaLibrary::drop_unused`] after.
    pub async fn workspace_files(&self, workspace: WorkspaceId) -> Result<Vec<String>, MediaError> {
        Ok(store::workspace_keys(&self.inner.db, workspace).await?)
    }

    /// Deletes the stored files among `keys` that no row uses any more
    /// (blobs are shared between workspaces with the same file); returns
    /// how many went.
    pub async fn drop_unused(&self, keys: &[String]) -> Result<u64, MediaError> {
        let mut dropped = 0;
        for key in keys {
            if !store::key_in_use(&self.inner.db, key).await? {
                self.inner.storage.delete(key).await?;
                dropped += 1;
            }
        }
        Ok(dropped)
    }

    /// Every media of the workspace, live ones, newest first (a data export).
    pub async fn all(&self, workspace: WorkspaceId) -> Result<Vec<Media>, MediaError> {
        let mut out = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .page(
                    workspace,
                    &ListFilter {
                        kind: None,
                        before,
                        limit: 200,
                    },
                )
                .await?;
            out.extend(page.items);
            match page.next {
                Some(next) => before = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// `len` bytes of the media from `offset` (to the end when `None`), as
    /// a stream.
    pub async fn open_range(
        &self,
        media: &Media,
        offset: u64,
        len: Option<u64>,
    ) -> Result<ByteStream, MediaError> {
        if offset >= media.size {
            return Ok(futures_util::stream::empty().boxed());
        }
        let len = len.map(|l| l.min(media.size - offset));
        Ok(self
            .inner
            .storage
            .read_range(&media.storage_key, offset, len)
            .await?)
    }

    /// `len` bytes from `offset` (fewer only at the end) in memory: for
    /// upload chunks of a bounded size.
    pub async fn read(&self, media: &Media, offset: u64, len: u64) -> Result<Vec<u8>, MediaError> {
        let mut stream = self.open_range(media, offset, Some(len)).await?;
        let mut out = Vec::with_capacity(usize::try_from(len.min(64 << 20)).unwrap_or(0));
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    /// The thumbnail JPEG, when the media has one.
    pub async fn thumbnail(&self, media: &Media) -> Result<Option<Vec<u8>>, MediaError> {
        let Some(key) = &media.thumbnail_key else {
            return Ok(None);
        };
        let mut stream = self.inner.storage.read_range(key, 0, None).await?;
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(Some(out))
    }

    // --- Signed URLs ----------------------------------------------------------------

    /// `{public}/media/{id}?exp=…&sig=…`, valid for `ttl`.
    pub fn signed_url(&self, media: &Media, ttl: SignedDuration) -> String {
        let exp = (self.now() + ttl).as_second();
        let id = media.id.to_string();
        format!(
            "{}/media/{id}?{}",
            self.inner.config.public_url,
            self.inner.signer.query(&id, exp)
        )
    }

    /// Checks a signed URL's `exp` and `sig` for media `id` now.
    pub fn verify(&self, id: &str, exp: i64, sig: &str) -> Result<(), SignatureError> {
        self.inner
            .signer
            .verify(id, exp, sig, self.now().as_second())
    }

    /// The media as a publisher takes it, with a URL valid for `ttl`.
    pub fn item(&self, media: &Media, ttl: SignedDuration) -> MediaItem {
        MediaItem {
            id: media.id.to_string(),
            kind: media.kind,
            mime: media.mime.clone(),
            size: media.size,
            width: media.width,
            height: media.height,
            duration_ms: media.duration_ms,
            url: self.signed_url(media, ttl),
        }
    }

    // --- Google Drive ---------------------------------------------------------------

    fn drive(&self) -> Result<&Drive, MediaError> {
        self.inner
            .drive
            .as_ref()
            .ok_or(MediaError::DriveUnavailable)
    }

    /// Whether Drive import is set up.
    pub fn drive_available(&self) -> bool {
        self.inner.drive.is_some()
    }

    /// A page of the images and videos the Google token can see.
    pub async fn drive_files(
        &self,
        token: &Secret,
        page_token: Option<&str>,
        search: Option<&str>,
    ) -> Result<FileList, MediaError> {
        Ok(self.drive()?.list(token, page_token, search).await?)
    }

    /// Imports Drive file `file_id`: streamed from Drive in ranged parts
    /// through the same path as an upload (never whole in memory).
    pub async fn import_from_drive(
        &self,
        auth: &Authorized,
        token: &Secret,
        file_id: &str,
    ) -> Result<Media, MediaError> {
        auth.require(Permission::Draft)?;
        let drive = self.drive()?;
        let file: DriveFile = drive.get(token, file_id).await?;
        if file.is_google_native() {
            return Err(MediaError::NotDownloadable(format!(
                "“{}” is a Google Docs, Sheets or Slides file, not an image or video",
                file.name
            )));
        }
        if !file.can_download {
            return Err(MediaError::NotDownloadable(format!(
                "the owner of “{}” does not allow downloading it",
                file.name
            )));
        }
        let max = self.inner.config.max_bytes;
        if file.size.is_some_and(|s| s > max) {
            return Err(MediaError::TooLarge { limit: max });
        }
        let download = drive
            .download(token, &file.id)
            .with_chunk(self.inner.config.drive_chunk);
        let body = futures_util::stream::try_unfold(download, |mut d| async move {
            match d.next_chunk().await {
                Ok(Some(chunk)) => Ok(Some((Bytes::from(chunk), d))),
                Ok(None) => Ok(None),
                Err(e) if e.code.as_deref() == Some("fileNotDownloadable") => {
                    Err(MediaError::NotDownloadable(e.message))
                }
                Err(e) => Err(MediaError::from(e)),
            }
        });
        let hints = Hints {
            width: file.width,
            height: file.height,
            duration_ms: file.duration_ms,
        };
        self.ingest(
            auth,
            Incoming {
                filename: &file.name,
                max,
                origin: Origin::Drive(file.id.clone()),
                hints: Some(hints),
            },
            body,
        )
        .await
    }
}

/// Publishers read media bytes through the library (TikTok file uploads,
/// YouTube resumable uploads).
#[async_trait]
impl herald_platforms::MediaSource for MediaLibrary {
    async fn read(&self, item: &MediaItem, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        let id = MediaId::parse(&item.id)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not a media id"))?;
        let media = self.find(id).await.map_err(io_error)?;
        MediaLibrary::read(self, &media, offset, len)
            .await
            .map_err(io_error)
    }
}

fn io_error(e: MediaError) -> std::io::Error {
    match e {
        MediaError::NotFound => std::io::Error::new(std::io::ErrorKind::NotFound, e),
        MediaError::Io(io) => io,
        other => std::io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_filename("C:\\Users\\me\\cat.jpg"), "cat.jpg");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\nb\u{0}c.png"), "abc.png");
        assert_eq!(clean_filename("  "), "untitled");
        assert_eq!(clean_filename(".hidden"), "hidden");
        assert_eq!(clean_filename(&"x".repeat(500)).len(), 200);
    }
}

/// Property tests: whatever name a client sends with an upload, the kept
/// name is a plain, visible, bounded base name.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn uploaded_file_names_are_cleaned_to_a_visible_base_name(
            name in prop_oneof![
                ".{0,300}",
                "[ ./\\\\a-z\t\n\u{0}\u{202e}]{0,40}",
                "[a-z/]{0,4}[ .\t]{1,8}[a-z]{0,4}",
            ],
        ) {
            let clean = clean_filename(&name);
            prop_assert!(!clean.is_empty());
            prop_assert!(clean.chars().count() <= 200);
            prop_assert!(!clean.contains(['/', '\\', '"', '<', '>']));
            prop_assert!(!clean.chars().any(char::is_control));
            prop_assert!(!clean.starts_with('.'), "{:?} -> {:?}", name, clean);
            prop_assert_eq!(clean.trim(), clean.as_str());
        }
    }

    /// Found by the property above: dots and spaces after one another
    /// left a leading dot.
    #[test]
    fn dots_and_spaces_in_any_mix_leave_no_hidden_name() {
        assert_eq!(clean_filename(". .x"), "x");
        assert_eq!(clean_filename(" . . "), "untitled");
    }
}
