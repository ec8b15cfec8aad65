import {
  type Attributes,
  type MeterProvider,
  metrics,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { CallInfo } from '../observability/callInfo.js';
import { errorTypeOf, methodAttributes, serverAttributes, spanNameOf } from './httpAttributes.js';
import {
  HTTP_DURATION_BUCKETS,
  RESILIENCE_EVENT_NAMES,
  RESILIENCE_METRICS,
  RESILIENCE_SPAN_EVENTS,
} from './names.js';
import { type OpenCall, OpenSpans } from './OpenSpans.js';
import type { ResilienceEventSource } from './ResilienceEventSource.js';
import { createScopeLabeler, OTHER_SCOPE_LABEL } from './scopeLabeler.js';

/** Name of the tracer and the meter the bridge asks its providers for. */
export const INSTRUMENTATION_NAME = 'partner-center-resilience';

/** Options of {@link instrumentResilience}. */
export interface InstrumentResilienceOptions {
  /** Where spans go. Default: the global provider, `trace.getTracerProvider()`. */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global provider, `metrics.getMeterProvider()`. */
  readonly meterProvider?: MeterProvider;
  /**
   * Most distinct `partner_center.scope` values on metrics; every scope beyond them is labelled `'other'`.
   * Spans are not capped (each span is one call). Default: `100`.
   */
  readonly maxScopeLabels?: number;
  /**
   * Maps a scope key (`'partner'`, `'customer:<tenant id>'`, or your resolver's keys) to the label recorded
   * on spans and metrics, e.g. to group tenants or hide their ids. A throw yields `'other'`.
   * Default: the scope key itself.
   */
  readonly scopeLabel?: (scope: string) => string;
  /**
   * Most call spans open at once. Past it the oldest is ended with `partner_center.span.incomplete: true`,
   * so a call that never settles cannot leak. Default: `10000`.
   */
  readonly maxOpenSpans?: number;
}

/** What {@link instrumentResilience} returns. */
export interface ResilienceInstrumentation {
  /**
   * Unsubscribes from every event and ends the spans still open (marked `partner_center.span.incomplete`).
   * Nothing is recorded afterwards. Idempotent.
   */
  dispose(): void;
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`instrumentResilience: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * Bridges a handle's events to OpenTelemetry: one CLIENT span per logical call (HTTP client semantic
 * conventions, with `retry`, `throttle`, `token_refresh` and circuit span events), the
 * `http.client.request.duration` histogram, and Polly-style resilience counters. It only subscribes to the
 * handle's events, so a handle nobody instruments pays nothing.
 *
 * @example
 * const handle = attachResilience(axios.create({ baseURL }), { tokenProvider });
 * const instrumentation = instrumentResilience(handle); // global tracer and meter providers
 * // later
 * instrumentation.dispose();
 */
export function instrumentResilience(
  handle: ResilienceEventSource,
  options: InstrumentResilienceOptions = {},
): ResilienceInstrumentation {
  const maxScopeLabels = options.maxScopeLabels ?? 100;
  const maxOpenSpans = options.maxOpenSpans ?? 10_000;
  assertCount('maxScopeLabels', maxScopeLabels, 0);
  assertCount('maxOpenSpans', maxOpenSpans, 1);
  const mapScope = options.scopeLabel ?? ((scope: string) => scope);
  const spanScope = (scope: string): string => {
    try {
      return String(mapScope(scope));
    } catch {
      return OTHER_SCOPE_LABEL;
    }
  };
  const metricScope = createScopeLabeler(maxScopeLabels, mapScope);

  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME);
  const duration = meter.createHistogram(RESILIENCE_METRICS.requestDuration, {
    description: 'Duration of logical HTTP client calls to Partner Center, retries and waits included.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] },
  });
  const eventCounter = meter.createCounter(RESILIENCE_METRICS.events, {
    description: 'Resilience events (retries, throttling, circuit transitions, token refreshes, give-ups).',
    unit: '{event}',
  });
  const attemptCounter = meter.createCounter(RESILIENCE_METRICS.attempts, {
    description: 'Requests sent to Partner Center, first attempts, retries and auth replays included.',
    unit: '{attempt}',
  });
  const tokenCounter = meter.createCounter(RESILIENCE_METRICS.tokenRefreshes, {
    description: 'Token fetches and refreshes by reason and outcome.',
    unit: '{refresh}',
  });

  const open = new OpenSpans(maxOpenSpans);

  const startCall = (event: CallInfo, startTime?: number): OpenCall => {
    const span = tracer.startSpan(spanNameOf(event.method), {
      kind: SpanKind.CLIENT,
      attributes: {
        ...methodAttributes(event.method),
        'url.full': event.url,
        ...serverAttributes(event.url),
        'partner_center.scope': spanScope(event.scope),
        'partner_center.request_id': event.requestId,
        'partner_center.correlation_id': event.correlationId,
      },
      ...(startTime === undefined ? {} : { startTime }),
    });
    return { span, sends: 0 };
  };
  /** The open call of an event, started now if the event is the call's first. */
  const callOf = (event: CallInfo): OpenCall | undefined => {
    if (event.requestId === '') return undefined;
    let call = open.get(event.requestId);
    if (!call) {
      call = startCall(event);
      open.add(event.requestId, call);
    }
    return call;
  };
  const count = (name: keyof typeof RESILIENCE_EVENT_NAMES, scope: string): void => {
    eventCounter.add(1, {
      'event.name': RESILIENCE_EVENT_NAMES[name],
      'partner_center.scope': metricScope(scope),
    });
  };
  /** Takes the call's span off the open set (or starts one back-dated to the call's start) to end it. */
  const finish = (event: CallInfo & { readonly attempts: number; readonly durationMs: number }) => {
    const call =
      (event.requestId === '' ? undefined : open.take(event.requestId)) ??
      startCall(event, Date.now() - event.durationMs);
    const resends = call.sends > 0 ? call.sends - 1 : Math.max(0, event.attempts - 1);
    if (resends > 0) call.span.setAttribute('http.request.resend_count', resends);
    call.span.setAttribute('partner_center.attempts', event.attempts);
    return call.span;
  };
  const recordDuration = (event: CallInfo & { readonly durationMs: number }, extra: Attributes) => {
    duration.record(Math.max(0, event.durationMs) / 1000, {
      ...methodAttributes(event.method),
      ...serverAttributes(event.url),
      ...extra,
    });
  };

  const subscriptions = [
    handle.onRequest((event) => {
      const call = callOf(event);
      if (call) {
        call.sends += 1;
        if (call.sends > 1) call.span.setAttribute('http.request.resend_count', call.sends - 1);
      }
      attemptCounter.add(1, {
        ...methodAttributes(event.method),
        'partner_center.scope': metricScope(event.scope),
        'partner_center.attempt': event.attempt,
      });
    }),
    handle.onRetry((event) => {
      callOf(event)?.span.addEvent(
        RESILIENCE_SPAN_EVENTS.retry,
        defined({
          'partner_center.attempt': event.attempt,
          'partner_center.delay_ms': event.delayMs,
          'partner_center.delay_source': event.delaySource,
          'partner_center.reason': event.reason,
          'partner_center.error_kind': event.errorKind,
          'http.response.status_code': event.status,
          'partner_center.error_code': event.code,
        }),
      );
      count('onRetry', event.scope);
    }),
    handle.onThrottle((event) => {
      callOf(event)?.span.addEvent(RESILIENCE_SPAN_EVENTS.throttle, {
        'partner_center.retry_after_ms': event.retryAfterMs,
        'partner_center.throttle_source': event.source,
      });
      count('onThrottle', event.scope);
    }),
    handle.onTokenRefresh((event) => {
      callOf(event)?.span.addEvent(RESILIENCE_SPAN_EVENTS.tokenRefresh, {
        'partner_center.token.reason': event.reason,
        'partner_center.token.outcome': event.outcome,
        'partner_center.token.duration_ms': event.durationMs,
      });
      count('onTokenRefresh', event.scope);
      tokenCounter.add(1, {
        'partner_center.token.reason': event.reason,
        'partner_center.token.outcome': event.outcome,
        'partner_center.scope': metricScope(event.scope),
      });
    }),
    handle.onBreak((event) => {
      open.get(event.requestId)?.span.addEvent(RESILIENCE_SPAN_EVENTS.circuitOpened, {
        'partner_center.reason': event.reason,
      });
      count('onBreak', event.scope);
    }),
    handle.onHalfOpen((event) => {
      open.get(event.requestId)?.span.addEvent(RESILIENCE_SPAN_EVENTS.circuitHalfOpened, {
        'partner_center.reason': event.reason,
      });
      count('onHalfOpen', event.scope);
    }),
    handle.onReset((event) => {
      open.get(event.requestId)?.span.addEvent(RESILIENCE_SPAN_EVENTS.circuitClosed, {
        'partner_center.reason': event.reason,
      });
      count('onReset', event.scope);
    }),
    handle.onSuccess((event) => {
      const span = finish(event);
      const errorType = event.status >= 400 ? String(event.status) : undefined;
      span.setAttribute('http.response.status_code', event.status);
      if (errorType !== undefined) {
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      }
      span.end();
      recordDuration(event, defined({ 'http.response.status_code': event.status, 'error.type': errorType }));
    }),
    handle.onGiveUp((event) => {
      const span = finish(event);
      const { kind, status, code } = event.error;
      const errorType = errorTypeOf(kind, status);
      span.setAttributes(
        defined({
          'http.response.status_code': status,
          'error.type': errorType,
          'partner_center.error_kind': kind,
          'partner_center.error_code': code,
        }),
      );
      span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
      span.end();
      recordDuration(event, defined({ 'http.response.status_code': status, 'error.type': errorType }));
      count('onGiveUp', event.scope);
    }),
    ...(handle.onReconcile === undefined
      ? []
      : [
          handle.onReconcile((event) => {
            open.get(event.requestId)?.span.addEvent(RESILIENCE_SPAN_EVENTS.reconcile, {
              'partner_center.reconcile.outcome': event.outcome,
              'partner_center.reconcile.duration_ms': event.durationMs,
            });
            count('onReconcile', event.scope);
          }),
        ]),
    ...(handle.onRateLimit === undefined
      ? []
      : [
          handle.onRateLimit((event) => {
            callOf(event)?.span.addEvent(RESILIENCE_SPAN_EVENTS.rateLimit, {
              'partner_center.attempt': event.attempt,
              'partner_center.wait_ms': event.waitMs,
            });
            count('onRateLimit', event.scope);
          }),
        ]),
  ];

  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const subscription of subscriptions) subscription.dispose();
      open.clear();
    },
  };
}
