// Exactly-once orders: the same plan of order POSTs (a unique client reference in each) against the
// simulator's `lostOrders` scenario, where a share of the POSTs commit and then lose their answer (504 or
// reset), for bare axios, axios-retry, ours as it is, and ours with the orders recipe of
// docs/exactly-once-orders.md as the request's `reconcile`. A fresh simulator (same scenario, same seed)
// per variant.
import { lostOrders } from '../../dist/testing.js';
import { createClient } from './clients.mjs';
import { findOrder } from './findOrder.mjs';
import { ORDER_VARIANTS, orderRow, planOrders, unknownOutcome } from './orderPlan.mjs';
import { runWorkers } from './workload.mjs';

/**
 * Runs `plan` with at most `concurrency` calls in flight (closed loop). `options(call, startedAt)` gives the
 * request config of a call. Resolves `{ ok, unknown, otherFailures, failures, durationMs }`; `failures`
 * counts the other failures by what they were.
 */
async function runOrderPlan(api, plan, concurrency, options, timeoutMs) {
  const started = performance.now();
  const run = { ok: 0, unknown: 0, otherFailures: 0, failures: {} };
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const call = plan[next++];
      try {
        await api.post(`/v1/customers/${call.customer}/orders`, call.body, options(call, Date.now()));
        run.ok += 1;
      } catch (error) {
        if (unknownOutcome(error)) {
          run.unknown += 1;
        } else {
          run.otherFailures += 1;
          const kind = error?.kind ?? error?.code ?? 'unexpected';
          run.failures[kind] = (run.failures[kind] ?? 0) + 1;
        }
      }
    }
  };
  await runWorkers(worker, concurrency, timeoutMs, 'orders');
  return { ...run, durationMs: performance.now() - started };
}

/** One variant against a fresh `lostOrders({ rate })` simulator; resolves its row (see `orderRow`). */
export async function runOrderVariant(
  host,
  variant,
  { orders, concurrency, rate, seed, timeoutMs = 120_000 },
) {
  const sim = await host.start(lostOrders({ rate }), seed);
  const plan = planOrders(orders, sim.customerIds, seed);
  const client = variant === 'ours+reconcile' ? 'ours' : variant;
  const { api, handle, dispose } = createClient(client, { baseURL: sim.url });
  const reconciled = handle ? { found: 0, absent: 0, failed: 0 } : undefined;
  handle?.onReconcile((event) => {
    reconciled[event.outcome] += 1;
  });
  const options =
    variant === 'ours+reconcile'
      ? (call, startedAt) => ({
          partnerCenter: { reconcile: findOrder(api, call.customer, call.body, startedAt) },
        })
      : () => undefined;
  let run;
  try {
    run = await runOrderPlan(api, plan, concurrency, options, timeoutMs);
  } finally {
    dispose();
  }
  const stats = await host.stop();
  return { ...orderRow(variant, plan, run, stats, reconciled), failures: run.failures };
}

/** Every variant in turn, the same plan and seed; `onRow` sees each row as it lands (progress). */
export async function runOrders(host, sizes, onRow = () => {}) {
  const rows = [];
  for (const variant of ORDER_VARIANTS) {
    const row = await runOrderVariant(host, variant, sizes);
    rows.push(row);
    onRow(row);
  }
  return rows;
}
