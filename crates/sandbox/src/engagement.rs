//! What people wrote to the sandbox accounts and what Herald did about it:
//! direct messages per conversation (the 24-hour messaging window is
//! measured from the person's last incoming message), the private reply
//! each comment got, and a log of every engagement action (replies,
//! private replies, messages, hiding, unhiding, deleting) on Meta and
//! YouTube. Kept in [`crate::state::State`], shown by `GET
//! /_admin/engagement`, [`crate::Sandbox::engagement`] and the index page.
//!
//! The admin API here also makes engagement exist: an incoming direct
//! message (`POST /_admin/engagement/messages`), a follower's comment on a
//! Meta media or Page post (`POST /_admin/engagement/comments`) and a
//! YouTube comment or reply (`POST /_admin/youtube/comments`). The rules
//! the simulated endpoints keep are in `meta/engage.rs` and
//! `google/comments.rs`.

use std::collections::{BTreeMap, VecDeque};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::meta::{Comment, CommentHome, ContainerKind};
use crate::oauth::random_b64url;
use crate::params::{Params, is_json};
use crate::seed::Follower;
use crate::webhooks::{Account, App, connected_accounts, resolve_account};
use crate::{Platform, Sandbox};

/// Meta's standard messaging window: a person can be answered for 24
/// hours after their last message.
pub(crate) const MESSAGE_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// A comment can be answered privately within 7 days of being made.
pub(crate) const PRIVATE_REPLY_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 7);
/// The log keeps this many actions (oldest dropped first).
const LOG_CAPACITY: usize = 1_000;
/// A conversation keeps this many messages (oldest dropped first).
const CONVERSATION_CAPACITY: usize = 500;
/// Longest text the admin API takes for a comment (Instagram's limit).
const MAX_COMMENT_TEXT: usize = 2_200;
/// Longest incoming message the admin API takes (Messenger's limit).
const MAX_MESSAGE_TEXT: usize = 2_000;

/// Which way a direct message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The person wrote to the account.
    Incoming,
    /// The account (Herald) wrote to the person.
    Outgoing,
}

/// One direct message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectMessage {
    /// The message id (`mid`, or the Send API's `message_id`).
    pub id: String,
    pub direction: Direction,
    pub text: String,
    pub at: Timestamp,
    /// A private reply: the comment it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<String>,
}

/// The messages between an account (Page or Instagram professional
/// account) and one person (their Page-scoped or Instagram-scoped id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub account_id: String,
    pub person_id: String,
    /// Oldest first.
    pub messages: Vec<DirectMessage>,
}

impl Conversation {
    /// When the person last wrote, which opens the messaging window.
    pub fn last_incoming(&self) -> Option<Timestamp> {
        self.messages
            .iter()
            .filter(|m| m.direction == Direction::Incoming)
            .map(|m| m.at)
            .max()
    }
}

/// One thing Herald did through a simulated engagement endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementAction {
    /// 1, 2, 3, … in the order they happened.
    pub seq: u64,
    pub at: Timestamp,
    /// `Meta` (graph.facebook.com), `Instagram` (graph.instagram.com) or
    /// `Google` (YouTube).
    pub platform: Platform,
    /// The acting account: Page id, Instagram user id or channel id.
    pub account_id: String,
    /// `reply`, `private_reply`, `message`, `hide`, `unhide` or `delete`.
    pub action: String,
    /// The comment acted on, or the person written to.
    pub target: String,
    /// What was written (replies and messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What was made: the reply's comment id or the message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_id: Option<String>,
}

/// Everything the engagement simulators keep, as [`crate::Sandbox::engagement`]
/// shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EngagementReport {
    /// Oldest first.
    pub actions: Vec<EngagementAction>,
    pub conversations: Vec<Conversation>,
    /// Comment ids answered with a private reply, with the message id.
    pub private_replies: BTreeMap<String, String>,
    /// Comments hidden now: Meta comments hidden by their media's or
    /// post's owner, YouTube comments held for review.
    pub hidden_comments: Vec<String>,
}

