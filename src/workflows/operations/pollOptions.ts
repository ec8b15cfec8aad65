import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type * as z from 'zod';
import type { ResilienceHandle } from '../../attach.js';
import { isResponse } from '../../http/response.js';
import { fn } from '../../options/rules.js';
import type { AbortLike } from '../../policies/sleep.js';
import {
  abortLikeOf,
  checkWorkflowArguments,
  integer,
  requestOption,
  signalOption,
  type WorkflowClient,
  type WorkflowRequestConfig,
  workflowOptionsSchema,
} from '../workflowOptions.js';

/** What a poll answer says about the operation: finished, still running, or failed. */
export type OperationState = 'done' | 'running' | 'failed';

/**
 * `status` values (compared in lower case, spaces, `_` and `-` removed) that mean the operation still runs.
 * Partner Center's subscription registration says `registering`; Graph's and Azure's long-running operations
 * say `notStarted`, `running`, `inProgress`, `pending` or `accepted`.
 */
const RUNNING_OPERATION_STATUSES: readonly string[] = Object.freeze([
  'notstarted',
  'running',
  'inprogress',
  'pending',
  'accepted',
  'registering',
]);

/** `status` values (compared as above) that mean the operation failed or was cancelled. */
const FAILED_OPERATION_STATUSES: readonly string[] = Object.freeze([
  'failed',
  'canceled',
  'cancelled',
  'error',
]);

/** The body's `status` as written (a string only), or `undefined`. */
export function operationStatusOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const status = (body as { status?: unknown }).status;
  return typeof status === 'string' ? status : undefined;
}

function normalised(status: string): string {
  return status.toLowerCase().replace(/[\s_-]/g, '');
}

/**
 * The default reading of a 2xx poll answer: `202` is running; a JSON body whose `status` (any case, spaces,
 * `_` and `-` ignored) is `notStarted`, `running`, `inProgress`, `pending`, `accepted` or `registering` is
 * running; `failed`, `canceled`, `cancelled` or `error` is failed; anything else (another status, no status,
 * no body) is done.
 */
export function defaultOperationState(response: AxiosResponse): OperationState {
  if (response.status === 202) return 'running';
  const status = operationStatusOf(response.data);
  if (status === undefined) return 'done';
  const key = normalised(status);
  if (RUNNING_OPERATION_STATUSES.includes(key)) return 'running';
  if (FAILED_OPERATION_STATUSES.includes(key)) return 'failed';
  return 'done';
}

/** Options of {@link pollOperation}. */
export interface PollOperationOptions {
  /**
   * Wait between polls when the server sends no `Retry-After`, in ms (0 to `MAX_TIMER_MS`; capped by
   * `maxIntervalMs`, raised to `minIntervalMs` after a poll). Default: `5000`.
   */
  readonly intervalMs?: number | undefined;
  /**
   * The floor: least wait between a poll's answer and the next poll, in ms (1 to `MAX_TIMER_MS`, at most
   * `maxIntervalMs`), whatever the server asks. A `Retry-After` of `0` or an HTTP-date in the past means
   * "now": the first poll after the response that started the operation goes at once, but after a poll the
   * next one still waits this long, so a server that keeps saying "now" is polled once per `minIntervalMs`,
   * not in a loop. Default: `1000` (lowered to `maxIntervalMs` when that is set lower).
   */
  readonly minIntervalMs?: number | undefined;
  /**
   * Longest wait before a poll, in ms (1 to `MAX_TIMER_MS`). When the server's `Retry-After` asks for longer,
   * the poll fails at once with a `timeout` PartnerCenterError instead of polling early. Default: `60000`.
   */
  readonly maxIntervalMs?: number | undefined;
  /**
   * Total time for the whole wait, in ms (1 to `MAX_TIMER_MS`), from the call: when the next poll could not
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
  readonly classify?: ((response: AxiosResponse) => 'done' | 'running' | 'failed') | undefined;
  /**
   * Extra axios config for every poll request (headers, `partnerCenter`, ...); `url`, `method`, `data`,
   * `params`, `signal` and `cancelToken` are refused (the workflow sets them). Default: none.
   */
  readonly request?:
    | Omit<AxiosRequestConfig, 'url' | 'method' | 'data' | 'params' | 'signal' | 'cancelToken'>
    | undefined;
  /**
   * When resuming from a saved Location URL: the earliest time (epoch ms) of the first poll, e.g. the
   * `Date.now() + Retry-After` you saved with it, so that a restart never polls before the server's
   * `Retry-After`. The wait counts against `timeoutMs` and `maxIntervalMs`. Ignored for a response. Default:
   * none (the saved URL is polled at once).
   */
  readonly notBefore?: number | undefined;
}

