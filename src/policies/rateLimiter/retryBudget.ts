/** Share of active requests that may be retries at once (Envoy's default 20%). */
export const RETRY_BUDGET_PERCENT = 20;
/** Concurrent retries always allowed, whatever the active count (Envoy's default 3). */
export const RETRY_BUDGET_MIN_CONCURRENCY = 3;

/** Tuning of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed as a percentage of active requests. Default `20`. */
  readonly percent?: number;
  /** Concurrent retries always allowed. Default `3`. */
  readonly minConcurrency?: number;
}

/**
 * An Envoy-style retry budget for one scope: retries in flight may be at most `percent`% of the requests in
 * flight (retries included), and never fewer than `minConcurrency`. It counts concurrency, not time, so it
 * needs no clock. Calls: `onRequestStart` / `onRequestEnd` around every request, `tryStartRetry` before a
 * retry (false: do not retry) and `onRetryEnd` when that retry ends.
 */
export class RetryBudget {
  private readonly percent: number;
  private readonly minConcurrency: number;
  private active = 0;
  private retries = 0;

  constructor(options: RetryBudgetOptions = {}) {
    this.percent = options.percent ?? RETRY_BUDGET_PERCENT;
    this.minConcurrency = options.minConcurrency ?? RETRY_BUDGET_MIN_CONCURRENCY;
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

  /** Whether one more retry fits in the budget. */
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
 * Retry budgets per partner and per partner+customer: a retry must fit in both (the partner's budget is
 * the one the brief's 20% / 3 applies to; each customer gets the same rule inside it). Bounded by `maxScopes`.
 */
export class HierarchicalRetryBudget {
  private readonly budgets = new Map<string, RetryBudget>();

  constructor(
    private readonly options: RetryBudgetOptions = {},
    private readonly maxScopes = 10_000,
  ) {}

  onRequestStart(partner: string, customer?: string): void {
    for (const budget of this.levels(partner, customer)) budget.onRequestStart();
  }

  onRequestEnd(partner: string, customer?: string): void {
    for (const budget of this.levels(partner, customer)) budget.onRequestEnd();
  }

  canRetry(partner: string, customer?: string): boolean {
    return this.levels(partner, customer).every((budget) => budget.canRetry());
  }

  /** Starts a retry on every level, or on none (false) when one level's budget is spent. */
  tryStartRetry(partner: string, customer?: string): boolean {
    const levels = this.levels(partner, customer);
    if (!levels.every((budget) => budget.canRetry())) return false;
    for (const budget of levels) budget.tryStartRetry();
    return true;
  }

  onRetryEnd(partner: string, customer?: string): void {
    for (const budget of this.levels(partner, customer)) budget.onRetryEnd();
  }

  private levels(partner: string, customer: string | undefined): RetryBudget[] {
    const top = this.budget(`p:${partner}`);
    return customer === undefined ? [top] : [top, this.budget(`c:${partner}/${customer}`)];
  }

  private budget(key: string): RetryBudget {
    let budget = this.budgets.get(key);
    if (budget === undefined) {
      if (this.budgets.size >= this.maxScopes) {
        const idle = firstIdle(this.budgets);
        if (idle !== undefined) this.budgets.delete(idle);
      }
      budget = new RetryBudget(this.options);
      this.budgets.set(key, budget);
    }
    return budget;
  }
}

/** The oldest budget with nothing in flight (dropping it loses nothing). */
function firstIdle(budgets: Map<string, RetryBudget>): string | undefined {
  for (const [key, budget] of budgets)
    if (budget.activeRequests === 0 && budget.activeRetries === 0) return key;
  return undefined;
}
