-- The start of every script (see redisScripts.ts). Every script reads Redis's own clock (`TIME`, in
-- microseconds) so that deadlines never depend on the clocks of the processes sharing them.
-- `replicate_commands` lets Redis 3.2-4 replicate a script that writes after `TIME` (Redis 5+ always
-- replicates effects; the call is then a no-op).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
-- Keys that could not be read (the wrong type, or a value that is not a finite number): each is deleted, so that
-- it costs only its own state, and named in the reply ({ answer, key, ... }) for the store to report.
local bad = {}
local function reset(key)
  redis.call('DEL', key)
  bad[#bad + 1] = key
end
local function reply(answer)
  if #bad == 0 then return answer end
  return { answer, unpack(bad) }
end
-- A string key read as a number: nil when absent; a key of another type, or a value that is not a finite
-- number, is reset (and nil).
local function getNumber(key)
  local v = redis.pcall('GET', key)
  if type(v) == 'table' and v.err then
    reset(key)
    return nil
  end
  if not v then return nil end
  local x = tonumber(v)
  if x == nil or x ~= x or x == math.huge or x == -math.huge then
    reset(key)
    return nil
  end
  return x
end
