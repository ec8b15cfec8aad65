import { describe, expect, it } from 'vitest';
import {
  HTTP_DURATION_BUCKETS,
  RESILIENCE_EVENT_NAMES,
  RESILIENCE_METRICS,
  RESILIENCE_SPAN_EVENTS,
} from '../../../src/otel/names.js';

describe('the bridge names', () => {
  it('are frozen: no module can rename an instrument or change the buckets the others record', () => {
    for (const value of [
      RESILIENCE_METRICS,
      RESILIENCE_EVENT_NAMES,
      RESILIENCE_SPAN_EVENTS,
      HTTP_DURATION_BUCKETS,
    ]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => (HTTP_DURATION_BUCKETS as number[]).push(20)).toThrow(TypeError);
  });

  it('bucket boundaries rise strictly', () => {
    for (let i = 1; i < HTTP_DURATION_BUCKETS.length; i++) {
      expect(HTTP_DURATION_BUCKETS[i]).toBeGreaterThan(HTTP_DURATION_BUCKETS[i - 1] ?? 0);
    }
  });
});
