import { LocalRateLimitBackend } from '../policies/rateLimiter/localBackend.js';
import type { RetryTokenBucket, ScopeStateStore } from './ScopeStateStore.js';

interface Entry {
  throttleUntil: number | undefined;
  openUntil: number | undefined;
  tokens: number;
  /** Counted in `held`: until `heldUntil` (the later of the deadlines), which the queue remembers. */
  counted: boolean;
  heldUntil: number;
}

/** A scope's entry held until `at` (stale once the entry's `heldUntil` moved, or it stopped being counted). */
interface Expiry {
  readonly at: number;
  readonly entry: Entry;
}

const live = (expiry: Expiry): boolean => expiry.entry.counted && expiry.entry.heldUntil === expiry.at;

/** The live items of `expiries`, one per entry, as a heap. */
function liveOnce(expiries: readonly Expiry[]): Expiry[] {
  const seen = new Set<Entry>();
  const out: Expiry[] = [];
  for (const expiry of expiries) {
    if (!live(expiry) || seen.has(expiry.entry)) continue;
    seen.add(expiry.entry);
    out.push(expiry);
  }
  return heapOf(out);
}

/** Options of {@link InMemoryScopeStateStore}. */
export type InMemoryScopeStateStoreOptions = NonNullable<
  ConstructorParameters<typeof InMemoryScopeStateStore>[0]
>;

/**
 * The default store: a bounded LRU map in this process. Its methods answer synchronously and never throw
 * (`synchronous` is true), and `held` counts the scopes held back, so that the engine reads it directly and
 * skips it while nothing is held.
 */
export class InMemoryScopeStateStore implements ScopeStateStore {
  /**
   * `true`: every method answers synchronously and never throws, so the engine calls it directly. A subclass
   * that makes a method asynchronous (or able to throw) must set it to `false`.
   */
  readonly synchronous: boolean = true;
  /**
   * The rate limiter's state, shared by the instances that use this store (the limiter backend protocol is
   * in `partner-center-resilience/redis`, not in the main entry's declarations).
   * @internal
   */
  readonly rateLimit: LocalRateLimitBackend;
  private readonly entries = new Map<string, Entry>();
  private readonly maxScopes: number;
  private readonly now: () => number;
  /** Entries counted in `held`. */
  private counted = 0;
  /** When counted entries stop being held: a min-heap on `at`, with stale items dropped as they surface. */
  private expiries: Expiry[] = [];

  constructor(
    options: {
      /** Most scopes kept; the least recently used is dropped beyond it. Default: `10000`. */
      readonly maxScopes?: number;
      /** Clock. Default: `Date.now`. */
      readonly now?: () => number;
    } = {},
  ) {
    this.maxScopes = options.maxScopes ?? 10_000;
    this.now = options.now ?? Date.now;
    this.rateLimit = new LocalRateLimitBackend(this.maxScopes);
  }

  /** Number of scopes kept (held back or not; the least recently used is dropped beyond `maxScopes`). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * How many scopes are held back now: a throttle deadline or an open breaker later than the store's clock.
   * Exact (`0` exactly when `getThrottleDeadline` and `getOpenUntil` answer `undefined` for every scope) and
   * cheap: a field read while it is `0`; otherwise a clock read, and the deadlines that passed since the last
   * read are dropped (each costs O(log n) once). Exact on a clock that does not go back. A subclass that changes what those two methods answer must
   * keep `held` true to them, or set `synchronous` to `false`.
   */
  get held(): number {
    if (this.counted === 0) return 0;
    const now = this.now();
    while (this.counted > 0) {
      const first = this.expiries[0];
      if (first === undefined || first.at > now) break;
      popMin(this.expiries);
      if (live(first)) this.uncount(first.entry);
    }
    return this.counted;
  }

  private peek(scope: string): Entry | undefined {
    return this.entries.get(scope);
  }

