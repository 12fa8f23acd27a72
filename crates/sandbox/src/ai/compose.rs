//! What the simulated model says, and how its tokens are counted.
//!
//! Everything here is a pure function of the request: the same messages,
//! model and schema give the same answer and the same token counts on every
//! run. The answer is built from the person's brief (the text after
//! `Brief:` in the last user message, or that whole message): its first
//! sentence is the topic, its longer words the keywords, and placeholders
//! such as `[EMAIL_1]` are repeated once, as a model told to keep them
//! would. With a JSON Schema the answer is JSON valid against it.
//!
//! Tokens: a text is cut into pieces, each a run of up to four letters or
//! digits (with the one space before it), or any other single character.
//! A message costs 3 tokens plus its role's and its content's pieces, and
//! every prompt 3 more, as OpenAI's own counting recipe adds per message
//! and for the reply's priming. The streamed answer is sent one piece per
//! chunk, so its completion tokens are its chunks.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The pieces `text` is counted and streamed in; they concatenate to
/// `text`.
pub(crate) fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = piece_len(rest);
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// How many pieces `text` has.
pub(crate) fn count_tokens(text: &str) -> u64 {
    let mut n = 0;
    let mut rest = text;
    while !rest.is_empty() {
        rest = &rest[piece_len(rest)..];
        n += 1;
    }
    n
}

/// The byte length of the piece `text` starts with.
fn piece_len(text: &str) -> usize {
    let mut chars = text.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    let mut len = first.len_utf8();
    // Up to four letters or digits, after one space or not.
    let more = if first.is_alphanumeric() {
        3
    } else if first == ' ' && chars.peek().is_some_and(|(_, c)| c.is_alphanumeric()) {
        4
    } else {
        return len;
    };
    for (i, c) in chars.take_while(|(_, c)| c.is_alphanumeric()).take(more) {
        len = i + c.len_utf8();
    }
    len
}

/// The prompt tokens of `messages` (`(role, content)` pairs).
pub(crate) fn prompt_tokens<'a>(messages: impl Iterator<Item = (&'a str, &'a str)>) -> u64 {
    3 + messages
        .map(|(role, content)| 3 + count_tokens(role) + count_tokens(content))
        .sum::<u64>()
}

/// The answer to one request.
pub(crate) fn answer(
    seed_material: &[u8],
    system: &str,
    user: &str,
    schema: Option<&Value>,
) -> String {
    let mut w = Writer::new(seed_material, system, user);
    match schema {
        Some(schema) => {
            let value = w.value(schema, schema, Role::Generic, 0, 0);
            serde_json::to_string(&value).unwrap_or_default()
        }
        None => w.free_text(),
    }
}

/// What a string in the answer is for, from the property it sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Hook,
    Beat,
    Cta,
    Shot,
    Caption,
    Body,
    Title,
    Hashtag,
    Generic,
}

impl Role {
    fn of(name: &str) -> Role {
        match name.to_ascii_lowercase().as_str() {
            "hook" | "opening" => Role::Hook,
            "beats" | "beat" | "parts" | "part" | "steps" | "points" => Role::Beat,
            "cta" | "call_to_action" => Role::Cta,
            "shots" | "shot" | "shot_notes" => Role::Shot,
            "caption" => Role::Caption,
            "text" | "body" | "description" | "content" | "message" | "summary" => Role::Body,
            "title" | "headline" | "name" | "heading" => Role::Title,
            "hashtags" | "hashtag" | "tags" => Role::Hashtag,
            _ => Role::Generic,
        }
    }
}

const STOP_EN: &[&str] = &[
    "about", "after", "again", "also", "because", "been", "before", "being", "could", "does",
    "from", "have", "here", "into", "just", "like", "make", "more", "most", "much", "need", "only",
    "other", "over", "post", "should", "some", "such", "than", "that", "their", "them", "then",
    "there", "these", "they", "this", "those", "very", "want", "week", "what", "when", "where",
    "which", "while", "will", "with", "would", "write", "your",
];
const STOP_DE: &[&str] = &[
    "aber", "alle", "auch", "dann", "dass", "denn", "diese", "dieser", "doch", "eine", "einen",
    "einem", "einer", "etwas", "für", "haben", "hier", "immer", "kann", "mehr", "mein", "meine",
    "mich", "nach", "nicht", "noch", "oder", "schon", "sehr", "sich", "sind", "über", "unsere",
    "viel", "von", "wenn", "werden", "wird", "woche", "zum", "zur",
];

