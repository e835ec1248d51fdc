-- complete.lua: the ACK fast path for a batch of jobs of one queue; items are independent.
--
-- KEYS: [1..13] the queue group, then one job hash per item.
-- ARGV: [1] now ms, [2] current unix second, [3] item count N, then per item: id, result JSON ('' = none).
-- Precondition per item: the job exists, is `active`, and is not a workflow member.
-- Effect: state completed, completed_at = now, result set, error/worker/deadlines cleared, completion
-- counter and per-second bucket bumped.
-- Result per item: {'ok', job} | {'nf'} | {'ws', state} | {'wf', job}   (jobs as rows, see read_job)

local g = group_at(1)
local now = ARGV[1]
local second = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local out = {}
local done = {} -- ids completed, for the index moves (one ZREM and one ZADD for the batch)
for i = 1, n do
  local id, result = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
  local jk = KEYS[13 + i]
  local f = redis.call('HMGET', jk, 'state', 'wf')
  local state = f[1]
  if not state then
    out[i] = { 'nf' }
  elseif state ~= 'active' then
    out[i] = { 'ws', state }
  elseif f[2] == '1' then
    out[i] = { 'wf', read_job(jk) }
  else
    if result ~= '' then
      redis.call('HSET', jk, 'state', 'completed', 'done', now, 'result', result)
      redis.call('HDEL', jk, 'error', 'worker', 'vis', 'exec', 'run', 'rk')
    else
      redis.call('HSET', jk, 'state', 'completed', 'done', now)
      redis.call('HDEL', jk, 'error', 'worker', 'vis', 'exec', 'run', 'rk', 'result')
    end
    done[#done + 1] = id
    out[i] = { 'ok', read_job(jk) }
  end
end
for from = 1, #done, 1000 do
  local rem, add = { 'ZREM', g.active }, { 'ZADD', g.completed }
  for k = from, math.min(#done, from + 999) do
    rem[#rem + 1] = done[k]
    add[#add + 1] = now
    add[#add + 1] = done[k]
  end
  redis.call(unpack(rem))
  redis.call(unpack(add))
end
if #done > 0 then count_completion(g, second, #done) end
return out
