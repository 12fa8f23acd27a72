//! What can go wrong when Herald talks to a platform, classified into the
//! few things a person (or a job) can act on.

use std::collections::BTreeMap;
use std::fmt;

use herald_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ProviderId;

/// What to do about a failed platform call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The token is dead (expired without refresh, revoked, password
    /// changed): the person has to connect the account again.
    Reconnect,
    /// The token works but lacks these permissions: ask for consent again.
    Reconsent { scopes: Vec<String> },
    /// The platform throttles us; calls resume at `until` (when known).
    RateLimited { until: Option<Timestamp> },
    /// The platform (or the network to it) failed; trying later may work.
    Unavailable,
    /// A call that changes something timed out or broke after it was sent:
    /// it may or may not have taken effect, so it must not be blindly
    /// repeated.
    OutcomeUnknown,
    /// The platform rejected the request itself (our bug or bad input).
    BadRequest,
    /// The platform rejected Herald's app credentials or redirect URI: an
    /// operator has to fix the configuration.
    Misconfigured,
    /// The platform will not take this now but nobody has to act: the
    /// same request may go out at `until` (a per-account daily cap, an
    /// instance-wide upload budget). Waiting for it is not a failed
    /// attempt; the reason ([`PlatformError::hint`]) is shown meanwhile.
    Postponed { until: Timestamp },
}

impl ErrorKind {
    /// A short stable name, for logs, metrics and the copy table.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Reconnect => "reconnect",
            ErrorKind::Reconsent { .. } => "reconsent",
            ErrorKind::RateLimited { .. } => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Misconfigured => "misconfigured",
            ErrorKind::Postponed { .. } => "postponed",
        }
    }
}

/// A classified platform failure. Holds the platform's own code and
/// message (never a token), and the trace id to quote to its support.
#[derive(Debug, Clone, thiserror::Error)]
pub struct PlatformError {
    pub provider: ProviderId,
    pub kind: ErrorKind,
    /// The platform's code, e.g. `190/463` (Meta), `access_token_invalid`
    /// (TikTok) or `quotaExceeded` (Google).
    pub code: Option<String>,
    /// The platform's message, or ours when there was no answer.
    pub message: String,
    /// `fbtrace_id`, `log_id` or similar (boxed, like the hint: the error
    /// rides in every platform call's result, so it stays small).
    pub trace: Option<Box<str>>,
    /// What exactly happened and what the person can do, as a code and
    /// parameters (rendered at the edge as `failure.<code>`), when the
    /// adapter knows more than the kind says.
    pub hint: Option<Box<Hint>>,
}

/// A precise reason for a platform failure, in no language: a code from
/// [`HINT_CODES`] and the values its words need (the platform's own
/// `error_user_msg`, a rejection reason, a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Hint {
    /// A hint with `code`, which must be one of [`HINT_CODES`].
    pub fn new<const N: usize>(code: &str, params: [(&str, String); N]) -> Hint {
        debug_assert!(is_hint_code(code), "unregistered hint code {code}");
        Hint {
            code: code.to_owned(),
            params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }
}

/// Every hint code an adapter may produce, one list per area. The web
/// layer has words for each in every language (a test holds it), so add a
/// code to its area's `HINTS` and its `failure-<code>` copy in every
/// catalogue together.
pub const HINT_CODES: &[&[&str]] = &[
    // Facebook Login: permissions and webhook subscriptions.
    crate::meta::HINTS,
    // Instagram and Facebook publishing.
    crate::publish::graph::HINTS,
    crate::publish::tiktok::HINTS,
    crate::publish::youtube::HINTS,
];

/// Whether `code` is a registered hint code.
pub fn is_hint_code(code: &str) -> bool {
    HINT_CODES.iter().any(|area| area.contains(&code))
}

impl PlatformError {
    pub fn new(provider: ProviderId, kind: ErrorKind, message: impl Into<String>) -> Self {
        PlatformError {
            provider,
            kind,
            code: None,
            message: message.into(),
            trace: None,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: Hint) -> Self {
        self.hint = Some(Box::new(hint));
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_trace(mut self, trace: Option<String>) -> Self {
        self.trace = trace.map(String::into_boxed_str);
        self
    }

    /// Whether the same call may succeed later without anyone acting.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::RateLimited { .. } | ErrorKind::Unavailable
        )
    }

    /// What an answer whose body is in none of the platform's error shapes
    /// means, by its HTTP status alone: nothing for 2xx, throttling for
    /// 429, an outage for 5xx, otherwise an unexpected answer.
    pub(crate) fn from_status(provider: ProviderId, status: u16) -> Option<Self> {
        match status {
            200..=299 => None,
            429 => Some(PlatformError::new(
                provider,
                ErrorKind::RateLimited { until: None },
                "too many requests",
            )),
            500..=599 => Some(PlatformError::new(
                provider,
                ErrorKind::Unavailable,
                format!("HTTP {status}"),
            )),
            status => Some(PlatformError::unexpected(
                provider,
                format_args!("HTTP {status}"),
            )),
        }
    }

    /// An answer that was not what the contract promises.
    pub(crate) fn unexpected(provider: ProviderId, what: impl fmt::Display) -> Self {
        PlatformError::new(
            provider,
            ErrorKind::Unavailable,
            format!("unexpected answer from the platform: {what}"),
        )
    }
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.provider.name(), self.kind.as_str())?;
        if let Some(code) = &self.code {
            write!(f, ", {code}")?;
        }
        write!(f, "): {}", self.message)
    }
}
