//! The learning hub's guides: shipped in `seed/guides.toml` (English and
//! German, each tagged with the signals it helps with) and applied at start
//! as a repeatable migration, like the studio's catalog.
//!
//! The file carries a `version`; `analytics_seed` keeps the version and the
//! SHA-256 of the file last applied. At start the stored checksum is asked
//! first: the same file (every start but the first after an upgrade) is not
//! even parsed. A changed file is applied in one transaction: rows of
//! `analytics_guides` are matched by `(slug, locale)`, changed ones updated,
//! new ones added, and ones the file no longer has marked `retired` (never
//! listed again). A stored version newer than the file's (an older binary
//! started after a newer one) is left alone.
//!
//! # Format
//!
//! ```toml
//! version = 1
//!
//! [[guides]]
//! slug = "hooks-first-seconds"
//! topic = "hooks"                 # one of TOPICS
//! signals = ["format_unused"]     # model::Signal, snake_case
//! platforms = ["instagram"]       # optional: what it is most about
//! formats = ["reel", "short"]     # optional: analytics_posts.format values
//! minutes = 3
//! [guides.en]
//! title = "…"
//! summary = "…"
//! body = """
//! A paragraph.
//!
//! ## A heading
//!
//! - a list item
//! """
//! [guides.de]
//! # the same fields, in German
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use herald_core::{Named, Timestamp};
use herald_db::{Db, DbTime, on_pool, on_tx};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{Analytics, AnalyticsError, Guide, Platform, Signal};

/// The guides file as shipped.
pub const GUIDES: &str = include_str!("../seed/guides.toml");

/// The languages every guide has; English is the fallback.
pub const LOCALES: [&str; 2] = ["en", "de"];

/// The topics, in the order the hub lists them.
pub const TOPICS: [&str; 7] = [
    "filming",
    "hooks",
    "tone",
    "accessibility",
    "formats",
    "planning",
    "analytics",
];

/// The seed's name in `analytics_seed`.
const SEED_NAME: &str = "guides";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    pub version: i64,
    pub guides: Vec<SeedGuide>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGuide {
    pub slug: String,
    pub topic: String,
    pub signals: Vec<Signal>,
    #[serde(default)]
    pub platforms: Vec<Platform>,
    #[serde(default)]
    pub formats: Vec<String>,
    pub minutes: u32,
    pub en: GuideText,
    pub de: GuideText,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideText {
    pub title: String,
    pub summary: String,
    pub body: String,
}

impl SeedGuide {
    pub fn text(&self, locale: &str) -> &GuideText {
        if locale == "de" { &self.de } else { &self.en }
    }
}

/// What applying the seed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuidesApplied {
    /// Whether anything was written (false: this file was applied before,
    /// or a newer one was).
    pub applied: bool,
    pub version: i64,
    pub added: u32,
    pub updated: u32,
    pub retired: u32,
}

