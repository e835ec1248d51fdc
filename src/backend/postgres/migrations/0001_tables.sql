-- OJS PostgreSQL backend: tables and indexes.
-- Every object is created unqualified: the server runs migrations with `search_path` set to its schema
-- (OJS_PG_SCHEMA, default "ojs").

-- FIFO insertion order: a job takes a new value every time it (re-)enters `available`.
CREATE SEQUENCE job_seq;

CREATE TABLE jobs (
    id                    text PRIMARY KEY,
    -- The whole job as of its last full write, as text (`json`, not `jsonb`): args echo byte-exactly.
    -- The immutable part is read from here; the mutable status below overrides the copy in `doc`.
    doc                   json NOT NULL,
    job_type              text NOT NULL,
    queue                 text NOT NULL,
    priority              integer NOT NULL DEFAULT 0,
    seq                   bigint NOT NULL,
    timeout_ms            bigint,
    visibility_timeout_ms bigint,
    expires_at            timestamptz,
    workflow_id           text,
    unique_key            text,
    -- Set only when the unique claim uses the default states and no period: the partial unique index
    -- below then enforces it by itself. Other claims are checked under an advisory transaction lock.
    unique_slot           text,
    created_at            timestamptz NOT NULL,

    -- mutable status
    state                 text NOT NULL CHECK (state IN ('scheduled', 'available', 'pending', 'active',
                                                         'completed', 'retryable', 'cancelled', 'discarded')),
    attempt               integer NOT NULL DEFAULT 0,
    enqueued_at           timestamptz,
    started_at            timestamptz,
    completed_at          timestamptz,
    cancelled_at          timestamptz,
    discarded_at          timestamptz,
    run_at                timestamptz,
    worker_id             text,
    visible_until         timestamptz,
    exec_deadline         timestamptz,
    -- LEAST ignores NULLs: the earliest of the two deadlines, or whichever exists.
    lease_deadline        timestamptz GENERATED ALWAYS AS (LEAST(visible_until, exec_deadline)) STORED,
    result                json,
    error                 json,
    errors                json,
    retry_delay_ms        bigint,
    dead_letter           boolean NOT NULL DEFAULT false
);

ALTER SEQUENCE job_seq OWNED BY jobs.seq;

-- Dequeue order within a queue.
CREATE INDEX jobs_ready_idx ON jobs (queue, priority DESC, seq) WHERE state = 'available';
-- Due scheduled / retryable jobs.
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state IN ('scheduled', 'retryable');
-- Expired leases (visibility or execution deadline).
CREATE INDEX jobs_lease_idx ON jobs (lease_deadline) WHERE state = 'active';
-- Available jobs that carry a TTL.
CREATE INDEX jobs_expiring_idx ON jobs (queue, expires_at) WHERE state = 'available' AND expires_at IS NOT NULL;
CREATE INDEX jobs_dead_letter_idx ON jobs (queue, discarded_at) WHERE dead_letter;
-- Strong uniqueness over the default non-terminal states.
CREATE UNIQUE INDEX jobs_unique_slot_idx ON jobs (unique_slot)
    WHERE unique_slot IS NOT NULL AND state IN ('available', 'active', 'scheduled', 'retryable', 'pending');
-- The latest holder of a unique key.
CREATE INDEX jobs_unique_key_idx ON jobs (unique_key, created_at DESC, seq DESC) WHERE unique_key IS NOT NULL;
-- Queue statistics and the concurrency limit.
CREATE INDEX jobs_queue_state_idx ON jobs (queue, state);
-- Retention pruning.
CREATE INDEX jobs_finished_idx ON jobs (COALESCE(discarded_at, cancelled_at, completed_at, created_at))
    WHERE state IN ('completed', 'cancelled', 'discarded') AND NOT dead_letter;
CREATE INDEX jobs_workflow_idx ON jobs (workflow_id) WHERE workflow_id IS NOT NULL;

CREATE TABLE queues (
    name             text PRIMARY KEY,
    paused           boolean NOT NULL DEFAULT false,
    max_per_second   integer,
    concurrency      integer,
    -- Rate-limit window: deliveries counted since `window_start` (one-second windows).
    window_start     timestamptz,
    window_count     integer NOT NULL DEFAULT 0,
    -- Completed jobs removed by retention, so the completed counter survives pruning.
    completed_pruned bigint NOT NULL DEFAULT 0
);

CREATE TABLE workflows (
    id      text PRIMARY KEY,
    doc     json NOT NULL,
    version bigint NOT NULL
);

CREATE TABLE crons (
    name        text PRIMARY KEY,
    doc         json NOT NULL,
    next_run_at timestamptz
);

CREATE TABLE events (
    seq      bigserial PRIMARY KEY,
    id       text NOT NULL,
    kind     text NOT NULL,
    queue    text,
    job_type text,
    doc      json NOT NULL
);
CREATE INDEX events_id_idx ON events (id);

-- Wake-ups for other server processes (long-poll fetches, the promoter). Identical notifications in one
-- transaction are delivered once, so calling these per row is cheap.
CREATE FUNCTION notify_ready(queue text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_notify('ojs_ready', queue);
    RETURN true;
END
$$;

CREATE FUNCTION notify_schedule() RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_notify('ojs_schedule', '');
    RETURN true;
END
$$;