/// The sentences an answer is made of, `{w}` a keyword, `{topic}` the
/// brief's first sentence, `{n}` the position in a list.
#[derive(Clone, Copy)]
struct Phrases {
    hooks: &'static [&'static str],
    beats: &'static [&'static str],
    ctas: &'static [&'static str],
    shots: &'static [&'static str],
    titles: &'static [&'static str],
    bodies: &'static [&'static str],
}

const ENGLISH: Phrases = Phrases {
    hooks: &[
        "Stop scrolling: {topic}.",
        "Here is what nobody tells you about {w}.",
        "{topic}, in under a minute.",
        "Three things I learned about {w}.",
    ],
    beats: &[
        "Start with {w} and keep it simple.",
        "Most people skip {w}. Don't.",
        "Show the moment {w} meets {w}.",
        "Tell them why {w} matters to you.",
        "One small step: {w} today, {w} tomorrow.",
    ],
    ctas: &[
        "Save this for later and follow for more.",
        "Tell me in the comments: {w} or {w}?",
        "Share it with someone who loves {w}.",
    ],
    shots: &[
        "Close-up on {w}.",
        "Wide shot of the workspace, soft light.",
        "Cut to hands working on {w}.",
    ],
    titles: &[
        "{w}, explained",
        "Step {n}: {w}",
        "Why {w} matters",
        "{w} without the stress",
    ],
    bodies: &[
        "{topic}: how {w} makes it work.",
        "Less is more, especially with {w}.",
        "With {w}, an idea becomes a habit.",
    ],
};

const GERMAN: Phrases = Phrases {
    hooks: &[
        "Hör kurz zu: {topic}.",
        "Das sagt dir keiner über {w}.",
        "{topic} in unter einer Minute.",
        "Drei Dinge, die ich über {w} gelernt habe.",
    ],
    beats: &[
        "Fang mit {w} an und halte es einfach.",
        "Die meisten überspringen {w}. Mach es nicht.",
        "Zeig den Moment, in dem {w} auf {w} trifft.",
        "Erzähl, warum dir {w} wichtig ist.",
        "Ein kleiner Schritt: heute {w}, morgen {w}.",
    ],
    ctas: &[
        "Speicher dir das und folge für mehr.",
        "Schreib in die Kommentare: {w} oder {w}?",
        "Teil das mit jemandem, der {w} liebt.",
    ],
    shots: &[
        "Nahaufnahme: {w}.",
        "Totale vom Arbeitsplatz, ruhiges Licht.",
        "Schnitt auf die Hände bei {w}.",
    ],
    titles: &[
        "{w} kurz erklärt",
        "Schritt {n}: {w}",
        "Warum {w} zählt",
        "{w} ohne Stress",
    ],
    bodies: &[
        "{topic}: so gelingt es mit {w}.",
        "Weniger ist mehr, besonders bei {w}.",
        "Mit {w} wird aus einer Idee ein Ritual.",
    ],
};

struct Writer {
    state: u64,
    de: bool,
    topic: String,
    words: Vec<String>,
    /// Placeholders of the brief, said once.
    keepers: Vec<String>,
}

