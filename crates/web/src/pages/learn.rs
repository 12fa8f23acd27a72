//! The learning hub (`/home/learn`): the workspace's recommendations first
//! (what its own figures show, in words from the signal's code and its
//! evidence; the guide to read; the one-click next step; "Done" and
//! "Dismiss"), then the guides by topic, and each guide on its own page
//! (`/home/learn/{slug}`) in the reader's language.
//!
//! The recommendations and guides are the analytics service's; this module
//! writes them in the reader's language and turns a next step into the
//! address of the page that takes it (the composer at the best hour, the
//! template gallery on a format or pillar, the cadence plan, the
//! dashboard on an account).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::Permission;
use herald_analytics::{AnalyticsError, Guide, NextStep, Outcome, Recommendation, Signal};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::analytics::{platform_label, reader_zone, weekday};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::auth::SignedIn;
use crate::i18n::{Arg, Catalog};
use crate::member::{self, PageMember};
use crate::{AppState, WebError, words};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/learn", get(show_hub))
        .route("/home/learn/recommendations", post(settle_recommendation))
        .route("/home/learn/{slug}", get(show_guide))
}

/// The topics guides are grouped by, in the hub's order.
pub const TOPICS: [&str; 7] = [
    "formats",
    "hooks",
    "filming",
    "tone",
    "accessibility",
    "planning",
    "analytics",
];

/// The formats a recommendation may name (see `herald_analytics::recommend`).
#[cfg(test)]
pub const FORMATS: [&str; 5] = ["reel", "carousel", "short", "video", "photo"];

// ------------------------------------------------------------ words

/// An evidence value made fit to read: numbers the language's way, codes
/// in words. Values that are not what their name promises are shown as
/// they are (never dropped: the words must still make sense).
fn evidence_arg<'a>(t: &'a Catalog, name: &str, value: &'a str) -> Arg<'a> {
    let whole = || value.parse::<u64>().ok();
    let decimal = || value.parse::<f64>().ok().filter(|v| v.is_finite());
    match name {
        "platform" => match value.parse::<herald_analytics::Platform>() {
            Ok(p) => Arg::from(platform_label(t, p)),
            Err(_) => Arg::from(value),
        },
        "format" => {
            let key = format!("learn.format.{value}");
            if t.has(&key) {
                Arg::from(t.text(&key))
            } else {
                Arg::from(value)
            }
        }
        "metric" => {
            let key = format!("analytics.metric.{value}");
            if t.has(&key) {
                Arg::from(t.text(&key))
            } else {
                Arg::from(value)
            }
        }
        "day" => match value.parse::<jiff::civil::Date>() {
            Ok(d) => Arg::from(words::date(t, d)),
            Err(_) => Arg::from(value),
        },
        "weekday" => match value.parse::<u8>() {
            Ok(d) if d < 7 => Arg::from(weekday(t, d, true)),
            _ => Arg::from(value),
        },
        "hour" => match value.parse::<u8>() {
            Ok(h) if h < 24 => Arg::from(format!("{h:02}:00")),
            _ => Arg::from(value),
        },
        // Percentages with one decimal (`4.5` is 4.5 %).
        "rate" | "previous" => match decimal() {
            Some(v) => Arg::from(t.fill("unit.percent", "n", t.decimal(v, 1))),
            None => Arg::from(value),
        },
        "change" => match decimal() {
            Some(v) => Arg::from(t.fill("unit.percent", "n", t.decimal(v, 0))),
            None => Arg::from(value),
        },
        "planned" | "posted" | "days" | "posts" | "value" | "median" => match whole() {
            Some(n) => Arg::Count(n),
            None => Arg::from(value),
        },
        _ => Arg::from(value),
    }
}

fn evidence_args<'a>(
    t: &'a Catalog,
    evidence: &'a BTreeMap<String, String>,
) -> Vec<(&'a str, Arg<'a>)> {
    evidence
        .iter()
        .map(|(k, v)| (k.as_str(), evidence_arg(t, k, v)))
        .collect()
}

fn signal_code(s: Signal) -> &'static str {
    s.into()
}

/// A recommendation's title and evidence in the reader's language.
pub fn recommendation_words(t: &Catalog, r: &Recommendation) -> (String, String) {
    let args = evidence_args(t, &r.evidence);
    let code = signal_code(r.signal);
    (
        t.format(&format!("recommendation.{code}.title"), &args),
        t.format(&format!("recommendation.{code}.evidence"), &args),
    )
}

