// The adaptive rate limiter and the partner retry budget, in one process, against the simulator:
//   quota   a hidden partner quota (`quotaLimited({ partnerPerSecond })`), closed loop, for a fixed time,
//           partner-scope calls and customer calls, ours with its defaults beside ours with the limiter and
//           the partner retry budget off (the previous behaviour) and axios-retry;
//   budget  calls that all fail with 503 over many customers, breaker off: server hits per call with the
//           partner retry budget on and off, and axios-retry.
// A fresh simulator (same scenario, same seed) per variant. A call that fails is counted, never retried here.
import { quotaLimited } from '../../dist/testing.js';
import { createClient, failureKind } from './clients.mjs';
import { hitsOnRunClock, quotaFigures } from './limiterFigures.mjs';
import { runWorkers } from './workload.mjs';

/** The variants of both parts, in the order they run and are shown. */
export const LIMITER_VARIANTS = ['ours', 'ours-off', 'axios-retry'];

/** Label of each variant in the tables. */
export const LIMITER_VARIANT_LABELS = {
  ours: 'ours, defaults (limiter + partner retry budget on)',
  'ours-off': 'ours, `rateLimit: false, partnerRetryBudget: false`',
  'axios-retry': 'axios + axios-retry',
  'ours-no-budget': 'ours, `partnerRetryBudget: false`',
};

/** Label of each variant in the budget table (breaker off and shorter backoffs for ours there). */
export const BUDGET_VARIANT_LABELS = {
  ours: 'ours, partner retry budget on (default)',
  'ours-no-budget': 'ours, `partnerRetryBudget: false`',
  'axios-retry': 'axios + axios-retry',
};

/** The workloads of the quota part: what one call is, given its index and the scenario's customers. */
export const QUOTA_WORKLOADS = {
  partner: {
    short: 'partner scope',
    title: 'partner-scope calls (`GET /v1/customers`)',
    path: () => '/v1/customers',
  },
  customers: {
    short: 'customers',
    title:
      "customer calls (`GET /v1/customers/{id}/subscriptions`, round robin over the scenario's customers)",
    path: (i, customerIds) => `/v1/customers/${customerIds[i % customerIds.length]}/subscriptions`,
  },
};

/** The options of ours in a variant (`extra` merged over them). */
function oursOptions(variant, extra = {}) {
  if (variant === 'ours-off') return { ...extra, rateLimit: false, partnerRetryBudget: false };
  if (variant === 'ours-no-budget') return { ...extra, partnerRetryBudget: false };
  return extra;
}

/** Counts what ours did (rate-limit waits, gate waits, retries, give-ups by reason) through its hooks. */
function countEvents(handle) {
  const counts = { rateLimitWaits: 0, gateWaits: 0, retries: 0, refusedByPartnerBudget: 0 };
  if (!handle) return counts;
  handle.onRateLimit(() => {
    counts.rateLimitWaits += 1;
  });
  handle.onThrottle((event) => {
    if (event.source === 'gate') counts.gateWaits += 1;
  });
  handle.onRetry(() => {
    counts.retries += 1;
  });
  handle.onGiveUp((event) => {
    if (/partner's (retry budget|retries in flight)/.test(event.error?.reason ?? '')) {
      counts.refusedByPartnerBudget += 1;
    }
  });
  return counts;
}

/**
 * One variant of the quota part: a fresh `quotaLimited({ partnerPerSecond: quotaPerSec })` simulator,
 * `concurrency` workers in a closed loop for `durationMs` (no call starts after it), then the figures of
 * the whole run, the warm-up (`warmupMs`) and the steady state. Resolves the row.
 */
