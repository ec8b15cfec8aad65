/**
 * Parsing of `WWW-Authenticate` challenges (RFC 9110 section 11.6.1), lenient enough for what Partner Center
 * and Microsoft Entra ID actually send, and hostile-input safe: it never throws.
 */

/**
 * One challenge of a `WWW-Authenticate` header.
 *
 * `scheme` keeps the case the server sent (`OAuth`, `Bearer`); schemes are case-insensitive, so compare them
 * with `toLowerCase()`. Parameter names are lower-cased; values are unquoted and unescaped. When a name occurs
 * twice in one challenge the first value wins. `token68` is set for the `Negotiate abc==` form.
 */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
}

/** The realm prefix Partner Center uses in its 401 challenges: `OAuth realm=urn:cpsvc:cpid:{cid}`. */
export const PARTNER_CENTER_REALM_PREFIX = 'urn:cpsvc:cpid:';

/** Header values longer than this are cut before parsing (defends against pathological headers). */
const MAX_HEADER_LENGTH = 64 * 1024;
/** At most this many challenges are returned per header value. */
const MAX_CHALLENGES = 32;

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

interface MutableChallenge {
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

/**
 * Parses one or several `WWW-Authenticate` header values into challenges, in order.
 *
 * Handles several challenges in one value (`Bearer a=1, OAuth realm=x`), several header values (pass the
 * array), quoted values with commas and `\"` escapes, unquoted values that are not RFC tokens
 * (`realm=urn:cpsvc:cpid:...`), token68 credentials (`Negotiate abc==`) and a missing comma between
 * challenges. Garbage is skipped: the function never throws and returns `[]` when nothing can be read.
 *
 * @example parseWwwAuthenticate('OAuth realm=urn:cpsvc:cpid:0000') // [{ scheme: 'OAuth', params: { realm: 'urn:cpsvc:cpid:0000' } }]
 */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  try {
    if (typeof header === 'string') return parseOne(header);
    if (!Array.isArray(header)) return [];
    const out: AuthChallenge[] = [];
    for (const value of header as readonly unknown[]) {
      if (typeof value === 'string') out.push(...parseOne(value));
    }
    return out;
  } catch {
    // Defensive: the parser below is written not to throw; this keeps the promise whatever happens.
    return [];
  }
}

function parseOne(input: string): AuthChallenge[] {
  const text = input.length > MAX_HEADER_LENGTH ? input.slice(0, MAX_HEADER_LENGTH) : input;
  const out: MutableChallenge[] = [];
  let current: MutableChallenge | undefined;
  let i = 0;
  const n = text.length;

  while (i < n && out.length <= MAX_CHALLENGES) {
    i = skip(text, i, /[\s,]/);
    if (i >= n) break;
    const nameEnd = skip(text, i, TCHAR);
    if (nameEnd === i) {
      i += 1; // a character that cannot start anything: skip it
      continue;
    }
    const name = text.slice(i, nameEnd);
    const afterName = skip(text, nameEnd, /[ \t]/);

    if (text[afterName] === '=') {
      // auth-param: name BWS "=" BWS ( token / quoted-string ), attached to the current challenge.
      const [value, next] = readValue(text, skip(text, afterName + 1, /[ \t]/));
      const key = name.toLowerCase();
      if (current && !Object.hasOwn(current.params, key)) current.params[key] = value;
      i = next;
      continue;
    }

    // A new challenge: auth-scheme [ 1*SP ( token68 / #auth-param ) ].
    current = { scheme: name, params: Object.create(null) as Record<string, string> };
    out.push(current);
    i = afterName;
    if (afterName > nameEnd) {
      TOKEN68.lastIndex = afterName;
      const match = TOKEN68.exec(text);
      if (match) {
        const end = TOKEN68.lastIndex;
        const after = skip(text, end, /[ \t]/);
        if (after >= n || text[after] === ',') {
          current.token68 = match[0];
          i = after;
        }
      }
    }
  }

  return out.slice(0, MAX_CHALLENGES).map(freeze);
}

function freeze(c: MutableChallenge): AuthChallenge {
  const params = Object.freeze(c.params);
  return Object.freeze(
    c.token68 === undefined ? { scheme: c.scheme, params } : { scheme: c.scheme, params, token68: c.token68 },
  );
}

/** Returns the first index at or after `from` whose character does not match `pattern`. */
function skip(text: string, from: number, pattern: RegExp): number {
  let i = from;
  while (i < text.length && pattern.test(text.charAt(i))) i += 1;
  return i;
}

/** Reads a quoted-string or a lenient unquoted value (up to a comma or whitespace). */
function readValue(text: string, from: number): [string, number] {
  if (text[from] === '"') {
    let value = '';
    let i = from + 1;
    while (i < text.length) {
      const ch = text.charAt(i);
      if (ch === '\\' && i + 1 < text.length) {
        value += text.charAt(i + 1);
        i += 2;
      } else if (ch === '"') {
        return [value, i + 1];
      } else {
        value += ch;
        i += 1;
      }
    }
    return [value, i]; // unterminated: take the rest
  }
  const end = skip(text, from, /[^\s,]/);
  return [text.slice(from, end), end];
}

/**
 * The Partner Center realm (`urn:cpsvc:cpid:{cid}`) of the first challenge that carries one, whatever its
 * scheme; `undefined` when none does. Hand it to the token refresh as `TokenRequest.realm`.
 */
export function partnerCenterRealm(challenges: readonly AuthChallenge[]): string | undefined {
  for (const challenge of challenges) {
    const realm = challenge.params['realm'];
    if (realm?.toLowerCase().startsWith(PARTNER_CENTER_REALM_PREFIX)) return realm;
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * The claims of the first challenge that has a non-empty `claims` parameter (a Continuous Access Evaluation
 * or conditional access challenge, `error="insufficient_claims"`), decoded from base64 or base64url to the
 * JSON text a token credential expects as its `claims` option. A value that already is JSON is returned as
 * is. Returns `undefined` when there are no claims or they do not decode to JSON.
 */
export function challengeClaims(challenges: readonly AuthChallenge[]): string | undefined {
  for (const challenge of challenges) {
    const raw = challenge.params['claims']?.trim();
    if (!raw) continue;
    if (raw.startsWith('{')) return isJson(raw) ? raw : undefined;
    if (!BASE64.test(raw)) return undefined;
    try {
      const decoded = new TextDecoder('utf-8', { fatal: true }).decode(base64Bytes(raw));
      return isJson(decoded) ? decoded : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Base64 or base64url (padding optional) to bytes with `atob`, available in every runtime (no Buffer). */
function base64Bytes(text: string): Uint8Array {
  const plain = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(plain.padEnd(plain.length + ((4 - (plain.length % 4)) % 4), '='));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
