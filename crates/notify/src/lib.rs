//! Notifications: what members are told, through which channels, in whose
//! words.
//!
//! - [`Notifier::raise`] (raise.rs) is called by every service that has
//!   news, inside its transaction: it picks the members the news concerns
//!   ([`Audience`]), drops a repeat of the same key, and writes the
//!   in-app notice, the waiting mail and the `notification.raised` event
//!   for outbound webhooks, each as the member chose per kind and channel.
//! - [`NoticeMail`] (mail.rs) gathers waiting notices into mail: one notice
//!   one mail, a storm one summary, at most one mail per kind per member
//!   every [`MAIL_GAP`].
//! - [`Digests`] (digest.rs) makes the weekly digest at Monday 08:00 in each
//!   member's time zone.
//! - [`Notifications`] (inapp.rs) is the reading side: a member's list,
//!   unread count and choices; [`UnsubscribeKey`] signs the one-click
//!   unsubscribe links every mail carries.
//!
//! Everything is stored as codes with parameters ([`Notice`]); words are
//! composed at delivery in the reader's language by the [`Words`] port.
//! The crate owns `notifications`, `notification_choices`,
//! `notification_keys`, `notification_mail`, `notification_mail_sent` and
//! `digests`.

mod digest;
mod error;
mod inapp;
mod kind;
mod mail;
mod notice;
mod raise;
mod report;
mod timing;
mod unsubscribe;
mod words;

pub use digest::{
    DIGEST_DAY, DIGEST_TIME, DigestSchedule, Digests, DigestsMade, Figures, SweepDigests,
    digest_time, due,
};
pub use error::NotifyError;
pub use inapp::{Choice, Notification, Notifications};
pub use kind::{Channel, NotificationKind};
pub use mail::{NoticeMail, Swept};
pub use notice::{Notice, NoticeParam};
pub use raise::{Audience, NOTIFICATION_EVENT, Notifier, Raise, Raised};
pub use report::{Digest, NextStep, WeekFigures};
pub use timing::{GATHER, KEEP_PER_USER, KEY_WINDOW, MAIL_GAP, SweepMail};
pub use unsubscribe::{UnsubscribeKey, Unsubscription};
pub use words::{BoxError, Composed, Letter, MailBody, MailPiece, SUMMARY_NAMES, Words};

/// The wake-up channel of live pages (`herald_db::Notifications`), with the
/// workspace id as its topic: raised in-app notices and inbox changes wake
/// the workspace's open pages.
pub const LIVE_CHANNEL: &str = "herald_live";

/// What every notification service of an install shares.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public URL of this Herald, without a trailing slash.
    pub site: String,
    pub unsubscribe: UnsubscribeKey,
}

impl Settings {
    pub fn new(site: &str, unsubscribe: UnsubscribeKey) -> Settings {
        Settings {
            site: site.trim_end_matches('/').to_owned(),
            unsubscribe,
        }
    }

    /// The one-click link that turns off `u`'s mail of its kind.
    pub fn unsubscribe_url(&self, u: &Unsubscription) -> String {
        format!("{}/unsubscribe/{}", self.site, self.unsubscribe.token(u))
    }
}

/// The time zone named `name`, else UTC (no choice, or a name this
/// system's zone database does not know).
pub fn zone_of(name: Option<&str>) -> jiff::tz::TimeZone {
    name.and_then(|n| jiff::tz::TimeZone::get(n).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC)
}
