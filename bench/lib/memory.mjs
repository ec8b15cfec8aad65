// Heap cost of tenant scopes: calls across many distinct customer ids through a stub adapter (no network),
// then a forced gc and the heapUsed delta. Needs `node --expose-gc`.
import { createClient } from './clients.mjs';
import { stubAdapter } from './throughput.mjs';
import { runPlan } from './workload.mjs';

/** A GUID-shaped customer id for index i (distinct for every i < 16^12). */
export function tenantId(i) {
  return `${(0x20000000 + (i % 0x10000000)).toString(16)}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

function heapAfterGc() {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Calls for tenants [from, to), one read each. */
function tenantPlan(from, to) {
  return Array.from({ length: to - from }, (_, k) => ({ op: 'read', customer: tenantId(from + k) }));
}

/**
 * Runs calls over `checkpoints[last]` distinct tenants on a fresh client and reports, at each checkpoint,
 * the heap delta since attach and the scopes held. `client` is 'axios' or 'ours'; `ours` its options.
 */
export async function measureScopes({ client, ours = {}, checkpoints, concurrency = 64 }) {
  const { api, handle, dispose } = createClient(client, { adapter: stubAdapter, ours });
  const before = heapAfterGc();
  const points = [];
  let done = 0;
  for (const target of checkpoints) {
    // Plans are built in slices so the plan itself never holds many tenants at once.
    for (let from = done; from < target; from += 10_000) {
      await runPlan(api, tenantPlan(from, Math.min(target, from + 10_000)), { concurrency });
    }
    done = target;
    const heap = heapAfterGc();
    points.push({ tenants: target, deltaBytes: heap - before, scopes: handle?.scopeCount ?? null });
  }
  dispose();
  return points;
}
