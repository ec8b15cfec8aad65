/**
 * CUBIC rate adjustment as in the AWS SDKs' adaptive retry mode: on a throttle the rate drops to
 * `rate * beta`, then grows along `C * (t - K)^3 + W_max` (t in seconds since the throttle), which climbs back
 * to `W_max` (the rate at the throttle) at `t = K`, flattens there, then probes beyond it.
 */
export const CUBIC_BETA = 0.7;
/** The cubic's scale constant C. */
export const CUBIC_SCALE = 0.4;

/** K: the seconds the cubic takes to return to `wMax` after a drop to `wMax * beta`. */
export function cubicK(wMax: number, beta: number = CUBIC_BETA, scale: number = CUBIC_SCALE): number {
  return Math.cbrt((wMax * (1 - beta)) / scale);
}

/** The cubic's rate `seconds` after a throttle at `wMax`. */
export function cubicRate(wMax: number, k: number, seconds: number, scale: number = CUBIC_SCALE): number {
  return scale * (seconds - k) ** 3 + wMax;
}
