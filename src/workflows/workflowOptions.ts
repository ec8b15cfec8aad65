import type { AxiosRequestConfig } from 'axios';
import { ResilienceOptionsError } from '../options/ResilienceOptionsError.js';
import { MAX_TIMER_MS } from '../options/rules.js';

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Extra axios config for every request a workflow sends (headers, `timeout`, per-request `partnerCenter`
 * options, ...). The workflow sets the URL, the method (GET) and the signal itself: `url`, `method`, `data`,
 * `params`, `signal` and `cancelToken` are refused (`ResilienceOptionsError`). The object is never changed.
 */
export type WorkflowRequestConfig = Omit<
  AxiosRequestConfig,
  'url' | 'method' | 'data' | 'params' | 'signal' | 'cancelToken'
>;

/** The fields of the request config a workflow sets itself: giving them in `request` would be lost. */
const SET_BY_WORKFLOW: Readonly<Record<string, string>> = {
  url: 'the workflow sets the URL',
  method: 'the workflow sends GET',
  data: 'the workflow sends no body',
  params: 'put the query in the URL',
  signal: 'pass it as the signal option',
  cancelToken: 'pass an AbortSignal as the signal option',
};

/** Edit distance between two short strings (insertions, deletions, substitutions), for suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known name `name` most likely misspells (same letters in another case, or at most 2 edits), if any. */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: { name: string; edits: number } | undefined;
  for (const k of known) {
    const edits = distance(lower, k.toLowerCase());
    if (edits <= Math.min(2, Math.floor(k.length / 3)) && (best === undefined || edits < best.edits)) {
      best = { name: k, edits };
    }
  }
  return best?.name;
}

/** Collects the problems of a workflow's options; `throwIfAny()` throws them as one error. */
export class OptionIssues {
  private readonly issues: string[] = [];

  constructor(private readonly owner: string) {}

  add(issue: string): void {
    this.issues.push(`${this.owner}: ${issue}`);
  }

  /**
   * Checks that `options` is an object whose every own key is one of `known` (a misspelt `timeoutMS` or
   * `sise` would be ignored, silently), naming each unknown one with the option it most likely means, as
   * `attachResilience` names an unknown option; and that its `request`, when set, is an object without the
   * fields the workflow sets itself. Returns whether the options can be read further (an object).
   */
  options(options: unknown, known: readonly string[]): options is Record<string, unknown> {
    if (!isRecord(options)) {
      this.add(`options must be an object (got ${options === null ? 'null' : typeof options})`);
      return false;
    }
    for (const key of Object.keys(options)) {
      if (known.includes(key)) continue;
      const guess = closest(key, known);
      this.add(
        `${key.slice(0, 64)}: unknown option${guess === undefined ? '' : ` (did you mean ${guess}?)`}`,
      );
    }
    const request = options['request'];
    if (request === undefined) return true;
    if (!isRecord(request)) {
      this.add('request must be an object of axios request config');
      return true;
    }
    for (const [key, why] of Object.entries(SET_BY_WORKFLOW)) {
      if (request[key] !== undefined) this.add(`request.${key}: not allowed (${why})`);
    }
    return true;
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
