//! The draft editor (`/home/content/drafts/{id}`): the piece's fields by
//! format (a script's hook, beats, call to action, shot notes and caption;
//! a caption and its hashtags; carousel slides and the caption; a thread's
//! parts), the version list with who and when, a readable comparison of
//! two versions, restore, bookmark, delete and "use in composer".
//!
//! Without JavaScript the form posts here: the buttons that add, remove
//! and move beats, shots, slides and parts are submit buttons (`op`), and
//! the server applies the change and saves. With it, the script does
//! those in the page and saves through `PUT /api/drafts/{id}` about 1.5 s
//! after the last change, with the version it started from, so a save
//! over someone else's is a conflict the person is told about.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::Permission;
use herald_core::{DraftId, Named};
use herald_studio::{Content, Format, Save, Slide};
use serde::Deserialize;
use serde_json::json;

use super::super::shell::{RailItem, Section, rail};
use super::super::{Chrome, known, render, when};
use super::{EditorFields, Refused, back, field_label, format_label, platform_label, proof};
use crate::auth::SignedIn;
use crate::member::PageMember;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/home/content/drafts/{id}",
            get(show_editor).post(save_draft),
        )
        .route("/home/content/drafts/{id}/restore", post(restore_version))
        .route("/home/content/drafts/{id}/delete", post(delete_draft))
}

/// The editor's form as posted: its fields in order, and the button that
/// sent it.
#[derive(Debug, Default, Clone)]
pub(super) struct ContentForm {
    pub workspace: Option<i64>,
    pub base_version: Option<i32>,
    pub title: String,
    hook: String,
    beats: Vec<String>,
    cta: String,
    shots: Vec<String>,
    caption: String,
    text: String,
    hashtags: String,
    slide_titles: Vec<String>,
    slide_bodies: Vec<String>,
    parts: Vec<String>,
    /// `add_slide`, `remove_slide:2`, `up_slide:2`, `down_slide:2` (and
    /// the same for `beat`, `shot`, `part`); empty for Save.
    op: String,
}

