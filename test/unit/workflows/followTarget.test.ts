import { describe, expect, it } from 'vitest';
import { originOf } from '../../../src/observability/requestUrl.js';
import { foreignTargetIssue, fromAnswering } from '../../../src/workflows/followTarget.js';

const PC = 'https://api.partnercenter.microsoft.com';
const TRUSTED = { origin: PC, of: 'the page' };

describe('fromAnswering (a server-named URL resolved against the request that answered)', () => {
  it.each([
    ['//evil.example/x', `${PC}/v1/c`, 'https://evil.example/x'],
    ['//h/x', 'http://127.0.0.1:1/v1', 'http://h/x'],
    ['//h/x', undefined, '//h/x'],
    ['/v1/operations/1', `${PC}/v1/customers`, `${PC}/v1/operations/1`],
    ['/v1/operations/1', undefined, '/v1/operations/1'],
    ['operations/1', `${PC}/v1/customers`, 'operations/1'],
    ['https://h/x', `${PC}/v1`, 'https://h/x'],
  ])('%s from %s -> %s', (target, answeredBy, expected) => {
    expect(fromAnswering(target, answeredBy)).toBe(expected);
  });
});

describe('foreignTargetIssue (where axios will send a follow-up request)', () => {
  const base = { baseURL: `${PC}/v1`, allowAbsoluteUrls: undefined };

  it.each([
    `${PC}/v1/customers?seekOperation=Next`,
    'HTTPS://API.PARTNERCENTER.MICROSOFT.COM/v1/x',
    `${PC}:443/v1/x`,
    '/customers?seekOperation=Next',
    'customers',
    '/\\evil.example/x', // a path under the baseURL for axios
  ])('follows %s', (target) => {
    expect(foreignTargetIssue(target, base, TRUSTED)).toBeUndefined();
  });

  it.each([
    ['https://evil.example/x', /another origin \(https:\/\/evil\.example\) than the page \(https:\/\/api/],
    ['//evil.example/x', /protocol-relative/],
    [' //evil.example/x', /protocol-relative/],
    ['\t//evil.example/x', /protocol-relative/],
    [`http://api.partnercenter.microsoft.com/v1/x`, /another origin \(http:\/\/api/],
    [`${PC}:8443/v1/x`, /another origin/],
    ['https://api.partnercenter.microsoft.com@evil.example/', /userinfo/],
    [`https://u:p@api.partnercenter.microsoft.com/v1/x`, /userinfo/],
    ['https:evil.example/x', /another origin \(https:\/\/evil\.example\)/],
    ['git+ssh://api.partnercenter.microsoft.com/x', /another origin \(null\)/],
  ])('refuses %s', (target, reason) => {
    expect(foreignTargetIssue(target, { baseURL: undefined, allowAbsoluteUrls: undefined }, TRUSTED)).toMatch(
      reason,
    );
  });

  it('reads allowAbsoluteUrls: false as axios does (an absolute URL goes under the baseURL)', () => {
    const pinned = { baseURL: `${PC}/v1`, allowAbsoluteUrls: false };
    expect(foreignTargetIssue('https://evil.example/x', pinned, TRUSTED)).toBeUndefined();
    expect(foreignTargetIssue('//evil.example/x', pinned, TRUSTED)).toBeUndefined();
  });

  it('refuses an absolute URL when the origin it must have is unknown; follows a path', () => {
    const unknown = { origin: undefined, of: 'the page' };
    const none = { baseURL: undefined, allowAbsoluteUrls: undefined };
    expect(foreignTargetIssue(`${PC}/v1/x`, none, unknown)).toMatch(/origin of the page is unknown/);
    expect(foreignTargetIssue('/v1/x', none, unknown)).toBeUndefined();
  });

  it('reads origins in lower case, default ports dropped', () => {
    expect(originOf('HTTPS://Api.Example:443/x')).toBe('https://api.example');
    expect(originOf('/relative')).toBeUndefined();
    expect(originOf('//h/x')).toBeUndefined();
  });
});
