/** A small deterministic pseudo-random source: the same seed always gives the same sequence. */
export interface SeededRandom {
  /** The next number in `[0, 1)`. */
  next(): number;
  /** The next integer in `[0, maxExclusive)`. */
  int(maxExclusive: number): number;
  /** `length` lowercase hexadecimal characters. */
  hex(length: number): string;
  /** A version-4-shaped GUID (lowercase), built from this sequence. */
  guid(): string;
}

/**
 * Turns a number or a string into a 32-bit seed. Numbers are truncated to 32 bits; strings are hashed with
 * FNV-1a, so `'bench'` and `'bench '` give different sequences.
 */
export function seedToUint32(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) return 0;
    return Math.trunc(seed) >>> 0;
  }
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Creates a seeded pseudo-random source (mulberry32: fast, 32-bit state, good enough for fault injection,
 * not for cryptography). `stream` derives independent sequences from one seed, so that drawing ids never
 * shifts the draws that decide faults.
 */
export function createSeededRandom(seed: number | string, stream = 0): SeededRandom {
  let state = (seedToUint32(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  const hex = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += int(16).toString(16);
    return out;
  };
  const guid = (): string => {
    const variant = (8 + int(4)).toString(16);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  };
  return { next, int, hex, guid };
}
