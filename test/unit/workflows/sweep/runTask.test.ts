import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isPartnerCenterError } from '../../../../src/index.js';
import type { SweepTaskContext } from '../../../../src/sweep.js';
import { runTask } from '../../../../src/workflows/sweep/runTask.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const input = { tenantId: 't1', attempt: 2, timeoutMs: 1000, cancel: undefined };

/** A task that ends only when its signal aborts (recording the context it got), or never when `deaf`. */
function hanging(contexts: SweepTaskContext[], deaf = false) {
  return (_tenantId: string, context: SweepTaskContext) => {
    contexts.push(context);
    return new Promise<never>((_, reject) => {
      if (!deaf) context.signal.addEventListener('abort', () => reject(context.signal.reason));
    });
  };
}

describe('runTask', () => {
  it('hands the task its tenant, attempt and a live signal; a resolve is done, a throw failed', async () => {
    const contexts: SweepTaskContext[] = [];
    const done = await runTask(async (_id, context) => {
      contexts.push(context);
    }, input);
    expect(done).toEqual({ ended: 'done' });
    expect(contexts[0]).toMatchObject({ tenantId: 't1', attempt: 2 });
    expect(contexts[0]?.signal.aborted).toBe(false);
    const boom = new Error('boom');
    expect(
      await runTask(() => {
        throw boom;
      }, input),
    ).toEqual({ ended: 'failed', error: boom });
  });

  it('past timeoutMs: the signal aborts and the attempt ends as a timeout, even when the task ignores it', async () => {
    const contexts: SweepTaskContext[] = [];
    const outcome = runTask(hanging(contexts, true), input);
    await vi.advanceTimersByTimeAsync(999);
    expect(contexts[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const ended = await outcome;
    expect(ended.ended).toBe('timeout');
    expect(contexts[0]?.signal.aborted).toBe(true);
    const error = ended.ended === 'timeout' ? ended.error : undefined;
    expect(isPartnerCenterError(error) && error.kind).toBe('timeout');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancel aborts the signal and ends the attempt as cancelled; one aborted already starts no task', async () => {
    const contexts: SweepTaskContext[] = [];
    const cancel = new AbortController();
    const outcome = runTask(hanging(contexts), { ...input, cancel: cancel.signal });
    await vi.advanceTimersByTimeAsync(10);
    cancel.abort();
    expect(await outcome).toEqual({ ended: 'cancelled' });
    expect(contexts[0]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const task = vi.fn(async () => undefined);
    expect(await runTask(task, { ...input, cancel: cancel.signal })).toEqual({ ended: 'cancelled' });
    await vi.advanceTimersByTimeAsync(0);
    expect(task).not.toHaveBeenCalled();
  });
});
