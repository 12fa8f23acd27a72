//! The content studio as pages: the studio's home with the catalog, the
//! workspace's drafts and the caller's bookmarks (`/home/content`), a
//! template (`templates/{id}`), the generation form and a generation's
//! live page (`generate.rs`), the draft editor (`editor.rs`), pillars and
//! the cadence plan (`plan.rs`), and usage with the quota form
//! (`usage.rs`).
//!
//! Every decision is the studio service's. Forms are POSTs that redirect
//! back with a notice (`?done=`) or the refusal's code and its variables
//! (`?error=` with [`Refused`]'s fields), so nothing needs JavaScript;
//! the script adds the live text of a generation and the editor's
//! autosave.

mod editor;
mod generate;
mod plan;
mod usage;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Authorized, Permission, User};
use herald_core::{Named, TemplateId};
use herald_studio::{
    BookmarkKind, Content, EngineInfo, Format, NewDraft, Platform, Slot, StudioError, TemplateEdit,
    TemplateFilter,
};
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render, when};
use crate::auth::SignedIn;
use crate::error::studio_status;
use crate::i18n::{Catalog, Locale, error_message};
use crate::member::{self, PageMember};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/content", get(show_studio))
        .route(
            "/home/content/templates/{id}",
            get(show_template).post(update_template),
        )
        .route("/home/content/templates/{id}/copy", post(copy_template))
        .route("/home/content/templates/{id}/delete", post(delete_template))
        .route("/home/content/bookmarks", post(toggle_bookmark))
        .route("/home/content/drafts", post(create_draft))
        .merge(generate::router())
        .merge(editor::router())
        .merge(plan::router())
        .merge(usage::router())
}

// ------------------------------------------------------------ shared

/// An option of a select or a checkbox.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) fn format_label(t: &'static Catalog, f: Format) -> &'static str {
    t.text(&format!("studio.format.{}", f.as_str()))
}

pub(super) fn platform_label(t: &'static Catalog, p: Platform) -> &'static str {
    t.text(&format!("studio.platform.{}", p.as_str()))
}

/// The engine, honestly labelled: an AI model by name, or the built-in
/// template filler ("template draft (no AI)").
pub(super) fn engine_label(t: &'static Catalog, e: &EngineInfo) -> String {
    if e.ai {
        t.fill("studio.engine_ai", "model", e.model.as_str())
    } else {
        t.text("studio.engine_builtin").to_owned()
    }
}

fn format_choices(t: &'static Catalog, chosen: Option<Format>) -> Vec<Choice> {
    Format::ALL
        .into_iter()
        .map(|f| Choice {
            value: f.as_str().to_owned(),
            label: format_label(t, f).to_owned(),
            selected: chosen == Some(f),
        })
        .collect()
}

fn platform_choices(t: &'static Catalog, chosen: &[Platform]) -> Vec<Choice> {
    Platform::ALL
        .into_iter()
        .map(|p| Choice {
            value: p.as_str().to_owned(),
            label: platform_label(t, p).to_owned(),
            selected: chosen.contains(&p),
        })
        .collect()
}

/// A refusal carried through a redirect: its code and the variables of its
/// message. Values that are not lower-case codes or numbers are dropped,
/// so a hand-made address cannot put words on the page.
#[derive(Deserialize, Default)]
pub(super) struct Refused {
    error: Option<String>,
    scope: Option<String>,
    period: Option<String>,
    measure: Option<String>,
    limit: Option<String>,
    field: Option<String>,
    reason: Option<String>,
    expected: Option<String>,
    found: Option<String>,
}

const REFUSAL_PARAMS: [&str; 8] = [
    "scope", "period", "measure", "limit", "field", "reason", "expected", "found",
];

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Refused {
    /// The refusal in words, if the address carries one the catalog knows.
    pub(super) fn message(&self, locale: Locale) -> Option<String> {
        let code = self.error.as_deref().filter(|c| is_code(c))?;
        if !crate::i18n::catalog(locale).has(&format!("error.{code}")) {
            return None;
        }
        let values = [
            &self.scope,
            &self.period,
            &self.measure,
            &self.limit,
            &self.field,
            &self.reason,
            &self.expected,
            &self.found,
        ];
        let params: Vec<(&'static str, String)> = REFUSAL_PARAMS
            .iter()
            .zip(values)
            .filter_map(|(name, v)| {
                v.as_deref()
                    .filter(|v| is_code(v))
                    .map(|v| (*name, v.to_owned()))
            })
            .collect();
        Some(error_message(locale, code, &params))
    }

    /// `error=CODE&name=value…` for a redirect.
    pub(super) fn query(e: &StudioError) -> String {
        let mut q = format!("error={}", e.code());
        for (name, value) in crate::error::studio_params(e) {
            let value: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            q.push_str(&format!("&{name}={value}"));
        }
        q
    }
}

/// Where a form goes after it was handled: `base` (an address with its
/// `?workspace=`) with the notice, or with the refusal when the person can
/// act on it; a missing object and server failures are the error page.
pub(super) fn back(base: &str, outcome: Result<&str, StudioError>) -> Result<Response, WebError> {
    let sep = if base.contains('?') { '&' } else { '?' };
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("{base}{sep}done={done}")).into_response()),
        Err(e) => {
            let status = studio_status(&e);
            if status.is_server_error() || status == StatusCode::NOT_FOUND {
                return Err(e.into());
            }
            Ok(Redirect::to(&format!("{base}{sep}{}", Refused::query(&e))).into_response())
        }
    }
}

