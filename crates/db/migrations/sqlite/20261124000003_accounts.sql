-- Accounts: users, workspaces and memberships, browser sessions, devices
-- with their refresh-token families, single-use e-mail tokens, invitations
-- and the audit log. Times are UTC microseconds since the Unix epoch.
-- Every secret token is stored only as its SHA-256 hash.
--
-- E-mail addresses are stored normalised (trimmed, lower-cased) by the
-- application and are unique. This migration creates the table, so there
-- are no earlier rows to normalise.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    email             TEXT    NOT NULL UNIQUE,
    password_hash     TEXT    NOT NULL,
    display_name      TEXT    NOT NULL DEFAULT '',
    locale            TEXT    NOT NULL DEFAULT 'en',
    email_verified_at BIGINT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    personal_of BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE memberships (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT   NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'contributor', 'viewer')),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invites (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'contributor', 'viewer')),
    token_hash   TEXT    NOT NULL UNIQUE,
    invited_by   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    accepted_at  BIGINT
);
CREATE INDEX invites_workspace ON invites (workspace_id, email);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    revoked_at   BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE devices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('web', 'mobile', 'assistant')),
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT  NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    revoked_at   BIGINT
);
CREATE INDEX devices_user ON devices (user_id);

-- One row per issued refresh token; a device's rows are one family.
CREATE TABLE refresh_tokens (
    token_hash TEXT    PRIMARY KEY,
    device_id  BIGINT  NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id);

CREATE TABLE access_tokens (
    token_hash TEXT    PRIMARY KEY,
    device_id  BIGINT  NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (device_id);

CREATE TABLE email_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- Append-only: who did what, when, from where, with which outcome. Never a
-- password, token or secret (the application writes only ids, e-mail
-- addresses and short reasons).
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           BIGINT  NOT NULL,
    workspace_id BIGINT,
    actor_id     BIGINT,
    action       TEXT    NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    subject      TEXT,
    ip           TEXT,
    user_agent   TEXT,
    detail       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_workspace ON audit_events (workspace_id, at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);
