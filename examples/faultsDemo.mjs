// The demo: a realistic CSP workload (many customer tenants, concurrent reads, some orders) against the
// Partner Center simulator with mixed faults, through partner-center-resilience and, at the same time and
// each against its own simulator, through bare axios and axios + axios-retry. Prints progress, a summary
// whose every row is explained, the three clients side by side, and writes a timeline chart
// (demo-output/timeline.html) and the numbers (demo-output/summary.json).
//
//   npm run demo                       ~40 s, writes demo-output/ (examples/demo.mjs starts this file)
//   npm run demo -- --short --out=DIR  ~7 s, writes DIR/ (the smoke test uses a temporary directory)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import axiosRetry from 'axios-retry';
import { attachResilience, isPartnerCenterError } from '../dist/index.js';
import { startPartnerCenterSimulator } from '../dist/testing.js';
import { clip, explainedTable, numberTable, paragraph } from './report.mjs';
import { failureMark, renderTimeline } from './timeline.mjs';
import {
  bearerInterceptors,
  demoCustomers,
  demoPlan,
  demoScenario,
  demoTokens,
  runPlan,
  sendCall,
} from './workload.mjs';

const argv = process.argv.slice(2);
const short = argv.includes('--short');
const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const WORKERS = 12;
const PACE_MS = 250;
const CALLS_PER_WORKER = short ? 20 : 120;
const DURATION_MS = CALLS_PER_WORKER * PACE_MS;
const TENANTS = short ? 12 : 40;
const HALF_OPEN_AFTER_MS = Math.round(DURATION_MS * 0.12);
const here = dirname(fileURLToPath(import.meta.url));
const outDir = outArg ? resolve(outArg) : resolve(here, '..', 'demo-output');

const customers = demoCustomers(TENANTS);
const failing = customers[3];
const scenario = demoScenario({ customers, durationMs: DURATION_MS, failing });
const REVOKE_AT_MS = Math.round(DURATION_MS * 0.35);
const plan = demoPlan({ customers, workers: WORKERS, callsPerWorker: CALLS_PER_WORKER, paceMs: PACE_MS });
const planned = WORKERS * CALLS_PER_WORKER;

// One simulator per client, the same scenario and seed; their clocks start together below.
const sims = {};
for (const name of ['library', 'axios-retry', 'axios']) {
  sims[name] = await startPartnerCenterSimulator({ scenario, logLimit: 100_000 });
}

const isTty = process.stdout.isTTY;
const at = () => Date.now() - started;
const stamp = () => `${(at() / 1000).toFixed(1).padStart(5)} s`;
/** An event line (on a terminal, it replaces the progress line, which the next tick redraws). */
function say(text) {
  if (isTty) process.stdout.write('\r\x1b[2K');
  console.log(clip(`${stamp()}  ${text}`));
}

