// Multi-process benchmark: several worker processes share ONE partner quota (one Partner Center simulator with
// a small partner-scope rate limit). Each worker runs its calls through attachResilience, once with the default
// in-memory store (each process only knows its own 429s) and once with the Redis store (a 429 seen by one
// process gates them all). Reports server hits inside announced throttle windows and total 429s, prints a
// markdown table and writes docs/benchmarks-multiprocess.md.
//
//   npm run build && node bench/multiprocess.mjs [--workers 4] [--calls 30] [--concurrency 3]
//
// Redis: PCR_REDIS_URL when set, else a redis-server spawned on a free port (stopped at the end). Without
// either, only the in-memory run is reported. Stops by itself (hard limit 110 s).
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = (name) => join(root, 'dist', `${name}.js`);

const SCENARIO = {
  name: 'shared partner quota',
  description: 'Partner scope limited to 8 requests per second; 429 with Retry-After (rest of the window).',
  customers: 3,
  throttle: { partner: { limit: 8, windowMs: 1000 } },
};

for (const entry of ['index', 'testing', 'redis']) {
  if (!existsSync(dist(entry))) {
    console.error(`multiprocess benchmark: ${dist(entry)} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

if (process.argv[2] === 'worker') {
  await worker();
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------------------
// Worker: one "process" of the application.

async function worker() {
  // Listen before any await: an IPC message that arrives with no listener is lost.
  const configMessage = new Promise((resolve) => process.once('message', resolve));
  const [{ default: axios }, { attachResilience }] = await Promise.all([
    import('axios'),
    import(dist('index')),
  ]);
  const config = await configMessage;
  let client;
  let store;
  let storeErrors = 0;
  if (config.store === 'redis') {
    const [{ Redis }, { createRedisScopeStore }] = await Promise.all([
      import('ioredis'),
      import(dist('redis')),
    ]);
    client = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      commandTimeout: 1_000,
      maxRetriesPerRequest: 1,
    });
    client.on('error', () => undefined);
    await once(client, 'ready');
    store = createRedisScopeStore({
      client,
      keyPrefix: config.keyPrefix,
      onError: () => {
        storeErrors += 1;
      },
    });
  }
  const api = axios.create({ baseURL: config.url });
  const handle = attachResilience(api, {
    ...(store ? { store } : {}),
    retry: { maxAttempts: 20, maxRetryAfterMs: 10_000 },
    retryBudget: { maxTokens: 10_000 },
    timeout: { attemptMs: 10_000, totalMs: 60_000 },
  });
  let gateWaits = 0;
  let retries = 0;
  handle.onThrottle((e) => {
    if (e.source === 'gate') gateWaits += 1;
  });
  handle.onRetry(() => {
    retries += 1;
  });

  process.send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve)); // go

  const started = Date.now();
  let next = 0;
  let ok = 0;
  let failed = 0;
  const failures = {};
  const lane = async () => {
    while (next < config.calls) {
      next += 1;
      try {
        await api.get('/v1/customers');
        ok += 1;
      } catch (error) {
        failed += 1;
        const kind = error?.kind ?? 'unknown';
        failures[kind] = (failures[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, lane));
  const durationMs = Date.now() - started;
  handle.detach();
  client?.disconnect();
  process.send({ type: 'result', ok, failed, failures, gateWaits, retries, storeErrors, durationMs });
  process.disconnect();
}

// ---------------------------------------------------------------------------------------------------------
// Parent: simulator, Redis, workers, report.

async function main() {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '4' },
      calls: { type: 'string', default: '30' },
      concurrency: { type: 'string', default: '3' },
      out: { type: 'string', default: join(root, 'docs', 'benchmarks-multiprocess.md') },
    },
  });
  const workers = Number(values.workers);
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);

  const children = new Set();
  let redisServer;
  const cleanup = () => {
    for (const child of children) child.kill('SIGKILL');
    redisServer?.kill('SIGTERM');
  };
  const hardLimit = setTimeout(() => {
    console.error('multiprocess benchmark: over 110 s, giving up');
    cleanup();
    process.exit(1);
  }, 110_000);
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const { startPartnerCenterSimulator } = await import(dist('testing'));

  let redisUrl = process.env.PCR_REDIS_URL;
  if (!redisUrl) {
    const spawned = await spawnRedis();
    if (spawned) {
      redisServer = spawned.child;
      redisUrl = spawned.url;
    }
  }

  const rows = [];
  try {
    for (const store of ['memory', 'redis']) {
      if (store === 'redis' && !redisUrl) {
        rows.push({ store, skipped: 'no Redis (set PCR_REDIS_URL or install redis-server)' });
        continue;
      }
      const sim = await startPartnerCenterSimulator({ scenario: SCENARIO, seed: 7, logLimit: 1 });
      try {
        const keyPrefix = `pcr-bench-${process.pid}-${Date.now()}:`;
        const started = Date.now();
        const results = await runWorkers({
          workers,
          children,
          config: { store, url: sim.url, redisUrl, keyPrefix, calls, concurrency },
        });
        const wallMs = Date.now() - started;
        const stats = sim.stats();
        const sum = (field) => results.reduce((total, r) => total + r[field], 0);
        rows.push({
          store,
          ok: sum('ok'),
          failed: sum('failed'),
          totalHits: stats.totalHits,
          throttled: stats.throttledResponses,
          beforeDeadline: stats.hitsBeforeDeadline,
          gateWaits: sum('gateWaits'),
          retries: sum('retries'),
          storeErrors: sum('storeErrors'),
          wallMs,
        });
      } finally {
        await sim.close();
      }
    }
  } finally {
    cleanup();
    clearTimeout(hardLimit);
  }

  const header = [
    'store',
    'calls OK / failed',
    'server hits',
    '429s sent',
    'hits inside a throttle window',
    'gate waits',
    'retries',
    'store errors',
    'wall time',
  ];
  const body = rows.map((r) =>
    r.skipped
      ? [r.store, `skipped: ${r.skipped}`, '', '', '', '', '', '', '']
      : [
          r.store === 'redis' ? 'Redis (`partner-center-resilience/redis`)' : 'in-memory (default)',
          `${r.ok} / ${r.failed}`,
          String(r.totalHits),
          String(r.throttled),
          String(r.beforeDeadline),
          String(r.gateWaits),
          String(r.retries),
          String(r.storeErrors),
          `${(r.wallMs / 1000).toFixed(1)} s`,
        ],
  );
  const table = markdownTable(header, body);

  const doc = `# Benchmark: several processes, one partner quota

Generated by \`npm run build && node bench/multiprocess.mjs\` (do not edit by hand).

${workers} worker processes (\`child_process.fork\`) each make ${calls} calls (${concurrency} at a time) to
\`GET /v1/customers\` (the partner scope) of ONE Partner Center simulator whose partner scope allows
${SCENARIO.throttle.partner.limit} requests per ${SCENARIO.throttle.partner.windowMs} ms and answers 429 with
\`Retry-After\` beyond that. Every worker uses \`attachResilience\` (Retry-After honoured, up to 20 attempts),
first with the default in-memory store, then with \`createRedisScopeStore\` on one Redis.

- **hits inside a throttle window**: requests that reached the simulator while the scope was under a
  deadline it had announced with \`Retry-After\` (simulator stat \`hitsBeforeDeadline\`): quota wasted, and
  what Partner Center asks clients not to do.
- **429s sent**: throttled answers; **gate waits**: attempts held back by a shared deadline before sending.

${table}

With the in-memory store each process only honours the 429s it received itself, so the other processes keep
hitting the throttled scope. With the Redis store a 429 seen by any process sets the shared deadline, and
every process waits it out before sending: the few hits left inside a window are requests already in
flight when the 429 arrived. The
number of 429s stays about the same: the workers ask for more than the partner quota, so at the start of
each new window the calls beyond its limit are answered 429 (at the edge of the window, not inside an
announced one), even though each process comes back in slow start (one call, then 2, 4, ...). Sharing
deadlines stops the wasted hits; it does not pace calls to the quota (a shared rate limiter would be a
separate feature). Figures vary from run to run with scheduling.

Environment: Node ${process.version}, ${availableParallelism()} CPUs, Redis ${redisUrl ? 'on loopback' : 'none'}.
`;
  writeFileSync(values.out, doc);
  console.log(table);
  console.log(`\nwritten to ${values.out}`);
}

/** A markdown table aligned as biome formats it: first column left, the others right. */
function markdownTable(header, body) {
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

async function runWorkers({ workers, children, config }) {
  const spawned = Array.from({ length: workers }, () => {
    const child = fork(fileURLToPath(import.meta.url), ['worker'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  });
  const messages = spawned.map((child) => {
    const queue = [];
    const waiters = [];
    child.on('message', (m) => (waiters.length ? waiters.shift()(m) : queue.push(m)));
    child.once('exit', (code) => {
      for (const w of waiters.splice(0)) w({ type: 'exit', code });
      queue.push({ type: 'exit', code });
    });
    return () => new Promise((resolve) => (queue.length ? resolve(queue.shift()) : waiters.push(resolve)));
  });
  for (const child of spawned) child.send(config);
  const ready = await Promise.all(messages.map((next) => next()));
  if (ready.some((m) => m.type !== 'ready')) throw new Error('a worker failed to start');
  for (const child of spawned) child.send('go');
  const results = await Promise.all(messages.map((next) => next()));
  const bad = results.find((m) => m.type !== 'result');
  if (bad) throw new Error(`a worker exited early (code ${bad.code})`);
  return results;
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
  // events.once rejects on an 'error' event: a missing redis-server is a plain "not started".
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
