import { describe, expect, it } from 'vitest';
import {
  htmlTitle,
  MAX_PARSED_BODY_CHARS,
  parsePartnerCenterErrorBody,
  readBody,
  salvage,
} from '../../../src/errors/errorBody.js';

describe('parsePartnerCenterErrorBody', () => {
  it('reads the documented body, with the code as a trimmed string', () => {
    expect(
      parsePartnerCenterErrorBody({
        code: 800064,
        description: 'busy',
        data: ['x'],
        source: 'PartnerFD',
      }),
    ).toEqual({ code: '800064', description: 'busy', data: ['x'], source: 'PartnerFD' });
    expect(parsePartnerCenterErrorBody({ code: ' 2000 ' })?.code).toBe('2000');
  });

  it('reads a field of the wrong type as absent and keeps the rest, unknown fields included', () => {
    const body = parsePartnerCenterErrorBody({
      code: { nested: true },
      description: 42,
      message: 'still here',
      extra: 'kept',
    });
    expect(body).toEqual({ code: undefined, description: undefined, message: 'still here', extra: 'kept' });
  });

  it('reads isRetryable as a boolean or its string forms, and statusCode as an integer', () => {
    expect(parsePartnerCenterErrorBody({ isRetryable: 'False' })?.isRetryable).toBe(false);
    expect(parsePartnerCenterErrorBody({ isRetryable: 'true' })?.isRetryable).toBe(true);
    expect(parsePartnerCenterErrorBody({ isRetryable: true })?.isRetryable).toBe(true);
    expect(parsePartnerCenterErrorBody({ isRetryable: 'maybe' })?.isRetryable).toBeUndefined();
    expect(parsePartnerCenterErrorBody({ statusCode: '429', message: 'Rate limit' })?.statusCode).toBe(429);
    expect(parsePartnerCenterErrorBody({ statusCode: 'x' })?.statusCode).toBeUndefined();
  });

  it('reads the Azure-style nested error', () => {
    expect(parsePartnerCenterErrorBody({ error: { code: 7, message: 'nested', more: 1 } })?.error).toEqual({
      code: '7',
      message: 'nested',
      more: 1,
    });
    expect(parsePartnerCenterErrorBody({ error: 'not an object' })?.error).toBeUndefined();
  });

  it('is undefined for values that are not a JSON object, and for objects whose getters throw', () => {
    for (const value of [undefined, null, 'text', 42, true, ['code']]) {
      expect(parsePartnerCenterErrorBody(value)).toBeUndefined();
    }
    const hostile = Object.defineProperty({}, 'code', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(() => parsePartnerCenterErrorBody(hostile)).not.toThrow();
    expect(parsePartnerCenterErrorBody(hostile)).toBeUndefined();
  });
});

describe('readBody', () => {
  it('parses JSON text and keeps the text, without a byte order mark', () => {
    expect(readBody('\uFEFF{"code":"1"}')).toEqual({ json: { code: '1' }, text: '{"code":"1"}' });
    expect(readBody(new TextEncoder().encode('[1]'))).toEqual({ json: [1], text: '[1]' });
  });

  it('notes JSON that does not parse, a stream, and keeps other text as text', () => {
    expect(readBody('{"code":')).toEqual({
      text: '{"code":',
      note: 'the body is not valid JSON (truncated?)',
    });
    expect(readBody({ pipe: () => undefined })).toEqual({ note: 'the body is a stream and was not read' });
    expect(readBody('Bad Gateway')).toEqual({ text: 'Bad Gateway' });
    expect(readBody(503)).toEqual({ text: '503' });
  });

  it('reads empty bodies as nothing and parsed objects as JSON', () => {
    for (const empty of [undefined, null, '', '  \n ']) expect(readBody(empty)).toEqual({});
    const parsed = { code: 1 };
    expect(readBody(parsed).json).toBe(parsed);
  });

  it('does not parse a body longer than the limit', () => {
    const long = `[${'1,'.repeat(MAX_PARSED_BODY_CHARS / 2)}1]`;
    const read = readBody(long);
    expect(read.json).toBeUndefined();
    expect(read.text).toBe(long);
    const atLimit = `"${'a'.repeat(MAX_PARSED_BODY_CHARS - 4)}"`;
    expect(readBody(`[${atLimit}]`).json).toEqual([JSON.parse(atLimit)]);
  });
});

describe('salvage and htmlTitle', () => {
  it('salvages code and description from truncated JSON, unescaping the description', () => {
    expect(salvage('{"code": 800064, "description": "say \\"hi\\" then')).toEqual({
      code: '800064',
      description: 'say "hi" then',
    });
    expect(salvage('{"message":"only a message')).toEqual({ description: 'only a message' });
    expect(salvage('{"other":1')).toEqual({});
  });

  it('reads the title of an HTML page, else its first heading, with white space folded', () => {
    expect(htmlTitle('<html><title>\n 502  Bad\nGateway </title><h1>x</h1></html>')).toBe('502 Bad Gateway');
    expect(htmlTitle('<body><h1 class="e">Service Unavailable</h1></body>')).toBe('Service Unavailable');
    expect(htmlTitle('<body><p>nothing</p></body>')).toBeUndefined();
    expect(htmlTitle('<title>   </title>')).toBeUndefined();
  });
});
