-- ScopeStateStore.extendThrottleDeadline. KEYS[1] throttle key; ARGV[1] milliseconds from now (integer > 0).
-- Keeps the later of the stored deadline and `now + ms`; the key expires with its deadline.
-- Returns 1 when the deadline was extended, 0 when the stored one was later.
local ms = math.floor(tonumber(ARGV[1]))
if ms <= 0 then return 0 end
local untilUs = nowUs + ms * 1000
local current = getNumber(KEYS[1])
if current and current >= untilUs then return reply(0) end
redis.call('SET', KEYS[1], string.format('%.0f', untilUs), 'PX', ms)
return reply(1)
