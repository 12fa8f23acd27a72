//! Drafts: the studio's pieces with every save kept as a version (who,
//! when), readable diffs between versions, restore (a new version with
//! the old text), bookmarks, and the per-platform variants the composer
//! opens with.

use herald_accounts::{Authorized, Permission};
use herald_core::{
    DraftId, GenerationId, Named, PillarId, TemplateId, Timestamp, UserId, WorkspaceId,
};
use herald_db::{DbTime, Tx, on_pool, on_tx};
use herald_platforms::PostFormat;
use herald_publishing::Variant;
use herald_publishing::rules::{self, Issue};
use serde::{Deserialize, Serialize};

use crate::catalog::{load_pillar, load_template};
use crate::check;
use crate::model::{Content, Format, Platform, Template};
use crate::prompt::account_kind;
use crate::{Studio, StudioError};

/// A draft to create.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDraft {
    /// A title (made from the content when empty).
    #[serde(default)]
    pub title: Option<String>,
    /// The content; an empty piece of `format` when missing.
    #[serde(default)]
    pub content: Option<Content>,
    /// The format of an empty draft (a caption by default).
    #[serde(default)]
    pub format: Option<Format>,
    /// Start from this template's structure.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub template_id: Option<TemplateId>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub pillar_id: Option<PillarId>,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub tone: Option<String>,
}

/// A save from the editor.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Save {
    #[serde(default)]
    pub title: Option<String>,
    pub content: Content,
    /// The version the editor started from: a save over a newer one is a
    /// conflict, not a silent overwrite.
    #[serde(default)]
    pub base_version: Option<i32>,
}

/// A draft with its current text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DraftId,
    pub title: String,
    pub format: Format,
    pub content: Content,
    /// The current version's number (1 for a new draft).
    pub version: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub template_id: Option<TemplateId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub generation_id: Option<GenerationId>,
    pub tone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub pillar_id: Option<PillarId>,
    pub platform: Option<Platform>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub updated_by: Option<UserId>,
    pub updated_at: Timestamp,
    /// Whether the caller bookmarked it.
    pub bookmarked: bool,
}

/// A draft in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftSummary {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DraftId,
    pub title: String,
    pub format: Format,
    pub version: i32,
    /// Whether the engine that wrote its first version was AI.
    pub from_generation: bool,
    pub updated_by_name: Option<String>,
    pub updated_at: Timestamp,
    pub bookmarked: bool,
}

/// A version in a draft's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub version: i32,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub author: Option<UserId>,
    pub author_name: Option<String>,
    pub created_at: Timestamp,
    /// The version it brought back, for a restore.
    pub restored_from: Option<i32>,
}

/// One version's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionView {
    #[serde(flatten)]
    pub summary: VersionSummary,
    pub content: Content,
}

/// One line of a diff between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// `same`, `added` or `removed`.
    pub change: &'static str,
    /// Which part: `title`, `hook`, `beat`, `cta`, `shot`, `caption`,
    /// `text`, `hashtag`, `slide_title`, `slide_body`, `part`.
    pub field: &'static str,
    /// The 1-based number of a beat, shot, slide, part or hashtag.
    pub index: Option<usize>,
    pub text: String,
}

/// What can be bookmarked.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BookmarkKind {
    Draft,
    Template,
    Generation,
}

/// A member's bookmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bookmark {
    pub kind: BookmarkKind,
    pub id: i64,
    pub title: String,
    pub created_at: Timestamp,
}

/// A draft's text made fit for one platform, for the composer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComposerVariant {
    pub platform: Platform,
    pub caption: String,
    /// A title where the platform takes one (YouTube).
    pub title: Option<String>,
    /// What the platform would still refuse or warn about (media to add).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub issues: Vec<Issue>,
}

pub(crate) struct DraftInsert<'a> {
    pub workspace: WorkspaceId,
    pub author: Option<UserId>,
    pub title: &'a str,
    pub content: &'a Content,
    pub template: Option<TemplateId>,
    pub generation: Option<GenerationId>,
    pub tone: Option<&'a str>,
    pub pillar: Option<PillarId>,
    pub platform: Option<&'a str>,
}