// ---- partner-center-resilience -------------------------------------------------------------------------
const timeline = []; // { t, scope, type, detail?, ms? }
const openBreakers = new Map();
const counts = { attempts: 0, retries: 0, throttles: 0, gateWaits: 0, breaks: 0, halfOpens: 0, resets: 0 };
/** Attempts the rate limiter held back (an attempt may ask for a slot more than once), and the total wait. */
const paced = { attempts: new Set(), waitMs: 0 };
const tokenFetches = { initial: 0, forced: 0, expiring: 0, expired: 0 };
const libraryTokens = demoTokens(sims.library, REVOKE_AT_MS);
const api = axios.create({
  baseURL: sims.library.url,
  headers: { Accept: 'application/json', 'MS-Contract-Version': 'v1' },
});
const handle = attachResilience(api, {
  tokenProvider: libraryTokens,
  token: { refreshWindowMs: 8_000, blockingWindowMs: 3_000 },
  retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 10_000 },
  timeout: { attemptMs: 3_000, totalMs: 15_000 },
  circuitBreaker: { strategy: { type: 'consecutive', threshold: 4 }, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
  hooks: {
    onRateLimit: (e) => {
      paced.attempts.add(`${e.requestId}#${e.attempt}`);
      paced.waitMs += e.waitMs;
    },
    onRequest: (e) => {
      counts.attempts += 1;
      timeline.push({ t: at(), scope: e.scope, type: 'attempt' });
    },
    onRetry: (e) => {
      counts.retries += 1;
      const why = e.status === undefined ? e.errorKind : `${e.errorKind} (${e.status})`;
      timeline.push({ t: at(), scope: e.scope, type: 'retry', detail: why, ms: Math.round(e.delayMs) });
    },
    onThrottle: (e) => {
      if (e.source === 'gate') counts.gateWaits += 1;
      else counts.throttles += 1;
      const type = e.source === 'gate' ? 'gate' : 'throttle';
      timeline.push({ t: at(), scope: e.scope, type, ms: Math.round(e.retryAfterMs) });
    },
    onBreak: (e) => {
      counts.breaks += 1;
      openBreakers.set(e.scope, at());
      timeline.push({ t: at(), scope: e.scope, type: 'break', detail: e.reason });
      // The reason's first part ("server 503"); the chart's tooltip has all of it.
      say(`breaker opened for ${e.scope}${e.reason ? ` (${e.reason.split(':')[0]})` : ''}`);
    },
    onHalfOpen: (e) => {
      counts.halfOpens += 1;
      timeline.push({ t: at(), scope: e.scope, type: 'half-open' });
      say(`breaker half-open for ${e.scope}: one test call`);
    },
    onReset: (e) => {
      counts.resets += 1;
      openBreakers.delete(e.scope);
      timeline.push({ t: at(), scope: e.scope, type: 'reset' });
      say(`breaker closed for ${e.scope}`);
    },
    onTokenRefresh: (e) => {
      if (e.outcome === 'success') tokenFetches[e.reason] += 1;
      if (e.reason === 'forced' && e.outcome === 'success')
        say(`revoked token replaced after a 401 (${e.scope})`);
      timeline.push({ t: at(), scope: e.scope, type: 'token', detail: `${e.reason}, ${e.outcome}` });
    },
  },
});

const latencies = [];
const outcomes = new Map();
let calls = 0;
const orders = { placed: 0, unknown: 0, reconciled: 0 };

/** One planned call through the library, its outcome drawn on its scope's row. */
async function libraryCall(call) {
  const scope = call.kind === 'list' ? 'partner' : `customer:${call.customer}`;
  const t0 = performance.now();
  let reconciled = false;
  // When an order's outcome is unknown (the answer was lost after it may have been created), the library
  // asks this instead of resending blindly: the order, if the customer's orders show it; else null (then it
  // resends under the same MS-RequestId).
  const reconcile = async ({ error, signal }) => {
    orders.unknown += 1;
    say(`order outcome unknown (${error.status ?? error.kind}) for ${scope}: reading the orders back`);
    const list = await api.get(`/v1/customers/${call.customer}/orders`, { signal });
    const found = (list.data?.items ?? []).find((order) => order.lineItems?.[0]?.friendlyName === call.name);
    if (found === undefined) return null;
    reconciled = true;
    orders.reconciled += 1;
    return { ...list, data: found };
  };
  if (call.kind === 'order') orders.placed += 1;
  try {
    await sendCall(api, call, reconcile);
    record(reconciled ? 'ok (reconciled)' : 'ok', t0, scope);
  } catch (error) {
    if (isPartnerCenterError(error)) {
      const why = [error.status, error.reason].filter((part) => part !== undefined && part !== '').join(' ');
      record(error.kind, t0, error.scope ?? scope, why);
    } else record('unexpected', t0, scope, String(error));
  }
}

/** Counts a finished logical call and draws its outcome on its scope's row. */
function record(outcome, t0, scope, why = '') {
  calls += 1;
  const ms = Math.round(performance.now() - t0);
  latencies.push(ms);
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const type =
    outcome === 'ok' ? 'ok' : outcome === 'ok (reconciled)' ? 'ok-reconciled' : failureMark(outcome);
  const label =
    outcome === 'ok'
      ? 'succeeded'
      : outcome === 'ok (reconciled)'
        ? 'order found by reconciling'
        : `failed: ${outcome}`;
  timeline.push({ t: at(), scope, type, detail: `call ${label} after ${ms} ms${why ? ` (${why})` : ''}` });
}

