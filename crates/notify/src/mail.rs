//! Notification mail: the sweep that turns waiting notices into mail.
//!
//! [`crate::Notifier::raise`] leaves one `notification_mail` row per
//! recipient who gets the kind by mail and queues a `notify.mail.v1` sweep
//! [`GATHER`] later (one job per minute at most, by its unique key). The
//! sweep takes each member's waiting notices of one kind once the oldest
//! has waited [`GATHER`] and the member's last mail of that kind is
//! [`MAIL_GAP`] old: one notice becomes one mail, several become one
//! summary naming the first few. Rows are claimed with `DELETE …
//! RETURNING` in the transaction that queues the mail in the outbox, so
//! two sweeps never send the same notice and a crash sends it later.
//! Words are composed at that moment, in the recipient's language and time
//! zone, by the [`Words`] port (the web layer's catalogs).

use herald_core::Named;
use std::sync::Arc;

use async_trait::async_trait;
use herald_core::{Clock, Timestamp, UserId, WorkspaceId};
use herald_db::{Db, DbTime, on_pool, on_tx};
use herald_jobs::{Handler, JobContext, JobError, NewJob, Queue};

use crate::timing::{GATHER, MAIL_GAP, SweepMail, sweep_key};
use crate::unsubscribe::{Unsubscription, wants};
use crate::words::{Letter, MailBody, MailPiece, SUMMARY_NAMES, Words};
use crate::{Channel, Notice, NotificationKind, NotifyError, Settings};

/// How many member-kind groups one sweep mails at most; the rest wait for
/// the next sweep, queued at once.
const GROUPS_PER_SWEEP: i64 = 500;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Mails queued.
    pub mails: u64,
    /// Notices they carried.
    pub notices: u64,
    /// Notices dropped (the person left, turned mail off, has no confirmed
    /// address).
    pub dropped: u64,
}

/// The mail side of notifications.
#[derive(Clone)]
pub struct NoticeMail {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    words: Arc<dyn Words>,
    settings: Settings,
}

type Group = (UserId, WorkspaceId, String, i64);

