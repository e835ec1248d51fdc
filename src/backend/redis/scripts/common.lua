-- common.lua: helpers prepended to every job script at load time.
--
-- A queue group is 13 consecutive KEYS under the queue's hash tag {P:q:QUEUE}, in this order:
--   meta ready scheduled retryable active pending completed cancelled discarded dead rate cps jobpfx
-- `jobpfx` is the job hash prefix "{P:q:QUEUE}:job:"; scripts append an id to it only for ids they read
-- from that queue's own indexes (claim, promotion, prune), so every key stays in the declared slot.
--
-- Job hash fields: imm (immutable JSON, never decoded here), cr (created ms), pk (8-hex priority key),
-- tmo/vto (timeout/visibility ms), exp (expires ms), wf ("1" for workflow members), uk (unique key it
-- holds), rk (its ready-set member while available; a claim leaves it in place until the job leaves
-- `active`, so it only counts together with state 'available'), state, attempt, enq, start, done, canc,
-- disc, run, vis, exec (times in ms), worker, result/error/errors (JSON text), rdelay, dl ("1" in dead
-- letter queue).
--
-- Wake-ups go to the channel named in ARGV: 'r' when jobs may have become available, 's<ms>' when a new
-- scheduled/retryable due time at <ms> was written.

-- A job as scripts return it: the values of these fields, nil where absent, in the order `JOB_FIELDS`
-- in codec.rs decodes them (fewer values than HGETALL, and no field names to convert and parse).
local JOB_FIELDS = { 'imm', 'state', 'attempt', 'enq', 'start', 'done', 'canc', 'disc', 'run', 'vis', 'exec',
  'worker', 'result', 'error', 'errors', 'rdelay', 'dl' }
local function read_job(jk)
  return redis.call('HMGET', jk, unpack(JOB_FIELDS))
end

local function group_at(b)
  return { meta = KEYS[b], ready = KEYS[b + 1], scheduled = KEYS[b + 2], retryable = KEYS[b + 3],
    active = KEYS[b + 4], pending = KEYS[b + 5], completed = KEYS[b + 6], cancelled = KEYS[b + 7],
    discarded = KEYS[b + 8], dead = KEYS[b + 9], rate = KEYS[b + 10], cps = KEYS[b + 11], jobpfx = KEYS[b + 12] }
end

-- Removes a job from the index of `state`.
local function unindex(g, jk, id, state)
  if state == 'available' then
    local rk = redis.call('HGET', jk, 'rk')
    if rk then redis.call('ZREM', g.ready, rk) end
  elseif state == 'pending' then
    redis.call('SREM', g.pending, id)
  elseif state == 'discarded' then
    redis.call('ZREM', g.discarded, id)
    redis.call('ZREM', g.dead, id)
  elseif state and g[state] then
    redis.call('ZREM', g[state], id)
  end
end

-- Adds a job to the index of its stored state. `score` is the due time (scheduled/retryable), the lease
-- deadline (active, '+inf' when none) or the terminal time. Available jobs get a fresh FIFO sequence.
local function index(g, jk, id, score)
  local state = redis.call('HGET', jk, 'state')
  if state == 'available' then
    local seq = redis.call('HINCRBY', g.meta, 'seq', 1)
    local pk = redis.call('HGET', jk, 'pk') or '7fffffff'
    local rk = string.format('%s%016x:%s', pk, seq, id)
    redis.call('HSET', jk, 'rk', rk)
    redis.call('ZADD', g.ready, 0, rk)
    return
  end
  redis.call('HDEL', jk, 'rk')
  if state == 'pending' then
    redis.call('SADD', g.pending, id)
  elseif state == 'discarded' then
    if redis.call('HGET', jk, 'dl') == '1' then
      redis.call('ZADD', g.dead, score, id)
    else
      redis.call('ZADD', g.discarded, score, id)
    end
  elseif g[state] then
    redis.call('ZADD', g[state], score, id)
  end
end

-- Replaces every field of a job with ARGV[from .. from + 2n - 1] (field, value pairs), keeping the unique
-- key it holds, and indexes it under its new state.
local function write_job(g, jk, id, from, n, score)
  local uk = redis.call('HGET', jk, 'uk')
  redis.call('DEL', jk)
  if n > 0 then
    redis.call('HSET', jk, unpack(ARGV, from, from + 2 * n - 1))
  end
  if uk then redis.call('HSET', jk, 'uk', uk) end
  index(g, jk, id, score)
end

-- Counts `n` completions in the queue total and the per-second bucket (for completed_last_minute).
local function count_completion(g, second, n)
  redis.call('HINCRBY', g.meta, 'completed', n)
  redis.call('HINCRBY', g.cps, second, n)
  redis.call('EXPIRE', g.cps, 120)
  if redis.call('HLEN', g.cps) > 90 then
    for _, s in ipairs(redis.call('HKEYS', g.cps)) do
      if tonumber(s) <= second - 60 then redis.call('HDEL', g.cps, s) end
    end
  end
end

-- Replaces a stored job (currently in `old_state`) with the pairs ARGV[from .. from + 2n - 1] and moves
-- it between indexes. A job that stays `available` keeps its place in the ready order. Returns the new
-- state.
local function replace_job(g, jk, id, old_state, from, n, score, second)
  local rk = redis.call('HGET', jk, 'rk')
  local uk = redis.call('HGET', jk, 'uk')
  redis.call('DEL', jk)
  redis.call('HSET', jk, unpack(ARGV, from, from + 2 * n - 1))
  if uk then redis.call('HSET', jk, 'uk', uk) end
  local new = redis.call('HGET', jk, 'state')
  if old_state == 'available' and new == 'available' and rk then
    redis.call('HSET', jk, 'rk', rk)
    return new
  end
  if old_state == 'available' then
    if rk then redis.call('ZREM', g.ready, rk) end
  else
    unindex(g, jk, id, old_state)
  end
  index(g, jk, id, score)
  if new == 'completed' and old_state ~= 'completed' then count_completion(g, second, 1) end
  return new
end

-- Moves due scheduled/retryable jobs of one queue to available; at most `limit`. Returns the count.
local function promote(g, now, limit)
  local moved = 0
  for _, set in ipairs({ g.scheduled, g.retryable }) do
    if moved >= limit then break end
    local ids = redis.call('ZRANGEBYSCORE', set, '-inf', now, 'LIMIT', 0, limit - moved)
    for _, id in ipairs(ids) do
      redis.call('ZREM', set, id)
      local jk = g.jobpfx .. id
      local state = redis.call('HGET', jk, 'state')
      if state == 'scheduled' or state == 'retryable' then
        redis.call('HSET', jk, 'state', 'available', 'enq', now)
        redis.call('HDEL', jk, 'run', 'worker', 'vis', 'exec')
        index(g, jk, id, now)
        moved = moved + 1
      end
    end
  end
  return moved
end

local function state_in(state, csv)
  for s in string.gmatch(csv, '[^,]+') do
    if s == state then return true end
  end
  return false
end
