// The benchmark: bare axios, axios + axios-retry and partner-center-resilience side by side on the same
// Partner Center simulator scenarios, then success-path throughput, listener cost and heap per tenant scope.
// Then client CPU per call (loopback HTTP), stub-adapter throughput and GC survival per scavenge of bare axios,
// axios-retry, ours and ours with a token provider (bench/lib/cpu.mjs). Then exactly-once orders: order
// POSTs whose answers are lost, with and without the `reconcile` option (bench/lib/orders.mjs). Then the
// adaptive rate limiter against a hidden partner quota and the partner retry budget against calls that all
// fail, beside the limiter off and axios-retry (bench/lib/limiter.mjs). Then the rate limiter's own cost at
// many tenants: stub-adapter calls/s and heap, limiter on and off (bench/lib/limiterCost.mjs).
// Prints markdown tables and writes docs/benchmarks.md.
//
//   npm run bench        npm run build && node --expose-gc bench/run.mjs && node bench/multiprocess.mjs
//   BENCH_QUICK=1 node --expose-gc bench/run.mjs    a reduced size, for iterating (doc to <tmpdir>)
//   BENCH_ONLY=scenarios|throughput|cpu|memory|orders|limiter|limiter-cost
//                                                   one part only (no doc; cpu writes its section to <tmpdir>;
//                                                   orders, limiter and limiter-cost write their section to
//                                                   <tmpdir> and, unless quick, splice it into
//                                                   docs/benchmarks.md, the rest untouched)
//   BENCH_ONLY=customers|first-contact|limiter-jobs  the rate limiter's jobs (bench/lib/limiterJobs.mjs):
//                                                   the many-customers loop, the first-contact job, or both,
//                                                   several rounds each; run only when asked (they take
//                                                   minutes); each writes its section to <tmpdir> and, unless
//                                                   quick, splices it into docs/benchmarks.md
//   BENCH_RENDER=<results.json>                     rewrite docs/benchmarks.md from a saved full run, or
//                                                   only the limiter section from a saved BENCH_ONLY=limiter run
// Every run saves its raw results to <tmpdir>/partner-center-resilience-bench.json. Stops by itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runComparison } from './lib/compare.mjs';
import { measureCpu } from './lib/cpu.mjs';
import { COMMAND, cpuSection, limiterSection, ordersSection, renderDocument } from './lib/document.mjs';
import {
  BUDGET_VARIANT_LABELS,
  LIMITER_VARIANT_LABELS,
  QUOTA_WORKLOADS,
  runLimiter,
} from './lib/limiter.mjs';
import { limiterCostSection, limiterCostTable, measureLimiterCost } from './lib/limiterCost.mjs';
import { LIMITER_TARGETS } from './lib/limiterFigures.mjs';
import { jobSection, runJobs } from './lib/limiterJobs.mjs';
import { measureScopes } from './lib/memory.mjs';
import { runOrders } from './lib/orders.mjs';
import {
  comparisonTable,
  cpuTable,
  failureTable,
  gcTable,
  limiterBudgetTable,
  limiterQuotaTable,
  limiterThrottleTable,
  memoryTable,
  ordersTable,
  scenarioTable,
  stubRateTable,
  throughputTable,
} from './lib/report.mjs';
import { SCENARIOS, SEED, scaled } from './lib/scenarios.mjs';
import { createSimulatorHost } from './lib/simulatorHost.mjs';
import { spliceSection } from './lib/spliceSection.mjs';
import { fixed } from './lib/stats.mjs';
import { measureThroughput, stubAdapter } from './lib/throughput.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY;
const HARD_LIMIT_MS = 20 * 60_000;
const RESULTS_FILE = join(tmpdir(), 'partner-center-resilience-bench.json');

const SIZES = QUICK
  ? { scenarioFactor: 0.25, httpCalls: 1000, stubCalls: 5000, rounds: 3, tenants: [10_000, 20_000] }
  : {
      scenarioFactor: 1,
      httpCalls: 3000,
      stubCalls: 20_000,
      rounds: 5,
      tenants: [25_000, 50_000, 100_000, 200_000],
    };

