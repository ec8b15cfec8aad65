// Success path, client CPU per call: bare axios, axios-retry, the floor of any Partner Center client (axios
// plus the two id headers and a bounded transport) and ours (with and without a token provider) doing the
// same customer reads, measured three ways in one run:
//   http   client CPU per call (process.cpuUsage() user + system over a run / calls) over loopback HTTP,
//          against a minimal server in a child process (its CPU is not counted);
//   stub   calls/s with a stub adapter (a canned 200, no network): the client-side cost alone;
//   gc     bytes surviving each young collection (scavenge), from `node --trace-gc-nvp` in a child process
//          per variant (stub adapter, then loopback HTTP).
// http and stub run in rounds: every variant once per round, the order rotated per round, each value
// divided by bare axios's value of the same round; medians and ranges over the rounds are reported.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once, setMaxListeners } from 'node:events';
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from './clients.mjs';
import { gcRates, phaseMarker, summarizeGcTrace } from './gcTrace.mjs';
import { startLoopbackServer } from './loopbackServer.mjs';
import { tenantId } from './memory.mjs';
import { median, rotated, roundRatios, spread } from './stats.mjs';
import { stubAdapter } from './throughput.mjs';
import { runPlan } from './workload.mjs';

const self = fileURLToPath(import.meta.url);

/** The token every `ours+token` call carries. */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

/** The variants, in table order; `axios` is the baseline of every ratio. */
export const CPU_VARIANTS = [
  { key: 'axios', client: 'axios' },
  { key: 'axios-retry', client: 'axios-retry', axiosRetry: { retries: 3 } },
  { key: 'axios+floor', client: 'axios', floor: true },
  { key: 'ours', client: 'ours' },
  { key: 'ours+token', client: 'ours', token: true },
];

/** Targets printed beside the results (the engine issue's "Done when"). */
export const CPU_TARGETS = {
  /** Client CPU per call over loopback HTTP, ratio to bare axios: at most. */
  cpuRatioMax: { ours: 1.1, 'ours+token': 1.15 },
  /** Stub-adapter calls/s, ratio to bare axios: at least. */
  stubRateRatioMin: { ours: 0.75 },
  /** Bytes surviving per scavenge and per call, ratio to bare axios: at most. */
  gcRatioMax: { ours: 2, 'ours+token': 2 },
};

/** The customer ids the reads cycle over (GUID-shaped, fixed). */
export const CUSTOMER_IDS = Array.from({ length: 20 }, (_, i) => tenantId(i));

/** Where the stub adapter's calls claim to go: loopback, so that ours+token may send its token. */
const STUB_BASE_URL = 'http://127.0.0.1';

function readPlan(calls) {
  return Array.from({ length: calls }, (_, i) => ({
    op: 'read',
    customer: CUSTOMER_IDS[i % CUSTOMER_IDS.length],
  }));
}

