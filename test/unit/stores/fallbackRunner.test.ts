import { describe, expect, it } from 'vitest';
import { createFallbackRunner, isUnavailable } from '../../../src/stores/fallbackRunner.js';

/** An error as ioredis reports a server's error reply. */
function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

describe('the Redis store fallback runner', () => {
  it('tells errors that say Redis cannot serve from errors about one command', () => {
    expect(isUnavailable(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(true);
    expect(isUnavailable('a string')).toBe(true);
    expect(isUnavailable(replyError('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isUnavailable(replyError('BUSY Redis is busy running a script'))).toBe(true);
    expect(isUnavailable(replyError('CLUSTERDOWN The cluster is down'))).toBe(true);
    expect(
      isUnavailable(replyError('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe(false);
    expect(isUnavailable(replyError('ERR user_script:12: attempt to compare nil with number'))).toBe(false);
  });

  it('an error about one command answers that one from the fallback, without switching Redis off', async () => {
    let now = 1_000;
    const reports: string[] = [];
    const runner = createFallbackRunner({
      now: () => now,
      commandTimeoutMs: 1_000,
      retryAfterFailureMs: 1_000,
      report: (_error, context) => reports.push(context.operation),
    });
    const local = () => 'local';
    expect(
      await runner.run('getThrottleDeadline', 's', () => Promise.reject(replyError('WRONGTYPE x')), local),
    ).toBe('local');
    expect(runner.degraded).toBe(false);
    expect(await runner.run('getThrottleDeadline', 's', () => Promise.resolve('redis'), local)).toBe('redis');
    // A connection error switches to the fallback for retryAfterFailureMs.
    expect(
      await runner.run('getThrottleDeadline', 's', () => Promise.reject(new Error('ECONNRESET')), local),
    ).toBe('local');
    expect(runner.degraded).toBe(true);
    expect(runner.run('getThrottleDeadline', 's', () => Promise.resolve('redis'), local)).toBe('local');
    now += 1_000;
    expect(runner.degraded).toBe(false);
    expect(reports).toEqual(['getThrottleDeadline', 'getThrottleDeadline']);
  });
});
