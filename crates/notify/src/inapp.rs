//! In-app notifications raised by webhook-driven changes, and each
//! person's preferences for which ones they get.
//!
//! Notices are written by [`notify_workspace`] inside the transaction of
//! the change that raises them (a rolled-back change notifies nobody), one
//! row per member who wants that kind. Each person keeps only their newest
//! [`KEEP_PER_USER`] notices, so a busy account cannot grow the table
//! without bound.
//!
//! A notice is stored as a code with parameters ([`Notice`]), never as a
//! sentence: the web layer renders `notice.<code>` in the reader's
//! language. Notices written before codes were stored keep their English
//! text, shown as it is.

//! The in-app side: each member's notifications in a workspace, newest
//! first, with their read state, and each member's choices of what reaches
//! them through which channel.

use herald_core::Named;

use herald_accounts::{Authorized, Permission};
use herald_core::{Clock, Timestamp, UserId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, on_pool};
use std::sync::Arc;

use crate::timing::KEEP_PER_USER;
use crate::{
    Channel, DigestSchedule, Notice, NotificationKind, NotifyError, UnsubscribeKey, Unsubscription,
};

/// A member's choice for one kind on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub kind: NotificationKind,
    pub channel: Channel,
    pub enabled: bool,
}

/// One notification.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub kind: NotificationKind,
    /// What it says, to be rendered in the reader's language; `None` for a
    /// notice written before codes were stored (then `text` says it).
    pub notice: Option<Notice>,
    /// The English text of an older notice; empty on newer ones.
    pub text: String,
    /// A path inside Herald, e.g. `/home/webhooks/42`.
    pub link: Option<String>,
    pub created_at: Timestamp,
    pub read: bool,
}

/// A member's notifications and choices.
#[derive(Clone)]
pub struct Notifications {
    db: Db,
    clock: Arc<dyn Clock>,
    key: UnsubscribeKey,
}

impl Notifications {
    pub fn new(db: Db, clock: Arc<dyn Clock>, key: UnsubscribeKey) -> Notifications {
        Notifications { db, clock, key }
    }

    /// What an unsubscribe token stands for, when this install signed it
    /// (shown before the one click).
    pub fn unsubscription(&self, token: &str) -> Option<Unsubscription> {
        self.key.read(token)
    }

    /// Turns off the mail an unsubscribe token names: no login, the
    /// signature is the proof. `None` for a token this install did not
    /// sign or a person no longer in the workspace.
    pub async fn unsubscribe(&self, token: &str) -> Result<Option<Unsubscription>, NotifyError> {
        let Some(u) = self.key.read(token) else {
            return Ok(None);
        };
        let mut tx = self.db.begin().await?;
        let done = crate::unsubscribe::apply(&mut tx, &u, self.clock.now()).await?;
        tx.commit().await?;
        Ok(done.then_some(u))
    }