/// The proof for the form's workspace: membership; the service checks
/// what the action needs.
pub(super) async fn proof(
    state: &AppState,
    user: &User,
    workspace: i64,
) -> Result<Authorized, WebError> {
    member::proof(state, user, Some(workspace), Permission::View).await
}

/// A piece of content as labelled lines, for showing a template's
/// structure.
pub struct ContentLine {
    pub label: String,
    pub text: String,
}

pub(super) fn content_lines(t: &'static Catalog, c: &Content) -> Vec<ContentLine> {
    let line = |key: &str, n: Option<usize>, text: &str| ContentLine {
        label: field_label(t, key, n),
        text: text.to_owned(),
    };
    let mut out = Vec::new();
    match c {
        Content::Script {
            hook,
            beats,
            cta,
            shots,
            caption,
        } => {
            out.push(line("hook", None, hook));
            for (i, b) in beats.iter().enumerate() {
                out.push(line("beat", Some(i + 1), b));
            }
            out.push(line("cta", None, cta));
            for (i, s) in shots.iter().enumerate() {
                out.push(line("shot", Some(i + 1), s));
            }
            out.push(line("caption", None, caption));
        }
        Content::Caption { text, hashtags } => {
            out.push(line("text", None, text));
            for (i, h) in hashtags.iter().enumerate() {
                out.push(line("hashtag", Some(i + 1), h));
            }
        }
        Content::Carousel { slides, caption } => {
            for (i, s) in slides.iter().enumerate() {
                out.push(line("slide_title", Some(i + 1), &s.title));
                out.push(line("slide_body", Some(i + 1), &s.body));
            }
            out.push(line("caption", None, caption));
        }
        Content::Thread { parts } => {
            for (i, p) in parts.iter().enumerate() {
                out.push(line("part", Some(i + 1), p));
            }
        }
    }
    out
}

/// A part of a piece in the reader's language (`Slide 2 title`).
pub(super) fn field_label(t: &'static Catalog, field: &str, n: Option<usize>) -> String {
    let key = format!("studio.field.{field}");
    match n {
        Some(n) => t.fill(&key, "n", n),
        None => t.format(&key, &[("n", crate::i18n::Arg::from(""))]),
    }
}

