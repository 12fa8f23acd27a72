//! The inbox's use cases for a member: reading (list, thread, the live
//! fingerprint), triage (assign, notes, done, read) and asking for an
//! action on the platform.

use std::collections::HashMap;

use herald_accounts::shared::{display_names, member_cards, member_ids, record_member_event};
use herald_accounts::{Authorized, Permission};
use herald_core::{Named, UserId};
use herald_db::DbTime;
use herald_jobs::NewJob;
use herald_platforms::AccountKind;
use herald_platforms::engage::Abilities;

use super::store::{self, ActionRow, ItemRow, NewAction, NoteRow};
use super::{
    AccountRef, ActOnItem, ActionFailure, ActionKind, ActionRequest, ActionState, ActionView,
    Author, DEFAULT_LIMIT, Done, Filter, Inbox, InboxError, ItemKind, ItemPage, ItemView,
    MAX_LIMIT, MAX_NOTE_CHARS, MemberRef, NoteView, Offered, Pulse, Thread, notify_live,
};

/// The longest text an account kind's platform takes in a reply or a
/// message, in characters.
pub(crate) fn max_chars(kind: Option<AccountKind>) -> usize {
    match kind {
        Some(AccountKind::FacebookPage) => 8000,
        Some(AccountKind::YouTubeChannel) => 10_000,
        // Instagram's limit, and the safe one for a kind without its own.
        _ => 2200,
    }
}

/// Who the ids of `rows` name.
type Names = HashMap<UserId, String>;

fn member(names: &Names, id: Option<UserId>) -> Option<MemberRef> {
    let id = id?;
    Some(MemberRef {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    })
}

fn view(row: &ItemRow, names: &Names) -> ItemView {
    ItemView {
        id: row.id,
        account: AccountRef {
            id: row.connection_id.clone(),
            name: row.account_name.clone(),
            kind: row.account_kind.clone(),
            provider: row.provider.clone(),
        },
        kind: ItemKind::parse(&row.kind).unwrap_or(ItemKind::Comment),
        remote_id: row.remote_id.clone(),
        parent_remote_id: row.parent_id.clone(),
        media_id: row.media_id.clone(),
        author: Author {
            id: row.author_id.clone(),
            name: row.author_name.clone(),
        },
        text: row.text.clone(),
        written_at: row.remote_created_at.map(|t| DbTime::from_micros(t).0),
        received_at: row.created_at.0,
        removed: row.state == "removed",
        hidden: row.hidden,
        read: row.read,
        assignee: member(names, row.assigned_to),
        done: row.done_at.map(|at| Done {
            at: at.0,
            by: member(names, row.done_by),
        }),
    }
}

fn action_view(row: &ActionRow, names: &Names) -> ActionView {
    ActionView {
        id: row.id,
        item_id: row.item_id,
        kind: ActionKind::parse(&row.kind).unwrap_or(ActionKind::Reply),
        text: row.text.clone(),
        state: ActionState::parse(&row.state).unwrap_or(ActionState::Failed),
        remote_id: row.remote_id.clone(),
        failure: row.failure.as_ref().map(|code| ActionFailure {
            code: code.clone(),
            detail: row.detail.clone(),
        }),
        by: member(names, row.created_by),
        created_at: row.created_at.0,
        finished_at: row.finished_at.map(|t| t.0),
    }
}

fn note_view(row: &NoteRow, names: &Names) -> NoteView {
    NoteView {
        id: row.id,
        author: member(names, row.author_id),
        text: row.text.clone(),
        created_at: row.created_at.0,
    }
}

/// The item's platform actions its account kind's API has, in the item's
/// state: `(reply, private reply, message, hide or unhide, delete)`.
fn possible(row: &ItemRow, a: Abilities) -> Abilities {
    let live = row.state != "removed";
    match ItemKind::parse(&row.kind) {
        Some(ItemKind::Comment) => Abilities {
            reply: a.reply && live,
            private_reply: a.private_reply && live,
            message: false,
            hide: a.hide && live,
            delete: a.delete && live,
        },
        // A mention in a comment can be answered there; a caption
        // mention is someone else's post, with nothing to answer.
        Some(ItemKind::Mention) => Abilities {
            reply: a.reply && live && row.media_id.as_ref() != Some(&row.remote_id),
            ..Abilities::default()
        },
        Some(ItemKind::Message) => Abilities {
            message: a.message && row.author_id.is_some(),
            ..Abilities::default()
        },
        None => Abilities::default(),
    }
}

