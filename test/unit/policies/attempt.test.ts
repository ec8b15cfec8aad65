import { type AxiosAdapter, AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { EventHub } from '../../../src/observability/EventHub.js';
import type { RequestEvent } from '../../../src/observability/events.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import { Attempt, type AttemptDeps, sendAttempt } from '../../../src/policies/attempt.js';
import { AttemptDeadlines } from '../../../src/policies/attemptDeadlines.js';
import type { Call } from '../../../src/policies/call.js';
import type { Authorizer } from '../../../src/policies/pipeline.js';
import { type CallSetup, makeCall, resolvedPolicy } from '../../helpers/roomCall.js';

const START = Date.parse('2026-11-25T12:00:00Z');
const OPTIONS: ResilienceOptions = { timeout: { attemptMs: 1_000, totalMs: 60_000 } };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A stubbed transport: records the configs it receives; answers 200, or never (ignoring its signal). */
function transport(answer: 'ok' | 'hang' | ((config: InternalAxiosRequestConfig) => Promise<AxiosResponse>)) {
  const received: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    received.push(config);
    if (answer === 'hang') return new Promise<AxiosResponse>(() => undefined);
    if (answer !== 'ok') return answer(config);
    return Promise.resolve({
      status: 200,
      statusText: 'OK',
      headers: {},
      data: { items: [] },
      config,
      request: {},
    } as AxiosResponse);
  };
  return { adapter, received };
}

/** The AbortSignal an adapter received (fails the test when there is none). */
function signalOf(config: InternalAxiosRequestConfig | undefined): AbortSignal {
  const signal = config?.signal;
  if (!(signal instanceof AbortSignal)) throw new Error('the adapter received no AbortSignal');
  return signal;
}

function setup(base: AxiosAdapter, setupCall: CallSetup = {}, authorize?: Authorizer) {
  const requests: RequestEvent[] = [];
  const hub = new EventHub({ onRequest: (event) => void requests.push(event) }, undefined);
  const deps: AttemptDeps = { hub, deadlines: new AttemptDeadlines() };
  const call: Call = makeCall({ options: OPTIONS, ...setupCall, base });
  call.attempts = 1;
  /** Runs one attempt through {@link sendAttempt}: its answer, or its failure and whether it was sent. */
  const attempt = async (): Promise<{
    value?: AxiosResponse;
    error?: PartnerCenterError;
    sent?: boolean;
  }> => {
    const outcome = await sendAttempt(call, { retry: false, authorize }, deps);
    return outcome.failure === undefined
      ? { value: outcome.response }
      : { error: outcome.failure, sent: outcome.sent };
  };
  return { call, deps, requests, attempt };
}

