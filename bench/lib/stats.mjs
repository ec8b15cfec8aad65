// Pure helpers for the benchmark: percentiles, medians, ratios and number formatting.

/** The p-th percentile (0..100) of ascending-sorted numbers, nearest-rank; 0 for an empty list. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median of numbers (mean of the two middle values for an even count); 0 for an empty list. */
export function median(values) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** p50 and p99 of latencies in ms. */
export function latencySummary(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** `part / whole`, or 0 when whole is 0. */
export function ratio(part, whole) {
  return whole === 0 ? 0 : part / whole;
}

/** A fixed-decimals string, without a trailing '.0' for integers when decimals is 0. */
export function fixed(value, decimals = 2) {
  return Number.isFinite(value) ? value.toFixed(decimals) : 'n/a';
}

/** A percentage with one decimal: 0.987 -> '98.7%'. */
export function percent(value) {
  return `${fixed(value * 100, 1)}%`;
}

/** Bytes as MiB with two decimals. */
export function mib(bytes) {
  return `${fixed(bytes / 1024 / 1024, 2)} MiB`;
}

/** A deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Median and range of numbers: `{ median, min, max }` (all 0 for an empty list). */
export function spread(values) {
  if (values.length === 0) return { median: 0, min: 0, max: 0 };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Each round's value divided by the baseline's value of the same round (0 where the baseline is 0). */
export function roundRatios(values, baseline) {
  if (values.length !== baseline.length) throw new Error('roundRatios: one value per round on both sides');
  return values.map((value, i) => ratio(value, baseline[i]));
}

/** `items` rotated left by `round` places: round r starts with item r (mod length). */
export function rotated(items, round) {
  return items.map((_, i) => items[(i + round) % items.length]);
}
