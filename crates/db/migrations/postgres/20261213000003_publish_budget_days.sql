-- Daily budgets a platform counts per app rather than per account
-- (YouTube's videos.insert calls per Google Cloud project): how much of
-- each is used on each of the platform's days, shared by every workspace
-- and every process of the instance, and which targets hold a unit of the
-- day (one each: a retry of the same target the same day spends nothing
-- more). herald-publishing owns both.
CREATE TABLE publish_budget_days (
    bucket TEXT   NOT NULL,
    day    TEXT   NOT NULL,
    used   BIGINT NOT NULL,
    PRIMARY KEY (bucket, day)
);
CREATE TABLE publish_budget_claims (
    bucket    TEXT NOT NULL,
    day       TEXT NOT NULL,
    target_id TEXT NOT NULL REFERENCES post_targets (id) ON DELETE CASCADE,
    PRIMARY KEY (bucket, day, target_id)
);
