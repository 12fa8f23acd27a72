//! Generation: a member's request becomes a `studio.generate.v1` job; the
//! job redacts the prompt, runs the engine, streams the text to the live
//! page, and stores the result as a draft with its inputs, the ledger
//! entry, the settled quota and the audit entry, in one transaction.
//!
//! Retries follow the engine's error class: throttling, outages and
//! timeouts are tried again (after the service's `retry-after` when it
//! gave one) while attempts remain; anything else fails the generation at
//! once with its code. A cancelled generation stops at the next flush of
//! streamed text.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use herald_accounts::{Authorized, Permission};
use herald_core::{
    DraftId, GenerationId, Named, PillarId, TemplateId, Timestamp, UserId, WorkspaceId,
};
use herald_db::{DbTime, on_pool, on_tx};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob};
use serde::{Deserialize, Serialize};

use crate::catalog::{load_pillar, load_template, locale_of};
use crate::check;
use crate::engine::{EngineError, EngineInfo, Progress, Request, Stopped, Usage};
use crate::model::{Content, Format, Platform};
use crate::prompt::{self, PROMPT_VERSION};
use crate::redact::Redactions;
use crate::usage::{self, LedgerEntry};
use crate::{GENERATION_CHANNEL, Studio, StudioError};

/// How often streamed text is written for the live page.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Run one generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateDraft {
    pub generation: GenerationId,
}

impl JobPayload for GenerateDraft {
    const KIND: &'static str = "studio.generate.v1";
    const QUEUE: &'static str = "studio";
    /// Throttling and outages are retried a few times (with the service's
    /// own wait), then the generation fails with their code.
    const MAX_ATTEMPTS: i32 = 5;
}

pub(crate) struct GenerateHandler(pub Studio);

#[async_trait]
impl Handler<GenerateDraft> for GenerateHandler {
    async fn run(&self, job: GenerateDraft, ctx: &JobContext) -> Result<(), JobError> {
        self.0.run_generation(job.generation, ctx).await
    }
}

/// What a member asks to be written.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationRequest {
    /// The template to start from (the catalog's or the workspace's).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub template_id: Option<TemplateId>,
    /// The format, when no template gives it (a caption by default).
    pub format: Option<Format>,
    /// A tone's slug (`warm`, `expert`, …).
    pub tone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub pillar_id: Option<PillarId>,
    pub platform: Option<Platform>,
    /// What to write about, in the member's words.
    pub brief: String,
    /// `en` or `de`: the template's language, else this, else English.
    pub locale: Option<String>,
}

/// Where a generation is.
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
pub enum GenerationStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl GenerationStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            GenerationStatus::Succeeded | GenerationStatus::Failed | GenerationStatus::Cancelled
        )
    }
}

/// Why a generation failed (or why its last attempt did, while it waits
/// for the next).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationFailure {
    /// The engine error's class: `rate_limited`, `unavailable`, `timeout`,
    /// `context_too_long`, `content_filtered`, `unauthorized`, `rejected`,
    /// `malformed`.
    pub code: String,
    pub detail: Option<String>,
}

/// A generation as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerationView {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: GenerationId,
    pub status: GenerationStatus,
    pub format: Format,
    pub locale: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub template_id: Option<TemplateId>,
    pub tone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub pillar_id: Option<PillarId>,
    pub platform: Option<Platform>,
    pub brief: String,
    pub engine: EngineInfo,
    pub prompt_version: i32,
    /// The text streamed so far (the whole answer once it ended).
    pub text: String,
    /// The finished content.
    pub output: Option<Content>,
    pub usage: Usage,
    /// What it cost, in billionths of the currency.
    pub cost_nanos: i64,
    /// How many private values were replaced before the prompt left.
    pub redactions: i32,
    /// Set when it failed, or while it waits to retry after a failure.
    pub error: Option<GenerationFailure>,
    /// The draft it produced.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub draft_id: Option<DraftId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub requested_by: Option<UserId>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct GenerationRow {
    id: GenerationId,
    workspace_id: WorkspaceId,
    requested_by: Option<UserId>,
    via: Option<String>,
    status: String,
    format: String,
    locale: String,
    template_id: Option<TemplateId>,
    tone: Option<String>,
    pillar_id: Option<PillarId>,
    platform: Option<String>,
    brief: String,
    engine: String,
    model: String,
    prompt_version: i32,
    partial: String,
    output: Option<String>,
    input_tokens: i64,
    output_tokens: i64,
    cost_nanos: i64,
    redactions: i32,
    error: Option<String>,
    error_detail: Option<String>,
    draft_id: Option<DraftId>,
    created_at: DbTime,
    finished_at: Option<DbTime>,
}

