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

/**
 * The rate limiter's options of `ours`: the reads cycle over 20 customers thousands of times a second, and the
 * documented 500/min per customer tenant (the default rules) would pace them to about 164 calls/s. Without
 * rules, a call that no rule covers and no 429 has limited costs the limiter one synchronous check.
 */
const NO_RULES = { rateLimit: { defaultRules: false } };
/** `ours+rules`: a rule on every call's tenant, too high to bind: the cost of taking a token per call. */
const LOOSE_RULE = {
  rateLimit: { defaultRules: false, rules: [{ scope: 'customer', perMinute: 1_000_000 }] },
};

/** The variants, in table order; `axios` is the baseline of every ratio. */
export const CPU_VARIANTS = [
  { key: 'axios', client: 'axios' },
  { key: 'axios-retry', client: 'axios-retry', axiosRetry: { retries: 3 } },
  { key: 'axios+floor', client: 'axios', floor: true },
  { key: 'ours', client: 'ours', ours: NO_RULES },
  { key: 'ours+rules', client: 'ours', ours: LOOSE_RULE },
  { key: 'ours+token', client: 'ours', token: true, ours: NO_RULES },
  { key: 'axios+floor+token', client: 'axios', floor: true, bearer: true },
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
    ours: { ...variant.ours, ...(variant.token ? { tokenProvider: tokenProvider() } : {}) },
    ...(variant.axiosRetry ? { axiosRetry: variant.axiosRetry } : {}),
  });
  return variant.floor ? withFloor(client, variant.bearer === true) : client;
}

/**
 * The floor of any Partner Center client: bare axios plus what every call must carry (a new
 * MS-RequestId and MS-CorrelationId) and a bounded transport (one shared AbortSignal handed to every
 * request, as an attempt limit needs), and nothing else: no retry, no scope, no breaker. With `bearer`, it
 * also sends the same `Authorization: Bearer ...` header as `ours+token` (the floor of an authenticated call).
 */
