import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, EventHub, eventsOf, type RetryEvent } from '../../../src/observability/events.js';

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
    expect(Object.keys(events)).toEqual([...EVENT_NAMES]);
    for (const name of EVENT_NAMES) expect(typeof events[name]).toBe('function');
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
});
