//! What one workspace may see of a delivery. Meta batches entries about
//! several accounts into one delivery, and those accounts may belong to
//! different workspaces (tenants). Each workspace's history shows, lists,
//! filters and searches only its own slice: the object and the entries
//! about accounts routed to it, each exactly as received. Written when a
//! delivery is routed (`webhook_views`), so every query of the history
//! runs on the slice and nothing of another tenant's entries can match.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::parse::{RemoteId, outline};

/// A workspace's slice of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct View {
    /// `{"object": …, "entry": [the workspace's entries]}`, the entries'
    /// bytes as received.
    pub body: String,
    pub entry_ids: Vec<String>,
    pub entries: usize,
    /// The change fields of those entries (`messages` for messaging ones).
    pub fields: Vec<String>,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    object: &'a RawValue,
    #[serde(borrow)]
    entry: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct EntryId {
    #[serde(default)]
    id: Option<RemoteId>,
}

/// The slice of `body` made of the entries whose id is in `ids`; `None`
/// when the body is not a payload or no entry is about those ids.
pub(crate) fn view(body: &str, ids: &[&str]) -> Option<View> {
    let payload: Payload = serde_json::from_str(body).ok()?;
    let kept: Vec<&str> = payload
        .entry
        .iter()
        .filter(|raw| {
            serde_json::from_str::<EntryId>(raw.get())
                .ok()
                .and_then(|e| e.id)
                .is_some_and(|id| ids.contains(&id.0.as_str()))
        })
        .map(|raw| raw.get())
        .collect();
    if kept.is_empty() {
        return None;
    }
    // Every entry is the workspace's: the delivery exactly as received.
    let body = if kept.len() == payload.entry.len() {
        body.to_owned()
    } else {
        format!(
            "{{\"object\":{},\"entry\":[{}]}}",
            payload.object.get(),
            kept.join(",")
        )
    };
    let outline = outline(body.as_bytes()).ok()?;
    Some(View {
        entry_ids: outline.entry_ids,
        entries: outline.entries,
        fields: outline.fields,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BATCH: &str = r#"{"object":"instagram","entry":[
        {"id":"ig-a","time":1,"changes":[{"field":"comments","value":{"id":"c-1","text":"caf\u00e9 for A"}}]},
        {"id":"ig-b","time":1,"changes":[{"field":"mentions","value":{"media_id":"m-9"}}]},
        {"id":17841,"time":1,"messaging":[{"sender":{"id":"s"},"message":{"mid":"x","text":"hi"}}]}
    ]}"#;

    #[test]
    fn a_slice_holds_only_the_entries_about_the_given_accounts_as_received() {
        let a = view(BATCH, &["ig-a"]).unwrap();
        assert_eq!(a.entry_ids, ["ig-a"]);
        assert_eq!(a.entries, 1);
        assert_eq!(a.fields, ["comments"]);
        assert!(a.body.contains(r#""text":"caf\u00e9 for A""#), "bytes kept");
        assert!(!a.body.contains("ig-b") && !a.body.contains("m-9"));
        assert!(!a.body.contains("17841"));
        let parsed: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(parsed["object"], "instagram");

        let b = view(BATCH, &["ig-b", "17841"]).unwrap();
        assert_eq!(b.entry_ids, ["ig-b", "17841"]);
        assert_eq!(b.fields, ["mentions", "messages"]);
        assert!(!b.body.contains("ig-a") && !b.body.contains("caf"));
    }

    #[test]
    fn a_delivery_wholly_about_the_given_accounts_is_kept_byte_for_byte() {
        let all = view(BATCH, &["ig-a", "ig-b", "17841"]).unwrap();
        assert_eq!(all.body, BATCH);
        assert_eq!(all.entries, 3);
    }

    #[test]
    fn no_slice_without_a_matching_entry_or_a_payload() {
        assert_eq!(view(BATCH, &["ig-z"]), None);
        assert_eq!(view(BATCH, &[]), None);
        assert_eq!(view("not json", &["ig-a"]), None);
        assert_eq!(view(r#"{"object":"page"}"#, &["ig-a"]), None);
    }
}
