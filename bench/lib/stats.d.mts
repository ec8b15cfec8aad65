// Types of stats.mjs, for the TypeScript unit test.
export function percentile(sorted: readonly number[], p: number): number;
export function median(values: readonly number[]): number;
export function latencySummary(latencies: readonly number[]): { p50: number; p99: number };
export function ratio(part: number, whole: number): number;
export function fixed(value: number, decimals?: number): string;
export function percent(value: number): string;
export function mib(bytes: number): string;
export function seededRandom(seed: number): () => number;
