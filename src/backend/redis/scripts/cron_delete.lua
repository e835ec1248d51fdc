-- cron_delete.lua: remove a cron registration and return it.
--
-- KEYS: [1] the cron hash, [2] the set of cron names.   ARGV: [1] the name.
-- Result: the stored JSON, or false when there was none.

local json = redis.call('HGET', KEYS[1], 'json')
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return json
