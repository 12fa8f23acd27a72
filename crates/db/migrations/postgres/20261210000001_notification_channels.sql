-- Notifications through channels (owned by herald-notify; `users.time_zone`
-- by herald-accounts). Times are UTC microseconds since the Unix epoch.
--
-- notification_choices: a member's choice per workspace, kind and channel
-- ('in_app', 'email'); a missing row means the kind's default. The in-app
-- choices made before channels existed carry over.
CREATE TABLE notification_choices (
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    channel      TEXT    NOT NULL CHECK (channel IN ('in_app', 'email')),
    enabled      BOOLEAN NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (user_id, workspace_id, kind, channel)
);
INSERT INTO notification_choices (user_id, workspace_id, kind, channel, enabled, updated_at)
    SELECT user_id, workspace_id, kind, 'in_app', enabled, updated_at FROM notification_prefs;
DROP TABLE notification_prefs;

-- What was already told: a notice with a key (a failed target, a
-- connection's reconnection, an approaching expiry) is raised once per
-- workspace until its key's `until` (a day, or longer for warnings that
-- must not repeat daily).
CREATE TABLE notification_keys (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key          TEXT   NOT NULL,
    until        BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX notification_keys_by_until ON notification_keys (until);

-- Notices waiting to be mailed. A sweep gathers each member's waiting
-- notices of one kind into one mail (a summary when there are several) and
-- deletes them in the transaction that queues the mail.
CREATE TABLE notification_mail (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    code         TEXT    NOT NULL,
    params       TEXT    NOT NULL,
    link         TEXT,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX notification_mail_by_age ON notification_mail (created_at);
CREATE INDEX notification_mail_by_member ON notification_mail (user_id, workspace_id, kind, id);

-- When each member was last mailed about each kind: the next mail of that
-- kind waits until the gap has passed (a storm becomes one summary).
CREATE TABLE notification_mail_sent (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT   NOT NULL,
    sent_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, workspace_id, kind)
);

-- Weekly digests made, by the member's local week (its Monday, YYYY-MM-DD),
-- so each week's digest is made once however often the sweep runs.
CREATE TABLE digests (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    week         TEXT   NOT NULL,
    made_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, workspace_id, week)
);

-- When a member's weekly digest comes, in their time zone: a weekday
-- (1 Monday … 7 Sunday) and a minute of the day. No row is Monday 08:00.
CREATE TABLE digest_schedules (
    user_id    BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    minute     INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    updated_at BIGINT  NOT NULL
);

-- A member's IANA time zone (digests, times in mail); NULL until they
-- choose (UTC is used).
ALTER TABLE users ADD COLUMN time_zone TEXT;
