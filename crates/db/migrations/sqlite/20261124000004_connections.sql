-- Connected platform accounts and OAuth attempts in flight. Times are UTC
-- microseconds since the Unix epoch.
--
-- Tokens are never stored in plaintext: `secrets` holds the access and
-- refresh token sealed with AES-256-GCM (format `v1.{key id}.{base64}`,
-- bound to the connection id); `key_id` repeats the key so a rotation can
-- find what still uses an old key.

CREATE TABLE connections (
    id                 TEXT    PRIMARY KEY,
    workspace_id       BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    provider           TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    remote_id          TEXT    NOT NULL,
    platform_user_id   TEXT    NOT NULL DEFAULT '',
    name               TEXT    NOT NULL,
    handle             TEXT,
    avatar_url         TEXT,
    parent             TEXT,
    scopes             TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL CHECK (status IN ('active', 'refresh_failing', 'needs_reconnection')),
    status_detail      TEXT    NOT NULL DEFAULT '',
    key_id             BIGINT  NOT NULL,
    secrets            TEXT    NOT NULL,
    access_expires_at  BIGINT,
    refresh_expires_at BIGINT,
    issued_at          BIGINT  NOT NULL,
    refreshed_at       BIGINT,
    refresh_lock_until BIGINT,
    connected_by       BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    UNIQUE (workspace_id, kind, remote_id)
);
CREATE INDEX connections_by_key_id ON connections (key_id);
CREATE INDEX connections_platform_user ON connections (provider, platform_user_id);

-- One row per started connect flow. The state parameter's nonce is only
-- stored as its SHA-256 hash (the id); the PKCE verifier, and after the code
-- exchange the grant awaiting the person's choice of accounts, are sealed
-- like connection secrets (bound to the id).
CREATE TABLE oauth_attempts (
    id              TEXT    PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    provider        TEXT    NOT NULL,
    session_binding TEXT    NOT NULL,
    stage           TEXT    NOT NULL CHECK (stage IN ('started', 'choosing', 'done')),
    key_id          BIGINT  NOT NULL,
    sealed          TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX oauth_attempts_expiry ON oauth_attempts (expires_at);
