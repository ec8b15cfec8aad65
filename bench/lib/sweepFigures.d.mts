// Types of sweepFigures.mjs, for the TypeScript unit test.
export interface SweepRow {
  readonly variant: string;
  readonly durationMs: number;
  readonly calls: number;
  readonly throttled: number;
  readonly ok: number;
  readonly failed: number;
  readonly readAgain?: number;
  readonly lost?: number;
  readonly doneAgain?: number;
  readonly savedAtKill?: number;
  readonly completedAtKill?: number;
  readonly killedAtMs?: number;
  readonly failures?: Readonly<Record<string, number>>;
}
interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}
export interface SweepSummary {
  readonly rounds: number;
  readonly timeRatio: Spread;
  readonly durationMs: Spread;
  readonly throttledPer100: Spread;
  readonly calls: Spread;
  readonly ok: Spread;
  readonly failed: Spread;
  readonly readAgain: Spread;
  readonly lost: Spread;
  readonly doneAgain: Spread;
  readonly savedAtKill: Spread;
  readonly completedAtKill: Spread;
  readonly killedAtSeconds: Spread;
  readonly resumedSeconds: Spread;
  readonly failures: readonly [string, number][];
}
export const SWEEP_TARGETS: {
  readonly sweep: { readonly timeRatio: number; readonly throttledPer100: number };
  readonly kill: { readonly timeRatio: number; readonly lost: number; readonly doneAgain: number };
};
export const SWEEP_HEADING: string;
export function rowFigures(row: SweepRow, quotaMs: number): { timeRatio: number; throttledPer100: number };
export function summarise(rows: readonly SweepRow[], quotaMs: number): SweepSummary;
export function judge(variant: string, summary: SweepSummary): string;
export function wrap(text: string, width?: number): string[];
export function sweepSection(
  results: {
    readonly sizes: {
      readonly customers: number;
      readonly partnerPerSecond: number;
      readonly customerPerSecond: number;
    };
    readonly rows: readonly SweepRow[];
    readonly machine: {
      readonly cpus: number;
      readonly cpu: string;
      readonly node: string;
      readonly date: string;
    };
    readonly command: string;
    readonly elapsedMs: number;
  },
  labels: Readonly<Record<string, string>>,
): string;