export async function runQuotaVariant(
  host,
  { variant, workload, durationMs, warmupMs, quotaPerSec, concurrency, seed },
) {
  const sim = await host.start(quotaLimited({ partnerPerSecond: quotaPerSec }), seed, {
    logLimit: 2_000_000,
  });
  const { api, handle, dispose } = createClient(variant === 'axios-retry' ? 'axios-retry' : 'ours', {
    baseURL: sim.url,
    ours: oursOptions(variant),
  });
  const events = countEvents(handle);
  const path = QUOTA_WORKLOADS[workload].path;
  const calls = [];
  const failures = {};
  let next = 0;
  const startedAt = Date.now();
  const worker = async () => {
    while (Date.now() - startedAt < durationMs) {
      const index = next++;
      let ok = true;
      try {
        await api.get(path(index, sim.customerIds));
      } catch (error) {
        ok = false;
        const kind = failureKind(error);
        failures[kind] = (failures[kind] ?? 0) + 1;
      }
      calls.push({ at: Date.now() - startedAt, ok });
    }
  };
  try {
    await runWorkers(worker, concurrency, durationMs + 300_000, `limiter quota ${workload} ${variant}`);
  } finally {
    dispose();
  }
  const stats = await host.stop({ log: true });
  const hits = hitsOnRunClock(stats.log, stats.startedAt, startedAt);
  const labels = new Map(sim.customerIds.map((id, i) => [id.toLowerCase(), `customer ${i + 1}`]));
  const label = (scope) => labels.get(String(scope).toLowerCase()) ?? scope;
  const figures = quotaFigures(
    { hits: hits.map((hit) => ({ ...hit, scope: label(hit.scope) })), calls },
    { warmupMs, durationMs, quotaPerSec },
  );
  return {
    workload,
    variant,
    quotaPerSec,
    concurrency,
    durationMs,
    warmupMs,
    runMs: Date.now() - startedAt,
    figures,
    failures,
    totalHits: stats.totalHits,
    quotas: stats.quotas,
    logDropped: stats.logDropped,
    ...events,
  };
}

/** A scenario where every request is answered 503 (no Retry-After), over `customers` customers. */
export function allFailScenario(customers) {
  return {
    name: 'allFail503',
    description: `Every request answered 503, no Retry-After; ${customers} customers.`,
    customers,
    faults: [{ name: 'all-503', respond: { status: 503 } }],
  };
}

/**
 * The retry options of ours in the budget part (shorter delays than the defaults, so that the run stays
 * short; the same for every variant of ours).
 */
export const BUDGET_RETRY = { baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * One variant of the budget part: `calls` customer reads spread round robin over `customers` customers of
 * a simulator answering everything 503, at most `concurrency` in flight (closed loop), breaker off.
 */
export async function runBudgetVariant(host, { variant, calls, customers, concurrency, seed }) {
  const sim = await host.start(allFailScenario(customers), seed);
  const { api, handle, dispose } = createClient(variant === 'axios-retry' ? 'axios-retry' : 'ours', {
    baseURL: sim.url,
    ours: oursOptions(variant, { circuitBreaker: { enabled: false }, retry: BUDGET_RETRY }),
  });
  const events = countEvents(handle);
  const failures = {};
  let ok = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < calls) {
      const index = next++;
      try {
        await api.get(`/v1/customers/${sim.customerIds[index % sim.customerIds.length]}/subscriptions`);
        ok += 1;
      } catch (error) {
        const kind = failureKind(error);
        failures[kind] = (failures[kind] ?? 0) + 1;
      }
    }
  };
  try {
    await runWorkers(worker, concurrency, 300_000, `limiter budget ${variant}`);
  } finally {
    dispose();
  }
  const durationMs = performance.now() - started;
  const stats = await host.stop();
  return {
    variant,
    calls,
    customers,
    concurrency,
    ok,
    failed: calls - ok,
    failures,
    hits: stats.totalHits,
    hitsPerCall: stats.totalHits / calls,
    durationMs,
    ...events,
  };
}

/**
 * Both parts: every workload with every variant, then the budget variants. `onRow` sees each row as it
 * lands (progress). Resolves `{ sizes, quota: rows, budget: rows }`.
 */
export async function runLimiter(host, sizes, onRow = () => {}) {
  const quota = [];
  for (const workload of Object.keys(QUOTA_WORKLOADS)) {
    for (const variant of LIMITER_VARIANTS) {
      const row = await runQuotaVariant(host, { ...sizes.quota, workload, variant, seed: sizes.seed });
      quota.push(row);
      onRow('quota', row);
    }
  }
  const budget = [];
  for (const variant of ['ours', 'ours-no-budget', 'axios-retry']) {
    const row = await runBudgetVariant(host, { ...sizes.budget, variant, seed: sizes.seed });
    budget.push(row);
    onRow('budget', row);
  }
  return { sizes, quota, budget };
}
