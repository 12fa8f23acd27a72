//! Herald's domain core: the types, rules and ports every other crate shares.
//!
//! Nothing here knows about HTTP, SQL or a platform's wire format. Storage,
//! the web layer and the platform adapters depend on this crate, never the
//! other way round.

pub mod clock;
pub mod retention;

pub use clock::{Clock, ManualClock, SystemClock};
pub use jiff::{SignedDuration, Timestamp};
pub use retention::{Period, Retained};
