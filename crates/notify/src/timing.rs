//! The numbers that shape notification delivery, and the mail sweep's
//! job, shared by raising (which queues the sweep) and the sweep itself.

use herald_core::{SignedDuration, Timestamp};
use herald_jobs::JobPayload;
use serde::{Deserialize, Serialize};

/// How many notifications a person keeps (across workspaces); older ones
/// are deleted when new ones arrive.
pub const KEEP_PER_USER: i64 = 500;

/// How long a notice's key keeps the same notice from being raised again,
/// unless the raise says otherwise.
pub const KEY_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// How long the first waiting notice of a kind waits for others before it
/// is mailed.
pub const GATHER: SignedDuration = SignedDuration::from_secs(60);

/// The least time between two mails of one kind to one member.
pub const MAIL_GAP: SignedDuration = SignedDuration::from_mins(15);

/// The sweep's job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepMail {}

impl JobPayload for SweepMail {
    const KIND: &'static str = "notify.mail.v1";
    const QUEUE: &'static str = "notify";
}

/// The unique key of the sweep due at `at`: one per minute.
pub(crate) fn sweep_key(at: Timestamp) -> String {
    format!("notify.mail.sweep:{}", at.as_second() / 60)
}