/// The fields that make up the editor's content form, shared by the draft
/// editor and a template copy's form.
pub struct EditorFields {
    pub format: &'static str,
    pub hook: String,
    pub beats: Vec<String>,
    pub cta: String,
    pub shots: Vec<String>,
    pub caption: String,
    pub text: String,
    pub hashtags: String,
    pub slides: Vec<(String, String)>,
    pub parts: Vec<String>,
}

impl EditorFields {
    pub(super) fn of(c: &Content) -> EditorFields {
        let mut f = EditorFields {
            format: c.format().as_str(),
            hook: String::new(),
            beats: Vec::new(),
            cta: String::new(),
            shots: Vec::new(),
            caption: String::new(),
            text: String::new(),
            hashtags: String::new(),
            slides: Vec::new(),
            parts: Vec::new(),
        };
        match c {
            Content::Script {
                hook,
                beats,
                cta,
                shots,
                caption,
            } => {
                f.hook.clone_from(hook);
                f.beats.clone_from(beats);
                f.cta.clone_from(cta);
                f.shots.clone_from(shots);
                f.caption.clone_from(caption);
            }
            Content::Caption { text, hashtags } => {
                f.text.clone_from(text);
                f.hashtags = hashtags.join(" ");
            }
            Content::Carousel { slides, caption } => {
                f.slides = slides
                    .iter()
                    .map(|s| (s.title.clone(), s.body.clone()))
                    .collect();
                f.caption.clone_from(caption);
            }
            Content::Thread { parts } => f.parts.clone_from(parts),
        }
        f
    }
}

// ------------------------------------------------------------ the studio's home

pub struct TemplateCard {
    pub href: String,
    pub title: String,
    pub description: String,
    pub niche: String,
    pub format: &'static str,
    pub platforms: String,
    pub own: bool,
}

pub struct DraftRow {
    pub href: String,
    pub title: String,
    pub format: &'static str,
    pub version: i32,
    pub by: Option<String>,
    pub at: String,
    pub bookmarked: bool,
    pub from_generation: bool,
}

pub struct BookmarkRow {
    pub href: String,
    pub kind: &'static str,
    pub title: String,
}

#[derive(Template)]
#[template(path = "content.html")]
struct StudioPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    engine: String,
    engine_ai: bool,
    templates: Vec<TemplateCard>,
    niches: Vec<Choice>,
    formats: Vec<Choice>,
    platforms: Vec<Choice>,
    languages: Vec<Choice>,
    words: String,
    filtered: bool,
    drafts: Vec<DraftRow>,
    bookmarks: Vec<BookmarkRow>,
    may_draft: bool,
    /// The pillar the gallery was opened for (a recommendation's next
    /// step): its templates' drafts and generations belong to it.
    pillar: Option<PillarChoice>,
    notice: Option<String>,
    error: Option<String>,
}

/// A pillar the gallery and a template carry on to the draft.
pub struct PillarChoice {
    pub id: i64,
    pub name: String,
}

/// The workspace's pillar `value` names, if it names one.
async fn pillar_of(
    state: &AppState,
    auth: &Authorized,
    value: Option<&str>,
) -> Result<Option<PillarChoice>, WebError> {
    let Some(id) = value.map(str::trim).and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(None);
    };
    Ok(state
        .studio()
        .pillars(auth)
        .await?
        .into_iter()
        .find(|p| p.id.0 == id)
        .map(|p| PillarChoice {
            id: p.id.0,
            name: p.name,
        }))
}

#[derive(Deserialize, Default)]
struct StudioQuery {
    niche: Option<String>,
    format: Option<String>,
    platform: Option<String>,
    locale: Option<String>,
    q: Option<String>,
    pillar: Option<String>,
    done: Option<String>,
    #[serde(flatten)]
    refused: Refused,
}