// ---- the baselines: bare axios, and axios + axios-retry in its documented setup -------------------------
/** A baseline client on its simulator: the same calls, the same token source (see bearerInterceptors). */
function baseline(sim, withRetry) {
  const client = axios.create({
    baseURL: sim.url,
    headers: { Accept: 'application/json', 'MS-Contract-Version': 'v1' },
    timeout: 15_000,
  });
  bearerInterceptors(client, demoTokens(sim, REVOKE_AT_MS));
  if (withRetry) axiosRetry(client, { retries: 3, retryDelay: axiosRetry.exponentialDelay });
  const result = { calls: 0, ok: 0, failed: 0 };
  const run = async (call) => {
    result.calls += 1;
    try {
      await sendCall(client, call);
      result.ok += 1;
    } catch {
      result.failed += 1;
    }
  };
  return { result, run };
}
const retrying = baseline(sims['axios-retry'], true);
const bare = baseline(sims.axios, false);

// ---- run ---------------------------------------------------------------------------------------------
console.log(
  `partner-center-resilience demo: ${planned} calls over ${TENANTS} customer tenants against the Partner Center\n` +
    `simulator, by ${WORKERS} workers (each starts a call every ${PACE_MS} ms at most: ~${DURATION_MS / 1000} s)`,
);
const outage = scenario.faults[0];
const [, lost504, lostReset] = scenario.faults;
console.log(
  [
    'Injected faults:',
    `  - quotas: partner scope ${scenario.throttle.partner.limit}/s, each customer ${scenario.throttle.customer.limit}/s (429 with Retry-After beyond); 1 call in 10 is partner-scope`,
    `  - tenant outage: customer:${failing} answers 503 from ${outage.fromMs / 1000} s to ${outage.untilMs / 1000} s`,
    `  - revoked token: the first token is refused from ${REVOKE_AT_MS / 1000} s (401 with the realm challenge)`,
    `  - order lost: the first order after ${lost504.fromMs / 1000} s is processed, then answered 504`,
    `  - order lost: the first order after ${lostReset.fromMs / 1000} s is processed, then its connection reset`,
    '  - every 9th GET 503, every 23rd GET an HTML 502 page, 2% of GETs reset, 10% of requests 120 ms slower',
    'The same calls also run through bare axios and axios + axios-retry, each against its own simulator:',
    'they are compared at the end.',
  ]
    .map((line) => clip(line))
    .join('\n'),
);
for (const sim of Object.values(sims)) sim.reset(); // the three scenario clocks start now
const started = Date.now();
const progress = setInterval(() => {
  const failed = calls - (outcomes.get('ok') ?? 0) - (outcomes.get('ok (reconciled)') ?? 0);
  const line = clip(
    `${stamp()}  calls ${String(calls).padStart(5)}/${planned} (failed ${String(failed).padStart(3)})` +
      `  attempts ${String(counts.attempts).padStart(5)}  retries ${String(counts.retries).padStart(4)}` +
      `  429s ${String(counts.throttles).padStart(3)}  gate ${String(counts.gateWaits).padStart(3)}` +
      `  paced ${String(paced.attempts.size).padStart(4)}  open breakers ${openBreakers.size}`,
  );
  if (isTty) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}, 1_000);

await Promise.all([
  runPlan(plan, started, libraryCall),
  runPlan(plan, started, retrying.run),
  runPlan(plan, started, bare.run),
]);
clearInterval(progress);
if (isTty) process.stdout.write('\n');
const endMs = at();
const stats = Object.fromEntries(Object.entries(sims).map(([name, sim]) => [name, sim.stats()]));
await Promise.all(Object.values(sims).map((sim) => sim.close()));
handle.detach();

