-- dead_delete.lua: permanently delete a job if it is in the dead letter queue.
--
-- KEYS: [1..13] the queue group, [14] the job hash.
-- ARGV: [1] job id.
-- Precondition: the job has dead_letter set.
-- Result: false when not in the dead letter queue, else the unique key it held ('' when none).

local g = group_at(1)
local jk, id = KEYS[14], ARGV[1]
if redis.call('HGET', jk, 'dl') ~= '1' then
  return false
end
local uk = redis.call('HGET', jk, 'uk') or ''
unindex(g, jk, id, redis.call('HGET', jk, 'state'))
redis.call('DEL', jk)
return uk
