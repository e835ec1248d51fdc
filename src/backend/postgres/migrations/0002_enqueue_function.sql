-- Transactional enqueue: an application calls ojs_enqueue(...) inside its own transaction, so the job
-- commits or rolls back together with its business rows. The job it writes is served like any other.
-- Both functions pin search_path to this migration's schema, so callers need not set it.

-- UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, variant 10, random rest.
CREATE FUNCTION ojs_uuidv7() RETURNS uuid
LANGUAGE sql VOLATILE
AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- RFC 3339 UTC with milliseconds, as the server writes timestamps.
CREATE FUNCTION ojs_ts(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- ISO 8601 duration ('PT1S', 'PT0.5S', 'PT5M') to milliseconds.
CREATE FUNCTION ojs_duration_ms(text) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$ SELECT round(extract(epoch FROM $1::interval) * 1000)::bigint $$;

-- Enqueues a job and returns its id.
--   job_type  dot-separated lowercase name, e.g. 'email.send'
--   args      JSON array (stored byte for byte)
--   queue     queue name (default 'default')
--   options   optional: priority (-100..100), scheduled_at (timestamptz text), expires_at,
--             max_attempts, retry {max_attempts, initial_interval, max_interval, backoff_coefficient, jitter,
--             non_retryable_errors, on_exhaustion, backoff_strategy}, timeout_ms, visibility_timeout_ms,
--             meta (object), tags (array), id (UUIDv7 text)
CREATE FUNCTION ojs_enqueue(job_type text, args json, queue text DEFAULT 'default', options jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
    opts        jsonb := COALESCE(options, '{}'::jsonb);
    retry       jsonb := COALESCE(opts->'retry', '{}'::jsonb);
    now_ts      timestamptz := date_trunc('milliseconds', clock_timestamp());
    job_id      text := COALESCE(opts->>'id', ojs_uuidv7()::text);
    prio        integer := COALESCE((opts->>'priority')::integer, 0);
    sched_ts    timestamptz := (opts->>'scheduled_at')::timestamptz;
    expires_ts  timestamptz := (opts->>'expires_at')::timestamptz;
    attempts    integer := COALESCE((retry->>'max_attempts')::integer, (opts->>'max_attempts')::integer, 3);
    initial_ms  bigint := COALESCE(ojs_duration_ms(retry->>'initial_interval'), 1000);
    max_ms      bigint := COALESCE(ojs_duration_ms(retry->>'max_interval'), 300000);
    coefficient float8 := COALESCE((retry->>'backoff_coefficient')::float8, 2.0);
    strategy    text := COALESCE(retry->>'backoff_strategy',
                                 CASE WHEN (retry->>'backoff_coefficient')::float8 = 1.0 THEN 'constant' END,
                                 'exponential');
    event_id    text := 'evt_' || ojs_uuidv7()::text;
    event_kind  text;
    job_state   text;
    doc         json;
BEGIN
    IF job_type IS NULL OR length(job_type) > 255
       OR job_type !~ '^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$' THEN
        RAISE EXCEPTION 'ojs_enqueue: invalid job type %', quote_literal(job_type) USING ERRCODE = '22023';
    END IF;
    IF args IS NULL OR json_typeof(args) <> 'array' THEN
        RAISE EXCEPTION 'ojs_enqueue: args must be a JSON array' USING ERRCODE = '22023';
    END IF;
    IF queue IS NULL OR length(queue) > 128 OR queue !~ '^[a-z0-9][a-z0-9.-]*$' THEN
        RAISE EXCEPTION 'ojs_enqueue: invalid queue name %', quote_literal(queue) USING ERRCODE = '22023';
    END IF;
    IF job_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' THEN
        RAISE EXCEPTION 'ojs_enqueue: id must be a lowercase UUIDv7, got %', quote_literal(job_id) USING ERRCODE = '22023';
    END IF;
    IF prio NOT BETWEEN -100 AND 100 THEN
        RAISE EXCEPTION 'ojs_enqueue: priority must be between -100 and 100' USING ERRCODE = '22023';
    END IF;
    IF attempts < 0 OR coefficient < 1.0 OR max_ms < initial_ms THEN
        RAISE EXCEPTION 'ojs_enqueue: invalid retry policy %', retry USING ERRCODE = '22023';
    END IF;
    IF strategy = 'none' OR strategy = 'fixed' THEN
        strategy := 'constant';
    END IF;
    IF strategy NOT IN ('exponential', 'linear', 'constant', 'polynomial') THEN
        RAISE EXCEPTION 'ojs_enqueue: unknown backoff strategy %', strategy USING ERRCODE = '22023';
    END IF;
    IF COALESCE(retry->>'on_exhaustion', 'discard') NOT IN ('discard', 'dead_letter') THEN
        RAISE EXCEPTION 'ojs_enqueue: on_exhaustion must be discard or dead_letter' USING ERRCODE = '22023';
    END IF;
    IF opts ? 'meta' AND jsonb_typeof(opts->'meta') <> 'object' THEN
        RAISE EXCEPTION 'ojs_enqueue: meta must be a JSON object' USING ERRCODE = '22023';
    END IF;

    job_state := CASE WHEN sched_ts > now_ts THEN 'scheduled' ELSE 'available' END;
    event_kind := CASE WHEN job_state = 'scheduled' THEN 'job.scheduled' ELSE 'job.enqueued' END;

    -- json (not jsonb) keeps the caller's args text byte for byte; null fields read as absent.
    doc := json_build_object(
        'id', job_id,
        'type', job_type,
        'queue', queue,
        'args', args,
        'priority', prio,
        'max_attempts', attempts,
        'retry', json_build_object(
            'max_attempts', attempts,
            'initial_interval_ms', initial_ms,
            'backoff_coefficient', coefficient,
            'max_interval_ms', max_ms,
            'jitter', COALESCE((retry->>'jitter')::boolean, true),
            'non_retryable_errors', COALESCE(retry->'non_retryable_errors', '[]'::jsonb),
            'on_exhaustion', COALESCE(retry->>'on_exhaustion', 'discard'),
            'backoff_strategy', strategy),
        'timeout_ms', (opts->>'timeout_ms')::bigint,
        'visibility_timeout_ms', (opts->>'visibility_timeout_ms')::bigint,
        'scheduled_at', opts->>'scheduled_at',
        'expires_at', opts->>'expires_at',
        'expires_at_ts', ojs_ts(expires_ts),
        'meta', opts->'meta',
        'tags', opts->'tags',
        'created_at', ojs_ts(now_ts),
        'state', job_state,
        'attempt', 0,
        'enqueued_at', CASE WHEN job_state = 'available' THEN ojs_ts(now_ts) END,
        'run_at', CASE WHEN job_state = 'scheduled' THEN ojs_ts(sched_ts) END,
        'dead_letter', false);

    INSERT INTO jobs (id, doc, job_type, queue, priority, seq, timeout_ms, visibility_timeout_ms, expires_at,
                      created_at, state, attempt, enqueued_at, run_at)
    VALUES (job_id, doc, job_type, queue, prio, nextval('job_seq'), (opts->>'timeout_ms')::bigint,
            (opts->>'visibility_timeout_ms')::bigint, expires_ts, now_ts, job_state, 0,
            CASE WHEN job_state = 'available' THEN now_ts END,
            CASE WHEN job_state = 'scheduled' THEN sched_ts END);
    INSERT INTO queues (name) VALUES (queue) ON CONFLICT (name) DO NOTHING;
    INSERT INTO events (id, kind, queue, job_type, doc)
    VALUES (event_id, event_kind, queue, job_type,
            json_build_object(
                'id', event_id,
                'type', event_kind,
                'time', ojs_ts(now_ts), 'subject', job_id, 'queue', queue, 'job_type', job_type,
                'data', json_build_object('job_id', job_id, 'job_type', job_type, 'queue', queue,
                                          'state', job_state, 'attempt', 0)));
    IF job_state = 'available' THEN
        PERFORM notify_ready(queue);
    ELSE
        PERFORM notify_schedule();
    END IF;
    RETURN job_id;
END
$$;