// ---- summary -----------------------------------------------------------------------------------------
const own = stats.library;
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
const OUTCOME_TEXT = {
  ok: 'succeeded, some after retries',
  'ok (reconciled)': "orders whose answer was lost, found in the customer's orders",
  'circuit-open': "refused at once: the tenant's breaker was open (others went on)",
  throttled: 'failed: 429 on every attempt, or a wait past the 15 s budget',
  server: 'failed: 5xx on every attempt, or an order left unknown',
  network: 'failed: connection lost on every attempt, or after an order',
  timeout: 'failed: no answer within 3 s (attempt) or 15 s (call)',
  unauthorized: 'failed: 401 even with a fresh token',
};
const unauthorizedCalls = own.log.filter((entry) => entry.status === 401).length;
const rows = [
  ['logical calls', calls, 'each planned call once, however many attempts it took'],
  ...[...outcomes]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => [`  ${kind}`, n, OUTCOME_TEXT[kind] ?? 'failed (see summary.json)']),
  [
    'attempts sent / server hits',
    `${counts.attempts} / ${own.totalHits}`,
    'requests sent (retries and order read-backs too) / received',
  ],
  ['retries', counts.retries, 'attempts after a failed one (503, 502, reset, 429, 401)'],
  [
    '429s received / honoured',
    `${own.throttledResponses} / ${counts.throttles}`,
    'honoured: the tenant waited its Retry-After',
  ],
  [
    'calls held at the throttle gate',
    counts.gateWaits,
    "held while their tenant waited another call's Retry-After",
  ],
  [
    'attempts paced by the rate limiter',
    `${paced.attempts.size} (${(paced.waitMs / 1000).toFixed(0)} s)`,
    'held for a slot of the quota learned from 429s (total wait)',
  ],
  ['retries before their Retry-After', own.earlyRetries, "the server's count (0 is right)"],
  [
    'sent while the tenant was throttled',
    own.hitsBeforeDeadline,
    "the server's count of requests inside a Retry-After it gave",
  ],
  [
    '  already on the wire at the 429',
    own.inFlightAtDeadline,
    'sent before that 429 came back (not counted above)',
  ],
  [
    'breaker opened / half-open / closed',
    `${counts.breaks} / ${counts.halfOpens} / ${counts.resets}`,
    `opens on 4 failures in a row; a test call ${HALF_OPEN_AFTER_MS / 1000} s later may close it`,
  ],
  [
    'tokens fetched',
    tokenFetches.initial + tokenFetches.forced + tokenFetches.expiring + tokenFetches.expired,
    `first + ${tokenFetches.forced} after the revoked token's 401s + ` +
      `${tokenFetches.expiring + tokenFetches.expired} renewed before expiry`,
  ],
  [
    '401s from the server',
    unauthorizedCalls,
    'calls that sent the revoked token; each replayed with a new one',
  ],
  [
    'orders placed / unknown / reconciled',
    `${orders.placed} / ${orders.unknown} / ${orders.reconciled}`,
    'unknown: answer lost after processing; reconciled: found by reading',
  ],
  ['duplicate orders', own.duplicateOrders, 'orders the server created twice (0 is right)'],
  [
    'latency p50 / p99',
    `${pct(50)} / ${pct(99)} ms`,
    'p99: calls that waited for a Retry-After, a slot or a breaker',
  ],
];
const rule = '-'.repeat(120);
console.log(`\nSummary: partner-center-resilience\n${rule}`);
for (const line of explainedTable(rows)) console.log(line);
console.log(rule);

