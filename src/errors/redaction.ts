import { readHeader } from '../http/response.js';
import { createSecretValues, MIN_SECRET_CHARS } from '../observability/knownSecrets.js';
import { requestUrl } from '../observability/requestUrl.js';
import { defaultSanitizer, REDACTED, type Sanitizer } from '../observability/sanitizer.js';

// Redaction of what goes into an error: the caps on its texts, secret-named keys of `data`, the failed
// request's own secrets, and the copy of what was thrown (`cause`); with the small readers of values of
// unknown shape that the normaliser's files share.

export type Dict = Record<string, unknown>;

export function isObject(value: unknown): value is Dict {
  return value !== null && typeof value === 'object';
}

/** A non-empty string, else `undefined`. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Caps `text` at `max` characters, marking the cut with an ellipsis. */
export function cap(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `JSON.stringify`, or `undefined` when the value cannot be serialised. */
export function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Partner Center's documented maximum length of `description`. */
export const MAX_DESCRIPTION_CHARS = 1024;

/** Longest body snippet kept on an error. */
export const MAX_BODY_SNIPPET_CHARS = 2 * 1024;

/** Largest `data` kept, as serialised JSON characters; larger data becomes a truncated preview string. */
export const MAX_DATA_CHARS = 8 * 1024;

/**
 * Marks a `PartnerCenterError` (already redacted: {@link sanitizeCause} keeps it as it is). A global symbol, so
 * that errors from two installed copies of the library recognise each other.
 */
export const PARTNER_CENTER_ERROR_MARKER = Symbol.for('partner-center-resilience.PartnerCenterError');

/** True when `value` carries the marker of a `PartnerCenterError` (from any installed copy). */
export function hasPartnerCenterErrorMarker(value: unknown): value is Error {
  if (value === null || typeof value !== 'object') return false;
  try {
    return (value as Record<PropertyKey, unknown>)[PARTNER_CENTER_ERROR_MARKER] === true;
  } catch {
    // a Proxy or getter that throws is not one of ours
    return false;
  }
}

/** Words that make a key secret, wherever they stand in it (`token`, `accessToken`, `SAS_URL`, `apiKey`). */
const SECRET_WORDS = new Set([
  'token',
  'tokens',
  'authorization',
  'auth',
  'key',
  'keys',
  'credential',
  'credentials',
  'sas',
  'password',
  'passwd',
  'pwd',
  'secret',
  'secrets',
  'assertion',
  'signature',
  'sig',
  'cookie',
]);
/** The same words at the end of a key written without separators (`accesstoken`, `clientsecret`). */
const SECRET_SUFFIX =
  /(?:token|authorization|key|credentials?|sas|password|passwd|secret|assertion|signature|cookie)s?$/i;

/** True when a key of `data` names a secret, in any case, whatever separators it uses. */
export function isSecretKey(key: string): boolean {
  if (SECRET_SUFFIX.test(key)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_WORDS.has(word));
}

/** Deepest level of `data` walked; deeper values are replaced whole. */
const MAX_DEPTH = 32;

function walk(value: unknown, sanitizer: Sanitizer, depth: number): unknown {
  if (typeof value === 'string') return sanitizer.scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => walk(item, sanitizer, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = sanitizer.scrubText(key);
    out[name] =
      isSecretKey(key) && item !== null && item !== '' ? REDACTED : walk(item, sanitizer, depth + 1);
  }
  return out;
}

/**
 * A redacted copy of JSON-like `data` (the body's `data`, or a whole parsed body): the value of every key that
 * names a secret (any depth, any case) becomes `REDACTED`, every string and key is scrubbed (tokens, known
 * secret values, URLs). `data` itself when nothing changed; a truncated preview string when the JSON of the
 * copy is longer than `max` characters.
 */
export function redactData(data: unknown, sanitizer: Sanitizer, max: number = MAX_DATA_CHARS): unknown {
  if (data === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    return '[unserialisable data]';
  }
  if (json === undefined) return undefined;
  const copy = walk(JSON.parse(json) as unknown, sanitizer, 0);
  const clean = JSON.stringify(copy);
  if (clean.length > max) return `${clean.slice(0, max)}… [truncated]`;
  return clean === json ? data : copy;
}

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

/** How many `cause` links deep a cause chain is copied. */
const MAX_CAUSE_DEPTH = 4;

/**
 * Copies an arbitrary thrown value into a plain `Error` that carries nothing but a scrubbed name, message,
 * stack and error code. Request configs, headers, sockets and responses are never copied, so a cause chain
 * cannot leak an Authorization header.
 */
export function sanitizeCause(
  value: unknown,
  depth = 0,
  scrub: (text: string) => string = defaultSanitizer.scrubText,
): Error | undefined {
  try {
    return copyCause(value, depth, scrub);
  } catch {
    const copy = new Error('A value was thrown that could not be read');
    copy.name = 'UnreadableThrown';
    return copy;
  }
}

function copyCause(value: unknown, depth: number, scrub: (text: string) => string): Error | undefined {
  if (value === undefined || value === null) return undefined;
  if (hasPartnerCenterErrorMarker(value)) return value;
  if (value instanceof Error || (typeof value === 'object' && typeof (value as Error).message === 'string')) {
    return copyError(value as Error, depth, scrub);
  }
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  const copy = new Error(`Non-Error value thrown (${typeof value}): ${scrub(text).slice(0, 500)}`);
  copy.name = 'NonErrorThrown';
  return copy;
}

/** An error-like value: name, message, stack, `code`, `errno`, `syscall` and its own cause chain. */
function copyError(value: Error, depth: number, scrub: (text: string) => string): Error {
  const source = value as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  const copy = new Error(scrub(String(source.message)).slice(0, 2000));
  copy.name = typeof source.name === 'string' ? source.name : 'Error';
  copy.stack =
    typeof source.stack === 'string' ? scrub(source.stack).slice(0, 8000) : `${copy.name}: ${copy.message}`;
  const extra = copy as Error & { code?: string | number; errno?: number; syscall?: string };
  if (typeof source.code === 'string') extra.code = scrub(source.code).slice(0, 128);
  else if (typeof source.code === 'number') extra.code = source.code;
  if (typeof source.errno === 'number') extra.errno = source.errno;
  if (typeof source.syscall === 'string') extra.syscall = source.syscall;
  if (depth < MAX_CAUSE_DEPTH && 'cause' in source && source.cause !== undefined) {
    const inner = sanitizeCause(source.cause, depth + 1, scrub);
    if (inner) Object.defineProperty(copy, 'cause', { value: inner, enumerable: false, writable: true });
  }
  return copy;
}

/** Scrubs `text`, then caps it (scrubbing can lengthen a text slightly, e.g. a URL gains its `/`). */
export function scrubbed(text: string | undefined, sanitizer: Sanitizer, max: number): string | undefined {
  return text === undefined ? undefined : cap(sanitizer.scrubText(text), max);
}
