-- Scoped access tokens (owned by herald-accounts): personal access tokens,
-- app tokens and assistant tokens. Each belongs to one workspace and to the
-- member who made it, acts only there, and never does more than that
-- member's role allows now. The secret is shown once and stored only as
-- its SHA-256 hash. Scopes are their names separated by single spaces.
-- last_used_at is written at most about once a minute per token.
-- A revoked or expired row no longer authenticates; the retention purge
-- deletes it.

CREATE TABLE api_tokens (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_by   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('personal', 'app', 'assistant')),
    scopes       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id, created_by);
-- A member's live tokens in a workspace have different names.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (workspace_id, created_by, name)
    WHERE revoked_at IS NULL;

-- The scoped token an audited action came through (`assistant:12:Claude`:
-- kind, id, name), so the log says "via assistant Claude on behalf of"
-- the actor. NULL for sessions, device tokens and the system.
ALTER TABLE audit_events ADD COLUMN via TEXT;
