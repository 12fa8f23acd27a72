//! Engagement: answering people where they wrote. Replies to comments,
//! private replies (a direct message answering a comment), direct messages
//! inside a platform's messaging window, hiding and deleting comments, and
//! reading comments from platforms that send no webhooks for them
//! (YouTube).
//!
//! [`Engager`] is the contract; each account kind that supports it has one
//! adapter (registered in [`Engagers::new`]), reached through the same
//! [`crate::PlatformClient`] as publishing. What a platform refuses by its
//! own rules (the 24-hour window, one private reply per comment, hiding a
//! comment the account does not own) comes back as an [`EngageRefusal`]
//! code, never as the platform's sentence; everything else is a
//! [`PlatformError`].
//!
//! The adapters: [`graph`] (the Graph calls and refusal codes both Meta
//! engagers share, and Facebook Pages), [`instagram`] (Instagram business
//! accounts through their Page on graph.facebook.com, and Instagram Login
//! accounts on graph.instagram.com) and [`youtube`]. TikTok has no
//! engagement API: no engager. Each simulated rule and its source is in
//! `docs/platforms/engagement.md`.

pub mod graph;
pub mod instagram;
pub mod youtube;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use herald_core::Timestamp;

use crate::publish::instagram::InstagramApi;
use crate::{AccountKind, PlatformClient, PlatformError, PlatformsConfig, Secret};

/// The account acting, with the token to act with (a Page token for Pages
/// and the Instagram accounts reached through them).
#[derive(Debug, Clone)]
pub struct EngageAccount {
    pub kind: AccountKind,
    /// The account's platform id (Page id, Instagram user id, channel id).
    pub account_id: String,
    pub access_token: Secret,
}

/// One thing to do on the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A public reply under a comment.
    ReplyToComment {
        comment_id: String,
        text: String,
    },
    /// A direct message to a comment's author, answering that comment.
    PrivateReply {
        comment_id: String,
        text: String,
    },
    /// A direct message to someone who wrote to the account.
    SendMessage {
        recipient_id: String,
        text: String,
    },
    /// Hides (or shows again) a comment on the account's own content.
    HideComment {
        comment_id: String,
        hidden: bool,
    },
    DeleteComment {
        comment_id: String,
    },
}

impl Action {
    /// A short stable name, for the audit log and metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::ReplyToComment { .. } => "reply",
            Action::PrivateReply { .. } => "private_reply",
            Action::SendMessage { .. } => "message",
            Action::HideComment { hidden: true, .. } => "hide",
            Action::HideComment { hidden: false, .. } => "unhide",
            Action::DeleteComment { .. } => "delete",
        }
    }
}

/// What the platform did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acted {
    /// The id of what was created (the reply, the message), when anything
    /// was.
    pub remote_id: Option<String>,
}

/// Which actions an account kind supports at all (the platform's API
/// offers them); whether one is allowed for a given item is the
/// platform's to say, as an [`EngageRefusal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Abilities {
    pub reply: bool,
    pub private_reply: bool,
    pub message: bool,
    pub hide: bool,
    pub delete: bool,
}

/// A platform rule that refused the action, as a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum EngageRefusal {
    /// The messaging window (24 hours since the person's last message on
    /// Instagram and Messenger) has closed.
    OutsideWindow,
    /// The comment was already answered privately, or is too old for a
    /// private reply.
    PrivateReplyUsed,
    /// The comment, message or person is gone.
    NotFound,
    /// The account may not do this to this item (e.g. hide a comment on
    /// someone else's content, delete another person's comment).
    NotAllowed,
    /// The account kind has no API for this action.
    Unsupported,
}

impl EngageRefusal {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum EngageError {
    #[error("the platform refused: {}", .0.as_str())]
    Refused(EngageRefusal),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

/// A comment read from a platform (YouTube, which sends no webhooks for
/// them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedComment {
    pub remote_id: String,
    /// The top-level comment a reply answers.
    pub parent_id: Option<String>,
    /// The video (or post) it is on.
    pub media_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub text: Option<String>,
    pub created_at: Option<Timestamp>,
    /// Whether the account itself wrote it.
    pub own: bool,
}

/// One page of comments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommentPage {
    pub comments: Vec<FetchedComment>,
    /// Where the next (older) page starts, when there is one.
    pub next: Option<String>,
}

/// Acts on one account kind.
#[async_trait]
pub trait Engager: Send + Sync {
    fn kind(&self) -> AccountKind;

    fn abilities(&self) -> Abilities;

    async fn act(&self, account: &EngageAccount, action: &Action) -> Result<Acted, EngageError>;

    /// The account's comments, newest first, from `page` (a cursor from an
    /// earlier [`CommentPage::next`]) or the start. Kinds whose comments
    /// arrive by webhook answer [`EngageRefusal::Unsupported`].
    async fn comments(
        &self,
        account: &EngageAccount,
        page: Option<&str>,
    ) -> Result<CommentPage, EngageError>;
}

/// The engagers this deployment has, by account kind.
#[derive(Clone, Default)]
pub struct Engagers {
    by_kind: HashMap<AccountKind, Arc<dyn Engager>>,
}

impl Engagers {
    /// An engager for every account kind whose provider has an app (real
    /// or sandbox): Pages and their Instagram accounts through the
    /// Facebook app, Instagram Login accounts, YouTube channels. TikTok
    /// has none.
    pub fn new(config: &PlatformsConfig, client: &PlatformClient) -> Engagers {
        let mut engagers = Engagers::default();
        if let Some(app) = &config.facebook {
            engagers.insert(Arc::new(graph::FacebookPageEngager::new(
                app.hosts.clone(),
                client.clone(),
            )));
            engagers.insert(Arc::new(instagram::InstagramEngager::new(
                app.hosts.clone(),
                InstagramApi::FacebookLogin,
                client.clone(),
            )));
        }
        if let Some(app) = &config.instagram {
            engagers.insert(Arc::new(instagram::InstagramEngager::new(
                app.hosts.clone(),
                InstagramApi::InstagramLogin,
                client.clone(),
            )));
        }
        if let Some(app) = &config.youtube {
            engagers.insert(Arc::new(youtube::YouTubeEngager::new(
                app.hosts.clone(),
                client.clone(),
            )));
        }
        engagers
    }

    pub fn insert(&mut self, engager: Arc<dyn Engager>) {
        self.by_kind.insert(engager.kind(), engager);
    }

    pub fn get(&self, kind: AccountKind) -> Option<&Arc<dyn Engager>> {
        self.by_kind.get(&kind)
    }
}
