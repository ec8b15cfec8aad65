-- `LocalRateLimitBackend.acquire` on Redis (after the prelude, rateLimitLib.lua and slowStart.lua). KEYS[1] the partner's
-- customers waiting for a share of its rate (sorted set: customer -> until when its last wait runs, in ms),
-- KEYS[2] the customer's fair-share bucket, then one key per static rule bucket, then one key per level (its
-- learnt bucket is the hash's `b*` fields; `hb`, on the partner's, when its learnt bucket last held a call
-- back). ARGV[1] the clock ('' for Redis time; see rateLimitLib.lua), ARGV[2] key TTL (ms), ARGV[3] number of
-- rules, ARGV[4] fairness ('1'/'0'), ARGV[5] '1' when the call has a customer, ARGV[6] the customer, ARGV[7]
-- '1' when a partner met for the first time (its level's hash does not exist) starts slow (slowStart.lua),
-- ARGV[8] the TTL of the levels' keys (ms: their learnt rates), then per rule: rate per second, capacity, its
-- level ('p', 'c' or 'o': partner, customer, operation); then per level: 'p', 'c' or 'o'. Takes one token from
-- every bucket and answers 0, or answers the ms to wait (1 .. 2^31-1) and takes nothing. The reply is that
-- number, or `{ number, key, ... }` naming keys that were reset.
local ttl = tonumber(ARGV[1])
local nRules = tonumber(ARGV[2])
local fairness = ARGV[3] == '1'
local hasCustomer = ARGV[4] == '1'
local customer = ARGV[5]
local slowStart = ARGV[6] == '1'
local learntTtl = tonumber(ARGV[7])
local partnerRuled = false
local used = {}
local partnerRate = math.huge
local partnerCap = math.huge
-- The longest wait of the partner's buckets and the customer's share of them, and of the tenant's own.
local partnerWait = 0
local ownWait = 0
local a = 8
for i = 1, nRules do
  local key = KEYS[2 + i]
  local rate = num(ARGV[a])
  local cap = num(ARGV[a + 1])
  local isPartner = ARGV[a + 2] == 'p'
  a = a + 3
  local b = loadBucket(key, '')
  if b == nil then
    b = newBucket(rate, cap, nil)
  elseif b.rate ~= rate or b.cap ~= cap then
    setRate(b, rate, cap)
  end
  used[#used + 1] = { key = key, p = '', b = b, ttl = ttl }
  local needed = waitMs(b)
  if isPartner then
    partnerRuled = true
    partnerRate = math.min(partnerRate, rate)
    partnerCap = math.min(partnerCap, cap)
    if needed > partnerWait then partnerWait = needed end
  elseif needed > ownWait then
    ownWait = needed
  end
end
local partnerBound = nil
for i = 2 + nRules + 1, #KEYS do
  local kind = ARGV[a]
  a = a + 1
  local b = loadBucket(KEYS[i], 'b')
  local starting = false
  if b == nil and slowStart and kind == 'p' and redis.call('EXISTS', KEYS[i]) == 0 then
    -- A partner met for the first time (or forgotten: its hash expired): with a rule of its own, it is only
    -- marked as met; without, it starts slow, its slow start's bucket as its learnt one (SlowStarts.start).
    if partnerRuled then
      redis.call('HSET', KEYS[i], 'ss', '0')
      expire(KEYS[i], learntTtl, nil)
    else
      b = newBucket(SLOW_START_RATE, math.max(1, SLOW_START_RATE * 0.1), nil)
      starting = true
    end
  end
  if b ~= nil then
    local u = { key = KEYS[i], p = 'b', b = b, ttl = learntTtl, starting = starting }
    used[#used + 1] = u
    local needed = waitMs(b)
    if kind == 'p' then
      -- The partner's learnt rate holds this call back (see RATE_RECORD's blame of the partner).
      if needed > 0 then partnerBound = u end
      partnerRate = math.min(partnerRate, b.rate)
      partnerCap = math.min(partnerCap, b.cap)
      if needed > partnerWait then partnerWait = needed end
    elseif needed > ownWait then
      ownWait = needed
    end
  end
end
local fair = fairness and hasCustomer and partnerRate < math.huge
if fair then
  -- The partner's rate divided among the customers waiting for it (this one included).
  zsetOrReset(KEYS[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. fmt(nowMs))
  local others = redis.call('ZCARD', KEYS[1])
  if redis.call('ZSCORE', KEYS[1], customer) then others = others - 1 end
  local shareRate = partnerRate / (others + 1)
  local shareCap = partnerCap
  if others > 0 then shareCap = math.max(1, partnerCap * shareRate / partnerRate) end
  local b = loadBucket(KEYS[2], '')
  if b == nil then
    b = newBucket(shareRate, shareCap, nil)
  else
    setRate(b, shareRate, shareCap)
  end
  used[#used + 1] = { key = KEYS[2], p = '', b = b, ttl = ttl }
  local needed = waitMs(b)
  if needed > partnerWait then partnerWait = needed end
end
if partnerBound ~= nil then partnerBound.bound = true end
local wait = math.max(partnerWait, ownWait)
if wait == 0 then
  for _, u in ipairs(used) do take(u.b) end
elseif fair and partnerWait >= ownWait then
  -- Waiting for the partner's rate (not for its own limits): the customer wants a share of it.
  redis.call('ZADD', KEYS[1], fmt(nowMs + wait), customer)
  expire(KEYS[1], ttl, nil)
end
for _, u in ipairs(used) do
  local fields = {}
  bucketFields(u.b, u.p, fields)
  if u.bound then put(fields, 'hb', nowMs) end
  if u.starting then
    fields[#fields + 1] = 'ss'
    fields[#fields + 1] = '1'
    put(fields, 'sn', 0)
  end
  redis.call('HMSET', u.key, unpack(fields))
  expire(u.key, u.ttl, u.b)
end
return reply(wait)