impl Inbox {
    fn abilities(&self, row: &ItemRow) -> Abilities {
        let kind = AccountKind::parse(&row.account_kind);
        let a = kind
            .and_then(|k| self.inner.engagers.get(k))
            .map(|e| e.abilities())
            .unwrap_or_default();
        possible(row, a)
    }

    fn offered(&self, row: &ItemRow) -> Offered {
        let a = self.abilities(row);
        Offered {
            reply: a.reply,
            private_reply: a.private_reply,
            message: a.message,
            hide: a.hide && !row.hidden,
            unhide: a.hide && row.hidden,
            delete: a.delete,
            max_chars: max_chars(AccountKind::parse(&row.account_kind)),
        }
    }

    async fn names(&self, ids: impl IntoIterator<Item = UserId>) -> Result<Names, InboxError> {
        let mut ids: Vec<UserId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Names::new());
        }
        Ok(display_names(&self.inner.db, &ids).await?)
    }

    async fn found(&self, auth: &Authorized, id: i64) -> Result<ItemRow, InboxError> {
        store::item(&self.inner.db, auth.workspace(), auth.user(), id)
            .await?
            .ok_or(InboxError::NotFound)
    }

    /// One item as the caller sees it now.
    pub async fn item(&self, auth: &Authorized, id: i64) -> Result<ItemView, InboxError> {
        auth.require(Permission::View)?;
        let row = self.found(auth, id).await?;
        let names = self
            .names(row.assigned_to.into_iter().chain(row.done_by))
            .await?;
        Ok(view(&row, &names))
    }

    /// A page of the workspace's items, newest first.
    pub async fn list(&self, auth: &Authorized, filter: &Filter) -> Result<ItemPage, InboxError> {
        auth.require(Permission::View)?;
        let limit = filter.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let mut rows = store::list(
            &self.inner.db,
            auth.workspace(),
            auth.user(),
            filter,
            limit as i64,
        )
        .await?;
        let next = (rows.len() > limit).then(|| rows[limit - 1].id);
        rows.truncate(limit);
        let names = self
            .names(
                rows.iter()
                    .flat_map(|r| r.assigned_to.into_iter().chain(r.done_by)),
            )
            .await?;
        Ok(ItemPage {
            items: rows.iter().map(|r| view(r, &names)).collect(),
            next,
        })
    }

    /// An item with its parent and replies (or conversation), the actions
    /// Herald took, the team's notes, the Herald post it belongs to and
    /// what may be done about it.
    pub async fn thread(&self, auth: &Authorized, id: i64) -> Result<Thread, InboxError> {
        auth.require(Permission::View)?;
        let db = &self.inner.db;
        let row = self.found(auth, id).await?;
        let (parent, replies) = store::around(db, auth.user(), &row).await?;
        let actions = store::actions(db, row.id).await?;
        let notes = store::notes(db, row.id).await?;
        let members = member_cards(db, auth.workspace()).await?;
        let names = self
            .names(
                std::iter::once(&row)
                    .chain(parent.iter())
                    .chain(replies.iter())
                    .flat_map(|r| r.assigned_to.into_iter().chain(r.done_by))
                    .chain(actions.iter().filter_map(|a| a.created_by))
                    .chain(notes.iter().filter_map(|n| n.author_id)),
            )
            .await?;
        let post = match (&row.media_id, ItemKind::parse(&row.kind)) {
            (Some(media), Some(ItemKind::Comment)) => self
                .inner
                .posts
                .published_as(auth, &row.connection_id, media)
                .await
                .map_err(InboxError::Posts)?,
            _ => None,
        };
        Ok(Thread {
            offered: self.offered(&row),
            item: view(&row, &names),
            parent: parent.as_ref().map(|p| view(p, &names)),
            replies: replies.iter().map(|r| view(r, &names)).collect(),
            actions: actions.iter().map(|a| action_view(a, &names)).collect(),
            notes: notes.iter().map(|n| note_view(n, &names)).collect(),
            post,
            members: members
                .into_iter()
                .map(|m| MemberRef {
                    id: m.id,
                    name: m.name,
                })
                .collect(),
        })
    }

    /// The workspace's inbox as a fingerprint, for the live stream.
    pub async fn pulse(&self, auth: &Authorized) -> Result<Pulse, InboxError> {
        auth.require(Permission::View)?;
        let (items, last_change) = store::pulse(&self.inner.db, auth.workspace()).await?;
        Ok(Pulse { items, last_change })
    }

    /// Marks an item read (or unread again) for the caller.
    pub async fn mark_read(
        &self,
        auth: &Authorized,
        id: i64,
        read: bool,
    ) -> Result<ItemView, InboxError> {
        auth.require(Permission::View)?;
        let row = self.found(auth, id).await?;
        store::set_read(&self.inner.db, row.id, auth.user(), read, self.now()).await?;
        self.item(auth, id).await
    }

    /// Assigns an item to a member of the workspace, or to nobody.
    pub async fn assign(
        &self,
        auth: &Authorized,
        id: i64,
        to: Option<UserId>,
    ) -> Result<ItemView, InboxError> {
        auth.require(Permission::Triage)?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        if let Some(to) = to
            && !member_ids(&mut tx, auth.workspace()).await?.contains(&to)
        {
            return Err(InboxError::UnknownMember);
        }
        if !store::assign(&mut tx, auth.workspace(), id, to, now).await? {
            return Err(InboxError::NotFound);
        }
        let detail = to.map_or_else(|| "nobody".to_owned(), |u| format!("user:{u}"));
        record_member_event(&mut tx, now, auth, "inbox.assign", &subject(id), &detail).await?;
        notify_live(&self.inner.queue, &mut tx, auth.workspace()).await?;
        tx.commit().await?;
        self.item(auth, id).await
    }

    /// Marks an item done, or open again.
    pub async fn set_done(
        &self,
        auth: &Authorized,
        id: i64,
        done: bool,
    ) -> Result<ItemView, InboxError> {
        auth.require(Permission::Triage)?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let by = done.then(|| auth.user());
        if !store::set_done(&mut tx, auth.workspace(), id, by, now).await? {
            return Err(InboxError::NotFound);
        }
        let action = if done { "inbox.done" } else { "inbox.reopen" };
        record_member_event(&mut tx, now, auth, action, &subject(id), "").await?;
        store::mark_read_in(&mut tx, id, auth.user(), now).await?;
        notify_live(&self.inner.queue, &mut tx, auth.workspace()).await?;
        tx.commit().await?;
        self.item(auth, id).await
    }

    /// Adds a note of the team's to an item.
    pub async fn add_note(
        &self,
        auth: &Authorized,
        id: i64,
        text: &str,
    ) -> Result<NoteView, InboxError> {
        auth.require(Permission::Triage)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(InboxError::NoteRequired);
        }
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(InboxError::NoteTooLong);
        }
        let row = self.found(auth, id).await?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let note =
            store::insert_note(&mut tx, auth.workspace(), row.id, auth.user(), text, now).await?;
        store::touch(&mut tx, row.id, now).await?;
        store::mark_read_in(&mut tx, row.id, auth.user(), now).await?;
        record_member_event(
            &mut tx,
            now,
            auth,
            "inbox.note",
            &subject(row.id),
            &format!("note:{note}"),
        )
        .await?;
        notify_live(&self.inner.queue, &mut tx, auth.workspace()).await?;
        tx.commit().await?;
        let names = self.names([auth.user()]).await?;
        Ok(NoteView {
            id: note,
            author: member(&names, Some(auth.user())),
            text: text.to_owned(),
            created_at: now,
        })
    }

    /// Asks for an action on the platform: recorded as queued, performed
    /// by the `inbox.act.v1` job. Refused (changing nothing) when the item
    /// or its account kind does not offer it, or the text is empty or
    /// longer than the platform takes.
    pub async fn act(
        &self,
        auth: &Authorized,
        id: i64,
        request: ActionRequest,
    ) -> Result<ActionView, InboxError> {
        auth.require(Permission::Engage)?;
        let row = self.found(auth, id).await?;
        let may = self.abilities(&row);
        let is_message = row.kind == ItemKind::Message.as_str();
        let (kind, text) = match request {
            ActionRequest::Reply { text, private } => {
                let kind = match (is_message, private) {
                    (true, false) if may.message => ActionKind::Message,
                    (false, false) if may.reply => ActionKind::Reply,
                    (false, true) if may.private_reply => ActionKind::PrivateReply,
                    _ => return Err(InboxError::Unsupported),
                };
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(InboxError::TextRequired);
                }
                let limit = max_chars(AccountKind::parse(&row.account_kind));
                if text.chars().count() > limit {
                    return Err(InboxError::TextTooLong { limit });
                }
                (kind, Some(text))
            }
            ActionRequest::Hide { hidden } if may.hide => (
                if hidden {
                    ActionKind::Hide
                } else {
                    ActionKind::Unhide
                },
                None,
            ),
            ActionRequest::Delete if may.delete => (ActionKind::Delete, None),
            ActionRequest::Hide { .. } | ActionRequest::Delete => {
                return Err(InboxError::Unsupported);
            }
        };
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let action = store::insert_action(
            &mut tx,
            &NewAction {
                workspace: auth.workspace(),
                item: row.id,
                kind: kind.as_str(),
                text: text.as_deref(),
                by: auth.user(),
                now,
            },
        )
        .await?;
        let job = NewJob::of(&ActOnItem { action }).map_err(InboxError::Encode)?;
        self.inner.queue.enqueue(&mut tx, job).await?;
        record_member_event(
            &mut tx,
            now,
            auth,
            &format!("inbox.{}", kind.as_str()),
            &subject(row.id),
            &format!("action:{action}"),
        )
        .await?;
        store::touch(&mut tx, row.id, now).await?;
        store::mark_read_in(&mut tx, row.id, auth.user(), now).await?;
        notify_live(&self.inner.queue, &mut tx, auth.workspace()).await?;
        tx.commit().await?;
        let names = self.names([auth.user()]).await?;
        Ok(ActionView {
            id: action,
            item_id: row.id,
            kind,
            text,
            state: ActionState::Queued,
            remote_id: None,
            failure: None,
            by: member(&names, Some(auth.user())),
            created_at: now,
            finished_at: None,
        })
    }
}

