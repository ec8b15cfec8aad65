import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import type { Call } from '../../../src/policies/call.js';
import { type AttemptSpec, type CallPolicy, composeList, refused } from '../../../src/policies/pipeline.js';
import { OK } from '../../helpers/outcomes.js';
import { makeCall } from '../../helpers/roomCall.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A policy that logs when it enters and leaves, and passes the spec down with its name added to `trail`. */
function logging(name: string, log: string[]): CallPolicy {
  return {
    name,
    async run(_call, spec, next) {
      log.push(`${name} in`);
      const outcome = await next({
        ...spec,
        trail: [...((spec as { trail?: string[] }).trail ?? []), name],
      } as AttemptSpec);
      log.push(`${name} out`);
      return outcome;
    },
  };
}

describe('composeList', () => {
  it('runs the policies outermost first, the attempt last, and unwinds in reverse', async () => {
    const log: string[] = [];
    const specs: AttemptSpec[] = [];
    const run = composeList(
      [logging('a', log), logging('b', log), logging('c', log)],
      async (_call, spec) => {
        log.push('send');
        specs.push(spec);
        return OK;
      },
    );
    const outcome = await run(makeCall(), { retry: false });
    expect(outcome).toBe(OK);
    expect(log).toEqual(['a in', 'b in', 'c in', 'send', 'c out', 'b out', 'a out']);
    // Each policy's spec reaches the next one down, with the call's own fields kept.
    expect(specs).toEqual([{ retry: false, trail: ['a', 'b', 'c'] }]);
  });

  it('hands every policy and the attempt the same call', async () => {
    const seen: Call[] = [];
    const watching: CallPolicy = {
      name: 'watch',
      run(call, spec, next) {
        seen.push(call);
        return next(spec);
      },
    };
    const call = makeCall();
    const run = composeList([watching, watching], async (c) => {
      seen.push(c);
      return OK;
    });
    await run(call, { retry: false });
    expect(seen).toEqual([call, call, call]);
  });

  it('lets a policy run the rest of the list more than once (a retry)', async () => {
    const send = vi.fn(async () => OK);
    const twice: CallPolicy = {
      name: 'twice',
      async run(_call, spec, next) {
        await next(spec);
        return next({ retry: true });
      },
    };
    await composeList([twice], send)(makeCall(), { retry: false });
    expect(send.mock.calls.map((args) => (args as unknown as [Call, AttemptSpec])[1].retry)).toEqual([
      false,
      true,
    ]);
  });

  it('with no policy, is the attempt itself', async () => {
    const send = vi.fn(async () => OK);
    await expect(composeList([], send)(makeCall(), { retry: false })).resolves.toBe(OK);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("turns a policy's throw into a failure outcome, nothing sent, normalised with the call's ids", async () => {
    const send = vi.fn(async () => OK);
    const log: string[] = [];
    const throwing: CallPolicy = {
      name: 'throws',
      run() {
        throw new Error('policy bug');
      },
    };
    const call = makeCall();
    const outcome = await composeList([logging('outer', log), throwing], send)(call, { retry: false });
    expect(send).not.toHaveBeenCalled();
    // The throw goes up through the outer policy (no frame of the list's own per level), and becomes the
    // outcome at the top.
    expect(log).toEqual(['outer in']);
    expect(outcome.failure).toBeInstanceOf(PartnerCenterError);
    expect(outcome.failure !== undefined && outcome.sent).toBe(false);
    expect(outcome.failure?.requestId).toBe(call.requestId);
    expect(outcome.failure?.correlationId).toBe(call.correlationId);
  });

  it('keeps a PartnerCenterError a policy rejects with as it is', async () => {
    const error = new PartnerCenterError({ kind: 'throttled', retryable: false, reason: 'too long' });
    const rejecting: CallPolicy = { name: 'rejects', run: () => Promise.reject(error) };
    const outcome = await composeList([rejecting], async () => OK)(makeCall(), { retry: false });
    expect(outcome).toEqual({ failure: error, sent: false });
    expect(outcome.failure).toBe(error);
  });

  it('lets a throw below a policy reach that policy as a rejection (its finally runs), an outcome at the top', async () => {
    const error = new PartnerCenterError({ kind: 'network', retryable: true, reason: 'reset' });
    const seen: unknown[] = [];
    const watching: CallPolicy = {
      name: 'watch',
      async run(_call, spec, next) {
        try {
          return await next(spec);
        } catch (thrown: unknown) {
          seen.push(thrown);
          throw thrown;
        }
      },
    };
    const inner: CallPolicy = {
      name: 'inner',
      run: async () => {
        throw error;
      },
    };
    const outcome = await composeList([watching, inner], async () => OK)(makeCall(), { retry: false });
    expect(seen).toEqual([error]);
    expect(outcome).toEqual({ failure: error, sent: false });
  });
});

describe('refused', () => {
  it('is a failure nothing was sent for', () => {
    const error = new PartnerCenterError({ kind: 'circuit-open', retryable: false });
    expect(refused(error)).toEqual({ failure: error, sent: false });
  });
});
