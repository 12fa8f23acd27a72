//! The `ContentGenerationEngine` port: what writes a draft from a brief.
//!
//! Two adapters sit side by side:
//! - [`openai::OpenAiCompatible`]: chat completions of any server that
//!   speaks OpenAI's API (OpenAI itself, Ollama, vLLM, llama.cpp's
//!   server), streamed, with structured output for the formats that have a
//!   shape.
//! - [`builtin::Builtin`]: the offline default. It fills the template's
//!   slots from the brief, pillar, tone and platform rules, the same way
//!   every time, and says so ("template draft (no AI)").
//!
//! The studio hands an engine a [`Request`] whose text is already
//! redacted; the engine never sees what redaction removed.

pub mod builtin;
pub mod openai;

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::{Content, Format, Pillar, Platform, Template, Tone};

/// Which engine wrote something, as stored beside its output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineInfo {
    /// `openai_compatible` or `builtin`.
    pub engine: String,
    /// The model asked (`builtin` for the offline engine).
    pub model: String,
    /// Whether a language model writes (false: the offline template
    /// filler, labelled "template draft (no AI)").
    pub ai: bool,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    pub content: String,
}

/// What an engine is asked to write. Every text in it is redacted.
#[derive(Debug, Clone)]
pub struct Request {
    pub format: Format,
    /// The language to write in: `en` or `de`.
    pub locale: String,
    /// The template it starts from (its strings hold `{slot}`
    /// placeholders), if any.
    pub template: Option<Template>,
    pub tone: Option<Tone>,
    pub pillar: Option<Pillar>,
    pub platform: Option<Platform>,
    /// What the person wants, in their words.
    pub brief: String,
    /// The conversation a chat model is sent, built from the fields above
    /// by the studio's prompt (its version is stored with the result).
    pub messages: Vec<Message>,
    /// The JSON Schema the answer must follow (structured output), named;
    /// `None` for free text.
    pub schema: Option<Schema>,
    /// The most output tokens the answer may use.
    pub max_output_tokens: u32,
}

/// A named JSON Schema for structured output.
#[derive(Debug, Clone)]
pub struct Schema {
    pub name: String,
    pub schema: serde_json::Value,
}

/// Tokens one call used, as the engine reported them (the built-in engine
/// reports none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub input_tokens: u32,
    pub output_tokens: u32,
}

/// What an engine wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The whole answer as text (JSON when a schema was asked for).
    pub text: String,
    /// The answer read as content of the request's format. The built-in
    /// engine gives it directly; a chat answer is parsed by the studio.
    pub content: Option<Content>,
    pub usage: Usage,
    /// The model that answered, as it named itself.
    pub model: String,
}

/// The studio stopped the generation (it was cancelled): the engine drops
/// the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// Where an engine sends the text as it streams in.
#[async_trait]
pub trait Progress: Send {
    /// `delta` arrived. `Err(Stopped)`: stop and return
    /// [`EngineError::Cancelled`].
    async fn text(&mut self, delta: &str) -> Result<(), Stopped>;
}

/// A progress sink that keeps nothing (tests, benchmarks).
pub struct Discard;

#[async_trait]
impl Progress for Discard {
    async fn text(&mut self, _delta: &str) -> Result<(), Stopped> {
        Ok(())
    }
}

/// Why a generation failed, by what can be done about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// 429: too many requests or tokens for now. Try again after
    /// `retry_after` (from `retry-after` or `x-ratelimit-reset-*`).
    #[error("the AI service is rate limiting ({detail})")]
    RateLimited {
        retry_after: Option<Duration>,
        detail: String,
    },
    /// 5xx, a refused or dropped connection before an answer: the service
    /// did not do the work.
    #[error("the AI service is unavailable ({detail})")]
    Unavailable { detail: String },
    /// No answer in time.
    #[error("the AI service did not answer in time")]
    Timeout,
    /// The prompt and the answer do not fit the model's context.
    #[error("the request is too long for the model ({detail})")]
    ContextTooLong { detail: String },
    /// The service's content filter refused the prompt or cut the answer.
    #[error("the AI service's content filter refused it")]
    ContentFiltered,
    /// 401/403: the key is wrong or lacks access to the model.
    #[error("the AI service refused the credentials ({detail})")]
    Unauthorized { detail: String },
    /// Any other refusal (400, 404 unknown model, 422): the same request
    /// fails the same way again.
    #[error("the AI service refused the request ({detail})")]
    Rejected { detail: String },
    /// An answer that is not what the API promises (unparseable, no
    /// choice, not the asked schema).
    #[error("the AI service's answer could not be read ({detail})")]
    Malformed { detail: String },
    /// The studio stopped it.
    #[error("the generation was cancelled")]
    Cancelled,
}

impl EngineError {
    /// The stored code of the class.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::RateLimited { .. } => "rate_limited",
            EngineError::Unavailable { .. } => "unavailable",
            EngineError::Timeout => "timeout",
            EngineError::ContextTooLong { .. } => "context_too_long",
            EngineError::ContentFiltered => "content_filtered",
            EngineError::Unauthorized { .. } => "unauthorized",
            EngineError::Rejected { .. } => "rejected",
            EngineError::Malformed { .. } => "malformed",
            EngineError::Cancelled => "cancelled",
        }
    }

    /// Whether another attempt may succeed (the job retries these).
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            EngineError::RateLimited { .. }
                | EngineError::Unavailable { .. }
                | EngineError::Timeout
        )
    }

    /// How long to wait before the next attempt, when the service said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            EngineError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The port.
#[async_trait]
pub trait ContentGenerationEngine: Send + Sync {
    /// Which engine and model this is.
    fn info(&self) -> EngineInfo;

    /// Writes what `request` asks for, sending text to `progress` as it
    /// arrives.
    async fn generate(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
    ) -> Result<Generated, EngineError>;
}
