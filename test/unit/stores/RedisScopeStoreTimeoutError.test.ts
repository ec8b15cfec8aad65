import { describe, expect, it } from 'vitest';
import { RedisScopeStoreTimeoutError } from '../../../src/stores/RedisScopeStoreTimeoutError.js';

describe('RedisScopeStoreTimeoutError', () => {
  it('names the operation and the time waited, and carries its marker', () => {
    const error = new RedisScopeStoreTimeoutError('takeRetryToken', 250);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RedisScopeStoreTimeoutError');
    expect(error.message).toBe('Redis did not answer takeRetryToken within 250 ms');
    expect(error.isRedisScopeStoreTimeoutError).toBe(true);
  });
});
