//! What Herald keeps and for how long, as data: the privacy notice renders
//! it and the retention job enforces the same values, so the two cannot
//! disagree.

use std::time::Duration;

/// One kind of stored data and how long it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retained {
    /// What is kept (`sessions`, `mail`, …): the notice words it.
    pub code: &'static str,
    pub period: Period,
}

/// How long something is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// Until the person deletes it (or their account).
    UntilDeleted,
    /// Until an event ends it (disconnecting, accepting, using): the code
    /// says which.
    UntilEnded,
    /// Exactly this long after it was made.
    For(Duration),
    /// Until unused for `idle`, and at most `max`.
    IdleOrMax { idle: Duration, max: Duration },
}

impl Retained {
    pub const fn new(code: &'static str, period: Period) -> Retained {
        Retained { code, period }
    }
}
