//! What a notification says, in no language: a code and the values its
//! words need. The web layer renders `notice.<code>` in the reader's
//! language when the notice is shown or mailed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A code with parameters.
///
/// | code | params |
/// | --- | --- |
/// | `comment` | `account`, `count`, `author`, `author_kind` (`handle`, `name`, `none`), `quote`, `quote_kind` (`some`, `none`) |
/// | `mention`, `story_insights`, `news` | `account`, `count` |
/// | `message` | `account`, `count`, `quote`, `quote_kind` |
/// | `delivery_dead` | `delivery`, `error` |
/// | `connection_revoked`, `connection_deleted` | `account`, `app` |
/// | `connection_reconnect` | `account`, `platform` |
/// | `connection_expiring` | `account`, `platform`, `at` (instant) |
/// | `endpoint_gone`, `endpoint_exhausted` | `host` |
/// | `endpoint_failing` | `host`, `days` |
/// | `post_failed`, `post_unconfirmed` | `post`, `platform`, `account`, `reason` (a `failure.` code) |
/// | `review_*`, `post_mention` | `post`, `by` |
/// | `digest` | see `digest.rs` |
/// | `analytics_anomaly` | `account`, `metric` (`views`, `reach`, `engagements`, `follows`, `unfollows`, `watch_time_secs`), `direction` (`spike`, `drop`), `value`, `median` (counts) |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub code: String,
    pub params: BTreeMap<String, NoticeParam>,
}

/// One value of a notice: text shown as it is, a count, or an instant
/// (written in the reader's time zone and language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NoticeParam {
    Text(String),
    Count(u64),
    /// Microseconds since the Unix epoch.
    Instant(i64),
}

impl From<&str> for NoticeParam {
    fn from(s: &str) -> NoticeParam {
        NoticeParam::Text(s.to_owned())
    }
}

impl From<String> for NoticeParam {
    fn from(s: String) -> NoticeParam {
        NoticeParam::Text(s)
    }
}

impl From<usize> for NoticeParam {
    fn from(n: usize) -> NoticeParam {
        NoticeParam::Count(n as u64)
    }
}

impl From<u64> for NoticeParam {
    fn from(n: u64) -> NoticeParam {
        NoticeParam::Count(n)
    }
}

impl From<herald_core::Timestamp> for NoticeParam {
    fn from(t: herald_core::Timestamp) -> NoticeParam {
        NoticeParam::Instant(t.as_microsecond())
    }
}

impl Notice {
    pub fn new<const N: usize>(code: &str, params: [(&str, NoticeParam); N]) -> Notice {
        Notice {
            code: code.to_owned(),
            params: params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// Parameter `name` as text, when it is some.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.params.get(name)? {
            NoticeParam::Text(s) => Some(s),
            NoticeParam::Count(_) | NoticeParam::Instant(_) => None,
        }
    }

    /// Parameter `name` as a count, when it is one.
    pub fn count(&self, name: &str) -> Option<u64> {
        match self.params.get(name)? {
            NoticeParam::Count(n) => Some(*n),
            NoticeParam::Text(_) | NoticeParam::Instant(_) => None,
        }
    }
}