impl SeedFile {
    /// Reads and checks a guides file.
    pub fn parse(text: &str) -> Result<SeedFile, AnalyticsError> {
        let file: SeedFile =
            toml::from_str(text).map_err(|e| AnalyticsError::Seed(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// The shipped guides.
    pub fn shipped() -> Result<SeedFile, AnalyticsError> {
        SeedFile::parse(GUIDES)
    }

    /// SHA-256 of `text`, hex.
    pub fn checksum(text: &str) -> String {
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn check(&self) -> Result<(), AnalyticsError> {
        let bad = |slug: &str, why: &str| Err(AnalyticsError::Seed(format!("guide {slug}: {why}")));
        let mut slugs = BTreeSet::new();
        for g in &self.guides {
            if g.slug.is_empty()
                || !g
                    .slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return bad(&g.slug, "a slug is lower-case letters, digits and dashes");
            }
            if !slugs.insert(g.slug.as_str()) {
                return bad(&g.slug, "the slug is used twice");
            }
            if !TOPICS.contains(&g.topic.as_str()) {
                return bad(&g.slug, "unknown topic");
            }
            if g.signals.is_empty() {
                return bad(&g.slug, "it helps with no signal");
            }
            if !(1..=30).contains(&g.minutes) {
                return bad(&g.slug, "reading time is 1 to 30 minutes");
            }
            for locale in LOCALES {
                let t = g.text(locale);
                if t.title.trim().is_empty()
                    || t.summary.trim().is_empty()
                    || t.body.trim().is_empty()
                {
                    return bad(&g.slug, "a language lacks its title, summary or body");
                }
            }
        }
        Ok(())
    }
}

/// The shipped file, parsed once (what recommendations match guides by).
pub(crate) fn shipped_once() -> Option<&'static SeedFile> {
    static FILE: OnceLock<Option<SeedFile>> = OnceLock::new();
    FILE.get_or_init(|| SeedFile::shipped().ok()).as_ref()
}

/// The language a guide is read in: `de…` is German, anything else English.
pub fn locale_of(locale: &str) -> &'static str {
    if locale.starts_with("de") { "de" } else { "en" }
}

fn signals_json(signals: &[Signal]) -> String {
    let names: Vec<&str> = signals.iter().map(|s| s.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_default()
}

/// Applies the shipped guides when the file changed since the last start.
pub async fn apply_seed(db: &Db, now: Timestamp) -> Result<(), AnalyticsError> {
    let checksum = SeedFile::checksum(GUIDES);
    let stored: Option<String> = on_pool!(db, |pool| {
        sqlx::query_scalar("SELECT checksum FROM analytics_seed WHERE name = $1")
            .bind(SEED_NAME)
            .fetch_optional(pool)
            .await?
    });
    if stored.as_deref() == Some(checksum.as_str()) {
        return Ok(());
    }
    let file = SeedFile::shipped()?;
    apply_seed_file(db, &file, &checksum, now).await?;
    Ok(())
}

type StoredGuide = (String, String, String, String, String, i32, bool);

/// [`apply_seed`] with a given file (tests apply other versions).
pub async fn apply_seed_file(
    db: &Db,
    file: &SeedFile,
    checksum: &str,
    now: Timestamp,
) -> Result<GuidesApplied, AnalyticsError> {
    let mut tx = db.begin().await?;
    let applied: Option<(i64, String)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT version, checksum FROM analytics_seed WHERE name = $1")
            .bind(SEED_NAME)
            .fetch_optional(conn)
            .await?
    });
    if let Some((version, sum)) = &applied {
        if *version == file.version && sum == checksum {
            return Ok(GuidesApplied {
                version: *version,
                ..GuidesApplied::default()
            });
        }
        if *version > file.version {
            tracing::warn!(
                stored = version,
                shipped = file.version,
                "the stored guides are newer than this build's; leaving them"
            );
            return Ok(GuidesApplied {
                version: *version,
                ..GuidesApplied::default()
            });
        }
    }
    let mut out = GuidesApplied {
        applied: true,
        version: file.version,
        ..GuidesApplied::default()
    };
    for g in &file.guides {
        let signals = signals_json(&g.signals);
        let minutes = i32::try_from(g.minutes).unwrap_or(i32::MAX);
        for locale in LOCALES {
            let t = g.text(locale);
            let existing: Option<StoredGuide> = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "SELECT topic, title, summary, body, signals, minutes, retired \
                     FROM analytics_guides WHERE slug = $1 AND locale = $2",
                )
                .bind(&g.slug)
                .bind(locale)
                .fetch_optional(conn)
                .await?
            });
            let wanted = (
                g.topic.as_str(),
                t.title.as_str(),
                t.summary.as_str(),
                t.body.as_str(),
                signals.as_str(),
                minutes,
            );
            match existing {
                Some(row) => {
                    let same = (
                        row.0.as_str(),
                        row.1.as_str(),
                        row.2.as_str(),
                        row.3.as_str(),
                        row.4.as_str(),
                        row.5,
                    ) == wanted
                        && !row.6;
                    if same {
                        continue;
                    }
                    on_tx!(tx, |conn| {
                        sqlx::query(
                            "UPDATE analytics_guides SET topic = $3, title = $4, summary = $5, \
                             body = $6, signals = $7, minutes = $8, retired = FALSE \
                             WHERE slug = $1 AND locale = $2",
                        )
                        .bind(&g.slug)
                        .bind(locale)
                        .bind(wanted.0)
                        .bind(wanted.1)
                        .bind(wanted.2)
                        .bind(wanted.3)
                        .bind(wanted.4)
                        .bind(wanted.5)
                        .execute(conn)
                        .await?;
                    });
                    out.updated += 1;
                }
                None => {
                    on_tx!(tx, |conn| {
                        sqlx::query(
                            "INSERT INTO analytics_guides (slug, locale, topic, title, summary, body, \
                             signals, minutes, retired) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE)",
                        )
                        .bind(&g.slug)
                        .bind(locale)
                        .bind(wanted.0)
                        .bind(wanted.1)
                        .bind(wanted.2)
                        .bind(wanted.3)
                        .bind(wanted.4)
                        .bind(wanted.5)
                        .execute(conn)
                        .await?;
                    });
                    out.added += 1;
                }
            }
        }
    }
    // What the file no longer ships is retired, not deleted.
    let shipped: BTreeSet<(&str, &str)> = file
        .guides
        .iter()
        .flat_map(|g| LOCALES.map(|l| (g.slug.as_str(), l)))
        .collect();
    let live: Vec<(String, String)> = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT slug, locale FROM analytics_guides WHERE NOT retired")
            .fetch_all(conn)
            .await?
    });
    for (slug, locale) in live {
        if shipped.contains(&(slug.as_str(), locale.as_str())) {
            continue;
        }
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE analytics_guides SET retired = TRUE WHERE slug = $1 AND locale = $2",
            )
            .bind(&slug)
            .bind(&locale)
            .execute(conn)
            .await?;
        });
        out.retired += 1;
    }
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM analytics_seed WHERE name = $1")
            .bind(SEED_NAME)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO analytics_seed (name, version, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(SEED_NAME)
        .bind(file.version)
        .bind(checksum)
        .bind(DbTime(now))
        .execute(conn)
        .await?;
    });
    tx.commit().await?;
    tracing::info!(
        version = out.version,
        added = out.added,
        updated = out.updated,
        retired = out.retired,
        "applied the learning hub's guides"
    );
    Ok(out)
}

