import type { AxiosResponse } from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { isCancelledError } from '../../../../src/advanced.js';
import { isPartnerCenterError, ResilienceOptionsError } from '../../../../src/index.js';
import { pollOperation } from '../../../../src/workflows/operations/pollOperation.js';
import { attachScripted, PARTNER_CENTER, useFakeClock } from '../../../helpers/attachScripted.js';
import type { Step } from '../../../helpers/scriptedAdapter.js';
import { capture, settle } from '../../../helpers/settle.js';

useFakeClock();

const FAST = { retry: { baseDelayMs: 10, maxDelayMs: 50, jitter: 'none' as const } };
const STATUS_URL = '/v1/customers/c1/subscriptions/s1/registrationstatus';

/** The 202 that starts an operation, as the instance would have returned it. */
function accepted(
  headers: Record<string, string> = { location: STATUS_URL, 'retry-after': '1' },
): AxiosResponse {
  return { status: 202, statusText: 'Accepted', headers, data: '', config: { headers: {} } } as AxiosResponse;
}

describe('pollOperation: waiting', () => {
  it('never polls before Retry-After: 202 (8 s), 202 (7 s), then 200 resolves', async () => {
    // Both waits are longer than intervalMs (5 s by default) and the floor (1 s): a poll at the interval,
    // at the shorter of the two, or a millisecond early is seen.
    const { instance, hits } = attachScripted(
      [
        { status: 202, headers: { 'retry-after': '7' } },
        { status: 200, data: { status: 'registered', subscriptionId: 's1' } },
      ],
      FAST,
    );
    const start = Date.now();
    const outcome = capture(pollOperation(instance, accepted({ location: STATUS_URL, 'retry-after': '8' })));
    await vi.advanceTimersByTimeAsync(7_999);
    expect(hits).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(6_999);
    expect(hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const { value } = await outcome;
    expect(hits.map((h) => h.at - start)).toEqual([8_000, 15_000]);
    expect(hits.map((h) => [h.method, h.url])).toEqual([
      ['GET', `${PARTNER_CENTER}${STATUS_URL}`],
      ['GET', `${PARTNER_CENTER}${STATUS_URL}`],
    ]);
    expect(value?.status).toBe(200);
    expect(value?.data).toEqual({ status: 'registered', subscriptionId: 's1' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads an HTTP-date Retry-After against the clock', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: {} }], FAST);
    const start = Date.now();
    const at = new Date(start + 3_000).toUTCString();
    const outcome = capture(pollOperation(instance, accepted({ location: STATUS_URL, 'retry-after': at })));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(hits).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((await outcome).value?.status).toBe(200);
    expect(hits.map((h) => h.at - start)).toEqual([3_000]);
  });

  it('polls a saved Location URL at once, then every intervalMs while the body says running', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 200, data: { status: 'InProgress' } },
        { status: 200, data: { status: 'not_started' } },
        { status: 200, data: { status: 'Succeeded' } },
      ],
      FAST,
    );
    const start = Date.now();
    const { value } = await settle(pollOperation(instance, `${PARTNER_CENTER}${STATUS_URL}`));
    expect(value?.data).toEqual({ status: 'Succeeded' });
    expect(hits.map((h) => h.at - start)).toEqual([0, 5_000, 10_000]);
  });

  it('resumes a saved Location no earlier than notBefore (the saved Retry-After deadline)', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: { status: 'Succeeded' } }], FAST);
    const start = Date.now();
    const { value } = await settle(
      pollOperation(instance, `${PARTNER_CENTER}${STATUS_URL}`, { notBefore: start + 3_000 }),
    );
    expect(value?.data).toEqual({ status: 'Succeeded' });
    expect(hits.map((h) => h.at - start)).toEqual([3_000]);
  });

  it('fails at once, without polling, when notBefore is further away than maxIntervalMs; refuses a bad notBefore', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: { status: 'Succeeded' } }], FAST);
    const far = await capture(
      pollOperation(instance, `${PARTNER_CENTER}${STATUS_URL}`, { notBefore: Date.now() + 120_000 }),
    );
    expect(isPartnerCenterError(far.error) && far.error.kind).toBe('timeout');
    expect(hits).toHaveLength(0);
    await expect(
      pollOperation(instance, `${PARTNER_CENTER}${STATUS_URL}`, { notBefore: -1 }),
    ).rejects.toThrow(/notBefore must be an integer/);
  });

  it('follows a new Location of a 202, and caps intervalMs by maxIntervalMs', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 202, headers: { location: '/v1/operations/2' } },
        { status: 200, data: { done: true } },
      ],
      FAST,
    );
    const start = Date.now();
    const { value } = await settle(
      pollOperation(instance, '/v1/operations/1', { intervalMs: 9_000, maxIntervalMs: 2_000 }),
    );
    expect(value?.data).toEqual({ done: true });
    expect(hits.map((h) => [h.url, h.at - start])).toEqual([
      [`${PARTNER_CENTER}/v1/operations/1`, 0],
      [`${PARTNER_CENTER}/v1/operations/2`, 2_000],
    ]);
  });

  it('polls a Location that is a path from the host on the origin, also when the baseURL ends in /v1', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 202, headers: { location: '/v1/operations/2', 'retry-after': '1' } },
        { status: 200, data: { status: 'registered' } },
        { status: 200, data: { status: 'registered' } },
      ],
      FAST,
    );
    instance.defaults.baseURL = `${PARTNER_CENTER}/v1`;
    const response = accepted();
    response.config = {
      headers: {},
      baseURL: `${PARTNER_CENTER}/v1`,
      url: '/customers/c1/registrations',
    } as typeof response.config;

    expect((await settle(pollOperation(instance, response))).value?.status).toBe(200);
    expect((await settle(pollOperation(instance, STATUS_URL))).value?.status).toBe(200);
    expect(hits.map((h) => h.url)).toEqual([
      `${PARTNER_CENTER}${STATUS_URL}`,
      `${PARTNER_CENTER}/v1/operations/2`,
      `${PARTNER_CENTER}${STATUS_URL}`,
    ]);
  });

  it('polls a Location that is a path from the host on the origin of an absolute request, without baseURL', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: { status: 'registered' } }], FAST);
    delete instance.defaults.baseURL;
    const response = accepted();
    response.config = {
      headers: {},
      url: `${PARTNER_CENTER}/v1/customers/c1/registrations`,
    } as typeof response.config;

    expect((await settle(pollOperation(instance, response))).value?.status).toBe(200);
    expect(hits.map((h) => h.url)).toEqual([`${PARTNER_CENTER}${STATUS_URL}`]);
  });

  it('lets the engine retry a throttled poll (429 + Retry-After)', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 429, headers: { 'retry-after': '3' } },
        { status: 200, data: { status: 'completed' } },
      ],
      FAST,
    );
    const start = Date.now();
    const { value } = await settle(pollOperation(instance, STATUS_URL));
    expect(value?.status).toBe(200);
    expect(hits.map((h) => h.at - start)).toEqual([0, 3_000]);
    expect(hits[0]?.headers['ms-requestid']).toBe(hits[1]?.headers['ms-requestid']);
  });
});

