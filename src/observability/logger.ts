/**
 * A pino- or console-style logger. Each method takes a message and an optional object of fields (pino's
 * `logger.info(obj, msg)` order is also accepted by the library). Every field passed is already
 * redacted.
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** Log levels the library uses. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The library's internal logging function: never throws, silent without a logger. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Wraps a user logger so that a logger that throws never breaks a call. */
export function createLog(logger: Logger | undefined): Log | undefined {
  if (!logger) return undefined;
  // pino (and bunyan) take the fields object first: detect them by their `levels`/`child` members.
  const fieldsFirst = typeof (logger as { child?: unknown }).child === 'function' && 'levels' in logger;
  return (level, message, fields) => {
    const method = logger[level];
    if (typeof method !== 'function') return;
    const text = `partner-center-resilience: ${message}`;
    try {
      if (fieldsFirst)
        (method as unknown as (f: unknown, m: string) => void).call(logger, fields ?? {}, text);
      else method.call(logger, text, fields);
    } catch {
      // A broken logger must not change a call's outcome; there is nowhere left to report it.
    }
  };
}