/**
 * Sizes of the client CPU part (bench/lib/cpu.mjs): per measured part, the child processes the rounds are
 * split over, the rounds (each runs one batch per variant), the calls per batch and the warm-up calls per
 * variant (in each child). Rounds stay far above 7 even when quick.
 */
const CPU_SIZES = QUICK
  ? {
      http: { processes: 2, rounds: 40, batchCalls: 250, warmupCalls: 1000 },
      stub: { processes: 1, rounds: 15, batchCalls: 2000, warmupCalls: 5000 },
      gcRuns: 1,
      gcStubCalls: 5000,
      gcHttpCalls: 1000,
    }
  : {
      http: { processes: 4, rounds: 400, batchCalls: 250, warmupCalls: 3000 },
      stub: { processes: 2, rounds: 40, batchCalls: 5000, warmupCalls: 20_000 },
      gcRuns: 3,
      gcStubCalls: 30_000,
      gcHttpCalls: 4000,
    };

/**
 * Sizes of the exactly-once orders part: order POSTs per variant, calls in flight, the share of POSTs whose
 * answer the simulator loses (`lostOrders({ rate })`) and the seed.
 */
const ORDER_SIZES = { orders: QUICK ? 250 : 1000, concurrency: 16, rate: 0.2, seed: SEED };

/**
 * Sizes of the rate limiter part: the hidden partner quota, calls in flight, how long each closed-loop run
 * lasts and its warm-up (reported apart); then the partner retry budget part: calls that all fail, spread
 * over that many customers.
 */
const LIMITER_SIZES = {
  seed: SEED,
  quota: {
    quotaPerSec: 20,
    concurrency: 16,
    durationMs: QUICK ? 12_000 : 40_000,
    warmupMs: QUICK ? 4_000 : 10_000,
  },
  budget: { calls: 200, customers: 100, concurrency: 16 },
};

/**
 * Sizes of the limiter cost part: distinct customers read (each once) per timed run, rounds, warm-up reads
 * and calls in flight.
 */
const LIMITER_COST_SIZES = QUICK
  ? { tenants: 20_000, rounds: 3, warmup: 10_000, concurrency: 64 }
  : { tenants: 50_000, rounds: 7, warmup: 20_000, concurrency: 64 };

/** Rounds of the rate limiter's jobs (BENCH_ONLY=customers|first-contact|limiter-jobs). */
const JOB_ROUNDS = QUICK ? 1 : 3;

/** The jobs of a BENCH_ONLY value, or none. */
const JOBS_OF = {
  customers: ['customers'],
  'first-contact': ['first-contact'],
  'limiter-jobs': ['customers', 'first-contact'],
};

/** The command line of this run, as printed in the documents. */
function commandLine() {
  if (!QUICK && !ONLY) return COMMAND;
  const env = [QUICK ? 'BENCH_QUICK=1' : '', ONLY ? `BENCH_ONLY=${ONLY}` : ''].filter(Boolean).join(' ');
  return `npm run build && ${env} node --expose-gc bench/run.mjs`;
}

const wants = (part) => !ONLY || ONLY === part;

async function scenariosPart(host) {
  const scenarios = scaled(SCENARIOS, SIZES.scenarioFactor);
  const rows = await runComparison(host, scenarios, (r) =>
    console.error(
      `  ${r.scenario.padEnd(12)} ${r.client.padEnd(12)} ok ${r.ok}/${r.calls}  hits ${r.hits}  ` +
        `beforeDeadline ${r.hitsBeforeDeadline}  early ${r.earlyRetries}  ${fixed(r.durationMs / 1000, 1)} s`,
    ),
  );
  return { scenarios, rows };
}

