-- People's data rights.
--
-- consents (owned by herald-accounts): which version of the privacy notice
-- and the terms a person accepted, and when; written with the account at
-- sign-up, kept as long as the account.
--
-- data_exports and account_deletions (owned by herald-privacy): archives of
-- a person's data, kept until they expire, and accounts waiting out their
-- grace period before they are deleted. Times are UTC microseconds.

CREATE TABLE consents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document    TEXT    NOT NULL CHECK (document IN ('privacy', 'terms')),
    version     TEXT    NOT NULL,
    accepted_at BIGINT  NOT NULL,
    ip          TEXT
);
CREATE INDEX consents_user ON consents (user_id, accepted_at);

CREATE TABLE data_exports (
    id           TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
    requested_at BIGINT  NOT NULL,
    finished_at  BIGINT,
    expires_at   BIGINT  NOT NULL,
    size_bytes   BIGINT,
    storage_key  TEXT
);
CREATE INDEX data_exports_user ON data_exports (user_id, requested_at);
CREATE INDEX data_exports_expires ON data_exports (expires_at);

-- The plan says, per shared workspace the person owns, whether it goes to
-- another member or is deleted (JSON).
CREATE TABLE account_deletions (
    user_id      BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    requested_at BIGINT  NOT NULL,
    due_at       BIGINT  NOT NULL,
    plan         TEXT    NOT NULL
);
CREATE INDEX account_deletions_due ON account_deletions (due_at);
