//! Request parameter parsing shared by the simulators: query strings and
//! form bodies with repeated keys, bearer tokens, Graph `fields` lists and
//! Google partial-response field masks.

use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

/// Decoded `key=value` pairs in request order (repeated keys kept).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub fn from_query(query: Option<&str>) -> Self {
        Self::from_urlencoded(query.unwrap_or("").as_bytes())
    }

    pub fn from_urlencoded(bytes: &[u8]) -> Self {
        Params(
            url::form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// A JSON object body; strings are taken as they are, other scalars as
    /// their JSON text.
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        let Value::Object(map) = serde_json::from_slice::<Value>(bytes).ok()? else {
            return None;
        };
        Some(Self::from_object(map))
    }

    /// A parsed JSON object, taken as [`Params::from_json`] takes a body.
    pub fn from_object(map: Map<String, Value>) -> Self {
        Params(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect(),
        )
    }

    /// Query parameters followed by a form or JSON body (by content type).
    pub fn from_request(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Self {
        let mut params = Self::from_query(query);
        if !body.is_empty() {
            let body_params = if is_json(headers) {
                Self::from_json(body).unwrap_or_default()
            } else {
                Self::from_urlencoded(body)
            };
            params.0.extend(body_params.0);
        }
        params
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `key` unless it is empty.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("application/json")
}

pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("application/x-www-form-urlencoded")
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The token of an `Authorization: Bearer …` (or Meta's `OAuth …`) header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let scheme = scheme.to_ascii_lowercase();
    if (scheme == "bearer" || scheme == "oauth") && !token.trim().is_empty() {
        Some(token.trim().to_owned())
    } else {
        None
    }
}

/// Splits a comma- or space-separated scope list, dropping empties and
/// duplicates while keeping order.
pub(crate) fn split_scopes(raw: &str, separators: &[char]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(|c| separators.contains(&c)) {
        let s = s.trim();
        if !s.is_empty() && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// One entry of a Graph `fields` list: `name`, `name{sub,fields}` or
/// `name.modifier(x)`; modifiers are accepted and ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GraphField {
    pub name: String,
    pub sub: Option<Vec<GraphField>>,
}

/// Parses a Graph `fields` parameter. None when it is malformed.
pub(crate) fn parse_graph_fields(raw: &str) -> Option<Vec<GraphField>> {
    let chars: Vec<char> = raw.chars().collect();
    let mut pos = 0;
    let fields = graph_fields(&chars, &mut pos, false)?;
    (pos == chars.len()).then_some(fields)
}

fn graph_fields(chars: &[char], pos: &mut usize, nested: bool) -> Option<Vec<GraphField>> {
    let mut fields = Vec::new();
    loop {
        while *pos < chars.len() && chars[*pos].is_whitespace() {
            *pos += 1;
        }
        let start = *pos;
        while *pos < chars.len() && (chars[*pos].is_alphanumeric() || chars[*pos] == '_') {
            *pos += 1;
        }
        let name: String = chars[start..*pos].iter().collect();
        let mut sub = None;
        // `.modifier(args)` chains, e.g. `picture.type(large)` or `.limit(5)`.
        while *pos < chars.len() && chars[*pos] == '.' {
            *pos += 1;
            while *pos < chars.len() && (chars[*pos].is_alphanumeric() || chars[*pos] == '_') {
                *pos += 1;
            }
            if *pos < chars.len() && chars[*pos] == '(' {
                let close = chars[*pos..].iter().position(|c| *c == ')')?;
                *pos += close + 1;
            }
        }
        if *pos < chars.len() && chars[*pos] == '{' {
            *pos += 1;
            sub = Some(graph_fields(chars, pos, true)?);
            if *pos >= chars.len() || chars[*pos] != '}' {
                return None;
            }
            *pos += 1;
        }
        while *pos < chars.len() && chars[*pos].is_whitespace() {
            *pos += 1;
        }
        if !name.is_empty() {
            fields.push(GraphField { name, sub });
        }
        match chars.get(*pos) {
            Some(',') => *pos += 1,
            Some('}') if nested => return Some(fields),
            None if !nested => return Some(fields),
            _ => return None,
        }
    }
}

/// A Google partial-response mask (`fields=nextPageToken,files(id,name)`,
/// `capabilities/canDownload`, `*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldMask {
    All,
    Some(Vec<(String, FieldMask)>),
}

/// Parses a Google `fields` mask. None when it is malformed.
pub(crate) fn parse_field_mask(raw: &str) -> Option<FieldMask> {
    let chars: Vec<char> = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let mut pos = 0;
    let mask = mask_list(&chars, &mut pos)?;
    (pos == chars.len()).then_some(mask)
}

fn mask_list(chars: &[char], pos: &mut usize) -> Option<FieldMask> {
    let mut entries: Vec<(String, FieldMask)> = Vec::new();
    let mut star = false;
    loop {
        let start = *pos;
        while *pos < chars.len() && !matches!(chars[*pos], ',' | '(' | ')') {
            *pos += 1;
        }
        let path: String = chars[start..*pos].iter().collect();
        if path.is_empty() {
            return None;
        }
        let mut leaf = FieldMask::All;
        if chars.get(*pos) == Some(&'(') {
            *pos += 1;
            leaf = mask_list(chars, pos)?;
            if chars.get(*pos) != Some(&')') {
                return None;
            }
            *pos += 1;
        }
        if path == "*" {
            star = true;
        } else {
            // `a/b/c(x)` nests as a(b(c(x))).
            let mut parts: Vec<&str> = path.split('/').collect();
            let last = parts.pop()?;
            let mut node = (last.to_owned(), leaf);
            while let Some(parent) = parts.pop() {
                node = (parent.to_owned(), FieldMask::Some(vec![node]));
            }
            merge_entry(&mut entries, node);
        }
        match chars.get(*pos) {
            Some(',') => *pos += 1,
            _ if star => return Some(FieldMask::All),
            _ => return Some(FieldMask::Some(entries)),
        }
    }
}

fn merge_entry(entries: &mut Vec<(String, FieldMask)>, (name, mask): (String, FieldMask)) {
    if let Some((_, existing)) = entries.iter_mut().find(|(n, _)| *n == name) {
        match (existing, mask) {
            (FieldMask::All, _) => {}
            (slot @ FieldMask::Some(_), FieldMask::All) => *slot = FieldMask::All,
            (FieldMask::Some(a), FieldMask::Some(b)) => {
                for entry in b {
                    merge_entry(a, entry);
                }
            }
        }
    } else {
        entries.push((name, mask));
    }
}

impl FieldMask {
    /// Keeps only the selected parts of `value`; arrays are filtered element-wise.
    pub fn apply(&self, value: &Value) -> Value {
        match (self, value) {
            (FieldMask::All, v) => v.clone(),
            (mask, Value::Array(items)) => {
                Value::Array(items.iter().map(|item| mask.apply(item)).collect())
            }
            (FieldMask::Some(entries), Value::Object(map)) => {
                let mut out = Map::new();
                for (name, sub) in entries {
                    if let Some(v) = map.get(name) {
                        out.insert(name.clone(), sub.apply(v));
                    }
                }
                Value::Object(out)
            }
            (FieldMask::Some(_), v) => v.clone(),
        }
    }

    /// The mask below a top-level name, if it is selected.
    pub fn child(&self, name: &str) -> Option<&FieldMask> {
        match self {
            FieldMask::All => Some(&FieldMask::All),
            FieldMask::Some(entries) => entries.iter().find(|(n, _)| n == name).map(|(_, m)| m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn graph_fields_parse_nesting_and_modifiers() {
        let fields = parse_graph_fields(
            "id,name,instagram_business_account{id,username},picture.type(large),access_token",
        )
        .unwrap();
        let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "name",
                "instagram_business_account",
                "picture",
                "access_token"
            ]
        );
        let ig = fields[2].sub.as_ref().unwrap();
        assert_eq!(ig.len(), 2);
        assert_eq!(ig[1].name, "username");
        assert!(parse_graph_fields("id,name{").is_none());
        assert!(parse_graph_fields("id}").is_none());
        assert_eq!(parse_graph_fields("").unwrap(), vec![]);
    }

    #[test]
    fn field_masks_select_nested_paths() {
        let mask =
            parse_field_mask("nextPageToken,files(id,name,size,capabilities/canDownload)").unwrap();
        let value = json!({
            "kind": "drive#fileList",
            "nextPageToken": "x",
            "files": [{"id": "1", "name": "a", "mimeType": "m", "size": "3",
                       "capabilities": {"canDownload": true, "canEdit": false}}]
        });
        assert_eq!(
            mask.apply(&value),
            json!({"nextPageToken": "x", "files": [{"id": "1", "name": "a", "size": "3",
                   "capabilities": {"canDownload": true}}]})
        );
        assert_eq!(parse_field_mask("*").unwrap(), FieldMask::All);
        assert!(parse_field_mask("files(id").is_none());
        assert!(parse_field_mask("").is_none());
    }

    #[test]
    fn params_keep_repeated_keys_and_decode() {
        let p = Params::from_query(Some("grant=a&grant=b&state=%3Cx%3E+y"));
        assert_eq!(p.get_all("grant").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(p.get("state"), Some("<x> y"));
    }

    #[test]
    fn bearer_accepts_bearer_and_oauth_schemes() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("abc"));
        h.insert(header::AUTHORIZATION, "OAuth xyz".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("xyz"));
        h.insert(header::AUTHORIZATION, "Basic xyz".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
