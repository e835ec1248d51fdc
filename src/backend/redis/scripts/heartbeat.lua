-- heartbeat.lua: extend the visibility deadline of the active jobs among a batch of one queue.
--
-- KEYS: [1..13] the queue group, then one job hash per id.
-- ARGV: [1] now ms, [2] extension ms ('' = the job's visibility timeout, else the default),
--       [3] default ms, [4] id count N, [5 .. 4+N] ids.
-- Precondition per id: the job exists and is `active` (others are skipped, not errors).
-- Effect: vis = now + extension; the lease score becomes min(vis, exec deadline).
-- Result: {extended jobs as job rows (see read_job)}

local g = group_at(1)
local now = tonumber(ARGV[1])
local extend = tonumber(ARGV[2])
local default = tonumber(ARGV[3])
local out = {}
for i = 1, tonumber(ARGV[4]) do
  local id, jk = ARGV[4 + i], KEYS[13 + i]
  if redis.call('HGET', jk, 'state') == 'active' then
    local vis = now + (extend or tonumber(redis.call('HGET', jk, 'vto') or '') or default)
    redis.call('HSET', jk, 'vis', vis)
    local exec = tonumber(redis.call('HGET', jk, 'exec') or '')
    redis.call('ZADD', g.active, exec and math.min(vis, exec) or vis, id)
    out[#out + 1] = read_job(jk)
  end
end
return out
