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

/// Generators of Meta-shaped input for the property tests here, in
/// [`super::view`] and in [`super::process`].
#[cfg(test)]
pub(crate) mod strategies {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// Keys Herald reads somewhere, so generated objects often reach the
    /// typed shapes, and others.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "id",
                "time",
                "changes",
                "messaging",
                "field",
                "value",
                "text",
                "from",
                "media",
                "parent_id",
                "media_id",
                "comment_id",
                "impressions",
                "reach",
                "item",
                "verb",
                "post_id",
                "message",
                "created_time",
                "sender",
                "timestamp",
                "mid",
                "is_echo",
                "username",
                "name",
                "object",
                "entry",
            ])
            .prop_map(str::to_owned),
            "[a-z_]{0,8}",
        ]
    }

    /// Any JSON value, a few levels deep, with strings of any characters
    /// and numbers at the edges of their ranges.
    pub(crate) fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
            prop::sample::select(vec![
                "",
                "0",
                "-1",
                "1700000000",
                "1700000000000",
                "2026-11-24T10:00:00Z",
                "9223372036854775807",
                "comment",
                "add",
                "remove",
            ])
            .prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                vec((key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// An entry id: a string (from a small pool, so batches repeat
    /// accounts) or a number.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Id {
        Str(String),
        Num(u64),
    }

    impl Id {
        pub(crate) fn text(&self) -> String {
            match self {
                Id::Str(s) => s.clone(),
                Id::Num(n) => n.to_string(),
            }
        }

        fn json(&self) -> Value {
            match self {
                Id::Str(s) => Value::from(s.as_str()),
                Id::Num(n) => Value::from(*n),
            }
        }
    }

    fn id() -> impl Strategy<Value = Id> {
        prop_oneof![
            prop::sample::select(vec![
                "17841",
                "1785",
                "ig-a",
                "ig-b",
                "sch\u{f6}n",
                "99",
                ""
            ])
            .prop_map(|s| Id::Str(s.to_owned())),
            prop::sample::select(vec![17841u64, 99, 5, u64::MAX]).prop_map(Id::Num),
        ]
    }

    /// One generated entry.
    #[derive(Debug, Clone)]
    pub(crate) struct Entry {
        pub id: Option<Id>,
        pub time: Option<i64>,
        pub changes: Vec<(String, Value)>,
        pub messaging: Vec<Value>,
    }

    impl Entry {
        fn json(&self) -> Value {
            let mut m = Map::new();
            if let Some(id) = &self.id {
                m.insert("id".into(), id.json());
            }
            if let Some(t) = self.time {
                m.insert("time".into(), Value::from(t));
            }
            if !self.changes.is_empty() {
                let changes = self
                    .changes
                    .iter()
                    .map(|(f, v)| serde_json::json!({"field": f, "value": v}))
                    .collect();
                m.insert("changes".into(), Value::Array(changes));
            }
            if !self.messaging.is_empty() {
                m.insert("messaging".into(), Value::Array(self.messaging.clone()));
            }
            Value::Object(m)
        }
    }

    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "comments",
                "live_comments",
                "mentions",
                "story_insights",
                "feed",
                "messages",
                "",
            ])
            .prop_map(str::to_owned),
            "[a-z_]{1,10}",
        ]
    }

    pub(crate) fn entry(with_id: bool) -> impl Strategy<Value = Entry> {
        let id = if with_id {
            id().prop_map(Some).boxed()
        } else {
            proptest::option::weighted(0.8, id()).boxed()
        };
        (
            id,
            proptest::option::of(any::<i64>()),
            vec((field(), json()), 0..3),
            vec(json(), 0..2),
        )
            .prop_map(|(id, time, changes, messaging)| Entry {
                id,
                time,
                changes,
                messaging,
            })
    }

    /// A generated payload and the body it was rendered as.
    #[derive(Debug, Clone)]
    pub(crate) struct Delivery {
        pub object: String,
        pub entries: Vec<Entry>,
        pub body: String,
    }

    impl Delivery {
        /// The distinct ids of the entries, in order.
        pub(crate) fn ids(&self) -> Vec<String> {
            let mut ids: Vec<String> = Vec::new();
            for e in &self.entries {
                if let Some(id) = &e.id
                    && !ids.contains(&id.text())
                {
                    ids.push(id.text());
                }
            }
            ids
        }

        /// The distinct fields of `entries`, as the outline names them.
        pub(crate) fn fields_of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<String> {
            let mut fields: Vec<String> = Vec::new();
            let mut add = |f: &str| {
                if !f.is_empty() && !fields.iter().any(|x| x == f) {
                    fields.push(f.to_owned());
                }
            };
            for e in entries {
                for (f, _) in &e.changes {
                    add(f);
                }
                if !e.messaging.is_empty() {
                    add("messages");
                }
            }
            fields
        }
    }

    /// Non-ASCII characters written as `\uXXXX` escapes, the way Meta
    /// renders its payloads (they only occur inside strings).
    fn escape_non_ascii(json: &str) -> String {
        let mut out = String::with_capacity(json.len());
        for c in json.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
        out
    }

    /// A valid payload, compact or indented, with non-ASCII raw or escaped,
    /// sometimes with an extra top-level key.
    pub(crate) fn delivery(with_ids: bool) -> impl Strategy<Value = Delivery> {
        (
            prop::sample::select(vec!["instagram", "page", " page ", "user", "whatsapp"]),
            vec(entry(with_ids), 0..6),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(json()),
        )
            .prop_map(|(object, entries, pretty, escaped, extra)| {
                let mut m = Map::new();
                m.insert("object".into(), Value::from(object));
                m.insert(
                    "entry".into(),
                    Value::Array(entries.iter().map(Entry::json).collect()),
                );
                if let Some(extra) = extra {
                    m.insert("extra".into(), extra);
                }
                let value = Value::Object(m);
                let body = if pretty {
                    serde_json::to_string_pretty(&value)
                } else {
                    serde_json::to_string(&value)
                }
                .expect("a value renders");
                let body = if escaped {
                    escape_non_ascii(&body)
                } else {
                    body
                };
                Delivery {
                    object: object.trim().to_owned(),
                    entries,
                    body,
                }
            })
    }

    /// Bytes that are often almost a payload: arbitrary bytes, arbitrary
    /// JSON, and valid payloads cut short or with bytes changed.
    pub(crate) fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            vec(any::<u8>(), 0..(64 << 10)),
            json().prop_map(|v| serde_json::to_vec(&v).expect("renders")),
            (
                delivery(false),
                any::<prop::sample::Index>(),
                vec(any::<u8>(), 0..4)
            )
                .prop_map(|(d, at, junk)| {
                    let mut b = d.body.into_bytes();
                    let i = at.index(b.len() + 1);
                    b.truncate(i);
                    b.extend_from_slice(&junk);
                    b
                }),
            (
                delivery(false),
                vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)
            )
                .prop_map(|(d, changes)| {
                    let mut b = d.body.into_bytes();
                    for (at, byte) in changes {
                        let i = at.index(b.len());
                        b[i] = byte;
                    }
                    b
                }),
        ]
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::strategies::{Delivery, body_bytes, delivery, json};
    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn arbitrary_bodies_never_panic_the_outline(body in body_bytes()) {
            if let Ok(o) = outline(&body) {
                // Whatever was accepted names a non-empty object.
                prop_assert!(!o.object.is_empty());
                prop_assert!(o.entry_ids.len() <= o.entries);
            }
        }

        #[test]
        fn arbitrary_bodies_never_panic_the_typed_payload(body in body_bytes()) {
            if let Ok(text) = std::str::from_utf8(&body) {
                let _ = serde_json::from_str::<Payload>(text);
            }
        }

        #[test]
        fn generated_payloads_are_outlined_exactly(d in delivery(false)) {
            let o = outline(d.body.as_bytes()).expect("a valid payload");
            prop_assert_eq!(&o.object, &d.object);
            prop_assert_eq!(o.entries, d.entries.len());
            prop_assert_eq!(o.entry_ids, d.ids());
            prop_assert_eq!(o.fields, Delivery::fields_of(&d.entries));
            // The full shape reads the same entries.
            let full: Payload = serde_json::from_str(&d.body).expect("the full shape");
            prop_assert_eq!(full.entry.len(), d.entries.len());
            for (got, want) in full.entry.iter().zip(&d.entries) {
                prop_assert_eq!(got.id.as_ref().map(|i| i.0.clone()), want.id.as_ref().map(super::strategies::Id::text));
                prop_assert_eq!(got.changes.len(), want.changes.len());
                prop_assert_eq!(got.messaging.len(), want.messaging.len());
            }
        }

        #[test]
        fn integers_are_read_from_any_json_value(value in json()) {
            let n = int(&value);
            if let serde_json::Value::Number(num) = &value
                && let Some(i) = num.as_i64()
            {
                prop_assert_eq!(n, Some(i));
            }
        }

        #[test]
        fn integers_in_strings_are_read(i in any::<i64>(), pad in "[ \t]{0,2}") {
            prop_assert_eq!(int(&serde_json::Value::from(format!("{pad}{i}{pad}"))), Some(i));
        }
    }
}
