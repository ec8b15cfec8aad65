// Figures and the markdown section of the tenant sweep benchmark (bench/sweep.mjs): per variant, the median
// and range over rounds of the time against the quota's own, 429s per 100 calls and calls; the outcome
// counts; for the kill-and-resume variant, tenants lost, done twice and read twice. Pure functions.
import { fixed, spread } from './stats.mjs';

/** The issue's targets (issue 28, "Done when"). */
export const SWEEP_TARGETS = {
  sweep: { timeRatio: 1.15, throttledPer100: 1 },
  kill: { timeRatio: 1.25, lost: 0, doneAgain: 0 },
};

/** The section's heading in docs/benchmarks.md. */
export const SWEEP_HEADING = '## Tenant sweeps';

/** Per-row figures: time against the quota's own time and 429s per 100 calls. */
export function rowFigures(row, quotaMs) {
  return {
    timeRatio: row.durationMs / quotaMs,
    throttledPer100: row.calls === 0 ? 0 : (row.throttled / row.calls) * 100,
  };
}

/** `median (min-max)` with `decimals`, or the median alone when every round gave the same. */
function spreadText({ median, min, max }, decimals, unit = '') {
  const m = `${fixed(median, decimals)}${unit}`;
  return min === max ? m : `${m} (${fixed(min, decimals)}-${fixed(max, decimals)})`;
}

/** The rows of one variant summarised over its rounds. */
export function summarise(rows, quotaMs) {
  const figures = rows.map((row) => ({ ...row, ...rowFigures(row, quotaMs) }));
  const of = (key) => spread(figures.map((row) => row[key] ?? 0));
  return {
    rounds: rows.length,
    timeRatio: of('timeRatio'),
    durationMs: of('durationMs'),
    throttledPer100: of('throttledPer100'),
    calls: of('calls'),
    ok: of('ok'),
    failed: of('failed'),
    readAgain: of('readAgain'),
    lost: of('lost'),
    doneAgain: of('doneAgain'),
    savedAtKill: of('savedAtKill'),
    completedAtKill: of('completedAtKill'),
    killedAtSeconds: spread(figures.map((row) => (row.killedAtMs ?? 0) / 1000)),
    resumedSeconds: spread(figures.map((row) => (row.durationMs - (row.killedAtMs ?? 0)) / 1000)),
    failures: figures.flatMap((row) => Object.entries(row.failures ?? {})),
  };
}

/** Whether a summary meets its targets: `met`, `missed` (each figure that missed), or `''` (no target). */
export function judge(variant, summary) {
  const missed = [];
  if (variant === 'sweep') {
    const t = SWEEP_TARGETS.sweep;
    if (summary.timeRatio.median > t.timeRatio) missed.push(`time > ${t.timeRatio}x`);
    if (summary.throttledPer100.median > t.throttledPer100) missed.push(`429s > ${t.throttledPer100}/100`);
    if (summary.failed.max > 0) missed.push('failed tenants');
  } else if (variant === 'kill') {
    const t = SWEEP_TARGETS.kill;
    if (summary.timeRatio.median > t.timeRatio) missed.push(`time > ${t.timeRatio}x`);
    if (summary.lost.max > t.lost) missed.push('tenants lost');
    if (summary.doneAgain.max > t.doneAgain) missed.push('done twice');
  } else {
    return '';
  }
  return missed.length === 0 ? 'met' : `missed: ${missed.join(', ')}`;
}

/** Words of `text` in lines of at most 110 columns (the docs' line width). */
export function wrap(text, width = 110) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The failures of a summary as `kind × n`, or `none`. */
function failureText(summary) {
  const counts = new Map();
  for (const [kind, n] of summary.failures) counts.set(kind, (counts.get(kind) ?? 0) + n);
  return counts.size === 0 ? 'none' : [...counts].map(([kind, n]) => `${kind} × ${n}`).join(', ');
}

/**
 * The markdown section: `results` is `{ sizes, rows, machine, command, elapsedMs }`, `labels` the variants'
 * labels (in the order shown).
 */
