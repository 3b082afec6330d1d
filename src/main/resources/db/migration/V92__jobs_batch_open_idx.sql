-- The batch completion's question, "has this open batch a job that is not final, or has follow-ups still to
-- create?" (BatchStore.lockCompletable), answered from an index of only such jobs. Through jobs_batch_idx it read
-- every job of every open batch up to the first unfinished one, and jobs finish roughly in the order they were
-- submitted: with 120 batches of 500 open at once (W1-batch), each look read tens of thousands of finished jobs,
-- 84 ms a look and a third of PostgreSQL's CPU (docs/benchmarks.md, "Open batches looked up by their open jobs").
-- The predicate is BatchStore.OPEN_JOB's, word for word, so the planner can prove the query's condition implies it.
CREATE INDEX jobs_batch_open_idx ON jobs (batch_id)
    WHERE batch_id IS NOT NULL
      AND (status NOT IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED')
           OR follow_ups IS NOT NULL);
