// Types of limiterFigures.mjs, for the TypeScript unit test.
export interface QuotaTargets {
  throttledPer100Calls?: number;
  ofQuota?: number;
  hitsBeforeDeadline?: number;
}
export const LIMITER_TARGETS: {
  single: Required<Omit<QuotaTargets, 'hitsBeforeDeadline'>>;
  multi: Required<QuotaTargets>;
  budget: { hitsPerCall: number };
};
export interface Hit {
  at: number;
  status: number | null;
  scope: string;
  beforeDeadline: boolean;
}
export interface SettledCall {
  at: number;
  ok: boolean;
}
export interface WindowFigures {
  fromMs: number;
  toMs: number;
  calls: number;
  ok: number;
  failed: number;
  hits: number;
  throttled: number;
  throttledPer100Calls: number;
  okPerSec: number;
  ofQuota: number;
  hitsBeforeDeadline: number;
  throttledByScope: { key: string; count: number }[];
}
export function countBy<T, K>(items: readonly T[], keyOf: (item: T) => K): { key: K; count: number }[];
export function windowFigures(
  run: { hits: readonly Hit[]; calls: readonly SettledCall[] },
  window: { fromMs: number; toMs: number; quotaPerSec: number },
): WindowFigures;
export function quotaFigures(
  run: { hits: readonly Hit[]; calls: readonly SettledCall[] },
  sizes: { warmupMs: number; durationMs: number; quotaPerSec: number },
): { whole: WindowFigures; warmup: WindowFigures; steady: WindowFigures; throttledPerSecond: number[] };
export function meetsTargets(
  figures: WindowFigures,
  targets: QuotaTargets,
): { met: boolean; misses: string[] };
export function hitsOnRunClock(
  log: readonly { atMs: number; status: number | null; scope: string; beforeDeadline: boolean }[],
  simStartedAt: number,
  runStartedAt: number,
): Hit[];
