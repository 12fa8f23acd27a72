//! The studio's use cases on both engines: the catalog seed applied as a
//! repeatable migration, generation end to end with its ledger, quota and
//! audit entries, quotas that concurrent requests cannot overspend,
//! redaction of what leaves Herald, retries by error class, cancellation,
//! and drafts with versions, conflicts, restore and permissions.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use herald_accounts::{Authorized, Permission};
use herald_core::{Clock, GenerationId, ManualClock, PillarId, PostId, UserId, WorkspaceId};
use herald_db::testing::TestDb;
use herald_db::{on_both_backends, on_pool};
use herald_jobs::{JobContext, JobId, Queue};
use herald_studio::engine::builtin::Builtin;
use herald_studio::seed::SeedFile;
use herald_studio::{
    BookmarkKind, Content, ContentGenerationEngine, EngineError, EngineInfo, Format, Generated,
    GenerationRequest, GenerationStatus, Limit, NewDraft, Prices, Progress, Quotas, Request, Save,
    Slide, Studio, StudioError, StudioSettings, TemplateFilter, Usage,
};
use tokio_util::sync::CancellationToken;

/// An AI engine that answers from a script and keeps every request it was
/// sent.
#[derive(Default)]
struct Scripted {
    answers: Mutex<VecDeque<Result<Generated, EngineError>>>,
    seen: Mutex<Vec<Request>>,
}

impl Scripted {
    fn push(&self, answer: Result<Generated, EngineError>) {
        self.answers.lock().unwrap().push_back(answer);
    }

    fn caption(text: &str, input: u32, output: u32) -> Result<Generated, EngineError> {
        Ok(Generated {
            text: format!(
                "{{\"text\": {}, \"hashtags\": [\"#herald\"]}}",
                serde_json::json!(text)
            ),
            content: None,
            usage: Usage {
                input_tokens: input,
                output_tokens: output,
            },
            model: "gpt-4o-mini-2024-07-18".into(),
        })
    }
}

#[async_trait]
impl ContentGenerationEngine for Scripted {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            engine: "openai_compatible".into(),
            model: "gpt-4o-mini".into(),
            ai: true,
        }
    }

    async fn generate(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
    ) -> Result<Generated, EngineError> {
        self.seen.lock().unwrap().push(request.clone());
        let answer = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Scripted::caption("Hello", 10, 10));
        if let Ok(g) = &answer {
            for piece in g.text.as_bytes().chunks(8) {
                progress
                    .text(&String::from_utf8_lossy(piece))
                    .await
                    .map_err(|_| EngineError::Cancelled)?;
            }
        }
        answer
    }
}

struct Env {
    t: TestDb,
    clock: Arc<ManualClock>,
    studio: Studio,
    scripted: Arc<Scripted>,
}

fn settings() -> StudioSettings {
    StudioSettings {
        prices: Prices::parse("gpt-4o-mini=0.15/0.60", "USD").unwrap(),
        ..StudioSettings::default()
    }
}

impl Env {
    async fn new(t: TestDb, ai: bool) -> Env {
        let clock = Arc::new(ManualClock::new("2026-12-07T10:00:00Z".parse().unwrap()));
        let queue = Queue::new(t.db.clone(), clock.clone());
        let scripted = Arc::new(Scripted::default());
        let engine: Arc<dyn ContentGenerationEngine> = if ai {
            scripted.clone()
        } else {
            Arc::new(Builtin)
        };
        let studio = Studio::new(t.db.clone(), queue, clock.clone(), engine, settings());
        studio.apply_seed().await.unwrap();
        Env {
            t,
            clock,
            studio,
            scripted,
        }
    }

