-- job_events' primary key leads with created_at instead of the random event id: the same uniqueness (the same two
-- columns), but a new event's key goes to the end of the index instead of to a random page of it, so writing a
-- set's events touches a few pages where it touched one per event (docs/benchmarks.md, "Time-ordered job ids").
-- Nothing looks an event up by its id alone; a job's history is read through job_events_job_idx.
--
-- On a partitioned table the new key is built on every partition, inside this migration's transaction: on a large
-- history that takes a while (it reads every partition once) and holds writes to job_events meanwhile.
ALTER TABLE job_events DROP CONSTRAINT job_events_pkey;
ALTER TABLE job_events ADD CONSTRAINT job_events_pkey PRIMARY KEY (created_at, event_id);
