/** The longest wait a bucket reports: the largest delay a timer accepts (2^31-1 ms). */
export const MAX_WAIT_MS = 2_147_483_647;

/** Tokens this close below 1 count as one whole token. */
export const TOKEN_EPSILON = 1e-9;

/** A wait in whole milliseconds, at least 1 and at most {@link MAX_WAIT_MS} (NaN and Infinity included). */
export function clampWait(ms: number): number {
  if (!(ms < MAX_WAIT_MS)) return MAX_WAIT_MS;
  // The epsilon keeps float dust (1.0000000002 ms) from adding a whole millisecond.
  return Math.max(1, Math.ceil(ms - 1e-6));
}

/**
 * A token bucket, timer-free: every method takes `now` (epoch ms). It holds up to `capacity` tokens and
 * refills at `ratePerSecond`; a call takes one token. `holdUntil` sets a not-before time (a Retry-After).
 * Its fields are read by everyone and written by its methods and by the limiter's fast path
 * (src/policies/callLimiter.ts), which takes a token the way {@link tryTake} does, without a call.
 */
export class TokenBucket {
  /** Tokens at {@link lastRefill} (may be below zero after {@link take}). */
  tokens: number;
  lastRefill: number;
  /** No token before this time (epoch ms). */
  notBefore = 0;
  ratePerSecond: number;
  capacity: number;

  /** Starts full, or with `tokens` (capped at the capacity). */
  constructor(ratePerSecond: number, capacity: number, now: number, tokens?: number) {
    this.ratePerSecond = sanitize(ratePerSecond);
    this.capacity = Math.max(1, sanitize(capacity));
    this.tokens = Math.min(this.capacity, tokens ?? this.capacity);
    this.lastRefill = now;
  }

  /** Tokens available at `now` (after refill). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Changes the fill rate and capacity; tokens earned so far are kept at the old rate, capped. */
  setRate(ratePerSecond: number, capacity: number, now: number): void {
    this.refill(now);
    this.ratePerSecond = sanitize(ratePerSecond);
    this.capacity = Math.max(1, sanitize(capacity));
    if (this.tokens > this.capacity) this.tokens = this.capacity;
  }

  /** Spends every token earned so far (a throttle: the next token comes at the new rate). */
  empty(now: number): void {
    this.refill(now);
    if (this.tokens > 0) this.tokens = 0;
  }

  /** No token is granted before `until` (epoch ms); a later call keeps the latest time. */
  holdUntil(until: number): void {
    if (until > this.notBefore) this.notBefore = until;
  }

  /** 0 when a token can be taken at `now`, else the ms to wait for one (1 .. 2^31-1). Takes nothing. */
  waitMs(now: number): number {
    this.refill(now);
    const held = this.notBefore > now ? this.notBefore - now : 0;
    // The epsilon: float dust (0.9999999999999996 tokens after rescaled capacities) is a whole token.
    if (this.tokens >= 1 - TOKEN_EPSILON) return held === 0 ? 0 : clampWait(held);
    if (this.ratePerSecond <= 0) return MAX_WAIT_MS;
    const refillMs = ((1 - this.tokens) / this.ratePerSecond) * 1000;
    return clampWait(Math.max(held, refillMs));
  }

  /** Takes one token without checking (after {@link waitMs} answered 0); tokens may go below zero. */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** Takes a token: 0 when granted, else the ms to wait for the next one (nothing taken). */
  tryTake(now: number): number {
    const wait = this.waitMs(now);
    if (wait === 0) this.tokens -= 1;
    return wait;
  }

  private refill(now: number): void {
    const elapsed = now - this.lastRefill;
    if (!(elapsed > 0)) return;
    this.lastRefill = now;
    if (this.tokens >= this.capacity) return;
    const earned = (elapsed / 1000) * this.ratePerSecond;
    this.tokens = Math.min(this.capacity, this.tokens + earned);
  }
}

/** Negative or NaN rates count as 0; Infinity is kept (an unlimited bucket). */
function sanitize(value: number): number {
  // Not Math.max: it would keep NaN.
  if (!(value > 0)) return 0;
  return value;
}
