//! The delivery job: one `mail.send.v1` per stored mail, run by any worker.

use std::sync::Arc;

use async_trait::async_trait;
use herald_core::{Clock, SystemClock};
use herald_db::Db;
use herald_jobs::{Handler, JobContext, JobError, JobPayload, Registry};
use serde::{Deserialize, Serialize};

use crate::metrics::count;
use crate::outbox::{self, MailId, MailState};
use crate::transport::MailTransport;

/// Deliver the stored mail `id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendMail {
    pub id: i64,
}

impl JobPayload for SendMail {
    const KIND: &'static str = "mail.send.v1";
    const QUEUE: &'static str = "mail";
    /// With the queue's backoff (2 s · 2^n, capped at an hour) ten attempts
    /// span about 17 minutes: long enough to ride out a relay restart.
    const MAX_ATTEMPTS: i32 = 10;
}

/// Runs [`SendMail`] jobs. Idempotent: a mail already marked sent is not
/// handed to the transport again.
pub struct SendMailHandler {
    db: Db,
    transport: Arc<dyn MailTransport>,
    clock: Arc<dyn Clock>,
}

impl SendMailHandler {
    pub fn new(db: Db, transport: Arc<dyn MailTransport>) -> Self {
        Self {
            db,
            transport,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses `clock` for `sent_at` (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// Registers the mail delivery job with `transport`.
pub fn register(registry: &mut Registry, db: Db, transport: Arc<dyn MailTransport>) {
    registry.register::<SendMail, _>(SendMailHandler::new(db, transport));
}

fn storage(e: impl std::error::Error + Send + Sync + 'static) -> JobError {
    JobError::transient_from("could not read or update the mail outbox", e)
}

#[async_trait]
impl Handler<SendMail> for SendMailHandler {
    async fn run(&self, job: SendMail, ctx: &JobContext) -> Result<(), JobError> {
        let id = MailId(job.id);
        let Some(mail) = outbox::get(&self.db, id).await.map_err(storage)? else {
            return Err(JobError::permanent(format!(
                "mail {id} no longer exists; nothing to send"
            )));
        };
        if mail.state == MailState::Sent {
            tracing::info!(mail = %id, kind = %mail.kind, "mail was already sent; not sending it again");
            return Ok(());
        }
        // No transaction is open here: the database is not held while the
        // mail server answers.
        let sent = tokio::select! {
            sent = self.transport.send(&mail) => sent,
            _ = ctx.cancel.cancelled() => {
                return Err(JobError::transient("mail delivery interrupted by shutdown"));
            }
        };
        match sent {
            Ok(()) => {
                outbox::mark_sent(&self.db, id, self.clock.now())
                    .await
                    .map_err(storage)?;
                if !self.transport.keeps_mail() {
                    // The recipient has it; the stored copy keeps no live
                    // link (a failure here leaves the mail sent and is
                    // caught by the next purge's scrub).
                    if let Err(e) = outbox::scrub(&self.db, id).await {
                        tracing::warn!(mail = %id, error = %e, "could not remove the links of a sent mail");
                    }
                }
                count(&mail.kind, "sent");
                tracing::info!(mail = %id, kind = %mail.kind, transport = self.transport.name(), attempt = ctx.attempt, "mail sent");
                Ok(())
            }
            Err(err) => {
                let error = err.describe();
                let retry = err.is_transient() && !ctx.is_last_attempt();
                let state = if retry {
                    MailState::Pending
                } else {
                    MailState::Failed
                };
                outbox::mark_attempt_failed(&self.db, id, state, &error)
                    .await
                    .map_err(storage)?;
                if retry {
                    count(&mail.kind, "retried");
                    tracing::warn!(mail = %id, kind = %mail.kind, attempt = ctx.attempt, error = %error, "mail delivery failed; will retry");
                    Err(JobError::transient_from("mail delivery failed", err))
                } else {
                    count(&mail.kind, "failed");
                    tracing::error!(mail = %id, kind = %mail.kind, attempt = ctx.attempt, error = %error, "mail delivery failed for good");
                    Err(JobError::permanent_from("mail delivery failed", err))
                }
            }
        }
    }
}
