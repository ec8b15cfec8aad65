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
      if (now - slot.lastUsed >= TOUCH_MS) {
        this.slots.delete(scope);
        this.slots.set(scope, slot);
      }
      slot.lastUsed = now;
      if (now - this.sweptAt >= TOUCH_MS) this.sweep(now);
      return slot.value;
    }
    const created: Slot<T> = { value: this.options.create(scope), lastUsed: now };
    this.slots.set(scope, created);
    while (this.slots.size > this.options.maxScopes) {
      const oldest = this.slots.keys().next().value;
      if (oldest === undefined) break;
      this.slots.delete(oldest);
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
    // The front holds the least recently *placed* entries; one used since (its place is stale by up to a
    // second) is moved to the back, so it never shields idle entries behind it.
    let checked = 0;
    for (const [scope, slot] of this.slots) {
      if (checked++ >= 4) return;
      if (now - slot.lastUsed < idle) {
        if (now - slot.lastUsed >= TOUCH_MS) return;
        this.slots.delete(scope);
        this.slots.set(scope, slot);
        continue;
      }
      if (this.options.evictable && !this.options.evictable(slot.value)) continue;
      this.slots.delete(scope);
    }
  }
}
