-- insert.lua: insert a batch of jobs all-or-nothing, taking unique claims in the same step.
--
-- KEYS: [1] id map (hash id -> queue), [2] queue set, then G queue groups of 13 keys (see common.lua),
--       then 3 keys per job: job hash, unique key (the job hash again when none), current holder's job
--       hash (the job hash again when none).
-- ARGV: [1] now ms, [2] job count N, [3] group count G, [4] wake-up channel, [5 .. 4+G] queue names,
--       then per job: id, group index (1-based), state, created ms, index score, field count F,
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
--       | {'ok', per job {'c', job} | {'e', holder} | {'r', new job, cancelled holder}} (jobs as HGETALL).

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

-- Phase 1: parse and check everything.
local plans = {}
local seen = {}
local claims = {} -- unique key -> index of the batch job holding it
local a = 5 + ngroups
for i = 1, n do
  local p = { id = ARGV[a], g = tonumber(ARGV[a + 1]), state = ARGV[a + 2], cr = tonumber(ARGV[a + 3]),
    score = ARGV[a + 4], nf = tonumber(ARGV[a + 5]) }
  p.from = a + 6
  a = p.from + 2 * p.nf
  p.jk = KEYS[kbase + (i - 1) * 3]
  if seen[p.id] or redis.call('HEXISTS', KEYS[1], p.id) == 1 then
    return { 'dup', i - 1, p.id }
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
      if cur ~= expect then return { 'retry' } end
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
        return { 'unique', i - 1, conflict.id, p.uk }
      end
    end
    if not p.skip then claims[p.uk] = i end
  else
    a = a + 1
  end
  plans[i] = p
end

-- Phase 2: write.
local function cancel(g, jk, id)
  local state = redis.call('HGET', jk, 'state')
  unindex(g, jk, id, state)
  redis.call('HSET', jk, 'state', 'cancelled', 'canc', now)
  redis.call('HDEL', jk, 'vis', 'exec', 'run')
  index(g, jk, id, now)
end

local out = {}
local ready, due = false, nil -- due: earliest new due time (ms)
for i = 1, n do
  local p = plans[i]
  if p.skip then
    local hk = p.skip.batch and plans[p.skip.batch].jk or p.skip.key
    out[i] = { 'e', redis.call('HGETALL', hk) }
  else
    local g = groups[p.g]
    local old = nil
    if p.replace then
      local hq = redis.call('HGET', KEYS[1], p.replace.id)
      for gi = 1, ngroups do
        if qnames[gi] == hq then cancel(groups[gi], p.replace.key, p.replace.id) end
      end
      old = redis.call('HGETALL', p.replace.key)
    end
    write_job(g, p.jk, p.id, p.from, p.nf, p.score)
    redis.call('HSET', KEYS[1], p.id, qnames[p.g])
    if p.uk then
      if p.period_ms then
        -- Past the period a holder never conflicts, so the key may expire then.
        redis.call('SET', p.uk, p.uval, 'PX', math.max(1, p.cr + p.period_ms - now))
      else
        redis.call('SET', p.uk, p.uval)
      end
      redis.call('HSET', p.jk, 'uk', p.uk)
    end
    if p.state == 'available' then ready = true end
    if p.state == 'scheduled' or p.state == 'retryable' then due = math.min(due or math.huge, tonumber(p.score)) end
    if old then out[i] = { 'r', redis.call('HGETALL', p.jk), old } else out[i] = { 'c', redis.call('HGETALL', p.jk) } end
  end
end
for gi = 1, ngroups do redis.call('SADD', KEYS[2], qnames[gi]) end
if ready then redis.call('PUBLISH', channel, 'r') end
if due then redis.call('PUBLISH', channel, string.format('s%d', due)) end
return { 'ok', out }
