import { ResilienceOptionsError } from '../../../src/index.js';

/** The issues of the ResilienceOptionsError `run` throws (fails when it throws none, or another error). */
export function issuesOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof ResilienceOptionsError) return error.issues;
    throw error;
  }
  throw new Error('no ResilienceOptionsError');
}
