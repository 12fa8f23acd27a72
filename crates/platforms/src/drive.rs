//! Google Drive v3, for importing media: listing the images and videos a
//! connected Google account can see, and downloading one in ranged parts.
//!
//! Every call goes through [`PlatformClient`] with Google's error dialect.
//! A download is a sequence of `Range` GETs of [`CHUNK`] bytes
//! ([`Download::next_chunk`]), so memory holds one part at a time, however
//! large the file, and a failed part is retried alone.

use serde::Deserialize;

use crate::client::{Call, Method, PlatformClient};
use crate::youtube::GoogleDialect;
use crate::{ErrorKind, Hosts, PlatformError, ProviderId, Secret};

/// Drive calls count against the Google (YouTube) provider's gates, in
/// their own bucket.
const PROVIDER: ProviderId = ProviderId::YouTube;
const DIALECT: GoogleDialect = GoogleDialect(PROVIDER);
const HOST: &str = "www.googleapis.com";
const BUCKET: &str = "drive";

/// Bytes per download request.
pub const CHUNK: u64 = 8 << 20;

/// The fields asked for each file (Drive's defaults are minimal).
const FILE_FIELDS: &str = "id,name,mimeType,size,modifiedTime,capabilities/canDownload,\
     imageMediaMetadata(width,height),videoMediaMetadata(width,height,durationMillis)";

/// A file in Drive, as Herald needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DriveFile {
    pub id: String,
    pub name: String,
    pub mime_type: String,
    /// None for Google Docs files, which have no bytes of their own.
    pub size: Option<u64>,
    pub modified_time: Option<String>,
    pub can_download: bool,
    /// What Drive read from the file, when it did.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
}

impl DriveFile {
    /// Google Docs, Sheets, … exist only inside Google and cannot be
    /// downloaded as they are.
    pub fn is_google_native(&self) -> bool {
        self.mime_type.starts_with("application/vnd.google-apps.")
    }
}

