-- Analytics (herald-analytics owns every table here). Times are UTC
-- microseconds since the epoch; days are the platform's reporting day as a
-- day number (days since 1970-01-01); raw platform metrics are JSON TEXT
-- (`{"views": 12, "reach": 9}`) kept beside Herald's normalised columns.

-- Each account analytics reads: its time zone (the nightly run happens at
-- 03:00 there), how far its facts reach and when it runs next.
CREATE TABLE analytics_accounts (
    connection_id  TEXT    PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    workspace_id   BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL,
    time_zone      TEXT    NOT NULL,
    first_day      INTEGER,
    last_day       INTEGER,
    next_run_at    BIGINT  NOT NULL,
    enrolled_at    BIGINT  NOT NULL
);
CREATE INDEX analytics_accounts_workspace ON analytics_accounts (workspace_id);
CREATE INDEX analytics_accounts_due ON analytics_accounts (next_run_at);

-- An account's figures per day, normalised and raw.
CREATE TABLE analytics_account_days (
    connection_id   TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day             INTEGER NOT NULL,
    followers       BIGINT,
    follows         BIGINT,
    unfollows       BIGINT,
    views           BIGINT,
    reach           BIGINT,
    engagements     BIGINT,
    likes           BIGINT,
    comments        BIGINT,
    shares          BIGINT,
    saves           BIGINT,
    profile_actions BIGINT,
    watch_time_secs BIGINT,
    raw             TEXT    NOT NULL,
    fetched_at      BIGINT  NOT NULL,
    PRIMARY KEY (connection_id, day)
);
CREATE INDEX analytics_account_days_workspace ON analytics_account_days (workspace_id, day);

-- Each post's lifetime figures as last read (one row per post), with the
-- Herald post it was published from, when it was.
CREATE TABLE analytics_posts (
    connection_id   TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    remote_id       TEXT    NOT NULL,
    post_id         TEXT,
    published_at    BIGINT,
    format          TEXT,
    permalink       TEXT,
    title           TEXT,
    views           BIGINT,
    reach           BIGINT,
    engagements     BIGINT,
    likes           BIGINT,
    comments        BIGINT,
    shares          BIGINT,
    saves           BIGINT,
    profile_actions BIGINT,
    follows         BIGINT,
    watch_time_secs BIGINT,
    raw             TEXT    NOT NULL,
    fetched_at      BIGINT  NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
);
CREATE INDEX analytics_posts_workspace ON analytics_posts (workspace_id, published_at);

-- A post's lifetime figures as they stood on each day they were read: the
-- day-by-day growth of a post.
CREATE TABLE analytics_post_days (
    connection_id   TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    remote_id       TEXT    NOT NULL,
    day             INTEGER NOT NULL,
    views           BIGINT,
    reach           BIGINT,
    engagements     BIGINT,
    watch_time_secs BIGINT,
    raw             TEXT    NOT NULL,
    PRIMARY KEY (connection_id, remote_id, day)
);

-- Each ingestion run of an account: why, how far it got (stage and
-- cursor, so a retry resumes there), what it wrote and what failed.
CREATE TABLE analytics_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    reason        TEXT    NOT NULL CHECK (reason IN ('backfill', 'nightly', 'manual')),
    status        TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    first_day     INTEGER NOT NULL,
    last_day      INTEGER NOT NULL,
    stage         TEXT    NOT NULL,
    cursor        TEXT,
    account_rows  INTEGER NOT NULL DEFAULT 0,
    post_rows     INTEGER NOT NULL DEFAULT 0,
    calls         INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    BIGINT  NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT
);
CREATE INDEX analytics_runs_workspace ON analytics_runs (workspace_id, id);
CREATE INDEX analytics_runs_connection ON analytics_runs (connection_id, id);

-- Unusual days: a metric far from its robust baseline (median and MAD of
-- the 28 days before), with the evidence.
CREATE TABLE analytics_anomalies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    metric        TEXT    NOT NULL,
    day           INTEGER NOT NULL,
    direction     TEXT    NOT NULL CHECK (direction IN ('spike', 'drop')),
    value         BIGINT  NOT NULL,
    median        DOUBLE PRECISION NOT NULL,
    mad           DOUBLE PRECISION NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    created_at    BIGINT  NOT NULL,
    UNIQUE (connection_id, metric, day)
);
CREATE INDEX analytics_anomalies_workspace ON analytics_anomalies (workspace_id, day);

-- Recommendations a workspace dismissed or did, with the fingerprint of
-- the signal they answered: they come back only when it changes.
CREATE TABLE analytics_recommendation_states (
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('dismissed', 'done')),
    fingerprint  TEXT    NOT NULL,
    user_id      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    at           BIGINT  NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

-- The guides of the learning hub, shipped in seed/guides.toml and applied
-- as a repeatable migration (version and SHA-256 of the file).
CREATE TABLE analytics_seed (
    name       TEXT    PRIMARY KEY,
    version    BIGINT  NOT NULL,
    checksum   TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
);
CREATE TABLE analytics_guides (
    slug     TEXT    NOT NULL,
    locale   TEXT    NOT NULL,
    topic    TEXT    NOT NULL,
    title    TEXT    NOT NULL,
    summary  TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    signals  TEXT    NOT NULL,
    minutes  INTEGER NOT NULL,
    retired  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (slug, locale)
);
