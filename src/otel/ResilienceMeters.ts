import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { CallInfo } from '../observability/callInfo.js';
import { methodAttributes, serverAttributes } from './httpAttributes.js';
import { HTTP_DURATION_BUCKETS, RESILIENCE_EVENT_NAMES, RESILIENCE_METRICS } from './names.js';

/**
 * The bridge's instruments: the `http.client.request.duration` histogram and the Polly-style counters of
 * resilience events, attempts and token refreshes. Every scope passes through `scopeLabel` (which caps
 * their number) before it becomes an attribute.
 */
export class ResilienceMeters {
  private readonly duration: Histogram;
  private readonly events: Counter;
  private readonly attempts: Counter;
  private readonly tokens: Counter;

  constructor(
    meter: Meter,
    private readonly scopeLabel: (scope: string) => string,
  ) {
    this.duration = meter.createHistogram(RESILIENCE_METRICS.requestDuration, {
      description: 'Duration of logical HTTP client calls to Partner Center, retries and waits included.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] },
    });
    this.events = meter.createCounter(RESILIENCE_METRICS.events, {
      description: 'Resilience events (retries, throttling, circuit transitions, token refreshes, give-ups).',
      unit: '{event}',
    });
    this.attempts = meter.createCounter(RESILIENCE_METRICS.attempts, {
      description: 'Requests sent to Partner Center, first attempts, retries and auth replays included.',
      unit: '{attempt}',
    });
    this.tokens = meter.createCounter(RESILIENCE_METRICS.tokenRefreshes, {
      description: 'Token fetches and refreshes by reason and outcome.',
      unit: '{refresh}',
    });
  }

  /** Counts one resilience event of `scope`, tagged with its Polly-style `event.name`. */
  count(name: keyof typeof RESILIENCE_EVENT_NAMES, scope: string): void {
    this.events.add(1, {
      'event.name': RESILIENCE_EVENT_NAMES[name],
      'partner_center.scope': this.scopeLabel(scope),
    });
  }

  /** Counts one attempt sent. */
  attempt(event: CallInfo & { readonly attempt: number }): void {
    this.attempts.add(1, {
      ...methodAttributes(event.method),
      'partner_center.scope': this.scopeLabel(event.scope),
      'partner_center.attempt': event.attempt,
    });
  }

  /** Counts one token fetch or refresh. */
  tokenRefresh(event: CallInfo & { readonly reason: string; readonly outcome: string }): void {
    this.tokens.add(1, {
      'partner_center.token.reason': event.reason,
      'partner_center.token.outcome': event.outcome,
      'partner_center.scope': this.scopeLabel(event.scope),
    });
  }

  /** Records a finished call's duration, in seconds, with the method, server and `extra` attributes. */
  callDuration(event: CallInfo & { readonly durationMs: number }, extra: Attributes): void {
    this.duration.record(Math.max(0, event.durationMs) / 1000, {
      ...methodAttributes(event.method),
      ...serverAttributes(event.url),
      ...extra,
    });
  }
}
