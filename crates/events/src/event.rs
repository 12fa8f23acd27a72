//! What an event is: an id, a NATS-style subject, when it happened and a JSON
//! payload of ids and outcomes. Subjects and subscription filters follow
//! NATS's rules (dot-separated tokens; `*` and `>` only in filters), so the
//! in-process subscribers and JetStream consumers select events alike.

use std::fmt;

use herald_core::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id of an event: a UUIDv7, so ids sort roughly by creation time. It is
/// also the JetStream message id (`Nats-Msg-Id`), which makes a re-sent
/// event recognisable as the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl EventId {
    pub fn new() -> EventId {
        EventId(Uuid::now_v7())
    }

    pub fn parse(s: &str) -> Option<EventId> {
        Uuid::parse_str(s).ok().map(EventId)
    }
}

impl Default for EventId {
    fn default() -> Self {
        EventId::new()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Why a subject or filter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid event subject{}: {reason}", if *.filter { " filter" } else { "" })]
pub struct InvalidSubject {
    pub value: String,
    pub filter: bool,
    pub reason: &'static str,
}

/// Longest subject accepted; NATS allows more, but ours are short.
const MAX_SUBJECT_LEN: usize = 255;

fn check_tokens(value: &str, filter: bool) -> Result<(), InvalidSubject> {
    let fail = |reason| {
        Err(InvalidSubject {
            value: value.to_owned(),
            filter,
            reason,
        })
    };
    if value.is_empty() {
        return fail("it is empty");
    }
    if value.len() > MAX_SUBJECT_LEN {
        return fail("it is longer than 255 bytes");
    }
    let tokens: Vec<&str> = value.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        if token.is_empty() {
            return fail("it has an empty token");
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return fail("tokens may only hold printable ASCII without spaces");
        }
        let wildcard = *token == "*" || *token == ">";
        if !wildcard && token.contains(['*', '>']) {
            return fail("`*` and `>` must be whole tokens");
        }
        if wildcard && !filter {
            return fail("wildcards are only allowed in filters");
        }
        if *token == ">" && i + 1 != tokens.len() {
            return fail("`>` must be the last token");
        }
    }
    Ok(())
}

/// A concrete subject such as `platform.publish.result.instagram`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

impl Subject {
    pub fn parse(value: impl Into<String>) -> Result<Subject, InvalidSubject> {
        let value = value.into();
        check_tokens(&value, false)?;
        Ok(Subject(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Subject {
    type Error = InvalidSubject;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Subject::parse(value)
    }
}

impl From<Subject> for String {
    fn from(s: Subject) -> String {
        s.0
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A subscription filter with NATS wildcards: `*` matches one token, a final
/// `>` one or more. `platform.publish.>` selects both publish subjects for
/// every provider; `platform.publish.result.*` every provider's results.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectFilter(String);

impl SubjectFilter {
    pub fn parse(value: impl Into<String>) -> Result<SubjectFilter, InvalidSubject> {
        let value = value.into();
        check_tokens(&value, true)?;
        Ok(SubjectFilter(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, subject: &Subject) -> bool {
        let mut wanted = self.0.split('.');
        let mut got = subject.0.split('.');
        loop {
            match (wanted.next(), got.next()) {
                (Some(">"), Some(_)) => return true,
                (Some("*"), Some(_)) => {}
                (Some(w), Some(g)) if w == g => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }
}

impl fmt::Display for SubjectFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One event. Serialised as-is (`{"id", "subject", "occurred_at",
/// "payload"}`) it is the body of the JetStream message. Payloads hold ids
/// and outcomes, never tokens or post bodies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub subject: Subject,
    pub occurred_at: Timestamp,
    pub payload: serde_json::Value,
}

impl Event {
    /// A new event with a fresh id.
    pub fn new(subject: Subject, payload: serde_json::Value, occurred_at: Timestamp) -> Event {
        Event {
            id: EventId::new(),
            subject,
            occurred_at,
            payload,
        }
    }

    /// The payload as a typed value (e.g. [`crate::PublishResultEvent`]).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(s: &str) -> Subject {
        Subject::parse(s).unwrap()
    }

    #[test]
    fn subjects_are_dot_separated_tokens_without_wildcards() {
        assert!(Subject::parse("platform.publish.request.instagram").is_ok());
        for bad in [
            "",
            "platform..publish",
            ".platform",
            "platform.",
            "platform.*",
            "platform.>",
            "platform publish",
            "platform.pub*lish",
            "plätform",
        ] {
            assert!(Subject::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn filters_match_like_nats_wildcards() {
        let f = |s: &str| SubjectFilter::parse(s).unwrap();
        let result = subject("platform.publish.result.instagram");
        assert!(f("platform.publish.result.instagram").matches(&result));
        assert!(f("platform.publish.>").matches(&result));
        assert!(f("platform.>").matches(&result));
        assert!(f(">").matches(&result));
        assert!(f("platform.publish.result.*").matches(&result));
        assert!(f("platform.*.result.*").matches(&result));
        assert!(!f("platform.publish.result").matches(&result));
        assert!(!f("platform.publish.result.instagram.>").matches(&result));
        assert!(!f("platform.publish.request.>").matches(&result));
        assert!(!f("platform.publish.*").matches(&result));
        assert!(SubjectFilter::parse("platform.>.result").is_err());
        assert!(SubjectFilter::parse("platform.publish*").is_err());
    }

    #[test]
    fn an_event_round_trips_through_json() {
        let event = Event::new(
            subject("platform.publish.request.tiktok"),
            serde_json::json!({"post_id": "p1"}),
            Timestamp::from_second(1_800_000_000).unwrap(),
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["subject"], "platform.publish.request.tiktok");
        assert_eq!(json["occurred_at"], "2027-01-15T08:00:00Z");
        assert_eq!(json["id"], event.id.to_string());
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
        let bad = serde_json::json!({"id": event.id, "subject": "a.*", "occurred_at": "2027-01-15T08:00:00Z", "payload": {}});
        assert!(serde_json::from_value::<Event>(bad).is_err());
    }
}
