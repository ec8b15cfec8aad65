// Two jobs a partner runs through the attached instance, against the simulator with quotas the client is
// not told of, ours with its defaults beside `rateLimit: false` (and, for the many-customers loop,
// `rateLimit: { fairness: false }`), several rounds each:
//   customers      a plain 16-lane loop (p-limit style) reading 2 things (the customer, its subscriptions)
//                  from each of 1,000 customers, a partner quota of 100/s and 5/s per customer: the quota
//                  allows 2,000 calls in 20 s;
//   first-contact  a 300-call job, 16 in flight, against an unknown 20/s partner quota, fresh state: the
//                  partner's own reads (`GET /v1/customers`) and customer reads (round robin over 5).
// A call that fails is counted, never retried here. Each round uses a fresh simulator and a fresh instance.
import { createClient, failureKind } from './clients.mjs';
import { fixed, spread } from './stats.mjs';
import { runWorkers } from './workload.mjs';

/** The variants of each job, in the order they run and are shown (options of ours). */
export const JOB_VARIANTS = {
  customers: {
    defaults: {},
    'fairness: false': { rateLimit: { fairness: false } },
    'rateLimit: false': { rateLimit: false },
  },
  'first-contact': { defaults: {}, 'rateLimit: false': { rateLimit: false } },
};

/**
 * The jobs: their scenario, their tasks (the paths a task reads one after the other, per task index), the
 * lanes and the partner quota (calls/s), which sets the time the quota allows.
 */
export const JOBS = {
  customers: {
    title:
      'many customers: 2 reads from each of 1,000 customers, 16 lanes, quotas 100/s partner, 5/s customer',
    scenario: {
      name: 'quotas',
      description: 'Sliding-window quotas: 100/s for the partner, 5/s per customer; 1,000 customers.',
      customers: 1000,
      quotas: [
        { name: 'partner', scope: 'partner', limit: 100, windowMs: 1000 },
        { name: 'customer', scope: 'customer', limit: 5, windowMs: 1000 },
      ],
    },
    workloads: {
      customers: (i, ids) => {
        const id = ids[i % ids.length];
        return [`/v1/customers/${id}`, `/v1/customers/${id}/subscriptions`];
      },
    },
    tasks: 1000,
    callsPerTask: 2,
    concurrency: 16,
    quotaPerSec: 100,
  },
  'first-contact': {
    title: 'first contact: 300 calls, 16 in flight, an unknown 20/s partner quota, fresh state',
    scenario: {
      name: 'quotas',
      description: 'A sliding-window quota of 20/s for the partner; 5 customers.',
      customers: 5,
      quotas: [{ name: 'partner', scope: 'partner', limit: 20, windowMs: 1000 }],
    },
    workloads: {
      'partner reads': () => ['/v1/customers'],
      'customer reads': (i, ids) => [`/v1/customers/${ids[i % ids.length]}/subscriptions`],
    },
    tasks: 300,
    callsPerTask: 1,
    concurrency: 16,
    quotaPerSec: 20,
  },
};