impl NoticeMail {
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        words: Arc<dyn Words>,
        settings: Settings,
    ) -> NoticeMail {
        NoticeMail {
            db,
            queue,
            clock,
            words,
            settings,
        }
    }

    /// Mails every group that is due, and queues the next sweep for the
    /// groups that are not yet.
    pub async fn sweep(&self) -> Result<Swept, NotifyError> {
        let now = self.clock.now();
        forget_old_keys(&self.db, now).await?;
        let gathered = DbTime(now.checked_sub(GATHER).expect("a time after 1970"));
        let groups: Vec<Group> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT user_id, workspace_id, kind, MIN(created_at) FROM notification_mail \
                 GROUP BY user_id, workspace_id, kind ORDER BY MIN(created_at) LIMIT $1",
            )
            .bind(GROUPS_PER_SWEEP)
            .fetch_all(pool)
            .await?
        });
        let full = groups.len() as i64 == GROUPS_PER_SWEEP;
        let mut swept = Swept::default();
        let mut next: Option<Timestamp> = None;
        for (user, workspace, kind, oldest) in groups {
            let gathered_at = DbTime::from_micros(oldest)
                .0
                .checked_add(GATHER)
                .expect("a time before 9999");
            if oldest > gathered.0.as_microsecond() {
                next = Some(next.map_or(gathered_at, |n| n.min(gathered_at)));
                continue;
            }
            if let Some(last) = self.last_sent(user, workspace, &kind).await? {
                let allowed = last.checked_add(MAIL_GAP).expect("a time before 9999");
                if allowed > now {
                    next = Some(next.map_or(allowed, |n| n.min(allowed)));
                    continue;
                }
            }
            let Some(kind) = NotificationKind::parse(&kind) else {
                // Written by a newer version: left for it.
                continue;
            };
            let one = self.send(user, workspace, kind, now).await?;
            swept.mails += one.mails;
            swept.notices += one.notices;
            swept.dropped += one.dropped;
        }
        if full {
            next = Some(now);
        }
        if let Some(at) = next {
            let job = NewJob::of(&SweepMail {})
                .map_err(NotifyError::Encode)?
                .run_at(at)
                .unique_key(sweep_key(at));
            let mut tx = self.db.begin().await?;
            self.queue
                .enqueue(&mut tx, job)
                .await
                .map_err(NotifyError::Queue)?;
            tx.commit().await?;
        }
        if swept.mails > 0 {
            tracing::info!(
                mails = swept.mails,
                notices = swept.notices,
                "notification mail queued"
            );
        }
        Ok(swept)
    }

    async fn last_sent(
        &self,
        user: UserId,
        workspace: WorkspaceId,
        kind: &str,
    ) -> Result<Option<Timestamp>, NotifyError> {
        let at: Option<i64> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT sent_at FROM notification_mail_sent \
                 WHERE user_id = $1 AND workspace_id = $2 AND kind = $3",
            )
            .bind(user)
            .bind(workspace)
            .bind(kind)
            .fetch_optional(pool)
            .await?
        });
        Ok(at.map(|a| DbTime::from_micros(a).0))
    }

    /// Claims and mails one member's waiting notices of one kind.
    async fn send(
        &self,
        user: UserId,
        workspace: WorkspaceId,
        kind: NotificationKind,
        now: Timestamp,
    ) -> Result<Swept, NotifyError> {
        let recipient = herald_accounts::shared::recipients(&self.db, &[user])
            .await?
            .into_iter()
            .next();
        let workspace_name = herald_accounts::shared::workspace_name(&self.db, workspace)
            .await?
            .unwrap_or_default();
        let mut tx = self.db.begin().await?;
        type Row = (i64, String, String, Option<String>, i64);
        let mut rows: Vec<Row> = on_tx!(tx, |conn| {
            sqlx::query_as(
                "DELETE FROM notification_mail WHERE user_id = $1 AND workspace_id = $2 AND kind = $3 \
                 RETURNING id, code, params, link, created_at",
            )
            .bind(user)
            .bind(workspace)
            .bind(kind.as_str())
            .fetch_all(conn)
            .await?
        });
        if rows.is_empty() {
            return Ok(Swept::default());
        }
        rows.sort_by_key(|r| r.0);
        let total = rows.len() as u64;
        let member = herald_accounts::shared::member_ids(&mut tx, workspace)
            .await?
            .contains(&user);
        let deliverable = match &recipient {
            Some(r) => {
                r.verified
                    && member
                    && wants(&mut tx, user, workspace, kind, Channel::Email).await?
            }
            None => false,
        };
        let Some(recipient) = recipient.filter(|_| deliverable) else {
            tx.commit().await?;
            return Ok(Swept {
                dropped: total,
                ..Swept::default()
            });
        };
        let pieces: Vec<MailPiece> = rows
            .into_iter()
            .take(SUMMARY_NAMES)
            .filter_map(|(_, code, params, link, at)| {
                Some(MailPiece {
                    notice: Notice {
                        code,
                        params: serde_json::from_str(&params).ok()?,
                    },
                    link,
                    at: DbTime::from_micros(at).0,
                })
            })
            .collect();
        let zone = crate::zone_of(recipient.time_zone.as_deref());
        let unsubscribe = self.settings.unsubscribe_url(&Unsubscription {
            user,
            workspace,
            kind,
        });
        let composed = self
            .words
            .compose(&Letter {
                locale: &recipient.locale,
                time_zone: &zone,
                name: &recipient.name,
                workspace: &workspace_name,
                body: MailBody::Notices {
                    kind,
                    pieces: &pieces,
                    total,
                },
                unsubscribe: &unsubscribe,
                site: &self.settings.site,
            })
            .map_err(NotifyError::Compose)?;
        herald_mail::enqueue(
            &mut tx,
            &self.queue,
            herald_mail::NewMail {
                kind: "notification",
                to: recipient.email.clone(),
                subject: composed.subject,
                text: composed.text,
                html: composed.html,
            },
        )
        .await
        .map_err(NotifyError::Mail)?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO notification_mail_sent (user_id, workspace_id, kind, sent_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, workspace_id, kind) \
                 DO UPDATE SET sent_at = excluded.sent_at",
            )
            .bind(user)
            .bind(workspace)
            .bind(kind.as_str())
            .bind(DbTime(now))
            .execute(conn)
            .await?;
        });
        tx.commit().await?;
        Ok(Swept {
            mails: 1,
            notices: total,
            dropped: 0,
        })
    }

    pub fn register_jobs(&self, registry: &mut herald_jobs::Registry) {
        registry.register::<SweepMail, _>(SweepHandler(self.clone()));
    }
}

/// Deletes keys that no longer hold (the mail sweep calls it).
async fn forget_old_keys(db: &herald_db::Db, now: Timestamp) -> Result<u64, NotifyError> {
    Ok(herald_db::on_pool!(db, |pool| {
        sqlx::query("DELETE FROM notification_keys WHERE until <= $1")
            .bind(DbTime(now))
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

struct SweepHandler(NoticeMail);

#[async_trait]
impl Handler<SweepMail> for SweepHandler {
    async fn run(&self, _job: SweepMail, _ctx: &JobContext) -> Result<(), JobError> {
        self.0
            .sweep()
            .await
            .map(|_| ())
            .map_err(|e| JobError::transient(herald_core::error::chain(&e)))
    }
}
