//! The catalog: the shipped seed (applied as a repeatable migration), the
//! templates a workspace sees and copies, tones, niches, cadence presets,
//! and a workspace's pillars and cadence plan.

use herald_accounts::{Authorized, Permission};
use herald_core::{Named, PillarId, TemplateId, Timestamp, WorkspaceId};
use herald_db::{DbTime, Tx, on_pool, on_tx};
use serde::{Deserialize, Serialize};

use crate::check;
use crate::model::{
    Cadence, CadencePreset, Content, Format, Niche, Pillar, Platform, Slot, Template, Tone,
};
use crate::seed::{LOCALES, SeedFile};
use crate::{Studio, StudioError};

/// The seed's name in `studio_seed`.
const SEED_NAME: &str = "catalog";

/// What applying the seed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeedApplied {
    /// Whether anything was written (false: the same file was applied
    /// before).
    pub applied: bool,
    pub version: i64,
    pub added: u32,
    pub updated: u32,
    pub retired: u32,
}

/// Which templates to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateFilter {
    /// The catalog's language (`en` when unset or unknown); the
    /// workspace's own copies are listed in whatever language they are.
    pub locale: Option<String>,
    pub niche: Option<String>,
    pub format: Option<Format>,
    pub platform: Option<Platform>,
    /// Only the workspace's own copies.
    #[serde(default)]
    pub own: bool,
    /// Words that must appear in the title or description.
    pub q: Option<String>,
}

/// A change to a workspace's template copy; `None` keeps a field.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateEdit {
    pub title: Option<String>,
    pub description: Option<String>,
    pub platforms: Option<Vec<Platform>>,
    pub slots: Option<Vec<Slot>>,
    pub content: Option<Content>,
}

/// A workspace's cadence plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CadencePlan {
    /// The preset it started from, if any.
    pub preset: Option<String>,
    pub cadence: Cadence,
    pub updated_at: Timestamp,
}

