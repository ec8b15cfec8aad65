import { describe, expect, it } from 'vitest';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { defaultSanitizer, REDACTED } from '../../../src/observability/sanitizer.js';

/** An Azure Storage account key as a connection string carries it (base64, with `+`, `/` and `=`). */
const ACCOUNT_KEY = 'Zm9vYmFyYmF6cXV4+/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9v==';
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=partnerexports;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;

describe('scrubText: names ending in "key"', () => {
  const { scrubText } = defaultSanitizer;

  it('removes the AccountKey of a storage connection string, keeping the rest', () => {
    expect(scrubText(CONNECTION_STRING)).toBe(
      `DefaultEndpointsProtocol=https;AccountName=partnerexports;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`,
    );
  });

  it.each([
    [`SharedAccessKey=${ACCOUNT_KEY}`, `SharedAccessKey=${REDACTED}`],
    [`{"primaryKey": "${ACCOUNT_KEY}"}`, `{"primaryKey": "${REDACTED}"}`],
    [`key='${ACCOUNT_KEY}'`, `key='${REDACTED}'`],
  ])('%s', (text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it('keeps a connection string out of an error message, its JSON and its reason', () => {
    const error = new PartnerCenterError({
      kind: 'server',
      retryable: false,
      reason: `export failed for ${CONNECTION_STRING}`,
      description: `could not open ${CONNECTION_STRING}`,
    });
    for (const text of [error.message, JSON.stringify(error), String(error.reason)]) {
      expect(text).not.toContain(ACCOUNT_KEY);
      expect(text).toContain(`AccountKey=${REDACTED}`);
    }
  });
});
