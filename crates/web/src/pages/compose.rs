//! The composer: one form for a new post (`/home/compose`) or a change to
//! one that has not gone out (`/home/compose/{id}`).
//!
//! The form works on its own: accounts are checkboxes, the shared caption
//! and media apply to every account, each account has a panel of overrides
//! limited to what its platform's rules support, and three buttons save a
//! draft, schedule or publish now. The script turns the panels into tabs,
//! adds the media library, counters, previews and live validation, and
//! keeps the same fields filled, so the server reads one format either way.

use herald_core::Named;
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use herald_accounts::Permission;
use herald_connections::{ConnectionView, Status};
use herald_core::{ConnectionId, PostId, Timestamp, WorkspaceId};
use herald_platforms::{AccountKind, PostFormat, PostingOptions, ProviderId};
use herald_publishing::rules::rules_for;
use herald_publishing::{PostInput, PostView, PublishError, TargetInput, Variant, When};
use serde::Deserialize;
use serde_json::json;

use super::posts::{Platform, platform, schedule_of, schedule_parts, viewer_zone, zone_names};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, render};
use crate::auth::SignedIn;
use crate::error::publish_status;
use crate::i18n::{Catalog, error_copy};
use crate::member;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/compose", get(show_composer).post(create_post))
        .route("/home/compose/{id}", get(show_edit).post(update_post))
}

/// One account's overrides, as the form carries them (`t.{id}.{field}`).
#[derive(Debug, Clone, Default)]
struct Overrides {
    caption: String,
    title: String,
    link: String,
    first_comment: String,
    privacy: String,
    /// Chosen by the person; empty means "automatic".
    format: String,
    /// What the script worked out from the media's kinds.
    format_auto: String,
    /// The account gets its own media list (possibly empty).
    own_media: bool,
    media: String,
    /// TikTok: interactions viewers get, and the commercial-content
    /// disclosure (the switch and what it promotes).
    allow_comments: bool,
    allow_duets: bool,
    allow_stitches: bool,
    disclose: bool,
    own_brand: bool,
    branded: bool,
}

/// Everything the form holds.
#[derive(Debug, Clone, Default)]
struct ComposeState {
    workspace: Option<i64>,
    accounts: Vec<String>,
    caption: String,
    media: String,
    overrides: HashMap<String, Overrides>,
    date: String,
    time: String,
    time_zone: String,
    action: String,
    /// The studio draft a new post is composed from: the post is linked to
    /// it when saved, and so takes its pillar.
    draft: Option<i64>,
}

