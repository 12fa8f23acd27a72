-- The content studio (herald-studio owns every table here). Times are UTC
-- microseconds since the epoch; JSON is kept as TEXT and read by the
-- studio's own types.

-- The shipped catalog's seed as last applied: its version and the SHA-256
-- of the file. A start with a different file re-applies it (a repeatable
-- migration); the same file changes nothing.
CREATE TABLE studio_seed (
    name       TEXT    PRIMARY KEY,
    version    BIGINT  NOT NULL,
    checksum   TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
);

-- Catalog entries by stable code and language. `retired`: the seed no
-- longer ships it (kept for what names it, no longer offered).
CREATE TABLE studio_niches (
    code    TEXT    NOT NULL,
    locale  TEXT    NOT NULL,
    name    TEXT    NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (code, locale)
);
CREATE TABLE studio_tones (
    slug        TEXT    NOT NULL,
    locale      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    dos         TEXT    NOT NULL,
    donts       TEXT    NOT NULL,
    retired     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (slug, locale)
);
CREATE TABLE studio_cadence_presets (
    slug        TEXT    NOT NULL,
    locale      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    cadence     TEXT    NOT NULL,
    retired     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (slug, locale)
);

-- Templates: the catalog's (no workspace; one per slug and language, kept
-- in step with the seed) and each workspace's copies (their own rows, never
-- touched by the seed). `platforms`, `slots` and `content` are JSON.
CREATE TABLE studio_templates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT  REFERENCES workspaces (id) ON DELETE CASCADE,
    slug         TEXT    NOT NULL,
    locale       TEXT    NOT NULL,
    niche        TEXT    NOT NULL,
    format       TEXT    NOT NULL CHECK (format IN ('script', 'caption', 'carousel', 'thread')),
    platforms    TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    slots        TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    copied_from  BIGINT  REFERENCES studio_templates (id) ON DELETE SET NULL,
    retired      BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX studio_templates_catalog ON studio_templates (slug, locale) WHERE workspace_id IS NULL;
CREATE INDEX studio_templates_workspace ON studio_templates (workspace_id, id);

-- The themes a workspace rotates through.
CREATE TABLE studio_pillars (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX studio_pillars_name ON studio_pillars (workspace_id, name);

-- A workspace's cadence plan (JSON), from a preset or its own.
CREATE TABLE studio_cadence_plans (
    workspace_id BIGINT  PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    preset       TEXT,
    cadence      TEXT    NOT NULL,
    updated_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_at   BIGINT  NOT NULL
);

-- Generation quotas a workspace's owners and admins set: for the whole
-- workspace or for each member, per day or per month; NULL is no limit.
CREATE TABLE studio_quotas (
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    scope        TEXT    NOT NULL CHECK (scope IN ('workspace', 'member')),
    period       TEXT    NOT NULL CHECK (period IN ('day', 'month')),
    generations  BIGINT,
    tokens       BIGINT,
    updated_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (workspace_id, scope, period)
);

-- What has been spent against the quotas, per period (`d2026-12-07`,
-- `m2026-12`) for the workspace (user_id 0) and each member: reserved when
-- a generation is accepted (an estimate of its tokens), settled to what it
-- used when it ends. Checked and counted in one conditional update, so
-- concurrent requests cannot overspend.
CREATE TABLE studio_usage (
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT  NOT NULL,
    period       TEXT    NOT NULL,
    generations  BIGINT  NOT NULL DEFAULT 0,
    tokens       BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, user_id, period)
);

-- A request to write a draft and how it went. `partial` is the text
-- streamed so far; `output` the finished content (JSON); `redactions` how
-- many values were replaced before the prompt left (never the values).
-- `reserved_tokens` is held against the quotas until the generation is
-- `settled` (once, by whoever ends it) to what it used.
CREATE TABLE studio_generations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    requested_by    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    via             TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    format          TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    template_id     BIGINT  REFERENCES studio_templates (id) ON DELETE SET NULL,
    tone            TEXT,
    pillar_id       BIGINT  REFERENCES studio_pillars (id) ON DELETE SET NULL,
    platform        TEXT,
    brief           TEXT    NOT NULL,
    engine          TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    prompt_version  INTEGER NOT NULL,
    partial         TEXT    NOT NULL DEFAULT '',
    output          TEXT,
    input_tokens    BIGINT  NOT NULL DEFAULT 0,
    output_tokens   BIGINT  NOT NULL DEFAULT 0,
    cost_nanos      BIGINT  NOT NULL DEFAULT 0,
    reserved_tokens BIGINT  NOT NULL DEFAULT 0,
    settled         BOOLEAN NOT NULL DEFAULT FALSE,
    redactions      INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    error_detail    TEXT,
    draft_id        BIGINT,
    created_at      BIGINT  NOT NULL,
    started_at      BIGINT,
    finished_at     BIGINT
);
CREATE INDEX studio_generations_workspace ON studio_generations (workspace_id, id);

-- Every call an engine made: the cost ledger (prices from configuration,
-- in billionths of the currency unit).
CREATE TABLE studio_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    generation_id BIGINT  REFERENCES studio_generations (id) ON DELETE SET NULL,
    engine        TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    input_tokens  BIGINT  NOT NULL,
    output_tokens BIGINT  NOT NULL,
    cost_nanos    BIGINT  NOT NULL,
    at            BIGINT  NOT NULL
);
CREATE INDEX studio_ledger_workspace ON studio_ledger (workspace_id, at);

-- Drafts: the current text and title (JSON content), and every saved
-- version with who saved it and when.
CREATE TABLE studio_drafts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    format        TEXT    NOT NULL CHECK (format IN ('script', 'caption', 'carousel', 'thread')),
    content       TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    template_id   BIGINT  REFERENCES studio_templates (id) ON DELETE SET NULL,
    generation_id BIGINT  REFERENCES studio_generations (id) ON DELETE SET NULL,
    tone          TEXT,
    pillar_id     BIGINT  REFERENCES studio_pillars (id) ON DELETE SET NULL,
    platform      TEXT,
    created_by    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL,
    updated_by    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX studio_drafts_workspace ON studio_drafts (workspace_id, updated_at);
CREATE TABLE studio_draft_versions (
    draft_id      BIGINT  NOT NULL REFERENCES studio_drafts (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    author_id     BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    restored_from INTEGER,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (draft_id, version)
);

-- A member's bookmarks of drafts, templates and generations.
CREATE TABLE studio_bookmarks (
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('draft', 'template', 'generation')),
    target_id    BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (user_id, workspace_id, kind, target_id)
);
