import { callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { NormalizedOptions } from '../options/normalizeOptions.js';
import type { ResolvedRateLimit } from '../options/RateLimitOptions.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { Call } from './call.js';
import { abortedError, rateLimitedTooLongError } from './callErrors.js';
import { BoundedMap } from './rateLimiter/boundedMap.js';
import { LocalRateLimitBackend } from './rateLimiter/localBackend.js';
import type { LimitPlan, RateLimitBackend } from './rateLimiter/plan.js';
import { RateLimiter } from './rateLimiter/rateLimiter.js';
import { pathTemplate } from './rateLimiter/rules.js';
import { MAX_WAIT_MS } from './rateLimiter/tokenBucket.js';
import { sleep } from './sleep.js';
import type { StoreAccess } from './storeAccess.js';

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
 * The engine's side of the rate limiter: the plan of each call (its scope's levels and the rules that apply,
 * cached per scope, method and URL), one synchronous check for the success path, the bounded wait for a
 * slot, and what each attempt's outcome teaches the limiter. The state lives in the store's backend when
 * it has one (shared by the instances, or processes, that use the store), else in one of this instance's.
 */
export class CallLimiter {
  private readonly limiter: RateLimiter;
  private readonly backend: RateLimitBackend;
  /** Per request URL (as the caller wrote it), its plans: no key is built per call. */
  private readonly plans = new BoundedMap<CachedPlan>(MAX_CACHED_PLANS);
  private readonly partner: string;
  private readonly maxWaitMs: number;
  private lastBase: string | undefined;
  private lastBasePath = '';

  constructor(
    settings: ResolvedRateLimit,
    options: NormalizedOptions,
    store: ScopeStateStore,
    private readonly access: StoreAccess,
    private readonly hub: EventHub,
  ) {
    this.backend = store.rateLimit ?? new LocalRateLimitBackend(options.maxScopes);
    this.limiter = new RateLimiter({
      ...settings,
      maxScopes: options.maxScopes,
      maxPartnerQuietMs: options.policy.retry.maxRetryAfterMs,
    });
    this.partner = options.partnerScope;
    this.maxWaitMs = settings.maxWaitMs;
  }

  /** The call's plan (cached). */
  planOf(call: Call): LimitPlan {
    const config = call.config;
    const url = config.url ?? '';
    const base = config.baseURL ?? '';
    const { scope, method } = call;
    const first = this.plans.get(url);
    let chained = 0;
    for (let cached = first; cached !== undefined; cached = cached.next) {
      if (cached.scope === scope && cached.method === method && cached.base === base) return cached.plan;
      chained += 1;
    }
    const plan = this.limiter.buildPlan({
      partner: this.partner,
      // The partner's own calls are one more tenant of it (their own level, and their share).
      customer: scope,
      method,
      pathTemplate: pathTemplate(this.pathOf(base, url)),
    });
    // One URL called in many scopes (a `tenant` option per request) keeps its latest plans only.
    const next = chained < MAX_PLANS_PER_URL ? first : undefined;
    this.plans.set(url, { scope, method, base, plan, next });
    return plan;
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

  /**
   * The success path's check: true when the call may go now without waiting (nothing limits its plan, or a
   * synchronous backend granted a slot); false when it must take the slow path (a wait, or a backend that
   * answers asynchronously).
   */
  tryNow(plan: LimitPlan): boolean {
    const backend = this.backend;
    if (backend.free?.(plan) === true) return true;
    if (!(backend instanceof LocalRateLimitBackend)) return false;
    return backend.acquire(plan, this.limiter.settings, Date.now()) === 0;
  }

  /**
   * Waits for a slot for the call's next attempt: bounded by the call's budget, its abort and `maxWaitMs`;
   * each wait is reported through `onRateLimit`. Rejects with kind `throttled` when the next slot is beyond
   * what the call may wait (no request is sent). A store that fails or times out lets the call go. Resolves
   * with true when the call waited.
   */
  async waitForSlot(call: Call, plan: LimitPlan): Promise<boolean> {
    const backend = this.backend;
    const abort = call.ensureAbort();
    const bound = { deadline: call.deadline, abort };
    let waited = false;
    for (;;) {
      if (backend.free?.(plan) === true) return waited;
      const read = this.access.read(
        'rateLimit.acquire',
        call.scope,
        () => backend.acquire(plan, this.limiter.settings, Date.now()),
        bound,
      );
      const wait = typeof read === 'object' ? await read : read;
      if (abort.aborted) throw abortedError(call);
      // A store that failed (undefined) never holds a call back.
      if (wait === undefined || wait <= 0) return waited;
      const now = Date.now();
      if (now + wait > call.deadline) {
        throw rateLimitedTooLongError(
          call,
          wait,
          `${Math.max(0, call.deadline - now)} ms left in its budget`,
        );
      }
      if (wait > this.maxWaitMs)
        throw rateLimitedTooLongError(call, wait, `rateLimit.maxWaitMs ${this.maxWaitMs}`);
      if (this.hub.listening.onRateLimit) {
        this.hub.emit('onRateLimit', { ...callInfoOf(call), attempt: call.attempts + 1, waitMs: wait });
      }
      await sleep(wait, abort, () => abortedError(call));
      waited = true;
    }
  }

  /**
   * Records an attempt's outcome: every answer is measured; a 429 lowers the charged levels' rates.
   * `sentAt`: when the attempt was sent (epoch ms); `retryAfterMs`: a 429's Retry-After (its levels' quiet time).
   */
  record(call: Call, plan: LimitPlan, throttled: boolean, sentAt: number, retryAfterMs?: number): void {
    const backend = this.backend;
    const now = Date.now();
    const quiet = throttled ? quietMsOf(retryAfterMs) : 0;
    const charged = this.limiter.charged(plan, now, throttled, quiet);
    const ago = now - sentAt;
    if (backend instanceof LocalRateLimitBackend) {
      backend.record(plan, this.limiter.settings, now, charged, ago, quiet);
      return;
    }
    this.access.write('rateLimit.record', call.scope, () =>
      backend.record(plan, this.limiter.settings, now, charged, ago, quiet),
    );
  }
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
