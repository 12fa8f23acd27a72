//! The one HTTP client every platform call goes through: timeouts, retries
//! with backoff and jitter for transient failures only, rate-limit gates fed
//! by the platforms' usage headers and throttling errors, and one structured
//! log line per attempt with every secret redacted.

use herald_core::Named;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use herald_core::{Clock, SignedDuration, Timestamp};
use reqwest::header::HeaderMap;

use crate::{ErrorKind, PlatformError, ProviderId, Secret};

/// Timeouts and retry settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Longest a whole attempt may take.
    pub request_timeout: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles each time, with full
    /// jitter, up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// A rate-limit pause shorter than this is waited out; a longer one
    /// fails the call at once with `RateLimited { until }`.
    pub max_wait: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_attempts: 4,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_wait: Duration::from_secs(5),
        }
    }
}

/// Query and form parameter names whose values are never logged.
const SENSITIVE: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "code",
    "code_verifier",
    "fb_exchange_token",
    "input_token",
    "token",
    "upload_token",
    "appsecret_proof",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// The body of a call.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    /// Raw bytes (an upload chunk) with their content type.
    Bytes {
        content_type: String,
        data: Vec<u8>,
    },
}

/// One call to a platform, described in full before it is sent.
#[derive(Debug, Clone)]
pub struct Call {
    pub provider: ProviderId,
    /// A stable name for logs and metrics (`meta.me_accounts`).
    pub endpoint: &'static str,
    pub method: Method,
    pub url: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    pub bearer: Option<Secret>,
    /// Extra request headers (`Content-Range`, `X-Upload-Content-Length`).
    /// Never put secrets here: they are not redacted.
    pub headers: Vec<(String, String)>,
    /// Whether repeating the call cannot do anything twice. Non-idempotent
    /// calls are only retried when the platform certainly did not act.
    pub idempotent: bool,
    /// The rate-limit bucket besides the provider's own (a Page or
    /// Instagram account id for Meta's business use case limits).
    pub bucket: Option<String>,
}

impl Call {
    pub fn new(
        provider: ProviderId,
        endpoint: &'static str,
        method: Method,
        url: impl Into<String>,
    ) -> Call {
        Call {
            provider,
            endpoint,
            method,
            url: url.into(),
            query: Vec::new(),
            body: Body::None,
            bearer: None,
            headers: Vec::new(),
            idempotent: matches!(method, Method::Get | Method::Delete),
            bucket: None,
        }
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Call {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn form(mut self, pairs: &[(&str, &str)]) -> Call {
        self.body = Body::Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        self
    }

    pub fn json(mut self, value: serde_json::Value) -> Call {
        self.body = Body::Json(value);
        self
    }

    /// A raw body, e.g. one chunk of an upload.
    pub fn bytes(mut self, content_type: impl Into<String>, data: Vec<u8>) -> Call {
        self.body = Body::Bytes {
            content_type: content_type.into(),
            data,
        };
        self
    }

    /// An extra request header (not for secrets: use [`Call::bearer`]).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Call {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn bearer(mut self, token: &Secret) -> Call {
        self.bearer = Some(token.clone());
        self
    }

    /// Marks a POST as safe to repeat (token exchanges with a single-use
    /// code are not; reads sent as POST are).
    pub fn idempotent(mut self, idempotent: bool) -> Call {
        self.idempotent = idempotent;
        self
    }

    pub fn bucket(mut self, bucket: impl Into<String>) -> Call {
        self.bucket = Some(bucket.into());
        self
    }

    /// The URL with the query, secrets replaced, for logs.
    pub fn redacted_url(&self) -> String {
        let mut url = strip_query_secrets(&self.url);
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 && !url.contains('?') {
                '?'
            } else {
                '&'
            });
            url.push_str(k);
            url.push('=');
            if SENSITIVE.contains(&k.as_str()) {
                url.push_str("[redacted]");
            } else {
                url.push_str(v);
            }
        }
        url
    }
}

