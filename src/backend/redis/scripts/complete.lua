-- complete.lua: the ACK fast path for a batch of jobs of one queue; items are independent.
--
-- KEYS: [1..13] the queue group, then one job hash per item.
-- ARGV: [1] now ms, [2] current unix second, [3] item count N, then per item: id, result JSON ('' = none).
-- Precondition per item: the job exists, is `active`, and is not a workflow member.
-- Effect: state completed, completed_at = now, result set, error/worker/deadlines cleared, completion
-- counter and per-second bucket bumped.
-- Result per item: {'ok', job} | {'nf'} | {'ws', state} | {'wf', job}   (jobs as HGETALL)

local g = group_at(1)
local now = ARGV[1]
local second = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local out = {}
local done = 0
for i = 1, n do
  local id, result = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
  local jk = KEYS[13 + i]
  local state = redis.call('HGET', jk, 'state')
  if not state then
    out[i] = { 'nf' }
  elseif state ~= 'active' then
    out[i] = { 'ws', state }
  elseif redis.call('HGET', jk, 'wf') == '1' then
    out[i] = { 'wf', redis.call('HGETALL', jk) }
  else
    redis.call('ZREM', g.active, id)
    redis.call('HSET', jk, 'state', 'completed', 'done', now)
    redis.call('HDEL', jk, 'error', 'worker', 'vis', 'exec', 'run')
    if result ~= '' then redis.call('HSET', jk, 'result', result) else redis.call('HDEL', jk, 'result') end
    redis.call('ZADD', g.completed, now, id)
    done = done + 1
    out[i] = { 'ok', redis.call('HGETALL', jk) }
  end
end
if done > 0 then count_completion(g, second, done) end
return out
