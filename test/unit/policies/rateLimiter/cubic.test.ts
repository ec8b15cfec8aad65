import { describe, expect, it } from 'vitest';
import { cubicK, cubicRate } from '../../../../src/policies/rateLimiter/cubic.js';

describe('cubic', () => {
  it('climbs from the rate after a throttle to its plateau at t = K, then grows beyond it', () => {
    const k = cubicK(16, 19.4);
    expect(k).toBeCloseTo(Math.cbrt((19.4 - 16) / 0.003));
    expect(cubicRate(19.4, k, 0)).toBeCloseTo(16);
    expect(cubicRate(19.4, k, k)).toBeCloseTo(19.4);
    expect(cubicRate(19.4, k, k + 2)).toBeCloseTo(19.4 + 0.003 * 8);
  });
});
