// The sweep demo: one job over every customer of a partner, paced to a quota the client is not told, killed
// half way and resumed from its checkpoint. The Partner Center simulator (127.0.0.1) has 2,000 customers, a
// partner quota of 100 calls/s and 5 calls/s per customer; a child process attaches partner-center-resilience
// (defaults) to an axios instance and runs sweepTenants, reading each customer's subscriptions and subscribed
// SKUs, with a checkpoint file. At half way the demo SIGKILLs the child and starts another on the same
// checkpoint, which finishes the job. Then a report: tenants done, failed and lost, time beside the quota's
// own, calls, 429s, and the tenants read twice (finished, or in flight, when killed but not yet saved).
//
//   npm run demo -- sweep                     ~1 min
//   npm run demo -- sweep --customers 50      a few seconds (the smoke test)
//   options: --customers N (default 2000), --partner-rate N (100), --customer-rate N (5), --no-kill
//
// A progress bar on a terminal; elsewhere (CI, a pipe) a line every 3 s. Stops by itself (a hard limit),
// leaves no process and no file behind.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { quotaLimited, startPartnerCenterSimulator } from '../dist/testing.js';
import { explainedTable, paragraph } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((arg) => arg !== 'sweep');

/** The integer after `--name` (or in `--name=N`), from `min` to `max`; `fallback` when absent. */
function intArg(name, fallback, min, max) {
  const at = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (at < 0) return fallback;
  const text = args[at].includes('=') ? args[at].slice(args[at].indexOf('=') + 1) : args[at + 1];
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
    process.exit(2);
  }
  return value;
}

const CUSTOMERS = intArg('customers', 2_000, 2, 100_000);
const PARTNER_RATE = intArg('partner-rate', 100, 1, 10_000);
const CUSTOMER_RATE = intArg('customer-rate', 5, 1, 10_000);
const KILL = !args.includes('--no-kill');
const CALLS = CUSTOMERS * 2;
const QUOTA_MS = (CALLS / PARTNER_RATE) * 1000;
/** The demo stops by itself past this, whatever happens. */
const HARD_LIMIT_MS = Math.max(60_000, 3 * QUOTA_MS + 30_000);
const LINE_EVERY_MS = 3_000;
const isTty = process.stdout.isTTY === true;

const sim = await startPartnerCenterSimulator({
  scenario: quotaLimited({
    partnerPerSecond: PARTNER_RATE,
    customerPerSecond: CUSTOMER_RATE,
    customers: CUSTOMERS,
  }),
  seed: 28,
  logLimit: 0,
});
const dir = mkdtempSync(join(tmpdir(), 'pcr-sweep-demo-'));
const checkpoint = join(dir, 'checkpoint.json');
const children = new Set();

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const display = createDisplay();
let started = Date.now();

/** Stops everything the demo started (children, simulator, temporary files); idempotent. */
let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) child.kill('SIGKILL');
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    display.stop();
    void cleanUp().then(() => process.exit(130));
  });
}
const hardLimit = setTimeout(() => {
  display.stop();
  console.log(`\nThe demo did not finish in ${HARD_LIMIT_MS / 1000} s: stopped.`);
  void cleanUp().then(() => process.exit(1));
}, HARD_LIMIT_MS);

for (const line of [
  `partner-center-resilience sweep demo: ${CUSTOMERS.toLocaleString('en-US')} customer tenants, 2 reads each ` +
    `(subscriptions, subscribed SKUs), against the Partner Center simulator on ${sim.url}.`,
  `Hidden quotas (the client is not told): ${PARTNER_RATE} calls/s for the partner, ${CUSTOMER_RATE}/s per ` +
    `customer; ${CALLS.toLocaleString('en-US')} calls need ${(QUOTA_MS / 1000).toFixed(0)} s at the quota.`,
  'A child process runs sweepTenants (library defaults) with a checkpoint file' +
    (KILL ? '; at half way it is killed (SIGKILL) and a new one resumes from the checkpoint.' : '.'),
]) {
  for (const wrapped of paragraph(line)) console.log(wrapped);
}
console.log('');
started = Date.now();

// ---- progress: a bar on a terminal, a line every few seconds elsewhere ------------------------------

