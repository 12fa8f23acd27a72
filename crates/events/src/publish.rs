//! The publishing events: `platform.publish.request.<provider>` when an
//! attempt to publish a post to one target starts, and
//! `platform.publish.result.<provider>` when it ends.
//!
//! The provider is the last subject token so consumers can filter on the
//! server (`platform.publish.result.instagram`) without decoding payloads,
//! while `platform.publish.result.*` (or `.>`) still selects every provider.
//! The payload carries ids and the outcome only; what was posted is read
//! from Herald by id.

use herald_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::{Event, InvalidSubject, Subject};

/// Subject prefix of publish requests; the provider slug follows.
pub const PUBLISH_REQUEST: &str = "platform.publish.request";
/// Subject prefix of publish results; the provider slug follows.
pub const PUBLISH_RESULT: &str = "platform.publish.result";

/// An attempt to publish one post to one target (a connected account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishRequestEvent {
    pub workspace_id: i64,
    pub post_id: String,
    pub target_id: String,
    /// The provider slug (`facebook`, `instagram`, `tiktok`, `youtube`); also
    /// the subject's last token, so it must be one NATS token.
    pub provider: String,
    /// The account's platform id (Page id, Instagram user id, TikTok
    /// open_id, channel id).
    pub account_id: String,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// Stable for the target across attempts and processes.
    pub idempotency_key: String,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum PublishOutcome {
    Published,
    /// Failed for good: no further attempt follows.
    Failed,
    /// Failed this time; another attempt is scheduled.
    Retrying,
}

/// The end of an attempt: the request's fields plus the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishResultEvent {
    #[serde(flatten)]
    pub request: PublishRequestEvent,
    pub outcome: PublishOutcome,
    /// The platform's id of the post, when published.
    pub remote_id: Option<String>,
    pub permalink: Option<String>,
    /// The platform error's kind (`reconnect`, `rate_limited`, …) when not
    /// published.
    pub error_kind: Option<String>,
    /// A short, token-free description of the error.
    pub error_message: Option<String>,
}

fn subject(prefix: &str, provider: &str) -> Result<Subject, InvalidSubject> {
    if provider.contains(['.', '*', '>']) || provider.is_empty() {
        return Err(InvalidSubject {
            value: format!("{prefix}.{provider}"),
            filter: false,
            reason: "the provider must be one token",
        });
    }
    Subject::parse(format!("{prefix}.{provider}"))
}

fn to_event<T: Serialize>(
    subject: Subject,
    value: &T,
    occurred_at: Timestamp,
) -> Result<Event, crate::EventsError> {
    let payload = serde_json::to_value(value).map_err(crate::EventsError::Encode)?;
    Ok(Event::new(subject, payload, occurred_at))
}

impl PublishRequestEvent {
    pub fn subject(&self) -> Result<Subject, InvalidSubject> {
        subject(PUBLISH_REQUEST, &self.provider)
    }

    /// This request as an event with a fresh id.
    pub fn to_event(&self, occurred_at: Timestamp) -> Result<Event, crate::EventsError> {
        to_event(self.subject()?, self, occurred_at)
    }

    /// The result of this attempt.
    pub fn result(&self, outcome: PublishOutcome) -> PublishResultEvent {
        PublishResultEvent {
            request: self.clone(),
            outcome,
            remote_id: None,
            permalink: None,
            error_kind: None,
            error_message: None,
        }
    }
}

impl PublishResultEvent {
    pub fn subject(&self) -> Result<Subject, InvalidSubject> {
        subject(PUBLISH_RESULT, &self.request.provider)
    }

    /// This result as an event with a fresh id.
    pub fn to_event(&self, occurred_at: Timestamp) -> Result<Event, crate::EventsError> {
        to_event(self.subject()?, self, occurred_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> PublishRequestEvent {
        PublishRequestEvent {
            workspace_id: 7,
            post_id: "post_1".into(),
            target_id: "target_1".into(),
            provider: "instagram".into(),
            account_id: "17841400000000001".into(),
            attempt: 2,
            idempotency_key: "target_1:v1".into(),
        }
    }

    fn at() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    #[test]
    fn a_request_event_names_the_provider_in_its_subject() {
        let event = request().to_event(at()).unwrap();
        assert_eq!(event.subject.as_str(), "platform.publish.request.instagram");
        assert_eq!(event.occurred_at, at());
        assert_eq!(
            event.payload,
            serde_json::json!({
                "workspace_id": 7, "post_id": "post_1", "target_id": "target_1",
                "provider": "instagram", "account_id": "17841400000000001",
                "attempt": 2, "idempotency_key": "target_1:v1"
            })
        );
        assert_eq!(event.decode::<PublishRequestEvent>().unwrap(), request());
    }

    #[test]
    fn a_result_event_carries_the_request_fields_flat_plus_the_outcome() {
        let mut result = request().result(PublishOutcome::Failed);
        result.error_kind = Some("reconnect".into());
        result.error_message = Some("the token was revoked".into());
        let event = result.to_event(at()).unwrap();
        assert_eq!(event.subject.as_str(), "platform.publish.result.instagram");
        assert_eq!(event.payload["outcome"], "failed");
        assert_eq!(event.payload["post_id"], "post_1");
        assert_eq!(event.payload["remote_id"], serde_json::Value::Null);
        assert_eq!(event.payload["error_kind"], "reconnect");
        assert_eq!(event.decode::<PublishResultEvent>().unwrap(), result);
    }

    #[test]
    fn a_provider_that_is_not_one_token_is_refused() {
        for provider in ["", "insta.gram", "*", ">", "insta gram"] {
            let mut r = request();
            r.provider = provider.into();
            assert!(r.to_event(at()).is_err(), "{provider:?} was accepted");
        }
    }
}
