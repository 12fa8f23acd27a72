//! Posts, targets and receipts as the rest of Herald sees them.

use std::collections::BTreeMap;

use herald_accounts::{Authorized, Permission, Role};
use herald_core::{ConnectionId, PostId, TargetId, Timestamp};
use herald_platforms::{AccountKind, PostFormat, ProviderId};
use serde::{Deserialize, Serialize};

use crate::review::{Actor, ApprovalPolicy, ReviewState};
use crate::rules::{Issue, Param};
use crate::schedule::Schedule;

/// What one account gets: the per-platform variant of a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    pub format: PostFormat,
    #[serde(default)]
    pub caption: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<String>,
    /// Media ids, in the order they are posted.
    #[serde(default)]
    pub media: Vec<String>,
    /// Cover frame of a video, milliseconds from its start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_offset_ms: Option<u64>,
    /// TikTok: viewers may comment, duet, stitch. Off unless turned on
    /// (TikTok's guidelines); an interaction the creator switched off in
    /// TikTok cannot be turned on.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_comments: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_duets: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_stitches: bool,
    /// TikTok: the post promotes a brand, product or service (the
    /// "disclose commercial content" switch); then at least one of the two
    /// below is chosen.
    #[serde(default, skip_serializing_if = "is_false")]
    pub discloses_commercial_content: bool,
    /// It promotes the creator's own business ("Your brand").
    #[serde(default, skip_serializing_if = "is_false")]
    pub promotes_own_brand: bool,
    /// A paid partnership promoting a third party ("Branded content"):
    /// never private.
    #[serde(default, skip_serializing_if = "is_false")]
    pub branded_content: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for Variant {
    fn default() -> Self {
        Variant {
            format: PostFormat::Text,
            caption: String::new(),
            title: None,
            link: None,
            first_comment: None,
            privacy: None,
            media: Vec::new(),
            cover_offset_ms: None,
            allow_comments: false,
            allow_duets: false,
            allow_stitches: false,
            discloses_commercial_content: false,
            promotes_own_brand: false,
            branded_content: false,
        }
    }
}

impl Variant {
    /// Empty optional texts become `None`, texts are trimmed at the ends.
    pub fn normalized(mut self) -> Variant {
        fn clean(v: Option<String>) -> Option<String> {
            v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
        }
        self.caption = self.caption.trim_end().to_owned();
        self.title = clean(self.title);
        self.link = clean(self.link);
        self.first_comment = clean(self.first_comment);
        self.privacy = clean(self.privacy);
        self.media.retain(|m| !m.trim().is_empty());
        // Choosing what it promotes is disclosing.
        self.discloses_commercial_content |= self.promotes_own_brand || self.branded_content;
        self
    }

    /// The interactions and disclosure, as the publishers take them.
    pub fn settings(&self) -> herald_platforms::PostSettings {
        herald_platforms::PostSettings {
            allow_comments: self.allow_comments,
            allow_duets: self.allow_duets,
            allow_stitches: self.allow_stitches,
            promotes_own_brand: self.promotes_own_brand,
            branded_content: self.branded_content,
        }
    }
}

/// One account a post goes to, with its variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetInput {
    pub connection_id: ConnectionId,
    pub variant: Variant,
}

/// What to do with a post when it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum When {
    /// Keep it as a draft.
    Draft,
    /// Publish at a wall-clock time in a time zone.
    Schedule { schedule: Schedule },
    /// Publish right away.
    Now,
    /// Ask for approval: it goes out at `schedule` once approved (right
    /// when approved if there is none, or if the time has passed by then).
    Submit {
        #[serde(default)]
        schedule: Option<Schedule>,
    },
}

/// A post as written in the composer or sent to the API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostInput {
    pub targets: Vec<TargetInput>,
    pub when: When,
}

/// A closed set stored as text: its text and parsing are derived (strum),
/// and [`herald_core::Named`] gives it `as_str` and `parse`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize,
            strum::IntoStaticStr, strum::EnumString,
        )]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[strum(serialize = $text)] $variant),* }
    };
}

