import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallInfo } from '../../../src/observability/callInfo.js';
import { CallSpans } from '../../../src/otel/CallSpans.js';
import { setupOtel } from '../../helpers/otel.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

const call = (requestId: string): CallInfo => ({
  requestId,
  correlationId: `c-${requestId}`,
  scope: 'customer:t-1',
  method: 'get',
  url: 'https://api.partnercenter.microsoft.com/v1/customers?size=5',
});

function setup(maxOpen = 10) {
  const otel = setupOtel();
  const spans = new CallSpans(otel.tracerProvider.getTracer('test'), maxOpen, (scope) => `label:${scope}`);
  const named = (requestId: string): ReadableSpan | undefined =>
    otel.spans().find((s) => s.attributes['partner_center.request_id'] === requestId);
  return { spans, finished: otel.spans, named };
}

const startMs = (span: ReadableSpan) => span.startTime[0] * 1000 + span.startTime[1] / 1e6;

describe('CallSpans', () => {
  it('starts one CLIENT span per request id, with the call attributes and the scope label', () => {
    const { spans, named } = setup();
    const first = spans.callOf(call('r1'));
    expect(spans.callOf(call('r1'))).toBe(first);
    expect(spans.size).toBe(1);
    spans.finish({ ...call('r1'), attempts: 1, durationMs: 5 }).end();
    const span = named('r1');
    expect(span?.name).toBe('GET');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': 'https://api.partnercenter.microsoft.com/v1/customers?size=5',
      'server.address': 'api.partnercenter.microsoft.com',
      'server.port': 443,
      'partner_center.scope': 'label:customer:t-1',
      'partner_center.request_id': 'r1',
      'partner_center.correlation_id': 'c-r1',
      'partner_center.attempts': 1,
    });
  });

  it('opens no span for an event without a request id', () => {
    const { spans } = setup();
    expect(spans.callOf(call(''))).toBeUndefined();
    spans.sent(call(''));
    expect(spans.openSpan('')).toBeUndefined();
    expect(spans.size).toBe(0);
  });

  it('counts sends: every send after the first is a resend', () => {
    const { spans, named } = setup();
    spans.sent(call('r1'));
    expect(spans.callOf(call('r1'))?.sends).toBe(1);
    spans.sent(call('r1'));
    spans.sent(call('r1'));
    spans.finish({ ...call('r1'), attempts: 3, durationMs: 5 }).end();
    expect(named('r1')?.attributes['http.request.resend_count']).toBe(2);
    expect(named('r1')?.attributes['partner_center.attempts']).toBe(3);
  });

  it('a single send has no resend count', () => {
    const { spans, named } = setup();
    spans.sent(call('r1'));
    spans.finish({ ...call('r1'), attempts: 1, durationMs: 5 }).end();
    expect(named('r1')?.attributes).not.toHaveProperty('http.request.resend_count');
  });

  it('finish takes the span off the open set', () => {
    const { spans } = setup();
    spans.sent(call('r1'));
    const span = spans.finish({ ...call('r1'), attempts: 1, durationMs: 5 });
    expect(spans.openSpan('r1')).toBeUndefined();
    expect(spans.size).toBe(0);
    span.end();
  });

  it('finish of a call never seen starts a span back-dated to its start, resends from its attempts', () => {
    const { spans, named } = setup();
    spans.finish({ ...call('r1'), attempts: 3, durationMs: 1500 }).end();
    const span = named('r1');
    expect(startMs(span as ReadableSpan)).toBe(NOW - 1500);
    expect(span?.attributes['http.request.resend_count']).toBe(2);
    expect(spans.size).toBe(0);
  });

  it('bounds open spans: past maxOpen the oldest is ended as incomplete and forgotten', () => {
    const { spans, finished, named } = setup(2);
    spans.sent(call('r1'));
    spans.sent(call('r2'));
    expect(finished()).toHaveLength(0);
    spans.sent(call('r3'));
    expect(spans.size).toBe(2);
    expect(finished().map((s) => s.attributes['partner_center.request_id'])).toEqual(['r1']);
    expect(named('r1')?.attributes['partner_center.span.incomplete']).toBe(true);
    expect(spans.openSpan('r1')).toBeUndefined();
    expect(spans.openSpan('r2')).toBeDefined();
  });

  it('clear ends every open span as incomplete', () => {
    const { spans, finished } = setup();
    spans.sent(call('r1'));
    spans.sent(call('r2'));
    spans.clear();
    expect(spans.size).toBe(0);
    expect(finished()).toHaveLength(2);
    for (const span of finished()) expect(span.attributes['partner_center.span.incomplete']).toBe(true);
  });
});
