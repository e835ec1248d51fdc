-- insert.lua: insert a batch of jobs all-or-nothing, taking unique claims in the same step.
--
-- KEYS: [1] id map (hash id -> queue), [2] queue set, then G queue groups of 13 keys (see common.lua),
--       then 3 keys per job: job hash, unique key (the job hash again when none), current holder's job
--       hash (the job hash again when none).
-- ARGV: [1] now ms, [2] job count N, [3] group count G, [4] wake-up channel, [5 .. 4+G] queue names,
--       then per job: id, group index (1-based), state, created ms, index score, priority key, field count F,
--       F field/value pairs, has unique ('0'|'1'), then when '1': expected holder value ('' = none),
--       holder id, holder state-set csv, period ms ('' = none), on_conflict (reject|ignore|replace),
--       this job's holder value ("QUEUE\nID"), then the job as written when it replaces a holder: field
--       count F2 (0 = unchanged) and, when F2 > 0, state, index score, F2 field/value pairs
--       (replace_except_schedule: the new job takes over the holder's schedule).
-- Preconditions checked before any write: no id exists in the id map or twice in the batch; each unique
-- key still holds the value the caller read (else 'retry'); a holder in the listed states (and inside
-- the period) is a conflict, resolved by on_conflict. `replace` cancels a stored holder, but against an
-- active holder or an earlier job of the same batch it is a conflict; `ignore` answers the holder.
-- Result: {'retry'} | {'dup', index0, id} | {'unique', index0, holder id, key}
--       | {'ok', per job {'c'} | {'e', holder} | {'r', cancelled holder}} (holders as rows, see read_job; the caller
--       already has the new jobs, so they are not read back).
-- Writes are batched: one HSET per job (fields + rk + uk), one HINCRBY of
-- the FIFO counter and one ZADD of ready members per queue, one HSET of the id map.

local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local ngroups = tonumber(ARGV[3])
local channel = ARGV[4]
local qnames = {}
local groups = {}
for i = 1, ngroups do
  qnames[i] = ARGV[4 + i]
  groups[i] = group_at(3 + (i - 1) * 13)
end
local kbase = 3 + ngroups * 13

-- Phase 1: parse and check everything. Ids are checked against the id map in one HMGET per 1000 jobs,
-- and a failure found at job i is reported only after checking that no earlier id already exists, so
-- the answer is the first failing job in batch order.
local plans = {}
local function first_existing(upto)
  for from = 1, upto, 1000 do
    local last = math.min(upto, from + 999)
    local ids = {}
    for k = from, last do ids[#ids + 1] = plans[k].id end
    local found = redis.call('HMGET', KEYS[1], unpack(ids))
    for k = 1, #ids do
      if found[k] then return { 'dup', from + k - 2, ids[k] } end
    end
  end
  return nil
end
local function failure(result, i)
  return first_existing(i - 1) or result
end
local seen = {}
local claims = {} -- unique key -> index of the batch job holding it
local a = 5 + ngroups
for i = 1, n do
  local p = { id = ARGV[a], g = tonumber(ARGV[a + 1]), state = ARGV[a + 2], cr = tonumber(ARGV[a + 3]),
    score = ARGV[a + 4], pk = ARGV[a + 5], nf = tonumber(ARGV[a + 6]) }
  p.from = a + 7
  a = p.from + 2 * p.nf
  p.jk = KEYS[kbase + (i - 1) * 3]
  if seen[p.id] then
    return failure({ 'dup', i - 1, p.id }, i)
  end
  seen[p.id] = true
  if ARGV[a] == '1' then
    p.uk = KEYS[kbase + (i - 1) * 3 + 1]
    local expect, holder_id, states, period = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
    p.on_conflict, p.uval = ARGV[a + 5], ARGV[a + 6]
    local alt_nf = tonumber(ARGV[a + 7])
    if alt_nf > 0 then
      p.alt = { state = ARGV[a + 8], score = ARGV[a + 9], nf = alt_nf, from = a + 10 }
      a = a + 10 + 2 * alt_nf
    else
      a = a + 8
    end
    local period_ms = tonumber(period)
    p.period_ms = period_ms
    local inside = function(cr) return period_ms == nil or now < cr + period_ms end
    local local_holder = claims[p.uk]
    local conflict = nil -- {id, state, batch index or nil}
    if local_holder then
      local h = plans[local_holder]
      if state_in(h.state, states) and inside(h.cr) then
        conflict = { id = h.id, state = h.state, batch = local_holder }
      end
    else
      local cur = redis.call('GET', p.uk) or ''
      if cur ~= expect then return failure({ 'retry' }, i) end
      if cur ~= '' then
        local hk = KEYS[kbase + (i - 1) * 3 + 2]
        local hstate = redis.call('HGET', hk, 'state')
        local hcr = tonumber(redis.call('HGET', hk, 'cr') or '0')
        if hstate and state_in(hstate, states) and inside(hcr) then
          conflict = { id = holder_id, state = hstate, key = hk }
        end
      end
    end
    if conflict then
      if p.on_conflict == 'ignore' then
        p.skip = conflict
      elseif p.on_conflict == 'replace' and conflict.state ~= 'active' and not conflict.batch then
        p.replace = conflict
        if p.alt then
          p.state, p.score, p.nf, p.from = p.alt.state, p.alt.score, p.alt.nf, p.alt.from
        end
      else
        return failure({ 'unique', i - 1, conflict.id, p.uk }, i)
      end
    end
    if not p.skip then claims[p.uk] = i end
  else
    a = a + 1
  end
  plans[i] = p
end

local stored = first_existing(n)
if stored then return stored end
-- Phase 2: write.
local function cancel(g, jk, id)
  local state = redis.call('HGET', jk, 'state')
  unindex(g, jk, id, state)
  redis.call('HSET', jk, 'state', 'cancelled', 'canc', now)
  redis.call('HDEL', jk, 'vis', 'exec', 'run')
  index(g, jk, id, now)
end

-- Calls a command with a fixed head and a long tail, in chunks that stay below Lua's unpack limit.
local function chunked(head, tail, step)
  for from = 1, #tail, step do
    local args = {}
    for _, h in ipairs(head) do args[#args + 1] = h end
    for k = from, math.min(#tail, from + step - 1) do args[#args + 1] = tail[k] end
    redis.call(unpack(args))
  end
end

-- FIFO sequences: one HINCRBY per queue for all of its new available jobs.
local avail_count = {}
for i = 1, n do
  local p = plans[i]
  if not p.skip and p.state == 'available' then avail_count[p.g] = (avail_count[p.g] or 0) + 1 end
end
local next_seq = {}
for gi, c in pairs(avail_count) do
  next_seq[gi] = redis.call('HINCRBY', groups[gi].meta, 'seq', c) - c + 1
end

-- No DEL before writing: a job hash exists only while its id is in the id map (insert and commit write
-- both in one script; prune deletes the hash before the id), and every id here was checked absent.

local out = {}
local ready_members = {} -- group index -> {0, rk, 0, rk, ...}
local id_pairs = {}
local ready, due = false, nil -- due: earliest new due time (ms)
for i = 1, n do
  local p = plans[i]
  if p.skip then
    local hk = p.skip.batch and plans[p.skip.batch].jk or p.skip.key
    out[i] = { 'e', read_job(hk) }
  else
    local g = groups[p.g]
    local old = nil
    if p.replace then
      local hq = redis.call('HGET', KEYS[1], p.replace.id)
      for gi = 1, ngroups do
        if qnames[gi] == hq then cancel(groups[gi], p.replace.key, p.replace.id) end
      end
      old = read_job(p.replace.key)
    end
    local args = { 'HSET', p.jk }
    for k = p.from, p.from + 2 * p.nf - 1 do args[#args + 1] = ARGV[k] end
    if p.uk then
      args[#args + 1] = 'uk'
      args[#args + 1] = p.uk
    end
    if p.state == 'available' then
      local rk = string.format('%s%016x:%s', p.pk, next_seq[p.g], p.id)
      next_seq[p.g] = next_seq[p.g] + 1
      args[#args + 1] = 'rk'
      args[#args + 1] = rk
      local m = ready_members[p.g] or {}
      m[#m + 1] = 0
      m[#m + 1] = rk
      ready_members[p.g] = m
      ready = true
    end
    redis.call(unpack(args))
    if p.state ~= 'available' then index(g, p.jk, p.id, p.score) end
    id_pairs[#id_pairs + 1] = p.id
    id_pairs[#id_pairs + 1] = qnames[p.g]
    if p.uk then
      if p.period_ms then
        -- Past the period a holder never conflicts, so the key may expire then.
        redis.call('SET', p.uk, p.uval, 'PX', math.max(1, p.cr + p.period_ms - now))
      else
        redis.call('SET', p.uk, p.uval)
      end
    end
    if p.state == 'scheduled' or p.state == 'retryable' then due = math.min(due or math.huge, tonumber(p.score)) end
    if old then out[i] = { 'r', old } else out[i] = { 'c' } end
  end
end
for gi, m in pairs(ready_members) do chunked({ 'ZADD', groups[gi].ready }, m, 2000) end
if #id_pairs > 0 then chunked({ 'HSET', KEYS[1] }, id_pairs, 2000) end
for gi = 1, ngroups do redis.call('SADD', KEYS[2], qnames[gi]) end
if ready then redis.call('PUBLISH', channel, 'r') end
if due then redis.call('PUBLISH', channel, string.format('s%d', due)) end
return { 'ok', out }
