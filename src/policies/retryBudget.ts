import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { PartnerRetryBudgetOptions } from '../options/RateLimitOptions.js';
import type { ScopeStateStore } from '../tenancy/ScopeStateStore.js';
import type { Call } from './call.js';
import type { CallPolicy } from './pipeline.js';
import type { StoreAccess } from './storeAccess.js';

/** What the retry budgets need. */
export interface RetryBudgetDeps {
  readonly store: ScopeStateStore;
  readonly access: StoreAccess;
  /** True when only this instance writes the store (the one it made itself): refunds can be skipped when nothing was taken. */
  readonly privateStore: boolean;
  readonly partnerScope: string;
  /** Most scopes whose owed tokens are remembered (the store forgets as many). */
  readonly maxScopes: number;
  /** The partner-wide budget, or `false` when it is off. */
  readonly partner: Required<PartnerRetryBudgetOptions> | false;
}

/**
 * The retry budgets, asked before every retry, after the retry policy decided on it and before its wait:
 * the scope's own token bucket (in the store: each retry takes a token, each success gives back
 * `refundPerSuccess`), and the partner's, shared by every scope (its token bucket in the store under the
 * partner's budget key, so processes sharing the store share it, and a cap on its retries in flight in this
 * process: at most `percent`% of the calls in flight, never fewer than `minConcurrency`). As a policy of the
 * list, placed just before the attempt, it counts the retries on the wire (as Envoy counts them: not those
 * waiting out their backoff). A store that fails or times out lets the retry go.
 */
export class RetryBudgets implements CallPolicy {
  readonly name = 'retry budget';
  /** Calls in flight, counted by the engine (the partner cap is a share of them). */
  calls = 0;
  /** Retries on the wire. */
  private retries = 0;
  /** Tokens taken and not yet given back, per scope and for the partner (a private store only). */
  readonly owed = new Map<string, number>();
  /** The store key of the partner's tokens (not a scope of any call: `retries@` is no scope key prefix). */
  private readonly key: string;

  constructor(private readonly deps: RetryBudgetDeps) {
    this.key = `retries@${deps.partnerScope}`;
  }

  /** Retries allowed on the wire now. */
  private get cap(): number {
    const partner = this.deps.partner;
    if (partner === false) return Number.POSITIVE_INFINITY;
    return Math.max(partner.minConcurrency, Math.floor((this.calls * partner.percent) / 100));
  }

  /** Takes one of `scope`'s tokens: false when the bucket is empty. */
  private async take(call: Call, key: string, bucket: { maxTokens: number; refundPerSuccess: number }) {
    const { store, access } = this.deps;
    const read = access.read('takeRetryToken', key, () => store.takeRetryToken(key, bucket), {
      deadline: call.deadline,
      abort: call.ensureAbort(),
    });
    const token = typeof read === 'object' ? await read : read;
    if (token !== false && this.deps.privateStore) {
      const owed = this.owed.get(key) ?? 0;
      this.owed.delete(key);
      this.owed.set(key, owed + 1);
      // The oldest debt is forgotten first (its scope has had no success since: the store forgets it too).
      if (this.owed.size > this.deps.maxScopes) this.owed.delete(this.owed.keys().next().value as string);
    }
    return token !== false;
  }

  /**
   * Whether the retry of `failure` may go: `undefined`, or why not. The retry of a 429 (which the server
   * paces itself, and the rate limiter spaces out) takes a token but is not capped by the retries in flight.
   */
  async permit(call: Call, failure: PartnerCenterError): Promise<string | undefined> {
    const scope = call.scope;
    if (!(await this.take(call, scope, call.options.retryBudget))) {
      return `the retry budget of scope ${scope} is spent (too many retries, too few successes)`;
    }
    const partner = this.deps.partner;
    if (partner === false || call.ensureAbort().aborted) return undefined;
    if (failure.status !== 429 && this.retries >= this.cap) {
      return `the partner's retries in flight are at their limit (${this.retries} of ${this.calls} calls in flight; at most ${partner.percent}%, at least ${partner.minConcurrency})`;
    }
    if (await this.take(call, this.key, partner)) return undefined;
    return `the partner's retry budget is spent (${partner.maxTokens} tokens, too many retries across its scopes, too few successes)`;
  }

  /** Counts a retry while it is on the wire. */
  async run(_call: Call, spec: Parameters<CallPolicy['run']>[1], next: Parameters<CallPolicy['run']>[2]) {
    if (!spec.retry || spec.replay === true) return next(spec);
    this.retries += 1;
    try {
      return await next(spec);
    } finally {
      this.retries -= 1;
    }
  }

  /**
   * A call succeeded: part of a token back to its scope and to the partner. With a private store, only
   * while tokens are owed (the engine skips the call when {@link owed} is empty).
   */
  succeeded(call: Call): void {
    this.refund(call.scope, call.options.retryBudget);
    const partner = this.deps.partner;
    if (partner !== false) this.refund(this.key, partner);
  }

  private refund(key: string, bucket: { maxTokens: number; refundPerSuccess: number }): void {
    const { store, access } = this.deps;
    if (this.deps.privateStore) {
      const owed = this.owed.get(key);
      if (owed === undefined) return;
      if (owed <= bucket.refundPerSuccess) this.owed.delete(key);
      else this.owed.set(key, owed - bucket.refundPerSuccess);
    }
    if (this.deps.privateStore) store.refundRetryToken(key, bucket);
    else access.write('refundRetryToken', key, () => store.refundRetryToken(key, bucket));
  }
}
