import { readHeader } from '../http/readHeader.js';
import { createSecretValues } from '../observability/knownSecrets.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import { isObject } from './values.js';

/**
 * `sanitizer`, also removing the credential of the failed request's own `Authorization` header (a token the
 * caller set, which the library never obtained) wherever the server copied it; `sanitizer` itself when the
 * request had none.
 */
export function withRequestSecrets(config: unknown, sanitizer: Sanitizer): Sanitizer {
  if (!isObject(config)) return sanitizer;
  const authorization = readHeader(config['headers'], 'authorization');
  if (authorization === undefined) return sanitizer;
  const secrets = createSecretValues();
  const credential = /^\S+\s+(\S.*)$/.exec(authorization.trim())?.[1];
  secrets.add(credential ?? authorization.trim());
  return {
    sanitizeUrl: (url) => sanitizer.sanitizeUrl(secrets.remove(url)),
    sanitizeHeaders: (headers) => {
      const out = sanitizer.sanitizeHeaders(headers);
      for (const [name, value] of Object.entries(out)) out[name] = secrets.remove(value);
      return out;
    },
    scrubText: (text) => sanitizer.scrubText(secrets.remove(text)),
  };
}
