//! The OpenAI-compatible API (`api.openai.com/v1`): chat completions,
//! answered whole or streamed as server-sent events, and the model list.
//!
//! The wire contract is OpenAI's Chat Completions API as Herald's adapter
//! uses it, which local servers (Ollama, vLLM, llama.cpp) also speak:
//! Bearer key, `model`, `messages`, `max_tokens` / `max_completion_tokens`,
//! `stream` with `stream_options.include_usage`, and `response_format`
//! (`text`, `json_object`, `json_schema` with `strict`). Answers are
//! deterministic (see [`compose`]); errors use OpenAI's
//! `{"error":{"message","type","param","code"}}`. Every answer after the
//! key check carries the six `x-ratelimit-*` headers of the key's
//! requests and tokens buckets. `docs/platforms/ai.md` lists each rule
//! with its source.

mod compose;

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::SignedDuration;
use serde_json::{Value, json};

use crate::Sandbox;
use crate::faults::FaultKind;
use crate::meters::BucketState;
use crate::params::bearer;

const CHAT: &str = "openai.chat_completions";
const MODELS: &str = "openai.models";

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/api.openai.com/v1/chat/completions",
            post(create_chat_completion),
        )
        .route("/api.openai.com/v1/models", get(list_models))
        .route("/api.openai.com/v1/models/{model}", get(get_model))
}

/// A model the simulator serves.
struct Model {
    /// The name asked for.
    id: &'static str,
    /// The name answers carry (OpenAI answers with the dated snapshot).
    snapshot: &'static str,
    /// Prompt and answer together, in tokens.
    context: u64,
    /// The most answer tokens one request may ask for.
    max_output: u64,
    owned_by: &'static str,
    created: i64,
    /// Reasoning models refuse `max_tokens` (only `max_completion_tokens`).
    reasoning: bool,
}

const KNOWN_MODELS: &[Model] = &[
    Model {
        id: "gpt-4o-mini",
        snapshot: "gpt-4o-mini-2024-07-18",
        context: 128_000,
        max_output: 16_384,
        owned_by: "system",
        created: 1_721_172_741,
        reasoning: false,
    },
    Model {
        id: "gpt-4o",
        snapshot: "gpt-4o-2024-08-06",
        context: 128_000,
        max_output: 16_384,
        owned_by: "system",
        created: 1_715_367_049,
        reasoning: false,
    },
    Model {
        id: "o4-mini",
        snapshot: "o4-mini-2025-04-16",
        context: 200_000,
        max_output: 100_000,
        owned_by: "system",
        created: 1_744_225_351,
        reasoning: true,
    },
    // As a local server runs it with an 8K context (Ollama's `num_ctx`,
    // llama.cpp's `-c`): small enough to overflow on purpose.
    Model {
        id: "llama3.1",
        snapshot: "llama3.1",
        context: 8_192,
        max_output: 4_096,
        owned_by: "library",
        created: 1_721_606_400,
        reasoning: false,
    },
];

fn model(id: &str) -> Option<&'static Model> {
    KNOWN_MODELS.iter().find(|m| m.id == id || m.snapshot == id)
}

// ------------------------------------------------------------------ errors

fn api_error(
    status: StatusCode,
    message: impl Into<String>,
    kind: Option<&str>,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    let body = json!({"error": {
        "message": message.into(),
        "type": kind,
        "param": param,
        "code": code,
    }});
    (status, axum::Json(body)).into_response()
}

fn invalid_request(
    message: impl Into<String>,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        message,
        Some("invalid_request_error"),
        param,
        code,
    )
}

