-- update.lua: independent guarded replacements of jobs (any queues in one call).
--
-- KEYS: G queue groups of 13 keys, then one job hash per item.
-- ARGV: [1] wake-up channel, [2] item count N, [3] group count G, [4] current unix second, then per
--       item: group index (1-based), id, guard state, guard attempt ('' = any), index score, field count F, F field/value pairs.
-- Precondition per item: the job exists, its state equals the guard state and (when given) its attempt
-- equals the guard attempt. Effect: the job's fields are replaced (its unique key is kept) and it moves
-- from its old index to the one of its new state (a job entering `available` gets a new FIFO sequence;
-- one staying there keeps its place); a move to `completed` counts as a completion.
-- Result per item: {'ok', job row (see read_job)} | {'nf'} | {'cf', current state}

local n = tonumber(ARGV[2])
local ngroups = tonumber(ARGV[3])
local kbase = 1 + ngroups * 13
local out = {}
local ready, due = false, nil -- due: earliest new due time (ms)
local second = tonumber(ARGV[4])
local a = 5
for i = 1, n do
  local g = group_at(1 + (tonumber(ARGV[a]) - 1) * 13)
  local id, gstate, gattempt, score, nf = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], tonumber(ARGV[a + 5])
  local from = a + 6
  a = from + 2 * nf
  local jk = KEYS[kbase + i - 1]
  local state = redis.call('HGET', jk, 'state')
  if not state then
    out[i] = { 'nf' }
  elseif state ~= gstate or (gattempt ~= '' and (redis.call('HGET', jk, 'attempt') or '0') ~= gattempt) then
    out[i] = { 'cf', state }
  else
    local new = replace_job(g, jk, id, state, from, nf, score, second)
    if new == 'available' then ready = true end
    if new == 'scheduled' or new == 'retryable' then due = math.min(due or math.huge, tonumber(score)) end
    out[i] = { 'ok', read_job(jk) }
  end
end
if ready then redis.call('PUBLISH', ARGV[1], 'r') end
if due then redis.call('PUBLISH', ARGV[1], string.format('s%d', due)) end
return out