    async fn user(&self, email: &str) -> UserId {
        let id: i64 = on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO users (email, password_hash, display_name, locale, created_at, updated_at) \
                 VALUES ($1, 'x', $1, 'en', 0, 0) RETURNING id",
            )
            .bind(email)
            .fetch_one(pool)
            .await
            .unwrap()
        });
        UserId(id)
    }

    async fn workspace(&self, members: &[(UserId, &str)]) -> WorkspaceId {
        let id: i64 = on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO workspaces (name, created_at) VALUES ('Acme', 0) RETURNING id",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        });
        for (user, role) in members {
            on_pool!(&self.t.db, |pool| {
                sqlx::query(
                    "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, 0)",
                )
                .bind(id)
                .bind(user.0)
                .bind(*role)
                .execute(pool)
                .await
                .unwrap();
            });
        }
        WorkspaceId(id)
    }

    async fn auth(&self, user: UserId, ws: WorkspaceId) -> Authorized {
        herald_accounts::shared::authorize(&self.t.db, user, ws, Permission::View)
            .await
            .unwrap()
    }

    async fn count(&self, sql: &'static str) -> i64 {
        on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        })
    }

    async fn run(&self, id: GenerationId, attempt: i32) -> Result<(), herald_jobs::JobError> {
        let ctx = JobContext {
            id: JobId(1),
            attempt,
            max_attempts: 5,
            run_at: self.clock.now(),
            cancel: CancellationToken::new(),
        };
        self.studio.run_generation(id, &ctx).await
    }

    async fn editor(&self) -> (Authorized, WorkspaceId) {
        let ann = self.user("ann@example.com").await;
        let ws = self.workspace(&[(ann, "editor")]).await;
        (self.auth(ann, ws).await, ws)
    }
}

fn brief(text: &str) -> GenerationRequest {
    GenerationRequest {
        brief: text.into(),
        ..GenerationRequest::default()
    }
}

async fn the_seed_is_a_repeatable_migration_that_spares_workspace_copies(t: TestDb) {
    let env = Env::new(t, false).await;
    let (auth, _) = env.editor().await;
    // Applied at start; applying the same file again changes nothing.
    let again = env.studio.apply_seed().await.unwrap();
    assert!(!again.applied);
    let shipped = SeedFile::shipped().unwrap();
    let listed = env
        .studio
        .templates(&auth, &TemplateFilter::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), shipped.templates.len());
    let german = env
        .studio
        .templates(
            &auth,
            &TemplateFilter {
                locale: Some("de".into()),
                ..TemplateFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(german.iter().all(|t| t.locale == "de"));
    assert_eq!(
        env.studio.tones(Some("de")).await.unwrap().len(),
        shipped.tones.len()
    );

    // A workspace copies and edits one template.
    let first = listed[0].clone();
    let copy = env.studio.copy_template(&auth, first.id).await.unwrap();
    assert_eq!(copy.copied_from, Some(first.id));
    let edited = env
        .studio
        .update_template(
            &auth,
            copy.id,
            &herald_studio::TemplateEdit {
                title: Some("Our own take".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.title, "Our own take");
    // The catalog's own rows are read-only.
    assert!(matches!(
        env.studio
            .update_template(&auth, first.id, &herald_studio::TemplateEdit::default())
            .await,
        Err(StudioError::CatalogReadOnly)
    ));

    // Version 2 of the seed renames that template and drops another.
    let mut next = shipped.clone();
    next.version += 1;
    let renamed = next
        .templates
        .iter_mut()
        .find(|t| t.slug == first.slug)
        .unwrap();
    renamed.en.title = "Renamed by the catalog".into();
    let dropped = next
        .templates
        .iter()
        .find(|t| t.slug != first.slug)
        .unwrap()
        .slug
        .clone();
    next.templates.retain(|t| t.slug != dropped);
    let applied = env.studio.apply_seed_file(&next, "v2").await.unwrap();
    assert!(applied.applied);
    assert_eq!((applied.updated, applied.retired, applied.added), (1, 2, 0));
    let copy_now = env.studio.template(&auth, copy.id).await.unwrap();
    assert_eq!(
        copy_now.title, "Our own take",
        "a workspace's copy is never touched"
    );
    let catalog_now = env.studio.template(&auth, first.id).await.unwrap();
    assert_eq!(catalog_now.title, "Renamed by the catalog");
    let listed = env
        .studio
        .templates(&auth, &TemplateFilter::default())
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .all(|t| t.slug != dropped || t.workspace.is_some())
    );
    // Re-running version 2 changes nothing; an older binary's seed does not
    // roll it back.
    assert!(
        !env.studio
            .apply_seed_file(&next, "v2")
            .await
            .unwrap()
            .applied
    );
    assert!(!env.studio.apply_seed().await.unwrap().applied);
}

async fn a_generation_becomes_a_draft_with_ledger_quota_and_audit(t: TestDb) {
    let env = Env::new(t, true).await;
    let (auth, ws) = env.editor().await;
    env.scripted
        .push(Scripted::caption("Winter is coming", 1000, 500));
    let g = env
        .studio
        .request_generation(&auth, &brief("A post about our winter sale"))
        .await
        .unwrap();
    assert_eq!(g.status, GenerationStatus::Queued);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM jobs WHERE kind = 'studio.generate.v1'")
            .await,
        1
    );
    env.run(g.id, 1).await.unwrap();
    let done = env.studio.generation(&auth, g.id).await.unwrap();
    assert_eq!(done.status, GenerationStatus::Succeeded);
    assert_eq!(
        done.usage,
        Usage {
            input_tokens: 1000,
            output_tokens: 500
        }
    );
    // $0.15/M in and $0.60/M out: 150,000 + 300,000 nanos.
    assert_eq!(done.cost_nanos, 450_000);
    let draft = env
        .studio
        .draft(&auth, done.draft_id.unwrap())
        .await
        .unwrap();
    assert_eq!(
        draft.content,
        Content::Caption {
            text: "Winter is coming".into(),
            hashtags: vec!["#herald".into()]
        }
    );
    assert_eq!((draft.version, draft.generation_id), (1, Some(g.id)));
    let usage = env.studio.usage(&auth, None).await.unwrap();
    assert_eq!(
        (usage.generations, usage.input_tokens, usage.output_tokens),
        (1, 1000, 500)
    );
    assert_eq!(usage.cost_nanos, 450_000);
    assert_eq!(usage.by_model[0].model, "gpt-4o-mini-2024-07-18");
    // The reservation was settled to what it used.
    let member_day = usage
        .quotas
        .iter()
        .find(|q| q.scope == "member" && q.period == "day")
        .unwrap();
    assert_eq!((member_day.generations, member_day.tokens), (1, 1500));
    let audited: i64 = on_pool!(&env.t.db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE workspace_id = $1 AND action = 'studio.generation' \
             AND actor_id = $2 AND detail LIKE '%input_tokens=1000 output_tokens=500 cost_nanos=450000%'",
        )
        .bind(ws)
        .bind(auth.user())
        .fetch_one(pool)
        .await
        .unwrap()
    });
    assert_eq!(audited, 1);
    // Running the job again (a redelivery) changes nothing.
    env.run(g.id, 2).await.unwrap();
    assert_eq!(env.count("SELECT COUNT(*) FROM studio_ledger").await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM studio_drafts").await, 1);
}

