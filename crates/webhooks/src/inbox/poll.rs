//! Comments of platforms that send no webhooks for them (YouTube), read on
//! a schedule into the same `inbox_items` webhooks fill.
//!
//! `inbox.poll.v1` runs every ten minutes (one per slot across processes,
//! by its unique key): it queues one `inbox.poll_account.v1` per usable
//! YouTube channel, unique per channel and slot, so a slow channel never
//! holds up another and a slot never polls a channel twice. A channel's
//! poll reads its comments newest first, page by page, until a page holds
//! one it already has (at most [`MAX_PAGES`]), and upserts them with the
//! webhooks' own upsert; new ones raise the same in-app notice a webhook
//! comment does and wake the workspace's live streams.

use std::time::Duration;

use async_trait::async_trait;
use herald_core::{ConnectionId, Named, SignedDuration, Timestamp};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob};
use herald_platforms::AccountKind;
use herald_platforms::ErrorKind;
use herald_platforms::engage::{EngageAccount, EngageError, FetchedComment};
use serde::{Deserialize, Serialize};

use super::store;
use super::{Inbox, InboxError, notify_live};
use crate::inbound::{Item, ItemKind, ItemNotice, upsert_item};
use herald_notify::{Audience, NotificationKind, Raise};

/// How often each channel is read.
pub const EVERY: Duration = Duration::from_secs(10 * 60);
/// The most pages of comments one poll reads.
pub const MAX_PAGES: usize = 5;
/// The account kinds whose comments are polled.
const POLLED: [AccountKind; 1] = [AccountKind::YouTubeChannel];

/// Queue this slot's polls (and the next slot's sweep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollComments {}

impl JobPayload for PollComments {
    const KIND: &'static str = "inbox.poll.v1";
    const QUEUE: &'static str = "inbox";
}

/// Read one account's new comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollAccount {
    pub connection: ConnectionId,
}

impl JobPayload for PollAccount {
    const KIND: &'static str = "inbox.poll_account.v1";
    const QUEUE: &'static str = "inbox";
    /// An outage is tried again a few times within the slot; the next
    /// slot polls anyway.
    const MAX_ATTEMPTS: i32 = 3;
}

pub(super) struct SweepHandler(pub Inbox);

#[async_trait]
impl Handler<PollComments> for SweepHandler {
    async fn run(&self, _job: PollComments, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .sweep()
            .await
            .map_err(|e| JobError::transient_from("queueing the comment polls failed", e))?;
        let next = self
            .0
            .now()
            .checked_add(SignedDuration::try_from(EVERY).expect("ten minutes"))
            .expect("a representable time");
        self.0
            .schedule_sweep(next)
            .await
            .map_err(|e| JobError::transient_from("scheduling the next comment poll failed", e))
    }
}

pub(super) struct PollHandler(pub Inbox);

#[async_trait]
impl Handler<PollAccount> for PollHandler {
    async fn run(&self, job: PollAccount, ctx: &JobContext) -> Result<(), JobError> {
        self.0.poll(&job.connection, ctx).await.map(|_| ())
    }
}

/// The slot `at` falls in (slots are [`EVERY`] long).
fn slot(at: Timestamp) -> i64 {
    at.as_second().div_euclid(EVERY.as_secs() as i64)
}

impl Inbox {
    /// Makes sure a sweep is queued; every process that runs workers calls
    /// it at start.
    pub async fn ensure_polling(&self) -> Result<(), InboxError> {
        self.schedule_sweep(self.now()).await
    }

    async fn schedule_sweep(&self, at: Timestamp) -> Result<(), InboxError> {
        let job = NewJob::of(&PollComments {})
            .map_err(InboxError::Encode)?
            .run_at(at)
            .unique_key(format!("inbox-poll:{}", slot(at)));
        self.inner.queue.enqueue_now(job).await?;
        Ok(())
    }

