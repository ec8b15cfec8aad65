import type { LimiterSettings, LimitPlan, RateLimitBackend } from '../policies/rateLimiter/plan.js';
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
}

/**
 * The key of one piece of a partner's limiter state: `{keyPrefix}{rl:<partner>}:<stateKey>`. The
 * `{rl:<partner>}` hash tag keeps all of a partner's state on one Redis Cluster slot, so that a script may
 * touch any of it. State keys are a plan's (`r:...` rule buckets, `p:`/`c:`/`o:...` levels), `a` (the
 * partner's customer activity) and `s:<customer>` (a customer's fair-share bucket).
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

function toWait(reply: unknown): number {
  const value = typeof reply === 'number' ? reply : typeof reply === 'string' ? Number(reply) : Number.NaN;
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`unexpected reply from Redis: ${String(reply)}`);
  return value;
}

/**
 * The limiter's state in Redis, with the semantics of `LocalRateLimitBackend`: one Lua script per
 * `acquire` and one per `record`, atomic, on Redis's clock (`now` is ignored), so that every process using
 * the same Redis shares the buckets, learnt rates and customer activity. Rejects when Redis fails: the store
 * wraps it with its fallback. No `free`: every call asks {@link RateLimitBackend.acquire}.
 */
export function createRedisRateLimit(options: RedisRateLimitOptions): {
  acquire(plan: LimitPlan, settings: LimiterSettings): Promise<number>;
  record(
    plan: LimitPlan,
    settings: LimiterSettings,
    charged: number,
    sentMsAgo: number,
    quietMs?: number,
  ): Promise<void>;
} {
  const { evalScript, key, keyTtlMs } = options;
  const ttl = String(keyTtlMs);
  return {
    async acquire(plan, settings) {
      const { partner, customer } = plan;
      const keys = [key(partner, 'a'), key(partner, `s:${customer ?? ''}`)];
      const args = [
        ttl,
        String(plan.rules.length),
        settings.fairness ? '1' : '0',
        customer === undefined ? '0' : '1',
        customer ?? '',
        arg(5000),
      ];
      for (const rule of plan.rules) {
        keys.push(key(partner, rule.key));
        args.push(arg(rule.ratePerSecond), arg(rule.capacity), rule.partner ? '1' : '0');
      }
      for (const level of plan.levels) {
        keys.push(key(partner, level.key));
        args.push(level.level === 'partner' ? 'p' : level.level === 'customer' ? 'c' : 'o');
      }
      keys.push(key(partner, 'w'));
      return toWait(await evalScript(RATE_ACQUIRE, keys, args));
    },

    async record(plan, settings, charged, sentMsAgo, quietMs = 0) {
      const adaptive = settings.adaptive;
      const keys: string[] = [];
      const args = [
        ttl,
        String(charged),
        arg(Math.max(0, sentMsAgo)),
        adaptive === false ? '0' : '1',
        arg(adaptive === false ? 0 : adaptive.beta),
        arg(adaptive === false ? 0 : adaptive.scale),
        arg(adaptive === false ? 0 : adaptive.minRate),
        arg(adaptive === false ? 1 : adaptive.plateau),
        arg(Math.max(0, quietMs)),
        settings.blameBoundPartner ? '1' : '0',
      ];
      for (const level of plan.levels) {
        keys.push(key(plan.partner, level.key));
        args.push(level.level === 'operation' ? '1' : '0');
      }
      await evalScript(RATE_RECORD, keys, args);
    },
  };
}
