import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { createSweepQueue, startSweepWorker } from '../../../src/bullmq/index.js';
import { checkTenantId, jobIdOf } from '../../../src/bullmq/names.js';
import { ResilienceOptionsError } from '../../../src/index.js';

// Bad options are refused before any Redis connection is made (nothing listens on port 1).
const connection = { host: '127.0.0.1', port: 1, lazyConnect: true };

function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ResilienceOptionsError) return error.issues;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('the BullMQ entry checks its options', () => {
  it('createSweepQueue names every problem at once', () => {
    const issues = problems(() =>
      createSweepQueue({ sweepId: 'a:b', connection, maxAttempts: 0, batchSize: 1.5, prefix: 'x y' }),
    );
    expect(issues).toEqual([
      expect.stringMatching(/^createSweepQueue: sweepId: must be 1 to 100 letters/),
      expect.stringMatching(/^createSweepQueue: prefix: must be 1 to 64/),
      expect.stringMatching(/^createSweepQueue: maxAttempts: must be an integer from 1 to 100/),
      expect.stringMatching(/^createSweepQueue: batchSize: must be an integer from 1 to 10000/),
    ]);
    expect(problems(() => createSweepQueue({ sweepId: 'ok', connection, retries: 3 } as never))).toEqual([
      'createSweepQueue: retries: unknown option',
    ]);
  });

  it('startSweepWorker refuses a first argument that is no client, a missing task and bad bounds', () => {
    const issues = problems(() =>
      startSweepWorker({} as never, {
        sweepId: 'ok',
        connection,
        task: undefined as never,
        maxConcurrency: 0,
        stop: 'halt' as never,
        lockDurationMs: 99,
        taskTimeoutMs: 2 ** 31,
      }),
    );
    expect(issues).toEqual([
      'startSweepWorker: the first argument must be the handle attachResilience returned or an axios instance',
      'startSweepWorker: task: must be a function',
      expect.stringMatching(/^startSweepWorker: maxConcurrency: must be an integer from 1 to 1000/),
      expect.stringMatching(/^startSweepWorker: taskTimeoutMs: must be an integer from 1 to 2147483647/),
      "startSweepWorker: stop: must be 'drain' or 'cancel'",
      expect.stringMatching(/^startSweepWorker: lockDurationMs: must be an integer from 100/),
    ]);
    expect(() => startSweepWorker(axios.create(), { sweepId: '', connection, task: async () => 1 })).toThrow(
      /sweepId: must be 1 to 100/,
    );
  });

  it('tenant ids: GUIDs and domains pass; a colon, a space, an empty or a long one is refused', () => {
    expect(checkTenantId('x', '0b9a5b0e-7c39-4a53-9a3f-2b5f7c7c1a11')).toBe(
      '0b9a5b0e-7c39-4a53-9a3f-2b5f7c7c1a11',
    );
    expect(checkTenantId('x', 'contoso.onmicrosoft.com')).toBe('contoso.onmicrosoft.com');
    for (const bad of ['a:b', 'a b', '', 'x'.repeat(129), 42, null]) {
      expect(() => checkTenantId('enqueue', bad)).toThrow(/enqueue: a tenant id must be 1 to 128/);
    }
    expect(jobIdOf('night-1', 'contoso.onmicrosoft.com')).toBe('night-1.contoso.onmicrosoft.com');
  });
});
