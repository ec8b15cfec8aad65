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
  /**
   * The lowest level the library writes, read at each line (so a later change applies at once): a name
   * (`'debug'`, `'info'`, `'warn'`, `'error'`; also `'trace'`, `'fatal'`, `'silent'`, as pino and winston
   * have it), a pino/bunyan number (`20` debug, `30` info, `40` warn, `50` error), or a function returning
   * one (bunyan's `level()`). `{ ...console, level: 'debug' }` asks for the debug lines of `console`.
   * Default: `'info'` (no debug lines unless asked).
   */
  readonly level?: string | number | (() => unknown);
}

/** Log levels the library uses. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The library's internal logging function: never throws, silent without a logger. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Ranks of level names, on pino's and bunyan's scale. */
const RANKS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** Lines below `info` are written only when the logger asks for them. */
const DEFAULT_RANK = 30;

/** The rank of the logger's `level`, or the default when it has none the library understands. */
function thresholdOf(logger: Logger): number {
  let level: unknown;
  try {
    level = logger.level;
    if (typeof level === 'function') level = (level as () => unknown).call(logger);
  } catch {
    return DEFAULT_RANK;
  }
  if (typeof level === 'number' && !Number.isNaN(level)) return level;
  if (typeof level === 'string') return RANKS[level.toLowerCase()] ?? DEFAULT_RANK;
  return DEFAULT_RANK;
}

/**
 * Wraps a user logger so that a logger that throws never breaks a call, and lines below the logger's
 * `level` (default `'info'`) are not written.
 */
export function createLog(logger: Logger | undefined): Log | undefined {
  if (!logger) return undefined;
  // pino (and bunyan) take the fields object first: detect them by their `levels`/`child` members.
  const fieldsFirst = typeof (logger as { child?: unknown }).child === 'function' && 'levels' in logger;
  return (level, message, fields) => {
    const method = logger[level];
    if (typeof method !== 'function') return;
    if ((RANKS[level] ?? DEFAULT_RANK) < thresholdOf(logger)) return;
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
