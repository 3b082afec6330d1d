-- The lanes and job types an operator paused (docs/operations.md, "Pause, resume, drain"): while a row is here the
-- dispatcher holds their due jobs back and the claim statement refuses them, so nothing new of them starts on any
-- instance, whatever the queue backend; running jobs finish. A table, not a setting: a pause outlives a restart
-- and every instance sees the same one.
CREATE TABLE queue_pauses (
    kind      text        NOT NULL CHECK (kind IN ('lane', 'type')),
    name      text        NOT NULL,
    paused_by text        NOT NULL,
    paused_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);
