import type { LimiterSettings, LimitPlan, LimitRecord } from './rateLimitProtocol.js';
import { type LuaScript, RATE_ACQUIRE, RATE_RECORD } from './redisScripts.js';

/** Runs a script with its keys (all under one hash tag) and string arguments. */
export type RedisScriptRunner = (
  lua: LuaScript,
  keys: readonly string[],
  args: readonly string[],
) => Promise<unknown>;

/** What {@link createRedisRateLimit} needs from its store. */
export interface RedisRateLimitOptions {
  /** Runs a script on Redis (EVALSHA, EVAL on NOSCRIPT). */
  readonly evalScript: RedisScriptRunner;
  /** The key of a piece of a partner's limiter state (see {@link rateLimitKey}). */
  readonly key: (partner: string, stateKey: string) => string;
  /** Time to live of the keys after their last use (ms). */
  readonly keyTtlMs: number;
  /**
   * Time to live of the levels' keys (their learnt rates, and whether the partner's slow start has ended)
   * after their last use (ms). Default: the settings' `learntTtlMs`, else `keyTtlMs`.
   */
  readonly learntTtlMs?: number;
  /**
   * Whose clock the scripts use: Redis's `TIME` (`'redis'`, the default: processes whose clocks disagree share
   * one), or the `now` each call passes (`'caller'`: tests compare the scripts with the local backend on one
   * injected clock).
   */
  readonly clock?: 'redis' | 'caller';
  /** Told of each key a script could not read and reset (the wrong type, or a number that is not finite). */
  readonly onResetKey?: (
    key: string,
    operation: 'rateLimit.acquire' | 'rateLimit.record',
    partner: string,
  ) => void;
}

/**
 * The key of one piece of a partner's limiter state: `{keyPrefix}{rl:<partner>}:<stateKey>`. The
 * `{rl:<partner>}` hash tag keeps all of a partner's state on one Redis Cluster slot, so that a script may
 * touch any of it. State keys are a plan's (`r:...` rule buckets, `p:`/`c:`/`o:...` levels), `w` (the
 * partner's customers waiting for a share of its rate) and `s:<customer>` (a customer's fair-share bucket).
 */
export function rateLimitKey(keyPrefix: string, partner: string, stateKey: string): string {
  return `${keyPrefix}{rl:${partner}}:${stateKey}`;
}

/** A number as the scripts read it back exactly (`inf`, `-inf` and `nan` included). */
function arg(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

/**
 * A script's reply: its answer, and the keys it reset (a script that had to reset keys answers
 * `[answer, key, ...]`).
 */
export function scriptReply(reply: unknown): { answer: unknown; reset: string[] } {
  if (!Array.isArray(reply)) return { answer: reply, reset: [] };
  return { answer: reply[0], reset: reply.slice(1).map((key) => String(key)) };
}

function toWait(reply: unknown): number {
  const value = typeof reply === 'number' ? reply : typeof reply === 'string' ? Number(reply) : Number.NaN;
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`unexpected reply from Redis: ${String(reply)}`);
  return value;
}

const LEVEL_KIND = { partner: 'p', customer: 'c', operation: 'o' } as const;

/**
 * The limiter's state in Redis, with the semantics of `LocalRateLimitBackend`: one Lua script per
 * `acquire` and one per `record`, atomic, on Redis's clock (unless `clock: 'caller'`), so that every process
 * using the same Redis shares the buckets, learnt rates and the customers waiting for shares. Rejects when
 * Redis fails: the store wraps it with its fallback. A key that cannot be read is reset by the script and
 * reported through `onResetKey`; the call goes on. No `free`: every call asks `acquire`. With
 * `settings.slowStart`, a partner met for the first time (its level's key does not exist) starts slow, as in
 * `SlowStarts`, with one slow start for every process (lua/slowStart.lua).
 */
export function createRedisRateLimit(options: RedisRateLimitOptions): {
  acquire(plan: LimitPlan, settings: LimiterSettings, now?: number): Promise<number>;
  /** `response.now` is used with `clock: 'caller'` only. */
  record(response: LimitRecord): Promise<void>;
} {
  const { evalScript, key, keyTtlMs } = options;
  const ttl = String(keyTtlMs);
  const learntTtl = (settings: LimiterSettings): string => {
    const ms = options.learntTtlMs ?? settings.learntTtlMs;
    return ms !== undefined && Number.isFinite(ms) && ms > 0 ? String(Math.ceil(ms)) : ttl;
  };
  const callerClock = options.clock === 'caller';
  const clockArg = (now: number | undefined) => (callerClock && now !== undefined ? arg(now) : '');
  const reported = (reply: unknown, operation: 'rateLimit.acquire' | 'rateLimit.record', partner: string) => {
    const { answer, reset } = scriptReply(reply);
    for (const resetKey of reset) options.onResetKey?.(resetKey, operation, partner);
    return answer;
  };
  return {
    async acquire(plan, settings, now) {
      const { partner, customer } = plan;
      const keys = [key(partner, 'w'), key(partner, `s:${customer ?? ''}`)];
      const args = [
        clockArg(now),
        ttl,
        String(plan.rules.length),
        settings.fairness ? '1' : '0',
        customer === undefined ? '0' : '1',
        customer ?? '',
        settings.slowStart === true && settings.adaptive !== false ? '1' : '0',
        learntTtl(settings),
      ];
      for (const rule of plan.rules) {
        keys.push(key(partner, rule.key));
        args.push(arg(rule.ratePerSecond), arg(rule.capacity), LEVEL_KIND[rule.level]);
      }
      for (const level of plan.levels) {
        keys.push(key(partner, level.key));
        args.push(LEVEL_KIND[level.level]);
      }
      return toWait(reported(await evalScript(RATE_ACQUIRE, keys, args), 'rateLimit.acquire', partner));
    },

    async record({ plan, settings, charged, sentMsAgo, quietMs, now }) {
      const adaptive = settings.adaptive;
      const keys: string[] = [];
      const args = [
        clockArg(now),
        learntTtl(settings),
        String(charged),
        arg(Math.max(0, sentMsAgo)),
        adaptive === false ? '0' : '1',
        arg(adaptive === false ? 0 : adaptive.beta),
        arg(adaptive === false ? 0 : adaptive.scale),
        arg(adaptive === false ? 0 : adaptive.minRate),
        arg(adaptive === false ? 1 : adaptive.plateau),
        arg(Math.max(0, quietMs)),
        settings.blameBoundPartner ? '1' : '0',
        arg(settings.maxPartnerQuietMs),
        plan.customer ?? '',
        settings.slowStart === true ? '1' : '0',
        plan.customer === plan.partner ? '1' : '0',
      ];
      for (const level of plan.levels) {
        keys.push(key(plan.partner, level.key));
        args.push(LEVEL_KIND[level.level]);
      }
      reported(await evalScript(RATE_RECORD, keys, args), 'rateLimit.record', plan.partner);
    },
  };
}
