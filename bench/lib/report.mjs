// Markdown output: the tables printed to stdout and written to docs/benchmarks.md.
import { CLIENT_LABELS } from './clients.mjs';
import { meetsTargets } from './limiterFigures.mjs';
import { ORDER_TARGETS, ORDER_VARIANT_LABELS } from './orderPlan.mjs';
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

/** `median (min..max)` of a spread with `decimals`. */
function spreadCell({ median, min, max }, decimals) {
  return `${fixed(median, decimals)} (${fixed(min, decimals)}..${fixed(max, decimals)})`;
}

/** 'met' or 'NOT met' beside a target, '-' where the variant has none. */
export function targetCell(value, bound, kind) {
  if (bound === undefined) return '-';
  const met = kind === 'max' ? value <= bound : value >= bound;
  return `${kind === 'max' ? '<=' : '>='} ${fixed(bound, 2)}: ${met ? 'met' : 'NOT met'}`;
}

/** Client CPU per call over loopback HTTP: medians (ranges) over the rounds, ratios to bare axios. */
export function cpuTable(cpu) {
  return markdownTable(
    [
      'variant',
      'CPU µs / call',
      'ratio vs axios',
      'target (median ratio)',
      'calls/s',
      'calls/s ratio vs axios',
    ],
    cpu.http.rows.map((r) => [
      r.key,
      spreadCell(r.cpuUsPerCall, 0),
      spreadCell(r.cpuRatio, 3),
      targetCell(r.cpuRatio.median, cpu.targets.cpuRatioMax[r.key], 'max'),
      spreadCell(r.callsPerSec, 0),
      spreadCell(r.rateRatio, 3),
    ]),
  );
}

/** Stub-adapter calls/s: medians (ranges) over the rounds, ratios to bare axios, and CPU per call. */
export function stubRateTable(cpu) {
  return markdownTable(
    ['variant', 'calls/s', 'ratio vs axios', 'target (median ratio)', 'CPU µs / call', 'CPU ratio vs axios'],
    cpu.stub.rows.map((r) => [
      r.key,
      spreadCell(r.callsPerSec, 0),
      spreadCell(r.rateRatio, 3),
      targetCell(r.rateRatio.median, cpu.targets.stubRateRatioMin[r.key], 'min'),
      spreadCell(r.cpuUsPerCall, 1),
      spreadCell(r.cpuRatio, 3),
    ]),
  );
}

const kib = (bytes) => `${fixed(bytes / 1024, 1)} KiB`;

/** Bytes surviving young collections, per scavenge and per call, and their ratios to bare axios. */
export function gcTable(cpu) {
  return markdownTable(
    [
      'phase',
      'variant',
      'calls',
      'scavenges',
      'promoted / scavenge',
      'copied / scavenge',
      'promoted / call',
      'copied / call',
      'survived / scavenge vs axios',
      'survived / call vs axios',
      'target (both ratios)',
    ],
    cpu.gc.rows.map((r) => {
      const bound = cpu.targets.gcRatioMax[r.key];
      const worst = Math.max(r.survivedPerScavengeRatio, r.survivedPerCallRatio);
      return [
        r.phase === 'stub' ? 'stub adapter' : 'loopback HTTP',
        r.key,
        r.calls,
        fixed(r.scavenges, 0),
        kib(r.promotedPerScavenge),
        kib(r.copiedPerScavenge),
        `${fixed(r.promotedPerCall, 0)} B`,
        `${fixed(r.copiedPerCall, 0)} B`,
        fixed(r.survivedPerScavengeRatio, 2),
        fixed(r.survivedPerCallRatio, 2),
        targetCell(worst, bound, 'max'),
      ];
    }),
  );
}

