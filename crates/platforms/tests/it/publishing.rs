//! Shared by the publishing tests: media files served on loopback (the
//! URLs platforms pull from) and a driver that runs a [`Publisher`] the
//! way Herald's dispatcher does: save each progress, wait out `Wait` by
//! moving the clock, retry transient and unknown outcomes with the same
//! progress.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use herald_platforms::{
    ErrorKind, MediaItem, MediaKind, MediaSource, PlatformError, Progress, PublishRequest,
    Published, Publisher, Step,
};
use tokio::task::JoinHandle;

use crate::helpers::Env;

/// Bytes that start like a JPEG file (the simulators check magic bytes).
pub fn jpeg(size: usize) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.resize(size.max(bytes.len()), 0x42);
    bytes
}

/// Bytes that start like an MP4 file (`ftyp` box first).
pub fn mp4(size: usize) -> Vec<u8> {
    let mut bytes = vec![
        0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm',
    ];
    bytes.resize(size.max(bytes.len()), 0x17);
    bytes
}

/// Media files on `http://127.0.0.1:{port}/media/{id}`.
pub struct MediaFiles {
    files: Arc<HashMap<String, (String, Vec<u8>)>>,
    base: String,
    server: JoinHandle<()>,
}

impl Drop for MediaFiles {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Served files by id: content type and bytes.
type Files = Arc<HashMap<String, (String, Vec<u8>)>>;

async fn serve_file(State(files): State<Files>, Path(id): Path<String>) -> impl IntoResponse {
    match files.get(&id) {
        Some((mime, bytes)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, mime.clone())],
            bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl MediaFiles {
    /// Serves `(id, mime, bytes)` files.
    pub async fn serve(files: Vec<(&str, &str, Vec<u8>)>) -> MediaFiles {
        let files: Arc<HashMap<_, _>> = Arc::new(
            files
                .into_iter()
                .map(|(id, mime, bytes)| (id.to_owned(), (mime.to_owned(), bytes)))
                .collect(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .route("/media/{id}", axum::routing::get(serve_file))
            .with_state(files.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        MediaFiles {
            files,
            base,
            server,
        }
    }

    /// The item for file `id`, with its pull URL.
    pub fn item(&self, id: &str) -> MediaItem {
        let (mime, bytes) = &self.files[id];
        let kind = if mime.starts_with("video/") {
            MediaKind::Video
        } else {
            MediaKind::Image
        };
        MediaItem {
            id: id.to_owned(),
            kind,
            mime: mime.clone(),
            size: bytes.len() as u64,
            width: Some(1080),
            height: Some(if kind == MediaKind::Video { 1920 } else { 1350 }),
            duration_ms: (kind == MediaKind::Video).then_some(15_000),
            url: format!("{}/media/{id}", self.base),
        }
    }
}

#[async_trait]
impl MediaSource for MediaFiles {
    async fn read(&self, item: &MediaItem, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
        let (_, bytes) = self
            .files
            .get(&item.id)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such media"))?;
        let start = (offset as usize).min(bytes.len());
        let end = (start + len as usize).min(bytes.len());
        Ok(bytes[start..end].to_vec())
    }
}

/// What a [`drive`] run did.
pub struct Run {
    pub outcome: Result<Published, PlatformError>,
    /// Every progress saved, in order.
    pub saved: Vec<Progress>,
    /// Errors that were retried.
    pub retried: Vec<PlatformError>,
}

/// Runs `publisher` to the end as the dispatcher would: at most
/// `max_retries` retries of transient or unknown outcomes (moving the clock
/// to a rate limit's end), `Wait` honoured by moving the clock.
pub async fn drive(
    env: &Env,
    publisher: &dyn Publisher,
    request: &PublishRequest,
    media: &dyn MediaSource,
    max_retries: usize,
) -> Run {
    let mut progress = Progress::new();
    let mut saved = Vec::new();
    let mut retried = Vec::new();
    for _ in 0..500 {
        match publisher.step(request, media, &progress).await {
            Ok(Step::Continue(next)) => {
                progress = next;
                saved.push(progress.clone());
            }
            Ok(Step::Wait { progress: next, at }) => {
                progress = next;
                saved.push(progress.clone());
                if at > env.now() {
                    env.clock.set(at);
                }
                // Let the simulator's own background work (media fetches)
                // catch up in real time.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(Step::Done(published)) => {
                return Run {
                    outcome: Ok(published),
                    saved,
                    retried,
                };
            }
            Err(error) => {
                let retry = match &error.kind {
                    ErrorKind::RateLimited { until } => {
                        if let Some(until) = until
                            && *until > env.now()
                        {
                            env.clock.set(*until);
                        }
                        true
                    }
                    ErrorKind::Unavailable | ErrorKind::OutcomeUnknown => true,
                    _ => false,
                };
                if !retry || retried.len() >= max_retries {
                    return Run {
                        outcome: Err(error),
                        saved,
                        retried,
                    };
                }
                retried.push(error);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    panic!("publisher did not finish in 500 steps; last progress {progress:?}");
}
