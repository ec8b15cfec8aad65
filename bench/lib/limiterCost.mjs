// The rate limiter's own cost with many tenants: customer reads over tens of thousands of distinct customer
// ids through a stub adapter (no network), ours with its defaults (the limiter on, with the documented
// per-customer rules) beside ours with `rateLimit: false`. Calls per second (rounds in rotated order, each
// variant on a fresh instance) and the heap held after a forced gc. Needs `node --expose-gc`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from './clients.mjs';
import { tenantId } from './memory.mjs';
import { markdownTable } from './report.mjs';
import { fixed, median, mib } from './stats.mjs';
import { stubAdapter } from './throughput.mjs';
import { runPlan } from './workload.mjs';

/** The variants: ours with its defaults, and with the limiter off. */
export const COST_VARIANTS = [
  { key: 'limiter on', ours: {} },
  { key: 'limiter off', ours: { rateLimit: false } },
];

/** The target: the limiter on runs at least this share of the limiter off's calls/s (median of rounds). */
export const COST_TARGET_RATIO = 1 / 1.2;

export const LIMITER_COST_HEADING = '## Rate limiter cost at many tenants';

function heapAfterGc() {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Reads of `count` distinct customers from `first` on, in slices of 10,000 (the plan never holds many). */
async function sweep(api, first, count, concurrency) {
  let ms = 0;
  const cpu = process.cpuUsage();
  for (let from = first; from < first + count; from += 10_000) {
    const to = Math.min(first + count, from + 10_000);
    const plan = Array.from({ length: to - from }, (_, k) => ({ op: 'read', customer: tenantId(from + k) }));
    const run = await runPlan(api, plan, { concurrency });
    if (run.ok !== plan.length) throw new Error(`limiter cost: ${plan.length - run.ok} calls failed`);
    ms += run.durationMs;
  }
  const used = process.cpuUsage(cpu);
  return { ms, cpuUs: used.user + used.system };
}

/**
 * Measures every variant: `rounds` rounds in rotated order, each a fresh instance warmed up with `warmup`
 * reads of other customers, then timed over `tenants` new customers, `concurrency` in flight; then, per
 * variant, a fresh instance's heap after gc before and after `tenants` reads. Resolves the figures.
 */
export async function measureLimiterCost({ tenants, rounds, warmup, concurrency }, onRound = () => {}) {
  const rates = new Map(COST_VARIANTS.map((v) => [v.key, []]));
  const cpus = new Map(COST_VARIANTS.map((v) => [v.key, []]));
  const ratios = [];
  const cpuRatios = [];
  for (let round = 0; round < rounds; round += 1) {
    const order = COST_VARIANTS.map((_, i) => COST_VARIANTS[(i + round) % COST_VARIANTS.length]);
    const thisRound = new Map();
    const cpuRound = new Map();
    for (const variant of order) {
      globalThis.gc?.();
      const { api, dispose } = createClient('ours', { adapter: stubAdapter, ours: variant.ours });
      try {
        await sweep(api, 10_000_000 + round * 1_000_000, warmup, concurrency);
        const { ms, cpuUs } = await sweep(api, round * 1_000_000, tenants, concurrency);
        thisRound.set(variant.key, tenants / (ms / 1000));
        cpuRound.set(variant.key, cpuUs / tenants);
      } finally {
        dispose();
      }
    }
    for (const [key, rate] of thisRound) rates.get(key).push(rate);
    for (const [key, us] of cpuRound) cpus.get(key).push(us);
    ratios.push(thisRound.get('limiter on') / thisRound.get('limiter off'));
    cpuRatios.push(cpuRound.get('limiter on') / cpuRound.get('limiter off'));
    onRound(round, thisRound, cpuRound);
  }
  // Each heap figure in a child process of its own: no other instance's garbage in its baseline.
  const heap = COST_VARIANTS.map((variant) => {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), variant.key, String(tenants), String(concurrency)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(out.trim().split('\n').at(-1));
  });
  return {
    sizes: { tenants, rounds, warmup, concurrency },
    rows: COST_VARIANTS.map((v) => ({
      key: v.key,
      callsPerSec: median(rates.get(v.key)),
      min: Math.min(...rates.get(v.key)),
      max: Math.max(...rates.get(v.key)),
      cpuUsPerCall: median(cpus.get(v.key)),
    })),
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    cpuRatio: { median: median(cpuRatios), min: Math.min(...cpuRatios), max: Math.max(...cpuRatios) },
    heap,
  };
}

