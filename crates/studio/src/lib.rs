//! The content studio.
//!
//! - The catalog (catalog.rs, seed.rs): templates, tones, niches and
//!   cadence presets shipped in `seed/catalog.toml` and applied as a
//!   repeatable migration; a workspace's template copies, pillars and
//!   cadence plan.
//! - Generation (engine/, prompt.rs, generate.rs): the
//!   [`ContentGenerationEngine`] port, its OpenAI-compatible and built-in
//!   adapters, the prompt, and the `studio.generate.v1` job that runs a
//!   request, streams its text to the page and stores the draft.
//! - Guardrails (usage.rs, redact.rs): quotas per workspace and member,
//!   checked and counted in one conditional update; the cost ledger; the
//!   redaction of what must not leave Herald; an audit entry per call.
//! - Drafts (drafts.rs): every save a version, diffs, restore, bookmarks,
//!   and the per-platform variants the composer is opened with.
//! - Links (links.rs): which draft a post was composed from, and so its
//!   pillar.
//!
//! The crate owns every `studio_*` table.

pub mod catalog;
pub(crate) mod check;
pub mod drafts;
pub mod engine;
mod error;
pub mod generate;
pub mod links;
pub mod model;
pub mod prompt;
pub mod redact;
pub mod seed;
pub mod usage;

use std::sync::Arc;

use herald_core::{Clock, Timestamp};
use herald_db::Db;
use herald_jobs::{Queue, Registry};

pub use catalog::{CadencePlan, SeedApplied, TemplateEdit, TemplateFilter};
pub use check::{MAX_BRIEF, MAX_CONTENT};
pub use drafts::{
    Bookmark, BookmarkKind, Change, ComposerVariant, Draft, DraftExport, DraftSummary, NewDraft,
    Save, StudioExport, VersionSummary, VersionView,
};
pub use engine::{
    ContentGenerationEngine, EngineError, EngineInfo, Generated, Message, Progress, Request,
    Schema, Stopped, Usage,
};
pub use error::{QuotaHit, StudioError};
pub use generate::{
    GenerateDraft, GenerationFailure, GenerationRequest, GenerationStatus, GenerationView,
};
pub use model::{
    Cadence, CadencePreset, Content, Format, Niche, Pillar, Platform, Slide, Slot, Template, Tone,
};
pub use usage::{Limit, Prices, Quotas, UsageReport};

/// The wake-up channel of a generation's live page
/// (`herald_db::Notifications`), with the generation id as its topic: each
/// flush of streamed text and the end wake it.
pub const GENERATION_CHANNEL: &str = "studio_generation";

/// What the studio is configured with.
#[derive(Debug, Clone)]
pub struct StudioSettings {
    /// Prices per model, for the cost ledger.
    pub prices: Prices,
    /// The quotas of a workspace that set none.
    pub default_quotas: Quotas,
    /// The most output tokens one generation may use.
    pub max_output_tokens: u32,
}

impl Default for StudioSettings {
    fn default() -> Self {
        StudioSettings {
            prices: Prices::default(),
            default_quotas: Quotas::default(),
            max_output_tokens: 1500,
        }
    }
}

/// The studio's use cases. Cheap to clone.
#[derive(Clone)]
pub struct Studio {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    engine: Arc<dyn ContentGenerationEngine>,
    settings: StudioSettings,
}

impl Studio {
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        engine: Arc<dyn ContentGenerationEngine>,
        settings: StudioSettings,
    ) -> Studio {
        Studio {
            inner: Arc::new(Inner {
                db,
                queue,
                clock,
                engine,
                settings,
            }),
        }
    }

    /// The engine generations run on.
    pub fn engine(&self) -> EngineInfo {
        self.inner.engine.info()
    }

    pub fn settings(&self) -> &StudioSettings {
        &self.inner.settings
    }

    fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Registers the studio's job handlers.
    pub fn register(&self, registry: &mut Registry) {
        registry.register::<GenerateDraft, _>(generate::GenerateHandler(self.clone()));
    }
}
