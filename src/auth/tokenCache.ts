import * as z from 'zod';
import type { CallInfo } from '../observability/callInfo.js';
import type { SecretValues } from '../observability/knownSecrets.js';
import { OPTION_DEFAULTS } from '../options/defaults.js';
import { durationMs, issueLines, tokenWindowIssue, tokenWindowShape } from '../options/rules.js';
import type { TokenOptions } from '../options/TokenOptions.js';
import type { AccessToken, TokenProvider, TokenRequest } from './TokenProvider.js';
import { validateAccessToken } from './TokenProvider.js';
import { cancelled, refreshError, rejectedAgain, wait } from './tokenErrors.js';

/** A {@link TokenRequest} as the engine hands it to the cache. */
export interface TokenCacheRequest extends TokenRequest {
  /**
   * The token a 401 rejected. With `forceRefresh`, it tells "already replaced" (the newer token, no provider
   * call) from "still current" (refresh); it is never handed back. Default: the cached token.
   */
  readonly rejectedToken?: string | undefined;
  /** The call that asks (reported with the refresh it starts), or a function called once the token is known. */
  readonly call?: CallInfo | (() => CallInfo) | undefined;
}

/** Reported once per provider call, when it settles. Never contains a token. */
export interface TokenRefreshEvent {
  readonly scope: string;
  readonly realm: string | undefined;
  /** No token yet, inside the refresh window, past expiry, or a rejected token / claims. */
  readonly reason: 'initial' | 'expiring' | 'expired' | 'forced';
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
  readonly call?: CallInfo | undefined;
  /** The PartnerCenterError the waiters received (`cause`: a scrubbed copy of what the provider threw). */
  readonly error?: unknown;
}

/** Told once per cache: a token lived too short for the windows, scaled to at most 1/2 and 1/10 of it. */
export interface TokenWindowsScaledEvent {
  readonly scope: string;
  readonly lifetimeMs: number;
  readonly refreshWindowMs: number;
  readonly blockingWindowMs: number;
}

/** Options of {@link createTokenCache}: the windows and bound of the `token` options, and the cache's own. */
export interface TokenCacheOptions
  extends Pick<TokenOptions, 'refreshWindowMs' | 'blockingWindowMs' | 'maxEntries'> {
  /** After a failed background refresh, the next one starts no sooner than this. Default 5000. */
  readonly refreshRetryIntervalMs?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Where every token the provider returns is remembered, before anything is reported. Default none. */
  readonly secrets?: SecretValues | undefined;
  /** Called after every provider call. A hook that throws is ignored. Default none. */
  readonly onRefresh?: (event: TokenRefreshEvent) => void;
  /** Called the first time a token lives too short for the windows. Once per cache. Default none. */
  readonly onWindowsScaled?: (event: TokenWindowsScaledEvent) => void;
}

/** Per scope+realm token cache with single-flight refresh; see {@link createTokenCache}. */
export interface TokenCache {
  getToken(request: TokenCacheRequest): Promise<AccessToken>;
  /** The cached token of `scope` and `realm` while fresh, with no promise and no LRU touch; else `undefined`. */
  peek(scope: string, realm: string | undefined): AccessToken | undefined;
  /**
   * Until when (cache clock) `token` (default: the cached one) may be used without asking `getToken`: its
   * expiry less its refresh window, while cached for `scope` and `realm` with no forced refresh; else 0.
   */
  freshUntil(scope: string, realm: string | undefined, token?: AccessToken): number;
  /** Drops the entry of `scope` and `realm` (without `realm`: all of `scope`); a running refresh still answers. */
  invalidate(scope: string, realm?: string): void;
  clear(): void;
  size(): number;
}

/**
 * One provider call: the tokens a forced one replaces (a result equal to one fails), and the refresh that
 * superseded it after a rejection (its waiters get that one's outcome).
 */
interface Attempt {
  readonly promise: Promise<AccessToken>;
  readonly forced: boolean;
  readonly claims: string | undefined;
  readonly rejected: Set<string>;
  supersededBy: Attempt | undefined;
}

/** A scope + realm's token, windows (set with it), refresh under way and next background refresh time. */
class Entry {
  token: AccessToken | undefined = undefined;
  refreshMs = 0;
  blockingMs = 0;
  pending: Attempt | undefined = undefined;
  backgroundNotBefore = 0;
  constructor(
    readonly scope: string,
    readonly realm?: string,
  ) {}
}

type Reason = TokenRefreshEvent['reason'];

