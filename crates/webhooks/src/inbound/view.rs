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

#[cfg(test)]
mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use serde_json::Value;

    use super::super::parse::strategies::{Delivery, body_bytes, delivery};
    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    /// The entries of a body as received, with the object.
    #[derive(Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        object: &'a RawValue,
        #[serde(borrow)]
        entry: Vec<&'a RawValue>,
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn arbitrary_bodies_and_ids_never_panic_a_view(
            body in body_bytes(),
            ids in vec(prop_oneof![Just("ig-a".to_owned()), Just("17841".to_owned()), ".{0,8}"], 0..4),
        ) {
            let body = String::from_utf8_lossy(&body);
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            if let Some(v) = view(&body, &ids) {
                prop_assert!(v.entries > 0);
                prop_assert!(v.entry_ids.iter().all(|id| ids.contains(&id.as_str())));
            }
        }

        #[test]
        fn a_view_of_every_account_keeps_the_body_byte_for_byte(d in delivery(true)) {
            let ids = d.ids();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let v = view(&d.body, &ids);
            if d.entries.is_empty() {
                prop_assert_eq!(v, None);
            } else {
                let v = v.expect("a view");
                prop_assert_eq!(&v.body, &d.body);
                prop_assert_eq!(v.entries, d.entries.len());
                prop_assert_eq!(v.entry_ids, d.ids());
                prop_assert_eq!(v.fields, Delivery::fields_of(&d.entries));
            }
        }

        #[test]
        fn a_view_of_some_accounts_holds_exactly_their_entries_as_received(
            d in delivery(false),
            mask in vec(any::<bool>(), 8),
        ) {
            let all = d.ids();
            let chosen: Vec<&str> = all
                .iter()
                .zip(mask.iter().cycle())
                .filter(|(_, keep)| **keep)
                .map(|(id, _)| id.as_str())
                .collect();
            let raw: Raw<'_> = serde_json::from_str(&d.body).expect("a valid payload");
            let kept: Vec<usize> = d
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.id.as_ref().is_some_and(|id| chosen.contains(&id.text().as_str())))
                .map(|(i, _)| i)
                .collect();
            let v = view(&d.body, &chosen);
            if kept.is_empty() {
                prop_assert_eq!(v, None);
                return Ok(());
            }
            let v = v.expect("a view");
            if kept.len() == d.entries.len() {
                prop_assert_eq!(&v.body, &d.body);
            } else {
                // The object and each kept entry exactly as received, and
                // nothing else.
                let texts: Vec<&str> = kept.iter().map(|i| raw.entry[*i].get()).collect();
                prop_assert_eq!(
                    &v.body,
                    &format!("{{\"object\":{},\"entry\":[{}]}}", raw.object.get(), texts.join(","))
                );
            }
            let parsed: Value = serde_json::from_str(&v.body).expect("the view is JSON");
            let whole: Value = serde_json::from_str(&d.body).expect("the body is JSON");
            prop_assert_eq!(&parsed["object"], &whole["object"]);
            let expected: Vec<Value> = kept.iter().map(|i| whole["entry"][*i].clone()).collect();
            prop_assert_eq!(parsed["entry"].as_array().expect("entries"), &expected);
            prop_assert_eq!(v.entries, kept.len());
            let kept_entries: Vec<_> = kept.iter().map(|i| &d.entries[*i]).collect();
            prop_assert_eq!(v.fields, Delivery::fields_of(kept_entries.iter().copied()));
            let mut ids: Vec<String> = Vec::new();
            for e in &kept_entries {
                let id = e.id.as_ref().expect("kept entries have ids").text();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            prop_assert_eq!(v.entry_ids, ids);
        }
    }
}