async fn concurrent_requests_cannot_overspend_a_quota(t: TestDb) {
    let env = Env::new(t, true).await;
    let (auth, _) = env.editor().await;
    let owner = env.user("owner@example.com").await;
    on_pool!(&env.t.db, |pool| {
        sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', 0)")
            .bind(auth.workspace())
            .bind(owner)
            .execute(pool)
            .await
            .unwrap();
    });
    let owner = env.auth(owner, auth.workspace()).await;
    // Only owners and admins set quotas.
    assert!(matches!(
        env.studio.set_quotas(&auth, &Quotas::default()).await,
        Err(StudioError::Access(_))
    ));
    env.studio
        .set_quotas(
            &owner,
            &Quotas {
                member_day: Limit {
                    generations: Some(3),
                    tokens: None,
                },
                ..Quotas::default()
            },
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let studio = env.studio.clone();
            let auth = auth.clone();
            tokio::spawn(async move {
                studio
                    .request_generation(&auth, &brief(&format!("Idea {i}")))
                    .await
            })
        })
        .collect();
    let mut accepted = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(StudioError::QuotaReached(hit)) => {
                assert_eq!(
                    (hit.scope, hit.period, hit.measure, hit.limit),
                    ("member", "day", "generations", 3)
                );
                refused += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((accepted, refused), (3, 9));
    assert_eq!(
        env.count("SELECT COUNT(*) FROM studio_generations").await,
        3
    );
    // Tokens too: with a small token budget only what fits the estimate
    // (prompt plus the output limit) is accepted.
    env.studio
        .set_quotas(
            &owner,
            &Quotas {
                workspace_day: Limit {
                    generations: None,
                    tokens: Some(3 * 1500 + 4 * 1600),
                },
                member_day: Limit::default(),
                ..Quotas::default()
            },
        )
        .await
        .unwrap();
    let mut more = 0;
    while env
        .studio
        .request_generation(&owner, &brief("x"))
        .await
        .is_ok()
    {
        more += 1;
        assert!(more < 20, "the token quota never stopped it");
    }
    assert!(more >= 1);
    // A cancelled queued generation gives its reservation back.
    let before = env.studio.usage(&owner, None).await.unwrap();
    let ws_day = |u: &herald_studio::UsageReport| {
        u.quotas
            .iter()
            .find(|q| q.scope == "workspace" && q.period == "day")
            .map(|q| (q.generations, q.tokens))
            .unwrap()
    };
    let list = env.studio.generations(&owner, 1).await.unwrap();
    env.studio
        .cancel_generation(&owner, list[0].id)
        .await
        .unwrap();
    let after = env.studio.usage(&owner, None).await.unwrap();
    assert_eq!(ws_day(&after).0, ws_day(&before).0 - 1);
    assert!(ws_day(&after).1 < ws_day(&before).1);
    assert!(matches!(
        env.studio.cancel_generation(&owner, list[0].id).await,
        Err(StudioError::AlreadyEnded)
    ));
}