  private entry(scope: string, bucket?: RetryTokenBucket): Entry {
    let entry = this.entries.get(scope);
    if (entry) {
      // Refresh LRU position.
      this.entries.delete(scope);
      this.entries.set(scope, entry);
      return entry;
    }
    entry = {
      throttleUntil: undefined,
      openUntil: undefined,
      tokens: bucket?.maxTokens ?? Number.POSITIVE_INFINITY,
      counted: false,
      heldUntil: 0,
    };
    this.entries.set(scope, entry);
    if (this.entries.size > this.maxScopes) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        const dropped = this.entries.get(oldest);
        this.entries.delete(oldest);
        if (dropped?.counted === true) this.uncount(dropped);
      }
    }
    return entry;
  }

  private uncount(entry: Entry): void {
    entry.counted = false;
    this.counted -= 1;
    if (this.counted === 0) this.expiries = [];
  }

  /**
   * After a deadline of the scope's `entry` changed: counts it in `held` until the later of its deadlines, or
   * not (an entry dropped at once, with `maxScopes` below 1, is not kept, so not counted).
   */
  private recount(scope: string, entry: Entry): void {
    const now = this.now();
    const { throttleUntil, openUntil } = entry;
    let until = Number.NEGATIVE_INFINITY;
    if (throttleUntil !== undefined && throttleUntil > now) until = throttleUntil;
    if (openUntil !== undefined && openUntil > now && openUntil > until) until = openUntil;
    if (until === Number.NEGATIVE_INFINITY || this.entries.get(scope) !== entry) {
      if (entry.counted) this.uncount(entry);
      return;
    }
    if (entry.counted && entry.heldUntil === until) return;
    if (!entry.counted) {
      entry.counted = true;
      this.counted += 1;
    }
    entry.heldUntil = until;
    push(this.expiries, { at: entry.heldUntil, entry });
    // Stale items beyond twice the live ones: keep the live ones only (amortised O(1) per write).
    if (this.expiries.length > 2 * this.counted + 16) this.expiries = liveOnce(this.expiries);
  }

  /** {@inheritDoc ScopeStateStore.getThrottleDeadline} */
  getThrottleDeadline(scope: string): number | undefined {
    const until = this.peek(scope)?.throttleUntil;
    return until !== undefined && until > this.now() ? until : undefined;
  }

  /** {@inheritDoc ScopeStateStore.extendThrottleDeadline} */
  extendThrottleDeadline(scope: string, deadline: number): void {
    const entry = this.entry(scope);
    if (entry.throttleUntil === undefined || deadline > entry.throttleUntil) {
      entry.throttleUntil = deadline;
      this.recount(scope, entry);
    }
  }

  /** {@inheritDoc ScopeStateStore.getOpenUntil} */
  getOpenUntil(scope: string): number | undefined {
    const until = this.peek(scope)?.openUntil;
    return until !== undefined && until > this.now() ? until : undefined;
  }

  /** {@inheritDoc ScopeStateStore.setOpenUntil} */
  setOpenUntil(scope: string, until: number | undefined): void {
    if (until === undefined && !this.entries.has(scope)) return;
    const entry = this.entry(scope);
    entry.openUntil = until;
    this.recount(scope, entry);
  }

  /** {@inheritDoc ScopeStateStore.takeRetryToken} */
  takeRetryToken(scope: string, bucket: RetryTokenBucket): boolean {
    const entry = this.entry(scope, bucket);
    if (entry.tokens === Number.POSITIVE_INFINITY) entry.tokens = bucket.maxTokens;
    if (entry.tokens < 1) return false;
    entry.tokens -= 1;
    return true;
  }

  /** {@inheritDoc ScopeStateStore.refundRetryToken} */
  refundRetryToken(scope: string, bucket: RetryTokenBucket): void {
    const entry = this.peek(scope);
    // A scope that never spent a token has a full bucket: nothing to refund, nothing to allocate.
    if (!entry || entry.tokens === Number.POSITIVE_INFINITY || entry.tokens >= bucket.maxTokens) return;
    entry.tokens = Math.min(bucket.maxTokens, entry.tokens + bucket.refundPerSuccess);
  }
}

function push(heap: Expiry[], item: Expiry): void {
  let i = heap.length;
  heap.push(item);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = heap[parent] as Expiry;
    if (above.at <= item.at) break;
    heap[i] = above;
    i = parent;
  }
  heap[i] = item;
}

function popMin(heap: Expiry[]): Expiry {
  const top = heap[0] as Expiry;
  const last = heap.pop() as Expiry;
  if (heap.length > 0) siftDown(heap, 0, last);
  return top;
}

/** Puts `item` at `i` and moves it down to its place. */
function siftDown(heap: Expiry[], i: number, item: Expiry): void {
  const n = heap.length;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && (heap[right] as Expiry).at < (heap[left] as Expiry).at ? right : left;
    const below = heap[child] as Expiry;
    if (below.at >= item.at) break;
    heap[i] = below;
    i = child;
  }
  heap[i] = item;
}

function heapOf(items: Expiry[]): Expiry[] {
  for (let i = (items.length >> 1) - 1; i >= 0; i--) siftDown(items, i, items[i] as Expiry);
  return items;
}
