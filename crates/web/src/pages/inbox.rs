//! The engagement inbox as pages: the list with its filters
//! (`/home/inbox`), and an item's thread (`/home/inbox/{id}`) with the
//! post it belongs to, the actions Herald took, the team's notes and the
//! forms to reply, assign, note, hide, delete and mark done or read. Every
//! form is a POST that redirects back to the thread with a notice, so
//! nothing needs JavaScript; with it, the list and the thread refresh
//! themselves when the live stream says the inbox changed (`data-live`
//! regions, see `static/app.js`).

use herald_core::Named;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Authorized, Permission};
use herald_core::{ConnectionId, UserId};
use herald_webhooks::inbox::{
    ActionRequest, ActionView, DoneFilter, Filter, InboxError, ItemKind, ItemView, Offered,
};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::posts::{local_time, viewer_zone};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::auth::SignedIn;
use crate::error::inbox_status;
use crate::i18n::Catalog;
use crate::member::{self, PageMember};
use crate::{AppState, WebError, words};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/inbox", get(list_inbox))
        .route("/home/inbox/{id}", get(show_item))
        .route("/home/inbox/{id}/reply", post(reply_to_item))
        .route("/home/inbox/{id}/assign", post(assign_item))
        .route("/home/inbox/{id}/notes", post(add_note))
        .route("/home/inbox/{id}/done", post(mark_item_done))
        .route("/home/inbox/{id}/read", post(mark_item_read))
        .route("/home/inbox/{id}/hide", post(hide_item))
        .route("/home/inbox/{id}/delete", post(delete_item))
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An item as a row of the list (or a message of a thread).
pub struct ItemRow {
    pub id: i64,
    pub href: String,
    pub account: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub author: String,
    pub text: String,
    pub at: String,
    pub assignee: Option<String>,
    pub read: bool,
    pub done: bool,
    pub removed: bool,
    pub hidden: bool,
}

fn kind_label(t: &'static Catalog, kind: ItemKind) -> &'static str {
    t.text(&format!("inbox.kind.{}", kind.as_str()))
}

fn item_row(t: &'static Catalog, tz: &TimeZone, workspace: i64, item: &ItemView) -> ItemRow {
    ItemRow {
        id: item.id,
        href: format!("/home/inbox/{}?workspace={workspace}", item.id),
        account: item.account.name.clone(),
        kind: item.kind.as_str(),
        kind_label: kind_label(t, item.kind),
        author: item
            .author
            .name
            .clone()
            .unwrap_or_else(|| t.text("inbox.someone").to_owned()),
        text: item
            .text
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| t.text("inbox.no_text").to_owned()),
        at: local_time(item.written_at.unwrap_or(item.received_at), tz),
        assignee: item.assignee.as_ref().map(|m| m.name.clone()),
        read: item.read,
        done: item.done.is_some(),
        removed: item.removed,
        hidden: item.hidden,
    }
}

// ------------------------------------------------------------ the list

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    rows: Vec<ItemRow>,
    accounts: Vec<Choice>,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    unread: bool,
    assigned_to_me: bool,
    filtered: bool,
    /// The next (older) page, with the same filters.
    older: Option<String>,
    zone_note: String,
    /// The inbox's fingerprint when the page was read (the live script
    /// refreshes the list when the stream's differs).
    pulse: String,
}

/// The list's query; values that are not one of the choices are ignored
/// (a hand-edited address shows the unfiltered list, not an error).
#[derive(Deserialize, Default)]
struct ListQuery {
    account: Option<String>,
    kind: Option<String>,
    unread: Option<String>,
    assigned: Option<String>,
    state: Option<String>,
    before: Option<i64>,
    tz: Option<String>,
}

fn ticked(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "on" | "true" | "yes"))
}

fn filter_of(q: &ListQuery) -> Filter {
    Filter {
        account: q
            .account
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(ConnectionId::from),
        kind: q.kind.as_deref().and_then(ItemKind::parse),
        unread: ticked(q.unread.as_deref()),
        assigned_to_me: q.assigned.as_deref() == Some("me"),
        state: match q.state.as_deref() {
            Some("done") => DoneFilter::Done,
            Some("all") => DoneFilter::All,
            _ => DoneFilter::Open,
        },
        before: q.before,
        limit: None,
    }
}

