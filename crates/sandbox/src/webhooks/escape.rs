//! Meta's rendering of a webhook body: compact JSON in which every
//! non-ASCII character is a `\uXXXX` escape with lowercase hex (astral
//! characters as a UTF-16 surrogate pair), and `/`, `<`, `%` and `@` are
//! escaped as `\/`, `\u003C`, `\u0025` and `\u0040` (Meta's docs). The
//! signature covers these bytes, so a receiver that hashes its own
//! re-serialization of the parsed JSON gets a different digest.

use std::fmt::Write;

use serde_json::Value;

/// `value` as the bytes Meta would send.
pub(crate) fn meta_json(value: &Value) -> String {
    escape_serialized(&value.to_string())
}

/// Escapes compact JSON text. Every character replaced here can only occur
/// inside a string literal of serde_json's output (the structure is
/// ASCII punctuation, digits and literals), and none is part of an escape
/// sequence, so the result parses to the same value.
fn escape_serialized(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    for c in json.chars() {
        match c {
            '/' => out.push_str("\\/"),
            '<' => out.push_str("\\u003C"),
            '%' => out.push_str("\\u0025"),
            '@' => out.push_str("\\u0040"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn non_ascii_is_escaped_with_lowercase_hex_and_surrogate_pairs() {
        let body = meta_json(&json!({"text": "äöå 🥐"}));
        assert_eq!(body, r#"{"text":"\u00e4\u00f6\u00e5 \ud83e\udd50"}"#);
        assert!(body.is_ascii());
    }

    #[test]
    fn slashes_and_the_documented_punctuation_are_escaped() {
        assert_eq!(
            meta_json(&json!({"u": "https://x.example/a%20b"})),
            r#"{"u":"https:\/\/x.example\/a\u002520b"}"#
        );
        assert_eq!(
            meta_json(&json!({"m": "<b>@ana</b>"})),
            r#"{"m":"\u003Cb>\u0040ana\u003C\/b>"}"#
        );
    }

    #[test]
    fn the_escaped_text_parses_back_to_the_same_value() {
        let value = json!({
            "object": "instagram",
            "entry": [{"id": "1", "changes": [{"field": "comments", "value": {
                "text": "Zoë \\ \"quoted\" / 100% @you \u{1F44F}\n\u{0007}",
                "n": 3, "ok": true, "none": null
            }}]}]
        });
        let body = meta_json(&value);
        assert!(body.is_ascii());
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), value);
        assert_ne!(body, value.to_string());
    }
}