/// The key as OpenAI's refusal shows it: a few characters at each end.
fn masked(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// The 401 for a missing or wrong key, or None when the key is right.
fn check_key(sb: &Sandbox, headers: &HeaderMap) -> Option<Response> {
    match bearer(headers) {
        None => Some(api_error(
            StatusCode::UNAUTHORIZED,
            "No API key was provided. Send it in the Authorization header as a Bearer token \
             (Authorization: Bearer YOUR_KEY).",
            Some("invalid_request_error"),
            None,
            None,
        )),
        Some(key) if key == sb.config().ai.api_key => None,
        Some(key) => Some(invalid_key(&key)),
    }
}

fn invalid_key(key: &str) -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        format!(
            "Incorrect API key provided: {}. Check the key in your account's API keys page.",
            masked(key)
        ),
        Some("invalid_request_error"),
        None,
        Some("invalid_api_key"),
    )
}

fn model_not_found(id: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        format!("The model `{id}` does not exist or you do not have access to it."),
        Some("invalid_request_error"),
        None,
        Some("model_not_found"),
    )
}

/// A fault that refuses the request before any work, in OpenAI's shape.
fn fault_response(fault: FaultKind, key: &str, model_id: &str) -> Option<Response> {
    Some(match fault {
        FaultKind::RateLimited => {
            // Only the reset headers say when (added by the caller, with
            // the tokens bucket shown empty): no `retry-after`.
            api_error(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Rate limit reached for {model_id} on tokens per min (TPM). Please try again \
                     later."
                ),
                Some("tokens"),
                None,
                Some("rate_limit_exceeded"),
            )
        }
        FaultKind::QuotaExhausted => api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "You exceeded your current quota: check your plan and billing details.",
            Some("insufficient_quota"),
            None,
            Some("insufficient_quota"),
        ),
        FaultKind::ServerError => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server had an error while processing your request. Sorry about that!",
            Some("server_error"),
            None,
            None,
        ),
        FaultKind::ExpiredToken | FaultKind::RevokedToken => invalid_key(key),
        FaultKind::MissingPermission => api_error(
            StatusCode::FORBIDDEN,
            format!("This project does not have access to model `{model_id}`."),
            Some("invalid_request_error"),
            None,
            Some("model_not_found"),
        ),
        FaultKind::ContentFiltered => {
            // Azure OpenAI's answer to a flagged prompt (OpenAI's own API
            // refuses in the answer instead; both reach the same class).
            let body = json!({"error": {
                "message": "The response was filtered due to the prompt triggering the content \
                            management policy. Please modify your prompt and retry.",
                "type": null,
                "param": "prompt",
                "code": "content_filter",
                "status": 400,
                "innererror": {
                    "code": "ResponsibleAIPolicyViolation",
                    "content_filter_result": {
                        "hate": {"filtered": false, "severity": "safe"},
                        "self_harm": {"filtered": false, "severity": "safe"},
                        "sexual": {"filtered": false, "severity": "safe"},
                        "violence": {"filtered": true, "severity": "medium"},
                    },
                },
            }});
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
        FaultKind::Slow { .. }
        | FaultKind::ResponseLost
        | FaultKind::AnswerFiltered
        | FaultKind::StreamCut => return None,
    })
}

// ------------------------------------------------------------ rate limits

/// The key's requests and tokens buckets, charged `tokens` (and one
/// request) when `charge`, else only looked at.
fn buckets(sb: &Sandbox, key: &str, charge: Option<u64>) -> (BucketState, BucketState, bool) {
    let limits = &sb.config().limits;
    let minute = SignedDuration::from_mins(1);
    let requests_key = format!("openai:req:{key}");
    let tokens_key = format!("openai:tok:{key}");
    let (req_cost, tok_cost) = match charge {
        Some(t) => (1, t),
        None => (0, 0),
    };
    let now = sb.now();
    let (states, ok) = sb.meters(|m| {
        m.take_all(
            now,
            &[
                (
                    &requests_key,
                    u64::from(limits.openai_requests_per_minute),
                    minute,
                    req_cost,
                ),
                (
                    &tokens_key,
                    u64::from(limits.openai_tokens_per_minute),
                    minute,
                    tok_cost,
                ),
            ],
        )
    });
    (states[0], states[1], ok)
}

