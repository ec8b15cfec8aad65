import type { Sanitizer } from '../observability/sanitizer.js';
import { MAX_DATA_CHARS } from './limits.js';

/** What replaces the value of a secret-named key. */
const REDACTED = 'REDACTED';

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
