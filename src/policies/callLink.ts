import { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { REQUEST_HEADERS } from '../errors/axiosCompat.js';
import { type PartnerCenterError, withRequestConfig } from '../errors/PartnerCenterError.js';
import { originOf, requestUrl } from '../observability/requestUrl.js';
import { REDACTED, type Sanitizer } from '../observability/sanitizer.js';
import type { Call } from './call.js';

/**
 * The key under which `error.config` carries its {@link CallLink}. axios copies unknown config keys into every
 * request it makes from a config, and keeps a class instance as it is: a re-send of `error.config` (or of a copy
 * of it) reaches the engine with the link, and continues the call it came from.
 */
export const CALL_LINK_KEY = 'partner-center-resilience';

/** Request headers shown in `error.config.headers` as they were sent; the others read `REDACTED`. */
const SHOWN_HEADERS: ReadonlySet<string> = new Set([
  ...REQUEST_HEADERS,
  'accept-encoding',
  'accept-language',
  'user-agent',
  'if-match',
  'if-none-match',
]);

/** Headers left out of `error.config.headers` altogether (restored by a re-send to the same origin). */
const HIDDEN_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** Headers of the body sent, left out: axios sets them anew for the body a re-send carries. */
const BODY_HEADERS: ReadonlySet<string> = new Set(['content-length']);

/**
 * Keys of the request config left out of `error.config`, restored by a re-send through the same instance: the
 * body and basic auth (secrets: towards the same origin only), and the agents (a socket of theirs still holds
 * the last request's header block, Authorization included, for `util.inspect` to print).
 */
const HIDDEN_KEYS = ['data', 'auth', 'httpAgent', 'httpsAgent'] as const;
const SECRET_KEYS: ReadonlySet<string> = new Set(['data', 'auth']);

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What a re-send restores of what `error.config` redacted. */
interface Redacted {
  /** Header name (as sent) and value: hidden ones and those shown as `REDACTED`. */
  readonly headers: ReadonlyArray<readonly [string, unknown]>;
  readonly hidden: ReadonlyArray<readonly [string, unknown]>;
  /** The url shown and the raw one; a re-send that kept the url shown gets the raw url and baseURL back. */
  readonly url: readonly [shown: unknown, raw: unknown];
  readonly baseURL: readonly [shown: unknown, raw: unknown];
  /** The raw params when some of their values are shown as `REDACTED`. */
  readonly params: unknown;
  /** The origin the call went to: secrets are restored only towards it. */
  readonly origin: string;
}

/** True when the sanitizer lets the value of query parameter `name` be reported. */
function reportable(name: string, sanitizer: Sanitizer): boolean {
  const probe = sanitizer.sanitizeUrl(`http://params.invalid/?${new URLSearchParams({ [name]: 'v' })}`);
  return !probe.includes(`=${REDACTED}`);
}

/**
 * `params` as `error.config` shows them: a plain object's values outside the query allow-list (and every
 * value that is not a string, number or boolean) read `REDACTED`; anything else is left out.
 */
function shownParams(params: unknown, sanitizer: Sanitizer): { shown: unknown; redacted: boolean } {
  if (params === undefined || params === null) return { shown: params, redacted: false };
  if (Object.getPrototypeOf(params) !== Object.prototype) return { shown: undefined, redacted: true };
  const shown: Record<string, unknown> = {};
  let redacted = false;
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    const plain = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (plain && reportable(name, sanitizer))
      shown[name] = typeof value === 'string' ? sanitizer.scrubText(value) : value;
    else {
      shown[name] = REDACTED;
      redacted = true;
    }
  }
  return { shown, redacted };
}

/** True for params of which some value still reads `REDACTED` (or that were left out). */
function hasRedactedValue(params: unknown): boolean {
  if (params === undefined || params === null) return true;
  if (typeof params !== 'object') return false;
  return Object.values(params as Record<string, unknown>).some((value) => value === REDACTED);
}

