//! The OpenAI-compatible simulator keeps OpenAI's wire contract: the key,
//! the rate-limit headers, the SSE framing of a streamed answer, usage,
//! JSON valid against the asked schema, and OpenAI's error bodies.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use herald_sandbox::{AiLatency, Fault, FaultKind, SandboxConfig, SandboxError};
use serde_json::{Value, json};

use crate::helpers::*;

const CHAT: &str = "/api.openai.com/v1/chat/completions";

/// A sandbox whose model answers at once.
fn sandbox() -> TestSandbox {
    sandbox_with(|_| {})
}

fn sandbox_with(configure: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
    TestSandbox::with(|c| {
        c.ai.latency = AiLatency::ZERO;
        configure(c);
    })
}

fn key(t: &TestSandbox) -> String {
    t.sb.config().ai.api_key.clone()
}

async fn chat(t: &TestSandbox, body: &Value) -> Resp {
    chat_as(t, &key(t), body).await
}

async fn chat_as(t: &TestSandbox, key: &str, body: &Value) -> Resp {
    t.request(
        Method::POST,
        CHAT,
        &[
            (header::CONTENT_TYPE.as_str(), "application/json".into()),
            bearer(key),
        ],
        Body::from(body.to_string()),
    )
    .await
}

fn ask(extra: Value) -> Value {
    let mut body = json!({
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You write social media content. Write in English."},
            {"role": "user", "content": "Write a caption.\n\nBrief:\nOur pottery studio opens a Saturday wheel class for beginners."}
        ],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// The `data:` payloads of an event stream, checking its framing.
fn events(text: &str) -> Vec<String> {
    assert!(text.ends_with("\n\n"), "the stream ends with a blank line");
    text.split_terminator("\n\n")
        .map(|event| {
            let data = event
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("not a data event: {event:?}"));
            assert!(!data.contains('\n'), "one line per event");
            data.to_owned()
        })
        .collect()
}

fn carousel_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "slides": {
                "type": "array", "minItems": 2, "maxItems": 10,
                "items": {
                    "type": "object",
                    "properties": {"title": {"type": "string"}, "body": {"type": "string"}},
                    "required": ["title", "body"],
                    "additionalProperties": false
                }
            },
            "caption": {"type": "string"}
        },
        "required": ["slides", "caption"],
        "additionalProperties": false
    })
}

#[tokio::test]
async fn a_whole_answer_has_openais_shape_and_rate_limit_headers() {
    let t = sandbox();
    let res = chat(&t, &ask(json!({"max_tokens": 400}))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    for name in [
        "x-ratelimit-limit-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-requests",
        "x-ratelimit-reset-tokens",
        "x-request-id",
    ] {
        assert!(res.header(name).is_some(), "{name} missing");
    }
    assert_eq!(res.header("x-ratelimit-limit-requests").unwrap(), "500");
    assert_eq!(res.header("x-ratelimit-remaining-requests").unwrap(), "499");
    // One request of 500 a minute refills in 60/500 s.
    assert_eq!(res.header("x-ratelimit-reset-requests").unwrap(), "120ms");
    let body = res.json();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "gpt-4o-mini-2024-07-18");
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    let choice = &body["choices"][0];
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["finish_reason"], "stop");
    let text = choice["message"]["content"].as_str().unwrap();
    assert!(
        text.to_lowercase().contains("pottery")
            || text.contains("Saturday")
            || text.contains("beginners")
            || text.contains("studio"),
        "{text}"
    );
    let usage = &body["usage"];
    let (p, c) = (
        usage["prompt_tokens"].as_u64().unwrap(),
        usage["completion_tokens"].as_u64().unwrap(),
    );
    assert!(p > 10 && c > 5);
    assert_eq!(usage["total_tokens"].as_u64().unwrap(), p + c);
    // Tokens charged: the prompt plus max_tokens.
    let remaining: u64 = res
        .header("x-ratelimit-remaining-tokens")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(remaining, 200_000 - p - 400);
    // The same request, the same answer.
    let again = chat(&t, &ask(json!({"max_tokens": 400}))).await.json();
    assert_eq!(again["choices"][0]["message"]["content"], text);
}

