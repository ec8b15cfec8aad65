-- ScopeStateStore.refundRetryToken. KEYS[1] token bucket key; ARGV[1] maxTokens, ARGV[2] refundPerSuccess,
-- ARGV[3] key TTL in ms. A missing key is a full bucket: nothing to refund. Returns 1 when tokens were
-- added, 0 otherwise.
local maxTokens = tonumber(ARGV[1])
local refund = tonumber(ARGV[2])
local ttl = math.floor(tonumber(ARGV[3]))
local tokens = getNumber(KEYS[1])
if not tokens or tokens >= maxTokens then return reply(0) end
redis.call('SET', KEYS[1], string.format('%.17g', math.min(maxTokens, tokens + refund)), 'PX', ttl)
return 1
