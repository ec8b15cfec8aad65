import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PartnerCenterErrorKind } from '../../../src/errors/classify.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { axiosLikeError, FIXTURE_DIR, type Fixture, jwtCanary, loadFixtures } from './helpers.js';

interface Expected {
  readonly kind: PartnerCenterErrorKind;
  readonly retryable: boolean;
  readonly code: string | undefined;
  readonly description: string;
  readonly source: string | undefined;
  readonly data: unknown;
  readonly retryAfterMs?: number;
  readonly retryAfterSource?: string;
  readonly errorName?: string;
  readonly codeClass?: string;
}

const EXPECTED: Record<string, Expected> = {
  '400-out-of-licenses': {
    kind: 'client',
    retryable: false,
    code: '60012',
    description:
      "We&#39;re sorry, it looks like you've run out of licenses. Buy more licenses, and then try again.",
    source: 'PartnerFD',
    data: [
      'LicenseQuotaExceededException : Subscription with Account 0c39d6d5-c70d-4c55-bc02-f620844f3fd1 and SKU f8a1db68-be16-40ed-86d5-cb42ce701560 does not have any available licenses left.',
    ],
    codeClass: 'permanent',
  },
  '400-tenant-not-guid': {
    kind: 'client',
    retryable: false,
    code: '2000',
    description: 'Tenant Id must be a GUID.',
    source: 'PartnerApiServiceControllers',
    data: [],
    codeClass: 'permanent',
  },
  '401-token-missing-realm': {
    kind: 'unauthorized',
    retryable: false,
    code: '800001',
    description: 'Partner Token missing in request context',
    source: 'PartnerFD',
    data: [],
    codeClass: 'permanent',
  },
  '404-partner-not-found': {
    kind: 'not-found',
    retryable: false,
    code: '3000',
    description: 'Partner Organization with partner_id 9999999 could not be found',
    source: 'PartnerFD',
    data: [],
    codeClass: 'permanent',
  },
  '409-agreement-exists-extended': {
    kind: 'conflict',
    retryable: false,
    code: '600061',
    description: 'A partner confirmed agreement already exists for the customer.',
    source: undefined,
    data: undefined,
    errorName: 'PartnerConfirmedAgreementAlreadyExists',
    codeClass: 'permanent',
  },
  '409-cart-being-processed': {
    kind: 'conflict',
    retryable: true,
    code: '800064',
    description: 'Cart 7b2b5a8e is being processed by another request',
    source: 'PartnerFD',
    data: [],
    codeClass: 'transient',
  },
  '429-gateway-rate-limit': {
    kind: 'throttled',
    retryable: true,
    code: undefined,
    description: 'Rate limit is exceeded. Try again in 57 seconds.',
    source: undefined,
    data: undefined,
    retryAfterMs: 57_000,
    retryAfterSource: 'retry-after',
  },
  '502-html-gateway': {
    kind: 'server',
    retryable: true,
    code: undefined,
    description: '502 Bad Gateway',
    source: undefined,
    data: undefined,
  },
};

function toAxiosError(fixture: Fixture, token: string): Record<string, unknown> {
  return axiosLikeError({
    status: fixture.status,
    headers: fixture.headers,
    data: fixture.rawBody ?? fixture.body,
    token,
    method: 'post',
    url: '/v1/customers/1b2c3d4e-0000-0000-0000-000000000001/carts/7b2b5a8e/checkout',
  });
}

describe('Partner Center error fixtures', () => {
  const fixtures = loadFixtures();

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const fixture of fixtures) {
    it(`normalises ${fixture.name}`, () => {
      const expected = EXPECTED[fixture.name];
      if (expected === undefined) throw new Error(`no expectation for ${fixture.name}`);
      const token = jwtCanary();
      const error = normalizeError(toAxiosError(fixture, token));

      expect(error).toBeInstanceOf(PartnerCenterError);
      expect(error.kind).toBe(expected.kind);
      expect(error.retryable).toBe(expected.retryable);
      expect(error.status).toBe(fixture.status);
      expect(error.code).toBe(expected.code);
      if (error.code !== undefined) expect(typeof error.code).toBe('string');
      expect(error.description).toBe(expected.description);
      expect(error.source).toBe(expected.source);
      expect(error.data).toEqual(expected.data);
      expect(error.retryAfterMs).toBe(expected.retryAfterMs);
      expect(error.retryAfterSource).toBe(expected.retryAfterSource);
      expect(error.errorName).toBe(expected.errorName);
      expect(error.codeClass).toBe(expected.codeClass);
      expect(error.method).toBe('POST');
      expect(error.url).toBe(
        'https://api.partnercenter.microsoft.com/v1/customers/1b2c3d4e-0000-0000-0000-000000000001/carts/7b2b5a8e/checkout',
      );
      expect(error.requestId).toBe('11111111-2222-3333-4444-555555555555');
      expect(error.correlationId).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
      expect(error.headers['content-type']).toBe(fixture.headers['content-type']);
      // The 401 challenge is kept (the token refresh needs its realm); nothing else outside the allow-list.
      expect(error.headers['www-authenticate']).toBe(fixture.headers['www-authenticate']);
      expect(Object.keys(error.headers).sort()).toEqual(Object.keys(fixture.headers).sort());
      expect(error.message).toContain(`Partner Center ${expected.kind} ${fixture.status}`);
      expect(JSON.stringify(error)).not.toContain(token);
    });
  }

  it('keeps the HTML page of a 502 as a capped body snippet with a reason', () => {
    const fixture = fixtures.find((f) => f.name === '502-html-gateway');
    if (fixture === undefined) throw new Error('502 fixture missing');
    const error = normalizeError(toAxiosError(fixture, jwtCanary()));
    expect(error.body).toBe(fixture.rawBody);
    expect(error.reason).toBe('the gateway answered with an HTML page');
  });

  // The shared folder sits beside the repository in the project's workspace only; elsewhere (a clone, CI) the
  // comparison is reported as skipped, not run.
  const shared = join(import.meta.dirname, '../../../../shared/fixtures/partner-center-errors');
  it.skipIf(!existsSync(shared))(
    'keeps test/fixtures equal to the shared fixtures (../shared/fixtures)',
    () => {
      const names = (dir: string) =>
        readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .sort();
      expect(names(FIXTURE_DIR)).toEqual(names(shared));
      for (const name of names(shared)) {
        expect(JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')), name).toEqual(
          JSON.parse(readFileSync(join(shared, name), 'utf8')),
        );
      }
    },
  );
});
