import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartnerCenterError } from '../../../../src/errors/PartnerCenterError.js';
import { attachResilience, ResilienceOptionsError } from '../../../../src/index.js';
import {
  memoryCheckpoint,
  type SweepCheckpoint,
  SweepCheckpointError,
  type SweepOptions,
  type SweepProgress,
  type SweepReport,
  sweepTenants,
} from '../../../../src/sweep.js';

/* The sweep's loop with fake timers: tasks are plain functions, the client a bare axios instance (no HTTP). */

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `tenant-${from + i}`);

/** Runs a sweep to its end, advancing the fake clock `stepMs` at a time (at most `maxMs`). */
async function run(options: SweepOptions, stepMs = 10, maxMs = 600_000): Promise<SweepReport> {
  let settled: { report?: SweepReport; error?: unknown } | undefined;
  sweepTenants(axios.create(), options).then(
    (report) => {
      settled = { report };
    },
    (error: unknown) => {
      settled = { error };
    },
  );
  for (let elapsed = 0; settled === undefined && elapsed <= maxMs; elapsed += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  if (settled === undefined) throw new Error('the sweep did not end');
  if ('error' in settled) throw settled.error;
  return settled.report as SweepReport;
}

/** A handle whose events the test emits itself: `emit(name, event)` calls that event's listeners. */
function fakeHandle() {
  const listeners = new Map<string, Array<(event: unknown) => void>>();
  const on = (name: string) => (listener: (event: unknown) => void) => {
    listeners.set(name, [...(listeners.get(name) ?? []), listener]);
    return { dispose: () => listeners.set(name, []) };
  };
  const emit = (name: string, event: unknown = {}) => {
    for (const listener of listeners.get(name) ?? []) listener(event);
  };
  const real = attachResilience(axios.create());
  const handle = {
    instance: real.instance,
    sanitizer: real.sanitizer,
    onRequest: on('onRequest'),
    onRateLimit: on('onRateLimit'),
    onRetry: on('onRetry'),
    onGiveUp: on('onGiveUp'),
  } as unknown as Parameters<typeof sweepTenants>[0];
  return { handle, emit, listeners };
}

/** A task that takes `ms` of fake time, and counts how many run at once. */
function timedTask(ms: number) {
  const state = { running: 0, most: 0, runs: new Map<string, number>() };
  const task = async (tenantId: string) => {
    state.running += 1;
    state.most = Math.max(state.most, state.running);
    state.runs.set(tenantId, (state.runs.get(tenantId) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, ms));
    state.running -= 1;
  };
  return { task, state };
}

describe('sweepTenants: every tenant once', () => {
  it('runs each tenant of the list once (repeats ignored) and reports the counts', async () => {
    const { task, state } = timedTask(5);
    const report = await run({ tenants: [...ids(50), 'tenant-3', 'tenant-7'], task });
    expect(report).toMatchObject({ outcome: 'completed', done: 50, failed: 0, pending: 0, total: 50 });
    expect(report.finishedThisRun).toBe(50);
    expect([...state.runs.values()].every((count) => count === 1)).toBe(true);
    expect(state.runs.size).toBe(50);
  });

  it('takes GUIDs in any case as one tenant (kept in lower case)', async () => {
    const guid = '0A1B2C3D-0000-4000-8000-00000000000F';
    const seen: string[] = [];
    const report = await run({ tenants: [guid, guid.toLowerCase()], task: async (id) => void seen.push(id) });
    expect(seen).toEqual([guid.toLowerCase()]);
    expect(report.total).toBe(1);
  });

  it('takes an async iterable, trimming ids', async () => {
    async function* source() {
      yield ' a ';
      yield 'b';
    }
    const seen: string[] = [];
    const report = await run({ tenants: source(), task: async (id) => void seen.push(id) });
    expect(seen.sort()).toEqual(['a', 'b']);
    expect(report.done).toBe(2);
  });

  it('starts at initialConcurrency, doubles per round while nothing is held back, never above maxConcurrency', async () => {
    const { task, state } = timedTask(100);
    const seenLimits: number[] = [];
    await run({
      tenants: ids(200),
      task,
      initialConcurrency: 2,
      maxConcurrency: 16,
      progressIntervalMs: 50,
      onProgress: (p) => seenLimits.push(p.concurrency),
    });
    expect(seenLimits[0]).toBe(2);
    expect(state.most).toBe(16);
    expect(new Set(seenLimits)).toEqual(new Set([2, 4, 8, 16]));
  });
});

describe('sweepTenants: failures', () => {
  it('tries a tenant whose failure may pass again after retryDelayMs, while the others run; attempt counts on', async () => {
    const attempts: number[] = [];
    const started: string[] = [];
    const report = await run({
      tenants: ids(10),
      initialConcurrency: 1,
      retryDelayMs: 1000,
      task: async (id, { attempt }) => {
        started.push(id);
        if (id !== 'tenant-0') return;
        attempts.push(attempt);
        if (attempt === 1) throw new PartnerCenterError({ kind: 'server', retryable: true, status: 503 });
      },
    });
    expect(attempts).toEqual([1, 2]);
    expect(started.indexOf('tenant-9')).toBeLessThan(started.lastIndexOf('tenant-0'));
    expect(report).toMatchObject({ done: 10, failed: 0 });
  });

  it('fails a tenant at once on a kind that cannot pass later, with its kind, code, status and reason', async () => {
    let runs = 0;
    const report = await run({
      tenants: ['gone'],
      task: async () => {
        runs += 1;
        throw new PartnerCenterError({
          kind: 'not-found',
          retryable: false,
          status: 404,
          code: '600008',
          message: 'Customer not found',
        });
      },
    });
    expect(runs).toBe(1);
    expect(report.failures).toEqual([
      expect.objectContaining({
        tenantId: 'gone',
        kind: 'not-found',
        code: '600008',
        status: 404,
        attempts: 1,
        reason: expect.stringContaining('Customer not found'),
      }),
    ]);
    expect(report).toMatchObject({ outcome: 'completed', done: 0, failed: 1, pending: 0 });
  });

  it('gives up after maxAttempts attempts of a failure that may pass', async () => {
    let runs = 0;
    const report = await run({
      tenants: ['flaky'],
      maxAttempts: 3,
      retryDelayMs: 10,
      task: async () => {
        runs += 1;
        throw new PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
      },
    });
    expect(runs).toBe(3);
    expect(report.failures[0]).toMatchObject({ kind: 'throttled', attempts: 3 });
    expect(report.throttled).toBe(3); // a bare instance: the task's 429s are what is counted
  });

  it('a non-Error throw is a failure of kind unknown, and a bearer token in a message is redacted', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const report = await run({
      tenants: ['a', 'b'],
      maxAttempts: 1,
      task: async (id) => {
        if (id === 'a') throw 'plain string';
        throw new Error(`upstream said Authorization: Bearer ${token}`);
      },
    });
    expect(report.failures.map((f) => f.kind)).toEqual(['unknown', 'unknown']);
    expect(JSON.stringify(report)).not.toContain(token);
  });

  it('aborts a task running past taskTimeoutMs and fails it with kind timeout', async () => {
    let aborted = false;
    const report = await run({
      tenants: ['slow'],
      maxAttempts: 1,
      taskTimeoutMs: 5000,
      task: (_id, { signal }) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    });
    expect(aborted).toBe(true);
    expect(report.failures[0]).toMatchObject({ kind: 'timeout', attempts: 1 });
    expect(report.durationMs).toBeGreaterThanOrEqual(5000);
    expect(report.durationMs).toBeLessThan(6000);
  });
});

