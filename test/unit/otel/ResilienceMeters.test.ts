import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../src/observability/callInfo.js';
import { RESILIENCE_METRICS } from '../../../src/otel/names.js';
import { ResilienceMeters } from '../../../src/otel/ResilienceMeters.js';
import { setupOtel } from '../../helpers/otel.js';

const call: CallInfo = {
  requestId: 'r1',
  correlationId: 'c1',
  scope: 'customer:t-1',
  method: 'post',
  url: 'https://api.partnercenter.microsoft.com:8443/v1/customers',
};

function setup() {
  const otel = setupOtel();
  const meters = new ResilienceMeters(otel.meterProvider.getMeter('test'), (scope) => `label:${scope}`);
  return { meters, points: otel.points };
}

describe('ResilienceMeters', () => {
  it('counts resilience events by their Polly-style name and scope label', async () => {
    const { meters, points } = setup();
    meters.count('onRetry', 'partner');
    meters.count('onRetry', 'partner');
    meters.count('onBreak', 'customer:t-1');
    const counted = (await points()).filter((p) => p.name === RESILIENCE_METRICS.events);
    expect(counted.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'event.name': 'OnRetry', 'partner_center.scope': 'label:partner' }, 2],
      [{ 'event.name': 'OnCircuitOpened', 'partner_center.scope': 'label:customer:t-1' }, 1],
    ]);
  });

  it('counts attempts and token refreshes with their attributes', async () => {
    const { meters, points } = setup();
    meters.attempt({ ...call, attempt: 2 });
    meters.tokenRefresh({ ...call, reason: 'forced', outcome: 'failure' });
    const all = await points();
    expect(all.filter((p) => p.name === RESILIENCE_METRICS.attempts).map((p) => p.attributes)).toEqual([
      {
        'http.request.method': 'POST',
        'partner_center.scope': 'label:customer:t-1',
        'partner_center.attempt': 2,
      },
    ]);
    expect(all.filter((p) => p.name === RESILIENCE_METRICS.tokenRefreshes).map((p) => p.attributes)).toEqual([
      {
        'partner_center.token.reason': 'forced',
        'partner_center.token.outcome': 'failure',
        'partner_center.scope': 'label:customer:t-1',
      },
    ]);
  });

  it('records a call duration in seconds (never below 0) with method, server and the extra attributes', async () => {
    const { meters, points } = setup();
    meters.callDuration({ ...call, durationMs: 1500 }, { 'http.response.status_code': 201 });
    meters.callDuration({ ...call, durationMs: -5 }, { 'http.response.status_code': 201 });
    const [point] = (await points()).filter((p) => p.name === RESILIENCE_METRICS.requestDuration);
    expect(point?.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': 'api.partnercenter.microsoft.com',
      'server.port': 8443,
      'http.response.status_code': 201,
    });
    expect(point?.value).toMatchObject({ count: 2, sum: 1.5, min: 0, max: 1.5 });
  });
});
