-- jobs_next (queue, run_at) competed with jobs_due for the claim query: on a
-- table without fresh statistics the planner took jobs_next and sorted the
-- whole backlog on every claim. The next due time is now found through
-- jobs_due, one index probe per distinct priority.
DROP INDEX IF EXISTS jobs_next;