describe('sweepTenants: stop and resume', () => {
  it("on abort with stop 'drain', lets running tasks end, starts no other, and saves the rest as pending", async () => {
    const controller = new AbortController();
    const checkpoint = memoryCheckpoint();
    const { task, state } = timedTask(100);
    setTimeout(() => controller.abort(), 150);
    const report = await run({
      tenants: ids(100),
      task,
      initialConcurrency: 4,
      maxConcurrency: 4,
      signal: controller.signal,
      checkpoint,
    });
    // 4 ran in 0-100 ms, 4 more were running at 150 ms and ended at 200 ms.
    expect(report).toMatchObject({ outcome: 'aborted', done: 8, failed: 0, pending: 92 });
    expect(state.runs.size).toBe(8);
    const saved = checkpoint.current as SweepCheckpoint;
    expect(saved.done).toHaveLength(8);
    expect(saved.pending).toHaveLength(92);
  });

  it("on abort with stop 'cancel', aborts running tasks' signals and keeps them pending with their attempts", async () => {
    const controller = new AbortController();
    const checkpoint = memoryCheckpoint();
    setTimeout(() => controller.abort(), 50);
    const report = await run({
      tenants: ids(10),
      initialConcurrency: 3,
      stop: 'cancel',
      signal: controller.signal,
      checkpoint,
      task: (_id, { signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    expect(report).toMatchObject({ outcome: 'aborted', done: 0, failed: 0, pending: 10 });
    const saved = checkpoint.current as SweepCheckpoint;
    expect(Object.keys(saved.attempts).sort()).toEqual(['tenant-0', 'tenant-1', 'tenant-2']);
    expect(saved.failed).toEqual([]);
  });

  it('stops at the deadline', async () => {
    const { task } = timedTask(100);
    const report = await run({
      tenants: ids(100),
      task,
      maxConcurrency: 2,
      initialConcurrency: 2,
      deadline: Date.now() + 450,
    });
    expect(report.outcome).toBe('deadline');
    expect(report.done).toBe(10);
    expect(report.pending).toBe(90);
  });

  it('a deadline already past starts nothing', async () => {
    const { task, state } = timedTask(10);
    const report = await run({ tenants: ids(5), task, deadline: new Date(Date.now() - 1) });
    expect(report).toMatchObject({ outcome: 'deadline', done: 0, finishedThisRun: 0 });
    expect(state.runs.size).toBe(0);
  });

  it('resumed, skips the done, keeps the failed unless retryFailed, and counts attempts on', async () => {
    const checkpoint = memoryCheckpoint();
    const first = await run({
      tenants: ids(6),
      checkpoint,
      maxAttempts: 1,
      task: async (id) => {
        if (id === 'tenant-5') throw new PartnerCenterError({ kind: 'server', retryable: true, status: 500 });
      },
    });
    expect(first).toMatchObject({ done: 5, failed: 1 });

    const again: string[] = [];
    const second = await run({ tenants: ids(8), checkpoint, task: async (id) => void again.push(id) });
    expect(again.sort()).toEqual(['tenant-6', 'tenant-7']);
    expect(second).toMatchObject({ skipped: 5, done: 7, failed: 1, pending: 0 });

    const attempts: number[] = [];
    const third = await run({
      tenants: ids(8),
      checkpoint,
      retryFailed: true,
      task: async (_id, { attempt }) => void attempts.push(attempt),
    });
    expect(attempts).toEqual([2]);
    expect(third).toMatchObject({ done: 8, failed: 0 });
  });
});

describe('sweepTenants: bad input and stores', () => {
  it('refuses bad options, naming each', () => {
    const bad = { tenants: 'abc', task: async () => undefined, maxConcurrency: 0, retryFailled: true };
    return sweepTenants(axios.create(), bad as unknown as SweepOptions).then(
      () => expect.unreachable(),
      (error: unknown) => {
        expect(error).toBeInstanceOf(ResilienceOptionsError);
        const message = String((error as Error).message);
        expect(message).toContain('retryFailled: unknown option (did you mean retryFailed?)');
        expect(message).toContain('maxConcurrency must be an integer from 1');
        expect(message).toContain('tenants must be a list');
      },
    );
  });

  it('a source giving something else than an id: running tasks end, the checkpoint is saved, then it throws', async () => {
    const checkpoint = memoryCheckpoint();
    await expect(
      run({ tenants: ['a', 'b', 42 as unknown as string], checkpoint, task: async () => undefined }),
    ).rejects.toThrow(/tenants gave a number where a tenant id was expected/);
    expect(checkpoint.current?.done.length).toBeGreaterThanOrEqual(0);
    expect(checkpoint.current).toBeDefined();
  });

  it('a malformed checkpoint stops the sweep before anything runs, and is not overwritten', async () => {
    const save = vi.fn(async () => undefined);
    let ran = false;
    await expect(
      run({
        tenants: ['a'],
        checkpoint: { load: async () => ({ format: 'other' }) as unknown as SweepCheckpoint, save },
        task: async () => {
          ran = true;
        },
      }),
    ).rejects.toThrow(SweepCheckpointError);
    expect(ran).toBe(false);
    expect(save).not.toHaveBeenCalled();
  });

  it('a store whose save hangs: bounded by checkpointTimeoutMs; the sweep rejects with its report', async () => {
    const error = await run({
      tenants: ids(3),
      checkpointTimeoutMs: 2000,
      checkpoint: { load: async () => undefined, save: () => new Promise(() => undefined) },
      task: async () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SweepCheckpointError);
    expect((error as SweepCheckpointError).report).toMatchObject({ outcome: 'completed', done: 3 });
    expect((error as Error).message).toContain('did not finish within 2000 ms');
  });

  it('saves at most every checkpointIntervalMs while it runs', async () => {
    const saves: number[] = [];
    const { task } = timedTask(10);
    await run({
      tenants: ids(200),
      maxConcurrency: 4,
      checkpointIntervalMs: 100,
      checkpoint: { load: async () => undefined, save: async (c) => void saves.push(c.done.length) },
      task,
    });
    // 200 tenants, 4 at a time, 10 ms each: about 500 ms of work, so about 5 saves and the last one.
    expect(saves.length).toBeGreaterThanOrEqual(4);
    expect(saves.length).toBeLessThanOrEqual(8);
    expect(saves.at(-1)).toBe(200);
  });

  it('spaces saves by 4x the last save duration when that is longer than the interval', async () => {
    const saves: number[] = [];
    const { task } = timedTask(10);
    await run({
      tenants: ids(400),
      maxConcurrency: 4,
      initialConcurrency: 4,
      checkpointIntervalMs: 0,
      checkpoint: {
        load: async () => undefined,
        save: async () => {
          saves.push(Date.now());
          await new Promise((resolve) => setTimeout(resolve, 50));
        },
      },
      task,
    });
    // About 1 s of work; each save takes 50 ms, then 200 ms pass before the next: at most 1000 / 250 + the last.
    expect(saves.length).toBeGreaterThanOrEqual(3);
    expect(saves.length).toBeLessThanOrEqual(6);
    // (the first save has no duration before it; the last one is the final save, made at once)
    for (let i = 2; i < saves.length - 1; i++)
      expect((saves[i] ?? 0) - (saves[i - 1] ?? 0)).toBeGreaterThanOrEqual(250);
  });
});

describe('sweepTenants: progress and counts', () => {
  it('reports rate and ETA; a throwing listener does not stop the sweep', async () => {
    const { task } = timedTask(100);
    const seen: SweepProgress[] = [];
    const report = await run({
      tenants: ids(40),
      task,
      initialConcurrency: 2,
      maxConcurrency: 2,
      progressIntervalMs: 1050,
      onProgress: (p) => {
        seen.push(p);
        throw new Error('listener bug');
      },
    });
    expect(report.done).toBe(40);
    // 2 at a time, 100 ms each: at 1.05 s, 20 done (20 / 1.05 s) and 20 pending: 1.05 s left.
    expect(seen[0]).toMatchObject({ done: 20, pending: 20, etaMs: 1050, totalKnown: true });
    expect(seen[0]?.ratePerSecond).toBeCloseTo(20 / 1.05, 6);
  });

  it("counts the handle's requests, 429s and limiter holds; a 429 shrinks the concurrency", async () => {
    const { handle, emit, listeners } = fakeHandle();
    const limits: number[] = [];
    let settled: SweepReport | undefined;
    void sweepTenants(handle, {
      tenants: ids(60),
      initialConcurrency: 2,
      progressIntervalMs: 10,
      onProgress: (p) => limits.push(p.concurrency),
      task: async (id) => {
        emit('onRequest', {});
        if (id === 'tenant-20') emit('onRetry', { status: 429 });
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    }).then((report) => {
      settled = report;
    });
    for (let i = 0; i < 100 && settled === undefined; i++) await vi.advanceTimersByTimeAsync(10);
    expect(settled).toMatchObject({ calls: 60, throttled: 1, done: 60 });
    // 2, doubling per round to 8; 5 (8 x 0.7, not below 2) after the round with the 429, then one more per round.
    const changes = limits.filter((limit, i) => i === 0 || limit !== limits[i - 1]);
    expect(changes.slice(0, 6)).toEqual([2, 4, 8, 5, 6, 7]);
    expect(listeners.get('onRequest')).toEqual([]); // unsubscribed at the end
  });
});

describe('sweepTenants: stalled tasks', () => {
  it('a task running past 4x the median duration (at least 1 s) stops taking a slot: the others go on', async () => {
    const { handle, emit } = fakeHandle();
    const tenants = [...ids(10), 'stuck-a', 'stuck-b', ...ids(30, 10)];
    const seen: SweepProgress[] = [];
    void sweepTenants(handle, {
      tenants,
      initialConcurrency: 2,
      maxConcurrency: 8,
      progressIntervalMs: 5000,
      onProgress: (p) => seen.push(p),
      task: async (id) => {
        // Every request held back by the limiter: the concurrency stays at 2.
        emit('onRequest');
        emit('onRateLimit');
        await new Promise((resolve) => setTimeout(resolve, id.startsWith('stuck') ? 60_000 : 10));
      },
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(seen[0]).toMatchObject({ concurrency: 2, done: 40, running: 2 });
  });
});

describe('sweepTenants: the concurrency floor', () => {
  it('a 429 never takes the concurrency below initialConcurrency', async () => {
    const { handle, emit } = fakeHandle();
    const limits: number[] = [];
    let settled = false;
    void sweepTenants(handle, {
      tenants: ids(20),
      initialConcurrency: 4,
      progressIntervalMs: 10,
      onProgress: (p) => limits.push(p.concurrency),
      task: async (id) => {
        emit('onRequest');
        if (id === 'tenant-0') emit('onRetry', { status: 429 });
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    }).then(() => {
      settled = true;
    });
    for (let i = 0; i < 100 && !settled; i++) await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(true);
    // The first round had the 429: 4 x 0.7 would be 2; it stays 4, then grows by one per round.
    const changes = limits.filter((limit, i) => i === 0 || limit !== limits[i - 1]);
    expect(changes.slice(0, 2)).toEqual([4, 5]);
  });
});