function createDisplay() {
  let bar;
  let lastLine = 0;
  const fields = (p) => {
    const stats = sim.stats();
    return {
      doneN: p.done,
      failedN: p.failed,
      pendingN: p.pending,
      rate: p.ratePerSecond.toFixed(0).padStart(3),
      etaText: p.etaMs === undefined ? '--' : `${Math.ceil(p.etaMs / 1000)} s`,
      throttled: stats.throttledResponses,
      calls: stats.totalHits,
      lanes: p.concurrency,
    };
  };
  return {
    update(p) {
      const f = fields(p);
      if (isTty) {
        if (bar === undefined) {
          bar = new cliProgress.SingleBar(
            {
              format:
                ' {bar} {percentage}% | done {doneN} failed {failedN} pending {pendingN} | {rate} tenants/s' +
                ' | ETA {etaText} | calls {calls} 429s {throttled} | {lanes} at once',
              barsize: 24,
              hideCursor: true,
              clearOnComplete: false,
              stopOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(CUSTOMERS, p.done + p.failed, f);
        }
        bar.update(p.done + p.failed, f);
        return;
      }
      const now = Date.now();
      if (now - lastLine < LINE_EVERY_MS) return;
      lastLine = now;
      this.say(
        `done ${f.doneN}/${CUSTOMERS}, failed ${f.failedN}, pending ${f.pendingN}, ${f.rate.trim()} tenants/s, ` +
          `ETA ${f.etaText}, calls ${f.calls}, 429s ${f.throttled}, ${f.lanes} at once`,
      );
    },
    /** An event line (on a terminal, the bar stops and a new one starts at the next update). */
    say(text) {
      this.stop();
      const [head, ...rest] = paragraph(text, 111);
      console.log(`${seconds(Date.now() - started).padStart(7)}  ${head}`);
      for (const line of rest) console.log(`${' '.repeat(9)}${line}`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

// ---- the runs ------------------------------------------------------------------------------------------
/**
 * Runs one child to its end (or its kill). `onProgress(progress, child)` sees each progress message,
 * `onTask(completed, child)` each task completed in the child.
 * Resolves `{ signal, code, start, report, completed, doneAgain, ms }`.
 */
function runChild(onProgress, onTask = () => {}) {
  const t0 = Date.now();
  const child = fork(
    join(here, 'sweepChild.mjs'),
    [JSON.stringify({ url: sim.url, checkpoint, progressIntervalMs: 100 })],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  children.add(child);
  const result = { start: undefined, report: undefined, completed: 0, doneAgain: 0 };
  child.on('message', (message) => {
    if (message.type === 'start') result.start = message;
    else if (message.type === 'progress') onProgress(message.progress, child);
    else if (message.type === 'task') onTask(message.completed, child);
    else if (message.type === 'report') Object.assign(result, message);
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ ...result, code, signal, ms: Date.now() - t0 });
    });
  });
}

/** The tenants the checkpoint file records as done (0 before the first save). */
function savedDone() {
  try {
    return JSON.parse(readFileSync(checkpoint, 'utf8')).done.length;
  } catch {
    return 0;
  }
}

let killedAt;
const first = await runChild(
  (progress) => display.update(progress),
  (completed, child) => {
    if (KILL && killedAt === undefined && completed >= CUSTOMERS / 2) {
      child.kill('SIGKILL');
      killedAt = { done: completed, ms: Date.now() - started };
    }
  },
);
const runs = [first];
if (killedAt !== undefined) {
  display.say(
    `SIGKILL: the sweep process was killed with ${killedAt.done} tasks completed; the checkpoint file says ` +
      `${savedDone()} tenants done (the rest were finished but not saved yet).`,
  );
  const second = await runChild((progress) => display.update(progress));
  display.stop();
  display.say(
    `resumed: the new process loaded ${second.start?.loadedDone ?? '?'} tenants done from the checkpoint ` +
      `and finished the ${CUSTOMERS - (second.start?.loadedDone ?? 0)} others in ${seconds(second.ms)}.`,
  );
  runs.push(second);
}
display.stop();
clearTimeout(hardLimit);
const totalMs = Date.now() - started;
const stats = sim.stats();
await cleanUp();

// ---- the report ---------------------------------------------------------------------------------------
const last = runs.at(-1);
const report = last.report;
if (report === undefined) {
  console.log(`\nThe sweep process ended without a report (exit code ${last.code}, signal ${last.signal}).`);
  process.exit(1);
}
const lost = CUSTOMERS - report.done - report.failed;
const doneAgain = runs.reduce((sum, run) => sum + run.doneAgain, 0);
const calls = stats.totalHits;
const per100 = calls === 0 ? 0 : (stats.throttledResponses / calls) * 100;
const readsOf = (route) => stats.customerReads[`GET /v1/customers/{id}/${route}`]?.customers ?? 0;
const rows = [
  ['customer tenants', CUSTOMERS, 'every customer of the partner, read from GET /v1/customers'],
  ['  done', report.done, 'task succeeded (both reads), recorded in the checkpoint'],
  ['  failed', report.failed, 'task failed for good (kinds in the checkpoint)'],
  ['  lost', lost, 'neither done nor failed at the end (0 is right)'],
  [
    'duration',
    seconds(totalMs),
    `${(totalMs / QUOTA_MS).toFixed(2)}x the quota's own time (${CALLS} calls at ${PARTNER_RATE}/s: ` +
      `${seconds(QUOTA_MS)})${killedAt === undefined ? '' : ', the kill and the restart included'}`,
  ],
  [
    'calls (server hits)',
    calls,
    `${CALLS} reads, the customer list's pages, the 429s and the reads of tenants run again`,
  ],
  [
    '429s',
    `${stats.throttledResponses} (${per100.toFixed(2)} per 100)`,
    'answers over a hidden quota, each waited out (Retry-After) and retried',
  ],
  [
    'tenants read twice',
    stats.customersReadAgain,
    "the simulator's count: tasks finished (or in flight) at the kill but not yet in the checkpoint, run again",
  ],
  [
    'done twice per the checkpoint',
    doneAgain,
    'tasks run again although the checkpoint they resumed from recorded them as done (0 is right)',
  ],
  [
    'tenants read at least once',
    `${readsOf('subscriptions')} / ${readsOf('subscribedskus')}`,
    "the simulator's count of customers whose subscriptions / subscribed SKUs were read",
  ],
];
if (killedAt !== undefined) {
  rows.push([
    'killed at',
    `${killedAt.done} tasks`,
    `after ${seconds(killedAt.ms)}; the first process ran ${seconds(first.ms)}, the second ${seconds(last.ms)}`,
  ]);
}
const rule = '-'.repeat(120);
console.log(`\nSweep report\n${rule}`);
for (const line of explainedTable(rows)) console.log(line);
console.log(rule);
if (lost !== 0 || doneAgain !== 0 || last.code !== 0) process.exitCode = 1;
