import { createSecretValues, type SecretValues } from './knownSecrets.js';

/**
 * Redaction by allow-list. Everything the library reports (errors, hook events, logs, spans) passes URLs,
 * headers and free text through a {@link Sanitizer} first, so a bearer token, client secret, refresh token
 * or secret query value can never leave the process through the library.
 */

/** The text that replaces a redacted value. */
export const REDACTED = 'REDACTED';

/**
 * Query parameters whose values are kept in reported URLs. Every other query value is replaced by
 * `REDACTED`. These are the paging, filtering and view parameters Partner Center documents.
 */
export const DEFAULT_ALLOWED_QUERY_PARAMETERS: readonly string[] = Object.freeze([
  'size',
  'offset',
  'seekOperation',
  'filter',
  '$filter',
  '$top',
  '$skip',
  '$orderby',
  'api-version',
  'country',
  'targetView',
  'targetSegment',
  'view',
  'total',
  'startDate',
  'endDate',
  'currencyCode',
  'period',
  'provider',
  'invoiceId',
  'customerType',
  'attestationStatus',
  'includeLicenseDetails',
]);

/**
 * Response headers worth keeping on an error (support tickets and throttling need them). Every other
 * header is dropped, never copied.
 */
export const DEFAULT_ALLOWED_HEADERS: readonly string[] = Object.freeze([
  'ms-requestid',
  'ms-correlationid',
  'ms-cv',
  'ms-serverid',
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  'content-type',
  'content-length',
  'date',
  'x-ms-ratelimit-remaining',
  'www-authenticate',
]);

/** Options of {@link createSanitizer}. */
export interface SanitizerOptions {
  /** Extra query parameters whose values may be reported. Default: none beyond the built-in list. */
  readonly allowedQueryParameters?: readonly string[];
  /** Extra response headers that may be kept on errors. Default: none beyond the built-in list. */
  readonly allowedHeaders?: readonly string[];
  /**
   * Secret values (client secrets, API keys) to remove wherever they appear as a whole word, in every text,
   * header value and URL. Values shorter than 8 characters are removed only where they are the whole text.
   * Default: none.
   */
  readonly secrets?: readonly string[];
}

/** Redacts URLs, headers and free text by allow-list. */
export interface Sanitizer {
  /** Returns the URL with userinfo removed and every query value outside the allow-list replaced. */
  sanitizeUrl(url: string): string;
  /** Returns only the allow-listed headers, lower-cased, as strings. */
  sanitizeHeaders(headers: unknown): Record<string, string>;
  /**
   * Removes bearer tokens, JWTs and `secret=`-style pairs from free text (messages, bodies), sanitizes the
   * absolute URLs it contains like {@link Sanitizer.sanitizeUrl}, and redacts `?key=value` / `&key=value` pairs
   * whose key is outside the query allow-list.
   */
  scrubText(text: string): string;
}

/** JWT-shaped strings: three base64url segments, the first one a JSON header. */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Authorization schemes followed by a credential. */
const SCHEME_PATTERN = /\b(Bearer|Basic|PoP|MSAuth1\.0)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
/** key=value and "key":"value" pairs whose key names a secret. */
const SECRET_PAIR_PATTERN =
  /((?:access|refresh|id)_?token|client_?secret|client_?assertion|password|passwd|pwd|secret|api[-_]?key|sig|signature|assertion)(["']?\s*[:=]\s*["']?)([^"'&\s,;}]+)/gi;
/**
 * Names that end in a secret word (`token`, `MS-ContinuationToken`, `authorization`, `credential`, `sas`,
 * `accountKey`), as `name=value`, `name="value"` or a quoted JSON key (`"token": "value"`); the unquoted
 * `name: value` of prose ("invalid access token: token is ...") is left alone.
 */
const SECRET_NAME_PATTERN =
  /(?<![A-Za-z0-9])([A-Za-z_-]*?(?:token|authorization|credentials?|sas|key))("\s*:\s*"?|'\s*:\s*'?|\s*=\s*["']?)((?:(?:Bearer|Basic|Token|PoP|MSAuth1\.0|Digest|OAuth|SharedAccessSignature)\s+)?[^"'&\s,;}]+)/gi;

const TOKEN_PATTERNS: readonly RegExp[] = [
  JWT_PATTERN,
  SCHEME_PATTERN,
  SECRET_PAIR_PATTERN,
  SECRET_NAME_PATTERN,
];
/** In a challenge the scheme is followed by auth-params, not a credential. */
const CHALLENGE_PATTERNS: readonly RegExp[] = [JWT_PATTERN, SECRET_PAIR_PATTERN, SECRET_NAME_PATTERN];

/** Headers that carry a challenge (`Bearer realm="…", claims="…"`), not a credential. */
const CHALLENGE_HEADERS = new Set(['www-authenticate', 'proxy-authenticate']);

/**
 * Scrubs text. With `challenge`, the text is an authentication challenge: the scheme is followed by
 * auth-params, not a credential, so the scheme pattern is skipped (JWTs and secret-named keys still go).
 */
function scrub(text: string, challenge = false): string {
  let out = text;
  for (const pattern of challenge ? CHALLENGE_PATTERNS : TOKEN_PATTERNS) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, (match: string, ...groups: unknown[]) => {
      if (typeof groups[0] === 'string' && typeof groups[1] === 'string' && typeof groups[2] === 'string') {
        // key/value pattern: keep the key, drop the value.
        return `${groups[0]}${groups[1]}${REDACTED}`;
      }
      if (typeof groups[0] === 'string' && /^(Bearer|Basic|PoP|MSAuth1\.0)$/i.test(groups[0])) {
        return `${groups[0]} ${REDACTED}`;
      }
      return match.length > 0 ? REDACTED : match;
    });
  }
  return out;
}