impl Writer {
    fn new(seed_material: &[u8], system: &str, user: &str) -> Writer {
        let digest = Sha256::digest(seed_material);
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&digest[..8]);
        let de = system.contains("in German") || system.contains("auf Deutsch");
        let brief = user
            .rsplit_once("Brief:")
            .map_or(user, |(_, after)| after)
            .trim();
        let first_sentence = brief
            .split(['.', '!', '?', '\n'])
            .map(str::trim)
            .find(|s| !s.is_empty())
            .unwrap_or("");
        let topic: Vec<&str> = first_sentence
            .split_whitespace()
            .filter(|w| !is_placeholder(w))
            .take(8)
            .collect();
        let topic = if topic.is_empty() {
            if de { "deine Idee" } else { "your idea" }.to_owned()
        } else {
            topic.join(" ")
        };
        let stop = if de { STOP_DE } else { STOP_EN };
        let mut words: Vec<String> = Vec::new();
        let mut keepers: Vec<String> = Vec::new();
        for raw in brief.split_whitespace() {
            let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '[' && c != ']');
            if is_placeholder(trimmed) {
                if !keepers.iter().any(|k| k == trimmed) {
                    keepers.push(trimmed.to_owned());
                }
                continue;
            }
            let word = trimmed.trim_matches(|c: char| !c.is_alphanumeric());
            let lower = word.to_lowercase();
            if word.chars().count() >= 4
                && word.chars().all(char::is_alphanumeric)
                && !stop.contains(&lower.as_str())
                && !STOP_EN.contains(&lower.as_str())
                && !words.iter().any(|w| w.to_lowercase() == lower)
            {
                words.push(word.to_owned());
            }
        }
        words.truncate(8);
        if words.is_empty() {
            let fallback: &[&str] = if de {
                &["Handwerk", "Alltag", "Gewohnheiten"]
            } else {
                &["craft", "routine", "habits"]
            };
            words = fallback.iter().map(|s| (*s).to_owned()).collect();
        }
        Writer {
            state: u64::from_le_bytes(seed),
            de,
            topic,
            words,
            keepers,
        }
    }

    /// splitmix64: a few cheap, well-spread numbers from the seed.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        let i = (self.next() % options.len() as u64) as usize;
        options[i]
    }

    fn word(&mut self) -> String {
        let i = (self.next() % self.words.len() as u64) as usize;
        self.words[i].clone()
    }

    fn fill(&mut self, template: &str, index: usize) -> String {
        let mut out = template.replace("{topic}", &self.topic);
        out = out.replace("{n}", &(index + 1).to_string());
        while out.contains("{w}") {
            let w = self.word();
            out = out.replacen("{w}", &w, 1);
        }
        capitalize(&out)
    }

    /// The placeholders, once: appended to the first longer text.
    fn with_keepers(&mut self, text: String) -> String {
        if self.keepers.is_empty() {
            return text;
        }
        let keepers = std::mem::take(&mut self.keepers).join(" ");
        format!("{text} {keepers}")
    }

    fn text(&mut self, role: Role, index: usize) -> String {
        let p = if self.de { &GERMAN } else { &ENGLISH };
        let Phrases {
            hooks,
            beats,
            ctas,
            shots,
            titles,
            bodies,
        } = *p;
        match role {
            Role::Hook => {
                let t = self.pick(hooks);
                self.fill(t, index)
            }
            Role::Beat => {
                let t = beats[(index + (self.next() % 2) as usize) % beats.len()];
                self.fill(t, index)
            }
            Role::Cta => {
                let t = self.pick(ctas);
                let text = self.fill(t, index);
                self.with_keepers(text)
            }
            Role::Shot => {
                let t = shots[index % shots.len()];
                self.fill(t, index)
            }
            Role::Title => {
                let t = titles[(index + (self.next() % 2) as usize) % titles.len()];
                self.fill(t, index)
            }
            Role::Hashtag => {
                let w = self.words[index % self.words.len()].clone();
                let tag: String = w
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect();
                if index >= self.words.len() {
                    format!("#{tag}{}", index + 1)
                } else {
                    format!("#{tag}")
                }
            }
            Role::Caption => {
                let first = self.pick(hooks);
                let second = self.pick(bodies);
                let text = format!("{} {}", self.fill(first, index), self.fill(second, index));
                self.with_keepers(text)
            }
            Role::Body | Role::Generic => {
                let t = self.pick(bodies);
                let text = self.fill(t, index);
                if role == Role::Body {
                    self.with_keepers(text)
                } else {
                    text
                }
            }
        }
    }

    /// A free-text post: hook, three beats, call to action, hashtags.
    fn free_text(&mut self) -> String {
        let hook = self.text(Role::Hook, 0);
        let beats: Vec<String> = (0..3).map(|i| self.text(Role::Beat, i)).collect();
        let cta = self.text(Role::Cta, 0);
        let tags: Vec<String> = (0..3).map(|i| self.text(Role::Hashtag, i)).collect();
        format!(
            "{hook}\n\n{}\n\n{cta}\n\n{}",
            beats.join(" "),
            tags.join(" ")
        )
    }

    /// A value valid against `schema` (`root` resolves `$ref`s).
    fn value(
        &mut self,
        schema: &Value,
        root: &Value,
        role: Role,
        depth: u32,
        index: usize,
    ) -> Value {
        if depth > 12 {
            return Value::Null;
        }
        let Some(obj) = schema.as_object() else {
            // `true` or `{}`-like: anything goes.
            return Value::String(self.text(role, index));
        };
        if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
            return match resolve(root, target) {
                Some(s) => self.value(s, root, role, depth + 1, index),
                None => Value::Null,
            };
        }
        if let Some(c) = obj.get("const") {
            return c.clone();
        }
        if let Some(options) = obj.get("enum").and_then(Value::as_array)
            && !options.is_empty()
        {
            let i = (self.next() % options.len() as u64) as usize;
            return options[i].clone();
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(branches) = obj.get(key).and_then(Value::as_array) {
                let branch = branches
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                    .or_else(|| branches.first());
                if let Some(b) = branch {
                    return self.value(b, root, role, depth + 1, index);
                }
            }
        }
        let ty = match obj.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ if obj.contains_key("properties") => "object",
            _ if obj.contains_key("items") => "array",
            _ => "string",
        };
        match ty {
            "object" => {
                let mut out = Map::new();
                if let Some(props) = obj.get("properties").and_then(Value::as_object) {
                    for (name, sub) in props {
                        let v = self.value(sub, root, Role::of(name), depth + 1, index);
                        out.insert(name.clone(), v);
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let max = obj
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(min.max(1) + 5);
                let wanted: u64 = match role {
                    Role::Beat => 4,
                    Role::Hashtag => 4,
                    Role::Shot => 3,
                    _ => 3 + self.next() % 3,
                };
                let n = wanted.clamp(min, max.max(min));
                let items = obj.get("items").cloned().unwrap_or(Value::Bool(true));
                let plain_strings = items.get("type").and_then(Value::as_str) == Some("string")
                    && items.get("enum").is_none()
                    && items.get("const").is_none();
                let mut values = Vec::with_capacity(n as usize);
                for i in 0..n as usize {
                    values.push(if plain_strings {
                        self.string(&items, role, i)
                    } else {
                        self.value(&items, root, role, depth + 1, i)
                    });
                }
                Value::Array(values)
            }
            "string" => self.string(schema, role, index),
            "integer" | "number" => {
                let lo = obj
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .or_else(|| {
                        obj.get("exclusiveMinimum")
                            .and_then(Value::as_f64)
                            .map(|m| m.floor() + 1.0)
                    })
                    .unwrap_or(1.0);
                let hi = obj
                    .get("maximum")
                    .and_then(Value::as_f64)
                    .or_else(|| {
                        obj.get("exclusiveMaximum")
                            .and_then(Value::as_f64)
                            .map(|m| m.ceil() - 1.0)
                    })
                    .unwrap_or(lo + 9.0)
                    .max(lo);
                let span = (hi - lo).floor() as u64;
                let v = lo.ceil() + (self.next() % (span + 1)) as f64;
                let v = v.min(hi);
                if ty == "integer" {
                    Value::from(v as i64)
                } else {
                    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
                }
            }
            "boolean" => Value::Bool(self.next().is_multiple_of(2)),
            _ => Value::Null,
        }
    }

    /// A string for `role`, meeting the schema's length limits and format.
    fn string(&mut self, schema: &Value, role: Role, index: usize) -> Value {
        let format = schema.get("format").and_then(Value::as_str);
        let mut s = match format {
            Some("date-time") => "2025-06-02T09:00:00Z".to_owned(),
            Some("date") => "2025-06-02".to_owned(),
            Some("time") => "09:00:00Z".to_owned(),
            Some("email") => "hello@example.com".to_owned(),
            Some("uri" | "url") => "https://example.com/".to_owned(),
            Some("uuid") => "4b6f1e2a-9c3d-4e5f-8a7b-1c2d3e4f5a6b".to_owned(),
            _ => self.text(role, index),
        };
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let mut guard = 0;
        while s.chars().count() < min && guard < 64 {
            let more = self.text(Role::Generic, index + guard);
            s.push(' ');
            s.push_str(&more);
            guard += 1;
        }
        while s.chars().count() < min {
            s.push('.');
        }
        if let Some(max) = max
            && s.chars().count() > max
        {
            s = s.chars().take(max).collect::<String>();
            let trimmed = s.trim_end().to_owned();
            if trimmed.chars().count() >= min {
                s = trimmed;
            }
        }
        Value::String(s)
    }
}

