//! `/docs/api`: the API reference for people, rendered from the same
//! OpenAPI document `/api/openapi.json` serves (so the two cannot differ):
//! each operation grouped by tag with its method, path, summary,
//! credentials, parameters, body fields and responses, then every schema.
//!
//! The page's own words come from the catalogs; what it says about the
//! API (summaries, field descriptions) is the document's, written in the
//! code's doc comments. Types are written in a notation every reader
//! shares: `[T]` a list, `map<string, T>`, `T | null`.

use std::sync::LazyLock;

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value};

use super::{Chrome, render};
use crate::api::doc::document_json;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/docs/api", get(show_reference))
}

/// A run of text, inline code when it stood between backticks.
pub struct Span {
    pub text: String,
    pub code: bool,
}

/// A description as paragraphs of spans.
pub type Text = Vec<Vec<Span>>;

/// A piece of a type: a name, and the schema it links to if it is one.
pub struct Seg {
    pub text: String,
    pub link: Option<String>,
}

pub struct Field {
    pub name: String,
    pub ty: Vec<Seg>,
    pub required: bool,
    pub description: Text,
}

pub struct Param {
    pub name: String,
    pub location: String,
    pub ty: Vec<Seg>,
    pub required: bool,
    pub description: Text,
}

pub struct Body {
    pub content_types: String,
    pub ty: Vec<Seg>,
    pub description: Text,
    /// The body's fields when it is an object (or a schema that is one).
    pub fields: Vec<Field>,
    /// The documented example, as indented JSON.
    pub example: Option<String>,
}

pub struct Answer {
    pub status: String,
    pub description: Text,
    pub ty: Vec<Seg>,
}

/// Which credentials an operation takes.
pub enum Access {
    Public,
    BearerOrSession,
    SessionOnly,
}

pub struct Operation {
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: Text,
    pub access: Access,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub answers: Vec<Answer>,
}

pub struct Group {
    pub name: String,
    pub description: Text,
    pub operations: Vec<Operation>,
}

/// One variant of a schema that is one of several shapes.
pub struct Variant {
    pub ty: Vec<Seg>,
    pub description: Text,
    pub fields: Vec<Field>,
}

pub struct Schema {
    pub name: String,
    pub anchor: String,
    pub description: Text,
    pub ty: Vec<Seg>,
    pub fields: Vec<Field>,
    /// For a closed set of strings: its values.
    pub values: Vec<String>,
    pub variants: Vec<Variant>,
}

/// Everything the page shows, built once from the document.
pub struct Reference {
    pub version: String,
    pub groups: Vec<Group>,
    pub schemas: Vec<Schema>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ReferencePage {
    c: Chrome,
    r: &'static Reference,
}

async fn show_reference(c: Chrome) -> Result<Response, WebError> {
    render(&ReferencePage { c, r: reference() })
}

/// The reference, read from the served document once.
pub fn reference() -> &'static Reference {
    static REFERENCE: LazyLock<Reference> = LazyLock::new(|| {
        let doc: Value = serde_json::from_str(document_json()).unwrap_or_default();
        Reference::of(&doc)
    });
    &REFERENCE
}

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

