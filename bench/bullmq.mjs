// BullMQ sweep benchmark: four worker processes (child_process.fork) run one sweep through BullMQ on one
// Redis, each with its own attached instance and the Redis store (shared limiter, breakers and throttle
// deadlines). The Partner Center simulator (in this process) serves N customers x 2 reads (the customer and
// its subscriptions) behind a hidden partner quota of 100 calls/s and 5 calls/s per customer. One worker is
// SIGKILLed when about half the tenants are done: BullMQ's stalled check hands its running tenants to the
// others. Reports: every tenant done or not, the killed worker's tenants and who finished them, 429s per 100
// calls (all processes), and the time against the quota's own time (calls / 100 per s). Writes its section
// of docs/benchmarks-multiprocess.md.
//
//   npm run build && node bench/bullmq.mjs [--customers 2000] [--workers 4] [--out docs/benchmarks-multiprocess.md]
//
// Redis: PCR_REDIS_URL when set, else a redis-server spawned on a free port (stopped at the end); without
// either it says so and exits 0. Locks are shortened for the run (lockDurationMs 5000, stalledIntervalMs
// 2000) so that the takeover shows within the run; the defaults are 30000 and 15000. Hard limit: 6 min.
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spliceSection } from './lib/spliceSection.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = (name) => join(root, 'dist', `${name}.js`);
const PARTNER_PER_SECOND = 100;
const CUSTOMER_PER_SECOND = 5;
const LOCKS = { lockDurationMs: 5_000, stalledIntervalMs: 2_000 };
const PREFIX = 'pcr-bench';