/// A duration as OpenAI's reset headers write it (Go's style): `20ms`,
/// `1s`, `8.64s`, `6m0s`, `1h2m3s`.
pub(crate) fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let frac = ms % 1000;
    let sec_part = |s: u128| {
        if frac == 0 {
            format!("{s}s")
        } else {
            let f = format!("{frac:03}");
            format!("{s}.{}s", f.trim_end_matches('0'))
        }
    };
    if secs < 60 {
        return sec_part(secs);
    }
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{}", sec_part(s))
    } else {
        format!("{m}m{}", sec_part(s))
    }
}

fn put(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(name, v);
    }
}

fn rate_headers(response: &mut Response, requests: &BucketState, tokens: &BucketState) {
    let h = response.headers_mut();
    put(
        h,
        "x-ratelimit-limit-requests",
        requests.capacity.to_string(),
    );
    put(h, "x-ratelimit-limit-tokens", tokens.capacity.to_string());
    put(
        h,
        "x-ratelimit-remaining-requests",
        requests.remaining.to_string(),
    );
    put(
        h,
        "x-ratelimit-remaining-tokens",
        tokens.remaining.to_string(),
    );
    put(
        h,
        "x-ratelimit-reset-requests",
        go_duration(requests.full_in),
    );
    put(h, "x-ratelimit-reset-tokens", go_duration(tokens.full_in));
}

fn request_headers(response: &mut Response, started: std::time::Instant) {
    let id: [u8; 16] = rand::random();
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let h = response.headers_mut();
    put(h, "x-request-id", format!("req_{id}"));
    put(h, "openai-version", "2020-10-01".to_owned());
    put(
        h,
        "openai-processing-ms",
        started.elapsed().as_millis().to_string(),
    );
}

// ------------------------------------------------------------------ models

async fn list_models(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    let fault = sb.hit(MODELS).await;
    if let Some(r) = check_key(&sb, &headers) {
        return r;
    }
    if let Some(r) = fault.and_then(|f| fault_response(f, "", "")) {
        return r;
    }
    let data: Vec<Value> = KNOWN_MODELS.iter().map(model_json).collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn get_model(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit(MODELS).await;
    if let Some(r) = check_key(&sb, &headers) {
        return r;
    }
    if let Some(r) = fault.and_then(|f| fault_response(f, "", &id)) {
        return r;
    }
    match model(&id) {
        Some(m) => axum::Json(model_json(m)).into_response(),
        None => model_not_found(&id),
    }
}

fn model_json(m: &Model) -> Value {
    json!({"id": m.id, "object": "model", "created": m.created, "owned_by": m.owned_by})
}

// -------------------------------------------------------- chat completions

/// What a valid request asks for.
struct Ask {
    model: &'static Model,
    messages: Vec<(String, String)>,
    stream: bool,
    include_usage: bool,
    /// The answer's token limit, as asked.
    max_tokens: Option<u64>,
    schema: Option<Value>,
}

async fn create_chat_completion(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let fault = sb.hit(CHAT).await;
    if let Some(r) = check_key(&sb, &headers) {
        return r;
    }
    let key = bearer(&headers).unwrap_or_default();
    let (mut response, requests, tokens) = chat(&sb, &key, fault, &body).await;
    rate_headers(&mut response, &requests, &tokens);
    request_headers(&mut response, started);
    response
}

/// The answer and the key's buckets after it.
async fn chat(
    sb: &Sandbox,
    key: &str,
    fault: Option<FaultKind>,
    body: &[u8],
) -> (Response, BucketState, BucketState) {
    let look = |r: Response| {
        let (req, tok, _) = buckets(sb, key, None);
        (r, req, tok)
    };
    let ask = match parse(body) {
        Ok(ask) => ask,
        Err(r) => return look(r),
    };
    if let Some(f) = fault
        && let Some(r) = fault_response(f, key, ask.model.id)
    {
        let (req, mut tok, _) = buckets(sb, key, None);
        if f == FaultKind::RateLimited {
            // The tokens bucket shown empty: full again in a minute.
            tok.remaining = 0;
            tok.full_in = Duration::from_secs(60);
        }
        return (r, req, tok);
    }
    let prompt_tokens =
        compose::prompt_tokens(ask.messages.iter().map(|(r, c)| (r.as_str(), c.as_str())));
    let asked = ask.max_tokens.unwrap_or(0);
    if prompt_tokens + asked > ask.model.context {
        let message = if ask.max_tokens.is_some() {
            format!(
                "This model's maximum context length is {} tokens. However, you requested {} \
                 tokens ({prompt_tokens} in the messages, {asked} in the completion). Please \
                 reduce the length of the messages or completion.",
                ask.model.context,
                prompt_tokens + asked
            )
        } else {
            format!(
                "This model's maximum context length is {} tokens. However, your messages \
                 resulted in {prompt_tokens} tokens. Please reduce the length of the messages.",
                ask.model.context
            )
        };
        return look(invalid_request(
            message,
            Some("messages"),
            Some("context_length_exceeded"),
        ));
    }
    let (requests, tokens, ok) = buckets(sb, key, Some(prompt_tokens + asked));
    if !ok {
        let (which, state, limit) = if requests.retry_in.is_some() || requests.remaining == 0 {
            ("requests per min (RPM)", requests, requests.capacity)
        } else {
            ("tokens per min (TPM)", tokens, tokens.capacity)
        };
        let mut r = match state.retry_in {
            Some(wait) => api_error(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Rate limit reached for {} on {which}: Limit {limit}. Please try again in \
                     {}.",
                    ask.model.id,
                    go_duration(wait)
                ),
                Some(if which.starts_with("requests") {
                    "requests"
                } else {
                    "tokens"
                }),
                None,
                Some("rate_limit_exceeded"),
            ),
            None => api_error(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Request too large for {} on {which}: Limit {limit}, Requested {}.",
                    ask.model.id,
                    prompt_tokens + asked
                ),
                Some("tokens"),
                None,
                Some("rate_limit_exceeded"),
            ),
        };
        if let Some(wait) = state.retry_in {
            let secs = wait.as_millis().div_ceil(1000).max(1);
            put(r.headers_mut(), "retry-after", secs.to_string());
        }
        return (r, requests, tokens);
    }
    let response = answer(sb, &ask, prompt_tokens, fault).await;
    (response, requests, tokens)
}

