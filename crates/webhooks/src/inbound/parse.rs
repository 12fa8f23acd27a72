//! Reading Meta's payloads: a light parse while the request waits (is it a
//! webhook payload at all, and what is it about), and the typed shapes the
//! processing job applies.
//!
//! The light parse borrows from the body and skips every value it does not
//! need ([`serde::de::IgnoredAny`]), so checking a large batch costs little
//! more than scanning it once.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, Visitor};

/// An id Meta sends as a string (`"17841400000000000"`) or, in some
/// payloads, a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteId(pub String);

impl<'de> Deserialize<'de> for RemoteId {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RemoteId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (string or integer)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RemoteId, E> {
                Ok(RemoteId(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RemoteId, E> {
                Ok(RemoteId(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RemoteId, E> {
                Ok(RemoteId(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// What the receiving side keeps of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outline {
    pub object: String,
    /// The entries' ids in order (an entry without one is skipped).
    pub entry_ids: Vec<String>,
    pub entries: usize,
    /// Distinct change fields in order of appearance; `messages` for
    /// messaging-style entries.
    pub fields: Vec<String>,
}

#[derive(Deserialize)]
struct LightPayload<'a> {
    #[serde(borrow)]
    object: Cow<'a, str>,
    #[serde(borrow)]
    entry: Vec<LightEntry<'a>>,
}

#[derive(Deserialize)]
struct LightEntry<'a> {
    #[serde(default)]
    id: Option<RemoteId>,
    #[serde(default, borrow)]
    changes: Option<Vec<LightChange<'a>>>,
    #[serde(default)]
    messaging: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct LightChange<'a> {
    #[serde(default, borrow)]
    field: Option<Cow<'a, str>>,
}

/// The message Meta's 400 carries; short and without payload content.
pub(crate) fn outline(body: &[u8]) -> Result<Outline, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let payload: LightPayload<'_> = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            format!("expected a JSON object with `object` and `entry`: {e}")
        } else {
            format!("the body is not JSON: {e}")
        }
    })?;
    let object = payload.object.trim();
    if object.is_empty() {
        return Err("`object` is empty".to_owned());
    }
    let mut fields: Vec<String> = Vec::new();
    let mut add = |f: &str| {
        if !f.is_empty() && !fields.iter().any(|x| x == f) {
            fields.push(f.to_owned());
        }
    };
    // Each account once: a batch often holds many entries of one account.
    let mut entry_ids: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in &payload.entry {
        if let Some(id) = &entry.id
            && seen.insert(id.0.as_str())
        {
            entry_ids.push(id.0.clone());
        }
        for change in entry.changes.iter().flatten() {
            if let Some(field) = &change.field {
                add(field);
            }
        }
        if entry.messaging.as_ref().is_some_and(|m| !m.is_empty()) {
            add("messages");
        }
    }
    Ok(Outline {
        object: object.to_owned(),
        entry_ids,
        entries: payload.entry.len(),
        fields,
    })
}

// --- The full shapes, for processing ------------------------------------------------

#[derive(Debug, Deserialize)]
pub(crate) struct Payload {
    pub entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Entry {
    #[serde(default)]
    pub id: Option<RemoteId>,
    /// Seconds (changes style) or milliseconds (messaging style).
    #[serde(default)]
    pub time: Option<serde_json::Value>,
    #[serde(default)]
    pub changes: Vec<Change>,
    #[serde(default)]
    pub messaging: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Change {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Author {
    #[serde(default)]
    pub id: Option<RemoteId>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

impl Author {
    pub fn display(&self) -> Option<String> {
        self.username
            .clone()
            .or_else(|| self.name.clone())
            .filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct MediaRef {
    pub id: RemoteId,
}

/// Instagram `comments` / `live_comments`.
#[derive(Debug, Deserialize)]
pub(crate) struct IgComment {
    pub id: RemoteId,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub from: Option<Author>,
    #[serde(default)]
    pub media: Option<MediaRef>,
    #[serde(default)]
    pub parent_id: Option<RemoteId>,
}

/// Instagram `mentions`: in a comment, or (without `comment_id`) in a
/// caption.
#[derive(Debug, Deserialize)]
pub(crate) struct IgMention {
    pub media_id: RemoteId,
    #[serde(default)]
    pub comment_id: Option<RemoteId>,
}

/// Instagram `story_insights`.
#[derive(Debug, Deserialize)]
pub(crate) struct StoryInsights {
    pub media_id: RemoteId,
    #[serde(default)]
    pub impressions: Option<i64>,
    #[serde(default)]
    pub reach: Option<i64>,
    #[serde(default)]
    pub taps_forward: Option<i64>,
    #[serde(default)]
    pub taps_back: Option<i64>,
    #[serde(default)]
    pub exits: Option<i64>,
    #[serde(default)]
    pub replies: Option<i64>,
}

/// A Page `feed` change.
#[derive(Debug, Deserialize)]
pub(crate) struct PageFeed {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub verb: String,
    #[serde(default)]
    pub comment_id: Option<RemoteId>,
    #[serde(default)]
    pub post_id: Option<RemoteId>,
    #[serde(default)]
    pub parent_id: Option<RemoteId>,
    #[serde(default)]
    pub from: Option<Author>,
    #[serde(default)]
    pub message: Option<String>,
    /// Seconds since the epoch.
    #[serde(default)]
    pub created_time: Option<serde_json::Value>,
}

/// One element of `messaging`, or the value of a `messages` change.
#[derive(Debug, Deserialize)]
pub(crate) struct Messaging {
    #[serde(default)]
    pub sender: Option<Author>,
    /// Milliseconds since the epoch (a number, or a string in some
    /// payloads).
    #[serde(default)]
    pub timestamp: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<Message>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Message {
    pub mid: RemoteId,
    #[serde(default)]
    pub text: Option<String>,
    /// An echo of a message the account itself sent.
    #[serde(default)]
    pub is_echo: bool,
}

/// An integer in a number or a string.
pub(crate) fn int(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outline_names_object_entries_and_distinct_fields() {
        let body = br#"{"object":"instagram","entry":[
            {"id":"1784","time":1,"changes":[{"field":"comments","value":{}},{"field":"mentions","value":{}}]},
            {"id":1785,"time":2,"changes":[{"field":"comments","value":{"deep":[1,2,{"x":null}]}}]},
            {"id":"99","messaging":[{"sender":{"id":"5"}}]},
            {"time":3},
            {"id":"1784","time":4,"changes":[{"field":"comments","value":{}}]}
        ],"extra":true}"#;
        let o = outline(body).unwrap();
        assert_eq!(o.object, "instagram");
        assert_eq!(o.entry_ids, ["1784", "1785", "99"], "each account once");
        assert_eq!(o.entries, 5);
        assert_eq!(o.fields, ["comments", "mentions", "messages"]);
    }

    #[test]
    fn non_payloads_are_refused() {
        for bad in [
            &b"not json"[..],
            b"[]",
            b"{}",
            b"{\"object\":\"page\"}",
            b"{\"entry\":[]}",
            b"{\"object\":5,\"entry\":[]}",
            b"{\"object\":\"page\",\"entry\":{}}",
            b"{\"object\":\"page\",\"entry\":[5]}",
            b"{\"object\":\" \",\"entry\":[]}",
            b"{\"object\":\"page\",\"entry\":[]} trailing",
            b"\xff\xfe{}",
        ] {
            assert!(outline(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        // Escaped strings still parse (they cannot be borrowed).
        let o = outline(
            br#"{"object":"p\u0061ge","entry":[{"id":"1","changes":[{"field":"f\u00e4"}]}]}"#,
        )
        .unwrap();
        assert_eq!(o.object, "page");
        assert_eq!(o.fields, ["fä"]);
    }
}