const COLUMNS: &str = "id, workspace_id, requested_by, via, status, format, locale, template_id, \
     tone, pillar_id, platform, brief, engine, model, prompt_version, partial, output, \
     input_tokens, output_tokens, cost_nanos, redactions, error, error_detail, draft_id, \
     created_at, finished_at";

fn tokens(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl GenerationRow {
    fn status(&self) -> GenerationStatus {
        GenerationStatus::parse(&self.status).unwrap_or(GenerationStatus::Failed)
    }

    fn format(&self) -> Format {
        Format::parse(&self.format).unwrap_or(Format::Caption)
    }

    fn view(self) -> GenerationView {
        GenerationView {
            id: self.id,
            status: self.status(),
            format: self.format(),
            locale: self.locale,
            template_id: self.template_id,
            tone: self.tone,
            pillar_id: self.pillar_id,
            platform: self.platform.as_deref().and_then(Platform::parse),
            brief: self.brief,
            engine: EngineInfo {
                ai: self.engine != "builtin",
                engine: self.engine,
                model: self.model,
            },
            prompt_version: self.prompt_version,
            text: self.partial,
            output: self
                .output
                .as_deref()
                .and_then(|o| serde_json::from_str(o).ok()),
            usage: Usage {
                input_tokens: tokens(self.input_tokens),
                output_tokens: tokens(self.output_tokens),
            },
            cost_nanos: self.cost_nanos,
            redactions: self.redactions,
            error: self.error.map(|code| GenerationFailure {
                code,
                detail: self.error_detail,
            }),
            draft_id: self.draft_id,
            requested_by: self.requested_by,
            created_at: self.created_at.0,
            finished_at: self.finished_at.map(|t| t.0),
        }
    }
}

async fn load(db: &herald_db::Db, id: GenerationId) -> Result<Option<GenerationRow>, StudioError> {
    let sql = format!("SELECT {COLUMNS} FROM studio_generations WHERE id = $1");
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

/// What a request is written from.
struct Inputs<'a> {
    format: Format,
    locale: &'a str,
    template: Option<TemplateId>,
    tone: Option<&'a str>,
    pillar: Option<PillarId>,
    platform: Option<Platform>,
    brief: &'a str,
}

fn job_error(e: impl Into<StudioError>) -> JobError {
    JobError::transient_from("studio storage failed", e.into())
}

/// Streamed text on its way to the live page: written every
/// [`FLUSH_EVERY`] (with the private values put back), which is also when
/// a cancellation is noticed.
struct Live<'a> {
    studio: &'a Studio,
    id: GenerationId,
    redactions: &'a Redactions,
    text: String,
    written: usize,
    last: Instant,
    ctx: &'a JobContext,
}

impl Live<'_> {
    async fn flush(&mut self) -> Result<(), Stopped> {
        self.last = Instant::now();
        if self.written == self.text.len() {
            return Ok(());
        }
        let shown = self.redactions.restore(&self.text);
        let db = &self.studio.inner.db;
        let write = async {
            let mut tx = db.begin().await?;
            let n = on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE studio_generations SET partial = $2 WHERE id = $1 AND status = 'running'",
                )
                .bind(self.id)
                .bind(&shown)
                .execute(conn)
                .await?
                .rows_affected()
            });
            self.studio
                .inner
                .queue
                .notifications()
                .notify_after_commit(&mut tx, GENERATION_CHANNEL, &self.id.to_string())
                .await?;
            tx.commit().await?;
            Ok::<u64, StudioError>(n)
        };
        match write.await {
            Ok(0) => Err(Stopped),
            Ok(_) => {
                self.written = self.text.len();
                Ok(())
            }
            // A failed write of progress is not worth the generation: the
            // page catches up at the next flush or at the end.
            Err(e) => {
                tracing::warn!(generation = %self.id, error = %e, "could not write streamed text");
                Ok(())
            }
        }
    }
}

