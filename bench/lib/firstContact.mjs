// The first-contact part of bench/multiprocess.mjs: a fixed job of calls shared by several processes against a
// partner quota none of them knows, from fresh state (a new simulator and a new Redis key prefix per round).
// Pure: figures of a round, their median and range over rounds, and the markdown section.
import { fixed, percent, spread } from './stats.mjs';

/** The job's targets (issue 28, four processes on Redis): 429s per 100 calls at most, share of the quota at least. */
export const FIRST_CONTACT_TARGETS = { throttledPer100Calls: 5, ofQuota: 0.8 };

/** The variants, in the order of the first round, with the options each worker attaches with. */
export const FIRST_CONTACT_VARIANTS = [
  {
    key: 'slow',
    label: '`rateLimit: { slowStart: true }`, Redis store',
    options: { rateLimit: { slowStart: true } },
  },
  { key: 'defaults', label: 'defaults (the slow start is on by default), Redis store', options: {} },
  {
    key: 'off',
    label: '`rateLimit: false, partnerRetryBudget: false`, Redis store',
    options: { rateLimit: false, partnerRetryBudget: false },
  },
];

/**
 * One round's figures. `calls`: every job call as `{ at, ok }` (`at`: ms from the start to its settling);
 * `hits`: the simulator's log on the same clock (`{ at, status }`); `quotaPerSec`: the hidden quota.
 */
export function firstContactFigures({ calls, hits }, quotaPerSec) {
  const ok = calls.filter((call) => call.ok).length;
  const throttled = hits.filter((hit) => hit.status === 429);
  const seconds = Math.max(0, ...calls.map((call) => call.at)) / 1000;
  return {
    calls: calls.length,
    ok,
    failed: calls.length - ok,
    throttled: throttled.length,
    openingThrottled: throttled.filter((hit) => hit.at < 2000).length,
    throttledPer100Calls: calls.length === 0 ? 0 : (throttled.length * 100) / calls.length,
    seconds,
    ofQuota: seconds === 0 ? 0 : ok / (seconds * quotaPerSec),
  };
}

/** Median and range of each figure over rounds (`rounds`: figures as {@link firstContactFigures} answers). */
export function firstContactSummary(rounds) {
  const of = (name) => spread(rounds.map((round) => round[name]));
  return {
    rounds: rounds.length,
    failed: of('failed'),
    throttled: of('throttled'),
    openingThrottled: of('openingThrottled'),
    throttledPer100Calls: of('throttledPer100Calls'),
    seconds: of('seconds'),
    ofQuota: of('ofQuota'),
  };
}

/** Whether a summary's medians meet {@link FIRST_CONTACT_TARGETS}. */
export function firstContactMet(summary) {
  return (
    summary.throttledPer100Calls.median <= FIRST_CONTACT_TARGETS.throttledPer100Calls &&
    summary.ofQuota.median >= FIRST_CONTACT_TARGETS.ofQuota &&
    summary.failed.max === 0
  );
}

/** `median (min-max)`; `unit` after the median only. */
const range = (s, format, unit = '') => `${format(s.median)}${unit} (${format(s.min)}-${format(s.max)})`;

/**
 * The `## First contact ...` section: `results` maps a variant key to its rounds' figures; `setup` says how the
 * job ran (`workers`, `inFlight`, `calls`, `quotaPerSec`, `command`, `runDate`).
 */
export function firstContactSection(results, setup) {
  const { workers, inFlight, calls, quotaPerSec, command, runDate } = setup;
  const t = FIRST_CONTACT_TARGETS;
  const header = [
    'variant',
    'rounds',
    '429s (first 2 s)',
    '429s / 100 calls',
    'time to done',
    '% of quota',
    'failed',
    'targets',
  ];
  const rows = FIRST_CONTACT_VARIANTS.filter((variant) => results[variant.key]?.length > 0).map((variant) => {
    const s = firstContactSummary(results[variant.key]);
    return [
      variant.label,
      String(s.rounds),
      `${range(s.throttled, (v) => fixed(v, 0))}; ${range(s.openingThrottled, (v) => fixed(v, 0))}`,
      range(s.throttledPer100Calls, (v) => fixed(v, 1)),
      range(s.seconds, (v) => fixed(v, 1), ' s'),
      range(s.ofQuota, percent),
      String(s.failed.max),
      variant.key === 'slow' ? (firstContactMet(s) ? 'met' : '**NOT met**') : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const table = [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
  return `## First contact: a ${calls}-call job on ${workers} processes, an unknown quota

\`${command}\` (run on ${runDate}). ${workers} worker processes (\`child_process.fork\`), ${inFlight / workers} calls in
flight each (${inFlight} in total), share one job of ${calls} calls (${calls / workers} each) of \`GET /v1/customers\` against
ONE simulator running \`quotaLimited({ partnerPerSecond: ${quotaPerSec} })\`, a quota none of them knows. Every round starts
fresh: a new simulator and a new Redis key prefix (no learnt rate). Each variant runs every round, in a rotated
order. 429s = the simulator's 429 answers (retries included), their count in the first 2 s beside it; time to
done = until the last call settled; % of quota = successful calls / (time to done x ${quotaPerSec}). Median
(range) over the rounds. Targets (slow start, medians): at most ${t.throttledPer100Calls} 429s per 100 calls and at least
${percent(t.ofQuota)} of the quota, 0 failed. Measured before the Redis slow start (issue 28): 5.8 per 100 at 77%.

${table.join('\n')}

With a slow start in Redis the four processes probe one rate together: it starts at 8 calls/s, grows with
every success of any process, and the first 429 ends it for all. The slow start is on by default, so the first
two rows are the same code; without it (measured before it was the default: 5.3 per 100 at 85%), the
processes sent every call in flight into the quota at once and learnt from the opening burst's 429s.
`;
}
