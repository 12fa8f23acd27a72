-- Words only at the edge: domain crates store what happened as a code with
-- parameters (JSON), and the web layer renders it in the reader's language.
--
-- post_targets.error_detail and delivery_receipts.error_detail (owned by
-- herald-publishing): why a target failed, `{"code", "params", "issues"}`.
-- error_message keeps only what the platform itself said. Rows written
-- before this migration have no detail; their error_message is an English
-- sentence and is shown as it is.
--
-- notifications.code and notifications.params (owned by herald-webhooks):
-- the notice as a code and its values. Older notices have no code and keep
-- their English text, shown as it is; new ones leave text empty.

ALTER TABLE post_targets ADD COLUMN error_detail TEXT;
ALTER TABLE delivery_receipts ADD COLUMN error_detail TEXT;
ALTER TABLE notifications ADD COLUMN code TEXT;
ALTER TABLE notifications ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
