//! Generating: the form (`/home/content/generate`: template or format,
//! tone, pillar, platform, brief), and a generation's page
//! (`/home/content/generations/{id}`) with its status, the text as it
//! streams in, a retry notice, cancel, usage and cost, the draft it wrote
//! or why it failed.
//!
//! The page is live through `…/stream`, server-sent events that wait on
//! the studio's wake-up of this generation (`GENERATION_CHANNEL`, topic =
//! the generation's id) with a poll every [`POLL`] as the safety net, send
//! the text and the status whenever they change, and end when the
//! generation has. Without JavaScript the page refreshes itself while the
//! generation runs (a `<noscript>` refresh) and has a reload link.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::stream::{self, Stream};
use herald_accounts::{Authorized, Permission};
use herald_core::{GenerationId, Named, PillarId, TemplateId};
use herald_db::Subscription;
use herald_studio::{
    Format, GENERATION_CHANNEL, GenerationRequest, GenerationStatus, GenerationView, Platform,
    TemplateFilter,
};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::super::shell::{RailItem, Section, rail};
use super::super::{Chrome, known, render};
use super::{
    Choice, ContentLine, Refused, back, content_lines, engine_label, format_choices, format_label,
    platform_choices, proof,
};
use crate::auth::SignedIn;
use crate::error::studio_status;
use crate::member::PageMember;
use crate::{AppState, WebError, words};

/// The longest a missed wake-up delays the page.
pub const POLL: Duration = Duration::from_secs(2);
/// How often an idle stream sends a comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The longest one stream lives (the browser reconnects).
const LIFETIME: Duration = Duration::from_secs(5 * 60);

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/home/content/generate",
            get(show_generate).post(request_generation),
        )
        .route("/home/content/generations/{id}", get(show_generation))
        .route(
            "/home/content/generations/{id}/stream",
            get(generation_events),
        )
        .route(
            "/home/content/generations/{id}/cancel",
            post(cancel_generation),
        )
}

// ------------------------------------------------------------ the form

#[derive(Template)]
#[template(path = "content_generate.html")]
struct GeneratePage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    engine: String,
    engine_ai: bool,
    templates: Vec<Choice>,
    formats: Vec<Choice>,
    tones: Vec<ToneChoice>,
    no_tone: bool,
    pillars: Vec<Choice>,
    platforms: Vec<Choice>,
    brief: String,
    max_brief: usize,
    may_draft: bool,
    error: Option<String>,
}

pub struct ToneChoice {
    pub value: String,
    pub label: String,
    pub description: String,
    pub selected: bool,
}

/// What the form was filled with (from the address, or as posted).
#[derive(Deserialize, Default, Clone)]
struct GenerateForm {
    #[serde(default)]
    workspace: Option<i64>,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    tone: Option<String>,
    #[serde(default)]
    pillar: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    brief: String,
}

fn id_of(s: Option<&str>) -> Option<i64> {
    s.map(str::trim).filter(|s| !s.is_empty())?.parse().ok()
}

async fn page(
    state: &AppState,
    auth: &Authorized,
    c: Chrome,
    form: &GenerateForm,
    error: Option<String>,
) -> Result<GeneratePage, WebError> {
    let t = c.t;
    let studio = state.studio();
    let locale = c.locale.code();
    let templates = studio
        .templates(
            auth,
            &TemplateFilter {
                locale: Some(locale.to_owned()),
                ..TemplateFilter::default()
            },
        )
        .await?;
    let tones = studio.tones(Some(locale)).await?;
    let pillars = studio.pillars(auth).await?;
    let template = id_of(form.template.as_deref());
    let pillar = id_of(form.pillar.as_deref());
    let engine = studio.engine();
    let mut template_choices = vec![Choice {
        value: String::new(),
        label: t.text("studio.no_template").to_owned(),
        selected: template.is_none(),
    }];
    template_choices.extend(templates.iter().map(|tpl| Choice {
        value: tpl.id.to_string(),
        label: t.format(
            "studio.template_option",
            &[
                ("title", tpl.title.as_str().into()),
                ("format", format_label(t, tpl.format).into()),
            ],
        ),
        selected: template == Some(tpl.id.0),
    }));
    let mut pillar_choices = vec![Choice {
        value: String::new(),
        label: t.text("studio.no_pillar").to_owned(),
        selected: pillar.is_none(),
    }];
    pillar_choices.extend(pillars.iter().map(|p| Choice {
        value: p.id.to_string(),
        label: p.name.clone(),
        selected: pillar == Some(p.id.0),
    }));
    let chosen_tone = form.tone.as_deref().unwrap_or("");
    Ok(GeneratePage {
        no_tone: !tones.iter().any(|tone| tone.slug == chosen_tone),
        rail: rail(Section::Content),
        workspace: auth.workspace().0,
        engine: engine_label(t, &engine),
        engine_ai: engine.ai,
        templates: template_choices,
        formats: format_choices(
            t,
            Some(
                form.format
                    .as_deref()
                    .and_then(Format::parse)
                    .unwrap_or(Format::Caption),
            ),
        ),
        tones: tones
            .into_iter()
            .map(|tone| ToneChoice {
                selected: tone.slug == chosen_tone,
                value: tone.slug,
                label: tone.name,
                description: tone.description,
            })
            .collect(),
        pillars: pillar_choices,
        platforms: platform_choices(
            t,
            form.platform
                .as_deref()
                .and_then(Platform::parse)
                .as_slice(),
        ),
        brief: form.brief.clone(),
        max_brief: herald_studio::MAX_BRIEF,
        may_draft: auth.allows(Permission::Draft),
        error,
        c,
    })
}

