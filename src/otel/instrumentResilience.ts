import {
  type Attributes,
  type MeterProvider,
  metrics,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { CallSpans } from './CallSpans.js';
import { errorTypeOf } from './httpAttributes.js';
import { RESILIENCE_SPAN_EVENTS } from './names.js';
import type { ResilienceEventSource } from './ResilienceEventSource.js';
import { ResilienceMeters } from './ResilienceMeters.js';
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

  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME);
  const spans = new CallSpans(tracer, maxOpenSpans, spanScope);
  const meters = new ResilienceMeters(meter, createScopeLabeler(maxScopeLabels, mapScope));

  const subscriptions = [
    handle.onRequest((event) => {
      spans.sent(event);
      meters.attempt(event);
    }),
    handle.onRetry((event) => {
      spans.callOf(event)?.span.addEvent(
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
      meters.count('onRetry', event.scope);
    }),
    handle.onThrottle((event) => {
      spans.callOf(event)?.span.addEvent(RESILIENCE_SPAN_EVENTS.throttle, {
        'partner_center.retry_after_ms': event.retryAfterMs,
        'partner_center.throttle_source': event.source,
      });
      meters.count('onThrottle', event.scope);
    }),
    handle.onTokenRefresh((event) => {
      spans.callOf(event)?.span.addEvent(RESILIENCE_SPAN_EVENTS.tokenRefresh, {
        'partner_center.token.reason': event.reason,
        'partner_center.token.outcome': event.outcome,
        'partner_center.token.duration_ms': event.durationMs,
      });
      meters.count('onTokenRefresh', event.scope);
      meters.tokenRefresh(event);
    }),
    handle.onBreak((event) => {
      spans.openSpan(event.requestId)?.addEvent(RESILIENCE_SPAN_EVENTS.circuitOpened, {
        'partner_center.reason': event.reason,
      });
      meters.count('onBreak', event.scope);
    }),
    handle.onHalfOpen((event) => {
      spans.openSpan(event.requestId)?.addEvent(RESILIENCE_SPAN_EVENTS.circuitHalfOpened, {
        'partner_center.reason': event.reason,
      });
      meters.count('onHalfOpen', event.scope);
    }),
    handle.onReset((event) => {
      spans.openSpan(event.requestId)?.addEvent(RESILIENCE_SPAN_EVENTS.circuitClosed, {
        'partner_center.reason': event.reason,
      });
      meters.count('onReset', event.scope);
    }),
    handle.onSuccess((event) => {
      const span = spans.finish(event);
      const errorType = event.status >= 400 ? String(event.status) : undefined;
      span.setAttribute('http.response.status_code', event.status);
      if (errorType !== undefined) {
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      }
      span.end();
      meters.callDuration(
        event,
        defined({ 'http.response.status_code': event.status, 'error.type': errorType }),
      );
    }),
    handle.onGiveUp((event) => {
      const span = spans.finish(event);
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
      meters.callDuration(event, defined({ 'http.response.status_code': status, 'error.type': errorType }));
      meters.count('onGiveUp', event.scope);
    }),
    ...(handle.onReconcile === undefined
      ? []
      : [
          handle.onReconcile((event) => {
            spans.openSpan(event.requestId)?.addEvent(RESILIENCE_SPAN_EVENTS.reconcile, {
              'partner_center.reconcile.outcome': event.outcome,
              'partner_center.reconcile.duration_ms': event.durationMs,
            });
            meters.count('onReconcile', event.scope);
          }),
        ]),
    ...(handle.onRateLimit === undefined
      ? []
      : [
          handle.onRateLimit((event) => {
            spans.callOf(event)?.span.addEvent(RESILIENCE_SPAN_EVENTS.rateLimit, {
              'partner_center.attempt': event.attempt,
              'partner_center.wait_ms': event.waitMs,
            });
            meters.count('onRateLimit', event.scope);
          }),
        ]),
  ];

  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const subscription of subscriptions) subscription.dispose();
      spans.clear();
    },
  };
}