fn is_placeholder(word: &str) -> bool {
    let Some(inner) = word.strip_prefix('[').and_then(|w| w.strip_suffix(']')) else {
        return false;
    };
    let Some((kind, number)) = inner.rsplit_once('_') else {
        return false;
    };
    !kind.is_empty()
        && kind.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A local `$ref` (`#/$defs/Name`, `#/definitions/Name`, `#`).
fn resolve<'a>(root: &'a Value, target: &str) -> Option<&'a Value> {
    let path = target.strip_prefix('#')?;
    if path.is_empty() {
        return Some(root);
    }
    root.pointer(path)
}

/// Whether `value` is valid against `schema`, for the keywords the writer
/// honours (the tests' check of its output).
#[cfg(test)]
pub(crate) fn conforms(value: &Value, schema: &Value, root: &Value) -> Result<(), String> {
    let Some(obj) = schema.as_object() else {
        return Ok(());
    };
    if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
        let s = resolve(root, target).ok_or_else(|| format!("unresolved {target}"))?;
        return conforms(value, s, root);
    }
    if let Some(c) = obj.get("const")
        && c != value
    {
        return Err(format!("{value} is not the const {c}"));
    }
    if let Some(options) = obj.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{value} is not in the enum"));
    }
    if let Some(branches) = obj
        .get("anyOf")
        .or_else(|| obj.get("oneOf"))
        .and_then(Value::as_array)
        && !branches.iter().any(|b| conforms(value, b, root).is_ok())
    {
        return Err(format!("{value} matches no branch"));
    }
    let types: Vec<&str> = match obj.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let ok = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !ok {
            return Err(format!("{value} is not of type {types:?}"));
        }
    }
    match value {
        Value::Object(map) => {
            let props = obj.get("properties").and_then(Value::as_object);
            if let Some(required) = obj.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(name) {
                        return Err(format!("missing required {name}"));
                    }
                }
            }
            for (name, v) in map {
                match props.and_then(|p| p.get(name)) {
                    Some(sub) => conforms(v, sub, root).map_err(|e| format!("{name}: {e}"))?,
                    None if obj.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        return Err(format!("{name} is not allowed"));
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            let n = items.len() as u64;
            if obj
                .get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
            {
                return Err(format!("{n} items are too few"));
            }
            if obj
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| n > m)
            {
                return Err(format!("{n} items are too many"));
            }
            if let Some(sub) = obj.get("items") {
                for (i, v) in items.iter().enumerate() {
                    conforms(v, sub, root).map_err(|e| format!("[{i}]: {e}"))?;
                }
            }
        }
        Value::String(s) => {
            let n = s.chars().count() as u64;
            if obj
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
            {
                return Err(format!("{s:?} is too short"));
            }
            if obj
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n > m)
            {
                return Err(format!("{s:?} is too long"));
            }
        }
        Value::Number(num) => {
            let x = num.as_f64().unwrap_or(0.0);
            if obj
                .get("minimum")
                .and_then(Value::as_f64)
                .is_some_and(|m| x < m)
            {
                return Err(format!("{x} is below the minimum"));
            }
            if obj
                .get("maximum")
                .and_then(Value::as_f64)
                .is_some_and(|m| x > m)
            {
                return Err(format!("{x} is above the maximum"));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pieces_cover_the_text_and_count_alike() {
        let text = "Hello, wonderful world! Ünïcode [EMAIL_1]\n\n#tags";
        let p = pieces(text);
        assert_eq!(p.concat(), text);
        assert_eq!(p.len() as u64, count_tokens(text));
        assert_eq!(pieces("Hello world"), vec!["Hell", "o", " worl", "d"]);
        assert_eq!(count_tokens(""), 0);
        assert_eq!(prompt_tokens([("user", "Hi")].into_iter()), 3 + 3 + 1 + 1);
    }

    #[test]
    fn answers_are_deterministic_and_built_from_the_brief() {
        let user = "Write a post.\n\nBrief:\nOur sourdough workshop opens Saturday. Mail [EMAIL_1] to book.";
        let a = answer(b"seed", "Write in English.", user, None);
        assert_eq!(a, answer(b"seed", "Write in English.", user, None));
        assert_ne!(a, answer(b"other", "Write in English.", user, None));
        assert!(a.contains("[EMAIL_1]"), "{a}");
        assert_eq!(a.matches("[EMAIL_1]").count(), 1);
        let lower = a.to_lowercase();
        assert!(
            ["sourdough", "workshop", "opens", "saturday", "book"]
                .iter()
                .any(|w| lower.contains(w)),
            "{a}"
        );
        let de = answer(
            b"seed",
            "Write in German.",
            "Brief:\nBrot backen am Samstag",
            None,
        );
        assert!(de.contains('#'));
    }

    #[test]
    fn schema_answers_are_valid_against_the_schema() {
        let schemas = [
            json!({
                "type": "object",
                "properties": {
                    "slides": {
                        "type": "array", "minItems": 2, "maxItems": 10,
                        "items": {
                            "type": "object",
                            "properties": {"title": {"type": "string"}, "body": {"type": "string"}},
                            "required": ["title", "body"], "additionalProperties": false
                        }
                    },
                    "caption": {"type": "string"}
                },
                "required": ["slides", "caption"], "additionalProperties": false
            }),
            json!({
                "type": "object",
                "properties": {
                    "mood": {"type": "string", "enum": ["calm", "bold"]},
                    "score": {"type": "integer", "minimum": 3, "maximum": 5},
                    "ratio": {"type": "number", "minimum": 0.5, "maximum": 0.75},
                    "ok": {"type": "boolean"},
                    "short": {"type": "string", "minLength": 40, "maxLength": 50},
                    "when": {"type": ["string", "null"], "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 7, "maxItems": 7},
                    "item": {"$ref": "#/$defs/item"},
                    "either": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 10}]}
                },
                "required": ["mood", "score", "ratio", "ok", "short", "when", "tags", "item", "either"],
                "additionalProperties": false,
                "$defs": {"item": {"type": "object", "properties": {"k": {"const": "v"}}, "required": ["k"]}}
            }),
        ];
        for (i, schema) in schemas.iter().enumerate() {
            for seed in 0..20u8 {
                let text = answer(
                    &[seed, i as u8],
                    "",
                    "Brief:\nPottery for beginners",
                    Some(schema),
                );
                let value: Value = serde_json::from_str(&text).unwrap();
                conforms(&value, schema, schema).unwrap_or_else(|e| panic!("{e}: {text}"));
            }
        }
    }

    #[test]
    fn conforms_rejects_what_the_schema_forbids() {
        let s = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false});
        assert!(conforms(&json!({"a": "x"}), &s, &s).is_ok());
        assert!(conforms(&json!({}), &s, &s).is_err());
        assert!(conforms(&json!({"a": "x", "b": 1}), &s, &s).is_err());
        assert!(conforms(&json!({"a": 1}), &s, &s).is_err());
    }
}
