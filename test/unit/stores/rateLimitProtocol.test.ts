import { describe, expect, it } from 'vitest';
import { levelBit } from '../../../src/stores/rateLimitProtocol.js';

describe('levelBit', () => {
  it("is the bit of a plan's level in a mask of charged levels", () => {
    expect([levelBit(0), levelBit(1), levelBit(2)]).toEqual([1, 2, 4]);
    expect(levelBit(0) | levelBit(2)).toBe(0b101);
  });
});
