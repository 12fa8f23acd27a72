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

use herald_core::Named;
use std::collections::BTreeMap;

use herald_accounts::{Authorized, Permission};
use herald_core::{Clock, Timestamp};
use herald_core::{UserId, WorkspaceId};
use herald_db::DbTime;
use herald_db::{Db, on_pool, on_tx};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::WebhooksError;

/// How many notifications a person keeps (across workspaces); older ones
/// are deleted when new ones arrive.
pub const KEEP_PER_USER: i64 = 500;

/// The kinds of webhook-driven notifications.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum NotificationKind {
    /// A new comment on a connected account's post.
    Comment,
    /// The account was mentioned.
    Mention,
    /// A direct message.
    Message,
    /// Story insights arrived.
    StoryInsights,
    /// A Meta delivery failed every attempt.
    DeliveryDead,
    /// Someone removed Herald's access on Facebook or Instagram.
    ConnectionRevoked,
    /// An outbound endpoint was disabled or exhausted its retries.
    EndpointFailing,
    /// A post waits for one's approval, one's post was decided on, or a
    /// post was held because its time came before approval.
    Approval,
    /// A teammate mentioned one in a comment on a post.
    PostMention,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 9] = [
        NotificationKind::Comment,
        NotificationKind::Mention,
        NotificationKind::Message,
        NotificationKind::StoryInsights,
        NotificationKind::DeliveryDead,
        NotificationKind::ConnectionRevoked,
        NotificationKind::EndpointFailing,
        NotificationKind::Approval,
        NotificationKind::PostMention,
    ];

    /// Whether a person gets it before they choose.
    pub fn default_enabled(self) -> bool {
        !matches!(self, NotificationKind::StoryInsights)
    }
}

/// What a notification says, in no language: a code and the values its
/// words need.
///
/// | code | params |
/// | --- | --- |
/// | `comment` | `account`, `count`, `author`, `author_kind` (`handle`, `name`, `none`), `quote`, `quote_kind` (`some`, `none`) |
/// | `mention`, `story_insights`, `news` | `account`, `count` |
/// | `message` | `account`, `count`, `quote`, `quote_kind` |
/// | `delivery_dead` | `delivery`, `error` |
/// | `connection_revoked` | `account`, `app` |
/// | `connection_deleted` | `account`, `app` |
/// | `endpoint_gone`, `endpoint_exhausted` | `host` |
/// | `endpoint_failing` | `host`, `days` |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub code: String,
    pub params: BTreeMap<String, NoticeParam>,
}

/// One value of a notice: text shown as it is, or a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeParam {
    Text(String),
    Count(u64),
}

impl From<&str> for NoticeParam {
    fn from(s: &str) -> NoticeParam {
        NoticeParam::Text(s.to_owned())
    }
}

impl From<String> for NoticeParam {
    fn from(s: String) -> NoticeParam {
        NoticeParam::Text(s)
    }
}

impl From<usize> for NoticeParam {
    fn from(n: usize) -> NoticeParam {
        NoticeParam::Count(n as u64)
    }
}

impl Notice {
    pub fn new<const N: usize>(code: &str, params: [(&str, NoticeParam); N]) -> Notice {
        Notice {
            code: code.to_owned(),
            params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// Parameter `name` as text, when it is some.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.params.get(name)? {
            NoticeParam::Text(s) => Some(s),
            NoticeParam::Count(_) => None,
        }
    }
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

#[derive(Clone)]
pub struct Notifications {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl Notifications {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Notifications {
        Notifications { db, clock }
    }