/// The address of what a bookmark names.
fn bookmark_href(kind: BookmarkKind, id: i64, ws: i64) -> String {
    let what = match kind {
        BookmarkKind::Draft => "drafts",
        BookmarkKind::Template => "templates",
        BookmarkKind::Generation => "generations",
    };
    format!("/home/content/{what}/{id}?workspace={ws}")
}

async fn show_studio(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    c: Chrome,
    Query(q): Query<StudioQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let studio = state.studio();
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let catalog_locale = match q.locale.as_deref() {
        Some("de") => "de",
        Some("en") => "en",
        _ => c.locale.code(),
    };
    let filter = TemplateFilter {
        locale: Some(catalog_locale.to_owned()),
        niche: nonempty(&q.niche),
        format: q.format.as_deref().and_then(Format::parse),
        platform: q.platform.as_deref().and_then(Platform::parse),
        own: false,
        q: nonempty(&q.q),
    };
    let templates = studio.templates(&auth, &filter).await?;
    let niches = studio.niches(Some(c.locale.code())).await?;
    let drafts = studio.drafts(&auth).await?;
    let bookmarks = studio.bookmarks(&auth).await?;
    let ws = workspace.id.0;
    let pillar = pillar_of(&state, &auth, q.pillar.as_deref()).await?;
    let for_pillar = pillar
        .as_ref()
        .map(|p| format!("&pillar={}", p.id))
        .unwrap_or_default();
    let niche_name = |code: &str| {
        niches
            .iter()
            .find(|n| n.code == code)
            .map_or_else(|| code.to_owned(), |n| n.name.clone())
    };
    let engine = studio.engine();
    render(&StudioPage {
        rail: rail(Section::Content),
        workspace: ws,
        engine: engine_label(t, &engine),
        engine_ai: engine.ai,
        templates: templates
            .iter()
            .map(|tpl| TemplateCard {
                href: format!(
                    "/home/content/templates/{}?workspace={ws}{for_pillar}",
                    tpl.id
                ),
                title: tpl.title.clone(),
                description: tpl.description.clone(),
                niche: niche_name(&tpl.niche),
                format: format_label(t, tpl.format),
                platforms: tpl
                    .platforms
                    .iter()
                    .map(|p| platform_label(t, *p))
                    .collect::<Vec<_>>()
                    .join(", "),
                own: tpl.workspace.is_some(),
            })
            .collect(),
        niches: niches
            .iter()
            .map(|n| Choice {
                value: n.code.clone(),
                label: n.name.clone(),
                selected: filter.niche.as_deref() == Some(n.code.as_str()),
            })
            .collect(),
        formats: format_choices(t, filter.format),
        platforms: platform_choices(t, filter.platform.as_slice()),
        languages: Locale::ALL
            .into_iter()
            .map(|l| Choice {
                value: l.code().to_owned(),
                label: l.native_name().to_owned(),
                selected: l.code() == catalog_locale,
            })
            .collect(),
        words: filter.q.clone().unwrap_or_default(),
        filtered: filter.niche.is_some()
            || filter.format.is_some()
            || filter.platform.is_some()
            || filter.q.is_some(),
        drafts: drafts
            .iter()
            .map(|d| DraftRow {
                href: format!("/home/content/drafts/{}?workspace={ws}", d.id),
                title: d.title.clone(),
                format: format_label(t, d.format),
                version: d.version,
                by: d.updated_by_name.clone(),
                at: when(d.updated_at),
                bookmarked: d.bookmarked,
                from_generation: d.from_generation,
            })
            .collect(),
        bookmarks: bookmarks
            .iter()
            .map(|b| BookmarkRow {
                href: bookmark_href(b.kind, b.id, ws),
                kind: t.text(&format!("studio.bookmark_kind.{}", b.kind.as_str())),
                title: b.title.clone(),
            })
            .collect(),
        may_draft: auth.allows(Permission::Draft),
        pillar,
        notice: known(t, "studio.done.", q.done.as_deref()),
        error: q.refused.message(c.locale),
        c,
    })
}

