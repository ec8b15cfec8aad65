import { PartnerCenterError } from '../errors/PartnerCenterError.js';
import {
  type AccessToken,
  type TokenProvider,
  type TokenRequest,
  validateAccessToken,
} from './TokenProvider.js';
import { cacheSettings, eventOf, keyOf } from './tokenCacheParts.js';
import type {
  TokenCache,
  TokenCacheOptions,
  TokenCacheRequest,
  TokenRefreshEvent,
  TokenRefreshReason,
} from './tokenCacheTypes.js';
import { cancelled, refreshError, wait } from './tokenErrors.js';

interface Attempt {
  readonly promise: Promise<AccessToken>;
  readonly forced: boolean;
  readonly claims: string | undefined;
  /** Tokens this forced refresh replaces; a result equal to one of them is a failure. */
  readonly rejected: Set<string>;
  /** The forced refresh that replaced this one after a rejection; this one's waiters get its outcome. */
  supersededBy: Attempt | undefined;
}

interface Entry {
  readonly key: string;
  readonly scope: string;
  readonly realm: string | undefined;
  token: AccessToken | undefined;
  /** The refresh and blocking windows of `token`, scaled down to its lifetime when it is short. */
  refreshMs: number;
  blockingMs: number;
  pending: Attempt | undefined;
  /** Earliest time of the next background refresh (set after a failed one). */
  backgroundNotBefore: number;
}

/**
 * Creates a token cache (a "token cycler") in front of `provider`, keyed by tenant scope + realm.
 *
 * - Single-flight: concurrent callers that need a token share one provider call.
 * - More than `refreshWindowMs` (120 s) before expiry the cached token is returned. Inside the refresh window
 *   it is still returned at once while one background refresh runs; a failed background refresh keeps the
 *   token, is reported to `onRefresh` and is retried by a later call after `refreshRetryIntervalMs` (5 s).
 * - A short-lived token (less than about twice `refreshWindowMs` or ten times `blockingWindowMs`) gets windows
 *   scaled to the lifetime it had when received: refreshed in the background at most halfway through its
 *   life, callers blocked only in its last tenth (else a 60 s token would be fetched again on every call).
 *   `onWindowsScaled` is told once per cache.
 * - Inside `blockingWindowMs` (30 s) before expiry, or after it, callers wait for the refresh. A failed
 *   blocking refresh rejects every waiter with one PartnerCenterError (`unauthorized`, not retryable, the
 *   provider's error as scrubbed `cause`) and drops the entry.
 * - `forceRefresh` (or `claims`) after a 401: the provider is called with `forceRefresh: true`. Such a request
 *   joins only a forced refresh with the same claims, never a refresh that started before the rejection (the
 *   provider may have answered it from its own cache with the rejected token). If the provider still returns
 *   the rejected token, every waiter fails instead of replaying it.
 * - A caller's `signal` rejects that caller at once (`cancelled`); the shared refresh goes on for the others
 *   and is never given one caller's signal.
 * - No timers: refreshes are driven by calls, so the cache never keeps the process alive.
 *
 * @throws RangeError for invalid options.
 */