async fn show_generate(
    State(state): State<AppState>,
    PageMember { auth, .. }: PageMember,
    c: Chrome,
    Query(form): Query<GenerateForm>,
) -> Result<Response, WebError> {
    render(&page(&state, &auth, c, &form, None).await?)
}

/// Queues the generation and goes to its page; a refusal (a quota, the
/// brief, their role) shows the form again with what was entered.
async fn request_generation(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    axum::Form(form): axum::Form<GenerateForm>,
) -> Result<Response, WebError> {
    let workspace = form.workspace.ok_or(WebError::BadRequest {
        code: "bad_request",
    })?;
    let auth = proof(&state, &authed.user, workspace).await?;
    let template = id_of(form.template.as_deref()).map(TemplateId);
    let req = GenerationRequest {
        template_id: template,
        format: if template.is_some() {
            None
        } else {
            form.format.as_deref().and_then(Format::parse)
        },
        tone: form.tone.clone().filter(|t| !t.trim().is_empty()),
        pillar_id: id_of(form.pillar.as_deref()).map(PillarId),
        platform: form.platform.as_deref().and_then(Platform::parse),
        brief: form.brief.clone(),
        locale: Some(c.locale.code().to_owned()),
    };
    let e = match state.studio().request_generation(&auth, &req).await {
        Ok(g) => {
            return Ok(Redirect::to(&format!(
                "/home/content/generations/{}?workspace={workspace}",
                g.id
            ))
            .into_response());
        }
        Err(e) => e,
    };
    let status = studio_status(&e);
    if status.is_server_error() || status == StatusCode::NOT_FOUND {
        return Err(e.into());
    }
    let error = Some(words::studio_error(c.locale, &e));
    let mut response = render(&page(&state, &auth, c, &form, error).await?)?;
    *response.status_mut() = status;
    Ok(response)
}

// ------------------------------------------------------------ a generation

#[derive(Template)]
#[template(path = "content_generation.html")]
struct GenerationPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    id: i64,
    status: &'static str,
    status_label: &'static str,
    running: bool,
    format: &'static str,
    engine: String,
    engine_ai: bool,
    brief: String,
    text: String,
    /// The last attempt's failure while it waits for the next.
    retry: Option<String>,
    failure: Option<String>,
    output: Vec<ContentLine>,
    usage: Option<String>,
    cost: Option<String>,
    draft_href: Option<String>,
    may_cancel: bool,
    bookmarked: bool,
    stream: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    done: Option<String>,
    #[serde(flatten)]
    refused: Refused,
}

async fn show_generation(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    c: Chrome,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let studio = state.studio();
    let g = studio.generation(&auth, GenerationId(id)).await?;
    let bookmarked = studio
        .bookmarks(&auth)
        .await?
        .iter()
        .any(|b| b.kind == herald_studio::BookmarkKind::Generation && b.id == id);
    let ws = workspace.id.0;
    let ended = g.status.is_final();
    let succeeded = g.status == GenerationStatus::Succeeded;
    let status: &'static str = g.status.into();
    let currency = &studio.settings().prices.currency;
    render(&GenerationPage {
        rail: rail(Section::Content),
        workspace: ws,
        id,
        status,
        status_label: t.text(&format!("studio.status.{status}")),
        running: !ended,
        format: format_label(t, g.format),
        engine: engine_label(t, &g.engine),
        engine_ai: g.engine.ai,
        retry: g
            .error
            .as_ref()
            .filter(|_| !ended)
            .map(|e| words::generation_failure(t, &e.code)),
        failure: g
            .error
            .as_ref()
            .filter(|_| g.status == GenerationStatus::Failed)
            .map(|e| words::generation_failure(t, &e.code)),
        output: g
            .output
            .as_ref()
            .map(|o| content_lines(t, o))
            .unwrap_or_default(),
        usage: succeeded.then(|| {
            t.format(
                "studio.usage_line",
                &[
                    ("input", g.usage.input_tokens.into()),
                    ("output", g.usage.output_tokens.into()),
                ],
            )
        }),
        // What it cost, once it ended (the built-in engine's drafts cost
        // nothing, and the page says so rather than hiding the line).
        cost: ended.then(|| words::money(t, g.cost_nanos, currency)),
        draft_href: g
            .draft_id
            .map(|d| format!("/home/content/drafts/{d}?workspace={ws}")),
        may_cancel: !ended
            && auth.allows(Permission::Draft)
            && (g.requested_by == Some(auth.user()) || auth.allows(Permission::Publish)),
        bookmarked,
        stream: format!("/home/content/generations/{id}/stream?workspace={ws}"),
        brief: g.brief,
        text: g.text,
        notice: known(t, "studio.done.", q.done.as_deref()),
        error: q.refused.message(c.locale),
        c,
    })
}

