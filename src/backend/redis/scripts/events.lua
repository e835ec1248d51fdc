-- events.lua: append a batch of lifecycle events as one stream entry and keep about `cap` events.
--
-- KEYS: [1] events stream, [2] entry sizes list ("<entry id> <event count>" per entry, oldest first),
--       [3] total event count (string).
-- ARGV: [1] cap (events kept), then one or more entries, each: event count, JSON array of those events.
-- Effect: one XADD per entry (field `n` = count, `b` = the array), then the oldest entries are dropped
-- while the events left would still be at least `cap` (so between cap and cap + one entry are kept).
-- Result: the number of entries dropped.

local stream, sizes, total_key = KEYS[1], KEYS[2], KEYS[3]
local cap = tonumber(ARGV[1])
local total = tonumber(redis.call('GET', total_key) or '0')
for a = 2, #ARGV, 2 do
  local n = tonumber(ARGV[a])
  local id = redis.call('XADD', stream, '*', 'n', n, 'b', ARGV[a + 1])
  redis.call('RPUSH', sizes, id .. ' ' .. n)
  total = total + n
end
local dropped = 0
while true do
  local oldest = redis.call('LINDEX', sizes, 0)
  if not oldest then break end
  local id, n = string.match(oldest, '^(%S+) (%d+)$')
  n = tonumber(n)
  if total - n < cap then break end
  redis.call('LPOP', sizes)
  redis.call('XDEL', stream, id)
  total = total - n
  dropped = dropped + 1
end
redis.call('SET', total_key, total)
return dropped
