//! The Drive import job: a big file is downloaded by a worker, not while a
//! request waits. The payload names the workspace, the person, the Google
//! connection and the Drive file; the token is read (and renewed if it has
//! expired) when the job runs. Running it twice stores one media: the
//! second run finds the same content and returns it.

use async_trait::async_trait;
use herald_accounts::Permission;
use herald_connections::Connections;
use herald_core::ConnectionId;
use herald_core::{UserId, WorkspaceId};
use herald_db::DbError;
use herald_jobs::{Enqueued, Handler, JobContext, JobError, JobPayload, NewJob, Queue, Registry};
use herald_platforms::ErrorKind;
use serde::{Deserialize, Serialize};

use crate::{MediaError, MediaLibrary};

/// Import one Google Drive file into a workspace's library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDrive {
    pub workspace: i64,
    pub user: i64,
    /// The Google (YouTube) connection whose token reads Drive.
    pub connection: ConnectionId,
    pub file: String,
}

impl JobPayload for ImportDrive {
    const KIND: &'static str = "media.import_drive.v1";
    const QUEUE: &'static str = "media";
    const MAX_ATTEMPTS: i32 = 6;
}

/// Queues an import; while one for the same file and workspace is queued
/// or running, asking again returns that job.
pub async fn enqueue_import(queue: &Queue, job: &ImportDrive) -> Result<Enqueued, DbError> {
    let new = NewJob::of(job)
        .expect("the payload serializes")
        .unique_key(format!("media-import-drive:{}:{}", job.workspace, job.file));
    queue.enqueue_now(new).await
}

/// Registers the media jobs.
pub fn register(registry: &mut Registry, media: MediaLibrary, connections: Connections) {
    registry.register::<ImportDrive, _>(ImportDriveHandler { media, connections });
}

pub struct ImportDriveHandler {
    pub media: MediaLibrary,
    pub connections: Connections,
}

/// The access token of Google connection `id`, renewed first when it has
/// expired (the refresh job normally keeps it fresh). `None` when the
/// connection does not exist.
pub async fn google_token(
    connections: &Connections,
    id: &ConnectionId,
) -> Result<Option<herald_platforms::Secret>, MediaError> {
    let Some(credentials) = connections
        .credentials(id)
        .await
        .map_err(MediaError::Connection)?
    else {
        return Ok(None);
    };
    if credentials
        .access_expires_at
        .is_some_and(|at| at <= connections.clock_now())
    {
        connections.refresh(id, false).await?;
        return Ok(connections
            .credentials(id)
            .await
            .map_err(MediaError::Connection)?
            .map(|c| c.access_token));
    }
    Ok(Some(credentials.access_token))
}

#[async_trait]
impl Handler<ImportDrive> for ImportDriveHandler {
    async fn run(&self, job: ImportDrive, _ctx: &JobContext) -> Result<(), JobError> {
        let token = match google_token(&self.connections, &job.connection).await {
            Ok(Some(token)) => token,
            Ok(None) => return Err(JobError::permanent("the Google connection was removed")),
            Err(e) => return Err(classify(e)),
        };
        // Checked again now: the person may have left the workspace, or
        // lost the role that lets them add media, since they asked.
        let auth = herald_accounts::shared::authorize(
            self.media.db(),
            UserId(job.user),
            WorkspaceId(job.workspace),
            Permission::Draft,
        )
        .await
        .map_err(MediaError::Access)
        .map_err(classify)?;
        match self.media.import_from_drive(&auth, &token, &job.file).await {
            Ok(media) => {
                tracing::info!(media = %media.id, file = %job.file, "imported from Google Drive");
                Ok(())
            }
            Err(e) => Err(classify(e)),
        }
    }
}

fn classify(e: MediaError) -> JobError {
    match e {
        MediaError::Access(e) if !matches!(e, herald_accounts::AccountError::Database(_)) => {
            JobError::permanent_from("the person may no longer add media to this workspace", e)
        }
        MediaError::Drive(e) if matches!(e.kind, ErrorKind::Reconnect) => {
            JobError::permanent_from("Google no longer accepts the connection's token", e)
        }
        e if e.is_transient() => JobError::transient_from("the Drive import failed", e),
        e => JobError::permanent_from("the Drive file cannot be imported", e),
    }
}
