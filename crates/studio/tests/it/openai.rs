//! The OpenAI-compatible adapter against the sandbox's simulator, served on
//! a real socket: streaming through `Progress`, usage, structured output,
//! and every error class the job layer tells apart.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::ManualClock;
use herald_sandbox::{AiLatency, Fault, FaultKind, Sandbox, SandboxConfig};
use herald_studio::engine::openai::{OpenAiCompatible, OpenAiConfig};
use herald_studio::{
    Content, ContentGenerationEngine, EngineError, Format, Generated, Platform, Progress, Request,
    Stopped, prompt,
};

const CHAT: &str = "openai.chat_completions";

struct Ai {
    sb: Sandbox,
    /// `http://127.0.0.1:PORT/api.openai.com/v1`
    base: String,
    key: String,
}

async fn spawn() -> Ai {
    spawn_with(|_| {}).await
}

/// The sandbox on 127.0.0.1:0, answering at once unless `configure` says.
async fn spawn_with(configure: impl FnOnce(&mut SandboxConfig)) -> Ai {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = SandboxConfig::new(format!("http://{addr}"));
    config.ai.latency = AiLatency::ZERO;
    configure(&mut config);
    let clock = Arc::new(ManualClock::new(
        jiff::Timestamp::from_second(1_767_225_600).unwrap(),
    ));
    let sb = Sandbox::new(config, clock).unwrap();
    let router = sb.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ai {
        key: sb.config().ai.api_key.clone(),
        sb,
        base: format!("http://{addr}/api.openai.com/v1"),
    }
}

impl Ai {
    fn config(&self, model: &str) -> OpenAiConfig {
        let mut c = OpenAiConfig::new(&self.base, model);
        c.api_key = Some(self.key.clone());
        c.first_byte_timeout = Duration::from_secs(10);
        c.total_timeout = Duration::from_secs(20);
        c
    }

    fn engine(&self, model: &str) -> OpenAiCompatible {
        OpenAiCompatible::new(self.config(model)).unwrap()
    }

    fn fault(&self, kind: FaultKind) {
        self.sb.inject(CHAT, Fault::times(kind, 1)).unwrap();
    }
}

/// Keeps what streams in; with `stop_after`, stops the generation after
/// that many pieces.
#[derive(Default)]
struct Collect {
    pieces: Vec<String>,
    stop_after: Option<usize>,
}

#[async_trait]
impl Progress for Collect {
    async fn text(&mut self, delta: &str) -> Result<(), Stopped> {
        self.pieces.push(delta.to_owned());
        match self.stop_after {
            Some(n) if self.pieces.len() >= n => Err(Stopped),
            _ => Ok(()),
        }
    }
}

fn request(format: Format, brief: &str, structured: bool) -> Request {
    let platform = Some(Platform::Instagram);
    Request {
        format,
        locale: "en".into(),
        template: None,
        tone: None,
        pillar: None,
        platform,
        brief: brief.into(),
        messages: prompt::messages(format, "en", None, None, None, platform, brief),
        schema: structured.then(|| prompt::schema(format)),
        max_output_tokens: 1500,
    }
}

const BRIEF: &str =
    "Our bakery starts a Saturday sourdough class for beginners. Bookings: [EMAIL_1].";

async fn generate(
    engine: &OpenAiCompatible,
    request: &Request,
) -> (Result<Generated, EngineError>, Collect) {
    let mut progress = Collect::default();
    let result = engine.generate(request, &mut progress).await;
    (result, progress)
}

#[tokio::test]
async fn streamed_text_arrives_in_pieces_and_equals_the_answer() {
    let ai = spawn().await;
    let engine = ai.engine("gpt-4o-mini");
    let (result, progress) = generate(&engine, &request(Format::Caption, BRIEF, false)).await;
    let generated = result.unwrap();
    assert!(progress.pieces.len() > 10, "{:?}", progress.pieces);
    assert_eq!(progress.pieces.concat(), generated.text);
    assert!(generated.text.contains("[EMAIL_1]"));
    assert_eq!(generated.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(generated.content, None);
    // The server's usage, read from the final chunk: one token a piece.
    assert_eq!(
        generated.usage.output_tokens as usize,
        progress.pieces.len()
    );
    assert!(generated.usage.input_tokens > 50);
    // Deterministic: the same request, the same draft.
    let (again, _) = generate(&engine, &request(Format::Caption, BRIEF, false)).await;
    assert_eq!(again.unwrap().text, generated.text);
    assert_eq!(engine.info().engine, "openai_compatible");
    assert!(engine.info().ai);
}

#[tokio::test]
async fn a_paced_stream_is_passed_on_as_it_comes() {
    let ai = spawn_with(|c| {
        c.ai.latency = AiLatency {
            first_token_ms: 0,
            per_token_ms: 2,
        }
    })
    .await;
    let (result, progress) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Thread, BRIEF, true),
    )
    .await;
    let generated = result.unwrap();
    assert!(progress.pieces.len() > 10);
    assert_eq!(progress.pieces.concat(), generated.text);
}

