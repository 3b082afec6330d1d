-- The SQL source takes unique jobs too (docs/architecture.md, section 4, "Unique jobs"): a row may name the
-- unique key its job is to hold and, as an ISO-8601 duration such as PT1H, for how long (NULL: while the job is
-- active). A row whose key another job holds is REJECTED, the reason naming that job.
ALTER TABLE job_requests ADD COLUMN unique_key text;
ALTER TABLE job_requests ADD COLUMN unique_for text;