fn strip_query_secrets(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.query().is_some() => {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(k, v)| {
                    let v = if SENSITIVE.contains(&k.as_ref()) {
                        "[redacted]".to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Whether a failed attempt reached the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// The connection was never made: nothing was sent.
    No,
    /// It may have been sent (and acted on).
    Maybe,
}

/// A platform's answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, or a classified "unexpected answer".
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        provider: ProviderId,
    ) -> Result<T, PlatformError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            PlatformError::unexpected(provider, format_args!("HTTP {}: {e}", self.status))
        })
    }
}

/// How heavily a platform says we are using it, read from its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// The bucket (`None`: the whole app).
    pub bucket: Option<String>,
    /// Highest usage figure, in percent of the limit.
    pub percent: u32,
    /// When the platform says access comes back, if it is throttling.
    pub regain_after: Option<SignedDuration>,
}

/// A platform's error and usage vocabulary.
pub trait Dialect: Send + Sync {
    /// The error in this answer, if it is one.
    fn classify(&self, reply: &Reply, now: Timestamp) -> Option<PlatformError>;

    /// Usage figures in this answer's headers.
    fn usage(&self, _reply: &Reply) -> Vec<Usage> {
        Vec::new()
    }
}

/// Usage at or above this share slows calls in a bucket down.
const SLOW_AT: u32 = 80;
/// Usage at or above this share pauses a bucket.
const PAUSE_AT: u32 = 95;
/// Spacing of calls in a slowed bucket.
const SLOW_SPACING: Duration = Duration::from_millis(500);
/// Pause when the platform throttles without saying for how long.
const DEFAULT_PAUSE: SignedDuration = SignedDuration::from_secs(60);

#[derive(Debug, Default, Clone)]
struct Gate {
    paused_until: Option<Timestamp>,
    slow: bool,
    last_call: Option<Instant>,
}

/// The platform client. Cheap to clone; clones share gates.
#[derive(Clone)]
pub struct PlatformClient {
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    options: ClientOptions,
    gates: Arc<Mutex<HashMap<String, Gate>>>,
}