// ------------------------------------------------------------ a template

pub struct SlotRow {
    pub name: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "content_template.html")]
struct TemplatePage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    id: i64,
    title: String,
    description: String,
    niche: String,
    format: &'static str,
    platforms: String,
    own: bool,
    retired: bool,
    slots: Vec<SlotRow>,
    structure: Vec<ContentLine>,
    bookmarked: bool,
    may_draft: bool,
    /// The edit form of an own copy.
    platform_choices: Vec<Choice>,
    fields: EditorFields,
    copied_from: Option<String>,
    /// The pillar a draft started here belongs to.
    pillar: Option<PillarChoice>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    done: Option<String>,
    #[serde(flatten)]
    refused: Refused,
}

#[derive(Deserialize, Default)]
struct TemplateQuery {
    pillar: Option<String>,
    #[serde(flatten)]
    notice: NoticeQuery,
}

async fn show_template(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    c: Chrome,
    Path(id): Path<i64>,
    Query(TemplateQuery { pillar, notice: q }): Query<TemplateQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let studio = state.studio();
    let tpl = studio.template(&auth, TemplateId(id)).await?;
    let pillar = pillar_of(&state, &auth, pillar.as_deref()).await?;
    let niches = studio.niches(Some(c.locale.code())).await?;
    let bookmarked = studio
        .bookmarks(&auth)
        .await?
        .iter()
        .any(|b| b.kind == BookmarkKind::Template && b.id == id);
    let ws = workspace.id.0;
    render(&TemplatePage {
        rail: rail(Section::Content),
        workspace: ws,
        id,
        niche: niches
            .iter()
            .find(|n| n.code == tpl.niche)
            .map_or_else(|| tpl.niche.clone(), |n| n.name.clone()),
        format: format_label(t, tpl.format),
        platforms: tpl
            .platforms
            .iter()
            .map(|p| platform_label(t, *p))
            .collect::<Vec<_>>()
            .join(", "),
        own: tpl.workspace.is_some(),
        retired: tpl.retired,
        slots: tpl
            .slots
            .iter()
            .map(|s| SlotRow {
                name: s.name.clone(),
                hint: s.hint.clone(),
            })
            .collect(),
        structure: content_lines(t, &tpl.content),
        bookmarked,
        may_draft: auth.allows(Permission::Draft),
        platform_choices: platform_choices(t, &tpl.platforms),
        fields: EditorFields::of(&tpl.content),
        copied_from: tpl
            .copied_from
            .map(|from| format!("/home/content/templates/{from}?workspace={ws}")),
        title: tpl.title,
        description: tpl.description,
        pillar,
        notice: known(t, "studio.done.", q.done.as_deref()),
        error: q.refused.message(c.locale),
        c,
    })
}

#[derive(Deserialize)]
struct WorkspaceForm {
    workspace: i64,
}

async fn copy_template(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    match state.studio().copy_template(&auth, TemplateId(id)).await {
        Ok(copy) => Ok(Redirect::to(&format!(
            "/home/content/templates/{}?workspace={}&done=copied",
            copy.id, form.workspace
        ))
        .into_response()),
        Err(e) => back(
            &format!("/home/content/templates/{id}?workspace={}", form.workspace),
            Err(e),
        ),
    }
}

