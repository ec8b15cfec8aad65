import { describe, expect, it } from 'vitest';
import { createRedisScopeStore } from '../../../src/stores/RedisScopeStateStore.js';
import { RedisScopeStoreTimeoutError } from '../../../src/stores/RedisScopeStoreTimeoutError.js';
import * as redisEntry from '../../../src/stores/redis.js';

describe("the 'partner-center-resilience/redis' entry", () => {
  it('exports the store factory and its timeout error, and no other value', () => {
    expect(Object.keys(redisEntry).sort()).toEqual(['RedisScopeStoreTimeoutError', 'createRedisScopeStore']);
    expect(redisEntry.createRedisScopeStore).toBe(createRedisScopeStore);
    expect(redisEntry.RedisScopeStoreTimeoutError).toBe(RedisScopeStoreTimeoutError);
  });
});
