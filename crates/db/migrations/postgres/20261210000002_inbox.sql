-- The engagement inbox's own state around the items webhooks and polling
-- store (inbox_items): who it is assigned to, whether it is done, whether
-- Herald hid it, each member's reading, the team's notes, and every action
-- Herald took on the platform. Times are UTC microseconds since the epoch.

-- Assigned to a member (cleared when that person is deleted); done by whom
-- and when (NULL: open); hidden on the platform by an action from Herald.
ALTER TABLE inbox_items ADD COLUMN assigned_to BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE inbox_items ADD COLUMN assigned_at BIGINT;
ALTER TABLE inbox_items ADD COLUMN done_at BIGINT;
ALTER TABLE inbox_items ADD COLUMN done_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE inbox_items ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;
-- The list pages newest first by id, within one workspace.
CREATE INDEX inbox_items_list ON inbox_items (workspace_id, id);
-- A thread: the replies to a comment on the same account.
CREATE INDEX inbox_items_parent ON inbox_items (connection_id, parent_id);
-- The post a comment belongs to, by the published target's remote id.
CREATE INDEX post_targets_remote ON post_targets (connection_id, remote_id);

-- Each member's reading: a row once they read the item.
CREATE TABLE inbox_reads (
    item_id BIGINT NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX inbox_reads_user ON inbox_reads (user_id, item_id);

-- The team's notes on an item (never sent to the platform).
CREATE TABLE inbox_notes (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id      BIGINT  NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    author_id    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    text         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX inbox_notes_item ON inbox_notes (item_id, id);

-- What Herald did on the platform about an item, performed by the
-- inbox.act.v1 job: queued until the platform answered, then sent (with the
-- platform's id of what was created) or failed (`failure`: a platform rule's
-- refusal code such as `outside_window`, or why the call failed; `detail`:
-- the platform's own words). `sending_since` is set while the call is in
-- flight: a run that finds it set did not hear how the call ended, and is
-- never repeated.
CREATE TABLE inbox_actions (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id       BIGINT  NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('reply', 'private_reply', 'message', 'hide', 'unhide', 'delete')),
    text          TEXT,
    state         TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    remote_id     TEXT,
    failure       TEXT,
    detail        TEXT,
    attempts      BIGINT  NOT NULL DEFAULT 0,
    sending_since BIGINT,
    created_by    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX inbox_actions_item ON inbox_actions (item_id, id);