pub(crate) fn locale_of(locale: Option<&str>) -> &'static str {
    match locale {
        Some(l) if l.starts_with("de") => "de",
        _ => "en",
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TemplateRow {
    id: TemplateId,
    workspace_id: Option<WorkspaceId>,
    slug: String,
    locale: String,
    niche: String,
    format: String,
    platforms: String,
    title: String,
    description: String,
    slots: String,
    content: String,
    copied_from: Option<TemplateId>,
    retired: bool,
    updated_at: DbTime,
}

/// A catalog template as stored: id, niche, format, platforms, title,
/// description, slots, content (JSON as text) and whether it is retired.
type StoredEntry = (
    TemplateId,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
);

const TEMPLATE_COLUMNS: &str = "id, workspace_id, slug, locale, niche, format, platforms, title, \
     description, slots, content, copied_from, retired, updated_at";

impl TemplateRow {
    fn into_template(self) -> Result<Template, StudioError> {
        fn json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StudioError> {
            serde_json::from_str(s).map_err(StudioError::Corrupt)
        }
        let content: Content = json(&self.content)?;
        Ok(Template {
            id: self.id,
            workspace: self.workspace_id,
            slug: self.slug,
            locale: self.locale,
            niche: self.niche,
            format: herald_core::Named::parse(&self.format).unwrap_or(content.format()),
            platforms: json(&self.platforms)?,
            title: self.title,
            description: self.description,
            slots: json(&self.slots)?,
            content,
            copied_from: self.copied_from,
            retired: self.retired,
            updated_at: self.updated_at.0,
        })
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A template visible to `workspace`: the catalog's or its own.
pub(crate) async fn load_template(
    db: &herald_db::Db,
    workspace: WorkspaceId,
    id: TemplateId,
) -> Result<Template, StudioError> {
    let sql = format!(
        "SELECT {TEMPLATE_COLUMNS} FROM studio_templates \
         WHERE id = $1 AND (workspace_id IS NULL OR workspace_id = $2)"
    );
    let row: Option<TemplateRow> = on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(workspace)
            .fetch_optional(pool)
            .await?
    });
    row.ok_or(StudioError::TemplateNotFound)?.into_template()
}

impl Studio {
    /// Brings the catalog rows to the shipped seed file, unless this very
    /// file (version and checksum) was applied before. Workspace copies
    /// are never touched.
    pub async fn apply_seed(&self) -> Result<SeedApplied, StudioError> {
        let checksum = SeedFile::checksum(crate::seed::CATALOG);
        // Every start asks; only a changed file is parsed and applied.
        let applied: Option<(i64, String)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as("SELECT version, checksum FROM studio_seed WHERE name = $1")
                .bind(SEED_NAME)
                .fetch_optional(pool)
                .await?
        });
        if let Some((version, sum)) = applied
            && sum == checksum
        {
            return Ok(SeedApplied {
                version,
                ..SeedApplied::default()
            });
        }
        let file = SeedFile::shipped().map_err(|e| StudioError::Seed(e.to_string()))?;
        self.apply_seed_file(&file, &checksum).await
    }

    /// [`Studio::apply_seed`] with a given file (tests apply other
    /// versions).
    pub async fn apply_seed_file(
        &self,
        file: &SeedFile,
        checksum: &str,
    ) -> Result<SeedApplied, StudioError> {
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        let applied: Option<(i64, String)> = on_tx!(tx, |conn| {
            sqlx::query_as("SELECT version, checksum FROM studio_seed WHERE name = $1")
                .bind(SEED_NAME)
                .fetch_optional(conn)
                .await?
        });
        if let Some((version, sum)) = &applied {
            if *version == file.version && sum == checksum {
                return Ok(SeedApplied {
                    version: file.version,
                    ..SeedApplied::default()
                });
            }
            if *version > file.version {
                // A newer Herald applied its catalog; an older binary does
                // not roll it back.
                tracing::warn!(
                    stored = version,
                    shipped = file.version,
                    "the stored template catalog is newer than this build's; leaving it"
                );
                return Ok(SeedApplied {
                    version: *version,
                    ..SeedApplied::default()
                });
            }
        }
        let mut out = SeedApplied {
            applied: true,
            version: file.version,
            ..SeedApplied::default()
        };
        seed_small_tables(&mut tx, file).await?;
        for locale in LOCALES {
            for t in &file.templates {
                let text = t.text(locale);
                let values = (
                    t.niche.as_str(),
                    t.format().as_str(),
                    to_json(&t.platforms),
                    text.title.as_str(),
                    text.description.as_str(),
                    to_json(&text.slots),
                    to_json(&text.content),
                );
                let existing: Option<StoredEntry> = on_tx!(tx, |conn| {
                    sqlx::query_as(
                            "SELECT id, niche, format, platforms, title, description, slots, content, retired \
                             FROM studio_templates WHERE workspace_id IS NULL AND slug = $1 AND locale = $2",
                        )
                        .bind(&t.slug)
                        .bind(locale)
                        .fetch_optional(conn)
                        .await?
                });
                match existing {
                    Some((
                        id,
                        niche,
                        format,
                        platforms,
                        title,
                        description,
                        slots,
                        content,
                        retired,
                    )) => {
                        let same = niche == values.0
                            && format == values.1
                            && platforms == values.2
                            && title == values.3
                            && description == values.4
                            && slots == values.5
                            && content == values.6
                            && !retired;
                        if !same {
                            on_tx!(tx, |conn| {
                                sqlx::query(
                                    "UPDATE studio_templates SET niche = $2, format = $3, platforms = $4, \
                                     title = $5, description = $6, slots = $7, content = $8, \
                                     retired = FALSE, updated_at = $9 WHERE id = $1",
                                )
                                .bind(id)
                                .bind(values.0)
                                .bind(values.1)
                                .bind(&values.2)
                                .bind(values.3)
                                .bind(values.4)
                                .bind(&values.5)
                                .bind(&values.6)
                                .bind(now)
                                .execute(conn)
                                .await?;
                            });
                            out.updated += 1;
                        }
                    }
                    None => {
                        on_tx!(tx, |conn| {
                            sqlx::query(
                                "INSERT INTO studio_templates (workspace_id, slug, locale, niche, format, \
                                 platforms, title, description, slots, content, created_at, updated_at) \
                                 VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                            )
                            .bind(&t.slug)
                            .bind(locale)
                            .bind(values.0)
                            .bind(values.1)
                            .bind(&values.2)
                            .bind(values.3)
                            .bind(values.4)
                            .bind(&values.5)
                            .bind(&values.6)
                            .bind(now)
                            .execute(conn)
                            .await?;
                        });
                        out.added += 1;
                    }
                }
            }
        }
        // What the file no longer ships is retired, not deleted: drafts and
        // copies may name it.
        let shipped: std::collections::BTreeSet<&str> =
            file.templates.iter().map(|t| t.slug.as_str()).collect();
        let live: Vec<(TemplateId, String)> = on_tx!(tx, |conn| {
            sqlx::query_as(
                "SELECT id, slug FROM studio_templates WHERE workspace_id IS NULL AND NOT retired",
            )
            .fetch_all(conn)
            .await?
        });
        for (id, slug) in live {
            if !shipped.contains(slug.as_str()) {
                on_tx!(tx, |conn| {
                    sqlx::query(
                        "UPDATE studio_templates SET retired = TRUE, updated_at = $2 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now)
                    .execute(conn)
                    .await?;
                });
                out.retired += 1;
            }
        }
        on_tx!(tx, |conn| {
            sqlx::query("DELETE FROM studio_seed WHERE name = $1")
                .bind(SEED_NAME)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO studio_seed (name, version, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(SEED_NAME)
            .bind(file.version)
            .bind(checksum)
            .bind(now)
            .execute(conn)
            .await?;
        });
        tx.commit().await?;
        tracing::info!(
            version = out.version,
            added = out.added,
            updated = out.updated,
            retired = out.retired,
            "applied the template catalog"
        );
        Ok(out)
    }

    /// The catalog's niches in `locale`.
    pub async fn niches(&self, locale: Option<&str>) -> Result<Vec<Niche>, StudioError> {
        let locale = locale_of(locale);
        let rows: Vec<(String, String)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT code, name FROM studio_niches WHERE locale = $1 AND NOT retired ORDER BY code",
            )
            .bind(locale)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(code, name)| Niche { code, name })
            .collect())
    }

    /// The catalog's tones in `locale`.
    pub async fn tones(&self, locale: Option<&str>) -> Result<Vec<Tone>, StudioError> {
        let locale = locale_of(locale);
        let rows: Vec<(String, String, String, String, String, String)> =
            on_pool!(&self.inner.db, |pool| {
                sqlx::query_as(
                    "SELECT slug, locale, name, description, dos, donts FROM studio_tones \
                     WHERE locale = $1 AND NOT retired ORDER BY slug",
                )
                .bind(locale)
                .fetch_all(pool)
                .await?
            });
        rows.into_iter().map(tone_of).collect()
    }

    /// The tone `slug` in `locale` (retired ones too: a stored draft may
    /// name one).
    pub async fn tone(&self, slug: &str, locale: Option<&str>) -> Result<Tone, StudioError> {
        let locale = locale_of(locale);
        let row: Option<(String, String, String, String, String, String)> =
            on_pool!(&self.inner.db, |pool| {
                sqlx::query_as(
                    "SELECT slug, locale, name, description, dos, donts FROM studio_tones \
                     WHERE slug = $1 AND locale = $2",
                )
                .bind(slug)
                .bind(locale)
                .fetch_optional(pool)
                .await?
            });
        tone_of(row.ok_or(StudioError::ToneNotFound)?)
    }

    /// The catalog's cadence presets in `locale`.
    pub async fn cadence_presets(
        &self,
        locale: Option<&str>,
    ) -> Result<Vec<CadencePreset>, StudioError> {
        let locale = locale_of(locale);
        let rows: Vec<(String, String, String, String, String)> =
            on_pool!(&self.inner.db, |pool| {
                sqlx::query_as(
                    "SELECT slug, locale, name, description, cadence FROM studio_cadence_presets \
                     WHERE locale = $1 AND NOT retired ORDER BY slug",
                )
                .bind(locale)
                .fetch_all(pool)
                .await?
            });
        rows.into_iter()
            .map(|(slug, locale, name, description, cadence)| {
                Ok(CadencePreset {
                    slug,
                    locale,
                    name,
                    description,
                    cadence: serde_json::from_str(&cadence).map_err(StudioError::Corrupt)?,
                })
            })
            .collect()
    }

    /// The templates the workspace sees: the catalog's in the filter's
    /// language and its own copies, filtered.
    pub async fn templates(
        &self,
        auth: &Authorized,
        filter: &TemplateFilter,
    ) -> Result<Vec<Template>, StudioError> {
        auth.require(Permission::View)?;
        let locale = locale_of(filter.locale.as_deref());
        let sql = format!(
            "SELECT {TEMPLATE_COLUMNS} FROM studio_templates \
             WHERE ((workspace_id IS NULL AND locale = $2 AND NOT retired AND NOT $3) OR workspace_id = $1) \
             ORDER BY workspace_id IS NULL, niche, title, id"
        );
        let rows: Vec<TemplateRow> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(auth.workspace())
                .bind(locale)
                .bind(filter.own)
                .fetch_all(pool)
                .await?
        });
        let words: Vec<String> = filter
            .q
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let mut out = Vec::new();
        for row in rows {
            let t = row.into_template()?;
            if filter.niche.as_ref().is_some_and(|n| *n != t.niche)
                || filter.format.is_some_and(|f| f != t.format)
                || filter.platform.is_some_and(|p| !t.platforms.contains(&p))
            {
                continue;
            }
            if !words.is_empty() {
                let hay = format!("{} {}", t.title, t.description).to_lowercase();
                if !words.iter().all(|w| hay.contains(w.as_str())) {
                    continue;
                }
            }
            out.push(t);
        }
        Ok(out)
    }

    /// One template the workspace sees.
    pub async fn template(
        &self,
        auth: &Authorized,
        id: TemplateId,
    ) -> Result<Template, StudioError> {
        auth.require(Permission::View)?;
        load_template(&self.inner.db, auth.workspace(), id).await
    }

    /// Copies a template into the workspace, to edit.
    pub async fn copy_template(
        &self,
        auth: &Authorized,
        id: TemplateId,
    ) -> Result<Template, StudioError> {
        auth.require(Permission::Draft)?;
        let from = load_template(&self.inner.db, auth.workspace(), id).await?;
        let now = DbTime(self.now());
        let origin = if from.workspace.is_none() {
            Some(from.id)
        } else {
            from.copied_from
        };
        let mut tx = self.inner.db.begin().await?;
        let new_id: TemplateId = on_tx!(tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO studio_templates (workspace_id, slug, locale, niche, format, platforms, \
                 title, description, slots, content, copied_from, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
            )
            .bind(auth.workspace())
            .bind(&from.slug)
            .bind(&from.locale)
            .bind(&from.niche)
            .bind(from.format.as_str())
            .bind(to_json(&from.platforms))
            .bind(&from.title)
            .bind(&from.description)
            .bind(to_json(&from.slots))
            .bind(to_json(&from.content))
            .bind(origin)
            .bind(auth.user())
            .bind(now)
            .fetch_one(conn)
            .await?
        });
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.template.copy",
            &format!("template:{new_id}"),
            &format!("from={} slug={}", from.id, from.slug),
        )
        .await?;
        tx.commit().await?;
        load_template(&self.inner.db, auth.workspace(), new_id).await
    }

    /// Changes the workspace's own template copy.
    pub async fn update_template(
        &self,
        auth: &Authorized,
        id: TemplateId,
        edit: &TemplateEdit,
    ) -> Result<Template, StudioError> {
        auth.require(Permission::Draft)?;
        let mut t = load_template(&self.inner.db, auth.workspace(), id).await?;
        if t.workspace.is_none() {
            return Err(StudioError::CatalogReadOnly);
        }
        if let Some(title) = &edit.title {
            t.title = check::text("title", title, 1, check::MAX_TITLE)?;
        }
        if let Some(d) = &edit.description {
            t.description = check::text("description", d, 0, check::MAX_DESCRIPTION)?;
        }
        if let Some(p) = &edit.platforms {
            if p.is_empty() {
                return Err(StudioError::Invalid {
                    field: "platforms",
                    reason: "empty",
                });
            }
            let mut p = p.clone();
            p.sort();
            p.dedup();
            t.platforms = p;
        }
        if let Some(slots) = &edit.slots {
            t.slots = check::slots(slots)?;
        }
        if let Some(content) = &edit.content {
            if content.format() != t.format {
                return Err(StudioError::FormatMismatch {
                    expected: t.format.as_str(),
                    found: content.format().as_str(),
                });
            }
            t.content = content.clone();
        }
        check::content(&t.content)?;
        check::placeholders_named(&t.content, &t.slots)?;
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE studio_templates SET title = $3, description = $4, platforms = $5, \
                 slots = $6, content = $7, updated_at = $8 WHERE id = $1 AND workspace_id = $2",
            )
            .bind(id)
            .bind(auth.workspace())
            .bind(&t.title)
            .bind(&t.description)
            .bind(to_json(&t.platforms))
            .bind(to_json(&t.slots))
            .bind(to_json(&t.content))
            .bind(now)
            .execute(conn)
            .await?;
        });
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.template.update",
            &format!("template:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        t.updated_at = now.0;
        Ok(t)
    }

    /// Deletes the workspace's own template copy (drafts made from it
    /// keep their text).
    pub async fn delete_template(
        &self,
        auth: &Authorized,
        id: TemplateId,
    ) -> Result<(), StudioError> {
        auth.require(Permission::Draft)?;
        let t = load_template(&self.inner.db, auth.workspace(), id).await?;
        if t.workspace.is_none() {
            return Err(StudioError::CatalogReadOnly);
        }
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "DELETE FROM studio_bookmarks WHERE workspace_id = $1 AND kind = 'template' AND target_id = $2",
            )
            .bind(auth.workspace())
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM studio_templates WHERE id = $1 AND workspace_id = $2")
                .bind(id)
                .bind(auth.workspace())
                .execute(conn)
                .await?;
        });
        herald_accounts::shared::record_member_event(
            &mut tx,
            now,
            auth,
            "studio.template.delete",
            &format!("template:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The workspace's pillars, by name.
    pub async fn pillars(&self, auth: &Authorized) -> Result<Vec<Pillar>, StudioError> {
        auth.require(Permission::View)?;
        let rows: Vec<(PillarId, String, String)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT id, name, description FROM studio_pillars WHERE workspace_id = $1 ORDER BY name",
            )
            .bind(auth.workspace())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name, description)| Pillar {
                id,
                name,
                description,
            })
            .collect())
    }

    /// One of the workspace's pillars.
    pub async fn pillar(&self, auth: &Authorized, id: PillarId) -> Result<Pillar, StudioError> {
        auth.require(Permission::View)?;
        load_pillar(&self.inner.db, auth.workspace(), id).await
    }

    /// Adds a pillar (editors and up: it is the workspace's plan).
    pub async fn add_pillar(
        &self,
        auth: &Authorized,
        name: &str,
        description: &str,
    ) -> Result<Pillar, StudioError> {
        auth.require(Permission::Publish)?;
        let name = check::text("name", name, 1, check::MAX_PILLAR_NAME)?;
        let description = check::text("description", description, 0, check::MAX_DESCRIPTION)?;
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        let inserted: Result<PillarId, sqlx::Error> = on_tx!(tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO studio_pillars (workspace_id, name, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(auth.workspace())
            .bind(&name)
            .bind(&description)
            .bind(now)
            .fetch_one(conn)
            .await
        });
        let id = inserted.map_err(pillar_error)?;
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.pillar.add",
            &format!("pillar:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(Pillar {
            id,
            name,
            description,
        })
    }

    /// Renames or redescribes a pillar.
    pub async fn update_pillar(
        &self,
        auth: &Authorized,
        id: PillarId,
        name: &str,
        description: &str,
    ) -> Result<Pillar, StudioError> {
        auth.require(Permission::Publish)?;
        load_pillar(&self.inner.db, auth.workspace(), id).await?;
        let name = check::text("name", name, 1, check::MAX_PILLAR_NAME)?;
        let description = check::text("description", description, 0, check::MAX_DESCRIPTION)?;
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        let updated: Result<u64, sqlx::Error> = on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE studio_pillars SET name = $3, description = $4, updated_at = $5 \
                 WHERE id = $1 AND workspace_id = $2",
            )
            .bind(id)
            .bind(auth.workspace())
            .bind(&name)
            .bind(&description)
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        });
        updated.map_err(pillar_error)?;
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.pillar.update",
            &format!("pillar:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(Pillar {
            id,
            name,
            description,
        })
    }

    /// Removes a pillar; drafts and generations that named it keep their
    /// text and lose the link.
    pub async fn delete_pillar(&self, auth: &Authorized, id: PillarId) -> Result<(), StudioError> {
        auth.require(Permission::Publish)?;
        load_pillar(&self.inner.db, auth.workspace(), id).await?;
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        on_tx!(tx, |conn| {
            sqlx::query("DELETE FROM studio_pillars WHERE id = $1 AND workspace_id = $2")
                .bind(id)
                .bind(auth.workspace())
                .execute(conn)
                .await?;
        });
        herald_accounts::shared::record_member_event(
            &mut tx,
            now,
            auth,
            "studio.pillar.delete",
            &format!("pillar:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The workspace's cadence plan, if it made one.
    pub async fn cadence_plan(
        &self,
        auth: &Authorized,
    ) -> Result<Option<CadencePlan>, StudioError> {
        auth.require(Permission::View)?;
        let row: Option<(Option<String>, String, DbTime)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT preset, cadence, updated_at FROM studio_cadence_plans WHERE workspace_id = $1",
            )
            .bind(auth.workspace())
            .fetch_optional(pool)
            .await?
        });
        row.map(|(preset, cadence, at)| {
            Ok(CadencePlan {
                preset,
                cadence: serde_json::from_str(&cadence).map_err(StudioError::Corrupt)?,
                updated_at: at.0,
            })
        })
        .transpose()
    }

    /// Sets the workspace's cadence plan: a preset's (`preset` named, no
    /// cadence given) or its own.
    pub async fn set_cadence_plan(
        &self,
        auth: &Authorized,
        preset: Option<&str>,
        cadence: Option<&Cadence>,
    ) -> Result<CadencePlan, StudioError> {
        auth.require(Permission::Publish)?;
        let cadence = match (preset, cadence) {
            (_, Some(c)) => check::cadence(c)?,
            (Some(slug), None) => {
                let presets = self.cadence_presets(Some("en")).await?;
                presets
                    .into_iter()
                    .find(|p| p.slug == slug)
                    .ok_or(StudioError::Invalid {
                        field: "preset",
                        reason: "unknown",
                    })?
                    .cadence
            }
            (None, None) => {
                return Err(StudioError::Invalid {
                    field: "cadence",
                    reason: "missing",
                });
            }
        };
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        on_tx!(tx, |conn| {
            sqlx::query("DELETE FROM studio_cadence_plans WHERE workspace_id = $1")
                .bind(auth.workspace())
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO studio_cadence_plans (workspace_id, preset, cadence, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(auth.workspace())
            .bind(preset)
            .bind(to_json(&cadence))
            .bind(auth.user())
            .bind(now)
            .execute(conn)
            .await?;
        });
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.cadence.set",
            "cadence",
            preset.unwrap_or("custom"),
        )
        .await?;
        tx.commit().await?;
        Ok(CadencePlan {
            preset: preset.map(str::to_owned),
            cadence,
            updated_at: now.0,
        })
    }
}

