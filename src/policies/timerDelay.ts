import { MAX_TIMER_MS } from '../options/rules.js';

/**
 * A delay every timer of the engine can take: at least 0 and at most 2^31-1 ms (Node and browsers run a
 * longer timer after 1 ms). Options are capped at the same value; this guards the sums the rooms compute
 * (a deadline plus a grain, a budget's remainder).
 */
export function timerDelay(ms: number): number {
  return ms <= 0 ? 0 : Math.min(ms, MAX_TIMER_MS);
}
