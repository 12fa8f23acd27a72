-- Approvals and comments on posts (owned by herald-publishing). Times are
-- UTC microseconds since the Unix epoch.
--
-- approval_policies: who needs approval before a post goes out. No row is
-- mode 'none'. `reapprove_on_edit`: an edit by anyone who may not approve
-- the post sends an approved post back to review.
CREATE TABLE approval_policies (
    workspace_id      BIGINT  PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    mode              TEXT    NOT NULL CHECK (mode IN ('none', 'contributors', 'everyone')),
    reapprove_on_edit BOOLEAN NOT NULL DEFAULT TRUE,
    updated_by        BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_at        BIGINT  NOT NULL
);

-- Connected accounts whose posts need approval from everyone, whatever the mode.
CREATE TABLE approval_accounts (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT   NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, connection_id)
);

-- Members who may approve besides owners, admins and editors.
CREATE TABLE approval_approvers (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, user_id)
);

-- A post's review: 'none' (never asked, or withdrawn), 'in_review',
-- 'changes_requested', 'approved'. held_at: when its time came while it
-- still waited (it did not go out).
ALTER TABLE posts ADD COLUMN review TEXT NOT NULL DEFAULT 'none';
ALTER TABLE posts ADD COLUMN held_at BIGINT;
CREATE INDEX posts_by_review ON posts (workspace_id, review);

-- What happened in a post's review, oldest first: submitted, approved,
-- changes_requested, reopened (an edit took the approval back), held,
-- withdrawn. A decision through a client review link names the reviewer
-- (no account) and the link.
CREATE TABLE post_reviews (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id       TEXT    NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    action        TEXT    NOT NULL,
    actor_id      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    reviewer_name TEXT,
    link_id       TEXT,
    comment       TEXT    NOT NULL DEFAULT '',
    at            BIGINT  NOT NULL
);
CREATE INDEX post_reviews_by_post ON post_reviews (post_id, id);

-- Comments on a post, threaded: a reply names its parent (one level deep:
-- a reply to a reply joins the same thread). target_id: a comment on one
-- account's variant. Mentions are resolved when the comment is written.
CREATE TABLE post_comments (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id      TEXT    NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    parent_id    BIGINT  REFERENCES post_comments (id) ON DELETE CASCADE,
    target_id    TEXT    REFERENCES post_targets (id) ON DELETE SET NULL,
    author_id    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    author_name  TEXT,
    body         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX post_comments_by_post ON post_comments (post_id, id);

-- Client review links: an outside reviewer (no account) sees some posts'
-- previews and approves or asks for changes. Only the token's SHA-256 is
-- stored; password_hash is Argon2id when the link has a password.
CREATE TABLE review_links (
    id             TEXT   PRIMARY KEY,
    workspace_id   BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash     TEXT   NOT NULL UNIQUE,
    created_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    label          TEXT   NOT NULL DEFAULT '',
    password_hash  TEXT,
    expires_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    last_viewed_at BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX review_links_by_workspace ON review_links (workspace_id, created_at);

CREATE TABLE review_link_posts (
    link_id TEXT NOT NULL REFERENCES review_links (id) ON DELETE CASCADE,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (link_id, post_id)
);
CREATE INDEX review_link_posts_by_post ON review_link_posts (post_id);
