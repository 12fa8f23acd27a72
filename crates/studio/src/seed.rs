//! The shipped catalog: `seed/catalog.toml`, compiled in, applied as a
//! repeatable, versioned migration.
//!
//! The file carries a `version`; Herald stores the version and the file's
//! SHA-256 it last applied (`studio_seed`). At start, when either differs,
//! the catalog rows (those without a workspace) are brought to the file in
//! one transaction: entries are matched by `(slug, locale)`, changed ones
//! updated, new ones added, and ones the file no longer has marked retired
//! (kept for the drafts and copies that name them). A workspace's copies
//! and edits are rows of their own and are never touched. Applying the
//! same file again changes nothing.
//!
//! # Format
//!
//! ```toml
//! version = 1
//!
//! [[niches]]
//! code = "fitness"
//! en = "Fitness"
//! de = "Fitness"
//!
//! [[tones]]
//! slug = "warm"
//! [tones.en]
//! name = "Warm"
//! description = "…"
//! do = ["…"]
//! dont = ["…"]
//! [tones.de]
//! # the same fields
//!
//! [[cadences]]
//! slug = "steady"
//! days = ["mon", "wed", "fri"]
//! times = ["09:00", "18:00"]
//! per_week = { instagram = 3, tiktok = 3 }
//! [cadences.en]
//! name = "Steady"
//! description = "…"
//! [cadences.de]
//! name = "Beständig"
//! description = "…"
//!
//! [[templates]]
//! slug = "fitness-myth-buster"
//! niche = "fitness"
//! platforms = ["instagram", "tiktok", "youtube"]
//! [templates.en]
//! title = "Myth buster"
//! description = "…"
//! slots = [{ name = "myth", hint = "…" }, { name = "truth", hint = "…" }]
//! content = { format = "script", hook = "Stop believing {myth}.", beats = ["…"], cta = "…", shots = ["…"], caption = "…" }
//! [templates.de]
//! # the same fields, in German
//! ```
//!
//! Every template has both languages with the same slots, and every
//! `{placeholder}` in its content names one of its slots.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::model::{Cadence, Content, Format, Platform, Slot};

/// The catalog file as shipped.
pub const CATALOG: &str = include_str!("../seed/catalog.toml");

/// The languages every catalog entry has.
pub const LOCALES: [&str; 2] = ["en", "de"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    pub version: i64,
    pub niches: Vec<SeedNiche>,
    pub tones: Vec<SeedTone>,
    pub cadences: Vec<SeedCadence>,
    pub templates: Vec<SeedTemplate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedNiche {
    pub code: String,
    pub en: String,
    pub de: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTone {
    pub slug: String,
    pub en: ToneText,
    pub de: ToneText,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToneText {
    pub name: String,
    pub description: String,
    #[serde(rename = "do")]
    pub dos: Vec<String>,
    #[serde(rename = "dont")]
    pub donts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCadence {
    pub slug: String,
    pub days: Vec<String>,
    pub times: Vec<String>,
    pub per_week: BTreeMap<Platform, u8>,
    pub en: NamedText,
    pub de: NamedText,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedText {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTemplate {
    pub slug: String,
    pub niche: String,
    pub platforms: Vec<Platform>,
    pub en: TemplateText,
    pub de: TemplateText,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateText {
    pub title: String,
    pub description: String,
    pub slots: Vec<Slot>,
    pub content: Content,
}

impl SeedCadence {
    pub fn cadence(&self) -> Cadence {
        Cadence {
            per_week: self.per_week.clone(),
            days: self.days.clone(),
            times: self.times.clone(),
        }
    }
}

impl SeedTemplate {
    pub fn text(&self, locale: &str) -> &TemplateText {
        if locale == "de" { &self.de } else { &self.en }
    }

    pub fn format(&self) -> Format {
        self.en.content.format()
    }
}

/// Why the shipped catalog is not usable (a test holds that it is).
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the catalog is not valid TOML of the seed format: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("catalog entry {0}: {1}")]
    Invalid(String, String),
}

/// The `{name}` placeholders of `text`, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

impl SeedFile {
    /// Reads and checks a catalog file.
    pub fn parse(text: &str) -> Result<SeedFile, SeedError> {
        let file: SeedFile = toml::from_str(text)?;
        file.check()?;
        Ok(file)
    }

    /// The shipped catalog.
    pub fn shipped() -> Result<SeedFile, SeedError> {
        SeedFile::parse(CATALOG)
    }

    /// SHA-256 of `text`, hex: what tells a changed file from the applied one.
    pub fn checksum(text: &str) -> String {
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn check(&self) -> Result<(), SeedError> {
        let bad = |slug: &str, why: String| Err(SeedError::Invalid(slug.to_owned(), why));
        let niches: BTreeSet<&str> = self.niches.iter().map(|n| n.code.as_str()).collect();
        let mut slugs = BTreeSet::new();
        for t in &self.templates {
            if !slugs.insert(t.slug.as_str()) {
                return bad(&t.slug, "the slug is used twice".into());
            }
            if !niches.contains(t.niche.as_str()) {
                return bad(&t.slug, format!("unknown niche {}", t.niche));
            }
            if t.platforms.is_empty() {
                return bad(&t.slug, "it fits no platform".into());
            }
            if t.en.content.format() != t.de.content.format() {
                return bad(&t.slug, "the languages have different formats".into());
            }
            for text in [&t.en, &t.de] {
                let names: BTreeSet<&str> = text.slots.iter().map(|s| s.name.as_str()).collect();
                for s in text.content.texts() {
                    for p in placeholders(s) {
                        if !names.contains(p) {
                            return bad(&t.slug, format!("{{{p}}} names no slot"));
                        }
                    }
                }
            }
            let en: Vec<&str> = t.en.slots.iter().map(|s| s.name.as_str()).collect();
            let de: Vec<&str> = t.de.slots.iter().map(|s| s.name.as_str()).collect();
            if en != de {
                return bad(&t.slug, "the languages have different slots".into());
            }
        }
        let mut tones = BTreeSet::new();
        for t in &self.tones {
            if !tones.insert(t.slug.as_str()) {
                return bad(&t.slug, "the tone slug is used twice".into());
            }
        }
        for c in &self.cadences {
            for d in &c.days {
                if !["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(&d.as_str()) {
                    return bad(&c.slug, format!("unknown day {d}"));
                }
            }
            for t in &c.times {
                if jiff::civil::Time::strptime("%H:%M", t).is_err() {
                    return bad(&c.slug, format!("time {t} is not HH:MM"));
                }
            }
        }
        Ok(())
    }
}
