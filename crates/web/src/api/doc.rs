//! The OpenAPI 3.1 document of the JSON API, generated from the code.
//!
//! Each handler carries `#[utoipa::path]` (method, path, parameters, body
//! and every status it can answer), each resource module lists its
//! handlers in its `Doc` beside its `router()`, and the types they take and
//! answer derive `ToSchema` (the domain crates' behind their `openapi`
//! feature). [`document`] merges the parts once, at first use;
//! `GET /api/openapi.json` serves it and `/docs/api` renders it for people.
//! A test in the binary's suite fails when a route of the router is not in
//! the document, or the document names one the router does not serve.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::AppState;
use crate::error::ErrorBody;

/// The security schemes' names, as operations refer to them.
pub(crate) const BEARER: &str = "bearer";
pub(crate) const SESSION: &str = "session";
pub(crate) const CSRF: &str = "csrf";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herald API",
        description = "The JSON API of a Herald instance: accounts and devices, connected \
            platform accounts, posts and their schedules, the media library, webhooks, the \
            engagement inbox, notifications, the content studio and analytics.\n\n\
            **Authentication.** A bearer access token (`Authorization: Bearer …`, from \
            `POST /api/auth/token`), or the browser session cookie; with the cookie, every \
            request that changes something also sends the session's CSRF token in \
            `x-csrf-token`.\n\n\
            **Workspaces.** What lives in a workspace is addressed with `?workspace=ID` (or \
            the `{ws}` path segment); without it the caller's first workspace is used. A \
            workspace the caller is not a member of answers 404, like an object that does \
            not exist.\n\n\
            **Errors.** Every refusal is `{\"error\": {\"code\", \"message\"}}`: `code` is \
            stable, `message` is in the caller's language (`Accept-Language`). A JSON body \
            that does not match the route's schema is 422 `invalid_body` with `field` (the \
            JSON path of the value) and `expected`; text that is not JSON is 400 \
            `malformed_json`. `429` answers carry `Retry-After`."
    ),
    paths(openapi_json),
    components(
        schemas(ErrorBody),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PayloadTooLarge,
            UnsupportedMediaType,
            InvalidBody,
            RateLimited,
            Unavailable,
            PostRefused,
        )
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Signing up, tokens for apps, the caller and their devices."),
        (name = "platforms", description = "The platforms offered and the accounts connected to a workspace."),
        (name = "posts", description = "Composing, validating, scheduling and following posts and their targets."),
        (name = "reviews", description = "Approvals, comments and client review links of posts, and the workspace's approval policy."),
        (name = "media", description = "The workspace's media library and imports from Google Drive."),
        (name = "webhooks", description = "Outbound webhook endpoints: Herald's events sent to your URLs, signed."),
        (name = "deliveries", description = "Webhook deliveries received from the platforms, with replay."),
        (name = "inbox", description = "The engagement inbox: comments, mentions and direct messages of the connected accounts, their threads, assignment, notes, and replies, hides and deletes on the platform."),
        (name = "notifications", description = "The caller's notifications in a workspace and which kinds they get."),
        (name = "tokens", description = "Scoped access tokens (personal, app, assistant) of a workspace."),
        (name = "studio", description = "The content studio: the template catalog and the workspace's copies, tones, pillars, AI or template generations, drafts with their versions, bookmarks, usage and quotas."),
        (name = "analytics", description = "The platforms' figures of the workspace's accounts (summary, top and bottom posts, best times), refreshing them, and the learning hub's recommendations."),
        (name = "reference", description = "This document."),
    )
)]
struct ApiDoc;

/// The document: built once, at first use.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| assemble().0);
    &DOCUMENT
}

/// The parts merged into one document, and the schema names two parts
/// define differently. A merge keeps the first of two schemas of one name,
/// so two types called `DeliveryView` in two modules would silently share
/// one schema: a test requires this list to be empty (name one of them
/// with `#[schema(as = …)]`).
fn assemble() -> (utoipa::openapi::OpenApi, Vec<String>) {
    let (mut doc, clashes) = merged(ApiDoc::openapi(), super::documented());
    secure_by_default(&mut doc);
    optional_bodies(&mut doc);
    (doc, clashes)
}

