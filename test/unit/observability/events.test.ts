import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  EVENT_NAMES,
  HOOK_NAMES,
  type ResilienceEvents,
  type ResilienceHooks,
} from '../../../src/observability/events.js';

describe('one list of event names', () => {
  it('matches the event and hook types', () => {
    expectTypeOf<(typeof EVENT_NAMES)[number]>().toEqualTypeOf<Exclude<keyof ResilienceEvents, 'onAny'>>();
    expectTypeOf<(typeof HOOK_NAMES)[number]>().toEqualTypeOf<keyof ResilienceHooks>();
    expect(HOOK_NAMES).toEqual([...EVENT_NAMES, 'onHookError']);
    // @ts-expect-error: hooks reject unknown keys at compile time
    const hooks: ResilienceHooks = { onRetyr: () => undefined };
    expect(hooks).toBeDefined();
  });
});

describe('the name lists', () => {
  it('are frozen: no module can add or drop a name the others read', () => {
    expect(Object.isFrozen(EVENT_NAMES)).toBe(true);
    expect(Object.isFrozen(HOOK_NAMES)).toBe(true);
    expect(() => (EVENT_NAMES as unknown as string[]).push('onOther')).toThrow(TypeError);
    expect(EVENT_NAMES).toHaveLength(12);
  });
});