describe('sendAttempt', () => {
  it("returns the response with the request's own config, leaving that config unchanged", async () => {
    const { adapter, received } = transport('ok');
    const { call, attempt } = setup(adapter, { config: { timeout: 5_000 } });
    const keysBefore = Object.keys(call.config).sort();
    const { value: response, error } = await attempt();
    expect(error).toBeUndefined();
    expect(response?.status).toBe(200);
    expect(response?.config).toBe(call.config);
    // The adapter got a copy carrying the attempt's signal, without the axios timeout (the room owns it).
    expect(received).toHaveLength(1);
    expect(received[0]).not.toBe(call.config);
    expect(received[0]?.timeout).toBe(0);
    expect(received[0]?.headers).toBe(call.config.headers);
    expect(Object.keys(call.config).sort()).toEqual(keysBefore);
    expect('signal' in call.config).toBe(false);
    expect(call.config.timeout).toBe(5_000);
    // The attempt returns its outcome: it writes nothing on the call (the retry policy counts what was sent).
    expect(call.sent).toBe(0);
    expect(call.attempts).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives the adapter an AbortSignal, not aborted while the attempt runs', async () => {
    let seen: AbortSignal | undefined;
    let abortedInFlight: boolean | undefined;
    const { adapter } = transport(async (config) => {
      seen = config.signal as AbortSignal;
      abortedInFlight = seen.aborted;
      return { status: 204, statusText: '', headers: {}, data: '', config, request: {} } as AxiosResponse;
    });
    const { attempt } = setup(adapter);
    await attempt();
    expect(seen).toBeInstanceOf(AbortSignal);
    expect(abortedInFlight).toBe(false);
  });

  it('hands the config itself to the adapter when nothing bounds the attempt (no signal, no copy)', async () => {
    const { adapter, received } = transport('ok');
    const { call, attempt } = setup(adapter, { options: { timeout: { attemptMs: 0, totalMs: 0 } } });
    const { value: response } = await attempt();
    expect(received[0]).toBe(call.config);
    expect(received[0]?.signal).toBeUndefined();
    expect(response?.config).toBe(call.config);
  });

  it("emits onRequest with the call's ids and attempt number", async () => {
    const { adapter } = transport('ok');
    const { call, attempt, requests } = setup(adapter);
    call.attempts = 3;
    await attempt();
    expect(requests).toEqual([
      {
        requestId: call.requestId,
        correlationId: call.correlationId,
        scope: 'partner',
        method: 'GET',
        url: call.url,
        attempt: 3,
      },
    ]);
  });

  it("ends an adapter that never settles and ignores its signal at the attempt limit: 'timeout', retryable", async () => {
    const { adapter, received } = transport('hang');
    const { call, attempt } = setup(adapter);
    const outcome = attempt();
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    // The shared deadline is at most one grain (1000 / 32 = 31 ms) later than the limit.
    await vi.advanceTimersByTimeAsync(32);
    expect(settled).toBe(true);
    const { error } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(true);
    expect(error?.reason).toBe('the attempt timed out after 1000 ms');
    expect(error?.requestId).toBe(call.requestId);
    expect(signalOf(received[0]).aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends a hanging attempt exactly at the limit when it has a timer of its own (caller signal)', async () => {
    const controller = new AbortController();
    const { adapter, received } = transport('hang');
    const { attempt } = setup(adapter, { config: { signal: controller.signal } });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(999);
    expect(signalOf(received[0]).aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(true);
    expect(signalOf(received[0]).aborted).toBe(true);
    expect(received[0]?.signal).not.toBe(controller.signal);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("gives 'cancelled' with outcomeUnknown for a POST the caller aborts mid-flight", async () => {
    const controller = new AbortController();
    const { adapter, received } = transport('hang');
    const { attempt } = setup(adapter, {
      config: { method: 'post', signal: controller.signal, data: '{}' },
    });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    const { error } = await outcome;
    expect(error?.kind).toBe('cancelled');
    expect(error?.retryable).toBe(false);
    expect(error?.outcomeUnknown).toBe(true);
    expect(error?.reason).toBe('the caller aborted the request while it was in flight');
    expect(Date.now()).toBe(START + 100);
    expect(signalOf(received[0]).aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("gives 'cancelled' with a known outcome for a GET the caller aborts mid-flight", async () => {
    const controller = new AbortController();
    const { adapter } = transport('hang');
    const { attempt } = setup(adapter, { config: { signal: controller.signal } });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const { error } = await outcome;
    expect(error?.kind).toBe('cancelled');
    expect(error?.outcomeUnknown).toBe(false);
  });

  it('sends nothing when the caller already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { adapter, received } = transport('ok');
    const { attempt } = setup(adapter, { config: { method: 'post', signal: controller.signal } });
    const { error, sent } = await attempt();
    expect(error?.kind).toBe('cancelled');
    expect(error?.reason).toBe('the caller aborted the request');
    expect(error?.outcomeUnknown).toBe(false);
    expect(received).toHaveLength(0);
    expect(sent).toBe(false);
  });

  it("times out at the budget's end when less than attemptMs is left: 'timeout', not retryable", async () => {
    const { adapter } = transport('hang');
    const { attempt } = setup(adapter, { config: { timeout: 500 } });
    await vi.advanceTimersByTimeAsync(200);
    const outcome = attempt();
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await outcome;
    expect(Date.now()).toBe(START + 500);
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(false);
    expect(error?.reason).toBe("the call's total time budget of 500 ms ran out");
    expect(vi.getTimerCount()).toBe(0);
  });

  it('marks a POST cut off by the budget as outcomeUnknown', async () => {
    const { adapter } = transport('hang');
    const { attempt } = setup(adapter, { config: { method: 'post', timeout: 300 } });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(300);
    const { error } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(error?.outcomeUnknown).toBe(true);
  });

  it('refuses at once when the budget is already spent', async () => {
    const { adapter, received } = transport('ok');
    const { attempt } = setup(adapter, { config: { timeout: 100 } });
    vi.setSystemTime(START + 100);
    const { error } = await attempt();
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(false);
    expect(received).toHaveLength(0);
  });

  it("normalises an adapter failure once into the call's error (503, with the call's ids)", async () => {
    const { adapter } = transport(async (config) => {
      throw new AxiosError('Request failed with status code 503', 'ERR_BAD_RESPONSE', config, {}, {
        status: 503,
        statusText: 'Service Unavailable',
        headers: {},
        data: '',
        config,
      } as AxiosResponse);
    });
    const { call, attempt } = setup(adapter);
    const { error } = await attempt();
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(error?.kind).toBe('server');
    expect(error?.status).toBe(503);
    expect(error?.retryable).toBe(true);
    expect(error?.requestId).toBe(call.requestId);
    expect(error?.correlationId).toBe(call.correlationId);
    expect(error?.attempts).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a synchronous authorize set a header the adapter sees', async () => {
    let seen: string | undefined;
    const { adapter } = transport(async (config) => {
      seen = String(config.headers.get('Authorization'));
      return { status: 200, statusText: 'OK', headers: {}, data: '', config, request: {} } as AxiosResponse;
    });
    const auth: Authorizer = { authorization: () => 'Bearer token-1' };
    const { attempt } = setup(adapter, {}, auth);
    await attempt();
    expect(seen).toBe('Bearer token-1');
  });

  it('sends after an asynchronous authorize settles', async () => {
    const { adapter, received } = transport('ok');
    const auth: Authorizer = {
      authorization: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 'Bearer late';
      },
    };
    const { attempt } = setup(adapter, {}, auth);
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(49);
    expect(received).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const { value } = await outcome;
    expect(value?.status).toBe(200);
    expect(received[0]?.headers.get('Authorization')).toBe('Bearer late');
  });

  it("ends an authorize that never settles as an attempt timeout (retryable), not 'cancelled'", async () => {
    const { adapter, received } = transport('ok');
    let authSignal: AbortSignal | undefined;
    const auth: Authorizer = {
      authorization: (_c, signal) => {
        authSignal = signal;
        return new Promise<string>(() => undefined);
      },
    };
    const { attempt } = setup(adapter, {}, auth);
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(1_031);
    const { error, sent } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(true);
    expect(error?.reason).toBe('the attempt timed out after 1000 ms');
    expect(received).toHaveLength(0);
    expect(sent).toBe(false);
    expect(authSignal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a PartnerCenterError from authorize through, sending nothing', async () => {
    const { adapter, received } = transport('ok');
    const refused = new PartnerCenterError({ kind: 'unauthorized', retryable: false, reason: 'no token' });
    const auth: Authorizer = { authorization: () => Promise.reject(refused) };
    const { attempt } = setup(adapter, {}, auth);
    const { error } = await attempt();
    expect(error).toBe(refused);
    expect(received).toHaveLength(0);
  });

  // Options refuse an attemptMs above 2^31 - 1 ms; the room, given one anyway, caps its timers.
  it('does not time out at once when attemptMs is above 2^31 - 1 ms', async () => {
    const { adapter } = transport(
      (config) =>
        new Promise<AxiosResponse>((resolve) =>
          setTimeout(
            () =>
              resolve({
                status: 200,
                statusText: 'OK',
                headers: {},
                data: '',
                config,
                request: {},
              } as AxiosResponse),
            5_000,
          ),
        ),
    );
    const base = resolvedPolicy({ timeout: { totalMs: 0 } });
    const policy = { ...base, timeout: { attemptMs: 2 ** 31, totalMs: 0 } };
    const { attempt } = setup(adapter, { policy });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(5_000);
    const { value, error } = await outcome;
    expect(error).toBeUndefined();
    expect(value?.status).toBe(200);
  });
});

/** An adapter like axios's own: answers after `answerMs`, or rejects with ERR_CANCELED once its signal aborts. */
function abortableTransport(answerMs: number) {
  const received: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    received.push(config);
    const signal = signalOf(config);
    return new Promise<AxiosResponse>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          resolve({
            status: 200,
            statusText: 'OK',
            headers: {},
            data: {},
            config,
            request: {},
          } as AxiosResponse),
        answerMs,
      );
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new AxiosError('canceled', AxiosError.ERR_CANCELED, config));
      });
    });
  };
  return { adapter, received };
}