/// The list's address with `filter` (for the next page and the stream's
/// refreshes).
fn list_href(workspace: i64, filter: &Filter, before: Option<i64>) -> String {
    let mut href = format!("/home/inbox?workspace={workspace}");
    if let Some(account) = &filter.account {
        let account: String =
            url::form_urlencoded::byte_serialize(account.as_str().as_bytes()).collect();
        href.push_str(&format!("&account={account}"));
    }
    if let Some(kind) = filter.kind {
        href.push_str(&format!("&kind={}", kind.as_str()));
    }
    if filter.unread {
        href.push_str("&unread=1");
    }
    if filter.assigned_to_me {
        href.push_str("&assigned=me");
    }
    match filter.state {
        DoneFilter::Open => {}
        other => href.push_str(&format!("&state={}", <&'static str>::from(other))),
    }
    if let Some(before) = before {
        href.push_str(&format!("&before={before}"));
    }
    href
}

async fn list_inbox(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let filter = filter_of(&q);
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    // Read first: what arrives meanwhile makes the stream's newer.
    let pulse = pulse_of(&state, &auth).await?;
    let page = state.inbox().list(&auth, &filter).await?;
    let accounts = state
        .connections()
        .list(&auth, None)
        .await
        .map_err(WebError::Connect)?;
    let ws = workspace.id.0;
    let t = c.t;
    render(&InboxPage {
        rail: rail(Section::Inbox),
        workspace: ws,
        rows: page
            .items
            .iter()
            .map(|i| item_row(t, &zone.tz, ws, i))
            .collect(),
        accounts: accounts
            .iter()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
                selected: filter.account.as_ref() == Some(&a.id),
            })
            .collect(),
        kinds: ItemKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: kind_label(t, k).to_owned(),
                selected: filter.kind == Some(k),
            })
            .collect(),
        states: [DoneFilter::Open, DoneFilter::Done, DoneFilter::All]
            .into_iter()
            .map(|s| {
                let value = <&'static str>::from(s);
                Choice {
                    value: value.to_owned(),
                    label: t.text(&format!("inbox.state.{value}")).to_owned(),
                    selected: filter.state == s,
                }
            })
            .collect(),
        unread: filter.unread,
        assigned_to_me: filter.assigned_to_me,
        filtered: filter.account.is_some()
            || filter.kind.is_some()
            || filter.unread
            || filter.assigned_to_me
            || filter.state != DoneFilter::Open,
        older: page.next.map(|next| list_href(ws, &filter, Some(next))),
        zone_note: t.fill("inbox.times_in", "zone", zone.name.as_str()),
        pulse,
        c,
    })
}

/// The inbox's fingerprint as the live stream writes it.
async fn pulse_of(state: &AppState, auth: &Authorized) -> Result<String, WebError> {
    let pulse = state.inbox().pulse(auth).await?;
    Ok(format!("{}-{}", pulse.items, pulse.last_change))
}

// ------------------------------------------------------------ a thread

pub struct ActionRow {
    pub kind_label: &'static str,
    pub text: Option<String>,
    pub state: &'static str,
    pub state_label: &'static str,
    pub failure: Option<String>,
    pub by: String,
    pub at: String,
}

pub struct NoteRow {
    pub author: String,
    pub text: String,
    pub at: String,
}

pub struct PostRow {
    pub href: String,
    pub caption: String,
    pub permalink: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox_item.html")]
struct ItemPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    item: ItemRow,
    is_message: bool,
    parent: Option<ItemRow>,
    replies: Vec<ItemRow>,
    actions: Vec<ActionRow>,
    notes: Vec<NoteRow>,
    post: Option<PostRow>,
    offered: Offered,
    members: Vec<Choice>,
    may_triage: bool,
    may_engage: bool,
    list_href: String,
    notice: Option<String>,
    error: Option<String>,
    pulse: String,
}