/// The page a next step opens, and what the link says.
pub fn next_step(t: &Catalog, tz: &TimeZone, workspace: i64, next: &NextStep) -> (String, String) {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("workspace", &workspace.to_string());
    match next {
        NextStep::Compose { at, account } => {
            if let Some(at) = at {
                q.append_pair("at", &at.to_string());
            }
            if let Some(a) = account {
                q.append_pair("account", a.as_str());
            }
            let label = match at {
                Some(at) => t.fill(
                    "learn.next.compose_at",
                    "at",
                    words::zoned_instant(t, tz, *at),
                ),
                None => t.text("learn.next.compose").to_owned(),
            };
            (format!("/home/compose?{}", q.finish()), label)
        }
        NextStep::Templates { format, pillar } => {
            if let Some(f) = format {
                q.append_pair("format", f);
            }
            if let Some(p) = pillar {
                q.append_pair("pillar", &p.to_string());
            }
            (
                format!("/home/content?{}", q.finish()),
                t.text("learn.next.templates").to_owned(),
            )
        }
        NextStep::Cadence => (
            format!("/home/content/pillars?{}#cadence-heading", q.finish()),
            t.text("learn.next.cadence").to_owned(),
        ),
        NextStep::Dashboard { account } => {
            if let Some(a) = account {
                q.append_pair("account", a.as_str());
            }
            (
                format!("/home/analytics?{}", q.finish()),
                t.text("learn.next.dashboard").to_owned(),
            )
        }
    }
}

/// A part of a guide's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
}

/// A guide's body (see `Guide::body`): blank lines part paragraphs, a
/// line starting `## ` is a heading, lines starting `- ` are a list's
/// items; the other lines of a paragraph are joined with spaces.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    fn flush(out: &mut Vec<Block>, paragraph: &mut Vec<&str>, list: &mut Vec<String>) {
        if !paragraph.is_empty() {
            out.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
        if !list.is_empty() {
            out.push(Block::List(std::mem::take(list)));
        }
    }
    for line in body.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut out, &mut paragraph, &mut list);
        } else if let Some(h) = line.strip_prefix("## ") {
            flush(&mut out, &mut paragraph, &mut list);
            out.push(Block::Heading(h.trim().to_owned()));
        } else if let Some(item) = line.strip_prefix("- ") {
            if !paragraph.is_empty() {
                out.push(Block::Paragraph(paragraph.join(" ")));
                paragraph.clear();
            }
            list.push(item.trim().to_owned());
        } else if let Some(last) = list.last_mut().filter(|_| paragraph.is_empty()) {
            // A list item's continuation line.
            last.push(' ');
            last.push_str(line);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut out, &mut paragraph, &mut list);
    out
}

fn topic_label(t: &Catalog, topic: &str) -> String {
    let key = format!("learn.topic.{topic}");
    if t.has(&key) {
        t.text(&key).to_owned()
    } else {
        t.text("learn.topic.other").to_owned()
    }
}

// ------------------------------------------------------------ the hub

pub struct RecommendationCard {
    pub key: String,
    pub fingerprint: String,
    pub signal: &'static str,
    pub title: String,
    pub evidence: String,
    pub guide: Option<GuideLink>,
    pub next_href: String,
    pub next_label: String,
}

pub struct GuideLink {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub minutes: String,
}

pub struct TopicGroup {
    pub id: String,
    pub label: String,
    pub guides: Vec<GuideLink>,
}

#[derive(Template)]
#[template(path = "learn.html")]
struct HubPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    recommendations: Vec<RecommendationCard>,
    may_settle: bool,
    topics: Vec<TopicGroup>,
    notice: Option<String>,
}

fn guide_link(t: &Catalog, workspace: i64, g: &Guide) -> GuideLink {
    GuideLink {
        href: format!("/home/learn/{}?workspace={workspace}", g.slug),
        title: g.title.clone(),
        summary: g.summary.clone(),
        minutes: t.fill("learn.minutes", "n", g.minutes),
    }
}

#[derive(Deserialize, Default)]
struct HubQuery {
    done: Option<String>,
}

