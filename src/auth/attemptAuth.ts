import { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import { type CallInfo, callInfoOf } from '../observability/callInfo.js';
import type { EventHub } from '../observability/EventHub.js';
import type { SecretValues } from '../observability/knownSecrets.js';
import type { Log } from '../observability/logger.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { ResolvedTokenOptions } from '../options/TokenOptions.js';
import { challengeClaims, parseWwwAuthenticate, partnerCenterRealm } from './challenge.js';
import type { AccessToken, TokenCredentialLike, TokenProvider } from './TokenProvider.js';
import { toTokenProvider } from './TokenProvider.js';
import { createTokenCache } from './tokenCache.js';
import { assertSafeToSendToken } from './transportSecurity.js';

/** The request fields auth reads to tell where a token would go; auth never writes a config. */
export type AuthConfig = Readonly<
  Pick<InternalAxiosRequestConfig, 'url' | 'baseURL' | 'allowAbsoluteUrls' | 'params' | 'paramsSerializer'>
>;

/** What auth reads of a call: its scope (which token), its request (where the token goes), its event fields. */
export interface AuthCall extends CallInfo {
  readonly config: AuthConfig;
}

/** The token seam of the engine: the Authorization value of each attempt, and what a 401 means. */
export interface AttemptAuth {
  /** The Authorization header value for an attempt: a string at once while the token is fresh, else a promise of it (rejects with a PartnerCenterError: https check, provider failure, bounded by `signal`). */
  authorization(call: AuthCall, signal: AbortSignal | undefined): string | Promise<string>;
  /** After a 401 answered to an attempt that sent `sent` (the value authorization gave): refresh if that can help (the realm/claims of the challenge, the token sent is invalidated only if it is still the cached one); true to replay once. */
  onUnauthorized(
    error: PartnerCenterError,
    call: AuthCall,
    sent: string,
    signal: AbortSignal,
  ): Promise<boolean>;
}

interface Deps {
  readonly provider: TokenProvider | TokenCredentialLike;
  /** The token options, normalised (defaults filled in). */
  readonly options: ResolvedTokenOptions;
  readonly hub: EventHub;
  readonly log: Log | undefined;
  readonly maxScopes: number;
  readonly partnerScope: string;
  /** Where every token sent is remembered, so that reports never contain it. */
  readonly secrets?: SecretValues | undefined;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** The Authorization value of a token key's current token, built once per token. */
interface Bearer {
  readonly token: string;
  /** `Bearer <token>`, as axios keeps a header value. */
  readonly header: string;
  readonly realm: string | undefined;
  /** Until when (clock) the header is sent without asking the cache; 0 once rejected or superseded. */
  freshUntil: number;
}

const MFA_REQUIRED = '900421';
/** Most origins whose transport verdict is remembered. */
const ORIGINS_LIMIT = 256;
/** `scheme://authority` at the start of a URL: the scheme as axios's `isAbsoluteURL` reads one. */
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;
/** Control characters axios strips from a header value (tab aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const HEADER_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** `Bearer <token>` as axios keeps a header value: control characters and surrounding space removed. */
function headerOf(token: string): string {
  const header = `Bearer ${token}`;
  if (!HEADER_CONTROL.test(header) && header.trim() === header) return header;
  return String(new AxiosHeaders().set('Authorization', header).get('Authorization'));
}

/**
 * Reads the origin a request goes to without building its URL; `undefined` when it cannot (then the full check
 * runs). A url axios sends as it is (`scheme://...`, or a protocol-relative `//host/x`, for which there is no
 * origin to read: the full check refuses it) is never given the baseURL's origin, which would let it through
 * on a cached verdict. Most calls share the instance's baseURL: its origin is read once per baseURL.
 */
function originReader(): (config: AuthConfig) => string | undefined {
  let lastBase: string | undefined;
  let lastBaseOrigin: string | undefined;
  return (config) => {
    const url = config.url;
    if (typeof url === 'string' && config.allowAbsoluteUrls !== false) {
      const own = ORIGIN.exec(url);
      if (own !== null) return own[0];
      if (url.startsWith('//')) return undefined;
    }
    const base = config.baseURL;
    if (typeof base !== 'string') return undefined;
    if (base !== lastBase) {
      lastBase = base;
      lastBaseOrigin = ORIGIN.exec(base)?.[0];
    }
    return lastBaseOrigin;
  };
}

/** Keeps a small bounded map from growing: the oldest entry goes first. */
function bound<K, V>(map: Map<K, V>, limit: number): void {
  if (map.size <= limit) return;
  const oldest = map.keys().next();
  if (!oldest.done) map.delete(oldest.value);
}

/** What a token event says about its call (never its config). */
function describe(call: AuthCall): CallInfo {
  const { requestId, correlationId, scope, method, url } = call;
  return { requestId, correlationId, scope, method, url };
}

/**
 * The token policy: each attempt's Authorization value comes from the (single-flight, proactively refreshing)
 * token cache. While the token is fresh the value is returned at once from this policy's own record (the
 * `Bearer ...` string built once per token and the time its refresh window opens): a healthy call runs no
 * code of the cache. A 401 refreshes the token with the challenge's realm and claims, and the attempt is
 * replayed; MFA-required 401s (code 900421) are not. Tokens go only over https, or plain http to loopback;
 * the verdict is remembered per origin. The policy never writes a request config: the attempt puts the value
 * on its own copy, and hands it back after a 401 (`sent`).
 */
export function createAttemptAuth(deps: Deps): AttemptAuth {
  const { hub, log, secrets, maxScopes, partnerScope } = deps;
  const { scopes, scopeOf, refreshWindowMs, blockingWindowMs } = deps.options;
  const now = deps.now ?? Date.now;
  const keyOf = (scope: string): string => {
    if (!scopeOf) return partnerScope;
    try {
      const key = scopeOf(scope);
      return typeof key === 'string' && key !== '' ? key : partnerScope;
    } catch {
      return partnerScope;
    }
  };
  /** The realm each token key was last challenged for (bounded like the scopes). */
  const realms = new Map<string, string>();
  /** Origins a token may be sent to (https, or http to loopback). */
  const safeOrigins = new Set<string>();
  const bearers = new Map<string, Bearer>();
  const originOf = originReader();

  const cache = createTokenCache(toTokenProvider(deps.provider), {
    refreshWindowMs,
    blockingWindowMs,
    maxEntries: deps.options.maxEntries,
    secrets,
    now,
    onWindowsScaled: (event) => {
      const s = (ms: number) => Math.round(ms / 1000);
      log?.(
        'info',
        `tokens live ${s(event.lifetimeMs)} s, less than the refresh windows allow: refreshing ` +
          `${s(event.refreshWindowMs)} s and blocking ${s(event.blockingWindowMs)} s before expiry instead ` +
          `(token.refreshWindowMs ${refreshWindowMs}, token.blockingWindowMs ${blockingWindowMs}); said once`,
        { ...event },
      );
    },
    onRefresh: (event) => {
      const { scope, realm, reason, durationMs, outcome } = event;
      log?.(outcome === 'success' ? 'debug' : 'warn', `token ${reason} refresh ${outcome}`, {
        scope,
        realm,
        durationMs,
      });
      if (!hub.listening.onTokenRefresh) return;
      const call = event.call ?? callInfoOf({ scope });
      hub.emit('onTokenRefresh', { ...call, realm, reason, durationMs, outcome });
    },
  });

  /** Throws unless a token may go where `config` sends it; remembers a safe origin. */
  const checkTransport = (config: AuthConfig, origin: string | undefined): void => {
    assertSafeToSendToken(requestUrl(config) ?? '');
    if (origin === undefined) return;
    if (safeOrigins.size >= ORIGINS_LIMIT) safeOrigins.clear();
    safeOrigins.add(origin);
  };

  /** The header of `token`; kept fresh for the next attempts when `realm` is still the key's realm. */
  const remember = (key: string, realm: string | undefined, token: AccessToken): string => {
    const current = bearers.get(key);
    let bearer = current;
    if (bearer?.token !== token.token || bearer.realm !== realm) {
      const header = headerOf(token.token);
      if (header !== `Bearer ${token.token}`) secrets?.add(header.slice(7)); // what axios really sends
      bearer = { token: token.token, header, realm, freshUntil: 0 };
    }
    if (realm !== realms.get(key)) return bearer.header;
    bearer.freshUntil = cache.freshUntil(key, realm, token);
    if (bearer !== current) {
      bearers.delete(key);
      bearers.set(key, bearer);
      bound(bearers, maxScopes);
    }
    return bearer.header;
  };

  return {
    authorization(call, signal) {
      try {
        const config = call.config;
        const origin = originOf(config);
        if (origin === undefined || !safeOrigins.has(origin)) checkTransport(config, origin);
        const key = keyOf(call.scope);
        const bearer = bearers.get(key);
        if (bearer !== undefined && now() < bearer.freshUntil) return bearer.header;
        const realm = realms.get(key);
        return cache
          .getToken({ scope: key, scopes, realm, forceRefresh: false, signal, call: () => describe(call) })
          .then((token) => remember(key, realm, token));
      } catch (error: unknown) {
        return Promise.reject(error);
      }
    },

    async onUnauthorized(error, call, sent, signal) {
      if (error.code === MFA_REQUIRED) return false;
      const challenges = parseWwwAuthenticate(error.headers['www-authenticate']);
      const key = keyOf(call.scope);
      const realm = partnerCenterRealm(challenges) ?? realms.get(key);
      if (realm !== undefined) {
        realms.delete(key);
        realms.set(key, realm);
        bound(realms, maxScopes);
      }
      // Auth remembers what it sent: the rejected token is the cached one only when `sent` is its header.
      const bearer = bearers.get(key);
      const stillCached = bearer !== undefined && bearer.header === sent;
      if (bearer !== undefined && (stillCached || bearer.realm !== realm)) bearer.freshUntil = 0;
      const token = await cache.getToken({
        scope: key,
        scopes,
        realm,
        challenge: challenges[0],
        claims: challengeClaims(challenges),
        forceRefresh: true,
        rejectedToken: stillCached ? bearer.token : sent.startsWith('Bearer ') ? sent.slice(7) : undefined,
        signal,
        call: () => describe(call),
      });
      remember(key, realm, token);
      return true;
    },
  };
}
