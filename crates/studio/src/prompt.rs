//! The prompt: how a generation request becomes the messages and the
//! output schema a chat model is sent, and how its answer is read back.
//!
//! [`PROMPT_VERSION`] is stored with every generation; change it whenever
//! the wording or the schemas change, so a draft's inputs say which prompt
//! wrote it.

use herald_core::Named;
use herald_platforms::AccountKind;
use serde_json::{Value, json};

use crate::engine::{EngineError, Message, Schema};
use crate::model::{Content, Format, Pillar, Platform, Template, Tone};

/// The version of the wording and schemas below.
pub const PROMPT_VERSION: i32 = 1;

/// The account kind whose rules a platform's text must meet.
pub fn account_kind(platform: Platform) -> AccountKind {
    match platform {
        Platform::Instagram => AccountKind::InstagramBusiness,
        Platform::Facebook => AccountKind::FacebookPage,
        Platform::Tiktok => AccountKind::TikTokUser,
        Platform::Youtube => AccountKind::YouTubeChannel,
    }
}

fn string_list(min: u64, max: u64) -> Value {
    json!({"type": "array", "items": {"type": "string"}, "minItems": min, "maxItems": max})
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The JSON Schema of an answer of `format` (strict: every property
/// required, nothing else allowed).
pub fn schema(format: Format) -> Schema {
    let s = json!({"type": "string"});
    let (name, schema) = match format {
        Format::Script => (
            "short_video_script",
            object(
                json!({
                    "hook": s,
                    "beats": string_list(1, 12),
                    "cta": s,
                    "shots": string_list(0, 12),
                    "caption": s,
                }),
                &["hook", "beats", "cta", "shots", "caption"],
            ),
        ),
        Format::Caption => (
            "caption",
            object(
                json!({"text": s, "hashtags": string_list(0, 30)}),
                &["text", "hashtags"],
            ),
        ),
        Format::Carousel => (
            "carousel",
            object(
                json!({
                    "slides": {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 10,
                        "items": object(json!({"title": s, "body": s}), &["title", "body"]),
                    },
                    "caption": s,
                }),
                &["slides", "caption"],
            ),
        ),
        Format::Thread => (
            "thread",
            object(json!({"parts": string_list(2, 8)}), &["parts"]),
        ),
    };
    Schema {
        name: name.to_owned(),
        schema,
    }
}

fn language(locale: &str) -> &'static str {
    if locale == "de" { "German" } else { "English" }
}

/// The conversation for one request. Its texts are already redacted.
pub fn messages(
    format: Format,
    locale: &str,
    template: Option<&Template>,
    tone: Option<&Tone>,
    pillar: Option<&Pillar>,
    platform: Option<Platform>,
    brief: &str,
) -> Vec<Message> {
    let mut system = format!(
        "You write social media content for a creator. Write in {}. Answer only with JSON \
         that follows the given schema. Text in square brackets such as [EMAIL_1] or \
         [PHONE_2] stands for a private value: keep each one exactly as written where it \
         belongs, never invent one.",
        language(locale)
    );
    if let Some(t) = tone {
        system.push_str(&format!("\n\nTone: {}. {}", t.name, t.description));
        if !t.dos.is_empty() {
            system.push_str(&format!("\nWrite like: {}", t.dos.join(" | ")));
        }
        if !t.donts.is_empty() {
            system.push_str(&format!("\nNever like: {}", t.donts.join(" | ")));
        }
    }
    if let Some(p) = platform {
        let rules = herald_publishing::rules::rules_for(account_kind(p));
        system.push_str(&format!(
            "\n\nPlatform: {}. Captions at most {} characters",
            rules.name, rules.caption_max
        ));
        if let Some(h) = rules.hashtags_max {
            system.push_str(&format!(", at most {h} hashtags"));
        }
        system.push('.');
    }
    let mut user = String::new();
    let what = match format {
        Format::Script => {
            "a short vertical video script (hook, beats, call to action, shot notes, caption)"
        }
        Format::Caption => "a post caption with hashtags",
        Format::Carousel => {
            "carousel slides (a title and a short body each) and the post's caption"
        }
        Format::Thread => "a thread of short parts read in order",
    };
    user.push_str(&format!("Write {what}."));
    if let Some(t) = template {
        user.push_str(&format!(
            "\n\nFollow this template, \"{}\": {}\nIts structure, with {{slots}} to fill:\n{}",
            t.title,
            t.description,
            serde_json::to_string_pretty(&t.content).unwrap_or_default()
        ));
        if !t.slots.is_empty() {
            user.push_str("\nSlots:");
            for s in &t.slots {
                user.push_str(&format!("\n- {}: {}", s.name, s.hint));
            }
        }
    }
    if let Some(p) = pillar {
        user.push_str(&format!(
            "\n\nContent pillar: {}. {}",
            p.name, p.description
        ));
    }
    user.push_str(&format!("\n\nBrief:\n{brief}"));
    vec![
        Message {
            role: "system".into(),
            content: system,
        },
        Message {
            role: "user".into(),
            content: user,
        },
    ]
}

/// A rough token count of `messages` (four characters a token, plus a few
/// per message): what a generation reserves against the token quotas
/// before the engine reports the real figure.
pub fn estimate_tokens(messages: &[Message]) -> u64 {
    messages
        .iter()
        .map(|m| (m.content.chars().count() as u64).div_ceil(4) + 4)
        .sum()
}

/// Reads a chat model's answer as content of `format`: the JSON object the
/// schema asked for (a Markdown code fence around it, as some local models
/// add, is tolerated).
pub fn parse_answer(format: Format, text: &str) -> Result<Content, EngineError> {
    let mut body = text.trim();
    if let Some(rest) = body.strip_prefix("```") {
        let rest = rest.trim_start_matches("json").trim_start_matches("JSON");
        body = rest.trim().trim_end_matches("```").trim();
    }
    let malformed = |detail: String| EngineError::Malformed { detail };
    let mut value: Value =
        serde_json::from_str(body).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(malformed("not a JSON object".into()));
    };
    object.insert("format".into(), Value::String(format.as_str().to_owned()));
    let content: Content = serde_json::from_value(value)
        .map_err(|e| malformed(format!("not the {} schema: {e}", format.as_str())))?;
    if content.texts().iter().all(|s| s.trim().is_empty()) {
        return Err(malformed("the answer is empty".into()));
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_with_or_without_a_fence() {
        let c = parse_answer(
            Format::Caption,
            "```json\n{\"text\":\"Hi\",\"hashtags\":[\"#a\"]}\n```",
        )
        .unwrap();
        assert_eq!(
            c,
            Content::Caption {
                text: "Hi".into(),
                hashtags: vec!["#a".into()]
            }
        );
        assert!(matches!(
            parse_answer(Format::Carousel, "{\"text\":\"Hi\"}"),
            Err(EngineError::Malformed { .. })
        ));
        assert!(matches!(
            parse_answer(Format::Thread, "sure! here you go"),
            Err(EngineError::Malformed { .. })
        ));
    }

    #[test]
    fn every_format_has_a_strict_schema() {
        for f in Format::ALL {
            let s = schema(f).schema;
            assert_eq!(s["additionalProperties"], false);
            let props = s["properties"].as_object().unwrap();
            let required: Vec<&str> = s["required"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(props.len(), required.len(), "{f:?}");
        }
    }
}