/// Reads and checks the request body as OpenAI does.
fn parse(body: &[u8]) -> Result<Ask, Response> {
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid_request(
            "The request body is not valid JSON: send a JSON object (Content-Type: \
             application/json).",
            None,
            None,
        ));
    };
    let Some(model_id) = req.get("model").and_then(Value::as_str) else {
        return Err(invalid_request(
            "You must provide a model parameter.",
            Some("model"),
            Some("missing_required_parameter"),
        ));
    };
    let Some(model) = model(model_id) else {
        return Err(model_not_found(model_id));
    };
    let messages = match req.get("messages") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) => {
            return Err(invalid_request(
                "Invalid 'messages': empty array. Expected an array with minimum length 1.",
                Some("messages"),
                Some("empty_array"),
            ));
        }
        Some(_) => {
            return Err(invalid_request(
                "Invalid type for 'messages': expected an array of objects.",
                Some("messages"),
                Some("invalid_type"),
            ));
        }
        None => {
            return Err(invalid_request(
                "Missing required parameter: 'messages'.",
                Some("messages"),
                Some("missing_required_parameter"),
            ));
        }
    };
    let mut read = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str).unwrap_or("");
        if !["system", "developer", "user", "assistant", "tool"].contains(&role) {
            return Err(invalid_request(
                format!(
                    "Invalid value for 'messages[{i}].role': expected one of 'system', \
                     'developer', 'user', 'assistant' or 'tool'."
                ),
                Some(&format!("messages[{i}].role")),
                Some("invalid_value"),
            ));
        }
        let content = match m.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
            Some(Value::Null) | None if role == "assistant" => String::new(),
            _ => {
                return Err(invalid_request(
                    format!(
                        "Invalid type for 'messages[{i}].content': expected a string or an array of content parts."
                    ),
                    Some(&format!("messages[{i}].content")),
                    Some("invalid_type"),
                ));
            }
        };
        read.push((role.to_owned(), content));
    }
    let stream = req.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let include_usage = match req.get("stream_options") {
        None | Some(Value::Null) => false,
        Some(_) if !stream => {
            return Err(invalid_request(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                Some("stream_options"),
                Some("invalid_value"),
            ));
        }
        Some(o) => o
            .get("include_usage")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let mut max_tokens = None;
    for name in ["max_tokens", "max_completion_tokens"] {
        match req.get(name) {
            None | Some(Value::Null) => {}
            Some(v) => {
                if name == "max_tokens" && model.reasoning {
                    return Err(invalid_request(
                        "Unsupported parameter: 'max_tokens' is not supported with this model. \
                         Use 'max_completion_tokens' instead.",
                        Some("max_tokens"),
                        Some("unsupported_parameter"),
                    ));
                }
                let Some(n) = v.as_u64().filter(|n| *n >= 1) else {
                    return Err(invalid_request(
                        format!("Invalid '{name}': expected an integer of at least 1."),
                        Some(name),
                        Some("invalid_value"),
                    ));
                };
                if n > model.max_output {
                    return Err(invalid_request(
                        format!(
                            "{name} is too large: {n}. This model supports at most {} \
                             completion tokens, whereas you provided {n}.",
                            model.max_output
                        ),
                        Some(name),
                        Some("invalid_value"),
                    ));
                }
                // `max_completion_tokens` wins when both are sent.
                if name == "max_completion_tokens" || max_tokens.is_none() {
                    max_tokens = Some(n);
                }
            }
        }
    }
    let schema = match req.get("response_format") {
        None | Some(Value::Null) => None,
        Some(format) => response_format(format)?,
    };
    Ok(Ask {
        model,
        messages: read,
        stream,
        include_usage,
        max_tokens,
        schema,
    })
}

