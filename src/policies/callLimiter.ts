import type { EventHub } from '../observability/EventHub.js';
import type { NormalizedOptions } from '../options/normalizeOptions.js';
import type { ResolvedRateLimit } from '../options/RateLimitOptions.js';
import type { LimiterSettings, LimitPlan, RateLimitBackend } from '../stores/rateLimitProtocol.js';
import type { Call } from './call.js';
import { BoundedMap } from './rateLimiter/boundedMap.js';
import { type LocalLane, LocalRateLimitBackend } from './rateLimiter/localBackend.js';
import { MEASURE_BUCKET_MS } from './rateLimiter/measuredRate.js';
import { RateLimiter } from './rateLimiter/rateLimiter.js';
import { pathTemplate } from './rateLimiter/rules.js';
import { type SlotWaitDeps, waitForSlot } from './rateLimiter/slotWait.js';
import { MAX_WAIT_MS, TOKEN_EPSILON } from './rateLimiter/tokenBucket.js';
import type { StoreAccess } from './storeAccess.js';

// Copied once: the fast path reads no other module's binding per call (under a module transform, such as the
// test runner's, each read of an imported binding is a call into the module that exports it).
const BUCKET_MS = MEASURE_BUCKET_MS;
const EPSILON = TOKEN_EPSILON;

/** URLs whose plans are kept; the oldest is dropped beyond it. */
const MAX_CACHED_PLANS = 1_000;

/** Plans kept for one URL (scopes, methods and base URLs it was called with). */
const MAX_PLANS_PER_URL = 16;

/** A cached plan, and the next one cached under the same URL (another scope, method or base URL). */
interface CachedPlan {
  readonly scope: string;
  readonly method: string;
  readonly base: string;
  readonly plan: LimitPlan;
  readonly next: CachedPlan | undefined;
}
/** An absolute URL (`https://host/...`). */
const ABSOLUTE_URL = /^[a-z][a-z\d+\-.]*:\/\//i;

/**
 * A plan as {@link CallLimiter.planOf} answers it: with a slot for its lane in this process's backend (a field,
 * not a lookup; backends read the plan's own fields only).
 */
interface LanedPlan extends LimitPlan {
  lane: LocalLane | undefined;
}

/** What the limiter reads of a call to plan it: its request config, scope and method. */
export type PlannedCall = Pick<Call, 'config' | 'scope' | 'method'>;

/** A store's limiter state when it is this process's: its lanes come without asking the backend. */
type LaneSource = RateLimitBackend & {
  lane(plan: LimitPlan, now: number): LocalLane;
  readonly version: number;
};

/**
 * The engine's side of the rate limiter: the plan of each call (its scope's levels and the rules that apply,
 * cached per scope, method and URL), one synchronous check for the success path, the bounded wait for a
 * slot, and what each attempt's outcome teaches the limiter. The state lives in the store's backend when
 * it has one (shared by the instances, or processes, that use the store), else in one of this instance's.
 *
 * A healthy call runs in this file only: with this process's backend, the plan's lane (its level states and
 * its one rule's bucket, see `LocalLane`) is found once; then taking a token and measuring a success are done
 * here, as `TokenBucket.tryTake` and `MeasuredRate.record` do them, for as long as nothing learnt limits the
 * plan, the bucket has a token, and the answer closes no measuring bucket, starts no run and ends no pause.
 * Anything else goes through the backend.
 */
export class CallLimiter {
  private readonly limiter: RateLimiter;
  private readonly backend: RateLimitBackend;
  /** The backend when it hands out lanes (this process's), else `undefined`. */
  private readonly local: LaneSource | undefined;
  private readonly settings: LimiterSettings;
  /** Per request URL (as the caller wrote it), its plans: no key is built per call. */
  private readonly plans = new BoundedMap<CachedPlan>(MAX_CACHED_PLANS);
  private readonly partner: string;
  private readonly waits: SlotWaitDeps;
  private lastBase: string | undefined;
  private lastBasePath = '';

  constructor(
    settings: ResolvedRateLimit,
    options: NormalizedOptions,
    store: { readonly rateLimit?: RateLimitBackend | undefined },
    private readonly access: StoreAccess,
    hub: EventHub,
  ) {
    this.backend = store.rateLimit ?? new LocalRateLimitBackend(options.maxScopes);
    const backend = this.backend as Partial<LaneSource>;
    this.local = typeof backend.lane === 'function' ? (backend as LaneSource) : undefined;
    this.limiter = new RateLimiter({
      ...settings,
      maxScopes: options.maxScopes,
      maxPartnerQuietMs: options.policy.retry.maxRetryAfterMs,
    });
    this.settings = this.limiter.settings;
    this.partner = options.partnerScope;
    this.waits = {
      backend: this.backend,
      settings: this.settings,
      access,
      hub,
      maxWaitMs: settings.maxWaitMs,
    };
  }

  /** The call's plan (cached). */
  planOf(call: PlannedCall): LimitPlan {
    const config = call.config;
    const url = config.url ?? '';
    const base = config.baseURL ?? '';
    const { scope, method } = call;
    const plans = this.plans;
    const first = plans.young.get(url) ?? plans.get(url);
    let chained = 0;
    for (let cached = first; cached !== undefined; cached = cached.next) {
      if (cached.scope === scope && cached.method === method && cached.base === base) return cached.plan;
      chained += 1;
    }
    const { partner, customer, levels, rules } = this.limiter.buildPlan({
      partner: this.partner,
      // The partner's own calls are one more tenant of it (their own level, and their share).
      customer: scope,
      method,
      pathTemplate: pathTemplate(this.pathOf(base, url)),
    });
    const plan: LanedPlan = { partner, customer, levels, rules, lane: undefined };
    // One URL called in many scopes (a `tenant` option per request) keeps its latest plans only.
    const next = chained < MAX_PLANS_PER_URL ? first : undefined;
    plans.set(url, { scope, method, base, plan, next });
    return plan;
  }

