import type { PartnerRetryBudgetOptions } from '../options.js';
import {
  InMemoryScopeStateStore,
  type ScopeStateStore,
  type RetryBudget as TokenBudget,
} from '../tenancy/ScopeStateStore.js';
import type { Call } from './call.js';
import { RetryConcurrencyCap } from './rateLimiter/retryConcurrency.js';
import type { StoreAccess } from './storeAccess.js';

/**
 * The retry budget shared by every scope of the partner, on top of each scope's own: a token bucket kept in
 * the store under the partner's budget key (so processes sharing the store share it: each retry takes a
 * token, each success gives back `refundPerSuccess`), and a cap on the retries in flight in this process
 * (at most `percent`% of the calls in flight, never fewer than `minConcurrency`).
 */
export class PartnerRetryBudget {
  /** The store key of the partner's tokens (not a scope of any call: `retries@` is no scope key prefix). */
  readonly key: string;
  private readonly tokens: TokenBudget;
  private readonly concurrency: RetryConcurrencyCap;
  private readonly local: InMemoryScopeStateStore | undefined;
  private readonly percent: number;
  private readonly minConcurrency: number;

  constructor(
    partnerScope: string,
    options: Required<PartnerRetryBudgetOptions>,
    private readonly store: ScopeStateStore,
    private readonly access: StoreAccess,
  ) {
    this.key = `retries@${partnerScope}`;
    this.tokens = { maxTokens: options.maxTokens, refundPerSuccess: options.refundPerSuccess };
    this.percent = options.percent;
    this.minConcurrency = options.minConcurrency;
    this.concurrency = new RetryConcurrencyCap({
      percent: options.percent,
      minConcurrency: options.minConcurrency,
    });
    this.local =
      store.constructor === InMemoryScopeStateStore ? (store as InMemoryScopeStateStore) : undefined;
  }

  /** A call started (counted in the calls in flight). */
  callStarted(): void {
    this.concurrency.onRequestStart();
  }

  /** A call ended. */
  callEnded(): void {
    this.concurrency.onRequestEnd();
  }

  /**
   * Whether a retry may follow: `undefined` (it takes a token; call {@link retrySent} when it is sent and
   * {@link retryEnded} when it is answered), or why not. Retries in flight are those on the wire, as Envoy
   * counts them, not those waiting out their backoff. A store that fails or times out lets the retry go (the
   * scope's own budget still applies). `throttled`: the retry of a 429, which the server paces itself
   * (Retry-After) and the rate limiter spaces out: it takes a token but is not capped by the retries in flight.
   */
  async tryRetry(call: Call, throttled = false): Promise<string | undefined> {
    if (!throttled && !this.concurrency.canRetry()) {
      return `the partner's retries in flight are at their limit (${this.concurrency.activeRetries} of ${this.concurrency.activeRequests} calls in flight; at most ${this.percent}%, at least ${this.minConcurrency})`;
    }
    const key = this.key;
    const read = this.access.read('takeRetryToken', key, () => this.store.takeRetryToken(key, this.tokens), {
      deadline: call.deadline,
      abort: call.ensureAbort(),
    });
    const token = typeof read === 'object' ? await read : read;
    if (token !== false) return undefined;
    return `the partner's retry budget is spent (${this.tokens.maxTokens} tokens, too many retries across its scopes, too few successes)`;
  }

  /** A retry allowed by {@link tryRetry} is sent. */
  retrySent(): void {
    this.concurrency.onRetryStart();
  }

  /** A retry counted by {@link retrySent} is answered (or failed). */
  retryEnded(): void {
    this.concurrency.onRetryEnd();
  }

  /** A call succeeded: part of a token back. */
  refund(): void {
    const local = this.local;
    const key = this.key;
    if (
      local !== undefined &&
      local.refundRetryToken === InMemoryScopeStateStore.prototype.refundRetryToken
    ) {
      local.refundRetryToken(key, this.tokens);
    } else this.access.write('refundRetryToken', key, () => this.store.refundRetryToken(key, this.tokens));
  }
}
