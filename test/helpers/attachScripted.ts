import axios from 'axios';
import { afterEach, beforeEach, vi } from 'vitest';
import { attachResilience, type ResilienceOptions } from '../../src/index.js';
import { type Hit, type Step, scriptedAdapter } from './scriptedAdapter.js';

/** The base URL scripted instances use. */
export const PARTNER_CENTER = 'https://api.partnercenter.microsoft.com';

/** Fake timers for every test of the file, the clock set to a fixed instant. */
export function useFakeClock(at = '2026-11-25T12:00:00Z'): void {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(at));
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** An attached instance whose adapter answers from `steps`; its hits are recorded. */
export function attachScripted(
  steps: Step[] | ((hit: Hit, index: number) => Step),
  options: ResilienceOptions = {},
) {
  const scripted = scriptedAdapter(steps);
  const instance = axios.create({ adapter: scripted.adapter, baseURL: PARTNER_CENTER });
  const handle = attachResilience(instance, options);
  return { ...scripted, instance, handle };
}
