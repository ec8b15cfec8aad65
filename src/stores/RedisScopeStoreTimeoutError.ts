import type { RedisScopeStoreOperation } from './RedisScopeStoreOptions.js';

/** The error {@link RedisScopeStoreOptions.onError} receives when Redis did not answer in time. */
export class RedisScopeStoreTimeoutError extends Error {
  /** Marker that survives two installed copies of the library. */
  readonly isRedisScopeStoreTimeoutError = true;

  constructor(operation: RedisScopeStoreOperation, timeoutMs: number) {
    super(`Redis did not answer ${operation} within ${timeoutMs} ms`);
    this.name = 'RedisScopeStoreTimeoutError';
  }
}
