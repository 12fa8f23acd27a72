-- Meta sends webhooks only for the Pages and Instagram accounts an app
-- subscribed one by one (`subscribed_apps`): where each connection's
-- subscription stands, as JSON (`{"state":"subscribed","fields":[…],…}`;
-- empty: not asked yet), and when it was last asked.
ALTER TABLE connections ADD COLUMN webhooks TEXT NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN webhooks_checked_at BIGINT;