#[derive(Deserialize, Default)]
struct ItemQuery {
    tz: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

fn action_row(t: &'static Catalog, tz: &TimeZone, a: &ActionView) -> ActionRow {
    let state: &'static str = a.state.into();
    ActionRow {
        kind_label: t.text(&format!("inbox.action.{}", <&'static str>::from(a.kind))),
        text: a.text.clone(),
        state,
        state_label: t.text(&format!("inbox.action_state.{state}")),
        failure: a.failure.as_ref().map(|f| words::inbox_failure(t, f)),
        by: a.by.as_ref().map_or_else(
            || t.text("inbox.former_member").to_owned(),
            |m| m.name.clone(),
        ),
        at: local_time(a.finished_at.unwrap_or(a.created_at), tz),
    }
}

async fn show_item(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<i64>,
    Query(q): Query<ItemQuery>,
) -> Result<Response, WebError> {
    let pulse = pulse_of(&state, &auth).await?;
    let thread = state.inbox().thread(&auth, id).await?;
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let ws = workspace.id.0;
    let t = c.t;
    let tz = &zone.tz;
    let assignee = thread.item.assignee.as_ref().map(|m| m.id);
    let mut members: Vec<Choice> = vec![Choice {
        value: String::new(),
        label: t.text("inbox.nobody").to_owned(),
        selected: assignee.is_none(),
    }];
    members.extend(thread.members.iter().map(|m| Choice {
        value: m.id.to_string(),
        label: m.name.clone(),
        selected: assignee == Some(m.id),
    }));
    render(&ItemPage {
        rail: rail(Section::Inbox),
        workspace: ws,
        item: item_row(t, tz, ws, &thread.item),
        is_message: thread.item.kind == ItemKind::Message,
        parent: thread.parent.as_ref().map(|p| item_row(t, tz, ws, p)),
        replies: thread
            .replies
            .iter()
            .map(|r| item_row(t, tz, ws, r))
            .collect(),
        actions: thread
            .actions
            .iter()
            .map(|a| action_row(t, tz, a))
            .collect(),
        notes: thread
            .notes
            .iter()
            .map(|n| NoteRow {
                author: n.author.as_ref().map_or_else(
                    || t.text("inbox.former_member").to_owned(),
                    |m| m.name.clone(),
                ),
                text: n.text.clone(),
                at: local_time(n.created_at, tz),
            })
            .collect(),
        post: thread.post.as_ref().map(|p| PostRow {
            href: format!("/home/posts/{}?workspace={ws}", p.post_id),
            caption: p
                .caption
                .clone()
                .unwrap_or_else(|| t.text("inbox.post_untitled").to_owned()),
            permalink: p
                .permalink
                .clone()
                .filter(|l| l.starts_with("https://") || l.starts_with("http://")),
        }),
        offered: thread.offered,
        members,
        may_triage: auth.allows(Permission::Triage),
        may_engage: auth.allows(Permission::Engage),
        list_href: format!("/home/inbox?workspace={ws}"),
        notice: known(t, "inbox.done.", q.done.as_deref()),
        error: known(t, "error.", q.error.as_deref()),
        pulse,
        c,
    })
}

// ------------------------------------------------------------ forms

/// Back to the thread with a notice; refusals a person can act on (a
/// rule, their role) become a message there, a missing item and server
/// failures the error page.
fn back(
    auth: &Authorized,
    id: i64,
    outcome: Result<&str, InboxError>,
) -> Result<Response, WebError> {
    let base = format!("/home/inbox/{id}?workspace={}", auth.workspace());
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("{base}&done={done}")).into_response()),
        Err(e) => {
            let status = inbox_status(&e);
            if status.is_server_error() || status == StatusCode::NOT_FOUND {
                return Err(e.into());
            }
            Ok(Redirect::to(&format!("{base}&error={}", e.code())).into_response())
        }
    }
}

/// The proof for the form's workspace: membership here, the inbox service
/// checks what the action needs.
async fn proof(
    state: &AppState,
    user: &herald_accounts::User,
    workspace: i64,
) -> Result<Authorized, WebError> {
    member::proof(state, user, Some(workspace), Permission::View).await
}

#[derive(Deserialize)]
struct ReplyForm {
    workspace: i64,
    #[serde(default)]
    text: String,
    /// Present when the private-reply button was pressed.
    #[serde(default)]
    private: Option<String>,
}

async fn reply_to_item(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ReplyForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let private = ticked(form.private.as_deref());
    let outcome = state
        .inbox()
        .act(
            &auth,
            id,
            ActionRequest::Reply {
                text: form.text,
                private,
            },
        )
        .await
        .map(|_| "reply_queued");
    back(&auth, id, outcome)
}

#[derive(Deserialize)]
struct AssignForm {
    workspace: i64,
    /// A member's id, or empty for nobody.
    #[serde(default)]
    user: String,
}

async fn assign_item(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<AssignForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let to = match form.user.trim() {
        "" => None,
        raw => Some(UserId(raw.parse().map_err(|_| WebError::BadRequest {
            code: "bad_request",
        })?)),
    };
    let outcome = state.inbox().assign(&auth, id, to).await.map(|_| {
        if to.is_some() {
            "assigned"
        } else {
            "unassigned"
        }
    });
    back(&auth, id, outcome)
}

