//! The engagement inbox: the comments, mentions and direct messages that
//! webhooks (and, for YouTube, polling) store as `inbox_items`, worked by a
//! team.
//!
//! [`Inbox`] lists them with filters, shows a thread (the item, its parent
//! and replies as stored, the actions Herald took and the team's notes, and
//! the Herald post a comment belongs to through the [`PublishedPosts`]
//! port), assigns them to a member, keeps notes, marks them done and read,
//! and acts on the platform: a reply, a private reply, a message in the
//! conversation, hiding or deleting a comment. An action is recorded as
//! `queued` with its `inbox.act.v1` job in one transaction; the job
//! ([`act`]) performs it through the account kind's
//! [`herald_platforms::engage::Engager`] with the account's token (the
//! [`AccountTokens`] port) and records `sent` or `failed` with a code.
//! YouTube sends no comment webhooks, so [`poll`] reads each channel's
//! comments every ten minutes into the same table.
//!
//! Roles: reading needs `View`, notes, assignment and done `Triage` (who
//! drafts), actions `Engage` (who publishes: they speak for the brand).
//! Every change is audited and wakes the workspace's live stream (channel
//! [`LIVE_CHANNEL`], topic the workspace id). SQL lives in [`store`].

mod act;
mod poll;
mod service;
mod store;

use std::sync::Arc;

use async_trait::async_trait;
use herald_accounts::AccountError;
use herald_core::{Clock, ConnectionId, PostId, Timestamp, UserId, WorkspaceId};
use herald_db::{Db, DbError, Tx};
use herald_jobs::Queue;
use herald_platforms::Secret;
use herald_platforms::engage::Engagers;
use serde::{Deserialize, Serialize};

pub use act::ActOnItem;
pub use poll::{PollAccount, PollComments};

/// The wake-up channel of everything a signed-in page shows live (the
/// inbox and the notification badge); the topic is the workspace id.
pub use herald_notify::LIVE_CHANNEL;

/// Items per page when the caller does not say.
pub const DEFAULT_LIMIT: usize = 50;
/// The most items one page holds.
pub const MAX_LIMIT: usize = 200;
/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 5000;

/// Wakes the live streams of `workspace` once `tx` commits.
pub(crate) async fn notify_live(
    queue: &Queue,
    tx: &mut Tx,
    workspace: WorkspaceId,
) -> Result<(), DbError> {
    queue
        .notifications()
        .notify_after_commit(tx, LIVE_CHANNEL, &workspace.to_string())
        .await
}

/// What an item is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemKind {
    Comment,
    Mention,
    Message,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [ItemKind::Comment, ItemKind::Mention, ItemKind::Message];
}

/// Open items, done ones, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DoneFilter {
    #[default]
    Open,
    Done,
    All,
}

/// Which items a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub account: Option<ConnectionId>,
    pub kind: Option<ItemKind>,
    /// Only those the caller has not read.
    pub unread: bool,
    /// Only those assigned to the caller.
    pub assigned_to_me: bool,
    pub state: DoneFilter,
    /// Items older than this id (the previous page's `next`).
    pub before: Option<i64>,
    /// 1 to [`MAX_LIMIT`]; [`DEFAULT_LIMIT`] when `None`.
    pub limit: Option<usize>,
}

/// A member as the inbox names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRef {
    pub id: UserId,
    /// Their display name, else their address.
    pub name: String,
}

/// The connected account an item came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRef {
    pub id: ConnectionId,
    pub name: String,
    /// `facebook_page`, `instagram_business`, `instagram_account`,
    /// `youtube_channel`, …
    pub kind: String,
    pub provider: String,
}

/// Who wrote an item, as the platform named them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    /// Their id at the platform (the recipient of a message back).
    pub id: Option<String>,
    pub name: Option<String>,
}

/// When and by whom an item was marked done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Done {
    pub at: Timestamp,
    pub by: Option<MemberRef>,
}

/// One comment, mention or message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemView {
    pub id: i64,
    pub account: AccountRef,
    pub kind: ItemKind,
    /// The platform's id of the comment, mention or message.
    pub remote_id: String,
    /// The platform's id of the comment this one answers.
    pub parent_remote_id: Option<String>,
    /// The platform's id of the post or video it is on.
    pub media_id: Option<String>,
    pub author: Author,
    pub text: Option<String>,
    /// When the platform says it was written.
    pub written_at: Option<Timestamp>,
    /// When Herald first stored it.
    pub received_at: Timestamp,
    /// The platform reported it removed (or Herald deleted it).
    pub removed: bool,
    /// Hidden on the platform by an action from Herald.
    pub hidden: bool,
    /// Whether the caller has read it.
    pub read: bool,
    pub assignee: Option<MemberRef>,
    pub done: Option<Done>,
}

/// A page of items, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemPage {
    pub items: Vec<ItemView>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next: Option<i64>,
}

/// What Herald does on the platform.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActionKind {
    /// A public reply under the comment.
    Reply,
    /// A direct message answering the comment.
    PrivateReply,
    /// A direct message in the conversation.
    Message,
    Hide,
    Unhide,
    Delete,
}

/// Where an action stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActionState {
    /// Waiting for the platform.
    Queued,
    /// The platform did it.
    Sent,
    /// It did not happen (or Herald could not hear whether it did).
    Failed,
}

/// Why an action failed: a code (`outside_window`, `private_reply_used`,
/// `not_found`, `not_allowed`, `unsupported`: the platform's rules;
/// `outcome_unknown`, `reconnect`, `rejected`, `unavailable`,
/// `rate_limited`, `misconfigured`, `account_gone`: the call) and the
/// platform's own words, when it gave any. The web layer puts the code
/// into words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionFailure {
    pub code: String,
    pub detail: Option<String>,
}

