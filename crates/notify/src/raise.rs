//! Raising a notification: in the transaction of the change that causes
//! it (a rolled-back change tells nobody), for the members it concerns,
//! through each channel they keep on.
//!
//! - **In-app**: one row per recipient in `notifications`; each person
//!   keeps their newest [`KEEP_PER_USER`].
//! - **E-mail**: one waiting row per recipient in `notification_mail`; the
//!   mail sweep ([`crate::mail`]) gathers a member's waiting notices of one
//!   kind into one mail after [`GATHER`], and never mails one member about
//!   one kind twice within [`MAIL_GAP`]: 500 failures in a minute are one
//!   summary.
//! - **Webhooks**: one `notification.raised` event per raise in the event
//!   outbox, which the workspace's outbound endpoints may subscribe to
//!   (not for a failing endpoint: telling it about itself would only queue
//!   more messages to it).
//!
//! A notice with a key (a failed target, a connection to reconnect) is
//! raised once per workspace while its key is younger than [`KEY_WINDOW`],
//! however often its cause repeats.

use herald_core::Named;

use herald_accounts::{Permission, Role};
use herald_core::{SignedDuration, Timestamp, UserId, WorkspaceId};
use herald_db::{DbTime, Tx, on_tx};
use herald_events::{Event, Outbox, Subject};
use herald_jobs::{NewJob, Queue};
use serde::Serialize;

use crate::timing::{GATHER, KEEP_PER_USER, KEY_WINDOW, SweepMail, sweep_key};
use crate::{Channel, Notice, NotificationKind, NotifyError};

/// The event subject of every raised notification.
pub const NOTIFICATION_EVENT: &str = "notification.raised";

/// Who a notification is for (always members of its workspace).
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Every member.
    Everyone,
    /// These members (people no longer in the workspace are left out).
    Members(&'a [UserId]),
    /// Every member whose role allows this.
    Permitted(Permission),
    /// These members and everyone whose role allows this.
    MembersAnd(&'a [UserId], Permission),
    /// These members; when none of them is still in the workspace,
    /// everyone whose role allows this (a failed post whose author left).
    MembersElse(&'a [UserId], Permission),
}

impl Audience<'_> {
    /// The members of `members` (with their roles) this audience names.
    pub fn pick(&self, members: &[(UserId, Role)]) -> Vec<UserId> {
        let permitted = |p: Permission| -> Vec<UserId> {
            members
                .iter()
                .filter(|(_, role)| role.allows(p))
                .map(|(u, _)| *u)
                .collect()
        };
        let named = |to: &[UserId]| -> Vec<UserId> {
            members
                .iter()
                .filter(|(u, _)| to.contains(u))
                .map(|(u, _)| *u)
                .collect()
        };
        let mut picked = match *self {
            Audience::Everyone => members.iter().map(|(u, _)| *u).collect(),
            Audience::Members(to) => named(to),
            Audience::Permitted(p) => permitted(p),
            Audience::MembersAnd(to, p) => {
                let mut all = named(to);
                all.extend(permitted(p));
                all
            }
            Audience::MembersElse(to, p) => {
                let some = named(to);
                if some.is_empty() { permitted(p) } else { some }
            }
        };
        picked.sort_unstable();
        picked.dedup();
        picked
    }
}

/// One notification to raise.
#[derive(Debug, Clone, Copy)]
pub struct Raise<'a> {
    pub workspace: WorkspaceId,
    pub audience: Audience<'a>,
    pub kind: NotificationKind,
    pub notice: &'a Notice,
    /// A path inside Herald, e.g. `/home/posts/…`.
    pub link: Option<&'a str>,
    /// Raised once per workspace for this key while it holds.
    pub key: Option<&'a str>,
    /// How long the key holds ([`KEY_WINDOW`] unless set).
    pub key_for: SignedDuration,
    /// Who caused it: never told about their own doing.
    pub by: Option<UserId>,
}

impl<'a> Raise<'a> {
    pub fn new(
        workspace: WorkspaceId,
        audience: Audience<'a>,
        kind: NotificationKind,
        notice: &'a Notice,
    ) -> Raise<'a> {
        Raise {
            workspace,
            audience,
            kind,
            notice,
            link: None,
            key: None,
            key_for: KEY_WINDOW,
            by: None,
        }
    }

    pub fn link(mut self, link: &'a str) -> Self {
        self.link = Some(link);
        self
    }

    pub fn key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }

    /// Like [`Raise::key`], holding for `window` instead of a day.
    pub fn key_for(mut self, key: &'a str, window: SignedDuration) -> Self {
        self.key = Some(key);
        self.key_for = window;
        self
    }

    pub fn by(mut self, user: UserId) -> Self {
        self.by = Some(user);
        self
    }
}