impl PlatformClient {
    pub fn new(clock: Arc<dyn Clock>, options: ClientOptions) -> Result<Self, reqwest::Error> {
        // reqwest is built without a bundled crypto provider; use ring, which
        // the tree already has. A second install (another client) is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(PlatformClient {
            http,
            clock,
            options,
            gates: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Sends `call`, retrying what is safe to retry, and returns the first
    /// successful answer or the classified error.
    pub async fn send(&self, call: &Call, dialect: &dyn Dialect) -> Result<Reply, PlatformError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pass_gates(call).await?;
            let started = Instant::now();
            let outcome = self.attempt(call).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let unsent = matches!(&outcome, Err((_, Sent::No)));
            let error = match outcome.map_err(|(e, _)| e) {
                Ok(reply) => {
                    for usage in dialect.usage(&reply) {
                        self.record_usage(call, &usage);
                    }
                    match dialect.classify(&reply, self.clock.now()) {
                        None => {
                            tracing::info!(
                                provider = %call.provider,
                                endpoint = call.endpoint,
                                method = call.method.as_str(),
                                url = %call.redacted_url(),
                                status = reply.status,
                                elapsed_ms,
                                attempt,
                                "platform call"
                            );
                            return Ok(reply);
                        }
                        Some(e) => {
                            tracing::warn!(
                                provider = %call.provider,
                                endpoint = call.endpoint,
                                method = call.method.as_str(),
                                url = %call.redacted_url(),
                                status = reply.status,
                                elapsed_ms,
                                attempt,
                                kind = e.kind.as_str(),
                                code = e.code.as_deref(),
                                trace = e.trace.as_deref(),
                                message = %e.message,
                                "platform call failed"
                            );
                            e
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(
                        provider = %call.provider,
                        endpoint = call.endpoint,
                        method = call.method.as_str(),
                        url = %call.redacted_url(),
                        elapsed_ms,
                        attempt,
                        kind = e.kind.as_str(),
                        message = %e.message,
                        "platform call failed"
                    );
                    e
                }
            };
            let mut error = error;
            if let ErrorKind::RateLimited { until } = &error.kind {
                let until = self.pause(call, *until);
                error.kind = ErrorKind::RateLimited { until: Some(until) };
                // A pause longer than a worker should wait: say until when,
                // with the platform's own code and message.
                let left = until.duration_since(self.clock.now());
                if left > SignedDuration::try_from(self.options.max_wait).unwrap_or_default() {
                    return Err(error);
                }
            }
            // A throttled call was refused and a call that never connected
            // was never sent, so repeating either is safe; any other failure
            // is only retried when the call is idempotent.
            let retryable = match error.kind {
                ErrorKind::RateLimited { .. } => true,
                ErrorKind::Unavailable => call.idempotent || unsent,
                _ => false,
            };
            if !retryable || attempt >= self.options.max_attempts {
                return Err(error);
            }
            tokio::time::sleep(self.backoff(attempt)).await;
        }
    }

    async fn attempt(&self, call: &Call) -> Result<Reply, (PlatformError, Sent)> {
        let method = match call.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut request = self.http.request(method, &call.url);
        for (name, value) in &call.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(token) = &call.bearer {
            request = request.bearer_auth(token.expose());
        }
        request = match &call.body {
            Body::None => request,
            Body::Form(pairs) => request.form(pairs),
            Body::Json(value) => request.json(value),
            Body::Bytes { content_type, data } => request
                .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
                .body(data.clone()),
        };
        let response = request.send().await.map_err(|e| {
            let sent = if e.is_connect() {
                Sent::No
            } else {
                Sent::Maybe
            };
            (self.transport_error(call, &e), sent)
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| (self.transport_error(call, &e), Sent::Maybe))?
            .to_vec();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    fn transport_error(&self, call: &Call, e: &reqwest::Error) -> PlatformError {
        // Without a connection nothing was sent: safe to try again. After
        // sending, a broken or slow answer leaves the outcome unknown for a
        // call that changes something.
        let kind = if e.is_connect() || call.idempotent {
            ErrorKind::Unavailable
        } else {
            ErrorKind::OutcomeUnknown
        };
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "could not connect"
        } else {
            "connection failed"
        };
        PlatformError::new(call.provider, kind, format!("{} {what}", call.endpoint))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .options
            .base_backoff
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(self.options.max_backoff);
        // "Equal jitter": half fixed, half random, so retries spread out
        // without ever collapsing to zero.
        let half = exp.as_millis() as f64 / 2.0;
        Duration::from_millis((half + half * rand::random::<f64>()) as u64)
    }

    fn gate_keys(call: &Call) -> Vec<String> {
        let mut keys = vec![call.provider.as_str().to_owned()];
        if let Some(bucket) = &call.bucket {
            keys.push(format!("{}:{bucket}", call.provider));
        }
        keys
    }

    /// Waits out a short pause or spacing; fails at once on a long pause.
    async fn pass_gates(&self, call: &Call) -> Result<(), PlatformError> {
        let now = self.clock.now();
        let mut wait = Duration::ZERO;
        {
            let mut gates = self
                .gates
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for key in Self::gate_keys(call) {
                let Some(gate) = gates.get_mut(&key) else {
                    continue;
                };
                if let Some(until) = gate.paused_until {
                    if until > now {
                        let left =
                            Duration::try_from(until.duration_since(now)).unwrap_or_default();
                        if left > self.options.max_wait {
                            return Err(PlatformError::new(
                                call.provider,
                                ErrorKind::RateLimited { until: Some(until) },
                                "calls are paused until the platform's rate limit resets",
                            ));
                        }
                        wait = wait.max(left);
                    } else {
                        gate.paused_until = None;
                    }
                }
                if gate.slow {
                    if let Some(last) = gate.last_call {
                        wait = wait.max(SLOW_SPACING.saturating_sub(last.elapsed()));
                    }
                    gate.last_call = Some(Instant::now() + wait);
                }
            }
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    /// Pauses the call's narrowest bucket; returns until when.
    fn pause(&self, call: &Call, until: Option<Timestamp>) -> Timestamp {
        let until = until.unwrap_or_else(|| self.clock.now() + DEFAULT_PAUSE);
        let mut gates = self
            .gates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = Self::gate_keys(call).pop().expect("a provider key");
        let gate = gates.entry(key).or_default();
        let until = gate.paused_until.map_or(until, |u| u.max(until));
        gate.paused_until = Some(until);
        until
    }

    fn record_usage(&self, call: &Call, usage: &Usage) {
        let key = match &usage.bucket {
            None => call.provider.as_str().to_owned(),
            Some(b) => format!("{}:{b}", call.provider),
        };
        let now = self.clock.now();
        let mut gates = self
            .gates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let gate = gates.entry(key.clone()).or_default();
        gate.slow = usage.percent >= SLOW_AT;
        if usage.percent >= PAUSE_AT {
            // The platform's figure (minutes, up to u32::MAX) may end past
            // what a timestamp holds.
            let until = now
                .checked_add(usage.regain_after.unwrap_or(DEFAULT_PAUSE))
                .unwrap_or(Timestamp::MAX);
            gate.paused_until = Some(until);
            tracing::warn!(provider = %call.provider, bucket = %key, percent = usage.percent, until = %until, "platform usage near its limit: pausing calls");
        } else if gate.slow {
            tracing::info!(provider = %call.provider, bucket = %key, percent = usage.percent, "platform usage high: slowing calls");
        }
    }

    /// When calls to `provider` (and `bucket`) are paused until, if they are.
    pub fn paused_until(&self, provider: ProviderId, bucket: Option<&str>) -> Option<Timestamp> {
        let key = match bucket {
            None => provider.as_str().to_owned(),
            Some(b) => format!("{provider}:{b}"),
        };
        let now = self.clock.now();
        let gates = self
            .gates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        gates
            .get(&key)
            .and_then(|g| g.paused_until)
            .filter(|u| *u > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_urls_and_queries_are_redacted() {
        let call = Call::new(
            ProviderId::Facebook,
            "meta.access_token",
            Method::Get,
            "https://graph.example/oauth/access_token?client_secret=s3cr3t&client_id=app",
        )
        .query("code", "the-code")
        .query("fields", "id,name")
        .query("access_token", "EAAsecret");
        let logged = call.redacted_url();
        assert!(!logged.contains("s3cr3t"), "{logged}");
        assert!(!logged.contains("the-code"), "{logged}");
        assert!(!logged.contains("EAAsecret"), "{logged}");
        assert!(logged.contains("client_id=app"), "{logged}");
        assert!(logged.contains("fields=id,name"), "{logged}");
    }
}

/// Generators of what a platform may answer, for the property tests of
/// every dialect and reply shape.
#[cfg(test)]
pub(crate) mod strategies {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use serde_json::{Map, Value, json};

    use super::Reply;

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "error",
                "code",
                "error_subcode",
                "message",
                "is_transient",
                "fbtrace_id",
                "error_type",
                "error_message",
                "error_description",
                "log_id",
                "errors",
                "reason",
                "status",
                "data",
                "access_token",
                "expires_in",
                "refresh_token",
                "refresh_expires_in",
                "scope",
                "open_id",
                "user_id",
                "permissions",
                "files",
                "id",
                "name",
                "mimeType",
                "size",
                "videoMediaMetadata",
                "durationMillis",
                "width",
                "height",
                "nextPageToken",
                "paging",
                "next",
            ])
            .prop_map(str::to_owned),
            "[a-zA-Z_]{0,8}",
        ]
    }

    /// Any JSON value, a few levels deep, with numbers at the edges.
    pub(crate) fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            prop::sample::select(vec![
                0i64,
                1,
                -1,
                190,
                102,
                4,
                17,
                32,
                613,
                80001,
                458,
                2207042,
                200,
                10,
                100,
                i64::MAX,
                i64::MIN,
                4_294_967_295,
            ])
            .prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
            prop::sample::select(vec![
                "",
                "ok",
                "invalid_grant",
                "access_token_invalid",
                "rate_limit_exceeded",
                "quotaExceeded",
                "authError",
                "OAuthRateLimitException",
                "REVOKED_ACCESS_TOKEN",
                "9223372036854775807",
                "18446744073709551616",
                "-1",
                "12",
            ])
            .prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                vec((key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// A body: arbitrary bytes, arbitrary JSON, or one of the platforms'
    /// error and token shapes with arbitrary values.
    pub(crate) fn body() -> impl Strategy<Value = Vec<u8>> {
        let shaped = prop_oneof![
            json().prop_map(|v| json!({ "error": v })),
            (json(), json(), json(), json()).prop_map(|(code, sub, message, transient)| json!({
                "error": {"code": code, "error_subcode": sub, "message": message,
                    "is_transient": transient, "fbtrace_id": "A1"}
            })),
            (json(), json()).prop_map(|(t, m)| json!({"error_type": t, "error_message": m})),
            (json(), json()).prop_map(|(code, m)| json!({"data": {}, "error": {"code": code, "message": m}})),
            (json(), json()).prop_map(|(reason, status)| json!({
                "error": {"code": 403, "message": "m", "errors": [{"reason": reason}], "status": status}
            })),
            (json(), json(), json()).prop_map(|(token, expires, refresh)| json!({
                "access_token": token, "expires_in": expires, "refresh_token": refresh,
                "refresh_expires_in": expires, "scope": "a,b c", "user_id": expires,
                "permissions": refresh,
            })),
        ];
        prop_oneof![
            vec(any::<u8>(), 0..2048),
            json().prop_map(|v| serde_json::to_vec(&v).expect("renders")),
            shaped.prop_map(|v| serde_json::to_vec(&v).expect("renders")),
        ]
    }

    /// A usage figure: mostly a u32 (as documented), at times anything.
    fn figure() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => prop_oneof![Just(u32::MAX), any::<u32>(), 0u32..200].prop_map(Value::from),
            1 => json(),
        ]
    }

    /// A header value a server could send: visible ASCII, JSON usage
    /// figures with any numbers, or a `Range`.
    pub(crate) fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,64}",
            (figure(), figure(), figure()).prop_map(|(a, b, c)| {
                json!({"call_count": a, "total_time": b, "total_cputime": c}).to_string()
            }),
            (figure(), 0u32..200, figure(), "[0-9]{1,20}",).prop_map(|(a, pct, regain, id)| {
                json!({id: [{"type": "pages", "call_count": pct, "total_time": a,
                        "total_cputime": 0, "estimated_time_to_regain_access": regain}]})
                .to_string()
            }),
            "bytes=[0-9-]{0,24}",
        ]
    }

    pub(crate) fn reply() -> impl Strategy<Value = Reply> {
        let name = prop::sample::select(vec![
            "x-app-usage",
            "x-business-use-case-usage",
            "x-ad-account-usage",
            "retry-after",
            "range",
            "content-range",
        ]);
        (
            prop_oneof![
                prop::sample::select(vec![
                    200u16, 201, 204, 206, 308, 400, 401, 403, 404, 410, 429, 500, 503
                ]),
                100u16..600,
            ],
            vec((name, header_value()), 0..4),
            body(),
        )
            .prop_map(|(status, headers, body)| {
                let mut map = HeaderMap::new();
                for (n, v) in headers {
                    if let Ok(v) = HeaderValue::from_str(&v) {
                        map.append(HeaderName::from_static(n), v);
                    }
                }
                Reply {
                    status,
                    headers: map,
                    body,
                }
            })
    }
}

