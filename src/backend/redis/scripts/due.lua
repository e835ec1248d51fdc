-- due.lua: one queue's share of a due-work pass.
--
-- KEYS: [1..13] the queue group.
-- ARGV: [1] now ms, [2] promotion limit, [3] expired-lease limit, [4] wake-up channel.
-- Effect: promotes at most ARGV[2] due scheduled/retryable jobs to available. Expired leases are only
-- read (the caller decides and applies guarded updates).
-- Result: {promoted, {expired active jobs as job rows (see read_job)}, {remaining due/lease scores as strings}} where the
-- scores are the earliest scheduled, the earliest retryable and the first lease after those returned.

local g = group_at(1)
local now = tonumber(ARGV[1])
local lease_limit = tonumber(ARGV[3])
local promoted = promote(g, now, tonumber(ARGV[2]))
if promoted > 0 then redis.call('PUBLISH', ARGV[4], 'r') end
local expired = {}
if lease_limit > 0 then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', g.active, '-inf', now, 'LIMIT', 0, lease_limit)) do
    local job = read_job(g.jobpfx .. id)
    if job[1] then expired[#expired + 1] = job else redis.call('ZREM', g.active, id) end
  end
end
local next = {}
for _, set in ipairs({ g.scheduled, g.retryable }) do
  local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
  if first[2] then next[#next + 1] = first[2] end
end
local after = redis.call('ZRANGE', g.active, #expired, #expired, 'WITHSCORES')
if after[2] then next[#next + 1] = after[2] end
return { promoted, expired, next }