/// How the audit log names an item.
fn subject(id: i64) -> String {
    format!("inbox_item:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, state: &str) -> ItemRow {
        ItemRow {
            id: 1,
            connection_id: "c".into(),
            kind: kind.to_owned(),
            remote_id: "r".into(),
            parent_id: None,
            media_id: Some("m".into()),
            author_id: Some("a".into()),
            author_name: None,
            text: None,
            remote_created_at: None,
            state: state.to_owned(),
            created_at: DbTime::from_micros(0),
            assigned_to: None,
            done_at: None,
            done_by: None,
            hidden: false,
            read: false,
            account_name: "Acme".into(),
            account_kind: "instagram_business".into(),
            provider: "facebook".into(),
            account_remote_id: "ig".into(),
        }
    }

    const ALL: Abilities = Abilities {
        reply: true,
        private_reply: true,
        message: true,
        hide: true,
        delete: true,
    };

    #[test]
    fn each_kind_of_item_offers_only_what_fits_it() {
        let comment = possible(&row("comment", "new"), ALL);
        assert!(comment.reply && comment.private_reply && comment.hide && comment.delete);
        assert!(!comment.message);
        assert_eq!(
            possible(&row("comment", "removed"), ALL),
            Abilities::default()
        );
        let message = possible(&row("message", "new"), ALL);
        assert_eq!(
            message,
            Abilities {
                message: true,
                ..Abilities::default()
            }
        );
        let mut caption = row("mention", "new");
        caption.remote_id = "m".into();
        assert_eq!(possible(&caption, ALL), Abilities::default());
        assert!(possible(&row("mention", "new"), ALL).reply);
        // What the account kind's API lacks is never offered.
        assert_eq!(
            possible(&row("comment", "new"), Abilities::default()),
            Abilities::default()
        );
    }

    #[test]
    fn each_platform_has_its_own_text_limit() {
        assert_eq!(max_chars(Some(AccountKind::InstagramBusiness)), 2200);
        assert_eq!(max_chars(Some(AccountKind::InstagramAccount)), 2200);
        assert_eq!(max_chars(Some(AccountKind::FacebookPage)), 8000);
        assert_eq!(max_chars(Some(AccountKind::YouTubeChannel)), 10_000);
    }
}