type GuideRow = (String, String, String, String, String, String, String, i32);

fn guide_of(row: GuideRow) -> Result<Guide, AnalyticsError> {
    let (slug, locale, topic, title, summary, body, signals, minutes) = row;
    let names: Vec<String> = serde_json::from_str(&signals)
        .map_err(|e| AnalyticsError::Corrupt(format!("guide {slug} signals: {e}")))?;
    let signals = names
        .iter()
        .map(|n| {
            Signal::parse(n)
                .ok_or_else(|| AnalyticsError::Corrupt(format!("guide {slug}: signal {n}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Guide {
        slug,
        locale,
        topic,
        title,
        summary,
        body,
        signals,
        minutes: u32::try_from(minutes).unwrap_or(0),
    })
}

/// Keeps, per slug, the row in `locale` when there is one, else the
/// English one.
fn prefer(rows: Vec<GuideRow>, locale: &str) -> Vec<GuideRow> {
    let mut by_slug: BTreeMap<String, GuideRow> = BTreeMap::new();
    for row in rows {
        let keep = match by_slug.get(&row.0) {
            Some(have) => have.1 != locale && row.1 == locale,
            None => true,
        };
        if keep {
            by_slug.insert(row.0.clone(), row);
        }
    }
    by_slug.into_values().collect()
}

const GUIDE_COLUMNS: &str = "slug, locale, topic, title, summary, body, signals, minutes";

impl Analytics {
    /// The guides in `locale` (English when it has none), helping with
    /// `signal` when one is given; by topic, then title.
    pub async fn guides(
        &self,
        locale: &str,
        signal: Option<Signal>,
    ) -> Result<Vec<Guide>, AnalyticsError> {
        let locale = locale_of(locale);
        let sql = format!(
            "SELECT {GUIDE_COLUMNS} FROM analytics_guides \
             WHERE NOT retired AND (locale = $1 OR locale = 'en')"
        );
        let rows: Vec<GuideRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(locale)
                .fetch_all(pool)
                .await?
        });
        let mut guides = prefer(rows, locale)
            .into_iter()
            .map(guide_of)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(s) = signal {
            guides.retain(|g| g.signals.contains(&s));
        }
        let topic = |t: &str| TOPICS.iter().position(|x| *x == t).unwrap_or(TOPICS.len());
        guides.sort_by(|a, b| {
            (topic(&a.topic), &a.title, &a.slug).cmp(&(topic(&b.topic), &b.title, &b.slug))
        });
        Ok(guides)
    }

    /// One guide in `locale` (English when it has none in it).
    pub async fn guide(&self, slug: &str, locale: &str) -> Result<Guide, AnalyticsError> {
        let locale = locale_of(locale);
        let sql = format!(
            "SELECT {GUIDE_COLUMNS} FROM analytics_guides \
             WHERE slug = $1 AND NOT retired AND (locale = $2 OR locale = 'en')"
        );
        let rows: Vec<GuideRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(slug)
                .bind(locale)
                .fetch_all(pool)
                .await?
        });
        prefer(rows, locale)
            .into_iter()
            .next()
            .ok_or(AnalyticsError::GuideNotFound)
            .and_then(guide_of)
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    fn shipped() -> SeedFile {
        SeedFile::shipped().expect("the shipped guides parse and pass their checks")
    }

    fn words(text: &str) -> usize {
        text.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count()
    }

    #[test]
    fn the_shipped_guides_cover_every_topic_and_signal() {
        let file = shipped();
        assert!(file.version >= 1);
        assert!(file.guides.len() >= 14, "{} guides", file.guides.len());
        for topic in TOPICS {
            assert!(
                file.guides.iter().any(|g| g.topic == topic),
                "no guide on {topic}"
            );
        }
        for signal in Signal::iter() {
            assert!(
                file.guides.iter().any(|g| g.signals.contains(&signal)),
                "no guide helps with {signal:?}"
            );
        }
        for p in Platform::ALL {
            assert!(
                file.guides.iter().any(|g| g.platforms.contains(&p)),
                "no guide is about {p:?}"
            );
        }
    }

    #[test]
    fn every_guide_is_a_real_read_in_both_languages() {
        for g in &shipped().guides {
            for locale in LOCALES {
                let t = g.text(locale);
                let n = words(&t.body);
                let what = format!("{} ({locale})", g.slug);
                assert!((250..=600).contains(&n), "{what}: {n} words");
                assert!(t.summary.chars().count() <= 240, "{what}: summary too long");
                assert!(t.title.chars().count() <= 80, "{what}: title too long");
                // About 200 words a minute, rounded either way.
                let minutes = (n as f64 / 200.0).round().max(1.0) as u32;
                assert!(
                    g.minutes.abs_diff(minutes) <= 1,
                    "{what}: {} minutes for {n} words",
                    g.minutes
                );
                for line in t.body.lines() {
                    assert!(
                        !line.starts_with('#') || line.starts_with("## "),
                        "{what}: only `## ` headings: {line}"
                    );
                    assert!(!line.contains('<'), "{what}: no markup: {line}");
                }
            }
            assert_ne!(g.en.title, g.de.title, "{}: title not translated", g.slug);
            assert_ne!(g.en.body, g.de.body, "{}: body not translated", g.slug);
        }
    }

    #[test]
    fn bad_files_are_refused_and_a_changed_file_has_a_new_checksum() {
        assert_eq!(SeedFile::checksum(GUIDES), SeedFile::checksum(GUIDES));
        assert_ne!(
            SeedFile::checksum(GUIDES),
            SeedFile::checksum(&format!("{GUIDES}\n"))
        );
        let guide = |slug: &str, topic: &str, signals: &str| {
            format!(
                "[[guides]]\nslug = \"{slug}\"\ntopic = \"{topic}\"\nsignals = {signals}\nminutes = 2\n\
                 [guides.en]\ntitle = \"T\"\nsummary = \"S\"\nbody = \"B\"\n\
                 [guides.de]\ntitle = \"T\"\nsummary = \"S\"\nbody = \"B\"\n"
            )
        };
        let ok = format!("version = 1\n{}", guide("a", "hooks", "[\"anomaly\"]"));
        assert!(SeedFile::parse(&ok).is_ok());
        for bad in [
            format!(
                "version = 1\n{}{}",
                guide("a", "hooks", "[\"anomaly\"]"),
                guide("a", "tone", "[\"anomaly\"]")
            ),
            format!("version = 1\n{}", guide("a", "cooking", "[\"anomaly\"]")),
            format!("version = 1\n{}", guide("a", "hooks", "[]")),
            format!("version = 1\n{}", guide("a", "hooks", "[\"no_such\"]")),
            format!("version = 1\n{}", guide("A b", "hooks", "[\"anomaly\"]")),
            "version = 1\nguides = 3".to_owned(),
        ] {
            assert!(
                matches!(SeedFile::parse(&bad), Err(AnalyticsError::Seed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_locale_prefers_its_own_rows_and_falls_back_to_english() {
        let row = |slug: &str, locale: &str| -> GuideRow {
            (
                slug.into(),
                locale.into(),
                "hooks".into(),
                format!("{slug}-{locale}"),
                String::new(),
                String::new(),
                "[]".into(),
                1,
            )
        };
        let kept = prefer(vec![row("a", "en"), row("a", "de"), row("b", "en")], "de");
        let picked: Vec<(&str, &str)> = kept.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
        assert_eq!(picked, [("a", "de"), ("b", "en")]);
        let kept = prefer(vec![row("a", "de"), row("a", "en")], "en");
        assert_eq!(kept[0].1, "en");
        assert_eq!(locale_of("de-AT"), "de");
        assert_eq!(locale_of("fr"), "en");
    }
}