/// The schema `response_format` asks for (None: free text or any JSON).
fn response_format(format: &Value) -> Result<Option<Value>, Response> {
    match format.get("type").and_then(Value::as_str) {
        Some("text") => Ok(None),
        Some("json_object") => Ok(Some(json!({"type": "object", "properties": {
            "text": {"type": "string"}
        }}))),
        Some("json_schema") => {
            let spec = format.get("json_schema");
            let name = spec.and_then(|s| s.get("name")).and_then(Value::as_str);
            let Some(name) = name else {
                return Err(invalid_request(
                    "Missing required parameter: 'response_format.json_schema.name'.",
                    Some("response_format.json_schema.name"),
                    Some("missing_required_parameter"),
                ));
            };
            if name.is_empty()
                || name.len() > 64
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(invalid_request(
                    "Invalid 'response_format.json_schema.name': use letters, digits, '_' and \
                     '-', at most 64 characters.",
                    Some("response_format.json_schema.name"),
                    Some("invalid_value"),
                ));
            }
            let schema = spec
                .and_then(|s| s.get("schema"))
                .cloned()
                .unwrap_or_else(|| json!({"type": "object"}));
            let strict = spec
                .and_then(|s| s.get("strict"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if strict && let Err(problem) = strict_problem(&schema, "") {
                return Err(invalid_request(
                    format!("Invalid schema for response_format '{name}': {problem}"),
                    Some("response_format"),
                    Some("invalid_json_schema"),
                ));
            }
            Ok(Some(schema))
        }
        _ => Err(invalid_request(
            "Invalid value for 'response_format.type': expected 'text', 'json_object' or \
             'json_schema'.",
            Some("response_format.type"),
            Some("invalid_value"),
        )),
    }
}

/// Structured outputs' strict mode: the root is an object, and every
/// object lists all its properties as required and allows no others.
fn strict_problem(schema: &Value, at: &str) -> Result<(), String> {
    if at.is_empty() && schema.get("type").and_then(Value::as_str) != Some("object") {
        return Err("the root must be an object ('type': 'object').".into());
    }
    let Some(obj) = schema.as_object() else {
        return Ok(());
    };
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        if obj.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Err(format!(
                "in context=({at}), 'additionalProperties' is required to be supplied and to be \
                 false."
            ));
        }
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(missing) = props.keys().find(|k| !required.contains(&k.as_str())) {
            return Err(format!(
                "in context=({at}), 'required' is required to be supplied and to be an array \
                 including every key in properties. Missing '{missing}'."
            ));
        }
        for (name, sub) in props {
            strict_problem(sub, &format!("{at}/properties/{name}"))?;
        }
    }
    if let Some(items) = obj.get("items") {
        strict_problem(items, &format!("{at}/items"))?;
    }
    for key in ["$defs", "definitions"] {
        if let Some(defs) = obj.get(key).and_then(Value::as_object) {
            for (name, sub) in defs {
                strict_problem(sub, &format!("{at}/{key}/{name}"))?;
            }
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = obj.get(key).and_then(Value::as_array) {
            for (i, sub) in branches.iter().enumerate() {
                strict_problem(sub, &format!("{at}/{key}/{i}"))?;
            }
        }
    }
    Ok(())
}