/// The persisted engagement state.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Engagement {
    /// Key: `{account_id}:{person_id}`.
    #[serde(default)]
    conversations: BTreeMap<String, Conversation>,
    /// Comment id → the private reply's message id.
    #[serde(default)]
    private_replies: BTreeMap<String, String>,
    #[serde(default)]
    actions: VecDeque<EngagementAction>,
    #[serde(default)]
    seq: u64,
}

/// An action about to be logged (the log numbers and dates it).
pub(crate) struct Act<'a> {
    pub platform: Platform,
    pub account_id: &'a str,
    pub action: &'static str,
    pub target: &'a str,
    pub text: Option<&'a str>,
    pub result_id: Option<&'a str>,
}

fn key(account: &str, person: &str) -> String {
    format!("{account}:{person}")
}

impl Engagement {
    fn conversation_mut(&mut self, account: &str, person: &str) -> &mut Conversation {
        self.conversations
            .entry(key(account, person))
            .or_insert_with(|| Conversation {
                account_id: account.to_owned(),
                person_id: person.to_owned(),
                messages: Vec::new(),
            })
    }

    fn push(&mut self, account: &str, person: &str, message: DirectMessage) {
        let conversation = self.conversation_mut(account, person);
        conversation.messages.push(message);
        let over = conversation
            .messages
            .len()
            .saturating_sub(CONVERSATION_CAPACITY);
        conversation.messages.drain(..over);
    }

    /// Records a message the person sent to the account.
    pub fn receive(&mut self, account: &str, person: &str, id: &str, text: &str, at: Timestamp) {
        self.push(
            account,
            person,
            DirectMessage {
                id: id.to_owned(),
                direction: Direction::Incoming,
                text: text.to_owned(),
                at,
                comment_id: None,
            },
        );
    }

    /// Records a message the account sent (a private reply when
    /// `comment_id` is set) and returns its new id.
    pub fn send(
        &mut self,
        account: &str,
        person: &str,
        text: &str,
        at: Timestamp,
        comment_id: Option<&str>,
    ) -> String {
        let id = format!("m_{}", random_b64url(32));
        if let Some(comment) = comment_id {
            self.private_replies.insert(comment.to_owned(), id.clone());
        }
        self.push(
            account,
            person,
            DirectMessage {
                id: id.clone(),
                direction: Direction::Outgoing,
                text: text.to_owned(),
                at,
                comment_id: comment_id.map(str::to_owned),
            },
        );
        id
    }

    pub fn conversation(&self, account: &str, person: &str) -> Option<&Conversation> {
        self.conversations.get(&key(account, person))
    }

    /// The message id of the private reply `comment` got, if any.
    pub fn private_reply_of(&self, comment: &str) -> Option<&str> {
        self.private_replies.get(comment).map(String::as_str)
    }

    pub fn log(&mut self, act: Act<'_>, at: Timestamp) {
        self.seq += 1;
        if self.actions.len() == LOG_CAPACITY {
            self.actions.pop_front();
        }
        self.actions.push_back(EngagementAction {
            seq: self.seq,
            at,
            platform: act.platform,
            account_id: act.account_id.to_owned(),
            action: act.action.to_owned(),
            target: act.target.to_owned(),
            text: act.text.map(str::to_owned),
            result_id: act.result_id.map(str::to_owned),
        });
    }

    pub fn report(&self) -> EngagementReport {
        EngagementReport {
            actions: self.actions.iter().cloned().collect(),
            conversations: self.conversations.values().cloned().collect(),
            private_replies: self.private_replies.clone(),
            hidden_comments: Vec::new(),
        }
    }
}