fn ids(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n', '\r', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The format when neither the person nor the script chose one: what the
/// platform most likely means by this many media files.
fn fallback_format(kind: AccountKind, media: usize) -> PostFormat {
    match kind {
        AccountKind::FacebookPage if media == 0 => PostFormat::Text,
        AccountKind::FacebookPage => PostFormat::Image,
        AccountKind::InstagramBusiness | AccountKind::InstagramAccount if media > 1 => {
            PostFormat::Carousel
        }
        AccountKind::InstagramBusiness | AccountKind::InstagramAccount => PostFormat::Image,
        AccountKind::TikTokUser | AccountKind::YouTubeChannel => PostFormat::Video,
    }
}

impl ComposeState {
    fn from_form(pairs: Vec<(String, String)>) -> ComposeState {
        let mut s = ComposeState::default();
        for (key, value) in pairs {
            match key.as_str() {
                "workspace" => s.workspace = value.trim().parse().ok(),
                "account" => {
                    if !s.accounts.contains(&value) {
                        s.accounts.push(value);
                    }
                }
                "caption" => s.caption = value,
                "media" => s.media = value,
                "date" => s.date = value,
                "time" => s.time = value,
                "time_zone" => s.time_zone = value,
                "action" => s.action = value,
                "draft" => s.draft = value.trim().parse().ok().filter(|d| *d > 0),
                _ => {
                    let Some((id, field)) = key
                        .strip_prefix("t.")
                        .and_then(|rest| rest.rsplit_once('.'))
                    else {
                        continue;
                    };
                    let o = s.overrides.entry(id.to_owned()).or_default();
                    match field {
                        "caption" => o.caption = value,
                        "title" => o.title = value,
                        "link" => o.link = value,
                        "first_comment" => o.first_comment = value,
                        "privacy" => o.privacy = value,
                        "format" => o.format = value,
                        "format_auto" => o.format_auto = value,
                        "own_media" => o.own_media = !value.is_empty(),
                        "media" => o.media = value,
                        "allow_comments" => o.allow_comments = !value.is_empty(),
                        "allow_duets" => o.allow_duets = !value.is_empty(),
                        "allow_stitches" => o.allow_stitches = !value.is_empty(),
                        "disclose" => o.disclose = !value.is_empty(),
                        "own_brand" => o.own_brand = !value.is_empty(),
                        "branded" => o.branded = !value.is_empty(),
                        _ => {}
                    }
                }
            }
        }
        s
    }

    /// The form for an existing post: the first account's caption and
    /// media are the shared ones, others differ where they do.
    fn from_post(post: &PostView) -> ComposeState {
        let targets: Vec<_> = post
            .targets
            .iter()
            .filter(|t| t.connection_id.is_some())
            .collect();
        let caption = targets
            .first()
            .map(|t| t.variant.caption.clone())
            .unwrap_or_default();
        let media = targets
            .first()
            .map(|t| t.variant.media.clone())
            .unwrap_or_default();
        let mut s = ComposeState {
            workspace: Some(post.workspace_id),
            caption: caption.clone(),
            media: media.join(","),
            ..ComposeState::default()
        };
        for t in targets {
            let id = t
                .connection_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let v = &t.variant;
            s.overrides.insert(
                id.clone(),
                Overrides {
                    caption: if v.caption == caption {
                        String::new()
                    } else {
                        v.caption.clone()
                    },
                    title: v.title.clone().unwrap_or_default(),
                    link: v.link.clone().unwrap_or_default(),
                    first_comment: v.first_comment.clone().unwrap_or_default(),
                    privacy: v.privacy.clone().unwrap_or_default(),
                    format: v.format.as_str().to_owned(),
                    format_auto: String::new(),
                    own_media: v.media != media,
                    media: v.media.join(","),
                    allow_comments: v.allow_comments,
                    allow_duets: v.allow_duets,
                    allow_stitches: v.allow_stitches,
                    disclose: v.discloses_commercial_content,
                    own_brand: v.promotes_own_brand,
                    branded: v.branded_content,
                },
            );
            s.accounts.push(id);
        }
        if let Some(schedule) = &post.schedule {
            let (date, time) = schedule_parts(schedule);
            s.date = date;
            s.time = time;
            s.time_zone = schedule.time_zone.clone();
        }
        s
    }

    fn when(&self) -> Result<When, WebError> {
        match self.action.as_str() {
            "draft" => Ok(When::Draft),
            "now" => Ok(When::Now),
            // A time when one is given; none: right when approved.
            "submit" => Ok(When::Submit {
                schedule: (!self.date.trim().is_empty() && !self.time.trim().is_empty())
                    .then(|| schedule_of(&self.date, &self.time, &self.time_zone)),
            }),
            "schedule" => Ok(When::Schedule {
                schedule: schedule_of(&self.date, &self.time, &self.time_zone),
            }),
            _ => Err(WebError::BadRequest {
                code: "bad_request",
            }),
        }
    }

    /// The post the form describes; `kinds` are the workspace's accounts.
    fn to_input(&self, kinds: &HashMap<String, AccountKind>) -> Result<PostInput, WebError> {
        let shared_media = ids(&self.media);
        let targets = self
            .accounts
            .iter()
            .map(|id| {
                let o = self.overrides.get(id).cloned().unwrap_or_default();
                let media = if o.own_media {
                    ids(&o.media)
                } else {
                    shared_media.clone()
                };
                let kind = kinds.get(id).copied();
                let format = PostFormat::parse(o.format.trim())
                    .or_else(|| PostFormat::parse(o.format_auto.trim()))
                    .or_else(|| kind.map(|k| fallback_format(k, media.len())))
                    .unwrap_or(PostFormat::Text);
                let rules = kind.map(rules_for);
                // Fields the platform has no place for are dropped rather
                // than refused: they are only left over from another tab.
                let keep = |supported: bool, value: &str| {
                    if supported { opt(value) } else { None }
                };
                let settings = rules.is_some_and(|r| r.post_settings);
                // What it promotes counts only with the disclosure on.
                let disclose = settings && o.disclose;
                TargetInput {
                    connection_id: ConnectionId::from(id.as_str()),
                    variant: Variant {
                        format,
                        caption: opt(&o.caption).unwrap_or_else(|| self.caption.clone()),
                        title: keep(rules.is_some_and(|r| r.title_max > 0), &o.title),
                        link: keep(rules.is_some_and(|r| r.link), &o.link),
                        first_comment: keep(
                            rules.is_some_and(|r| r.first_comment),
                            &o.first_comment,
                        ),
                        privacy: keep(rules.is_some_and(|r| !r.privacy.is_empty()), &o.privacy),
                        media,
                        cover_offset_ms: None,
                        allow_comments: settings && o.allow_comments,
                        allow_duets: settings && o.allow_duets,
                        allow_stitches: settings && o.allow_stitches,
                        discloses_commercial_content: disclose,
                        promotes_own_brand: disclose && o.own_brand,
                        branded_content: disclose && o.branded,
                    },
                }
            })
            .collect();
        Ok(PostInput {
            targets,
            when: self.when()?,
        })
    }
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct AccountOption {
    pub id: String,
    pub name: String,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub initial: String,
    pub platform: Platform,
    pub kind: &'static str,
    pub checked: bool,
    pub needs_reconnection: bool,
}

pub struct Panel {
    pub id: String,
    pub name: String,
    pub platform: Platform,
    pub caption: String,
    pub caption_max: usize,
    pub has_title: bool,
    pub title_required: bool,
    pub title: String,
    pub title_max: usize,
    pub has_link: bool,
    pub link: String,
    pub has_first_comment: bool,
    pub first_comment: String,
    pub privacy: Vec<Choice>,
    /// No privacy is preselected: the select starts at "Choose…".
    pub privacy_choose: bool,
    pub tiktok: Option<TikTokPanel>,
    pub formats: Vec<Choice>,
    pub format_auto: String,
    pub own_media: bool,
    pub media: String,
}

/// An interaction switch of a TikTok post.
pub struct Toggle {
    pub checked: bool,
    /// Switched off in the creator's TikTok settings: it cannot be on.
    pub disabled: bool,
}

/// The TikTok part of an account's panel: who the post goes out as, what
/// the account offers right now (its creator info) and the person's
/// choices.
pub struct TikTokPanel {
    /// `Nickname (@handle)`, when TikTok said.
    pub posting_as: Option<String>,
    /// TikTok did not say what the account offers.
    pub unavailable: bool,
    /// The longest video the account may post, in seconds.
    pub max_seconds: Option<String>,
    pub comments: Toggle,
    pub duets: Toggle,
    pub stitches: Toggle,
    pub disclose: bool,
    pub own_brand: bool,
    pub branded: bool,
}

/// What an account's platform said it offers, for the composer.
pub enum Offered {
    Options(PostingOptions),
    /// It was asked and did not answer.
    Unavailable,
}

pub struct IssueLine {
    pub account: String,
    pub message: String,
}

pub struct ZoneOption {
    pub name: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    c: Chrome,
    rail: Vec<RailItem>,
    heading: &'static str,
    action: String,
    workspace: i64,
    editable: bool,
    /// Their role (and token) may schedule and publish; others submit.
    may_publish: bool,
    accounts: Vec<AccountOption>,
    panels: Vec<Panel>,
    caption: String,
    media: String,
    date: String,
    time: String,
    zones: Vec<ZoneOption>,
    /// The zone select starts at the browser's zone (a new post).
    zone_from_browser: bool,
    config: String,
    error: Option<String>,
    issues: Vec<IssueLine>,
    from_draft: Option<FromDraft>,
    /// Carried through the form (`draft`) into the post's creation.
    draft: Option<i64>,
}

fn kind_label(t: &'static Catalog, kind: AccountKind) -> &'static str {
    t.text(&format!("publishing.kind_{}", kind.as_str()))
}

/// The copy the script needs, in the page's language.
fn script_copy(t: &'static Catalog) -> serde_json::Map<String, serde_json::Value> {
    const KEYS: [&str; 28] = [
        "compose.counter",
        "compose.counter_over",
        "compose.shared_caption_hint",
        "compose.no_issues",
        "compose.issues_count",
        "compose.validating",
        "compose.media_empty",
        "compose.library_empty",
        "compose.library_error",
        "compose.uploading",
        "compose.uploaded",
        "compose.upload_failed",
        "compose.remove_media",
        "compose.move_up",
        "compose.move_down",
        "compose.include_media",
        "compose.preview_empty",
        "compose.drive_importing",
        "compose.drive_started",
        "compose.drive_failed",
        "compose.drive_empty",
        "compose.drive_import",
        "compose.select_media",
        "compose.selected_media",
        "compose.severity_error",
        "compose.severity_warning",
        "compose.video",
        "compose.image",
    ];
    let mut copy = serde_json::Map::new();
    for key in KEYS {
        copy.insert(key.to_owned(), json!(t.template(key)));
    }
    copy
}

struct PageInput {
    post_id: Option<PostId>,
    /// What the accounts offer now, by connection id (TikTok).
    offered: HashMap<String, Offered>,
    workspace: WorkspaceId,
    connections: Vec<ConnectionView>,
    state: ComposeState,
    editable: bool,
    may_publish: bool,
    zone_from_browser: bool,
    error: Option<String>,
    issues: Vec<IssueLine>,
    from_draft: Option<FromDraft>,
}

fn page(c: Chrome, input: PageInput) -> ComposePage {
    let t = c.t;
    let PageInput {
        post_id,
        offered,
        workspace,
        connections,
        state,
        editable,
        may_publish,
        zone_from_browser,
        error,
        issues,
        from_draft,
    } = input;
    let accounts = connections
        .iter()
        .map(|v| AccountOption {
            id: v.id.to_string(),
            name: v.name.clone(),
            handle: v.handle.clone(),
            avatar_url: v.avatar_url.clone().filter(|u| {
                u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/')
            }),
            initial: v
                .name
                .chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            platform: platform(v.kind),
            kind: kind_label(t, v.kind),
            checked: state.accounts.contains(&v.id.0),
            needs_reconnection: v.status == Status::NeedsReconnection,
        })
        .collect();
    let mut config_accounts = serde_json::Map::new();
    let panels = connections
        .iter()
        .filter(|v| v.status != Status::NeedsReconnection || state.accounts.contains(&v.id.0))
        .map(|v| {
            let rules = rules_for(v.kind);
            let o = state
                .overrides
                .get(v.id.as_str())
                .cloned()
                .unwrap_or_default();
            let p = platform(v.kind);
            config_accounts.insert(
                v.id.to_string(),
                json!({
                    "kind": v.kind.as_str(),
                    "platform": p.name,
                    "slug": p.slug,
                    "mark": p.mark,
                    "name": v.name,
                    "captionMax": rules.caption_max,
                    "titleMax": rules.title_max,
                    "titleRequired": rules.title_required,
                    "hashtagsMax": rules.hashtags_max,
                    "utf16": rules.counts_utf16,
                    "formats": rules.formats.iter().map(|f| f.format.as_str()).collect::<Vec<_>>(),
                }),
            );
            let options = match offered.get(v.id.as_str()) {
                Some(Offered::Options(options)) => Some(options),
                _ => None,
            };
            // The platform's own list, in its order, when it said;
            // otherwise every value the platform knows.
            let privacy_values: Vec<&'static str> = match options {
                Some(options) => options
                    .privacy_options
                    .iter()
                    .filter_map(|o| rules.privacy.iter().find(|p| **p == o.as_str()).copied())
                    .collect(),
                None => rules.privacy.to_vec(),
            };
            let privacy_selected = if privacy_values.contains(&o.privacy.as_str()) {
                o.privacy.as_str()
            } else if rules.privacy_required {
                ""
            } else {
                rules.privacy.first().copied().unwrap_or("")
            };
            let tiktok = rules.post_settings.then(|| TikTokPanel {
                posting_as: options.and_then(|i| match (&i.nickname, &i.username) {
                    (Some(n), Some(u)) => Some(format!("{n} (@{u})")),
                    (None, Some(u)) => Some(format!("@{u}")),
                    (Some(n), None) => Some(n.clone()),
                    (None, None) => None,
                }),
                unavailable: matches!(offered.get(v.id.as_str()), Some(Offered::Unavailable)),
                max_seconds: options
                    .and_then(|i| i.max_video_duration_secs)
                    .map(|s| s.to_string()),
                comments: Toggle {
                    checked: o.allow_comments,
                    disabled: options.is_some_and(|i| i.comment_disabled),
                },
                duets: Toggle {
                    checked: o.allow_duets,
                    disabled: options.is_some_and(|i| i.duet_disabled),
                },
                stitches: Toggle {
                    checked: o.allow_stitches,
                    disabled: options.is_some_and(|i| i.stitch_disabled),
                },
                disclose: o.disclose,
                own_brand: o.own_brand,
                branded: o.branded,
            });
            Panel {
                id: v.id.to_string(),
                name: v.name.clone(),
                platform: p,
                caption: o.caption.clone(),
                caption_max: rules.caption_max,
                has_title: rules.title_max > 0,
                title_required: rules.title_required,
                title: o.title.clone(),
                title_max: rules.title_max,
                has_link: rules.link,
                link: o.link.clone(),
                has_first_comment: rules.first_comment,
                first_comment: o.first_comment.clone(),
                privacy: privacy_values
                    .iter()
                    .map(|value| Choice {
                        value,
                        label: t.text(&format!("compose.privacy.{}", value.to_ascii_lowercase())),
                        selected: *value == privacy_selected,
                    })
                    .collect(),
                privacy_choose: rules.privacy_required,
                tiktok,
                formats: rules
                    .formats
                    .iter()
                    .map(|f| Choice {
                        value: f.format.as_str(),
                        label: t.text(&format!("compose.format.{}", f.format.as_str())),
                        selected: f.format.as_str() == o.format,
                    })
                    .collect(),
                format_auto: o.format_auto.clone(),
                own_media: o.own_media,
                media: o.media.clone(),
            }
        })
        .collect();
    let drive = connections
        .iter()
        .find(|v| v.provider == ProviderId::YouTube && v.status != Status::NeedsReconnection)
        .map(|v| v.id.clone());
    let ws = workspace.0;
    let config = json!({
        "workspace": ws,
        "locale": c.locale.code(),
        "mediaApi": format!("/api/workspaces/{ws}/media"),
        "validateApi": format!("/api/posts/validate?workspace={ws}"),
        "driveConnection": drive,
        "accounts": config_accounts,
        "copy": script_copy(t),
    });
    let zone = if state.time_zone.trim().is_empty() {
        "UTC".to_owned()
    } else {
        state.time_zone.trim().to_owned()
    };
    ComposePage {
        rail: rail(Section::Calendar),
        heading: if post_id.is_some() {
            "compose.edit_title"
        } else {
            "compose.title"
        },
        action: match &post_id {
            Some(id) => format!("/home/compose/{id}"),
            None => "/home/compose".to_owned(),
        },
        workspace: ws,
        editable,
        may_publish,
        accounts,
        panels,
        caption: state.caption,
        media: state.media,
        draft: if post_id.is_none() { state.draft } else { None },
        date: state.date,
        time: state.time,
        zones: zone_names()
            .iter()
            .map(|name| ZoneOption {
                name: name.as_str(),
                selected: *name == zone,
            })
            .collect(),
        zone_from_browser,
        config: config.to_string(),
        error,
        issues,
        from_draft,
        c,
    }
}

#[derive(Deserialize, Default)]
struct ComposeQuery {
    workspace: Option<i64>,
    /// A content studio draft to start from.
    draft: Option<i64>,
    /// A time to schedule for (RFC 3339, a recommendation's best hour):
    /// the date and time fields start at it, in the reader's zone.
    at: Option<String>,
    /// An account to start with, ticked (one of the workspace's).
    account: Option<String>,
}

/// What each account whose platform says so offers right now (TikTok's
/// creator info), by connection id. An account that needs reconnecting is
/// not asked; one that could not be asked is marked unavailable.
async fn offered_of(
    state: &AppState,
    auth: &herald_accounts::Authorized,
    connections: &[ConnectionView],
) -> HashMap<String, Offered> {
    let publishing = state.publishing();
    let mut offered = HashMap::new();
    for conn in connections {
        if !rules_for(conn.kind).post_settings || conn.status == Status::NeedsReconnection {
            continue;
        }
        match publishing.posting_options(auth, &conn.id).await {
            Ok(Some(options)) => {
                offered.insert(conn.id.to_string(), Offered::Options(options));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::debug!(connection = %conn.id, error = %e, "posting options not shown");
                offered.insert(conn.id.to_string(), Offered::Unavailable);
            }
        }
    }
    offered
}

/// The date and time fields (`2026-12-08`, `18:00`) of instant `at` in
/// `tz`.
fn date_time_fields(at: Timestamp, tz: &jiff::tz::TimeZone) -> (String, String) {
    let local = at.to_zoned(tz.clone());
    (
        local.strftime("%Y-%m-%d").to_string(),
        local.strftime("%H:%M").to_string(),
    )
}

/// The draft a new post starts from, and what its platforms would still
/// refuse or warn about (media to add, a title).
pub struct FromDraft {
    pub title: String,
    pub href: String,
    pub issues: Vec<IssueLine>,
}

/// The studio's platform of an account kind.
fn studio_platform(kind: AccountKind) -> herald_studio::Platform {
    use herald_studio::Platform as P;
    match kind {
        AccountKind::InstagramBusiness | AccountKind::InstagramAccount => P::Instagram,
        AccountKind::FacebookPage => P::Facebook,
        AccountKind::TikTokUser => P::Tiktok,
        AccountKind::YouTubeChannel => P::Youtube,
    }
}

/// The form prefilled from a draft's per-platform variants: the first
/// variant's caption is the shared one, each account whose platform's
/// variant differs gets it as its own, YouTube its title. No account is
/// ticked: the person picks them, the media and the time.
async fn from_draft(
    state: &AppState,
    auth: &herald_accounts::Authorized,
    t: &'static Catalog,
    id: i64,
    connections: &[ConnectionView],
    form: &mut ComposeState,
) -> Result<FromDraft, WebError> {
    let studio = state.studio();
    let draft = studio.draft(auth, herald_core::DraftId(id)).await?;
    let mut platforms: Vec<herald_studio::Platform> = connections
        .iter()
        .map(|c| studio_platform(c.kind))
        .collect();
    platforms.sort();
    platforms.dedup();
    let variants = studio
        .composer_variants(auth, herald_core::DraftId(id), &platforms)
        .await?;
    let shared = draft
        .platform
        .and_then(|p| variants.iter().find(|v| v.platform == p))
        .or(variants.first())
        .map(|v| v.caption.clone())
        .unwrap_or_default();
    for conn in connections {
        let Some(v) = variants
            .iter()
            .find(|v| v.platform == studio_platform(conn.kind))
        else {
            continue;
        };
        form.overrides.insert(
            conn.id.to_string(),
            Overrides {
                caption: if v.caption == shared {
                    String::new()
                } else {
                    v.caption.clone()
                },
                title: v.title.clone().unwrap_or_default(),
                ..Overrides::default()
            },
        );
    }
    form.caption = shared;
    let issues = variants
        .iter()
        .flat_map(|v| {
            let platform = t.text(&format!("studio.platform.{}", v.platform.as_str()));
            v.issues.iter().map(move |i| IssueLine {
                account: platform.to_owned(),
                message: crate::words::issue(t, i),
            })
        })
        .collect();
    Ok(FromDraft {
        href: format!("/home/content/drafts/{id}?workspace={}", auth.workspace()),
        title: draft.title,
        issues,
    })
}

async fn show_composer(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let (ws, auth) = member::authorize(&state, &authed.user, q.workspace, Permission::View).await?;
    let connections = state.connections().list(&auth, None).await?;
    let zone = viewer_zone(None, &headers);
    let mut form = ComposeState {
        workspace: Some(ws.id.0),
        time_zone: zone.name,
        draft: q.draft,
        ..ComposeState::default()
    };
    // A proposed time is shown in the zone the reader reads times in, and
    // the zone select keeps it (the script would otherwise pick the
    // browser's and move the hour).
    let at =
        q.at.as_deref()
            .map(|a| {
                a.trim()
                    .parse::<Timestamp>()
                    .map_err(|_| WebError::BadRequest {
                        code: "bad_request",
                    })
            })
            .transpose()?;
    if let Some(at) = at {
        let reader = super::analytics::reader_zone(&authed.user, &headers);
        (form.date, form.time) = date_time_fields(at, &reader.tz);
        form.time_zone = reader.name;
    }
    if let Some(account) = q.account.as_deref().map(str::trim)
        && connections.iter().any(|c| c.id.as_str() == account)
    {
        form.accounts.push(account.to_owned());
    }
    let from_draft = match q.draft {
        Some(id) => Some(from_draft(&state, &auth, c.t, id, &connections, &mut form).await?),
        None => None,
    };
    let offered = offered_of(&state, &auth, &connections).await;
    render(&page(
        c,
        PageInput {
            post_id: None,
            offered,
            workspace: ws.id,
            connections,
            state: form,
            editable: true,
            may_publish: auth.allows(Permission::Publish),
            zone_from_browser: at.is_none(),
            error: None,
            issues: Vec::new(),
            from_draft,
        },
    ))
}

async fn show_edit(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Path(id): Path<PostId>,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, WebError> {
    let (ws, auth) = member::authorize(&state, &authed.user, q.workspace, Permission::View).await?;
    let post = state.publishing().get(&auth, &id).await?;
    let connections = state.connections().list(&auth, None).await?;
    let editable = post.targets.iter().all(|t| t.status.is_editable());
    let error = (!editable).then(|| c.t.get("compose.not_editable").to_owned());
    let offered = offered_of(&state, &auth, &connections).await;
    render(&page(
        c,
        PageInput {
            post_id: Some(post.id.clone()),
            offered,
            workspace: ws.id,
            connections,
            state: ComposeState::from_post(&post),
            editable,
            may_publish: auth.allows(Permission::Publish),
            zone_from_browser: post.schedule.is_none(),
            error,
            issues: Vec::new(),
            from_draft: None,
        },
    ))
}

async fn create_post(
    State(state): State<AppState>,
    authed: SignedIn,
    c: Chrome,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, authed, c, None, pairs).await
}

async fn update_post(
    State(state): State<AppState>,
    authed: SignedIn,
    c: Chrome,
    Path(id): Path<PostId>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, authed, c, Some(id), pairs).await
}

/// Saves the form; a refusal shows the form again with what was entered
/// and why, a success goes to where the post now is.
async fn save(
    state: AppState,
    SignedIn(authed): SignedIn,
    c: Chrome,
    post_id: Option<PostId>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let publishing = state.publishing();
    let form = ComposeState::from_form(pairs);
    let asked = form.workspace.ok_or(WebError::BadRequest {
        code: "bad_request",
    })?;
    // The service checks the permission the post's time needs (drafting or
    // publishing); a refusal is shown in the form like any other.
    let auth = member::proof(&state, &authed.user, Some(asked), Permission::View).await?;
    let workspace = auth.workspace();
    let connections = state.connections().list(&auth, None).await?;
    let kinds: HashMap<String, AccountKind> = connections
        .iter()
        .map(|v| (v.id.to_string(), v.kind))
        .collect();
    let input = form.to_input(&kinds)?;
    // A new post from a draft: the draft must be the workspace's before
    // anything is created.
    let draft = match (&post_id, form.draft) {
        (None, Some(id)) => {
            let id = herald_core::DraftId(id);
            state.studio().draft(&auth, id).await?;
            Some(id)
        }
        _ => None,
    };
    let saved = match &post_id {
        None => publishing.create(&auth, input).await,
        Some(id) => publishing.update(&auth, id, input).await,
    };
    let e = match saved {
        Ok(post) => {
            if let Some(draft) = draft {
                // The post exists either way; a draft deleted meanwhile
                // only loses the pillar link.
                if let Err(e) = state.studio().link_post(&auth, draft, &post.id).await {
                    tracing::warn!(error = %e, post = %post.id, "could not link the post to its draft");
                }
            }
            return Ok(Redirect::to(&after_save(&form, &post)).into_response());
        }
        Err(e) => e,
    };
    let status = publish_status(&e);
    if status.is_server_error() || status == StatusCode::NOT_FOUND {
        return Err(e.into());
    }
    let issues = match &e {
        PublishError::Invalid(problems) => problems
            .iter()
            .map(|(account, issue)| IssueLine {
                account: account.clone(),
                message: crate::words::issue(c.t, issue),
            })
            .collect(),
        _ => Vec::new(),
    };
    let error = Some(error_copy(c.locale, e.code()).to_owned());
    let offered = offered_of(&state, &auth, &connections).await;
    let mut response = render(&page(
        c,
        PageInput {
            post_id,
            offered,
            workspace,
            connections,
            state: form,
            editable: true,
            may_publish: auth.allows(Permission::Publish),
            zone_from_browser: false,
            error,
            issues,
            from_draft: None,
        },
    ))?;
    *response.status_mut() = status;
    Ok(response)
}

/// Where a saved post is shown: the calendar at its day, the drafts list,
/// or its own page while it goes out.
fn after_save(form: &ComposeState, post: &PostView) -> String {
    let ws = post.workspace_id;
    match form.action.as_str() {
        "draft" => format!("/home/calendar?workspace={ws}&list=drafts&done=draft_saved#queue"),
        "now" => format!("/home/posts/{}?workspace={ws}&done=publishing", post.id),
        "submit" => format!("/home/posts/{}?workspace={ws}&done=submitted", post.id),
        _ => {
            let date = post
                .schedule
                .as_ref()
                .map(|s| schedule_parts(s).0)
                .unwrap_or_default();
            format!("/home/calendar?workspace={ws}&date={date}&list=upcoming&done=scheduled")
        }
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
    fn the_form_becomes_one_target_per_ticked_account_with_its_overrides() {
        let form = ComposeState::from_form(pairs(&[
            ("workspace", "7"),
            ("account", "ig"),
            ("account", "yt"),
            ("caption", "Fresh bread"),
            ("media", "img, vid"),
            ("t.ig.own_media", "1"),
            ("t.ig.media", "img"),
            ("t.ig.first_comment", "#bakery"),
            ("t.ig.title", "left over from nothing"),
            ("t.yt.title", "Bread tour"),
            ("t.yt.caption", "A tour of the bakery"),
            ("t.yt.privacy", "unlisted"),
            ("t.yt.own_media", "1"),
            ("t.yt.media", "vid"),
            ("t.yt.format_auto", "video"),
            ("t.other.caption", "not ticked"),
            ("date", "2026-03-29"),
            ("time", "09:00"),
            ("time_zone", "Europe/Berlin"),
            ("action", "schedule"),
        ]));
        assert_eq!(form.workspace, Some(7));
        let kinds = HashMap::from([
            ("ig".to_owned(), AccountKind::InstagramBusiness),
            ("yt".to_owned(), AccountKind::YouTubeChannel),
        ]);
        let input = form.to_input(&kinds).unwrap();
        assert_eq!(input.targets.len(), 2);
        let ig = &input.targets[0].variant;
        assert_eq!(ig.caption, "Fresh bread");
        assert_eq!(ig.media, ["img"]);
        assert_eq!(ig.format, PostFormat::Image);
        assert_eq!(ig.first_comment.as_deref(), Some("#bakery"));
        assert_eq!(ig.title, None, "Instagram posts have no title");
        let yt = &input.targets[1].variant;
        assert_eq!(yt.caption, "A tour of the bakery");
        assert_eq!(yt.title.as_deref(), Some("Bread tour"));
        assert_eq!(yt.privacy.as_deref(), Some("unlisted"));
        assert_eq!(yt.media, ["vid"]);
        assert_eq!(yt.format, PostFormat::Video);
        assert_eq!(
            input.when,
            When::Schedule {
                schedule: herald_publishing::Schedule::new("2026-03-29T09:00", "Europe/Berlin")
            }
        );
    }

    #[test]
    fn without_own_media_an_account_takes_the_shared_media_and_a_fitting_format() {
        let form = ComposeState::from_form(pairs(&[
            ("account", "fb"),
            ("media", ""),
            ("caption", "Open today"),
            ("action", "draft"),
        ]));
        let kinds = HashMap::from([("fb".to_owned(), AccountKind::FacebookPage)]);
        let input = form.to_input(&kinds).unwrap();
        assert_eq!(input.targets[0].variant.format, PostFormat::Text);
        assert!(input.targets[0].variant.media.is_empty());
        assert_eq!(input.when, When::Draft);
        let bad = ComposeState::from_form(pairs(&[("account", "fb"), ("action", "launch")]));
        assert!(bad.to_input(&kinds).is_err());
    }

    /// Every issue code the rules and the service produce.
    const ISSUE_CODES: [&str; 35] = [
        "caption_too_long_utf16",
        "privacy_required",
        "privacy_not_offered",
        "branded_content_private",
        "disclosure_incomplete",
        "interaction_disabled",
        "video_too_long_for_account",
        "format_unsupported",
        "caption_too_long",
        "too_many_hashtags",
        "too_many_mentions",
        "title_required",
        "title_too_long",
        "forbidden_character",
        "link_unsupported",
        "link_invalid",
        "first_comment_unsupported",
        "first_comment_too_long",
        "privacy_invalid",
        "text_empty",
        "story_caption_ignored",
        "media_not_allowed",
        "media_count",
        "media_kind_unsupported",
        "media_type_unsupported",
        "media_too_large",
        "video_too_short",
        "video_too_long",
        "duration_unknown",
        "aspect_ratio",
        "aspect_ratio_not_preferred",
        "account_unknown",
        "media_missing",
        "account_needs_reconnection",
        "provider_unavailable",
    ];

    #[test]
    fn every_issue_code_has_copy_in_every_language() {
        use crate::i18n::{Locale, catalog};
        for locale in Locale::ALL {
            for code in ISSUE_CODES {
                let key = format!("issue.{code}");
                assert!(catalog(locale).has(&key), "{key} in {}", locale.code());
            }
            for key in script_copy(catalog(locale)).keys() {
                assert!(catalog(locale).has(key), "{key} in {}", locale.code());
            }
        }
    }
}
