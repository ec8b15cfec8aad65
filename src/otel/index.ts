export type { CallInfo } from '../observability/callInfo.js';
export {
  INSTRUMENTATION_NAME,
  type InstrumentResilienceOptions,
  instrumentResilience,
  type ResilienceInstrumentation,
} from './instrumentResilience.js';
export {
  HTTP_DURATION_BUCKETS,
  RESILIENCE_EVENT_NAMES,
  RESILIENCE_METRICS,
  RESILIENCE_SPAN_EVENTS,
} from './names.js';
export type {
  BreakerFields,
  GiveUpFields,
  RateLimitFields,
  ReconcileFields,
  RequestFields,
  ResilienceEventSource,
  RetryFields,
  Subscribe,
  SuccessFields,
  ThrottleFields,
  TokenRefreshFields,
} from './ResilienceEventSource.js';
export { OTHER_SCOPE_LABEL } from './scopeLabeler.js';