#[derive(Deserialize)]
struct NoteForm {
    workspace: i64,
    #[serde(default)]
    text: String,
}

async fn add_note(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<NoteForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .inbox()
        .add_note(&auth, id, &form.text)
        .await
        .map(|_| "noted");
    back(&auth, id, outcome)
}

#[derive(Deserialize)]
struct FlagForm {
    workspace: i64,
    /// `true` (the default) or `false`.
    #[serde(default)]
    value: Option<String>,
}

impl FlagForm {
    fn on(&self) -> bool {
        self.value.as_deref() != Some("false")
    }
}

async fn mark_item_done(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FlagForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let done = form.on();
    let outcome = state
        .inbox()
        .set_done(&auth, id, done)
        .await
        .map(|_| if done { "marked_done" } else { "reopened" });
    back(&auth, id, outcome)
}

async fn mark_item_read(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FlagForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let read = form.on();
    let outcome = state
        .inbox()
        .mark_read(&auth, id, read)
        .await
        .map(|_| if read { "marked_read" } else { "marked_unread" });
    back(&auth, id, outcome)
}

async fn hide_item(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FlagForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let hidden = form.on();
    let outcome = state
        .inbox()
        .act(&auth, id, ActionRequest::Hide { hidden })
        .await
        .map(|_| {
            if hidden {
                "hide_queued"
            } else {
                "unhide_queued"
            }
        });
    back(&auth, id, outcome)
}

#[derive(Deserialize)]
struct WorkspaceForm {
    workspace: i64,
}

async fn delete_item(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .inbox()
        .act(&auth, id, ActionRequest::Delete)
        .await
        .map(|_| "delete_queued");
    back(&auth, id, outcome)
}

/// Every code the pages put into words (for the catalogs' test).
#[cfg(test)]
const DONE_CODES: [&str; 11] = [
    "reply_queued",
    "assigned",
    "unassigned",
    "noted",
    "marked_done",
    "reopened",
    "marked_read",
    "marked_unread",
    "hide_queued",
    "unhide_queued",
    "delete_queued",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};
    use herald_webhooks::inbox::{ActionKind, ActionState};

    #[test]
    fn every_kind_state_action_and_notice_has_words_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            let mut keys: Vec<String> = Vec::new();
            keys.extend(
                ItemKind::ALL
                    .iter()
                    .map(|k| format!("inbox.kind.{}", k.as_str())),
            );
            keys.extend(
                ["open", "done", "all"]
                    .iter()
                    .map(|s| format!("inbox.state.{s}")),
            );
            for kind in [
                ActionKind::Reply,
                ActionKind::PrivateReply,
                ActionKind::Message,
                ActionKind::Hide,
                ActionKind::Unhide,
                ActionKind::Delete,
            ] {
                keys.push(format!("inbox.action.{}", kind.as_str()));
            }
            for s in [ActionState::Queued, ActionState::Sent, ActionState::Failed] {
                keys.push(format!("inbox.action_state.{}", s.as_str()));
            }
            keys.extend(DONE_CODES.iter().map(|d| format!("inbox.done.{d}")));
            keys.extend(
                words::INBOX_FAILURES
                    .iter()
                    .map(|f| format!("inbox.failure.{f}")),
            );
            keys.push("inbox.failure.other".to_owned());
            for code in [
                "inbox_item_not_found",
                "inbox_text_required",
                "inbox_text_too_long",
                "inbox_note_required",
                "inbox_note_too_long",
                "inbox_action_unsupported",
                "inbox_unknown_member",
            ] {
                keys.push(format!("error.{code}"));
            }
            for key in keys {
                assert!(t.has(&key), "{key} in {}", locale.code());
            }
        }
    }

    #[test]
    fn filters_read_leniently_and_write_back_the_same() {
        let q = ListQuery {
            account: Some("c1".into()),
            kind: Some("message".into()),
            unread: Some("on".into()),
            assigned: Some("me".into()),
            state: Some("done".into()),
            ..ListQuery::default()
        };
        let f = filter_of(&q);
        assert_eq!(
            list_href(3, &f, Some(9)),
            "/home/inbox?workspace=3&account=c1&kind=message&unread=1&assigned=me&state=done&before=9"
        );
        let odd = ListQuery {
            kind: Some("everything".into()),
            state: Some("maybe".into()),
            assigned: Some("you".into()),
            ..ListQuery::default()
        };
        assert_eq!(
            list_href(3, &filter_of(&odd), None),
            "/home/inbox?workspace=3"
        );
    }
}