impl ContentForm {
    pub(super) fn read(pairs: &[(String, String)]) -> ContentForm {
        let mut f = ContentForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "workspace" => f.workspace = v.trim().parse().ok(),
                "base_version" => f.base_version = v.trim().parse().ok(),
                "title" => f.title.clone_from(v),
                "hook" => f.hook.clone_from(v),
                "beat" => f.beats.push(v.clone()),
                "cta" => f.cta.clone_from(v),
                "shot" => f.shots.push(v.clone()),
                "caption" => f.caption.clone_from(v),
                "text" => f.text.clone_from(v),
                "hashtags" => f.hashtags.clone_from(v),
                "slide_title" => f.slide_titles.push(v.clone()),
                "slide_body" => f.slide_bodies.push(v.clone()),
                "part" => f.parts.push(v.clone()),
                "op" => f.op.clone_from(v),
                _ => {}
            }
        }
        f
    }

    /// The piece the fields describe, as a `format`, with the button's
    /// change applied.
    pub(super) fn content(&self, format: Format) -> Content {
        let (what, at) = match self.op.split_once(':') {
            Some((what, n)) => (what, n.parse::<usize>().ok()),
            None => (self.op.as_str(), None),
        };
        let mut content = match format {
            Format::Script => Content::Script {
                hook: self.hook.clone(),
                beats: self.beats.clone(),
                cta: self.cta.clone(),
                shots: self.shots.clone(),
                caption: self.caption.clone(),
            },
            Format::Caption => Content::Caption {
                text: self.text.clone(),
                hashtags: self
                    .hashtags
                    .split([' ', ',', '\n', '\r', '\t'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            Format::Carousel => Content::Carousel {
                slides: self
                    .slide_titles
                    .iter()
                    .zip(
                        self.slide_bodies
                            .iter()
                            .chain(std::iter::repeat(&String::new())),
                    )
                    .map(|(title, body)| Slide {
                        title: title.clone(),
                        body: body.clone(),
                    })
                    .collect(),
                caption: self.caption.clone(),
            },
            Format::Thread => Content::Thread {
                parts: self.parts.clone(),
            },
        };
        match &mut content {
            Content::Script { beats, shots, .. } => {
                if let Some(op) = what.strip_suffix("_beat") {
                    apply(beats, op, at);
                } else if let Some(op) = what.strip_suffix("_shot") {
                    apply(shots, op, at);
                }
            }
            Content::Carousel { slides, .. } => {
                if let Some(op) = what.strip_suffix("_slide") {
                    apply(slides, op, at);
                }
            }
            Content::Thread { parts } => {
                if let Some(op) = what.strip_suffix("_part") {
                    apply(parts, op, at);
                }
            }
            Content::Caption { .. } => {}
        }
        content
    }
}

/// Adds an empty item, or removes or moves item `at` (0-based) of a list.
fn apply<T: Default>(items: &mut Vec<T>, op: &str, at: Option<usize>) {
    match (op, at) {
        ("add", _) => items.push(T::default()),
        ("remove", Some(i)) if i < items.len() => {
            items.remove(i);
        }
        ("up", Some(i)) if i > 0 && i < items.len() => items.swap(i - 1, i),
        ("down", Some(i)) if i + 1 < items.len() => items.swap(i, i + 1),
        _ => {}
    }
}

pub struct VersionRow {
    pub version: i32,
    pub title: String,
    pub by: String,
    pub at: String,
    pub restored_from: Option<String>,
    pub current: bool,
    pub compare_href: String,
}

pub struct ChangeRow {
    pub change: &'static str,
    pub field: String,
    pub text: String,
}

pub struct Comparison {
    pub heading: String,
    pub changes: Vec<ChangeRow>,
    pub unchanged: bool,
}

#[derive(Template)]
#[template(path = "content_draft.html")]
struct EditorPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    id: i64,
    title: String,
    version: i32,
    format_label: &'static str,
    fields: EditorFields,
    versions: Vec<VersionRow>,
    comparison: Option<Comparison>,
    bookmarked: bool,
    may_edit: bool,
    generation_href: Option<String>,
    template_href: Option<String>,
    platform: Option<&'static str>,
    composer_href: String,
    /// What the script needs: the save endpoint and its words.
    config: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct EditorQuery {
    /// Compare version `from` with `to` (the current one when absent).
    from: Option<i32>,
    to: Option<i32>,
    done: Option<String>,
    #[serde(flatten)]
    refused: Refused,
}

async fn show_editor(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    c: Chrome,
    Path(id): Path<i64>,
    Query(q): Query<EditorQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let studio = state.studio();
    let draft = studio.draft(&auth, DraftId(id)).await?;
    let versions = studio.versions(&auth, DraftId(id)).await?;
    let ws = workspace.id.0;
    let comparison = match q.from {
        Some(from) => {
            let to = q.to.unwrap_or(draft.version);
            let changes = studio.diff(&auth, DraftId(id), from, to).await?;
            Some(Comparison {
                heading: t.format(
                    "studio.compare_heading",
                    &[("from", from.into()), ("to", to.into())],
                ),
                unchanged: changes.iter().all(|ch| ch.change == "same"),
                changes: changes
                    .iter()
                    .map(|ch| ChangeRow {
                        change: ch.change,
                        field: field_label(t, ch.field, ch.index),
                        text: ch.text.clone(),
                    })
                    .collect(),
            })
        }
        None => None,
    };
    let former = t.text("studio.former_member");
    let may_edit = auth.allows(Permission::Draft)
        && (draft.created_by == Some(auth.user()) || auth.allows(Permission::Publish));
    let config = json!({
        "saveApi": format!("/api/drafts/{id}?workspace={ws}"),
        "format": draft.format.as_str(),
        "copy": {
            "saving": t.template("studio.autosave.saving"),
            "saved": t.template("studio.autosave.saved"),
            "conflict": t.template("studio.autosave.conflict"),
            "failed": t.template("studio.autosave.failed"),
            "reload": t.template("studio.autosave.reload"),
        },
    });
    render(&EditorPage {
        rail: rail(Section::Content),
        workspace: ws,
        id,
        version: draft.version,
        format_label: format_label(t, draft.format),
        fields: EditorFields::of(&draft.content),
        versions: versions
            .iter()
            .map(|v| VersionRow {
                version: v.version,
                title: v.title.clone(),
                by: v.author_name.clone().unwrap_or_else(|| former.to_owned()),
                at: when(v.created_at),
                restored_from: v
                    .restored_from
                    .map(|n| t.fill("studio.restored_from", "version", n)),
                current: v.version == draft.version,
                compare_href: format!(
                    "/home/content/drafts/{id}?workspace={ws}&from={}#compare",
                    v.version
                ),
            })
            .collect(),
        comparison,
        bookmarked: draft.bookmarked,
        may_edit,
        generation_href: draft
            .generation_id
            .map(|g| format!("/home/content/generations/{g}?workspace={ws}")),
        template_href: draft
            .template_id
            .map(|tpl| format!("/home/content/templates/{tpl}?workspace={ws}")),
        platform: draft.platform.map(|p| platform_label(t, p)),
        composer_href: format!("/home/compose?workspace={ws}&draft={id}"),
        config: config.to_string(),
        title: draft.title,
        notice: known(t, "studio.done.", q.done.as_deref()),
        error: q.refused.message(c.locale),
        c,
    })
}

/// The form without JavaScript: Save, or a button that changes a list
/// (and saves, so every change is a version like the script's).
async fn save_draft(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = ContentForm::read(&pairs);
    let workspace = form.workspace.ok_or(WebError::BadRequest {
        code: "bad_request",
    })?;
    let auth = proof(&state, &authed.user, workspace).await?;
    let studio = state.studio();
    let draft = studio.draft(&auth, DraftId(id)).await?;
    let save = Save {
        title: Some(form.title.clone()),
        content: form.content(draft.format),
        base_version: form.base_version,
    };
    let base = format!("/home/content/drafts/{id}?workspace={workspace}");
    let outcome = studio
        .save_draft(&auth, DraftId(id), &save)
        .await
        .map(|saved| {
            if saved.version == draft.version {
                "unchanged"
            } else {
                "saved"
            }
        });
    let anchor = if form.op.is_empty() { "" } else { "#editor" };
    match back(&base, outcome)? {
        r if anchor.is_empty() => Ok(r),
        r => {
            let to = r
                .headers()
                .get(axum::http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| format!("{l}{anchor}"))
                .unwrap_or_default();
            Ok(Redirect::to(&to).into_response())
        }
    }
}

#[derive(Deserialize)]
struct RestoreForm {
    workspace: i64,
    version: i32,
}

async fn restore_version(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<RestoreForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .studio()
        .restore(&auth, DraftId(id), form.version)
        .await
        .map(|_| "restored");
    back(
        &format!("/home/content/drafts/{id}?workspace={}", form.workspace),
        outcome,
    )
}

#[derive(Deserialize)]
struct WorkspaceForm {
    workspace: i64,
}

async fn delete_draft(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    match state.studio().delete_draft(&auth, DraftId(id)).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/home/content?workspace={}&done=draft_deleted",
            form.workspace
        ))
        .into_response()),
        Err(e) => back(
            &format!("/home/content/drafts/{id}?workspace={}", form.workspace),
            Err(e),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_carousel_form_reads_slides_in_order_and_applies_its_button() {
        let base = [
            ("workspace", "3"),
            ("base_version", "2"),
            ("title", "Bread"),
            ("slide_title", "One"),
            ("slide_body", "a"),
            ("slide_title", "Two"),
            ("slide_body", "b"),
            ("caption", "c"),
        ];
        let form = ContentForm::read(&pairs(&base));
        assert_eq!(form.workspace, Some(3));
        assert_eq!(form.base_version, Some(2));
        let titles = |c: &Content| match c {
            Content::Carousel { slides, .. } => {
                slides.iter().map(|s| s.title.clone()).collect::<Vec<_>>()
            }
            _ => panic!("a carousel"),
        };
        assert_eq!(titles(&form.content(Format::Carousel)), ["One", "Two"]);
        for (op, expected) in [
            ("add_slide", vec!["One", "Two", ""]),
            ("remove_slide:0", vec!["Two"]),
            ("up_slide:1", vec!["Two", "One"]),
            ("down_slide:0", vec!["Two", "One"]),
            ("down_slide:1", vec!["One", "Two"]),
            ("remove_slide:9", vec!["One", "Two"]),
            ("add_part", vec!["One", "Two"]),
        ] {
            let mut with = pairs(&base);
            with.push(("op".into(), op.into()));
            let form = ContentForm::read(&with);
            assert_eq!(titles(&form.content(Format::Carousel)), expected, "{op}");
        }
    }

    #[test]
    fn script_caption_and_thread_forms_become_their_content() {
        let form = ContentForm::read(&pairs(&[
            ("hook", "Stop!"),
            ("beat", "one"),
            ("beat", "two"),
            ("cta", "Follow"),
            ("shot", "close-up"),
            ("caption", "cap"),
            ("op", "up_beat:1"),
        ]));
        assert_eq!(
            form.content(Format::Script),
            Content::Script {
                hook: "Stop!".into(),
                beats: vec!["two".into(), "one".into()],
                cta: "Follow".into(),
                shots: vec!["close-up".into()],
                caption: "cap".into(),
            }
        );
        let form = ContentForm::read(&pairs(&[("text", "Hi"), ("hashtags", "#a, b  c")]));
        assert_eq!(
            form.content(Format::Caption),
            Content::Caption {
                text: "Hi".into(),
                hashtags: vec!["#a".into(), "b".into(), "c".into()],
            }
        );
        let form = ContentForm::read(&pairs(&[("part", "1"), ("op", "add_part")]));
        assert_eq!(
            form.content(Format::Thread),
            Content::Thread {
                parts: vec!["1".into(), String::new()]
            }
        );
    }
}
