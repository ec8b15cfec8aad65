// The demo: a realistic CSP workload (many customer tenants, concurrent reads, some orders) through
// partner-center-resilience against the Partner Center simulator with mixed faults. Prints progress, a
// summary table, and writes a timeline chart (demo-output/timeline.html).
//
//   npm run demo                       ~30 s, writes demo-output/
//   npm run demo -- --short --out=DIR  ~5 s, writes DIR/ (the smoke test uses a temporary directory)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { attachResilience, isPartnerCenterError } from '../dist/index.js';
import { startPartnerCenterSimulator } from '../dist/testing.js';
import { failureMark, renderTimeline } from './timeline.mjs';

const argv = process.argv.slice(2);
const args = new Set(argv);
const short = args.has('--short');
const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const DURATION_MS = short ? 5_000 : 30_000;
const TENANTS = short ? 12 : 40;
const CONCURRENCY = 12;
const here = dirname(fileURLToPath(import.meta.url));
const outDir = outArg ? resolve(outArg) : resolve(here, '..', 'demo-output');

const customers = Array.from(
  { length: TENANTS },
  (_, i) => `${(0x10000000 + i).toString(16)}-0000-4000-8000-${String(i).padStart(12, '0')}`,
);
const failing = customers[3];

/** Mixed faults: partner throttling, 503 bursts, HTML 502 pages, resets, slow answers, one tenant down for a while, one order lost after processing, tokens that expire. */
const scenario = {
  name: 'demo',
  seed: 7,
  customers,
  subscriptionsPerCustomer: 3,
  throttle: { partner: { limit: 6, windowMs: 1_000 }, customer: { limit: 12, windowMs: 1_000 } },
  auth: { required: true, tokenLifetimeMs: 3_600_000 },
  faults: [
    {
      name: 'tenant-outage',
      match: { customer: failing },
      fromMs: Math.round(DURATION_MS * 0.15),
      untilMs: Math.round(DURATION_MS * 0.75),
      respond: { status: 503 },
    },
    {
      name: 'order-504-after-processing',
      match: { method: 'POST', path: '/orders$' },
      times: 1,
      respond: { status: 504, afterProcessing: true },
    },
    { name: 'get-503', match: { method: 'GET' }, every: 9, respond: { status: 503 } },
    { name: 'get-502-html', match: { method: 'GET' }, every: 23, respond: { status: 502, html: true } },
    {
      name: 'get-reset',
      match: { method: 'GET' },
      probability: 0.02,
      respond: { hangUp: 'before-response' },
    },
    { name: 'slow', probability: 0.1, respond: { delayMs: 120 } },
  ],
};

const sim = await startPartnerCenterSimulator({ scenario });
const started = Date.now();

// Tokens from the simulator's ready provider. The first one is revoked at once (1 ms lifetime, announced
// as valid: the server answers 401 with its realm and the library refreshes); the next ones are valid 25 s
// and announced as 20 s, so the run also shows proactive refreshes before expiry.
const revoked = sim.tokenProvider({ lifetimeMs: 1 });
const valid = sim.tokenProvider({ lifetimeMs: 25_000 });
let tokenCount = 0;
const tokenProvider = {
  async getToken(request) {
    tokenCount += 1;
    const { token } = await (tokenCount === 1 ? revoked : valid).getToken(request);
    return { token, expiresOnTimestamp: Date.now() + 20_000 };
  },
};

const timeline = []; // { t, scope, type, detail, ms? }
/** The injected faults, for the chart: { label, fromMs, untilMs, scope? }. */
const faultBands = [];
let revokedTokenRecoveredAt;
let lostOrderAt;
/** Scopes whose breaker is open now, with the time it opened. */
const openBreakers = new Map();
const counts = {
  attempts: 0,
  retries: 0,
  throttles: 0,
  gateWaits: 0,
  rateLimitWaits: 0,
  breaks: 0,
  halfOpens: 0,
  resets: 0,
  refreshes: 0,
};
const at = () => Date.now() - started;