/// One page of a listing.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileList {
    pub files: Vec<DriveFile>,
    pub next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawList {
    #[serde(default)]
    files: Vec<RawFile>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFile {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    mime_type: String,
    size: Option<String>,
    modified_time: Option<String>,
    capabilities: Option<RawCapabilities>,
    image_media_metadata: Option<RawDims>,
    video_media_metadata: Option<RawVideo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCapabilities {
    can_download: Option<bool>,
}

#[derive(Deserialize)]
struct RawDims {
    width: Option<u32>,
    height: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawVideo {
    width: Option<u32>,
    height: Option<u32>,
    duration_millis: Option<String>,
}

impl From<RawFile> for DriveFile {
    fn from(f: RawFile) -> DriveFile {
        let (width, height, duration_ms) = match (&f.image_media_metadata, &f.video_media_metadata)
        {
            (_, Some(v)) => (
                v.width,
                v.height,
                v.duration_millis.as_deref().and_then(|d| d.parse().ok()),
            ),
            (Some(i), None) => (i.width, i.height, None),
            (None, None) => (None, None, None),
        };
        DriveFile {
            id: f.id,
            name: f.name,
            mime_type: f.mime_type,
            size: f.size.as_deref().and_then(|s| s.parse().ok()),
            modified_time: f.modified_time,
            can_download: f.capabilities.and_then(|c| c.can_download).unwrap_or(true),
            width,
            height,
            duration_ms,
        }
    }
}

/// A string for a Drive query literal: `\` and `'` escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The Drive `q` for images and videos not in the trash, optionally with
/// `search` in their name.
pub fn media_query(search: Option<&str>) -> String {
    let mut q = String::from(
        "(mimeType contains 'image/' or mimeType contains 'video/') and trashed = false",
    );
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        q.push_str(" and name contains ");
        q.push_str(&quote(s));
    }
    q
}

/// The Drive API of one deployment (real Google or the sandbox).
#[derive(Clone)]
pub struct Drive {
    client: PlatformClient,
    hosts: Hosts,
}

impl Drive {
    pub fn new(client: PlatformClient, hosts: Hosts) -> Drive {
        Drive { client, hosts }
    }

    fn files_url(&self, id: Option<&str>) -> String {
        match id {
            None => self.hosts.url(HOST, "/drive/v3/files"),
            Some(id) => self
                .hosts
                .url(HOST, &format!("/drive/v3/files/{}", path_segment(id))),
        }
    }

    /// One page of the images and videos the token can see, newest first,
    /// optionally only those with `search` in their name.
    pub async fn list(
        &self,
        token: &Secret,
        page_token: Option<&str>,
        search: Option<&str>,
    ) -> Result<FileList, PlatformError> {
        let mut call = Call::new(
            PROVIDER,
            "drive.files_list",
            Method::Get,
            self.files_url(None),
        )
        .bearer(token)
        .bucket(BUCKET)
        .query("q", media_query(search))
        .query("fields", format!("nextPageToken,files({FILE_FIELDS})"))
        .query("orderBy", "modifiedTime desc")
        .query("pageSize", "100");
        if let Some(page) = page_token.filter(|p| !p.is_empty()) {
            call = call.query("pageToken", page);
        }
        let reply = self.client.send(&call, &DIALECT).await?;
        let raw: RawList = reply.json(PROVIDER)?;
        Ok(FileList {
            files: raw.files.into_iter().map(DriveFile::from).collect(),
            next_page_token: raw.next_page_token.filter(|t| !t.is_empty()),
        })
    }

    /// One file's metadata.
    pub async fn get(&self, token: &Secret, id: &str) -> Result<DriveFile, PlatformError> {
        let call = Call::new(
            PROVIDER,
            "drive.files_get",
            Method::Get,
            self.files_url(Some(id)),
        )
        .bearer(token)
        .bucket(BUCKET)
        .query("fields", FILE_FIELDS);
        let reply = self.client.send(&call, &DIALECT).await?;
        Ok(reply.json::<RawFile>(PROVIDER)?.into())
    }

    /// Starts downloading file `id`; read it with [`Download::next_chunk`].
    pub fn download(&self, token: &Secret, id: &str) -> Download {
        Download {
            drive: self.clone(),
            token: token.clone(),
            id: id.to_owned(),
            offset: 0,
            total: None,
            chunk: CHUNK,
        }
    }
}

/// Drive file ids are `[A-Za-z0-9_-]`; anything else is escaped rather than
/// trusted into a path.
fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A download in progress.
pub struct Download {
    drive: Drive,
    token: Secret,
    id: String,
    offset: u64,
    total: Option<u64>,
    chunk: u64,
}

impl Download {
    /// Sets the bytes asked for per request (tests use small ones).
    pub fn with_chunk(mut self, chunk: u64) -> Download {
        self.chunk = chunk.max(1);
        self
    }

    /// The file's size, once the first part has said.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next part of the file, or `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, PlatformError> {
        if self.total.is_some_and(|t| self.offset >= t) {
            return Ok(None);
        }
        let last = self.offset + self.chunk - 1;
        let call = Call::new(
            PROVIDER,
            "drive.files_download",
            Method::Get,
            self.drive.files_url(Some(&self.id)),
        )
        .bearer(&self.token)
        .bucket(BUCKET)
        .query("alt", "media")
        .header("Range", format!("bytes={}-{last}", self.offset));
        let reply = match self.drive.client.send(&call, &DIALECT).await {
            Ok(r) => r,
            // An empty file has no byte 0 to ask for.
            Err(e)
                if self.offset == 0
                    && e.code.as_deref() == Some("requestedRangeNotSatisfiable") =>
            {
                self.total = Some(0);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        match reply.status {
            206 => {
                let total = reply
                    .header("content-range")
                    .and_then(|v| v.rsplit_once('/'))
                    .and_then(|(_, t)| t.trim().parse::<u64>().ok());
                let Some(total) = total else {
                    return Err(PlatformError::new(
                        PROVIDER,
                        ErrorKind::Unavailable,
                        "Drive answered a range without its total size",
                    ));
                };
                if reply.body.is_empty() && self.offset < total {
                    return Err(PlatformError::new(
                        PROVIDER,
                        ErrorKind::Unavailable,
                        "Drive answered an empty part before the end of the file",
                    ));
                }
                self.total = Some(total);
                self.offset += reply.body.len() as u64;
                Ok(Some(reply.body))
            }
            // The whole file in one answer (a server that ignores Range).
            _ if self.offset == 0 => {
                self.total = Some(reply.body.len() as u64);
                self.offset = reply.body.len() as u64;
                Ok((!reply.body.is_empty()).then_some(reply.body))
            }
            status => Err(PlatformError::new(
                PROVIDER,
                ErrorKind::Unavailable,
                format!("Drive answered a part with HTTP {status}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_escape_the_search_term() {
        assert_eq!(
            media_query(None),
            "(mimeType contains 'image/' or mimeType contains 'video/') and trashed = false"
        );
        assert!(media_query(Some(" it's a\\b ")).ends_with(r"and name contains 'it\'s a\\b'"));
        assert_eq!(media_query(Some("  ")), media_query(None));
        assert_eq!(path_segment("1Ab_c-D"), "1Ab_c-D");
        assert_eq!(path_segment("../x?y"), "%2E%2E%2Fx%3Fy");
    }

    #[test]
    fn file_metadata_is_read_from_drive_json() {
        let raw: RawFile = serde_json::from_str(
            r#"{"id":"1x","name":"tour.mp4","mimeType":"video/mp4","size":"600123",
                "capabilities":{"canDownload":true},
                "videoMediaMetadata":{"width":1080,"height":1920,"durationMillis":"15000"}}"#,
        )
        .unwrap();
        let f = DriveFile::from(raw);
        assert_eq!(f.size, Some(600_123));
        assert_eq!(
            (f.width, f.height, f.duration_ms),
            (Some(1080), Some(1920), Some(15_000))
        );
        assert!(f.can_download && !f.is_google_native());
        let doc: RawFile = serde_json::from_str(
            r#"{"id":"2","name":"Notes","mimeType":"application/vnd.google-apps.document"}"#,
        )
        .unwrap();
        let doc = DriveFile::from(doc);
        assert!(doc.is_google_native());
        assert_eq!(doc.size, None);
    }
}

/// Property tests: whatever Drive lists, reading it never panics and what
/// it says is kept; whatever a person searches for or names as a file id
/// stays a literal in the query and one segment in the path.
#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::client::strategies::body;

    /// The Drive literal `quoted` read back: `None` when a quote or a
    /// backslash is not escaped.
    fn unquote(quoted: &str) -> Option<String> {
        let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next()?),
                '\'' => return None,
                c => out.push(c),
            }
        }
        Some(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_listings_never_panic(body in body()) {
            if let Ok(list) = serde_json::from_slice::<RawList>(&body) {
                let _: Vec<DriveFile> = list.files.into_iter().map(DriveFile::from).collect();
            }
            let _ = serde_json::from_slice::<RawFile>(&body).map(DriveFile::from);
        }

        #[test]
        fn listed_metadata_is_kept(
            id in "[A-Za-z0-9_-]{1,40}",
            size in any::<u64>(),
            width in any::<u32>(),
            height in any::<u32>(),
            duration in any::<u64>(),
            video in any::<bool>(),
            can_download in proptest::option::of(any::<bool>()),
        ) {
            let meta = json!({"width": width, "height": height, "durationMillis": duration.to_string()});
            let mut file = json!({"id": id, "name": "n", "mimeType": "video/mp4",
                "size": size.to_string(), "capabilities": {"canDownload": can_download}});
            file[if video { "videoMediaMetadata" } else { "imageMediaMetadata" }] = meta;
            let list: RawList = serde_json::from_value(json!({"files": [file], "nextPageToken": "t"}))
                .expect("a listing");
            let f = DriveFile::from(list.files.into_iter().next().expect("a file"));
            prop_assert_eq!(f.id, id);
            prop_assert_eq!(f.size, Some(size));
            prop_assert_eq!((f.width, f.height), (Some(width), Some(height)));
            prop_assert_eq!(f.duration_ms, video.then_some(duration));
            prop_assert_eq!(f.can_download, can_download.unwrap_or(true));
        }

        #[test]
        fn a_search_term_stays_one_literal(search in ".{0,40}") {
            let q = media_query(Some(&search));
            let base = media_query(None);
            let term = search.trim();
            if term.is_empty() {
                prop_assert_eq!(q, base);
            } else {
                let literal = q
                    .strip_prefix(&format!("{base} and name contains "))
                    .expect("the term is appended");
                prop_assert_eq!(unquote(literal), Some(term.to_owned()));
            }
        }

        #[test]
        fn a_file_id_stays_one_path_segment(id in ".{0,40}") {
            let segment = path_segment(&id);
            prop_assert!(segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'%')));
            let mut decoded = Vec::new();
            let mut bytes = segment.bytes();
            while let Some(b) = bytes.next() {
                if b == b'%' {
                    let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                    decoded.push(u8::from_str_radix(&hex, 16).expect("two hex digits"));
                } else {
                    decoded.push(b);
                }
            }
            prop_assert_eq!(decoded, id.into_bytes());
        }
    }
}
