// Markdown output: the tables printed to stdout and written to docs/benchmarks.md.
import { CLIENT_LABELS } from './clients.mjs';
import { fixed, mib, percent } from './stats.mjs';

/** A markdown table from a header row and body rows (cells are strings or numbers), columns aligned. */
export function markdownTable(header, rows) {
  const all = [header, ...rows].map((cells) => cells.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(3, ...all.map((cells) => cells[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}

const ms = (value) => `${fixed(value, 0)} ms`;

/** One row per scenario and client. */
export function comparisonTable(rows, scenarios) {
  const titles = new Map(scenarios.map((s) => [s.key, s.title]));
  return markdownTable(
    [
      'scenario',
      'client',
      'success',
      'hits / call',
      'hitsBeforeDeadline',
      'inFlightAtDeadline',
      'earlyRetries',
      '429s',
      'hitsDuringOutage',
      'duplicateOrders',
      'p50',
      'p99',
    ],
    rows.map((r) => [
      titles.get(r.scenario),
      CLIENT_LABELS[r.client],
      percent(r.successRate),
      fixed(r.amplification),
      r.hitsBeforeDeadline,
      r.inFlightAtDeadline,
      r.earlyRetries,
      r.throttledResponses,
      r.hitsDuringOutage,
      r.ordersPlanned > 0 ? `${r.duplicateOrders} of ${r.ordersCreated}` : '-',
      ms(r.p50),
      ms(r.p99),
    ]),
  );
}

/** How the failed calls failed, per scenario and client. */
export function failureTable(rows, scenarios) {
  const titles = new Map(scenarios.map((s) => [s.key, s.title]));
  return markdownTable(
    ['scenario', 'client', 'calls', 'failed calls by outcome', 'run time'],
    rows.map((r) => [
      titles.get(r.scenario),
      CLIENT_LABELS[r.client],
      r.calls,
      Object.entries(r.failures)
        .map(([kind, count]) => `${kind}: ${count}`)
        .join(', ') || '-',
      `${fixed(r.durationMs / 1000, 1)} s`,
    ]),
  );
}

/** The scenarios and their workloads. */
export function scenarioTable(scenarios) {
  return markdownTable(
    ['scenario', 'simulator', 'calls', 'concurrency', 'arrivals', 'mix'],
    scenarios.map((s) => {
      const w = s.workload;
      const mix = [`${percent(w.mix.list ?? 0)} partner list`, `${percent(w.mix.order ?? 0)} order POST`];
      if (w.hot) mix.push(`${percent(w.hot.share)} on ${w.hot.tenants} hot tenants`);
      return [
        s.title,
        s.what,
        w.calls,
        w.concurrency,
        w.ratePerSec ? `${w.ratePerSec}/s` : 'closed loop',
        mix.join(', '),
      ];
    }),
  );
}

/** Throughput medians and ratios to bare axios. */
export function throughputTable(result) {
  return markdownTable(
    ['variant', 'logical calls/s (median)', 'ratio vs axios (median)', 'ratio min..max'],
    result.rows.map((r) => [
      r.key,
      fixed(r.callsPerSec, 0),
      fixed(r.ratio, 3),
      `${fixed(r.minRatio, 3)}..${fixed(r.maxRatio, 3)}`,
    ]),
  );
}

/** Heap deltas at each checkpoint. */
export function memoryTable(series) {
  return markdownTable(
    [
      'client',
      'maxScopes',
      'distinct tenants called',
      'scopes held',
      'heapUsed delta after gc',
      'per scope held',
    ],
    series.flatMap(({ label, maxScopes, points }) =>
      points.map((p) => [
        label,
        maxScopes ?? '-',
        p.tenants,
        p.scopes ?? '-',
        mib(p.deltaBytes),
        p.scopes ? `${fixed(p.deltaBytes / p.scopes, 0)} B` : '-',
      ]),
    ),
  );
}
