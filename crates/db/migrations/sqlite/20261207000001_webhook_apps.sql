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