    /// Queues a poll of every usable account of a polled kind that has an
    /// engager; returns how many were queued.
    pub async fn sweep(&self) -> Result<usize, InboxError> {
        let now = self.now();
        let mut queued = 0;
        for kind in POLLED {
            if self.inner.engagers.get(kind).is_none() {
                continue;
            }
            for account in store::accounts_of_kind(&self.inner.db, kind.as_str()).await? {
                let job = NewJob::of(&PollAccount {
                    connection: account.id.clone(),
                })
                .map_err(InboxError::Encode)?
                .unique_key(format!("inbox-poll:{}:{}", account.id, slot(now)));
                self.inner.queue.enqueue_now(job).await?;
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Reads `connection`'s new comments into the inbox; returns how many
    /// were new. The job's step, callable without the worker.
    pub async fn poll(
        &self,
        connection: &ConnectionId,
        ctx: &JobContext,
    ) -> Result<usize, JobError> {
        let db = &self.inner.db;
        let storage = |e: InboxError| JobError::transient_from("inbox storage failed", e);
        let Some(account) = store::account(db, connection)
            .await
            .map_err(|e| storage(e.into()))?
        else {
            return Ok(0);
        };
        let Some(kind) = AccountKind::parse(&account.kind) else {
            return Ok(0);
        };
        let Some(engager) = self.inner.engagers.get(kind).cloned() else {
            return Ok(0);
        };
        let token = match self.inner.tokens.access_token(connection).await {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(0),
            Err(e) => {
                return Err(JobError::transient(format!(
                    "the account's token is unavailable: {}",
                    herald_core::error::chain(e.as_ref())
                )));
            }
        };
        let engage = EngageAccount {
            kind,
            account_id: account.remote_id.clone(),
            access_token: token,
        };
        let mut fetched: Vec<FetchedComment> = Vec::new();
        let mut page: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let got = match engager.comments(&engage, page.as_deref()).await {
                Ok(got) => got,
                // The kind reads no comments, or the channel is gone.
                Err(EngageError::Refused(refusal)) => {
                    tracing::info!(connection = %connection, refusal = refusal.as_str(), "comments not read");
                    break;
                }
                Err(EngageError::Platform(e)) if retryable(&e) && !ctx.is_last_attempt() => {
                    return Err(JobError::transient(format!("reading comments failed: {e}")));
                }
                // The next slot tries again; a dead job per slot would
                // only pile up.
                Err(EngageError::Platform(e)) => {
                    tracing::warn!(connection = %connection, error = %e, "reading comments failed");
                    break;
                }
            };
            let ids: Vec<String> = got.comments.iter().map(|c| c.remote_id.clone()).collect();
            let known = store::known_comments(db, connection, &ids)
                .await
                .map_err(|e| storage(e.into()))?;
            fetched.extend(got.comments);
            match got.next {
                Some(next) if known.is_empty() => page = Some(next),
                _ => break,
            }
        }
        let now = self.now();
        let mut tx = db.begin().await.map_err(|e| storage(e.into()))?;
        let mut notice: Option<ItemNotice> = None;
        let mut new = 0;
        for comment in fetched.iter().filter(|c| !c.own) {
            let item = Item {
                kind: ItemKind::Comment,
                remote_id: comment.remote_id.clone(),
                parent_id: comment.parent_id.clone(),
                media_id: comment.media_id.clone(),
                author_id: comment.author_id.clone(),
                author_name: comment.author_name.clone(),
                handle: false,
                text: comment.text.clone(),
                remote_created_at: comment.created_at.map(Timestamp::as_microsecond),
                removed: false,
                notify: true,
            };
            let added = upsert_item(
                &mut tx,
                account.workspace_id,
                connection.as_str(),
                &item,
                None,
                now,
            )
            .await
            .map_err(|e| storage(e.into()))?;
            if added {
                new += 1;
                notice
                    .get_or_insert_with(|| ItemNotice {
                        account: account.name.clone(),
                        count: 0,
                        author: item.author_name.clone(),
                        handle: false,
                        text: item.text.clone(),
                    })
                    .count += 1;
            }
        }
        if let Some(notice) = &notice {
            let link = format!(
                "/home/inbox?workspace={}&account={connection}",
                account.workspace_id
            );
            let notice = notice.notice(NotificationKind::Comment);
            let raise = Raise::new(
                account.workspace_id,
                Audience::Everyone,
                NotificationKind::Comment,
                &notice,
            )
            .link(&link);
            crate::notify(&self.inner.queue, &mut tx, &raise, now)
                .await
                .map_err(|e| JobError::transient_from("notifying about new comments failed", e))?;
        }
        if !fetched.is_empty() {
            notify_live(&self.inner.queue, &mut tx, account.workspace_id)
                .await
                .map_err(|e| storage(e.into()))?;
        }
        tx.commit().await.map_err(|e| storage(e.into()))?;
        if new > 0 {
            tracing::info!(connection = %connection, new, "new comments read into the inbox");
        }
        Ok(new)
    }
}

/// Whether a failed read may work when tried again soon (reads are safe
/// to repeat).
fn retryable(e: &herald_platforms::PlatformError) -> bool {
    matches!(
        e.kind,
        ErrorKind::RateLimited { .. } | ErrorKind::Unavailable | ErrorKind::OutcomeUnknown
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_ten_minutes_and_the_same_for_every_time_in_it() {
        let at = |s| Timestamp::from_second(s).unwrap();
        assert_eq!(slot(at(1_800_000_000)), slot(at(1_800_000_599 - 200)));
        assert_ne!(slot(at(1_800_000_000)), slot(at(1_800_000_600)));
        assert_eq!(EVERY, Duration::from_secs(600));
    }
}
