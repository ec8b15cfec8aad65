import { describe, expect, it } from 'vitest';
import { EventHub, eventsOf } from '../../../src/observability/EventHub.js';
import {
  type AnyResilienceEvent,
  EVENT_NAMES,
  type RetryEvent,
  type SuccessEvent,
} from '../../../src/observability/events.js';

const retry: RetryEvent = {
  requestId: 'r',
  correlationId: 'c',
  scope: 'partner',
  method: 'GET',
  url: 'https://api.partnercenter.microsoft.com/v1/customers',
  attempt: 1,
  delayMs: 10,
  delaySource: 'backoff',
  reason: 'HTTP 503',
  errorKind: 'server',
  status: 503,
  code: undefined,
};

describe('eventsOf()', () => {
  it('builds one subscribe function per listed event, frozen', () => {
    const events = eventsOf(new EventHub(undefined, undefined));
    expect(Object.keys(events)).toEqual([...EVENT_NAMES, 'onAny']);
    for (const name of [...EVENT_NAMES, 'onAny'] as const) expect(typeof events[name]).toBe('function');
    expect(Object.isFrozen(events)).toBe(true);
  });

  it('subscribes listeners to the hub, beside the hooks; a disposed listener hears nothing more', () => {
    const heard: string[] = [];
    const hub = new EventHub({ onRetry: (e) => void heard.push(`hook ${e.attempt}`) }, undefined);
    const subscription = eventsOf(hub).onRetry((e) => void heard.push(`listener ${e.attempt}`));
    expect(hub.has('onRetry')).toBe(true);
    hub.emit('onRetry', retry);
    subscription.dispose();
    hub.emit('onRetry', { ...retry, attempt: 2 });
    expect(heard).toEqual(['hook 1', 'listener 1', 'hook 2']);
    expect(hub.has('onSuccess')).toBe(false);
  });

  it('a listener that throws is reported to onHookError and does not stop the others', () => {
    const reported: string[] = [];
    const hub = new EventHub({ onHookError: (e) => void reported.push(e.hook) }, undefined);
    const heard: number[] = [];
    eventsOf(hub).onRetry(() => {
      throw new Error('listener bug');
    });
    eventsOf(hub).onRetry((e) => void heard.push(e.attempt));
    hub.emit('onRetry', retry);
    expect(reported).toEqual(['onRetry']);
    expect(heard).toEqual([1]);
  });

  describe('onAny', () => {
    const success: SuccessEvent = { ...retry, attempts: 2, durationMs: 12, status: 200 };

    it('hears every event, named, in order; one dispose removes it from all of them', () => {
      const hub = new EventHub(undefined, undefined);
      const heard: AnyResilienceEvent[] = [];
      const subscription = eventsOf(hub).onAny((e) => void heard.push(e));
      for (const name of EVENT_NAMES) expect(hub.has(name), name).toBe(true);
      hub.emit('onRetry', retry);
      hub.emit('onSuccess', success);
      expect(heard).toEqual([
        { name: 'onRetry', event: retry },
        { name: 'onSuccess', event: success },
      ]);
      // The name narrows the event's type.
      const first = heard[0];
      if (first?.name === 'onRetry') expect(first.event.delayMs).toBe(10);
      subscription.dispose();
      for (const name of EVENT_NAMES) expect(hub.has(name), name).toBe(false);
      hub.emit('onRetry', retry);
      expect(heard).toHaveLength(2);
    });

    it('runs beside the per-name listeners and hooks; a throw is reported under the event name', () => {
      const reported: string[] = [];
      const heard: string[] = [];
      const hub = new EventHub(
        { onSuccess: () => void heard.push('hook'), onHookError: (e) => void reported.push(e.hook) },
        undefined,
      );
      eventsOf(hub).onAny(({ name }) => {
        heard.push(`any ${name}`);
        throw new Error('listener bug');
      });
      eventsOf(hub).onSuccess(() => void heard.push('listener'));
      hub.emit('onSuccess', success);
      expect(heard).toEqual(['hook', 'any onSuccess', 'listener']);
      expect(reported).toEqual(['onSuccess']);
    });
  });
});
