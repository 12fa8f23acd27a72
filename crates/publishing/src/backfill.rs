//! Backfill of post ids that come after publishing: TikTok publishes a
//! video before moderation makes it public, and only then names its post
//! id (`publicaly_available_post_id`). The publish step marks such a
//! target [`POST_ID_PENDING`] and publishes it with the provisional
//! `publish_id`; the dispatcher then enqueues a `publishing.backfill.v1`
//! job, which asks the platform ([`Publisher::find_post_id`]) and, when
//! the id appears, puts it and its permalink on the target with a
//! delivery receipt.
//!
//! It is bounded: polls 1 min after publishing, then 2, 4, … up to one
//! an hour ([`backfill_delay`]), and stops [`BACKFILL_FOR`] (48 h) after
//! the publish completed, leaving the target published without a link
//! and a receipt saying so. Each poll is its own job (a fresh one per
//! poll, keyed by target and poll number), so a crash repeats at most one
//! poll. This is the one path that fills the id: Herald receives no
//! TikTok webhooks (`post.publish.publicly_available` would only make it
//! sooner).
//!
//! [`Publisher::find_post_id`]: herald_platforms::Publisher::find_post_id

use std::sync::Arc;

use async_trait::async_trait;
use herald_connections::Connections;
use herald_core::{Clock, Named, SignedDuration, TargetId, Timestamp};
use herald_db::Db;
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue};
use herald_platforms::{
    AccountKind, ErrorKind, POST_ID_PENDING, PostIdLookup, Progress, Publishers,
};
use serde::{Deserialize, Serialize};

use crate::dispatch::db_error;
use crate::model::{Outcome, TargetStatus};
use crate::service::status_of;
use crate::store::{self, NewReceipt, ReceiptError, TargetRow};

/// Looks once for the final post id of a published target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackfillPostId {
    pub target_id: TargetId,
    /// Polls made before this one.
    #[serde(default)]
    pub polls: u32,
}

impl JobPayload for BackfillPostId {
    const KIND: &'static str = "publishing.backfill.v1";
    const QUEUE: &'static str = "publishing";
    /// A database outage is retried a few times; a platform failure is
    /// just the next poll.
    const MAX_ATTEMPTS: i32 = 5;
}

/// How long after the publish completed Herald looks for the post id.
pub const BACKFILL_FOR: SignedDuration = SignedDuration::from_hours(48);

/// The wait before poll `polls + 1`: 1 min, doubling, at most an hour.
pub fn backfill_delay(polls: u32) -> SignedDuration {
    let mins = 1u64 << polls.min(6);
    SignedDuration::from_mins(mins.min(60) as i64)
}

/// The first backfill job of a target just published with a provisional
/// id.
pub(crate) fn first_job(target: &TargetId, now: Timestamp) -> Result<NewJob, serde_json::Error> {
    job(target, 0, now)
}

fn job(target: &TargetId, polls: u32, now: Timestamp) -> Result<NewJob, serde_json::Error> {
    Ok(NewJob::of(&BackfillPostId {
        target_id: target.clone(),
        polls,
    })?
    .run_at(now + backfill_delay(polls))
    .unique_key(format!("backfill:{target}:{polls}")))
}

/// What the backfill job works with.
pub struct BackfillDependencies {
    pub db: Db,
    pub queue: Queue,
    pub clock: Arc<dyn Clock>,
    pub connections: Connections,
    pub publishers: Publishers,
}

/// The backfill job's handler.
pub struct Backfiller {
    deps: BackfillDependencies,
}

/// How one poll ended.
enum Poll {
    Found {
        remote_id: String,
        permalink: Option<String>,
    },
    /// Look again later (not there yet, or the platform did not answer).
    Again,
    /// Stop looking, for this reason.
    Stop(String),
}

impl Backfiller {
    pub fn new(deps: BackfillDependencies) -> Backfiller {
        Backfiller { deps }
    }