/// Records an incoming message from a `messages` webhook value
/// (`{"sender":{"id"},"recipient":{"id"},"timestamp","message":{"mid","text"}}`)
/// so the messaging window has data; values of another shape are left
/// alone.
pub(crate) fn record_webhook_message(sb: &Sandbox, account: &str, value: &Value) {
    let sender = value.pointer("/sender/id").and_then(Value::as_str);
    let mid = value.pointer("/message/mid").and_then(Value::as_str);
    let (Some(sender), Some(mid)) = (sender, mid) else {
        return;
    };
    let text = value
        .pointer("/message/text")
        .and_then(Value::as_str)
        .unwrap_or("");
    let at = sb.now();
    sb.update(|st| st.engagement_mut().receive(account, sender, mid, text, at));
}

// ---------------------------------------------------------------- admin API

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/_admin/engagement", get(show_engagement))
        .route("/_admin/engagement/messages", post(create_message))
        .route("/_admin/engagement/comments", post(create_comment))
        .route(
            "/_admin/youtube/comments",
            post(crate::google::create_youtube_comment),
        )
}

/// A refused admin request: its status, stable code and sentence.
#[derive(Debug)]
pub(crate) struct AdminError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl AdminError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code,
            message: message.into(),
        }
    }
}

/// The fields of an admin request: a JSON object (strings, numbers and
/// booleans taken as text; nulls as absent) or a form.
pub(crate) fn admin_input(headers: &HeaderMap, body: &[u8]) -> Result<Params, AdminError> {
    if !is_json(headers) {
        return Ok(Params::from_urlencoded(body));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            let present: Map<String, Value> =
                map.into_iter().filter(|(_, v)| !v.is_null()).collect();
            if let Some((name, _)) = present.iter().find(|(_, v)| v.is_object() || v.is_array()) {
                return Err(AdminError::invalid(
                    "invalid_field",
                    format!("\"{name}\" must be a string."),
                ));
            }
            Ok(Params::from_object(present))
        }
        _ if body.iter().all(u8::is_ascii_whitespace) => Ok(Params::default()),
        _ => Err(AdminError::invalid(
            "invalid_body",
            "The body must be a JSON object.",
        )),
    }
}

/// A text field: given (at most `max` characters) or a sample.
pub(crate) fn text_field(
    params: &Params,
    max: usize,
    sample: impl FnOnce() -> String,
) -> Result<String, AdminError> {
    match params.get("text") {
        Some(text) if text.chars().count() > max => Err(AdminError::invalid(
            "text_too_long",
            format!("\"text\" can have at most {max} characters."),
        )),
        Some(text) if !text.trim().is_empty() => Ok(text.to_owned()),
        _ => Ok(sample()),
    }
}

/// JSON answers for JSON requests; form posts from the index page go back
/// to it (a refusal shown there).
pub(crate) fn admin_respond(
    sb: &Sandbox,
    headers: &HeaderMap,
    result: Result<Value, AdminError>,
) -> Response {
    match (result, is_json(headers)) {
        (Ok(body), true) => axum::Json(body).into_response(),
        (Err(e), true) => (
            e.status,
            axum::Json(json!({"error": {"code": e.code, "message": e.message}})),
        )
            .into_response(),
        (Ok(_), false) => Redirect::to(&sb.url("/#engagement")).into_response(),
        (Err(e), false) => {
            sb.set_engagement_notice(e.message);
            Redirect::to(&sb.url("/#engagement")).into_response()
        }
    }
}

async fn show_engagement(State(sb): State<Sandbox>) -> Response {
    axum::Json(sb.engagement()).into_response()
}

/// Sample texts of incoming messages, rotating.
const MESSAGES: [&str; 3] = [
    "Hallo! Habt ihr am Sonntag geöffnet? 🥨",
    "Can I order a cake for 12 people?",
    "¿Puedo pagar con tarjeta?",
];

/// Sample texts of comments, rotating.
const COMMENTS: [&str; 3] = [
    "Wunderschön! Wo finde ich das? 😍",
    "How much is this one?",
    "100% want this 🔥",
];

fn sample(texts: &[&str], n: u64) -> String {
    texts[(n % texts.len() as u64) as usize].to_owned()
}