const keyOf = (scope: string, realm?: string) => (realm === undefined ? scope : `${scope}\u0000${realm}`);

const settingsSchema = z.object({ ...tokenWindowShape, refreshRetryIntervalMs: durationMs().optional() });

/** The options checked by the options module's rules, over the shared defaults (throws RangeError). */
function cacheSettings(options: TokenCacheOptions) {
  const parsed = settingsSchema.safeParse(options);
  if (!parsed.success) throw new RangeError(issueLines(parsed.error.issues).join('; '));
  const [given, d] = [parsed.data, OPTION_DEFAULTS.token];
  const refreshWindowMs = given.refreshWindowMs ?? d.refreshWindowMs;
  const blockingWindowMs = given.blockingWindowMs ?? d.blockingWindowMs;
  const issue = tokenWindowIssue(refreshWindowMs, blockingWindowMs, '');
  if (issue !== undefined) throw new RangeError(issue);
  const retryMs = given.refreshRetryIntervalMs ?? d.refreshRetryIntervalMs;
  return { refreshWindowMs, blockingWindowMs, retryMs, maxEntries: given.maxEntries ?? d.maxEntries };
}

/** Calls a hook with the event `make` builds; a hook that throws never changes the outcome. */
function tell<E>(hook: ((event: E) => void) | undefined, make: () => E): void {
  try {
    hook?.(make());
  } catch {
    // a hook never changes the outcome
  }
}

/**
 * A token cache ("token cycler") in front of `provider`, keyed by scope + realm, single-flight, with no timers.
 * - Outside `refreshWindowMs` the cached token is returned; inside it too, while one background refresh runs
 *   (a failed one keeps the token; a later call retries after `refreshRetryIntervalMs`). Inside
 *   `blockingWindowMs` or past expiry callers wait; a failed blocking refresh rejects every waiter with one
 *   scrubbed `unauthorized` error and drops the entry. A short-lived token's windows scale to 1/2 and 1/10.
 * - A forced request (after a 401, or with `claims`) joins only a forced refresh with the same claims, never
 *   one started before the rejection; a provider that returns the rejected token fails every waiter.
 * - A caller's `signal` rejects that caller only (`cancelled`); the shared refresh goes on.
 * @throws RangeError for invalid options.
 */
