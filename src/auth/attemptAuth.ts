import type { InternalAxiosRequestConfig } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { CallInfo, EventHub } from '../observability/events.js';
import type { SecretValues } from '../observability/knownSecrets.js';
import type { Log } from '../observability/logger.js';
import { isAbsoluteForAxios, requestUrl } from '../observability/requestUrl.js';
import type { ResolvedTokenOptions } from '../options/TokenOptions.js';
import type { AttemptAuth } from '../policies/attempt.js';
import { type Call, callInfo, writeHeader } from '../policies/call.js';
import { challengeClaims, parseWwwAuthenticate, partnerCenterRealm } from './challenge.js';
import type { AccessToken, TokenCredentialLike, TokenProvider } from './TokenProvider.js';
import { toTokenProvider } from './TokenProvider.js';
import { createTokenCache } from './tokenCache.js';
import { assertSafeToSendToken } from './transportSecurity.js';

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
}

const MFA_REQUIRED = '900421';
const NO_CALL: Omit<CallInfo, 'scope'> = { requestId: '', correlationId: '', method: '', url: '' };
/** Most origins whose transport verdict is remembered. */
const ORIGINS_LIMIT = 256;

/** Control characters axios strips from a header value (tab aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const HEADER_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** True when axios would keep `value` as it is: no control characters, no leading or trailing space or tab. */
function isCleanHeaderValue(value: string): boolean {
  return !HEADER_CONTROL.test(value) && value.trim() === value;
}
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/**
 * Reads the origin a request goes to, when it can be read without building the URL; else `undefined`.
 * Most calls share the instance's baseURL: its origin is read once per baseURL.
 */
function originReader(): (config: InternalAxiosRequestConfig) => string | undefined {
  let lastBase: string | undefined;
  let lastBaseOrigin: string | undefined;
  return (config) => {
    const url = config.url;
    // A url axios sends as it is: its own origin, or none to read for a protocol-relative `//host/x` (the
    // full check then refuses it). Never the baseURL's: that would let it through on a cached safe origin.
    if (typeof url === 'string' && config.allowAbsoluteUrls !== false && isAbsoluteForAxios(url)) {
      return ORIGIN.exec(url)?.[0];
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

/**
 * The token layer of the engine: each attempt gets its Authorization header from the (single-flight,
 * proactively refreshing) token cache; while the token is fresh the header is set synchronously, from a
 * `Bearer ...` string built once per token. A 401 refreshes the token with the challenge's realm and claims
 * and the attempt is replayed once. MFA-required 401s (code 900421) are not refreshed. Tokens are sent only
 * over https, or plain http to loopback (the verdict is remembered per origin).
 */
export function createAttemptAuth(deps: Deps): AttemptAuth {
  const { hub, log } = deps;
  const scopes = deps.options.scopes;
  const mapScope = deps.options.scopeOf;
  const keyOf = (scope: string): string => {
    if (!mapScope) return deps.partnerScope;
    try {
      const key = mapScope(scope);
      return typeof key === 'string' && key !== '' ? key : deps.partnerScope;
    } catch {
      return deps.partnerScope;
    }
  };
  /** The realm each token key was last challenged for (bounded like the scopes). */
  const realms = new Map<string, string>();
  /** Origins a token may be sent to (https, or http to loopback). */
  const safeOrigins = new Set<string>();
  /** The Authorization value of each token key's current token, built once per token. */
  const bearers = new Map<string, { token: AccessToken; header: string; clean: boolean }>();

  const cache = createTokenCache(toTokenProvider(deps.provider), {
    refreshWindowMs: deps.options.refreshWindowMs,
    blockingWindowMs: deps.options.blockingWindowMs,
    maxEntries: deps.options.maxEntries,
    secrets: deps.secrets,
    onWindowsScaled: (event) => {
      log?.(
        'info',
        `tokens live ${Math.round(event.lifetimeMs / 1000)} s, less than the refresh windows allow: refreshing ` +
          `${Math.round(event.refreshWindowMs / 1000)} s and blocking ${Math.round(event.blockingWindowMs / 1000)} s ` +
          `before expiry instead (token.refreshWindowMs ${deps.options.refreshWindowMs}, ` +
          `token.blockingWindowMs ${deps.options.blockingWindowMs}); said once`,
        { ...event },
      );
    },
    onRefresh: (event) => {
      log?.(
        event.outcome === 'success' ? 'debug' : 'warn',
        `token ${event.reason} refresh ${event.outcome}`,
        {
          scope: event.scope,
          realm: event.realm,
          durationMs: event.durationMs,
        },
      );
      if (!hub.has('onTokenRefresh')) return;
      hub.emit('onTokenRefresh', {
        ...(event.call ?? { ...NO_CALL, scope: event.scope }),
        realm: event.realm,
        reason: event.reason,
        durationMs: event.durationMs,
        outcome: event.outcome,
      });
    },
  });

  const originOf = originReader();
  const checkTransport = (config: InternalAxiosRequestConfig): void => {
    const origin = originOf(config);
    if (origin !== undefined && safeOrigins.has(origin)) return;
    assertSafeToSendToken(requestUrl(config) ?? '');
    if (origin !== undefined) {
      safeOrigins.add(origin);
      if (safeOrigins.size > ORIGINS_LIMIT) safeOrigins.clear();
    }
  };

  const setBearer = (call: Call, key: string, token: AccessToken): void => {
    let bearer = bearers.get(key);
    if (bearer?.token !== token) {
      const header = `Bearer ${token.token}`;
      bearer = { token, header, clean: isCleanHeaderValue(header) };
      deps.secrets?.add(token.token);
      bearers.set(key, bearer);
      bound(bearers, deps.maxScopes);
    }
    if (bearer.clean) writeHeader(call.config, 'Authorization', bearer.header);
    else call.config.headers.set('Authorization', bearer.header);
  };

  return {
    authorize(call, signal) {
      checkTransport(call.config);
      const key = keyOf(call.scope);
      const realm = realms.get(key);
      const fresh = cache.peek(key, realm);
      if (fresh !== undefined) {
        setBearer(call, key, fresh);
        return undefined;
      }
      return cache
        .getToken({ scope: key, scopes, realm, forceRefresh: false, signal, call: () => callInfo(call) })
        .then((token) => setBearer(call, key, token));
    },

    async onUnauthorized(error: PartnerCenterError, call, signal) {
      if (call.authReplays >= 1) return false;
      if (error.code === MFA_REQUIRED) return false;
      const challenges = parseWwwAuthenticate(error.headers['www-authenticate']);
      const key = keyOf(call.scope);
      const realm = partnerCenterRealm(challenges) ?? realms.get(key);
      if (realm !== undefined) {
        realms.delete(key);
        realms.set(key, realm);
        bound(realms, deps.maxScopes);
      }
      // The token the rejected attempt sent, read back from its own header.
      const sent = call.config.headers.get('Authorization');
      const token = await cache.getToken({
        scope: key,
        scopes,
        realm,
        challenge: challenges[0],
        claims: challengeClaims(challenges),
        forceRefresh: true,
        rejectedToken: typeof sent === 'string' && sent.startsWith('Bearer ') ? sent.slice(7) : undefined,
        signal,
        call: () => callInfo(call),
      });
      setBearer(call, key, token);
      return true;
    },
  };
}