/** Defaults of {@link PollOperationOptions}. */
const DEFAULTS = {
  intervalMs: 5_000,
  minIntervalMs: 1_000,
  maxIntervalMs: 60_000,
  timeoutMs: 600_000,
} as const;

/** The options of {@link pollOperation}, validated, with their defaults. */
export interface PollSettings {
  /** The instance polls go through, and the sanitizer of the errors the poll builds itself. */
  readonly client: WorkflowClient;
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

/** The rules of {@link PollOperationOptions}, one per option (the compiler checks the keys against the interface). */
const pollOptionsSchema = workflowOptionsSchema({
  request: requestOption,
  intervalMs: integer(0).optional(),
  minIntervalMs: integer(1).optional(),
  maxIntervalMs: integer(1).optional(),
  timeoutMs: integer(1).optional(),
  notBefore: integer(0, Number.MAX_SAFE_INTEGER).optional(),
  onPoll: fn.optional(),
  classify: fn.optional(),
  signal: signalOption,
} satisfies Record<keyof PollOperationOptions, z.ZodType>).superRefine(
  (options, ctx) => {
    const { minIntervalMs, maxIntervalMs } = options;
    const max = maxIntervalMs ?? DEFAULTS.maxIntervalMs;
    if (typeof minIntervalMs === 'number' && typeof max === 'number' && minIntervalMs > max) {
      const which = maxIntervalMs === undefined ? ', its default' : '';
      const message = `(${minIntervalMs}) must not exceed maxIntervalMs (${max}${which})`;
      ctx.addIssue({ code: 'custom', path: ['minIntervalMs'], message });
    }
  },
  // Also when another option has a problem: every problem is named at once.
  { when: (payload) => payload.value !== null && typeof payload.value === 'object' },
);

/**
 * Validates the arguments of `pollOperation` and fills in the defaults. An unknown option (`timeoutMS`) is
 * refused, named with the one it most likely means.
 *
 * @throws ResilienceOptionsError naming every problem.
 */
export function pollSettingsOf(
  client: ResilienceHandle | AxiosInstance,
  operation: unknown,
  given: PollOperationOptions,
): PollSettings {
  const operationIssue =
    (typeof operation === 'string' && operation.trim() !== '') || isResponse(operation)
      ? undefined
      : 'the operation must be the response that started it (with a Location header) or its Location URL';
  const checked = checkWorkflowArguments('pollOperation', pollOptionsSchema, { client, options: given }, [
    operationIssue,
  ]);
  const options = checked.options;
  const max = options.maxIntervalMs ?? DEFAULTS.maxIntervalMs;
  return {
    client: checked.client,
    intervalMs: options.intervalMs ?? DEFAULTS.intervalMs,
    minIntervalMs: options.minIntervalMs ?? Math.min(DEFAULTS.minIntervalMs, max),
    maxIntervalMs: max,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    signal: abortLikeOf(options.signal),
    onPoll: options.onPoll,
    classify: options.classify ?? defaultOperationState,
    request: options.request,
    notBefore: options.notBefore,
  };
}