function headerEntries(headers: unknown): Array<[string, unknown]> {
  if (headers === null || typeof headers !== 'object') return [];
  const maybeJson = headers as { toJSON?: unknown };
  if (typeof maybeJson.toJSON === 'function') {
    try {
      const json: unknown = (maybeJson.toJSON as () => unknown).call(headers);
      if (json !== null && typeof json === 'object') return Object.entries(json);
    } catch {
      // fall through to plain entries
    }
  }
  if (typeof (headers as { entries?: unknown }).entries === 'function' && !Array.isArray(headers)) {
    try {
      return Array.from((headers as Map<string, unknown>).entries());
    } catch {
      // fall through
    }
  }
  return Object.entries(headers);
}

/** Absolute URLs inside free text (messages, bodies, stacks); trailing punctuation is left to the sentence. */
const URL_IN_TEXT = /\b[a-z][a-z\d+.-]*:\/\/[^\s"'<>`\\\u2026]*[^\s"'<>`\\\u2026,;.:!?)\]]/gi;
/** `?key=value` and `&key=value` pairs inside free text (relative URLs, query strings). */
const QUERY_PAIR_IN_TEXT = /([?&])([A-Za-z0-9_.~$%-]{1,128})=([^&\s#"'<>`\\),;\u2026]*)/g;
/** Longer query parameter names are reported as `REDACTED`: a name that long is a credential, not a name. */
const MAX_QUERY_NAME_CHARS = 64;
/** Userinfo (`user:password@`) after a scheme, for URLs that do not parse. */
const USERINFO = /^([a-z][a-z\d+.-]*:)?\/\/[^/?#@]*@/i;

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** Creates a sanitizer with the built-in allow-lists plus the given extras. */
export function createSanitizer(options: SanitizerOptions = {}): Sanitizer {
  return createSanitizerWith(options, createSecretValues());
}

/**
 * A sanitizer that also removes the values of `secrets`, read at each use (so values added later, such as
 * refreshed tokens, are removed too). For the library's own instances; see {@link createSanitizer}.
 */
export function createSanitizerWith(options: SanitizerOptions, secrets: SecretValues): Sanitizer {
  for (const value of options.secrets ?? []) secrets.add(value);
  const query = new Set([...DEFAULT_ALLOWED_QUERY_PARAMETERS, ...(options.allowedQueryParameters ?? [])]);
  const headers = new Set(
    [...DEFAULT_ALLOWED_HEADERS, ...(options.allowedHeaders ?? [])].map((h) => h.toLowerCase()),
  );
  // Headers that can never be allowed, whatever the options say.
  for (const h of ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-ms-client-secret']) {
    headers.delete(h);
  }

  function sanitizeUrl(raw: string): string {
    if (raw === '') return raw;
    // Known values go first, while their boundaries are intact (URL parsing drops tabs and newlines).
    const url = secrets.remove(raw);
    let parsed: URL;
    let relative = false;
    try {
      parsed = new URL(url);
    } catch {
      try {
        parsed = new URL(url, 'http://relative.invalid');
        relative = true;
      } catch {
        return scrub(secrets.remove((url.split(/[?#]/)[0] ?? '').replace(USERINFO, '$1//')));
      }
    }
    parsed.username = '';
    parsed.password = '';
    parsed.hash = '';
    const kept: string[] = [];
    for (const [key, value] of parsed.searchParams) {
      if (query.has(key)) {
        kept.push(`${encodeURIComponent(key)}=${encodeURIComponent(secrets.remove(value))}`);
      } else {
        // The name is kept for diagnostics unless it looks like a credential itself (`?<token>`).
        const name = key.length > MAX_QUERY_NAME_CHARS || secrets.remove(key) !== key ? REDACTED : scrub(key);
        kept.push(`${name === REDACTED ? REDACTED : encodeURIComponent(name)}=${REDACTED}`);
      }
    }
    const search = kept.length > 0 ? `?${kept.join('&')}` : '';
    // `origin` is "null" for schemes other than http(s)/ws(s)/ftp (redis://, rediss://): build it instead.
    const origin = parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin;
    const base = relative ? parsed.pathname : `${origin}${parsed.pathname}`;
    return `${scrub(secrets.remove(base))}${search}`;
  }

  function sanitizeTextUrls(text: string): string {
    const urls = text.replace(URL_IN_TEXT, (match) => sanitizeUrl(match));
    return urls.replace(QUERY_PAIR_IN_TEXT, (match: string, sep: string, key: string, value: string) =>
      query.has(decodeKey(key)) || value === REDACTED ? match : `${sep}${key}=${REDACTED}`,
    );
  }

  function scrubText(text: string): string {
    return scrub(sanitizeTextUrls(secrets.remove(text)));
  }

  return {
    sanitizeUrl,
    sanitizeHeaders(input: unknown): Record<string, string> {
      const out: Record<string, string> = {};
      for (const [name, value] of headerEntries(input)) {
        const key = name.toLowerCase();
        if (!headers.has(key) || value === undefined || value === null) continue;
        const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
        const clean = CHALLENGE_HEADERS.has(key)
          ? scrub(sanitizeTextUrls(secrets.remove(text)), true)
          : scrubText(text);
        out[key] = clean.slice(0, 512);
      }
      return out;
    },
    scrubText,
  };
}

/** The sanitizer with the built-in allow-lists, shared by every module: frozen, it knows no secret values. */
export const defaultSanitizer: Sanitizer = Object.freeze(createSanitizer());