/// How the answer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Stop,
    Length,
    ContentFilter,
    /// The connection breaks mid-answer.
    Cut,
}

async fn answer(sb: &Sandbox, ask: &Ask, prompt_tokens: u64, fault: Option<FaultKind>) -> Response {
    // The seed: everything that shapes the answer, nothing that varies.
    let mut seed = Vec::with_capacity(256);
    seed.extend_from_slice(ask.model.id.as_bytes());
    for (role, content) in &ask.messages {
        seed.push(0);
        seed.extend_from_slice(role.as_bytes());
        seed.push(0);
        seed.extend_from_slice(content.as_bytes());
    }
    if let Some(schema) = &ask.schema {
        seed.extend_from_slice(schema.to_string().as_bytes());
    }
    let system: String = ask
        .messages
        .iter()
        .filter(|(r, _)| r == "system" || r == "developer")
        .map(|(_, c)| c.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let user = ask
        .messages
        .iter()
        .rev()
        .find(|(r, _)| r == "user")
        .map_or("", |(_, c)| c.as_str());
    let text = compose::answer(&seed, &system, user, ask.schema.as_ref());
    let all = compose::pieces(&text);
    let limit = ask.max_tokens.unwrap_or(ask.model.max_output) as usize;
    let (kept, end) = match fault {
        Some(FaultKind::AnswerFiltered) => (&all[..all.len() / 2], End::ContentFilter),
        Some(FaultKind::StreamCut) => (&all[..all.len() / 2], End::Cut),
        _ if all.len() > limit => (&all[..limit], End::Length),
        _ => (&all[..], End::Stop),
    };
    let latency = sb.config().ai.latency;
    if latency.first_token_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency.first_token_ms)).await;
    }
    let id = {
        let bytes: [u8; 15] = rand::random();
        let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("chatcmpl-{}", &s[..29])
    };
    let done = Done {
        id,
        created: sb.now().as_second(),
        model: ask.model.snapshot,
        fingerprint: if ask.model.owned_by == "library" {
            "fp_ollama"
        } else {
            "fp_5a2c8f3b1e"
        },
        prompt_tokens,
        completion_tokens: kept.len() as u64,
        end,
        include_usage: ask.include_usage,
    };
    if ask.stream {
        stream(&done, kept, latency.per_token_ms)
    } else {
        if latency.per_token_ms > 0 {
            let total = latency.per_token_ms.saturating_mul(kept.len() as u64);
            tokio::time::sleep(Duration::from_millis(total)).await;
        }
        whole(&done, &kept.concat())
    }
}

/// What every part of one answer shares.
struct Done {
    id: String,
    created: i64,
    model: &'static str,
    fingerprint: &'static str,
    prompt_tokens: u64,
    completion_tokens: u64,
    end: End,
    include_usage: bool,
}

