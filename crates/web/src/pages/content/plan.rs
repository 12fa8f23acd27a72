//! The workspace's plan (`/home/content/pillars`): its content pillars
//! (add, rename, delete) and its cadence (a preset of the catalog, or its
//! own posts per week per platform, days and times).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use herald_accounts::Permission;
use herald_core::{Named, PillarId};
use herald_studio::{Cadence, Platform};
use serde::Deserialize;

use super::super::shell::{RailItem, Section, rail};
use super::super::{Chrome, known, render, when};
use super::{Choice, Refused, back, platform_label, proof};
use crate::auth::SignedIn;
use crate::member::PageMember;
use crate::{AppState, WebError};

/// The days of a cadence, as the studio stores them.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/content/pillars", get(show_plan).post(add_pillar))
        .route("/home/content/pillars/{id}", post(update_pillar))
        .route("/home/content/pillars/{id}/delete", post(delete_pillar))
        .route("/home/content/cadence", post(set_cadence))
}

pub struct PillarRow {
    pub id: i64,
    pub name: String,
    pub description: String,
}

pub struct PerWeek {
    pub platform: &'static str,
    pub label: &'static str,
    pub count: u8,
}

pub struct PresetRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "content_pillars.html")]
struct PlanPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    pillars: Vec<PillarRow>,
    may_plan: bool,
    /// The plan in words, if the workspace made one.
    plan: Option<String>,
    plan_at: Option<String>,
    presets: Vec<PresetRow>,
    per_week: Vec<PerWeek>,
    days: Vec<Choice>,
    times: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    done: Option<String>,
    #[serde(flatten)]
    refused: Refused,
}

/// A cadence in words: "Instagram 3 a week, TikTok 2 a week · Mon, Wed ·
/// 09:00, 18:00".
fn cadence_words(t: &'static crate::i18n::Catalog, c: &Cadence) -> String {
    let mut parts = Vec::new();
    let per_week: Vec<String> = c
        .per_week
        .iter()
        .map(|(p, n)| {
            t.format(
                "studio.per_week_line",
                &[
                    ("platform", platform_label(t, *p).into()),
                    ("n", u32::from(*n).into()),
                ],
            )
        })
        .collect();
    if !per_week.is_empty() {
        parts.push(per_week.join(", "));
    }
    if !c.days.is_empty() {
        parts.push(
            c.days
                .iter()
                .map(|d| t.text(&format!("studio.day.{d}")))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !c.times.is_empty() {
        parts.push(c.times.join(", "));
    }
    parts.join(" · ")
}

async fn show_plan(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    c: Chrome,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let studio = state.studio();
    let pillars = studio.pillars(&auth).await?;
    let plan = studio.cadence_plan(&auth).await?;
    let presets = studio.cadence_presets(Some(c.locale.code())).await?;
    let cadence = plan.as_ref().map(|p| p.cadence.clone()).unwrap_or_default();
    render(&PlanPage {
        rail: rail(Section::Content),
        workspace: workspace.id.0,
        pillars: pillars
            .into_iter()
            .map(|p| PillarRow {
                id: p.id.0,
                name: p.name,
                description: p.description,
            })
            .collect(),
        may_plan: auth.allows(Permission::Publish),
        plan: plan.as_ref().map(|p| {
            let words = cadence_words(t, &p.cadence);
            match p
                .preset
                .as_deref()
                .and_then(|slug| presets.iter().find(|x| x.slug == slug))
            {
                Some(preset) => t.format(
                    "studio.plan_from_preset",
                    &[
                        ("preset", preset.name.as_str().into()),
                        ("plan", words.into()),
                    ],
                ),
                None => words,
            }
        }),
        plan_at: plan.as_ref().map(|p| when(p.updated_at)),
        presets: presets
            .iter()
            .map(|p| PresetRow {
                slug: p.slug.clone(),
                name: p.name.clone(),
                description: format!("{} ({})", p.description, cadence_words(t, &p.cadence)),
                selected: plan.as_ref().and_then(|x| x.preset.as_deref()) == Some(p.slug.as_str()),
            })
            .collect(),
        per_week: Platform::ALL
            .into_iter()
            .map(|p| PerWeek {
                platform: p.as_str(),
                label: platform_label(t, p),
                count: cadence.per_week.get(&p).copied().unwrap_or(0),
            })
            .collect(),
        days: DAYS
            .iter()
            .map(|d| Choice {
                value: (*d).to_owned(),
                label: t.text(&format!("studio.day.{d}")).to_owned(),
                selected: cadence.days.iter().any(|x| x == d),
            })
            .collect(),
        times: cadence.times.join(", "),
        notice: known(t, "studio.done.", q.done.as_deref()),
        error: q.refused.message(c.locale),
        c,
    })
}

fn base(workspace: i64) -> String {
    format!("/home/content/pillars?workspace={workspace}")
}

#[derive(Deserialize)]
struct PillarForm {
    workspace: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

async fn add_pillar(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<PillarForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .studio()
        .add_pillar(&auth, &form.name, &form.description)
        .await
        .map(|_| "pillar_added");
    back(&base(form.workspace), outcome)
}

async fn update_pillar(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<PillarForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .studio()
        .update_pillar(&auth, PillarId(id), &form.name, &form.description)
        .await
        .map(|_| "pillar_saved");
    back(&base(form.workspace), outcome)
}

#[derive(Deserialize)]
struct WorkspaceForm {
    workspace: i64,
}

async fn delete_pillar(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .studio()
        .delete_pillar(&auth, PillarId(id))
        .await
        .map(|()| "pillar_deleted");
    back(&base(form.workspace), outcome)
}

/// A preset (`preset=slug`), or the workspace's own cadence: `n.PLATFORM`
/// posts a week, `day` boxes and `times` (`09:00, 18:00`).
async fn set_cadence(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let workspace: i64 =
        value("workspace")
            .and_then(|w| w.parse().ok())
            .ok_or(WebError::BadRequest {
                code: "bad_request",
            })?;
    let auth = proof(&state, &authed.user, workspace).await?;
    let preset = value("preset").filter(|p| !p.is_empty());
    let cadence = if preset.is_some() {
        None
    } else {
        let mut per_week = BTreeMap::new();
        for p in Platform::ALL {
            let n = value(&format!("n.{}", p.as_str())).unwrap_or_default();
            if n.is_empty() {
                continue;
            }
            // A number out of range is the studio's to refuse; one that
            // is not a number is as if it were too many.
            per_week.insert(p, n.parse::<u8>().unwrap_or(u8::MAX));
        }
        Some(Cadence {
            per_week,
            days: pairs
                .iter()
                .filter(|(k, _)| k == "day")
                .map(|(_, v)| v.clone())
                .collect(),
            times: value("times")
                .unwrap_or_default()
                .split([',', ' ', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    };
    let outcome = state
        .studio()
        .set_cadence_plan(&auth, preset.as_deref(), cadence.as_ref())
        .await
        .map(|_| "cadence_saved");
    back(&base(workspace), outcome)
}
