-- `LocalRateLimitBackend.record` on Redis (with `MeasuredRate` and `AdaptiveRate` ported; after the prelude,
-- rateLimitLib.lua and slowStart.lua). KEYS: one hash per level of the plan, partner first: measured rate (`mc` count, `mb`
-- open bucket's start, `ms` smoothed rate, `mp` '1' until the first bucket closes, `mt` last answer, `mh`
-- paused since, `ra` and `rn` the current run's start and count), learnt rate once throttled (`on`, `cur`,
-- `wm`, `k`, `lt`, `qu`; `es` and `ec` while the first throttle's estimate is open: the ms it spreads its
-- calls over and its cap), learnt bucket (`bt`, `bl`, `br`, `bc`, `bh` held until) and, for the partner, `hb`
-- (when its learnt bucket last held a call back, see rateLimitAcquire.lua), `ct` and `cu` (a tenant's 429
-- waiting to be told whose quota it was, and until when), and its slow start's fields (slowStart.lua).
-- ARGV[1] the clock ('' for Redis time; see rateLimitLib.lua), ARGV[2] key TTL (ms: the levels' learnt
-- rates), ARGV[3] the mask of levels charged with a throttle (bit i: level
-- i, 0-based), ARGV[4] how many ms ago the request was sent, ARGV[5] adaptive ('1'/'0'), ARGV[6] beta,
-- ARGV[7] scale, ARGV[8] minRate, ARGV[9] plateau, ARGV[10] the throttle's quiet time (ms: its Retry-After;
-- `qu`, when a level's quiet time ends), ARGV[11] '1' to charge the partner instead of a tenant while the
-- partner's learnt rate holds calls back (see `LocalRateLimitBackend`'s attribute), ARGV[12] the longest
-- quiet time that may be charged to the partner for a tenant's 429, ARGV[13] the call's tenant ('' when
-- none), ARGV[14] '1' when slow starts are on (`rateLimit.slowStart`), ARGV[15] '1' when the tenant is the
-- partner itself, then per level: 'p', 'c' or 'o'. The reply is 1, or `{ 1, key, ... }` naming keys that
-- were reset.
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
local slowStartOn = ARGV[13] == '1'
local partnersCall = ARGV[14] == '1'
-- The ARGV index before the levels' kinds (the kind of level i is ARGV[KINDS + i]).
local KINDS = 14
-- The fields read from each level's hash, in order (`s[i]` below).
local FIELDS = {
  'mc', 'mb', 'ms', 'on', 'cur', 'wm', 'k', 'lt', 'bt', 'bl', 'br', 'bc',
  'mp', 'qu', 'hb', 'bh', 'mt', 'mh', 'es', 'ec', 'ra', 'rn', 'ct', 'cu', 'ss', 'sn', 'sr',
}
local KEEP = { on = true, mp = true, ct = true, ss = true }
local states = {}
for i = 1, #KEYS do states[i] = readHash(KEYS[i], FIELDS, KEEP) end
-- Whose quota a tenant's 429 was while the partner's learnt rate holds calls back (LocalRateLimitBackend's
-- attribute): one alone is only measured and waits as the partner's candidate until its Retry-After and a second
-- more have passed; another tenant's within that time makes it the partner's, the same tenant's again its own.
-- With slow starts on, a 429 of the partner's own call while its rate is limited (a slow start's, or learnt)
-- is the partner's (slowStart.ts's partnersOwn).
if slowStartOn and partnersCall and chargedMask > 0 and ARGV[KINDS + 1] == 'p' and states[1][9] ~= nil then
  chargedMask = 1
elseif ARGV[10] == '1' and chargedMask > 0 and chargedMask % 2 == 0 and quietMs <= num(ARGV[11])
  and ARGV[KINDS + 1] == 'p' then
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
  if s[1] or charged or ARGV[KINDS + i] ~= 'o' then
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
    -- The partner level in its slow start (its bucket is the slow start's), and the successes it counted.
    local slow = i == 1 and s[25] == '1' and b ~= nil and ARGV[KINDS + 1] == 'p'
    local successes = s[26] or 0
    local restarts = s[27] or 0
    if slow and charged and s[4] ~= '1' and restarts < SLOW_START_RESTARTS
      and slowStartCounted(key, successes, quietMs) == 0 then
      -- A 429 into a window someone else filled (no success within its Retry-After): the slow start starts
      -- again at its first rate, its bucket empty and held until the Retry-After (SlowStart.restart).
      measure(m)
      put(fields, 'sr', restarts + 1)
      setRate(b, SLOW_START_RATE, math.max(1, SLOW_START_RATE * 0.1))
      empty(b)
      if quietMs > 0 and (b.hold == nil or b.hold < nowMs + quietMs) then b.hold = nowMs + quietMs end
      bucketFields(b, 'b', fields)
    elseif not adaptive or (not charged and s[4] ~= '1') then
      measure(m)
      if slow and accepted == 1 then
        -- A success: the slow start's rate grows (SlowStart.onSuccess); reaching the most, it ends, and
        -- nothing limits the level any more.
        put(fields, 'h' .. (successes % SLOW_START_HISTORY), nowMs)
        put(fields, 'sn', successes + 1)
        local rate = b.rate + SLOW_START_GAIN
        setRate(b, rate, math.max(1, rate * 0.1))
        if rate < SLOW_START_MAX_RATE then
          bucketFields(b, 'b', fields)
        else
          fields = {}
          slowStartEnd(key, successes)
          redis.call('HDEL', key, 'bt', 'bl', 'br', 'bc', 'bh')
          b = nil
        end
      end
    else
      local ad
      if s[4] == '1' and s[5] and s[6] and s[7] and s[8] then
        ad = { on = true, cur = s[5], wm = s[6], k = s[7], lt = s[8], qu = s[14] or s[8], es = s[19], ec = s[20] }
      else
        ad = { on = false, cur = math.huge, wm = 0, k = 0, lt = 0 }
      end
      local effective = ad.cur
      if b ~= nil then effective = b.rate end
      local rate
      if slow and charged and not ad.on then
        -- The slow start's first 429: the learnt rate starts at a fraction of the quota it estimates, and
        -- climbs to the plateau of that estimate (AdaptiveRate.startFromEstimate).
        local estimate = slowStartEstimate(key, successes, quietMs)
        slowStartEnd(key, successes)
        measure(m)
        ad.wm = estimate * plateau
        ad.cur = math.max(minRate, math.min(estimate * SLOW_START_RESUME, ad.wm))
        ad.k = cbrt((ad.wm - ad.cur) / scale)
        ad.lt = nowMs
        ad.qu = nowMs + quietMs
        ad.on = true
        if m.held == nil then m.held = nowMs end
        rate = ad.cur
      else
        rate = onResponse(ad, m, charged, effective)
      end
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
