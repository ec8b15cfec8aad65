-- ScopeStateStore.setOpenUntil. KEYS[1] open key; ARGV[1] milliseconds from now, or '' to clear.
-- Overwrites (the breaker that opened last wins); the key expires with its deadline. Returns 1.
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
  return 1
end
local ms = math.floor(tonumber(ARGV[1]))
if ms <= 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SET', KEYS[1], string.format('%.0f', nowUs + ms * 1000), 'PX', ms)
return 1
