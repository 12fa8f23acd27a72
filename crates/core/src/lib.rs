//! Herald's domain core: the types, rules and ports every other crate shares.
//!
//! Nothing here knows about HTTP, SQL or a platform's wire format. Storage,
//! the web layer and the platform adapters depend on this crate, never the
//! other way round. (The optional `sqlx` feature only teaches the id types
//! how they are stored; no query lives here.)

pub mod clock;
pub mod error;
pub mod id;
pub mod named;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod retention;

pub use clock::{Clock, ManualClock, SystemClock};
pub use id::{
    ConnectionId, DeliveryId, DeviceId, DraftId, EndpointId, GenerationId, MediaId, PillarId,
    PostId, TargetId, TemplateId, TokenId, UserId, WorkspaceId,
};
pub use jiff::{SignedDuration, Timestamp};
pub use named::Named;
pub use retention::{Period, Retained};
pub use strum;
