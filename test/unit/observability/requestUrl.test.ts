import axios, { type AxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { isAbsoluteForAxios, requestUrl } from '../../../src/observability/requestUrl.js';

const BASES = [
  undefined,
  '',
  'https://api.partnercenter.microsoft.com',
  'https://api.partnercenter.microsoft.com/',
  'https://api.partnercenter.microsoft.com/v1',
  'https://api.partnercenter.microsoft.com/v1//',
  'http://127.0.0.1:8080/v1',
];

const URLS = [
  undefined,
  '',
  '/customers',
  'customers?size=2',
  '//customers',
  '/v1/customers',
  '//evil.example/x',
  '//api.partnercenter.microsoft.com/v1/customers',
  'https://evil.example/x',
  'HTTP://evil.example/x',
  'https://good@evil.example/',
  'git+ssh://host/x',
  '/\\evil.example/x',
];

/** An axios config with only the fields that are set. */
function config(baseURL?: string, url?: string, allowAbsoluteUrls?: boolean): AxiosRequestConfig {
  return {
    ...(baseURL === undefined ? {} : { baseURL }),
    ...(url === undefined ? {} : { url }),
    ...(allowAbsoluteUrls === undefined ? {} : { allowAbsoluteUrls }),
  };
}

/** Every base x url x allowAbsoluteUrls combination that names at least one of them. */
const CASES = BASES.flatMap((baseURL) =>
  URLS.flatMap((url) => [undefined, true, false].map((allow) => config(baseURL, url, allow))),
).filter((c) => c.url !== undefined || (c.baseURL !== undefined && c.baseURL !== ''));

describe('requestUrl resolves a request URL exactly as axios does', () => {
  it('for every baseURL x url x allowAbsoluteUrls combination', () => {
    for (const config of CASES) {
      // A fresh instance: its getUri is buildFullPath + buildURL over the config.
      expect(requestUrl(config), JSON.stringify(config)).toBe(axios.create().getUri(config));
    }
  });

  it('with params, as axios serialises them', () => {
    const config = { baseURL: 'https://h/v1', url: '//other/x', params: { size: 2, q: 'a b' } };
    expect(requestUrl(config)).toBe(axios.create().getUri(config));
    expect(requestUrl(config)).toBe('//other/x?size=2&q=a+b');
  });

  it('keeps a protocol-relative URL as it is, instead of appending it to the baseURL', () => {
    expect(requestUrl({ baseURL: 'http://127.0.0.1:8080/v1', url: '//evil.example/x' })).toBe(
      '//evil.example/x',
    );
    expect(requestUrl({ baseURL: 'https://h/v1', url: '//evil.example/x', allowAbsoluteUrls: false })).toBe(
      'https://h/v1/evil.example/x',
    );
  });

  it('reads absolute URLs as axios isAbsoluteURL does', () => {
    for (const url of ['https://h/x', '//h/x', 'a+b.c-d://h']) expect(isAbsoluteForAxios(url)).toBe(true);
    for (const url of ['/x', 'x', 'https:x', '1a://h', ' https://h', '\\\\h/x']) {
      expect(isAbsoluteForAxios(url)).toBe(false);
    }
  });

  it('never throws, whatever it is given', () => {
    expect(requestUrl({})).toBeUndefined();
    expect(requestUrl({ url: 42, baseURL: null })).toBeUndefined();
    expect(
      requestUrl({
        url: '/x',
        params: { a: 1 },
        paramsSerializer: () => {
          throw new Error('no');
        },
      }),
    ).toBe('/x');
  });
});
