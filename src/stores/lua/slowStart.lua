-- The slow start of a partner level with no rule (`SlowStart` of src/policies/rateLimiter/slowStart.ts, ported;
-- after the prelude and rateLimitLib.lua). Its constants are slowStart.ts's (redisScripts.test.ts compares
-- them). It lives in the partner level's hash, shared by every process: `ss` '1' while it runs ('0' once it
-- has ended, or when the partner met had a rule of its own: a partner's hash that exists never starts one
-- again), its bucket as the level's learnt bucket (`b*`), `sn` the successes counted, and their times in the
-- ring `h0` .. `h511` (the success `n` in `h<n % 512>`).
local SLOW_START_RATE = 8
local SLOW_START_GAIN = 1.3862943611198906
local SLOW_START_MAX_RATE = 1000
local SLOW_START_RESUME = 0.9
local SLOW_START_HISTORY = 512
local SLOW_START_RESTARTS = 3
local SLOW_START_MIN_SPAN_MS = 500
-- The ring's fields holding the latest of `n` successes, newest first.
local function slowStartFields(n)
  local names = {}
  for j = n - 1, math.max(0, n - SLOW_START_HISTORY), -1 do names[#names + 1] = 'h' .. (j % SLOW_START_HISTORY) end
  return names
end
-- The quota estimated at a 429 whose Retry-After is `quiet` ms (SlowStart.estimate): the successes of the last
-- max(quiet, 500 ms) over that time (calls/s), at least half the first rate. `n`: the successes counted.
-- The successes within max(quiet, 500 ms) before now (SlowStart.counted).
local function slowStartCounted(key, n, quiet)
  local from = nowMs - math.max(SLOW_START_MIN_SPAN_MS, quiet)
  local names = slowStartFields(n)
  local counted = 0
  if #names > 0 then
    local times = redis.call('HMGET', key, unpack(names))
    for j = 1, #names do
      local at = tonumber(times[j])
      if at == nil or at <= from then break end
      counted = counted + 1
    end
  end
  return counted
end
local function slowStartEstimate(key, n, quiet)
  local span = math.max(SLOW_START_MIN_SPAN_MS, quiet)
  return math.max(SLOW_START_RATE / 2, slowStartCounted(key, n, quiet) * 1000 / span)
end
-- The slow start has ended (its first 429, or its rate reached the most): its history goes; `ss` stays '0'.
local function slowStartEnd(key, n)
  local names = slowStartFields(n)
  names[#names + 1] = 'sn'
  names[#names + 1] = 'sr'
  redis.call('HDEL', key, unpack(names))
  redis.call('HSET', key, 'ss', '0')
end