/// The follower named by `from`, or one that changes each time.
fn follower(params: &Params, n: u64) -> Result<Follower, AdminError> {
    match params.non_empty("from") {
        None => Ok(Follower::nth(n)),
        Some(name) if name.chars().count() > 40 => Err(AdminError::invalid(
            "invalid_from",
            "\"from\" must be a follower's username of at most 40 characters.",
        )),
        Some(name) => Ok(Follower::named(name)),
    }
}

fn app_field(params: &Params) -> Result<Option<App>, AdminError> {
    params
        .non_empty("app")
        .map(|name| {
            App::parse(name).ok_or_else(|| {
                AdminError::invalid(
                    "unknown_app",
                    "\"app\" must be \"facebook\" or \"instagram\".",
                )
            })
        })
        .transpose()
}

/// `POST /_admin/engagement/messages`: a follower writes to a Page or an
/// Instagram account, which opens the messaging window.
async fn create_message(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let result = admin_input(&headers, &body).and_then(|params| receive_message(&sb, &params));
    admin_respond(&sb, &headers, result)
}

fn receive_message(sb: &Sandbox, params: &Params) -> Result<Value, AdminError> {
    let wanted = params.non_empty("account").ok_or_else(|| {
        AdminError::invalid(
            "missing_account",
            "\"account\" is required: a Page or Instagram account id or username, or a sandbox user name.",
        )
    })?;
    let app = app_field(params)?;
    let n = sb.read(|st| st.engagement().seq);
    let text = text_field(params, MAX_MESSAGE_TEXT, || sample(&MESSAGES, n))?;
    let from = follower(params, n)?;
    let account = resolve_account(sb, wanted, app, "messages")
        .map_err(|e| AdminError::not_found("unknown_account", e.to_string()))?;
    let (sender, mid) = match &account {
        Account::Page { .. } => (from.psid.clone(), format!("m_{}", random_b64url(32))),
        Account::Instagram { .. } => (from.igsid.clone(), random_b64url(48)),
    };
    let at = sb.now();
    let account_id = account.id().to_owned();
    sb.update(|st| {
        st.engagement_mut()
            .receive(&account_id, &sender, &mid, &text, at);
    });
    Ok(json!({
        "account_id": account_id,
        "object": account.object(),
        "sender_id": sender,
        "from": from.username,
        "mid": mid,
        "text": text,
        "at": at,
    }))
}

/// `POST /_admin/engagement/comments`: a follower (or another sandbox
/// account, `from_account`) comments on an Instagram media or a Page post
/// (`on`), or on the latest one of `account`.
async fn create_comment(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let result = admin_input(&headers, &body).and_then(|params| add_meta_comment(&sb, &params));
    admin_respond(&sb, &headers, result)
}

/// Who a new comment is from: its id and the name Graph shows (username
/// on Instagram, name on Facebook).
struct Author {
    id: String,
    name: String,
}

fn author(sb: &Sandbox, params: &Params, on_media: bool, n: u64) -> Result<Author, AdminError> {
    if let Some(wanted) = params.non_empty("from_account") {
        let account = connected_accounts(sb)
            .into_iter()
            .find(|a| a.id() == wanted)
            .ok_or_else(|| {
                AdminError::not_found(
                    "unknown_account",
                    format!("No Page or Instagram account {wanted} belongs to a sandbox user who signed in."),
                )
            })?;
        return Ok(match account {
            Account::Page { page, .. } => Author {
                id: page.id,
                name: page.name,
            },
            Account::Instagram { ig, .. } => Author {
                id: ig.id,
                name: ig.username,
            },
        });
    }
    let from = follower(params, n)?;
    Ok(if on_media {
        Author {
            id: from.ig_id,
            name: from.username,
        }
    } else {
        Author {
            id: from.psid,
            name: from.name,
        }
    })
}