    /// Every kind with whether `user` gets it in `workspace`.
    pub async fn preferences(
        &self,
        auth: &Authorized,
    ) -> Result<Vec<(NotificationKind, bool)>, WebhooksError> {
        auth.require(Permission::View)?;
        let workspace = auth.workspace();
        let user = auth.user();
        let stored: Vec<(String, bool)> = on_pool!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT kind, enabled FROM notification_prefs WHERE user_id = $1 AND workspace_id = $2",
            )
            .bind(user.0)
            .bind(workspace.0)
            .fetch_all(pool)
            .await?
        });
        Ok(NotificationKind::ALL
            .into_iter()
            .map(|kind| {
                let enabled = stored
                    .iter()
                    .find(|(k, _)| k == kind.as_str())
                    .map_or(kind.default_enabled(), |(_, e)| *e);
                (kind, enabled)
            })
            .collect())
    }

    /// Sets the given kinds; others keep their value.
    pub async fn set_preferences(
        &self,
        auth: &Authorized,
        prefs: &[(NotificationKind, bool)],
    ) -> Result<(), WebhooksError> {
        auth.require(Permission::View)?;
        let workspace = auth.workspace();
        let user = auth.user();
        let now = DbTime(self.clock.now());
        let mut tx = self.db.begin().await?;
        for (kind, enabled) in prefs {
            on_tx!(tx, |conn| {
                sqlx::query(
                    "INSERT INTO notification_prefs (user_id, workspace_id, kind, enabled, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (user_id, workspace_id, kind) \
                     DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                )
                .bind(user.0)
                .bind(workspace.0)
                .bind(kind.as_str())
                .bind(*enabled)
                .bind(now)
                .execute(conn)
                .await?;
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// `user`'s notifications in `workspace`, newest first.
    pub async fn list(
        &self,
        auth: &Authorized,
        limit: usize,
    ) -> Result<Vec<Notification>, WebhooksError> {
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

    pub async fn unread_count(&self, auth: &Authorized) -> Result<i64, WebhooksError> {
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
    pub async fn mark_all_read(&self, auth: &Authorized) -> Result<(), WebhooksError> {
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

/// Raises a notification of `kind` for every member of `workspace` who
/// gets that kind (their preference, else the default), inside `tx`.
/// Returns how many were raised.
///
/// The recipients' oldest notices beyond [`KEEP_PER_USER`] are deleted in
/// the same transaction: one indexed probe and a range delete per
/// recipient.
pub(crate) async fn notify_workspace(
    tx: &mut herald_db::Tx,
    workspace: WorkspaceId,
    kind: NotificationKind,
    notice: &Notice,
    link: Option<&str>,
    now: Timestamp,
) -> Result<u64, WebhooksError> {
    let members = herald_accounts::shared::member_ids(tx, workspace).await?;
    raise(tx, workspace, members, kind, notice, link, now).await
}

/// [`notify_workspace`] for some of its members only (`to`; people who are
/// not members are left out).
pub async fn notify_members(
    tx: &mut herald_db::Tx,
    workspace: WorkspaceId,
    to: &[UserId],
    kind: NotificationKind,
    notice: &Notice,
    link: Option<&str>,
    now: Timestamp,
) -> Result<u64, WebhooksError> {
    let mut members = herald_accounts::shared::member_ids(tx, workspace).await?;
    members.retain(|m| to.contains(m));
    raise(tx, workspace, members, kind, notice, link, now).await
}

/// Raises the notice for those of `members` who get `kind`.
async fn raise(
    tx: &mut herald_db::Tx,
    workspace: WorkspaceId,
    members: Vec<UserId>,
    kind: NotificationKind,
    notice: &Notice,
    link: Option<&str>,
    now: Timestamp,
) -> Result<u64, WebhooksError> {
    let params = serde_json::to_string(&notice.params).map_err(WebhooksError::Encode)?;
    let choices: Vec<(UserId, bool)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT user_id, enabled FROM notification_prefs WHERE workspace_id = $1 AND kind = $2",
        )
        .bind(workspace)
        .bind(kind.as_str())
        .fetch_all(conn)
        .await?
    });
    let recipients: Vec<UserId> = members
        .into_iter()
        .filter(|m| {
            choices
                .iter()
                .find(|(user, _)| user == m)
                .map_or(kind.default_enabled(), |(_, enabled)| *enabled)
        })
        .collect();
    if recipients.is_empty() {
        return Ok(0);
    }
    on_tx!(tx, |conn| {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO notifications (user_id, workspace_id, kind, text, link, created_at, code, params) ",
        );
        qb.push_values(&recipients, |mut row, user| {
            row.push_bind(*user)
                .push_bind(workspace)
                .push_bind(kind.as_str())
                .push_bind("")
                .push_bind(link)
                .push_bind(DbTime(now))
                .push_bind(&notice.code)
                .push_bind(&params);
        });
        qb.build().execute(&mut *conn).await?;
    });
    for user in &recipients {
        on_tx!(tx, |conn| {
            sqlx::query(
                "DELETE FROM notifications WHERE user_id = $1 AND id <= \
                 (SELECT n.id FROM notifications n WHERE n.user_id = $1 \
                  ORDER BY n.id DESC LIMIT 1 OFFSET $2)",
            )
            .bind(user)
            .bind(KEEP_PER_USER)
            .execute(conn)
            .await?;
        });
    }
    Ok(recipients.len() as u64)
}
