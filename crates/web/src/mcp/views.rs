//! What the tools answer: accounts, posts and targets as an assistant reads
//! them. Each shape derives its JSON Schema, published as the tool's
//! `outputSchema`; times are RFC 3339 instants in UTC, closed sets their
//! stored text (`draft`, `tiktok`, `video` …). Never a token.

use herald_connections::ConnectionView;
use herald_core::{Named, Timestamp};
use herald_publishing::{PostView, TargetView};
use schemars::JsonSchema;
use serde::Serialize;

use crate::i18n::{Locale, catalog};
use crate::words;

pub(super) fn instant(t: Timestamp) -> String {
    t.to_string()
}

/// The workspace's connected accounts.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Accounts {
    pub accounts: Vec<Account>,
}

/// A connected account (a Page, a channel, a profile) posts can go to.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Account {
    /// The id `create_draft` takes as `connection_id`.
    pub id: String,
    /// `facebook`, `instagram`, `tiktok` or `youtube`.
    pub provider: String,
    /// What the account is at the platform (`facebook_page`, `youtube_channel` …).
    pub kind: String,
    pub name: String,
    pub handle: Option<String>,
    /// `active`, or why posting may fail (`needs_reconnection` …).
    pub status: String,
    /// Connected through Herald's built-in platform simulator, not the real platform.
    pub sandbox: bool,
}

impl From<ConnectionView> for Account {
    fn from(c: ConnectionView) -> Account {
        Account {
            id: c.id.to_string(),
            provider: c.provider.as_str().to_owned(),
            kind: c.kind.as_str().to_owned(),
            name: c.name,
            handle: c.handle,
            status: c.status.as_str().to_owned(),
            sandbox: c.sandbox,
        }
    }
}

/// Posts, in the order asked for.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Posts {
    pub posts: Vec<Post>,
}

/// A post: one text and media, sent to one or more accounts (its targets).
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Post {
    pub id: String,
    /// `draft`, `scheduled`, `publishing`, `published`, `partially_published`, `failed` or
    /// `cancelled` (summarised over the targets).
    pub status: String,
    /// When it goes (or went) out.
    pub scheduled_at: Option<String>,
    /// The wall-clock time and IANA zone it was scheduled with.
    pub schedule: Option<Schedule>,
    /// Where its approval stands: `none` (never submitted), `in_review`,
    /// `changes_requested` or `approved`. A post waiting for approval never
    /// goes out.
    pub review: String,
    /// When its time came while it still waited for approval (it was held).
    pub held_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub targets: Vec<Target>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Schedule {
    /// `2026-03-29T09:00:00`.
    pub local_time: String,
    /// `Europe/Berlin`.
    pub time_zone: String,
}

/// What one account gets of a post, and how it went.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Target {
    pub id: String,
    /// `None` once the account was removed from the workspace.
    pub connection_id: Option<String>,
    pub provider: String,
    pub account_name: String,
    /// `draft`, `scheduled`, `publishing`, `published`, `failed` or `cancelled`.
    pub status: String,
    pub format: String,
    pub caption: String,
    pub title: Option<String>,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub privacy: Option<String>,
    /// Media library ids, in posting order.
    pub media: Vec<String>,
    pub due_at: Option<String>,
    pub published_at: Option<String>,
    /// The post on the platform, once published.
    pub permalink: Option<String>,
    pub attempts: i32,
    pub failure: Option<Failure>,
}

/// Why a target failed.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Failure {
    /// What fixes it: `reconnect`, `rejected`, `quota`, `unavailable` …
    pub kind: Option<String>,
    /// The reason as a code (`platform_said`, `rules_broken` …).
    pub code: Option<String>,
    /// The reason in words, in the request's language.
    pub message: Option<String>,
}

impl Post {
    pub(super) fn of(view: &PostView, locale: Locale) -> Post {
        Post {
            id: view.id.to_string(),
            status: view.status.as_str().to_owned(),
            scheduled_at: view.scheduled_at.map(instant),
            schedule: view.schedule.as_ref().map(|s| Schedule {
                local_time: s.local.clone(),
                time_zone: s.time_zone.clone(),
            }),
            review: view.review.as_str().to_owned(),
            held_at: view.held_at.map(instant),
            created_at: instant(view.created_at),
            updated_at: instant(view.updated_at),
            targets: view.targets.iter().map(|t| Target::of(t, locale)).collect(),
        }
    }
}

impl Target {
    fn of(t: &TargetView, locale: Locale) -> Target {
        let failure = (t.error_kind.is_some() || t.error_detail.is_some()).then(|| Failure {
            kind: t.error_kind.map(|k| k.as_str().to_owned()),
            code: t.error_detail.as_ref().map(|d| d.code.clone()),
            message: match &t.error_detail {
                Some(detail) => Some(words::failure(catalog(locale), detail)),
                None => t.error_message.clone(),
            },
        });
        let v = &t.variant;
        Target {
            id: t.id.to_string(),
            connection_id: t.connection_id.as_ref().map(ToString::to_string),
            provider: t.provider.as_str().to_owned(),
            account_name: t.account_name.clone(),
            status: t.status.as_str().to_owned(),
            format: v.format.as_str().to_owned(),
            caption: v.caption.clone(),
            title: v.title.clone(),
            link: v.link.clone(),
            first_comment: v.first_comment.clone(),
            privacy: v.privacy.clone(),
            media: v.media.clone(),
            due_at: t.due_at.map(instant),
            published_at: t.published_at.map(instant),
            permalink: t.permalink.clone(),
            attempts: t.attempts,
            failure,
        }
    }
}
