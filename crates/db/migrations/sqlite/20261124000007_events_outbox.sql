-- Domain events (`platform.publish.request.*`, `platform.publish.result.*`),
-- written in the transaction of the change they describe and relayed in `id`
-- order to NATS JetStream or to in-process subscribers by herald-events.
-- Times are UTC microseconds since the Unix epoch. `payload` is the event's
-- JSON as written (ids and outcomes, never tokens). A relayed row is kept
-- for the retention period, then purged by the relay.
CREATE TABLE event_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT    NOT NULL UNIQUE,
    subject     TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    occurred_at BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    relayed_at  BIGINT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);

-- The relay reads the pending head in id order; the purge finds old relayed rows.
CREATE INDEX event_outbox_pending ON event_outbox (id) WHERE relayed_at IS NULL;
CREATE INDEX event_outbox_relayed ON event_outbox (relayed_at) WHERE relayed_at IS NOT NULL;

-- One row per relay: the process that may relay now (`owner`) until
-- `expires_at`. A single holder keeps events in order across processes; a
-- holder that dies loses it when the lease runs out.
CREATE TABLE event_relay_lease (
    name       TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);