fn json(content: &Content) -> String {
    serde_json::to_string(content).unwrap_or_default()
}

fn first_words(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(at) if at > max / 2 => format!("{}…", &cut[..at]),
        _ => format!("{cut}…"),
    }
}

/// A title for a new draft: the template's, else its first line, else the
/// brief's first words.
pub(crate) fn title_of(content: &Content, template: Option<&Template>, brief: &str) -> String {
    let first = content
        .texts()
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .unwrap_or_default()
        .to_owned();
    let base = if !first.is_empty() {
        first
    } else if let Some(t) = template {
        t.title.clone()
    } else {
        brief.to_owned()
    };
    let title = first_words(&base, 80);
    if title.is_empty() {
        "—".to_owned()
    } else {
        title
    }
}

pub(crate) async fn insert_draft(
    tx: &mut Tx,
    d: &DraftInsert<'_>,
    now: Timestamp,
) -> Result<DraftId, StudioError> {
    let at = DbTime(now);
    let text = json(d.content);
    let id: DraftId = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO studio_drafts (workspace_id, title, format, content, version, template_id, \
             generation_id, tone, pillar_id, platform, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $10, $11) RETURNING id",
        )
        .bind(d.workspace)
        .bind(d.title)
        .bind(d.content.format().as_str())
        .bind(&text)
        .bind(d.template)
        .bind(d.generation)
        .bind(d.tone)
        .bind(d.pillar)
        .bind(d.platform)
        .bind(d.author)
        .bind(at)
        .fetch_one(conn)
        .await?
    });
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO studio_draft_versions (draft_id, version, title, content, author_id, created_at) \
             VALUES ($1, 1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(d.title)
        .bind(&text)
        .bind(d.author)
        .bind(at)
        .execute(conn)
        .await?;
    });
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    id: DraftId,
    title: String,
    format: String,
    content: String,
    version: i32,
    template_id: Option<TemplateId>,
    generation_id: Option<GenerationId>,
    tone: Option<String>,
    pillar_id: Option<PillarId>,
    platform: Option<String>,
    created_by: Option<UserId>,
    created_at: DbTime,
    updated_by: Option<UserId>,
    updated_at: DbTime,
}

/// A stored version: number, title, content, author, time, restored from.
type VersionRow = (i32, String, String, Option<UserId>, DbTime, Option<i32>);
/// A version without its content.
type VersionHead = (i32, String, Option<UserId>, DbTime, Option<i32>);
/// A draft in a list: id, title, format, version, generation, updated by
/// and at, bookmarked.
type SummaryRow = (
    DraftId,
    String,
    String,
    i32,
    Option<GenerationId>,
    Option<UserId>,
    DbTime,
    bool,
);

const DRAFT_COLUMNS: &str = "id, title, format, content, version, template_id, generation_id, tone, \
     pillar_id, platform, created_by, created_at, updated_by, updated_at";

fn content_of(text: &str) -> Result<Content, StudioError> {
    serde_json::from_str(text).map_err(StudioError::Corrupt)
}

/// A piece as lines of (field, index, text), the unit of a diff.
fn lines(title: &str, content: &Content) -> Vec<(&'static str, Option<usize>, String)> {
    let mut out = vec![("title", None, title.to_owned())];
    let numbered = |out: &mut Vec<_>, field, items: &[String]| {
        for (i, s) in items.iter().enumerate() {
            out.push((field, Some(i + 1), s.clone()));
        }
    };
    match content {
        Content::Script {
            hook,
            beats,
            cta,
            shots,
            caption,
        } => {
            out.push(("hook", None, hook.clone()));
            numbered(&mut out, "beat", beats);
            out.push(("cta", None, cta.clone()));
            numbered(&mut out, "shot", shots);
            out.push(("caption", None, caption.clone()));
        }
        Content::Caption { text, hashtags } => {
            out.push(("text", None, text.clone()));
            numbered(&mut out, "hashtag", hashtags);
        }
        Content::Carousel { slides, caption } => {
            for (i, s) in slides.iter().enumerate() {
                out.push(("slide_title", Some(i + 1), s.title.clone()));
                out.push(("slide_body", Some(i + 1), s.body.clone()));
            }
            out.push(("caption", None, caption.clone()));
        }
        Content::Thread { parts } => numbered(&mut out, "part", parts),
    }
    out
}