async function throughputPart(host) {
  const sim = await host.start({ name: 'healthy', customers: 20 }, 42);
  try {
    const common = { customerIds: sim.customerIds, concurrency: 16, rounds: SIZES.rounds };
    const http = await measureThroughput({ ...common, target: { baseURL: sim.url }, calls: SIZES.httpCalls });
    const stub = await measureThroughput({
      ...common,
      target: { adapter: stubAdapter },
      calls: SIZES.stubCalls,
    });
    return { http, stub, httpCalls: SIZES.httpCalls, stubCalls: SIZES.stubCalls, rounds: SIZES.rounds };
  } finally {
    await host.stop();
  }
}

async function ordersPart(host) {
  const rows = await runOrders(host, ORDER_SIZES, (r) =>
    console.error(
      `  ${r.variant.padEnd(15)} ok ${r.ok}/${r.calls}  unknown ${r.unknown}  other ${r.otherFailures}  ` +
        `created ${r.ordersCreated}  duplicates ${r.duplicateOrders}  hits ${r.hits}  ${fixed(r.durationMs / 1000, 1)} s`,
    ),
  );
  return { sizes: ORDER_SIZES, rows };
}

async function limiterPart(host) {
  return runLimiter(host, LIMITER_SIZES, (part, r) => {
    if (part === 'quota') {
      const f = r.figures.steady;
      console.error(
        `  ${r.workload.padEnd(9)} ${r.variant.padEnd(11)} steady: 429s/100 ${fixed(f.throttledPer100Calls, 1)}  ` +
          `ok/s ${fixed(f.okPerSec, 1)}  failed ${r.figures.whole.failed}  beforeDeadline ${r.figures.whole.hitsBeforeDeadline}`,
      );
    } else {
      console.error(`  budget    ${r.variant.padEnd(14)} hits ${r.hits} (${fixed(r.hitsPerCall, 2)} / call)`);
    }
  });
}

async function limiterCostPart() {
  return measureLimiterCost(LIMITER_COST_SIZES, (round, rates) =>
    console.error(
      `  round ${round + 1}: ${[...rates].map(([key, rate]) => `${key} ${fixed(rate, 0)}/s`).join(', ')}`,
    ),
  );
}

async function memoryPart() {
  const last = SIZES.tenants[SIZES.tenants.length - 1];
  const full = SIZES.tenants.filter((n) => n <= 100_000);
  return [
    { label: 'axios', points: await measureScopes({ client: 'axios', checkpoints: full }) },
    {
      label: 'ours, maxScopes raised',
      maxScopes: last,
      points: await measureScopes({
        client: 'ours',
        ours: { tenants: { maxScopes: last } },
        checkpoints: full,
      }),
    },
    {
      label: 'ours, defaults',
      maxScopes: 10_000,
      points: await measureScopes({ client: 'ours', checkpoints: SIZES.tenants }),
    },
  ];
}

async function main() {
  if (process.env.BENCH_RENDER) {
    const result = JSON.parse(readFileSync(process.env.BENCH_RENDER, 'utf8'));
    printTables(result);
    if (result.limiter && !result.comparison) {
      // A saved BENCH_ONLY=limiter run: its section again, from its numbers.
      writeLimiterSection(result);
      return;
    }
    if (result.limiterCost && !result.comparison) {
      writePartSection(result, 'limiter-cost', limiterCostSection(result));
      return;
    }
    writeDocument(result);
    return;
  }
  const watchdog = setTimeout(() => {
    console.error(`bench: hard limit of ${HARD_LIMIT_MS / 60_000} min reached, stopping`);
    process.exit(2);
  }, HARD_LIMIT_MS);
  watchdog.unref();
  const result = await runAll();
  writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`raw results: ${RESULTS_FILE}`);
  printTables(result);
  writeDocument(result);
}

