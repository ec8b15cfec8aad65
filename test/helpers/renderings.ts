import { inspect } from 'node:util';
import type { ResilienceHooks } from '../../src/index.js';
import { EVENT_NAMES } from '../../src/observability/events.js';
import type { Logger } from '../../src/observability/logger.js';

/**
 * Every text a caller, a log pipeline or an error tracker could make of an error: JSON, `util.inspect` (with
 * hidden properties, with getters run, without the custom hook), `String`, the stack, its axios view
 * (`response`, `config`, `request`) and its cause chain.
 */
export function renderings(error: unknown): string[] {
  const e = error as { response?: unknown; config?: unknown; request?: unknown; stack?: unknown };
  const texts = [
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    inspect(error, { depth: 10, showHidden: true, customInspect: false, getters: true }),
    String(error),
    String(e.stack),
    JSON.stringify(e.response) ?? '',
    inspect(e.response, { depth: 10 }),
    JSON.stringify(e.config) ?? '',
    inspect(e.config, { depth: 10 }),
    inspect(e.request, { depth: 10 }),
  ];
  let cause = (error as { cause?: unknown }).cause;
  for (let depth = 0; cause !== undefined && depth < 10; depth += 1) {
    texts.push(
      JSON.stringify(cause) ?? '',
      inspect(cause, { depth: 10, showHidden: true }),
      inspect(cause, { depth: 10, showHidden: true, customInspect: false }),
      String(cause),
      String((cause as { stack?: unknown }).stack),
    );
    cause = (cause as { cause?: unknown }).cause;
  }
  return texts;
}

/** Throws naming `where` and showing the context when any of `texts` holds any of `canaries`. */
export function expectNoneOf(texts: readonly string[], canaries: readonly string[], where: string): void {
  for (const text of texts) {
    for (const canary of canaries) {
      const at = text.indexOf(canary);
      if (at >= 0) {
        throw new Error(`${where} leaks ${canary}: …${text.slice(Math.max(0, at - 100), at + 40)}…`);
      }
    }
  }
}

/** Hooks for every event, each recorded as its JSON and its `util.inspect` (hidden properties too). */
export function recordingHooks(): { hooks: ResilienceHooks; events: string[] } {
  const events: string[] = [];
  const hooks: ResilienceHooks = {};
  for (const name of EVENT_NAMES) {
    (hooks as Record<string, (event: unknown) => void>)[name] = (event) => {
      events.push(`${name} ${JSON.stringify(event)}`, inspect(event, { depth: 10, showHidden: true }));
    };
  }
  return { hooks, events };
}

/** A logger at `debug` that records every line with its fields as JSON and as `util.inspect` prints them. */
export function recordingLogger(): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const log = (message: string, fields?: Record<string, unknown>) => {
    logs.push(`${message} ${JSON.stringify(fields)} ${inspect(fields, { depth: 10 })}`);
  };
  return { logger: { debug: log, info: log, warn: log, error: log, level: 'debug' }, logs };
}
