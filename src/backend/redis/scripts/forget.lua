-- forget.lua: clean global references to deleted jobs.
--
-- KEYS: [1] id map, then one unique key per job (the id map again when none).
-- ARGV: per job: id, the holder value that job wrote ("QUEUE\nID").
-- Effect: removes the id from the id map; deletes the unique key only if that job still holds it.
-- Result: number of unique keys released.

local released = 0
for i = 1, #KEYS - 1 do
  local id, value = ARGV[2 * i - 1], ARGV[2 * i]
  redis.call('HDEL', KEYS[1], id)
  local uk = KEYS[1 + i]
  if uk ~= KEYS[1] and redis.call('GET', uk) == value then
    redis.call('DEL', uk)
    released = released + 1
  end
end
return released
