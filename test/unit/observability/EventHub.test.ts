import { Event } from 'cockatiel';
import { describe, expect, it, vi } from 'vitest';
import type { AccessToken } from '../../../src/index.js';
import { EventHub, eventsOf } from '../../../src/observability/EventHub.js';
import {
  type AnyResilienceEvent,
  EVENT_NAMES,
  type RetryEvent,
  type SuccessEvent,
} from '../../../src/observability/events.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { capture } from '../../helpers/settle.js';

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

/** The names `hub.listening` says someone listens to, checked against `has()` on the way. */
function listened(hub: EventHub): string[] {
  for (const name of EVENT_NAMES) expect(hub.has(name), name).toBe(hub.listening[name]);
  return EVENT_NAMES.filter((name) => hub.listening[name]);
}

describe('listening', () => {
  it('is a plain object with one false flag per event name when nobody listens', () => {
    const hub = new EventHub(undefined, undefined);
    const descriptor = Object.getOwnPropertyDescriptor(hub, 'listening');
    expect(descriptor && 'value' in descriptor).toBe(true);
    expect(Object.getPrototypeOf(hub.listening)).toBe(Object.prototype);
    expect(Object.keys(hub.listening)).toEqual([...EVENT_NAMES]);
    for (const name of EVENT_NAMES) {
      expect(Object.getOwnPropertyDescriptor(hub.listening, name), name).toEqual({
        value: false,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    expect(listened(hub)).toEqual([]);
  });

  it('hooks in options set their own names only (onHookError is no event)', () => {
    const hub = new EventHub(
      { onRetry: () => undefined, onStoreError: () => undefined, onHookError: () => undefined },
      undefined,
    );
    expect(listened(hub)).toEqual(['onRetry', 'onStoreError']);
  });

  it('on sets the name, its dispose clears it; a second dispose changes nothing', () => {
    const hub = new EventHub(undefined, undefined);
    const flags = hub.listening;
    const subscription = hub.on('onSuccess', () => undefined);
    expect(listened(hub)).toEqual(['onSuccess']);
    subscription.dispose();
    expect(listened(hub)).toEqual([]);
    const other = eventsOf(hub).onSuccess(() => undefined);
    subscription.dispose();
    expect(listened(hub)).toEqual(['onSuccess']);
    other.dispose();
    expect(listened(hub)).toEqual([]);
    expect(hub.listening).toBe(flags);
  });

  it('stays set while a second listener remains, and clears with the last one', () => {
    const hub = new EventHub(undefined, undefined);
    const first = hub.events.onRetry(() => undefined);
    const second = hub.events.onRetry(() => undefined);
    first.dispose();
    expect(listened(hub)).toEqual(['onRetry']);
    second.dispose();
    expect(listened(hub)).toEqual([]);
  });

  it('a hook keeps its name set after every listener beside it is disposed', () => {
    const hub = new EventHub({ onGiveUp: () => undefined }, undefined);
    hub.events.onGiveUp(() => undefined).dispose();
    expect(listened(hub)).toEqual(['onGiveUp']);
  });

  it('onAny sets every name; its dispose clears all but those others listen to', () => {
    const hub = new EventHub({ onThrottle: () => undefined }, undefined);
    const own = hub.events.onRateLimit(() => undefined);
    const any = hub.events.onAny(() => undefined);
    expect(listened(hub)).toEqual([...EVENT_NAMES]);
    any.dispose();
    expect(listened(hub)).toEqual(['onThrottle', 'onRateLimit']);
    own.dispose();
    expect(listened(hub)).toEqual(['onThrottle']);
  });

  it('a cockatiel Event.once listener clears its name once it has heard the event', () => {
    const hub = new EventHub(undefined, undefined);
    const heard: number[] = [];
    Event.once(hub.events.onRetry, (e) => void heard.push(e.attempt));
    expect(listened(hub)).toEqual(['onRetry']);
    hub.emit('onRetry', retry);
    hub.emit('onRetry', { ...retry, attempt: 2 });
    expect(heard).toEqual([1]);
    expect(listened(hub)).toEqual([]);
  });
});

describe('a hook that throws', () => {
  useFakeClock();

  const CANARY = 'opaque-canary-token-7f3a9c2e5b1d';

  it('is logged without the bearer token it quotes (the instance sanitizer knows the token)', async () => {
    const lines: string[] = [];
    const record = (message: string, fields?: Record<string, unknown>) =>
      void lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    const provider = {
      async getToken(): Promise<AccessToken> {
        return { token: CANARY, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const { instance } = attachScripted([{ status: 200 }], {
      tokenProvider: provider,
      logger: { debug: record, info: record, warn: record, error: record },
      hooks: {
        onSuccess: () => {
          throw new Error(`request carried Authorization: Bearer ${CANARY} and token ${CANARY}`);
        },
      },
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    expect((await pending).value?.status).toBe(200);
    const hookLines = lines.filter((l) => l.includes('hook onSuccess failed'));
    expect(hookLines).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(CANARY);
  });
});