async fn private_values_never_leave_and_come_back_in_the_draft(t: TestDb) {
    let env = Env::new(t, true).await;
    let (auth, ws) = env.editor().await;
    env.scripted.push(Scripted::caption(
        "Write to [EMAIL_1] or call [PHONE_1]!",
        50,
        20,
    ));
    let g = env
        .studio
        .request_generation(
            &auth,
            &brief("Contact anna@example.org, +49 30 1234567, card 4111 1111 1111 1111, token sk-proj-abcdefghijklmnop1234"),
        )
        .await
        .unwrap();
    env.run(g.id, 1).await.unwrap();
    let sent = serde_json::to_string(&env.scripted.seen.lock().unwrap()[0].messages).unwrap();
    for secret in [
        "anna@example.org",
        "+49 30 1234567",
        "4111 1111 1111 1111",
        "sk-proj-abcdefghijklmnop1234",
    ] {
        assert!(!sent.contains(secret), "{secret} left Herald: {sent}");
    }
    let done = env.studio.generation(&auth, g.id).await.unwrap();
    assert_eq!(done.redactions, 4);
    let draft = env
        .studio
        .draft(&auth, done.draft_id.unwrap())
        .await
        .unwrap();
    let Content::Caption { text, .. } = draft.content else {
        panic!()
    };
    assert_eq!(text, "Write to anna@example.org or call +49 30 1234567!");
    // The audit log says that it happened, never what.
    let detail: String = on_pool!(&env.t.db, |pool| {
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE workspace_id = $1 AND action = 'studio.redaction'")
            .bind(ws)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(detail, "SECRET=1 EMAIL=1 CARD=1 PHONE=1");
}

async fn failures_are_retried_by_class_and_cancellation_stops_a_run(t: TestDb) {
    let env = Env::new(t, true).await;
    let (auth, _) = env.editor().await;
    // Throttled: back to the queue after the service's wait, then it works.
    env.scripted.push(Err(EngineError::RateLimited {
        retry_after: Some(std::time::Duration::from_secs(7)),
        detail: "429".into(),
    }));
    let g = env
        .studio
        .request_generation(&auth, &brief("retry me"))
        .await
        .unwrap();
    match env.run(g.id, 1).await {
        Err(herald_jobs::JobError::Transient { retry_after, .. }) => {
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(7)));
        }
        other => panic!("expected a retry, got {other:?}"),
    }
    let waiting = env.studio.generation(&auth, g.id).await.unwrap();
    assert_eq!(waiting.status, GenerationStatus::Queued);
    assert_eq!(waiting.error.unwrap().code, "rate_limited");
    env.run(g.id, 2).await.unwrap();
    assert_eq!(
        env.studio.generation(&auth, g.id).await.unwrap().status,
        GenerationStatus::Succeeded
    );

    // Filtered content fails at once, costs nothing, and gives the quota
    // back.
    env.scripted.push(Err(EngineError::ContentFiltered));
    let g = env
        .studio
        .request_generation(&auth, &brief("something rude"))
        .await
        .unwrap();
    env.run(g.id, 1).await.unwrap();
    let failed = env.studio.generation(&auth, g.id).await.unwrap();
    assert_eq!(failed.status, GenerationStatus::Failed);
    assert_eq!(failed.error.unwrap().code, "content_filtered");
    assert_eq!(failed.draft_id, None);

    // An unreadable answer still costs what the service counted.
    env.scripted.push(Ok(Generated {
        text: "not json".into(),
        content: None,
        usage: Usage {
            input_tokens: 30,
            output_tokens: 3,
        },
        model: "gpt-4o-mini".into(),
    }));
    let g = env
        .studio
        .request_generation(&auth, &brief("garbled"))
        .await
        .unwrap();
    env.run(g.id, 1).await.unwrap();
    let failed = env.studio.generation(&auth, g.id).await.unwrap();
    assert_eq!(failed.error.unwrap().code, "malformed");
    assert_eq!(failed.usage.input_tokens, 30);

    // The last attempt of a retryable failure fails it.
    env.scripted.push(Err(EngineError::Unavailable {
        detail: "502".into(),
    }));
    let g = env
        .studio
        .request_generation(&auth, &brief("down"))
        .await
        .unwrap();
    env.run(g.id, 5).await.unwrap();
    assert_eq!(
        env.studio
            .generation(&auth, g.id)
            .await
            .unwrap()
            .error
            .unwrap()
            .code,
        "unavailable"
    );

    // Cancelled before its job ran: the job does nothing.
    let g = env
        .studio
        .request_generation(&auth, &brief("never mind"))
        .await
        .unwrap();
    env.studio.cancel_generation(&auth, g.id).await.unwrap();
    let calls = env.scripted.seen.lock().unwrap().len();
    env.run(g.id, 1).await.unwrap();
    assert_eq!(env.scripted.seen.lock().unwrap().len(), calls);
    assert_eq!(
        env.studio.generation(&auth, g.id).await.unwrap().status,
        GenerationStatus::Cancelled
    );
}

