-- claim.lua: claim up to `count` jobs from one queue (the caller walks queues left to right).
--
-- KEYS: [1..13] the queue group.
-- ARGV: [1] now ms, [2] count, [3] worker id ('' = none), [4] request visibility ms ('' = none),
--       [5] default visibility ms, [6] promotion limit, [7] error JSON for expired jobs, [8] wake-up channel.
-- Steps: promote due scheduled/retryable jobs; stop if paused; cap the count by the queue's concurrency
-- (active jobs) and rate limit (deliveries in the last 1000 ms); then take ready jobs in (priority desc,
-- sequence asc) order. Ready members whose job is no longer `available` are dropped. A job past its
-- expires_at becomes `discarded` (no completed_at) instead of being delivered.
-- Result: {promoted count, {claimed jobs as job rows (see read_job)}, {expired jobs as job rows (see read_job)}}.

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

-- Per claimed job: one HMGET, one HSET and the read_job of the reply (plus an HDEL when a stale
-- `exec`/`worker` must go); the index moves (ready
-- range removal, active and rate adds) are one call per round.
local active_adds, rate_adds = {}, {}
while #claimed < count do
  local want = count - #claimed
  local members = redis.call('ZRANGE', g.ready, 0, want - 1)
  if #members == 0 then break end
  -- The members are exactly ranks 0 .. #members - 1.
  redis.call('ZREMRANGEBYRANK', g.ready, 0, #members - 1)
  for _, rk in ipairs(members) do
    local id = string.sub(rk, 26)
    local jk = g.jobpfx .. id
    local f = redis.call('HMGET', jk, 'state', 'rk', 'exp', 'vto', 'tmo', 'attempt', 'exec', 'worker')
    if f[1] == 'available' and f[2] == rk then
      local exp = tonumber(f[3] or '')
      if exp and exp <= now then
        redis.call('HDEL', jk, 'rk')
        redis.call('HSET', jk, 'state', 'discarded', 'disc', now, 'error', ARGV[7])
        redis.call('HDEL', jk, 'run')
        index(g, jk, id, now)
        expired[#expired + 1] = read_job(jk)
      else
        local attempt = tonumber(f[6] or '0') + 1
        local vis = now + (req_vis or tonumber(f[4] or '') or default_vis)
        local lease = vis
        -- `rk` is left in place (it only means something while the job is `available`, and every write
        -- out of `active` rewrites or clears it); HDEL runs only for fields that are present.
        local set = { 'HSET', jk, 'state', 'active', 'start', now, 'vis', vis, 'attempt', attempt }
        local del = { 'HDEL', jk }
        local tmo = tonumber(f[5] or '')
        if tmo then
          set[#set + 1] = 'exec'
          set[#set + 1] = now + tmo
          lease = math.min(vis, now + tmo)
        elseif f[7] then
          del[#del + 1] = 'exec'
        end
        if worker ~= '' then
          set[#set + 1] = 'worker'
          set[#set + 1] = worker
        elseif f[8] then
          del[#del + 1] = 'worker'
        end
        redis.call(unpack(set))
        if #del > 2 then redis.call(unpack(del)) end
        active_adds[#active_adds + 1] = lease
        active_adds[#active_adds + 1] = id
        if mps then
          rate_adds[#rate_adds + 1] = now
          rate_adds[#rate_adds + 1] = id .. ':' .. attempt
        end
        claimed[#claimed + 1] = read_job(jk)
      end
    end
  end
  for _, adds in ipairs({ { g.active, active_adds }, { g.rate, rate_adds } }) do
    for from = 1, #adds[2], 2000 do
      local args = { 'ZADD', adds[1] }
      for k = from, math.min(#adds[2], from + 1999) do args[#args + 1] = adds[2][k] end
      redis.call(unpack(args))
    end
  end
  active_adds, rate_adds = {}, {}
end
return { promoted, claimed, expired }