/// What raising did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Raised {
    /// In-app notices written.
    pub in_app: u64,
    /// Mails waiting to be gathered.
    pub email: u64,
    /// The key was raised within the window: nothing was done.
    pub repeated: bool,
}

/// Raises notifications. Cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    queue: Queue,
    outbox: Outbox,
}

#[derive(Serialize)]
struct RaisedEvent<'a> {
    workspace_id: i64,
    kind: &'static str,
    code: &'a str,
    params: &'a std::collections::BTreeMap<String, crate::NoticeParam>,
    link: Option<&'a str>,
}

impl Notifier {
    /// A notifier whose mail sweeps and events go through `queue`'s
    /// database and wake-ups.
    pub fn new(queue: Queue) -> Notifier {
        let outbox = Outbox::with_notifications(
            queue.db().clone(),
            queue.clock().clone(),
            queue.notifications().clone(),
        );
        Notifier { queue, outbox }
    }

    /// Raises `raise` inside `tx` at `now`.
    pub async fn raise(
        &self,
        tx: &mut Tx,
        raise: &Raise<'_>,
        now: Timestamp,
    ) -> Result<Raised, NotifyError> {
        if let Some(key) = raise.key
            && !fresh_key(tx, raise.workspace, key, raise.key_for, now).await?
        {
            return Ok(Raised {
                repeated: true,
                ..Raised::default()
            });
        }
        let members = herald_accounts::shared::member_roles(tx, raise.workspace).await?;
        let mut audience = raise.audience.pick(&members);
        audience.retain(|u| Some(*u) != raise.by);
        let params = serde_json::to_string(&raise.notice.params).map_err(NotifyError::Encode)?;
        let mut raised = Raised::default();
        if !audience.is_empty() {
            let choices: Vec<(UserId, String, bool)> = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "SELECT user_id, channel, enabled FROM notification_choices \
                     WHERE workspace_id = $1 AND kind = $2",
                )
                .bind(raise.workspace)
                .bind(raise.kind.as_str())
                .fetch_all(conn)
                .await?
            });
            let wants = |user: UserId, channel: Channel| {
                choices
                    .iter()
                    .find(|(u, c, _)| *u == user && c == channel.as_str())
                    .map_or(raise.kind.default_on(channel), |(_, _, on)| *on)
            };
            let in_app: Vec<UserId> = audience
                .iter()
                .copied()
                .filter(|u| wants(*u, Channel::InApp))
                .collect();
            let email: Vec<UserId> = audience
                .iter()
                .copied()
                .filter(|u| wants(*u, Channel::Email))
                .collect();
            raised.in_app = insert_in_app(
                tx,
                raise.workspace,
                raise.kind,
                raise.notice,
                raise.link,
                &in_app,
                now,
            )
            .await?;
            raised.email = self.wait_for_mail(tx, raise, &email, &params, now).await?;
        }
        // A failing endpoint is not told about itself through the endpoints:
        // each failure would queue another message to it.
        if raise.kind == NotificationKind::EndpointFailing {
            return self.finish(tx, raise, raised).await;
        }
        let event = Event::new(
            Subject::parse(NOTIFICATION_EVENT).expect("a valid subject"),
            serde_json::to_value(RaisedEvent {
                workspace_id: raise.workspace.0,
                kind: raise.kind.as_str(),
                code: &raise.notice.code,
                params: &raise.notice.params,
                link: raise.link,
            })
            .map_err(NotifyError::Encode)?,
            now,
        );
        self.outbox
            .append(tx, &event)
            .await
            .map_err(NotifyError::Event)?;
        self.finish(tx, raise, raised).await
    }

    /// Wakes the workspace's live pages after commit when anything was
    /// shown in the app.
    async fn finish(
        &self,
        tx: &mut Tx,
        raise: &Raise<'_>,
        raised: Raised,
    ) -> Result<Raised, NotifyError> {
        if raised.in_app > 0 {
            self.queue
                .notifications()
                .notify_after_commit(tx, crate::LIVE_CHANNEL, &raise.workspace.0.to_string())
                .await?;
        }
        Ok(raised)
    }

    /// Writes the waiting mail rows and makes sure a sweep will gather
    /// them: one sweep job per minute at most, by its key.
    async fn wait_for_mail(
        &self,
        tx: &mut Tx,
        raise: &Raise<'_>,
        to: &[UserId],
        params: &str,
        now: Timestamp,
    ) -> Result<u64, NotifyError> {
        if to.is_empty() {
            return Ok(0);
        }
        on_tx!(tx, |conn| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO notification_mail (user_id, workspace_id, kind, code, params, link, created_at) ",
            );
            qb.push_values(to, |mut row, user| {
                row.push_bind(*user)
                    .push_bind(raise.workspace)
                    .push_bind(raise.kind.as_str())
                    .push_bind(&raise.notice.code)
                    .push_bind(params)
                    .push_bind(raise.link)
                    .push_bind(DbTime(now));
            });
            qb.build().execute(&mut *conn).await?;
        });
        let due = now.checked_add(GATHER).expect("a time before 9999");
        let job = NewJob::of(&SweepMail {})
            .map_err(NotifyError::Encode)?
            .run_at(due)
            .unique_key(sweep_key(due));
        self.queue
            .enqueue(tx, job)
            .await
            .map_err(NotifyError::Queue)?;
        Ok(to.len() as u64)
    }
}

