// Drives one client through a plan: at most `concurrency` logical calls in flight, call i not started before
// i / ratePerSec seconds (an open-loop arrival schedule, the same for every client), one latency and one
// outcome per logical call.
import { failureKind } from './clients.mjs';

/** Sends one planned call. */
function send(api, call) {
  if (call.op === 'list') return api.get('/v1/customers');
  if (call.op === 'order') return api.post(`/v1/customers/${call.customer}/orders`, call.body);
  return api.get(`/v1/customers/${call.customer}/subscriptions`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `concurrency` copies of `worker` to their end; rejects when they take longer than `timeoutMs` (a safety
 * net for the whole run: the bench must stop by itself). `what` names the run in that error.
 */
export async function runWorkers(worker, concurrency, timeoutMs, what) {
  let timer;
  const safety = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), safety]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the plan; resolves `{ durationMs, latencies, ok, failures: Map<kind, count>, orders: { ok, failed } }`.
 * `timeoutMs` is a safety net for the whole run (the bench must stop by itself), not a per-call timeout.
 */
export async function runPlan(api, plan, { concurrency, ratePerSec = 0, timeoutMs = 120_000 }) {
  const started = performance.now();
  const latencies = new Array(plan.length);
  const failures = new Map();
  const orders = { ok: 0, failed: 0 };
  let ok = 0;
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const index = next++;
      const call = plan[index];
      if (ratePerSec > 0) {
        const due = started + (index * 1000) / ratePerSec - performance.now();
        if (due > 0) await sleep(due);
      }
      const t0 = performance.now();
      try {
        await send(api, call);
        ok += 1;
        if (call.op === 'order') orders.ok += 1;
      } catch (error) {
        const kind = failureKind(error);
        failures.set(kind, (failures.get(kind) ?? 0) + 1);
        if (call.op === 'order') orders.failed += 1;
      }
      latencies[index] = performance.now() - t0;
    }
  };
  await runWorkers(worker, concurrency, timeoutMs, 'workload');
  return { durationMs: performance.now() - started, latencies, ok, failures, orders };
}