/// The changes from (`old_title`, `old`) to (`new_title`, `new`), line by
/// line (a line is one field of the piece).
pub fn diff(old_title: &str, old: &Content, new_title: &str, new: &Content) -> Vec<Change> {
    let a = lines(old_title, old);
    let b = lines(new_title, new);
    let key = |l: &(&str, Option<usize>, String)| format!("{}\u{1f}{}", l.0, l.2);
    let ak: Vec<String> = a.iter().map(key).collect();
    let bk: Vec<String> = b.iter().map(key).collect();
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &ak, &bk);
    let mut out = Vec::new();
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        {
            match tag {
                similar::DiffTag::Equal => {
                    for l in &b[new_range] {
                        out.push(Change {
                            change: "same",
                            field: l.0,
                            index: l.1,
                            text: l.2.clone(),
                        });
                    }
                }
                similar::DiffTag::Delete => {
                    for l in &a[old_range] {
                        out.push(Change {
                            change: "removed",
                            field: l.0,
                            index: l.1,
                            text: l.2.clone(),
                        });
                    }
                }
                similar::DiffTag::Insert => {
                    for l in &b[new_range] {
                        out.push(Change {
                            change: "added",
                            field: l.0,
                            index: l.1,
                            text: l.2.clone(),
                        });
                    }
                }
                similar::DiffTag::Replace => {
                    for l in &a[old_range] {
                        out.push(Change {
                            change: "removed",
                            field: l.0,
                            index: l.1,
                            text: l.2.clone(),
                        });
                    }
                    for l in &b[new_range] {
                        out.push(Change {
                            change: "added",
                            field: l.0,
                            index: l.1,
                            text: l.2.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Cuts `text` to `max` characters at a word boundary.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(at) if at > max / 2 => cut[..at].trim_end().to_owned(),
        _ => cut,
    };
    format!("{cut}…")
}

/// The text of `content` made fit for `platform`: within its caption and
/// title limits, hashtags capped, without characters it refuses.
pub fn variant_for(content: &Content, title: &str, platform: Platform) -> ComposerVariant {
    let kind = account_kind(platform);
    let r = rules::rules_for(kind);
    let clean = |s: &str| {
        s.chars()
            .filter(|c| !r.forbidden_chars.contains(c))
            .collect::<String>()
    };
    let (body, mut tags): (String, Vec<String>) = match content {
        Content::Script { hook, caption, .. } => {
            let text = if caption.trim().is_empty() {
                hook.clone()
            } else {
                caption.clone()
            };
            (text, Vec::new())
        }
        Content::Caption { text, hashtags } => (text.clone(), hashtags.clone()),
        Content::Carousel { caption, slides } => {
            let text = if caption.trim().is_empty() {
                slides.first().map(|s| s.title.clone()).unwrap_or_default()
            } else {
                caption.clone()
            };
            (text, Vec::new())
        }
        Content::Thread { parts } => (parts.join("\n\n"), Vec::new()),
    };
    let mut body = clean(&body);
    let in_body = rules::count_tags(&body, '#');
    let allowed = r
        .hashtags_max
        .map_or(usize::MAX, |m| m.saturating_sub(in_body));
    tags.retain(|t| !t.trim().is_empty());
    tags.truncate(allowed);
    if !tags.is_empty() {
        let tags: Vec<String> = tags
            .iter()
            .map(|t| {
                let t = clean(t.trim()).replace(' ', "");
                if t.starts_with('#') {
                    t
                } else {
                    format!("#{t}")
                }
            })
            .collect();
        body = format!("{}\n\n{}", body.trim_end(), tags.join(" "));
    }
    let mut caption = fit(body.trim(), r.caption_max);
    if let Some(max) = r.hashtags_max {
        // A cut never adds tags, but text a person wrote may hold more.
        while rules::count_tags(&caption, '#') > max {
            match caption.rfind('#') {
                Some(at) => caption = caption[..at].trim_end().to_owned(),
                None => break,
            }
        }
    }
    let title = (r.title_required || platform == Platform::Youtube).then(|| {
        let base = match content {
            Content::Script { hook, .. } if !hook.trim().is_empty() => hook.clone(),
            _ => title.to_owned(),
        };
        fit(&clean(base.trim()), r.title_max)
    });
    let format = match (platform, content.format()) {
        (Platform::Youtube | Platform::Tiktok, _) | (_, Format::Script) => PostFormat::Video,
        (Platform::Facebook, Format::Caption | Format::Thread) => PostFormat::Text,
        // A Page has no carousel format: its slides go out as one post of
        // several photos.
        (Platform::Facebook, Format::Carousel) => PostFormat::Image,
        (_, Format::Carousel) => PostFormat::Carousel,
        _ => PostFormat::Image,
    };
    let variant = Variant {
        format,
        caption: caption.clone(),
        title: title.clone(),
        ..Variant::default()
    };
    let issues = rules::validate(kind, &variant, &[]);
    ComposerVariant {
        platform,
        caption,
        title,
        issues,
    }
}

impl DraftRow {
    fn into_draft(self, bookmarked: bool) -> Result<Draft, StudioError> {
        let content = content_of(&self.content)?;
        Ok(Draft {
            id: self.id,
            title: self.title,
            format: Format::parse(&self.format).unwrap_or(content.format()),
            content,
            version: self.version,
            template_id: self.template_id,
            generation_id: self.generation_id,
            tone: self.tone,
            pillar_id: self.pillar_id,
            platform: self.platform.as_deref().and_then(Platform::parse),
            created_by: self.created_by,
            created_at: self.created_at.0,
            updated_by: self.updated_by,
            updated_at: self.updated_at.0,
            bookmarked,
        })
    }
}

impl Studio {
    async fn draft_row(
        &self,
        workspace: WorkspaceId,
        id: DraftId,
    ) -> Result<DraftRow, StudioError> {
        let sql = format!(
            "SELECT {DRAFT_COLUMNS} FROM studio_drafts WHERE id = $1 AND workspace_id = $2"
        );
        let row: Option<DraftRow> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id)
                .bind(workspace)
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StudioError::DraftNotFound)
    }

    async fn is_bookmarked(
        &self,
        auth: &Authorized,
        kind: BookmarkKind,
        id: i64,
    ) -> Result<bool, StudioError> {
        let n: i64 = on_pool!(&self.inner.db, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM studio_bookmarks WHERE user_id = $1 AND workspace_id = $2 \
                 AND kind = $3 AND target_id = $4",
            )
            .bind(auth.user())
            .bind(auth.workspace())
            .bind(kind.as_str())
            .bind(id)
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// The workspace's drafts, last changed first.
    pub async fn drafts(&self, auth: &Authorized) -> Result<Vec<DraftSummary>, StudioError> {
        auth.require(Permission::View)?;
        let rows: Vec<SummaryRow> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                    "SELECT d.id, d.title, d.format, d.version, d.generation_id, d.updated_by, d.updated_at, \
                     EXISTS (SELECT 1 FROM studio_bookmarks b WHERE b.user_id = $2 AND b.workspace_id = $1 \
                     AND b.kind = 'draft' AND b.target_id = d.id) \
                     FROM studio_drafts d WHERE d.workspace_id = $1 ORDER BY d.updated_at DESC, d.id DESC LIMIT 500",
                )
                .bind(auth.workspace())
                .bind(auth.user())
                .fetch_all(pool)
                .await?
        });
        let ids: Vec<UserId> = rows.iter().filter_map(|r| r.5).collect();
        let names = herald_accounts::shared::display_names(&self.inner.db, &ids).await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, title, format, version, generation, by, at, bookmarked)| DraftSummary {
                    id,
                    title,
                    format: Format::parse(&format).unwrap_or(Format::Caption),
                    version,
                    from_generation: generation.is_some(),
                    updated_by_name: by.and_then(|u| names.get(&u).cloned()),
                    updated_at: at.0,
                    bookmarked,
                },
            )
            .collect())
    }

    /// One draft.
    pub async fn draft(&self, auth: &Authorized, id: DraftId) -> Result<Draft, StudioError> {
        auth.require(Permission::View)?;
        let row = self.draft_row(auth.workspace(), id).await?;
        let marked = self.is_bookmarked(auth, BookmarkKind::Draft, id.0).await?;
        row.into_draft(marked)
    }

    /// Creates a draft: from the content given, a template's structure, or
    /// an empty piece.
    pub async fn create_draft(
        &self,
        auth: &Authorized,
        new: &NewDraft,
    ) -> Result<Draft, StudioError> {
        auth.require(Permission::Draft)?;
        let template = match new.template_id {
            Some(id) => Some(load_template(&self.inner.db, auth.workspace(), id).await?),
            None => None,
        };
        if let Some(p) = new.pillar_id {
            load_pillar(&self.inner.db, auth.workspace(), p).await?;
        }
        if let Some(t) = new.tone.as_deref().filter(|t| !t.is_empty()) {
            self.tone(t, None).await?;
        }
        let content = match (&new.content, &template) {
            (Some(c), _) => c.clone(),
            (None, Some(t)) => t.content.clone(),
            (None, None) => Content::empty(new.format.unwrap_or(Format::Caption)),
        };
        if let Some(f) = new.format
            && f != content.format()
        {
            return Err(StudioError::FormatMismatch {
                expected: f.as_str(),
                found: content.format().as_str(),
            });
        }
        check::content(&content)?;
        let title = match new
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) => check::text("title", t, 1, check::MAX_TITLE)?,
            None => title_of(&content, template.as_ref(), ""),
        };
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let id = insert_draft(
            &mut tx,
            &DraftInsert {
                workspace: auth.workspace(),
                author: Some(auth.user()),
                title: &title,
                content: &content,
                template: template.as_ref().map(|t| t.id),
                generation: None,
                tone: new.tone.as_deref().filter(|t| !t.is_empty()),
                pillar: new.pillar_id,
                platform: new.platform.map(Platform::as_str),
            },
            now,
        )
        .await?;
        herald_accounts::shared::record_member_event(
            &mut tx,
            now,
            auth,
            "studio.draft.create",
            &format!("draft:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        self.draft(auth, id).await
    }

    /// Saves the editor's text as a new version (nothing when it did not
    /// change). The draft's author or anyone who may publish may save.
    pub async fn save_draft(
        &self,
        auth: &Authorized,
        id: DraftId,
        save: &Save,
    ) -> Result<Draft, StudioError> {
        auth.require(Permission::Draft)?;
        let row = self.draft_row(auth.workspace(), id).await?;
        if row.created_by != Some(auth.user()) {
            auth.require(Permission::Publish)?;
        }
        let format = Format::parse(&row.format).unwrap_or(Format::Caption);
        if save.content.format() != format {
            return Err(StudioError::FormatMismatch {
                expected: format.as_str(),
                found: save.content.format().as_str(),
            });
        }
        check::content(&save.content)?;
        let title = match &save.title {
            Some(t) => check::text("title", t, 1, check::MAX_TITLE)?,
            None => row.title.clone(),
        };
        if let Some(base) = save.base_version
            && base != row.version
        {
            return Err(StudioError::Conflict {
                base,
                current: row.version,
            });
        }
        if title == row.title && content_of(&row.content)? == save.content {
            return self.draft(auth, id).await;
        }
        self.write_version(auth, &row, &title, &save.content, None)
            .await?;
        self.draft(auth, id).await
    }

    /// A new version of `row` with `title` and `content`, written only
    /// if no one saved in between.
    async fn write_version(
        &self,
        auth: &Authorized,
        row: &DraftRow,
        title: &str,
        content: &Content,
        restored_from: Option<i32>,
    ) -> Result<i32, StudioError> {
        let now = DbTime(self.now());
        let next = row.version + 1;
        let text = json(content);
        let mut tx = self.inner.db.begin().await?;
        let n = on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE studio_drafts SET title = $3, content = $4, version = $5, updated_by = $6, \
                 updated_at = $7 WHERE id = $1 AND workspace_id = $2 AND version = $8",
            )
            .bind(row.id)
            .bind(auth.workspace())
            .bind(title)
            .bind(&text)
            .bind(next)
            .bind(auth.user())
            .bind(now)
            .bind(row.version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if n == 0 {
            let current: i32 = on_tx!(tx, |conn| {
                sqlx::query_scalar("SELECT version FROM studio_drafts WHERE id = $1")
                    .bind(row.id)
                    .fetch_optional(conn)
                    .await?
                    .unwrap_or(row.version)
            });
            return Err(StudioError::Conflict {
                base: row.version,
                current,
            });
        }
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO studio_draft_versions (draft_id, version, title, content, author_id, \
                 restored_from, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(row.id)
            .bind(next)
            .bind(title)
            .bind(&text)
            .bind(auth.user())
            .bind(restored_from)
            .bind(now)
            .execute(conn)
            .await?;
        });
        let (action, detail) = match restored_from {
            Some(v) => ("studio.draft.restore", format!("version={next} from={v}")),
            None => ("studio.draft.save", format!("version={next}")),
        };
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            action,
            &format!("draft:{}", row.id),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// A draft's versions, newest first.
    pub async fn versions(
        &self,
        auth: &Authorized,
        id: DraftId,
    ) -> Result<Vec<VersionSummary>, StudioError> {
        auth.require(Permission::View)?;
        self.draft_row(auth.workspace(), id).await?;
        let rows: Vec<VersionHead> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT version, title, author_id, created_at, restored_from FROM studio_draft_versions \
                 WHERE draft_id = $1 ORDER BY version DESC",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let ids: Vec<UserId> = rows.iter().filter_map(|r| r.2).collect();
        let names = herald_accounts::shared::display_names(&self.inner.db, &ids).await?;
        Ok(rows
            .into_iter()
            .map(
                |(version, title, author, at, restored_from)| VersionSummary {
                    version,
                    title,
                    author,
                    author_name: author.and_then(|u| names.get(&u).cloned()),
                    created_at: at.0,
                    restored_from,
                },
            )
            .collect())
    }

    /// One version's text.
    pub async fn version(
        &self,
        auth: &Authorized,
        id: DraftId,
        version: i32,
    ) -> Result<VersionView, StudioError> {
        auth.require(Permission::View)?;
        self.draft_row(auth.workspace(), id).await?;
        let row: Option<VersionRow> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT version, title, content, author_id, created_at, restored_from \
                     FROM studio_draft_versions WHERE draft_id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .fetch_optional(pool)
            .await?
        });
        let (version, title, content, author, at, restored_from) =
            row.ok_or(StudioError::VersionNotFound)?;
        let names = herald_accounts::shared::display_names(
            &self.inner.db,
            &author.into_iter().collect::<Vec<_>>(),
        )
        .await?;
        Ok(VersionView {
            summary: VersionSummary {
                version,
                title,
                author,
                author_name: author.and_then(|u| names.get(&u).cloned()),
                created_at: at.0,
                restored_from,
            },
            content: content_of(&content)?,
        })
    }

    /// What changed from version `from` to version `to`.
    pub async fn diff(
        &self,
        auth: &Authorized,
        id: DraftId,
        from: i32,
        to: i32,
    ) -> Result<Vec<Change>, StudioError> {
        let a = self.version(auth, id, from).await?;
        let b = self.version(auth, id, to).await?;
        Ok(diff(
            &a.summary.title,
            &a.content,
            &b.summary.title,
            &b.content,
        ))
    }

    /// Brings version `version` back as a new version (history is never
    /// rewritten).
    pub async fn restore(
        &self,
        auth: &Authorized,
        id: DraftId,
        version: i32,
    ) -> Result<Draft, StudioError> {
        auth.require(Permission::Draft)?;
        let row = self.draft_row(auth.workspace(), id).await?;
        if row.created_by != Some(auth.user()) {
            auth.require(Permission::Publish)?;
        }
        let old = self.version(auth, id, version).await?;
        self.write_version(auth, &row, &old.summary.title, &old.content, Some(version))
            .await?;
        self.draft(auth, id).await
    }

    /// Deletes a draft and its history (its author, or anyone who may
    /// publish).
    pub async fn delete_draft(&self, auth: &Authorized, id: DraftId) -> Result<(), StudioError> {
        auth.require(Permission::Draft)?;
        let row = self.draft_row(auth.workspace(), id).await?;
        if row.created_by != Some(auth.user()) {
            auth.require(Permission::Publish)?;
        }
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        on_tx!(tx, |conn| {
            sqlx::query("DELETE FROM studio_bookmarks WHERE workspace_id = $1 AND kind = 'draft' AND target_id = $2")
                .bind(auth.workspace())
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE studio_generations SET draft_id = NULL WHERE draft_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM studio_drafts WHERE id = $1 AND workspace_id = $2")
                .bind(id)
                .bind(auth.workspace())
                .execute(conn)
                .await?;
        });
        herald_accounts::shared::record_member_event(
            &mut tx,
            now,
            auth,
            "studio.draft.delete",
            &format!("draft:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Bookmarks (`on`) or un-bookmarks something the workspace has, for
    /// the caller.
    pub async fn bookmark(
        &self,
        auth: &Authorized,
        kind: BookmarkKind,
        id: i64,
        on: bool,
    ) -> Result<(), StudioError> {
        auth.require(Permission::View)?;
        match kind {
            BookmarkKind::Draft => {
                self.draft_row(auth.workspace(), DraftId(id)).await?;
            }
            BookmarkKind::Template => {
                load_template(&self.inner.db, auth.workspace(), TemplateId(id)).await?;
            }
            BookmarkKind::Generation => {
                self.generation(auth, GenerationId(id)).await?;
            }
        }
        let now = DbTime(self.now());
        on_pool!(&self.inner.db, |pool| {
            sqlx::query(
                "DELETE FROM studio_bookmarks WHERE user_id = $1 AND workspace_id = $2 AND kind = $3 AND target_id = $4",
            )
            .bind(auth.user())
            .bind(auth.workspace())
            .bind(kind.as_str())
            .bind(id)
            .execute(pool)
            .await?;
            if on {
                sqlx::query(
                    "INSERT INTO studio_bookmarks (user_id, workspace_id, kind, target_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(auth.user())
                .bind(auth.workspace())
                .bind(kind.as_str())
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
            }
        });
        Ok(())
    }

    /// The caller's bookmarks in the workspace, newest first, with titles.
    pub async fn bookmarks(&self, auth: &Authorized) -> Result<Vec<Bookmark>, StudioError> {
        auth.require(Permission::View)?;
        let rows: Vec<(String, i64, DbTime, Option<String>)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT b.kind, b.target_id, b.created_at, COALESCE(d.title, t.title, g.brief) \
                 FROM studio_bookmarks b \
                 LEFT JOIN studio_drafts d ON b.kind = 'draft' AND d.id = b.target_id AND d.workspace_id = b.workspace_id \
                 LEFT JOIN studio_templates t ON b.kind = 'template' AND t.id = b.target_id \
                 LEFT JOIN studio_generations g ON b.kind = 'generation' AND g.id = b.target_id AND g.workspace_id = b.workspace_id \
                 WHERE b.user_id = $1 AND b.workspace_id = $2 ORDER BY b.created_at DESC",
            )
            .bind(auth.user())
            .bind(auth.workspace())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(kind, id, at, title)| {
                Some(Bookmark {
                    kind: BookmarkKind::parse(&kind)?,
                    id,
                    title: first_words(&title?, 80),
                    created_at: at.0,
                })
            })
            .collect())
    }

    /// The draft made fit for each of `platforms` (the draft's own platform,
    /// else all four, when empty), for opening the composer.
    pub async fn composer_variants(
        &self,
        auth: &Authorized,
        id: DraftId,
        platforms: &[Platform],
    ) -> Result<Vec<ComposerVariant>, StudioError> {
        let draft = self.draft(auth, id).await?;
        let platforms: Vec<Platform> = if !platforms.is_empty() {
            platforms.to_vec()
        } else if let Some(p) = draft.platform {
            vec![p]
        } else {
            Platform::ALL.to_vec()
        };
        Ok(platforms
            .into_iter()
            .map(|p| variant_for(&draft.content, &draft.title, p))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Slide;

    #[test]
    fn a_diff_shows_changed_slides_line_by_line() {
        let old = Content::Carousel {
            slides: vec![
                Slide {
                    title: "One".into(),
                    body: "a".into(),
                },
                Slide {
                    title: "Two".into(),
                    body: "b".into(),
                },
            ],
            caption: "c".into(),
        };
        let new = Content::Carousel {
            slides: vec![
                Slide {
                    title: "One".into(),
                    body: "a".into(),
                },
                Slide {
                    title: "Two!".into(),
                    body: "b".into(),
                },
            ],
            caption: "c".into(),
        };
        let d = diff("T", &old, "T", &new);
        let changed: Vec<(&str, &str)> = d
            .iter()
            .filter(|c| c.change != "same")
            .map(|c| (c.change, c.text.as_str()))
            .collect();
        assert_eq!(changed, vec![("removed", "Two"), ("added", "Two!")]);
    }

    #[test]
    fn a_carousel_for_a_facebook_page_is_a_photo_post_that_wants_its_photos() {
        let c = Content::Carousel {
            slides: vec![Slide {
                title: "One".into(),
                body: "a".into(),
            }],
            caption: "Loaves".into(),
        };
        let v = variant_for(&c, "T", Platform::Facebook);
        let codes: Vec<&str> = v.issues.iter().map(|i| i.code).collect();
        assert!(!codes.contains(&"format_unsupported"), "{codes:?}");
        assert_eq!(v.caption, "Loaves");
    }

    #[test]
    fn variants_fit_each_platform() {
        let long = "word ".repeat(1000);
        let c = Content::Caption {
            text: long,
            hashtags: (0..40).map(|i| format!("tag{i}")).collect(),
        };
        for p in Platform::ALL {
            let v = variant_for(&c, "A title <b>", p);
            let r = rules::rules_for(account_kind(p));
            assert!(v.caption.chars().count() <= r.caption_max, "{p:?}");
            if let Some(max) = r.hashtags_max {
                assert!(rules::count_tags(&v.caption, '#') <= max, "{p:?}");
            }
            if let Some(t) = &v.title {
                assert!(t.chars().count() <= r.title_max && !t.contains('<'));
            }
        }
    }
}

/// Everything the studio keeps of a workspace, for its data export.
#[derive(Debug, Clone, Serialize)]
pub struct StudioExport {
    pub templates: Vec<Template>,
    pub pillars: Vec<crate::model::Pillar>,
    pub cadence_plan: Option<crate::catalog::CadencePlan>,
    pub drafts: Vec<DraftExport>,
    pub generations: Vec<crate::generate::GenerationView>,
}

/// A draft with its whole history.
#[derive(Debug, Clone, Serialize)]
pub struct DraftExport {
    #[serde(flatten)]
    pub draft: Draft,
    pub versions: Vec<VersionView>,
}

impl Studio {
    /// The workspace's own templates, pillars, cadence plan, drafts with
    /// every version, and generations (briefs, outputs, usage), for the
    /// data export.
    pub async fn export(&self, auth: &Authorized) -> Result<StudioExport, StudioError> {
        auth.require(Permission::View)?;
        let templates = self
            .templates(
                auth,
                &crate::catalog::TemplateFilter {
                    own: true,
                    ..Default::default()
                },
            )
            .await?;
        let mut drafts = Vec::new();
        for summary in self.drafts(auth).await? {
            let draft = self.draft(auth, summary.id).await?;
            let mut versions = Vec::new();
            for v in self.versions(auth, summary.id).await? {
                versions.push(self.version(auth, summary.id, v.version).await?);
            }
            drafts.push(DraftExport { draft, versions });
        }
        Ok(StudioExport {
            templates,
            pillars: self.pillars(auth).await?,
            cadence_plan: self.cadence_plan(auth).await?,
            drafts,
            generations: self.generation_list(auth.workspace(), i64::MAX).await?,
        })
    }
}