/// Whether `key` does not hold in `workspace` now; makes it hold for
/// `window` when so.
async fn fresh_key(
    tx: &mut Tx,
    workspace: WorkspaceId,
    key: &str,
    window: SignedDuration,
    now: Timestamp,
) -> Result<bool, NotifyError> {
    let until = now.checked_add(window).expect("a time before 9999");
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO notification_keys (workspace_id, key, until) VALUES ($1, $2, $3) \
             ON CONFLICT (workspace_id, key) DO UPDATE SET until = excluded.until \
             WHERE notification_keys.until <= $4",
        )
        .bind(workspace)
        .bind(key)
        .bind(DbTime(until))
        .bind(DbTime(now))
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// One in-app notice for `user` (the digest), in `tx`.
pub(crate) async fn insert_for(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
    kind: NotificationKind,
    notice: &Notice,
    link: Option<&str>,
    now: Timestamp,
) -> Result<u64, NotifyError> {
    insert_in_app(tx, workspace, kind, notice, link, &[user], now).await
}

/// The in-app rows, and each recipient's oldest beyond [`KEEP_PER_USER`]
/// deleted: one indexed probe and a range delete per recipient.
async fn insert_in_app(
    tx: &mut Tx,
    workspace: WorkspaceId,
    kind: NotificationKind,
    notice: &Notice,
    link: Option<&str>,
    to: &[UserId],
    now: Timestamp,
) -> Result<u64, NotifyError> {
    if to.is_empty() {
        return Ok(0);
    }
    let params = serde_json::to_string(&notice.params).map_err(NotifyError::Encode)?;
    on_tx!(tx, |conn| {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO notifications (user_id, workspace_id, kind, text, link, created_at, code, params) ",
        );
        qb.push_values(to, |mut row, user| {
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
    for user in to {
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
    Ok(to.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Vec<(UserId, Role)> {
        vec![
            (UserId(1), Role::Owner),
            (UserId(2), Role::Admin),
            (UserId(3), Role::Editor),
            (UserId(4), Role::Contributor),
            (UserId(5), Role::Viewer),
        ]
    }

    #[test]
    fn an_audience_names_only_members() {
        let m = members();
        assert_eq!(Audience::Everyone.pick(&m).len(), 5);
        assert_eq!(
            Audience::Members(&[UserId(4), UserId(99)]).pick(&m),
            vec![UserId(4)]
        );
        assert_eq!(
            Audience::Permitted(Permission::ManageConnections).pick(&m),
            vec![UserId(1), UserId(2)]
        );
        assert_eq!(
            Audience::MembersAnd(&[UserId(4), UserId(1)], Permission::ManageConnections).pick(&m),
            vec![UserId(1), UserId(2), UserId(4)]
        );
        assert_eq!(
            Audience::MembersElse(&[UserId(99)], Permission::Publish).pick(&m),
            vec![UserId(1), UserId(2), UserId(3)],
            "the author left: those who may publish are told"
        );
        assert_eq!(
            Audience::MembersElse(&[UserId(5)], Permission::Publish).pick(&m),
            vec![UserId(5)]
        );
    }
}
