// Multi-process benchmark: several worker processes share ONE partner quota (one Partner Center simulator with
// a small partner-scope rate limit). Each worker runs its calls through attachResilience, once with the default
// in-memory store (each process only knows its own 429s) and once with the Redis store (a 429 seen by one
// process gates them all). Reports server hits inside announced throttle windows and total 429s, prints a
// markdown table and writes docs/benchmarks-multiprocess.md.
//
// Then the hidden quota: the same workers share a hidden partner quota of 20 requests/s (the simulator's
// `quotaLimited`), 16 calls in flight in total, a closed loop for a fixed time, with the defaults of
// attachResilience (adaptive rate limiter and partner retry budget on) and the Redis store, beside the same
// with the limiter off (`rateLimit: false, partnerRetryBudget: false`, Redis store still on) and beside the
// in-memory store: 429s per 100 calls, successful calls/s against the quota, hits before a deadline.
//
// And first contact: a 300-call job shared by the workers (16 in flight in total) against the same hidden quota,
// from fresh state each round, with `rateLimit: { slowStart: true }`, the defaults and the limiter off (all on
// the Redis store): 429s per 100 calls and the share of the quota, median and range over rounds. `--only
// first-contact` runs this part alone and rewrites its section only.
//
//   npm run build && node bench/multiprocess.mjs [--workers 4] [--calls 30] [--concurrency 3]
//                                                [--quota-seconds 40] [--warmup-seconds 10]
//                                                [--first-contact-rounds 5] [--only first-contact]
//
// The document keeps sections written by other benches (bench/bullmq.mjs): each part replaces its own.
//
// Redis: PCR_REDIS_URL when set, else a redis-server spawned on a free port (stopped at the end). Without
// either, only the in-memory runs are reported. Stops by itself (hard limit 6 min).
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  FIRST_CONTACT_VARIANTS,
  firstContactFigures,
  firstContactSection,
  firstContactSummary,
} from './lib/firstContact.mjs';
import { hitsOnRunClock, LIMITER_TARGETS, meetsTargets, quotaFigures } from './lib/limiterFigures.mjs';
import { limiterQuotaTable, limiterThrottleTable } from './lib/report.mjs';
import { spliceSection } from './lib/spliceSection.mjs';
import { fixed, percent, rotated } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = (name) => join(root, 'dist', `${name}.js`);

const SCENARIO = {
  name: 'shared partner quota',
  description: 'Partner scope limited to 8 requests per second; 429 with Retry-After (rest of the window).',
  customers: 3,
  throttle: { partner: { limit: 8, windowMs: 1000 } },
};

/** The hidden quota of the second part: requests per second for the whole partner (sliding window). */
const QUOTA_PER_SEC = 20;

/** The variants of the hidden-quota part, in the order they run and are shown. */
const QUOTA_VARIANTS = [
  { key: 'redis', store: 'redis', limiter: true },
  { key: 'redis-off', store: 'redis', limiter: false },
  { key: 'memory', store: 'memory', limiter: true },
];

