//! The built-in offline engine: fills a template's slots from the brief,
//! deterministically, and says it is no AI.

use async_trait::async_trait;

use super::{
    ContentGenerationEngine, EngineError, EngineInfo, Generated, Progress, Request, Usage,
};
use crate::model::Content;

/// The offline default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

#[async_trait]
impl ContentGenerationEngine for Builtin {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            engine: "builtin".into(),
            model: "builtin".into(),
            ai: false,
        }
    }

    async fn generate(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
    ) -> Result<Generated, EngineError> {
        let brief = request.brief.trim();
        let content = match &request.template {
            Some(t) => t.content.map_texts(|s| {
                let mut out = s.to_owned();
                for slot in &t.slots {
                    out = out.replace(&format!("{{{}}}", slot.name), brief);
                }
                out
            }),
            None => Content::empty(request.format).map_texts(|_| brief.to_owned()),
        };
        let text = serde_json::to_string(&content).unwrap_or_default();
        for piece in text.as_bytes().chunks(64) {
            progress
                .text(&String::from_utf8_lossy(piece))
                .await
                .map_err(|_| EngineError::Cancelled)?;
        }
        Ok(Generated {
            text,
            content: Some(content),
            usage: Usage::default(),
            model: "builtin".into(),
        })
    }
}