#[async_trait]
impl Progress for Live<'_> {
    async fn text(&mut self, delta: &str) -> Result<(), Stopped> {
        if self.ctx.cancel.is_cancelled() {
            return Err(Stopped);
        }
        self.text.push_str(delta);
        if self.last.elapsed() >= FLUSH_EVERY {
            self.flush().await?;
        }
        Ok(())
    }
}

impl Studio {
    /// Accepts a generation request: checks it, counts it against the
    /// quotas and queues its job (202). The draft comes when the job ends.
    pub async fn request_generation(
        &self,
        auth: &Authorized,
        req: &GenerationRequest,
    ) -> Result<GenerationView, StudioError> {
        auth.require(Permission::Draft)?;
        let brief = check::text("brief", &req.brief, 1, check::MAX_BRIEF)?;
        let db = &self.inner.db;
        let template = match req.template_id {
            Some(id) => Some(load_template(db, auth.workspace(), id).await?),
            None => None,
        };
        let format = template
            .as_ref()
            .map(|t| t.format)
            .or(req.format)
            .unwrap_or(Format::Caption);
        if let (Some(t), Some(f)) = (&template, req.format)
            && t.format != f
        {
            return Err(StudioError::FormatMismatch {
                expected: t.format.as_str(),
                found: f.as_str(),
            });
        }
        let locale = locale_of(
            template
                .as_ref()
                .map(|t| t.locale.as_str())
                .or(req.locale.as_deref()),
        );
        let tone = match req.tone.as_deref().filter(|t| !t.is_empty()) {
            Some(slug) => Some(self.tone(slug, Some(locale)).await?),
            None => None,
        };
        let pillar = match req.pillar_id {
            Some(id) => Some(load_pillar(db, auth.workspace(), id).await?),
            None => None,
        };
        let info = self.inner.engine.info();
        let reserve = if info.ai {
            let messages = prompt::messages(
                format,
                locale,
                template.as_ref(),
                tone.as_ref(),
                pillar.as_ref(),
                req.platform,
                &brief,
            );
            prompt::estimate_tokens(&messages) + u64::from(self.inner.settings.max_output_tokens)
        } else {
            0
        };
        let quotas =
            usage::quotas_of(db, &self.inner.settings.default_quotas, auth.workspace()).await?;
        let now = self.now();
        let mut tx = db.begin().await?;
        usage::reserve(
            &mut tx,
            &quotas,
            auth.workspace(),
            Some(auth.user()),
            reserve,
            now,
        )
        .await?;
        let id: GenerationId = on_tx!(tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO studio_generations (workspace_id, requested_by, via, status, format, locale, \
                 template_id, tone, pillar_id, platform, brief, engine, model, prompt_version, \
                 reserved_tokens, created_at) \
                 VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 RETURNING id",
            )
            .bind(auth.workspace())
            .bind(auth.user())
            .bind(auth.via_label())
            .bind(format.as_str())
            .bind(locale)
            .bind(template.as_ref().map(|t| t.id))
            .bind(tone.as_ref().map(|t| t.slug.as_str()))
            .bind(pillar.as_ref().map(|p| p.id))
            .bind(req.platform.map(Platform::as_str))
            .bind(&brief)
            .bind(&info.engine)
            .bind(&info.model)
            .bind(PROMPT_VERSION)
            .bind(i64::try_from(reserve).unwrap_or(i64::MAX))
            .bind(DbTime(now))
            .fetch_one(conn)
            .await?
        });
        let job = NewJob::of(&GenerateDraft { generation: id })
            .map_err(|e| StudioError::Queue(Box::new(e)))?
            .unique_key(format!("studio.generate:{id}"));
        self.inner.queue.enqueue(&mut tx, job).await?;
        herald_accounts::shared::record_member_event(
            &mut tx,
            now,
            auth,
            "studio.generation.request",
            &format!("generation:{id}"),
            &format!(
                "template={} format={} engine={} model={}",
                template
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |t| t.slug.clone()),
                format.as_str(),
                info.engine,
                info.model
            ),
        )
        .await?;
        tx.commit().await?;
        self.generation(auth, id).await
    }

    /// One generation of the workspace.
    pub async fn generation(
        &self,
        auth: &Authorized,
        id: GenerationId,
    ) -> Result<GenerationView, StudioError> {
        auth.require(Permission::View)?;
        match load(&self.inner.db, id).await? {
            Some(row) if row.workspace_id == auth.workspace() => Ok(row.view()),
            _ => Err(StudioError::GenerationNotFound),
        }
    }

    /// The workspace's latest generations, newest first (at most 200).
    pub async fn generations(
        &self,
        auth: &Authorized,
        limit: u32,
    ) -> Result<Vec<GenerationView>, StudioError> {
        auth.require(Permission::View)?;
        self.generation_list(auth.workspace(), i64::from(limit.clamp(1, 200)))
            .await
    }

    pub(crate) async fn generation_list(
        &self,
        workspace: WorkspaceId,
        limit: i64,
    ) -> Result<Vec<GenerationView>, StudioError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM studio_generations WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<GenerationRow> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(workspace)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(GenerationRow::view).collect())
    }

    /// Stops a queued or running generation. Its requester or anyone who
    /// may publish may cancel it.
    pub async fn cancel_generation(
        &self,
        auth: &Authorized,
        id: GenerationId,
    ) -> Result<GenerationView, StudioError> {
        auth.require(Permission::Draft)?;
        let row = match load(&self.inner.db, id).await? {
            Some(row) if row.workspace_id == auth.workspace() => row,
            _ => return Err(StudioError::GenerationNotFound),
        };
        if row.requested_by != Some(auth.user()) {
            auth.require(Permission::Publish)?;
        }
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        // A queued generation's job has not started: its reservation is
        // given back now. A running one's job settles when it notices.
        let mut ended = false;
        for (from, settle_now) in [("queued", true), ("running", false)] {
            let n = on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE studio_generations SET status = 'cancelled', finished_at = $2 \
                     WHERE id = $1 AND status = $3",
                )
                .bind(id)
                .bind(now)
                .bind(from)
                .execute(conn)
                .await?
                .rows_affected()
            });
            if n > 0 {
                if settle_now {
                    usage::settle(&mut tx, id, 0, false).await?;
                }
                ended = true;
                break;
            }
        }
        if !ended {
            return Err(StudioError::AlreadyEnded);
        }
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.generation.cancel",
            &format!("generation:{id}"),
            "",
        )
        .await?;
        self.inner
            .queue
            .notifications()
            .notify_after_commit(&mut tx, GENERATION_CHANNEL, &id.to_string())
            .await?;
        tx.commit().await?;
        self.generation(auth, id).await
    }

    /// One attempt of a generation job.
    pub async fn run_generation(&self, id: GenerationId, ctx: &JobContext) -> Result<(), JobError> {
        let db = &self.inner.db;
        let Some(row) = load(db, id).await.map_err(job_error)? else {
            return Ok(());
        };
        match row.status() {
            GenerationStatus::Queued | GenerationStatus::Running => {}
            GenerationStatus::Cancelled => {
                // Cancelled while running, and the run that noticed died
                // before it settled: settle now (a no-op when done).
                let mut tx = db.begin().await.map_err(job_error)?;
                usage::settle(&mut tx, id, 0, false)
                    .await
                    .map_err(job_error)?;
                tx.commit().await.map_err(job_error)?;
                return Ok(());
            }
            GenerationStatus::Succeeded | GenerationStatus::Failed => return Ok(()),
        }
        let started = on_pool!(db, |pool| {
            sqlx::query(
                "UPDATE studio_generations SET status = 'running', partial = '', \
                 started_at = COALESCE(started_at, $2) WHERE id = $1 AND status IN ('queued', 'running')",
            )
            .bind(id)
            .bind(DbTime(self.now()))
            .execute(pool)
            .await
            .map_err(job_error)?
            .rows_affected()
        });
        if started == 0 {
            return Ok(());
        }
        let (request, redactions) = match self.build_request(&row).await {
            Ok(r) => r,
            Err(e) => {
                return self
                    .fail(&row, "rejected", Some(e.to_string()), Usage::default(), "")
                    .await;
            }
        };
        let mut live = Live {
            studio: self,
            id,
            redactions: &redactions,
            text: String::new(),
            written: 0,
            last: Instant::now(),
            ctx,
        };
        let result = self.inner.engine.generate(&request, &mut live).await;
        match result {
            Ok(generated) => {
                let content = match generated.content.clone() {
                    Some(c) => Ok(c),
                    None => prompt::parse_answer(request.format, &generated.text),
                };
                match content {
                    Ok(content) => {
                        let content = content.map_texts(|s| redactions.restore(s));
                        self.succeed(&row, &request, content, &generated, &redactions)
                            .await
                    }
                    Err(e) => {
                        self.fail(
                            &row,
                            e.code(),
                            Some(e.to_string()),
                            generated.usage,
                            &generated.model,
                        )
                        .await
                    }
                }
            }
            Err(EngineError::Cancelled) if ctx.cancel.is_cancelled() => {
                // The worker is stopping (or lost the lease): another run
                // takes it up.
                self.back_to_queue(id, None).await?;
                Err(JobError::transient(
                    "the worker stopped during the generation",
                ))
            }
            Err(EngineError::Cancelled) => {
                let mut tx = db.begin().await.map_err(job_error)?;
                usage::settle(&mut tx, id, 0, false)
                    .await
                    .map_err(job_error)?;
                tx.commit().await.map_err(job_error)?;
                Ok(())
            }
            Err(e) if e.retryable() && !ctx.is_last_attempt() => {
                self.back_to_queue(id, Some(&e)).await?;
                let err = JobError::transient(e.to_string());
                Err(match e.retry_after() {
                    Some(after) => err.retry_after(after),
                    None => err,
                })
            }
            Err(e) => {
                self.fail(&row, e.code(), Some(e.to_string()), Usage::default(), "")
                    .await
            }
        }
    }

    /// The engine request of a stored generation, with its texts redacted.
    async fn build_request(
        &self,
        row: &GenerationRow,
    ) -> Result<(Request, Redactions), StudioError> {
        self.compose(
            row.workspace_id,
            &Inputs {
                format: row.format(),
                locale: &row.locale,
                template: row.template_id,
                tone: row.tone.as_deref(),
                pillar: row.pillar_id,
                platform: row.platform.as_deref().and_then(Platform::parse),
                brief: &row.brief,
            },
        )
        .await
    }

    /// The request an engine would be sent for `req`, redacted, without
    /// storing or queueing anything (the benchmark's baseline sends it
    /// straight to the engine).
    pub async fn engine_request(
        &self,
        auth: &Authorized,
        req: &GenerationRequest,
    ) -> Result<Request, StudioError> {
        auth.require(Permission::Draft)?;
        let template = match req.template_id {
            Some(id) => Some(load_template(&self.inner.db, auth.workspace(), id).await?),
            None => None,
        };
        let locale = locale_of(
            template
                .as_ref()
                .map(|t| t.locale.as_str())
                .or(req.locale.as_deref()),
        );
        let (request, _) = self
            .compose(
                auth.workspace(),
                &Inputs {
                    format: template
                        .as_ref()
                        .map(|t| t.format)
                        .or(req.format)
                        .unwrap_or(Format::Caption),
                    locale,
                    template: req.template_id,
                    tone: req.tone.as_deref(),
                    pillar: req.pillar_id,
                    platform: req.platform,
                    brief: &req.brief,
                },
            )
            .await?;
        Ok(request)
    }

    async fn compose(
        &self,
        workspace: WorkspaceId,
        inputs: &Inputs<'_>,
    ) -> Result<(Request, Redactions), StudioError> {
        let db = &self.inner.db;
        let template = match inputs.template {
            Some(id) => Some(load_template(db, workspace, id).await?),
            None => None,
        };
        let tone = match inputs.tone {
            Some(slug) => self.tone(slug, Some(inputs.locale)).await.ok(),
            None => None,
        };
        let pillar = match inputs.pillar {
            Some(id) => load_pillar(db, workspace, id).await.ok(),
            None => None,
        };
        let mut redactions = Redactions::default();
        let brief = redactions.redact(inputs.brief);
        let pillar = pillar.map(|mut p| {
            p.name = redactions.redact(&p.name);
            p.description = redactions.redact(&p.description);
            p
        });
        let template = template.map(|mut t| {
            t.title = redactions.redact(&t.title);
            t.description = redactions.redact(&t.description);
            t.content = t.content.map_texts(|s| redactions.redact(s));
            t
        });
        let messages = prompt::messages(
            inputs.format,
            inputs.locale,
            template.as_ref(),
            tone.as_ref(),
            pillar.as_ref(),
            inputs.platform,
            &brief,
        );
        Ok((
            Request {
                format: inputs.format,
                locale: inputs.locale.to_owned(),
                template,
                tone,
                pillar,
                platform: inputs.platform,
                brief,
                messages,
                schema: Some(prompt::schema(inputs.format)),
                max_output_tokens: self.inner.settings.max_output_tokens,
            },
            redactions,
        ))
    }

    /// Back to `queued` between attempts, with the last attempt's error for
    /// the page to show.
    async fn back_to_queue(
        &self,
        id: GenerationId,
        e: Option<&EngineError>,
    ) -> Result<(), JobError> {
        on_pool!(&self.inner.db, |pool| {
            sqlx::query(
                "UPDATE studio_generations SET status = 'queued', error = $2, error_detail = $3 \
                 WHERE id = $1 AND status = 'running'",
            )
            .bind(id)
            .bind(e.map(EngineError::code))
            .bind(e.map(ToString::to_string))
            .execute(pool)
            .await
            .map_err(job_error)?;
        });
        Ok(())
    }

    async fn succeed(
        &self,
        row: &GenerationRow,
        request: &Request,
        content: Content,
        generated: &crate::engine::Generated,
        redactions: &Redactions,
    ) -> Result<(), JobError> {
        let now = self.now();
        let info = self.inner.engine.info();
        let model = if generated.model.is_empty() {
            info.model.clone()
        } else {
            generated.model.clone()
        };
        let usage = generated.usage;
        let cost =
            self.inner
                .settings
                .prices
                .cost_nanos(&model, usage.input_tokens, usage.output_tokens);
        let title = crate::drafts::title_of(&content, request.template.as_ref(), &row.brief);
        let text =
            serde_json::to_string(&content).map_err(|e| JobError::permanent_from("encode", e))?;
        let mut tx = self.inner.db.begin().await.map_err(job_error)?;
        let draft = crate::drafts::insert_draft(
            &mut tx,
            &crate::drafts::DraftInsert {
                workspace: row.workspace_id,
                author: row.requested_by,
                title: &title,
                content: &content,
                template: row.template_id,
                generation: Some(row.id),
                tone: row.tone.as_deref(),
                pillar: row.pillar_id,
                platform: row.platform.as_deref(),
            },
            now,
        )
        .await
        .map_err(job_error)?;
        let updated = on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE studio_generations SET status = 'succeeded', output = $2, partial = $3, \
                 model = $4, input_tokens = $5, output_tokens = $6, cost_nanos = $7, redactions = $8, \
                 error = NULL, error_detail = NULL, draft_id = $9, finished_at = $10 \
                 WHERE id = $1 AND status = 'running'",
            )
            .bind(row.id)
            .bind(&text)
            .bind(redactions.restore(&generated.text))
            .bind(&model)
            .bind(i64::from(usage.input_tokens))
            .bind(i64::from(usage.output_tokens))
            .bind(cost)
            .bind(i32::try_from(redactions.total()).unwrap_or(i32::MAX))
            .bind(draft)
            .bind(DbTime(now))
            .execute(conn)
            .await
            .map_err(job_error)?
            .rows_affected()
        });
        if updated == 0 {
            // Cancelled while the answer came in: keep nothing but the
            // cost, which was spent.
            drop(tx);
            let mut tx = self.inner.db.begin().await.map_err(job_error)?;
            self.spend(&mut tx, row, &info.engine, &model, usage, cost, now)
                .await?;
            tx.commit().await.map_err(job_error)?;
            return Ok(());
        }
        self.spend(&mut tx, row, &info.engine, &model, usage, cost, now)
            .await?;
        if redactions.total() > 0 {
            herald_accounts::shared::record_event_for(
                &mut tx,
                now,
                row.workspace_id,
                row.requested_by,
                row.via.as_deref(),
                "studio.redaction",
                "success",
                &format!("generation:{}", row.id),
                &redactions.summary(),
            )
            .await
            .map_err(job_error)?;
        }
        herald_accounts::shared::record_event_for(
            &mut tx,
            now,
            row.workspace_id,
            row.requested_by,
            row.via.as_deref(),
            "studio.generation",
            "success",
            &format!("generation:{}", row.id),
            &format!(
                "template={} engine={} model={} input_tokens={} output_tokens={} cost_nanos={} draft={}",
                row.template_id.map_or_else(|| "none".to_owned(), |t| t.to_string()),
                info.engine,
                model,
                usage.input_tokens,
                usage.output_tokens,
                cost,
                draft
            ),
        )
        .await
        .map_err(job_error)?;
        self.inner
            .queue
            .notifications()
            .notify_after_commit(&mut tx, GENERATION_CHANNEL, &row.id.to_string())
            .await
            .map_err(job_error)?;
        tx.commit().await.map_err(job_error)?;
        Ok(())
    }

    /// The ledger entry (when the engine counted tokens) and the settled
    /// quota.
    #[allow(clippy::too_many_arguments)]
    async fn spend(
        &self,
        tx: &mut herald_db::Tx,
        row: &GenerationRow,
        engine: &str,
        model: &str,
        usage: Usage,
        cost: i64,
        now: Timestamp,
    ) -> Result<(), JobError> {
        let used = u64::from(usage.input_tokens) + u64::from(usage.output_tokens);
        if used > 0 || engine == "builtin" {
            usage::record(
                tx,
                &LedgerEntry {
                    workspace: row.workspace_id,
                    user: row.requested_by,
                    generation: row.id,
                    engine,
                    model,
                    input_tokens: usage.input_tokens,
                    output_tokens: usage.output_tokens,
                    cost_nanos: cost,
                },
                now,
            )
            .await
            .map_err(job_error)?;
        }
        usage::settle(tx, row.id, used, true)
            .await
            .map_err(job_error)
    }

    /// Ends a generation as failed with `code`, keeping what it cost.
    async fn fail(
        &self,
        row: &GenerationRow,
        code: &str,
        detail: Option<String>,
        usage: Usage,
        model: &str,
    ) -> Result<(), JobError> {
        let now = self.now();
        let info = self.inner.engine.info();
        let model = if model.is_empty() {
            info.model.as_str()
        } else {
            model
        };
        let used = u64::from(usage.input_tokens) + u64::from(usage.output_tokens);
        let cost =
            self.inner
                .settings
                .prices
                .cost_nanos(model, usage.input_tokens, usage.output_tokens);
        let mut tx = self.inner.db.begin().await.map_err(job_error)?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE studio_generations SET status = 'failed', error = $2, error_detail = $3, \
                 input_tokens = $4, output_tokens = $5, cost_nanos = $6, finished_at = $7 \
                 WHERE id = $1 AND status = 'running'",
            )
            .bind(row.id)
            .bind(code)
            .bind(&detail)
            .bind(i64::from(usage.input_tokens))
            .bind(i64::from(usage.output_tokens))
            .bind(cost)
            .bind(DbTime(now))
            .execute(conn)
            .await
            .map_err(job_error)?;
        });
        if used > 0 {
            usage::record(
                &mut tx,
                &LedgerEntry {
                    workspace: row.workspace_id,
                    user: row.requested_by,
                    generation: row.id,
                    engine: &info.engine,
                    model,
                    input_tokens: usage.input_tokens,
                    output_tokens: usage.output_tokens,
                    cost_nanos: cost,
                },
                now,
            )
            .await
            .map_err(job_error)?;
        }
        usage::settle(&mut tx, row.id, used, used > 0)
            .await
            .map_err(job_error)?;
        herald_accounts::shared::record_event_for(
            &mut tx,
            now,
            row.workspace_id,
            row.requested_by,
            row.via.as_deref(),
            "studio.generation",
            "failure",
            &format!("generation:{}", row.id),
            &format!(
                "code={code} engine={} model={model} input_tokens={} output_tokens={} cost_nanos={cost}",
                info.engine, usage.input_tokens, usage.output_tokens
            ),
        )
        .await
        .map_err(job_error)?;
        self.inner
            .queue
            .notifications()
            .notify_after_commit(&mut tx, GENERATION_CHANNEL, &row.id.to_string())
            .await
            .map_err(job_error)?;
        tx.commit().await.map_err(job_error)?;
        Ok(())
    }
}