const api = axios.create({
  baseURL: sim.url,
  headers: { Accept: 'application/json', 'MS-Contract-Version': 'v1' },
});
const handle = attachResilience(api, {
  tokenProvider,
  token: { refreshWindowMs: 8_000, blockingWindowMs: 3_000 },
  retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 10_000 },
  timeout: { attemptMs: 3_000, totalMs: 15_000 },
  circuitBreaker: {
    strategy: { type: 'consecutive', threshold: 4 },
    halfOpenAfterMs: Math.round(DURATION_MS * 0.12),
  },
  hooks: {
    onRateLimit: () => {
      counts.rateLimitWaits += 1;
    },
    onRequest: (e) => {
      counts.attempts += 1;
      timeline.push({ t: at(), scope: e.scope, type: 'attempt' });
    },
    onRetry: (e) => {
      counts.retries += 1;
      timeline.push({
        t: at(),
        scope: e.scope,
        type: 'retry',
        detail: e.status === undefined ? e.errorKind : `${e.errorKind} (${e.status})`,
        ms: Math.round(e.delayMs),
      });
    },
    onThrottle: (e) => {
      if (e.source === 'gate') counts.gateWaits += 1;
      else counts.throttles += 1;
      timeline.push({
        t: at(),
        scope: e.scope,
        type: e.source === 'gate' ? 'gate' : 'throttle',
        ms: Math.round(e.retryAfterMs),
      });
    },
    onBreak: (e) => {
      counts.breaks += 1;
      openBreakers.set(e.scope, at());
      timeline.push({ t: at(), scope: e.scope, type: 'break', detail: e.reason });
      say(`breaker opened for ${e.scope}${e.reason ? `: ${e.reason}` : ''}`);
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
      counts.refreshes += 1;
      if (e.reason === 'forced' && e.outcome === 'success' && revokedTokenRecoveredAt === undefined) {
        revokedTokenRecoveredAt = at();
        say(`revoked token replaced after a 401 (${e.scope})`);
      }
      timeline.push({ t: at(), scope: e.scope, type: 'token', detail: `${e.reason}, ${e.outcome}` });
    },
  },
});

// The workload: each worker loops over random tenants; mostly reads, some orders (1 in 25).
let rnd = 42;
const random = () => {
  rnd = (rnd * 1_103_515_245 + 12_345) % 2 ** 31;
  return rnd / 2 ** 31;
};
const latencies = [];
const outcomes = new Map();
let calls = 0;
let ordersPlaced = 0;
let ordersUnknown = 0;
let ordersReconciled = 0;

async function one() {
  const customer = customers[Math.floor(random() * customers.length)];
  let scope = `customer:${customer}`;
  const roll = random();
  const t0 = performance.now();
  try {
    if (roll < 0.1) {
      scope = 'partner';
      await api.get('/v1/customers', { params: { size: 50 } });
    } else if (roll < 0.96) await api.get(`/v1/customers/${customer}/subscriptions`);
    else {
      ordersPlaced += 1;
      const friendlyName = `demo-order-${ordersPlaced}`;
      const body = {
        referenceCustomerId: customer,
        lineItems: [{ lineItemNumber: 0, offerId: 'DEMO-OFFER', quantity: 1 + (calls % 5), friendlyName }],
      };
      let reconciled = false;
      // When the outcome is unknown (the answer was lost after the order may have been created), the library
      // asks this instead of resending blindly: the order, if the customer's orders show it; else null (then
      // it resends under the same MS-RequestId).
      const reconcile = async ({ error, signal }) => {
        ordersUnknown += 1;
        lostOrderAt ??= at();
        say(`order outcome unknown (${error.status ?? error.kind}) for ${scope}: reading the orders back`);
        const orders = await api.get(`/v1/customers/${customer}/orders`, { signal });
        const found = (orders.data?.items ?? []).find(
          (order) => order.lineItems?.[0]?.friendlyName === friendlyName,
        );
        if (found === undefined) return null;
        reconciled = true;
        ordersReconciled += 1;
        return { ...orders, data: found };
      };
      await api.post(`/v1/customers/${customer}/orders`, body, { partnerCenter: { reconcile } });
      if (reconciled) return record('ok (reconciled)', t0, scope);
    }
    record('ok', t0, scope);
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

const isTty = process.stdout.isTTY;
const stamp = () => `${(at() / 1000).toFixed(1).padStart(5)} s`;
/** An event line (on a terminal, it replaces the progress line, which the next tick redraws). */
function say(text) {
  if (isTty) process.stdout.write('\r\x1b[2K');
  console.log(`${stamp()}  ${text}`);
}
const progress = setInterval(() => {
  const failed = calls - (outcomes.get('ok') ?? 0) - (outcomes.get('ok (reconciled)') ?? 0);
  const open = [...openBreakers.keys()];
  const line = `${stamp()}  calls ${String(calls).padStart(5)} (failed ${String(failed).padStart(4)})  attempts ${String(counts.attempts).padStart(5)}  retries ${String(counts.retries).padStart(4)}  429s ${String(counts.throttles).padStart(4)}  gate waits ${String(counts.gateWaits).padStart(4)}  paced ${String(counts.rateLimitWaits).padStart(5)}  breakers open: ${open.length === 0 ? 'none' : open.join(', ')}`;
  if (isTty) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}, 1_000);

console.log(
  `partner-center-resilience demo: ${TENANTS} customer tenants, ${CONCURRENCY} workers, ${DURATION_MS / 1000} s against the Partner Center simulator at ${sim.url}`,
);
const outage = scenario.faults[0];
console.log(
  [
    'Injected faults:',
    `  - quotas: partner ${scenario.throttle.partner.limit}/s, each customer ${scenario.throttle.customer.limit}/s (429 with Retry-After beyond)`,
    `  - tenant outage: customer:${failing} answers 503 from ${outage.fromMs / 1000} s to ${outage.untilMs / 1000} s`,
    '  - revoked token: the first token is refused (401 with the realm challenge)',
    '  - order lost: the first order is processed, then answered 504 (outcome unknown)',
    '  - every 9th GET 503, every 23rd GET an HTML 502 page, 2% of GETs reset, 10% of requests 120 ms slower',
  ].join('\n'),
);
const deadline = started + DURATION_MS;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) await one();
  }),
);
clearInterval(progress);
if (isTty) process.stdout.write('\n');

