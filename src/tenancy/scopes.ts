import type { InternalAxiosRequestConfig } from 'axios';
import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { NormalizedOptions } from '../options/normalizeOptions.js';
import type { PartnerCenterRequestOptions } from '../options/requestOptions.js';
import { explicitScopeKey, pathScope, tenantScopeKey } from './scopeKey.js';

/** Most request paths whose default scope is remembered; the memo starts over beyond it. */
const MEMO_LIMIT = 4096;
/** Longest request path remembered: the memo is bounded in bytes too, not only in entries. */
const MEMO_URL_CHARS = 1024;

/**
 * The default resolver with a bounded memo per request path: most calls repeat a few paths, so the path's
 * scope is computed once. `onRejected` hears of a `/customers/{id}` path whose id is not a tenant.
 */
export function createDefaultScopeOf(
  partnerScope: string,
  onRejected?: () => void,
): (url: string | undefined) => string {
  const memo = new Map<string, string>();
  return (url) => {
    if (url === undefined) return partnerScope;
    let scope = memo.get(url);
    if (scope === undefined) {
      const found = pathScope(url);
      if (found === undefined) onRejected?.();
      scope = found ?? partnerScope;
      if (url.length <= MEMO_URL_CHARS) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(url, scope);
      }
    }
    return scope;
  };
}

/**
 * The scope of a call: the request's own `scope`, else its `tenant`, else the instance's resolver, else the
 * default (`customer:<id>` for `/customers/{id}/...` paths, remembered per path, else the partner scope).
 * Keys are bounded and single-line; an id or key that is not one (control characters, `.`, `..`) falls back
 * to the partner scope, logged once per instance.
 */
export function createScopeOfCall(
  options: NormalizedOptions,
  log: Log | undefined,
  sanitizer: Sanitizer,
): (config: InternalAxiosRequestConfig, request: PartnerCenterRequestOptions) => string {
  const partner = options.partnerScope;
  let warned = false;
  const rejected = (): void => {
    if (warned) return;
    warned = true;
    log?.(
      'warn',
      'a tenant id or scope key is not valid (control characters, "." or ".."); using the partner scope',
      {
        scope: partner,
      },
    );
  };
  const byPath = createDefaultScopeOf(partner, rejected);
  const resolve = options.resolve;
  const checked = (key: string | undefined): string => {
    if (key !== undefined) return key;
    rejected();
    return partner;
  };
  return (config, request) => {
    if (typeof request.scope === 'string' && request.scope !== '')
      return checked(explicitScopeKey(request.scope));
    if (typeof request.tenant === 'string' && request.tenant !== '')
      return checked(tenantScopeKey(request.tenant));
    if (resolve) {
      try {
        const resolved = resolve(config);
        if (typeof resolved === 'string' && resolved !== '') return checked(explicitScopeKey(resolved));
      } catch (error: unknown) {
        log?.('warn', 'tenants.resolve threw; using the default scope', {
          error: error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown',
        });
      }
    }
    return byPath(config.url);
  };
}

/** Options of {@link ScopeRegistry}. */
export interface ScopeRegistryOptions<T> {
  /** Most entries kept; beyond it the least recently used is evicted. */
  readonly maxScopes: number;
  /** An entry unused this long (ms) is evicted (`0`: never). */
  readonly idleEvictionMs: number;
  /** Creates the entry of a scope on first use. */
  readonly create: (scope: string) => T;
  /** Says whether an entry may be evicted for idleness now (e.g. not while its breaker is open). */
  readonly evictable?: (entry: T) => boolean;
  readonly now?: () => number;
}

/** How stale an entry's LRU position (and the idle sweep) may get, in ms. */
const TOUCH_MS = 1_000;

interface Slot<T> {
  value: T;
  lastUsed: number;
  /** When the entry took its place in the LRU order; used after that, its place is stale. */
  placedAt: number;
  /** Which placement this is (a counter): tells a slot still in its place from one moved since. */
  placement: number;
}

/**
 * A bounded, lazily filled map of per-scope state. Entries are created on first use, kept in LRU order,
 * evicted beyond `maxScopes`, and swept for idleness a few at a time on each access (no timers), so memory
 * stays flat with 100k tenants and nothing keeps the process alive.
 */
