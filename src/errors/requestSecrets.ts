import { readHeader } from '../http/readHeader.js';
import { createSecretValues, MIN_SECRET_CHARS } from '../observability/knownSecrets.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import { isObject } from './values.js';

/** Query parameters whose values are credentials: a SAS signature, an OAuth code or token, a key. */
const SECRET_QUERY =
  /^(sig|signature|code|token|access_token|refresh_token|id_token|client_secret|client_assertion|assertion|key|api[-_]?key|password|sas)$/i;

/** The values of the request URL's secret-named query parameters (a SAS `sig`), at least 8 characters long. */
function querySecrets(config: Record<string, unknown>): string[] {
  const url = requestUrl(config);
  if (url === undefined || !url.includes('?')) return [];
  const out: string[] = [];
  try {
    for (const [name, value] of new URL(url, 'http://relative.invalid').searchParams) {
      if (!SECRET_QUERY.test(name) || value.length < MIN_SECRET_CHARS) continue;
      out.push(value);
      // A base64 signature is quoted without its padding too.
      const unpadded = value.replace(/=+$/, '');
      if (unpadded !== value && unpadded.length >= MIN_SECRET_CHARS) out.push(unpadded);
    }
  } catch {
    return [];
  }
  return out;
}

/**
 * `sanitizer`, also removing the credential of the failed request's own `Authorization` header (a token the
 * caller set, which the library never obtained) and the values of its URL's secret-named query parameters (a
 * SAS signature in a polled `Location`) wherever the server copied them, even bare; `sanitizer` itself when
 * the request had neither.
 */
export function withRequestSecrets(config: unknown, sanitizer: Sanitizer): Sanitizer {
  if (!isObject(config)) return sanitizer;
  const authorization = readHeader(config['headers'], 'authorization');
  const query = querySecrets(config);
  if (authorization === undefined && query.length === 0) return sanitizer;
  const secrets = createSecretValues();
  if (authorization !== undefined) {
    const credential = /^\S+\s+(\S.*)$/.exec(authorization.trim())?.[1];
    secrets.add(credential ?? authorization.trim());
  }
  for (const value of query) secrets.add(value);
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
