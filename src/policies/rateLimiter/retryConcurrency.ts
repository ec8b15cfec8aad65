/** Share of active requests that may be retries at once (Envoy's default 20%). */
export const RETRY_CONCURRENCY_PERCENT = 20;
/** Concurrent retries always allowed, whatever the active count (Envoy's default 3). */
export const RETRY_CONCURRENCY_MIN = 3;

/** Tuning of {@link RetryConcurrencyCap}. */
export interface RetryConcurrencyOptions {
  /** Retries allowed as a percentage of active requests. Default `20`. */
  readonly percent?: number;
  /** Concurrent retries always allowed. Default `3`. */
  readonly minConcurrency?: number;
}

/**
 * A cap on the retries in flight of one scope (Envoy's "retry cap"): retries in flight may be at most `percent`% of the requests in
 * flight (retries included), and never fewer than `minConcurrency`. It counts concurrency, not time, so it
 * needs no clock. Calls: `onRequestStart` / `onRequestEnd` around every request, `tryStartRetry` before a
 * retry (false: do not retry) and `onRetryEnd` when that retry ends.
 */
export class RetryConcurrencyCap {
  private readonly percent: number;
  private readonly minConcurrency: number;
  private active = 0;
  private retries = 0;

  constructor(options: RetryConcurrencyOptions = {}) {
    this.percent = options.percent ?? RETRY_CONCURRENCY_PERCENT;
    this.minConcurrency = options.minConcurrency ?? RETRY_CONCURRENCY_MIN;
  }

  /** Requests in flight. */
  get activeRequests(): number {
    return this.active;
  }

  /** Retries in flight. */
  get activeRetries(): number {
    return this.retries;
  }

  /** Retries allowed in flight now. */
  get limit(): number {
    return Math.max(this.minConcurrency, Math.floor((this.active * this.percent) / 100));
  }

  onRequestStart(): void {
    this.active += 1;
  }

  onRequestEnd(): void {
    if (this.active > 0) this.active -= 1;
  }

  /** Whether one more retry fits under the cap. */
  canRetry(): boolean {
    return this.retries < this.limit;
  }

  /** Starts a retry when it fits: true (call {@link onRetryEnd} later) or false (do not retry). */
  tryStartRetry(): boolean {
    if (!this.canRetry()) return false;
    this.retries += 1;
    return true;
  }

  /** Counts a retry that was allowed without asking (it ends with {@link onRetryEnd} like the others). */
  onRetryStart(): void {
    this.retries += 1;
  }

  onRetryEnd(): void {
    if (this.retries > 0) this.retries -= 1;
  }
}

/**
 * Caps on the retries in flight per partner and per partner+customer: a retry must fit under both (the partner's
 * cap is the one the 20% / 3 applies to; each customer gets the same rule inside it). Bounded by `maxScopes`.
 */
export class HierarchicalRetryConcurrencyCap {
  private readonly caps = new Map<string, RetryConcurrencyCap>();

  constructor(
    private readonly options: RetryConcurrencyOptions = {},
    private readonly maxScopes = 10_000,
  ) {}

  onRequestStart(partner: string, customer?: string): void {
    for (const cap of this.levels(partner, customer)) cap.onRequestStart();
  }

  onRequestEnd(partner: string, customer?: string): void {
    for (const cap of this.levels(partner, customer)) cap.onRequestEnd();
  }

  canRetry(partner: string, customer?: string): boolean {
    return this.levels(partner, customer).every((cap) => cap.canRetry());
  }

  /** Starts a retry on every level, or on none (false) when one level's cap is reached. */
  tryStartRetry(partner: string, customer?: string): boolean {
    const levels = this.levels(partner, customer);
    if (!levels.every((cap) => cap.canRetry())) return false;
    for (const cap of levels) cap.tryStartRetry();
    return true;
  }

  onRetryEnd(partner: string, customer?: string): void {
    for (const cap of this.levels(partner, customer)) cap.onRetryEnd();
  }

  private levels(partner: string, customer: string | undefined): RetryConcurrencyCap[] {
    const top = this.cap(`p:${partner}`);
    return customer === undefined ? [top] : [top, this.cap(`c:${partner}/${customer}`)];
  }

  private cap(key: string): RetryConcurrencyCap {
    let cap = this.caps.get(key);
    if (cap === undefined) {
      if (this.caps.size >= this.maxScopes) {
        const idle = firstIdle(this.caps);
        if (idle !== undefined) this.caps.delete(idle);
      }
      cap = new RetryConcurrencyCap(this.options);
      this.caps.set(key, cap);
    }
    return cap;
  }
}

/** The oldest cap with nothing in flight (dropping it loses nothing). */
function firstIdle(caps: Map<string, RetryConcurrencyCap>): string | undefined {
  for (const [key, cap] of caps) if (cap.activeRequests === 0 && cap.activeRetries === 0) return key;
  return undefined;
}
