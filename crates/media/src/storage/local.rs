//! Media in a local folder: each object is written to a temporary file in
//! the folder, flushed to disk, then renamed into place (and the folder
//! flushed), so a crash leaves either the whole object or none.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{ByteStream, Storage, StorageError, check_key};

/// Bytes read from disk per chunk of a read stream.
const CHUNK: usize = 256 << 10;

/// A folder of media objects.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        path: path.to_owned(),
        source,
    }
}

impl LocalStorage {
    /// Uses (and creates) the folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> Result<LocalStorage, StorageError> {
        let root = root.into();
        for dir in [root.clone(), root.join(".tmp")] {
            create_private_dir(&dir).map_err(io_err(&dir))?;
        }
        Ok(LocalStorage { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A folder on the same file system for uploads in progress, so that
    /// storing a finished upload is a rename, not a copy.
    pub fn incoming_dir(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    fn temp_path(&self) -> PathBuf {
        self.root
            .join(".tmp")
            .join(uuid::Uuid::new_v4().simple().to_string())
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Flushes `tmp`, renames it to `dest` and flushes `dest`'s folder.
fn commit(tmp: &Path, dest: &Path) -> Result<(), StorageError> {
    let parent = dest.parent().expect("a key has a folder");
    create_private_dir(parent).map_err(io_err(parent))?;
    fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io_err(tmp))?;
    fs::rename(tmp, dest).map_err(io_err(dest))?;
    fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(io_err(parent))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StorageError::Io {
            path: PathBuf::new(),
            source: std::io::Error::other(e),
        })?
}

#[async_trait]
impl Storage for LocalStorage {
    async fn put_file(
        &self,
        key: &str,
        file: &Path,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let dest = self.path(key)?;
        let tmp = self.temp_path();
        let file = file.to_owned();
        blocking(move || {
            // A rename when the upload sits on the same file system; a copy
            // otherwise.
            if fs::rename(&file, &tmp).is_err() {
                fs::copy(&file, &tmp).map_err(io_err(&tmp))?;
                let _ = fs::remove_file(&file);
            }
            let done = commit(&tmp, &dest);
            if done.is_err() {
                let _ = fs::remove_file(&tmp);
            }
            done
        })
        .await
    }

    async fn put_bytes(
        &self,
        key: &str,
        data: Bytes,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let dest = self.path(key)?;
        let tmp = self.temp_path();
        blocking(move || {
            let written = fs::File::create(&tmp)
                .and_then(|mut f| f.write_all(&data))
                .map_err(io_err(&tmp))
                .and_then(|()| commit(&tmp, &dest));
            if written.is_err() {
                let _ = fs::remove_file(&tmp);
            }
            written
        })
        .await
    }

    async fn read_range(
        &self,
        key: &str,
        offset: u64,
        len: Option<u64>,
    ) -> Result<ByteStream, StorageError> {
        let path = self.path(key)?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::NotFound(key.to_owned()));
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        if offset > 0 {
            file.seek(std::io::SeekFrom::Start(offset))
                .await
                .map_err(io_err(&path))?;
        }
        let remaining = len.unwrap_or(u64::MAX);
        let stream = futures_util::stream::try_unfold(
            (file, remaining),
            |(mut file, remaining)| async move {
                if remaining == 0 {
                    return Ok(None);
                }
                let want = usize::try_from(remaining).unwrap_or(usize::MAX).min(CHUNK);
                let mut buf = vec![0u8; want];
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.truncate(n);
                Ok(Some((Bytes::from(buf), (file, remaining - n as u64))))
            },
        );
        Ok(stream.boxed())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let path = self.path(key)?;
        tokio::fs::try_exists(&path).await.map_err(io_err(&path))
    }

    fn describe(&self) -> String {
        format!("local folder {}", self.root.display())
    }
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;

    use super::*;

    async fn read_all(s: &LocalStorage, key: &str, offset: u64, len: Option<u64>) -> Vec<u8> {
        let chunks: Vec<Bytes> = s
            .read_range(key, offset, len)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        chunks.concat()
    }

    #[tokio::test]
    async fn objects_are_moved_in_and_read_back_in_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStorage::new(dir.path().join("media")).unwrap();
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let src = dir.path().join("upload");
        fs::write(&src, &data).unwrap();
        s.put_file("blobs/aa/bb/x", &src, "video/mp4")
            .await
            .unwrap();
        assert!(!src.exists(), "the upload was moved, not copied");
        assert!(s.exists("blobs/aa/bb/x").await.unwrap());
        assert_eq!(read_all(&s, "blobs/aa/bb/x", 0, None).await, data);
        assert_eq!(
            read_all(&s, "blobs/aa/bb/x", 299_990, Some(20)).await,
            data[299_990..300_010]
        );
        assert_eq!(
            read_all(&s, "blobs/aa/bb/x", 599_990, Some(100)).await,
            data[599_990..]
        );
        assert!(
            read_all(&s, "blobs/aa/bb/x", 700_000, None)
                .await
                .is_empty()
        );
        // Nothing is left behind in the temporary folder.
        assert_eq!(
            fs::read_dir(dir.path().join("media/.tmp")).unwrap().count(),
            0
        );

        s.put_bytes("thumbs/t.jpg", Bytes::from_static(b"jpeg"), "image/jpeg")
            .await
            .unwrap();
        assert_eq!(read_all(&s, "thumbs/t.jpg", 0, None).await, b"jpeg");
        s.delete("thumbs/t.jpg").await.unwrap();
        s.delete("thumbs/t.jpg").await.unwrap();
        assert!(!s.exists("thumbs/t.jpg").await.unwrap());
        assert!(matches!(
            s.read_range("thumbs/t.jpg", 0, None).await,
            Err(StorageError::NotFound(_))
        ));
        assert!(matches!(
            s.read_range("../escape", 0, None).await,
            Err(StorageError::InvalidKey(_))
        ));
    }
}
