-- commit.lua: all-or-nothing change across jobs (any queues), one workflow and one cron registration.
--
-- KEYS: [1] id map, [2] queue set, [3] workflow hash (KEYS[1] when none), [4] cron hash (KEYS[1] when
--       none), then G queue groups of 13 keys, then one job hash per update, then one per insert.
-- ARGV: [1] current unix second, [2] wake-up channel, [3] G, [4] update count U, [5] insert count I,
--       [6] workflow? ('0'|'1'), [7] expected workflow version (0 = must not exist), [8] new version,
--       [9] workflow JSON, [10] cron? ('0'|'1'), [11] expected next_run_at ms ('' = none),
--       [12] new next_run_at ms ('' = none), [13] cron JSON, [14] workflow retention ms ('' = keep;
--       set once the workflow is terminal), [15 .. 14+G] queue names,
--       then per update: group index, id, guard state, guard attempt ('' = any), score, F, F pairs;
--       then per insert: group index, id, score, F, F pairs.
-- Preconditions (all checked before any write, in this order): every update guard holds; the stored
-- workflow version equals the expected one (0 = absent); the stored cron next_run_at equals the expected
-- one (a missing registration is a conflict); no insert id exists.
-- Result: {'conflict', 'job', index0, current state or ''} | {'conflict', 'wf'} | {'conflict', 'cron'}
--       | {'conflict', 'dup', id} | {'ok', {updated jobs then inserted jobs, as job rows (see read_job)}}

local second = tonumber(ARGV[1])
local channel = ARGV[2]
local ngroups, nupd, nins = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local qnames = {}
for i = 1, ngroups do qnames[i] = ARGV[14 + i] end
local kjobs = 5 + ngroups * 13

-- Phase 1: parse and check every guard.
local items = {}
local a = 15 + ngroups
for i = 1, nupd + nins do
  local it = { g = tonumber(ARGV[a]), id = ARGV[a + 1], jk = KEYS[kjobs + i - 1] }
  if i <= nupd then
    it.gstate, it.gattempt = ARGV[a + 2], ARGV[a + 3]
    a = a + 4
  else
    a = a + 2
  end
  it.score, it.nf = ARGV[a], tonumber(ARGV[a + 1])
  it.from = a + 2
  a = it.from + 2 * it.nf
  items[i] = it
end
for i = 1, nupd do
  local it = items[i]
  local state = redis.call('HGET', it.jk, 'state')
  if not state or state ~= it.gstate
    or (it.gattempt ~= '' and (redis.call('HGET', it.jk, 'attempt') or '0') ~= it.gattempt) then
    return { 'conflict', 'job', i - 1, state or '' }
  end
  it.old = state
end
if ARGV[6] == '1' then
  local v = redis.call('HGET', KEYS[3], 'v') or '0'
  if v ~= ARGV[7] then return { 'conflict', 'wf' } end
end
if ARGV[10] == '1' then
  if redis.call('EXISTS', KEYS[4]) == 0 or (redis.call('HGET', KEYS[4], 'next') or '') ~= ARGV[11] then
    return { 'conflict', 'cron' }
  end
end

local seen = {}
for i = nupd + 1, nupd + nins do
  local id = items[i].id
  if seen[id] or redis.call('HEXISTS', KEYS[1], id) == 1 then return { 'conflict', 'dup', id } end
  seen[id] = true
end

-- Phase 2: write everything.
local out = {}
local ready, due = false, nil -- due: earliest new due time (ms)
for i = 1, nupd + nins do
  local it = items[i]
  local g = group_at(5 + (it.g - 1) * 13)
  local new
  if it.old then
    new = replace_job(g, it.jk, it.id, it.old, it.from, it.nf, it.score, second)
  else
    write_job(g, it.jk, it.id, it.from, it.nf, it.score)
    redis.call('HSET', KEYS[1], it.id, qnames[it.g])
    new = redis.call('HGET', it.jk, 'state')
  end
  if new == 'available' then ready = true end
  if new == 'scheduled' or new == 'retryable' then due = math.min(due or math.huge, tonumber(it.score)) end
  out[i] = read_job(it.jk)
end
for gi = 1, ngroups do redis.call('SADD', KEYS[2], qnames[gi]) end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[3], 'json', ARGV[9], 'v', ARGV[8])
  if ARGV[14] ~= '' then redis.call('PEXPIRE', KEYS[3], ARGV[14]) else redis.call('PERSIST', KEYS[3]) end
end
if ARGV[10] == '1' then
  redis.call('HSET', KEYS[4], 'json', ARGV[13])
  if ARGV[12] ~= '' then redis.call('HSET', KEYS[4], 'next', ARGV[12]) else redis.call('HDEL', KEYS[4], 'next') end
end
if ready then redis.call('PUBLISH', channel, 'r') end
if due then redis.call('PUBLISH', channel, string.format('s%d', due)) end
return { 'ok', out }