/// Property tests: whatever a platform answers in its usage headers, the
/// gates take it without a panic; whatever a URL holds, a logged one shows
/// no secret.
#[cfg(test)]
mod props {
    use std::sync::Arc;

    use herald_core::ManualClock;
    use proptest::prelude::*;

    use super::strategies::reply;
    use super::*;
    use crate::meta::GraphDialect;

    fn client(now: Timestamp) -> PlatformClient {
        PlatformClient::new(Arc::new(ManualClock::new(now)), ClientOptions::default())
            .expect("a client")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_usage_headers_never_panic_the_gates(
            reply in reply(),
            now in prop_oneof![
                0i64..4_102_444_800,
                Just(Timestamp::MAX.as_second() - 3600),
            ],
        ) {
            let now = Timestamp::from_second(now).expect("in range");
            let client = client(now);
            let call = Call::new(ProviderId::Facebook, "meta.me", Method::Get, "https://graph.example/me");
            for usage in GraphDialect(ProviderId::Facebook).usage(&reply) {
                client.record_usage(&call, &usage);
                if usage.percent >= PAUSE_AT {
                    let paused = client.paused_until(ProviderId::Facebook, usage.bucket.as_deref());
                    prop_assert!(paused.is_some_and(|p| p > now));
                }
            }
        }

        #[test]
        fn logged_urls_never_show_a_secret(
            host in "[a-z]{1,10}\\.example",
            path in "(/[a-zA-Z0-9._~%-]{0,8}){0,3}",
            before in proptest::collection::vec(("[a-z_]{1,8}", "[a-z0-9]{0,8}"), 0..3),
            sensitive in prop::sample::select(SENSITIVE.to_vec()),
            secret in "S3CR3T[A-Za-z0-9]{4,12}",
            encoded in any::<bool>(),
            in_url in any::<bool>(),
            extra in proptest::collection::vec(("[a-z_]{1,8}", "[a-z0-9]{0,8}"), 0..3),
        ) {
            let mut url = format!("https://{host}{path}");
            let mut call_query: Vec<(String, String)> = Vec::new();
            let key = if encoded {
                // `access%5Ftoken` is the same key once decoded.
                sensitive.replace('_', "%5F")
            } else {
                sensitive.to_owned()
            };
            let mut pairs: Vec<(String, String)> = before.clone();
            if in_url {
                pairs.push((key, secret.clone()));
            } else {
                call_query.push((sensitive.to_owned(), secret.clone()));
            }
            pairs.extend(extra.clone());
            if !pairs.is_empty() {
                let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                url = format!("{url}?{}", q.join("&"));
            }
            let mut call = Call::new(ProviderId::Facebook, "meta.me", Method::Get, url.clone());
            for (k, v) in &call_query {
                call = call.query(k, v.clone());
            }
            let logged = call.redacted_url();
            prop_assert!(!logged.contains(&secret), "{} -> {}", url, logged);
        }

        #[test]
        fn arbitrary_urls_never_panic_the_redaction(url in ".{0,120}", k in ".{0,12}", v in ".{0,12}") {
            let _ = Call::new(ProviderId::YouTube, "google.token", Method::Post, url)
                .query(&k, v)
                .redacted_url();
        }
    }

    /// Found by `arbitrary_usage_headers_never_panic_the_gates`: an
    /// `estimated_time_to_regain_access` of u32::MAX minutes (8,171 years)
    /// overflowed the pause's timestamp, a panic in the call's task.
    #[test]
    fn an_absurd_regain_time_pauses_without_overflowing() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("a time");
        let client = client(now);
        let call = Call::new(
            ProviderId::Facebook,
            "meta.me",
            Method::Get,
            "https://graph.example/me",
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-business-use-case-usage",
            r#"{"1":[{"call_count":100,"estimated_time_to_regain_access":4294967295}]}"#
                .parse()
                .expect("a header"),
        );
        let reply = Reply {
            status: 200,
            headers,
            body: Vec::new(),
        };
        for usage in GraphDialect(ProviderId::Facebook).usage(&reply) {
            client.record_usage(&call, &usage);
        }
        assert!(
            client
                .paused_until(ProviderId::Facebook, Some("1"))
                .is_some()
        );
    }
}
