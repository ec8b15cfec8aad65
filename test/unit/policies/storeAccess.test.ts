import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Log } from '../../../src/observability/logger.js';
import { createSanitizer } from '../../../src/observability/sanitizer.js';
import { CallAbort } from '../../../src/policies/sleep.js';
import { createStoreAccess, PENDING, type StoreFailureReport } from '../../../src/policies/storeAccess.js';

const START = Date.parse('2026-11-25T12:00:00Z');
const TIMEOUT_MS = 250;
const SECRET_URL = 'redis://u:s3cret@h:6379';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(timeoutMs = TIMEOUT_MS) {
  const failures: Array<Parameters<StoreFailureReport>[0]> = [];
  const onFailure = vi.fn<StoreFailureReport>((failure) => {
    failures.push(failure);
  });
  const log = vi.fn<Log>();
  const access = createStoreAccess(log, createSanitizer(), onFailure, timeoutMs);
  return { access, failures, onFailure, log };
}

const never = <T>() => new Promise<T>(() => undefined);

async function microtasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('storeAccess.read', () => {
  it('returns a sync value synchronously (not a promise)', () => {
    const { access, onFailure } = setup();
    const value = access.read('getThrottleDeadline', 'partner', () => START + 5);
    expect(value).toBe(START + 5);
    expect(access.read('getOpenUntil', 'partner', () => undefined)).toBeUndefined();
    expect(access.read('takeRetryToken', 'partner', () => false)).toBe(false);
    expect(onFailure).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives undefined for a store that throws, reporting once in a microtask (not synchronously)', async () => {
    const { access, failures, log } = setup();
    const value = access.read('getThrottleDeadline', 'customer:c-1', () => {
      throw new Error('store exploded');
    });
    expect(value).toBeUndefined();
    expect(failures).toEqual([]);
    expect(log).not.toHaveBeenCalled();
    await microtasks();
    expect(failures).toEqual([
      { scope: 'customer:c-1', operation: 'getThrottleDeadline', reason: 'store exploded' },
    ]);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith('warn', 'scope store read failed; proceeding without shared state', {
      operation: 'getThrottleDeadline',
      scope: 'customer:c-1',
      error: 'store exploded',
    });
  });

  it("reports a thrown non-Error as 'unknown failure'", async () => {
    const { access, failures } = setup();
    access.read('getOpenUntil', 'partner', () => {
      throw 'a string';
    });
    await microtasks();
    expect(failures.map((f) => f.reason)).toEqual(['unknown failure']);
  });

  it('resolves a promised value through a promise', async () => {
    const { access, onFailure } = setup();
    const value = access.read('getThrottleDeadline', 'partner', () => Promise.resolve(START + 9));
    expect(value).toBeInstanceOf(Promise);
    await expect(value).resolves.toBe(START + 9);
    expect(onFailure).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves undefined after timeoutMs for a promise that never settles, naming the timeout', async () => {
    const { access, failures } = setup();
    const value = access.read('getThrottleDeadline', 'partner', never<number>);
    let settled = false;
    const result = Promise.resolve(value).then((v) => {
      settled = true;
      return v;
    });
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(settled).toBe(false);
    expect(failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBeUndefined();
    expect(failures).toEqual([
      { scope: 'partner', operation: 'getThrottleDeadline', reason: 'no answer within 250 ms' },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("shortens the wait to the bound's deadline, without blaming the store", async () => {
    const { access, failures } = setup();
    let settled = false;
    const value = access.read('takeRetryToken', 'partner', never<boolean>, { deadline: START + 100 });
    void Promise.resolve(value).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    await expect(value).resolves.toBeUndefined();
    // The call's own budget ended the wait, not the store's timeout: nothing is reported.
    expect(failures).toEqual([]);
  });

  it('keeps timeoutMs when the deadline is further away', async () => {
    const { access, failures } = setup();
    const value = access.read('getOpenUntil', 'partner', never<number>, { deadline: START + 10_000 });
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await expect(value).resolves.toBeUndefined();
    expect(failures.map((f) => f.reason)).toEqual(['no answer within 250 ms']);
  });

  it('ends the wait at once on abort, clearing the timer, without reporting a store failure', async () => {
    const { access, onFailure } = setup();
    const abort = new CallAbort();
    let settled = false;
    const value = access.read('getThrottleDeadline', 'partner', never<number>, {
      deadline: Number.POSITIVE_INFINITY,
      abort,
    });
    void Promise.resolve(value).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    abort.abort('caller');
    await microtasks();
    expect(settled).toBe(true);
    await expect(value).resolves.toBeUndefined();
    expect(Date.now()).toBe(START + 10);
    expect(vi.getTimerCount()).toBe(0);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it('does not wait at all under an abort that already happened', async () => {
    const { access } = setup();
    const abort = new CallAbort();
    abort.abort('caller');
    const value = access.read('getOpenUntil', 'partner', never<number>, {
      deadline: Number.POSITIVE_INFINITY,
      abort,
    });
    expect(vi.getTimerCount()).toBe(0);
    await expect(value).resolves.toBeUndefined();
  });

  it('stops listening to the abort once the read answered', async () => {
    const { access } = setup();
    const abort = new CallAbort();
    await access.read('getOpenUntil', 'partner', () => Promise.resolve(7), {
      deadline: Number.POSITIVE_INFINITY,
      abort,
    });
    expect((abort as unknown as { listeners: unknown[] | undefined }).listeners ?? []).toEqual([]);
  });

  it('reports the scrubbed message of a rejected promise (no secret in the report)', async () => {
    const { access, failures, log } = setup();
    const value = access.read('getThrottleDeadline', 'partner', () =>
      Promise.reject(new Error(`connect ECONNREFUSED ${SECRET_URL}`)),
    );
    await expect(value).resolves.toBeUndefined();
    await microtasks();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.operation).toBe('getThrottleDeadline');
    expect(failures[0]?.reason).toContain('connect ECONNREFUSED');
    expect(failures[0]?.reason).not.toContain('s3cret');
    expect(JSON.stringify(log.mock.calls)).not.toContain('s3cret');
  });

  it('keeps the host of a redis URL in the report, removing only the userinfo', async () => {
    const { access, failures } = setup();
    await access.read('getThrottleDeadline', 'partner', () =>
      Promise.reject(new Error(`connect ECONNREFUSED ${SECRET_URL}`)),
    );
    await microtasks();
    expect(failures[0]?.reason).toBe('connect ECONNREFUSED redis://h:6379');
  });

  it('reports a read that times out once, even when it rejects later', async () => {
    const { access, failures } = setup();
    let reject: (error: Error) => void = () => undefined;
    const value = access.read(
      'getThrottleDeadline',
      'partner',
      () =>
        new Promise<number>((_resolve, rej) => {
          reject = rej;
        }),
    );
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await expect(value).resolves.toBeUndefined();
    reject(new Error('late failure'));
    await microtasks();
    expect(failures.map((f) => f.reason)).toEqual(['no answer within 250 ms']);
  });
});

describe('storeAccess.peek', () => {
  it('returns a sync value as is', () => {
    const { access } = setup();
    expect(access.peek('getOpenUntil', 'partner', () => START + 1)).toBe(START + 1);
    expect(access.peek('getOpenUntil', 'partner', () => undefined)).toBeUndefined();
  });

  it('returns pending for a promise, without waiting for it or arming a timer', () => {
    const { access } = setup();
    const value = access.peek('getOpenUntil', 'partner', never<number>);
    expect(value).toBe(access.pending);
    expect(value).toBe(PENDING);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a promise that rejects later, scrubbed', async () => {
    const { access, failures } = setup();
    const value = access.peek('getOpenUntil', 'partner', () =>
      Promise.reject(new Error(`lost ${SECRET_URL}`)),
    );
    expect(value).toBe(PENDING);
    await microtasks();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.operation).toBe('getOpenUntil');
    expect(failures[0]?.reason).not.toContain('s3cret');
  });

  it('gives undefined for a store that throws, reporting in a microtask', async () => {
    const { access, failures } = setup();
    const value = access.peek('getOpenUntil', 'partner', () => {
      throw new Error('boom');
    });
    expect(value).toBeUndefined();
    expect(failures).toEqual([]);
    await microtasks();
    expect(failures).toEqual([{ scope: 'partner', operation: 'getOpenUntil', reason: 'boom' }]);
  });
});

describe('storeAccess.write', () => {
  it('never throws: a throwing write is reported in a microtask', async () => {
    const { access, failures, log } = setup();
    expect(() =>
      access.write('setOpenUntil', 'partner', () => {
        throw new Error(`write failed ${SECRET_URL}`);
      }),
    ).not.toThrow();
    expect(failures).toEqual([]);
    await microtasks();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.operation).toBe('setOpenUntil');
    expect(failures[0]?.reason).not.toContain('s3cret');
    expect(log).toHaveBeenCalledWith('warn', 'scope store write failed', expect.any(Object));
  });

  it('reports a rejected write', async () => {
    const { access, failures } = setup();
    access.write('extendThrottleDeadline', 'customer:c-2', () => Promise.reject(new Error('down')));
    await microtasks();
    expect(failures).toEqual([
      { scope: 'customer:c-2', operation: 'extendThrottleDeadline', reason: 'down' },
    ]);
  });

  it('runs a sync write at once and reports nothing', async () => {
    const { access, onFailure } = setup();
    const write = vi.fn();
    access.write('setOpenUntil', 'partner', write);
    expect(write).toHaveBeenCalledTimes(1);
    await microtasks();
    expect(onFailure).not.toHaveBeenCalled();
  });
});
