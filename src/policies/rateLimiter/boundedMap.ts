/**
 * A map that keeps about the `max` most recently used entries, in two generations (the "hashlru" scheme):
 * new and used entries go to the young map; when it holds half of `max`, the old map is dropped whole and the
 * young one becomes old. A `get` that finds an entry in the old map moves it to the young one. No entry is
 * ever looked for at the front of a map: in V8, a `Map` used as a queue (delete at the front, add at the back)
 * leaves a run of holes that every `keys().next()` walks over until the table is rebuilt, which made each
 * eviction cost thousands of steps at 10 000 entries. Here each operation is one or two lookups.
 */
export class BoundedMap<V> {
  /**
   * The young generation (read only, outside this class): an entry found here is marked as used already, so
   * that a hot path may look it up here first, without a call.
   */
  young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly half: number;

  /**
   * `onDrop`: told of each entry dropped with the old generation. `onRotate`: told each time the young
   * generation becomes the old one (an entry held since then is no longer marked as used until it is found
   * again).
   */
  constructor(
    max: number,
    private readonly onDrop?: (value: V) => void,
    private readonly onRotate?: () => void,
  ) {
    this.half = Math.max(1, Math.ceil(max / 2));
  }

  /** Entries held (at most `max`). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The entry of `key`, marked as used. */
  get(key: string): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) {
      this.old.delete(key);
      this.keep(key, old);
    }
    return old;
  }

  /** The entry of `key`, not marked as used. */
  peek(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: string, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.keep(key, value);
  }

  /** Adds an entry whose key a `get` has just missed (one lookup less than {@link set}). */
  add(key: string, value: V): void {
    this.keep(key, value);
  }

  /** Every entry, the young generation first (tests and telemetry). */
  *values(): IterableIterator<V> {
    yield* this.young.values();
    yield* this.old.values();
  }

  private keep(key: string, value: V): void {
    this.young.set(key, value);
    if (this.young.size < this.half) return;
    const dropped = this.old;
    this.old = this.young;
    this.young = new Map();
    this.onRotate?.();
    if (this.onDrop !== undefined) for (const gone of dropped.values()) this.onDrop(gone);
  }
}

/**
 * Sets `key` in an insertion-ordered map whose front is its oldest entry, dropping that entry first when the
 * map holds `max` (for small maps only: see {@link BoundedMap} on a `Map` used as a queue).
 */
export function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * Records `key` at `now` in a time-ordered map of at most `max` entries (re-inserted, so that its stale entries
 * sit at its front: see {@link dropStale}) and returns that map.
 */
export function touch(seen: Map<string, number>, key: string, now: number, max: number): Map<string, number> {
  seen.delete(key);
  setBounded(seen, key, now, max);
  return seen;
}

/** Drops the entries of a time-ordered map (see {@link touch}) last seen more than `windowMs` before `now`. */
export function dropStale(seen: Map<string, number>, now: number, windowMs: number): void {
  for (const [key, at] of seen) {
    if (now - at <= windowMs) break;
    seen.delete(key);
  }
}