async function runAll() {
  const host = await createSimulatorHost();
  const started = Date.now();
  const result = { quick: QUICK, complete: !QUICK && !ONLY, command: commandLine() };
  try {
    if (wants('scenarios')) {
      console.error('scenarios:');
      result.comparison = await scenariosPart(host);
    }
    if (wants('throughput')) {
      console.error('throughput...');
      result.throughput = await throughputPart(host);
    }
    if (wants('cpu')) {
      console.error('client CPU per call...');
      result.cpu = await measureCpu(CPU_SIZES, (line) => console.error(line));
    }
    if (wants('memory')) {
      console.error('memory...');
      result.memory = await memoryPart();
    }
    if (wants('orders')) {
      console.error('exactly-once orders:');
      result.orders = await ordersPart(host);
    }
    if (wants('limiter')) {
      console.error('rate limiter and partner retry budget:');
      result.limiter = await limiterPart(host);
    }
    const jobs = JOBS_OF[ONLY] ?? [];
    if (jobs.length > 0) {
      console.error(`rate limiter jobs (${jobs.join(', ')}), ${JOB_ROUNDS} round(s):`);
      result.jobs = await runJobs(host, { jobs, rounds: JOB_ROUNDS, seed: SEED }, (r) =>
        console.error(
          `  ${r.job} ${r.workload.padEnd(14)} ${r.variant.padEnd(16)} ok ${r.ok}/${r.calls}  ${fixed(r.seconds, 1)} s ` +
            `(${fixed(r.overQuota, 2)}x)  429s ${r.throttled}`,
        ),
      );
      result.jobs.names = jobs;
    }
    if (wants('limiter-cost')) {
      console.error('rate limiter cost at many tenants:');
      result.limiterCost = await limiterCostPart();
    }
  } finally {
    await host.shutdown();
  }
  result.elapsedMs = Date.now() - started;
  result.machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    date: new Date().toISOString(),
  };
  return result;
}

/**
 * docs/benchmarks.md for a complete full-size run; elsewhere (tmpdir) for a quick or partial one. The orders
 * and limiter parts run alone also refresh their own section of docs/benchmarks.md (unless quick).
 */
function writeDocument(result) {
  if (result.jobs) {
    for (const job of result.jobs.names) writePartSection(result, job, jobSection(job, result.jobs, result));
    return;
  }
  if (result.limiter && ONLY === 'limiter') {
    writeLimiterSection(result);
    return;
  }
  if (result.orders && ONLY === 'orders') {
    writePartSection(result, 'orders', ordersSection(result));
    return;
  }
  if (result.limiterCost && ONLY === 'limiter-cost') {
    writePartSection(result, 'limiter-cost', limiterCostSection(result));
    return;
  }
  if (result.cpu && !result.comparison && !result.throughput && !result.memory) {
    const file = join(tmpdir(), result.quick ? 'benchmarks-cpu.quick.md' : 'benchmarks-cpu.md');
    writeFileSync(file, `${cpuSection(result)}\n`);
    console.error(`wrote ${file}`);
    return;
  }
  if (!result.comparison || !result.throughput || !result.memory) return;
  const file = result.complete
    ? join(here, '..', 'docs', 'benchmarks.md')
    : join(tmpdir(), 'benchmarks.quick.md');
  writeFileSync(file, `${renderDocument(result)}${keptTail(file)}`);
  console.error(`wrote ${file}`);
}

/**
 * What the page holds from the bundle-size section on (written by scripts/bundle-size.mjs, then the limiter's
 * tuning history): kept as it is when the bench rewrites the page.
 */
