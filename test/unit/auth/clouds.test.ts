import { describe, expect, it } from 'vitest';
import {
  PARTNER_CENTER_CLOUDS,
  type PartnerCenterCloudName,
  resolveCloud,
} from '../../../src/auth/clouds.js';

const GLOBAL_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

describe('PARTNER_CENTER_CLOUDS', () => {
  it.each<[PartnerCenterCloudName, string, string, string]>([
    ['global', 'https://api.partnercenter.microsoft.com', 'https://login.microsoftonline.com', GLOBAL_SCOPE],
    [
      'china',
      'https://partner.partnercenterapi.microsoftonline.cn',
      'https://login.chinacloudapi.cn',
      'https://partner.partnercenterapi.microsoftonline.cn/.default',
    ],
    ['usgov', 'https://api.partnercenter.microsoft.com', 'https://login.microsoftonline.us', GLOBAL_SCOPE],
    [
      'germany-legacy',
      'https://api.partnercenter.microsoft.com',
      'https://login.microsoftonline.de',
      GLOBAL_SCOPE,
    ],
  ])('%s', (name, baseURL, authorityHost, scope) => {
    expect(PARTNER_CENTER_CLOUDS[name]).toEqual({ name, baseURL, authorityHost, tokenScopes: [scope] });
    expect(resolveCloud(name)).toBe(PARTNER_CENTER_CLOUDS[name]);
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(PARTNER_CENTER_CLOUDS)).toBe(true);
    for (const cloud of Object.values(PARTNER_CENTER_CLOUDS)) {
      expect(Object.isFrozen(cloud)).toBe(true);
      expect(Object.isFrozen(cloud.tokenScopes)).toBe(true);
      expect(new URL(cloud.baseURL).protocol).toBe('https:');
      expect(new URL(cloud.authorityHost).protocol).toBe('https:');
    }
  });
});

describe('resolveCloud', () => {
  it('ignores case and surrounding spaces', () => {
    expect(resolveCloud(' China ').name).toBe('china');
    expect(resolveCloud('USGOV').name).toBe('usgov');
  });

  it.each(['', 'public', 'germany', 'toString', '__proto__', 'constructor'])('rejects %j clearly', (name) => {
    expect(() => resolveCloud(name)).toThrow(RangeError);
    expect(() => resolveCloud(name)).toThrow(/expected one of: global, china, usgov, germany-legacy/);
  });

  it('rejects a non-string at run time', () => {
    expect(() => resolveCloud(undefined as unknown as string)).toThrow(RangeError);
  });
});