/** The exactly-once orders rows: what the callers saw, what the simulator counted, and the targets. */
export function ordersTable(rows) {
  return markdownTable(
    [
      'variant',
      'calls ok',
      'failed, outcome unknown',
      'failed, other',
      'orders created',
      'duplicate orders',
      'reconciled (found / absent / failed)',
      'server hits (order POSTs + order lookups)',
      'run time',
      'target',
    ],
    rows.map((r) => {
      const target = ORDER_TARGETS[r.variant];
      const other = Object.entries(r.failures ?? {})
        .map(([kind, count]) => `${kind}: ${count}`)
        .join(', ');
      return [
        ORDER_VARIANT_LABELS[r.variant] ?? r.variant,
        `${r.ok} of ${r.calls}`,
        r.unknown,
        other === '' ? r.otherFailures : `${r.otherFailures} (${other})`,
        r.ordersCreated,
        r.duplicateOrders,
        r.reconciled ? `${r.reconciled.found} / ${r.reconciled.absent} / ${r.reconciled.failed}` : '-',
        `${r.hits} (${r.postHits} + ${r.lookupHits})`,
        `${fixed(r.durationMs / 1000, 1)} s`,
        target === undefined
          ? '-'
          : `${target.duplicateOrders} duplicates, ${target.unknown} unknown: ${r.targetsMet ? 'met' : 'NOT met'}`,
      ];
    }),
  );
}

const WINDOW_LABELS = { whole: 'whole run', warmup: 'warm-up', steady: 'steady state' };

/**
 * The quota rows of the limiter part (one process) or of bench/multiprocess.mjs: per workload (or store)
 * and variant, the whole run, the warm-up and the steady state; the targets (`targets`, one of
 * LIMITER_TARGETS) judged on the whole run and the steady state of the variants named in `judged`.
 */
export function limiterQuotaTable(rows, { targets, judged, labels, groupOf, groupTitle = 'workload' }) {
  const body = [];
  for (const r of rows) {
    for (const window of ['whole', 'warmup', 'steady']) {
      const f = r.figures[window];
      let target = '-';
      if (judged.includes(r.variant) && window !== 'warmup') {
        const { met, misses } = meetsTargets(f, targets);
        target = met ? 'met' : `NOT met (${misses.join(', ')})`;
      }
      body.push([
        groupOf(r),
        labels[r.variant] ?? r.variant,
        `${WINDOW_LABELS[window]} (${fixed(f.fromMs / 1000, 0)}-${fixed(f.toMs / 1000, 0)} s)`,
        f.calls,
        f.failed,
        f.throttled,
        fixed(f.throttledPer100Calls, 1),
        fixed(f.okPerSec, 1),
        percent(f.ofQuota),
        f.hitsBeforeDeadline,
        target,
      ]);
    }
  }
  return markdownTable(
    [
      groupTitle,
      'variant',
      'window',
      'calls settled',
      'calls failed',
      '429s',
      '429s / 100 calls',
      'successful calls/s',
      '% of quota',
      'hits before a deadline',
      'targets',
    ],
    body,
  );
}

/** Where the 429s of each quota row came from: per phase, by tenant scope. */
export function limiterThrottleTable(rows, { labels, groupOf, groupTitle = 'workload' }) {
  const byScope = (f) => f.throttledByScope.map(({ key, count }) => `${key}: ${count}`).join(', ') || '-';
  return markdownTable(
    [
      groupTitle,
      'variant',
      '429s in warm-up, by scope',
      '429s in steady state, by scope',
      '429s per second of the run',
    ],
    rows.map((r) => [
      groupOf(r),
      labels[r.variant] ?? r.variant,
      byScope(r.figures.warmup),
      byScope(r.figures.steady),
      r.figures.throttledPerSecond.join(' '),
    ]),
  );
}

/** The partner retry budget rows: server hits per call of calls that all fail. */
export function limiterBudgetTable(rows, { labels, maxHitsPerCall }) {
  return markdownTable(
    [
      'variant',
      'calls',
      'calls failed',
      'server hits',
      'hits / call',
      'refused by the partner retry budget',
      'run time',
      'target (ours, defaults)',
    ],
    rows.map((r) => [
      labels[r.variant] ?? r.variant,
      r.calls,
      r.failed,
      r.hits,
      fixed(r.hitsPerCall, 2),
      r.variant.startsWith('ours') ? r.refusedByPartnerBudget : '-',
      `${fixed(r.durationMs / 1000, 1)} s`,
      r.variant === 'ours' ? targetCell(r.hitsPerCall, maxHitsPerCall, 'max') : '-',
    ]),
  );
}