export function sweepSection(results, labels) {
  const { sizes, machine, command } = results;
  const quotaMs = ((sizes.customers * 2) / sizes.partnerPerSecond) * 1000;
  const variants = Object.keys(labels).filter((v) => results.rows.some((row) => row.variant === v));
  const summaries = new Map(
    variants.map((v) => [
      v,
      summarise(
        results.rows.filter((row) => row.variant === v),
        quotaMs,
      ),
    ]),
  );
  const rounds = Math.max(...[...summaries.values()].map((s) => s.rounds));
  const lines = [
    SWEEP_HEADING,
    '',
    ...wrap(
      `${sizes.customers.toLocaleString('en-US')} customers × 2 reads (subscriptions, subscribed SKUs) against ` +
        `the simulator, with a partner quota of ${sizes.partnerPerSecond} calls/s and ${sizes.customerPerSecond}/s ` +
        "per customer, both unknown to the client: the quota's own time for the " +
        `${(sizes.customers * 2).toLocaleString('en-US')} calls is ${fixed(quotaMs / 1000, 0)} s. A fresh ` +
        `simulator per run (in its own process), the same seed; ${rounds} round${rounds === 1 ? '' : 's'}, the ` +
        'variants in a rotated order each round; median (range) over the rounds. Calls and 429s are the ' +
        "simulator's counts (the sweeps also read `GET /v1/customers`, a page per 500 customers). Targets " +
        `(issue 28): the sweep within ${SWEEP_TARGETS.sweep.timeRatio}x and at most ` +
        `${SWEEP_TARGETS.sweep.throttledPer100} 429 per 100 calls; killed and resumed, 0 lost, 0 done twice per ` +
        `the checkpoint, within ${SWEEP_TARGETS.kill.timeRatio}x in total.`,
    ),
    '',
    table(
      ['variant', "time / quota's time", '429s per 100 calls', 'calls', 'tenants ok', 'failed', 'target'],
      variants.map((v) => {
        const s = summaries.get(v);
        return [
          labels[v],
          spreadText(s.timeRatio, 2, 'x'),
          spreadText(s.throttledPer100, 2),
          spreadText(s.calls, 0),
          spreadText(s.ok, 0),
          spreadText(s.failed, 0),
          judge(v, s) || '(baseline)',
        ];
      }),
    ),
    '',
  ];
  const kill = summaries.get('kill');
  if (kill !== undefined) {
    lines.push(
      ...wrap(
        'Killed and resumed: the first process is SIGKILLed once half the tasks completed in it; a new one ' +
          'starts on the same checkpoint file. "Done twice" counts tasks that ran although the checkpoint they ' +
          'resumed from recorded them as done; "read twice" counts the customers the simulator answered a read ' +
          'more than once: the tasks finished but not saved yet at the kill, or in flight, run again. Each half ' +
          `takes ${fixed(quotaMs / 2000, 0)} s at the quota; the last column shows which half takes longer (the ` +
          'resumed process starts with nothing learnt of the quota; the first one also lists the customers).',
      ),
      '',
      table(
        [
          "total time / quota's time",
          'lost',
          'done twice (checkpoint)',
          'read twice (simulator)',
          'tasks completed / saved at the kill',
          's until the kill / s resumed run',
        ],
        [
          [
            spreadText(kill.timeRatio, 2, 'x'),
            spreadText(kill.lost, 0),
            spreadText(kill.doneAgain, 0),
            spreadText(kill.readAgain, 0),
            `${spreadText(kill.completedAtKill, 0)} / ${spreadText(kill.savedAtKill, 0)}`,
            `${spreadText(kill.killedAtSeconds, 1)} / ${spreadText(kill.resumedSeconds, 1)}`,
          ],
        ],
      ),
      '',
    );
  }
  lines.push(
    ...wrap(
      `Failed tenants by kind: ${variants.map((v) => `${v}: ${failureText(summaries.get(v))}`).join('; ')}. ` +
        'A naive task that fails is counted, not retried.',
    ),
    '',
    ...wrap(
      `Machine: ${machine.cpus} CPUs (${machine.cpu}), node ${machine.node}, ${machine.date}; the run took ` +
        `${fixed(results.elapsedMs / 60_000, 1)} min. Produced by:`,
    ),
    '',
    '```sh',
    command,
    '```',
    '',
  );
  return lines.join('\n');
}