/** The table of a run. */
export function limiterCostTable(cost) {
  const heapOf = new Map(cost.heap.map((h) => [h.key, h]));
  const range = (ratio) => `${fixed(ratio.median, 3)} (${fixed(ratio.min, 3)}..${fixed(ratio.max, 3)})`;
  return markdownTable(
    [
      'variant',
      'calls/s, median (min..max)',
      'ratio to limiter off (same round)',
      'CPU µs / call',
      'CPU ratio (same round)',
      'heap held after gc',
      'target',
    ],
    cost.rows.map((r) => {
      const on = r.key === 'limiter on';
      return [
        on ? 'ours, defaults (limiter on)' : 'ours, `rateLimit: false`',
        `${fixed(r.callsPerSec, 0)} (${fixed(r.min, 0)}..${fixed(r.max, 0)})`,
        on ? range(cost.ratio) : '1.000',
        fixed(r.cpuUsPerCall, 1),
        on ? range(cost.cpuRatio) : '1.000',
        mib(heapOf.get(r.key)?.deltaBytes ?? 0),
        on
          ? `>= ${fixed(COST_TARGET_RATIO, 3)} (within 1.2x): ${cost.ratio.median >= COST_TARGET_RATIO ? 'met' : 'NOT met'}`
          : '-',
      ];
    }),
  );
}

/** The section of docs/benchmarks.md (rendered alone by `BENCH_ONLY=limiter-cost`). */
export function limiterCostSection({ limiterCost, machine, quick, command }) {
  const s = limiterCost.sizes;
  return [
    LIMITER_COST_HEADING,
    '',
    ...(quick
      ? ['> **Quick run (`BENCH_QUICK=1`): reduced sizes, for checking the harness. Not final numbers.**', '']
      : []),
    'Produced by:',
    '',
    '```sh',
    command,
    '```',
    '',
    'This section was rendered alone by that partial run and spliced into this page: its numbers come from',
    'that run, not from the run of the other sections.',
    '',
    `Machine: ${machine.cpus} cores (${machine.cpuModel ?? 'unknown CPU'}), node ${machine.node}, ${machine.date}.`,
    '',
    `- **Workload.** \`GET /v1/customers/{id}/subscriptions\` for ${s.tenants} distinct customer ids (GUIDs), each read`,
    `  once, ${s.concurrency} in flight (closed loop), through a stub adapter (a canned 200, no network): the client's`,
    '  own cost per call, with a new tenant scope for every call (the worst case for per-tenant state: plans,',
    '  buckets and measured rates built for each one, and the 10 000 most recent kept).',
    '- **Variants.** Ours with its defaults (the limiter on, with the documented 500/min per customer tenant rules),',
    '  and ours with `rateLimit: false`; every other option default.',
    `- **Rounds.** ${s.rounds} rounds; in each, every variant (in an order rotated per round) runs on a fresh instance,`,
    `  first ${s.warmup} reads of other customers (the JIT warm, the bounded maps full), then the timed reads. The`,
    '  ratio is the limiter-on rate over the limiter-off rate of the same round; medians over the rounds.',
    '  CPU per call is `process.cpuUsage()` (user + system) over the timed reads, divided by them: steadier than',
    '  calls/s on a shared machine.',
    '- **Heap.** Per variant, a fresh instance in a child process: `heapUsed` after two forced `gc()`, before',
    `  and after ${s.tenants} reads.`,
    '',
    limiterCostTable(limiterCost),
    '',
  ].join('\n');
}

/** The heap a fresh instance of `key` holds after `tenants` reads (after gc), measured in this process. */
async function heapOf(key, tenants, concurrency) {
  const variant = COST_VARIANTS.find((v) => v.key === key);
  const before = heapAfterGc();
  const { api, handle, dispose } = createClient('ours', { adapter: stubAdapter, ours: variant.ours });
  await sweep(api, 20_000_000, tenants, concurrency);
  const after = heapAfterGc();
  const figure = { key, deltaBytes: after - before, scopes: handle?.scopeCount ?? null };
  dispose();
  return figure;
}

// Run as a child (`node --expose-gc limiterCost.mjs <variant> <tenants> <concurrency>`): one heap figure, as JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [key, tenants, concurrency] = process.argv.slice(2);
  console.log(JSON.stringify(await heapOf(key, Number(tenants), Number(concurrency))));
}