/// The edit form of an own copy: title, description, platforms, slots
/// (name and hint rows; an empty name drops a row) and the structure in
/// the editor's fields.
async fn update_template(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = editor::ContentForm::read(&pairs);
    let workspace = form.workspace.ok_or(WebError::BadRequest {
        code: "bad_request",
    })?;
    let auth = proof(&state, &authed.user, workspace).await?;
    let studio = state.studio();
    let base = format!("/home/content/templates/{id}?workspace={workspace}");
    let current = studio.template(&auth, TemplateId(id)).await?;
    let platforms: Vec<Platform> = pairs
        .iter()
        .filter(|(k, _)| k == "platform")
        .filter_map(|(_, v)| Platform::parse(v))
        .collect();
    let names = pairs.iter().filter(|(k, _)| k == "slot_name").map(|p| &p.1);
    let hints = pairs.iter().filter(|(k, _)| k == "slot_hint").map(|p| &p.1);
    let slots: Vec<Slot> = names
        .zip(hints)
        .filter(|(n, _)| !n.trim().is_empty())
        .map(|(n, h)| Slot {
            name: n.trim().to_owned(),
            hint: h.clone(),
        })
        .collect();
    let edit = TemplateEdit {
        title: Some(form.title.clone()),
        description: pairs
            .iter()
            .find(|(k, _)| k == "description")
            .map(|(_, v)| v.clone()),
        platforms: Some(platforms),
        slots: Some(slots),
        content: Some(form.content(current.format)),
    };
    let outcome = studio
        .update_template(&auth, TemplateId(id), &edit)
        .await
        .map(|_| "template_saved");
    back(&base, outcome)
}

async fn delete_template(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    match state.studio().delete_template(&auth, TemplateId(id)).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/home/content?workspace={}&done=template_deleted",
            form.workspace
        ))
        .into_response()),
        Err(e) => back(
            &format!("/home/content/templates/{id}?workspace={}", form.workspace),
            Err(e),
        ),
    }
}

#[derive(Deserialize)]
struct BookmarkForm {
    workspace: i64,
    kind: String,
    id: i64,
    /// `true` to bookmark, `false` to remove the bookmark.
    on: String,
}

/// Bookmarks or un-bookmarks, then back to what was bookmarked.
async fn toggle_bookmark(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<BookmarkForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let kind = BookmarkKind::parse(&form.kind).ok_or(WebError::BadRequest {
        code: "bad_request",
    })?;
    let on = form.on == "true";
    let outcome = state
        .studio()
        .bookmark(&auth, kind, form.id, on)
        .await
        .map(|()| if on { "bookmarked" } else { "unbookmarked" });
    back(&bookmark_href(kind, form.id, form.workspace), outcome)
}

#[derive(Deserialize)]
struct NewDraftForm {
    workspace: i64,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    format: Option<String>,
    /// The pillar the draft belongs to (one of the workspace's: the
    /// studio refuses another).
    #[serde(default)]
    pillar: Option<String>,
}

/// A blank draft: a template's structure, or an empty piece of a format.
async fn create_draft(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(form): axum::Form<NewDraftForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let template = form
        .template
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map(TemplateId)
                .map_err(|_| WebError::BadRequest {
                    code: "bad_request",
                })
        })
        .transpose()?;
    let new = NewDraft {
        title: None,
        content: None,
        format: if template.is_some() {
            None
        } else {
            form.format.as_deref().and_then(Format::parse)
        },
        template_id: template,
        pillar_id: form
            .pillar
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<i64>()
                    .map(herald_core::PillarId)
                    .map_err(|_| WebError::BadRequest {
                        code: "bad_request",
                    })
            })
            .transpose()?,
        platform: None,
        tone: None,
    };
    match state.studio().create_draft(&auth, &new).await {
        Ok(d) => Ok(Redirect::to(&format!(
            "/home/content/drafts/{}?workspace={}&done=draft_created",
            d.id, form.workspace
        ))
        .into_response()),
        Err(e) => back(
            &format!("/home/content?workspace={}", form.workspace),
            Err(e),
        ),
    }
}

