// Scope keys are bounded and single-line: they flow into logs, Redis keys and span attributes, and the scope
// registry bounds memory only if each key is small. A long key keeps a readable prefix and gets a fixed-length
// hash of the rest (FNV-1a: keys are not secrets, and the main entry stays free of node:crypto).

/** Longest tenant id kept as it is in a scope key; a longer one is shortened to a prefix and a hash. */
export const MAX_TENANT_ID_CHARS = 64;
/** Longest scope key kept as it is (explicit `partnerCenter.scope` or `tenants.resolve` answers). */
export const MAX_SCOPE_KEY_CHARS = 128;
/** Characters of a long value kept in front of its hash. */
const PREFIX_CHARS = 32;

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** True when `text` has a character that would break a log line, a header or a Redis key. */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** 64-bit FNV-1a over the UTF-16 code units of `text` (two 32-bit lanes), as 16 hex digits. */
export function fnv1a64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code ^ (a >>> 24), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * A copy of `text` that shares no memory with the string it was cut from: V8 keeps a slice (or a regex
 * capture) of a long string as a view that holds the whole of it, so a short scope key cut from a 100 KB id
 * or URL would keep the 100 KB alive in the registry.
 */
export function detached(text: string): string {
  return text.split('').join('');
}

/** `text` when at most `max` characters, else its first {@link PREFIX_CHARS} characters, `~` and its hash. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  let prefix = text.slice(0, PREFIX_CHARS);
  // Never end the prefix in half a surrogate pair.
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) prefix = prefix.slice(0, -1);
  return `${detached(prefix)}~${fnv1a64(text)}`;
}

/**
 * The scope key of a customer tenant id, or `undefined` when the id is not one: empty, `.` or `..` (path
 * segments, not tenants), or holding a control character. Lower-cased; ids longer than
 * {@link MAX_TENANT_ID_CHARS} are shortened to a prefix and a hash, so a key is at most 73 characters.
 */
export function tenantScopeKey(tenantId: string): string | undefined {
  const id = tenantId.trim();
  if (id === '' || id === '.' || id === '..' || hasControlCharacter(id)) return undefined;
  return `customer:${bounded(id.toLowerCase(), MAX_TENANT_ID_CHARS)}`;
}

/**
 * An explicit scope key (a request's `partnerCenter.scope`, a resolver's answer) as it may be used: `undefined`
 * when it holds a control character, shortened to a prefix and a hash beyond {@link MAX_SCOPE_KEY_CHARS}.
 */
export function explicitScopeKey(scope: string): string | undefined {
  if (hasControlCharacter(scope)) return undefined;
  return bounded(scope, MAX_SCOPE_KEY_CHARS);
}

const CUSTOMER_PATH = /\/customers\/([^/?#]+)/i;

/**
 * Scope key of calls for one customer tenant: `customer:<id>`, lower-cased. Always one bounded line: an id
 * longer than 64 characters is shortened to a prefix and a hash, control characters are percent-encoded.
 * (The engine does not use such ids as tenants at all: it falls back to the partner scope.)
 */
export function customerScope(tenantId: string): string {
  const key = tenantScopeKey(tenantId);
  if (key !== undefined) return key;
  const id = tenantId.trim().toLowerCase();
  const clean = hasControlCharacter(id) ? encodeURIComponent(id) : id;
  return `customer:${bounded(clean, MAX_TENANT_ID_CHARS)}`;
}

/** The tenant scope of a request path, `undefined` when it names no valid tenant (see {@link tenantScopeKey}). */
export function pathScope(url: string): string | undefined | null {
  const id = CUSTOMER_PATH.exec(url)?.[1];
  if (!id) return null;
  let decoded = id;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    // keep the raw segment
  }
  const key = tenantScopeKey(decoded);
  // The key is kept (memo, registry, store): never as a view of the request's URL.
  return key === undefined ? undefined : detached(key);
}

/**
 * The built-in resolver: `customer:<id>` for `/customers/{id}/...` paths (the partner+customer pair that
 * Partner Center throttles together), else `partnerScope`. Query strings and fragments are ignored. An id
 * that is not a tenant (`.`, `..`, control characters such as a decoded `%0d%0a`) gives `partnerScope`.
 */
export function defaultScopeOf(url: string | undefined, partnerScope: string): string {
  return (url ? pathScope(url) : null) ?? partnerScope;
}