    /// Every kind and channel with whether the member holding `auth` gets
    /// it in the workspace.
    pub async fn choices(&self, auth: &Authorized) -> Result<Vec<Choice>, NotifyError> {
        auth.require(Permission::View)?;
        let stored: Vec<(String, String, bool)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT kind, channel, enabled FROM notification_choices \
                 WHERE user_id = $1 AND workspace_id = $2",
            )
            .bind(auth.user())
            .bind(auth.workspace())
            .fetch_all(pool)
            .await?
        });
        let mut choices = Vec::new();
        for kind in NotificationKind::ALL {
            for channel in Channel::ALL {
                let enabled = stored
                    .iter()
                    .find(|(k, c, _)| k == kind.as_str() && c == channel.as_str())
                    .map_or(kind.default_on(channel), |(_, _, e)| *e);
                choices.push(Choice {
                    kind,
                    channel,
                    enabled,
                });
            }
        }
        Ok(choices)
    }

    /// When `user`'s weekly digest comes (in their time zone).
    pub async fn digest_schedule(&self, user: UserId) -> Result<DigestSchedule, NotifyError> {
        let row: Option<(i32, i32)> = on_pool!(&self.db, |pool| {
            sqlx::query_as("SELECT weekday, minute FROM digest_schedules WHERE user_id = $1")
                .bind(user)
                .fetch_optional(pool)
                .await?
        });
        Ok(row
            .and_then(|(d, m)| DigestSchedule::from_stored(d, m))
            .unwrap_or_default())
    }

    /// Chooses when `user`'s weekly digest comes.
    pub async fn set_digest_schedule(
        &self,
        user: UserId,
        schedule: DigestSchedule,
    ) -> Result<(), NotifyError> {
        let (weekday, minute) = schedule.to_stored();
        let now = DbTime(self.clock.now());
        on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO digest_schedules (user_id, weekday, minute, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
                 weekday = excluded.weekday, minute = excluded.minute, updated_at = excluded.updated_at",
            )
            .bind(user)
            .bind(weekday)
            .bind(minute)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Every kind with whether the member gets it in the app.
    pub async fn preferences(
        &self,
        auth: &Authorized,
    ) -> Result<Vec<(NotificationKind, bool)>, NotifyError> {
        Ok(self
            .choices(auth)
            .await?
            .into_iter()
            .filter(|c| c.channel == Channel::InApp)
            .map(|c| (c.kind, c.enabled))
            .collect())
    }

    /// Sets whether the member gets the given kinds in the app.
    pub async fn set_preferences(
        &self,
        auth: &Authorized,
        prefs: &[(NotificationKind, bool)],
    ) -> Result<(), NotifyError> {
        let choices: Vec<Choice> = prefs
            .iter()
            .map(|(kind, enabled)| Choice {
                kind: *kind,
                channel: Channel::InApp,
                enabled: *enabled,
            })
            .collect();
        self.choose(auth, &choices).await
    }

    /// Sets the given choices; the others keep their value.
    pub async fn choose(&self, auth: &Authorized, choices: &[Choice]) -> Result<(), NotifyError> {
        auth.require(Permission::View)?;
        let mut tx = self.db.begin().await?;
        crate::unsubscribe::store_choices(
            &mut tx,
            auth.user(),
            auth.workspace(),
            choices,
            self.clock.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `user`'s notifications in `workspace`, newest first.
    pub async fn list(
        &self,
        auth: &Authorized,
        limit: usize,
    ) -> Result<Vec<Notification>, NotifyError> {
        auth.require(Permission::View)?;
        let workspace = auth.workspace();
        let user = auth.user();
        let limit = i64::try_from(limit.clamp(1, KEEP_PER_USER as usize)).unwrap_or(KEEP_PER_USER);
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            i64,
            Option<i64>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, kind, text, link, created_at, read_at, code, params FROM notifications \
                 WHERE user_id = $1 AND workspace_id = $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(user.0)
            .bind(workspace.0)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(
                |(id, kind, text, link, created_at, read_at, code, params)| {
                    // A kind this version does not know (written by a newer
                    // one) is left out rather than failing the whole list.
                    let kind = NotificationKind::parse(&kind)?;
                    let notice = match code {
                        Some(code) => Some(Notice {
                            code,
                            params: serde_json::from_str(&params).ok()?,
                        }),
                        None => None,
                    };
                    Some(Notification {
                        id,
                        workspace_id: workspace,
                        kind,
                        notice,
                        text,
                        link,
                        created_at: DbTime::from_micros(created_at).0,
                        read: read_at.is_some(),
                    })
                },
            )
            .collect())
    }

    pub async fn unread_count(&self, auth: &Authorized) -> Result<i64, NotifyError> {
        auth.require(Permission::View)?;
        let workspace = auth.workspace();
        let user = auth.user();
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications \
                 WHERE user_id = $1 AND workspace_id = $2 AND read_at IS NULL",
            )
            .bind(user.0)
            .bind(workspace.0)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Marks all of `user`'s notifications in `workspace` read.
    pub async fn mark_all_read(&self, auth: &Authorized) -> Result<(), NotifyError> {
        auth.require(Permission::View)?;
        let workspace = auth.workspace();
        let user = auth.user();
        let now = DbTime(self.clock.now());
        on_pool!(&self.db, |pool| {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 \
                 WHERE user_id = $2 AND workspace_id = $3 AND read_at IS NULL",
            )
            .bind(now)
            .bind(user.0)
            .bind(workspace.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