#[tokio::test]
async fn structured_output_parses_as_the_formats_schema() {
    let ai = spawn().await;
    let engine = ai.engine("gpt-4o-mini");
    for format in Format::ALL {
        let (result, _) = generate(&engine, &request(format, BRIEF, true)).await;
        let generated = result.unwrap();
        let content = prompt::parse_answer(format, &generated.text)
            .unwrap_or_else(|e| panic!("{format:?}: {e}: {}", generated.text));
        assert_eq!(content.format(), format);
        match content {
            Content::Carousel { slides, caption } => {
                assert!((2..=10).contains(&slides.len()));
                assert!(
                    slides
                        .iter()
                        .all(|s| !s.title.is_empty() && !s.body.is_empty())
                );
                assert!(!caption.is_empty());
            }
            Content::Script { hook, beats, .. } => {
                assert!(!hook.is_empty());
                assert!((1..=12).contains(&beats.len()));
            }
            Content::Thread { parts } => assert!((2..=8).contains(&parts.len())),
            Content::Caption { text, hashtags } => {
                assert!(!text.is_empty());
                assert!(hashtags.iter().all(|h| h.starts_with('#')));
            }
        }
    }
}

#[tokio::test]
async fn a_local_model_answers_the_same_way() {
    let ai = spawn().await;
    let (result, _) = generate(
        &ai.engine("llama3.1"),
        &request(Format::Carousel, BRIEF, true),
    )
    .await;
    let generated = result.unwrap();
    assert_eq!(generated.model, "llama3.1");
    prompt::parse_answer(Format::Carousel, &generated.text).unwrap();
}

#[tokio::test]
async fn a_reasoning_model_is_sent_max_completion_tokens() {
    let ai = spawn().await;
    let engine = ai.engine("o4-mini");
    let (result, _) = generate(&engine, &request(Format::Caption, BRIEF, true)).await;
    result.unwrap();
    // Refused once for max_tokens, then answered.
    assert_eq!(ai.sb.calls(CHAT), 2);
    let (result, _) = generate(&engine, &request(Format::Caption, BRIEF, true)).await;
    result.unwrap();
    assert_eq!(ai.sb.calls(CHAT), 3, "the engine remembers");
}

#[tokio::test]
async fn the_key_limit_answers_429_with_retry_after() {
    let ai = spawn_with(|c| c.limits.openai_requests_per_minute = 1).await;
    let engine = ai.engine("gpt-4o-mini");
    generate(&engine, &request(Format::Caption, BRIEF, true))
        .await
        .0
        .unwrap();
    let (result, _) = generate(&engine, &request(Format::Caption, BRIEF, true)).await;
    let err = result.unwrap_err();
    assert!(matches!(err, EngineError::RateLimited { .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(err.retryable());
}

#[tokio::test]
async fn a_429_with_only_reset_headers_still_says_when() {
    let ai = spawn().await;
    ai.fault(FaultKind::RateLimited);
    let (result, progress) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, EngineError::RateLimited { .. }), "{err:?}");
    // x-ratelimit-remaining-tokens: 0, x-ratelimit-reset-tokens: 1m0s.
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(progress.pieces.is_empty());
}

#[tokio::test]
async fn an_exhausted_quota_is_not_retried() {
    let ai = spawn().await;
    ai.fault(FaultKind::QuotaExhausted);
    let (result, _) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, EngineError::Rejected { detail } if detail.contains("quota")),
        "{err:?}"
    );
    assert!(!err.retryable());
}

#[tokio::test]
async fn a_server_error_is_unavailable() {
    let ai = spawn().await;
    ai.fault(FaultKind::ServerError);
    let (result, _) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, EngineError::Unavailable { .. }), "{err:?}");
    assert!(err.retryable());
}

#[tokio::test]
async fn a_service_that_does_not_start_answering_times_out() {
    let ai = spawn().await;
    ai.fault(FaultKind::Slow { delay_ms: 3_000 });
    let mut config = ai.config("gpt-4o-mini");
    config.first_byte_timeout = Duration::from_millis(200);
    let engine = OpenAiCompatible::new(config).unwrap();
    let started = std::time::Instant::now();
    let (result, _) = generate(&engine, &request(Format::Caption, BRIEF, true)).await;
    assert_eq!(result.unwrap_err(), EngineError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn an_answer_slower_than_the_total_timeout_times_out() {
    let ai = spawn_with(|c| {
        c.ai.latency = AiLatency {
            first_token_ms: 0,
            per_token_ms: 40,
        }
    })
    .await;
    let mut config = ai.config("gpt-4o-mini");
    config.total_timeout = Duration::from_millis(400);
    let engine = OpenAiCompatible::new(config).unwrap();
    let (result, progress) = generate(&engine, &request(Format::Carousel, BRIEF, true)).await;
    assert_eq!(result.unwrap_err(), EngineError::Timeout);
    assert!(!progress.pieces.is_empty(), "the answer had started");
}

#[tokio::test]
async fn a_prompt_too_long_for_the_context_is_its_own_class() {
    let ai = spawn().await;
    let brief = "Tell the story of our bakery. ".repeat(1_500);
    let (result, _) = generate(
        &ai.engine("llama3.1"),
        &request(Format::Caption, &brief, true),
    )
    .await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, EngineError::ContextTooLong { detail } if detail.contains("8192")),
        "{err:?}"
    );
    assert!(!err.retryable());
}

