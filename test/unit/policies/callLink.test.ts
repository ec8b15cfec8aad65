import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { isPartnerCenterError } from '../../../src/errors/normalizeError.js';
import type { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { attachResilience, type ResilienceOptions } from '../../../src/index.js';
import { PARTNER_CENTER, useFakeClock } from '../../helpers/attachScripted.js';
import { noSlowStart } from '../../helpers/noSlowStart.js';
import { type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { capture, settle } from '../../helpers/settle.js';

// Issue 25: a re-send of error.config continues the logical call it came from, and extends nothing.

useFakeClock();

const FAST: ResilienceOptions = {
  retry: { baseDelayMs: 10, maxDelayMs: 10 },
  timeout: { attemptMs: 1_000, totalMs: 30_000 },
};

function setup(steps: Step[], options: ResilienceOptions = {}) {
  const scripted = scriptedAdapter(steps);
  const instance = axios.create({ adapter: scripted.adapter, baseURL: PARTNER_CENTER });
  // Re-sends, not the limiter's first contact: no slow start (fake timers move only where a test says).
  const handle = attachResilience(instance, noSlowStart({ ...FAST, ...options }));
  return { ...scripted, instance, handle };
}

async function failed(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const { error } = await settle(promise);
  if (error === undefined) throw new Error('expected the call to fail');
  return error;
}

function configOf(error: PartnerCenterError): InternalAxiosRequestConfig {
  const config = error.config;
  if (config === undefined) throw new Error('the error has no config');
  return config;
}

describe('a re-send of error.config', () => {
  it('continues the call: same ids, attempts counted on, the rest of the limit only', async () => {
    const { instance, hits } = setup([{ status: 401 }]);
    const first = await failed(instance.get('/v1/customers'));
    expect(first.attempts).toBe(1);
    expect(hits).toHaveLength(1);
    const second = await failed(instance.request(configOf(first)));
    expect(second.attempts).toBe(2);
    expect(hits).toHaveLength(2);
    expect(second.requestId).toBe(first.requestId);
    expect(hits[1]?.headers['ms-requestid']).toBe(hits[0]?.headers['ms-requestid']);
    expect(hits[1]?.headers['ms-correlationid']).toBe(hits[0]?.headers['ms-correlationid']);
  });

  it('a 503 re-sent after 1 of 4 attempts gets the 3 left, not 4 more', async () => {
    // maxAttempts 1 for the first part only: the re-send keeps the first part's limit (extends nothing).
    const { instance, hits } = setup([{ status: 503 }]);
    const first = await failed(instance.get('/v1/customers', { partnerCenter: { retry: false } }));
    expect(hits).toHaveLength(1);
    const config = configOf(first);
    config.partnerCenter = {};
    const again = await failed(instance.request(config));
    expect(hits).toHaveLength(1);
    expect(again.reason).toMatch(/1 attempts are spent: the re-sent request was not sent/);
  });

  it('fails at once with the last error, nothing sent, once the attempts are spent', async () => {
    const { instance, hits } = setup([{ status: 503 }]);
    const first = await failed(instance.get('/v1/customers'));
    expect(hits).toHaveLength(4);
    const before = Date.now();
    const again = await failed(instance.request(configOf(first)));
    expect(hits).toHaveLength(4);
    expect(Date.now()).toBe(before);
    expect(again.status).toBe(503);
    expect(again.kind).toBe('server');
    expect(again.attempts).toBe(4);
    expect(again.requestId).toBe(first.requestId);
    expect(again.reason).toBe("the call's 4 attempts are spent: the re-sent request was not sent");
    // And again: the reason does not pile up.
    const third = await failed(instance.request(configOf(again)));
    expect(third.reason).toBe(again.reason);
  });

  it('fails at once once the total budget is spent, the time spent counting', async () => {
    const { instance, hits } = setup([{ hang: true }], { timeout: { attemptMs: 0, totalMs: 5_000 } });
    const first = await failed(instance.get('/v1/customers'));
    expect(first.kind).toBe('timeout');
    expect(hits).toHaveLength(1);
    const again = await failed(instance.request(configOf(first)));
    expect(hits).toHaveLength(1);
    expect(again.reason).toMatch(/total time budget of 5000 ms is spent: the re-sent request was not sent/);
  });

  it('keeps the first deadline: a re-send 4 s into a 5 s budget has 1 s left', async () => {
    const { instance, hits } = setup([{ status: 401 }, { hang: true }], {
      timeout: { attemptMs: 0, totalMs: 5_000 },
    });
    const first = await failed(instance.get('/v1/customers'));
    await vi.advanceTimersByTimeAsync(4_000);
    const start = Date.now();
    const pending = capture(instance.request(configOf(first)));
    await vi.advanceTimersByTimeAsync(999);
    expect(hits).toHaveLength(2);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await pending;
    expect(error?.kind).toBe('timeout');
    expect(Date.now() - start).toBe(1_000);
  });

  it("settles by the caller's abort during the re-sent call", async () => {
    const { instance, hits } = setup([{ status: 401 }, { hang: true }]);
    const controller = new AbortController();
    const first = await failed(instance.get('/v1/customers', { signal: controller.signal }));
    const config = configOf(first);
    expect(config.signal).toBe(controller.signal);
    const pending = capture(instance.request(config));
    await vi.advanceTimersByTimeAsync(100);
    expect(hits).toHaveLength(2);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    const { error } = await pending;
    expect(error?.kind).toBe('cancelled');
    expect(hits).toHaveLength(2);
  });

  it('counts re-sends that send nothing: a loop of re-sends ends within the attempt limit', async () => {
    // The scope is throttled for longer than a call may wait: every part fails at once, nothing sent.
    const { instance, hits } = setup([{ status: 429, headers: { 'Retry-After': '600' } }], {
      retry: { maxRetryAfterMs: 1_000 },
    });
    const first = await failed(instance.get('/v1/customers'));
    expect(hits).toHaveLength(1);
    let error = first;
    let loops = 0;
    for (; loops < 50; loops++) {
      const next = await failed(instance.request(configOf(error)));
      if (next.reason?.includes('re-sent request was not sent')) break;
      error = next;
    }
    expect(hits).toHaveLength(1);
    expect(loops).toBe(3);
  });

  it('a POST whose outcome is unknown is not sent again without reconcile', async () => {
    const { instance, hits } = setup([{ status: 504, data: '<html>Gateway Timeout</html>' }]);
    const first = await failed(instance.post('/v1/customers/c1/orders', { quantity: 1 }));
    expect(first.outcomeUnknown).toBe(true);
    expect(hits).toHaveLength(1);
    const again = await failed(instance.request(configOf(first)));
    expect(hits).toHaveLength(1);
    expect(again.outcomeUnknown).toBe(true);
  });

  it('a POST 504 re-sent with attempts left: reconcile decides, the resend carries the body and id', async () => {
    let decide: 'absent' | 'found' = 'absent';
    const { instance, hits } = setup([{ status: 504 }, { status: 201, data: { id: 'o1' } }], {
      retry: { maxAttempts: 3 },
      reconcile: () => (decide === 'absent' ? null : ({ status: 200, data: { id: 'o1' } } as AxiosResponse)),
      // The engine itself would ask reconcile and resend: turn that off for the first part only.
    });
    const first = await failed(
      instance.post('/v1/customers/c1/orders', { quantity: 1 }, { partnerCenter: { reconcile: false } }),
    );
    expect(hits).toHaveLength(1);
    const config = configOf(first);
    config.partnerCenter = {};
    decide = 'absent';
    const { value } = await settle(instance.request(config));
    expect(value?.status).toBe(201);
    expect(hits).toHaveLength(2);
    expect(hits[1]?.data).toBe(JSON.stringify({ quantity: 1 }));
    expect(hits[1]?.headers['ms-requestid']).toBe(hits[0]?.headers['ms-requestid']);
  });

  it("a config re-sent to another attached instance is a new call there, with that instance's own bound", async () => {
    const a = setup([{ status: 503 }]);
    const b = setup([{ status: 200 }]);
    const first = await failed(a.instance.get('/v1/customers'));
    // As with plain axios, error.config names the adapter it went through (a's).
    const again = await failed(b.instance.request(configOf(first)));
    expect(a.hits).toHaveLength(8);
    expect(b.hits).toHaveLength(0);
    expect(again.attempts).toBe(4);
  });

  it('error.config of a call is its own object, kept across reads; a key set on it survives the re-send', async () => {
    const { instance, hits } = setup([{ status: 401 }, { status: 401 }]);
    const first = await failed(instance.get('/v1/customers', { headers: { 'X-Own': 'mine' } }));
    const config = configOf(first) as InternalAxiosRequestConfig & { _retry?: boolean };
    expect(first.config).toBe(config);
    expect(first.response?.config).toBe(config);
    config._retry = true;
    const second = await failed(instance.request(config));
    expect((second.config as { _retry?: boolean })._retry).toBe(true);
    expect(hits[1]?.headers['x-own']).toBe('mine');
    expect(isPartnerCenterError(second)).toBe(true);
  });
});
