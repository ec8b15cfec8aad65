import { describe, expect, it } from 'vitest';
import { withRequestSecrets } from '../../../src/errors/redaction.js';
import { defaultSanitizer } from '../../../src/observability/sanitizer.js';

describe("a request URL's secret-named query values are known secrets of its errors", () => {
  const config = {
    baseURL: 'https://storage.example',
    url: '/ops/1?sv=2024-11-04&sig=Zm9vYmFyYmF6cXV4%3D%3D&size=123456789&code=auth-code-0123',
    headers: {},
  };

  it('removes a SAS signature quoted bare, with or without its padding, and an OAuth code', () => {
    const sanitizer = withRequestSecrets(config, defaultSanitizer);
    expect(sanitizer.scrubText('signature Zm9vYmFyYmF6cXV4== expired; Zm9vYmFyYmF6cXV4 too')).toBe(
      'signature REDACTED expired; REDACTED too',
    );
    expect(sanitizer.scrubText('code auth-code-0123 used twice')).toBe('code REDACTED used twice');
  });

  it('leaves the values of other parameters alone, and short values', () => {
    const sanitizer = withRequestSecrets(
      { url: 'https://storage.example/x?size=123456789&sig=short', headers: {} },
      defaultSanitizer,
    );
    expect(sanitizer.scrubText('page 123456789, sig short')).toBe('page 123456789, sig short');
  });

  it('is the sanitizer itself for a request with neither Authorization nor secret query values', () => {
    expect(withRequestSecrets({ url: '/v1/customers?size=10', headers: {} }, defaultSanitizer)).toBe(
      defaultSanitizer,
    );
  });
});
