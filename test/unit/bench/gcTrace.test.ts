import { describe, expect, it } from 'vitest';
import {
  gcRates,
  parseNvpLine,
  phaseMarker,
  scavengeBytes,
  summarizeGcTrace,
} from '../../../bench/lib/gcTrace.mjs';

// Shortened from real `node --trace-gc-nvp` output of Node 20 (V8 11.3).
const scavenge = (ms: number, promoted: number, survived: number) =>
  `[4429:0x365f2880]       ${ms} ms: pause=2.6 mutator=4.1 gc=s reduce_memory=0 scavenge=2.53 ` +
  `total_size_before=4066944 total_size_after=3589808 allocated=653064 promoted=${promoted} ` +
  `new_space_survived=${survived} nodes_died_in_new=0 promotion_ratio=26.2% new_space_survive_rate_=21.9% ` +
  'new_space_allocation_throughput=158819.1 unmapper_chunks=0';
const markSweep =
  '[4429:0x365f2880]      120 ms: pause=9.0 mutator=1.0 gc=ms reduce_memory=0 promoted=0 new_space_survived=0';

describe('bench gc trace parsing', () => {
  it('parses the fields of a trace line, numbers as numbers and percentages without %', () => {
    const fields = parseNvpLine(scavenge(46, 268216, 223880));
    expect(fields).toMatchObject({
      pause: 2.6,
      gc: 's',
      promoted: 268216,
      new_space_survived: 223880,
      promotion_ratio: 26.2,
      new_space_allocation_throughput: 158819.1,
    });
  });

  it('ignores lines that are not trace lines', () => {
    expect(parseNvpLine('#bench-gc start stub calls=10')).toBeUndefined();
    expect(parseNvpLine('')).toBeUndefined();
    expect(parseNvpLine('gc=s promoted=1')).toBeUndefined();
  });

  it('takes bytes from scavenges only, with semi_space_copied as the older name of the copied bytes', () => {
    expect(scavengeBytes(parseNvpLine(scavenge(46, 10, 20)))).toEqual({ promoted: 10, copied: 20 });
    expect(scavengeBytes(parseNvpLine(markSweep))).toBeUndefined();
    expect(scavengeBytes({ gc: 's', promoted: 5, semi_space_copied: 7 })).toEqual({ promoted: 5, copied: 7 });
    expect(scavengeBytes({ gc: 's', promoted: 5 })).toBeUndefined();
    expect(scavengeBytes(undefined)).toBeUndefined();
  });

  it('sums scavenges per marked phase and skips everything outside the markers', () => {
    const text = [
      scavenge(10, 999, 999), // warm-up, before any marker
      markSweep,
      phaseMarker('start', 'stub', 100),
      scavenge(20, 100, 1000),
      markSweep,
      scavenge(30, 300, 3000),
      phaseMarker('end', 'stub'),
      scavenge(40, 999, 999), // between phases
      phaseMarker('start', 'http', 50),
      scavenge(50, 0, 500),
      phaseMarker('end', 'http'),
      '',
    ].join('\n');
    expect(summarizeGcTrace(text)).toEqual({
      stub: { calls: 100, scavenges: 2, promotedBytes: 400, copiedBytes: 4000 },
      http: { calls: 50, scavenges: 1, promotedBytes: 0, copiedBytes: 500 },
    });
  });

  it('refuses a phase that never ended or ends without its start', () => {
    expect(() => summarizeGcTrace(`${phaseMarker('start', 'stub', 1)}\n${scavenge(1, 1, 1)}\n`)).toThrow(
      /never ended/,
    );
    expect(() => summarizeGcTrace(phaseMarker('end', 'http'))).toThrow(/without its start/);
    expect(() =>
      summarizeGcTrace([phaseMarker('start', 'a', 1), phaseMarker('start', 'b', 1)].join('\n')),
    ).toThrow(/started inside a/);
  });

  it('computes means per scavenge and per call, 0 when there is nothing to divide by', () => {
    expect(gcRates({ calls: 100, scavenges: 2, promotedBytes: 400, copiedBytes: 4000 })).toEqual({
      calls: 100,
      scavenges: 2,
      promotedPerScavenge: 200,
      copiedPerScavenge: 2000,
      survivedPerScavenge: 2200,
      promotedPerCall: 4,
      copiedPerCall: 40,
      survivedPerCall: 44,
    });
    expect(gcRates({ calls: 0, scavenges: 0, promotedBytes: 0, copiedBytes: 0 })).toMatchObject({
      survivedPerScavenge: 0,
      survivedPerCall: 0,
    });
  });
});
