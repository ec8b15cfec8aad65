/**
 * The rate limiter's backend protocol: what a backend (the in-memory store's, the Redis store's, or one of a
 * user's store) is given and answers. Types only, and the mask of charged levels: both the limiter
 * (src/policies/rateLimiter) and the stores import them from here.
 */

/** The level of the scope hierarchy a rule applies to: partner > customer > operation. */
export type LimitLevel = 'partner' | 'customer' | 'operation';

/** A static rule's bucket for one call: its state key, fill rate and capacity. */
export interface PlannedBucket {
  /** State key, unique per level scope and rule (`r:<level key>#<rule name>`). */
  readonly key: string;
  readonly ratePerSecond: number;
  readonly capacity: number;
  /** The bucket belongs to the partner level: its rate and capacity bound the customers' fair shares. */
  readonly partner: boolean;
  /** The level whose rule it is. */
  readonly level: LimitLevel;
  /** That level's key in the plan ({@link PlannedLevel.key}). */
  readonly levelKey: string;
  /** The rule's name (its bucket's name within the level). */
  readonly name: string;
}

/** One level of a call's scope and its state key (`p:<partner>`, `c:<partner>/<customer>`, `o:...`). */
export interface PlannedLevel {
  readonly level: LimitLevel;
  readonly key: string;
}

/**
 * What a backend needs to limit one call, built once per scope, method and path template and then reused:
 * the call's levels (partner first) and the static rule buckets that apply to it.
 */
export interface LimitPlan {
  /** The partner's id (the customers waiting for a share of its rate are counted under it). */
  readonly partner: string;
  /** The call's tenant scope (a customer's, or the partner's own), or `undefined` when it has none. */
  readonly customer: string | undefined;
  readonly levels: readonly PlannedLevel[];
  readonly rules: readonly PlannedBucket[];
}

/** The bit of level `index` (in {@link LimitPlan.levels}) in a mask of charged levels. */
export function levelBit(index: number): number {
  return 1 << index;
}

/** The limiter's settings, the same for every call of an instance. */
export interface LimiterSettings {
  /** Whether the customers waiting for a limited partner rate share it (each gets `1 / waiting` of it). */
  readonly fairness: boolean;
  /**
   * With `fairness`, whether shares are work-conserving: a customer whose share is spent may still take a slot
   * of the partner's rate that no customer with its share in hand waits for. A backend that does not
   * implement it may ignore it (its shares are then caps).
   */
  readonly workConserving?: boolean;
  /**
   * Whether a partner level with no rule starts slow (`rateLimit.slowStart`): a backend that does not
   * implement it may ignore it.
   */
  readonly slowStart?: boolean;
  /**
   * How long (ms) a partner level's learnt rate, and whether its slow start has ended, is kept after the
   * level's last use (`rateLimit.learntTtlMs`); then the level starts over (probes its quota again). The
   * in-memory backend drops the state; the Redis store's keys expire. `undefined`: the backend's own default.
   */
  readonly learntTtlMs?: number;
  /**
   * Adaptive tuning (the `rateLimit.adaptive` option with its defaults filled in), or `false` for static rules
   * only.
   */
  readonly adaptive:
    | {
        readonly beta: number;
        readonly scale: number;
        readonly plateau: number;
        readonly minRate: number;
      }
    | false;
  /**
   * `throttleLevel: 'auto'`: a throttle charged to a tenant is charged to the partner instead while the
   * partner's learnt rate is what holds calls back (it made a call wait within the last second): the partner's
   * quota is the one at its limit, and lowering the tenant's own rate would starve that tenant.
   */
  readonly blameBoundPartner: boolean;
  /**
   * A tenant's throttle whose quiet time (Retry-After) is longer than this (ms) is the tenant's own: it is never
   * charged to the partner (escalated or blamed), so that no tenant's long Retry-After holds the whole partner.
   */
  readonly maxPartnerQuietMs: number;
}

/** One response, as {@link RateLimitBackend.record} is told of it. */
export interface LimitRecord {
  /** The plan of the call answered. */
  readonly plan: LimitPlan;
  /** The settings of the limiter that planned it. */
  readonly settings: LimiterSettings;
  /** When the response came (epoch ms); a shared backend may use its own clock instead. */
  readonly now: number;
  /** The levels the response is charged to: a mask of {@link levelBit}s; 0 for an answer that was not a throttle. */
  readonly charged: number;
  /** How long before `now` the request was sent (ms). */
  readonly sentMsAgo: number;
  /** A throttle's quiet time (its Retry-After, ms); 0 when none. */
  readonly quietMs: number;
}

/**
 * Where the limiter's state lives: buckets, learnt rates and the customers waiting for shares. The in-memory
 * store holds one for every instance that shares it; the Redis store keeps it in Redis (Lua scripts, Redis time)
 * so that processes share it. `now` is epoch ms; a shared backend may use its own clock instead.
 */
export interface RateLimitBackend {
  /**
   * Whether every answer is synchronous and no method throws (the in-memory store's backend). Default `false`:
   * answers may be promises and a method may throw or hang; the engine then bounds each call (the store's
   * timeout, the call's budget and abort) and lets the call go when the backend fails.
   */
  readonly synchronous?: boolean;
  /**
   * Takes one token from every bucket that limits `plan` and answers 0, or answers the ms to wait before a
   * token may be taken (1 .. 2^31-1) and takes nothing.
   */
  acquire(plan: LimitPlan, settings: LimiterSettings, now: number): number | Promise<number>;
  /**
   * Records one response: the send rate of each level, and a throttle charged to the levels in `charged`. A
   * throttle of a request sent before its level's rate was last lowered says nothing new (the rate it was sent
   * at is already gone) and is only measured, as TCP lowers its window once per round trip; so is a throttle of
   * a request sent within `quietMs` (the Retry-After of the throttle that lowered it) after that: the quota's
   * window was still full, and other tenants sharing it are answered 429 for the same cause.
   */
  record(response: LimitRecord): void | Promise<void>;
  /**
   * Optional, synchronous: true when nothing limits `plan` now (no rule, no learnt rate), so the call need not
   * ask {@link acquire}. A backend without it is asked for every call.
   */
  free?(plan: LimitPlan): boolean;
}