// ---- the three clients side by side ------------------------------------------------------------------
const libraryOk = (outcomes.get('ok') ?? 0) + (outcomes.get('ok (reconciled)') ?? 0);
const compared = [
  ['axios', bare.result, stats.axios],
  ['axios + axios-retry', retrying.result, stats['axios-retry']],
  ['partner-center-resilience', { calls, ok: libraryOk, failed: calls - libraryOk }, own],
].map(([name, result, s]) => ({
  client: name,
  calls: result.calls,
  ok: result.ok,
  failed: result.failed,
  serverHits: s.totalHits,
  throttled: s.throttledResponses,
  duplicateOrders: s.duplicateOrders,
}));
console.log(
  `\nThe same ${planned} calls through three clients (each against its own simulator: same faults, same schedule)`,
);
for (const line of numberTable(
  ['client', 'calls ok', 'failed', 'server hits', '429s', 'duplicate orders'],
  compared.map((c) => [c.client, c.ok, c.failed, c.serverHits, c.throttled, c.duplicateOrders]),
)) {
  console.log(line);
}
const resent = compared[1].duplicateOrders > 0;
/** Requests that reached the tenant while it was down. */
const downHits = (name) => stats[name].log.filter((entry) => entry.reason === 'tenant-outage').length;
const reading =
  'axios: every fault reaches the caller. axios-retry (retries: 3, exponentialDelay, its default condition) ' +
  'retries GETs and, after a lost connection, any request' +
  (resent
    ? ': the order whose connection was reset after processing was sent again, a second order. '
    : '. ') +
  "It waits a 429's Retry-After for that one call; the tenant's other calls keep coming. The library paces each " +
  "tenant to its quota, holds a throttled tenant's calls, stops calling a tenant that is down, and reads a lost " +
  'order back instead of resending it. While a tenant was down, it got ' +
  `${downHits('axios')} requests from axios, ${downHits('axios-retry')} from axios-retry and ` +
  `${downHits('library')} from the library, whose breaker failed its calls at once. ` +
  '(The baselines fetch a new token after a 401; that call fails.)';
for (const line of paragraph(reading)) console.log(line);

// ---- files -------------------------------------------------------------------------------------------
const LANES = [
  ['revoked token: 401, then a new token', (e) => e.status === 401],
  ['order processed, answer lost: 504', (e) => e.reason === 'order-504-after-processing'],
  ['order processed, connection reset', (e) => e.reason === 'order-reset-after-processing'],
  ['429 over a quota (Retry-After)', (e) => e.status === 429],
  ['503 on every 9th GET', (e) => e.reason === 'get-503'],
  ['HTML 502 page on every 23rd GET', (e) => e.reason === 'get-502-html'],
  ['connection reset on 2% of GETs', (e) => e.reason === 'get-reset'],
  ['120 ms slower on 10% of requests', (e) => e.reason === 'slow'],
];
const faults = [
  {
    label: `outage: customer:${failing.slice(0, 8)}\u2026 answers 503`,
    fromMs: outage.fromMs,
    untilMs: outage.untilMs,
    marks: own.log.filter((e) => e.reason === 'tenant-outage').map((e) => e.atMs),
    scope: `customer:${failing}`,
  },
  ...LANES.map(([label, fired]) => ({ label, marks: own.log.filter(fired).map((e) => e.atMs) })),
];
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'timeline.html');
writeFileSync(
  file,
  renderTimeline({
    timeline,
    faults,
    durationMs: endMs,
    title: 'partner-center-resilience demo timeline',
    maxRows: 14,
    subtitle: `${TENANTS} customer tenants, ${WORKERS} workers, ${(endMs / 1000).toFixed(0)} s, ${calls} calls: ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')}.`,
  }),
);
const summaryFile = join(outDir, 'summary.json');
const { log: _log, ...libraryStats } = own;
writeFileSync(
  summaryFile,
  `${JSON.stringify(
    {
      workload: { tenants: TENANTS, workers: WORKERS, calls: planned, paceMs: PACE_MS, durationMs: endMs },
      library: {
        calls,
        outcomes: Object.fromEntries(outcomes),
        counts,
        pacedAttempts: paced.attempts.size,
        pacedWaitMs: paced.waitMs,
        tokenFetches,
        orders,
        latencyMs: { p50: pct(50), p99: pct(99) },
        simulator: libraryStats,
      },
      comparison: compared,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nTimeline chart: ${file}\nNumbers:        ${summaryFile}`);
// A retry sent before its own Retry-After, or a duplicate order, would be a bug of the library.
if (own.earlyRetries !== 0 || own.duplicateOrders !== 0) process.exitCode = 1;