const QUOTA_LABELS = {
  redis: 'ours, defaults, Redis store',
  'redis-off': 'ours, `rateLimit: false, partnerRetryBudget: false`, Redis store',
  memory: 'ours, defaults, in-memory store (each process alone)',
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
  if (config.mode === 'job') {
    await job(api, attachResilience, store, config);
    client?.disconnect();
    return;
  }
  const quota = config.mode === 'quota';
  // The hidden-quota part uses the defaults, as a user would (the limiter on or off); the first part gives
  // every call room to wait its 429s out.
  const options = quota
    ? config.limiter
      ? {}
      : { rateLimit: false, partnerRetryBudget: false }
    : {
        retry: { maxAttempts: 20, maxRetryAfterMs: 10_000 },
        retryBudget: { maxTokens: 10_000 },
        timeout: { attemptMs: 10_000, totalMs: 60_000 },
      };
  const handle = attachResilience(api, { ...(store ? { store } : {}), ...options });
  let gateWaits = 0;
  let retries = 0;
  handle.onThrottle((e) => {
    if (e.source === 'gate') gateWaits += 1;
  });
  handle.onRetry(() => {
    retries += 1;
  });
  let rateLimitWaits = 0;
  handle.onRateLimit(() => {
    rateLimitWaits += 1;
  });

  process.send({ type: 'ready' });
  const go = await new Promise((resolve) => process.once('message', resolve));

  if (quota) {
    const calls = [];
    const failures = {};
    const lane = async () => {
      while (Date.now() - go.startAt < config.durationMs) {
        let ok = true;
        try {
          await api.get('/v1/customers');
        } catch (error) {
          ok = false;
          const kind = error?.kind ?? error?.code ?? 'unknown';
          failures[kind] = (failures[kind] ?? 0) + 1;
        }
        calls.push({ at: Date.now() - go.startAt, ok });
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, lane));
    handle.detach();
    client?.disconnect();
    process.send({ type: 'result', calls, failures, gateWaits, retries, rateLimitWaits, storeErrors });
    process.disconnect();
    return;
  }

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

/** First contact, in a worker: `config.calls` calls over `config.concurrency` lanes, with `config.options`. */
async function job(api, attachResilience, store, config) {
  const handle = attachResilience(api, { ...(store ? { store } : {}), ...config.options });
  process.send({ type: 'ready' });
  const go = await new Promise((resolve) => process.once('message', resolve));
  const calls = [];
  let next = 0;
  const lane = async () => {
    while (next < config.calls) {
      next += 1;
      let ok = true;
      try {
        await api.get('/v1/customers');
      } catch {
        ok = false;
      }
      calls.push({ at: Date.now() - go.startAt, ok });
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, lane));
  handle.detach();
  process.send({ type: 'result', calls });
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
      'quota-seconds': { type: 'string', default: '40' },
      'warmup-seconds': { type: 'string', default: '10' },
      'first-contact-rounds': { type: 'string', default: '5' },
      only: { type: 'string' },
      out: { type: 'string', default: join(root, 'docs', 'benchmarks-multiprocess.md') },
    },
  });
  const workers = Number(values.workers);
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);
  const quotaMs = Number(values['quota-seconds']) * 1000;
  const warmupMs = Number(values['warmup-seconds']) * 1000;
  const quotaConcurrency = 4;
  const firstContactRounds = Number(values['first-contact-rounds']);
  const onlyFirstContact = values.only === 'first-contact';
  if (values.only !== undefined && !onlyFirstContact) {
    console.error(`multiprocess benchmark: --only takes 'first-contact', not ${values.only}`);
    process.exit(2);
  }
  // The first-contact rounds take 15-25 s each per variant.
  const hardLimitMs = (onlyFirstContact ? 1 : 6) * 60_000 + firstContactRounds * 3 * 40_000;

  const children = new Set();
  let redisServer;
  const cleanup = () => {
    for (const child of children) child.kill('SIGKILL');
    redisServer?.kill('SIGTERM');
  };
  const hardLimit = setTimeout(() => {
    console.error(`multiprocess benchmark: over ${hardLimitMs / 60_000} min, giving up`);
    cleanup();
    process.exit(1);
  }, hardLimitMs);
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
  const quotaRows = [];
  let firstContact;
  try {
    if (redisUrl)
      firstContact = await runFirstContact({ workers, children, redisUrl, rounds: firstContactRounds });
    for (const store of onlyFirstContact ? [] : ['memory', 'redis']) {
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
    for (const variant of onlyFirstContact ? [] : QUOTA_VARIANTS) {
      if (variant.store === 'redis' && !redisUrl) {
        quotaRows.push({ variant: variant.key, skipped: true });
        continue;
      }
      const row = await runQuotaVariant({
        variant,
        workers,
        children,
        redisUrl,
        quotaPerSec: QUOTA_PER_SEC,
        durationMs: quotaMs,
        warmupMs,
        concurrency: quotaConcurrency,
      });
      quotaRows.push(row);
      const f = row.figures.steady;
      console.error(
        `  quota ${variant.key.padEnd(9)} steady: 429s/100 ${fixed(f.throttledPer100Calls, 1)}  ok/s ${fixed(f.okPerSec, 1)}` +
          `  whole: failed ${row.figures.whole.failed}  beforeDeadline ${row.figures.whole.hitsBeforeDeadline}`,
      );
    }
  } finally {
    cleanup();
    clearTimeout(hardLimit);
  }
  const runDate = new Date().toISOString();
  const firstContactDoc = firstContact
    ? firstContactSection(firstContact, {
        workers,
        inFlight: workers * 4,
        calls: 300,
        quotaPerSec: QUOTA_PER_SEC,
        command: `npm run build && node bench/multiprocess.mjs${onlyFirstContact ? ' --only first-contact' : ''} --first-contact-rounds ${firstContactRounds}`,
        runDate,
      })
    : `## First contact: a 300-call job on ${workers} processes, an unknown quota\n\nSkipped: no Redis.\n`;
  const previous = existsSync(values.out) ? readFileSync(values.out, 'utf8') : '';
  if (onlyFirstContact) {
    writeFileSync(
      values.out,
      spliceSection(previous, firstContactDoc, ['## Deadlines shared through Redis']),
    );
    console.log(firstContactDoc);
    console.log(`\nwritten to ${values.out}`);
    return;
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

  const measured = quotaRows.filter((r) => !r.skipped);
  const quotaOptions = {
    targets: LIMITER_TARGETS.multi,
    judged: ['redis'],
    labels: QUOTA_LABELS,
    groupOf: (r) => `${r.workers} x ${r.concurrency}`,
    groupTitle: 'processes x in flight',
  };
  const quotaTable = measured.length > 0 ? limiterQuotaTable(measured, quotaOptions) : '(no run)';
  const throttleTable = measured.length > 0 ? limiterThrottleTable(measured, quotaOptions) : '(no run)';
  const skipped = quotaRows.filter((r) => r.skipped).map((r) => QUOTA_LABELS[r.variant]);
  const t = LIMITER_TARGETS.multi;
  const doc = `# Benchmark: several processes, one partner quota

Generated by \`npm run build && node bench/multiprocess.mjs\` (do not edit by hand) on ${runDate}.

## Hidden partner quota, shared by ${workers} processes

${workers} worker processes (\`child_process.fork\`), ${quotaConcurrency} calls in flight each (${workers * quotaConcurrency} in total), closed loop
(each lane sends its next call when the previous settles) for ${quotaMs / 1000} s, all calling \`GET /v1/customers\` (the
partner scope) of ONE simulator running \`quotaLimited({ partnerPerSecond: ${QUOTA_PER_SEC} })\`: at most ${QUOTA_PER_SEC} requests in any
1 s sliding window for the whole partner, answered 429 with a whole-second \`Retry-After\` beyond it (the
rejected requests count too). Every worker runs \`attachResilience\` with its defaults (adaptive rate limiter
and partner retry budget on; 4 attempts, \`retry.maxRetryAfterMs\` 120 s, \`timeout\` 30 s per attempt and 180 s
per call) and \`createRedisScopeStore\` on one Redis; beside it the same with \`rateLimit: false,
partnerRetryBudget: false\` (Redis store still on: the behaviour before the limiter), and the defaults with
the in-memory store (no state shared between processes). A failed call is counted, not retried.
${skipped.length > 0 ? `\nSkipped (no Redis): ${skipped.join('; ')}.\n` : ''}
Windows: whole run (to the last settled call), warm-up (the first ${warmupMs / 1000} s) and steady state (${warmupMs / 1000} s to
${quotaMs / 1000} s). A call counts in the window it settled in, a hit in the window the simulator received it in (its
log, on the workers' clock). 429s / 100 calls = 429s / calls settled x 100; % of quota = successful calls/s
/ ${QUOTA_PER_SEC}; hits before a deadline = the simulator's \`hitsBeforeDeadline\`. Targets (defaults, Redis store; judged
on the whole run and the steady state): at most ${t.throttledPer100Calls} 429s per 100 calls, at least ${percent(t.ofQuota)} of the quota, ${t.hitsBeforeDeadline} hits
before a deadline.

${quotaTable}

Where the 429s came from, and how many fell in each second of the run:

${throttleTable}

${measured
  .map(
    (r) =>
      `- ${QUOTA_LABELS[r.variant]}: failed calls ${JSON.stringify(r.failures)}, rate-limit waits ${r.rateLimitWaits},` +
      ` gate waits ${r.gateWaits}, retries ${r.retries}, store errors ${r.storeErrors}, server hits ${r.totalHits},` +
      ` run ${fixed(r.runMs / 1000, 1)} s.`,
  )
  .join('\n')}
${quotaReading(measured)}

## Deadlines shared through Redis

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

This older run keeps the library's other defaults, the adaptive rate limiter and the partner retry budget
included (the options above only give each call room to wait its 429s out). With the in-memory store each
process only honours the 429s it received itself, so the other processes keep hitting the throttled scope.
With the Redis store a 429 seen by any process sets the shared deadline, and every process waits it out
before sending: the hits left inside a window are requests already in flight when the 429 arrived, or sent
by a process that had not read the deadline yet. Figures vary from run to run with scheduling; the hidden-
quota table above is the measure of pacing.

Environment: Node ${process.version}, ${availableParallelism()} CPUs, Redis ${redisUrl ? 'on loopback' : 'none'}.
`;
  // Each of this bench's sections replaces its own; the others' (bench/bullmq.mjs) stay.
  const firstHeading = (text) => text.split('\n').findIndex((line) => line.startsWith('## '));
  const [preamble, ...sections] = doc.split(/\n(?=## )/);
  let document = previous === '' ? preamble : previous;
  const at = firstHeading(document);
  if (previous !== '' && at >= 0) document = [preamble, ...document.split('\n').slice(at)].join('\n');
  sections.splice(1, 0, firstContactDoc);
  for (const section of sections)
    document = spliceSection(document, `${section.trimEnd()}\n`, ['## Deadlines shared through Redis']);
  writeFileSync(values.out, document);
  console.log(table);
  if (measured.length > 0) console.log(`\n${quotaTable}\n\n${throttleTable}`);
  console.log(`\nwritten to ${values.out}`);
}

/**
 * First contact: `rounds` rounds of every variant (in a rotated order), each on a fresh simulator and Redis key
 * prefix; answers each variant's rounds' figures by key.
 */
async function runFirstContact({ workers, children, redisUrl, rounds }) {
  const { startPartnerCenterSimulator, quotaLimited } = await import(dist('testing'));
  const results = Object.fromEntries(FIRST_CONTACT_VARIANTS.map((variant) => [variant.key, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of rotated(FIRST_CONTACT_VARIANTS, round)) {
      const sim = await startPartnerCenterSimulator({
        scenario: quotaLimited({ partnerPerSecond: QUOTA_PER_SEC }),
        seed: 7,
        logLimit: 100_000,
      });
      try {
        const config = {
          mode: 'job',
          store: 'redis',
          options: variant.options,
          url: sim.url,
          redisUrl,
          keyPrefix: `pcr-bench-first-${process.pid}-${Date.now()}-${round}-${variant.key}:`,
          calls: 300 / workers,
          concurrency: 4,
        };
        const { results: answers, startAt } = await runWorkers({
          workers,
          children,
          config,
          withStart: true,
        });
        const stats = sim.stats();
        const hits = hitsOnRunClock(stats.log, Date.now() - stats.elapsedMs, startAt);
        const figures = firstContactFigures({ calls: answers.flatMap((r) => r.calls), hits }, QUOTA_PER_SEC);
        results[variant.key].push(figures);
        console.error(
          `  first contact round ${round + 1} ${variant.key.padEnd(8)} 429s ${figures.throttled}` +
            ` (${fixed(figures.throttledPer100Calls, 1)}/100)  ${fixed(figures.seconds, 1)} s  ${percent(figures.ofQuota)}` +
            `  failed ${figures.failed}`,
        );
      } finally {
        await sim.close();
      }
    }
  }
  for (const variant of FIRST_CONTACT_VARIANTS) {
    const s = firstContactSummary(results[variant.key]);
    console.error(
      `  first contact ${variant.key.padEnd(8)} median 429s/100 ${fixed(s.throttledPer100Calls.median, 1)}` +
        `  of quota ${percent(s.ofQuota.median)}`,
    );
  }
  return results;
}

/** Targets met or not for the defaults with the Redis store, from the numbers. */
function quotaReading(rows) {
  const ours = rows.find((r) => r.variant === 'redis');
  if (!ours) return '';
  const cells = ['whole', 'steady'].map((window) => {
    const f = ours.figures[window];
    const { met, misses } = meetsTargets(f, LIMITER_TARGETS.multi);
    return (
      `${window === 'whole' ? 'whole run' : 'steady state'}: ${fixed(f.throttledPer100Calls, 1)} 429s / 100 calls,` +
      ` ${percent(f.ofQuota)} of the quota, ${f.hitsBeforeDeadline} hits before a deadline, ${f.failed} failed,` +
      ` targets ${met ? 'met' : `**NOT met** (${misses.join(', ')})`}`
    );
  });
  return `\nDefaults with the Redis store: ${cells.join('; ')}.`;
}

/**
 * One variant of the hidden-quota part: a fresh `quotaLimited` simulator in this process, `workers` workers
 * in a closed loop for `durationMs`, then the figures of the whole run, the warm-up and the steady state.
 */
async function runQuotaVariant({
  variant,
  workers,
  children,
  redisUrl,
  quotaPerSec,
  durationMs,
  warmupMs,
  concurrency,
}) {
  const { startPartnerCenterSimulator, quotaLimited } = await import(dist('testing'));
  const sim = await startPartnerCenterSimulator({
    scenario: quotaLimited({ partnerPerSecond: quotaPerSec }),
    seed: 7,
    logLimit: 2_000_000,
  });
  try {
    const keyPrefix = `pcr-bench-quota-${process.pid}-${Date.now()}:`;
    const config = {
      mode: 'quota',
      store: variant.store,
      limiter: variant.limiter,
      url: sim.url,
      redisUrl,
      keyPrefix,
      durationMs,
      concurrency,
    };
    const started = Date.now();
    const { results, startAt } = await runWorkers({ workers, children, config, withStart: true });
    const stats = sim.stats();
    const simStartedAt = Date.now() - stats.elapsedMs;
    const hits = hitsOnRunClock(stats.log, simStartedAt, startAt);
    const calls = results.flatMap((r) => r.calls);
    const sum = (field) => results.reduce((total, r) => total + r[field], 0);
    const failures = {};
    for (const r of results) {
      for (const [kind, count] of Object.entries(r.failures)) failures[kind] = (failures[kind] ?? 0) + count;
    }
    return {
      variant: variant.key,
      workers,
      concurrency,
      figures: quotaFigures({ hits, calls }, { warmupMs, durationMs, quotaPerSec }),
      failures,
      totalHits: stats.totalHits,
      logDropped: stats.logDropped,
      gateWaits: sum('gateWaits'),
      retries: sum('retries'),
      rateLimitWaits: sum('rateLimitWaits'),
      storeErrors: sum('storeErrors'),
      runMs: Date.now() - started,
    };
  } finally {
    await sim.close();
  }
}

/** A markdown table aligned as biome formats it: first column left, the others right. */
function markdownTable(header, body) {
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

async function runWorkers({ workers, children, config, withStart = false }) {
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
  const startAt = Date.now();
  for (const child of spawned) child.send({ type: 'go', startAt });
  const results = await Promise.all(messages.map((next) => next()));
  const bad = results.find((m) => m.type !== 'result');
  if (bad) throw new Error(`a worker exited early (code ${bad.code})`);
  return withStart ? { results, startAt } : results;
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