describe('sendAttempt through an adapter that settles once its signal aborts (axios own adapters)', () => {
  it("answers with the request's own config; the adapter got a copy carrying the bucket's signal", async () => {
    const { adapter, received } = abortableTransport(10);
    const { call, attempt } = setup(adapter, { settlesOnAbort: true });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(10);
    const { value } = await outcome;
    expect(value?.status).toBe(200);
    expect(value?.config).toBe(call.config);
    expect(received[0]).not.toBe(call.config);
    expect(call.config.signal).toBeUndefined();
    expect(signalOf(received[0]).aborted).toBe(false);
    expect(call.sent).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends an attempt past its limit through the adapter's own rejection: 'timeout', retryable, not 'cancelled'", async () => {
    const { adapter, received } = abortableTransport(60_000);
    const { attempt } = setup(adapter, { settlesOnAbort: true });
    const outcome = attempt();
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(32);
    expect(settled).toBe(true);
    const { error } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(error?.retryable).toBe(true);
    expect(error?.reason).toBe('the attempt timed out after 1000 ms');
    expect(signalOf(received[0]).aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bounds an authorize that never settles and ignores its signal by the attempt limit, sending nothing', async () => {
    const { adapter, received } = abortableTransport(10);
    const auth: Authorizer = { authorization: () => new Promise<string>(() => undefined) };
    const { attempt } = setup(adapter, { settlesOnAbort: true }, auth);
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(1_031);
    const { error, sent } = await outcome;
    expect(error?.kind).toBe('timeout');
    expect(error?.reason).toBe('the attempt timed out after 1000 ms');
    expect(received).toHaveLength(0);
    expect(sent).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still races an adapter that is not known to settle on abort (a custom adapter ignoring its signal)', async () => {
    const { adapter } = transport('hang');
    const { attempt } = setup(adapter, { settlesOnAbort: false });
    const outcome = attempt();
    await vi.advanceTimersByTimeAsync(1_031);
    const { error } = await outcome;
    expect(error?.kind).toBe('timeout');
  });

  it('passes an authorize that throws at once (an insecure transport) through, sending nothing, leaving no timer', async () => {
    const { adapter, received } = abortableTransport(10);
    const refused = new PartnerCenterError({ kind: 'client', retryable: false, reason: 'not over https' });
    const auth: Authorizer = {
      authorization: () => {
        throw refused;
      },
    };
    const { attempt } = setup(adapter, { settlesOnAbort: true }, auth);
    const { error, sent } = await attempt();
    expect(error).toBe(refused);
    expect(received).toHaveLength(0);
    expect(sent).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('normalises an adapter failure once (503 with its Partner Center body)', async () => {
    const { adapter } = transport((config) =>
      Promise.reject(
        new AxiosError('Request failed with status code 503', AxiosError.ERR_BAD_RESPONSE, config, {}, {
          status: 503,
          statusText: 'Service Unavailable',
          headers: {},
          data: { code: 3000, description: 'Service unavailable' },
          config,
        } as AxiosResponse),
      ),
    );
    const { call, attempt } = setup(adapter, { settlesOnAbort: true });
    const { error } = await attempt();
    expect(error).toBeInstanceOf(PartnerCenterError);
    expect(error?.status).toBe(503);
    expect(error?.requestId).toBe(call.requestId);
  });
});

describe('the attempt reports its outcome instead of writing the call', () => {
  it('is sent once the adapter has it, not while its Authorization value is awaited', async () => {
    const { adapter, received } = transport('ok');
    let give: (value: string) => void = () => undefined;
    const auth: Authorizer = {
      authorization: () =>
        new Promise<string>((resolve) => {
          give = resolve;
        }),
    };
    const { call, deps } = setup(adapter, {}, auth);
    const attempt = new Attempt(call, deps, auth);
    await vi.advanceTimersByTimeAsync(10);
    expect(attempt.sent).toBe(false);
    expect(received).toHaveLength(0);
    give('Bearer a');
    const response = attempt.answered(await attempt.sending);
    attempt.end();
    expect(attempt.sent).toBe(true);
    expect(attempt.authorization).toBe('Bearer a');
    expect(response.config).toBe(call.config);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("sets Authorization on the attempt's own headers, leaving the caller's config and headers unwritten", async () => {
    const { adapter, received } = transport((config) =>
      Promise.reject(
        new AxiosError('Request failed with status code 401', AxiosError.ERR_BAD_REQUEST, config, {}, {
          status: 401,
          statusText: 'Unauthorized',
          headers: {},
          data: '',
          config,
        } as AxiosResponse),
      ),
    );
    const { call, attempt } = setup(adapter, {}, { authorization: () => 'Bearer sent-one' });
    const outcome = await sendAttempt(
      call,
      { retry: false, authorize: { authorization: () => 'Bearer sent-one' } },
      {
        hub: new EventHub({}, undefined),
        deadlines: new AttemptDeadlines(),
      },
    );
    expect(outcome.failure?.status).toBe(401);
    // The outcome remembers the value it sent (the auth policy refreshes that token after a 401).
    expect(outcome.failure !== undefined && outcome.authorization).toBe('Bearer sent-one');
    expect(outcome.failure !== undefined && outcome.sent).toBe(true);
    expect(received[0]?.headers.get('Authorization')).toBe('Bearer sent-one');
    expect(received[0]?.headers).not.toBe(call.config.headers);
    expect(call.config.headers.has('Authorization')).toBe(false);
    const again = await attempt();
    expect(again.sent).toBe(true);
    expect(call.config.headers.has('Authorization')).toBe(false);
  });

  it('returns the outcome the list takes over as it is, sending nothing', async () => {
    const { adapter, received } = transport('ok');
    const { call, deps } = setup(adapter);
    const failure = new PartnerCenterError({ kind: 'server', retryable: true, status: 503 });
    const takenOver = { failure, sent: true };
    await expect(sendAttempt(call, { retry: false, takenOver }, deps)).resolves.toBe(takenOver);
    expect(received).toHaveLength(0);
  });
});
