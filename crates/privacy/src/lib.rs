//! People's data rights, across the crates that hold their data.
//!
//! - **Export**: [`Privacy::request_export`] records a pending export and
//!   queues `privacy.export.v1` in one transaction; the job writes a ZIP
//!   archive (JSON documents and the media files, see [`archive`]) into the
//!   media storage and mails the person. The archive can be downloaded by
//!   its owner until it expires ([`EXPORT_TTL`]); the sweep then deletes it.
//! - **Account deletion**: [`Privacy::request_deletion`] (password
//!   confirmed) records the person's plan for each shared workspace they
//!   own — hand it over to a member or delete it — signs them out
//!   everywhere and mails them; after [`DELETION_GRACE`] the sweep queues
//!   `privacy.delete_account.v1`, which carries the plan out and deletes the
//!   user. Until then they can sign in and cancel.
//! - **Workspace deletion** by its owner, at once: platform access revoked
//!   where the platform allows it, the workspace and everything in it
//!   deleted, and its media files unless another workspace uses them.
//!
//! This crate owns the `data_exports` and `account_deletions` tables; the
//! rest goes through each owner's service.

pub mod archive;
mod deletion;
mod export;
mod store;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use herald_accounts::{AccountError, Accounts};
use herald_connections::Connections;
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_db::{Db, DbError};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue, Registry};
use herald_media::MediaLibrary;
use herald_notify::Notifications;
use herald_publishing::Publishing;
use herald_webhooks::outbound::Outbound;
use serde::{Deserialize, Serialize};

pub use deletion::{Fate, PendingDeletion};
pub use export::{Export, ExportState, ReadyArchive};

/// How long a person can change their mind after asking for deletion.
pub const DELETION_GRACE: SignedDuration = SignedDuration::from_hours(14 * 24);

/// How long an export can be downloaded.
pub const EXPORT_TTL: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Errors of the privacy service.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("storage failed")]
    Database(#[from] DbError),
    #[error("queueing the job failed")]
    Queue(#[source] DbError),
    #[error("reading connections failed: {0}")]
    Connections(#[from] herald_connections::ConnectError),
    #[error("reading posts failed: {0}")]
    Publishing(#[from] herald_publishing::PublishError),
    #[error("the media library failed: {0}")]
    Media(#[from] herald_media::MediaError),
    #[error("reading webhooks failed: {0}")]
    Webhooks(#[from] herald_webhooks::WebhooksError),
    #[error("notification storage failed")]
    Notify(#[from] herald_notify::NotifyError),
    #[error("reading the content studio failed: {0}")]
    Studio(#[from] herald_studio::StudioError),
    #[error("writing the archive failed: {0}")]
    Archive(String),
    #[error("not found")]
    NotFound,
    /// The export is still being made, failed or expired.
    #[error("the export is not ready")]
    NotReady,
}

impl PrivacyError {
    /// The error code the web layer words.
    pub fn code(&self) -> &'static str {
        match self {
            PrivacyError::Account(e) => e.code(),
            PrivacyError::NotFound => "not_found",
            PrivacyError::NotReady => "export_not_ready",
            _ => "internal",
        }
    }
}

/// Builds one export's archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildExport {
    pub export: String,
}

impl JobPayload for BuildExport {
    const KIND: &'static str = "privacy.export.v1";
    const QUEUE: &'static str = "maintenance";
    const MAX_ATTEMPTS: i32 = 5;
}

/// Deletes an account whose grace period is over.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeleteAccount {
    pub user: i64,
}

impl JobPayload for DeleteAccount {
    const KIND: &'static str = "privacy.delete_account.v1";
    const QUEUE: &'static str = "maintenance";
}

/// The services whose data a person has rights to.
pub struct Services {
    pub accounts: Accounts,
    pub connections: Connections,
    pub publishing: Publishing,
    pub media: MediaLibrary,
    pub outbound: Outbound,
    pub notifications: Notifications,
    pub studio: herald_studio::Studio,
}

#[derive(Clone)]
pub struct Privacy {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    s: Services,
    /// Where archives are written before they are stored.
    temp_dir: PathBuf,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub expired_exports: u64,
    pub deletions_queued: u64,
}

impl Privacy {
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        services: Services,
        temp_dir: PathBuf,
    ) -> Privacy {
        Privacy {
            inner: Arc::new(Inner {
                db,
                queue,
                clock,
                s: services,
                temp_dir,
            }),
        }
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    fn accounts(&self) -> &Accounts {
        &self.inner.s.accounts
    }

    pub fn register(&self, registry: &mut Registry) {
        registry.register::<BuildExport, _>(ExportHandler(self.clone()));
        registry.register::<DeleteAccount, _>(DeletionHandler(self.clone()));
    }

    /// Deletes expired exports (their archives first) and queues the
    /// deletion of every account whose grace period is over. Run by the
    /// hourly retention job.
    pub async fn sweep(&self) -> Result<Swept, PrivacyError> {
        let now = self.now();
        let mut swept = Swept::default();
        for row in store::expired_exports(&self.inner.db, now).await? {
            self.delete_archive(&row).await?;
            store::delete_export(&self.inner.db, &row.id).await?;
            swept.expired_exports += 1;
        }
        for user in store::due_deletions(&self.inner.db, now).await? {
            let job = NewJob::of(&DeleteAccount { user })
                .map_err(|e| PrivacyError::Archive(e.to_string()))?
                .unique_key(format!("privacy-delete:{user}"));
            self.inner
                .queue
                .enqueue_now(job)
                .await
                .map_err(PrivacyError::Queue)?;
            swept.deletions_queued += 1;
        }
        if swept != Swept::default() {
            tracing::info!(?swept, "privacy sweep");
        }
        Ok(swept)
    }
}

impl Privacy {
    /// Deletes an export's archive file, if it was made.
    pub(crate) async fn delete_archive(&self, row: &store::ExportRow) -> Result<(), PrivacyError> {
        if let Some(key) = &row.storage_key {
            self.inner
                .s
                .media
                .storage()
                .delete(key)
                .await
                .map_err(herald_media::MediaError::from)?;
        }
        Ok(())
    }
}

struct ExportHandler(Privacy);

#[async_trait]
impl Handler<BuildExport> for ExportHandler {
    async fn run(&self, job: BuildExport, ctx: &JobContext) -> Result<(), JobError> {
        match self.0.build_export(&job.export).await {
            Ok(()) => Ok(()),
            Err(e) if ctx.is_last_attempt() => {
                // The person sees it failed and can ask again.
                tracing::error!(export = %job.export, error = %e, "an export failed for good");
                self.0.fail_export(&job.export).await.map_err(|e| {
                    JobError::transient(format!("marking export {} failed: {e}", job.export))
                })
            }
            Err(e) => Err(JobError::transient(format!(
                "building export {} failed: {e}",
                job.export
            ))),
        }
    }
}

struct DeletionHandler(Privacy);

#[async_trait]
impl Handler<DeleteAccount> for DeletionHandler {
    async fn run(&self, job: DeleteAccount, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .delete_account(job.user)
            .await
            .map_err(|e| JobError::transient(format!("deleting account {} failed: {e}", job.user)))
    }
}