/** The origin of the request a config makes, or `''` when it has none (a relative URL without baseURL). */
function requestOrigin(config: InternalAxiosRequestConfig): string {
  return originOf(requestUrl(config)) ?? '';
}

/**
 * The link from an error's config back to the logical call it ended: its ids, budget, attempts spent and last
 * error, and what `error.config` redacted. Nothing of it is enumerable, printed or serialised.
 */
export class CallLink {
  /** Times the call was re-sent through this link. */
  resends = 0;
  #call: Call;
  #last: PartnerCenterError;
  #redacted: Redacted;

  constructor(
    /** The engine the call ran in: a config re-sent to another instance starts a new call. */
    readonly owner: object,
    call: Call,
    last: PartnerCenterError,
    redacted: Redacted,
  ) {
    this.#call = call;
    this.#last = last;
    this.#redacted = redacted;
  }

  // Methods, not getters: `util.inspect(..., { getters: true })` must find nothing to read.
  /** The call's latest part (the first call, or its latest re-send). */
  latestCall(): Call {
    return this.#call;
  }

  /** The error the call ended with last. */
  lastFailure(): PartnerCenterError {
    return this.#last;
  }

  /** Records how the latest part ended. */
  ended(call: Call, last: PartnerCenterError, redacted: Redacted): void {
    this.#call = call;
    this.#last = last;
    this.#redacted = redacted;
  }

  /**
   * Puts back into `config` (a re-send's config, which axios built from `error.config`) what `error.config`
   * redacted and the caller left as it was: the url and baseURL, the body and basic auth, and the headers
   * missing or still `REDACTED`. Secrets go back only when the re-send goes to the same origin.
   */
  restore(config: InternalAxiosRequestConfig): void {
    const redacted = this.#redacted;
    const target = config as unknown as Record<string, unknown>;
    if (target['url'] === redacted.url[0]) {
      target['url'] = redacted.url[1];
      target['baseURL'] = redacted.baseURL[1];
    }
    if (redacted.params !== undefined && hasRedactedValue(target['params']))
      target['params'] = redacted.params;
    const sameOrigin = requestOrigin(config) === redacted.origin;
    for (const [key, value] of redacted.hidden) {
      if (target[key] === undefined && (sameOrigin || !SECRET_KEYS.has(key))) target[key] = value;
    }
    if (!sameOrigin) return;
    const headers = config.headers;
    for (const [name, value] of redacted.headers) {
      const current = headers.get(name);
      if (current === undefined || current === null || current === REDACTED)
        headers.set(name, value as string);
    }
  }

  /** Nothing of the call in JSON: the key is left out. */
  toJSON(): undefined {
    return undefined;
  }

  [INSPECT](): string {
    return 'CallLink';
  }
}

/** `JSON.stringify(error.config)`: the headers shown, and every key whose value is a number, boolean or string. */
function jsonOf(config: Record<string, unknown>, sanitizer: Sanitizer): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const key of Object.keys(config)) {
    const value = config[key];
    if (key === 'headers') json[key] = (value as AxiosHeaders).toJSON();
    else if (typeof value === 'string') json[key] = sanitizer.scrubText(value);
    else if (typeof value === 'number' || typeof value === 'boolean') json[key] = value;
  }
  return json;
}

/**
 * The caller's config for `error.config`: a copy of the call's request config (every key the caller passed and
 * axios merged: signal, timeout, partnerCenter, keys of the caller's own, axios-retry's state) with the body,
 * basic auth and the Authorization header left out, other headers outside the allow-list shown as `REDACTED`,
 * and the URLs redacted. `adapter` is the instance's own (below the library). Returns what a re-send restores.
 */
