// The tenant sweep benchmark: 2,000 customers × 2 reads against the simulator with a partner quota (100/s) and
// a per-customer quota (5/s) the client is not told, side by side:
//   naive      `Promise.all` over the tenants with p-limit at 16 through an attached instance (defaults)
//   naive-off  the same with `rateLimit: false`
//   sweep      `sweepTenants` (defaults)
//   kill       `sweepTenants` in a child process, SIGKILLed at half way and resumed from its checkpoint
// (bench/lib/sweepVariants.mjs). Prints the markdown section and, after a complete run, splices it into
// docs/benchmarks.md under "Tenant sweeps" (the rest of the page untouched).
//
//   npm run bench                       the whole bench; this file is its last step
//   npm run build && node bench/sweep.mjs [--rounds 3] [--only naive,naive-off,sweep,kill] [--customers 2000]
//                                         [--quick] (500 customers, 1 round)
//   node bench/sweep.mjs --render <tmpdir>/partner-center-resilience-bench-sweep.json   the section again from
//                                       saved results (spliced into the page when they are a complete run)
//   BENCH_ONLY=<part> npm run bench     runs this file only when <part> is `sweep` (or names its variants)
//
// A run with --only, --quick or another size writes its section to <tmpdir>/benchmarks-sweep.md only.
// Raw results: <tmpdir>/partner-center-resilience-bench-sweep.json. Stops by itself (a hard limit).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSimulatorHost } from './lib/simulatorHost.mjs';
import { spliceSection } from './lib/spliceSection.mjs';
import { fixed, rotated } from './lib/stats.mjs';
import { judge, rowFigures, summarise, sweepSection } from './lib/sweepFigures.mjs';
import { quotaTimeMs, runSweepVariant, SWEEP_VARIANT_LABELS, SWEEP_VARIANTS } from './lib/sweepVariants.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string' },
    only: { type: 'string' },
    customers: { type: 'string' },
    quick: { type: 'boolean', default: false },
    render: { type: 'string' },
  },
});

/** The page's lines before which the section goes when the page has none yet (else it is appended). */
const BEFORE = [
  '<!-- Not generated: kept by hand. `npm run bench` keeps everything from the bundle-size section on. -->',
  '## Limiter tuning history',
];

/** Writes the section to <tmpdir> and, for a complete run, into docs/benchmarks.md (biome-formatted). */
function writeSection(section, complete) {
  const sectionFile = join(tmpdir(), 'benchmarks-sweep.md');
  writeFileSync(sectionFile, section);
  console.error(`wrote ${sectionFile}`);
  if (!complete) return;
  const doc = join(here, '..', 'docs', 'benchmarks.md');
  const page = spliceSection(readFileSync(doc, 'utf8'), section, BEFORE);
  // Formatted as `npx biome check --write` would (tables aligned), so that the lint passes on the page.
  const biome = join(here, '..', 'node_modules', '.bin', 'biome');
  const formatted = execFileSync(biome, ['format', `--stdin-file-path=${doc}`], {
    input: page,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  writeFileSync(doc, formatted);
  console.error(`spliced its section into ${doc}`);
}

if (values.render !== undefined) {
  // Renders the section again from saved raw results (e.g. after a change of the page's wording).
  const saved = JSON.parse(readFileSync(values.render, 'utf8'));
  const section = sweepSection(saved, SWEEP_VARIANT_LABELS);
  console.log(section);
  writeSection(section, saved.complete === true);
  process.exit(0);
}

const benchOnly = process.env.BENCH_ONLY;
const fromEnv = benchOnly === undefined || benchOnly === 'sweep' ? undefined : benchOnly.split(',');
if (fromEnv !== undefined && !fromEnv.every((part) => SWEEP_VARIANTS.includes(part))) {
  console.error(`bench/sweep.mjs: skipped (BENCH_ONLY=${benchOnly})`);
  process.exit(0);
}
const only = values.only?.split(',') ?? fromEnv ?? SWEEP_VARIANTS;
for (const part of only) {
  if (!SWEEP_VARIANTS.includes(part)) throw new Error(`--only: ${part} is not one of ${SWEEP_VARIANTS}`);
}
const positive = (text, name) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const quick = values.quick;
const customers = positive(values.customers ?? (quick ? '500' : '2000'), 'customers');
const rounds = positive(values.rounds ?? (quick ? '1' : '3'), 'rounds');
const sizes = { customers, partnerPerSecond: 100, customerPerSecond: 5, seed: 28 };
const quotaMs = quotaTimeMs(sizes);
sizes.runLimitMs = Math.round(6 * quotaMs + 60_000);
const complete = !quick && customers === 2000 && only.length === SWEEP_VARIANTS.length;
const HARD_LIMIT_MS = rounds * only.length * sizes.runLimitMs + 60_000;
const RESULTS_FILE = join(tmpdir(), 'partner-center-resilience-bench-sweep.json');
const COMMAND = 'npm run build && node bench/sweep.mjs   # the last step of npm run bench';

const hardLimit = setTimeout(() => {
  console.error(`bench/sweep.mjs did not finish in ${HARD_LIMIT_MS / 1000} s: stopped`);
  process.exit(1);
}, HARD_LIMIT_MS);
hardLimit.unref();

const started = Date.now();
const host = await createSimulatorHost();
const rows = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of rotated(only, round)) {
      const row = { round, ...(await runSweepVariant(host, sizes, variant)) };
      rows.push(row);
      const f = rowFigures(row, quotaMs);
      const extra =
        variant === 'kill'
          ? `, lost ${row.lost}, done twice ${row.doneAgain}, read twice ${row.readAgain}, ` +
            `completed/saved at the kill ${row.completedAtKill}/${row.savedAtKill}`
          : `, read twice ${row.readAgain}`;
      console.error(
        `round ${round + 1}/${rounds} ${variant}: ${fixed(row.durationMs / 1000, 1)} s = ${fixed(f.timeRatio)}x ` +
          `the quota's time, ${row.calls} calls, ${row.throttled} 429s (${fixed(f.throttledPer100)} per 100), ` +
          `ok ${row.ok}, failed ${row.failed}${extra}`,
      );
    }
  }
} finally {
  await host.shutdown();
}

const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model?.trim() ?? 'unknown',
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
};
const results = { sizes, rows, machine, command: COMMAND, elapsedMs: Date.now() - started, complete };
writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
console.error(`raw results: ${RESULTS_FILE}`);
const section = sweepSection(results, SWEEP_VARIANT_LABELS);
console.log(section);
for (const variant of only) {
  const verdict = judge(
    variant,
    summarise(
      rows.filter((row) => row.variant === variant),
      quotaMs,
    ),
  );
  if (verdict !== '') console.error(`${variant}: ${verdict}`);
}
writeSection(section, complete);
clearTimeout(hardLimit);
