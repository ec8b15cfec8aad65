import { AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  isResponse,
  parseRetryAfter,
  parseRetryAfterFromMessage,
  readHeader,
} from '../../../src/http/response.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const NOW = Date.parse('2024-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter({ 'retry-after': '57' }, NOW)).toEqual({ ms: 57_000, source: 'retry-after' });
    expect(parseRetryAfter({ 'retry-after': '0' }, NOW)).toEqual({ ms: 0, source: 'retry-after' });
    expect(parseRetryAfter({ 'retry-after': ' 12 ' }, NOW)).toEqual({ ms: 12_000, source: 'retry-after' });
  });

  it('reads decimal seconds, rounding up to a whole millisecond', () => {
    expect(parseRetryAfter({ 'retry-after': '1.5' }, NOW)).toEqual({ ms: 1500, source: 'retry-after' });
    expect(parseRetryAfter({ 'retry-after': '0.0001' }, NOW)).toEqual({ ms: 1, source: 'retry-after' });
  });

  it('reads an HTTP-date relative to the given now, in the three HTTP date formats', () => {
    const in90s = new Date(NOW + 90_000).toUTCString();
    expect(parseRetryAfter({ 'retry-after': in90s }, NOW)).toEqual({
      ms: 90_000,
      source: 'retry-after-date',
    });
    const reference = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');
    for (const format of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
    ]) {
      expect(parseRetryAfter({ 'retry-after': format }, reference - 5000), format).toEqual({
        ms: 5000,
        source: 'retry-after-date',
      });
    }
  });

  it('gives 0 for a date in the past', () => {
    const past = new Date(NOW - 3_600_000).toUTCString();
    expect(parseRetryAfter({ 'retry-after': past }, NOW)).toEqual({ ms: 0, source: 'retry-after-date' });
  });

  it('ignores negative, garbage, exponent and empty values', () => {
    for (const value of [
      '-5',
      '-0.5',
      '1e3',
      '',
      '   ',
      'soon',
      'foo 1',
      'x 12',
      'Tue 3',
      'in 5 minutes',
      'NaN',
      'Infinity',
      '0x10',
      '+5',
      '5s',
      '.5',
      '1,5',
    ]) {
      expect(parseRetryAfter({ 'retry-after': value }, NOW), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('clamps huge values to one week', () => {
    expect(parseRetryAfter({ 'retry-after': '86400000' }, NOW)).toEqual({
      ms: WEEK_MS,
      source: 'retry-after',
    });
    expect(parseRetryAfter({ 'retry-after': '9'.repeat(400) }, NOW)).toEqual({
      ms: WEEK_MS,
      source: 'retry-after',
    });
    expect(parseRetryAfter({ 'retry-after-ms': '9'.repeat(400) }, NOW)).toEqual({
      ms: WEEK_MS,
      source: 'retry-after-ms',
    });
    expect(parseRetryAfter({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, NOW)).toEqual({
      ms: WEEK_MS,
      source: 'retry-after-date',
    });
  });

  it('prefers retry-after-ms, then x-ms-retry-after-ms, then Retry-After', () => {
    const all = { 'retry-after': '10', 'x-ms-retry-after-ms': '2500', 'retry-after-ms': '1200' };
    expect(parseRetryAfter(all, NOW)).toEqual({ ms: 1200, source: 'retry-after-ms' });
    const noMs = { 'retry-after': '10', 'x-ms-retry-after-ms': '2500' };
    expect(parseRetryAfter(noMs, NOW)).toEqual({ ms: 2500, source: 'x-ms-retry-after-ms' });
    expect(parseRetryAfter({ 'retry-after-ms': '12.2' }, NOW)).toEqual({ ms: 13, source: 'retry-after-ms' });
  });

  it('falls through to the next header when a preferred one is unusable', () => {
    const headers = { 'retry-after-ms': 'garbage', 'x-ms-retry-after-ms': '-1', 'retry-after': '3' };
    expect(parseRetryAfter(headers, NOW)).toEqual({ ms: 3000, source: 'retry-after' });
  });

  it('reads AxiosHeaders instances', () => {
    const headers = new AxiosHeaders({ 'Retry-After': '7' });
    expect(parseRetryAfter(headers, NOW)).toEqual({ ms: 7000, source: 'retry-after' });
    const ms = AxiosHeaders.from('Retry-After: 7\r\nX-MS-Retry-After-MS: 450');
    expect(parseRetryAfter(ms, NOW)).toEqual({ ms: 450, source: 'x-ms-retry-after-ms' });
  });

  it('reads Fetch Headers and plain objects with mixed-case names and array values', () => {
    expect(parseRetryAfter(new Headers({ 'Retry-After': '4' }), NOW)).toEqual({
      ms: 4000,
      source: 'retry-after',
    });
    expect(parseRetryAfter({ 'RETRY-AFTER': '8' }, NOW)).toEqual({ ms: 8000, source: 'retry-after' });
    expect(parseRetryAfter({ 'Retry-After-Ms': '250', 'Retry-After': '8' }, NOW)).toEqual({
      ms: 250,
      source: 'retry-after-ms',
    });
    expect(parseRetryAfter({ 'retry-after': ['9', '10'] }, NOW)).toEqual({ ms: 9000, source: 'retry-after' });
    expect(parseRetryAfter({ 'retry-after': 6 }, NOW)).toEqual({ ms: 6000, source: 'retry-after' });
  });

  it('returns undefined for missing or unusable header containers and never throws', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('retry-after: 5', NOW)).toBeUndefined();
    expect(parseRetryAfter({}, NOW)).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
        ownKeys() {
          throw new Error('ownKeys');
        },
        getOwnPropertyDescriptor() {
          throw new Error('descriptor');
        },
      },
    );
    expect(parseRetryAfter(hostile, NOW)).toBeUndefined();
    const throwingValue = {
      'retry-after': {
        toString() {
          throw new Error('toString');
        },
      },
    };
    expect(parseRetryAfter(throwingValue, NOW)).toBeUndefined();
  });

  it('uses the wall clock when no now is given', () => {
    const result = parseRetryAfter({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() });
    expect(result?.source).toBe('retry-after-date');
    expect(result?.ms).toBeGreaterThan(55_000);
    expect(result?.ms).toBeLessThanOrEqual(60_000);
  });
});

