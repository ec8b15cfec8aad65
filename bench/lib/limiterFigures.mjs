// The rate limiter benchmark without I/O: from what the simulator logged (one entry per hit) and what the
// callers saw (one entry per logical call), the figures of a window of the run (429s per 100 calls,
// successful calls/s against the hidden quota, hits before a Retry-After deadline, failed calls), and the
// targets of the issue. Used by bench/lib/limiter.mjs (one process) and bench/multiprocess.mjs (several).
import { ratio } from './stats.mjs';

/**
 * Targets of the default limiter (`ours`): one process (429s per 100 calls at most, successful calls/s at
 * least this share of the quota), several processes sharing the Redis store (the same, plus no hit before
 * a deadline), and the partner retry budget (server hits per call at most).
 */
export const LIMITER_TARGETS = {
  single: { throttledPer100Calls: 3, ofQuota: 0.85 },
  multi: { throttledPer100Calls: 5, ofQuota: 0.8, hitsBeforeDeadline: 0 },
  budget: { hitsPerCall: 1.5 },
};

/** `[{ key, count }]` of the values of `items` under `keyOf`, most frequent first (then by key). */
export function countBy(items, keyOf) {
  const counts = new Map();
  for (const item of items) {
    const key = keyOf(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
}

/**
 * The figures of the window `[fromMs, toMs)` (ms since the run started, on the callers' clock). `hits`:
 * `{ at, status, scope, beforeDeadline }` per server hit; `calls`: `{ at, ok }` per logical call, `at`
 * when it settled. `quotaPerSec` is the hidden quota. A call counts in the window it settled in.
 */
export function windowFigures({ hits, calls }, { fromMs, toMs, quotaPerSec }) {
  const inWindow = (entry) => entry.at >= fromMs && entry.at < toMs;
  const windowHits = hits.filter(inWindow);
  const windowCalls = calls.filter(inWindow);
  const ok = windowCalls.filter((call) => call.ok).length;
  const throttledHits = windowHits.filter((hit) => hit.status === 429);
  const seconds = (toMs - fromMs) / 1000;
  const okPerSec = seconds > 0 ? ok / seconds : 0;
  return {
    fromMs,
    toMs,
    calls: windowCalls.length,
    ok,
    failed: windowCalls.length - ok,
    hits: windowHits.length,
    throttled: throttledHits.length,
    throttledPer100Calls: ratio(throttledHits.length, windowCalls.length) * 100,
    okPerSec,
    ofQuota: ratio(okPerSec, quotaPerSec),
    hitsBeforeDeadline: windowHits.filter((hit) => hit.beforeDeadline).length,
    throttledByScope: countBy(throttledHits, (hit) => hit.scope),
  };
}

/**
 * The figures of a closed-loop run of `durationMs` (no call starts after it; the calls in flight then
 * settle after it): `whole` (from 0 to the last settled call or hit), `warmup` (`[0, warmupMs)`) and
 * `steady` (`[warmupMs, durationMs)`, the tail after `durationMs` left out: fewer calls are in flight
 * then), and `throttledPerSecond`, the 429s in each second of the run.
 */
export function quotaFigures(run, { warmupMs, durationMs, quotaPerSec }) {
  let last = durationMs;
  let first = 0;
  for (const entry of [...run.calls, ...run.hits]) {
    last = Math.max(last, entry.at);
    first = Math.min(first, entry.at);
  }
  const throttledPerSecond = Array.from({ length: Math.ceil(last / 1000) + 1 }, () => 0);
  for (const hit of run.hits) {
    if (hit.status === 429 && hit.at >= 0) throttledPerSecond[Math.floor(hit.at / 1000)] += 1;
  }
  while (throttledPerSecond.length > 1 && throttledPerSecond.at(-1) === 0) throttledPerSecond.pop();
  return {
    whole: windowFigures(run, { fromMs: first, toMs: last + 1, quotaPerSec }),
    warmup: windowFigures(run, { fromMs: 0, toMs: warmupMs, quotaPerSec }),
    steady: windowFigures(run, { fromMs: warmupMs, toMs: durationMs, quotaPerSec }),
    throttledPerSecond,
  };
}

/**
 * Whether `figures` (a window of {@link windowFigures}) meet `targets` (one of {@link LIMITER_TARGETS}):
 * `{ met, misses }`, `misses` naming each figure that does not.
 */
export function meetsTargets(figures, targets) {
  const misses = [];
  if (
    targets.throttledPer100Calls !== undefined &&
    figures.throttledPer100Calls > targets.throttledPer100Calls
  ) {
    misses.push('429s per 100 calls');
  }
  if (targets.ofQuota !== undefined && figures.ofQuota < targets.ofQuota) misses.push('calls/s vs quota');
  if (targets.hitsBeforeDeadline !== undefined && figures.hitsBeforeDeadline > targets.hitsBeforeDeadline) {
    misses.push('hits before a deadline');
  }
  return { met: misses.length === 0, misses };
}

/**
 * The simulator's log (entries `{ atMs, status, scope, beforeDeadline }`, `atMs` since the simulator
 * started at epoch `simStartedAt`) as hits on the callers' clock, whose run started at epoch `runStartedAt`.
 */
export function hitsOnRunClock(log, simStartedAt, runStartedAt) {
  const offset = simStartedAt - runStartedAt;
  return log.map((entry) => ({
    at: entry.atMs + offset,
    status: entry.status,
    scope: entry.scope,
    beforeDeadline: entry.beforeDeadline,
  }));
}