function withFloor(client, bearer) {
  const authorization = `Bearer ${BENCH_TOKEN}`;
  const shared = new AbortController();
  setMaxListeners(0, shared.signal);
  client.api.interceptors.request.use(
    (config) => {
      config.headers.set('MS-RequestId', randomUUID());
      config.headers.set('MS-CorrelationId', randomUUID());
      if (bearer) config.headers.set('Authorization', authorization);
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
 * In this process: every variant's client built once and warmed (`warmupCalls` calls: sockets opened, caches
 * filled, the JIT settled), then `rounds` rounds: in each, every variant runs one batch of `batchCalls` calls
 * between two process.cpuUsage() readings, in an order rotated per round. Batches are short and interleaved
 * so that the machine's drift reaches every variant alike; no full gc() is forced between them (a forced
 * collection with no call in flight discards optimised code whose maps die with it, and the batch after it
 * measures the JIT re-warming rather than the steady cost per call). Resolves, per variant key, its CPU µs
 * per call and calls/s of every round.
 */
async function roundsInProcess({ target, batchCalls, warmupCalls, concurrency, rounds, firstRound = 0 }) {
  const clients = CPU_VARIANTS.map((variant) => ({ variant, ...variantClient(variant, target) }));
  try {
    const warmup = readPlan(warmupCalls);
    for (const { variant, api } of clients) await runChecked(variant, api, warmup, concurrency);
    const batch = readPlan(batchCalls);
    const perRound = Object.fromEntries(
      CPU_VARIANTS.map((v) => [v.key, { cpuUsPerCall: [], callsPerSec: [] }]),
    );
    for (let round = firstRound; round < firstRound + rounds; round++) {
      for (const { variant, api } of rotated(clients, round)) {
        const before = process.cpuUsage();
        const run = await runChecked(variant, api, batch, concurrency);
        const cpu = process.cpuUsage(before);
        perRound[variant.key].cpuUsPerCall.push((cpu.user + cpu.system) / batch.length);
        perRound[variant.key].callsPerSec.push(batch.length / (run.durationMs / 1000));
      }
    }
    return perRound;
  } finally {
    for (const { dispose } of clients) dispose();
  }
}

/**
 * The rounds split over `processes` child processes, one after the other (each its own heap and JIT, whose
 * luck differs from process to process on this machine by a few percent), pooled. Resolves `{ rows,
 * perRound }`: per variant the spread of CPU µs per call, calls/s and both ratios to bare axios of the same
 * round.
 */
async function measureRounds({ target, processes, rounds, onProgress, ...plan }) {
  const perRound = Object.fromEntries(
    CPU_VARIANTS.map((v) => [v.key, { cpuUsPerCall: [], callsPerSec: [] }]),
  );
  let done = 0;
  for (let child = 0; child < processes; child++) {
    const share = Math.ceil((rounds - done) / (processes - child));
    const spec = {
      target: target.adapter ? 'stub' : target.baseURL,
      rounds: share,
      firstRound: done,
      ...plan,
    };
    const proc = spawn(process.execPath, [self, 'rounds-child', JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks = [];
    proc.stdout.on('data', (chunk) => chunks.push(chunk));
    const [code, signal] = await once(proc, 'exit');
    if (code !== 0) throw new Error(`rounds child ${child + 1} exited with ${code ?? signal}`);
    const mine = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const { key } of CPU_VARIANTS) {
      perRound[key].cpuUsPerCall.push(...mine[key].cpuUsPerCall);
      perRound[key].callsPerSec.push(...mine[key].callsPerSec);
    }
    done += share;
    onProgress?.(done, perRound);
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

/** The rounds child: `rounds-child <spec JSON>`; prints its rounds as JSON on stdout. */
async function roundsChild([json]) {
  const { target, ...spec } = JSON.parse(json);
  const perRound = await roundsInProcess({
    ...spec,
    target: target === 'stub' ? { adapter: stubAdapter } : { baseURL: target },
  });
  writeSync(1, JSON.stringify(perRound));
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
 * The whole CPU part. `sizes`: `{ http: { rounds, batchCalls, warmupCalls }, stub: { rounds, batchCalls,
 * warmupCalls }, gcRuns, gcStubCalls, gcHttpCalls }`; concurrency 16.
 */
export async function measureCpu(sizes, log = () => {}) {
  const concurrency = 16;
  const server = await startLoopbackServer();
  try {
    const progress = (part, rounds) => (round, perRound) =>
      log(
        `  ${part} round ${round}/${rounds}, median so far: ` +
          CPU_VARIANTS.map(({ key }) => `${key} ${median(perRound[key].cpuUsPerCall).toFixed(1)} µs`).join(
            ', ',
          ),
      );
    const http = await measureRounds({
      ...sizes.http,
      concurrency,
      target: { baseURL: server.url },
      onProgress: progress('http', sizes.http.rounds),
    });
    const stub = await measureRounds({
      ...sizes.stub,
      concurrency,
      target: { adapter: stubAdapter },
      onProgress: progress('stub', sizes.stub.rounds),
    });
    const gc = await measureGc({
      baseURL: server.url,
      stubCalls: sizes.gcStubCalls,
      httpCalls: sizes.gcHttpCalls,
      concurrency,
      runs: sizes.gcRuns,
      onProgress: (key, run) => log(`  gc ${key} run ${run}/${sizes.gcRuns}`),
    });
    const { http: httpPlan, stub: stubPlan, ...gcSizes } = sizes;
    return {
      ...gcSizes,
      plan: { http: httpPlan, stub: stubPlan },
      concurrency,
      customers: CUSTOMER_IDS.length,
      targets: CPU_TARGETS,
      http,
      stub,
      gc,
    };
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
if (process.argv[2] === 'rounds-child') await roundsChild(process.argv.slice(3));