/// One action Herald took (or is taking) about an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionView {
    pub id: i64,
    pub item_id: i64,
    pub kind: ActionKind,
    /// What was (or is to be) said.
    pub text: Option<String>,
    pub state: ActionState,
    /// The platform's id of what was created (a reply, a message).
    pub remote_id: Option<String>,
    pub failure: Option<ActionFailure>,
    pub by: Option<MemberRef>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A note of the team's about an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteView {
    pub id: i64,
    pub author: Option<MemberRef>,
    pub text: String,
    pub created_at: Timestamp,
}

/// The Herald post a comment belongs to: the commented media is what
/// Herald published for that post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostLink {
    pub post_id: PostId,
    /// The caption (or title) Herald published.
    pub caption: Option<String>,
    pub permalink: Option<String>,
    pub published_at: Option<Timestamp>,
}

/// What may be done about an item on its platform now (the account kind's
/// API and the item's state; the platform's own rules, such as the
/// messaging window, are the platform's to apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offered {
    pub reply: bool,
    pub private_reply: bool,
    /// Answer a message in its conversation.
    pub message: bool,
    pub hide: bool,
    pub unhide: bool,
    pub delete: bool,
    /// The longest text the platform takes, in characters.
    pub max_chars: usize,
}

/// An item with everything around it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thread {
    pub item: ItemView,
    /// The comment it answers, when Herald has it.
    pub parent: Option<ItemView>,
    /// For a comment: the replies to it; for a message: the conversation
    /// with that person, oldest first.
    pub replies: Vec<ItemView>,
    pub actions: Vec<ActionView>,
    pub notes: Vec<NoteView>,
    pub post: Option<PostLink>,
    pub offered: Offered,
    /// Who it may be assigned to.
    pub members: Vec<MemberRef>,
}

/// What to do about an item on its platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionRequest {
    /// Answer: under a comment (or privately, `private`), or in the
    /// conversation of a message.
    Reply {
        text: String,
        private: bool,
    },
    Hide {
        hidden: bool,
    },
    Delete,
}

/// A change of the inbox, as a fingerprint: the live stream sends an
/// `inbox` event when it differs from the last one it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pulse {
    pub items: i64,
    pub last_change: i64,
}

/// Why an inbox operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The caller may not (403), or is not a member (404).
    #[error("not allowed")]
    Access(#[from] AccountError),
    #[error("no such inbox item in this workspace")]
    NotFound,
    #[error("the text is empty")]
    TextRequired,
    #[error("the text is longer than the platform's {limit} characters")]
    TextTooLong { limit: usize },
    #[error("the note is empty")]
    NoteRequired,
    #[error("the note is longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
    /// The account kind or the item does not offer this action.
    #[error("this action is not offered for this item")]
    Unsupported,
    #[error("that person is not a member of this workspace")]
    UnknownMember,
    #[error("inbox storage failed")]
    Db(#[from] DbError),
    #[error("could not queue the inbox action")]
    Encode(#[source] serde_json::Error),
    #[error("could not find the post of a comment")]
    Posts(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for InboxError {
    fn from(e: sqlx::Error) -> Self {
        InboxError::Db(e.into())
    }
}

impl InboxError {
    /// The error code the web layer answers with.
    pub fn code(&self) -> &'static str {
        match self {
            InboxError::Access(e) => e.code(),
            InboxError::NotFound => "inbox_item_not_found",
            InboxError::TextRequired => "inbox_text_required",
            InboxError::TextTooLong { .. } => "inbox_text_too_long",
            InboxError::NoteRequired => "inbox_note_required",
            InboxError::NoteTooLong => "inbox_note_too_long",
            InboxError::Unsupported => "inbox_action_unsupported",
            InboxError::UnknownMember => "inbox_unknown_member",
            InboxError::Db(_) | InboxError::Encode(_) | InboxError::Posts(_) => "internal",
        }
    }
}

/// Where the inbox gets the token an account acts with: the connections'
/// vault (implemented for `Connections` below), a fake in tests.
#[async_trait]
pub trait AccountTokens: Send + Sync {
    /// The access token of `connection`; `None` when it is gone.
    async fn access_token(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>>;
}

#[async_trait]
impl AccountTokens for herald_connections::Connections {
    async fn access_token(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<Secret>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.credentials(connection).await?.map(|c| c.access_token))
    }
}

/// The Herald post a platform's media belongs to: publishing's, wired in
/// the binary.
#[async_trait]
pub trait PublishedPosts: Send + Sync {
    /// The post whose target on `connection` was published as
    /// `remote_id`, in the workspace of `auth`.
    async fn published_as(
        &self,
        auth: &herald_accounts::Authorized,
        connection: &ConnectionId,
        remote_id: &str,
    ) -> Result<Option<PostLink>, Box<dyn std::error::Error + Send + Sync>>;
}

/// What the inbox works with.
pub struct Dependencies {
    pub db: Db,
    pub queue: Queue,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<dyn AccountTokens>,
    pub posts: Arc<dyn PublishedPosts>,
    pub engagers: Engagers,
}

/// The engagement inbox service; cheap to clone.
#[derive(Clone)]
pub struct Inbox {
    inner: Arc<Dependencies>,
}

impl Inbox {
    pub fn new(dependencies: Dependencies) -> Inbox {
        Inbox {
            inner: Arc::new(dependencies),
        }
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Registers the action and polling jobs.
    pub fn register_jobs(&self, registry: &mut herald_jobs::Registry) {
        registry.register::<ActOnItem, _>(act::ActHandler(self.clone()));
        registry.register::<PollComments, _>(poll::SweepHandler(self.clone()));
        registry.register::<PollAccount, _>(poll::PollHandler(self.clone()));
    }
}
