-- ScopeStateStore.takeRetryToken. KEYS[1] token bucket key; ARGV[1] maxTokens, ARGV[2] key TTL in ms.
-- A missing key is a full bucket. Takes one token when at least one is left. Returns 1 when a token was
-- taken, 0 when the bucket is empty. The TTL is renewed either way.
local maxTokens = tonumber(ARGV[1])
local ttl = math.floor(tonumber(ARGV[2]))
local tokens = getNumber(KEYS[1])
if not tokens then tokens = maxTokens end
if tokens < 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 0
end
redis.call('SET', KEYS[1], string.format('%.17g', tokens - 1), 'PX', ttl)
return reply(1)
