// Types of stats.mjs, for the TypeScript unit test.
export function percentile(sorted: readonly number[], p: number): number;
export function median(values: readonly number[]): number;
export function latencySummary(latencies: readonly number[]): { p50: number; p99: number };
export function ratio(part: number, whole: number): number;
export function fixed(value: number, decimals?: number): string;
export function percent(value: number): string;
export function mib(bytes: number): string;
export function seededRandom(seed: number): () => number;
export function spread(values: readonly number[]): { median: number; min: number; max: number };
export function roundRatios(values: readonly number[], baseline: readonly number[]): number[];
export function rotated<T>(items: readonly T[], round: number): T[];
