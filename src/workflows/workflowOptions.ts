import type { AxiosRequestConfig } from 'axios';
import { MAX_TIMER_MS } from '../options/limits.js';
import { ResilienceOptionsError } from '../options/ResilienceOptionsError.js';

/**
 * Extra axios config for every request a workflow sends (headers, `timeout`, per-request `partnerCenter`
 * options, ...). The workflow sets the URL, the method (GET) and the signal itself; the object is never
 * changed.
 */
export type WorkflowRequestConfig = Omit<
  AxiosRequestConfig,
  'url' | 'method' | 'data' | 'params' | 'signal' | 'cancelToken'
>;

/** Collects the problems of a workflow's options; `throwIfAny()` throws them as one error. */
export class OptionIssues {
  private readonly issues: string[] = [];

  constructor(private readonly owner: string) {}

  add(issue: string): void {
    this.issues.push(`${this.owner}: ${issue}`);
  }

  /** Checks that `value`, when set, is an integer from `min` to `max` (`MAX_TIMER_MS` by default). */
  integer(name: string, value: unknown, min: number, max = MAX_TIMER_MS): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(`${name} must be an integer from ${min} to ${max} (got ${String(value).slice(0, 32)})`);
    }
  }

  /** Checks that `value`, when set, is a function. */
  callback(name: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'function') this.add(`${name} must be a function`);
  }

  /** Checks that `value`, when set, is an AbortSignal-like object. */
  signal(value: unknown): void {
    if (value === undefined) return;
    const ok =
      value !== null &&
      typeof value === 'object' &&
      typeof (value as { aborted?: unknown }).aborted === 'boolean' &&
      typeof (value as { addEventListener?: unknown }).addEventListener === 'function';
    if (!ok) this.add('signal must be an AbortSignal');
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new ResilienceOptionsError(this.issues);
  }
}
