/**
 * Longest duration, in ms, the library accepts for any option: Node's timers hold a signed 32-bit delay
 * and fire at once (with a warning) beyond it, so a longer value would silently mean "no wait at all".
 * `2_147_483_647` ms is about 24.8 days.
 */
export const MAX_TIMER_MS = 2_147_483_647;
