import { describe, expect, it } from 'vitest';
import { ResilienceOptionsError } from '../../../src/options/ResilienceOptionsError.js';

describe('ResilienceOptionsError', () => {
  it('is a TypeError named ResilienceOptionsError, one message line per issue', () => {
    const error = new ResilienceOptionsError([
      'retry.maxAttempts: must be at least 1',
      'retyr: unknown option',
    ]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('ResilienceOptionsError');
    expect(error.issues).toEqual(['retry.maxAttempts: must be at least 1', 'retyr: unknown option']);
    expect(error.message).toBe(
      'Invalid partner-center-resilience options:\n  - retry.maxAttempts: must be at least 1\n  - retyr: unknown option',
    );
  });
});