function callerConfig(
  call: Call,
  sanitizer: Sanitizer,
  libraryAuth: boolean,
  shown: { readonly url?: string | undefined; readonly baseURL?: string | undefined } | undefined,
): { config: InternalAxiosRequestConfig; redacted: Redacted } {
  const source = call.config as unknown as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) copy[key] = source[key];
  const hidden: Array<readonly [string, unknown]> = [];
  for (const key of HIDDEN_KEYS) {
    if (source[key] !== undefined) hidden.push([key, source[key]]);
    delete copy[key];
  }
  // The URLs as the error reports them (redacted; absolute when the failure did not come with axios's config).
  const url = shown === undefined ? undefined : shown.url;
  const baseURL = shown === undefined ? undefined : shown.baseURL;
  copy['url'] = url;
  copy['baseURL'] = baseURL;
  const params = shownParams(source['params'], sanitizer);
  if (params.shown === undefined) delete copy['params'];
  else copy['params'] = params.shown;
  copy['adapter'] = call.base;
  const headers = new AxiosHeaders();
  const secretHeaders: Array<readonly [string, unknown]> = [];
  const sent = call.config.headers as unknown as Record<string, unknown>;
  for (const name of Object.keys(sent)) {
    const value = sent[name];
    if (value === undefined || value === null || typeof value === 'function') continue;
    const lower = name.toLowerCase();
    if (BODY_HEADERS.has(lower)) continue;
    if (HIDDEN_HEADERS.has(lower)) {
      // The library's own token is written anew on every attempt: only the caller's own is restored.
      if (!libraryAuth) secretHeaders.push([name, value]);
      continue;
    }
    if (SHOWN_HEADERS.has(lower) && typeof value !== 'object') {
      headers.set(lower, sanitizer.scrubText(String(value)));
    } else {
      secretHeaders.push([name, value]);
      headers.set(lower, REDACTED);
    }
  }
  copy['headers'] = headers;
  // JSON of the config: what it says of the request, never an agent or a socket (circular), never a secret.
  Object.defineProperty(copy, 'toJSON', {
    value: () => jsonOf(copy, sanitizer),
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return {
    config: copy as unknown as InternalAxiosRequestConfig,
    redacted: {
      headers: secretHeaders,
      hidden,
      url: [url, source['url']],
      baseURL: [baseURL, source['baseURL']],
      params: params.redacted ? source['params'] : undefined,
      origin: requestOrigin(call.config),
    },
  };
}

/**
 * The call's final error with `error.config` set to the caller's config, linked to the call so that a re-send
 * continues it. `link`: the link the call was re-sent through, if it was.
 */
export function linkedFailure(
  owner: object,
  call: Call,
  failure: PartnerCenterError,
  link: CallLink | undefined,
  /** True when the library writes Authorization itself (a token provider): the caller's is not kept. */
  libraryAuth: boolean,
  /** The error a later re-send refuses with: the failure itself, unless that is a refusal already. */
  last: PartnerCenterError = failure,
): PartnerCenterError {
  const { config, redacted } = callerConfig(call, call.context.sanitizer, libraryAuth, failure.config);
  let own = link;
  if (own === undefined) own = new CallLink(owner, call, last, redacted);
  else own.ended(call, last, redacted);
  (config as unknown as Record<string, unknown>)[CALL_LINK_KEY] = own;
  return withRequestConfig(failure, config);
}

/** The link a request config carries, when it is a re-send of an error's config made by `owner`. */
export function linkOf(config: InternalAxiosRequestConfig, owner: object): CallLink | undefined {
  const value = (config as unknown as Record<string, unknown>)[CALL_LINK_KEY];
  return value instanceof CallLink && value.owner === owner ? value : undefined;
}

/** A re-send refused: the call's last error, saying why nothing was sent, with the re-send's config. */
export function refusedResend(
  call: Call,
  link: CallLink,
  reason: string,
  libraryAuth: boolean,
): PartnerCenterError {
  const last = link.lastFailure();
  const failure = last.with({ reason: last.reason === undefined ? reason : `${last.reason}; ${reason}` });
  return linkedFailure(link.owner, call, failure, link, libraryAuth, last);
}
