//! A library over a test database and a temporary folder, with a manual
//! clock, a user and two workspaces; media files made in the test.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use herald_accounts::{Authorized, Permission};
use herald_core::{ManualClock, Timestamp};
use herald_core::{UserId, WorkspaceId};
use herald_db::testing::TestDb;
use herald_db::{Db, on_pool};
use herald_media::{LocalStorage, MediaConfig, MediaLibrary, Storage};
use herald_platforms::drive::Drive;

pub const URL_KEY: &[u8] = b"test media url key";
pub const PUBLIC: &str = "https://herald.example";

pub fn start() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub struct TestLib {
    pub media: MediaLibrary,
    pub clock: Arc<ManualClock>,
    pub user: UserId,
    pub workspace: WorkspaceId,
    pub other_workspace: WorkspaceId,
    pub media_dir: PathBuf,
    pub temp_dir: PathBuf,
    pub db: TestDb,
    _dir: tempfile::TempDir,
}

/// A user and a workspace, made with SQL (the accounts service is not
/// what these tests are about).
pub async fn user_and_workspace(db: &Db, email: &str) -> (UserId, WorkspaceId) {
    let now = 0i64;
    let user: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ($1, 'x', $2, $3) RETURNING id",
        )
        .bind(email)
        .bind(now)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap()
    });
    let workspace = workspace(db, email).await;
    join(db, UserId(user), workspace).await;
    (UserId(user), workspace)
}

/// Makes `user` an owner of `workspace`.
pub async fn join(db: &Db, user: UserId, workspace: WorkspaceId) {
    on_pool!(db, |pool| {
        sqlx::query(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', 0)",
        )
        .bind(workspace)
        .bind(user)
        .execute(pool)
        .await
        .unwrap();
    });
}

pub async fn workspace(db: &Db, name: &str) -> WorkspaceId {
    let id: i64 = on_pool!(db, |pool| {
        sqlx::query_scalar("INSERT INTO workspaces (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(0i64)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    WorkspaceId(id)
}

impl TestLib {
    pub async fn new(db: TestDb) -> TestLib {
        TestLib::with(db, |_| {}, None).await
    }

    /// A library whose configuration `adjust` may change, on local storage.
    pub async fn with(
        db: TestDb,
        adjust: impl FnOnce(&mut MediaConfig),
        drive: Option<Drive>,
    ) -> TestLib {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path().join("media")).unwrap();
        let media_dir = storage.root().to_owned();
        let temp_dir = storage.incoming_dir();
        TestLib::on(
            db,
            dir,
            Arc::new(storage),
            media_dir,
            temp_dir,
            adjust,
            drive,
        )
        .await
    }

    pub async fn on(
        db: TestDb,
        dir: tempfile::TempDir,
        storage: Arc<dyn Storage>,
        media_dir: PathBuf,
        temp_dir: PathBuf,
        adjust: impl FnOnce(&mut MediaConfig),
        drive: Option<Drive>,
    ) -> TestLib {
        let clock = Arc::new(ManualClock::new(start()));
        let (user, workspace) = user_and_workspace(&db.db, "ida@example.com").await;
        let other_workspace = self::workspace(&db.db, "other").await;
        join(&db.db, user, other_workspace).await;
        let mut config = MediaConfig::new(PUBLIC, URL_KEY.to_vec(), temp_dir.clone());
        config.ffmpeg = None;
        adjust(&mut config);
        let media =
            MediaLibrary::new(db.db.clone(), storage, clock.clone(), config, drive).unwrap();
        TestLib {
            media,
            clock,
            user,
            workspace,
            other_workspace,
            media_dir,
            temp_dir,
            db,
            _dir: dir,
        }
    }

    /// The user's proof of membership in `workspace` (they own both).
    pub async fn auth(&self, workspace: WorkspaceId) -> Authorized {
        herald_accounts::shared::authorize(&self.db.db, self.user, workspace, Permission::View)
            .await
            .unwrap()
    }

    /// Uploads `bytes` in 64 KiB chunks with the default limit.
    pub async fn upload(
        &self,
        workspace: WorkspaceId,
        name: &str,
        bytes: &[u8],
    ) -> Result<herald_media::Media, herald_media::MediaError> {
        self.media
            .upload(
                &self.auth(workspace).await,
                name,
                None,
                chunks(bytes, 64 << 10),
                self.media.max_bytes(),
            )
            .await
    }

    pub async fn media_rows(&self) -> i64 {
        on_pool!(&self.db.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM media")
                .fetch_one(pool)
                .await
                .unwrap()
        })
    }
}

/// Files under `dir` (recursively), hidden folders' contents included.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// `bytes` as a stream of `size`-byte chunks.
pub fn chunks(
    bytes: &[u8],
    size: usize,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let parts: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures_util::stream::iter(parts)
}

/// An encoded image of `w`×`h` with a pattern seeded by `seed`.
pub fn image_bytes(format: image::ImageFormat, w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(seed),
            (y as u8).wrapping_add(seed),
            seed,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    image_bytes(image::ImageFormat::Png, w, h, seed)
}
