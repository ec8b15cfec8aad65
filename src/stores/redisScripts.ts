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
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= untilUs then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', untilUs), 'PX', ms)
return 1
`,
);

/**
 * KEYS[1] a deadline key (throttle or open). Returns the milliseconds left (rounded up), or -1 when there
 * is no deadline or it has passed.
 */
export const REMAINING = script(
  'remaining',
  `
local current = tonumber(redis.call('GET', KEYS[1]))
if not current then return -1 end
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
local tokens = tonumber(redis.call('GET', KEYS[1]))
if not tokens then tokens = maxTokens end
if tokens < 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 0
end
redis.call('SET', KEYS[1], string.format('%.17g', tokens - 1), 'PX', ttl)
return 1
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
local tokens = tonumber(redis.call('GET', KEYS[1]))
if not tokens or tokens >= maxTokens then return 0 end
redis.call('SET', KEYS[1], string.format('%.17g', math.min(maxTokens, tokens + refund)), 'PX', ttl)
return 1
`,
);
