// Runs every client through every scenario: a fresh simulator (same scenario, same seed) per client, the
// same plan of logical calls, then the simulator's counters and the client-side outcomes.
import { CLIENT_NAMES, createClient } from './clients.mjs';
import { planCalls, SEED } from './scenarios.mjs';
import { latencySummary } from './stats.mjs';
import { runPlan } from './workload.mjs';

/** One client through one scenario. */
export async function runScenarioClient(host, scenario, clientName) {
  const sim = await host.start(scenario.sim, SEED);
  const plan = planCalls(scenario.workload, sim.customerIds);
  const { api, dispose } = createClient(clientName, { baseURL: sim.url, ours: scenario.ours ?? {} });
  let run;
  try {
    run = await runPlan(api, plan, scenario.workload);
  } finally {
    dispose();
  }
  const stats = await host.stop();
  return summarize(scenario, clientName, plan, run, stats);
}

function summarize(scenario, client, plan, run, stats) {
  const calls = plan.length;
  return {
    scenario: scenario.key,
    client,
    calls,
    ok: run.ok,
    successRate: run.ok / calls,
    hits: stats.totalHits,
    amplification: stats.totalHits / calls,
    hitsBeforeDeadline: stats.hitsBeforeDeadline,
    inFlightAtDeadline: stats.inFlightAtDeadline,
    earlyRetries: stats.earlyRetries,
    throttledResponses: stats.throttledResponses,
    hitsDuringOutage: stats.hitsDuringOutage,
    ordersPlanned: plan.filter((c) => c.op === 'order').length,
    ordersCreated: stats.ordersCreated,
    orderReplays: stats.orderReplays,
    duplicateOrders: stats.duplicateOrders,
    hitsBeforeDeadlinePerScope: stats.hitsBeforeDeadlinePerScope,
    statusCounts: stats.statusCounts,
    failures: Object.fromEntries([...run.failures].sort((a, b) => b[1] - a[1])),
    durationMs: run.durationMs,
    ...latencySummary(run.latencies),
  };
}

/** Every scenario, every client in turn. `onResult` sees each row as it lands (progress). */
export async function runComparison(host, scenarios, onResult = () => {}) {
  const rows = [];
  for (const scenario of scenarios) {
    for (const client of CLIENT_NAMES) {
      const row = await runScenarioClient(host, scenario, client);
      rows.push(row);
      onResult(row);
    }
  }
  return rows;
}
