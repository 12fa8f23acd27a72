//! Writing a ZIP archive from async code without holding it in memory: a
//! blocking thread owns the [`zip::ZipWriter`] over a temporary file and
//! takes entries through a bounded channel, so a media file streamed from
//! storage passes through in chunks.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use tokio::sync::mpsc;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

enum Piece {
    /// Starts an entry; `compress`: deflate (JSON) or store (media, which
    /// is compressed already).
    Entry {
        name: String,
        compress: bool,
    },
    Bytes(Vec<u8>),
}

/// An archive being written to a file.
pub struct ArchiveWriter {
    tx: mpsc::Sender<Piece>,
    task: tokio::task::JoinHandle<Result<u64, String>>,
}

impl ArchiveWriter {
    /// Starts writing an archive into `file` (created or truncated).
    pub fn create(file: &Path) -> Result<ArchiveWriter, String> {
        let out = File::create(file).map_err(|e| e.to_string())?;
        let (tx, mut rx) = mpsc::channel::<Piece>(16);
        let task = tokio::task::spawn_blocking(move || {
            let mut zip = zip::ZipWriter::new(out);
            let mut open = false;
            while let Some(piece) = rx.blocking_recv() {
                match piece {
                    Piece::Entry { name, compress } => {
                        let options = SimpleFileOptions::default()
                            .compression_method(if compress {
                                CompressionMethod::Deflated
                            } else {
                                CompressionMethod::Stored
                            })
                            .large_file(true)
                            .unix_permissions(0o644);
                        zip.start_file(name, options).map_err(|e| e.to_string())?;
                        open = true;
                    }
                    Piece::Bytes(bytes) if open => {
                        zip.write_all(&bytes).map_err(|e| e.to_string())?;
                    }
                    Piece::Bytes(_) => return Err("bytes before the first entry".to_owned()),
                }
            }
            let mut file = zip.finish().map_err(|e| e.to_string())?;
            file.flush().map_err(|e| e.to_string())?;
            file.sync_all().map_err(|e| e.to_string())?;
            Ok(file.metadata().map_err(|e| e.to_string())?.len())
        });
        Ok(ArchiveWriter { tx, task })
    }

    async fn send(&self, piece: Piece) -> Result<(), String> {
        self.tx
            .send(piece)
            .await
            .map_err(|_| "the archive writer stopped".to_owned())
    }

    /// Starts the entry `name` (a path inside the archive).
    pub async fn entry(&self, name: &str, compress: bool) -> Result<(), String> {
        self.send(Piece::Entry {
            name: name.to_owned(),
            compress,
        })
        .await
    }

    /// Appends to the current entry.
    pub async fn write(&self, bytes: impl Into<Vec<u8>>) -> Result<(), String> {
        self.send(Piece::Bytes(bytes.into())).await
    }

    /// A whole JSON document as one entry, pretty-printed.
    pub async fn json(&self, name: &str, value: &serde_json::Value) -> Result<(), String> {
        let text = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
        self.entry(name, true).await?;
        self.write(text).await
    }

    /// Finishes the archive; its size in bytes.
    pub async fn finish(self) -> Result<u64, String> {
        drop(self.tx);
        self.task.await.map_err(|e| e.to_string())?
    }
}

/// A file name safe inside an archive: no folders, no control characters,
/// nothing that climbs out (`..`), at most 100 characters.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[tokio::test]
    async fn entries_written_in_pieces_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let w = ArchiveWriter::create(&path).unwrap();
        w.json(
            "account.json",
            &serde_json::json!({"email": "ann@example.com"}),
        )
        .await
        .unwrap();
        w.entry("media/photo.jpg", false).await.unwrap();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for chunk in big.chunks(65_536) {
            w.write(chunk.to_vec()).await.unwrap();
        }
        let size = w.finish().await.unwrap();
        assert_eq!(size, std::fs::metadata(&path).unwrap().len());

        let mut zip = zip::ZipArchive::new(File::open(&path).unwrap()).unwrap();
        let mut json = String::new();
        zip.by_name("account.json")
            .unwrap()
            .read_to_string(&mut json)
            .unwrap();
        assert!(json.contains("ann@example.com"));
        let mut photo = Vec::new();
        zip.by_name("media/photo.jpg")
            .unwrap()
            .read_to_end(&mut photo)
            .unwrap();
        assert_eq!(photo, big);
    }

    #[test]
    fn names_cannot_climb_out_or_hide() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("..."), "file");
        assert_eq!(safe_name("a\u{0}b\nc.jpg"), "a_b_c.jpg");
        assert_eq!(safe_name("Sommer Fest.MOV"), "Sommer Fest.MOV");
        assert_eq!(safe_name(&"x".repeat(300)).len(), 100);
    }
}
