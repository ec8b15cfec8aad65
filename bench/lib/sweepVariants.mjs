// The variants of the tenant sweep benchmark (bench/sweep.mjs), each against a fresh simulator in the host
// child (bench/lib/simulatorHost.mjs): `customers` customers, a partner quota and a per-customer quota the
// client is not told, and one task per tenant that reads its subscriptions and subscribed SKUs (2 calls).
//   naive      Promise.all over the tenants, p-limit at 16, through an attached instance (defaults)
//   naive-off  the same with `rateLimit: false`
//   sweep      sweepTenants (defaults) on the attached instance, in this process
//   kill       sweepTenants in a child process (examples/sweepChild.mjs) with a checkpoint file, SIGKILLed
//              once half the tasks completed, then a new child on the same checkpoint
// Each resolves one row: duration, the simulator's calls and 429s, tenants ok and failed, and the tenants the
// simulator saw read more than once.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { sweepTenants } from '../../dist/sweep.js';
import { quotaLimited } from '../../dist/testing.js';
import { createClient, failureKind } from './clients.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, '..', '..', 'examples', 'sweepChild.mjs');

/** The variants, in the order they run in round 0 and are shown. */
export const SWEEP_VARIANTS = ['naive', 'naive-off', 'sweep', 'kill'];

/** Label of each variant in the tables. */
export const SWEEP_VARIANT_LABELS = {
  naive: '`Promise.all` + p-limit 16, attached instance (defaults)',
  'naive-off': '`Promise.all` + p-limit 16, attached instance, `rateLimit: false`',
  sweep: '`sweepTenants` (defaults)',
  kill: '`sweepTenants`, SIGKILLed at half way, resumed from its checkpoint',
};

/** The in-flight cap of the naive loops. */
export const NAIVE_CONCURRENCY = 16;

/** The scenario of every run. */
export function sweepScenario({ customers, partnerPerSecond, customerPerSecond }) {
  return quotaLimited({ partnerPerSecond, customerPerSecond, customers });
}

/** The quota's own time for the job, in ms: 2 calls per customer at the partner quota. */
export function quotaTimeMs({ customers, partnerPerSecond }) {
  return ((customers * 2) / partnerPerSecond) * 1000;
}

