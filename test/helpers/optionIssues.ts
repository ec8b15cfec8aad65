import { expect } from 'vitest';
import { normalizeOptions } from '../../src/options/normalizeOptions.js';
import type { ResilienceOptions } from '../../src/options/ResilienceOptions.js';
import { ResilienceOptionsError } from '../../src/options/ResilienceOptionsError.js';

/** The issue lines of the ResilienceOptionsError that `options` throws (fails when nothing is thrown). */
export function issuesOf(options: unknown): readonly string[] {
  try {
    normalizeOptions(options as ResilienceOptions);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ResilienceOptionsError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).name).toBe('ResilienceOptionsError');
    return (error as ResilienceOptionsError).issues;
  }
  throw new Error('expected a ResilienceOptionsError');
}

/** The paths of the objects inside `value` (itself included) that are not frozen. */
export function everyObjectFrozen(value: unknown, path = 'value'): string[] {
  if (value === null || typeof value !== 'object') return [];
  const own = Object.isFrozen(value) ? [] : [path];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => everyObjectFrozen(v, `${path}.${k}`))];
}
