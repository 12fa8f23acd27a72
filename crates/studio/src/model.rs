//! What the studio works with: formats, platforms, the content of a
//! template or a draft, tones, pillars and cadences.
//!
//! A template's [`Content`] and a draft's are the same shape: in a template
//! its strings hold `{slot}` placeholders, named by the template's
//! [`Slot`]s; in a draft they hold the text itself.

use std::collections::BTreeMap;

use herald_core::{PillarId, TemplateId, Timestamp, WorkspaceId};
use serde::{Deserialize, Serialize};

/// What a piece of content is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Format {
    /// A reel, short or TikTok script: hook, beats, call to action, shots.
    Script,
    /// A caption (with its hashtags).
    Caption,
    /// Carousel slides, each a title and a body, and the post's caption.
    Carousel,
    /// A thread-like post: several short parts read in order.
    Thread,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Script,
        Format::Caption,
        Format::Carousel,
        Format::Thread,
    ];
}

/// A platform a template fits and a generation writes for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Platform {
    Instagram,
    Facebook,
    Tiktok,
    Youtube,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Instagram,
        Platform::Facebook,
        Platform::Tiktok,
        Platform::Youtube,
    ];
}

/// A carousel slide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slide {
    pub title: String,
    pub body: String,
}

/// The text of a template or a draft, by format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Content {
    Script {
        /// The first seconds: why someone keeps watching.
        hook: String,
        /// What is said, beat by beat.
        beats: Vec<String>,
        /// What the viewer is asked to do.
        cta: String,
        /// Shot notes for whoever films it, one per shot.
        #[serde(default)]
        shots: Vec<String>,
        /// The caption the video is posted with.
        #[serde(default)]
        caption: String,
    },
    Caption {
        text: String,
        #[serde(default)]
        hashtags: Vec<String>,
    },
    Carousel {
        slides: Vec<Slide>,
        /// The caption the carousel is posted with.
        #[serde(default)]
        caption: String,
    },
    Thread {
        parts: Vec<String>,
    },
}

impl Content {
    pub fn format(&self) -> Format {
        match self {
            Content::Script { .. } => Format::Script,
            Content::Caption { .. } => Format::Caption,
            Content::Carousel { .. } => Format::Carousel,
            Content::Thread { .. } => Format::Thread,
        }
    }

    /// An empty piece of `format` (one empty beat, slide or part).
    pub fn empty(format: Format) -> Content {
        match format {
            Format::Script => Content::Script {
                hook: String::new(),
                beats: vec![String::new()],
                cta: String::new(),
                shots: Vec::new(),
                caption: String::new(),
            },
            Format::Caption => Content::Caption {
                text: String::new(),
                hashtags: Vec::new(),
            },
            Format::Carousel => Content::Carousel {
                slides: vec![Slide::default()],
                caption: String::new(),
            },
            Format::Thread => Content::Thread {
                parts: vec![String::new()],
            },
        }
    }

    /// Every string of the content, in reading order.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Content::Script {
                hook,
                beats,
                cta,
                shots,
                caption,
            } => std::iter::once(hook.as_str())
                .chain(beats.iter().map(String::as_str))
                .chain([cta.as_str()])
                .chain(shots.iter().map(String::as_str))
                .chain([caption.as_str()])
                .collect(),
            Content::Caption { text, hashtags } => std::iter::once(text.as_str())
                .chain(hashtags.iter().map(String::as_str))
                .collect(),
            Content::Carousel { slides, caption } => slides
                .iter()
                .flat_map(|s| [s.title.as_str(), s.body.as_str()])
                .chain([caption.as_str()])
                .collect(),
            Content::Thread { parts } => parts.iter().map(String::as_str).collect(),
        }
    }

    /// The content with `f` applied to every string.
    pub fn map_texts(&self, mut f: impl FnMut(&str) -> String) -> Content {
        match self {
            Content::Script {
                hook,
                beats,
                cta,
                shots,
                caption,
            } => Content::Script {
                hook: f(hook),
                beats: beats.iter().map(|s| f(s)).collect(),
                cta: f(cta),
                shots: shots.iter().map(|s| f(s)).collect(),
                caption: f(caption),
            },
            Content::Caption { text, hashtags } => Content::Caption {
                text: f(text),
                hashtags: hashtags.iter().map(|s| f(s)).collect(),
            },
            Content::Carousel { slides, caption } => Content::Carousel {
                slides: slides
                    .iter()
                    .map(|s| Slide {
                        title: f(&s.title),
                        body: f(&s.body),
                    })
                    .collect(),
                caption: f(caption),
            },
            Content::Thread { parts } => Content::Thread {
                parts: parts.iter().map(|s| f(s)).collect(),
            },
        }
    }
}

/// A named gap in a template, with a hint of what goes there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    /// The placeholder's name: `{name}` in the template's strings.
    pub name: String,
    pub hint: String,
}

/// A template, of the catalog (no workspace) or a workspace's own copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub id: TemplateId,
    /// `None`: the shipped catalog's; else the workspace whose copy it is.
    pub workspace: Option<WorkspaceId>,
    /// The catalog entry's stable name (a copy keeps its origin's).
    pub slug: String,
    /// `en` or `de`.
    pub locale: String,
    /// The niche's code (`fitness`, `food`, …).
    pub niche: String,
    pub format: Format,
    /// The platforms it fits.
    pub platforms: Vec<Platform>,
    pub title: String,
    pub description: String,
    pub slots: Vec<Slot>,
    /// The structure, with `{slot}` placeholders.
    pub content: Content,
    /// The catalog template a copy was made from.
    pub copied_from: Option<TemplateId>,
    /// A catalog template the seed no longer ships: kept for the drafts
    /// and copies that name it, no longer listed.
    pub retired: bool,
    pub updated_at: Timestamp,
}

/// A voice a draft is written in, with examples of what it does and
/// avoids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tone {
    /// Stable code (`warm`, `expert`, …): what a generation names.
    pub slug: String,
    pub locale: String,
    pub name: String,
    pub description: String,
    /// Example sentences in this tone.
    #[serde(rename = "do")]
    pub dos: Vec<String>,
    /// Example sentences it avoids.
    #[serde(rename = "dont")]
    pub donts: Vec<String>,
}

/// A niche of the catalog, with its name in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Niche {
    pub code: String,
    pub name: String,
}

/// A theme a workspace rotates through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pillar {
    pub id: PillarId,
    pub name: String,
    pub description: String,
}

/// How often a workspace posts: per platform a number of posts a week,
/// on preferred days at preferred times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cadence {
    /// Posts per week per platform.
    pub per_week: BTreeMap<Platform, u8>,
    /// Preferred days: `mon` … `sun`.
    pub days: Vec<String>,
    /// Preferred times of day, `HH:MM`.
    pub times: Vec<String>,
}

/// A cadence the catalog suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CadencePreset {
    pub slug: String,
    pub locale: String,
    pub name: String,
    pub description: String,
    pub cadence: Cadence,
}