/** Rejects after `ms` (the bench stops by itself); `what` names the run. */
function withinLimit(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The task of every variant: the tenant's two reads. */
function readTenant(api, tenantId, signal) {
  return api
    .get(`/v1/customers/${tenantId}/subscriptions`, { signal })
    .then(() => api.get(`/v1/customers/${tenantId}/subscribedskus`, { signal }));
}

/** The row's figures from the simulator's stats. */
function serverFigures(stats) {
  const reads = (route) => stats.customerReads[`GET /v1/customers/{id}/${route}`]?.customers ?? 0;
  return {
    calls: stats.totalHits,
    throttled: stats.throttledResponses,
    readAgain: stats.customersReadAgain,
    readOnce: Math.min(reads('subscriptions'), reads('subscribedskus')),
  };
}

/** One naive run: every tenant's task at once under p-limit 16 (a failed task is counted, not retried). */
async function runNaive(host, sizes, variant) {
  const sim = await host.start(sweepScenario(sizes), sizes.seed);
  const ours = variant === 'naive-off' ? { rateLimit: false } : {};
  const { api, dispose } = createClient('ours', { baseURL: sim.url, ours });
  const limit = pLimit(NAIVE_CONCURRENCY);
  const failures = {};
  let ok = 0;
  const started = performance.now();
  const job = Promise.all(
    sim.customerIds.map((id) =>
      limit(async () => {
        try {
          await readTenant(api, id);
          ok += 1;
        } catch (error) {
          const kind = failureKind(error);
          failures[kind] = (failures[kind] ?? 0) + 1;
        }
      }),
    ),
  );
  try {
    await withinLimit(job, sizes.runLimitMs, `sweep bench ${variant}`);
  } finally {
    limit.clearQueue();
    dispose();
  }
  const durationMs = performance.now() - started;
  const stats = await host.stop();
  return { variant, durationMs, ok, failed: sim.customerIds.length - ok, failures, ...serverFigures(stats) };
}

/** One in-process sweep: sweepTenants with its defaults (every customer, from GET /v1/customers). */
async function runSweep(host, sizes) {
  const sim = await host.start(sweepScenario(sizes), sizes.seed);
  const { api, handle, dispose } = createClient('ours', { baseURL: sim.url });
  const stop = new AbortController();
  const started = performance.now();
  let report;
  try {
    report = await withinLimit(
      sweepTenants(handle, {
        signal: stop.signal,
        task: (tenantId, { signal }) => readTenant(api, tenantId, signal),
      }),
      sizes.runLimitMs,
      'sweep bench sweep',
    );
  } finally {
    stop.abort();
    dispose();
  }
  const durationMs = performance.now() - started;
  const stats = await host.stop();
  const failures = {};
  for (const failure of report.failures) failures[failure.kind] = (failures[failure.kind] ?? 0) + 1;
  return {
    variant: 'sweep',
    durationMs,
    ok: report.done,
    failed: report.failed,
    lost: sim.customerIds.length - report.done - report.failed,
    failures,
    outcome: report.outcome,
    ...serverFigures(stats),
  };
}

/**
 * One child sweep on `url` and `checkpoint` to its end, or to its SIGKILL once `killAt` tasks completed in it
 * (never when undefined). Resolves what the child said: `{ start, report, completed, doneAgain, killed }`.
 */
function runChild({ url, checkpoint, killAt, children }) {
  const child = fork(CHILD, [JSON.stringify({ url, checkpoint, progressIntervalMs: 1000 })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const result = { start: undefined, report: undefined, completed: 0, doneAgain: 0, killed: false };
  child.on('message', (message) => {
    if (message.type === 'start') result.start = message;
    else if (message.type === 'report') Object.assign(result, message);
    else if (message.type === 'task' && killAt !== undefined && !result.killed) {
      result.completed = message.completed;
      if (message.completed >= killAt) {
        result.killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ ...result, code, signal });
    });
  });
}

/** The tenants the checkpoint file records as done. */
function savedDone(checkpoint) {
  try {
    return JSON.parse(readFileSync(checkpoint, 'utf8')).done.length;
  } catch {
    return 0;
  }
}

/** One kill-and-resume run: a child killed at half the tasks, then a child on the same checkpoint. */
async function runKill(host, sizes) {
  const sim = await host.start(sweepScenario(sizes), sizes.seed);
  const dir = mkdtempSync(join(tmpdir(), 'pcr-sweep-bench-'));
  const checkpoint = join(dir, 'checkpoint.json');
  const children = new Set();
  const customers = sim.customerIds.length;
  const started = performance.now();
  let first;
  let second;
  try {
    const job = (async () => {
      first = await runChild({ url: sim.url, checkpoint, killAt: Math.ceil(customers / 2), children });
      const saved = savedDone(checkpoint);
      const killedMs = performance.now() - started;
      second = first.killed ? await runChild({ url: sim.url, checkpoint, children }) : undefined;
      return { saved, killedMs };
    })();
    const { saved, killedMs } = await withinLimit(job, sizes.runLimitMs, 'sweep bench kill');
    const durationMs = performance.now() - started;
    const stats = await host.stop();
    const last = second ?? first;
    const report = last.report;
    if (report === undefined) throw new Error(`the resumed sweep ended without a report (${last.code})`);
    return {
      variant: 'kill',
      durationMs,
      ok: report.done,
      failed: report.failed,
      lost: customers - report.done - report.failed,
      doneAgain: first.doneAgain + (second?.doneAgain ?? 0),
      killed: first.killed,
      completedAtKill: first.completed,
      savedAtKill: saved,
      loadedOnResume: second?.start?.loadedDone,
      killedAtMs: killedMs,
      ...serverFigures(stats),
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one variant; resolves its row. */
export function runSweepVariant(host, sizes, variant) {
  if (variant === 'naive' || variant === 'naive-off') return runNaive(host, sizes, variant);
  if (variant === 'sweep') return runSweep(host, sizes);
  if (variant === 'kill') return runKill(host, sizes);
  throw new Error(`unknown sweep variant ${variant}`);
}