/// A body that may be left out (`request_body(content = Option<T>)`, read
/// with `OptionalApiJson`) comes out of utoipa as a body whose schema is
/// `T | null`; but a body left out is an empty body, not a JSON `null`
/// (which the route refuses). So its schema is `T`, and it is not required.
fn optional_bodies(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    for item in doc.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                continue;
            };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema else {
                    continue;
                };
                let is_null = |s: &RefOr<Schema>| {
                    matches!(s, RefOr::T(Schema::Object(o))
                        if o.schema_type == utoipa::openapi::schema::SchemaType::Type(Type::Null))
                };
                if let [a, b] = one_of.items.as_slice()
                    && let Some(kept) = match (is_null(a), is_null(b)) {
                        (false, true) => Some(a.clone()),
                        (true, false) => Some(b.clone()),
                        _ => None,
                    }
                {
                    content.schema = Some(kept);
                    body.required = Some(utoipa::openapi::Required::False);
                }
            }
        }
    }
}

fn merged(
    mut doc: utoipa::openapi::OpenApi,
    parts: Vec<utoipa::openapi::OpenApi>,
) -> (utoipa::openapi::OpenApi, Vec<String>) {
    let mut clashes = Vec::new();
    for part in parts {
        if let (Some(have), Some(new)) = (&doc.components, &part.components) {
            for (name, schema) in &new.schemas {
                if have.schemas.get(name).is_some_and(|s| s != schema) {
                    clashes.push(name.clone());
                }
            }
        }
        doc.merge(part);
    }
    (doc, clashes)
}

/// The document as served.
pub fn document_json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        // Serialising plain data with string keys cannot fail.
        document().to_json().unwrap_or_default()
    });
    &JSON
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi_json))
}

/// This document (OpenAPI 3.1)
///
/// The same for every caller and for the life of the process.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "reference",
    security(()),
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json",
            body = Object),
    )
)]
async fn openapi_json() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        document_json(),
    )
}

/// Every operation that names no security of its own takes either
/// credential: a bearer token, or the session cookie (with the CSRF token
/// on methods that change something, as `auth::check_csrf` requires).
/// Public operations say `security(())`. A bearer credential that does
/// not authenticate counts against the caller's address, so every such
/// operation may also answer 429.
fn secure_by_default(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for (method, operation) in operations_mut(item) {
            if operation.security.is_none() {
                operation
                    .responses
                    .responses
                    .entry("429".to_owned())
                    .or_insert_with(|| Ref::from_response_name("RateLimited").into());
                let session = if matches!(method, HttpMethod::Get | HttpMethod::Head) {
                    SecurityRequirement::new(SESSION, Vec::<String>::new())
                } else {
                    SecurityRequirement::new(SESSION, Vec::<String>::new())
                        .add(CSRF, Vec::<String>::new())
                };
                operation.security = Some(vec![
                    SecurityRequirement::new(BEARER, Vec::<String>::new()),
                    session,
                ]);
            }
        }
    }
}

/// The operations of a path, with their methods.
pub(crate) fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, item.get.as_mut()),
        (HttpMethod::Put, item.put.as_mut()),
        (HttpMethod::Post, item.post.as_mut()),
        (HttpMethod::Delete, item.delete.as_mut()),
        (HttpMethod::Options, item.options.as_mut()),
        (HttpMethod::Head, item.head.as_mut()),
        (HttpMethod::Patch, item.patch.as_mut()),
        (HttpMethod::Trace, item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token from `POST /api/auth/token` (valid 15 minutes; get \
                         a new one with `grant_type=refresh_token`). Requests with a bearer \
                         token need no CSRF token.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-herald_session",
                "The browser session of a signed-in person (`herald_session` on an instance \
                 served over plain http in development).",
            ))),
        );
        components.add_security_scheme(
            CSRF,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-csrf-token",
                "With the session cookie, every request that changes something carries the \
                 session's CSRF token (the `_csrf` value of any Herald page's forms).",
            ))),
        );
    }
}

/// A body of raw bytes (an uploaded file, a thumbnail), as OpenAPI 3.1
/// writes one: a string of bytes whose media type is the content's.
pub(crate) struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/octet-stream")
            .description(Some("The bytes of a file."))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// A response whose body is the shared error body; `description` is a
/// doc comment's lines, joined into one paragraph.
fn refusal(description: &str) -> Response {
    let description: Vec<&str> = description.lines().map(str::trim).collect();
    ResponseBuilder::new()
        .description(description.join(" ").trim())
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// The refusals operations share, each a response component named after
/// its type and described by its doc comment; an operation lists the ones
/// it can answer: `(status = 404, response = NotFound)`.
macro_rules! refusals {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        pub(crate) struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), refusal(concat!($($doc, "\n"),*)).into())
            }
        }
    )*};
}

