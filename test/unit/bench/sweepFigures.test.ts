import { describe, expect, it } from 'vitest';
import {
  judge,
  rowFigures,
  type SweepRow,
  summarise,
  sweepSection,
} from '../../../bench/lib/sweepFigures.mjs';

// The tenant sweep benchmark's figures (bench/sweep.mjs): 2,000 customers × 2 calls at 100/s is 40 s.
const QUOTA_MS = 40_000;
const row = (over: Partial<SweepRow>): SweepRow => ({
  variant: 'sweep',
  durationMs: 44_000,
  calls: 4_004,
  throttled: 20,
  ok: 2_000,
  failed: 0,
  ...over,
});

describe('sweep benchmark figures', () => {
  it("gives the time against the quota's own time and the 429s per 100 calls", () => {
    expect(rowFigures(row({}), QUOTA_MS)).toEqual({ timeRatio: 1.1, throttledPer100: (20 / 4_004) * 100 });
    expect(rowFigures(row({ calls: 0, throttled: 0 }), QUOTA_MS).throttledPer100).toBe(0);
  });

  it('summarises rounds as median and range', () => {
    const s = summarise(
      [row({ durationMs: 40_000 }), row({ durationMs: 48_000 }), row({ durationMs: 44_000 })],
      QUOTA_MS,
    );
    expect(s.rounds).toBe(3);
    expect(s.timeRatio).toEqual({ median: 1.1, min: 1, max: 1.2 });
    expect(s.ok).toEqual({ median: 2_000, min: 2_000, max: 2_000 });
  });

  it('judges the sweep against 1.15x and 1 429 per 100 calls, and any failed tenant', () => {
    const sweep = (over: Partial<SweepRow>) => judge('sweep', summarise([row(over)], QUOTA_MS));
    expect(sweep({ durationMs: 46_000, throttled: 40 })).toBe('met'); // 1.15x, 0.999 per 100
    expect(sweep({ durationMs: 46_001 })).toBe('missed: time > 1.15x');
    expect(sweep({ throttled: 41 })).toBe('missed: 429s > 1/100');
    expect(sweep({ failed: 1 })).toBe('missed: failed tenants');
    expect(judge('naive', summarise([row({ durationMs: 90_000 })], QUOTA_MS))).toBe('');
  });

  it('judges the kill and resume against 1.25x, 0 lost and 0 done twice (any round)', () => {
    const kill = (...rows: Partial<SweepRow>[]) =>
      judge(
        'kill',
        summarise(
          rows.map((over) => row({ variant: 'kill', lost: 0, doneAgain: 0, ...over })),
          QUOTA_MS,
        ),
      );
    expect(kill({ durationMs: 50_000, throttled: 400 })).toBe('met'); // 1.25x; its 429s are not judged
    expect(kill({ durationMs: 50_001 })).toBe('missed: time > 1.25x');
    expect(kill({}, { lost: 1 }, {})).toBe('missed: tenants lost');
    expect(kill({}, {}, { doneAgain: 2 })).toBe('missed: done twice');
  });

  it('renders the section with its heading, both tables and the command', () => {
    const rows = [
      row({ variant: 'naive', durationMs: 80_000, failures: { throttled: 3 }, ok: 1_997, failed: 3 }),
      row({}),
      row({
        variant: 'kill',
        durationMs: 48_000,
        lost: 0,
        doneAgain: 0,
        readAgain: 12,
        savedAtKill: 990,
        completedAtKill: 1_000,
        killedAtMs: 20_000,
      }),
    ];
    const section = sweepSection(
      {
        sizes: { customers: 2_000, partnerPerSecond: 100, customerPerSecond: 5 },
        rows,
        machine: { cpus: 2, cpu: 'cpu', node: 'v20', date: '2026-01-01' },
        command: 'node bench/sweep.mjs',
        elapsedMs: 60_000,
      },
      { naive: 'naive', 'naive-off': 'naive off', sweep: 'sweep', kill: 'kill' },
    );
    expect(section.startsWith('## Tenant sweeps\n')).toBe(true);
    expect(section).toContain("the quota's own time for the 4,000 calls is 40 s");
    expect(section).toContain('| naive | 2.00x | 0.50 | 4004 | 1997 | 3 | (baseline) |');
    expect(section).toContain('| sweep | 1.10x | 0.50 | 4004 | 2000 | 0 | met |');
    expect(section).not.toContain('naive off'); // a variant that did not run has no row
    expect(section).toContain('| 1.20x | 0 | 0 | 12 | 1000 / 990 | 20.0 / 28.0 |');
    expect(section).toContain('naive: throttled × 3');
    expect(section).toContain('```sh\nnode bench/sweep.mjs\n```');
    for (const line of section.split('\n').filter((l) => !l.startsWith('|'))) {
      expect(line.length, line).toBeLessThanOrEqual(110);
    }
  });
});
