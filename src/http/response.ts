/** Reading an HTTP response: is it one, one of its headers, and the delay its Retry-After headers ask for. */
import type { AxiosResponse } from 'axios';

/** True when `value` looks like an axios response: an object with a numeric `status` and a `data` field. */
export function isResponse(value: unknown): value is AxiosResponse {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { status?: unknown }).status === 'number' &&
    'data' in value
  );
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function readUnsafe(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    try {
      const value = text(get.call(headers, name));
      if (value !== undefined) return value;
    } catch {
      // not a Headers-like object after all: read it as a plain record
    }
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return text(Array.isArray(value) ? value[0] : value);
  }
  return undefined;
}

/**
 * One header of a response or request, from AxiosHeaders, fetch `Headers` or a plain record with any
 * casing (`name` is lower case); the first value of a repeated header. `undefined` when absent, empty or not
 * text. Never throws: hostile containers (throwing getters, proxies) read as absent.
 */
export function readHeader(headers: unknown, name: string): string | undefined {
  try {
    return readUnsafe(headers, name);
  } catch {
    return undefined;
  }
}

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

/** A non-negative decimal number: digits, optionally a fraction (no sign, exponent or hex). */
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * The three HTTP-date formats of RFC 9110 section 5.6.7: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
 * RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). `Date.parse` alone is
 * far too lenient (V8 reads `"foo 1"` as 1 January 2001), so the shape is checked first.
 */
const HTTP_DATE = [
  /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * Milliseconds from a decimal string counted in units of `unit` ms, rounded up and clamped to one week (a value
 * too long to be a finite number clamps too).
 */
function decimalMs(raw: string, unit: number): number | undefined {
  if (!DECIMAL.test(raw)) return undefined;
  const value = Number(raw) * unit;
  if (Number.isNaN(value)) return undefined;
  return Math.min(Math.ceil(value), MAX_REPRESENTABLE_MS);
}

function parseMs(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : decimalMs(raw.trim(), 1);
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
  const seconds = decimalMs(raw, 1000);
  if (seconds !== undefined) return { ms: seconds, source: 'retry-after' };
  if (!HTTP_DATE.some((format) => format.test(raw))) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  const from = Number.isFinite(now) ? now : Date.now();
  return { ms: Math.min(Math.max(0, at - from), MAX_REPRESENTABLE_MS), source: 'retry-after-date' };
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
