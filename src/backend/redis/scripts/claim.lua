-- claim.lua: claim up to `count` jobs from one queue (the caller walks queues left to right).
--
-- KEYS: [1..13] the queue group.
-- ARGV: [1] now ms, [2] count, [3] worker id ('' = none), [4] request visibility ms ('' = none),
--       [5] default visibility ms, [6] promotion limit, [7] error JSON for expired jobs, [8] wake-up channel.
-- Steps: promote due scheduled/retryable jobs; stop if paused; cap the count by the queue's concurrency
-- (active jobs) and rate limit (deliveries in the last 1000 ms); then take ready jobs in (priority desc,
-- sequence asc) order. Ready members whose job is no longer `available` are dropped. A job past its
-- expires_at becomes `discarded` (no completed_at) instead of being delivered.
-- Result: {promoted count, {claimed jobs as HGETALL}, {expired jobs as HGETALL}}.

local g = group_at(1)
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local worker = ARGV[3]
local req_vis = tonumber(ARGV[4])
local default_vis = tonumber(ARGV[5])
local promoted = promote(g, now, tonumber(ARGV[6]))
if promoted > 0 then redis.call('PUBLISH', ARGV[8], 'r') end

local claimed, expired = {}, {}
if redis.call('HGET', g.meta, 'paused') == '1' then
  return { promoted, claimed, expired }
end
local conc = tonumber(redis.call('HGET', g.meta, 'conc') or '')
if conc then count = math.min(count, conc - redis.call('ZCARD', g.active)) end
local mps = tonumber(redis.call('HGET', g.meta, 'mps') or '')
if mps then
  redis.call('ZREMRANGEBYSCORE', g.rate, '-inf', now - 1000)
  count = math.min(count, mps - redis.call('ZCARD', g.rate))
end

while #claimed < count do
  local want = count - #claimed
  local members = redis.call('ZRANGE', g.ready, 0, want - 1)
  if #members == 0 then break end
  for _, rk in ipairs(members) do
    redis.call('ZREM', g.ready, rk)
    local id = string.sub(rk, 26)
    local jk = g.jobpfx .. id
    if redis.call('HGET', jk, 'state') == 'available' and redis.call('HGET', jk, 'rk') == rk then
      redis.call('HDEL', jk, 'rk')
      local exp = tonumber(redis.call('HGET', jk, 'exp') or '')
      if exp and exp <= now then
        redis.call('HSET', jk, 'state', 'discarded', 'disc', now, 'error', ARGV[7])
        redis.call('HDEL', jk, 'run')
        index(g, jk, id, now)
        expired[#expired + 1] = redis.call('HGETALL', jk)
      else
        local attempt = redis.call('HINCRBY', jk, 'attempt', 1)
        local vis = now + (req_vis or tonumber(redis.call('HGET', jk, 'vto') or '') or default_vis)
        local lease = vis
        redis.call('HSET', jk, 'state', 'active', 'start', now, 'vis', vis)
        local tmo = tonumber(redis.call('HGET', jk, 'tmo') or '')
        if tmo then
          redis.call('HSET', jk, 'exec', now + tmo)
          lease = math.min(vis, now + tmo)
        else
          redis.call('HDEL', jk, 'exec')
        end
        if worker ~= '' then redis.call('HSET', jk, 'worker', worker) else redis.call('HDEL', jk, 'worker') end
        redis.call('ZADD', g.active, lease, id)
        if mps then redis.call('ZADD', g.rate, now, id .. ':' .. attempt) end
        claimed[#claimed + 1] = redis.call('HGETALL', jk)
      end
    end
  end
end
return { promoted, claimed, expired }
