import type { QuotaRule } from './scenario.js';

/** What a quota is checked against. */
export interface QuotaRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Route template without method, `undefined` for an unmatched path. */
  readonly template: string | undefined;
  /** Customer tenant id (lowercase) or `undefined` for the partner scope. */
  readonly customer: string | undefined;
}

/** The outcome of one request's quota check. */
export interface QuotaCheck {
  /** Names of the quotas that counted the request, in scenario order. */
  readonly counted: readonly string[];
  /** The first quota exceeded and its `Retry-After` seconds; `undefined` when every quota allowed it. */
  readonly exceeded: { readonly name: string; readonly seconds: number } | undefined;
}

/** Windows kept per quota before expired ones are pruned. */
const PRUNE_AT = 10_000;

/** The times of the hits still inside one sliding window, oldest first (a queue over an array). */
class SlidingWindow {
  private times: number[] = [];
  private start = 0;

  /** Drops hits at or before `now - windowMs`, then counts a hit at `now`; returns the hits now in the window. */
  add(now: number, windowMs: number): number {
    this.expire(now, windowMs);
    this.times.push(now);
    return this.times.length - this.start;
  }

  /** When (injected clock) hit number `index` (0 = oldest still in the window) leaves it. */
  freesAt(index: number, windowMs: number): number {
    return (this.times[this.start + index] ?? Number.NEGATIVE_INFINITY) + windowMs;
  }

  /** True when every hit has left the window at `now`. */
  idle(now: number, windowMs: number): boolean {
    const newest = this.times[this.times.length - 1];
    return newest === undefined || newest + windowMs <= now;
  }

  private expire(now: number, windowMs: number): void {
    while (this.start < this.times.length && (this.times[this.start] as number) + windowMs <= now)
      this.start++;
    // Compact once the dead prefix is the larger half, so that the queue costs O(1) per hit amortised.
    if (this.start > 1024 && this.start * 2 > this.times.length) {
      this.times = this.times.slice(this.start);
      this.start = 0;
    }
  }
}

class CompiledQuota {
  readonly name: string;
  private readonly method: string | undefined;
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(
    private readonly rule: QuotaRule,
    index: number,
  ) {
    this.name = rule.name ?? `quotas[${index}]`;
    this.method = rule.match?.method?.toUpperCase();
  }

  /** The window key of the request for this quota, or `undefined` when the quota does not count it. */
  key(request: QuotaRequest): string | undefined {
    if (this.method !== undefined && request.method !== this.method) return undefined;
    const template = this.rule.match?.template;
    if (template !== undefined && request.template !== template) return undefined;
    if (this.rule.scope === 'partner') return 'partner';
    if (this.rule.scope === 'customer') return request.customer;
    return request.template === undefined ? undefined : `${request.method} ${request.template}`;
  }

  /** Counts the hit; returns `Retry-After` seconds when the window already held `limit` hits, else `undefined`. */
  take(key: string, now: number): number | undefined {
    const { limit, windowMs } = this.rule;
    let window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size >= PRUNE_AT) this.prune(now);
      window = new SlidingWindow();
      this.windows.set(key, window);
    }
    const count = window.add(now, windowMs);
    if (count <= limit) return undefined;
    // The next hit is allowed once only limit - 1 hits are left: when hit number count - limit leaves.
    const freesAt = window.freesAt(count - limit, windowMs);
    return Math.max(1, Math.ceil((freesAt - now) / 1000));
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.idle(now, this.rule.windowMs)) this.windows.delete(key);
    }
  }
}

/**
 * Sliding-window quotas (`scenario.quotas`). Every quota that applies counts the request, rejected or not
 * (Partner Center counts throttled requests against the quota); the first one exceeded answers.
 * Memory: one timestamp per hit still inside its window; idle windows are pruned past 10_000 keys.
 */
export class QuotaTracker {
  private readonly quotas: readonly CompiledQuota[];

  constructor(rules: readonly QuotaRule[] | undefined) {
    this.quotas = (rules ?? []).map((rule, index) => new CompiledQuota(rule, index));
  }

  take(request: QuotaRequest, now: number): QuotaCheck {
    const counted: string[] = [];
    let exceeded: QuotaCheck['exceeded'];
    for (const quota of this.quotas) {
      const key = quota.key(request);
      if (key === undefined) continue;
      counted.push(quota.name);
      const seconds = quota.take(key, now);
      if (seconds !== undefined && exceeded === undefined) exceeded = { name: quota.name, seconds };
    }
    return { counted, exceeded };
  }
}
