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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn shipped() -> SeedFile {
        SeedFile::shipped().expect("the shipped catalog parses and passes its checks")
    }

    #[test]
    fn the_shipped_catalog_meets_the_promised_counts() {
        let file = shipped();
        assert_eq!(file.version, 1);
        assert_eq!(file.niches.len(), 6);
        assert!(file.tones.len() >= 8, "{} tones", file.tones.len());
        assert!(file.cadences.len() >= 4, "{} cadences", file.cadences.len());
        assert!(
            file.templates.len() >= 40,
            "{} templates",
            file.templates.len()
        );
        let mut per_niche: BTreeMap<&str, usize> = BTreeMap::new();
        for t in &file.templates {
            *per_niche.entry(t.niche.as_str()).or_default() += 1;
        }
        for n in &file.niches {
            let count = per_niche.get(n.code.as_str()).copied().unwrap_or(0);
            assert!(count >= 6, "niche {} has {count} templates", n.code);
        }
        let formats: BTreeSet<Format> = file.templates.iter().map(SeedTemplate::format).collect();
        assert_eq!(formats, Format::ALL.into_iter().collect());
        for f in Format::ALL {
            for n in &file.niches {
                let any = file
                    .templates
                    .iter()
                    .any(|t| t.niche == n.code && t.format() == f);
                assert!(any, "niche {} has no {f:?} template", n.code);
            }
        }
        let fitted: BTreeSet<Platform> = file
            .templates
            .iter()
            .flat_map(|t| t.platforms.iter().copied())
            .collect();
        assert_eq!(fitted, Platform::ALL.into_iter().collect());
    }

    #[test]
    fn every_entry_has_both_languages_filled_in() {
        let file = shipped();
        for n in &file.niches {
            assert!(
                !n.en.trim().is_empty() && !n.de.trim().is_empty(),
                "{}",
                n.code
            );
        }
        for t in &file.tones {
            for (lang, text) in [("en", &t.en), ("de", &t.de)] {
                let what = format!("tone {} ({lang})", t.slug);
                assert!(!text.name.trim().is_empty(), "{what}: name");
                assert!(!text.description.trim().is_empty(), "{what}: description");
                assert!((2..=3).contains(&text.dos.len()), "{what}: do examples");
                assert!((2..=3).contains(&text.donts.len()), "{what}: dont examples");
                assert!(
                    text.dos
                        .iter()
                        .chain(&text.donts)
                        .all(|s| !s.trim().is_empty()),
                    "{what}: an empty example"
                );
            }
            assert_ne!(t.en.dos, t.de.dos, "tone {}: the German is a copy", t.slug);
        }
        for c in &file.cadences {
            assert!(!c.en.name.is_empty() && !c.de.name.is_empty(), "{}", c.slug);
            assert!(!c.days.is_empty() && !c.times.is_empty(), "{}", c.slug);
            for p in Platform::ALL {
                assert!(
                    c.per_week.contains_key(&p),
                    "cadence {} names no {p:?}",
                    c.slug
                );
            }
            assert!(c.per_week.values().any(|n| *n > 0), "{}", c.slug);
        }
        for t in &file.templates {
            assert_ne!(
                t.en.title, t.de.title,
                "{}: the title is not translated",
                t.slug
            );
            for locale in LOCALES {
                let text = t.text(locale);
                assert!(!text.title.trim().is_empty(), "{} {locale}", t.slug);
                assert!(!text.description.trim().is_empty(), "{} {locale}", t.slug);
                assert!(!text.slots.is_empty(), "{} {locale}: no slots", t.slug);
                assert!(
                    text.slots.iter().all(|s| !s.hint.trim().is_empty()),
                    "{} {locale}: a slot without a hint",
                    t.slug
                );
            }
        }
    }

    #[test]
    fn templates_have_the_shape_of_their_format_and_fit_the_platforms() {
        for t in &shipped().templates {
            for locale in LOCALES {
                let text = t.text(locale);
                let what = format!("{} ({locale})", t.slug);
                crate::check::content(&text.content).unwrap_or_else(|e| panic!("{what}: {e}"));
                crate::check::slots(&text.slots).unwrap_or_else(|e| panic!("{what}: {e}"));
                // Every slot is used somewhere, so none asks for work that
                // is thrown away.
                let used: BTreeSet<&str> = text
                    .content
                    .texts()
                    .into_iter()
                    .flat_map(placeholders)
                    .collect();
                for s in &text.slots {
                    assert!(used.contains(s.name.as_str()), "{what}: {} unused", s.name);
                }
                match &text.content {
                    Content::Script {
                        hook,
                        beats,
                        cta,
                        shots,
                        caption,
                    } => {
                        // The hook becomes the YouTube title: room for slots.
                        assert!(hook.chars().count() <= 70, "{what}: hook too long");
                        assert!((3..=6).contains(&beats.len()), "{what}: beats");
                        assert!((3..=5).contains(&shots.len()), "{what}: shots");
                        assert!(!cta.is_empty() && !caption.is_empty(), "{what}");
                        assert!(caption.chars().count() <= 600, "{what}: caption");
                    }
                    Content::Caption { text, hashtags } => {
                        assert!(text.chars().count() <= 600, "{what}: text");
                        assert!((1..=5).contains(&hashtags.len()), "{what}: hashtags");
                        for h in hashtags {
                            assert!(
                                h.starts_with('#')
                                    && h[1..].chars().all(|c| c.is_alphanumeric() || c == '_'),
                                "{what}: hashtag {h}"
                            );
                        }
                    }
                    Content::Carousel { slides, caption } => {
                        assert!((4..=8).contains(&slides.len()), "{what}: slides");
                        assert!(
                            slides
                                .iter()
                                .all(|s| !s.title.is_empty() && !s.body.is_empty()),
                            "{what}: an empty slide"
                        );
                        assert!(!caption.is_empty() && caption.chars().count() <= 600);
                    }
                    Content::Thread { parts } => {
                        assert!((3..=6).contains(&parts.len()), "{what}: parts");
                        assert!(parts.iter().all(|p| p.chars().count() <= 280), "{what}");
                    }
                }
                for s in text.content.texts() {
                    assert!(!s.contains(['<', '>']), "{what}: YouTube refuses < and >");
                }
            }
        }
    }

    #[test]
    fn a_changed_catalog_has_a_new_checksum_and_bad_ones_are_refused() {
        assert_eq!(SeedFile::checksum(CATALOG), SeedFile::checksum(CATALOG));
        assert_ne!(
            SeedFile::checksum(CATALOG),
            SeedFile::checksum(&format!("{CATALOG}\n"))
        );
        let unknown_slot = CATALOG.replacen("{myth}", "{nothing_like_it}", 1);
        assert!(matches!(
            SeedFile::parse(&unknown_slot),
            Err(SeedError::Invalid(slug, _)) if slug == "fitness-myth-buster"
        ));
        let twice = format!(
            "{CATALOG}\n[[tones]]\nslug = \"warm\"\n[tones.en]\nname = \"a\"\ndescription = \"b\"\ndo = []\ndont = []\n[tones.de]\nname = \"a\"\ndescription = \"b\"\ndo = []\ndont = []\n"
        );
        assert!(matches!(
            SeedFile::parse(&twice),
            Err(SeedError::Invalid(slug, _)) if slug == "warm"
        ));
        assert!(matches!(
            SeedFile::parse("version = 1\nniches = 3"),
            Err(SeedError::Parse(_))
        ));
    }
}
