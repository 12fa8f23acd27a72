//! What the Graph publishers (Instagram, Facebook Pages) share: progress
//! keys and markers, follow-up retries, Graph listings with cursors, and
//! Graph's time format.

use herald_core::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::{Progress, Published, Step, with};
use crate::{ErrorKind, PlatformError, ProviderId};

pub(super) const PERMALINK: &str = "permalink";
pub(super) const PERMALINK_WARNING: &str = "permalink_warning";
pub(super) const COMMENT_INTENT: &str = "comment_intent_at";
pub(super) const COMMENT_ID: &str = "comment_id";
pub(super) const COMMENT_WARNING: &str = "comment_warning";

/// Tries of a follow-up (permalink, first comment) before it becomes a
/// warning.
pub(super) const FOLLOW_UP_TRIES: u32 = 5;

/// How far before the intent marker a reconciled object may be dated
/// (clock skew between Herald and the platform).
pub(super) const RECONCILE_SLACK: SignedDuration = SignedDuration::from_secs(60);

#[derive(Deserialize)]
pub(super) struct Listing<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Graph's cursors; `next` is only there when another page exists.
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Deserialize, Default)]
pub(super) struct Paging {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub cursors: Option<Cursors>,
}

#[derive(Deserialize, Default)]
pub(super) struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
}

impl<T> Listing<T> {
    /// The cursor of the next page, when there is one.
    pub(super) fn after(&self) -> Option<String> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.after.clone()
    }
}

/// A follow-up call failed: retry transient failures a few times (as a
/// `Wait`, so the post is never reported failed), then give up with a
/// warning.
pub(super) fn follow_up_failed(
    now: Timestamp,
    progress: &Progress,
    error: &PlatformError,
    warning_key: &str,
    what: &str,
) -> Step {
    let tries_key = format!("{warning_key}.tries");
    let tries = count(progress, &tries_key) + 1;
    let retry = error.is_transient() || error.kind == ErrorKind::OutcomeUnknown;
    if retry && tries < FOLLOW_UP_TRIES {
        let at = match error.kind {
            ErrorKind::RateLimited { until: Some(until) } if until > now => until,
            _ => now + SignedDuration::from_secs(5 * i64::from(tries)),
        };
        return Step::Wait {
            progress: with(progress, &tries_key, tries.to_string()),
            at,
        };
    }
    Step::Continue(with(
        progress,
        warning_key,
        format!("{what} failed: {error}"),
    ))
}

/// The final answer from the saved progress.
pub(super) fn published(remote_id: &str, progress: &Progress) -> Published {
    let warnings = [PERMALINK_WARNING, COMMENT_WARNING]
        .iter()
        .filter_map(|k| progress.get(*k).cloned())
        .collect();
    Published {
        remote_id: remote_id.to_owned(),
        permalink: progress.get(PERMALINK).cloned(),
        progress: progress.clone(),
        warnings,
    }
}

pub(super) fn count(progress: &Progress, key: &str) -> u32 {
    progress.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A marker saved as unix seconds.
pub(super) fn instant(progress: &Progress, key: &str) -> Option<Timestamp> {
    progress
        .get(key)
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok())
}

pub(super) fn required(
    progress: &Progress,
    key: &str,
    provider: ProviderId,
) -> Result<String, PlatformError> {
    progress.get(key).cloned().ok_or_else(|| {
        PlatformError::new(
            provider,
            ErrorKind::BadRequest,
            format!("the saved progress lacks {key}"),
        )
    })
}

/// Graph's `2026-01-01T00:00:00+0000` (or RFC 3339).
pub(super) fn parse_time(s: &str) -> Option<Timestamp> {
    Timestamp::strptime("%Y-%m-%dT%H:%M:%S%z", s)
        .ok()
        .or_else(|| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_parse() {
        assert_eq!(
            parse_time("2026-01-01T00:00:02+0000").map(herald_core::Timestamp::as_second),
            Some(1_767_225_602)
        );
        assert_eq!(
            parse_time("2026-01-01T00:00:02Z").map(herald_core::Timestamp::as_second),
            Some(1_767_225_602)
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn transient_follow_up_failures_wait_then_warn() {
        let now = Timestamp::from_second(1_000).unwrap();
        let error = PlatformError::new(ProviderId::Facebook, ErrorKind::Unavailable, "down");
        let mut progress = Progress::new();
        for _ in 1..FOLLOW_UP_TRIES {
            match follow_up_failed(now, &progress, &error, COMMENT_WARNING, "commenting") {
                Step::Wait { progress: next, at } => {
                    assert!(at > now);
                    progress = next;
                }
                other => panic!("expected a wait, got {other:?}"),
            }
        }
        match follow_up_failed(now, &progress, &error, COMMENT_WARNING, "commenting") {
            Step::Continue(next) => assert!(next[COMMENT_WARNING].starts_with("commenting failed")),
            other => panic!("expected a warning, got {other:?}"),
        }
        let bad = PlatformError::new(ProviderId::Facebook, ErrorKind::BadRequest, "no");
        assert!(matches!(
            follow_up_failed(now, &Progress::new(), &bad, COMMENT_WARNING, "x"),
            Step::Continue(_)
        ));
    }
}
