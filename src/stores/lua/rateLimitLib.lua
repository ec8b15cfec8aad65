-- Shared by the rate-limit scripts (after the prelude): the clock, float (de)serialisation that keeps every
-- double (`%.17g`), and the token bucket of `src/policies/rateLimiter/tokenBucket.ts` ported line for line
-- (a bucket is `{tokens, last, rate, cap}`). The clock is Redis time in ms (with the microseconds as a
-- fraction), or, when ARGV[1] is not empty, that number of ms (tests give the script the time, to compare it
-- with the local backend on one clock); ARGV[1] is then removed, so that the scripts' own arguments start at
-- ARGV[1]. Keys expire `ttl` ms after their last use, or once their bucket is full again if that is later (a
-- bucket that expired starts full: it must not come back before it would have filled), at most 7 days. A
-- hash or sorted set of the wrong type, or a stored number that is not finite, is reset (see `reset` in the
-- prelude).
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
-- (the fields listed in `keep`). A key that is not a hash, or a number field that does not read as a finite
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