refusals! {
    /// The request could not be read: a body that is not JSON
    /// (`malformed_json`, with `field` and `expected`), or a query value or
    /// form field the route does not take (`bad_request` or the route's own
    /// code).
    BadRequest;
    /// No valid credentials: no bearer token or session, or one that has
    /// expired or was revoked (`unauthorized`).
    Unauthorized;
    /// The caller's role in the workspace does not allow this (`forbidden`),
    /// or a browser request came without the session's CSRF token
    /// (`csrf_failed`) or from another site (`cross_site_request`).
    Forbidden;
    /// No such object, or a workspace the caller is not a member of (which
    /// answers as if it did not exist): `not_found`.
    NotFound;
    /// The object is not in a state that allows this now: a post already
    /// going out, one that needs approval first or is not waiting for it,
    /// one's own post to approve, an account that must be reconnected.
    Conflict;
    /// The body is larger than this route accepts (`payload_too_large`).
    PayloadTooLarge;
    /// The body's `Content-Type` (or, for uploads, its bytes) is not one this
    /// route takes (`unsupported_media_type`).
    UnsupportedMediaType;
    /// The body is JSON but not what the route takes: `invalid_body`, with
    /// `field` (the JSON path of the value) and `expected` (what the parser
    /// expected there); or a value breaks a rule (the rule's own code).
    /// Nothing changed.
    InvalidBody;
    /// A service this needs is not available now (`service_unavailable` or
    /// the service's own code); try again later.
    Unavailable;
}

/// Too many attempts: `rate_limited`, with `Retry-After` (seconds).
pub(crate) struct RateLimited;

impl<'r> ToResponse<'r> for RateLimited {
    fn response() -> (&'r str, RefOr<Response>) {
        let mut response = refusal(
            "Too many attempts from this address or for this account (`rate_limited`); \
             `Retry-After` says when to try again.",
        );
        response.headers.insert(
            "Retry-After".to_owned(),
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait."))
                .build()
                .into(),
        );
        ("RateLimited", response.into())
    }
}

/// A refused post: the body is not what the route takes (`invalid_body`),
/// or the post breaks a platform's rules (`post_invalid`, with every issue).
pub(crate) struct PostRefused;

impl<'r> ToResponse<'r> for PostRefused {
    fn response() -> (&'r str, RefOr<Response>) {
        let response = ResponseBuilder::new()
            .description(
                "Nothing was saved. `invalid_body`: the body is not what the route takes \
                 (`field`, `expected`). `post_invalid`: a target breaks its platform's rules \
                 (`issues`). Or another rule's code: no targets, an account or media that is \
                 not in the workspace, an unknown time zone, a time in the past.",
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(
                        OneOfBuilder::new()
                            .item(Ref::from_schema_name("ErrorBody"))
                            .item(Ref::from_schema_name("PostInvalidBody")),
                    ))
                    .build(),
            )
            .build();
        ("PostRefused", response.into())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    /// Every `$ref` in `value`.
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    fn json() -> Value {
        serde_json::from_str(document_json()).expect("the document is JSON")
    }