describe('parseRetryAfterFromMessage', () => {
  it('reads "Try again in N seconds" from a gateway message', () => {
    expect(parseRetryAfterFromMessage('Rate limit is exceeded. Try again in 57 seconds.')).toEqual({
      ms: 57_000,
      source: 'body',
    });
    expect(parseRetryAfterFromMessage('try again in 1 second')).toEqual({ ms: 1000, source: 'body' });
  });

  it('returns undefined when there is no hint', () => {
    expect(parseRetryAfterFromMessage(undefined)).toBeUndefined();
    expect(parseRetryAfterFromMessage('')).toBeUndefined();
    expect(parseRetryAfterFromMessage('Rate limit is exceeded.')).toBeUndefined();
    expect(parseRetryAfterFromMessage('Try again in a few seconds')).toBeUndefined();
  });

  it('clamps to one week', () => {
    expect(parseRetryAfterFromMessage('Try again in 9999999 seconds')).toEqual({
      ms: WEEK_MS,
      source: 'body',
    });
  });
});

describe('parseRetryAfter with an unusable clock', () => {
  it('falls back to the wall clock when now is not finite', () => {
    const result = parseRetryAfter(
      { 'retry-after': new Date(Date.now() + 60_000).toUTCString() },
      Number.NaN,
    );
    expect(result?.ms).toBeGreaterThan(55_000);
    expect(result?.ms).toBeLessThanOrEqual(60_000);
  });
});

describe('readHeader', () => {
  it('reads AxiosHeaders, fetch Headers and plain records of any casing', () => {
    expect(readHeader(new AxiosHeaders({ 'Retry-After': '5' }), 'retry-after')).toBe('5');
    expect(readHeader(new Headers({ 'MS-RequestId': 'r-1' }), 'ms-requestid')).toBe('r-1');
    expect(readHeader({ 'MS-CorrelationId': 'c-1' }, 'ms-correlationid')).toBe('c-1');
  });

  it('reads the first value of a repeated header and a finite number as text', () => {
    expect(readHeader({ 'set-cookie': ['a', 'b'] }, 'set-cookie')).toBe('a');
    expect(readHeader({ 'retry-after-ms': 250 }, 'retry-after-ms')).toBe('250');
    expect(readHeader({ 'retry-after-ms': Number.NaN }, 'retry-after-ms')).toBeUndefined();
  });

  it('is undefined when absent, empty or not text, and for hostile containers', () => {
    expect(readHeader({ a: '' }, 'a')).toBeUndefined();
    expect(readHeader({ a: { nested: true } }, 'a')).toBeUndefined();
    expect(readHeader({}, 'a')).toBeUndefined();
    expect(readHeader(undefined, 'a')).toBeUndefined();
    expect(readHeader('a: b', 'a')).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(readHeader(hostile, 'a')).toBeUndefined();
    const throwingGet = {
      get: () => {
        throw new Error('no');
      },
      a: 'plain',
    };
    expect(readHeader(throwingGet, 'a')).toBe('plain');
  });
});

describe('isResponse', () => {
  it('is true for an object with a numeric status and a data field, even undefined', () => {
    expect(isResponse({ status: 200, data: undefined })).toBe(true);
    expect(isResponse({ status: '200', data: {} })).toBe(false);
    expect(isResponse({ status: 200 })).toBe(false);
    expect(isResponse(null)).toBe(false);
    expect(isResponse('response')).toBe(false);
  });
});
