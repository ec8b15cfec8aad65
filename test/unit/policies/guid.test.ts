import { describe, expect, it, vi } from 'vitest';
import { newGuid } from '../../../src/policies/call.js';

const GUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newGuid', () => {
  it('gives version 4, variant 1 GUIDs, lowercase, all different, across several refills of its pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const id = newGuid();
      expect(id).toMatch(GUID_V4);
      seen.add(id);
    }
    expect(seen.size).toBe(2_000);
  });

  it('draws its bytes from crypto.getRandomValues, 4 KiB (256 GUIDs) at a time', () => {
    for (let i = 0; i < 256; i++) newGuid();
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      for (let i = 0; i < 512; i++) newGuid();
      expect(spy).toHaveBeenCalledTimes(2);
      const filled = spy.mock.calls[0]?.[0] as Uint8Array | undefined;
      expect(filled?.byteLength).toBe(4096);
    } finally {
      spy.mockRestore();
    }
  });

  it('spreads its digits: every hexadecimal digit appears in every free position over many GUIDs', () => {
    const positions = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 3_000; i++) {
      const id = newGuid();
      for (let p = 0; p < 36; p++) positions[p]?.add(id[p] as string);
    }
    const free = [...Array(36).keys()].filter((p) => ![8, 13, 14, 18, 19, 23].includes(p));
    for (const p of free) expect(positions[p]?.size).toBe(16);
    expect([...(positions[14] ?? [])]).toEqual(['4']);
    expect([...(positions[19] ?? [])].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