export function createTokenCache(provider: TokenProvider, options: TokenCacheOptions = {}): TokenCache {
  const { refreshWindowMs, blockingWindowMs, retryMs, maxEntries } = cacheSettings(options);
  const { now = Date.now, onRefresh, onWindowsScaled, secrets } = options;
  let toldScaled = false;
  const entries = new Map<string, Entry>();

  /** Ends the entry's refresh with a token received at `receivedAt`, and its windows (scaled to its lifetime). */
  function store(entry: Entry, token: AccessToken, receivedAt: number): void {
    const lifetimeMs = Math.max(0, token.expiresOnTimestamp - receivedAt);
    entry.token = token;
    entry.pending = undefined;
    entry.backgroundNotBefore = 0;
    entry.refreshMs = Math.min(refreshWindowMs, Math.floor(lifetimeMs / 2));
    entry.blockingMs = Math.min(blockingWindowMs, Math.floor(lifetimeMs / 10));
    if (toldScaled || (entry.refreshMs === refreshWindowMs && entry.blockingMs === blockingWindowMs)) return;
    toldScaled = true;
    const { scope, refreshMs, blockingMs } = entry;
    tell(onWindowsScaled, () =>
      Object.freeze({ scope, lifetimeMs, refreshWindowMs: refreshMs, blockingWindowMs: blockingMs }),
    );
  }

  function entryFor(scope: string, realm: string | undefined): Entry {
    const key = keyOf(scope, realm);
    const entry = entries.get(key) ?? new Entry(scope, realm);
    entries.delete(key); // (re-)inserted: most recently used last
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return entry;
  }

  function drop(entry: Entry): void {
    entry.token = undefined;
    const key = keyOf(entry.scope, entry.realm);
    if (entries.get(key) === entry) entries.delete(key);
  }

  function start(entry: Entry, request: TokenCacheRequest, reason: Reason, rejected: string[]): Attempt {
    const forced = reason === 'forced';
    const { scope, scopes, challenge, claims } = request;
    const realm = entry.realm;
    const providerRequest: TokenRequest = {
      scope,
      scopes: [...scopes],
      forceRefresh: forced,
      ...(realm === undefined ? {} : { realm }),
      ...(challenge === undefined ? {} : { challenge }),
      ...(claims === undefined ? {} : { claims }),
    };
    const rejectedSet = new Set(rejected);
    const startedAt = now();
    /** Reports the provider call (never a token; the asking call is described once the token is known). */
    const report = (error?: unknown) =>
      tell(onRefresh, (): TokenRefreshEvent => {
        const call = typeof request.call === 'function' ? request.call() : request.call;
        const outcome = error === undefined ? 'success' : 'failure';
        const event = { scope, realm, reason, durationMs: Math.max(0, now() - startedAt), outcome } as const;
        const told = call === undefined ? event : { ...event, call };
        return Object.freeze(error === undefined ? told : { ...told, error });
      });
    // `attempt` is read only after the first await, once it is assigned below.
    const run = async (): Promise<AccessToken> => {
      let token: AccessToken;
      try {
        // A synchronous throw becomes a rejection, so the catch below always runs after an await.
        token = validateAccessToken(await new Promise((ok) => ok(provider.getToken(providerRequest))));
        secrets?.add(token.token);
        if (rejectedSet.has(token.token)) throw rejectedAgain();
      } catch (thrown: unknown) {
        const known = entry.token ? [...rejectedSet, entry.token.token] : [...rejectedSet];
        const error = refreshError(thrown, scope, known);
        if (entry.pending === attempt) {
          entry.pending = undefined;
          const t = now();
          if (!forced && entry.token && entry.token.expiresOnTimestamp - t > entry.blockingMs) {
            entry.backgroundNotBefore = t + retryMs; // keep the still-valid token; a later call retries
          } else {
            drop(entry);
          }
        }
        report(error);
        throw error;
      }
      if (entry.pending === attempt) store(entry, token, now());
      report();
      return token;
    };
    // A superseded refresh (maybe answered with the rejected token): its waiters get its successor's outcome.
    const follow = (): Promise<AccessToken> | undefined => attempt.supersededBy?.promise;
    const attempt: Attempt = {
      forced,
      claims,
      rejected: rejectedSet,
      supersededBy: undefined,
      promise: run().then(
        (token) => follow() ?? token,
        (error: unknown) => follow() ?? Promise.reject(error),
      ),
    };
    attempt.promise.catch(() => undefined); // a background refresh has no waiters: no unhandled rejection
    entry.pending = attempt;
    return attempt;
  }

  async function getToken(request: TokenCacheRequest): Promise<AccessToken> {
    const { signal, scope, claims } = request;
    if (signal?.aborted) throw cancelled(scope, signal);
    const entry = entryFor(scope, request.realm);
    const current = entry.token;
    const replacedAlready =
      request.rejectedToken !== undefined && current !== undefined && current.token !== request.rejectedToken;

    if (!(request.forceRefresh || claims !== undefined) || (replacedAlready && claims === undefined)) {
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
      const reason = !current ? 'initial' : current.expiresOnTimestamp <= t ? 'expired' : 'expiring';
      return wait(entry.pending ?? start(entry, request, reason, []), scope, signal);
    }

    const rejectedToken = request.rejectedToken ?? current?.token;
    const pending = entry.pending;
    // A forced refresh in flight replaces the same token; one carrying claims also serves a request without.
    if (pending?.forced && (claims === undefined || pending.claims === claims)) {
      if (rejectedToken !== undefined) pending.rejected.add(rejectedToken);
      return wait(pending, scope, signal);
    }
    // The refresh in flight started before the rejection (or lacks these claims): supersede it. Its result is
    // not stored and its waiters follow the new one.
    const next = start(entry, request, 'forced', rejectedToken === undefined ? [] : [rejectedToken]);
    if (pending) pending.supersededBy = next;
    return wait(next, scope, signal);
  }

  function freshUntil(scope: string, realm: string | undefined, token?: AccessToken): number {
    const entry = entries.get(keyOf(scope, realm));
    const cached = entry?.token;
    if (entry === undefined || cached === undefined || entry.pending?.forced === true) return 0;
    return token === undefined || token === cached ? cached.expiresOnTimestamp - entry.refreshMs : 0;
  }

  return {
    getToken,
    freshUntil,
    peek: (scope, realm) =>
      now() < freshUntil(scope, realm) ? entries.get(keyOf(scope, realm))?.token : undefined,
    invalidate(scope, realm) {
      for (const entry of [...entries.values()]) {
        if (entry.scope === scope && (realm === undefined || entry.realm === realm)) drop(entry);
      }
    },
    clear: () => entries.forEach(drop),
    size: () => entries.size,
  };
}
