-- prune.lua: delete one queue's terminal jobs past retention (never dead letter entries).
--
-- KEYS: [1..13] the queue group.
-- ARGV: [1] completed cutoff ms, [2] cancelled/discarded cutoff ms, [3] limit.
-- Effect: deletes at most ARGV[3] job hashes whose completed_at / cancelled_at / discarded_at is at or
-- before the cutoff, and drops them from their index.
-- Result: flat list {id, unique key or '', ...} of deleted jobs (the caller clears the id map and
-- releases unique keys, which live in the global slot).

local g = group_at(1)
local limit = tonumber(ARGV[3])
local out = {}
local plan = { { g.completed, ARGV[1] }, { g.cancelled, ARGV[2] }, { g.discarded, ARGV[2] } }
for _, p in ipairs(plan) do
  local left = limit - #out / 2
  if left <= 0 then break end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', p[1], '-inf', p[2], 'LIMIT', 0, left)) do
    local jk = g.jobpfx .. id
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGET', jk, 'uk') or ''
    redis.call('ZREM', p[1], id)
    redis.call('DEL', jk)
  end
end
return out
