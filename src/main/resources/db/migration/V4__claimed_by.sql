-- Which Conveyor instance claimed the job last: how work is shared between instances, and where to look
-- in the logs when a job misbehaves.
ALTER TABLE jobs ADD COLUMN claimed_by text;