    #[test]
    fn the_document_is_openapi_3_1_and_reads_back_as_one() {
        let doc = json();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "Herald API");
        // Through utoipa's own model and back: nothing is lost or invented.
        let text = document_json();
        let read: utoipa::openapi::OpenApi = serde_json::from_str(text).unwrap_or_else(|e| {
            let at = text.floor_char_boundary(e.column().saturating_sub(1));
            let from = text.floor_char_boundary(at.saturating_sub(300));
            panic!("not an OpenAPI document: {e}, after …{}", &text[from..at])
        });
        assert_eq!(serde_json::to_value(&read).unwrap(), doc);
        assert!(!read.paths.paths.is_empty());
    }

    #[test]
    fn no_two_types_share_a_schema_name() {
        let (_, clashes) = assemble();
        assert!(clashes.is_empty(), "schemas defined twice: {clashes:?}");
        // The check sees a clash where there is one.
        mod a {
            #[derive(utoipa::ToSchema)]
            #[expect(dead_code, reason = "only its schema is used")]
            pub struct View {
                pub id: i64,
            }
        }
        mod b {
            #[derive(utoipa::ToSchema)]
            #[expect(dead_code, reason = "only its schema is used")]
            pub struct View {
                pub name: String,
            }
        }
        #[derive(OpenApi)]
        #[openapi(components(schemas(a::View)))]
        struct A;
        #[derive(OpenApi)]
        #[openapi(components(schemas(b::View)))]
        struct B;
        let (_, clashes) = merged(A::openapi(), vec![A::openapi(), B::openapi()]);
        assert_eq!(clashes, ["View"]);
    }

    #[test]
    fn every_reference_resolves() {
        let doc = json();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50, "only {} references", found.len());
        for r in found {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{r}: not a reference into the document"));
            assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn every_operation_is_named_tagged_answered_and_secured() {
        let doc = json();
        let tags: BTreeSet<&str> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let at = format!("{method} {path}");
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{at}"));
                assert!(ids.insert(id.to_owned()), "{at}: operationId {id} twice");
                let summary = op["summary"].as_str().unwrap_or("");
                assert!(!summary.trim().is_empty(), "{at}: no summary");
                let op_tags = op["tags"].as_array().unwrap_or_else(|| panic!("{at}"));
                assert_eq!(op_tags.len(), 1, "{at}: one tag");
                assert!(tags.contains(op_tags[0].as_str().unwrap()), "{at}");
                let responses = op["responses"].as_object().unwrap();
                assert!(
                    responses.keys().any(|s| s.starts_with('2')),
                    "{at}: no success response"
                );
                for requirement in op["security"].as_array().unwrap_or_else(|| panic!("{at}")) {
                    for scheme in requirement.as_object().unwrap().keys() {
                        assert!(schemes.contains_key(scheme), "{at}: {scheme}");
                    }
                }
                // A path's `{parameters}` are all declared.
                let declared: BTreeSet<&str> = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p["in"] == "path")
                            .map(|p| p["name"].as_str().unwrap())
                            .collect()
                    })
                    .unwrap_or_default();
                let in_path: BTreeSet<&str> = path
                    .split('/')
                    .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                    .collect();
                assert_eq!(declared, in_path, "{at}: path parameters");
            }
        }
    }

    #[test]
    fn a_body_that_may_be_left_out_is_not_required_and_not_null() {
        let doc = json();
        let body = &doc["paths"]["/api/posts/{id}/submit"]["post"]["requestBody"];
        assert_eq!(body["required"], false);
        assert_eq!(
            body["content"]["application/json"]["schema"],
            serde_json::json!({"$ref": "#/components/schemas/SubmitRequest"})
        );
        // A body that must be there stays required.
        let body = &doc["paths"]["/api/posts"]["post"]["requestBody"];
        assert_eq!(body["required"], true);
    }

    #[test]
    fn credentials_follow_the_method_and_public_routes_need_none() {
        let doc = json();
        let op = |path: &str, method: &str| doc["paths"][path][method]["security"].clone();
        let bearer_or_session = serde_json::json!([{ "bearer": [] }, { "session": [] }]);
        let with_csrf = serde_json::json!([{ "bearer": [] }, { "session": [], "csrf": [] }]);
        assert_eq!(op("/api/posts", "get"), bearer_or_session);
        assert_eq!(op("/api/posts", "post"), with_csrf);
        assert_eq!(op("/api/posts/{id}", "delete"), with_csrf);
        assert_eq!(op("/api/openapi.json", "get"), serde_json::json!([{}]));
        assert_eq!(op("/api/auth/token", "post"), serde_json::json!([{}]));
    }

    #[test]
    fn the_shared_error_body_is_what_refusals_carry() {
        let doc = json();
        let description = doc["components"]["responses"]["NotFound"]["description"]
            .as_str()
            .unwrap();
        assert!(description.starts_with("No such object, or a workspace"));
        assert!(!description.contains("  ") && !description.contains('\n'));
        let schema = &doc["components"]["schemas"]["ErrorBody"];
        assert_eq!(schema["required"], serde_json::json!(["error"]));
        let detail = &doc["components"]["schemas"]["ErrorDetail"];
        assert_eq!(detail["required"], serde_json::json!(["code", "message"]));
        for name in ["code", "message", "field", "expected"] {
            assert!(detail["properties"][name].is_object(), "{name}");
        }
        let limited = &doc["components"]["responses"]["RateLimited"];
        assert!(limited["headers"]["Retry-After"].is_object());
        assert_eq!(
            limited["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
    }
}