#[tokio::test]
async fn a_filtered_prompt_is_content_filtered() {
    let ai = spawn().await;
    ai.fault(FaultKind::ContentFiltered);
    let (result, progress) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    assert_eq!(result.unwrap_err(), EngineError::ContentFiltered);
    assert!(progress.pieces.is_empty());
}

#[tokio::test]
async fn an_answer_stopped_by_the_filter_is_content_filtered() {
    let ai = spawn().await;
    ai.fault(FaultKind::AnswerFiltered);
    let (result, progress) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    let err = result.unwrap_err();
    assert_eq!(err, EngineError::ContentFiltered);
    assert!(!err.retryable());
    assert!(!progress.pieces.is_empty(), "part of the answer came first");
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_unauthorized_and_never_shown() {
    let ai = spawn().await;
    let wrong = "sk-proj-Wr0ngKeyThatMustNotLeak0123456789";
    let mut config = ai.config("gpt-4o-mini");
    config.api_key = Some(wrong.into());
    let (result, _) = generate(
        &OpenAiCompatible::new(config.clone()).unwrap(),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, EngineError::Unauthorized { .. }), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{config:?}")] {
        assert!(!shown.contains(wrong), "{shown}");
        assert!(!shown.contains("Wr0ng"), "{shown}");
    }
    config.api_key = None;
    let (result, _) = generate(
        &OpenAiCompatible::new(config).unwrap(),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    assert!(matches!(
        result.unwrap_err(),
        EngineError::Unauthorized { .. }
    ));
}

#[tokio::test]
async fn an_unknown_model_is_rejected() {
    let ai = spawn().await;
    let (result, _) = generate(&ai.engine("gpt-9"), &request(Format::Caption, BRIEF, true)).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, EngineError::Rejected { detail } if detail.contains("model_not_found")),
        "{err:?}"
    );
    assert!(!err.retryable());
}

#[tokio::test]
async fn a_stream_cut_mid_answer_is_unavailable() {
    let ai = spawn().await;
    ai.fault(FaultKind::StreamCut);
    let (result, progress) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    let err = result.unwrap_err();
    assert!(matches!(err, EngineError::Unavailable { .. }), "{err:?}");
    assert!(err.retryable());
    assert!(!progress.pieces.is_empty());
}

#[tokio::test]
async fn an_answer_lost_after_its_headers_is_unavailable() {
    let ai = spawn().await;
    ai.fault(FaultKind::ResponseLost);
    let (result, _) = generate(
        &ai.engine("gpt-4o-mini"),
        &request(Format::Caption, BRIEF, true),
    )
    .await;
    assert!(matches!(
        result.unwrap_err(),
        EngineError::Unavailable { .. }
    ));
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let engine =
        OpenAiCompatible::new(OpenAiConfig::new(format!("http://{addr}/v1"), "llama3.1")).unwrap();
    let (result, _) = generate(&engine, &request(Format::Caption, BRIEF, true)).await;
    let err = result.unwrap_err();
    assert!(matches!(err, EngineError::Unavailable { .. }), "{err:?}");
    assert!(!err.to_string().contains(&addr.port().to_string()));
}

#[tokio::test]
async fn stopping_through_progress_cancels_the_call() {
    let ai = spawn_with(|c| {
        c.ai.latency = AiLatency {
            first_token_ms: 0,
            per_token_ms: 5,
        }
    })
    .await;
    let mut progress = Collect {
        stop_after: Some(3),
        ..Collect::default()
    };
    let result = ai
        .engine("gpt-4o-mini")
        .generate(&request(Format::Carousel, BRIEF, true), &mut progress)
        .await;
    assert_eq!(result.unwrap_err(), EngineError::Cancelled);
    assert_eq!(progress.pieces.len(), 3);
}

#[tokio::test]
async fn no_error_ever_shows_the_key() {
    let ai = spawn().await;
    let engine = ai.engine("gpt-4o-mini");
    let mut shown = Vec::new();
    for kind in [
        FaultKind::RateLimited,
        FaultKind::QuotaExhausted,
        FaultKind::ServerError,
        FaultKind::ContentFiltered,
        FaultKind::ExpiredToken,
        FaultKind::MissingPermission,
        FaultKind::StreamCut,
    ] {
        ai.fault(kind);
        let (result, _) = generate(&engine, &request(Format::Caption, BRIEF, true)).await;
        let err = result.unwrap_err();
        shown.push(err.to_string());
        shown.push(format!("{err:?}"));
    }
    shown.push(format!("{engine:?}"));
    for text in shown {
        assert!(!text.contains(&ai.key), "{text}");
    }
}