async fn show_hub(
    State(state): State<AppState>,
    PageMember {
        authed,
        workspace,
        auth,
        ..
    }: PageMember,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<HubQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let ws = workspace.id.0;
    let zone = reader_zone(&authed.user, &headers);
    let analytics = state.analytics();
    let recommendations = analytics.recommendations(&auth, &zone.name).await?;
    let guides = analytics.guides(c.locale.code(), None).await?;
    let cards = recommendations
        .iter()
        .map(|r| {
            let (title, evidence) = recommendation_words(t, r);
            let (next_href, next_label) = next_step(t, &zone.tz, ws, &r.next);
            RecommendationCard {
                key: r.key.clone(),
                fingerprint: r.fingerprint.clone(),
                signal: signal_code(r.signal),
                title,
                evidence,
                guide: r
                    .guide
                    .as_deref()
                    .and_then(|slug| guides.iter().find(|g| g.slug == slug))
                    .map(|g| guide_link(t, ws, g)),
                next_href,
                next_label,
            }
        })
        .collect();
    let mut topics: Vec<TopicGroup> = Vec::new();
    let order = |topic: &str| {
        TOPICS
            .iter()
            .position(|x| *x == topic)
            .unwrap_or(TOPICS.len())
    };
    let mut sorted: Vec<&Guide> = guides.iter().collect();
    sorted.sort_by_key(|g| order(&g.topic));
    for g in sorted {
        match topics.last_mut().filter(|group| group.id == g.topic) {
            Some(group) => group.guides.push(guide_link(t, ws, g)),
            None => topics.push(TopicGroup {
                id: g.topic.clone(),
                label: topic_label(t, &g.topic),
                guides: vec![guide_link(t, ws, g)],
            }),
        }
    }
    render(&HubPage {
        rail: rail(Section::Learn),
        workspace: ws,
        recommendations: cards,
        may_settle: auth.allows(Permission::Draft),
        topics,
        notice: known(t, "learn.done.", q.done.as_deref()),
        c,
    })
}

// ------------------------------------------------------------ a guide

#[derive(Template)]
#[template(path = "learn_guide.html")]
struct GuidePage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    title: String,
    summary: String,
    topic: String,
    minutes: String,
    blocks: Vec<Block>,
    /// The guide is not written in the reader's language (English shown).
    fallback: bool,
}

async fn show_guide(
    State(state): State<AppState>,
    PageMember { workspace, .. }: PageMember,
    c: Chrome,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let t = c.t;
    if slug.len() > 80
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(WebError::NotFound);
    }
    let guide = state.analytics().guide(&slug, c.locale.code()).await?;
    render(&GuidePage {
        rail: rail(Section::Learn),
        workspace: workspace.id.0,
        fallback: guide.locale != c.locale.code(),
        topic: topic_label(t, &guide.topic),
        minutes: t.fill("learn.minutes", "n", guide.minutes),
        blocks: blocks(&guide.body),
        title: guide.title,
        summary: guide.summary,
        c,
    })
}

// ------------------------------------------------------------ done and dismissed

#[derive(Deserialize)]
struct SettleForm {
    workspace: i64,
    key: String,
    fingerprint: String,
    /// `done` or `dismissed`.
    outcome: String,
}