export class ScopeRegistry<T> {
  private readonly slots = new Map<string, Slot<T>>();
  private readonly now: () => number;
  private sweptAt = Number.NEGATIVE_INFINITY;
  private placements = 0;
  /**
   * A live iterator over the slots, kept between calls, and the entry it stopped at: the least recently placed
   * entry is found without walking from the start of the map each time (V8 leaves a hole for every deleted
   * entry until it rebuilds the table, and a fresh iterator walks them all: thousands of steps per eviction
   * at 10 000 scopes).
   */
  private cursor: Iterator<[string, Slot<T>]> | undefined;
  private head: { key: string; slot: Slot<T>; placement: number } | undefined;

  constructor(private readonly options: ScopeRegistryOptions<T>) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.slots.size;
  }

  /**
   * The entry of `scope`, created if needed; marks it used. An entry used within the last second keeps its
   * place in the LRU order (no delete and re-insert on every call), and the idle sweep runs at most once a
   * second: the order is exact to about a second, which is all eviction needs.
   */
  get(scope: string): T {
    const now = this.now();
    const slot = this.slots.get(scope);
    if (slot) {
      if (now - slot.lastUsed >= TOUCH_MS) this.replace(scope, slot, now);
      slot.lastUsed = now;
      if (now - this.sweptAt >= TOUCH_MS) this.sweep(now);
      return slot.value;
    }
    const created: Slot<T> = {
      value: this.options.create(scope),
      lastUsed: now,
      placedAt: now,
      placement: ++this.placements,
    };
    this.slots.set(scope, created);
    while (this.slots.size > this.options.maxScopes) {
      const oldest = this.front();
      if (oldest === undefined) break;
      this.slots.delete(oldest.key);
    }
    this.sweep(now);
    return created.value;
  }

  /** The entry of `scope` if it exists, without creating or touching it. */
  peek(scope: string): T | undefined {
    return this.slots.get(scope)?.value;
  }

  /** Scope keys, least recently used first. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Drops idle entries from the LRU end; at most a few per call so one access stays O(1) amortised. */
  private sweep(now: number): void {
    this.sweptAt = now;
    const idle = this.options.idleEvictionMs;
    if (idle <= 0) return;
    // The front holds the least recently *placed* entries; one used since it was placed (its place is stale
    // by up to a second) is moved to the back, so it never shields idle entries behind it. The first entry in
    // its right place that is not idle ends the sweep: every entry behind it was used later.
    // An entry the evictable check refuses is moved to the back, so that it never holds the sweep up.
    for (let checked = 0; checked < 4; checked += 1) {
      const oldest = this.front();
      if (oldest === undefined) return;
      const { key, slot } = oldest;
      if (now - slot.lastUsed < idle) {
        if (slot.lastUsed <= slot.placedAt) return;
        this.replace(key, slot, now);
      } else if (this.options.evictable && !this.options.evictable(slot.value)) {
        this.replace(key, slot, slot.placedAt);
      } else this.slots.delete(key);
    }
  }

  /** Moves a slot to the back of the LRU order. */
  private replace(key: string, slot: Slot<T>, placedAt: number): void {
    this.slots.delete(key);
    this.slots.set(key, slot);
    slot.placedAt = placedAt;
    slot.placement = ++this.placements;
  }

  /** The least recently placed entry, found from where the cursor stopped (an entry moved since is skipped). */
  private front(): { key: string; slot: Slot<T>; placement: number } | undefined {
    for (;;) {
      const head = this.head;
      if (head !== undefined) {
        if (this.slots.get(head.key) === head.slot && head.slot.placement === head.placement) return head;
        // Deleted, or moved to the back, where the cursor will meet it again.
        this.head = undefined;
      }
      if (this.slots.size === 0) return undefined;
      this.cursor ??= this.slots.entries();
      const next = this.cursor.next();
      if (next.done === true) {
        this.cursor = undefined;
        continue;
      }
      const [key, slot] = next.value;
      this.head = { key, slot, placement: slot.placement };
    }
  }
}