  /**
   * The success path's check: true when the call may go now without waiting (nothing limits its plan, or a
   * synchronous backend granted a slot); false when it must take the slow path (a wait, or a backend that
   * answers asynchronously). `plan`: one {@link planOf} answered.
   */
  tryNow(plan: LimitPlan): boolean {
    const backend = this.backend;
    const local = this.local;
    if (local !== undefined) {
      const now = Date.now();
      const laned = plan as LanedPlan;
      let lane = laned.lane;
      if (lane === undefined || lane.version !== local.version || !lane.complete) {
        lane = local.lane(plan, now);
        laned.lane = lane;
      }
      if (takeNow(plan, lane, now)) return true;
      return local.acquire(plan, this.settings, now) === 0;
    }
    if (backend.free?.(plan) === true) return true;
    return backend.synchronous === true && backend.acquire(plan, this.settings, Date.now()) === 0;
  }

  /**
   * Waits for a slot for the call's next attempt: bounded by the call's budget, its abort and `maxWaitMs`;
   * each wait is reported through `onRateLimit`. Rejects with kind `throttled` when the next slot is beyond
   * what the call may wait (no request is sent). A store that fails or times out lets the call go. Resolves
   * with true when the call waited.
   */
  waitForSlot(call: Call, plan: LimitPlan): Promise<boolean> {
    return waitForSlot(this.waits, call, plan);
  }

  /**
   * Records an attempt's outcome: every answer is measured; a 429 lowers the charged levels' rates.
   * `sentAt`: when the attempt was sent (epoch ms); `retryAfterMs`: a 429's Retry-After (its levels' quiet time).
   */
  record(
    call: Pick<Call, 'scope'>,
    plan: LimitPlan,
    throttled: boolean,
    sentAt: number,
    retryAfterMs?: number,
  ): void {
    const backend = this.backend;
    const now = Date.now();
    if (!throttled && this.measureNow(plan, now, sentAt)) return;
    const quietMs = throttled ? quietMsOf(retryAfterMs) : 0;
    const charged = throttled ? this.limiter.charged(plan, now, true, quietMs) : 0;
    const response = { plan, settings: this.settings, now, charged, sentMsAgo: now - sentAt, quietMs };
    if (backend.synchronous === true) backend.record(response);
    else this.access.write('rateLimit.record', call.scope, () => backend.record(response));
  }

  /**
   * A success measured in the plan's lane, when it has a current one whose levels learn nothing from it (no
   * learnt rate to adjust): true when done.
   */
  private measureNow(plan: LimitPlan, now: number, sentAt: number): boolean {
    const local = this.local;
    const lane = local === undefined ? undefined : (plan as LanedPlan).lane;
    if (lane === undefined || lane.version !== (local as LaneSource).version || !lane.complete) return false;
    const states = lane.states;
    // A level with a bucket (learnt, or a slow start's) learns from every answer.
    if (this.settings.adaptive !== false)
      for (const state of states) if (state.bucket !== undefined) return false;
    for (const state of states) {
      // An answer within a bucket's width of its start is within the run gap of the last one too
      // (MEASURE_BUCKET_MS < RUN_GAP_MS, and no answer came before the bucket's start): it continues the run.
      if (
        state.heldAt === undefined &&
        state.runStart !== undefined &&
        state.start !== undefined &&
        now - state.start < BUCKET_MS
      ) {
        state.count += 1;
        state.runCount += 1;
        state.lastAt = now;
      } else state.record(now, true, Math.min(now, sentAt));
    }
    return true;
  }

  /** The path a request goes to: an absolute URL's own, else the base URL's path joined with the URL. */
  private pathOf(base: string, url: string): string {
    if (ABSOLUTE_URL.test(url)) return pathOfUrl(url);
    if (base !== this.lastBase) {
      // One base URL is the rule: its path is parsed once, not for every new URL.
      this.lastBase = base;
      this.lastBasePath = ABSOLUTE_URL.test(base) ? pathOfUrl(base) : base;
    }
    const basePath = this.lastBasePath;
    if (basePath === '' || basePath === '/') return url;
    return `${basePath.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  }
}

/**
 * A slot taken in the plan's lane when nothing learnt limits its levels and no rule, or one rule whose bucket
 * has a token, does: `TokenBucket.tryTake` (refill, then take) without a call. False: ask the backend.
 */
function takeNow(plan: LimitPlan, lane: LocalLane, now: number): boolean {
  // A level without a state yet (a partner's first call may start slow) is the backend's to decide.
  if (!lane.complete) return false;
  for (const state of lane.states) if (state.bucket !== undefined) return false;
  if (plan.rules.length === 0) return true;
  const bucket = lane.bucket;
  const rule = lane.rule;
  if (bucket === undefined || rule === undefined) return false;
  if (bucket.ratePerSecond !== rule.ratePerSecond || bucket.capacity !== rule.capacity) return false;
  const elapsed = now - bucket.lastRefill;
  if (elapsed > 0) {
    bucket.lastRefill = now;
    if (bucket.tokens < bucket.capacity)
      bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (elapsed / 1000) * bucket.ratePerSecond);
  }
  if (bucket.tokens < 1 - EPSILON || bucket.notBefore > now) return false;
  bucket.tokens -= 1;
  return true;
}

/** A Retry-After as a level's quiet time: 0 when absent or not a finite number, at most 2^31-1 ms. */
function quietMsOf(retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return 0;
  return Math.min(retryAfterMs, MAX_WAIT_MS);
}

function pathOfUrl(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}