fn add_meta_comment(sb: &Sandbox, params: &Params) -> Result<Value, AdminError> {
    let n = sb.read(|st| st.engagement().seq);
    let text = text_field(params, MAX_COMMENT_TEXT, || sample(&COMMENTS, n))?;
    let home = match (params.non_empty("on"), params.non_empty("account")) {
        (Some(on), _) => home_of(sb, on)?,
        (None, Some(account)) => latest_home(sb, account, app_field(params)?)?,
        (None, None) => {
            return Err(AdminError::invalid(
                "missing_target",
                "\"on\" (an Instagram media or Page post id) or \"account\" (its latest one) is required.",
            ));
        }
    };
    let author = author(sb, params, matches!(home, CommentHome::Media(_)), n)?;
    let at = sb.now();
    sb.update(|st| {
        let store = st.meta_publishing_mut();
        let id = match &home {
            CommentHome::Media(_) => store.fresh_id("1791", 17),
            CommentHome::Post(post) => {
                let suffix = post.split_once('_').map_or(post.as_str(), |(_, s)| s);
                format!("{suffix}_{}", store.fresh_id("1223", 16))
            }
        };
        let comments = store
            .comments_mut(&home)
            .ok_or_else(|| AdminError::not_found("unknown_object", "The media or post is gone."))?;
        comments.push(Comment::new(
            id.clone(),
            text.clone(),
            at,
            author.id.clone(),
            author.name.clone(),
        ));
        let on = match &home {
            CommentHome::Media(m) | CommentHome::Post(m) => m.clone(),
        };
        Ok(json!({
            "id": id,
            "on": on,
            "from": {"id": author.id, "name": author.name},
            "text": text,
            "at": at,
        }))
    })
}

/// The media or post `id`, which must take comments.
fn home_of(sb: &Sandbox, id: &str) -> Result<CommentHome, AdminError> {
    sb.read(|st| {
        let store = st.meta_publishing();
        if let Some(media) = store.media(id) {
            if media.kind == ContainerKind::Story {
                return Err(AdminError::conflict(
                    "no_comments",
                    "Stories take no comments.",
                ));
            }
            return Ok(CommentHome::Media(id.to_owned()));
        }
        if store.post(id).is_some_and(|p| p.published) {
            return Ok(CommentHome::Post(id.to_owned()));
        }
        Err(AdminError::not_found(
            "unknown_object",
            format!("No published Instagram media or Page post {id:?} in the sandbox."),
        ))
    })
}

/// The latest media (not a story) or visible post of an account.
fn latest_home(sb: &Sandbox, wanted: &str, app: Option<App>) -> Result<CommentHome, AdminError> {
    let account = resolve_account(sb, wanted, app, "comments")
        .map_err(|e| AdminError::not_found("unknown_account", e.to_string()))?;
    let found = sb.read(|st| {
        let store = st.meta_publishing();
        match &account {
            Account::Instagram { ig, .. } => store
                .media_of(&ig.id)
                .into_iter()
                .find(|m| m.kind != ContainerKind::Story)
                .map(|m| CommentHome::Media(m.id.clone())),
            Account::Page { page, .. } => store
                .feed_of(&page.id)
                .first()
                .map(|p| CommentHome::Post(p.id.clone())),
        }
    });
    found.ok_or_else(|| {
        AdminError::conflict(
            "nothing_to_comment_on",
            format!(
                "{} has published nothing to comment on yet.",
                account.name()
            ),
        )
    })
}

// ------------------------------------------------------------- index page

pub(crate) struct ActionRow {
    pub seq: u64,
    pub at: String,
    pub platform: &'static str,
    pub account: String,
    pub action: String,
    pub target: String,
    pub text: String,
}

pub(crate) struct ConversationRow {
    pub account: String,
    pub person: String,
    pub messages: usize,
    pub last: String,
    /// Whether the account may still write (24 hours since the person's
    /// last message).
    pub open: bool,
}

pub(crate) struct AccountChoice {
    pub id: String,
    pub label: String,
}