string_enum! {
    /// A post's state, summarised over its targets.
    PostStatus {
        Draft = "draft",
        Scheduled = "scheduled",
        Publishing = "publishing",
        Published = "published",
        PartiallyPublished = "partially_published",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// One target's state: draft → scheduled → publishing → published /
    /// failed / cancelled.
    TargetStatus {
        Draft = "draft",
        Scheduled = "scheduled",
        Publishing = "publishing",
        Published = "published",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// What an attempt ended with.
    Outcome {
        Published = "published",
        Waiting = "waiting",
        Retrying = "retrying",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

impl TargetStatus {
    /// Whether the target has gone out or is going out: it can no longer
    /// be deleted, edited or cancelled.
    pub fn has_gone_out(self) -> bool {
        matches!(self, TargetStatus::Publishing | TargetStatus::Published)
    }

    /// Whether the target's content may still change.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            TargetStatus::Draft
                | TargetStatus::Scheduled
                | TargetStatus::Failed
                | TargetStatus::Cancelled
        )
    }
}

impl PostStatus {
    /// The post's state from its targets' states.
    pub fn of(targets: &[TargetStatus]) -> PostStatus {
        use TargetStatus as T;
        let count = |s: T| targets.iter().filter(|t| **t == s).count();
        let live = targets.len() - count(T::Cancelled);
        if targets.is_empty() || count(T::Draft) == targets.len() {
            PostStatus::Draft
        } else if live == 0 {
            PostStatus::Cancelled
        } else if count(T::Publishing) > 0 {
            PostStatus::Publishing
        } else if count(T::Scheduled) > 0 {
            PostStatus::Scheduled
        } else if count(T::Published) == live {
            PostStatus::Published
        } else if count(T::Published) > 0 {
            PostStatus::PartiallyPublished
        } else {
            PostStatus::Failed
        }
    }
}

/// Why a target failed, in terms of what fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FailureKind {
    /// The connection's token is dead or was removed: reconnect.
    Reconnect,
    /// Permissions are missing: connect again and grant them.
    Reconsent,
    /// The platform refused the content or media: edit and retry.
    Rejected,
    /// Herald's own check found a problem before sending: edit and retry.
    Invalid,
    /// Platform limits (daily publishing quota, throttling) outlasted the
    /// retries: retry later.
    Quota,
    /// The platform kept failing: retry later.
    Unavailable,
    /// The platform never confirmed whether it published: check the
    /// account before retrying (a retry reconciles first).
    Unconfirmed,
    /// Herald's app credentials at the platform are wrong: an operator
    /// has to fix the configuration.
    Misconfigured,
    /// A media file of the post was deleted: pick another.
    MediaMissing,
    /// The connected account was removed from the workspace.
    Disconnected,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Reconnect => "reconnect",
            FailureKind::Reconsent => "reconsent",
            FailureKind::Rejected => "rejected",
            FailureKind::Invalid => "invalid",
            FailureKind::Quota => "quota",
            FailureKind::Unavailable => "unavailable",
            FailureKind::Unconfirmed => "unconfirmed",
            FailureKind::Misconfigured => "misconfigured",
            FailureKind::MediaMissing => "media_missing",
            FailureKind::Disconnected => "disconnected",
        }
    }

    pub fn parse(s: &str) -> Option<FailureKind> {
        [
            FailureKind::Reconnect,
            FailureKind::Reconsent,
            FailureKind::Rejected,
            FailureKind::Invalid,
            FailureKind::Quota,
            FailureKind::Unavailable,
            FailureKind::Unconfirmed,
            FailureKind::Misconfigured,
            FailureKind::MediaMissing,
            FailureKind::Disconnected,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The fix to offer, in plain words.
    pub fn fix(self) -> &'static str {
        match self {
            FailureKind::Reconnect => "Reconnect the account, then retry.",
            FailureKind::Reconsent => {
                "Connect the account again and grant every permission, then retry."
            }
            FailureKind::Rejected | FailureKind::Invalid => "Edit the post, then retry.",
            FailureKind::MediaMissing => "Pick the media again, then retry.",
            FailureKind::Quota => "The platform's limit resets later; retry then.",
            FailureKind::Unavailable => "The platform is having trouble; retry later.",
            FailureKind::Unconfirmed => {
                "Check the account on the platform; a retry checks first and never posts twice."
            }
            FailureKind::Misconfigured => {
                "Ask your Herald administrator to check the platform app settings."
            }
            FailureKind::Disconnected => "Connect the account again, then edit the post.",
        }
    }
}

