import type { AxiosResponse } from 'axios';
import { isResponse } from '../http/response.js';
import type { AbortLike } from '../policies/sleep.js';
import { abortLikeOf } from './abortSignal.js';
import { defaultOperationState, type OperationState } from './operationState.js';
import { OptionIssues, type WorkflowRequestConfig } from './workflowOptions.js';

/** Options of {@link pollOperation}. */
export interface PollOperationOptions {
  /**
   * Wait between polls when the server sends no `Retry-After`, in ms (0 to `2147483647`; capped by
   * `maxIntervalMs`, raised to `minIntervalMs` after a poll). Default: `5000`.
   */
  readonly intervalMs?: number | undefined;
  /**
   * The floor: least wait between a poll's answer and the next poll, in ms (1 to `2147483647`, at most
   * `maxIntervalMs`), whatever the server asks. A `Retry-After` of `0` or an HTTP-date in the past means
   * "now": the first poll after the response that started the operation goes at once, but after a poll the
   * next one still waits this long, so a server that keeps saying "now" is polled once per `minIntervalMs`,
   * not in a loop. Default: `1000` (lowered to `maxIntervalMs` when that is set lower).
   */
  readonly minIntervalMs?: number | undefined;
  /**
   * Longest wait before a poll, in ms (1 to `2147483647`). When the server's `Retry-After` asks for longer,
   * the poll fails at once with a `timeout` PartnerCenterError instead of polling early. Default: `60000`.
   */
  readonly maxIntervalMs?: number | undefined;
  /**
   * Total time for the whole wait, in ms (1 to `2147483647`), from the call: when the next poll could not
   * start before it runs out, the poll fails at once with a `timeout` PartnerCenterError; a poll request still
   * in flight when it runs out is aborted and fails with `timeout` too. Default: `600000` (10 minutes).
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Aborts the wait: settles at once with a `cancelled` PartnerCenterError, also in the middle of a wait
   * (its timer is cleared); a poll request in flight is aborted (the engine's `cancelled` error). Default:
   * none.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called with every 2xx poll answer, before it is classified. Synchronous; a hook that throws rejects the
   * poll with what it threw. Default: none.
   */
  readonly onPoll?: ((response: AxiosResponse) => void) | undefined;
  /**
   * Reads a 2xx poll answer: `'done'` (resolve with it), `'running'` (poll again) or `'failed'` (reject with
   * `operation-failed`). A classify that throws rejects the poll with what it threw. Default:
   * {@link defaultOperationState} (`202` and a running `status` poll again, a failed `status` fails).
   */
  readonly classify?: ((response: AxiosResponse) => OperationState) | undefined;
  /** Extra axios config for every poll request (headers, `partnerCenter`, ...). Default: none. */
  readonly request?: WorkflowRequestConfig | undefined;
  /**
   * When resuming from a saved Location URL: the earliest time (epoch ms) of the first poll, e.g. the
   * `Date.now() + Retry-After` you saved with it, so that a restart never polls before the server's
   * `Retry-After`. The wait counts against `timeoutMs` and `maxIntervalMs`. Ignored for a response. Default:
   * none (the saved URL is polled at once).
   */
  readonly notBefore?: number | undefined;
}

/** The name of every option (the compiler checks the list against {@link PollOperationOptions}). */
const POLL_OPTION_NAMES: readonly string[] = Object.keys({
  intervalMs: true,
  minIntervalMs: true,
  maxIntervalMs: true,
  timeoutMs: true,
  signal: true,
  onPoll: true,
  classify: true,
  request: true,
  notBefore: true,
} satisfies Record<keyof PollOperationOptions, true>);

/** Defaults of {@link PollOperationOptions}. */
const DEFAULTS = {
  intervalMs: 5_000,
  minIntervalMs: 1_000,
  maxIntervalMs: 60_000,
  timeoutMs: 600_000,
} as const;

/** The options of {@link pollOperation}, validated, with their defaults. */
export interface PollSettings {
  readonly intervalMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly timeoutMs: number;
  readonly signal: AbortLike;
  readonly onPoll: ((response: AxiosResponse) => void) | undefined;
  readonly classify: (response: AxiosResponse) => OperationState;
  readonly request: WorkflowRequestConfig | undefined;
  readonly notBefore: number | undefined;
}

/**
 * Validates the arguments of `pollOperation` and fills in the defaults. An unknown option (`timeoutMS`) is
 * refused, named with the one it most likely means.
 *
 * @throws ResilienceOptionsError naming every problem.
 */
export function pollSettingsOf(operation: unknown, options: PollOperationOptions): PollSettings {
  const issues = new OptionIssues('pollOperation');
  if (!(typeof operation === 'string' && operation.trim() !== '') && !isResponse(operation)) {
    issues.add(
      'the operation must be the response that started it (with a Location header) or its Location URL',
    );
  }
  if (!issues.options(options, POLL_OPTION_NAMES)) issues.throwIfAny();
  issues.integer('intervalMs', options.intervalMs, 0);
  issues.integer('minIntervalMs', options.minIntervalMs, 1);
  issues.integer('maxIntervalMs', options.maxIntervalMs, 1);
  issues.integer('timeoutMs', options.timeoutMs, 1);
  issues.integer('notBefore', options.notBefore, 0, Number.MAX_SAFE_INTEGER);
  issues.callback('onPoll', options.onPoll);
  issues.callback('classify', options.classify);
  issues.signal(options.signal);
  const { minIntervalMs, maxIntervalMs } = options;
  const max = maxIntervalMs ?? DEFAULTS.maxIntervalMs;
  if (typeof minIntervalMs === 'number' && typeof max === 'number' && minIntervalMs > max) {
    const which = maxIntervalMs === undefined ? ', its default' : '';
    issues.add(`minIntervalMs (${minIntervalMs}) must not exceed maxIntervalMs (${max}${which})`);
  }
  issues.throwIfAny();
  return {
    intervalMs: options.intervalMs ?? DEFAULTS.intervalMs,
    minIntervalMs: minIntervalMs ?? Math.min(DEFAULTS.minIntervalMs, max),
    maxIntervalMs: max,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    signal: abortLikeOf(options.signal),
    onPoll: options.onPoll,
    classify: options.classify ?? defaultOperationState,
    request: options.request,
    notBefore: options.notBefore,
  };
}
