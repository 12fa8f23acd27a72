//! Which draft a post was composed from (`studio_draft_posts`): a post
//! opened in the composer from a draft is linked to it when it is saved,
//! and takes the draft's pillar, which analytics' pillar filter and the
//! "pillar neglected" recommendation read.

use std::collections::{BTreeMap, BTreeSet};

use herald_accounts::{Authorized, Permission};
use herald_core::{DraftId, PillarId, PostId};
use herald_db::{DbTime, on_pool, on_tx};

use crate::model::Pillar;
use crate::{Studio, StudioError};

impl Studio {
    /// Records that `post` was composed from `draft`. Both must be the
    /// workspace's. Linking the same pair again changes nothing; linking
    /// the post to another draft moves the link (the latest composition
    /// is the one that counts).
    pub async fn link_post(
        &self,
        auth: &Authorized,
        draft: DraftId,
        post: &PostId,
    ) -> Result<(), StudioError> {
        auth.require(Permission::Draft)?;
        let ws = auth.workspace();
        let draft_here: i64 = on_pool!(&self.inner.db, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM studio_drafts WHERE id = $1 AND workspace_id = $2",
            )
            .bind(draft)
            .bind(ws)
            .fetch_one(pool)
            .await?
        });
        if draft_here == 0 {
            return Err(StudioError::DraftNotFound);
        }
        // The posts table is publishing's: read only, to keep another
        // workspace's post out.
        let post_here: i64 = on_pool!(&self.inner.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE id = $1 AND workspace_id = $2")
                .bind(post)
                .bind(ws)
                .fetch_one(pool)
                .await?
        });
        if post_here == 0 {
            return Err(StudioError::PostNotFound);
        }
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO studio_draft_posts (post_id, draft_id, workspace_id, created_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (post_id) DO UPDATE SET draft_id = excluded.draft_id, \
                 created_at = excluded.created_at \
                 WHERE studio_draft_posts.draft_id <> excluded.draft_id",
            )
            .bind(post)
            .bind(draft)
            .bind(ws)
            .bind(now)
            .execute(conn)
            .await?;
        });
        tx.commit().await?;
        Ok(())
    }

    /// The draft each of `posts` was composed from, for the ones that were.
    pub async fn post_drafts(
        &self,
        auth: &Authorized,
        posts: &[PostId],
    ) -> Result<BTreeMap<PostId, DraftId>, StudioError> {
        auth.require(Permission::View)?;
        let wanted: BTreeSet<&PostId> = posts.iter().collect();
        let rows: Vec<(PostId, DraftId)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT post_id, draft_id FROM studio_draft_posts WHERE workspace_id = $1",
            )
            .bind(auth.workspace())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter(|(p, _)| wanted.contains(p))
            .collect())
    }

    /// The pillar of each of `posts` whose draft has one.
    pub async fn post_pillars(
        &self,
        auth: &Authorized,
        posts: &[PostId],
    ) -> Result<BTreeMap<PostId, Pillar>, StudioError> {
        auth.require(Permission::View)?;
        let wanted: BTreeSet<&PostId> = posts.iter().collect();
        let rows: Vec<(PostId, PillarId, String, String)> = on_pool!(&self.inner.db, |pool| {
            sqlx::query_as(
                "SELECT l.post_id, p.id, p.name, p.description FROM studio_draft_posts l \
                 JOIN studio_drafts d ON d.id = l.draft_id \
                 JOIN studio_pillars p ON p.id = d.pillar_id \
                 WHERE l.workspace_id = $1 AND d.workspace_id = $1",
            )
            .bind(auth.workspace())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter(|(post, ..)| wanted.contains(post))
            .map(|(post, id, name, description)| {
                (
                    post,
                    Pillar {
                        id,
                        name,
                        description,
                    },
                )
            })
            .collect())
    }
}
