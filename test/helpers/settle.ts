import { vi } from 'vitest';
import { isPartnerCenterError, type PartnerCenterError } from '../../src/index.js';

/** The outcome of a call: its value, or the PartnerCenterError it failed with (anything else is rethrown). */
export interface Outcome<T> {
  readonly value?: T;
  readonly error?: PartnerCenterError;
}

/** Captures a call's outcome without touching the clock. */
export function capture<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => {
      if (!isPartnerCenterError(error)) throw error;
      return { error };
    },
  );
}

/** Runs the fake clock until every timer has fired, then returns the call's outcome. */
export async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  const outcome = capture(promise);
  await vi.runAllTimersAsync();
  return outcome;
}