function keptTail(file) {
  let page;
  try {
    page = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const at = page.indexOf('<!-- bundle-size:start');
  return at < 0 ? '' : `\n${page.slice(at)}`;
}

/**
 * A part's section (a run of that part alone) to <tmpdir>/benchmarks-<part>[.quick].md and, unless quick,
 * spliced into docs/benchmarks.md in place of its previous version (the rest untouched).
 */
function writePartSection(result, part, section) {
  const file = join(tmpdir(), result.quick ? `benchmarks-${part}.quick.md` : `benchmarks-${part}.md`);
  writeFileSync(file, section);
  console.error(`wrote ${file}`);
  if (!result.quick) {
    const doc = join(here, '..', 'docs', 'benchmarks.md');
    const before = ['## Success-path throughput', '## Reading'];
    writeFileSync(doc, spliceSection(readFileSync(doc, 'utf8'), section, before));
    console.error(`spliced its section into ${doc}`);
  }
}

/** The limiter section to <tmpdir> and, unless quick, spliced into docs/benchmarks.md (the rest untouched). */
function writeLimiterSection(result) {
  writePartSection(result, 'limiter', limiterSection(result));
}

function printTables(result) {
  const out = [];
  if (result.comparison) {
    out.push(scenarioTable(result.comparison.scenarios), '');
    out.push(comparisonTable(result.comparison.rows, result.comparison.scenarios), '');
    out.push(failureTable(result.comparison.rows, result.comparison.scenarios), '');
  }
  if (result.throughput) {
    out.push(
      `Success path over loopback HTTP (${result.throughput.httpCalls} calls, median of ${result.throughput.rounds}):`,
      '',
    );
    out.push(throughputTable(result.throughput.http), '');
    out.push(
      `Success path, stub adapter (${result.throughput.stubCalls} calls, median of ${result.throughput.rounds}):`,
      '',
    );
    out.push(throughputTable(result.throughput.stub), '');
  }
  if (result.cpu) {
    const c = result.cpu;
    out.push(
      `Client CPU per call over loopback HTTP (${c.plan.http.rounds} rounds of ${c.plan.http.batchCalls} calls per variant, median (min..max)):`,
      '',
    );
    out.push(cpuTable(c), '');
    out.push(
      `Stub adapter throughput (${c.plan.stub.rounds} rounds of ${c.plan.stub.batchCalls} calls per variant, median (min..max)):`,
      '',
    );
    out.push(stubRateTable(c), '');
    out.push(
      `GC survival per young collection (${c.gcStubCalls} stub + ${c.gcHttpCalls} HTTP calls, ${c.gcRuns} run(s)):`,
      '',
    );
    out.push(gcTable(c), '');
  }
  if (result.memory) out.push(memoryTable(result.memory), '');
  if (result.orders) {
    const { orders, concurrency, rate } = result.orders.sizes;
    out.push(
      `Exactly-once orders (${orders} order POSTs per variant, concurrency ${concurrency}, lostOrders({ rate: ${rate} })):`,
      '',
    );
    out.push(ordersTable(result.orders.rows), '');
  }
  if (result.limiter) {
    const { quota, budget, sizes } = result.limiter;
    const groupOf = (r) => QUOTA_WORKLOADS[r.workload]?.short ?? r.workload;
    out.push(
      `Rate limiter, hidden partner quota ${sizes.quota.quotaPerSec}/s, ${sizes.quota.concurrency} in flight, ${sizes.quota.durationMs / 1000} s per run:`,
      '',
    );
    out.push(
      limiterQuotaTable(quota, {
        targets: LIMITER_TARGETS.single,
        judged: ['ours'],
        labels: LIMITER_VARIANT_LABELS,
        groupOf,
      }),
      '',
    );
    out.push(limiterThrottleTable(quota, { labels: LIMITER_VARIANT_LABELS, groupOf }), '');
    out.push(
      `Partner retry budget, ${sizes.budget.calls} calls that all fail (503) over ${sizes.budget.customers} customers:`,
      '',
    );
    out.push(
      limiterBudgetTable(budget, {
        labels: BUDGET_VARIANT_LABELS,
        maxHitsPerCall: LIMITER_TARGETS.budget.hitsPerCall,
      }),
      '',
    );
  }
  if (result.limiterCost) {
    const s = result.limiterCost.sizes;
    out.push(
      `Rate limiter cost, ${s.tenants} distinct customers, stub adapter, ${s.concurrency} in flight (median of ${s.rounds} rounds):`,
      '',
    );
    out.push(limiterCostTable(result.limiterCost), '');
  }
  console.log(out.join('\n'));
}

await main();