export function createTokenCache(provider: TokenProvider, options: TokenCacheOptions = {}): TokenCache {
  const {
    refreshWindowMs,
    blockingWindowMs,
    refreshRetryIntervalMs: retryMs,
    maxEntries,
  } = cacheSettings(options);
  const now = options.now ?? Date.now;
  const onRefresh = options.onRefresh;
  const onWindowsScaled = options.onWindowsScaled;
  let toldScaled = false;
  const entries = new Map<string, Entry>();

  /** Stores a token received at `receivedAt`, with its windows (scaled to a short lifetime). */
  function store(entry: Entry, token: AccessToken, receivedAt: number): void {
    const lifetimeMs = Math.max(0, token.expiresOnTimestamp - receivedAt);
    entry.token = token;
    entry.refreshMs = Math.min(refreshWindowMs, Math.floor(lifetimeMs / 2));
    entry.blockingMs = Math.min(blockingWindowMs, Math.floor(lifetimeMs / 10));
    if (toldScaled || (entry.refreshMs === refreshWindowMs && entry.blockingMs === blockingWindowMs)) return;
    toldScaled = true;
    if (!onWindowsScaled) return;
    try {
      onWindowsScaled(
        Object.freeze({
          scope: entry.scope,
          lifetimeMs,
          refreshWindowMs: entry.refreshMs,
          blockingWindowMs: entry.blockingMs,
        }),
      );
    } catch {
      // a hook never changes the outcome
    }
  }

  function entryFor(scope: string, realm: string | undefined): Entry {
    const key = keyOf(scope, realm);
    let entry = entries.get(key);
    if (entry) {
      entries.delete(key); // re-insert: most recently used last
    } else {
      entry = {
        key,
        scope,
        realm,
        token: undefined,
        refreshMs: refreshWindowMs,
        blockingMs: blockingWindowMs,
        pending: undefined,
        backgroundNotBefore: 0,
      };
    }
    entries.set(key, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
    return entry;
  }

  function drop(entry: Entry): void {
    entry.token = undefined;
    if (entries.get(entry.key) === entry) entries.delete(entry.key);
  }

  function emit(event: TokenRefreshEvent): void {
    if (!onRefresh) return;
    try {
      onRefresh(event);
    } catch {
      // a hook never changes the outcome
    }
  }

  function start(
    entry: Entry,
    request: TokenCacheRequest,
    reason: TokenRefreshReason,
    rejected: readonly string[],
  ): Attempt {
    const forced = reason === 'forced';
    const providerRequest: TokenRequest = {
      scope: request.scope,
      scopes: [...request.scopes],
      forceRefresh: forced,
      ...(entry.realm === undefined ? {} : { realm: entry.realm }),
      ...(request.challenge === undefined ? {} : { challenge: request.challenge }),
      ...(request.claims === undefined ? {} : { claims: request.claims }),
    };
    const rejectedSet = new Set(rejected);
    const startedAt = now();
    // `attempt` is read only after the first await, once it is assigned below.
    const run = async (): Promise<AccessToken> => {
      let token: AccessToken;
      try {
        // A synchronous throw becomes a rejection, so the catch below always runs after an await.
        const answer = new Promise<unknown>((resolve) => resolve(provider.getToken(providerRequest)));
        token = validateAccessToken(await answer);
        options.secrets?.add(token.token);
        if (rejectedSet.has(token.token)) {
          throw new PartnerCenterError({
            kind: 'unauthorized',
            retryable: false,
            reason: 'the token provider returned the token that was just rejected (from its own cache?)',
          });
        }
      } catch (thrown: unknown) {
        const secrets = [...rejectedSet];
        if (entry.token) secrets.push(entry.token.token);
        const error = refreshError(thrown, entry.scope, secrets);
        if (entry.pending === attempt) {
          entry.pending = undefined;
          const current = entry.token;
          const t = now();
          if (!forced && current && current.expiresOnTimestamp - t > entry.blockingMs) {
            entry.backgroundNotBefore = t + retryMs; // keep the still-valid token; a later call retries
          } else {
            drop(entry);
          }
        }
        emit(eventOf(entry, reason, now() - startedAt, 'failure', error, request.call));
        throw error;
      }
      if (entry.pending === attempt) {
        entry.pending = undefined;
        store(entry, token, now());
        entry.backgroundNotBefore = 0;
      }
      emit(eventOf(entry, reason, now() - startedAt, 'success', undefined, request.call));
      return token;
    };
    // A superseded refresh may have been answered from the provider's cache with the rejected token: its
    // waiters get the outcome of the refresh that replaced it instead.
    const follow = (): Promise<AccessToken> | undefined => attempt.supersededBy?.promise;
    const attempt: Attempt = {
      forced,
      claims: request.claims,
      rejected: rejectedSet,
      supersededBy: undefined,
      promise: run().then(
        (token) => follow() ?? token,
        (error: unknown) => follow() ?? Promise.reject(error),
      ),
    };
    attempt.promise.catch(() => {
      // a background refresh has no waiters: never an unhandled rejection
    });
    entry.pending = attempt;
    return attempt;
  }

  async function getToken(request: TokenCacheRequest): Promise<AccessToken> {
    const signal = request.signal;
    if (signal?.aborted) throw cancelled(request.scope, signal);
    const entry = entryFor(request.scope, request.realm);
    const forced = request.forceRefresh || request.claims !== undefined;
    const current = entry.token;
    const replacedAlready =
      request.rejectedToken !== undefined && current !== undefined && current.token !== request.rejectedToken;

    if (!forced || (replacedAlready && request.claims === undefined)) {
      const t = now();
      // A forced refresh in flight means the cached token was rejected: wait for its successor.
      if (current && !entry.pending?.forced) {
        const remaining = current.expiresOnTimestamp - t;
        if (remaining > entry.blockingMs) {
          if (remaining <= entry.refreshMs && !entry.pending && t >= entry.backgroundNotBefore) {
            start(entry, request, 'expiring', []);
          }
          return current;
        }
      }
      const reason: TokenRefreshReason = !current
        ? 'initial'
        : current.expiresOnTimestamp <= t
          ? 'expired'
          : 'expiring';
      return wait(entry.pending ?? start(entry, request, reason, []), request.scope, signal);
    }

    const rejectedToken = request.rejectedToken ?? current?.token;
    const pending = entry.pending;
    // A forced refresh in flight replaces the same token; one carrying claims also serves a request without.
    if (pending?.forced && (request.claims === undefined || pending.claims === request.claims)) {
      if (rejectedToken !== undefined) pending.rejected.add(rejectedToken);
      return wait(pending, request.scope, signal);
    }
    // The refresh in flight started before the rejection (or lacks these claims): supersede it. Its result is
    // not stored and its waiters follow the new one.
    const next = start(entry, request, 'forced', rejectedToken === undefined ? [] : [rejectedToken]);
    if (pending) pending.supersededBy = next;
    return wait(next, request.scope, signal);
  }

  return {
    getToken,
    peek(scope: string, realm: string | undefined): AccessToken | undefined {
      const entry = entries.get(keyOf(scope, realm));
      const token = entry?.token;
      if (entry === undefined || token === undefined || entry.pending?.forced === true) return undefined;
      return token.expiresOnTimestamp - now() > entry.refreshMs ? token : undefined;
    },
    invalidate(scope: string, realm?: string): void {
      if (realm !== undefined) {
        const entry = entries.get(keyOf(scope, realm));
        if (entry) drop(entry);
        return;
      }
      for (const entry of [...entries.values()]) {
        if (entry.scope === scope) drop(entry);
      }
    },
    clear(): void {
      for (const entry of entries.values()) entry.token = undefined;
      entries.clear();
    },
    size(): number {
      return entries.size;
    },
  };
}
