-- Outbound webhooks (Standard Webhooks): endpoints a workspace registers,
-- the messages Herald sends them, one delivery per message and endpoint,
-- and every attempt of a delivery. Times are UTC microseconds since the
-- Unix epoch.
--
-- Endpoint secrets are never stored in plaintext: `secret` (and, for 24
-- hours after a rotation, `previous_secret`) hold the `whsec_` secret
-- sealed with AES-256-GCM by the credential vault (format
-- `v1.{key id}.{base64}`, bound to the endpoint id); `key_id` and
-- `previous_key_id` repeat the key so a key rotation can find its rows.

CREATE TABLE outbound_endpoints (
    id                  TEXT    PRIMARY KEY,
    workspace_id        BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url                 TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    -- A JSON array of event types; empty means every type.
    event_types         TEXT    NOT NULL DEFAULT '[]',
    enabled             BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason     TEXT,
    failing_since       BIGINT,
    key_id              BIGINT  NOT NULL,
    secret              TEXT    NOT NULL,
    previous_key_id     BIGINT,
    previous_secret     TEXT,
    previous_expires_at BIGINT,
    created_by          BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX outbound_endpoints_workspace ON outbound_endpoints (workspace_id, created_at);
CREATE INDEX outbound_endpoints_by_key_id ON outbound_endpoints (key_id);

-- One row per message: `payload` is the exact body sent (and signed) on
-- every attempt. A message made from a Herald event keeps the event's id,
-- so a re-sent event does not make a second message.
CREATE TABLE outbound_messages (
    id              TEXT    PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    source_event_id TEXT    UNIQUE,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX outbound_messages_workspace ON outbound_messages (workspace_id, created_at);

-- A message's delivery to one endpoint. `generation` grows with every
-- replay, so a job queued for an earlier run does nothing.
CREATE TABLE outbound_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT    NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
    endpoint_id     TEXT    NOT NULL REFERENCES outbound_endpoints (id) ON DELETE CASCADE,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'retrying', 'dead')),
    generation      BIGINT  NOT NULL DEFAULT 0,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    next_attempt_at BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (message_id, endpoint_id)
);
CREATE INDEX outbound_deliveries_endpoint ON outbound_deliveries (endpoint_id, created_at);

-- Every HTTP attempt of a delivery (numbered from 1 across replays).
CREATE TABLE outbound_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      BIGINT  NOT NULL REFERENCES outbound_deliveries (id) ON DELETE CASCADE,
    number           BIGINT  NOT NULL,
    attempted_at     BIGINT  NOT NULL,
    status           INTEGER,
    duration_ms      BIGINT  NOT NULL,
    error            TEXT,
    response_excerpt TEXT,
    replayed_by      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (delivery_id, number)
);
