/** Where a server-requested delay came from. */
export type RetryAfterSource =
  | 'retry-after-ms'
  | 'x-ms-retry-after-ms'
  | 'retry-after'
  | 'retry-after-date'
  | 'body';

/** A delay the server asked for, in milliseconds, with the header (or body) that carried it. */
export interface RetryAfter {
  readonly ms: number;
  readonly source: RetryAfterSource;
}

/** Longest delay a header may express before it is treated as absurd and clamped (one week). */
const MAX_REPRESENTABLE_MS = 7 * 24 * 60 * 60 * 1000;

function readHeader(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') {
    try {
      const v: unknown = getter.call(headers, name);
      if (v !== undefined && v !== null && v !== false) return String(v);
    } catch {
      // not a Headers-like object after all
    }
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined && value !== null) {
      return Array.isArray(value) ? String(value[0]) : String(value);
    }
  }
  return undefined;
}

function parseMs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? Math.min(Math.ceil(value), MAX_REPRESENTABLE_MS) : undefined;
}

/**
 * Reads the delay a server asked for from response headers: `retry-after-ms`, then `x-ms-retry-after-ms`,
 * then `Retry-After` as delta seconds or as an HTTP-date (relative to `now`). Negative, non-numeric and
 * unparsable values are ignored; absurdly large ones are clamped to one week so later arithmetic stays
 * finite (the engine's `maxRetryAfterMs` decides what to do with a long delay). Never throws.
 */
export function parseRetryAfter(headers: unknown, now: number = Date.now()): RetryAfter | undefined {
  const ms = parseMs(readHeader(headers, 'retry-after-ms'));
  if (ms !== undefined) return { ms, source: 'retry-after-ms' };
  const xms = parseMs(readHeader(headers, 'x-ms-retry-after-ms'));
  if (xms !== undefined) return { ms: xms, source: 'x-ms-retry-after-ms' };

  const raw = readHeader(headers, 'retry-after')?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) {
    const seconds = Number(raw);
    if (!Number.isFinite(seconds)) return undefined;
    return { ms: Math.min(Math.ceil(seconds * 1000), MAX_REPRESENTABLE_MS), source: 'retry-after' };
  }
  // HTTP-date (IMF-fixdate, RFC 850 and asctime all parse with Date.parse). Require a letter so that
  // strings like "-5" or "1e3" are not read as dates.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return { ms: Math.min(Math.max(0, at - now), MAX_REPRESENTABLE_MS), source: 'retry-after-date' };
}

/**
 * Reads "Try again in N seconds" from a gateway throttling message, the only hint some 429 bodies carry
 * when a proxy drops the header.
 */
export function parseRetryAfterFromMessage(message: string | undefined): RetryAfter | undefined {
  if (message === undefined) return undefined;
  const match = /try again in (\d{1,7}) seconds?/i.exec(message);
  if (!match?.[1]) return undefined;
  return { ms: Math.min(Number(match[1]) * 1000, MAX_REPRESENTABLE_MS), source: 'body' };
}