describe('pollOperation: the floor (minIntervalMs)', () => {
  const pastDate = () => new Date(Date.now() - 5_000).toUTCString();

  it.each([
    ['Retry-After: 0', () => '0'],
    ['an HTTP-date in the past', pastDate],
  ])('reads %s as "now" once, then polls no faster than the 1000 ms floor', async (_name, retryAfter) => {
    const { instance, hits } = attachScripted(
      (_hit, index) =>
        index < 3
          ? { status: 202, headers: { 'retry-after': retryAfter() } }
          : { status: 200, data: { status: 'succeeded' } },
      FAST,
    );
    const start = Date.now();
    const { value } = await settle(
      pollOperation(instance, accepted({ location: STATUS_URL, 'retry-after': retryAfter() })),
    );
    expect(value?.status).toBe(200);
    expect(hits.map((h) => h.at - start)).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it('a server that keeps saying "now" is polled once per second, not in a loop', async () => {
    // Each answer takes 1 ms (a timer), so that a loop without a floor still lets the fake clock run.
    const { instance, hits } = attachScripted(
      [{ status: 202, headers: { 'retry-after': '0' }, delayMs: 1 }],
      FAST,
    );
    const outcome = capture(pollOperation(instance, `${PARTNER_CENTER}${STATUS_URL}`, { timeoutMs: 1_500 }));
    await vi.advanceTimersByTimeAsync(1_500);
    const { error } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(hits).toHaveLength(2);
  });

  it('raises intervalMs and a short Retry-After to minIntervalMs after a poll; a longer wait is kept', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 200, data: { status: 'running' } },
        { status: 202, headers: { 'retry-after-ms': '10' } },
        { status: 202, headers: { 'retry-after': '3' } },
        { status: 200, data: { status: 'succeeded' } },
      ],
      FAST,
    );
    const start = Date.now();
    const { value } = await settle(
      pollOperation(instance, STATUS_URL, { intervalMs: 0, minIntervalMs: 250, maxIntervalMs: 5_000 }),
    );
    expect(value?.data).toEqual({ status: 'succeeded' });
    expect(hits.map((h) => h.at - start)).toEqual([0, 250, 500, 3_500]);
  });

  it('lowers the default floor to a smaller maxIntervalMs, and refuses a floor of 0 or above maxIntervalMs', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 202, headers: { 'retry-after': '0' } },
        { status: 200, data: {} },
      ],
      FAST,
    );
    const start = Date.now();
    await settle(pollOperation(instance, STATUS_URL, { maxIntervalMs: 400 }));
    expect(hits.map((h) => h.at - start)).toEqual([0, 400]);
    await expect(pollOperation(instance, STATUS_URL, { minIntervalMs: 0 })).rejects.toThrow(
      /minIntervalMs must be an integer from 1/,
    );
    await expect(
      pollOperation(instance, STATUS_URL, { minIntervalMs: 2_000, maxIntervalMs: 1_000 }),
    ).rejects.toThrow(/minIntervalMs \(2000\) must not exceed maxIntervalMs \(1000\)/);
    await expect(pollOperation(instance, STATUS_URL, { minIntervalMs: 90_000 })).rejects.toThrow(
      'minIntervalMs (90000) must not exceed maxIntervalMs (60000, its default)',
    );
    await expect(pollOperation(instance, STATUS_URL, { maxIntervalMs: 0 })).rejects.toThrow(
      /maxIntervalMs must be an integer from 1/,
    );
    expect(hits).toHaveLength(2);
  });
});