/// A target as shown in the calendar, queue and post detail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetView {
    pub id: TargetId,
    pub connection_id: Option<ConnectionId>,
    pub provider: ProviderId,
    pub kind: AccountKind,
    pub account_name: String,
    pub status: TargetStatus,
    pub variant: Variant,
    pub idempotency_key: String,
    pub due_at: Option<Timestamp>,
    pub attempts: i32,
    pub remote_id: Option<String>,
    pub permalink: Option<String>,
    pub error_kind: Option<FailureKind>,
    /// What the platform itself said, when it said something (older
    /// failures: an English sentence saying why).
    pub error_message: Option<String>,
    /// Why it failed, as a code with parameters for the reader's language
    /// (none on failures recorded before codes were stored).
    pub error_detail: Option<FailureDetail>,
    /// While it is publishing: why the platform postponed it and until
    /// when (`params.until`), as a code with parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postponed: Option<FailureDetail>,
    /// Once published: what the person should know although it went out
    /// (the platform made it private, it still processes), as codes with
    /// parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<FailureDetail>,
    pub published_at: Option<Timestamp>,
}

impl TargetView {
    /// Whether a member with `role` may be offered to try this target
    /// again (it failed; they may publish).
    pub fn may_retry(&self, role: Role) -> bool {
        role.allows(Permission::Publish) && self.status == TargetStatus::Failed
    }
}

/// Why a target failed, in no language: a code, the values its words
/// need, and for `rules_broken` the issues Herald's own check found. The
/// web layer renders `failure.<code>` (and `issue.<code>` for each issue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailureDetail {
    /// `platform_said`, `platform_said_missing_scopes`,
    /// `platform_kept_refusing`, `platform_unconfirmed`, `account_removed`,
    /// `media_deleted`, `variant_unreadable`, `progress_unreadable`, `rules_broken`,
    /// `account_kind_unknown`, `provider_unavailable`.
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Param>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub issues: Vec<FailureDetail>,
}

impl FailureDetail {
    pub fn new<const N: usize>(code: &str, params: [(&str, Param); N]) -> FailureDetail {
        FailureDetail {
            code: code.to_owned(),
            params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            issues: Vec::new(),
        }
    }

    /// The detail of a target that broke the platform's rules.
    pub fn rules_broken(issues: &[Issue]) -> FailureDetail {
        FailureDetail {
            code: "rules_broken".to_owned(),
            params: BTreeMap::new(),
            issues: issues
                .iter()
                .map(|i| FailureDetail {
                    code: i.code.to_owned(),
                    params: i
                        .params
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), v.clone()))
                        .collect(),
                    issues: Vec::new(),
                })
                .collect(),
        }
    }

    /// The codes, for logs and machine readers: `rules_broken:
    /// caption_too_long title_required`.
    pub fn codes(&self) -> String {
        if self.issues.is_empty() {
            self.code.clone()
        } else {
            let inner: Vec<&str> = self.issues.iter().map(|i| i.code.as_str()).collect();
            format!("{}: {}", self.code, inner.join(" "))
        }
    }
}

