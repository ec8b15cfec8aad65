import { createHash } from 'node:crypto';

/** A Lua script with its SHA1, run with EVALSHA (EVAL when the server does not know it yet). */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

function script(name: string, body: string): LuaScript {
  const source = `${PRELUDE}\n${body.trim()}\n`;
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * Every script reads Redis's own clock (`TIME`, in microseconds) so that deadlines never depend on the
 * clocks of the processes sharing them. `replicate_commands` lets Redis 3.2-4 replicate a script that writes
 * after `TIME` (Redis 5+ always replicates effects; the call is then a no-op).
 */
const PRELUDE = `
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
`.trim();

/**
 * KEYS[1] throttle key; ARGV[1] milliseconds from now (integer > 0).
 * Keeps the later of the stored deadline and `now + ms`; the key expires with its deadline.
 * Returns 1 when the deadline was extended, 0 when the stored one was later.
 */
export const EXTEND_DEADLINE = script(
  'extendThrottleDeadline',
  `
local ms = math.floor(tonumber(ARGV[1]))
if ms <= 0 then return 0 end
local untilUs = nowUs + ms * 1000
local current = getNumber(KEYS[1])
if current and current >= untilUs then return reply(0) end
redis.call('SET', KEYS[1], string.format('%.0f', untilUs), 'PX', ms)
return reply(1)
`,
);

/**
 * KEYS[1] a deadline key (throttle or open). Returns the milliseconds left (rounded up), or -1 when there
 * is no deadline or it has passed.
 */
export const REMAINING = script(
  'remaining',
  `
local current = getNumber(KEYS[1])
if not current then return reply(-1) end
local leftUs = current - nowUs
if leftUs <= 0 then return -1 end
return math.ceil(leftUs / 1000)
`,
);

/**
 * KEYS[1] open key; ARGV[1] milliseconds from now, or '' to clear. Overwrites (the breaker that opened last
 * wins); the key expires with its deadline. Returns 1.
 */
export const SET_OPEN = script(
  'setOpenUntil',
  `
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
`,
);

/**
 * KEYS[1] budget key; ARGV[1] maxTokens, ARGV[2] key TTL in ms. A missing key is a full budget. Takes one
 * token when at least one is left. Returns 1 when a token was taken, 0 when the budget is spent. The TTL is
 * renewed either way.
 */
export const TAKE_TOKEN = script(
  'takeRetryToken',
  `
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
`,
);

/**
 * KEYS[1] budget key; ARGV[1] maxTokens, ARGV[2] refundPerSuccess, ARGV[3] key TTL in ms. A missing key is
 * a full budget: nothing to refund. Returns 1 when tokens were added, 0 otherwise.
 */
export const REFUND_TOKEN = script(
  'refundRetryToken',
  `
local maxTokens = tonumber(ARGV[1])
local refund = tonumber(ARGV[2])
local ttl = math.floor(tonumber(ARGV[3]))
local tokens = getNumber(KEYS[1])
if not tokens or tokens >= maxTokens then return reply(0) end
redis.call('SET', KEYS[1], string.format('%.17g', math.min(maxTokens, tokens + refund)), 'PX', ttl)
return 1
`,
);

/**
 * Shared by the rate-limit scripts: the clock, float (de)serialisation that keeps every double (`%.17g`), and
 * the token bucket of `src/policies/rateLimiter/tokenBucket.ts` ported line for line (a bucket is `{tokens,
 * last, rate, cap}`). The clock is Redis time in ms (with the microseconds as a fraction), or, when ARGV[1] is
 * not empty, that number of ms (tests give the script the time, to compare it with the local backend on one
 * clock); ARGV[1] is then removed, so that the scripts' own arguments start at ARGV[1]. Keys expire `ttl` ms
 * after their last use, or once their bucket is full again if that is later (a bucket that expired starts
 * full: it must not come back before it would have filled), at most 7 days. A hash or sorted set of the wrong
 * type, or a stored number that is not finite, is reset (see `reset` in the prelude).
 */
const RATE_LIB = `
local nowMs = nowUs / 1000
if ARGV[1] ~= '' then nowMs = tonumber(ARGV[1]) end
table.remove(ARGV, 1)
local MAX_WAIT = 2147483647
local MAX_TTL = 604800000
local function num(s)
  if s == nil or s == false then return nil end
  if s == 'inf' then return math.huge end
  if s == '-inf' then return -math.huge end
  if s == 'nan' or s == '-nan' then return 0 / 0 end
  return tonumber(s)
end
local function fmt(x) return string.format('%.17g', x) end
-- Appends a hash field and its number to an HMSET argument list, unless the number is nil.
local function put(out, name, x)
  if x ~= nil then
    out[#out + 1] = name
    out[#out + 1] = fmt(x)
  end
end
-- HMGET of a hash's fields, each a finite number (or absent, nil), or '0'/'1' flags and names kept as strings
-- (the fields listed in \`keep\`). A key that is not a hash, or a number field that does not read as a finite
-- number, resets the key: every field is then nil.
local function readHash(key, fields, keep)
  local v = redis.pcall('HMGET', key, unpack(fields))
  if type(v) == 'table' and v.err then
    reset(key)
    return {}
  end
  local out = {}
  for i = 1, #fields do
    local s = v[i]
    if s then
      if keep ~= nil and keep[fields[i]] then
        out[i] = s
      else
        local x = tonumber(s)
        if x == nil or x ~= x or x == math.huge or x == -math.huge then
          reset(key)
          return {}
        end
        out[i] = x
      end
    end
  end
  return out
end
-- A sorted set key of another type is reset.
local function zsetOrReset(key)
  local kind = redis.call('TYPE', key)
  if type(kind) == 'table' then kind = kind.ok end
  if kind ~= 'zset' and kind ~= 'none' then reset(key) end
end
local function sanitize(v)
  if not (v > 0) then return 0 end
  return v
end
local function clampWait(ms)
  if not (ms < MAX_WAIT) then return MAX_WAIT end
  return math.max(1, math.ceil(ms - 1e-6))
end
local function newBucket(rate, cap, tokens)
  local b = { rate = sanitize(rate), cap = math.max(1, sanitize(cap)), last = nowMs }
  if tokens == nil then tokens = b.cap end
  b.tokens = math.min(b.cap, tokens)
  return b
end
local function refill(b)
  local elapsed = nowMs - b.last
  if not (elapsed > 0) then return end
  b.last = nowMs
  if b.tokens >= b.cap then return end
  b.tokens = math.min(b.cap, b.tokens + (elapsed / 1000) * b.rate)
end
local function setRate(b, rate, cap)
  refill(b)
  b.rate = sanitize(rate)
  b.cap = math.max(1, sanitize(cap))
  if b.tokens > b.cap then b.tokens = b.cap end
end
local function waitMs(b)
  refill(b)
  local held = 0
  if b.hold ~= nil and b.hold > nowMs then held = b.hold - nowMs end
  if b.tokens >= 1 - 1e-9 then
    if held == 0 then return 0 end
    return clampWait(held)
  end
  if b.rate <= 0 then return MAX_WAIT end
  return clampWait(math.max(held, ((1 - b.tokens) / b.rate) * 1000))
end
local function take(b)
  refill(b)
  b.tokens = b.tokens - 1
end
local function empty(b)
  refill(b)
  if b.tokens > 0 then b.tokens = 0 end
end
-- The bucket stored in a hash under the field prefix p (nil when there is none). A bucket with a field missing
-- or unreadable resets its key.
local function loadBucket(key, p)
  local v = readHash(key, { p .. 't', p .. 'l', p .. 'r', p .. 'c', p .. 'h' })
  if v[1] == nil and v[2] == nil and v[3] == nil and v[4] == nil then return nil end
  if v[1] == nil or v[2] == nil or v[3] == nil or v[4] == nil then
    reset(key)
    return nil
  end
  return { tokens = v[1], last = v[2], rate = v[3], cap = v[4], hold = v[5] }
end
local function bucketFields(b, p, out)
  put(out, p .. 't', b.tokens)
  put(out, p .. 'l', b.last)
  put(out, p .. 'r', b.rate)
  put(out, p .. 'c', b.cap)
  put(out, p .. 'h', b.hold)
end
local function expire(key, ttl, b)
  local ms = ttl
  if b ~= nil and b.rate > 0 and b.tokens < b.cap then
    local fill = ((b.cap - b.tokens) / b.rate) * 1000
    if fill > ms then ms = fill end
  end
  if b ~= nil and b.hold ~= nil and b.hold - nowMs > ms then ms = b.hold - nowMs end
  if not (ms < MAX_TTL) then ms = MAX_TTL end
  redis.call('PEXPIRE', key, math.max(1, math.ceil(ms)))
end
`.trim();

function rateScript(name: string, body: string): LuaScript {
  return script(name, `${RATE_LIB}\n${body.trim()}`);
}

/**
 * `LocalRateLimitBackend.acquire` on Redis. KEYS[1] the partner's customers waiting for a share of its rate
 * (sorted set: customer -> until when its last wait runs, in ms), KEYS[2] the customer's fair-share bucket, then
 * one key per static rule bucket, then one key per level (its learnt bucket is the hash's `b*` fields; `hb`,
 * on the partner's, when its learnt bucket last held a call back). ARGV[1] the
 * clock ('' for Redis time; see RATE_LIB), ARGV[2] key TTL (ms), ARGV[3] number of rules, ARGV[4] fairness
 * ('1'/'0'), ARGV[5] '1' when the call has a customer, ARGV[6] the customer, then per rule: rate per second,
 * capacity, its level ('p', 'c' or 'o': partner, customer, operation); then per level: 'p', 'c' or 'o'. Takes one
 * token from every bucket and answers 0, or answers the ms to wait (1 .. 2^31-1) and takes nothing. The reply is
 * that number, or `{ number, key, ... }` naming keys that were reset.
 */
export const RATE_ACQUIRE = rateScript(
  'rateLimit.acquire',
  `
local ttl = tonumber(ARGV[1])
local nRules = tonumber(ARGV[2])
local fairness = ARGV[3] == '1'
local hasCustomer = ARGV[4] == '1'
local customer = ARGV[5]
local used = {}
local partnerRate = math.huge
local partnerCap = math.huge
-- The longest wait of the partner's buckets and the customer's share of them, and of the tenant's own.
local partnerWait = 0
local ownWait = 0
local a = 6
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
  used[#used + 1] = { key = key, p = '', b = b }
  local needed = waitMs(b)
  if isPartner then
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
  if b ~= nil then
    local u = { key = KEYS[i], p = 'b', b = b }
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
  used[#used + 1] = { key = KEYS[2], p = '', b = b }
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
  redis.call('HMSET', u.key, unpack(fields))
  expire(u.key, ttl, u.b)
end
return reply(wait)
`,
);

/** The fields RATE_RECORD reads from a level's hash, in order (`s[i]` in the script). */
const LEVEL_FIELDS = 'mc mb ms on cur wm k lt bt bl br bc mp qu hb bh mt mh es ec ra rn ct cu'.split(' ');

/**
 * `LocalRateLimitBackend.record` on Redis (with `MeasuredRate` and `AdaptiveRate` ported). KEYS: one hash per
 * level of the plan, partner first: measured rate (`mc` count, `mb` open bucket's start, `ms` smoothed rate,
 * `mp` '1' until the first bucket closes, `mt` last answer, `mh` paused since, `ra` and `rn` the current run's
 * start and count), learnt rate once throttled (`on`, `cur`, `wm`, `k`, `lt`, `qu`; `es` and `ec` while the
 * first throttle's estimate is open: the ms it spreads its calls over and its cap), learnt bucket (`bt`, `bl`,
 * `br`, `bc`, `bh` held until) and, for the partner, `hb` (when its learnt bucket last held a call back, see
 * RATE_ACQUIRE), `ct` and `cu` (a tenant's 429 waiting to be told whose quota it was, and until when). ARGV[1] the clock ('' for Redis time;
 * see RATE_LIB), ARGV[2] key TTL (ms), ARGV[3] the mask of levels charged with a throttle (bit i: level i,
 * 0-based), ARGV[4] how many ms ago the request was sent, ARGV[5] adaptive ('1'/'0'), ARGV[6] beta, ARGV[7]
 * scale, ARGV[8] minRate, ARGV[9] plateau, ARGV[10] the throttle's quiet time (ms: its Retry-After; `qu`, when
 * a level's quiet time ends), ARGV[11] '1' to charge the partner instead of a tenant while the partner's learnt
 * rate holds calls back (see `LocalRateLimitBackend`'s attribute), ARGV[12] the longest quiet time that may
 * be charged to the partner for a tenant's 429, ARGV[13] the call's tenant ('' when none), then per level: 'p',
 * 'c' or 'o'. The reply is 1, or `{ 1, key, ... }` naming keys that were reset.
 */
export const RATE_RECORD = rateScript(
  'rateLimit.record',
  `
local ttl = tonumber(ARGV[1])
local chargedMask = tonumber(ARGV[2])
local sentAt = nowMs - math.max(0, tonumber(ARGV[3]))
local adaptive = ARGV[4] == '1'
local beta = num(ARGV[5])
local scale = num(ARGV[6])
local minRate = num(ARGV[7])
local plateau = num(ARGV[8])
local quietMs = math.max(0, num(ARGV[9]) or 0)
local tenant = ARGV[12]
local FIELDS = { ${LEVEL_FIELDS.map((field) => `'${field}'`).join(', ')} }
local KEEP = { on = true, mp = true, ct = true }
local states = {}
for i = 1, #KEYS do states[i] = readHash(KEYS[i], FIELDS, KEEP) end
-- Whose quota a tenant's 429 was while the partner's learnt rate holds calls back (LocalRateLimitBackend's
-- attribute): one alone is only measured and waits as the partner's candidate until its Retry-After and a second
-- more have passed; another tenant's within that time makes it the partner's, the same tenant's again its own.
if ARGV[10] == '1' and chargedMask > 0 and chargedMask % 2 == 0 and quietMs <= num(ARGV[11])
  and ARGV[13] == 'p' then
  local p = states[1]
  if p[9] ~= nil and p[15] ~= nil and nowMs - p[15] <= 1000 then
    if p[4] == '1' and sentAt < (p[14] or p[8]) then
      chargedMask = 0
    elseif p[23] ~= nil and p[24] ~= nil and nowMs <= p[24] then
      redis.call('HDEL', KEYS[1], 'ct', 'cu')
      if p[23] ~= tenant then chargedMask = 1 end
    else
      redis.call('HSET', KEYS[1], 'ct', tenant, 'cu', fmt(nowMs + quietMs + 1000))
      chargedMask = 0
    end
  end
end
-- Every 429 is charged to some level: a 429 is not counted in the measured rates (what passed is).
local accepted = 1
if tonumber(ARGV[2]) > 0 then accepted = 0 end
local function rateOf(m)
  if not m.prov then return m.smoothed end
  if m.start == nil then return 0 end
  return m.count * 1000 / math.max(500, m.lastAt - m.start)
end
local function measure(m)
  if m.held ~= nil then
    -- Answers to requests sent before a throttle's pause are not counted; measuring starts over after it.
    if sentAt < m.held then return rateOf(m) end
    m.held = nil
    m.prov = true
    m.count = 0
    m.start = sentAt
    m.runStart = sentAt
    m.runCount = 0
  elseif m.runStart == nil or nowMs - m.lastAt > 1000 then
    -- A silence of more than 1 s ends a run of answers.
    m.runStart = nowMs
    m.runCount = 0
  end
  m.count = m.count + accepted
  m.runCount = m.runCount + accepted
  m.lastAt = nowMs
  if m.start == nil then
    m.start = nowMs
  elseif nowMs - m.start >= 500 then
    local current = m.count * 1000 / (nowMs - m.start)
    if m.prov then m.smoothed = current else m.smoothed = current * 0.8 + m.smoothed * (1 - 0.8) end
    m.prov = false
    m.count = 0
    m.start = nowMs
  end
  return rateOf(m)
end
-- The current run's rate (MeasuredRate.runRate).
local function runRate(m)
  if m.runStart == nil then return 0 end
  return m.runCount * 1000 / math.max(500, m.lastAt - m.runStart)
end
-- The quota estimate of a first throttle and the ms it spreads its calls over (MeasuredRate.quotaEstimate).
local function estimate(m, pauseMs)
  local runMs = 0
  if m.runStart ~= nil then runMs = m.lastAt - m.runStart end
  local spanMs = math.max(500, runMs + pauseMs)
  local calls = m.runCount
  if not m.prov then calls = math.max(calls, m.smoothed * runMs / 1000) end
  return calls * 1000 / spanMs, spanMs
end
local function settled(m)
  return (not m.prov) or (m.start ~= nil and m.lastAt - m.start >= 500)
end
local function cbrt(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x end
  local y
  if x < 0 then y = -((-x) ^ (1 / 3)) else y = x ^ (1 / 3) end
  return y - (y * y * y - x) / (3 * y * y)
end
local function onResponse(ad, m, charged, effective)
  local measured = measure(m)
  local nextRate
  if charged then
    if not ad.on then
      -- The first throttle: the quota is estimated as what got through spread over the time measured plus the
      -- Retry-After; the rate starts at its plateau, or at beta x the measured rate when that is lower.
      local rate, span = estimate(m, quietMs)
      ad.wm = rate * plateau
      ad.ec = math.max(measured, runRate(m)) * beta
      ad.es = span
      nextRate = math.min(ad.ec, ad.wm)
    else
      -- Less than a bucket's width measured since the last pause says too little: the rate held to is used
      -- (and the measured rate does not cap the new one).
      local isSettled = settled(m)
      local base = effective
      if isSettled then base = math.min(measured, effective) end
      ad.wm = base * plateau
      ad.es = nil
      if isSettled then nextRate = math.min(base * beta, measured * 2) else nextRate = base * beta end
    end
    ad.k = cbrt((ad.wm - nextRate) / scale)
    ad.lt = nowMs
    ad.qu = nowMs + quietMs
    ad.on = true
    if m.held == nil then m.held = nowMs end
  else
    if not ad.on then return ad.cur end
    if ad.es ~= nil then
      if nowMs >= ad.qu or sentAt >= ad.lt then
        ad.es = nil
      elseif accepted == 1 then
        -- A success of a request sent before the first throttle, answered during its Retry-After: one more
        -- call through the quota.
        ad.wm = ad.wm + plateau * 1000 / ad.es
        ad.cur = math.max(minRate, math.min(ad.ec, ad.wm))
        ad.k = cbrt((ad.wm - ad.cur) / scale)
        return ad.cur
      end
    end
    nextRate = scale * ((nowMs - ad.lt) / 1000 - ad.k) ^ 3 + ad.wm
    -- Growth capped at twice the measured rate; never lowered by that cap, only by throttles.
    if nextRate > ad.cur then nextRate = math.min(nextRate, math.max(ad.cur, measured * 2)) end
  end
  ad.cur = math.max(minRate, nextRate)
  return ad.cur
end
for i = 1, #KEYS do
  local key = KEYS[i]
  local s = states[i]
  local bit = math.floor(chargedMask / 2 ^ (i - 1)) % 2 == 1
  -- A throttle of a request sent before the level's quiet time ended (its last decrease plus that throttle's
  -- Retry-After) is only measured.
  local charged = bit and (s[4] ~= '1' or sentAt >= (s[14] or s[8]))
  -- An operation level is measured only once it has been throttled.
  if s[1] or charged or ARGV[12 + i] ~= 'o' then
    local m = {
      count = s[1] or 0, start = s[2], smoothed = s[3] or 0, prov = s[13] ~= '0',
      lastAt = s[17] or 0, held = s[18],
      runStart = s[21], runCount = s[22] or 0,
    }
    local fields = {}
    local b = nil
    if s[9] and s[10] and s[11] and s[12] then
      b = { tokens = s[9], last = s[10], rate = s[11], cap = s[12], hold = s[16] }
    end
    if not adaptive or (not charged and s[4] ~= '1') then
      measure(m)
    else
      local ad
      if s[4] == '1' and s[5] and s[6] and s[7] and s[8] then
        ad = { on = true, cur = s[5], wm = s[6], k = s[7], lt = s[8], qu = s[14] or s[8], es = s[19], ec = s[20] }
      else
        ad = { on = false, cur = math.huge, wm = 0, k = 0, lt = 0 }
      end
      local effective = ad.cur
      if b ~= nil then effective = b.rate end
      local rate = onResponse(ad, m, charged, effective)
      local cap = math.max(1, rate * 0.1)
      if b == nil then
        -- One token: the throttled call itself may go again once its Retry-After has passed.
        b = newBucket(rate, cap, 1)
      else
        setRate(b, rate, cap)
        if charged then empty(b) end
      end
      -- No call of a charged level goes before the throttle's Retry-After: its quota's window is still full.
      if charged and quietMs > 0 and (b.hold == nil or b.hold < nowMs + quietMs) then b.hold = nowMs + quietMs end
      fields[#fields + 1] = 'on'
      fields[#fields + 1] = ad.on and '1' or '0'
      put(fields, 'cur', ad.cur)
      put(fields, 'wm', ad.wm)
      put(fields, 'k', ad.k)
      put(fields, 'lt', ad.lt)
      put(fields, 'qu', ad.qu or ad.lt)
      if ad.es ~= nil then
        put(fields, 'es', ad.es)
        put(fields, 'ec', ad.ec)
      elseif s[19] then
        redis.call('HDEL', key, 'es', 'ec')
      end
      bucketFields(b, 'b', fields)
    end
    put(fields, 'mc', m.count)
    put(fields, 'ms', m.smoothed)
    fields[#fields + 1] = 'mp'
    fields[#fields + 1] = m.prov and '1' or '0'
    put(fields, 'mt', m.lastAt)
    put(fields, 'mb', m.start)
    -- measure() has set the run.
    put(fields, 'ra', m.runStart)
    put(fields, 'rn', m.runCount)
    if m.held ~= nil then
      put(fields, 'mh', m.held)
    else
      redis.call('HDEL', key, 'mh')
    end
    redis.call('HMSET', key, unpack(fields))
    expire(key, ttl, b)
  end
end
return reply(1)
`,
);
