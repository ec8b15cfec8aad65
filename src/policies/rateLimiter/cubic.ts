/**
 * CUBIC rate adjustment as in the AWS SDKs' adaptive retry mode: on a throttle the rate drops to
 * `rate * beta`, then grows along `C * (t - K)^3 + W_max` (t in seconds since the throttle), which climbs back
 * to `W_max` (the rate at the throttle) at `t = K`, flattens there, then probes beyond it.
 *
 * The AWS SDKs use beta 0.7 and C 0.4. Partner Center's quotas are tens of calls a second or less, and every
 * 429 pauses its scope for a whole-second Retry-After, so a 429 costs a second of the scope's calls: the
 * defaults here drop less and probe much more slowly. Against the simulator's hidden 20 calls/s partner quota
 * (16 calls in flight, 60 s runs, figures after a 10 s warm-up; partner-scope reads / customer reads):
 * beta 0.7 and C 0.1 gave 1.5 429s per 100 calls and 73% of the quota (partner reads); 0.7 and 0.02 gave
 * 1.0 / 2.5 and 81% / 85%; 0.8 and 0.005 gave 0.6 / 1.7 and 85% / 89%.
 */
export const CUBIC_BETA = 0.8;
/** The cubic's scale constant C (see {@link CUBIC_BETA} for why it is far below the AWS SDKs' 0.4). */
export const CUBIC_SCALE = 0.003;
/**
 * Where the cubic flattens, as a fraction of the rate at the last throttle (its `W_max`; the AWS SDKs and TCP
 * use 1). That rate was too high: a quota counted over a sliding window throttles a client that sits on it
 * again within seconds, and each 429 pauses the scope for a whole-second Retry-After. Flattening a little
 * below it lets the scope run for long spells without a 429 before it probes beyond.
 */
export const CUBIC_PLATEAU = 0.97;

/** K: the seconds the cubic takes to climb from `from` (the rate after a throttle) to its plateau `to`. */
export function cubicK(from: number, to: number, scale: number = CUBIC_SCALE): number {
  return Math.cbrt((to - from) / scale);
}

/** The cubic's rate `seconds` after a throttle at `wMax`. */
export function cubicRate(wMax: number, k: number, seconds: number, scale: number = CUBIC_SCALE): number {
  return scale * (seconds - k) ** 3 + wMax;
}