/** One round of one job, workload and variant: a fresh simulator and instance, the loop to its end. */
export async function runJobRound(host, { job, workload, variant, seed }) {
  const spec = JOBS[job];
  const sim = await host.start(spec.scenario, seed);
  const { api, dispose } = createClient('ours', { baseURL: sim.url, ours: JOB_VARIANTS[job][variant] });
  const paths = spec.workloads[workload];
  const calls = spec.tasks * spec.callsPerTask;
  const failures = {};
  let ok = 0;
  let next = 0;
  const okPerSecond = [];
  const started = performance.now();
  // A lane takes the next task and sends its calls one after the other (p-limit over tasks).
  const worker = async () => {
    while (next < spec.tasks) {
      const index = next++;
      for (const path of paths(index, sim.customerIds)) {
        try {
          await api.get(path);
          ok += 1;
          const second = Math.floor((performance.now() - started) / 1000);
          okPerSecond[second] = (okPerSecond[second] ?? 0) + 1;
        } catch (error) {
          const kind = failureKind(error);
          failures[kind] = (failures[kind] ?? 0) + 1;
        }
      }
    }
  };
  try {
    await runWorkers(worker, spec.concurrency, 600_000, `${job} ${workload} ${variant}`);
  } finally {
    dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = await host.stop();
  const quotaSeconds = calls / spec.quotaPerSec;
  return {
    job,
    workload,
    variant,
    calls,
    ok,
    failures,
    seconds,
    overQuota: seconds / quotaSeconds,
    ofQuota: quotaSeconds / seconds,
    throttled: stats.throttledResponses,
    throttledPer100Calls: (stats.throttledResponses * 100) / calls,
    okPerSecond: Array.from(okPerSecond, (n) => n ?? 0),
  };
}

/**
 * `rounds` rounds of every workload and variant of `jobs` (interleaved: round 1 of each, then round 2...).
 * `onRow` sees each round as it lands. Resolves `{ rounds, rows, summary }`, the summary per job, workload
 * and variant: median and range of seconds, ratio to the quota's time and 429s per 100 calls.
 */
export async function runJobs(host, { jobs, rounds, seed }, onRow = () => {}) {
  const rows = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const job of jobs) {
      for (const workload of Object.keys(JOBS[job].workloads)) {
        for (const variant of Object.keys(JOB_VARIANTS[job])) {
          const row = { round, ...(await runJobRound(host, { job, workload, variant, seed: seed + round })) };
          rows.push(row);
          onRow(row);
        }
      }
    }
  }
  const summary = [];
  for (const job of jobs) {
    for (const workload of Object.keys(JOBS[job].workloads)) {
      for (const variant of Object.keys(JOB_VARIANTS[job])) {
        const mine = rows.filter((r) => r.job === job && r.workload === workload && r.variant === variant);
        summary.push({
          job,
          workload,
          variant,
          rounds: mine.length,
          failed: mine.reduce((sum, r) => sum + (r.calls - r.ok), 0),
          seconds: spread(mine.map((r) => r.seconds)),
          overQuota: spread(mine.map((r) => r.overQuota)),
          ofQuota: spread(mine.map((r) => r.ofQuota)),
          throttledPer100Calls: spread(mine.map((r) => r.throttledPer100Calls)),
        });
      }
    }
  }
  return { rounds, rows, summary };
}

/** The section heading of each job in docs/benchmarks.md (bench/lib/spliceSection.mjs finds it by it). */
export const JOB_HEADINGS = {
  customers: '## Rate limiter: many customers, fair shares that leave no quota unused',
  'first-contact': '## Rate limiter: first contact with an unknown quota',
};

/** What each job shows, under its table. */
const JOB_NOTES = {
  customers: [
    'A lane takes the next customer and reads it, then its subscriptions (p-limit style, 16 lanes); the quotas',
    "are the simulator's sliding windows, unknown to the client. The quota allows 2,000 calls in 20 s. Target",
    '(defaults): within 1.10x of that time, at most 1 429 per 100 calls.',
  ],
  'first-contact': [
    '300 calls, 16 in flight, a fresh instance against a fresh simulator whose 20/s partner quota the client is',
    "not told of: the partner's own reads (`GET /v1/customers`) and customer reads (round robin over 5",
    'customers). The quota allows 300 calls in 15 s. Target (defaults): at most 3 429s per 100 calls and at',
    'least 85% of the quota.',
  ],
};

const range = ({ median, min, max }, digits, scale = 1) =>
  `${fixed(median * scale, digits)} (${fixed(min * scale, digits)}..${fixed(max * scale, digits)})`;

/** The markdown section of one job from `runJobs`' result (`command`: the command line that produced it). */
export function jobSection(job, result, { command, machine, quick }) {
  const spec = JOBS[job];
  const lines = [JOB_HEADINGS[job], ''];
  if (quick) lines.push('> **Quick run (`BENCH_QUICK=1`): fewer rounds. Not final numbers.**', '');
  lines.push('Produced by:', '', '```sh', command, '```', '');
  lines.push(
    `Machine: ${machine.cpus} cores (${machine.cpuModel ?? 'unknown CPU'}), node ${machine.node}, ${machine.date}.`,
    `The simulator runs in a child process, over loopback. ${spec.title}; ${result.rounds} rounds, median (min..max).`,
    '',
    ...JOB_NOTES[job],
    '',
    "| workload | variant | time (s) | x the quota's time | share of the quota | 429s per 100 calls | failed calls |",
    '| -------- | ------- | -------- | ------------------- | ------------------ | ------------------ | ------------ |',
  );
  for (const row of result.summary.filter((r) => r.job === job)) {
    lines.push(
      `| ${row.workload} | \`${row.variant}\` | ${range(row.seconds, 1)} | ${range(row.overQuota, 2)} | ${range(row.ofQuota, 0, 100)}% | ${range(row.throttledPer100Calls, 2)} | ${row.failed} |`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}`;
}