#[tokio::test]
async fn a_streamed_answer_is_framed_like_openais() {
    let t = sandbox();
    let res = chat(
        &t,
        &ask(json!({"stream": true, "stream_options": {"include_usage": true}})),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(res.header("x-ratelimit-remaining-tokens").is_some());
    let events = events(&res.text());
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    let id = chunks[0]["id"].clone();
    for c in &chunks {
        assert_eq!(c["object"], "chat.completion.chunk");
        assert_eq!(c["id"], id, "every chunk shares the id");
        assert!(
            c.get("usage").is_some(),
            "usage is on every chunk when asked"
        );
    }
    // The role first, with empty content.
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(chunks[0]["choices"][0]["delta"]["content"], "");
    // The usage chunk last: no choices.
    let usage_chunk = chunks.last().unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    let usage = &usage_chunk["usage"];
    // The finish reason before it, with an empty delta.
    let finish = &chunks[chunks.len() - 2]["choices"][0];
    assert_eq!(finish["finish_reason"], "stop");
    assert_eq!(finish["delta"], json!({}));
    let content: Vec<&str> = chunks[1..chunks.len() - 2]
        .iter()
        .map(|c| {
            assert!(c["usage"].is_null());
            assert!(c["choices"][0]["finish_reason"].is_null());
            c["choices"][0]["delta"]["content"].as_str().unwrap()
        })
        .collect();
    assert!(content.len() > 5);
    // One chunk per completion token.
    assert_eq!(
        usage["completion_tokens"].as_u64().unwrap(),
        content.len() as u64
    );
    // The same text as the whole answer.
    let whole = chat(&t, &ask(json!({}))).await.json();
    assert_eq!(whole["choices"][0]["message"]["content"], content.concat());
    assert_eq!(whole["usage"], *usage);
}

#[tokio::test]
async fn without_include_usage_no_usage_is_streamed() {
    let t = sandbox();
    let res = chat(&t, &ask(json!({"stream": true}))).await;
    let events = events(&res.text());
    for e in &events[..events.len() - 1] {
        let c: Value = serde_json::from_str(e).unwrap();
        assert!(c.get("usage").is_none());
        assert_eq!(c["choices"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn structured_output_is_valid_against_the_schema() {
    let t = sandbox();
    for brief in [
        "Sourdough for beginners",
        "Five stretches after running",
        "Ein Brot aus Roggen",
    ] {
        let res = chat(
            &t,
            &json!({
                "model": "llama3.1",
                "messages": [{"role": "user", "content": format!("Brief:\n{brief}")}],
                "response_format": {"type": "json_schema", "json_schema": {
                    "name": "carousel", "strict": true, "schema": carousel_schema()
                }},
            }),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let text = res.json()["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        let value: Value = serde_json::from_str(&text).unwrap();
        let obj = value.as_object().unwrap();
        assert_eq!(obj.len(), 2, "only the schema's properties: {text}");
        let slides = value["slides"].as_array().unwrap();
        assert!((2..=10).contains(&slides.len()), "{text}");
        for s in slides {
            assert_eq!(s.as_object().unwrap().len(), 2);
            assert!(!s["title"].as_str().unwrap().is_empty());
            assert!(!s["body"].as_str().unwrap().is_empty());
        }
        assert!(value["caption"].is_string());
    }
}

#[tokio::test]
async fn a_strict_schema_that_openai_would_refuse_is_refused() {
    let t = sandbox();
    let mut schema = carousel_schema();
    schema["required"] = json!(["slides"]);
    let res = chat(
        &t,
        &ask(
            json!({"response_format": {"type": "json_schema", "json_schema": {
                "name": "carousel", "strict": true, "schema": schema
            }}}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["code"], "invalid_json_schema");
}

#[tokio::test]
async fn the_key_is_required_and_checked() {
    let t = sandbox();
    let res = t.post_json(CHAT, &ask(json!({}))).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["type"], "invalid_request_error");
    let wrong = "sk-wrong-0123456789abcdef";
    let res = chat_as(&t, wrong, &ask(json!({}))).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let err = &res.json()["error"];
    assert_eq!(err["code"], "invalid_api_key");
    assert!(!err["message"].as_str().unwrap().contains(wrong));
    let models = t
        .get_with("/api.openai.com/v1/models", &[bearer(&key(&t))])
        .await;
    assert_eq!(models.status, StatusCode::OK);
    let models = models.json();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"gpt-4o-mini") && ids.contains(&"llama3.1"));
}

#[tokio::test]
async fn requests_openai_refuses_are_refused_with_its_codes() {
    let t = sandbox();
    let unknown = chat(&t, &ask(json!({"model": "gpt-9"}))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"]["code"], "model_not_found");
    let options = chat(&t, &ask(json!({"stream_options": {"include_usage": true}}))).await;
    assert_eq!(options.status, StatusCode::BAD_REQUEST);
    assert_eq!(options.json()["error"]["param"], "stream_options");
    let reasoning = chat(&t, &ask(json!({"model": "o4-mini", "max_tokens": 100}))).await;
    assert_eq!(reasoning.status, StatusCode::BAD_REQUEST);
    assert_eq!(reasoning.json()["error"]["code"], "unsupported_parameter");
    let fine = chat(
        &t,
        &ask(json!({"model": "o4-mini", "max_completion_tokens": 100})),
    )
    .await;
    assert_eq!(fine.status, StatusCode::OK);
    let too_many = chat(&t, &ask(json!({"max_tokens": 20_000}))).await;
    assert_eq!(too_many.json()["error"]["code"], "invalid_value");
    let not_json = t
        .request(
            Method::POST,
            CHAT,
            &[bearer(&key(&t))],
            Body::from("{not json"),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_prompt_over_the_context_window_is_refused() {
    let t = sandbox();
    let long = "word ".repeat(9_000);
    let res = chat(
        &t,
        &json!({"model": "llama3.1", "messages": [{"role": "user", "content": long}]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let err = &res.json()["error"];
    assert_eq!(err["code"], "context_length_exceeded");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("maximum context length is 8192 tokens"),
        "{message}"
    );
    // With max_tokens counted in.
    let res = chat(
        &t,
        &json!({"model": "llama3.1", "max_tokens": 4000,
                "messages": [{"role": "user", "content": "word ".repeat(4_500)}]}),
    )
    .await;
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in the completion")
    );
}

#[tokio::test]
async fn the_key_is_throttled_per_minute_with_retry_after() {
    let t = sandbox_with(|c| c.limits.openai_requests_per_minute = 2);
    assert_eq!(chat(&t, &ask(json!({}))).await.status, StatusCode::OK);
    assert_eq!(chat(&t, &ask(json!({}))).await.status, StatusCode::OK);
    let res = chat(&t, &ask(json!({}))).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.json()["error"]["code"], "rate_limit_exceeded");
    assert_eq!(res.header("retry-after").unwrap(), "30");
    assert_eq!(res.header("x-ratelimit-remaining-requests").unwrap(), "0");
    t.advance(30);
    assert_eq!(chat(&t, &ask(json!({}))).await.status, StatusCode::OK);
    // Tokens too: a request larger than the minute's budget never fits.
    let t = sandbox_with(|c| c.limits.openai_tokens_per_minute = 100);
    let res = chat(&t, &ask(json!({"max_tokens": 500}))).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.header("retry-after").is_none());
}

#[tokio::test]
async fn faults_render_as_openai_answers() {
    let t = sandbox();
    let cases: [(FaultKind, StatusCode, Value); 5] = [
        (
            FaultKind::RateLimited,
            StatusCode::TOO_MANY_REQUESTS,
            json!("rate_limit_exceeded"),
        ),
        (
            FaultKind::QuotaExhausted,
            StatusCode::TOO_MANY_REQUESTS,
            json!("insufficient_quota"),
        ),
        (
            FaultKind::ServerError,
            StatusCode::INTERNAL_SERVER_ERROR,
            Value::Null,
        ),
        (
            FaultKind::ContentFiltered,
            StatusCode::BAD_REQUEST,
            json!("content_filter"),
        ),
        (
            FaultKind::ExpiredToken,
            StatusCode::UNAUTHORIZED,
            json!("invalid_api_key"),
        ),
    ];
    for (kind, status, code) in cases {
        t.sb.inject("openai.chat_completions", Fault::times(kind, 1))
            .unwrap();
        let res = chat(&t, &ask(json!({}))).await;
        assert_eq!(res.status, status, "{kind:?}: {}", res.text());
        assert_eq!(res.json()["error"]["code"], code, "{kind:?}");
        if kind == FaultKind::RateLimited {
            assert!(res.header("retry-after").is_none());
            assert_eq!(res.header("x-ratelimit-remaining-tokens").unwrap(), "0");
            assert_eq!(res.header("x-ratelimit-reset-tokens").unwrap(), "1m0s");
        }
    }
    assert_eq!(chat(&t, &ask(json!({}))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_filtered_answer_stops_with_content_filter() {
    let t = sandbox();
    let full = chat(&t, &ask(json!({}))).await.json();
    let full = full["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    t.sb.inject(
        "openai.chat_completions",
        Fault::times(FaultKind::AnswerFiltered, 1),
    )
    .unwrap();
    let res = chat(&t, &ask(json!({"stream": true}))).await;
    let events = events(&res.text());
    assert_eq!(events.last().unwrap(), "[DONE]");
    let finish: Value = serde_json::from_str(&events[events.len() - 2]).unwrap();
    assert_eq!(finish["choices"][0]["finish_reason"], "content_filter");
    let text: String = events[1..events.len() - 2]
        .iter()
        .map(|e| {
            let c: Value = serde_json::from_str(e).unwrap();
            c["choices"][0]["delta"]["content"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(!text.is_empty() && text.len() < full.len() && full.starts_with(&text));
}

#[tokio::test]
async fn ai_fault_kinds_apply_to_the_chat_endpoint_only() {
    let t = sandbox();
    let err =
        t.sb.inject("meta.me", Fault::always(FaultKind::StreamCut))
            .unwrap_err();
    assert!(matches!(err, SandboxError::UnsupportedFault { .. }));
    let res = t
        .post_json(
            "/_admin/faults",
            &json!({"endpoint": "openai.models", "kind": "content_filtered"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["code"], "unsupported_kind");
    let res = t
        .post_json(
            "/_admin/faults",
            &json!({"endpoint": "openai.chat_completions", "kind": "stream_cut", "times": 1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(t.sb.calls("openai.chat_completions"), 0);
}