impl Reference {
    pub fn of(doc: &Value) -> Reference {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let reader = Reader {
            doc,
            schemas: &schemas,
        };
        let mut groups: Vec<Group> = doc["tags"]
            .as_array()
            .map(|tags| {
                tags.iter()
                    .map(|t| Group {
                        name: text_of(&t["name"]),
                        description: paragraphs(&text_of(&t["description"])),
                        operations: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(paths) = doc["paths"].as_object() {
            for (path, item) in paths {
                for method in METHODS {
                    let Some(op) = item.get(method) else { continue };
                    let tag = op["tags"][0].as_str().unwrap_or("").to_owned();
                    let operation = reader.operation(method, path, op);
                    match groups.iter_mut().find(|g| g.name == tag) {
                        Some(group) => group.operations.push(operation),
                        None => groups.push(Group {
                            name: tag,
                            description: Vec::new(),
                            operations: vec![operation],
                        }),
                    }
                }
            }
        }
        groups.retain(|g| !g.operations.is_empty());
        Reference {
            version: text_of(&doc["info"]["version"]),
            groups,
            schemas: schemas
                .iter()
                .map(|(name, schema)| reader.schema(name, schema))
                .collect(),
        }
    }
}

struct Reader<'a> {
    doc: &'a Value,
    schemas: &'a Map<String, Value>,
}

impl Reader<'_> {
    /// What `$ref` points at, if it points into the document.
    fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value {
        match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.doc.pointer(pointer).unwrap_or(value),
            None => value,
        }
    }

    fn operation(&self, method: &str, path: &str, op: &Value) -> Operation {
        let mut params: Vec<Param> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .map(|p| self.resolve(p))
                    .map(|p| Param {
                        name: text_of(&p["name"]),
                        location: text_of(&p["in"]),
                        ty: self.type_of(&p["schema"]),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: paragraphs(&text_of(&p["description"])),
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Path parameters first, as a reader fills them in.
        params.sort_by_key(|p| p.location != "path");
        let body = op.get("requestBody").map(|b| {
            let b = self.resolve(b);
            let content = b["content"].as_object().cloned().unwrap_or_default();
            let schema = content
                .values()
                .next()
                .map_or(Value::Null, |c| c["schema"].clone());
            let example = content
                .values()
                .find_map(|c| c.get("example"))
                .or_else(|| self.resolve(&schema).get("example"))
                .and_then(|e| serde_json::to_string_pretty(e).ok());
            Body {
                content_types: content.keys().cloned().collect::<Vec<_>>().join(", "),
                ty: self.type_of(&schema),
                description: paragraphs(&text_of(&b["description"])),
                fields: self.fields(&schema),
                example,
            }
        });
        let answers = op["responses"]
            .as_object()
            .map(|rs| {
                rs.iter()
                    .map(|(status, r)| {
                        let r = self.resolve(r);
                        let ty = r["content"]
                            .as_object()
                            .and_then(|c| c.values().next())
                            .map(|c| self.type_of(&c["schema"]))
                            .unwrap_or_default();
                        Answer {
                            status: status.clone(),
                            description: paragraphs(&text_of(&r["description"])),
                            ty,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Operation {
            anchor: format!("op-{}", text_of(&op["operationId"])),
            method: method.to_uppercase(),
            path: path.to_owned(),
            summary: text_of(&op["summary"]),
            description: paragraphs(&text_of(&op["description"])),
            access: access(&op["security"]),
            params,
            body,
            answers,
        }
    }

    fn schema(&self, name: &str, schema: &Value) -> Schema {
        let variants = schema["oneOf"]
            .as_array()
            .map(|vs| {
                vs.iter()
                    .map(|v| Variant {
                        ty: self.type_of(v),
                        description: paragraphs(&text_of(&v["description"])),
                        fields: self.fields(v),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Schema {
            name: name.to_owned(),
            anchor: anchor(name),
            description: paragraphs(&text_of(&schema["description"])),
            ty: self.type_of(schema),
            fields: self.fields(schema),
            values: schema["enum"]
                .as_array()
                .map(|vs| vs.iter().map(literal).collect())
                .unwrap_or_default(),
            variants,
        }
    }

    /// The fields of an object schema, of each part of an `allOf`, or of
    /// the schema a reference names.
    fn fields(&self, schema: &Value) -> Vec<Field> {
        if let Some(parts) = schema["allOf"].as_array() {
            return parts.iter().flat_map(|p| self.fields(p)).collect();
        }
        let schema = self.resolve(schema);
        if let Some(parts) = schema["allOf"].as_array() {
            return parts.iter().flat_map(|p| self.fields(p)).collect();
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, p)| Field {
                        name: name.clone(),
                        ty: self.type_of(p),
                        required: required.contains(&name.as_str()),
                        description: paragraphs(&text_of(&p["description"])),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A type in the page's notation.
    fn type_of(&self, schema: &Value) -> Vec<Seg> {
        if let Some(r) = schema["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap_or(r);
            let known = self.schemas.contains_key(name);
            return vec![Seg {
                text: name.to_owned(),
                link: known.then(|| format!("#{}", anchor(name))),
            }];
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(items) = schema[key].as_array() {
                return joined(items.iter().map(|i| self.type_of(i)).collect(), " | ");
            }
        }
        if let Some(parts) = schema["allOf"].as_array() {
            return match parts.as_slice() {
                [one] => self.type_of(one),
                _ => plain("object"),
            };
        }
        if let Some(values) = schema["enum"].as_array() {
            let values: Vec<String> = values.iter().map(literal).collect();
            return plain(&values.join(" | "));
        }
        if let Some(value) = schema.get("const") {
            return plain(&literal(value));
        }
        match &schema["type"] {
            // Every JSON type: any value.
            Value::Array(types) if types.len() >= 6 => plain("any"),
            Value::Array(types) => joined(
                types
                    .iter()
                    .map(|t| {
                        let mut single = schema.clone();
                        single["type"] = t.clone();
                        self.type_of(&single)
                    })
                    .collect(),
                " | ",
            ),
            Value::String(t) => match t.as_str() {
                "array" => {
                    let mut out = plain("[");
                    out.extend(self.type_of(&schema["items"]));
                    out.push(seg("]"));
                    out
                }
                "object" => match &schema["additionalProperties"] {
                    Value::Object(_) => {
                        let mut out = plain("map<string, ");
                        out.extend(self.type_of(&schema["additionalProperties"]));
                        out.push(seg(">"));
                        out
                    }
                    _ => plain("object"),
                },
                other => match schema["format"].as_str() {
                    Some(format) => plain(&format!("{other} ({format})")),
                    None => plain(other),
                },
            },
            _ => plain("any"),
        }
    }
}

/// An operation's credentials, from its security requirements.
fn access(security: &Value) -> Access {
    let requirements = security.as_array().cloned().unwrap_or_default();
    let names = |r: &Value| r.as_object().map_or(0, Map::len);
    if requirements.is_empty() || requirements.iter().any(|r| names(r) == 0) {
        Access::Public
    } else if requirements.iter().any(|r| r.get("bearer").is_some()) {
        Access::BearerOrSession
    } else {
        Access::SessionOnly
    }
}

fn anchor(schema: &str) -> String {
    format!("schema-{schema}")
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

/// A JSON value as written in JSON.
fn literal(v: &Value) -> String {
    v.to_string()
}

fn seg(text: &str) -> Seg {
    Seg {
        text: text.to_owned(),
        link: None,
    }
}

fn plain(text: &str) -> Vec<Seg> {
    vec![seg(text)]
}

fn joined(parts: Vec<Vec<Seg>>, separator: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(seg(separator));
        }
        out.extend(part);
    }
    out
}

/// Paragraphs (blank lines apart), each split into text and `code`.
fn paragraphs(text: &str) -> Text {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.split('`')
                .enumerate()
                .filter(|(_, s)| !s.is_empty())
                .map(|(i, s)| Span {
                    text: s.replace('\n', " "),
                    code: i % 2 == 1,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(segs: &[Seg]) -> String {
        segs.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn every_operation_of_the_document_is_on_the_page_under_its_tag() {
        let doc: Value = serde_json::from_str(document_json()).unwrap();
        let r = reference();
        let mut on_page = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let tag = op["tags"][0].as_str().unwrap();
                let group = r.groups.iter().find(|g| g.name == tag).unwrap();
                assert!(
                    group
                        .operations
                        .iter()
                        .any(|o| o.path == *path && o.method == method.to_uppercase()),
                    "{method} {path}"
                );
                on_page += 1;
            }
        }
        let total: usize = r.groups.iter().map(|g| g.operations.len()).sum();
        assert_eq!(total, on_page);
        // The groups follow the document's tags, in its order.
        assert_eq!(r.groups[0].name, "auth");
    }

    #[test]
    fn a_post_reads_with_its_parameters_body_fields_and_answers() {
        let r = reference();
        let posts = r.groups.iter().find(|g| g.name == "posts").unwrap();
        let create = posts
            .operations
            .iter()
            .find(|o| o.method == "POST" && o.path == "/api/posts")
            .unwrap();
        assert_eq!(create.summary, "Create a post");
        assert!(matches!(create.access, Access::BearerOrSession));
        assert!(create.params.iter().any(|p| p.name == "workspace"));
        let body = create.body.as_ref().unwrap();
        assert_eq!(body.content_types, "application/json");
        assert_eq!(flat(&body.ty), "PostInput");
        let names: Vec<&str> = body.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["targets", "when"]);
        assert!(body.fields.iter().all(|f| f.required));
        assert_eq!(flat(&body.fields[0].ty), "[TargetInput]");
        let example = body.example.as_deref().unwrap();
        assert!(example.contains("\"action\": \"draft\""), "{example}");
        assert_eq!(
            body.fields[0].ty[1].link.as_deref(),
            Some("#schema-TargetInput")
        );
        let statuses: Vec<&str> = create.answers.iter().map(|a| a.status.as_str()).collect();
        for status in ["201", "401", "403", "404", "422"] {
            assert!(statuses.contains(&status), "{status}");
        }
        let refused = create.answers.iter().find(|a| a.status == "422").unwrap();
        assert_eq!(flat(&refused.ty), "ErrorBody | PostInvalidBody");
        // A path parameter comes first and is required.
        let get = posts
            .operations
            .iter()
            .find(|o| o.method == "GET" && o.path == "/api/posts/{id}")
            .unwrap();
        assert_eq!(get.params[0].name, "id");
        assert!(get.params[0].required);
        let token = r.groups[0]
            .operations
            .iter()
            .find(|o| o.path == "/api/auth/token")
            .unwrap();
        assert!(matches!(token.access, Access::Public));
    }

    #[test]
    fn schemas_show_fields_values_and_variants() {
        let r = reference();
        let schema = |name: &str| r.schemas.iter().find(|s| s.name == name).unwrap();
        let status = schema("PostStatus");
        assert!(
            status
                .values
                .contains(&"\"partially_published\"".to_owned())
        );
        let when = schema("When");
        assert_eq!(when.variants.len(), 4);
        assert!(
            when.variants
                .iter()
                .any(|v| v.fields.iter().any(|f| f.name == "schedule"))
        );
        let view = schema("PostView");
        let scheduled_at = view
            .fields
            .iter()
            .find(|f| f.name == "scheduled_at")
            .unwrap();
        assert!(!scheduled_at.required);
        assert!(
            flat(&scheduled_at.ty).contains("null"),
            "{}",
            flat(&scheduled_at.ty)
        );
    }

    #[test]
    fn descriptions_keep_code_apart_from_words() {
        let text = paragraphs("Pass `before` for\nthe next page.\n\nSecond.");
        assert_eq!(text.len(), 2);
        let first: Vec<(&str, bool)> = text[0].iter().map(|s| (s.text.as_str(), s.code)).collect();
        assert_eq!(
            first,
            [
                ("Pass ", false),
                ("before", true),
                (" for the next page.", false)
            ]
        );
    }
}
