-- Inbound Meta webhooks, the engagement inbox they feed, in-app
-- notifications, and Meta's deauthorize / data-deletion callbacks. Times
-- are UTC microseconds since the Unix epoch.

-- Set when Meta told Herald (deauthorize callback) that the person removed
-- Herald's access; cleared when the account is connected again.
ALTER TABLE connections ADD COLUMN revoked_at BIGINT;

-- One row per distinct delivery, stored before Meta gets its 200. The same
-- bytes twice are one row (`body_hash` = SHA-256 of the raw body). `body`
-- is the raw JSON exactly as received (it is what the signature covered);
-- `headers` a JSON array of [name, value] pairs as received (masked only
-- when shown). `fields` and `entry_ids` are JSON arrays of strings.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    body_hash    TEXT    NOT NULL UNIQUE,
    received_at  BIGINT  NOT NULL,
    object       TEXT    NOT NULL,
    fields       TEXT    NOT NULL,
    entry_ids    TEXT    NOT NULL,
    entries      BIGINT  NOT NULL,
    size         BIGINT  NOT NULL,
    headers      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('received', 'processed', 'retrying', 'dead')),
    attempts     BIGINT  NOT NULL DEFAULT 0,
    last_error   TEXT,
    processed_at BIGINT,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- Which connected accounts (and so which workspaces) a delivery's entries
-- went to. Written before the changes are applied, so a delivery whose
-- processing fails still shows in the history of the workspaces it
-- concerns.
CREATE TABLE webhook_routes (
    delivery_id   BIGINT  NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    connection_id TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    remote_id     TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (delivery_id, connection_id)
);
CREATE INDEX webhook_routes_workspace ON webhook_routes (workspace_id, delivery_id);
CREATE INDEX webhook_routes_connection ON webhook_routes (connection_id);

-- One row per processing attempt, written in the transaction that applies
-- the changes (or, for a failure, right after it rolled back). A job run
-- is recorded once: (job_id, job_attempt) is unique, and a job that already
-- has a successful row does nothing when it runs again after a crash.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT  NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number      BIGINT  NOT NULL,
    job_id      BIGINT  NOT NULL,
    job_attempt BIGINT  NOT NULL,
    replay      BOOLEAN NOT NULL,
    replay_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    started_at  BIGINT  NOT NULL,
    finished_at BIGINT  NOT NULL,
    succeeded   BOOLEAN NOT NULL,
    summary     TEXT    NOT NULL,
    error       TEXT,
    UNIQUE (job_id, job_attempt),
    UNIQUE (delivery_id, number)
);

-- The engagement inbox: comments, mentions and direct messages of
-- connected accounts, one row per account and remote object however often
-- Meta reports it. `last_delivery_id` keeps a replay of an older delivery
-- from overwriting what a newer one said.
CREATE TABLE inbox_items (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id      BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id     TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('comment', 'mention', 'message')),
    remote_id         TEXT    NOT NULL,
    parent_id         TEXT,
    media_id          TEXT,
    author_id         TEXT,
    author_name       TEXT,
    text              TEXT,
    remote_created_at BIGINT,
    state             TEXT    NOT NULL CHECK (state IN ('new', 'removed')),
    first_delivery_id BIGINT  REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    last_delivery_id  BIGINT  NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    UNIQUE (connection_id, kind, remote_id)
);
CREATE INDEX inbox_items_workspace ON inbox_items (workspace_id, created_at);

-- The latest story insights Meta reported for a story of an account.
CREATE TABLE story_insights (
    connection_id TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    media_id      TEXT    NOT NULL,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    impressions   BIGINT,
    reach         BIGINT,
    taps_forward  BIGINT,
    taps_back     BIGINT,
    exits         BIGINT,
    replies       BIGINT,
    delivery_id   BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (connection_id, media_id)
);

-- A person's choice per workspace and notification kind; a missing row
-- means the kind's default.
CREATE TABLE notification_prefs (
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (user_id, workspace_id, kind)
);

-- In-app notifications; only the newest 500 per person are kept.
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    link         TEXT,
    created_at   BIGINT  NOT NULL,
    read_at      BIGINT
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_by_workspace ON notifications (user_id, workspace_id, id);

-- Meta's data-deletion requests. The person is only stored as the SHA-256
-- of `{app}:{app-scoped user id}`: the public status page (keyed by the
-- random confirmation code) must not reveal who asked, and the deletion
-- job finds the connections by hashing their platform user ids.
CREATE TABLE data_deletion_requests (
    code                TEXT    PRIMARY KEY,
    app                 TEXT    NOT NULL CHECK (app IN ('facebook', 'instagram')),
    user_hash           TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('received', 'in_progress', 'completed')),
    requested_at        BIGINT  NOT NULL,
    completed_at        BIGINT,
    connections_removed BIGINT  NOT NULL DEFAULT 0,
    items_removed       BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX data_deletion_requests_user ON data_deletion_requests (user_hash, state);
