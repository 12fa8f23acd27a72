//! The OpenAI-compatible adapter: chat completions of any server that
//! speaks OpenAI's Chat Completions API — OpenAI itself, Ollama (`/v1`),
//! vLLM and llama.cpp's server — streamed, with structured output.
//!
//! One call is one `POST {base}/chat/completions` with `stream: true` and
//! `stream_options.include_usage`; each content delta goes to
//! [`Progress`] as it arrives. What every one of the four servers accepts
//! decides the request's shape (`docs/platforms/ai.md` has the sources):
//! `max_tokens` (Ollama documents no `max_completion_tokens`, llama.cpp
//! reads `max_tokens`; OpenAI's reasoning models refuse it, and that one
//! refusal makes the adapter resend with `max_completion_tokens` and keep
//! using it), and `response_format: {type: "json_schema", json_schema:
//! {name, schema, strict: true}}`, OpenAI's form, which llama.cpp, Ollama
//! and vLLM read too.
//!
//! The adapter never retries a failed generation: a retry costs tokens
//! (and money) again, and only the job queue knows how many attempts a
//! generation has had, so it retries the retryable classes
//! ([`EngineError::retryable`]) after the wait the service asked for. The
//! one resend above is not a retry: the service refused before doing any
//! work.
//!
//! A server that reports no usage (older local servers) gets an estimate:
//! four characters a token, plus four per message for the prompt, and at
//! least one token for a non-empty answer, so nothing is ever free by
//! accident.
//!
//! The API key is sent as a Bearer header only; it never appears in an
//! error (any echo of it by the server is scrubbed) nor in `Debug`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{
    ContentGenerationEngine, EngineError, EngineInfo, Generated, Progress, Request, Usage,
};