/// The index page's Engagement section.
pub(crate) struct IndexSection {
    pub notice: Option<String>,
    pub actions: Vec<ActionRow>,
    pub conversations: Vec<ConversationRow>,
    pub accounts: Vec<AccountChoice>,
    pub youtube: Vec<crate::google::VideoChoice>,
}

/// How many actions the index page shows (newest first).
const ACTION_ROWS: usize = 30;

pub(crate) fn index_section(sb: &Sandbox) -> IndexSection {
    let now = sb.now();
    let report = sb.engagement();
    let actions = report
        .actions
        .iter()
        .rev()
        .take(ACTION_ROWS)
        .map(|a| ActionRow {
            seq: a.seq,
            at: a.at.to_string(),
            platform: a.platform.name(),
            account: a.account_id.clone(),
            action: a.action.clone(),
            target: a.target.clone(),
            text: a.text.clone().unwrap_or_default(),
        })
        .collect();
    let conversations = report
        .conversations
        .iter()
        .map(|c| ConversationRow {
            account: c.account_id.clone(),
            person: c.person_id.clone(),
            messages: c.messages.len(),
            last: c
                .messages
                .last()
                .map(|m| m.text.clone())
                .unwrap_or_default(),
            open: c
                .last_incoming()
                .is_some_and(|at| now.duration_since(at) <= MESSAGE_WINDOW),
        })
        .collect();
    let accounts = connected_accounts(sb)
        .into_iter()
        .map(|a| AccountChoice {
            label: format!("{} ({})", a.name(), a.object()),
            id: a.id().to_owned(),
        })
        .collect();
    IndexSection {
        notice: sb.take_engagement_notice(),
        actions,
        conversations,
        accounts,
        youtube: crate::google::video_choices(sb),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn the_window_opens_with_the_persons_last_incoming_message() {
        let mut e = Engagement::default();
        e.receive("acct", "p1", "mid.1", "hi", ts(1_000));
        let mid = e.send("acct", "p1", "hello", ts(2_000), None);
        assert!(mid.starts_with("m_"));
        e.receive("acct", "p1", "mid.2", "again", ts(3_000));
        let c = e.conversation("acct", "p1").unwrap();
        assert_eq!(c.last_incoming(), Some(ts(3_000)));
        assert_eq!(c.messages.len(), 3);
        assert!(e.conversation("acct", "p2").is_none());
    }

    #[test]
    fn a_private_reply_is_remembered_per_comment() {
        let mut e = Engagement::default();
        let mid = e.send("acct", "p1", "thanks", ts(1), Some("c1"));
        assert_eq!(e.private_reply_of("c1"), Some(mid.as_str()));
        assert_eq!(e.private_reply_of("c2"), None);
        // A private reply is outgoing: it opens no window.
        assert_eq!(e.conversation("acct", "p1").unwrap().last_incoming(), None);
    }

    #[test]
    fn the_log_numbers_actions_and_stays_bounded() {
        let mut e = Engagement::default();
        for i in 0..(LOG_CAPACITY + 5) {
            e.log(
                Act {
                    platform: Platform::Meta,
                    account_id: "a",
                    action: "hide",
                    target: &i.to_string(),
                    text: None,
                    result_id: None,
                },
                ts(1),
            );
        }
        let report = e.report();
        assert_eq!(report.actions.len(), LOG_CAPACITY);
        assert_eq!(report.actions[0].seq, 6);
        assert_eq!(
            report.actions.last().unwrap().seq,
            (LOG_CAPACITY + 5) as u64
        );
    }

    #[test]
    fn long_conversations_keep_their_newest_messages() {
        let mut e = Engagement::default();
        for i in 0..(CONVERSATION_CAPACITY + 3) {
            e.receive("a", "p", &format!("m{i}"), "x", ts(i as i64));
        }
        let c = e.conversation("a", "p").unwrap();
        assert_eq!(c.messages.len(), CONVERSATION_CAPACITY);
        assert_eq!(c.messages[0].id, "m3");
    }
}
