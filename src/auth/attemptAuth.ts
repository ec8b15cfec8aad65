import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { CallInfo, EventHub } from '../observability/events.js';
import type { Log } from '../observability/logger.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { TokenOptions } from '../options.js';
import type { AttemptAuth, CallState } from '../policies/compose.js';
import { challengeClaims, parseWwwAuthenticate, partnerCenterRealm } from './challenge.js';
import { PARTNER_CENTER_CLOUDS } from './clouds.js';
import type { TokenCredentialLike, TokenProvider } from './TokenProvider.js';
import { toTokenProvider } from './TokenProvider.js';
import { createTokenCache } from './tokenCache.js';
import { assertSafeToSendToken } from './transportSecurity.js';

interface Deps {
  readonly provider: TokenProvider | TokenCredentialLike;
  readonly options: TokenOptions | undefined;
  readonly hub: EventHub;
  readonly log: Log | undefined;
  readonly maxScopes: number;
  readonly partnerScope: string;
}

const MFA_REQUIRED = '900421';

/**
 * The token layer of the engine: each attempt gets its Authorization header from the (single-flight,
 * proactively refreshing) token cache; a 401 refreshes the token with the challenge's realm and claims and
 * replays the attempt once. MFA-required 401s (code 900421) are not refreshed. Tokens are sent only over
 * https, or plain http to loopback.
 */
export function createAttemptAuth(deps: Deps): AttemptAuth {
  const { hub, log } = deps;
  const scopes = deps.options?.scopes ?? PARTNER_CENTER_CLOUDS.global.tokenScopes;
  const mapScope = deps.options?.scopeOf;
  const keyOf = (scope: string): string => {
    if (!mapScope) return deps.partnerScope;
    try {
      const key = mapScope(scope);
      return typeof key === 'string' && key !== '' ? key : deps.partnerScope;
    } catch {
      return deps.partnerScope;
    }
  };
  /** The call that asked the cache for a token last, per scope: a refresh is reported as that call's. */
  const asking = new Map<string, CallInfo>();
  /** The realm each scope's tokens were last challenged for (bounded like the scopes). */
  const realms = new Map<string, string>();
  /** The token each call sent last, to tell the cache which one a 401 rejected. */
  const sent = new WeakMap<CallState, string>();

  const cache = createTokenCache(toTokenProvider(deps.provider), {
    ...(deps.options?.refreshWindowMs === undefined ? {} : { refreshWindowMs: deps.options.refreshWindowMs }),
    ...(deps.options?.blockingWindowMs === undefined
      ? {}
      : { blockingWindowMs: deps.options.blockingWindowMs }),
    maxEntries: deps.options?.maxEntries ?? 10_000,
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
      const info = asking.get(event.scope) ?? {
        requestId: '',
        correlationId: '',
        scope: event.scope,
        method: '',
        url: '',
      };
      hub.emit('onTokenRefresh', {
        ...info,
        realm: event.realm,
        reason: event.reason,
        durationMs: event.durationMs,
        outcome: event.outcome,
      });
    },
  });

  const infoOf = (call: CallState): CallInfo => ({
    requestId: call.requestId,
    correlationId: call.correlationId,
    scope: call.scope,
    method: call.method,
    url: call.url,
  });

  const remember = (scope: string, realm: string) => {
    realms.delete(scope);
    realms.set(scope, realm);
    if (realms.size > deps.maxScopes) {
      const oldest = realms.keys().next().value;
      if (oldest !== undefined) realms.delete(oldest);
    }
  };

  async function token(call: CallState, request: Parameters<typeof cache.getToken>[0]): Promise<string> {
    const info = infoOf(call);
    asking.set(request.scope, info);
    try {
      return (await cache.getToken(request)).token;
    } finally {
      if (asking.get(request.scope) === info) asking.delete(request.scope);
    }
  }

  return {
    async authorize(config, call, signal) {
      assertSafeToSendToken(requestUrl(config) ?? '');
      const key = keyOf(call.scope);
      const realm = realms.get(key);
      const value = await token(call, { scope: key, scopes, realm, forceRefresh: false, signal });
      sent.set(call, value);
      config.headers.set('Authorization', `Bearer ${value}`);
    },

    async onUnauthorized(error: PartnerCenterError, call, signal) {
      if (call.authReplays >= 1) return false;
      if (error.code === MFA_REQUIRED) return false;
      const challenges = parseWwwAuthenticate(error.headers['www-authenticate']);
      const key = keyOf(call.scope);
      const realm = partnerCenterRealm(challenges) ?? realms.get(key);
      if (realm !== undefined) remember(key, realm);
      const claims = challengeClaims(challenges);
      await token(call, {
        scope: key,
        scopes,
        realm,
        challenge: challenges[0],
        claims,
        forceRefresh: true,
        rejectedToken: sent.get(call),
        signal,
      });
      return true;
    },
  };
}
