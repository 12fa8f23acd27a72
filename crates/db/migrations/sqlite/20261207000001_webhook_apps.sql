-- Which Meta app a delivery or a callback came to (`/webhooks/meta` is the
-- Facebook app's, `/webhooks/instagram` the Instagram app's: each is
-- verified with that app's secrets only), and whether that app was the
-- built-in sandbox's simulated one. Deliveries are routed only to
-- connections made through the same app, sandbox to sandbox: a payload
-- signed with a sandbox secret must never touch a real account.
ALTER TABLE webhook_deliveries ADD COLUMN app TEXT NOT NULL DEFAULT 'facebook' CHECK (app IN ('facebook', 'instagram'));
ALTER TABLE webhook_deliveries ADD COLUMN sandbox BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE data_deletion_requests ADD COLUMN sandbox BOOLEAN NOT NULL DEFAULT FALSE;

-- Set when the account was connected through the built-in sandbox.
-- Connections made before this column existed count as real ones (the
-- safe side: sandbox deliveries do not reach them; reconnecting fixes it).
ALTER TABLE connections ADD COLUMN sandbox BOOLEAN NOT NULL DEFAULT FALSE;

-- What one workspace may see of a delivery: Meta batches entries about
-- accounts of several workspaces into one delivery, and each workspace's
-- history lists, filters and searches only its own slice (the object and
-- the entries about its accounts, as received). Written when the delivery
-- is routed; shown only while a route to the workspace exists.
CREATE TABLE webhook_views (
    delivery_id  BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    entry_ids    TEXT   NOT NULL,
    entries      BIGINT NOT NULL,
    fields       TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    body         TEXT   NOT NULL,
    PRIMARY KEY (delivery_id, workspace_id)
);
CREATE INDEX webhook_views_workspace ON webhook_views (workspace_id, delivery_id);

-- A successful attempt's summary per workspace (JSON object: workspace id
-- → "2 comments, 1 mention"), so a workspace reads only its own counts.
ALTER TABLE webhook_attempts ADD COLUMN summaries TEXT;

-- The retention job deletes audit events older than a year.
CREATE INDEX audit_events_at ON audit_events (at);