function tokenProvider() {
  return {
    getToken: async () => ({ token: BENCH_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}

/** A fresh client of `variant` for `target` (`{ baseURL }` or `{ adapter }`). */
function variantClient(variant, target) {
  const client = createClient(variant.client, {
    ...(target.adapter ? { adapter: target.adapter, baseURL: STUB_BASE_URL } : { baseURL: target.baseURL }),
    ours: variant.token ? { tokenProvider: tokenProvider() } : {},
    ...(variant.axiosRetry ? { axiosRetry: variant.axiosRetry } : {}),
  });
  return variant.floor ? withFloor(client) : client;
}

/**
 * The floor of any Partner Center client: bare axios plus what every call must carry (a new
 * MS-RequestId and MS-CorrelationId) and a bounded transport (one shared AbortSignal handed to every
 * request, as an attempt limit needs), and nothing else: no retry, no scope, no breaker.
 */
function withFloor(client) {
  const shared = new AbortController();
  setMaxListeners(0, shared.signal);
  client.api.interceptors.request.use(
    (config) => {
      config.headers.set('MS-RequestId', randomUUID());
      config.headers.set('MS-CorrelationId', randomUUID());
      config.signal = shared.signal;
      return config;
    },
    undefined,
    { synchronous: true },
  );
  return client;
}

async function runChecked(variant, api, plan, concurrency) {
  const run = await runPlan(api, plan, { concurrency });
  if (run.ok !== plan.length) {
    const failures = [...run.failures].map(([kind, n]) => `${kind}: ${n}`).join(', ');
    throw new Error(`${variant.key}: ${plan.length - run.ok} of ${plan.length} calls failed (${failures})`);
  }
  return run;
}

/**
 * One measured run on a fresh client: `warmup` calls first (sockets opened, caches filled), then a full gc,
 * then the plan between two process.cpuUsage() readings. Resolves `{ cpuUsPerCall, callsPerSec }`.
 */
async function measureRun(variant, target, plan, warmup, concurrency) {
  const { api, dispose } = variantClient(variant, target);
  try {
    await runChecked(variant, api, warmup, concurrency);
    globalThis.gc?.();
    const before = process.cpuUsage();
    const run = await runChecked(variant, api, plan, concurrency);
    const cpu = process.cpuUsage(before);
    return {
      cpuUsPerCall: (cpu.user + cpu.system) / plan.length,
      callsPerSec: plan.length / (run.durationMs / 1000),
    };
  } finally {
    dispose();
  }
}

/**
 * Every variant once as a warm-up, then `rounds` rounds in rotated order. Resolves `{ rows, perRound }`:
 * per variant the spread (median, min, max) of CPU µs per call, calls/s and both ratios to bare axios.
 */
async function measureRounds({ target, calls, warmupCalls, concurrency, rounds, onProgress }) {
  const plan = readPlan(calls);
  const warmup = readPlan(warmupCalls);
  // One unmeasured run of the whole plan per variant, so that the JIT has seen every variant's code.
  for (const variant of CPU_VARIANTS) await measureRun(variant, target, plan, warmup, concurrency);
  const perRound = Object.fromEntries(
    CPU_VARIANTS.map((v) => [v.key, { cpuUsPerCall: [], callsPerSec: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const variant of rotated(CPU_VARIANTS, round)) {
      const run = await measureRun(variant, target, plan, warmup, concurrency);
      perRound[variant.key].cpuUsPerCall.push(run.cpuUsPerCall);
      perRound[variant.key].callsPerSec.push(run.callsPerSec);
    }
    onProgress?.(round + 1, perRound);
  }
  const base = perRound.axios;
  const rows = CPU_VARIANTS.map(({ key }) => {
    const mine = perRound[key];
    return {
      key,
      cpuUsPerCall: spread(mine.cpuUsPerCall),
      cpuRatio: spread(roundRatios(mine.cpuUsPerCall, base.cpuUsPerCall)),
      callsPerSec: spread(mine.callsPerSec),
      rateRatio: spread(roundRatios(mine.callsPerSec, base.callsPerSec)),
    };
  });
  return { rows, perRound };
}

/** Runs one GC child for `variant`; resolves its phases' stats (see gcTrace.mjs). */
async function gcChildRun(variant, { baseURL, stubCalls, httpCalls, concurrency }) {
  const args = ['--trace-gc-nvp', '--expose-gc', self, 'gc-child', variant.key];
  args.push(String(stubCalls), String(httpCalls), String(concurrency), baseURL);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks = [];
  proc.stdout.on('data', (chunk) => chunks.push(chunk));
  const [code, signal] = await once(proc, 'exit');
  if (code !== 0) throw new Error(`gc child of ${variant.key} exited with ${code ?? signal}`);
  return summarizeGcTrace(Buffer.concat(chunks).toString('utf8'));
}

const GC_METRICS = [
  'scavenges',
  'promotedPerScavenge',
  'copiedPerScavenge',
  'survivedPerScavenge',
  'promotedPerCall',
  'copiedPerCall',
  'survivedPerCall',
];

/**
 * `runs` GC children per variant (order rotated per run). Resolves `{ rows }`: per variant and phase the
 * median of each metric over the runs, and the ratios of survived bytes per scavenge and per call to bare
 * axios's medians.
 */
async function measureGc({ baseURL, stubCalls, httpCalls, concurrency, runs, onProgress }) {
  const samples = new Map(CPU_VARIANTS.map((v) => [v.key, []]));
  for (let run = 0; run < runs; run++) {
    for (const variant of rotated(CPU_VARIANTS, run)) {
      samples
        .get(variant.key)
        .push(await gcChildRun(variant, { baseURL, stubCalls, httpCalls, concurrency }));
      onProgress?.(variant.key, run + 1);
    }
  }
  const rows = [];
  for (const phase of ['stub', 'http']) {
    const medians = new Map();
    for (const { key } of CPU_VARIANTS) {
      const rates = samples.get(key).map((phases) => gcRates(phases[phase]));
      const row = { key, phase, calls: rates[0].calls };
      for (const metric of GC_METRICS) row[metric] = median(rates.map((r) => r[metric]));
      medians.set(key, row);
    }
    const base = medians.get('axios');
    for (const { key } of CPU_VARIANTS) {
      const row = medians.get(key);
      row.survivedPerScavengeRatio = base.survivedPerScavenge
        ? row.survivedPerScavenge / base.survivedPerScavenge
        : 0;
      row.survivedPerCallRatio = base.survivedPerCall ? row.survivedPerCall / base.survivedPerCall : 0;
      rows.push(row);
    }
  }
  return { rows };
}

/**
 * The whole CPU part. `sizes`: `{ rounds, httpCalls, stubCalls, warmupCalls, gcRuns, gcStubCalls,
 * gcHttpCalls }`; concurrency 16. Needs `node --expose-gc` (a full gc before each measured run).
 */
export async function measureCpu(sizes, log = () => {}) {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  const concurrency = 16;
  const server = await startLoopbackServer();
  try {
    const common = { warmupCalls: sizes.warmupCalls, concurrency, rounds: sizes.rounds };
    const progress = (part) => (round, perRound) =>
      log(
        `  ${part} round ${round}/${sizes.rounds}: ` +
          CPU_VARIANTS.map(({ key }) => `${key} ${perRound[key].cpuUsPerCall.at(-1).toFixed(0)} µs`).join(
            ', ',
          ),
      );
    const http = await measureRounds({
      ...common,
      target: { baseURL: server.url },
      calls: sizes.httpCalls,
      onProgress: progress('http'),
    });
    const stub = await measureRounds({
      ...common,
      target: { adapter: stubAdapter },
      calls: sizes.stubCalls,
      onProgress: progress('stub'),
    });
    const gc = await measureGc({
      baseURL: server.url,
      stubCalls: sizes.gcStubCalls,
      httpCalls: sizes.gcHttpCalls,
      concurrency,
      runs: sizes.gcRuns,
      onProgress: (key, run) => log(`  gc ${key} run ${run}/${sizes.gcRuns}`),
    });
    return { ...sizes, concurrency, customers: CUSTOMER_IDS.length, targets: CPU_TARGETS, http, stub, gc };
  } finally {
    await server.close();
  }
}

/**
 * The GC child: `gc-child <variant> <stubCalls> <httpCalls> <concurrency> <baseURL>`, run under
 * `node --trace-gc-nvp --expose-gc`. Warms up, then marks each measured phase on stdout (in order with V8's
 * trace lines): the stub adapter phase, then the loopback HTTP phase, each after a full gc.
 */
async function gcChild([key, stubCalls, httpCalls, concurrency, baseURL]) {
  const variant = CPU_VARIANTS.find((v) => v.key === key);
  if (!variant) throw new Error(`unknown variant ${key}`);
  const phases = [
    { phase: 'stub', target: { adapter: stubAdapter }, calls: Number(stubCalls) },
    { phase: 'http', target: { baseURL }, calls: Number(httpCalls) },
  ];
  for (const { phase, target, calls } of phases) {
    const { api, dispose } = variantClient(variant, target);
    try {
      await runChecked(variant, api, readPlan(Math.min(calls, 2000)), Number(concurrency));
      const plan = readPlan(calls);
      globalThis.gc();
      writeSync(1, `${phaseMarker('start', phase, calls)}\n`);
      await runChecked(variant, api, plan, Number(concurrency));
      writeSync(1, `${phaseMarker('end', phase)}\n`);
    } finally {
      dispose();
    }
  }
}

if (process.argv[2] === 'gc-child') await gcChild(process.argv.slice(3));