/// How to reach an OpenAI-compatible server.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// The API's base, up to and including its version segment:
    /// `https://api.openai.com/v1`, `http://localhost:11434/v1` (Ollama),
    /// `http://localhost:8000/v1` (vLLM), `http://localhost:8080/v1`
    /// (llama.cpp).
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`; local servers may need none.
    pub api_key: Option<String>,
    /// The model to ask, as the server names it (`gpt-4o-mini`,
    /// `llama3.1`, …).
    pub model: String,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for the answer to start (headers and first bytes), and
    /// the longest silence between two pieces of a streamed answer.
    pub first_byte_timeout: Duration,
    /// Longest a whole generation may take.
    pub total_timeout: Duration,
}

impl OpenAiConfig {
    /// `base_url` and `model` with no key, 10 s to connect, 60 s to the
    /// first byte (a local server may be loading the model), 5 min in all.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> OpenAiConfig {
        OpenAiConfig {
            base_url: base_url.into(),
            api_key: None,
            model: model.into(),
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(300),
        }
    }
}

impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("model", &self.model)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("total_timeout", &self.total_timeout)
            .finish()
    }
}

/// Why an adapter could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum OpenAiConfigError {
    #[error(
        "the AI base URL {url:?} is not an http(s) URL (like https://api.openai.com/v1 or http://localhost:11434/v1): {reason}"
    )]
    BadUrl { url: String, reason: String },
    #[error("the AI model is empty: name the model to use (like gpt-4o-mini or llama3.1)")]
    NoModel,
    #[error("the AI API key is not usable in an HTTP header")]
    BadKey,
    #[error("the HTTP client could not be built")]
    Client(#[source] reqwest::Error),
}

/// The engine. Cheap to share behind an `Arc`.
pub struct OpenAiCompatible {
    http: reqwest::Client,
    /// `{base}/chat/completions`.
    endpoint: String,
    config: OpenAiConfig,
    /// Set once the server refused `max_tokens` for
    /// `max_completion_tokens` (OpenAI's reasoning models).
    completion_tokens_param: AtomicBool,
}

impl std::fmt::Debug for OpenAiCompatible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiCompatible")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The largest answer read, in bytes of text (a runaway stream stops).
const MAX_ANSWER: usize = 4 << 20;
/// The most of an error body read.
const MAX_ERROR_BODY: usize = 64 << 10;

impl OpenAiCompatible {
    pub fn new(config: OpenAiConfig) -> Result<OpenAiCompatible, OpenAiConfigError> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        let bad = |reason: &str| OpenAiConfigError::BadUrl {
            url: without_userinfo(&config.base_url),
            reason: reason.to_owned(),
        };
        let url = reqwest::Url::parse(&base).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "it holds credentials; give the key as the API key instead",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not have a query or a fragment"));
        }
        if config.model.trim().is_empty() {
            return Err(OpenAiConfigError::NoModel);
        }
        if let Some(key) = &config.api_key
            && reqwest::header::HeaderValue::from_str(&format!("Bearer {key}")).is_err()
        {
            return Err(OpenAiConfigError::BadKey);
        }
        // reqwest is built without a bundled crypto provider; use ring, which
        // the tree already has. A second install (another client) is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.first_byte_timeout)
            .timeout(config.total_timeout)
            // An API does not redirect; following one could send the
            // prompt somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(OpenAiConfigError::Client)?;
        Ok(OpenAiCompatible {
            http,
            endpoint: format!("{base}/chat/completions"),
            config: OpenAiConfig {
                base_url: base,
                ..config
            },
            completion_tokens_param: AtomicBool::new(false),
        })
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }

    fn body(&self, request: &Request, completion_tokens_param: bool) -> Value {
        let mut body = json!({
            "model": self.config.model,
            "messages": request.messages,
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        let limit = if completion_tokens_param {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[limit] = json!(request.max_output_tokens);
        if let Some(schema) = &request.schema {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": schema.name, "schema": schema.schema, "strict": true},
            });
        }
        body
    }

    async fn call(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
        completion_tokens_param: bool,
    ) -> Result<Generated, Failure> {
        let mut call = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .json(&self.body(request, completion_tokens_param));
        if let Some(key) = &self.config.api_key {
            call = call.bearer_auth(key);
        }
        let mut response = call.send().await.map_err(|e| transport(&e, false))?;
        let status = response.status();
        if !status.is_success() {
            let headers = response.headers().clone();
            let body = read_limited(&mut response, MAX_ERROR_BODY).await?;
            let error = ApiError::read(&body);
            if status.as_u16() == 400 && error.wants_completion_tokens() {
                return Err(Failure::UseCompletionTokens);
            }
            return Err(Failure::Engine(self.classify(
                status.as_u16(),
                &headers,
                &error,
            )));
        }
        let json_answer = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
        let mut answer = Answer::default();
        if json_answer {
            // The server ignored `stream` and answered whole.
            let body = read_limited(&mut response, MAX_ANSWER).await?;
            answer.read_whole(&body, |e| self.scrub(e))?;
            if !answer.text.is_empty() && progress.text(&answer.text).await.is_err() {
                return Err(Failure::Engine(EngineError::Cancelled));
            }
        } else {
            let mut events = SseReader::default();
            'read: loop {
                let chunk = match response.chunk().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break,
                    Err(e) => {
                        if answer.finish.is_some() {
                            // Only the closing `[DONE]` was lost.
                            break;
                        }
                        return Err(transport(&e, true));
                    }
                };
                for data in events.push(&chunk) {
                    match answer.event(&data, |e| self.scrub(e))? {
                        Step::More => {}
                        Step::Delta(delta) => {
                            if progress.text(&delta).await.is_err() {
                                return Err(Failure::Engine(EngineError::Cancelled));
                            }
                        }
                        Step::Done => break 'read,
                    }
                    if answer.text.len() > MAX_ANSWER {
                        return Err(malformed("the answer is larger than 4 MiB"));
                    }
                }
            }
            if !answer.done {
                if let Some(data) = events.finish()
                    && let Step::Delta(delta) = answer.event(&data, |e| self.scrub(e))?
                    && progress.text(&delta).await.is_err()
                {
                    return Err(Failure::Engine(EngineError::Cancelled));
                }
                if answer.finish.is_none() {
                    // Neither a finish reason nor `[DONE]`: the connection
                    // ended mid-answer. The service did not finish the work,
                    // so it is an outage a later attempt may not meet.
                    return Err(Failure::Engine(EngineError::Unavailable {
                        detail: "the answer stream ended before the answer was complete".into(),
                    }));
                }
            }
        }
        answer.into_generated(request, &self.config.model)
    }

    fn classify(
        &self,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        e: &ApiError,
    ) -> EngineError {
        let detail = self.scrub(&e.detail(status));
        let code = e.code.as_str();
        let kind = e.kind.as_str();
        if code == "insufficient_quota" || kind == "insufficient_quota" {
            // A 429 that waiting does not cure: billing.
            return EngineError::Rejected {
                detail: format!("the account's quota or credit is used up: {detail}"),
            };
        }
        if status == 429 {
            return EngineError::RateLimited {
                retry_after: retry_after(headers, jiff::Timestamp::now()),
                detail,
            };
        }
        if code == "context_length_exceeded"
            || kind == "exceed_context_size_error"
            || says_context_too_long(&e.message)
        {
            return EngineError::ContextTooLong { detail };
        }
        if matches!(code, "content_filter" | "content_policy_violation") || kind == "content_filter"
        {
            return EngineError::ContentFiltered;
        }
        match status {
            401 | 403 => EngineError::Unauthorized { detail },
            408 => EngineError::Timeout,
            500..=599 => EngineError::Unavailable { detail },
            400..=499 => EngineError::Rejected { detail },
            300..=399 => EngineError::Rejected {
                detail: format!(
                    "the server redirected ({status}); set the base URL to where the API is"
                ),
            },
            _ => EngineError::Malformed { detail },
        }
    }

    /// `text` without the API key (servers echo it, masked or not).
    fn scrub(&self, text: &str) -> String {
        let mut out = match &self.config.api_key {
            Some(key) if !key.is_empty() => text.replace(key.as_str(), "[redacted]"),
            _ => text.to_owned(),
        };
        // OpenAI-style keys (`sk-…`) in any form, masked ones included.
        while let Some(at) = out.find("sk-") {
            let end = out[at..]
                .find(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | '"' | '\'' | ')'))
                .map_or(out.len(), |i| at + i);
            out.replace_range(at..end, "[redacted]");
        }
        out
    }
}

#[async_trait]
impl ContentGenerationEngine for OpenAiCompatible {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            engine: "openai_compatible".into(),
            model: self.config.model.clone(),
            ai: true,
        }
    }

    async fn generate(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
    ) -> Result<Generated, EngineError> {
        let completion_tokens = self.completion_tokens_param.load(Ordering::Relaxed);
        match self.call(request, progress, completion_tokens).await {
            Ok(g) => Ok(g),
            Err(Failure::UseCompletionTokens) if !completion_tokens => {
                self.completion_tokens_param.store(true, Ordering::Relaxed);
                tracing::info!(
                    model = %self.config.model,
                    "the AI service wants max_completion_tokens; using it from now on"
                );
                self.call(request, progress, true)
                    .await
                    .map_err(Failure::into_engine)
            }
            Err(f) => Err(f.into_engine()),
        }
    }
}

/// What went wrong in one call.
enum Failure {
    Engine(EngineError),
    /// 400: `max_tokens` is not supported, `max_completion_tokens` is.
    UseCompletionTokens,
}

impl Failure {
    fn into_engine(self) -> EngineError {
        match self {
            Failure::Engine(e) => e,
            Failure::UseCompletionTokens => EngineError::Rejected {
                detail: "the server refuses both max_tokens and max_completion_tokens".into(),
            },
        }
    }
}

/// `url` with any `user:password@` cut out (it may hold a secret).
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{prefix}[redacted]@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

fn malformed(detail: &str) -> Failure {
    Failure::Engine(EngineError::Malformed {
        detail: detail.to_owned(),
    })
}

/// A transport failure, in words that hold no URL (a base URL may carry
/// an internal host name worth keeping out of stored errors).
fn transport(e: &reqwest::Error, answering: bool) -> Failure {
    Failure::Engine(if e.is_timeout() {
        EngineError::Timeout
    } else if e.is_connect() {
        EngineError::Unavailable {
            detail: "could not connect to the AI service".into(),
        }
    } else if e.is_builder() {
        EngineError::Rejected {
            detail: "the request could not be built".into(),
        }
    } else if answering {
        EngineError::Unavailable {
            detail: "the connection broke during the answer".into(),
        }
    } else {
        EngineError::Unavailable {
            detail: "the connection to the AI service failed before an answer".into(),
        }
    })
}

async fn read_limited(response: &mut reqwest::Response, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= limit {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return Err(transport(&e, true)),
        }
    }
    Ok(body)
}

/// The `error` object of an OpenAI-style refusal, from any of the shapes
/// compatible servers use: `{"error":{"message","type","param","code"}}`
/// (OpenAI, llama.cpp, Ollama's `/v1`, current vLLM; `code` may be a
/// number), `{"object":"error","message","type","code"}` (older vLLM),
/// `{"error":"text"}` (Ollama's native errors).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ApiError {
    message: String,
    kind: String,
    code: String,
    param: String,
}

impl ApiError {
    fn read(body: &[u8]) -> ApiError {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            let text = String::from_utf8_lossy(body);
            return ApiError {
                message: text.trim().chars().take(300).collect(),
                ..ApiError::default()
            };
        };
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let obj = match value.get("error") {
            Some(Value::String(s)) => {
                return ApiError {
                    message: s.clone(),
                    ..ApiError::default()
                };
            }
            Some(e @ Value::Object(_)) => e,
            _ => &value,
        };
        ApiError {
            message: text(obj.get("message")),
            kind: text(obj.get("type")),
            code: text(obj.get("code")),
            param: text(obj.get("param")),
        }
    }

    fn detail(&self, status: u16) -> String {
        let mut d = format!("HTTP {status}");
        let code = if self.code.is_empty() || self.code == status.to_string() {
            &self.kind
        } else {
            &self.code
        };
        if !code.is_empty() {
            d.push_str(&format!(" {code}"));
        }
        if !self.message.is_empty() {
            let message: String = self.message.chars().take(300).collect();
            d.push_str(&format!(": {message}"));
        }
        d
    }

    /// OpenAI's reasoning models: `max_tokens` refused for
    /// `max_completion_tokens`.
    fn wants_completion_tokens(&self) -> bool {
        (self.param == "max_tokens" && self.code == "unsupported_parameter")
            || (self.message.contains("max_tokens")
                && self.message.contains("max_completion_tokens")
                && self.message.to_ascii_lowercase().contains("not supported"))
    }
}

/// Whether a refusal's words say the prompt does not fit the model's
/// context, as the servers word it: OpenAI and vLLM "maximum context
/// length is …", llama.cpp "exceeds the available context size", Ollama
/// "… context length …"; and the generic forms.
fn says_context_too_long(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "maximum context length",
        "context length exceeded",
        "exceeds the context length",
        "exceeds the available context",
        "exceed context",
        "context window",
        "context_length_exceeded",
        "prompt is too long",
        "input is too long",
        "too many tokens",
        "longer than the model's context",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// How long a 429 asks to wait: `retry-after-ms`, `retry-after` (seconds
/// or an HTTP date), else the `x-ratelimit-reset-*` of the exhausted limit
/// (OpenAI's durations: `1s`, `6m0s`, `20ms`).
pub(crate) fn retry_after(
    headers: &reqwest::header::HeaderMap,
    now: jiff::Timestamp,
) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    if let Some(v) = get("retry-after") {
        if let Ok(secs) = v.parse::<f64>()
            && secs.is_finite()
            && secs >= 0.0
        {
            return Some(Duration::from_secs_f64(secs));
        }
        static HTTP_DATE: jiff::fmt::rfc2822::DateTimeParser =
            jiff::fmt::rfc2822::DateTimeParser::new();
        if let Ok(at) = HTTP_DATE.parse_timestamp(v) {
            let wait = at.duration_since(now);
            return Some(Duration::try_from(wait).unwrap_or(Duration::ZERO));
        }
    }
    let exhausted = |which: &str| get(&format!("x-ratelimit-remaining-{which}")) == Some("0");
    let reset =
        |which: &str| get(&format!("x-ratelimit-reset-{which}")).and_then(parse_go_duration);
    let (requests, tokens) = (reset("requests"), reset("tokens"));
    match (exhausted("requests"), exhausted("tokens")) {
        (true, false) => requests.or(tokens),
        (false, true) => tokens.or(requests),
        _ => requests.max(tokens),
    }
}

/// A duration as Go prints it (`1h2m3.5s`, `6m0s`, `20ms`, `1.5µs`); a bare
/// number is seconds.
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let mut total = 0f64;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" | "μs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    total.is_finite().then(|| Duration::from_secs_f64(total))
}

/// Splits a server-sent event stream into the data of its events.
#[derive(Default)]
struct SseReader {
    buffer: Vec<u8>,
    data: Option<String>,
}

impl SseReader {
    /// Feeds bytes; returns the data of every event they completed.
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buffer.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(nl) = self.buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            self.line(line, &mut out);
        }
        out
    }

    fn line(&mut self, line: &str, out: &mut Vec<String>) {
        if line.is_empty() {
            if let Some(data) = self.data.take() {
                out.push(data);
            }
            return;
        }
        if let Some(rest) = line.strip_prefix("data:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(rest);
                }
                None => self.data = Some(rest.to_owned()),
            }
        }
        // `event:`, `id:`, `retry:` and `:` comments carry nothing needed.
    }

    /// The last event, when the stream ended without its blank line.
    fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buffer);
        let mut out = Vec::new();
        if !rest.is_empty() {
            let line = String::from_utf8_lossy(&rest).into_owned();
            self.line(line.trim_end_matches('\r'), &mut out);
        }
        self.line("", &mut out);
        out.pop()
    }
}

/// The answer as it is read.
#[derive(Default)]
struct Answer {
    text: String,
    refusal: String,
    finish: Option<String>,
    usage: Option<Usage>,
    model: Option<String>,
    done: bool,
}

enum Step {
    More,
    Delta(String),
    Done,
}

impl Answer {
    /// Reads one event's data.
    fn event(&mut self, data: &str, scrub: impl Fn(&str) -> String) -> Result<Step, Failure> {
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(Step::Done);
        }
        if data.is_empty() {
            return Ok(Step::More);
        }
        let chunk: Value =
            serde_json::from_str(data).map_err(|_| malformed("a streamed event is not JSON"))?;
        if let Some(error) = chunk.get("error") {
            // An error inside a stream (OpenAI, vLLM): the answer broke off.
            let e = ApiError::read(json!({"error": error}).to_string().as_bytes());
            let detail = scrub(&e.detail(200));
            return Err(Failure::Engine(
                if matches!(
                    e.code.as_str(),
                    "content_filter" | "content_policy_violation"
                ) {
                    EngineError::ContentFiltered
                } else if says_context_too_long(&e.message) {
                    EngineError::ContextTooLong { detail }
                } else {
                    EngineError::Unavailable {
                        detail: format!("the service failed mid-answer: {detail}"),
                    }
                },
            ));
        }
        self.read_meta(&chunk);
        let mut delta_out = String::new();
        if let Some(choice) = first_choice(&chunk) {
            if let Some(delta) = choice.get("delta") {
                if let Some(text) = delta.get("content").and_then(Value::as_str) {
                    delta_out.push_str(text);
                }
                if let Some(r) = delta.get("refusal").and_then(Value::as_str) {
                    self.refusal.push_str(r);
                }
            }
            if let Some(f) = choice.get("finish_reason").and_then(Value::as_str) {
                self.finish = Some(f.to_owned());
            }
        }
        if delta_out.is_empty() {
            return Ok(Step::More);
        }
        self.text.push_str(&delta_out);
        Ok(Step::Delta(delta_out))
    }

    /// Reads a whole (`chat.completion`) answer.
    fn read_whole(&mut self, body: &[u8], scrub: impl Fn(&str) -> String) -> Result<(), Failure> {
        let value: Value =
            serde_json::from_slice(body).map_err(|_| malformed("the answer is not JSON"))?;
        if value.get("error").is_some() {
            let e = ApiError::read(body);
            return Err(Failure::Engine(EngineError::Unavailable {
                detail: scrub(&e.detail(200)),
            }));
        }
        self.read_meta(&value);
        let choice = first_choice(&value).ok_or_else(|| malformed("the answer has no choice"))?;
        if let Some(message) = choice.get("message") {
            if let Some(text) = message.get("content").and_then(Value::as_str) {
                self.text.push_str(text);
            }
            if let Some(r) = message.get("refusal").and_then(Value::as_str) {
                self.refusal.push_str(r);
            }
        }
        self.finish = Some(
            choice
                .get("finish_reason")
                .and_then(Value::as_str)
                .unwrap_or("stop")
                .to_owned(),
        );
        self.done = true;
        Ok(())
    }

    fn read_meta(&mut self, chunk: &Value) {
        if let Some(m) = chunk.get("model").and_then(Value::as_str)
            && !m.is_empty()
        {
            self.model = Some(m.to_owned());
        }
        if let Some(u) = chunk.get("usage").filter(|u| u.is_object()) {
            let n = |k: &str| {
                u.get(k)
                    .and_then(Value::as_u64)
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            };
            if let (Some(input), Some(output)) = (n("prompt_tokens"), n("completion_tokens")) {
                self.usage = Some(Usage {
                    input_tokens: input,
                    output_tokens: output,
                });
            }
        }
    }

    /// The result of a finished answer.
    fn into_generated(self, request: &Request, asked_model: &str) -> Result<Generated, Failure> {
        if !self.refusal.trim().is_empty() {
            // The model declined (structured outputs' `refusal`): the same
            // prompt is declined again, as a filtered one is.
            return Err(Failure::Engine(EngineError::ContentFiltered));
        }
        match self.finish.as_deref() {
            Some("content_filter") => return Err(Failure::Engine(EngineError::ContentFiltered)),
            Some("length") if request.schema.is_some() => {
                return Err(malformed(
                    "the answer reached the output token limit before its JSON was complete",
                ));
            }
            Some("tool_calls" | "function_call") => {
                return Err(malformed("the model called a tool instead of answering"));
            }
            _ => {}
        }
        if self.text.trim().is_empty() {
            return Err(malformed("the answer is empty"));
        }
        let estimated_output = estimate(&self.text).max(1);
        let usage = match self.usage {
            Some(u) if u.output_tokens > 0 => u,
            Some(u) => Usage {
                output_tokens: estimated_output,
                ..u
            },
            None => Usage {
                input_tokens: request
                    .messages
                    .iter()
                    .map(|m| estimate(&m.content).saturating_add(4))
                    .fold(0u32, u32::saturating_add),
                output_tokens: estimated_output,
            },
        };
        Ok(Generated {
            text: self.text,
            content: None,
            usage,
            model: self.model.unwrap_or_else(|| asked_model.to_owned()),
        })
    }
}

fn first_choice(chunk: &Value) -> Option<&Value> {
    let choices = chunk.get("choices")?.as_array()?;
    choices
        .iter()
        .find(|c| c.get("index").and_then(Value::as_u64).unwrap_or(0) == 0)
}

/// Four characters a token.
fn estimate(text: &str) -> u32 {
    u32::try_from(text.chars().count().div_ceil(4)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn now() -> jiff::Timestamp {
        "2025-06-02T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn go_durations_parse_as_openai_writes_them() {
        let d = |s| parse_go_duration(s);
        assert_eq!(d("1s"), Some(Duration::from_secs(1)));
        assert_eq!(d("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(d("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(d("8.64s"), Some(Duration::from_millis(8640)));
        assert_eq!(d("1h2m3s"), Some(Duration::from_secs(3723)));
        assert_eq!(d("2"), Some(Duration::from_secs(2)));
        assert_eq!(d("1.5µs"), Some(Duration::from_nanos(1500)));
        assert_eq!(d("soon"), None);
        assert_eq!(d(""), None);
        assert_eq!(d("5x"), None);
    }

    #[test]
    fn retry_after_prefers_the_explicit_headers() {
        let h = headers(&[("retry-after-ms", "1500"), ("retry-after", "20")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_millis(1500)));
        let h = headers(&[("retry-after", "20")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(20)));
        let h = headers(&[("retry-after", "Mon, 02 Jun 2025 09:00:30 GMT")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(30)));
        let h = headers(&[("retry-after", "Mon, 02 Jun 2025 08:00:00 GMT")]);
        assert_eq!(retry_after(&h, now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_falls_back_to_the_exhausted_limits_reset() {
        let h = headers(&[
            ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-remaining-tokens", "1200"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(1)));
        let h = headers(&[
            ("x-ratelimit-remaining-requests", "10"),
            ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "17.5s"),
        ]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_millis(17_500)));
        let h = headers(&[
            ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-reset-tokens", "2s"),
        ]);
        assert_eq!(retry_after(&h, now()), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&HeaderMap::new(), now()), None);
    }

    #[test]
    fn error_bodies_of_every_server_shape_are_read() {
        let openai = ApiError::read(
            br#"{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(openai.code, "context_length_exceeded");
        let llama = ApiError::read(
            br#"{"error":{"code":400,"message":"request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error"}}"#,
        );
        assert_eq!(
            (llama.code.as_str(), llama.kind.as_str()),
            ("400", "exceed_context_size_error")
        );
        let vllm = ApiError::read(
            br#"{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 6379 tokens.","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert!(says_context_too_long(&vllm.message));
        let ollama =
            ApiError::read(br#"{"error":"model \"llama9\" not found, try pulling it first"}"#);
        assert!(ollama.message.contains("not found"));
        let text = ApiError::read(b"Bad Gateway");
        assert_eq!(text.message, "Bad Gateway");
        assert!(says_context_too_long(&llama.message));
        assert!(!says_context_too_long("Invalid API key"));
    }

    fn engine(key: Option<&str>) -> OpenAiCompatible {
        let mut c = OpenAiConfig::new("http://127.0.0.1:9/v1/", "gpt-4o-mini");
        c.api_key = key.map(str::to_owned);
        OpenAiCompatible::new(c).unwrap()
    }

    #[test]
    fn refusals_are_classified_by_status_and_code() {
        let e = engine(None);
        let h = HeaderMap::new();
        let read = |body: &str| ApiError::read(body.as_bytes());
        let c = |status, body: &str| e.classify(status, &h, &read(body));
        assert!(matches!(
            c(
                429,
                r#"{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}"#
            ),
            EngineError::Rejected { .. }
        ));
        assert!(matches!(
            c(429, r#"{"error":{"message":"slow down"}}"#),
            EngineError::RateLimited { .. }
        ));
        assert!(matches!(
            c(
                400,
                r#"{"error":{"message":"x","code":"context_length_exceeded"}}"#
            ),
            EngineError::ContextTooLong { .. }
        ));
        assert!(matches!(
            c(
                400,
                r#"{"error":{"message":"flagged","code":"content_filter"}}"#
            ),
            EngineError::ContentFiltered
        ));
        assert!(matches!(
            c(
                400,
                r#"{"error":{"message":"no","code":"content_policy_violation"}}"#
            ),
            EngineError::ContentFiltered
        ));
        assert!(matches!(c(401, "{}"), EngineError::Unauthorized { .. }));
        assert!(matches!(c(403, "{}"), EngineError::Unauthorized { .. }));
        assert!(matches!(c(404, "{}"), EngineError::Rejected { .. }));
        assert!(matches!(c(422, "{}"), EngineError::Rejected { .. }));
        assert!(matches!(c(503, "{}"), EngineError::Unavailable { .. }));
        assert!(matches!(c(408, "{}"), EngineError::Timeout));
        assert!(matches!(c(302, ""), EngineError::Rejected { .. }));
        let reasoning = read(
            r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}"#,
        );
        assert!(reasoning.wants_completion_tokens());
        assert!(!read(r#"{"error":{"message":"bad"}}"#).wants_completion_tokens());
    }

    #[test]
    fn the_key_never_shows_in_details_or_debug() {
        let key = "sk-proj-verysecretvalue1234";
        let e = engine(Some(key));
        let body = format!(
            r#"{{"error":{{"message":"Incorrect API key provided: {key}. Also sk-pro****1234.","code":"invalid_api_key"}}}}"#
        );
        let err = e.classify(401, &HeaderMap::new(), &ApiError::read(body.as_bytes()));
        let text = err.to_string();
        assert!(!text.contains(key), "{text}");
        assert!(!text.contains("sk-pro"), "{text}");
        let debug = format!("{:?}", e.config());
        assert!(!debug.contains(key), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn bad_base_urls_are_refused_with_the_reason() {
        for url in [
            "api.openai.com/v1",
            "ftp://example.com/v1",
            "http://user:pw@example.com/v1",
            "http://example.com/v1?x=1",
        ] {
            let err = OpenAiCompatible::new(OpenAiConfig::new(url, "m")).unwrap_err();
            assert!(matches!(err, OpenAiConfigError::BadUrl { .. }), "{url}");
            assert!(!err.to_string().contains("pw"));
        }
        assert!(matches!(
            OpenAiCompatible::new(OpenAiConfig::new("http://localhost:11434/v1", " ")),
            Err(OpenAiConfigError::NoModel)
        ));
        let ok = engine(None);
        assert_eq!(ok.endpoint, "http://127.0.0.1:9/v1/chat/completions");
    }

    #[test]
    fn sse_events_are_split_across_chunk_boundaries() {
        let mut r = SseReader::default();
        assert!(r.push(b"data: {\"a\"").is_empty());
        assert_eq!(
            r.push(b":1}\r\n\r\n: keep-alive\n\ndata: [DO"),
            vec!["{\"a\":1}"]
        );
        assert_eq!(r.push(b"NE]\n\n"), vec!["[DONE]"]);
        assert!(r.push(b"data: tail").is_empty());
        assert_eq!(r.finish().as_deref(), Some("tail"));
    }

    fn request(schema: bool) -> Request {
        Request {
            format: crate::model::Format::Caption,
            locale: "en".into(),
            template: None,
            tone: None,
            pillar: None,
            platform: None,
            brief: "b".into(),
            messages: vec![super::super::Message {
                role: "user".into(),
                content: "Write a caption about bread.".into(),
            }],
            schema: schema.then(|| crate::prompt::schema(crate::model::Format::Caption)),
            max_output_tokens: 100,
        }
    }

    #[test]
    fn answers_end_by_their_finish_reason() {
        let feed = |events: &[&str], schema: bool| {
            let mut a = Answer::default();
            for e in events {
                if let Err(Failure::Engine(e)) = a.event(e, str::to_owned) {
                    return Err(e);
                }
            }
            a.into_generated(&request(schema), "asked")
                .map_err(Failure::into_engine)
        };
        let delta = |t: &str| {
            format!(
                r#"{{"model":"m-1","choices":[{{"index":0,"delta":{{"content":"{t}"}},"finish_reason":null}}]}}"#
            )
        };
        let finish = |r: &str| {
            format!(r#"{{"choices":[{{"index":0,"delta":{{}},"finish_reason":"{r}"}}]}}"#)
        };
        let ok = feed(&[&delta("Hel"), &delta("lo"), &finish("stop")], false).unwrap();
        assert_eq!(ok.text, "Hello");
        assert_eq!(ok.model, "m-1");
        // No usage reported: estimated, never zero.
        assert_eq!(ok.usage.output_tokens, 2);
        assert!(ok.usage.input_tokens > 0);
        assert_eq!(
            feed(&[&delta("Hel"), &finish("content_filter")], false),
            Err(EngineError::ContentFiltered)
        );
        assert!(matches!(
            feed(&[&delta("{\"te"), &finish("length")], true),
            Err(EngineError::Malformed { .. })
        ));
        assert_eq!(
            feed(&[&delta("Hel"), &finish("length")], false)
                .unwrap()
                .text,
            "Hel"
        );
        let refusal = r#"{"choices":[{"index":0,"delta":{"refusal":"I can't help with that."},"finish_reason":null}]}"#;
        assert_eq!(
            feed(&[refusal, &finish("stop")], true),
            Err(EngineError::ContentFiltered)
        );
        assert!(matches!(
            feed(&[&finish("stop")], false),
            Err(EngineError::Malformed { .. })
        ));
        let usage = r#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#;
        let with_usage = feed(&[&delta("Hi"), &finish("stop"), usage], false).unwrap();
        assert_eq!(
            with_usage.usage,
            Usage {
                input_tokens: 12,
                output_tokens: 3
            }
        );
        let in_stream_error =
            r#"{"error":{"message":"The server had an error","type":"server_error"}}"#;
        assert!(matches!(
            feed(&[&delta("a"), in_stream_error], false),
            Err(EngineError::Unavailable { .. })
        ));
        assert!(matches!(
            feed(&["not json"], false),
            Err(EngineError::Malformed { .. })
        ));
    }
}
