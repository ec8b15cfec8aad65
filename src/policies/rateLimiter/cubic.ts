/**
 * CUBIC rate adjustment as in the AWS SDKs' adaptive retry mode: on a throttle the rate drops to
 * `rate * beta`, then grows along `C * (t - K)^3 + W_max` (t in seconds since the throttle), which climbs back
 * to `W_max` (the rate at the throttle) at `t = K`, flattens there, then probes beyond it.
 */
export const CUBIC_BETA = 0.7;
/**
 * The cubic's scale constant C. The AWS SDKs use 0.4; Partner Center's quotas are tens of calls a second or
 * less, and at 0.4 the rate probes past a 20 calls/s quota every 2.5 s, while every 429 pauses its scope for
 * a whole-second Retry-After. Against the simulator's hidden 20 calls/s quota (16 in flight, partner-scope
 * reads, after a 10 s warm-up) 0.1 gave 1.5 429s per 100 calls and 73% of the quota, 0.02 gave 0.9 and 84%.
 */
export const CUBIC_SCALE = 0.02;

/** K: the seconds the cubic takes to return to `wMax` after a drop to `wMax * beta`. */
export function cubicK(wMax: number, beta: number = CUBIC_BETA, scale: number = CUBIC_SCALE): number {
  return Math.cbrt((wMax * (1 - beta)) / scale);
}

/** The cubic's rate `seconds` after a throttle at `wMax`. */
export function cubicRate(wMax: number, k: number, seconds: number, scale: number = CUBIC_SCALE): number {
  return scale * (seconds - k) ** 3 + wMax;
}