/// A post with its targets.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostView {
    pub id: PostId,
    pub workspace_id: i64,
    pub status: PostStatus,
    pub schedule: Option<Schedule>,
    pub scheduled_at: Option<Timestamp>,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Where its approval stands.
    pub review: ReviewState,
    /// When its time came while it still waited for approval (it did not
    /// go out).
    pub held_at: Option<Timestamp>,
    pub targets: Vec<TargetView>,
}

/// What a member may be offered to do with a post now, from the post's
/// state and their role. The service checks the same rules again when
/// they act; pages and API clients only decide what to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PostActions {
    /// Change its content, accounts or time.
    pub edit: bool,
    /// Move it to another time.
    pub reschedule: bool,
    /// Stop what is scheduled or failed from going out.
    pub cancel: bool,
    /// Remove it (nothing of it has gone out).
    pub delete: bool,
    /// Ask for approval (it is not waiting already).
    pub submit: bool,
    /// Approve it or ask for changes (it waits; they may decide on it).
    pub decide: bool,
}

impl PostView {
    /// What the member holding `auth` may do with the post now, under the
    /// workspace's approval `policy`.
    pub fn actions(&self, auth: &Authorized, policy: &ApprovalPolicy) -> PostActions {
        let actor = Actor {
            may_publish: auth.allows(Permission::Publish),
            approver: policy.is_approver(auth),
            author: self.created_by == Some(auth.user().0),
        };
        let editable =
            !self.targets.is_empty() && self.targets.iter().all(|t| t.status.is_editable());
        let untouched = self.targets.iter().all(|t| t.status == TargetStatus::Draft);
        let may_draft = auth.allows(Permission::Draft);
        // Through a scoped token, only what its scopes allow too.
        let mut actions = if actor.may_publish {
            self.actions_for(auth.role())
        } else {
            PostActions::default()
        };
        // A contributor changes their own posts while they wait or after
        // approval; scheduling stays the approvers' part.
        if !actor.may_publish && may_draft && actor.author {
            actions.edit = editable && (untouched || self.review == ReviewState::Approved);
        }
        actions.submit = may_draft
            && (actor.author || actor.may_publish)
            && editable
            && untouched
            && self.review != ReviewState::InReview;
        actions.decide = ApprovalPolicy::may_decide(actor, self.review).is_ok();
        actions
    }

    /// The actions a member with `role` gets from their role alone (no
    /// review actions).
    pub fn actions_for(&self, role: Role) -> PostActions {
        if !role.allows(Permission::Publish) {
            return PostActions::default();
        }
        let editable =
            !self.targets.is_empty() && self.targets.iter().all(|t| t.status.is_editable());
        PostActions {
            edit: editable,
            reschedule: editable,
            cancel: self
                .targets
                .iter()
                .any(|t| matches!(t.status, TargetStatus::Scheduled | TargetStatus::Failed)),
            delete: !self.targets.iter().any(|t| t.status.has_gone_out()),
            submit: false,
            decide: false,
        }
    }

    /// The first caption, for one-line summaries.
    pub fn summary(&self) -> &str {
        summary_of(self.targets.iter().map(|t| &t.variant))
    }
}

/// The first caption of `variants`, else the first title, else nothing.
pub(crate) fn summary_of<'a>(variants: impl Iterator<Item = &'a Variant> + Clone) -> &'a str {
    variants
        .clone()
        .map(|v| v.caption.as_str())
        .find(|c| !c.trim().is_empty())
        .or_else(|| variants.into_iter().find_map(|v| v.title.as_deref()))
        .unwrap_or("")
}

