/** Instrument names the OpenTelemetry bridge records. */
export const RESILIENCE_METRICS = Object.freeze({
  /** Histogram, seconds: one point per logical call (semantic conventions' HTTP client duration). */
  requestDuration: 'http.client.request.duration',
  /** Counter: resilience events, tagged `event.name` and `partner_center.scope` (Polly style). */
  events: 'partner_center.resilience.events',
  /** Counter: attempts sent (`onRequest`), auth replays included. */
  attempts: 'partner_center.resilience.attempts',
  /** Counter: token fetches and refreshes, tagged with their reason and outcome. */
  tokenRefreshes: 'partner_center.token.refreshes',
} as const);

/** Values of the `event.name` attribute of the `partner_center.resilience.events` counter. */
export const RESILIENCE_EVENT_NAMES = Object.freeze({
  onRetry: 'OnRetry',
  onThrottle: 'OnThrottle',
  onRateLimit: 'OnRateLimit',
  onBreak: 'OnCircuitOpened',
  onHalfOpen: 'OnCircuitHalfOpened',
  onReset: 'OnCircuitClosed',
  onTokenRefresh: 'OnTokenRefresh',
  onGiveUp: 'OnGiveUp',
  onReconcile: 'OnReconcile',
} as const);

/** Names of the span events added to a call's span. */
export const RESILIENCE_SPAN_EVENTS = Object.freeze({
  retry: 'retry',
  throttle: 'throttle',
  rateLimit: 'rate_limit',
  tokenRefresh: 'token_refresh',
  circuitOpened: 'circuit_opened',
  circuitHalfOpened: 'circuit_half_opened',
  circuitClosed: 'circuit_closed',
  reconcile: 'reconcile',
} as const);

/**
 * Bucket boundaries (seconds) of `http.client.request.duration`, as the HTTP semantic conventions advise.
 * Applied as instrument advice; a View configured in the SDK wins over them.
 */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);
