import { describe, expect, it } from 'vitest';
import {
  createSeededRandom,
  parseScenario,
  ScenarioValidationError,
  scenarios,
  seedToUint32,
} from '../../../src/testing/index.js';

function issuesOf(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (error: unknown) {
    if (error instanceof ScenarioValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('scenario validation', () => {
  it('accepts the ready scenarios and returns them unchanged', () => {
    for (const scenario of Object.values(scenarios)) {
      expect(parseScenario(scenario)).toEqual(scenario);
      expect(Object.isFrozen(scenario)).toBe(true);
    }
    expect(Object.keys(scenarios).sort()).toEqual(['healthy', 'mixedFaults', 'outage', 'throttled']);
  });

  it('names the path of every problem', () => {
    const issues = issuesOf({
      partnerId: 'nope',
      throttle: { partner: { limit: 0, windowMs: 1000 } },
      faults: [{ respond: { status: 700 } }, { probabilty: 0.5, respond: { status: 503 } }],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^scenario\.partnerId: Expected a GUID/),
      expect.stringMatching(/^scenario\.throttle\.partner\.limit: Too small/),
      expect.stringMatching(/^scenario\.faults\[0\]\.respond\.status: Too big/),
      expect.stringMatching(/^scenario\.faults\[1\]: Unrecognized key: "probabilty"/),
    ]);
  });

  it('explains cross-field mistakes', () => {
    expect(issuesOf({ faults: [{ respond: {} }] })).toEqual([
      'scenario.faults[0].respond: respond needs at least one of status, hangUp or delayMs',
    ]);
    expect(issuesOf({ faults: [{ respond: { delayMs: 5, afterProcessing: true } }] })).toEqual([
      'scenario.faults[0].respond.afterProcessing: afterProcessing needs a status or hangUp to answer after processing',
    ]);
    expect(issuesOf({ faults: [{ match: { path: '(' }, respond: { status: 503 } }] })).toEqual([
      'scenario.faults[0].match.path: Expected a valid regular expression source',
    ]);
    expect(issuesOf({ outage: { fromMs: 10, untilMs: 10 } })).toEqual([
      'scenario.outage.untilMs: untilMs must be greater than fromMs',
    ]);
    expect(
      issuesOf({
        customers: ['aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', 'AAAAAAAA-bbbb-4ccc-8ddd-eeeeeeeeeeee'],
      }),
    ).toEqual(['scenario.customers: Customer ids must be unique']);
    expect(issuesOf({ auth: {} })[0]).toMatch(/^scenario\.auth\.required: /);
    expect(issuesOf('not an object')[0]).toMatch(/^scenario: /);
  });

  it('throws one readable error listing every problem', () => {
    expect(() => parseScenario({ faults: [{ respond: { status: 99 } }], seed: 1.5 })).toThrow(
      /Invalid Partner Center simulator scenario \(2 problems\):\n {2}- scenario\.seed: .*\n {2}- scenario\.faults\[0\]\.respond\.status: /,
    );
  });
});

describe('seeded random', () => {
  it('repeats for a seed and differs across seeds and streams', () => {
    const draw = (seed: number | string, stream = 0) => {
      const random = createSeededRandom(seed, stream);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1)).not.toEqual(draw(1, 1));
    expect(draw('a')).toEqual(draw('a'));
    for (const value of draw('x')) expect(value >= 0 && value < 1).toBe(true);
    expect(seedToUint32('bench')).not.toBe(seedToUint32('bench '));
    expect(createSeededRandom(3).guid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