describe('pollOperation: outcomes', () => {
  it('rejects with operation-failed when the status says failed, with the body code and message', async () => {
    const { instance } = attachScripted(
      [{ status: 200, data: { status: 'Failed', error: { code: 'RegistrationFailed', message: 'quota' } } }],
      FAST,
    );
    const { error } = await settle(pollOperation(instance, STATUS_URL));
    expect(isPartnerCenterError(error, 'operation-failed')).toBe(true);
    expect(error?.retryable).toBe(false);
    expect(error?.status).toBe(200);
    expect(error?.code).toBe('RegistrationFailed');
    expect(error?.description).toBe('quota');
    expect(error?.reason).toBe('the operation reported status "Failed"');
    expect(error?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['canceled', 'Cancelled', 'ERROR'])('treats status %s as failed', async (status) => {
    const { instance } = attachScripted([{ status: 200, data: { status } }], FAST);
    const { error } = await settle(pollOperation(instance, STATUS_URL));
    expect(error?.kind).toBe('operation-failed');
  });

  it('lets classify decide, and rejects with what classify or onPoll throw', async () => {
    const steps: Step[] = [
      { status: 200, data: { state: 'busy' } },
      { status: 200, data: { state: 'ok' } },
    ];
    const { instance, hits } = attachScripted(steps, FAST);
    const seen: unknown[] = [];
    const { value } = await settle(
      pollOperation(instance, STATUS_URL, {
        classify: (r) => ((r.data as { state: string }).state === 'busy' ? 'running' : 'done'),
        onPoll: (r) => void seen.push(r.data),
      }),
    );
    expect(value?.data).toEqual({ state: 'ok' });
    expect(seen).toHaveLength(2);
    expect(hits).toHaveLength(2);

    const boom = new Error('hook');
    const again = attachScripted([{ status: 200, data: {} }], FAST);
    const rejected = pollOperation(again.instance, STATUS_URL, {
      onPoll: () => {
        throw boom;
      },
    });
    await expect(rejected).rejects.toBe(boom);
    const failed = await settle(pollOperation(again.instance, STATUS_URL, { classify: () => 'failed' }));
    expect(failed.error?.kind).toBe('operation-failed');
  });

  it('hands an engine failure of a poll to the caller as it is', async () => {
    const { instance } = attachScripted([{ status: 404, data: { code: 404, description: 'gone' } }], FAST);
    const { error } = await settle(pollOperation(instance, STATUS_URL));
    expect(error?.kind).toBe('not-found');
  });

  it('turns a non-2xx answer let through by validateStatus into its error', async () => {
    const { instance } = attachScripted([{ status: 404, data: { code: 404, description: 'gone' } }], FAST);
    instance.defaults.validateStatus = () => true;
    const { error } = await settle(pollOperation(instance, STATUS_URL, { classify: () => 'done' }));
    expect(error?.kind).toBe('not-found');
    expect(error?.description).toBe('gone');
  });

  it('refuses a response without Location (client) and invalid options', async () => {
    const { instance, hits } = attachScripted([{ status: 200 }], FAST);
    const { error } = await settle(pollOperation(instance, accepted({ 'retry-after': '1' })));
    expect(error?.kind).toBe('client');
    expect(error?.reason).toContain('no Location header');
    await expect(pollOperation(instance, STATUS_URL, { timeoutMs: 2 ** 31 })).rejects.toThrow(
      ResilienceOptionsError,
    );
    await expect(pollOperation(instance, '')).rejects.toThrow(/Location URL/);
    expect(hits).toHaveLength(0);
  });
});

describe('pollOperation: bounds', () => {
  it('fails at once with timeout, without polling, when Retry-After is beyond maxIntervalMs', async () => {
    const { instance, hits } = attachScripted([{ status: 200 }], FAST);
    const start = Date.now();
    const { error } = await capture(
      pollOperation(instance, accepted({ location: STATUS_URL, 'retry-after': '120' })),
    );
    expect(Date.now()).toBe(start);
    expect(error?.kind).toBe('timeout');
    expect(error?.retryAfterMs).toBe(120_000);
    expect(error?.reason).toContain('more than maxIntervalMs (60000 ms)');
    expect(error?.url).toBe(`${PARTNER_CENTER}${STATUS_URL}`);
    expect(hits).toHaveLength(0);
  });

  it('fails at once with timeout when the next Retry-After is beyond the time left', async () => {
    const { instance, hits } = attachScripted([{ status: 202, headers: { 'retry-after': '30' } }], FAST);
    const start = Date.now();
    const outcome = capture(pollOperation(instance, accepted(), { timeoutMs: 20_000 }));
    await vi.advanceTimersByTimeAsync(1_000);
    const { error } = await outcome;
    expect(hits.map((h) => h.at - start)).toEqual([1_000]);
    expect(error?.kind).toBe('timeout');
    expect(error?.status).toBe(202);
    expect(error?.reason).toContain('timeoutMs (20000 ms)');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an abort during the wait settles at once with cancelled and leaves no timer', async () => {
    const { instance, hits } = attachScripted([{ status: 200 }], FAST);
    const controller = new AbortController();
    const outcome = capture(
      pollOperation(instance, accepted({ location: STATUS_URL, 'retry-after': '30' }), {
        signal: controller.signal,
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    const { error } = await outcome;
    expect(isCancelledError(error)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(hits).toHaveLength(0);
  });

  it('an abort during a poll request settles at once with the engine cancelled error', async () => {
    const { instance } = attachScripted([{ status: 200, delayMs: 60_000 }], FAST);
    const controller = new AbortController();
    const outcome = capture(pollOperation(instance, STATUS_URL, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    const { error } = await outcome;
    expect(error?.kind).toBe('cancelled');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts a poll still in flight when timeoutMs runs out, and fails with timeout', async () => {
    const { instance, hits } = attachScripted([{ status: 200, delayMs: 120_000 }], FAST);
    const start = Date.now();
    const { error } = await settle(pollOperation(instance, STATUS_URL, { timeoutMs: 30_000 }));
    expect(error?.kind).toBe('timeout');
    expect(error?.reason).toContain('timeoutMs (30000 ms) ran out while a poll was in flight');
    expect(Date.now() - start).toBe(30_000);
    expect(hits).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives a poll in flight only the time left: Retry-After 10 s, then a hanging poll, ends at timeoutMs (30 s), not 40 s', async () => {
    const { instance, hits } = attachScripted([{ hang: true }], FAST);
    const start = Date.now();
    const outcome = capture(
      pollOperation(instance, accepted({ location: STATUS_URL, 'retry-after': '10' }), { timeoutMs: 30_000 }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hits.map((h) => h.at - start)).toEqual([10_000]);
    await vi.advanceTimersByTimeAsync(19_999);
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    const { error } = await outcome;
    expect(Date.now() - start).toBe(30_000);
    expect(error?.kind).toBe('timeout');
    expect(error?.reason).toContain('timeoutMs (30000 ms) ran out while a poll was in flight');
    expect(hits).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves the instance's own time budget to the engine (no axios timeout is set on a poll)", async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: {} }], FAST);
    const request = Object.freeze({ headers: Object.freeze({ 'X-Locale': 'de-DE' }) });
    const { value } = await settle(pollOperation(instance, STATUS_URL, { request }));
    expect(value?.config.timeout).toBe(0);
    expect(hits[0]?.headers['x-locale']).toBe('de-DE');
    expect(request.headers).toEqual({ 'X-Locale': 'de-DE' });
  });
});

describe('pollOperation: the Location must keep the origin (the bearer token goes with every poll)', () => {
  const TOKEN = {
    tokenProvider: { getToken: async () => ({ token: 'tok-secret', expiresOnTimestamp: 4e12 }) },
  };
  const OPTIONS = { ...FAST, ...TOKEN };

  it.each([
    ['another host', 'https://evil.example/v1/operations/1', /another origin \(https:\/\/evil\.example\/\)/],
    [
      'a protocol-relative host',
      '//evil.example/v1/operations/1',
      /another origin \(https:\/\/evil\.example\/\)/,
    ],
    ['an http downgrade', `http://api.partnercenter.microsoft.com${STATUS_URL}`, /another origin \(http:/],
    ['userinfo naming the host', 'https://api.partnercenter.microsoft.com@evil.example/', /userinfo/],
    ['userinfo on the right host', `https://u:p@api.partnercenter.microsoft.com${STATUS_URL}`, /userinfo/],
    ['another port', `https://api.partnercenter.microsoft.com:8443${STATUS_URL}`, /another origin/],
  ])('refuses a 202 whose Location is %s, at once and without polling', async (_name, location, reason) => {
    const { instance, hits } = attachScripted([{ status: 200, data: { status: 'done' } }], OPTIONS);
    const start = Date.now();
    const { error } = await settle(pollOperation(instance, accepted({ location, 'retry-after': '1' })));
    expect(error?.kind).toBe('client');
    expect(error?.retryable).toBe(false);
    expect(error?.status).toBe(202);
    expect(error?.reason).toMatch(reason);
    expect(error?.reason).toContain('it is not polled (the bearer token would be sent there)');
    expect(hits).toHaveLength(0);
    expect(Date.now()).toBe(start);
    expect(JSON.stringify(error)).not.toMatch(/u:p@|tok-secret/);
  });

  it('refuses a new Location of a later 202 on another origin: only the first origin was polled', async () => {
    const { instance, hits } = attachScripted(
      [
        { status: 202, headers: { location: '//evil.example/v1/operations/2', 'retry-after': '1' } },
        { status: 200, data: { status: 'done' } },
      ],
      OPTIONS,
    );
    const { error } = await settle(pollOperation(instance, accepted()));
    expect(error?.kind).toBe('client');
    expect(error?.reason).toMatch(
      /another origin \(https:\/\/evil\.example\/\) than the request that answered it/,
    );
    expect(hits.map((h) => [h.url, h.headers['authorization']])).toEqual([
      [`${PARTNER_CENTER}${STATUS_URL}`, 'Bearer tok-secret'],
    ]);
  });

  it('refuses a saved Location of another origin than the baseURL', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: {} }], OPTIONS);
    for (const saved of ['https://evil.example/v1/operations/1', '//evil.example/v1/operations/1']) {
      const { error } = await settle(pollOperation(instance, saved));
      expect(error?.kind).toBe('client');
      expect(error?.reason).toMatch(/another origin \(https:\/\/evil\.example\/\) than the baseURL/);
    }
    expect(hits).toHaveLength(0);
  });

  it('polls a protocol-relative Location of the same host over the scheme of the request that answered it', async () => {
    const { instance, hits } = attachScripted([{ status: 200, data: { status: 'done' } }], OPTIONS);
    instance.defaults.baseURL = `${PARTNER_CENTER}/v1`;
    const location = `//api.partnercenter.microsoft.com${STATUS_URL}`;
    const { value } = await settle(pollOperation(instance, accepted({ location })));
    expect(value?.status).toBe(200);
    expect(hits.map((h) => [h.url, h.headers['authorization']])).toEqual([
      [`${PARTNER_CENTER}${STATUS_URL}`, 'Bearer tok-secret'],
    ]);
  });
});

describe('pollOperation: the client it is given', () => {
  it('polls through the handle as through its instance', async () => {
    const { handle, hits } = attachScripted([{ status: 200, data: { status: 'registered' } }], FAST);
    const { value } = await settle(pollOperation(handle, STATUS_URL));
    expect(value?.data).toEqual({ status: 'registered' });
    expect(hits.map((h) => h.url)).toEqual([`${PARTNER_CENTER}${STATUS_URL}`]);
  });

  it('refuses anything else before polling', async () => {
    const notAClient = { get: () => undefined } as unknown as Parameters<typeof pollOperation>[0];
    await expect(pollOperation(notAClient, STATUS_URL)).rejects.toThrow(
      'pollOperation: the first argument must be the handle attachResilience returned or an axios instance',
    );
  });
});