#[derive(Deserialize)]
struct WorkspaceForm {
    workspace: i64,
}

async fn cancel_generation(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<WorkspaceForm>,
) -> Result<Response, WebError> {
    let auth = proof(&state, &authed.user, form.workspace).await?;
    let outcome = state
        .studio()
        .cancel_generation(&auth, GenerationId(id))
        .await
        .map(|_| "cancelled");
    back(
        &format!(
            "/home/content/generations/{id}?workspace={}",
            form.workspace
        ),
        outcome,
    )
}

// ------------------------------------------------------------ the stream

/// What one event tells the page.
#[derive(Serialize, PartialEq, Clone)]
struct Snapshot {
    status: &'static str,
    status_label: String,
    text: String,
    /// The generation has ended: the page reloads to show the result.
    done: bool,
    /// A failed attempt's words while it waits to retry.
    retry: Option<String>,
}

struct Live {
    state: AppState,
    auth: Authorized,
    id: GenerationId,
    t: &'static crate::i18n::Catalog,
    subscription: Subscription,
    pending: VecDeque<Event>,
    last: Option<Snapshot>,
    ended: bool,
    ends: Instant,
    _admitted: super::super::live::Admitted,
}

impl Live {
    fn snapshot(&self, g: &GenerationView) -> Snapshot {
        let status: &'static str = g.status.into();
        Snapshot {
            status,
            status_label: self.t.text(&format!("studio.status.{status}")).to_owned(),
            text: g.text.clone(),
            done: g.status.is_final(),
            retry: g
                .error
                .as_ref()
                .filter(|_| !g.status.is_final())
                .map(|e| words::generation_failure(self.t, &e.code)),
        }
    }

    /// Queues an event when the generation changed; `None` when it cannot
    /// be read (the stream ends and the browser comes back).
    async fn look(&mut self) -> Option<()> {
        let g = match self.state.studio().generation(&self.auth, self.id).await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "the generation stream could not read it");
                return None;
            }
        };
        let snap = self.snapshot(&g);
        if self.last.as_ref() != Some(&snap) {
            let data = serde_json::to_string(&snap).unwrap_or_default();
            self.pending
                .push_back(Event::default().event("generation").data(data));
            self.ended = snap.done;
            self.last = Some(snap);
        }
        Some(())
    }

    async fn wait(&self) -> bool {
        tokio::select! {
            () = self.subscription.notified() => true,
            () = tokio::time::sleep(POLL) => true,
            () = tokio::time::sleep_until(self.ends) => false,
        }
    }
}

fn events(live: Live) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold((live, false), |(mut live, started)| async move {
        loop {
            if let Some(event) = live.pending.pop_front() {
                return Some((Ok(event), (live, true)));
            }
            if live.ended {
                return None;
            }
            if started && !live.wait().await {
                return None;
            }
            // The first look always has something to say: the current
            // state, which the page may have drawn a moment earlier.
            live.look().await?;
        }
    })
}

async fn generation_events(
    State(state): State<AppState>,
    PageMember { auth, .. }: PageMember,
    c: Chrome,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let id = GenerationId(id);
    // Someone else's generation is a 404 before any stream opens.
    state.studio().generation(&auth, id).await?;
    let Some(admitted) = state.live_streams().admit(auth.user()) else {
        return Err(WebError::Account(
            herald_accounts::AccountError::RateLimited { retry_after: POLL },
        ));
    };
    let subscription = state
        .queue()
        .notifications()
        .subscribe(GENERATION_CHANNEL, &id.to_string());
    let live = Live {
        ends: Instant::now() + LIFETIME,
        state,
        auth,
        id,
        t: c.t,
        subscription,
        pending: VecDeque::new(),
        last: None,
        ended: false,
        _admitted: admitted,
    };
    let sse =
        Sse::new(events(live)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"));
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response())
}
