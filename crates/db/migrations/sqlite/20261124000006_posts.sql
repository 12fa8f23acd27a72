-- Posts, their targets (one connected account each, with its own variant)
-- and a delivery receipt per publishing attempt. Times are UTC
-- microseconds since the Unix epoch.
--
-- A scheduled post keeps the wall-clock time and IANA zone it was given
-- (`local_time`, `time_zone`); `scheduled_at` is that time resolved to an
-- instant, so 09:00 Europe/Berlin is 09:00 in Berlin on either side of a
-- daylight saving change.

CREATE TABLE posts (
    id           TEXT    PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'publishing', 'published', 'partially_published', 'failed', 'cancelled')),
    local_time   TEXT,
    time_zone    TEXT,
    scheduled_at BIGINT,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX posts_by_workspace_time ON posts (workspace_id, scheduled_at);

-- `variant` is JSON: format, caption, title, link, first comment, privacy,
-- media ids in order, cover offset. `job_id` names the one job allowed to
-- work on the target (a fencing token: progress is only saved by it).
-- `progress` is the publisher's saved state (container ids, upload
-- session, intent markers), kept across retries so a retry reconciles
-- instead of posting again.
CREATE TABLE post_targets (
    id                TEXT    PRIMARY KEY,
    post_id           TEXT    NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id      BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id     TEXT    REFERENCES connections (id) ON DELETE SET NULL,
    provider          TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    account_name      TEXT    NOT NULL,
    remote_account_id TEXT    NOT NULL,
    position          INTEGER NOT NULL,
    variant           TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'publishing', 'published', 'failed', 'cancelled')),
    idempotency_key   TEXT    NOT NULL UNIQUE,
    due_at            BIGINT,
    job_id            BIGINT,
    progress          TEXT    NOT NULL DEFAULT '{}',
    attempts          INTEGER NOT NULL DEFAULT 0,
    remote_id         TEXT,
    permalink         TEXT,
    error_kind        TEXT,
    error_message     TEXT,
    started_at        BIGINT,
    published_at      BIGINT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX post_targets_by_post ON post_targets (post_id, position);
CREATE INDEX post_targets_by_status ON post_targets (workspace_id, status);

CREATE TABLE delivery_receipts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    target_id     TEXT    NOT NULL REFERENCES post_targets (id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,
    job_id        BIGINT,
    outcome       TEXT    NOT NULL CHECK (outcome IN ('published', 'waiting', 'retrying', 'failed', 'cancelled')),
    remote_id     TEXT,
    permalink     TEXT,
    progress      TEXT    NOT NULL,
    error_kind    TEXT,
    error_code    TEXT,
    error_message TEXT,
    started_at    BIGINT  NOT NULL,
    finished_at   BIGINT  NOT NULL
);
CREATE INDEX delivery_receipts_by_target ON delivery_receipts (target_id, id);