/// Every code the studio's pages put into words (for the catalogs' test).
#[cfg(test)]
pub(super) const DONE_CODES: [&str; 17] = [
    "copied",
    "template_saved",
    "template_deleted",
    "bookmarked",
    "unbookmarked",
    "draft_created",
    "saved",
    "unchanged",
    "restored",
    "draft_deleted",
    "cancelled",
    "pillar_added",
    "pillar_saved",
    "pillar_deleted",
    "cadence_saved",
    "quotas_saved",
    "generation_requested",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::catalog;
    use herald_studio::GenerationStatus;

    #[test]
    fn every_label_notice_and_error_of_the_studio_has_words_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            let mut keys: Vec<String> = Vec::new();
            keys.extend(
                Format::ALL
                    .iter()
                    .map(|f| format!("studio.format.{}", f.as_str())),
            );
            keys.extend(
                Platform::ALL
                    .iter()
                    .map(|p| format!("studio.platform.{}", p.as_str())),
            );
            for s in [
                GenerationStatus::Queued,
                GenerationStatus::Running,
                GenerationStatus::Succeeded,
                GenerationStatus::Failed,
                GenerationStatus::Cancelled,
            ] {
                keys.push(format!("studio.status.{}", <&'static str>::from(s)));
            }
            for k in [
                BookmarkKind::Draft,
                BookmarkKind::Template,
                BookmarkKind::Generation,
            ] {
                keys.push(format!("studio.bookmark_kind.{}", k.as_str()));
            }
            for f in [
                "title",
                "hook",
                "beat",
                "cta",
                "shot",
                "caption",
                "text",
                "hashtag",
                "slide_title",
                "slide_body",
                "part",
            ] {
                keys.push(format!("studio.field.{f}"));
            }
            keys.extend(DONE_CODES.iter().map(|d| format!("studio.done.{d}")));
            keys.extend(
                crate::words::GENERATION_FAILURES
                    .iter()
                    .map(|f| format!("studio.failure.{f}")),
            );
            keys.push("studio.failure.other".to_owned());
            keys.extend(plan::DAYS.iter().map(|d| format!("studio.day.{d}")));
            for code in [
                "template_not_found",
                "tone_not_found",
                "pillar_not_found",
                "generation_not_found",
                "draft_not_found",
                "post_not_found",
                "draft_version_not_found",
                "template_read_only",
                "studio_invalid",
                "content_format_mismatch",
                "pillar_exists",
                "draft_conflict",
                "quota_reached",
                "generation_ended",
            ] {
                keys.push(format!("error.{code}"));
            }
            for key in keys {
                assert!(t.has(&key), "{key} in {}", locale.code());
            }
        }
    }

    #[test]
    fn a_quota_refusal_names_the_quota_in_the_readers_language() {
        let hit = StudioError::QuotaReached(herald_studio::QuotaHit {
            scope: "member",
            period: "day",
            measure: "generations",
            limit: 3,
            resets_at: herald_core::Timestamp::UNIX_EPOCH,
        });
        let en = crate::words::studio_error(Locale::En, &hit);
        assert!(
            en.contains("daily") && en.contains('3') && en.contains("generations"),
            "{en}"
        );
        let de = crate::words::studio_error(Locale::De, &hit);
        assert!(de.contains('3') && de.contains("Generierungen"), "{de}");
        // Through a redirect, the same words.
        let q = Refused::query(&hit);
        let refused: Refused = serde_urlencoded::from_str(&q).unwrap();
        assert_eq!(refused.message(Locale::En).as_deref(), Some(en.as_str()));
        // A made-up value is dropped, not shown.
        let forged: Refused =
            serde_urlencoded::from_str("error=quota_reached&limit=<b>9</b>&scope=member").unwrap();
        assert!(!forged.message(Locale::En).unwrap().contains("<b>"));
        let unknown: Refused = serde_urlencoded::from_str("error=made_up").unwrap();
        assert_eq!(unknown.message(Locale::En), None);
    }

    #[test]
    fn an_invalid_value_names_its_field() {
        let e = StudioError::Invalid {
            field: "brief",
            reason: "too_long",
        };
        let en = crate::words::studio_error(Locale::En, &e);
        assert!(en.contains("brief") && en.contains("too long"), "{en}");
    }
}