impl Done {
    fn usage(&self) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0
            }
        })
    }

    fn finish_reason(&self) -> Value {
        match self.end {
            End::Stop => json!("stop"),
            End::Length => json!("length"),
            End::ContentFilter => json!("content_filter"),
            End::Cut => Value::Null,
        }
    }

    /// One `chat.completion.chunk` event.
    fn chunk(&self, delta: Value, finish: Value, usage: Option<Value>) -> String {
        let choices = if delta.is_null() {
            json!([])
        } else {
            json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}])
        };
        let mut chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": self.fingerprint,
            "choices": choices,
        });
        if self.include_usage {
            chunk["usage"] = usage.unwrap_or(Value::Null);
        }
        format!("data: {chunk}\n\n")
    }
}

/// The non-streamed answer (`chat.completion`). A cut answer breaks the
/// connection after the headers.
fn whole(done: &Done, text: &str) -> Response {
    if done.end == End::Cut {
        let broken = futures_util::stream::once(async {
            Err::<Bytes, _>(std::io::Error::other("sandbox: stream cut"))
        });
        return Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(broken))
            .unwrap_or_default();
    }
    axum::Json(json!({
        "id": done.id,
        "object": "chat.completion",
        "created": done.created,
        "model": done.model,
        "system_fingerprint": done.fingerprint,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text, "refusal": null},
            "logprobs": null,
            "finish_reason": done.finish_reason(),
        }],
        "usage": done.usage(),
    }))
    .into_response()
}

/// The streamed answer: the role first, one chunk per token, the finish
/// reason, the usage (when asked), `[DONE]`. Zero latency sends it as one
/// body.
fn stream(done: &Done, pieces: &[&str], per_token_ms: u64) -> Response {
    let mut events: Vec<String> = Vec::with_capacity(pieces.len() + 4);
    events.push(done.chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
        None,
    ));
    for piece in pieces {
        events.push(done.chunk(json!({"content": piece}), Value::Null, None));
    }
    let cut = done.end == End::Cut;
    if !cut {
        events.push(done.chunk(json!({}), done.finish_reason(), None));
        if done.include_usage {
            events.push(done.chunk(Value::Null, Value::Null, Some(done.usage())));
        }
        events.push("data: [DONE]\n\n".to_owned());
    }
    let body = if per_token_ms == 0 && !cut {
        Body::from(events.concat())
    } else {
        let pause = Duration::from_millis(per_token_ms);
        let items = events
            .into_iter()
            .map(|e| Ok::<_, std::io::Error>(Bytes::from(e)))
            .chain(cut.then(|| Err(std::io::Error::other("sandbox: stream cut"))));
        let paced =
            futures_util::stream::unfold((items, true), move |(mut items, first)| async move {
                let next = items.next()?;
                if !first && !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
                Some((next, (items, false)))
            });
        Body::from_stream(paced)
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_as_openai_writes_them() {
        assert_eq!(go_duration(Duration::from_millis(20)), "20ms");
        assert_eq!(go_duration(Duration::from_secs(1)), "1s");
        assert_eq!(go_duration(Duration::from_millis(8_640)), "8.64s");
        assert_eq!(go_duration(Duration::from_secs(360)), "6m0s");
        assert_eq!(go_duration(Duration::from_secs(3_723)), "1h2m3s");
    }

    #[test]
    fn keys_are_masked_in_refusals() {
        let key = "sk-sandbox-0123456789abcdef";
        let shown = masked(key);
        assert!(!shown.contains(key));
        assert!(shown.starts_with("sk-") && shown.ends_with("cdef"));
        assert_eq!(masked("short"), "*****");
    }

    #[test]
    fn strict_mode_wants_every_property_required_and_no_others() {
        let ok = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false});
        assert!(strict_problem(&ok, "").is_ok());
        let open =
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]});
        assert!(strict_problem(&open, "").is_err());
        let optional = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": [], "additionalProperties": false});
        assert!(strict_problem(&optional, "").is_err());
        assert!(strict_problem(&json!({"type": "array"}), "").is_err());
    }
}
