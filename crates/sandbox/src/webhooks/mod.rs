//! Meta's side of webhooks, on demand: the subscription handshake against
//! the app's callback URL, signed deliveries about sandbox Pages and
//! Instagram accounts (with realistic values that also change the sandbox,
//! e.g. a `comments` delivery adds the comment it reports), retries like
//! Meta's, and the deauthorize and data-deletion callbacks with a
//! `signed_request`. Each can be sent wrong on purpose (tampered, missing,
//! wrong-secret or malformed signatures) so a receiver's refusals can be
//! tried too.
//!
//! `escape` renders bodies as Meta does, `sign` signs them, `payload`
//! finds accounts and builds values, `send` does the HTTP and the retries,
//! `routes` is the admin API and the index page's section. Everything sent
//! lands in the [`WebhookLog`] (memory only, like faults).

mod escape;
mod payload;
mod routes;
mod send;
mod sign;

use std::collections::VecDeque;

use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;

pub(crate) use payload::{Account, connected_accounts, resolve as resolve_account};
pub(crate) use routes::{IndexSection, index_section, router};
pub(crate) use send::app_removed;

/// The log keeps this many requests (oldest dropped first).
const LOG_CAPACITY: usize = 500;

/// Why a sender request was refused before anything was sent.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebhookError {
    #[error("The webhook sender is off: SandboxConfig::webhooks is not set.")]
    NotConfigured,
    /// 400: the request itself is wrong.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// 404: no such sandbox account.
    #[error("{0}")]
    UnknownAccount(String),
    /// 409: the account lacks what the delivery is about (media, a story,
    /// a Page post).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
}

impl WebhookError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotConfigured | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::BAD_REQUEST,
            Self::UnknownAccount(_) => StatusCode::NOT_FOUND,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "webhooks_not_configured",
            Self::Invalid { code, .. } | Self::Conflict { code, .. } => code,
            Self::UnknownAccount(_) => "unknown_account",
        }
    }
}

/// Which Meta app a request comes from, and so which secret signs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum App {
    /// Facebook Login: Pages and their Instagram accounts.
    Facebook,
    /// Instagram Login.
    Instagram,
}

impl App {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "facebook" => Some(Self::Facebook),
            "instagram" => Some(Self::Instagram),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Facebook => "facebook",
            Self::Instagram => "instagram",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EntryKind {
    /// A signed `POST` to the callback URL.
    Delivery,
    /// The `GET` subscription handshake.
    Verification,
    Deauthorize,
    DataDeletion,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Verification => "verification",
            Self::Deauthorize => "deauthorize",
            Self::DataDeletion => "data deletion",
        }
    }
}

/// Where a logged request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// The first attempt is under way.
    Pending,
    /// Failed so far; another attempt is scheduled.
    Retrying,
    /// Answered 2xx (a verification: 200 echoing the challenge).
    Delivered,
    /// Failed and will not be tried again.
    Failed,
}

/// One try: the receiver's status, or why there was none.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Attempt {
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One request the sender made (with its retries).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub id: String,
    pub kind: EntryKind,
    pub app: App,
    /// Where it went (without the verification's query, which carries the
    /// verify token).
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Deliveries: the entry id (Page or Instagram account id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Callbacks: the `user_id` in the signed request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// How it was signed (`valid`, `tampered`, …).
    pub signature: &'static str,
    /// Whether failures are retried.
    pub retry: bool,
    pub created_at: Timestamp,
    pub attempts: Vec<Attempt>,
    pub state: Outcome,
    /// What was sent: the exact delivery body, the callback's form body,
    /// the verification's challenge.
    pub body: String,
    /// The last answer's body (at most 4 KiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// What the sender did, newest last, and a one-shot notice for the index
/// page (the outcome of its last form post when that was refused).
#[derive(Debug, Default)]
pub(crate) struct WebhookLog {
    entries: VecDeque<Entry>,
    next: u64,
    notice: Option<String>,
}

impl WebhookLog {
    /// Adds `entry` under a fresh id (`wh_1`, `wh_2`, …) and returns it.
    pub fn push(&mut self, mut entry: Entry) -> String {
        self.next += 1;
        entry.id = format!("wh_{}", self.next);
        let id = entry.id.clone();
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        id
    }

    /// How many entries were ever pushed (rotates the sample texts).
    pub fn sequence(&self) -> u64 {
        self.next
    }

    /// Records an attempt and the state it leaves the entry in.
    pub fn record(&mut self, id: &str, attempt: Attempt, state: Outcome, response: Option<String>) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.id == id) {
            entry.attempts.push(attempt);
            entry.state = state;
            if response.is_some() {
                entry.response = response;
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter()
    }

    pub fn set_notice(&mut self, notice: String) {
        self.notice = Some(notice);
    }

    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            id: String::new(),
            kind: EntryKind::Delivery,
            app: App::Facebook,
            url: "http://h.example/webhooks/meta".into(),
            object: Some("page".into()),
            field: Some("feed".into()),
            account: Some("1".into()),
            user_id: None,
            signature: "valid",
            retry: true,
            created_at: Timestamp::UNIX_EPOCH,
            attempts: Vec::new(),
            state: Outcome::Pending,
            body: "{}".into(),
            response: None,
        }
    }

    #[test]
    fn the_log_numbers_entries_records_attempts_and_stays_bounded() {
        let mut log = WebhookLog::default();
        let id = log.push(entry());
        assert_eq!(id, "wh_1");
        log.record(
            &id,
            Attempt {
                at: Timestamp::UNIX_EPOCH,
                status: Some(500),
                error: None,
            },
            Outcome::Retrying,
            Some("oops".into()),
        );
        let e = log.get(&id).unwrap();
        assert_eq!((e.attempts.len(), e.state), (1, Outcome::Retrying));
        assert_eq!(e.response.as_deref(), Some("oops"));
        for _ in 0..LOG_CAPACITY {
            log.push(entry());
        }
        assert_eq!(log.entries().count(), LOG_CAPACITY);
        assert!(log.get("wh_1").is_none());
        assert_eq!(log.sequence(), LOG_CAPACITY as u64 + 1);
    }
}
