import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuthChallenge,
  challengeClaims,
  PARTNER_CENTER_REALM_PREFIX,
  parseWwwAuthenticate,
  partnerCenterRealm,
} from '../../../src/auth/challenge.js';

const GUID = '00000000-0000-0000-0000-000000000001';
const CLAIMS_JSON = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}';
const CLAIMS_B64 = Buffer.from(CLAIMS_JSON).toString('base64');

/** Plain objects, so toEqual compares what matters. */
function plain(challenges: AuthChallenge[]): unknown[] {
  return challenges.map((c) => ({ ...c, params: { ...c.params } }));
}

const TABLE: ReadonlyArray<readonly [string, string | readonly string[] | undefined, unknown[]]> = [
  [
    'Partner Center unquoted realm',
    `OAuth realm=urn:cpsvc:cpid:${GUID}`,
    [{ scheme: 'OAuth', params: { realm: `urn:cpsvc:cpid:${GUID}` } }],
  ],
  [
    'Entra claims challenge, quoted values with commas',
    `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${CLAIMS_B64}"`,
    [
      {
        scheme: 'Bearer',
        params: {
          realm: '',
          authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize',
          error: 'insufficient_claims',
          claims: CLAIMS_B64,
        },
      },
    ],
  ],
  [
    'commas and escaped quotes inside a quoted value',
    'Bearer error_description="a, b \\"quoted\\" c", error=invalid_token',
    [{ scheme: 'Bearer', params: { error_description: 'a, b "quoted" c', error: 'invalid_token' } }],
  ],
  [
    'two challenges in one value',
    'Bearer a=1, OAuth realm=x',
    [
      { scheme: 'Bearer', params: { a: '1' } },
      { scheme: 'OAuth', params: { realm: 'x' } },
    ],
  ],
  [
    'several header values',
    ['Bearer a=1', 'OAuth realm=x, Basic realm="r"'],
    [
      { scheme: 'Bearer', params: { a: '1' } },
      { scheme: 'OAuth', params: { realm: 'x' } },
      { scheme: 'Basic', params: { realm: 'r' } },
    ],
  ],
  ['token68', 'Negotiate abc==', [{ scheme: 'Negotiate', params: {}, token68: 'abc==' }]],
  [
    'token68 then another challenge',
    'Negotiate abc, Bearer realm=y',
    [
      { scheme: 'Negotiate', params: {}, token68: 'abc' },
      { scheme: 'Bearer', params: { realm: 'y' } },
    ],
  ],
  [
    'bare schemes',
    'Negotiate, NTLM',
    [
      { scheme: 'Negotiate', params: {} },
      { scheme: 'NTLM', params: {} },
    ],
  ],
  [
    'parameter names lower-cased, first duplicate wins, spaces around =',
    'Bearer Realm = "a", REALM=b, Error=x',
    [{ scheme: 'Bearer', params: { realm: 'a', error: 'x' } }],
  ],
  [
    'missing comma between challenges',
    'Bearer a=1 OAuth realm=x',
    [
      { scheme: 'Bearer', params: { a: '1' } },
      { scheme: 'OAuth', params: { realm: 'x' } },
    ],
  ],
  ['unterminated quote takes the rest', 'Bearer a="abc, d', [{ scheme: 'Bearer', params: { a: 'abc, d' } }]],
  ['params without a scheme are dropped', 'realm=x, a="b"', []],
  ['empty', '', []],
  ['only separators', ' ,, \t ,', []],
  ['undefined', undefined, []],
  ['empty array', [], []],
];