/// A pillar write refused for its name (another pillar has it) is
/// `PillarExists`; anything else a storage failure.
fn pillar_error(e: sqlx::Error) -> StudioError {
    if herald_db::is_unique_violation(&e) {
        StudioError::PillarExists
    } else {
        e.into()
    }
}

pub(crate) async fn load_pillar(
    db: &herald_db::Db,
    workspace: WorkspaceId,
    id: PillarId,
) -> Result<Pillar, StudioError> {
    let row: Option<(PillarId, String, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT id, name, description FROM studio_pillars WHERE id = $1 AND workspace_id = $2",
        )
        .bind(id)
        .bind(workspace)
        .fetch_optional(pool)
        .await?
    });
    let (id, name, description) = row.ok_or(StudioError::PillarNotFound)?;
    Ok(Pillar {
        id,
        name,
        description,
    })
}

fn tone_of(
    (slug, locale, name, description, dos, donts): (String, String, String, String, String, String),
) -> Result<Tone, StudioError> {
    Ok(Tone {
        slug,
        locale,
        name,
        description,
        dos: serde_json::from_str(&dos).map_err(StudioError::Corrupt)?,
        donts: serde_json::from_str(&donts).map_err(StudioError::Corrupt)?,
    })
}

/// Niches, tones and cadence presets: small, replaced wholesale per slug
/// and language (nothing of a workspace's refers to their rows).
async fn seed_small_tables(tx: &mut Tx, file: &SeedFile) -> Result<(), StudioError> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE studio_niches SET retired = TRUE")
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE studio_tones SET retired = TRUE")
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE studio_cadence_presets SET retired = TRUE")
            .execute(&mut *conn)
            .await?;
    });
    for n in &file.niches {
        for (locale, name) in [("en", &n.en), ("de", &n.de)] {
            on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM studio_niches WHERE code = $1 AND locale = $2")
                    .bind(&n.code)
                    .bind(locale)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("INSERT INTO studio_niches (code, locale, name) VALUES ($1, $2, $3)")
                    .bind(&n.code)
                    .bind(locale)
                    .bind(name)
                    .execute(conn)
                    .await?;
            });
        }
    }
    for t in &file.tones {
        for (locale, text) in [("en", &t.en), ("de", &t.de)] {
            on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM studio_tones WHERE slug = $1 AND locale = $2")
                    .bind(&t.slug)
                    .bind(locale)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO studio_tones (slug, locale, name, description, dos, donts) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&t.slug)
                .bind(locale)
                .bind(&text.name)
                .bind(&text.description)
                .bind(to_json(&text.dos))
                .bind(to_json(&text.donts))
                .execute(conn)
                .await?;
            });
        }
    }
    for c in &file.cadences {
        for (locale, text) in [("en", &c.en), ("de", &c.de)] {
            on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM studio_cadence_presets WHERE slug = $1 AND locale = $2")
                    .bind(&c.slug)
                    .bind(locale)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO studio_cadence_presets (slug, locale, name, description, cadence) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&c.slug)
                .bind(locale)
                .bind(&text.name)
                .bind(&text.description)
                .bind(to_json(&c.cadence()))
                .execute(conn)
                .await?;
            });
        }
    }
    Ok(())
}
