import type { CallInfo } from '../observability/callInfo.js';
import type { SecretValues } from '../observability/knownSecrets.js';
import type { AccessToken, TokenRequest } from './TokenProvider.js';

/** A {@link TokenRequest} as the engine hands it to the cache. */
export interface TokenCacheRequest extends TokenRequest {
  /**
   * The token a 401 just rejected (the one the failed attempt sent). With `forceRefresh`, it lets the cache
   * tell "someone already replaced it" (answer with the newer token, no provider call) from "still current"
   * (refresh), and guarantees the rejected token is never handed back. Never passed to the provider.
   * Without it, a forced request treats the cached token as the rejected one.
   */
  readonly rejectedToken?: string | undefined;
  /**
   * The call that asks (reported with the refresh it starts), or a function that describes it: called once
   * the token is known, so that the call's redacted URL can no longer contain it. Never passed to the provider.
   */
  readonly call?: CallInfo | (() => CallInfo) | undefined;
}

/** Why a refresh ran: no token yet, inside the refresh window, past expiry, or a rejected token / claims. */
export type TokenRefreshReason = 'initial' | 'expiring' | 'expired' | 'forced';

/** Reported once per provider call, when it settles. Never contains a token. */
export interface TokenRefreshEvent {
  readonly scope: string;
  readonly realm: string | undefined;
  readonly reason: TokenRefreshReason;
  /** Time the provider took, by the cache's clock. */
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
  /** The call whose request started this provider call, when the request named one. */
  readonly call?: CallInfo | undefined;
  /** The PartnerCenterError the waiters received (its `cause` is a scrubbed copy of what the provider threw). */
  readonly error?: unknown;
}

/** Told once per cache: a token lived too short for the configured windows, which were scaled to it. */
export interface TokenWindowsScaledEvent {
  readonly scope: string;
  /** The token's lifetime when it was received (`expiresOnTimestamp` minus the cache's clock). */
  readonly lifetimeMs: number;
  /** The windows used for it: at most half and a tenth of its lifetime. */
  readonly refreshWindowMs: number;
  readonly blockingWindowMs: number;
}

/** Options of {@link createTokenCache}. */
export interface TokenCacheOptions {
  /** Start a background refresh once a token is this close to expiry; callers still get the old token. Default 120000. */
  readonly refreshWindowMs?: number;
  /** Inside this window before expiry (or once expired) callers wait for the refresh. Default 30000; at most `refreshWindowMs`. */
  readonly blockingWindowMs?: number;
  /** After a failed background refresh, the next one starts no sooner than this. Default 5000. */
  readonly refreshRetryIntervalMs?: number;
  /** Cached scope+realm entries; the least recently used is dropped beyond it. Default 10000. */
  readonly maxEntries?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Where every token the provider returns is remembered, before anything is reported. Default none. */
  readonly secrets?: SecretValues | undefined;
  /** Called after every provider call. A hook that throws is ignored. Default none. */
  readonly onRefresh?: (event: TokenRefreshEvent) => void;
  /**
   * Called the first time a token lives too short for the windows (under twice `refreshWindowMs`, or ten
   * times `blockingWindowMs`), which are then scaled to its lifetime. Once per cache. Default none.
   */
  readonly onWindowsScaled?: (event: TokenWindowsScaledEvent) => void;
}

/** Per scope+realm token cache with single-flight refresh; see {@link createTokenCache}. */
export interface TokenCache {
  /** A token for the request's scope and realm, from the cache or from one shared provider call. */
  getToken(request: TokenCacheRequest): Promise<AccessToken>;
  /**
   * The cached token of `scope` and `realm` while it is fresh (outside the refresh window, no forced refresh
   * under way), without a promise and without touching the LRU order; else `undefined` (ask `getToken`).
   */
  peek(scope: string, realm: string | undefined): AccessToken | undefined;
  /** Drops the entry of `scope` and `realm`; without `realm`, every entry of `scope`. A running refresh still answers its waiters. */
  invalidate(scope: string, realm?: string): void;
  /** Drops every entry. */
  clear(): void;
  /** Number of cached entries. */
  size(): number;
}
