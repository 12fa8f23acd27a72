//! The OpenAPI document against the running app: every `/api` route of
//! the router is in it and everything in it is routed (no route ships
//! undocumented), every operation answers an unauthenticated caller with
//! a status it documents, its examples are what the handlers accept, and
//! the answers have the documented shapes.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::posts::connect;
use crate::routes::routes_in_source;

/// Routes of the router that are not REST operations of the document, and
/// why. `(method, path)`; `*` for every method.
const NOT_DOCUMENTED: &[(&str, &str, &str)] = &[(
    "*",
    "/mcp",
    "the MCP endpoint speaks JSON-RPC over streamable HTTP, not REST: its tools are \
     described by the MCP server itself (tools/list), not by OpenAPI operations",
)];

/// A route the document must describe: everything under `/api/`, and the
/// other machine endpoints listed in [`NOT_DOCUMENTED`].
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || NOT_DOCUMENTED.iter().any(|(_, p, _)| *p == path)
}

fn excluded(method: &str, path: &str) -> bool {
    NOT_DOCUMENTED
        .iter()
        .any(|(m, p, _)| *p == path && (*m == "*" || *m == method))
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every (METHOD, path) the document describes.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("a path item") {
            assert!(
                METHODS.contains(&method.as_str()),
                "{method} {path}: a method the router does not use"
            );
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

async fn document(app: &TestApp) -> Value {
    let resp = new_client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(header("content-type").starts_with("application/json"));
    assert!(header("cache-control").starts_with("public"), "cacheable");
    // Nothing personal about it: no cookie is set.
    assert!(resp.headers().get("set-cookie").is_none());
    resp.json().await.unwrap()
}

#[tokio::test]
async fn every_api_route_is_documented_and_every_documented_operation_is_routed() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = operations(&doc);
    let routed: BTreeSet<(String, String)> = routes_in_source()
        .into_iter()
        .filter(|(method, path)| is_api(path) && !excluded(method, path))
        .collect();
    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes the OpenAPI document does not describe: {missing:?}. Give each handler a \
         #[utoipa::path(...)] and list it in its module's `Doc` (docs/architecture.md, \
         \"How to document a new API route\")"
    );
    let stale: Vec<_> = documented.difference(&routed).collect();
    assert!(
        stale.is_empty(),
        "operations in the document that no .route(...) serves: {stale:?}"
    );

    // And the router itself agrees: each documented (method, path) is
    // matched by a route (the route template is the metrics' label, which
    // only a matched route sets), and an unauthenticated caller gets a
    // status the operation documents. An invalid bearer token skips the
    // CSRF check, so secured routes answer their own 401.
    let client = new_client();
    for (method, path) in &documented {
        let url = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let resp = client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(&url),
            )
            .header("authorization", "Bearer not-a-token")
            .send()
            .await
            .unwrap();
        let status = resp.status();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let op = &doc["paths"][path][method.to_lowercase()];
        assert!(
            op["responses"].get(status.as_str()).is_some(),
            "{method} {path}: answered {status}, which it does not document"
        );
        if status.is_client_error() {
            let body: Value = resp.json().await.unwrap();
            let problems = validate(
                &doc,
                &json!({"$ref": "#/components/schemas/ErrorBody"}),
                &body,
            );
            assert!(problems.is_empty(), "{method} {path}: {problems:?}");
        }
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let matched = matched_routes(&metrics);
    for (method, path) in &documented {
        assert!(
            matched.contains(&(method.clone(), path.clone())),
            "{method} {path}: no route of the router matched it; matched: {matched:?}\n{}",
            metrics
                .lines()
                .filter(|l| l.contains("requests_total"))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// (method, route template) of every request a route matched, from the
/// HTTP request counter's labels.
fn matched_routes(metrics: &str) -> BTreeSet<(String, String)> {
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix("herald_http_requests_total{"))
        // Route templates hold braces too: the label set ends at the last.
        .filter_map(|l| l.rsplit_once('}').map(|(labels, _)| labels))
        .map(|labels| {
            let pairs: BTreeMap<&str, &str> = labels
                .split("\",")
                .filter_map(|kv| kv.split_once("=\""))
                .map(|(k, v)| (k, v.trim_end_matches('"')))
                .collect();
            (
                pairs.get("method").copied().unwrap_or("").to_owned(),
                pairs.get("route").copied().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn answers_shared_caches_may_keep_carry_no_cookie() {
    let app = spawn_app().await;
    for path in [
        "/api/openapi.json".to_owned(),
        herald_web::assets::url("app.css"),
    ] {
        let resp = new_client().get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.starts_with("public"), "{path}: {cache}");
        assert!(resp.headers().get("set-cookie").is_none(), "{path}");
    }
    // A page still hands a visitor the cookie its forms' token is bound to.
    let resp = new_client().get(app.url("/docs/api")).send().await.unwrap();
    assert!(resp.headers().get("set-cookie").is_some());
}

#[tokio::test]
async fn every_example_in_the_document_fits_its_schema() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut checked = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            let problems = validate(&doc, schema, example);
            assert!(problems.is_empty(), "schema {name}: {problems:?}");
            checked += 1;
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for (media, body) in content {
                if let Some(example) = body.get("example") {
                    let problems = validate(&doc, &body["schema"], example);
                    assert!(
                        problems.is_empty(),
                        "{method} {path} ({media}): {problems:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 8, "only {checked} examples");
}

/// The request body example of an operation.
fn request_example(doc: &Value, method: &str, path: &str) -> Value {
    let body = &doc["paths"][path][method]["requestBody"]["content"]["application/json"];
    let example = body
        .get("example")
        .cloned()
        .or_else(|| {
            let r = body["schema"]["$ref"].as_str()?.strip_prefix('#')?;
            doc.pointer(r)?.get("example").cloned()
        })
        .unwrap_or_else(|| panic!("{method} {path}: no example"));
    assert!(example.is_object(), "{method} {path}");
    example
}

/// The schema an operation documents for `status`.
fn answer_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let mut answer = &doc["paths"][path][method]["responses"][status.to_string()];
    if let Some(r) = answer["$ref"].as_str() {
        answer = doc.pointer(r.strip_prefix('#').unwrap()).unwrap();
    }
    answer["content"]["application/json"]["schema"].clone()
}

#[tokio::test]
async fn the_documented_examples_are_accepted_and_the_answers_have_the_documented_shape() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let client = app.signed_in("openapi-owner@example.com").await;
    let tiktok = connect(&app, &client, "tiktok").await;
    let csrf = app.csrf_for(&client).await;

    // POST /api/posts with the document's example (its account replaced
    // by a real one of the workspace): created, shaped like a PostView.
    let mut example = request_example(&doc, "post", "/api/posts");
    for target in example["targets"].as_array_mut().unwrap() {
        target["connection_id"] = json!(tiktok);
    }
    let resp = client
        .post(app.url("/api/posts"))
        .header("x-csrf-token", &csrf)
        .json(&example)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    let problems = validate(
        &doc,
        &answer_schema(&doc, "post", "/api/posts", 201),
        &created,
    );
    assert!(problems.is_empty(), "{problems:?}\n{created:#}");
    assert_eq!(created["status"], "draft");
    let id = created["id"].as_str().unwrap();

    // The same example replaces it.
    let resp = client
        .put(app.url(&format!("/api/posts/{id}")))
        .header("x-csrf-token", &csrf)
        .json(&example)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let updated: Value = resp.json().await.unwrap();
    let problems = validate(
        &doc,
        &answer_schema(&doc, "put", "/api/posts/{id}", 200),
        &updated,
    );
    assert!(problems.is_empty(), "{problems:?}");

    // Its targets are what validation takes; each report has the shape.
    let resp = client
        .post(app.url("/api/posts/validate"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "targets": example["targets"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let reports: Value = resp.json().await.unwrap();
    let schema = answer_schema(&doc, "post", "/api/posts/validate", 200);
    assert!(validate(&doc, &schema, &reports).is_empty(), "{reports:#}");

    // A value of the wrong shape: 422 naming the field, as documented.
    let mut wrong = example.clone();
    wrong["targets"][0]["variant"]["format"] = json!("photo");
    let resp = client
        .post(app.url("/api/posts"))
        .header("x-csrf-token", &csrf)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = resp.json().await.unwrap();
    assert_eq!(refused["error"]["code"], "invalid_body");
    assert_eq!(refused["error"]["field"], "targets[0].variant.format");
    let problems = validate(
        &doc,
        &answer_schema(&doc, "post", "/api/posts", 422),
        &refused,
    );
    assert!(problems.is_empty(), "{problems:?}");
    // A post that breaks the platform's rules: `post_invalid` with issues.
    let mut long = example.clone();
    long["targets"][0]["variant"]["caption"] = json!("x".repeat(5000));
    long["when"] = json!({"action": "now"});
    let resp = client
        .post(app.url("/api/posts"))
        .header("x-csrf-token", &csrf)
        .json(&long)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = resp.json().await.unwrap();
    assert_eq!(refused["error"]["code"], "post_invalid", "{refused:#}");
    let problems = validate(
        &doc,
        &answer_schema(&doc, "post", "/api/posts", 422),
        &refused,
    );
    assert!(problems.is_empty(), "{problems:?}");
    let problems = validate(
        &doc,
        &json!({"$ref": "#/components/schemas/PostInvalidBody"}),
        &refused,
    );
    assert!(problems.is_empty(), "{problems:?}");

    // The token grant's example, for an account with that address and
    // password: the tokens, shaped as documented.
    let token_example = request_example(&doc, "post", "/api/auth/token");
    let email = token_example["email"].as_str().unwrap();
    assert_eq!(token_example["password"], PASSWORD);
    app.signed_in(email).await;
    let resp = new_client()
        .post(app.url("/api/auth/token"))
        .json(&token_example)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let tokens: Value = resp.json().await.unwrap();
    let schema = answer_schema(&doc, "post", "/api/auth/token", 200);
    assert!(validate(&doc, &schema, &tokens).is_empty(), "{tokens:#}");
    let bearer = tokens["access_token"].as_str().unwrap();

    // What the bearer reads has the documented shape too.
    for (path, status) in [
        ("/api/me", 200),
        ("/api/auth/devices", 200),
        ("/api/platforms", 200),
        ("/api/notifications", 200),
        ("/api/notifications/preferences", 200),
        ("/api/analytics/summary", 200),
        ("/api/analytics/posts", 200),
        ("/api/analytics/best-times", 200),
        ("/api/recommendations", 200),
    ] {
        let resp = new_client()
            .get(app.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{path}");
        let body: Value = resp.json().await.unwrap();
        let problems = validate(&doc, &answer_schema(&doc, "get", path, status), &body);
        assert!(problems.is_empty(), "{path}: {problems:?}\n{body:#}");
    }
    // Refreshing answers 202 with the runs queued, as documented.
    let resp = new_client()
        .post(app.url("/api/analytics/refresh"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let body: Value = resp.json().await.unwrap();
    let schema = answer_schema(&doc, "post", "/api/analytics/refresh", 202);
    assert!(validate(&doc, &schema, &body).is_empty(), "{body:#}");
    // A refused parameter: 422 naming it, shaped like every refusal.
    let resp = new_client()
        .get(app.url("/api/analytics/summary?period=5y"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["field"], "period");
    let schema = answer_schema(&doc, "get", "/api/analytics/summary", 422);
    assert!(validate(&doc, &schema, &body).is_empty(), "{body:#}");
    let posts = client
        .get(app.url("/api/posts?queue=drafts"))
        .send()
        .await
        .unwrap();
    let posts: Value = posts.json().await.unwrap();
    assert_eq!(posts.as_array().unwrap().len(), 1);
    let problems = validate(&doc, &answer_schema(&doc, "get", "/api/posts", 200), &posts);
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test]
async fn the_reference_page_lists_every_operation_for_anyone() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let resp = new_client().get(app.url("/docs/api")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let anchor = format!("id=\"op-{}\"", op["operationId"].as_str().unwrap());
        assert!(html.contains(&anchor), "{method} {path}");
        assert!(html.contains(&format!("<code>{path}</code>")), "{path}");
    }
    assert!(html.contains("href=\"/api/openapi.json\""));
    assert!(html.contains("id=\"schema-PostInput\""));
    // In the reader's language.
    let german = new_client()
        .get(app.url("/docs/api"))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german.contains("API-Referenz"));
    // Settings link to it.
    let client = app.signed_in("openapi-reader@example.com").await;
    let settings = app.html(&client, "/home/settings").await;
    assert!(settings.contains("href=\"/docs/api\""));
}

// ------------------------------------------------------------ a schema check

/// Where `value` departs from `schema` (the subset of JSON Schema the
/// document uses: `$ref`, `type`, `properties`, `required`, `items`,
/// `additionalProperties`, `enum`, `const`, `oneOf`, `anyOf`, `allOf`).
fn validate(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(doc, schema, value, "$", &mut problems);
    problems
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let target = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .unwrap_or_else(|| panic!("{r} does not resolve"));
        return check(doc, target, value, at, problems);
    }
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            check(doc, part, value, at, problems);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().any(|o| {
                let mut inner = Vec::new();
                check(doc, o, value, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                problems.push(format!("{at}: fits none of {key} ({value})"));
            }
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {values:?}"));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        problems.push(format!("{at}: {value} is not {c}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| is_type(value, t)) {
        problems.push(format!("{at}: {value} is not {types:?}"));
        return;
    }
    if let Value::Object(map) = value {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !map.contains_key(name) {
                problems.push(format!("{at}: `{name}` is missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (key, v) in map {
            match properties.and_then(|p| p.get(key)) {
                Some(s) => check(doc, s, v, &format!("{at}.{key}"), problems),
                None => {
                    if schema["additionalProperties"].is_object() {
                        check(
                            doc,
                            &schema["additionalProperties"],
                            v,
                            &format!("{at}.{key}"),
                            problems,
                        );
                    } else if schema["additionalProperties"] == json!(false) {
                        problems.push(format!("{at}: `{key}` is not a documented field"));
                    }
                }
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(doc, item, v, &format!("{at}[{i}]"), problems);
        }
    }
}

fn is_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

#[test]
fn the_schema_check_finds_what_departs() {
    let doc = json!({"components": {"schemas": {
        "Thing": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            "note": {"oneOf": [{"type": "null"}, {"type": "string"}]}
        }}
    }}});
    let thing = json!({"$ref": "#/components/schemas/Thing"});
    assert!(validate(&doc, &thing, &json!({"id": 1, "tags": ["a"], "note": null})).is_empty());
    let problems = validate(&doc, &thing, &json!({"tags": ["c"], "note": 3}));
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("`id` is missing")));
    assert!(problems.iter().any(|p| p.starts_with("$.tags[0]")));
    assert!(problems.iter().any(|p| p.starts_with("$.note")));
    assert_eq!(validate(&doc, &thing, &json!([1])).len(), 1);
}