/// One publishing attempt of a target.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub attempt: i32,
    pub outcome: Outcome,
    pub remote_id: Option<String>,
    pub permalink: Option<String>,
    /// The publisher's saved state after the attempt (container ids,
    /// upload session, intent markers).
    #[cfg_attr(feature = "openapi", schema(schema_with = herald_core::openapi::any_json))]
    pub progress: serde_json::Value,
    pub error_kind: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub error_detail: Option<FailureDetail>,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use TargetStatus as T;
    use herald_core::Named;

    #[test]
    fn post_status_summarises_targets() {
        assert_eq!(PostStatus::of(&[]), PostStatus::Draft);
        assert_eq!(PostStatus::of(&[T::Draft, T::Draft]), PostStatus::Draft);
        assert_eq!(
            PostStatus::of(&[T::Scheduled, T::Published]),
            PostStatus::Scheduled
        );
        assert_eq!(
            PostStatus::of(&[T::Publishing, T::Scheduled]),
            PostStatus::Publishing
        );
        assert_eq!(
            PostStatus::of(&[T::Published, T::Cancelled]),
            PostStatus::Published
        );
        assert_eq!(
            PostStatus::of(&[T::Published, T::Failed]),
            PostStatus::PartiallyPublished
        );
        assert_eq!(
            PostStatus::of(&[T::Failed, T::Cancelled]),
            PostStatus::Failed
        );
        assert_eq!(PostStatus::of(&[T::Cancelled]), PostStatus::Cancelled);
    }

    fn post_of(statuses: &[TargetStatus]) -> PostView {
        let targets = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| TargetView {
                id: TargetId(format!("t{i}")),
                connection_id: Some(ConnectionId(format!("c{i}"))),
                provider: ProviderId::Facebook,
                kind: AccountKind::FacebookPage,
                account_name: "Page".to_owned(),
                status: *status,
                variant: Variant::default(),
                idempotency_key: format!("k{i}"),
                due_at: None,
                attempts: 0,
                remote_id: None,
                permalink: None,
                error_kind: None,
                error_message: None,
                error_detail: None,
                postponed: None,
                notices: Vec::new(),
                published_at: None,
            })
            .collect();
        PostView {
            id: PostId::from("p"),
            workspace_id: 1,
            status: PostStatus::of(statuses),
            schedule: None,
            scheduled_at: None,
            created_by: Some(1),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            review: ReviewState::None,
            held_at: None,
            targets,
        }
    }

    #[test]
    fn actions_follow_the_post_state_and_the_role() {
        let all = PostActions {
            edit: true,
            reschedule: true,
            cancel: true,
            delete: true,
            submit: false,
            decide: false,
        };
        let scheduled = post_of(&[T::Scheduled, T::Failed]);
        assert_eq!(scheduled.actions_for(Role::Editor), all);
        assert_eq!(scheduled.actions_for(Role::Owner), all);
        // Without the right to publish, nothing is offered.
        for role in [Role::Contributor, Role::Viewer] {
            assert_eq!(scheduled.actions_for(role), PostActions::default());
            assert!(!scheduled.targets[1].may_retry(role));
        }
        assert!(scheduled.targets[1].may_retry(Role::Editor));
        assert!(!scheduled.targets[0].may_retry(Role::Editor));
        // Partly out: no edit, no delete; the failed part can be cancelled.
        let partly = post_of(&[T::Published, T::Failed]);
        assert_eq!(
            partly.actions_for(Role::Admin),
            PostActions {
                cancel: true,
                ..PostActions::default()
            }
        );
        // Going out now: nothing but watching.
        assert_eq!(
            post_of(&[T::Publishing]).actions_for(Role::Owner),
            PostActions::default()
        );
        // A draft: edit, move or delete it; there is nothing to cancel.
        assert_eq!(
            post_of(&[T::Draft]).actions_for(Role::Editor),
            PostActions {
                cancel: false,
                ..all
            }
        );
        // A post without targets cannot be edited into shape here.
        assert!(!post_of(&[]).actions_for(Role::Owner).edit);
    }

    #[test]
    fn names_round_trip() {
        for s in [
            "draft",
            "scheduled",
            "publishing",
            "published",
            "failed",
            "cancelled",
        ] {
            assert_eq!(TargetStatus::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            FailureKind::parse("media_missing"),
            Some(FailureKind::MediaMissing)
        );
        assert_eq!(Outcome::parse("waiting"), Some(Outcome::Waiting));
    }
}
