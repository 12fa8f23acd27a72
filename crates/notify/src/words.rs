//! The words port: mail is composed at delivery, in the recipient's
//! language and time zone, by the binary's implementation over the web
//! layer's catalogs.

use herald_core::Timestamp;

use crate::{Notice, NotificationKind};

/// How many notices a summary names (it counts them all).
pub const SUMMARY_NAMES: usize = 10;

/// One waiting notice, as mail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPiece {
    pub notice: Notice,
    /// A path inside Herald.
    pub link: Option<String>,
    pub at: Timestamp,
}

/// What a mail is about.
#[derive(Debug, Clone)]
pub enum MailBody<'a> {
    /// Notices of one kind: one, or a summary of `total` naming `pieces`.
    Notices {
        kind: NotificationKind,
        pieces: &'a [MailPiece],
        total: u64,
    },
    /// The weekly digest.
    Digest(&'a crate::report::Digest),
}

/// Everything the words of one mail depend on.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    /// The recipient's language code (`en`, `de`).
    pub locale: &'a str,
    /// The recipient's time zone (UTC when they chose none).
    pub time_zone: &'a jiff::tz::TimeZone,
    pub name: &'a str,
    pub workspace: &'a str,
    pub body: MailBody<'a>,
    /// The absolute URL that turns this kind of mail off, no login needed.
    pub unsubscribe: &'a str,
    /// The public URL of this Herald (links are made absolute with it).
    pub site: &'a str,
}

/// A mail in words.
#[derive(Debug, Clone)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Composes mail in the reader's language (the binary implements it with
/// the web layer's catalogs).
pub trait Words: Send + Sync {
    fn compose(&self, letter: &Letter<'_>) -> Result<Composed, BoxError>;
}
