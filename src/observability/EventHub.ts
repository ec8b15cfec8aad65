import { type Event, EventEmitter, type IDisposable } from 'cockatiel';
import {
  type AnyResilienceEvent,
  EVENT_NAMES,
  type EventName,
  type EventPayload,
  type HookErrorEvent,
  type ResilienceEvents,
  type ResilienceHooks,
} from './events.js';
import type { Log } from './logger.js';
import { defaultSanitizer } from './sanitizer.js';

/**
 * The handle's subscribe functions (`handle.onRetry(listener)`), one per name in {@link EVENT_NAMES}, and
 * `onAny`, which subscribes one listener to all of them (one disposable for all).
 */
export function eventsOf(hub: EventHub): ResilienceEvents {
  const events: Partial<Record<EventName, Event<never>>> = {};
  for (const name of EVENT_NAMES) {
    events[name] = (listener) => hub.on(name, listener as (event: EventPayload<typeof name>) => unknown);
  }
  const onAny: Event<AnyResilienceEvent> = (listener) => {
    const subscriptions = EVENT_NAMES.map((name) =>
      hub.on(name, (event) => listener({ name, event } as AnyResilienceEvent)),
    );
    return {
      dispose: () => {
        for (const subscription of subscriptions) subscription.dispose();
      },
    };
  };
  return Object.freeze({ ...events, onAny }) as ResilienceEvents;
}

/**
 * The engine's event hub: one cockatiel emitter per event, hooks from options subscribed to them, and
 * every listener wrapped so that a throw or a rejection is reported once and never reaches the call.
 * `listening` lets the engine skip building event objects when nobody listens.
 */
export class EventHub {
  /** The subscribe functions, as {@link eventsOf} builds them. */
  readonly events: ResilienceEvents;
  /**
   * Per event name, whether anyone listens to it now: a plain object (read it, no call), kept exact as
   * listeners are added ({@link EventHub.on}, the handle's subscribe functions, `onAny`, hooks in options)
   * and disposed. Build an event object only when its name is `true` here.
   */
  readonly listening: Readonly<Record<EventName, boolean>>;
  /** The same object as {@link EventHub.listening}, writable here only. */
  private readonly flags: Record<EventName, boolean>;
  private readonly emitters: { [K in EventName]: EventEmitter<EventPayload<K>> };
  private readonly reported = new WeakSet<object>();

  /**
   * `scrub` redacts what a failed hook's error says before it is logged: the instance's sanitizer, so that
   * the tokens it knows are removed too. Default: the built-in allow-lists.
   */
  constructor(
    hooks: ResilienceHooks | undefined,
    private readonly log: Log | undefined,
    private readonly scrub: (text: string) => string = defaultSanitizer.scrubText,
  ) {
    const emitters: Partial<Record<EventName, EventEmitter<never>>> = {};
    const flags: Partial<Record<EventName, boolean>> = {};
    for (const name of EVENT_NAMES) {
      emitters[name] = new EventEmitter<never>();
      flags[name] = false;
    }
    this.flags = flags as Record<EventName, boolean>;
    this.listening = this.flags;
    this.emitters = emitters as unknown as { [K in EventName]: EventEmitter<EventPayload<K>> };
    this.events = eventsOf(this);
    for (const name of EVENT_NAMES) {
      const hook = hooks?.[name];
      if (typeof hook === 'function') this.on(name, hook as (event: unknown) => unknown);
    }
    this.onHookError = hooks?.onHookError;
  }

  /** Subscribes `listener` to `name`; a throw or rejection of it is reported, never reaches the call. */
  on<K extends EventName>(name: K, listener: (event: EventPayload<K>) => unknown): IDisposable {
    const emitter = this.emitters[name] as EventEmitter<EventPayload<K>>;
    const subscription = emitter.addListener(this.guard(name, listener));
    this.flags[name] = true;
    return {
      dispose: () => {
        subscription.dispose();
        this.flags[name] = emitter.size > 0;
      },
    };
  }

  private readonly onHookError: ((event: HookErrorEvent) => unknown) | undefined;

  /** True when someone listens to `name`: build the event object only then. Same as `listening[name]`. */
  has(name: EventName): boolean {
    return this.flags[name];
  }

  emit<K extends EventName>(name: K, event: EventPayload<K>): void {
    this.emitters[name].emit(event);
  }

  private guard<T>(name: string, listener: (event: T) => unknown): (event: T) => void {
    return (event: T) => {
      try {
        const result = listener(event);
        if (
          result !== null &&
          typeof result === 'object' &&
          typeof (result as PromiseLike<unknown>).then === 'function'
        ) {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.report(name, error));
        }
      } catch (error: unknown) {
        this.report(name, error);
      }
    };
  }

  private report(hook: string, error: unknown): void {
    if (error !== null && typeof error === 'object') {
      if (this.reported.has(error)) return;
      this.reported.add(error);
    }
    if (this.onHookError) {
      try {
        this.onHookError({ hook, error });
        return;
      } catch {
        // fall through to the log
      }
    }
    const message = this.scrub(error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (this.log) {
      this.log('warn', `hook ${hook} failed; the call's outcome is unchanged`, { hook, error: message });
    } else {
      runtimeWarning(
        `partner-center-resilience: hook ${hook} failed (${message}); the call's outcome is unchanged`,
        'PARTNER_CENTER_RESILIENCE_HOOK',
      );
    }
  }
}

/**
 * A process warning where the runtime has them (Node, Bun, Deno's Node compatibility), else `console.warn`:
 * the main entry uses no Node-only global without a feature check.
 */
function runtimeWarning(message: string, code: string): void {
  const emitWarning = (
    globalThis as { process?: { emitWarning?: (message: string, options: { code: string }) => void } }
  ).process?.emitWarning;
  if (typeof emitWarning === 'function') emitWarning.call(globalThis.process, message, { code });
  else globalThis.console?.warn?.(message);
}