const stats = sim.stats();
await sim.close();
handle.detach();

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
const rows = [
  ['logical calls', calls],
  ...[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => [`  ${k}`, v]),
  ['attempts sent (server hits)', `${counts.attempts} (${stats.totalHits})`],
  ['retries', counts.retries],
  ['429s received / honoured', `${stats.throttledResponses} / ${counts.throttles}`],
  ['calls held at the throttle gate', counts.gateWaits],
  ['waits for a rate limiter slot', counts.rateLimitWaits],
  ['retries sent before their Retry-After', stats.earlyRetries],
  ['requests sent while their tenant was throttled', stats.hitsBeforeDeadline],
  ['  already on the wire when the 429 came', stats.inFlightAtDeadline],
  ['breaker: opened / half-open / closed', `${counts.breaks} / ${counts.halfOpens} / ${counts.resets}`],
  ['token refreshes (401s from server)', `${counts.refreshes} (${stats.unauthorized})`],
  [
    'orders placed / outcome unknown / reconciled',
    `${ordersPlaced} / ${ordersUnknown} / ${ordersReconciled}`,
  ],
  ['duplicate orders', stats.duplicateOrders],
  ['latency p50 / p99', `${pct(50).toFixed(0)} ms / ${pct(99).toFixed(0)} ms`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('\nSummary');
console.log(`${'-'.repeat(width + 16)}`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${String(v).padStart(14)}`);
console.log(`${'-'.repeat(width + 16)}`);
console.log(
  'The workers ask for more than the partner quota on purpose. The rate limiter learns the quota from the\n' +
    'first 429s and paces the calls to it ("paced": waits for a slot), so few 429s come back. The progress\n' +
    'lines count 429 answers and calls held at the gate; a call counted "throttled" above is one that failed: every attempt met a 429,\n' +
    'or the scope\'s gate held it past its time budget (then nothing was sent). "circuit-open": refused\n' +
    "while that tenant's breaker was open, without slowing the other tenants.",
);

const endMs = at();
faultBands.push(
  {
    label: `tenant outage: customer:${failing} answers 503`,
    fromMs: outage.fromMs,
    untilMs: outage.untilMs,
    scope: `customer:${failing}`,
  },
  {
    label: 'revoked token: 401 until refreshed',
    fromMs: 0,
    untilMs: revokedTokenRecoveredAt ?? endMs,
  },
);
if (lostOrderAt !== undefined) {
  faultBands.push({
    label: 'order lost after processing (504)',
    fromMs: lostOrderAt,
    untilMs: lostOrderAt + 150,
  });
}
faultBands.push({
  label: 'all run: 429 beyond quota, every 9th GET 503, 23rd HTML 502, 2% resets, 10% slow',
  fromMs: 0,
  untilMs: endMs,
});
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'timeline.html');
writeFileSync(
  file,
  renderTimeline({
    timeline,
    faults: faultBands,
    durationMs: endMs,
    title: 'partner-center-resilience demo timeline',
    subtitle: `${TENANTS} customer tenants, ${CONCURRENCY} workers, ${(endMs / 1000).toFixed(0)} s, ${calls} calls: ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')}.`,
  }),
);
writeFileSync(
  join(outDir, 'summary.json'),
  `${JSON.stringify({ calls, counts, outcomes: Object.fromEntries(outcomes), stats }, null, 2)}\n`,
);
console.log(`\nTimeline chart: ${file}`);
// A retry sent before its own Retry-After, or a duplicate order, would be a bug of the library.
if (stats.earlyRetries !== 0 || stats.duplicateOrders !== 0) process.exitCode = 1;
