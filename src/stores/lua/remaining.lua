-- ScopeStateStore.getThrottleDeadline and getOpenUntil. KEYS[1] a deadline key (throttle or open).
-- Returns the milliseconds left (rounded up), or -1 when there is no deadline or it has passed.
local current = getNumber(KEYS[1])
if not current then return reply(-1) end
local leftUs = current - nowUs
if leftUs <= 0 then return -1 end
return math.ceil(leftUs / 1000)