    /// One poll of `target`'s post id; `polls` made before.
    pub async fn poll(&self, job: &BackfillPostId, job_id: i64) -> Result<(), JobError> {
        let deps = &self.deps;
        let Some(target) = store::target(&deps.db, &job.target_id)
            .await
            .map_err(db_error)?
        else {
            return Ok(());
        };
        if status_of(&target) != TargetStatus::Published {
            return Ok(());
        }
        let Ok(mut progress) = serde_json::from_str::<Progress>(&target.progress) else {
            return Ok(());
        };
        // Filled already (by an earlier poll).
        let Some(since) = progress.get(POST_ID_PENDING).cloned() else {
            return Ok(());
        };
        let now = deps.clock.now();
        let since = since
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .or(target.published_at.map(|t| t.0))
            .unwrap_or(now);
        let outcome = self.look(&target, &progress).await;
        let mut tx = deps.db.begin().await.map_err(db_error)?;
        let fence = store::Fence {
            target: &target.id,
            job_id,
        };
        match outcome {
            Poll::Found {
                remote_id,
                permalink,
            } => {
                progress.remove(POST_ID_PENDING);
                progress.insert("post_id".to_owned(), remote_id.clone());
                let encoded = encode(&progress);
                let Some(provisional) = target.remote_id.as_deref() else {
                    return Ok(());
                };
                if !store::fill_post_id(
                    &mut tx,
                    &target.id,
                    provisional,
                    &remote_id,
                    permalink.as_deref(),
                    &encoded,
                    now,
                )
                .await
                .map_err(db_error)?
                {
                    return Ok(());
                }
                store::insert_receipt(
                    &mut tx,
                    &NewReceipt {
                        fence,
                        attempt: target.attempts,
                        outcome: Outcome::Published.as_str(),
                        remote_id: Some(&remote_id),
                        permalink: permalink.as_deref(),
                        progress: &encoded,
                        error: None,
                        started_at: now,
                        finished_at: now,
                    },
                )
                .await
                .map_err(db_error)?;
                tracing::info!(target_id = %target.id, %remote_id, "post id backfilled");
            }
            Poll::Again if now + backfill_delay(job.polls + 1) <= since + BACKFILL_FOR => {
                let next = job_of(&target.id, job.polls + 1, now)?;
                deps.queue.enqueue(&mut tx, next).await.map_err(db_error)?;
            }
            Poll::Again => {
                let why = format!(
                    "The platform did not name the post's id within {} hours of publishing; Herald stopped looking, so the post has no link.",
                    BACKFILL_FOR.as_hours()
                );
                self.stop(&mut tx, &target, fence, &mut progress, &why, now)
                    .await?;
            }
            Poll::Stop(why) => {
                self.stop(&mut tx, &target, fence, &mut progress, &why, now)
                    .await?;
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(())
    }

    /// Asks the platform once.
    async fn look(&self, target: &TargetRow, progress: &Progress) -> Poll {
        let deps = &self.deps;
        let Some(publisher) = AccountKind::parse(&target.kind).and_then(|k| deps.publishers.get(k))
        else {
            return Poll::Stop("Publishing to this platform is not available any more.".into());
        };
        let Some(connection) = target.connection_id.as_ref() else {
            return Poll::Stop("The account was removed from the workspace.".into());
        };
        let credentials = match deps.connections.credentials(connection).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                return Poll::Stop("The account was removed from the workspace.".into());
            }
            Err(e) => {
                tracing::warn!(target_id = %target.id, error = %e, "backfill: credentials unavailable");
                return Poll::Again;
            }
        };
        match publisher
            .find_post_id(&credentials.access_token, progress)
            .await
        {
            Ok(PostIdLookup::Found {
                remote_id,
                permalink,
            }) => Poll::Found {
                remote_id,
                permalink,
            },
            Ok(PostIdLookup::Pending) => Poll::Again,
            Ok(PostIdLookup::Gone { reason }) => Poll::Stop(format!(
                "The platform will not name the post's id ({reason}), so the post has no link."
            )),
            // A token that expired meanwhile (the look goes on for two
            // days) is renewed for the next poll.
            Err(e)
                if e.kind == ErrorKind::Reconnect
                    && credentials.access_expires_at.is_some_and(|at| {
                        at <= deps.clock.now() + SignedDuration::from_mins(5)
                    }) =>
            {
                match deps.connections.refresh(connection, true).await {
                    Ok(
                        herald_connections::Refreshed::Renewed { .. }
                        | herald_connections::Refreshed::Busy,
                    ) => Poll::Again,
                    other => Poll::Stop(format!(
                        "The account's access could not be renewed ({other:?}), so Herald stopped looking for the post's id."
                    )),
                }
            }
            Err(e) if matches!(e.kind, ErrorKind::Reconnect | ErrorKind::Reconsent { .. }) => {
                Poll::Stop(format!(
                    "The account needs to be reconnected, so Herald stopped looking for the post's id ({e})."
                ))
            }
            Err(e) => {
                tracing::warn!(target_id = %target.id, error = %e, "backfill poll failed");
                Poll::Again
            }
        }
    }

    /// Ends the backfill: the target stays published, without the
    /// pending mark, and a receipt says why there is no link.
    async fn stop(
        &self,
        tx: &mut herald_db::Tx,
        target: &TargetRow,
        fence: store::Fence<'_>,
        progress: &mut Progress,
        why: &str,
        now: Timestamp,
    ) -> Result<(), JobError> {
        progress.remove(POST_ID_PENDING);
        let encoded = encode(progress);
        if !store::set_published_progress(tx, &target.id, &encoded, now)
            .await
            .map_err(db_error)?
        {
            return Ok(());
        }
        store::insert_receipt(
            tx,
            &NewReceipt {
                fence,
                attempt: target.attempts,
                outcome: Outcome::Published.as_str(),
                remote_id: target.remote_id.as_deref(),
                permalink: target.permalink.as_deref(),
                progress: &encoded,
                error: Some(ReceiptError {
                    kind: "warning",
                    code: None,
                    message: Some(why),
                    detail: None,
                }),
                started_at: now,
                finished_at: now,
            },
        )
        .await
        .map_err(db_error)?;
        tracing::warn!(target_id = %target.id, reason = why, "post id backfill stopped");
        Ok(())
    }
}

fn job_of(target: &TargetId, polls: u32, now: Timestamp) -> Result<NewJob, JobError> {
    job(target, polls, now).map_err(|e| JobError::permanent(e.to_string()))
}

fn encode(progress: &Progress) -> String {
    serde_json::to_string(progress).unwrap_or_else(|_| "{}".to_owned())
}

#[async_trait]
impl Handler<BackfillPostId> for Backfiller {
    async fn run(&self, job: BackfillPostId, ctx: &JobContext) -> Result<(), JobError> {
        self.poll(&job, ctx.id.0).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_back_off_to_an_hour_and_stop_within_two_days() {
        let waits: Vec<i64> = (0..8).map(|n| backfill_delay(n).as_mins()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        // How many polls fit in the window: bounded, about 52.
        let mut at = SignedDuration::ZERO;
        let mut polls = 0;
        while at + backfill_delay(polls) <= BACKFILL_FOR {
            at += backfill_delay(polls);
            polls += 1;
        }
        assert_eq!(polls, 52);
    }
}