describe('parseWwwAuthenticate', () => {
  it.each(TABLE)('%s', (_name, header, expected) => {
    expect(plain(parseWwwAuthenticate(header))).toEqual(expected);
  });

  it('is safe against __proto__ parameter names', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__=x, constructor=y');
    const proto = '__proto__';
    expect(challenge?.params[proto]).toBe('x');
    expect(Object.getPrototypeOf(challenge?.params)).toBeNull();
    expect(challenge?.params['constructor']).toBe('y');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('returns frozen challenges', () => {
    const [challenge] = parseWwwAuthenticate('Bearer a=1');
    expect(Object.isFrozen(challenge)).toBe(true);
    expect(Object.isFrozen(challenge?.params)).toBe(true);
  });

  it('never throws on garbage and always returns well-formed challenges', () => {
    const alphabet = fc.constantFrom(
      ...'Bearer OAuth realm=",\\\t =abc==,,"\'<>\u0000\u00e9\u{1F600}'.split(''),
    );
    const garbage = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: alphabet, maxLength: 300 }));
    fc.assert(
      fc.property(fc.oneof(garbage, fc.array(garbage, { maxLength: 4 })), (header) => {
        const result = parseWwwAuthenticate(header);
        expect(Array.isArray(result)).toBe(true);
        for (const challenge of result) {
          expect(challenge.scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
          for (const [key, value] of Object.entries(challenge.params)) {
            expect(key).toBe(key.toLowerCase());
            expect(typeof value).toBe('string');
          }
        }
        expect(() => partnerCenterRealm(result)).not.toThrow();
        expect(() => challengeClaims(result)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('tolerates non-string values at run time', () => {
    expect(parseWwwAuthenticate(42 as unknown as string)).toEqual([]);
    expect(parseWwwAuthenticate([null, 'Bearer a=1'] as unknown as string[])).toHaveLength(1);
  });

  it('handles a very long header quickly and without throwing', () => {
    const long = `Bearer a="${'x'.repeat(200_000)}`;
    const result = parseWwwAuthenticate(long);
    expect(result[0]?.scheme).toBe('Bearer');
  });
});

describe('partnerCenterRealm', () => {
  it('reads the realm of the 401 fixture', () => {
    const path = join(
      import.meta.dirname,
      '..',
      '..',
      'fixtures',
      'partner-center-errors',
      '401-token-missing-realm.json',
    );
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as { headers: Record<string, string> };
    const header = fixture.headers['www-authenticate'];
    expect(partnerCenterRealm(parseWwwAuthenticate(header))).toBe(`${PARTNER_CENTER_REALM_PREFIX}${GUID}`);
  });

  it('finds the realm in any challenge and any case, and ignores other realms', () => {
    expect(partnerCenterRealm(parseWwwAuthenticate('Bearer realm="", OAuth realm=URN:CPSVC:CPID:abc'))).toBe(
      'URN:CPSVC:CPID:abc',
    );
    expect(partnerCenterRealm(parseWwwAuthenticate('Bearer realm="contoso"'))).toBeUndefined();
    expect(partnerCenterRealm([])).toBeUndefined();
  });
});

describe('challengeClaims', () => {
  it.each([
    ['base64', CLAIMS_B64, CLAIMS_JSON],
    ['base64url without padding', Buffer.from(CLAIMS_JSON).toString('base64url'), CLAIMS_JSON],
    ['raw JSON', CLAIMS_JSON.replaceAll('"', '\\"'), CLAIMS_JSON],
    ['not base64', 'not base64!', undefined],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64'), undefined],
    ['base64 of invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'), undefined],
    ['empty', '', undefined],
    ['base64 with its padding', Buffer.from('{"a":1}').toString('base64'), '{"a":1}'],
    ['base64url with - and _', Buffer.from('{"k":"??>>"}').toString('base64url'), '{"k":"??>>"}'],
  ])('%s', (_name, claims, expected) => {
    const challenges = parseWwwAuthenticate(`Bearer error="insufficient_claims", claims="${claims}"`);
    expect(challengeClaims(challenges)).toBe(expected);
  });

  it('is undefined without a claims parameter', () => {
    expect(challengeClaims(parseWwwAuthenticate('OAuth realm=x'))).toBeUndefined();
  });
});
