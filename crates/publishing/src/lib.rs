//! Publishing and scheduling: compose once, publish everywhere, on time,
//! exactly once.
//!
//! A post has one or more targets, each a connected account with its own
//! [`Variant`] (caption, title, link, first comment, privacy, media in
//! order, cover). A target goes draft → scheduled → publishing → published
//! / failed / cancelled; the post's status summarises its targets.
//! Schedules are a wall-clock time in an IANA zone ([`Schedule`]).
//!
//! [`rules`] holds one validation table per provider, used while composing
//! and again right before dispatch. [`dispatch`] turns each scheduled
//! target into a job at its time and runs the platform's
//! [`herald_platforms::Publisher`] step by step, saving progress, writing a
//! delivery receipt per attempt and the `platform.publish.*` events through
//! the transactional outbox.

pub mod backfill;
mod budget;
pub mod dispatch;
mod error;
mod events;
pub mod mention;
pub mod model;
mod ports;
pub mod review;
pub mod rules;
pub mod schedule;
mod service;
mod store;

pub use backfill::{BackfillPostId, Backfiller};
pub use budget::BudgetUse;
pub use dispatch::{Dispatcher, PublishTarget};
pub use error::PublishError;
pub use model::{
    FailureDetail, FailureKind, Outcome, PostActions, PostInput, PostStatus, PostView, Receipt,
    TargetInput, TargetStatus, TargetView, Variant, When,
};
pub use ports::{MediaCatalog, PostFailure, PostNews, PostNewsKind, TeamNotifier};
pub use review::{ApprovalMode, ApprovalPolicy, ReviewAction, ReviewState};
pub use schedule::Schedule;
pub use service::{
    CommentView, CreatedLink, Decision, GuestDecision, GuestMedia, GuestPost, GuestReview,
    GuestTarget, HoldIfWaiting, LinkKey, MAX_COMMENT_CHARS, NewCommentInput, NewLinkInput,
    PublishedPost, Publishing, QueueFilter, ReviewEntry, ReviewLinkView, TargetReport, Thread,
};

/// Registers the publish job, the post-id backfill and the approval hold
/// with a worker registry.
pub fn register(registry: &mut herald_jobs::Registry, publishing: Publishing) {
    registry.register::<PublishTarget, _>(publishing.dispatcher());
    registry.register::<BackfillPostId, _>(publishing.backfiller());
    registry.register::<HoldIfWaiting, _>(service::HoldHandler(publishing));
}
