-- Fewer index writes per job state change (see README.md, "Write cost").
--
-- A state change cannot be a HOT update (`state` is in every partial index predicate), so it writes a new
-- entry into every index whose predicate the new row version matches. `jobs_queue_state_idx` matched every
-- row, so every insert, claim and ack paid for it. Its readers (queue statistics, the concurrency limit)
-- are served by narrower indexes instead: `available` jobs by `jobs_ready_idx`, the other live states by
-- `jobs_queue_live_idx`, finished jobs by `jobs_finished_idx` (now per queue and state) and dead letters by
-- `jobs_dead_letter_idx`. Each job version is in at most one of them.
DROP INDEX jobs_queue_state_idx;
CREATE INDEX jobs_queue_live_idx ON jobs (queue, state)
    WHERE state IN ('scheduled', 'pending', 'active', 'retryable');

-- Retention walks it per queue and state (oldest first), statistics count finished jobs per queue.
DROP INDEX jobs_finished_idx;
CREATE INDEX jobs_finished_idx ON jobs (queue, state, (COALESCE(discarded_at, cancelled_at, completed_at, created_at)))
    WHERE state IN ('completed', 'cancelled', 'discarded') AND NOT dead_letter;
