-- The media library. Times are UTC microseconds since the Unix epoch.
--
-- Blobs are content-addressed (`storage_key` derives from `sha256`), so two
-- workspaces uploading the same file share one stored object; within a
-- workspace the same content is one row (UNIQUE below), and uploading it
-- again returns that row. Deleting is soft (`deleted_at`): a row stays so
-- posts that used it keep their history, and the blob is never removed
-- while another row may point at it.

CREATE TABLE media (
    id            TEXT    PRIMARY KEY,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sha256        TEXT    NOT NULL,
    storage_key   TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    mime          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('image', 'video')),
    size_bytes    BIGINT  NOT NULL,
    width         BIGINT,
    height        BIGINT,
    duration_ms   BIGINT,
    thumbnail_key TEXT,
    source        TEXT    NOT NULL,
    created_by    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT  NOT NULL,
    deleted_at    BIGINT,
    UNIQUE (workspace_id, sha256)
);
CREATE INDEX media_by_workspace ON media (workspace_id, kind, id);