for (const entry of ['index', 'testing', 'redis', 'bullmq']) {
  if (!existsSync(dist(entry))) {
    console.error(`bullmq benchmark: ${dist(entry)} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

if (process.argv[2] === 'worker') await worker();
else await main();

// ---------------------------------------------------------------------------------------------------------
// Worker: one process of the application.

async function worker() {
  const configMessage = new Promise((resolve) => process.once('message', resolve));
  const [
    { default: axios },
    { attachResilience },
    { createRedisScopeStore },
    { startSweepWorker },
    { Redis },
  ] = await Promise.all([
    import('axios'),
    import(dist('index')),
    import(dist('redis')),
    import(dist('bullmq')),
    import('ioredis'),
  ]);
  const config = await configMessage;
  const client = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
  });
  client.on('error', () => undefined);
  await once(client, 'ready');
  const store = createRedisScopeStore({ client, keyPrefix: `${PREFIX}:` });
  const api = axios.create({ baseURL: config.url });
  const handle = attachResilience(api, { store });
  const url = new URL(config.redisUrl);
  const sweep = startSweepWorker(handle, {
    sweepId: config.sweepId,
    prefix: PREFIX,
    connection: { host: url.hostname, port: Number(url.port) },
    ...LOCKS,
    task: async (tenantId, { signal }) => {
      process.send({ type: 'started', tenantId });
      await api.get(`/v1/customers/${tenantId}`, { signal });
      await api.get(`/v1/customers/${tenantId}/subscriptions`, { signal });
      process.send({ type: 'finished', tenantId });
    },
  });
  process.on('message', async (message) => {
    if (message?.type !== 'stop') return;
    await sweep.close();
    handle.detach();
    client.disconnect();
    process.send({ type: 'counters', ...sweep.counters, concurrency: sweep.concurrency });
    process.disconnect();
  });
  await sweep.worker.waitUntilReady();
  process.send({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------------------
// Parent: Redis, simulator, producer, workers, report.

async function main() {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '2000' },
      workers: { type: 'string', default: '4' },
      out: { type: 'string', default: join(root, 'docs', 'benchmarks-multiprocess.md') },
    },
  });
  const customers = Number(values.customers);
  const workerCount = Number(values.workers);
  const children = [];
  let redisServer;
  const cleanup = () => {
    for (const child of children) child.kill('SIGKILL');
    redisServer?.kill('SIGTERM');
  };
  const hardLimit = setTimeout(() => {
    console.error('bullmq benchmark: over 6 min, giving up');
    cleanup();
    process.exit(1);
  }, 6 * 60_000);

  let redisUrl = process.env.PCR_REDIS_URL;
  if (!redisUrl) {
    const spawned = await spawnRedis();
    if (!spawned) {
      console.log('bullmq benchmark: no Redis (set PCR_REDIS_URL or install redis-server); skipped');
      clearTimeout(hardLimit);
      return;
    }
    redisServer = spawned.child;
    redisUrl = spawned.url;
  }

  const { startPartnerCenterSimulator } = await import(dist('testing'));
  const { createSweepQueue } = await import(dist('bullmq'));
  const sim = await startPartnerCenterSimulator({
    seed: 7,
    scenario: {
      name: 'bullmq sweep',
      customers,
      quotas: [
        { name: 'partner', scope: 'partner', limit: PARTNER_PER_SECOND, windowMs: 1000 },
        { name: 'customer', scope: 'customer', limit: CUSTOMER_PER_SECOND, windowMs: 1000 },
      ],
    },
  });
  const sweepId = `bench-${Date.now()}`;
  const url = new URL(redisUrl);
  const queue = createSweepQueue({
    sweepId,
    prefix: PREFIX,
    connection: { host: url.hostname, port: Number(url.port) },
  });

  const startedBy = new Map(); // tenant -> worker indexes that started it
  const finishedBy = new Map(); // tenant -> worker indexes that finished it
  const note = (map, tenantId, index) => map.set(tenantId, [...(map.get(tenantId) ?? []), index]);
  const counters = [];
  const ready = [];
  for (let i = 0; i < workerCount; i++) {
    const child = fork(fileURLToPath(import.meta.url), ['worker'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    ready.push(
      new Promise((resolve) => {
        child.on('message', (message) => {
          if (message.type === 'ready') resolve();
          else if (message.type === 'started') note(startedBy, message.tenantId, i);
          else if (message.type === 'finished') note(finishedBy, message.tenantId, i);
          else if (message.type === 'counters') counters[i] = message;
        });
      }),
    );
    child.send({ url: sim.url, redisUrl, sweepId });
  }
  await Promise.all(ready);

  sim.reset();
  const startedAt = Date.now();
  await queue.enqueue(sim.customerIds);
  const killed = 0;
  let killedAt;
  let inFlightAtKill = [];
  const report = await queue.waitUntilFinished({
    intervalMs: 250,
    timeoutMs: 5 * 60_000,
    onProgress: (progress) => {
      if (killedAt === undefined && progress.done >= customers / 2) {
        children[killed].kill('SIGKILL');
        killedAt = Date.now() - startedAt;
        inFlightAtKill = [...startedBy]
          .filter(
            ([tenantId, by]) => by.includes(killed) && !(finishedBy.get(tenantId) ?? []).includes(killed),
          )
          .map(([tenantId]) => tenantId);
      }
    },
  });
  const elapsedMs = Date.now() - startedAt;
  const stats = sim.stats();

  for (const [i, child] of children.entries()) {
    if (i === killed) continue;
    const exited = once(child, 'exit');
    child.send({ type: 'stop' });
    await exited;
  }
  const takenOver = inFlightAtKill.filter((tenantId) =>
    (finishedBy.get(tenantId) ?? []).some((index) => index !== killed),
  ).length;
  const finishedTwice = [...finishedBy.values()].filter((by) => by.length > 1).length;
  const calls = stats.totalHits;
  const quotaMs = (calls / PARTNER_PER_SECOND) * 1000;
  const per100 = (stats.throttledResponses / calls) * 100;
  const figures = {
    customers,
    workers: workerCount,
    done: report.done,
    failed: report.failed,
    pending: report.pending,
    killedAtMs: killedAt,
    inFlightAtKill: inFlightAtKill.length,
    takenOver,
    finishedTwice,
    calls,
    throttled: stats.throttledResponses,
    per100: Number(per100.toFixed(2)),
    elapsedMs,
    quotaMs: Math.round(quotaMs),
    ratio: Number((elapsedMs / quotaMs).toFixed(2)),
    concurrencyAtEnd: counters.filter(Boolean).map((c) => c.concurrency),
  };
  console.log(JSON.stringify(figures));

  await queue.remove();
  await queue.close();
  await sim.close();
  clearTimeout(hardLimit);
  redisServer?.kill('SIGTERM');

  const section = `## A sweep on ${workerCount} processes through BullMQ, one of them killed

\`npm run build && node bench/bullmq.mjs --customers ${customers}\` (also in \`npm run bench\`): ${workerCount} worker
processes (\`startSweepWorker\` from \`partner-center-resilience/bullmq\`, each with the defaults of
\`attachResilience\` and the Redis store) on one Redis; the producer (\`createSweepQueue\`) enqueues ${customers}
customers; each task reads the customer and its subscriptions (2 calls). The simulator hides a partner quota of
${PARTNER_PER_SECOND} calls/s and ${CUSTOMER_PER_SECOND} calls/s per customer. Worker 1 is SIGKILLed when half the
tenants are done. Locks for the run: \`lockDurationMs: ${LOCKS.lockDurationMs}, stalledIntervalMs: ${LOCKS.stalledIntervalMs}\` (defaults 30000 and 15000).

| figure | value |
| --- | --- |
| tenants done / failed / pending | ${report.done} / ${report.failed} / ${report.pending} |
| killed at | ${(killedAt / 1000).toFixed(1)} s, with ${inFlightAtKill.length} tenants running on it |
| of those, finished by another worker | ${takenOver} of ${inFlightAtKill.length} |
| tenants finished by two workers | ${finishedTwice} |
| calls (all processes) | ${calls} |
| 429s | ${stats.throttledResponses} (${per100.toFixed(2)} per 100 calls; target at most 2) |
| time | ${(elapsedMs / 1000).toFixed(1)} s; the quota's own time for ${calls} calls is ${(quotaMs / 1000).toFixed(1)} s (${figures.ratio}x) |
| adaptive concurrency at the end (live workers) | ${figures.concurrencyAtEnd.join(', ')} |

The killed worker's running tenants wait for their lock to run out and a stalled check (about
\`lockDurationMs + 2 x stalledIntervalMs\`), which is in the time above.
`;
  const document = existsSync(values.out)
    ? readFileSync(values.out, 'utf8')
    : '# Benchmarks: many processes\n';
  writeFileSync(values.out, spliceSection(document, section));
  console.log(`bullmq benchmark: wrote ${values.out}`);
  process.exit(0);
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function spawnRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const started = await once(child, 'spawn').then(
    () => true,
    () => false,
  );
  if (!started) return undefined;
  const { Redis } = await import('ioredis');
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { child, url: `redis://127.0.0.1:${port}` };
    } catch {
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  return undefined;
}
