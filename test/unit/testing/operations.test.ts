import type { AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { type PartnerCenterSimulator, parseScenario } from '../../../src/testing/index.js';
import { harness, OTHER_GUID } from './helpers.js';

/** The first customer and its first subscription, and the registration URLs of that subscription. */
async function target(sim: PartnerCenterSimulator, api: AxiosInstance) {
  const customer = sim.customerIds[0] ?? '';
  const subscriptions = await api.get<{ items: { id: string }[] }>(`/v1/customers/${customer}/subscriptions`);
  const subscription = subscriptions.data.items[0]?.id ?? '';
  const base = `/v1/customers/${customer}/subscriptions/${subscription}`;
  return {
    customer,
    subscription,
    register: `${base}/registrations`,
    status: `${base}/registrationstatus`,
  };
}

describe('simulator long-running operations (subscription registration)', () => {
  it('answers 202 with Location and Retry-After until durationMs has passed, then 200 registered', async () => {
    const { sim, api, clock } = await harness();
    const { subscription, register, status } = await target(sim, api);
    const accepted = await api.post(register);
    expect(accepted.status).toBe(202);
    expect(accepted.headers['location']).toBe(status);
    expect(accepted.headers['retry-after']).toBe('1');
    expect(accepted.data).toEqual({ subscriptionId: subscription, status: 'registering' });

    const statuses: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000); // waits the Retry-After it was told
      const polled = await api.get(accepted.headers['location'] as string);
      statuses.push([polled.status, polled.headers['retry-after'], polled.headers['location'], polled.data]);
    }
    const running = [202, '1', status, { subscriptionId: subscription, status: 'registering' }];
    expect(statuses).toEqual([
      running,
      running,
      [200, undefined, undefined, { subscriptionId: subscription, status: 'registered' }],
    ]);
    expect(sim.stats()).toMatchObject({
      operationsAccepted: 1,
      operationPolls: 3,
      earlyPolls: 0,
      hitsPerRoute: {
        'POST /v1/customers/{id}/subscriptions/{subscriptionId}/registrations': 1,
        'GET /v1/customers/{id}/subscriptions/{subscriptionId}/registrationstatus': 3,
      },
    });
  });

  it('counts polls that arrive before the Retry-After last given for the operation as early', async () => {
    const { sim, api, clock } = await harness({
      scenario: { operations: { durationMs: 10_000, retryAfterSeconds: 2 } },
    });
    const { customer, register, status } = await target(sim, api);
    expect((await api.post(register)).headers['retry-after']).toBe('2');
    // A 202's Retry-After paces the polling of its operation; it is no deadline for the customer's scope.
    expect((await api.get(`/v1/customers/${customer}`)).status).toBe(200);
    clock.advance(500);
    expect((await api.get(status)).status).toBe(202); // early: told 2 s at 0
    clock.advance(1_999);
    expect((await api.get(status)).status).toBe(202); // early: told 2 s again at 500
    clock.advance(2_000);
    expect((await api.get(status)).status).toBe(202); // on time
    clock.advance(6_000);
    expect((await api.get(status)).status).toBe(200); // on time, finished
    expect((await api.get(status)).status).toBe(200); // after the last deadline: not early
    expect(sim.stats()).toMatchObject({
      operationPolls: 5,
      earlyPolls: 2,
      hitsBeforeDeadline: 0,
      inFlightAtDeadline: 0,
    });
  });

  it('finishes with status failed and an error under outcome: failed', async () => {
    const { sim, api, clock } = await harness({ scenario: { operations: { outcome: 'failed' } } });
    const { subscription, register, status } = await target(sim, api);
    await api.post(register);
    clock.advance(3_000); // the default durationMs
    const finished = await api.get(status);
    expect(finished.status).toBe(200);
    expect(finished.data).toEqual({
      subscriptionId: subscription,
      status: 'failed',
      error: {
        code: 'RegistrationFailed',
        description: 'The subscription could not be registered. Submit the registration again.',
      },
    });
  });

  it('answers a repeated POST with the running operation, and starts a new one after it finished', async () => {
    const { sim, api, clock } = await harness();
    const { subscription, register, status } = await target(sim, api);
    await api.post(register);
    clock.advance(2_000);
    const again = await api.post(register.toUpperCase().replace('/V1/CUSTOMERS/', '/v1/customers/'));
    expect(again.status).toBe(202);
    expect(again.headers['location']).toBe(status); // canonical lowercase ids
    clock.advance(1_000);
    expect((await api.get(status)).data).toEqual({ subscriptionId: subscription, status: 'registered' });
    expect((await api.post(register)).status).toBe(202);
    expect((await api.get(status)).status).toBe(202);
    expect(sim.stats().operationsAccepted).toBe(2);
    expect(sim.stats().earlyPolls).toBe(1);
  });

  it('answers 404 for an unknown customer or subscription and a status never registered, 405 for a wrong method', async () => {
    const { sim, api } = await harness();
    const { customer, register, status } = await target(sim, api);
    const unknownCustomer = await api.post(
      `/v1/customers/${OTHER_GUID}/subscriptions/${OTHER_GUID}/registrations`,
    );
    expect(unknownCustomer.status).toBe(404);
    expect(unknownCustomer.data).toMatchObject({
      code: 3000,
      description: `Customer ${OTHER_GUID} could not be found`,
    });
    const unknownSubscription = await api.post(
      `/v1/customers/${customer}/subscriptions/${OTHER_GUID}/registrations`,
    );
    expect(unknownSubscription.status).toBe(404);
    expect(unknownSubscription.data).toEqual({
      code: 3000,
      description: `Subscription ${OTHER_GUID} could not be found`,
      data: [],
      source: 'PartnerFD',
    });
    const never = await api.get(status);
    expect(never.status).toBe(404);
    expect(never.data).toMatchObject({ code: 3000, data: [], source: 'PartnerFD' });
    const wrongGet = await api.get(register);
    expect([wrongGet.status, wrongGet.headers['allow']]).toEqual([405, 'POST']);
    const wrongPost = await api.post(status);
    expect([wrongPost.status, wrongPost.headers['allow']]).toEqual([405, 'GET']);
    expect(sim.stats()).toMatchObject({ operationsAccepted: 0, operationPolls: 0 });
  });

  it('counts a poll answered by a fault, and a fault Retry-After stays a scope deadline', async () => {
    const { sim, api, clock } = await harness({
      scenario: {
        faults: [
          {
            match: { path: 'registrationstatus$' },
            times: 1,
            respond: { status: 503, retryAfterSeconds: 5 },
          },
        ],
      },
    });
    const { register, status } = await target(sim, api);
    await api.post(register);
    clock.advance(1_000);
    const faulted = await api.get(status);
    expect([faulted.status, faulted.headers['retry-after']]).toEqual([503, '5']);
    clock.advance(1_000); // the operation's 1 s has passed, the scope's 5 s have not
    expect((await api.get(status)).status).toBe(202);
    expect(sim.stats()).toMatchObject({ operationPolls: 2, earlyPolls: 0, hitsBeforeDeadline: 1 });
  });

  it('validates scenario.operations strictly', () => {
    const scenario = { operations: { durationMs: 0, retryAfterSeconds: 0, outcome: 'failed' } } as const;
    expect(parseScenario(scenario)).toEqual(scenario);
    expect(() => parseScenario({ operations: { outcome: 'done' } })).toThrow(/scenario\.operations\.outcome/);
    expect(() => parseScenario({ operations: { durationMs: -1 } })).toThrow(
      /scenario\.operations\.durationMs/,
    );
    expect(() => parseScenario({ operations: { retryAfter: 1 } })).toThrow(/Unrecognized key: "retryAfter"/);
  });
});
