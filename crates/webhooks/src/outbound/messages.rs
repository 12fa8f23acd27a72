//! Which Herald events become outbound messages, and the body each one
//! sends: the Standard Webhooks shape `{"type", "timestamp", "data"}`.
//! Payloads carry ids and outcomes, never tokens or post bodies.

use herald_core::Timestamp;
use herald_events::{Event, PUBLISH_RESULT, PublishOutcome, PublishResultEvent};
use serde::Deserialize;
use serde_json::{Value, json};

/// A message to send to a workspace's subscribed endpoints.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MessageDraft {
    pub workspace_id: i64,
    pub event_type: &'static str,
    pub data: Value,
}

/// Why an event that should become a message could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the `{subject}` event's payload is not what it should be")]
pub(crate) struct MalformedEvent {
    pub subject: String,
    #[source]
    pub source: serde_json::Error,
}

/// The payload of `connection.needs_reconnection` and `connection.revoked`.
#[derive(Debug, Deserialize)]
struct ConnectionEvent {
    workspace_id: i64,
    connection_id: String,
    provider: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// The payload of `notification.raised`.
#[derive(Debug, Deserialize)]
struct NotificationEvent {
    workspace_id: i64,
    kind: String,
    code: String,
    #[serde(default)]
    params: Value,
    #[serde(default)]
    link: Option<String>,
}

/// The message an event becomes, if any: publish results (published and
/// failed; a retrying attempt is not news yet), connection problems and
/// raised notifications.
pub(crate) fn from_event(event: &Event) -> Result<Option<MessageDraft>, MalformedEvent> {
    let subject = event.subject.as_str();
    let malformed = |source| MalformedEvent {
        subject: subject.to_owned(),
        source,
    };
    if subject
        .strip_prefix(PUBLISH_RESULT)
        .is_some_and(|rest| rest.starts_with('.'))
    {
        let result: PublishResultEvent = event.decode().map_err(malformed)?;
        let r = &result.request;
        let (event_type, data) = match result.outcome {
            PublishOutcome::Published => (
                "post.published",
                json!({
                    "post_id": r.post_id,
                    "target_id": r.target_id,
                    "provider": r.provider,
                    "account_id": r.account_id,
                    "remote_id": result.remote_id,
                    "permalink": result.permalink,
                }),
            ),
            PublishOutcome::Failed => (
                "post.failed",
                json!({
                    "post_id": r.post_id,
                    "target_id": r.target_id,
                    "provider": r.provider,
                    "account_id": r.account_id,
                    "error_kind": result.error_kind,
                    "error_message": result.error_message,
                }),
            ),
            PublishOutcome::Retrying => return Ok(None),
        };
        return Ok(Some(MessageDraft {
            workspace_id: r.workspace_id,
            event_type,
            data,
        }));
    }
    if subject == herald_notify::NOTIFICATION_EVENT {
        let n: NotificationEvent = event.decode().map_err(malformed)?;
        return Ok(Some(MessageDraft {
            workspace_id: n.workspace_id,
            event_type: herald_notify::NOTIFICATION_EVENT,
            data: json!({
                "kind": n.kind,
                "code": n.code,
                "params": n.params,
                "link": n.link,
            }),
        }));
    }
    let event_type = match subject {
        "connection.needs_reconnection" => "connection.needs_reconnection",
        "connection.revoked" => "connection.revoked",
        _ => return Ok(None),
    };
    let c: ConnectionEvent = event.decode().map_err(malformed)?;
    Ok(Some(MessageDraft {
        workspace_id: c.workspace_id,
        event_type,
        data: json!({
            "connection_id": c.connection_id,
            "provider": c.provider,
            "name": c.name,
            "reason": c.reason,
        }),
    }))
}

/// The body sent for a message of `event_type` that happened at `at`.
pub(crate) fn body(event_type: &str, at: Timestamp, data: &Value) -> String {
    json!({
        "type": event_type,
        "timestamp": at.to_string(),
        "data": data,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_events::{PublishRequestEvent, Subject};

    fn at() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn result(outcome: PublishOutcome) -> PublishResultEvent {
        let mut r = PublishRequestEvent {
            workspace_id: 7,
            post_id: "post_1".into(),
            target_id: "target_1".into(),
            provider: "instagram".into(),
            account_id: "1784".into(),
            attempt: 1,
            idempotency_key: "target_1:v1".into(),
        }
        .result(outcome);
        r.remote_id = Some("remote_9".into());
        r.permalink = Some("https://instagram.com/p/x".into());
        r
    }

    #[test]
    fn publish_results_map_to_post_types_and_retrying_to_nothing() {
        let published = from_event(&result(PublishOutcome::Published).to_event(at()).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(published.event_type, "post.published");
        assert_eq!(published.workspace_id, 7);
        assert_eq!(published.data["remote_id"], "remote_9");
        assert_eq!(published.data["post_id"], "post_1");
        assert!(published.data.get("idempotency_key").is_none());

        let mut failed = result(PublishOutcome::Failed);
        failed.error_kind = Some("reconnect".into());
        let failed = from_event(&failed.to_event(at()).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(failed.event_type, "post.failed");
        assert_eq!(failed.data["error_kind"], "reconnect");

        let retrying = result(PublishOutcome::Retrying).to_event(at()).unwrap();
        assert_eq!(from_event(&retrying).unwrap(), None);
    }

    #[test]
    fn connection_events_keep_their_names_and_others_are_ignored() {
        let payload = json!({"workspace_id": 3, "connection_id": "con_1", "provider": "facebook", "name": "Acme", "reason": "deauthorized"});
        for subject in ["connection.needs_reconnection", "connection.revoked"] {
            let e = Event::new(Subject::parse(subject).unwrap(), payload.clone(), at());
            let m = from_event(&e).unwrap().unwrap();
            assert_eq!(m.event_type, subject);
            assert_eq!(m.workspace_id, 3);
            assert_eq!(m.data["connection_id"], "con_1");
            assert!(m.data.get("workspace_id").is_none());
        }
        for subject in [
            "platform.publish.request.instagram",
            "connection.created",
            "platform.publish.resultx.a",
        ] {
            let e = Event::new(Subject::parse(subject).unwrap(), payload.clone(), at());
            assert_eq!(from_event(&e).unwrap(), None, "{subject}");
        }
        let bad = Event::new(
            Subject::parse("connection.revoked").unwrap(),
            json!({"x": 1}),
            at(),
        );
        assert!(from_event(&bad).is_err());
    }

    #[test]
    fn the_body_has_the_standard_webhooks_shape() {
        let b: Value =
            serde_json::from_str(&body("post.published", at(), &json!({"a": 1}))).unwrap();
        assert_eq!(
            b,
            json!({"type": "post.published", "timestamp": "2027-01-15T08:00:00Z", "data": {"a": 1}})
        );
    }
}