/// "Done" or "Dismiss": the recommendation stays away until its evidence
/// changes. For those who may draft (403 otherwise); one that has gone
/// meanwhile is simply gone.
async fn settle_recommendation(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<SettleForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(
        &state,
        &authed.user,
        Some(form.workspace),
        Permission::Draft,
    )
    .await?;
    let outcome = match form.outcome.as_str() {
        "done" => Outcome::Done,
        "dismissed" => Outcome::Dismissed,
        _ => {
            return Err(WebError::BadRequest {
                code: "bad_request",
            });
        }
    };
    let done = match state
        .analytics()
        .settle_recommendation(&auth, &form.key, &form.fingerprint, outcome)
        .await
    {
        Ok(()) => <&str>::from(outcome),
        Err(AnalyticsError::RecommendationNotFound) => "gone",
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!(
        "/home/learn?workspace={}&done={done}",
        form.workspace
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};
    use herald_core::{ConnectionId, PillarId, Timestamp};

    fn rec(signal: Signal, evidence: &[(&str, &str)], next: NextStep) -> Recommendation {
        Recommendation {
            key: "k".into(),
            signal,
            evidence: evidence
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            fingerprint: "f".into(),
            guide: None,
            next,
            priority: 1,
        }
    }

    #[test]
    fn every_signal_has_words_with_its_evidence_in_every_language() {
        let cases = [
            rec(
                Signal::CadenceBelowPlan,
                &[("platform", "instagram"), ("planned", "3"), ("posted", "1")],
                NextStep::Cadence,
            ),
            rec(
                Signal::FormatUnused,
                &[
                    ("platform", "youtube"),
                    ("format", "short"),
                    ("used", "before"),
                    ("days", "30"),
                ],
                NextStep::Cadence,
            ),
            rec(
                Signal::PillarNeglected,
                &[("pillar", "Recipes"), ("used", "never"), ("days", "25")],
                NextStep::Cadence,
            ),
            rec(
                Signal::EngagementFalling,
                &[
                    ("account", "Bakery"),
                    ("rate", "3.1"),
                    ("previous", "4.5"),
                    ("change", "31"),
                ],
                NextStep::Cadence,
            ),
            rec(
                Signal::BestHoursUnused,
                &[
                    ("weekday", "1"),
                    ("hour", "18"),
                    ("rate", "6.2"),
                    ("posts", "10"),
                ],
                NextStep::Cadence,
            ),
            rec(
                Signal::Anomaly,
                &[
                    ("account", "Bakery"),
                    ("metric", "views"),
                    ("day", "2026-12-01"),
                    ("value", "1200"),
                    ("median", "4500"),
                ],
                NextStep::Cadence,
            ),
        ];
        for locale in Locale::ALL {
            let t = catalog(locale);
            for r in &cases {
                let (title, evidence) = recommendation_words(t, r);
                assert!(!title.is_empty() && !title.contains('{'), "{title}");
                assert!(!evidence.contains('{'), "{evidence}");
                for k in r.evidence.keys() {
                    assert!(!evidence.contains(&format!("${k}")));
                }
            }
        }
        let en = catalog(Locale::En);
        let (title, ev) = recommendation_words(en, &cases[3]);
        assert!(title.contains("Bakery"), "{title}");
        assert!(
            ev.contains("3.1%") && ev.contains("4.5%") && ev.contains("31%"),
            "{ev}"
        );
        let (_, ev) = recommendation_words(en, &cases[4]);
        assert!(ev.contains("Tuesday") && ev.contains("18:00"), "{ev}");
        let (_, ev) = recommendation_words(en, &cases[5]);
        assert!(
            ev.contains("1,200") && ev.contains("4,500") && ev.contains("2026-12-01"),
            "{ev}"
        );
        let de = catalog(Locale::De);
        let (_, ev) = recommendation_words(de, &cases[5]);
        assert!(ev.contains("1.200") && ev.contains("01.12.2026"), "{ev}");
        let (_, ev) = recommendation_words(de, &cases[1]);
        assert!(ev.contains("YouTube") && ev.contains("30"), "{ev}");
        for f in FORMATS {
            assert!(en.has(&format!("learn.format.{f}")) && de.has(&format!("learn.format.{f}")));
        }
        for topic in TOPICS.iter().chain(&["other"]) {
            assert!(de.has(&format!("learn.topic.{topic}")), "{topic}");
        }
        for d in ["done", "dismissed", "gone"] {
            assert!(de.has(&format!("learn.done.{d}")) && en.has(&format!("learn.done.{d}")));
        }
    }

    #[test]
    fn a_next_step_opens_the_page_that_takes_it() {
        let en = catalog(Locale::En);
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let at: Timestamp = "2026-12-08T17:00:00Z".parse().unwrap();
        let (href, label) = next_step(
            en,
            &tz,
            7,
            &NextStep::Compose {
                at: Some(at),
                account: Some(ConnectionId::from("c-1")),
            },
        );
        assert_eq!(
            href,
            "/home/compose?workspace=7&at=2026-12-08T17%3A00%3A00Z&account=c-1"
        );
        assert!(label.contains("18:00"), "{label}");
        let (href, _) = next_step(
            en,
            &tz,
            7,
            &NextStep::Templates {
                format: Some("carousel".into()),
                pillar: Some(PillarId(3)),
            },
        );
        assert_eq!(href, "/home/content?workspace=7&format=carousel&pillar=3");
        let (href, _) = next_step(en, &tz, 7, &NextStep::Cadence);
        assert!(href.starts_with("/home/content/pillars?workspace=7"));
        let (href, _) = next_step(en, &tz, 7, &NextStep::Dashboard { account: None });
        assert_eq!(href, "/home/analytics?workspace=7");
    }

    #[test]
    fn a_guides_body_reads_as_headings_paragraphs_and_lists() {
        let body = "First line\nsame paragraph.\n\n## A heading\n\n- one\n- two\n  continued\n\nLast <b>words</b>.\n";
        assert_eq!(
            blocks(body),
            vec![
                Block::Paragraph("First line same paragraph.".into()),
                Block::Heading("A heading".into()),
                Block::List(vec!["one".into(), "two continued".into()]),
                Block::Paragraph("Last <b>words</b>.".into()),
            ]
        );
        assert!(blocks("").is_empty());
        assert_eq!(
            blocks("Intro:\n- a\n- b"),
            vec![
                Block::Paragraph("Intro:".into()),
                Block::List(vec!["a".into(), "b".into()])
            ]
        );
    }
}
