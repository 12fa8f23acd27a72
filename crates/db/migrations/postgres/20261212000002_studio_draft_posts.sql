-- Which draft a post was composed from (herald-studio owns it): a post's
-- pillar is its draft's, for analytics' pillar filter and the
-- "pillar neglected" recommendation.
CREATE TABLE studio_draft_posts (
    post_id      TEXT    PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    draft_id     BIGINT  NOT NULL REFERENCES studio_drafts (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX studio_draft_posts_draft ON studio_draft_posts (draft_id);
