// Success-path throughput: logical calls per second of each variant, measured in the same run, in rounds
// whose variant order rotates; each round's rate is divided by bare axios's rate of that round, and the
// report takes the median of those ratios over the rounds.
import { createClient } from './clients.mjs';
import { median } from './stats.mjs';
import { runPlan } from './workload.mjs';

/**
 * The rate limiter's options of ours: the reads go to a few customers tens of thousands of times a second, and
 * the documented 500/min per customer tenant (the default rules) would pace them; without rules, the limiter
 * costs a call one synchronous check.
 */
const NO_RULES = { defaultRules: false };

/** The variants measured; `hooks` adds a no-op onRequest and onSuccess hook to ours. */
export const VARIANTS = [
  { key: 'axios', client: 'axios' },
  { key: 'axios-retry', client: 'axios-retry' },
  { key: 'ours', client: 'ours', ours: { rateLimit: NO_RULES } },
  {
    key: 'ours + no-op hooks',
    client: 'ours',
    ours: { rateLimit: NO_RULES, hooks: { onRequest() {}, onSuccess() {} } },
  },
];

/** A canned 200 answer, no network: the library's own overhead is all that is measured. */
export function stubAdapter(config) {
  return Promise.resolve({
    data: { id: 'x', attributes: { objectType: 'Customer' } },
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json', 'ms-requestid': 'stub' },
    config,
    request: {},
  });
}

/** Customer reads spread over `customerIds` (the success path), `calls` of them. */
function readPlan(calls, customerIds) {
  return Array.from({ length: calls }, (_, i) => ({
    op: 'read',
    customer: customerIds[i % customerIds.length],
  }));
}

async function measureOnce(variant, target, plan, concurrency) {
  const { api, dispose } = createClient(variant.client, { ...target, ours: variant.ours ?? {} });
  try {
    const run = await runPlan(api, plan, { concurrency });
    if (run.ok !== plan.length) throw new Error(`${variant.key}: ${plan.length - run.ok} calls failed`);
    return plan.length / (run.durationMs / 1000);
  } finally {
    dispose();
  }
}

/**
 * Measures every variant `rounds` times against `target` (`{ baseURL }` or `{ adapter }`), after one
 * warm-up run each. Resolves `{ rows: [{ key, callsPerSec, ratio }], rounds }`: medians over the rounds.
 */
export async function measureThroughput({ target, customerIds, calls, concurrency, rounds }) {
  const plan = readPlan(calls, customerIds);
  for (const variant of VARIANTS) await measureOnce(variant, target, plan, concurrency);
  const rates = new Map(VARIANTS.map((v) => [v.key, []]));
  const ratios = new Map(VARIANTS.map((v) => [v.key, []]));
  for (let round = 0; round < rounds; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    const thisRound = new Map();
    for (const variant of order) {
      globalThis.gc?.();
      thisRound.set(variant.key, await measureOnce(variant, target, plan, concurrency));
    }
    for (const variant of VARIANTS) {
      rates.get(variant.key).push(thisRound.get(variant.key));
      ratios.get(variant.key).push(thisRound.get(variant.key) / thisRound.get('axios'));
    }
  }
  const hooksRatios = rates.get('ours + no-op hooks').map((rate, i) => rate / rates.get('ours')[i]);
  return {
    rounds,
    rows: VARIANTS.map((v) => ({
      key: v.key,
      callsPerSec: median(rates.get(v.key)),
      ratio: median(ratios.get(v.key)),
      minRatio: Math.min(...ratios.get(v.key)),
      maxRatio: Math.max(...ratios.get(v.key)),
    })),
    hooksVsNoHooks: {
      median: median(hooksRatios),
      min: Math.min(...hooksRatios),
      max: Math.max(...hooksRatios),
    },
  };
}
