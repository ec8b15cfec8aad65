// One sweep run in a child process, for the sweep demo (examples/sweepDemo.mjs) and the sweep benchmark
// (bench/lib/sweepKill.mjs): the parent may SIGKILL it half way and start another on the same checkpoint.
//
//   fork('examples/sweepChild.mjs', [JSON.stringify({ url, checkpoint, progressIntervalMs })])
//
// It attaches partner-center-resilience (defaults) to an axios instance on `url` and runs sweepTenants over
// every customer of the partner (read page by page from GET /v1/customers), the task reading each tenant's
// subscriptions and subscribed SKUs. It sends the parent, over IPC:
//   { type: 'start', loadedDone }              the tenants the checkpoint recorded as done when it started
//   { type: 'progress', progress }             sweepTenants' onProgress counts
//   { type: 'task', completed }                a task completed (both reads answered), the count this run
//   { type: 'report', report, doneAgain, ... } at the end; doneAgain: tasks completed for tenants the
//                                              checkpoint already recorded as done (0 is right)
// It stops when its parent goes away (the IPC channel closes), so it never outlives the demo or the bench.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import axios from 'axios';
import { attachResilience } from '../dist/index.js';
import { sweepTenants } from '../dist/sweep.js';

const { url, checkpoint, progressIntervalMs = 250 } = JSON.parse(process.argv[2] ?? '{}');
if (typeof url !== 'string' || typeof checkpoint !== 'string') {
  throw new Error('sweepChild: give {"url": ..., "checkpoint": ...} as the first argument');
}
const send = (message) => {
  if (process.connected) process.send(message);
};
const stop = new AbortController();
let finished = false;
process.on('disconnect', () => {
  if (!finished) process.exit(1); // the parent went away: stop now
});
process.on('SIGTERM', () => stop.abort()); // a polite stop: the checkpoint is saved

/** The tenants the checkpoint records as done before this run: none of them may run again. */
function loadedDone() {
  try {
    return new Set(JSON.parse(readFileSync(checkpoint, 'utf8')).done);
  } catch (error) {
    if (error?.code === 'ENOENT') return new Set();
    throw error;
  }
}

const before = loadedDone();
send({ type: 'start', loadedDone: before.size });
const agent = new Agent({ keepAlive: true });
const api = axios.create({
  baseURL: url,
  httpAgent: agent,
  proxy: false,
  headers: { Accept: 'application/json', 'MS-Contract-Version': 'v1' },
});
const handle = attachResilience(api);
let completed = 0;
let doneAgain = 0;
try {
  const report = await sweepTenants(handle, {
    checkpoint,
    signal: stop.signal,
    progressIntervalMs,
    onProgress: (progress) => send({ type: 'progress', progress }),
    task: async (tenantId, { signal }) => {
      await api.get(`/v1/customers/${tenantId}/subscriptions`, { signal });
      await api.get(`/v1/customers/${tenantId}/subscribedskus`, { signal });
      completed += 1;
      if (before.has(tenantId)) doneAgain += 1;
      send({ type: 'task', completed });
    },
  });
  const { failures, ...counts } = report;
  send({
    type: 'report',
    report: { ...counts, failures: failures.slice(0, 20), failureCount: failures.length },
    completed,
    doneAgain,
  });
} finally {
  handle.detach();
  agent.destroy();
}
finished = true;
process.disconnect?.();
// Nothing should keep the process alive now; if something does, it still ends.
setTimeout(() => process.exit(0), 2_000).unref();
