import axios, { type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { type PollOperationOptions, pollOperation, ResilienceOptionsError } from '../../../../src/index.js';
import { defaultSanitizer } from '../../../../src/observability/sanitizer.js';
import {
  defaultOperationState,
  operationStatusOf,
  pollSettingsOf,
} from '../../../../src/workflows/operations/pollOptions.js';
import { attachScripted, useFakeClock } from '../../../helpers/attachScripted.js';
import { issuesOf } from '../optionIssues.js';

useFakeClock();

const FAST = { retry: { baseDelayMs: 10, maxDelayMs: 50, jitter: 'none' as const } };
const STATUS_URL = '/v1/customers/c1/subscriptions/s1/registrationstatus';

describe('pollSettingsOf: the settings a pollOperation call runs with', () => {
  it('fills in the defaults; the floor follows a lower maxIntervalMs', () => {
    const { handle } = attachScripted([{ status: 200 }]);
    const settings = pollSettingsOf(handle, STATUS_URL, {});
    expect(settings.client).toEqual({ instance: handle.instance, sanitizer: handle.sanitizer });
    expect(settings).toMatchObject({
      intervalMs: 5_000,
      minIntervalMs: 1_000,
      maxIntervalMs: 60_000,
      timeoutMs: 600_000,
      notBefore: undefined,
      request: undefined,
      onPoll: undefined,
    });
    expect(settings.classify).toBe(defaultOperationState);
    expect(settings.signal.aborted).toBe(false);
    expect(pollSettingsOf(handle, STATUS_URL, { maxIntervalMs: 400 }).minIntervalMs).toBe(400);
    expect(pollSettingsOf(handle, STATUS_URL, { maxIntervalMs: 4_000 }).minIntervalMs).toBe(1_000);
  });

  it("reads the signal through the engine's abort interface", () => {
    const controller = new AbortController();
    const settings = pollSettingsOf(axios.create(), STATUS_URL, { signal: controller.signal });
    expect(settings.client.sanitizer).toBe(defaultSanitizer);
    let heard = 0;
    settings.signal.onAbort(() => heard++);
    controller.abort();
    expect(settings.signal.aborted).toBe(true);
    expect(heard).toBe(1);
  });
});

describe('pollOperation options: validated with zod, each problem named by its path', () => {
  const instance = axios.create();

  it('a misspelt key: named with the option it most likely means', () => {
    expect(
      issuesOf(() => pollSettingsOf(instance, STATUS_URL, { notbefore: 1 } as PollOperationOptions)),
    ).toEqual(['pollOperation: notbefore: unknown option (did you mean notBefore?)']);
  });

  it('a wrong type: the option and what it must be', () => {
    const options = { classify: 'done', timeoutMs: '30s' } as unknown as PollOperationOptions;
    expect(issuesOf(() => pollSettingsOf(instance, STATUS_URL, options))).toEqual([
      'pollOperation: timeoutMs must be an integer from 1 to 2147483647 (got 30s)',
      'pollOperation: classify must be a function',
    ]);
  });

  it('a bad number: the bounds and the value, and the cross-check beside it', () => {
    expect(
      issuesOf(() => pollSettingsOf(instance, STATUS_URL, { intervalMs: -1, minIntervalMs: 90_000 })),
    ).toEqual([
      'pollOperation: intervalMs must be an integer from 0 to 2147483647 (got -1)',
      'pollOperation: minIntervalMs (90000) must not exceed maxIntervalMs (60000, its default)',
    ]);
    const wrongType = { intervalMs: 'soon', minIntervalMs: 2_000, maxIntervalMs: 1_000 };
    expect(
      issuesOf(() => pollSettingsOf(instance, STATUS_URL, wrongType as unknown as PollOperationOptions)),
    ).toEqual([
      'pollOperation: intervalMs must be an integer from 0 to 2147483647 (got soon)',
      'pollOperation: minIntervalMs (2000) must not exceed maxIntervalMs (1000)',
    ]);
  });

  it('the other arguments are named with the options: the client and the operation', () => {
    expect(issuesOf(() => pollSettingsOf(null as unknown as typeof instance, 42, {}))).toEqual([
      'pollOperation: the first argument must be the handle attachResilience returned or an axios instance',
      'pollOperation: the operation must be the response that started it (with a Location header) or its Location URL',
    ]);
  });
});

describe('operationStatusOf', () => {
  it('reads a string status only', () => {
    expect(operationStatusOf({ status: 'Running' })).toBe('Running');
    expect(operationStatusOf({ status: 3 })).toBeUndefined();
    expect(operationStatusOf(['running'])).toBeUndefined();
    expect(operationStatusOf(null)).toBeUndefined();
  });
});

describe('pollOperation: option names', () => {
  it('refuses a misspelt option, naming its path and the option it most likely means, before polling', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: {} }], FAST);
    const misspelt = { timeoutMS: 30_000, intervalMS: 1_000, retryAfter: 1 } as PollOperationOptions;
    const error = await pollOperation(instance, STATUS_URL, misspelt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResilienceOptionsError);
    expect((error as ResilienceOptionsError).issues).toEqual([
      'pollOperation: timeoutMS: unknown option (did you mean timeoutMs?)',
      'pollOperation: intervalMS: unknown option (did you mean intervalMs?)',
      'pollOperation: retryAfter: unknown option',
    ]);
    expect(hits).toHaveLength(0);
  });

  it('refuses request fields the poll sets itself, and options that are not an object', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: {} }], FAST);
    const signal = new AbortController().signal;
    const request = { signal, params: { a: 1 }, headers: { 'X-Locale': 'de-DE' } };
    const error = await pollOperation(instance, STATUS_URL, { request } as PollOperationOptions).catch(
      (e: unknown) => e,
    );
    expect((error as ResilienceOptionsError).issues).toEqual([
      'pollOperation: request.params: not allowed (put the query in the URL)',
      'pollOperation: request.signal: not allowed (pass it as the signal option)',
    ]);
    await expect(
      pollOperation(instance, STATUS_URL, null as unknown as PollOperationOptions),
    ).rejects.toThrow('pollOperation: options must be an object (got null)');
    expect(hits).toHaveLength(0);
  });
});

describe('defaultOperationState', () => {
  const answer = (status: number, data: unknown) => ({ status, data }) as AxiosResponse;
  it.each([
    [202, '', 'running'],
    [202, { status: 'succeeded' }, 'running'],
    [200, { status: 'NotStarted' }, 'running'],
    [200, { status: 'In Progress' }, 'running'],
    [200, { status: 'registering' }, 'running'],
    [200, { status: 'Accepted' }, 'running'],
    [200, { status: 'pending' }, 'running'],
    [201, { status: 'Failed' }, 'failed'],
    [200, { status: 'canceled' }, 'failed'],
    [200, { status: 'registered' }, 'done'],
    [200, { status: 3 }, 'done'],
    [204, '', 'done'],
    [200, ['running'], 'done'],
  ])('%s %j -> %s', (status, data, expected) => {
    expect(defaultOperationState(answer(status, data))).toBe(expected);
  });
});
