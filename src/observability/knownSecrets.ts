/**
 * Redaction by value: the secrets the library knows (the tokens it sent or saw rejected, the values given as
 * `secrets`) are removed from every text it reports, wherever a server copied them. A value is removed only
 * where it stands as a whole word (not inside a longer run of letters and digits), and only when it is at
 * least {@link MIN_SECRET_CHARS} long: a shorter value is replaced only when it is the whole text, so that a
 * token `t` never turns "the token" into "REDACTEDhe REDACTEDoken" and betrays itself by where it landed.
 */

/** The text that replaces a redacted value (the sanitizer's). */
const REDACTED = 'REDACTED';

/** Shortest value that is searched for inside longer texts. */
export const MIN_SECRET_CHARS = 8;

/** Most values remembered; beyond it the oldest goes first (tokens are replaced, never accumulated). */
export const MAX_SECRET_VALUES = 1024;

/** A set of secret values, and the text function that removes them. */
export interface SecretValues {
  /** Remembers `value` (and its URL-encoded form) as a secret. Empty values are ignored. */
  add(value: string): void;
  /** `text` with every remembered value that stands as a whole word replaced by `REDACTED`. */
  remove(text: string): string;
  /** Number of values remembered. */
  readonly size: number;
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isHex(code: number): boolean {
  return isWordChar(code) && (code <= 57 || (code & 0xdf) <= 70);
}

const BACKSLASH = 92;
/** `\\n`, `\\r`, `\\t`, `\\b`, `\\f`: JSON escapes that end in a letter. */
const ESCAPE_LETTERS = new Set([110, 114, 116, 98, 102]);

function hexRun(text: string, from: number, count: number): boolean {
  for (let k = from; k < from + count; k++) if (!isHex(text.charCodeAt(k))) return false;
  return true;
}

/**
 * True when a value may start at `i`: the text starts there, or a non-word character precedes it, or an
 * escape that stands for one (`%0A`, JSON's `\\n` and `\\u000a`).
 */
function startsWord(text: string, i: number): boolean {
  if (i === 0 || !isWordChar(text.charCodeAt(i - 1))) return true;
  if (i >= 3 && text.charCodeAt(i - 3) === 37 && hexRun(text, i - 2, 2)) return true;
  if (i >= 2 && text.charCodeAt(i - 2) === BACKSLASH && ESCAPE_LETTERS.has(text.charCodeAt(i - 1)))
    return true;
  return (
    i >= 6 && text.charCodeAt(i - 6) === BACKSLASH && text.charCodeAt(i - 5) === 117 && hexRun(text, i - 4, 4)
  );
}

/** `text` with every value of `values` that stands as a whole word replaced (one left-to-right pass). */
export function removeValues(text: string, values: Iterable<string>): string {
  const set = createSecretValues();
  for (const value of values) set.add(value);
  return set.remove(text);
}

/** Creates an empty {@link SecretValues}. */
export function createSecretValues(): SecretValues {
  /** Long values by their first {@link MIN_SECRET_CHARS} characters, longest first. */
  const byPrefix = new Map<string, string[]>();
  /** Short values: replaced only as a whole text. */
  const short = new Set<string>();
  /** Every value, oldest first, to bound the set. */
  const order = new Set<string>();
  /** Length of the shortest long value: a shorter text cannot hold one (most texts are shorter than a token). */
  let shortest = Number.POSITIVE_INFINITY;
  /** First code units of the long values (mod 128): a position starting with another cannot match. */
  const firsts = new Uint8Array(128);

  function reindex(): void {
    shortest = Number.POSITIVE_INFINITY;
    firsts.fill(0);
    for (const list of byPrefix.values()) {
      for (const value of list) {
        shortest = Math.min(shortest, value.length);
        firsts[value.charCodeAt(0) & 127] = 1;
      }
    }
  }

  function forget(value: string): void {
    order.delete(value);
    if (value.length < MIN_SECRET_CHARS) {
      short.delete(value);
      return;
    }
    const prefix = value.slice(0, MIN_SECRET_CHARS);
    const list = byPrefix.get(prefix)?.filter((v) => v !== value);
    if (list === undefined || list.length === 0) byPrefix.delete(prefix);
    else byPrefix.set(prefix, list);
    reindex();
  }

  function remember(value: string): void {
    if (value === '' || order.has(value)) return;
    order.add(value);
    if (value.length < MIN_SECRET_CHARS) short.add(value);
    else {
      const prefix = value.slice(0, MIN_SECRET_CHARS);
      const list = [...(byPrefix.get(prefix) ?? []), value].sort((a, b) => b.length - a.length);
      byPrefix.set(prefix, list);
      shortest = Math.min(shortest, value.length);
      firsts[value.charCodeAt(0) & 127] = 1;
    }
    while (order.size > MAX_SECRET_VALUES) {
      const oldest = order.values().next();
      if (oldest.done) break;
      forget(oldest.value);
    }
  }

  function matchAt(text: string, i: number): string | undefined {
    if (firsts[text.charCodeAt(i) & 127] === 0) return undefined;
    const list = byPrefix.get(text.slice(i, i + MIN_SECRET_CHARS));
    if (list === undefined) return undefined;
    for (const value of list) {
      const end = i + value.length;
      if (text.startsWith(value, i) && (end >= text.length || !isWordChar(text.charCodeAt(end))))
        return value;
    }
    return undefined;
  }

  return {
    add(value: string): void {
      if (typeof value !== 'string' || value === '') return;
      remember(value);
      let encoded: string;
      try {
        encoded = encodeURIComponent(value);
      } catch {
        return; // a lone surrogate: no URL form
      }
      if (encoded !== value) remember(encoded);
    },
    remove(text: string): string {
      if (order.size === 0 || text === '') return text;
      if (short.has(text)) return REDACTED;
      if (text.length < shortest) return text;
      let out = '';
      let last = 0;
      let i = 0;
      const lastStart = text.length - shortest;
      while (i <= lastStart) {
        const value = startsWord(text, i) ? matchAt(text, i) : undefined;
        if (value === undefined) {
          i += 1;
          continue;
        }
        out += `${text.slice(last, i)}${REDACTED}`;
        i += value.length;
        last = i;
      }
      return last === 0 ? text : out + text.slice(last);
    },
    get size(): number {
      return order.size;
    },
  };
}