async fn drafts_keep_every_version_and_guard_who_edits(t: TestDb) {
    let env = Env::new(t, false).await;
    let ann = env.user("ann@example.com").await;
    let cy = env.user("cy@example.com").await;
    let vi = env.user("vi@example.com").await;
    let eve = env.user("eve@example.com").await;
    let ws = env
        .workspace(&[(ann, "contributor"), (cy, "contributor"), (vi, "viewer")])
        .await;
    let other = env.workspace(&[(eve, "owner")]).await;
    let (ann_a, cy_a, vi_a, eve_a) = (
        env.auth(ann, ws).await,
        env.auth(cy, ws).await,
        env.auth(vi, ws).await,
        env.auth(eve, other).await,
    );
    let slides = |titles: &[&str]| Content::Carousel {
        slides: titles
            .iter()
            .map(|t| Slide {
                title: (*t).into(),
                body: "b".into(),
            })
            .collect(),
        caption: "c".into(),
    };
    let d = env
        .studio
        .create_draft(
            &ann_a,
            &NewDraft {
                title: Some("Tips".into()),
                content: Some(slides(&["One", "Two"])),
                format: None,
                template_id: None,
                pillar_id: None,
                platform: None,
                tone: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(d.version, 1);
    let save = |content: Content, base: i32| Save {
        title: None,
        content,
        base_version: Some(base),
    };
    let v2 = env
        .studio
        .save_draft(&ann_a, d.id, &save(slides(&["One", "Two", "Three"]), 1))
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    // The same text again is no new version.
    let same = env
        .studio
        .save_draft(&ann_a, d.id, &save(slides(&["One", "Two", "Three"]), 2))
        .await
        .unwrap();
    assert_eq!(same.version, 2);
    // A save from a stale editor is a conflict, not an overwrite.
    assert!(matches!(
        env.studio
            .save_draft(&ann_a, d.id, &save(slides(&["Stale"]), 1))
            .await,
        Err(StudioError::Conflict {
            base: 1,
            current: 2
        })
    ));
    // A carousel cannot become a caption.
    assert!(matches!(
        env.studio
            .save_draft(&ann_a, d.id, &save(Content::empty(Format::Caption), 2))
            .await,
        Err(StudioError::FormatMismatch { .. })
    ));
    // Another contributor, a viewer and a stranger may not edit it.
    assert!(matches!(
        env.studio
            .save_draft(&cy_a, d.id, &save(slides(&["Mine"]), 2))
            .await,
        Err(StudioError::Access(_))
    ));
    assert!(matches!(
        env.studio
            .save_draft(&vi_a, d.id, &save(slides(&["Mine"]), 2))
            .await,
        Err(StudioError::Access(_))
    ));
    assert!(matches!(
        env.studio.draft(&eve_a, d.id).await,
        Err(StudioError::DraftNotFound)
    ));
    // History, diff, restore.
    let diff = env.studio.diff(&ann_a, d.id, 1, 2).await.unwrap();
    let added: Vec<&str> = diff
        .iter()
        .filter(|c| c.change == "added")
        .map(|c| c.text.as_str())
        .collect();
    assert!(added.contains(&"Three"), "{diff:?}");
    let restored = env.studio.restore(&ann_a, d.id, 1).await.unwrap();
    assert_eq!(
        (restored.version, restored.content.clone()),
        (3, slides(&["One", "Two"]))
    );
    let versions = env.studio.versions(&ann_a, d.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![3, 2, 1]
    );
    assert_eq!(versions[0].restored_from, Some(1));
    assert_eq!(versions[0].author, Some(ann));
    // Bookmarks are each member's own.
    env.studio
        .bookmark(&vi_a, BookmarkKind::Draft, d.id.0, true)
        .await
        .unwrap();
    assert_eq!(env.studio.bookmarks(&vi_a).await.unwrap().len(), 1);
    assert!(env.studio.bookmarks(&ann_a).await.unwrap().is_empty());
    assert!(matches!(
        env.studio
            .bookmark(&eve_a, BookmarkKind::Draft, d.id.0, true)
            .await,
        Err(StudioError::DraftNotFound)
    ));
    // Oversized content is refused and changes nothing.
    let huge = Content::Caption {
        text: "x".repeat(herald_studio::MAX_CONTENT + 1),
        hashtags: vec![],
    };
    let cap = env
        .studio
        .create_draft(
            &ann_a,
            &NewDraft {
                title: None,
                content: Some(Content::empty(Format::Caption)),
                format: None,
                template_id: None,
                pillar_id: None,
                platform: None,
                tone: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        env.studio.save_draft(&ann_a, cap.id, &save(huge, 1)).await,
        Err(StudioError::Invalid {
            field: "content",
            ..
        })
    ));
    assert_eq!(env.studio.draft(&ann_a, cap.id).await.unwrap().version, 1);
    // Variants for the composer fit every platform.
    let variants = env
        .studio
        .composer_variants(&ann_a, d.id, &[])
        .await
        .unwrap();
    assert_eq!(variants.len(), 4);
    // The data export holds every draft with its whole history, and only
    // the workspace's.
    let export = env.studio.export(&ann_a).await.unwrap();
    let tips = export.drafts.iter().find(|x| x.draft.id == d.id).unwrap();
    assert_eq!(tips.versions.len(), 3);
    assert_eq!(export.drafts.len(), 2);
    assert!(env.studio.export(&eve_a).await.unwrap().drafts.is_empty());
}

async fn the_builtin_engine_writes_a_labelled_draft_offline(t: TestDb) {
    let env = Env::new(t, false).await;
    let (auth, _) = env.editor().await;
    assert!(!env.studio.engine().ai);
    let templates = env
        .studio
        .templates(&auth, &TemplateFilter::default())
        .await
        .unwrap();
    let tone = env.studio.tones(None).await.unwrap()[0].slug.clone();
    let g = env
        .studio
        .request_generation(
            &auth,
            &GenerationRequest {
                template_id: Some(templates[0].id),
                tone: Some(tone),
                brief: "Our new oat latte, cosy winter mornings".into(),
                ..GenerationRequest::default()
            },
        )
        .await
        .unwrap();
    env.run(g.id, 1).await.unwrap();
    let done = env.studio.generation(&auth, g.id).await.unwrap();
    assert_eq!(done.status, GenerationStatus::Succeeded, "{:?}", done.error);
    assert_eq!(
        (done.engine.engine.as_str(), done.engine.ai),
        ("builtin", false)
    );
    assert_eq!(done.cost_nanos, 0);
    assert!(done.draft_id.is_some());
    // A brief over the limit is refused before anything is stored.
    let before = env.count("SELECT COUNT(*) FROM studio_generations").await;
    assert!(matches!(
        env.studio
            .request_generation(&auth, &brief(&"x".repeat(herald_studio::MAX_BRIEF + 1)))
            .await,
        Err(StudioError::Invalid { field: "brief", .. })
    ));
    assert!(matches!(
        env.studio.request_generation(&auth, &brief("  ")).await,
        Err(StudioError::Invalid { field: "brief", .. })
    ));
    assert_eq!(
        env.count("SELECT COUNT(*) FROM studio_generations").await,
        before
    );
}

async fn a_post_is_linked_to_its_draft_once_and_takes_its_pillar(t: TestDb) {
    let env = Env::new(t, false).await;
    let ann = env.user("ann@example.com").await;
    let vi = env.user("vi@example.com").await;
    let eve = env.user("eve@example.com").await;
    let ws = env.workspace(&[(ann, "editor"), (vi, "viewer")]).await;
    let other = env.workspace(&[(eve, "owner")]).await;
    let (ann_a, vi_a, eve_a) = (
        env.auth(ann, ws).await,
        env.auth(vi, ws).await,
        env.auth(eve, other).await,
    );
    let post = |id: &'static str, workspace: WorkspaceId| {
        let db = env.t.db.clone();
        async move {
            on_pool!(&db, |pool| {
                sqlx::query(
                    "INSERT INTO posts (id, workspace_id, status, created_at, updated_at) \
                     VALUES ($1, $2, 'draft', 0, 0)",
                )
                .bind(id)
                .bind(workspace)
                .execute(pool)
                .await
                .unwrap();
            });
            PostId::from(id)
        }
    };
    let ours = post("p-ours", ws).await;
    let theirs = post("p-theirs", other).await;
    let pillar = env.studio.add_pillar(&ann_a, "Recipes", "").await.unwrap();
    let new = |pillar: Option<PillarId>| NewDraft {
        title: Some("Loaf".into()),
        content: None,
        format: Some(Format::Caption),
        template_id: None,
        pillar_id: pillar,
        platform: None,
        tone: None,
    };
    let with = env
        .studio
        .create_draft(&ann_a, &new(Some(pillar.id)))
        .await
        .unwrap();
    let without = env.studio.create_draft(&ann_a, &new(None)).await.unwrap();
    let foreign = env.studio.create_draft(&eve_a, &new(None)).await.unwrap();
    let links = || env.count("SELECT COUNT(*) FROM studio_draft_posts");

    // Refused: a viewer, another workspace's draft or post.
    assert!(matches!(
        env.studio.link_post(&vi_a, with.id, &ours).await,
        Err(StudioError::Access(_))
    ));
    assert!(matches!(
        env.studio.link_post(&ann_a, foreign.id, &ours).await,
        Err(StudioError::DraftNotFound)
    ));
    assert!(matches!(
        env.studio.link_post(&ann_a, with.id, &theirs).await,
        Err(StudioError::PostNotFound)
    ));
    assert_eq!(links().await, 0);

    // Linked once, however often; the pillar reads back by post.
    for _ in 0..2 {
        env.studio.link_post(&ann_a, with.id, &ours).await.unwrap();
    }
    assert_eq!(links().await, 1);
    let pillars = env
        .studio
        .post_pillars(&vi_a, &[ours.clone(), theirs.clone()])
        .await
        .unwrap();
    assert_eq!(pillars.len(), 1);
    assert_eq!(pillars[&ours].name, "Recipes");
    assert!(
        env.studio
            .post_pillars(&eve_a, std::slice::from_ref(&ours))
            .await
            .unwrap()
            .is_empty(),
        "another workspace reads nothing"
    );
    // Composed again from a draft without a pillar: the link moves.
    env.studio
        .link_post(&ann_a, without.id, &ours)
        .await
        .unwrap();
    assert_eq!(links().await, 1);
    let drafts = env
        .studio
        .post_drafts(&ann_a, std::slice::from_ref(&ours))
        .await
        .unwrap();
    assert_eq!(drafts[&ours], without.id);
    assert!(
        env.studio
            .post_pillars(&ann_a, std::slice::from_ref(&ours))
            .await
            .unwrap()
            .is_empty()
    );
}

on_both_backends!(
    the_seed_is_a_repeatable_migration_that_spares_workspace_copies,
    a_generation_becomes_a_draft_with_ledger_quota_and_audit,
    concurrent_requests_cannot_overspend_a_quota,
    private_values_never_leave_and_come_back_in_the_draft,
    failures_are_retried_by_class_and_cancellation_stops_a_run,
    drafts_keep_every_version_and_guard_who_edits,
    the_builtin_engine_writes_a_labelled_draft_offline,
    a_post_is_linked_to_its_draft_once_and_takes_its_pillar,
);
